/* estimate.c: the serial engine's cycle model. tile.c's tiling
 * minimises it over the tile sizes; OUT.json reports it per descriptor and
 * per layer, and the benchmarks compare it with the testbench's per-
 * descriptor cycle records (bench/bench.py, part "estimates").
 *
 * The model replays a descriptor's task walk through the four units of
 * nn_serial_core (templates/nn_serial_{load,mac,drain,write}.v) as events:
 * the loader's read bursts, the memory's in-order responses, the array's
 * runs, the drain and the writer's bursts, with the cycles each state
 * machine spends between them, the two-slot buffers and the two
 * accumulator banks between the units, and the request channel that the
 * writer holds for a whole tile. Times are expected cycles of the test
 * memory (sim/nn_mem_model.v: LATENCY 8, ready low and response gaps 20 %
 * of the cycles each), counted from the cycle the descriptor is selected. */
#include "estimate.h"

#include <math.h>
#include <stdlib.h>


enum {
	MAXB = 256,            /* longest burst (lower.c's s->maxb) */
	LAT = 8,               /* a read request to its first word */
	MEMQ = 15,             /* reads the memory takes before it answers the first */
	/* cycles the state machines spend between events (templates/): */
	START = 3,             /* cycle 0 selects, 1 pulses init, 2 settles every unit */
	L_STEP = 3,            /* loader: S_NEXT to S_TASK (S_END waits for the walker) */
	M_STEP = 4,            /* array: last pixel to S_START (S_NEXT, 2 x S_SETTLE) */
	M_PIPE = 6,            /* array: last pixel to acc_done and to idle (s0..s4) */
	D_FREE = 1,            /* drain: last cell to acc_freed */
	D_FILL = 7,            /* drain: last cell to out_fill (a0..a5) */
	D_IDLE = 9,            /* drain: last cell to idle (S_FLUSH empties a0..a5) */
	D_STEP = 11,           /* drain: last cell to S_WAIT */
	W_FIRST = 3,           /* writer: S_WAIT to the first word (S_SEND, buffer read) */
	W_STEP = 4,            /* writer: last word to S_WAIT */
	W_IDLE = 2,            /* writer: last word to idle */
	SC_LAT = 2,            /* scratch: a read request to its first word */
	NO_CLAIM = -2,         /* claim_s of a tile written to the scratch: no bus */
};
/* the memory holds back a request or a response word in a cycle with
 * probability STALL: a bus beat takes BEAT = 1 / (1 - STALL) cycles on
 * average */
static const double STALL = 0.2, BEAT = 1.25;

/* One descriptor's task walk (nn_serial_walk): the tiling's fields. */
struct walk {
	int pass, nrt, tr, rows_last, trp, prows_last, ir, trsh;
	int nob, blk, nm_last, ncc, tc, nc_last, ncb_full, ncb_last, in_every, w_once;
	int64_t wlen, wlen_last;
	int lanes;                 /* packed, rp: the TN lanes the array's offset walk visits */
};

/* ---- the event model ---------------------------------------------------- */

struct model {
	const struct sdesc *d;
	const struct walk *w;
	int ntask, nblk;
	/* the cycle each hand-over becomes visible to the unit that waits on
	 * it; negative: not known yet */
	double *in_fill, *w_fill;      /* per input or weight tile */
	double *in_rel, *w_rel;        /* the array released the tile */
	double *acc_done, *acc_freed;  /* per (row tile, output block) */
	double *out_fill, *out_cons;
	double *job_done;              /* the loader's jobs (<= 4 under way) */
	double *claim_s, *claim_e;     /* the writer holds the request channel */
	double resp_free;              /* the next cycle a response word can come */
	double sc_free;                /* the cycle after the scratch's last word */
	double resp_var;               /* the variance of its lead on the requests */
	double miss;                   /* the request beats' expected misses so far,
	                                  less those the model counted (req_beat) */
	double ch_t0, ch_fixed, ch_p, ch_f;
	int ch_n;                      /* the loader's chain of requests (req_beat) */
	double pop[MEMQ];              /* first words of the last MEMQ bursts */
	int64_t nburst;
	/* each unit: its state (phase) and the cycle it is in, the task or
	 * block it is at, the cycle it goes idle; the loader counts the input
	 * tiles, weight tiles and jobs it issued and the writer's tiles it is
	 * past, the array the tiles and blocks it took */
	int lph, lk, lin, lw, lm, lclaim;
	double lt, ldone;
	int mph, mk, min, mw, mb;
	double mt, mdone;
	int db, wb;
	double dt, ddone, wt, wdone;
};

