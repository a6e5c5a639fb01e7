// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * topo_plan.c - compare a topology with what the kernel has and list what
 * `up` must do, in the order that is fastest for the kernel: bridges are
 * created down and come up after their ports (enslaving to a bridge that
 * is up costs time in proportion to its ports: 3.5 s against 0.9 s for
 * 1,000 namespaces on this kind of machine), veths are born with their
 * inner end in the node's namespace.
 *
 * The kernel is the only state: links are asked for by name, a node's
 * addresses and routes with one dump each, and what belongs to whom is read
 * from nsnet's marks (alias "nsnet:<topology>", /run/nsnet/ns/<node>).
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <time.h>
#include <string.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <linux/if_addr.h>
#include <jansson.h>

#include "topology/topology.h"
#include "firewall/firewall.h"
#include "kernel/kernel.h"

/* ---- what a namespace has: addresses and routes ------------------------ */

struct ns_state {
	struct { int ifindex; struct ipaddr ip; } *addr;
	size_t n_addr;
	struct { struct ipaddr dst, via; } *route;
	size_t n_route;
};

static int addr_cb(const struct nlmsghdr *nlh, void *data)
{
	struct ns_state *st = data;
	struct nl_addr a;

	if (nl_addr_parse(nlh, &a))
		return 0;
	ARRAY_GROW(st->addr, st->n_addr);
	st->addr[st->n_addr].ifindex = a.index;
	st->addr[st->n_addr++].ip = a.ip;
	return 0;
}

static int route_cb(const struct nlmsghdr *nlh, void *data)
{
	struct ns_state *st = data;
	struct nl_route r;

	if (nl_route_parse(nlh, &r) || r.table != RT_TABLE_MAIN)
		return 0;
	ARRAY_GROW(st->route, st->n_route);
	st->route[st->n_route].dst = r.dst;
	if (r.has_gateway)
		st->route[st->n_route].via = r.gateway;
	st->n_route++;
	return 0;
}

static int ns_state_read_once(struct nsnet *nn, struct ns *ns, struct ns_state *st)
{
	char buf[64] __attribute__((aligned(4)));
	struct nlmsghdr *nlh;
	unsigned char *hdr;
	int rc;

	memset(st, 0, sizeof(*st));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETADDR;
	hdr = mnl_nlmsg_put_extra_header(nlh, sizeof(struct ifaddrmsg));
	hdr[0] = AF_UNSPEC;
	rc = nl_dump(nn, ns, nlh, addr_cb, st);
	if (rc)
		return rc;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETROUTE;
	hdr = mnl_nlmsg_put_extra_header(nlh, sizeof(struct rtmsg));
	hdr[0] = AF_UNSPEC;
	return nl_dump(nn, ns, nlh, route_cb, st);
}

static void ns_state_free(struct ns_state *st)
{
	free(st->addr);
	free(st->route);
	memset(st, 0, sizeof(*st));
}

static int ns_state_read(struct nsnet *nn, struct ns *ns, struct ns_state *st)
{
	int rc, tries;

	for (tries = 0; tries < 100; tries++) {
		rc = ns_state_read_once(nn, ns, st);
		if (rc != -EINTR)
			return rc;
		ns_state_free(st);  /* changed during the dump: again */
		nanosleep(&(struct timespec){ 0, 20 * 1000 * 1000 }, NULL);
	}
	return err_set(nn, EINTR, "namespace %s keeps changing", ns->name);
}

static bool has_addr(const struct ns_state *st, int ifindex,
		     const struct ipaddr *ip)
{
	size_t i;

	for (i = 0; i < st->n_addr; i++)
		if (st->addr[i].ifindex == ifindex && ip_equal(&st->addr[i].ip, ip))
			return true;
	return false;
}

static bool has_route(const struct ns_state *st, const struct ipaddr *dst,
		      const struct ipaddr *via)
{
	size_t i;

	for (i = 0; i < st->n_route; i++) {
		if (st->route[i].dst.family != dst->family ||
		    st->route[i].dst.prefix != dst->prefix ||
		    memcmp(st->route[i].dst.a.b, dst->a.b, ip_len(dst)))
			continue;
		if (via && via->family && !ip_equal(&st->route[i].via, via))
			continue;
		return true;
	}
	return false;
}

