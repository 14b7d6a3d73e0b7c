/* npy.c: NumPy .npy reader (versions 1.0, 2.0, 3.0) and writer (1.0).
 *
 * Layout (numpy.lib.format): "\x93NUMPY", major, minor, the header length
 * (u16 in 1.0, u32 in 2.0/3.0, little endian), a Python dict literal padded
 * with spaces and a final '\n' so the data starts on a 64-byte boundary, then
 * the raw elements. The header comes from untrusted files, so the parser works
 * on a bounded cursor and never trusts a length it has not checked. */
#include "npy.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Elements are copied between file and memory unchanged. */
#if defined(__BYTE_ORDER__) && defined(__ORDER_LITTLE_ENDIAN__)
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
               "npy.c assumes a little-endian host");
#else
#error "npy.c assumes a little-endian host; cannot check this compiler's byte order"
#endif

/* Only dtypes and the header dict live in the header; numpy's own reader
 * refuses headers over 10000 bytes by default, so 64 KiB is generous. */
#define MAX_HEADER 65536
#define SUPPORTED "(nnc reads float32/float64/int8/int16/int32/int64, little endian)"

static const struct {
	const char *descr, *name;
	size_t size;
} dtypes[] = {
	[NPY_F32] = {"<f4", "float32", 4}, [NPY_F64] = {"<f8", "float64", 8},
	[NPY_I8] = {"|i1", "int8", 1},     [NPY_I16] = {"<i2", "int16", 2},
	[NPY_I32] = {"<i4", "int32", 4},   [NPY_I64] = {"<i8", "int64", 8},
};
#define N_DTYPES (sizeof dtypes / sizeof dtypes[0])

#ifdef __GNUC__
__attribute__((format(printf, 3, 4)))
#endif
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* Internal misuse (a bad index, a float array asked for integers) is a bug
 * in nnc, not a user error: the project's exit code 2 channel. */
_Noreturn static void bug(int line, const char *what)
{
	fprintf(stderr, "%s:%d: internal error: %s\n", __FILE__, line, what);
	exit(2);
}

size_t npy_dtype_size(enum npy_dtype t)
{
	return (unsigned)t < N_DTYPES ? dtypes[t].size : 0;
}

const char *npy_dtype_name(enum npy_dtype t)
{
	return (unsigned)t < N_DTYPES ? dtypes[t].name : "?";
}

/* numpy's spelling: "()", "(5,)", "(2, 3)". */
static const char *fmt_shape(char *buf, size_t n, int ndim, const int64_t *shape)
{
	size_t k = (size_t)snprintf(buf, n, "(");
	for (int i = 0; i < ndim && k < n; i++)
		k += (size_t)snprintf(buf + k, n - k, "%s%lld", i ? ", " : "",
		                      (long long)shape[i]);
	if (k < n)
		snprintf(buf + k, n - k, ndim == 1 ? ",)" : ")");
	return buf;
}

/* Element count and byte size, refusing anything that overflows int64 (or
 * size_t) so that later multiplications and allocations are safe. A zero
 * dimension empties the array even after an overflowing prefix. */
static bool shape_size(int ndim, const int64_t *shape, size_t elem,
                       int64_t *count, int64_t *bytes)
{
	int64_t c = 1;
	bool over = false;

	for (int i = 0; i < ndim; i++) {
		if (shape[i] < 0)
			return false;
		if (shape[i] && c > INT64_MAX / shape[i])
			over = true;
		else
			c *= shape[i];
	}
	if ((c && over) || c > INT64_MAX / (int64_t)elem)
		return false;
#if SIZE_MAX < INT64_MAX
	if (c * (int64_t)elem > (int64_t)SIZE_MAX)
		return false;
#endif
	*count = c;
	*bytes = c * (int64_t)elem;
	return true;
}

/* ---- header dict parser ---- */

struct cursor {
	const char *start, *p, *end;
	char *err;
	size_t errlen;
};

struct header {
	char descr[32];
	bool fortran;
	int ndim;
	int64_t shape[NPY_MAX_DIMS];
	bool have_descr, have_fortran, have_shape;
};

static void skip_ws(struct cursor *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' ||
	                         *c->p == '\r' || *c->p == '\f' || *c->p == '\v'))
		c->p++;
}

static bool eat(struct cursor *c, char ch)
{
	skip_ws(c);
	if (c->p < c->end && *c->p == ch) {
		c->p++;
		return true;
	}
	return false;
}

static int bad(struct cursor *c, const char *expected)
{
	return fail(c->err, c->errlen, "malformed header: expected %s at byte %ld",
	            expected, (long)(c->p - c->start));
}

/* A quoted string of printable ASCII without escapes, as keys and dtype
 * descrs always are; anything else is not a header nnc can use. */
