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
 * The SVG is laid out for 1,000 nodes: one box per network with its nodes
 * in a grid (a node on two networks has a card in both, highlighted
 * together in the HTML page), the host as a column on the left with the way
 * out above it, and cables routed through the gaps between rows of cards
 * into lanes beside the boxes, so that no line crosses a card.
 */
#include <stdio.h>
#include <string.h>
#include <jansson.h>

#include "topology/topology.h"

enum gstate { GS_NONE, GS_UP, GS_DRIFTED, GS_MISSING };

static const char *const gstate_name[] = { "file", "up", "drifted", "missing" };

/* The state of one object of the picture and, when not up, why. */
struct gobj {
	enum gstate st;
	char *why;   /* "; "-separated differences, or NULL */
};

struct graph {
	const struct topo *t;
	bool live;              /* states come from the kernel */
	size_t n_diff;
	struct gobj *nets, *nats, *nodes, *atts, *cables, *pubs;
	size_t *att_base, *pub_base;  /* node i's first attachment / publish */
	FILE *f;
};

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
		case ACT_FIREWALL:
			o = &g->nets[a->obj];
			break;
		case ACT_NAT:
			o = &g->nats[a->obj];
			break;
		case ACT_NS: case ACT_ROUTE: case ACT_SYSCTL: case ACT_HOSTS:
		case ACT_RUN: case ACT_SETUP:
			o = &g->nodes[a->obj];
			break;
		case ACT_VETH: case ACT_HOST_UP: case ACT_INNER_UP: case ACT_ADDR:
		case ACT_ROUTE_DEFAULT:
			o = &g->atts[g->att_base[a->obj] + a->idx];
			break;
		case ACT_CABLE:
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

static enum gstate worse(enum gstate a, enum gstate b)
{
	return a > b ? a : b;
}

/* A node's state on one card: the namespace, that attachment (SIZE_MAX:
 * all of them) and, with pubs, its published ports. */
static enum gstate card_state(const struct graph *g, size_t node, size_t att,
			      bool pubs)
{
	enum gstate st = g->nodes[node].st;
	size_t k;

	for (k = 0; k < g->t->nodes[node].n_att; k++)
		if (att == SIZE_MAX || att == k)
			st = worse(st, g->atts[g->att_base[node] + k].st);
	for (k = 0; pubs && k < g->t->nodes[node].n_publish; k++)
		st = worse(st, g->pubs[g->pub_base[node] + k].st);
	return st;
}

/* Every difference about a node, for its tooltip. */
static void node_why(const struct graph *g, size_t node, char *buf, size_t len)
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
static void att_addrs(const struct topo_attach *a, char *buf, size_t len)
{
	char x[64];
	int f;

	buf[0] = '\0';
	for (f = 0; f < 2; f++)
		if (a->addr[f].family)
			snprintf(buf + strlen(buf), len - strlen(buf), "%s%s",
				 buf[0] ? " " : "", addr_str(&a->addr[f], false, x, sizeof(x)));
}

static void net_subnets(const struct topo_net *n, char *buf, size_t len)
{
	char x[64];
	int f;

	buf[0] = '\0';
	for (f = 0; f < 2; f++)
		if (n->subnet[f].family)
			snprintf(buf + strlen(buf), len - strlen(buf), "%s%s",
				 buf[0] ? " " : "", ip_str(&n->subnet[f], x, sizeof(x)));
}

static void net_gateways(const struct topo_net *n, char *buf, size_t len)
{
	char x[64];
	int f;

	buf[0] = '\0';
	for (f = 0; f < 2; f++)
		if (n->subnet[f].family)
			snprintf(buf + strlen(buf), len - strlen(buf), "%s%s",
				 buf[0] ? " " : "", addr_str(&n->gateway[f], false, x, sizeof(x)));
}

/* How a network reaches the outside, in a word or two. */
static const char *net_way_out(const struct topo_net *n)
{
	return n->internal ? "internal: no way out" : n->nat ? "NAT" : "routed, no NAT";
}

static void cable_end(const struct topo_cable *c, bool b, char *buf, size_t len)
{
	const struct ipaddr *ip = b ? &c->b_addr : &c->a_addr;
	char x[64];

	snprintf(buf, len, "%s:%s%s%s", b ? c->b : c->a, b ? c->b_if : c->a_if,
		 ip->family ? " " : "", ip->family ? ip_str(ip, x, sizeof(x)) : "");
}

static void xml_esc(FILE *f, const char *s)
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

static size_t text_chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += (*s & 0xc0) != 0x80;
	return n;
}

/* s cut to at most max characters (UTF-8 aware), "…" marking a cut. */
static void xml_fit(FILE *f, const char *s, size_t max)
{
	char buf[512];
	size_t n = 0, chars = 0;

	if (text_chars(s) <= max) {
		xml_esc(f, s);
		return;
	}
	while (s[n] && chars + 1 < max && n < sizeof(buf) - 8) {
		n++;
		while ((s[n] & 0xc0) == 0x80)
			n++;
		chars++;
	}
	memcpy(buf, s, n);
	buf[n] = '\0';
	xml_esc(f, buf);
	fputs("\xe2\x80\xa6", f);
}

/* ---- SVG ------------------------------------------------------------------------ */

/* Measures in pixels; text widths are estimated (no font metrics): 6.6 px
 * a character at 11 px covers DejaVu Sans and Helvetica. */
#define MARGIN 20.0
#define TITLE_H 56.0
#define HOST_W 210.0
#define HOST_GAP 90.0      /* host column to network boxes: connectors */
#define CARD_W 190.0
#define CARD_H 64.0
#define GAP_X 12.0
#define GAP_Y 22.0         /* rows of cards: cables run in these gaps */
#define PAD 14.0
#define HEAD_H 48.0
#define BOX_GAP 34.0
#define CHAR_W 6.6
#define CARD_CHARS 27
#define MAX_COLS 12

struct card {
	size_t node, att;      /* att SIZE_MAX: the box of nodes without network */
	double x, y;
};

struct gbox {
	size_t net;            /* SIZE_MAX: nodes on no network */
	double x, y, w, h;
	size_t cols;
	struct card *cards;
	size_t n;
};

struct layout {
	struct gbox *boxes;
	size_t n_boxes;
	struct card **first;   /* each node's first card */
	double width, height, boxes_right, host_top, cables_y;
};

