/* tile.h: tiling a descriptor within the engine's buffers (tile.c). */
#ifndef NNC_SERIAL_TILE_H
#define NNC_SERIAL_TILE_H

#include "estimate.h"

/* Choose d's tile sizes; 0, or -1 and an error at `at` naming `what` when
 * nothing fits (quietly when what is NULL or the lowering is a trial). */
int serial_tile_at(struct serial *s, struct sdesc *d, struct loc at, const char *what);
/* The same, quietly: -1 if nothing fits. */
int serial_tile(struct serial *s, struct sdesc *d);

#endif
