// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * plan.c - compare a topology with what the kernel has and list what
 * `up` must do, in the order that is fastest for the kernel: bridges are
 * created down and come up after their ports (enslaving to a bridge that
 * is up costs time in proportion to its ports: 3.5 s against 0.9 s for
 * 1,000 namespaces on this kind of machine), veths are born with their
 * inner end in the node's namespace.
 *
 * The kernel is the only state: links are asked for by name, a node's
 * addresses and routes with one dump each, and what belongs to whom is read
 * from nsnet's marks (alias "nsnet:<topology>", /run/nsnet/ns/<node>). A
 * link born in nsnet's group that never got its alias (its up was killed
 * in between) is adopted: the repair sets the mark.
 *
 * nsnet_topo_plan() returns the plan as data, each action with the ip/nft
 * commands that would do the same (describe.c); the CLI prints them.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <linux/if_addr.h>
#include <jansson.h>

#include "topology/topology.h"
#include "firewall/firewall.h"
#include "kernel/kernel.h"

/* ---- the plan ----------------------------------------------------------------- */

static void add(struct topo_plan *p, enum topo_act_kind kind, size_t obj,
		size_t idx, int family, bool repair)
{
	topo_plan_add(p, kind, obj, idx, family, repair);
}

static bool fw_has_nat(json_t *fw, const char *bridge)
{
	json_t *e;
	size_t i;

	json_array_foreach(json_object_get(fw, "nat"), i, e)
		if (!strcmp(json_string_value(json_object_get(e, "bridge")) ?: "", bridge))
			return true;
	return false;
}

/* A cable end's NAT, working and leaving by out ("": any interface). */
static bool fw_has_end_nat(json_t *fw, const char *ifname, const char *out)
{
	json_t *e;
	size_t i;

	json_array_foreach(json_object_get(fw, "nat"), i, e)
		if (!strcmp(json_string_value(json_object_get(e, "bridge")) ?: "", ifname))
			return !strcmp(json_string_value(json_object_get(e, "out")) ?: "", out);
	return false;
}

/* The NAT of each end of cable i that has nat: (made: the cable is made
 * now, else its NAT is checked in fw). The interface it leaves by must be
 * there: found missing now, nothing is changed. */
static int cable_nat(struct nsnet *nn, struct ns *host, struct topo_plan *p,
		     const struct topo_cable *c, size_t i, json_t *fw, bool made)
{
	struct nl_link l;
	int end, rc;

	for (end = 0; end < 2; end++) {
		const char *ifname = end ? c->b_if : c->a_if;

		if (!c->nat[end].on)
			continue;
		if (c->nat[end].out[0] &&
		    (rc = nl_link_get(nn, host, c->nat[end].out, &l)))
			return rc != -ENODEV ? rc :
			       err_set(nn, 0, "NAT for cable end %s: the host has no interface %s to leave by",
				       ifname, c->nat[end].out);
		if (made || !fw_has_end_nat(fw, ifname, c->nat[end].out))
			add(p, ACT_CABLE_NAT, i, (size_t)end, 0, !made);
	}
	return 0;
}

static bool fw_has_publish(json_t *fw, const char *node, const char *spec)
{
	struct fw_spec want;
	char why[128];
	json_t *e;
	size_t i;

	if (fw_spec_parse(spec, &want, why, sizeof(why)))
		return false;
	json_array_foreach(json_object_get(fw, "published"), i, e) {
		const char *ns = json_string_value(json_object_get(e, "namespace"));
		const char *proto = json_string_value(json_object_get(e, "proto"));

		if (ns && !strcmp(ns, node) && proto &&
		    !strcmp(proto, fw_proto_name(want.proto)) &&
		    json_integer_value(json_object_get(e, "host_port")) == want.host_lo &&
		    json_integer_value(json_object_get(e, "port")) == want.port_lo)
			return true;
	}
	return false;
}

/* The impairments of a veth as both its ends have them, against the file:
 * unwritten ones are to be none. */
static bool impair_drifted(const struct nsnet_link_impair *file,
			   const struct impair_ns *a_st, const struct nl_link *a,
			   const struct impair_ns *b_st, const struct nl_link *b)
{
	struct nsnet_link_impair want = *file, have;

	want.set = NSNET_IMPAIR_RATE | NSNET_IMPAIR_LOSS | NSNET_IMPAIR_DELAY;
	impair_ns_link(a_st, a->index, a->name, true, &have);
	if (!impair_same(&have, &want))
		return true;
	impair_ns_link(b_st, b->index, b->name, true, &have);
	return !impair_same(&have, &want);
}

