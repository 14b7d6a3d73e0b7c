/* test_live.c: the liveness pass (live.c) and both back ends building only
 * the layers that lead to the output. */
#include "unit.h"
#include "emit.h"
#include "parallel/plan.h"
#include "serial/lower.h"

static struct network *load(const char *src)
{
	struct network *net = net_src(src);
	assert_non_null(net);
	mark_live(net);
	return net;
}

/* conv a reads x; conv b reads x too and is the output: a is dead */
static const char *const dead_src =
	"network dead {\n"
	"    input x [2, 6, 6] fixed<8,7>;\n"
	"    conv a : filters = 2, kernel = 3;\n"
	"    conv b (x) : filters = 3, kernel = 3;\n"
	"    output b;\n"
	"}\n";

static void test_marks(void **state)
{
	(void)state;
	struct network *net = load(
		"network m {\n"
		"    input x [2, 6, 6] fixed<8,7>;\n"
		"    conv a : filters = 2, kernel = 3, pad = 1;\n"
		"    relu d1 (a);\n"                 /* dead: reads a, read by nobody live */
		"    conv b (a) : filters = 2, kernel = 3, pad = 1;\n"
		"    add s (a, b);\n"
		"    relu d2 (s);\n"                 /* dead: after the output */
		"    output s;\n"
		"}\n");
	bool want[] = {true, false, true, true, false};
	int readers[] = {2, 0, 1, 1, 0};
	assert_int_equal(net->nlayers, 5);
	for (int i = 0; i < net->nlayers; i++) {
		assert_int_equal(net->layers[i].live, want[i]);
		assert_int_equal(net->layers[i].readers, readers[i]);
	}
}

static void test_serial_drops(void **state)
{
	(void)state;
	struct network *net = load(dead_src);
	assert_false(net->layers[0].live);
	struct compile_opts o = {.mode = MODE_SERIAL, .tm = 4, .tn = 4, .mem_width = 64, .batch = 1};
	struct serial s;
	assert_int_equal(serial_lower(&s, net, &o, NULL), 0);
	assert_int_equal(s.ndesc, 1);
	assert_int_equal(s.desc[0].layer, 1);
	/* the bound counts the live conv only */
	struct sroof r[2];
	assert_int_equal(serial_roofline(&s, net, r), 1);
	assert_int_equal(r[0].layer, 1);
}

static void test_parallel_drops(void **state)
{
	(void)state;
	struct network *net = load(dead_src);
	struct compile_opts o = {.mode = MODE_PARALLEL, .mult_budget = 64};
	struct pplan p = {.net = net};
	assert_int_equal(parallel_plan(&p, &o), 0);
	assert_int_equal(p.e[0].mults, 0);
	assert_true(p.e[1].mults > 0);
}

/* a dead relu right after a conv must not be fused into it */
static void test_serial_dead_relu(void **state)
{
	(void)state;
	struct network *net = load(
		"network r {\n"
		"    input x [2, 6, 6] fixed<8,7>;\n"
		"    conv a : filters = 2, kernel = 3;\n"
		"    relu r (a);\n"
		"    maxpool p (a) : size = 2;\n"
		"    output p;\n"
		"}\n");
	struct compile_opts o = {.mode = MODE_SERIAL, .tm = 4, .tn = 4, .mem_width = 64, .batch = 1};
	struct serial s;
	assert_int_equal(serial_lower(&s, net, &o, NULL), 0);
	assert_int_equal(s.desc[0].act, ACT_NONE);
	for (int k = 0; k < s.ndesc; k++)
		assert_int_not_equal(s.desc[k].layer, 1);
}

int main(void)
{
	verbosity = -1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_marks),
		cmocka_unit_test(test_serial_drops),
		cmocka_unit_test(test_parallel_drops),
		cmocka_unit_test(test_serial_dead_relu),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
