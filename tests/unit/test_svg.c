/* test_svg.c: the roofline plot's layout (serial/svg.c). For networks with
 * few and many layers, crowded and apart: every layer's name has a place,
 * inside the plot area, and no name's box meets another's, a marker (a
 * layer's dot or estimate ring) or the legend, which sits beside the plot. */
#include "unit.h"
#include "emit.h"
#include "serial/svg.h"

#include <stdio.h>

static bool meet(struct svg_box a, struct svg_box b)
{
	return a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;
}

static void check(struct network *net, int tm, int tn, int mw)
{
	assert_non_null(net);
	struct compile_opts o = {.mode = MODE_SERIAL, .tm = tm, .tn = tn, .mem_width = mw, .batch = 1};
	struct serial s;
	assert_int_equal(serial_lower(&s, net, &o, NULL), 0);
	struct svg_plot p;
	serial_svg_layout(&s, net, &p);
	assert_true(p.n > 0);
	assert_int_equal(p.unplaced, 0);
	struct svg_box area = {p.L, p.T, p.L + p.pw, p.T + p.ph};
	assert_true(p.legend.x0 >= area.x1 && p.legend.x1 <= p.W);
	for (int i = 0; i < p.nlab; i++) {
		struct svg_box a = p.lab[i].box;
		const char *name = p.text[i];
		assert_true(a.x1 - a.x0 >= svg_text_width(name));
		if (a.x0 < area.x0 || a.x1 > area.x1 || a.y0 < area.y0 || a.y1 > area.y1)
			fail_msg("%s: %s's name outside the plot area", net->name, name);
		if (meet(a, p.legend))
			fail_msg("%s: %s's name on the legend", net->name, name);
		for (int j = i + 1; j < p.nlab; j++)
			if (meet(a, p.lab[j].box))
				fail_msg("%s: the names of %s and %s meet", net->name, name, p.text[j]);
		for (int k = 0; k < p.nmark; k++)
			if (meet(a, p.mark[k]))
				fail_msg("%s: %s's name covers a marker of %s", net->name, name,
				         p.text[p.owner[k]]);
	}
}

static struct network *load(const char *path)
{
	struct network *net = net_file(path);
	assert_non_null(net);
	return net;
}

static void test_examples(void **state)
{
	(void)state;
	check(load("examples/cifar.nn"), 16, 16, 64);
	check(load("examples/lenet5.nn"), 8, 8, 64);
	check(load("examples/alexnet.nn"), 16, 16, 64);
	check(load("examples/vgg16.nn"), 32, 24, 256);
}

/* Twenty-two convs of one map size whose widths differ a little: their
 * points crowd into one corner of the plot, several on one spot. */
static void test_crowd(void **state)
{
	(void)state;
	static const int f[] = {16, 20, 24, 28, 32, 24, 16, 20, 28, 32, 16,
	                        24, 20, 32, 28, 16, 24, 20, 28, 32, 16, 24};
	char src[4096];
	int k = snprintf(src, sizeof src, "network many {\n  input x [16, 16, 16] fixed<8,7>;\n");
	for (int i = 0; i < 22; i++)
		k += snprintf(src + k, sizeof src - (size_t)k,
		              "  conv c%d : filters = %d, kernel = 3, pad = 1, act = relu;\n", i + 1, f[i]);
	snprintf(src + k, sizeof src - (size_t)k, "}\n");
	check(net_src(src), 8, 8, 64);
	check(net_src(src), 4, 4, 16);
}

/* Sixty identical convs: one point, one label naming the first and the
 * count of the others. */
static void test_same_point(void **state)
{
	(void)state;
	char src[8192];
	int k = snprintf(src, sizeof src, "network same {\n  input x [8, 8, 8] fixed<8,7>;\n");
	for (int i = 0; i < 60; i++)
		k += snprintf(src + k, sizeof src - (size_t)k,
		              "  conv c%d : filters = 8, kernel = 3, pad = 1, act = relu;\n", i + 1);
	snprintf(src + k, sizeof src - (size_t)k, "}\n");
	struct network *net = net_src(src);
	check(net, 8, 8, 64);
	struct compile_opts o = {.mode = MODE_SERIAL, .tm = 8, .tn = 8, .mem_width = 64, .batch = 1};
	struct serial s;
	assert_int_equal(serial_lower(&s, net, &o, NULL), 0);
	struct svg_plot p;
	serial_svg_layout(&s, net, &p);
	assert_int_equal(p.n, 60);
	assert_int_equal(p.nlab, 1);
	assert_string_equal(p.text[0], "c1 +59");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_examples),
		cmocka_unit_test(test_crowd),
		cmocka_unit_test(test_same_point),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
