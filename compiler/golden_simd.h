/* golden_simd.h: the golden model's vectorized kernels (golden_simd.c). */
#ifndef NNC_GOLDEN_SIMD_H
#define NNC_GOLDEN_SIMD_H

#include "nnc.h"

/* The instruction sets the kernels use, as the CPU has them; NNC_SIMD=avx2
 * or NNC_SIMD=none (or NNC_NO_SIMD set) lowers the level. */
enum { SIMD_NONE, SIMD_AVX2, SIMD_AVX512 };
int simd_level(void);

/* ---- int16 convolution: needs SIMD_AVX2 ---- */

/* One group of one image for the int16 kernel. The input holds pairs of
 * channels: x[p*plane + pos] packs channels 2p (low half) and 2p+1 of
 * position pos as two int16; a step is one channel pair at one kernel tap. */
struct simd_i16 {
	const int32_t *x;
	const int32_t *w;       /* [filter block][step][4 filters]: int16 pairs */
	const int32_t *off;     /* per step: where its input starts, in pairs */
	int steps;
	int chunk;              /* steps whose int32 sums cannot overflow, >= 1 */
	int level;              /* SIMD_AVX2 or SIMD_AVX512 */
};

/* Output positions per tile. */
#define SIMD_I16_TILE 32

/* acc[j][i] = the exact sum over every step of filter fb*4+j at position
 * pos+i (in the input's position numbering). Reads x up to pos + 31 past
 * the last step's offset. */
void simd_i16_tile(const struct simd_i16 *k, int fb, size_t pos, int64_t acc[4][SIMD_I16_TILE]);

/* y[j][i] = clamp((acc[j][i] + add[j]) >> s, lo, hi): requantization and
 * activation of a tile, when int64 holds every step exactly (0 <= s < 64). */
void simd_i16_finish(int64_t acc[4][SIMD_I16_TILE], const int64_t add[4], int s, int64_t lo,
                     int64_t hi, int32_t y[4][SIMD_I16_TILE]);

/* ---- fc: needs SIMD_AVX2 ---- */

/* sum w[i]*x[i] for i < n, modulo 2^64 (exact when the true sum fits in
 * int64). */
uint64_t simd_dot_i32(const int32_t *w, const int32_t *x, int64_t n);

/* ---- double convolution ---- */

/* One group of one image, prepared for the kernel. */
struct simd_conv {
	const double *x;        /* cg planes of hp x wp: zero-padded input, 8 spare columns */
	const double *w;        /* [filter block][cg][kh][kw][4 filters] */
	int cg, kh, kw, sh;
	int oh, ow, hp, wp;
};

/* AVX2 and FMA present (and not lowered by NNC_SIMD). */
bool simd_available(void);
/* The exact sums of filter block fb (4 output channels) into acc: 4 planes of
 * oh x ow, each starting from bias[j]. Horizontal stride 1 only. */
void simd_conv_block(const struct simd_conv *k, int fb, double *acc, const double *bias);

#endif
