/* import.c: `nnc import`, an ONNX model to a .nn file and float32 weights.
 *
 * The graph is walked once, in node order (ONNX keeps nodes topologically
 * sorted). Every tensor name stands for a constant (an initializer or a
 * Constant node), an activation (the output of an nnc layer, or the network
 * input) or nothing yet. Conv, Gemm, MatMul, the pools, Relu and Add of two
 * activations become layers. BatchNormalization and Add of a constant fold
 * into the conv or fc before them; Relu and Clip(0,6) become that layer's
 * act when nothing else reads its output; Flatten, Reshape to [N, K],
 * Identity and Dropout pass their input through. The layers are then built
 * as a syntax tree and checked by sema like any .nn file, written by
 * write_nn with every format explicit (nnc's defaults), and the weights go
 * to DIR as float32 in the PyTorch layouts (DESIGN §6).
 *
 * A conv or fc without a bias in the model (and no BatchNormalization or
 * added constant to make one) is written with `bias = none`. */
#include "ast.h"
#include "npy.h"
#include "onnx.pb-c.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef NncOnnx__ModelProto onnx_model;
typedef NncOnnx__GraphProto onnx_graph;
typedef NncOnnx__NodeProto onnx_node;
typedef NncOnnx__AttributeProto onnx_attr;
typedef NncOnnx__TensorProto onnx_tensor;
typedef NncOnnx__ValueInfoProto onnx_value_info;

enum { ONNX_FLOAT = 1, ONNX_INT32 = 6, ONNX_INT64 = 7, ONNX_DOUBLE = 11 };
enum { MAX_DIM = 1 << 20 };

static const char supported_ops[] =
	"Conv, Gemm, MatMul, Add, Relu, Clip, MaxPool, AveragePool, GlobalAveragePool, "
	"GlobalMaxPool, ReduceMean (over H, W), BatchNormalization, Flatten, Reshape, Squeeze, "
	"Identity, Dropout, Constant, Cast (of constants), Pad (of zeros); Shape, Gather, Unsqueeze and Concat "
	"computing a Reshape's shape";

/* What a tensor name stands for. */
enum tkind { T_UNKNOWN, T_CONST, T_ACT, T_BAD };

struct tinfo {
	const char *name;
	int uses;                  /* node inputs and graph outputs that read it */
	enum tkind kind;
	const onnx_tensor *t;      /* T_CONST */
	int layer;                 /* T_ACT: its layer, or -1 for the network input */
	bool flat;                 /* T_ACT: [N, K] rather than [N, C, H, W] */
};

/* A layer being imported: what sema will see, plus its float weights. */
struct ilayer {
	enum layer_kind kind;
	const char *name;
	int src[2], nsrc;
	struct shape out;
	int filters, kh, kw, sh, sw, ph, pw, groups;
	bool global;
	enum act act;
	float *w, *b;              /* conv, fc: PyTorch layouts; b NULL: no bias */
	int64_t nw;
	int uses;                  /* readers of its output, through pass-throughs */
};

struct imp {
	const char *path;          /* the model, for messages */
	const onnx_graph *g;
	int64_t opset;
	struct tinfo *t;           /* open addressing, tcap a power of two */
	size_t tcap;
	struct ilayer *l;
	int nl, capl;
	const char **names;        /* identifiers taken, for uniqueness */
	int nnames, capnames;
	struct shape in_shape;
	const char *in_name;
	const onnx_node *node;     /* the node being imported, for messages */
};

/* ---- messages -------------------------------------------------------------- */

static const char *node_name(const onnx_node *n)
{
	if (n->name && *n->name)
		return n->name;
	if (n->n_output && *n->output[0])
		return n->output[0];
	return "(unnamed)";
}

