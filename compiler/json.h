/* json.h: a small JSON reader for the files nnc reads back (an engine's
 * spec, ENG.json): a tree of values; errors located file:line:col. */
#ifndef NNC_JSON_H
#define NNC_JSON_H

#include "nnc.h"

enum json_kind { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };

struct json {
	enum json_kind kind;
	struct loc loc;
	double num;                 /* J_NUM, J_BOOL (0 or 1) */
	bool integer;               /* J_NUM written without fraction or exponent */
	int64_t i;                  /* J_NUM: the value when integer */
	const char *str;            /* J_STR */
	int n;                      /* J_ARR, J_OBJ: the members */
	const char **keys;          /* J_OBJ */
	struct json **items;
};

/* The file's value, or NULL after a located error. Nesting deeper than 64
 * and files over 16 MB are errors. */
struct json *json_read(const char *path);
/* The member named key of an object, or NULL. */
const struct json *json_get(const struct json *obj, const char *key);
/* An integer member in [lo, hi]: 0, or -1 after a located error (missing,
 * not an integer, out of range). */
int json_int(const struct json *obj, const char *key, int64_t lo, int64_t hi, int64_t *out);

#endif
