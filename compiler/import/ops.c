/* ops.c: one handler per ONNX operator that `nnc import` reads; each
 * turns the current node (im->node) into a layer, folds it into the layer
 * before it, or records a constant. Anything else is refused by name. */
#include "import.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char supported_ops[] =
	"Conv, Gemm, MatMul, Add, Relu, Clip, MaxPool, AveragePool, GlobalAveragePool, "
	"GlobalMaxPool, ReduceMean (over H, W), BatchNormalization, Flatten, Reshape, Squeeze, "
	"Identity, Dropout, Constant, Cast (of constants), Pad (of zeros); Shape, Gather, Unsqueeze and Concat "
	"computing a Reshape's shape";

/* ---- operators --------------------------------------------------------------- */

static bool do_conv(struct imp *im)
{
	bool bad = false;
	struct tinfo *x = in_act(im, 0);
	const onnx_tensor *wt = in_const(im, 1, false, &bad);
	const onnx_tensor *bt = in_const(im, 2, true, &bad);
	if (!x || bad)
		return false;
	if (x->flat)
		return node_error(im, "its input is flattened %s; a Conv needs [N, C, H, W]",
		                  shape_str(act_shape(im, x), true));
	if (wt->n_dims != 4)
		return node_error(im, "weight of shape %s: nnc imports 2-D convolutions only, with "
		                  "weights [F, C/group, KH, KW]", list_str(wt->dims, wt->n_dims));
	struct shape s = act_shape(im, x);
	int64_t group = attr_int(im->node, "group", 1), f = wt->dims[0], cg = wt->dims[1];
	if (group < 1 || group > MAX_DIM || f < 1 || f > MAX_DIM || cg < 1 || cg > MAX_DIM ||
	    f % group || cg * group != s.c)
		return node_error(im, "weight %s with group = %lld does not fit %d input channels",
		                  list_str(wt->dims, 4), (long long)group, s.c);
	struct window w = {.kh = wt->dims[2], .kw = wt->dims[3]};
	int64_t ks[2] = {w.kh, w.kw};
	if (!attr_ints(im, "kernel_shape", ks, 2))
		return false;
	if (ks[0] != w.kh || ks[1] != w.kw)
		return node_error(im, "kernel_shape %s does not match the weight %s", list_str(ks, 2),
		                  list_str(wt->dims, 4));
	if (!read_window(im, s, &w, false))
		return false;
	if (bt && (bt->n_dims != 1 || bt->dims[0] != f))
		return node_error(im, "bias of shape %s, expected [%lld]", list_str(bt->dims, bt->n_dims),
		                  (long long)f);
	int64_t nw, nb;
	double *wd = const_values(im, wt, false, &nw);
	if (!wd)
		return false;
	double *bd = bt ? const_values(im, bt, false, &nb) : NULL;
	if (bt && !bd) {
		free(wd);
		return false;
	}
	if (!only_first_output(im))
		return false;
	struct ilayer *l = new_layer(im, L_CONV, x, window_out(s, &w, (int)f), false);
	set_window(l, &w);
	l->filters = (int)f;
	l->groups = (int)group;
	l->w = to_float(wd, nw);
	l->nw = nw;
	l->b = bd ? to_float(bd, nb) : NULL;
	free(wd);
	free(bd);
	return true;
}

/* Gemm: Y = alpha * A * B' + beta * C; MatMul: Y = A * B (a bias may follow
 * as an Add). B is the constant, stored [units, inputs]. */
