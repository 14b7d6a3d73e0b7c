/* util.c: the allocation arena, whole-file reads, and outputs that appear only
 * when a run succeeds (written to a temporary name, renamed at the end). */
#include "nnc.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A compiler is short-lived: small objects come from an arena that is freed
 * once at exit. Large tensors use big_alloc (plain malloc, freed by owner). */
struct chunk {
	struct chunk *next;
	size_t used, size;
	max_align_t data[];
};
static struct chunk *arena;

void *xmalloc(size_t n)
{
	n = (n + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
	if (!arena || arena->size - arena->used < n) {
		size_t size = n > 65536 ? n : 65536;
		struct chunk *c = malloc(sizeof *c + size);
		if (!c)
			die("out of memory (%zu bytes)", n);
		c->size = size;
		c->used = 0;
		c->next = arena;
		arena = c;
	}
	void *p = (char *)arena->data + arena->used;
	arena->used += n;
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		die("allocation overflow");
	void *p = xmalloc(n * size);
	memset(p, 0, n * size);
	return p;
}

char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	return memcpy(xmalloc(n), s, n);
}

char *xprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	char *s = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return s;
}

void *big_alloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		die("out of memory (%zu bytes)", n);
	return p;
}

void arena_free_all(void)
{
	while (arena) {
		struct chunk *next = arena->next;
		free(arena);
		arena = next;
	}
}

char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 4096, n = 0;
	errno = 0;
	char *buf = big_alloc(cap);
	for (;;) {
		size_t got = fread(buf + n, 1, cap - n - 1, f);
		n += got;
		if (n + 1 < cap)
			break;
		cap *= 2;
		char *nb = realloc(buf, cap);
		if (!nb)
			die("out of memory");
		buf = nb;
	}
	int err = ferror(f) ? (errno ? errno : EIO) : 0;
	fclose(f);
	if (err) {
		free(buf);
		errno = err;
		return NULL;
	}
	buf[n] = 0;
	*len = n;
	return buf;
}

struct out_file {
	char *path, *tmp;
	FILE *f;
};
static struct out_file outs[256];
static int nouts;

FILE *out_open(const char *path)
{
	if (nouts == (int)(sizeof outs / sizeof outs[0]))
		die("too many output files");
	char *tmp = xprintf("%s.tmp%ld", path, (long)getpid());
	FILE *f = fopen(tmp, "w+b");   /* read too: OUT.mem.bin is filled through mmap */
	if (!f) {
		error_file(path, "cannot write: %s", strerror(errno));
		return NULL;
	}
	outs[nouts++] = (struct out_file){xstrdup(path), tmp, f};
	return f;
}

void out_commit_all(void)
{
	for (int i = 0; i < nouts; i++) {
		if (outs[i].f && fclose(outs[i].f) != 0) {
			outs[i].f = NULL;
			error_file(outs[i].path, "write failed: %s", strerror(errno));
		}
		outs[i].f = NULL;
	}
	if (error_count()) {
		out_abort_all();
		return;
	}
	for (int i = 0; i < nouts; i++)
		if (rename(outs[i].tmp, outs[i].path) != 0) {
			error_file(outs[i].path, "cannot rename into place: %s", strerror(errno));
			remove(outs[i].tmp);
		}
	nouts = 0;
}

void out_abort_all(void)
{
	for (int i = 0; i < nouts; i++) {
		if (outs[i].f)
			fclose(outs[i].f);
		remove(outs[i].tmp);
	}
	nouts = 0;
}

bool same_file(const char *a, const char *b)
{
	struct stat sa, sb;
	if (stat(a, &sa) != 0 || stat(b, &sb) != 0)
		return false;
	return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

const char *dims_str(const int64_t *d, int n)
{
	char buf[200] = "(";
	for (int i = 0; i < n && i < 8; i++) {
		size_t used = strlen(buf);
		snprintf(buf + used, sizeof buf - used, "%s%lld", i ? ", " : "", (long long)d[i]);
	}
	strcat(buf, n == 1 ? ",)" : ")");
	return xstrdup(buf);
}
