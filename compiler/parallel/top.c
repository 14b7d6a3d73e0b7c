/* parallel_emit.c: write the layer-parallel design: the ROM images of every
 * conv and fc engine, <network>_top with one engine per layer and the
 * streams between them, and OUT.json. */
#define _GNU_SOURCE             /* O_DIRECT */
#include "parallel.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static bool is_mac(const struct layer *l) { return l->kind == L_CONV || l->kind == L_FC; }

/* ---- ROM images (layouts: templates/README.md) --------------------------------- */

/* VGG16's images are 678 MB, nearly all of it fc6's weights, one per line;
 * writing them is the compile's main cost. Every line of an image has the
 * same length, so any byte range of it can be formatted in memory on its
 * own and written at its offset (pwrite): the images are cut into chunks
 * of CHUNK bytes that the threads take in turn, and the bytes written do
 * not depend on which thread formatted which chunk.
 *
 * Images of DIRECT_MIN bytes and more bypass the page cache (O_DIRECT,
 * where the file system takes it): copying hundreds of megabytes into the
 * cache cost more CPU time than formatting them (VGG16: 1-2 s of system
 * time against 0.3 s), and a simulator or synthesis tool reads them once,
 * later, if at all. The small images of the test networks stay in the
 * cache. A direct write must start, end and sit in memory on ALIGN
 * boundaries; the last partial block of such an image is written through
 * the cache after the others. */
enum { CHUNK = 1 << 20, ALIGN = 4096, BATCH_VALS = 4096 };
static const int64_t DIRECT_MIN = 1 << 20;

struct rom {
	const struct pengine *e;
	bool bias;
	const char *path;
	int fd;
	int n, bits;                /* values per word, bits per value */
	int64_t line, words, size;  /* characters per word, words, bytes */
	bool direct;                /* O_DIRECT: chunks are written whole blocks only */
	char *tail;                 /* direct: the last partial block, written last */
	int64_t tail_len;
};

struct rom_chunk {
	struct rom *r;
	int64_t at, len;            /* bytes */
};

/* NNC_THREADS, or two a core: a thread spends most of its time waiting
 * for its direct write, and the device takes several at once (VGG16's
 * images on 2 cores: 0.55-0.95 s with 2 threads, 0.45-0.6 s with 4). */
static int rom_threads(void)
{
	long c = 2 * sysconf(_SC_NPROCESSORS_ONLN);
	const char *env = getenv("NNC_THREADS");
	if (env && atoi(env) > 0)
		c = atoi(env);
	return c < 1 ? 1 : c > 16 ? 16 : (int)c;
}

static int64_t round_up(int64_t x, int64_t to) { return (x + to - 1) / to * to; }

/* pwrite all of it; 0 or an errno */
static int write_at(int fd, const char *p, int64_t len, int64_t at)
{
	while (len > 0) {
		ssize_t put = pwrite(fd, p, (size_t)len, (off_t)at);
		if (put < 0 && errno == EINTR)
			continue;
		if (put <= 0)
			return put < 0 ? errno : EIO;
		p += put;
		at += put;
		len -= put;
	}
	return 0;
}

/* Try O_DIRECT on an image: on a block of zeros at offset 0, which the
 * first chunk overwrites. */
static bool try_direct(int fd)
{
#ifdef O_DIRECT
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_DIRECT) < 0)
		return false;
	void *zero;
	if (posix_memalign(&zero, ALIGN, ALIGN))
		die("out of memory");
	memset(zero, 0, ALIGN);
	bool ok = pwrite(fd, zero, ALIGN, 0) == ALIGN;
	free(zero);
	if (!ok)
		fcntl(fd, F_SETFL, fl);
	return ok;
#else
	(void)fd;
	return false;
#endif
}

static int end_direct(int fd)
{
#ifdef O_DIRECT
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_DIRECT) < 0)
		return errno;
#else
	(void)fd;
#endif
	return 0;
}

/* The values of words [first, first + count), word after word.
 * conv: word (g*OBG + ob)*CBG + ib holds PO*PI*KH*KW weights, element
 * ((o*PI + i)*KH + ky)*KW + kx = weight[g*F/G + ob*PO + o][ib*PI + i][ky][kx].
 * fc: the same with KH = KW = 1, G = 1, and the input index in stream (HWC)
 * order, since the engine consumes its input as it arrives: stream index
 * ci = pix*C + c is PyTorch input c*H*W + pix.
 * bias: word g*OBG + ob holds bias[g*F/G + ob*PO + o], o < PO. */
