/* parser.y: the grammar of the .nn language (docs/DESIGN.md §2). Actions only build
 * the tree; meaning is checked by compiler/sema.c. */
%define api.pure full
%locations
%define parse.error detailed
%expect 0
%param {yyscan_t scanner}
%parse-param {struct parse_ctx *ctx}

%code requires {
#include "ast.h"
typedef void *yyscan_t;
}

%code {
#include "lexer.h"
static void yyerror(YYLTYPE *l, yyscan_t scanner, struct parse_ctx *ctx, const char *msg);
#define L(yl) ast_loc(ctx, (yl).first_line, (yl).first_column)
}

%union {
	int64_t num;
	char *str;
	struct value *val;
	struct attr *attr;
	struct name_ref *names;
	struct stmt *stmt;
}

%token NETWORK "network" INPUT "input" DEFAULT "default" OUTPUT "output"
%token FIXED "fixed" TRUE "true" FALSE "false"
%token <str> IDENT "identifier" STRING "string"
%token <num> INT "integer"

%type <val> value format ints
%type <attr> attr attrs opt_attrs
%type <names> names opt_sources
%type <stmt> stmt stmts

%%

file
	: "network" IDENT '{' stmts '}'  { ast_file_set(ctx, L(@2), $2, $4); }
	;

stmts
	: %empty                         { $$ = NULL; }
	| stmts stmt                     { $$ = $2 ? ast_stmt_add($1, $2) : $1; }
	;

stmt
	: "input" IDENT '[' INT ',' INT ',' INT ']' format ';'
		{ $$ = ast_input(L(@2), $2, (int64_t[3]){$4, $6, $8}, (struct loc[3]){L(@4), L(@6), L(@8)}, $10); }
	| "default" attrs ';'            { $$ = ast_default(L(@1), $2); }
	| IDENT IDENT opt_sources opt_attrs ';'
		{ $$ = ast_layer(L(@1), $1, L(@2), $2, $3, $4); }
	| "output" IDENT ';'             { $$ = ast_output(L(@1), L(@2), $2); }
	| error ';'                      { $$ = NULL; yyerrok; }
	;

opt_sources
	: %empty                         { $$ = NULL; }
	| '(' names ')'                  { $$ = $2; }
	;

names
	: IDENT                          { $$ = ast_name(L(@1), $1); }
	| names ',' IDENT                { $$ = ast_name_add($1, ast_name(L(@3), $3)); }
	;

opt_attrs
	: %empty                         { $$ = NULL; }
	| ':' attrs                      { $$ = $2; }
	;

attrs
	: attr                           { $$ = $1; }
	| attrs ',' attr                 { $$ = ast_attr_add($1, $3); }
	;

attr
	: IDENT '=' value                { $$ = ast_attr(L(@1), $1, $3); }
	;

value
	: INT                            { $$ = ast_int(L(@1), $1); }
	| IDENT                          { $$ = ast_ident(L(@1), $1); }
	| STRING                         { $$ = ast_string(L(@1), $1); }
	| "true"                         { $$ = ast_bool(L(@1), true); }
	| "false"                        { $$ = ast_bool(L(@1), false); }
	| format                         { $$ = $1; }
	| '[' ints ']'                   { $$ = $2; $$->loc = L(@1); }
	;

ints
	: INT                            { $$ = ast_list(L(@1), L(@1), $1); }
	| ints ',' INT                   { $$ = ast_list_add($1, L(@3), $3); }
	;

format
	: "fixed" '<' INT ',' INT '>'    { $$ = ast_format(L(@1), $3, $5); }
	;

%%

static void yyerror(YYLTYPE *l, yyscan_t scanner, struct parse_ctx *ctx, const char *msg)
{
	(void)scanner;
	error_at(L(*l), "%s", msg);
}
