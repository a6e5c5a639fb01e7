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
		[ACT_LO_UP] = "loopback_up",
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
		[ACT_IMPAIR] = "impairment",
		[ACT_CABLE_IMPAIR] = "cable_impairment",
		[ACT_SETUP] = "setup",
		[ACT_CABLE_NAT] = "cable_nat",
		[ACT_VXLAN] = "vxlan",
		[ACT_VXLAN_UP] = "vxlan_up",
		[ACT_FDB] = "forwarding_entry",
		[ACT_TRUNK] = "trunk",
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

/* "rate 10000000bit loss 1% delay 20000us jitter 0us", or "none": every
 * value, in units tc and nsnet link set read back exactly. */
static void impair_words(const struct nsnet_link_impair *imp, char *buf,
			 size_t len)
{
	buf[0] = '\0';
	if (imp->rate_bps)
		snprintf(buf + strlen(buf), len - strlen(buf), "rate %llubit ",
			 (unsigned long long)imp->rate_bps);
	if (imp->loss_pct > 0)
		snprintf(buf + strlen(buf), len - strlen(buf), "loss %.7g%% ",
			 imp->loss_pct);
	if (imp->delay_us)
		snprintf(buf + strlen(buf), len - strlen(buf), "delay %uus jitter %uus ",
			 imp->delay_us, imp->jitter_us);
	if (buf[0])
		buf[strlen(buf) - 1] = '\0';
	else
		snprintf(buf, len, "none");
}

void topo_action_str(const struct topo *t, const struct topo_action *a,
		     char *buf, size_t len)
{
	bool cable = a->kind == ACT_CABLE || a->kind == ACT_CABLE_IMPAIR ||
		     a->kind == ACT_CABLE_NAT;
	bool span = a->kind == ACT_VXLAN || a->kind == ACT_VXLAN_UP || a->kind == ACT_FDB;
	const struct topo_node *nd = a->kind == ACT_BRIDGE || a->kind == ACT_BRIDGE_ADDR ||
		a->kind == ACT_BRIDGE_UP || a->kind == ACT_FIREWALL || a->kind == ACT_NAT ||
		a->kind == ACT_TRUNK || cable || span ? NULL : &t->nodes[a->obj];
	const struct topo_net *net = nd || cable ? NULL : &t->nets[a->obj];
	char x[64], w[128], br[IFNAMSIZ], e0[IFNAMSIZ], e1[IFNAMSIZ];

	if (net)  /* its bridge, or one of its leaves (leaves.c) */
		leaf_bridge_name(net, a->idx, br);
	switch (a->kind) {
	case ACT_BRIDGE:
		if (a->idx)
			snprintf(buf, len, "leaf bridge %s of network %s", br, net->name);
		else
			snprintf(buf, len, "bridge %s", net->bridge);
		break;
	case ACT_TRUNK:
		leaf_trunk_names(net, a->idx, e0, e1);
		snprintf(buf, len, "trunk %s - %s from bridge %s to leaf %s", e0, e1,
			 net->bridge, br);
		break;
	case ACT_BRIDGE_ADDR:
		snprintf(buf, len, "address %s on bridge %s",
			 ipstr(&net->gateway[a->family], x, sizeof(x), true), net->bridge);
		break;
	case ACT_BRIDGE_UP: snprintf(buf, len, "bridge %s up", br); break;
	case ACT_FIREWALL: snprintf(buf, len, "isolation of bridge %s", br); break;
	case ACT_NAT: snprintf(buf, len, "NAT for bridge %s", net->bridge); break;
	case ACT_NS: snprintf(buf, len, "namespace %s", nd->name); break;
	case ACT_LO_UP: snprintf(buf, len, "%s lo up", nd->name); break;
	case ACT_VETH:
		snprintf(buf, len, "%s %s on %s", nd->name, nd->att[a->idx].ifname,
			 leaf_att_bridge(t, &nd->att[a->idx], br));
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
	case ACT_IMPAIR:
		impair_words(&nd->att[a->idx].impair, w, sizeof(w));
		snprintf(buf, len, "impairments of %s %s (%s)", nd->name,
			 nd->att[a->idx].ifname, w);
		break;
	case ACT_CABLE_IMPAIR:
		impair_words(&t->cables[a->obj].impair, w, sizeof(w));
		snprintf(buf, len, "impairments of cable %s:%s - %s:%s (%s)",
			 t->cables[a->obj].a, t->cables[a->obj].a_if, t->cables[a->obj].b,
			 t->cables[a->obj].b_if, w);
		break;
	case ACT_SETUP:
		snprintf(buf, len, "setup \"%s\" in %s", nd->setup[a->idx], nd->name);
		break;
	case ACT_CABLE_NAT: {
		const struct topo_cable *c = &t->cables[a->obj];
		const char *out = c->nat[a->idx].out;

		snprintf(buf, len, "NAT for cable end %s%s%s",
			 a->idx ? c->b_if : c->a_if, out[0] ? " out " : "", out);
		break;
	}
	case ACT_VXLAN:
	case ACT_VXLAN_UP:
	case ACT_FDB:
		topo_span_action_str(t, a, buf, len);
		break;
	}
}

