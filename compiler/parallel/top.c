/* top.c: <network>_top of a layer-parallel design, one engine per layer
 * and the streams between them, and OUT.json. */
#include "top.h"
#include "fixed.h"

#include <stdlib.h>
#include <string.h>


static const char *rom_name(const struct compile_opts *o, const struct layer *l, const char *what)
{
	return xprintf("%s_%s_%s.hex", out_base(o), l->name, what);
}

/* ---- the top module ----------------------------------------------------------- */

struct stream {
	const char *name;
	int lanes, width;           /* elements per beat, bits per element */
};

static void declare(FILE *f, struct stream s)
{
	fprintf(f, "wire [%d:0] %s_tdata;\nwire %s_tvalid, %s_tready, %s_tlast;\n",
	        s.lanes * s.width - 1, s.name, s.name, s.name, s.name);
}

static void ports(FILE *f, const char *in, const char *out)
{
	fprintf(f, "    .s_axis_tdata(%s_tdata), .s_axis_tvalid(%s_tvalid), .s_axis_tready(%s_tready), "
	           ".s_axis_tlast(%s_tlast),\n", in, in, in, in);
	fprintf(f, "    .m_axis_tdata(%s_tdata), .m_axis_tvalid(%s_tvalid), .m_axis_tready(%s_tready), "
	           ".m_axis_tlast(%s_tlast)\n", out, out, out, out);
}

/* The relu6 cap as a Verilog parameter: fx_relu6_cap, the one definition. */
static long long relu6_cap(struct fixed_fmt out) { return (long long)fx_relu6_cap(out); }

static int act_code(enum act a) { return a == ACT_RELU ? 1 : a == ACT_RELU6 ? 2 : 0; }

static void conv_engine(FILE *f, const struct compile_opts *o, const struct pengine *e,
                        const char *in, const char *out)
{
	const struct layer *l = e->l;
	bool conv = l->kind == L_CONV;
	int facc = l->in.f + l->wt.f;
	fprintf(f, "// %s: %s %dx%dx%d -> %dx%dx%d, PI=%d PO=%d, %lld multipliers, %lld cycles/frame\n",
	        l->name, layer_kind_names[l->kind], l->ishape.c, l->ishape.h, l->ishape.w,
	        l->oshape.c, l->oshape.h, l->oshape.w, e->pi, e->po, (long long)e->mults,
	        (long long)e->cycles);
	if (conv)
		fprintf(f, "nn_conv #(\n"
		           "    .C(%d), .H(%d), .W(%d), .F(%d), .KH(%d), .KW(%d), .SH(%d), .SW(%d), "
		           ".PH(%d), .PW(%d), .GROUPS(%d),\n",
		        l->ishape.c, l->ishape.h, l->ishape.w, l->filters, l->kh, l->kw, l->sh, l->sw,
		        l->ph, l->pw, l->groups);
	else
		fprintf(f, "nn_fc #(\n    .N(%lld), .UNITS(%d),\n", (long long)shape_elems(l->ishape),
		        l->filters);
	fprintf(f, "    .PI(%d), .PO(%d), .DATA_W(%d), .WGT_W(%d), .ACC_W(%d),\n", e->pi, e->po,
	        l->in.w, l->wt.w, l->acc_bits);
	fprintf(f, "    .HAS_BIAS(%d), .BIAS_W(%d), .BIAS_SHIFT(%d), .SHIFT(%d), .ROUND(%d),\n",
	        l->has_bias, l->has_bias ? l->bias.w : 2, l->has_bias ? facc - l->bias.f : 0,
	        facc - l->out.f, l->round == ROUND_NEAREST);
	fprintf(f, "    .OUT_W(%d), .ACT(%d), .RELU6_MAX(%lld),\n", l->out.w, act_code(l->act),
	        relu6_cap(l->out));
	fprintf(f, "    .WEIGHT_FILE(\"%s\"), .BIAS_FILE(\"%s\")\n", rom_name(o, l, "w"),
	        l->has_bias ? rom_name(o, l, "b") : "");
	fprintf(f, ") u_%s (\n    .clk(clk), .rst(rst),\n", l->name);
	ports(f, in, out);
	fputs(");\n\n", f);
}

