/* program.h: a lowered network as a program for its engine (program.c,
 * docs/DESIGN.md §10.3): the header and the descriptor records, in memory's
 * byte order. */
#ifndef NNC_SERIAL_PROGRAM_H
#define NNC_SERIAL_PROGRAM_H

#include "lower.h"

/* The program's bytes (serial_prog_words(s, s->ndesc) words of MW/8). */
uint8_t *serial_program(const struct serial *s, size_t *len);

#endif
