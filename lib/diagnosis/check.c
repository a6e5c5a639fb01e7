// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * check.c - nsnet check: every node of a topology against every other node
 * (and the file's upstream address), by ICMP and by the ports its
 * expectations name, then every expectation met or broken.
 *
 * Everything runs from one thread: the sockets are opened inside each
 * source node's namespace (ns_call) and then driven together with epoll,
 * so 10,000 pairs cost about one deadline, not 10,000. A lost first packet
 * is sent again twice within the deadline; nothing waits longer.
 *
 * The neighbour tables. The kernel keeps one ARP and one NDP table for the
 * whole machine, and every namespace's entries count against the same
 * gc_thresh3 (1,024 by default): N nodes on one bridge need N*(N-1)
 * entries, and past the threshold every namespace of the machine fails to
 * resolve new neighbours ("neighbor table overflow"), which a check would
 * report as pairs unreached. So check resolves nothing: before a probe
 * between two nodes of one segment goes out, it installs a permanent
 * entry on each side (it knows both addresses and reads both MACs), which
 * the kernel does not count against gc_thresh3 (kernel/neigh.c), and it
 * deletes exactly the entries it added once the pair is done. Routed
 * probes get the same for the gateways (in the nodes) and the nodes (in
 * the namespace holding the bridges) for the whole run. Entries that
 * existed are left alone.
 *
 * A probe the local kernel refused to send (a full queue, no memory) is
 * "not probed", never "unreached": the network was not asked.
 *
 * This file sends the probes and reads the answers; check_neigh.c keeps
 * the neighbour entries; check_plan.c decides which probes there are, in
 * which order, and what their answers mean.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <jansson.h>
#include <linux/neighbour.h>

#include "kernel/kernel.h"
#include "topology/topology.h"
#include "diagnosis/diagnosis.h"

#include "diagnosis/check.h"

static const char check_udp_payload[] = "nsnet check\n";

static int fam_idx(int family)
{
	return family == AF_INET6;
}

static void fifo_push(struct check_fifo *f, size_t probe, double due)
{
	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 1024, i;
		void *v = malloc(cap * sizeof(*f->v));

		if (!v)
			abort();
		for (i = 0; i < f->n; i++)
			memcpy((char *)v + i * sizeof(*f->v),
			       &f->v[(f->head + i) % f->cap], sizeof(*f->v));
		free(f->v);
		f->v = v;
		f->cap = cap;
		f->head = 0;
	}
	f->v[(f->head + f->n) % f->cap].probe = probe;
	f->v[(f->head + f->n) % f->cap].due = due;
	f->n++;
}

static bool fifo_peek(const struct check_fifo *f, size_t *probe, double *due)
{
	if (!f->n)
		return false;
	*probe = f->v[f->head].probe;
	*due = f->v[f->head].due;
	return true;
}

static void fifo_pop(struct check_fifo *f)
{
	f->head = (f->head + 1) % f->cap;
	f->n--;
}

/* ---- sending and answers ------------------------------------------------------- */

/* Without IP_RECVERR the kernel hides a packet its own queue dropped: a
 * raw or UDP send returns success on ENOBUFS (raw_sendmsg, udp_send_skb),
 * and the probe would look like silence from the network. With it, the
 * send fails and the probe is "not probed". The ICMP errors it also
 * queues on the socket's error queue are read and dropped (the raw socket
 * gets them as packets anyway). */
