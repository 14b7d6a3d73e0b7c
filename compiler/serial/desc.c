/* desc.c: the serial descriptor table's geometry: new descriptors, the
 * input rows and array blocks a tile takes, the weights and biases as the
 * array sees them, the engine's buffer bits, and the roofline bound. The
 * first link of the serial chain (desc, estimate, tile, fuse, lower,
 * write, tb, mode): it uses nothing of the later ones. */
#include "desc.h"

#include <stdlib.h>
#include <string.h>

struct sdesc *serial_new_desc(struct serial *s)
{
	if (s->ndesc == s->cap_desc) {
		s->cap_desc = s->cap_desc ? 2 * s->cap_desc : 16;
		struct sdesc *d = xcalloc((size_t)s->cap_desc, sizeof *d);
		if (s->ndesc)
			memcpy(d, s->desc, (size_t)s->ndesc * sizeof *d);
		s->desc = d;
	}
	struct sdesc *d = &s->desc[s->ndesc++];
	memset(d, 0, sizeof *d);
	d->pk = 1;
	d->avgm = 1;
	d->pack = 1;
	d->packy = 1;
	d->pmask = 1;
	d->ta = d->tb = d->tout = -1;
	d->wsrc = -1;
	return d;
}

/* ---- weights as the array sees them ---------------------------------------- */

int sdesc_ir(const struct sdesc *d, int tr)
{
	return (tr - 1) * d->sh + (d->rp ? d->kho : d->kh * d->packy);
}

int sdesc_blocks(const struct serial *s, const struct sdesc *d, int nch)
{
	if (d->rp)
		return (int)cdiv((int64_t)nch * d->kho * d->kwo, d->rpe);
	return (int)cdiv(nch, s->tn);
}

int32_t sdesc_weight(const struct sdesc *d, int o, int c, int ky, int kx)
{
	if (d->wkind == W_ADD) {
		if (ky || kx)
			return 0;
		if (c < d->csplit)
			return c == o ? (int32_t)1 << d->sa : 0;
		return c - d->csplit == o ? (int32_t)1 << d->sb : 0;
	}
	if (d->rp) {
		/* c is the array's lane n of step c / TN, which holds the pair
		 * i = step*RPE + n = p*C + c (lanes from RPE on hold none) */
		if (c % d->lanes >= d->rpe)
			return 0;
		c = c / d->lanes * d->rpe + c % d->lanes;
		if (c >= (int64_t)d->c * d->kho * d->kwo)
			return 0;
		int p = c / d->c;
		c %= d->c;
		ky = p / d->kwo;
		kx = p % d->kwo;
	} else if (d->packed) {
		int j = c / d->creal;
		kx = kx * d->pack + j % d->pack;
		ky = ky * d->packy + j / d->pack;
		c %= d->creal;
		if (kx >= d->kwo || ky >= d->kho)
			return 0;
	}
	const struct layer *l = d->wl;
	int go = (d->f0 + o) / d->fg, gc = (d->c0 + c) / d->cg;
	if (go != gc)
		return 0;
	int cl = (d->c0 + c) % d->cg;
	return l->w[(((int64_t)(d->f0 + o) * d->cg + cl) * d->kho + ky) * d->kwo + kx];
}

int64_t sdesc_bias(const struct sdesc *d, int o)
{
	if (d->wkind == W_ADD || !d->wl->has_bias)
		return 0;
	const struct layer *l = d->wl;
	return l->b[d->f0 + o] * ((int64_t)1 << (l->in.f + l->wt.f - l->bias.f));
}

/* The bits of the engine's on-chip buffers at the depths ibd, wbd, abd, obd
 * (nn_serial_core: TN input banks and WSUB weight banks of 2*depth words,
 * two accumulator banks of TM lanes, TM output banks of 2*OBD words). */
int64_t serial_buffer_bits(const struct serial *s, int64_t ibd, int64_t wbd, int64_t abd,
                           int64_t obd)
{
	return (int64_t)s->tn * 2 * ibd * s->mw + (int64_t)s->wsub * 2 * wbd * s->mw +
	       2 * abd * s->tm * s->acc_w + (int64_t)s->tm * 2 * obd * s->mw;
}

int64_t serial_scratch_bits(const struct serial *s, int64_t sdepth)
{
	return ((int64_t)1 << s->sl) * sdepth * s->mw;
}

/* docs/DESIGN.md §5: cycles >= sum over conv and fc of max(MACs / (TM*TN),
 * bytes over the bus / bytes per cycle); the bytes are the weights and
 * biases, the layer's input and its output after a pool that follows it,
 * each value in whole bytes of its format. */
int serial_roofline(const struct serial *s, const struct network *net, struct sroof *out)
{
	int n = 0;
	for (int i = 0; i < net->nlayers; i++) {
		const struct layer *l = &net->layers[i];
		if (!kind_is_mac(l->kind) || !l->live)
			continue;
		const struct layer *o = l;
		for (int j = i + 1; j < net->nlayers; j++) {
			const struct layer *m = &net->layers[j];
			if ((m->kind != L_MAXPOOL && m->kind != L_AVGPOOL && m->kind != L_RELU) ||
			    m->src[0] != (int)(o - net->layers))
				break;
			o = m;
		}
		/* the batched tail fetches its weights once for batch frames */
		double share = i >= s->tail_layer ? s->batch : 1;
		double bytes = ((double)layer_weight_count(l) * ((l->wt.w + 7) / 8) +
		                (double)layer_bias_count(l) * (l->has_bias ? (l->bias.w + 7) / 8 : 0)) /
		               share +
		               (double)shape_elems(l->ishape) * ((l->in.w + 7) / 8) +
		               (double)shape_elems(o->oshape) * ((o->out.w + 7) / 8);
		if (out)
			out[n] = (struct sroof){i, (int)(o - net->layers), (double)l->macs, bytes,
			                        (double)l->macs / ((double)s->tm * s->tn),
			                        bytes / (s->mw / 8.0)};
		n++;
	}
	return n;
}

int64_t serial_bound(const struct serial *s, const struct network *net)
{
	int n = serial_roofline(s, net, NULL);
	struct sroof *r = xcalloc((size_t)(n ? n : 1), sizeof *r);
	serial_roofline(s, net, r);
	double total = 0;
	for (int k = 0; k < n; k++)
		total += r[k].compute > r[k].memory ? r[k].compute : r[k].memory;

	return (int64_t)(total + 0.999);
}

int serial_dbits(const struct serial *s)
{
	int n = 0;
#define X(nm, width, sgn, v, what) n += serial_field_bits(s, width);
	DESC_FIELDS(X)
#undef X
	return n;
}
