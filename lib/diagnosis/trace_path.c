// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * trace_path.c - what nsnet trace makes of the frames it collected: which
 * are copies of the probe and which of its answer (see trace.c for how
 * each protocol is matched through NAT), in what order they passed
 * along the path, the rewrites inside each namespace, ARP requests
 * nobody answered, and the verdict: where the request and the reply were
 * last seen.
 */
#include <net/if.h> /* before any linux/ header: see topology.h */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/icmp6.h>
#include <linux/icmp.h>
#include <jansson.h>

#include "diagnosis/trace.h"

/* ---- matching ------------------------------------------------------------------- */

static bool trace_is_icmp(const struct pkt_l4 *l)
{
	return l->l4_ok && ((l->family == AF_INET && l->proto == IPPROTO_ICMP) ||
			    (l->family == AF_INET6 && l->proto == IPPROTO_ICMPV6));
}

static bool trace_is_echo(const struct pkt_l4 *l, bool request)
{
	if (!trace_is_icmp(l))
		return false;
	if (l->family == AF_INET)
		return l->icmp_type == (request ? ICMP_ECHO : ICMP_ECHOREPLY);
	return l->icmp_type == (request ? ICMP6_ECHO_REQUEST : ICMP6_ECHO_REPLY);
}

static bool trace_same_addr(const uint8_t *a, const uint8_t *b, int family)
{
	return !memcmp(a, b, family == AF_INET ? 4 : 16);
}

/* l is the TCP SYN or UDP datagram of the probe (or a packet quoting it
 * inside an ICMP error, possibly cut short). */
static bool trace_is_request(const struct trace *t, const struct pkt_l4 *l)
{
	if (!l->l4_ok || l->family != t->dest.family)
		return false;
	switch (t->proto) {
	case NSNET_TRACE_TCP:
		return l->proto == IPPROTO_TCP && t->isn_known &&
		       l->seq == t->isn && (l->tcp_flags & PKT_TCP_SYN ||
					    !l->tcp_flags);
	case NSNET_TRACE_UDP:
		return l->proto == IPPROTO_UDP &&
		       pkt_payload_has(l, t->marker, TRACE_MARKER_LEN);
	default:
		return trace_is_echo(l, true) &&
		       (pkt_payload_has(l, t->marker, TRACE_MARKER_LEN) ||
			(!l->payload_len && l->icmp_id == t->icmp_id));
	}
}

/* A UDP answer is the reverse of one of the request's copies. */
static bool trace_reverses_request(const struct trace *t,
				   const struct trace_frame *fr)
{
	const struct pkt_l4 *l = &fr->p.ip, *q;
	size_t i;

	for (i = 0; i < t->n_frames; i++) {
		if (t->frames[i].role != TRACE_REQUEST ||
		    t->frames[i].sniffer != fr->sniffer)
			continue;
		q = &t->frames[i].p.ip;
		if (q->sport == l->dport && q->dport == l->sport &&
		    trace_same_addr(q->src, l->dst, l->family) &&
		    trace_same_addr(q->dst, l->src, l->family))
			return true;
	}
	return false;
}

static bool trace_is_reply(const struct trace *t, const struct trace_frame *fr)
{
	const struct pkt *p = &fr->p;
	const struct pkt_l4 *l = &p->ip;

	if (p->kind != PKT_IP || !l->l4_ok || l->family != t->dest.family)
		return false;
	if (p->has_inner && trace_is_request(t, &p->inner))
		return true;
	switch (t->proto) {
	case NSNET_TRACE_TCP:
		return l->proto == IPPROTO_TCP && t->isn_known &&
		       l->tcp_flags & PKT_TCP_ACK &&
		       l->tcp_flags & (PKT_TCP_SYN | PKT_TCP_RST) &&
		       l->ack == t->isn + 1;
	case NSNET_TRACE_UDP:
		return l->proto == IPPROTO_UDP && trace_reverses_request(t, fr);
	default:
		return trace_is_echo(l, false) &&
		       pkt_payload_has(l, t->marker, TRACE_MARKER_LEN);
	}
}

/* ---- path order ------------------------------------------------------------------ */