static void check_recverr(int fd, int family)
{
	int one = 1;

	if (family == AF_INET)
		setsockopt(fd, IPPROTO_IP, IP_RECVERR, &one, sizeof(one));
	else
		setsockopt(fd, IPPROTO_IPV6, IPV6_RECVERR, &one, sizeof(one));
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
	size_t k;

	for (k = st->by_src[a->from]; k < st->by_src[a->from + 1] && !a->error; k++) {
		size_t i = st->src_probe[k];
		const struct check_probe *pr = &p->probes[i];
		int family = p->targets[pr->target].addr[pr->addr].family;
		int fd;

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
			check_recverr(*icmp, family);
			continue;
		}
		fd = socket(family, (pr->proto == IPPROTO_TCP ? SOCK_STREAM :
				     SOCK_DGRAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0)
			a->error = errno;
		if (fd >= 0 && pr->proto == IPPROTO_UDP)
			check_recverr(fd, family);
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

/* Whether an error the kernel gave for a probe is an answer about the
 * network (a route, a firewall rule, an ICMP error, a refusal), rather
 * than the local kernel failing to send it (a full queue, no memory). */
static bool errno_is_verdict(int e)
{
	switch (e) {
	case ENETUNREACH: case EHOSTUNREACH: case ENETDOWN: case EHOSTDOWN:
	case ECONNREFUSED: case ECONNRESET: case ETIMEDOUT: case EPROTO:
	case EADDRNOTAVAIL:
	/* a firewall rule of the source itself (netfilter's NF_DROP in
	 * OUTPUT): the network as configured */
	case EPERM: case EACCES:
		return true;
	default:
		return false;
	}
}

/* Failures that may pass: try again until the deadline. EINVAL is what a
 * send returns when the kernel could not make a neighbour entry. */
static bool errno_is_transient(int e)
{
	return e == EAGAIN || e == EWOULDBLOCK || e == ENOBUFS || e == ENOMEM ||
	       e == EINTR || e == EINVAL;
}

static void probe_done(struct check_state *st, size_t i,
		       enum check_result r, int error)
{
	struct check_probe *pr = &st->p->probes[i];

	if (pr->result != CHECK_PENDING)
		return;
	if (r == CHECK_UNREACH && error && !errno_is_verdict(error)) {
		r = CHECK_NOT_PROBED;
		pr->np_why = CHECK_NP_SEND;
	}
	if (r == CHECK_TIMEOUT && st->neigh_err[i]) {
		r = CHECK_NOT_PROBED;
		pr->np_why = CHECK_NP_NEIGH;
		error = st->neigh_err[i];
	}
	pr->result = r;
	pr->error = error;
	if (r == CHECK_REACH)
		pr->rtt_ms = mono_ms() - st->sent_at[i];
	if (st->fd[i] >= 0) {
		close(st->fd[i]);
		st->fd[i] = -1;
	}
	st->pending--;
	st->done++;
	if (!check_probe_pair(st->p, pr))
		return;
	st->pair_inflight--;
	if (st->pent[i][0] != UINT32_MAX) {
		check_ent_unref(st, st->pent[i][0]);
		check_ent_unref(st, st->pent[i][1]);
	}
}

/* One packet of probe i: 0 sent, or the errno of the failure. */
static int probe_send(struct check_state *st, size_t i)
{
	const struct check_probe *pr = &st->p->probes[i];
	const struct ipaddr *ip = &st->p->targets[pr->target].addr[pr->addr];
	struct check_source *s = &st->src[pr->from];
	uint8_t pkt[PING_ICMP_HDR + CHECK_PAYLOAD];
	struct sockaddr_storage ss;
	socklen_t sl = ip_sockaddr(ip, pr->port, &ss);
	ssize_t n;

	if (!pr->proto) {
		size_t len = ping_build_echo(pkt, sizeof(pkt), ip->family, s->id,
					     pr->seq, CHECK_PAYLOAD);

		n = sendto(s->icmp[fam_idx(ip->family)], pkt, len, 0,
			   (struct sockaddr *)&ss, sl);
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
	return n < 0 ? errno : 0;
}

/* The first packet of probe i: out, refused by the kernel for now (queued
 * to try again), or failed for good. */
static void probe_first(struct check_state *st, size_t i, double now)
{
	const struct check_probe *pr = &st->p->probes[i];
	double gap = st->timeout_ms / (CHECK_TRIES + 1);
	int e = probe_send(st, i);

	if (e && errno_is_transient(e)) {
		if (!st->first_try[i])
			st->first_try[i] = now;
		if (now - st->first_try[i] >= st->timeout_ms) {
			st->p->probes[i].np_why = CHECK_NP_SEND;
			probe_done(st, i, CHECK_NOT_PROBED, e);
		} else {
			fifo_push(&st->sendq, i, now);
			st->p->probes[i].error = e;  /* the last refusal */
		}
		return;
	}
	st->tries[i] = 1;
	st->sent_at[i] = now;
	if (e) {
		probe_done(st, i, e == ECONNREFUSED ? CHECK_REFUSED : CHECK_UNREACH, e);
		return;
	}
	if (pr->proto == IPPROTO_TCP) {
		fifo_push(&st->deadline_tcp, i, now + st->timeout_ms);
	} else {
		fifo_push(&st->resend1, i, now + gap);
	}
	if (pr->proto) {
		struct epoll_event ev = {
			.events = pr->proto == IPPROTO_TCP ? EPOLLOUT : EPOLLIN,
			.data.u64 = 2 * st->p->n_nodes + i,
		};

		epoll_ctl(st->ep, EPOLL_CTL_ADD, st->fd[i], &ev);
	}
}

/* Whether same-segment probes may be prepared: the window refills by a
 * large step at a time, so that each namespace's entries go in batches,
 * not one by one as single answers come in. */
static bool pair_room(const struct check_state *st)
{
	return !st->pair_inflight || st->pair_inflight + CHECK_PREPARE <= CHECK_WINDOW;
}

/* Prepare the next probes of the start order: their entries, in one batch
 * per namespace for up to CHECK_PREPARE probes. */
static void check_prepare(struct check_state *st)
{
	size_t first = st->cursor, n = 0, k;
	bool room = pair_room(st);

	while (st->cursor < st->p->n_probes && n < CHECK_PREPARE) {
		size_t i = st->order[st->cursor];
		const struct check_probe *pr = &st->p->probes[i];

		if (check_probe_pair(st->p, pr)) {
			if (!room || st->pair_inflight >= CHECK_WINDOW)
				break;
			st->pair_inflight++;
			check_probe_entries(st, i);
		} else if (!check_routed_covered(st, pr)) {
			st->uncovered[i] = true;
		}
		n++;
		st->cursor++;
	}
	if (!n)
		return;
	check_flush(st);
	/* Now the entries' fates are known: a probe whose entry could not
	 * be made goes out all the same, through ARP/NDP. */
	for (k = first; k < st->cursor; k++) {
		size_t i = st->order[k], j;

		for (j = 0; j < 2 && st->pent[i][0] != UINT32_MAX; j++) {
			const struct check_entry *en = &st->ent[st->pent[i][j]];

			if (en->state == ENT_FAILED) {
				st->neigh_err[i] = en->error;
				st->uncovered[i] = true;
			}
		}
	}
	st->ready_end = st->cursor;
}

/* The first packets of prepared probes, CHECK_BURST a turn; the next
 * probes are prepared when these are out. */
static void check_start(struct check_state *st, double now)
{
	size_t n;

	if (st->ready == st->ready_end)
		check_prepare(st);
	for (n = 0; st->ready < st->ready_end && n < CHECK_BURST; n++)
		probe_first(st, st->order[st->ready++], now);
}

/* What is due: resends, deadlines, first packets the kernel refused.
 * Every queue is in due order (the same delays for every probe), so only
 * the heads are looked at. Returns the time of the next thing due. */
static double check_due(struct check_state *st, double now)
{
	double gap = st->timeout_ms / (CHECK_TRIES + 1), due, next = 1e300;
	struct check_fifo *q[4] = { &st->resend1, &st->resend2, &st->deadline,
				    &st->deadline_tcp };
	size_t i, k, n;

	for (k = 0; k < 4; k++) {
		while (fifo_peek(q[k], &i, &due)) {
			if (st->p->probes[i].result != CHECK_PENDING) {
				fifo_pop(q[k]);
				continue;
			}
			if (due > now) {
				if (due < next)
					next = due;
				break;
			}
			fifo_pop(q[k]);
			if (k >= 2) {
				probe_done(st, i, CHECK_TIMEOUT, 0);
				continue;
			}
			/* a resend that fails is no news: the first packet
			 * went out, the deadline decides */
			if (!probe_send(st, i))
				st->tries[i]++;
			if (k == 0)
				fifo_push(&st->resend2, i, st->sent_at[i] + 2 * gap);
			else
				fifo_push(&st->deadline, i, st->sent_at[i] + st->timeout_ms);
		}
	}
	/* Refused first packets: each gets another go, in order. */
	for (n = st->sendq.n; n && fifo_peek(&st->sendq, &i, &due); n--) {
		fifo_pop(&st->sendq);
		if (st->p->probes[i].result == CHECK_PENDING)
			probe_first(st, i, now);
	}
	if (st->sendq.n && now + 1 < next)
		next = now + 1;
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

		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
			/* a pending error (IP_RECVERR): empty the queue it
			 * came with and read on */
			while (recv(fd, buf, sizeof(buf), MSG_ERRQUEUE) >= 0)
				;
			continue;
		}
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

static void check_port_event(struct check_state *st, size_t i)
{
	const struct check_probe *pr = &st->p->probes[i];
	int err = 0;
	socklen_t el = sizeof(err);

	if (pr->result != CHECK_PENDING || st->fd[i] < 0)
		return;
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
}

/* Read everything that is ready, until nothing is. */
static int check_read(struct check_state *st, int wait_ms)
{
	struct epoll_event ev[256];
	int n, k;

	do {
		n = epoll_wait(st->ep, ev, 256, wait_ms);
		if (n < 0 && errno != EINTR)
			return err_set(st->nn, errno, "check: epoll");
		for (k = 0; k < n; k++) {
			uint64_t d = ev[k].data.u64;

			if (d < 2 * st->p->n_nodes)
				check_read_icmp(st, (size_t)d / 2,
						d % 2 ? AF_INET6 : AF_INET);
			else
				check_port_event(st, (size_t)(d - 2 * st->p->n_nodes));
		}
		wait_ms = 0;
	} while (n == 256);
	return 0;
}

/* ---- setup and teardown --------------------------------------------------------- */

/* Make room for one descriptor per socket: raising the soft limit to the
 * hard one is what a program needing many sockets is expected to do, and
 * past the hard one (20,000 in some containers; 5,000 nodes need as many
 * sockets) nsnet, which runs with the capabilities of root, may raise that
 * too (CAP_SYS_RESOURCE, up to fs.nr_open). */
static int check_fd_room(struct nsnet *nn, size_t need)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return 0;
	need += 64;
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= need)
		return 0;
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < need) {
		struct rlimit more = { need, need };

		if (!setrlimit(RLIMIT_NOFILE, &more))
			return 0;
	}
	rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > need ? need : rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
	if (rl.rlim_cur < need)
		return err_set(nn, EMFILE, "check needs %zu sockets; the open-files limit is %llu",
			       need - 64, (unsigned long long)rl.rlim_cur);
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
		}
	if (st->where)
		for (i = 0; i <= st->p->n_nodes; i++) {
			free(st->where[i].add);
			free(st->where[i].del);
			free(st->where[i].ifs);
		}
	if (st->ep >= 0)
		close(st->ep);
	free(st->src);
	free(st->where);
	free(st->fd);
	free(st->tries);
	free(st->sent_at);
	free(st->first_try);
	free(st->neigh_err);
	free(st->pent);
	free(st->uncovered);
	free(st->order);
	free(st->by_src);
	free(st->src_probe);
	free(st->ent);
	free(st->bucket);
	free(st->dirty);
	free(st->resend1.v);
	free(st->resend2.v);
	free(st->deadline.v);
	free(st->deadline_tcp.v);
	free(st->sendq.v);
}