static void gather(const struct rom *r, int64_t first, int64_t count, int64_t *v)
{
	const struct pengine *e = r->e;
	const struct layer *l = e->l;
	int pi = e->pi, po = e->po;
	int g = l->kind == L_CONV ? l->groups : 1;
	int cin = l->kind == L_CONV ? l->ishape.c / g : (int)shape_elems(l->ishape);
	int fout = l->filters / g, cbg = cin / pi, obg = fout / po;
	if (r->bias) {
		/* the words of all groups are consecutive filters */
		for (int64_t k = 0; k < count * po; k++)
			v[k] = l->b[first * po + k];
		return;
	}
	if (l->kind == L_CONV) {
		int kk = l->kh * l->kw;
		for (int64_t w = first; w < first + count; w++) {
			int64_t gob = w / cbg;
			int gi = (int)(gob / obg), ob = (int)(gob % obg), ib = (int)(w % cbg);
			for (int o = 0; o < po; o++)
				for (int i = 0; i < pi; i++) {
					const int32_t *src = l->w +
						((int64_t)(gi * fout + ob * po + o) * cin + ib * pi + i) * kk;
					for (int k = 0; k < kk; k++)
						*v++ = src[k];
				}
		}
		return;
	}
	/* fc: follow (ob, ib) and the stream position (pix, c) of the word's
	 * first input without a division per word; the next rows are fetched
	 * ahead, since the stream order reads each row with a stride */
	int C = l->ishape.c, hw = l->ishape.h * l->ishape.w;
	int64_t ob = first / cbg;
	int ib = (int)(first % cbg);
	int64_t ci = (int64_t)ib * pi;
	int c = (int)(ci % C), pix = (int)(ci / C);
	if (po == 1) {
		/* the words of a row are its inputs in stream order, pi a word */
		const int32_t *row = l->w + ob * cin, *end = l->w + l->nw;
		for (int64_t k = 0; k < count * pi; k++) {
			if ((c & 15) == 0 && row + cin < end)
				__builtin_prefetch(row + cin + (int64_t)pix * C + c);
			*v++ = row[(int64_t)c * hw + pix];
			if (++c == C) {
				c = 0;
				if (++pix == hw) {
					pix = 0;
					row += cin;
				}
			}
		}
		return;
	}
	for (int64_t w = 0; w < count; w++) {
		for (int o = 0; o < po; o++) {
			const int32_t *row = l->w + (ob * po + o) * cin;
			for (int i = 0, cc = c, pp = pix; i < pi; i++) {
				*v++ = row[(int64_t)cc * hw + pp];
				if (++cc == C) {
					cc = 0;
					pp++;
				}
			}
		}
		if (++ib == cbg) {
			ib = c = pix = 0;
			ob++;
		} else {
			for (c += pi; c >= C; c -= C)
				pix++;
		}
	}
}

struct rom_work {
	const struct rom_chunk *chunk;
	int nchunks;
	size_t text, vals;          /* a thread's buffers: bytes, values */
	atomic_int next;
	atomic_int err;             /* the first errno of a failed write */
	atomic_int failed;          /* its chunk, or -1 */
};

static void *rom_worker(void *arg)
{
	struct rom_work *wk = arg;
	int64_t *vals = big_alloc(wk->vals * sizeof *vals);
	void *text;
	if (posix_memalign(&text, ALIGN, wk->text))
		die("out of memory (%zu bytes)", wk->text);
	for (int c; (c = atomic_fetch_add(&wk->next, 1)) < wk->nchunks;) {
		const struct rom_chunk *ch = &wk->chunk[c];
		struct rom *r = ch->r;
		/* the words that cover the chunk, formatted so that its first
		 * byte lands at text + head, an ALIGN boundary */
		int64_t first = ch->at / r->line, last = (ch->at + ch->len + r->line - 1) / r->line;
		int64_t head = round_up(r->line, ALIGN), batch = (int64_t)wk->vals / r->n;
		char *p = (char *)text + head - (ch->at - first * r->line);
		for (int64_t w = first; w < last; w += batch) {
			int64_t k = last - w < batch ? last - w : batch;
			gather(r, w, k, vals);
			p = hex_format_words(p, vals, k, r->n, r->bits);
		}
		const char *data = (char *)text + head;
		int64_t len = ch->len;
		if (r->direct && ch->at + len == r->size) {
			r->tail_len = len % ALIGN;
			len -= r->tail_len;
			memcpy(r->tail, data + len, (size_t)r->tail_len);
		}
		int err = write_at(r->fd, data, len, ch->at);
		int none = -1;
		if (err && atomic_compare_exchange_strong(&wk->failed, &none, c))
			atomic_store(&wk->err, err);
	}
	free(vals);
	free(text);
	return NULL;
}

