// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * route.c - routes in the main table. Routes nsnet adds carry the routing
 * protocol RTPROT_NSNET, the mark later commands (and `ip route` readers)
 * use to tell them from the kernel's and the user's own.
 */
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/rtnetlink.h>

#include "kernel/kernel.h"

void route_queue(struct nl_batch *b, bool add, const char *ns_name,
		 const struct ipaddr *dest, const struct ipaddr *via, int oif,
		 const char *dev)
{
	struct rtmsg *rtm;
	char d[64], g[64] = "";

	if (dest->prefix == 0)
		snprintf(d, sizeof(d), "default");
	else
		ip_str(dest, d, sizeof(d));
	if (via)
		snprintf(g, sizeof(g), " via %s", ip_str(via, (char[64]){ 0 }, 64));
	nl_batch_add(b, add ? RTM_NEWROUTE : RTM_DELROUTE,
		     add ? NLM_F_CREATE | NLM_F_EXCL : 0, "%s route %s%s%s%s in %s",
		     add ? "add" : "delete", d, g, dev ? " dev " : "",
		     dev ? dev : "", ns_name);
	rtm = nl_put_extra(b, sizeof(*rtm));
	rtm->rtm_family = (unsigned char)(via ? via->family : dest->family);
	rtm->rtm_dst_len = (unsigned char)dest->prefix;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = add ? RTPROT_NSNET : RTPROT_UNSPEC;
	rtm->rtm_scope = add ? (via ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK)
			     : RT_SCOPE_NOWHERE;
	rtm->rtm_type = RTN_UNICAST;
	if (dest->prefix > 0)
		nl_put(b, RTA_DST, ip_len(dest), dest->a.b);
	if (via)
		nl_put(b, RTA_GATEWAY, ip_len(via), via->a.b);
	if (oif > 0)
		nl_put_u32(b, RTA_OIF, (uint32_t)oif);
}

/* Parse what the user wrote; the family of "default" comes from the
 * gateway, so "default via fd00::1" is an IPv6 default route. */
int route_parse(struct nsnet *nn, const char *dest, const char *via,
		struct ipaddr *d, struct ipaddr *g)
{
	if (prefix_parse(dest, d))
		return err_usage(nn,
			"route destination \"%s\" is not \"default\" or a network prefix like 10.1.0.0/16 (host bits must be zero)",
			dest);
	if (via) {
		if (ip_parse(via, g))
			return err_usage(nn, "gateway \"%s\" is not an IP address",
					 via);
		if (!strcmp(dest, "default"))
			d->family = g->family;
		else if (g->family != d->family)
			return err_usage(nn,
				"route %s via %s mixes IPv4 and IPv6", dest, via);
	}
	return 0;
}

static int route_change(struct nsnet *nn, bool add, const char *ns_name,
			const char *dest, const char *via, const char *dev)
{
	struct ipaddr d, g;
	struct nl_link l = { 0 };
	struct nl_batch b;
	struct ns *ns;
	int rc;

	rc = check_ns_name(nn, ns_name, true);
	if (rc)
		return rc;
	if (!via && !dev)
		return err_usage(nn, "route %s: give a gateway (via IP) or a device (dev IF)",
				 dest);
	if (dev && (rc = check_ifname(nn, dev)))
		return rc;
	rc = route_parse(nn, dest, via, &d, &g);
	if (rc)
		return rc;
	rc = ns_get(nn, ns_name, &ns);
	if (rc)
		return rc;
	if (dev) {
		rc = nl_link_get(nn, ns, dev, &l);
		if (rc == -ENODEV)
			return err_set(nn, ENODEV, "route %s dev %s in %s", dest,
				       dev, ns_name);
		if (rc)
			return rc;
	}
	nl_batch_init(&b);
	route_queue(&b, add, ns_name, &d, via ? &g : NULL, l.index, dev);
	rc = nl_batch_send(nn, ns, &b);
	nl_batch_free(&b);
	return rc;
}

NSNET_EXPORT int nsnet_route_add(struct nsnet *nn, const char *ns,
				 const char *dest, const char *via,
				 const char *dev)
{
	return route_change(nn, true, ns, dest, via, dev);
}

NSNET_EXPORT int nsnet_route_del(struct nsnet *nn, const char *ns,
				 const char *dest, const char *via,
				 const char *dev)
{
	return route_change(nn, false, ns, dest, via, dev);
}
