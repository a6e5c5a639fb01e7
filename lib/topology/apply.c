// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * topo_apply.c - nsnet up, down and status.
 *
 * up runs the plan step by step, each step batched: all veths of the
 * topology in one batch on the host socket, then one batch per node on its
 * own socket. What this run created is remembered, and removed again if a
 * later step fails, so a failed up leaves the host as it found it.
 *
 * down removes what carries the topology's mark and nothing else: the
 * namespaces whose record names the topology, the host links whose alias
 * is "nsnet:<topology>", their firewall entries, processes and files.
 */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <linux/net_namespace.h>
#include <jansson.h>

#include "topology/topology.h"
#include "firewall/firewall.h"
#include "run/run.h"

struct progress {
	void (*line)(void *data, const char *text);
	void *data;
	bool tty;
};

static void say(struct progress *pr, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void say(struct progress *pr, const char *fmt, ...)
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

/* On a terminal, large topologies show how far along they are. */
static void tick(struct progress *pr, const char *what, size_t i, size_t n)
{
	if (!pr->tty || n < 100 || (i % 50 && i != n))
		return;
	fprintf(stderr, "\r%s %zu/%zu", what, i, n);
	if (i == n)
		fprintf(stderr, "\n");
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

/* NSNET_TIMING=1 prints how long each step of up took (for bench/). */
static void phase(const char *what)
{
	static struct timespec last;
	struct timespec now;

	if (!getenv("NSNET_TIMING"))
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (what && last.tv_sec)
		fprintf(stderr, "nsnet: %-12s %8.1f ms\n", what,
			(double)(now.tv_sec - last.tv_sec) * 1e3 +
			(double)(now.tv_nsec - last.tv_nsec) / 1e6);
	last = now;
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
		 const struct topo_plan *p, struct progress *pr, struct undo *u)
{
	char mark[96], dir[512], *hosts;
	int *br_index;
	struct nl_batch b;
	struct ns *host, *ns;
	size_t i, k, n_ns = 0;
	int rc;

	snprintf(mark, sizeof(mark), "nsnet:%s", t->name);
	if ((rc = ns_get(nn, NSNET_HOST, &host)))
		return rc;
	phase(NULL);

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

	phase("bridges");
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
		tick(pr, "namespaces", n_ns, n_ns);
	}
	phase("namespaces");
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

	phase("veths");
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
		tick(pr, "nodes", i + 1, t->n_nodes);
	}

	phase("nodes");
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

	phase("bridges up");
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

	phase("firewall");
	/* 8. names, the record, processes */
	topo_record_dir(dir, sizeof(dir), t->name);
	if ((rc = mkdir_p(nn, dir)))
		return rc;
	if (t->file) {
		char path[600];

		snprintf(path, sizeof(path), "%s/file", dir);
		if ((rc = write_file_atomic(nn, path, t->file)))
			return rc;
	}
	hosts = topo_hosts_file(t);
	for (i = 0; i < p->n && !rc; i++) {
		const struct topo_action *a = &p->act[i];
		const struct topo_node *nd = &t->nodes[a->obj];
		char path[600];

		if (act_is(a, ACT_HOSTS)) {
			snprintf(path, sizeof(path), NETNS_ETC_DIR "/%s", nd->name);
			if (mkdir(path, 0755) && errno != EEXIST)
				rc = mkdir_p(nn, path);
			snprintf(path, sizeof(path), NETNS_ETC_DIR "/%s/hosts", nd->name);
			if (!rc)
				rc = write_file_atomic(nn, path, hosts);
			snprintf(path, sizeof(path), NETNS_ETC_DIR "/%s/resolv.conf", nd->name);
			/* No nameserver: names of the topology are in hosts, and
			 * a node must not send lookups to the real world. */
			if (!rc)
				rc = write_file_atomic(nn, path, "# written by nsnet: names are in /etc/hosts\n"
						"options ndots:0 timeout:1 attempts:1\n");
		} else if (act_is(a, ACT_RUN)) {
			char log[600], pid_s[32];
			char *argv[] = { "/bin/sh", "-c", nd->run[a->idx], NULL };
			pid_t pid;

			snprintf(log, sizeof(log), "%s/%s.log", dir, nd->name);
			if ((rc = exec_spawn(nn, nd->name, argv, log, &pid))) {
				err_prefix(nn, "node %s: run \"%s\"", nd->name, nd->run[a->idx]);
				break;
			}
			topo_run_pidfile(path, sizeof(path), t->name, nd->name, a->idx);
			snprintf(pid_s, sizeof(pid_s), "%d\n", (int)pid);
			rc = write_file_atomic(nn, path, pid_s);
		}
	}
	free(hosts);
	phase("files");
	return rc;
}

