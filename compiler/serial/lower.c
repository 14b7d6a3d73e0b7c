/* lower.c: the layer-serial lowering. The network becomes a table of
 * descriptors for one TM x TN engine (templates/nn_serial_core.v): each
 * conv and fc (with a following relu and a simple max pool fused), each
 * pool or relu left over (a pass over memory), each add (a 1x1 "conv" over
 * both sources with weights 2^shift). The lowering places the weights and
 * the feature maps in the external memory and tiles every descriptor
 * within the engine's buffers (tile.c), fusing conv pairs (fuse.c); write.c
 * writes the files.
 *
 * Memory words are MW bits. A feature map of C x H x W values in a
 * container of 8, 16 or 32 bits (the smallest that holds its format) is
 * stored channel plane after channel plane, each row padded to whole words
 * (WPW words), value x of a row in bits (x mod E)*cw of word x/E, E = MW/cw.
 * Weights are stored tile by tile in the order the array consumes them. */
#include "lower.h"

#include <stdlib.h>
#include <string.h>


static int new_tensor(struct serial *s, const char *name, struct shape sh, struct fixed_fmt f)
{
	if (s->ntens == s->cap_tens) {
		s->cap_tens = s->cap_tens ? 2 * s->cap_tens : 16;
		struct stensor *t = xcalloc((size_t)s->cap_tens, sizeof *t);
		if (s->ntens)
			memcpy(t, s->tens, (size_t)s->ntens * sizeof *t);
		s->tens = t;
	}
	struct stensor *t = &s->tens[s->ntens];
	t->name = name;
	t->s = sh;
	t->fmt = f;
	t->cw = ctz_container(f.w);
	t->wpw = (int)cdiv(sh.w, s->mw / t->cw);
	t->plane = (int64_t)sh.h * t->wpw;
	t->words = t->plane * sh.c;
	t->fh = sh.h;
	t->foff = 0;
	return s->ntens++;
}

static void set_container(struct serial *s, struct stensor *t, int cw)
{
	t->cw = cw;
	t->wpw = (int)cdiv(t->s.w, s->mw / cw);
	t->plane = (int64_t)t->s.h * t->wpw;
	t->words = t->plane * t->s.c;
}

/* ---- lowering ---------------------------------------------------------------- */

static void set_requant(struct sdesc *d, int s, enum round_mode r, struct fixed_fmt out,
                        enum act act, int acc_w)
{
	if (s > acc_w + 2)
		s = acc_w + 2;
	if (s < -40)
		s = -40;
	d->shift = s;
	d->rnd = r == ROUND_NEAREST;
	d->outw = out.w;
	d->act = act;
	d->cap = fx_relu6_cap(out);
}

/* The maps as one frame sees them (a batched map holds more rows than a
 * frame writes or reads); the fc tail reads all of its input's rows. */
static void geometry(const struct serial *s, struct sdesc *d, const struct stensor *in,
                     const struct stensor *out)
{
	d->ci = ccode(in->cw);
	d->co = ccode(out->cw);
	d->h = in->fh;
	d->w = in->s.w;
	d->wpwi = in->wpw;
	d->plane_i = in->plane;
	d->poh = out->fh;
	d->pow = out->s.w;
	d->wpwo = out->wpw;
	d->plane_o = out->plane;
	(void)s;
}

/* Few input channels: pack kernel positions (px columns by py rows) into
 * the idle array columns (a 3-channel first layer would use 3 of TN), the
 * fewest steps ceil(KH/py)*ceil(KW/px). */
static void kernel_pack(const struct serial *s, struct sdesc *d)
{
	int bpx = 1, bpy = 1;
	int64_t best = (int64_t)d->kh * d->kw;
	for (int py = 1; py <= d->kh; py++)
		for (int px = 1; px <= d->kw; px++) {
			if (px * py * d->c > s->tn || px * py * d->c > 64 || px > 255 || py > 255)
				continue;
			int64_t steps = cdiv(d->kh, py) * cdiv(d->kw, px);
			if (steps < best || (steps == best && px * py < bpx * bpy)) {
				best = steps;
				bpx = px;
				bpy = py;
			}
		}
	if (bpx * bpy == 1)
		return;
	d->packed = 1;
	d->pack = bpx;
	d->packy = bpy;
	d->creal = d->c;
	d->pm = (int)cdiv(65536, d->c);
	d->pm2 = (int)cdiv(65536, bpx);
	d->pmask = 0;
	for (int j = 0; j < bpx * bpy; j++)
		d->pmask |= (uint64_t)1 << (j * d->c);
	d->c = d->csplit = bpx * bpy * d->c;
	d->lanes = s->tn;
	d->kw = (int)cdiv(d->kwo, bpx);
	d->kh = (int)cdiv(d->kho, bpy);
}

/* Reduction packing of `from` (d, or d before kernel packing): rpe
 * (channel, kernel position) pairs a step, every group of g = gcd(c, TN)
 * lanes its own channels (pmask: the banks of residue 0); it replaces d
 * when it tiles and the estimate says it is faster. */
static void try_reduction_pack(struct serial *s, struct sdesc *d, const struct sdesc *from,
                               const struct layer *l, int g, int rpe, int rpq)
{
	struct sdesc r = *from;
	r.rp = 1;
	r.rpg = g;
	r.rpe = rpe;
	r.rpq = rpq;
	r.kh = r.kw = 1;
	r.pmask = 0;
	for (int j = 0; j < s->tn / g; j++)
		r.pmask |= (uint64_t)1 << (j * g);
	r.lanes = s->tn;
	if (serial_tile_at(s, &r, l->loc, NULL) == 0 && r.est < d->est)
		*d = r;
}

