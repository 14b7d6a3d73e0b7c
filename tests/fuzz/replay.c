/* replay.c: a main() for the libFuzzer harnesses (tests/fuzz/fuzz_*.c), so
 * that any compiler builds them: each file named on the command line is one
 * input. make asan replays the seed corpora this way on every run, so a
 * harness that no longer builds or crashes on its seeds is seen at once,
 * not at the next long fuzzing run. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "nnc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		size_t len;
		char *buf = read_file(argv[i], &len);
		if (!buf) {
			fprintf(stderr, "%s: cannot read\n", argv[i]);
			return 1;
		}
		LLVMFuzzerTestOneInput((const uint8_t *)buf, len);
		free(buf);
	}
	printf("replayed %d inputs\n", argc - 1);
	return 0;
}