/* A cable that exists: both ends' impairments against the file. Cables
 * are few: each end's namespace is read for itself. */
static int cable_impair(struct nsnet *nn, const struct topo_cable *c,
			struct ns *a_ns, const struct nl_link *a,
			struct ns *host, struct impair_ns *himp, bool *himp_read,
			struct topo_plan *p, size_t i);

/* The host's impairments, read the first time a link needs them (its
 * qdiscs only when qdiscs: a link of it has a root qdisc of its own). */
static int host_impair(struct nsnet *nn, struct ns *host, bool qdiscs,
		       struct impair_ns *st, bool *read)
{
	int rc = 0;

	if (!*read && !(rc = impair_ns_read_some(nn, host, qdiscs, st)))
		*read = true;
	return rc;
}

static int cable_impair(struct nsnet *nn, const struct topo_cable *c,
			struct ns *a_ns, const struct nl_link *a,
			struct ns *host, struct impair_ns *himp, bool *himp_read,
			struct topo_plan *p, size_t i)
{
	struct impair_ns st[2] = { { 0 }, { 0 } };
	const struct impair_ns *sa, *sb;
	struct nl_link b;
	struct ns *b_ns;
	int rc;

	if (!ns_is_host(c->b) && !ns_exists(c->b))
		return 0;
	if ((rc = ns_get(nn, c->b, &b_ns)))
		return rc;
	rc = nl_link_get(nn, b_ns, c->b_if, &b);
	if (rc)
		return rc == -ENODEV ? 0 : rc;  /* a broken cable: not this check's */
	if ((ns_is_host(c->a) || ns_is_host(c->b)) &&
	    (rc = host_impair(nn, host, true, himp, himp_read)))
		return rc;
	if (!ns_is_host(c->a) && (rc = impair_ns_read(nn, a_ns, &st[0])))
		return rc;
	if (!ns_is_host(c->b) && (rc = impair_ns_read(nn, b_ns, &st[1]))) {
		impair_ns_free(&st[0]);
		return rc;
	}
	sa = ns_is_host(c->a) ? himp : &st[0];
	sb = ns_is_host(c->b) ? himp : &st[1];
	if (impair_drifted(&c->impair, sa, a, sb, &b))
		add(p, ACT_CABLE_IMPAIR, i, 0, 0, true);
	impair_ns_free(&st[0]);
	impair_ns_free(&st[1]);
	return 0;
}

/* Whether every link of a node has the kernel's default root qdisc: no
 * rate or delay anywhere in it. */
static bool node_qdiscs_default(const struct topo_state *st)
{
	size_t i;

	for (i = 0; i < st->n_link; i++)
		if (!impair_qdisc_default(st->link[i].qdisc))
			return false;
	return true;
}

/* The state of the nodes, read PLAN_CHUNK at a time in parallel
 * (state.c): whether each exists, what the plan of a node compares with. */
#define PLAN_CHUNK 256

struct chunk {
	struct topo_state st[PLAN_CHUNK];
	bool loss_table[PLAN_CHUNK];
	size_t n;                       /* states held */
};

static void chunk_free(struct chunk *ck)
{
	size_t k;

	for (k = 0; k < ck->n; k++)
		topo_state_free(&ck->st[k]);
	ck->n = 0;
}

static int chunk_read(struct nsnet *nn, const struct topo *t, size_t first,
		      struct chunk *ck)
{
	const struct topo_node *nodes[PLAN_CHUNK];
	size_t n;
	int rc;

	chunk_free(ck);
	for (n = 0; n < PLAN_CHUNK && first + n < t->n_nodes; n++)
		nodes[n] = &t->nodes[first + n];
	if ((rc = topo_state_read_nodes(nn, nodes, n, ck->st, ck->loss_table)))
		return rc;
	ck->n = n;
	return 0;
}

/* A link up may take: the topology's own, or an orphan of nsnet's. */
static bool link_ours(const struct nl_link *l, const char *topo)
{
	return link_mark_is(l->alias, topo) ||
	       (l->group == NSNET_LINK_GROUP && !l->alias[0]);
}

