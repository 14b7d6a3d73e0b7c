/* test_serial_fuse.c: layer fusion's bands (compiler/serial/fuse.c). For every band
 * size, replay the descriptors against a model of the scratch ring: each
 * row of the first conv's output is computed once, before the band that
 * reads it, into the ring row the second conv's band then reads it from,
 * and not overwritten before; the second conv's bands write every row of
 * its output once; first rows are -ph or inside the map. Then the
 * estimates: fusion must take VGG16's conv1_1 (memory-bound: its output
 * is 6.4 MB) off the bus and leave it faster. */
#include "unit.h"
#include "emit.h"
#include "serial/lower.h"

#include <stdlib.h>

static struct network *load(const char *path)
{
	struct network *net = net_file(path);
	assert_non_null(net);
	return net;
}

/* The pairs of s: check each; returns how many bands it saw. */
static int check_bands(const struct serial *s)
{
	int bands = 0;
	for (int k = 0; k < s->ndesc; k++) {
		const struct sdesc *a = &s->desc[k];
		if (!a->osc)
			continue;
		/* a pair's descriptors: A_1 B_1 A_2 B_2 ..., a band without
		 * rows of A of its own has no A_i */
		const struct sdesc *b0 = &s->desc[k + 1];
		assert_true(b0->isc);
		const struct stensor *ta = &s->tens[a->tout], *tb = &s->tens[b0->tout];
		int rows_a = ta->fh, wpw = a->wpwo, rr = a->srw / wpw, poh_b = tb->fh;
		assert_int_equal(a->srw % wpw, 0);
		int *slot = malloc((size_t)rr * sizeof *slot);
		char *done_a = calloc((size_t)rows_a, 1), *done_b = calloc((size_t)poh_b, 1);
		for (int j = 0; j < rr; j++)
			slot[j] = -1;
		int band = 0;
		for (; k < s->ndesc && ((s->desc[k].osc && s->desc[k].layer == a->layer) ||
		                        (s->desc[k].isc && s->desc[k].layer == b0->layer)); k++) {
			const struct sdesc *d = &s->desc[k];
			if (d->osc) {
				/* A_i: rows [sa, sa + poh) of A's output into the ring */
				assert_int_equal(d->band, band + 1);
				assert_true(d->iys == -d->ph || d->iys >= 0);
				int sa = d->iys < 0 ? 0 : (d->iys + d->ph) / d->sh;
				if (d->iys >= 0)
					assert_int_equal(sa * d->sh - d->ph, d->iys);
				int64_t at = d->out - s->sbase;
				assert_int_equal(at % wpw, 0);
				assert_int_equal(at / wpw, sa % rr);
				assert_int_equal(d->plane_o, (int64_t)1 << s->sk);
				assert_int_equal(d->srw, a->srw);
				for (int y = sa; y < sa + d->poh; y++) {
					assert_true(y < rows_a);
					assert_false(done_a[y]);       /* computed once */
					done_a[y] = 1;
					slot[y % rr] = y;
				}
				continue;
			}
			/* B_i: pooled rows [p0, p0 + poh) of B's output, its input
			 * the view rows [0, h) from ring row (in - sbase) / wpw */
			band++;
			bands++;
			assert_int_equal(d->band, band);
			assert_int_equal(d->srw, a->srw);
			assert_int_equal(d->plane_i, (int64_t)1 << s->sk);
			int64_t ob = d->out - tb->base;
			assert_int_equal(ob % d->wpwo, 0);
			int p0 = (int)(ob / d->wpwo);
			for (int p = p0; p < p0 + d->poh; p++) {
				assert_true(p < poh_b);
				assert_false(done_b[p]);
				done_b[p] = 1;
			}
			assert_true(d->iys == -d->ph || d->iys >= 0);
			int64_t vi = d->in_a - s->sbase;
			assert_int_equal(vi % wpw, 0);
			int r0 = (int)(vi / wpw);
			assert_true(r0 < rr && d->h <= rr);
			/* the view row that B's conv row c reads at kernel row ky is
			 * iys + (c - c0)*sh + ky; the map row is c*sh - ph + ky */
			int c0 = p0 * d->pk, rows = d->poh * d->pk;
			for (int c = c0; c < c0 + rows; c++)
				for (int ky = 0; ky < d->kho; ky++) {
					int v = d->iys + (c - c0) * d->sh + ky;
					int y = c * d->sh - d->ph + ky;
					if (y < 0 || y >= rows_a) {
						/* padding: outside the view too */
						assert_true(v < 0 || v >= d->h);
						continue;
					}
					assert_true(v >= 0 && v < d->h);
					assert_int_equal(slot[(r0 + v) % rr], y);
				}
		}
		for (int p = 0; p < poh_b; p++)
			assert_true(done_b[p]);
		free(slot);
		free(done_a);
		free(done_b);
		k--;
	}
	return bands;
}

