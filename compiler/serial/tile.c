/* tile.c: tiling a descriptor: the output rows a tile and the input
 * channels a chunk that the engine's buffers hold, chosen by the estimate
 * (estimate.c). */
#include "tile.h"

#include <stdlib.h>
#include <string.h>

/* ---- tiling ---------------------------------------------------------------- */

/* Choose tr (output rows per tile) and tc (input channels per chunk) for d
 * within the buffers; 0, or -1 and an error if nothing fits (no error when
 * what is NULL). A reduction-packed conv takes all its channels in one
 * chunk: c / rpg planes in each bank, ceil(c*KH*KW / TN) array words. */
int serial_tile_at(struct serial *s, struct sdesc *d, struct loc at, const char *what)
{
	int pass = d->op != SOP_MAC;
	/* a whole layer's first tile starts ph rows above its input (a band's
	 * first row is the fusion's) */
	if (!d->band)
		d->iys = -d->ph;
	int rows = d->poh * d->pk;
	int blk = pass ? s->tp : s->tm;
	int64_t best = -1;
	int best_tr = 0, best_tc = 0;
	for (int tr = d->pk; tr <= rows; tr += d->pk) {
		if ((int64_t)tr * d->ow > s->abd || (int64_t)(tr / d->pk) * d->wpwo > s->obd)
			break;
		int ir = sdesc_ir(d, tr);
		int64_t ipl = (int64_t)ir * d->wpwi;
		if (ipl > s->ibd)
			break;
		int tc = 0;
		if (pass) {
			tc = blk;
		} else if (d->rp) {
			if ((int64_t)(d->c / d->rpg) * ipl > s->ibd || sdesc_blocks(s, d, d->c) > s->wbd)
				continue;
			tc = d->c;
		} else {
			int64_t by_in = s->ibd / ipl * s->tn;
			int64_t by_w = s->wbd / ((int64_t)d->kh * d->kw) * s->tn;
			int64_t all = cdiv(d->c, s->tn) * s->tn;
			int64_t t = all < by_in ? all : by_in;
			if (by_w < t)
				t = by_w;
			if (t < s->tn)
				continue;
			tc = (int)t;
		}
		int64_t e = serial_estimate(s, d, tr, tc);
		if (best < 0 || e < best) {
			best = e;
			best_tr = tr;
			best_tc = tc;
		}
	}
	if (best < 0 && !what)
		return -1;
	if (best < 0) {
		if (s->quiet)
			return -1;
		error_at(at, "%s does not fit the serial engine's buffers (input %d words a bank, "
		         "weights %d array words, accumulators %d pixels, output %d words a bank): "
		         "its rows of %d pixels, kernel %dx%d and input rows of %d words are too large%s",
		         what, s->ibd, s->wbd, s->abd, s->obd, d->ow, d->kh, d->kw, d->wpwi,
		         s->fixed ? xprintf(" (%s)", s->spec_file) : "");
		return -1;
	}
	int tr = best_tr, tc = best_tc;
	d->est = best;
	d->tr = tr;
	d->nrt = (int)cdiv(rows, tr);
	d->rows_last = rows - (d->nrt - 1) * tr;
	d->trp = tr / d->pk;
	d->prows_last = d->rows_last / d->pk;
	d->ir = sdesc_ir(d, tr);
	d->trsh = tr * d->sh;
	d->ipl = d->ir * d->wpwi;
	d->nob = (int)cdiv(d->f, blk);
	d->nm_last = d->f - (d->nob - 1) * blk;
	if (pass) {
		d->ncc = 1;
		d->tc = blk;
		d->nc_last = d->nm_last;
		d->ncb_full = d->ncb_last = 1;
		d->in_every = 1;
	} else {
		d->tc = tc;
		d->ncc = (int)cdiv(d->c, tc);
		d->nc_last = d->c - (d->ncc - 1) * tc;
		d->ncb_full = sdesc_blocks(s, d, tc);
		d->ncb_last = sdesc_blocks(s, d, d->nc_last);
		d->in_every = d->ncc > 1;
		d->w_once = d->nob == 1 && d->ncc == 1;
		d->wstride = s->nbw + (int64_t)d->ncb_full * d->kh * d->kw * s->wsub;
		d->wlen = d->ncc > 1 ? d->wstride : s->nbw + (int64_t)d->ncb_last * d->kh * d->kw * s->wsub;
		d->wlen_last = s->nbw + (int64_t)d->ncb_last * d->kh * d->kw * s->wsub;
		d->wwords = d->wstride * d->nob * d->ncc;
	}
	return 0;
}

int serial_tile(struct serial *s, struct sdesc *d)
{
	struct loc none = {0};
	return serial_tile_at(s, d, none, NULL);
}
