// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * state.c - what a namespace has, read in bulk for the plan: its links,
 * addresses and routes, one dump each, IPv4 and IPv6 apart.
 *
 * Why dumps, and why per family: the kernel serialises most requests
 * under one lock for the whole machine (RTNL), held for milliseconds at a
 * time by its own work on thousands of links and by every other program
 * changing the network. A lookup of one link by name and the dumps of
 * addresses or routes of all families take it; a dump of links and the
 * dumps of one family's addresses or routes do not (Linux 6.18, measured:
 * with a bridge of 300 ports going down and up in a loop, a lookup of lo
 * waited up to 27 ms, the link dump never more than 0.07 ms). So the plan
 * asks each node for its links instead of each link by name, and the host
 * for all of its links once instead of each bridge port by name: a
 * no-op up of 1,000 nodes made 4,000 lookups, each queued behind RTNL.
 */
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/ioctl.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>

#include "topology/topology.h"
#include "firewall/firewall.h"

static int state_addr_cb(const struct nl_addr *a, void *data)
{
	struct topo_state *st = data;

	ARRAY_GROW(st->addr, st->n_addr);
	st->addr[st->n_addr].ifindex = a->index;
	st->addr[st->n_addr++].ip = a->ip;
	return 0;
}

static void state_addr_restart(void *data)
{
	struct topo_state *st = data;

	st->n_addr = st->addr_keep;  /* the families dumped before stay */
}

static int state_route_cb(const struct nlmsghdr *nlh, void *data)
{
	struct topo_state *st = data;
	struct nl_route r;

	if (nl_route_parse(nlh, &r) || r.table != RT_TABLE_MAIN)
		return MNL_CB_OK;
	ARRAY_GROW(st->route, st->n_route);
	st->route[st->n_route].dst = r.dst;
	if (r.has_gateway)
		st->route[st->n_route].via = r.gateway;
	st->n_route++;
	return MNL_CB_OK;
}

static int state_link_cb(const struct nl_link *l, void *data)
{
	struct topo_state *st = data;

	/* doubling: the host has a port per node */
	if (st->n_link >= 16 ? !(st->n_link & (st->n_link - 1)) : !st->link) {
		struct nl_link *v = realloc(st->link, (st->n_link ? 2 * st->n_link : 16) *
					    sizeof(*v));

		if (!v)
			abort();
		st->link = v;
	}
	st->link[st->n_link++] = *l;
	return 0;
}

static void state_link_restart(void *data)
{
	((struct topo_state *)data)->n_link = 0;
}

/* The main table's routes of family, retried while they change. */
static int state_routes(struct nsnet *nn, struct ns *ns, int family,
			struct topo_state *st)
{
	char buf[64] __attribute__((aligned(4)));
	size_t keep = st->n_route;
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;
	int rc, tries;

	for (tries = 0; tries < 100; tries++) {
		nlh = mnl_nlmsg_put_header(buf);
		nlh->nlmsg_type = RTM_GETROUTE;
		rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
		rtm->rtm_family = (unsigned char)family;
		st->n_route = keep;
		rc = nl_dump(nn, ns, nlh, state_route_cb, st);
		if (rc != -EINTR)
			return rc;
		nanosleep(&(struct timespec){ 0, 20 * 1000 * 1000 }, NULL);
	}
	return err_set(nn, EINTR, "namespace %s: the routes keep changing", ns->name);
}

int topo_state_read(struct nsnet *nn, struct ns *ns, struct topo_state *st)
{
	static const int fams[] = { AF_INET, AF_INET6 };
	size_t i;
	int rc = 0;

	memset(st, 0, sizeof(*st));
	rc = link_dump(nn, ns, state_link_cb, st, state_link_restart);
	for (i = 0; !rc && i < ARRAY_SIZE(fams); i++) {
		st->addr_keep = st->n_addr;
		rc = nl_addr_dump(nn, ns, fams[i], 0, state_addr_cb, st, state_addr_restart);
		if (rc == -EINTR)  /* still changing after its retries */
			rc = err_set(nn, EINTR, "namespace %s: the addresses keep changing",
				     ns->name);
	}
	for (i = 0; !rc && i < ARRAY_SIZE(fams); i++)
		rc = state_routes(nn, ns, fams[i], st);
	/* by name, once the array holds still (the set borrows the names) */
	for (i = 0; !rc && i < st->n_link; i++)
		topo_set_put(&st->by_name, st->link[i].name, strlen(st->link[i].name), i,
			     NULL);
	if (rc)
		topo_state_free(st);
	return rc;
}

void topo_state_free(struct topo_state *st)
{
	free(st->addr);
	free(st->route);
	free(st->link);
	topo_set_free(&st->by_name);
	memset(st, 0, sizeof(*st));
}

