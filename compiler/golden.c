/* golden.c: the golden model. Every layer computed exactly as DESIGN §3 says;
 * the generated hardware must equal it on every element.
 *
 * Speed: conv and fc sum products in double where that is exact (every
 * product and every partial sum below 2^53, which the layer's accumulator
 * width bounds), in int64 otherwise, and split output channels over threads. */
#include "fixed.h"
#include "golden_simd.h"
#include "threads.h"

#include <stdlib.h>
#include <string.h>

static void tensor_alloc(struct tensor *t, int n, struct shape s)
{
	t->n = n;
	t->s = s;
	t->d = huge_alloc((size_t)n * (size_t)shape_elems(s) * sizeof *t->d);
}

/* ---- conv and fc ---------------------------------------------------------- */

/* Thread k of n computes output channels [filters*k/n, filters*(k+1)/n). */
struct mac_job {
	const struct layer *l;
	const struct tensor *in;
	struct tensor *out;
};

/* One output plane of a conv: acc[oy][ox] over the group's input channels.
 * The inner loop runs along ox with the kernel tap fixed, so that for
 * stride 1 it is a contiguous multiply-add the compiler vectorizes. */
#define CONV_PLANE(NAME, T)                                                          \
	static void NAME(const struct layer *l, const int32_t *img, int f, T *acc,    \
	                 T bias)                                                      \
	{                                                                             \
		int H = l->ishape.h, W = l->ishape.w, oh = l->oshape.h, ow = l->oshape.w; \
		int cg = l->ishape.c / l->groups, g = f / (l->filters / l->groups);    \
		for (int i = 0; i < oh * ow; i++)                                      \
			acc[i] = bias;                                                 \
		for (int c = 0; c < cg; c++) {                                         \
			const int32_t *plane = img + (size_t)(g * cg + c) * H * W;     \
			const int32_t *wk = l->w + ((size_t)f * cg + c) * l->kh * l->kw; \
			for (int ky = 0; ky < l->kh; ky++) {                           \
				int oy0 = 0, oy1 = oh;                                 \
				while (oy0 < oh && oy0 * l->sh - l->ph + ky < 0)       \
					oy0++;                                         \
				while (oy1 > oy0 && (oy1 - 1) * l->sh - l->ph + ky >= H) \
					oy1--;                                         \
				for (int kx = 0; kx < l->kw; kx++) {                   \
					T wv = (T)wk[ky * l->kw + kx];                 \
					if (wv == 0)                                   \
						continue;                              \
					int ox0 = 0, ox1 = ow;                         \
					while (ox0 < ow && ox0 * l->sw - l->pw + kx < 0) \
						ox0++;                                 \
					while (ox1 > ox0 && (ox1 - 1) * l->sw - l->pw + kx >= W) \
						ox1--;                                 \
					for (int oy = oy0; oy < oy1; oy++) {           \
						const int32_t *row = plane +           \
							(size_t)(oy * l->sh - l->ph + ky) * W - l->pw + kx; \
						T *a = acc + (size_t)oy * ow;          \
						if (l->sw == 1)                        \
							for (int ox = ox0; ox < ox1; ox++) \
								a[ox] += wv * (T)row[ox]; \
						else                                   \
							for (int ox = ox0; ox < ox1; ox++) \
								a[ox] += wv * (T)row[ox * l->sw]; \
					}                                              \
				}                                                      \
			}                                                              \
		}                                                                      \
	}
CONV_PLANE(conv_plane_d, double)
CONV_PLANE(conv_plane_i, int64_t)

static int64_t bias_term(const struct layer *l, int f)
{
	if (!l->has_bias)
		return 0;
	return l->b[f] * ((int64_t)1 << (l->in.f + l->wt.f - l->bias.f));
}

static int32_t finish(const struct layer *l, i128 acc)
{
	int s = l->in.f + l->wt.f - l->out.f;
	return (int32_t)fx_act(fx_requant(acc, s, l->round, l->out.w), l->act, l->out);
}

static bool exact_in_double(const struct layer *l)
{
	return l->acc_bits <= 53 && l->in.w + l->wt.w <= 54;
}

