// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * describe.c - how an action of the plan reads: its kind's name, a sentence
 * naming its object (for repair lines, status and errors), and the ip/nft
 * commands that would do the same (what `nsnet plan` shows). Strings only:
 * the CLI prints them.
 */
#include <stdio.h>
#include <string.h>
#include <jansson.h>

#include "topology/topology.h"
#include "firewall/firewall.h"

const char *topo_action_kind(enum topo_act_kind kind)
{
	static const char *const names[] = {
		[ACT_BRIDGE] = "bridge",
		[ACT_BRIDGE_ADDR] = "bridge_address",
		[ACT_NS] = "namespace",
		[ACT_VETH] = "veth",
		[ACT_HOST_UP] = "host_link_up",
		[ACT_INNER_UP] = "link_up",
		[ACT_ADDR] = "address",
		[ACT_ROUTE_DEFAULT] = "default_route",
		[ACT_ROUTE] = "route",
		[ACT_CABLE] = "cable",
		[ACT_SYSCTL] = "sysctl",
		[ACT_BRIDGE_UP] = "bridge_up",
		[ACT_FIREWALL] = "isolation",
		[ACT_NAT] = "nat",
		[ACT_PUBLISH] = "publish",
		[ACT_HOSTS] = "hosts",
		[ACT_RUN] = "run",
		[ACT_SETUP] = "setup",
	};

	return (size_t)kind < ARRAY_SIZE(names) && names[kind] ? names[kind] : "?";
}

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
	case ACT_SETUP:
		snprintf(buf, len, "setup \"%s\" in %s", nd->setup[a->idx], nd->name);
		break;
	}
}

