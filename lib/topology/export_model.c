// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * export_model.c - what export_read.c read, as the networks, nodes and
 * cables of a topology file. An end in the host enslaved to a bridge is an
 * attachment to that bridge's network, an end in the host without a
 * master or in another namespace is a cable; NAT and published ports come
 * from the firewall, rate, loss and delay from both ends of each veth.
 * What a file cannot say becomes a note at the place it concerns.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "topology/export.h"

/* ---- the model: networks, nodes, cables ------------------------------------------ */


/* A leaf bridge of a network over several bridges (topology/leaves.c) is
 * that network: the bridge its trunk leads to. */
static size_t root_of_bridge(struct xport *X, size_t link)
{
	struct xns *host = &X->ns[0];
	size_t i, j;

	if (!topo_fw_lists(X->fw, "leaves", host->links[link].l.name))
		return link;
	for (i = 0; i < host->n_links; i++) {
		const struct nl_link *p = &host->links[i].l;

		if (p->master != host->links[link].l.index || strcmp(p->kind, "veth") ||
		    p->link_netnsid >= 0)
			continue;
		for (j = 0; j < host->n_links; j++)
			if (host->links[j].l.index == p->link && host->links[j].l.master > 0)
				break;
		if (j == host->n_links)
			continue;
		for (i = 0; i < host->n_links; i++)
			if (host->links[i].l.index == host->links[j].l.master)
				return i;
		break;
	}
	return link;
}

static size_t net_of_bridge(struct xport *X, size_t link)
{
	size_t i;

	link = root_of_bridge(X, link);
	for (i = 0; i < X->n_nets; i++)
		if (X->nets[i].link == link)
			return i;
	ARRAY_GROW(X->nets, X->n_nets);
	X->nets[X->n_nets].link = link;
	return X->n_nets++;
}

/* Subnet and gateway of each network from its bridge's addresses; a bridge
 * without one gets the subnet of its nodes (up will give it a gateway). */
static void nets_finish(struct xport *X)
{
	struct xns *host = &X->ns[0];
	size_t i, j, k, n;
	int f;

	for (i = 0; i < X->n_nets; i++) {
		struct xnet *net = &X->nets[i];
		const struct nl_link *br = &host->links[net->link].l;
		bool any = false;

		for (f = 0; f < 2; f++) {
			const struct ipaddr *a = export_first_addr(host, br->index,
								   f ? AF_INET6 : AF_INET, &n);
			char s[64];

			if (a) {
				net->gw[f] = *a;
				net->subnet[f] = *a;
				ip_mask(&net->subnet[f]);
				any = true;
				if (n > 1)
					export_note(&net->notes, "%s has %zu IPv%d addresses; a network has one gateway: %s",
						    br->name, n, f ? 6 : 4,
						    export_ipstr(a, true, s, sizeof(s)));
				continue;
			}
			/* from the first node address of this family */
			for (j = 0; j < X->n_ns - 1 && !net->subnet[f].family; j++)
				for (k = 0; k < X->nodes[j].n_att; k++)
					if (X->nodes[j].att[k].net == i &&
					    X->nodes[j].att[k].addr[f].family) {
						net->subnet[f] = X->nodes[j].att[k].addr[f];
						ip_mask(&net->subnet[f]);
						break;
					}
			if (net->subnet[f].family) {
				any = true;
				export_note(&net->notes, "bridge %s has no IPv%d address: up gives it the gateway of %s",
					    br->name, f ? 6 : 4,
					    export_ipstr(&net->subnet[f], true, s, sizeof(s)));
			}
		}
		if (!any) {
			net->skip = true;
			export_note(&X->top, "bridge %s: neither it nor its namespaces have an address; "
			     "a network needs a subnet, so it is left out", br->name);
		}
		net->internal = topo_fw_lists(X->fw, "internal", br->name) ||
				strstr(br->alias, " internal");
	}
}

/* A gateway the parser accepts: the bridge's address, or for a bridge
 * without one the first address of the subnet no node uses. */
static void nets_gateways(struct xport *X)
{
	size_t i, j, k, tries;
	int f;

	for (i = 0; i < X->n_nets; i++)
		for (f = 0; f < 2; f++) {
			struct xnet *net = &X->nets[i];
			struct ipaddr gw;
			bool used = true;

			if (!net->subnet[f].family || net->gw[f].family)
				continue;
			gw = net->subnet[f];
			for (tries = 0; used && tries < 4096; tries++) {
				gw.a.b[ip_len(&gw) - 1]++;
				used = false;
				for (j = 0; j < X->n_ns - 1; j++)
					for (k = 0; k < X->nodes[j].n_att; k++)
						if (X->nodes[j].att[k].net == i &&
						    ip_equal(&X->nodes[j].att[k].addr[f], &gw))
							used = true;
			}
			net->gw[f] = gw;
		}
}

