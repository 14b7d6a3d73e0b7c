/* serial_est.c: the serial engine's cycle model. serial.c's tiling
 * minimises it over the tile sizes; OUT.json reports it per descriptor and
 * per layer, and the benchmarks compare it with the testbench's per-
 * descriptor cycle records (bench/bench.py, part "estimates"). */
#include "serial.h"

static int64_t cdiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

/* Estimated cycles of a descriptor with row tiles of tr output rows: the
 * array and the bus overlap (double buffers), plus the first load and the
 * last drain and write, which cannot. */
int64_t serial_estimate(const struct serial *s, const struct sdesc *d, int tr, int tc)
{
	int pass = d->op != SOP_MAC;
	int rows = d->poh * d->pk;
	int nrt = (int)cdiv(rows, tr);
	int blk = pass ? s->tp : s->tm;
	int nob = (int)cdiv(d->f, blk);
	int ncc = pass ? 1 : (int)cdiv(d->c, tc);
	int64_t tasks = (int64_t)nrt * nob * ncc;
	/* the last chunk may hold fewer channel blocks than the others */
	int cfull = tc < d->c ? tc : d->c, clast = d->c - (ncc - 1) * tc;
	int ncb = pass ? 1 : (int)cdiv(cfull, s->tn);
	int ncbl = pass ? 1 : (int)cdiv(clast, s->tn);
	int64_t pix = (int64_t)tr * d->ow;
	int64_t comp = (pix < 4 ? 4 : pix) * ncb * d->kh * d->kw + 12;
	int64_t compl = (pix < 4 ? 4 : pix) * ncbl * d->kh * d->kw + 12;
	int ir = (tr - 1) * d->sh + d->kh * d->packy;
	if (ir > d->h)
		ir = d->h;
	int64_t in_words = (int64_t)(pass ? blk : d->packed ? d->creal : cfull) * ir * d->wpwi;
	int64_t in_last = (int64_t)(pass ? blk : d->packed ? d->creal : clast) * ir * d->wpwi;
	int64_t wlen = pass ? 0 : s->nbw + (int64_t)ncb * d->kh * d->kw * s->wsub;
	int64_t wlenl = pass ? 0 : s->nbw + (int64_t)ncbl * d->kh * d->kw * s->wsub;
	int64_t per = (int64_t)nrt * nob;  /* (row tile, output block) pairs */
	int64_t in_mem = pass ? tasks * in_words
	               : ncc > 1 ? per * ((ncc - 1) * in_words + in_last) : nrt * in_words;
	int64_t w_mem = pass ? 0 : (nob == 1 && ncc == 1) ? wlen : per * ((ncc - 1) * wlen + wlenl);
	int64_t out_words = (int64_t)d->f * d->poh * d->wpwo;
	int64_t mem = in_mem + w_mem + out_words;
	int64_t tcomp = pass ? tasks * comp : per * ((ncc - 1) * comp + compl);
	/* the bus loses to stalls (the test memory holds back a fifth of the
	 * response beats) and to request turnarounds */
	int64_t tmem = mem + mem / 4;
	int64_t tail = pix + (int64_t)blk * (tr / d->pk) * d->wpwo + 40;
	/* compute-bound: the first tile's load comes before the array starts;
	 * memory-bound: the bus time already holds it */
	if (tmem >= tcomp)
		return tmem + tail;
	return in_words + wlen + tcomp + tail;
}

/* d fetches n's first weight tile once its own reads are out: the load
 * leaves n's estimate, and what does not hide behind d's last task, drain
 * and write lengthens d. */
void serial_estimate_prefetch(struct sdesc *d, struct sdesc *n)
{
	n->est -= d->nx_wlen + d->nx_wlen / 4;
	/* the prefetch hides behind this descriptor's last task and its
	 * drain and write; what does not fit lengthens this one */
	int64_t pix = (int64_t)d->rows_last * d->ow;
	int64_t last = (pix < 4 ? 4 : pix) * (d->op == SOP_MAC ? d->ncb_last : 1) * d->kh * d->kw + 12;
	int64_t hide = last + pix + (int64_t)d->nm_last * d->prows_last * d->wpwo + 40;
	int64_t need = d->nx_wlen + d->nx_wlen / 4;
	if (need > hide)
		d->est += need - hide;
}
