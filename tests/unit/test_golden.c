/* test_golden.c: every layer of the golden model against plain reference
 * loops written here from docs/DESIGN.md §3 (one output element at a time, 128-bit
 * arithmetic, no shared code with golden.c but the network it reads). */
#include "unit.h"

#include <math.h>

static int64_t ref_sat(i128 v, int w)
{
	i128 lo = -((i128)1 << (w - 1)), hi = ((i128)1 << (w - 1)) - 1;
	return (int64_t)(v < lo ? lo : v > hi ? hi : v);
}

/* floor(v / 2^s) for s > 0, by division (not by shifting) */
static i128 floor_div(i128 v, int s)
{
	i128 d = (i128)1 << s;
	i128 q = v / d;
	return q * d > v ? q - 1 : q;
}

static int64_t ref_requant(i128 acc, int s, enum round_mode r, int w)
{
	if (s > 0)
		return ref_sat(floor_div(acc + (r == ROUND_NEAREST ? (i128)1 << (s - 1) : 0), s), w);
	for (int k = 0; k < -s; k++) {
		acc *= 2;
		if (acc > ((i128)1 << 70) || acc < -((i128)1 << 70))
			break;
	}
	return ref_sat(acc, w);
}

static int64_t ref_act(int64_t y, const struct layer *l)
{
	if (l->act == ACT_NONE)
		return y;
	if (y < 0)
		y = 0;
	if (l->act == ACT_RELU6) {
		int64_t cap = ref_sat((i128)floor(6.0 * pow(2.0, l->out.f)), l->out.w);
		if (y > cap)
			y = cap;
	}
	return y;
}

static int32_t at(const struct tensor *t, int n, int c, int y, int x)
{
	return t->d[(((size_t)n * t->s.c + c) * t->s.h + y) * t->s.w + x];
}

/* The expected value of one output element. */
static int64_t ref_elem(const struct layer *l, const struct tensor *a, const struct tensor *b,
                        int n, int f, int oy, int ox)
{
	struct shape is = l->ishape;
	switch (l->kind) {
	case L_CONV: {
		int cg = is.c / l->groups, g = f / (l->filters / l->groups);
		i128 acc = l->has_bias ? (i128)l->b[f] * ((i128)1 << (l->in.f + l->wt.f - l->bias.f)) : 0;
		for (int c = 0; c < cg; c++)
			for (int ky = 0; ky < l->kh; ky++)
				for (int kx = 0; kx < l->kw; kx++) {
					int iy = oy * l->sh - l->ph + ky, ix = ox * l->sw - l->pw + kx;
					if (iy < 0 || iy >= is.h || ix < 0 || ix >= is.w)
						continue;
					acc += (i128)at(a, n, g * cg + c, iy, ix) *
					       l->w[(((size_t)f * cg + c) * l->kh + ky) * l->kw + kx];
				}
		return ref_act(ref_requant(acc, l->in.f + l->wt.f - l->out.f, l->round, l->out.w), l);
	}
	case L_FC: {
		i128 acc = l->has_bias ? (i128)l->b[f] * ((i128)1 << (l->in.f + l->wt.f - l->bias.f)) : 0;
		int64_t ni = shape_elems(is);
		for (int64_t i = 0; i < ni; i++)
			acc += (i128)a->d[n * ni + i] * l->w[f * ni + i];
		return ref_act(ref_requant(acc, l->in.f + l->wt.f - l->out.f, l->round, l->out.w), l);
	}
	case L_MAXPOOL:
	case L_AVGPOOL: {
		int64_t best = -((int64_t)1 << (l->in.w - 1)), cells = l->kh * l->kw;
		i128 sum = 0;
		for (int ky = 0; ky < l->kh; ky++)
			for (int kx = 0; kx < l->kw; kx++) {
				int iy = oy * l->sh - l->ph + ky, ix = ox * l->sw - l->pw + kx;
				if (iy < 0 || iy >= is.h || ix < 0 || ix >= is.w)
					continue;
				int64_t v = at(a, n, f, iy, ix);
				best = v > best ? v : best;
				sum += v;
			}
		if (l->kind == L_MAXPOOL)
			return best;
		int p = 16;
		while (((int64_t)1 << (p - 16)) < cells)
			p++;
		i128 m = (((i128)1 << p) + cells / 2) / cells;     /* round(2^P / n) */
		if ((((i128)1 << p) % cells) * 2 == cells)
			m = ((i128)1 << p) / cells + 1;
		i128 avg = floor_div(sum * m + ((i128)1 << (p - 1)), p);
		return ref_requant(avg, l->in.f - l->out.f, l->round, l->out.w);
	}
	case L_RELU: {
		int32_t v = at(a, n, f, oy, ox);
		return v > 0 ? v : 0;
	}
	case L_ADD: {
		int fm = l->in.f > l->in2.f ? l->in.f : l->in2.f;
		i128 acc = (i128)at(a, n, f, oy, ox) * ((i128)1 << (fm - l->in.f)) +
		           (i128)at(b, n, f, oy, ox) * ((i128)1 << (fm - l->in2.f));
		return ref_act(ref_requant(acc, fm - l->out.f, l->round, l->out.w), l);
	}
	default:
		fail();
	}
	return 0;
}

