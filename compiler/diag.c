/* diag.c: user errors located in the source (file:line:col, the line, a
 * caret), warnings, and internal errors. User errors make nnc exit 1;
 * internal errors exit 2 at once. */
#include "nnc.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

int verbosity = 1;
static int nerrors;

struct source {
	const char *file, *text;
	size_t len;
};
static struct source *sources;          /* every file an error may quote */
static int nsources, sources_cap;

void diag_source(const char *file, const char *text, size_t len)
{
	for (int i = 0; i < nsources; i++)
		if (!strcmp(sources[i].file, file)) {
			sources[i] = (struct source){file, text, len};
			return;
		}
	if (nsources == sources_cap) {
		sources_cap = sources_cap ? 2 * sources_cap : 8;
		struct source *s = xcalloc((size_t)sources_cap, sizeof *s);
		if (nsources)
			memcpy(s, sources, (size_t)nsources * sizeof *s);
		sources = s;                   /* the arena keeps the old one until exit */
	}
	sources[nsources++] = (struct source){file, text, len};
}

/* Forget the sources and the count; the table itself lives in the arena,
 * which the caller may free next (the fuzzers do, every input). */
void diag_reset(void)
{
	sources = NULL;
	nsources = sources_cap = 0;
	nerrors = 0;
}

/* Print line l.line of its file, then a caret under column l.col. Tabs in
 * the line are kept in the caret line so that the caret lines up. */
static void show_line(struct loc l)
{
	const struct source *s = NULL;
	for (int i = 0; i < nsources; i++)
		if (sources[i].file == l.file || !strcmp(sources[i].file, l.file))
			s = &sources[i];
	if (!s || l.line < 1)
		return;
	const char *p = s->text, *end = s->text + s->len;
	for (int n = 1; n < l.line && p < end; p++)
		if (*p == '\n')
			n++;
	const char *eol = p;
	while (eol < end && *eol != '\n' && *eol != '\r')
		eol++;
	fprintf(stderr, "%5d | %.*s\n      | ", l.line, (int)(eol - p), p);
	for (int i = 1; i < l.col && p + i - 1 < eol; i++)
		fputc(p[i - 1] == '\t' ? '\t' : ' ', stderr);
	fputs("^\n", stderr);
}

static void vreport(struct loc l, const char *kind, const char *fmt, va_list ap)
{
	if (verbosity < 0)
		return;
	if (l.line > 0)
		fprintf(stderr, "%s:%d:%d: %s: ", l.file, l.line, l.col, kind);
	else    /* a network with no text (nnc import's): the file alone */
		fprintf(stderr, "%s: %s: ", l.file, kind);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	show_line(l);
}

void error_at(struct loc l, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport(l, "error", fmt, ap);
	va_end(ap);
	nerrors++;
}

void warn_at(struct loc l, const char *fmt, ...)
{
	if (verbosity < 1)
		return;
	va_list ap;
	va_start(ap, fmt);
	vreport(l, "warning", fmt, ap);
	va_end(ap);
}

void error_file(const char *path, const char *fmt, ...)
{
	va_list ap;
	nerrors++;
	if (verbosity < 0)
		return;
	va_start(ap, fmt);
	fprintf(stderr, "%s: error: ", path);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

void warn_file(const char *path, const char *fmt, ...)
{
	if (verbosity < 1)
		return;
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "%s: warning: ", path);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

void error_plain(const char *fmt, ...)
{
	va_list ap;
	if (verbosity < 0) {
		nerrors++;
		return;
	}
	va_start(ap, fmt);
	fputs("nnc: error: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	nerrors++;
}

int error_count(void) { return nerrors; }

_Noreturn void die_at(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "nnc: internal error at %s:%d: ", file, line);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	out_remove_now();                  /* safe from any thread; the atexit hook repeats it */
	exit(2);
}
