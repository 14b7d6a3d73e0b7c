/* spec.h: an engine's spec (docs/DESIGN.md §10.1): the values that define a
 * serial engine, its hash, its file ENG.json, and the spec `nnc engine`
 * builds from its options. The link after desc in the serial chain. */
#ifndef NNC_SERIAL_SPEC_H
#define NNC_SERIAL_SPEC_H

#include "desc.h"

/* The spec's canonical text and its FNV-1a hash. */
const char *serial_spec_text(const struct serial *s);
uint32_t serial_spec_hash(const struct serial *s);
/* Copy the spec's values from spec to s (s->fixed, the depths, the widths). */
void serial_spec_adopt(struct serial *s, const struct serial *spec);
/* `nnc engine`'s spec from its options: --pe, --mem-width, --bram-kbits
 * and max_width (--max-width). -1 after an error. */
int serial_spec_build(struct serial *s, const struct compile_opts *o, int max_width);
/* ENG.json: the spec, its hash, its limits and the register map. */
void serial_spec_write(FILE *f, const struct serial *s, const char *name);
/* Read ENG.json into s (s->fixed); its hash must match its values. */
int serial_spec_read(struct serial *s, const char *path);

/* The register map of docs/DESIGN.md §10.4: X(NAME, offset, meaning). */
#define ENGINE_REGS(X)                                                                  \
	X(CTRL, 0x00, "ap_start 0, ap_done 1 (clear on read), ap_idle 2, ap_ready 3 (clear on read), auto_restart 7") \
	X(GIE, 0x04, "global interrupt enable (bit 0)")                                     \
	X(IER, 0x08, "interrupt enable: done 0, ready 1")                                    \
	X(ISR, 0x0C, "interrupt status: done 0, ready 1 (toggle on write)")                  \
	X(PROGRAM_LO, 0x10, "program byte address, low word")                              \
	X(PROGRAM_HI, 0x14, "program byte address, high word")                             \
	X(WEIGHTS_LO, 0x18, "weight image byte address, low word")                         \
	X(WEIGHTS_HI, 0x1C, "weight image byte address, high word")                        \
	X(WORK_LO, 0x20, "work region byte address, low word")                             \
	X(WORK_HI, 0x24, "work region byte address, high word")                            \
	X(INPUT_LO, 0x28, "input region byte address, low word")                           \
	X(INPUT_HI, 0x2C, "input region byte address, high word")                          \
	X(OUTPUT_LO, 0x30, "output region byte address, low word")                         \
	X(OUTPUT_HI, 0x34, "output region byte address, high word")                        \
	X(STATUS, 0x38, "read error 0, write error 1, not a program 2, another engine's 3, descriptors done 31..16") \
	X(SPEC, 0x3C, "the spec hash")                                                      \
	X(CYCLES_LO, 0x40, "cycles of the last run, low word")                              \
	X(CYCLES_HI, 0x44, "cycles of the last run, high word")                             \
	X(ID, 0x48, "0x4E4E4345 (NNCE)")

#define ENGINE_ID 0x4E4E4345u
#define PROGRAM_MAGIC 0x50434E4Eu
#define PROGRAM_VERSION 1
#define PROGRAM_HEADER_BYTES 128

#endif
