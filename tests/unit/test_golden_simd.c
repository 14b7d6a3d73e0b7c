/* test_golden_simd.c: the golden model's vector kernels (golden_simd.c) at
 * every instruction set this CPU has, against plain loops: the int16 tile
 * with chunks down to one step, its requantization, the fc dot product; and
 * the vectorized pseudo-random weights against the splitmix64 stream they
 * must equal. Skipped where the CPU has no AVX2. */
#include "unit.h"
#include "golden_simd.h"

__extension__ typedef unsigned __int128 u128;

static uint64_t rng = 99;

static int32_t rnd(int32_t lo, int32_t hi)
{
	return (int32_t)((int64_t)lo + (int64_t)(rng_next(&rng) % (uint64_t)((int64_t)hi - lo + 1)));
}

/* One tile at one level: x pairs and weight pairs drawn in [-r, r], with the
 * largest chunk the bound allows (or the one given), against int64 sums. */
static void check_tile(int level, int steps, int32_t r, int chunk)
{
	int npos = 64, span = 40;
	size_t nx = (size_t)steps * span + npos + SIMD_I16_TILE;
	int16_t *x = malloc(nx * 2 * sizeof *x), *w = malloc((size_t)steps * 8 * sizeof *w);
	int32_t *off = malloc((size_t)steps * sizeof *off);
	for (size_t i = 0; i < nx * 2; i++)
		x[i] = (int16_t)rnd(-r, r);
	for (int i = 0; i < steps * 8; i++)
		w[i] = (int16_t)rnd(-r, r);
	for (int s = 0; s < steps; s++)
		off[s] = s * span + rnd(0, span - 1);
	if (!chunk)
		chunk = (int)(INT32_MAX / ((int64_t)r * 2 * r));
	assert_true(chunk >= 1);
	struct simd_i16 k = {(const int32_t *)x, (const int32_t *)w, off, steps, chunk, level};
	int64_t acc[4][SIMD_I16_TILE];
	for (size_t pos = 0; pos < (size_t)npos; pos += 7) {
		simd_i16_tile(&k, 0, pos, acc);
		for (int j = 0; j < 4; j++)
			for (int i = 0; i < SIMD_I16_TILE; i++) {
				int64_t want = 0;
				for (int s = 0; s < steps; s++) {
					const int16_t *xp = x + 2 * (pos + (size_t)off[s] + (size_t)i);
					const int16_t *wp = w + (s * 4 + j) * 2;
					want += (int64_t)xp[0] * wp[0] + (int64_t)xp[1] * wp[1];
				}
				if (acc[j][i] != want)
					fail_msg("level %d steps %d chunk %d pos %zu: [%d][%d] %lld, expected %lld",
					         level, steps, chunk, pos, j, i, (long long)acc[j][i], (long long)want);
			}
	}
	free(x);
	free(w);
	free(off);
}

static void test_tile(void **state)
{
	(void)state;
	if (simd_level() < SIMD_AVX2)
		skip();
	for (int level = SIMD_AVX2; level <= simd_level(); level++) {
		check_tile(level, 1, 32767, 0);
		check_tile(level, 37, 32767, 0);     /* A*Wp = 2^31 - 2^17: chunks of one step */
		check_tile(level, 37, 32767, 1);
		check_tile(level, 200, 3000, 0);     /* chunks of 119, the last one short */
		check_tile(level, 200, 3000, 7);
		check_tile(level, 50, 100, 0);       /* one chunk */
	}
}

