/* test_serial_est.c: the serial cycle model (compiler/serial/estimate.c) against the
 * simulation. Each figure is the mean cycles of one descriptor over 16 or
 * 20 Verilator runs of `nnc sim NET --mode serial --frames 1` (memory
 * stalls on), each with its own stall sequence (the testbench's memory
 * model with a seeded xorshift generator in place of $random, which
 * Verilator does not seed). The model is exact without stalls; with them
 * it is an expectation, so it is held to the mean: a single run of a
 * descriptor of a hundred cycles varies by 2-4 %. The tilings are part of
 * the check: a figure belongs to the tiling it was measured with. The
 * compiler's defaults: cifar's c1a and c1b, vgg_small's conv1_1 and
 * conv1_2 are fused (one band each: c1a and conv1_1 write the scratch,
 * c1b and conv1_2 read it), the 3-channel first layers of tiny, lenet5,
 * cifar and vgg_small take flattened kernel packing. */
#include "unit.h"
#include "emit.h"
#include "serial/lower.h"

struct want {
	const char *layer;
	int nrt, tr, nob, ncc;
	double mean;              /* simulated cycles, mean over the seeds */
};

static void check(const char *path, int tm, int tn, int mw, const struct want *w, int n)
{
	struct network *net = net_file(path);
	assert_non_null(net);
	struct compile_opts o = {.mode = MODE_SERIAL, .tm = tm, .tn = tn, .mem_width = mw, .batch = 1};
	struct serial s;
	assert_int_equal(serial_lower(&s, net, &o, NULL), 0);
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
		{"c1", 4, 2, 1, 1, 301.8}, {"c2", 1, 2, 1, 1, 84.8}, {"f1", 1, 1, 1, 1, 57.9},
	};
	check("examples/tiny.nn", 8, 8, 64, w, 3);
}

static void test_lenet5(void **state)
{
	(void)state;
	static const struct want w[] = {
		{"c1", 14, 2, 1, 1, 3368.6}, {"c2", 5, 2, 2, 1, 5195.1}, {"f1", 1, 1, 15, 1, 7408.4},
		{"f2", 1, 1, 11, 1, 1839.2}, {"f3", 1, 1, 2, 1, 306.2},
	};
	check("examples/lenet5.nn", 8, 8, 64, w, 5);
}

static void test_digits(void **state)
{
	(void)state;
	static const struct want w[] = {
		{"c1", 4, 2, 1, 1, 230.7}, {"c2", 1, 4, 2, 1, 401.4}, {"f1", 1, 1, 4, 1, 374.5},
		{"f2", 1, 1, 2, 1, 142.5},
	};
	check("examples/digits/digits.nn", 8, 8, 64, w, 4);
}

/* 16 seeds */
static void test_cifar(void **state)
{
	(void)state;
	static const struct want w[] = {
		{"c1a", 11, 3, 2, 1, 4976.7}, {"c1b", 16, 2, 2, 1, 37532.8},
		{"c2a", 4, 4, 4, 1, 19227.0}, {"c2b", 4, 4, 4, 1, 37872.2},
		{"c3a", 1, 8, 8, 1, 21954.9}, {"f1", 1, 1, 8, 1, 37150.4}, {"f2", 1, 1, 1, 1, 243.2},
	};
	check("examples/cifar.nn", 16, 16, 64, w, 7);
}

/* reduction packing (conv1_2 .. conv3_1): 6 seeds at --pe 32x24
 * --mem-width 256 */
static void test_vgg_small(void **state)
{
	(void)state;
	static const struct want w[] = {
		{"conv1_1", 11, 3, 2, 1, 5710.7}, {"conv1_2", 8, 4, 2, 1, 50103.2},
		{"conv2_1", 3, 6, 4, 1, 26565.8}, {"conv2_2", 3, 6, 4, 1, 50498.5},
		{"conv3_1", 1, 8, 8, 1, 53621.5}, {"fc", 1, 1, 1, 2, 13948.7},
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
