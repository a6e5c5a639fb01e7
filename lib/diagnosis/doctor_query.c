// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * doctor_query.c - the questions nsnet doctor asks the kernel of one
 * namespace, each answered by that kernel itself: its route for one
 * destination (RTM_GETROUTE, as `ip route get`), the global addresses and
 * the links it has, a neighbour entry, which namespace the other end of a
 * veth lives in (RTM_GETNSID), a sysctl, and whether a socket holds a port
 * (sock_diag). Nothing here decides what is wrong; doctor_hop.c does.
 */
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <libmnl/libmnl.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>

#include "kernel/kernel.h"
#include "diagnosis/doctor.h"

/* ---- routes, addresses, links, neighbours ------------------------------------ */

static int dr_route_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dr_route *r = data;
	struct nl_route rt;

	if (nl_route_parse(nlh, &rt))
		return MNL_CB_OK;
	r->type = (int)rt.type;
	r->oif = rt.oif;
	r->has_gw = rt.has_gateway;
	r->gw = rt.gateway;
	r->has_src = rt.has_prefsrc;
	r->prefsrc = rt.prefsrc;
	return MNL_CB_OK;
}

/* The kernel's route for dst in ns: for a packet ns sends itself (iif 0),
 * or for one arriving on iif from src. 0 or the kernel's -errno. */
int dr_route_get(struct doctor *dr, struct ns *ns,
		 const struct ipaddr *dst, const struct ipaddr *src,
		 int iif, struct dr_route *r)
{
	char req[256] __attribute__((aligned(4)));
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(req);
	unsigned char full = dst->family == AF_INET ? 32 : 128;
	struct rtmsg *rtm;

	memset(r, 0, sizeof(*r));
	nlh->nlmsg_type = RTM_GETROUTE;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (unsigned char)dst->family;
	rtm->rtm_dst_len = full;
	mnl_attr_put(nlh, RTA_DST, ip_len(dst), dst->a.b);
	if (src) {
		rtm->rtm_src_len = full;
		mnl_attr_put(nlh, RTA_SRC, ip_len(src), src->a.b);
	}
	if (iif)
		mnl_attr_put_u32(nlh, RTA_IIF, (uint32_t)iif);
	return nl_query(dr->nn, ns, nlh, dr_route_cb, r);
}

bool dr_route_missing(int rc, const struct dr_route *r)
{
	return rc == -ENETUNREACH || rc == -EHOSTUNREACH ||
	       (!rc && (r->type == RTN_UNREACHABLE || r->type == RTN_BLACKHOLE ||
			r->type == RTN_PROHIBIT));
}

bool dr_is_local(struct doctor *dr, struct ns *ns, const struct ipaddr *ip)
{
	struct dr_route r;

	return !dr_route_get(dr, ns, ip, NULL, 0, &r) && r.type == RTN_LOCAL;
}

static int dr_addr_cb(const struct nl_addr *a, void *data)
{
	struct dr_addrs *out = data;

	if (out->n < DR_MAX_ADDRS && a->scope == RT_SCOPE_UNIVERSE)
		out->a[out->n++] = a->ip;
	return 0;
}

static void dr_addrs_reset(void *data)
{
	((struct dr_addrs *)data)->n = 0;
}

/* Global addresses of one interface. */
int dr_addrs_get(struct doctor *dr, struct ns *ns, int family, int index,
		 struct dr_addrs *out)
{
	out->n = 0;
	out->index = index;
	return nl_addr_dump(dr->nn, ns, family, index, dr_addr_cb, out,
			    dr_addrs_reset);
}

static int dr_links_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dr_links *ls = data;

	if (nlh->nlmsg_type != RTM_NEWLINK)
		return MNL_CB_OK;
	/* a host with a network of thousands of nodes has as many ports:
	 * all of them (doubling) */
	if (ls->n >= DR_MAX_LINKS && !(ls->n & (ls->n - 1))) {
		struct nl_link *l = realloc(ls->l, 2 * ls->n * sizeof(*l));

		if (!l)
			abort();
		ls->l = l;
	}
	nl_link_parse(nlh, &ls->l[ls->n++]);
	return MNL_CB_OK;
}

/* Every link of ns (used for one namespace's ports of a bridge and when it
 * has no route at all). The caller frees ls->l. */
int dr_links_get(struct doctor *dr, struct ns *ns, struct dr_links *ls)
{
	char buf[128] __attribute__((aligned(4))) = { 0 };
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;
	int rc, tries = 0;

	ls->l = calloc(DR_MAX_LINKS, sizeof(*ls->l));
	if (!ls->l)
		abort();
	nlh->nlmsg_type = RTM_GETLINK;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	do {
		ls->n = 0;
		rc = nl_dump(dr->nn, ns, nlh, dr_links_cb, ls);
	} while (rc == -EINTR && ++tries < 5);
	return rc;
}

