/* import.c: `nnc import`, an ONNX model to a .nn file and float weights. */
#include "nnc.h"

int import_onnx(const char *model, const char *out_nn, const char *weights_dir)
{
	(void)out_nn;
	(void)weights_dir;
	error_file(model, "nnc import is not in this build of nnc yet");
	return -1;
}