enum { L_TASK, L_IN, L_W, L_NEXT, L_PRE, L_END };
enum { M_START, M_WAIT, M_END };

static void walk_task(const struct walk *w, int k, int *rt, int *ob, int *cc)
{
	*cc = k % w->ncc;
	*ob = k / w->ncc % w->nob;
	*rt = k / w->ncc / w->nob;
}

static int needs_in(const struct walk *w, int ob, int cc) { return w->in_every || (ob == 0 && cc == 0); }
static int needs_w(const struct walk *w, int k) { return !w->pass && (!w->w_once || k == 0); }

static double maxd(double a, double b) { return a > b ? a : b; }

/* P(S <= m) and E[S | S <= m] for S the stall cycles of n request beats
 * (the sum of n geometric waits, negative binomial). */
static double stall_cdf(int n, double m, double *mean)
{
	double mu = n * STALL / (1 - STALL);
	*mean = mu;
	if (m >= 1e17 || m >= mu + 8 * sqrt(n * STALL) / (1 - STALL))
		return 1;
	if (m < 0)
		return 0;
	double term = pow(1 - STALL, n), p = 0, e = 0;
	for (int j = 0; j <= (int)m; j++) {
		p += term;
		e += j * term;
		term *= (double)(j + n) / (j + 1) * STALL;
	}
	*mean = p > 0 ? e / p : mu;
	return p;
}

/* The cycle a read request wanted from cycle t is taken. The writer has
 * the request channel through its tiles; between them a request goes in
 * the first cycle the memory is ready (after STALL / (1 - STALL) cycles on
 * average). A request that misses the window before the next tile waits
 * a whole tile, so the chance of a miss matters, not only the mean: the
 * loader's requests since it last waited on something else form a chain
 * (t0, their number, the state machine's cycles between them), whose
 * stall cycles decide which of them fit the window. The model takes the
 * misses at their expected rate (rounding their running sum), so a loader
 * that falls behind the writer stays behind as it does in the simulation.
 * cont: the request follows the chain's last one after fixed cycles. */
static double req_beat(struct model *m, double t, int cont)
{
	if (!cont || m->ch_n >= 64) {
		m->ch_t0 = t;
		m->ch_n = 0;
		m->ch_fixed = 0;
		m->ch_p = 1;
	} else {
		m->ch_fixed += t - m->ch_f - 1;
	}
	for (;;) {
		while (m->lclaim < m->nblk &&
		       (m->claim_s[m->lclaim] == NO_CLAIM ||
		        (m->claim_s[m->lclaim] >= 0 && m->claim_e[m->lclaim] < t)))
			m->lclaim++;
		int k = m->lclaim;
		double room = 1e18;    /* stall cycles the chain can take before the next tile */
		if (k < m->nblk && m->claim_s[k] >= 0) {
			if (m->claim_s[k] <= t) {
				t = m->claim_e[k] + 1;
				m->ch_t0 = t, m->ch_n = 0, m->ch_fixed = 0, m->ch_p = 1;
				continue;
			}
			room = floor(m->claim_s[k] - 1 - m->ch_t0 - m->ch_n - m->ch_fixed);
		}
		double es, p = stall_cdf(m->ch_n + 1, room, &es);
		double pmiss = m->ch_p > 0 ? 1 - p / m->ch_p : 1;
		m->miss += pmiss < 0 ? 0 : pmiss;
		if (m->miss >= 0.5) {
			m->miss -= 1;
			t = m->claim_e[k] + 1;
			m->ch_t0 = t, m->ch_n = 0, m->ch_fixed = 0, m->ch_p = 1;
			continue;
		}
		m->ch_p = p;
		m->ch_f = m->ch_t0 + m->ch_n + m->ch_fixed + es;
		m->ch_n++;
		return m->ch_f;
	}
}

