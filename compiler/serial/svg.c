/* svg.c: OUT_roofline.svg, the serial design's layers against the compute
 * and bandwidth roofs. The layout (axes, points, labels placed so that none
 * covers another or a marker, the legend beside the plot) is computed
 * apart from the drawing, so a unit test can check it. */
#include "svg.h"

#include <math.h>
#include <string.h>

/* ---- label placement ------------------------------------------------------ */

/* DejaVu Sans advance widths in em, rounded up: rsvg and most browsers
 * draw "sans-serif" with it or a narrower face (Liberation, Arial), so the
 * boxes hold the drawn text. */
double svg_text_width(const char *text)
{
	double em = 0;
	for (const char *c = text; *c; c++) {
		if (strchr("ijl.,:;!|'", *c))
			em += 0.30;
		else if (strchr("frt()[]-", *c))
			em += 0.42;
		else if (strchr("mwMW", *c))
			em += 1.00;
		else if (*c >= 'A' && *c <= 'Z')
			em += 0.78;
		else
			em += 0.64;   /* digits 0.636, most lower case 0.55-0.63 */
	}
	return ceil(em * 11);
}

static bool overlap(struct svg_box a, struct svg_box b)
{
	return a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;
}

static bool inside(struct svg_box a, struct svg_box area)
{
	return a.x0 >= area.x0 && a.x1 <= area.x1 && a.y0 >= area.y0 && a.y1 <= area.y1;
}

/* Does the segment (x0,y0)-(x1,y1) pass through b's interior? Liang-Barsky
 * clipping against the box shrunk by half a pixel. */
static bool seg_hits(double x0, double y0, double x1, double y1, struct svg_box b)
{
	double t0 = 0, t1 = 1, dx = x1 - x0, dy = y1 - y0;
	double p[4] = {-dx, dx, -dy, dy};
	double q[4] = {x0 - (b.x0 + 0.5), (b.x1 - 0.5) - x0, y0 - (b.y0 + 0.5), (b.y1 - 0.5) - y0};
	for (int i = 0; i < 4; i++) {
		if (p[i] == 0) {
			if (q[i] < 0)
				return false;
			continue;
		}
		double t = q[i] / p[i];
		if (p[i] < 0) {
			if (t > t1)
				return false;
			if (t > t0)
				t0 = t;
		} else {
			if (t < t0)
				return false;
			if (t < t1)
				t1 = t;
		}
	}
	return t0 < t1;
}

/* The distance from (x, y) to box b (0 inside). */
static double box_dist(struct svg_box b, double x, double y)
{
	double dx = x < b.x0 ? b.x0 - x : x > b.x1 ? x - b.x1 : 0;
	double dy = y < b.y0 ? b.y0 - y : y > b.y1 ? y - b.y1 : 0;
	return sqrt(dx * dx + dy * dy);
}

/* Do two segments cross (proper intersection)? */
static bool seg_cross(const double *a, const double *b)
{
#define ORIENT(p, q, r) (((q)[0] - (p)[0]) * ((r)[1] - (p)[1]) - ((q)[1] - (p)[1]) * ((r)[0] - (p)[0]))
	double d1 = ORIENT(a, a + 2, b), d2 = ORIENT(a, a + 2, b + 2);
	double d3 = ORIENT(b, b + 2, a), d4 = ORIENT(b, b + 2, a + 2);
#undef ORIENT
	return ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0));
}

/* A label's leader: from its marker's edge to the nearest point of its box. */
static void leader_of(const struct svg_label *l, struct svg_box b, double seg[4])
{
	double nx = l->px < b.x0 ? b.x0 : l->px > b.x1 ? b.x1 : l->px;
	double ny = l->py < b.y0 ? b.y0 : l->py > b.y1 ? b.y1 : l->py;
	double dx = nx - l->px, dy = ny - l->py, d = sqrt(dx * dx + dy * dy);
	double k = d > 5 ? 5 / d : 0;
	seg[0] = l->px + dx * k;
	seg[1] = l->py + dy * k;
	seg[2] = nx;
	seg[3] = ny;
}

