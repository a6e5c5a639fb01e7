// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * down.c - nsnet down: remove what carries the topology's mark and nothing
 * else: the namespaces whose record names the topology, the host links
 * whose alias is "nsnet:<topology>", their firewall entries, processes and
 * files. A link born in nsnet's group whose alias never came (its up was
 * killed between the two requests) is removed too when the topology's file
 * names it.
 */
#include <stdio.h>
#include <string.h>
#include <jansson.h>

#include "topology/topology.h"
#include "firewall/firewall.h"

/* The topology's name, validated (an empty name would match every plain
 * `ns add`, whose record names no topology), and its model when the file
 * can be read (for the names of links whose mark never came). */
static int topo_name_of(struct nsnet *nn, const char *file_or_name, char *name,
			size_t len, struct topo **t)
{
	int rc;

	size_t local;

	*t = NULL;
	if (topo_arg_is_file(file_or_name)) {
		if ((rc = topo_parse_file(nn, file_or_name, t)))
			return rc;
		snprintf(name, len, "%s", (*t)->name);
		/* --host names a machine of the file (docs/multihost.md). */
		if (nn->host[0] && (rc = topo_hosts_which(nn, *t, &local))) {
			topo_free(*t);
			*t = NULL;
		}
		return rc;
	}
	if ((rc = name_check(nn, "topology", file_or_name, TOPO_NAME_MAX)))
		return rc;
	snprintf(name, len, "%s", file_or_name);
	/* The file of its last up, if it is still there and still parses
	 * (with --host, it must name that machine). */
	if ((rc = topo_load(nn, name, t)) || strcmp((*t)->name, name)) {
		if (*t)
			topo_free(*t);
		*t = NULL;
		if (rc && nn->host[0] && nn->err_is_usage)
			return rc;
		err_clear(nn);
	}
	return 0;
}

struct link_list {
	char **names;
	bool *bridge;
	bool *peer_out;         /* a veth whose peer is in another namespace */
	size_t n;
	const char *mark_topo;
	const struct topo *t;  /* NULL: no file, marks only */
};

/* Whether the topology's file names a host link called ifname. */
static bool topo_names_link(const struct topo *t, const char *ifname)
{
	size_t i, j;

	char vx[IFNAMSIZ];

	for (i = 0; t && i < t->n_nets; i++) {
		if (!strcmp(t->nets[i].bridge, ifname))
			return true;
		topo_vxlan_ifname(vx, sizeof(vx), &t->nets[i]);
		if (topo_net_spans(&t->nets[i]) && !strcmp(vx, ifname))
			return true;
	}
	for (i = 0; t && i < t->n_nodes; i++)
		for (j = 0; j < t->nodes[i].n_att; j++)
			if (!strcmp(t->nodes[i].att[j].host_if, ifname))
				return true;
	for (i = 0; t && i < t->n_cables; i++)
		if ((ns_is_host(t->cables[i].a) && !strcmp(t->cables[i].a_if, ifname)) ||
		    (ns_is_host(t->cables[i].b) && !strcmp(t->cables[i].b_if, ifname)))
			return true;
	return false;
}

static int owned_link_cb(const struct nl_link *l, void *data)
{
	struct link_list *ll = data;

	if (!link_mark_is(l->alias, ll->mark_topo) &&
	    !(l->group == NSNET_LINK_GROUP && !l->alias[0] &&
	      topo_names_link(ll->t, l->name)))
		return 0;
	ARRAY_GROW(ll->names, ll->n);
	ll->bridge = realloc(ll->bridge, (ll->n + 1) * sizeof(*ll->bridge));
	ll->peer_out = realloc(ll->peer_out, (ll->n + 1) * sizeof(*ll->peer_out));
	if (!ll->bridge || !ll->peer_out)
		abort();
	ll->names[ll->n] = strdup(l->name);
	if (!ll->names[ll->n])
		abort();
	ll->peer_out[ll->n] = !strcmp(l->kind, "veth") && l->link_netnsid >= 0;
	ll->bridge[ll->n++] = !strcmp(l->kind, "bridge");
	return 0;
}

static void owned_link_restart(void *data)
{
	struct link_list *ll = data;

	while (ll->n)
		free(ll->names[--ll->n]);
}

/* Whether the file gives the host end ifname of a cable a NAT. */
static bool topo_names_end_nat(const struct topo *t, const char *ifname)
{
	size_t i;

	for (i = 0; t && i < t->n_cables; i++)
		if ((t->cables[i].nat[0].on && !strcmp(t->cables[i].a_if, ifname)) ||
		    (t->cables[i].nat[1].on && !strcmp(t->cables[i].b_if, ifname)))
			return true;
	return false;
}

