/* write.c: the files of a serial design: OUT.v (the top module with
 * its descriptor ROM, then the templates), OUT.mem.bin (the weights, laid
 * out tile by tile as the array consumes them) and OUT.json (the report and
 * the memory map). */
#include "write.h"

#include "program.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef MAP_POPULATE
#define MAP_POPULATE 0
#endif

#define X(NM, nm, code) [code] = #nm,
static const char *const op_names[] = {SOP_LIST(X)};
#undef X

/* Every field value fits its bits (fields.h: signed or not). */
int serial_check_fields(const struct serial *s, const struct network *net)
{
	for (int k = 0; k < s->ndesc; k++) {
		const struct sdesc *d = &s->desc[k];
		const struct layer *l = &net->layers[d->layer];
#define X(nm, width, sgn, v, what)                                                           \
		{                                                                            \
			int b = serial_field_bits(s, width);                                        \
			int64_t val = (int64_t)(v);                                          \
			bool ok = (sgn) ? val >= -((int64_t)1 << (b - 1)) && val < ((int64_t)1 << (b - 1)) \
			                : b >= 63 || (val >= 0 && val < ((int64_t)1 << b));  \
			if (!ok) {                                                           \
				error_at(l->loc, "'%s' is too large for the serial engine (%s = %lld " \
				         "does not fit %d bits)%s", l->name, #nm, (long long)val, b, \
				         s->fixed ? xprintf(" (%s)", s->spec_file) : ""); \
				return -1;                                                   \
			}                                                                    \
		}
		DESC_FIELDS(X)
#undef X
	}
	return 0;
}

/* <net>_axi_top: <net>_top behind nn_serial_axi, an AXI4 master port. */
static void emit_axi_top(FILE *f, const struct serial *s, const char *top)
{
	int sz = 0;
	while ((8 << sz) < s->mw)
		sz++;
	int ba = s->xw + sz;
	fprintf(f, "\n// %s_axi: %s with an AXI4 master port (m_axi_*, %d-bit data, %d-bit byte\n"
	        "// addresses, one ID, INCR bursts up to 256 beats split at 4 KB; a read waits for\n"
	        "// the B responses of every earlier write). err: a SLVERR/DECERR response was seen.\n"
	        "`resetall\n`timescale 1ns / 1ps\n`default_nettype none\n\n", top, top, s->mw, ba);
	fprintf(f, "module %.*s_axi_top (\n"
	        "    input  wire clk,\n    input  wire rst,\n    input  wire start,\n"
	        "    output wire busy,\n    output wire done,\n    output wire err,\n"
	        "    output wire [3:0] m_axi_arid,\n    output wire [%d:0] m_axi_araddr,\n"
	        "    output wire [7:0] m_axi_arlen,\n    output wire [2:0] m_axi_arsize,\n"
	        "    output wire [1:0] m_axi_arburst,\n    output wire m_axi_arvalid,\n"
	        "    input  wire m_axi_arready,\n    input  wire [3:0] m_axi_rid,\n"
	        "    input  wire [%d:0] m_axi_rdata,\n    input  wire [1:0] m_axi_rresp,\n"
	        "    input  wire m_axi_rlast,\n    input  wire m_axi_rvalid,\n"
	        "    output wire m_axi_rready,\n    output wire [3:0] m_axi_awid,\n"
	        "    output wire [%d:0] m_axi_awaddr,\n    output wire [7:0] m_axi_awlen,\n"
	        "    output wire [2:0] m_axi_awsize,\n    output wire [1:0] m_axi_awburst,\n"
	        "    output wire m_axi_awvalid,\n    input  wire m_axi_awready,\n"
	        "    output wire [%d:0] m_axi_wdata,\n    output wire [%d:0] m_axi_wstrb,\n"
	        "    output wire m_axi_wlast,\n    output wire m_axi_wvalid,\n"
	        "    input  wire m_axi_wready,\n    input  wire [3:0] m_axi_bid,\n"
	        "    input  wire [1:0] m_axi_bresp,\n    input  wire m_axi_bvalid,\n"
	        "    output wire m_axi_bready\n);\n\n",
	        (int)strlen(top) - 4, top, ba - 1, s->mw - 1, ba - 1, s->mw - 1, s->mw / 8 - 1);
	fprintf(f, "wire req_valid, req_ready, req_write, resp_valid;\nwire [%d:0] req_addr;\n"
	        "wire [%d:0] req_len;\nwire [%d:0] req_wdata, resp_data;\n"
	        "/* verilator lint_off UNUSEDSIGNAL */\nwire [31:0] status;\n"
	        "/* verilator lint_on UNUSEDSIGNAL */\n\n",
	        s->xw - 1, s->len_w - 1, s->mw - 1);
	fprintf(f, "%s u_engine (\n    .clk(clk), .rst(rst), .start(start), .busy(busy), .done(done),\n"
	        "    .status(status),\n"
	        "    .mem_req_valid(req_valid), .mem_req_ready(req_ready), .mem_req_addr(req_addr),\n"
	        "    .mem_req_write(req_write), .mem_req_len(req_len), .mem_req_wdata(req_wdata),\n"
	        "    .mem_resp_valid(resp_valid), .mem_resp_data(resp_data)\n);\n\n", top);
	fprintf(f, "nn_serial_axi #(.DW(%d), .AW(%d), .LEN_W(%d)) u_axi (\n"
	        "    .clk(clk), .rst(rst),\n"
	        "    .req_valid(req_valid), .req_ready(req_ready), .req_addr(req_addr),\n"
	        "    .req_write(req_write), .req_len(req_len), .req_wdata(req_wdata),\n"
	        "    .resp_valid(resp_valid), .resp_data(resp_data), .err(err),\n",
	        s->mw, s->xw, s->len_w);
	static const char *const ax[] = {
		"arid", "araddr", "arlen", "arsize", "arburst", "arvalid", "arready", "rid", "rdata",
		"rresp", "rlast", "rvalid", "rready", "awid", "awaddr", "awlen", "awsize", "awburst",
		"awvalid", "awready", "wdata", "wstrb", "wlast", "wvalid", "wready", "bid", "bresp",
		"bvalid", "bready"};
	int n = (int)(sizeof ax / sizeof ax[0]);
	for (int i = 0; i < n; i++)
		fprintf(f, "    .m_axi_%s(m_axi_%s)%s\n", ax[i], ax[i], i + 1 < n ? "," : "");
	fputs(");\n\nendmodule\n\n`resetall\n", f);
}

