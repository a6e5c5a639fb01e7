// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * doctor_hop.c - what nsnet doctor checks in one namespace on the path:
 * the interface the packet leaves by, forwarding and the route for the
 * packet as it arrives, the route back to its source (and strict
 * rp_filter), who owns the next hop beyond the interface (the far end of
 * a veth, a bridge, a namespace on another port of it), and at the end
 * the destination's namespace and its listening socket.
 */
#include <stdio.h>
#include <string.h>
#include <net/if.h>
#include <linux/rtnetlink.h>

#include "kernel/kernel.h"
#include "firewall/firewall.h"
#include "diagnosis/doctor.h"

/* <net/if.h> stops at IFF_DYNAMIC; <linux/if.h> clashes with it. */
#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP 0x10000
#endif
/* IF_OPER_UP of <linux/if.h> (RFC 2863's "up"), for the same reason. */
#define DR_OPER_UP 6

/*
 * A link that has carrier but whose operational state is still down: the
 * kernel's link watch has not activated it yet and it drops what it is
 * given. Link watch runs at most once a second, and later when other
 * namespaces keep the rtnl lock busy; doctor waits for it rather than
 * blaming the path.
 */
void dr_note_settling(struct doctor *dr, const struct nl_link *l)
{
	/* Veths and bridges with carrier are "up" once link watch has run;
	 * before, "down" or still "unknown" (other kinds say "unknown" for
	 * good). */
	if ((l->flags & IFF_UP) && (l->flags & IFF_LOWER_UP) &&
	    l->operstate != DR_OPER_UP &&
	    (!strcmp(l->kind, "veth") || !strcmp(l->kind, "bridge")))
		dr->settling = true;
}

/* The interface a packet leaves by: up, with carrier, and (at the source)
 * with an address of the family. */
int dr_check_out(struct doctor *dr, struct ns *ns,
		 const struct nl_link *l, bool source)
{
	struct dr_addrs addrs;
	struct dr_end peer;
	char a[INET6_ADDRSTRLEN + 4];
	size_t i;

	if (l->flags & IFF_LOOPBACK)
		return dr_fail(dr, "%s: the route to %s leads to %s: nothing leaves that way",
			       ns->name, dr->dest_s, l->name);
	if (!(l->flags & IFF_UP))
		return dr_link_down(dr, ns, l, &dr->dest);
	if (!(l->flags & IFF_LOWER_UP)) {
		if (!dr_peer(dr, ns, l, &peer) && !(peer.l.flags & IFF_UP)) {
			dr_fail(dr, "%s: %s has no carrier: its other end, %s in %s, is down",
				ns->name, l->name, peer.l.name, peer.ns->name);
			dr_fix(dr, "nsnet link set %s %s up", peer.ns->name,
			       peer.l.name);
		} else {
			err_clear(dr->nn);
			dr_fail(dr, "%s: %s has no carrier (NO-CARRIER): nothing is plugged into its other end",
				ns->name, l->name);
		}
		return 1;
	}
	dr_note_settling(dr, l);
	if (!source)
		return 0;
	if (dr_addrs_get(dr, ns, dr->dest.family, l->index, &addrs))
		return err_set(dr->nn, EIO, "addresses of %s in %s", l->name,
			       ns->name);
	if (!addrs.n)
		return dr_no_address(dr, ns, l, true);
	/* The subnet the replies must find their way back to. */
	dr->src_net = addrs.a[0];
	for (i = 0; i < addrs.n; i++)
		if (dr->have_src && ip_equal(&addrs.a[i], &dr->src))
			dr->src_net = addrs.a[i];
	dr_ok(dr, "%s: %s is up with %s", ns->name, l->name,
	      ip_str(&dr->src_net, a, sizeof(a)));
	ip_mask(&dr->src_net);
	return 0;
}

/* A route back to the packet's source from ns, where it arrived on
 * in_index from prev; and strict rp_filter, which drops a packet whose
 * route back leaves by another interface. */
