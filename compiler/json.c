/* json.c: the JSON reader (json.h). Recursive descent over RFC 8259 text;
 * strings keep their escapes decoded to UTF-8 (\uXXXX, surrogate pairs). */
#include "json.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

struct jp {
	const char *path, *p, *end, *line0;
	int line;
	bool failed;
};

static struct loc here(const struct jp *j)
{
	return (struct loc){j->path, j->line, (int)(j->p - j->line0) + 1};
}

static void *fail(struct jp *j, const char *what)
{
	if (!j->failed)
		error_at(here(j), "%s", what);
	j->failed = true;
	return NULL;
}

static void skip_ws(struct jp *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r')) {
		if (*j->p == '\n') {
			j->line++;
			j->line0 = j->p + 1;
		}
		j->p++;
	}
}

static int hex4(const char *s)
{
	int v = 0;
	for (int k = 0; k < 4; k++) {
		char c = s[k];
		int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
		        : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
		if (d < 0)
			return -1;
		v = v * 16 + d;
	}
	return v;
}

static const char *string(struct jp *j)
{
	j->p++;     /* the quote */
	char *out = xmalloc((size_t)(j->end - j->p) + 1);
	size_t n = 0;
	for (;;) {
		if (j->p >= j->end)
			return fail(j, "unterminated string");
		unsigned char c = (unsigned char)*j->p;
		if (c == '"') {
			j->p++;
			break;
		}
		if (c < 0x20)
			return fail(j, "control character in a string");
		if (c != '\\') {
			out[n++] = (char)c;
			j->p++;
			continue;
		}
		if (j->end - j->p < 2)
			return fail(j, "unterminated string");
		char e = j->p[1];
		j->p += 2;
		const char *simple = strchr("\"\\/bfnrt", e);
		if (e && simple) {
			static const char to[] = "\"\\/\b\f\n\r\t";
			out[n++] = to[simple - "\"\\/bfnrt"];
			continue;
		}
		if (e != 'u')
			return fail(j, "bad escape in a string");
		if (j->end - j->p < 4 || hex4(j->p) < 0)
			return fail(j, "bad \\u escape");
		long cp = hex4(j->p);
		j->p += 4;
		if (cp >= 0xD800 && cp < 0xDC00) {
			if (j->end - j->p < 6 || j->p[0] != '\\' || j->p[1] != 'u' || hex4(j->p + 2) < 0xDC00 ||
			    hex4(j->p + 2) > 0xDFFF)
				return fail(j, "unpaired surrogate in a \\u escape");
			cp = 0x10000 + ((cp - 0xD800) << 10) + (hex4(j->p + 2) - 0xDC00);
			j->p += 6;
		} else if (cp >= 0xDC00 && cp < 0xE000) {
			return fail(j, "unpaired surrogate in a \\u escape");
		}
		if (cp < 0x80) {
			out[n++] = (char)cp;
		} else if (cp < 0x800) {
			out[n++] = (char)(0xC0 | (cp >> 6));
			out[n++] = (char)(0x80 | (cp & 63));
		} else if (cp < 0x10000) {
			out[n++] = (char)(0xE0 | (cp >> 12));
			out[n++] = (char)(0x80 | ((cp >> 6) & 63));
			out[n++] = (char)(0x80 | (cp & 63));
		} else {
			out[n++] = (char)(0xF0 | (cp >> 18));
			out[n++] = (char)(0x80 | ((cp >> 12) & 63));
			out[n++] = (char)(0x80 | ((cp >> 6) & 63));
			out[n++] = (char)(0x80 | (cp & 63));
		}
	}
	out[n] = 0;
	return out;
}

static bool isdig(const struct jp *j, const char *q) { return q < j->end && *q >= '0' && *q <= '9'; }

static struct json *number(struct jp *j, struct json *v)
{
	const char *q = j->p;
	bool integer = true;
	if (q < j->end && *q == '-')
		q++;
	if (!isdig(j, q))
		return fail(j, "bad number");
	if (*q == '0' && isdig(j, q + 1))
		return fail(j, "bad number: a leading zero");
	while (isdig(j, q))
		q++;
	if (q < j->end && *q == '.') {
		integer = false;
		if (!isdig(j, ++q))
			return fail(j, "bad number");
		while (isdig(j, q))
			q++;
	}
	if (q < j->end && (*q == 'e' || *q == 'E')) {
		integer = false;
		q++;
		if (q < j->end && (*q == '+' || *q == '-'))
			q++;
		if (!isdig(j, q))
			return fail(j, "bad number");
		while (isdig(j, q))
			q++;
	}
	char *txt = xprintf("%.*s", (int)(q - j->p), j->p);
	v->kind = J_NUM;
	v->num = strtod(txt, NULL);
	if (!isfinite(v->num))
		return fail(j, "number out of range");
	if (integer) {
		if (fabs(v->num) >= 9.2e18)
			return fail(j, "integer out of range");
		v->integer = true;
		v->i = strtoll(txt, NULL, 10);
	}
	j->p = q;
	return v;
}