static void test_finish(void **state)
{
	(void)state;
	if (simd_level() < SIMD_AVX2)
		skip();
	int shifts[] = {0, 1, 5, 17, 31, 40, 62};
	for (int si = 0; si < 7; si++) {
		int s = shifts[si];
		int64_t lo = -rnd(0, 1 << 20), hi = rnd(0, 1 << 20);
		int64_t acc[4][SIMD_I16_TILE], add[4];
		int32_t y[4][SIMD_I16_TILE];
		for (int j = 0; j < 4; j++) {
			add[j] = (int64_t)rnd(-1000, 1000) * ((int64_t)1 << (s < 40 ? s : 40));
			for (int i = 0; i < SIMD_I16_TILE; i++)
				acc[j][i] = ((int64_t)rnd(INT32_MIN, INT32_MAX) * (1 << 28) + rnd(INT32_MIN, INT32_MAX)) /
				            ((int64_t)1 << (i % 40));
		}
		simd_i16_finish(acc, add, s, lo, hi, y);
		for (int j = 0; j < 4; j++)
			for (int i = 0; i < SIMD_I16_TILE; i++) {
				i128 v = (i128)acc[j][i] + add[j];
				i128 q = v >= 0 ? v >> s : -((-v + ((i128)1 << s) - 1) >> s);   /* floor */
				int64_t want = q < lo ? lo : q > hi ? hi : (int64_t)q;
				if (y[j][i] != want)
					fail_msg("s %d: %lld -> %d, expected %lld", s, (long long)acc[j][i], y[j][i],
					         (long long)want);
			}
	}
}

static void test_dot(void **state)
{
	(void)state;
	if (simd_level() < SIMD_AVX2)
		skip();
	int64_t n = 1000;
	int32_t *w = malloc((size_t)n * sizeof *w), *x = malloc((size_t)n * sizeof *x);
	for (int range = 0; range < 3; range++)
		for (int64_t len = 0; len < n; len += 1 + len / 3) {
			i128 want = 0;
			for (int64_t i = 0; i < len; i++) {
				w[i] = range == 0 ? rnd(-100, 100) : range == 1 ? rnd(-32768, 32767) : rnd(INT32_MIN, INT32_MAX);
				x[i] = range == 2 ? INT32_MIN : rnd(INT32_MIN, INT32_MAX);
				want += (i128)w[i] * x[i];
			}
			uint64_t got = simd_dot_i32(w, x, len);
			assert_true(got == (uint64_t)want);    /* modulo 2^64 */
		}
	free(w);
	free(x);
}

/* weight i of a uniform layer is ((z * (2m+1)) >> 64) - m for the splitmix64
 * draw z at state seed + (i+1)*gamma; m is the largest |weight| (drawn
 * with certainty in a layer this large) */
static void check_stream(const struct layer *l, uint64_t seed, bool clamped)
{
	int64_t m = 0;
	for (int64_t i = 0; i < l->nw; i++)
		m = llabs(l->w[i]) > m ? llabs(l->w[i]) : m;
	uint64_t s = seed;
	for (int64_t i = 0; i < l->nw; i++) {
		uint64_t z = rng_next(&s);
		int64_t want = clamped ? (z & 1 ? m : -m)
		                       : (int64_t)(((u128)z * (uint64_t)(2 * m + 1)) >> 64) - m;
		if (l->w[i] != want)
			fail_msg("%s: weight %lld is %d, expected %lld", l->name, (long long)i, l->w[i],
			         (long long)want);
	}
}

static void test_weight_stream(void **state)
{
	(void)state;
	/* b: 2.4M weights, over threads; a: clamped to +-wmax (tiny fan-in, 16-bit out) */
	struct network *net = net_src("network n { input x [1, 24, 24] fixed<16,14>;\n"
	                              " conv a : filters = 3000, kernel = 1, weight = fixed<6,5>, out = fixed<16,2>;\n"
	                              " fc b (x) : units = 4133, weight = fixed<16,15>; }\n");
	assert_non_null(net);
	struct weight_opts wo = {.seed = 5};
	assert_int_equal(load_weights(net, &wo), 0);
	/* layer i's seed, as weights.c derives it */
	for (int i = 0; i < 2; i++)
		check_stream(&net->layers[i], wo.seed * 0x100000001b3ull + (uint64_t)i * 0x9e3779b97f4a7c15ull,
		             i == 0);
	assert_int_equal(llabs(net->layers[0].w[0]), 31);
	free_weights(net);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tile),
		cmocka_unit_test(test_finish),
		cmocka_unit_test(test_dot),
		cmocka_unit_test(test_weight_stream),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
