/* serial_emit.c: the files of a serial design: OUT.v (the top module with
 * its descriptor ROM, then the templates), OUT.mem.bin (the weights, laid
 * out tile by tile as the array consumes them) and OUT.json (the report and
 * the memory map). */
#include "serial.h"

#include <stdlib.h>
#include <string.h>

/* X(name, bits, value): the descriptor fields, in nn_serial_core's port
 * order; bits 0 means the address width, -1 the activation width. */
#define DESC_FIELDS(X)                                                             \
	X(op, 2, d->op) X(ci, 2, d->ci) X(co, 2, d->co)                             \
	X(h, 16, d->h) X(w, 16, d->w) X(ow, 16, d->ow) X(kh, 16, d->kh)             \
	X(kw, 16, d->kw) X(kxs, 8, d->pack) X(pm, 17, d->pm) X(pc, 16, d->pack > 1 ? d->creal : 0) \
	X(pmask, -2, d->pmask) X(sh, 8, d->sh) X(sw, 8, d->sw) X(ph, 8, d->ph)            \
	X(pw, 8, d->pw) X(csplit, 16, d->csplit) X(nrt, 16, d->nrt)                 \
	X(tr, 16, d->tr) X(rows_last, 16, d->rows_last) X(ir, 16, d->ir)            \
	X(trsh, 16, d->trsh) X(trp, 16, d->trp) X(prows_last, 16, d->prows_last)    \
	X(nob, 16, d->nob) X(nm_last, 16, d->nm_last) X(ncc, 16, d->ncc)            \
	X(tc, 16, d->tc) X(nc_last, 16, d->nc_last) X(ncb_full, 16, d->ncb_full)    \
	X(ncb_last, 16, d->ncb_last) X(ipl, 16, d->ipl) X(wpwi, 16, d->wpwi)        \
	X(plane_i, 32, d->plane_i) X(pk, 4, d->pk) X(pow, 16, d->pow)               \
	X(wpwo, 16, d->wpwo) X(plane_o, 32, d->plane_o) X(in_a, 0, d->in_a)         \
	X(in_b, 0, d->in_b) X(out, 0, d->out) X(wbase, 0, d->wbase)                 \
	X(wstride, 32, d->wstride) X(wlen, 32, d->wlen)                             \
	X(wlen_last, 32, d->wlen_last) X(in_every, 1, d->in_every)                  \
	X(w_once, 1, d->w_once) X(nx_w, 0, d->nx_w) X(nx_wlen, 32, d->nx_wlen) \
	 X(shift, 8, d->shift) X(rnd, 1, d->rnd)             \
	X(outw, 6, d->outw) X(act, 2, d->act) X(cap, 32, d->cap)                    \
	X(avgm, 24, d->avgm) X(avgp, 6, d->avgp) X(padv, -1, d->padv)

static const char *const op_names[] = {"mac", "max", "sum"};

static int field_bits(const struct serial *s, int bits)
{
	return bits == 0 ? s->aw : bits == -1 ? s->cw : bits == -2 ? s->tn : bits;
}

