// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * graph_text.c - the picture as text for other tools to draw: Graphviz
 * DOT and mermaid. Each network is a cluster (DOT) or subgraph (mermaid)
 * with its bridge and the nodes whose first network it is.
 */
#include <stdio.h>
#include <string.h>

#include "topology/graph.h"

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

void graph_dot_write(const struct graph *g)
{
	const struct topo *t = g->t;
	FILE *f = g->f;
	char line[1024], a[200];
	size_t i, j;
	bool nat = graph_has_nat(t);

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

		graph_net_subnets(n, sub, sizeof(sub));
		graph_net_gateways(n, gw, sizeof(gw));
		fprintf(f, "  subgraph \"cluster_%zu\" {\n    label=", i);
		snprintf(line, sizeof(line), "network %s\n%s%s%s", n->name, sub,
			 g->live && g->nets[i].st > GS_UP ? "\n" : "",
			 g->live && g->nets[i].st > GS_UP ? graph_state_name[g->nets[i].st] : "");
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
				graph_att_addrs(&nd->att[k], a, sizeof(a));
				snprintf(line + strlen(line), sizeof(line) - strlen(line), "\n%s %s",
					 nd->att[k].ifname, a);
			}
			if (g->live && graph_card_state(g, j, SIZE_MAX, true) > GS_UP)
				snprintf(line + strlen(line), sizeof(line) - strlen(line), "\n%s",
					 graph_state_name[graph_card_state(g, j, SIZE_MAX, true)]);
			fputs(" [label=", f);
			dot_esc(f, line);
			fprintf(f, "%s%s];\n", g->live ? ", " : "",
				dot_color(graph_card_state(g, j, SIZE_MAX, true)));
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
				dot_color(graph_card_state(g, j, SIZE_MAX, true)));
		}
		for (k = 0; k < nd->n_att; k++) {
			enum gstate st = g->atts[g->att_base[j] + k].st;

			fputs("  ", f);
			dot_id(f, "node", nd->name);
			fputs(" -- ", f);
			dot_id(f, "bridge", t->nets[nd->att[k].net].bridge);
			graph_att_addrs(&nd->att[k], a, sizeof(a));
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
		graph_cable_end(c, false, ea, sizeof(ea));
		graph_cable_end(c, true, eb, sizeof(eb));
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

void graph_mermaid_write(const struct graph *g)
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

		graph_net_subnets(n, sub, sizeof(sub));
		graph_net_gateways(n, gw, sizeof(gw));
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
				graph_att_addrs(&nd->att[k], a, sizeof(a));
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
			graph_att_addrs(&nd->att[k], a, sizeof(a));
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

		graph_cable_end(c, false, ea, sizeof(ea));
		graph_cable_end(c, true, eb, sizeof(eb));
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
		fprintf(f, " %s\n", graph_state_name[g->nets[i].st]);
	}
	for (j = 0; j < t->n_nodes; j++) {
		fputs("  class ", f);
		mm_id(f, "n", t->nodes[j].name, j);
		fprintf(f, " %s\n", graph_state_name[graph_card_state(g, j, SIZE_MAX, true)]);
	}
}
