/* test_drv.c: driver/nnc_drv.c against a fake engine register file that
 * implements docs/DESIGN.md §10.4 on its own (clear-on-read CTRL bits, ISR
 * toggle on write, interrupt = GIE and (ISR and IER)), and the map packing
 * against a bit-level reference of §5.2.4. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "nnc_drv.h"

/* ---- the fake engine ---------------------------------------------------- */
struct fake {
	uint32_t id, spec, status_at_end;
	int running, done, ready, idle;
	int run_len;          /* register accesses a run lasts (< 0: never ends) */
	int left;
	uint32_t gie, ier, isr;
	uint32_t base[10];
	uint32_t status;
	uint64_t cycles, cycles_at_end;
	int irq_fails;        /* wait_irq returns -1 */
	int writes, reads, ctrl_writes;
};

static void fake_tick(struct fake *f)
{
	if (f->running && f->run_len >= 0 && --f->left <= 0) {
		f->running = 0;
		f->done = f->ready = f->idle = 1;
		f->status = f->status_at_end;
		f->cycles = f->cycles_at_end;
		f->isr |= f->ier & 3u;          /* an event sets its ISR bit when enabled */
	}
}

static uint32_t fake_rd(void *ctx, uint32_t off)
{
	struct fake *f = ctx;
	uint32_t v = 0;
	f->reads++;
	fake_tick(f);
	switch (off) {
	case 0x00:
		/* ap_start reads 0: the fake takes a start at once */
		v = (uint32_t)f->done << 1 | (uint32_t)f->idle << 2 | (uint32_t)f->ready << 3;
		f->done = f->ready = 0;          /* clear on read */
		break;
	case 0x04: v = f->gie; break;
	case 0x08: v = f->ier; break;
	case 0x0C: v = f->isr; break;
	case 0x38: v = f->status; break;
	case 0x3C: v = f->spec; break;
	case 0x40: v = (uint32_t)f->cycles; break;
	case 0x44: v = (uint32_t)(f->cycles >> 32); break;
	case 0x48: v = f->id; break;
	default:
		if (off >= 0x10 && off < 0x38)
			v = f->base[(off - 0x10) / 4];
	}
	return v;
}

static void fake_wr(void *ctx, uint32_t off, uint32_t v)
{
	struct fake *f = ctx;
	f->writes++;
	fake_tick(f);
	switch (off) {
	case 0x00:
		f->ctrl_writes++;
		if ((v & 1) && !f->running) {
			f->running = 1;
			f->idle = 0;
			f->status = 0;
			f->left = f->run_len;
		}
		break;
	case 0x04: f->gie = v & 1; break;
	case 0x08: f->ier = v & 3; break;
	case 0x0C: f->isr ^= v & 3; break;  /* toggle on write */
	default:
		if (off >= 0x10 && off < 0x38)
			f->base[(off - 0x10) / 4] = v;
	}
}

static int fake_irq_line(const struct fake *f)
{
	return f->gie && (f->isr & f->ier);
}

static int fake_wait_irq(void *ctx)
{
	struct fake *f = ctx;
	for (int i = 0; i < 1000 && !fake_irq_line(f); i++)
		fake_tick(f);
	return f->irq_fails || !fake_irq_line(f) ? -1 : 0;
}

static struct fake fake_new(void)
{
	struct fake f;
	memset(&f, 0, sizeof f);
	f.id = NNC_ID_VALUE;
	f.spec = 0x1234ABCDu;
	f.idle = 1;
	f.run_len = 5;
	f.cycles_at_end = 0x100000007ull;
	return f;
}

static struct nnc_dev dev_of(struct fake *f, int irq)
{
	struct nnc_dev d = {fake_rd, fake_wr, irq ? fake_wait_irq : NULL, f};
	return d;
}

/* ---- program headers ---------------------------------------------------- */
static void put_le(uint8_t *b, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		b[i] = (uint8_t)(v >> (8 * i));
}

static void put_map(uint8_t *b, int c, int h, int w, int wpw, int bits, uint64_t plane,
                    uint64_t frame)
{
	put_le(b, (uint64_t)c, 2);
	put_le(b + 2, (uint64_t)h, 2);
	put_le(b + 4, (uint64_t)w, 2);
	put_le(b + 6, (uint64_t)wpw, 2);
	put_le(b + 8, (uint64_t)bits, 2);
	put_le(b + 16, plane, 8);
	put_le(b + 24, frame, 8);
}