/* A placement under way: the labels, which of them are placed, and what
 * they must keep clear of. */
struct placer {
	struct svg_label *lab;
	int n;
	bool *placed;
	const struct svg_box *avoid;
	const int *owner;
	int navoid;
	const double *line;
	int npts;
	struct svg_box area;
};

/* The cost of box b for label i among the placed labels: its distance from
 * the marker, plus 500 for a leader through a name (either way), 150 for a
 * name on the roof line, 60 for crossing leaders and 25 for each marker a
 * leader runs through; lead says whether b takes a leader. Negative when b
 * is not free: outside the area, on a name or a marker, or beside its
 * marker but as near another. */
static double cost(const struct placer *pl, int i, struct svg_box b, double dist, bool lead)
{
	const struct svg_label *lab = pl->lab;
	int n = pl->n;
	const bool *placed = pl->placed;
	const struct svg_box *avoid = pl->avoid, area = pl->area;
	const double *line = pl->line;
	if (!inside(b, area))
		return -1;
	for (int k = 0; k < pl->navoid; k++)
		if (overlap(b, avoid[k]))
			return -1;
	for (int j = 0; j < n; j++)
		if (placed[j] && overlap(b, lab[j].box))
			return -1;
	double seg[4], c = dist;
	leader_of(&lab[i], b, seg);
	for (int j = 0; j < n; j++) {
		if (j == i)
			continue;
		/* a name beside a marker must be nearer its own than any other */
		if (!lead && box_dist(b, lab[j].px, lab[j].py) < box_dist(b, lab[i].px, lab[i].py) + 4)
			return -1;
		if (!placed[j])
			continue;
		/* a line through a name: only where nothing else is free */
		if (lead && seg_hits(seg[0], seg[1], seg[2], seg[3], lab[j].box))
			c += 500;
		if (lab[j].leader) {
			double sj[4];
			leader_of(&lab[j], lab[j].box, sj);
			if (seg_hits(sj[0], sj[1], sj[2], sj[3], b))
				c += 500;
		}
	}
	for (int k = 0; k + 1 < pl->npts; k++)
		if (seg_hits(line[2 * k], line[2 * k + 1], line[2 * k + 2], line[2 * k + 3], b)) {
			c += 150;
			break;
		}
	for (int j = 0; j < n; j++)
		if (placed[j] && j != i && lead && lab[j].leader) {
			double sj[4];
			leader_of(&lab[j], lab[j].box, sj);
			if (seg_cross(seg, sj))
				c += 60;
		}
	/* a line through another layer's marker: allowed where the markers
	 * crowd too close for any other way out, but each costs */
	if (lead)
		for (int k = 0; k < pl->navoid; k++)
			if (pl->owner[k] != i && seg_hits(seg[0], seg[1], seg[2], seg[3], avoid[k]))
				c += 25;
	return c;
}

/* The box of width w, height h attached at q = p + d (cos t, sin t) on the
 * side away from p. */
static struct svg_box attach(double px, double py, double w, double h, double d, double t)
{
	double cx = cos(t), cy = sin(t), qx = px + d * cx, qy = py + d * cy;
	struct svg_box b;
	b.x0 = cx > 0.3 ? qx : cx < -0.3 ? qx - w : qx - w / 2;
	b.y0 = cy > 0.3 ? qy : cy < -0.3 ? qy - h : qy - h / 2;
	b.x1 = b.x0 + w;
	b.y1 = b.y0 + h;
	return b;
}

/* Put label i at its cheapest free position given the placed ones: around
 * its marker first, then, when every one there is taken or costs a line
 * through a name, anywhere in the area. False when no position is free. */
