/* tensor.c: network inputs and outputs as .npy files. An input is [C,H,W] or
 * [N,C,H,W]: float arrays are quantized with the input format, integer
 * arrays are raw. Outputs keep the batch dimension only when the input had
 * it; an fc layer's output is [units] per image. */
#include "fixed.h"
#include "npy.h"

#include <math.h>
#include <stdlib.h>

int load_input(const struct network *net, const char *path, struct tensor *t, bool *batched,
               struct ftensor *f)
{
	struct npy a;
	char err[256];
	if (npy_read(path, &a, err, sizeof err)) {
		error_file(path, "%s", err);
		return -1;
	}
	struct shape s = net->in_shape;
	int rc = -1;
	int64_t n = a.ndim == 4 ? a.shape[0] : 1;
	const int64_t *d = a.ndim == 4 ? a.shape + 1 : a.shape;
	if ((a.ndim != 3 && a.ndim != 4) || d[0] != s.c || d[1] != s.h || d[2] != s.w) {
		error_file(path, "input shape %s does not match the network input: expected (%d, %d, %d) or (N, %d, %d, %d)",
		           dims_str(a.shape, a.ndim), s.c, s.h, s.w, s.c, s.h, s.w);
		goto out;
	}
	if (n < 1 || n > 1000000) {
		error_file(path, "a batch of %lld images", (long long)n);
		goto out;
	}
	*batched = a.ndim == 4;
	t->n = (int)n;
	t->s = s;
	t->d = big_alloc((size_t)a.count * sizeof *t->d);
	if (f) {
		f->n = (int)n;
		f->s = s;
		f->d = big_alloc((size_t)a.count * sizeof *f->d);
	}
	if (npy_to_fixed(path, &a, net->in_fmt, "inputs", t->d, NULL, f ? f->d : NULL))
		goto fail;
	rc = 0;
	goto out;
fail:
	free(t->d);
	t->d = NULL;
	if (f) {
		free(f->d);
		f->d = NULL;
	}
out:
	npy_free(&a);
	return rc;
}

int npy_to_fixed(const char *path, const struct npy *a, struct fixed_fmt fmt, const char *what,
                 int32_t *q32, int64_t *q64, double *f)
{
	bool is_float = a->dtype == NPY_F32 || a->dtype == NPY_F64;
	int64_t nsat = 0;
	for (int64_t i = 0; i < a->count; i++) {
		int64_t q;
		double x;
		if (is_float) {
			x = npy_get_f64(a, i);
			if (!isfinite(x)) {
				error_file(path, "%s at index %lld: %s must be finite", isnan(x) ? "NaN" : "infinity",
				           (long long)i, what);
				return -1;
			}
			bool sat = false;
			q = fx_quantize(x, fmt, &sat);
			nsat += sat;
		} else {
			q = npy_get_i64(a, i);
			if (q < fx_min(fmt.w) || q > fx_max(fmt.w)) {
				error_file(path, "value %lld at index %lld does not fit fixed<%d,%d> (%lld..%lld)",
				           (long long)q, (long long)i, fmt.w, fmt.f, (long long)fx_min(fmt.w),
				           (long long)fx_max(fmt.w));
				return -1;
			}
			x = fx_value(q, fmt.f);
		}
		if (q32)
			q32[i] = (int32_t)q;
		else
			q64[i] = q;
		if (f)
			f[i] = x;
	}
	if (nsat)
		warn_file(path, "%lld of %lld %s saturated to fixed<%d,%d>", (long long)nsat,
		          (long long)a->count, what, fmt.w, fmt.f);
	return 0;
}

/* Uniform over the input format's whole range, the distribution the
 * pseudo-random weights are scaled for. */
void random_input(const struct network *net, int n, uint64_t seed, struct tensor *t)
{
	t->n = n;
	t->s = net->in_shape;
	size_t count = (size_t)n * (size_t)shape_elems(t->s);
	t->d = big_alloc(count * sizeof *t->d);
	uint64_t s = seed ^ 0x5eed5eed5eedull;
	uint64_t span = (uint64_t)1 << net->in_fmt.w;
	for (size_t i = 0; i < count; i++)
		t->d[i] = (int32_t)((int64_t)(rng_next(&s) % span) + fx_min(net->in_fmt.w));
}

static int out_shape(const struct layer *l, int n, bool batched, int64_t *shape)
{
	int nd = 0;
	if (batched)
		shape[nd++] = n;
	if (l->kind == L_FC) {
		shape[nd++] = l->oshape.c;
		return nd;
	}
	shape[nd++] = l->oshape.c;
	shape[nd++] = l->oshape.h;
	shape[nd++] = l->oshape.w;
	return nd;
}

int save_tensor(const char *path, const struct layer *l, const struct tensor *t, bool batched,
                bool raw)
{
	int64_t shape[4];
	int nd = out_shape(l, t->n, batched, shape);
	size_t count = (size_t)t->n * (size_t)shape_elems(t->s);
	char err[256];
	int rc;
	if (raw) {
		rc = npy_write(path, NPY_I32, nd, shape, t->d, err, sizeof err);
	} else {
		float *v = big_alloc(count * sizeof *v);
		for (size_t i = 0; i < count; i++)
			v[i] = (float)fx_value(t->d[i], l->out.f);
		rc = npy_write(path, NPY_F32, nd, shape, v, err, sizeof err);
		free(v);
	}
	if (rc)
		error_file(path, "%s", err);
	return rc;
}

int save_ftensor(const char *path, const struct layer *l, const struct ftensor *t, bool batched)
{
	int64_t shape[4];
	int nd = out_shape(l, t->n, batched, shape);
	size_t count = (size_t)t->n * (size_t)shape_elems(t->s);
	float *v = big_alloc(count * sizeof *v);
	for (size_t i = 0; i < count; i++)
		v[i] = (float)t->d[i];
	char err[256];
	int rc = npy_write(path, NPY_F32, nd, shape, v, err, sizeof err);
	free(v);
	if (rc)
		error_file(path, "%s", err);
	return rc;
}
