/* nnc_drv.h: the host's side of an nnc layer-serial engine (docs/DESIGN.md §10).
 *
 * C99, no allocation, nothing from libc beyond memcpy/memset; compiles as C
 * and as C++. Registers are reached through struct nnc_dev's function
 * pointers, so the same code runs bare metal, through Linux UIO, or in the
 * Verilator harness (sim/engine_main.cpp).
 *
 * A run, in order:
 *   nnc_prog_parse(&p, bin, len)          the program header (§10.3)
 *   nnc_check(&dev, &p)                   ID and SPEC registers
 *   nnc_set_buffers(&dev, &bufs, wb)      the five base registers (§10.2)
 *   nnc_pack(&p.in, wb, ...)              each frame of a batch into the input region
 *   nnc_start(&dev) / nnc_wait(&dev, ...) ap_start, then ap_done or the interrupt
 *   nnc_unpack(&p.out, wb, ...)           each frame out of the output region
 *
 * wb, the engine's memory word in bytes (MW/8), is not in the program: the
 * host takes it from the engine's ENG_hw.h (NNC_HW_MEM_BYTES) or its
 * ENG.json (mem_width / 8). Every buffer must be aligned to it.
 *
 * Functions return 0 or a negative NNC_E_* code (nnc_strerror names it). */
#ifndef NNC_DRV_H
#define NNC_DRV_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- registers (§10.4): byte offsets on the AXI4-Lite port -------------- */
#define NNC_REG_CTRL        0x00
#define NNC_REG_GIE         0x04
#define NNC_REG_IER         0x08
#define NNC_REG_ISR         0x0C
#define NNC_REG_PROGRAM     0x10   /* low word; high word at +4 */
#define NNC_REG_WEIGHTS     0x18
#define NNC_REG_WORK        0x20
#define NNC_REG_INPUT       0x28
#define NNC_REG_OUTPUT      0x30
#define NNC_REG_STATUS      0x38
#define NNC_REG_SPEC        0x3C
#define NNC_REG_CYCLES      0x40   /* low word; high word at 0x44 */
#define NNC_REG_CYCLES_HI   0x44
#define NNC_REG_ID          0x48

#define NNC_CTRL_AP_START     (1u << 0)  /* write 1: start; reads 1 until taken */
#define NNC_CTRL_AP_DONE      (1u << 1)  /* clear on read */
#define NNC_CTRL_AP_IDLE      (1u << 2)
#define NNC_CTRL_AP_READY     (1u << 3)  /* clear on read */
#define NNC_CTRL_AUTO_RESTART (1u << 7)

#define NNC_GIE_ENABLE        (1u << 0)
#define NNC_IRQ_DONE          (1u << 0)  /* IER and ISR bits (ISR: toggle on write) */
#define NNC_IRQ_READY         (1u << 1)

#define NNC_STATUS_READ_ERR   (1u << 0)  /* SLVERR/DECERR on a read */
#define NNC_STATUS_WRITE_ERR  (1u << 1)  /* SLVERR/DECERR on a write */
#define NNC_STATUS_NOT_PROG   (1u << 2)  /* bad magic or version */
#define NNC_STATUS_OTHER_ENG  (1u << 3)  /* built for another engine */
#define NNC_STATUS_ERR_MASK   0xFu
#define NNC_STATUS_DESC_SHIFT 16         /* 31..16: descriptors completed */

#define NNC_ID_VALUE          0x4E4E4345u /* "NNCE" */

/* ---- the program (§10.3) ----------------------------------------------- */
#define NNC_PROG_MAGIC        0x50434E4Eu /* "NNCP" */
#define NNC_PROG_VERSION      1
#define NNC_PROG_HEADER       128        /* header bytes; records follow */

/* The header's byte offsets, the one C definition of its layout (nnc's
 * program writer uses them too). A map's fields sit at its start: C, H,
 * W, WPW, container bits (u16), 6 zero bytes, plane words and frame offset
 * words (u64); the table gives each map 36 bytes, the last 4 unused. */
enum {
	NNC_H_MAGIC = 0, NNC_H_VERSION = 4, NNC_H_NDESC = 6, NNC_H_SPEC = 8, NNC_H_RECORD = 12,
	NNC_H_BATCH = 16, NNC_H_RESERVED = 20, NNC_H_WEIGHTS = 24, NNC_H_WORK = 32,
	NNC_H_INPUT = 40, NNC_H_OUTPUT = 48, NNC_H_IN_MAP = 56, NNC_H_OUT_MAP = 92,
	NNC_M_C = 0, NNC_M_H = 2, NNC_M_W = 4, NNC_M_WPW = 6, NNC_M_BITS = 8, NNC_M_ZERO = 10,
	NNC_M_PLANE = 16, NNC_M_FRAME = 24
};