/*
 * The words of the commands, quoted for a shell. Names follow the one name
 * rule and need no quoting, but a plan is meant to be read and may be
 * piped to a shell: every word that is not made only of characters no
 * shell treats specially goes in single quotes, so that no file, however
 * written, can make a plan run something it does not show. (run: commands
 * are shell text by design: they are one quoted word for sh -c.)
 */
struct words {
	char **s;
	size_t n;
};

static bool shell_safe(const char *w)
{
	const char *c;

	if (!*w)
		return false;
	for (c = w; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || strchr("_-./:=@%+,", *c)))
			return false;
	return true;
}

/* w as one shell word; the string lives until words_free(). */
static const char *q(struct words *ws, const char *w)
{
	size_t len = 2;
	const char *c;
	char *s, *o;

	if (shell_safe(w))
		return w;
	for (c = w; *c; c++)
		len += *c == '\'' ? 4 : 1;
	s = malloc(len + 1);
	if (!s)
		abort();
	o = s;
	*o++ = '\'';
	for (c = w; *c; c++)
		if (*c == '\'') {
			memcpy(o, "'\\''", 4);  /* end, an escaped ', resume */
			o += 4;
		} else {
			*o++ = *c;
		}
	*o++ = '\'';
	*o = '\0';
	ARRAY_GROW(ws->s, ws->n);
	ws->s[ws->n++] = s;
	return s;
}

