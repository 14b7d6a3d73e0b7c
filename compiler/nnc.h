/* nnc.h: the types and passes shared by the compiler. */
#ifndef NNC_H
#define NNC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define NNC_VERSION "0.1.0"

/* ---- util.c: allocation (an arena freed once at exit) and files ---------- */

void *xmalloc(size_t n);                /* arena; freed by arena_free_all() */
void *xcalloc(size_t n, size_t size);
char *xstrdup(const char *s);
/* nonnull: a sanitizer build checks the callers, and gcc 12 does not see a
 * null format reaching vsnprintf (-Werror=format-truncation) */
char *xprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2), nonnull(1)));
void *big_alloc(size_t n);              /* large tensors: plain malloc, die on failure */
void arena_free_all(void);
/* Read a whole file; NULL with errno set on failure. */
char *read_file(const char *path, size_t *len);

/* Output files are written under a temporary name and renamed only when the
 * whole run succeeded, so a failed run leaves nothing behind: the
 * temporaries go on an error, on exit() from anywhere and on SIGINT, SIGTERM,
 * SIGHUP, SIGPIPE, SIGQUIT and SIGXFSZ, after which nnc dies by the signal. */
void out_catch_signals(void);            /* main(), first: the handlers and an atexit hook */
FILE *out_open(const char *path);        /* NULL and an error printed on failure */
void out_commit_all(void);               /* rename every temporary into place (all or none) */
void out_abort_all(void);                /* remove every temporary */
void out_remove_now(void);               /* async-signal-safe unlinks only (die()) */
/* nnc sim's directory: mkdtemp(tmpl), removed with everything in it on a
 * signal or exit until temp_dir_done() removes it (true) or keeps it. */
char *temp_dir_make(char *tmpl);
void temp_dir_done(bool remove);
/* Run `sh -c cmd` with stdout and stderr on out_fd, in a process group of
 * its own that a deadly signal to nnc terminates before the directory goes
 * (nnc sim's simulator); -1 if it cannot start. child_wait() reaps it: its
 * exit status, or -1. One child at a time. */
int child_start(const char *cmd, int out_fd);
int child_wait(int pid);
bool same_file(const char *a, const char *b);
const char *dims_str(const int64_t *d, int n);   /* "(1, 5, 4)" */

/* ---- diag.c: located user errors (exit 1) and internal bugs (exit 2) ----- */

struct loc {
	const char *file;
	int line, col;                     /* 1-based; col counts bytes */
};