static int dr_check_return(struct doctor *dr, struct ns *ns, int in_index,
			   const struct dr_end *prev)
{
	char s[INET6_ADDRSTRLEN], net[INET6_ADDRSTRLEN + 4], via[INET6_ADDRSTRLEN];
	struct nl_link in, back_l;
	struct dr_route back;
	char path[128];
	int rc, rp_all, rp_if;

	if (!dr->have_src)
		return 0;
	dr_ip(&dr->src, s, sizeof(s));
	rc = nl_link_get_index(dr->nn, ns, in_index, &in);
	if (rc)
		return rc == -ENODEV ?
		       err_set(dr->nn, ENODEV, "interface %d of %s vanished during the walk",
			       in_index, ns->name) : rc;
	rc = dr_route_get(dr, ns, &dr->src, NULL, 0, &back);
	if (dr_route_missing(rc, &back)) {
		struct dr_addrs theirs, mine;
		bool have_via = false;
		size_t i, j;

		dr_fail(dr, "%s: no route back to %s: replies cannot leave %s",
			ns->name, s, ns->name);
		/* The previous hop's address on the link the packet came
		 * in by. */
		if (prev && !dr_addrs_get(dr, prev->ns, dr->src.family,
					  prev->l.index, &theirs) &&
		    !dr_addrs_get(dr, ns, dr->src.family, in_index, &mine))
			for (i = 0; i < mine.n && !have_via; i++)
				for (j = 0; j < theirs.n && !have_via; j++)
					if (ip_in_prefix(&mine.a[i], &theirs.a[j]) &&
					    !ip_equal(&theirs.a[j], &dr->src)) {
						dr_ip(&theirs.a[j], via, sizeof(via));
						have_via = true;
					}
		if (have_via)
			dr_fix(dr, "nsnet route add %s %s via %s", ns->name,
			       ip_str(&dr->src_net, net, sizeof(net)), via);
		err_clear(dr->nn);
		return 1;
	}
	if (rc)
		return err_set(dr->nn, -rc, "route back to %s in %s", s, ns->name);
	if (nl_link_get_index(dr->nn, ns, back.oif, &back_l))
		snprintf(back_l.name, sizeof(back_l.name), "%d", back.oif);
	if (back.has_gw)
		dr_ok(dr, "%s: route back to %s via %s dev %s", ns->name, s,
		      dr_ip(&back.gw, via, sizeof(via)), back_l.name);
	else
		dr_ok(dr, "%s: route back to %s dev %s", ns->name, s, back_l.name);
	if (dr->src.family != AF_INET || back.oif == in_index)
		return 0;
	/* The kernel uses the larger of "all" and the interface's value. */
	rp_all = dr_sysctl_int(dr, ns, "net/ipv4/conf/all/rp_filter");
	snprintf(path, sizeof(path), "net/ipv4/conf/%s/rp_filter", in.name);
	rp_if = dr_sysctl_int(dr, ns, path);
	if ((rp_all > rp_if ? rp_all : rp_if) != 1)
		return 0;
	dr_fail(dr, "%s: rp_filter is strict on %s (net.ipv4.conf.%s.rp_filter = 1) and the route back to %s leaves by %s: the kernel drops these packets",
		ns->name, in.name, rp_all == 1 ? "all" : in.name, s, back_l.name);
	if (ns_is_host(ns->name))
		dr_fix(dr, "sysctl -w net.ipv4.conf.%s.rp_filter=2", in.name);
	else
		dr_fix(dr, "ip netns exec %s sysctl -w net.ipv4.conf.%s.rp_filter=2",
		       ns->name, in.name);
	return 1;
}

/* ns must forward what came in on in: forwarding on, a route for the
 * packet as the kernel sees it arriving, the way back, the firewalls. */
int dr_forward(struct doctor *dr, struct ns *ns, const struct nl_link *in,
	       const struct dr_end *prev, struct dr_route *r)
{
	const char *path = dr->dest.family == AF_INET ? "net/ipv4/ip_forward" :
				"net/ipv6/conf/all/forwarding";
	const char *name = dr->dest.family == AF_INET ? "net.ipv4.ip_forward" :
				"net.ipv6.conf.all.forwarding";
	struct nl_link out;
	int rc;

	if (dr_sysctl_int(dr, ns, path) == 0) {
		char to[IFNAMSIZ + 8] = "";

		if (!dr_route_get(dr, ns, &dr->dest, NULL, 0, r) &&
		    !nl_link_get_index(dr->nn, ns, r->oif, &out))
			snprintf(to, sizeof(to), " to %s", out.name);
		err_clear(dr->nn);
		dr_fail(dr, "%s: forwarding is off (%s = 0); %s has to forward from %s%s",
			ns->name, name, ns->name, in->name, to);
		if (ns_is_host(ns->name))
			dr_fix(dr, "nsnet forward on");
		else
			dr_fix(dr, "nsnet forward on %s", ns->name);
		return 1;
	}
	dr_ok(dr, "%s: forwarding is on (%s = 1)", ns->name, name);
	rc = dr_check_return(dr, ns, in->index, prev);
	if (rc)
		return rc;
	rc = dr_route_get(dr, ns, &dr->dest, dr->have_src ? &dr->src : NULL,
			  dr->have_src ? in->index : 0, r);
	if (dr_route_missing(rc, r)) {
		err_clear(dr->nn);
		return dr_fail(dr, "%s: no route to %s for packets from %s (add one with `nsnet route add %s %s/%d via GATEWAY`)",
			       ns->name, dr->dest_s, in->name, ns->name,
			       dr->dest_s, dr->dest.family == AF_INET ? 32 : 128);
	}
	if (rc)
		return err_set(dr->nn, -rc, "route to %s in %s for packets from %s",
			       dr->dest_s, ns->name, in->name);
	return 0;
}