static void check_progress(struct check_state *st, bool last)
{
	double now = mono_ms();

	if (!last && now < st->next_progress)
		return;
	st->next_progress = now + 100;
	topo_progress(st->nn, "check", st->done, st->p->n_probes);
}

/* Number each source's echoes: the sequence number finds the probe again
 * when its reply comes. And each source's probes, for opening its sockets
 * (a million probes at 1,000 nodes: no pass over all of them per node). */
static int check_number_echoes(struct check_state *st, size_t *need)
{
	struct check_plan *p = st->p;
	size_t i;

	st->by_src = calloc(p->n_nodes + 2, sizeof(*st->by_src));
	st->src_probe = malloc((p->n_probes ? p->n_probes : 1) * sizeof(*st->src_probe));
	if (!st->by_src || !st->src_probe)
		abort();
	for (i = 0; i < p->n_probes; i++)
		st->by_src[p->probes[i].from + 2]++;
	for (i = 2; i < p->n_nodes + 2; i++)
		st->by_src[i] += st->by_src[i - 1];
	for (i = 0; i < p->n_probes; i++)
		st->src_probe[st->by_src[p->probes[i].from + 1]++] = i;
	for (i = 0; i < p->n_probes; i++) {
		struct check_probe *pr = &p->probes[i];
		struct check_source *s = &st->src[pr->from];
		size_t **v = pr->family == AF_INET ? &s->echo : &s->echo6;
		size_t *n = &s->n_echo[fam_idx(pr->family)];

		if (pr->proto) {
			(*need)++;
			continue;
		}
		if (*n == 65536)
			return err_set(st->nn, E2BIG, "check: more than 65,536 probes from %s",
				       st->t->nodes[pr->from].name);
		ARRAY_GROW(*v, *n);
		(*v)[*n] = i;
		pr->seq = (uint16_t)(*n)++;
	}
	return 0;
}