static size_t grid_cols(size_t n)
{
	size_t c = 1;

	/* about 1.5 times as many columns as rows: a box wider than tall */
	while (c * c < n * 3 / 2)
		c++;
	return c < 1 ? 1 : c > MAX_COLS ? MAX_COLS : c > n ? (n ? n : 1) : c;
}

static bool on_host_cable(const struct topo *t, const char *node)
{
	size_t i;

	for (i = 0; i < t->n_cables; i++)
		if ((!strcmp(t->cables[i].a, node) && ns_is_host(t->cables[i].b)) ||
		    (!strcmp(t->cables[i].b, node) && ns_is_host(t->cables[i].a)))
			return true;
	return false;
}

static void box_add(struct gbox *b, size_t node, size_t att)
{
	ARRAY_GROW(b->cards, b->n);
	b->cards[b->n].node = node;
	b->cards[b->n++].att = att;
}

static void layout_make(const struct graph *g, struct layout *L)
{
	const struct topo *t = g->t;
	double x0 = MARGIN + HOST_W + HOST_GAP, y = MARGIN + TITLE_H + 70.0;
	size_t i, j, k;
	int pass;

	memset(L, 0, sizeof(*L));
	L->host_top = y;
	L->first = calloc(t->n_nodes + 1, sizeof(*L->first));
	if (!L->first)
		abort();
	for (i = 0; i < t->n_nets; i++) {
		ARRAY_GROW(L->boxes, L->n_boxes);
		L->boxes[L->n_boxes++].net = i;
	}
	/* Cards: nodes in file order on every network they are on. */
	for (i = 0; i < t->n_nodes; i++)
		for (j = 0; j < t->nodes[i].n_att; j++)
			box_add(&L->boxes[t->nodes[i].att[j].net], i, j);
	/* Nodes on no network (cables only): those cabled to the host first,
	 * in the first column, so their line to the host crosses no card. */
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < t->n_nodes; i++) {
			struct gbox *b;

			if (t->nodes[i].n_att || on_host_cable(t, t->nodes[i].name) != !pass)
				continue;
			if (!L->n_boxes || L->boxes[L->n_boxes - 1].net != SIZE_MAX) {
				ARRAY_GROW(L->boxes, L->n_boxes);
				L->boxes[L->n_boxes++].net = SIZE_MAX;
			}
			b = &L->boxes[L->n_boxes - 1];
			box_add(b, i, SIZE_MAX);
		}
	L->boxes_right = x0 + 420.0;
	for (k = 0; k < L->n_boxes; k++) {
		struct gbox *b = &L->boxes[k];
		size_t rows;
		double head_w;

		b->cols = grid_cols(b->n);
		rows = b->n ? (b->n + b->cols - 1) / b->cols : 0;
		b->x = x0;
		b->y = y;
		b->w = 2 * PAD + (double)b->cols * CARD_W + (double)(b->cols - 1) * GAP_X;
		if (b->net != SIZE_MAX) {
			const struct topo_net *n = &t->nets[b->net];
			char sub[160], gw[160];

			net_subnets(n, sub, sizeof(sub));
			net_gateways(n, gw, sizeof(gw));
			head_w = 2 * PAD + CHAR_W * (double)(text_chars(n->bridge) +
				text_chars(sub) + text_chars(gw) + 48);
			if (b->w < head_w)
				b->w = head_w;
		}
		if (b->w < 420.0)
			b->w = 420.0;
		b->h = HEAD_H + (rows ? (double)rows * (CARD_H + GAP_Y) : 30.0) + 4.0;
		for (i = 0; i < b->n; i++) {
			struct card *c = &b->cards[i];

			c->x = b->x + PAD + (double)(i % b->cols) * (CARD_W + GAP_X);
			c->y = b->y + HEAD_H + (double)(i / b->cols) * (CARD_H + GAP_Y);
			if (!L->first[c->node])
				L->first[c->node] = c;
		}
		if (b->x + b->w > L->boxes_right)
			L->boxes_right = b->x + b->w;
		y += b->h + BOX_GAP;
	}
	L->cables_y = y;
	if (t->n_cables)
		y += 40.0 + 18.0 * (double)t->n_cables + BOX_GAP;
	L->height = y + MARGIN;
	if (L->height < L->host_top + 260.0)
		L->height = L->host_top + 260.0;
	/* lanes for node-to-node cables to the right of the boxes */
	L->width = L->boxes_right + 40.0 + 10.0 * (double)(t->n_cables < 24 ? t->n_cables : 24) + MARGIN;
	if (t->n_cables) {
		double cw = x0 + CHAR_W * 110 + MARGIN;

		if (L->width < cw)
			L->width = cw;
	}
}

static void layout_free(struct layout *L)
{
	size_t k;

	for (k = 0; k < L->n_boxes; k++)
		free(L->boxes[k].cards);
	free(L->boxes);
	free(L->first);
}

static const char svg_style[] =
	"text{font-family:'DejaVu Sans',Helvetica,Arial,sans-serif;font-size:11px;fill:#1d2733}"
	".title{font-size:17px;font-weight:bold}.sub{fill:#55606e}"
	".name{font-size:13px;font-weight:bold}.small{font-size:10px;fill:#55606e}"
	".netbox>rect{fill:#f6f8fa;stroke:#8a96a3;stroke-width:1.2}"
	".nethead{font-size:13px;font-weight:bold}"
	".card>rect{fill:#eef4fb;stroke:#4a78a8;stroke-width:1.2}"
	".up>rect{fill:#e9f7ec;stroke:#2e8b57}"
	".drifted>rect{fill:#fff4e0;stroke:#d98200;stroke-width:2}"
	".missing>rect{fill:#fdecea;stroke:#c62828;stroke-width:2;stroke-dasharray:5 3}"
	".badge{font-size:10px;font-weight:bold}.drifted .badge{fill:#b36b00}.missing .badge{fill:#c62828}"
	".host>rect{fill:#eceff3;stroke:#5b6673;stroke-width:1.5}"
	".cloud{fill:#ffffff;stroke:#5b6673;stroke-width:1.5}"
	".wire{stroke:#5b6673;stroke-width:1.5;fill:none}"
	".wire.nat{stroke:#2e7d32;stroke-width:2.5}.wire.internal{stroke:#9e9e9e;stroke-dasharray:6 4}"
	".wire.drifted{stroke:#d98200}.wire.missing{stroke:#c62828;stroke-dasharray:5 3}"
	".cable{stroke:#6a4c93;stroke-width:1.6;fill:none}"
	".cable.drifted{stroke:#d98200}.cable.missing{stroke:#c62828;stroke-dasharray:5 3}"
	".lane{font-size:10px;fill:#6a4c93;font-weight:bold}";

