/* golden.c: the golden model. Every layer computed exactly as docs/DESIGN.md §3 says;
 * the generated hardware must equal it on every element.
 *
 * Speed: a conv whose weights and input fit in int16 runs on the int16
 * kernel (golden_simd.c), whose int32 sums are bounded from the values
 * themselves; other convs and the fc layers sum in double where that is
 * exact (every product and partial sum below 2^53, which the accumulator
 * width bounds), else in int64 (fc: modulo 2^64, exact as the accumulator
 * fits in 64 bits). Every layer is split over threads. */
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
	bool dbl = exact_in_double(l), vec = simd_level() >= SIMD_AVX2;
	double *xd = dbl && !vec ? big_alloc((size_t)ni * sizeof *xd) : NULL;
	for (int n = 0; n < j->in->n; n++) {
		const int32_t *x = j->in->d + (size_t)n * ni;
		int32_t *out = j->out->d + (size_t)n * l->filters;
		if (xd)
			for (int64_t i = 0; i < ni; i++)
				xd[i] = x[i];
		for (int u = u0; u < u1; u++) {
			const int32_t *w = l->w + (size_t)u * ni;
			if (vec) {
				/* modulo 2^64, exact: the accumulator width is at most 64 */
				uint64_t s = simd_dot_i32(w, x, ni) + (uint64_t)bias_term(l, u);
				out[u] = finish(l, (int64_t)s);
			} else if (dbl) {
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

/* ---- the double conv path (golden_simd.c) ---------------------------------- */

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

/* The paths for a conv the int16 path does not take. */
static void conv_other(const struct layer *l, const struct tensor *in, struct tensor *out)
{
	if (simd_fits(l))
		conv_simd(l, in, out);
	else
		run_mac(l, in, out, conv_worker);
}

/* ---- the int16 conv path (golden_simd.c) --------------------------------- */

/* Requantize and activate in int64 when that is exact: 0 <= s <= 62 and the
 * accumulator (bias included) below 2^61, so acc + 2^(s-1) cannot overflow.
 * sat then relu or relu6 is one clamp, to [0, hi] or [0, cap]. */
struct fast_finish {
	bool ok;
	int s;
	int64_t r, lo, hi;
};

static struct fast_finish fast_finish(const struct layer *l)
{
	struct fast_finish q = {.s = l->in.f + l->wt.f - l->out.f};
	q.ok = q.s >= 0 && q.s <= 62 && l->acc_bits <= 62;
	q.r = q.s > 0 && l->round == ROUND_NEAREST ? (int64_t)1 << (q.s - 1) : 0;
	q.lo = fx_min(l->out.w);
	q.hi = fx_max(l->out.w);
	if (l->act != ACT_NONE)
		q.lo = 0;
	if (l->act == ACT_RELU6)
		q.hi = fx_relu6_cap(l->out);
	return q;
}

/* One layer's int16 convolution: weights and offsets prepared once, then
 * each image converted and computed. Every phase is split over threads. */
struct i16_conv {
	const struct layer *l;
	int G, cg, fg, cpg, nb, kk, steps;
	int wp, tiles, row_tiles;           /* row_tiles: 0 when tiles run across rows */
	size_t plane, xn;                   /* pairs per plane; pairs in x16 */
	int16_t *w16;                       /* [group][block][pair][ky][kx][4 filters][2] */
	int32_t *off;                       /* per step: its input offset, in pairs */
	int64_t *bias;                      /* bias terms, per filter */
	int16_t *x16;                       /* one image: [group][pair][hp][wp][2] */
	struct fast_finish fin;
	const int32_t *img;                 /* the image being computed */
	int32_t *out;
	int chunk;
	int64_t part_max[16];               /* per thread: max |w_a| + |w_b|, or max |x| */
	bool part_ok[16];                   /* per thread: every value fits in int16 */
};

/* Tiles of a group run in blocks: the block's input stays in cache while
 * every filter block passes over it. */
#define TILE_BLOCK 8

static void i16_weights(void *ctx, int k, int n)
{
	struct i16_conv *c = ctx;
	const struct layer *l = c->l;
	int nblk = c->G * c->nb, b0 = nblk * k / n, b1 = nblk * (k + 1) / n;
	int64_t mx = 0;
	bool ok = true;
	for (int b = b0; b < b1; b++) {
		int g = b / c->nb, fb = b % c->nb;
		int16_t *d = c->w16 + (size_t)b * c->steps * 4 * 2;
		const int32_t *wf[4];
		for (int q = 0; q < 4; q++)
			wf[q] = fb * 4 + q < c->fg ? l->w + (size_t)(g * c->fg + fb * 4 + q) * c->cg * c->kk
			                           : NULL;
		for (int p = 0; p < c->cpg; p++)
			for (int t = 0; t < c->kk; t++)
				for (int q = 0; q < 4; q++, d += 2) {
					int32_t v0 = 0, v1 = 0;
					if (wf[q]) {
						v0 = wf[q][2 * p * c->kk + t];
						v1 = 2 * p + 1 < c->cg ? wf[q][(2 * p + 1) * c->kk + t] : 0;
					}
					ok &= v0 >= INT16_MIN && v0 <= INT16_MAX && v1 >= INT16_MIN && v1 <= INT16_MAX;
					int64_t sum = (v0 < 0 ? -(int64_t)v0 : v0) + (v1 < 0 ? -(int64_t)v1 : v1);
					mx = sum > mx ? sum : mx;
					d[0] = (int16_t)v0;
					d[1] = (int16_t)v1;
				}
	}
	c->part_max[k] = mx;
	c->part_ok[k] = ok;
}

static void i16_input(void *ctx, int k, int n)
{
	struct i16_conv *c = ctx;
	const struct layer *l = c->l;
	int H = l->ishape.h, W = l->ishape.w, np = c->G * c->cpg;
	int p0 = np * k / n, p1 = np * (k + 1) / n;
	size_t end = k == n - 1 ? c->xn : (size_t)p1 * c->plane;
	memset(c->x16 + 2 * (size_t)p0 * c->plane, 0, (end - (size_t)p0 * c->plane) * 2 * sizeof *c->x16);
	int64_t mx = 0;
	bool ok = true;
	for (int p = p0; p < p1; p++) {
		int g = p / c->cpg, pc = p % c->cpg;
		for (int h = 0; h < 2 && 2 * pc + h < c->cg; h++) {
			const int32_t *src = c->img + (size_t)(g * c->cg + 2 * pc + h) * H * W;
			int16_t *d = c->x16 + 2 * ((size_t)p * c->plane + (size_t)l->ph * c->wp + l->pw) + h;
			for (int y = 0; y < H; y++, src += W, d += 2 * c->wp)
				for (int x = 0; x < W; x++) {
					int32_t v = src[x];
					ok &= v >= INT16_MIN && v <= INT16_MAX;
					int64_t av = v < 0 ? -(int64_t)v : v;
					mx = av > mx ? av : mx;
					d[2 * x] = (int16_t)v;
				}
		}
	}
	c->part_max[k] = mx;
	c->part_ok[k] = ok;
}

/* Requantize a tile into the output: position p of the tile is output
 * (oy, ox), counting along rows of wrap positions of which ow are real. */
static void i16_store(const struct i16_conv *c, int g, int fb, int t, int64_t acc[4][SIMD_I16_TILE])
{
	const struct layer *l = c->l;
	int oh = l->oshape.h, ow = l->oshape.w, nq = c->fg - fb * 4 < 4 ? c->fg - fb * 4 : 4;
	int f0 = g * c->fg + fb * 4;
	int32_t y[4][SIMD_I16_TILE];
	if (c->fin.ok) {
		int64_t add[4] = {0};
		for (int q = 0; q < nq; q++)
			add[q] = c->bias[f0 + q] + c->fin.r;
		simd_i16_finish(acc, add, c->fin.s, c->fin.lo, c->fin.hi, y);
	} else {
		for (int q = 0; q < nq; q++)
			for (int i = 0; i < SIMD_I16_TILE; i++)
				y[q][i] = finish(l, acc[q][i] + c->bias[f0 + q]);
	}
	int oy, ox, wrap;
	if (c->row_tiles) {
		oy = t / c->row_tiles;
		ox = t % c->row_tiles * SIMD_I16_TILE;
		wrap = ox + SIMD_I16_TILE;
	} else {
		size_t p = (size_t)t * SIMD_I16_TILE;
		oy = (int)(p / (size_t)c->wp);
		ox = (int)(p % (size_t)c->wp);
		wrap = c->wp;
	}
	for (int i = 0; i < SIMD_I16_TILE && oy < oh; oy++, ox = 0) {
		int run = wrap - ox < SIMD_I16_TILE - i ? wrap - ox : SIMD_I16_TILE - i;
		int real = ow - ox < run ? ow - ox : run;
		if (real > 0)
			for (int q = 0; q < nq; q++)
				memcpy(c->out + ((size_t)(f0 + q) * oh + oy) * ow + ox, &y[q][i],
				       (size_t)real * sizeof y[q][i]);
		i += run;
	}
}

static void i16_tiles(void *ctx, int k, int n)
{
	struct i16_conv *c = ctx;
	int64_t acc[4][SIMD_I16_TILE];
	int t0 = (int)((int64_t)c->tiles * k / n), t1 = (int)((int64_t)c->tiles * (k + 1) / n);
	for (int g = 0; g < c->G; g++) {
		struct simd_i16 kg = {.x = (const int32_t *)c->x16 + (size_t)g * c->cpg * c->plane,
		                      .w = (const int32_t *)c->w16 + (size_t)g * c->nb * c->steps * 4,
		                      .off = c->off, .steps = c->steps, .chunk = c->chunk,
		                      .level = simd_level()};
		for (int tb = t0; tb < t1; tb += TILE_BLOCK)
			for (int fb = 0; fb < c->nb; fb++)
				for (int t = tb; t < t1 && t < tb + TILE_BLOCK; t++) {
					size_t pos = (size_t)t * SIMD_I16_TILE;
					if (c->row_tiles)
						pos = (size_t)(t / c->row_tiles) * c->l->sh * c->wp +
						      (size_t)(t % c->row_tiles) * SIMD_I16_TILE;
					simd_i16_tile(&kg, fb, pos, acc);
					i16_store(c, g, fb, t, acc);
				}
	}
}

/* Convolution with int16 operands, when the weights fit in int16 (else it
 * returns false and does nothing). A step adds x_a*w_a + x_b*w_b to an int32
 * lane: at most A*Wp, with A = max |x| and Wp = max |w_a| + |w_b|, so chunks
 * of floor((2^31-1) / (A*Wp)) steps cannot overflow before they are added
 * to int64. An image whose values do not fit, or with A*Wp >= 2^31, takes
 * the other paths. */
static bool conv_i16(const struct layer *l, const struct tensor *in, struct tensor *out)
{
	if (l->kind != L_CONV || l->sw != 1 || simd_level() < SIMD_AVX2)
		return false;
	struct i16_conv c = {.l = l, .G = l->groups, .cg = l->ishape.c / l->groups,
	                     .fg = l->filters / l->groups, .kk = l->kh * l->kw,
	                     .wp = l->ishape.w + 2 * l->pw, .fin = fast_finish(l)};
	c.cpg = (c.cg + 1) / 2;
	c.nb = (c.fg + 3) / 4;
	c.steps = c.cpg * c.kk;
	int t = (double)l->macs < 2e6 ? 1 : nthreads();
	c.w16 = big_alloc((size_t)c.G * c.nb * c.steps * 4 * 2 * sizeof *c.w16);
	par_run(t, i16_weights, &c);
	int64_t wp_max = 0;
	bool ok = true;
	for (int k = 0; k < t; k++) {
		wp_max = c.part_max[k] > wp_max ? c.part_max[k] : wp_max;
		ok &= c.part_ok[k];
	}
	if (!ok) {
		free(c.w16);
		return false;
	}
	int oh = l->oshape.h, ow = l->oshape.w;
	c.plane = (size_t)(l->ishape.h + 2 * l->ph) * c.wp;
	c.xn = (size_t)c.G * c.cpg * c.plane + 2 * SIMD_I16_TILE + (size_t)c.wp;
	c.off = big_alloc((size_t)c.steps * sizeof *c.off);
	for (int p = 0; p < c.cpg; p++)
		for (int ky = 0; ky < l->kh; ky++)
			for (int kx = 0; kx < l->kw; kx++)
				c.off[(p * l->kh + ky) * l->kw + kx] = (int32_t)(p * c.plane + (size_t)ky * c.wp + kx);
	c.bias = big_alloc((size_t)l->filters * sizeof *c.bias);
	for (int f = 0; f < l->filters; f++)
		c.bias[f] = bias_term(l, f);
	if (l->sh == 1) {           /* positions oy*wp + ox, the whole image at once */
		c.row_tiles = 0;
		c.tiles = (int)(((size_t)oh * c.wp + SIMD_I16_TILE - 1) / SIMD_I16_TILE);
	} else {                    /* each output row on its own */
		c.row_tiles = (ow + SIMD_I16_TILE - 1) / SIMD_I16_TILE;
		c.tiles = oh * c.row_tiles;
	}
	c.x16 = huge_alloc(c.xn * 2 * sizeof *c.x16);
	for (int n = 0; n < in->n; n++) {
		c.img = in->d + (size_t)n * shape_elems(l->ishape);
		c.out = out->d + (size_t)n * shape_elems(l->oshape);
		par_run(t, i16_input, &c);
		int64_t a = 0;
		ok = true;
		for (int k = 0; k < t; k++) {
			a = c.part_max[k] > a ? c.part_max[k] : a;
			ok &= c.part_ok[k];
		}
		int64_t step_max = a * wp_max;
		int64_t chunk = step_max > 0 ? INT32_MAX / step_max : c.steps;
		if (ok && chunk >= 1) {
			c.chunk = chunk < c.steps ? (int)chunk : c.steps;
			par_run(t, i16_tiles, &c);
		} else {
			struct tensor i1 = {1, in->s, (int32_t *)c.img}, o1 = {1, out->s, c.out};
			conv_other(l, &i1, &o1);
		}
	}
	free(c.x16);
	free(c.off);
	free(c.bias);
	free(c.w16);
	return true;
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
	struct fx_align al = fx_add_align(l->in, l->in2);
	int fm = al.f, sa = al.sa, sb = al.sb;
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
		if (!conv_i16(l, a, out))
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