static bool parse_str(struct cursor *c, char *out, size_t outlen)
{
	skip_ws(c);
	if (c->p >= c->end || (*c->p != '\'' && *c->p != '"'))
		return false;
	char quote = *c->p;
	const char *s = c->p + 1, *q = s;
	while (q < c->end && *q != quote && *q >= 0x20 && *q < 0x7f && *q != '\\')
		q++;
	if (q >= c->end || *q != quote || (size_t)(q - s) >= outlen)
		return false;
	memcpy(out, s, (size_t)(q - s));
	out[q - s] = '\0';
	c->p = q + 1;
	return true;
}

/* "Falsey" is caught by the caller, which wants ',' or '}' next. */
static bool parse_word(struct cursor *c, const char *w)
{
	size_t n = strlen(w);

	skip_ws(c);
	if ((size_t)(c->end - c->p) < n || memcmp(c->p, w, n))
		return false;
	c->p += n;
	return true;
}

static int parse_shape(struct cursor *c, struct header *h)
{
	if (!eat(c, '('))
		return bad(c, "a tuple for 'shape'");
	h->ndim = 0;
	for (;;) {
		if (eat(c, ')'))
			break;
		if (h->ndim == NPY_MAX_DIMS)
			return fail(c->err, c->errlen,
			            "shape has more than %d dimensions", NPY_MAX_DIMS);
		bool neg = eat(c, '-');
		skip_ws(c);
		if (c->p >= c->end || *c->p < '0' || *c->p > '9')
			return bad(c, "a dimension");
		int64_t v = 0;
		for (; c->p < c->end && *c->p >= '0' && *c->p <= '9'; c->p++) {
			int d = *c->p - '0';
			if (v > (INT64_MAX - d) / 10)
				return fail(c->err, c->errlen, "shape dimension is too large");
			v = v * 10 + d;
		}
		if (neg && v)
			return fail(c->err, c->errlen, "negative dimension -%lld in shape",
			            (long long)v);
		h->shape[h->ndim++] = v;
		if (eat(c, ','))
			continue;
		if (eat(c, ')'))
			break;
		return bad(c, "',' or ')' in 'shape'");
	}
	return 0;
}

static int parse_header(const char *s, size_t n, struct header *h, char *err,
                        size_t errlen)
{
	struct cursor c = {s, s, s + n, err, errlen};
	char key[32];

	memset(h, 0, sizeof *h);
	if (!eat(&c, '{'))
		return bad(&c, "'{'");
	while (!eat(&c, '}')) {
		if (!parse_str(&c, key, sizeof key))
			return bad(&c, "a quoted key");
		if (!eat(&c, ':'))
			return bad(&c, "':'");
		bool *seen = !strcmp(key, "descr")           ? &h->have_descr
		             : !strcmp(key, "fortran_order") ? &h->have_fortran
		             : !strcmp(key, "shape")         ? &h->have_shape
		                                             : NULL;
		if (!seen)
			return fail(err, errlen, "malformed header: unknown key '%s'", key);
		if (*seen)
			return fail(err, errlen, "malformed header: duplicate key '%s'", key);
		if (seen == &h->have_shape) {
			if (parse_shape(&c, h))
				return -1;
		} else if (seen == &h->have_fortran) {
			if (parse_word(&c, "True"))
				h->fortran = true;
			else if (!parse_word(&c, "False"))
				return bad(&c, "True or False for 'fortran_order'");
		} else {
			skip_ws(&c);
			if (c.p < c.end && *c.p == '[')
				return fail(err, errlen, "unsupported dtype: structured arrays "
				            "are not supported " SUPPORTED);
			if (!parse_str(&c, h->descr, sizeof h->descr))
				return bad(&c, "a dtype string for 'descr'");
		}
		*seen = true;
		if (eat(&c, ','))
			continue;
		if (eat(&c, '}'))
			break;
		return bad(&c, "',' or '}'");
	}
	skip_ws(&c);
	if (c.p != c.end)
		return bad(&c, "nothing after '}'");
	if (!h->have_descr || !h->have_fortran || !h->have_shape)
		return fail(err, errlen, "malformed header: missing key '%s'",
		            !h->have_descr ? "descr" : !h->have_fortran ? "fortran_order" : "shape");
	return 0;
}

/* ---- reading ---- */

/* Checks the image buf[0..len) (preamble, header, data size) and fills in a's
 * dtype, shape and count, and *off, where the elements start. Nothing is
 * allocated beyond the header text: every size is checked against len first. */