/* A valid program: 3 descriptors of 16 bytes, batch 2, input 3x4x5 in 8
 * bits (MW 64: WPW 1), output 10x1x1 in 16 bits. */
static size_t good_prog(uint8_t *b)
{
	memset(b, 0, 256);
	put_le(b, NNC_PROG_MAGIC, 4);
	put_le(b + 4, 1, 2);
	put_le(b + 6, 3, 2);
	put_le(b + 8, 0x1234ABCDu, 4);
	put_le(b + 12, 16, 4);
	put_le(b + 16, 2, 4);
	put_le(b + 24, 4096, 8);
	put_le(b + 32, 8192, 8);
	put_le(b + 40, 2 * 12 * 8, 8);
	put_le(b + 48, 2 * 8 * 8, 8);
	put_map(b + 56, 3, 4, 5, 1, 8, 4, 12);
	put_map(b + 92, 10, 1, 1, 1, 16, 1, 10);
	for (int i = 128; i < 128 + 48; i++)
		b[i] = (uint8_t)i;
	return 128 + 48;
}

static void parse_good(void **state)
{
	(void)state;
	uint8_t b[256];
	size_t len = good_prog(b);
	struct nnc_prog p;
	assert_int_equal(nnc_prog_parse(&p, b, len), NNC_OK);
	assert_int_equal(p.version, 1);
	assert_int_equal(p.ndesc, 3);
	assert_int_equal(p.spec_hash, 0x1234ABCDu);
	assert_int_equal(p.record_bytes, 16);
	assert_int_equal(p.batch, 2);
	assert_int_equal(p.weight_bytes, 4096);
	assert_int_equal(p.work_bytes, 8192);
	assert_int_equal(p.input_bytes, 192);
	assert_int_equal(p.output_bytes, 128);
	assert_int_equal(p.prog_bytes, 176);
	assert_int_equal(p.in.c, 3);
	assert_int_equal(p.in.h, 4);
	assert_int_equal(p.in.w, 5);
	assert_int_equal(p.in.wpw, 1);
	assert_int_equal(p.in.bits, 8);
	assert_int_equal(p.in.plane_words, 4);
	assert_int_equal(p.in.frame_words, 12);
	assert_int_equal(p.out.c, 10);
	assert_int_equal(p.out.bits, 16);
	assert_int_equal(p.out.frame_words, 10);
	assert_int_equal(nnc_map_values(&p.in), 60);
	/* trailing bytes past the records are allowed */
	assert_int_equal(nnc_prog_parse(&p, b, 256), NNC_OK);
}

static void parse_bad(void **state)
{
	(void)state;
	uint8_t b[256];
	struct nnc_prog p;
	size_t len = good_prog(b);
	assert_int_equal(nnc_prog_parse(&p, b, 4), NNC_E_SHORT);
	assert_int_equal(nnc_prog_parse(&p, b, 127), NNC_E_SHORT);
	assert_int_equal(nnc_prog_parse(&p, b, len - 1), NNC_E_SHORT);

	struct { int off, n; uint64_t v; int rc; } cases[] = {
		{0, 4, 0x50434E4Fu, NNC_E_MAGIC},
		{4, 2, 2, NNC_E_VERSION},
		{4, 2, 0, NNC_E_VERSION},
		{6, 2, 0, NNC_E_PROG},          /* zero descriptors */
		{12, 4, 0, NNC_E_PROG},         /* record bytes 0 */
		{12, 4, 6, NNC_E_PROG},         /* not whole 32-bit words */
		{16, 4, 0, NNC_E_PROG},         /* batch 0 */
		{20, 4, 1, NNC_E_PROG},         /* reserved */
		{56 + 0, 2, 0, NNC_E_PROG},     /* C 0 */
		{56 + 8, 2, 12, NNC_E_PROG},    /* container bits 12 */
		{92 + 8, 2, 64, NNC_E_PROG},
		{56 + 12, 2, 1, NNC_E_PROG},    /* the map's zero bytes */
		{56 + 16, 8, 3, NNC_E_PROG},    /* plane < H·WPW */
		{56 + 24, 8, 0, NNC_E_PROG},    /* frame offset 0 with batch 2 */
		{40, 8, 95, NNC_E_PROG},        /* input region under 24 words of 4 bytes */
		{24, 8, 1ull << 60, NNC_E_PROG},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		good_prog(b);
		put_le(b + cases[i].off, cases[i].v, cases[i].n);
		if (nnc_prog_parse(&p, b, len) != cases[i].rc)
			fail_msg("case %zu: %d, expected %d", i, nnc_prog_parse(&p, b, len), cases[i].rc);
	}
	/* more descriptors than the file holds */
	good_prog(b);
	put_le(b + 6, 4, 2);
	assert_int_equal(nnc_prog_parse(&p, b, len), NNC_E_SHORT);
}

