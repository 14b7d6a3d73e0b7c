/* spec.c: an engine's spec (spec.h, docs/DESIGN.md §10.1). */
#include "spec.h"

#include "json.h"

#include <stdlib.h>
#include <string.h>

/* X(name, member): the spec's values, in the canonical text's order. */
#define SPEC_VALUES(X)                                                                 \
	X(tm, tm) X(tn, tn) X(mw, mw) X(ob, ob) X(cw, cw) X(wcw, wcw) X(acc_w, acc_w)  \
	X(bw, bw) X(ibd, ibd) X(wbd, wbd) X(abd, abd) X(obd, obd) X(sdepth, sdepth)    \
	X(sk, sk) X(sl, sl) X(maxb, maxb) X(avg_w, avg_w)

const char *serial_spec_text(const struct serial *s)
{
	char *t = NULL;
	size_t n = 0;
	FILE *m = open_memstream(&t, &n);
	if (!m)
		die("out of memory");
	fputs("nnc-engine 1\n", m);
#define X(nm, mem) fprintf(m, "%s=%d\n", #nm, s->mem);
	SPEC_VALUES(X)
#undef X
#define X(nm, width, sgn, v, what) fprintf(m, "field=%s:%d:%d\n", #nm, serial_field_bits(s, width), sgn);
	DESC_FIELDS(X)
#undef X
	if (fclose(m) != 0)
		die("out of memory");
	const char *r = xprintf("%s", t);
	free(t);
	return r;
}

uint32_t serial_spec_hash(const struct serial *s)
{
	uint32_t h = 2166136261u;
	for (const char *p = serial_spec_text(s); *p; p++)
		h = (h ^ (uint8_t)*p) * 16777619u;
	return h;
}

void serial_spec_adopt(struct serial *s, const struct serial *spec)
{
#define X(nm, mem) s->mem = spec->mem;
	SPEC_VALUES(X)
#undef X
	s->aw = spec->aw;
	s->fixed = true;
	s->spec_file = spec->spec_file;
	s->hash = spec->hash;
}

int serial_spec_shape(struct serial *s, const struct compile_opts *o, int min_mw)
{
	s->tm = o->tm > 0 ? o->tm : 8;
	s->tn = o->tn > 0 ? o->tn : 8;
	s->tp = s->tm < s->tn ? s->tm : s->tn;
	s->mw = o->mem_width > 0 ? o->mem_width : 64;
	if (s->tm > 64 || s->tn > 64) {
		error_plain("--pe %dx%d: the serial array is at most 64x64", s->tm, s->tn);
		return -1;
	}
	if (s->mw < min_mw || s->mw > 1024 || (s->mw & (s->mw - 1))) {
		error_plain("--mem-width %d: %s is a power of two from %d to 1024 bits", s->mw,
		            min_mw > 8 ? "an engine's bus" : "the serial memory bus", min_mw);
		return -1;
	}
	return 0;
}

/* The engine's buffers at the depths, scratch included (docs/DESIGN.md §5.2.6). */
static int64_t bits_at(const struct serial *s, const int *d)
{
	return serial_buffer_bits(s, d[0], d[1], d[2], d[3]) + serial_scratch_bits(s, d[4]);
}

int serial_spec_build(struct serial *s, const struct compile_opts *o, int max_width)
{
	memset(s, 0, sizeof *s);
	if (serial_spec_shape(s, o, 32))
		return -1;
	s->cw = s->wcw = ctz_container(max_width);
	if (s->cw > s->mw) {
		error_plain("--max-width %d: %d-bit containers are wider than the %d-bit bus",
		            max_width, s->cw, s->mw);
		return -1;
	}
	s->acc_w = 2 * max_width + 16 < 64 ? 2 * max_width + 16 : 64;
	s->bw = s->acc_w <= 32 ? 32 : 64;
	/* average pools of windows up to 2^16 pixels */
	s->avg_w = s->cw + 17 < s->acc_w ? s->cw + 17 : s->acc_w;
	s->maxb = 256;
	s->len_w = 9;
	s->wsub = (int)cdiv((int64_t)s->tm * s->tn * s->wcw, s->mw);
	s->nbw = (int)cdiv((int64_t)s->tm * s->bw, s->mw);
	s->sl = s->tm % 2 == 0 ? 1 : 0;
	s->ob = 32 - clog2i(s->mw / 8);
	s->aw = 3 + s->ob;
	/* the buffers: the largest the tiling uses, halved while over the cap
	 * (docs/DESIGN.md §10.1): the output banks never above what the
	 * accumulators fill, 2*ABD*CW/MW words; then the buffer with the most
	 * bits, the accumulators' counting 4 times and the scratch's twice */
	int d[5] = {2048, 512, 1024, 512, o->fuse == FUSE_NONE ? 0 : 8192};
	static const int least[5] = {64, 16, 64, 16, 0}, weight[5] = {1, 1, 4, 1, 2};
	for (;;) {
		int64_t ob = 16;
		while (ob < 2 * (int64_t)d[2] * s->cw / s->mw)
			ob *= 2;
		d[3] = ob < 512 ? (int)ob : 512;
		if (o->bram_kbits <= 0 || bits_at(s, d) <= o->bram_kbits * 1024)
			break;
		int big = -1;
		int64_t bigbits = 0;
		for (int k = 0; k < 5; k++) {
			if (d[k] <= least[k] || k == 3)
				continue;
			int z[5];
			memcpy(z, d, sizeof z);
			z[k] = 0;
			int64_t part = (bits_at(s, d) - bits_at(s, z)) * weight[k];
			if (big < 0 || part > bigbits) {
				big = k;
				bigbits = part;
			}
		}
		if (big < 0) {
			error_plain("--bram-kbits %lld: the %dx%d engine with a %d-bit bus needs at "
			            "least %lld kbits of buffers", (long long)o->bram_kbits, s->tm,
			            s->tn, s->mw, (long long)cdiv(bits_at(s, d), 1024));
			return -1;
		}
		d[big] = big == 4 && d[big] <= 2 ? 0 : d[big] / 2;
	}
	s->ibd = d[0];
	s->wbd = d[1];
	s->abd = d[2];
	s->obd = d[3];
	s->sdepth = d[4];
	s->sk = s->sdepth ? clog2i(2 * (int64_t)s->sdepth) : 0;
	if (!s->sdepth)
		s->sl = 0;
	s->fixed = true;
	s->hash = serial_spec_hash(s);
	return 0;
}