static void test_bands(void **state)
{
	(void)state;
	struct network *net = load("tests/nets/serial_fuse.nn");
	static const int pe[][3] = {{4, 4, 64}, {3, 5, 32}, {8, 12, 128}, {2, 6, 16}};
	for (int q = 0; q < 4; q++)
		for (int band = 1; band <= 7; band++) {
			struct compile_opts o = {.mode = MODE_SERIAL, .tm = pe[q][0], .tn = pe[q][1],
			                         .mem_width = pe[q][2], .batch = 1, .fuse_band = band};
			struct serial s;
			assert_int_equal(serial_lower(&s, net, &o, NULL), 0);
			int n = check_bands(&s);
			/* c1/c2 has 6 pooled rows, c3/c4 3 rows, c5/c6 3 rows */
			int want = (6 + band - 1) / band + 2 * ((3 + band - 1) / band);
			assert_int_equal(n, want);
		}
}

/* Two fused pairs whose rings differ: every band addresses the scratch's
 * final channel planes (the first pair's had kept its own, smaller). */
static void test_two_pairs(void **state)
{
	(void)state;
	struct network *net = load("tests/nets/serial_fuse2.nn");
	for (int band = 0; band <= 2; band++) {
		struct compile_opts o = {.mode = MODE_SERIAL, .tm = 4, .tn = 4, .mem_width = 32,
		                         .batch = 1, .fuse = FUSE_ALL, .fuse_band = band};
		struct serial s;
		assert_int_equal(serial_lower(&s, net, &o, NULL), 0);
		assert_true(check_bands(&s) >= 2);
		int pairs = 0;
		for (int k = 0; k + 1 < s.ndesc; k++)
			pairs += s.desc[k].osc && s.desc[k].band == 1;
		assert_int_equal(pairs, 2);
	}
}

/* --fuse none: no scratch, no band; the default fuses cifar's and VGG16's
 * memory-bound first pair, and VGG16's conv1_1 is estimated faster. */
static void test_policy(void **state)
{
	(void)state;
	struct network *net = load("examples/vgg16.nn");
	struct compile_opts o = {.mode = MODE_SERIAL, .tm = 32, .tn = 24, .mem_width = 256,
	                         .batch = 1, .fuse = FUSE_NONE};
	struct serial s;
	assert_int_equal(serial_lower(&s, net, &o, NULL), 0);
	assert_int_equal(s.sdepth, 0);
	int64_t c11 = 0;
	for (int k = 0; k < s.ndesc; k++) {
		assert_int_equal(s.desc[k].band, 0);
		if (s.desc[k].layer == 0)
			c11 += s.desc[k].est;
	}
	o.fuse = FUSE_AUTO;
	assert_int_equal(serial_lower(&s, net, &o, NULL), 0);
	assert_true(s.sdepth > 0);
	int64_t f11 = 0;
	for (int k = 0; k < s.ndesc; k++)
		if (s.desc[k].layer == 0) {
			assert_true(s.desc[k].osc);
			f11 += s.desc[k].est;
		}
	assert_true(check_bands(&s) > 1);
	/* from write-bound (a fifth of the bus stalled) to the array's pace */
	assert_true(f11 * 10 < c11 * 9);
}

/* --bram-kbits counts the scratch: cifar at 16x16 fuses c1a and c1b (a
 * scratch of 2 banks); caps below its engine keep every bit within them,
 * shrinking the scratch (smaller bands, or no fusion) or other buffers,
 * and the bands stay right. */
static void test_cap(void **state)
{
	(void)state;
	struct network *net = load("examples/cifar.nn");
	struct compile_opts o = {.mode = MODE_SERIAL, .tm = 16, .tn = 16, .mem_width = 64,
	                         .batch = 1};
	struct serial s;
	assert_int_equal(serial_lower(&s, net, &o, NULL), 0);
	int64_t sc = serial_scratch_bits(&s, s.sdepth);
	assert_true(sc > 0);
	int64_t all = serial_buffer_bits(&s, s.ibd, s.wbd, s.abd, s.obd) + sc;
	bool shrunk = false;
	for (int64_t k = all / 1024 - 1; k > all / 4096; k = k * 7 / 8) {
		o.bram_kbits = k;
		if (serial_lower(&s, net, &o, NULL) != 0)
			break;
		int64_t sk = serial_scratch_bits(&s, s.sdepth);
		assert_true(serial_buffer_bits(&s, s.ibd, s.wbd, s.abd, s.obd) + sk <= k * 1024);
		shrunk |= sk < sc;
		check_bands(&s);
	}
	assert_true(shrunk);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bands),
		cmocka_unit_test(test_two_pairs),
		cmocka_unit_test(test_cap),
		cmocka_unit_test(test_policy),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