static bool do_fc(struct imp *im, bool gemm)
{
	bool bad = false;
	struct tinfo *x = in_act(im, 0);
	const onnx_tensor *bt = in_const(im, 1, false, &bad);
	const onnx_tensor *ct = gemm ? in_const(im, 2, true, &bad) : NULL;
	if (!x || bad)
		return false;
	int64_t k = shape_elems(act_shape(im, x));
	if (!x->flat)
		return node_error(im, "its input %s is not flattened: nnc's fc reads [N, K] (a "
		                  "Flatten must come first)", shape_str(act_shape(im, x), false));
	bool trans_b = gemm && attr_int(im->node, "transB", 0);
	double alpha = gemm ? attr_float(im->node, "alpha", 1) : 1;
	double beta = gemm ? attr_float(im->node, "beta", 1) : 1;
	if (gemm && attr_int(im->node, "transA", 0))
		return node_error(im, "transA = 1 is not supported (the data must be A, not A')");
	if (bt->n_dims != 2 || bt->dims[trans_b ? 1 : 0] != k)
		return node_error(im, "weight of shape %s does not take the %lld inputs of %s%s",
		                  list_str(bt->dims, bt->n_dims), (long long)k,
		                  shape_str(act_shape(im, x), x->flat),
		                  gemm ? (trans_b ? " (transB = 1: [units, inputs])"
		                                  : " (transB = 0: [inputs, units])")
		                       : " (MatMul: [inputs, units])");
	int64_t units = bt->dims[trans_b ? 0 : 1];
	if (units < 1 || units > MAX_DIM)
		return node_error(im, "%lld outputs are out of range", (long long)units);
	if (ct) {
		int64_t n = tensor_count(ct);
		bool ok = n == 1 || n == units;
		for (size_t i = 0; ok && i + 1 < ct->n_dims; i++)
			ok = ct->dims[i] == 1;
		if (!ok || ct->n_dims > 2)
			return node_error(im, "bias C of shape %s, expected [%lld] or [1, %lld]",
			                  list_str(ct->dims, ct->n_dims), (long long)units, (long long)units);
	}
	int64_t nw, nc = 0;
	double *wd = const_values(im, bt, false, &nw);
	if (!wd)
		return false;
	double *cd = ct ? const_values(im, ct, false, &nc) : NULL;
	if (ct && !cd) {
		free(wd);
		return false;
	}
	struct ilayer *l = new_layer(im, L_FC, x, (struct shape){(int)units, 1, 1}, true);
	l->filters = (int)units;
	l->nw = nw;
	l->w = big_alloc((size_t)nw * sizeof *l->w);
	for (int64_t u = 0; u < units; u++)
		for (int64_t i = 0; i < k; i++)
			l->w[u * k + i] = (float)(alpha * wd[trans_b ? u * k + i : i * units + u]);
	if (cd) {
		l->b = big_alloc((size_t)units * sizeof *l->b);
		for (int64_t u = 0; u < units; u++)
			l->b[u] = (float)(beta * cd[nc == 1 ? 0 : u]);
	}
	free(wd);
	free(cd);
	return true;
}

/* Add of a constant to the output of a conv or fc: its bias. The constant
 * broadcasts over [N, C, H, W] (or [N, K]) per channel, or is a scalar. */
static bool add_bias(struct imp *im, struct tinfo *x, const onnx_tensor *c)
{
	int i = foldable(im, x, KMASK(L_CONV) | KMASK(L_FC));
	if (i < 0 || im->l[i].act != ACT_NONE)
		return node_error(im, "adds a constant to '%s', which is not the output of a Conv, "
		                  "Gemm or MatMul read only by this Add: nnc adds constants only as "
		                  "a bias", x->name);
	struct ilayer *l = &im->l[i];
	int rank = x->flat ? 2 : 4, chan = 1;
	int64_t n = tensor_count(c);
	bool ok = (int)c->n_dims <= rank && (n == 1 || (n == l->filters && !(x->flat && l->kind == L_CONV)));
	for (size_t d = 0; ok && d < c->n_dims; d++) {
		int axis = rank - (int)c->n_dims + (int)d;
		ok = c->dims[d] == 1 || (axis == chan && c->dims[d] == l->filters);
	}
	if (!ok)
		return node_error(im, "adds a constant of shape %s to %s: nnc adds a constant only as "
		                  "a bias, one value per channel", list_str(c->dims, c->n_dims),
		                  shape_str(l->out, x->flat));
	int64_t nc;
	double *cd = const_values(im, c, false, &nc);
	if (!cd)
		return false;
	if (!l->b) {
		l->b = big_alloc((size_t)l->filters * sizeof *l->b);
		for (int f = 0; f < l->filters; f++)
			l->b[f] = 0;
	}
	for (int f = 0; f < l->filters; f++)
		l->b[f] = (float)((double)l->b[f] + cd[nc == 1 ? 0 : f]);
	free(cd);
	folded(im, i, x->flat);
	return true;
}

static bool do_add(struct imp *im)
{
	const char *an = input_name(im->node, 0), *bn = input_name(im->node, 1);
	if (!an || !bn || im->node->n_input != 2)
		return node_error(im, "needs two inputs");
	struct tinfo *a = tget(im, an), *b = tget(im, bn);
	if (a->kind == T_CONST && b->kind == T_CONST)
		return node_error(im, "adds two constants (fold constants before importing)");
	if (a->kind == T_CONST || b->kind == T_CONST)
		return a->kind == T_CONST ? add_bias(im, b, a->t) : add_bias(im, a, b->t);
	struct shape sa = act_shape(im, a), sb = act_shape(im, b);
	if (sa.c != sb.c || sa.h != sb.h || sa.w != sb.w || a->flat != b->flat)
		return node_error(im, "adds %s and %s: nnc adds activations of the same shape only "
		                  "(no broadcasting)", shape_str(sa, a->flat), shape_str(sb, b->flat));
	struct ilayer *l = new_layer(im, L_ADD, a, sa, a->flat);
	l->src[1] = b->layer;
	l->nsrc = 2;
	return true;
}

