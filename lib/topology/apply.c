// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * apply.c - nsnet up: run the plan's actions, and undo them on failure.
 *
 * up runs the plan step by step, each step batched: all veths of the
 * topology in one batch on the host socket, then one batch per node on its
 * own socket. What this run created is remembered, and removed again if a
 * later step fails, so a failed up leaves the host as it found it.
 */
#include <stdio.h>
#include <string.h>
#include <libmnl/libmnl.h>
#include <jansson.h>

#include "topology/topology.h"
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

/* What this up created: removed in reverse if a later step fails. */
struct undo {
	char **ns;
	size_t n_ns;
	char **links;      /* host links */
	size_t n_links;
	char **bridges_fw;
	size_t n_bridges_fw;
};

static void push(char ***v, size_t *n, const char *s)
{
	char **p = realloc(*v, (*n + 1) * sizeof(**v));

	if (!p)
		abort();
	*v = p;
	(*v)[(*n)++] = strdup(s);
}

static void undo_run(struct nsnet *nn, struct undo *u)
{
	char saved[NSNET_ERR_MAX];
	struct nl_batch b;
	struct ns *host;
	size_t i;

	memcpy(saved, nn->err, sizeof(saved));
	for (i = u->n_bridges_fw; i-- > 0;)
		fw_bridge_register(nn, u->bridges_fw[i], false, false);
	ns_del_many(nn, u->ns, u->n_ns);
	if (!ns_get(nn, NSNET_HOST, &host)) {
		nl_batch_init(&b);
		for (i = u->n_links; i-- > 0;) {
			link_queue_del(&b, NSNET_HOST, u->links[i], 0);
			nl_batch_last(&b)->ignore_missing = true;
		}
		nl_batch_send(nn, host, &b);
		nl_batch_free(&b);
	}
	memcpy(nn->err, saved, sizeof(saved));
}

static void undo_free(struct undo *u)
{
	size_t i;

	for (i = 0; i < u->n_ns; i++)
		free(u->ns[i]);
	for (i = 0; i < u->n_links; i++)
		free(u->links[i]);
	for (i = 0; i < u->n_bridges_fw; i++)
		free(u->bridges_fw[i]);
	free(u->ns);
	free(u->links);
	free(u->bridges_fw);
}

