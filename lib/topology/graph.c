// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * graph.c - a picture of a topology as a document: SVG, Graphviz DOT,
 * mermaid or one self-contained HTML page. The picture is data: it is
 * written into a buffer the caller owns, never printed.
 *
 * From a file nothing here touches the kernel. For a topology that is up,
 * the state of each object (up, drifted, missing) comes from the same plan
 * `nsnet status` reads: an object that plan would create is missing, one
 * it would repair has drifted, every other one is up.
 *
 * This file holds the picture's model (those states), the text helpers
 * every format shares and the entry points; graph_svg.c lays out and
 * writes the SVG, graph_html.c the page around it, graph_text.c DOT and
 * mermaid.
 */
#include <stdio.h>
#include <string.h>

#include "topology/graph.h"

const char *const graph_state_name[] = { "file", "up", "drifted", "missing" };

/* ---- states ---------------------------------------------------------------- */

static void gobj_mark(struct gobj *o, enum gstate st, const char *why)
{
	size_t old = o->why ? strlen(o->why) : 0;
	char *w;

	if (st > o->st)
		o->st = st;
	w = realloc(o->why, old + strlen(why) + 3);
	if (!w)
		abort();
	if (old) {
		memcpy(w + old, "; ", 2);
		old += 2;
	}
	strcpy(w + old, why);
	o->why = w;
}

static struct gobj *gobj_array(size_t n, enum gstate st)
{
	struct gobj *v = calloc(n + 1, sizeof(*v));
	size_t i;

	if (!v)
		abort();
	for (i = 0; i < n; i++)
		v[i].st = st;
	return v;
}

static void gobj_free(struct gobj *v, size_t n)
{
	size_t i;

	for (i = 0; v && i < n; i++)
		free(v[i].why);
	free(v);
}

static size_t graph_n_atts(const struct graph *g)
{
	return g->t->n_nodes ? g->att_base[g->t->n_nodes] : 0;
}

static size_t graph_n_pubs(const struct graph *g)
{
	return g->t->n_nodes ? g->pub_base[g->t->n_nodes] : 0;
}

static void graph_init(struct graph *g, const struct topo *t,
		       const struct topo_plan *plan)
{
	enum gstate st = plan ? GS_UP : GS_NONE;
	size_t i;

	memset(g, 0, sizeof(*g));
	g->t = t;
	g->live = plan != NULL;
	g->att_base = calloc(t->n_nodes + 1, sizeof(size_t));
	g->pub_base = calloc(t->n_nodes + 1, sizeof(size_t));
	if (!g->att_base || !g->pub_base)
		abort();
	for (i = 0; i < t->n_nodes; i++) {
		g->att_base[i + 1] = g->att_base[i] + t->nodes[i].n_att;
		g->pub_base[i + 1] = g->pub_base[i] + t->nodes[i].n_publish;
	}
	g->nets = gobj_array(t->n_nets, st);
	g->nats = gobj_array(t->n_nets, st);
	g->nodes = gobj_array(t->n_nodes, st);
	g->atts = gobj_array(graph_n_atts(g), st);
	g->cables = gobj_array(t->n_cables, st);
	g->pubs = gobj_array(graph_n_pubs(g), st);
	if (!plan)
		return;
	g->n_diff = plan->n;
	for (i = 0; i < plan->n; i++) {
		const struct topo_action *a = &plan->act[i];
		struct gobj *o = NULL;
		char what[256];

		switch (a->kind) {
		case ACT_BRIDGE: case ACT_BRIDGE_ADDR: case ACT_BRIDGE_UP:
		case ACT_FIREWALL: case ACT_VXLAN: case ACT_VXLAN_UP: case ACT_FDB:
		case ACT_TRUNK:  /* a leaf's: its network's */
			o = &g->nets[a->obj];
			break;
		case ACT_NAT:
			o = &g->nats[a->obj];
			break;
		case ACT_NS: case ACT_LO_UP: case ACT_ROUTE: case ACT_SYSCTL: case ACT_HOSTS:
		case ACT_RUN: case ACT_SETUP:
			o = &g->nodes[a->obj];
			break;
		case ACT_VETH: case ACT_HOST_UP: case ACT_INNER_UP: case ACT_ADDR:
		case ACT_ROUTE_DEFAULT: case ACT_IMPAIR:
			o = &g->atts[g->att_base[a->obj] + a->idx];
			break;
		case ACT_CABLE: case ACT_CABLE_IMPAIR: case ACT_CABLE_NAT:
			o = &g->cables[a->obj];
			break;
		case ACT_PUBLISH:
			o = &g->pubs[g->pub_base[a->obj] + a->idx];
			break;
		}
		topo_action_str(t, a, what, sizeof(what));
		/* the words of nsnet status: what up would repair has
		 * drifted, what it would create is missing */
		gobj_mark(o, a->repair ? GS_DRIFTED : GS_MISSING, what);
	}
}

