/* fuzz_onnx.c: libFuzzer harness over `nnc import` up to the checked
 * network: the protobuf decoding (protobuf-c), the graph checks, every
 * operator's import, the folding, and sema on the network it builds. Nothing
 * is written. Any input must give a network or errors: never a crash, a
 * hang, a leak or a sanitizer report. Built and run by `make fuzz-onnx`. */
#include <stdint.h>
#include <stdlib.h>

#include "nnc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	verbosity = -1;
	int rc = import_onnx_check("fuzz.onnx", data, size);
	if (rc != 0 && !error_count())
		abort();        /* a refusal always says why */
	diag_reset();
	arena_free_all();
	return 0;
}
