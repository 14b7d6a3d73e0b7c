/* memlimit.c: what the golden model and the serial memory image will need,
 * checked against the limit before anything that large is allocated
 * (docs/DESIGN.md §2.6, the one definition of the estimate). */
#include "nnc.h"

int64_t mem_limit = (int64_t)8 << 30;

static double gib(int64_t b) { return (double)b / (double)((int64_t)1 << 30); }

/* The estimate's parts: weights (with their float copies when asked), the
 * working space, and the live elements per image at their peak, whose layer
 * is *peak (-1: the input alone). */
struct need {
	int64_t weights, space, live, all;   /* all: every layer's output, per image */
	int peak, space_at, heaviest;        /* the layers of the live peak, the space, the most weights */
};

static struct need estimate(const struct network *net, bool floats)
{
	struct need e = {.live = shape_elems(net->in_shape), .peak = -1, .space_at = -1, .heaviest = -1};
	int64_t most = 0;
	int nl = net->nlayers;
	int *last = xcalloc((size_t)(nl ? nl : 1), sizeof *last);
	for (int i = 0; i < nl; i++) {
		last[i] = i;
		for (int k = 0; k < net->layers[i].nsrc; k++)
			if (net->layers[i].src[k] >= 0)
				last[net->layers[i].src[k]] = i;
	}
	if (nl)
		last[net->output] = nl;
	int64_t live = shape_elems(net->in_shape);
	for (int i = 0; i < nl; i++) {
		const struct layer *l = &net->layers[i];
		int64_t nw = layer_weight_count(l), nb = layer_bias_count(l);
		e.weights += 4 * nw + 8 * nb + (floats ? 8 * (nw + nb) : 0);
		int64_t space = 8 * nw + 16 * shape_elems(l->ishape);
		if (space > e.space) {
			e.space = space;
			e.space_at = i;
		}
		if (nw > most) {
			most = nw;
			e.heaviest = i;
		}
		live += shape_elems(l->oshape);
		e.all += shape_elems(l->oshape);
		if (live > e.live) {
			e.live = live;
			e.peak = i;
		}
		for (int k = 0; k < l->nsrc; k++) {
			int s = l->src[k];
			if (s >= 0 && last[s] == i)
				live -= shape_elems(net->layers[s].oshape);
		}
		if (last[i] == i)
			live -= shape_elems(l->oshape);
	}
	return e;
}

static int64_t total(const struct need *e, int64_t n, bool floats, bool keep_all)
{
	return e->weights + e->space + n * e->live * (floats ? 12 : 4) + (keep_all ? n * 8 * e->all : 0);
}

/* The layer of the largest part, or -1 for the input. */
static int culprit(const struct need *e)
{
	int64_t maps = 4 * e->live;
	if (e->weights >= maps && e->weights >= e->space)
		return e->heaviest;
	return e->space > maps ? e->space_at : e->peak;
}

int mem_check_network(const struct network *net)
{
	struct need e = estimate(net, false);
	int64_t b = total(&e, 1, false, false);
	if (b <= mem_limit)
		return 0;
	int at = culprit(&e);
	error_at(at >= 0 ? net->layers[at].loc : net->in_loc,
	         "the golden model would need about %.1f GiB for one image (weights %.1f GiB, "
	         "feature maps at their peak %.1f GiB, working space %.1f GiB), over the %.0f GiB "
	         "limit (--mem-limit GIB raises it)", gib(b), gib(e.weights), gib(4 * e.live),
	         gib(e.space), gib(mem_limit));
	return -1;
}

int mem_check_images(const struct network *net, int64_t n, bool floats, bool keep_all,
                     const char *path)
{
	struct need e = estimate(net, floats);
	int64_t b = total(&e, n, floats, keep_all);
	if (b <= mem_limit)
		return 0;
	error_file(path, "%lld images would need about %.1f GiB in the golden model%s, over the "
	           "%.0f GiB limit: give fewer images a run, or raise it with --mem-limit GIB",
	           (long long)n, gib(b), floats ? " and its float reference" : "", gib(mem_limit));
	return -1;
}

int mem_check_image(const struct network *net, int64_t bytes, const char *what)
{
	if (bytes <= mem_limit)
		return 0;
	error_at(net->loc, "%s would take %.1f GiB, over the %.0f GiB limit (--mem-limit GIB "
	         "raises it)", what, gib(bytes), gib(mem_limit));
	return -1;
}