static void conv_worker(void *ctx, int k, int nt)
{
	const struct mac_job *j = ctx;
	const struct layer *l = j->l;
	int f0 = (int)((int64_t)l->filters * k / nt), f1 = (int)((int64_t)l->filters * (k + 1) / nt);
	size_t np = (size_t)l->oshape.h * l->oshape.w;
	bool dbl = exact_in_double(l);
	void *acc = big_alloc(np * 8);
	for (int n = 0; n < j->in->n; n++) {
		const int32_t *img = j->in->d + (size_t)n * shape_elems(l->ishape);
		int32_t *out = j->out->d + (size_t)n * shape_elems(l->oshape);
		for (int f = f0; f < f1; f++) {
			int32_t *o = out + (size_t)f * np;
			if (dbl) {
				conv_plane_d(l, img, f, acc, (double)bias_term(l, f));
				for (size_t i = 0; i < np; i++)
					o[i] = finish(l, (i128)(int64_t)((double *)acc)[i]);
			} else {
				conv_plane_i(l, img, f, acc, bias_term(l, f));
				for (size_t i = 0; i < np; i++)
					o[i] = finish(l, ((int64_t *)acc)[i]);
			}
		}
	}
	free(acc);
}

static void fc_worker(void *ctx, int k, int nt)
{
	const struct mac_job *j = ctx;
	const struct layer *l = j->l;
	int u0 = (int)((int64_t)l->filters * k / nt), u1 = (int)((int64_t)l->filters * (k + 1) / nt);
	int64_t ni = shape_elems(l->ishape);
	bool dbl = exact_in_double(l);
	double *xd = dbl ? big_alloc((size_t)ni * sizeof *xd) : NULL;
	for (int n = 0; n < j->in->n; n++) {
		const int32_t *x = j->in->d + (size_t)n * ni;
		int32_t *out = j->out->d + (size_t)n * l->filters;
		if (xd)
			for (int64_t i = 0; i < ni; i++)
				xd[i] = x[i];
		for (int u = u0; u < u1; u++) {
			const int32_t *w = l->w + (size_t)u * ni;
			if (dbl) {
				/* four partial sums: each is exact, so is their total */
				double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
				int64_t i = 0;
				for (; i + 4 <= ni; i += 4) {
					s0 += (double)w[i] * xd[i];
					s1 += (double)w[i + 1] * xd[i + 1];
					s2 += (double)w[i + 2] * xd[i + 2];
					s3 += (double)w[i + 3] * xd[i + 3];
				}
				for (; i < ni; i++)
					s0 += (double)w[i] * xd[i];
				out[u] = finish(l, (i128)((int64_t)(s0 + s1 + s2 + s3) + bias_term(l, u)));
			} else {
				i128 s = bias_term(l, u);
				for (int64_t i = 0; i < ni; i++)
					s += (int64_t)w[i] * x[i];
				out[u] = finish(l, s);
			}
		}
	}
	free(xd);
}

/* ---- the vectorized conv path (golden_simd.c) ---------------------------- */

/* Thread k of n computes the group's filter blocks [nb*k/n, nb*(k+1)/n). */
struct simd_job {
	const struct layer *l;
	struct simd_conv k;
	int32_t *out;                       /* this image's output */
	int g, nb;                          /* group, filter blocks */
	const double *bias;                 /* the group's biases, padded to blocks */
};

static void simd_worker(void *ctx, int k, int nt)
{
	const struct simd_job *j = ctx;
	const struct layer *l = j->l;
	size_t np = (size_t)l->oshape.h * l->oshape.w;
	int fg = l->filters / l->groups;
	double *acc = big_alloc(4 * np * sizeof *acc);
	for (int fb = j->nb * k / nt; fb < j->nb * (k + 1) / nt; fb++) {
		simd_conv_block(&j->k, fb, acc, j->bias + 4 * fb);
		for (int q = 0; q < 4 && fb * 4 + q < fg; q++) {
			int32_t *o = j->out + (size_t)(j->g * fg + fb * 4 + q) * np;
			for (size_t i = 0; i < np; i++)
				o[i] = finish(l, (i128)(int64_t)acc[q * np + i]);
		}
	}
	free(acc);
}

static bool simd_fits(const struct layer *l)
{
	return l->kind == L_CONV && l->sw == 1 && exact_in_double(l) && simd_available();
}