void diag_source(const char *file, const char *text, size_t len);
void diag_reset(void);                  /* forget the sources and the error count */
void error_at(struct loc l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void warn_at(struct loc l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void error_file(const char *path, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void warn_file(const char *path, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void error_plain(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int error_count(void);
extern int verbosity;                   /* -q: 0, default 1, -v: 2; < 0: silent (fuzzing) */
_Noreturn void die_at(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
#define die(...) die_at(__FILE__, __LINE__, __VA_ARGS__)
#define unreachable() die("unreachable")

/* ---- the network --------------------------------------------------------- */

/* How the serial engine runs a kind: as a multiply-accumulate descriptor
 * (weights from memory; a following relu and a simple max pool fused), a
 * pass over memory (a max or a sum over a window), or an add (a 1x1 "conv"
 * over both sources with weights 2^shift). */
enum serial_run { RUN_MAC, RUN_PASS, RUN_ADD };

/* The layer kinds and what the compiler must know of each. Adding one is
 * the checklist in docs/DESIGN.md ("Adding a layer kind"); every switch
 * over kinds has no default:, so -Wswitch lists the places to handle it.
 * X(enum, name, mac, windowed, sources, parallel template, serial run)
 *   mac       multiplies by trained weights and accumulates (has weights,
 *             bias, an exact accumulator, MACs)
 *   windowed  slides a kh x kw window with stride and pad over its input
 *   sources   the feature maps it reads
 *   template  the templates/ module of its layer-parallel engine
 *   run       how the layer-serial engine runs it (enum serial_run) */
#define LAYER_KINDS(X)                                                           \
	X(L_CONV, "conv", 1, 1, 1, "nn_conv", RUN_MAC)                           \
	X(L_FC, "fc", 1, 0, 1, "nn_fc", RUN_MAC)                                 \
	X(L_MAXPOOL, "maxpool", 0, 1, 1, "nn_maxpool", RUN_PASS)                 \
	X(L_AVGPOOL, "avgpool", 0, 1, 1, "nn_avgpool", RUN_PASS)                 \
	X(L_RELU, "relu", 0, 0, 1, "nn_act", RUN_PASS)                           \
	X(L_ADD, "add", 0, 0, 2, "nn_add", RUN_ADD)

enum layer_kind {
#define X(e, s, mac, win, nsrc, pt, run) e,
	LAYER_KINDS(X)
#undef X
	L_NKINDS
};

struct kind_info {
	const char *name;
	bool mac, windowed;
	int sources;
	const char *parallel_template;
	enum serial_run serial_run;
};
extern const struct kind_info kind_info[L_NKINDS];
static inline bool kind_is_mac(enum layer_kind k) { return kind_info[k].mac; }
#define KMASK(k) (1u << (k))
#define K_ANY (KMASK(L_NKINDS) - 1)

/* Value types an attribute takes. */
enum vtype { VT_INT, VT_PAIR, VT_BOOL, VT_FORMAT, VT_FORMAT_OR_NONE, VT_ACT, VT_ROUND, VT_LIST2 };

/* X(enum, name, value type, kinds that accept it, allowed in `default`) */
#define ATTRS(X)                                                                        \
	X(A_FILTERS, "filters", VT_INT, KMASK(L_CONV), 0)                               \
	X(A_UNITS, "units", VT_INT, KMASK(L_FC), 0)                                     \
	X(A_KERNEL, "kernel", VT_PAIR, KMASK(L_CONV), 0)                                \
	X(A_SIZE, "size", VT_PAIR, KMASK(L_MAXPOOL) | KMASK(L_AVGPOOL), 0)              \
	X(A_STRIDE, "stride", VT_PAIR, KMASK(L_CONV) | KMASK(L_MAXPOOL) | KMASK(L_AVGPOOL), 0) \
	X(A_PAD, "pad", VT_PAIR, KMASK(L_CONV) | KMASK(L_MAXPOOL), 0)                   \
	X(A_GROUPS, "groups", VT_INT, KMASK(L_CONV), 0)                                 \
	X(A_GLOBAL, "global", VT_BOOL, KMASK(L_AVGPOOL), 0)                             \
	X(A_ACT, "act", VT_ACT, KMASK(L_CONV) | KMASK(L_FC) | KMASK(L_ADD), 1)          \
	X(A_WEIGHT, "weight", VT_FORMAT, KMASK(L_CONV) | KMASK(L_FC), 1)                \
	X(A_BIAS, "bias", VT_FORMAT_OR_NONE, KMASK(L_CONV) | KMASK(L_FC), 1)            \
	X(A_OUT, "out", VT_FORMAT, KMASK(L_CONV) | KMASK(L_FC) | KMASK(L_AVGPOOL) | KMASK(L_ADD), 1) \
	X(A_ROUND, "round", VT_ROUND, KMASK(L_CONV) | KMASK(L_FC) | KMASK(L_AVGPOOL) | KMASK(L_ADD), 1) \
	X(A_PAR, "par", VT_LIST2, K_ANY, 0)

enum attr_id {
#define X(e, s, t, k, d) e,
	ATTRS(X)
#undef X
	A_NATTRS
};

#define ACTS(X) X(ACT_NONE, "none") X(ACT_RELU, "relu") X(ACT_RELU6, "relu6")
enum act {
#define X(e, s) e,
	ACTS(X)
#undef X
	ACT_N
};

#define ROUNDS(X) X(ROUND_NEAREST, "nearest") X(ROUND_FLOOR, "floor")
enum round_mode {
#define X(e, s) e,
	ROUNDS(X)
#undef X
	ROUND_N
};

extern const char *const layer_kind_names[];
extern const char *const attr_names[];
extern const char *const act_names[];
extern const char *const round_names[];

/* fixed<W,F>: a W-bit two's complement integer q meaning q * 2^-F. */
struct fixed_fmt {
	int w, f;
};

struct shape {
	int c, h, w;
};

static inline int64_t shape_elems(struct shape s) { return (int64_t)s.c * s.h * s.w; }

struct layer {
	enum layer_kind kind;
	const char *name;
	struct loc loc;                    /* the layer's name in the source */
	int src[2], nsrc;                  /* source layers; -1 is the network input */

	int filters;                       /* conv: filters; fc: units */
	int kh, kw, sh, sw, ph, pw, groups;
	bool global;
	enum act act;
	enum round_mode round;
	bool has_bias;
	struct fixed_fmt in, in2, wt, bias, out; /* in2: add's second input */
	int par_pi, par_po;                /* `par`; 0 = the compiler chooses */
	bool bad;                          /* sema: had errors; its users are not checked */
	bool live;                         /* live.c: leads to the network's output */
	int readers;                       /* live.c: live layers reading it (the output counts) */

	struct shape ishape, oshape;
	int acc_bits;                      /* conv, fc, add, avgpool: exact accumulator width */
	int64_t macs, params;

	/* weights.c: raw integers in the PyTorch layouts, and the floats they came
	 * from (NULL unless float weights were given or --float asked for them) */
	int32_t *w;
	int64_t *b;
	int64_t nw, nb;
	double *wf, *bf;
};

struct network {
	const char *name;
	const char *file;
	struct loc loc;
	struct shape in_shape;
	struct fixed_fmt in_fmt;
	const char *in_name;
	struct loc in_loc;
	struct layer *layers;
	int nlayers;
	int output;                        /* index of the output layer */
};

/* A layer's weight count in the PyTorch layout, and its bias count. */
int64_t layer_weight_count(const struct layer *l);
int64_t layer_bias_count(const struct layer *l);
int64_t layer_fan_in(const struct layer *l);   /* products summed into one output */
int mac_acc_bits(const struct layer *l);   /* conv, fc: the exact accumulator's width */

/* ---- passes ---------------------------------------------------------------- */

struct ast_file;
struct ast_file *parse_file(const char *path);         /* lang/: NULL if nothing parsed */
/* text[len] must be 0 and stay alive: errors quote it */
struct ast_file *parse_text(const char *path, const char *text, size_t len);
struct network *sema(struct ast_file *ast);             /* sema.c: NULL after errors */
/* live.c: mark the layers that lead to the output (warning for the others)
 * and count their live readers; every back end builds only live layers */
void mark_live(struct network *net);
/* memlimit.c: the memory estimates of docs/DESIGN.md §2.6 against the limit
 * (bytes; --mem-limit). Each returns 0, or -1 after a located error. */
extern int64_t mem_limit;
int mem_check_network(const struct network *net);
/* n images in the golden model; floats: with the float reference; keep_all:
 * every layer's float output kept (nnc quantize) */
int mem_check_images(const struct network *net, int64_t n, bool floats, bool keep_all,
                     const char *path);
int mem_check_image(const struct network *net, int64_t bytes, const char *what);

/* report.c */
void print_layer_table(FILE *f, const struct network *net);
void print_layer_json(FILE *f, const struct network *net);

/* weights.c */
struct weight_opts {
	const char *dir;                   /* --weights DIR, or NULL: pseudo-random */
	uint64_t seed;
	bool keep_float;                   /* fill wf/bf (for --float) */
};
int load_weights(struct network *net, const struct weight_opts *o);   /* 0 ok, -1 errors */
int dump_weights(const struct network *net, const char *dir);
void free_weights(struct network *net);

/* nnwrite.c: a network as .nn text, every attribute and format explicit */
void write_nn(FILE *f, const struct network *net, const char *comment);

/* import.c: `nnc import`: an ONNX model to a .nn file and float weights */
int import_onnx(const char *model, const char *out_nn, const char *weights_dir);
/* The same checks on a model held in memory, writing nothing (the fuzzer's entry). */
int import_onnx_check(const char *path, const void *buf, size_t len);

/* quantize.c: `nnc quantize`, per-layer fraction bits from calibration data */
int quantize_network(struct network *net, const struct weight_opts *wo, const char *calib);


/* A batch of feature maps: n images of shape s, raw integers, NCHW. */
struct tensor {
	int n;
	struct shape s;
	int32_t *d;
};

/* golden.c: the golden model, docs/DESIGN.md §3 to the bit. hook (may be NULL) sees
 * every layer's output as soon as it is computed. */
typedef void (*layer_hook)(void *ctx, int layer, const struct tensor *t);
void golden_run(const struct network *net, const struct tensor *in, struct tensor *out,
                layer_hook hook, void *hook_ctx);
void golden_layer(const struct network *net, int i, const struct tensor *a,
                  const struct tensor *b, struct tensor *out);

/* float.c: the same network in double precision with no quantization, the
 * reference for calibration and accuracy tables. */
struct ftensor {
	int n;
	struct shape s;
	double *d;
};
typedef void (*float_hook)(void *ctx, int layer, const struct ftensor *t);
void float_run(const struct network *net, const struct ftensor *in, struct ftensor *out,
               float_hook hook, void *hook_ctx);

/* tensor.c: network inputs and outputs as .npy files ([C,H,W] or [N,C,H,W];
 * an fc output is [units] per image). */
int load_input(const struct network *net, const char *path, struct tensor *t, bool *batched,
               struct ftensor *f);
void random_input(const struct network *net, int n, uint64_t seed, struct tensor *t);
/* An array's elements as raw integers of format fmt (into q32, or q64 when
 * q32 is NULL) and, when f is not NULL, their real values: float arrays are
 * quantized (NaN or infinity is an error; saturations are counted in one
 * warning), integer arrays are raw and must fit. what names the values in
 * messages ("inputs", "weights"). */
struct npy;
int npy_to_fixed(const char *path, const struct npy *a, struct fixed_fmt fmt, const char *what,
                 int32_t *q32, int64_t *q64, double *f);
int save_tensor(const char *path, const struct layer *l, const struct tensor *t, bool batched,
                bool raw);
int save_ftensor(const char *path, const struct layer *l, const struct ftensor *t, bool batched);

/* rng: splitmix64, the one pseudo-random source (weights, inputs) */
static inline uint64_t rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}
static inline double rng_unit(uint64_t *s) /* [0, 1) */
{
	return (double)(rng_next(s) >> 11) * (1.0 / 9007199254740992.0);
}

#endif