/* The link of ls with index, or NULL. */
static const struct nl_link *dr_links_find(const struct dr_links *ls, int index)
{
	size_t i;

	for (i = 0; i < ls->n; i++)
		if (ls->l[i].index == index)
			return &ls->l[i];
	return NULL;
}

/* The bridges of bridge's Ethernet segment: it and the bridges joined to
 * it by veths inside the namespace (a network over several bridges, its
 * leaves trunked to its own: topology/leaves.c). */
static size_t dr_segment(const struct dr_links *ls, int bridge, int *seg,
			 size_t max)
{
	size_t n = 1, k, i, j;

	seg[0] = bridge;
	for (k = 0; k < n; k++)
		for (i = 0; i < ls->n && n < max; i++) {
			const struct nl_link *p = &ls->l[i], *q;

			if (p->master != seg[k] || strcmp(p->kind, "veth") ||
			    p->link_netnsid >= 0 || !(q = dr_links_find(ls, p->link)) ||
			    q->master <= 0)
				continue;
			for (j = 0; j < n && seg[j] != q->master; j++)
				;
			if (j == n)
				seg[n++] = q->master;
		}
	return n;
}

/* ip is local to bns but the bridge side is one of a network's leaves:
 * the bridge of its segment that has ip (the one packets for it reach the
 * host by) becomes the side. */
static void dr_segment_owner(struct doctor *dr, struct ns *bns,
			     struct dr_end *side, const struct ipaddr *ip)
{
	struct dr_links ls = { 0, NULL };
	struct dr_addrs a;
	int seg[64];
	size_t n, i, j;

	if (dr_addrs_get(dr, bns, ip->family, side->l.index, &a) ||
	    dr_links_get(dr, bns, &ls)) {
		free(ls.l);
		err_clear(dr->nn);
		return;
	}
	for (j = 0; j < a.n; j++)
		if (ip_equal(&a.a[j], ip) || !memcmp(a.a[j].a.b, ip->a.b, ip_len(ip)))
			break;
	n = j < a.n ? 0 : dr_segment(&ls, side->l.index, seg, ARRAY_SIZE(seg));
	for (i = 1; i < n; i++) {
		const struct nl_link *b = dr_links_find(&ls, seg[i]);

		if (!b || dr_addrs_get(dr, bns, ip->family, b->index, &a))
			continue;
		for (j = 0; j < a.n; j++)
			if (!memcmp(a.a[j].a.b, ip->a.b, ip_len(ip))) {
				side->l = *b;
				i = n;
				break;
			}
	}
	err_clear(dr->nn);
	free(ls.l);
}

/* Who, beyond out, owns ip: the far end of the cable, or the bridge the far
 * end is a port of, or a namespace on another port of that bridge (or of a
 * bridge trunked to it: the segment). 0 and
 * *owner (with the interface the packet arrives on), -ENOENT, or 1 when a
 * cause was found on the way (a bridge that is down). */
int dr_owner(struct doctor *dr, struct ns *ns, const struct nl_link *out,
	     const struct ipaddr *ip, struct dr_end *owner,
	     struct dr_end *side)
{
	struct dr_end peer = { 0 }, c;
	struct dr_links ls = { 0, NULL };
	int bridge = 0, rc, seg[64];
	size_t i, n_seg;
	struct ns *bns;

