/* test_sema.c: shapes, formats, defaults and accumulator widths. */
#include "unit.h"

#define IN "network n {\n input x [3, 11, 7] fixed<8,7>;\n"

static const struct layer *layer(const struct network *net, const char *name)
{
	for (int i = 0; i < net->nlayers; i++)
		if (!strcmp(net->layers[i].name, name))
			return &net->layers[i];
	fail_msg("no layer %s", name);
	return NULL;
}

static void test_conv_shapes(void **state)
{
	(void)state;
	struct network *net = net_src(IN
		" conv a : filters = 6, kernel = [3, 5], stride = [2, 1], pad = [1, 2];\n"
		" conv b : filters = 6, kernel = 1, stride = 4;\n"
		" conv d : filters = 6, kernel = 2, groups = 6;\n}\n");
	assert_non_null(net);
	const struct layer *a = layer(net, "a"), *b = layer(net, "b"), *d = layer(net, "d");
	/* (11 + 2 - 3) / 2 + 1 = 6; (7 + 4 - 5) / 1 + 1 = 7 */
	assert_int_equal(a->oshape.c, 6);
	assert_int_equal(a->oshape.h, 6);
	assert_int_equal(a->oshape.w, 7);
	assert_int_equal(a->macs, 6 * 7 * 6 * 3 * 3 * 5);
	assert_int_equal(a->params, 6 * 3 * 15 + 6);
	/* (6 - 1) / 4 + 1 = 2; (7 - 1) / 4 + 1 = 2 */
	assert_int_equal(b->oshape.h, 2);
	assert_int_equal(b->oshape.w, 2);
	/* depthwise: one input channel per filter */
	assert_int_equal(d->groups, 6);
	assert_int_equal(layer_fan_in(d), 4);
	assert_int_equal(d->params, 6 * 4 + 6);
	assert_int_equal(d->oshape.h, 1);
}

static void test_pools_fc_add(void **state)
{
	(void)state;
	struct network *net = net_src(IN
		" maxpool m : size = 3, stride = 2, pad = 1;\n"
		" avgpool v : size = [2, 3];\n"
		" avgpool g (m) : global = true, out = fixed<10,5>;\n"
		" fc f (m) : units = 5;\n"
		" add s (m, m) : act = relu;\n"
		" output g;\n}\n");
	assert_non_null(net);
	const struct layer *m = layer(net, "m"), *v = layer(net, "v"), *g = layer(net, "g");
	/* (11 + 2 - 3) / 2 + 1 = 6, (7 + 2 - 3) / 2 + 1 = 4 */
	assert_int_equal(m->oshape.h, 6);
	assert_int_equal(m->oshape.w, 4);
	assert_int_equal(m->out.w, 8);
	assert_int_equal(m->out.f, 7);
	assert_int_equal(v->oshape.h, 3);
	assert_int_equal(v->oshape.w, 1);
	assert_int_equal(v->out.f, 7);            /* avgpool keeps its input's format */
	assert_int_equal(g->oshape.h, 1);
	assert_int_equal(g->kh, 6);
	assert_int_equal(g->kw, 4);
	assert_int_equal(g->out.w, 10);
	assert_int_equal(layer(net, "f")->macs, 5 * 3 * 6 * 4);
	assert_int_equal(layer(net, "s")->oshape.c, 3);
	assert_string_equal(net->layers[net->output].name, "g");
}