/* Every field value fits its port (signed fields: shift, padv). */
static int check_fields(const struct serial *s, const struct network *net)
{
	for (int k = 0; k < s->ndesc; k++) {
		const struct sdesc *d = &s->desc[k];
		const struct layer *l = &net->layers[d->layer];
#define X(nm, bits, v)                                                                       \
		{                                                                            \
			int b = field_bits(s, bits);                                         \
			int64_t val = (int64_t)(v);                                          \
			bool sgn = !strcmp(#nm, "shift") || !strcmp(#nm, "padv");           \
			bool ok = sgn ? val >= -((int64_t)1 << (b - 1)) && val < ((int64_t)1 << (b - 1)) \
			              : b >= 63 || (val >= 0 && val < ((int64_t)1 << b));    \
			if (!ok) {                                                           \
				error_at(l->loc, "'%s' is too large for the serial engine (%s = %lld " \
				         "does not fit %d bits)", l->name, #nm, (long long)val, b); \
				return -1;                                                   \
			}                                                                    \
		}
		DESC_FIELDS(X)
#undef X
	}
	return 0;
}

static void emit_top(FILE *f, const struct serial *s, const struct network *net,
                     const struct compile_opts *o, const struct design *dz)
{
	const char *top = dz->top;
	char *iface = xprintf(
		"Top module %s: the layer-serial engine, a %dx%d (TM x TN) multiplier array.\n"
		"  clk, rst (synchronous, active high, control only), start (pulse), busy, done\n"
		"  (high from the end of an inference until the next start).\n"
		"Memory master port, %d-bit words, word addresses of %d bits:\n"
		"  mem_req_valid/ready, mem_req_addr, mem_req_write, mem_req_len (1..%d),\n"
		"  mem_req_wdata: a read is one beat; a write is len beats, the first with the\n"
		"  address; mem_resp_valid, mem_resp_data: read words in request order\n"
		"  (always accepted).\n"
		"Memory map (words):\n"
		"  [0, %lld) weights and biases (OUT.mem.bin), tile by tile\n",
		top, s->tm, s->tn, s->mw, s->aw, s->maxb, (long long)s->w_words);
	for (int t = 0; t < s->ntens; t++) {
		const struct stensor *x = &s->tens[t];
		iface = xprintf("%s  [%lld, %lld) %s %s [%d, %d, %d] fixed<%d,%d> in %d-bit values, "
		                "%d words a row\n",
		                iface, (long long)x->base, (long long)(x->base + x->words),
		                t == s->in_tensor ? "input" : t == s->out_tensor ? "output" : "map",
		                x->name, x->s.c, x->s.h, x->s.w, x->fmt.w, x->fmt.f, x->cw, x->wpw);
	}
	iface = xprintf("%sA map is stored C, H, W: channel planes of H rows of %s words;\n"
	                "value x of a row is in bits (x mod E)*cw of word x/E, E = %d/cw.\n"
	                "Start: write the input frame, pulse start, wait for done, read the output.\n"
	                "Descriptors: %d (one per conv/fc with its fused relu and max pool, per pass, "
	                "per add block).",
	                iface, "WPW", s->mw, s->ndesc);
	emit_header(f, net, o, xprintf("%s.v: %s in layer-serial hardware", out_base(o), net->name),
	            iface);
	fputs("`resetall\n`timescale 1ns / 1ps\n`default_nettype none\n\n", f);
	fprintf(f, "module %s (\n"
	        "    input  wire clk,\n    input  wire rst,\n    input  wire start,\n"
	        "    output wire busy,\n    output wire done,\n"
	        "    output wire mem_req_valid,\n    input  wire mem_req_ready,\n"
	        "    output wire [%d:0] mem_req_addr,\n    output wire mem_req_write,\n"
	        "    output wire [%d:0] mem_req_len,\n    output wire [%d:0] mem_req_wdata,\n"
	        "    input  wire mem_resp_valid,\n    input  wire [%d:0] mem_resp_data\n);\n\n",
	        top, s->aw - 1, s->len_w - 1, s->mw - 1, s->mw - 1);
	fputs("// ---- the descriptor table (a ROM indexed by desc) ----\n", f);
	fputs("wire [15:0] desc;\n", f);
#define X(nm, bits, v) fprintf(f, "reg  [%d:0] d_%s;\n", field_bits(s, bits) - 1, #nm);
	{
		const struct sdesc *d = s->desc;
		(void)d;
		DESC_FIELDS(X)
	}
#undef X
	fputs("\nalways @* begin\n", f);
#define X(nm, bits, v) fprintf(f, "    d_%s = %d'd0;\n", #nm, field_bits(s, bits));
	{
		const struct sdesc *d = s->desc;
		(void)d;
		DESC_FIELDS(X)
	}
#undef X
	fputs("    case (desc)\n", f);
	for (int k = 0; k < s->ndesc; k++) {
		const struct sdesc *d = &s->desc[k];
		const struct layer *l = &net->layers[d->layer];
		fprintf(f, "    // %s: %s%s%s", d->name, op_names[d->op],
		        d->last_layer != d->layer ? ", fused " : "",
		        d->last_layer != d->layer ? net->layers[d->last_layer].name : "");
		if (d->op == SOP_MAC && l->kind == L_CONV && l->groups > 1)
			fprintf(f, ", channels %d.. of %d groups", d->f0, l->groups);
		fprintf(f, "; %d row tiles of %d, %d blocks, %d chunks of %d\n", d->nrt, d->tr, d->nob,
		        d->ncc, d->tc);
		fprintf(f, "    16'd%d: begin\n       ", k);
		int col = 7;
#define X(nm, bits, v)                                                                        \
		{                                                                             \
			int b = field_bits(s, bits);                                          \
			uint64_t u = (uint64_t)(int64_t)(v);                                  \
			if (b < 64)                                                           \
				u &= ((uint64_t)1 << b) - 1;                                  \
			char *t = xprintf(" d_%s = %d'h%llx;", #nm, b, (unsigned long long)u); \
			if (col + (int)strlen(t) > 96) {                                      \
				fputs("\n       ", f);                                        \
				col = 7;                                                      \
			}                                                                     \
			fputs(t, f);                                                          \
			col += (int)strlen(t);                                                \
		}
		DESC_FIELDS(X)
#undef X
		fputs("\n    end\n", f);
	}
	fputs("    default: ;\n    endcase\nend\n\n", f);
	fprintf(f, "nn_serial_core #(\n"
	        "    .TM(%d), .TN(%d), .CW(%d), .WCW(%d), .MW(%d), .AW(%d), .LEN_W(%d), .MAXB(%d),\n"
	        "    .ACC_W(%d), .BW(%d), .IBD(%d), .WBD(%d), .ABD(%d), .OBD(%d), .NDESC(%d)\n"
	        ") u_core (\n"
	        "    .clk(clk), .rst(rst), .start(start), .busy(busy), .done(done),\n"
	        "    .mem_req_valid(mem_req_valid), .mem_req_ready(mem_req_ready),\n"
	        "    .mem_req_addr(mem_req_addr), .mem_req_write(mem_req_write),\n"
	        "    .mem_req_len(mem_req_len), .mem_req_wdata(mem_req_wdata),\n"
	        "    .mem_resp_valid(mem_resp_valid), .mem_resp_data(mem_resp_data),\n"
	        "    .desc(desc)",
	        s->tm, s->tn, s->cw, s->wcw, s->mw, s->aw, s->len_w, s->maxb, s->acc_w, s->bw,
	        s->ibd, s->wbd, s->abd, s->obd, s->ndesc);
#define X(nm, bits, v) fprintf(f, ",\n    .d_%s(d_%s)", #nm, #nm);
	{
		const struct sdesc *d = s->desc;
		(void)d;
		DESC_FIELDS(X)
	}
#undef X
	fputs("\n);\n\nendmodule\n\n`resetall\n", f);
	const char *names[] = {"nn_serial_core", NULL};
	emit_templates(f, names);
}

/* ---- the memory image ---------------------------------------------------------- */

/* Store the low `bits` of v at bit `bit` of the image: words of MW bits,
 * most significant byte first (as $fread loads them). bits and bit are
 * multiples of 8. */
static inline void put(uint8_t *img, int mwb, int64_t word, int64_t bit, int64_t v, int bits)
{
	for (int j = 0; j < bits; j += 8) {
		int64_t bo = bit + j;
		int64_t q = word + bo / (mwb * 8);
		int byte = (int)(bo % (mwb * 8)) / 8;
		img[q * mwb + (mwb - 1 - byte)] = (uint8_t)((uint64_t)v >> j);
	}
}

static void fill_weights(const struct serial *s, const struct sdesc *d, uint8_t *img)
{
	int mwb = s->mw / 8;
	for (int ob = 0; ob < d->nob; ob++)
		for (int cc = 0; cc < d->ncc; cc++) {
			int64_t at = d->wbase + (int64_t)(ob * d->ncc + cc) * d->wstride;
			for (int m = 0; m < s->tm; m++) {
				int o = ob * s->tm + m;
				if (o < d->f)
					put(img, mwb, at, (int64_t)m * s->bw, sdesc_bias(d, o), s->bw);
			}
			int c_lo = cc * d->tc, c_hi = cc == d->ncc - 1 ? d->c : c_lo + d->tc;
			int ncb = cc == d->ncc - 1 ? d->ncb_last : d->ncb_full;
			int64_t wq = at + s->nbw;
			/* the plain conv: index the PyTorch layout directly */
			bool plain = d->wkind == W_LAYER && d->c == d->cg && d->f == d->fg && d->f0 == 0;
			int khw = d->kh * d->kw;
			for (int cb = 0; cb < ncb; cb++)
				for (int k = 0; k < khw; k++, wq += s->wsub)
					for (int m = 0; m < s->tm; m++) {
						int o = ob * s->tm + m;
						if (o >= d->f)
							break;
						for (int n = 0; n < s->tn; n++) {
							int c = c_lo + cb * s->tn + n;
							if (c >= c_hi)
								break;
							int32_t v = plain ? d->wl->w[((int64_t)o * d->c + c) * khw + k]
							                  : sdesc_weight(d, o, c, k / d->kw, k % d->kw);
							if (v)
								put(img, mwb, wq, (int64_t)(m * s->tn + n) * s->wcw, v,
								    s->wcw);
						}
					}
		}
}

static int write_image(const struct serial *s, const struct compile_opts *o)
{
	size_t bytes = (size_t)s->w_words * (size_t)(s->mw / 8);
	uint8_t *img = big_alloc(bytes ? bytes : 1);
	memset(img, 0, bytes);
	for (int k = 0; k < s->ndesc; k++)
		if (s->desc[k].op == SOP_MAC)
			fill_weights(s, &s->desc[k], img);
	FILE *f = out_open(out_path(o, ".mem.bin"));
	if (!f) {
		free(img);
		return -1;
	}
	size_t n = fwrite(img, 1, bytes, f);
	free(img);
	if (n != bytes) {
		error_file(out_path(o, ".mem.bin"), "write failed");
		return -1;
	}
	return 0;
}

/* ---- the report ------------------------------------------------------------------ */

static void write_json(FILE *f, const struct serial *s, const struct network *net,
                       const struct design *dz)
{
	fprintf(f, "{\n  \"network\": \"%s\",\n  \"mode\": \"serial\",\n  \"top\": \"%s\",\n",
	        net->name, dz->top);
	fprintf(f, "  \"engine\": {\"tm\": %d, \"tn\": %d, \"multipliers\": %d, \"mem_width\": %d, "
	        "\"addr_bits\": %d, \"act_bits\": %d, \"weight_bits\": %d, \"acc_bits\": %d, "
	        "\"max_burst\": %d, \"input_buffer_words\": %d, \"weight_buffer_words\": %d, "
	        "\"acc_pixels\": %d, \"output_buffer_words\": %d},\n",
	        s->tm, s->tn, s->tm * s->tn, s->mw, s->aw, s->cw, s->wcw, s->acc_w, s->maxb,
	        s->ibd, s->wbd, s->abd, s->obd);
	fprintf(f, "  \"macs\": %lld,\n  \"bound_cycles\": %lld,\n  \"estimated_cycles\": %lld,\n",
	        (long long)dz->macs, (long long)dz->bound, (long long)dz->estimate);
	fprintf(f, "  \"memory_words\": %lld,\n  \"memory_map\": [\n", (long long)s->mem_words);
	fprintf(f, "    {\"region\": \"weights\", \"base\": 0, \"words\": %lld}",
	        (long long)s->w_words);
	for (int t = 0; t < s->ntens; t++) {
		const struct stensor *x = &s->tens[t];
		fprintf(f, ",\n    {\"region\": \"%s\", \"tensor\": \"%s\", \"base\": %lld, \"words\": %lld, "
		        "\"shape\": [%d, %d, %d], \"format\": [%d, %d], \"container_bits\": %d, "
		        "\"row_words\": %d}",
		        t == s->in_tensor ? "input" : t == s->out_tensor ? "output" : "map", x->name,
		        (long long)x->base, (long long)x->words, x->s.c, x->s.h, x->s.w, x->fmt.w,
		        x->fmt.f, x->cw, x->wpw);
	}
	fputs("\n  ],\n  \"descriptors\": [\n", f);
	for (int k = 0; k < s->ndesc; k++) {
		const struct sdesc *d = &s->desc[k];
		fprintf(f, "    {\"index\": %d, \"layer\": \"%s\", \"through\": \"%s\", \"op\": \"%s\", "
		        "\"in\": [%d, %d, %d], \"out\": [%d, %d, %d], \"kernel\": [%d, %d], "
		        "\"stride\": [%d, %d], \"pad\": [%d, %d], \"pool\": %d, \"column_pack\": %d, "
		        "\"row_tiles\": %d, \"tile_rows\": %d, \"out_blocks\": %d, \"in_chunks\": %d, "
		        "\"chunk_channels\": %d, \"weight_words\": %lld, \"in_base\": %lld, "
		        "\"out_base\": %lld, \"weight_base\": %lld, \"shift\": %d, \"estimated_cycles\": %lld}%s\n",
		        k, d->name, net->layers[d->last_layer].name, op_names[d->op], d->c, d->h, d->w,
		        d->f, d->poh, d->pow, d->kh, d->pack > 1 ? d->kwo : d->kw, d->sh, d->sw, d->ph, d->pw, d->pk, d->pack, d->nrt,
		        d->tr, d->nob, d->ncc, d->tc, (long long)d->wwords, (long long)d->in_a,
		        (long long)d->out, (long long)d->wbase, d->shift, (long long)d->est,
		        k + 1 < s->ndesc ? "," : "");
	}
	fputs("  ]\n}\n", f);
}

/* ---- the mode ---------------------------------------------------------------------- */

static int serial_compile(struct network *net, const struct compile_opts *o, struct design *d)
{
	struct serial *s = xcalloc(1, sizeof *s);
	if (serial_lower(s, net, o) || check_fields(s, net))
		return -1;
	d->top = xprintf("%s_top", net->name);
	d->multipliers = (int64_t)s->tm * s->tn;
	d->macs = 0;
	for (int i = 0; i < net->nlayers; i++)
		d->macs += net->layers[i].kind == L_CONV || net->layers[i].kind == L_FC
		                   ? net->layers[i].macs : 0;
	d->bound = serial_bound(s, net);
	d->estimate = 0;
	for (int k = 0; k < s->ndesc; k++)
		d->estimate += s->desc[k].est + 20;
	d->priv = s;
	FILE *f = out_open(o->out);
	if (!f)
		return -1;
	emit_top(f, s, net, o, d);
	if (write_image(s, o))
		return -1;
	FILE *j = out_open(out_path(o, ".json"));
	if (!j)
		return -1;
	write_json(j, s, net, d);
	if (o->tb && serial_emit_tb(s, net, o, d))
		return -1;
	if (verbosity >= 2)
		fprintf(stderr, "nnc: serial %dx%d, %d descriptors, %lld memory words, bound %lld, "
		        "estimate %lld cycles\n", s->tm, s->tn, s->ndesc, (long long)s->mem_words,
		        (long long)d->bound, (long long)d->estimate);
	return 0;
}

const struct mode_ops serial_ops = {"serial", serial_compile, serial_write_vectors};
