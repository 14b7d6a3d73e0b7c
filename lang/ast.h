/* ast.h: the syntax tree of a .nn file, exactly as written. Meaning (kinds,
 * attributes, shapes, formats) is given to it by compiler/sema.c. */
#ifndef NNC_AST_H
#define NNC_AST_H

#include "nnc.h"

enum value_kind { VAL_INT, VAL_IDENT, VAL_FORMAT, VAL_STRING, VAL_LIST, VAL_BOOL };

struct value {
	enum value_kind kind;
	struct loc loc;
	int64_t i;                 /* VAL_INT; VAL_BOOL as 0/1 */
	const char *s;             /* VAL_IDENT, VAL_STRING */
	struct fixed_fmt fmt;      /* VAL_FORMAT */
	int64_t *list;             /* VAL_LIST */
	struct loc *list_locs;
	int nlist;
};

struct attr {
	const char *name;
	struct loc loc;
	struct value *val;
	struct attr *next;
};

struct name_ref {
	const char *name;
	struct loc loc;
	struct name_ref *next;
};

enum stmt_kind { ST_INPUT, ST_DEFAULT, ST_LAYER, ST_OUTPUT };

struct stmt {
	enum stmt_kind kind;
	struct loc loc;
	const char *kind_name;     /* ST_LAYER: conv, fc, ... as written */
	struct loc kind_loc;
	const char *name;          /* ST_INPUT, ST_LAYER, ST_OUTPUT */
	struct loc name_loc;
	struct name_ref *srcs;     /* ST_LAYER: named sources */
	struct attr *attrs;        /* ST_LAYER, ST_DEFAULT */
	int64_t dims[3];           /* ST_INPUT: C, H, W */
	struct loc dim_locs[3];
	struct value *fmt;         /* ST_INPUT */
	struct stmt *next;
};

struct ast_file {
	const char *path;
	const char *name;
	struct loc loc;
	struct stmt *stmts;
};

/* Parser state shared by the scanner and the grammar actions. */
struct parse_ctx {
	const char *path;
	struct ast_file *ast;
};

/* Builders called by the grammar actions. Each takes the location of what
 * it builds. */
struct loc ast_loc(const struct parse_ctx *ctx, int line, int col);
struct value *ast_int(struct loc l, int64_t v);
struct value *ast_ident(struct loc l, const char *s);
struct value *ast_string(struct loc l, const char *s);
struct value *ast_bool(struct loc l, bool b);
struct value *ast_format(struct loc l, int64_t w, int64_t f);
struct value *ast_list(struct loc l, struct loc first_loc, int64_t first);
struct value *ast_list_add(struct value *list, struct loc l, int64_t v);
struct attr *ast_attr(struct loc l, const char *name, struct value *v);
struct attr *ast_attr_add(struct attr *list, struct attr *a);
struct name_ref *ast_name(struct loc l, const char *name);
struct name_ref *ast_name_add(struct name_ref *list, struct name_ref *n);
struct stmt *ast_input(struct loc l, const char *name, const int64_t dims[3],
                       const struct loc dim_locs[3], struct value *fmt);
struct stmt *ast_default(struct loc l, struct attr *attrs);
struct stmt *ast_layer(struct loc l, const char *kind, struct loc name_loc, const char *name,
                       struct name_ref *srcs, struct attr *attrs);
struct stmt *ast_output(struct loc l, struct loc name_loc, const char *name);
/* Add s to a list built last first; ast_stmts_in_order turns the finished
 * list into source order. */
struct stmt *ast_stmt_add(struct stmt *list, struct stmt *s);
struct stmt *ast_stmts_in_order(struct stmt *list);
void ast_file_set(struct parse_ctx *ctx, struct loc l, const char *name, struct stmt *stmts);

#endif
