/* desc.h: the layer-serial back end's data: the engine (struct serial), its
 * feature maps in external memory and its descriptor table, and the
 * geometry of a descriptor (desc.c). The serial back end is a one-way chain
 * of files, each using only the ones before it:
 *   desc -> estimate -> tile -> fuse -> lower -> svg -> write -> tb -> mode
 * (tests/run_layout.sh checks that no header includes a later one). */
#ifndef NNC_SERIAL_DESC_H
#define NNC_SERIAL_DESC_H

#include "emit.h"
#include "fields.h"
#include "fixed.h"

/* The bits that count to n: the least k with 2^k >= n. */
static inline int clog2i(int64_t n)
{
	int k = 0;
	while (((int64_t)1 << k) < n)
		k++;
	return k;
}
static inline int64_t cdiv(int64_t a, int64_t b) { return (a + b - 1) / b; }
/* The container of a w-bit value: 8, 16 or 32 bits, and its code in a
 * descriptor's ci/co fields. */
static inline int ctz_container(int w) { return w <= 8 ? 8 : w <= 16 ? 16 : 32; }
static inline int ccode(int cw) { return cw == 8 ? 0 : cw == 16 ? 1 : 2; }

#define X(NM, nm, code) SOP_##NM = code,
enum sop { SOP_LIST(X) };
#undef X
enum wkind { W_LAYER, W_ADD };

/* Engine addresses (docs/DESIGN.md §10.2): {region, offset}. While lowering,
 * offsets have SR_OB bits; serial_rebase moves every address to the
 * engine's OB offset bits once the regions' sizes are known. */
enum sregion { SR_WEIGHTS, SR_WORK, SR_INPUT, SR_OUTPUT, SR_PROGRAM, SR_N, SR_SCRATCH = 7 };
#define SR_OB 40
static inline int64_t saddr(int region, int64_t off) { return ((int64_t)region << SR_OB) | off; }
static inline int sregion_of(int64_t a) { return (int)(a >> SR_OB); }
static inline int64_t soffset(int64_t a) { return a & (((int64_t)1 << SR_OB) - 1); }

/* A feature map in external memory. */
struct stensor {
	const char *name;
	struct shape s;
	struct fixed_fmt fmt;
	int cw;                     /* container bits: 8, 16, 32 */
	int wpw;                    /* words per row */
	int64_t plane, words, base; /* words */
	int fh;                     /* rows a frame holds (batched maps hold more) */
	int64_t foff;               /* words from one frame's map to the next's, or 0: shared */
	int first_def, last_use;    /* plan steps */
	bool pinned;                /* the input and the output: never shared */
};

/* One entry of the descriptor table (docs/DESIGN.md §5, serial): the fields
 * nn_serial_core takes, and where its weights come from. */
struct sdesc {
	int layer, last_layer;      /* the layers it computes (first, last fused) */
	const char *name;
	enum sop op;
	int ci, co;                 /* container codes 0/1/2 = 8/16/32 bits */
	int c, csplit, h, w, ow, kh, kw, sh, sw, ph, pw, f;
	int nrt, tr, rows_last, ir, trsh, trp, prows_last;
	int nob, nm_last, ncc, tc, nc_last, ncb_full, ncb_last;
	int ipl, wpwi, pk, poh, pow, wpwo;
	int64_t plane_i, plane_o;
	int64_t in_a, in_b, out, wbase, wstride, wlen, wlen_last, wwords;
	int in_every, w_once;
	int64_t nx_w, nx_wlen;      /* the next descriptor's first weight tile */
	int shift, rnd, outw, act;
	int64_t cap, avgm, padv;
	int avgp;
	/* weights */
	enum wkind wkind;
	const struct layer *wl;
	int c0, f0, cg, fg;         /* groups: the sub-range of the layer */
	/* kernel packing: lane n = (jy*pack + jx)*creal + c holds channel c at
	 * kernel offset (jy, jx), jx < pack, jy < packy; the kernel's kho x kwo
	 * positions take kh x kw = ceil(kho/packy) x ceil(kwo/pack) steps */
	int packed, pack, packy, creal, kwo, kho, pm, pm2;
	uint64_t pmask;
	/* reduction packing (rp): the (channel c, kernel position p) pairs in
	 * the order i = p*c + c, TN a step (lane n of step s: i = s*TN + n),
	 * with kh = kw = 1 steps of the array's kernel loop and ncb =
	 * ceil(c*kho*kwo / TN) channel blocks; lane n only sees channels
	 * c = n mod rpg, rpg = gcd(c, TN), so each channel is loaded into the
	 * TN/rpg banks of its residue (pmask << c mod rpg), c / rpg planes a
	 * bank */
	int rp, rpg;
	int rpe, rpq;               /* rp: pairs a step (TN, or C*floor(TN/C) when C < TN)
	                               and the kernel positions they advance (rpe / C, 0
	                               when C > TN) */
	int lanes;                  /* lanes the array walks at a descriptor's start (packed, rp) */
	int sa, sb;                 /* add: scales */
	/* fusion: the first tile's top input row (-ph, or a band's first row
	 * minus ph: a band of a layer computes output rows from there); osc:
	 * the output goes to the on-chip scratch (nn_serial_scratch), isc: the
	 * input comes from it */
	int iys, osc, isc;
	int scl;                    /* osc: the lanes the writer stores a cycle */
	int srw;                    /* osc, isc: the scratch ring's words a channel */
	int band;                   /* 1 + the band index of a fused layer's descriptor, or 0 */
	int64_t est;                /* estimated cycles */
	int ta, tb, tout;           /* the tensors it reads and writes */
	int wsrc;                   /* the descriptor whose weights it reuses (an earlier
	                               frame's copy), or -1 */
};

