/* top.h: the top module and OUT.json (top.c). */
#ifndef NNC_PARALLEL_TOP_H
#define NNC_PARALLEL_TOP_H

#include "roms.h"

int pemit_top(const struct pplan *p, const struct compile_opts *o);
int pemit_report(const struct pplan *p, const struct compile_opts *o);

#endif
