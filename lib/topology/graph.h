/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * topology/graph.h - what the files of the picture share: the picture's
 * model (each object of the topology with its state) and the text helpers
 * every format uses. Only lib/topology/graph*.c include it; the layers
 * above call topo_graph (topology/topology.h).
 */
#ifndef NSNET_TOPOLOGY_GRAPH_H
#define NSNET_TOPOLOGY_GRAPH_H

#include <stdio.h>

#include "topology/topology.h"

/* ---- graph.c: the picture's model -------------------------------------------- */

enum gstate { GS_NONE, GS_UP, GS_DRIFTED, GS_MISSING };

/* "file", "up", "drifted", "missing": a CSS class and a word of the picture */
extern const char *const graph_state_name[];

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

enum gstate graph_state_worse(enum gstate a, enum gstate b);
/* A node's state on one card: the namespace, that attachment (SIZE_MAX:
 * all of them) and, with pubs, its published ports. */
enum gstate graph_card_state(const struct graph *g, size_t node, size_t att,
			     bool pubs);
/* Every difference about a node, for its tooltip. */
void graph_node_why(const struct graph *g, size_t node, char *buf, size_t len);

/* "10.10.0.10 fd00::10" for an attachment (no prefixes: the network says). */
void graph_att_addrs(const struct topo_attach *a, char *buf, size_t len);
void graph_net_subnets(const struct topo_net *n, char *buf, size_t len);
void graph_net_gateways(const struct topo_net *n, char *buf, size_t len);
/* "ns:ifname 10.0.0.1/24": end a (b false) or end b of a cable. */
void graph_cable_end(const struct topo_cable *c, bool b, char *buf, size_t len);
/* Whether the host forwards for a NAT: a network's nat: or a cable end's. */
bool graph_has_nat(const struct topo *t);
/* s with XML's special characters as entities. */
void graph_xml_esc(FILE *f, const char *s);

/* ---- the formats, each written to g->f ------------------------------------------ */

/* graph_svg.c; standalone: with the XML declaration (not inside HTML) */
void graph_svg_write(const struct graph *g, bool standalone);
/* graph_html.c: one page, the SVG inside */
void graph_html_write(struct graph *g);
/* graph_text.c */
void graph_dot_write(const struct graph *g);
void graph_mermaid_write(const struct graph *g);

#endif
