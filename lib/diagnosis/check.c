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

/* ---- the plan (pure) -------------------------------------------------------- */

static void target_add_addr(struct check_target *tg, const struct ipaddr *a,
			    int seg, const char *ifname)
{
	struct ipaddr ip = *a;
	size_t i;

	if (!ip.family || tg->n_addr == CHECK_ADDR_MAX)
		return;
	ip.prefix = -1;
	for (i = 0; i < tg->n_addr; i++)
		if (ip_equal(&tg->addr[i], &ip))
			return;
	tg->seg[tg->n_addr] = seg;
	snprintf(tg->ifname[tg->n_addr], IFNAMSIZ, "%s", ifname ? ifname : "");
	tg->addr[tg->n_addr++] = ip;
}

/* A node answers on every address the file gives it: its networks' and
 * its cable ends'. */
static void target_of_node(const struct topo *t, size_t n,
			   struct check_target *tg)
{
	const struct topo_node *nd = &t->nodes[n];
	size_t i;
	int f;

	tg->name = strdup(nd->name);
	tg->node = (ssize_t)n;
	for (i = 0; i < nd->n_att; i++)
		for (f = 0; f < 2; f++)
			target_add_addr(tg, &nd->att[i].addr[f], (int)nd->att[i].net,
					nd->att[i].ifname);
	for (i = 0; i < t->n_cables; i++) {
		int seg = (int)(t->n_nets + i);

		if (!strcmp(t->cables[i].a, nd->name))
			target_add_addr(tg, &t->cables[i].a_addr, seg, t->cables[i].a_if);
		if (!strcmp(t->cables[i].b, nd->name))
			target_add_addr(tg, &t->cables[i].b_addr, seg, t->cables[i].b_if);
	}
}

/* The target named name (a node or an address); added when new. */
static ssize_t target_find_or_add(const struct topo *t, struct check_plan *p,
				  const char *name)
{
	struct ipaddr ip;
	size_t i;

	for (i = 0; i < p->n_targets; i++)
		if (!strcmp(p->targets[i].name, name))
			return (ssize_t)i;
	if (ip_parse(name, &ip))
		return -1;
	ARRAY_GROW(p->targets, p->n_targets);
	p->targets[p->n_targets].name = strdup(name);
	p->targets[p->n_targets].node = -1;
	target_add_addr(&p->targets[p->n_targets], &ip, -1, NULL);
	return (ssize_t)p->n_targets++;
}

/* Whether the probe's source has an address of the same family on the
 * target address's segment (then no router is in between). */
static void probe_find_segment(const struct check_plan *p, struct check_probe *pr)
{
	const struct check_target *src = &p->targets[pr->from];
	const struct check_target *dst = &p->targets[pr->target];
	size_t k;

	if (dst->seg[pr->addr] < 0)
		return;
	for (k = 0; k < src->n_addr; k++)
		if (src->seg[k] == dst->seg[pr->addr] &&
		    src->addr[k].family == pr->family) {
			pr->local = true;
			memcpy(pr->src_if, src->ifname[k], IFNAMSIZ);
			pr->src_addr = src->addr[k];
			return;
		}
}

static size_t cell_find_or_add(struct check_plan *p, size_t from,
			       size_t target, int proto, uint16_t port)
{
	size_t i;

	for (i = 0; i < p->n_cells; i++)
		if (p->cells[i].from == from && p->cells[i].target == target &&
		    p->cells[i].proto == proto && p->cells[i].port == port)
			return i;
	ARRAY_GROW(p->cells, p->n_cells);
	p->cells[p->n_cells] = (struct check_cell){ .from = from,
		.target = target, .proto = proto, .port = port };
	return p->n_cells++;
}

int check_plan_build(struct nsnet *nn, const struct topo *t,
		     struct check_plan *p)
{
	size_t i, j, columns;

	memset(p, 0, sizeof(*p));
	p->n_nodes = t->n_nodes;
	p->targets = calloc(t->n_nodes ? t->n_nodes : 1, sizeof(*p->targets));
	if (!p->targets)
		abort();
	for (i = 0; i < t->n_nodes; i++)
		target_of_node(t, i, &p->targets[i]);
	p->n_targets = t->n_nodes;
	if (t->upstream)
		target_find_or_add(t, p, t->upstream);
	/* Addresses the expectations name are columns too. */
	for (i = 0; i < t->n_expects; i++)
		if (!topo_node_find(t, t->expects[i].to))
			target_find_or_add(t, p, t->expects[i].to);
	columns = p->n_targets;

	/* The matrix: ICMP from every node to every other column. The cells
	 * are made in order (from, target), so a cell's index is computed,
	 * not searched, when there are thousands. */
	for (i = 0; i < t->n_nodes; i++)
		for (j = 0; j < columns; j++) {
			if (i == j)
				continue;
			ARRAY_GROW(p->cells, p->n_cells);
			p->cells[p->n_cells++] = (struct check_cell){
				.from = i, .target = j };
		}