int pemit_roms(const struct pplan *p, const struct compile_opts *o)
{
	const struct network *net = p->net;
	struct rom *roms = xcalloc(2 * (size_t)net->nlayers, sizeof *roms);
	int nroms = 0;
	int64_t nchunks = 0, longest = 1, widest = BATCH_VALS;
	for (int i = 0; i < net->nlayers; i++) {
		const struct pengine *e = &p->e[i];
		const struct layer *l = e->l;
		if (!is_mac(l) || !e->live)
			continue;
		int kk = l->kind == L_CONV ? l->kh * l->kw : 1;
		for (int b = 0; b <= l->has_bias; b++) {
			struct rom *r = &roms[nroms++];
			*r = (struct rom){.e = e, .bias = b, .n = b ? e->po : e->po * e->pi * kk,
			                  .bits = b ? l->bias.w : l->wt.w};
			r->path = out_path(o, xprintf("_%s_%s.hex", l->name, b ? "b" : "w"));
			r->words = (b ? l->nb : l->nw) / r->n;
			r->line = hex_line_len(r->n, r->bits);
			r->size = r->words * r->line;
			FILE *f = out_open(r->path);
			if (!f)
				return -1;
			r->fd = fileno(f);
			if (r->size >= DIRECT_MIN && try_direct(r->fd)) {
				r->direct = true;
				r->tail = xmalloc(ALIGN);
			}
			nchunks += (r->size + CHUNK - 1) / CHUNK;
			longest = r->line > longest ? r->line : longest;
			widest = r->n > widest ? r->n : widest;
		}
	}
	struct rom_chunk *chunk = big_alloc((size_t)nchunks * sizeof *chunk);
	int nc = 0;
	for (int i = 0; i < nroms; i++)
		for (int64_t at = 0; at < roms[i].size; at += CHUNK)
			chunk[nc++] = (struct rom_chunk){&roms[i], at,
			                                 roms[i].size - at < CHUNK ? roms[i].size - at : CHUNK};
	/* a chunk's text: the aligned head, the chunk, a word cut at either end */
	struct rom_work wk = {.chunk = chunk, .nchunks = nc, .vals = (size_t)widest,
	                      .text = (size_t)(round_up(longest, ALIGN) + CHUNK + 2 * longest)};
	atomic_init(&wk.next, 0);
	atomic_init(&wk.err, 0);
	atomic_init(&wk.failed, -1);
	int t = rom_threads();
	t = t > nc ? nc : t;
	pthread_t th[16];
	for (int k = 1; k < t; k++)
		if (pthread_create(&th[k], NULL, rom_worker, &wk))
			die("cannot start a thread");
	rom_worker(&wk);
	for (int k = 1; k < t; k++)
		pthread_join(th[k], NULL);
	int failed = atomic_load(&wk.failed);
	const char *bad = failed >= 0 ? chunk[failed].r->path : NULL;
	int err = atomic_load(&wk.err);
	for (int i = 0; i < nroms && !bad; i++) {
		if (!roms[i].direct)
			continue;
		err = end_direct(roms[i].fd);
		if (!err && roms[i].tail_len)
			err = write_at(roms[i].fd, roms[i].tail, roms[i].tail_len,
			               roms[i].size - roms[i].tail_len);
		if (err)
			bad = roms[i].path;
	}
	free(chunk);
	if (bad) {
		error_file(bad, "write failed: %s", strerror(err));
		return -1;
	}
	return 0;
}