const struct nl_link *topo_state_link(const struct topo_state *st, const char *name)
{
	size_t i;

	if (!topo_set_get(&st->by_name, name, strlen(name), &i))
		return NULL;
	return &st->link[i];
}

const struct nl_link *topo_state_link_index(const struct topo_state *st, int index)
{
	size_t i;

	for (i = 0; i < st->n_link; i++)
		if (st->link[i].index == index)
			return &st->link[i];
	return NULL;
}

bool topo_state_has_addr(const struct topo_state *st, int ifindex,
			 const struct ipaddr *ip)
{
	size_t i;

	for (i = 0; i < st->n_addr; i++)
		if (st->addr[i].ifindex == ifindex && ip_equal(&st->addr[i].ip, ip))
			return true;
	return false;
}

bool topo_state_has_route(const struct topo_state *st, const struct ipaddr *dst,
			  const struct ipaddr *via)
{
	size_t i;

	for (i = 0; i < st->n_route; i++) {
		if (st->route[i].dst.family != dst->family ||
		    st->route[i].dst.prefix != dst->prefix ||
		    memcmp(st->route[i].dst.a.b, dst->a.b, ip_len(dst)))
			continue;
		if (via && via->family && !ip_equal(&st->route[i].via, via))
			continue;
		return true;
	}
	return false;
}

/* ---- many namespaces at once, in threads -------------------------------------- */

/*
 * The plan reads every node (whether it exists, its files, and when it
 * does its record and kernel state): one after the other, 1,000 nodes
 * cost 1,000 times entering a namespace, opening a socket and five dumps,
 * mostly waiting for the kernel. Threads (each enters its namespace on its
 * own: setns() moves only the calling thread) overlap the waits and use
 * both CPUs. They share nothing but the index of the next namespace; each
 * has its own socket and its own error, so no context is touched.
 */
struct state_bulk {
	const struct topo_node *const *nodes;
	struct topo_state *out;
	int *rc;                 /* per namespace: 0 or a negative errno */
	bool *loss_table;
	size_t n;
	atomic_size_t next;
	int host_fd;
};

static int bulk_addr_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nl_addr a;

	if (!nl_addr_parse(nlh, &a))
		state_addr_cb(&a, data);
	return MNL_CB_OK;
}

/* One dump of type for family; -EINTR when the objects changed during it
 * (the caller resets and asks again). The socket is not bound: the kernel
 * binds it on the first send (two system calls fewer a node), and the
 * answers are told apart by their sequence number. */
static int bulk_dump(struct mnl_socket *nl, uint32_t *seq, uint16_t type,
		     int family, mnl_cb_t cb, void *data)
{
	char buf[16384] __attribute__((aligned(4)));
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	ssize_t len;
	int ret;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = ++*seq;
	if (type == RTM_GETLINK) {
		struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));

		ifi->ifi_family = (unsigned char)family;
		mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	} else if (type == RTM_GETADDR) {
		struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));

		ifa->ifa_family = (unsigned char)family;
	} else {
		struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));

		rtm->rtm_family = (unsigned char)family;
	}
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		len = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (len < 0)
			return -errno;
		ret = mnl_cb_run(buf, (size_t)len, *seq, 0, cb, data);
	} while (ret > 0);
	/* after an error the rest of the dump may still be coming: the
	 * caller closes the socket */
	return ret < 0 ? -(errno ? errno : EIO) : 0;
}

/* The flags and index of ifname in the socket's namespace, as a link of
 * st: ioctls the kernel answers under RCU. -ENODEV: no such link. lo is
 * index 1 in every namespace: only its flags are asked. */
static int bulk_link_here(int fd, const char *ifname, struct topo_state *st)
{
	struct nl_link l = { 0 };
	struct ifreq ifr = { 0 };

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (strcmp(ifname, "lo") && ioctl(fd, SIOCGIFINDEX, &ifr))
		return -errno;
	l.index = strcmp(ifname, "lo") ? ifr.ifr_ifindex : 1;
	if (ioctl(fd, SIOCGIFFLAGS, &ifr))
		return -errno;
	l.flags = (unsigned short)ifr.ifr_flags;
	snprintf(l.name, sizeof(l.name), "%s", ifname);
	return state_link_cb(&l, st);
}

/* Whether the file gives node nd an address or a route of family: the
 * plan asks about no other (half the dumps of a node of one family). */
static bool node_has_family(const struct topo_node *nd, int family)
{
	size_t j;

	for (j = 0; j < nd->n_att; j++)
		if (nd->att[j].addr[family == AF_INET6].family)
			return true;
	for (j = 0; j < nd->n_routes; j++)
		if (nd->routes[j].dst.family == family)
			return true;
	return false;
}