static void out(json_t *cmds, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void out(json_t *cmds, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	json_array_append_new(cmds, json_string(buf));
}

/* The firewall's own rule builders, so that plan shows the nft commands
 * that up will run, not a paraphrase. */
static void add_script(json_t *cmds, struct fw_script *s)
{
	char *text = s->text ? s->text : "", *nl;

	while (*text) {
		nl = strchr(text, '\n');
		if (nl)
			*nl = '\0';
		if (*text)
			out(cmds, "nft '%s'", text);
		if (!nl)
			break;
		text = nl + 1;
	}
	fw_script_free(s);
}

void topo_action_commands(const struct topo *t, const struct topo_action *a,
			  json_t *cmds)
{
	const struct topo_node *nd = a->obj < t->n_nodes ? &t->nodes[a->obj] : NULL;
	const struct topo_net *net = a->obj < t->n_nets ? &t->nets[a->obj] : NULL;
	const struct topo_attach *at = nd && a->idx < nd->n_att ? &nd->att[a->idx] : NULL;
	char x[64], y[64];

	switch (a->kind) {
	case ACT_BRIDGE:
		out(cmds, "ip link add %s type bridge", net->bridge);
		out(cmds, "ip link set %s alias nsnet:%s", net->bridge, t->name);
		break;
	case ACT_BRIDGE_ADDR:
		out(cmds, "ip addr add %s dev %s",
		    ipstr(&net->gateway[a->family], x, sizeof(x), true), net->bridge);
		break;
	case ACT_BRIDGE_UP:
		out(cmds, "ip link set %s up", net->bridge);
		break;
	case ACT_FIREWALL:
		out(cmds, "nft add element inet nsnet bridges { \"%s\" }%s",
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
		out(cmds, "sysctl -w net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1");
		fw_script_init(&sc);
		fw_rules_nat(&sc, net->bridge, 0, NULL, sn, k, true);
		add_script(cmds, &sc);
		break;
	}
	case ACT_NS:
		out(cmds, "ip netns add %s", nd->name);
		out(cmds, "ip -n %s link set lo up", nd->name);
		break;
	case ACT_VETH:
		out(cmds, "ip link add %s master %s type veth peer name %s netns %s",
		    at->host_if, t->nets[at->net].bridge, at->ifname, nd->name);
		out(cmds, "ip link set %s alias nsnet:%s up", at->host_if, t->name);
		out(cmds, "ip -n %s link set %s alias nsnet:%s up", nd->name,
		    at->ifname, t->name);
		break;
	case ACT_HOST_UP:
		out(cmds, "ip link set %s up", at->host_if);
		break;
	case ACT_INNER_UP:
		out(cmds, "ip -n %s link set %s up", nd->name, at->ifname);
		break;
	case ACT_ADDR:
		out(cmds, "ip -n %s addr add %s dev %s", nd->name,
		    ipstr(&at->addr[a->family], x, sizeof(x), true), at->ifname);
		break;
	case ACT_ROUTE_DEFAULT:
		out(cmds, "ip -n %s route add default via %s", nd->name,
		    ipstr(&t->nets[at->net].gateway[a->family], x, sizeof(x), false));
		break;
	case ACT_ROUTE:
		out(cmds, "ip -n %s route add %s", nd->name, nd->routes[a->idx].text);
		break;
	case ACT_CABLE: {
		const struct topo_cable *c = &t->cables[a->obj];

		out(cmds, "ip %s%slink add %s type veth peer name %s netns %s",
		    ns_is_host(c->a) ? "" : "-n ", ns_is_host(c->a) ? "" : c->a,
		    c->a_if, c->b_if, ns_is_host(c->b) ? "1" : c->b);
		if (c->a_addr.family)
			out(cmds, "ip %s%s addr add %s dev %s",
			    ns_is_host(c->a) ? "" : "-n ", ns_is_host(c->a) ? "" : c->a,
			    ip_str(&c->a_addr, x, sizeof(x)), c->a_if);
		if (c->b_addr.family)
			out(cmds, "ip %s%s addr add %s dev %s",
			    ns_is_host(c->b) ? "" : "-n ", ns_is_host(c->b) ? "" : c->b,
			    ip_str(&c->b_addr, y, sizeof(y)), c->b_if);
		break;
	}
	case ACT_SYSCTL:
		out(cmds, "ip netns exec %s sysctl -w %s=%s", nd->name,
		    nd->sysctls[a->idx].key, nd->sysctls[a->idx].value);
		break;
	case ACT_PUBLISH: {
		struct fw_targets tg = { 0 };
		struct fw_script sc;
		struct fw_spec sp;
		char why[128];

		if (!fw_spec_parse(nd->publish[a->idx], &sp, why, sizeof(why)) &&
		    nd->n_att) {
			tg.v4 = nd->att[0].addr[0].family && fw_spec_has_family(&sp, AF_INET);
			tg.v6 = nd->att[0].addr[1].family && fw_spec_has_family(&sp, AF_INET6);
			tg.to4 = nd->att[0].addr[0];
			tg.to6 = nd->att[0].addr[1];
		}
		if (!tg.v4 && !tg.v6) {
			out(cmds, "nsnet publish %s %s", nd->name, nd->publish[a->idx]);
			break;
		}
		fw_script_init(&sc);
		fw_rules_publish(&sc, &sp, nd->name, &tg, true);
		add_script(cmds, &sc);
		break;
	}
	case ACT_HOSTS:
		out(cmds, "mkdir -p /etc/netns/%s; echo \"<every node's addresses>\" > /etc/netns/%s/hosts",
		    nd->name, nd->name);
		break;
	case ACT_RUN:
		out(cmds, "ip netns exec %s sh -c '%s' >> /run/nsnet/topo/%s/run-%s-%zu.log 2>&1 &",
		    nd->name, nd->run[a->idx], t->name, nd->name, a->idx);
		break;
	case ACT_SETUP:
		out(cmds, "ip netns exec %s sh -c '%s' >> /run/nsnet/topo/%s/setup-%s-%zu.log 2>&1",
		    nd->name, nd->setup[a->idx], t->name, nd->name, a->idx);
		break;
	}
}
