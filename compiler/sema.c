/* sema.c: give the syntax tree its meaning. Resolves kinds, attributes,
 * defaults and sources; infers shapes and fixed-point formats (docs/DESIGN.md §2-3);
 * sizes the exact accumulators; reports every error it finds, located. */
#include "ast.h"
#include "fixed.h"

#include <string.h>

const char *const layer_kind_names[] = {
#define X(e, s, mac, win, nsrc, pt, run) s,
	LAYER_KINDS(X)
#undef X
};
const struct kind_info kind_info[L_NKINDS] = {
#define X(e, s, mac, win, nsrc, pt, run) [e] = {s, mac, win, nsrc, pt, run},
	LAYER_KINDS(X)
#undef X
};
const char *const attr_names[] = {
#define X(e, s, t, k, d) s,
	ATTRS(X)
#undef X
};
const char *const act_names[] = {
#define X(e, s) s,
	ACTS(X)
#undef X
};
const char *const round_names[] = {
#define X(e, s) s,
	ROUNDS(X)
#undef X
};
static const enum vtype attr_types[] = {
#define X(e, s, t, k, d) t,
	ATTRS(X)
#undef X
};
static const unsigned attr_kinds[] = {
#define X(e, s, t, k, d) k,
	ATTRS(X)
#undef X
};
static const bool attr_in_default[] = {
#define X(e, s, t, k, d) d,
	ATTRS(X)
#undef X
};

/* Limits that keep every size and index in range. */
enum { MAX_DIM = 1 << 20, MIN_FRAC = -64, MAX_FRAC = 64 };
#define MAX_ELEMS ((int64_t)1 << 31)

/* One attribute's value, checked against its type. */
struct aval {
	bool set;
	bool bad;                  /* given, but wrong: already reported */
	struct loc loc;
	int64_t i;                 /* VT_INT, VT_BOOL, VT_ACT, VT_ROUND */
	int64_t pair[2];           /* VT_PAIR, VT_LIST2 */
	struct fixed_fmt fmt;      /* VT_FORMAT, VT_FORMAT_OR_NONE */
	bool none;                 /* VT_FORMAT_OR_NONE: `none` */
};

static const char *value_kind_name(enum value_kind k)
{
	static const char *names[] = {"an integer", "a name", "a format", "a string", "a list",
	                              "a boolean"};
	return names[k];
}

static int lookup(const char *const *names, int n, const char *s)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(names[i], s))
			return i;
	return -1;
}

static void list_names(char *buf, size_t len, const char *const *names, int n)
{
	buf[0] = 0;
	for (int i = 0; i < n; i++) {
		size_t used = strlen(buf);
		snprintf(buf + used, len - used, "%s%s", i ? ", " : "", names[i]);
	}
}

static bool check_format(struct fixed_fmt f, struct loc l)
{
	bool ok = true;
	if (f.w < 2 || f.w > 32) {
		error_at(l, "width %d is outside 2..32", f.w);
		ok = false;
	}
	if (f.f < MIN_FRAC || f.f > MAX_FRAC) {
		error_at(l, "fraction bits %d are outside %d..%d", f.f, MIN_FRAC, MAX_FRAC);
		ok = false;
	}
	return ok;
}

