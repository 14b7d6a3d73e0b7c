/* lower.h: the network as a descriptor table and a memory map (lower.c). */
#ifndef NNC_SERIAL_LOWER_H
#define NNC_SERIAL_LOWER_H

#include "fuse.h"

int serial_lower(struct serial *s, const struct network *net, const struct compile_opts *o);

#endif
