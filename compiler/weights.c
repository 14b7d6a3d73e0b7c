/* weights.c: the weights and biases of every conv and fc layer, from a
 * directory of .npy files (docs/DESIGN.md §6) or pseudo-random from a seed, and
 * written back as the integers actually used (--dump-weights). */
#include "fixed.h"
#include "golden_simd.h"
#include "npy.h"
#include "threads.h"

__extension__ typedef unsigned __int128 u128;

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Expected PyTorch layout of a layer's weight and bias. */
static int weight_shape(const struct layer *l, int64_t shape[4])
{
	shape[0] = l->filters;
	if (l->kind == L_FC) {
		shape[1] = shape_elems(l->ishape);
		return 2;
	}
	shape[1] = l->ishape.c / l->groups;
	shape[2] = l->kh;
	shape[3] = l->kw;
	return 4;
}

/* Load one tensor into q (raw integers of format fmt) and, when asked, f (its
 * real values). Float arrays are quantized, integer arrays taken as raw. */
static int load_tensor(const char *path, const struct layer *l, const char *what, int ndim,
                       const int64_t *shape, struct fixed_fmt fmt, int32_t *q32, int64_t *q64,
                       double **f)
{
	struct npy a;
	char err[256];
	if (npy_read(path, &a, err, sizeof err)) {
		error_file(path, "%s", err);
		return -1;
	}
	int rc = -1;
	bool same = a.ndim == ndim;
	for (int i = 0; same && i < ndim; i++)
		same = a.shape[i] == shape[i];
	if (!same) {
		error_file(path, "shape %s does not match the %s of %s '%s', %s", dims_str(a.shape, a.ndim),
		           what, layer_kind_names[l->kind], l->name, dims_str(shape, ndim));
		goto out;
	}
	if (f)
		*f = big_alloc((size_t)a.count * sizeof **f);
	if (npy_to_fixed(path, &a, fmt, "weights", q32, q64, f ? *f : NULL))
		goto out;
	rc = 0;
out:
	if (rc && f && *f) {
		free(*f);
		*f = NULL;
	}
	npy_free(&a);
	return rc;
}

