// SPDX-License-Identifier: GPL-2.0-or-later
/* fuzz_topo.c - the topology parser and validator on arbitrary bytes: no
 * crash, no leak; an accepted topology has every address inside its
 * subnet and distinct from its gateway. */
#include <string.h>

#include "topology/topology.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);
int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct nsnet *nn = nsnet_new();
	struct topo *t;
	size_t i, j;
	int f;

	if (!topo_parse_buffer(nn, "fuzz.yaml", (const char *)data, size, &t)) {
		for (i = 0; i < t->n_nodes; i++)
			for (j = 0; j < t->nodes[i].n_att; j++)
				for (f = 0; f < 2; f++) {
					const struct topo_attach *a = &t->nodes[i].att[j];
					const struct topo_net *n = &t->nets[a->net];

					if (!a->addr[f].family)
						continue;
					if (!ip_in_prefix(&n->subnet[f], &a->addr[f]) ||
					    ip_equal(&n->gateway[f], &a->addr[f]))
						__builtin_trap();
				}
		topo_free(t);
	}
	nsnet_free(nn);
	return 0;
}