/*
 * A check that is killed cannot delete its entries: a check says it runs
 * with a mark in the topology's record, and the next one that finds the
 * mark purges what is left. Only then: finding them takes a neighbour dump
 * per namespace, and the kernel answers each by walking the machine's
 * whole table (neigh_dump_table). Without a record to mark: always.
 */
static bool check_mark(struct check_state *st)
{
	char dir[512];
	bool left;
	int fd;

	topo_record_dir(dir, sizeof(dir), st->t->name);
	snprintf(st->mark, sizeof(st->mark), "%s/check-running", dir);
	left = !access(st->mark, F_OK);
	fd = open(st->mark, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0) {
		st->mark[0] = '\0';
		return true;
	}
	close(fd);
	return left;
}

/* Every node's sockets, and what a killed check left purged. */
static int check_open(struct check_state *st)
{
	const struct topo *t = st->t;
	bool purge = check_mark(st);
	size_t i;
	int rc;

	for (i = 0; i < st->p->n_nodes; i++) {
		struct check_open_arg a = { st, i, 0 };
		struct ns *ns;
		int f;

		if (!ns_exists(t->nodes[i].name))
			return err_set(st->nn, 0, "node %s has no namespace: is topology %s up? (nsnet up FILE)",
				       t->nodes[i].name, t->name);
		if ((rc = ns_get(st->nn, t->nodes[i].name, &ns)))
			return rc;
		rc = ns_call(st->nn, ns, check_open_here, &a);
		if (rc || a.error)
			return err_set(st->nn, rc ? -rc : a.error, "check: sockets in %s",
				       t->nodes[i].name);
		for (f = 0; f < 2; f++)
			if (st->src[i].icmp[f] >= 0) {
				struct epoll_event ev = { .events = EPOLLIN,
							  .data.u64 = 2 * i + (uint64_t)f };

				if (epoll_ctl(st->ep, EPOLL_CTL_ADD, st->src[i].icmp[f], &ev))
					return err_set(st->nn, errno, "check: epoll");
			}
		if (purge)
			check_purge(st, i);
		if (st->tight) {
			/* what check_probe_entries will ask, while it is open */
			size_t k;

			for (k = 0; k < t->nodes[i].n_att; k++)
				check_where_if(st, i, t->nodes[i].att[k].ifname);
			check_ns_done(st, i);
		}
	}
	if (purge)
		check_purge(st, st->p->n_nodes);
	check_flush(st);
	return 0;
}