/* The sentence for a host interface that holds a name the topology needs:
 * whose it is, so that the user knows what to remove or rename. */
static int link_taken(struct nsnet *nn, const char *what, const struct nl_link *l,
		      const char *topo)
{
	char owner[64];

	if (link_mark_owner(l->alias, owner, sizeof(owner)))
		return err_set(nn, 0,
			"%s: the host already has an interface %s that is not part of topology %s: it belongs to %s%s",
			what, l->name, topo, owner[0] ? "topology " : "nsnet (made by hand)",
			owner);
	return err_set(nn, 0,
		"%s: the host already has an interface %s that is not part of topology %s: nsnet did not create it%s%s%s",
		what, l->name, topo, l->alias[0] ? " (alias \"" : "", l->alias,
		l->alias[0] ? "\")" : "");
}

/* The alias a network's bridge carries. */
static void bridge_alias(const struct topo *t, const struct topo_net *net,
			 char *buf, size_t len)
{
	snprintf(buf, len, "nsnet:%s%s", t->name, net->internal ? " internal" : "");
}

int topo_plan(struct nsnet *nn, const struct topo *t, struct topo_plan *p)
{
	struct ns *host, *ns;
	struct topo_state hst = { 0 };
	struct impair_ns himp = { 0 };
	bool himp_read = false, host_qdiscs;
	json_t *fw = NULL;
	char *hosts = NULL;
	int *br_index = NULL;  /* per bridge slot (leaves.c); 0: to be created */
	struct topo_hosts_ref hosts_ref = { 0 };
	/* on the heap: 256 node states are ~130 KiB, a library's caller may
	 * run on a small thread stack */
	struct chunk *ck = calloc(1, sizeof(*ck));
	size_t i, j;
	int rc, f;

	memset(p, 0, sizeof(*p));
	br_index = calloc(t->n_slots + 1, sizeof(*br_index));
	if (!br_index || !ck)
		abort();
	/* the host's links (a port per node), addresses and routes */
	if ((rc = ns_get(nn, NSNET_HOST, &host)) || (rc = topo_state_read(nn, host, &hst)))
		goto out;
	host_qdiscs = !node_qdiscs_default(&hst);
	hosts = topo_hosts_file(t);  /* the same for every node: made once */
	/* What really works, not what the table lists: a flushed chain or
	 * map, a NAT whose bridge was made again, a port whose namespace
	 * changed address are repaired by up and seen by status. */
	if (fw_show_working(nn, &fw))
		fw = json_object();  /* no table yet: nothing registered */

	for (i = 0; i < t->n_nets; i++) {
		const struct topo_net *net = &t->nets[i];
		const struct nl_link *found = topo_state_link(&hst, net->bridge);
		struct nl_link l;
		char what[64], alias[96];
		bool fw_redo;

		if (found)
			l = *found;
		if (!found) {
			/* its leaves, if it spans some (leaves.c) */
			if ((rc = leaf_plan(nn, t, i, host, fw, br_index, p)))
				goto out;
			add(p, ACT_BRIDGE, i, 0, 0, false);
			for (f = 0; f < 2; f++)
				if (net->subnet[f].family && topo_net_gateway_here(t, net))
					add(p, ACT_BRIDGE_ADDR, i, 0, f, false);
			add(p, ACT_BRIDGE_UP, i, 0, 0, false);
			/* What the firewall still holds of a bridge that is
			 * gone (deleted behind nsnet's back) is stale: it is
			 * cleared and made again (repair), NAT included. */
			add(p, ACT_FIREWALL, i, 0, 0,
			    topo_fw_lists(fw, "bridges", net->bridge) ||
			    topo_fw_lists(fw, "internal", net->bridge) ||
			    fw_has_nat(fw, net->bridge));
			if (net->nat && topo_net_gateway_here(t, net))
				add(p, ACT_NAT, i, 0, 0, false);
			continue;
		}
		if (!link_ours(&l, t->name)) {
			snprintf(what, sizeof(what), "network %s", net->name);
			rc = link_taken(nn, what, &l, t->name);
			goto out;
		}
		br_index[net->slot] = l.index;
		p->ok_objects++;
		if ((rc = leaf_plan(nn, t, i, host, fw, br_index, p)))
			goto out;
		/* Over several machines, only the gateway's carries it. */
		for (f = 0; f < 2; f++)
			if (net->subnet[f].family && topo_net_gateway_here(t, net) &&
			    !topo_state_has_addr(&hst, l.index, &net->gateway[f]))
				add(p, ACT_BRIDGE_ADDR, i, 0, f, true);
		/* Bringing it up also writes its mark (an orphan's, or an
		 * "internal" that the file changed). */
		bridge_alias(t, net, alias, sizeof(alias));
		if (!(l.flags & IFF_UP) || strcmp(l.alias, alias))
			add(p, ACT_BRIDGE_UP, i, 0, 0, true);
		fw_redo = !topo_fw_lists(fw, "bridges", net->bridge) ||
			  net->internal != topo_fw_lists(fw, "internal", net->bridge);
		if (fw_redo)
			add(p, ACT_FIREWALL, i, 0, 0, true);
		if (net->nat && topo_net_gateway_here(t, net) &&
		    (fw_redo || !fw_has_nat(fw, net->bridge)))
			add(p, ACT_NAT, i, 0, 0, true);
	}

	/* Networks over several machines: their VXLAN devices (span.c). */
	if ((rc = topo_plan_span(nn, t, host, p)))
		goto out;

	for (i = 0; i < t->n_nodes; i++) {
		const struct topo_node *nd = &t->nodes[i];
		bool fresh, gw_done[2] = { false, false };
		struct topo_state *stp;
		struct impair_ns nimp = { 0 };
		bool nimp_read = false;
		const struct nl_link *lo;
		char what[96];

		/* the state of the next nodes, read in bulk */
		if (i % PLAN_CHUNK == 0 && (rc = chunk_read(nn, t, i, ck)))
			goto out;
		stp = &ck->st[i % PLAN_CHUNK];
		fresh = !stp->exists;
		ns = NULL;
		if (fresh) {
			add(p, ACT_NS, i, 0, 0, false);
		} else {
			if (strcmp(stp->owner, t->name)) {
				rc = err_set(nn, 0,
					"node %s: a namespace %s exists and is not part of topology %s",
					nd->name, nd->name, t->name);
				goto out;
			}
			p->ok_objects++;
			/* Nothing works without it; lo is always index 1. */
			lo = topo_state_link_index(stp, 1);
			if (!lo || !(lo->flags & IFF_UP))
				add(p, ACT_LO_UP, i, 0, 0, true);
		}
		for (j = 0; j < nd->n_att; j++) {
			const struct topo_attach *a = &nd->att[j];
			const struct topo_net *net = &t->nets[a->net];
			const struct nl_link *found = topo_state_link(&hst, a->host_if);
			struct nl_link hl = { 0 }, il = { 0 };
			bool new_veth = fresh;

			if (found)
				hl = *found;
			if (!fresh) {
				new_veth = !found;
				if (!new_veth && !link_ours(&hl, t->name)) {
					snprintf(what, sizeof(what), "node %s on %s", nd->name,
						 net->name);
					rc = link_taken(nn, what, &hl, t->name);
					goto node_out;
				}
				rc = 0;
			}
			if (fresh) {
				/* The name the bridge port will have must be free:
				 * found now, nothing is changed; found by the
				 * kernel later, the whole up is undone. */
				if (found) {
					snprintf(what, sizeof(what), "node %s on %s", nd->name,
						 net->name);
					rc = link_taken(nn, what, &hl, t->name);
					goto node_out;
				}
			}
			if (new_veth) {
				add(p, ACT_VETH, i, j, 0, false);
			} else {
				p->ok_objects++;
				/* up, marked (an orphan is adopted), and a port of
				 * its bridge (which may have been made anew) */
				if (!(hl.flags & IFF_UP) || !link_mark_is(hl.alias, t->name) ||
				    !br_index[leaf_slot(t, a)] ||
				    hl.master != br_index[leaf_slot(t, a)])
					add(p, ACT_HOST_UP, i, j, 0, true);
				if (!(found = topo_state_link(stp, a->ifname))) {
					rc = err_set(nn, 0, "node %s: %s lost its peer %s",
						     nd->name, a->host_if, a->ifname);
					goto node_out;
				}
				il = *found;
				/* Its mark comes in the request that brings it up
				 * (apply's step 4): up, it has it. */
				if (!(il.flags & IFF_UP) ||
				    (!stp->links_partial && !link_mark_is(il.alias, t->name)))
					add(p, ACT_INNER_UP, i, j, 0, true);
				/* The node's impairments (a qdisc dump, which
				 * waits for RTNL, and its loss rules) only when
				 * the file gives the link some, its host end has
				 * a qdisc of its own, or the node has nsnet's
				 * loss table: most have none of these. (A rate
				 * or delay set by hand on the node's end alone,
				 * nsnet sets them on both, is not seen.) */
				if ((rc = host_impair(nn, host, host_qdiscs, &himp, &himp_read)))
					goto node_out;
				if (!nimp_read && (!impair_none(&a->impair) ||
						   !impair_qdisc_default(hl.qdisc) ||
						   ck->loss_table[i % PLAN_CHUNK])) {
					if ((rc = ns_get(nn, nd->name, &ns)) ||
					    (rc = impair_ns_read(nn, ns, &nimp)))
						goto node_out;
					nimp_read = true;
				}
				if (impair_drifted(&a->impair, &nimp, &il, &himp, &hl))
					add(p, ACT_IMPAIR, i, j, 0, true);
			}
			if (new_veth && !impair_none(&a->impair))
				add(p, ACT_IMPAIR, i, j, 0, false);
			for (f = 0; f < 2; f++) {
				if (!a->addr[f].family)
					continue;
				if (new_veth || !topo_state_has_addr(stp, il.index, &a->addr[f]))
					add(p, ACT_ADDR, i, j, f, !new_veth);
				if (!gw_done[f]) {
					struct ipaddr def = { .family = a->addr[f].family, .prefix = 0 };

					gw_done[f] = true;
					if (fresh || !topo_state_has_route(stp, &def, &net->gateway[f]))
						add(p, ACT_ROUTE_DEFAULT, i, j, f, !fresh);
				}
			}
		}
		for (j = 0; j < nd->n_routes; j++)
			if (fresh || !topo_state_has_route(stp, &nd->routes[j].dst,
							   &nd->routes[j].via))
				add(p, ACT_ROUTE, i, j, 0, !fresh);
		for (j = 0; j < nd->n_sysctls; j++) {
			char key[256], val[64] = "";
			size_t k;

			snprintf(key, sizeof(key), "%s", nd->sysctls[j].key);
			for (k = 0; key[k]; k++)
				if (key[k] == '.')
					key[k] = '/';
			if (fresh || (!ns && ns_get(nn, nd->name, &ns)) ||
			    sysctl_read(nn, ns, key, val, sizeof(val)) ||
			    strcmp(val, nd->sysctls[j].value))
				add(p, ACT_SYSCTL, i, j, 0, !fresh);
		}
		for (j = 0; j < nd->n_publish; j++)
			if (!fw_has_publish(fw, nd->name, nd->publish[j]))
				add(p, ACT_PUBLISH, i, j, 0, !fresh);
		/* a file there that is not nsnet's: refused, before any change */
		if ((rc = topo_hosts_state_seen(nn, nd->name, hosts, &hosts_ref,
						 &stp->files)) < 0)
			goto node_out;
		if (fresh || !rc)
			add(p, ACT_HOSTS, i, 0, 0, !fresh);
		rc = 0;
		/* One-shot: done once per namespace, never drift. */
		for (j = 0; j < nd->n_setup; j++)
			if (fresh || !topo_setup_done(t->name, nd->name, j, nd->setup[j]))
				add(p, ACT_SETUP, i, j, 0, false);
		for (j = 0; j < nd->n_run; j++)
			if (!topo_run_alive(t->name, nd->name, j))
				add(p, ACT_RUN, i, j, 0, !fresh);
node_out:
		impair_ns_free(&nimp);
		if (!fresh)
			ns_release(nn, nd->name);
		if (rc)
			goto out;
	}

	for (i = 0; i < t->n_cables; i++) {
		const struct topo_cable *c = &t->cables[i];
		struct nl_link l;

		if (!ns_is_host(c->a) && !ns_exists(c->a)) {
			add(p, ACT_CABLE, i, 0, 0, false);
			if (!impair_none(&c->impair))
				add(p, ACT_CABLE_IMPAIR, i, 0, 0, false);
			if ((rc = cable_nat(nn, host, p, c, i, fw, true)))
				goto out;
			continue;
		}
		if ((rc = ns_get(nn, c->a, &ns)))
			goto out;
		rc = nl_link_get(nn, ns, c->a_if, &l);
		if (rc == -ENODEV) {
			add(p, ACT_CABLE, i, 0, 0, false);
			if (!impair_none(&c->impair))
				add(p, ACT_CABLE_IMPAIR, i, 0, 0, false);
			if ((rc = cable_nat(nn, host, p, c, i, fw, true)))
				goto out;
		} else if (rc) {
			goto out;
		} else {
			p->ok_objects++;
			if ((rc = cable_impair(nn, c, ns, &l, host, &himp, &himp_read, p, i)))
				goto out;
			if ((rc = cable_nat(nn, host, p, c, i, fw, false)))
				goto out;
		}
	}
	/* what the kernel cannot take, found now rather than halfway */
	if ((rc = leaf_limits(nn, t, p)))
		goto out;
	/* Bridges come up after their ports; the firewall, NAT and published
	 * ports after the links they name; processes last. */
	{
		static const enum topo_act_kind order[] = {
			ACT_BRIDGE, ACT_BRIDGE_ADDR, ACT_TRUNK, ACT_VXLAN, ACT_VXLAN_UP, ACT_FDB,
			ACT_NS, ACT_LO_UP, ACT_VETH, ACT_HOST_UP,
			ACT_INNER_UP, ACT_ADDR, ACT_ROUTE_DEFAULT, ACT_ROUTE, ACT_CABLE,
			ACT_SYSCTL, ACT_IMPAIR, ACT_CABLE_IMPAIR, ACT_BRIDGE_UP,
			ACT_FIREWALL, ACT_NAT, ACT_CABLE_NAT, ACT_PUBLISH, ACT_HOSTS,
			ACT_SETUP, ACT_RUN,
		};
		struct topo_action *sorted = calloc(p->n + 1, sizeof(*sorted));
		size_t n = 0, k;

		if (!sorted)
			abort();
		for (k = 0; k < ARRAY_SIZE(order); k++)
			for (i = 0; i < p->n; i++)
				if (p->act[i].kind == order[k])
					sorted[n++] = p->act[i];
		free(p->act);
		p->act = sorted;
		p->cap = p->n + 1;
	}
out:
	free(hosts);
	free(br_index);
	chunk_free(ck);
	free(ck);
	topo_state_free(&hst);
	impair_ns_free(&himp);
	json_decref(fw);
	if (rc)
		topo_plan_free(p);
	return rc;
}

