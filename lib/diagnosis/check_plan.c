// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * check_plan.c - the pure half of nsnet check: which probes a topology's
 * matrix and expectations need (one per source, target address and
 * protocol), how their answers add up into cells, whether an expectation
 * is met, and the JSON document. No sockets: tests/unit/test_check.c runs
 * all of it. check.c sends the probes.
 */
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <jansson.h>

#include "kernel/kernel.h"
#include "diagnosis/diagnosis.h"

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

/* A node of another machine (docs/multihost.md): its addresses, behind
 * the VXLAN device of each network it shares with this machine. */
static void target_of_remote(const struct topo *t, const struct topo_node *nd,
			     struct check_target *tg)
{
	size_t i;
	int f;

	tg->name = strdup(nd->name);
	tg->node = -1;
	tg->host = t->hosts[nd->host].name;
	for (i = 0; i < nd->n_att; i++)
		for (f = 0; f < 2; f++)
			target_add_addr(tg, &nd->att[i].addr[f],
					nd->att[i].net == SIZE_MAX ? -1 : (int)nd->att[i].net,
					NULL);
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

/* The node columns row i probes when sampling: every stride-th node after
 * it in file order, wrapping around; stride * sample < n, so they are
 * sample distinct nodes, none of them i, and in column order once sorted. */
static int size_cmp(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

int check_plan_build(struct nsnet *nn, const struct topo *t,
		     struct check_plan *p)
{
	return check_plan_build_sample(nn, t, 0, p);
}

int check_plan_build_sample(struct nsnet *nn, const struct topo *t,
			    size_t sample, struct check_plan *p)
{
	size_t i, j, k, columns, *pick = NULL;

	memset(p, 0, sizeof(*p));
	p->n_nodes = t->n_nodes;
	p->targets = calloc(t->n_nodes ? t->n_nodes : 1, sizeof(*p->targets));
	if (!p->targets)
		abort();
	for (i = 0; i < t->n_nodes; i++)
		target_of_node(t, i, &p->targets[i]);
	p->n_targets = t->n_nodes;
	for (i = 0; i < t->n_remote; i++) {
		ARRAY_GROW(p->targets, p->n_targets);
		target_of_remote(t, &t->remote[i], &p->targets[p->n_targets++]);
	}
	if (t->upstream)
		target_find_or_add(t, p, t->upstream);
	/* Addresses the expectations name are columns too. */
	for (i = 0; i < t->n_expects; i++)
		if (!topo_node_find(t, t->expects[i].to))
			target_find_or_add(t, p, t->expects[i].to);
	columns = p->n_targets;
	p->full_pairs = t->n_nodes * (columns ? columns - 1 : 0);
	if (sample && t->n_nodes > 1 && sample < t->n_nodes - 1) {
		p->sample = sample;
		p->stride = (t->n_nodes - 1) / sample;
		pick = calloc(sample, sizeof(*pick));
		if (!pick)
			abort();
	}

	/* The matrix: ICMP from every node to every other column. The cells
	 * are made in order (from, target), so a cell's index is computed,
	 * not searched, when there are thousands. Sampled: to sample nodes
	 * and every address column. */
	p->cells = calloc(p->sample ? t->n_nodes * (sample + columns - t->n_nodes) + 1 :
			  p->full_pairs + 1, sizeof(*p->cells));
	if (!p->cells)
		abort();
	for (i = 0; i < t->n_nodes; i++) {
		if (pick) {
			for (k = 0; k < sample; k++)
				pick[k] = (i + (k + 1) * p->stride) % t->n_nodes;
			qsort(pick, sample, sizeof(*pick), size_cmp);
			for (k = 0; k < sample; k++)
				p->cells[p->n_cells++] = (struct check_cell){
					.from = i, .target = pick[k] };
			for (j = t->n_nodes; j < columns; j++)
				p->cells[p->n_cells++] = (struct check_cell){
					.from = i, .target = j };
			continue;
		}
		for (j = 0; j < columns; j++) {
			if (i == j)
				continue;
			p->cells[p->n_cells++] = (struct check_cell){
				.from = i, .target = j };
		}
	}
	free(pick);

	p->expect_cell = calloc(t->n_expects ? t->n_expects : 1,
				sizeof(*p->expect_cell));
	if (!p->expect_cell)
		abort();
	for (i = 0; i < t->n_expects; i++) {
		const struct topo_expect *e = &t->expects[i];
		struct topo_node *from = topo_node_find(t, e->from);
		ssize_t tg = target_find_or_add(t, p, e->to);

		/* Checked by nsnet check on its own machine. */
		if (!from && topo_remote_find(t, e->from) && tg >= 0) {
			p->expect_cell[i] = SIZE_MAX;
			continue;
		}
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
		if (!e->proto && (size_t)tg < columns && !p->sample)
			p->expect_cell[i] = (size_t)(from - t->nodes) * (columns - 1) +
					    (size_t)tg - ((size_t)tg > (size_t)(from - t->nodes));
		else
			p->expect_cell[i] = cell_find_or_add(p, (size_t)(from - t->nodes),
							     (size_t)tg, e->proto,
							     (uint16_t)e->port);
	}

	for (i = 0, k = 0; i < p->n_cells; i++)
		k += p->targets[p->cells[i].target].n_addr;
	p->probes = calloc(k ? k : 1, sizeof(*p->probes));
	if (!p->probes)
		abort();
	for (i = 0; i < p->n_cells; i++) {
		const struct check_target *tg = &p->targets[p->cells[i].target];

		p->cells[i].probe0 = p->n_probes;
		p->cells[i].n_probes = tg->n_addr;
		for (j = 0; j < tg->n_addr; j++) {
			p->probes[p->n_probes] = (struct check_probe){
				.from = p->cells[i].from, .target = p->cells[i].target,
				.addr = j, .cell = i, .proto = p->cells[i].proto,
				.family = tg->addr[j].family, .port = p->cells[i].port };
			probe_find_segment(p, &p->probes[p->n_probes++]);
		}
	}
	return 0;
}

bool check_probe_pair(const struct check_plan *p, const struct check_probe *pr)
{
	return pr->local && p->targets[pr->target].node >= 0;
}

struct order_key {
	size_t a, b;     /* block of the lower node, of the higher node */
	size_t lo, hi;   /* the nodes */
	size_t probe;
};

static int order_cmp(const void *x, const void *y)
{
	const struct order_key *k = x, *l = y;

	if (k->a != l->a)
		return k->a < l->a ? -1 : 1;
	if (k->b != l->b)
		return k->b < l->b ? -1 : 1;
	if (k->lo != l->lo)
		return k->lo < l->lo ? -1 : 1;
	if (k->hi != l->hi)
		return k->hi < l->hi ? -1 : 1;
	return k->probe < l->probe ? -1 : k->probe > l->probe;
}

void check_plan_order(const struct check_plan *p, size_t block, size_t *order)
{
	struct order_key *k = calloc(p->n_probes ? p->n_probes : 1, sizeof(*k));
	size_t i, n = 0, m;

	if (!k)
		abort();
	if (!block)
		block = 1;
	/* Routed probes and plain addresses first, in plan order: they need
	 * no entries of their own. */
	for (i = 0; i < p->n_probes; i++)
		if (!check_probe_pair(p, &p->probes[i]))
			order[n++] = i;
	m = 0;
	for (i = 0; i < p->n_probes; i++) {
		const struct check_probe *pr = &p->probes[i];
		size_t lo, hi;

		if (!check_probe_pair(p, pr))
			continue;
		lo = pr->from < pr->target ? pr->from : pr->target;
		hi = pr->from < pr->target ? pr->target : pr->from;
		k[m++] = (struct order_key){ lo / block, hi / block, lo, hi, i };
	}
	qsort(k, m, sizeof(*k), order_cmp);
	for (i = 0; i < m; i++)
		order[n++] = k[i].probe;
	free(k);
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
 * error over silence. An address the kernel did not probe leaves the cell
 * open unless another address answered: no verdict beats a wrong one. */
static int result_rank(enum check_result r)
{
	switch (r) {
	case CHECK_REACH: return 5;
	case CHECK_REFUSED: return 4;
	case CHECK_NOT_PROBED: return 3;
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
	case CHECK_NOT_PROBED: return "not probed";
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
	case CHECK_NOT_PROBED:
		switch (w->np_why) {
		case CHECK_NP_NEIGH:
			snprintf(buf, len, "not probed (kernel: no neighbour entry for %s: %s)",
				 a, strerror(w->error));
			break;
		case CHECK_NP_OVERFLOW:
			snprintf(buf, len, "not probed (kernel: neighbour table overflow; no answer from %s)",
				 a);
			break;
		default:
			snprintf(buf, len, "not probed (kernel: %s)", strerror(w->error));
			break;
		}
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
	size_t i, reach = 0, met = 0, matrix_cells = 0, not_probed = 0, ex_np = 0;

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
		if (tg->host)
			json_object_set_new(json_array_get(cols, i), "host",
					    json_string(tg->host));
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
		not_probed += c->result == CHECK_NOT_PROBED;
	}
	for (i = 0; i < t->n_expects; i++) {
		const struct topo_expect *e = &t->expects[i];
		const struct check_cell *c;

		bool unknown, ok;
		char why[128], where[600];

		if (p->expect_cell[i] == SIZE_MAX) {  /* from another machine */
			const struct topo_node *nd = topo_remote_find(t, e->from);

			snprintf(why, sizeof(why), "%s is on %s: nsnet check there checks it",
				 e->from, nd ? t->hosts[nd->host].name : "another machine");
			json_array_append_new(ex, json_pack("{s:s,s:s,s:s,s:s,s:s}",
				"text", e->text, "expect", e->reach ? "reach" : "blocked",
				"result", "elsewhere", "from", e->from, "detail", why));
			continue;
		}
		c = &p->cells[p->expect_cell[i]];
		/* A cell the kernel did not probe proves nothing either way. */
		unknown = c->result == CHECK_NOT_PROBED;
		ok = !unknown && check_expect_met(e, c);

		check_cell_why(p, c, why, sizeof(why));
		snprintf(where, sizeof(where), "%s:%d:%d",
			 t->file ? t->file : t->name, e->pos.line, e->pos.col);
		json_array_append_new(ex, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s}",
			"text", e->text, "expect", e->reach ? "reach" : "blocked",
			"result", ok ? "met" : unknown ? "not probed" : "broken",
			"seen", check_result_name(c->result), "detail", why,
			"from", e->from, "where", where));
		met += ok;
		ex_np += unknown;
		*broken += !ok;
	}
	doc = json_pack("{s:s,s:o,s:o,s:o,s:o,s:o}", "name", t->name,
			"nodes", nodes, "targets", cols, "matrix", matrix,
			"ports", ports, "expectations", ex);
	json_object_set_new(doc, "summary", json_pack(
		"{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:f,s:f}", "pairs", (json_int_t)matrix_cells,
		"reached", (json_int_t)reach, "not_probed", (json_int_t)not_probed,
		"probes", (json_int_t)p->n_probes,
		"expectations_met", (json_int_t)met,
		"expectations_broken", (json_int_t)(*broken - ex_np),
		"expectations_not_probed", (json_int_t)ex_np,
		"timeout_s", timeout_s, "elapsed_ms", elapsed_ms));
	/* Sampled: what was left out, exactly (docs/diagnostics.md). */
	if (p->sample)
		json_object_set_new(json_object_get(doc, "summary"), "sample", json_pack(
			"{s:I,s:I,s:I,s:I}", "per_node", (json_int_t)p->sample,
			"stride", (json_int_t)p->stride,
			"pairs_total", (json_int_t)p->full_pairs,
			"pairs_not_probed", (json_int_t)(p->full_pairs - matrix_cells)));
	/* What check did to the kernel's neighbour tables (docs/diagnostics.md). */
	json_object_set_new(doc, "kernel", json_pack("{s:I,s:I}",
		"neighbour_entries", (json_int_t)p->neigh_added,
		"neighbour_table_overflows", (json_int_t)p->neigh_overflows));
	return doc;
}
