/* ast.c: syntax tree builders, one per grammar construct, and the driver
 * that reads a file and runs the scanner and the parser over it. */
#include "ast.h"

#include "parser.h"
#include "lexer.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct loc ast_loc(const struct parse_ctx *ctx, int line, int col)
{
	return (struct loc){ctx->path, line, col};
}

static struct value *value_new(enum value_kind k, struct loc l)
{
	struct value *v = xcalloc(1, sizeof *v);
	v->kind = k;
	v->loc = l;
	return v;
}

struct value *ast_int(struct loc l, int64_t i)
{
	struct value *v = value_new(VAL_INT, l);
	v->i = i;
	return v;
}

struct value *ast_ident(struct loc l, const char *s)
{
	struct value *v = value_new(VAL_IDENT, l);
	v->s = s;
	return v;
}

struct value *ast_string(struct loc l, const char *s)
{
	struct value *v = value_new(VAL_STRING, l);
	v->s = s;
	return v;
}

struct value *ast_bool(struct loc l, bool b)
{
	struct value *v = value_new(VAL_BOOL, l);
	v->i = b;
	return v;
}

struct value *ast_format(struct loc l, int64_t w, int64_t f)
{
	struct value *v = value_new(VAL_FORMAT, l);
	/* The scanner limits literals to 32 bits; sema checks the ranges. */
	v->fmt = (struct fixed_fmt){(int)w, (int)f};
	return v;
}

struct value *ast_list(struct loc l, struct loc first_loc, int64_t first)
{
	struct value *v = value_new(VAL_LIST, l);
	return ast_list_add(v, first_loc, first);
}

struct value *ast_list_add(struct value *v, struct loc l, int64_t x)
{
	int64_t *list = xmalloc((size_t)(v->nlist + 1) * sizeof *list);
	struct loc *locs = xmalloc((size_t)(v->nlist + 1) * sizeof *locs);
	if (v->nlist) {
		memcpy(list, v->list, (size_t)v->nlist * sizeof *list);
		memcpy(locs, v->list_locs, (size_t)v->nlist * sizeof *locs);
	}
	list[v->nlist] = x;
	locs[v->nlist] = l;
	v->list = list;
	v->list_locs = locs;
	v->nlist++;
	return v;
}

struct attr *ast_attr(struct loc l, const char *name, struct value *v)
{
	struct attr *a = xcalloc(1, sizeof *a);
	a->name = name;
	a->loc = l;
	a->val = v;
	return a;
}

struct attr *ast_attr_add(struct attr *list, struct attr *a)
{
	struct attr **p = &list;
	while (*p)
		p = &(*p)->next;
	*p = a;
	return list;
}

struct name_ref *ast_name(struct loc l, const char *name)
{
	struct name_ref *n = xcalloc(1, sizeof *n);
	n->name = name;
	n->loc = l;
	return n;
}

struct name_ref *ast_name_add(struct name_ref *list, struct name_ref *n)
{
	struct name_ref **p = &list;
	while (*p)
		p = &(*p)->next;
	*p = n;
	return list;
}

static struct stmt *stmt_new(enum stmt_kind k, struct loc l)
{
	struct stmt *s = xcalloc(1, sizeof *s);
	s->kind = k;
	s->loc = l;
	return s;
}

struct stmt *ast_input(struct loc l, const char *name, const int64_t dims[3],
                       const struct loc dim_locs[3], struct value *fmt)
{
	struct stmt *s = stmt_new(ST_INPUT, l);
	s->name = name;
	s->name_loc = l;
	memcpy(s->dims, dims, sizeof s->dims);
	memcpy(s->dim_locs, dim_locs, sizeof s->dim_locs);
	s->fmt = fmt;
	return s;
}

struct stmt *ast_default(struct loc l, struct attr *attrs)
{
	struct stmt *s = stmt_new(ST_DEFAULT, l);
	s->attrs = attrs;
	return s;
}

struct stmt *ast_layer(struct loc l, const char *kind, struct loc name_loc, const char *name,
                       struct name_ref *srcs, struct attr *attrs)
{
	struct stmt *s = stmt_new(ST_LAYER, l);
	s->kind_name = kind;
	s->kind_loc = l;
	s->name = name;
	s->name_loc = name_loc;
	s->srcs = srcs;
	s->attrs = attrs;
	return s;
}

struct stmt *ast_output(struct loc l, struct loc name_loc, const char *name)
{
	struct stmt *s = stmt_new(ST_OUTPUT, l);
	s->name = name;
	s->name_loc = name_loc;
	return s;
}

/* Statements are added at the front (a walk to the end for each made
 * parsing quadratic in the statements); ast_stmts_in_order turns the list
 * the right way round once it is complete. */
struct stmt *ast_stmt_add(struct stmt *list, struct stmt *s)
{
	s->next = list;
	return s;
}

struct stmt *ast_stmts_in_order(struct stmt *list)
{
	struct stmt *in_order = NULL;
	while (list) {
		struct stmt *next = list->next;
		list->next = in_order;
		in_order = list;
		list = next;
	}
	return in_order;
}

void ast_file_set(struct parse_ctx *ctx, struct loc l, const char *name, struct stmt *stmts)
{
	struct ast_file *f = xcalloc(1, sizeof *f);
	f->path = ctx->path;
	f->name = name;
	f->loc = l;
	f->stmts = ast_stmts_in_order(stmts);
	ctx->ast = f;
}

/* The source text stays alive for the whole run: error messages quote it. */
struct ast_file *parse_file(const char *path)
{
	size_t len;
	char *text = read_file(path, &len);
	if (!text) {
		error_file(path, "cannot read: %s", strerror(errno));
		return NULL;
	}
	char *copy = xmalloc(len + 1);
	memcpy(copy, text, len + 1);
	free(text);
	return parse_text(path, copy, len);
}

struct ast_file *parse_text(const char *path, const char *text, size_t len)
{
	const char *nul = memchr(text, 0, len);
	if (nul) {
		error_file(path, "binary file (a NUL byte at offset %zu), not a .nn network",
		           (size_t)(nul - text));
		return NULL;
	}
	size_t i = 0;
	while (i < len && strchr(" \t\r\n", text[i]))
		i++;
	if (i == len) {
		error_file(path, "empty file: expected 'network NAME { ... }'");
		return NULL;
	}
	diag_source(path, text, len);

	struct parse_ctx ctx = {.path = path};
	yyscan_t scanner;
	if (yylex_init_extra(&ctx, &scanner))
		die("cannot start the scanner");
	YY_BUFFER_STATE buf = yy_scan_bytes(text, (int)len, scanner);
	yyparse(scanner, &ctx);
	yy_delete_buffer(buf, scanner);
	yylex_destroy(scanner);
	/* After syntax errors the tree still holds every statement that parsed,
	 * so that sema reports its errors in the same run. */
	return ctx.ast;
}
