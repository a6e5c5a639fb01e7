// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * span.c - a network over several machines (docs/multihost.md): on each of
 * them the network's bridge gets a VXLAN device as one more port, with the
 * network's VNI and this machine's underlay address, and one static
 * forwarding entry per other machine of the network (head-end
 * replication: no multicast in the underlay). Its plan (what the kernel
 * lacks), its apply, and the words for both.
 *
 * The device is marked like every link nsnet makes: born in nsnet's link
 * group, its alias "nsnet:<topology>" set once the kernel said it made
 * it, so down removes it with the bridge, and with it its entries.
 */
#include <stdio.h>
#include <string.h>
#include <linux/neighbour.h>
#include <net/if.h>

#include "topology/topology.h"

static void add(struct topo_plan *p, enum topo_act_kind kind, size_t obj,
		size_t idx, bool repair)
{
	topo_plan_add(p, kind, obj, idx, 0, repair);
}

struct fdb_seen {
	const struct topo *t;
	const struct topo_net *net;
	bool *have;        /* per host: its entry is there */
	bool stale;        /* an entry for a machine that is not the network's */
};

static bool zero_mac(const unsigned char *mac)
{
	static const unsigned char zero[6];

	return !memcmp(mac, zero, sizeof(zero));
}

static int fdb_cb(const struct nl_fdb *f, void *data)
{
	struct fdb_seen *s = data;
	size_t i;
	bool known = false;

	if (!(f->flags & NTF_SELF) || !zero_mac(f->mac) || !f->has_dst)
		return 0;
	for (i = 0; i < s->net->n_span; i++) {
		size_t h = s->net->span[i];

		if (h != s->t->local && ip_equal(&f->dst, &s->t->hosts[h].addr)) {
			s->have[h] = true;
			known = true;
		}
	}
	s->stale |= !known;
	return 0;
}

static int vxlan_plan(struct nsnet *nn, const struct topo *t, struct ns *host,
		      size_t n, struct topo_plan *p)
{
	const struct topo_net *net = &t->nets[n];
	const struct topo_host *me = topo_local_host(t);
	struct fdb_seen seen = { t, net, calloc(t->n_hosts, sizeof(bool)), false };
	char name[IFNAMSIZ], owner[64];
	struct nl_link l, br;
	struct nl_vxlan vx;
	bool remake;
	size_t i;
	int rc, tries = 0;

	if (!seen.have)
		abort();
	topo_vxlan_ifname(name, sizeof(name), net);
	rc = vxlan_get(nn, host, name, &l, &vx);
	if (rc == -ENODEV) {
		add(p, ACT_VXLAN, n, 0, false);
		for (i = 0; i < net->n_span; i++)
			if (net->span[i] != t->local)
				add(p, ACT_FDB, n, net->span[i], false);
		free(seen.have);
		return 0;
	}
	if (rc && rc != -EMEDIUMTYPE)
		goto out;
	/* The topology's own, or an orphan of nsnet's (born in its group,
	 * its up killed before the alias): anything else is somebody's. */
	if (!link_mark_is(l.alias, t->name) &&
	    !(l.group == NSNET_LINK_GROUP && !l.alias[0])) {
		link_mark_owner(l.alias, owner, sizeof(owner));
		rc = err_set(nn, 0,
			"network %s: the host already has an interface %s that is not part of topology %s%s%s",
			net->name, name, t->name, owner[0] ? ": it belongs to topology " : "",
			owner);
		goto out;
	}
	p->ok_objects++;
	do {
		memset(seen.have, 0, t->n_hosts * sizeof(bool));
		seen.stale = false;
		rc = rc == -EMEDIUMTYPE ? rc : fdb_dump(nn, host, l.index, fdb_cb, &seen);
	} while (rc == -EINTR && ++tries < 5);
	if (rc && rc != -EMEDIUMTYPE)
		goto out;
	/* Other settings (a vni: or an address changed in the file), or a
	 * remote the network no longer has: made again, with its entries. */
	remake = rc == -EMEDIUMTYPE || vx.vni != net->vni || vx.port != VXLAN_PORT ||
		 vx.learning || !ip_equal(&vx.local, &me->addr) || seen.stale;
	rc = 0;
	if (remake) {
		add(p, ACT_VXLAN, n, 0, true);
		memset(seen.have, 0, t->n_hosts * sizeof(bool));
	} else {
		/* A port of the bridge as it is now (it may be made anew), up,
		 * marked, of the network's MTU. */
		if (nl_link_get(nn, host, net->bridge, &br))
			br.index = 0;
		err_clear(nn);
		if (!(l.flags & IFF_UP) || !link_mark_is(l.alias, t->name) ||
		    !br.index || l.master != br.index ||
		    (topo_net_mtu(t, net) && l.mtu != topo_net_mtu(t, net)))
			add(p, ACT_VXLAN_UP, n, 0, true);
	}
	for (i = 0; i < net->n_span; i++)
		if (net->span[i] != t->local && !seen.have[net->span[i]])
			add(p, ACT_FDB, n, net->span[i], true);
out:
	free(seen.have);
	return rc;
}