static const char *rom_name(const struct compile_opts *o, const struct layer *l, const char *what)
{
	return xprintf("%s_%s_%s.hex", out_base(o), l->name, what);
}

/* ---- the top module ----------------------------------------------------------- */

struct stream {
	const char *name;
	int lanes, width;           /* elements per beat, bits per element */
};

static void declare(FILE *f, struct stream s)
{
	fprintf(f, "wire [%d:0] %s_tdata;\nwire %s_tvalid, %s_tready, %s_tlast;\n",
	        s.lanes * s.width - 1, s.name, s.name, s.name, s.name);
}

static void ports(FILE *f, const char *in, const char *out)
{
	fprintf(f, "    .s_axis_tdata(%s_tdata), .s_axis_tvalid(%s_tvalid), .s_axis_tready(%s_tready), "
	           ".s_axis_tlast(%s_tlast),\n", in, in, in, in);
	fprintf(f, "    .m_axis_tdata(%s_tdata), .m_axis_tvalid(%s_tvalid), .m_axis_tready(%s_tready), "
	           ".m_axis_tlast(%s_tlast)\n", out, out, out, out);
}

static int relu6_cap(struct fixed_fmt out)
{
	double v = 6.0;
	for (int k = 0; k < out.f; k++)
		v *= 2;
	for (int k = 0; k > out.f; k--)
		v /= 2;
	long long c = (long long)v;            /* floor for v >= 0 */
	long long max = (1LL << (out.w - 1)) - 1;
	return (int)(c > max ? max : c);
}

static int act_code(enum act a) { return a == ACT_RELU ? 1 : a == ACT_RELU6 ? 2 : 0; }

static void conv_engine(FILE *f, const struct compile_opts *o, const struct pengine *e,
                        const char *in, const char *out)
{
	const struct layer *l = e->l;
	bool conv = l->kind == L_CONV;
	int facc = l->in.f + l->wt.f;
	fprintf(f, "// %s: %s %dx%dx%d -> %dx%dx%d, PI=%d PO=%d, %lld multipliers, %lld cycles/frame\n",
	        l->name, layer_kind_names[l->kind], l->ishape.c, l->ishape.h, l->ishape.w,
	        l->oshape.c, l->oshape.h, l->oshape.w, e->pi, e->po, (long long)e->mults,
	        (long long)e->cycles);
	if (conv)
		fprintf(f, "nn_conv #(\n"
		           "    .C(%d), .H(%d), .W(%d), .F(%d), .KH(%d), .KW(%d), .SH(%d), .SW(%d), "
		           ".PH(%d), .PW(%d), .GROUPS(%d),\n",
		        l->ishape.c, l->ishape.h, l->ishape.w, l->filters, l->kh, l->kw, l->sh, l->sw,
		        l->ph, l->pw, l->groups);
	else
		fprintf(f, "nn_fc #(\n    .N(%lld), .UNITS(%d),\n", (long long)shape_elems(l->ishape),
		        l->filters);
	fprintf(f, "    .PI(%d), .PO(%d), .DATA_W(%d), .WGT_W(%d), .ACC_W(%d),\n", e->pi, e->po,
	        l->in.w, l->wt.w, l->acc_bits);
	fprintf(f, "    .HAS_BIAS(%d), .BIAS_W(%d), .BIAS_SHIFT(%d), .SHIFT(%d), .ROUND(%d),\n",
	        l->has_bias, l->has_bias ? l->bias.w : 2, l->has_bias ? facc - l->bias.f : 0,
	        facc - l->out.f, l->round == ROUND_NEAREST);
	fprintf(f, "    .OUT_W(%d), .ACT(%d), .RELU6_MAX(%d),\n", l->out.w, act_code(l->act),
	        relu6_cap(l->out));
	fprintf(f, "    .WEIGHT_FILE(\"%s\"), .BIAS_FILE(\"%s\")\n", rom_name(o, l, "w"),
	        l->has_bias ? rom_name(o, l, "b") : "");
	fprintf(f, ") u_%s (\n    .clk(clk), .rst(rst),\n", l->name);
	ports(f, in, out);
	fputs(");\n\n", f);
}