/* How long a burst wanted at cycle x waits for the responses still
 * streaming: D = resp_free - x. Requests and responses each lose a fifth
 * of their cycles, so while the loader sends short bursts back to back
 * the two streams race and D is the sum of many small random steps; its
 * mean max(0, D) is then more than max(0, mean D) (Clark's formula for D
 * normal). The variance grows with each burst's words and request and
 * starts again when the loader waited on something else. */
static double resp_lead(struct model *m, double x, int64_t n)
{
	double d = m->resp_free - x, v = m->resp_var, over, vo;
	if (v <= 0 || d * d > 64 * v) {
		/* no variance, or D is positive or negative for sure */
		over = d > 0 ? d : 0;
		vo = d > 0 ? v : 0;
	} else {
		double sd = sqrt(v), a = d / sd;
		double cdf = 0.5 * erfc(-a / sqrt(2)), pdf = exp(-a * a / 2) / sqrt(2 * 3.14159265358979);
		over = d * cdf + sd * pdf;
		vo = (d * d + v) * cdf + d * sd * pdf - over * over;
		if (vo < 0)
			vo = 0;
	}
	/* a geometric wait has variance STALL / (1 - STALL)^2: the burst's
	 * words on one side, the next request on the other */
	m->resp_var = vo + (double)(n + 1) * STALL / ((1 - STALL) * (1 - STALL));
	return over;
}

/* The loader's read bursts of one job: nseg segments of seglen words, each
 * split into bursts of MAXB, from cycle t (cont: the loader did not wait
 * for anything since its last request); returns the cycle after the last
 * request. The memory takes MEMQ reads ahead of its answers. */
static double issue(struct model *m, double t, int cont, int64_t nseg, int64_t seglen, int job)
{
	double last = t;
	for (int64_t sg = 0; sg < nseg; sg++)
		for (int64_t left = seglen; left > 0; left -= MAXB) {
			int64_t n = left < MAXB ? left : MAXB;
			/* the router holds a memory read while scratch words are due */
			if (m->sc_free > t) {
				t = m->sc_free;
				cont = 0;
			}
			if (m->nburst >= MEMQ && m->pop[m->nburst % MEMQ] > t) {
				t = m->pop[m->nburst % MEMQ];
				cont = 0;
			}
			double f = req_beat(m, t, cont);
			if (!cont)
				m->resp_var = 0;
			double first = f + LAT + resp_lead(m, f + LAT, n);
			last = first + n * BEAT - 1;
			m->resp_free = last + 1;
			m->pop[m->nburst % MEMQ] = first;
			m->nburst++;
			t = f + 1;
			cont = 1;
		}
	m->job_done[job] = last + 1;
	return t;
}

/* The loader's read bursts of one job from the scratch (a fused layer's
 * input): no stalls, a word a cycle; the router takes a scratch read when
 * no memory words are still to come, and one burst at a time. */
static double issue_sc(struct model *m, double t, int64_t nseg, int64_t seglen, int job)
{
	double last = t;
	for (int64_t sg = 0; sg < nseg; sg++)
		for (int64_t left = seglen; left > 0; left -= MAXB) {
			int64_t n = left < MAXB ? left : MAXB;
			double f = maxd(maxd(t, m->resp_free), m->sc_free);
			double first = f + SC_LAT;
			last = first + n - 1;
			m->sc_free = last + 1;
			m->resp_free = last + 1;
			t = f + 1;
		}
	m->job_done[job] = last + 1;
	return t;
}

