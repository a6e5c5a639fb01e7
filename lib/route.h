/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef NSNET_ROUTE_H
#define NSNET_ROUTE_H

/* The routing protocol number that marks routes nsnet added ("proto 245"
 * in `ip route`); unassigned in iproute2's rt_protos. */
#define RTPROT_NSNET 245

struct nsnet;
struct ipaddr;
int route_parse(struct nsnet *nn, const char *dest, const char *via,
		struct ipaddr *d, struct ipaddr *g);

#endif