static void svg_text(FILE *f, double x, double y, const char *cls, const char *s,
		     size_t max)
{
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\"%s%s%s>", x, y, cls ? " class=\"" : "",
		cls ? cls : "", cls ? "\"" : "");
	if (max)
		xml_fit(f, s, max);
	else
		xml_esc(f, s);
	fputs("</text>\n", f);
}

static void svg_card(const struct graph *g, const struct card *c, bool first)
{
	const struct topo_node *nd = &g->t->nodes[c->node];
	enum gstate st = card_state(g, c->node, c->att, first);
	char line[512], why[2048];
	double ty = c->y + 31.0;
	size_t k;
	FILE *f = g->f;

	fputs("<g class=\"card ", f);
	fputs(gstate_name[st], f);
	fputs("\" data-node=\"", f);
	xml_esc(f, nd->name);
	fputs("\"><title>", f);
	xml_esc(f, nd->name);
	node_why(g, c->node, why, sizeof(why));
	if (why[0]) {
		fputs(": ", f);
		xml_esc(f, why);
	}
	fprintf(f, "</title><rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" rx=\"6\"/>\n",
		c->x, c->y, CARD_W, CARD_H);
	svg_text(f, c->x + 8, c->y + 16, "name", nd->name,
		 g->live && st > GS_UP ? 16 : 24);
	if (g->live && st > GS_UP)
		fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"badge\" text-anchor=\"end\">%s</text>\n",
			c->x + CARD_W - 7, c->y + 15, gstate_name[st]);
	if (c->att != SIZE_MAX) {
		char a[160];

		att_addrs(&nd->att[c->att], a, sizeof(a));
		snprintf(line, sizeof(line), "%s %s", nd->att[c->att].ifname, a[0] ? a : "(no address)");
		svg_text(f, c->x + 8, ty, NULL, line, CARD_CHARS);
		ty += 14;
	}
	/* nodes on no network: their cable ends */
	for (k = 0; c->att == SIZE_MAX && k < g->t->n_cables && ty < c->y + CARD_H - 16; k++) {
		const struct topo_cable *cb = &g->t->cables[k];
		char x[64];

		if (!strcmp(cb->a, nd->name) || !strcmp(cb->b, nd->name)) {
			bool b = !strcmp(cb->b, nd->name);
			const struct ipaddr *ip = b ? &cb->b_addr : &cb->a_addr;

			snprintf(line, sizeof(line), "%s %s", b ? cb->b_if : cb->a_if,
				 ip->family ? ip_str(ip, x, sizeof(x)) : "(no address)");
			svg_text(f, c->x + 8, ty, NULL, line, CARD_CHARS);
			ty += 14;
		}
	}
	line[0] = '\0';
	if (first && nd->n_publish) {
		snprintf(line, sizeof(line), "publish");
		for (k = 0; k < nd->n_publish; k++)
			snprintf(line + strlen(line), sizeof(line) - strlen(line), "%s %s",
				 k ? "," : "", nd->publish[k]);
	} else if (c->att != SIZE_MAX && nd->n_att > 1) {
		snprintf(line, sizeof(line), "also on");
		for (k = 0; k < nd->n_att; k++)
			if (k != c->att)
				snprintf(line + strlen(line), sizeof(line) - strlen(line), " %s",
					 g->t->nets[nd->att[k].net].name);
	}
	if (line[0] && ty < c->y + CARD_H - 4)
		svg_text(f, c->x + 8, ty, "small", line, 30);
	fputs("</g>\n", f);
}

static void svg_box(const struct graph *g, const struct layout *L,
		    const struct gbox *b)
{
	const struct topo *t = g->t;
	FILE *f = g->f;
	char line[512];
	size_t i;

	if (b->net == SIZE_MAX) {
		fputs("<g class=\"netbox nonet\">", f);
		fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" rx=\"8\"/>\n",
			b->x, b->y, b->w, b->h);
		svg_text(f, b->x + PAD, b->y + 20, "nethead", "nodes on no network", 0);
		svg_text(f, b->x + PAD, b->y + 36, "sub", "joined by cables only", 0);
	} else {
		const struct topo_net *n = &t->nets[b->net];
		enum gstate st = g->nets[b->net].st, nst = g->nats[b->net].st;
		char sub[160], gw[160];
		double cy = b->y + 24;

		fprintf(f, "<g class=\"netbox %s\" data-net=\"", gstate_name[st]);
		xml_esc(f, n->name);
		fputs("\"><title>network ", f);
		xml_esc(f, n->name);
		if (g->nets[b->net].why || g->nats[b->net].why) {
			fputs(": ", f);
			if (g->nets[b->net].why)
				xml_esc(f, g->nets[b->net].why);
			if (g->nats[b->net].why) {
				fputs(g->nets[b->net].why ? "; " : "", f);
				xml_esc(f, g->nats[b->net].why);
			}
		}
		fprintf(f, "</title><rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" rx=\"8\"%s/>\n",
			b->x, b->y, b->w, b->h,
			st == GS_MISSING ? " style=\"stroke:#c62828;stroke-dasharray:6 4\"" :
			st == GS_DRIFTED ? " style=\"stroke:#d98200;stroke-width:2\"" : "");
		snprintf(line, sizeof(line), "network %s%s%s", n->name,
			 g->live && st > GS_UP ? " \xe2\x80\x94 " : "",
			 g->live && st > GS_UP ? gstate_name[st] : "");
		svg_text(f, b->x + PAD, b->y + 20, "nethead", line, 0);
		net_subnets(n, sub, sizeof(sub));
		net_gateways(n, gw, sizeof(gw));
		snprintf(line, sizeof(line), "bridge %s \xc2\xb7 %s \xc2\xb7 gateway %s \xc2\xb7 %s",
			 n->bridge, sub, gw, net_way_out(n));
		svg_text(f, b->x + PAD, b->y + 37, "sub", line, 0);
		/* the connector: the bridge is an interface of the host */
		fprintf(f, "<path class=\"wire %s %s\" d=\"M%.1f %.1fH%.1f\"/>\n",
			n->internal ? "internal" : n->nat ? "nat" : "routed",
			gstate_name[worse(st, nst)], MARGIN + HOST_W, cy, b->x);
		snprintf(line, sizeof(line), "%s%s", n->internal ? "internal" : n->nat ? "NAT" : "routed",
			 g->live && nst > GS_UP ? " (" : "");
		if (g->live && nst > GS_UP)
			snprintf(line + strlen(line), sizeof(line) - strlen(line), "%s)", gstate_name[nst]);
		svg_text(f, MARGIN + HOST_W + 8, cy - 5, "small", line, 0);
		svg_text(f, MARGIN + HOST_W + 8, cy + 13, "small", n->bridge, 13);
	}
	if (!b->n)
		svg_text(f, b->x + PAD, b->y + HEAD_H + 14, "small", "no nodes", 0);
	for (i = 0; i < b->n; i++)
		svg_card(g, &b->cards[i], L->first[b->cards[i].node] == &b->cards[i]);
	fputs("</g>\n", f);
}