static void maxpool_engine(FILE *f, const struct pengine *e, const char *in, const char *out)
{
	const struct layer *l = e->l;
	fprintf(f, "// %s: maxpool %dx%dx%d -> %dx%dx%d, %d lane(s), %lld cycles/frame\n", l->name,
	        l->ishape.c, l->ishape.h, l->ishape.w, l->oshape.c, l->oshape.h, l->oshape.w,
	        e->in_lanes, (long long)e->cycles);
	fprintf(f, "nn_maxpool #(\n    .C(%d), .H(%d), .W(%d), .LANES(%d), .DATA_W(%d),\n"
	           "    .KH(%d), .KW(%d), .SH(%d), .SW(%d), .PH(%d), .PW(%d)\n) u_%s (\n"
	           "    .clk(clk), .rst(rst),\n",
	        l->ishape.c, l->ishape.h, l->ishape.w, e->in_lanes, l->in.w, l->kh, l->kw, l->sh, l->sw,
	        l->ph, l->pw, l->name);
	ports(f, in, out);
	fputs(");\n\n", f);
}

static void add_engine(FILE *f, const struct pengine *e, const char *a, const char *b,
                       const char *out)
{
	const struct layer *l = e->l;
	struct fx_align al = fx_add_align(l->in, l->in2);
	fprintf(f, "// %s: add %dx%dx%d, %d lane(s)\n", l->name, l->oshape.c, l->oshape.h, l->oshape.w,
	        e->in_lanes);
	fprintf(f, "nn_add #(\n    .LANES(%d), .A_W(%d), .B_W(%d), .SHIFT_A(%d), .SHIFT_B(%d),\n"
	           "    .SHIFT(%d), .ROUND(%d), .OUT_W(%d), .ACT(%d), .RELU6_MAX(%lld)\n) u_%s (\n"
	           "    .clk(clk), .rst(rst),\n",
	        e->in_lanes, l->in.w, l->in2.w, al.sa, al.sb, al.f - l->out.f,
	        l->round == ROUND_NEAREST, l->out.w, act_code(l->act), relu6_cap(l->out), l->name);
	fprintf(f, "    .s_a_axis_tdata(%s_tdata), .s_a_axis_tvalid(%s_tvalid), .s_a_axis_tready(%s_tready), "
	           ".s_a_axis_tlast(%s_tlast),\n", a, a, a, a);
	fprintf(f, "    .s_b_axis_tdata(%s_tdata), .s_b_axis_tvalid(%s_tvalid), .s_b_axis_tready(%s_tready), "
	           ".s_b_axis_tlast(%s_tlast),\n", b, b, b, b);
	fprintf(f, "    .m_axis_tdata(%s_tdata), .m_axis_tvalid(%s_tvalid), .m_axis_tready(%s_tready), "
	           ".m_axis_tlast(%s_tlast)\n);\n\n", out, out, out, out);
}

static const char *tmp_name(const char *a, const char *b) { return xprintf("%s_%s", a, b); }

/* nnc sim --stall-inner: a random-gap slice in front of an engine. */
static struct stream stall(FILE *f, struct stream s, const char *name, int seed)
{
	struct stream t = {name, s.lanes, s.width};
	declare(f, t);
	fprintf(f, "nn_stall #(.DATA_W(%d), .SEED(%d)) u_%s (\n    .clk(clk), .rst(rst),\n",
	        s.lanes * s.width, seed, name);
	ports(f, s.name, name);
	fputs(");\n\n", f);
	return t;
}

static bool resized;                    /* a width converter was placed */
static bool forked;                     /* a fork was placed */

/* A width converter when the producer's lanes differ from the consumer's. */
static struct stream adapt(FILE *f, struct stream s, int lanes, const char *name, int64_t elems)
{
	if (s.lanes == lanes)
		return s;
	resized = true;
	struct stream t = {name, lanes, s.width};
	declare(f, t);
	(void)elems;
	fprintf(f, "nn_resize #(.DATA_W(%d), .IN_LANES(%d), .OUT_LANES(%d)) u_%s (\n"
	           "    .clk(clk), .rst(rst),\n",
	        s.width, s.lanes, lanes, name);
	ports(f, s.name, name);
	fputs(");\n\n", f);
	return t;
}