/* Relu and Clip: act becomes the act of the conv, fc or add before, when
 * nothing else reads it; relu is idempotent, so after a layer that already
 * has an act at least as strong it passes through. Otherwise a relu layer
 * (there is no separate relu6 layer). */
static bool activation(struct imp *im, enum act act)
{
	struct tinfo *x = in_act(im, 0);
	if (!x)
		return false;
	struct ilayer *p = x->layer >= 0 ? &im->l[x->layer] : NULL;
	bool mac = p && (KMASK(p->kind) & (KMASK(L_CONV) | KMASK(L_FC) | KMASK(L_ADD)));
	if (p && ((mac && (p->act == act || p->act == ACT_RELU6)) ||
	          (p->kind == L_RELU && act == ACT_RELU))) {
		alias(im, x, x->flat);
		return true;
	}
	if (mac && p->uses == 1) {
		p->act = act;
		folded(im, x->layer, x->flat);
		return true;
	}
	if (act == ACT_RELU6)
		return node_error(im, "Clip(0, 6) is relu6, which nnc has only as the act of a conv, "
		                  "fc or add: it must follow a Conv, Gemm, MatMul or Add whose output "
		                  "only it reads");
	new_layer(im, L_RELU, x, act_shape(im, x), x->flat);
	return true;
}

/* A scalar bound of Clip: an attribute before opset 11, an optional
 * constant input from opset 11 on. */
static bool clip_bound(struct imp *im, const char *name, size_t k, double *v)
{
	if (im->opset < 11) {
		*v = attr_float(im->node, name, *v);
		return true;
	}
	bool bad = false;
	const onnx_tensor *t = in_const(im, k, true, &bad);
	if (bad)
		return false;
	if (!t)
		return true;
	int64_t n;
	double *d = const_values(im, t, false, &n);
	if (!d)
		return false;
	if (n != 1) {
		free(d);
		return node_error(im, "'%s' has %lld values, not one", name, (long long)n);
	}
	*v = d[0];
	free(d);
	return true;
}

static bool do_clip(struct imp *im)
{
	double lo = -INFINITY, hi = INFINITY;
	if (!clip_bound(im, "min", 1, &lo) || !clip_bound(im, "max", 2, &hi))
		return false;
	if (hi >= FLT_MAX)
		hi = INFINITY;
	/* After a relu the lower bound does not matter: exporters write
	 * Relu, Clip(-FLT_MAX, 6) for relu6 in opsets before 11. */
	struct tinfo *x = in_act(im, 0);
	if (!x)
		return false;
	const struct ilayer *p = x->layer >= 0 ? &im->l[x->layer] : NULL;
	if (lo < 0 && p && (p->kind == L_RELU || (p->act != ACT_NONE && p->kind != L_MAXPOOL &&
	                                          p->kind != L_AVGPOOL)))
		lo = 0;
	if (lo == 0 && hi == 6)
		return activation(im, ACT_RELU6);
	if (lo == 0 && hi == INFINITY)
		return activation(im, ACT_RELU);
	return node_error(im, "Clip(%g, %g) is not supported (nnc has relu, Clip(0, inf), and "
	                  "relu6, Clip(0, 6))", lo, hi);
}

/* A pool's input: a map [N, C, H, W], not a flattened [N, K]. NULL after an error. */
static struct tinfo *pool_input(struct imp *im, struct shape *s)
{
	struct tinfo *x = in_act(im, 0);
	if (!x)
		return NULL;
	if (x->flat) {
		node_error(im, "its input is flattened %s; a pool needs [N, C, H, W]",
		           shape_str(act_shape(im, x), true));
		return NULL;
	}
	*s = act_shape(im, x);
	return x;
}