static int parse_image(const unsigned char *buf, size_t len, struct npy *a, size_t *off,
                       char *err, size_t errlen)
{
	if (len < 6 || memcmp(buf, "\x93NUMPY", 6))
		return fail(err, errlen, "not a .npy file (no \\x93NUMPY magic)");
	if (len < 8)
		return fail(err, errlen, "truncated header: file ends in the preamble");
	if (buf[6] < 1 || buf[6] > 3 || buf[7] != 0)
		return fail(err, errlen, "unknown .npy version %u.%u (nnc reads 1.0, 2.0, 3.0)",
		            buf[6], buf[7]);
	size_t lenbytes = buf[6] == 1 ? 2 : 4;
	if (len < 8 + lenbytes)
		return fail(err, errlen, "truncated header: file ends in the preamble");
	uint32_t hlen = (uint32_t)buf[8] | (uint32_t)buf[9] << 8;
	if (lenbytes == 4)
		hlen |= (uint32_t)buf[10] << 16 | (uint32_t)buf[11] << 24;
	if (hlen > MAX_HEADER)
		return fail(err, errlen, "header too long (%lu bytes)", (unsigned long)hlen);
	size_t start = 8 + lenbytes;
	if (len - start < hlen)
		return fail(err, errlen, "truncated header: expected %lu bytes, found %lu",
		            (unsigned long)hlen, (unsigned long)(len - start));
	struct header h;
	if (parse_header((const char *)buf + start, hlen, &h, err, errlen))
		return -1;

	int t = -1;
	for (size_t i = 0; i < N_DTYPES; i++)
		if (!strcmp(h.descr, dtypes[i].descr))
			t = (int)i;
	if (!strcmp(h.descr, "<i1"))
		t = NPY_I8;
	if (t < 0)
		return fail(err, errlen, "unsupported dtype '%s' " SUPPORTED, h.descr);
	if (h.fortran)
		return fail(err, errlen, "fortran-order arrays are not supported "
		            "(save a C-order array, e.g. np.ascontiguousarray)");
	char sh[256];
	int64_t count, bytes;
	if (!shape_size(h.ndim, h.shape, dtypes[t].size, &count, &bytes))
		return fail(err, errlen, "shape %s is too large",
		            fmt_shape(sh, sizeof sh, h.ndim, h.shape));
	/* The size is checked against the data present before anything is
	 * allocated, so a lying header cannot make nnc allocate what is not there. */
	long long have = (long long)(len - start - hlen);
	if (have < bytes)
		return fail(err, errlen, "truncated data: expected %lld bytes, found %lld",
		            (long long)bytes, have);
	if (have > bytes)
		return fail(err, errlen, "header shape %s disagrees with data size: "
		            "expected %lld bytes, found %lld",
		            fmt_shape(sh, sizeof sh, h.ndim, h.shape), (long long)bytes, have);
	a->dtype = (enum npy_dtype)t;
	a->ndim = h.ndim;
	memcpy(a->shape, h.shape, sizeof a->shape);
	a->count = count;
	*off = start + hlen;
	return 0;
}

int npy_parse(const void *buf, size_t len, struct npy *a, char *err, size_t errlen)
{
	size_t off;
	memset(a, 0, sizeof *a);
	if (parse_image(buf, len, a, &off, err, errlen)) {
		memset(a, 0, sizeof *a);
		return -1;
	}
	size_t bytes = len - off;
	a->data = malloc(bytes ? bytes : 1);
	if (!a->data) {
		memset(a, 0, sizeof *a);
		return fail(err, errlen, "out of memory for %zu bytes of data", bytes);
	}
	memcpy(a->data, (const unsigned char *)buf + off, bytes);
	return 0;
}

/* The whole file in memory, in a buffer that grows with what arrives (a
 * pipe or a device is read to its end the same way), never sized by a
 * header. */
static unsigned char *slurp(FILE *f, size_t *len, char *err, size_t errlen)
{
	struct stat st;
	size_t cap = 1 << 16, n = 0;
	if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && st.st_size >= 0 &&
	    (unsigned long long)st.st_size < SIZE_MAX - 1)
		cap = (size_t)st.st_size + 1;
	unsigned char *buf = malloc(cap);
	if (!buf) {
		fail(err, errlen, "out of memory for a %zu-byte file", cap - 1);
		return NULL;
	}
	for (;;) {
		n += fread(buf + n, 1, cap - n, f);
		if (ferror(f)) {
			fail(err, errlen, "read error: %s", strerror(errno));
			free(buf);
			return NULL;
		}
		if (n < cap)
			break;
		if (cap > SIZE_MAX / 2) {
			fail(err, errlen, "file too large");
			free(buf);
			return NULL;
		}
		unsigned char *nb = realloc(buf, cap * 2);
		if (!nb) {
			fail(err, errlen, "out of memory for a file over %zu bytes", cap);
			free(buf);
			return NULL;
		}
		buf = nb;
		cap *= 2;
	}
	*len = n;
	return buf;
}