static const char *const region_names[SR_N] = {"weights", "work", "input", "output", "program"};

/* An engine address in the per-network form's flat memory (the scratch's
 * stay engine addresses). */
static int64_t flat_addr(const struct serial *s, int64_t a)
{
	int r = (int)(a >> s->ob);
	return r < SR_N ? s->flat[r] + (a & (((int64_t)1 << s->ob) - 1)) : a;
}

static void emit_top(FILE *f, const struct serial *s, const struct network *net,
                     const struct compile_opts *o, const struct design *dz)
{
	const char *top = dz->top;
	/* the header's interface text, built in one stream (appending to a
	 * string for each map made it quadratic in the maps) */
	char *iface = NULL;
	size_t iface_len = 0;
	FILE *m = open_memstream(&iface, &iface_len);
	if (!m)
		die("out of memory");
	fprintf(m,
		"Top module %s: the layer-serial engine, a %dx%d (TM x TN) multiplier array.\n"
		"  clk, rst (synchronous, active high, control only), start (pulse), busy, done\n"
		"  (high from the end of an inference until the next start).\n"
		"Memory master port, %d-bit words, word addresses of %d bits:\n"
		"  mem_req_valid/ready, mem_req_addr, mem_req_write, mem_req_len (1..%d),\n"
		"  mem_req_wdata: a read is one beat; a write is len beats, the first with the\n"
		"  address; mem_resp_valid, mem_resp_data: read words in request order\n"
		"  (always accepted).\n"
		"  status: 0 after a run (docs/DESIGN.md §10.4's STATUS).\n"
		"Memory map (words): weights and biases, then the program (both in OUT.mem.bin),\n"
		"then the work region, the input and the output:\n"
		"  [%lld, %lld) weights, [%lld, %lld) program (%d descriptors)\n",
		top, s->tm, s->tn, s->mw, s->xw, s->maxb, (long long)s->flat[SR_WEIGHTS],
		(long long)(s->flat[SR_WEIGHTS] + s->rwords[SR_WEIGHTS]), (long long)s->flat[SR_PROGRAM],
		(long long)(s->flat[SR_PROGRAM] + s->rwords[SR_PROGRAM]), s->ndesc);
	for (int t = 0; t < s->ntens; t++) {
		const struct stensor *x = &s->tens[t];
		int64_t at = flat_addr(s, x->base);
		fprintf(m, "  [%lld, %lld) %s %s [%d, %d, %d] fixed<%d,%d> in %d-bit values, "
		                "%d words a row\n",
		                (long long)at, (long long)(at + x->words),
		                t == s->in_tensor ? "input" : t == s->out_tensor ? "output" : "map",
		                x->name, x->s.c, x->s.h, x->s.w, x->fmt.w, x->fmt.f, x->cw, x->wpw);
	}
	fprintf(m, "A map is stored C, H, W: channel planes of H rows of %s words;\n"
	                "value x of a row is in bits (x mod E)*cw of word x/E, E = %d/cw.\n%s"
	                "Start: write the input frame, pulse start, wait for done, read the output.\n"
	                "Descriptors: %d (one per conv/fc with its fused relu and max pool, per pass, "
	                "per add block).",
	                "WPW", s->mw,
	                s->batch == 1 ? "" : xprintf(
	                "Batch of %d frames a start (--batch): frame f's input is the input region's\n"
	                "frame f (%lld words a frame: the region above holds them all); the layers from\n"
	                "'%s' on run once for all frames, each map holding one row a frame: frame f's\n"
	                "output element c is row f of channel plane c.\n",
	                s->batch, (long long)s->tens[s->in_tensor].foff,
	                net->layers[s->tail_layer].name), s->ndesc);
	if (fclose(m) != 0)
		die("out of memory");
	emit_header(f, net, o, xprintf("%s.v: %s in layer-serial hardware", out_base(o), net->name),
	            iface);
	free(iface);
	fputs("`resetall\n`timescale 1ns / 1ps\n`default_nettype none\n\n", f);
	fprintf(f, "module %s (\n"
	        "    input  wire clk,\n    input  wire rst,\n    input  wire start,\n"
	        "    output wire busy,\n    output wire done,\n    output wire [31:0] status,\n"
	        "    output wire mem_req_valid,\n    input  wire mem_req_ready,\n"
	        "    output wire [%d:0] mem_req_addr,\n    output wire mem_req_write,\n"
	        "    output wire [%d:0] mem_req_len,\n    output wire [%d:0] mem_req_wdata,\n"
	        "    input  wire mem_resp_valid,\n    input  wire [%d:0] mem_resp_data\n);\n\n",
	        top, s->xw - 1, s->len_w - 1, s->mw - 1, s->mw - 1);
	fprintf(f, "// the engine (docs/DESIGN.md §10) with its regions at fixed places of one memory\n"
	        "/* verilator lint_off UNUSEDSIGNAL */\n"
	        "wire [15:0] desc;   // the descriptor under way (the testbench times it)\n"
	        "wire fin;\n/* verilator lint_on UNUSEDSIGNAL */\nwire [%d:0] addr;\n", s->aw - 1);
	fprintf(f, "wire [%d:0] bases = {", 5 * s->xw - 1);
	for (int r = SR_N - 1; r >= 0; r--)
		fprintf(f, "%d'd%lld%s", s->xw, (long long)s->flat[r], r ? ", " : "};\n\n");
	fprintf(f, "nn_serial_core #(\n"
	        "    .TM(%d), .TN(%d), .CW(%d), .WCW(%d), .MW(%d), .AW(%d), .LEN_W(%d), .MAXB(%d),\n"
	        "    .ACC_W(%d), .BW(%d), .AVG(%d), .AVG_W(%d), .IBD(%d), .WBD(%d), .ABD(%d), .OBD(%d),\n"
	        "    .SPEC(32'h%08x), .SBASE(%d'h%llx), .SK(%d), .SL(%d), .SDEPTH(%d)\n"
	        ") u_core (\n"
	        "    .clk(clk), .rst(rst), .start(start), .busy(busy), .done(done), .fin(fin),\n"
	        "    .status(status), .rd_err(1'b0), .wr_err(1'b0),\n"
	        "    .mem_req_valid(mem_req_valid), .mem_req_ready(mem_req_ready),\n"
	        "    .mem_req_addr(addr), .mem_req_write(mem_req_write),\n"
	        "    .mem_req_len(mem_req_len), .mem_req_wdata(mem_req_wdata),\n"
	        "    .mem_resp_valid(mem_resp_valid), .mem_resp_data(mem_resp_data),\n"
	        "    .desc(desc)\n);\n\n",
	        s->tm, s->tn, s->cw, s->wcw, s->mw, s->aw, s->len_w, s->maxb, s->acc_w, s->bw,
	        s->avg_w ? 1 : 0, s->avg_w ? s->avg_w : s->acc_w, s->ibd, s->wbd, s->abd, s->obd,
	        s->hash, s->aw, (unsigned long long)s->sbase, s->sk, s->sl, s->sdepth);
	fprintf(f, "nn_serial_reloc #(.AW(%d), .XW(%d)) u_reloc (\n"
	        "    .addr(addr), .bases(bases), .xaddr(mem_req_addr)\n);\n\n"
	        "endmodule\n\n`resetall\n", s->aw, s->xw);
	if (s->mw >= 16)
		emit_axi_top(f, s, top);
	const char *names[] = {"nn_serial_core", "nn_serial_reloc", "nn_serial_axi", NULL};
	emit_templates(f, names);
}

