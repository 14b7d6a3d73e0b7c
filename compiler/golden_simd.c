/* golden_simd.c: the golden model's fast convolution kernel, for x86 CPUs
 * with AVX2 and FMA (chosen at run time; golden.c keeps the portable loops).
 *
 * Exactness: the caller uses it only when every product and every partial
 * sum of the layer is an integer below 2^53 (the layer's accumulator width
 * bounds them), so double-precision fused multiply-adds compute the exact
 * integer sums, in any order.
 *
 * Shape of the kernel: 4 output channels x 8 output columns of one output
 * row are kept in 8 vector registers; for each input channel and kernel tap
 * it loads two vectors of input (a padded copy, so no bounds checks) and
 * broadcasts four weights: 8 FMAs per 6 loads. */
#include "golden_simd.h"

#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__)

typedef double v4d __attribute__((vector_size(32), aligned(8), may_alias));

bool simd_available(void)
{
	static int ok = -1;
	if (ok < 0) {
		const char *env = getenv("NNC_NO_SIMD");
		__builtin_cpu_init();
		ok = !(env && *env) && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
	}
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

#else

bool simd_available(void) { return false; }

void simd_conv_block(const struct simd_conv *k, int fb, double *acc, const double *bias)
{
	(void)k;
	(void)fb;
	(void)acc;
	(void)bias;
	unreachable();
}

#endif