static void maxpool_engine(FILE *f, const struct pengine *e, const char *in, const char *out)
{
	const struct layer *l = e->l;
	fprintf(f, "// %s: maxpool %dx%dx%d -> %dx%dx%d, %d lane(s), %lld cycles/frame\n", l->name,
	        l->ishape.c, l->ishape.h, l->ishape.w, l->oshape.c, l->oshape.h, l->oshape.w,
	        e->in_lanes, (long long)e->cycles);
	fprintf(f, "nn_maxpool #(\n    .C(%d), .H(%d), .W(%d), .LANES(%d), .DATA_W(%d),\n"
	           "    .KH(%d), .KW(%d), .SH(%d), .SW(%d), .PH(%d), .PW(%d)\n) u_%s (\n"
	           "    .clk(clk), .rst(rst),\n",
	        l->ishape.c, l->ishape.h, l->ishape.w, e->in_lanes, l->in.w, l->kh, l->kw, l->sh, l->sw,
	        l->ph, l->pw, l->name);
	ports(f, in, out);
	fputs(");\n\n", f);
}

static void add_engine(FILE *f, const struct pengine *e, const char *a, const char *b,
                       const char *out)
{
	const struct layer *l = e->l;
	int fc = l->in.f > l->in2.f ? l->in.f : l->in2.f;
	fprintf(f, "// %s: add %dx%dx%d, %d lane(s)\n", l->name, l->oshape.c, l->oshape.h, l->oshape.w,
	        e->in_lanes);
	fprintf(f, "nn_add #(\n    .LANES(%d), .A_W(%d), .B_W(%d), .SHIFT_A(%d), .SHIFT_B(%d),\n"
	           "    .SHIFT(%d), .ROUND(%d), .OUT_W(%d), .ACT(%d), .RELU6_MAX(%d)\n) u_%s (\n"
	           "    .clk(clk), .rst(rst),\n",
	        e->in_lanes, l->in.w, l->in2.w, fc - l->in.f, fc - l->in2.f, fc - l->out.f,
	        l->round == ROUND_NEAREST, l->out.w, act_code(l->act), relu6_cap(l->out), l->name);
	fprintf(f, "    .s_a_axis_tdata(%s_tdata), .s_a_axis_tvalid(%s_tvalid), .s_a_axis_tready(%s_tready), "
	           ".s_a_axis_tlast(%s_tlast),\n", a, a, a, a);
	fprintf(f, "    .s_b_axis_tdata(%s_tdata), .s_b_axis_tvalid(%s_tvalid), .s_b_axis_tready(%s_tready), "
	           ".s_b_axis_tlast(%s_tlast),\n", b, b, b, b);
	fprintf(f, "    .m_axis_tdata(%s_tdata), .m_axis_tvalid(%s_tvalid), .m_axis_tready(%s_tready), "
	           ".m_axis_tlast(%s_tlast)\n);\n\n", out, out, out, out);
}

static const char *tmp_name(const char *a, const char *b) { return xprintf("%s_%s", a, b); }

/* nnc sim --stall-inner: a random-gap slice in front of an engine. */
static struct stream stall(FILE *f, struct stream s, const char *name, int seed)
{
	struct stream t = {name, s.lanes, s.width};
	declare(f, t);
	fprintf(f, "nn_stall #(.DATA_W(%d), .SEED(%d)) u_%s (\n    .clk(clk), .rst(rst),\n",
	        s.lanes * s.width, seed, name);
	ports(f, s.name, name);
	fputs(");\n\n", f);
	return t;
}

static bool resized;                    /* a width converter was placed */
static bool forked;                     /* a fork was placed */

/* A width converter when the producer's lanes differ from the consumer's. */
static struct stream adapt(FILE *f, struct stream s, int lanes, const char *name, int64_t elems)
{
	if (s.lanes == lanes)
		return s;
	resized = true;
	struct stream t = {name, lanes, s.width};
	declare(f, t);
	(void)elems;
	fprintf(f, "nn_resize #(.DATA_W(%d), .IN_LANES(%d), .OUT_LANES(%d)) u_%s (\n"
	           "    .clk(clk), .rst(rst),\n",
	        s.width, s.lanes, lanes, name);
	ports(f, s.name, name);
	fputs(");\n\n", f);
	return t;
}

