/* nnc_drv.c: the host's side of an nnc engine (docs/DESIGN.md §10.5). */
#include <string.h>

#include "nnc_drv.h"

/* Limits that keep every address computation within 64 bits (and any
 * real engine's region of 2^OB words far inside them). */
#define MAX_WORDS  (1ull << 36)
#define MAX_BYTES  (1ull << 48)
#define MAX_BATCH  65535u

static uint64_t le(const uint8_t *b, int n)
{
	uint64_t v = 0;
	for (int i = n - 1; i >= 0; i--)
		v = v << 8 | b[i];
	return v;
}

static int map_parse(struct nnc_map *m, const uint8_t *b, uint32_t batch, uint64_t region_bytes)
{
	m->c = (uint16_t)le(b + NNC_M_C, 2);
	m->h = (uint16_t)le(b + NNC_M_H, 2);
	m->w = (uint16_t)le(b + NNC_M_W, 2);
	m->wpw = (uint16_t)le(b + NNC_M_WPW, 2);
	m->bits = (uint16_t)le(b + NNC_M_BITS, 2);
	m->plane_words = le(b + NNC_M_PLANE, 8);
	m->frame_words = le(b + NNC_M_FRAME, 8);
	if (!m->c || !m->h || !m->w || !m->wpw || le(b + NNC_M_ZERO, 6))
		return NNC_E_PROG;
	if (m->bits != 8 && m->bits != 16 && m->bits != 32)
		return NNC_E_PROG;
	/* the rows of a plane are contiguous: planes must not overlap */
	if (m->plane_words < (uint64_t)m->h * m->wpw || m->plane_words > MAX_WORDS ||
	    m->frame_words > MAX_WORDS || (batch > 1 && !m->frame_words))
		return NNC_E_PROG;
	/* the batch's last word within the region, at the narrowest word (4 bytes) */
	uint64_t words = (batch - 1) * m->frame_words + (m->c - 1u) * m->plane_words +
	                 (uint64_t)m->h * m->wpw;
	return words * 4 <= region_bytes ? NNC_OK : NNC_E_PROG;
}

int nnc_prog_parse(struct nnc_prog *p, const void *bin, size_t len)
{
	const uint8_t *b = (const uint8_t *)bin;
	memset(p, 0, sizeof *p);
	if (len < 8)
		return NNC_E_SHORT;
	if (le(b + NNC_H_MAGIC, 4) != NNC_PROG_MAGIC)
		return NNC_E_MAGIC;
	p->version = (uint16_t)le(b + NNC_H_VERSION, 2);
	if (p->version != NNC_PROG_VERSION)
		return NNC_E_VERSION;
	if (len < NNC_PROG_HEADER)
		return NNC_E_SHORT;
	p->ndesc = (uint16_t)le(b + NNC_H_NDESC, 2);
	p->spec_hash = (uint32_t)le(b + NNC_H_SPEC, 4);
	p->record_bytes = (uint32_t)le(b + NNC_H_RECORD, 4);
	p->batch = (uint32_t)le(b + NNC_H_BATCH, 4);
	p->weight_bytes = le(b + NNC_H_WEIGHTS, 8);
	p->work_bytes = le(b + NNC_H_WORK, 8);
	p->input_bytes = le(b + NNC_H_INPUT, 8);
	p->output_bytes = le(b + NNC_H_OUTPUT, 8);
	/* a record is whole memory words: a multiple of 4 bytes (MW >= 32) */
	if (!p->ndesc || !p->record_bytes || p->record_bytes % 4 || p->record_bytes > (1u << 20))
		return NNC_E_PROG;
	if (!p->batch || p->batch > MAX_BATCH || le(b + NNC_H_RESERVED, 4))
		return NNC_E_PROG;
	if (p->weight_bytes > MAX_BYTES || p->work_bytes > MAX_BYTES ||
	    p->input_bytes > MAX_BYTES || p->output_bytes > MAX_BYTES)
		return NNC_E_PROG;
	p->prog_bytes = NNC_PROG_HEADER + (uint64_t)p->ndesc * p->record_bytes;
	if (len < p->prog_bytes)
		return NNC_E_SHORT;
	int rc = map_parse(&p->in, b + NNC_H_IN_MAP, p->batch, p->input_bytes);
	if (rc == NNC_OK)
		rc = map_parse(&p->out, b + NNC_H_OUT_MAP, p->batch, p->output_bytes);
	return rc;
}

int nnc_check(const struct nnc_dev *d, const struct nnc_prog *p)
{
	if (d->rd32(d->ctx, NNC_REG_ID) != NNC_ID_VALUE)
		return NNC_E_ID;
	if (d->rd32(d->ctx, NNC_REG_SPEC) != p->spec_hash)
		return NNC_E_SPEC;
	return NNC_OK;
}