static int gcd(int a, int b)
{
	while (b) {
		int t = a % b;
		a = b;
		b = t;
	}
	return a;
}

/* d's channels, kernel and strides: a conv as it is; an fc reads its input
 * as C*H channels of one row (the same words: the rows of a plane follow
 * each other) with a 1 x W kernel; in the batched tail, as an H x W conv
 * with stride H over C planes holding the frames' maps one under the
 * other: one output row a frame. */
static void mac_shape(const struct serial *s, struct sdesc *d, const struct layer *l, bool tail,
                      const struct stensor *in, const struct stensor *out)
{
	if (l->kind == L_CONV) {
		d->kh = l->kh; d->kw = l->kw; d->sh = l->sh; d->sw = l->sw;
		d->ph = l->ph; d->pw = l->pw;
		d->ow = l->oshape.w;
	} else if (tail) {
		d->kh = l->ishape.h; d->kw = l->ishape.w; d->sh = l->ishape.h; d->sw = 1;
		d->ow = 1;
	} else {
		d->kh = 1; d->kw = l->ishape.w; d->sh = 1; d->sw = 1;
		d->ow = 1;
	}
	geometry(s, d, in, out);
	if (tail) {
		d->h = in->s.h;
		d->poh = out->s.h;
	} else if (l->kind == L_FC) {
		d->h = 1;
		d->plane_i = in->wpw;
	}
	d->kwo = d->kw;
	d->kho = d->kh;
}

/* A conv or fc layer, its fused relu and max pool: one descriptor per set
 * of groups that fills the TM output lanes, its lanes packed the fastest
 * way the estimate finds. */
static int lower_mac(struct serial *s, const struct network *net, int i, int last, int pk,
                     enum act act, int tin, int tout)
{
	const struct layer *l = &net->layers[i];
	const struct stensor *in = &s->tens[tin], *out = &s->tens[tout];
	int groups = l->kind == L_CONV ? l->groups : 1;
	int cg = l->ishape.c / groups, fg = l->filters / groups;
	bool tail = i >= s->tail_layer;
	if (l->kind == L_FC && !tail)
		cg = l->ishape.c * l->ishape.h;
	bool conv1 = l->kind == L_CONV && groups == 1;
	int per = fg >= s->tm ? 1 : s->tm / fg;
	for (int g0 = 0; g0 < groups; g0 += per) {
		int ng = groups - g0 < per ? groups - g0 : per;
		struct sdesc *d = serial_new_desc(s);
		d->layer = i;
		d->last_layer = last;
		d->name = l->name;
		d->op = SOP_MAC;
		d->wkind = W_LAYER;
		d->wl = l;
		d->c0 = g0 * cg;
		d->f0 = g0 * fg;
		d->cg = cg;
		d->fg = fg;
		d->c = ng * cg;
		d->csplit = d->c;
		d->f = ng * fg;
		mac_shape(s, d, l, tail, in, out);
		d->pk = pk;
		struct sdesc base = *d;
		if (d->c * 2 <= s->tn && conv1)
			kernel_pack(s, d);
		d->in_a = in->base + (int64_t)d->c0 * d->plane_i;
		d->in_b = d->in_a;
		d->out = out->base + (int64_t)d->f0 * out->plane;
		d->ta = d->tb = tin;
		d->tout = tout;
		set_requant(d, l->in.f + l->wt.f - l->out.f, l->round, l->out, act, s->acc_w);
		if (serial_tile_at(s, d, l->loc, xprintf("%s '%s'", layer_kind_names[l->kind], l->name)))
			return -1;
		/* TN does not divide the channels: the last block of TN lanes is
		 * partly idle (64 channels take 3 blocks of 24, 0.89 of the
		 * lanes). Reduction packing cuts the c*KH*KW pairs into steps of
		 * TN instead (64*9 pairs: 24 full steps); its channels
		 * replicated in TN/gcd(c, TN) banks leave fewer rows a tile. */
		if (!d->packed && conv1 && d->c > s->tn && d->c % s->tn && d->kh <= 255 &&
		    d->kw <= 255 && (int64_t)d->c * d->kh * d->kw < 65536)
			try_reduction_pack(s, d, d, l, gcd(s->tn, d->c), s->tn, 0);
		/* fewer channels than lanes: kernel packing puts a rectangle of
		 * PX x PY positions in the lanes (3 channels, 16 lanes: 3 x 1,
		 * 3 steps for a 3x3 kernel); the flattened pairs take
		 * floor(TN/C) positions a step whatever the kernel's shape (5:
		 * 2 steps), each lane keeping its channel (bank n holds channel
		 * n mod C only). Tried from the descriptor as lowered
		 * (addresses, requantization) with its channels and kernel
		 * before kernel packing. */
		if (base.c < s->tn && s->tn / base.c >= 2 && conv1 && base.kh <= 255 &&
		    base.kw <= 255 && (int64_t)base.c * base.kh * base.kw < 65536) {
			struct sdesc r = *d;
			r.c = r.csplit = base.c;
			r.kh = base.kh;
			r.kw = base.kw;
			r.packed = 0;
			r.pack = r.packy = 1;
			r.creal = 0;
			r.pm = r.pm2 = 0;
			int n = s->tn / r.c;
			try_reduction_pack(s, d, &r, l, r.c, n * r.c, n);
		}
	}
	return 0;
}