int pemit_top(const struct pplan *p, const struct compile_opts *o)
{
	const struct network *net = p->net;
	const struct layer *ol = &net->layers[net->output];
	const struct pengine *oe = &p->e[net->output];
	FILE *f = out_open(o->out);
	if (!f)
		return -1;
	resized = forked = false;
	const char *iface = xprintf(
		"Top module %s_top: clk, rst (synchronous, active high; clears control state).\n"
		"Input  s_axis_*: %d element(s) of %d bits per beat (fixed<%d,%d>), element i in\n"
		"        tdata[i*%d +: %d]; a frame is the [%d, %d, %d] input in HWC order (row, column,\n"
		"        channel fastest), %lld beats, tlast on the last.\n"
		"Output m_axis_*: %d element(s) of %d bits per beat (fixed<%d,%d>), layer %s's\n"
		"        [%d, %d, %d] output in HWC order, %lld beats per frame, tlast on the last.\n"
		"A beat moves when tvalid and tready are high; frames follow back to back.\n"
		"ROM images: %s_<layer>_w.hex / _b.hex, read with $readmemh from the directory\n"
		"the simulator or synthesis tool runs in.\n"
		"Multipliers %lld; frame interval estimate %lld cycles; bound %lld cycles.",
		net->name, p->in_lanes, net->in_fmt.w, net->in_fmt.w, net->in_fmt.f, net->in_fmt.w,
		net->in_fmt.w, net->in_shape.c, net->in_shape.h, net->in_shape.w,
		(long long)((shape_elems(net->in_shape) + p->in_lanes - 1) / p->in_lanes),
		oe->out_lanes, ol->out.w, ol->out.w, ol->out.f, ol->name, ol->oshape.c, ol->oshape.h,
		ol->oshape.w, (long long)(shape_elems(ol->oshape) / oe->out_lanes), out_base(o),
		(long long)p->mults, (long long)p->interval, (long long)p->bound);
	emit_header(f, net, o, xprintf("%s.v: %s, layer-parallel", out_base(o), net->name), iface);
	fputs("`resetall\n`timescale 1ns / 1ps\n`default_nettype none\n\n", f);
	fprintf(f, "module %s_top (\n    input  wire clk,\n    input  wire rst,\n", net->name);
	fprintf(f, "    input  wire [%d:0] s_axis_tdata,\n    input  wire s_axis_tvalid,\n"
	           "    output wire s_axis_tready,\n    input  wire s_axis_tlast,\n",
	        p->in_lanes * net->in_fmt.w - 1);
	fprintf(f, "    output wire [%d:0] m_axis_tdata,\n    output wire m_axis_tvalid,\n"
	           "    input  wire m_axis_tready,\n    output wire m_axis_tlast\n);\n\n",
	        oe->out_lanes * ol->out.w - 1);

	/* every layer's output stream, and the input's */
	struct stream *outs = xcalloc((size_t)net->nlayers, sizeof *outs);
	struct stream in = {"x", p->in_lanes, net->in_fmt.w};
	declare(f, in);
	fputs("assign x_tdata = s_axis_tdata;\nassign x_tvalid = s_axis_tvalid;\n"
	      "assign s_axis_tready = x_tready;\nassign x_tlast = s_axis_tlast;\n\n", f);
	for (int i = 0; i < net->nlayers; i++) {
		outs[i] = (struct stream){tmp_name(net->layers[i].name, "o"), p->e[i].out_lanes,
		                          net->layers[i].out.w};
		if (p->e[i].live)
			declare(f, outs[i]);
	}
	fputc('\n', f);

	/* how many readers each stream has (the output port counts as one) */
	int *readers = xcalloc((size_t)net->nlayers + 1, sizeof *readers);
	int *taken = xcalloc((size_t)net->nlayers + 1, sizeof *taken);
	for (int i = 0; i < net->nlayers; i++)
		if (p->e[i].live)
			for (int k = 0; k < net->layers[i].nsrc; k++)
				readers[net->layers[i].src[k] + 1]++;
	readers[net->output + 1]++;

	/* Fork every stream with several readers into one stream per reader:
	 * a chain of two-way forks, and on every branch a FIFO holding a whole
	 * frame, so that the branch that reaches a join (add) first can always
	 * take in what the other branch's engines hold back. */
	struct stream **branch = xcalloc((size_t)net->nlayers + 1, sizeof *branch);
	for (int s = -1; s < net->nlayers; s++) {
		struct stream src = s < 0 ? in : outs[s];
		int n = readers[s + 1];
		branch[s + 1] = xcalloc((size_t)(n ? n : 1), sizeof **branch);
		if (n <= 1) {
			branch[s + 1][0] = src;
			continue;
		}
		forked = true;
		int64_t beats = (s < 0 ? shape_elems(net->in_shape)
		                       : shape_elems(net->layers[s].oshape)) / src.lanes;
		struct stream rest = src;
		for (int k = 0; k < n; k++) {
			struct stream mine = rest;
			if (k < n - 1) {
				mine = (struct stream){xprintf("%s_f%d", src.name, k), src.lanes, src.width};
				struct stream next = {xprintf("%s_r%d", src.name, k), src.lanes, src.width};
				declare(f, mine);
				declare(f, next);
				fprintf(f, "nn_fork #(.DATA_W(%d)) u_%s_fork%d (\n    .clk(clk), .rst(rst),\n",
				        src.lanes * src.width, src.name, k);
				fprintf(f, "    .s_axis_tdata(%s_tdata), .s_axis_tvalid(%s_tvalid), "
				           ".s_axis_tready(%s_tready), .s_axis_tlast(%s_tlast),\n",
				        rest.name, rest.name, rest.name, rest.name);
				fprintf(f, "    .m0_axis_tdata(%s_tdata), .m0_axis_tvalid(%s_tvalid), "
				           ".m0_axis_tready(%s_tready), .m0_axis_tlast(%s_tlast),\n",
				        mine.name, mine.name, mine.name, mine.name);
				fprintf(f, "    .m1_axis_tdata(%s_tdata), .m1_axis_tvalid(%s_tvalid), "
				           ".m1_axis_tready(%s_tready), .m1_axis_tlast(%s_tlast)\n);\n\n",
				        next.name, next.name, next.name, next.name);
				rest = next;
			}
			struct stream q = {xprintf("%s_q%d", src.name, k), src.lanes, src.width};
			declare(f, q);
			fprintf(f, "nn_fifo #(.DATA_W(%d), .DEPTH(%lld)) u_%s_fifo%d (\n    .clk(clk), .rst(rst),\n",
			        src.lanes * src.width, (long long)beats + 2, src.name, k);
			ports(f, mine.name, q.name);
			fputs(");\n\n", f);
			branch[s + 1][k] = q;
		}
	}

	for (int i = 0; i < net->nlayers; i++) {
		const struct layer *l = &net->layers[i];
		const struct pengine *e = &p->e[i];
		if (!e->live)
			continue;
		struct stream a = branch[l->src[0] + 1][taken[l->src[0] + 1]++];
		a = adapt(f, a, e->in_lanes, tmp_name(l->name, "in"), shape_elems(l->ishape));
		struct stream b = {0};
		if (l->nsrc > 1) {
			b = branch[l->src[1] + 1][taken[l->src[1] + 1]++];
			b = adapt(f, b, e->in2_lanes, tmp_name(l->name, "in2"), shape_elems(l->ishape));
		}
		if (o->stall_inner) {
			a = stall(f, a, tmp_name(l->name, "st"), i * 2 + 1);
			if (l->nsrc > 1)
				b = stall(f, b, tmp_name(l->name, "st2"), i * 2 + 2);
		}
		switch (l->kind) {
		case L_CONV:
		case L_FC:
			conv_engine(f, o, e, a.name, outs[i].name);
			break;
		case L_MAXPOOL:
			maxpool_engine(f, e, a.name, outs[i].name);
			break;
		case L_AVGPOOL:
			fprintf(f, "// %s: avgpool %dx%dx%d -> %dx%dx%d, %d lane(s)\n"
			           "nn_avgpool #(\n    .C(%d), .H(%d), .W(%d), .LANES(%d), .DATA_W(%d),\n"
			           "    .KH(%d), .KW(%d), .SH(%d), .SW(%d), .SHIFT(%d), .ROUND(%d), .OUT_W(%d)\n"
			           ") u_%s (\n    .clk(clk), .rst(rst),\n",
			        l->name, l->ishape.c, l->ishape.h, l->ishape.w, l->oshape.c, l->oshape.h,
			        l->oshape.w, e->in_lanes, l->ishape.c, l->ishape.h, l->ishape.w, e->in_lanes,
			        l->in.w, l->kh, l->kw, l->sh, l->sw, l->in.f - l->out.f,
			        l->round == ROUND_NEAREST, l->out.w, l->name);
			ports(f, a.name, outs[i].name);
			fputs(");\n\n", f);
			break;
		case L_RELU:
			fprintf(f, "// %s: relu, %d lane(s)\n"
			           "nn_act #(.LANES(%d), .DATA_W(%d), .ACT(1), .RELU6_MAX(0)) u_%s (\n"
			           "    .clk(clk), .rst(rst),\n", l->name, e->in_lanes, e->in_lanes,
			        l->in.w, l->name);
			ports(f, a.name, outs[i].name);
			fputs(");\n\n", f);
			break;
		case L_ADD:
			add_engine(f, e, a.name, b.name, outs[i].name);
			break;
		default:
			error_at(l->loc, "%s layers are not in the parallel mode of this build of nnc yet",
			         layer_kind_names[l->kind]);
			return -1;
		}
	}
	struct stream y = branch[net->output + 1][taken[net->output + 1]++];
	fprintf(f, "assign m_axis_tdata = %s_tdata;\nassign m_axis_tvalid = %s_tvalid;\n"
	           "assign %s_tready = m_axis_tready;\nassign m_axis_tlast = %s_tlast;\n\n",
	        y.name, y.name, y.name, y.name);
	fputs("endmodule\n\n`resetall\n", f);

	/* the templates this design instantiates, each once */
	const char *need[32] = {NULL};
	int n = 0;
	for (int i = 0; i < net->nlayers; i++) {
		if (!p->e[i].live)
			continue;
		static const char *const engine[] = {
			[L_CONV] = "nn_conv", [L_FC] = "nn_fc", [L_MAXPOOL] = "nn_maxpool",
			[L_AVGPOOL] = "nn_avgpool", [L_RELU] = "nn_act", [L_ADD] = "nn_add"};
		need[n++] = engine[net->layers[i].kind];
	}
	if (forked) {
		need[n++] = "nn_fork";
		need[n++] = "nn_fifo";
	}
	if (resized)
		need[n++] = "nn_resize";
	if (o->stall_inner)
		need[n++] = "nn_stall";
	need[n] = NULL;
	emit_templates(f, need);
	return 0;
}