/* S_IN, S_W and S_PRE wait for a free slot (the array has released the
 * tile issued two before) and room in the loader's four-job queue: the
 * cycle they go on, or -1 while the release is not known. */
static double slot_wait(const struct model *m, const double *rel, int issued)
{
	double c = m->lt;
	if (issued >= 2) {
		if (rel[issued - 2] < 0)
			return -1;
		c = maxd(c, rel[issued - 2]);
	}
	if (m->lm >= 4)
		c = maxd(c, m->job_done[m->lm - 4]);
	return c;
}

/* The loader (nn_serial_load): one state a step, a job's bursts at once;
 * 0 when it waits on the array. */
static int step_load(struct model *m, int64_t nx_wlen, int pref)
{
	const struct walk *w = m->w;
	const struct sdesc *d = m->d;
	int rt, ob, cc;
	walk_task(w, m->lk, &rt, &ob, &cc);
	int last = m->lk == m->ntask - 1;
	switch (m->lph) {
	case L_TASK:
		/* the bursts go from the cycle after S_IN, S_W or S_PRE */
		m->lt += 1;
		m->lph = needs_in(w, ob, cc) ? L_IN : needs_w(w, m->lk) ? L_W : L_NEXT;
		return 1;
	case L_IN: {
		double c = slot_wait(m, m->in_rel, m->lin);
		if (c < 0)
			return 0;
		/* channel by channel, the tile's rows inside the map (S_CH) */
		int iy0 = d->iys + rt * w->trsh, ir0 = iy0 < 0 ? 0 : iy0;
		int ir1 = iy0 + w->ir > d->h ? d->h : iy0 + w->ir;
		int nch = d->packed ? d->creal : w->pass ? (ob == w->nob - 1 ? w->nm_last : w->blk)
		                                         : (cc == w->ncc - 1 ? w->nc_last : w->tc);
		int64_t seg = (int64_t)(ir1 - ir0) * d->wpwi;
		double t = d->isc ? issue_sc(m, c + 1, nch, seg, m->lm)
		                  : issue(m, c + 1, c <= m->lt, nch, seg, m->lm);
		m->in_fill[m->lin++] = m->job_done[m->lm++];
		m->lt = t;
		m->lph = needs_w(w, m->lk) ? L_W : L_NEXT;
		return 1;
	}
	case L_W: {
		/* the descriptor before fetched the first tile (S_W skips it) */
		if (pref && m->lw == 0) {
			m->w_fill[m->lw++] = 0;
			m->lt += 1;
			m->lph = L_NEXT;
			return 1;
		}
		double c = slot_wait(m, m->w_rel, m->lw);
		if (c < 0)
			return 0;
		m->lt = issue(m, c + 1, c <= m->lt, 1, cc == w->ncc - 1 ? w->wlen_last : w->wlen, m->lm);
		m->w_fill[m->lw++] = m->job_done[m->lm++];
		m->lph = L_NEXT;
		return 1;
	}
	case L_NEXT:
		if (!last) {
			m->lk++;
			m->lt += L_STEP;
			m->lph = L_TASK;
		} else {
			m->lt += 1;
			m->lph = nx_wlen > 0 ? L_PRE : L_END;
		}
		return 1;
	case L_PRE: {
		/* the next descriptor's first weight tile, into the free slot */
		double c = slot_wait(m, m->w_rel, m->lw);
		if (c < 0)
			return 0;
		m->lt = issue(m, c + 1, c <= m->lt, 1, nx_wlen, m->lm);
		m->lm++;
		m->lph = L_END;
		return 1;
	}
	case L_END:
		/* idle, and the last job's words in (they come in order) */
		m->ldone = m->lm > 0 ? maxd(m->lt, m->job_done[m->lm - 1]) : m->lt;
		m->lph = -1;
		return 1;
	}
	return 0;
}