void topo_plan_free(struct topo_plan *p)
{
	free(p->act);
	memset(p, 0, sizeof(*p));
}

/* ---- the plan as data ----------------------------------------------------------- */

json_t *topo_plan_json(const struct topo *t, const struct topo_plan *p)
{
	json_t *actions = json_array();
	size_t i;

	for (i = 0; i < p->n; i++) {
		json_t *cmds = json_array();
		char what[256];

		topo_action_str(t, &p->act[i], what, sizeof(what));
		topo_action_commands(t, &p->act[i], cmds);
		json_array_append_new(actions, json_pack("{s:s,s:s,s:b,s:o}",
			"kind", topo_action_kind(p->act[i].kind), "object", what,
			"repair", p->act[i].repair, "commands", cmds));
	}
	return json_pack("{s:s,s:s?,s:o,s:o}", "name", t->name, "file", t->file,
			 "leaves", leaf_json(t), "actions", actions);
}

NSNET_EXPORT int nsnet_topo_plan(struct nsnet *nn, const char *file,
				 json_t **out)
{
	struct topo_steps steps = { 0 };
	struct topo_plan plan;
	struct topo *t;
	int rc;

	if ((rc = topo_parse_arg(nn, file, &t)))
		return rc;
	topo_step(nn, &steps, NULL);
	if ((rc = ctx_set_owner(nn, t->name)) || (rc = topo_plan(nn, t, &plan))) {
		topo_free(t);
		return rc;
	}
	topo_step(nn, &steps, "plan");
	*out = topo_plan_json(t, &plan);
	topo_plan_free(&plan);
	topo_free(t);
	return 0;
}
