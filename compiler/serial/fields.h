/* fields.h: the one definition of the serial engine's descriptor: its
 * operations and its fields, in the order they are packed (field 0 in the
 * lowest bits of the descriptor word). From this list come enum sop
 * (desc.h), the value checks and the descriptor ROM of <net>_top
 * (write.c), and templates/nn_serial_desc.vh, the packed layout every
 * serial template includes (fields.c prints it: `make desc-vh`; the
 * generated-check test fails when the committed file differs).
 * docs/DESIGN.md §8 describes the format. This header includes nothing
 * of the serial chain; the value expressions are only expanded where a
 * `const struct sdesc *d` is in scope. */
#ifndef NNC_SERIAL_FIELDS_H
#define NNC_SERIAL_FIELDS_H

#include <stdio.h>

/* X(NAME, name, code): the operations, and op's value in the descriptor. */
#define SOP_LIST(X)                                                        \
	X(MAC, mac, 0) /* conv, fc, add: multiply and accumulate */       \
	X(MAX, max, 1) /* a max pool or relu pass: maxima */              \
	X(SUM, sum, 2) /* an average pool pass: sums */

/* Width rules of fields whose width is a parameter of the engine: the
 * memory word address bits (AW), the activation datapath bits (CW), the
 * array's columns (TN). A positive width is a number of bits. */
enum { FW_AW = -1, FW_CW = -2, FW_TN = -3 };

