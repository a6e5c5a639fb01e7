// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * export_read.c - what exists, read for nsnet export the way status reads
 * it: the firewall through fw_show, and one dump of links, addresses and
 * routes per namespace, with the impairments nsnet set there. A veth's
 * other end is found from the namespace side (IFLA_LINK and
 * IFLA_LINK_NETNSID, the id resolved by asking the namespace for the id of
 * each candidate).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <linux/if_link.h>

#include "topology/export.h"
#include "firewall/firewall.h"

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

void export_ns_clear(struct xns *x)
{
	free(x->links);
	free(x->addrs);
	free(x->routes);
	impair_ns_free(&x->imp);
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
		export_ns_clear(x);
		if ((rc = xns_read_once(nn, ns, x)) != -EINTR)
			break;
	}
	if (rc == -EINTR)
		return err_set(nn, EINTR, "namespace %s keeps changing", x->name);
	if (!rc)
		rc = forward_get(nn, x->name, &x->fwd4, &x->fwd6);
	if (!rc)
		rc = impair_ns_read(nn, ns, &x->imp);
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

struct xlink *export_link_by_index(struct xns *x, int index, size_t *pos)
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
const struct ipaddr *export_first_addr(const struct xns *x, int index, int family,
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

int export_read(struct xport *X)
{
	struct nsnet *nn = X->nn;
	size_t i;
	int rc;

	if (fw_show(nn, &X->fw)) {
		err_clear(nn);  /* no firewall: no NAT and nothing published */
		X->fw = json_object();
	}
	/* the kernel, one namespace at a time */
	for (i = 0; i < X->n_ns; i++) {
		if ((rc = xns_read(nn, &X->ns[i])))
			return rc;
		if (i) {
			resolve_peers(X, i);
			ns_release(nn, X->ns[i].name);
		}
	}
	return 0;
}
