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
 * to DIR as float32 in the PyTorch layouts (docs/DESIGN.md §6).
 *
 * A conv or fc without a bias in the model (and no BatchNormalization or
 * added constant to make one) is written with `bias = none`. */
#include "import.h"
#include "npy.h"

#include <ctype.h>
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

/* ---- messages -------------------------------------------------------------- */

const char *node_name(const onnx_node *n)
{
	if (n->name && *n->name)
		return n->name;
	if (n->n_output && *n->output[0])
		return n->output[0];
	return "(unnamed)";
}

/* "MODEL: error: node 'NAME' (OP): MESSAGE" */
bool node_error(struct imp *im, const char *fmt, ...)
{
	char buf[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	error_file(im->path, "node '%s' (%s): %s", node_name(im->node), im->node->op_type, buf);
	return false;
}

const char *dtype_name(int t)
{
	static const char *const names[] = {
		"undefined", "float", "uint8", "int8", "uint16", "int16", "int32", "int64", "string",
		"bool", "float16", "double", "uint32", "uint64", "complex64", "complex128", "bfloat16",
	};
	return t >= 0 && t < (int)(sizeof names / sizeof names[0]) ? names[t] : "unknown";
}

const char *shape_str(struct shape s, bool flat)
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
struct tinfo *tget(struct imp *im, const char *name)
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

const onnx_attr *attr(const onnx_node *n, const char *name)
{
	for (size_t i = 0; i < n->n_attribute; i++)
		if (n->attribute[i]->name && !strcmp(n->attribute[i]->name, name))
			return n->attribute[i];
	return NULL;
}

int64_t attr_int(const onnx_node *n, const char *name, int64_t dflt)
{
	const onnx_attr *a = attr(n, name);
	return a && a->has_i ? a->i : dflt;
}

double attr_float(const onnx_node *n, const char *name, double dflt)
{
	const onnx_attr *a = attr(n, name);
	return a && a->has_f ? a->f : dflt;
}

/* The list attribute name into v[want]; false after an error. Absent: v
 * keeps its defaults. */
bool attr_ints(struct imp *im, const char *name, int64_t *v, size_t want)
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

const char *attr_str(const onnx_node *n, const char *name, const char *dflt)
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

const char *list_str(const int64_t *v, size_t n)
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

int64_t tensor_count(const onnx_tensor *t)
{
	int64_t n = 1;
	for (size_t i = 0; i < t->n_dims; i++) {
		if (t->dims[i] < 0 || t->dims[i] > ((int64_t)1 << 40))
			return -1;
		if (t->dims[i] && n > ((int64_t)1 << 40) / t->dims[i])
			return -1;
		n *= t->dims[i];
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
double *const_values(struct imp *im, const onnx_tensor *t, bool ints, int64_t *count)
{
	const char *tn = t->name && *t->name ? t->name : "(unnamed)";
	if ((t->has_data_location && t->data_location == 1) || t->n_external_data) {
		/* never opened: a model from elsewhere could name any file */
		const char *where = NULL;
		for (size_t i = 0; i < t->n_external_data; i++)
			if (t->external_data[i]->key && !strcmp(t->external_data[i]->key, "location"))
				where = t->external_data[i]->value;
		node_error(im, "initializer '%s' keeps its data in an external file%s%s%s; nnc reads "
		           "only models with the data inside and opens no other file (re-export "
		           "without external data)", tn, where ? " '" : "", where ? where : "",
		           where ? "'" : "");
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

const char *input_name(const onnx_node *n, size_t k)
{
	return k < n->n_input && *n->input[k] ? n->input[k] : NULL;
}

/* Input k, which must be an activation. */
struct tinfo *in_act(struct imp *im, size_t k)
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
const onnx_tensor *in_const(struct imp *im, size_t k, bool optional, bool *bad)
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

struct shape act_shape(struct imp *im, const struct tinfo *v)
{
	return v->layer >= 0 ? im->l[v->layer].out : im->in_shape;
}

/* Outputs beyond the first (masks, indices, statistics) must be unused. */
bool only_first_output(struct imp *im)
{
	for (size_t k = 1; k < im->node->n_output; k++)
		if (*im->node->output[k] && uses_of(im, im->node->output[k]))
			return node_error(im, "its output '%s' is used; nnc computes only the first output",
			                  im->node->output[k]);
	return true;
}

/* ---- names ------------------------------------------------------------------ */

/* The names taken, compared without case: the weights go to files named
 * after the layers, and on a case-insensitive file system conv_1.weight.npy
 * and Conv_1.weight.npy are one file. An open-addressing table, so a graph of
 * many thousand nodes is named in linear time. */
static size_t fold_hash(const char *s)
{
	size_t h = 2166136261u;
	for (; *s; s++)
		h = (h ^ (unsigned char)tolower((unsigned char)*s)) * 16777619u;
	return h;
}

static bool name_taken(const struct imp *im, const char *s)
{
	static const char *const keywords[] = {"network", "input", "default", "output", "fixed",
	                                       "true", "false"};
	for (size_t i = 0; i < sizeof keywords / sizeof keywords[0]; i++)
		if (!strcmp(s, keywords[i]))
			return true;
	if (!im->capnames)
		return false;
	for (size_t h = fold_hash(s) & (size_t)(im->capnames - 1); im->names[h];
	     h = (h + 1) & (size_t)(im->capnames - 1))
		if (!strcasecmp(im->names[h], s))
			return true;
	return false;
}

static void name_add(struct imp *im, const char *s)
{
	if (2 * (im->nnames + 1) > im->capnames) {
		int cap = im->capnames ? 2 * im->capnames : 64;
		const char **t = xcalloc((size_t)cap, sizeof *t);
		for (int i = 0; i < im->capnames; i++) {
			if (!im->names[i])
				continue;
			size_t h = fold_hash(im->names[i]) & (size_t)(cap - 1);
			while (t[h])
				h = (h + 1) & (size_t)(cap - 1);
			t[h] = im->names[i];
		}
		im->names = t;
		im->capnames = cap;
	}
	size_t h = fold_hash(s) & (size_t)(im->capnames - 1);
	while (im->names[h])
		h = (h + 1) & (size_t)(im->capnames - 1);
	im->names[h] = s;
	im->nnames++;
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
	name_add(im, s);
	return s;
}

/* ---- layers ----------------------------------------------------------------- */

/* A new layer from the current node, reading src; the node's first output
 * becomes its activation. */
struct ilayer *new_layer(struct imp *im, enum layer_kind kind, const struct tinfo *src,
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
void alias(struct imp *im, const struct tinfo *v, bool flat)
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
int foldable(struct imp *im, const struct tinfo *v, unsigned kinds)
{
	if (v->layer < 0)
		return -1;
	const struct ilayer *l = &im->l[v->layer];
	return (KMASK(l->kind) & kinds) && l->uses == 1 ? v->layer : -1;
}

/* The current node was folded into layer i: its output is the layer's. */
void folded(struct imp *im, int i, bool flat)
{
	struct tinfo *o = tget(im, im->node->output[0]);
	o->kind = T_ACT;
	o->layer = i;
	o->flat = flat;
	im->l[i].uses = o->uses;
}

/* ---- windows: kernel, strides, pads ----------------------------------------- */


/* Strides, pads (symmetric only, or auto_pad), dilations (1) and, for
 * pools, ceil_mode (only where it changes nothing), over an input of shape s. */
bool read_window(struct imp *im, struct shape s, struct window *w, bool pool)
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

struct shape window_out(struct shape s, const struct window *w, int c)
{
	return (struct shape){c, (int)((s.h + 2 * w->ph - w->kh) / w->sh + 1),
	                      (int)((s.w + 2 * w->pw - w->kw) / w->sw + 1)};
}

void set_window(struct ilayer *l, const struct window *w)
{
	l->kh = (int)w->kh;
	l->kw = (int)w->kw;
	l->sh = (int)w->sh;
	l->sw = (int)w->sw;
	l->ph = (int)w->ph;
	l->pw = (int)w->pw;
}

float *to_float(const double *d, int64_t n)
{
	float *f = big_alloc((size_t)n * sizeof *f);
	for (int64_t i = 0; i < n; i++)
		f[i] = (float)d[i];
	return f;
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
	f->stmts = ast_stmts_in_order(list);
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
		if (!kind_is_mac(l->kind))
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

/* Every tensor is written once: by one node, and never a name that is the
 * graph's input or an initializer. Then, since a node may only read what
 * was written before it, the graph has no cycle. All offenders are named. */
static bool check_writers(struct imp *im)
{
	const onnx_graph *g = im->g;
	bool ok = true;
	for (size_t i = 0; i < g->n_node; i++) {
		const onnx_node *n = g->node[i];
		for (size_t k = 0; k < n->n_output; k++) {
			if (!*n->output[k])
				continue;
			struct tinfo *v = tget(im, n->output[k]);
			im->node = n;
			if (v->producer) {
				node_error(im, "writes '%s', which node '%s' (%s) already wrote: a tensor has "
				           "one producer", v->name, node_name(v->producer),
				           v->producer->op_type ? v->producer->op_type : "?");
				ok = false;
			} else if (v->kind == T_CONST) {
				node_error(im, "writes '%s', which is an initializer", v->name);
				ok = false;
			} else if (v->kind == T_ACT) {
				node_error(im, "writes '%s', which is the graph's input", v->name);
				ok = false;
			}
			v->producer = n;
		}
	}
	im->node = NULL;
	return ok;
}

/* The model imported and checked by sema: the network, or NULL after errors
 * (all of them reported). */
static struct network *import_graph(struct imp *im, const onnx_model *m, const char *net_name)
{
	const onnx_graph *g = m->graph;
	if (!g) {
		error_file(im->path, "not an ONNX model: it has no graph");
		return NULL;
	}
	im->g = g;
	im->opset = 1;
	for (size_t i = 0; i < m->n_opset_import; i++) {
		const char *d = m->opset_import[i]->domain;
		if (!d || !*d || !strcmp(d, "ai.onnx"))
			im->opset = m->opset_import[i]->version;
	}
	if (im->opset > ONNX_OPSET_KNOWN)
		warn_file(im->path, "opset %lld is newer than the newest nnc knows (%d): an operator "
		          "whose definition changed since may import wrongly; check the result with "
		          "`nnc run --float` against the framework", (long long)im->opset,
		          ONNX_OPSET_KNOWN);

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

	if (!read_input(im) || !check_writers(im))
		return NULL;
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
			} else if (v->kind == T_UNKNOWN && v->producer) {
				node_error(im, "input '%s' is written by node '%s', which comes later: the "
				           "graph is not in topological order, or has a cycle", n->input[k],
				           node_name(v->producer));
				ok = false;
			} else if (v->kind == T_UNKNOWN) {
				node_error(im, "input '%s' is neither the graph's input, an initializer nor "
				           "the output of a node", n->input[k]);
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
		return NULL;

	if (g->n_output != 1) {
		error_file(im->path, "the graph has %zu outputs; an nnc network has one", g->n_output);
		return NULL;
	}
	struct tinfo *o = tget(im, g->output[0]->name);
	if (o->kind == T_UNKNOWN) {
		error_file(im->path, "the graph's output '%s' is not computed by any node", o->name);
		return NULL;
	}
	if (o->kind != T_ACT || o->layer < 0) {
		error_file(im->path, "the graph's output '%s' is %s, not computed by any layer nnc can "
		           "build", o->name, o->kind == T_CONST ? "a constant" : "its input");
		return NULL;
	}

	struct ast_file *ast = build_ast(im, net_name, o->layer);
	struct network *net = sema(ast);
	if (!net) {
		error_file(im->path, "the imported network does not check (the errors above are nnc's "
		           "own and located in the generated network)");
		return NULL;
	}
	for (int i = 0; i < im->nl; i++) {
		struct shape a = net->layers[i].oshape, b = im->l[i].out;
		if (a.c != b.c || a.h != b.h || a.w != b.w)
			die("import: layer %s is [%d, %d, %d], sema says [%d, %d, %d]", im->l[i].name, b.c,
			    b.h, b.w, a.c, a.h, a.w);
	}
	return net;
}

static int import_model(struct imp *im, const onnx_model *m, const char *out_nn, const char *dir)
{
	struct network *net = import_graph(im, m, network_name(out_nn));
	if (!net)
		return -1;

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

/* The model decoded, or NULL after an error. */
static onnx_model *decode(const char *path, const void *buf, size_t len)
{
	if (len == 0) {
		error_file(path, "empty file, not an ONNX model");
		return NULL;
	}
	onnx_model *m = nnc_onnx__model_proto__unpack(NULL, len, buf);
	if (!m)
		error_file(path, "not an ONNX model, or a truncated or corrupt one (it does not "
		           "decode as an ONNX protobuf)");
	return m;
}

static void release(struct imp *im, onnx_model *m)
{
	for (int i = 0; i < im->nl; i++) {
		free(im->l[i].w);
		free(im->l[i].b);
	}
	nnc_onnx__model_proto__free_unpacked(m, NULL);
}

int import_onnx(const char *model, const char *out_nn, const char *weights_dir)
{
	size_t len;
	char *buf = read_file(model, &len);
	if (!buf) {
		error_file(model, "cannot read: %s", strerror(errno));
		return -1;
	}
	onnx_model *m = decode(model, buf, len);
	free(buf);
	if (!m)
		return -1;
	struct imp im = {.path = model};
	int rc = import_model(&im, m, out_nn, weights_dir);
	release(&im, m);
	return rc;
}

int import_onnx_check(const char *path, const void *buf, size_t len)
{
	onnx_model *m = decode(path, buf, len);
	if (!m)
		return -1;
	struct imp im = {.path = path};
	int rc = import_graph(&im, m, "net") ? 0 : -1;
	release(&im, m);
	return rc;
}
