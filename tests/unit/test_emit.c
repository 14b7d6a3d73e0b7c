/* test_emit.c: the $readmemh writers against a plain reference: every width
 * from 2 to 64 bits, one value to many per word, edge values. */
#include "unit.h"
#include "emit.h"

/* The reference: pack the word into one big number, print it nibble by
 * nibble from the top. */
static void ref_word(char *out, const int64_t *vals, int n, int bits)
{
	int total = n * bits, digits = (total + 3) / 4;
	for (int d = 0; d < digits; d++) {
		int nib = 0;
		for (int j = 0; j < 4; j++) {
			int bit = 4 * d + j;
			if (bit >= total)
				continue;
			uint64_t x = (uint64_t)vals[bit / bits];
			nib |= (int)((x >> (bit % bits)) & 1) << j;
		}
		out[digits - 1 - d] = "0123456789abcdef"[nib];
	}
	out[digits] = '\n';
}

static int64_t edge(uint64_t *s, int bits)
{
	int64_t lo = bits >= 64 ? INT64_MIN : -((int64_t)1 << (bits - 1));
	int64_t hi = bits >= 64 ? INT64_MAX : ((int64_t)1 << (bits - 1)) - 1;
	switch (rng_next(s) % 5) {
	case 0: return lo;
	case 1: return hi;
	case 2: return -1;
	case 3: return 0;
	default: return (int64_t)rng_next(s) % (hi / 2 + 1) * (rng_next(s) & 1 ? 1 : -1);
	}
}

static void test_formats_match_reference(void **state)
{
	(void)state;
	uint64_t s = 12345;
	enum { WORDS = 7, MAXN = 41 };
	int64_t vals[WORDS * MAXN];
	char got[WORDS * (MAXN * 64 / 4 + 2)], want[sizeof got];
	for (int bits = 2; bits <= 64; bits++)
		for (int n = 1; n <= MAXN; n += n < 10 ? 1 : 7) {
			for (int i = 0; i < WORDS * n; i++)
				vals[i] = edge(&s, bits);
			int64_t len = hex_line_len(n, bits);
			assert_int_equal(len, (n * bits + 3) / 4 + 1);
			for (int w = 0; w < WORDS; w++)
				ref_word(want + w * len, vals + w * n, n, bits);
			char *end = hex_format_words(got, vals, WORDS, n, bits);
			assert_int_equal(end - got, WORDS * len);
			assert_memory_equal(got, want, (size_t)(WORDS * len));
		}
}

static void test_emit_hex_word_file(void **state)
{
	(void)state;
	/* a word longer than emit_hex_word's line buffer, and a short one */
	enum { N = 1100 };
	int64_t vals[N];
	for (int i = 0; i < N; i++)
		vals[i] = i * 7 - 3000;
	char *want = malloc(N * 4 + 2);
	FILE *f = tmpfile();
	assert_non_null(f);
	emit_hex_word(f, vals, N, 16);
	emit_hex_word(f, vals, 3, 6);
	long size = ftell(f);
	assert_int_equal(size, N * 4 + 1 + 5 + 1);
	char *got = malloc((size_t)size);
	rewind(f);
	assert_int_equal(fread(got, 1, (size_t)size, f), (size_t)size);
	ref_word(want, vals, N, 16);
	assert_memory_equal(got, want, N * 4 + 1);
	ref_word(want, vals, 3, 6);
	assert_memory_equal(got + N * 4 + 1, want, 6);
	/* -3000, -2993, -2986 in 6 bits: 0x08, 0x0f, 0x16, value 0 lowest */
	assert_memory_equal(want, "163c8\n", 6);
	fclose(f);
	free(got);
	free(want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_formats_match_reference),
		cmocka_unit_test(test_emit_hex_word_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