/*
 * The copies are put in path order from facts, not from their times: a
 * copy a namespace sends often carries no kernel timestamp and gets the
 * time it was read, later than the next hop's (and when the kernel turns
 * timestamps on late, none has one). The facts:
 *
 *  - One packet socket per namespace, on all its interfaces: its queue
 *    holds the copies in the order the kernel passed them there.
 *  - In one namespace a packet's copies form a visit: it enters (in: the
 *    port, then the bridge above it) and leaves (out: the bridge, then the
 *    port). An in after an out, or a second copy on the same interface and
 *    direction, is a new visit.
 *  - A wire rewrites nothing: the copy leaving one namespace and the copy
 *    entering the next are equal, TTL and IP id included.
 *  - The probe is born in ns (its first copy goes out there), the answer
 *    where its first copy goes out.
 *
 * A path is the longest chain of visits so linked from where the packet
 * was born. Times only break ties the facts leave open.
 */

#define TRACE_MAX_VISITS 256    /* per path; beyond, visits go by time */
#define TRACE_CHAIN_BUDGET 100000L

struct trace_visit {
	size_t sniffer;
	size_t first, last;         /* frames (arrival order) */
	bool starts_out, taken;
};

static bool trace_ts_before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec != b->tv_sec ? a->tv_sec < b->tv_sec :
					a->tv_nsec < b->tv_nsec;
}

/* Two copies of one packet on the two ends of a wire. */
static bool trace_same_copy(const struct pkt *a, const struct pkt *b)
{
	const struct pkt_l4 *x = &a->ip, *y = &b->ip;

	if (a->kind != PKT_IP || b->kind != PKT_IP || x->family != y->family ||
	    x->proto != y->proto || x->ttl != y->ttl || x->ip_id != y->ip_id ||
	    x->ip_len != y->ip_len || !trace_same_addr(x->src, y->src, x->family) ||
	    !trace_same_addr(x->dst, y->dst, x->family) ||
	    x->sport != y->sport || x->dport != y->dport || x->seq != y->seq ||
	    x->ack != y->ack || x->tcp_flags != y->tcp_flags ||
	    x->icmp_type != y->icmp_type || x->icmp_code != y->icmp_code ||
	    x->icmp_id != y->icmp_id || x->icmp_seq != y->icmp_seq ||
	    a->has_inner != b->has_inner)
		return false;
	x = &a->inner;
	y = &b->inner;
	return !a->has_inner ||
	       (x->family == y->family && x->proto == y->proto &&
		trace_same_addr(x->src, y->src, x->family) &&
		trace_same_addr(x->dst, y->dst, x->family) &&
		x->sport == y->sport && x->dport == y->dport);
}

/* Whether frame i (of the visit starting at first) repeats an interface
 * and direction the visit has already: then it is another visit. */
static bool trace_visit_has(const struct trace *t, size_t first, size_t i)
{
	const struct trace_frame *f = &t->frames[i];
	size_t k;

	for (k = first; k != SIZE_MAX; k = t->frames[k].next)
		if (t->frames[k].ifindex == f->ifindex && t->frames[k].out == f->out)
			return true;
	return false;
}

/* The visits of role's copies, in arrival order; n_visits 0 with more
 * than TRACE_MAX_VISITS (the caller orders by time then). */
static size_t trace_visits(struct trace *t, int role, struct trace_visit *v)
{
	size_t *open = malloc(t->n_sniffers * sizeof(*open));
	size_t i, s, n = 0, prev;

	if (!open)
		abort();
	for (s = 0; s < t->n_sniffers; s++)
		open[s] = SIZE_MAX;
	for (i = 0; i < t->n_frames; i++) {
		struct trace_frame *fr = &t->frames[i];

		if (fr->role != role)
			continue;
		s = fr->sniffer;
		prev = open[s] == SIZE_MAX ? SIZE_MAX : v[open[s]].last;
		if (prev == SIZE_MAX || (t->frames[prev].out && !fr->out) ||
		    trace_visit_has(t, v[open[s]].first, i)) {
			if (n == TRACE_MAX_VISITS) {
				n = 0;
				break;
			}
			v[n] = (struct trace_visit){ .sniffer = s, .first = i,
						     .last = i,
						     .starts_out = fr->out };
			open[s] = n++;
		} else {
			t->frames[prev].next = i;
			v[open[s]].last = i;
		}
		fr->visit = open[s];
	}
	free(open);
	return n;
}

struct trace_chain {
	struct trace_visit *v;
	size_t n;
	const bool *link;           /* link[a * n + b]: b can follow a */
	const size_t *by_time;      /* visits by the time of their first copy */
	size_t *path, *best, best_len;
	bool *on_path;
	long budget;
};