static bool place_one(const struct placer *pl, int i)
{
	/* distances from the marker's centre: 8 touches its edge, further ones
	 * take a leader; sixteen directions, right of the marker first */
	static const double dist[] = {8, 16, 26, 38, 52, 68, 86, 106, 130, 160, 195, 235, 280, 330};
	enum { NDIR = 16 };
	const double pi = 3.14159265358979323846;
	struct svg_label *l = &pl->lab[i];
	double best = -1, bd = 0;
	struct svg_box bb = {0, 0, 0, 0}, fb = {0, 0, 0, 0};
	bool have_fb = false;
	for (size_t r = 0; r < sizeof dist / sizeof *dist; r++)
		for (int k = 0; k < NDIR; k++) {
			/* 0, then +-22.5, +-45, ... degrees, up before down */
			int step = (k + 1) / 2;
			double t = (k % 2 ? -1 : 1) * step * 2 * pi / NDIR;
			struct svg_box b = attach(l->px, l->py, l->w, l->h, dist[r], t);
			double c = cost(pl, i, b, dist[r] + 0.3 * step, r > 0);
			if (c >= 0 && (best < 0 || c < best)) {
				best = c;
				bb = b;
				bd = dist[r];
			}
			if (!have_fb && inside(b, pl->area)) {
				have_fb = true;
				fb = b;
			}
		}
	if (best < 0 || best >= 500)
		for (double y = pl->area.y0; y + l->h <= pl->area.y1; y += 6)
			for (double x = pl->area.x0; x + l->w <= pl->area.x1; x += 6) {
				struct svg_box b = {x, y, x + l->w, y + l->h};
				double dx = x + l->w / 2 - l->px, dy = y + l->h / 2 - l->py;
				double c = cost(pl, i, b, sqrt(dx * dx + dy * dy), true);
				if (c >= 0 && (best < 0 || c < best)) {
					best = c;
					bb = b;
					bd = 1e9;
				}
			}
	if (best < 0) {
		bb = fb;
		bd = dist[0];
	}
	l->box = bb;
	l->leader = bd > dist[0];
	return best >= 0;
}

int svg_place_labels(struct svg_label *lab, int n, const struct svg_box *avoid, const int *owner,
                     int navoid, const double *line, int npts, struct svg_box area)
{
	size_t sz = (size_t)(n ? n : 1);
	struct placer pl = {lab, n, xcalloc(sz, sizeof(bool)), avoid, owner, navoid, line, npts, area};
	int *order = xcalloc(sz, sizeof *order), *crowd = xcalloc(sz, sizeof *crowd);
	bool *ok = xcalloc(sz, sizeof *ok);
	/* the most crowded markers choose first */
	for (int i = 0; i < n; i++) {
		order[i] = i;
		for (int j = 0; j < n; j++)
			if (fabs(lab[j].px - lab[i].px) < 40 && fabs(lab[j].py - lab[i].py) < 40)
				crowd[i]++;
	}
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && crowd[order[j]] > crowd[order[j - 1]]; j--) {
			int t = order[j];
			order[j] = order[j - 1];
			order[j - 1] = t;
		}
	for (int k = 0; k < n; k++) {
		ok[order[k]] = place_one(&pl, order[k]);
		pl.placed[order[k]] = true;
	}
	/* then each again among all the others, while that moves any: a label
	 * placed early no longer blocks the ones after it */
	for (int round = 0; round < 4; round++) {
		bool moved = false;
		for (int k = 0; k < n; k++) {
			int i = order[k];
			struct svg_box was = lab[i].box;
			pl.placed[i] = false;
			ok[i] = place_one(&pl, i);
			pl.placed[i] = true;
			moved |= memcmp(&was, &lab[i].box, sizeof was) != 0;
		}
		if (!moved)
			break;
	}
	int unplaced = 0;
	for (int i = 0; i < n; i++)
		unplaced += !ok[i];
	return unplaced;
}

/* ---- the layout ------------------------------------------------------------ */

double svg_sx(const struct svg_plot *p, double x)
{
	return p->L + p->pw * (log10(x) - log10(p->xlo)) / (log10(p->xhi) - log10(p->xlo));
}

double svg_sy(const struct svg_plot *p, double y)
{
	return p->T + p->ph * (1 - (log10(y) - log10(p->ylo)) / (log10(p->yhi) - log10(p->ylo)));
}

