/* fuse.h: layer fusion through the on-chip scratch (fuse.c). */
#ifndef NNC_SERIAL_FUSE_H
#define NNC_SERIAL_FUSE_H

#include "tile.h"

/* Run the conv descriptors da (A) and da + 1 (B, A's only reader) in row
 * bands through the scratch where that is faster; 1 if it fused them. */
int serial_fuse(struct serial *s, int da);

#endif