/* The header comment and the module's ports. */
static void top_ports(FILE *f, const struct pplan *p, const struct compile_opts *o)
{
	const struct network *net = p->net;
	const struct layer *ol = &net->layers[net->output];
	const struct pengine *oe = &p->e[net->output];
	const char *iface = xprintf(
		"Top module %s_top: clk, rst (synchronous, active high; clears control state).\n"
		"Input  s_axis_*: %d element(s) of %d bits per beat (fixed<%d,%d>), element i in\n"
		"        tdata[i*%d +: %d]; a frame is the [%d, %d, %d] input in HWC order (row, column,\n"
		"        channel fastest), %lld beats, tlast on the last.\n"
		"Output m_axis_*: %d element(s) of %d bits per beat (fixed<%d,%d>), layer %s's\n"
		"        [%d, %d, %d] output in HWC order, %lld beats per frame, tlast on the last.\n"
		"A beat moves when tvalid and tready are high; frames follow back to back.\n"
		"ROM images: %s_<layer>_w.hex / _b.hex, read with $readmemh from the directory\n"
		"the simulator or synthesis tool runs in.\n"
		"Multipliers %lld; frame interval estimate %lld cycles; bound %lld cycles.",
		net->name, p->in_lanes, net->in_fmt.w, net->in_fmt.w, net->in_fmt.f, net->in_fmt.w,
		net->in_fmt.w, net->in_shape.c, net->in_shape.h, net->in_shape.w,
		(long long)((shape_elems(net->in_shape) + p->in_lanes - 1) / p->in_lanes),
		oe->out_lanes, ol->out.w, ol->out.w, ol->out.f, ol->name, ol->oshape.c, ol->oshape.h,
		ol->oshape.w, (long long)(shape_elems(ol->oshape) / oe->out_lanes), out_base(o),
		(long long)p->mults, (long long)p->interval, (long long)p->bound);
	emit_header(f, net, o, xprintf("%s.v: %s, layer-parallel", out_base(o), net->name), iface);
	fputs("`resetall\n`timescale 1ns / 1ps\n`default_nettype none\n\n", f);
	fprintf(f, "module %s_top (\n    input  wire clk,\n    input  wire rst,\n", net->name);
	fprintf(f, "    input  wire [%d:0] s_axis_tdata,\n    input  wire s_axis_tvalid,\n"
	           "    output wire s_axis_tready,\n    input  wire s_axis_tlast,\n",
	        p->in_lanes * net->in_fmt.w - 1);
	fprintf(f, "    output wire [%d:0] m_axis_tdata,\n    output wire m_axis_tvalid,\n"
	           "    input  wire m_axis_tready,\n    output wire m_axis_tlast\n);\n\n",
	        oe->out_lanes * ol->out.w - 1);
}

/* Fork every stream with several readers into one stream per reader: a
 * chain of two-way forks, and on every branch a FIFO holding a whole
 * frame, so that the branch that reaches a join (add) first can always
 * take in what the other branch's engines hold back. branch[s + 1][k] is
 * the k-th reader's stream of layer s's output (s = -1: the input). */
static struct stream **fork_streams(FILE *f, const struct pplan *p, struct stream in,
                                    const struct stream *outs)
{
	const struct network *net = p->net;
	/* how many readers each stream has (the output port counts as one) */
	int *readers = xcalloc((size_t)net->nlayers + 1, sizeof *readers);
	for (int i = 0; i < net->nlayers; i++)
		if (net->layers[i].live)
			for (int k = 0; k < net->layers[i].nsrc; k++)
				readers[net->layers[i].src[k] + 1]++;
	readers[net->output + 1]++;
	struct stream **branch = xcalloc((size_t)net->nlayers + 1, sizeof *branch);
	for (int s = -1; s < net->nlayers; s++) {
		struct stream src = s < 0 ? in : outs[s];
		int n = readers[s + 1];
		branch[s + 1] = xcalloc((size_t)(n ? n : 1), sizeof **branch);
		if (n <= 1) {
			branch[s + 1][0] = src;
			continue;
		}
		forked = true;
		int64_t beats = (s < 0 ? shape_elems(net->in_shape)
		                       : shape_elems(net->layers[s].oshape)) / src.lanes;
		struct stream rest = src;
		for (int k = 0; k < n; k++) {
			struct stream mine = rest;
			if (k < n - 1) {
				mine = (struct stream){xprintf("%s_f%d", src.name, k), src.lanes, src.width};
				struct stream next = {xprintf("%s_r%d", src.name, k), src.lanes, src.width};
				declare(f, mine);
				declare(f, next);
				fprintf(f, "nn_fork #(.DATA_W(%d)) u_%s_fork%d (\n    .clk(clk), .rst(rst),\n",
				        src.lanes * src.width, src.name, k);
				fprintf(f, "    .s_axis_tdata(%s_tdata), .s_axis_tvalid(%s_tvalid), "
				           ".s_axis_tready(%s_tready), .s_axis_tlast(%s_tlast),\n",
				        rest.name, rest.name, rest.name, rest.name);
				fprintf(f, "    .m0_axis_tdata(%s_tdata), .m0_axis_tvalid(%s_tvalid), "
				           ".m0_axis_tready(%s_tready), .m0_axis_tlast(%s_tlast),\n",
				        mine.name, mine.name, mine.name, mine.name);
				fprintf(f, "    .m1_axis_tdata(%s_tdata), .m1_axis_tvalid(%s_tvalid), "
				           ".m1_axis_tready(%s_tready), .m1_axis_tlast(%s_tlast)\n);\n\n",
				        next.name, next.name, next.name, next.name);
				rest = next;
			}
			struct stream q = {xprintf("%s_q%d", src.name, k), src.lanes, src.width};
			declare(f, q);
			fprintf(f, "nn_fifo #(.DATA_W(%d), .DEPTH(%lld)) u_%s_fifo%d (\n    .clk(clk), .rst(rst),\n",
			        src.lanes * src.width, (long long)beats + 2, src.name, k);
			ports(f, mine.name, q.name);
			fputs(");\n\n", f);
			branch[s + 1][k] = q;
		}
	}
	return branch;
}