/* The array (nn_serial_mac): S_START, then S_WAIT to the end of S_RUN (a
 * pixel a cycle, at least 4 a step, through every channel block and kernel
 * position); 0 when it waits on the loader or the drain. */
static int step_mac(struct model *m)
{
	const struct walk *w = m->w;
	const struct sdesc *d = m->d;
	int rt, ob, cc;
	walk_task(w, m->mk, &rt, &ob, &cc);
	int ni = needs_in(w, ob, cc), nw = needs_w(w, m->mk);
	switch (m->mph) {
	case M_START:
		/* S_START releases the tiles the previous task held */
		if (m->mk > 0 && ni)
			m->in_rel[m->min - 1] = m->mt + 1;
		if (m->mk > 0 && nw)
			m->w_rel[m->mw - 1] = m->mt + 1;
		if (ni)
			m->min++;
		if (nw)
			m->mw++;
		m->mt += 1;
		m->mph = M_WAIT;
		return 1;
	case M_WAIT: {
		double c = m->mt;
		if (m->min > m->lin || (!w->pass && m->mw > m->lw))
			return 0;
		c = maxd(c, m->in_fill[m->min - 1]);
		if (!w->pass)
			c = maxd(c, m->w_fill[m->mw - 1]);
		/* after init the array walks its TN lanes for their packing
		 * offsets (packed and reduction-packed layers; its shift-and-add products of the
		 * descriptor's fields take at most 11 cycles, less than the first
		 * tile's load) */
		if (m->mk == 0 && w->lanes)
			c = maxd(c, START - 1 + w->lanes);
		if (cc == 0 && m->mb >= 2) {
			if (m->acc_freed[m->mb - 2] < 0)
				return 0;
			c = maxd(c, m->acc_freed[m->mb - 2]);
		}
		int rows = rt == w->nrt - 1 ? w->rows_last : w->tr;
		int64_t pix = (int64_t)rows * d->ow;
		int ncb = w->pass ? 1 : cc == w->ncc - 1 ? w->ncb_last : w->ncb_full;
		double e = c + (double)ncb * d->kh * d->kw * (pix < 4 ? 4 : pix);
		if (cc == w->ncc - 1)
			m->acc_done[m->mb++] = e + M_PIPE;
		if (m->mk == m->ntask - 1) {
			m->mdone = e + M_PIPE;
			m->mph = M_END;
		} else {
			m->mk++;
			m->mt = e + M_STEP;
			m->mph = M_START;
		}
		return 1;
	}
	}
	return 0;
}

/* The drain (nn_serial_drain): one block a step, a cell (pixel before the
 * pool) a cycle; 0 when it waits on the array or the writer. */
static int step_drain(struct model *m)
{
	const struct walk *w = m->w;
	const struct sdesc *d = m->d;
	if (m->db == m->nblk || m->db >= m->mb)
		return 0;
	double c = maxd(m->dt, m->acc_done[m->db]);
	if (m->db >= 2) {
		if (m->out_cons[m->db - 2] < 0)
			return 0;
		c = maxd(c, m->out_cons[m->db - 2]);
	}
	int prows = m->db / w->nob == w->nrt - 1 ? w->prows_last : w->trp;
	double e = c + (double)prows * d->pk * d->pow * d->pk;
	m->acc_freed[m->db] = e + D_FREE;
	m->out_fill[m->db] = e + D_FILL;
	m->db++;
	m->ddone = e + D_IDLE;
	m->dt = e + D_STEP;
	return 1;
}

/* The writer (nn_serial_write): one tile a step; 0 when it waits on the
 * drain. */
