/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * topology/export.h - what the files of nsnet export share: what was read
 * (the namespaces, export_read.c), the file it becomes (networks, nodes,
 * cables with their notes, export_model.c) and the helpers export.c
 * writes them with. Only lib/topology/export*.c include it; the layers
 * above call topo_export (topology/topology.h).
 */
#ifndef NSNET_TOPOLOGY_EXPORT_H
#define NSNET_TOPOLOGY_EXPORT_H

#include <jansson.h>

#include "topology/topology.h"
#include "kernel/kernel.h"

/* ---- what one namespace has ------------------------------------------------- */

struct xaddr {
	int index;
	struct ipaddr ip;
};

struct xlink {
	struct nl_link l;
	size_t peer_ns;         /* index into xport.ns; SIZE_MAX: unknown */
};

struct xns {
	char *name;
	struct xlink *links;
	size_t n_links;
	struct xaddr *addrs;
	size_t n_addrs;
	struct nl_route *routes;
	size_t n_routes;
	bool fwd4, fwd6;
	struct impair_ns imp;   /* nsnet's rate, loss, delay of its links */
};

/* ---- what the file says ----------------------------------------------------- */

/* Comment lines collected for one place of the file. */
struct notes {
	char **v;
	size_t n;
};

struct xnet {
	size_t link;            /* the bridge: index into the host's links */
	struct ipaddr subnet[2], gw[2];
	bool nat, internal, skip;
	struct notes notes;
};

struct xatt {
	size_t net;             /* index into xport.nets */
	size_t link;            /* the node's end: index into its links */
	struct ipaddr addr[2];
	struct nsnet_link_impair impair;
};

struct xnode {
	size_t ns;
	struct xatt *att;
	size_t n_att;
	char **routes;
	size_t n_routes;
	char **publish;
	size_t n_publish;
	struct notes notes;
};

struct xcable {
	size_t a_ns, a_link, b_ns, b_link;
	struct ipaddr a_addr, b_addr;
	unsigned int mtu;
	struct nsnet_link_impair impair;
	bool a_nat;             /* end a (the host's, if one is) has NAT */
	char a_nat_out[IFNAMSIZ]; /* leaving by that interface only; "": any */
};

struct xport {
	struct nsnet *nn;
	struct xns *ns;         /* [0] is the host */
	size_t n_ns;
	struct xnet *nets;
	size_t n_nets;
	struct xnode *nodes;    /* nodes[i] is ns[i + 1] */
	struct xcable *cables;
	size_t n_cables;
	struct notes top, cable_notes;
	json_t *fw;
	size_t *order;          /* nodes in the order they were made */
};

/* ---- export.c: helpers the pieces share ---------------------------------------- */

/* One comment line for the place n belongs to. */
void export_note(struct notes *n, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
const char *export_bridge_name(const struct xport *X, const struct xnet *n);
/* ip as text, with its prefix or without. */
const char *export_ipstr(const struct ipaddr *ip, bool prefix, char *buf, size_t len);

/* ---- export_read.c: what exists ---------------------------------------------- */

/* The firewall (X->fw; an empty object without one) and the links,
 * addresses, routes and forwarding of every namespace of X, with the
 * namespace at the other end of each veth. */
int export_read(struct xport *X);
void export_ns_clear(struct xns *x);
/* The link of x with that index (its position in *pos), or NULL. */
struct xlink *export_link_by_index(struct xns *x, int index, size_t *pos);
/* The first global address of family on a link, the count in *n. */
const struct ipaddr *export_first_addr(const struct xns *x, int index, int family,
				       size_t *n);

/* ---- export_model.c: what exists as a file's networks, nodes and cables ------- */

/* With every_bridge, each bridge nsnet made is a network even without
 * nodes (nothing was named). Also sets X->order. */
void export_model(struct xport *X, bool every_bridge);

#endif
