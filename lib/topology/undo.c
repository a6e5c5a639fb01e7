// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * undo.c - what a failed up takes back (topology/undo.h). What it created
 * goes: links, namespaces and their files, firewall entries (and with them
 * the host sysctls they needed), processes, the record. Of a topology that
 * was up already, what it changed is put back: addresses and routes it
 * added (repairs, or for a new cable or attachment), the default route it
 * replaced, sysctls and impairments (their values before), the isolation
 * and NAT of a bridge, the state, mark and bridge of a link, the hosts
 * files, the record. A NAT or published port that was there but did not
 * work stays repaired: it was the topology's before.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>

#include "topology/undo.h"
#include "firewall/firewall.h"

struct undo_item *undo_note(struct undo *u, enum topo_act_kind kind,
			    const char *ns, const char *ifname)
{
	struct undo_item *it;

	ARRAY_GROW(u->items, u->n_items);
	it = &u->items[u->n_items++];
	memset(it, 0, sizeof(*it));
	it->kind = kind;
	it->ns = ns;
	it->ifname = ifname;
	return it;
}

bool undo_ns_new(const struct undo *u, const char *node)
{
	size_t i;

	for (i = 0; i < u->n_ns; i++)
		if (!strcmp(u->ns[i], node))
			return true;
	return false;
}

/* The default routes of family in ns's main table (ROUTE_DEFAULT, readd):
 * what a replace of the default route would overwrite. */
struct default_routes {
	struct undo *u;
	const char *ns;
	int family;
};

static int default_route_cb(const struct nl_route *r, void *data)
{
	struct default_routes *d = data;

	if (r->family == d->family && r->table == RT_TABLE_MAIN && !r->dst.prefix &&
	    r->type == RTN_UNICAST) {
		struct undo_item *it = undo_note(d->u, ACT_ROUTE_DEFAULT, d->ns, NULL);

		it->route = *r;
		it->readd = true;
	}
	return 0;
}

static void default_routes_restart(void *data)
{
	struct default_routes *d = data;

	while (d->u->n_items && d->u->items[d->u->n_items - 1].readd &&
	       d->u->items[d->u->n_items - 1].ns == d->ns)
		d->u->n_items--;
}

int undo_note_default_routes(struct nsnet *nn, struct undo *u, struct ns *ns,
			     const char *ns_name, int family)
{
	struct default_routes d = { u, ns_name, family };

	return nl_route_dump(nn, ns, family, default_route_cb, &d,
			     default_routes_restart);
}

int undo_note_sysctl(struct nsnet *nn, struct undo *u, struct ns *ns,
		     const char *ns_name, const char *path)
{
	struct undo_item *it;
	char old[256];
	int rc;

	if ((rc = sysctl_read(nn, ns, path, old, sizeof(old))))
		return rc;
	it = undo_note(u, ACT_SYSCTL, ns_name, NULL);
	it->key = strdup(path);
	it->old = strdup(old);
	if (!it->key || !it->old)
		abort();
	return 0;
}

void undo_note_hosts(struct undo *u, const char *node)
{
	const struct topo_hosts_copy *prev = NULL;
	struct undo_item *it;
	size_t i, last = SIZE_MAX;

	/* the last text kept: shared while nodes have the same (one file,
	 * hard-linked, is not even read again) */
	for (i = u->n_items; i-- > 0;)
		if (u->items[i].kind == ACT_HOSTS && u->items[i].hosts.hosts) {
			last = i;
			break;
		}
	it = undo_note(u, ACT_HOSTS, node, NULL);  /* moves the items */
	if (last != SIZE_MAX)
		prev = &u->items[last].hosts;
	topo_hosts_keep(node, &it->hosts, prev);
	it->hosts_own = it->hosts.hosts && !it->hosts.borrowed;
	if (it->hosts_own && prev && !strcmp(prev->hosts, it->hosts.hosts)) {
		free(it->hosts.hosts);
		it->hosts.hosts = prev->hosts;
		it->hosts_own = false;
	}
}

int undo_note_firewall(struct nsnet *nn, struct undo *u, const char *bridge)
{
	return fw_bridge_state(nn, bridge, &undo_note(u, ACT_FIREWALL, bridge, NULL)->fw);
}

int undo_note_nat(struct nsnet *nn, struct undo *u, const char *ifname)
{
	struct fw_bridge_state st;
	int rc;

	if ((rc = fw_bridge_state(nn, ifname, &st)) || !st.nat)
		return rc;
	undo_note(u, ACT_CABLE_NAT, ifname, NULL)->fw = st;
	return 0;
}

