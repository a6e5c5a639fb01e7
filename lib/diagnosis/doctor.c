// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * doctor.c - "why does NS not reach DEST", answered the way a person
 * walks the path by hand: the source's links and route, then namespace
 * by namespace across veths and bridges (who owns the next hop, does it
 * forward, do its firewall and NAT let the packet out, is there a route
 * back), up to the destination's namespace and its listening sockets.
 *
 * Every fact comes from the kernel of the namespace concerned: its own
 * route lookup (RTM_GETROUTE for one destination, with RTA_IIF and RTA_SRC
 * for what it does with forwarded packets), links asked for by index,
 * sysctls read inside it, nftables listed through libnftables inside it,
 * sock_diag inside it. A real probe (ICMP echo or a TCP/UDP attempt, one
 * second) runs first and has the last word; the walk explains. Nothing is
 * changed and no traffic goes anywhere but to DEST.
 */
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/socket.h>
#include <libmnl/libmnl.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <jansson.h>

#include "kernel/kernel.h"
#include "firewall/firewall.h"
#include "diagnosis/diagnosis.h"

/* <net/if.h> stops at IFF_DYNAMIC; <linux/if.h> clashes with it. */
#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP 0x10000
#endif
/* IF_OPER_UP of <linux/if.h> (RFC 2863's "up"), for the same reason. */
#define DR_OPER_UP 6

/* Longer paths than this are not what nsnet builds; it also ends loops. */
#define DR_MAX_HOPS 16
#define DR_MAX_ADDRS 16
#define DR_MAX_LINKS 256
/* Every probe's deadline. */
#define DR_PROBE_MS 1000
/* Probes after the first when the walk found no cause (see nsnet_doctor). */
#define DR_PROBE_RETRIES 3

struct doctor {
	struct nsnet *nn;
	void (*line)(void *data, const char *text);
	void *data;
	json_t *checks, *fix;
	char cause[512];
	bool found;             /* a FAIL was said */
	bool probe_ok;          /* the probe got through: nothing is wrong */
	bool reverse;           /* walking the replies' way back */
	bool settling;          /* a link on the way is not active yet */
	bool side_opaque;       /* the bridge has a port doctor cannot follow */
	char reached[256];      /* the destination's namespace, once found */
	char path[512];         /* namespaces crossed, for the way back's line */
	struct dr_nsmap **nsmaps;  /* shared with the way back's copy */
	const char *src_ns;
	struct probe_dest d;
	struct ipaddr dest;
	char dest_s[INET6_ADDRSTRLEN];
	/* The packet's source as the next namespace sees it (after NAT). */
	bool have_src;
	struct ipaddr src, src_net;  /* src_net: its subnet, for return routes */
};

/* An interface in a namespace. */
struct dr_end {
	struct ns *ns;
	struct nl_link l;
};

struct dr_route {
	int type, oif;
	bool has_gw, has_src;
	struct ipaddr gw, prefsrc;
};

struct dr_addrs {
	int index;
	size_t n;
	struct ipaddr a[DR_MAX_ADDRS];   /* with their prefixes */
};

/* ---- findings ------------------------------------------------------------ */

static void dr_emit(struct doctor *dr, enum probe_word w, const char *text)
{
	char buf[640];

	if (w == PROBE_FIX)
		json_array_append_new(dr->fix, json_string(text));
	else
		json_array_append_new(dr->checks, json_pack("{s:s,s:s}", "result",
					w == PROBE_OK ? "ok" : "fail", "what", text));
	if (dr->line)
		dr->line(dr->data, probe_line_format(buf, sizeof(buf), w, text));
}

