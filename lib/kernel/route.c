// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * route.c - routes in the main table. Routes nsnet adds carry the routing
 * protocol RTPROT_NSNET, the mark later commands (and `ip route` readers)
 * use to tell them from the kernel's and the user's own. A delete names
 * that protocol too: the kernel then removes only a route of nsnet's, in
 * the same step as it finds it.
 */
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <libmnl/libmnl.h>
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
	rtm->rtm_protocol = RTPROT_NSNET;
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

const char *route_proto_name(unsigned int proto, char *buf, size_t len)
{
	/* iproute2's /usr/share/iproute2/rt_protos, the common ones */
	static const struct { unsigned int n; const char *name; } known[] = {
		{ RTPROT_UNSPEC, "unspec" }, { RTPROT_REDIRECT, "redirect" },
		{ RTPROT_KERNEL, "kernel" }, { RTPROT_BOOT, "boot" },
		{ RTPROT_STATIC, "static" }, { RTPROT_RA, "ra" },
		{ RTPROT_DHCP, "dhcp" }, { RTPROT_ZEBRA, "zebra" },
		{ RTPROT_BIRD, "bird" }, { RTPROT_KEEPALIVED, "keepalived" },
		{ RTPROT_BABEL, "babel" }, { RTPROT_BGP, "bgp" },
		{ RTPROT_ISIS, "isis" }, { RTPROT_OSPF, "ospf" },
		{ RTPROT_RIP, "rip" }, { RTPROT_NSNET, "nsnet" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(known); i++)
		if (known[i].n == proto) {
			snprintf(buf, len, "%s", known[i].name);
			return buf;
		}
	snprintf(buf, len, "%u", proto);
	return buf;
}

struct route_find {
	const struct ipaddr *dst, *via;
	int oif;
	bool found;
	unsigned int proto;
};

static int route_find_cb(const struct nlmsghdr *nlh, void *data)
{
	struct route_find *f = data;
	struct nl_route r;

	if (nl_route_parse(nlh, &r) || r.table != RT_TABLE_MAIN ||
	    r.family != f->dst->family || r.dst.prefix != f->dst->prefix ||
	    (f->dst->prefix && !ip_equal(&r.dst, f->dst)) ||
	    (f->via && (!r.has_gateway || !ip_equal(&r.gateway, f->via))) ||
	    (f->oif && r.oif != f->oif))
		return MNL_CB_OK;
	f->found = true;
	f->proto = r.protocol;
	return MNL_CB_OK;
}

/* After a delete of nsnet's route found none: is there one of another
 * protocol? Then say whose it is. */
static int route_foreign(struct nsnet *nn, struct ns *ns, const char *what,
			 const struct ipaddr *dst, const struct ipaddr *via,
			 int oif)
{
	char buf[64] __attribute__((aligned(4)));
	struct route_find f = { dst, via, oif, false, 0 };
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;
	char p[16];
	int rc, tries = 0;

	do {
		f.found = false;
		nlh = mnl_nlmsg_put_header(buf);
		nlh->nlmsg_type = RTM_GETROUTE;
		rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
		rtm->rtm_family = (unsigned char)dst->family;
		rc = nl_dump(nn, ns, nlh, route_find_cb, &f);
	} while (rc == -EINTR && ++tries < 5);
	if (rc || !f.found)
		return rc;
	return err_set(nn, 0,
		"%s is protocol %s, not nsnet's (%d); use --force to delete it anyway",
		what, route_proto_name(f.proto, p, sizeof(p)), RTPROT_NSNET);
}

static int route_change(struct nsnet *nn, bool add, const char *ns_name,
			const char *dest, const char *via, const char *dev,
			unsigned int flags)
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
	if (!add && (flags & NSNET_FORCE))  /* whatever its protocol */
		((struct rtmsg *)mnl_nlmsg_get_payload(b.cur))->rtm_protocol =
			RTPROT_UNSPEC;
	rc = nl_batch_send(nn, ns, &b);
	if (rc == -ESRCH && !add && !(flags & NSNET_FORCE)) {
		char what[200];

		snprintf(what, sizeof(what), "route %s%s%s%s%s in %s", dest,
			 via ? " via " : "", via ? via : "", dev ? " dev " : "",
			 dev ? dev : "", ns_name);
		rc = route_foreign(nn, ns, what, &d, via ? &g : NULL, l.index) ?: rc;
	}
	nl_batch_free(&b);
	return rc;
}

NSNET_EXPORT int nsnet_route_add(struct nsnet *nn, const char *ns,
				 const char *dest, const char *via,
				 const char *dev)
{
	return LOCKED(nn, route_change(nn, true, ns, dest, via, dev, 0));
}

NSNET_EXPORT int nsnet_route_del(struct nsnet *nn, const char *ns,
				 const char *dest, const char *via,
				 const char *dev, unsigned int flags)
{
	return LOCKED(nn, route_change(nn, false, ns, dest, via, dev, flags));
}