/* ---- engine check and buffers ----------------------------------------- */
static void check_engine(void **state)
{
	(void)state;
	uint8_t b[256];
	struct nnc_prog p;
	assert_int_equal(nnc_prog_parse(&p, b, good_prog(b)), NNC_OK);
	struct fake f = fake_new();
	struct nnc_dev d = dev_of(&f, 0);
	assert_int_equal(nnc_check(&d, &p), NNC_OK);
	f.spec = 0x1234ABCEu;
	assert_int_equal(nnc_check(&d, &p), NNC_E_SPEC);
	f.id = 0;
	assert_int_equal(nnc_check(&d, &p), NNC_E_ID);
	assert_true(NNC_E_ID != NNC_E_SPEC);
}

static void buffers(void **state)
{
	(void)state;
	struct fake f = fake_new();
	struct nnc_dev d = dev_of(&f, 0);
	struct nnc_bufs b = {0x100000000ull, 0x100001000ull, 0x123456789A000ull, 0xFFFFFFFFFFFFF000ull,
	                     0x200000040ull};
	assert_int_equal(nnc_set_buffers(&d, &b, 64), NNC_OK);
	assert_int_equal(f.base[0], 0);
	assert_int_equal(f.base[1], 1);
	assert_int_equal(f.base[2], 0x1000);
	assert_int_equal(f.base[3], 1);
	assert_int_equal(f.base[4], 0x6789A000u);
	assert_int_equal(f.base[5], 0x12345);
	assert_int_equal(f.base[6], 0xFFFFF000u);
	assert_int_equal(f.base[7], 0xFFFFFFFFu);
	assert_int_equal(f.base[8], 0x40);
	assert_int_equal(f.base[9], 2);
	/* 0x...40 is not 128-byte aligned: refused, nothing written */
	int w = f.writes;
	assert_int_equal(nnc_set_buffers(&d, &b, 128), NNC_E_ALIGN);
	b.output = 0x200000000ull;
	b.work += 4;
	assert_int_equal(nnc_set_buffers(&d, &b, 8), NNC_E_ALIGN);
	assert_int_equal(nnc_set_buffers(&d, &b, 4), NNC_OK);
	assert_int_equal(f.writes, w + 10);
	assert_int_equal(nnc_set_buffers(&d, &b, 24), NNC_E_ARG);
	assert_int_equal(nnc_set_buffers(&d, &b, 2), NNC_E_ARG);
	assert_int_equal(nnc_set_buffers(&d, &b, 256), NNC_E_ARG);
}

