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
 * This file sends the probes and reads the answers; check_plan.c decides
 * which probes there are, in which order, and what their answers mean.
 */
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

#define CHECK_TRIES 3
#define CHECK_PAYLOAD 16
#define CHECK_RCVBUF (4 << 20)
/* Same-segment probes in flight. Each pair in flight holds a permanent
 * neighbour entry on both sides, about 500 bytes of kernel memory each
 * (measured on 6.18: 89,700 entries, 43 MiB of slab): 32,768 probes are
 * about 16 MiB. */
#define CHECK_WINDOW 32768
/* Probes started per turn of the loop before the answers are read again:
 * a long burst would make answers that came in time look late. */
#define CHECK_BURST 1024
/* Nodes per block of the start order (check_plan_order). */
#define CHECK_BLOCK 32

static const char check_udp_payload[] = "nsnet check\n";

/* ---- state --------------------------------------------------------------- */

enum check_ent_state { ENT_QUEUED, ENT_OURS, ENT_THEIRS, ENT_FAILED };

/* A neighbour entry check needs: in a namespace (a node, or the host when
 * where == n_nodes), on ifindex, addr -> mac. */
struct check_entry {
	size_t where;
	int ifindex;
	struct ipaddr addr;
	unsigned char mac[6];
	enum check_ent_state state;
	int error;                 /* ENT_FAILED: the kernel's errno */
	unsigned int refs;         /* probes started and not done that need it */
	size_t next;               /* hash chain, or free list */
};

/* An entry to delete: a copy, the entry itself is gone from the table. */
struct check_del {
	int ifindex;
	struct ipaddr addr;
};

/* One interface of a node: what its neighbours' entries point at. */
struct check_if {
	char name[IFNAMSIZ];
	int index;
	unsigned char mac[6];
};

/* A namespace check talks to: its entries to add and delete next. */
struct check_where {
	size_t *add;
	size_t n_add;
	struct check_del *del;
	size_t n_del;
	bool dirty;
	struct check_if *ifs;      /* a node's interfaces; the host's bridges */
	size_t n_ifs;
};

/* What one node sends from. */
struct check_source {
	int icmp[2];               /* raw ICMP / ICMPv6 sockets; -1: none needed */
	uint16_t id;               /* echo id of this source */
	size_t *echo;              /* probe index by echo sequence number */
	size_t n_echo[2];
	size_t *echo6;
};

/* A queue of probes due at monotone times (see check_due). */
struct check_fifo {
	struct { size_t probe; double due; } *v;
	size_t head, n, cap;
};

struct check_state {
	struct nsnet *nn;
	const struct topo *t;
	struct check_plan *p;
	struct check_source *src;
	struct check_where *where; /* n_nodes + 1: the host last */
	int ep;                    /* epoll */
	int *fd;                   /* per probe: its TCP/UDP socket, or -1 */
	uint8_t *tries;            /* per probe: packets sent so far */
	double *sent_at;           /* per probe: first packet out, ms */
	double *first_try;         /* per probe: first attempt to send, ms */
	int *neigh_err;            /* per probe: an entry it needed failed */
	uint32_t (*pent)[2];       /* per same-segment probe: its two entries */
	bool *uncovered;           /* per probe: may need ARP/NDP */
	size_t *order, cursor;     /* start order (check_plan_order) */
	size_t *by_src, *src_probe; /* the probes of node n: src_probe[by_src[n]..by_src[n+1]) */
	double timeout_ms;
	size_t pending, done;
	size_t pair_inflight;      /* same-segment probes started, not done */
	/* the neighbour entries in use */
	struct check_entry *ent;
	size_t n_ent, free_ent;
	size_t *bucket;
	size_t n_bucket, live;
	size_t *dirty;             /* namespaces with entries to send */
	size_t n_dirty;
	bool pinned_ok;            /* routed probes have their entries */
	/* timers: resend 1 and 2, the deadline of echoes/UDP, of TCP, and
	 * the probes the kernel has not let out yet */
	struct check_fifo resend1, resend2, deadline, deadline_tcp, sendq;
	double next_progress;
};

static int fam_idx(int family)
{
	return family == AF_INET6;
}

