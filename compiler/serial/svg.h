/* svg.h: the roofline plot of a serial design, OUT_roofline.svg (svg.c). */
#ifndef NNC_SERIAL_SVG_H
#define NNC_SERIAL_SVG_H

#include "lower.h"

/* A box in the plot's pixels (y grows downwards). */
struct svg_box {
	double x0, y0, x1, y1;
};

/* A label: the marker it names (its centre) and its text's size; the
 * placement sets its box, and leader when the box sits away from the
 * marker and a line joins them. */
struct svg_label {
	double px, py, w, h;
	struct svg_box box;
	bool leader;
};

/* Place n labels inside area, each near its marker, so that no two boxes
 * intersect, none covers a box of avoid (the markers; owner[k] the label
 * whose marker avoid[k] is), a name beside its marker is nearer it than
 * any other, and no leader line runs through a name or another label's
 * marker. Among the free candidate positions (around the marker, further
 * out with a leader) the nearest wins, less one that crosses the polyline
 * line (npts points: x0 y0 x1 y1 ...) or another leader. The most crowded
 * markers choose first. Returns how many found no free place (then placed
 * at their nearest candidate regardless). */
int svg_place_labels(struct svg_label *lab, int n, const struct svg_box *avoid, const int *owner,
                     int navoid, const double *line, int npts, struct svg_box area);

/* The width in pixels of text at font-size 11 (sans-serif), an upper
 * estimate from per-character widths. */
double svg_text_width(const char *text);

/* The whole plot: axes, one point per conv/fc layer (its attainable
 * figure, and a ring at the estimate's when that is on the axes), the
 * placed labels, and the legend, which sits right of the plot area. */
struct svg_plot {
	double W, H, L, T, pw, ph;         /* image and plot area */
	double xlo, xhi, ylo, yhi;         /* axis ranges, whole decades */
	double peak, bw;                   /* the roofs: MACs/cycle, bytes/cycle */
	int n;                             /* layers plotted */
	struct sroof *r;
	double *oi, *a, *got;              /* intensity, attainable, estimated (0: none) */
	/* one label a point: layers whose dots fall on one spot (a deep
	 * network's repeated blocks) share a label, "a, b, c" or "a +k" */
	int nlab;
	struct svg_label *lab;
	const char **text;                 /* each label's text */
	int *lab_of;                       /* the label of each layer */
	int nmark;                         /* marker boxes: a dot per layer, a ring per estimate */
	struct svg_box *mark;
	int *owner;                        /* the label of each marker */
	struct svg_box legend;
	int unplaced;                      /* labels without a free place */
};
void serial_svg_layout(const struct serial *s, const struct network *net, struct svg_plot *p);
/* Plot coordinates of (intensity, MACs per cycle). */
double svg_sx(const struct svg_plot *p, double x);
double svg_sy(const struct svg_plot *p, double y);

int serial_write_svg(const struct serial *s, const struct network *net, const struct compile_opts *o);

#endif