/* "MODEL: error: node 'NAME' (OP): MESSAGE" */
static bool node_error(struct imp *im, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool node_error(struct imp *im, const char *fmt, ...)
{
	char buf[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	error_file(im->path, "node '%s' (%s): %s", node_name(im->node), im->node->op_type, buf);
	return false;
}

static const char *dtype_name(int t)
{
	static const char *const names[] = {
		"undefined", "float", "uint8", "int8", "uint16", "int16", "int32", "int64", "string",
		"bool", "float16", "double", "uint32", "uint64", "complex64", "complex128", "bfloat16",
	};
	return t >= 0 && t < (int)(sizeof names / sizeof names[0]) ? names[t] : "unknown";
}

static const char *shape_str(struct shape s, bool flat)
{
	return flat ? xprintf("[N, %lld]", (long long)shape_elems(s))
	            : xprintf("[N, %d, %d, %d]", s.c, s.h, s.w);
}

/* ---- tensor names ---------------------------------------------------------- */

static size_t hash(const char *s)
{
	size_t h = 2166136261u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* The entry for name, created when absent (the table is sized up front).
 * An absent optional string (a name the file leaves out) is "". */
static struct tinfo *tget(struct imp *im, const char *name)
{
	if (!name)
		name = "";
	size_t i = hash(name) & (im->tcap - 1);
	while (im->t[i].name && strcmp(im->t[i].name, name))
		i = (i + 1) & (im->tcap - 1);
	if (!im->t[i].name)
		im->t[i].name = name;
	return &im->t[i];
}

static int uses_of(struct imp *im, const char *name) { return tget(im, name)->uses; }

/* ---- attributes ------------------------------------------------------------- */

static const onnx_attr *attr(const onnx_node *n, const char *name)
{
	for (size_t i = 0; i < n->n_attribute; i++)
		if (n->attribute[i]->name && !strcmp(n->attribute[i]->name, name))
			return n->attribute[i];
	return NULL;
}

static int64_t attr_int(const onnx_node *n, const char *name, int64_t dflt)
{
	const onnx_attr *a = attr(n, name);
	return a && a->has_i ? a->i : dflt;
}

static double attr_float(const onnx_node *n, const char *name, double dflt)
{
	const onnx_attr *a = attr(n, name);
	return a && a->has_f ? a->f : dflt;
}

/* The list attribute name into v[want]; false after an error. Absent: v
 * keeps its defaults. */
static bool attr_ints(struct imp *im, const char *name, int64_t *v, size_t want)
{
	const onnx_attr *a = attr(im->node, name);
	if (!a)
		return true;
	if (a->n_ints != want)
		return node_error(im, "'%s' has %zu values, expected %zu (nnc imports 2-D operators)",
		                  name, a->n_ints, want);
	memcpy(v, a->ints, want * sizeof *v);
	return true;
}

static const char *attr_str(const onnx_node *n, const char *name, const char *dflt)
{
	const onnx_attr *a = attr(n, name);
	if (!a || !a->has_s)
		return dflt;
	char *s = xmalloc(a->s.len + 1);
	if (a->s.len)
		memcpy(s, a->s.data, a->s.len);
	s[a->s.len] = 0;
	return s;
}

static const char *list_str(const int64_t *v, size_t n)
{
	char buf[200] = "[";
	for (size_t i = 0; i < n && i < 8; i++) {
		size_t used = strlen(buf);
		snprintf(buf + used, sizeof buf - used, "%s%lld", i ? ", " : "", (long long)v[i]);
	}
	strcat(buf, "]");
	return xstrdup(buf);
}

/* ---- constants ------------------------------------------------------------- */

static int64_t tensor_count(const onnx_tensor *t)
{
	int64_t n = 1;
	for (size_t i = 0; i < t->n_dims; i++) {
		if (t->dims[i] < 0 || t->dims[i] > ((int64_t)1 << 40))
			return -1;
		n *= t->dims[i];
		if (n > ((int64_t)1 << 40))
			return -1;
	}
	return n;
}

/* Little-endian element i of raw data, as the host's type. */
static uint64_t raw_le(const uint8_t *p, int64_t i, int size)
{
	uint64_t v = 0;
	for (int k = size - 1; k >= 0; k--)
		v = v << 8 | p[i * size + k];
	return v;
}

/* A constant's elements as doubles (big_alloc'd), or NULL after an error.
 * ints: integer data wanted (a shape), else float data (weights). */
static double *const_values(struct imp *im, const onnx_tensor *t, bool ints, int64_t *count)
{
	const char *tn = t->name && *t->name ? t->name : "(unnamed)";
	if (t->has_data_location && t->data_location == 1) {
		node_error(im, "initializer '%s' keeps its data in an external file; nnc reads only "
		           "models with the data inside (re-export without external data)", tn);
		return NULL;
	}
	int64_t n = tensor_count(t);
	if (n < 0) {
		node_error(im, "initializer '%s' has an invalid shape %s", tn, list_str(t->dims, t->n_dims));
		return NULL;
	}
	int dt = t->has_data_type ? t->data_type : 0;
	bool ok = ints ? dt == ONNX_INT64 || dt == ONNX_INT32 : dt == ONNX_FLOAT || dt == ONNX_DOUBLE;
	if (!ok) {
		node_error(im, "initializer '%s' has data type %s where %s", tn, dtype_name(dt),
		           ints ? "integers are needed" : "float weights are needed");
		return NULL;
	}
	int size = dt == ONNX_FLOAT || dt == ONNX_INT32 ? 4 : 8;
	size_t have = t->has_raw_data ? t->raw_data.len / (size_t)size
	            : dt == ONNX_FLOAT ? t->n_float_data : dt == ONNX_DOUBLE ? t->n_double_data
	            : dt == ONNX_INT32 ? t->n_int32_data : t->n_int64_data;
	if ((t->has_raw_data && t->raw_data.len % (size_t)size) || have != (size_t)n) {
		node_error(im, "initializer '%s' of shape %s holds %zu values, not %lld", tn,
		           list_str(t->dims, t->n_dims), have, (long long)n);
		return NULL;
	}
	double *d = big_alloc((size_t)n * sizeof *d);
	for (int64_t i = 0; i < n; i++) {
		if (t->has_raw_data) {
			uint64_t u = raw_le(t->raw_data.data, i, size);
			if (dt == ONNX_FLOAT) {
				uint32_t u32 = (uint32_t)u;
				float f;
				memcpy(&f, &u32, sizeof f);
				d[i] = f;
			} else if (dt == ONNX_DOUBLE) {
				memcpy(&d[i], &u, sizeof d[i]);
			} else if (dt == ONNX_INT32) {
				d[i] = (int32_t)(uint32_t)u;
			} else {
				d[i] = (double)(int64_t)u;
			}
		} else {
			d[i] = dt == ONNX_FLOAT ? t->float_data[i] : dt == ONNX_DOUBLE ? t->double_data[i]
			     : dt == ONNX_INT32 ? t->int32_data[i] : (double)t->int64_data[i];
		}
		if (!ints && !isfinite(d[i])) {
			node_error(im, "initializer '%s' holds %s at index %lld", tn,
			           isnan(d[i]) ? "NaN" : "infinity", (long long)i);
			free(d);
			return NULL;
		}
	}
	*count = n;
	return d;
}

/* ---- operands --------------------------------------------------------------- */

static const char *input_name(const onnx_node *n, size_t k)
{
	return k < n->n_input && *n->input[k] ? n->input[k] : NULL;
}

/* Input k, which must be an activation. */
static struct tinfo *in_act(struct imp *im, size_t k)
{
	const char *name = input_name(im->node, k);
	if (!name) {
		node_error(im, "has no input %zu", k + 1);
		return NULL;
	}
	struct tinfo *v = tget(im, name);
	if (v->kind != T_ACT) {
		node_error(im, "input '%s' is a constant; nnc needs the network's data here", name);
		return NULL;
	}
	return v;
}

/* Input k, which must be a constant; NULL and no message when optional
 * and absent. */
static const onnx_tensor *in_const(struct imp *im, size_t k, bool optional, bool *bad)
{
	const char *name = input_name(im->node, k);
	if (!name) {
		if (!optional) {
			node_error(im, "has no input %zu", k + 1);
			*bad = true;
		}
		return NULL;
	}
	struct tinfo *v = tget(im, name);
	if (v->kind != T_CONST) {
		node_error(im, "input '%s' must be a constant (an initializer): nnc needs its values "
		           "when it imports the model", name);
		*bad = true;
		return NULL;
	}
	return v->t;
}

static struct shape act_shape(struct imp *im, const struct tinfo *v)
{
	return v->layer >= 0 ? im->l[v->layer].out : im->in_shape;
}

/* Outputs beyond the first (masks, indices, statistics) must be unused. */
static bool only_first_output(struct imp *im)
{
	for (size_t k = 1; k < im->node->n_output; k++)
		if (*im->node->output[k] && uses_of(im, im->node->output[k]))
			return node_error(im, "its output '%s' is used; nnc computes only the first output",
			                  im->node->output[k]);
	return true;
}

/* ---- names ------------------------------------------------------------------ */

static bool name_taken(const struct imp *im, const char *s)
{
	static const char *const keywords[] = {"network", "input", "default", "output", "fixed",
	                                       "true", "false"};
	for (size_t i = 0; i < sizeof keywords / sizeof keywords[0]; i++)
		if (!strcmp(s, keywords[i]))
			return true;
	for (int i = 0; i < im->nnames; i++)
		if (!strcmp(im->names[i], s))
			return true;
	return false;
}

/* An identifier from raw: letters, digits and '_', runs of anything else as
 * one '_', not starting with a digit, unique. PyTorch names nodes after the
 * module path and the op ("/layer1/conv/Conv"): the op is dropped. */
static const char *make_ident(struct imp *im, const char *raw, const char *op, const char *fallback)
{
	size_t len = strlen(raw);
	if (raw[0] == '/' && op) {
		const char *last = strrchr(raw, '/');
		size_t ol = strlen(op);
		if (last != raw && !strncmp(last + 1, op, ol)) {
			const char *p = last + 1 + ol;
			if (*p == '_')
				p++;
			while (*p >= '0' && *p <= '9')
				p++;
			if (!*p)
				len = (size_t)(last - raw);
		}
	}
	char *s = xmalloc(len + 16);
	size_t n = 0;
	bool gap = false;
	for (size_t i = 0; i < len; i++) {
		char c = raw[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
		if (!ok) {
			gap = n > 0;
			continue;
		}
		if (gap)
			s[n++] = '_';
		gap = false;
		if (n == 0 && c >= '0' && c <= '9')
			s[n++] = 'n';
		s[n++] = c;
	}
	s[n] = 0;
	if (!n)
		s = xstrdup(fallback);
	const char *base = s;
	for (int k = 2; name_taken(im, s); k++)
		s = xprintf("%s_%d", base, k);
	if (im->nnames == im->capnames) {
		im->capnames = im->capnames ? 2 * im->capnames : 64;
		const char **nn = xmalloc((size_t)im->capnames * sizeof *nn);
		if (im->nnames)
			memcpy(nn, im->names, (size_t)im->nnames * sizeof *nn);
		im->names = nn;
	}
	im->names[im->nnames++] = s;
	return s;
}

/* ---- layers ----------------------------------------------------------------- */

/* A new layer from the current node, reading src; the node's first output
 * becomes its activation. */
static struct ilayer *new_layer(struct imp *im, enum layer_kind kind, const struct tinfo *src,
                                struct shape out, bool flat)
{
	if (im->nl == im->capl) {
		im->capl = im->capl ? 2 * im->capl : 32;
		struct ilayer *nl = xcalloc((size_t)im->capl, sizeof *nl);
		if (im->nl)
			memcpy(nl, im->l, (size_t)im->nl * sizeof *nl);
		im->l = nl;
	}
	const onnx_node *n = im->node;
	int idx = im->nl++;
	struct ilayer *l = &im->l[idx];
	*l = (struct ilayer){.kind = kind, .src = {src->layer, -1}, .nsrc = 1, .out = out,
	                     .groups = 1, .kh = 1, .kw = 1, .sh = 1, .sw = 1};
	l->name = make_ident(im, n->name && *n->name ? n->name : n->output[0], n->op_type,
	                     layer_kind_names[kind]);
	struct tinfo *o = tget(im, n->output[0]);
	o->kind = T_ACT;
	o->layer = idx;
	o->flat = flat;
	l->uses = o->uses;
	return l;
}

/* The current node's first output is v's value (a pass-through). */
static void alias(struct imp *im, const struct tinfo *v, bool flat)
{
	struct tinfo *o = tget(im, im->node->output[0]);
	o->kind = v->kind;
	o->t = v->t;
	o->layer = v->layer;
	o->flat = flat;
	if (v->kind == T_ACT && v->layer >= 0)
		im->l[v->layer].uses += o->uses - 1;
}

/* The layer making v, when it is of one of kinds and only the current node
 * reads its output: then the node can be folded into it. -1 otherwise. */
static int foldable(struct imp *im, const struct tinfo *v, unsigned kinds)
{
	if (v->layer < 0)
		return -1;
	const struct ilayer *l = &im->l[v->layer];
	return (KMASK(l->kind) & kinds) && l->uses == 1 ? v->layer : -1;
}

/* The current node was folded into layer i: its output is the layer's. */
static void folded(struct imp *im, int i, bool flat)
{
	struct tinfo *o = tget(im, im->node->output[0]);
	o->kind = T_ACT;
	o->layer = i;
	o->flat = flat;
	im->l[i].uses = o->uses;
}

/* ---- windows: kernel, strides, pads ----------------------------------------- */

struct window {
	int64_t kh, kw, sh, sw, ph, pw;
};

/* Strides, pads (symmetric only, or auto_pad), dilations (1) and, for
 * pools, ceil_mode (only where it changes nothing), over an input of shape s. */
static bool read_window(struct imp *im, struct shape s, struct window *w, bool pool)
{
	int64_t strides[2] = {1, 1}, pads[4] = {0, 0, 0, 0}, dil[2] = {1, 1};
	if (!attr_ints(im, "strides", strides, 2) || !attr_ints(im, "pads", pads, 4) ||
	    !attr_ints(im, "dilations", dil, 2))
		return false;
	if (dil[0] != 1 || dil[1] != 1)
		return node_error(im, "dilations %s are not supported (nnc's windows are dense: "
		                  "dilations must be 1)", list_str(dil, 2));
	if (strides[0] < 1 || strides[1] < 1 || strides[0] > MAX_DIM || strides[1] > MAX_DIM)
		return node_error(im, "strides %s are out of range", list_str(strides, 2));
	w->sh = strides[0];
	w->sw = strides[1];
	if (w->kh < 1 || w->kw < 1 || w->kh > MAX_DIM || w->kw > MAX_DIM)
		return node_error(im, "kernel %lldx%lld is out of range", (long long)w->kh,
		                  (long long)w->kw);
	for (int k = 0; k < 4; k++)
		if (pads[k] < 0 || pads[k] > MAX_DIM)
			return node_error(im, "pads %s are out of range", list_str(pads, 4));
	const char *ap = attr_str(im->node, "auto_pad", "NOTSET");
	int64_t in[2] = {s.h, s.w}, k[2] = {w->kh, w->kw}, st[2] = {w->sh, w->sw};
	if (!strcmp(ap, "SAME_UPPER") || !strcmp(ap, "SAME_LOWER")) {
		for (int a = 0; a < 2; a++) {
			int64_t out = (in[a] + st[a] - 1) / st[a];
			int64_t total = (out - 1) * st[a] + k[a] - in[a];
			total = total > 0 ? total : 0;
			if (total % 2)
				return node_error(im, "auto_pad %s pads %s unequally (%lld in all); nnc pads "
				                  "both sides equally", ap, a ? "left and right" : "top and bottom",
				                  (long long)total);
			pads[a] = pads[a + 2] = total / 2;
		}
	} else if (!strcmp(ap, "VALID")) {
		memset(pads, 0, sizeof pads);
	} else if (strcmp(ap, "NOTSET")) {
		return node_error(im, "unknown auto_pad '%s'", ap);
	}
	if (pads[0] != pads[2] || pads[1] != pads[3])
		return node_error(im, "asymmetric pads %s are not supported: nnc pads both sides "
		                  "equally ([top, left, bottom, right] must be [a, b, a, b])",
		                  list_str(pads, 4));
	w->ph = pads[0];
	w->pw = pads[1];
	if (w->ph >= w->kh || w->pw >= w->kw)
		return node_error(im, "pads %lldx%lld are not smaller than the kernel %lldx%lld (nnc "
		                  "needs pad < kernel)", (long long)w->ph, (long long)w->pw,
		                  (long long)w->kh, (long long)w->kw);
	if (s.h + 2 * w->ph < w->kh || s.w + 2 * w->pw < w->kw)
		return node_error(im, "kernel %lldx%lld is larger than its %sinput %lldx%lld",
		                  (long long)w->kh, (long long)w->kw, w->ph || w->pw ? "padded " : "",
		                  (long long)(s.h + 2 * w->ph), (long long)(s.w + 2 * w->pw));
	if (pool && attr_int(im->node, "ceil_mode", 0) &&
	    ((s.h + 2 * w->ph - w->kh) % w->sh || (s.w + 2 * w->pw - w->kw) % w->sw))
		return node_error(im, "ceil_mode = 1 makes the output larger than nnc's "
		                  "floor((H + 2P - K)/S) + 1 here");
	return true;
}

static struct shape window_out(struct shape s, const struct window *w, int c)
{
	return (struct shape){c, (int)((s.h + 2 * w->ph - w->kh) / w->sh + 1),
	                      (int)((s.w + 2 * w->pw - w->kw) / w->sw + 1)};
}

static void set_window(struct ilayer *l, const struct window *w)
{
	l->kh = (int)w->kh;
	l->kw = (int)w->kw;
	l->sh = (int)w->sh;
	l->sw = (int)w->sw;
	l->ph = (int)w->ph;
	l->pw = (int)w->pw;
}

static float *to_float(const double *d, int64_t n)
{
	float *f = big_alloc((size_t)n * sizeof *f);
	for (int64_t i = 0; i < n; i++)
		f[i] = (float)d[i];
	return f;
}

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

static bool do_pool(struct imp *im, enum layer_kind kind)
{
	struct tinfo *x = in_act(im, 0);
	if (!x)
		return false;
	if (x->flat)
		return node_error(im, "its input is flattened %s; a pool needs [N, C, H, W]",
		                  shape_str(act_shape(im, x), true));
	struct shape s = act_shape(im, x);
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
	struct tinfo *x = in_act(im, 0);
	if (!x)
		return false;
	if (x->flat)
		return node_error(im, "its input is flattened %s; a pool needs [N, C, H, W]",
		                  shape_str(act_shape(im, x), true));
	struct shape s = act_shape(im, x);
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

static bool import_node(struct imp *im)
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

/* ---- the graph --------------------------------------------------------------- */

/* The one network input: float, [N, C, H, W] with only N free, [C, H, W],
 * or [N, K] (read as [K, 1, 1], already flat). */
static bool read_input(struct imp *im)
{
	const onnx_graph *g = im->g;
	const onnx_value_info *in = NULL;
	int n = 0;
	char names[256] = "";
	for (size_t i = 0; i < g->n_input; i++) {
		if (tget(im, g->input[i]->name)->kind == T_CONST)
			continue;   /* older exporters list the initializers as inputs too */
		in = g->input[i];
		size_t used = strlen(names);
		snprintf(names + used, sizeof names - used, "%s'%s'", n ? ", " : "",
		         in->name ? in->name : "");
		n++;
	}
	if (n != 1) {
		error_file(im->path, "the graph has %d inputs%s%s; an nnc network has one", n,
		           n ? ": " : "", names);
		return false;
	}
	const char *name = in->name ? in->name : "";
	const NncOnnx__TypeProto__Tensor *tt = in->type ? in->type->tensor_type : NULL;
	if (!tt || !tt->shape) {
		error_file(im->path, "input '%s' has no tensor shape", name);
		return false;
	}
	if (tt->has_elem_type && tt->elem_type != ONNX_FLOAT) {
		error_file(im->path, "input '%s' has element type %s; nnc imports float models", name,
		           dtype_name(tt->elem_type));
		return false;
	}
	size_t rank = tt->shape->n_dim;
	if (rank < 2 || rank > 4) {
		error_file(im->path, "input '%s' has rank %zu; nnc takes [N, C, H, W], [C, H, W] or "
		           "[N, K]", name, rank);
		return false;
	}
	int64_t d[4] = {1, 1, 1, 1};
	size_t first = rank == 3 ? 0 : 1;   /* [C, H, W] has no batch dimension */
	for (size_t k = 0; k < rank; k++) {
		const NncOnnx__TensorShapeProto__Dimension *dim = tt->shape->dim[k];
		if (k < first)
			continue;       /* the batch: free or fixed, nnc runs image by image */
		if (!dim->has_dim_value || dim->dim_value < 1 || dim->dim_value > MAX_DIM) {
			if (dim->has_dim_value)
				error_file(im->path, "dimension %zu of input '%s' is %lld, out of range", k,
				           name, (long long)dim->dim_value);
			else
				error_file(im->path, "dimension %zu of input '%s' is dynamic ('%s'); nnc needs "
				           "every size but the batch fixed (re-export with a fixed size)", k,
				           name, dim->dim_param ? dim->dim_param : "?");
			return false;
		}
		d[k - first] = dim->dim_value;
	}
	im->in_shape = (struct shape){(int)d[0], (int)d[1], (int)d[2]};
	im->in_name = make_ident(im, name, NULL, "image");
	struct tinfo *v = tget(im, name);
	v->kind = T_ACT;
	v->layer = -1;
	v->flat = rank == 2;
	return true;
}

static struct loc nowhere(const struct imp *im) { return (struct loc){im->path, 0, 0}; }

static struct value *pair(struct loc at, int a, int b)
{
	return ast_list_add(ast_list(at, at, a), at, b);
}

/* The imported layers as a .nn syntax tree, for sema. */
static struct ast_file *build_ast(struct imp *im, const char *net_name, int output)
{
	struct loc at = nowhere(im);
	int64_t dims[3] = {im->in_shape.c, im->in_shape.h, im->in_shape.w};
	struct loc dl[3] = {at, at, at};
	struct stmt *list = ast_input(at, im->in_name, dims, dl, ast_format(at, 8, 7));
	for (int i = 0; i < im->nl; i++) {
		const struct ilayer *l = &im->l[i];
		struct attr *a = NULL;
#define ATTR(name, v) a = ast_attr_add(a, ast_attr(at, name, v))
		switch (l->kind) {
		case L_CONV:
			ATTR("filters", ast_int(at, l->filters));
			ATTR("kernel", pair(at, l->kh, l->kw));
			ATTR("stride", pair(at, l->sh, l->sw));
			ATTR("pad", pair(at, l->ph, l->pw));
			if (l->groups > 1)
				ATTR("groups", ast_int(at, l->groups));
			/* fall through */
		case L_FC:
			if (l->kind == L_FC)
				ATTR("units", ast_int(at, l->filters));
			/* fall through */
		case L_ADD:
			ATTR("act", ast_ident(at, act_names[l->act]));
			if (l->kind != L_ADD && !l->b)
				ATTR("bias", ast_ident(at, "none"));
			break;
		case L_MAXPOOL:
			ATTR("size", pair(at, l->kh, l->kw));
			ATTR("stride", pair(at, l->sh, l->sw));
			ATTR("pad", pair(at, l->ph, l->pw));
			break;
		case L_AVGPOOL:
			if (l->global) {
				ATTR("global", ast_bool(at, true));
			} else {
				ATTR("size", pair(at, l->kh, l->kw));
				ATTR("stride", pair(at, l->sh, l->sw));
			}
			break;
		case L_RELU:
		case L_NKINDS:
			break;
		}
#undef ATTR
		struct name_ref *srcs = NULL;
		for (int k = 0; k < l->nsrc; k++)
			srcs = ast_name_add(srcs, ast_name(at, l->src[k] < 0 ? im->in_name
			                                                     : im->l[l->src[k]].name));
		list = ast_stmt_add(list, ast_layer(at, layer_kind_names[l->kind], at, l->name, srcs, a));
	}
	list = ast_stmt_add(list, ast_output(at, at, im->l[output].name));
	struct ast_file *f = xcalloc(1, sizeof *f);
	f->path = im->path;
	f->name = net_name;
	f->loc = at;
	f->stmts = list;
	return f;
}

/* The network's name: the output file's base name, as an identifier. */
static const char *network_name(const char *out_nn)
{
	const char *base = strrchr(out_nn, '/');
	base = base ? base + 1 : out_nn;
	char *s = xstrdup(base);
	char *dot = strchr(s, '.');
	if (dot && dot != s)
		*dot = 0;
	struct imp tmp = {0};
	return make_ident(&tmp, s, NULL, "net");
}

static bool make_dir(const char *dir, bool *created)
{
	struct stat st;
	*created = false;
	if (stat(dir, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			return true;
		error_file(dir, "--weights-out needs a directory, and this is not one");
		return false;
	}
	if (mkdir(dir, 0777) != 0) {
		error_file(dir, "cannot create the directory: %s", strerror(errno));
		return false;
	}
	*created = true;
	return true;
}

/* DIR/<layer>.weight.npy and .bias.npy for every conv and fc, float32. On a
 * failure the files written so far are removed again. */
static bool write_weights(struct imp *im, const char *dir)
{
	bool created;
	if (!make_dir(dir, &created))
		return false;
	char **written = xcalloc((size_t)im->nl * 2 + 1, sizeof *written);
	int nwritten = 0;
	bool ok = true;
	for (int i = 0; i < im->nl && ok; i++) {
		const struct ilayer *l = &im->l[i];
		if (l->kind != L_CONV && l->kind != L_FC)
			continue;
		int64_t shape[4] = {l->filters, l->nw / l->filters, l->kh, l->kw};
		if (l->kind == L_CONV)
			shape[1] = l->nw / ((int64_t)l->filters * l->kh * l->kw);
		for (int k = 0; k < 2 && ok; k++) {
			if (k == 1 && !l->b)
				break;
			char err[256];
			char *path = xprintf("%s/%s.%s.npy", dir, l->name, k ? "bias" : "weight");
			int rc = k ? npy_write(path, NPY_F32, 1, shape, l->b, err, sizeof err)
			           : npy_write(path, NPY_F32, l->kind == L_CONV ? 4 : 2, shape, l->w, err,
			                       sizeof err);
			if (rc) {
				error_file(path, "%s", err);
				ok = false;
			} else {
				written[nwritten++] = path;
			}
		}
	}
	if (!ok) {
		for (int i = 0; i < nwritten; i++)
			remove(written[i]);
		if (created)
			remove(dir);
	}
	return ok;
}

static const char *q_name(const char *out_nn)
{
	size_t n = strlen(out_nn);
	if (n > 3 && !strcmp(out_nn + n - 3, ".nn"))
		return xprintf("%.*s.q.nn", (int)(n - 3), out_nn);
	return xprintf("%s.q.nn", out_nn);
}

static int import_model(struct imp *im, const onnx_model *m, const char *out_nn, const char *dir)
{
	const onnx_graph *g = m->graph;
	if (!g) {
		error_file(im->path, "not an ONNX model: it has no graph");
		return -1;
	}
	im->g = g;
	im->opset = 1;
	for (size_t i = 0; i < m->n_opset_import; i++) {
		const char *d = m->opset_import[i]->domain;
		if (!d || !*d || !strcmp(d, "ai.onnx"))
			im->opset = m->opset_import[i]->version;
	}

	/* Size the name table for every name the graph can mention. */
	size_t names = g->n_initializer + g->n_input + g->n_output;
	for (size_t i = 0; i < g->n_node; i++)
		names += g->node[i]->n_input + g->node[i]->n_output;
	im->tcap = 16;
	while (im->tcap < 2 * names)
		im->tcap *= 2;
	im->t = xcalloc(im->tcap, sizeof *im->t);
	for (size_t i = 0; i < g->n_initializer; i++) {
		const onnx_tensor *t = g->initializer[i];
		if (!t->name || !*t->name)
			continue;
		struct tinfo *v = tget(im, t->name);
		v->kind = T_CONST;
		v->t = t;
	}
	for (size_t i = 0; i < g->n_node; i++)
		for (size_t k = 0; k < g->node[i]->n_input; k++)
			if (*g->node[i]->input[k])
				tget(im, g->node[i]->input[k])->uses++;
	for (size_t i = 0; i < g->n_output; i++)
		tget(im, g->output[i]->name)->uses++;

	if (!read_input(im))
		return -1;
	for (size_t i = 0; i < g->n_node; i++) {
		const onnx_node *n = g->node[i];
		im->node = n;
		if (!n->op_type || !n->n_output || !*n->output[0]) {
			error_file(im->path, "node %zu ('%s') has no op type or no output", i, node_name(n));
			continue;
		}
		/* An input from a node that failed: its error is already out. */
		bool ok = true, quiet = false;
		for (size_t k = 0; k < n->n_input; k++) {
			if (!*n->input[k])
				continue;
			struct tinfo *v = tget(im, n->input[k]);
			if (v->kind == T_BAD) {
				quiet = true;
			} else if (v->kind == T_UNKNOWN) {
				node_error(im, "input '%s' is neither the graph's input, an initializer nor "
				           "the output of an earlier node", n->input[k]);
				ok = false;
			}
		}
		if (ok && !quiet)
			ok = import_node(im);
		if (!ok || quiet)
			for (size_t k = 0; k < n->n_output; k++)
				if (*n->output[k])
					tget(im, n->output[k])->kind = T_BAD;
	}
	if (error_count())
		return -1;

	if (g->n_output != 1) {
		error_file(im->path, "the graph has %zu outputs; an nnc network has one", g->n_output);
		return -1;
	}
	struct tinfo *o = tget(im, g->output[0]->name);
	if (o->kind == T_UNKNOWN) {
		error_file(im->path, "the graph's output '%s' is not computed by any node", o->name);
		return -1;
	}
	if (o->kind != T_ACT || o->layer < 0) {
		error_file(im->path, "the graph's output '%s' is %s, not computed by any layer nnc can "
		           "build", o->name, o->kind == T_CONST ? "a constant" : "its input");
		return -1;
	}

	struct ast_file *ast = build_ast(im, network_name(out_nn), o->layer);
	struct network *net = sema(ast);
	if (!net) {
		error_file(im->path, "the imported network does not check (the errors above are nnc's "
		           "own and located in the generated network)");
		return -1;
	}
	for (int i = 0; i < im->nl; i++) {
		struct shape a = net->layers[i].oshape, b = im->l[i].out;
		if (a.c != b.c || a.h != b.h || a.w != b.w)
			die("import: layer %s is [%d, %d, %d], sema says [%d, %d, %d]", im->l[i].name, b.c,
			    b.h, b.w, a.c, a.h, a.w);
	}

	FILE *f = out_open(out_nn);
	if (!f)
		return -1;
	const char *q = q_name(out_nn);
	write_nn(f, net, xprintf(
		"// %s: imported from %s by nnc import (%s%s%s, opset %lld).\n"
		"// The formats are nnc's defaults, which the float weights and activations mostly\n"
		"// saturate or round away: calibrate them on real inputs first,\n"
		"//     nnc quantize %s --weights %s --calib X.npy -o %s\n"
		"// (X.npy: float inputs [N, %d, %d, %d]). `nnc run %s --weights %s --float`\n"
		"// runs the imported network as it is, without quantization.\n\n",
		out_nn, im->path, m->producer_name && *m->producer_name ? m->producer_name : "unknown producer",
		m->producer_version && *m->producer_version ? " " : "",
		m->producer_version ? m->producer_version : "", (long long)im->opset, out_nn, dir, q,
		im->in_shape.c, im->in_shape.h, im->in_shape.w, out_nn, dir));
	if (!write_weights(im, dir))
		return -1;
	if (verbosity >= 1) {
		int64_t params = 0;
		for (int i = 0; i < net->nlayers; i++)
			params += net->layers[i].params;
		printf("%s: %d layers, %lld parameters; wrote %s and %s/ (float32)\n", im->path,
		       net->nlayers, (long long)params, out_nn, dir);
		printf("next: nnc quantize %s --weights %s --calib X.npy -o %s\n", out_nn, dir, q);
	}
	return 0;
}

int import_onnx(const char *model, const char *out_nn, const char *weights_dir)
{
	size_t len;
	char *buf = read_file(model, &len);
	if (!buf) {
		error_file(model, "cannot read: %s", strerror(errno));
		return -1;
	}
	if (len == 0) {
		free(buf);
		error_file(model, "empty file, not an ONNX model");
		return -1;
	}
	onnx_model *m = nnc_onnx__model_proto__unpack(NULL, len, (const uint8_t *)buf);
	free(buf);
	if (!m) {
		error_file(model, "not an ONNX model, or a truncated or corrupt one (it does not "
		           "decode as an ONNX protobuf)");
		return -1;
	}
	struct imp im = {.path = model};
	int rc = import_model(&im, m, out_nn, weights_dir);
	for (int i = 0; i < im.nl; i++) {
		free(im.l[i].w);
		free(im.l[i].b);
	}
	nnc_onnx__model_proto__free_unpacked(m, NULL);
	return rc;
}