	side->ns = NULL;
	dr->side_opaque = false;
	if (!strcmp(out->kind, "bridge")) {
		bns = ns;
		bridge = out->index;
		side->ns = ns;
		side->l = *out;
	} else {
		rc = dr_peer(dr, ns, out, &peer);
		if (rc) {
			err_clear(dr->nn);
			return -ENOENT;
		}
		/* A bridge port forwards nothing before link watch has
		 * seen its carrier either. */
		dr_note_settling(dr, &peer.l);
		if (peer.l.master <= 0) {
			*side = peer;
			if (!dr_is_local(dr, peer.ns, ip))
				return -ENOENT;
			*owner = peer;
			return 0;
		}
		bns = peer.ns;
		bridge = peer.l.master;
		side->ns = bns;
		if (nl_link_get_index(dr->nn, bns, bridge, &side->l))
			return -ENOENT;
		if (!(side->l.flags & IFF_UP)) {
			dr_fail(dr, "%s: bridge %s is down", bns->name, side->l.name);
			dr_fix(dr, "nsnet link set %s %s up", bns->name, side->l.name);
			return 1;
		}
		if (dr_is_local(dr, bns, ip)) {
			dr_segment_owner(dr, bns, side, ip);
			*owner = *side;
			return 0;
		}
	}
	rc = dr_links_get(dr, bns, &ls);
	n_seg = rc ? 0 : dr_segment(&ls, bridge, seg, ARRAY_SIZE(seg));
	for (i = 0; !rc && i < ls.n; i++) {
		bool cached;
		size_t k;

		for (k = 0; k < n_seg && ls.l[i].master != seg[k]; k++)
			;
		if (k == n_seg || (out->kind[0] != 'b' && ls.l[i].index == peer.l.index))
			continue;
		/* Which namespace a port leads to is known only after
		 * dr_peer(); all of them were closed unless open before. */
		cached = dr_port_cached(dr, bns, &ls.l[i]);
		if (dr_peer(dr, bns, &ls.l[i], &c)) {
			/* a NIC, a tap: whoever is behind it may have ip */
			dr->side_opaque = true;
			err_clear(dr->nn);
			continue;
		}
		if (dr_is_local(dr, c.ns, ip)) {
			dr_note_settling(dr, &ls.l[i]);
			*owner = c;
			free(ls.l);
			return 0;
		}
		dr_ns_done(dr, c.ns, cached);
	}
	free(ls.l);
	err_clear(dr->nn);
	return -ENOENT;
}

/* Nobody of ours owns the next hop. */
int dr_no_owner(struct doctor *dr, struct ns *ns, const struct nl_link *out,
		const struct dr_route *r, const struct dr_end *side)
{
	const struct ipaddr *nh = r->has_gw ? &r->gw : &dr->dest;
	const char *arp = dr->dest.family == AF_INET ? "ARP" : "neighbour discovery";
	int state = dr_neigh_state(dr, ns, out->index, nh);
	char a[INET6_ADDRSTRLEN];
	int pfx, remote;

	/* Another machine's, behind the network's VXLAN device. */
	if ((remote = dr_vxlan(dr, ns, r, side)) != -ENOENT)
		return remote;
	dr_ip(nh, a, sizeof(a));
	/* A neighbour entry can be older than the change that broke the
	 * path: believed only where doctor cannot look itself. */
	if (dr_neigh_answers(state) && (!side->ns || dr->side_opaque)) {
		dr_ok(dr, "%s: %s answers %s on %s (beyond nsnet's namespaces: the walk ends here)",
		      ns->name, a, arp, out->name);
		return 0;
	}
	if (!side->ns) {
		if (!r->has_gw)
			return 0;  /* not ours to follow: the probe decides */
		return dr_fail(dr, "%s: gateway %s does not answer %s on %s",
			       ns->name, a, arp, out->name);
	}
	if (!r->has_gw)
		return dr_fail(dr, "%s: nobody on %s in %s has %s", ns->name,
			       side->l.name, side->ns->name, a);
	/* The neighbour state is not part of the sentence: whether the
	 * probe's ARP request has timed out yet is a matter of timing. */
	dr_fail(dr, "%s: nobody has the gateway %s: it is not an address of %s in %s",
		ns->name, a, side->l.name, side->ns->name);
	pfx = dr_prefix_for(dr, ns, out->index, nh);
	err_clear(dr->nn);
	if (pfx >= 0)
		dr_fix(dr, "nsnet addr add %s %s %s/%d", side->ns->name,
		       side->l.name, a, pfx);
	return 1;
}

/* The destination's namespace: the way back, then the port. */
int dr_at_dest(struct doctor *dr, struct ns *ns, int in_index,
	       const struct dr_end *prev)
{
	bool listens = false;
	int rc;

	snprintf(dr->reached, sizeof(dr->reached), "%s", ns->name);
	dr_ok(dr, "%s: %s is an address of %s", ns->name, dr->dest_s, ns->name);
	if (in_index) {
		rc = dr_check_return(dr, ns, in_index, prev);
		if (rc)
			return rc;
	}
	if (!dr->d.port)
		return 0;
	/* A port nsnet publishes is forwarded on: nothing listens here. */
	rc = dr_check_published(dr, ns, &listens);
	if (rc || listens)
		return rc;
	rc = dr_listens(dr, ns, &listens);
	if (rc)
		return rc;
	if (!listens)
		return dr_fail(dr, "%s: nothing listens on %s/%u",
			       ns->name, fw_proto_name(dr->d.proto), dr->d.port);
	dr_ok(dr, "%s: a socket listens on %s/%u", ns->name,
	      fw_proto_name(dr->d.proto), dr->d.port);
	return 0;
}