static void avgpool_engine(FILE *f, const struct pengine *e, const char *in, const char *out)
{
	const struct layer *l = e->l;
	int ap;
	int64_t am;
	fx_avg_consts(l->kh * l->kw, &ap, &am);
	fprintf(f, "// %s: avgpool %dx%dx%d -> %dx%dx%d, %d lane(s)\n"
	           "nn_avgpool #(\n    .C(%d), .H(%d), .W(%d), .LANES(%d), .DATA_W(%d),\n"
	           "    .KH(%d), .KW(%d), .SH(%d), .SW(%d), .SHIFT(%d), .ROUND(%d), .OUT_W(%d),\n"
	           "    .P(%d), .M(64'd%lld)\n"
	           ") u_%s (\n    .clk(clk), .rst(rst),\n",
	        l->name, l->ishape.c, l->ishape.h, l->ishape.w, l->oshape.c, l->oshape.h,
	        l->oshape.w, e->in_lanes, l->ishape.c, l->ishape.h, l->ishape.w, e->in_lanes,
	        l->in.w, l->kh, l->kw, l->sh, l->sw, l->in.f - l->out.f,
	        l->round == ROUND_NEAREST, l->out.w, ap, (long long)am, l->name);
	ports(f, in, out);
	fputs(");\n\n", f);
}

static void relu_engine(FILE *f, const struct pengine *e, const char *in, const char *out)
{
	const struct layer *l = e->l;
	fprintf(f, "// %s: relu, %d lane(s)\n"
	           "nn_act #(.LANES(%d), .DATA_W(%d), .ACT(1), .RELU6_MAX(0)) u_%s (\n"
	           "    .clk(clk), .rst(rst),\n", l->name, e->in_lanes, e->in_lanes,
	        l->in.w, l->name);
	ports(f, in, out);
	fputs(");\n\n", f);
}

/* Layer i's engine, its inputs adapted to its lanes (and, with
 * --stall-inner, random gaps in front of it). */
static void engine(FILE *f, const struct pplan *p, const struct compile_opts *o, int i,
                   struct stream **branch, int *taken, const struct stream *outs)
{
	const struct layer *l = &p->net->layers[i];
	const struct pengine *e = &p->e[i];
	struct stream a = branch[l->src[0] + 1][taken[l->src[0] + 1]++];
	a = adapt(f, a, e->in_lanes, tmp_name(l->name, "in"), shape_elems(l->ishape));
	struct stream b = {0};
	if (l->nsrc > 1) {
		b = branch[l->src[1] + 1][taken[l->src[1] + 1]++];
		b = adapt(f, b, e->in2_lanes, tmp_name(l->name, "in2"), shape_elems(l->ishape));
	}
	if (o->stall_inner) {
		a = stall(f, a, tmp_name(l->name, "st"), i * 2 + 1);
		if (l->nsrc > 1)
			b = stall(f, b, tmp_name(l->name, "st2"), i * 2 + 2);
	}
	switch (l->kind) {
	case L_CONV:
	case L_FC:
		conv_engine(f, o, e, a.name, outs[i].name);
		return;
	case L_MAXPOOL:
		maxpool_engine(f, e, a.name, outs[i].name);
		return;
	case L_AVGPOOL:
		avgpool_engine(f, e, a.name, outs[i].name);
		return;
	case L_RELU:
		relu_engine(f, e, a.name, outs[i].name);
		return;
	case L_ADD:
		add_engine(f, e, a.name, b.name, outs[i].name);
		return;
	case L_NKINDS:
		break;
	}
	unreachable();
}