/* The NAT of the host ends of its cables (a_nat:, b_nat:, or nat add by
 * hand on a link of the topology), and of an end the file gives a NAT
 * whose link somebody deleted (it would keep the host forwarding):
 * bridges' NAT goes with their registration. */
static int end_nats_remove(struct nsnet *nn, struct ns *host,
			   const struct link_list *ll)
{
	char saved[NSNET_ERR_MAX];
	int rc = 0, code = nn->err_code;
	bool usage = nn->err_is_usage;
	json_t *fw = NULL, *e;
	struct nl_link l;
	size_t i, k;

	/* what an earlier step of down failed with stays the error */
	memcpy(saved, nn->err, sizeof(saved));
	if (fw_show(nn, &fw))
		fw = NULL;  /* no firewall: no NAT */
	json_array_foreach(json_object_get(fw, "nat"), i, e) {
		const char *ifname = json_string_value(json_object_get(e, "bridge")) ?: "";
		bool ours = false;

		for (k = 0; k < ll->n && !ours; k++)
			ours = !ll->bridge[k] && !strcmp(ll->names[k], ifname);
		if (!ours && topo_names_end_nat(ll->t, ifname))
			ours = nl_link_get(nn, host, ifname, &l) == -ENODEV;
		if (ours && (rc = fw_nat_del(nn, ifname)))
			break;
	}
	json_decref(fw);
	if (!rc) {
		memcpy(nn->err, saved, sizeof(saved));
		nn->err_code = code;
		nn->err_is_usage = usage;
	}
	return rc;
}

/* The host ends of the veths that go with the namespaces nodes[] (their
 * peers are in them): from the file when there is one, else every marked
 * veth of ll whose peer is in another namespace. */
static size_t ends_of(const struct topo *t, char *const *nodes, size_t n_nodes,
		      const struct link_list *ll, char ***out)
{
	struct topo_set mine = { 0 };
	char **v = NULL;
	size_t i, j, n = 0;

	if (!t) {
		for (i = 0; i < ll->n; i++)
			if (ll->peer_out[i]) {
				ARRAY_GROW(v, n);
				v[n++] = ll->names[i];
			}
		*out = v;
		return n;
	}
	for (i = 0; i < n_nodes; i++)
		topo_set_put(&mine, nodes[i], strlen(nodes[i]), i, NULL);
	for (i = 0; i < t->n_nodes; i++) {
		if (!topo_set_get(&mine, t->nodes[i].name, strlen(t->nodes[i].name), NULL))
			continue;
		for (j = 0; j < t->nodes[i].n_att; j++) {
			ARRAY_GROW(v, n);
			v[n++] = (char *)t->nodes[i].att[j].host_if;
		}
	}
	for (i = 0; i < t->n_cables; i++) {
		const struct topo_cable *c = &t->cables[i];

		if (ns_is_host(c->a) && topo_set_get(&mine, c->b, strlen(c->b), NULL)) {
			ARRAY_GROW(v, n);
			v[n++] = (char *)c->a_if;
		} else if (ns_is_host(c->b) && topo_set_get(&mine, c->a, strlen(c->a), NULL)) {
			ARRAY_GROW(v, n);
			v[n++] = (char *)c->b_if;
		}
	}
	topo_set_free(&mine);
	*out = v;
	return n;
}

/*
 * The order is for the kernel. Namespaces go first: their veths are then
 * unregistered by the kernel in one batch, while deleting a bridge that
 * still has 1,000 ports takes 24 s here (a synchronisation per port). down
 * then waits for those veths to be gone (an up right after must find none
 * of them), asking for each by name, and only then reads the host's links
 * for the rest of the topology's (bridges, leaves, trunks): a dump of the
 * host's links while thousands of veths are still there costs, for each,
 * a walk over all of the host's namespace ids (quadratic: seconds at
 * 10,000 nodes). Without the file, the names of those veths are known only
 * from that dump, which then comes first.
 */