static void node_attach(struct xport *X, size_t ni, size_t li, size_t net)
{
	struct xnode *nd = &X->nodes[ni];
	struct xns *x = &X->ns[ni + 1];
	const struct nl_link *l = &x->links[li].l;
	struct xatt *a;
	size_t k, n;
	int f;

	for (k = 0; k < nd->n_att; k++)
		if (nd->att[k].net == net) {
			export_note(&nd->notes, "%s is a second attachment to %s; a node is on a network once",
				    l->name, export_bridge_name(X, &X->nets[net]));
			return;
		}
	ARRAY_GROW(nd->att, nd->n_att);
	a = &nd->att[nd->n_att++];
	a->net = net;
	a->link = li;
	for (f = 0; f < 2; f++) {
		const struct ipaddr *ip = export_first_addr(x, l->index, f ? AF_INET6 : AF_INET, &n);
		char s[64];

		if (ip)
			a->addr[f] = *ip;
		if (n > 1)
			export_note(&nd->notes, "%s has %zu IPv%d addresses; a file gives one per network: %s",
				    l->name, n, f ? 6 : 4, export_ipstr(ip, true, s, sizeof(s)));
	}
}

/* Addresses against their network (after nets_finish); attachments to a
 * network left out go, so that eth<k> counts what is written. */
static void nodes_check_addrs(struct xport *X)
{
	size_t i, k;
	int f;

	for (i = 0; i + 1 < X->n_ns; i++) {
		struct xnode *nd = &X->nodes[i];

		for (k = 0; k < nd->n_att;)
			if (X->nets[nd->att[k].net].skip)
				memmove(&nd->att[k], &nd->att[k + 1],
					(--nd->n_att - k) * sizeof(*nd->att));
			else
				k++;

		for (k = 0; k < nd->n_att; k++)
			for (f = 0; f < 2; f++) {
				struct xatt *a = &nd->att[k];
				struct xnet *net = &X->nets[a->net];
				char s[64], t[64];

				if (!a->addr[f].family)
					continue;
				if (!net->subnet[f].family || !ip_in_prefix(&net->subnet[f], &a->addr[f])) {
					export_note(&nd->notes, "%s is outside the subnet of %s: left out",
						    export_ipstr(&a->addr[f], true, s, sizeof(s)),
						    export_bridge_name(X, net));
					a->addr[f].family = 0;
				} else if (ip_equal(&a->addr[f], &net->gw[f])) {
					export_note(&nd->notes, "%s is the gateway of %s: left out",
						    export_ipstr(&a->addr[f], false, s, sizeof(s)),
						    export_bridge_name(X, net));
					a->addr[f].family = 0;
				} else if (a->addr[f].prefix != net->subnet[f].prefix) {
					export_note(&nd->notes, "%s: the prefix becomes that of the subnet, %s",
						    export_ipstr(&a->addr[f], true, s, sizeof(s)),
						    export_ipstr(&net->subnet[f], true, t, sizeof(t)));
				}
			}
	}
}

/* The impairments of a veth as its ends have them (nsnet link set gives
 * both the same): end a's, and a note when end b's differ. */
static void veth_impair(struct notes *notes, const struct xns *xa,
			const struct nl_link *la, const struct xns *xb,
			const struct nl_link *lb, struct nsnet_link_impair *out)
{
	struct nsnet_link_impair other;

	impair_ns_link(&xa->imp, la->index, la->name, true, out);
	impair_ns_link(&xb->imp, lb->index, lb->name, true, &other);
	if (!impair_same(out, &other))
		export_note(notes, "%s:%s and %s:%s are impaired differently; a file gives both "
			    "ends of a link the same: those of %s", xa->name, la->name, xb->name,
			    lb->name, la->name);
}

