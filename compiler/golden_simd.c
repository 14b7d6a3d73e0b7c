/* golden_simd.c: the golden model's vectorized kernels for x86 CPUs, chosen
 * at run time (golden.c keeps portable loops for every case).
 *
 * int16 convolution (AVX2, or AVX-512BW): vpmaddwd multiplies two pairs of
 * int16 and adds the two products into an int32 lane, exactly. The caller
 * bounds one step (one channel pair at one kernel tap) and gives the number
 * of steps whose int32 sums cannot overflow; each such chunk is added to
 * int64 sums. A tile is 4 filters x 32 positions: 8 registers of sums, per
 * step two vectors of input (a padded copy, no bounds checks) and four
 * broadcast weight pairs; AVX2 does the 32 positions as two halves.
 *
 * double convolution (AVX2 and FMA), for operands too wide for int16: used
 * only when every product and every partial sum of the layer is an integer
 * below 2^53 (the layer's accumulator width bounds them), so fused
 * multiply-adds compute the exact integer sums, in any order. 4 output
 * channels x 8 output columns of one output row in 8 registers: 8 FMAs per
 * 6 loads.
 *
 * fc (AVX2): products of int32 in int64 lanes, summed modulo 2^64. */
#include "golden_simd.h"

#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__)

#include <immintrin.h>

typedef double v4d __attribute__((vector_size(32), aligned(8), may_alias));

int simd_level(void)
{
	static int level = -1;
	if (level < 0) {
		const char *no = getenv("NNC_NO_SIMD"), *cap = getenv("NNC_SIMD");
		__builtin_cpu_init();
		level = !__builtin_cpu_supports("avx2") ? SIMD_NONE
		        : __builtin_cpu_supports("avx512bw") ? SIMD_AVX512 : SIMD_AVX2;
		if ((no && *no) || (cap && !strcmp(cap, "none")))
			level = SIMD_NONE;
		else if (cap && !strcmp(cap, "avx2") && level > SIMD_AVX2)
			level = SIMD_AVX2;
	}
	return level;
}

bool simd_available(void)
{
	static int ok = -1;
	if (ok < 0)
		ok = simd_level() >= SIMD_AVX2 && __builtin_cpu_supports("fma");
	return ok;
}

__attribute__((target("avx2,fma")))
static void block(const struct simd_conv *k, int fb, double *acc, const double *bias)
{
	int ow = k->ow, oh = k->oh, kw = k->kw, kh = k->kh, cg = k->cg;
	int wp = k->wp;
	size_t plane = (size_t)k->hp * wp;
	const double *wts = k->w + (size_t)fb * cg * kh * kw * 4;
	for (int oy = 0; oy < oh; oy++) {
		for (int ox = 0; ox < ow; ox += 8) {
			v4d a00 = {bias[0], bias[0], bias[0], bias[0]}, a01 = a00;
			v4d a10 = {bias[1], bias[1], bias[1], bias[1]}, a11 = a10;
			v4d a20 = {bias[2], bias[2], bias[2], bias[2]}, a21 = a20;
			v4d a30 = {bias[3], bias[3], bias[3], bias[3]}, a31 = a30;
			const double *w = wts;
			for (int c = 0; c < cg; c++) {
				const double *xc = k->x + (size_t)c * plane + (size_t)oy * k->sh * wp + ox;
				for (int ky = 0; ky < kh; ky++) {
					const double *row = xc + (size_t)ky * wp;
					for (int kx = 0; kx < kw; kx++, w += 4) {
						v4d x0 = *(const v4d *)(row + kx);
						v4d x1 = *(const v4d *)(row + kx + 4);
						v4d w0 = {w[0], w[0], w[0], w[0]};
						v4d w1 = {w[1], w[1], w[1], w[1]};
						v4d w2 = {w[2], w[2], w[2], w[2]};
						v4d w3 = {w[3], w[3], w[3], w[3]};
						a00 += w0 * x0;
						a01 += w0 * x1;
						a10 += w1 * x0;
						a11 += w1 * x1;
						a20 += w2 * x0;
						a21 += w2 * x1;
						a30 += w3 * x0;
						a31 += w3 * x1;
					}
				}
			}
			double t[4][8];
			memcpy(&t[0][0], &a00, 32);
			memcpy(&t[0][4], &a01, 32);
			memcpy(&t[1][0], &a10, 32);
			memcpy(&t[1][4], &a11, 32);
			memcpy(&t[2][0], &a20, 32);
			memcpy(&t[2][4], &a21, 32);
			memcpy(&t[3][0], &a30, 32);
			memcpy(&t[3][4], &a31, 32);
			int n = ow - ox < 8 ? ow - ox : 8;
			for (int j = 0; j < 4; j++)
				memcpy(acc + (size_t)j * oh * ow + (size_t)oy * ow + ox, t[j],
				       (size_t)n * sizeof(double));
		}
	}
}