static bool do_pool(struct imp *im, enum layer_kind kind)
{
	struct shape s;
	struct tinfo *x = pool_input(im, &s);
	if (!x)
		return false;
	int64_t ks[2] = {0, 0};
	if (!attr_ints(im, "kernel_shape", ks, 2))
		return false;
	if (!attr(im->node, "kernel_shape"))
		return node_error(im, "has no kernel_shape");
	struct window w = {.kh = ks[0], .kw = ks[1]};
	if (kind == L_AVGPOOL) {
		int64_t pads[4] = {0, 0, 0, 0};
		if (!attr_ints(im, "pads", pads, 4))
			return false;
		const char *ap = attr_str(im->node, "auto_pad", "NOTSET");
		if (pads[0] || pads[1] || pads[2] || pads[3] || !strncmp(ap, "SAME", 4))
			return node_error(im, "padding (pads %s, auto_pad %s) is not supported: nnc's "
			                  "avgpool has none", list_str(pads, 4), ap);
	}
	if (!read_window(im, s, &w, true) || !only_first_output(im))
		return false;
	struct ilayer *l = new_layer(im, kind, x, window_out(s, &w, s.c), false);
	set_window(l, &w);
	return true;
}

static bool do_global_pool(struct imp *im, enum layer_kind kind)
{
	struct shape s;
	struct tinfo *x = pool_input(im, &s);
	if (!x)
		return false;
	struct ilayer *l = new_layer(im, kind, x, (struct shape){s.c, 1, 1}, false);
	l->kh = l->sh = s.h;
	l->kw = l->sw = s.w;
	l->global = kind == L_AVGPOOL;
	return true;
}

/* y = (x - mean) / sqrt(var + eps) * gamma + beta folded into the conv or fc
 * before: w' = w * s, b' = (b - mean) * s + beta with s = gamma / sqrt(var + eps). */
static bool do_batchnorm(struct imp *im)
{
	bool bad = false;
	struct tinfo *x = in_act(im, 0);
	const onnx_tensor *t[4];
	for (size_t k = 0; k < 4; k++)
		t[k] = in_const(im, k + 1, false, &bad);
	if (!x || bad)
		return false;
	if (attr_int(im->node, "training_mode", 0))
		return node_error(im, "training_mode = 1 is not supported (export the model in eval mode)");
	int i = foldable(im, x, KMASK(L_CONV) | KMASK(L_FC));
	if (i < 0 || im->l[i].act != ACT_NONE || (x->flat && im->l[i].kind == L_CONV))
		return node_error(im, "nnc folds a BatchNormalization into the Conv, Gemm or MatMul "
		                  "before it, and '%s' is not the output of one read only by this node",
		                  x->name);
	if (!only_first_output(im))
		return false;
	struct ilayer *l = &im->l[i];
	double *d[4] = {NULL, NULL, NULL, NULL};
	bool ok = true;
	for (int k = 0; k < 4 && ok; k++) {
		int64_t n;
		d[k] = const_values(im, t[k], false, &n);
		if (d[k] && n != l->filters)
			node_error(im, "input '%s' has %lld values for %d channels", t[k]->name,
			           (long long)n, l->filters);
		ok = d[k] && n == l->filters;
	}
	if (ok) {
		double eps = attr_float(im->node, "epsilon", 1e-5);
		int64_t per = l->nw / l->filters;
		if (!l->b) {
			l->b = big_alloc((size_t)l->filters * sizeof *l->b);
			for (int f = 0; f < l->filters; f++)
				l->b[f] = 0;
		}
		for (int f = 0; f < l->filters; f++) {
			if (d[3][f] + eps <= 0) {
				ok = node_error(im, "variance %g + epsilon %g of channel %d is not positive",
				                d[3][f], eps, f);
				break;
			}
			double s = d[0][f] / sqrt(d[3][f] + eps);
			for (int64_t k = 0; k < per; k++)
				l->w[f * per + k] = (float)(l->w[f * per + k] * s);
			l->b[f] = (float)((l->b[f] - d[2][f]) * s + d[1][f]);
		}
	}
	for (int k = 0; k < 4; k++)
		free(d[k]);
	if (ok)
		folded(im, i, x->flat);
	return ok;
}

static bool do_flatten(struct imp *im)
{
	struct tinfo *x = in_act(im, 0);
	if (!x)
		return false;
	int rank = x->flat ? 2 : 4;
	int64_t axis = attr_int(im->node, "axis", 1);
	if (axis < 0)
		axis += rank;
	if (axis != 1)
		return node_error(im, "axis = %lld is not supported: nnc flattens each image, axis = 1",
		                  (long long)attr_int(im->node, "axis", 1));
	alias(im, x, true);
	return true;
}

/* Reshape to [N, K] (flatten each image) or to the same [N, C, H, W]. The
 * batch dimension may be written 0, -1 or 1. */
