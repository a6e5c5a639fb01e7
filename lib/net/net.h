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
/* What the link sends (out) and, for a veth, what its peer sends (back,
 * may be NULL) is impaired with now, as nsnet set it (all fields set; 0:
 * none). */
int net_link_impair_get(struct nsnet *nn, const char *ns_name,
			const char *ifname, struct nsnet_link_impair *out,
			struct nsnet_link_impair *back);

#endif /* NSNET_NET_H */