static void svg_host(const struct graph *g, const struct layout *L)
{
	const struct topo *t = g->t;
	double cx = MARGIN + HOST_W / 2, top = L->host_top, y;
	double bottom = L->height - MARGIN, h = bottom - top;
	size_t i, j, lines = 0, max_lines;
	bool nat = false;
	char line[512];
	FILE *f = g->f;

	for (i = 0; i < t->n_nets; i++)
		nat |= t->nets[i].nat;
	/* the way out: the host's own default route */
	fprintf(f, "<g class=\"upstream\"><title>the way out: the host's default route%s</title>"
		"<ellipse class=\"cloud\" cx=\"%.1f\" cy=\"%.1f\" rx=\"%.1f\" ry=\"24\"/>\n",
		nat ? ", reached by the NAT networks" : "", cx, top - 48, HOST_W / 2 - 6);
	svg_text(f, cx - 52, top - 50, "name", "upstream", 0);
	snprintf(line, sizeof(line), "the way out%s%s", t->upstream ? " \xc2\xb7 " : "",
		 t->upstream ? t->upstream : "");
	svg_text(f, cx - 52, top - 36, "small", line, 30);
	fprintf(f, "<path class=\"wire%s\" d=\"M%.1f %.1fV%.1f\"/></g>\n", nat ? " nat" : "",
		cx, top - 24, top);
	fprintf(f, "<g class=\"host\"><title>host: the namespace nsnet runs in</title>"
		"<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" rx=\"8\"/>\n",
		MARGIN, top, HOST_W, h);
	svg_text(f, MARGIN + 10, top + 20, "name", "host", 0);
	svg_text(f, MARGIN + 10, top + 35, "small", "where nsnet runs; bridges live here", 0);
	y = top + 56;
	if (nat) {
		svg_text(f, MARGIN + 10, y, NULL, "forwarding on (NAT)", 0);
		y += 18;
	}
	max_lines = h > 120 ? (size_t)((bottom - y - 24) / 14) : 0;
	for (i = 0; i < t->n_nodes; i++)
		lines += t->nodes[i].n_publish;
	if (lines) {
		svg_text(f, MARGIN + 10, y, NULL, "published ports:", 0);
		y += 15;
	}
	lines = 0;
	for (i = 0; i < t->n_nodes; i++)
		for (j = 0; j < t->nodes[i].n_publish; j++) {
			enum gstate st = g->pubs[g->pub_base[i] + j].st;

			if (lines++ >= max_lines)
				continue;
			snprintf(line, sizeof(line), "%s \xe2\x86\x92 %s%s%s", t->nodes[i].publish[j],
				 t->nodes[i].name, g->live && st > GS_UP ? " " : "",
				 g->live && st > GS_UP ? gstate_name[st] : "");
			fprintf(f, "<g class=\"pub %s\" data-node=\"", gstate_name[st]);
			xml_esc(f, t->nodes[i].name);
			fputs("\">", f);
			svg_text(f, MARGIN + 14, y, "small", line, 30);
			fputs("</g>", f);
			y += 14;
		}
	if (lines > max_lines) {
		snprintf(line, sizeof(line), "\xe2\x80\xa6 and %zu more (on the cards)", lines - max_lines);
		svg_text(f, MARGIN + 14, y, "small", line, 0);
	}
	fputs("</g>\n", f);
}

/* Cables: from the bottom of a card into the gap below its row, along the
 * gap out of the box, then in a lane of their own. */
