/* lower.h: the network as a descriptor table and a memory map (lower.c). */
#ifndef NNC_SERIAL_LOWER_H
#define NNC_SERIAL_LOWER_H

#include "fuse.h"

/* Lower net for spec's engine (its buffers and widths as they are), or,
 * with spec NULL, for the engine derived from net (docs/DESIGN.md §10.1). */
int serial_lower(struct serial *s, const struct network *net, const struct compile_opts *o,
                 const struct serial *spec);

#endif
