// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ipam.c - addresses for the nodes whose file leaves them empty.
 *
 * Each node starts probing at a hash of its name and network, so its
 * address depends on nothing but the file: it stays the same across
 * down/up, and adding or removing another node does not move it (unless
 * the two collide, which is resolved in name order). The gateway, the
 * network and broadcast addresses and every explicit address are skipped.
 */
#include <stdio.h>
#include <string.h>

#include "topology/topology.h"

struct used {
	struct ipaddr *a;
	size_t n, cap;
};

static bool used_has(const struct used *u, const struct ipaddr *ip)
{
	size_t i;

	for (i = 0; i < u->n; i++)
		if (ip_equal(&u->a[i], ip))
			return true;
	return false;
}

static void used_add(struct used *u, const struct ipaddr *ip)
{
	if (u->n == u->cap) {
		u->cap = u->cap ? u->cap * 2 : 64;
		u->a = realloc(u->a, u->cap * sizeof(*u->a));
		if (!u->a)
			abort();
	}
	u->a[u->n++] = *ip;
}

static bool used_cb(const struct ipaddr *ip, void *data)
{
	return used_has(data, ip);
}

static int name_cmp(const void *a, const void *b)
{
	const struct topo_node *x = *(const struct topo_node *const *)a;
	const struct topo_node *y = *(const struct topo_node *const *)b;

	return strcmp(x->name, y->name);
}

int ipam_assign(struct nsnet *nn, struct topo *t)
{
	struct topo_node **order;
	size_t i, j, n;
	int f, rc = 0;

	order = calloc(t->n_nodes + 1, sizeof(*order));
	if (!order)
		abort();
	for (i = 0; i < t->n_nodes; i++)
		order[i] = &t->nodes[i];
	qsort(order, t->n_nodes, sizeof(*order), name_cmp);

	for (n = 0; n < t->n_nets && !rc; n++) {
		for (f = 0; f < 2 && !rc; f++) {
			struct topo_net *net = &t->nets[n];
			struct used u = { 0 };

			if (!net->subnet[f].family)
				continue;
			used_add(&u, &net->gateway[f]);
			for (i = 0; i < t->n_nodes; i++)
				for (j = 0; j < t->nodes[i].n_att; j++)
					if (t->nodes[i].att[j].net == n &&
					    t->nodes[i].att[j].explicit_addr[f])
						used_add(&u, &t->nodes[i].att[j].addr[f]);
			for (i = 0; i < t->n_nodes && !rc; i++) {
				struct topo_node *nd = order[i];

				for (j = 0; j < nd->n_att; j++) {
					struct topo_attach *a = &nd->att[j];
					struct ipaddr ip;

					if (a->net != n || a->explicit_addr[f])
						continue;
					if (!ip_pick_free(&net->subnet[f],
							  name_hash(nd->name, net->name), used_cb, &u,
							  &ip)) {
						a->addr[f] = ip;
						used_add(&u, &ip);
						continue;
					}
					rc = err_usage(nn, "%s:%d:%d: network %s has no free IPv%d address left for %s",
						       t->file ? t->file : t->name, a->pos.line,
						       a->pos.col, net->name, f ? 6 : 4, nd->name);
					break;
				}
			}
			free(u.a);
		}
	}
	free(order);
	return rc;
}
