/* program.c: the program of docs/DESIGN.md §10.3, little-endian: byte b of
 * the program is at byte address PROGRAM + b. */
#include "program.h"

#include <string.h>

static void le(uint8_t *p, uint64_t v, int bytes)
{
	for (int k = 0; k < bytes; k++, v >>= 8)
		p[k] = (uint8_t)v;
}

/* A map's layout in the header (36 bytes): C, H, W, WPW, container bits
 * (u16), six zero bytes, plane and frame offset words (u64 at +16, +24),
 * four zero bytes. */
static void map_layout(uint8_t *p, const struct stensor *t)
{
	le(p, (uint64_t)t->s.c, 2);
	le(p + 2, (uint64_t)t->fh, 2);
	le(p + 4, (uint64_t)t->s.w, 2);
	le(p + 6, (uint64_t)t->wpw, 2);
	le(p + 8, (uint64_t)t->cw, 2);
	le(p + 16, (uint64_t)t->plane, 8);
	le(p + 24, (uint64_t)t->foff, 8);
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
	le(p, PROGRAM_MAGIC, 4);
	le(p + 4, PROGRAM_VERSION, 2);
	le(p + 6, (uint64_t)s->ndesc, 2);
	le(p + 8, s->hash, 4);
	le(p + 12, (uint64_t)rb, 4);
	le(p + 16, (uint64_t)s->batch, 4);
	le(p + 24, (uint64_t)(s->rwords[SR_WEIGHTS] * wb), 8);
	le(p + 32, (uint64_t)(s->rwords[SR_WORK] * wb), 8);
	le(p + 40, (uint64_t)(s->rwords[SR_INPUT] * wb), 8);
	le(p + 48, (uint64_t)(s->rwords[SR_OUTPUT] * wb), 8);
	map_layout(p + 56, &s->tens[s->in_tensor]);
	map_layout(p + 92, &s->tens[s->out_tensor]);
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