/* ---- the memory image ---------------------------------------------------------- */

/* Where byte b of a word of mwb bytes lies in the image: msb, most
 * significant byte first (OUT.mem.bin, as $fread loads it), else in
 * memory's byte order (an engine's NET.weights.bin). */
static inline int at_byte(bool msb, int mwb, int b) { return msb ? mwb - 1 - b : b; }

/* Store the low `bits` of v at bit `bit` of the image's words of MW bits.
 * bits and bit are multiples of 8. */
static inline void put(uint8_t *img, bool msb, int mwb, int64_t word, int64_t bit, int64_t v,
                       int bits)
{
	int64_t q = word + (bit >> 3) / mwb;
	int byte = (int)((bit >> 3) % mwb);
	for (int j = 0; j < bits; j += 8) {
		img[q * mwb + at_byte(msb, mwb, byte)] = (uint8_t)((uint64_t)v >> j);
		if (++byte == mwb) {
			byte = 0;
			q++;
		}
	}
}

/* One (output block, input chunk) tile of a plain layer (the PyTorch
 * layout indexes directly): read the weights in their own order, one output
 * row after the other, and scatter them into the tile, which stays in cache. */
static void fill_plain(const struct serial *s, const struct sdesc *d, uint8_t *img, bool msb,
                       int64_t wq, int ob, int c_lo, int c_hi)
{
	int mwb = s->mw / 8, khw = d->kh * d->kw, dir = msb ? -1 : 1;
	for (int m = 0; m < s->tm; m++) {
		int o = ob * s->tm + m;
		if (o >= d->f)
			break;
		const int32_t *src = d->wl->w + ((int64_t)o * d->c + c_lo) * khw;
		for (int c = c_lo; c < c_hi; c++) {
			int cb = (c - c_lo) / s->tn, n = (c - c_lo) % s->tn;
			/* the value's bytes: a container (8, 16, 32 bits) no wider
			 * than a word never straddles one (both powers of two) */
			int64_t bit = (int64_t)(m * s->tn + n) * s->wcw;
			int64_t word = wq + (int64_t)cb * khw * s->wsub + bit / s->mw;
			uint8_t *p = img + word * mwb + at_byte(msb, mwb, (int)(bit % s->mw) / 8);
			int64_t step = (int64_t)s->wsub * mwb;
			if (s->wcw > s->mw) {   /* a value over several words */
				for (int k = 0; k < khw; k++)
					put(img, msb, mwb, word + (int64_t)k * s->wsub, bit % s->mw, src[k],
					    s->wcw);
				src += khw;
				continue;
			}
			for (int k = 0; k < khw; k++, src++, p += step) {
				uint32_t v = (uint32_t)*src;
				for (int j = 0; j < s->wcw; j += 8, v >>= 8)
					p[dir * (j / 8)] = (uint8_t)v;
			}
		}
	}
}