static bool do_reshape(struct imp *im)
{
	bool bad = false;
	struct tinfo *x = in_act(im, 0);
	const onnx_tensor *st = in_const(im, 1, false, &bad);
	if (!x || bad)
		return false;
	int64_t n;
	double *d = const_values(im, st, true, &n);
	if (!d)
		return false;
	struct shape s = act_shape(im, x);
	int64_t k = shape_elems(s), in4[4] = {-1, s.c, s.h, s.w};
	int64_t v[4] = {0, 0, 0, 0};
	for (int64_t i = 0; i < n && i < 4; i++)
		v[i] = fabs(d[i]) < 1e15 ? (int64_t)d[i] : INT64_MIN;
	free(d);
	bool batch = v[0] == 0 || v[0] == -1 || v[0] == 1;
	bool allowzero = attr_int(im->node, "allowzero", 0) != 0;
	if (n == 2 && batch && !allowzero && (v[1] == k || (v[1] == -1 && v[0] != -1))) {
		alias(im, x, true);
		return true;
	}
	if (n == 4 && batch && !allowzero && !x->flat) {
		bool same = true;
		for (int i = 1; i < 4; i++)
			same &= v[i] == in4[i] || (v[i] == 0 && !allowzero);
		if (same) {
			alias(im, x, false);
			return true;
		}
	}
	return node_error(im, "reshapes %s to %s: nnc supports only a flatten to [N, %lld] "
	                  "before a Gemm or MatMul", shape_str(s, x->flat), list_str(v, (size_t)(n < 4 ? n : 4)),
	                  (long long)k);
}

/* The axes of ReduceMean or Squeeze: an attribute before opset 13 (18 for
 * ReduceMean), an input after; normalized to 0..rank-1 and sorted. Returns
 * the count, or -1 after an error. */
static int read_axes(struct imp *im, int64_t input_from, int rank, int64_t axes[4])
{
	int n = 0;
	if (im->opset < input_from) {
		const onnx_attr *a = attr(im->node, "axes");
		if (a) {
			if (a->n_ints > 4) {
				node_error(im, "has %zu axes", a->n_ints);
				return -1;
			}
			for (size_t i = 0; i < a->n_ints; i++)
				axes[n++] = a->ints[i];
		}
	} else {
		bool bad = false;
		const onnx_tensor *t = in_const(im, 1, true, &bad);
		if (bad)
			return -1;
		if (t) {
			int64_t cnt;
			double *d = const_values(im, t, true, &cnt);
			if (!d)
				return -1;
			for (int64_t i = 0; i < cnt && i < 4; i++)
				axes[n++] = (int64_t)d[i];
			free(d);
			if (cnt > 4) {
				node_error(im, "has %lld axes", (long long)cnt);
				return -1;
			}
		}
	}
	for (int i = 0; i < n; i++) {
		if (axes[i] < -rank || axes[i] >= rank) {
			node_error(im, "axis %lld is out of range", (long long)axes[i]);
			return -1;
		}
		axes[i] = axes[i] < 0 ? axes[i] + rank : axes[i];
	}
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && axes[j - 1] > axes[j]; j--) {
			int64_t tmp = axes[j];
			axes[j] = axes[j - 1];
			axes[j - 1] = tmp;
		}
	return n;
}

/* ReduceMean over H and W: a global avgpool ([N, C] without keepdims). */
static bool do_reduce_mean(struct imp *im)
{
	struct tinfo *x = in_act(im, 0);
	if (!x)
		return false;
	int64_t axes[4];
	int n = x->flat ? -1 : read_axes(im, 18, 4, axes);
	if (x->flat || n < 0 || n != 2 || axes[0] != 2 || axes[1] != 3) {
		if (n < 0 && !x->flat)
			return false;
		return node_error(im, "nnc takes a ReduceMean only over H and W of [N, C, H, W] "
		                  "(axes [2, 3]: a global average pool)");
	}
	struct shape s = act_shape(im, x);
	struct ilayer *l = new_layer(im, L_AVGPOOL, x, (struct shape){s.c, 1, 1},
	                             attr_int(im->node, "keepdims", 1) == 0);
	l->kh = l->sh = s.h;
	l->kw = l->sw = s.w;
	l->global = true;
	return true;
}