static int step_write(struct model *m)
{
	const struct walk *w = m->w;
	const struct sdesc *d = m->d;
	if (m->wb == m->nblk || m->wb >= m->db)
		return 0;
	int prows = m->wb / w->nob == w->nrt - 1 ? w->prows_last : w->trp;
	int nm = m->wb % w->nob == w->nob - 1 ? w->nm_last : w->blk;
	double c = maxd(m->wt, m->out_fill[m->wb]);
	if (d->osc) {
		/* into the scratch: scl lanes' words a cycle, no bus */
		double g = c + W_FIRST + (double)((nm + d->scl - 1) / d->scl) * prows * d->wpwo - 1;
		m->claim_s[m->wb] = NO_CLAIM;
		m->out_cons[m->wb] = g + 1;
		m->wb++;
		m->wdone = g + W_IDLE;
		m->wt = g + W_STEP;
		return 1;
	}
	/* a word a beat; the request channel is the writer's from its first
	 * word to its last */
	double g = c + W_FIRST + (double)nm * prows * d->wpwo * BEAT - 1;
	m->claim_s[m->wb] = c + W_FIRST;
	m->claim_e[m->wb] = g;
	m->out_cons[m->wb] = g + 1;
	m->wb++;
	m->wdone = g + W_IDLE;
	m->wt = g + W_STEP;
	return 1;
}

/* Cycles of descriptor d under walk w: pref, its first weight tile was
 * fetched by the descriptor before; nx_wlen, the next one's it fetches. */
static double run_model(const struct sdesc *d, const struct walk *w, int pref, int64_t nx_wlen)
{
	struct model m = {0};
	m.d = d;
	m.w = w;
	m.ntask = w->nrt * w->nob * w->ncc;
	m.nblk = w->nrt * w->nob;
	size_t nt = (size_t)m.ntask + 1, nb = (size_t)m.nblk + 1, nj = 2 * nt + 1;
	size_t n = 4 * nt + 6 * nb + nj;
	double *buf = big_alloc(n * sizeof *buf);
	for (size_t i = 0; i < n; i++)
		buf[i] = -1;
	double *p = buf;
	m.in_fill = p, p += nt;
	m.w_fill = p, p += nt;
	m.in_rel = p, p += nt;
	m.w_rel = p, p += nt;
	m.acc_done = p, p += nb;
	m.acc_freed = p, p += nb;
	m.out_fill = p, p += nb;
	m.out_cons = p, p += nb;
	m.claim_s = p, p += nb;
	m.claim_e = p, p += nb;
	m.job_done = p;
	m.lt = m.mt = m.dt = m.wt = START;
	m.ch_t0 = START, m.ch_f = START - 1, m.ch_p = 1;
	m.lph = L_TASK;
	m.mph = M_START;
	for (;;) {
		int moved = 0;
		/* the units that only wait on hand-overs go as far as they can
		 * before the loader's next requests, so the writer's tiles are
		 * known when the loader wants the request channel */
		while (step_mac(&m) | step_drain(&m) | step_write(&m))
			moved = 1;
		if (m.lph >= 0 && step_load(&m, nx_wlen, pref))
			moved = 1;
		if (!moved)
			break;
	}
	if (m.lph >= 0 || m.mph != M_END || m.db < m.nblk || m.wb < m.nblk)
		die("serial cycle model: %s stalls at task %d of %d", d->name, m.mk, m.ntask);
	double e = maxd(maxd(m.ldone, m.mdone), maxd(m.ddone, m.wdone));
	free(buf);
	/* the control sees every unit done, then selects the next descriptor */
	return e + 1;
}

static int64_t model_cycles(const struct sdesc *d, const struct walk *w, int pref, int64_t nx_wlen)
{
	return (int64_t)(run_model(d, w, pref, nx_wlen) + 0.5);
}

/* ---- the tiling's walk ---------------------------------------------------- */

