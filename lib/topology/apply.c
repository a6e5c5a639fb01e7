// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * apply.c - nsnet up: run the plan's actions, and undo them on failure.
 *
 * up runs the plan step by step, each step batched: all veths of the
 * topology in one batch on the host socket, then one batch per node on its
 * own socket. What this run creates, and what it changes of what was there
 * (a topology that was up already: its repairs), is noted as it goes and
 * taken back in reverse if a later step fails (undo.c), so a failed up
 * leaves the host as it found it.
 *
 * Links are born in nsnet's link group; their alias (the mark naming the
 * topology) is set in a later request, sent only once the kernel said it
 * created them (a barrier), so that a name somebody else took meanwhile is
 * never marked as ours. The topology's record is written first, so that a
 * down after a SIGKILL between the two finds, in the file it names, the
 * links that were born without their alias.
 */
#include <stdio.h>
#include <string.h>
#include <libmnl/libmnl.h>
#include <linux/ethtool.h>
#include <jansson.h>

#include "topology/topology.h"
#include "topology/undo.h"
#include "firewall/firewall.h"
#include "run/run.h"

/* What up reports: result lines through line (none when it is NULL),
 * progress when the caller asked for it, the time of each step. */
struct up_report {
	void (*line)(void *data, const char *text);
	void *data;
	bool progress;
	struct topo_steps steps;
};