/* Check a value against the type of attribute id; fill *out. */
static bool take_value(enum attr_id id, const struct value *v, struct aval *out)
{
	const char *an = attr_names[id];
	struct aval a = {.set = true, .loc = v->loc};
	switch (attr_types[id]) {
	case VT_INT:
		if (v->kind != VAL_INT)
			goto wrong;
		if (v->i <= 0) {
			error_at(v->loc, "'%s' must be positive, not %lld", an, (long long)v->i);
			return false;
		}
		a.i = v->i;
		break;
	case VT_PAIR:
		if (v->kind == VAL_INT) {
			a.pair[0] = a.pair[1] = v->i;
		} else if (v->kind == VAL_LIST && v->nlist == 2) {
			a.pair[0] = v->list[0];
			a.pair[1] = v->list[1];
		} else if (v->kind == VAL_LIST) {
			error_at(v->loc, "'%s' takes one integer or a list of two [H, W], not %d values",
			         an, v->nlist);
			return false;
		} else {
			goto wrong;
		}
		break;
	case VT_LIST2:
		if (v->kind != VAL_LIST || v->nlist != 2) {
			error_at(v->loc, "'%s' takes a list of two integers [PI, PO]", an);
			return false;
		}
		for (int k = 0; k < 2; k++) {
			if (v->list[k] <= 0) {
				error_at(v->list_locs[k], "'%s' values must be positive", an);
				return false;
			}
			a.pair[k] = v->list[k];
		}
		break;
	case VT_BOOL:
		if (v->kind != VAL_BOOL)
			goto wrong;
		a.i = v->i;
		break;
	case VT_FORMAT_OR_NONE:
		if (v->kind == VAL_IDENT && !strcmp(v->s, "none")) {
			a.none = true;
			break;
		}
		if (v->kind == VAL_IDENT) {
			error_at(v->loc, "'%s' takes a format fixed<W,F> or none, not '%s'", an, v->s);
			return false;
		}
		/* fall through */
	case VT_FORMAT:
		if (v->kind != VAL_FORMAT)
			goto wrong;
		if (!check_format(v->fmt, v->loc))
			return false;
		a.fmt = v->fmt;
		break;
	case VT_ACT:
	case VT_ROUND: {
		bool act = attr_types[id] == VT_ACT;
		const char *const *names = act ? act_names : round_names;
		int n = act ? ACT_N : ROUND_N;
		if (v->kind != VAL_IDENT)
			goto wrong;
		int k = lookup(names, n, v->s);
		if (k < 0) {
			char buf[128];
			list_names(buf, sizeof buf, names, n);
			error_at(v->loc, "unknown %s '%s' (expected %s)", act ? "activation" : "rounding",
			         v->s, buf);
			return false;
		}
		a.i = k;
		break;
	}
	}
	*out = a;
	return true;
wrong:;
	static const char *want[] = {
		[VT_INT] = "an integer", [VT_PAIR] = "an integer or a list [H, W]",
		[VT_BOOL] = "true or false", [VT_FORMAT] = "a format fixed<W,F>",
		[VT_FORMAT_OR_NONE] = "a format fixed<W,F> or none",
		[VT_ACT] = "an activation name", [VT_ROUND] = "a rounding mode",
		[VT_LIST2] = "a list [PI, PO]",
	};
	error_at(v->loc, "'%s' takes %s, not %s", an, want[attr_types[id]],
	         value_kind_name(v->kind));
	return false;
}

/* Read a list of attributes into vals[]; kinds is the set of layer kinds
 * they apply to (for a `default`, every kind). Returns false on errors. */
static bool take_attrs(const struct attr *list, struct aval vals[A_NATTRS], int kind, bool dflt)
{
	bool ok = true;
	for (const struct attr *a = list; a; a = a->next) {
		int id = lookup(attr_names, A_NATTRS, a->name);
		if (id < 0) {
			if (kind >= 0)
				error_at(a->loc, "unknown attribute '%s' for %s", a->name,
				         layer_kind_names[kind]);
			else
				error_at(a->loc, "unknown attribute '%s'", a->name);
			ok = false;
			continue;
		}
		if (dflt && !attr_in_default[id]) {
			error_at(a->loc, "'%s' cannot be a default (a default sets weight, bias, out, round or act)",
			         a->name);
			ok = false;
			continue;
		}
		if (kind >= 0 && !(attr_kinds[id] & KMASK(kind))) {
			char buf[256] = "";
			for (int k = 0; k < A_NATTRS; k++)
				if (attr_kinds[k] & KMASK(kind)) {
					size_t used = strlen(buf);
					snprintf(buf + used, sizeof buf - used, "%s%s", used ? ", " : "",
					         attr_names[k]);
				}
			error_at(a->loc, "%s has no attribute '%s' (it takes %s)", layer_kind_names[kind],
			         a->name, buf);
			ok = false;
			continue;
		}
		if (!dflt && vals[id].set) {
			error_at(a->loc, "attribute '%s' is given twice", a->name);
			ok = false;
			continue;
		}
		if (!take_value((enum attr_id)id, a->val, &vals[id])) {
			vals[id].bad = true;
			ok = false;
		}
	}
	return ok;
}

