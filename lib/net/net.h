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

/* Remove every port published to one of the namespaces names[0..n-1]
 * (they must still exist); said (may be NULL) receives the specs removed,
 * comma-separated, for the sentence that tells the user. Goes on after a
 * failure and returns the first. */
int net_unpublish_all(struct nsnet *nn, char *const *names, size_t n,
		      char *said, size_t len);

#endif /* NSNET_NET_H */