void serial_spec_write(FILE *f, const struct serial *s, const char *name)
{
	fprintf(f, "{\n  \"nnc_engine\": 1,\n  \"name\": \"%s\",\n  \"spec_hash\": %u,\n"
	        "  \"spec_hash_hex\": \"0x%08x\",\n  \"spec\": {", name, s->hash, s->hash);
	const char *sep = "";
#define X(nm, mem)                                              \
	fprintf(f, "%s\"%s\": %d", sep, #nm, s->mem);           \
	sep = ", ";
	SPEC_VALUES(X)
#undef X
	fprintf(f, "},\n  \"multipliers\": %d,\n  \"addr_bits\": %d,\n"
	        "  \"descriptor_bits\": %d,\n  \"record_bytes\": %d,\n  \"header_bytes\": %d,\n"
	        "  \"buffer_bits\": %lld,\n",
	        s->tm * s->tn, s->aw, serial_dbits(s), serial_recw(s) * s->mw / 8,
	        PROGRAM_HEADER_BYTES,
	        (long long)(serial_buffer_bits(s, s->ibd, s->wbd, s->abd, s->obd) +
	                    serial_scratch_bits(s, s->sdepth)));
	fprintf(f, "  \"limits\": {\"act_bits\": %d, \"weight_bits\": %d, \"acc_bits\": %d, "
	        "\"avg_bits\": %d, "
	        "\"region_bytes\": %lld, \"descriptors\": 65535, \"input_buffer_words\": %d, "
	        "\"weight_buffer_words\": %d, \"acc_pixels\": %d, \"output_buffer_words\": %d, "
	        "\"scratch_words\": %d},\n",
	        s->cw, s->wcw, s->acc_w, s->avg_w, (long long)(((int64_t)1 << s->ob) * (s->mw / 8)),
	        s->ibd,
	        s->wbd, s->abd, s->obd, s->sdepth);
	fputs("  \"registers\": [\n", f);
	sep = "";
#define X(NM, off, what)                                                                   \
	fprintf(f, "%s    {\"name\": \"%s\", \"offset\": %d, \"meaning\": \"%s\"}", sep, #NM, off, \
	        what);                                                                     \
	sep = ",\n";
	ENGINE_REGS(X)
#undef X
	fputs("\n  ]\n}\n", f);
}

int serial_spec_read(struct serial *s, const char *path)
{
	struct json *j = json_read(path);
	if (!j)
		return -1;
	if (j->kind != J_OBJ) {
		error_at(j->loc, "not an engine spec (an object with \"nnc_engine\": 1)");
		return -1;
	}
	int64_t v, hash;
	if (json_int(j, "nnc_engine", 1, 1, &v) || json_int(j, "spec_hash", 0, 0xFFFFFFFFll, &hash))
		return -1;
	const struct json *sp = json_get(j, "spec");
	if (!sp || sp->kind != J_OBJ) {
		error_at(j->loc, "'spec' is missing or not an object");
		return -1;
	}
	memset(s, 0, sizeof *s);
	static const struct {
		const char *nm;
		int lo, hi;
	} range[] = {
		{"tm", 1, 64}, {"tn", 1, 64}, {"mw", 32, 1024}, {"ob", 13, 40}, {"cw", 8, 32},
		{"wcw", 8, 32}, {"acc_w", 2, 64}, {"bw", 32, 64}, {"ibd", 2, 1 << 20},
		{"wbd", 2, 1 << 20}, {"abd", 2, 1 << 20}, {"obd", 2, 1 << 20}, {"sdepth", 0, 1 << 20},
		{"sk", 0, 30}, {"sl", 0, 1}, {"maxb", 256, 256}, {"avg_w", 0, 64}};
	int k = 0;
#define X(nm, mem)                                                            \
	if (json_int(sp, #nm, range[k].lo, range[k].hi, &v))                    \
		return -1;                                                      \
	s->mem = (int)v;                                                        \
	k++;
	SPEC_VALUES(X)
#undef X
	s->aw = 3 + s->ob;
	s->tp = s->tm < s->tn ? s->tm : s->tn;
	s->len_w = 9;
	s->wsub = (int)cdiv((int64_t)s->tm * s->tn * s->wcw, s->mw);
	s->nbw = (int)cdiv((int64_t)s->tm * s->bw, s->mw);
	s->fixed = true;
	s->spec_file = path;
	s->hash = serial_spec_hash(s);
	if ((uint32_t)hash != s->hash) {
		error_at(json_get(j, "spec_hash")->loc, "spec_hash %lld does not match the spec's "
		         "values (%u): the file was edited, or written by another nnc",
		         (long long)hash, s->hash);
		return -1;
	}
	return 0;
}