static int lower_pass(struct serial *s, const struct network *net, int i, int tin, int tout)
{
	const struct layer *l = &net->layers[i];
	const struct stensor *in = &s->tens[tin], *out = &s->tens[tout];
	struct sdesc *d = serial_new_desc(s);
	d->layer = i;
	d->last_layer = i;
	d->name = l->name;
	d->c = d->csplit = d->f = l->ishape.c;
	geometry(s, d, in, out);
	d->ow = l->oshape.w;
	d->in_a = d->in_b = in->base;
	d->out = out->base;
	d->ta = d->tb = tin;
	d->tout = tout;
	if (kind_info[l->kind].windowed) {
		d->kh = l->kh; d->kw = l->kw; d->sh = l->sh; d->sw = l->sw;
		d->ph = l->ph; d->pw = l->pw;
	} else {
		d->kh = d->kw = d->sh = d->sw = 1;
	}
	switch (l->kind) {
	case L_RELU:
		d->op = SOP_MAX;
		set_requant(d, 0, ROUND_FLOOR, l->out, ACT_RELU, s->acc_w);
		break;
	case L_MAXPOOL:
		d->op = SOP_MAX;
		d->padv = fx_min(l->in.w);
		set_requant(d, 0, ROUND_FLOOR, l->out, ACT_NONE, s->acc_w);
		break;
	case L_AVGPOOL: {
		int p;
		int64_t m;
		fx_avg_consts(l->kh * l->kw, &p, &m);
		d->op = SOP_SUM;
		d->avgm = m;
		d->avgp = p;
		set_requant(d, l->in.f - l->out.f, l->round, l->out, ACT_NONE, s->acc_w);
		break;
	}
	case L_CONV:
	case L_FC:
	case L_ADD:
	case L_NKINDS:
		/* not a pass: kind_info[].serial_run sends these elsewhere */
		unreachable();
	}
	return serial_tile_at(s, d, l->loc, xprintf("%s '%s'", layer_kind_names[l->kind], l->name));
}

/* add: per block of TM channels, a 1x1 MAC over [a; b] with a on the
 * diagonal times 2^sa and b times 2^sb. */
static int lower_add(struct serial *s, const struct network *net, int i, int ta, int tb,
                     int tout)
{
	const struct layer *l = &net->layers[i];
	const struct stensor *a = &s->tens[ta], *b = &s->tens[tb], *out = &s->tens[tout];
	struct fx_align al = fx_add_align(l->in, l->in2);
	if (a->cw != b->cw) {
		error_at(l->loc, "add '%s': in serial mode both sources need the same container "
		         "width (%d and %d bits)", l->name, a->cw, b->cw);
		return -1;
	}
	for (int o0 = 0; o0 < l->ishape.c; o0 += s->tm) {
		int nm = l->ishape.c - o0 < s->tm ? l->ishape.c - o0 : s->tm;
		struct sdesc *d = serial_new_desc(s);
		d->layer = i;
		d->last_layer = i;
		d->name = l->name;
		d->op = SOP_MAC;
		d->wkind = W_ADD;
		d->sa = al.sa;
		d->sb = al.sb;
		d->c = 2 * nm;
		d->csplit = nm;
		d->f = nm;
		d->kh = d->kw = d->sh = d->sw = 1;
		geometry(s, d, a, out);
		d->ow = l->oshape.w;
		d->in_a = a->base + (int64_t)o0 * a->plane;
		d->in_b = b->base + (int64_t)o0 * b->plane;
		d->out = out->base + (int64_t)o0 * out->plane;
		d->ta = ta;
		d->tb = tb;
		d->tout = tout;
		set_requant(d, al.f - l->out.f, l->round, l->out, l->act, s->acc_w);
		if (serial_tile_at(s, d, l->loc, xprintf("add '%s'", l->name)))
			return -1;
	}
	return 0;
}

/* ---- batching ---------------------------------------------------------------- */

/* Give t rows for every frame: frame f's rows fh*f .. fh*f + fh - 1 of
 * each plane (the fc tail reads them as one map of batch*fh rows). */
static void batch_rows(struct serial *s, struct stensor *t, int fh)
{
	t->fh = fh;
	t->s.h = fh * s->batch;
	t->plane = (int64_t)t->s.h * t->wpw;
	t->words = t->plane * t->s.c;
	t->foff = (int64_t)fh * t->wpw;
}

/* The maps before the tail: the input gets a region a frame; the tail's
 * input gathers the frames' maps (batch_rows); every other map is reused
 * frame after frame. */
static void batch_maps(struct serial *s, const struct network *net, const int *tens_of, int first)
{
	const struct layer *l = &net->layers[first];
	int g = l->src[0] >= 0 ? tens_of[l->src[0]] : s->in_tensor;
	batch_rows(s, &s->tens[g], s->tens[g].s.h);
	if (g != s->in_tensor) {
		struct stensor *in = &s->tens[s->in_tensor];
		in->foff = in->words;
		in->words *= s->batch;
	}
}

/* The descriptors so far are frame 0's: append frames 1 .. batch-1, each a
 * copy reading and writing its own frame's maps and fetching frame 0's
 * weights. */