/*
 * Inside node nd's namespace: the flags and index of lo and of its links
 * (ioctls, not a link dump: that one waits for RTNL, which a no-op up of
 * 1,000 nodes then spent most of its time spinning on), its addresses and
 * routes of the families the file gives it (dumps of one family each,
 * which do not). A dump that the kernel
 * says was interrupted (the objects changed meanwhile) is asked again, all
 * of it, on a new socket (the old one still has the rest).
 */
static int bulk_read_here(const struct topo_node *nd, struct topo_state *st,
			  bool *loss_table)
{
	static const int fams[] = { AF_INET, AF_INET6 };
	struct mnl_socket *nl;
	uint32_t seq = 0;
	size_t f;
	int rc = 0, tries;

	for (tries = 0; tries < 50; tries++) {
		rc = 0;  /* each pass reads everything again */
		nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
		if (!nl)
			return -errno;
		st->n_link = st->n_addr = st->n_route = 0;
		st->links_partial = true;
		for (f = 0; !rc && f <= nd->n_att; f++) {
			rc = bulk_link_here(mnl_socket_get_fd(nl),
					    f ? nd->att[f - 1].ifname : "lo", st);
			if (rc == -ENODEV)  /* missing: the plan says what to do */
				rc = 0;
		}
		for (f = 0; !rc && f < ARRAY_SIZE(fams); f++)
			if (node_has_family(nd, fams[f]))
				rc = bulk_dump(nl, &seq, RTM_GETADDR, fams[f], bulk_addr_cb, st);
		for (f = 0; !rc && f < ARRAY_SIZE(fams); f++)
			if (node_has_family(nd, fams[f]))
				rc = bulk_dump(nl, &seq, RTM_GETROUTE, fams[f], state_route_cb, st);
		mnl_socket_close(nl);
		if (rc != -EINTR)
			break;
		nanosleep(&(struct timespec){ 0, 20 * 1000 * 1000 }, NULL);
	}
	*loss_table = !rc && fw_loss_table_here();
	return rc;
}

/* Node i: its files (which need no namespace), then, when its namespace
 * is there, its record and what the kernel has in it. */
static void bulk_node(struct state_bulk *b, size_t i)
{
	const struct topo_node *nd = b->nodes[i];
	struct topo_state *st = &b->out[i];
	char path[512];
	int fd;

	topo_hosts_look(nd->name, &st->files);
	snprintf(path, sizeof(path), NETNS_RUN_DIR "/%s", nd->name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno != ENOENT)
			b->rc[i] = -errno;
		return;
	}
	st->exists = true;
	if (ns_record_owner(nd->name, st->owner, sizeof(st->owner)))
		st->owner[0] = '\0';
	if (setns(fd, CLONE_NEWNET)) {
		b->rc[i] = -errno;
		close(fd);
		return;
	}
	close(fd);
	b->rc[i] = bulk_read_here(nd, st, &b->loss_table[i]);
	if (setns(b->host_fd, CLONE_NEWNET))
		abort();  /* cannot happen; going on in a node is worse */
}

static void *bulk_worker(void *arg)
{
	struct state_bulk *b = arg;
	size_t i;

	while ((i = atomic_fetch_add(&b->next, 1)) < b->n)
		bulk_node(b, i);
	return NULL;
}

int topo_state_read_nodes(struct nsnet *nn, const struct topo_node *const *nodes,
			  size_t n, struct topo_state *out, bool *loss_table)
{
	struct state_bulk b = { .nodes = nodes, .out = out, .n = n,
				.loss_table = loss_table };
	struct ns *host;
	size_t i;
	int rc;

	if (!n)
		return 0;
	if ((rc = ns_get(nn, NSNET_HOST, &host)))
		return rc;
	b.rc = calloc(n, sizeof(*b.rc));
	if (!b.rc)
		abort();
	memset(out, 0, n * sizeof(*out));
	b.host_fd = host->fd;
	atomic_init(&b.next, 0);
	workers_run(bulk_worker, &b, n, 0);
	rc = 0;
	for (i = 0; i < n; i++) {
		size_t k;

		if (b.rc[i] && !rc)
			rc = err_set(nn, -b.rc[i], "namespace %s: its links, addresses and routes",
				     nodes[i]->name);
		for (k = 0; k < out[i].n_link; k++)
			topo_set_put(&out[i].by_name, out[i].link[k].name,
				     strlen(out[i].link[k].name), k, NULL);
	}
	free(b.rc);
	if (rc)
		for (i = 0; i < n; i++)
			topo_state_free(&out[i]);
	return rc;
}