static void graph_free(struct graph *g)
{
	gobj_free(g->nets, g->t->n_nets);
	gobj_free(g->nats, g->t->n_nets);
	gobj_free(g->nodes, g->t->n_nodes);
	gobj_free(g->atts, graph_n_atts(g));
	gobj_free(g->cables, g->t->n_cables);
	gobj_free(g->pubs, graph_n_pubs(g));
	free(g->att_base);
	free(g->pub_base);
}

enum gstate graph_state_worse(enum gstate a, enum gstate b)
{
	return a > b ? a : b;
}

/* A node's state on one card: the namespace, that attachment (SIZE_MAX:
 * all of them) and, with pubs, its published ports. */
enum gstate graph_card_state(const struct graph *g, size_t node, size_t att,
			     bool pubs)
{
	enum gstate st = g->nodes[node].st;
	size_t k;

	for (k = 0; k < g->t->nodes[node].n_att; k++)
		if (att == SIZE_MAX || att == k)
			st = graph_state_worse(st, g->atts[g->att_base[node] + k].st);
	for (k = 0; pubs && k < g->t->nodes[node].n_publish; k++)
		st = graph_state_worse(st, g->pubs[g->pub_base[node] + k].st);
	return st;
}

/* Every difference about a node, for its tooltip. */
void graph_node_why(const struct graph *g, size_t node, char *buf, size_t len)
{
	const struct gobj *v[64];
	size_t n = 0, k;

	buf[0] = '\0';
	v[n++] = &g->nodes[node];
	for (k = 0; k < g->t->nodes[node].n_att && n < ARRAY_SIZE(v); k++)
		v[n++] = &g->atts[g->att_base[node] + k];
	for (k = 0; k < g->t->nodes[node].n_publish && n < ARRAY_SIZE(v); k++)
		v[n++] = &g->pubs[g->pub_base[node] + k];
	for (k = 0; k < n; k++)
		if (v[k]->why)
			snprintf(buf + strlen(buf), len - strlen(buf), "%s%s",
				 buf[0] ? "; " : "", v[k]->why);
}

/* ---- text helpers ------------------------------------------------------------- */

static const char *addr_str(const struct ipaddr *ip, bool prefix, char *buf,
			    size_t len)
{
	struct ipaddr x = *ip;

	if (!prefix)
		x.prefix = -1;
	return ip_str(&x, buf, len);
}

/* "10.10.0.10 fd00::10" for an attachment (no prefixes: the network says). */
void graph_att_addrs(const struct topo_attach *a, char *buf, size_t len)
{
	char x[64];
	int f;

	buf[0] = '\0';
	for (f = 0; f < 2; f++)
		if (a->addr[f].family)
			snprintf(buf + strlen(buf), len - strlen(buf), "%s%s",
				 buf[0] ? " " : "", addr_str(&a->addr[f], false, x, sizeof(x)));
}

void graph_net_subnets(const struct topo_net *n, char *buf, size_t len)
{
	char x[64];
	int f;

	buf[0] = '\0';
	for (f = 0; f < 2; f++)
		if (n->subnet[f].family)
			snprintf(buf + strlen(buf), len - strlen(buf), "%s%s",
				 buf[0] ? " " : "", ip_str(&n->subnet[f], x, sizeof(x)));
}