static void fill_weights(const struct serial *s, const struct sdesc *d, uint8_t *img, bool msb)
{
	int mwb = s->mw / 8;
	/* the plain conv: index the PyTorch layout directly */
	bool plain = d->wkind == W_LAYER && d->c == d->cg && d->f == d->fg && d->f0 == 0 && !d->rp;
	for (int ob = 0; ob < d->nob; ob++)
		for (int cc = 0; cc < d->ncc; cc++) {
			int64_t at = soff(s, d->wbase) + (int64_t)(ob * d->ncc + cc) * d->wstride;
			for (int m = 0; m < s->tm; m++) {
				int o = ob * s->tm + m;
				if (o < d->f)
					put(img, msb, mwb, at, (int64_t)m * s->bw, sdesc_bias(d, o), s->bw);
			}
			int c_lo = cc * d->tc, c_hi = cc == d->ncc - 1 ? d->c : c_lo + d->tc;
			/* reduction packing: one chunk, c counts the lanes of its
			 * steps (sdesc_weight finds each lane's pair) */
			if (d->rp)
				c_hi = d->ncb_last * s->tn;
			int ncb = cc == d->ncc - 1 ? d->ncb_last : d->ncb_full;
			int64_t wq = at + s->nbw;
			if (plain) {
				fill_plain(s, d, img, msb, wq, ob, c_lo, c_hi);
				continue;
			}
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
							int32_t v = sdesc_weight(d, o, c, k / d->kw, k % d->kw);
							if (v)
								put(img, msb, mwb, wq, (int64_t)(m * s->tn + n) * s->wcw,
								    v, s->wcw);
						}
					}
		}
}

