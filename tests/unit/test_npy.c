/* test_npy.c: .npy round trips, files as numpy writes them, and every rejection. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "npy.h"

static char tmpdir[64];
static char err[256];

static const char *tpath(const char *name)
{
	static char buf[2][256];
	static int k;
	k ^= 1;
	snprintf(buf[k], sizeof buf[k], "%s/%s", tmpdir, name);
	return buf[k];
}

static void put(const char *name, const void *bytes, size_t n)
{
	FILE *f = fopen(tpath(name), "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(bytes, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
}

/* A file laid out as numpy lays it out: magic, version, little-endian header
 * length (2 bytes in 1.0, 4 in 2.0/3.0), the dict padded with spaces and '\n'
 * to a multiple of 64 (pad = false leaves just the '\n'), then the data. */
static size_t build(unsigned char *out, int major, const char *dict, bool pad,
                    const void *data, size_t dlen)
{
	size_t pre = major == 1 ? 10 : 12, n = strlen(dict);
	size_t total = pad ? (pre + n + 1 + 63) / 64 * 64 : pre + n + 1;
	size_t hlen = total - pre;
	memcpy(out, "\x93NUMPY", 6);
	out[6] = (unsigned char)major;
	out[7] = 0;
	for (size_t i = 0; i < pre - 8; i++)
		out[8 + i] = (unsigned char)(hlen >> (8 * i));
	memcpy(out + pre, dict, n);
	memset(out + pre + n, ' ', total - pre - n - 1);
	out[total - 1] = '\n';
	if (dlen)
		memcpy(out + total, data, dlen);
	return total + dlen;
}

static void expect_reject_file(const char *name, const char *word)
{
	struct npy a;
	err[0] = '\0';
	assert_int_equal(npy_read(tpath(name), &a, err, sizeof err), -1);
	if (!strstr(err, word))
		fail_msg("message '%s' lacks '%s'", err, word);
	assert_null(strchr(err, '\n'));
	assert_null(a.data);
}

static void expect_reject(const void *bytes, size_t n, const char *word)
{
	put("bad.npy", bytes, n);
	expect_reject_file("bad.npy", word);
}

static void expect_reject_dict(int major, const char *dict, const char *word)
{
	static unsigned char buf[1024];
	static const int32_t data[64];
	expect_reject(buf, build(buf, major, dict, true, data, 24), word);
}

static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;
	assert_non_null(d);
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n;
}

static void clear_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char p[512];
	if (!d)
		return;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
			snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
			if (unlink(p) != 0) {
				clear_dir(p);
				rmdir(p);
			}
		}
	closedir(d);
}

