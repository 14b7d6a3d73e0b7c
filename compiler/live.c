/* live.c: which layers lead to the network's output. Both back ends build
 * only those; a layer that does not is reported once, here. The readers
 * counted here (live layers reading a layer's output, the network output
 * counting as one) tell the serial lowering which outputs only one layer
 * reads. One walk from the output back to the input: linear in the
 * layers and their sources. */
#include "nnc.h"

void mark_live(struct network *net)
{
	int n = net->nlayers;
	for (int i = 0; i < n; i++) {
		net->layers[i].live = false;
		net->layers[i].readers = 0;
	}
	net->layers[net->output].live = true;
	net->layers[net->output].readers = 1;
	/* sources come before their readers: one pass from the output down */
	for (int i = net->output; i >= 0; i--) {
		const struct layer *l = &net->layers[i];
		if (!l->live)
			continue;
		for (int k = 0; k < l->nsrc; k++)
			if (l->src[k] >= 0) {
				net->layers[l->src[k]].live = true;
				net->layers[l->src[k]].readers++;
			}
	}
	for (int i = 0; i < n; i++)
		if (!net->layers[i].live)
			warn_at(net->layers[i].loc,
			        "'%s' does not lead to the output '%s': it is left out of the hardware",
			        net->layers[i].name, net->layers[net->output].name);
}
