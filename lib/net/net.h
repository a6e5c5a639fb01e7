/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * net/net.h - the network layer: what a person builds command by command
 * (cables, attachments, nsnet's bridges) and the inspection of it (show),
 * made of kernel/ objects and registered with firewall/. What it offers the
 * layers above (topology/).
 */
#ifndef NSNET_NET_H
#define NSNET_NET_H

#include "kernel/kernel.h"
#include "firewall/firewall.h"

/* The cable of nsnet_cable_add(): a veth pair between two namespaces with
 * the mark, addresses and names given; undone when any part fails. */
int net_cable_add(struct nsnet *nn, const struct nsnet_cable *c);

/* ---- impair.c: rate, loss and delay of links ------------------------------------ */

/* The parsers behind nsnet_link_impair_parse(): 0, -EINVAL (not that
 * kind of word) or -ERANGE (out of range); no error set. */
int impair_parse_rate(const char *s, uint64_t *bps);
int impair_parse_loss(const char *s, uint32_t *ppm);
int impair_parse_time(const char *s, unsigned int *us);
int net_impair_parse(struct nsnet *nn, struct nsnet_link_impair *imp,
		     const char *key, const char *value);
/* nsnet_link_impair(), for the topology. */
int net_link_impair(struct nsnet *nn, const char *ns_name, const char *ifname,
		    const struct nsnet_link_impair *imp);
/* nsnet's impairments in one namespace, read once for many of its links:
 * its qdiscs (one dump) and its loss rules. */
struct impair_ns {
	struct impair_ns_link {
		int index;
		uint64_t rate_bps;
		unsigned int delay_us, jitter_us;
	} *links;
	size_t n;
	struct fw_loss *loss;
	size_t n_loss;
};
int impair_ns_read(struct nsnet *nn, struct ns *ns, struct impair_ns *st);
/* The same without the qdisc dump (which waits for RTNL) when qdiscs is
 * false: for a namespace whose links all have the kernel's default root
 * qdisc, which their IFLA_QDISC says (no rate, no delay); the loss rules
 * are read either way. */
int impair_ns_read_some(struct nsnet *nn, struct ns *ns, bool qdiscs,
			struct impair_ns *st);
/* Whether a link's root qdisc (IFLA_QDISC) is the kernel's default. */
bool impair_qdisc_default(const char *qdisc);
void impair_ns_free(struct impair_ns *st);
/* What the link (index, ifname) of st has, as nsnet_link_impair() sets it
 * on one end: the rate and delay of what it sends, the loss of what it
 * receives (has_peer: a veth) or sends (no peer). */
void impair_ns_link(const struct impair_ns *st, int index, const char *ifname,
		    bool has_peer, struct nsnet_link_impair *out);
/* Whether have is want, compared as the kernel keeps the values. */
bool impair_same(const struct nsnet_link_impair *have,
		 const struct nsnet_link_impair *want);
bool impair_none(const struct nsnet_link_impair *imp);
/* 0 when the kernel has netem; else the error of a delay without it. */
int impair_netem_check(struct nsnet *nn);
/* Remove every port published to one of the namespaces names[0..n-1]
 * (they must still exist); said (may be NULL) receives the specs removed,
 * comma-separated, for the sentence that tells the user. Goes on after a
 * failure and returns the first. */
int net_unpublish_all(struct nsnet *nn, char *const *names, size_t n,
		      char *said, size_t len);
/* attach.c: under the lock. Gives the addresses without a prefix the
 * prefix of the bridge's subnet; with auto_addr and none given, adds a
 * free address of each of the bridge's subnets (ip_pick_free, starting
 * where ipam would for a node ns_name on it). What it chose or completed
 * is appended to chosen. */
int attach_addrs_complete(struct nsnet *nn, struct ns *host, const char *bridge,
			  int br_index, const char *ns_name, bool auto_addr,
			  struct ipaddr *addrs, size_t *n_addrs, size_t max,
			  char *chosen, size_t chosen_len);
/* /run/nsnet/attach/<bridge>/<ns>: the host end and the addresses. */
int attach_record_write(struct nsnet *nn, const char *bridge, const char *ns,
			const char *host_if, const struct ipaddr *addrs, size_t n);
int attach_record_host_if(const char *bridge, const char *ns, char *host_if,
			  size_t len);
void attach_record_remove(const char *bridge, const char *ns);
/* Every record of a bridge (it was deleted), or of a namespace. */
void attach_records_forget_bridge(const char *bridge);
void attach_records_forget_ns(const char *ns);

#endif /* NSNET_NET_H */