/* A word made from a format, quoted. */
static const char *qf(struct words *ws, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static const char *qf(struct words *ws, const char *fmt, ...)
{
	const char *r;
	va_list ap;
	char *w;

	va_start(ap, fmt);
	if (vasprintf(&w, fmt, ap) < 0)
		abort();
	va_end(ap);
	r = q(ws, w);
	if (r == w) {  /* kept as it is: keep it until the end */
		ARRAY_GROW(ws->s, ws->n);
		ws->s[ws->n++] = w;
	} else {
		free(w);
	}
	return r;
}

/* The words of text (split at blanks), each quoted, one space between. */
static const char *qwords(struct words *ws, const char *text)
{
	char *copy = strdup(text), *save = NULL, *w, *out = NULL;
	size_t len = 0;

	if (!copy)
		abort();
	for (w = strtok_r(copy, " \t\n", &save); w; w = strtok_r(NULL, " \t\n", &save)) {
		const char *qw = q(ws, w);
		char *grown = realloc(out, len + strlen(qw) + 2);

		if (!grown)
			abort();
		out = grown;
		len += (size_t)sprintf(out + len, "%s%s", len ? " " : "", qw);
	}
	free(copy);
	if (!out)
		return "''";
	ARRAY_GROW(ws->s, ws->n);
	ws->s[ws->n++] = out;
	return out;
}

static void words_free(struct words *ws)
{
	strv_free(ws->s, ws->n);
}

static void out(json_t *cmds, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void out(json_t *cmds, const char *fmt, ...)
{
	va_list ap;
	char *buf;

	/* no fixed buffer: a command cut short could end inside a quote */
	va_start(ap, fmt);
	if (vasprintf(&buf, fmt, ap) < 0)
		abort();
	va_end(ap);
	json_array_append_new(cmds, json_string(buf));
	free(buf);
}

/* The firewall's own rule builders, so that plan shows the nft commands
 * that up will run, not a paraphrase. */
static void add_script(json_t *cmds, struct words *ws, struct fw_script *s)
{
	char *text = s->text ? s->text : "", *nl;

	while (*text) {
		nl = strchr(text, '\n');
		if (nl)
			*nl = '\0';
		if (*text)
			out(cmds, "nft %s", q(ws, text));
		if (!nl)
			break;
		text = nl + 1;
	}
	fw_script_free(s);
}

/* The words of nsnet link set that give a link exactly imp. */
static void impair_set_words(const struct nsnet_link_impair *imp, char *buf,
			     size_t len)
{
	char v[48];

	snprintf(v, sizeof(v), "%llubit", (unsigned long long)imp->rate_bps);
	snprintf(buf, len, "rate %s", imp->rate_bps ? v : "none");
	snprintf(v, sizeof(v), "%.7g%%", imp->loss_pct);
	snprintf(buf + strlen(buf), len - strlen(buf), " loss %s",
		 imp->loss_pct > 0 ? v : "none");
	if (imp->delay_us)
		snprintf(buf + strlen(buf), len - strlen(buf), " delay %uus jitter %uus",
			 imp->delay_us, imp->jitter_us);
	else
		snprintf(buf + strlen(buf), len - strlen(buf), " delay none");
}

/* "-n NS " for a cable end in namespace ns, "" for one in the host. */
static const char *netns_opt(struct words *ws, const char *ns)
{
	char *w;

	if (ns_is_host(ns))
		return "";
	if (asprintf(&w, "-n %s ", q(ws, ns)) < 0)
		abort();
	ARRAY_GROW(ws->s, ws->n);
	ws->s[ws->n++] = w;
	return w;
}

void topo_action_commands(const struct topo *t, const struct topo_action *a,
			  json_t *cmds)
{
	const struct topo_node *nd = a->obj < t->n_nodes ? &t->nodes[a->obj] : NULL;
	const struct topo_net *net = a->obj < t->n_nets ? &t->nets[a->obj] : NULL;
	const struct topo_attach *at = nd && a->idx < nd->n_att ? &nd->att[a->idx] : NULL;
	struct words ws = { 0 };
	char x[64], y[64], w[160], br[IFNAMSIZ], e0[IFNAMSIZ], e1[IFNAMSIZ];

	if (net)  /* the bridge of a network's action: its own or a leaf */
		leaf_bridge_name(net, a->idx, br);
	switch (a->kind) {
	case ACT_BRIDGE:
		out(cmds, "ip link add %s type bridge", q(&ws, br));
		if (a->idx)  /* a leaf takes no part in IP (leaves.c) */
			out(cmds, "sysctl -w %s %s",
			    qf(&ws, "net.ipv4.conf.%s.arp_ignore=8", br),
			    qf(&ws, "net.ipv6.conf.%s.disable_ipv6=1", br));
		out(cmds, "ip link set %s alias %s", q(&ws, br),
		    qf(&ws, "nsnet:%s%s", t->name, a->idx && net->internal ? " internal" : ""));
		break;
	case ACT_TRUNK:
		leaf_trunk_names(net, a->idx, e0, e1);
		out(cmds, "ip link add %s master %s type veth peer name %s", q(&ws, e0),
		    q(&ws, net->bridge), q(&ws, e1));
		out(cmds, "ip link set %s alias %s up", q(&ws, e0), qf(&ws, "nsnet:%s", t->name));
		out(cmds, "ip link set %s master %s alias %s up", q(&ws, e1), q(&ws, br),
		    qf(&ws, "nsnet:%s", t->name));
		break;
	case ACT_BRIDGE_ADDR:
		out(cmds, "ip addr add %s dev %s",
		    q(&ws, ipstr(&net->gateway[a->family], x, sizeof(x), true)),
		    q(&ws, net->bridge));
		break;
	case ACT_BRIDGE_UP:
		out(cmds, "ip link set %s alias %s up", q(&ws, br),
		    qf(&ws, "nsnet:%s%s", t->name, net->internal ? " internal" : ""));
		break;
	case ACT_FIREWALL:
		out(cmds, "nft %s%s",
		    qf(&ws, "add element inet nsnet bridges { \"%s\" }", br),
		    net->internal ? "   # internal: no way out" : "");
		if (a->idx)
			out(cmds, "nft %s",
			    qf(&ws, "add element inet nsnet leaves { \"%s\" }", br));
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
		add_script(cmds, &ws, &sc);
		break;
	}
	case ACT_CABLE_NAT: {
		/* nsnet nat add IF [--out OUT]: the same rules as a network's */
		const struct topo_cable *c = &t->cables[a->obj];
		const char *via = c->nat[a->idx].out;
		struct ipaddr sn = a->idx ? c->b_addr : c->a_addr;
		struct fw_script sc;

		ip_mask(&sn);
		out(cmds, "sysctl -w net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1");
		fw_script_init(&sc);
		fw_rules_nat(&sc, a->idx ? c->b_if : c->a_if, 0, via[0] ? via : NULL, &sn, 1,
			     true);
		add_script(cmds, &ws, &sc);
		break;
	}
	case ACT_NS:
		out(cmds, "ip netns add %s", q(&ws, nd->name));
		out(cmds, "ip -n %s link set lo up", q(&ws, nd->name));
		break;
	case ACT_VETH:
		out(cmds, "ip link add %s master %s type veth peer name %s netns %s",
		    q(&ws, at->host_if), q(&ws, leaf_att_bridge(t, at, br)),
		    q(&ws, at->ifname), q(&ws, nd->name));
		out(cmds, "ip link set %s master %s alias %s up", q(&ws, at->host_if),
		    q(&ws, br), qf(&ws, "nsnet:%s", t->name));
		out(cmds, "ip -n %s link set %s alias %s up", q(&ws, nd->name),
		    q(&ws, at->ifname), qf(&ws, "nsnet:%s", t->name));
		break;
	case ACT_LO_UP:
		out(cmds, "ip -n %s link set lo up", q(&ws, nd->name));
		break;
	case ACT_HOST_UP:
		out(cmds, "ip link set %s alias %s up", q(&ws, at->host_if),
		    qf(&ws, "nsnet:%s", t->name));
		break;
	case ACT_INNER_UP:
		out(cmds, "ip -n %s link set %s alias %s up", q(&ws, nd->name),
		    q(&ws, at->ifname), qf(&ws, "nsnet:%s", t->name));
		break;
	case ACT_ADDR:
		out(cmds, "ip -n %s addr add %s dev %s", q(&ws, nd->name),
		    q(&ws, ipstr(&at->addr[a->family], x, sizeof(x), true)),
		    q(&ws, at->ifname));
		break;
	case ACT_ROUTE_DEFAULT:
		out(cmds, "ip -n %s route add default via %s", q(&ws, nd->name),
		    q(&ws, ipstr(&t->nets[at->net].gateway[a->family], x, sizeof(x), false)));
		break;
	case ACT_ROUTE:
		out(cmds, "ip -n %s route add %s", q(&ws, nd->name),
		    qwords(&ws, nd->routes[a->idx].text));
		break;
	case ACT_CABLE: {
		const struct topo_cable *c = &t->cables[a->obj];

		out(cmds, "ip %slink add %s type veth peer name %s netns %s",
		    netns_opt(&ws, c->a),
		    q(&ws, c->a_if), q(&ws, c->b_if),
		    ns_is_host(c->b) ? "1" : q(&ws, c->b));
		if (c->a_addr.family)
			out(cmds, "ip %saddr add %s dev %s",
			    netns_opt(&ws, c->a),
			    q(&ws, ip_str(&c->a_addr, x, sizeof(x))), q(&ws, c->a_if));
		if (c->b_addr.family)
			out(cmds, "ip %saddr add %s dev %s",
			    netns_opt(&ws, c->b),
			    q(&ws, ip_str(&c->b_addr, y, sizeof(y))), q(&ws, c->b_if));
		break;
	}
	case ACT_SYSCTL:
		out(cmds, "ip netns exec %s sysctl -w %s", q(&ws, nd->name),
		    qf(&ws, "%s=%s", nd->sysctls[a->idx].key, nd->sysctls[a->idx].value));
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
			out(cmds, "nsnet publish %s %s", q(&ws, nd->name),
			    q(&ws, nd->publish[a->idx]));
			break;
		}
		fw_script_init(&sc);
		fw_rules_publish(&sc, &sp, nd->name, &tg, true);
		add_script(cmds, &ws, &sc);
		break;
	}
	case ACT_HOSTS:
		out(cmds, "mkdir -p %s; echo \"<every node's addresses>\" > %s",
		    qf(&ws, "/etc/netns/%s", nd->name),
		    qf(&ws, "/etc/netns/%s/hosts", nd->name));
		break;
	case ACT_RUN:
		out(cmds, "ip netns exec %s sh -c %s >> %s 2>&1 &", q(&ws, nd->name),
		    q(&ws, nd->run[a->idx]),
		    qf(&ws, "/run/nsnet/topo/%s/run-%s-%zu.log", t->name, nd->name, a->idx));
		break;
	case ACT_SETUP:
		out(cmds, "ip netns exec %s sh -c %s >> %s 2>&1", q(&ws, nd->name),
		    q(&ws, nd->setup[a->idx]),
		    qf(&ws, "/run/nsnet/topo/%s/setup-%s-%zu.log", t->name, nd->name, a->idx));
		break;
	/* Each of these is a token bucket and netem on both ends and a loss
	 * rule in each end's namespace (docs/impairments.md): said as the one
	 * command that does all of it. */
	case ACT_IMPAIR:
		impair_set_words(&at->impair, w, sizeof(w));
		out(cmds, "nsnet link set %s %s %s", q(&ws, nd->name), q(&ws, at->ifname), w);
		break;
	case ACT_CABLE_IMPAIR:
		impair_set_words(&t->cables[a->obj].impair, w, sizeof(w));
		out(cmds, "nsnet link set %s %s %s", q(&ws, t->cables[a->obj].a),
		    q(&ws, t->cables[a->obj].a_if), w);
		break;
	/* A network over several machines (span.c, docs/multihost.md). */
	case ACT_VXLAN:
	case ACT_VXLAN_UP:
	case ACT_FDB: {
		char vx[IFNAMSIZ], mtu[32] = "";

		topo_vxlan_ifname(vx, sizeof(vx), net);
		if (topo_net_mtu(t, net))
			snprintf(mtu, sizeof(mtu), " mtu %u", topo_net_mtu(t, net));
		if (a->kind == ACT_FDB) {
			out(cmds, "bridge fdb append 00:00:00:00:00:00 dev %s dst %s", q(&ws, vx),
			    q(&ws, ipstr(&t->hosts[a->idx].addr, x, sizeof(x), false)));
			break;
		}
		if (a->kind == ACT_VXLAN && a->repair)
			out(cmds, "ip link del %s", q(&ws, vx));
		if (a->kind == ACT_VXLAN)
			out(cmds, "ip link add %s type vxlan id %u local %s dstport %d nolearning%s",
			    q(&ws, vx), net->vni,
			    q(&ws, ipstr(&topo_local_host(t)->addr, x, sizeof(x), false)),
			    VXLAN_PORT, mtu);
		out(cmds, "ip link set %s master %s%s alias %s up", q(&ws, vx),
		    q(&ws, net->bridge), mtu, qf(&ws, "nsnet:%s", t->name));
		break;
	}
	}
	words_free(&ws);
}
