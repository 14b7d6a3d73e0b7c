/* test_fixed.c: the fixed-point primitives of docs/DESIGN.md §3 at their edges. */
#include "unit.h"

static void test_round_nearest_half(void **state)
{
	(void)state;
	/* exactly .5 rounds up (toward +inf) for both signs */
	assert_int_equal(fx_requant(3, 1, ROUND_NEAREST, 16), 2);     /*  1.5  ->  2 */
	assert_int_equal(fx_requant(-3, 1, ROUND_NEAREST, 16), -1);    /* -1.5  -> -1 */
	assert_int_equal(fx_requant(6, 2, ROUND_NEAREST, 16), 2);      /*  1.5  ->  2 */
	assert_int_equal(fx_requant(-6, 2, ROUND_NEAREST, 16), -1);    /* -1.5  -> -1 */
	assert_int_equal(fx_requant(-2, 2, ROUND_NEAREST, 16), 0);     /* -0.5  ->  0 */
	assert_int_equal(fx_requant(2, 2, ROUND_NEAREST, 16), 1);      /*  0.5  ->  1 */
	/* just off .5 */
	assert_int_equal(fx_requant(5, 2, ROUND_NEAREST, 16), 1);      /*  1.25 ->  1 */
	assert_int_equal(fx_requant(-7, 2, ROUND_NEAREST, 16), -2);    /* -1.75 -> -2 */
	assert_int_equal(fx_requant(-5, 2, ROUND_NEAREST, 16), -1);    /* -1.25 -> -1 */
}

static void test_round_floor(void **state)
{
	(void)state;
	assert_int_equal(fx_requant(3, 1, ROUND_FLOOR, 16), 1);
	assert_int_equal(fx_requant(-3, 1, ROUND_FLOOR, 16), -2);
	assert_int_equal(fx_requant(-1, 4, ROUND_FLOOR, 16), -1);
	assert_int_equal(fx_requant(15, 4, ROUND_FLOOR, 16), 0);
}

static void test_shift_not_positive(void **state)
{
	(void)state;
	assert_int_equal(fx_requant(3, 0, ROUND_NEAREST, 8), 3);
	assert_int_equal(fx_requant(3, -2, ROUND_NEAREST, 8), 12);
	assert_int_equal(fx_requant(-3, -2, ROUND_FLOOR, 8), -12);
	assert_int_equal(fx_requant(100, -2, ROUND_NEAREST, 8), 127);  /* 400 saturates */
	assert_int_equal(fx_requant(-100, -2, ROUND_NEAREST, 8), -128);
	assert_int_equal(fx_requant(1, -70, ROUND_NEAREST, 32), INT32_MAX);
	assert_int_equal(fx_requant(-1, -70, ROUND_NEAREST, 32), INT32_MIN);
	assert_int_equal(fx_requant(0, -70, ROUND_NEAREST, 32), 0);
}

static void test_large_shift(void **state)
{
	(void)state;
	/* past the accumulator's width every value becomes 0 or -1 */
	assert_int_equal(fx_requant(INT64_MAX, 120, ROUND_FLOOR, 8), 0);
	assert_int_equal(fx_requant(INT64_MIN, 120, ROUND_FLOOR, 8), -1);
	assert_int_equal(fx_requant(INT64_MIN, 120, ROUND_NEAREST, 8), 0);
	/* the rounding add does not wrap at the accumulator's top */
	assert_int_equal(fx_requant(INT64_MAX, 1, ROUND_NEAREST, 32), INT32_MAX);
	assert_int_equal(fx_requant(INT64_MAX, 62, ROUND_NEAREST, 8), 2);
}

static void test_saturation_rails(void **state)
{
	(void)state;
	assert_int_equal(fx_sat(127, 8), 127);
	assert_int_equal(fx_sat(128, 8), 127);
	assert_int_equal(fx_sat(-128, 8), -128);
	assert_int_equal(fx_sat(-129, 8), -128);
	assert_int_equal(fx_sat(1, 2), 1);
	assert_int_equal(fx_sat(2, 2), 1);
	assert_int_equal(fx_sat(-3, 2), -2);
	assert_int_equal(fx_sat((i128)1 << 40, 32), INT32_MAX);
	assert_int_equal(fx_requant(2047, 4, ROUND_NEAREST, 8), 127);  /* 127.94 -> 128 -> 127 */
	assert_int_equal(fx_requant(-2056, 4, ROUND_NEAREST, 8), -128); /* -128.5 -> -128 */
	assert_int_equal(fx_requant(-2057, 4, ROUND_NEAREST, 8), -128); /* -128.56 -> -129 -> -128 */
}