/* Legend rows: the text of row k (the roofs' figures filled in). */
static const char *legend_row(const struct svg_plot *p, int k)
{
	switch (k) {
	case 0: return "compute-bound layer";
	case 1: return "memory-bound layer";
	case 2: return "estimated";
	case 3: return "compute roof (TM*TN):";
	case 4: return xprintf("%.0f MACs/cycle", p->peak);
	case 5: return "bandwidth roof (bus):";
	case 6: return xprintf("%g bytes/cycle", p->bw);
	}
	return NULL;
}

enum { LEGEND_ROWS = 7 };

void serial_svg_layout(const struct serial *s, const struct network *net, struct svg_plot *p)
{
	memset(p, 0, sizeof *p);
	int n = p->n = serial_roofline(s, net, NULL);
	p->r = xcalloc((size_t)(n ? n : 1), sizeof *p->r);
	serial_roofline(s, net, p->r);
	double peak = p->peak = (double)s->tm * s->tn, bw = p->bw = s->mw / 8.0;
	p->oi = xcalloc((size_t)(n ? n : 1), sizeof *p->oi);
	p->a = xcalloc((size_t)(n ? n : 1), sizeof *p->a);
	p->got = xcalloc((size_t)(n ? n : 1), sizeof *p->got);
	/* axis ranges: whole decades around every point and the ridge */
	double xlo = peak / bw, xhi = peak / bw, ylo = 1, yhi = peak;
	for (int k = 0; k < n; k++) {
		double oi = p->oi[k] = p->r[k].macs / p->r[k].bytes;
		if (oi < xlo) xlo = oi;
		if (oi > xhi) xhi = oi;
		double a = p->a[k] = oi * bw < peak ? oi * bw : peak;
		if (a < ylo) ylo = a;
		int64_t est = 0;
		for (int q = 0; q < s->ndesc; q++)
			if (s->desc[q].layer == p->r[k].layer)
				est += s->desc[q].est;
		est = (est + s->batch - 1) / s->batch;
		p->got[k] = est > 0 ? p->r[k].macs / (double)est : 0;
	}
	xlo = pow(10, floor(log10(xlo))), xhi = pow(10, ceil(log10(xhi * 1.01)));
	ylo = pow(10, floor(log10(ylo * 0.5))), yhi = pow(10, ceil(log10(yhi * 1.5)));
	if (xhi / xlo < 100)
		xhi = xlo * 100;
	p->xlo = xlo, p->xhi = xhi, p->ylo = ylo, p->yhi = yhi;
	/* the legend to the right of the plot area, as wide as its longest row */
	double lw = 0;
	for (int k = 0; k < LEGEND_ROWS; k++) {
		double w = svg_text_width(legend_row(p, k));
		lw = w > lw ? w : lw;
	}
	lw += 24;
	p->W = 70 + 480 + 12 + lw + 8;
	p->H = 480;
	p->L = 70;
	p->T = 40;
	p->pw = 480;
	p->ph = p->H - p->T - 50;
	p->legend = (struct svg_box){p->L + p->pw + 12, p->T, p->L + p->pw + 12 + lw,
	                             p->T + 18 * LEGEND_ROWS};
	/* markers: a dot per layer, a ring per estimate on the axes */
	p->mark = xcalloc((size_t)(2 * n + 1), sizeof *p->mark);
	p->owner = xcalloc((size_t)(2 * n + 1), sizeof *p->owner);
	p->lab = xcalloc((size_t)(n ? n : 1), sizeof *p->lab);
	p->text = xcalloc((size_t)(n ? n : 1), sizeof *p->text);
	p->lab_of = xcalloc((size_t)(n ? n : 1), sizeof *p->lab_of);
	int *shared = xcalloc((size_t)(n ? n : 1), sizeof *shared);
	for (int k = 0; k < n; k++) {
		double x = svg_sx(p, p->oi[k]), y = svg_sy(p, p->a[k]);
		/* a dot within 2 pixels of an earlier label's: that label names it too */
		int q = -1;
		for (int i = 0; i < p->nlab && q < 0; i++)
			if (fabs(p->lab[i].px - x) < 2 && fabs(p->lab[i].py - y) < 2)
				q = i;
		if (q < 0) {
			q = p->nlab++;
			p->lab[q] = (struct svg_label){.px = x, .py = y};
			p->text[q] = net->layers[p->r[k].layer].name;
		} else {
			/* up to three names listed, more counted */
			if (++shared[q] <= 2)
				p->text[q] = xprintf("%s, %s", p->text[q], net->layers[p->r[k].layer].name);
		}
		p->lab_of[k] = q;
		p->owner[p->nmark] = q;
		p->mark[p->nmark++] = (struct svg_box){x - 5, y - 5, x + 5, y + 5};
		if (p->got[k] > ylo) {
			double g = svg_sy(p, p->got[k]);
			p->owner[p->nmark] = q;
			p->mark[p->nmark++] = (struct svg_box){x - 5, g - 5, x + 5, g + 5};
		}
	}
	for (int i = 0; i < p->nlab; i++) {
		if (shared[i] > 2) {
			int k = 0;
			while (p->lab_of[k] != i)
				k++;
			p->text[i] = xprintf("%s +%d", net->layers[p->r[k].layer].name, shared[i]);
		}
		p->lab[i].w = svg_text_width(p->text[i]) + 2;
		p->lab[i].h = 13;
	}
	double ridge = peak / bw, x0 = xlo, y0 = xlo * bw;
	if (y0 < ylo) {
		y0 = ylo;
		x0 = ylo / bw;
	}
	double roof[6] = {svg_sx(p, x0), svg_sy(p, y0), svg_sx(p, ridge), svg_sy(p, peak),
	                  svg_sx(p, xhi), svg_sy(p, peak)};
	struct svg_box area = {p->L + 2, p->T + 2, p->L + p->pw - 2, p->T + p->ph - 2};
	p->unplaced = svg_place_labels(p->lab, p->nlab, p->mark, p->owner, p->nmark, roof, 3, area);
}