/* The walk tile() would set for row tiles of tr and input chunks of tc. */
static void walk_of(const struct serial *s, const struct sdesc *d, int tr, int tc, struct walk *w)
{
	int rows = d->poh * d->pk;
	w->pass = d->op != SOP_MAC;
	w->tr = tr;
	w->nrt = (int)cdiv(rows, tr);
	w->rows_last = rows - (w->nrt - 1) * tr;
	w->trp = tr / d->pk;
	w->prows_last = w->rows_last / d->pk;
	w->ir = sdesc_ir(d, tr);
	w->trsh = tr * d->sh;
	w->blk = w->pass ? s->tp : s->tm;
	w->nob = (int)cdiv(d->f, w->blk);
	w->lanes = d->lanes;
	w->nm_last = d->f - (w->nob - 1) * w->blk;
	if (w->pass) {
		w->ncc = 1;
		w->tc = w->blk;
		w->nc_last = w->nm_last;
		w->ncb_full = w->ncb_last = 1;
		w->in_every = 1;
		w->w_once = 0;
		w->wlen = w->wlen_last = 0;
		return;
	}
	w->tc = tc;
	w->ncc = (int)cdiv(d->c, tc);
	w->nc_last = d->c - (w->ncc - 1) * tc;
	w->ncb_full = sdesc_blocks(s, d, tc);
	w->ncb_last = sdesc_blocks(s, d, w->nc_last);
	w->in_every = w->ncc > 1;
	w->w_once = w->nob == 1 && w->ncc == 1;
	int64_t wstride = s->nbw + (int64_t)w->ncb_full * d->kh * d->kw * s->wsub;
	w->wlen_last = s->nbw + (int64_t)w->ncb_last * d->kh * d->kw * s->wsub;
	w->wlen = w->ncc > 1 ? wstride : w->wlen_last;
}

/* The walk of a descriptor already tiled (its fields). */
static void walk_tiled(const struct sdesc *d, struct walk *w)
{
	w->pass = d->op != SOP_MAC;
	w->nrt = d->nrt;
	w->tr = d->tr;
	w->rows_last = d->rows_last;
	w->trp = d->trp;
	w->prows_last = d->prows_last;
	w->ir = d->ir;
	w->trsh = d->trsh;
	w->nob = d->nob;
	w->nm_last = d->nm_last;
	w->blk = d->nob > 1 ? (d->f - d->nm_last) / (d->nob - 1) : d->nm_last;
	w->ncc = d->ncc;
	w->tc = d->tc;
	w->nc_last = d->nc_last;
	w->ncb_full = d->ncb_full;
	w->ncb_last = d->ncb_last;
	w->in_every = d->in_every;
	w->w_once = d->w_once;
	w->wlen = d->wlen;
	w->wlen_last = d->wlen_last;
	w->lanes = d->lanes;
}

/* Estimated cycles of a descriptor with row tiles of tr output rows and
 * input chunks of tc channels, from the cycle the control selects it to
 * the cycle it selects the next: its first weight tile loaded by itself,
 * no prefetch of the next one's (serial_estimate_prefetch adds those). */
int64_t serial_estimate(const struct serial *s, const struct sdesc *d, int tr, int tc)
{
	struct walk w;
	walk_of(s, d, tr, tc, &w);
	/* the first descriptor starts a cycle earlier, with the start pulse */
	return model_cycles(d, &w, 0, 0) + (s->ndesc > 0 && d == &s->desc[0]);
}

/* d fetches n's first weight tile once its own reads are out: n no longer
 * loads it, and d's estimate gains what the fetch adds to its tail. d's own
 * first tile was fetched by the descriptor before it unless d is the first
 * (a MAC descriptor always has its first tile prefetched but the first);
 * the difference that makes to d's tail is small and left out. */
void serial_estimate_prefetch(struct sdesc *d, struct sdesc *n)
{
	struct walk wd, wn;
	walk_tiled(d, &wd);
	walk_tiled(n, &wn);
	int pref = d->op == SOP_MAC;
	d->est += model_cycles(d, &wd, pref, d->nx_wlen) - model_cycles(d, &wd, pref, 0);
	n->est += model_cycles(n, &wn, 1, 0) - model_cycles(n, &wn, 0, 0);
}