/* Links of node ni: attachments, cables and what a file cannot hold. */
static void node_links(struct xport *X, size_t ni)
{
	struct xns *x = &X->ns[ni + 1], *host = &X->ns[0];
	struct xnode *nd = &X->nodes[ni];
	size_t i;

	for (i = 0; i < x->n_links; i++) {
		struct xlink *l = &x->links[i];
		struct xns *peer_ns;
		struct xlink *peer;
		size_t pi, bi, k;

		if (l->l.index == 1 && !strcmp(l->l.name, "lo"))
			continue;
		if (strcmp(l->l.kind, "veth")) {
			export_note(&nd->notes, "%s is a %s: only veths are exported", l->l.name,
				    l->l.kind[0] ? l->l.kind : "device");
			continue;
		}
		if (l->peer_ns == SIZE_MAX) {
			export_note(&nd->notes, "%s: its other end is in a namespace that is not exported",
				    l->l.name);
			continue;
		}
		if (l->peer_ns == ni + 1) {
			export_note(&nd->notes, "%s: both ends of this veth are in %s; a cable joins two namespaces",
				    l->l.name, x->name);
			continue;
		}
		peer_ns = &X->ns[l->peer_ns];
		peer = export_link_by_index(peer_ns, l->l.link, &pi);
		if (!peer)
			continue;
		if (l->peer_ns == 0 && peer->l.master) {
			struct xlink *br = export_link_by_index(host, peer->l.master, &bi);

			if (!br || strcmp(br->l.kind, "bridge")) {
				export_note(&nd->notes, "%s: its host end %s is enslaved to %s, not a bridge",
					    l->l.name, peer->l.name, br ? br->l.name : "?");
				continue;
			}
			k = nd->n_att;
			node_attach(X, ni, i, net_of_bridge(X, bi));
			if (nd->n_att > k)
				veth_impair(&nd->notes, x, &l->l, host, &peer->l,
					    &nd->att[k].impair);
			if (peer->l.mtu != 1500 || l->l.mtu != 1500)
				export_note(&nd->notes, "%s: mtu %u is not exported (a file has no MTU for attachments)",
					    l->l.name, l->l.mtu);
			continue;
		}
		/* a cable: written once, from the end listed first */
		if (l->peer_ns != 0 && l->peer_ns < ni + 1)
			continue;
		{
			struct xcable c = { 0 };
			const struct ipaddr *ip;
			size_t n;
			bool host_end = l->peer_ns == 0;
			char s[64];
			int f;

			c.a_ns = host_end ? 0 : ni + 1;
			c.a_link = host_end ? pi : i;
			c.b_ns = host_end ? ni + 1 : l->peer_ns;
			c.b_link = host_end ? i : pi;
			for (f = 0; f < 2; f++) {
				struct xns *xa = &X->ns[f ? c.b_ns : c.a_ns];
				const struct nl_link *ll = &xa->links[f ? c.b_link : c.a_link].l;
				const struct ipaddr *v6;
				size_t n6;

				/* one address an end: IPv4 if there is one */
				ip = export_first_addr(xa, ll->index, AF_INET, &n);
				v6 = export_first_addr(xa, ll->index, AF_INET6, &n6);
				if (!ip)
					ip = v6;
				if (ip)
					*(f ? &c.b_addr : &c.a_addr) = *ip;
				if (n + n6 > 1)
					export_note(&X->cable_notes, "%s:%s has %zu addresses; a cable end has one: %s",
						    xa->name, ll->name, n + n6,
						    export_ipstr(ip, true, s, sizeof(s)));
			}
			if (l->l.mtu != 1500)
				c.mtu = l->l.mtu;
			veth_impair(&X->cable_notes, &X->ns[c.a_ns], &X->ns[c.a_ns].links[c.a_link].l,
				    &X->ns[c.b_ns], &X->ns[c.b_ns].links[c.b_link].l, &c.impair);
			ARRAY_GROW(X->cables, X->n_cables);
			X->cables[X->n_cables++] = c;
		}
	}
}

/* The exported name of interface index in node ni ("" : none): eth<k> for
 * an attachment, the name itself for a cable end. */
static const char *node_ifname(const struct xport *X, size_t ni, int index,
			       char *buf, size_t len)
{
	const struct xns *x = &X->ns[ni + 1];
	const struct xnode *nd = &X->nodes[ni];
	size_t k;

	for (k = 0; k < nd->n_att; k++)
		if (x->links[nd->att[k].link].l.index == index) {
			snprintf(buf, len, "eth%zu", k);
			return buf;
		}
	for (k = 0; k < X->n_cables; k++) {
		const struct xcable *c = &X->cables[k];

		if (c->a_ns == ni + 1 && x->links[c->a_link].l.index == index)
			return x->links[c->a_link].l.name;
		if (c->b_ns == ni + 1 && x->links[c->b_link].l.index == index)
			return x->links[c->b_link].l.name;
	}
	return "";
}