/* Depth first, the earliest candidate first: the longest chain wins, and
 * of chains as long the first found, the one times agree with. */
static void trace_chain_walk(struct trace_chain *c, size_t at, size_t depth)
{
	size_t k, w;

	c->path[depth] = at;
	c->on_path[at] = true;
	if (depth + 1 > c->best_len) {
		c->best_len = depth + 1;
		memcpy(c->best, c->path, c->best_len * sizeof(*c->best));
	}
	for (k = 0; k < c->n && c->budget > 0 && c->best_len < c->n; k++) {
		w = c->by_time[k];
		if (c->on_path[w] || c->v[w].taken || !c->link[at * c->n + w])
			continue;
		c->budget--;
		trace_chain_walk(c, w, depth + 1);
	}
	c->on_path[at] = false;
}

/* How likely visit w starts a path: 0 the probe leaving ns, 1 any copy
 * born in its namespace, 2 nothing seen before it, 3 the rest. */
static int trace_start_class(const struct trace *t, const struct trace_chain *c,
			     int role, size_t w)
{
	size_t u;

	if (c->v[w].starts_out)
		return role == TRACE_REQUEST && c->v[w].sniffer == t->origin ? 0 : 1;
	for (u = 0; u < c->n; u++)
		if (u != w && !c->v[u].taken && c->link[u * c->n + w])
			return 3;
	return 2;
}

struct trace_first {
	struct timespec ts;
	size_t order, visit;
};