int64_t layer_weight_count(const struct layer *l)
{
	switch (l->kind) {
	case L_CONV:
		return (int64_t)l->filters * (l->ishape.c / l->groups) * l->kh * l->kw;
	case L_FC:
		return (int64_t)l->filters * shape_elems(l->ishape);
	case L_MAXPOOL:
	case L_AVGPOOL:
	case L_RELU:
	case L_ADD:
		return 0;
	case L_NKINDS:
		break;
	}
	unreachable();
}

int64_t layer_bias_count(const struct layer *l)
{
	return kind_is_mac(l->kind) && l->has_bias ? l->filters : 0;
}

int64_t layer_fan_in(const struct layer *l)
{
	switch (l->kind) {
	case L_CONV:
		return (int64_t)(l->ishape.c / l->groups) * l->kh * l->kw;
	case L_FC:
		return shape_elems(l->ishape);
	case L_AVGPOOL:
	case L_MAXPOOL:
		return (int64_t)l->kh * l->kw;
	case L_RELU:
	case L_ADD:
		return 1;
	case L_NKINDS:
		break;
	}
	unreachable();
}

__extension__ typedef unsigned __int128 u128;

/* Bits of a two's complement number that holds every value in [-b, b]. */
static int bits_for(u128 b)
{
	int n = 1;
	while (b) {
		b >>= 1;
		n++;
	}
	return n;
}

/* The exact accumulator of a conv or fc: n products of at most
 * 2^(Wa-1) * 2^(Ww-1) each, plus the bias shifted by Facc - Fb. */
int mac_acc_bits(const struct layer *l)
{
	int64_t n = layer_fan_in(l);
	u128 prod = (u128)1 << (l->in.w - 1 + l->wt.w - 1);
	u128 b = prod * (u128)n;
	if (l->has_bias) {
		int shift = l->in.f + l->wt.f - l->bias.f;
		if (shift + l->bias.w > 100)
			return 128;
		b += (u128)1 << (l->bias.w - 1 + shift);
	}
	return bits_for(b);
}

static bool shape_windowed(struct layer *l, struct loc at)
{
	struct shape in = l->ishape;
	int ph = l->ph, pw = l->pw;
	if (l->ph >= l->kh || l->pw >= l->kw) {
		error_at(at, "pad %dx%d must be smaller than the %s %dx%d", ph, pw,
		         l->kind == L_CONV ? "kernel" : "window", l->kh, l->kw);
		return false;
	}
	if (in.h + 2 * ph < l->kh || in.w + 2 * pw < l->kw) {
		error_at(at, "%s %dx%d is larger than the %sinput %dx%d",
		         l->kind == L_CONV ? "kernel" : "window", l->kh, l->kw,
		         ph || pw ? "padded " : "", in.h + 2 * ph, in.w + 2 * pw);
		return false;
	}
	l->oshape.h = (in.h + 2 * ph - l->kh) / l->sh + 1;
	l->oshape.w = (in.w + 2 * pw - l->kw) / l->sw + 1;
	return true;
}

struct defaults {
	struct aval v[A_NATTRS];
};

static bool check_pair(const struct aval *a, const char *what, int64_t min, struct loc at)
{
	for (int k = 0; k < 2; k++)
		if (a->pair[k] < min || a->pair[k] > MAX_DIM) {
			error_at(a->set ? a->loc : at, "%s %lld is out of range (%lld..%d)", what,
			         (long long)a->pair[k], (long long)min, MAX_DIM);
			return false;
		}
	return true;
}

