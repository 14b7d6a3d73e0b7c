/* plan.c: the layer-parallel lowering (docs/DESIGN.md §5). One engine per layer,
 * all running at once, joined by valid/ready streams in HWC order; weights
 * and biases in ROMs inside the engines. The compiler chooses each conv and
 * fc engine's parallelism (PI input x PO output channels per cycle) so that
 * every engine needs about the same cycles per frame within the multiplier
 * budget; the frame interval is then the slowest engine's cycles.
 *
 * The engines are the templates of templates/README.md; this file sizes
 * them; roms.c writes their ROM images, top.c connects them in
 * <network>_top, tb.c writes the testbench, mode.c drives the four. */
#include "plan.h"

#include <stdlib.h>
#include <string.h>

/* ---- the plan: parallelism, lanes and cycles per engine ------------------- */


/* Input channels and output channels an engine's PI and PO divide. */
static int par_in_span(const struct layer *l)
{
	return l->kind == L_FC ? (int)shape_elems(l->ishape) : l->ishape.c / l->groups;
}

static int par_out_span(const struct layer *l)
{
	return l->kind == L_FC ? l->filters : l->filters / l->groups;
}

int64_t pengine_compute(const struct layer *l, int pi, int po)
{
	if (l->kind == L_FC)
		return (int64_t)(par_in_span(l) / pi) * (par_out_span(l) / po);
	return (int64_t)l->oshape.h * l->oshape.w * l->groups * (par_in_span(l) / pi) *
	       (par_out_span(l) / po);
}

static int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

/* A windowed engine (conv, pools) at the granularity of rows: input rows
 * arrive one beat per cycle into a line buffer of KH+SH rows; output row oy
 * is computed (one after the other) once the last input row it needs has
 * arrived; a buffer slot is reused when the last output row reading its row
 * is done. Three frames back to back; the steady-state interval is the
 * difference between the ends of the last two. */
static int64_t window_rows_model(const struct layer *l, int64_t row_in, int64_t row_out)
{
	enum { FRAMES = 3 };
	int H = l->ishape.h, HO = l->oshape.h, cap = l->kh + l->sh;
	int64_t total = (int64_t)FRAMES * H;
	int64_t *in_done = xcalloc((size_t)total, sizeof *in_done);
	int64_t *released = xcalloc((size_t)total, sizeof *released);
	int64_t t_in = 0, t_out = 0, end[FRAMES] = {0};
	int64_t next_in = 0;                       /* next input row to write */
	for (int f = 0; f < FRAMES; f++) {
		/* rows of this frame no output reads are released once written */
		for (int r = 0; r < H; r++)
			released[(int64_t)f * H + r] = -1;
		for (int oy = 0; oy < HO; oy++) {
			int first = oy * l->sh - l->ph, last = first + l->kh - 1;
			first = first < 0 ? 0 : first;
			last = last >= H ? H - 1 : last;
			int64_t need = (int64_t)f * H + last;
			/* write input rows up to the one this output row needs */
			while (next_in <= need) {
				int64_t start = t_in;
				if (next_in >= cap) {
					int64_t r = released[next_in - cap];
					if (r < 0) {    /* not released yet: its reader comes later */
						r = in_done[next_in - cap];
					}
					start = start > r ? start : r;
				}
				t_in = start + row_in;
				in_done[next_in++] = t_in;
			}
			int64_t start = t_out > in_done[need] ? t_out : in_done[need];
			t_out = start + row_out;
			for (int r = first; r <= last; r++)
				released[(int64_t)f * H + r] = t_out;
		}
		/* the frame's remaining rows (below the last window) still arrive */
		while (next_in < (int64_t)(f + 1) * H) {
			int64_t start = t_in;
			if (next_in >= cap && released[next_in - cap] > start)
				start = released[next_in - cap];
			t_in = start + row_in;
			in_done[next_in++] = t_in;
		}
		end[f] = t_out > t_in ? t_out : t_in;
	}
	return end[FRAMES - 1] - end[FRAMES - 2];     /* the arrays are the arena's */
}

/* Cycles per frame of an engine at steady state: its compute, its input and
 * output beats at one beat per cycle, and for a windowed engine the row
 * model above. */
static int64_t engine_cycles(const struct pengine *e)
{
	const struct layer *l = e->l;
	int64_t in_beats = ceil_div(shape_elems(l->ishape), e->in_lanes);
	int64_t out_beats = ceil_div(shape_elems(l->oshape), e->out_lanes);
	int64_t c = in_beats > out_beats ? in_beats : out_beats;
	if (kind_is_mac(l->kind)) {
		int64_t k = pengine_compute(l, e->pi, e->po);
		c = k > c ? k : c;
	}
	bool windowed = kind_info[l->kind].windowed && !l->global;
	if (windowed) {
		int64_t row_in = ceil_div((int64_t)l->ishape.w * l->ishape.c, e->in_lanes);
		int64_t row_out = l->kind == L_CONV ? pengine_compute(l, e->pi, e->po) / l->oshape.h
		                                     : ceil_div((int64_t)l->oshape.w * l->oshape.c,
		                                                e->out_lanes);
		int64_t rows = window_rows_model(l, row_in, row_out);
		c = rows > c ? rows : c;
	}
	if (l->kind == L_ADD) {
		int64_t b = ceil_div(shape_elems(l->ishape), e->in2_lanes);
		c = b > c ? b : c;
	}
	return c;
}

static int64_t engine_mults(const struct pengine *e)
{
	const struct layer *l = e->l;
	if (!kind_is_mac(l->kind))
		return 0;
	return (int64_t)e->pi * e->po * (l->kind == L_CONV ? l->kh * l->kw : 1);
}