static bool act_is(const struct topo_action *a, enum topo_act_kind k)
{
	return a->kind == k;
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
	char mark[96], *hosts;
	int *br_index;
	struct nl_batch b;
	struct ns *host, *ns;
	size_t i, k, n_ns = 0;
	int rc;

	snprintf(mark, sizeof(mark), "nsnet:%s", t->name);
	if ((rc = ns_get(nn, NSNET_HOST, &host)))
		return rc;
	topo_step(nn, &pr->steps, NULL);

	/* 1. bridges, down, each with its mark in the same sendmsg: the
	 * planner saw the name free, and a SIGKILL cannot fall between two
	 * requests of one sendmsg, so no unmarked bridge is ever left. */
	nl_batch_init(&b);
	for (i = 0; i < p->n; i++)
		if (act_is(&p->act[i], ACT_BRIDGE)) {
			const struct topo_net *net = &t->nets[p->act[i].obj];
			char alias[128];

			snprintf(alias, sizeof(alias), "%s%s", mark,
				 net->internal ? " internal" : "");
			bridge_queue_add(&b, net->bridge, false);
			link_queue_set(&b, NSNET_HOST, net->bridge, 0, -1, 0, -1, alias);
		}
	rc = nl_batch_send(nn, host, &b);
	for (i = k = 0; i < p->n; i++)
		if (act_is(&p->act[i], ACT_BRIDGE)) {
			if (b.req[k].done && !b.req[k].error)  /* k: its create */
				push(&u->links, &u->n_links, t->nets[p->act[i].obj].bridge);
			k += 2;
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
	nl_batch_free(&b);
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
	br_index = calloc(t->n_nets + 1, sizeof(*br_index));
	if (!br_index)
		abort();
	for (i = 0; i < p->n;) {
		size_t first = i, n_veth = 0;
		const char *veth_if[256];

		nl_batch_init(&b);
		for (; i < p->n && n_veth < 256; i++) {
			const struct topo_node *nd = &t->nodes[p->act[i].obj];
			const struct topo_attach *a;
			int idx;

			if (!act_is(&p->act[i], ACT_VETH))
				continue;
			a = &nd->att[p->act[i].idx];
			if (!br_index[a->net])  /* once per bridge, not per port */
				br_index[a->net] = bridge_index(nn, host, t->nets[a->net].bridge);
			idx = br_index[a->net];
			if ((rc = ns_get(nn, nd->name, &ns)) || idx < 0) {
				nl_batch_free(&b);
				free(br_index);
				return rc ? rc : idx;
			}
			veth_queue_add(&b, NSNET_HOST, a->host_if, ns, a->ifname, idx, 0, true);
			veth_if[n_veth++] = a->host_if;
		}
		nl_batch_barrier(&b);
		for (k = first; k < i; k++)
			if (act_is(&p->act[k], ACT_VETH))
				link_queue_set(&b, NSNET_HOST,
					       t->nodes[p->act[k].obj].att[p->act[k].idx].host_if,
					       0, -1, 0, -1, mark);
			else if (act_is(&p->act[k], ACT_HOST_UP))
				link_queue_set(&b, NSNET_HOST,
					       t->nodes[p->act[k].obj].att[p->act[k].idx].host_if,
					       0, 1, 0, -1, NULL);
		rc = nl_batch_send(nn, host, &b);
		/* Only what the kernel says it created is ours to undo: a
		 * name that was taken belongs to somebody else. */
		for (k = 0; k < n_veth; k++)
			if (b.req[k].done && !b.req[k].error)
				push(&u->links, &u->n_links, veth_if[k]);
		nl_batch_free(&b);
		for (k = first; k < i; k++)
			if (act_is(&p->act[k], ACT_VETH))
				ns_release(nn, t->nodes[p->act[k].obj].name);
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
	}
	/* 4. inside each node: one lookup per new interface, then one batch */
	for (i = 0; i < t->n_nodes; i++) {
		const struct topo_node *nd = &t->nodes[i];
		bool any = false;

		for (k = 0; k < p->n; k++)
			if (p->act[k].obj == i &&
			    (act_is(&p->act[k], ACT_VETH) || act_is(&p->act[k], ACT_INNER_UP) ||
			     act_is(&p->act[k], ACT_ADDR) || act_is(&p->act[k], ACT_ROUTE_DEFAULT) ||
			     act_is(&p->act[k], ACT_ROUTE)))
				any = true;
		if (!any)
			continue;
		if ((rc = ns_get(nn, nd->name, &ns)))
			return rc;
		nl_batch_init(&b);
		for (k = 0; k < p->n && !rc; k++) {
			const struct topo_action *a = &p->act[k];
			const struct topo_attach *at;
			struct nl_link l;

			if (a->obj != i)
				continue;
			at = a->idx < nd->n_att ? &nd->att[a->idx] : NULL;
			switch (a->kind) {
			case ACT_VETH:
			case ACT_INNER_UP:
				link_queue_set(&b, nd->name, at->ifname, 0, 1, 0, -1,
					       a->kind == ACT_VETH ? mark : NULL);
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
		}
		if (!rc)
			rc = nl_batch_send(nn, ns, &b);
		nl_batch_free(&b);
		ns_release(nn, nd->name);
		if (rc)
			return rc;
		tick(nn, pr, "nodes", i + 1, t->n_nodes);
	}

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
			    (rc = sysctl_write(nn, ns, key, kv->value)))
				return rc;
		}
	}

	/* 6. bridges up, after their ports */
	nl_batch_init(&b);
	for (i = 0; i < p->n; i++)
		if (act_is(&p->act[i], ACT_BRIDGE_UP))
			link_queue_set(&b, NSNET_HOST, t->nets[p->act[i].obj].bridge, 0, 1, 0,
				       -1, NULL);
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

			if ((rc = fw_bridge_register(nn, net->bridge, net->internal, true)))
				return rc;
			push(&u->bridges_fw, &u->n_bridges_fw, net->bridge);
		} else if (act_is(a, ACT_NAT)) {
			if ((rc = fw_nat_add(nn, t->nets[a->obj].bridge, NULL)))
				return rc;
		} else if (act_is(a, ACT_PUBLISH)) {
			if ((rc = fw_publish(nn, t->nodes[a->obj].name,
						t->nodes[a->obj].publish[a->idx])))
				return rc;
		}
	}

	topo_step(nn, &pr->steps, "firewall");
	/* 8. names, the record, processes */
	if ((rc = topo_record_write(nn, t)))
		return rc;
	hosts = topo_hosts_file(t);
	for (i = 0; i < p->n && !rc; i++) {
		const struct topo_action *a = &p->act[i];
		const struct topo_node *nd = &t->nodes[a->obj];

		if (act_is(a, ACT_HOSTS))
			rc = topo_hosts_write(nn, nd->name, hosts);
		else if (act_is(a, ACT_SETUP))
			rc = topo_setup_run(nn, t, nd, a->idx);
		else if (act_is(a, ACT_RUN))
			rc = topo_run_start(nn, t, nd, a->idx);
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

/* Up, saying what it does through pr, or into doc (nsnet_topo_up_json). */
static int topo_up(struct nsnet *nn, const char *file, unsigned int flags,
		   struct up_report *pr, json_t **doc)
{
	struct topo_plan plan;
	struct undo u = { 0 };
	struct topo *t;
	json_t *done = NULL;
	size_t i, repairs = 0;
	int rc;

	if ((rc = topo_parse_arg(nn, file, &t)))
		return rc;
	topo_step(nn, &pr->steps, NULL);
	if ((rc = ctx_set_owner(nn, t->name)) || (rc = topo_plan(nn, t, &plan))) {
		topo_free(t);
		return rc;
	}
	topo_step(nn, &pr->steps, "plan");
	if (doc)
		done = json_array();
	if (flags & NSNET_TOPO_DRY_RUN) {
		say_plan(pr, t, &plan);
		goto out;
	}
	if (!plan.n) {
		say(pr, "%s: up to date, nothing to do (%zu %s checked)", t->name,
		    plan.ok_objects, plural(plan.ok_objects, "object", "objects"));
		goto out;
	}
	for (i = 0; i < plan.n; i++) {
		char what[256];

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
		say(pr, "%s: %zu %s, %zu %s, %zu %s up (%zu %s, %zu %s)", t->name,
		    t->n_nodes, plural(t->n_nodes, "node", "nodes"),
		    t->n_nets, plural(t->n_nets, "network", "networks"),
		    t->n_cables, plural(t->n_cables, "cable", "cables"),
		    plan.n, plural(plan.n, "change", "changes"),
		    repairs, plural(repairs, "repair", "repairs"));
	}
	undo_free(&u);
out:
	if (doc)
		*doc = json_pack("{s:s,s:s?,s:b,s:b,s:o,s:i,s:i,s:i}", "name", t->name,
				 "file", t->file, "changed", !rc && plan.n > 0, "ok", !rc,
				 "actions", done, "nodes", (int)t->n_nodes, "networks",
				 (int)t->n_nets, "cables", (int)t->n_cables);
	topo_plan_free(&plan);
	topo_free(t);
	return rc;
}

NSNET_EXPORT int nsnet_topo_up(struct nsnet *nn, const char *file,
			       unsigned int flags,
			       void (*line)(void *data, const char *text),
			       void *data)
{
	struct up_report pr = { line, data, flags & NSNET_TOPO_PROGRESS, { 0 } };

	return topo_up(nn, file, flags, &pr, NULL);
}

NSNET_EXPORT int nsnet_topo_up_json(struct nsnet *nn, const char *file,
				    unsigned int flags, json_t **out)
{
	struct up_report pr = { NULL, NULL, flags & NSNET_TOPO_PROGRESS, { 0 } };

	*out = NULL;
	return topo_up(nn, file, flags & ~(unsigned int)NSNET_TOPO_DRY_RUN, &pr, out);
}