/* Fill a layer from its attributes and its sources' shapes and formats. */
/* conv: filters, kernel, stride, pad, groups, and the window's shape. */
static bool build_conv(struct layer *l, struct aval *v, struct loc at)
{
	if (!v[A_FILTERS].set && !v[A_FILTERS].bad)
		error_at(at, "conv '%s' needs 'filters'", l->name);
	if (!v[A_KERNEL].set && !v[A_KERNEL].bad)
		error_at(at, "conv '%s' needs 'kernel'", l->name);
	if (!v[A_FILTERS].set || !v[A_KERNEL].set)
		return false;
	l->filters = (int)v[A_FILTERS].i;
	l->kh = (int)v[A_KERNEL].pair[0];
	l->kw = (int)v[A_KERNEL].pair[1];
	if (v[A_STRIDE].set) {
		l->sh = (int)v[A_STRIDE].pair[0];
		l->sw = (int)v[A_STRIDE].pair[1];
	}
	if (v[A_PAD].set) {
		l->ph = (int)v[A_PAD].pair[0];
		l->pw = (int)v[A_PAD].pair[1];
	}
	if (!check_pair(&v[A_KERNEL], "kernel", 1, at) ||
	    (v[A_STRIDE].set && !check_pair(&v[A_STRIDE], "stride", 1, at)) ||
	    (v[A_PAD].set && !check_pair(&v[A_PAD], "pad", 0, at)))
		return false;
	if (v[A_GROUPS].set)
		l->groups = (int)v[A_GROUPS].i;
	if (l->ishape.c % l->groups || l->filters % l->groups) {
		error_at(v[A_GROUPS].loc,
		         "groups = %d must divide both the input channels (%d) and the filters (%d)",
		         l->groups, l->ishape.c, l->filters);
		return false;
	}
	l->oshape.c = l->filters;
	if (!shape_windowed(l, v[A_KERNEL].loc))
		return false;
	return true;
}

/* fc: units; its output is [units, 1, 1]. */
static bool build_fc(struct layer *l, struct aval *v, struct loc at)
{
	if (!v[A_UNITS].set) {
		if (!v[A_UNITS].bad)
			error_at(at, "fc '%s' needs 'units'", l->name);
		return false;
	}
	l->filters = (int)v[A_UNITS].i;
	l->oshape = (struct shape){l->filters, 1, 1};
	return true;
}

/* conv and fc alike: weight, bias and output formats, the accumulator,
 * MACs and parameters. */
static bool build_mac(struct layer *l, struct aval *v, struct loc at)
{
	if (l->filters > MAX_DIM) {
		error_at(v[l->kind == L_CONV ? A_FILTERS : A_UNITS].loc, "%d outputs are too many",
		         l->filters);
		return false;
	}
	l->wt = v[A_WEIGHT].set ? v[A_WEIGHT].fmt : FX_DEFAULT_WEIGHT;
	l->out = v[A_OUT].set ? v[A_OUT].fmt : FX_DEFAULT_OUT;
	int facc = l->in.f + l->wt.f;
	l->has_bias = !(v[A_BIAS].set && v[A_BIAS].none);
	if (v[A_BIAS].set && !v[A_BIAS].none) {
		l->bias = v[A_BIAS].fmt;
		if (l->bias.f > facc) {
			error_at(v[A_BIAS].loc.file ? v[A_BIAS].loc : at,
			         "bias fraction bits %d exceed the accumulator's %d (input %d + weight %d)",
			         l->bias.f, facc, l->in.f, l->wt.f);
			return false;
		}
	} else {
		l->bias = fx_default_bias(l->in, l->wt);
	}
	l->acc_bits = mac_acc_bits(l);
	l->macs = (int64_t)l->oshape.h * l->oshape.w * l->filters * layer_fan_in(l);
	l->params = layer_weight_count(l) + layer_bias_count(l);
	return true;
}

