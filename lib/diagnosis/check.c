// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * check.c - nsnet check: every node of a topology against every other node
 * (and the file's upstream address), by ICMP and by the ports its
 * expectations name, then every expectation met or broken.
 *
 * Everything runs at once from one thread: the sockets are opened inside
 * each source node's namespace (ns_call) and then driven together with
 * poll(), so 10,000 pairs cost one deadline, not 10,000. A lost first
 * packet (ARP still resolving, a queue full) is sent again twice within
 * the deadline; nothing waits longer than the deadline.
 *
 * This file sends the probes and reads the answers; check_plan.c decides
 * which probes there are and what their answers mean.
 */
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <jansson.h>
#include <libmnl/libmnl.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>

#include "kernel/kernel.h"
#include "diagnosis/diagnosis.h"

#define CHECK_TRIES 3
#define CHECK_PAYLOAD 16
#define CHECK_RCVBUF (4 << 20)
static const char check_udp_payload[] = "nsnet check\n";

/* ---- the run: sockets in every source namespace, one poll() loop ------------ */

/* A neighbour entry: (interface, address) in one node. */
struct check_neigh {
	int ifindex;
	struct ipaddr addr;
};

/* What one node sends from, and what its neighbour table held before. */
struct check_source {
	int icmp[2];              /* raw ICMP / ICMPv6 sockets; -1: none needed */
	uint16_t id;              /* echo id of this source */
	size_t *echo;             /* probe index by echo sequence number */
	size_t n_echo[2];
	size_t *echo6;
	struct check_neigh *before; /* entries that existed: never deleted */
	size_t n_before;
	struct check_neigh *drop;   /* entries to delete at the next flush */
	size_t n_drop;
	struct { char name[IFNAMSIZ]; int index; } *ifs; /* ifindex cache */
	size_t n_ifs;
};

struct check_state {
	struct nsnet *nn;
	const struct topo *t;
	struct check_plan *p;
	struct check_source *src;
	int *fd;                  /* per probe: its TCP/UDP socket, or -1 */
	unsigned int *tries;      /* per probe: packets sent so far */
	double *sent_at;          /* per probe: first send, ms */
	double timeout_ms;
	size_t pending;
	/* Same-segment probes in flight, and how many may be: see
	 * check_window(). */
	size_t inflight, window;
	bool window_full;         /* a probe waits for room */
};

static int fam_idx(int family)
{
	return family == AF_INET6;
}

/* Runs inside the source's namespace: every socket it will send from. */
struct check_open_arg {
	struct check_state *st;
	size_t from;
	int error;
};

static int check_open_here(void *arg)
{
	struct check_open_arg *a = arg;
	struct check_state *st = a->st;
	struct check_plan *p = st->p;
	struct check_source *s = &st->src[a->from];
	size_t i;

	for (i = 0; i < p->n_probes && !a->error; i++) {
		const struct check_probe *pr = &p->probes[i];
		int family = p->targets[pr->target].addr[pr->addr].family;
		int fd;

		if (pr->from != a->from)
			continue;
		if (!pr->proto) {
			int *icmp = &s->icmp[fam_idx(family)];
			int size = CHECK_RCVBUF;

			if (*icmp >= 0)
				continue;
			*icmp = socket(family, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
				       family == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6);
			if (*icmp < 0 || ping_icmp_filter(*icmp, family)) {
				a->error = errno;
				continue;
			}
			/* Thousands of replies can arrive while we are still
			 * sending: a default buffer would drop some. */
			if (setsockopt(*icmp, SOL_SOCKET, SO_RCVBUFFORCE, &size,
				       sizeof(size)))
				setsockopt(*icmp, SOL_SOCKET, SO_RCVBUF, &size,
					   sizeof(size));
			continue;
		}
		fd = socket(family, (pr->proto == IPPROTO_TCP ? SOCK_STREAM :
				     SOCK_DGRAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0)
			a->error = errno;
		/* Closed with a RST: no FIN exchange, no TIME_WAIT left in
		 * the node after the check. */
		if (fd >= 0 && pr->proto == IPPROTO_TCP)
			setsockopt(fd, SOL_SOCKET, SO_LINGER,
				   &(struct linger){ .l_onoff = 1, .l_linger = 0 },
				   sizeof(struct linger));
		st->fd[i] = fd;
	}
	return 0;
}

static int node_ifindex(struct check_state *st, size_t node, const char *ifname)
{
	struct check_source *s = &st->src[node];
	struct nl_link l;
	struct ns *ns;
	size_t i;

	for (i = 0; i < s->n_ifs; i++)
		if (!strcmp(s->ifs[i].name, ifname))
			return s->ifs[i].index;
	if (ns_get(st->nn, st->t->nodes[node].name, &ns) ||
	    nl_link_get(st->nn, ns, ifname, &l))
		l.index = 0;
	err_clear(st->nn);
	ARRAY_GROW(s->ifs, s->n_ifs);
	snprintf(s->ifs[s->n_ifs].name, IFNAMSIZ, "%s", ifname);
	s->ifs[s->n_ifs].index = l.index;
	return s->ifs[s->n_ifs++].index;
}

/* Delete the entry later, unless it was there before the check. */
static void neigh_forget(struct check_state *st, size_t node, const char *ifname,
			 const struct ipaddr *addr)
{
	struct check_source *s = &st->src[node];
	struct check_neigh n = { node_ifindex(st, node, ifname), *addr };
	size_t i;

	if (!n.ifindex)
		return;
	for (i = 0; i < s->n_before; i++)
		if (s->before[i].ifindex == n.ifindex &&
		    ip_equal(&s->before[i].addr, addr))
			return;
	ARRAY_GROW(s->drop, s->n_drop);
	s->drop[s->n_drop++] = n;
}

static void probe_done(struct check_state *st, size_t i,
		       enum check_result r, int error)
{
	struct check_probe *pr = &st->p->probes[i];

	if (pr->result != CHECK_PENDING)
		return;
	pr->result = r;
	pr->error = error;
	if (r == CHECK_REACH)
		pr->rtt_ms = mono_ms() - st->sent_at[i];
	if (st->fd[i] >= 0) {
		close(st->fd[i]);
		st->fd[i] = -1;
	}
	st->pending--;
	if (pr->local && st->tries[i]) {
		const struct check_target *tg = &st->p->targets[pr->target];

		st->inflight--;
		neigh_forget(st, pr->from, pr->src_if, &tg->addr[pr->addr]);
		if (tg->node >= 0)
			neigh_forget(st, (size_t)tg->node, tg->ifname[pr->addr],
				     &pr->src_addr);
	}
}

/* Send the deletions queued by probe_done(): one batch per namespace. */
static void check_flush_neigh(struct check_state *st)
{
	size_t n, i;

	for (n = 0; n < st->p->n_nodes; n++) {
		struct check_source *s = &st->src[n];
		struct nl_batch b;
		struct ns *ns;

		if (!s->n_drop)
			continue;
		nl_batch_init(&b);
		for (i = 0; i < s->n_drop; i++) {
			struct ndmsg *nd;

			nl_batch_add(&b, RTM_DELNEIGH, 0, "neighbour");
			nl_batch_last(&b)->ignore_missing = true;
			nd = nl_put_extra(&b, sizeof(*nd));
			if (nd) {
				nd->ndm_family = (unsigned char)s->drop[i].addr.family;
				nd->ndm_ifindex = s->drop[i].ifindex;
			}
			nl_put(&b, NDA_DST, ip_len(&s->drop[i].addr), s->drop[i].addr.a.b);
		}
		/* A cache entry that is gone already is what we wanted. */
		if (!ns_get(st->nn, st->t->nodes[n].name, &ns))
			nl_batch_send(st->nn, ns, &b);
		err_clear(st->nn);
		nl_batch_free(&b);
		s->n_drop = 0;
	}
}

/* Send (again) what has no answer yet, and give up on what has had its
 * whole deadline. Returns the time of the next thing due. */
static double check_send_due(struct check_state *st, double now)
{
	struct check_plan *p = st->p;
	double gap = st->timeout_ms / (CHECK_TRIES + 1), next = 1e300;
	uint8_t pkt[PING_ICMP_HDR + CHECK_PAYLOAD];
	size_t i;

	st->window_full = false;
	for (i = 0; i < p->n_probes; i++) {
		struct check_probe *pr = &p->probes[i];
		const struct ipaddr *ip = &p->targets[pr->target].addr[pr->addr];
		struct check_source *s = &st->src[pr->from];
		struct sockaddr_storage ss;
		socklen_t sl;
		double due;
		ssize_t n;

		if (pr->result != CHECK_PENDING)
			continue;
		if (st->tries[i]) {
			double end = st->sent_at[i] + st->timeout_ms;

			if (now >= end) {
				probe_done(st, i, CHECK_TIMEOUT, 0);
				continue;
			}
			if (end < next)
				next = end;
		} else if (pr->local && st->inflight >= st->window) {
			st->window_full = true;
			continue;
		}
		/* TCP retransmits by itself: one connect() is enough. */
		if (st->tries[i] >= CHECK_TRIES ||
		    (pr->proto == IPPROTO_TCP && st->tries[i]))
			continue;
		due = st->tries[i] ? st->sent_at[i] + gap * st->tries[i] : 0;
		if (due > now) {
			if (due < next)
				next = due;
			continue;
		}
		sl = ip_sockaddr(ip, pr->port, &ss);
		if (!pr->proto) {
			int fd = s->icmp[fam_idx(ip->family)];
			size_t len = ping_build_echo(pkt, sizeof(pkt), ip->family,
						     s->id, pr->seq, CHECK_PAYLOAD);

			n = sendto(fd, pkt, len, 0, (struct sockaddr *)&ss, sl);
		} else if (pr->proto == IPPROTO_TCP) {
			n = connect(st->fd[i], (struct sockaddr *)&ss, sl);
			if (n && errno == EINPROGRESS)
				n = 0;
		} else {
			n = 0;
			if (!st->tries[i])
				n = connect(st->fd[i], (struct sockaddr *)&ss, sl);
			if (!n)
				n = send(st->fd[i], check_udp_payload,
					 sizeof(check_udp_payload) - 1, 0);
		}
		if (n < 0 && (errno == EAGAIN || errno == ENOBUFS)) {
			next = now; /* a queue is full: soon again */
			continue;
		}
		if (!st->tries[i]++) {
			st->sent_at[i] = now;
			st->inflight += pr->local;
		}
		if (n < 0) {
			probe_done(st, i, errno == ECONNREFUSED ? CHECK_REFUSED :
				   CHECK_UNREACH, errno);
			continue;
		}
		if (st->sent_at[i] + st->timeout_ms < next)
			next = st->sent_at[i] + st->timeout_ms;
		if (pr->proto != IPPROTO_TCP && st->tries[i] < CHECK_TRIES &&
		    st->sent_at[i] + gap * st->tries[i] < next)
			next = st->sent_at[i] + gap * st->tries[i];
	}
	return next;
}

/* Replies and ICMP errors for one source's echoes. */
static void check_read_icmp(struct check_state *st, size_t from, int family)
{
	struct check_source *s = &st->src[from];
	int fd = s->icmp[fam_idx(family)];
	const size_t *by_seq = family == AF_INET ? s->echo : s->echo6;
	size_t n_seq = s->n_echo[fam_idx(family)];
	uint8_t buf[1500];

	for (;;) {
		struct ping_reply r;
		ssize_t n = recv(fd, buf, sizeof(buf), 0);

		if (n < 0)
			return;
		switch (ping_parse(buf, (size_t)n, family, s->id, &r)) {
		case PING_ECHO_REPLY:
			if (r.seq < n_seq)
				probe_done(st, by_seq[r.seq], CHECK_REACH, 0);
			break;
		case PING_ICMP_ERROR:
			if (r.seq < n_seq) {
				struct check_probe *pr = &st->p->probes[by_seq[r.seq]];

				if (pr->result == CHECK_PENDING) {
					pr->icmp_type = r.type;
					pr->icmp_code = r.code;
				}
				probe_done(st, by_seq[r.seq], CHECK_UNREACH, 0);
			}
			break;
		default:
			break;
		}
	}
}

static void check_port_event(struct check_state *st, size_t i, short revents)
{
	const struct check_probe *pr = &st->p->probes[i];
	int err = 0;
	socklen_t el = sizeof(err);

	if (pr->proto == IPPROTO_TCP) {
		getsockopt(st->fd[i], SOL_SOCKET, SO_ERROR, &err, &el);
		if (!err)
			probe_done(st, i, CHECK_REACH, 0);
		else
			probe_done(st, i, err == ECONNREFUSED ? CHECK_REFUSED :
				   CHECK_UNREACH, err);
		return;
	}
	/* UDP: a datagram back is an answer; an ICMP error shows as errno. */
	{
		char buf[64];

		if (recv(st->fd[i], buf, sizeof(buf), 0) >= 0)
			probe_done(st, i, CHECK_REACH, 0);
		else if (errno != EAGAIN)
			probe_done(st, i, errno == ECONNREFUSED ? CHECK_REFUSED :
				   CHECK_UNREACH, errno);
	}
	(void)revents;
}

/* Make room for one descriptor per socket: raising the soft limit to the
 * hard one is what a program needing many sockets is expected to do. */
static int check_fd_room(struct nsnet *nn, size_t need)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return 0;
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need + 64) {
		rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > need + 64 ?
			      need + 64 : rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
		if (rl.rlim_cur < need + 64)
			return err_set(nn, EMFILE, "check needs %zu sockets; the open-files limit is %llu",
				       need, (unsigned long long)rl.rlim_cur);
	}
	return 0;
}

