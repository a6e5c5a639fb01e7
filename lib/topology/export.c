// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * export.c - a topology file (docs/topology.md) for what exists now, so
 * that a network built command by command can be kept, diffed and rebuilt
 * with `nsnet up`.
 *
 * The kernel is read the way status reads it: one dump of links, addresses
 * and routes per namespace, the firewall through fw_show. A veth's other
 * end is found from the namespace side (IFLA_LINK and IFLA_LINK_NETNSID,
 * the id resolved by asking the namespace for the id of each candidate):
 * an end in the host enslaved to a bridge is an attachment to that
 * bridge's network, an end in the host without a master or in another
 * namespace is a cable.
 *
 * What a file cannot say (a node without a default route, NAT on a cable
 * end, a second address on an interface, ...) is written as a comment at
 * the place it concerns, so that the difference is visible, and the text
 * is parsed again before it is returned: what export writes, up reads.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <linux/if_link.h>
#include <jansson.h>

#include "topology/topology.h"
#include "firewall/firewall.h"
#include "kernel/kernel.h"

/* ---- what one namespace has ------------------------------------------------- */

struct xaddr {
	int index;
	struct ipaddr ip;
};

struct xlink {
	struct nl_link l;
	size_t peer_ns;         /* index into xport.ns; SIZE_MAX: unknown */
};

struct xns {
	char *name;
	struct xlink *links;
	size_t n_links;
	struct xaddr *addrs;
	size_t n_addrs;
	struct nl_route *routes;
	size_t n_routes;
	bool fwd4, fwd6;
};

/* Comment lines collected for one place of the file. */
struct notes {
	char **v;
	size_t n;
};

