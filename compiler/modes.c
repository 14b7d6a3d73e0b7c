/* modes.c: the architectures this build of nnc has. A mode whose lowering is
 * not written yet has no compile function, and nnc says so. */
#include "emit.h"