/* As the end ifname has them: up sets both ends alike, and so does the
 * undo (one end changed by hand comes back as the other). */
int undo_note_impair(struct nsnet *nn, struct undo *u, enum topo_act_kind kind,
		     const char *ns_name, const char *ifname)
{
	struct impair_ns st;
	struct nl_link l;
	struct ns *ns;
	int rc;

	if ((rc = ns_get(nn, ns_name, &ns)) || (rc = nl_link_get(nn, ns, ifname, &l)) ||
	    (rc = impair_ns_read(nn, ns, &st)))
		return rc;
	impair_ns_link(&st, l.index, ifname, true, &undo_note(u, kind, ns_name, ifname)->imp);
	impair_ns_free(&st);
	return 0;
}

int undo_note_link(struct nsnet *nn, struct undo *u, enum topo_act_kind kind,
		   struct ns *ns, const char *ns_name, const char *ifname)
{
	struct undo_item *it;
	struct nl_link l;
	int rc;

	if ((rc = nl_link_get(nn, ns, ifname, &l)))
		return rc == -ENODEV ? err_set(nn, ENODEV, "%s in %s", ifname, ns_name) : rc;
	it = undo_note(u, kind, ns_name, ifname);
	it->up = l.flags & IFF_UP;
	it->master = l.master;
	if (!(it->old = strdup(l.alias)))
		abort();
	return 0;
}

/* One item put back; what fails is left (the context error is the up's). */
static void undo_item_run(struct nsnet *nn, const struct undo *u,
			  struct undo_item *it)
{
	struct nl_batch b;
	struct nl_link l;
	struct ns *ns;

	switch (it->kind) {
	case ACT_RUN:
	case ACT_SETUP:
		topo_run_stop(u->name, it->ns, it->idx, it->kind == ACT_SETUP);
		return;
	case ACT_HOSTS:
		topo_hosts_put_back(nn, it->ns, &it->hosts);
		return;
	case ACT_FIREWALL:
		fw_bridge_register(nn, it->ns, false, false);
		if (it->fw.registered)
			fw_bridge_register(nn, it->ns, it->fw.internal, true);
		/* and its NAT */
		/* fall through */
	case ACT_CABLE_NAT:
		if (it->fw.nat)
			fw_nat_add(nn, it->ns, it->fw.nat_out[0] ? it->fw.nat_out : NULL);
		return;
	case ACT_IMPAIR:
	case ACT_CABLE_IMPAIR:
		net_link_impair(nn, it->ns, it->ifname, &it->imp);
		return;
	default:
		break;
	}
	if (ns_get(nn, it->ns, &ns))
		return;
	if (it->kind == ACT_SYSCTL) {
		sysctl_write(nn, ns, it->key, it->old);
		return;
	}
	nl_batch_init(&b);
	if (it->kind == ACT_CABLE) {
		link_queue_del(&b, it->ns, it->ifname, 0);
	} else if (it->kind == ACT_LO_UP || it->kind == ACT_INNER_UP ||
		   it->kind == ACT_HOST_UP || it->kind == ACT_BRIDGE_UP) {
		link_queue_set(&b, it->ns, it->ifname, 0, it->up, 0,
			       it->kind == ACT_HOST_UP ? it->master : -1,
			       it->old[0] ? it->old : NULL);
		if (!it->old[0])  /* none: an empty one clears it */
			nl_put(&b, IFLA_IFALIAS, 0, "");
	} else if (it->readd) {
		route_queue(&b, true, it->ns, &it->route.dst,
			    it->route.has_gateway ? &it->route.gateway : NULL,
			    it->route.oif, NULL);
		/* as it was: its protocol, its metric */
		((struct rtmsg *)mnl_nlmsg_get_payload(b.cur))->rtm_protocol =
			(unsigned char)it->route.protocol;
		nl_put_u32(&b, RTA_PRIORITY, it->route.priority);
		nl_batch_last(&b)->ignore_exist = true;
	} else if (it->kind == ACT_ROUTE || it->kind == ACT_ROUTE_DEFAULT) {
		route_queue(&b, false, it->ns, &it->ip, it->via.family ? &it->via : NULL,
			    0, NULL);
	} else if (!nl_link_get(nn, ns, it->ifname, &l)) {  /* ADDR, BRIDGE_ADDR */
		addr_queue(&b, false, it->ns, it->ifname, l.index, &it->ip);
	}
	if (b.n) {
		nl_batch_last(&b)->ignore_missing = true;
		nl_batch_send(nn, ns, &b);
	}
	nl_batch_free(&b);
}