/* Lanes of every stream follow from the MAC engines' PI and PO: an engine
 * that only passes data on (pools, relu, add) keeps its producer's lanes. */
static void set_lanes(struct pplan *p)
{
	const struct network *net = p->net;
	for (int i = 0; i < net->nlayers; i++) {
		struct pengine *e = &p->e[i];
		const struct layer *l = e->l;
		int src_lanes = l->src[0] >= 0 ? p->e[l->src[0]].out_lanes : 0;
		if (kind_is_mac(l->kind)) {
			e->in_lanes = e->pi;
			e->out_lanes = e->po;
		} else {
			/* the network input arrives with as many lanes as the first
			 * engine that reads it takes; a pass-through engine reading it
			 * takes one */
			e->in_lanes = e->out_lanes = src_lanes ? src_lanes : 1;
		}
		if (l->kind == L_ADD) {
			int s = l->src[1];
			e->in2_lanes = s >= 0 ? p->e[s].out_lanes : 1;
			/* both operands at the first operand's lanes */
			e->in2_lanes = e->in_lanes;
		}
	}
	p->in_lanes = 1;
	for (int i = 0; i < net->nlayers; i++)
		if (p->e[i].l->live && (net->layers[i].src[0] == -1 ||
		                     (net->layers[i].nsrc > 1 && net->layers[i].src[1] == -1))) {
			p->in_lanes = p->e[i].in_lanes;
			break;
		}
	for (int i = 0; i < net->nlayers; i++) {
		bool live = p->e[i].l->live;
		p->e[i].cycles = live ? engine_cycles(&p->e[i]) : 0;
		p->e[i].mults = live ? engine_mults(&p->e[i]) : 0;
	}
}

static int64_t total_mults(const struct pplan *p)
{
	int64_t m = 0;
	for (int i = 0; i < p->net->nlayers; i++)
		m += p->e[i].mults;
	return m;
}

/* Among (pi, po) with pi | in span and po | out span, the one with the
 * fewest multipliers that makes the engine faster than `than`. */
static bool next_option(const struct layer *l, int64_t than, int *pi, int *po)
{
	int in = par_in_span(l), out = par_out_span(l);
	int64_t best = -1;
	for (int a = 1; a <= in; a++) {
		if (in % a)
			continue;
		for (int b = 1; b <= out; b++) {
			if (out % b)
				continue;
			if (pengine_compute(l, a, b) >= than)
				continue;
			int64_t m = (int64_t)a * b;
			/* fewest multipliers; among equals, the faster */
			if (best < 0 || m < best ||
			    (m == best && pengine_compute(l, a, b) < pengine_compute(l, *pi, *po))) {
				best = m;
				*pi = a;
				*po = b;
			}
		}
	}
	return best > 0;
}

/* Greedy balancing: raise the parallelism of the slowest MAC engine, one
 * step at a time, while the budget allows. */
static void balance(struct pplan *p, int budget)
{
	const struct network *net = p->net;
	for (;;) {
		set_lanes(p);
		int slow = -1;
		for (int i = 0; i < net->nlayers; i++)
			if (slow < 0 || p->e[i].cycles > p->e[slow].cycles)
				slow = i;
		struct pengine *e = &p->e[slow];
		if (!kind_is_mac(e->l->kind) || e->fixed)
			break;
		int pi = e->pi, po = e->po;
		if (!next_option(e->l, pengine_compute(e->l, e->pi, e->po), &pi, &po))
			break;
		int old_pi = e->pi, old_po = e->po;
		e->pi = pi;
		e->po = po;
		set_lanes(p);
		if (total_mults(p) > budget) {
			e->pi = old_pi;
			e->po = old_po;
			set_lanes(p);
			break;
		}
	}
}

int parallel_plan(struct pplan *p, const struct compile_opts *o)
{
	const struct network *net = p->net;
	p->e = xcalloc((size_t)net->nlayers, sizeof *p->e);
	int rc = 0;
	for (int i = 0; i < net->nlayers; i++) {
		struct pengine *e = &p->e[i];
		const struct layer *l = e->l = &net->layers[i];
		e->pi = e->po = 1;
		if (l->par_pi) {
			if (!kind_is_mac(l->kind)) {
				error_at(l->loc, "par applies to conv and fc layers, not %s",
				         layer_kind_names[l->kind]);
				rc = -1;
			} else if (par_in_span(l) % l->par_pi || par_out_span(l) % l->par_po) {
				error_at(l->loc, "par = [%d, %d] must divide %d input and %d output channels%s",
				         l->par_pi, l->par_po, par_in_span(l), par_out_span(l),
				         l->groups > 1 ? " per group" : "");
				rc = -1;
			} else {
				e->pi = l->par_pi;
				e->po = l->par_po;
				e->fixed = true;
			}
		}
	}
	if (rc)
		return rc;
	set_lanes(p);
	int64_t least = total_mults(p);
	if (least > o->mult_budget)
		warn_at(net->loc, "the network needs at least %lld multipliers, over the budget of %d",
		        (long long)least, o->mult_budget);
	balance(p, o->mult_budget);
	p->interval = p->bound = 0;
	for (int i = 0; i < net->nlayers; i++) {
		const struct pengine *e = &p->e[i];
		if (e->cycles > p->interval)
			p->interval = e->cycles;
		if (kind_is_mac(e->l->kind) && e->l->live) {
			int64_t b = ceil_div(e->l->macs, e->mults);
			p->bound = b > p->bound ? b : p->bound;
		}
	}
	int64_t in_beats = ceil_div(shape_elems(net->in_shape), p->in_lanes);
	p->bound = in_beats > p->bound ? in_beats : p->bound;
	p->mults = total_mults(p);
	return 0;
}

