/* tb.h: the serial testbench and its input vectors (tb.c). */
#ifndef NNC_SERIAL_TB_H
#define NNC_SERIAL_TB_H

#include "write.h"

int serial_emit_tb(const struct serial *s, const struct network *net,
                   const struct compile_opts *o, const struct design *d);
int serial_write_vectors(const struct network *net, const struct design *d,
                         const struct compile_opts *o, const struct tensor *in);

#endif