static void conv_simd(const struct layer *l, const struct tensor *in, struct tensor *out)
{
	int C = l->ishape.c, H = l->ishape.h, W = l->ishape.w, G = l->groups;
	int cg = C / G, fg = l->filters / G, nb = (fg + 3) / 4, kk = l->kh * l->kw;
	int hp = H + 2 * l->ph, wp = W + 2 * l->pw + 8;
	size_t plane = (size_t)hp * wp;
	/* weights as [group][block][cg][kh][kw][4], zero past the last filter */
	double *wd = big_alloc((size_t)G * nb * cg * kk * 4 * sizeof *wd);
	double *bias = big_alloc((size_t)G * nb * 4 * sizeof *bias);
	memset(wd, 0, (size_t)G * nb * cg * kk * 4 * sizeof *wd);
	memset(bias, 0, (size_t)G * nb * 4 * sizeof *bias);
	for (int g = 0; g < G; g++)
		for (int f = 0; f < fg; f++) {
			int gf = g * fg + f;
			bias[(size_t)g * nb * 4 + f] = (double)bias_term(l, gf);
			for (int c = 0; c < cg; c++)
				for (int k = 0; k < kk; k++)
					wd[((((size_t)g * nb + f / 4) * cg + c) * kk + k) * 4 + f % 4] =
						l->w[((size_t)gf * cg + c) * kk + k];
		}
	double *xp = big_alloc((plane * C + 16) * sizeof *xp);
	memset(xp, 0, (plane * C + 16) * sizeof *xp);
	int t = nthreads() > nb ? nb : nthreads();
	for (int n = 0; n < in->n; n++) {
		const int32_t *img = in->d + (size_t)n * shape_elems(l->ishape);
		for (int c = 0; c < C; c++)
			for (int y = 0; y < H; y++)
				for (int x = 0; x < W; x++)
					xp[c * plane + (size_t)(y + l->ph) * wp + x + l->pw] =
						img[((size_t)c * H + y) * W + x];
		int32_t *o = out->d + (size_t)n * shape_elems(l->oshape);
		for (int g = 0; g < G; g++) {
			struct simd_job j = {
				.l = l, .out = o, .g = g, .nb = nb, .bias = bias + (size_t)g * nb * 4,
				.k = {.x = xp + (size_t)g * cg * plane, .w = wd + (size_t)g * nb * cg * kk * 4,
				      .cg = cg, .kh = l->kh, .kw = l->kw, .sh = l->sh,
				      .oh = l->oshape.h, .ow = l->oshape.w, .hp = hp, .wp = wp}};
			par_run(t, simd_worker, &j);
		}
	}
	free(xp);
	free(wd);
	free(bias);
}

/* Split output channels over the threads; small layers run inline. */
static void run_mac(const struct layer *l, const struct tensor *in, struct tensor *out,
                    void (*worker)(void *ctx, int k, int n))
{
	int t = nthreads();
	if ((double)l->macs * in->n < 2e6 || l->filters < 2)
		t = 1;
	if (t > l->filters)
		t = l->filters;
	struct mac_job j = {l, in, out};
	par_run(t, worker, &j);
}

static void conv_other(const struct layer *l, const struct tensor *in, struct tensor *out)
{
	if (simd_fits(l))
		conv_simd(l, in, out);
	else
		run_mac(l, in, out, conv_worker);
}

/* ---- pools, relu, add ------------------------------------------------------ */

struct pool_job {
	const struct layer *l;
	const struct tensor *in;
	struct tensor *out;
};

/* Each window over its cells inside the input; the padding cells, all
 * -2^(W-1), count once in the maximum and npad times in the sum. */