/* ---- the drawing ----------------------------------------------------------- */

/* OUT_roofline.svg: log-log axes, operational intensity (MACs per byte over
 * the bus) against MACs per cycle; the compute roof TM*TN, the bandwidth
 * roof intensity * MW/8; per conv/fc layer a filled dot at its attainable
 * figure and a ring at what the compiler's estimate reaches, its name
 * beside it (or further away with a leader line where the points crowd). */
int serial_write_svg(const struct serial *s, const struct network *net, const struct compile_opts *o)
{
	FILE *f = out_open(out_path(o, "_roofline.svg"));
	if (!f)
		return -1;
	struct svg_plot pl;
	serial_svg_layout(s, net, &pl);
	const struct svg_plot *p = &pl;
	double L = p->L, T = p->T, pw = p->pw, ph = p->ph;
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
	        "viewBox=\"0 0 %.0f %.0f\" font-family=\"sans-serif\" font-size=\"11\">\n"
	        "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
	        "<text x=\"%.0f\" y=\"22\" font-size=\"14\">%s, serial %dx%d, %d-bit bus: roofline "
	        "(nnc %s)</text>\n",
	        p->W, p->H, p->W, p->H, L, net->name, s->tm, s->tn, s->mw, NNC_VERSION);
	/* grid and ticks, one a decade */
	for (double x = p->xlo; x <= p->xhi * 1.001; x *= 10)
		fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>"
		        "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%g</text>\n",
		        svg_sx(p, x), T, svg_sx(p, x), T + ph, svg_sx(p, x), T + ph + 16, x);
	for (double y = p->ylo; y <= p->yhi * 1.001; y *= 10)
		fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>"
		        "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%g</text>\n",
		        L, svg_sy(p, y), L + pw, svg_sy(p, y), L - 6, svg_sy(p, y) + 4, y);
	fprintf(f, "<rect x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" height=\"%.0f\" fill=\"none\" "
	        "stroke=\"black\"/>\n", L, T, pw, ph);
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">operational intensity "
	        "(MACs per byte over the bus)</text>\n", L + pw / 2, p->H - 12);
	fprintf(f, "<text transform=\"translate(16 %.1f) rotate(-90)\" text-anchor=\"middle\">"
	        "MACs per cycle</text>\n", T + ph / 2);
	/* the roofs */
	double ridge = p->peak / p->bw, x0 = p->xlo, y0 = p->xlo * p->bw;
	if (y0 < p->ylo) {
		y0 = p->ylo;
		x0 = p->ylo / p->bw;
	}
	fprintf(f, "<polyline fill=\"none\" stroke=\"#c33\" stroke-width=\"2\" "
	        "points=\"%.1f,%.1f %.1f,%.1f %.1f,%.1f\"/>\n",
	        svg_sx(p, x0), svg_sy(p, y0), svg_sx(p, ridge), svg_sy(p, p->peak),
	        svg_sx(p, p->xhi), svg_sy(p, p->peak));
	/* the layers: markers first, then leaders and names over them */
	for (int k = 0; k < p->n; k++) {
		const struct layer *l = &net->layers[p->r[k].layer];
		bool mem = p->r[k].memory > p->r[k].compute;
		const char *col = mem ? "#1f5fbf" : "#2a8a2a";
		double x = svg_sx(p, p->oi[k]);
		fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\"><title>%s: %.3g MACs/byte, "
		        "attainable %.1f MACs/cycle (%s-bound)</title></circle>\n",
		        x, svg_sy(p, p->a[k]), col, l->name, p->oi[k], p->a[k], mem ? "memory" : "compute");
		if (p->got[k] > p->ylo)
			fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"none\" stroke=\"%s\"/>\n",
			        x, svg_sy(p, p->got[k]), col);
	}
	for (int i = 0; i < p->nlab; i++) {
		const struct svg_label *lb = &p->lab[i];
		int k = 0;
		while (p->lab_of[k] != i)
			k++;
		bool mem = p->r[k].memory > p->r[k].compute;
		const char *col = mem ? "#1f5fbf" : "#2a8a2a";
		if (lb->leader) {
			double seg[4];
			leader_of(lb, lb->box, seg);
			fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#999\" "
			        "stroke-width=\"0.8\"/>\n", seg[0], seg[1], seg[2], seg[3]);
		}
		fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" fill=\"%s\">%s</text>\n", lb->box.x0 + 1,
		        lb->box.y0 + 10, col, p->text[i]);
	}
	/* the legend, beside the plot area */
	double lx = p->legend.x0 + 5, ly = p->legend.y0 + 8;
	fprintf(f, "<circle cx=\"%.0f\" cy=\"%.0f\" r=\"4\" fill=\"#2a8a2a\"/>"
	        "<text x=\"%.0f\" y=\"%.0f\">%s</text>\n", lx, ly, lx + 14, ly + 4, legend_row(p, 0));
	fprintf(f, "<circle cx=\"%.0f\" cy=\"%.0f\" r=\"4\" fill=\"#1f5fbf\"/>"
	        "<text x=\"%.0f\" y=\"%.0f\">%s</text>\n", lx, ly + 18, lx + 14, ly + 22,
	        legend_row(p, 1));
	fprintf(f, "<circle cx=\"%.0f\" cy=\"%.0f\" r=\"4\" fill=\"none\" stroke=\"black\"/>"
	        "<text x=\"%.0f\" y=\"%.0f\">%s</text>\n", lx, ly + 36, lx + 14, ly + 40,
	        legend_row(p, 2));
	for (int k = 0; k < 2; k++) {
		double y = ly + 54 + 36 * k;
		fprintf(f, "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"#c33\" "
		        "stroke-width=\"2\"/><text x=\"%.0f\" y=\"%.0f\" fill=\"#c33\">%s</text>"
		        "<text x=\"%.0f\" y=\"%.0f\" fill=\"#c33\">%s</text>\n",
		        lx - 5, y, lx + 5, y, lx + 14, y + 4, legend_row(p, 3 + 2 * k), lx + 14, y + 22,
		        legend_row(p, 4 + 2 * k));
	}
	fputs("</svg>\n", f);
	return 0;
}