int topo_plan_span(struct nsnet *nn, const struct topo *t, struct ns *host,
		   struct topo_plan *p)
{
	size_t i;
	int rc;

	if (!topo_local_host(t))
		return 0;
	for (i = 0; i < t->n_nets; i++)
		if (topo_net_spans(&t->nets[i]) && (rc = vxlan_plan(nn, t, host, i, p)))
			return rc;
	return 0;
}

/* ---- apply ------------------------------------------------------------------------ */

static int index_of(struct nsnet *nn, struct ns *host, const char *name)
{
	struct nl_link l;
	int rc = nl_link_get(nn, host, name, &l);

	if (rc == -ENODEV)
		return err_set(nn, ENODEV, "%s in %s", name, host->name);
	return rc ? rc : l.index;
}

int topo_apply_span(struct nsnet *nn, const struct topo *t,
		    const struct topo_plan *p, struct ns *host,
		    void (*created)(void *data, const char *ifname), void *data)
{
	const struct topo_host *me = topo_local_host(t);
	char mark[96], name[IFNAMSIZ];
	size_t i, k, n_new = 0, *req = calloc(p->n + 1, sizeof(*req));
	struct nl_batch b;
	int rc = 0, br, vx;

	if (!req)
		abort();
	snprintf(mark, sizeof(mark), "nsnet:%s", t->name);
	/* The devices, each enslaved at creation to its bridge (made, down,
	 * by now); the marks after a barrier, only on what the kernel made. */
	nl_batch_init(&b);
	for (i = 0; i < p->n && !rc; i++) {
		const struct topo_net *net = &t->nets[p->act[i].obj];

		if (p->act[i].kind != ACT_VXLAN)
			continue;
		topo_vxlan_ifname(name, sizeof(name), net);
		if ((br = index_of(nn, host, net->bridge)) < 0) {
			rc = br;
			break;
		}
		if (p->act[i].repair) {  /* other settings: made again */
			link_queue_del(&b, NSNET_HOST, name, 0);
			nl_batch_last(&b)->ignore_missing = true;
		}
		req[n_new++] = b.n;
		vxlan_queue_add(&b, NSNET_HOST, name, net->vni, &me->addr, br,
				topo_net_mtu(t, net), true);
	}
	nl_batch_barrier(&b);
	for (i = 0; i < p->n && !rc; i++) {
		const struct topo_net *net = &t->nets[p->act[i].obj];

		if (p->act[i].kind != ACT_VXLAN && p->act[i].kind != ACT_VXLAN_UP)
			continue;
		topo_vxlan_ifname(name, sizeof(name), net);
		br = -1;
		if (p->act[i].kind == ACT_VXLAN_UP && (br = index_of(nn, host, net->bridge)) < 0) {
			rc = br;
			break;
		}
		link_queue_set(&b, NSNET_HOST, name, 0, p->act[i].kind == ACT_VXLAN_UP ? 1 : -1,
			       p->act[i].kind == ACT_VXLAN_UP ? topo_net_mtu(t, net) : 0,
			       br, mark);
	}
	if (!rc)
		rc = nl_batch_send(nn, host, &b);
	for (i = k = 0; i < p->n && k < n_new; i++)
		if (p->act[i].kind == ACT_VXLAN) {
			if (b.req[req[k]].done && !b.req[req[k]].error) {
				topo_vxlan_ifname(name, sizeof(name), &t->nets[p->act[i].obj]);
				created(data, name);
			}
			k++;
		}
	nl_batch_free(&b);
	free(req);
	if (rc)
		return rc;
	/* Then the entries: by the device's index, which only now exists. */
	nl_batch_init(&b);
	for (i = 0; i < p->n && !rc; i++) {
		const struct topo_action *a = &p->act[i];

		if (a->kind != ACT_FDB)
			continue;
		topo_vxlan_ifname(name, sizeof(name), &t->nets[a->obj]);
		if ((vx = index_of(nn, host, name)) < 0)
			rc = vx;
		else
			fdb_queue_append(&b, NSNET_HOST, name, vx, &t->hosts[a->idx].addr);
	}
	if (!rc)
		rc = nl_batch_send(nn, host, &b);
	nl_batch_free(&b);
	return rc;
}

/* ---- words ------------------------------------------------------------------------ */

void topo_span_action_str(const struct topo *t, const struct topo_action *a,
			  char *buf, size_t len)
{
	const struct topo_net *net = &t->nets[a->obj];
	char name[IFNAMSIZ], x[64];

	topo_vxlan_ifname(name, sizeof(name), net);
	switch (a->kind) {
	case ACT_VXLAN:
		snprintf(buf, len, "VXLAN %s of network %s (VNI %u)", name, net->name,
			 net->vni);
		break;
	case ACT_VXLAN_UP:
		snprintf(buf, len, "VXLAN %s up on bridge %s", name, net->bridge);
		break;
	case ACT_FDB:
		snprintf(buf, len, "forwarding entry of %s to %s (%s)", name,
			 t->hosts[a->idx].name, ip_str(&t->hosts[a->idx].addr, x, sizeof(x)));
		break;
	default:
		snprintf(buf, len, "?");
		break;
	}
}