static void dr_ok(struct doctor *dr, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void dr_ok(struct doctor *dr, const char *fmt, ...)
{
	char text[512];
	va_list ap;

	/* The way back is summed up in one line at its end. */
	if (dr->reverse)
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	dr_emit(dr, PROBE_OK, text);
}

/* The first cause: said once, and the walk stops (returns 1). When the
 * probe got through anyway, the walk's reading was wrong and is kept quiet:
 * the packet is the authority. */
static int dr_fail(struct doctor *dr, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int dr_fail(struct doctor *dr, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(dr->cause, sizeof(dr->cause), fmt, ap);
	va_end(ap);
	dr->found = true;
	if (!dr->probe_ok)
		dr_emit(dr, PROBE_FAIL, dr->cause);
	return 1;
}

static void dr_fix(struct doctor *dr, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void dr_fix(struct doctor *dr, const char *fmt, ...)
{
	char text[512];
	va_list ap;

	if (dr->probe_ok)
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	dr_emit(dr, PROBE_FIX, text);
}

static const char *dr_ip(const struct ipaddr *ip, char *buf, size_t len)
{
	struct ipaddr a = *ip;

	a.prefix = -1;
	return ip_str(&a, buf, len);
}

static const char *dr_fam(const struct doctor *dr)
{
	return dr->dest.family == AF_INET ? "IPv4" : "IPv6";
}

/* ---- the kernel's answers ---------------------------------------------------- */

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
static int dr_route_get(struct doctor *dr, struct ns *ns,
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

static bool dr_route_missing(int rc, const struct dr_route *r)
{
	return rc == -ENETUNREACH || rc == -EHOSTUNREACH ||
	       (!rc && (r->type == RTN_UNREACHABLE || r->type == RTN_BLACKHOLE ||
			r->type == RTN_PROHIBIT));
}

static bool dr_is_local(struct doctor *dr, struct ns *ns, const struct ipaddr *ip)
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
static int dr_addrs_get(struct doctor *dr, struct ns *ns, int family, int index,
			struct dr_addrs *out)
{
	out->n = 0;
	out->index = index;
	return nl_addr_dump(dr->nn, ns, family, index, dr_addr_cb, out,
			    dr_addrs_reset);
}

struct dr_links {
	size_t n;
	struct nl_link *l;
};

static int dr_links_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dr_links *ls = data;

	if (nlh->nlmsg_type == RTM_NEWLINK && ls->n < DR_MAX_LINKS)
		nl_link_parse(nlh, &ls->l[ls->n++]);
	return MNL_CB_OK;
}

/* Every link of ns (small: used for one namespace's ports of a bridge and
 * when it has no route at all). The caller frees ls->l. */
static int dr_links_get(struct doctor *dr, struct ns *ns, struct dr_links *ls)
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
static int dr_neigh_state(struct doctor *dr, struct ns *ns, int index,
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

static bool dr_neigh_answers(int state)
{
	return state & (NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE |
			NUD_PERMANENT | NUD_NOARP);
}

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
static void dr_ns_done(struct doctor *dr, struct ns *ns, bool was_cached)
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

static void dr_nsmaps_free(struct dr_nsmap *m)
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
static int dr_peer(struct doctor *dr, struct ns *ns, const struct nl_link *l,
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
static bool dr_port_cached(struct doctor *dr, struct ns *ns,
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
static int dr_far_side(struct doctor *dr, struct ns *ns, const struct nl_link *l,
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
static int dr_gateway_guess(struct doctor *dr, struct ns *ns,
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
static int dr_prefix_for(struct doctor *dr, struct ns *ns, int index,
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

/* ---- sysctls and rulesets inside a namespace --------------------------------- */

static int dr_sysctl_int(struct doctor *dr, struct ns *ns, const char *path)
{
	char val[32] = "";

	if (sysctl_read(dr->nn, ns, path, val, sizeof(val))) {
		err_clear(dr->nn);
		return -1;
	}
	return atoi(val);
}

struct dr_nft {
	struct nsnet *nn;
	char *out;
	int rc;
};

static int dr_nft_here(void *arg)
{
	struct dr_nft *q = arg;

	/* libnftables binds its socket to the namespace current at context
	 * creation, which fw_nft_list() does: we are inside. */
	q->rc = fw_nft_list(q->nn, "list ruleset", &q->out);
	return 0;
}

/* ns's whole ruleset as JSON, or NULL when there is none or nftables
 * cannot be read (doctor then says nothing about firewalls). */
static json_t *dr_ruleset(struct doctor *dr, struct ns *ns)
{
	struct dr_nft q = { dr->nn, NULL, 0 };
	json_t *doc;

	if (ns_call(dr->nn, ns, dr_nft_here, &q) || q.rc || !q.out) {
		free(q.out);
		err_clear(dr->nn);
		return NULL;
	}
	doc = json_loads(q.out, 0, NULL);
	free(q.out);
	return doc;
}

/* ---- listening sockets (sock_diag, inside the namespace) ----------------------- */

/* Whether a socket in ns listens on (or, for UDP, is bound to) the port. */
static int dr_listens(struct doctor *dr, struct ns *ns, bool *found)
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

/* ---- the probe ------------------------------------------------------------------ */

struct dr_sock {
	int family, type, fd;
};

static int dr_sock_open(void *arg)
{
	struct dr_sock *s = arg;

	s->fd = socket(s->family, s->type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	return s->fd < 0 ? -errno : 0;
}

/* 0: connected (TCP) or nothing refused it (UDP); else a positive errno
 * (ECONNREFUSED, ETIMEDOUT, EHOSTUNREACH...). */
static int dr_probe_port(struct doctor *dr, struct ns *ns)
{
	struct dr_sock s = { dr->dest.family,
			     dr->d.proto == IPPROTO_TCP ? SOCK_STREAM : SOCK_DGRAM, -1 };
	struct sockaddr_storage ss = { 0 };
	struct pollfd p;
	socklen_t sl;
	int e = 0, r;

	if (ns_call(dr->nn, ns, dr_sock_open, &s))
		return EIO;
	sl = ip_sockaddr(&dr->dest, dr->d.port, &ss);
	if (connect(s.fd, (struct sockaddr *)&ss, sl) && errno != EINPROGRESS) {
		e = errno;
		goto out;
	}
	p.fd = s.fd;
	if (s.type == SOCK_STREAM) {
		p.events = POLLOUT;
	} else {
		/* An empty datagram: enough to draw a port unreachable,
		 * nothing a server could take for a request. */
		if (send(s.fd, "", 0, 0) < 0) {
			e = errno;
			goto out;
		}
		p.events = POLLIN;
	}
	r = poll(&p, 1, DR_PROBE_MS);
	if (r == 0) {
		e = s.type == SOCK_STREAM ? ETIMEDOUT : 0;
	} else if (r > 0) {
		sl = sizeof(e);
		if (getsockopt(s.fd, SOL_SOCKET, SO_ERROR, &e, &sl))
			e = errno;
	} else {
		e = errno;
	}
out:
	close(s.fd);
	return e;
}

static bool dr_probe_ping(struct doctor *dr)
{
	struct nsnet_ping_opts po = { .count = 1, .timeout = DR_PROBE_MS / 1000.0,
				      .quiet = true };
	struct nsnet_ping_result res;
	int rc;

	rc = ping_dest(dr->nn, dr->src_ns, dr->dest_s, &po, NULL, NULL, &res);
	/* A route error is the walk's to explain. */
	err_clear(dr->nn);
	return rc > 0;
}

/* The probe DEST asked for: a TCP connection, or an echo (and for UDP an
 * empty datagram that nothing must refuse). *port_err: the TCP/UDP errno. */
static bool dr_probe(struct doctor *dr, struct ns *ns, int *port_err)
{
	*port_err = 0;
	if (dr->d.port && dr->d.proto == IPPROTO_TCP) {
		*port_err = dr_probe_port(dr, ns);
		return !*port_err;
	}
	if (!dr_probe_ping(dr))
		return false;
	if (dr->d.port)
		*port_err = dr_probe_port(dr, ns);
	return !*port_err;
}

/* ---- the walk -------------------------------------------------------------------- */

/* l in ns is down, and the kernel removed the routes through it: the fix
 * brings it up and, when that does not bring back a way to target (the
 * subnet's route comes back with the link, a default route does not), adds
 * the default route through the address on its other side. */
static int dr_link_down(struct doctor *dr, struct ns *ns,
			const struct nl_link *l, const struct ipaddr *target)
{
	char a[INET6_ADDRSTRLEN];
	struct dr_addrs addrs;
	struct dr_route r;
	struct ipaddr gw;
	bool on_link = false;
	size_t j;
	int rc;

	if (!dr_addrs_get(dr, ns, target->family, l->index, &addrs))
		for (j = 0; j < addrs.n; j++)
			on_link |= ip_in_prefix(&addrs.a[j], target);
	dr_fail(dr, "%s: %s is down (the kernel removed the routes through it)",
		ns->name, l->name);
	dr_fix(dr, "nsnet link set %s %s up", ns->name, l->name);
	rc = dr_route_get(dr, ns, target, NULL, 0, &r);
	if (!on_link && dr_route_missing(rc, &r) &&
	    !dr_gateway_guess(dr, ns, l, &gw))
		dr_fix(dr, "nsnet route add %s default via %s", ns->name,
		       dr_ip(&gw, a, sizeof(a)));
	err_clear(dr->nn);
	return 1;
}

/* ip + k, big-endian across the whole address. */
static void dr_ip_add(struct ipaddr *ip, unsigned int k)
{
	size_t i = ip_len(ip);

	while (k && i--) {
		unsigned int v = ip->a.b[i] + (k & 0xff);

		ip->a.b[i] = (unsigned char)v;
		k = (k >> 8) + (v >> 8);
	}
}

/*
 * For a link without an address of the family: an address for it in the
 * subnet of its other side (the bridge's or the peer's address), one that
 * no namespace there has, and that side's address as the gateway. A
 * suggestion the FAIL line gives as such: doctor cannot know addresses
 * that namespaces not up yet will want.
 */
static int dr_free_address(struct doctor *dr, struct ns *ns,
			   const struct nl_link *l, struct ipaddr *addr,
			   struct ipaddr *gw)
{
	struct dr_links ls = { 0, NULL };
	struct dr_addrs theirs;
	struct dr_end side, c;
	unsigned int k, room;
	int host_bits;
	size_t i;

	if (dr_far_side(dr, ns, l, &side) ||
	    dr_addrs_get(dr, side.ns, dr->dest.family, side.l.index, &theirs) ||
	    !theirs.n) {
		err_clear(dr->nn);
		return -ENOENT;
	}
	*gw = theirs.a[0];
	gw->prefix = -1;
	host_bits = (int)ip_len(gw) * 8 - theirs.a[0].prefix;
	if (host_bits < 2)
		return -ENOENT;
	room = host_bits >= 16 ? 0xffff : (1u << host_bits) - 1;
	if (!strcmp(side.l.kind, "bridge") && dr_links_get(dr, side.ns, &ls))
		ls.n = 0;
	for (k = 1; k < room && k < 1024; k++) {
		bool taken;

		*addr = theirs.a[0];
		ip_mask(addr);
		dr_ip_add(addr, k);
		addr->prefix = -1;
		taken = ip_equal(addr, gw) || dr_is_local(dr, side.ns, addr);
		for (i = 0; i < ls.n && !taken; i++) {
			bool cached;

			if (ls.l[i].master != side.l.index)
				continue;
			cached = dr_port_cached(dr, side.ns, &ls.l[i]);
			if (dr_peer(dr, side.ns, &ls.l[i], &c))
				continue;
			taken = dr_is_local(dr, c.ns, addr);
			dr_ns_done(dr, c.ns, cached);
		}
		if (!taken) {
			addr->prefix = theirs.a[0].prefix;
			free(ls.l);
			err_clear(dr->nn);
			return 0;
		}
	}
	free(ls.l);
	err_clear(dr->nn);
	return -ENOENT;
}

/* l has no address of the family: say so, with an address to give it
 * and, when the destination is not on that subnet, the default route
 * that went with the old one. */
static int dr_no_address(struct doctor *dr, struct ns *ns,
			 const struct nl_link *l, bool routed)
{
	char a[INET6_ADDRSTRLEN + 4], g[INET6_ADDRSTRLEN];
	struct ipaddr addr, gw;

	if (routed)
		dr_fail(dr, "%s: %s has no %s address", ns->name, l->name,
			dr_fam(dr));
	else
		dr_fail(dr, "%s: %s has no %s address, so there is no route to %s",
			ns->name, l->name, dr_fam(dr), dr->dest_s);
	if (dr_free_address(dr, ns, l, &addr, &gw))
		return 1;
	dr_fix(dr, "nsnet addr add %s %s %s", ns->name, l->name,
	       ip_str(&addr, a, sizeof(a)));
	if (!routed && !ip_in_prefix(&addr, &dr->dest))
		dr_fix(dr, "nsnet route add %s default via %s", ns->name,
		       dr_ip(&gw, g, sizeof(g)));
	return 1;
}

/* The source has no route: a link that is down (the kernel removed its
 * routes with it), a link without an address, or no route at all. */
static int dr_no_route(struct doctor *dr, struct ns *ns)
{
	struct dr_links ls;
	struct ipaddr gw;
	char a[INET6_ADDRSTRLEN];
	const struct nl_link *bare = NULL, *usable = NULL;
	int rc;
	size_t i;

	rc = dr_links_get(dr, ns, &ls);
	if (rc) {
		free(ls.l);
		return rc;
	}
	for (i = 0; i < ls.n; i++) {
		const struct nl_link *l = &ls.l[i];
		struct dr_addrs addrs;

		if (l->flags & IFF_LOOPBACK)
			continue;
		if (dr_addrs_get(dr, ns, dr->dest.family, l->index, &addrs))
			addrs.n = 0;
		if (!(l->flags & IFF_UP)) {
			rc = dr_link_down(dr, ns, l, &dr->dest);
			free(ls.l);
			return rc;
		}
		if (!addrs.n && !bare)
			bare = l;
		if (addrs.n && !usable && !dr_gateway_guess(dr, ns, l, &gw))
			usable = l;
	}
	if (usable) {
		dr_ok(dr, "%s: %s is up", ns->name, usable->name);
		dr_fail(dr, "%s: no route to %s (there is no default route)",
			ns->name, dr->dest_s);
		dr_fix(dr, "nsnet route add %s default via %s", ns->name,
		       dr_ip(&gw, a, sizeof(a)));
	} else if (bare) {
		dr_no_address(dr, ns, bare, false);
	} else {
		dr_fail(dr, "%s: no route to %s (add one with `nsnet route add %s default via GATEWAY`)",
			ns->name, dr->dest_s, ns->name);
	}
	free(ls.l);
	return 1;
}

/*
 * A link that has carrier but whose operational state is still down: the
 * kernel's link watch has not activated it yet and it drops what it is
 * given. Link watch runs at most once a second, and later when other
 * namespaces keep the rtnl lock busy; doctor waits for it rather than
 * blaming the path.
 */
static void dr_note_settling(struct doctor *dr, const struct nl_link *l)
{
	/* Veths and bridges with carrier are "up" once link watch has run;
	 * before, "down" or still "unknown" (other kinds say "unknown" for
	 * good). */
	if ((l->flags & IFF_UP) && (l->flags & IFF_LOWER_UP) &&
	    l->operstate != DR_OPER_UP &&
	    (!strcmp(l->kind, "veth") || !strcmp(l->kind, "bridge")))
		dr->settling = true;
}

/* The interface a packet leaves by: up, with carrier, and (at the source)
 * with an address of the family. */
static int dr_check_out(struct doctor *dr, struct ns *ns,
			const struct nl_link *l, bool source)
{
	struct dr_addrs addrs;
	struct dr_end peer;
	char a[INET6_ADDRSTRLEN + 4];
	size_t i;

	if (l->flags & IFF_LOOPBACK)
		return dr_fail(dr, "%s: the route to %s leads to %s: nothing leaves that way",
			       ns->name, dr->dest_s, l->name);
	if (!(l->flags & IFF_UP))
		return dr_link_down(dr, ns, l, &dr->dest);
	if (!(l->flags & IFF_LOWER_UP)) {
		if (!dr_peer(dr, ns, l, &peer) && !(peer.l.flags & IFF_UP)) {
			dr_fail(dr, "%s: %s has no carrier: its other end, %s in %s, is down",
				ns->name, l->name, peer.l.name, peer.ns->name);
			dr_fix(dr, "nsnet link set %s %s up", peer.ns->name,
			       peer.l.name);
		} else {
			err_clear(dr->nn);
			dr_fail(dr, "%s: %s has no carrier (NO-CARRIER): nothing is plugged into its other end",
				ns->name, l->name);
		}
		return 1;
	}
	dr_note_settling(dr, l);
	if (!source)
		return 0;
	if (dr_addrs_get(dr, ns, dr->dest.family, l->index, &addrs))
		return err_set(dr->nn, EIO, "addresses of %s in %s", l->name,
			       ns->name);
	if (!addrs.n)
		return dr_no_address(dr, ns, l, true);
	/* The subnet the replies must find their way back to. */
	dr->src_net = addrs.a[0];
	for (i = 0; i < addrs.n; i++)
		if (dr->have_src && ip_equal(&addrs.a[i], &dr->src))
			dr->src_net = addrs.a[i];
	dr_ok(dr, "%s: %s is up with %s", ns->name, l->name,
	      ip_str(&dr->src_net, a, sizeof(a)));
	ip_mask(&dr->src_net);
	return 0;
}

/* A route back to the packet's source from ns, where it arrived on
 * in_index from prev; and strict rp_filter, which drops a packet whose
 * route back leaves by another interface. */
static int dr_check_return(struct doctor *dr, struct ns *ns, int in_index,
			   const struct dr_end *prev)
{
	char s[INET6_ADDRSTRLEN], net[INET6_ADDRSTRLEN + 4], via[INET6_ADDRSTRLEN];
	struct nl_link in, back_l;
	struct dr_route back;
	char path[128];
	int rc, rp_all, rp_if;

	if (!dr->have_src)
		return 0;
	dr_ip(&dr->src, s, sizeof(s));
	rc = nl_link_get_index(dr->nn, ns, in_index, &in);
	if (rc)
		return rc == -ENODEV ?
		       err_set(dr->nn, ENODEV, "interface %d of %s vanished during the walk",
			       in_index, ns->name) : rc;
	rc = dr_route_get(dr, ns, &dr->src, NULL, 0, &back);
	if (dr_route_missing(rc, &back)) {
		struct dr_addrs theirs, mine;
		bool have_via = false;
		size_t i, j;

		dr_fail(dr, "%s: no route back to %s: replies cannot leave %s",
			ns->name, s, ns->name);
		/* The previous hop's address on the link the packet came
		 * in by. */
		if (prev && !dr_addrs_get(dr, prev->ns, dr->src.family,
					  prev->l.index, &theirs) &&
		    !dr_addrs_get(dr, ns, dr->src.family, in_index, &mine))
			for (i = 0; i < mine.n && !have_via; i++)
				for (j = 0; j < theirs.n && !have_via; j++)
					if (ip_in_prefix(&mine.a[i], &theirs.a[j]) &&
					    !ip_equal(&theirs.a[j], &dr->src)) {
						dr_ip(&theirs.a[j], via, sizeof(via));
						have_via = true;
					}
		if (have_via)
			dr_fix(dr, "nsnet route add %s %s via %s", ns->name,
			       ip_str(&dr->src_net, net, sizeof(net)), via);
		err_clear(dr->nn);
		return 1;
	}
	if (rc)
		return err_set(dr->nn, -rc, "route back to %s in %s", s, ns->name);
	if (nl_link_get_index(dr->nn, ns, back.oif, &back_l))
		snprintf(back_l.name, sizeof(back_l.name), "%d", back.oif);
	if (back.has_gw)
		dr_ok(dr, "%s: route back to %s via %s dev %s", ns->name, s,
		      dr_ip(&back.gw, via, sizeof(via)), back_l.name);
	else
		dr_ok(dr, "%s: route back to %s dev %s", ns->name, s, back_l.name);
	if (dr->src.family != AF_INET || back.oif == in_index)
		return 0;
	/* The kernel uses the larger of "all" and the interface's value. */
	rp_all = dr_sysctl_int(dr, ns, "net/ipv4/conf/all/rp_filter");
	snprintf(path, sizeof(path), "net/ipv4/conf/%s/rp_filter", in.name);
	rp_if = dr_sysctl_int(dr, ns, path);
	if ((rp_all > rp_if ? rp_all : rp_if) != 1)
		return 0;
	dr_fail(dr, "%s: rp_filter is strict on %s (net.ipv4.conf.%s.rp_filter = 1) and the route back to %s leaves by %s: the kernel drops these packets",
		ns->name, in.name, rp_all == 1 ? "all" : in.name, s, back_l.name);
	if (ns_is_host(ns->name))
		dr_fix(dr, "sysctl -w net.ipv4.conf.%s.rp_filter=2", in.name);
	else
		dr_fix(dr, "ip netns exec %s sysctl -w net.ipv4.conf.%s.rp_filter=2",
		       ns->name, in.name);
	return 1;
}

/* Forward-hook base chains of tables that are not nsnet's: each must let
 * the packet through (and its replies back), whatever nsnet's own says. */
static int dr_check_foreign_filter(struct doctor *dr, struct ns *ns, json_t *rs,
				   const char *in, const char *out)
{
	json_t *o;
	size_t i;

	json_array_foreach(json_object_get(rs, "nftables"), i, o) {
		json_t *c = json_object_get(o, "chain");
		const char *fam, *table, *name, *hook, *policy;
		struct probe_pkt fwd = { in, out, false }, rep = { out, in, true };
		enum probe_verdict v, vf, vr;
		char why[64], pfx[300];
		bool drop_f, drop_r;
		long long hf, hr;

		if (!c)
			continue;
		fam = json_string_value(json_object_get(c, "family")) ?: "";
		table = json_string_value(json_object_get(c, "table")) ?: "";
		name = json_string_value(json_object_get(c, "name")) ?: "";
		hook = json_string_value(json_object_get(c, "hook")) ?: "";
		policy = json_string_value(json_object_get(c, "policy")) ?: "accept";
		if (strcmp(hook, "forward") ||
		    (!strcmp(fam, FW_FAMILY) && !strcmp(table, FW_TABLE)))
			continue;
		if (strcmp(fam, "inet") &&
		    strcmp(fam, dr->dest.family == AF_INET ? "ip" : "ip6"))
			continue;
		vf = probe_chain_verdict(rs, fam, table, name, policy, &fwd, &hf);
		vr = probe_chain_verdict(rs, fam, table, name, policy, &rep, &hr);
		drop_f = vf == PROBE_V_DROP || vf == PROBE_V_POLICY_DROP;
		drop_r = vr == PROBE_V_DROP || vr == PROBE_V_POLICY_DROP;
		if (!drop_f && !drop_r)
			continue;
		v = drop_f ? vf : vr;
		if (v == PROBE_V_DROP)
			snprintf(why, sizeof(why), "rule handle %lld",
				 drop_f ? hf : hr);
		else
			snprintf(why, sizeof(why), "policy drop");
		dr_fail(dr, "%s: table %s %s chain %s drops the %s from %s to %s (%s); it is not nsnet's",
			ns->name, fam, table, name, drop_f ? "packets" : "replies",
			drop_f ? in : out, drop_f ? out : in, why);
		snprintf(pfx, sizeof(pfx), "%s%s%s",
			 ns_is_host(ns->name) ? "" : "ip netns exec ",
			 ns_is_host(ns->name) ? "" : ns->name,
			 ns_is_host(ns->name) ? "" : " ");
		/* Inserted, so they come before whatever drops; each only
		 * when its direction needs it. */
		if (drop_f)
			dr_fix(dr, "%snft insert rule %s %s %s iifname \"%s\" accept",
			       pfx, fam, table, name, in);
		if (drop_r)
			dr_fix(dr, "%snft insert rule %s %s %s oifname \"%s\" ct state established,related accept",
			       pfx, fam, table, name, in);
		return 1;
	}
	return 0;
}

static bool dr_json_has(json_t *arr, const char *s)
{
	json_t *v;
	size_t i;

	json_array_foreach(arr, i, v)
		if (json_is_string(v) && !strcmp(json_string_value(v), s))
			return true;
	return false;
}

/* nsnet's own isolation: bridges do not talk to each other unless allowed,
 * internal bridges to nothing outside. */
static int dr_check_isolation(struct doctor *dr, struct ns *ns, json_t *fw,
			      const char *in, const char *out)
{
	json_t *iso = json_object_get(fw, "isolation"), *pair;
	json_t *bridges = json_object_get(iso, "bridges");
	size_t i;

	if (!fw || !ns_is_host(ns->name))
		return 0;
	if (dr_json_has(json_object_get(iso, "internal"), in) ||
	    dr_json_has(json_object_get(iso, "internal"), out))
		return dr_fail(dr, "%s: bridge %s is internal: nsnet keeps its traffic away from other interfaces",
			       ns->name, dr_json_has(json_object_get(iso, "internal"), in) ? in : out);
	if (!strcmp(in, out) || !dr_json_has(bridges, in) ||
	    !dr_json_has(bridges, out))
		return 0;
	json_array_foreach(json_object_get(iso, "allowed"), i, pair) {
		const char *a = json_string_value(json_array_get(pair, 0)) ?: "";
		const char *b = json_string_value(json_array_get(pair, 1)) ?: "";

		if ((!strcmp(a, in) && !strcmp(b, out)) ||
		    (!strcmp(a, out) && !strcmp(b, in))) {
			dr_ok(dr, "%s: nsnet allows %s and %s to talk", ns->name,
			      in, out);
			return 0;
		}
	}
	dr_fail(dr, "%s: nsnet isolates bridge %s from bridge %s (table inet nsnet)",
		ns->name, in, out);
	dr_fix(dr, "nsnet allow %s %s", in, out);
	return 1;
}

/* A foreign rule that may translate the source: "masquerade" or "snat". */
static bool dr_foreign_snat(json_t *rs, char *where, size_t len)
{
	json_t *o, *x;
	size_t i, j;

	json_array_foreach(json_object_get(rs, "nftables"), i, o) {
		json_t *r = json_object_get(o, "rule");
		const char *fam, *table;

		if (!r)
			continue;
		fam = json_string_value(json_object_get(r, "family")) ?: "";
		table = json_string_value(json_object_get(r, "table")) ?: "";
		if (!strcmp(fam, FW_FAMILY) && !strcmp(table, FW_TABLE))
			continue;
		json_array_foreach(json_object_get(r, "expr"), j, x)
			if (json_object_get(x, "masquerade") ||
			    json_object_get(x, "snat")) {
				snprintf(where, len, "table %s %s chain %s", fam,
					 table, json_string_value(json_object_get(r, "chain")) ?: "?");
				return true;
			}
	}
	return false;
}

/* A private source leaving towards a public destination needs NAT here,
 * or the replies have no way back. nsnet's NAT of a bridge covers the
 * bridge's subnets on every way out but the bridge itself (or one named
 * way out). */
static int dr_check_nat(struct doctor *dr, struct ns *ns, json_t *fw, json_t *rs,
			const struct nl_link *in, const struct nl_link *out)
{
	char s[INET6_ADDRSTRLEN], where[256];
	json_t *e, *sub;
	struct dr_addrs addrs;
	size_t i, j;
	bool covered = false;

	if (!dr->have_src || !probe_addr_private(&dr->src) ||
	    probe_addr_private(&dr->dest) ||
	    dr_json_has(json_object_get(json_object_get(fw, "isolation"), "bridges"),
			out->name))
		return 0;
	dr_ip(&dr->src, s, sizeof(s));
	json_array_foreach(ns_is_host(ns->name) ? json_object_get(fw, "nat") : NULL, i, e) {
		const char *br = json_string_value(json_object_get(e, "bridge")) ?: "";
		const char *o = json_string_value(json_object_get(e, "out"));

		if (o ? strcmp(o, out->name) : !strcmp(br, out->name))
			continue;
		json_array_foreach(json_object_get(e, "subnets"), j, sub) {
			struct ipaddr net;

			if (!cidr_parse(json_string_value(sub) ?: "", &net) &&
			    ip_in_prefix(&net, &dr->src)) {
				dr_ok(dr, "%s: NAT for %s masquerades %s out of %s",
				      ns->name, br, s, out->name);
				covered = true;
			}
		}
		if (covered)
			break;
	}
	if (!covered && dr_foreign_snat(rs, where, sizeof(where))) {
		dr_ok(dr, "%s: no NAT of nsnet's covers %s out of %s, but %s translates sources (cannot tell whether it applies)",
		      ns->name, s, out->name, where);
		covered = true;
	}
	if (!covered) {
		dr_fail(dr, "%s: packets to %s leave by %s with the private source %s and nothing masquerades them: replies cannot come back",
			ns->name, dr->dest_s, out->name, s);
		if (ns_is_host(ns->name))
			dr_fix(dr, "nsnet nat add %s", in->name);
		return 1;
	}
	/* From here on the packet carries an address of out. */
	if (!dr_addrs_get(dr, ns, dr->src.family, out->index, &addrs) && addrs.n) {
		dr->src = addrs.a[0];
		dr->src.prefix = -1;
		dr->src_net = addrs.a[0];
		ip_mask(&dr->src_net);
	} else {
		err_clear(dr->nn);
		dr->have_src = false;
	}
	return 0;
}

/* ns must forward what came in on in: forwarding on, a route for the
 * packet as the kernel sees it arriving, the way back, the firewalls. */
static int dr_forward(struct doctor *dr, struct ns *ns, const struct nl_link *in,
		      const struct dr_end *prev, struct dr_route *r)
{
	const char *path = dr->dest.family == AF_INET ? "net/ipv4/ip_forward" :
				"net/ipv6/conf/all/forwarding";
	const char *name = dr->dest.family == AF_INET ? "net.ipv4.ip_forward" :
				"net.ipv6.conf.all.forwarding";
	struct nl_link out;
	int rc;

	if (dr_sysctl_int(dr, ns, path) == 0) {
		char to[IFNAMSIZ + 8] = "";

		if (!dr_route_get(dr, ns, &dr->dest, NULL, 0, r) &&
		    !nl_link_get_index(dr->nn, ns, r->oif, &out))
			snprintf(to, sizeof(to), " to %s", out.name);
		err_clear(dr->nn);
		dr_fail(dr, "%s: forwarding is off (%s = 0); %s has to forward from %s%s",
			ns->name, name, ns->name, in->name, to);
		if (ns_is_host(ns->name))
			dr_fix(dr, "nsnet forward on");
		else
			dr_fix(dr, "nsnet forward on %s", ns->name);
		return 1;
	}
	dr_ok(dr, "%s: forwarding is on (%s = 1)", ns->name, name);
	rc = dr_check_return(dr, ns, in->index, prev);
	if (rc)
		return rc;
	rc = dr_route_get(dr, ns, &dr->dest, dr->have_src ? &dr->src : NULL,
			  dr->have_src ? in->index : 0, r);
	if (dr_route_missing(rc, r)) {
		err_clear(dr->nn);
		return dr_fail(dr, "%s: no route to %s for packets from %s (add one with `nsnet route add %s %s/%d via GATEWAY`)",
			       ns->name, dr->dest_s, in->name, ns->name,
			       dr->dest_s, dr->dest.family == AF_INET ? 32 : 128);
	}
	if (rc)
		return err_set(dr->nn, -rc, "route to %s in %s for packets from %s",
			       dr->dest_s, ns->name, in->name);
	return 0;
}

/* Who, beyond out, owns ip: the far end of the cable, or the bridge the far
 * end is a port of, or a namespace on another port of that bridge. 0 and
 * *owner (with the interface the packet arrives on), -ENOENT, or 1 when a
 * cause was found on the way (a bridge that is down). */
static int dr_owner(struct doctor *dr, struct ns *ns, const struct nl_link *out,
		    const struct ipaddr *ip, struct dr_end *owner,
		    struct dr_end *side)
{
	struct dr_end peer = { 0 }, c;
	struct dr_links ls = { 0, NULL };
	int bridge = 0, rc;
	struct ns *bns;
	size_t i;

	side->ns = NULL;
	dr->side_opaque = false;
	if (!strcmp(out->kind, "bridge")) {
		bns = ns;
		bridge = out->index;
		side->ns = ns;
		side->l = *out;
	} else {
		rc = dr_peer(dr, ns, out, &peer);
		if (rc) {
			err_clear(dr->nn);
			return -ENOENT;
		}
		/* A bridge port forwards nothing before link watch has
		 * seen its carrier either. */
		dr_note_settling(dr, &peer.l);
		if (peer.l.master <= 0) {
			*side = peer;
			if (!dr_is_local(dr, peer.ns, ip))
				return -ENOENT;
			*owner = peer;
			return 0;
		}
		bns = peer.ns;
		bridge = peer.l.master;
		side->ns = bns;
		if (nl_link_get_index(dr->nn, bns, bridge, &side->l))
			return -ENOENT;
		if (!(side->l.flags & IFF_UP)) {
			dr_fail(dr, "%s: bridge %s is down", bns->name, side->l.name);
			dr_fix(dr, "nsnet link set %s %s up", bns->name, side->l.name);
			return 1;
		}
		if (dr_is_local(dr, bns, ip)) {
			*owner = *side;
			return 0;
		}
	}
	rc = dr_links_get(dr, bns, &ls);
	for (i = 0; !rc && i < ls.n; i++) {
		bool cached;

		if (ls.l[i].master != bridge || (out->kind[0] != 'b' &&
						 ls.l[i].index == peer.l.index))
			continue;
		/* Which namespace a port leads to is known only after
		 * dr_peer(); all of them were closed unless open before. */
		cached = dr_port_cached(dr, bns, &ls.l[i]);
		if (dr_peer(dr, bns, &ls.l[i], &c)) {
			/* a NIC, a tap: whoever is behind it may have ip */
			dr->side_opaque = true;
			err_clear(dr->nn);
			continue;
		}
		if (dr_is_local(dr, c.ns, ip)) {
			dr_note_settling(dr, &ls.l[i]);
			*owner = c;
			free(ls.l);
			return 0;
		}
		dr_ns_done(dr, c.ns, cached);
	}
	free(ls.l);
	err_clear(dr->nn);
	return -ENOENT;
}

/* Nobody of ours owns the next hop. */
static int dr_no_owner(struct doctor *dr, struct ns *ns, const struct nl_link *out,
		       const struct dr_route *r, const struct dr_end *side)
{
	const struct ipaddr *nh = r->has_gw ? &r->gw : &dr->dest;
	const char *arp = dr->dest.family == AF_INET ? "ARP" : "neighbour discovery";
	int state = dr_neigh_state(dr, ns, out->index, nh);
	char a[INET6_ADDRSTRLEN];
	int pfx;

	dr_ip(nh, a, sizeof(a));
	/* A neighbour entry can be older than the change that broke the
	 * path: believed only where doctor cannot look itself. */
	if (dr_neigh_answers(state) && (!side->ns || dr->side_opaque)) {
		dr_ok(dr, "%s: %s answers %s on %s (beyond nsnet's namespaces: the walk ends here)",
		      ns->name, a, arp, out->name);
		return 0;
	}
	if (!side->ns) {
		if (!r->has_gw)
			return 0;  /* not ours to follow: the probe decides */
		return dr_fail(dr, "%s: gateway %s does not answer %s on %s",
			       ns->name, a, arp, out->name);
	}
	if (!r->has_gw)
		return dr_fail(dr, "%s: nobody on %s in %s has %s", ns->name,
			       side->l.name, side->ns->name, a);
	/* The neighbour state is not part of the sentence: whether the
	 * probe's ARP request has timed out yet is a matter of timing. */
	dr_fail(dr, "%s: nobody has the gateway %s: it is not an address of %s in %s",
		ns->name, a, side->l.name, side->ns->name);
	pfx = dr_prefix_for(dr, ns, out->index, nh);
	err_clear(dr->nn);
	if (pfx >= 0)
		dr_fix(dr, "nsnet addr add %s %s %s/%d", side->ns->name,
		       side->l.name, a, pfx);
	return 1;
}

/* The destination's namespace: the way back, then the port. */
static int dr_at_dest(struct doctor *dr, struct ns *ns, int in_index,
		      const struct dr_end *prev)
{
	bool listens = false;
	int rc;

	snprintf(dr->reached, sizeof(dr->reached), "%s", ns->name);
	dr_ok(dr, "%s: %s is an address of %s", ns->name, dr->dest_s, ns->name);
	if (in_index) {
		rc = dr_check_return(dr, ns, in_index, prev);
		if (rc)
			return rc;
	}
	if (!dr->d.port)
		return 0;
	rc = dr_listens(dr, ns, &listens);
	if (rc)
		return rc;
	if (!listens)
		return dr_fail(dr, "%s: nothing listens on %s/%u",
			       ns->name, fw_proto_name(dr->d.proto), dr->d.port);
	dr_ok(dr, "%s: a socket listens on %s/%u", ns->name,
	      fw_proto_name(dr->d.proto), dr->d.port);
	return 0;
}

/* 1: a cause was said; 0: the walk found nothing; <0: it could not walk. */
static int dr_walk(struct doctor *dr)
{
	struct { struct ns *ns; int iif; } seen[DR_MAX_HOPS] = { { 0 } };
	char a[INET6_ADDRSTRLEN];
	struct dr_end prev = { 0 }, owner, side;
	struct nl_link in = { 0 }, out;
	json_t *fw = NULL;
	struct dr_route r;
	struct ns *cur;
	int hop, rc, i;

	rc = ns_get(dr->nn, dr->src_ns, &cur);
	if (rc)
		return rc;
	for (hop = 0; hop < DR_MAX_HOPS; hop++) {
		for (i = 0; i < hop; i++)
			if (seen[i].ns == cur && seen[i].iif == in.index) {
				rc = dr_fail(dr, "%s: routing loop: the packet comes back to %s on %s",
					     cur->name, cur->name, in.name);
				goto out;
			}
		seen[hop].ns = cur;
		seen[hop].iif = in.index;
		if (hop > 0) {
			size_t n = strlen(dr->path);

			snprintf(dr->path + n, sizeof(dr->path) - n, "%s%s",
				 n ? ", " : "", cur->name);
		}
		if (hop == 0) {
			rc = dr_route_get(dr, cur, &dr->dest, NULL, 0, &r);
			if (dr_route_missing(rc, &r)) {
				rc = dr_no_route(dr, cur);
				goto out;
			}
			if (rc) {
				rc = err_set(dr->nn, -rc, "route to %s in %s",
					     dr->dest_s, cur->name);
				goto out;
			}
			if (r.type == RTN_LOCAL) {
				rc = dr_at_dest(dr, cur, 0, NULL);
				goto out;
			}
			/* Replies leave from the address that was asked
			 * for, whatever the route would pick. */
			if (!dr->reverse) {
				dr->have_src = r.has_src;
				dr->src = r.prefsrc;
			}
		} else {
			rc = dr_forward(dr, cur, &in, &prev, &r);
			if (rc)
				goto out;
		}
		rc = nl_link_get_index(dr->nn, cur, r.oif, &out);
		if (rc) {
			rc = err_set(dr->nn, -rc, "route to %s in %s: interface %d",
				     dr->dest_s, cur->name, r.oif);
			goto out;
		}
		rc = dr_check_out(dr, cur, &out, hop == 0);
		if (rc)
			goto out;
		if (r.has_gw)
			dr_ok(dr, "%s: route to %s via %s dev %s", cur->name,
			      dr->dest_s, dr_ip(&r.gw, a, sizeof(a)), out.name);
		else
			dr_ok(dr, "%s: route to %s dev %s (on the link)", cur->name,
			      dr->dest_s, out.name);
		if (hop > 0 && dr->reverse) {
			/* Replies: only foreign chains matter (nsnet's own
			 * accepts established traffic first), no NAT. */
			json_t *rs = dr_ruleset(dr, cur);

			rc = dr_check_foreign_filter(dr, cur, rs, out.name, in.name);
			json_decref(rs);
			if (rc)
				goto out;
		} else if (hop > 0) {
			json_t *rs = dr_ruleset(dr, cur);

			if (ns_is_host(cur->name) && !fw && fw_show(dr->nn, &fw))
				err_clear(dr->nn);
			rc = dr_check_isolation(dr, cur, fw, in.name, out.name);
			if (!rc)
				rc = dr_check_foreign_filter(dr, cur, rs, in.name,
							     out.name);
			if (!rc)
				rc = dr_check_nat(dr, cur, ns_is_host(cur->name) ? fw : NULL,
						  rs, &in, &out);
			json_decref(rs);
			if (rc)
				goto out;
		}
		rc = dr_owner(dr, cur, &out, r.has_gw ? &r.gw : &dr->dest,
			      &owner, &side);
		if (rc == -ENOENT) {
			rc = dr_no_owner(dr, cur, &out, &r, &side);
			goto out;
		}
		if (rc)
			goto out;
		if (r.has_gw) {
			int st = dr_neigh_state(dr, cur, out.index, &r.gw);

			dr_ok(dr, "%s: gateway %s is on %s%s", owner.ns->name,
			      dr_ip(&r.gw, a, sizeof(a)), owner.l.name,
			      dr_neigh_answers(st) ? (dr->dest.family == AF_INET ?
				" and answers ARP" : " and answers neighbour discovery") : "");
		}
		/* Its addresses stay local while it is down: the bridge
		 * port up on our side hides that. */
		if (!(owner.l.flags & IFF_UP)) {
			rc = dr_link_down(dr, owner.ns, &owner.l,
					  dr->have_src ? &dr->src : &dr->dest);
			goto out;
		}
		dr_note_settling(dr, &owner.l);
		prev.ns = cur;
		prev.l = out;
		if (!r.has_gw || dr_is_local(dr, owner.ns, &dr->dest)) {
			rc = dr_at_dest(dr, owner.ns, owner.l.index, &prev);
			goto out;
		}
		cur = owner.ns;
		in = owner.l;
	}
	dr_ok(dr, "the path is longer than %d namespaces: the walk stops here",
	      DR_MAX_HOPS);
	rc = 0;
out:
	json_decref(fw);
	return rc;
}

/* The replies' way: the same walk from the destination's namespace back
 * to the source address the destination saw. It catches what only the way
 * back crosses: another router, strict rp_filter on the interface replies
 * come in by, a foreign chain there. */
static int dr_walk_back(struct doctor *dr)
{
	struct doctor back = *dr;
	char s[INET6_ADDRSTRLEN];
	int rc;

	if (!dr->have_src || !dr->reached[0] || !strcmp(dr->reached, dr->src_ns))
		return 0;
	back.reverse = true;
	back.src_ns = dr->reached;
	back.dest = dr->src;
	back.dest.prefix = -1;
	back.src = dr->dest;
	back.src_net = dr->dest;
	back.src_net.prefix = dr->dest.family == AF_INET ? 32 : 128;
	back.d.port = 0;
	back.reached[0] = back.path[0] = '\0';
	dr_ip(&back.dest, back.dest_s, sizeof(back.dest_s));
	dr_ip(&dr->dest, s, sizeof(s));
	rc = dr_walk(&back);
	dr->settling |= back.settling;
	if (rc == 1) {
		dr->found = true;
		memcpy(dr->cause, back.cause, sizeof(dr->cause));
	}
	if (rc || !back.reached[0])
		return rc;
	if (back.path[0])
		dr_ok(dr, "replies from %s come back to %s through %s", s,
		      back.dest_s, back.path);
	else
		dr_ok(dr, "replies from %s come back to %s directly", s,
		      back.dest_s);
	return 0;
}

/* ---- destinations that are names ---------------------------------------------------- */

/* A namespace's first global address of the family (IPv4 first). */
static int dr_ns_address(struct doctor *dr, const char *name)
{
	static const int fams[] = { AF_INET, AF_INET6 };
	struct dr_links ls;
	struct dr_addrs addrs;
	struct ns *ns;
	size_t f, i;
	int rc;

	rc = ns_get(dr->nn, name, &ns);
	if (rc)
		return rc;
	rc = dr_links_get(dr, ns, &ls);
	for (f = 0; !rc && f < ARRAY_SIZE(fams); f++)
		for (i = 0; i < ls.n; i++) {
			if (ls.l[i].flags & IFF_LOOPBACK ||
			    dr_addrs_get(dr, ns, fams[f], ls.l[i].index, &addrs) ||
			    !addrs.n)
				continue;
			dr->dest = addrs.a[0];
			dr->dest.prefix = -1;
			free(ls.l);
			return 0;
		}
	free(ls.l);
	return rc ? rc : err_set(dr->nn, EADDRNOTAVAIL,
				 "doctor: namespace %s has no global address", name);
}

static int dr_resolve(struct doctor *dr)
{
	if (dr->d.is_addr) {
		dr->dest = dr->d.addr;
		return 0;
	}
	if (!check_ns_name(dr->nn, dr->d.name, true) && ns_exists(dr->d.name))
		return dr_ns_address(dr, dr->d.name);
	err_clear(dr->nn);
	if (!hosts_lookup(dr->src_ns, dr->d.name, &dr->dest))
		return 0;
	return err_usage(dr->nn,
		"doctor: \"%s\" is neither an address, nor a namespace, nor a name in %s/%s/hosts",
		dr->d.name, NETNS_ETC_DIR, dr->src_ns);
}

/* ---- the command ---------------------------------------------------------------------- */

NSNET_EXPORT int nsnet_doctor(struct nsnet *nn, const char *nsname,
			      const char *dest,
			      void (*line)(void *data, const char *text),
			      void *data, struct json_t **out)
{
	struct dr_nsmap *nsmaps = NULL;
	struct doctor dr = { .nn = nn, .line = line, .data = data,
			     .src_ns = nsname,
			     .nsmaps = &nsmaps };
	struct ns *ns;
	int rc, tries, port_err = 0;

	err_clear(nn);
	if (out)
		*out = NULL;
	if (probe_dest_parse(dest, &dr.d))
		return err_usage(nn, "doctor: bad destination \"%s\": expected an address, a namespace or a name, then optionally :PORT (1-65535) and /tcp or /udp",
				 dest ? dest : "");
	rc = ns_get(nn, nsname, &ns);
	if (rc)
		return rc;
	rc = dr_resolve(&dr);
	if (rc)
		return rc;
	dr_ip(&dr.dest, dr.dest_s, sizeof(dr.dest_s));
	dr.checks = json_array();
	dr.fix = json_array();

	/* First the packet itself: it has the last word. */
	dr.probe_ok = dr_probe(&dr, ns, &port_err);
	rc = dr_walk(&dr);
	if (!rc)
		rc = dr_walk_back(&dr);
	if (rc < 0)
		goto done;
	/* The walk found nothing wrong: a fresh link drops packets until the
	 * kernel's link watch activates it (see dr_note_settling), and a fresh
	 * bridge takes a few ARP retransmissions (one a second) to pass
	 * them: measured up to 3 s after `nsnet attach` while other
	 * namespaces come and go. More tries before "no cause found". */
	for (tries = 0; !rc && !dr.probe_ok && port_err != ECONNREFUSED &&
	     tries < (dr.settling ? 2 * DR_PROBE_RETRIES : DR_PROBE_RETRIES);
	     tries++)
		dr.probe_ok = dr_probe(&dr, ns, &port_err);
	if (dr.probe_ok) {
		if (!dr.d.port)
			dr_ok(&dr, "%s answers ping from %s", dr.dest_s, nsname);
		else if (dr.d.proto == IPPROTO_TCP)
			dr_ok(&dr, "%s accepts tcp/%u from %s", dr.dest_s,
			      dr.d.port, nsname);
		else
			dr_ok(&dr, "%s answers ping from %s and nothing refuses udp/%u",
			      dr.dest_s, nsname, dr.d.port);
		rc = 0;
		goto done;
	}
	if (!dr.found) {
		if (port_err == ECONNREFUSED)
			dr_fail(&dr, "%s: nothing listens on %s/%u (%s)",
				dr.dest_s, fw_proto_name(dr.d.proto), dr.d.port,
				dr.d.proto == IPPROTO_TCP ? "connection refused" :
				"port unreachable");
		else if (dr.d.port && dr.d.proto == IPPROTO_TCP)
			dr_fail(&dr, "%s does not accept tcp/%u from %s (%s), and doctor found no cause on the path",
				dr.dest_s, dr.d.port, nsname, strerror(port_err));
		else if (dr.settling)
			dr_fail(&dr, "%s does not answer ping from %s yet: a link on the way has just come up and the kernel has not activated it",
				dr.dest_s, nsname);
		else
			dr_fail(&dr, "%s does not answer ping from %s, and doctor found no cause on the path",
				dr.dest_s, nsname);
	}
	/* The cause is the sentence: no strerror() after it. */
	err_set(nn, 0, "%s does not reach %s: %s", nsname, dest, dr.cause);
	nn->err_code = EHOSTUNREACH;
	rc = -EHOSTUNREACH;
done:
	if (out && (rc == 0 || dr.found))
		*out = json_pack("{s:s,s:s,s:b,s:O,s:s?,s:O}", "ns", nsname,
				 "dest", dest, "ok", rc == 0, "checks", dr.checks,
				 "cause", rc == 0 ? NULL : dr.cause, "fix", dr.fix);
	json_decref(dr.checks);
	json_decref(dr.fix);
	dr_nsmaps_free(nsmaps);
	return rc;
}
