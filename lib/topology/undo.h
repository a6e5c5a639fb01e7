/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * topology/undo.h - what an up did, to undo when it fails (undo.c); for
 * apply.c alone. up notes each change as it makes it, after the kernel
 * said it was made, and undo_run() takes them back in reverse.
 */
#ifndef NSNET_TOPO_UNDO_H
#define NSNET_TOPO_UNDO_H

#include "topology/topology.h"
#include "firewall/firewall.h"

/*
 * A change to what was there before this up, put back in reverse: kind is
 * the action that made it. Strings are the model's (it outlives the undo)
 * but for key, old and hosts.
 */
struct undo_item {
	enum topo_act_kind kind;
	const char *ns, *ifname;        /* the node (or the host), the interface */
	struct ipaddr ip, via;          /* ADDR, BRIDGE_ADDR: ip; ROUTE*: dst, via */
	struct nl_route route;          /* ROUTE_DEFAULT, readd: one it replaced */
	bool readd;
	size_t idx;                     /* RUN, SETUP: which command */
	char *key, *old;                /* SYSCTL: the path and the value before;
					 * *_UP: the alias before */
	bool up;                        /* *_UP: the link was up */
	int master;                     /* HOST_UP: its bridge before (0: none) */
	struct nsnet_link_impair imp;   /* IMPAIR, CABLE_IMPAIR: before */
	struct fw_bridge_state fw;      /* FIREWALL, CABLE_NAT: before */
	struct topo_hosts_copy hosts;   /* HOSTS: before (hosts shared by the
					 * items after it while it is the same
					 * text; hosts_own: this one frees it) */
	bool hosts_own;
};

/* What this up created, and what it changed of what stays. */
struct undo {
	char **ns;
	size_t n_ns;
	char **links;      /* host links */
	size_t n_links;
	char **ends;       /* those of them whose peer is in a node made now */
	size_t n_ends;
	char **bridges_fw;
	size_t n_bridges_fw;
	char **nat;        /* bridges */
	size_t n_nat;
	char **pub;        /* node, spec, node, spec... */
	size_t n_pub;
	bool record_new;   /* the topology was not up before */
	struct topo_record_copy record;  /* else: its record before */
	const char *name;
	bool *node_new;    /* per node of the topology: made by this up */
	struct undo_item *items;
	size_t n_items;
};

/* Whether this up created node's namespace (all in it goes with it);
 * by name, for the few (cables) that have no index at hand. */
bool undo_ns_new(const struct undo *u, const char *node);
/* A new item of kind on ns, ifname (may be NULL), to fill. */
struct undo_item *undo_note(struct undo *u, enum topo_act_kind kind,
			    const char *ns, const char *ifname);
/* The state of a link of node ns_name (open as ns) that stays, before a
 * repair sets it up, marks or enslaves it (kind: LO_UP, INNER_UP,
 * HOST_UP, BRIDGE_UP). */
int undo_note_link(struct nsnet *nn, struct undo *u, enum topo_act_kind kind,
		   struct ns *ns, const char *ns_name, const char *ifname);
/* The default routes of family in node ns_name, before a replace. */
int undo_note_default_routes(struct nsnet *nn, struct undo *u, struct ns *ns,
			     const char *ns_name, int family);
/* The value of sysctl path (a/b/c) in node ns_name, before a write. */
int undo_note_sysctl(struct nsnet *nn, struct undo *u, struct ns *ns,
		     const char *ns_name, const char *path);
/* The impairments of ifname in ns_name, before they change (kind IMPAIR
 * or CABLE_IMPAIR). */
int undo_note_impair(struct nsnet *nn, struct undo *u, enum topo_act_kind kind,
		     const char *ns_name, const char *ifname);
/* Node's hosts files, before up writes them (one copy of a text that many
 * nodes have: 10,000 nodes' hosts files are 3 GB). */
void undo_note_hosts(struct undo *u, const char *node);
/* What the firewall holds of bridge, before a repair of its isolation. */
int undo_note_firewall(struct nsnet *nn, struct undo *u, const char *bridge);
/* The NAT of ifname (a cable's end in the host), before a repair takes it
 * away to make it again. */
int undo_note_nat(struct nsnet *nn, struct undo *u, const char *ifname);

/* Undo it all, in reverse; the context error stays the failure's. */
void undo_run(struct nsnet *nn, struct undo *u);
void undo_free(struct undo *u);

#endif