static void say(struct up_report *pr, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void say(struct up_report *pr, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	if (!pr->line)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	pr->line(pr->data, buf);
}

/* How far along a long step is: large topologies take seconds. */
static void tick(struct nsnet *nn, struct up_report *pr, const char *what,
		 size_t i, size_t n)
{
	if (pr->progress)
		topo_progress(nn, what, i, n);
}

static void push(char ***v, size_t *n, const char *s)
{
	char **p = realloc(*v, (*n + 1) * sizeof(**v));

	if (!p)
		abort();
	*v = p;
	(*v)[(*n)++] = strdup(s);
}

static bool listed(char *const *v, size_t n, const char *s)
{
	while (n--)
		if (!strcmp(v[n], s))
			return true;
	return false;
}

/* A link up made (span.c's VXLAN devices, leaves.c's leaves and trunks):
 * undone with the others. */
static void undo_link(void *data, const char *ifname)
{
	struct undo *u = data;

	push(&u->links, &u->n_links, ifname);
}

static bool act_is(const struct topo_action *a, enum topo_act_kind k)
{
	return a->kind == k;
}

/* A network's own bridge (not one of its leaves: leaves.c makes those). */
static bool act_root(const struct topo_action *a, enum topo_act_kind k)
{
	return a->kind == k && !a->idx;
}

/* What step 4 does inside a node. */
static bool act_in_node(const struct topo_action *a)
{
	return act_is(a, ACT_VETH) || act_is(a, ACT_INNER_UP) || act_is(a, ACT_LO_UP) ||
	       act_is(a, ACT_ADDR) || act_is(a, ACT_ROUTE_DEFAULT) || act_is(a, ACT_ROUTE);
}

/*
 * The host end of an attachment is a bridge port: it needs no IPv6, and
 * turned off before its peer comes up it never starts. With it, each port
 * configures a link-local address when its peer comes up, and for each the
 * kernel walks the host's whole IPv6 routing table (rt6_sync_up: 12 % of
 * up's time at 10,000 nodes, quadratic); and every port's neighbour and
 * router solicitations and multicast reports are flooded to every other
 * port of its bridge, seconds of the kernel's time after up returns.
 */
int topo_link_no_ipv6(struct nsnet *nn, struct ns *host, const char *ifname)
{
	char path[96];
	int rc;

	snprintf(path, sizeof(path), "net/ipv6/conf/%s/disable_ipv6", ifname);
	rc = sysctl_write(nn, host, path, "1");
	if (rc == -ENOENT) {  /* a kernel without IPv6 */
		err_clear(nn);
		rc = 0;
	}
	return rc;
}

/* The impairments an action sets, or NULL when it sets none. */
static const struct nsnet_link_impair *impair_of(const struct topo *t,
						 const struct topo_action *a)
{
	if (act_is(a, ACT_IMPAIR))
		return &t->nodes[a->obj].att[a->idx].impair;
	if (act_is(a, ACT_CABLE_IMPAIR))
		return &t->cables[a->obj].impair;
	return NULL;
}

static int bridge_index(struct nsnet *nn, struct ns *host, const char *name)
{
	struct nl_link l;
	int rc = nl_link_get(nn, host, name, &l);

	if (rc == -ENODEV)
		return err_set(nn, ENODEV, "bridge %s", name);
	return rc ? rc : l.index;
}

static int apply(struct nsnet *nn, const struct topo *t,
		 const struct topo_plan *p, struct up_report *pr, struct undo *u)
{
	struct topo_hosts_ref hosts_ref = { 0 };
	char mark[96], dir[512], *hosts;
	int *br_index;
	size_t *req_of;  /* step 4: per action, its request + 1 (0: none) */
	size_t *node_acts, *node_first;  /* step 4: each node's actions */
	struct nl_batch b;
	struct ns *host, *ns;
	size_t i, k, n_ns = 0, n_br = 0;
	int rc;

	snprintf(mark, sizeof(mark), "nsnet:%s", t->name);
	if ((rc = ns_get(nn, NSNET_HOST, &host)))
		return rc;
	/* A delay needs netem: asked before anything is made, so that a
	 * kernel without it costs no up and undo. */
	for (i = 0; i < p->n; i++)
		if (impair_of(t, &p->act[i]) && impair_of(t, &p->act[i])->delay_us) {
			if ((rc = impair_netem_check(nn)))
				return rc;
			break;
		}
	topo_step(nn, &pr->steps, NULL);

	/* 0. the record, before anything it will account for */
	topo_record_dir(dir, sizeof(dir), t->name);
	u->record_new = access(dir, F_OK) != 0;
	u->name = t->name;
	if (!u->record_new)
		topo_record_keep(t->name, &u->record);
	if ((rc = topo_record_write(nn, t)))
		return rc;

	/* 1. bridges, down, then their marks: only on those the kernel
	 * says were created just now. */
	nl_batch_init(&b);
	for (i = 0; i < p->n; i++)
		if (act_root(&p->act[i], ACT_BRIDGE)) {
			bridge_queue_add(&b, t->nets[p->act[i].obj].bridge, false);
			n_br++;
		}
	nl_batch_barrier(&b);
	for (i = 0; i < p->n; i++)
		if (act_root(&p->act[i], ACT_BRIDGE)) {
			const struct topo_net *net = &t->nets[p->act[i].obj];
			char alias[128];

			snprintf(alias, sizeof(alias), "%s%s", mark,
				 net->internal ? " internal" : "");
			link_queue_set(&b, NSNET_HOST, net->bridge, 0, -1, 0, -1, alias);
		}
	rc = nl_batch_send(nn, host, &b);
	for (i = k = 0; i < p->n && k < n_br; i++)
		if (act_root(&p->act[i], ACT_BRIDGE)) {
			if (b.req[k].done && !b.req[k].error)  /* k: its create */
				push(&u->links, &u->n_links, t->nets[p->act[i].obj].bridge);
			k++;
		}
	nl_batch_free(&b);
	if (rc)
		return rc;
	nl_batch_init(&b);
	for (i = 0; i < p->n; i++) {
		const struct topo_net *net = &t->nets[p->act[i].obj];
		int idx;

		if (!act_is(&p->act[i], ACT_BRIDGE_ADDR))
			continue;
		if ((idx = bridge_index(nn, host, net->bridge)) < 0) {
			nl_batch_free(&b);
			return idx;
		}
		addr_queue(&b, true, NSNET_HOST, net->bridge, idx, &net->gateway[p->act[i].family]);
	}
	rc = nl_batch_send(nn, host, &b);
	/* on a bridge that stays: what the kernel says it added */
	for (i = k = 0; i < p->n; i++)
		if (act_is(&p->act[i], ACT_BRIDGE_ADDR)) {
			const struct topo_net *net = &t->nets[p->act[i].obj];

			if (b.req[k].done && !b.req[k].error &&
			    !listed(u->links, u->n_links, net->bridge))
				undo_note(u, ACT_BRIDGE_ADDR, NSNET_HOST, net->bridge)->ip =
					net->gateway[p->act[i].family];
			k++;
		}
	nl_batch_free(&b);
	/* Networks over several machines: VXLAN ports, forwarding entries;
	 * networks too large for one bridge: their leaves and trunks. */
	if (!rc)
		rc = topo_apply_span(nn, t, p, host, undo_link, u);
	if (!rc)
		rc = leaf_apply(nn, t, p, host, undo_link, u);
	if (rc)
		return rc;

	topo_step(nn, &pr->steps, "bridges");
	/* 2. namespaces, created in parallel */
	{
		char **names = calloc(p->n + 1, sizeof(*names));
		bool *created = calloc(p->n + 1, sizeof(*created));

		if (!names || !created)
			abort();
		for (i = 0; i < p->n; i++)
			if (act_is(&p->act[i], ACT_NS))
				names[n_ns++] = t->nodes[p->act[i].obj].name;
		rc = n_ns ? ns_add_many(nn, names, n_ns, created) : 0;
		for (i = 0; i < n_ns; i++)
			if (created[i])
				push(&u->ns, &u->n_ns, names[i]);
		u->node_new = calloc(t->n_nodes + 1, sizeof(*u->node_new));
		if (!u->node_new)
			abort();
		for (i = k = 0; i < p->n; i++)
			if (act_is(&p->act[i], ACT_NS))
				u->node_new[p->act[i].obj] = created[k++];
		free(names);
		free(created);
		if (rc)
			return rc;
		tick(nn, pr, "namespaces", n_ns, n_ns);
	}
	topo_step(nn, &pr->steps, "namespaces");
	/* 3. the veths, batched on the host socket; the alias after a
	 * barrier, so that it is never written on a link we did not make.
	 * A chunk holds each peer namespace open (IFLA_NET_NS_FD); 256 keeps
	 * far below RLIMIT_NOFILE whatever the size of the topology. */
	br_index = calloc(t->n_slots + 1, sizeof(*br_index));
	if (!br_index)
		abort();
	for (i = 0; i < p->n;) {
		size_t first = i, n_veth = 0;
		const char *veth_if[256];
		bool veth_new[256], veth_leafy[256];

		nl_batch_init(&b);
		for (; i < p->n && n_veth < 256; i++) {
			const struct topo_node *nd = &t->nodes[p->act[i].obj];
			const struct topo_attach *a;
			char brname[IFNAMSIZ];
			int idx;

			if (!act_is(&p->act[i], ACT_VETH) && !act_is(&p->act[i], ACT_HOST_UP))
				continue;
			a = &nd->att[p->act[i].idx];
			if (!br_index[leaf_slot(t, a)])  /* once per bridge, not per port */
				br_index[leaf_slot(t, a)] =
					bridge_index(nn, host, leaf_att_bridge(t, a, brname));
			idx = br_index[leaf_slot(t, a)];
			if (idx < 0) {
				nl_batch_free(&b);
				free(br_index);
				return idx;
			}
			if (act_is(&p->act[i], ACT_HOST_UP)) {
				if ((rc = undo_note_link(nn, u, ACT_HOST_UP, host, NSNET_HOST,
						    a->host_if))) {
					nl_batch_free(&b);
					free(br_index);
					return rc;
				}
				continue;
			}
			if ((rc = ns_get(nn, nd->name, &ns))) {
				nl_batch_free(&b);
				free(br_index);
				return rc;
			}
			veth_queue_add(&b, NSNET_HOST, a->host_if, ns, a->ifname, idx,
				       topo_net_mtu(t, &t->nets[a->net]), true);
			veth_new[n_veth] = u->node_new[p->act[i].obj];
			veth_leafy[n_veth] = t->nets[a->net].n_leaves > 0;
			veth_if[n_veth++] = a->host_if;
		}
		nl_batch_barrier(&b);
		for (k = first; k < i; k++) {
			const struct topo_attach *a;

			if (!act_is(&p->act[k], ACT_VETH) && !act_is(&p->act[k], ACT_HOST_UP))
				continue;
			a = &t->nodes[p->act[k].obj].att[p->act[k].idx];
			if (act_is(&p->act[k], ACT_VETH))
				link_queue_set(&b, NSNET_HOST, a->host_if, 0, -1, 0, -1, mark);
			else  /* up, adopted, enslaved to its bridge (maybe new) */
				link_queue_set(&b, NSNET_HOST, a->host_if, 0, 1, 0,
					       br_index[leaf_slot(t, a)], mark);
		}
		rc = nl_batch_send(nn, host, &b);
		/* Only what the kernel says it created is ours to undo: a
		 * name that was taken belongs to somebody else. */
		for (k = 0; k < n_veth; k++)
			if (b.req[k].done && !b.req[k].error) {
				push(&u->links, &u->n_links, veth_if[k]);
				if (veth_new[k])  /* goes with its namespace */
					push(&u->ends, &u->n_ends, veth_if[k]);
			}
		nl_batch_free(&b);
		for (k = first; k < i; k++)
			if (act_is(&p->act[k], ACT_VETH))
				ns_release(nn, t->nodes[p->act[k].obj].name);
		for (k = 0; !rc && k < n_veth; k++) {
			rc = topo_link_no_ipv6(nn, host, veth_if[k]);
			/* see step 4: the bridge's copies to this port go
			 * through the node's own queue only if this end does
			 * not segment (veth's condition for it) */
			if (!rc && veth_leafy[k])
				rc = link_offload_set(nn, host, veth_if[k], ETHTOOL_STSO, false);
		}
		if (rc) {
			free(br_index);
			return rc;
		}
	}
	free(br_index);

	topo_step(nn, &pr->steps, "veths");
	/* Cables before the nodes' routes, which may go through them. */
	for (i = 0; i < p->n; i++) {
		const struct topo_cable *c;
		char as[64] = "", bs[64] = "";
		struct nsnet_cable cab;

		if (!act_is(&p->act[i], ACT_CABLE))
			continue;
		c = &t->cables[p->act[i].obj];
		cab = (struct nsnet_cable){
			.a_ns = c->a, .a_if = c->a_if, .b_ns = c->b, .b_if = c->b_if,
			.a_addr = c->a_addr.family ? ip_str(&c->a_addr, as, sizeof(as)) : NULL,
			.b_addr = c->b_addr.family ? ip_str(&c->b_addr, bs, sizeof(bs)) : NULL,
			.mtu = c->mtu,
		};
		if ((rc = net_cable_add(nn, &cab)))
			return rc;
		if (ns_is_host(c->a))
			push(&u->links, &u->n_links, c->a_if);
		else if (ns_is_host(c->b))
			push(&u->links, &u->n_links, c->b_if);
		else if (!undo_ns_new(u, c->a) && !undo_ns_new(u, c->b))  /* between nodes that stay */
			undo_note(u, ACT_CABLE, c->a, c->a_if);
	}
	/* 4. inside each node: one lookup per new interface, then one batch.
	 * Each node's actions found through an index (a counting sort by
	 * node, the plan's order kept): scanning the whole plan for each
	 * node was quadratic (10,000 nodes, 60,000 actions). */
	req_of = calloc(p->n + 1, sizeof(*req_of));
	node_acts = calloc(p->n + 1, sizeof(*node_acts));
	node_first = calloc(t->n_nodes + 2, sizeof(*node_first));
	if (!req_of || !node_acts || !node_first)
		abort();
	for (k = 0; k < p->n; k++)
		if (act_in_node(&p->act[k]))
			node_first[p->act[k].obj + 2]++;
	for (i = 2; i < t->n_nodes + 2; i++)
		node_first[i] += node_first[i - 1];
	for (k = 0; k < p->n; k++)
		if (act_in_node(&p->act[k]))
			node_acts[node_first[p->act[k].obj + 1]++] = k;
	for (i = 0; i < t->n_nodes; i++) {
		const struct topo_node *nd = &t->nodes[i];
		bool stays = !u->node_new[i];
		size_t j;

		if (node_first[i] == node_first[i + 1])
			continue;
		if ((rc = ns_get(nn, nd->name, &ns)))
			break;
		nl_batch_init(&b);
		for (j = node_first[i]; j < node_first[i + 1] && !rc; j++) {
			const struct topo_action *a = &p->act[k = node_acts[j]];
			const struct topo_attach *at;
			struct nl_link l;

			at = a->idx < nd->n_att ? &nd->att[a->idx] : NULL;
			switch (a->kind) {
			case ACT_LO_UP:
				if (stays && (rc = undo_note_link(nn, u, a->kind, ns, nd->name, "lo")))
					break;
				link_queue_set(&b, nd->name, "lo", 1, 1, 0, -1, NULL);
				break;
			case ACT_INNER_UP:
				if (stays &&
				    (rc = undo_note_link(nn, u, a->kind, ns, nd->name, at->ifname)))
					break;
				/* fall through */
			case ACT_VETH:
				/* No IPv6 link-local address (hence no
				 * solicitations and multicast reports of its
				 * own) on an IPv4-only network, as Docker does
				 * on --ipv6=false networks: nothing but IPv4
				 * was asked for, and each node's start-up
				 * traffic was flooded to every port of its
				 * bridge, a thousand nodes keeping both CPUs
				 * busy for 15 s after up. Nor on a network
				 * over several bridges (leaves.c), where every
				 * multicast reaches thousands of ports. */
				if (act_is(a, ACT_VETH) && (t->nets[at->net].n_leaves ||
							    (t->nets[at->net].subnet[0].family &&
							     !t->nets[at->net].subnet[1].family)))
					link_queue_no_ll(&b, nd->name, at->ifname);
				link_queue_set(&b, nd->name, at->ifname, 0, 1, 0, -1, mark);
				break;
			case ACT_ADDR:
				rc = nl_link_get(nn, ns, at->ifname, &l);
				if (rc == -ENODEV)
					rc = err_set(nn, ENODEV, "node %s: %s", nd->name, at->ifname);
				if (!rc)
					addr_queue(&b, true, nd->name, at->ifname, l.index,
						   &at->addr[a->family]);
				break;
			case ACT_ROUTE_DEFAULT: {
				struct ipaddr def = { .family = at->addr[a->family].family };
				struct ipaddr gw = t->nets[at->net].gateway[a->family];

				gw.prefix = -1;
				/* what it replaces, to put back */
				if (a->repair && stays &&
				    (rc = undo_note_default_routes(nn, u, ns, nd->name, def.family)))
					break;
				route_queue(&b, true, nd->name, &def, &gw, 0, NULL);
				if (a->repair)  /* a default route that is wrong is replaced */
					b.cur->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK |
							     NLM_F_CREATE | NLM_F_REPLACE;
				break;
			}
			case ACT_ROUTE: {
				const struct topo_route *r = &nd->routes[a->idx];
				int oif = 0;

				if (r->dev[0]) {
					rc = nl_link_get(nn, ns, r->dev, &l);
					if (rc == -ENODEV)
						rc = err_set(nn, ENODEV, "node %s: route %s: no %s",
							     nd->name, r->text, r->dev);
					oif = l.index;
				}
				if (!rc)
					route_queue(&b, true, nd->name, &r->dst,
						    r->via.family ? &r->via : NULL, oif,
						    r->dev[0] ? r->dev : NULL);
				break;
			}
			default:
				break;
			}
			if (stays && b.n && (act_is(a, ACT_ADDR) || act_is(a, ACT_ROUTE) ||
					     act_is(a, ACT_ROUTE_DEFAULT)))
				req_of[k] = b.n;
		}
		if (!rc)
			rc = nl_batch_send(nn, ns, &b);
		/* in a node that stays: the addresses and routes the kernel
		 * says it added (a new veth's go with it) */
		for (j = node_first[i]; j < node_first[i + 1] && stays; j++) {
			const struct topo_action *a = &p->act[k = node_acts[j]];
			const struct nl_req *r = req_of[k] ? &b.req[req_of[k] - 1] : NULL;
			struct undo_item *it;

			if (!r || !r->done || r->error || (act_is(a, ACT_ADDR) && !a->repair))
				continue;
			it = undo_note(u, a->kind, nd->name, NULL);
			if (act_is(a, ACT_ADDR)) {
				it->ifname = nd->att[a->idx].ifname;
				it->ip = nd->att[a->idx].addr[a->family];
			} else if (act_is(a, ACT_ROUTE)) {  /* a->idx: the route */
				it->ip = nd->routes[a->idx].dst;
				it->via = nd->routes[a->idx].via;
			} else {
				it->ip = (struct ipaddr){ .family = nd->att[a->idx].addr[a->family].family };
				it->via = t->nets[nd->att[a->idx].net].gateway[a->family];
				it->via.prefix = -1;
			}
		}
		nl_batch_free(&b);
		/* A broadcast on a network over several bridges is copied to
		 * thousands of ports at once; veth queues each copy on the
		 * sending CPU's backlog (net.core.netdev_max_backlog: 1,000,
		 * for the whole machine), which drops the rest: ARP replies
		 * were lost for every node past the first thousand. With GRO
		 * on the node's end, veth takes the copies into the node's own
		 * queue (NAPI) instead. */
		for (j = node_first[i]; !rc && j < node_first[i + 1]; j++) {
			const struct topo_action *a = &p->act[node_acts[j]];

			if (act_is(a, ACT_VETH) && t->nets[nd->att[a->idx].net].n_leaves)
				rc = link_offload_set(nn, ns, nd->att[a->idx].ifname, ETHTOOL_SGRO,
						      true);
		}
		ns_release(nn, nd->name);
		if (rc)
			break;
		tick(nn, pr, "nodes", i + 1, t->n_nodes);
	}
	free(req_of);
	free(node_acts);
	free(node_first);
	if (rc)
		return rc;

	topo_step(nn, &pr->steps, "nodes");
	/* 5. sysctls */
	for (i = 0; i < p->n; i++) {
		const struct topo_action *a = &p->act[i];

		if (act_is(a, ACT_SYSCTL)) {
			const struct topo_kv *kv = &t->nodes[a->obj].sysctls[a->idx];
			char key[256];

			snprintf(key, sizeof(key), "%s", kv->key);
			for (k = 0; key[k]; k++)
				if (key[k] == '.')
					key[k] = '/';
			if ((rc = ns_get(nn, t->nodes[a->obj].name, &ns)) ||
			    (!u->node_new[a->obj] &&  /* its value before */
			     (rc = undo_note_sysctl(nn, u, ns, t->nodes[a->obj].name, key))) ||
			    (rc = sysctl_write(nn, ns, key, kv->value)))
				return rc;
		}
	}

	/* 5b. impairments: both ends of each link (net/impair.c) */
	for (i = 0; i < p->n; i++) {
		const struct topo_action *a = &p->act[i];
		const struct nsnet_link_impair *imp = impair_of(t, a);
		struct nsnet_link_impair want;
		const char *ns_name, *ifname;

		if (!imp)
			continue;
		want = *imp;
		want.struct_size = sizeof(want);
		want.set = NSNET_IMPAIR_RATE | NSNET_IMPAIR_LOSS | NSNET_IMPAIR_DELAY;
		if (act_is(a, ACT_IMPAIR)) {
			ns_name = t->nodes[a->obj].name;
			ifname = t->nodes[a->obj].att[a->idx].ifname;
		} else {
			ns_name = t->cables[a->obj].a;
			ifname = t->cables[a->obj].a_if;
		}
		/* a link that stays: its impairments before */
		if (a->repair && (rc = undo_note_impair(nn, u, a->kind, ns_name, ifname)))
			return rc;
		if ((rc = net_link_impair(nn, ns_name, ifname, &want)))
			return rc;
	}


	/* 6. bridges up, after their ports, with their marks (the plan made
	 * sure each is ours: created now, or the topology's, or an orphan) */
	nl_batch_init(&b);
	for (i = 0; i < p->n; i++)
		if (act_is(&p->act[i], ACT_BRIDGE_UP)) {
			const struct topo_net *net = &t->nets[p->act[i].obj];
			const char *name = leaf_bridge(net, p->act[i].idx);
			char alias[128];

			if (!listed(u->links, u->n_links, name) &&
			    (rc = undo_note_link(nn, u, ACT_BRIDGE_UP, host, NSNET_HOST, name))) {
				nl_batch_free(&b);
				return rc;
			}

			snprintf(alias, sizeof(alias), "%s%s", mark,
				 net->internal ? " internal" : "");
			link_queue_set(&b, NSNET_HOST, name, 0, 1, 0, -1, alias);
		}
	rc = nl_batch_send(nn, host, &b);
	nl_batch_free(&b);
	if (rc)
		return rc;

	topo_step(nn, &pr->steps, "bridges up");
	/* 7. firewall: isolation, NAT, published ports */
	for (i = 0; i < p->n; i++) {
		const struct topo_action *a = &p->act[i];

		if (act_is(a, ACT_FIREWALL)) {
			const struct topo_net *net = &t->nets[a->obj];
			/* its bridge, or one of its leaves (leaves.c) */
			const char *name = leaf_bridge(net, a->idx);

			/* a bridge that stays: what the firewall held of it before
			 * (a leaf's registration, repaired, stays: the undo would
			 * put it back as a plain bridge's) */
			if (a->repair && !a->idx && !listed(u->links, u->n_links, name) &&
			    (rc = undo_note_firewall(nn, u, name)))
				return rc;
			/* repair: what it holds is stale or half (a bridge
			 * deleted behind nsnet's back, a changed internal):
			 * cleared first, NAT too (the plan adds it again) */
			if (a->repair &&
			    (rc = fw_bridge_register(nn, name, false, false)))
				return rc;
			if ((rc = a->idx ? fw_leaf_register(nn, name, net->internal) :
					   fw_bridge_register(nn, name, net->internal, true)))
				return rc;
			if (listed(u->links, u->n_links, name))
				push(&u->bridges_fw, &u->n_bridges_fw, name);
		} else if (act_is(a, ACT_NAT)) {
			const char *bridge = t->nets[a->obj].bridge;
			struct fw_bridge_state was = { 0 };

			/* a NAT that was there (not working) is repaired, and
			 * stays: the undo takes away only what was not */
			if (a->repair && (rc = fw_bridge_state(nn, bridge, &was)))
				return rc;
			if ((rc = fw_nat_add(nn, bridge, NULL)))
				return rc;
			if (!was.nat)
				push(&u->nat, &u->n_nat, bridge);
		} else if (act_is(a, ACT_CABLE_NAT)) {
			const struct topo_cable *c = &t->cables[a->obj];
			const struct topo_end_nat *nat = &c->nat[a->idx];
			const char *ifname = a->idx ? c->b_if : c->a_if;

			/* repair: one leaving by another interface is
			 * working, so add would keep it: it goes first (and
			 * comes back if up fails) */
			if (a->repair && (rc = undo_note_nat(nn, u, ifname)))
				return rc;
			if (a->repair && fw_nat_del(nn, ifname))
				err_clear(nn);
			if ((rc = fw_nat_add(nn, ifname, nat->out[0] ? nat->out : NULL)))
				return rc;
			push(&u->nat, &u->n_nat, ifname);
		} else if (act_is(a, ACT_PUBLISH)) {
			const struct topo_node *nd = &t->nodes[a->obj];
			bool had = false;

			/* likewise a published port */
			if (a->repair &&
			    (rc = fw_publish_claimed(nn, nd->name, nd->publish[a->idx], &had)))
				return rc;
			if ((rc = fw_publish(nn, nd->name, nd->publish[a->idx])))
				return rc;
			if (!had) {
				push(&u->pub, &u->n_pub, nd->name);
				push(&u->pub, &u->n_pub, nd->publish[a->idx]);
			}
		}
	}

	topo_step(nn, &pr->steps, "firewall");
	/* 8. names (past TOPO_HOSTS_SHARED nodes, one hosts file linked into
	 * every node), processes */
	hosts = topo_hosts_file(t);
	for (i = 0; i < p->n && !rc; i++) {
		const struct topo_action *a = &p->act[i];
		const struct topo_node *nd = &t->nodes[a->obj];

		if (act_is(a, ACT_HOSTS)) {
			if (!u->node_new[a->obj])  /* its files before */
				undo_note_hosts(u, nd->name);
			rc = topo_hosts_write(nn, nd->name, hosts,
					      t->n_nodes > TOPO_HOSTS_SHARED ? &hosts_ref : NULL);
		} else if (act_is(a, ACT_SETUP)) {
			/* noted first: a setup that fails may leave processes */
			undo_note(u, ACT_SETUP, nd->name, NULL)->idx = a->idx;
			rc = topo_setup_run(nn, t, nd, a->idx);
		} else if (act_is(a, ACT_RUN)) {
			if (!(rc = topo_run_start(nn, t, nd, a->idx)))
				undo_note(u, ACT_RUN, nd->name, NULL)->idx = a->idx;
		}
	}
	free(hosts);
	topo_step(nn, &pr->steps, "files");
	return rc;
}

/* NSNET_TOPO_DRY_RUN: the commands of nsnet_topo_plan(), one a line. */
static void say_plan(struct up_report *pr, const struct topo *t,
		     const struct topo_plan *p)
{
	json_t *doc = topo_plan_json(t, p), *a, *c;
	size_t i, j;

	json_array_foreach(json_object_get(doc, "leaves"), i, a)
		say(pr, "# %s", json_string_value(json_object_get(a, "text")));
	if (!p->n)
		say(pr, "# %s is up to date: nothing to do", t->name);
	json_array_foreach(json_object_get(doc, "actions"), i, a)
		json_array_foreach(json_object_get(a, "commands"), j, c)
			say(pr, "%s", json_string_value(c));
	json_decref(doc);
}

static const char *plural(size_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

/* Plan, then apply (or only say the plan), saying what it does through
 * pr, or into doc (nsnet_topo_up_json). */
static int topo_up(struct nsnet *nn, const struct topo *t, unsigned int flags,
		   struct up_report *pr, json_t **doc)
{
	struct topo_plan plan;
	struct undo u = { 0 };
	json_t *done = NULL;
	size_t i, repairs = 0;
	/* over several machines, each says which it is (docs/multihost.md) */
	const char *where = topo_local_host(t) ? topo_local_host(t)->name : "";
	int rc;

	if ((rc = topo_plan(nn, t, &plan)))
		return rc;
	topo_step(nn, &pr->steps, "plan");
	if (doc)
		done = json_array();
	if (flags & NSNET_TOPO_DRY_RUN) {
		say_plan(pr, t, &plan);
		goto out;
	}
	if (!plan.n) {
		say(pr, "%s%s%s: up to date, nothing to do (%zu %s checked)", t->name,
		    where[0] ? " on " : "", where, plan.ok_objects,
		    plural(plan.ok_objects, "object", "objects"));
		goto out;
	}
	for (i = 0; i < plan.n; i++) {
		char what[256];

		if (!done && !plan.act[i].repair)
			continue;
		topo_action_str(t, &plan.act[i], what, sizeof(what));
		if (done)
			json_array_append_new(done, json_pack("{s:s,s:s,s:b}", "kind",
				topo_action_kind(plan.act[i].kind), "object", what,
				"repair", plan.act[i].repair));
		if (plan.act[i].repair) {
			say(pr, "repair: %s", what);
			repairs++;
		}
	}
	rc = apply(nn, t, &plan, pr, &u);
	if (rc) {
		err_prefix(nn, "up %s", t->name);
		undo_run(nn, &u);
	} else {
		say(pr, "%s%s%s: %zu %s, %zu %s, %zu %s up (%zu %s, %zu %s)", t->name,
		    where[0] ? " on " : "", where,
		    t->n_nodes, plural(t->n_nodes, "node", "nodes"),
		    t->n_nets, plural(t->n_nets, "network", "networks"),
		    t->n_cables, plural(t->n_cables, "cable", "cables"),
		    plan.n, plural(plan.n, "change", "changes"),
		    repairs, plural(repairs, "repair", "repairs"));
		/* the leaves it made (leaves.c): said once, when they are made */
		for (i = 0; i < plan.n; i++)
			if (act_is(&plan.act[i], ACT_BRIDGE) && plan.act[i].idx == 1) {
				char text[256];

				leaf_describe(t, plan.act[i].obj, text, sizeof(text));
				say(pr, "%s", text);
			}
	}
	undo_free(&u);
out:
	if (doc)
		*doc = json_pack("{s:s,s:s?,s:b,s:b,s:o,s:i,s:i,s:i}", "name", t->name,
				 "file", t->file, "changed", !rc && plan.n > 0, "ok", !rc,
				 "actions", done, "nodes", (int)t->n_nodes, "networks",
				 (int)t->n_nets, "cables", (int)t->n_cables);
	topo_plan_free(&plan);
	return rc;
}

static int topo_up_file(struct nsnet *nn, const char *file, unsigned int flags,
			struct up_report *pr, json_t **doc)
{
	struct topo *t;
	int rc;

	if ((rc = topo_parse_arg(nn, file, &t)))
		return rc;
	topo_step(nn, &pr->steps, NULL);
	rc = ctx_set_owner(nn, t->name);
	if (!rc && (flags & NSNET_TOPO_DRY_RUN))
		rc = topo_up(nn, t, flags, pr, doc);
	/*
	 * The lock covers the plan and all of apply (and its undo): the
	 * plan's view of the bridges, the firewall and the names in use
	 * must still hold when apply acts on it, or two ups sharing a bridge
	 * would both create it. So it is held for the whole of up: about
	 * 0.1 s for a few nodes, 2.2 s for 1,000 (docs/performance.md), and
	 * other changes wait that long; readers (status, check, doctor)
	 * never take it. The parse above needs none.
	 */
	else if (!rc)
		rc = LOCKED(nn, topo_up(nn, t, flags, pr, doc));
	topo_free(t);
	return rc;
}

NSNET_EXPORT int nsnet_topo_up(struct nsnet *nn, const char *file,
			       unsigned int flags,
			       void (*line)(void *data, const char *text),
			       void *data)
{
	struct up_report pr = { line, data, flags & NSNET_TOPO_PROGRESS, { 0 } };

	return topo_up_file(nn, file, flags, &pr, NULL);
}

NSNET_EXPORT int nsnet_topo_up_json(struct nsnet *nn, const char *file,
				    unsigned int flags, json_t **out)
{
	struct up_report pr = { NULL, NULL, flags & NSNET_TOPO_PROGRESS, { 0 } };

	*out = NULL;
	return topo_up_file(nn, file, flags & ~(unsigned int)NSNET_TOPO_DRY_RUN, &pr, out);
}
