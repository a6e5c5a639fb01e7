/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * check.h - nsnet check: which probes a topology's matrix and expectations
 * need (check_plan_build), how the answers add up (check_cells_update,
 * check_expect_met) and the JSON document (check_json). All pure, for the
 * unit tests; check_run() is the one function that sends packets.
 */
#ifndef NSNET_CHECK_H
#define NSNET_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "topo.h"

struct json_t;

#define CHECK_ADDR_MAX 8

enum check_result {
	CHECK_PENDING = 0, /* not answered yet; after the run: no address */
	CHECK_REACH,       /* echo reply, TCP connected, UDP datagram back */
	CHECK_REFUSED,     /* TCP RST / ICMP port unreachable: host there, port closed */
	CHECK_UNREACH,     /* an ICMP error came back, or the kernel had no route */
	CHECK_TIMEOUT,     /* nothing came back before the deadline */
};

/* A column of the matrix: a node (by its addresses) or one address. */
struct check_target {
	char *name;               /* node name, or the address as text */
	ssize_t node;             /* index into topo.nodes; -1: an address */
	struct ipaddr addr[CHECK_ADDR_MAX];
	int seg[CHECK_ADDR_MAX];  /* the segment of each address: a network's
				   * index, n_nets + a cable's; -1: unknown */
	char ifname[CHECK_ADDR_MAX][IFNAMSIZ]; /* the node's interface there */
	size_t n_addr;
};

/* One packet exchange: from a node to one address of a target. */
struct check_probe {
	size_t from, target, addr, cell;
	int proto;                /* 0: ICMP; IPPROTO_TCP / IPPROTO_UDP */
	int family;               /* of the address */
	uint16_t port;
	uint16_t seq;             /* ICMP: echo sequence number within its source */
	/* Source and target on one segment: the probe makes a neighbour
	 * entry on each side, which check_run removes afterwards. */
	bool local;
	char src_if[IFNAMSIZ];
	struct ipaddr src_addr;   /* the source's address on that segment */
	enum check_result result;
	int error;                /* errno of a refusal or local failure */
	uint8_t icmp_type, icmp_code; /* of an ICMP error */
	double rtt_ms;
};

/* One answer of the matrix: from a node to a target, by one protocol;
 * reached when any of the target's addresses answered. */
struct check_cell {
	size_t from, target;
	int proto;
	uint16_t port;
	enum check_result result;
	double rtt_ms;            /* the fastest reached address */
	const struct check_probe *why; /* the probe whose answer explains it */
	size_t probe0, n_probes;  /* its probes: one per address of the target */
};

struct check_plan {
	struct check_target *targets;  /* nodes first (same index), then addresses */
	size_t n_targets;
	struct check_probe *probes;
	size_t n_probes;
	struct check_cell *cells;
	size_t n_cells;
	size_t *expect_cell;           /* per topo.expects: its cell */
	size_t n_nodes;
	double timeout_s;              /* of the run, for the reasons given */
};

/* Fails (exit 2) when an expectation names neither a node nor an address. */
int check_plan_build(struct nsnet *nn, const struct topo *t,
		     struct check_plan *p);
void check_plan_free(struct check_plan *p);
/* Fold the probes' results into their cells. */
void check_cells_update(struct check_plan *p);
bool check_expect_met(const struct topo_expect *e, const struct check_cell *c);
const char *check_result_name(enum check_result r);
/* Why a cell came out as it did, in a few words ("no answer from
 * 10.10.0.10 in 1.5 s"). */
void check_cell_why(const struct check_plan *p, const struct check_cell *c,
		    char *buf, size_t len);
/* The document nsnet check prints (docs/json.md); *broken: expectations
 * not met. */
struct json_t *check_json(const struct topo *t, const struct check_plan *p,
			  double timeout_s, double elapsed_ms, size_t *broken);

/* Send every probe of the plan, all sources at once, bounded by timeout_s. */
int check_run(struct nsnet *nn, const struct topo *t, struct check_plan *p,
	      double timeout_s);

#endif /* NSNET_CHECK_H */
