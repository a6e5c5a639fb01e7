// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * doctor_fix.c - the causes whose fix doctor has to work out rather than
 * just name: a link that is down (and the default route the kernel removed
 * with it), a link without an address of the family (an address to give
 * it, free on the subnet of its other side), a namespace without a route
 * (the gateway on the other side of one of its links).
 */
#include <stdio.h>
#include <string.h>
#include <net/if.h>

#include "kernel/kernel.h"
#include "diagnosis/doctor.h"

static const char *dr_fam(const struct doctor *dr)
{
	return dr->dest.family == AF_INET ? "IPv4" : "IPv6";
}

/* l in ns is down, and the kernel removed the routes through it: the fix
 * brings it up and, when that does not bring back a way to target (the
 * subnet's route comes back with the link, a default route does not), adds
 * the default route through the address on its other side. */
int dr_link_down(struct doctor *dr, struct ns *ns,
		 const struct nl_link *l, const struct ipaddr *target)
{
	char a[INET6_ADDRSTRLEN];
	struct dr_addrs addrs;
	struct dr_route r;
	struct ipaddr gw;
	bool on_link = false;
	size_t j;
	int rc;

	if (!dr_addrs_get(dr, ns, target->family, l->index, &addrs))
		for (j = 0; j < addrs.n; j++)
			on_link |= ip_in_prefix(&addrs.a[j], target);
	dr_fail(dr, "%s: %s is down (the kernel removed the routes through it)",
		ns->name, l->name);
	dr_fix(dr, "nsnet link set %s %s up", ns->name, l->name);
	rc = dr_route_get(dr, ns, target, NULL, 0, &r);
	if (!on_link && dr_route_missing(rc, &r) &&
	    !dr_gateway_guess(dr, ns, l, &gw))
		dr_fix(dr, "nsnet route add %s default via %s", ns->name,
		       dr_ip(&gw, a, sizeof(a)));
	err_clear(dr->nn);
	return 1;
}

/* ip + k, big-endian across the whole address. */
static void dr_ip_add(struct ipaddr *ip, unsigned int k)
{
	size_t i = ip_len(ip);

	while (k && i--) {
		unsigned int v = ip->a.b[i] + (k & 0xff);

		ip->a.b[i] = (unsigned char)v;
		k = (k >> 8) + (v >> 8);
	}
}

/*
 * For a link without an address of the family: an address for it in the
 * subnet of its other side (the bridge's or the peer's address), one that
 * no namespace there has, and that side's address as the gateway. A
 * suggestion the failed check gives as such: doctor cannot know addresses
 * that namespaces not up yet will want.
 */
static int dr_free_address(struct doctor *dr, struct ns *ns,
			   const struct nl_link *l, struct ipaddr *addr,
			   struct ipaddr *gw)
{
	struct dr_links ls = { 0, NULL };
	struct dr_addrs theirs;
	struct dr_end side, c;
	unsigned int k, room;
	int host_bits;
	size_t i;

	if (dr_far_side(dr, ns, l, &side) ||
	    dr_addrs_get(dr, side.ns, dr->dest.family, side.l.index, &theirs) ||
	    !theirs.n) {
		err_clear(dr->nn);
		return -ENOENT;
	}
	*gw = theirs.a[0];
	gw->prefix = -1;
	host_bits = (int)ip_len(gw) * 8 - theirs.a[0].prefix;
	if (host_bits < 2)
		return -ENOENT;
	room = host_bits >= 16 ? 0xffff : (1u << host_bits) - 1;
	if (!strcmp(side.l.kind, "bridge") && dr_links_get(dr, side.ns, &ls))
		ls.n = 0;
	for (k = 1; k < room && k < 1024; k++) {
		bool taken;

		*addr = theirs.a[0];
		ip_mask(addr);
		dr_ip_add(addr, k);
		addr->prefix = -1;
		taken = ip_equal(addr, gw) || dr_is_local(dr, side.ns, addr);
		for (i = 0; i < ls.n && !taken; i++) {
			bool cached;

			if (ls.l[i].master != side.l.index)
				continue;
			cached = dr_port_cached(dr, side.ns, &ls.l[i]);
			if (dr_peer(dr, side.ns, &ls.l[i], &c))
				continue;
			taken = dr_is_local(dr, c.ns, addr);
			dr_ns_done(dr, c.ns, cached);
		}
		if (!taken) {
			addr->prefix = theirs.a[0].prefix;
			free(ls.l);
			err_clear(dr->nn);
			return 0;
		}
	}
	free(ls.l);
	err_clear(dr->nn);
	return -ENOENT;
}

/* l has no address of the family: say so, with an address to give it
 * and, when the destination is not on that subnet, the default route
 * that went with the old one. */
int dr_no_address(struct doctor *dr, struct ns *ns,
		  const struct nl_link *l, bool routed)
{
	char a[INET6_ADDRSTRLEN + 4], g[INET6_ADDRSTRLEN];
	struct ipaddr addr, gw;

	if (routed)
		dr_fail(dr, "%s: %s has no %s address", ns->name, l->name,
			dr_fam(dr));
	else
		dr_fail(dr, "%s: %s has no %s address, so there is no route to %s",
			ns->name, l->name, dr_fam(dr), dr->dest_s);
	if (dr_free_address(dr, ns, l, &addr, &gw))
		return 1;
	dr_fix(dr, "nsnet addr add %s %s %s", ns->name, l->name,
	       ip_str(&addr, a, sizeof(a)));
	if (!routed && !ip_in_prefix(&addr, &dr->dest))
		dr_fix(dr, "nsnet route add %s default via %s", ns->name,
		       dr_ip(&gw, g, sizeof(g)));
	return 1;
}

/* The source has no route: a link that is down (the kernel removed its
 * routes with it), a link without an address, or no route at all. */
int dr_no_route(struct doctor *dr, struct ns *ns)
{
	struct dr_links ls;
	struct ipaddr gw;
	char a[INET6_ADDRSTRLEN];
	const struct nl_link *bare = NULL, *usable = NULL;
	int rc;
	size_t i;

	rc = dr_links_get(dr, ns, &ls);
	if (rc) {
		free(ls.l);
		return rc;
	}
	for (i = 0; i < ls.n; i++) {
		const struct nl_link *l = &ls.l[i];
		struct dr_addrs addrs;

		if (l->flags & IFF_LOOPBACK)
			continue;
		if (dr_addrs_get(dr, ns, dr->dest.family, l->index, &addrs))
			addrs.n = 0;
		if (!(l->flags & IFF_UP)) {
			rc = dr_link_down(dr, ns, l, &dr->dest);
			free(ls.l);
			return rc;
		}
		if (!addrs.n && !bare)
			bare = l;
		if (addrs.n && !usable && !dr_gateway_guess(dr, ns, l, &gw))
			usable = l;
	}
	if (usable) {
		dr_ok(dr, "%s: %s is up", ns->name, usable->name);
		dr_fail(dr, "%s: no route to %s (there is no default route)",
			ns->name, dr->dest_s);
		dr_fix(dr, "nsnet route add %s default via %s", ns->name,
		       dr_ip(&gw, a, sizeof(a)));
	} else if (bare) {
		dr_no_address(dr, ns, bare, false);
	} else {
		dr_fail(dr, "%s: no route to %s (add one with `nsnet route add %s default via GATEWAY`)",
			ns->name, dr->dest_s, ns->name);
	}
	free(ls.l);
	return 1;
}