static struct json *value(struct jp *j, int depth);

static struct json *members(struct jp *j, struct json *v, int depth, bool obj)
{
	char close = obj ? '}' : ']';
	j->p++;
	int cap = 0;
	skip_ws(j);
	if (j->p < j->end && *j->p == close) {
		j->p++;
		return v;
	}
	for (;;) {
		skip_ws(j);
		const char *key = NULL;
		if (obj) {
			if (j->p >= j->end || *j->p != '"')
				return fail(j, "expected a member name (a string)");
			key = string(j);
			if (!key)
				return NULL;
			skip_ws(j);
			if (j->p >= j->end || *j->p != ':')
				return fail(j, "expected ':'");
			j->p++;
		}
		struct json *m = value(j, depth + 1);
		if (!m)
			return NULL;
		if (v->n == cap) {
			cap = cap ? 2 * cap : 8;
			struct json **it = xmalloc((size_t)cap * sizeof *it);
			const char **ks = xmalloc((size_t)cap * sizeof *ks);
			if (v->n) {
				memcpy(it, v->items, (size_t)v->n * sizeof *it);
				memcpy(ks, v->keys, (size_t)v->n * sizeof *ks);
			}
			v->items = it;
			v->keys = ks;
		}
		v->keys[v->n] = key;
		v->items[v->n++] = m;
		skip_ws(j);
		if (j->p < j->end && *j->p == ',') {
			j->p++;
			continue;
		}
		if (j->p < j->end && *j->p == close) {
			j->p++;
			return v;
		}
		return fail(j, obj ? "expected ',' or '}'" : "expected ',' or ']'");
	}
}

static struct json *value(struct jp *j, int depth)
{
	skip_ws(j);
	if (depth > 64)
		return fail(j, "nested deeper than 64");
	if (j->p >= j->end)
		return fail(j, "unexpected end of file");
	struct json *v = xcalloc(1, sizeof *v);
	v->loc = here(j);
	char c = *j->p;
	if (c == '{' || c == '[') {
		v->kind = c == '{' ? J_OBJ : J_ARR;
		return members(j, v, depth, c == '{');
	}
	if (c == '"') {
		v->kind = J_STR;
		v->str = string(j);
		return v->str ? v : NULL;
	}
	static const struct {
		const char *w;
		enum json_kind k;
		int b;
	} lit[] = {{"true", J_BOOL, 1}, {"false", J_BOOL, 0}, {"null", J_NULL, 0}};
	for (size_t k = 0; k < sizeof lit / sizeof lit[0]; k++) {
		size_t n = strlen(lit[k].w);
		if ((size_t)(j->end - j->p) >= n && !memcmp(j->p, lit[k].w, n)) {
			j->p += n;
			v->kind = lit[k].k;
			v->num = lit[k].b;
			return v;
		}
	}
	if (c == '-' || (c >= '0' && c <= '9'))
		return number(j, v);
	return fail(j, "expected a value");
}

struct json *json_read(const char *path)
{
	size_t len;
	errno = 0;
	char *text = read_file(path, &len);
	if (!text) {
		error_file(path, "cannot read: %s", errno ? strerror(errno) : "not a regular file");
		return NULL;
	}
	struct json *v = NULL;
	if (len > 16u << 20) {
		error_file(path, "over 16 MB: not an nnc JSON file");
	} else if (memchr(text, 0, len)) {
		error_file(path, "not a text file (a NUL byte)");
	} else {
		/* the tree keeps copies of the text's strings */
		struct jp j = {path, text, text + len, text, 1, false};
		v = value(&j, 0);
		skip_ws(&j);
		if (v && j.p != j.end)
			v = fail(&j, "text after the value");
	}
	free(text);
	return v;
}

const struct json *json_get(const struct json *obj, const char *key)
{
	if (!obj || obj->kind != J_OBJ)
		return NULL;
	for (int k = 0; k < obj->n; k++)
		if (!strcmp(obj->keys[k], key))
			return obj->items[k];
	return NULL;
}

int json_int(const struct json *obj, const char *key, int64_t lo, int64_t hi, int64_t *out)
{
	const struct json *v = json_get(obj, key);
	if (!v) {
		error_at(obj->loc, "'%s' is missing", key);
		return -1;
	}
	if (v->kind != J_NUM || !v->integer) {
		error_at(v->loc, "'%s' must be an integer", key);
		return -1;
	}
	if (v->i < lo || v->i > hi) {
		error_at(v->loc, "'%s' = %lld is out of range [%lld, %lld]", key, (long long)v->i,
		         (long long)lo, (long long)hi);
		return -1;
	}
	*out = v->i;
	return 0;
}
