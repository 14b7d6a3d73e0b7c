/* fixed.h: the fixed-point arithmetic of docs/DESIGN.md §3, shared by the golden
 * model, the weight loader and the tests. Every function is exact. */
#ifndef NNC_FIXED_H
#define NNC_FIXED_H

#include "nnc.h"

__extension__ typedef __int128 i128;

static inline int64_t fx_min(int w) { return -((int64_t)1 << (w - 1)); }
static inline int64_t fx_max(int w) { return ((int64_t)1 << (w - 1)) - 1; }

/* sat_W: clamp to [-2^(W-1), 2^(W-1)-1]. */
static inline int64_t fx_sat(i128 v, int w)
{
	if (v < fx_min(w))
		return fx_min(w);
	if (v > fx_max(w))
		return fx_max(w);
	return (int64_t)v;
}

/* q = sat_W(floor(x * 2^F + 0.5)); *sat is set when it clamped. x is finite. */
int64_t fx_quantize(double x, struct fixed_fmt f, bool *sat);
/* Requantize an exact accumulator by s = Facc - Fo: nearest rounds half up,
 * (acc + 2^(s-1)) >> s; floor is acc >> s; s <= 0 multiplies by 2^-s. Then
 * sat_W. */
int64_t fx_requant(i128 acc, int s, enum round_mode r, int w);
/* The activation after requantization. */
int64_t fx_act(int64_t y, enum act a, struct fixed_fmt out);
/* relu6's cap: sat_Wo(floor(6 * 2^Fo)). */
int64_t fx_relu6_cap(struct fixed_fmt out);
/* The formats a network gets where it says none (docs/DESIGN.md §2): the
 * input and weights fixed<8,7>, layer outputs fixed<8,4>, and a bias in
 * the accumulator's fraction bits, as wide as a product. */
static const struct fixed_fmt FX_DEFAULT_INPUT = {8, 7};
static const struct fixed_fmt FX_DEFAULT_WEIGHT = {8, 7};
static const struct fixed_fmt FX_DEFAULT_OUT = {8, 4};
static inline struct fixed_fmt fx_default_bias(struct fixed_fmt in, struct fixed_fmt wt)
{
	return (struct fixed_fmt){in.w + wt.w, in.f + wt.f};
}

/* add's alignment: both sources scaled to the larger fraction f (a by
 * 2^sa, b by 2^sb), summed exactly in acc_bits = max(Wa + sa, Wb + sb) + 1
 * bits, then requantized by f - Fo. */
struct fx_align {
	int f, sa, sb, acc_bits;
};
struct fx_align fx_add_align(struct fixed_fmt a, struct fixed_fmt b);
/* avgpool of n cells: y = (sum*M + 2^(P-1)) >> P, P = 16 + ceil(log2 n),
 * M = round(2^P / n). */
void fx_avg_consts(int n, int *p, int64_t *m);
/* The bits of avgpool's exact product sum*M plus rounding, for w-bit
 * inputs: w + P + 2. */
int fx_avg_acc_bits(int n, int w);
int64_t fx_avg(i128 sum, int p, int64_t m);
/* The value of q in format f, as a double. */
double fx_value(int64_t q, int f);

#endif