static int dr_neigh_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct ndmsg *nd = mnl_nlmsg_get_payload(nlh);

	if (nlh->nlmsg_type == RTM_NEWNEIGH)
		*(int *)data = nd->ndm_state;
	return MNL_CB_OK;
}

/* NUD_* state of ip on index in ns, 0 when there is no entry. */
int dr_neigh_state(struct doctor *dr, struct ns *ns, int index,
		   const struct ipaddr *ip)
{
	char req[128] __attribute__((aligned(4)));
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(req);
	struct ndmsg *nd;
	int state = 0;

	nlh->nlmsg_type = RTM_GETNEIGH;
	nd = mnl_nlmsg_put_extra_header(nlh, sizeof(*nd));
	nd->ndm_family = (unsigned char)ip->family;
	nd->ndm_ifindex = index;
	mnl_attr_put(nlh, NDA_DST, ip_len(ip), ip->a.b);
	if (nl_query(dr->nn, ns, nlh, dr_neigh_cb, &state))
		return 0;
	return state;
}

bool dr_neigh_answers(int state)
{
	return state & (NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE |
			NUD_PERMANENT | NUD_NOARP);
}

/* ---- namespaces and the other ends of veths ---------------------------------- */

static bool dr_ns_cached(struct nsnet *nn, const char *name)
{
	const struct ns *c;

	for (c = nn->ns_list; c; c = c->next)
		if (!strcmp(c->name, name))
			return true;
	return false;
}

/* Close a namespace doctor opened only to look at, unless it was open
 * before: with a thousand namespaces on one bridge, keeping each one (and
 * its netlink socket) open would run out of descriptors. */
void dr_ns_done(struct doctor *dr, struct ns *ns, bool was_cached)
{
	if (!was_cached && !ns_is_host(ns->name))
		ns_release(dr->nn, ns->name);
}

/* The ids one namespace gives the others (RTM_GETNSID), built once per
 * namespace: every port of a bridge would otherwise ask about every
 * namespace again. */
struct dr_nsmap {
	char from[256];
	size_t n, cap;
	struct dr_nsid {
		int id;
		char name[256];
	} *e;
	struct dr_nsmap *next;
};

static void dr_nsmap_add(struct dr_nsmap *m, int id, const char *name)
{
	if (m->n == m->cap) {
		m->cap = m->cap ? 2 * m->cap : 16;
		m->e = realloc(m->e, m->cap * sizeof(*m->e));
		if (!m->e)
			abort();
	}
	m->e[m->n].id = id;
	snprintf(m->e[m->n].name, sizeof(m->e[m->n].name), "%s", name);
	m->n++;
}

static struct dr_nsmap *dr_nsmap_get(struct doctor *dr, struct ns *ns)
{
	struct dr_nsmap *m;
	struct dirent *e;
	struct ns *c;
	DIR *dir;
	int id;

	for (m = *dr->nsmaps; m; m = m->next)
		if (!strcmp(m->from, ns->name))
			return m;
	m = calloc(1, sizeof(*m));
	if (!m)
		abort();
	snprintf(m->from, sizeof(m->from), "%s", ns->name);
	m->next = *dr->nsmaps;
	*dr->nsmaps = m;
	if (!ns_is_host(ns->name) && !ns_get(dr->nn, NSNET_HOST, &c) &&
	    (id = nl_nsid_of(dr->nn, ns, c)) >= 0)
		dr_nsmap_add(m, id, NSNET_HOST);
	dir = opendir(NETNS_RUN_DIR);
	while (dir && (e = readdir(dir))) {
		bool cached;

		if (e->d_name[0] == '.' || !strcmp(e->d_name, ns->name))
			continue;
		cached = dr_ns_cached(dr->nn, e->d_name);
		if (ns_get(dr->nn, e->d_name, &c))
			continue;
		/* -1: ns has no id for it, so no veth of ns leads there */
		if ((id = nl_nsid_of(dr->nn, ns, c)) >= 0)
			dr_nsmap_add(m, id, e->d_name);
		dr_ns_done(dr, c, cached);
	}
	if (dir)
		closedir(dir);
	err_clear(dr->nn);
	return m;
}

void dr_nsmaps_free(struct dr_nsmap *m)
{
	while (m) {
		struct dr_nsmap *next = m->next;

		free(m->e);
		free(m);
		m = next;
	}
}

/* The other end of a veth: its namespace is the one whose id, as seen
 * from ns, is the link's IFLA_LINK_NETNSID (the host or one in /run/netns). */