static void note(struct notes *n, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void note(struct notes *n, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	va_end(ap);
	ARRAY_GROW(n->v, n->n);
	n->v[n->n++] = s;
}

static void notes_free(struct notes *n)
{
	strv_free(n->v, n->n);
	memset(n, 0, sizeof(*n));
}

struct xnet {
	size_t link;            /* the bridge: index into the host's links */
	struct ipaddr subnet[2], gw[2];
	bool nat, internal, skip;
	struct notes notes;
};

struct xatt {
	size_t net;             /* index into xport.nets */
	size_t link;            /* the node's end: index into its links */
	struct ipaddr addr[2];
};

struct xnode {
	size_t ns;
	struct xatt *att;
	size_t n_att;
	char **routes;
	size_t n_routes;
	char **publish;
	size_t n_publish;
	struct notes notes;
};

struct xcable {
	size_t a_ns, a_link, b_ns, b_link;
	struct ipaddr a_addr, b_addr;
	unsigned int mtu;
};

struct xport {
	struct nsnet *nn;
	struct xns *ns;         /* [0] is the host */
	size_t n_ns;
	struct xnet *nets;
	size_t n_nets;
	struct xnode *nodes;    /* nodes[i] is ns[i + 1] */
	struct xcable *cables;
	size_t n_cables;
	struct notes top, cable_notes;
	json_t *fw;
	size_t *order;          /* nodes in the order they were made */
};

/* ---- reading the kernel ------------------------------------------------------- */

static int link_cb(const struct nlmsghdr *nlh, void *data)
{
	struct xns *x = data;
	struct nl_link l;

	if (nl_link_parse(nlh, &l))
		return MNL_CB_OK;
	ARRAY_GROW(x->links, x->n_links);
	x->links[x->n_links].l = l;
	x->links[x->n_links++].peer_ns = SIZE_MAX;
	return MNL_CB_OK;
}

static int addr_cb(const struct nl_addr *a, void *data)
{
	struct xns *x = data;

	/* global addresses only: link-local ones the kernel makes itself */
	if (a->scope != RT_SCOPE_UNIVERSE)
		return 0;
	ARRAY_GROW(x->addrs, x->n_addrs);
	x->addrs[x->n_addrs].index = a->index;
	x->addrs[x->n_addrs++].ip = a->ip;
	return 0;
}

static void addr_restart(void *data)
{
	struct xns *x = data;

	free(x->addrs);
	x->addrs = NULL;
	x->n_addrs = 0;
}

/*
 * Routes someone added: nsnet's (protocol 245), and those of `ip route
 * add` (boot) or a static tool (static). The kernel's own routes (the
 * subnet of an address, IPv6 link-local, local and broadcast routes) come
 * back by themselves with the addresses; routing daemons' are theirs.
 */
static int route_cb(const struct nlmsghdr *nlh, void *data)
{
	struct xns *x = data;
	struct nl_route r;

	if (nl_route_parse(nlh, &r) || r.table != RT_TABLE_MAIN || r.type != RTN_UNICAST ||
	    (r.protocol != RTPROT_NSNET && r.protocol != RTPROT_BOOT &&
	     r.protocol != RTPROT_STATIC))
		return MNL_CB_OK;
	ARRAY_GROW(x->routes, x->n_routes);
	x->routes[x->n_routes++] = r;
	return MNL_CB_OK;
}

static void xns_clear(struct xns *x)
{
	free(x->links);
	free(x->addrs);
	free(x->routes);
	x->links = NULL;
	x->addrs = NULL;
	x->routes = NULL;
	x->n_links = x->n_addrs = x->n_routes = 0;
}

static int xns_read_once(struct nsnet *nn, struct ns *ns, struct xns *x)
{
	char buf[128] __attribute__((aligned(4)));
	struct nlmsghdr *nlh;
	unsigned char *hdr;
	int rc;

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETLINK;
	hdr = mnl_nlmsg_put_extra_header(nlh, sizeof(struct ifinfomsg));
	hdr[0] = AF_UNSPEC;
	mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	if ((rc = nl_dump(nn, ns, nlh, link_cb, x)))
		return rc;
	if ((rc = nl_addr_dump(nn, ns, AF_UNSPEC, 0, addr_cb, x, addr_restart)))
		return rc;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETROUTE;
	hdr = mnl_nlmsg_put_extra_header(nlh, sizeof(struct rtmsg));
	hdr[0] = AF_UNSPEC;
	return nl_dump(nn, ns, nlh, route_cb, x);
}

static int xns_read(struct nsnet *nn, struct xns *x)
{
	struct ns *ns;
	int rc, tries;

	if ((rc = ns_get(nn, x->name, &ns)))
		return rc;
	for (tries = 0; tries < 5; tries++) {
		xns_clear(x);
		if ((rc = xns_read_once(nn, ns, x)) != -EINTR)
			break;
	}
	if (rc == -EINTR)
		return err_set(nn, EINTR, "namespace %s keeps changing", x->name);
	if (!rc)
		rc = forward_get(nn, x->name, &x->fwd4, &x->fwd6);
	return rc;
}

/* The namespace a veth of x reports as netnsid: asked of x for the id of
 * each candidate, the host first (where most peers are), remembered. */
static size_t peer_namespace(struct xport *X, size_t xi, int nsid,
			     int *ids)
{
	struct nsnet *nn = X->nn;
	struct ns *ns, *other;
	size_t i;

	for (i = 0; i < X->n_ns; i++)
		if (ids[i] == nsid)
			return i;
	if (ns_get(nn, X->ns[xi].name, &ns))
		return SIZE_MAX;
	for (i = 0; i < X->n_ns; i++) {
		if (i == xi || ids[i] != -2)
			continue;
		if (ns_get(nn, X->ns[i].name, &other)) {
			ids[i] = -1;
			continue;
		}
		ids[i] = nl_nsid_of(nn, ns, other);
		/* one descriptor at a time: see ns_release() */
		if (i)
			ns_release(nn, X->ns[i].name);
		if (ids[i] == nsid)
			return i;
	}
	return SIZE_MAX;
}

static void resolve_peers(struct xport *X, size_t xi)
{
	struct xns *x = &X->ns[xi];
	int *ids = malloc(X->n_ns * sizeof(int));
	size_t i;

	if (!ids)
		abort();
	for (i = 0; i < X->n_ns; i++)
		ids[i] = -2;   /* not asked yet */
	for (i = 0; i < x->n_links; i++) {
		struct xlink *l = &x->links[i];

		if (strcmp(l->l.kind, "veth") || !l->l.link)
			continue;
		l->peer_ns = l->l.link_netnsid < 0 ? xi :
			     peer_namespace(X, xi, l->l.link_netnsid, ids);
	}
	free(ids);
}

static struct xlink *link_by_index(struct xns *x, int index, size_t *pos)
{
	size_t i;

	for (i = 0; i < x->n_links; i++)
		if (x->links[i].l.index == index) {
			if (pos)
				*pos = i;
			return &x->links[i];
		}
	return NULL;
}

/* The first global address of family on a link, the count in *n. */
static const struct ipaddr *first_addr(const struct xns *x, int index, int family,
				       size_t *n)
{
	const struct ipaddr *first = NULL;
	size_t i;

	*n = 0;
	for (i = 0; i < x->n_addrs; i++)
		if (x->addrs[i].index == index && x->addrs[i].ip.family == family) {
			if (!first)
				first = &x->addrs[i].ip;
			(*n)++;
		}
	return first;
}

static const char *ipstr(const struct ipaddr *ip, bool prefix, char *buf, size_t len)
{
	struct ipaddr x = *ip;

	if (!prefix)
		x.prefix = -1;
	return ip_str(&x, buf, len);
}

/* ---- the model: networks, nodes, cables ------------------------------------------ */

static size_t net_of_bridge(struct xport *X, size_t link)
{
	size_t i;

	for (i = 0; i < X->n_nets; i++)
		if (X->nets[i].link == link)
			return i;
	ARRAY_GROW(X->nets, X->n_nets);
	X->nets[X->n_nets].link = link;
	return X->n_nets++;
}

static const char *bridge_name(const struct xport *X, const struct xnet *n)
{
	return X->ns[0].links[n->link].l.name;
}

static bool fw_list_has(json_t *fw, const char *list, const char *name)
{
	json_t *e;
	size_t i;

	json_array_foreach(json_object_get(json_object_get(fw, "isolation"), list), i, e)
		if (json_is_string(e) && !strcmp(json_string_value(e), name))
			return true;
	return false;
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
			const struct ipaddr *a = first_addr(host, br->index,
							    f ? AF_INET6 : AF_INET, &n);
			char s[64];

			if (a) {
				net->gw[f] = *a;
				net->subnet[f] = *a;
				ip_mask(&net->subnet[f]);
				any = true;
				if (n > 1)
					note(&net->notes, "%s has %zu IPv%d addresses; a network has one gateway: %s",
					     br->name, n, f ? 6 : 4, ipstr(a, true, s, sizeof(s)));
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
				note(&net->notes, "bridge %s has no IPv%d address: up gives it the gateway of %s",
				     br->name, f ? 6 : 4, ipstr(&net->subnet[f], true, s, sizeof(s)));
			}
		}
		if (!any) {
			net->skip = true;
			note(&X->top, "bridge %s: neither it nor its namespaces have an address; "
			     "a network needs a subnet, so it is left out", br->name);
		}
		net->internal = fw_list_has(X->fw, "internal", br->name) ||
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
			note(&nd->notes, "%s is a second attachment to %s; a node is on a network once",
			     l->name, bridge_name(X, &X->nets[net]));
			return;
		}
	ARRAY_GROW(nd->att, nd->n_att);
	a = &nd->att[nd->n_att++];
	a->net = net;
	a->link = li;
	for (f = 0; f < 2; f++) {
		const struct ipaddr *ip = first_addr(x, l->index, f ? AF_INET6 : AF_INET, &n);
		char s[64];

		if (ip)
			a->addr[f] = *ip;
		if (n > 1)
			note(&nd->notes, "%s has %zu IPv%d addresses; a file gives one per network: %s",
			     l->name, n, f ? 6 : 4, ipstr(ip, true, s, sizeof(s)));
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
					note(&nd->notes, "%s is outside the subnet of %s: left out",
					     ipstr(&a->addr[f], true, s, sizeof(s)), bridge_name(X, net));
					a->addr[f].family = 0;
				} else if (ip_equal(&a->addr[f], &net->gw[f])) {
					note(&nd->notes, "%s is the gateway of %s: left out",
					     ipstr(&a->addr[f], false, s, sizeof(s)), bridge_name(X, net));
					a->addr[f].family = 0;
				} else if (a->addr[f].prefix != net->subnet[f].prefix) {
					note(&nd->notes, "%s: the prefix becomes that of the subnet, %s",
					     ipstr(&a->addr[f], true, s, sizeof(s)),
					     ipstr(&net->subnet[f], true, t, sizeof(t)));
				}
			}
	}
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
		size_t pi, bi;

		if (l->l.index == 1 && !strcmp(l->l.name, "lo"))
			continue;
		if (strcmp(l->l.kind, "veth")) {
			note(&nd->notes, "%s is a %s: only veths are exported", l->l.name,
			     l->l.kind[0] ? l->l.kind : "device");
			continue;
		}
		if (l->peer_ns == SIZE_MAX) {
			note(&nd->notes, "%s: its other end is in a namespace that is not exported",
			     l->l.name);
			continue;
		}
		if (l->peer_ns == ni + 1) {
			note(&nd->notes, "%s: both ends of this veth are in %s; a cable joins two namespaces",
			     l->l.name, x->name);
			continue;
		}
		peer_ns = &X->ns[l->peer_ns];
		peer = link_by_index(peer_ns, l->l.link, &pi);
		if (!peer)
			continue;
		if (l->peer_ns == 0 && peer->l.master) {
			struct xlink *br = link_by_index(host, peer->l.master, &bi);

			if (!br || strcmp(br->l.kind, "bridge")) {
				note(&nd->notes, "%s: its host end %s is enslaved to %s, not a bridge",
				     l->l.name, peer->l.name, br ? br->l.name : "?");
				continue;
			}
			node_attach(X, ni, i, net_of_bridge(X, bi));
			if (peer->l.mtu != 1500 || l->l.mtu != 1500)
				note(&nd->notes, "%s: mtu %u is not exported (a file has no MTU for attachments)",
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
				ip = first_addr(xa, ll->index, AF_INET, &n);
				v6 = first_addr(xa, ll->index, AF_INET6, &n6);
				if (!ip)
					ip = v6;
				if (ip)
					*(f ? &c.b_addr : &c.a_addr) = *ip;
				if (n + n6 > 1)
					note(&X->cable_notes, "%s:%s has %zu addresses; a cable end has one: %s",
					     xa->name, ll->name, n + n6, ipstr(ip, true, s, sizeof(s)));
			}
			if (l->l.mtu != 1500)
				c.mtu = l->l.mtu;
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
				note(&nd->notes, "default route via %s is not exported: up routes by the gateway of the first network",
				     r->has_gateway ? ipstr(&r->gateway, false, g, sizeof(g)) : "a device");
				continue;
			}
		}
		if (r->dst.prefix == 0)
			snprintf(d, sizeof(d), "default");
		else
			ipstr(&r->dst, true, d, sizeof(d));
		if (r->has_gateway) {
			add_route(nd, "%s via %s", d, ipstr(&r->gateway, false, g, sizeof(g)));
			continue;
		}
		dev = node_ifname(X, ni, r->oif, ebuf, sizeof(ebuf));
		if (!dev[0]) {
			note(&nd->notes, "route %s: its device is not exported", d);
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
				note(&nd->notes, "no IPv%d default route here: up adds one via %s",
				     f ? 6 : 4, ipstr(&X->nets[nd->att[k].net].gw[f], false, g, sizeof(g)));
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
			if (!strcmp(bridge_name(X, &X->nets[k]), br)) {
				X->nets[k].nat = true;
				found = true;
				if (out)
					note(&X->nets[k].notes, "NAT of %s leaves through %s only (nat add --out); "
					     "a file's nat: leaves through any interface", br, out);
			}
		for (k = 0; br && !found && k < X->n_cables; k++)
			if (X->cables[k].a_ns == 0 &&
			    !strcmp(X->ns[0].links[X->cables[k].a_link].l.name, br)) {
				note(&X->cable_notes, "NAT for %s (nsnet nat add %s%s%s): a file has no NAT on a cable",
				     br, br, out ? " --out " : "", out ? out : "");
				found = true;
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
		note(&X->top, "bridges %s and %s are allowed to talk (nsnet allow): a file cannot say so",
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

/* ---- writing YAML --------------------------------------------------------------- */

/* A scalar as it is when plain YAML reads it back the same, else quoted. */
static void yq(FILE *f, const char *s)
{
	static const char *const words[] = { "true", "false", "yes", "no", "on", "off",
		"null", "y", "n" };
	size_t i, len = strlen(s);
	bool plain = len && *s != '-' && *s != '.' && *s != ' ' && s[len - 1] != ' ';
	const char *c;

	/* letters, digits, "_-./" and single inner spaces ("10.0.0.0/8 via
	 * 10.1.0.1"): nothing YAML gives a meaning to */
	for (c = s; *c && plain; c++)
		plain = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
			(*c >= '0' && *c <= '9') || *c == '_' || *c == '-' || *c == '.' ||
			*c == '/' || (*c == ' ' && c[1] != ' ');
	for (i = 0; plain && i < ARRAY_SIZE(words); i++)
		plain = strcasecmp(s, words[i]) != 0;
	if (plain) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (c = s; *c; c++) {
		if (*c == '"' || *c == '\\')
			fputc('\\', f);
		fputc(*c, f);
	}
	fputc('"', f);
}

static void write_notes(FILE *f, const struct notes *n, const char *indent)
{
	size_t i;

	for (i = 0; i < n->n; i++)
		fprintf(f, "%s# %s\n", indent, n->v[i]);
}

static void write_yaml(struct xport *X, FILE *f, const char *name)
{
	size_t i, k;
	char s[64];
	int fam;

	fputs("# Written by nsnet export from what exists now; nsnet up rebuilds it.\n", f);
	write_notes(f, &X->top, "");
	fputs("name: ", f);
	yq(f, name);
	fputc('\n', f);
	if (X->n_nets)
		fputs("networks:\n", f);
	for (i = 0; i < X->n_nets; i++) {
		struct xnet *net = &X->nets[i];

		if (net->skip)
			continue;
		write_notes(f, &net->notes, "  ");
		fputs("  ", f);
		yq(f, bridge_name(X, net));
		fputs(":\n", f);
		for (k = 0; k < 2; k++) {
			const char *key = k ? "gateway" : "subnet";
			int n = 0;

			for (fam = 0; fam < 2; fam++)
				n += net->subnet[fam].family != 0;
			fprintf(f, "    %s: %s", key, n > 1 ? "[" : "");
			for (fam = 0, n = 0; fam < 2; fam++) {
				if (!net->subnet[fam].family)
					continue;
				fputs(n++ ? ", " : "", f);
				yq(f, k ? ipstr(&net->gw[fam], false, s, sizeof(s)) :
					   ipstr(&net->subnet[fam], true, s, sizeof(s)));
			}
			fprintf(f, "%s\n", n > 1 ? "]" : "");
		}
		if (net->nat)
			fputs("    nat: true\n", f);
		if (net->internal)
			fputs("    internal: true\n", f);
	}
	if (X->n_ns > 1)
		fputs("nodes:\n", f);
	for (i = 0; i + 1 < X->n_ns; i++) {
		struct xnode *nd = &X->nodes[X->order[i]];
		struct xns *x = &X->ns[X->order[i] + 1];

		for (k = 0; k < nd->n_att; k++) {
			char want[32];

			snprintf(want, sizeof(want), "eth%zu", k);
			if (strcmp(x->links[nd->att[k].link].l.name, want))
				note(&nd->notes, "%s on %s is called %s here (a file names them eth0, eth1, ...)",
				     x->links[nd->att[k].link].l.name,
				     bridge_name(X, &X->nets[nd->att[k].net]), want);
		}
		fputs("  ", f);
		yq(f, x->name);
		fputs(":\n", f);
		write_notes(f, &nd->notes, "    ");
		if (nd->n_att)
			fputs("    networks:\n", f);
		for (k = 0; k < nd->n_att; k++) {
			struct xatt *a = &nd->att[k];
			int n = (a->addr[0].family != 0) + (a->addr[1].family != 0);

			fputs("      ", f);
			yq(f, bridge_name(X, &X->nets[a->net]));
			fprintf(f, ":%s", n > 1 ? " [" : n ? " " : "");
			for (fam = 0, n = 0; fam < 2; fam++) {
				if (!a->addr[fam].family)
					continue;
				fputs(n++ ? ", " : "", f);
				yq(f, ipstr(&a->addr[fam], false, s, sizeof(s)));
			}
			fprintf(f, "%s\n", n > 1 ? "]" : "");
		}
		if (nd->n_routes)
			fputs("    routes:\n", f);
		for (k = 0; k < nd->n_routes; k++) {
			fputs("      - ", f);
			yq(f, nd->routes[k]);
			fputc('\n', f);
		}
		if (nd->n_publish)
			fputs("    publish:\n", f);
		for (k = 0; k < nd->n_publish; k++) {
			fputs("      - ", f);
			yq(f, nd->publish[k]);
			fputc('\n', f);
		}
		if (x->fwd4 || x->fwd6)
			fputs("    sysctls:\n", f);
		if (x->fwd4)
			fputs("      net.ipv4.ip_forward: 1\n", f);
		if (x->fwd6)
			fputs("      net.ipv6.conf.all.forwarding: 1\n", f);
	}
	if (X->n_cables || X->cable_notes.n)
		fputs("cables:\n", f);
	write_notes(f, &X->cable_notes, "  ");
	for (i = 0; i < X->n_cables; i++) {
		const struct xcable *c = &X->cables[i];
		int end;

		for (end = 0; end < 2; end++) {
			struct xns *x = &X->ns[end ? c->b_ns : c->a_ns];
			const struct ipaddr *ip = end ? &c->b_addr : &c->a_addr;
			char p = end ? 'b' : 'a';

			fprintf(f, "  %s %c: ", end ? " " : "-", p);
			yq(f, x->name);
			fprintf(f, "\n    %c_if: ", p);
			yq(f, x->links[end ? c->b_link : c->a_link].l.name);
			fputc('\n', f);
			if (ip->family) {
				fprintf(f, "    %c_addr: ", p);
				yq(f, ipstr(ip, true, s, sizeof(s)));
				fputc('\n', f);
			}
		}
		if (c->mtu)
			fprintf(f, "    mtu: %u\n", c->mtu);
	}
}

/* ---- the whole ----------------------------------------------------------------- */

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every namespace nsnet has a record of, but the sandbox's upstream. */
static int recorded_namespaces(struct nsnet *nn, char ***names, size_t *n)
{
	json_t *list, *e;
	size_t i;
	int rc;

	*names = NULL;
	*n = 0;
	if ((rc = ns_list(nn, &list)) < 0)
		return rc;
	json_array_foreach(list, i, e) {
		const char *name = json_string_value(json_object_get(e, "name"));

		if (!json_is_true(json_object_get(e, "nsnet")) || !strcmp(name, "upstream"))
			continue;
		ARRAY_GROW(*names, *n);
		if (!((*names)[(*n)++] = strdup(name)))
			abort();
	}
	json_decref(list);
	return 0;
}

/* The topology all namespaces belong to, if one; else "exported". */
static void default_name(const struct xport *X, char *buf, size_t len)
{
	char owner[256];
	size_t i;

	snprintf(buf, len, "exported");
	for (i = 1; i < X->n_ns; i++) {
		if (ns_record_owner(X->ns[i].name, owner, sizeof(owner)) || !owner[0] ||
		    (i > 1 && strcmp(owner, buf)))
			break;
		snprintf(buf, len, "%.*s", TOPO_NAME_MAX, owner);
	}
	if (i < X->n_ns)
		snprintf(buf, len, "exported");
}

static void xport_free(struct xport *X)
{
	size_t i;

	for (i = 0; i < X->n_ns; i++) {
		xns_clear(&X->ns[i]);
		free(X->ns[i].name);
	}
	free(X->ns);
	for (i = 0; i < X->n_nets; i++)
		notes_free(&X->nets[i].notes);
	free(X->nets);
	for (i = 0; X->nodes && i + 1 < X->n_ns; i++) {
		free(X->nodes[i].att);
		strv_free(X->nodes[i].routes, X->nodes[i].n_routes);
		strv_free(X->nodes[i].publish, X->nodes[i].n_publish);
		notes_free(&X->nodes[i].notes);
	}
	free(X->nodes);
	free(X->cables);
	free(X->order);
	notes_free(&X->top);
	notes_free(&X->cable_notes);
	json_decref(X->fw);
}

int topo_export(struct nsnet *nn, const char *name, const char *const *ns,
		size_t n, char **yaml)
{
	struct xport X = { .nn = nn };
	char **names = NULL, topo_name[TOPO_NAME_MAX + 1];
	size_t n_names = 0, i, j;
	struct topo *check = NULL;
	size_t len = 0;
	char *buf = NULL;
	FILE *f;
	int rc;

	*yaml = NULL;
	for (i = 0; i < n; i++) {
		if ((rc = check_ns_name(nn, ns[i], false)))
			return rc;
		if (!strcmp(ns[i], "upstream"))
			return err_usage(nn, "namespace upstream is nsnet sandbox's simulated internet, not a node");
		if (!ns_exists(ns[i]))
			return err_set(nn, 0, "namespace %s does not exist (see 'nsnet ns list')", ns[i]);
	}
	if (n) {
		names = calloc(n, sizeof(*names));
		if (!names)
			abort();
		for (i = 0; i < n; i++)
			if (!(names[i] = strdup(ns[i])))
				abort();
		n_names = n;
		qsort(names, n_names, sizeof(*names), name_cmp);
		for (i = 1; i < n_names; i++)
			if (!strcmp(names[i], names[i - 1])) {
				rc = err_usage(nn, "namespace %s is named twice", names[i]);
				strv_free(names, n_names);
				return rc;
			}
	} else if ((rc = recorded_namespaces(nn, &names, &n_names))) {
		return rc;
	}
	X.n_ns = n_names + 1;
	X.ns = calloc(X.n_ns, sizeof(*X.ns));
	X.nodes = calloc(X.n_ns, sizeof(*X.nodes));
	if (!X.ns || !X.nodes)
		abort();
	X.ns[0].name = strdup(NSNET_HOST);
	for (i = 0; i < n_names; i++) {
		X.ns[i + 1].name = names[i];
		X.nodes[i].ns = i + 1;
	}
	free(names);
	if (fw_show(nn, &X.fw)) {
		err_clear(nn);  /* no firewall: no NAT and nothing published */
		X.fw = json_object();
	}
	/* the kernel, one namespace at a time */
	for (i = 0; i < X.n_ns; i++) {
		if ((rc = xns_read(nn, &X.ns[i])))
			goto out;
		if (i) {
			resolve_peers(&X, i);
			ns_release(nn, X.ns[i].name);
		}
	}
	/* every bridge nsnet made, when nothing was named: an empty one too */
	for (i = 0; !n && i < X.ns[0].n_links; i++)
		if (!strcmp(X.ns[0].links[i].l.kind, "bridge") && link_is_ours(&X.ns[0].links[i].l))
			net_of_bridge(&X, i);
	for (i = 0; i + 1 < X.n_ns; i++)
		node_links(&X, i);
	nets_finish(&X);
	nets_gateways(&X);
	nodes_check_addrs(&X);
	for (i = 0; i + 1 < X.n_ns; i++)
		node_routes(&X, i);
	firewall_read(&X);
	{
		bool nat = false;

		for (j = 0; j < X.n_nets; j++)
			nat |= X.nets[j].nat;
		if (X.ns[0].fwd4 && !nat)
			note(&X.top, "forwarding is on in the host; a file turns it on only with a network's nat: true");
	}
	if (name) {
		snprintf(topo_name, sizeof(topo_name), "%s", name);
		if (strlen(name) > TOPO_NAME_MAX) {
			rc = err_usage(nn, "topology name %s is longer than %d characters", name,
				       TOPO_NAME_MAX);
			goto out;
		}
	} else {
		default_name(&X, topo_name, sizeof(topo_name));
	}
	f = open_memstream(&buf, &len);
	if (!f) {
		rc = err_set(nn, errno, "export");
		goto out;
	}
	nodes_order(&X);
	write_yaml(&X, f, topo_name);
	if (fclose(f)) {
		free(buf);
		rc = err_set(nn, ENOMEM, "export");
		goto out;
	}
	/* what export writes, up must read */
	rc = topo_parse_buffer(nn, "exported file", buf, len, &check);
	if (rc) {
		err_prefix(nn, "export wrote a file nsnet cannot read (please report it)");
		free(buf);
		goto out;
	}
	topo_free(check);
	*yaml = buf;
out:
	xport_free(&X);
	return rc;
}

NSNET_EXPORT int nsnet_topo_export(struct nsnet *nn, const char *name,
				   const char *const *ns, size_t n, char **yaml)
{
	return topo_export(nn, name, ns, n, yaml);
}
