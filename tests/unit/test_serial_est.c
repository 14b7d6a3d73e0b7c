/* test_serial_est.c: the serial cycle model (serial_est.c) against the
 * simulation. Each figure is the mean cycles of one descriptor over 16 or
 * 20 Verilator runs of `nnc sim NET --mode serial --frames 1` (memory
 * stalls on), each with its own stall sequence (the testbench's memory
 * model with a seeded xorshift generator in place of $random, which
 * Verilator does not seed). The model is exact without stalls; with them
 * it is an expectation, so it is held to the mean: a single run of a
 * descriptor of a hundred cycles varies by 2-4 %. The tilings are part of
 * the check: a figure belongs to the tiling it was measured with. */
#include "unit.h"
#include "emit.h"
#include "serial.h"

struct want {
	const char *layer;
	int nrt, tr, nob, ncc;
	double mean;              /* simulated cycles, mean over the seeds */
};

static void check(const char *path, int tm, int tn, int mw, const struct want *w, int n)
{
	struct ast_file *ast = parse_file(path);
	assert_non_null(ast);
	struct network *net = sema(ast);
	assert_non_null(net);
	struct compile_opts o = {.mode = MODE_SERIAL, .tm = tm, .tn = tn, .mem_width = mw, .batch = 1,
	                         .fuse = 2};
	struct serial s;
	assert_int_equal(serial_lower(&s, net, &o), 0);
	assert_int_equal(s.ndesc, n);
	for (int k = 0; k < n; k++) {
		const struct sdesc *d = &s.desc[k];
		assert_string_equal(d->name, w[k].layer);
		if (d->nrt != w[k].nrt || d->tr != w[k].tr || d->nob != w[k].nob || d->ncc != w[k].ncc)
			fail_msg("%s %s: tiled %dx%d rows, %d blocks, %d chunks, measured with %dx%d, %d, %d",
			         path, d->name, d->nrt, d->tr, d->nob, d->ncc, w[k].nrt, w[k].tr, w[k].nob,
			         w[k].ncc);
		double err = (d->est - w[k].mean) / w[k].mean;
		if (err > 0.02 || err < -0.02)
			fail_msg("%s %s: estimated %lld, simulated %.1f on average (%+.1f %%)", path,
			         d->name, (long long)d->est, w[k].mean, 100 * err);
	}
}

static void test_tiny(void **state)
{
	(void)state;
	static const struct want w[] = {
		{"c1", 4, 2, 1, 1, 303.2}, {"c2", 1, 2, 1, 1, 89.0}, {"f1", 1, 1, 1, 1, 58.0},
	};
	check("examples/tiny.nn", 8, 8, 64, w, 3);
}

static void test_lenet5(void **state)
{
	(void)state;
	static const struct want w[] = {
		{"c1", 14, 2, 1, 1, 4163.4}, {"c2", 5, 2, 2, 1, 5197.6}, {"f1", 1, 1, 15, 1, 7405.8},
		{"f2", 1, 1, 11, 1, 1834.8}, {"f3", 1, 1, 2, 1, 309.4},
	};
	check("examples/lenet5.nn", 8, 8, 64, w, 5);
}

static void test_digits(void **state)
{
	(void)state;
	static const struct want w[] = {
		{"c1", 4, 2, 1, 1, 232.1}, {"c2", 1, 4, 2, 1, 400.2}, {"f1", 1, 1, 4, 1, 378.6},
		{"f2", 1, 1, 2, 1, 144.1},
	};
	check("examples/digits/digits.nn", 8, 8, 64, w, 4);
}

/* 16 seeds */
static void test_cifar(void **state)
{
	(void)state;
	static const struct want w[] = {
		{"c1a", 16, 2, 2, 1, 7075.2}, {"c1b", 16, 2, 2, 1, 37633.2},
		{"c2a", 4, 4, 4, 1, 19228.7}, {"c2b", 4, 4, 4, 1, 37870.7},
		{"c3a", 1, 8, 8, 1, 21961.0}, {"f1", 1, 1, 8, 1, 37120.4}, {"f2", 1, 1, 1, 1, 244.5},
	};
	check("examples/cifar.nn", 16, 16, 64, w, 7);
}

/* reduction packing (conv1_2 .. conv3_1): 6 seeds at --pe 32x24
 * --mem-width 256 */
static void test_vgg_small(void **state)
{
	(void)state;
	static const struct want w[] = {
		{"conv1_1", 8, 4, 2, 1, 6925.5}, {"conv1_2", 8, 4, 2, 1, 50273.3},
		{"conv2_1", 3, 6, 4, 1, 26565.5}, {"conv2_2", 3, 6, 4, 1, 50487.0},
		{"conv3_1", 1, 8, 8, 1, 53623.0}, {"fc", 1, 1, 1, 2, 13927.2},
	};
	check("tests/nets/vgg_small.nn", 32, 24, 256, w, 6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tiny),
		cmocka_unit_test(test_lenet5),
		cmocka_unit_test(test_digits),
		cmocka_unit_test(test_cifar),
		cmocka_unit_test(test_vgg_small),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