/* Squeeze of [N, C, 1, 1] to [N, C]: a flatten. */
static bool do_squeeze(struct imp *im)
{
	struct tinfo *x = in_act(im, 0);
	if (!x)
		return false;
	struct shape s = act_shape(im, x);
	int64_t axes[4];
	int n = x->flat ? -1 : read_axes(im, 13, 4, axes);
	if (n < 0 && !x->flat)
		return false;
	if (x->flat || s.h != 1 || s.w != 1 || !((n == 2 && axes[0] == 2 && axes[1] == 3) ||
	                                         (n == 0 && s.c != 1)))
		return node_error(im, "nnc takes a Squeeze only of [N, C, 1, 1] to [N, C]");
	alias(im, x, true);
	return true;
}

/* ---- shape arithmetic: x.view(x.size(0), -1) --------------------------------
 * PyTorch exports it as Shape, Gather, Unsqueeze, Concat and Reshape. Shape
 * gives the constant [0, C, H, W] (or [0, K]): 0 stands for the batch, which
 * Reshape reads as "copy the input's", so the chain folds into a constant
 * shape [0, -1] and the Reshape into a flatten. */

static onnx_tensor *int_const(const int64_t *v, int64_t n, const int64_t *dims, size_t ndims)
{
	onnx_tensor *t = xcalloc(1, sizeof *t);
	nnc_onnx__tensor_proto__init(t);
	t->has_data_type = true;
	t->data_type = ONNX_INT64;
	t->n_int64_data = (size_t)n;
	t->int64_data = xcalloc((size_t)n + 1, sizeof *t->int64_data);
	memcpy(t->int64_data, v, (size_t)n * sizeof *v);
	t->n_dims = ndims;
	t->dims = xcalloc(ndims + 1, sizeof *t->dims);
	memcpy(t->dims, dims, ndims * sizeof *dims);
	return t;
}

static void set_const(struct imp *im, onnx_tensor *t)
{
	struct tinfo *o = tget(im, im->node->output[0]);
	o->kind = T_CONST;
	o->t = t;
}

static bool do_shape(struct imp *im)
{
	struct tinfo *x = in_act(im, 0);
	if (!x)
		return false;
	if (x->layer >= 0)
		im->l[x->layer].uses--;     /* reads the shape only: no obstacle to fusing */
	struct shape s = act_shape(im, x);
	int64_t v[4] = {0, s.c, s.h, s.w}, n = x->flat ? 2 : 4;
	if (x->flat)
		v[1] = shape_elems(s);
	int64_t start = attr_int(im->node, "start", 0), end = attr_int(im->node, "end", n);
	start = start < 0 ? start + n : start;
	end = end < 0 ? end + n : end;
	start = start < 0 ? 0 : start > n ? n : start;
	end = end < start ? start : end > n ? n : end;
	int64_t len = end - start;
	set_const(im, int_const(v + start, len, &len, 1));
	return true;
}

/* The integer constant at input k, as int64 values (big_alloc'd). */
static int64_t *int_input(struct imp *im, size_t k, int64_t *n, const onnx_tensor **t)
{
	bool bad = false;
	*t = in_const(im, k, false, &bad);
	if (bad)
		return NULL;
	double *d = const_values(im, *t, true, n);
	if (!d)
		return NULL;
	int64_t *v = big_alloc((size_t)(*n ? *n : 1) * sizeof *v);
	for (int64_t i = 0; i < *n; i++)
		v[i] = fabs(d[i]) < 1e15 ? (int64_t)d[i] : INT64_MIN;
	free(d);
	return v;
}

static bool do_gather(struct imp *im)
{
	const onnx_tensor *dt, *it;
	int64_t n, ni;
	int64_t *d = int_input(im, 0, &n, &dt);
	if (!d)
		return false;
	int64_t *idx = int_input(im, 1, &ni, &it);
	bool ok = idx && dt->n_dims == 1 && attr_int(im->node, "axis", 0) == 0 && it->n_dims <= 1;
	for (int64_t i = 0; ok && i < ni; i++) {
		idx[i] = idx[i] < 0 ? idx[i] + n : idx[i];
		ok = idx[i] >= 0 && idx[i] < n;
		if (ok)
			idx[i] = d[idx[i]];
	}
	if (ok)
		set_const(im, int_const(idx, ni, &ni, it->n_dims));
	else if (idx)
		node_error(im, "nnc folds a Gather only of a shape, along axis 0, at valid indices");
	free(d);
	free(idx);
	return ok;
}

static bool do_unsqueeze(struct imp *im)
{
	const onnx_tensor *t;
	int64_t n;
	int64_t *d = int_input(im, 0, &n, &t);
	if (!d)
		return false;
	int64_t axes[4];
	int na = read_axes(im, 13, (int)t->n_dims + 1, axes);
	bool ok = na == 1 && t->n_dims == 0 && axes[0] == 0;
	if (ok)
		set_const(im, int_const(d, n, &n, 1));
	else if (na >= 0)
		node_error(im, "nnc folds an Unsqueeze only of a scalar shape value to [1]");
	free(d);
	return ok;
}

