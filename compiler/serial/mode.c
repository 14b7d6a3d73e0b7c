/* mode.c: the layer-serial architecture as nnc's driver sees it (struct
 * mode_ops): lower, check the descriptor fields, write the design and,
 * with --tb, its testbench. The last link of the serial chain. */
#include "tb.h"

static int serial_compile(struct network *net, const struct compile_opts *o, struct design *d)
{
	struct serial *s = xcalloc(1, sizeof *s);
	if (serial_lower(s, net, o) || serial_check_fields(s, net))
		return -1;
	d->top = xprintf("%s_top", net->name);
	d->multipliers = (int64_t)s->tm * s->tn;
	d->macs = 0;
	for (int i = 0; i < net->nlayers; i++)
		d->macs += kind_is_mac(net->layers[i].kind) && net->layers[i].live
		                   ? net->layers[i].macs : 0;
	d->bound = serial_bound(s, net);
	d->estimate = 0;
	for (int k = 0; k < s->ndesc; k++)
		d->estimate += s->desc[k].est;
	d->estimate = (d->estimate + s->batch - 1) / s->batch;
	d->batch = s->batch;
	d->priv = s;
	if (serial_write(s, net, o, d))
		return -1;
	if (o->tb && serial_emit_tb(s, net, o, d))
		return -1;
	if (verbosity >= 2)
		fprintf(stderr, "nnc: serial %dx%d, %d descriptors, %lld memory words, bound %lld, "
		        "estimate %lld cycles\n", s->tm, s->tn, s->ndesc, (long long)s->mem_words,
		        (long long)d->bound, (long long)d->estimate);
	return 0;
}

const struct mode_ops serial_ops = {"serial", serial_compile, serial_write_vectors};
