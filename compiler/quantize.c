/* quantize.c: `nnc quantize`, the dynamic fixed point of Qiu et al. (FPGA
 * 2016). The widths stay as the user wrote them; the fraction bits are
 * chosen from data:
 *   - the input's, by least quantization error on the calibration inputs;
 *   - each layer's weights (and an explicit bias), by least quantization
 *     error of the float weights;
 *   - each layer's output, layer by layer and greedily: with every earlier
 *     layer already fixed, the fraction bits whose fixed-point output (on
 *     the calibration data, through the fixed-point network so far) is
 *     closest to the float network's output of that layer. */
#include "fixed.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { SPAN = 3 };              /* candidates around the no-saturation choice */

/* The largest F at which max|x| still fits W bits (the start of the search). */
static int fit_frac(double maxabs, int w)
{
	if (maxabs <= 0)
		return w - 1;
	int f = w - 1 - (int)ceil(log2(maxabs));
	return f < -60 ? -60 : f > 60 ? 60 : f;
}

static double quant_error(const double *x, int64_t n, struct fixed_fmt fm)
{
	double e = 0;
	for (int64_t i = 0; i < n; i++) {
		double d = fx_value(fx_quantize(x[i], fm, NULL), fm.f) - x[i];
		e += d * d;
	}
	return e;
}

/* Least-error fraction bits for values x at width w, at most fmax. */
static int best_frac(const double *x, int64_t n, int w, int fmax)
{
	double m = 0;
	for (int64_t i = 0; i < n; i++)
		m = fabs(x[i]) > m ? fabs(x[i]) : m;
	int f0 = fit_frac(m, w), best = f0 > fmax ? fmax : f0;
	double be = INFINITY;
	for (int f = f0 - SPAN; f <= f0 + SPAN; f++) {
		if (f > fmax || f < -64 || f > 64)
			continue;
		double e = quant_error(x, n, (struct fixed_fmt){w, f});
		if (e < be) {
			be = e;
			best = f;
		}
	}
	return best;
}

static void requant_weights(struct layer *l)
{
	for (int64_t k = 0; k < l->nw; k++)
		l->w[k] = (int32_t)fx_quantize(l->wf[k], l->wt, NULL);
	for (int64_t k = 0; k < l->nb; k++)
		l->b[k] = fx_quantize(l->bf[k], l->bias, NULL);
}

struct fsave {
	struct ftensor *t;
};

static void keep_float(void *p, int i, const struct ftensor *t)
{
	struct fsave *s = p;
	size_t n = (size_t)t->n * (size_t)shape_elems(t->s);
	s->t[i] = (struct ftensor){t->n, t->s, big_alloc(n * sizeof(double))};
	memcpy(s->t[i].d, t->d, n * sizeof(double));
}

/* Squared error of a fixed-point tensor (fraction bits f) against floats,
 * and the signal energy. */
static void error_vs(const struct tensor *q, int f, const struct ftensor *x, double *err,
                     double *sig)
{
	size_t n = (size_t)q->n * (size_t)shape_elems(q->s);
	*err = *sig = 0;
	for (size_t i = 0; i < n; i++) {
		double d = fx_value(q->d[i], f) - x->d[i];
		*err += d * d;
		*sig += x->d[i] * x->d[i];
	}
}

static double sqnr_db(double err, double sig)
{
	return err > 0 ? 10 * log10(sig / err) : INFINITY;
}

/* Choose the output fraction bits of layer i greedily; fills out. */
static void choose_output(struct network *net, int i, const struct tensor *a,
                          const struct tensor *b, const struct ftensor *ref, struct tensor *out)
{
	struct layer *l = &net->layers[i];
	double m = 0;
	size_t n = (size_t)ref->n * (size_t)shape_elems(ref->s);
	for (size_t k = 0; k < n; k++)
		m = fabs(ref->d[k]) > m ? fabs(ref->d[k]) : m;
	int f0 = fit_frac(m, l->out.w), best = f0;
	double be = INFINITY;
	for (int f = f0 - SPAN; f <= f0 + SPAN; f++) {
		if (f < -64 || f > 64)
			continue;
		l->out.f = f;
		struct tensor t;
		golden_layer(net, i, a, b, &t);
		double e, sig;
		error_vs(&t, f, ref, &e, &sig);
		free(t.d);
		if (e < be) {
			be = e;
			best = f;
		}
	}
	l->out.f = best;
	golden_layer(net, i, a, b, out);
}

