/* test_engine.c: an engine's spec (serial/spec.c) and a program for it
 * (serial/program.c), read back by an independent decoder of
 * docs/DESIGN.md §10.3 written here; the JSON reader (json.c). */
#include "unit.h"
#include "emit.h"
#include "json.h"
#include "serial/program.h"

#include <stdio.h>

static uint64_t le(const uint8_t *p, int n)
{
	uint64_t v = 0;
	for (int k = n - 1; k >= 0; k--)
		v = v << 8 | p[k];
	return v;
}

/* bits [at, at + w) of a record, bit i in byte i/8, bit i%8 */
static uint64_t bits(const uint8_t *rec, int at, int w)
{
	uint64_t v = 0;
	for (int k = 0; k < w; k++)
		v |= (uint64_t)((rec[(at + k) / 8] >> ((at + k) % 8)) & 1) << k;
	return v;
}

static struct compile_opts opts(int tm, int tn, int mw, int64_t kbits)
{
	struct compile_opts o = {0};
	o.tm = tm;
	o.tn = tn;
	o.mem_width = mw;
	o.bram_kbits = kbits;
	o.batch = 1;
	return o;
}

static const char *write_spec(const struct serial *s)
{
	static char path[] = "/tmp/nnc_engine_XXXXXX";
	strcpy(path, "/tmp/nnc_engine_XXXXXX");
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");
	serial_spec_write(f, s, "e");
	fclose(f);
	return xstrdup(path);
}

/* the spec survives its file; its hash is its values' */
static void test_spec_round_trip(void **state)
{
	(void)state;
	struct compile_opts o = opts(16, 12, 128, 3000);
	struct serial a, b;
	assert_int_equal(serial_spec_build(&a, &o, 16), 0);
	assert_true(serial_buffer_bits(&a, a.ibd, a.wbd, a.abd, a.obd) +
	            serial_scratch_bits(&a, a.sdepth) <= 3000 * 1024);
	assert_int_equal(a.acc_w, 48);
	assert_int_equal(a.ob, 32 - 4);
	const char *p = write_spec(&a);
	assert_int_equal(serial_spec_read(&b, p), 0);
	assert_int_equal(a.hash, b.hash);
	assert_int_equal(b.ibd, a.ibd);
	assert_int_equal(b.sdepth, a.sdepth);
	/* another engine, another hash */
	struct compile_opts o2 = opts(16, 12, 64, 3000);
	struct serial c;
	assert_int_equal(serial_spec_build(&c, &o2, 16), 0);
	assert_int_not_equal(c.hash, a.hash);
	unlink(p);
}

/* a program's header and records, decoded by this file's reading of §10.3
 * and §8 against the lowering's own descriptors */
static void test_program(void **state)
{
	(void)state;
	struct network *net = net_file("tests/nets/residual.nn");
	assert_non_null(net);
	assert_int_equal(load_weights(net, &(struct weight_opts){.seed = 3}), 0);
	struct compile_opts o = opts(8, 8, 64, 0);
	struct serial spec, s;
	assert_int_equal(serial_spec_build(&spec, &o, 16), 0);
	spec.spec_file = "test";
	assert_int_equal(serial_lower(&s, net, &o, &spec), 0);
	size_t len;
	uint8_t *p = serial_program(&s, &len);
	int rb = serial_recw(&s) * s.mw / 8;
	assert_int_equal(len, 128 + (size_t)s.ndesc * (size_t)rb);
	assert_int_equal(le(p, 4), 0x50434E4E);
	assert_int_equal(le(p + 4, 2), 1);
	assert_int_equal(le(p + 6, 2), (uint64_t)s.ndesc);
	assert_int_equal(le(p + 8, 4), spec.hash);
	assert_int_equal(le(p + 12, 4), (uint64_t)rb);
	const struct stensor *in = &s.tens[s.in_tensor];
	assert_int_equal(le(p + 56, 2), (uint64_t)in->s.c);
	assert_int_equal(le(p + 60, 2), (uint64_t)in->s.w);
	assert_int_equal(le(p + 56 + 16, 8), (uint64_t)in->plane);
	/* every field of every record, at the offsets its table gives */
	for (int k = 0; k < s.ndesc; k++) {
		const struct sdesc *d = &s.desc[k];
		const uint8_t *rec = p + 128 + (size_t)k * (size_t)rb;
		int at = 0;
#define X(nm, width, sgn, v, what)                                                       \
		{                                                                        \
			int w = serial_field_bits(&s, width);                            \
			uint64_t want = (uint64_t)(int64_t)(v);                          \
			if (w < 64)                                                      \
				want &= ((uint64_t)1 << w) - 1;                          \
			assert_int_equal(bits(rec, at, w), want);                        \
			at += w;                                                         \
		}
		DESC_FIELDS(X)
#undef X
		assert_int_equal(at, serial_dbits(&s));
		/* addresses carry their region in the top three bits */
		assert_int_equal(d->wbase >> s.ob, 0);
		if (d->op == SOP_MAC && k == 0)
			assert_int_equal(d->in_a >> s.ob, 2);
	}
	assert_int_equal(s.desc[s.ndesc - 1].out >> s.ob, 3);
	free_weights(net);
}

static void test_json(void **state)
{
	(void)state;
	char path[] = "/tmp/nnc_json_XXXXXX";
	int fd = mkstemp(path);
	const char *t = "{\"a\": [1, -2.5e1, true, null], \"s\": \"x\\u00e9\\ud83d\\ude00\\n\",\n"
	                " \"n\": {\"k\": 9007199254740993}}";
	assert_int_equal(write(fd, t, strlen(t)), (ssize_t)strlen(t));
	close(fd);
	struct json *j = json_read(path);
	assert_non_null(j);
	const struct json *a = json_get(j, "a");
	assert_int_equal(a->n, 4);
	assert_true(a->items[0]->integer && a->items[0]->i == 1);
	assert_true(!a->items[1]->integer && a->items[1]->num == -25.0);
	assert_int_equal(a->items[2]->kind, J_BOOL);
	assert_string_equal(json_get(j, "s")->str, "x\xc3\xa9\xf0\x9f\x98\x80\n");
	int64_t v;
	assert_int_equal(json_int(json_get(j, "n"), "k", 0, INT64_MAX, &v), 0);
	assert_int_equal(v, 9007199254740993LL);
	/* every malformed text is a located error */
	static const char *const bad[] = {"{", "[1,]", "{\"a\" 1}", "01", "\"\\ud800\"", "[1] 2",
	                                  "\"a\x01\"", "-", "1e", "{\"a\":}", "tru", ""};
	for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
		FILE *f = fopen(path, "w");
		fputs(bad[k], f);
		fclose(f);
		int before = error_count();
		assert_null(json_read(path));
		assert_int_equal(error_count(), before + 1);
	}
	unlink(path);
}

int main(void)
{
	verbosity = -1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spec_round_trip),
		cmocka_unit_test(test_program),
		cmocka_unit_test(test_json),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