/* The templates this design instantiates, each once: one per kind in use
 * (kind_info's parallel template), and the stream glue. */
static void emit_needed_templates(FILE *f, const struct pplan *p, const struct compile_opts *o)
{
	const struct network *net = p->net;
	const char *need[L_NKINDS + 5];
	bool used[L_NKINDS] = {false};
	int n = 0;
	for (int i = 0; i < net->nlayers; i++)
		if (net->layers[i].live && !used[net->layers[i].kind]) {
			used[net->layers[i].kind] = true;
			need[n++] = kind_info[net->layers[i].kind].parallel_template;
		}
	if (forked) {
		need[n++] = "nn_fork";
		need[n++] = "nn_fifo";
	}
	if (resized)
		need[n++] = "nn_resize";
	if (o->stall_inner)
		need[n++] = "nn_stall";
	need[n] = NULL;
	emit_templates(f, need);
}

int pemit_top(const struct pplan *p, const struct compile_opts *o)
{
	const struct network *net = p->net;
	FILE *f = out_open(o->out);
	if (!f)
		return -1;
	resized = forked = false;
	top_ports(f, p, o);
	/* every live layer's output stream, and the input's */
	struct stream *outs = xcalloc((size_t)net->nlayers, sizeof *outs);
	struct stream in = {"x", p->in_lanes, net->in_fmt.w};
	declare(f, in);
	fputs("assign x_tdata = s_axis_tdata;\nassign x_tvalid = s_axis_tvalid;\n"
	      "assign s_axis_tready = x_tready;\nassign x_tlast = s_axis_tlast;\n\n", f);
	for (int i = 0; i < net->nlayers; i++) {
		outs[i] = (struct stream){tmp_name(net->layers[i].name, "o"), p->e[i].out_lanes,
		                          net->layers[i].out.w};
		if (net->layers[i].live)
			declare(f, outs[i]);
	}
	fputc('\n', f);
	struct stream **branch = fork_streams(f, p, in, outs);
	int *taken = xcalloc((size_t)net->nlayers + 1, sizeof *taken);
	for (int i = 0; i < net->nlayers; i++)
		if (net->layers[i].live)
			engine(f, p, o, i, branch, taken, outs);
	struct stream y = branch[net->output + 1][taken[net->output + 1]++];
	fprintf(f, "assign m_axis_tdata = %s_tdata;\nassign m_axis_tvalid = %s_tvalid;\n"
	           "assign %s_tready = m_axis_tready;\nassign m_axis_tlast = %s_tlast;\n\n",
	        y.name, y.name, y.name, y.name);
	fputs("endmodule\n\n`resetall\n", f);
	emit_needed_templates(f, p, o);
	return 0;
}

/* ---- OUT.json ------------------------------------------------------------------ */

int pemit_report(const struct pplan *p, const struct compile_opts *o)
{
	const struct network *net = p->net;
	FILE *f = out_open(out_path(o, ".json"));
	if (!f)
		return -1;
	fprintf(f, "{\"network\": \"%s\", \"mode\": \"parallel\", \"top\": \"%s_top\",\n", net->name,
	        net->name);
	fprintf(f, " \"mult_budget\": %d, \"multipliers\": %lld, \"input_lanes\": %d,\n",
	        o->mult_budget, (long long)p->mults, p->in_lanes);
	fprintf(f, " \"frame_interval_estimate\": %lld, \"bound\": %lld,\n \"layers\": [",
	        (long long)p->interval, (long long)p->bound);
	for (int i = 0; i < net->nlayers; i++) {
		const struct pengine *e = &p->e[i];
		const struct layer *l = e->l;
		int64_t rom = kind_is_mac(l->kind) ? l->nw * l->wt.w + l->nb * l->bias.w : 0;
		fprintf(f, "%s\n  {\"name\": \"%s\", \"kind\": \"%s\", \"macs\": %lld, \"pi\": %d, \"po\": %d, "
		           "\"multipliers\": %lld, \"in_lanes\": %d, \"out_lanes\": %d, "
		           "\"cycles_per_frame\": %lld, \"rom_bits\": %lld}",
		        i ? "," : "", l->name, layer_kind_names[l->kind], (long long)l->macs, e->pi, e->po,
		        (long long)e->mults, e->in_lanes, e->out_lanes, (long long)e->cycles,
		        (long long)rom);
	}
	fputs("]}\n", f);
	return 0;
}
