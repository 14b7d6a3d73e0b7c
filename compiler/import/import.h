/* import.h: the state shared by the ONNX importer's two halves: onnx.c
 * (the model, its tensors and constants, names, layers, and the output) and
 * ops.c (one handler per ONNX operator). */
#ifndef NNC_IMPORT_H
#define NNC_IMPORT_H

#include "ast.h"
#include "onnx.pb-c.h"

typedef NncOnnx__ModelProto onnx_model;
typedef NncOnnx__GraphProto onnx_graph;
typedef NncOnnx__NodeProto onnx_node;
typedef NncOnnx__AttributeProto onnx_attr;
typedef NncOnnx__TensorProto onnx_tensor;
typedef NncOnnx__ValueInfoProto onnx_value_info;

enum { ONNX_FLOAT = 1, ONNX_INT32 = 6, ONNX_INT64 = 7, ONNX_DOUBLE = 11 };
enum { MAX_DIM = 1 << 20 };
/* The newest ai.onnx opset whose operator definitions the importer was
 * written against; a newer model imports with a warning. */
enum { ONNX_OPSET_KNOWN = 21 };


/* What a tensor name stands for. */
enum tkind { T_UNKNOWN, T_CONST, T_ACT, T_BAD };

struct tinfo {
	const char *name;
	int uses;                  /* node inputs and graph outputs that read it */
	enum tkind kind;
	const onnx_tensor *t;      /* T_CONST */
	int layer;                 /* T_ACT: its layer, or -1 for the network input */
	bool flat;                 /* T_ACT: [N, K] rather than [N, C, H, W] */
	const onnx_node *producer; /* the node that writes it, if any */
};

/* A layer being imported: what sema will see, plus its float weights. */
struct ilayer {
	enum layer_kind kind;
	const char *name;
	int src[2], nsrc;
	struct shape out;
	int filters, kh, kw, sh, sw, ph, pw, groups;
	bool global;
	enum act act;
	float *w, *b;              /* conv, fc: PyTorch layouts; b NULL: no bias */
	int64_t nw;
	int uses;                  /* readers of its output, through pass-throughs */
};

struct imp {
	const char *path;          /* the model, for messages */
	const onnx_graph *g;
	int64_t opset;
	struct tinfo *t;           /* open addressing, tcap a power of two */
	size_t tcap;
	struct ilayer *l;
	int nl, capl;
	const char **names;        /* identifiers taken: a hash table, capnames a power of two */
	int nnames, capnames;
	struct shape in_shape;
	const char *in_name;
	const onnx_node *node;     /* the node being imported, for messages */
};

struct window {
	int64_t kh, kw, sh, sw, ph, pw;
};

bool node_error(struct imp *im, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *node_name(const onnx_node *n);
const char *dtype_name(int t);
const char *shape_str(struct shape s, bool flat);
struct tinfo *tget(struct imp *im, const char *name);
const onnx_attr *attr(const onnx_node *n, const char *name);
int64_t attr_int(const onnx_node *n, const char *name, int64_t dflt);
double attr_float(const onnx_node *n, const char *name, double dflt);
bool attr_ints(struct imp *im, const char *name, int64_t *v, size_t want);
const char *attr_str(const onnx_node *n, const char *name, const char *dflt);
const char *list_str(const int64_t *v, size_t n);
int64_t tensor_count(const onnx_tensor *t);
double *const_values(struct imp *im, const onnx_tensor *t, bool ints, int64_t *count);
const char *input_name(const onnx_node *n, size_t k);
struct tinfo *in_act(struct imp *im, size_t k);
const onnx_tensor *in_const(struct imp *im, size_t k, bool optional, bool *bad);
struct shape act_shape(struct imp *im, const struct tinfo *v);
bool only_first_output(struct imp *im);
struct ilayer *new_layer(struct imp *im, enum layer_kind kind, const struct tinfo *src, struct shape out, bool flat);
void alias(struct imp *im, const struct tinfo *v, bool flat);
int foldable(struct imp *im, const struct tinfo *v, unsigned kinds);
void folded(struct imp *im, int i, bool flat);
bool read_window(struct imp *im, struct shape s, struct window *w, bool pool);
struct shape window_out(struct shape s, const struct window *w, int c);
void set_window(struct ilayer *l, const struct window *w);
float *to_float(const double *d, int64_t n);
/* ops.c: import the node im->node; false after an error */
bool import_node(struct imp *im);

#endif