/* ---- ownership ------------------------------------------------------------- */

void topo_run_pidfile(char *buf, size_t len, const char *topo, const char *node,
		      size_t idx)
{
	snprintf(buf, len, NSNET_RUN_DIR "/topo/%s/run-%s-%zu.pid", topo, node, idx);
}

bool topo_run_alive(const char *topo, const char *node, size_t idx)
{
	char path[512], buf[32];
	long pid;

	topo_run_pidfile(path, sizeof(path), topo, node, idx);
	if (read_small_file(path, buf, sizeof(buf)) < 0)
		return false;
	pid = strtol(buf, NULL, 10);
	/* A zombie still answers kill(0): look at its state too. */
	if (pid <= 0 || kill((pid_t)pid, 0))
		return false;
	snprintf(buf, sizeof(buf), "/proc/%ld/stat", pid);
	if (read_small_file(buf, path, sizeof(path)) < 0)
		return false;
	{
		char *rp = strrchr(path, ')');

		return rp && rp[1] && rp[2] != 'Z';
	}
}

char *topo_hosts_file(const struct topo *t)
{
	size_t i, j, len = 0, cap = 4096;
	char *s = malloc(cap);
	int f;

	if (!s)
		abort();
	len = (size_t)snprintf(s, cap, "# written by nsnet for topology %s\n"
			       "127.0.0.1\tlocalhost\n::1\tlocalhost\n", t->name);
	for (i = 0; i < t->n_nodes; i++)
		for (j = 0; j < t->nodes[i].n_att; j++)
			for (f = 0; f < 2; f++) {
				struct ipaddr ip = t->nodes[i].att[j].addr[f];
				char a[64];

				if (!ip.family)
					continue;
				ip.prefix = -1;
				if (len + 128 + strlen(t->nodes[i].name) > cap) {
					cap *= 2;
					s = realloc(s, cap);
					if (!s)
						abort();
				}
				len += (size_t)snprintf(s + len, cap - len, "%s\t%s\n",
							ip_str(&ip, a, sizeof(a)),
							t->nodes[i].name);
			}
	return s;
}

static bool file_equals(const char *path, const char *want)
{
	char buf[65536];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return false;
	buf[n] = '\0';
	return !strcmp(buf, want);
}

/* ---- the plan ----------------------------------------------------------------- */

static void add(struct topo_plan *p, enum topo_act_kind kind, size_t obj,
		size_t idx, int family, bool repair)
{
	struct topo_action *a;

	a = realloc(p->act, (p->n + 1) * sizeof(*p->act));
	if (!a)
		abort();
	p->act = a;
	p->act[p->n++] = (struct topo_action){ kind, obj, idx, family, repair };
}