static void test_relu6_cap(void **state)
{
	(void)state;
	assert_int_equal(fx_relu6_cap((struct fixed_fmt){8, 4}), 96);
	assert_int_equal(fx_relu6_cap((struct fixed_fmt){8, 5}), 127);  /* 192 saturates */
	assert_int_equal(fx_relu6_cap((struct fixed_fmt){8, -1}), 3);
	assert_int_equal(fx_relu6_cap((struct fixed_fmt){8, -3}), 0);   /* floor(0.75) */
	assert_int_equal(fx_relu6_cap((struct fixed_fmt){3, 0}), 3);
	assert_int_equal(fx_act(100, ACT_RELU6, (struct fixed_fmt){8, 4}), 96);
	assert_int_equal(fx_act(50, ACT_RELU6, (struct fixed_fmt){8, 4}), 50);
	assert_int_equal(fx_act(-50, ACT_RELU6, (struct fixed_fmt){8, 4}), 0);
	assert_int_equal(fx_act(-50, ACT_RELU, (struct fixed_fmt){8, 4}), 0);
	assert_int_equal(fx_act(-50, ACT_NONE, (struct fixed_fmt){8, 4}), -50);
}

static void test_avg_reciprocal(void **state)
{
	(void)state;
	int p;
	int64_t m;
	fx_avg_consts(1, &p, &m);
	assert_int_equal(p, 16);
	assert_int_equal(m, 65536);
	fx_avg_consts(4, &p, &m);
	assert_int_equal(p, 18);
	assert_int_equal(m, 65536);
	fx_avg_consts(9, &p, &m);
	assert_int_equal(p, 20);
	assert_int_equal(m, 116508);          /* 2^20 / 9 = 116508.44 */
	fx_avg_consts(3, &p, &m);
	assert_int_equal(p, 18);
	assert_int_equal(m, 87381);           /* 2^18 / 3 = 87381.33 */
	fx_avg_consts(6, &p, &m);
	assert_int_equal(m, 87381);           /* 2^19 / 6 = 87381.33 */
	fx_avg_consts(49, &p, &m);
	assert_int_equal(p, 22);
	assert_int_equal(m, 85598);           /* 2^22 / 49 = 85598.04 */
	/* averages */
	fx_avg_consts(9, &p, &m);
	assert_int_equal(fx_avg(9, p, m), 1);
	assert_int_equal(fx_avg(-9, p, m), -1);
	assert_int_equal(fx_avg(9 * 127, p, m), 127);
	assert_int_equal(fx_avg(-9 * 128, p, m), -128);
	fx_avg_consts(2, &p, &m);
	assert_int_equal(fx_avg(-5, p, m), -2);   /* -2.5 rounds up */
	assert_int_equal(fx_avg(5, p, m), 3);     /*  2.5 rounds up */
	assert_int_equal(fx_avg(3, p, m), 2);
}

static void test_quantize(void **state)
{
	(void)state;
	struct fixed_fmt f8 = {8, 0}, f87 = {8, 7};
	bool sat = false;
	assert_int_equal(fx_quantize(0.5, f8, &sat), 1);
	assert_int_equal(fx_quantize(-0.5, f8, &sat), 0);
	assert_int_equal(fx_quantize(-1.5, f8, &sat), -1);
	assert_int_equal(fx_quantize(1.49, f8, &sat), 1);
	assert_false(sat);
	assert_int_equal(fx_quantize(0.25, f87, &sat), 32);
	assert_int_equal(fx_quantize(1.0, f87, &sat), 127);
	assert_true(sat);
	sat = false;
	assert_int_equal(fx_quantize(-1.0, f87, &sat), -128);
	assert_false(sat);
	assert_int_equal(fx_quantize(-1e30, f87, &sat), -128);
	assert_true(sat);
	/* negative fraction bits: a step of 4 */
	assert_int_equal(fx_quantize(10.0, (struct fixed_fmt){8, -2}, NULL), 3);   /* 2.5 -> 3 */
	assert_int_equal(fx_quantize(-10.0, (struct fixed_fmt){8, -2}, NULL), -2); /* -2.5 -> -2 */
	assert_true(fx_value(3, -2) == 12.0);
	assert_true(fx_value(-1, 4) == -0.0625);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_nearest_half),
		cmocka_unit_test(test_round_floor),
		cmocka_unit_test(test_shift_not_positive),
		cmocka_unit_test(test_large_shift),
		cmocka_unit_test(test_saturation_rails),
		cmocka_unit_test(test_relu6_cap),
		cmocka_unit_test(test_avg_reciprocal),
		cmocka_unit_test(test_quantize),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