int check_run(struct nsnet *nn, const struct topo *t, struct check_plan *p,
	      double timeout_s)
{
	struct check_state st = { .nn = nn, .t = t, .p = p, .ep = -1,
				  .timeout_ms = timeout_s * 1e3,
				  .free_ent = SIZE_MAX };
	size_t i, n = p->n_probes ? p->n_probes : 1, need = 0;
	uint16_t id_base = (uint16_t)(getpid() * 31);
	unsigned long fulls0 = 0, fulls1 = 0;
	bool routed = false;
	struct ns *host;
	int rc = 0;

	st.src = calloc(p->n_nodes ? p->n_nodes : 1, sizeof(*st.src));
	st.where = calloc(p->n_nodes + 1, sizeof(*st.where));
	st.dirty = calloc(p->n_nodes + 1, sizeof(*st.dirty));
	st.fd = malloc(n * sizeof(*st.fd));
	st.tries = calloc(n, sizeof(*st.tries));
	st.sent_at = calloc(n, sizeof(*st.sent_at));
	st.first_try = calloc(n, sizeof(*st.first_try));
	st.neigh_err = calloc(n, sizeof(*st.neigh_err));
	st.uncovered = calloc(n, sizeof(*st.uncovered));
	st.order = malloc(n * sizeof(*st.order));
	st.pent = malloc(n * sizeof(*st.pent));
	if (!st.src || !st.where || !st.dirty || !st.fd || !st.tries ||
	    !st.sent_at || !st.first_try || !st.neigh_err || !st.uncovered ||
	    !st.order || !st.pent)
		abort();
	memset(st.pent, 0xff, n * sizeof(*st.pent));
	check_ent_rehash(&st);
	p->timeout_s = timeout_s;
	p->neigh_added = 0;
	p->neigh_overflows = 0;
	for (i = 0; i < p->n_probes; i++) {
		st.fd[i] = -1;
		routed |= !check_probe_pair(p, &p->probes[i]);
	}
	for (i = 0; i < p->n_nodes; i++) {
		st.src[i].icmp[0] = st.src[i].icmp[1] = -1;
		st.src[i].id = (uint16_t)(id_base + i);
	}
	if ((rc = check_number_echoes(&st, &need)))
		goto out;
	/* The ICMP sockets, one per node and family; epoll, the host. And
	 * per node its namespace and its netlink socket, unless there is no
	 * room for them: then each is opened when needed and closed after. */
	for (i = 0; i < p->n_nodes; i++)
		need += (st.src[i].n_echo[0] > 0) + (st.src[i].n_echo[1] > 0);
	if (check_fd_room(nn, need + 2 * p->n_nodes + 8)) {
		err_clear(nn);
		if ((rc = check_fd_room(nn, need + 8)))
			goto out;
		st.tight = true;
	}
	st.ep = epoll_create1(EPOLL_CLOEXEC);
	if (st.ep < 0) {
		rc = err_set(nn, errno, "check: epoll");
		goto out;
	}
	if ((rc = check_open(&st)))
		goto out;
	if (!ns_get(nn, NSNET_HOST, &host))
		neigh_table_fulls(nn, host, &fulls0);
	err_clear(nn);
	if (routed) {
		size_t e;

		check_pin_routed(&st);
		st.pinned_ok = true;
		for (e = 0; e < st.n_ent; e++)
			if (st.ent[e].refs && st.ent[e].state == ENT_FAILED)
				st.pinned_ok = false;
	}
	check_plan_order(p, CHECK_BLOCK, st.order);
	st.pending = p->n_probes;

	while (st.pending) {
		double now, next;
		int wait;

		if ((rc = check_read(&st, 0)))
			goto out;
		now = mono_ms();
		next = check_due(&st, now);
		check_start(&st, now);
		if (st.n_dirty)
			check_flush(&st);
		check_progress(&st, false);
		if (!st.pending)
			break;
		now = mono_ms();
		if (st.ready < st.ready_end ||
		    (st.cursor < p->n_probes && pair_room(&st)))
			wait = 0;
		else  /* next is 1e300 when nothing was queued before check_start():
		       * as an int that was INT_MIN, an epoll_wait without end */
			wait = next <= now ? 0 : next - now < 100 ? (int)(next - now) + 1 : 100;
		if (wait && (rc = check_read(&st, wait)))
			goto out;
	}
	check_flush(&st);
	check_progress(&st, true);
	/* The machine's tables overflowed while we ran: a probe that needed
	 * ARP/NDP and got no answer may never have left. */
	if (!neigh_table_fulls(nn, host, &fulls1) && fulls1 > fulls0) {
		p->neigh_overflows = fulls1 - fulls0;
		for (i = 0; i < p->n_probes; i++)
			if (p->probes[i].result == CHECK_TIMEOUT && st.uncovered[i]) {
				p->probes[i].result = CHECK_NOT_PROBED;
				p->probes[i].np_why = CHECK_NP_OVERFLOW;
			}
	}
	err_clear(nn);
	check_cells_update(p);
out:
	/* The pinned entries, and whatever an error left. */
	for (i = 0; i < st.n_ent; i++)
		while (st.ent[i].refs)
			check_ent_unref(&st, i);
	check_flush(&st);
	if (st.mark[0])
		unlink(st.mark);
	check_state_free(&st);
	for (i = 0; i < p->n_nodes; i++)
		ns_release(nn, t->nodes[i].name);
	return rc;
}

/* ---- the public entry -------------------------------------------------------- */

static int check_do(struct nsnet *nn, const char *file_or_name, double timeout_s,
		    size_t sample, json_t **out)
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
	if ((rc = check_plan_build_sample(nn, t, sample, &plan))) {
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

NSNET_EXPORT int nsnet_check(struct nsnet *nn, const char *file_or_name,
			     double timeout_s, json_t **out)
{
	return check_do(nn, file_or_name, timeout_s, 0, out);
}

NSNET_EXPORT int nsnet_check_run(struct nsnet *nn, const char *file_or_name,
				 const struct nsnet_check_opts *opts, json_t **out)
{
	struct nsnet_check_opts copy;
	int rc;

	if ((rc = OPTS_TAKE(nn, &copy, opts, sample, "check")))
		return rc;
	return check_do(nn, file_or_name, copy.timeout, copy.sample, out);
}
