/* npy.h: NumPy .npy arrays: read versions 1.0, 2.0 and 3.0, write 1.0. */
#ifndef NNC_NPY_H
#define NNC_NPY_H
#include <stddef.h>
#include <stdint.h>

enum npy_dtype { NPY_F32, NPY_F64, NPY_I8, NPY_I16, NPY_I32, NPY_I64 };
#define NPY_MAX_DIMS 8

struct npy {
	enum npy_dtype dtype;
	int ndim;
	int64_t shape[NPY_MAX_DIMS];
	int64_t count;          /* product of the shape; 1 for a 0-d array */
	void *data;             /* count elements of dtype, host order, malloc'd */
};

/* 0 on success; -1 with a one-line message in err (no path, no trailing newline;
 * the caller prints "PATH: error: MESSAGE"). On failure *a holds nothing to free. */
int npy_read(const char *path, struct npy *a, char *err, size_t errlen);
/* The same for an image held in memory (buf[0..len)); a->data is a copy. */
int npy_parse(const void *buf, size_t len, struct npy *a, char *err, size_t errlen);
/* Writes a little-endian, C-order version 1.0 file. The file is written under a
 * temporary name in the same directory and renamed, so a failure leaves nothing. */
int npy_write(const char *path, enum npy_dtype t, int ndim, const int64_t *shape,
              const void *data, char *err, size_t errlen);
void npy_free(struct npy *a);
size_t npy_dtype_size(enum npy_dtype t);
const char *npy_dtype_name(enum npy_dtype t);    /* "float32", "int8", ... */
double npy_get_f64(const struct npy *a, int64_t i);   /* element i as double */
int64_t npy_get_i64(const struct npy *a, int64_t i);  /* integer dtypes only */
#endif