static void line_stdout(void *data, const char *text)
{
	(void)data;
	printf("%s\n", text);
}

NSNET_EXPORT int nsnet_topo_up(struct nsnet *nn, const char *file,
			       unsigned int flags,
			       void (*line)(void *data, const char *text),
			       void *data)
{
	struct progress pr = { line ? line : line_stdout, data,
			       (flags & NSNET_TOPO_PROGRESS) && isatty(2) };
	struct topo_plan plan;
	struct undo u = { 0 };
	struct topo *t;
	size_t i, repairs = 0;
	int rc;

	if ((rc = topo_parse_file(nn, file, &t)))
		return rc;
	phase(NULL);
	if ((rc = ctx_set_owner(nn, t->name)) || (rc = topo_plan(nn, t, &plan))) {
		topo_free(t);
		return rc;
	}
	phase("plan");
	if (flags & NSNET_TOPO_DRY_RUN) {
		if (!plan.n)
			say(&pr, "# %s is up to date: nothing to do", t->name);
		topo_plan_print(t, &plan, pr.line, pr.data);
		goto out;
	}
	if (!plan.n) {
		say(&pr, "%s: up to date, nothing to do (%zu objects checked)", t->name,
		    plan.ok_objects);
		goto out;
	}
	for (i = 0; i < plan.n; i++)
		if (plan.act[i].repair) {
			char what[256];

			topo_action_str(t, &plan.act[i], what, sizeof(what));
			say(&pr, "repair: %s", what);
			repairs++;
		}
	rc = apply(nn, t, &plan, &pr, &u);
	if (rc) {
		err_prefix(nn, "up %s", t->name);
		undo_run(nn, &u);
	} else {
		say(&pr, "%s: %zu nodes, %zu networks, %zu cables up (%zu changes, %zu repairs)",
		    t->name, t->n_nodes, t->n_nets, t->n_cables, plan.n, repairs);
	}
	undo_free(&u);
out:
	topo_plan_free(&plan);
	topo_free(t);
	return rc;
}

/* ---- down ------------------------------------------------------------------ */

static int topo_name_of(struct nsnet *nn, const char *file_or_name, char *name,
			size_t len)
{
	struct topo *t;
	int rc;

	if (!topo_arg_is_file(file_or_name)) {
		snprintf(name, len, "%s", file_or_name);
		return 0;
	}
	if ((rc = topo_parse_file(nn, file_or_name, &t)))
		return rc;
	snprintf(name, len, "%s", t->name);
	topo_free(t);
	return 0;
}

/* One dump of the host's links (the one place where finding what carries a
 * mark needs every link). */
static int host_links(struct nsnet *nn, struct ns *host,
		      int (*cb)(const struct nlmsghdr *nlh, void *data), void *data)
{
	char req[64] __attribute__((aligned(4)));
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(req);
	unsigned char *hdr;

	nlh->nlmsg_type = RTM_GETLINK;
	hdr = mnl_nlmsg_put_extra_header(nlh, sizeof(struct ifinfomsg));
	hdr[0] = AF_UNSPEC;
	mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	return nl_dump(nn, host, nlh, cb, data);
}

struct link_list {
	char **names;
	bool *bridge;
	size_t n;
	const char *mark_topo;
	int *nsids;            /* host's ids of the topology's namespaces */
	size_t n_nsids;
	size_t left;           /* veths whose peer is in one of them */
};