void graph_net_gateways(const struct topo_net *n, char *buf, size_t len)
{
	char x[64];
	int f;

	buf[0] = '\0';
	for (f = 0; f < 2; f++)
		if (n->subnet[f].family)
			snprintf(buf + strlen(buf), len - strlen(buf), "%s%s",
				 buf[0] ? " " : "", addr_str(&n->gateway[f], false, x, sizeof(x)));
}

void graph_cable_end(const struct topo_cable *c, bool b, char *buf, size_t len)
{
	const struct ipaddr *ip = b ? &c->b_addr : &c->a_addr;
	const struct topo_end_nat *nat = &c->nat[b];
	char x[64];

	snprintf(buf, len, "%s:%s%s%s%s%s%s", b ? c->b : c->a, b ? c->b_if : c->a_if,
		 ip->family ? " " : "", ip->family ? ip_str(ip, x, sizeof(x)) : "",
		 nat->on ? " NAT" : "", nat->out[0] ? " out " : "", nat->out);
}

bool graph_has_nat(const struct topo *t)
{
	size_t i;

	for (i = 0; i < t->n_nets; i++)
		if (t->nets[i].nat)
			return true;
	for (i = 0; i < t->n_cables; i++)
		if (t->cables[i].nat[0].on || t->cables[i].nat[1].on)
			return true;
	return false;
}

void graph_xml_esc(FILE *f, const char *s)
{
	for (; *s; s++)
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default: fputc(*s, f);
		}
}

/* ---- entry points ---------------------------------------------------------------------- */

int topo_graph_format_parse(struct nsnet *nn, const char *s,
			    enum topo_graph_format *fmt)
{
	static const char *const names[] = { "svg", "dot", "mermaid", "html" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (!strcmp(s, names[i])) {
			*fmt = (enum topo_graph_format)i;
			return 0;
		}
	return err_usage(nn, "format \"%s\": say svg, dot, mermaid or html", s);
}

int topo_graph(struct nsnet *nn, const struct topo *t,
	       const struct topo_plan *plan, enum topo_graph_format fmt,
	       char **out)
{
	struct graph g;
	size_t len = 0;
	char *buf = NULL;

	*out = NULL;
	graph_init(&g, t, plan);
	g.f = open_memstream(&buf, &len);
	if (!g.f) {
		graph_free(&g);
		return err_set(nn, errno, "picture of topology %s", t->name);
	}
	switch (fmt) {
	case GRAPH_SVG: graph_svg_write(&g, true); break;
	case GRAPH_DOT: graph_dot_write(&g); break;
	case GRAPH_MERMAID: graph_mermaid_write(&g); break;
	case GRAPH_HTML: graph_html_write(&g); break;
	}
	graph_free(&g);
	if (fclose(g.f)) {
		free(buf);
		return err_set(nn, ENOMEM, "picture of topology %s", t->name);
	}
	*out = buf;
	return 0;
}

NSNET_EXPORT int nsnet_topo_graph(struct nsnet *nn, const char *file_or_name,
				  const char *format, char **out)
{
	enum topo_graph_format fmt = GRAPH_SVG;
	struct topo_plan plan;
	struct topo *t;
	bool live;
	int rc;

	*out = NULL;
	if (format && (rc = topo_graph_format_parse(nn, format, &fmt)))
		return rc;
	/* A file is drawn as written (over several machines: all of them);
	 * a name is a topology that is up, drawn with what the kernel has. */
	live = !file_or_name || !topo_arg_is_file(file_or_name);
	if ((rc = live ? topo_load(nn, file_or_name, &t) :
			 topo_parse_arg_whole(nn, file_or_name, &t)))
		return rc;
	if (live && ((rc = ctx_set_owner(nn, t->name)) || (rc = topo_plan(nn, t, &plan)))) {
		topo_free(t);
		return rc;
	}
	rc = topo_graph(nn, t, live ? &plan : NULL, fmt, out);
	if (live)
		topo_plan_free(&plan);
	topo_free(t);
	return rc;
}
