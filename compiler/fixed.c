/* fixed.c: the fixed-point primitives of docs/DESIGN.md §3. */
#include "fixed.h"

#include <math.h>

int64_t fx_quantize(double x, struct fixed_fmt f, bool *sat)
{
	/* x * 2^F is exact (a power-of-two scale); adding 0.5 and flooring is the
	 * round-half-up of docs/DESIGN.md §3. Saturate before converting to integer. */
	double v = floor(ldexp(x, f.f) + 0.5);
	int64_t q;
	if (v < (double)fx_min(f.w))
		q = fx_min(f.w);
	else if (v > (double)fx_max(f.w))
		q = fx_max(f.w);
	else
		return (int64_t)v;
	if (sat)
		*sat = true;
	return q;
}

int64_t fx_requant(i128 acc, int s, enum round_mode r, int w)
{
	if (s > 0) {
		/* The accumulator holds at most 64 bits and s may exceed that: past
		 * 100 bits every result is 0 or -1 and the shift saturates so. */
		if (s > 100)
			s = 100;
		if (r == ROUND_NEAREST)
			acc += (i128)1 << (s - 1);
		return fx_sat(acc >> s, w);
	}
	if (acc == 0)
		return 0;
	/* A left shift past the output width saturates whatever the value. */
	if (-s >= 64)
		return acc > 0 ? fx_max(w) : fx_min(w);
	return fx_sat(acc * ((i128)1 << -s), w);
}

int64_t fx_relu6_cap(struct fixed_fmt out)
{
	return fx_sat((i128)floor(ldexp(6.0, out.f)), out.w);
}

int64_t fx_act(int64_t y, enum act a, struct fixed_fmt out)
{
	switch (a) {
	case ACT_NONE:
		return y;
	case ACT_RELU:
		return y > 0 ? y : 0;
	case ACT_RELU6: {
		int64_t cap = fx_relu6_cap(out);
		y = y > 0 ? y : 0;
		return y < cap ? y : cap;
	}
	case ACT_N:
		break;
	}
	unreachable();
}

struct fx_align fx_add_align(struct fixed_fmt a, struct fixed_fmt b)
{
	struct fx_align r;
	r.f = a.f > b.f ? a.f : b.f;
	r.sa = r.f - a.f;
	r.sb = r.f - b.f;
	int wa = a.w + r.sa, wb = b.w + r.sb;
	r.acc_bits = (wa > wb ? wa : wb) + 1;
	return r;
}

int fx_avg_acc_bits(int n, int w)
{
	int p;
	int64_t m;
	fx_avg_consts(n, &p, &m);
	return w + p + 2;
}

void fx_avg_consts(int n, int *p, int64_t *m)
{
	int k = 0;
	while (((int64_t)1 << k) < n)
		k++;
	*p = 16 + k;
	/* round(2^P / n), half up: floor((2^(P+1) + n) / 2n) */
	*m = (int64_t)((((i128)1 << (*p + 1)) + n) / (2 * (i128)n));
}

int64_t fx_avg(i128 sum, int p, int64_t m)
{
	i128 v = sum * m + ((i128)1 << (p - 1));
	return (int64_t)(v >> p);
}

double fx_value(int64_t q, int f)
{
	return ldexp((double)q, -f);
}
