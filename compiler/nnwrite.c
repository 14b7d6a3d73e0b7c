/* nnwrite.c: write a checked network back as .nn text, with every source,
 * attribute and format explicit, so that it reads the same whatever the
 * defaults. Used by `nnc quantize` and `nnc import`. */
#include "nnc.h"

static void fmt(FILE *f, const char *key, struct fixed_fmt x)
{
	fprintf(f, ", %s = fixed<%d,%d>", key, x.w, x.f);
}

static const char *src_name(const struct network *net, int s)
{
	return s < 0 ? net->in_name : net->layers[s].name;
}

void write_nn(FILE *f, const struct network *net, const char *comment)
{
	if (comment)
		fputs(comment, f);
	fprintf(f, "network %s {\n", net->name);
	fprintf(f, "    input %s [%d, %d, %d] fixed<%d,%d>;\n\n", net->in_name, net->in_shape.c,
	        net->in_shape.h, net->in_shape.w, net->in_fmt.w, net->in_fmt.f);
	for (int i = 0; i < net->nlayers; i++) {
		const struct layer *l = &net->layers[i];
		fprintf(f, "    %-7s %s (%s", layer_kind_names[l->kind], l->name, src_name(net, l->src[0]));
		if (l->nsrc > 1)
			fprintf(f, ", %s", src_name(net, l->src[1]));
		fputs(")", f);
		const char *sep = " : ";
		switch (l->kind) {
		case L_CONV:
			fprintf(f, "%sfilters = %d, kernel = [%d, %d], stride = [%d, %d], pad = [%d, %d]",
			        sep, l->filters, l->kh, l->kw, l->sh, l->sw, l->ph, l->pw);
			if (l->groups > 1)
				fprintf(f, ", groups = %d", l->groups);
			/* fall through */
		case L_FC:
			if (l->kind == L_FC)
				fprintf(f, "%sunits = %d", sep, l->filters);
			fprintf(f, ", act = %s", act_names[l->act]);
			fmt(f, "weight", l->wt);
			if (l->has_bias)
				fmt(f, "bias", l->bias);
			else
				fputs(", bias = none", f);
			fmt(f, "out", l->out);
			fprintf(f, ", round = %s", round_names[l->round]);
			break;
		case L_MAXPOOL:
			fprintf(f, "%ssize = [%d, %d], stride = [%d, %d], pad = [%d, %d]", sep, l->kh, l->kw,
			        l->sh, l->sw, l->ph, l->pw);
			break;
		case L_AVGPOOL:
			if (l->global)
				fprintf(f, "%sglobal = true", sep);
			else
				fprintf(f, "%ssize = [%d, %d], stride = [%d, %d]", sep, l->kh, l->kw, l->sh, l->sw);
			fmt(f, "out", l->out);
			fprintf(f, ", round = %s", round_names[l->round]);
			break;
		case L_ADD:
			fprintf(f, "%sact = %s", sep, act_names[l->act]);
			fmt(f, "out", l->out);
			fprintf(f, ", round = %s", round_names[l->round]);
			break;
		case L_RELU:
		case L_NKINDS:
			sep = NULL;
			break;
		}
		if (l->par_pi)
			fprintf(f, "%spar = [%d, %d]", sep ? ", " : " : ", l->par_pi, l->par_po);
		fputs(";\n", f);
	}
	fprintf(f, "\n    output %s;\n}\n", net->layers[net->output].name);
}