int dr_peer(struct doctor *dr, struct ns *ns, const struct nl_link *l,
	    struct dr_end *peer)
{
	const struct dr_nsmap *m;
	size_t i;

	if (strcmp(l->kind, "veth") || l->link <= 0)
		return -ENOENT;
	if (l->link_netnsid < 0) {
		peer->ns = ns;
		return nl_link_get_index(dr->nn, ns, l->link, &peer->l);
	}
	m = dr_nsmap_get(dr, ns);
	for (i = 0; i < m->n; i++)
		if (m->e[i].id == l->link_netnsid) {
			if (ns_get(dr->nn, m->e[i].name, &peer->ns))
				return -ENOENT;
			return nl_link_get_index(dr->nn, peer->ns, l->link,
						 &peer->l);
		}
	return -ENOENT;
}

/* Whether the namespace l's peer lives in is open already. */
bool dr_port_cached(struct doctor *dr, struct ns *ns,
		    const struct nl_link *l)
{
	const struct dr_nsmap *m;
	size_t i;

	if (l->link_netnsid < 0)
		return true;
	m = dr_nsmap_get(dr, ns);
	for (i = 0; i < m->n; i++)
		if (m->e[i].id == l->link_netnsid)
			return dr_ns_cached(dr->nn, m->e[i].name);
	return true;
}

/* The interface on the far side of l that the next hop is reached on: a
 * veth's peer or, when the peer is a bridge port, the bridge. */
int dr_far_side(struct doctor *dr, struct ns *ns, const struct nl_link *l,
		struct dr_end *side)
{
	struct dr_end peer;
	int rc;

	rc = dr_peer(dr, ns, l, &peer);
	if (rc)
		return rc;
	if (peer.l.master > 0) {
		side->ns = peer.ns;
		return nl_link_get_index(dr->nn, peer.ns, peer.l.master, &side->l);
	}
	*side = peer;
	return 0;
}

/* An address of side in the same subnet as one of ours on l: the gateway a
 * person would write (the bridge's address, the other end of the cable). */
int dr_gateway_guess(struct doctor *dr, struct ns *ns,
		     const struct nl_link *l, struct ipaddr *gw)
{
	struct dr_addrs mine, theirs;
	struct dr_end side;
	size_t i, j;

	if (dr_far_side(dr, ns, l, &side) ||
	    dr_addrs_get(dr, side.ns, dr->dest.family, side.l.index, &theirs) ||
	    dr_addrs_get(dr, ns, dr->dest.family, l->index, &mine)) {
		err_clear(dr->nn);
		return -ENOENT;
	}
	for (i = 0; i < mine.n; i++)
		for (j = 0; j < theirs.n; j++)
			if (ip_in_prefix(&mine.a[i], &theirs.a[j])) {
				*gw = theirs.a[j];
				gw->prefix = -1;
				return 0;
			}
	return -ENOENT;
}

/* The prefix length of our address on index that covers ip, or -1. */
int dr_prefix_for(struct doctor *dr, struct ns *ns, int index,
		  const struct ipaddr *ip)
{
	struct dr_addrs mine;
	size_t i;

	if (dr_addrs_get(dr, ns, ip->family, index, &mine))
		return -1;
	for (i = 0; i < mine.n; i++)
		if (ip_in_prefix(&mine.a[i], ip))
			return mine.a[i].prefix;
	return -1;
}

/* ---- sysctls inside a namespace ---------------------------------------------- */

/* A sysctl's value as a number, -1 when it cannot be read. */
int dr_sysctl_int(struct doctor *dr, struct ns *ns, const char *path)
{
	char val[32] = "";

	if (sysctl_read(dr->nn, ns, path, val, sizeof(val))) {
		err_clear(dr->nn);
		return -1;
	}
	return atoi(val);
}

/* ---- listening sockets (sock_diag, inside the namespace) ----------------------- */

/* Whether a socket in ns listens on (or, for UDP, is bound to) the port. */
int dr_listens(struct doctor *dr, struct ns *ns, bool *found)
{
	struct mnl_socket *nl = NULL;
	unsigned int port = 0;
	int rc;

	rc = ns_call(dr->nn, ns, sockdiag_open, &nl);
	if (rc)
		return err_set(dr->nn, -rc, "sock_diag socket in %s", ns->name);
	/* a request that fails says nothing listens: the probe decides */
	if (sockdiag_holder(dr->nn, nl, dr->d.proto, dr->d.port, dr->d.port,
			    &dr->dest, &port))
		err_clear(dr->nn);
	mnl_socket_close(nl);
	*found = port != 0;
	return 0;
}