static bool do_concat(struct imp *im)
{
	int64_t total = 0, *all = NULL;
	bool ok = attr_int(im->node, "axis", 0) == 0 || attr_int(im->node, "axis", 0) == -1;
	bool failed = false;
	for (size_t k = 0; ok && k < im->node->n_input; k++) {
		const onnx_tensor *t;
		int64_t n;
		int64_t *d = int_input(im, k, &n, &t);
		if (!d) {
			failed = true;
			break;
		}
		ok = t->n_dims == 1;
		int64_t *nall = big_alloc((size_t)(total + n + 1) * sizeof *nall);
		if (total)
			memcpy(nall, all, (size_t)total * sizeof *nall);
		memcpy(nall + total, d, (size_t)n * sizeof *nall);
		total += n;
		free(all);
		free(d);
		all = nall;
	}
	bool done = ok && !failed && all;
	if (done)
		set_const(im, int_const(all, total, &total, 1));
	else if (!ok)
		node_error(im, "nnc folds a Concat only of 1-D shape values");
	free(all);
	return done;
}

/* Pad with zeros on no side (PyTorch writes one before some pools). */
static bool do_pad(struct imp *im)
{
	struct tinfo *x = in_act(im, 0);
	if (!x)
		return false;
	int64_t n = 0;
	double *d = NULL;
	const onnx_attr *a = attr(im->node, "pads");
	if (im->opset < 11 && a) {
		n = (int64_t)a->n_ints;
		d = big_alloc((size_t)(n ? n : 1) * sizeof *d);
		for (int64_t i = 0; i < n; i++)
			d[i] = (double)a->ints[i];
	} else if (im->opset >= 11) {
		bool bad = false;
		const onnx_tensor *t = in_const(im, 1, false, &bad);
		if (bad || !(d = const_values(im, t, true, &n)))
			return false;
	}
	bool zero = true;
	for (int64_t i = 0; i < n; i++)
		zero &= d[i] == 0;
	free(d);
	if (!zero)
		return node_error(im, "pads the data: nnc pads only inside a Conv or MaxPool (their "
		                  "pads attribute), and a separate Pad only when it pads nothing");
	alias(im, x, x->flat);
	return true;
}

static bool do_passthrough(struct imp *im)
{
	const char *name = input_name(im->node, 0);
	if (!name)
		return node_error(im, "has no input");
	if (!only_first_output(im))
		return false;
	struct tinfo *x = tget(im, name);
	alias(im, x, x->kind == T_ACT && x->flat);
	return true;
}

/* A Constant node: its tensor becomes a constant like an initializer. */
static bool do_constant(struct imp *im)
{
	const onnx_node *n = im->node;
	const onnx_attr *a = attr(n, "value");
	onnx_tensor *t = NULL;
	if (a && a->t) {
		t = a->t;
	} else if ((a = attr(n, "value_float")) || (a = attr(n, "value_floats")) ||
	           (a = attr(n, "value_int")) || (a = attr(n, "value_ints"))) {
		/* a scalar or a list: made into a TensorProto of its own */
		bool list = a->name[strlen(a->name) - 1] == 's';
		bool fl = !strncmp(a->name, "value_float", 11);
		size_t cnt = !list ? 1 : fl ? a->n_floats : a->n_ints;
		t = xcalloc(1, sizeof *t);
		nnc_onnx__tensor_proto__init(t);
		t->has_data_type = true;
		t->data_type = fl ? ONNX_FLOAT : ONNX_INT64;
		if (fl) {
			t->n_float_data = cnt;
			t->float_data = xcalloc(cnt + 1, sizeof *t->float_data);
			for (size_t i = 0; i < cnt; i++)
				t->float_data[i] = list ? a->floats[i] : a->f;
		} else {
			t->n_int64_data = cnt;
			t->int64_data = xcalloc(cnt + 1, sizeof *t->int64_data);
			for (size_t i = 0; i < cnt; i++)
				t->int64_data[i] = list ? a->ints[i] : a->i;
		}
		if (list) {
			t->n_dims = 1;
			t->dims = xmalloc(sizeof *t->dims);
			t->dims[0] = (int64_t)cnt;
		}
	} else {
		return node_error(im, "only Constant nodes with a tensor, float or int value are supported");
	}
	struct tinfo *o = tget(im, n->output[0]);
	o->kind = T_CONST;
	o->t = t;
	return true;
}