static void repeat_frames(struct serial *s)
{
	int n = s->ndesc;
	for (int f = 1; f < s->batch; f++)
		for (int j = 0; j < n; j++) {
			struct sdesc c = s->desc[j];
			c.wsrc = j;
			if (!c.isc) {
				c.in_a += f * s->tens[c.ta].foff;
				c.in_b += f * s->tens[c.tb].foff;
			}
			if (!c.osc)
				c.out += f * s->tens[c.tout].foff;
			*serial_new_desc(s) = c;
		}
}

/* A network's need against a fixed engine's width: a located error naming
 * the limit and the engine when it exceeds it. */
static int need(const struct serial *s, struct loc at, const char *what, int bits, int have,
                const char *limit)
{
	if (!s->fixed || bits <= have)
		return 0;
	error_at(at, "%s needs %d-bit %s, over the engine's %d-bit (%s)", what, bits, limit, have,
	         s->spec_file);
	return -1;
}

/* The engine's widths: containers, accumulator, buffers. With a fixed
 * engine (s->fixed: its spec already set them) each layer's need is checked
 * against them instead. */
static int size_engine(struct serial *s, const struct network *net, const struct compile_opts *o)
{
	if (!s->fixed && serial_spec_shape(s, o, 8))
		return -1;
	s->tp = s->tm < s->tn ? s->tm : s->tn;
	int cw = ctz_container(net->in_fmt.w), wcw = 8, acc = 2, avg = 0;
	if (need(s, net->in_loc, xprintf("input '%s' (fixed<%d,%d>)", net->in_name, net->in_fmt.w,
	                                 net->in_fmt.f), cw, s->cw, "containers"))
		return -1;
	for (int i = 0; i < net->nlayers; i++) {
		const struct layer *l = &net->layers[i];
		const char *who = xprintf("%s '%s'", layer_kind_names[l->kind], l->name);
		int c = ctz_container(l->out.w), lw = 0, la = 0;
		if (c > cw)
			cw = c;
		switch (l->kind) {
		case L_CONV:
		case L_FC:
			lw = ctz_container(l->wt.w);
			la = l->acc_bits;
			break;
		case L_ADD: {
			struct fx_align al = fx_add_align(l->in, l->in2);
			int sh = al.sa > al.sb ? al.sa : al.sb;
			if (sh + 2 > 32) {
				error_at(l->loc, "add '%s': its sources' fraction bits differ by %d, over "
				         "the 30 the serial engine scales by", l->name, sh);
				return -1;
			}
			lw = ctz_container(sh + 2);
			la = l->acc_bits + 1;
			break;
		}
		case L_AVGPOOL:
			la = l->in.w + clog2i(l->kh * l->kw) + 1;
			if (la > avg && l->live)
				avg = la;
			if (l->live && s->fixed && !s->avg_w) {
				error_at(l->loc, "%s: the engine has no average pass (%s)", who,
				         s->spec_file);
				return -1;
			}
			if (l->live && need(s, l->loc, xprintf("%s: the sum of its %d-pixel window", who,
			                                       l->kh * l->kw),
			                    la, s->avg_w, "average-pass inputs"))
				return -1;
			break;
		case L_MAXPOOL:
		case L_RELU:
			break;
		case L_NKINDS:
			unreachable();
		}
		if (lw > wcw)
			wcw = lw;
		if (la > acc)
			acc = la;
		if (l->live && (need(s, l->loc, xprintf("%s: its output fixed<%d,%d>", who, l->out.w,
		                                        l->out.f), c, s->cw, "containers") ||
		                need(s, l->loc, xprintf("%s: its weights", who), lw, s->wcw,
		                     "containers") ||
		                need(s, l->loc, xprintf("%s: its accumulator", who), la, s->acc_w,
		                     "accumulators")))
			return -1;
	}
	if (acc < cw + 1)
		acc = cw + 1;
	if (!s->fixed) {
		s->cw = cw;
		s->wcw = wcw;
		s->acc_w = acc;
		s->avg_w = avg;
		s->bw = acc <= 32 ? 32 : 64;
		s->maxb = 256;
	}
	if (s->mw < s->cw) {
		error_plain("--mem-width %d is narrower than the %d-bit values of %s", s->mw, s->cw,
		            net->name);
		return -1;
	}
	s->wsub = (int)cdiv((int64_t)s->tm * s->tn * s->wcw, s->mw);
	s->nbw = (int)cdiv((int64_t)s->tm * s->bw, s->mw);
	s->len_w = 9;
	return 0;
}

/* The maps' addresses: the input and the output at the start of their
 * regions, every other map first fit over the live ranges in the work
 * region, so its words are reused once its last reader is done (the
 * ping-pong of a plain chain); pinned maps never share. */
static void place_tensors(struct serial *s)
{
	int64_t top = 0;
	for (int t = 0; t < s->ntens; t++) {
		struct stensor *x = &s->tens[t];
		if (t == s->in_tensor || t == s->out_tensor) {
			int r = t == s->in_tensor ? SR_INPUT : SR_OUTPUT;
			x->base = saddr(r, 0);
			s->rwords[r] = x->words;
			continue;
		}
		int64_t at = 0;
		for (;;) {
			int64_t next = at;
			for (int u = 0; u < t; u++) {
				struct stensor *y = &s->tens[u];
				if (sregion_of(y->base) != SR_WORK)
					continue;
				int64_t yb = soffset(y->base);
				bool live = !(y->last_use < x->first_def || x->last_use < y->first_def);
				if (x->pinned || y->pinned)
					live = true;
				if (live && at < yb + y->words && yb < at + x->words && yb + y->words > next)
					next = yb + y->words;
			}
			if (next == at)
				break;
			at = next;
		}
		x->base = saddr(SR_WORK, at);
		if (at + x->words > top)
			top = at + x->words;
	}
	s->rwords[SR_WORK] = top;
}