/* ---- errors ------------------------------------------------------------ */
#define NNC_OK          0
#define NNC_E_SHORT    -1   /* program shorter than its header and records */
#define NNC_E_MAGIC    -2   /* not a program (magic) */
#define NNC_E_VERSION  -3   /* program format version not 1 */
#define NNC_E_PROG     -4   /* a header field out of range */
#define NNC_E_ID       -5   /* no nnc engine at this register window (ID) */
#define NNC_E_SPEC     -6   /* program built for another engine (SPEC) */
#define NNC_E_ALIGN    -7   /* buffer address not aligned to the memory word */
#define NNC_E_ARG      -8   /* bad argument (word size, frame, buffer size) */
#define NNC_E_RANGE    -9   /* a value does not fit its container */
#define NNC_E_BUSY     -10  /* engine not idle at start */
#define NNC_E_TIMEOUT  -11  /* no done within the poll limit */
#define NNC_E_IRQ      -12  /* wait_irq failed, or the interrupt was not done */
#define NNC_E_STATUS   -13  /* the run ended with STATUS error bits set */

/* Register access. wait_irq may be NULL (nnc_wait then polls CTRL). */
struct nnc_dev {
	uint32_t (*rd32)(void *ctx, uint32_t off);
	void (*wr32)(void *ctx, uint32_t off, uint32_t val);
	int (*wait_irq)(void *ctx);   /* block until `interrupt` is high: 0 ok, < 0 error */
	void *ctx;
};

/* A map's layout in its region (§5.2.4): C planes of H rows of WPW words;
 * value x of row y of channel c of frame f is the `bits`-bit two's
 * complement field (x mod E)·bits of word
 *     f·frame_words + c·plane_words + y·wpw + floor(x / E),  E = MW / bits. */
struct nnc_map {
	uint16_t c, h, w, wpw, bits;
	uint64_t plane_words, frame_words;
};

struct nnc_prog {
	uint16_t version, ndesc;
	uint32_t spec_hash, record_bytes, batch;
	uint64_t weight_bytes, work_bytes, input_bytes, output_bytes;
	uint64_t prog_bytes;          /* 128 + ndesc · record_bytes: the program region */
	struct nnc_map in, out;
};

/* The five buffers, 64-bit byte addresses as the engine sees them. */
struct nnc_bufs {
	uint64_t program, weights, work, input, output;
};

/* Parse and check a program's header; len is the file's length. */
int nnc_prog_parse(struct nnc_prog *p, const void *bin, size_t len);

/* The engine is an nnc engine (ID) built to p's spec (SPEC). */
int nnc_check(const struct nnc_dev *d, const struct nnc_prog *p);

/* Write the five base registers; each address must be a multiple of
 * word_bytes (MW/8: a power of two, 4..128). */
int nnc_set_buffers(const struct nnc_dev *d, const struct nnc_bufs *b, unsigned word_bytes);

/* Values of one frame, C·H·W. */
uint64_t nnc_map_values(const struct nnc_map *m);

/* Frame `frame` of a batch: values (C,H,W order) packed into / unpacked
 * from a region of region_bytes bytes laid out in word_bytes-byte words
 * (little-endian). pack rewrites every word of the frame's rows (padding
 * lanes become 0) and refuses a value that does not fit the container;
 * unpack sign-extends from the container bits. */
int nnc_pack(const struct nnc_map *m, unsigned word_bytes, void *region, uint64_t region_bytes,
             uint32_t frame, const int32_t *values);
int nnc_unpack(const struct nnc_map *m, unsigned word_bytes, const void *region,
               uint64_t region_bytes, uint32_t frame, int32_t *values);

/* Start a run: refuses (NNC_E_BUSY) unless CTRL says idle. With wait_irq,
 * enables the done interrupt (GIE, IER) and clears ISR first; without it,
 * disables GIE. */
int nnc_start(const struct nnc_dev *d);

/* Wait for the run's end: poll CTRL for ap_done at most poll_limit times,
 * or with wait_irq, wait once and acknowledge ISR (toggle on write). Then
 * read STATUS into *status (may be NULL) and return NNC_E_STATUS when an
 * error bit is set. */
int nnc_wait(const struct nnc_dev *d, uint32_t poll_limit, uint32_t *status);

uint32_t nnc_status(const struct nnc_dev *d);
uint64_t nnc_cycles(const struct nnc_dev *d);   /* CYCLES of the last run */

const char *nnc_strerror(int code);

/* STATUS as text into buf ("ok, 3 descriptors completed", "read error
 * (SLVERR/DECERR), ..."); returns buf. */
char *nnc_status_text(uint32_t status, char *buf, size_t len);

#ifdef __cplusplus
}
#endif

#endif