/* maxpool and avgpool: size (or global), stride, pad; avgpool's product. */
static bool build_pool(struct layer *l, struct aval *v, struct loc at)
{
	if (l->kind == L_AVGPOOL && v[A_GLOBAL].set && v[A_GLOBAL].i) {
		if (v[A_SIZE].set || v[A_STRIDE].set) {
			error_at(v[A_SIZE].set ? v[A_SIZE].loc : v[A_STRIDE].loc,
			         "a global avgpool takes no size or stride");
			return false;
		}
		l->global = true;
		l->kh = l->sh = l->ishape.h;
		l->kw = l->sw = l->ishape.w;
	} else {
		if (!v[A_SIZE].set) {
			if (!v[A_SIZE].bad && !v[A_GLOBAL].bad)
				error_at(at, "%s '%s' needs 'size'%s", layer_kind_names[l->kind], l->name,
				         l->kind == L_AVGPOOL ? " (or global = true)" : "");
			return false;
		}
		if (!check_pair(&v[A_SIZE], "size", 1, at) ||
		    (v[A_STRIDE].set && !check_pair(&v[A_STRIDE], "stride", 1, at)) ||
		    (v[A_PAD].set && !check_pair(&v[A_PAD], "pad", 0, at)))
			return false;
		l->kh = (int)v[A_SIZE].pair[0];
		l->kw = (int)v[A_SIZE].pair[1];
		l->sh = v[A_STRIDE].set ? (int)v[A_STRIDE].pair[0] : l->kh;
		l->sw = v[A_STRIDE].set ? (int)v[A_STRIDE].pair[1] : l->kw;
		if (v[A_PAD].set) {
			l->ph = (int)v[A_PAD].pair[0];
			l->pw = (int)v[A_PAD].pair[1];
		}
	}
	if (!shape_windowed(l, v[A_SIZE].set ? v[A_SIZE].loc : at))
		return false;
	if (l->kind == L_AVGPOOL) {
		/* sum (W + clog2 n bits) times M (P - clog2 n + 1 bits) plus rounding */
		int n = l->kh * l->kw;
		l->acc_bits = fx_avg_acc_bits(n, l->in.w);
		if (v[A_OUT].set)
			l->out = v[A_OUT].fmt;
		if (l->acc_bits > 64) {
			error_at(at, "avgpool of %d cells at %d bits needs a %d-bit product (over 64)",
			         n, l->in.w, l->acc_bits);
			return false;
		}
	}
	return true;
}

/* add: the second source's shape and format, the aligned sum's width. */
static bool build_add(struct network *net, struct layer *l, struct aval *v, struct loc at)
{
	const struct layer *b = l->src[1] >= 0 ? &net->layers[l->src[1]] : NULL;
	struct shape bs = b ? b->oshape : net->in_shape;
	l->in2 = b ? b->out : net->in_fmt;
	if (bs.c != l->ishape.c || bs.h != l->ishape.h || bs.w != l->ishape.w) {
		error_at(at, "add sources have different shapes [%d, %d, %d] and [%d, %d, %d]",
		         l->ishape.c, l->ishape.h, l->ishape.w, bs.c, bs.h, bs.w);
		return false;
	}
	l->out = v[A_OUT].set ? v[A_OUT].fmt : FX_DEFAULT_OUT;
	l->acc_bits = fx_add_align(l->in, l->in2).acc_bits;
	return true;
}

static void build_layer(struct network *net, struct layer *l, struct aval *v,
                        const struct defaults *d, const struct stmt *s)
{
	const struct layer *src = l->src[0] >= 0 ? &net->layers[l->src[0]] : NULL;
	l->ishape = src ? src->oshape : net->in_shape;
	l->in = src ? src->out : net->in_fmt;
	l->oshape = l->ishape;
	l->out = l->in;
	struct loc at = s->name_loc;
	unsigned kbit = KMASK(l->kind);

	/* A default applies to the kinds that take the attribute, except that it
	 * never changes a pool's format. */
	for (int id = 0; id < A_NATTRS; id++)
		if (!v[id].set && d->v[id].set && (attr_kinds[id] & kbit) &&
		    !(id == A_OUT && l->kind == L_AVGPOOL)) {
			v[id] = d->v[id];
			v[id].loc = (struct loc){0};
		}

	l->act = v[A_ACT].set ? (enum act)v[A_ACT].i : ACT_NONE;
	l->round = v[A_ROUND].set ? (enum round_mode)v[A_ROUND].i : ROUND_NEAREST;
	if (v[A_PAR].set) {
		l->par_pi = (int)v[A_PAR].pair[0];
		l->par_po = (int)v[A_PAR].pair[1];
	}
	l->groups = 1;
	l->kh = l->kw = l->sh = l->sw = 1;

	bool ok = false;
	switch (l->kind) {
	case L_CONV:
		ok = build_conv(l, v, at) && build_mac(l, v, at);
		break;
	case L_FC:
		ok = build_fc(l, v, at) && build_mac(l, v, at);
		break;
	case L_MAXPOOL:
	case L_AVGPOOL:
		ok = build_pool(l, v, at);
		break;
	case L_RELU:
		ok = true;
		break;
	case L_ADD:
		ok = build_add(net, l, v, at);
		break;
	case L_NKINDS:
		unreachable();
	}
	if (!ok)
		return;
	if (l->acc_bits > 64) {
		error_at(at, "the accumulator of '%s' needs %d bits, over 64: narrow its formats",
		         l->name, l->acc_bits);
		return;
	}
	if (shape_elems(l->oshape) >= MAX_ELEMS)
		error_at(at, "the output of '%s' has %lld elements, too many", l->name,
		         (long long)shape_elems(l->oshape));
	if (l->kind == L_FC && shape_elems(l->ishape) * l->filters > MAX_ELEMS * 4)
		error_at(at, "fc '%s' has too many weights", l->name);
}