/* The engine's buffers, as --bram-kbits trades them. */
enum buf { BUF_IN, BUF_WEIGHT, BUF_ACC, BUF_OUT, BUF_SCRATCH, BUF_N };

static int64_t buffer_bits_of(const struct serial *s, enum buf b, int64_t depth)
{
	switch (b) {
	case BUF_IN:
		return serial_buffer_bits(s, depth, 0, 0, 0);
	case BUF_WEIGHT:
		return serial_buffer_bits(s, 0, depth, 0, 0);
	case BUF_ACC:
		return serial_buffer_bits(s, 0, 0, depth, 0);
	case BUF_OUT:
		return serial_buffer_bits(s, 0, 0, 0, depth);
	case BUF_SCRATCH:
		return serial_scratch_bits(s, depth);
	case BUF_N:
		break;
	}
	unreachable();
}

/* ---- the steps of a lowering ------------------------------------------------- */

/* A step: one layer, or a conv/fc with the relu and max pool fused into it. */
struct step {
	int first, last, pk;
	enum serial_run run;
	enum act act;
};

struct lowering {
	struct serial *s;
	const struct network *net;
	const struct compile_opts *o;
	int *tens_of;               /* the tensor each layer's output is in */
	struct step *step;
	int nstep;
	int kt;                     /* the batched fc tail's first step (nstep: none) */
};

static int src_tensor(const struct lowering *L, int src)
{
	return src >= 0 ? L->tens_of[src] : L->s->in_tensor;
}

/* The steps: every live layer, a conv or fc taking in the relu and then the
 * simple max pool (square, stride = size, no pad) that alone read it; a
 * tensor for each step's output. */
static void plan_steps(struct lowering *L)
{
	struct serial *s = L->s;
	const struct network *net = L->net;
	int nl = net->nlayers;
	bool *handled = xcalloc((size_t)nl, sizeof *handled);
	L->tens_of = xcalloc((size_t)nl, sizeof *L->tens_of);
	L->step = xcalloc((size_t)nl, sizeof *L->step);
	L->nstep = 0;
	s->in_tensor = new_tensor(s, net->in_name, net->in_shape, net->in_fmt);
	for (int i = 0; i < nl; i++) {
		if (handled[i] || !net->layers[i].live)
			continue;
		const struct layer *l = &net->layers[i];
		struct step p = {i, i, 1, kind_info[l->kind].serial_run, l->act};
		if (p.run == RUN_MAC) {
			int j = i;
			if (j + 1 < nl && net->layers[j + 1].kind == L_RELU && net->layers[j + 1].src[0] == j &&
			    net->layers[j + 1].live && net->layers[j].readers == 1) {
				j++;
				if (p.act == ACT_NONE)
					p.act = ACT_RELU;
			}
			const struct layer *m = j + 1 < nl ? &net->layers[j + 1] : NULL;
			if (m && m->kind == L_MAXPOOL && m->src[0] == j && m->live && net->layers[j].readers == 1 &&
			    m->kh == m->kw && m->sh == m->kh && m->sw == m->kw && m->ph == 0 &&
			    m->pw == 0 && m->kh <= 15) {
				j++;
				p.pk = m->kh;
			}
			p.last = j;
		}
		for (int k = p.first; k <= p.last; k++)
			handled[k] = true;
		const struct layer *ll = &net->layers[p.last];
		L->tens_of[p.last] = new_tensor(s, ll->name, ll->oshape, ll->out);
		for (int k = p.first; k < p.last; k++)
			L->tens_of[k] = L->tens_of[p.last];
		L->step[L->nstep++] = p;
	}
	L->kt = L->nstep;
}

/* An add reads both sources through one element select: give them one
 * container (the wider), until no add's sources differ. */
static void unify_add_containers(struct lowering *L)
{
	struct serial *s = L->s;
	for (bool changed = true; changed;) {
		changed = false;
		for (int k = 0; k < L->nstep; k++) {
			const struct layer *l = &L->net->layers[L->step[k].first];
			if (L->step[k].run != RUN_ADD)
				continue;
			struct stensor *a = &s->tens[src_tensor(L, l->src[0])];
			struct stensor *b = &s->tens[src_tensor(L, l->src[1])];
			if (a->cw != b->cw) {
				int cw = a->cw > b->cw ? a->cw : b->cw;
				set_container(s, a, cw);
				set_container(s, b, cw);
				changed = true;
			}
		}
	}
}

/* --batch: the steps from kt on are the fc tail (a chain of fc layers
 * ending the network); its input gathers the frames' maps. */