static void svg_cables(const struct graph *g, const struct layout *L)
{
	const struct topo *t = g->t;
	FILE *f = g->f;
	char line[512], ea[200], eb[200];
	double y = L->cables_y, lane_x;
	size_t i;

	for (i = 0; i < t->n_cables; i++) {
		const struct topo_cable *c = &t->cables[i];
		bool ha = ns_is_host(c->a), hb = ns_is_host(c->b);
		const struct topo_node *na = ha ? NULL : topo_node_find(t, c->a);
		const struct topo_node *nb = hb ? NULL : topo_node_find(t, c->b);
		const struct card *ca = na ? L->first[na - t->nodes] : NULL;
		const struct card *cb = nb ? L->first[nb - t->nodes] : NULL;
		const char *st = gstate_name[g->cables[i].st];
		double off = (double)((int)(i % 5) - 2) * 7.0, dy = (double)(i % 3) * 4.0 + 6.0;

		cable_end(c, false, ea, sizeof(ea));
		cable_end(c, true, eb, sizeof(eb));
		fprintf(f, "<g class=\"cablegroup\"><title>cable c%zu: ", i + 1);
		xml_esc(f, ea);
		fputs(" \xe2\x80\x94 ", f);
		xml_esc(f, eb);
		if (g->cables[i].why) {
			fputs(": ", f);
			xml_esc(f, g->cables[i].why);
		}
		fputs("</title>", f);
		if (ca && cb) {
			double ax = ca->x + CARD_W / 2 + off, ay = ca->y + CARD_H;
			double bx = cb->x + CARD_W / 2 + off, by = cb->y + CARD_H;

			lane_x = L->boxes_right + 24.0 + 10.0 * (double)(i % 24);
			fprintf(f, "<path class=\"cable %s\" d=\"M%.1f %.1fV%.1fH%.1fV%.1fH%.1fV%.1f\"/>",
				st, ax, ay, ay + dy, lane_x, by + dy, bx, by);
			fprintf(f, "<text class=\"lane\" x=\"%.1f\" y=\"%.1f\">c%zu</text>",
				lane_x + 2, (ay < by ? ay : by) + dy - 3, i + 1);
		} else if (ca || cb) {
			const struct card *cc = ca ? ca : cb;
			double x = cc->x + CARD_W / 2 + off, yy = cc->y + CARD_H;

			fprintf(f, "<path class=\"cable %s\" d=\"M%.1f %.1fV%.1fH%.1f\"/>", st, x, yy,
				yy + dy, MARGIN + HOST_W);
			fprintf(f, "<text class=\"lane\" x=\"%.1f\" y=\"%.1f\">c%zu</text>",
				MARGIN + HOST_W + 4, yy + dy - 3, i + 1);
		}
		fputs("</g>\n", f);
	}
	if (!t->n_cables)
		return;
	fprintf(f, "<g class=\"cables\"><rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
		"rx=\"8\" style=\"fill:#faf7fd;stroke:#6a4c93\"/>\n",
		MARGIN + HOST_W + HOST_GAP, y, CHAR_W * 110, 30.0 + 18.0 * (double)t->n_cables);
	svg_text(f, MARGIN + HOST_W + HOST_GAP + PAD, y + 20, "nethead", "cables", 0);
	for (i = 0; i < t->n_cables; i++) {
		const struct topo_cable *c = &t->cables[i];
		enum gstate st = g->cables[i].st;

		cable_end(c, false, ea, sizeof(ea));
		cable_end(c, true, eb, sizeof(eb));
		snprintf(line, sizeof(line), "c%zu  %s \xe2\x80\x94 %s", i + 1, ea, eb);
		if (c->mtu)
			snprintf(line + strlen(line), sizeof(line) - strlen(line), "  mtu %u", c->mtu);
		if (g->live && st > GS_UP)
			snprintf(line + strlen(line), sizeof(line) - strlen(line), "  %s",
				 gstate_name[st]);
		fprintf(f, "<g class=\"cableline %s\">", gstate_name[st]);
		svg_text(f, MARGIN + HOST_W + HOST_GAP + PAD, y + 40 + 18.0 * (double)i, NULL, line, 105);
		fputs("</g>\n", f);
	}
	fputs("</g>\n", f);
}

static void svg_write(const struct graph *g, bool standalone)
{
	const struct topo *t = g->t;
	struct layout L;
	FILE *f = g->f;
	char line[1024];
	size_t k;

	layout_make(g, &L);
	if (standalone)
		fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", f);
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"topology\" width=\"%.0f\" "
		"height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\">\n", L.width, L.height, L.width, L.height);
	fprintf(f, "<style>%s</style>\n", svg_style);
	fprintf(f, "<rect width=\"%.0f\" height=\"%.0f\" fill=\"#ffffff\"/>\n", L.width, L.height);
	snprintf(line, sizeof(line), "topology %s", t->name);
	svg_text(f, MARGIN, MARGIN + 16, "title", line, 0);
	snprintf(line, sizeof(line), "%zu node%s \xc2\xb7 %zu network%s \xc2\xb7 %zu cable%s \xc2\xb7 ",
		 t->n_nodes, t->n_nodes == 1 ? "" : "s", t->n_nets, t->n_nets == 1 ? "" : "s",
		 t->n_cables, t->n_cables == 1 ? "" : "s");
	if (g->live && g->n_diff)
		snprintf(line + strlen(line), sizeof(line) - strlen(line),
			 "state from the kernel: %zu difference%s from the file", g->n_diff,
			 g->n_diff == 1 ? "" : "s");
	else if (g->live)
		snprintf(line + strlen(line), sizeof(line) - strlen(line),
			 "state from the kernel: matches the file");
	else
		snprintf(line + strlen(line), sizeof(line) - strlen(line), "from %s",
			 !t->file ? "a file" : strrchr(t->file, '/') ? strrchr(t->file, '/') + 1 :
			 t->file);
	svg_text(f, MARGIN, MARGIN + 36, "sub", line, 0);
	if (g->live) {
		static const enum gstate legend[] = { GS_UP, GS_DRIFTED, GS_MISSING };
		double lx = L.width - MARGIN - 3 * 90.0;

		for (k = 0; k < ARRAY_SIZE(legend); k++) {
			fprintf(f, "<g class=\"legend %s\"><rect x=\"%.1f\" y=\"%.1f\" width=\"16\" height=\"12\" rx=\"3\"/>",
				gstate_name[legend[k]], lx + 90.0 * (double)k, MARGIN + 6);
			svg_text(f, lx + 90.0 * (double)k + 22, MARGIN + 16, NULL, gstate_name[legend[k]], 0);
			fputs("</g>\n", f);
		}
	}
	svg_host(g, &L);
	for (k = 0; k < L.n_boxes; k++)
		svg_box(g, &L, &L.boxes[k]);
	svg_cables(g, &L);
	fputs("</svg>\n", f);
	layout_free(&L);
}

/* ---- Graphviz DOT ------------------------------------------------------------- */

