// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * graph_svg.c - the picture as SVG (also the heart of the HTML page).
 *
 * The SVG is laid out for 1,000 nodes: one box per network with its nodes
 * in a grid (a node on two networks has a card in both, highlighted
 * together in the HTML page), the host as a column on the left with the way
 * out above it, and cables routed through the gaps between rows of cards
 * into lanes beside the boxes, so that no line crosses a card.
 */
#include <stdio.h>
#include <string.h>

#include "topology/graph.h"

/* ---- text that must fit ------------------------------------------------------- */

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
		graph_xml_esc(f, s);
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
	graph_xml_esc(f, buf);
	fputs("\xe2\x80\xa6", f);
}

/* How a network reaches the outside, in a word or two. */
static const char *net_way_out(const struct topo_net *n)
{
	return n->internal ? "internal: no way out" : n->nat ? "NAT" : "routed, no NAT";
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

			graph_net_subnets(n, sub, sizeof(sub));
			graph_net_gateways(n, gw, sizeof(gw));
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
		graph_xml_esc(f, s);
	fputs("</text>\n", f);
}

static void svg_card(const struct graph *g, const struct card *c, bool first)
{
	const struct topo_node *nd = &g->t->nodes[c->node];
	enum gstate st = graph_card_state(g, c->node, c->att, first);
	char line[512], why[2048];
	double ty = c->y + 31.0;
	size_t k;
	FILE *f = g->f;

	fputs("<g class=\"card ", f);
	fputs(graph_state_name[st], f);
	fputs("\" data-node=\"", f);
	graph_xml_esc(f, nd->name);
	fputs("\"><title>", f);
	graph_xml_esc(f, nd->name);
	graph_node_why(g, c->node, why, sizeof(why));
	if (why[0]) {
		fputs(": ", f);
		graph_xml_esc(f, why);
	}
	fprintf(f, "</title><rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" rx=\"6\"/>\n",
		c->x, c->y, CARD_W, CARD_H);
	svg_text(f, c->x + 8, c->y + 16, "name", nd->name,
		 g->live && st > GS_UP ? 16 : 24);
	if (g->live && st > GS_UP)
		fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"badge\" text-anchor=\"end\">%s</text>\n",
			c->x + CARD_W - 7, c->y + 15, graph_state_name[st]);
	if (c->att != SIZE_MAX) {
		char a[160];

		graph_att_addrs(&nd->att[c->att], a, sizeof(a));
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

		fprintf(f, "<g class=\"netbox %s\" data-net=\"", graph_state_name[st]);
		graph_xml_esc(f, n->name);
		fputs("\"><title>network ", f);
		graph_xml_esc(f, n->name);
		if (g->nets[b->net].why || g->nats[b->net].why) {
			fputs(": ", f);
			if (g->nets[b->net].why)
				graph_xml_esc(f, g->nets[b->net].why);
			if (g->nats[b->net].why) {
				fputs(g->nets[b->net].why ? "; " : "", f);
				graph_xml_esc(f, g->nats[b->net].why);
			}
		}
		fprintf(f, "</title><rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" rx=\"8\"%s/>\n",
			b->x, b->y, b->w, b->h,
			st == GS_MISSING ? " style=\"stroke:#c62828;stroke-dasharray:6 4\"" :
			st == GS_DRIFTED ? " style=\"stroke:#d98200;stroke-width:2\"" : "");
		snprintf(line, sizeof(line), "network %s%s%s", n->name,
			 g->live && st > GS_UP ? " \xe2\x80\x94 " : "",
			 g->live && st > GS_UP ? graph_state_name[st] : "");
		svg_text(f, b->x + PAD, b->y + 20, "nethead", line, 0);
		graph_net_subnets(n, sub, sizeof(sub));
		graph_net_gateways(n, gw, sizeof(gw));
		snprintf(line, sizeof(line), "bridge %s \xc2\xb7 %s \xc2\xb7 gateway %s \xc2\xb7 %s",
			 n->bridge, sub, gw, net_way_out(n));
		svg_text(f, b->x + PAD, b->y + 37, "sub", line, 0);
		/* the connector: the bridge is an interface of the host */
		fprintf(f, "<path class=\"wire %s %s\" d=\"M%.1f %.1fH%.1f\"/>\n",
			n->internal ? "internal" : n->nat ? "nat" : "routed",
			graph_state_name[graph_state_worse(st, nst)], MARGIN + HOST_W, cy, b->x);
		snprintf(line, sizeof(line), "%s%s", n->internal ? "internal" : n->nat ? "NAT" : "routed",
			 g->live && nst > GS_UP ? " (" : "");
		if (g->live && nst > GS_UP)
			snprintf(line + strlen(line), sizeof(line) - strlen(line), "%s)",
				 graph_state_name[nst]);
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

	nat = graph_has_nat(t);
	/* the way out: the host's own default route */
	fprintf(f, "<g class=\"upstream\"><title>the way out: the host's default route%s</title>"
		"<ellipse class=\"cloud\" cx=\"%.1f\" cy=\"%.1f\" rx=\"%.1f\" ry=\"24\"/>\n",
		nat ? ", reached through the host's NAT" : "", cx, top - 48, HOST_W / 2 - 6);
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
	/* the NAT of cable ends: what leaves by which interface */
	for (i = 0; i < t->n_cables && y < bottom - 40; i++)
		for (j = 0; j < 2; j++) {
			const struct topo_cable *c = &t->cables[i];

			if (!c->nat[j].on)
				continue;
			snprintf(line, sizeof(line), "NAT %s \xe2\x86\x92 %s", j ? c->b_if : c->a_if,
				 c->nat[j].out[0] ? c->nat[j].out : "the way out");
			fprintf(f, "<g class=\"endnat %s\">", graph_state_name[g->cables[i].st]);
			svg_text(f, MARGIN + 14, y, "small", line, 30);
			fputs("</g>", f);
			y += 14;
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
				 g->live && st > GS_UP ? graph_state_name[st] : "");
			fprintf(f, "<g class=\"pub %s\" data-node=\"", graph_state_name[st]);
			graph_xml_esc(f, t->nodes[i].name);
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
		const char *st = graph_state_name[g->cables[i].st];
		double off = (double)((int)(i % 5) - 2) * 7.0, dy = (double)(i % 3) * 4.0 + 6.0;

		graph_cable_end(c, false, ea, sizeof(ea));
		graph_cable_end(c, true, eb, sizeof(eb));
		fprintf(f, "<g class=\"cablegroup\"><title>cable c%zu: ", i + 1);
		graph_xml_esc(f, ea);
		fputs(" \xe2\x80\x94 ", f);
		graph_xml_esc(f, eb);
		if (g->cables[i].why) {
			fputs(": ", f);
			graph_xml_esc(f, g->cables[i].why);
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

		graph_cable_end(c, false, ea, sizeof(ea));
		graph_cable_end(c, true, eb, sizeof(eb));
		snprintf(line, sizeof(line), "c%zu  %s \xe2\x80\x94 %s", i + 1, ea, eb);
		if (c->mtu)
			snprintf(line + strlen(line), sizeof(line) - strlen(line), "  mtu %u", c->mtu);
		if (g->live && st > GS_UP)
			snprintf(line + strlen(line), sizeof(line) - strlen(line), "  %s",
				 graph_state_name[st]);
		fprintf(f, "<g class=\"cableline %s\">", graph_state_name[st]);
		svg_text(f, MARGIN + HOST_W + HOST_GAP + PAD, y + 40 + 18.0 * (double)i, NULL, line, 105);
		fputs("</g>\n", f);
	}
	fputs("</g>\n", f);
}

void graph_svg_write(const struct graph *g, bool standalone)
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
				graph_state_name[legend[k]], lx + 90.0 * (double)k, MARGIN + 6);
			svg_text(f, lx + 90.0 * (double)k + 22, MARGIN + 16, NULL,
				 graph_state_name[legend[k]], 0);
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