	p->expect_cell = calloc(t->n_expects ? t->n_expects : 1,
				sizeof(*p->expect_cell));
	if (!p->expect_cell)
		abort();
	for (i = 0; i < t->n_expects; i++) {
		const struct topo_expect *e = &t->expects[i];
		struct topo_node *from = topo_node_find(t, e->from);
		ssize_t tg = target_find_or_add(t, p, e->to);

		if (!from || tg < 0) {
			check_plan_free(p);
			return err_usage(nn, "%s:%d:%d: expectation \"%s\": %s is neither a node nor an IP address",
					 t->file ? t->file : t->name, e->pos.line,
					 e->pos.col, e->text, from ? e->to : e->from);
		}
		if ((size_t)tg == (size_t)(from - t->nodes)) {
			check_plan_free(p);
			return err_usage(nn, "%s:%d:%d: expectation \"%s\": a node and itself",
					 t->file ? t->file : t->name, e->pos.line,
					 e->pos.col, e->text);
		}
		/* ICMP cells of the matrix are found by position. */
		if (!e->proto && (size_t)tg < columns)
			p->expect_cell[i] = (size_t)(from - t->nodes) * (columns - 1) +
					    (size_t)tg - ((size_t)tg > (size_t)(from - t->nodes));
		else
			p->expect_cell[i] = cell_find_or_add(p, (size_t)(from - t->nodes),
							     (size_t)tg, e->proto,
							     (uint16_t)e->port);
	}

	for (i = 0; i < p->n_cells; i++) {
		const struct check_target *tg = &p->targets[p->cells[i].target];

		p->cells[i].probe0 = p->n_probes;
		p->cells[i].n_probes = tg->n_addr;
		for (j = 0; j < tg->n_addr; j++) {
			ARRAY_GROW(p->probes, p->n_probes);
			p->probes[p->n_probes] = (struct check_probe){
				.from = p->cells[i].from, .target = p->cells[i].target,
				.addr = j, .cell = i, .proto = p->cells[i].proto,
				.family = tg->addr[j].family, .port = p->cells[i].port };
			probe_find_segment(p, &p->probes[p->n_probes++]);
		}
	}
	return 0;
}

void check_plan_free(struct check_plan *p)
{
	size_t i;

	for (i = 0; i < p->n_targets; i++)
		free(p->targets[i].name);
	free(p->targets);
	free(p->probes);
	free(p->cells);
	free(p->expect_cell);
	memset(p, 0, sizeof(*p));
}

/* Which answer explains a cell best: a reply over a refusal over an ICMP
 * error over silence. */
static int result_rank(enum check_result r)
{
	switch (r) {
	case CHECK_REACH: return 4;
	case CHECK_REFUSED: return 3;
	case CHECK_UNREACH: return 2;
	case CHECK_TIMEOUT: return 1;
	default: return 0;
	}
}

void check_cells_update(struct check_plan *p)
{
	size_t i;

	for (i = 0; i < p->n_cells; i++) {
		p->cells[i].result = CHECK_PENDING;
		p->cells[i].why = NULL;
	}
	for (i = 0; i < p->n_probes; i++) {
		const struct check_probe *pr = &p->probes[i];
		struct check_cell *c = &p->cells[pr->cell];

		if (result_rank(pr->result) > result_rank(c->result) ||
		    (pr->result == CHECK_REACH && c->result == CHECK_REACH &&
		     pr->rtt_ms < c->rtt_ms)) {
			c->result = pr->result;
			c->rtt_ms = pr->rtt_ms;
			c->why = pr;
		}
	}
}

bool check_expect_met(const struct topo_expect *e, const struct check_cell *c)
{
	/* "blocked" means no connection: a refused port is blocked too. */
	return e->reach == (c->result == CHECK_REACH);
}

const char *check_result_name(enum check_result r)
{
	switch (r) {
	case CHECK_REACH: return "reach";
	case CHECK_REFUSED: return "refused";
	case CHECK_UNREACH: return "unreachable";
	case CHECK_TIMEOUT: return "no answer";
	default: return "no address";
	}
}

void check_cell_why(const struct check_plan *p, const struct check_cell *c,
		    char *buf, size_t len)
{
	const struct check_probe *w = c->why;
	char a[INET6_ADDRSTRLEN + 8];

	if (!w) {
		snprintf(buf, len, "the file gives it no address");
		return;
	}
	inet_ntop(w->family, p->targets[w->target].addr[w->addr].a.b, a,
		  INET6_ADDRSTRLEN);
	if (w->port)
		snprintf(a + strlen(a), sizeof(a) - strlen(a), ":%u", w->port);
	switch (c->result) {
	case CHECK_REACH:
		snprintf(buf, len, "%s %s in %.2f ms", a, c->proto == IPPROTO_TCP ?
			 "accepted the connection" : "answered", c->rtt_ms);
		break;
	case CHECK_REFUSED:
		snprintf(buf, len, "%s %s: nothing listens", a, c->proto == IPPROTO_TCP ?
			 "refused the connection" : "answered port unreachable");
		break;
	case CHECK_UNREACH:
		if (w->icmp_type)
			snprintf(buf, len, "%s: %s", a, ping_error_text(w->family,
				 w->icmp_type, w->icmp_code));
		else
			snprintf(buf, len, "%s: %s", a, strerror(w->error ? w->error :
								 EHOSTUNREACH));
		break;
	default:
		snprintf(buf, len, "no answer from %s in %.1f s", a, p->timeout_s);
		break;
	}
}