static void check_state_free(struct check_state *st)
{
	size_t i;

	if (st->fd)
		for (i = 0; i < st->p->n_probes; i++)
			if (st->fd[i] >= 0)
				close(st->fd[i]);
	if (st->src)
		for (i = 0; i < st->p->n_nodes; i++) {
			if (st->src[i].icmp[0] >= 0)
				close(st->src[i].icmp[0]);
			if (st->src[i].icmp[1] >= 0)
				close(st->src[i].icmp[1]);
			free(st->src[i].echo);
			free(st->src[i].echo6);
			free(st->src[i].before);
			free(st->src[i].drop);
			free(st->src[i].ifs);
		}
	free(st->src);
	free(st->fd);
	free(st->tries);
	free(st->sent_at);
}

static int check_neigh_cb(const struct nlmsghdr *nlh, void *data)
{
	struct check_source *s = data;
	struct nl_neigh nb;

	if (nl_neigh_parse(nlh, &nb))
		return MNL_CB_OK;
	ARRAY_GROW(s->before, s->n_before);
	s->before[s->n_before].ifindex = nb.index;
	s->before[s->n_before++].addr = nb.ip;
	return MNL_CB_OK;
}

/* What the node's neighbour table holds before the check: those entries
 * stay; the ones the check's own probes make are deleted after use. */