static int plan_batch(struct lowering *L)
{
	struct serial *s = L->s;
	const struct network *net = L->net;
	const struct step *st = L->step;
	int np = L->nstep, kt = np;
	s->batch = L->o->batch > 1 ? L->o->batch : 1;
	s->tail_layer = net->nlayers;
	if (s->batch == 1)
		return 0;
	while (kt > 0 && st[kt - 1].run == RUN_MAC && st[kt - 1].pk == 1 &&
	       net->layers[st[kt - 1].first].kind == L_FC &&
	       (kt == np || net->layers[st[kt].first].src[0] == st[kt - 1].last))
		kt--;
	if (kt == np || st[np - 1].last != net->output) {
		const struct layer *e = &net->layers[net->output];
		error_at(e->loc, "--batch %d: batching runs the fc layers that end a network "
		         "once for all frames, and %s '%s' ends %s", s->batch,
		         layer_kind_names[e->kind], e->name, net->name);
		return -1;
	}
	L->kt = kt;
	s->tail_layer = st[kt].first;
	batch_maps(s, net, L->tens_of, st[kt].first);
	for (int k = kt; k < np; k++)
		batch_rows(s, &s->tens[L->tens_of[st[k].last]], 1);
	return 0;
}

/* Live ranges in steps; the input and the output stay put, and so does the
 * batched tail's input (it gathers every frame's map). */
static void set_live_ranges(struct lowering *L)
{
	struct serial *s = L->s;
	const struct network *net = L->net;
	for (int t = 0; t < s->ntens; t++)
		s->tens[t].first_def = s->tens[t].last_use = t == s->in_tensor ? -1 : 0;
	for (int k = 0; k < L->nstep; k++) {
		const struct layer *l = &net->layers[L->step[k].first];
		struct stensor *out = &s->tens[L->tens_of[L->step[k].last]];
		out->first_def = out->last_use = k;
		for (int q = 0; q < l->nsrc; q++) {
			int t = src_tensor(L, l->src[q]);
			if (s->tens[t].last_use < k)
				s->tens[t].last_use = k;
		}
	}
	s->out_tensor = L->tens_of[net->output];
	s->tens[s->in_tensor].pinned = true;
	s->tens[s->out_tensor].pinned = true;
	if (L->kt < L->nstep) {
		const struct layer *f0 = &net->layers[L->step[L->kt].first];
		s->tens[src_tensor(L, f0->src[0])].pinned = true;
	}
}

/* Fusion's candidates: step k a conv (no pool, one group) whose output
 * only step k + 1, a conv of one group, reads (readers counts the
 * network's output as one), both before the batched tail. */
static bool fusable(const struct lowering *L, int k)
{
	const struct network *net = L->net;
	const struct step *p = &L->step[k];
	if (L->s->sdmax <= 0 || k + 1 >= L->nstep || k + 1 >= L->kt)
		return false;
	const struct step *q = &L->step[k + 1];
	const struct layer *a = &net->layers[p->first], *b = &net->layers[q->first];
	return p->run == RUN_MAC && p->pk == 1 && a->kind == L_CONV && a->groups == 1 &&
	       q->run == RUN_MAC && b->kind == L_CONV && b->groups == 1 && b->src[0] == p->last &&
	       net->layers[p->last].readers == 1;
}

static int lower_step(struct lowering *L, int k)
{
	struct serial *s = L->s;
	const struct network *net = L->net;
	const struct step *p = &L->step[k];
	const struct layer *l = &net->layers[p->first];
	int tin = src_tensor(L, l->src[0]), tout = L->tens_of[p->last];
	switch (p->run) {
	case RUN_MAC:
		return lower_mac(s, net, p->first, p->last, p->pk, p->act, tin, tout);
	case RUN_ADD:
		return lower_add(s, net, p->first, tin, src_tensor(L, l->src[1]), tout);
	case RUN_PASS:
		return lower_pass(s, net, p->first, tin, tout);
	}
	unreachable();
}

/* The descriptors, frame 0's and (from the tail on) the batch's copies;
 * fusable pairs in bands through the scratch where serial_fuse finds that
 * faster. */
static int lower_steps(struct lowering *L)
{
	struct serial *s = L->s;
	s->ndesc = 0;
	s->sk = s->sl = s->sdepth = 0;
	for (int k = 0; k < L->nstep; k++) {
		if (k == L->kt)
			repeat_frames(s);
		if (fusable(L, k)) {
			int da = s->ndesc;
			if (lower_step(L, k) || lower_step(L, k + 1))
				return -1;
			if (s->ndesc == da + 2 && serial_fuse(s, da))
				return -1;
			k++;
			continue;
		}
		if (lower_step(L, k))
			return -1;
	}
	return 0;
}

/* The weights' words (whose sizes the tiling gave) and the maps'
 * addresses; the scratch is region 7. */
static void place_maps(struct serial *s)
{
	int64_t w = 0;
	for (int d = 0; d < s->ndesc; d++)
		if (s->desc[d].wsrc < 0)
			w += s->desc[d].wwords;
	s->w_words = w;
	s->rwords[SR_WEIGHTS] = w;
	place_tensors(s);
}

/* The weights' addresses (a frame copy fetches its original's), the
 * scratch planes of the final fusion geometry (a pair lowered before a
 * later one widened the planes addresses the final ones), and each
 * descriptor's prefetch of the next one's first weight tile (it overlaps
 * its own last tile, drain and write). */
