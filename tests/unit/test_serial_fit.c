/* test_serial_fit.c: --bram-kbits. The serial lowering must keep the
 * engine's buffers within the cap it is given, change nothing when the cap
 * is loose, trade cycles for bits (never fewer estimated cycles than with
 * the largest buffers) and refuse a cap below what the tiles need. */
#include "unit.h"
#include "emit.h"
#include "serial/lower.h"

static struct network *load(const char *path)
{
	struct network *net = net_file(path);
	assert_non_null(net);
	return net;
}

static int64_t total_est(const struct serial *s)
{
	int64_t e = 0;
	for (int k = 0; k < s->ndesc; k++)
		e += s->desc[k].est;
	return e;
}

static int64_t bits(const struct serial *s)
{
	return serial_buffer_bits(s, s->ibd, s->wbd, s->abd, s->obd) +
	       serial_scratch_bits(s, s->sdepth);
}

/* caps from the free engine's bits down to failure, halving */
static void sweep(const char *path, int tm, int tn, int mw)
{
	struct network *net = load(path);
	struct compile_opts o = {.mode = MODE_SERIAL, .tm = tm, .tn = tn, .mem_width = mw, .batch = 1};
	struct serial free_s, s;
	assert_int_equal(serial_lower(&free_s, net, &o, NULL), 0);
	int64_t free_bits = bits(&free_s), free_est = total_est(&free_s);

	/* a cap at the free engine's size changes nothing */
	o.bram_kbits = (free_bits + 1023) / 1024;
	assert_int_equal(serial_lower(&s, net, &o, NULL), 0);
	assert_int_equal(bits(&s), free_bits);
	assert_int_equal(total_est(&s), free_est);

	int fitted = 0;
	for (int64_t k = o.bram_kbits - 1; k > 0; k = k * 3 / 4) {
		o.bram_kbits = k;
		int errs = error_count();
		if (serial_lower(&s, net, &o, NULL) != 0) {
			/* refused with one message, not a tile error per layer */
			assert_int_equal(error_count(), errs + 1);
			break;
		}
		assert_int_equal(error_count(), errs);
		assert_true(bits(&s) <= k * 1024);
		assert_true(bits(&s) < free_bits);
		assert_true(total_est(&s) >= free_est);
		fitted++;
	}
	if (fitted == 0)
		fail_msg("%s: no cap below the free engine's %lld bits fits", path, (long long)free_bits);
}

static void test_lenet5(void **state)
{
	(void)state;
	sweep("examples/lenet5.nn", 8, 8, 64);
}

static void test_cifar(void **state)
{
	(void)state;
	sweep("examples/cifar.nn", 16, 16, 128);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lenet5),
		cmocka_unit_test(test_cifar),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