static void add_route(struct xnode *nd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void add_route(struct xnode *nd, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	va_end(ap);
	ARRAY_GROW(nd->routes, nd->n_routes);
	nd->routes[nd->n_routes++] = s;
}

/*
 * A node's routes. Its default route is the gateway of its first network
 * in a file: the network it goes to comes first; a default route elsewhere
 * is a route of its own, unless a network's would be added too.
 */
static void node_routes(struct xport *X, size_t ni)
{
	struct xns *x = &X->ns[ni + 1];
	struct xnode *nd = &X->nodes[ni];
	bool has_default[2] = { false, false };
	size_t i, k;
	int f;

	for (i = 0; i < x->n_routes; i++) {
		const struct nl_route *r = &x->routes[i];
		char d[64], g[64], ebuf[32];
		const char *dev;

		f = r->family == AF_INET6;
		if (r->dst.prefix == 0) {
			size_t first = SIZE_MAX;
			bool on_net = false;

			if (has_default[f])
				continue;
			has_default[f] = true;
			for (k = 0; k < nd->n_att; k++) {
				on_net |= nd->att[k].addr[f].family != 0;
				if (r->has_gateway && first == SIZE_MAX &&
				    ip_equal(&X->nets[nd->att[k].net].gw[f], &r->gateway))
					first = k;
			}
			if (first != SIZE_MAX) {
				/* that network first: up routes by it */
				struct xatt a = nd->att[first];

				memmove(&nd->att[1], &nd->att[0], first * sizeof(a));
				nd->att[0] = a;
				continue;
			}
			if (on_net) {
				export_note(&nd->notes, "default route via %s is not exported: up routes by the gateway of the first network",
					    r->has_gateway ?
					    export_ipstr(&r->gateway, false, g, sizeof(g)) : "a device");
				continue;
			}
		}
		if (r->dst.prefix == 0)
			snprintf(d, sizeof(d), "default");
		else
			export_ipstr(&r->dst, true, d, sizeof(d));
		if (r->has_gateway) {
			add_route(nd, "%s via %s", d, export_ipstr(&r->gateway, false, g, sizeof(g)));
			continue;
		}
		dev = node_ifname(X, ni, r->oif, ebuf, sizeof(ebuf));
		if (!dev[0]) {
			export_note(&nd->notes, "route %s: its device is not exported", d);
			continue;
		}
		add_route(nd, "%s dev %s", d, dev);
	}
	/* after the reordering above: the first network per family */
	for (f = 0; f < 2; f++) {
		char g[64];

		if (has_default[f])
			continue;
		for (k = 0; k < nd->n_att; k++)
			if (nd->att[k].addr[f].family) {
				export_note(&nd->notes, "no IPv%d default route here: up adds one via %s",
					    f ? 6 : 4,
					    export_ipstr(&X->nets[nd->att[k].net].gw[f], false, g, sizeof(g)));
				break;
			}
	}
}

/* NAT and published ports from the firewall, by bridge and by namespace. */
static void firewall_read(struct xport *X)
{
	json_t *e;
	size_t i, k;

	json_array_foreach(json_object_get(X->fw, "nat"), i, e) {
		const char *br = json_string_value(json_object_get(e, "bridge"));
		const char *out = json_string_value(json_object_get(e, "out"));
		bool found = false;

		for (k = 0; br && k < X->n_nets; k++)
			if (!strcmp(export_bridge_name(X, &X->nets[k]), br)) {
				X->nets[k].nat = true;
				found = true;
				if (out)
					export_note(&X->nets[k].notes, "NAT of %s leaves through %s only (nat add --out); "
					     "a file's nat: leaves through any interface", br, out);
			}
		/* the host is end a of a cable it is on: a_nat: */
		for (k = 0; br && !found && k < X->n_cables; k++) {
			struct xcable *c = &X->cables[k];

			if (c->a_ns || strcmp(X->ns[0].links[c->a_link].l.name, br))
				continue;
			found = true;
			if (!c->a_addr.family) {
				export_note(&X->cable_notes, "NAT for %s (nsnet nat add %s%s%s): %s has no "
					    "address now, and a_nat: needs one", br, br,
					    out ? " --out " : "", out ? out : "", br);
				continue;
			}
			c->a_nat = true;
			snprintf(c->a_nat_out, sizeof(c->a_nat_out), "%s", out ? out : "");
		}
	}
	json_array_foreach(json_object_get(X->fw, "published"), i, e) {
		const char *ns = json_string_value(json_object_get(e, "namespace"));
		const char *hip = json_string_value(json_object_get(e, "host_ip"));
		const char *proto = json_string_value(json_object_get(e, "proto"));
		int hl = (int)json_integer_value(json_object_get(e, "host_port"));
		int hh = (int)json_integer_value(json_object_get(e, "host_port_end"));
		int pl = (int)json_integer_value(json_object_get(e, "port"));
		int ph = (int)json_integer_value(json_object_get(e, "port_end"));
		char spec[128], r1[32] = "", r2[32] = "";
		struct xnode *nd;

		for (k = 1; ns && k < X->n_ns; k++)
			if (!strcmp(X->ns[k].name, ns))
				break;
		if (!ns || k == X->n_ns || !proto)
			continue;
		nd = &X->nodes[k - 1];
		if (hh > hl)
			snprintf(r1, sizeof(r1), "-%d", hh);
		if (ph > pl)
			snprintf(r2, sizeof(r2), "-%d", ph);
		snprintf(spec, sizeof(spec), "%s%s%d%s:%d%s/%s", hip ? hip : "", hip ? ":" : "",
			 hl, r1, pl, r2, proto);
		/* the firewall's own canonical form: IPv6 host addresses in brackets */
		if (json_is_string(json_object_get(e, "spec")))
			snprintf(spec, sizeof(spec), "%s", json_string_value(json_object_get(e, "spec")));
		ARRAY_GROW(nd->publish, nd->n_publish);
		nd->publish[nd->n_publish++] = strdup(spec);
	}
	json_array_foreach(json_object_get(json_object_get(X->fw, "isolation"), "allowed"), i, e)
		export_note(&X->top, "bridges %s and %s are allowed to talk (nsnet allow): a file cannot say so",
			    json_string_value(json_array_get(e, 0)) ?: "?",
			    json_string_value(json_array_get(e, 1)) ?: "?");
}

/*
 * Nodes in the order they were plugged in: by the index of their first
 * link in the host (the kernel numbers links in creation order), the
 * others after them by name. A topology that is up comes back in the order
 * of its file, which its hosts files follow too.
 */
static int host_index(const struct xport *X, size_t ni)
{
	const struct xns *x = &X->ns[ni + 1];
	int min = 0;
	size_t i;

	for (i = 0; i < x->n_links; i++)
		if (x->links[i].peer_ns == 0 && (!min || x->links[i].l.link < min))
			min = x->links[i].l.link;
	return min;
}

static int order_cmp(const void *a, const void *b, void *X)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int hx = host_index(X, x), hy = host_index(X, y);

	if (hx && hy && hx != hy)
		return hx < hy ? -1 : 1;
	if (!hx != !hy)
		return hx ? -1 : 1;
	return x < y ? -1 : x > y;
}

