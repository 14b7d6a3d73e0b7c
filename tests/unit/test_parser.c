/* test_parser.c: the scanner and the grammar build the tree as written. */
#include "unit.h"

static void test_tree(void **state)
{
	(void)state;
	struct ast_file *ast = parse_src(
		"// header comment\n"
		"network net1 {   # trailing comment\n"
		"    input img [3, 16, 9] fixed<8,-2>;\n"
		"    default weight = fixed<6,5>, round = floor;\n"
		"    conv c1 : filters = 4, kernel = [3, 5], pad = [1, 2], act = relu6;\n"
		"    add a (c1, img) : out = fixed<12,3>, par = [1, 2];\n"
		"    avgpool g : global = true;\n"
		"    output a;\n"
		"}\n");
	assert_non_null(ast);
	assert_string_equal(ast->name, "net1");
	assert_int_equal(ast->loc.line, 2);
	assert_int_equal(ast->loc.col, 9);
	struct stmt *s = ast->stmts;
	assert_int_equal(s->kind, ST_INPUT);
	assert_string_equal(s->name, "img");
	assert_int_equal(s->dims[0], 3);
	assert_int_equal(s->dims[1], 16);
	assert_int_equal(s->dims[2], 9);
	assert_int_equal(s->fmt->fmt.w, 8);
	assert_int_equal(s->fmt->fmt.f, -2);
	s = s->next;
	assert_int_equal(s->kind, ST_DEFAULT);
	assert_string_equal(s->attrs->name, "weight");
	assert_string_equal(s->attrs->next->name, "round");
	assert_string_equal(s->attrs->next->val->s, "floor");
	s = s->next;
	assert_int_equal(s->kind, ST_LAYER);
	assert_string_equal(s->kind_name, "conv");
	assert_string_equal(s->name, "c1");
	assert_int_equal(s->name_loc.line, 5);
	assert_int_equal(s->name_loc.col, 10);
	struct attr *a = s->attrs->next;
	assert_string_equal(a->name, "kernel");
	assert_int_equal(a->val->kind, VAL_LIST);
	assert_int_equal(a->val->nlist, 2);
	assert_int_equal(a->val->list[1], 5);
	assert_int_equal(a->loc.col, 28);
	s = s->next;
	assert_string_equal(s->kind_name, "add");
	assert_string_equal(s->srcs->name, "c1");
	assert_string_equal(s->srcs->next->name, "img");
	assert_null(s->srcs->next->next);
	s = s->next;
	assert_int_equal(s->attrs->val->kind, VAL_BOOL);
	assert_int_equal(s->attrs->val->i, 1);
	s = s->next;
	assert_int_equal(s->kind, ST_OUTPUT);
	assert_string_equal(s->name, "a");
	assert_null(s->next);
}

static void test_syntax_errors_counted(void **state)
{
	(void)state;
	int before = error_count();
	/* two statements with errors, one good one between them: both reported */
	struct ast_file *ast = parse_src("network n {\n input x [1,2,2] fixed<8,7>;\n"
	                                 " conv c1 : filters = = 3;\n"
	                                 " relu r;\n"
	                                 " conv c2 : kernel 3;\n}\n");
	assert_int_equal(error_count() - before, 2);
	assert_non_null(ast);              /* the statements that parsed are kept */
	int n = 0;
	for (struct stmt *s = ast->stmts; s; s = s->next)
		n++;
	assert_int_equal(n, 2);
}

static void test_lexical_errors(void **state)
{
	(void)state;
	int before = error_count();
	parse_src("network n { input x [1,2,2] fixed<8,7>; relu r : par = [99999999999, 1]; }");
	assert_int_equal(error_count() - before, 1);
	before = error_count();
	parse_src("network n { input x [1,2,2] fixed<8,7>; relu r $; }");
	assert_true(error_count() > before);
	before = error_count();
	assert_null(parse_src(""));
	assert_int_equal(error_count() - before, 1);
	before = error_count();
	assert_null(parse_src(" \n\t\n"));
	assert_int_equal(error_count() - before, 1);
}

static void test_negative_and_extremes(void **state)
{
	(void)state;
	struct ast_file *ast = parse_src("network n { input x [1,2,2] fixed<32,-64>; relu r : par = [2147483647, -2147483648]; }");
	assert_non_null(ast);
	assert_int_equal(ast->stmts->fmt->fmt.f, -64);
	struct value *v = ast->stmts->next->attrs->val;
	assert_int_equal(v->list[0], 2147483647);
	assert_int_equal(v->list[1], -2147483648LL);
}

/* The fuzzers parse input after input, resetting the diagnostics and freeing
 * the arena between them: the table of sources must not outlive the arena
 * (make fuzz-frontend found a use after free here; ASan, make asan, sees it). */
static void test_parse_after_arena_freed(void **state)
{
	(void)state;
	for (int k = 0; k < 12; k++) {
		char path[16];
		snprintf(path, sizeof path, "f%d.nn", k);       /* a new source each time */
		const char *text = "network n { input x [1,2,2] fixed<8,7>; relu r : par = ; }";
		diag_reset();
		int v = verbosity;
		verbosity = -1;
		parse_text(path, text, strlen(text));
		verbosity = v;
		assert_int_equal(error_count(), 1);
		diag_reset();
		arena_free_all();
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tree),
		cmocka_unit_test(test_syntax_errors_counted),
		cmocka_unit_test(test_lexical_errors),
		cmocka_unit_test(test_negative_and_extremes),
		cmocka_unit_test(test_parse_after_arena_freed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