static int trace_first_cmp(const void *a, const void *b)
{
	const struct trace_first *x = a, *y = b;

	if (trace_ts_before(&x->ts, &y->ts))
		return -1;
	if (trace_ts_before(&y->ts, &x->ts))
		return 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* Give every copy of role its visit's rank on the path. */
static void trace_order_role(struct trace *t, int role)
{
	struct trace_visit *v = calloc(TRACE_MAX_VISITS, sizeof(*v));
	struct trace_chain c = { .v = v };
	struct trace_first *firsts;
	size_t *by_time, i, k, w, rank = 0;
	bool *link;
	int best, cls;

	if (!v)
		abort();
	c.n = trace_visits(t, role, v);
	if (!c.n) {
		/* Too many to chain: each copy its own place, by time. */
		for (i = 0; i < t->n_frames; i++)
			if (t->frames[i].role == role) {
				t->frames[i].visit = SIZE_MAX;
				t->frames[i].rank = SIZE_MAX;
			}
		free(v);
		return;
	}
	link = calloc(c.n * c.n, sizeof(*link));
	firsts = calloc(c.n, sizeof(*firsts));
	by_time = calloc(c.n, sizeof(*by_time));
	c.path = calloc(c.n, sizeof(*c.path));
	c.best = calloc(c.n, sizeof(*c.best));
	c.on_path = calloc(c.n, sizeof(*c.on_path));
	if (!link || !firsts || !by_time || !c.path || !c.best || !c.on_path)
		abort();
	for (i = 0; i < c.n; i++)
		for (w = 0; w < c.n; w++) {
			const struct trace_frame *a = &t->frames[v[i].last];
			const struct trace_frame *b = &t->frames[v[w].first];

			/* Out of one, into the next; in one namespace only
			 * forward in its queue. */
			link[i * c.n + w] = i != w && a->out && !b->out &&
					    (v[i].sniffer != v[w].sniffer ||
					     v[w].first > v[i].last) &&
					    trace_same_copy(&a->p, &b->p);
		}
	for (i = 0; i < c.n; i++)
		firsts[i] = (struct trace_first){ t->frames[v[i].first].ts,
						  t->frames[v[i].first].order, i };
	qsort(firsts, c.n, sizeof(*firsts), trace_first_cmp);
	for (k = 0; k < c.n; k++)
		by_time[k] = firsts[k].visit;
	c.link = link;
	c.by_time = by_time;
	for (;;) {
		w = SIZE_MAX;
		best = 4;
		for (k = 0; k < c.n; k++)
			if (!v[by_time[k]].taken &&
			    (cls = trace_start_class(t, &c, role, by_time[k])) < best) {
				best = cls;
				w = by_time[k];
			}
		if (w == SIZE_MAX)
			break;
		c.best_len = 0;
		c.budget = TRACE_CHAIN_BUDGET;
		trace_chain_walk(&c, w, 0);
		for (k = 0; k < c.best_len; k++)
			v[c.best[k]].taken = true;
		for (k = 0; k < c.best_len; k++)
			for (i = v[c.best[k]].first; i != SIZE_MAX; i = t->frames[i].next)
				t->frames[i].rank = rank + k;
		rank += c.best_len;
	}
	free(link);
	free(firsts);
	free(by_time);
	free(c.path);
	free(c.best);
	free(c.on_path);
	free(v);
}

static int trace_group(const struct trace_frame *f)
{
	return f->role == TRACE_REQUEST ? 0 : f->role == TRACE_REPLY ? 1 : 2;
}

/* The request's path, then the reply's, then the rest (ARP) by time. */
static int trace_frame_cmp(const void *a, const void *b)
{
	const struct trace_frame *x = a, *y = b;

	if (trace_group(x) != trace_group(y))
		return trace_group(x) < trace_group(y) ? -1 : 1;
	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	if (x->rank == SIZE_MAX || !x->role) {
		if (trace_ts_before(&x->ts, &y->ts))
			return -1;
		if (trace_ts_before(&y->ts, &x->ts))
			return 1;
	}
	return x->order < y->order ? -1 : x->order > y->order;
}

void trace_classify(struct trace *t)
{
	struct trace_frame *prev = NULL;
	size_t i;

	for (i = 0; i < t->n_frames; i++) {
		struct trace_frame *fr = &t->frames[i];

		pkt_decode(fr->data, fr->caplen, fr->eth, fr->protocol, &fr->p);
		fr->visit = fr->next = fr->rank = SIZE_MAX;
	}
	if (t->proto == NSNET_TRACE_TCP)
		for (i = 0; i < t->n_frames && !t->isn_known; i++) {
			const struct pkt_l4 *l = &t->frames[i].p.ip;

			if (t->frames[i].sniffer == t->origin && t->frames[i].out &&
			    l->l4_ok && l->proto == IPPROTO_TCP &&
			    l->family == t->dest.family &&
			    l->tcp_flags == PKT_TCP_SYN &&
			    l->sport == t->local_port && l->dport == t->port &&
			    trace_same_addr(l->dst, t->dest.a.b, l->family)) {
				t->isn = l->seq;
				t->isn_known = true;
			}
		}
	for (i = 0; i < t->n_frames; i++)
		if (t->frames[i].p.kind == PKT_IP &&
		    !t->frames[i].p.has_inner &&
		    trace_is_request(t, &t->frames[i].p.ip))
			t->frames[i].role = TRACE_REQUEST;
	for (i = 0; i < t->n_frames; i++)
		if (!t->frames[i].role && trace_is_reply(t, &t->frames[i]))
			t->frames[i].role = TRACE_REPLY;
	/* Still in arrival order here, which trace_visits needs. */
	trace_order_role(t, TRACE_REQUEST);
	trace_order_role(t, TRACE_REPLY);
	if (t->n_frames)  /* none captured: frames is NULL, which qsort may not get */
		qsort(t->frames, t->n_frames, sizeof(*t->frames), trace_frame_cmp);
	/* Decoded pointers point into each frame's own data: sorting moved
	 * the frames. */
	for (i = 0; i < t->n_frames; i++)
		pkt_decode(t->frames[i].data, t->frames[i].caplen,
			   t->frames[i].eth, t->frames[i].protocol,
			   &t->frames[i].p);
	/* A copy stamped when it was read shows a time later than the copies
	 * after it on the path: what is certain is that it passed before the
	 * next one. The request comes before its answer. */
	for (i = t->n_frames; i-- > 0;) {
		struct trace_frame *fr = &t->frames[i];

		if (!fr->role)
			continue;
		if (prev && trace_ts_before(&prev->ts, &fr->ts))
			fr->ts = prev->ts;
		prev = fr;
	}
}

/* ---- the report ----------------------------------------------------------------- */

struct trace_names {
	size_t sniffer[128];
	int index[128];
	char name[128][16];
	size_t n;
};

static const char *trace_ifname(struct trace *t, struct trace_names *c,
				const struct trace_frame *fr)
{
	struct ns *ns = NULL;
	size_t i;

	for (i = 0; i < c->n; i++)
		if (c->sniffer[i] == fr->sniffer && c->index[i] == fr->ifindex)
			return c->name[i];
	i = c->n < ARRAY_SIZE(c->index) ? c->n++ : ARRAY_SIZE(c->index) - 1;
	c->sniffer[i] = fr->sniffer;
	c->index[i] = fr->ifindex;
	if (ns_get(t->nn, t->sniffers[fr->sniffer].ns, &ns))
		ns = NULL;
	capture_ifname(t->nn, ns, fr->ifindex, c->name[i], sizeof(c->name[i]));
	return c->name[i];
}

static json_t *trace_sighting(struct trace *t, struct trace_names *names,
			      const struct trace_frame *fr)
{
	char src[PKT_ADDR_MAX], dst[PKT_ADDR_MAX], what[256];
	long long us = (long long)(fr->ts.tv_sec - t->t0.tv_sec) * 1000000 +
		       (fr->ts.tv_nsec - t->t0.tv_nsec) / 1000;

	pkt_addr_str(&fr->p.ip, false, src, sizeof(src));
	pkt_addr_str(&fr->p.ip, true, dst, sizeof(dst));
	pkt_what(&fr->p, what, sizeof(what));
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:s}",
			 "ns", t->sniffers[fr->sniffer].ns,
			 "if", trace_ifname(t, names, fr),
			 "dir", fr->out ? "out" : "in", "src", src, "dst", dst,
			 "time_us", (json_int_t)us, "what", what);
}

