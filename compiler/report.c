/* report.c: the layer table of `nnc check`, as text and as JSON. */
#include "nnc.h"

#include <string.h>

static const char *fmt_str(struct fixed_fmt f)
{
	return xprintf("fixed<%d,%d>", f.w, f.f);
}

static const char *shape_str(struct shape s)
{
	return xprintf("%dx%dx%d", s.c, s.h, s.w);
}

/* 15470264320 -> "15,470,264,320" */
static const char *grouped(int64_t v)
{
	char raw[32], out[48];
	int n = snprintf(raw, sizeof raw, "%lld", (long long)v), o = 0;
	for (int i = 0; i < n; i++) {
		if (i && raw[i - 1] != '-' && (n - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = raw[i];
	}
	out[o] = 0;
	return xstrdup(out);
}

static const char *src_name(const struct network *net, int s)
{
	return s < 0 ? net->in_name : net->layers[s].name;
}

static bool has_weights(const struct layer *l) { return kind_is_mac(l->kind); }

static const char *geometry(const struct layer *l)
{
	switch (l->kind) {
	case L_CONV:
	case L_MAXPOOL:
	case L_AVGPOOL:
		if (l->global)
			return "global";
		return xprintf("k%dx%d s%dx%d p%dx%d%s", l->kh, l->kw, l->sh, l->sw, l->ph, l->pw,
		               l->groups > 1 ? xprintf(" g%d", l->groups) : "");
	case L_FC:
	case L_RELU:
	case L_ADD:
		return "";
	case L_NKINDS:
		break;
	}
	unreachable();
}

void print_layer_table(FILE *f, const struct network *net)
{
	fprintf(f, "network %s (%s): input %s [%d, %d, %d] %s\n", net->name, net->file, net->in_name,
	        net->in_shape.c, net->in_shape.h, net->in_shape.w, fmt_str(net->in_fmt));
	fprintf(f, "%-3s %-10s %-8s %-10s %-12s %-12s %-18s %-13s %-13s %-14s %-13s %-6s %-4s %18s %14s\n",
	        "#", "layer", "kind", "from", "input", "output", "geometry", "in", "weight", "bias",
	        "out", "act", "acc", "MACs", "params");
	int64_t macs = 0, params = 0;
	for (int i = 0; i < net->nlayers; i++) {
		const struct layer *l = &net->layers[i];
		const char *from = l->nsrc > 1 ? xprintf("%s,%s", src_name(net, l->src[0]),
		                                            src_name(net, l->src[1]))
		                               : src_name(net, l->src[0]);
		const char *in = l->kind == L_ADD ? xprintf("%s+", fmt_str(l->in)) : fmt_str(l->in);
		fprintf(f, "%-3d %-10s %-8s %-10s %-12s %-12s %-18s %-13s %-13s %-14s %-13s %-6s %-4s %18s %14s\n",
		        i + 1, l->name, layer_kind_names[l->kind], from, shape_str(l->ishape),
		        shape_str(l->oshape), geometry(l), in, has_weights(l) ? fmt_str(l->wt) : "-",
		        !has_weights(l) ? "-" : l->has_bias ? fmt_str(l->bias) : "none", fmt_str(l->out),
		        kind_is_mac(l->kind) || l->kind == L_ADD ? act_names[l->act] : "-",
		        l->acc_bits ? xprintf("%d", l->acc_bits) : "-", grouped(l->macs),
		        grouped(l->params));
		macs += l->macs;
		params += l->params;
	}
	fprintf(f, "output: %s [%d, %d, %d] %s\n", net->layers[net->output].name,
	        net->layers[net->output].oshape.c, net->layers[net->output].oshape.h,
	        net->layers[net->output].oshape.w, fmt_str(net->layers[net->output].out));
	fprintf(f, "total: %s MACs, %s parameters\n", grouped(macs), grouped(params));
}

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void json_fmt(FILE *f, const char *key, struct fixed_fmt x)
{
	fprintf(f, ", \"%s\": {\"w\": %d, \"f\": %d}", key, x.w, x.f);
}

void print_layer_json(FILE *f, const struct network *net)
{
	int64_t macs = 0, params = 0;
	fputs("{\"network\": ", f);
	json_str(f, net->name);
	fputs(", \"file\": ", f);
	json_str(f, net->file);
	fputs(", \"input\": {\"name\": ", f);
	json_str(f, net->in_name);
	fprintf(f, ", \"shape\": [%d, %d, %d]", net->in_shape.c, net->in_shape.h, net->in_shape.w);
	json_fmt(f, "format", net->in_fmt);
	fputs("},\n \"layers\": [", f);
	for (int i = 0; i < net->nlayers; i++) {
		const struct layer *l = &net->layers[i];
		fputs(i ? ",\n  {\"name\": " : "\n  {\"name\": ", f);
		json_str(f, l->name);
		fprintf(f, ", \"kind\": \"%s\", \"sources\": [", layer_kind_names[l->kind]);
		for (int k = 0; k < l->nsrc; k++) {
			fputs(k ? ", " : "", f);
			json_str(f, src_name(net, l->src[k]));
		}
		fprintf(f, "], \"input_shape\": [%d, %d, %d], \"output_shape\": [%d, %d, %d]",
		        l->ishape.c, l->ishape.h, l->ishape.w, l->oshape.c, l->oshape.h, l->oshape.w);
		if (kind_info[l->kind].windowed)
			fprintf(f, ", \"kernel\": [%d, %d], \"stride\": [%d, %d], \"pad\": [%d, %d]",
			        l->kh, l->kw, l->sh, l->sw, l->ph, l->pw);
		if (l->kind == L_CONV)
			fprintf(f, ", \"groups\": %d", l->groups);
		json_fmt(f, "in_format", l->in);
		if (l->kind == L_ADD)
			json_fmt(f, "in2_format", l->in2);
		if (has_weights(l)) {
			json_fmt(f, "weight_format", l->wt);
			if (l->has_bias)
				json_fmt(f, "bias_format", l->bias);
			else
				fputs(", \"bias_format\": null", f);
		}
		json_fmt(f, "out_format", l->out);
		if (has_weights(l) || l->kind == L_ADD)
			fprintf(f, ", \"act\": \"%s\"", act_names[l->act]);
		if (l->acc_bits)
			fprintf(f, ", \"acc_bits\": %d", l->acc_bits);
		fprintf(f, ", \"round\": \"%s\", \"macs\": %lld, \"params\": %lld}", round_names[l->round],
		        (long long)l->macs, (long long)l->params);
		macs += l->macs;
		params += l->params;
	}
	fputs("],\n \"output\": ", f);
	json_str(f, net->layers[net->output].name);
	fprintf(f, ", \"total_macs\": %lld, \"total_params\": %lld}\n", (long long)macs,
	        (long long)params);
}
