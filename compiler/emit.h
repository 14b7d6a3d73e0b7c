/* emit.h: what the two lowerings share: compile options, the lowered design's
 * figures, the embedded templates, and the writers of generated files. */
#ifndef NNC_EMIT_H
#define NNC_EMIT_H

#include "nnc.h"

enum mode { MODE_PARALLEL, MODE_SERIAL };
/* serial --fuse: fuse conv pairs where the estimate says so, wherever the
 * bands fit, or never */
enum fuse_mode { FUSE_AUTO, FUSE_ALL, FUSE_NONE };

struct compile_opts {
	enum mode mode;
	const char *out;            /* OUT.v; every other file is named after it */
	int tm, tn;                 /* serial: --pe TMxTN */
	int mult_budget;            /* parallel: --mult-budget */
	int mem_width;              /* serial: --mem-width BITS */
	int batch;                  /* serial: --batch N, frames an fc weight fetch serves */
	enum fuse_mode fuse;        /* serial: --fuse */
	int fuse_band;              /* serial: --fuse-band N, pooled rows a band (0: the estimate's) */
	int64_t bram_kbits;         /* serial: --bram-kbits N, on-chip buffer bits / 1024 (0: no cap) */
	bool tb;                    /* also write OUT_tb.v */
	int frames;                 /* testbench: frames (parallel) or inferences (serial) */
	bool stall_inner;           /* sim only: random stalls on the links inside the design */
	const char *engine;         /* serial: --engine ENG.json, a program for that engine */
	int max_width;              /* nnc engine: --max-width W */
	const char *name;           /* nnc engine: --name NAME (the top module) */
};

/* What a lowering reports about the hardware it built (docs/DESIGN.md §5). */
struct design {
	const char *top;            /* <network>_top */
	int64_t multipliers;
	int64_t macs;               /* per frame */
	int64_t bound;              /* cycles: per frame (parallel), per inference (serial) */
	int64_t estimate;           /* the compiler's estimate, same unit */
	int batch;                  /* frames one start processes (serial --batch) */
	void *priv;                 /* the lowering's own result */
};

/* One architecture: lower and write OUT.v (and its data files, OUT.json,
 * OUT_tb.v when o->tb); write the testbench's input vectors for a batch. */
struct mode_ops {
	const char *name;
	int (*compile)(struct network *net, const struct compile_opts *o, struct design *d);
	int (*write_vectors)(const struct network *net, const struct design *d,
	                     const struct compile_opts *o, const struct tensor *in);
	/* nnc engine: an engine without a network (NULL: the mode has none) */
	int (*engine)(const struct compile_opts *o);
};
extern const struct mode_ops parallel_ops, serial_ops;

/* templates: the hand-written modules, embedded at build time */
struct template_src {
	const char *name;           /* module name = file name without .v */
	const char *text;
};
extern const struct template_src nn_templates[];
const char *template_text(const char *name);           /* NULL if there is none */
/* A template's text with its `include lines replaced by the included text. */
void emit_template_text(FILE *f, const char *text);

/* emit.c */
/* "dir/net.v" + "_tb.v" -> "dir/net_tb.v"; "" -> the path without .v (or .bin) */
const char *out_path(const struct compile_opts *o, const char *suffix);
const char *out_base(const struct compile_opts *o);     /* basename without .v */
/* The header every generated Verilog file starts with. iface is a multi-line
 * description of the top module's ports and data order. */
void emit_header(FILE *f, const struct network *net, const struct compile_opts *o,
                 const char *what, const char *iface);
/* The named templates and every template they instantiate, once each. names
 * ends with NULL. */
void emit_templates(FILE *f, const char *const *names);
/* One $readmemh line: n values of bits each, value 0 in the lowest bits. */
void emit_hex_word(FILE *f, const int64_t *vals, int n, int bits);
/* The same lines in memory: every word of n values of bits each takes
 * hex_line_len(n, bits) characters, newline included. hex_format_words
 * writes `words` words (value v of word w is vals[w*n + v]) from p on and
 * returns the end; it keeps no state, so threads may call it at once. */
int64_t hex_line_len(int n, int bits);
char *hex_format_words(char *p, const int64_t *vals, int64_t words, int n, int bits);
const char *mode_name(enum mode m);

/* sim.c */
struct sim_opts {
	const char *input;          /* --input, or NULL: random frames */
	int frames;
	const char *simulator;      /* icarus or verilator */
	const char *keep;           /* --keep DIR */
	const char *vcd;
	bool no_stall;
	int reset_frame;            /* --reset-frame F, or -1 */
	bool stall_inner;           /* --stall-inner */
	uint64_t seed;
};
int run_sim(struct network *net, struct compile_opts *co, const struct sim_opts *so,
            const struct weight_opts *wo);

#endif