static int check_neigh_snapshot(struct check_state *st, size_t node)
{
	char req[64] __attribute__((aligned(4)));
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(req);
	struct check_source *s = &st->src[node];
	struct ndmsg *nd;
	struct ns *ns;
	int rc, tries;

	if ((rc = ns_get(st->nn, st->t->nodes[node].name, &ns)))
		return rc;
	nlh->nlmsg_type = RTM_GETNEIGH;
	nd = mnl_nlmsg_put_extra_header(nlh, sizeof(*nd));
	nd->ndm_family = AF_UNSPEC;
	for (tries = 0; tries < 10; tries++) {
		s->n_before = 0;
		rc = nl_dump(st->nn, ns, nlh, check_neigh_cb, s);
		if (rc != -EINTR)
			break;
	}
	return rc;
}

/*
 * How many same-segment probes may be in flight. Each makes a neighbour
 * entry on both sides, and the kernel's neighbour table is one for all
 * namespaces: past gc_thresh3 (1,024 by default) every namespace on the
 * machine fails to resolve new neighbours ("neighbor table overflow"), and
 * N nodes on one bridge need N*(N-1) entries. So the check takes at most
 * half of the table, and deletes what its finished probes made.
 */
static size_t check_window(struct nsnet *nn)
{
	char buf[32];
	long thresh = 1024;
	struct ns *host;

	/* The knob lives only in the initial namespace (a sandbox has no
	 * such file): the default is the usual value. */
	if (!ns_get(nn, NSNET_HOST, &host) &&
	    !sysctl_read(nn, host, "net/ipv4/neigh/default/gc_thresh3", buf, sizeof(buf)))
		thresh = strtol(buf, NULL, 10);
	err_clear(nn);
	if (thresh < 64)
		thresh = 64;
	return (size_t)thresh / 4;
}