static int word_ok(unsigned wb)
{
	return wb >= 4 && wb <= 128 && !(wb & (wb - 1));
}

int nnc_set_buffers(const struct nnc_dev *d, const struct nnc_bufs *b, unsigned word_bytes)
{
	const uint64_t addr[5] = {b->program, b->weights, b->work, b->input, b->output};
	const uint32_t reg[5] = {NNC_REG_PROGRAM, NNC_REG_WEIGHTS, NNC_REG_WORK, NNC_REG_INPUT,
	                         NNC_REG_OUTPUT};
	if (!word_ok(word_bytes))
		return NNC_E_ARG;
	for (int i = 0; i < 5; i++)
		if (addr[i] % word_bytes)
			return NNC_E_ALIGN;
	for (int i = 0; i < 5; i++) {
		d->wr32(d->ctx, reg[i], (uint32_t)addr[i]);
		d->wr32(d->ctx, reg[i] + 4, (uint32_t)(addr[i] >> 32));
	}
	return NNC_OK;
}

uint64_t nnc_map_values(const struct nnc_map *m)
{
	return (uint64_t)m->c * m->h * m->w;
}

/* The byte offset of frame f's first word; checks that the frame's rows fit
 * the region and that a row of wpw words holds w values. */
static int frame_base(const struct nnc_map *m, unsigned wb, uint64_t region_bytes, uint32_t f,
                      uint64_t *base)
{
	if (!word_ok(wb) || m->bits > wb * 8 || f > MAX_BATCH)
		return NNC_E_ARG;
	uint64_t e = wb * 8u / m->bits;
	if ((uint64_t)m->wpw * e < m->w)
		return NNC_E_ARG;
	uint64_t words = f * m->frame_words + (m->c - 1u) * m->plane_words + (uint64_t)m->h * m->wpw;
	if (words > region_bytes / wb)
		return NNC_E_ARG;
	*base = f * m->frame_words * wb;
	return NNC_OK;
}

int nnc_pack(const struct nnc_map *m, unsigned wb, void *region, uint64_t region_bytes,
             uint32_t frame, const int32_t *values)
{
	uint64_t base;
	int rc = frame_base(m, wb, region_bytes, frame, &base);
	if (rc)
		return rc;
	unsigned vb = m->bits / 8u, e = wb / vb;
	int64_t lo = -((int64_t)1 << (m->bits - 1)), hi = ((int64_t)1 << (m->bits - 1)) - 1;
	uint8_t *r = (uint8_t *)region;
	for (uint64_t c = 0; c < m->c; c++)
		for (uint64_t y = 0; y < m->h; y++) {
			uint8_t *row = r + base + (c * m->plane_words + y * m->wpw) * wb;
			memset(row, 0, (size_t)m->wpw * wb);
			for (unsigned x = 0; x < m->w; x++) {
				int32_t v = *values++;
				if (v < lo || v > hi)
					return NNC_E_RANGE;
				uint8_t *at = row + (x / e) * wb + (x % e) * vb;
				for (unsigned k = 0; k < vb; k++)
					at[k] = (uint8_t)((uint32_t)v >> (8 * k));
			}
		}
	return NNC_OK;
}

int nnc_unpack(const struct nnc_map *m, unsigned wb, const void *region, uint64_t region_bytes,
               uint32_t frame, int32_t *values)
{
	uint64_t base;
	int rc = frame_base(m, wb, region_bytes, frame, &base);
	if (rc)
		return rc;
	unsigned vb = m->bits / 8u, e = wb / vb;
	const uint8_t *r = (const uint8_t *)region;
	for (uint64_t c = 0; c < m->c; c++)
		for (uint64_t y = 0; y < m->h; y++) {
			const uint8_t *row = r + base + (c * m->plane_words + y * m->wpw) * wb;
			for (unsigned x = 0; x < m->w; x++) {
				const uint8_t *at = row + (x / e) * wb + (x % e) * vb;
				uint32_t sign = 1u << (m->bits - 1);
				/* two's complement: (u xor sign) - sign, in 64 bits */
				*values++ = (int32_t)((int64_t)((uint32_t)le(at, (int)vb) ^ sign) -
				                      (int64_t)sign);
			}
		}
	return NNC_OK;
}

int nnc_start(const struct nnc_dev *d)
{
	if (!(d->rd32(d->ctx, NNC_REG_CTRL) & NNC_CTRL_AP_IDLE))
		return NNC_E_BUSY;
	if (d->wait_irq) {
		uint32_t isr = d->rd32(d->ctx, NNC_REG_ISR);
		if (isr)
			d->wr32(d->ctx, NNC_REG_ISR, isr);     /* toggle: clears the stale bits */
		d->wr32(d->ctx, NNC_REG_IER, NNC_IRQ_DONE);
		d->wr32(d->ctx, NNC_REG_GIE, NNC_GIE_ENABLE);
	} else {
		d->wr32(d->ctx, NNC_REG_GIE, 0);
	}
	d->wr32(d->ctx, NNC_REG_CTRL, NNC_CTRL_AP_START);
	return NNC_OK;
}