/* Fix the formats of layer i from its (already fixed) sources. */
static int settle_layer(struct network *net, int i)
{
	struct layer *l = &net->layers[i];
	const struct layer *s0 = l->src[0] >= 0 ? &net->layers[l->src[0]] : NULL;
	const struct layer *s1 = l->nsrc > 1 && l->src[1] >= 0 ? &net->layers[l->src[1]] : NULL;
	bool default_bias = l->has_bias && l->bias.w == l->in.w + l->wt.w &&
	                    l->bias.f == l->in.f + l->wt.f;
	l->in = s0 ? s0->out : net->in_fmt;
	if (l->kind == L_ADD)
		l->in2 = s1 ? s1->out : net->in_fmt;
	if (l->kind == L_MAXPOOL || l->kind == L_RELU)
		l->out = l->in;
	if (kind_is_mac(l->kind)) {
		l->wt.f = best_frac(l->wf, l->nw, l->wt.w, 64);
		int facc = l->in.f + l->wt.f;
		if (default_bias)
			l->bias = fx_default_bias(l->in, l->wt);
		else if (l->has_bias)
			l->bias.f = best_frac(l->bf, l->nb, l->bias.w, facc);
		requant_weights(l);
		l->acc_bits = mac_acc_bits(l);
		if (l->acc_bits > 64) {
			error_at(l->loc, "calibrated formats of '%s' need a %d-bit accumulator: narrow its widths",
			         l->name, l->acc_bits);
			return -1;
		}
	}
	if (l->kind == L_ADD) {
		l->acc_bits = fx_add_align(l->in, l->in2).acc_bits;
		if (l->acc_bits > 64) {
			error_at(l->loc, "calibrated inputs of add '%s' are too far apart in scale", l->name);
			return -1;
		}
	}
	return 0;
}

int quantize_network(struct network *net, const struct weight_opts *wo, const char *calib)
{
	struct weight_opts w = *wo;
	w.keep_float = true;
	if (load_weights(net, &w))
		return -1;
	struct tensor in = {0};
	struct ftensor fin = {0}, fout = {0};
	bool batched;
	int rc = -1;
	if (load_input(net, calib, &in, &batched, &fin) ||
	    mem_check_images(net, in.n, true, true, calib))
		goto out;

	/* the float network, every layer kept */
	int nl = net->nlayers;
	struct fsave fs = {xcalloc((size_t)nl, sizeof(struct ftensor))};
	float_run(net, &fin, &fout, keep_float, &fs);

	/* the input format, then each layer in order */
	size_t nin = (size_t)fin.n * (size_t)shape_elems(fin.s);
	net->in_fmt.f = best_frac(fin.d, (int64_t)nin, net->in_fmt.w, 64);
	for (size_t k = 0; k < nin; k++)
		in.d[k] = (int32_t)fx_quantize(fin.d[k], net->in_fmt, NULL);
	double e, sig;
	error_vs(&in, net->in_fmt.f, &fin, &e, &sig);
	if (verbosity >= 1)
		printf("%-10s %-8s %-13s %-13s %-14s %-13s %8s\n", "layer", "kind", "in", "weight",
		       "bias", "out", "SQNR dB");
	if (verbosity >= 1)
		printf("%-10s %-8s %-13s %-13s %-14s %-13s %8.1f\n", net->in_name, "input", "-", "-", "-",
		       xprintf("fixed<%d,%d>", net->in_fmt.w, net->in_fmt.f), sqnr_db(e, sig));
	struct tensor *t = xcalloc((size_t)nl, sizeof *t);
	for (int i = 0; i < nl; i++) {
		struct layer *l = &net->layers[i];
		bool avg_out = l->kind == L_AVGPOOL && (l->out.w != l->in.w || l->out.f != l->in.f);
		if (settle_layer(net, i))
			goto out_t;
		const struct tensor *a = l->src[0] >= 0 ? &t[l->src[0]] : &in;
		const struct tensor *b = l->nsrc > 1 ? (l->src[1] >= 0 ? &t[l->src[1]] : &in) : NULL;
		bool choose = kind_is_mac(l->kind) || l->kind == L_ADD || avg_out;
		if (choose)
			choose_output(net, i, a, b, &fs.t[i], &t[i]);
		else {
			if (l->kind == L_AVGPOOL)
				l->out = l->in;
			golden_layer(net, i, a, b, &t[i]);
		}
		error_vs(&t[i], l->out.f, &fs.t[i], &e, &sig);
		bool w = kind_is_mac(l->kind);
		if (verbosity >= 1)
			printf("%-10s %-8s %-13s %-13s %-14s %-13s %8.1f\n", l->name,
			       layer_kind_names[l->kind], xprintf("fixed<%d,%d>", l->in.w, l->in.f),
			       w ? xprintf("fixed<%d,%d>", l->wt.w, l->wt.f) : "-",
			       !w ? "-" : l->has_bias ? xprintf("fixed<%d,%d>", l->bias.w, l->bias.f) : "none",
			       xprintf("fixed<%d,%d>", l->out.w, l->out.f), sqnr_db(e, sig));
	}
	rc = 0;
out_t:
	for (int i = 0; i < nl; i++) {
		free(t[i].d);
		free(fs.t[i].d);
	}
	free(fout.d);
out:
	free(in.d);
	free(fin.d);
	return rc;
}
