// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * model.c - the topology model's helpers: finding a node, freeing what the
 * parser built. The bottom of the topology layer: it calls nothing above.
 */
#include <string.h>

#include "topology/topology.h"

bool topo_arg_is_file(const char *arg)
{
	return strchr(arg, '/') || strstr(arg, ".yaml") || strstr(arg, ".yml");
}

struct topo_node *topo_node_find(const struct topo *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->n_nodes; i++)
		if (!strcmp(t->nodes[i].name, name))
			return &t->nodes[i];
	return NULL;
}

void strv_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void topo_free(struct topo *t)
{
	size_t i, j;

	if (!t)
		return;
	for (i = 0; i < t->n_nets; i++)
		free(t->nets[i].name);
	free(t->nets);
	for (i = 0; i < t->n_nodes; i++) {
		struct topo_node *nd = &t->nodes[i];

		free(nd->name);
		free(nd->att);
		for (j = 0; j < nd->n_routes; j++)
			free(nd->routes[j].text);
		free(nd->routes);
		strv_free(nd->publish, nd->n_publish);
		for (j = 0; j < nd->n_sysctls; j++) {
			free(nd->sysctls[j].key);
			free(nd->sysctls[j].value);
		}
		free(nd->sysctls);
		strv_free(nd->run, nd->n_run);
		strv_free(nd->setup, nd->n_setup);
	}
	free(t->nodes);
	for (i = 0; i < t->n_cables; i++) {
		free(t->cables[i].a);
		free(t->cables[i].b);
	}
	free(t->cables);
	for (i = 0; i < t->n_expects; i++) {
		free(t->expects[i].from);
		free(t->expects[i].to);
		free(t->expects[i].text);
	}
	free(t->expects);
	free(t->upstream);
	free(t->source);
	free(t->name);
	free(t->file);
	free(t);
}
