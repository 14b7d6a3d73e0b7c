/* golden_simd.h: the golden model's vectorized convolution kernel. */
#ifndef NNC_GOLDEN_SIMD_H
#define NNC_GOLDEN_SIMD_H

#include "nnc.h"

/* One group of one image, prepared for the kernel. */
struct simd_conv {
	const double *x;        /* cg planes of hp x wp: zero-padded input, 8 spare columns */
	const double *w;        /* [filter block][cg][kh][kw][4 filters] */
	int cg, kh, kw, sh;
	int oh, ow, hp, wp;
};

/* AVX2 and FMA present (and NNC_NO_SIMD not set). */
bool simd_available(void);
/* The exact sums of filter block fb (4 output channels) into acc: 4 planes of
 * oh x ow, each starting from bias[j]. Horizontal stride 1 only. */
void simd_conv_block(const struct simd_conv *k, int fb, double *acc, const double *bias);

#endif