/* A memory image at path: the weight image (words [0, Wwords), §6.5), and
 * with the program, the program after it (§10.2's flat memory). msb: each
 * word's most significant byte first (OUT.mem.bin, for $fread), else in
 * memory's byte order (NET.weights.bin). Filled in place through a shared
 * mapping of the file (no copy of its hundreds of megabytes through
 * write(); the file's fresh pages read as zeros), or in memory and written
 * if the mapping fails. */
static int write_image(const struct serial *s, const char *path, bool weights, bool program,
                       bool msb)
{
	size_t mwb = (size_t)(s->mw / 8);
	size_t plen = 0;
	const uint8_t *prog = program ? serial_program(s, &plen) : NULL;
	size_t wbytes = weights ? (size_t)s->rwords[SR_WEIGHTS] * mwb : 0;
	size_t bytes = wbytes + plen;
	FILE *f = out_open(path);
	if (!f)
		return -1;
	int fd = fileno(f);
	uint8_t *img = MAP_FAILED;
	if (bytes > 0 && fd >= 0 && ftruncate(fd, (off_t)bytes) == 0)
		img = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, 0);
	bool mapped = img != MAP_FAILED;
	if (!mapped) {
		img = big_alloc(bytes ? bytes : 1);
		memset(img, 0, bytes);
	}
	for (int k = 0; k < s->ndesc && weights; k++)
		if (s->desc[k].op == SOP_MAC && s->desc[k].wsrc < 0)
			fill_weights(s, &s->desc[k], img, msb);
	for (size_t k = 0; k < plen; k++)
		img[wbytes + k / mwb * mwb + (size_t)at_byte(msb, (int)mwb, (int)(k % mwb))] = prog[k];
	if (mapped) {
		if (munmap(img, bytes) != 0) {
			error_file(path, "write failed: %s", strerror(errno));
			return -1;
		}
		return 0;
	}
	if (bytes > 0 && ftruncate(fd, 0) != 0) {
		error_file(path, "write failed: %s", strerror(errno));
		free(img);
		return -1;
	}
	size_t n = fwrite(img, 1, bytes, f);
	free(img);
	if (n != bytes) {
		error_file(path, "write failed");
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
	        "\"acc_pixels\": %d, \"output_buffer_words\": %d, \"buffer_bits\": %lld, "
	        "\"scratch\": {\"base\": %lld, \"banks\": %d, \"bank_words\": %d, \"plane_bits\": %d, "
	        "\"bits\": %lld}},\n",
	        s->tm, s->tn, s->tm * s->tn, s->mw, s->aw, s->cw, s->wcw, s->acc_w, s->maxb,
	        s->ibd, s->wbd, s->abd, s->obd,
	        (long long)(serial_buffer_bits(s, s->ibd, s->wbd, s->abd, s->obd) +
	                    serial_scratch_bits(s, s->sdepth)),
	        (long long)s->sbase, s->sdepth ? 1 << s->sl : 0, s->sdepth, s->sk,
	        (long long)serial_scratch_bits(s, s->sdepth));
	fprintf(f, "  \"batch\": %d,\n  \"batched_from\": \"%s\",\n", s->batch,
	        s->tail_layer < net->nlayers ? net->layers[s->tail_layer].name : "");
	fprintf(f, "  \"macs\": %lld,\n  \"bound_cycles\": %lld,\n  \"estimated_cycles\": %lld,\n",
	        (long long)dz->macs, (long long)dz->bound, (long long)dz->estimate);
	fprintf(f, "  \"spec_hash\": %u,\n  \"memory_words\": %lld,\n  \"regions\": [\n",
	        s->hash, (long long)s->mem_words);
	for (int r = 0; r < SR_N; r++)
		fprintf(f, "    {\"region\": \"%s\", \"index\": %d, \"base\": %lld, \"words\": %lld, "
		        "\"bytes\": %lld}%s\n", region_names[r], r, (long long)s->flat[r],
		        (long long)s->rwords[r], (long long)(s->rwords[r] * (s->mw / 8)),
		        r + 1 < SR_N ? "," : "");
	fprintf(f, "  ],\n  \"memory_map\": [\n");
	fprintf(f, "    {\"region\": \"weights\", \"base\": 0, \"words\": %lld}",
	        (long long)s->w_words);
	for (int t = 0; t < s->ntens; t++) {
		const struct stensor *x = &s->tens[t];
		fprintf(f, ",\n    {\"region\": \"%s\", \"tensor\": \"%s\", \"base\": %lld, "
		        "\"offset\": %lld, \"words\": %lld, "
		        "\"shape\": [%d, %d, %d], \"format\": [%d, %d], \"container_bits\": %d, "
		        "\"row_words\": %d}",
		        t == s->in_tensor ? "input" : t == s->out_tensor ? "output" : "map", x->name,
		        (long long)flat_addr(s, x->base), (long long)soff(s, x->base), (long long)x->words, x->s.c, x->s.h, x->s.w, x->fmt.w,
		        x->fmt.f, x->cw, x->wpw);
	}
	fputs("\n  ],\n  \"descriptors\": [\n", f);
	for (int k = 0; k < s->ndesc; k++) {
		const struct sdesc *d = &s->desc[k];
		fprintf(f, "    {\"index\": %d, \"layer\": \"%s\", \"through\": \"%s\", \"op\": \"%s\", "
		        "\"in\": [%d, %d, %d], \"out\": [%d, %d, %d], \"kernel\": [%d, %d], "
		        "\"stride\": [%d, %d], \"pad\": [%d, %d], \"pool\": %d, \"column_pack\": %d, \"reduction_pack\": %d, "
		        "\"row_tiles\": %d, \"tile_rows\": %d, \"out_blocks\": %d, \"in_chunks\": %d, "
		        "\"chunk_channels\": %d, \"weight_words\": %lld, \"in_base\": %lld, "
		        "\"out_base\": %lld, \"weight_base\": %lld, \"shift\": %d, \"band\": %d, "
		        "\"first_row\": %d, \"in_scratch\": %d, \"out_scratch\": %d, "
		        "\"estimated_cycles\": %lld}%s\n",
		        k, d->name, net->layers[d->last_layer].name, op_names[d->op], d->c, d->h, d->w,
		        d->f, d->poh, d->pow, d->packed || d->rp ? d->kho : d->kh, d->packed || d->rp ? d->kwo : d->kw, d->sh, d->sw, d->ph, d->pw, d->pk, d->pack * d->packy, d->rp, d->nrt,
		        d->tr, d->nob, d->ncc, d->tc, (long long)d->wwords, (long long)flat_addr(s, d->in_a),
		        (long long)flat_addr(s, d->out), (long long)flat_addr(s, d->wbase), d->shift, d->band, d->iys, d->isc,
		        d->osc, (long long)d->est,
		        k + 1 < s->ndesc ? "," : "");
	}
	fputs("  ],\n", f);
	/* per conv/fc layer: the roofline (MACs per byte over the bus against
	 * the array's TM*TN MACs a cycle and the bus's MW/8 bytes a cycle) */
	int n = serial_roofline(s, net, NULL);
	struct sroof *r = xcalloc((size_t)(n ? n : 1), sizeof *r);
	serial_roofline(s, net, r);
	double peak = (double)s->tm * s->tn, bw = s->mw / 8.0;
	fprintf(f, "  \"roofline\": {\"compute_roof_macs_per_cycle\": %.0f, "
	        "\"bandwidth_roof_bytes_per_cycle\": %.0f, \"ridge_macs_per_byte\": %.3f},\n",
	        peak, bw, peak / bw);
	fputs("  \"layers\": [\n", f);
	for (int k = 0; k < n; k++) {
		const struct layer *l = &net->layers[r[k].layer];
		double oi = r[k].macs / r[k].bytes, att = oi * bw < peak ? oi * bw : peak;
		double b = r[k].compute > r[k].memory ? r[k].compute : r[k].memory;
		int64_t est = 0;
		for (int q = 0; q < s->ndesc; q++)
			if (s->desc[q].layer == r[k].layer)
				est += s->desc[q].est;
		est = (est + s->batch - 1) / s->batch;
		fprintf(f, "    {\"layer\": \"%s\", \"through\": \"%s\", \"kind\": \"%s\", "
		        "\"macs\": %.0f, \"bytes\": %.0f, \"intensity_macs_per_byte\": %.3f, "
		        "\"compute_cycles\": %.0f, \"memory_cycles\": %.0f, \"bound_cycles\": %.0f, "
		        "\"bound_by\": \"%s\", \"attainable_macs_per_cycle\": %.3f, "
		        "\"estimated_cycles\": %lld, \"estimated_attained\": %.3f}%s\n",
		        l->name, net->layers[r[k].last].name, layer_kind_names[l->kind], r[k].macs,
		        r[k].bytes, oi, r[k].compute, r[k].memory, ceil(b),
		        r[k].compute >= r[k].memory ? "compute" : "memory", att, (long long)est,
		        est > 0 ? ceil(b) / (double)est : 0.0, k + 1 < n ? "," : "");
	}
	fputs("  ]\n}\n", f);

}

int serial_write(const struct serial *s, const struct network *net, const struct compile_opts *o,
                 const struct design *d)
{
	FILE *f = out_open(o->out);
	if (!f)
		return -1;
	emit_top(f, s, net, o, d);
	if (write_image(s, out_path(o, ".mem.bin"), true, true, true))
		return -1;
	FILE *j = out_open(out_path(o, ".json"));
	if (!j)
		return -1;
	write_json(j, s, net, d);
	return serial_write_svg(s, net, o);
}

int serial_write_program(const struct serial *s, const struct network *net,
                         const struct compile_opts *o, const struct design *d)
{
	if (write_image(s, o->out, false, true, false) ||
	    write_image(s, out_path(o, ".weights.bin"), true, false, false))
		return -1;
	FILE *j = out_open(out_path(o, ".json"));
	if (!j)
		return -1;
	write_json(j, s, net, d);
	return 0;
}
