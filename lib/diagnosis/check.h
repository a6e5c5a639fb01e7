/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * diagnosis/check.h - what check.c (the probes) and check_neigh.c (the
 * neighbour entries they need) share: the state of one run. Private to
 * the check files.
 */
#ifndef NSNET_CHECK_H
#define NSNET_CHECK_H

#include <net/if.h>

#include "kernel/kernel.h"
#include "topology/topology.h"
#include "diagnosis/diagnosis.h"

#define CHECK_TRIES 3
#define CHECK_PAYLOAD 16
#define CHECK_RCVBUF (4 << 20)
/* Same-segment probes in flight. Each pair in flight holds a permanent
 * neighbour entry on both sides, about 500 bytes of kernel memory each
 * (measured on 6.18: 89,700 entries, 43 MiB of slab): 32,768 probes are
 * about 16 MiB. */
#define CHECK_WINDOW 32768
/* Probes whose neighbour entries are made at once: a sampled check's pairs
 * are spread over every namespace, and each batch should carry many. */
#define CHECK_PREPARE 8192
/* Probes started per turn of the loop before the answers are read again:
 * a long burst would make answers that came in time look late. */
#define CHECK_BURST 1024
/* Nodes per block of the start order (check_plan_order). */
#define CHECK_BLOCK 32

enum check_ent_state { ENT_QUEUED, ENT_OURS, ENT_THEIRS, ENT_FAILED };

/* A neighbour entry check needs: in a namespace (a node, or the host when
 * where == n_nodes), on ifindex, addr -> mac. */
struct check_entry {
	size_t where;
	int ifindex;
	struct ipaddr addr;
	unsigned char mac[6];
	enum check_ent_state state;
	int error;                 /* ENT_FAILED: the kernel's errno */
	unsigned int refs;         /* probes started and not done that need it */
	size_t next;               /* hash chain, or free list */
};

/* An entry to delete: a copy, the entry itself is gone from the table. */
struct check_del {
	int ifindex;
	struct ipaddr addr;
};

/* One interface of a node: what its neighbours' entries point at. */
struct check_if {
	char name[IFNAMSIZ];
	int index;
	unsigned char mac[6];
};

/* A namespace check talks to: its entries to add and delete next. */
struct check_where {
	size_t *add;
	size_t n_add;
	struct check_del *del;
	size_t n_del;
	bool dirty;
	struct check_if *ifs;      /* a node's interfaces; the host's bridges */
	size_t n_ifs;
};

/* What one node sends from. */
struct check_source {
	int icmp[2];               /* raw ICMP / ICMPv6 sockets; -1: none needed */
	uint16_t id;               /* echo id of this source */
	size_t *echo;              /* probe index by echo sequence number */
	size_t n_echo[2];
	size_t *echo6;
};

/* A queue of probes due at monotone times (see check_due). */
struct check_fifo {
	struct { size_t probe; double due; } *v;
	size_t head, n, cap;
};

struct check_state {
	struct nsnet *nn;
	const struct topo *t;
	struct check_plan *p;
	struct check_source *src;
	struct check_where *where; /* n_nodes + 1: the host last */
	int ep;                    /* epoll */
	int *fd;                   /* per probe: its TCP/UDP socket, or -1 */
	uint8_t *tries;            /* per probe: packets sent so far */
	double *sent_at;           /* per probe: first packet out, ms */
	double *first_try;         /* per probe: first attempt to send, ms */
	int *neigh_err;            /* per probe: an entry it needed failed */
	uint32_t (*pent)[2];       /* per same-segment probe: its two entries */
	bool *uncovered;           /* per probe: may need ARP/NDP */
	size_t *order, cursor;     /* start order (check_plan_order); prepared up to cursor */
	size_t ready, ready_end;   /* order[ready..ready_end): prepared, not yet sent */
	size_t *by_src, *src_probe; /* the probes of node n: src_probe[by_src[n]..by_src[n+1]) */
	double timeout_ms;
	size_t pending, done;
	size_t pair_inflight;      /* same-segment probes started, not done */
	/* the neighbour entries in use */
	struct check_entry *ent;
	size_t n_ent, free_ent;
	size_t *bucket;
	size_t n_bucket, live;
	size_t *dirty;             /* namespaces with entries to send */
	size_t n_dirty;
	bool pinned_ok;            /* routed probes have their entries */
	/* timers: resend 1 and 2, the deadline of echoes/UDP, of TCP, and
	 * the probes the kernel has not let out yet */
	struct check_fifo resend1, resend2, deadline, deadline_tcp, sendq;
	double next_progress;
	char mark[600];            /* the running mark (check_mark), or "" */
	/* Too few descriptors to keep every node's namespace and netlink
	 * socket open (10,000 nodes in a container limited to 20,000):
	 * opened when needed, closed after (check_ns_done). */
	bool tight;
};

/* ---- check_neigh.c: the neighbour entries ------------------------------------ */

/* The name of namespace w: a node, or the host (w == n_nodes). */
const char *check_where_name(const struct check_state *st, size_t w);
/* The interface ifname of namespace w, read once: index 0 when missing. */
const struct check_if *check_where_if(struct check_state *st, size_t w,
				      const char *ifname);
/* The entry table (grown as needed); release a reference. */
void check_ent_rehash(struct check_state *st);
void check_ent_unref(struct check_state *st, size_t e);
/* Done with namespace w for now: closed when descriptors are tight. */
void check_ns_done(struct check_state *st, size_t w);
/* Send the queued deletions and additions, one batch per namespace. */
void check_flush(struct check_state *st);
/* Reference the two entries a same-segment probe needs (st->pent[i]). */
void check_probe_entries(struct check_state *st, size_t i);
/* The gateways' and the nodes' entries of routed probes, for the run. */
void check_pin_routed(struct check_state *st);
bool check_routed_covered(const struct check_state *st, const struct check_probe *pr);
/* Queue the deletion of the entries a killed check left in namespace w. */
void check_purge(struct check_state *st, size_t w);

#endif /* NSNET_CHECK_H */
