/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * topology/parse.h - what parse.c shares with parse_hosts.c, which reads
 * the keys of several machines (hosts:, host:, vni:, gateway_host:, mtu:)
 * with parse.c's own helpers: one way of reading a file, whoever reads
 * which key. Nothing else includes it.
 */
#ifndef NSNET_TOPO_PARSE_H
#define NSNET_TOPO_PARSE_H

#include <yaml.h>

#include "topology/topology.h"

struct parser {
	struct nsnet *nn;
	const char *file;
	yaml_document_t *doc;
	struct topo *t;
	struct topo_set nets;  /* name -> index in t->nets */
};

/* Mapping iteration with duplicate-key and unknown-key detection. */
typedef int (*pair_fn)(struct parser *p, const char *key, yaml_node_t *k,
		       yaml_node_t *v, void *ctx);

/* parse.c's helpers, as parse_hosts.c calls them. */
struct topo_pos parse_pos(const yaml_node_t *n);
bool parse_is_null(const yaml_node_t *n);
/* A scalar without NUL bytes, else the error at its position. */
int parse_scalar(struct parser *p, const yaml_node_t *n, const char *what,
		 const char **out);
int parse_each_pair(struct parser *p, yaml_node_t *map, const char *what,
		    pair_fn fn, void *ctx);
int parse_unknown_key(struct parser *p, yaml_node_t *k, const char *key,
		      const char *where, const char *known);

/* ---- parse_hosts.c ---------------------------------------------------------- */

/* hosts: {NAME: {address: ADDR}, ...} */
int parse_hosts(struct parser *p, yaml_node_t *v);
/* A network's vni:, gateway_host: or mtu:; -ENOENT (nothing said) for
 * any other key. */
int parse_net_span_key(struct parser *p, const char *key, yaml_node_t *v,
		       struct topo_net *net);
/* A node's host: */
int parse_node_host(struct parser *p, yaml_node_t *v, struct topo_node *nd);
/* Once the whole file is read: every node on a host of hosts:, each
 * network's hosts, gateway host and VNI, cables on one machine, ports
 * published where replies come back (docs/multihost.md). */
int parse_hosts_check(struct parser *p);

#endif /* NSNET_TOPO_PARSE_H */