int check_run(struct nsnet *nn, const struct topo *t, struct check_plan *p,
	      double timeout_s)
{
	struct check_state st = { .nn = nn, .t = t, .p = p,
				  .timeout_ms = timeout_s * 1e3 };
	struct pollfd *pfd = NULL;
	size_t *pfd_probe = NULL, i, need = 0;
	uint16_t id_base = (uint16_t)(getpid() * 31);
	double next_due;
	int rc = 0;

	st.src = calloc(p->n_nodes ? p->n_nodes : 1, sizeof(*st.src));
	st.fd = malloc((p->n_probes ? p->n_probes : 1) * sizeof(*st.fd));
	st.tries = calloc(p->n_probes ? p->n_probes : 1, sizeof(*st.tries));
	st.sent_at = calloc(p->n_probes ? p->n_probes : 1, sizeof(*st.sent_at));
	if (!st.src || !st.fd || !st.tries || !st.sent_at)
		abort();
	p->timeout_s = timeout_s;
	for (i = 0; i < p->n_probes; i++)
		st.fd[i] = -1;
	for (i = 0; i < p->n_nodes; i++) {
		st.src[i].icmp[0] = st.src[i].icmp[1] = -1;
		st.src[i].id = (uint16_t)(id_base + i);
	}
	/* Number each source's echoes: the sequence number finds the probe
	 * again when its reply comes. */
	for (i = 0; i < p->n_probes; i++) {
		struct check_probe *pr = &p->probes[i];
		struct check_source *s = &st.src[pr->from];
		size_t **v = pr->family == AF_INET ? &s->echo : &s->echo6;
		size_t *n = &s->n_echo[fam_idx(pr->family)];

		if (pr->proto) {
			need++;
			continue;
		}
		if (*n == 65536) {
			rc = err_set(nn, E2BIG, "check: more than 65,536 probes from %s",
				     t->nodes[pr->from].name);
			goto out;
		}
		ARRAY_GROW(*v, *n);
		(*v)[*n] = i;
		pr->seq = (uint16_t)(*n)++;
	}
	/* per node: its namespace, its netlink socket, two ICMP sockets */
	if ((rc = check_fd_room(nn, need + 4 * p->n_nodes)))
		goto out;

	for (i = 0; i < p->n_nodes; i++) {
		struct check_open_arg a = { &st, i, 0 };
		struct ns *ns;

		if (!ns_exists(t->nodes[i].name)) {
			rc = err_set(nn, 0, "node %s has no namespace: is topology %s up? (nsnet up FILE)",
				     t->nodes[i].name, t->name);
			goto out;
		}
		if ((rc = ns_get(nn, t->nodes[i].name, &ns)))
			goto out;
		rc = ns_call(nn, ns, check_open_here, &a);
		if (rc || a.error) {
			rc = err_set(nn, rc ? -rc : a.error, "check: sockets in %s",
				     t->nodes[i].name);
			goto out;
		}
		if ((rc = check_neigh_snapshot(&st, i)))
			goto out;
	}
	st.window = check_window(nn);
	st.pending = p->n_probes;
	pfd = calloc(2 * p->n_nodes + p->n_probes + 1, sizeof(*pfd));
	pfd_probe = calloc(2 * p->n_nodes + p->n_probes + 1, sizeof(*pfd_probe));
	if (!pfd || !pfd_probe)
		abort();
	next_due = check_send_due(&st, mono_ms());

	while (st.pending) {
		double now = mono_ms();
		nfds_t n = 0;
		int ready, wait;

		/* A probe waiting for room in the window goes out as soon as
		 * an answer makes some. */
		if (now >= next_due || (st.window_full && st.inflight < st.window))
			next_due = check_send_due(&st, now);
		if (!st.pending)
			break;
		for (i = 0; i < p->n_nodes; i++) {
			int f;

			for (f = 0; f < 2; f++)
				if (st.src[i].icmp[f] >= 0) {
					pfd[n] = (struct pollfd){ st.src[i].icmp[f], POLLIN, 0 };
					pfd_probe[n++] = i * 2 + (size_t)f;
				}
		}
		for (i = 0; i < p->n_probes; i++)
			if (st.fd[i] >= 0 && st.tries[i]) {
				pfd[n] = (struct pollfd){ st.fd[i],
					p->probes[i].proto == IPPROTO_TCP ? POLLOUT : POLLIN, 0 };
				pfd_probe[n++] = 2 * p->n_nodes + i;
			}
		now = mono_ms();
		wait = next_due > now ? (int)(next_due - now) + 1 : 0;
		ready = poll(pfd, n, wait);
		if (ready < 0 && errno != EINTR) {
			rc = err_set(nn, errno, "check: poll");
			goto out;
		}
		for (i = 0; ready > 0 && i < n; i++) {
			if (!pfd[i].revents)
				continue;
			if (pfd_probe[i] < 2 * p->n_nodes)
				check_read_icmp(&st, pfd_probe[i] / 2,
						pfd_probe[i] % 2 ? AF_INET6 : AF_INET);
			else
				check_port_event(&st, pfd_probe[i] - 2 * p->n_nodes,
						 pfd[i].revents);
		}
		check_flush_neigh(&st);
	}
	check_flush_neigh(&st);
	check_cells_update(p);
out:
	free(pfd);
	free(pfd_probe);
	check_state_free(&st);
	for (i = 0; i < p->n_nodes; i++)
		ns_release(nn, t->nodes[i].name);
	return rc;
}

/* ---- the public entry -------------------------------------------------------- */

NSNET_EXPORT int nsnet_check(struct nsnet *nn, const char *file_or_name,
			     double timeout_s, json_t **out)
{
	struct check_plan plan;
	struct topo *t;
	size_t broken = 0;
	double start;
	int rc;

	if (timeout_s <= 0)
		timeout_s = 1.5;
	if ((rc = topo_load(nn, file_or_name, &t)))
		return rc;
	if ((rc = check_plan_build(nn, t, &plan))) {
		topo_free(t);
		return rc;
	}
	start = mono_ms();
	rc = check_run(nn, t, &plan, timeout_s);
	if (!rc)
		*out = check_json(t, &plan, timeout_s, mono_ms() - start,
				  &broken);
	check_plan_free(&plan);
	topo_free(t);
	return rc ? rc : (int)broken;
}