static void pool_part(void *ctx, int k, int n)
{
	const struct pool_job *j = ctx;
	const struct layer *l = j->l;
	int H = l->ishape.h, W = l->ishape.w, oh = l->oshape.h, ow = l->oshape.w;
	int p = 0;
	int64_t m = 0;
	if (l->kind == L_AVGPOOL)
		fx_avg_consts(l->kh * l->kw, &p, &m);
	int64_t pad = fx_min(l->in.w);
	int planes = j->in->n * l->ishape.c;
	for (int pl = planes * k / n; pl < planes * (k + 1) / n; pl++) {
		const int32_t *x = j->in->d + (size_t)pl * H * W;
		int32_t *y = j->out->d + (size_t)pl * oh * ow;
		for (int oy = 0; oy < oh; oy++) {
			int iy = oy * l->sh - l->ph;
			int ky0 = iy < 0 ? -iy : 0, ky1 = H - iy < l->kh ? H - iy : l->kh;
			for (int ox = 0; ox < ow; ox++) {
				int ix = ox * l->sw - l->pw;
				int kx0 = ix < 0 ? -ix : 0, kx1 = W - ix < l->kw ? W - ix : l->kw;
				int cells = ky1 > ky0 && kx1 > kx0 ? (ky1 - ky0) * (kx1 - kx0) : 0;
				int npad = l->kh * l->kw - cells;
				int64_t best = npad ? pad : INT64_MIN, sum = npad * pad;
				for (int ky = ky0; ky < ky1; ky++)
					for (int kx = kx0; kx < kx1; kx++) {
						int64_t v = x[(size_t)(iy + ky) * W + ix + kx];
						sum += v;
						best = v > best ? v : best;
					}
				if (l->kind == L_MAXPOOL)
					y[oy * ow + ox] = (int32_t)best;
				else
					y[oy * ow + ox] = (int32_t)fx_requant(
						fx_avg(sum, p, m), l->in.f - l->out.f, l->round, l->out.w);
			}
		}
	}
}

static void pool(const struct layer *l, const struct tensor *in, struct tensor *out)
{
	struct pool_job j = {l, in, out};
	double work = (double)in->n * shape_elems(l->oshape) * l->kh * l->kw;
	par_run(work < 1e6 ? 1 : nthreads(), pool_part, &j);
}

static void add(const struct layer *l, const struct tensor *a, const struct tensor *b,
                struct tensor *out)
{
	int fm = l->in.f > l->in2.f ? l->in.f : l->in2.f;
	int sa = fm - l->in.f, sb = fm - l->in2.f;
	size_t n = (size_t)a->n * shape_elems(l->oshape);
	for (size_t i = 0; i < n; i++) {
		i128 acc = (i128)a->d[i] * ((i128)1 << sa) + (i128)b->d[i] * ((i128)1 << sb);
		out->d[i] = (int32_t)fx_act(fx_requant(acc, fm - l->out.f, l->round, l->out.w),
		                            l->act, l->out);
	}
}

void golden_layer(const struct network *net, int i, const struct tensor *a,
                  const struct tensor *b, struct tensor *out)
{
	const struct layer *l = &net->layers[i];
	tensor_alloc(out, a->n, l->oshape);
	switch (l->kind) {
	case L_CONV:
		conv_other(l, a, out);
		break;
	case L_FC:
		run_mac(l, a, out, fc_worker);
		break;
	case L_MAXPOOL:
	case L_AVGPOOL:
		pool(l, a, out);
		break;
	case L_RELU: {
		size_t n = (size_t)a->n * shape_elems(l->oshape);
		for (size_t k = 0; k < n; k++)
			out->d[k] = a->d[k] > 0 ? a->d[k] : 0;
		break;
	}
	case L_ADD:
		add(l, a, b, out);
		break;
	case L_NKINDS:
		unreachable();
	}
}

/* Run the layers in order, freeing each output after its last use. */
void golden_run(const struct network *net, const struct tensor *in, struct tensor *out,
                layer_hook hook, void *hook_ctx)
{
	int nl = net->nlayers;
	struct tensor *t = xcalloc((size_t)nl, sizeof *t);
	int *last = xcalloc((size_t)nl, sizeof *last);
	for (int i = 0; i < nl; i++) {
		last[i] = i == net->output ? nl : i;
		for (int k = 0; k < net->layers[i].nsrc; k++)
			if (net->layers[i].src[k] >= 0)
				last[net->layers[i].src[k]] = i;
	}
	last[net->output] = nl;
	for (int i = 0; i < nl; i++) {
		const struct layer *l = &net->layers[i];
		const struct tensor *a = l->src[0] >= 0 ? &t[l->src[0]] : in;
		const struct tensor *b = l->nsrc > 1 ? (l->src[1] >= 0 ? &t[l->src[1]] : in) : NULL;
		golden_layer(net, i, a, b, &t[i]);
		if (hook)
			hook(hook_ctx, i, &t[i]);
		for (int k = 0; k < l->nsrc; k++) {
			int s = l->src[k];
			if (s >= 0 && last[s] == i) {
				free(t[s].d);
				t[s].d = NULL;
			}
		}
		if (last[i] == i) {
			free(t[i].d);
			t[i].d = NULL;
		}
	}
	*out = t[net->output];
}