static bool nsid_ours(const struct link_list *ll, int nsid)
{
	size_t i;

	for (i = 0; nsid >= 0 && i < ll->n_nsids; i++)
		if (ll->nsids[i] == nsid)
			return true;
	return false;
}

static int peer_left_cb(const struct nlmsghdr *nlh, void *data)
{
	struct link_list *ll = data;
	struct nl_link l;

	if (nlh->nlmsg_type != RTM_NEWLINK)
		return 0;
	nl_link_parse(nlh, &l);
	if (!strcmp(l.kind, "veth") && nsid_ours(ll, l.link_netnsid))
		ll->left++;
	return 0;
}

/* The ids the host gave the topology's namespaces (veth peers there carry
 * them as IFLA_LINK_NETNSID). */
static void topo_nsids(struct nsnet *nn, struct ns *host, char **nodes,
		       size_t n, struct link_list *ll)
{
	size_t i;

	ll->nsids = calloc(n + 1, sizeof(*ll->nsids));
	if (!ll->nsids)
		abort();
	for (i = 0; i < n; i++) {
		struct ns *ns;
		int id;

		if (!ns_exists(nodes[i]) || ns_get(nn, nodes[i], &ns))
			continue;
		id = nl_nsid_of(nn, host, ns);
		if (id >= 0)
			ll->nsids[ll->n_nsids++] = id;
		ns_release(nn, nodes[i]);
	}
}

/* The kernel destroys a namespace's veths after its last user is gone, in
 * the background; an up right after down would find their host ends still
 * there. Wait until they are gone, bounded. */
static void wait_peers_gone(struct nsnet *nn, struct ns *host,
			    struct link_list *ll)
{
	int tries, rc;

	for (tries = 0; ll->n_nsids && tries < 500; tries++) {
		ll->left = 0;
		rc = host_links(nn, host, peer_left_cb, ll);
		if ((rc && rc != -EINTR) || (!rc && !ll->left))
			return;  /* an interrupted dump: links still going, look again */
		nanosleep(&(struct timespec){ 0, 20 * 1000 * 1000 }, NULL);
	}
}

static int owned_link_cb(const struct nlmsghdr *nlh, void *data)
{
	struct link_list *ll = data;
	struct nl_link l;

	if (nl_link_parse(nlh, &l) || !link_mark_is(l.alias, ll->mark_topo))
		return 0;
	ll->names = realloc(ll->names, (ll->n + 1) * sizeof(*ll->names));
	ll->bridge = realloc(ll->bridge, (ll->n + 1) * sizeof(*ll->bridge));
	if (!ll->names || !ll->bridge)
		abort();
	ll->names[ll->n] = strdup(l.name);
	ll->bridge[ll->n++] = !strcmp(l.kind, "bridge");
	return 0;
}