void simd_conv_block(const struct simd_conv *k, int fb, double *acc, const double *bias)
{
	block(k, fb, acc, bias);
}

/* ---- int16 convolution ---------------------------------------------------- */

#define MADD(a, x, b) a = _mm256_add_epi32(a, _mm256_madd_epi16(x, b))
#define WIDEN(d, a)                                                                     \
	do {                                                                            \
		__m256i lo = _mm256_cvtepi32_epi64(_mm256_castsi256_si128(a));          \
		__m256i hi = _mm256_cvtepi32_epi64(_mm256_extracti128_si256(a, 1));     \
		_mm256_storeu_si256((__m256i *)(d), _mm256_add_epi64(_mm256_loadu_si256((__m256i *)(d)), lo)); \
		_mm256_storeu_si256((__m256i *)(d) + 1,                                 \
		                    _mm256_add_epi64(_mm256_loadu_si256((__m256i *)(d) + 1), hi)); \
	} while (0)

/* The loops over j are written for GCC to keep a[][] in registers. */
__attribute__((target("avx2")))
static void tile_avx2(const struct simd_i16 *k, const int32_t *x, const int32_t *wts,
                      int64_t acc[4][SIMD_I16_TILE])
{
	for (int half = 0; half < SIMD_I16_TILE; half += 16)
		for (int s0 = 0; s0 < k->steps; s0 += k->chunk) {
			int s1 = k->steps - s0 > k->chunk ? s0 + k->chunk : k->steps;
			__m256i a[4][2];
			for (int j = 0; j < 4; j++)
				a[j][0] = a[j][1] = _mm256_setzero_si256();
			for (int s = s0; s < s1; s++) {
				const int32_t *xs = x + half + k->off[s];
				const int32_t *w = wts + (size_t)s * 4;
				__m256i x0 = _mm256_loadu_si256((const __m256i *)xs);
				__m256i x1 = _mm256_loadu_si256((const __m256i *)(xs + 8));
#pragma GCC unroll 4
				for (int j = 0; j < 4; j++) {
					__m256i b = _mm256_set1_epi32(w[j]);
					MADD(a[j][0], x0, b);
					MADD(a[j][1], x1, b);
				}
			}
			for (int j = 0; j < 4; j++) {
				WIDEN(&acc[j][half], a[j][0]);
				WIDEN(&acc[j][half + 8], a[j][1]);
			}
		}
}

__attribute__((target("avx512f,avx512bw")))
static void tile_avx512(const struct simd_i16 *k, const int32_t *x, const int32_t *wts,
                        int64_t acc[4][SIMD_I16_TILE])
{
	for (int s0 = 0; s0 < k->steps; s0 += k->chunk) {
		int s1 = k->steps - s0 > k->chunk ? s0 + k->chunk : k->steps;
		__m512i a[4][2];
		for (int j = 0; j < 4; j++)
			a[j][0] = a[j][1] = _mm512_setzero_si512();
		for (int s = s0; s < s1; s++) {
			const int32_t *xs = x + k->off[s];
			const int32_t *w = wts + (size_t)s * 4;
			__m512i x0 = _mm512_loadu_si512(xs);
			__m512i x1 = _mm512_loadu_si512(xs + 16);
#pragma GCC unroll 4
			for (int j = 0; j < 4; j++) {
				__m512i b = _mm512_set1_epi32(w[j]);
				a[j][0] = _mm512_add_epi32(a[j][0], _mm512_madd_epi16(x0, b));
				a[j][1] = _mm512_add_epi32(a[j][1], _mm512_madd_epi16(x1, b));
			}
		}
		for (int j = 0; j < 4; j++)
			for (int v = 0; v < 2; v++) {
				int64_t *d = &acc[j][16 * v];
				__m512i lo = _mm512_cvtepi32_epi64(_mm512_castsi512_si256(a[j][v]));
				__m512i hi = _mm512_cvtepi32_epi64(_mm512_extracti64x4_epi64(a[j][v], 1));
				_mm512_storeu_si512(d, _mm512_add_epi64(_mm512_loadu_si512(d), lo));
				_mm512_storeu_si512(d + 8, _mm512_add_epi64(_mm512_loadu_si512(d + 8), hi));
			}
	}
}

void simd_i16_tile(const struct simd_i16 *k, int fb, size_t pos, int64_t acc[4][SIMD_I16_TILE])
{
	const int32_t *x = k->x + pos, *w = k->w + (size_t)fb * k->steps * 4;
	memset(acc, 0, sizeof(int64_t) * 4 * SIMD_I16_TILE);
	if (k->level >= SIMD_AVX512)
		tile_avx512(k, x, w, acc);
	else if (k->level >= SIMD_AVX2)
		tile_avx2(k, x, w, acc);
	else
		unreachable();
}

/* AVX2 has no arithmetic right shift of int64: x >> s is ~(~x >>> s) for
 * negative x, so a logical shift between two xors with the sign mask. */