static int topo_down(struct nsnet *nn, const char *name, const struct topo *t)
{
	char dir[512];
	struct topo_steps steps = { 0 };
	struct link_list ll = { .mark_topo = name, .t = t };
	struct topo_hosts_ref hosts_ref = { 0 };
	char **nodes = NULL, **ends = NULL;
	bool early;
	size_t n_nodes, n_ends, i;
	struct ns *host;
	struct nl_batch b;
	int rc, first_rc = 0;

	if ((rc = ns_get(nn, NSNET_HOST, &host)))
		return rc;
	topo_step(nn, &steps, NULL);
	topo_record_dir(dir, sizeof(dir), name);
	n_nodes = ns_records_of(name, &nodes);
	early = !t || !n_nodes;
	/* Right after an interrupted up, hundreds of new links are still
	 * changing state and interrupt dumps: link_dump retries. */
	if (early && (rc = link_dump(nn, host, owned_link_cb, &ll, owned_link_restart))) {
		err_prefix(nn, "down %s", name);
		goto out;
	}
	if (early && !n_nodes && !ll.n && access(dir, F_OK)) {
		/* -ESRCH for this alone: the CLI's down of what is not up is done. */
		err_set(nn, 0, "there is no topology %s (nothing carries its mark)", name);
		rc = -ESRCH;
		goto out;
	}
	n_ends = n_nodes ? ends_of(t, nodes, n_nodes, &ll, &ends) : 0;
	topo_step(nn, &steps, "find");
	topo_runs_stop(name);

	/* Published ports of its nodes. */
	if ((rc = net_unpublish_all(nn, nodes, n_nodes, NULL, 0)) && !first_rc)
		first_rc = rc;
	topo_step(nn, &steps, "firewall");
	/* The files before the namespaces: a namespace's record is what finds
	 * its files, and a down killed between the two left files that the
	 * next down, finding no record, never removed (kill.bats). */
	for (i = 0; i < n_nodes; i++)
		topo_hosts_remove(nodes[i], &hosts_ref);
	if ((rc = ns_del_many(nn, nodes, n_nodes)) && !first_rc)
		first_rc = rc;
	topo_step(nn, &steps, "namespaces");
	/* So that an up right after finds none of the old veths. */
	link_wait_gone(nn, host, ends, n_ends, 10000);
	topo_step(nn, &steps, "teardown");
	if (!early && (rc = link_dump(nn, host, owned_link_cb, &ll, owned_link_restart))) {
		err_prefix(nn, "down %s", name);
		goto out;
	}
	/* Its bridges' NAT and isolation, the NAT of its host links, then
	 * what is left of its links in the host: bridges, leaves and trunks,
	 * host ends whose peer was not in one of its namespaces. */
	for (i = 0; i < ll.n; i++)
		if (ll.bridge[i] && (rc = fw_bridge_register(nn, ll.names[i], false, false)) &&
		    !first_rc)
			first_rc = rc;
	if ((rc = end_nats_remove(nn, host, &ll)) && !first_rc)
		first_rc = rc;
	nl_batch_init(&b);
	for (i = 0; i < ll.n; i++) {
		link_queue_del(&b, NSNET_HOST, ll.names[i], 0);
		nl_batch_last(&b)->ignore_missing = true;
	}
	if ((rc = nl_batch_send(nn, host, &b)) && !first_rc)
		first_rc = rc;
	nl_batch_free(&b);
	topo_step(nn, &steps, "links");
	/* The kernel keeps the loss chains of the host ends that are gone
	 * (net/impair.c): they go now, the table with its last chain. */
	if ((rc = fw_loss_set(nn, host, NULL, 0)) && !first_rc)
		first_rc = rc;
	topo_record_remove(name);
	rc = first_rc;
	if (rc)
		err_prefix(nn, "down %s", name);
out:
	for (i = 0; i < ll.n; i++)
		free(ll.names[i]);
	free(ll.names);
	free(ll.bridge);
	free(ll.peer_out);
	free(ends);
	for (i = 0; i < n_nodes; i++)
		free(nodes[i]);
	free(nodes);
	return rc;
}

NSNET_EXPORT int nsnet_topo_down(struct nsnet *nn, const char *file_or_name)
{
	char name[TOPO_NAME_MAX + 1];
	struct topo *t;
	int rc;

	if ((rc = topo_name_of(nn, file_or_name, name, sizeof(name), &t)))
		return rc;
	/* Held for the whole of down, teardown wait included (0.2 s for a
	 * few nodes with published ports, 0.7 s for 1,000 nodes): an up of
	 * the same file waiting for the lock then finds nothing of the old
	 * one, and nothing else changes the bridges or the firewall while
	 * down reads and removes what is the topology's. */
	rc = LOCKED(nn, topo_down(nn, name, t));
	if (t)
		topo_free(t);
	return rc;
}