/* A Cast of a constant (PyTorch writes torch.clamp(x, 0, 6)'s bounds so):
 * folded into a constant of the new type. A Cast of the data is refused. */
static bool do_cast(struct imp *im)
{
	bool bad = false;
	const onnx_tensor *t = in_const(im, 0, false, &bad);
	if (!t)
		return false;
	int64_t to = attr_int(im->node, "to", 0), n;
	int dt = t->has_data_type ? t->data_type : 0;
	bool from_int = dt == ONNX_INT32 || dt == ONNX_INT64;
	if (to != ONNX_FLOAT && to != ONNX_DOUBLE && to != ONNX_INT32 && to != ONNX_INT64)
		return node_error(im, "casts to %s; nnc folds casts of constants to float, double, "
		                  "int32 or int64", dtype_name((int)to));
	double *v = const_values(im, t, from_int, &n);
	if (!v)
		return false;
	onnx_tensor *o = xcalloc(1, sizeof *o);
	nnc_onnx__tensor_proto__init(o);
	o->has_data_type = true;
	if (to == ONNX_FLOAT || to == ONNX_DOUBLE) {
		o->data_type = ONNX_FLOAT;
		o->n_float_data = (size_t)n;
		o->float_data = xcalloc((size_t)n + 1, sizeof *o->float_data);
		for (int64_t i = 0; i < n; i++)
			o->float_data[i] = (float)v[i];
	} else {
		o->data_type = ONNX_INT64;
		o->n_int64_data = (size_t)n;
		o->int64_data = xcalloc((size_t)n + 1, sizeof *o->int64_data);
		for (int64_t i = 0; i < n; i++)
			o->int64_data[i] = (int64_t)v[i];     /* ONNX casts truncate toward zero */
	}
	o->n_dims = t->n_dims;
	o->dims = xcalloc(t->n_dims + 1, sizeof *o->dims);
	memcpy(o->dims, t->dims, t->n_dims * sizeof *o->dims);
	free(v);
	set_const(im, o);
	return true;
}

bool import_node(struct imp *im)
{
	const onnx_node *n = im->node;
	const char *op = n->op_type;
	if (n->domain && *n->domain && strcmp(n->domain, "ai.onnx")) {
		error_file(im->path, "node '%s' (%s::%s) is not supported by nnc (supported: %s)",
		           node_name(n), n->domain, op, supported_ops);
		return false;
	}
	if (!strcmp(op, "Constant"))
		return do_constant(im);
	if (!strcmp(op, "Cast"))
		return do_cast(im);
	if (!strcmp(op, "Conv"))
		return do_conv(im);
	if (!strcmp(op, "Gemm") || !strcmp(op, "MatMul"))
		return do_fc(im, !strcmp(op, "Gemm"));
	if (!strcmp(op, "Add"))
		return do_add(im);
	if (!strcmp(op, "Relu"))
		return activation(im, ACT_RELU);
	if (!strcmp(op, "Clip"))
		return do_clip(im);
	if (!strcmp(op, "MaxPool"))
		return do_pool(im, L_MAXPOOL);
	if (!strcmp(op, "AveragePool"))
		return do_pool(im, L_AVGPOOL);
	if (!strcmp(op, "GlobalAveragePool"))
		return do_global_pool(im, L_AVGPOOL);
	if (!strcmp(op, "GlobalMaxPool"))
		return do_global_pool(im, L_MAXPOOL);
	if (!strcmp(op, "BatchNormalization"))
		return do_batchnorm(im);
	if (!strcmp(op, "Flatten"))
		return do_flatten(im);
	if (!strcmp(op, "Reshape"))
		return do_reshape(im);
	if (!strcmp(op, "Identity") || !strcmp(op, "Dropout"))
		return do_passthrough(im);
	if (!strcmp(op, "Pad"))
		return do_pad(im);
	if (!strcmp(op, "ReduceMean"))
		return do_reduce_mean(im);
	if (!strcmp(op, "Shape"))
		return do_shape(im);
	if (!strcmp(op, "Gather"))
		return do_gather(im);
	if (!strcmp(op, "Unsqueeze"))
		return do_unsqueeze(im);
	if (!strcmp(op, "Concat"))
		return do_concat(im);
	if (!strcmp(op, "Squeeze"))
		return do_squeeze(im);
	error_file(im->path, "node '%s' (%s) is not supported by nnc (supported: %s)", node_name(n),
	           op, supported_ops);
	return false;
}

