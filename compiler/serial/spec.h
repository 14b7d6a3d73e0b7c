/* spec.h: an engine's spec (docs/DESIGN.md §10.1): the values that define a
 * serial engine, its hash, its file ENG.json, and the spec `nnc engine`
 * builds from its options. The link after desc in the serial chain. */
#ifndef NNC_SERIAL_SPEC_H
#define NNC_SERIAL_SPEC_H

#include "desc.h"
/* the register map and the program header's constants, defined once for C
 * in the driver (driver/nnc_drv.h) */
#include "nnc_drv.h"

/* The spec's canonical text and its FNV-1a hash. */
const char *serial_spec_text(const struct serial *s);
uint32_t serial_spec_hash(const struct serial *s);
/* Copy the spec's values from spec to s (s->fixed, the depths, the widths). */
void serial_spec_adopt(struct serial *s, const struct serial *spec);
/* The array and the bus from --pe and --mem-width (defaults 8x8, 64),
 * checked: at most 64x64, a power-of-two bus of min_mw to 1024 bits. */
int serial_spec_shape(struct serial *s, const struct compile_opts *o, int min_mw);
/* `nnc engine`'s spec from its options: --pe, --mem-width, --bram-kbits
 * and max_width (--max-width). -1 after an error. */
int serial_spec_build(struct serial *s, const struct compile_opts *o, int max_width);
/* ENG.json: the spec, its hash, its limits and the register map. */
void serial_spec_write(FILE *f, const struct serial *s, const char *name);
/* Read ENG.json into s (s->fixed); its hash must match its values. */
int serial_spec_read(struct serial *s, const char *path);

/* The register map of docs/DESIGN.md §10.4: X(NAME, offset, meaning). */
#define ENGINE_REGS(X)                                                                  \
	X(CTRL, NNC_REG_CTRL, "ap_start 0, ap_done 1 (clear on read), ap_idle 2, ap_ready 3 (clear on read), auto_restart 7") \
	X(GIE, NNC_REG_GIE, "global interrupt enable (bit 0)")                                     \
	X(IER, NNC_REG_IER, "interrupt enable: done 0, ready 1")                                    \
	X(ISR, NNC_REG_ISR, "interrupt status: done 0, ready 1 (toggle on write)")                  \
	X(PROGRAM_LO, NNC_REG_PROGRAM, "program byte address, low word")                              \
	X(PROGRAM_HI, NNC_REG_PROGRAM + 4, "program byte address, high word")                             \
	X(WEIGHTS_LO, NNC_REG_WEIGHTS, "weight image byte address, low word")                         \
	X(WEIGHTS_HI, NNC_REG_WEIGHTS + 4, "weight image byte address, high word")                        \
	X(WORK_LO, NNC_REG_WORK, "work region byte address, low word")                             \
	X(WORK_HI, NNC_REG_WORK + 4, "work region byte address, high word")                            \
	X(INPUT_LO, NNC_REG_INPUT, "input region byte address, low word")                           \
	X(INPUT_HI, NNC_REG_INPUT + 4, "input region byte address, high word")                          \
	X(OUTPUT_LO, NNC_REG_OUTPUT, "output region byte address, low word")                         \
	X(OUTPUT_HI, NNC_REG_OUTPUT + 4, "output region byte address, high word")                        \
	X(STATUS, NNC_REG_STATUS, "read error 0, write error 1, not a program 2, another engine's 3, descriptors done 31..16") \
	X(SPEC, NNC_REG_SPEC, "the spec hash")                                                      \
	X(CYCLES_LO, NNC_REG_CYCLES, "cycles of the last run, low word")                              \
	X(CYCLES_HI, NNC_REG_CYCLES_HI, "cycles of the last run, high word")                             \
	X(ID, NNC_REG_ID, "0x4E4E4345 (NNCE)")

#define ENGINE_ID NNC_ID_VALUE
#define PROGRAM_MAGIC NNC_PROG_MAGIC
#define PROGRAM_VERSION NNC_PROG_VERSION
#define PROGRAM_HEADER_BYTES NNC_PROG_HEADER

#endif
