/* roms.h: the engines' ROM images (roms.c). */
#ifndef NNC_PARALLEL_ROMS_H
#define NNC_PARALLEL_ROMS_H

#include "plan.h"

int pemit_roms(const struct pplan *p, const struct compile_opts *o);

#endif