struct serial {
	int tm, tn, tp, mw, cw, wcw, acc_w, bw, aw, len_w, maxb;
	/* the engine's spec (docs/DESIGN.md §10.1): offset bits of an address
	 * (aw = 3 + ob); fixed: an engine was given (--engine), its widths
	 * and buffers are used as they are; the spec hash */
	int ob;
	int avg_w;                  /* the average pass's multiplier bits (0: no average pass) */
	bool fixed;
	const char *spec_file;
	uint32_t hash;
	/* the regions' words (the program's included), their bases in the
	 * per-network form's flat memory, and that memory's address bits */
	int64_t rwords[SR_N], flat[SR_N];
	int xw;
	int ibd, wbd, abd, obd;     /* buffer depths (words a bank a slot; pixels) */
	int wsub, nbw;              /* memory words per array weight word; bias words */
	struct stensor *tens;
	int ntens, cap_tens, in_tensor, out_tensor;
	struct sdesc *desc;
	int ndesc, cap_desc;
	int64_t w_words, mem_words;
	/* --batch B: every layer before the fc tail runs once a frame, the fc
	 * tail (layers from tail_layer on) once for the B frames, each weight
	 * tile serving B rows; tail_layer is nlayers when B is 1 */
	int batch, tail_layer;
	bool quiet;                 /* a trial lowering (--bram-kbits): tiles fail silently */
	/* the on-chip scratch of fused layers (sdepth 0: none): word addresses
	 * from sbase (aligned to 2^(sk+sl)) hold a map whose channel ch starts
	 * at sbase + ch << sk; ch lives in bank ch mod 2^sl as a ring of the
	 * descriptor's srw words at bank word (ch >> sl)*srw; sdepth words a
	 * bank (compiler/serial/fuse.c) */
	int64_t sbase;
	int sk, sl, sdepth;
	int sdmax;                  /* the scratch words a bank may have (0: no fusion) */
	bool fuse_all;              /* --fuse all: fuse wherever the bands fit */
	int fuse_band;              /* --fuse-band: B's pooled rows a band, or 0 */
};

/* A field's bits in this engine (fields.h's width rules), the
 * descriptor's bits D_W, and the memory words of a record. */
static inline int serial_field_bits(const struct serial *s, int width)
{
	return width == FW_AW ? s->aw : width == FW_CW ? s->cw : width == FW_TN ? s->tn : width;
}
int serial_dbits(const struct serial *s);
static inline int serial_recw(const struct serial *s)
{
	return (int)cdiv(serial_dbits(s), s->mw);
}
/* The program's words (docs/DESIGN.md §10.3): 128 header bytes, then the
 * records. */
static inline int64_t serial_prog_words(const struct serial *s, int ndesc)
{
	return 1024 / s->mw + (int64_t)ndesc * serial_recw(s);
}

/* The offset of an engine address (after the lowering: OB bits). */
static inline int64_t soff(const struct serial *s, int64_t a)
{
	return a & (((int64_t)1 << s->ob) - 1);
}

struct sdesc *serial_new_desc(struct serial *s);
/* Input rows a tile of tr output rows reads; the array blocks (weight
 * words of one kernel position) that nch input channels take. */
int sdesc_ir(const struct sdesc *d, int tr);
int sdesc_blocks(const struct serial *s, const struct sdesc *d, int nch);
int32_t sdesc_weight(const struct sdesc *d, int o, int c, int ky, int kx);
int64_t sdesc_bias(const struct sdesc *d, int o);
/* The on-chip buffer bits of s's engine at the given depths. */
int64_t serial_buffer_bits(const struct serial *s, int64_t ibd, int64_t wbd, int64_t abd,
                           int64_t obd);
/* The bits of the scratch at sdepth words a bank. */
int64_t serial_scratch_bits(const struct serial *s, int64_t sdepth);
/* The roofline of one conv or fc layer (docs/DESIGN.md §5): its MACs, the
 * bytes that must cross the bus, and the cycles each needs. */
struct sroof {
	int layer, last;            /* the layer and the last one fused into it */
	double macs, bytes, compute, memory;
};
int serial_roofline(const struct serial *s, const struct network *net, struct sroof *out);
int64_t serial_bound(const struct serial *s, const struct network *net);


#endif