static const char *where_name(const struct check_state *st, size_t w)
{
	return w == st->p->n_nodes ? NSNET_HOST : st->t->nodes[w].name;
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

/* ---- interfaces and MACs --------------------------------------------------- */

/* The interface ifname of namespace w (a node's, or a bridge of the host):
 * index 0 when it cannot be found (then no entry is made for it). */
static const struct check_if *where_if(struct check_state *st, size_t w,
				       const char *ifname)
{
	struct check_where *cw = &st->where[w];
	struct nl_link l;
	struct ns *ns;
	size_t i;

	for (i = 0; i < cw->n_ifs; i++)
		if (!strcmp(cw->ifs[i].name, ifname))
			return &cw->ifs[i];
	memset(&l, 0, sizeof(l));
	if (ns_get(st->nn, where_name(st, w), &ns) ||
	    nl_link_get(st->nn, ns, ifname, &l))
		l.index = 0;
	err_clear(st->nn);
	ARRAY_GROW(cw->ifs, cw->n_ifs);
	snprintf(cw->ifs[cw->n_ifs].name, IFNAMSIZ, "%s", ifname);
	cw->ifs[cw->n_ifs].index = l.index;
	memcpy(cw->ifs[cw->n_ifs].mac, l.mac, 6);
	return &cw->ifs[cw->n_ifs++];
}

/* ---- the entries: a small hash table, reference counted ------------------------ */

static size_t ent_hash(size_t where, int ifindex, const struct ipaddr *a)
{
	uint64_t h = 1469598103934665603ull;
	size_t i, n = ip_len(a);

	h = (h ^ where) * 1099511628211ull;
	h = (h ^ (uint64_t)(unsigned int)ifindex) * 1099511628211ull;
	for (i = 0; i < n; i++)
		h = (h ^ a->a.b[i]) * 1099511628211ull;
	return (size_t)(h ^ (h >> 29));
}

static void ent_rehash(struct check_state *st)
{
	size_t n = st->n_bucket ? st->n_bucket * 2 : 4096, i;
	size_t *b = malloc(n * sizeof(*b));

	if (!b)
		abort();
	for (i = 0; i < n; i++)
		b[i] = SIZE_MAX;
	for (i = 0; i < st->n_bucket; i++) {
		size_t e = st->bucket[i];

		while (e != SIZE_MAX) {
			size_t next = st->ent[e].next;
			size_t h = ent_hash(st->ent[e].where, st->ent[e].ifindex,
					    &st->ent[e].addr) & (n - 1);

			st->ent[e].next = b[h];
			b[h] = e;
			e = next;
		}
	}
	free(st->bucket);
	st->bucket = b;
	st->n_bucket = n;
}

static void where_dirty(struct check_state *st, size_t w)
{
	if (st->where[w].dirty)
		return;
	st->where[w].dirty = true;
	st->dirty[st->n_dirty++] = w;
}

/* Take a reference on the entry (where, ifindex, addr -> mac); a new one
 * is queued for adding. Returns its index. */
static size_t ent_ref(struct check_state *st, size_t where, int ifindex,
		      const struct ipaddr *addr, const unsigned char mac[6])
{
	struct check_where *cw = &st->where[where];
	size_t h, e;

	if (st->live * 2 >= st->n_bucket)
		ent_rehash(st);
	h = ent_hash(where, ifindex, addr) & (st->n_bucket - 1);
	for (e = st->bucket[h]; e != SIZE_MAX; e = st->ent[e].next)
		if (st->ent[e].where == where && st->ent[e].ifindex == ifindex &&
		    ip_equal(&st->ent[e].addr, addr)) {
			st->ent[e].refs++;
			return e;
		}
	if (st->free_ent != SIZE_MAX) {
		e = st->free_ent;
		st->free_ent = st->ent[e].next;
	} else {
		ARRAY_GROW(st->ent, st->n_ent);
		e = st->n_ent++;
	}
	st->ent[e] = (struct check_entry){ .where = where, .ifindex = ifindex,
		.addr = *addr, .state = ENT_QUEUED, .refs = 1, .next = st->bucket[h] };
	memcpy(st->ent[e].mac, mac, 6);
	st->bucket[h] = e;
	st->live++;
	ARRAY_GROW(cw->add, cw->n_add);
	cw->add[cw->n_add++] = e;
	where_dirty(st, where);
	return e;
}

/* Drop a reference; the last one queues the deletion of an entry we made. */
static void ent_unref(struct check_state *st, size_t e)
{
	struct check_entry *en = &st->ent[e];
	size_t h, *pp;

	if (--en->refs)
		return;
	if (en->state == ENT_OURS) {
		struct check_where *cw = &st->where[en->where];

		ARRAY_GROW(cw->del, cw->n_del);
		cw->del[cw->n_del++] = (struct check_del){ en->ifindex, en->addr };
		where_dirty(st, en->where);
	}
	h = ent_hash(en->where, en->ifindex, &en->addr) & (st->n_bucket - 1);
	for (pp = &st->bucket[h]; *pp != SIZE_MAX; pp = &st->ent[*pp].next)
		if (*pp == e) {
			*pp = en->next;
			break;
		}
	en->next = st->free_ent;
	st->free_ent = e;
	st->live--;
}

/* Send what is queued, one batch per namespace: deletions first (an entry
 * deleted and needed again goes out and back in, in that order), then the
 * additions. An existing entry (EEXIST) is someone else's: used, never
 * deleted. One that could not be made leaves its probes to ARP/NDP. */
static void check_flush(struct check_state *st)
{
	size_t d;

	for (d = 0; d < st->n_dirty; d++) {
		size_t w = st->dirty[d], i, round;
		struct check_where *cw = &st->where[w];
		struct ns *ns;
		int rc = ns_get(st->nn, where_name(st, w), &ns);

		cw->dirty = false;
		for (round = 0; !rc && (cw->n_del || cw->n_add) && round < 64; round++) {
			struct nl_batch b;
			size_t keep_del = 0, keep_add = 0;

			nl_batch_init(&b);
			for (i = 0; i < cw->n_del; i++)
				neigh_queue_del(&b, where_name(st, w), cw->del[i].ifindex,
						&cw->del[i].addr);
			for (i = 0; i < cw->n_add; i++) {
				const struct check_entry *en = &st->ent[cw->add[i]];

				neigh_queue_add(&b, where_name(st, w), en->ifindex,
						&en->addr, en->mac);
			}
			size_t sent = 0;

			nl_batch_send(st->nn, ns, &b);
			err_clear(st->nn);
			for (i = 0; i < b.n; i++)
				sent += b.req[i].done;
			/* nl_batch_send stops after the first chunk with a
			 * failure: what it did not send goes again. */
			for (i = 0; i < cw->n_del; i++)
				if (!b.req[i].done)
					cw->del[keep_del++] = cw->del[i];
			for (i = 0; i < cw->n_add; i++) {
				const struct nl_req *r = &b.req[cw->n_del + i];
				struct check_entry *en = &st->ent[cw->add[i]];

				if (!r->done) {
					cw->add[keep_add++] = cw->add[i];
				} else if (!r->error) {
					en->state = ENT_OURS;
					st->p->neigh_added++;
				} else if (r->error == -EEXIST) {
					en->state = ENT_THEIRS;
				} else {
					en->state = ENT_FAILED;
					en->error = -r->error;
				}
			}
			nl_batch_free(&b);
			cw->n_del = keep_del;
			cw->n_add = keep_add;
			if (!sent)
				break;  /* no socket in the namespace */
		}
		/* The namespace is gone, or the kernel keeps refusing. */
		for (i = 0; i < cw->n_add; i++) {
			st->ent[cw->add[i]].state = ENT_FAILED;
			st->ent[cw->add[i]].error = rc ? -rc : EIO;
		}
		cw->n_add = cw->n_del = 0;
		err_clear(st->nn);
	}
	st->n_dirty = 0;
}

/* ---- which entries a probe needs ---------------------------------------------- */

/* Between two nodes of one segment: the target's address in the source,
 * the source's address in the target. Held until the probe is done (an
 * entry with references is never reused, so the indices stay valid). */
static void probe_entries(struct check_state *st, size_t i)
{
	const struct check_probe *pr = &st->p->probes[i];
	const struct check_target *tg = &st->p->targets[pr->target];
	const struct check_if *sif, *tif;

	sif = where_if(st, pr->from, pr->src_if);
	tif = where_if(st, (size_t)tg->node, tg->ifname[pr->addr]);
	if (!sif->index || !tif->index) {
		st->uncovered[i] = true;
		return;
	}
	st->pent[i][0] = (uint32_t)ent_ref(st, pr->from, sif->index,
					   &tg->addr[pr->addr], tif->mac);
	st->pent[i][1] = (uint32_t)ent_ref(st, (size_t)tg->node, tif->index,
					   &pr->src_addr, sif->mac);
}

/*
 * Routed probes leave through a gateway (the address of a network's bridge
 * in the host) and come back through it: each node gets an entry for the
 * gateways of its networks, the host one for each node's address on each
 * bridge. O(nodes) entries, made once for the whole run.
 */
static void check_pin_routed(struct check_state *st)
{
	const struct topo *t = st->t;
	size_t n, a, host = st->p->n_nodes;
	int f;

	for (n = 0; n < t->n_nodes; n++)
		for (a = 0; a < t->nodes[n].n_att; a++) {
			const struct topo_attach *att = &t->nodes[n].att[a];
			const struct topo_net *net = &t->nets[att->net];
			const struct check_if *nif = NULL, *bif = NULL;

			for (f = 0; f < 2; f++) {
				struct ipaddr gw = net->gateway[f], me = att->addr[f];

				if (!gw.family || !me.family)
					continue;
				if (!nif) {
					nif = where_if(st, n, att->ifname);
					bif = where_if(st, host, net->bridge);
				}
				if (!nif->index || !bif->index)
					continue;
				gw.prefix = me.prefix = -1;
				ent_ref(st, n, nif->index, &gw, bif->mac);
				ent_ref(st, host, bif->index, &me, nif->mac);
			}
		}
	check_flush(st);
}

/* Whether a routed probe from node `from` can count on its entries. */
static bool routed_covered(const struct check_state *st, const struct check_probe *pr)
{
	const struct topo *t = st->t;

	/* A route through another node asks that node's kernel to resolve. */
	if (!st->pinned_ok || t->nodes[pr->from].n_routes)
		return false;
	return st->p->targets[pr->target].node < 0 ||
	       !t->nodes[st->p->targets[pr->target].node].n_routes;
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
		ent_unref(st, st->pent[i][0]);
		ent_unref(st, st->pent[i][1]);
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

/* Start the next probes of the start order: their entries first, in one
 * batch per namespace, then their first packets. */
static void check_start(struct check_state *st, double now)
{
	size_t started[CHECK_BURST], n = 0, k;

	while (st->cursor < st->p->n_probes && n < CHECK_BURST) {
		size_t i = st->order[st->cursor];
		const struct check_probe *pr = &st->p->probes[i];

		if (check_probe_pair(st->p, pr)) {
			if (st->pair_inflight >= CHECK_WINDOW)
				break;
			st->pair_inflight++;
			probe_entries(st, i);
		} else if (!routed_covered(st, pr)) {
			st->uncovered[i] = true;
		}
		started[n++] = i;
		st->cursor++;
	}
	if (!n)
		return;
	check_flush(st);
	/* Now the entries' fates are known: a probe whose entry could not
	 * be made goes out all the same, through ARP/NDP. */
	for (k = 0; k < n; k++) {
		size_t i = started[k], j;

		for (j = 0; j < 2 && st->pent[i][0] != UINT32_MAX; j++) {
			const struct check_entry *en = &st->ent[st->pent[i][j]];

			if (en->state == ENT_FAILED) {
				st->neigh_err[i] = en->error;
				st->uncovered[i] = true;
			}
		}
		probe_first(st, i, now);
	}
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

/* Entries an earlier check left (it was killed before it could delete
 * them): permanent, marked as nsnet's. A permanent entry outlives a MAC
 * that changes when `up` repairs a node, so they go. */
struct check_purge {
	struct check_state *st;
	size_t where;
};

static int check_purge_cb(const struct nl_neigh *nb, void *data)
{
	struct check_purge *c = data;
	struct check_where *cw = &c->st->where[c->where];
	size_t i;

	if (nb->protocol != RTPROT_NSNET || !(nb->state & NUD_PERMANENT))
		return 0;
	/* In the host: only on this topology's bridges. */
	if (c->where == c->st->p->n_nodes) {
		for (i = 0; i < c->st->t->n_nets; i++)
			if (where_if(c->st, c->where, c->st->t->nets[i].bridge)->index ==
			    nb->index)
				break;
		if (i == c->st->t->n_nets)
			return 0;
	}
	ARRAY_GROW(cw->del, cw->n_del);
	cw->del[cw->n_del++] = (struct check_del){ nb->index, nb->ip };
	where_dirty(c->st, c->where);
	return 0;
}

static void check_purge_restart(void *data)
{
	struct check_purge *c = data;

	c->st->where[c->where].n_del = 0;
}

static void check_purge(struct check_state *st, size_t w)
{
	struct check_purge c = { st, w };
	struct ns *ns;

	if (!ns_get(st->nn, where_name(st, w), &ns))
		neigh_dump(st->nn, ns, AF_UNSPEC, check_purge_cb, &c,
			   check_purge_restart);
	err_clear(st->nn);
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

/* Every node's sockets, and the namespace's leftovers purged. */
static int check_open(struct check_state *st)
{
	const struct topo *t = st->t;
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
		check_purge(st, i);
	}
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
	ent_rehash(&st);
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
	/* per node: its namespace, its netlink socket, two ICMP sockets */
	if ((rc = check_fd_room(nn, need + 4 * p->n_nodes + 4)))
		goto out;
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
		if (st.cursor < p->n_probes && st.pair_inflight < CHECK_WINDOW)
			wait = 0;
		else
			wait = next > now ? (int)(next - now) + 1 : 0;
		if (wait > 100)
			wait = 100;
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
			ent_unref(&st, i);
	check_flush(&st);
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
