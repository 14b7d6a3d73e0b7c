/* fuse.c: layer fusion in the serial lowering. A conv A whose output
 * only the next conv B reads runs with it in row bands: descriptor A_i
 * computes the rows of A's output that B's band i needs and no earlier
 * band computed into the on-chip scratch (nn_serial_scratch), and B_i
 * reads its window of them from there and writes its rows of B's output
 * to memory. A's output never crosses the bus: a layer like VGG16's
 * conv1_1, whose 64 channels of 224 x 224 make it write-bound, runs at
 * the array's pace.
 *
 * The scratch holds a ring of rr rows of A's output a channel (rr: B's
 * largest window), SRW = rr * A's words a row: channel ch in bank ch mod L
 * (L = 2^sl lanes the writer stores a cycle) at bank word (ch / L)*SRW,
 * A's row y at ring row y mod rr. In the address space, from sbase, the
 * channel planes are 2^sk >= 2*SRW words apart, so that bank and ring are
 * address bits and a window starting anywhere in the ring is contiguous
 * (the router folds it). Band i of B is pooled output rows [i*rp,
 * (i+1)*rp); the loader sees its window as a map of its own (h = the
 * window's rows, a first tile starting at iys), and the writer of B
 * writes its rows at their place in B's output map. */
#include "fuse.h"

/* Band i's rows: B's conv rows [c, e) (pooled [p0, p1)), the rows of A's
 * output they read, [ra, rb) (lo: the first before clipping), and the
 * rows A_i computes, [sa, rb): those no earlier band computed. */
struct band {
	int p0, p1, c, e, lo, ra, rb, sa;
	bool abot;                  /* A's rows read its input's bottom padding */
};

static void band_rows(const struct sdesc *a, const struct sdesc *b, int rp, int i,
                      struct band *r)
{
	r->p0 = i * rp;
	r->p1 = r->p0 + rp < b->poh ? r->p0 + rp : b->poh;
	r->c = r->p0 * b->pk;
	r->e = r->p1 * b->pk;
	r->lo = r->c * b->sh - b->ph;
	int hi = (r->e - 1) * b->sh - b->ph + b->kho;
	r->ra = r->lo < 0 ? 0 : r->lo;
	r->rb = hi > a->poh ? a->poh : hi;
	int prev = 0;
	if (i > 0) {
		int h0 = (r->c - 1) * b->sh - b->ph + b->kho;   /* band i-1's rows end */
		prev = h0 > a->poh ? a->poh : h0;
	}
	r->sa = prev > r->ra ? prev : r->ra;
	r->abot = (r->rb - 1) * a->sh - a->ph + a->kho > a->h;
}

/* The arrays' first tile rows must be -ph or inside the map (the array's
 * padding logic knows no partial top pad). A band whose rows of A all
 * came with earlier bands has no A_i. */
static bool band_ok(const struct sdesc *a, const struct sdesc *b, const struct band *r)
{
	int ia = r->sa * a->sh - a->ph, ib = r->lo - r->ra;
	return r->rb > r->ra && (r->rb == r->sa || ia == -a->ph || ia >= 0) &&
	       (ib == -b->ph || ib >= 0);
}

/* The two descriptors of band r, tiled (-1: a tile does not fit). The
 * scratch is a ring of rr rows a channel: A's row y at ring row y mod rr. */
static int band_descs(struct serial *s, const struct sdesc *a, const struct sdesc *b,
                      const struct band *r, int i, int rr, struct sdesc *ai, struct sdesc *bi)
{
	*ai = *a;
	ai->band = i + 1;
	ai->poh = r->rb - r->sa;
	ai->iys = r->sa * a->sh - a->ph;
	ai->osc = 1;
	ai->scl = 1 << s->sl;
	ai->srw = rr * a->wpwo;
	ai->out = s->sbase + (int64_t)(r->sa % rr) * a->wpwo;
	ai->plane_o = (int64_t)1 << s->sk;
	*bi = *b;
	bi->band = i + 1;
	bi->h = r->rb - r->ra;
	bi->iys = r->lo - r->ra;
	bi->isc = 1;
	bi->srw = rr * a->wpwo;
	bi->in_a = bi->in_b = s->sbase + (int64_t)(r->ra % rr) * a->wpwo;
	bi->plane_i = (int64_t)1 << s->sk;
	bi->poh = r->p1 - r->p0;
	bi->out = b->out + (int64_t)r->p0 * b->wpwo;
	if ((r->rb > r->sa && serial_tile(s, ai)) || serial_tile(s, bi))
		return -1;
	if (r->rb == r->sa)
		ai->est = 0;
	return 0;
}

/* Bands alike in shape share a tiling. */
static bool same_shape(const struct band *x, const struct band *y)
{
	return x->rb - x->ra == y->rb - y->ra && x->rb - x->sa == y->rb - y->sa &&
	       x->p1 - x->p0 == y->p1 - y->p0 && x->lo - x->ra == y->lo - y->ra &&
	       (x->sa == 0) == (y->sa == 0) && x->abot == y->abot;
}

/* The ring's rows for bands of rp pooled rows: B's largest window. */
static int ring_rows(const struct sdesc *a, const struct sdesc *b, int rp)
{
	int n = (b->poh + rp - 1) / rp, most = 0;
	for (int i = 0; i < n; i++) {
		struct band r;
		band_rows(a, b, rp, i, &r);
		if (r.rb - r.ra > most)
			most = r.rb - r.ra;
	}
	return most;
}

/* Lay out the bands of rp pooled rows: their descriptors into out (A_i
 * and B_i, or B_i alone) and their number into *nout when out is not NULL;
 * returns the estimated cycles, or -1. */
