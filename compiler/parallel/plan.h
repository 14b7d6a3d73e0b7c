/* plan.h: the layer-parallel lowering's plan (plan.c), shared by its
 * writers. The parallel back end is a one-way chain of files, each using
 * only the ones before it: plan -> roms -> top -> tb -> mode. */
#ifndef NNC_PARALLEL_PLAN_H
#define NNC_PARALLEL_PLAN_H

#include "emit.h"

struct pengine {
	const struct layer *l;
	int pi, po;                 /* conv, fc: input x output channels per cycle */
	bool fixed;                 /* par = [PI, PO] given */
	int in_lanes, in2_lanes;    /* elements per input beat (in2: add's second) */
	int out_lanes;              /* elements per output beat */
	int64_t mults;
	int64_t cycles;             /* per frame at steady state */
};

struct pplan {
	const struct network *net;
	struct pengine *e;          /* one per layer */
	int in_lanes;               /* network input beat */
	int64_t mults, bound, interval;
};

int64_t pengine_compute(const struct layer *l, int pi, int po);

/* Choose every engine's parallelism and lanes within the budget. */
int parallel_plan(struct pplan *p, const struct compile_opts *o);

#endif
