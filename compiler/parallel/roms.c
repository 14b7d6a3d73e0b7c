/* roms.c: the ROM images of every conv and fc engine of a layer-parallel
 * design (their layouts: templates/README.md), written by threads. */
#define _GNU_SOURCE             /* O_DIRECT */
#include "roms.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


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
		if (!kind_is_mac(l->kind) || !e->l->live)
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