static int load_dir(struct network *net, const struct weight_opts *o)
{
	struct stat st;
	if (stat(o->dir, &st) != 0) {
		error_file(o->dir, "cannot read the weights directory: %s", strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		error_file(o->dir, "--weights takes a directory of .npy files");
		return -1;
	}
	int rc = 0;
	for (int i = 0; i < net->nlayers; i++) {
		struct layer *l = &net->layers[i];
		if (!kind_is_mac(l->kind))
			continue;
		int64_t shape[4];
		int nd = weight_shape(l, shape);
		char *path = xprintf("%s/%s.weight.npy", o->dir, l->name);
		if (load_tensor(path, l, "weight", nd, shape, l->wt, l->w, NULL, o->keep_float ? &l->wf : NULL))
			rc = -1;
		if (!l->has_bias)
			continue;
		path = xprintf("%s/%s.bias.npy", o->dir, l->name);
		if (access(path, F_OK) != 0) {
			error_file(path, "missing bias of %s '%s' (write bias = none for a layer without one)",
			           layer_kind_names[l->kind], l->name);
			rc = -1;
			continue;
		}
		int64_t bshape[1] = {l->filters};
		if (load_tensor(path, l, "bias", 1, bshape, l->bias, NULL, l->b, o->keep_float ? &l->bf : NULL))
			rc = -1;
	}
	return rc;
}

/* Weights uniform in [-m, m] (or +-wmax when clamped): one draw of the
 * splitmix64 stream per weight, so weight i takes the state seed + (i+1)*gamma
 * and threads generate disjoint ranges. Each thread sums q^2 exactly. */
#define GAMMA 0x9e3779b97f4a7c15ull

struct uniform_job {
	int32_t *w;
	int64_t nw, m, wmax;
	uint64_t seed;
	bool clamped;
	u128 sum2[16];
};

/* The same draws, L lanes at a time in GCC's vector types, for CPUs with
 * AVX-512 or AVX2 (as simd_level() allows): weights [i0, i0 + L*k) for the
 * largest k that fits in [i0, i1), their q^2 added to *sum2. The caller
 * checks that no lane's sum of q^2 can reach 2^64. Returns the end. */
#define UNIFORM_VEC(NAME, L, TARGET)                                                    \
	typedef uint64_t NAME##_v __attribute__((vector_size(8 * (L))));               \
	__attribute__((target(TARGET)))                                                 \
	static int64_t NAME(const struct uniform_job *j, int64_t i0, int64_t i1, u128 *sum2) \
	{                                                                               \
		NAME##_v st, acc = {0};                                                 \
		for (int k = 0; k < (L); k++)                                           \
			st[k] = j->seed + (uint64_t)(i0 + k + 1) * GAMMA;               \
		uint64_t span = (uint64_t)(2 * j->m + 1);                               \
		int64_t i = i0;                                                         \
		for (; i + (L) <= i1; i += (L)) {                                       \
			NAME##_v z = st, q;                                             \
			st += (uint64_t)(L) * GAMMA;                                    \
			z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;                    \
			z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;                    \
			z ^= z >> 31;                                                   \
			if (j->clamped) {   /* odd: wmax, even: -wmax */                \
				NAME##_v neg = (z & 1) - 1;                             \
				q = ((uint64_t)j->wmax ^ neg) - neg;                    \
			} else {            /* the high 64 bits of z * span */          \
				NAME##_v lo = ((z & 0xffffffffull) * span) >> 32;       \
				q = (((z >> 32) * span + lo) >> 32) - (uint64_t)j->m;   \
			}                                                               \
			for (int k = 0; k < (L); k++)                                   \
				j->w[i + k] = (int32_t)q[k];                            \
			acc += q * q;                                                   \
		}                                                                       \
		for (int k = 0; k < (L); k++)                                           \
			*sum2 += acc[k];                                                \
		return i;                                                               \
	}

#if defined(__x86_64__) && defined(__GNUC__)
UNIFORM_VEC(uniform_avx512, 8, "avx512f,avx512dq,avx512vl")
UNIFORM_VEC(uniform_avx2, 4, "avx2")
#endif

static void uniform_part(void *ctx, int k, int n)
{
	struct uniform_job *j = ctx;
	int64_t i0 = j->nw * k / n, i1 = j->nw * (k + 1) / n;
	u128 sum2 = 0;
#if defined(__x86_64__) && defined(__GNUC__)
	u128 lane = (u128)(uint64_t)j->m * (uint64_t)j->m * (uint64_t)((i1 - i0) / 4 + 1);
	if (lane < (u128)1 << 64) {
		if (simd_level() >= SIMD_AVX512 && __builtin_cpu_supports("avx512dq") &&
		    __builtin_cpu_supports("avx512vl"))
			i0 = uniform_avx512(j, i0, i1, &sum2);
		else if (simd_level() >= SIMD_AVX2)
			i0 = uniform_avx2(j, i0, i1, &sum2);
	}
#endif
	uint64_t s = j->seed + (uint64_t)i0 * GAMMA;
	uint64_t span = (uint64_t)(2 * j->m + 1);
	for (int64_t i = i0; i < i1; i++) {
		int64_t q;
		if (j->clamped)
			q = rng_next(&s) & 1 ? j->wmax : -j->wmax;
		else   /* multiply-shift, no division */
			q = (int64_t)(((u128)rng_next(&s) * span) >> 64) - j->m;
		j->w[i] = (int32_t)q;
		sum2 += (uint64_t)(q * q);
	}
	j->sum2[k] = sum2;
}

/* Pseudo-random weights that keep activations in range. The second moment
 * of every activation (in real units) is propagated through the network:
 * given its input, a conv or fc output has E[y^2] = fan_in * E[w^2] * E[x^2]
 * for zero-mean weights, relu halves it (y is symmetric), a max pool raises
 * it. Each layer's weights are scaled so that its output's RMS is a fifth of
 * its range: few saturate, few round to zero. */
static void random_layer(struct layer *l, uint64_t seed, double m2_in, double *m2_out)
{
	/* the output RMS aimed at, in output LSBs: a fifth of the range, but
	 * (for narrow outputs) at least one or two LSBs, so that they vary */
	double half = ldexp(1.0, l->out.w - 1);
	double lsbs = half / 5 > 2 ? half / 5 : half / 2 < 2 ? half / 2 : 2;
	double target = ldexp(lsbs, -l->out.f);
	double ew2 = target * target / (layer_fan_in(l) * (m2_in > 0 ? m2_in : 1e-30));
	double sigma_q = sqrt(ew2) * ldexp(1.0, l->wt.f);   /* weight RMS in LSBs */
	int64_t wmax = fx_max(l->wt.w);
	int64_t m = (int64_t)llround(sqrt(3.0) * sigma_q);
	bool clamped = m > wmax;
	if (clamped)
		m = wmax;
	double p = sigma_q * sigma_q;                        /* sparse +-1 below one LSB */
	uint64_t s = seed;
	double sum2 = 0;
	if (clamped || m >= 1) {
		struct uniform_job j = {.w = l->w, .nw = l->nw, .m = m, .wmax = wmax, .seed = seed,
		                        .clamped = clamped};
		int t = l->nw < 1 << 20 ? 1 : nthreads();
		par_run(t, uniform_part, &j);
		u128 total = 0;
		for (int k = 0; k < t; k++)
			total += j.sum2[k];
		s = seed + (uint64_t)l->nw * GAMMA;
		/* below 2^53 every partial sum is exact in double, so summing in
		 * double one weight at a time gives this same value */
		if (total < (u128)1 << 53)
			sum2 = (double)total;
		else
			for (int64_t i = 0; i < l->nw; i++)
				sum2 += (double)l->w[i] * (double)l->w[i];
	} else {
		for (int64_t i = 0; i < l->nw; i++) {
			int64_t q = rng_unit(&s) < p ? (rng_next(&s) & 1 ? 1 : -1) : 0;
			l->w[i] = (int32_t)q;
			sum2 += (double)q * (double)q;
		}
	}
	/* no filter may be all zero (sparse weights for a tiny gain could be) */
	int64_t per = l->nw / l->filters;
	for (int f = 0; f < l->filters; f++) {
		int32_t *wf = l->w + (size_t)f * per;
		bool any = false;
		for (int64_t i = 0; i < per && !any; i++)
			any = wf[i] != 0;
		if (!any && per) {
			wf[rng_next(&s) % (uint64_t)per] = rng_next(&s) & 1 ? 1 : -1;
			sum2 += 1;
		}
	}
	double ew2_real = sum2 / (double)(l->nw ? l->nw : 1) * ldexp(1.0, -2 * l->wt.f);
	double m2 = layer_fan_in(l) * ew2_real * m2_in;
	for (int64_t i = 0; i < l->nb; i++) {
		double x = (rng_unit(&s) * 2 - 1) * 0.43 * target;
		l->b[i] = fx_quantize(x, l->bias, NULL);
	}
	double range = ldexp(half, -l->out.f);
	if (m2 > range * range)
		m2 = range * range;
	if (l->act != ACT_NONE)
		m2 /= 2;
	*m2_out = m2;
}

static uint64_t layer_seed(const struct weight_opts *o, int i)
{
	return o->seed * 0x100000001b3ull + (uint64_t)i * 0x9e3779b97f4a7c15ull;
}

static void keep_floats(struct layer *l)
{
	l->wf = big_alloc((size_t)l->nw * sizeof *l->wf);
	l->bf = big_alloc((size_t)(l->nb ? l->nb : 1) * sizeof *l->bf);
	for (int64_t k = 0; k < l->nw; k++)
		l->wf[k] = fx_value(l->w[k], l->wt.f);
	for (int64_t k = 0; k < l->nb; k++)
		l->bf[k] = fx_value(l->b[k], l->bias.f);
}

/* E[x^2] of a tensor in real units. */
static double mean_square(const struct tensor *t, int f)
{
	size_t n = (size_t)t->n * (size_t)shape_elems(t->s);
	double s = 0;
	for (size_t i = 0; i < n; i++)
		s += (double)t->d[i] * t->d[i];
	return n ? s / (double)n * ldexp(1.0, -2 * f) : 0;
}

/* Networks small enough are scaled on data: each layer's weights are drawn
 * for the second moment its input really has, measured by running the
 * golden model on a random batch, layer by layer. */
static void random_measured(struct network *net, const struct weight_opts *o)
{
	int nl = net->nlayers;
	struct tensor in, *t = xcalloc((size_t)nl, sizeof *t);
	random_input(net, 2, o->seed, &in);
	for (int i = 0; i < nl; i++) {
		struct layer *l = &net->layers[i];
		const struct tensor *a = l->src[0] >= 0 ? &t[l->src[0]] : &in;
		const struct tensor *b = l->nsrc > 1 ? (l->src[1] >= 0 ? &t[l->src[1]] : &in) : NULL;
		double ignored;
		if (kind_is_mac(l->kind)) {
			random_layer(l, layer_seed(o, i), mean_square(a, l->in.f), &ignored);
			if (o->keep_float)
				keep_floats(l);
		}
		golden_layer(net, i, a, b, &t[i]);
	}
	for (int i = 0; i < nl; i++)
		free(t[i].d);
	free(in.d);
}

static int load_random(struct network *net, const struct weight_opts *o)
{
	int64_t macs = 0;
	for (int i = 0; i < net->nlayers; i++)
		macs += net->layers[i].macs;
	if (macs <= 2000000000) {
		random_measured(net, o);
		return 0;
	}
	double *m2 = xcalloc((size_t)net->nlayers, sizeof *m2);
	double in_range = ldexp(1.0, net->in_fmt.w - 1 - net->in_fmt.f);
	double m2_input = in_range * in_range / 3;           /* uniform over the full range */
	for (int i = 0; i < net->nlayers; i++) {
		struct layer *l = &net->layers[i];
		double a = l->src[0] >= 0 ? m2[l->src[0]] : m2_input;
		double range = ldexp(1.0, l->out.w - 1 - l->out.f);
		switch (l->kind) {
		case L_CONV:
		case L_FC:
			random_layer(l, layer_seed(o, i), a, &m2[i]);
			break;
		case L_MAXPOOL:
			m2[i] = l->kh * l->kw > 1 ? 2 * a : a;
			break;
		case L_AVGPOOL:
			m2[i] = l->kh * l->kw > 1 ? a / 2 : a;
			break;
		case L_RELU:
			m2[i] = a / 2;
			break;
		case L_ADD:
			m2[i] = a + (l->src[1] >= 0 ? m2[l->src[1]] : m2_input);
			if (l->act != ACT_NONE)
				m2[i] /= 2;
			break;
		case L_NKINDS:
			unreachable();
		}
		if (m2[i] > range * range)
			m2[i] = range * range;
		if (o->keep_float && kind_is_mac(l->kind))
			keep_floats(l);
	}
	return 0;
}

int load_weights(struct network *net, const struct weight_opts *o)
{
	for (int i = 0; i < net->nlayers; i++) {
		struct layer *l = &net->layers[i];
		l->nw = layer_weight_count(l);
		l->nb = layer_bias_count(l);
		if (kind_is_mac(l->kind)) {
			l->w = huge_alloc((size_t)l->nw * sizeof *l->w);
			l->b = big_alloc((size_t)(l->nb ? l->nb : 1) * sizeof *l->b);
		}
	}
	int before = error_count();
	int rc = o->dir ? load_dir(net, o) : load_random(net, o);
	return rc || error_count() > before ? -1 : 0;
}

void free_weights(struct network *net)
{
	for (int i = 0; i < net->nlayers; i++) {
		struct layer *l = &net->layers[i];
		free(l->w);
		free(l->b);
		free(l->wf);
		free(l->bf);
		l->w = NULL;
		l->b = NULL;
		l->wf = l->bf = NULL;
	}
}

int dump_weights(const struct network *net, const char *dir)
{
	if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
		error_file(dir, "cannot create: %s", strerror(errno));
		return -1;
	}
	for (int i = 0; i < net->nlayers; i++) {
		const struct layer *l = &net->layers[i];
		if (!kind_is_mac(l->kind))
			continue;
		int64_t shape[4];
		int nd = weight_shape(l, shape);
		char err[256];
		char *path = xprintf("%s/%s.weight.npy", dir, l->name);
		if (npy_write(path, NPY_I32, nd, shape, l->w, err, sizeof err)) {
			error_file(path, "%s", err);
			return -1;
		}
		if (!l->has_bias)
			continue;
		int64_t bshape[1] = {l->filters};
		path = xprintf("%s/%s.bias.npy", dir, l->name);
		if (npy_write(path, NPY_I64, 1, bshape, l->b, err, sizeof err)) {
			error_file(path, "%s", err);
			return -1;
		}
	}
	return 0;
}