/* Run every layer of net on the batch in (each layer on its golden input)
 * and compare every element with the reference. Unless loose, a layer may
 * not be constant nor more than half saturated (crafted extremes may be). */
static void check_layers(struct network *net, struct tensor *in, bool loose)
{
	struct tensor *t = calloc((size_t)net->nlayers, sizeof *t);
	for (int i = 0; i < net->nlayers; i++) {
		const struct layer *l = &net->layers[i];
		const struct tensor *a = l->src[0] >= 0 ? &t[l->src[0]] : in;
		const struct tensor *b = l->nsrc > 1 ? (l->src[1] >= 0 ? &t[l->src[1]] : in) : NULL;
		golden_layer(net, i, a, b, &t[i]);
		int64_t first = t[i].d[0], distinct = 0, nsat = 0, total = 0;
		for (int n = 0; n < in->n; n++)
			for (int f = 0; f < l->oshape.c; f++)
				for (int y = 0; y < l->oshape.h; y++)
					for (int x = 0; x < l->oshape.w; x++) {
						int64_t want = ref_elem(l, a, b, n, f, y, x);
						int32_t got = at(&t[i], n, f, y, x);
						if (got != want)
							fail_msg("layer %s: [%d,%d,%d,%d] got %d, expected %lld", l->name,
							         n, f, y, x, got, (long long)want);
						distinct += got != first;
						nsat += got == fx_max(l->out.w) || got == fx_min(l->out.w);
						total++;
					}
		if (!distinct)
			fail_msg("layer %s: every output is %lld", l->name, (long long)first);
		if (!loose && nsat * 2 > total)
			fail_msg("layer %s: %lld of %lld outputs saturated", l->name, (long long)nsat,
			         (long long)total);
	}
	for (int i = 0; i < net->nlayers; i++)
		free(t[i].d);
	free(t);
}

/* src with pseudo-random weights and a random batch of two; edit (if not
 * NULL) then rewrites weights or input. */
static void check_edited(const char *src, uint64_t seed,
                         void (*edit)(struct network *net, struct tensor *in))
{
	struct network *net = net_src(src);
	assert_non_null(net);
	struct weight_opts wo = {.seed = seed};
	assert_int_equal(load_weights(net, &wo), 0);
	struct tensor in;
	random_input(net, 2, seed, &in);
	if (edit)
		edit(net, &in);
	check_layers(net, &in, edit != NULL);
	free(in.d);
	free_weights(net);
}

static void check_net(const char *src, uint64_t seed)
{
	check_edited(src, seed, NULL);
}

static void test_conv(void **state)
{
	(void)state;
	check_net("network n { input x [4, 13, 10] fixed<8,7>;\n"
	          " conv a : filters = 6, kernel = [3, 5], stride = [2, 1], pad = [1, 2], groups = 2, act = relu;\n"
	          " conv b : filters = 5, kernel = 1, stride = 3, out = fixed<6,2>, round = floor;\n"
	          " conv c (x) : filters = 4, kernel = 4, groups = 4, pad = 3, act = relu6, out = fixed<8,5>;\n"
	          " conv d (x) : filters = 3, kernel = 3, weight = fixed<4,-1>, out = fixed<5,-3>, bias = fixed<3,2>; }\n",
	          11);
}

static void test_conv_wide(void **state)
{
	(void)state;
	/* 28-bit operands: 54-bit products, summed in int64, not in double */
	check_net("network n { input x [3, 9, 9] fixed<28,20>;\n"
	          " conv a : filters = 4, kernel = 3, pad = 1, weight = fixed<28,27>, out = fixed<20,8>;\n"
	          " fc f : units = 7, weight = fixed<30,29>, out = fixed<24,8>, bias = none; }\n", 12);
}

static void test_fc_threads(void **state)
{
	(void)state;
	/* big enough to be split over threads */
	check_net("network n { input x [64, 16, 16] fixed<8,7>;\n"
	          " conv a : filters = 32, kernel = 3, pad = 1, act = relu;\n"
	          " fc f : units = 33, weight = fixed<16,15>, out = fixed<12,4>; }\n", 13);
}

static void test_pools(void **state)
{
	(void)state;
	check_net("network n { input x [3, 11, 9] fixed<8,4>;\n"
	          " maxpool m : size = 3, stride = 2, pad = 1;\n"
	          " maxpool m2 (x) : size = [2, 3], stride = [1, 3], pad = [1, 2];\n"
	          " avgpool v (x) : size = 3, stride = 2;\n"
	          " avgpool w (x) : size = [2, 3], out = fixed<6,1>, round = floor;\n"
	          " avgpool g (x) : global = true, out = fixed<12,9>;\n"
	          " relu r (x); }\n", 14);
}