int npy_read(const char *path, struct npy *a, char *err, size_t errlen)
{
	memset(a, 0, sizeof *a);
	FILE *f = fopen(path, "rb");
	if (!f)
		return fail(err, errlen, "cannot open: %s", strerror(errno));
	size_t len;
	unsigned char *buf = slurp(f, &len, err, errlen);
	fclose(f);
	if (!buf)
		return -1;
	size_t off;
	if (parse_image(buf, len, a, &off, err, errlen)) {
		free(buf);
		memset(a, 0, sizeof *a);
		return -1;
	}
	/* The elements move to the front of the same buffer: no second copy. */
	memmove(buf, buf + off, len - off);
	unsigned char *nb = realloc(buf, len - off ? len - off : 1);
	a->data = nb ? nb : buf;
	return 0;
}

void npy_free(struct npy *a)
{
	free(a->data);
	memset(a, 0, sizeof *a);
}

/* ---- writing ---- */

int npy_write(const char *path, enum npy_dtype t, int ndim, const int64_t *shape,
              const void *data, char *err, size_t errlen)
{
	char hdr[512], sh[256];
	int64_t count, bytes;

	if ((unsigned)t >= N_DTYPES)
		return fail(err, errlen, "invalid dtype %d", (int)t);
	if (ndim < 0 || ndim > NPY_MAX_DIMS)
		return fail(err, errlen, "cannot write %d dimensions (at most %d)", ndim,
		            NPY_MAX_DIMS);
	fmt_shape(sh, sizeof sh, ndim, shape);
	if (!shape_size(ndim, shape, dtypes[t].size, &count, &bytes))
		return fail(err, errlen, "cannot write shape %s: negative or too large", sh);

	/* Preamble, dict, then spaces and '\n' up to the next multiple of 64:
	 * at most 8 dims of 20 digits, so this stays far below 65535 bytes. */
	int n = snprintf(hdr + 10, sizeof hdr - 10 - 64,
	                 "{'descr': '%s', 'fortran_order': False, 'shape': %s, }",
	                 dtypes[t].descr, sh);
	size_t total = (10 + (size_t)n + 1 + 63) / 64 * 64;
	memcpy(hdr, "\x93NUMPY\x01\x00", 8);
	hdr[8] = (char)((total - 10) & 0xff);
	hdr[9] = (char)((total - 10) >> 8);
	memset(hdr + 10 + n, ' ', total - 10 - (size_t)n - 1);
	hdr[total - 1] = '\n';

	/* The temporary name is PATH.PID.N.tmp: same directory, so rename is
	 * atomic; O_EXCL with 0666 never clobbers and still honours the umask. */
	size_t tlen = strlen(path) + 48;
	char *tmp = malloc(tlen);
	if (!tmp)
		return fail(err, errlen, "out of memory");
	int fd = -1;
	for (int i = 0; i < 100 && fd < 0; i++) {
		snprintf(tmp, tlen, "%s.%ld.%d.tmp", path, (long)getpid(), i);
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0666);
		if (fd < 0 && errno != EEXIST)
			break;
	}
	FILE *f = fd < 0 ? NULL : fdopen(fd, "wb");
	if (!f) {
		int e = errno;
		if (fd >= 0) {
			close(fd);
			unlink(tmp);
		}
		free(tmp);
		return fail(err, errlen, "cannot create file: %s", strerror(e));
	}
	errno = 0;
	bool ok = fwrite(hdr, 1, total, f) == total &&
	          (bytes == 0 || fwrite(data, 1, (size_t)bytes, f) == (size_t)bytes) &&
	          fflush(f) == 0;
	int e = errno;
	const char *what = "write error";
	if (fclose(f) != 0 && ok) {
		ok = false;
		e = errno;
	}
	if (ok && rename(tmp, path) != 0) {
		ok = false;
		e = errno;
		what = "cannot rename temporary file into place";
	}
	if (!ok)
		unlink(tmp);
	free(tmp);
	return ok ? 0 : fail(err, errlen, "%s: %s", what, e ? strerror(e) : "short write");
}

/* ---- element access ---- */

double npy_get_f64(const struct npy *a, int64_t i)
{
	if (i < 0 || i >= a->count)
		bug(__LINE__, "npy element index out of range");
	switch (a->dtype) {
	case NPY_F32: return ((const float *)a->data)[i];
	case NPY_F64: return ((const double *)a->data)[i];
	default: return (double)npy_get_i64(a, i);
	}
}

int64_t npy_get_i64(const struct npy *a, int64_t i)
{
	if (i < 0 || i >= a->count)
		bug(__LINE__, "npy element index out of range");
	switch (a->dtype) {
	case NPY_I8: return ((const int8_t *)a->data)[i];
	case NPY_I16: return ((const int16_t *)a->data)[i];
	case NPY_I32: return ((const int32_t *)a->data)[i];
	case NPY_I64: return ((const int64_t *)a->data)[i];
	default: bug(__LINE__, "npy_get_i64 on a float array");
	}
}
