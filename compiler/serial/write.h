/* write.h: the files of a serial design: OUT.v, OUT.mem.bin, OUT.json, OUT.svg (write.c). */
#ifndef NNC_SERIAL_WRITE_H
#define NNC_SERIAL_WRITE_H

#include "svg.h"

/* Check that every descriptor field fits its width (located errors). */
int serial_check_fields(const struct serial *s, const struct network *net);
int serial_write(const struct serial *s, const struct network *net, const struct compile_opts *o,
                 const struct design *d);
/* A program for a given engine (--engine, docs/DESIGN.md §10.3): NET.bin
 * (o->out: the program), NET.weights.bin (the weight image), NET.json, in
 * memory's byte order. */
int serial_write_program(const struct serial *s, const struct network *net,
                         const struct compile_opts *o, const struct design *d);

#endif