static int setup(void **state)
{
	(void)state;
	strcpy(tmpdir, "/tmp/test_npy.XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	clear_dir(tmpdir);
	return rmdir(tmpdir);
}

/* Fill with distinct values that use the sign and the top bits, so a wrong
 * element size or a byte swap cannot go unnoticed. */
static void *pattern(enum npy_dtype t, int64_t n)
{
	unsigned char *p = malloc((size_t)n * npy_dtype_size(t) + 1);
	for (int64_t i = 0; i < n; i++) {
		int64_t v = (i % 2 ? -1 : 1) * (i * 37 + 3);
		switch (t) {
		case NPY_F32: ((float *)p)[i] = (float)v * 0.25f; break;
		case NPY_F64: ((double *)p)[i] = (double)v * 1e-3; break;
		case NPY_I8: ((int8_t *)p)[i] = (int8_t)(i == 1 ? -128 : v % 127); break;
		case NPY_I16: ((int16_t *)p)[i] = (int16_t)(i == 1 ? INT16_MIN : v * 91); break;
		case NPY_I32: ((int32_t *)p)[i] = (int32_t)(i == 1 ? INT32_MIN : v * 100003); break;
		case NPY_I64: ((int64_t *)p)[i] = i == 1 ? INT64_MIN : v * 1000000007LL; break;
		}
	}
	return p;
}

static void roundtrip(enum npy_dtype t, int ndim, const int64_t *shape)
{
	int64_t n = 1;
	for (int i = 0; i < ndim; i++)
		n *= shape[i];
	void *data = pattern(t, n);
	struct npy a;
	assert_int_equal(npy_write(tpath("rt.npy"), t, ndim, shape, data, err, sizeof err), 0);
	if (npy_read(tpath("rt.npy"), &a, err, sizeof err) != 0)
		fail_msg("read back failed: %s", err);
	assert_int_equal(a.dtype, t);
	assert_int_equal(a.ndim, ndim);
	assert_int_equal(a.count, n);
	for (int i = 0; i < ndim; i++)
		assert_int_equal(a.shape[i], shape[i]);
	if (n > 0)
		assert_memory_equal(a.data, data, (size_t)n * npy_dtype_size(t));
	for (int64_t i = 0; i < n; i++) {
		if (t == NPY_F32)
			assert_true(npy_get_f64(&a, i) == ((float *)data)[i]);
		else if (t == NPY_F64)
			assert_true(npy_get_f64(&a, i) == ((double *)data)[i]);
		else
			assert_true(npy_get_f64(&a, i) == (double)npy_get_i64(&a, i));
	}
	struct stat st;
	assert_int_equal(stat(tpath("rt.npy"), &st), 0);
	assert_int_equal((st.st_size - n * (int64_t)npy_dtype_size(t)) % 64, 0);
	npy_free(&a);
	assert_null(a.data);
	free(data);
}

static void test_dtype_names(void **state)
{
	(void)state;
	static const char *names[] = {"float32", "float64", "int8", "int16", "int32", "int64"};
	static const size_t sizes[] = {4, 8, 1, 2, 4, 8};
	for (int t = NPY_F32; t <= NPY_I64; t++) {
		assert_string_equal(npy_dtype_name((enum npy_dtype)t), names[t]);
		assert_int_equal(npy_dtype_size((enum npy_dtype)t), sizes[t]);
	}
}

static void test_roundtrip_dtypes(void **state)
{
	(void)state;
	const int64_t shape[] = {2, 3};
	for (int t = NPY_F32; t <= NPY_I64; t++)
		roundtrip((enum npy_dtype)t, 2, shape);
}

static void test_roundtrip_0d(void **state)
{
	(void)state;
	for (int t = NPY_F32; t <= NPY_I64; t++)
		roundtrip((enum npy_dtype)t, 0, NULL);
}

static void test_roundtrip_1d_4d_8d_empty(void **state)
{
	(void)state;
	const int64_t s1[] = {7}, s4[] = {2, 3, 4, 5}, s8[] = {2, 1, 2, 1, 3, 1, 2, 2};
	const int64_t s0[] = {0, 3}, s00[] = {INT64_MAX, 0};
	for (int t = NPY_F32; t <= NPY_I64; t++) {
		roundtrip((enum npy_dtype)t, 1, s1);
		roundtrip((enum npy_dtype)t, 4, s4);
	}
	roundtrip(NPY_I16, 8, s8);
	roundtrip(NPY_F32, 2, s0);
	roundtrip(NPY_I8, 2, s00);
}

/* Byte for byte what np.save(f, np.arange(6, dtype='<i4').reshape(2, 3) - 2) writes. */
static const char numpy_i4[] =
	"\x93NUMPY\x01\x00v\x00{'descr': '<i4', 'fortran_order': False, 'shape': (2, 3), }"
	"                                                          \n"
	"\xfe\xff\xff\xff\xff\xff\xff\xff\x00\x00\x00\x00\x01\x00\x00\x00\x02\x00\x00\x00\x03\x00\x00\x00";

static void test_write_matches_numpy(void **state)
{
	(void)state;
	const int32_t v[] = {-2, -1, 0, 1, 2, 3};
	const int64_t shape[] = {2, 3};
	unsigned char buf[256];
	assert_int_equal(npy_write(tpath("w.npy"), NPY_I32, 2, shape, v, err, sizeof err), 0);
	FILE *f = fopen(tpath("w.npy"), "rb");
	assert_non_null(f);
	size_t n = fread(buf, 1, sizeof buf, f);
	fclose(f);
	assert_int_equal(n, sizeof numpy_i4 - 1);
	assert_memory_equal(buf, numpy_i4, n);

	/* The helper that builds the other fixtures makes the same bytes. */
	unsigned char b2[256];
	assert_int_equal(build(b2, 1, "{'descr': '<i4', 'fortran_order': False, 'shape': (2, 3), }",
	                       true, v, sizeof v), n);
	assert_memory_equal(b2, numpy_i4, n);

	/* 0-d and int8 headers as numpy spells them. */
	const int8_t c[5] = {0, 1, 2, 3, 4};
	const int64_t s5[] = {5};
	assert_int_equal(npy_write(tpath("w.npy"), NPY_I8, 1, s5, c, err, sizeof err), 0);
	f = fopen(tpath("w.npy"), "rb");
	n = fread(buf, 1, sizeof buf, f);
	fclose(f);
	assert_int_equal(n, 133);
	static const char i1[] = "{'descr': '|i1', 'fortran_order': False, 'shape': (5,), } ";
	assert_memory_equal(buf + 10, i1, sizeof i1 - 1);
	const float x = 3.0f;
	assert_int_equal(npy_write(tpath("w.npy"), NPY_F32, 0, NULL, &x, err, sizeof err), 0);
	f = fopen(tpath("w.npy"), "rb");
	n = fread(buf, 1, sizeof buf, f);
	fclose(f);
	assert_int_equal(n, 132);
	static const char f4[] = "\x93NUMPY\x01\x00v\x00{'descr': '<f4', 'fortran_order': False, 'shape': (), } ";
	assert_memory_equal(buf, f4, sizeof f4 - 1);
	assert_memory_equal(buf + 127, "\n\x00\x00@@", 5);
}

static void test_read_numpy_v1(void **state)
{
	(void)state;
	struct npy a;
	put("v1.npy", numpy_i4, sizeof numpy_i4 - 1);
	assert_int_equal(npy_read(tpath("v1.npy"), &a, err, sizeof err), 0);
	assert_int_equal(a.dtype, NPY_I32);
	assert_int_equal(a.ndim, 2);
	assert_int_equal(a.shape[0], 2);
	assert_int_equal(a.shape[1], 3);
	assert_int_equal(a.count, 6);
	for (int i = 0; i < 6; i++)
		assert_int_equal(npy_get_i64(&a, i), i - 2);
	npy_free(&a);
}

/* np.lib.format.write_array(f, np.array([1.5, -2.0, 3.25]), version=(2, 0)). */
static const char numpy_v2_f8[] =
	"\x93NUMPY\x02\x00t\x00\x00\x00{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }"
	"                                                          \n"
	"\x00\x00\x00\x00\x00\x00\xf8?\x00\x00\x00\x00\x00\x00\x00\xc0\x00\x00\x00\x00\x00\x00\x0a@";

static void test_read_numpy_v2_v3(void **state)
{
	(void)state;
	char b[sizeof numpy_v2_f8];
	struct npy a;
	memcpy(b, numpy_v2_f8, sizeof b);
	for (int major = 2; major <= 3; major++) {
		b[6] = (char)major;   /* 3.0 differs only in allowing a UTF-8 header */
		put("v2.npy", b, sizeof b - 1);
		if (npy_read(tpath("v2.npy"), &a, err, sizeof err) != 0)
			fail_msg("%s", err);
		assert_int_equal(a.dtype, NPY_F64);
		assert_int_equal(a.ndim, 1);
		assert_int_equal(a.shape[0], 3);
		assert_true(npy_get_f64(&a, 0) == 1.5);
		assert_true(npy_get_f64(&a, 1) == -2.0);
		assert_true(npy_get_f64(&a, 2) == 3.25);
		npy_free(&a);
	}
}

static void test_read_header_variants(void **state)
{
	(void)state;
	static const struct {
		const char *dict;
		enum npy_dtype t;
		int ndim;
		int64_t d0, d1;
	} cases[] = {
		{"{'shape': (2, 3), 'fortran_order': False, 'descr': '<i4'}", NPY_I32, 2, 2, 3},
		{"{\"descr\": \"<i2\", \"fortran_order\": False, \"shape\": (2,6,),}", NPY_I16, 2, 2, 6},
		{"{'descr':'<i1','fortran_order':False,'shape':(24,)}", NPY_I8, 1, 24, 0},
		{"{'descr': '|i1', 'fortran_order': False, 'shape': (24), }", NPY_I8, 1, 24, 0},
		{"  {\t'descr' : '<f4' ,\n'fortran_order' : False , 'shape' : ( 3 , 2 , ) , }  ", NPY_F32, 2, 3, 2},
		{"{'fortran_order': False, 'descr': '<f8', 'shape': (3,)}", NPY_F64, 1, 3, 0},
		{"{'descr': '<i8', 'fortran_order': False, 'shape': (0003,), }", NPY_I64, 1, 3, 0},
	};
	unsigned char buf[512];
	char data[24] = {1};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		for (int major = 1; major <= 3; major++)
			for (int pad = 0; pad < 2; pad++) {
				struct npy a;
				put("var.npy", buf, build(buf, major, cases[i].dict, pad, data, sizeof data));
				if (npy_read(tpath("var.npy"), &a, err, sizeof err) != 0)
					fail_msg("case %zu: %s", i, err);
				assert_int_equal(a.dtype, cases[i].t);
				assert_int_equal(a.ndim, cases[i].ndim);
				assert_int_equal(a.shape[0], cases[i].d0);
				if (a.ndim > 1)
					assert_int_equal(a.shape[1], cases[i].d1);
				assert_memory_equal(a.data, data, sizeof data);
				npy_free(&a);
			}
}

static void test_reject_open(void **state)
{
	(void)state;
	expect_reject_file("does-not-exist.npy", "No such file");
	assert_int_equal(mkdir(tpath("adir"), 0700), 0);
	expect_reject_file("adir", "error");
	rmdir(tpath("adir"));
}

static void test_reject_magic(void **state)
{
	(void)state;
	expect_reject("", 0, "not a .npy file");
	expect_reject("\x93NUM", 4, "not a .npy file");
	expect_reject("PK\x03\x04 a zip file, as np.savez writes", 36, "not a .npy file");
	expect_reject("\x93numpy\x01\x00\x10\x00", 10, "not a .npy file");
}

static void test_reject_version(void **state)
{
	(void)state;
	unsigned char b[256];
	build(b, 1, "{'descr': '<i4', 'fortran_order': False, 'shape': (), }", true, "abcd", 4);
	b[6] = 4;
	expect_reject(b, 68, "version 4.0");
	b[6] = 1;
	b[7] = 1;
	expect_reject(b, 68, "version 1.1");
	b[6] = 0;
	b[7] = 0;
	expect_reject(b, 68, "version 0.0");
}

static void test_reject_truncated_header(void **state)
{
	(void)state;
	unsigned char b[256];
	size_t n = build(b, 1, "{'descr': '<i4', 'fortran_order': False, 'shape': (), }", true, "abcd", 4);
	expect_reject(b, 6, "truncated header");
	expect_reject(b, 9, "truncated header");
	expect_reject(b, 40, "truncated header: expected 118 bytes, found 30");
	n = build(b, 2, "{'descr': '<i4', 'fortran_order': False, 'shape': (), }", true, "abcd", 4);
	expect_reject(b, 11, "truncated header");
	expect_reject(b, n - 10, "truncated header");
	b[11] = 0x7f;   /* a 2 GB header length */
	expect_reject(b, n, "header too long");
}

static void test_reject_malformed(void **state)
{
	(void)state;
	static const struct { const char *dict, *word; } cases[] = {
		{"", "expected '{'"},
		{"descr: '<i4'", "expected '{'"},
		{"{'descr': '<i4', 'fortran_order': False, 'shape': (2, 3), ", "expected a quoted key"},
		{"{'descr': '<i4', 'fortran_order': False, 'shape': (2, 3) 'x': 1}", "expected ','"},
		{"{'descr' '<i4', 'fortran_order': False, 'shape': (2, 3)}", "expected ':'"},
		{"{'descr': <i4, 'fortran_order': False, 'shape': (2, 3)}", "dtype string"},
		{"{'descr': '<i4, 'fortran_order': False, 'shape': (2, 3)}", "expected"},
		{"{'descr': '<i4', 'fortran_order': false, 'shape': (2, 3)}", "True or False"},
		{"{'descr': '<i4', 'fortran_order': Falsey, 'shape': (2, 3)}", "expected ','"},
		{"{'descr': '<i4', 'fortran_order': False, 'shape': [2, 3]}", "tuple"},
		{"{'descr': '<i4', 'fortran_order': False, 'shape': (2, 3}", "in 'shape'"},
		{"{'descr': '<i4', 'fortran_order': False, 'shape': (2,, 3)}", "a dimension"},
		{"{'descr': '<i4', 'fortran_order': False, 'shape': (,)}", "a dimension"},
		{"{'descr': '<i4', 'fortran_order': False, 'shape': (2.0, 3)}", "in 'shape'"},
		{"{'descr': '<i4', 'fortran_order': False, 'shape': (2, 3)} x", "nothing after"},
		{"{'descr': '<i4', 'fortran_order': False}", "missing key 'shape'"},
		{"{'descr': '<i4', 'shape': (2, 3)}", "missing key 'fortran_order'"},
		{"{'fortran_order': False, 'shape': (2, 3)}", "missing key 'descr'"},
		{"{'descr': '<i4', 'descr': '<i4', 'fortran_order': False, 'shape': (2, 3)}", "duplicate key 'descr'"},
		{"{'descr': '<i4', 'fortran_order': False, 'shape': (2, 3), 'extra': 1}", "unknown key 'extra'"},
		{"{'descr': '<i\\x34', 'fortran_order': False, 'shape': (2, 3)}", "dtype string"},
		{"{'descr': '<i4\x01', 'fortran_order': False, 'shape': (2, 3)}", "dtype string"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		expect_reject_dict(1, cases[i].dict, "malformed header");
		expect_reject_dict(2, cases[i].dict, cases[i].word);
	}
	/* A NUL inside the header is not whitespace. */
	unsigned char b[256];
	size_t n = build(b, 1, "{'descr': '<i4', 'fortran_order': False, 'shape': (), }", true, "abcd", 4);
	b[20] = 0;
	expect_reject(b, n, "malformed header");
}

static void test_reject_dtypes(void **state)
{
	(void)state;
	static const char *descrs[] = {"<u2", "|u1", "<f2", "<c8", "|b1", "|O", "<U3", ">f4", ">i8", "=i4", "i4", ""};
	char dict[128];
	for (size_t i = 0; i < sizeof descrs / sizeof descrs[0]; i++) {
		snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, 'shape': (2, 3), }", descrs[i]);
		char want[32];
		snprintf(want, sizeof want, "unsupported dtype '%s'", descrs[i]);
		expect_reject_dict(1, dict, want);
	}
	expect_reject_dict(1, "{'descr': '>i4', 'fortran_order': False, 'shape': (2, 3), }",
	                   "unsupported dtype '>i4' (nnc reads float32/float64/int8/int16/int32/int64, little endian)");
	expect_reject_dict(1, "{'descr': [('a', '<i4'), ('b', '<f8')], 'fortran_order': False, 'shape': (2,), }",
	                   "structured");
}

static void test_reject_fortran(void **state)
{
	(void)state;
	expect_reject_dict(1, "{'descr': '<i4', 'fortran_order': True, 'shape': (2, 3), }", "fortran");
}

static void test_reject_shapes(void **state)
{
	(void)state;
	expect_reject_dict(1, "{'descr': '<i4', 'fortran_order': False, 'shape': (1, 1, 1, 1, 1, 1, 1, 1, 6), }",
	                   "more than 8 dimensions");
	expect_reject_dict(1, "{'descr': '<i4', 'fortran_order': False, 'shape': (2, -3), }",
	                   "negative dimension -3");
	expect_reject_dict(1, "{'descr': '<i4', 'fortran_order': False, 'shape': (-3,), }", "negative");
	expect_reject_dict(1, "{'descr': '<i4', 'fortran_order': False, 'shape': (4294967296, 4294967296), }",
	                   "shape (4294967296, 4294967296) is too large");
	expect_reject_dict(1, "{'descr': '<i8', 'fortran_order': False, 'shape': (2305843009213693952,), }",
	                   "too large");   /* 2^61 elements fit int64, 2^64 bytes do not */
	expect_reject_dict(1, "{'descr': '<i4', 'fortran_order': False, 'shape': (99999999999999999999,), }",
	                   "too large");
	expect_reject_dict(1, "{'descr': '<i4', 'fortran_order': False, 'shape': (9223372036854775807,), }",
	                   "too large");
	/* A shape that fits but claims far more than the file holds. */
	expect_reject_dict(1, "{'descr': '<i4', 'fortran_order': False, 'shape': (1000000000, 1000000), }",
	                   "truncated data");
}

static void test_reject_data_size(void **state)
{
	(void)state;
	unsigned char b[256];
	const char *d = "{'descr': '<i4', 'fortran_order': False, 'shape': (2, 3), }";
	size_t n = build(b, 1, d, true, "0123456789abcdefghijklmnopqrstuvwxyz", 28);
	expect_reject(b, n - 8, "truncated data: expected 24 bytes, found 20");
	expect_reject(b, n - 28, "truncated data: expected 24 bytes, found 0");
	expect_reject(b, n, "header shape (2, 3) disagrees with data size");
	n = build(b, 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (), }", true, "01234567x", 9);
	expect_reject(b, n, "header shape () disagrees with data size: expected 8 bytes, found 9");
	n = build(b, 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }", true, "01234567", 8);
	expect_reject(b, n, "expected 24 bytes, found 8");
}

static void test_write_missing_dir(void **state)
{
	(void)state;
	const int32_t v[] = {1, 2, 3};
	const int64_t s[] = {3};
	err[0] = '\0';
	assert_int_equal(npy_write(tpath("no/such/dir/out.npy"), NPY_I32, 1, s, v, err, sizeof err), -1);
	assert_non_null(strstr(err, "No such file"));
	assert_null(strchr(err, '\n'));
	struct stat st;
	assert_int_equal(stat(tpath("no"), &st), -1);
}

static void test_write_leaves_nothing(void **state)
{
	(void)state;
	char sub[256];
	snprintf(sub, sizeof sub, "%s", tpath("sub"));
	assert_int_equal(mkdir(sub, 0700), 0);
	char out[300];
	snprintf(out, sizeof out, "%s/out.npy", sub);
	const int64_t v[] = {5, 6, 7, 8};
	const int64_t s[] = {2, 2}, neg[] = {2, -2}, big[] = {INT64_MAX, 2}, neg0[] = {-1, 0};
	int64_t nine[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1};

	assert_int_equal(npy_write(out, NPY_I64, 9, nine, v, err, sizeof err), -1);
	assert_non_null(strstr(err, "dimensions"));
	assert_int_equal(npy_write(out, NPY_I64, 2, neg, v, err, sizeof err), -1);
	assert_non_null(strstr(err, "(2, -2)"));
	assert_int_equal(npy_write(out, NPY_I64, 2, big, v, err, sizeof err), -1);
	assert_int_equal(npy_write(out, NPY_I64, 2, neg0, v, err, sizeof err), -1);
	assert_int_equal(npy_write(out, (enum npy_dtype)42, 2, s, v, err, sizeof err), -1);
	assert_int_equal(count_entries(sub), 0);

	/* Success leaves exactly the target; rewriting replaces it in place. */
	assert_int_equal(npy_write(out, NPY_I64, 2, s, v, err, sizeof err), 0);
	assert_int_equal(count_entries(sub), 1);
	assert_int_equal(npy_write(out, NPY_I64, 1, s, v, err, sizeof err), 0);
	assert_int_equal(count_entries(sub), 1);
	struct npy a;
	assert_int_equal(npy_read(out, &a, err, sizeof err), 0);
	assert_int_equal(a.ndim, 1);
	assert_int_equal(a.count, 2);
	assert_int_equal(npy_get_i64(&a, 1), 6);
	npy_free(&a);

	/* A directory where the file should go: rename fails, the temp is removed. */
	char blocked[320];
	snprintf(blocked, sizeof blocked, "%s/blocked.npy", sub);
	assert_int_equal(mkdir(blocked, 0700), 0);
	assert_int_equal(npy_write(blocked, NPY_I64, 2, s, v, err, sizeof err), -1);
	assert_non_null(strstr(err, "rename"));
	assert_int_equal(count_entries(sub), 2);
	rmdir(blocked);
	unlink(out);
	rmdir(sub);
}

/* Not a fuzzer, but the same spirit: every truncation and many corruptions
 * of valid files must come back as 0 or -1 with a message, never a crash,
 * leak or overread (the sanitizer build is what checks those). */
static void test_mutations(void **state)
{
	(void)state;
	static const char *dicts[] = {
		"{'descr': '<i2', 'fortran_order': False, 'shape': (2, 3), }",
		"{'descr': '<f4', 'fortran_order': False, 'shape': (), }",
		"{'shape': (1, 2, 1, 3,), 'descr': '|i1', 'fortran_order': False}",
	};
	unsigned char base[256], b[256];
	uint32_t rng = 12345;
	for (size_t d = 0; d < sizeof dicts / sizeof dicts[0]; d++)
		for (int major = 1; major <= 2; major++) {
			size_t n = build(base, major, dicts[d], true, "0123456789ab", 12);
			for (int k = 0; k < 600; k++) {
				size_t len = n;
				memcpy(b, base, n);
				if (k < (int)n) {
					len = (size_t)k;
				} else {
					for (int j = 0; j < 1 + k % 4; j++) {
						rng = rng * 1103515245u + 12345u;
						size_t at = (rng >> 8) % n;
						static const char pick[] = "(),:'\"{} -0123456789TrueFalse\n\x93";
						b[at] = k % 2 ? (unsigned char)(rng >> 24)
						              : (unsigned char)pick[(rng >> 16) % (sizeof pick - 1)];
					}
				}
				struct npy a;
				put("m.npy", b, len);
				err[0] = '\0';
				int rc = npy_read(tpath("m.npy"), &a, err, sizeof err);
				if (rc == 0) {
					assert_true(a.ndim >= 0 && a.ndim <= NPY_MAX_DIMS);
					if (a.count > 0)
						(void)npy_get_f64(&a, a.count - 1);
					npy_free(&a);
				} else {
					assert_int_equal(rc, -1);
					assert_true(err[0] != '\0');
					assert_null(a.data);
				}
			}
		}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dtype_names),
		cmocka_unit_test(test_roundtrip_dtypes),
		cmocka_unit_test(test_roundtrip_0d),
		cmocka_unit_test(test_roundtrip_1d_4d_8d_empty),
		cmocka_unit_test(test_write_matches_numpy),
		cmocka_unit_test(test_read_numpy_v1),
		cmocka_unit_test(test_read_numpy_v2_v3),
		cmocka_unit_test(test_read_header_variants),
		cmocka_unit_test(test_reject_open),
		cmocka_unit_test(test_reject_magic),
		cmocka_unit_test(test_reject_version),
		cmocka_unit_test(test_reject_truncated_header),
		cmocka_unit_test(test_reject_malformed),
		cmocka_unit_test(test_reject_dtypes),
		cmocka_unit_test(test_reject_fortran),
		cmocka_unit_test(test_reject_shapes),
		cmocka_unit_test(test_reject_data_size),
		cmocka_unit_test(test_write_missing_dir),
		cmocka_unit_test(test_write_leaves_nothing),
		cmocka_unit_test(test_mutations),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