static void place_weights(struct serial *s)
{
	for (int k = 0; k < s->ndesc; k++) {
		if (s->desc[k].osc)
			s->desc[k].plane_o = (int64_t)1 << s->sk;
		if (s->desc[k].isc)
			s->desc[k].plane_i = (int64_t)1 << s->sk;
	}
	int64_t w = 0;
	for (int d = 0; d < s->ndesc; d++) {
		if (s->desc[d].wsrc >= 0) {
			s->desc[d].wbase = s->desc[s->desc[d].wsrc].wbase;
			continue;
		}
		s->desc[d].wbase = saddr(SR_WEIGHTS, w);
		w += s->desc[d].wwords;
	}
	for (int k = 0; k + 1 < s->ndesc; k++) {
		struct sdesc *d = &s->desc[k], *n = &s->desc[k + 1];
		if (n->op != SOP_MAC)
			continue;
		d->nx_w = n->wbase;
		d->nx_wlen = n->ncc > 1 ? n->wlen : n->wlen_last;
		serial_estimate_prefetch(d, n);
	}
}

static int64_t pow2_at_least_2(int64_t n)
{
	int64_t p = (int64_t)1 << clog2i(n);
	return p < 2 ? 2 : p;
}

/* The buffers the chosen tiles use, to the next power of two: smaller
 * networks get smaller RAMs (the engine still runs every network whose
 * tiles fit them). */
static void shrink_buffers(struct serial *s)
{
	int64_t ib = 1, wb = 1, ab = 1, obn = 1;
	for (int k = 0; k < s->ndesc; k++) {
		const struct sdesc *d = &s->desc[k];
		int64_t in_need = (int64_t)(d->op != SOP_MAC ? 1 : d->rp ? d->c / d->rpg : d->ncb_full) *
		                  d->ipl;
		if (in_need > ib)
			ib = in_need;
		if (d->op == SOP_MAC && (int64_t)d->ncb_full * d->kh * d->kw > wb)
			wb = (int64_t)d->ncb_full * d->kh * d->kw;
		if ((int64_t)d->tr * d->ow > ab)
			ab = (int64_t)d->tr * d->ow;
		if ((int64_t)d->trp * d->wpwo > obn)
			obn = (int64_t)d->trp * d->wpwo;
	}
	s->ibd = (int)pow2_at_least_2(ib);
	s->wbd = (int)pow2_at_least_2(wb);
	s->abd = (int)pow2_at_least_2(ab);
	s->obd = (int)pow2_at_least_2(obn);
}

static int64_t rebase(int64_t a, int ob)
{
	return ((int64_t)sregion_of(a) << ob) | soffset(a);
}

/* The address bits (docs/DESIGN.md §10.2): OB offset bits hold every
 * region, the program's included, and the scratch's address space (a
 * fixed engine has its OB); then every address moves to them. */
static int address_width(struct serial *s, const struct network *net)
{
	if (s->ndesc > 65535) {
		error_plain("%s needs %d descriptors, over 65535", net->name, s->ndesc);
		return -1;
	}
	int64_t sc = 0;
	if (s->sdepth) {
		int cmax = 0;
		for (int k = 0; k < s->ndesc; k++)
			if (s->desc[k].osc && s->desc[k].f > cmax)
				cmax = s->desc[k].f;
		sc = cdiv(cmax, (int64_t)1 << s->sl) << (s->sk + s->sl);
	}
	static const char *const rname[SR_N] = {"weights", "work", "input", "output", "program"};
	if (!s->fixed)
		s->ob = 13;
	for (;;) {
		s->aw = 3 + s->ob;
		s->rwords[SR_PROGRAM] = serial_prog_words(s, s->ndesc);
		int r = -1;
		for (int k = 0; k < SR_N; k++)
			if (s->rwords[k] >= (int64_t)1 << s->ob)
				r = k;
		if (r < 0 && sc <= (int64_t)1 << s->ob)
			break;
		if (s->fixed) {
			error_plain("%s: its %s region needs %lld words, over the engine's %lld (%s)",
			            net->name, r < 0 ? "scratch" : rname[r],
			            (long long)(r < 0 ? sc : s->rwords[r]), (long long)1 << s->ob,
			            s->spec_file);
			return -1;
		}
		if (++s->ob > 40) {
			error_plain("%s needs %lld memory words in its %s region, over the 2^40 an "
			            "address holds", net->name, (long long)(r < 0 ? sc : s->rwords[r]),
			            r < 0 ? "scratch" : rname[r]);
			return -1;
		}
	}
	for (int k = 0; k < s->ndesc; k++) {
		struct sdesc *d = &s->desc[k];
		d->in_a = rebase(d->in_a, s->ob);
		d->in_b = rebase(d->in_b, s->ob);
		d->out = rebase(d->out, s->ob);
		d->wbase = rebase(d->wbase, s->ob);
		d->nx_w = rebase(d->nx_w, s->ob);
	}
	s->sbase = rebase(s->sbase, s->ob);
	for (int t = 0; t < s->ntens; t++)
		s->tens[t].base = rebase(s->tens[t].base, s->ob);
	/* the per-network form's flat memory: weights, program, work, input,
	 * output (docs/DESIGN.md §10.2) */
	static const int order[SR_N] = {SR_WEIGHTS, SR_PROGRAM, SR_WORK, SR_INPUT, SR_OUTPUT};
	int64_t at = 0;
	for (int k = 0; k < SR_N; k++) {
		s->flat[order[k]] = at;
		at += s->rwords[order[k]];
	}
	s->mem_words = at;
	s->xw = clog2i(at + 1) < 16 ? 16 : clog2i(at + 1);
	return 0;
}

/* One lowering with the buffer depths at most max[] (words a bank; pixels
 * for the accumulators); quiet: a tile that does not fit fails silently. */
