/* parallel.h: the layer-parallel lowering's plan, shared by its design and
 * testbench writers. */
#ifndef NNC_PARALLEL_H
#define NNC_PARALLEL_H

#include "emit.h"

struct pengine {
	const struct layer *l;
	int pi, po;                 /* conv, fc: input x output channels per cycle */
	bool fixed;                 /* par = [PI, PO] given */
	bool live;                  /* reaches the output (dead layers are not built) */
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

/* parallel_emit.c */
int pemit_roms(const struct pplan *p, const struct compile_opts *o);
int pemit_top(const struct pplan *p, const struct compile_opts *o);
int pemit_report(const struct pplan *p, const struct compile_opts *o);

/* parallel_tb.c */
int pemit_tb(const struct pplan *p, const struct compile_opts *o);
int pwrite_vectors(const struct network *net, const struct design *d,
                   const struct compile_opts *o, const struct tensor *in);

#endif