/* ---- packing ----------------------------------------------------------- */
static uint32_t rng = 12345;
static uint32_t xs(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

/* Bit `bit` of memory word `word` (little-endian bytes). */
static int ref_bit(const uint8_t *mem, unsigned wb, uint64_t word, unsigned bit)
{
	return mem[word * wb + bit / 8] >> (bit % 8) & 1;
}

static void pack_case(int bits, unsigned wb, int c, int h, int w, int frames, int pad)
{
	unsigned mw = wb * 8, e = mw / (unsigned)bits;
	int wpw = (w + (int)e - 1) / (int)e + pad % 2;
	uint64_t plane = (uint64_t)h * wpw + (uint64_t)pad, frame = (uint64_t)c * plane + 3;
	struct nnc_map m = {(uint16_t)c, (uint16_t)h, (uint16_t)w, (uint16_t)wpw, (uint16_t)bits,
	                    plane, frame};
	static uint8_t mem[1 << 16];
	static int32_t v[4096], back[4096];
	uint64_t bytes = frame * wb * (uint64_t)frames;
	assert_true(bytes <= sizeof mem);
	memset(mem, 0xA5, sizeof mem);
	int n = c * h * w;
	int64_t lo = -((int64_t)1 << (bits - 1));
	uint64_t span = (uint64_t)1 << bits;
	for (int f = 0; f < frames; f++) {
		for (int i = 0; i < n; i++) {        /* the extremes often, else anything in range */
			uint32_t r = xs() % 4;
			v[i] = (int32_t)(lo + (int64_t)(r == 0 ? 0 : r == 1 ? span - 1 : xs() % span));
		}
		assert_int_equal(nnc_pack(&m, wb, mem, bytes, (uint32_t)f, v), NNC_OK);
		/* the reference: every bit of every value where §5.2.4 puts it */
		for (int ch = 0; ch < c; ch++)
			for (int y = 0; y < h; y++) {
				uint64_t row = f * frame + ch * plane + (uint64_t)y * wpw;
				for (int x = 0; x < (int)(wpw * e); x++) {
					uint64_t word = row + (unsigned)x / e;
					for (int k = 0; k < bits; k++) {
						int want = x < w ? (int)((uint32_t)v[(ch * h + y) * w + x] >> k & 1) : 0;
						if (ref_bit(mem, wb, word, (unsigned)(x % (int)e) * (unsigned)bits + (unsigned)k) != want)
							fail_msg("bits %d MW %u W %d: frame %d c %d y %d x %d bit %d",
							         bits, mw, w, f, ch, y, x, k);
					}
				}
			}
		assert_int_equal(nnc_unpack(&m, wb, mem, bytes, (uint32_t)f, back), NNC_OK);
		assert_memory_equal(v, back, (size_t)n * sizeof v[0]);
	}
	/* the words between planes and between frames are untouched */
	if (pad)
		assert_int_equal(mem[((uint64_t)h * wpw) * wb], 0xA5);
	assert_int_equal(mem[(uint64_t)c * plane * wb], 0xA5);
	/* a region one word short is refused */
	assert_int_equal(nnc_pack(&m, wb, mem, bytes - frame * wb + ((uint64_t)c - 1) * plane * wb +
	                          (uint64_t)h * wpw * wb - 1, (uint32_t)frames - 1, v), NNC_E_ARG);
}

static void pack_roundtrip(void **state)
{
	(void)state;
	const int bitss[] = {8, 16, 32};
	const unsigned wbs[] = {4, 8, 32};
	const int ws[] = {1, 3, 5, 8, 13, 33};
	for (int i = 0; i < 3; i++)
		for (int j = 0; j < 3; j++)
			for (int k = 0; k < 6; k++)
				pack_case(bitss[i], wbs[j], 3, 4, ws[k], 3, (i + j + k) % 3);
}

static void pack_refuse(void **state)
{
	(void)state;
	struct nnc_map m = {2, 2, 5, 1, 8, 2, 4};
	uint8_t mem[256];
	int32_t v[20] = {0};
	assert_int_equal(nnc_pack(&m, 8, mem, sizeof mem, 0, v), NNC_OK);
	v[7] = 128;
	assert_int_equal(nnc_pack(&m, 8, mem, sizeof mem, 0, v), NNC_E_RANGE);
	v[7] = -129;
	assert_int_equal(nnc_pack(&m, 8, mem, sizeof mem, 0, v), NNC_E_RANGE);
	v[7] = -128;
	assert_int_equal(nnc_pack(&m, 8, mem, sizeof mem, 0, v), NNC_OK);
	/* WPW 1 of 32-bit words holds 4 values, not 5 */
	assert_int_equal(nnc_pack(&m, 4, mem, sizeof mem, 0, v), NNC_E_ARG);
	assert_int_equal(nnc_unpack(&m, 4, mem, sizeof mem, 0, v), NNC_E_ARG);
	assert_int_equal(nnc_pack(&m, 12, mem, sizeof mem, 0, v), NNC_E_ARG);
	/* frame 7 ends at word 7·4 + 4 = 32: 256 bytes of 8-byte words hold it, not frame 8 */
	assert_int_equal(nnc_pack(&m, 8, mem, sizeof mem, 7, v), NNC_OK);
	assert_int_equal(nnc_pack(&m, 8, mem, sizeof mem, 8, v), NNC_E_ARG);
	struct nnc_map m32 = {1, 1, 1, 1, 32, 1, 1};
	int32_t big[1] = {INT32_MIN}, out[1];
	assert_int_equal(nnc_pack(&m32, 4, mem, 4, 0, big), NNC_OK);
	assert_int_equal(nnc_unpack(&m32, 4, mem, 4, 0, out), NNC_OK);
	assert_int_equal(out[0], INT32_MIN);
}

/* ---- runs -------------------------------------------------------------- */
static void run_poll(void **state)
{
	(void)state;
	struct fake f = fake_new();
	struct nnc_dev d = dev_of(&f, 0);
	f.gie = 1;
	uint32_t st = 99;
	assert_int_equal(nnc_start(&d), NNC_OK);
	assert_int_equal(f.gie, 0);
	assert_int_equal(f.running, 1);
	assert_int_equal(nnc_wait(&d, 100, &st), NNC_OK);
	assert_int_equal(st, 0);
	assert_int_equal(f.idle, 1);
	assert_int_equal(nnc_cycles(&d), 0x100000007ull);
	/* a second run */
	f.status_at_end = 7u << 16;
	assert_int_equal(nnc_start(&d), NNC_OK);
	assert_int_equal(nnc_wait(&d, 100, &st), NNC_OK);
	assert_int_equal(st >> NNC_STATUS_DESC_SHIFT, 7);
}

static void run_timeout_busy(void **state)
{
	(void)state;
	struct fake f = fake_new();
	struct nnc_dev d = dev_of(&f, 0);
	f.run_len = -1;
	assert_int_equal(nnc_start(&d), NNC_OK);
	int r = f.reads;
	assert_int_equal(nnc_wait(&d, 50, NULL), NNC_E_TIMEOUT);
	assert_int_equal(f.reads - r, 50);
	int cw = f.ctrl_writes;
	assert_int_equal(nnc_start(&d), NNC_E_BUSY);
	assert_int_equal(f.ctrl_writes, cw);
}

static void run_irq(void **state)
{
	(void)state;
	struct fake f = fake_new();
	struct nnc_dev d = dev_of(&f, 1);
	f.isr = 2;                               /* stale ready bit */
	f.ier = 2;
	uint32_t st;
	assert_int_equal(nnc_start(&d), NNC_OK);
	assert_int_equal(f.isr, 0);
	assert_int_equal(f.gie, 1);
	assert_int_equal(f.ier & 1, 1);
	f.run_len = 1000000;                     /* only wait_irq moves it on */
	f.left = 3;
	assert_int_equal(nnc_wait(&d, 1, &st), NNC_OK);
	assert_int_equal(f.isr, 0);              /* acknowledged */
	assert_false(fake_irq_line(&f));
	assert_int_equal(f.done, 0);             /* CTRL read after the interrupt */
	/* wait_irq failing */
	f.run_len = 5;
	assert_int_equal(nnc_start(&d), NNC_OK);
	f.irq_fails = 1;
	assert_int_equal(nnc_wait(&d, 1, &st), NNC_E_IRQ);
}

static void run_status(void **state)
{
	(void)state;
	for (int irq = 0; irq < 2; irq++) {
		struct fake f = fake_new();
		struct nnc_dev d = dev_of(&f, irq);
		f.status_at_end = NNC_STATUS_READ_ERR | 3u << 16;
		uint32_t st = 0;
		assert_int_equal(nnc_start(&d), NNC_OK);
		assert_int_equal(nnc_wait(&d, 100, &st), NNC_E_STATUS);
		assert_int_equal(st, NNC_STATUS_READ_ERR | 3u << 16);
		assert_int_equal(nnc_status(&d), st);
	}
}

static void texts(void **state)
{
	(void)state;
	char buf[160];
	assert_string_equal(nnc_status_text(0, buf, sizeof buf), "ok, 0 descriptors completed");
	assert_string_equal(nnc_status_text(12u << 16 | 9, buf, sizeof buf),
	                    "read error (SLVERR/DECERR), built for another engine, 12 descriptors completed");
	assert_string_equal(nnc_status_text(65535u << 16 | 6, buf, sizeof buf),
	                    "write error (SLVERR/DECERR), not a program, 65535 descriptors completed");
	assert_string_equal(nnc_status_text(0x100, buf, sizeof buf),
	                    "reserved bits set, 0 descriptors completed");
	assert_string_equal(nnc_status_text(1, buf, 6), "read ");
	nnc_status_text(1, buf, 1);
	assert_int_equal(buf[0], 0);
	/* every code has its own text */
	for (int a = 0; a >= NNC_E_STATUS; a--) {
		assert_string_not_equal(nnc_strerror(a), "unknown error");
		for (int b = a - 1; b >= NNC_E_STATUS; b--)
			assert_string_not_equal(nnc_strerror(a), nnc_strerror(b));
	}
	assert_string_equal(nnc_strerror(-99), "unknown error");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_good),
		cmocka_unit_test(parse_bad),
		cmocka_unit_test(check_engine),
		cmocka_unit_test(buffers),
		cmocka_unit_test(pack_roundtrip),
		cmocka_unit_test(pack_refuse),
		cmocka_unit_test(run_poll),
		cmocka_unit_test(run_timeout_busy),
		cmocka_unit_test(run_irq),
		cmocka_unit_test(run_status),
		cmocka_unit_test(texts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