static void test_defaults(void **state)
{
	(void)state;
	struct network *net = net_src(IN
		" conv a : filters = 2, kernel = 1;\n"
		" default weight = fixed<6,5>, out = fixed<12,6>, round = floor, act = relu;\n"
		" conv b : filters = 2, kernel = 1, act = none;\n"
		" maxpool p : size = 2;\n"
		" avgpool q : size = 1;\n"
		" fc f : units = 3, bias = none;\n}\n");
	assert_non_null(net);
	const struct layer *a = layer(net, "a"), *b = layer(net, "b"), *f = layer(net, "f");
	/* before the default: the design's defaults (docs/DESIGN.md §2) */
	assert_int_equal(a->wt.w, 8);
	assert_int_equal(a->wt.f, 7);
	assert_int_equal(a->out.w, 8);
	assert_int_equal(a->out.f, 4);
	assert_int_equal(a->round, ROUND_NEAREST);
	assert_int_equal(a->act, ACT_NONE);
	assert_int_equal(a->bias.w, 16);       /* fixed<Wa+Ww, Fa+Fw> */
	assert_int_equal(a->bias.f, 14);
	/* after it */
	assert_int_equal(b->wt.w, 6);
	assert_int_equal(b->out.w, 12);
	assert_int_equal(b->round, ROUND_FLOOR);
	assert_int_equal(b->act, ACT_NONE);    /* the layer's own attribute wins */
	assert_int_equal(b->in.f, 4);          /* formats chain */
	assert_int_equal(b->bias.f, 4 + 5);
	/* pools keep their input's format; avgpool takes the default round */
	assert_int_equal(layer(net, "p")->out.w, 12);
	assert_int_equal(layer(net, "q")->out.f, 6);
	assert_int_equal(layer(net, "q")->round, ROUND_FLOOR);
	assert_int_equal(f->act, ACT_RELU);
	assert_false(f->has_bias);
	assert_int_equal(f->params, 3 * 2 * 5 * 3);
}

static void test_accumulator_width(void **state)
{
	(void)state;
	struct network *net = net_src(
		"network n { input x [4, 3, 3] fixed<8,7>;\n"
		" conv a : filters = 1, kernel = 3, bias = none;\n"     /* 36 * 2^14 */
		" conv b (x) : filters = 1, kernel = 1;\n"              /* 4 * 2^14 + 2^15 */
		" fc c (x) : units = 1, weight = fixed<16,8>, bias = fixed<4,15>;\n"
		" add d (x, x) : out = fixed<8,7>; }\n");
	assert_non_null(net);
	/* 36 * 2^14 = 589824 < 2^20: 20 magnitude bits + sign */
	assert_int_equal(layer(net, "a")->acc_bits, 21);
	/* 2^16 + 2^15 < 2^17: 18 bits */
	assert_int_equal(layer(net, "b")->acc_bits, 18);
	/* 2^27 < 36 * 2^22 + 2^3 < 2^28: 28 magnitude bits + sign */
	assert_int_equal(layer(net, "c")->acc_bits, 29);
	assert_int_equal(layer(net, "d")->acc_bits, 9);
	/* 64 bits is fine, 65 is not */
	assert_non_null(net_src("network n { input x [1, 1, 1] fixed<32,0>;\n"
	                        " fc c : units = 1, weight = fixed<32,0>, bias = none; }\n"));
	assert_null(net_src("network n { input x [2, 1, 1] fixed<32,0>;\n"
	                    " fc c : units = 1, weight = fixed<32,0>, bias = none; }\n"));
}

static void test_vgg16_totals(void **state)
{
	(void)state;
	struct ast_file *ast = parse_file("examples/vgg16.nn");
	assert_non_null(ast);
	struct network *net = sema(ast);
	assert_non_null(net);
	int64_t macs = 0, params = 0;
	for (int i = 0; i < net->nlayers; i++) {
		macs += net->layers[i].macs;
		params += net->layers[i].params;
	}
	assert_true(macs == 15470264320LL);
	assert_true(params == 138357544LL);
}

static void test_errors_reported(void **state)
{
	(void)state;
	int before = error_count();
	assert_null(net_src(IN " conv a : filters = 2, kernel = 13;\n fc b : units = 0;\n"
	                       " maxpool c (x) : size = 2, pad = 2;\n"
	                       " relu d (b);\n}\n"));
	/* three errors; d reads the broken b and is not checked (no echo) */
	assert_int_equal(error_count() - before, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conv_shapes),
		cmocka_unit_test(test_pools_fc_add),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_accumulator_width),
		cmocka_unit_test(test_vgg16_totals),
		cmocka_unit_test(test_errors_reported),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