/* ---- OUT.json ------------------------------------------------------------------ */

int pemit_report(const struct pplan *p, const struct compile_opts *o)
{
	const struct network *net = p->net;
	FILE *f = out_open(out_path(o, ".json"));
	if (!f)
		return -1;
	fprintf(f, "{\"network\": \"%s\", \"mode\": \"parallel\", \"top\": \"%s_top\",\n", net->name,
	        net->name);
	fprintf(f, " \"mult_budget\": %d, \"multipliers\": %lld, \"input_lanes\": %d,\n",
	        o->mult_budget, (long long)p->mults, p->in_lanes);
	fprintf(f, " \"frame_interval_estimate\": %lld, \"bound\": %lld,\n \"layers\": [",
	        (long long)p->interval, (long long)p->bound);
	for (int i = 0; i < net->nlayers; i++) {
		const struct pengine *e = &p->e[i];
		const struct layer *l = e->l;
		int64_t rom = is_mac(l) ? l->nw * l->wt.w + l->nb * l->bias.w : 0;
		fprintf(f, "%s\n  {\"name\": \"%s\", \"kind\": \"%s\", \"macs\": %lld, \"pi\": %d, \"po\": %d, "
		           "\"multipliers\": %lld, \"in_lanes\": %d, \"out_lanes\": %d, "
		           "\"cycles_per_frame\": %lld, \"rom_bits\": %lld}",
		        i ? "," : "", l->name, layer_kind_names[l->kind], (long long)l->macs, e->pi, e->po,
		        (long long)e->mults, e->in_lanes, e->out_lanes, (long long)e->cycles,
		        (long long)rom);
	}
	fputs("]}\n", f);
	return 0;
}
