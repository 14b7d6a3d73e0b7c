/* fuzz_frontend.c: libFuzzer harness over the scanner, the parser and sema.
 * Any input must give either a checked network or located errors: never a
 * crash, a hang, a leak or a sanitizer report. Built and run by
 * `make fuzz-frontend`. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nnc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	verbosity = -1;         /* errors are the expected outcome; printing them is only slow */
	char *text = xmalloc(size + 1);
	memcpy(text, data, size);
	text[size] = 0;
	struct ast_file *ast = parse_text("fuzz.nn", text, size);
	if (ast) {
		struct network *net = sema(ast);
		if (net && !error_count()) {
			/* a network sema accepts must have consistent shapes */
			for (int i = 0; i < net->nlayers; i++) {
				const struct layer *l = &net->layers[i];
				if (l->oshape.c < 1 || l->oshape.h < 1 || l->oshape.w < 1 || l->acc_bits > 64)
					abort();
			}
		}
	}
	diag_reset();
	arena_free_all();
	return 0;
}
