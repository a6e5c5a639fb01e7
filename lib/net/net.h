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

#endif /* NSNET_NET_H */
