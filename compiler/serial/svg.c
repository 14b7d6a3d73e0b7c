/* svg.c: OUT_roofline.svg, the serial design's layers against the compute
 * and bandwidth roofs. */
#include "svg.h"

#include <math.h>

/* OUT_roofline.svg: log-log axes, operational intensity (MACs per byte over
 * the bus) against MACs per cycle; the compute roof TM*TN, the bandwidth
 * roof intensity * MW/8; per conv/fc layer a filled dot at its attainable
 * figure and a ring at what the compiler's estimate reaches. */
int serial_write_svg(const struct serial *s, const struct network *net, const struct compile_opts *o)
{
	FILE *f = out_open(out_path(o, "_roofline.svg"));
	if (!f)
		return -1;
	int n = serial_roofline(s, net, NULL);
	struct sroof *r = xcalloc((size_t)(n ? n : 1), sizeof *r);
	serial_roofline(s, net, r);
	double peak = (double)s->tm * s->tn, bw = s->mw / 8.0;
	/* axis ranges: whole decades around every point and the ridge */
	double xlo = peak / bw, xhi = peak / bw, ylo = 1, yhi = peak;
	for (int k = 0; k < n; k++) {
		double oi = r[k].macs / r[k].bytes;
		if (oi < xlo) xlo = oi;
		if (oi > xhi) xhi = oi;
		double a = oi * bw < peak ? oi * bw : peak;
		if (a < ylo) ylo = a;
	}
	xlo = pow(10, floor(log10(xlo)) ), xhi = pow(10, ceil(log10(xhi * 1.01)));
	ylo = pow(10, floor(log10(ylo * 0.5))), yhi = pow(10, ceil(log10(yhi * 1.5)));
	if (xhi / xlo < 100)
		xhi = xlo * 100;
	const double W = 720, H = 480, L = 70, R = 170, T = 40, B = 50;
	double pw = W - L - R, ph = H - T - B;
#define SX(x) (L + pw * (log10(x) - log10(xlo)) / (log10(xhi) - log10(xlo)))
#define SY(y) (T + ph * (1 - (log10(y) - log10(ylo)) / (log10(yhi) - log10(ylo))))
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
	        "viewBox=\"0 0 %.0f %.0f\" font-family=\"sans-serif\" font-size=\"11\">\n"
	        "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
	        "<text x=\"%.0f\" y=\"22\" font-size=\"14\">%s, serial %dx%d, %d-bit bus: roofline "
	        "(nnc %s)</text>\n",
	        W, H, W, H, L, net->name, s->tm, s->tn, s->mw, NNC_VERSION);
	/* grid and ticks, one a decade */
	for (double x = xlo; x <= xhi * 1.001; x *= 10)
		fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>"
		        "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%g</text>\n",
		        SX(x), T, SX(x), T + ph, SX(x), T + ph + 16, x);
	for (double y = ylo; y <= yhi * 1.001; y *= 10)
		fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>"
		        "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%g</text>\n",
		        L, SY(y), L + pw, SY(y), L - 6, SY(y) + 4, y);
	fprintf(f, "<rect x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" height=\"%.0f\" fill=\"none\" "
	        "stroke=\"black\"/>\n", L, T, pw, ph);
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">operational intensity "
	        "(MACs per byte over the bus)</text>\n", L + pw / 2, H - 12);
	fprintf(f, "<text transform=\"translate(16 %.1f) rotate(-90)\" text-anchor=\"middle\">"
	        "MACs per cycle</text>\n", T + ph / 2);
	/* the roofs */
	double ridge = peak / bw, x0 = xlo, y0 = xlo * bw;
	if (y0 < ylo) {
		y0 = ylo;
		x0 = ylo / bw;
	}
	fprintf(f, "<polyline fill=\"none\" stroke=\"#c33\" stroke-width=\"2\" "
	        "points=\"%.1f,%.1f %.1f,%.1f %.1f,%.1f\"/>\n",
	        SX(x0), SY(y0), SX(ridge), SY(peak), SX(xhi), SY(peak));
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" fill=\"#c33\">compute roof %.0f MACs/cycle "
	        "(TM*TN)</text>\n", SX(ridge) + 6, SY(peak) - 6, peak);
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" fill=\"#c33\" text-anchor=\"end\">bandwidth roof "
	        "%.0f bytes/cycle</text>\n", SX(ridge) - 6, SY(peak) - 6, bw);
	/* the layers */
	for (int k = 0; k < n; k++) {
		const struct layer *l = &net->layers[r[k].layer];
		double oi = r[k].macs / r[k].bytes, a = oi * bw < peak ? oi * bw : peak;
		bool mem = r[k].memory > r[k].compute;
		int64_t est = 0;
		for (int q = 0; q < s->ndesc; q++)
			if (s->desc[q].layer == r[k].layer)
				est += s->desc[q].est;
		est = (est + s->batch - 1) / s->batch;
		double got = est > 0 ? r[k].macs / (double)est : 0;
		const char *col = mem ? "#1f5fbf" : "#2a8a2a";
		fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\"><title>%s: %.3g MACs/byte, "
		        "attainable %.1f MACs/cycle (%s-bound)</title></circle>\n",
		        SX(oi), SY(a), col, l->name, oi, a, mem ? "memory" : "compute");
		if (got > ylo)
			fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"none\" stroke=\"%s\"/>\n",
			        SX(oi), SY(got), col);
		fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" fill=\"%s\">%s</text>\n", SX(oi) + 6,
		        SY(a) + (k % 2 ? 12 : -4), col, l->name);
	}
	/* the legend */
	double lx = L + pw + 14, ly = T + 10;
	fprintf(f, "<circle cx=\"%.0f\" cy=\"%.0f\" r=\"4\" fill=\"#2a8a2a\"/>"
	        "<text x=\"%.0f\" y=\"%.0f\">compute-bound layer</text>\n", lx, ly, lx + 10, ly + 4);
	fprintf(f, "<circle cx=\"%.0f\" cy=\"%.0f\" r=\"4\" fill=\"#1f5fbf\"/>"
	        "<text x=\"%.0f\" y=\"%.0f\">memory-bound layer</text>\n", lx, ly + 18, lx + 10, ly + 22);
	fprintf(f, "<circle cx=\"%.0f\" cy=\"%.0f\" r=\"4\" fill=\"none\" stroke=\"black\"/>"
	        "<text x=\"%.0f\" y=\"%.0f\">estimated</text>\n", lx, ly + 36, lx + 10, ly + 40);
	fputs("</svg>\n", f);
#undef SX
#undef SY

	return 0;
}