/* X(name, width, signed, value, meaning): packed from bit 0 up. */
#define DESC_FIELDS(X)                                                                        \
	X(op, 2, 0, d->op, "operation: OP_MAC, OP_MAX or OP_SUM")                               \
	X(ci, 2, 0, d->ci, "input container: 0 8 bits, 1 16 bits, 2 32 bits")                   \
	X(co, 2, 0, d->co, "output container: 0 8 bits, 1 16 bits, 2 32 bits")                  \
	X(h, 16, 0, d->h,                                                                       \
	  "input rows (one frame's; fc: 1; the batched tail: all frames')")                     \
	X(w, 16, 0, d->w, "input columns")                                                      \
	X(ow, 16, 0, d->ow, "output columns (before a fused max pool)")                         \
	X(kh, 16, 0, d->kh, "kernel rows the array steps through")                              \
	X(kw, 16, 0, d->kw, "kernel columns the array steps through")                           \
	X(kxs, 8, 0, d->pack, "kernel packing: kernel columns a step (1: no packing)")          \
	X(kys, 8, 0, d->packy, "kernel packing: kernel rows a step (1: no packing)")            \
	X(pm, 17, 0, d->pm, "kernel packing: lane n's slot q = (n*PM) >> 16 = n / C (0: off)")  \
	X(pm2, 17, 0, d->pm2, "kernel packing: jy = (q*PM2) >> 16 = q / KXS")                   \
	X(pc, 16, 0, d->packed ? d->creal : 0,                                                  \
	  "kernel packing: the real channels to load (0: as the walk says)")                    \
	X(pmask, FW_TN, 0, d->pmask,                                                            \
	  "kernel packing: the banks channel 0 goes to (c: PMASK << c)")                        \
	X(rpg, 8, 0, d->rpg, "reduction packing: gcd(C, TN), channels a block of banks (0: off)") \
	X(rpd, 8, 0, d->rp ? d->rpe % d->c / d->rpg : 0,                                        \
	  "reduction packing: channel slots a step moves, (RPE mod C) / RPG")                   \
	X(rpcg, 16, 0, d->rp ? d->c / d->rpg : 0, "reduction packing: channel slots, C / RPG")  \
	X(rpn, 16, 0, d->rp ? d->c * d->kho * d->kwo : 0,                                       \
	  "reduction packing: the (channel, kernel position) pairs, C*KH*KW")                   \
	X(rkw, 8, 0, d->rp ? d->kwo : 0, "reduction packing: the kernel's columns")             \
	X(rpe, 8, 0, d->rp ? d->rpe : 0,                                                        \
	  "reduction packing: pairs a step (lanes from RPE on idle)")                           \
	X(rpqx, 8, 0, d->rp ? d->rpq % d->kwo : 0,                                              \
	  "reduction packing: kernel columns a step moves (RPE / C positions)")                 \
	X(rpqy, 8, 0, d->rp ? d->rpq / d->kwo : 0, "reduction packing: kernel rows a step moves") \
	X(sh, 8, 0, d->sh, "vertical stride")                                                   \
	X(sw, 8, 0, d->sw, "horizontal stride")                                                 \
	X(ph, 8, 0, d->ph, "top padding rows")                                                  \
	X(pw, 8, 0, d->pw, "left padding columns")                                              \
	X(csplit, 16, 0, d->csplit, "input channels read from IN_A; the rest from IN_B")        \
	X(nrt, 16, 0, d->nrt, "row tiles")                                                      \
	X(tr, 16, 0, d->tr, "output rows a row tile")                                           \
	X(rows_last, 16, 0, d->rows_last, "output rows of the last row tile")                   \
	X(ir, 16, 0, d->ir, "input rows a row tile reads")                                      \
	X(trsh, 16, 0, d->trsh, "input rows from one row tile to the next, TR*SH")              \
	X(trp, 16, 0, d->trp, "pooled output rows a row tile")                                  \
	X(prows_last, 16, 0, d->prows_last, "pooled output rows of the last row tile")          \
	X(nob, 16, 0, d->nob, "output channel blocks (TM channels, TP for a pass)")             \
	X(nm_last, 16, 0, d->nm_last, "channels of the last output block")                      \
	X(ncc, 16, 0, d->ncc, "input chunks")                                                   \
	X(tc, 16, 0, d->tc, "input channels a chunk")                                           \
	X(nc_last, 16, 0, d->nc_last, "input channels of the last chunk")                       \
	X(ncb_full, 16, 0, d->ncb_full, "array steps (TN channel blocks) of a full chunk")      \
	X(ncb_last, 16, 0, d->ncb_last, "array steps of the last chunk")                        \
	X(ipl, 16, 0, d->ipl, "input buffer words a channel plane (a bank)")                    \
	X(wpwi, 16, 0, d->wpwi, "memory words an input row")                                    \
	X(plane_i, 32, 0, d->plane_i,                                                           \
	  "memory words an input channel plane (fc: WPWI; the scratch: 2^SK)")                  \
	X(pk, 4, 0, d->pk, "fused max pool size and stride (1: none)")                          \
	X(pow, 16, 0, d->pow, "pooled output columns")                                          \
	X(wpwo, 16, 0, d->wpwo, "memory words an output row")                                   \
	X(plane_o, 32, 0, d->plane_o, "memory words an output channel plane")                   \
	X(in_a, FW_AW, 0, d->in_a, "word address of the input map")                             \
	X(in_b, FW_AW, 0, d->in_b, "word address of the second input (channels from CSPLIT)")   \
	X(out, FW_AW, 0, d->out,                                                                \
	  "word address of the output map (at SBASE and above: the scratch)")                   \
	X(wbase, FW_AW, 0, d->wbase,                                                            \
	  "word address of the first weight tile (a repeated frame: frame 0's)")                \
	X(wstride, 32, 0, d->wstride,                                                           \
	  "memory words from one weight tile to the next, NBW + NCB_FULL*KH*KW*WSUB")           \
	X(wlen, 32, 0, d->wlen, "memory words of a full chunk's weight tile (biases first)")    \
	X(wlen_last, 32, 0, d->wlen_last, "memory words of the last chunk's weight tile")       \
	X(in_every, 1, 0, d->in_every,                                                          \
	  "load the input for every output block (else once a row tile)")                       \
	X(w_once, 1, 0, d->w_once, "load the weights once for the whole descriptor")            \
	X(nx_w, FW_AW, 0, d->nx_w, "word address of the next descriptor's first weight tile")   \
	X(nx_wlen, 32, 0, d->nx_wlen, "memory words of that tile (0: none to prefetch)")        \
	X(shift, 8, 1, d->shift,                                                                \
	  "requantization shift Facc - Fo (negative: left), in [-40, ACC_W + 2]")               \
	X(rnd, 1, 0, d->rnd, "1: round to nearest, 0: floor")                                   \
	X(outw, 6, 0, d->outw, "output bits (saturation)")                                      \
	X(act, 2, 0, d->act, "activation: 0 none, 1 relu, 2 relu6")                             \
	X(cap, 32, 0, d->cap, "relu6's cap, sat(floor(6*2^Fo))")                                \
	X(avgm, 24, 0, d->avgm, "average pool: multiplier (1 otherwise)")                       \
	X(avgp, 6, 0, d->avgp, "average pool: shift after the multiply")                        \
	X(padv, FW_CW, 1, d->padv, "the padding value (a max pool's: the least value)")         \
	X(iys, 18, 1, d->iys, "the first row tile's top input row (-PH; a fused band's lower)") \
	X(osc, 1, 0, d->osc, "the output goes to the on-chip scratch")                          \
	X(srw, 24, 0, d->srw, "the scratch ring's bank words a channel (fused bands)")

/* Print templates/nn_serial_desc.vh (fields.c). */
void desc_vh_print(FILE *f);
/* The fields as a Markdown table (docs/DESIGN.md). */
void desc_md_print(FILE *f);

#endif