static bool fw_has_bridge(json_t *fw, const char *bridge, const char *list)
{
	json_t *e;
	size_t i;

	json_array_foreach(json_object_get(json_object_get(fw, "isolation"), list), i, e)
		if (json_is_string(e) && !strcmp(json_string_value(e), bridge))
			return true;
	return false;
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

int topo_plan(struct nsnet *nn, const struct topo *t, struct topo_plan *p)
{
	struct ns *host, *ns;
	struct ns_state hst = { 0 };
	json_t *fw = NULL;
	char *hosts = NULL;
	size_t i, j;
	int rc, f;

	memset(p, 0, sizeof(*p));
	if ((rc = ns_get(nn, NSNET_HOST, &host)) || (rc = ns_state_read(nn, host, &hst)))
		return rc;
	hosts = topo_hosts_file(t);  /* the same for every node: made once */
	if (fw_show(nn, &fw))
		fw = json_object();  /* no table yet: nothing registered */

	for (i = 0; i < t->n_nets; i++) {
		const struct topo_net *net = &t->nets[i];
		struct nl_link l;

		rc = nl_link_get(nn, host, net->bridge, &l);
		if (rc == -ENODEV) {
			rc = 0;
			add(p, ACT_BRIDGE, i, 0, 0, false);
			for (f = 0; f < 2; f++)
				if (net->subnet[f].family)
					add(p, ACT_BRIDGE_ADDR, i, 0, f, false);
			add(p, ACT_BRIDGE_UP, i, 0, 0, false);
			add(p, ACT_FIREWALL, i, 0, 0, false);
			if (net->nat)
				add(p, ACT_NAT, i, 0, 0, false);
			continue;
		}
		if (rc)
			goto out;
		if (!link_mark_is(l.alias, t->name)) {
			rc = err_set(nn, 0,
				"network %s: the host already has an interface %s that is not part of topology %s%s%s",
				net->name, net->bridge, t->name, l.alias[0] ? " (alias " : "",
				l.alias[0] ? l.alias : "");
			if (l.alias[0])
				strncat(nn->err, ")", sizeof(nn->err) - strlen(nn->err) - 1);
			goto out;
		}
		p->ok_objects++;
		for (f = 0; f < 2; f++)
			if (net->subnet[f].family && !has_addr(&hst, l.index, &net->gateway[f]))
				add(p, ACT_BRIDGE_ADDR, i, 0, f, true);
		if (!(l.flags & IFF_UP))
			add(p, ACT_BRIDGE_UP, i, 0, 0, true);
		if (!fw_has_bridge(fw, net->bridge, "bridges") ||
		    net->internal != fw_has_bridge(fw, net->bridge, "internal"))
			add(p, ACT_FIREWALL, i, 0, 0, true);
		if (net->nat && !fw_has_nat(fw, net->bridge))
			add(p, ACT_NAT, i, 0, 0, true);
	}

	for (i = 0; i < t->n_nodes; i++) {
		const struct topo_node *nd = &t->nodes[i];
		bool fresh = !ns_exists(nd->name), gw_done[2] = { false, false };
		struct ns_state st = { 0 };
		char path[512];

		char owner[256];

		if (fresh) {
			add(p, ACT_NS, i, 0, 0, false);
		} else {
			if (ns_record_owner(nd->name, owner, sizeof(owner)) ||
			    strcmp(owner, t->name)) {
				rc = err_set(nn, 0,
					"node %s: a namespace %s exists and is not part of topology %s",
					nd->name, nd->name, t->name);
				goto out;
			}
			p->ok_objects++;
			if ((rc = ns_get(nn, nd->name, &ns)) || (rc = ns_state_read(nn, ns, &st)))
				goto out;
		}
		for (j = 0; j < nd->n_att; j++) {
			const struct topo_attach *a = &nd->att[j];
			const struct topo_net *net = &t->nets[a->net];
			struct nl_link hl = { 0 }, il = { 0 };
			bool new_veth = fresh;

			if (!fresh) {
				rc = nl_link_get(nn, host, a->host_if, &hl);
				if (rc && rc != -ENODEV)
					goto node_out;
				new_veth = rc == -ENODEV;
				if (!new_veth && !link_mark_is(hl.alias, t->name)) {
					rc = err_set(nn, 0,
						"node %s on %s: the host already has an interface %s that is not part of topology %s",
						nd->name, net->name, a->host_if, t->name);
					goto node_out;
				}
				rc = 0;
			}
			if (fresh) {
				/* The name the bridge port will have must be free:
				 * found now, nothing is changed; found by the
				 * kernel later, the whole up is undone. */
				rc = nl_link_get(nn, host, a->host_if, &hl);
				if (rc == 0)
					rc = err_set(nn, 0,
						"node %s on %s: the host already has an interface %s that is not part of topology %s",
						nd->name, net->name, a->host_if, t->name);
				if (rc != -ENODEV)
					goto node_out;
				rc = 0;
			}
			if (new_veth) {
				add(p, ACT_VETH, i, j, 0, false);
			} else {
				p->ok_objects++;
				if (!(hl.flags & IFF_UP))
					add(p, ACT_HOST_UP, i, j, 0, true);
				rc = nl_link_get(nn, ns, a->ifname, &il);
				if (rc) {
					if (rc == -ENODEV)
						rc = err_set(nn, 0, "node %s: %s lost its peer %s",
							     nd->name, a->host_if, a->ifname);
					goto node_out;
				}
				if (!(il.flags & IFF_UP))
					add(p, ACT_INNER_UP, i, j, 0, true);
			}
			for (f = 0; f < 2; f++) {
				if (!a->addr[f].family)
					continue;
				if (new_veth || !has_addr(&st, il.index, &a->addr[f]))
					add(p, ACT_ADDR, i, j, f, !new_veth);
				if (!gw_done[f]) {
					struct ipaddr def = { .family = a->addr[f].family, .prefix = 0 };

					gw_done[f] = true;
					if (fresh || !has_route(&st, &def, &net->gateway[f]))
						add(p, ACT_ROUTE_DEFAULT, i, j, f, !fresh);
				}
			}
		}
		for (j = 0; j < nd->n_routes; j++)
			if (fresh || !has_route(&st, &nd->routes[j].dst, &nd->routes[j].via))
				add(p, ACT_ROUTE, i, j, 0, !fresh);
		for (j = 0; j < nd->n_sysctls; j++) {
			char key[256], val[64] = "";
			size_t k;

			snprintf(key, sizeof(key), "%s", nd->sysctls[j].key);
			for (k = 0; key[k]; k++)
				if (key[k] == '.')
					key[k] = '/';
			if (fresh || sysctl_read(nn, ns, key, val, sizeof(val)) ||
			    strcmp(val, nd->sysctls[j].value))
				add(p, ACT_SYSCTL, i, j, 0, !fresh);
		}
		for (j = 0; j < nd->n_publish; j++)
			if (!fw_has_publish(fw, nd->name, nd->publish[j]))
				add(p, ACT_PUBLISH, i, j, 0, !fresh);
		snprintf(path, sizeof(path), NETNS_ETC_DIR "/%s/hosts", nd->name);
		if (fresh || !file_equals(path, hosts))
			add(p, ACT_HOSTS, i, 0, 0, !fresh);
		for (j = 0; j < nd->n_run; j++)
			if (!topo_run_alive(t->name, nd->name, j))
				add(p, ACT_RUN, i, j, 0, !fresh);
node_out:
		ns_state_free(&st);
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
			continue;
		}
		if ((rc = ns_get(nn, c->a, &ns)))
			goto out;
		rc = nl_link_get(nn, ns, c->a_if, &l);
		if (rc == -ENODEV) {
			add(p, ACT_CABLE, i, 0, 0, false);
			rc = 0;
		} else if (rc) {
			goto out;
		} else {
			p->ok_objects++;
		}
	}
	/* Bridges come up after their ports; the firewall, NAT and published
	 * ports after the links they name; processes last. */
	{
		static const enum topo_act_kind order[] = {
			ACT_BRIDGE, ACT_BRIDGE_ADDR, ACT_NS, ACT_VETH, ACT_HOST_UP,
			ACT_INNER_UP, ACT_ADDR, ACT_ROUTE_DEFAULT, ACT_ROUTE, ACT_CABLE,
			ACT_SYSCTL, ACT_BRIDGE_UP, ACT_FIREWALL, ACT_NAT, ACT_PUBLISH,
			ACT_HOSTS, ACT_RUN,
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
	}
out:
	free(hosts);
	ns_state_free(&hst);
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

/* ---- printing ----------------------------------------------------------------- */

static const char *ipstr(const struct ipaddr *ip, char *buf, size_t len,
			 bool prefix)
{
	struct ipaddr x = *ip;

	if (!prefix)
		x.prefix = -1;
	return ip_str(&x, buf, len);
}

void topo_action_str(const struct topo *t, const struct topo_action *a,
		     char *buf, size_t len)
{
	const struct topo_node *nd = a->kind == ACT_BRIDGE || a->kind == ACT_BRIDGE_ADDR ||
		a->kind == ACT_BRIDGE_UP || a->kind == ACT_FIREWALL || a->kind == ACT_NAT ||
		a->kind == ACT_CABLE ? NULL : &t->nodes[a->obj];
	const struct topo_net *net = nd ? NULL : a->kind == ACT_CABLE ? NULL : &t->nets[a->obj];
	char x[64];

	switch (a->kind) {
	case ACT_BRIDGE: snprintf(buf, len, "bridge %s", net->bridge); break;
	case ACT_BRIDGE_ADDR:
		snprintf(buf, len, "address %s on bridge %s",
			 ipstr(&net->gateway[a->family], x, sizeof(x), true), net->bridge);
		break;
	case ACT_BRIDGE_UP: snprintf(buf, len, "bridge %s up", net->bridge); break;
	case ACT_FIREWALL: snprintf(buf, len, "isolation of bridge %s", net->bridge); break;
	case ACT_NAT: snprintf(buf, len, "NAT for bridge %s", net->bridge); break;
	case ACT_NS: snprintf(buf, len, "namespace %s", nd->name); break;
	case ACT_VETH:
		snprintf(buf, len, "%s %s on %s", nd->name, nd->att[a->idx].ifname,
			 t->nets[nd->att[a->idx].net].bridge);
		break;
	case ACT_HOST_UP: snprintf(buf, len, "%s up", nd->att[a->idx].host_if); break;
	case ACT_INNER_UP:
		snprintf(buf, len, "%s %s up", nd->name, nd->att[a->idx].ifname);
		break;
	case ACT_ADDR:
		snprintf(buf, len, "address %s on %s %s",
			 ipstr(&nd->att[a->idx].addr[a->family], x, sizeof(x), true),
			 nd->name, nd->att[a->idx].ifname);
		break;
	case ACT_ROUTE_DEFAULT:
		snprintf(buf, len, "default route of %s via %s", nd->name,
			 ipstr(&t->nets[nd->att[a->idx].net].gateway[a->family], x,
			       sizeof(x), false));
		break;
	case ACT_ROUTE:
		snprintf(buf, len, "route %s in %s", nd->routes[a->idx].text, nd->name);
		break;
	case ACT_CABLE:
		snprintf(buf, len, "cable %s:%s - %s:%s", t->cables[a->obj].a,
			 t->cables[a->obj].a_if, t->cables[a->obj].b, t->cables[a->obj].b_if);
		break;
	case ACT_SYSCTL:
		snprintf(buf, len, "sysctl %s=%s in %s", nd->sysctls[a->idx].key,
			 nd->sysctls[a->idx].value, nd->name);
		break;
	case ACT_PUBLISH:
		snprintf(buf, len, "published port %s of %s", nd->publish[a->idx], nd->name);
		break;
	case ACT_HOSTS: snprintf(buf, len, "/etc/netns/%s/hosts", nd->name); break;
	case ACT_RUN:
		snprintf(buf, len, "process \"%s\" in %s", nd->run[a->idx], nd->name);
		break;
	}
}

static void out(void (*line)(void *, const char *), void *data,
		const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void out(void (*line)(void *, const char *), void *data,
		const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	line(data, buf);
}

/* The firewall's own rule builders, so that plan shows the nft commands
 * that up will run, not a paraphrase. */
static void print_script(struct fw_script *s,
			 void (*line)(void *data, const char *text), void *data)
{
	char *text = s->text ? s->text : "", *nl;

	while (*text) {
		nl = strchr(text, '\n');
		if (nl)
			*nl = '\0';
		if (*text)
			out(line, data, "nft '%s'", text);
		if (!nl)
			break;
		text = nl + 1;
	}
	fw_script_free(s);
}

void topo_plan_print(const struct topo *t, const struct topo_plan *p,
		     void (*line)(void *data, const char *text), void *data)
{
	size_t i;
	char x[64], y[64];

	for (i = 0; i < p->n; i++) {
		const struct topo_action *a = &p->act[i];
		const struct topo_node *nd = a->obj < t->n_nodes ? &t->nodes[a->obj] : NULL;
		const struct topo_net *net = a->obj < t->n_nets ? &t->nets[a->obj] : NULL;
		const struct topo_attach *at = nd && a->idx < nd->n_att ? &nd->att[a->idx] : NULL;

		switch (a->kind) {
		case ACT_BRIDGE:
			out(line, data, "ip link add %s type bridge", net->bridge);
			out(line, data, "ip link set %s alias nsnet:%s", net->bridge, t->name);
			break;
		case ACT_BRIDGE_ADDR:
			out(line, data, "ip addr add %s dev %s",
			    ipstr(&net->gateway[a->family], x, sizeof(x), true), net->bridge);
			break;
		case ACT_BRIDGE_UP:
			out(line, data, "ip link set %s up", net->bridge);
			break;
		case ACT_FIREWALL:
			out(line, data, "nft add element inet nsnet bridges { \"%s\" }%s",
			    net->bridge, net->internal ? "   # internal: no way out" : "");
			break;
		case ACT_NAT: {
			struct fw_script sc;
			struct ipaddr sn[2];
			size_t k = 0;
			int f;

			for (f = 0; f < 2; f++)
				if (net->subnet[f].family)
					sn[k++] = net->subnet[f];
			out(line, data, "sysctl -w net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1");
			fw_script_init(&sc);
			fw_rules_nat(&sc, net->bridge, NULL, sn, k, true);
			print_script(&sc, line, data);
			break;
		}
		case ACT_NS:
			out(line, data, "ip netns add %s", nd->name);
			out(line, data, "ip -n %s link set lo up", nd->name);
			break;
		case ACT_VETH:
			out(line, data, "ip link add %s master %s type veth peer name %s netns %s",
			    at->host_if, t->nets[at->net].bridge, at->ifname, nd->name);
			out(line, data, "ip link set %s alias nsnet:%s up", at->host_if, t->name);
			out(line, data, "ip -n %s link set %s alias nsnet:%s up", nd->name,
			    at->ifname, t->name);
			break;
		case ACT_HOST_UP:
			out(line, data, "ip link set %s up", at->host_if);
			break;
		case ACT_INNER_UP:
			out(line, data, "ip -n %s link set %s up", nd->name, at->ifname);
			break;
		case ACT_ADDR:
			out(line, data, "ip -n %s addr add %s dev %s", nd->name,
			    ipstr(&at->addr[a->family], x, sizeof(x), true), at->ifname);
			break;
		case ACT_ROUTE_DEFAULT:
			out(line, data, "ip -n %s route add default via %s", nd->name,
			    ipstr(&t->nets[at->net].gateway[a->family], x, sizeof(x), false));
			break;
		case ACT_ROUTE:
			out(line, data, "ip -n %s route add %s", nd->name, nd->routes[a->idx].text);
			break;
		case ACT_CABLE: {
			const struct topo_cable *c = &t->cables[a->obj];

			out(line, data, "ip %s%slink add %s type veth peer name %s netns %s",
			    ns_is_host(c->a) ? "" : "-n ", ns_is_host(c->a) ? "" : c->a,
			    c->a_if, c->b_if, ns_is_host(c->b) ? "1" : c->b);
			if (c->a_addr.family)
				out(line, data, "ip %s%s addr add %s dev %s",
				    ns_is_host(c->a) ? "" : "-n ", ns_is_host(c->a) ? "" : c->a,
				    ip_str(&c->a_addr, x, sizeof(x)), c->a_if);
			if (c->b_addr.family)
				out(line, data, "ip %s%s addr add %s dev %s",
				    ns_is_host(c->b) ? "" : "-n ", ns_is_host(c->b) ? "" : c->b,
				    ip_str(&c->b_addr, y, sizeof(y)), c->b_if);
			break;
		}
		case ACT_SYSCTL:
			out(line, data, "ip netns exec %s sysctl -w %s=%s", nd->name,
			    nd->sysctls[a->idx].key, nd->sysctls[a->idx].value);
			break;
		case ACT_PUBLISH: {
			struct fw_script sc;
			struct fw_spec sp;
			char why[128];

			if (fw_spec_parse(nd->publish[a->idx], &sp, why, sizeof(why)) ||
			    !nd->n_att || !nd->att[0].addr[0].family) {
				out(line, data, "nsnet publish %s %s", nd->name, nd->publish[a->idx]);
				break;
			}
			fw_script_init(&sc);
			fw_rules_publish(&sc, &sp, nd->name, &nd->att[0].addr[0], true);
			print_script(&sc, line, data);
			break;
		}
		case ACT_HOSTS:
			out(line, data, "mkdir -p /etc/netns/%s; echo \"<every node's addresses>\" > /etc/netns/%s/hosts",
			    nd->name, nd->name);
			break;
		case ACT_RUN:
			out(line, data, "ip netns exec %s sh -c '%s' > /run/nsnet/topo/%s/%s.log 2>&1 &",
			    nd->name, nd->run[a->idx], t->name, nd->name);
			break;
		}
	}
}
