/* mode.c: the layer-serial architecture as nnc's driver sees it (struct
 * mode_ops): lower, check the descriptor fields, write the design and,
 * with --tb, its testbench; or, with --engine, the program for a given
 * engine; and `nnc engine`. The last link of the serial chain. */
#include "engine.h"

#include <string.h>

static int serial_compile(struct network *net, const struct compile_opts *o, struct design *d)
{
	struct serial *spec = NULL;
	if (o->engine) {
		spec = xcalloc(1, sizeof *spec);
		if (serial_spec_read(spec, o->engine))
			return -1;
	}
	struct serial *s = xcalloc(1, sizeof *s);
	if (serial_lower(s, net, o, spec) || serial_check_fields(s, net) ||
	    mem_check_image(net, s->mem_words * (s->mw / 8), "the serial memory image (weights, "
	                    "program, work, input and output regions)"))
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
	if (verbosity >= 2)
		fprintf(stderr, "nnc: serial %dx%d, %d descriptors, %lld memory words, bound %lld, "
		        "estimate %lld cycles, spec hash 0x%08x\n", s->tm, s->tn, s->ndesc,
		        (long long)s->mem_words, (long long)d->bound, (long long)d->estimate, s->hash);
	if (o->engine)
		return serial_write_program(s, net, o, d);
	if (serial_write(s, net, o, d))
		return -1;
	if (o->tb && serial_emit_tb(s, net, o, d))
		return -1;
	return 0;
}

static int serial_engine(const struct compile_opts *o)
{
	struct serial s;
	/* from the options, or again from an engine's spec (nnc sim --engine) */
	if (o->engine ? serial_spec_read(&s, o->engine)
	              : serial_spec_build(&s, o, o->max_width > 0 ? o->max_width : 16))
		return -1;
	const char *name = o->name;
	if (!name) {
		const char *b = strrchr(o->out, '/');
		b = b ? b + 1 : o->out;
		size_t n = strlen(b);
		name = xprintf("%.*s", (int)(n > 2 && !strcmp(b + n - 2, ".v") ? n - 2 : n), b);
	}
	if (verbosity >= 2)
		fprintf(stderr, "nnc: engine %s: %dx%d, %d-bit bus, spec hash 0x%08x\n", name, s.tm,
		        s.tn, s.mw, s.hash);
	return serial_engine_write(&s, o->out, name);
}

const struct mode_ops serial_ops = {"serial", serial_compile, serial_write_vectors, serial_engine};
