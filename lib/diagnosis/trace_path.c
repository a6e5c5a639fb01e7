// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * trace_path.c - what nsnet trace makes of the frames it collected: which
 * are copies of the probe and which of its answer (see trace.c for how
 * each protocol is matched through NAT), in what order they were seen,
 * the rewrites between consecutive copies, ARP requests nobody answered,
 * and the verdict: where the request and the reply were last seen.
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

static int trace_frame_cmp(const void *a, const void *b)
{
	const struct trace_frame *x = a, *y = b;

	if (x->place != y->place)
		return x->place < y->place ? -1 : 1;
	if (x->ts.tv_sec != y->ts.tv_sec)
		return x->ts.tv_sec < y->ts.tv_sec ? -1 : 1;
	if (x->ts.tv_nsec != y->ts.tv_nsec)
		return x->ts.tv_nsec < y->ts.tv_nsec ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

void trace_classify(struct trace *t)
{
	size_t i;

	for (i = 0; i < t->n_frames; i++)
		pkt_decode(t->frames[i].data, t->frames[i].caplen,
			   t->frames[i].eth, t->frames[i].protocol,
			   &t->frames[i].p);
	/* Decoded pointers point into each frame's own data: sorting moves
	 * the frames, so decode again after. */
	if (t->n_frames)
		qsort(t->frames, t->n_frames, sizeof(*t->frames), trace_frame_cmp);
	for (i = 0; i < t->n_frames; i++)
		pkt_decode(t->frames[i].data, t->frames[i].caplen,
			   t->frames[i].eth, t->frames[i].protocol,
			   &t->frames[i].p);
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
	/* A copy leaving a namespace often carries no kernel timestamp (it
	 * gets the time it was read, later than the next hop's), so order by
	 * what is certain: the probe starts in ns and its reply ends there. */
	for (i = 0; i < t->n_frames; i++) {
		struct trace_frame *fr = &t->frames[i];
		bool origin = fr->sniffer == t->origin;

		fr->place = origin && fr->out && fr->role == TRACE_REQUEST ? 0 :
			    origin && !fr->out && fr->role == TRACE_REPLY ? 2 : 1;
	}
	qsort(t->frames, t->n_frames, sizeof(*t->frames), trace_frame_cmp);
	for (i = 0; i < t->n_frames; i++)
		pkt_decode(t->frames[i].data, t->frames[i].caplen,
			   t->frames[i].eth, t->frames[i].protocol,
			   &t->frames[i].p);
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

/* Address and port rewrites between consecutive copies. */
static void trace_nat(struct trace *t, const struct trace_frame *a,
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

/* ARP requests nobody answered while the probe was out: a next hop that
 * is missing (or has lost its address). */
static json_t *trace_arp_unanswered(struct trace *t, struct trace_names *names)
{
	json_t *arr = json_array();
	char who[16], tell[16];
	size_t i, j;

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
		for (j = 0; j < i && !dup; j++) {
			const struct pkt *r = &t->frames[j].p;

			dup = r->kind == PKT_ARP && r->arp_op == 1 &&
			      !memcmp(r->arp_spa, p->arp_spa, 4) &&
			      !memcmp(r->arp_tpa, p->arp_tpa, 4);
		}
		if (answered || dup)
			continue;
		inet_ntop(AF_INET, p->arp_tpa, who, sizeof(who));
		inet_ntop(AF_INET, p->arp_spa, tell, sizeof(tell));
		json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s}",
			"ns", t->sniffers[t->frames[i].sniffer].ns,
			"if", trace_ifname(t, names, &t->frames[i]),
			"who_has", who, "tell", tell));
	}
	return arr;
}

int trace_report(struct trace *t, json_t **out)
{
	static const char *const protos[] = { "icmp", "tcp", "udp" };
	struct trace_names *names = calloc(1, sizeof(*names));
	json_t *doc, *req = json_array(), *rep = json_array(), *nat = json_array();
	json_t *arp, *last = NULL, *j;
	const struct trace_frame *prev_req = NULL, *prev_rep = NULL;
	const struct trace_frame *last_req = NULL, *last_rep = NULL;
	char verdict[512];
	size_t i;

	if (!names)
		abort();
	for (i = 0; i < t->n_frames; i++) {
		const struct trace_frame *fr = &t->frames[i];

		if (fr->role == TRACE_REQUEST) {
			json_array_append_new(req, trace_sighting(t, names, fr));
			if (prev_req)
				trace_nat(t, prev_req, fr, "request", nat);
			prev_req = last_req = fr;
		} else if (fr->role == TRACE_REPLY) {
			json_array_append_new(rep, trace_sighting(t, names, fr));
			/* An ICMP error's addresses are a router's, not a
			 * rewrite of the probe's. */
			if (prev_rep && prev_rep->p.has_inner == fr->p.has_inner)
				trace_nat(t, prev_rep, fr, "reply", nat);
			prev_rep = fr;
			if (!fr->p.has_inner || t->reply_received)
				last_rep = fr;
		}
	}
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
