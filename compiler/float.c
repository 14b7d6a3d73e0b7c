/* float.c: the network in double precision, with no quantization: float
 * weights as given (or the real values of integer ones), no rounding, no
 * saturation. The reference for calibration and accuracy tables. */
#include "fixed.h"

#include <math.h>
#include <stdlib.h>

static double act(const struct layer *l, double y)
{
	if (l->act == ACT_NONE)
		return y;
	y = y > 0 ? y : 0;
	return l->act == ACT_RELU6 && y > 6 ? 6 : y;
}

/* conv, fc (a 1x1 conv over a 1x1 map of all inputs), max and avg pools */
static void window_layer(const struct layer *l, const double *x, double *y)
{
	bool fc = l->kind == L_FC;
	int C = fc ? (int)shape_elems(l->ishape) : l->ishape.c;
	int H = fc ? 1 : l->ishape.h, W = fc ? 1 : l->ishape.w;
	int oh = l->oshape.h, ow = l->oshape.w;
	bool mac = kind_is_mac(l->kind);
	int F = mac ? l->filters : C;
	int cg = mac ? C / l->groups : 1;
	for (int f = 0; f < F; f++) {
		int c0 = mac ? f / (F / l->groups) * cg : f;
		for (int oy = 0; oy < oh; oy++)
			for (int ox = 0; ox < ow; ox++) {
				double acc = mac && l->has_bias ? l->bf[f] : 0;
				double best = -INFINITY;
				for (int c = 0; c < cg; c++)
					for (int ky = 0; ky < l->kh; ky++)
						for (int kx = 0; kx < l->kw; kx++) {
							int iy = oy * l->sh - l->ph + ky, ix = ox * l->sw - l->pw + kx;
							bool in = iy >= 0 && iy < H && ix >= 0 && ix < W;
							double v = in ? x[((size_t)(c0 + c) * H + iy) * W + ix] : -INFINITY;
							if (mac && in)
								acc += v * l->wf[(((size_t)f * cg + c) * l->kh + ky) * l->kw + kx];
							else if (!mac && in)
								acc += v;
							best = v > best ? v : best;
						}
				double r = l->kind == L_MAXPOOL ? best
				           : l->kind == L_AVGPOOL ? acc / (l->kh * l->kw) : act(l, acc);
				y[((size_t)f * oh + oy) * ow + ox] = r;
			}
	}
}

void float_run(const struct network *net, const struct ftensor *in, struct ftensor *out,
               float_hook hook, void *hook_ctx)
{
	int nl = net->nlayers;
	struct ftensor *t = xcalloc((size_t)nl, sizeof *t);
	for (int i = 0; i < nl; i++) {
		const struct layer *l = &net->layers[i];
		const struct ftensor *a = l->src[0] >= 0 ? &t[l->src[0]] : in;
		const struct ftensor *b = l->nsrc > 1 ? (l->src[1] >= 0 ? &t[l->src[1]] : in) : NULL;
		size_t per_in = (size_t)shape_elems(l->ishape), per_out = (size_t)shape_elems(l->oshape);
		t[i] = (struct ftensor){in->n, l->oshape, big_alloc((size_t)in->n * per_out * sizeof(double))};
		for (int n = 0; n < in->n; n++) {
			const double *x = a->d + n * per_in;
			double *y = t[i].d + n * per_out;
			switch (l->kind) {
			case L_RELU:
				for (size_t k = 0; k < per_out; k++)
					y[k] = x[k] > 0 ? x[k] : 0;
				break;
			case L_ADD:
				for (size_t k = 0; k < per_out; k++)
					y[k] = act(l, x[k] + b->d[n * per_out + k]);
				break;
			case L_CONV:
			case L_FC:
			case L_MAXPOOL:
			case L_AVGPOOL:
				window_layer(l, x, y);
				break;
			case L_NKINDS:
				unreachable();
			}
		}
		if (hook)
			hook(hook_ctx, i, &t[i]);
	}
	*out = t[net->output];
	for (int i = 0; i < nl; i++)
		if (i != net->output)
			free(t[i].d);
}