/* The layers by name: open addressing over a power of two of slots, at
 * least twice the statements, so a lookup is a few probes however deep the
 * network (a linear search made sema quadratic in depth). The first layer
 * of a name is the one found. Reset by each sema(). */
static struct {
	int *slot;                  /* a layer index + 1, or 0: empty */
	unsigned mask;
} names;

static unsigned name_hash(const char *s)
{
	unsigned h = 2166136261u;   /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static void names_init(int cap)
{
	unsigned n = 16;
	while (n < 2u * (unsigned)cap + 2)
		n *= 2;
	names.slot = xcalloc(n, sizeof *names.slot);
	names.mask = n - 1;
}

static int find_layer(const struct network *net, const char *name)
{
	for (unsigned h = name_hash(name) & names.mask; names.slot[h]; h = (h + 1) & names.mask)
		if (!strcmp(net->layers[names.slot[h] - 1].name, name))
			return names.slot[h] - 1;
	return -2;
}

/* Append layer l to the network and to the index. */
static void add_layer(struct network *net, struct layer l)
{
	int i = net->nlayers++;
	net->layers[i] = l;
	if (find_layer(net, l.name) >= 0)
		return;
	unsigned h = name_hash(l.name) & names.mask;
	while (names.slot[h])
		h = (h + 1) & names.mask;
	names.slot[h] = i + 1;
}

static void do_input(struct network *net, const struct stmt *s, bool *have_input)
{
	if (*have_input) {
		error_at(s->loc, "a second input '%s' (a network has one input)", s->name);
		return;
	}
	if (net->nlayers)
		error_at(s->loc, "the input must come before the layers");
	*have_input = true;
	net->in_name = s->name;
	net->in_loc = s->name_loc;
	int d[3];
	for (int k = 0; k < 3; k++) {
		if (s->dims[k] <= 0 || s->dims[k] > MAX_DIM) {
			error_at(s->dim_locs[k], "input size %lld is out of range (1..%d)",
			         (long long)s->dims[k], MAX_DIM);
			d[k] = 1;
		} else {
			d[k] = (int)s->dims[k];
		}
	}
	net->in_shape = (struct shape){d[0], d[1], d[2]};
	if (shape_elems(net->in_shape) >= MAX_ELEMS)
		error_at(s->loc, "the input has too many elements");
	if (s->fmt->kind != VAL_FORMAT)
		error_at(s->fmt->loc, "the input's format must be fixed<W,F>");
	else if (check_format(s->fmt->fmt, s->fmt->loc))
		net->in_fmt = s->fmt->fmt;
	else
		net->in_fmt = FX_DEFAULT_INPUT;
}

static void do_layer(struct network *net, const struct stmt *s, const struct defaults *d,
                     int cap, const char *input_name)
{
	int kind = lookup(layer_kind_names, L_NKINDS, s->kind_name);
	if (kind < 0) {
		char buf[128];
		list_names(buf, sizeof buf, layer_kind_names, L_NKINDS);
		error_at(s->kind_loc, "unknown layer kind '%s' (expected %s)", s->kind_name, buf);
		return;
	}
	bool ok = true;
	if (find_layer(net, s->name) >= 0 || (input_name && !strcmp(s->name, input_name))) {
		error_at(s->name_loc, "duplicate name '%s'", s->name);
		ok = false;
	}
	struct layer l = {.kind = (enum layer_kind)kind, .name = s->name, .loc = s->name_loc};
	int want = kind_info[kind].sources;
	if (!s->srcs) {
		if (want > 1) {
			error_at(s->name_loc, "%s '%s' needs two sources: %s %s (a, b)", s->kind_name,
			         s->name, s->kind_name, s->name);
			ok = false;
		}
		l.src[0] = net->nlayers - 1;
		l.nsrc = 1;
	} else {
		for (const struct name_ref *n = s->srcs; n; n = n->next) {
			int idx = input_name && !strcmp(n->name, input_name) ? -1 : find_layer(net, n->name);
			if (idx == -2) {
				error_at(n->loc, "unknown source '%s'", n->name);
				ok = false;
				idx = -1;
			}
			if (l.nsrc == 2) {
				error_at(n->loc, "too many sources: %s takes %d", s->kind_name, want);
				ok = false;
				break;
			}
			l.src[l.nsrc++] = idx;
		}
		if (ok && l.nsrc != want) {
			error_at(s->name_loc, "%s takes %d source%s, not %d", s->kind_name, want,
			         want > 1 ? "s" : "", l.nsrc);
			ok = false;
		}
	}
	struct aval v[A_NATTRS] = {0};
	int before = error_count();
	take_attrs(s->attrs, v, kind, false);
	if (net->nlayers == cap)
		die("layer table full");
	/* A layer whose sources had errors is not checked: its shapes would be
	 * guesses, and its errors echoes. It is kept so that names resolve. */
	bool bad_src = false;
	for (int k = 0; k < l.nsrc; k++)
		bad_src |= l.src[k] >= 0 && net->layers[l.src[k]].bad;
	if (ok && !bad_src)
		build_layer(net, &l, v, d, s);
	l.bad = !ok || bad_src || error_count() > before;
	add_layer(net, l);
}

struct network *sema(struct ast_file *ast)
{
	int before = error_count();
	struct network *net = xcalloc(1, sizeof *net);
	net->name = ast->name;
	net->file = ast->path;
	net->loc = ast->loc;
	net->output = -1;
	int cap = 0;
	for (struct stmt *s = ast->stmts; s; s = s->next)
		cap++;
	net->layers = xcalloc((size_t)cap + 1, sizeof *net->layers);
	names_init(cap);

	struct defaults d = {0};
	bool have_input = false;
	const char *input_name = NULL;
	struct stmt *output = NULL;
	for (struct stmt *s = ast->stmts; s; s = s->next) {
		switch (s->kind) {
		case ST_INPUT:
			if (!have_input)
				input_name = s->name;
			do_input(net, s, &have_input);
			break;
		case ST_DEFAULT:
			take_attrs(s->attrs, d.v, -1, true);
			break;
		case ST_LAYER:
			if (!have_input) {
				/* not checked: the input statement (or its absence) is the error */
				add_layer(net, (struct layer){.name = s->name, .bad = true});
				break;
			}
			do_layer(net, s, &d, cap, input_name);
			break;
		case ST_OUTPUT:
			if (output)
				error_at(s->loc, "a second output statement");
			output = s;
			break;
		}
	}
	if (!have_input)
		error_at(ast->loc, "network '%s' has no input statement", ast->name);
	else if (!net->nlayers && error_count() == 0)
		error_at(ast->loc, "network '%s' has no layers", ast->name);
	if (output) {
		int idx = find_layer(net, output->name);
		if (idx < 0)
			error_at(output->name_loc, "unknown output layer '%s'", output->name);
		net->output = idx;
	} else {
		net->output = net->nlayers - 1;
	}
	return error_count() > before ? NULL : net;
}
