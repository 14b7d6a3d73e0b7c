/* program.c: the program of docs/DESIGN.md §10.3, little-endian: byte b of
 * the program is at byte address PROGRAM + b. */
#include "program.h"

#include <string.h>

static void le(uint8_t *p, uint64_t v, int bytes)
{
	for (int k = 0; k < bytes; k++, v >>= 8)
		p[k] = (uint8_t)v;
}

/* A map's layout in the header (nnc_drv.h's NNC_M_* offsets). */
static void map_layout(uint8_t *p, const struct stensor *t)
{
	le(p + NNC_M_C, (uint64_t)t->s.c, 2);
	le(p + NNC_M_H, (uint64_t)t->fh, 2);
	le(p + NNC_M_W, (uint64_t)t->s.w, 2);
	le(p + NNC_M_WPW, (uint64_t)t->wpw, 2);
	le(p + NNC_M_BITS, (uint64_t)t->cw, 2);
	le(p + NNC_M_PLANE, (uint64_t)t->plane, 8);
	le(p + NNC_M_FRAME, (uint64_t)t->foff, 8);
}

/* Set `bits` bits of v at bit `at` of the record. */
static void put_bits(uint8_t *rec, int64_t at, uint64_t v, int bits)
{
	for (int k = 0; k < bits; k++, at++)
		if ((v >> k) & 1)
			rec[at >> 3] |= (uint8_t)(1u << (at & 7));
}

uint8_t *serial_program(const struct serial *s, size_t *len)
{
	int rb = serial_recw(s) * s->mw / 8;
	size_t n = (size_t)serial_prog_words(s, s->ndesc) * (size_t)(s->mw / 8);
	uint8_t *p = xcalloc(n, 1);
	int64_t wb = s->mw / 8;
	le(p + NNC_H_MAGIC, PROGRAM_MAGIC, 4);
	le(p + NNC_H_VERSION, PROGRAM_VERSION, 2);
	le(p + NNC_H_NDESC, (uint64_t)s->ndesc, 2);
	le(p + NNC_H_SPEC, s->hash, 4);
	le(p + NNC_H_RECORD, (uint64_t)rb, 4);
	le(p + NNC_H_BATCH, (uint64_t)s->batch, 4);
	le(p + NNC_H_WEIGHTS, (uint64_t)(s->rwords[SR_WEIGHTS] * wb), 8);
	le(p + NNC_H_WORK, (uint64_t)(s->rwords[SR_WORK] * wb), 8);
	le(p + NNC_H_INPUT, (uint64_t)(s->rwords[SR_INPUT] * wb), 8);
	le(p + NNC_H_OUTPUT, (uint64_t)(s->rwords[SR_OUTPUT] * wb), 8);
	map_layout(p + NNC_H_IN_MAP, &s->tens[s->in_tensor]);
	map_layout(p + NNC_H_OUT_MAP, &s->tens[s->out_tensor]);
	for (int k = 0; k < s->ndesc; k++) {
		const struct sdesc *d = &s->desc[k];
		uint8_t *rec = p + PROGRAM_HEADER_BYTES + (size_t)k * (size_t)rb;
		int64_t at = 0;
#define X(nm, width, sgn, v, what)                                                   \
		{                                                                    \
			int b = serial_field_bits(s, width);                         \
			uint64_t u = (uint64_t)(int64_t)(v);                         \
			if (b < 64)                                                  \
				u &= ((uint64_t)1 << b) - 1;                         \
			put_bits(rec, at, u, b);                                     \
			at += b;                                                     \
		}
		DESC_FIELDS(X)
#undef X
	}
	*len = n;
	return p;
}