int nnc_wait(const struct nnc_dev *d, uint32_t poll_limit, uint32_t *status)
{
	if (d->wait_irq) {
		if (d->wait_irq(d->ctx) < 0)
			return NNC_E_IRQ;
		uint32_t isr = d->rd32(d->ctx, NNC_REG_ISR);
		if (isr)
			d->wr32(d->ctx, NNC_REG_ISR, isr);
		(void)d->rd32(d->ctx, NNC_REG_CTRL);          /* clears ap_done, ap_ready */
		if (!(isr & NNC_IRQ_DONE))
			return NNC_E_IRQ;
	} else {
		uint32_t n = 0;
		while (!(d->rd32(d->ctx, NNC_REG_CTRL) & NNC_CTRL_AP_DONE))
			if (++n >= poll_limit)
				return NNC_E_TIMEOUT;
	}
	uint32_t s = nnc_status(d);
	if (status)
		*status = s;
	return (s & NNC_STATUS_ERR_MASK) ? NNC_E_STATUS : NNC_OK;
}

uint32_t nnc_status(const struct nnc_dev *d)
{
	return d->rd32(d->ctx, NNC_REG_STATUS);
}

uint64_t nnc_cycles(const struct nnc_dev *d)
{
	/* high, low, high again: a counter still running cannot tear */
	uint32_t hi = d->rd32(d->ctx, NNC_REG_CYCLES_HI), lo = 0;
	for (int i = 0; i < 3; i++) {
		lo = d->rd32(d->ctx, NNC_REG_CYCLES);
		uint32_t again = d->rd32(d->ctx, NNC_REG_CYCLES_HI);
		if (again == hi)
			break;
		hi = again;
	}
	return (uint64_t)hi << 32 | lo;
}

const char *nnc_strerror(int code)
{
	switch (code) {
	case NNC_OK: return "ok";
	case NNC_E_SHORT: return "program shorter than its header and descriptor records";
	case NNC_E_MAGIC: return "not an nnc program (bad magic)";
	case NNC_E_VERSION: return "unsupported program format version";
	case NNC_E_PROG: return "program header field out of range";
	case NNC_E_ID: return "no nnc engine at this address (ID register)";
	case NNC_E_SPEC: return "program built for another engine (SPEC register differs)";
	case NNC_E_ALIGN: return "buffer address not aligned to the engine's memory word";
	case NNC_E_ARG: return "bad argument (word size, frame or buffer size)";
	case NNC_E_RANGE: return "value does not fit the map's container";
	case NNC_E_BUSY: return "engine not idle";
	case NNC_E_TIMEOUT: return "engine did not finish within the poll limit";
	case NNC_E_IRQ: return "interrupt wait failed or was not a done interrupt";
	case NNC_E_STATUS: return "engine run ended with an error status";
	}
	return "unknown error";
}

/* Append s to buf (length len, *at used so far), always NUL-terminated. */
static void put(char *buf, size_t len, size_t *at, const char *s)
{
	while (*s && *at + 1 < len)
		buf[(*at)++] = *s++;
	if (len)
		buf[*at < len ? *at : len - 1] = 0;
}

char *nnc_status_text(uint32_t status, char *buf, size_t len)
{
	static const char *const bits[4] = {
		"read error (SLVERR/DECERR)", "write error (SLVERR/DECERR)", "not a program",
		"built for another engine",
	};
	size_t at = 0;
	int any = 0;
	put(buf, len, &at, "");
	for (int i = 0; i < 4; i++)
		if (status & (1u << i)) {
			put(buf, len, &at, any ? ", " : "");
			put(buf, len, &at, bits[i]);
			any = 1;
		}
	if (status & 0xFFF0u) {
		put(buf, len, &at, any ? ", " : "");
		put(buf, len, &at, "reserved bits set");
		any = 1;
	}
	if (!any)
		put(buf, len, &at, "ok");
	char num[8];
	int n = 0;
	uint32_t k = status >> NNC_STATUS_DESC_SHIFT;
	do
		num[n++] = (char)('0' + k % 10);
	while ((k /= 10) && n < 7);
	put(buf, len, &at, ", ");
	while (n > 0) {
		char one[2] = {num[--n], 0};
		put(buf, len, &at, one);
	}
	put(buf, len, &at, " descriptors completed");
	return buf;
}