static void trace_nat_add(json_t *nat, const char *path, const char *ns,
			  const char *field, const char *from, const char *to)
{
	size_t i;
	json_t *e;

	json_array_foreach(nat, i, e)
		if (!strcmp(json_string_value(json_object_get(e, "path")), path) &&
		    !strcmp(json_string_value(json_object_get(e, "field")), field) &&
		    !strcmp(json_string_value(json_object_get(e, "from")), from) &&
		    !strcmp(json_string_value(json_object_get(e, "to")), to))
			return;
	json_array_append_new(nat, json_pack("{s:s, s:s, s:s, s:s, s:s}",
					     "path", path, "ns", ns, "field", field,
					     "from", from, "to", to));
}

/* Address and port rewrites between two copies of one visit. */
static void trace_nat(const struct trace *t, const struct trace_frame *a,
		      const struct trace_frame *b, const char *path, json_t *nat)
{
	const struct pkt_l4 *x = &a->p.ip, *y = &b->p.ip;
	const char *ns = t->sniffers[b->sniffer].ns;
	char f[PKT_ADDR_MAX], g[PKT_ADDR_MAX];

	if (x->family != y->family)
		return;
	if (!trace_same_addr(x->src, y->src, x->family))
		trace_nat_add(nat, path, ns, "source",
			      pkt_addr_str(x, false, f, sizeof(f)),
			      pkt_addr_str(y, false, g, sizeof(g)));
	if (!trace_same_addr(x->dst, y->dst, x->family))
		trace_nat_add(nat, path, ns, "destination",
			      pkt_addr_str(x, true, f, sizeof(f)),
			      pkt_addr_str(y, true, g, sizeof(g)));
	if (x->proto != y->proto ||
	    (x->proto != IPPROTO_TCP && x->proto != IPPROTO_UDP))
		return;
	if (x->sport != y->sport) {
		snprintf(f, sizeof(f), "%u", x->sport);
		snprintf(g, sizeof(g), "%u", y->sport);
		trace_nat_add(nat, path, ns, "source port", f, g);
	}
	if (x->dport != y->dport) {
		snprintf(f, sizeof(f), "%u", x->dport);
		snprintf(g, sizeof(g), "%u", y->dport);
		trace_nat_add(nat, path, ns, "destination port", f, g);
	}
}

static bool trace_same_visit(const struct trace_frame *a,
			     const struct trace_frame *b)
{
	return a->visit != SIZE_MAX && a->visit == b->visit &&
	       a->sniffer == b->sniffer;
}

/* The probe's first copy leaving ns against what was sent: a rewrite on
 * the way out of ns itself (a DNAT rule in its output hook). */