__attribute__((target("avx2")))
static void finish_i16(int64_t acc[4][SIMD_I16_TILE], const int64_t add[4], int s, int64_t lo,
                       int64_t hi, int32_t y[4][SIMD_I16_TILE])
{
	__m256i vlo = _mm256_set1_epi64x(lo), vhi = _mm256_set1_epi64x(hi), zero = _mm256_setzero_si256();
	__m128i sh = _mm_cvtsi32_si128(s);
	__m256i low = _mm256_setr_epi32(0, 2, 4, 6, 1, 3, 5, 7);
	for (int j = 0; j < 4; j++) {
		__m256i va = _mm256_set1_epi64x(add[j]);
		for (int i = 0; i < SIMD_I16_TILE; i += 8) {
			__m256i v[2];
			for (int h = 0; h < 2; h++) {
				__m256i x = _mm256_add_epi64(_mm256_loadu_si256((const __m256i *)&acc[j][i + 4 * h]), va);
				__m256i neg = _mm256_cmpgt_epi64(zero, x);
				x = _mm256_xor_si256(_mm256_srl_epi64(_mm256_xor_si256(x, neg), sh), neg);
				x = _mm256_blendv_epi8(x, vlo, _mm256_cmpgt_epi64(vlo, x));
				x = _mm256_blendv_epi8(x, vhi, _mm256_cmpgt_epi64(x, vhi));
				v[h] = _mm256_permutevar8x32_epi32(x, low);   /* low halves first */
			}
			__m256i r = _mm256_permute2x128_si256(v[0], v[1], 0x20);
			_mm256_storeu_si256((__m256i *)&y[j][i], r);
		}
	}
}

void simd_i16_finish(int64_t acc[4][SIMD_I16_TILE], const int64_t add[4], int s, int64_t lo,
                     int64_t hi, int32_t y[4][SIMD_I16_TILE])
{
	finish_i16(acc, add, s, lo, hi, y);
}

/* vpmuldq multiplies the low int32 of each int64 lane: the even elements,
 * then the odd ones shifted down; every product is exact in int64. */
__attribute__((target("avx2")))
static uint64_t dot_i32(const int32_t *w, const int32_t *x, int64_t n)
{
	__m256i s0 = _mm256_setzero_si256(), s1 = s0, s2 = s0, s3 = s0;
	int64_t i = 0;
	for (; i + 16 <= n; i += 16) {
		__m256i w0 = _mm256_loadu_si256((const __m256i *)(w + i));
		__m256i x0 = _mm256_loadu_si256((const __m256i *)(x + i));
		__m256i w1 = _mm256_loadu_si256((const __m256i *)(w + i + 8));
		__m256i x1 = _mm256_loadu_si256((const __m256i *)(x + i + 8));
		s0 = _mm256_add_epi64(s0, _mm256_mul_epi32(w0, x0));
		s1 = _mm256_add_epi64(s1, _mm256_mul_epi32(_mm256_srli_epi64(w0, 32), _mm256_srli_epi64(x0, 32)));
		s2 = _mm256_add_epi64(s2, _mm256_mul_epi32(w1, x1));
		s3 = _mm256_add_epi64(s3, _mm256_mul_epi32(_mm256_srli_epi64(w1, 32), _mm256_srli_epi64(x1, 32)));
	}
	__m256i s = _mm256_add_epi64(_mm256_add_epi64(s0, s1), _mm256_add_epi64(s2, s3));
	uint64_t t[4];
	_mm256_storeu_si256((__m256i *)t, s);
	uint64_t sum = t[0] + t[1] + t[2] + t[3];
	for (; i < n; i++)
		sum += (uint64_t)((int64_t)w[i] * x[i]);
	return sum;
}

uint64_t simd_dot_i32(const int32_t *w, const int32_t *x, int64_t n)
{
	return dot_i32(w, x, n);
}

#else

int simd_level(void) { return SIMD_NONE; }
bool simd_available(void) { return false; }

void simd_i16_tile(const struct simd_i16 *k, int fb, size_t pos, int64_t acc[4][SIMD_I16_TILE])
{
	(void)k;
	(void)fb;
	(void)pos;
	(void)acc;
	unreachable();
}

void simd_i16_finish(int64_t acc[4][SIMD_I16_TILE], const int64_t add[4], int s, int64_t lo,
                     int64_t hi, int32_t y[4][SIMD_I16_TILE])
{
	(void)acc;
	(void)add;
	(void)s;
	(void)lo;
	(void)hi;
	(void)y;
	unreachable();
}

uint64_t simd_dot_i32(const int32_t *w, const int32_t *x, int64_t n)
{
	(void)w;
	(void)x;
	(void)n;
	unreachable();
}

void simd_conv_block(const struct simd_conv *k, int fb, double *acc, const double *bias)
{
	(void)k;
	(void)fb;
	(void)acc;
	(void)bias;
	unreachable();
}

#endif