static json_t *cell_json(const struct check_plan *p, const struct check_cell *c)
{
	char why[128];
	json_t *o;

	check_cell_why(p, c, why, sizeof(why));
	o = json_pack("{s:s,s:s,s:s,s:s}", "from", p->targets[c->from].name,
		      "to", p->targets[c->target].name,
		      "proto", c->proto == IPPROTO_TCP ? "tcp" :
			       c->proto == IPPROTO_UDP ? "udp" : "icmp",
		      "result", check_result_name(c->result));
	if (c->port)
		json_object_set_new(o, "port", json_integer(c->port));
	json_object_set_new(o, "detail", json_string(why));
	if (c->why) {
		char a[INET6_ADDRSTRLEN];
		const struct ipaddr *ip = &p->targets[c->target].addr[c->why->addr];

		inet_ntop(ip->family, ip->a.b, a, sizeof(a));
		json_object_set_new(o, "address", json_string(a));
	}
	if (c->result == CHECK_REACH)
		json_object_set_new(o, "rtt_ms", json_real(c->rtt_ms));
	/* A node with several addresses: each one's own answer, so that a
	 * broken IPv6 path behind a working IPv4 one still shows. */
	if (c->n_probes > 1) {
		json_t *per = json_array();
		size_t k;

		for (k = c->probe0; k < c->probe0 + c->n_probes; k++) {
			const struct check_probe *pr = &p->probes[k];
			const struct ipaddr *ip = &p->targets[pr->target].addr[pr->addr];
			char a[INET6_ADDRSTRLEN];

			inet_ntop(ip->family, ip->a.b, a, sizeof(a));
			json_array_append_new(per, json_pack("{s:s,s:s}", "address", a,
				"result", check_result_name(pr->result)));
		}
		json_object_set_new(o, "addresses", per);
	}
	return o;
}

json_t *check_json(const struct topo *t, const struct check_plan *p,
		   double timeout_s, double elapsed_ms, size_t *broken)
{
	json_t *doc, *nodes = json_array(), *cols = json_array();
	json_t *matrix = json_array(), *ports = json_array(), *ex = json_array();
	size_t i, reach = 0, met = 0, matrix_cells = 0;

	*broken = 0;
	for (i = 0; i < p->n_nodes; i++)
		json_array_append_new(nodes, json_string(p->targets[i].name));
	for (i = 0; i < p->n_targets; i++) {
		const struct check_target *tg = &p->targets[i];
		json_t *addrs = json_array();
		size_t j;

		for (j = 0; j < tg->n_addr; j++) {
			char a[INET6_ADDRSTRLEN];

			inet_ntop(tg->addr[j].family, tg->addr[j].a.b, a, sizeof(a));
			json_array_append_new(addrs, json_string(a));
		}
		json_array_append_new(cols, json_pack("{s:s,s:b,s:o}", "name",
			tg->name, "node", tg->node >= 0, "addresses", addrs));
	}
	for (i = 0; i < p->n_cells; i++) {
		const struct check_cell *c = &p->cells[i];

		if (c->proto) {
			json_array_append_new(ports, cell_json(p, c));
			continue;
		}
		json_array_append_new(matrix, cell_json(p, c));
		matrix_cells++;
		reach += c->result == CHECK_REACH;
	}
	for (i = 0; i < t->n_expects; i++) {
		const struct topo_expect *e = &t->expects[i];
		const struct check_cell *c = &p->cells[p->expect_cell[i]];
		bool ok = check_expect_met(e, c);
		char why[128], where[600];

		check_cell_why(p, c, why, sizeof(why));
		snprintf(where, sizeof(where), "%s:%d:%d",
			 t->file ? t->file : t->name, e->pos.line, e->pos.col);
		json_array_append_new(ex, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s}",
			"text", e->text, "expect", e->reach ? "reach" : "blocked",
			"result", ok ? "met" : "broken",
			"seen", check_result_name(c->result), "detail", why,
			"from", e->from, "where", where));
		met += ok;
		*broken += !ok;
	}
	doc = json_pack("{s:s,s:o,s:o,s:o,s:o,s:o}", "name", t->name,
			"nodes", nodes, "targets", cols, "matrix", matrix,
			"ports", ports, "expectations", ex);
	json_object_set_new(doc, "summary", json_pack(
		"{s:i,s:i,s:i,s:i,s:i,s:f,s:f}", "pairs", (int)matrix_cells,
		"reached", (int)reach, "probes", (int)p->n_probes,
		"expectations_met", (int)met, "expectations_broken", (int)*broken,
		"timeout_s", timeout_s, "elapsed_ms", elapsed_ms));
	return doc;
}

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
