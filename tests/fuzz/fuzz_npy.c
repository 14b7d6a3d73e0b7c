/* fuzz_npy.c: libFuzzer harness over the .npy reader and what nnc does with
 * an array it accepts: the header and size checks (npy_parse), then the
 * conversion to a fixed-point format that weights and inputs go through
 * (npy_to_fixed: NaN, infinity and out-of-range integers are errors,
 * saturation is counted). The format comes from the input's last byte, so
 * every width 2..32 and fraction is reached. Any input must give an array or
 * an error: never a crash, a hang, a leak or a sanitizer report. Built and
 * run by `make fuzz-npy`. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nnc.h"
#include "npy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	verbosity = -1;
	struct npy a;
	char err[256];
	if (npy_parse(data, size, &a, err, sizeof err) == 0) {
		if (a.count < 0 || (a.count && !a.data) || a.ndim < 0 || a.ndim > NPY_MAX_DIMS)
			abort();
		/* keep the conversion's buffers small; the parser itself saw every size */
		if (a.count <= 1 << 16) {
			uint8_t k = size ? data[size - 1] : 0;
			struct fixed_fmt fmt = {2 + k % 31, (int)(k / 31) * 4 - 8};
			int32_t *q = malloc((size_t)(a.count ? a.count : 1) * sizeof *q);
			double *f = malloc((size_t)(a.count ? a.count : 1) * sizeof *f);
			npy_to_fixed("fuzz.npy", &a, fmt, "inputs", q, NULL, f);
			free(q);
			free(f);
		}
		npy_free(&a);
	} else if (!err[0] || a.data) {
		abort();        /* a refusal always says why and leaves nothing */
	}
	diag_reset();
	arena_free_all();
	return 0;
}
