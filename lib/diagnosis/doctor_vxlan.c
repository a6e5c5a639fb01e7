// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * doctor_vxlan.c - a next hop on another machine (docs/multihost.md). The
 * walk reaches a bridge of a network that spans machines, and nobody here
 * has the address: the node (or the gateway) is behind the network's
 * VXLAN device, on the machine the topology's file puts it on. What can
 * be looked at from this side is: the device, a port of the bridge and
 * up; its forwarding entry for that machine (without it, frames are never
 * sent there); and the underlay: whether that machine answers a ping on
 * its underlay address. Beyond that is the other machine's to say
 * (doctor run there).
 */
#include <stdio.h>
#include <string.h>
#include <net/if.h>
#include <linux/neighbour.h>

#include "diagnosis/doctor.h"

/* Probes of an underlay address: one second each. */
#define DR_UNDERLAY_TRIES 2

struct dr_fdb_find {
	const struct ipaddr *dst;
	bool found;
};

static int dr_fdb_cb(const struct nl_fdb *f, void *data)
{
	static const unsigned char zero[6];
	struct dr_fdb_find *s = data;

	if ((f->flags & NTF_SELF) && f->has_dst && !memcmp(f->mac, zero, 6) &&
	    ip_equal(&f->dst, s->dst))
		s->found = true;
	return 0;
}

/* The machine of t that has ip on net (a remote node, or the gateway on
 * another machine); SIZE_MAX when the file does not say. */
static size_t dr_remote_owner(const struct topo *t, size_t net,
			      const struct ipaddr *ip)
{
	size_t i, j;
	int f;

	for (f = 0; f < 2; f++)
		if (ip_equal(&t->nets[net].gateway[f], ip) &&
		    !topo_net_gateway_here(t, &t->nets[net]))
			return t->nets[net].gw_host;
	for (i = 0; i < t->n_remote; i++)
		for (j = 0; j < t->remote[i].n_att; j++)
			for (f = 0; f < 2; f++)
				if (t->remote[i].att[j].net == net &&
				    ip_equal(&t->remote[i].att[j].addr[f], ip))
					return t->remote[i].host;
	return SIZE_MAX;
}

static bool dr_underlay_answers(struct doctor *dr, struct ns *ns,
				const struct ipaddr *ip)
{
	struct nsnet_ping_opts po = { .count = 1, .timeout = 1.0, .quiet = true };
	struct nsnet_ping_result res;
	char a[INET6_ADDRSTRLEN];
	int i, rc = 0;

	dr_ip(ip, a, sizeof(a));
	for (i = 0; i < DR_UNDERLAY_TRIES && rc <= 0; i++)
		rc = ping_dest(dr->nn, ns->name, a, &po, NULL, NULL, &res);
	err_clear(dr->nn);
	return rc > 0;
}

/* One remote machine of the network: its forwarding entry, its underlay. */
static int dr_vxlan_remote(struct doctor *dr, struct ns *ns, const char *vx,
			   int vx_index, const struct topo *t, size_t h,
			   const char *file)
{
	const struct topo_host *host = &t->hosts[h];
	struct dr_fdb_find s = { &host->addr, false };
	char a[INET6_ADDRSTRLEN];
	int rc;

	dr_ip(&host->addr, a, sizeof(a));
	rc = fdb_dump(dr->nn, ns, vx_index, dr_fdb_cb, &s);
	if (rc == -EINTR)
		rc = fdb_dump(dr->nn, ns, vx_index, dr_fdb_cb, &s);
	if (rc)
		return rc;
	if (!s.found) {
		dr_fail(dr, "%s: %s has no forwarding entry for %s (%s): no frame of the network is sent to that machine",
			ns->name, vx, host->name, a);
		dr_fix(dr, "nsnet up --host %s %s", topo_local_host(t)->name, file);
		return 1;
	}
	if (!dr_underlay_answers(dr, ns, &host->addr)) {
		dr_fail(dr, "%s: the underlay does not answer: %s (%s) does not answer ping from %s, and %s's VXLAN packets (UDP %d) go there",
			ns->name, host->name, a, ns->name, vx, VXLAN_PORT);
		return 1;
	}
	dr_ok(dr, "%s: %s has a forwarding entry for %s (%s), which answers on the underlay",
	      ns->name, vx, host->name, a);
	return 0;
}

int dr_vxlan(struct doctor *dr, struct ns *ns, const struct dr_route *r,
	     const struct dr_end *side)
{
	const struct ipaddr *nh = r->has_gw ? &r->gw : &dr->dest;
	char owner[64], file[600], vx[IFNAMSIZ], a[INET6_ADDRSTRLEN];
	struct topo *t = NULL;
	struct nl_vxlan x;
	struct nl_link l;
	size_t n, i, h;
	int rc = -ENOENT;

	/* A bridge of a topology that is up here, and its network spans
	 * machines: else not this file's to explain. */
	if (!side->ns || strcmp(side->l.kind, "bridge") ||
	    !link_mark_owner(side->l.alias, owner, sizeof(owner)) || !owner[0] ||
	    topo_load(dr->nn, owner, &t)) {
		err_clear(dr->nn);
		topo_free(t);
		return -ENOENT;
	}
	for (n = 0; n < t->n_nets && strcmp(t->nets[n].bridge, side->l.name); n++)
		;
	if (n == t->n_nets || !topo_net_spans(&t->nets[n]) || !topo_local_host(t))
		goto out;
	snprintf(file, sizeof(file), "%s", t->file ? t->file : owner);
	topo_vxlan_ifname(vx, sizeof(vx), &t->nets[n]);
	dr_ip(nh, a, sizeof(a));
	rc = vxlan_get(dr->nn, side->ns, vx, &l, &x);
	if (rc == -ENODEV || rc == -EMEDIUMTYPE || (!rc && l.master != side->l.index)) {
		rc = dr_fail(dr, "%s: network %s spans machines, but %s has no VXLAN port %s: %s and every node of another machine are out of reach",
			     side->ns->name, t->nets[n].name, side->l.name, vx, a);
		dr_fix(dr, "nsnet up --host %s %s", topo_local_host(t)->name, file);
		goto out;
	}
	if (rc)
		goto out;
	if (!(l.flags & IFF_UP)) {
		rc = dr_fail(dr, "%s: VXLAN %s of bridge %s is down", side->ns->name, vx,
			     side->l.name);
		dr_fix(dr, "nsnet link set %s %s up", side->ns->name, vx);
		goto out;
	}
	h = dr_remote_owner(t, n, nh);
	if (h != SIZE_MAX) {
		dr_ok(dr, "%s: %s is on %s, behind VXLAN %s (VNI %u) on %s",
		      side->ns->name, a, t->hosts[h].name, vx, x.vni, side->l.name);
		rc = dr_vxlan_remote(dr, side->ns, vx, l.index, t, h, file);
	} else {
		/* Not the file's: every machine of the network is a candidate. */
		for (i = 0, rc = 0; i < t->nets[n].n_span && !rc; i++)
			if (t->nets[n].span[i] != t->local)
				rc = dr_vxlan_remote(dr, side->ns, vx, l.index, t,
						     t->nets[n].span[i], file);
	}
	if (!rc)
		dr_ok(dr, "%s: what is beyond %s is another machine's: doctor there follows it; the walk ends here",
		      side->ns->name, vx);
out:
	topo_free(t);
	return rc;
}