static void trace_nat_origin(const struct trace *t, const struct trace_frame *fr,
			     json_t *nat)
{
	const struct pkt_l4 *l = &fr->p.ip;
	char f[PKT_ADDR_MAX], g[PKT_ADDR_MAX];

	if (fr->sniffer != t->origin || !fr->out || l->family != t->dest.family)
		return;
	if (!trace_same_addr(l->dst, t->dest.a.b, l->family)) {
		inet_ntop(l->family, t->dest.a.b, f, sizeof(f));
		trace_nat_add(nat, "request", t->ns, "destination", f,
			      pkt_addr_str(l, true, g, sizeof(g)));
	}
	if (t->proto != NSNET_TRACE_ICMP && l->dport != t->port) {
		snprintf(f, sizeof(f), "%u", t->port);
		snprintf(g, sizeof(g), "%u", l->dport);
		trace_nat_add(nat, "request", t->ns, "destination port", f, g);
	}
}

json_t *trace_rewrites(const struct trace *t)
{
	const struct trace_frame *prev_req = NULL, *prev_rep = NULL;
	json_t *nat = json_array();
	size_t i;

	/* A rewrite is a copy leaving a namespace that differs from the copy
	 * that entered it: copies of one visit are compared, never the two
	 * ends of a wire (which rewrites nothing). */
	for (i = 0; i < t->n_frames; i++) {
		const struct trace_frame *fr = &t->frames[i];

		if (fr->role == TRACE_REQUEST) {
			if (!prev_req)
				trace_nat_origin(t, fr, nat);
			else if (trace_same_visit(prev_req, fr))
				trace_nat(t, prev_req, fr, "request", nat);
			prev_req = fr;
		} else if (fr->role == TRACE_REPLY) {
			/* An ICMP error's addresses are a router's, not a
			 * rewrite of the probe's. */
			if (prev_rep && trace_same_visit(prev_rep, fr) &&
			    prev_rep->p.has_inner == fr->p.has_inner)
				trace_nat(t, prev_rep, fr, "reply", nat);
			prev_rep = fr;
		}
	}
	return nat;
}

/* ARP requests nobody answered while the probe was out: a next hop that
 * is missing (or has lost its address). */
static bool trace_same_arp_request(const struct pkt *p, const struct pkt *r)
{
	return r->kind == PKT_ARP && r->arp_op == 1 &&
	       !memcmp(r->arp_spa, p->arp_spa, 4) &&
	       !memcmp(r->arp_tpa, p->arp_tpa, 4);
}

/* Whether frame i is an ARP request where it was sent: a copy going out
 * of a namespace that had not seen it come in (a bridge floods the
 * requests it received out of its other ports). Its copy leaving the
 * sender is often stamped late, so this, not the time, says which one. */
static bool trace_arp_born_here(const struct trace *t, size_t i)
{
	const struct trace_frame *f = &t->frames[i];
	size_t k;

	if (!f->out)
		return false;
	for (k = 0; k < t->n_frames; k++)
		if (t->frames[k].sniffer == f->sniffer && !t->frames[k].out &&
		    t->frames[k].order < f->order &&
		    trace_same_arp_request(&f->p, &t->frames[k].p))
			return false;
	return true;
}

static json_t *trace_arp_unanswered(struct trace *t, struct trace_names *names)
{
	json_t *arr = json_array();
	char who[16], tell[16];
	size_t i, j, at;

	for (i = 0; i < t->n_frames; i++) {
		const struct pkt *p = &t->frames[i].p;
		bool answered = false, dup = false;

		if (p->kind != PKT_ARP || p->arp_op != 1)
			continue;
		for (j = 0; j < t->n_frames && !answered; j++) {
			const struct pkt *r = &t->frames[j].p;

			answered = r->kind == PKT_ARP && r->arp_op == 2 &&
				   !memcmp(r->arp_spa, p->arp_tpa, 4);
		}
		for (j = 0; j < i && !dup; j++)
			dup = trace_same_arp_request(p, &t->frames[j].p);
		if (answered || dup)
			continue;
		/* Each request once, named where it was sent. */
		for (at = i; at < t->n_frames; at++)
			if (trace_same_arp_request(p, &t->frames[at].p) &&
			    trace_arp_born_here(t, at))
				break;
		if (at == t->n_frames)
			at = i;
		inet_ntop(AF_INET, p->arp_tpa, who, sizeof(who));
		inet_ntop(AF_INET, p->arp_spa, tell, sizeof(tell));
		json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s}",
			"ns", t->sniffers[t->frames[at].sniffer].ns,
			"if", trace_ifname(t, names, &t->frames[at]),
			"who_has", who, "tell", tell));
	}
	return arr;
}