static void nodes_order(struct xport *X)
{
	size_t i;

	X->order = calloc(X->n_ns, sizeof(*X->order));
	if (!X->order)
		abort();
	for (i = 0; i + 1 < X->n_ns; i++)
		X->order[i] = i;
	qsort_r(X->order, X->n_ns - 1, sizeof(*X->order), order_cmp, X);
}

void export_model(struct xport *X, bool every_bridge)
{
	bool nat = false;
	size_t i;

	/* every bridge nsnet made, when nothing was named: an empty one too */
	for (i = 0; every_bridge && i < X->ns[0].n_links; i++)
		if (!strcmp(X->ns[0].links[i].l.kind, "bridge") && link_is_ours(&X->ns[0].links[i].l))
			net_of_bridge(X, i);
	for (i = 0; i + 1 < X->n_ns; i++)
		node_links(X, i);
	nets_finish(X);
	nets_gateways(X);
	nodes_check_addrs(X);
	for (i = 0; i + 1 < X->n_ns; i++)
		node_routes(X, i);
	firewall_read(X);
	for (i = 0; i < X->n_nets; i++)
		nat |= X->nets[i].nat;
	for (i = 0; i < X->n_cables; i++)
		nat |= X->cables[i].a_nat;
	if (X->ns[0].fwd4 && !nat)
		export_note(&X->top, "forwarding is on in the host; "
			    "a file turns it on only with NAT (a network's nat:, a cable end's a_nat:)");
	nodes_order(X);
}