static void dot_esc(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

static const char *dot_color(enum gstate st)
{
	return st == GS_MISSING ? "fillcolor=\"#fdecea\", color=\"#c62828\", style=\"rounded,filled,dashed\"" :
	       st == GS_DRIFTED ? "fillcolor=\"#fff4e0\", color=\"#d98200\", penwidth=2" :
	       st == GS_UP ? "fillcolor=\"#e9f7ec\", color=\"#2e8b57\"" : "";
}

static void dot_id(FILE *f, const char *kind, const char *name)
{
	char buf[300];

	snprintf(buf, sizeof(buf), "%s:%s", kind, name);
	dot_esc(f, buf);
}

static void dot_write(const struct graph *g)
{
	const struct topo *t = g->t;
	FILE *f = g->f;
	char line[1024], a[200];
	size_t i, j;
	bool nat = false;

	for (i = 0; i < t->n_nets; i++)
		nat |= t->nets[i].nat;
	fputs("graph ", f);
	dot_esc(f, t->name);
	fputs(" {\n  graph [rankdir=LR, fontname=\"Helvetica\", labelloc=t, label=", f);
	snprintf(line, sizeof(line), "topology %s", t->name);
	dot_esc(f, line);
	fputs("];\n  node [fontname=\"Helvetica\", fontsize=10, shape=box, style=\"rounded,filled\", "
	      "fillcolor=\"#eef4fb\", color=\"#4a78a8\"];\n  edge [fontname=\"Helvetica\", fontsize=9];\n", f);
	snprintf(line, sizeof(line), "upstream\nthe way out%s%s", t->upstream ? "\n" : "",
		 t->upstream ? t->upstream : "");
	fputs("  \"upstream\" [shape=ellipse, style=filled, fillcolor=\"#ffffff\", label=", f);
	dot_esc(f, line);
	fputs("];\n  \"host\" [shape=box3d, fillcolor=\"#eceff3\", color=\"#5b6673\", label=", f);
	dot_esc(f, nat ? "host\nforwarding on (NAT)" : "host");
	fputs("];\n  \"upstream\" -- \"host\" [label=\"default route\"];\n", f);
	for (i = 0; i < t->n_nets; i++) {
		const struct topo_net *n = &t->nets[i];
		char sub[160], gw[160];

		net_subnets(n, sub, sizeof(sub));
		net_gateways(n, gw, sizeof(gw));
		fprintf(f, "  subgraph \"cluster_%zu\" {\n    label=", i);
		snprintf(line, sizeof(line), "network %s\n%s%s%s", n->name, sub,
			 g->live && g->nets[i].st > GS_UP ? "\n" : "",
			 g->live && g->nets[i].st > GS_UP ? gstate_name[g->nets[i].st] : "");
		dot_esc(f, line);
		fputs(";\n    style=\"rounded\"; color=\"#8a96a3\";\n    ", f);
		dot_id(f, "bridge", n->bridge);
		snprintf(line, sizeof(line), "bridge %s\n%s", n->bridge, gw);
		fputs(" [shape=ellipse, label=", f);
		dot_esc(f, line);
		fprintf(f, "%s%s];\n", g->live ? ", " : "", dot_color(g->nets[i].st));
		/* a node sits in the cluster of its first network */
		for (j = 0; j < t->n_nodes; j++) {
			const struct topo_node *nd = &t->nodes[j];
			size_t k;

			if (!nd->n_att || nd->att[0].net != i)
				continue;
			fputs("    ", f);
			dot_id(f, "node", nd->name);
			snprintf(line, sizeof(line), "%s", nd->name);
			for (k = 0; k < nd->n_att; k++) {
				att_addrs(&nd->att[k], a, sizeof(a));
				snprintf(line + strlen(line), sizeof(line) - strlen(line), "\n%s %s",
					 nd->att[k].ifname, a);
			}
			if (g->live && card_state(g, j, SIZE_MAX, true) > GS_UP)
				snprintf(line + strlen(line), sizeof(line) - strlen(line), "\n%s",
					 gstate_name[card_state(g, j, SIZE_MAX, true)]);
			fputs(" [label=", f);
			dot_esc(f, line);
			fprintf(f, "%s%s];\n", g->live ? ", " : "",
				dot_color(card_state(g, j, SIZE_MAX, true)));
		}
		fputs("  }\n  \"host\" -- ", f);
		dot_id(f, "bridge", n->bridge);
		fprintf(f, " [label=\"%s\"%s];\n", n->internal ? "internal" : n->nat ? "NAT" : "routed",
			n->internal ? ", style=dashed" : n->nat ? ", penwidth=2, color=\"#2e7d32\"" : "");
	}
	for (j = 0; j < t->n_nodes; j++) {
		const struct topo_node *nd = &t->nodes[j];
		size_t k;

		if (!nd->n_att) {
			fputs("  ", f);
			dot_id(f, "node", nd->name);
			fputs(" [label=", f);
			dot_esc(f, nd->name);
			fprintf(f, "%s%s];\n", g->live ? ", " : "",
				dot_color(card_state(g, j, SIZE_MAX, true)));
		}
		for (k = 0; k < nd->n_att; k++) {
			enum gstate st = g->atts[g->att_base[j] + k].st;

			fputs("  ", f);
			dot_id(f, "node", nd->name);
			fputs(" -- ", f);
			dot_id(f, "bridge", t->nets[nd->att[k].net].bridge);
			att_addrs(&nd->att[k], a, sizeof(a));
			snprintf(line, sizeof(line), "%s %s", nd->att[k].ifname, a);
			fputs(" [label=", f);
			dot_esc(f, line);
			fprintf(f, "%s];\n", st == GS_MISSING ? ", style=dashed, color=\"#c62828\"" :
				st == GS_DRIFTED ? ", color=\"#d98200\"" : "");
		}
		for (k = 0; k < nd->n_publish; k++) {
			fputs("  \"host\" -- ", f);
			dot_id(f, "node", nd->name);
			snprintf(line, sizeof(line), "publish %s", nd->publish[k]);
			fputs(" [style=dotted, label=", f);
			dot_esc(f, line);
			fprintf(f, "%s];\n", g->pubs[g->pub_base[j] + k].st == GS_MISSING ?
				", color=\"#c62828\"" : "");
		}
	}
	for (i = 0; i < t->n_cables; i++) {
		const struct topo_cable *c = &t->cables[i];
		char ea[200], eb[200];

		fputs("  ", f);
		if (ns_is_host(c->a))
			fputs("\"host\"", f);
		else
			dot_id(f, "node", c->a);
		fputs(" -- ", f);
		if (ns_is_host(c->b))
			fputs("\"host\"", f);
		else
			dot_id(f, "node", c->b);
		cable_end(c, false, ea, sizeof(ea));
		cable_end(c, true, eb, sizeof(eb));
		snprintf(line, sizeof(line), "cable\n%s\n%s", ea, eb);
		fputs(" [color=\"#6a4c93\", label=", f);
		dot_esc(f, line);
		fprintf(f, "%s];\n", g->cables[i].st == GS_MISSING ? ", style=dashed" : "");
	}
	fputs("}\n", f);
}

/* ---- mermaid ---------------------------------------------------------------------- */

/* Mermaid ids are words: a name of letters, digits and '_' is used as it
 * is after a prefix; any other one gets its index, so that two names never
 * share an id ("n_web", "m3_web_1" for "web-1"). */
static void mm_id(FILE *f, const char *kind, const char *name, size_t idx)
{
	const char *c;
	bool plain = true;

	for (c = name; *c; c++)
		plain &= (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
			 (*c >= '0' && *c <= '9') || *c == '_';
	if (plain) {
		fprintf(f, "%s_%s", kind, name);
		return;
	}
	fprintf(f, "%s%zu_", kind, idx);
	for (c = name; *c; c++)
		fputc(((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		       (*c >= '0' && *c <= '9')) ? *c : '_', f);
}

/* A label inside "...": mermaid's entity codes for what would end it. */
static void mm_label(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++)
		switch (*s) {
		case '"': fputs("#quot;", f); break;
		case '<': fputs("#lt;", f); break;
		case '>': fputs("#gt;", f); break;
		case '#': fputs("#35;", f); break;
		case '\n': fputs("<br/>", f); break;
		default: fputc(*s, f);
		}
	fputc('"', f);
}

static void mm_net_id(const struct graph *g, FILE *f, size_t i)
{
	mm_id(f, "bridge", g->t->nets[i].bridge, i);
}

static void mm_node_id(const struct graph *g, FILE *f, const char *name)
{
	const struct topo_node *nd = topo_node_find(g->t, name);

	if (!nd)
		fputs("host", f);
	else
		mm_id(f, "n", name, (size_t)(nd - g->t->nodes));
}

static void mm_write(const struct graph *g)
{
	const struct topo *t = g->t;
	FILE *f = g->f;
	char line[1024], a[200];
	size_t i, j, k;

	fputs("graph LR\n", f);
	snprintf(line, sizeof(line), "upstream\nthe way out%s%s", t->upstream ? "\n" : "",
		 t->upstream ? t->upstream : "");
	fputs("  upstream((", f);
	mm_label(f, line);
	fputs("))\n  host[[\"host\"]]\n  upstream ---|default route| host\n", f);
	for (i = 0; i < t->n_nets; i++) {
		const struct topo_net *n = &t->nets[i];
		char sub[160], gw[160];

		net_subnets(n, sub, sizeof(sub));
		net_gateways(n, gw, sizeof(gw));
		fprintf(f, "  subgraph net%zu [", i);
		snprintf(line, sizeof(line), "network %s: %s", n->name, sub);
		mm_label(f, line);
		fputs("]\n    ", f);
		mm_net_id(g, f, i);
		fputs("{{", f);
		snprintf(line, sizeof(line), "bridge %s\n%s", n->bridge, gw);
		mm_label(f, line);
		fputs("}}\n", f);
		for (j = 0; j < t->n_nodes; j++) {
			const struct topo_node *nd = &t->nodes[j];

			if (!nd->n_att || nd->att[0].net != i)
				continue;
			fputs("    ", f);
			mm_id(f, "n", nd->name, j);
			snprintf(line, sizeof(line), "%s", nd->name);
			for (k = 0; k < nd->n_att; k++) {
				att_addrs(&nd->att[k], a, sizeof(a));
				snprintf(line + strlen(line), sizeof(line) - strlen(line), "\n%s", a);
			}
			fputc('[', f);
			mm_label(f, line);
			fputs("]\n", f);
		}
		fputs("  end\n  host ---|", f);
		mm_label(f, n->internal ? "internal" : n->nat ? "NAT" : "routed");
		fputs("| ", f);
		mm_net_id(g, f, i);
		fputc('\n', f);
	}
	for (j = 0; j < t->n_nodes; j++) {
		const struct topo_node *nd = &t->nodes[j];

		if (!nd->n_att) {
			fputs("  ", f);
			mm_id(f, "n", nd->name, j);
			fputc('[', f);
			mm_label(f, nd->name);
			fputs("]\n", f);
		}
		for (k = 0; k < nd->n_att; k++) {
			att_addrs(&nd->att[k], a, sizeof(a));
			snprintf(line, sizeof(line), "%s %s", nd->att[k].ifname, a);
			fputs("  ", f);
			mm_id(f, "n", nd->name, j);
			fputs(" ---|", f);
			mm_label(f, line);
			fputs("| ", f);
			mm_net_id(g, f, nd->att[k].net);
			fputc('\n', f);
		}
		for (k = 0; k < nd->n_publish; k++) {
			snprintf(line, sizeof(line), "publish %s", nd->publish[k]);
			fputs("  host -.-|", f);
			mm_label(f, line);
			fputs("| ", f);
			mm_id(f, "n", nd->name, j);
			fputc('\n', f);
		}
	}
	for (i = 0; i < t->n_cables; i++) {
		const struct topo_cable *c = &t->cables[i];
		char ea[200], eb[200];

		cable_end(c, false, ea, sizeof(ea));
		cable_end(c, true, eb, sizeof(eb));
		snprintf(line, sizeof(line), "cable %s \xe2\x80\x94 %s", ea, eb);
		fputs("  ", f);
		mm_node_id(g, f, c->a);
		fputs(" ===|", f);
		mm_label(f, line);
		fputs("| ", f);
		mm_node_id(g, f, c->b);
		fputc('\n', f);
	}
	if (!g->live)
		return;
	fputs("  classDef up fill:#e9f7ec,stroke:#2e8b57\n"
	      "  classDef drifted fill:#fff4e0,stroke:#d98200,stroke-width:2px\n"
	      "  classDef missing fill:#fdecea,stroke:#c62828,stroke-dasharray:5 3\n", f);
	for (i = 0; i < t->n_nets; i++) {
		fputs("  class ", f);
		mm_net_id(g, f, i);
		fprintf(f, " %s\n", gstate_name[g->nets[i].st]);
	}
	for (j = 0; j < t->n_nodes; j++) {
		fputs("  class ", f);
		mm_id(f, "n", t->nodes[j].name, j);
		fprintf(f, " %s\n", gstate_name[card_state(g, j, SIZE_MAX, true)]);
	}
}

/* ---- HTML ---------------------------------------------------------------------------- */

static json_t *html_data(const struct graph *g)
{
	const struct topo *t = g->t;
	json_t *nodes = json_array(), *nets = json_array();
	size_t i, k;

	for (i = 0; i < t->n_nodes; i++) {
		const struct topo_node *nd = &t->nodes[i];
		json_t *addrs = json_array(), *on = json_array(), *pub = json_array();
		char a[200], why[2048];

		for (k = 0; k < nd->n_att; k++) {
			att_addrs(&nd->att[k], a, sizeof(a));
			if (a[0])
				json_array_append_new(addrs, json_string(a));
			json_array_append_new(on, json_string(t->nets[nd->att[k].net].name));
		}
		for (k = 0; k < nd->n_publish; k++)
			json_array_append_new(pub, json_string(nd->publish[k]));
		node_why(g, i, why, sizeof(why));
		json_array_append_new(nodes, json_pack("{s:s,s:s,s:o,s:o,s:o,s:s}", "name", nd->name,
			"state", gstate_name[card_state(g, i, SIZE_MAX, true)], "addresses", addrs,
			"networks", on, "published", pub, "why", why));
	}
	for (i = 0; i < t->n_nets; i++) {
		char sub[160];

		net_subnets(&t->nets[i], sub, sizeof(sub));
		json_array_append_new(nets, json_pack("{s:s,s:s,s:s,s:s}", "name", t->nets[i].name,
			"bridge", t->nets[i].bridge, "subnet", sub, "state",
			gstate_name[worse(g->nets[i].st, g->nats[i].st)]));
	}
	return json_pack("{s:s,s:b,s:i,s:o,s:o}", "name", t->name, "live", g->live,
			 "differences", (int)g->n_diff, "nodes", nodes, "networks", nets);
}

static const char html_css[] =
	"body{font-family:'DejaVu Sans',Helvetica,Arial,sans-serif;margin:0;color:#1d2733}"
	"header{padding:10px 16px;border-bottom:1px solid #d0d7de;display:flex;gap:16px;align-items:center}"
	"header h1{font-size:18px;margin:0}"
	"main{display:flex;align-items:flex-start}"
	"#picture{flex:1;overflow:auto;max-height:calc(100vh - 52px)}"
	"aside{width:300px;padding:8px 12px;border-left:1px solid #d0d7de;overflow:auto;"
	"max-height:calc(100vh - 52px);font-size:13px}"
	"aside h2{font-size:14px;margin:8px 0}"
	"#node-list{list-style:none;padding:0;margin:0}"
	"#node-list li{padding:3px 6px;border-radius:4px;cursor:pointer;border-left:4px solid #4a78a8}"
	"#node-list li.state-up{border-color:#2e8b57}#node-list li.state-drifted{border-color:#d98200}"
	"#node-list li.state-missing{border-color:#c62828}"
	"#node-list li.hl,.card.hl>rect{background:#ffe9a8;fill:#ffe9a8 !important}"
	".card.dim{opacity:.25}#node-list li[hidden]{display:none}";

/* Hover highlights a node's cards and list entry together; the filter
 * dims the cards that do not match; a click scrolls to the first card. */
static const char html_js[] =
	"(function(){\n"
	"var data=JSON.parse(document.getElementById('topology-data').textContent);\n"
	"var list=document.getElementById('node-list'),byName={};\n"
	"document.querySelectorAll('[data-node]').forEach(function(e){\n"
	"  var n=e.getAttribute('data-node');(byName[n]=byName[n]||[]).push(e);});\n"
	"data.nodes.forEach(function(n){\n"
	"  var li=document.createElement('li');li.setAttribute('data-node',n.name);\n"
	"  li.className='state-'+n.state;\n"
	"  li.textContent=n.name+(n.addresses.length?' \\u2014 '+n.addresses.join(', '):'')+\n"
	"    (data.live&&n.state!=='up'?' ('+n.state+')':'');\n"
	"  if(n.why)li.title=n.why;\n"
	"  li.addEventListener('click',function(){var c=(byName[n.name]||[])[0];\n"
	"    if(c&&c.scrollIntoView)c.scrollIntoView({block:'center',inline:'center'});});\n"
	"  list.appendChild(li);(byName[n.name]=byName[n.name]||[]).push(li);});\n"
	"function mark(ev,on){var e=ev.target.closest&&ev.target.closest('[data-node]');\n"
	"  if(!e)return;(byName[e.getAttribute('data-node')]||[]).forEach(function(x){\n"
	"    x.classList.toggle('hl',on);});}\n"
	"document.addEventListener('mouseover',function(ev){mark(ev,true);});\n"
	"document.addEventListener('mouseout',function(ev){mark(ev,false);});\n"
	"document.getElementById('filter').addEventListener('input',function(){\n"
	"  var q=this.value.toLowerCase();\n"
	"  data.nodes.forEach(function(n){var hit=!q||n.name.toLowerCase().indexOf(q)>=0||\n"
	"    n.addresses.join(' ').indexOf(q)>=0;\n"
	"    (byName[n.name]||[]).forEach(function(x){if(x.tagName==='LI')x.hidden=!hit;\n"
	"      else x.classList.toggle('dim',!hit);});});});\n"
	"document.getElementById('count').textContent=data.nodes.length+' nodes, '+\n"
	"  data.networks.length+' networks'+(data.live?', '+data.differences+' differences':'');\n"
	"})();\n";

static void html_write(struct graph *g)
{
	FILE *f = g->f;
	json_t *data = html_data(g);
	char *js = json_dumps(data, JSON_COMPACT | JSON_PRESERVE_ORDER), *c;

	json_decref(data);
	if (!js)
		abort();
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>nsnet: topology ", f);
	xml_esc(f, g->t->name);
	fprintf(f, "</title>\n<style>%s</style>\n</head>\n<body>\n<header><h1>topology ", html_css);
	xml_esc(f, g->t->name);
	fputs("</h1><span id=\"count\"></span>"
	      "<input id=\"filter\" type=\"search\" placeholder=\"find a node or address\"></header>\n"
	      "<main>\n<section id=\"picture\">\n", f);
	svg_write(g, false);
	fputs("</section>\n<aside><h2>Nodes</h2><ul id=\"node-list\"></ul></aside>\n</main>\n"
	      "<script type=\"application/json\" id=\"topology-data\">", f);
	/* '<' inside a script element could close it: \u003c is the same
	 * character to JSON.parse */
	for (c = js; *c; c++)
		if (*c == '<')
			fputs("\\u003c", f);
		else
			fputc(*c, f);
	free(js);
	fprintf(f, "</script>\n<script>\n%s</script>\n</body>\n</html>\n", html_js);
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
	case GRAPH_SVG: svg_write(&g, true); break;
	case GRAPH_DOT: dot_write(&g); break;
	case GRAPH_MERMAID: mm_write(&g); break;
	case GRAPH_HTML: html_write(&g); break;
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
	if ((rc = topo_load(nn, file_or_name, &t)))
		return rc;
	/* A file is drawn as written; a name is a topology that is up, drawn
	 * with what the kernel has. */
	live = !file_or_name || !topo_arg_is_file(file_or_name);
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