static void test_add(void **state)
{
	(void)state;
	check_net("network n { input x [3, 6, 5] fixed<8,7>;\n"
	          " conv a : filters = 3, kernel = 3, pad = 1, out = fixed<8,3>;\n"
	          " conv b (x) : filters = 3, kernel = 1, out = fixed<10,6>;\n"
	          " add s (a, b) : out = fixed<8,4>, act = relu6;\n"
	          " add t (s, x) : out = fixed<6,2>, round = floor; }\n", 15);
}


/* ---- the int16 convolution path: its bounds and its fallbacks ---- */

static uint64_t edit_rng = 1;

/* uniform in [lo, hi] */
static int32_t rnd(int32_t lo, int32_t hi)
{
	return (int32_t)((int64_t)lo + (int64_t)(rng_next(&edit_rng) % (uint64_t)((int64_t)hi - lo + 1)));
}

static void fill(int32_t *v, size_t n, int32_t lo, int32_t hi)
{
	for (size_t i = 0; i < n; i++)
		v[i] = rnd(lo, hi);
}

/* every weight and input near the int16 range: A*Wp just below 2^31, so a
 * chunk is a single step, widened to int64 after each */
static void edit_full_range(struct network *net, struct tensor *in)
{
	fill(in->d, (size_t)in->n * shape_elems(in->s), -32767, 32767);
	for (int i = 0; i < net->nlayers; i++)
		if (net->layers[i].kind == L_CONV)
			fill(net->layers[i].w, (size_t)net->layers[i].nw, -32767, 32767);
}

/* weights of a few thousand: chunks of a few steps */
static void edit_mid_range(struct network *net, struct tensor *in)
{
	fill(in->d, (size_t)in->n * shape_elems(in->s), -32768, 32767);
	for (int i = 0; i < net->nlayers; i++)
		if (net->layers[i].kind == L_CONV)
			fill(net->layers[i].w, (size_t)net->layers[i].nw, -5000, 5000);
}

/* -32768 in the second image and a weight pair of -32768s: A*Wp = 2^31, so
 * that image takes the other path, the first one the int16 path */
static void edit_overflowing_image(struct network *net, struct tensor *in)
{
	size_t per = (size_t)shape_elems(in->s);
	fill(in->d, 2 * per, -30000, 30000);
	in->d[per + 5] = -32768;
	struct layer *l = &net->layers[0];
	fill(l->w, (size_t)l->nw, -32767, 32767);
	l->w[0] = l->w[l->kh * l->kw] = -32768;      /* channels 0 and 1, same tap */
}

static void test_conv_int16_chunks(void **state)
{
	(void)state;
	const char *src = "network n { input x [24, 9, 11] fixed<16,10>;\n"
	                  " conv a : filters = 9, kernel = 3, pad = 1, weight = fixed<16,14>, out = fixed<16,6>;\n"
	                  " conv b (x) : filters = 6, kernel = [3, 2], stride = [2, 1], pad = [1, 0], groups = 3,"
	                  " weight = fixed<16,14>, out = fixed<12,2>, act = relu; }\n";
	check_edited(src, 21, edit_full_range);
	check_edited(src, 22, edit_mid_range);
}

static void test_conv_int16_fallbacks(void **state)
{
	(void)state;
	check_edited("network n { input x [5, 7, 6] fixed<16,8>;\n"
	             " conv a : filters = 5, kernel = 3, pad = 1, weight = fixed<16,15>, out = fixed<16,4>; }\n",
	             23, edit_overflowing_image);
	/* 20-bit weights: not int16, the whole layer takes the other path */
	check_net("network n { input x [6, 8, 8] fixed<16,14>;\n"
	          " conv a : filters = 4, kernel = 3, weight = fixed<20,19>, out = fixed<16,8>; }\n", 24);
}

/* small values in wide formats: the int16 path, but an accumulator over 62
 * bits (or s <= 0) requantized by fx_requant, not in int64 */
static void edit_small_values(struct network *net, struct tensor *in)
{
	fill(in->d, (size_t)in->n * shape_elems(in->s), -3000, 3000);
	for (int i = 0; i < net->nlayers; i++)
		if (net->layers[i].kind == L_CONV)
			fill(net->layers[i].w, (size_t)net->layers[i].nw, -3000, 3000);
}

static void test_conv_int16_wide_formats(void **state)
{
	(void)state;
	check_edited("network n { input x [3, 6, 6] fixed<30,20>;\n"
	             " conv a : filters = 5, kernel = 3, pad = 1, weight = fixed<29,16>, out = fixed<32,20>;\n"
	             " conv b (x) : filters = 3, kernel = 3, weight = fixed<12,6>, out = fixed<32,30>, bias = none; }\n",
	             25, edit_small_values);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conv),
		cmocka_unit_test(test_conv_wide),
		cmocka_unit_test(test_fc_threads),
		cmocka_unit_test(test_pools),
		cmocka_unit_test(test_add),
		cmocka_unit_test(test_conv_int16_chunks),
		cmocka_unit_test(test_conv_int16_fallbacks),
		cmocka_unit_test(test_conv_int16_wide_formats),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
