/* mode.c: the layer-parallel architecture as nnc's driver sees it (struct
 * mode_ops): plan, write the ROM images, the top module, OUT.json and,
 * with --tb, the testbench. The last link of the parallel chain
 * (plan -> roms -> top -> tb -> mode). */
#include "tb.h"

static int parallel_compile(struct network *net, const struct compile_opts *o, struct design *d)
{
	struct pplan *p = xcalloc(1, sizeof *p);
	p->net = net;
	if (parallel_plan(p, o))
		return -1;
	d->top = xprintf("%s_top", net->name);
	d->multipliers = p->mults;
	d->bound = p->bound;
	d->estimate = p->interval;
	d->macs = 0;
	for (int i = 0; i < net->nlayers; i++)
		if (p->e[i].l->live)
			d->macs += net->layers[i].macs;
	d->priv = p;
	if (pemit_roms(p, o) || pemit_top(p, o) || pemit_report(p, o))
		return -1;
	if (o->tb && pemit_tb(p, o))
		return -1;
	return 0;
}

const struct mode_ops parallel_ops = {"parallel", parallel_compile, pwrite_vectors, NULL};