static bool item_is_late(const struct undo_item *it)
{
	return it->kind == ACT_RUN || it->kind == ACT_SETUP || it->kind == ACT_HOSTS;
}

/* In reverse order of apply; each removal through the layer that made it
 * (the firewall's put back the host sysctls its last user needed). */
void undo_run(struct nsnet *nn, struct undo *u)
{
	char saved[NSNET_ERR_MAX];
	struct topo_hosts_ref hosts_ref = { 0 };
	int code = nn->err_code;
	bool usage = nn->err_is_usage;
	struct nl_batch b;
	struct ns *host;
	size_t i;

	memcpy(saved, nn->err, sizeof(saved));
	/* Its processes: all of them when the topology was not up before;
	 * else those this up started, and the hosts files it rewrote. */
	if (u->record_new)
		topo_runs_stop(u->name);
	for (i = u->n_items; i-- > 0;)
		if (item_is_late(&u->items[i]) &&
		    (!u->record_new || u->items[i].kind == ACT_HOSTS))
			undo_item_run(nn, u, &u->items[i]);
	for (i = u->n_pub; i >= 2; i -= 2)
		fw_unpublish(nn, u->pub[i - 2], u->pub[i - 1]);
	for (i = u->n_nat; i-- > 0;)
		fw_nat_del(nn, u->nat[i]);
	for (i = u->n_bridges_fw; i-- > 0;)
		fw_bridge_register(nn, u->bridges_fw[i], false, false);
	for (i = u->n_items; i-- > 0;)
		if (!item_is_late(&u->items[i]))
			undo_item_run(nn, u, &u->items[i]);
	/* As down does (down.c says why): the new nodes' files while their
	 * records still find them, then the namespaces, whose veths go with
	 * them and are waited for, by name, so that a retry right after finds
	 * none of them; then the rest of the links. */
	for (i = 0; i < u->n_ns; i++)
		topo_hosts_remove(u->ns[i], &hosts_ref);
	ns_del_many(nn, u->ns, u->n_ns);
	for (i = 0; i < u->n_ns && !u->record_new; i++)
		topo_run_forget(u->name, u->ns[i]);
	if (!ns_get(nn, NSNET_HOST, &host)) {
		struct topo_set gone = { 0 };

		link_wait_gone(nn, host, u->ends, u->n_ends, 10000);
		for (i = 0; i < u->n_ends; i++)
			topo_set_put(&gone, u->ends[i], strlen(u->ends[i]), i, NULL);
		nl_batch_init(&b);
		for (i = u->n_links; i-- > 0;) {
			if (topo_set_get(&gone, u->links[i], strlen(u->links[i]), NULL))
				continue;
			link_queue_del(&b, NSNET_HOST, u->links[i], 0);
			nl_batch_last(&b)->ignore_missing = true;
		}
		nl_batch_send(nn, host, &b);
		nl_batch_free(&b);
		topo_set_free(&gone);
	}
	if (u->record_new)
		topo_record_remove(u->name);
	else
		topo_record_put_back(nn, u->name, &u->record);
	memcpy(nn->err, saved, sizeof(saved));
	nn->err_code = code;
	nn->err_is_usage = usage;
}

void undo_free(struct undo *u)
{
	size_t i;

	for (i = 0; i < u->n_ns; i++)
		free(u->ns[i]);
	for (i = 0; i < u->n_links; i++)
		free(u->links[i]);
	for (i = 0; i < u->n_ends; i++)
		free(u->ends[i]);
	free(u->ends);
	for (i = 0; i < u->n_bridges_fw; i++)
		free(u->bridges_fw[i]);
	for (i = 0; i < u->n_nat; i++)
		free(u->nat[i]);
	for (i = 0; i < u->n_pub; i++)
		free(u->pub[i]);
	for (i = 0; i < u->n_items; i++) {
		free(u->items[i].key);
		free(u->items[i].old);
		if (u->items[i].hosts_own)
			free(u->items[i].hosts.hosts);
	}
	for (i = 0; i < ARRAY_SIZE(u->record.text); i++)
		free(u->record.text[i]);
	free(u->items);
	free(u->node_new);
	free(u->ns);
	free(u->links);
	free(u->bridges_fw);
	free(u->nat);
	free(u->pub);
}

