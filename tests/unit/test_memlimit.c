/* test_memlimit.c: the memory estimate of docs/DESIGN.md §2.6 (memlimit.c)
 * against numbers worked out by hand, at the limit and one byte under it. */
#include "unit.h"

/* x [1, 1024, 1024]; a, b: 1x1 convs to 4 channels; s = a + b.
 * Weights: a 4 + 4 bias, b 16 + 4 bias: 4*20 + 8*8 = 144 bytes.
 * Live elements (M = 2^20): after a: x + a = 5M; after b: x + a + b = 9M;
 * at s: x + a + b + s = 13M, then a and b are freed. Peak 13M.
 * Working space: the largest 8*nw + 16*input: b (or s), 16 * 4M + 8 * 16.
 * All outputs (nnc quantize keeps them): a + b + s = 12M. */
static const char *const src =
	"network m {\n"
	"    input x [1, 1024, 1024] fixed<8,7>;\n"
	"    conv a : filters = 4, kernel = 1;\n"
	"    conv b : filters = 4, kernel = 1;\n"
	"    add s (a, b);\n"
	"}\n";

#define M ((int64_t)1 << 20)
static const int64_t weights = 144, space = 16 * 4 * M + 8 * 16, peak = 13 * M, all = 12 * M;

static void at_limit(const struct network *net, int64_t need, int64_t n, bool floats, bool keep)
{
	int64_t saved = mem_limit;
	verbosity = -1;
	mem_limit = need;
	assert_int_equal(n ? mem_check_images(net, n, floats, keep, "x.npy") : mem_check_network(net), 0);
	mem_limit = need - 1;
	assert_int_equal(n ? mem_check_images(net, n, floats, keep, "x.npy") : mem_check_network(net), -1);
	mem_limit = saved;
	diag_reset();
	verbosity = 1;
}

static void test_one_image(void **state)
{
	(void)state;
	struct network *net = net_src(src);
	assert_non_null(net);
	at_limit(net, weights + space + 4 * peak, 0, false, false);
	at_limit(net, weights + space + 4 * peak, 1, false, false);
}

static void test_images_and_floats(void **state)
{
	(void)state;
	struct network *net = net_src(src);
	assert_non_null(net);
	at_limit(net, weights + space + 7 * 4 * peak, 7, false, false);
	/* the float reference: 8 more bytes per weight, bias and live element */
	at_limit(net, weights + 8 * 28 + space + 3 * 12 * peak, 3, true, false);
	/* nnc quantize keeps every layer's float output */
	at_limit(net, weights + 8 * 28 + space + 3 * 12 * peak + 3 * 8 * all, 3, true, true);
}

static void test_default_limit(void **state)
{
	(void)state;
	assert_int_equal(mem_limit, (int64_t)8 << 30);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_image),
		cmocka_unit_test(test_images_and_floats),
		cmocka_unit_test(test_default_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