static void kill_runs(const char *dir)
{
	struct dirent *de;
	pid_t pids[256];
	size_t n = 0, i;
	DIR *d = opendir(dir);
	int tries;

	if (!d)
		return;
	while ((de = readdir(d)) && n < ARRAY_SIZE(pids)) {
		char path[1024], buf[32] = "";
		ssize_t r;
		int fd;

		if (strncmp(de->d_name, "run-", 4) || !strstr(de->d_name, ".pid"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		r = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		buf[r > 0 ? r : 0] = '\0';
		if (atoi(buf) > 1)
			pids[n++] = (pid_t)atoi(buf);
	}
	closedir(d);
	/* The processes lead their own sessions (exec_spawn): the group goes. */
	for (i = 0; i < n; i++)
		kill(-pids[i], SIGTERM);
	for (tries = 0; tries < 20; tries++) {
		bool alive = false;

		for (i = 0; i < n; i++)
			if (!kill(pids[i], 0)) {
				waitpid(pids[i], NULL, WNOHANG);
				alive |= !kill(pids[i], 0);
			}
		if (!alive)
			return;
		nanosleep(&(struct timespec){ 0, 50 * 1000 * 1000 }, NULL);
	}
	for (i = 0; i < n; i++)
		kill(-pids[i], SIGKILL);
}

static void rm_tree(const char *dir)
{
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((de = readdir(d))) {
		char path[1024];

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

NSNET_EXPORT int nsnet_topo_down(struct nsnet *nn, const char *file_or_name)
{
	char name[TOPO_NAME_MAX + 1], dir[512], path[600];
	struct link_list ll = { 0 };
	char **nodes = NULL;
	size_t n_nodes, i;
	json_t *fw = NULL, *e;
	struct ns *host;
	struct nl_batch b;
	int rc, first_rc = 0;

	if ((rc = topo_name_of(nn, file_or_name, name, sizeof(name))))
		return rc;
	if ((rc = ns_get(nn, NSNET_HOST, &host)))
		return rc;
	phase(NULL);
	topo_record_dir(dir, sizeof(dir), name);
	n_nodes = ns_records_of(name, &nodes);
	ll.mark_topo = name;
	{
		/* Right after an interrupted up, hundreds of new links are
		 * still changing state and interrupt dumps: retry, bounded
		 * (about 2 s), with a breath between. */
		for (i = 0; i < 100; i++) {
			rc = host_links(nn, host, owned_link_cb, &ll);
			if (rc != -EINTR)
				break;
			while (ll.n)  /* changed under us: collect again */
				free(ll.names[--ll.n]);
			nanosleep(&(struct timespec){ 0, 20 * 1000 * 1000 }, NULL);
		}
		if (rc == -EINTR)
			rc = err_set(nn, EINTR, "down %s: the host's links keep changing", name);
		if (rc)
			goto out;
	}
	if (!n_nodes && !ll.n && access(dir, F_OK)) {
		rc = err_set(nn, 0, "there is no topology %s (nothing carries its mark)", name);
		goto out;
	}
	topo_nsids(nn, host, nodes, n_nodes, &ll);
	phase("find");
	kill_runs(dir);

	/* Published ports of its nodes, then its bridges' NAT and isolation. */
	if (!fw_show(nn, &fw)) {
		json_array_foreach(json_object_get(fw, "published"), i, e) {
			const char *ns = json_string_value(json_object_get(e, "namespace"));
			size_t k;

			for (k = 0; ns && k < n_nodes; k++)
				if (!strcmp(ns, nodes[k])) {
					char spec[128];
					const char *hip = json_string_value(json_object_get(e, "host_ip"));

					snprintf(spec, sizeof(spec), "%s%s%lld-%lld:%lld-%lld/%s",
						 hip ? hip : "", hip ? ":" : "",
						 json_integer_value(json_object_get(e, "host_port")),
						 json_integer_value(json_object_get(e, "host_port_end")),
						 json_integer_value(json_object_get(e, "port")),
						 json_integer_value(json_object_get(e, "port_end")),
						 json_string_value(json_object_get(e, "proto")));
					if ((rc = fw_unpublish(nn, ns, spec)) && !first_rc)
						first_rc = rc;
				}
		}
	}
	for (i = 0; i < ll.n; i++)
		if (ll.bridge[i] && (rc = fw_bridge_register(nn, ll.names[i], false, false)) &&
		    !first_rc)
			first_rc = rc;
	phase("firewall");
	if ((rc = ns_del_many(nn, nodes, n_nodes)) && !first_rc)
		first_rc = rc;
	for (i = 0; i < n_nodes; i++) {
		snprintf(path, sizeof(path), NETNS_ETC_DIR "/%s", nodes[i]);
		rm_tree(path);
	}
	phase("namespaces");
	/* Then what is left of ours in the host: bridges, host ends of
	 * cables. Namespaces go first: their veths are then unregistered by
	 * the kernel in one batch, while deleting a bridge that still has
	 * 1,000 ports takes 24 s here (a synchronization per port). This
	 * request waits for that teardown, most of down's time. */
	nl_batch_init(&b);
	for (i = 0; i < ll.n; i++) {
		link_queue_del(&b, NSNET_HOST, ll.names[i], 0);
		nl_batch_last(&b)->ignore_missing = true;
	}
	if ((rc = nl_batch_send(nn, host, &b)) && !first_rc)
		first_rc = rc;
	nl_batch_free(&b);
	phase("links");
	wait_peers_gone(nn, host, &ll);
	phase("teardown");
	rm_tree(dir);
	rc = first_rc;
	if (rc)
		err_prefix(nn, "down %s", name);
out:
	json_decref(fw);
	for (i = 0; i < ll.n; i++)
		free(ll.names[i]);
	free(ll.names);
	free(ll.bridge);
	free(ll.nsids);
	for (i = 0; i < n_nodes; i++)
		free(nodes[i]);
	free(nodes);
	return rc;
}

/* ---- status ------------------------------------------------------------------ */

NSNET_EXPORT int nsnet_topo_status(struct nsnet *nn, const char *file_or_name,
				   json_t **out)
{
	struct topo_plan plan;
	struct topo *t;
	json_t *drift;
	size_t i;
	int rc;

	if ((rc = topo_load(nn, file_or_name, &t)))
		return rc;
	if ((rc = ctx_set_owner(nn, t->name)) || (rc = topo_plan(nn, t, &plan))) {
		topo_free(t);
		return rc;
	}
	drift = json_array();
	for (i = 0; i < plan.n; i++) {
		char what[256];

		topo_action_str(t, &plan.act[i], what, sizeof(what));
		json_array_append_new(drift, json_pack("{s:s,s:s}", "object", what, "state",
						       plan.act[i].repair ? "drifted" : "missing"));
	}
	*out = json_pack("{s:s,s:s,s:b,s:i,s:i,s:i,s:o}", "name", t->name, "file", t->file,
			 "in_sync", plan.n == 0, "nodes", (int)t->n_nodes, "networks",
			 (int)t->n_nets, "objects_ok", (int)plan.ok_objects, "differences", drift);
	{
		json_t *nodes = json_array();

		for (i = 0; i < t->n_nodes; i++) {
			json_t *addrs = json_array(), *runs = json_array();
			size_t j;
			int f;

			for (j = 0; j < t->nodes[i].n_att; j++)
				for (f = 0; f < 2; f++)
					if (t->nodes[i].att[j].addr[f].family) {
						char a[64];

						json_array_append_new(addrs, json_string(
							ip_str(&t->nodes[i].att[j].addr[f], a, sizeof(a))));
					}
			for (j = 0; j < t->nodes[i].n_run; j++)
				json_array_append_new(runs, json_pack("{s:s,s:b}", "command",
					t->nodes[i].run[j], "running",
					topo_run_alive(t->name, t->nodes[i].name, j)));
			json_array_append_new(nodes, json_pack("{s:s,s:b,s:o,s:o}", "name",
				t->nodes[i].name, "exists", ns_exists(t->nodes[i].name),
				"addresses", addrs, "run", runs));
		}
		json_object_set_new(*out, "node_list", nodes);
	}
	topo_plan_free(&plan);
	topo_free(t);
	return 0;
}

NSNET_EXPORT int nsnet_topo_logs(struct nsnet *nn, const char *node, int out_fd)
{
	char path[600], buf[8192];
	struct dirent *de;
	DIR *d;
	int found = 0;

	if (check_ns_name(nn, node, false))
		return -EINVAL;
	d = opendir(NSNET_RUN_DIR "/topo");
	if (!d)
		return err_set(nn, 0, "no topology is up");
	while ((de = readdir(d))) {
		ssize_t n;
		int fd;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), NSNET_RUN_DIR "/topo/%s/%s.log", de->d_name, node);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		found++;
		while ((n = read(fd, buf, sizeof(buf))) > 0)
			if (write(out_fd, buf, (size_t)n) < 0)
				break;
		close(fd);
	}
	closedir(d);
	return found ? 0 : err_set(nn, 0, "node %s has no log (no run: commands, or not up)", node);
}
