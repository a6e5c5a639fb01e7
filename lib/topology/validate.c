// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * validate.c - the checks across a parsed topology, which no single entry
 * of the file can make: a name, duplicate bridges, overlapping subnets,
 * addresses outside their subnet, on its gateway or used twice, cable
 * ends and expectations that name no node, NAT on a cable end that is
 * not the host's; then the layout of networks too large for one bridge
 * (leaves.c). Each error is at the position of what is wrong
 * ("FILE:LINE:COL: what", exit status 2).
 *
 * A file comes from anyone: every check here is linear or n log n in its
 * size (hash sets, sorting), where comparing every pair took seconds for
 * 20,000 networks.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "topology/topology.h"

struct checker {
	struct nsnet *nn;
	const char *file;
	struct topo *t;
	struct topo_set nodes;  /* name -> index in t->nodes */
};

/* FILE:LINE:COL: what */
#define perr(p, pos, ...) topo_error_at((p)->nn, (p)->file, pos, __VA_ARGS__)

static bool prefixes_overlap(const struct ipaddr *a, const struct ipaddr *b)
{
	return a->family == b->family &&
	       (a->prefix <= b->prefix ? ip_in_prefix(a, b) : ip_in_prefix(b, a));
}

struct subnet_ref {
	const struct ipaddr *sn;
	size_t net;
};

static int subnet_cmp(const void *a, const void *b)
{
	const struct subnet_ref *x = a, *y = b;
	int c = memcmp(x->sn->a.b, y->sn->a.b, ip_len(x->sn));

	if (c)
		return c;
	if (x->sn->prefix != y->sn->prefix)
		return x->sn->prefix < y->sn->prefix ? -1 : 1;
	return x->net < y->net ? -1 : x->net > y->net;
}

/*
 * Two subnets of one family that overlap. Sorted by address (the larger
 * of two at one address first), a subnet that overlaps any later one
 * overlaps the next one: that one starts inside it. So neighbours are
 * enough, n log n where comparing every pair took seconds for 20,000
 * networks. Of the overlaps found, the one that comes first in the file
 * is reported, as comparing pairs in file order did.
 */
static int check_overlaps(struct checker *p)
{
	struct topo *t = p->t;
	struct subnet_ref *v = calloc(t->n_nets + 1, sizeof(*v));
	size_t i, n, bad_i = 0, bad_j = SIZE_MAX;
	int f, rc = 0;

	if (!v)
		abort();
	for (f = 0; f < 2; f++) {
		for (i = n = 0; i < t->n_nets; i++)
			if (t->nets[i].subnet[f].family)
				v[n++] = (struct subnet_ref){ &t->nets[i].subnet[f], i };
		qsort(v, n, sizeof(*v), subnet_cmp);
		for (i = 0; i + 1 < n; i++) {
			size_t a = v[i].net, b = v[i + 1].net;
			size_t lo = a < b ? a : b, hi = a < b ? b : a;

			if (prefixes_overlap(v[i].sn, v[i + 1].sn) &&
			    (hi < bad_j || (hi == bad_j && lo < bad_i))) {
				bad_i = lo;
				bad_j = hi;
			}
		}
	}
	if (bad_j != SIZE_MAX)
		rc = perr(p, t->nets[bad_j].pos, "the subnet of network %s overlaps that of %s",
			  t->nets[bad_j].name, t->nets[bad_i].name);
	free(v);
	return rc;
}

/* Addresses: inside their subnet, not its gateway, not used twice (a hash
 * set of the addresses seen: comparing with every earlier node was
 * quadratic). */
static int check_addresses(struct checker *p)
{
	struct topo *t = p->t;
	struct topo_set seen = { 0 };
	size_t i, j, other;
	int f, rc = 0;

	for (i = 0; i < t->n_nodes && !rc; i++) {
		struct topo_node *nd = &t->nodes[i];

		for (j = 0; j < nd->n_att && !rc; j++)
			for (f = 0; f < 2 && !rc; f++) {
				struct topo_attach *a = &nd->att[j];
				struct topo_net *net = &t->nets[a->net];
				struct ipaddr host = a->addr[f];
				char s[64], n2[64];

				if (!a->explicit_addr[f])
					continue;
				host.prefix = -1;
				if (!ip_in_prefix(&net->subnet[f], &a->addr[f]))
					rc = perr(p, a->pos, "address %s of %s is outside the subnet %s of network %s",
						  ip_str(&host, s, sizeof(s)), nd->name,
						  ip_str(&net->subnet[f], n2, sizeof(n2)), net->name);
				else if (ip_equal(&a->addr[f], &net->gateway[f]))
					rc = perr(p, a->pos, "address of %s is the gateway of network %s",
						  nd->name, net->name);
				else if (topo_set_put(&seen, a->addr[f].a.b, ip_len(&a->addr[f]), i, &other) &&
					 other != i)
					rc = perr(p, a->pos, "address of %s is used by %s too",
						  nd->name, t->nodes[other].name);
			}
	}
	topo_set_free(&seen);
	return rc;
}

