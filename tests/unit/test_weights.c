/* test_weights.c: pseudo-random weights keep every layer of the examples in
 * range (under 5% saturated, never constant); weights dumped and loaded back
 * are the same integers; float weights are quantized as docs/DESIGN.md §3 says. */
#include "unit.h"
#include "npy.h"

#include <math.h>
#include <sys/stat.h>

struct stats {
	const struct network *net;
	int bad;
};

static void count_layer(void *p, int i, const struct tensor *t)
{
	struct stats *s = p;
	const struct layer *l = &s->net->layers[i];
	size_t n = (size_t)t->n * (size_t)shape_elems(t->s), sat = 0, distinct = 0;
	for (size_t k = 0; k < n; k++) {
		sat += t->d[k] == fx_max(l->out.w) || t->d[k] == fx_min(l->out.w);
		distinct += t->d[k] != t->d[0];
	}
	/* maxpool padding and relu may legitimately sit at a rail only if the
	 * input did; count every layer */
	if (sat * 20 >= n || !distinct) {
		print_message("%s: layer %s: %zu of %zu saturated, %s\n", s->net->name, l->name, sat,
		              n, distinct ? "varied" : "constant");
		s->bad++;
	}
}

static void check_example(const char *path, int images)
{
	struct ast_file *ast = parse_file(path);
	assert_non_null(ast);
	struct network *net = sema(ast);
	assert_non_null(net);
	for (uint64_t seed = 1; seed <= 2; seed++) {
		struct weight_opts wo = {.seed = seed};
		assert_int_equal(load_weights(net, &wo), 0);
		struct tensor in, out;
		random_input(net, images, seed, &in);
		struct stats s = {net, 0};
		golden_run(net, &in, &out, count_layer, &s);
		assert_int_equal(s.bad, 0);
		free(out.d);
		free(in.d);
		free_weights(net);
	}
}

static void test_examples_in_range(void **state)
{
	(void)state;
	check_example("examples/tiny.nn", 4);
	check_example("examples/lenet5.nn", 4);
	check_example("examples/cifar.nn", 2);
	check_example("examples/alexnet.nn", 1);
}

static void test_deterministic(void **state)
{
	(void)state;
	struct network *a = net_src("network n { input x [3, 5, 5] fixed<8,7>;\n"
	                            " conv c : filters = 4, kernel = 3; fc f : units = 3; }\n");
	struct network *b = net_src("network n { input x [3, 5, 5] fixed<8,7>;\n"
	                            " conv c : filters = 4, kernel = 3; fc f : units = 3; }\n");
	struct weight_opts w1 = {.seed = 7}, w2 = {.seed = 8};
	assert_int_equal(load_weights(a, &w1), 0);
	assert_int_equal(load_weights(b, &w1), 0);
	assert_memory_equal(a->layers[0].w, b->layers[0].w, a->layers[0].nw * sizeof(int32_t));
	free_weights(b);
	assert_int_equal(load_weights(b, &w2), 0);
	assert_memory_not_equal(a->layers[0].w, b->layers[0].w, a->layers[0].nw * sizeof(int32_t));
	free_weights(a);
	free_weights(b);
}

static void test_dump_and_reload(void **state)
{
	(void)state;
	const char *src = "network n { input x [4, 6, 6] fixed<8,7>;\n"
	                  " conv c : filters = 4, kernel = 3, groups = 2, weight = fixed<5,4>;\n"
	                  " fc f : units = 3, bias = fixed<20,6>; fc g : units = 2, bias = none; }\n";
	struct network *a = net_src(src), *b = net_src(src);
	char dir[] = "/tmp/nnc_weights_XXXXXX";
	assert_non_null(mkdtemp(dir));
	struct weight_opts wa = {.seed = 3}, wb = {.dir = dir};
	assert_int_equal(load_weights(a, &wa), 0);
	assert_int_equal(dump_weights(a, dir), 0);
	assert_int_equal(load_weights(b, &wb), 0);
	for (int i = 0; i < a->nlayers; i++) {
		const struct layer *la = &a->layers[i], *lb = &b->layers[i];
		assert_int_equal(la->nw, lb->nw);
		assert_memory_equal(la->w, lb->w, la->nw * sizeof(int32_t));
		assert_int_equal(la->nb, lb->nb);
		if (la->nb)
			assert_memory_equal(la->b, lb->b, la->nb * sizeof(int64_t));
	}
	assert_int_not_equal(access(xprintf("%s/g.weight.npy", dir), F_OK), -1);
	assert_int_equal(access(xprintf("%s/g.bias.npy", dir), F_OK), -1);  /* bias = none */
	free_weights(a);
	free_weights(b);
	assert_int_equal(system(xprintf("rm -rf %s", dir)), 0);
}

static void test_float_weights_quantized(void **state)
{
	(void)state;
	struct network *net = net_src("network n { input x [1, 2, 2] fixed<8,7>;\n"
	                              " fc f : units = 2, weight = fixed<6,4>, bias = fixed<8,2>; }\n");
	char dir[] = "/tmp/nnc_weights_XXXXXX", err[256];
	assert_non_null(mkdtemp(dir));
	/* 2^4 = 16 steps per unit: 0.03125 is exactly half a step; 10 saturates to 31/16 */
	float w[8] = {0.03125f, -0.03125f, 0.09375f, -0.09375f, 1.0f, -2.0f, 10.0f, -10.0f};
	double bias[2] = {0.125, -0.375};     /* half steps of 1/4 */
	int64_t ws[2] = {2, 4}, bs[1] = {2};
	assert_int_equal(npy_write(xprintf("%s/f.weight.npy", dir), NPY_F32, 2, ws, w, err, sizeof err), 0);
	assert_int_equal(npy_write(xprintf("%s/f.bias.npy", dir), NPY_F64, 1, bs, bias, err, sizeof err), 0);
	struct weight_opts wo = {.dir = dir, .keep_float = true};
	assert_int_equal(load_weights(net, &wo), 0);
	const struct layer *l = &net->layers[0];
	int32_t want[8] = {1, 0, 2, -1, 16, -32, 31, -32};
	assert_memory_equal(l->w, want, sizeof want);
	assert_int_equal(l->b[0], 1);          /*  0.5 -> 1 */
	assert_int_equal(l->b[1], -1);         /* -1.5 -> -1 */
	assert_true(l->wf[6] == 10.0);         /* the float model keeps the given value */
	free_weights(net);
	assert_int_equal(system(xprintf("rm -rf %s", dir)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_examples_in_range),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_dump_and_reload),
		cmocka_unit_test(test_float_weights_quantized),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