static int64_t plan_bands(struct serial *s, const struct sdesc *a, const struct sdesc *b, int rp,
                          struct sdesc *out, int *nout)
{
	int n = (b->poh + rp - 1) / rp, rr = ring_rows(a, b, rp);
	int64_t total = 0;
	/* a few shapes: the first band, the ones inside, the last */
	enum { NSH = 8 };
	struct band shp[NSH];
	struct sdesc sa[NSH], sb[NSH];
	int nsh = 0;
	for (int i = 0; i < n; i++) {
		struct band r;
		band_rows(a, b, rp, i, &r);
		if (!band_ok(a, b, &r))
			return -1;
		int k = 0;
		while (k < nsh && !same_shape(&shp[k], &r))
			k++;
		struct sdesc ai, bi;
		if (k == nsh) {
			if (nsh == NSH)
				return -1;
			if (band_descs(s, a, b, &r, i, rr, &ai, &bi))
				return -1;
			shp[nsh] = r;
			sa[nsh] = ai;
			sb[nsh] = bi;
			nsh++;
		} else {
			ai = sa[k];
			bi = sb[k];
			ai.band = bi.band = i + 1;
			ai.iys = r.sa * a->sh - a->ph;
			ai.out = s->sbase + (int64_t)(r.sa % rr) * a->wpwo;
			bi.in_a = bi.in_b = s->sbase + (int64_t)(r.ra % rr) * a->wpwo;
			bi.out = b->out + (int64_t)r.p0 * b->wpwo;
		}
		total += ai.est + bi.est;
		if (out) {
			if (r.rb > r.sa)
				out[(*nout)++] = ai;
			out[(*nout)++] = bi;
		}
	}
	return total;
}

/* The scratch geometry for a ring of rr rows of A: set in s (keeping what
 * an earlier fused pair needs); false if it exceeds s->sdmax. */
static bool set_geometry(struct serial *s, const struct sdesc *a, int rr, int sl)
{
	int64_t srw = (int64_t)rr * a->wpwo;
	int64_t lanes = (int64_t)1 << sl;
	int64_t depth = (a->f + lanes - 1) / lanes * srw;
	if (depth < s->sdepth)
		depth = s->sdepth;
	if (depth > s->sdmax)
		return false;
	int sk = clog2i(2 * srw);
	s->sl = sl;
	s->sk = sk > s->sk ? sk : s->sk;
	s->sdepth = (int)depth;
	return true;
}

int serial_fuse(struct serial *s, int da)
{
	struct sdesc a = s->desc[da], b = s->desc[da + 1];
	/* the writer stores L lanes a cycle into L banks: two keep up with a
	 * 16-bit layer's drain */
	int sl = s->tm % 2 == 0 ? 1 : 0;
	int64_t whole = a.est + b.est;
	int64_t best = -1;
	int best_rp = 0, tried = 0;
	int sk0 = s->sk, sl0 = s->sl, sd0 = s->sdepth;
	int top = s->fuse_band > 0 && s->fuse_band < b.poh ? s->fuse_band : b.poh;
	for (int rp = top; rp >= 1 && tried < 3; rp--) {
		if (s->fuse_band > 0 && rp != top)
			break;
		bool fits = set_geometry(s, &a, ring_rows(&a, &b, rp), sl);
		int64_t e = fits ? plan_bands(s, &a, &b, rp, NULL, NULL) : -1;
		s->sk = sk0, s->sl = sl0, s->sdepth = sd0;
		if (!fits || e < 0)
			continue;
		tried++;
		if (best < 0 || e < best) {
			best = e;
			best_rp = rp;
		}
	}
	/* fuse where it saves a fiftieth of the pair's cycles, or where A is
	 * memory-bound (its output map's traffic more than its array's
	 * cycles) and the bands cost at most a fiftieth more: the map then
	 * stays off the bus (2 x its words a frame) */
	int creal = a.packed ? a.creal : a.c;
	double macs = (double)a.f * creal * a.kho * a.kwo * a.poh * a.ow;
	double words = (double)a.f * a.poh * a.wpwo + (double)creal * a.h * a.wpwi;
	bool membound = words > macs / ((double)s->tm * s->tn);
	if (best < 0 ||
	    (!s->fuse_all && best * 50 > whole * 49 && !(membound && best * 50 <= whole * 51)))
		return 0;
	set_geometry(s, &a, ring_rows(&a, &b, best_rp), sl);
	int n = (b.poh + best_rp - 1) / best_rp;
	struct sdesc *bands = xcalloc((size_t)2 * n, sizeof *bands);
	int nd = 0;
	if (plan_bands(s, &a, &b, best_rp, bands, &nd) < 0)
		die("serial fusion: the bands of '%s' no longer tile", a.name);
	/* the bands share their layer's weights where the tiling is alike:
	 * the first A_i and B_i hold them */
	s->ndesc = da;
	int fa = -1, fb = -1;
	for (int i = 0; i < nd; i++) {
		struct sdesc *d = serial_new_desc(s);
		*d = bands[i];
		int *own = d->osc ? &fa : &fb;
		if (*own < 0) {
			*own = s->ndesc - 1;
			continue;
		}
		const struct sdesc *f = &s->desc[*own];
		if (d->nob == f->nob && d->ncc == f->ncc && d->tc == f->tc &&
		    d->ncb_full == f->ncb_full && d->ncb_last == f->ncb_last &&
		    d->wstride == f->wstride && d->wwords == f->wwords)
			d->wsrc = *own;
	}
	return 0;
}