int trace_report(struct trace *t, json_t **out)
{
	static const char *const protos[] = { "icmp", "tcp", "udp" };
	struct trace_names *names = calloc(1, sizeof(*names));
	json_t *doc, *req = json_array(), *rep = json_array(), *nat;
	json_t *arp, *last = NULL, *j;
	const struct trace_frame *last_req = NULL, *last_rep = NULL;
	char verdict[512];
	size_t i;

	if (!names)
		abort();
	for (i = 0; i < t->n_frames; i++) {
		const struct trace_frame *fr = &t->frames[i];

		if (fr->role == TRACE_REQUEST) {
			json_array_append_new(req, trace_sighting(t, names, fr));
			last_req = fr;
		} else if (fr->role == TRACE_REPLY) {
			json_array_append_new(rep, trace_sighting(t, names, fr));
			if (!fr->p.has_inner || t->reply_received)
				last_rep = fr;
		}
	}
	nat = trace_rewrites(t);
	arp = trace_arp_unanswered(t, names);
	if (last_rep || last_req) {
		const struct trace_frame *fr = last_rep ? last_rep : last_req;

		last = json_pack("{s:s, s:s, s:s}", "ns", t->sniffers[fr->sniffer].ns,
				 "if", trace_ifname(t, names, fr),
				 "dir", fr->out ? "out" : "in");
	}

	if (t->reply_received) {
		snprintf(verdict, sizeof(verdict), "reply back at %s%s%s: %s",
			 t->ns, last_rep && last_rep->sniffer == t->origin ? " " : "",
			 last_rep && last_rep->sniffer == t->origin ?
				 trace_ifname(t, names, last_rep) : "",
			 t->reply_note);
	} else {
		if (last_req)
			snprintf(verdict, sizeof(verdict),
				 "request last seen: %s %s (%s)",
				 t->sniffers[last_req->sniffer].ns,
				 trace_ifname(t, names, last_req),
				 last_req->out ? "out" : "in");
		else
			snprintf(verdict, sizeof(verdict),
				 "the request never left %s", t->ns);
		if (last_rep)
			snprintf(verdict + strlen(verdict),
				 sizeof(verdict) - strlen(verdict),
				 "; reply last seen: %s %s (%s), not back at %s",
				 t->sniffers[last_rep->sniffer].ns,
				 trace_ifname(t, names, last_rep),
				 last_rep->out ? "out" : "in", t->ns);
		else if (last_req || t->icmp_error)
			snprintf(verdict + strlen(verdict),
				 sizeof(verdict) - strlen(verdict), "; no reply%s%s",
				 t->icmp_error ? ": " : "",
				 t->icmp_error ? t->reply_note : "");
	}
	/* Nothing on any wire, not even ARP: the kernel dropped the probe
	 * before a device had it (a full neighbour table, shared by every
	 * namespace, does that without a word to the sender). */
	if (!t->reply_received && !last_req && !t->icmp_error &&
	    !json_array_size(arp))
		snprintf(verdict + strlen(verdict), sizeof(verdict) - strlen(verdict),
			 " (not even an ARP request: is the kernel's neighbour table full? see dmesg)");
	/* Why a probe stays home: its next hop does not answer ARP. */
	if (!t->reply_received && json_array_size(arp)) {
		j = json_array_get(arp, 0);
		snprintf(verdict + strlen(verdict), sizeof(verdict) - strlen(verdict),
			 "; ARP who-has %s from %s %s got no answer",
			 json_string_value(json_object_get(j, "who_has")),
			 json_string_value(json_object_get(j, "ns")),
			 json_string_value(json_object_get(j, "if")));
	}
	doc = json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:b, s:o, s:o, s:o, s:o, s:s, s:b}",
			"ns", t->ns, "dest", t->dest_text, "proto", protos[t->proto],
			"port", t->port ? json_integer(t->port) : json_null(),
			"request", req, "reply", rep,
			"reply_received", t->reply_received,
			"icmp_error", t->icmp_error ? json_string(t->reply_note) :
						      json_null(),
			"last_seen", last ? last : json_null(), "nat", nat,
			"arp_unanswered", arp, "verdict", verdict,
			"truncated", t->frames_dropped);
	free(names);
	if (!doc)
		abort();
	*out = doc;
	if (t->reply_received)
		return 0;
	err_set(t->nn, 0, "trace %s -> %s: %s", t->ns, t->dest_text, verdict);
	t->nn->err_code = EHOSTUNREACH;
	return -EHOSTUNREACH;
}