/* A NAT is the host's: on an end in the host, with an address whose
 * subnet it masquerades, leaving by another interface. */
static int check_end_nat(struct checker *p, const struct topo_cable *c, int end)
{
	const struct topo_end_nat *nat = &c->nat[end];
	const char *ns = end ? c->b : c->a, *ifname = end ? c->b_if : c->a_if;
	char e = end ? 'b' : 'a';

	if (!nat->on)
		return 0;
	if (!ns_is_host(ns))
		return perr(p, nat->pos, "%c_nat: NAT is the host's, and end %c is %s, not host "
			    "(put it on the end in the host)", e, e, ns);
	if (!(end ? c->b_addr : c->a_addr).family)
		return perr(p, nat->pos, "%c_nat: end %c has no address (%c_addr:), so there is "
			    "no subnet to masquerade", e, e, e);
	if (!strcmp(nat->out, ifname))
		return perr(p, nat->pos, "%c_nat: out: must be another interface than %s itself",
			    e, ifname);
	return 0;
}

static bool is_node(struct checker *p, const char *name)
{
	return topo_set_get(&p->nodes, name, strlen(name), NULL);
}

static int check_all(struct checker *p)
{
	struct topo *t = p->t;
	struct topo_set bridges = { 0 };
	size_t i, first;
	int rc = 0;

	if (!t->name)
		return perr(p, (struct topo_pos){ 1, 1 }, "the topology has no name: (add name: something)");
	for (i = 0; i < t->n_nets && !rc; i++)
		if (topo_set_put(&bridges, t->nets[i].bridge, strlen(t->nets[i].bridge), i, &first))
			rc = perr(p, t->nets[i].pos, "networks %s and %s use the same bridge %s",
				  t->nets[first].name, t->nets[i].name, t->nets[i].bridge);
	topo_set_free(&bridges);
	if (rc || (rc = check_overlaps(p)) || (rc = check_addresses(p)))
		return rc;
	for (i = 0; i < t->n_cables; i++) {
		struct topo_cable *c = &t->cables[i];

		if (!ns_is_host(c->a) && !is_node(p, c->a))
			return perr(p, c->pos, "cable end %s is not a node (nor host)", c->a);
		if (!ns_is_host(c->b) && !is_node(p, c->b))
			return perr(p, c->pos, "cable end %s is not a node (nor host)", c->b);
		if (!strcmp(c->a, c->b))
			return perr(p, c->pos, "cable from %s to itself", c->a);
		if ((rc = check_end_nat(p, c, 0)) || (rc = check_end_nat(p, c, 1)))
			return rc;
	}
	for (i = 0; i < t->n_expects; i++) {
		struct ipaddr ip;

		if (!is_node(p, t->expects[i].from))
			return perr(p, t->expects[i].pos, "expectation from %s: not a node",
				    t->expects[i].from);
		if (!is_node(p, t->expects[i].to) && ip_parse(t->expects[i].to, &ip))
			return perr(p, t->expects[i].pos, "expectation to %s: neither a node nor an IP address",
				    t->expects[i].to);
	}
	return 0;
}

int topo_validate(struct nsnet *nn, const char *file, struct topo *t)
{
	struct checker c = { .nn = nn, .file = file, .t = t };
	size_t i;
	int rc;

	/* names are unique: each_pair refused a node written twice */
	for (i = 0; i < t->n_nodes; i++)
		topo_set_put(&c.nodes, t->nodes[i].name, strlen(t->nodes[i].name), i, NULL);
	rc = check_all(&c);
	topo_set_free(&c.nodes);
	/* networks past one bridge's share: their layout and its limits */
	return rc ? rc : topo_leaves(nn, file, t);
}