static int lower_at(struct serial *s, const struct network *net, const struct compile_opts *o,
                    const int *max, bool quiet, const struct serial *spec)
{
	memset(s, 0, sizeof *s);
	if (spec)
		serial_spec_adopt(s, spec);
	s->sbase = saddr(SR_SCRATCH, 0);
	if (size_engine(s, net, o))
		return -1;
	s->ibd = max[BUF_IN];
	s->wbd = max[BUF_WEIGHT];
	s->abd = max[BUF_ACC];
	s->obd = max[BUF_OUT];
	s->sdmax = o->fuse == FUSE_NONE ? 0 : max[BUF_SCRATCH];
	s->fuse_all = o->fuse == FUSE_ALL || o->fuse_band > 0;
	s->fuse_band = o->fuse_band;
	s->quiet = quiet;
	struct lowering L = {s, net, o, NULL, NULL, 0, 0};
	plan_steps(&L);
	unify_add_containers(&L);
	if (plan_batch(&L))
		return -1;
	set_live_ranges(&L);
	/* descriptors need addresses and the maps go after the weights, whose
	 * sizes come from the tiling: lower with provisional addresses, place
	 * the maps, lower again */
	if (lower_steps(&L))
		return -1;
	place_maps(s);
	if (lower_steps(&L))
		return -1;
	if (spec) {
		/* the engine's scratch planes, whatever the pairs needed */
		if (s->sdepth && (s->sl != spec->sl || s->sk > spec->sk))
			die("fusion outside the engine's scratch geometry");
		s->sk = spec->sk;
		s->sl = spec->sl;
		s->sdepth = spec->sdepth;
	}
	place_weights(s);
	if (!spec)
		shrink_buffers(s);
	if (address_width(s, net))
		return -1;
	s->quiet = false;
	if (spec && s->hash != serial_spec_hash(s))
		die("the lowering changed the engine's spec");
	if (!spec)
		s->hash = serial_spec_hash(s);
	return 0;
}

/* Lower with the largest buffers; under --bram-kbits, while the buffers the
 * tiles use hold more bits than that, halve the largest one whose halving
 * still lets every layer tile (the tiling then trades buffer for cycles:
 * shorter row tiles, more weight and input reloads). */
int serial_lower(struct serial *s, const struct network *net, const struct compile_opts *o,
                 const struct serial *spec)
{
	if (spec) {
		int at[BUF_N] = {[BUF_IN] = spec->ibd, [BUF_WEIGHT] = spec->wbd, [BUF_ACC] = spec->abd,
		                 [BUF_OUT] = spec->obd, [BUF_SCRATCH] = spec->sdepth};
		return lower_at(s, net, o, at, false, spec);
	}
	static const int largest[BUF_N] = {
		[BUF_IN] = 2048, [BUF_WEIGHT] = 512, [BUF_ACC] = 1024, [BUF_OUT] = 512,
		[BUF_SCRATCH] = 8192};
	if (lower_at(s, net, o, largest, false, NULL))
		return -1;
	if (o->bram_kbits <= 0)
		return 0;
	int64_t cap = o->bram_kbits * 1024;
	while (serial_buffer_bits(s, s->ibd, s->wbd, s->abd, s->obd) +
	       serial_scratch_bits(s, s->sdepth) > cap) {
		int use[BUF_N] = {[BUF_IN] = s->ibd, [BUF_WEIGHT] = s->wbd, [BUF_ACC] = s->abd,
		                  [BUF_OUT] = s->obd, [BUF_SCRATCH] = s->sdepth};
		int64_t part[BUF_N];
		for (int k = 0; k < BUF_N; k++)
			part[k] = buffer_bits_of(s, (enum buf)k, use[k]);
		bool done[BUF_N] = {false}, ok = false;
		for (int tries = 0; tries < BUF_N && !ok; tries++) {
			int big = -1;
			for (int k = 0; k < BUF_N; k++)
				if (!done[k] && (use[k] > 2 || (k == BUF_SCRATCH && use[k] > 0)) &&
				    (big < 0 || part[k] > part[big]))
					big = k;
			if (big < 0)
				break;
			done[big] = true;
			int m[BUF_N];
			memcpy(m, use, sizeof m);
			/* the scratch: the next power of two below what it holds
			 * (fusion takes smaller bands, or none at 1) */
			if (big == BUF_SCRATCH) {
				int p = 1;
				while (p * 2 < use[BUF_SCRATCH])
					p *= 2;
				m[BUF_SCRATCH] = p > 1 ? p : 0;
			} else {
				m[big] = use[big] / 2;
			}
			ok = lower_at(s, net, o, m, true, NULL) == 0;
		}
		if (!ok) {
			lower_at(s, net, o, use, false, NULL);
			error_plain("--bram-kbits %lld: %s's tiles need at least %lld kbits of buffers "
			            "on the %dx%d engine with a %d-bit bus (input %d words a bank, "
			            "weights %d array words, accumulators %d pixels, output %d words a bank)",
			            (long long)o->bram_kbits, net->name,
			            (long long)cdiv(serial_buffer_bits(s, use[BUF_IN], use[BUF_WEIGHT],
			                                               use[BUF_ACC], use[BUF_OUT]),
			                            1024),
			            s->tm, s->tn, s->mw, use[BUF_IN], use[BUF_WEIGHT], use[BUF_ACC],
			            use[BUF_OUT]);
			return -1;
		}
	}
	return 0;
}
