/* tb.h: the testbench and its input vectors (tb.c). */
#ifndef NNC_PARALLEL_TB_H
#define NNC_PARALLEL_TB_H

#include "top.h"

int pemit_tb(const struct pplan *p, const struct compile_opts *o);
int pwrite_vectors(const struct network *net, const struct design *d,
                   const struct compile_opts *o, const struct tensor *in);

#endif
