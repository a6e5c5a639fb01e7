// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * parse.c - the topology file (YAML, through libyaml's document API, which
 * keeps the line and column of every node) into plain structs, checking
 * each entry as it is read: unknown keys, wrong types, duplicate keys,
 * names against the one name rule, addresses, routes, published ports;
 * then validate.c checks across the whole and ipam.c fills the addresses
 * left empty. Each error is "FILE:LINE:COL: what". The format is
 * documented in docs/topology.md.
 *
 * The file may come from anyone: its size is bounded (16 MiB), YAML
 * anchors and aliases are refused (an alias repeats a subtree without
 * copying it, so 87 KB of aliases made 1.6 million routes), nesting is
 * bounded (TOPO_YAML_DEPTH_MAX), and every check is linear in the size of
 * the file (duplicate keys through hash sets).
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <netinet/in.h>
#include <yaml.h>

#include "topology/topology.h"
#include "topology/parse.h"
#include "firewall/firewall.h"
#include "kernel/kernel.h"

/*
 * ARRAY_GROW, with a capacity implied by the count: the model's arrays are
 * made here only, one element at a time from empty, so they are
 * reallocated only when the count reaches a power of two. Growing by one
 * element each time copied the whole array each time where realloc cannot
 * grow in place: 100,000 sysctls took 215 s under ASan.
 */
#define PARSE_GROW(arr, n) do {                                            \
	size_t n_ = (n);                                                   \
	if (!(n_ & (n_ - 1))) {                                            \
		void *p_ = realloc((arr), (n_ ? 2 * n_ : 1) * sizeof(*(arr))); \
		if (!p_)                                                   \
			abort();                                           \
		(arr) = p_;                                                \
	}                                                                  \
	memset(&(arr)[n_], 0, sizeof(*(arr)));                             \
} while (0)

static struct topo_pos pos_of(const yaml_node_t *n)
{
	return (struct topo_pos){ (int)n->start_mark.line + 1,
				  (int)n->start_mark.column + 1 };
}

/* FILE:LINE:COL: what */
#define perr(p, pos, ...) topo_error_at((p)->nn, (p)->file, pos, __VA_ARGS__)

static yaml_node_t *node(struct parser *p, int id)
{
	return yaml_document_get_node(p->doc, id);
}

static bool is_null(const yaml_node_t *n)
{
	const char *v;

	if (n->type != YAML_SCALAR_NODE)
		return false;
	v = (const char *)n->data.scalar.value;
	return n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	       (!*v || !strcmp(v, "~") || !strcmp(v, "null"));
}

static const char *type_name(const yaml_node_t *n)
{
	return n->type == YAML_MAPPING_NODE ? "a mapping" :
	       n->type == YAML_SEQUENCE_NODE ? "a list" : "a scalar";
}

static int want(struct parser *p, const yaml_node_t *n, yaml_node_type_t type,
		const char *what)
{
	if (n->type == type)
		return 0;
	return perr(p, pos_of(n), "%s must be %s, not %s", what,
		    type == YAML_MAPPING_NODE ? "a mapping" :
		    type == YAML_SEQUENCE_NODE ? "a list" : "a scalar",
		    type_name(n));
}

static int scalar(struct parser *p, const yaml_node_t *n, const char *what,
		  const char **out)
{
	int rc = want(p, n, YAML_SCALAR_NODE, what);

	*out = NULL;
	if (rc)
		return rc;
	/* "\0" in a double-quoted scalar: C would see a shorter string
	 * than the file says ("web\0$(...)" as "web"). */
	if (strlen((const char *)n->data.scalar.value) != n->data.scalar.length)
		return perr(p, pos_of(n), "%s contains a NUL byte", what);
	*out = (const char *)n->data.scalar.value;
	return 0;
}

static int boolean(struct parser *p, const yaml_node_t *n, const char *what,
		   bool *out)
{
	const char *v;
	int rc = scalar(p, n, what, &v);

	if (rc)
		return rc;
	if (!strcmp(v, "true") || !strcmp(v, "yes") || !strcmp(v, "on"))
		*out = true;
	else if (!strcmp(v, "false") || !strcmp(v, "no") || !strcmp(v, "off"))
		*out = false;
	else
		return perr(p, pos_of(n), "%s must be true or false, not \"%s\"",
			    what, v);
	return 0;
}

/* Duplicate keys through a hash set: comparing each key with every
 * earlier one took 45 s for a mapping of 100,000 keys. */
static int each_pair(struct parser *p, yaml_node_t *map, const char *what,
		     pair_fn fn, void *ctx)
{
	struct topo_set seen = { 0 };
	yaml_node_pair_t *pair;
	int rc = 0;

	if ((rc = want(p, map, YAML_MAPPING_NODE, what)))
		return rc;
	for (pair = map->data.mapping.pairs.start;
	     pair < map->data.mapping.pairs.top && !rc; pair++) {
		yaml_node_t *k = node(p, pair->key), *v = node(p, pair->value);
		const char *key;
		size_t first;

		if ((rc = scalar(p, k, "a key", &key)))
			break;
		if (topo_set_put(&seen, key, strlen(key), (size_t)pos_of(k).line, &first))
			rc = perr(p, pos_of(k), "%s \"%s\" appears twice (first at line %zu)",
				  what, key, first);
		else
			rc = fn(p, key, k, v, ctx);
	}
	topo_set_free(&seen);
	return rc;
}

static int unknown_key(struct parser *p, yaml_node_t *k, const char *key,
		       const char *where, const char *known)
{
	return perr(p, pos_of(k), "unknown key \"%s\" in %s (known: %s)", key,
		    where, known);
}

/* A list of strings, or a single string taken as a list of one. */
static int string_list(struct parser *p, yaml_node_t *v, const char *what,
		       char ***out, size_t *n, struct topo_pos **posv)
{
	yaml_node_item_t *it;
	const char *s;
	int rc;

	if (v->type == YAML_SCALAR_NODE && !is_null(v)) {
		PARSE_GROW(*out, *n);
		(*out)[(*n)++] = strdup((const char *)v->data.scalar.value);
		if (posv) {
			PARSE_GROW(*posv, *n - 1);
			(*posv)[*n - 1] = pos_of(v);
		}
		return 0;
	}
	if (is_null(v))
		return 0;
	if ((rc = want(p, v, YAML_SEQUENCE_NODE, what)))
		return rc;
	for (it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
		yaml_node_t *e = node(p, *it);

		if ((rc = scalar(p, e, what, &s)))
			return rc;
		PARSE_GROW(*out, *n);
		(*out)[(*n)++] = strdup(s);
		if (posv) {
			PARSE_GROW(*posv, *n - 1);
			(*posv)[*n - 1] = pos_of(e);
		}
	}
	return 0;
}

static int fam_idx(int family)
{
	return family == AF_INET6 ? 1 : 0;
}

/* ---- networks ------------------------------------------------------------- */

static int net_key(struct parser *p, const char *key, yaml_node_t *k,
		   yaml_node_t *v, void *ctx)
{
	struct topo_net *net = ctx;
	char **list = NULL;
	struct topo_pos *posv = NULL;
	size_t n = 0, i;
	const char *s;
	int rc = 0;

	if (!strcmp(key, "bridge")) {
		if ((rc = scalar(p, v, "bridge", &s)))
			return rc;
		if (check_ifname(p->nn, s))
			return perr(p, pos_of(v), "bridge: %s", err_msg(p->nn));
		snprintf(net->bridge, sizeof(net->bridge), "%s", s);
	} else if (!strcmp(key, "subnet") || !strcmp(key, "gateway")) {
		bool sub = !strcmp(key, "subnet");

		if ((rc = string_list(p, v, key, &list, &n, &posv)))
			goto out;
		for (i = 0; i < n; i++) {
			struct ipaddr ip;
			int f;

			if (sub ? prefix_parse(list[i], &ip) || !strcmp(list[i], "default")
				: ip_parse(list[i], &ip)) {
				rc = perr(p, posv[i], sub ?
					"subnet \"%s\" is not a network prefix like 10.10.0.0/16 (host bits must be zero)" :
					"gateway \"%s\" is not an IP address", list[i]);
				goto out;
			}
			f = fam_idx(ip.family);
			if ((sub ? net->subnet : net->gateway)[f].family) {
				rc = perr(p, posv[i], "network %s has two IPv%d %ss",
					  net->name, f ? 6 : 4, key);
				goto out;
			}
			(sub ? net->subnet : net->gateway)[f] = ip;
		}
	} else if (!strcmp(key, "nat")) {
		rc = boolean(p, v, "nat", &net->nat);
	} else if (!strcmp(key, "internal")) {
		rc = boolean(p, v, "internal", &net->internal);
	} else if ((rc = parse_net_span_key(p, key, v, net)) == -ENOENT) {
		rc = unknown_key(p, k, key, "a network",
				 "bridge, subnet, gateway, nat, internal, vni, gateway_host, mtu");
	}
out:
	strv_free(list, n);
	free(posv);
	return rc;
}

static int net_entry(struct parser *p, const char *key, yaml_node_t *k,
		     yaml_node_t *v, void *ctx)
{
	struct topo *t = p->t;
	struct topo_net *net;
	int rc, f;

	(void)ctx;
	if (name_check(p->nn, "network", key, TOPO_NET_NAME_MAX))
		return perr(p, pos_of(k), "%s", err_msg(p->nn));
	topo_set_put(&p->nets, key, strlen(key), t->n_nets, NULL);
	PARSE_GROW(t->nets, t->n_nets);
	net = &t->nets[t->n_nets++];
	net->name = strdup(key);
	net->pos = pos_of(k);
	snprintf(net->bridge, sizeof(net->bridge), "%s", key);
	net->bridge[0] = '\0';
	if (!is_null(v) && (rc = each_pair(p, v, "network", net_key, net)))
		return rc;
	/* No bridge: the network's own name, checked whole: copying it into
	 * the 16-byte field first would hide that it is too long. */
	if (!net->bridge[0] && check_ifname(p->nn, key))
		return perr(p, net->pos, "network %s: its bridge name: %s "
			    "(set bridge: to a shorter name)", key, err_msg(p->nn));
	if (!net->bridge[0])
		snprintf(net->bridge, sizeof(net->bridge), "%s", key);
	if (check_ifname(p->nn, net->bridge))
		return perr(p, net->pos, "network %s: its bridge name: %s "
			    "(set bridge: to a shorter name)", key, err_msg(p->nn));
	if (!net->subnet[0].family && !net->subnet[1].family)
		return perr(p, net->pos, "network %s has no subnet", key);
	for (f = 0; f < 2; f++) {
		struct ipaddr *sn = &net->subnet[f], *gw = &net->gateway[f];

		if (gw->family && !sn->family)
			return perr(p, net->pos, "network %s has an IPv%d gateway but no IPv%d subnet",
				    key, f ? 6 : 4, f ? 6 : 4);
		if (!sn->family)
			continue;
		if (sn->prefix > (f ? 126 : 30))
			return perr(p, net->pos, "network %s: subnet /%d leaves no room for addresses",
				    key, sn->prefix);
		if (!gw->family) {  /* the first host, as Docker does */
			*gw = *sn;
			gw->a.b[ip_len(gw) - 1] |= 1;
		} else if (!ip_in_prefix(sn, gw)) {
			char a[64], b[64];

			return perr(p, net->pos, "network %s: gateway %s is outside its subnet %s",
				    key, ip_str(gw, a, sizeof(a)), ip_str(sn, b, sizeof(b)));
		}
		gw->prefix = sn->prefix;
	}
	return 0;
}

/* ---- nodes ---------------------------------------------------------------- */

/* rate:, loss:, delay:, jitter: of a link (an attachment or a cable),
 * in the words of nsnet link set. */
static bool is_impair_key(const char *key)
{
	return !strcmp(key, "rate") || !strcmp(key, "loss") ||
	       !strcmp(key, "delay") || !strcmp(key, "jitter");
}

static int impair_key(struct parser *p, struct nsnet_link_impair *imp,
		      const char *key, yaml_node_t *v)
{
	const char *s;
	int rc;

	if ((rc = scalar(p, v, key, &s)))
		return rc;
	imp->struct_size = sizeof(*imp);
	if (net_impair_parse(p->nn, imp, key, s))
		return perr(p, pos_of(v), "%s", err_msg(p->nn));
	return 0;
}

static int impair_check(struct parser *p, const struct nsnet_link_impair *imp,
			struct topo_pos pos)
{
	if (imp->jitter_us && !imp->delay_us)
		return perr(p, pos, "jitter needs a delay (delay: 20ms, jitter: 5ms)");
	return 0;
}

struct attach_ctx {
	struct topo_node *nd;
	struct topo_attach *a;
	const char *net;
};

/* The addresses of an attachment: one, a list of them, or none. */
static int attach_addrs(struct parser *p, struct attach_ctx *c, yaml_node_t *v)
{
	struct topo_attach *a = c->a;
	char **list = NULL;
	struct topo_pos *posv = NULL;
	size_t n = 0, i;
	int rc;

	if ((rc = string_list(p, v, "address", &list, &n, &posv)))
		goto out;
	for (i = 0; i < n; i++) {
		struct ipaddr ip;
		int f;

		if (cidr_parse(list[i], &ip)) {
			rc = perr(p, posv[i], "\"%s\" is not an IP address", list[i]);
			goto out;
		}
		f = fam_idx(ip.family);
		if (!p->t->nets[a->net].subnet[f].family) {
			rc = perr(p, posv[i], "network %s has no IPv%d subnet for %s",
				  c->net, f ? 6 : 4, list[i]);
			goto out;
		}
		ip.prefix = p->t->nets[a->net].subnet[f].prefix;
		a->addr[f] = ip;
		a->explicit_addr[f] = true;
		a->pos = posv[i];
	}
out:
	strv_free(list, n);
	free(posv);
	return rc;
}

/* The long form: {address: ..., rate: 10mbit, loss: 1%, delay: 20ms}. */
static int attach_key(struct parser *p, const char *key, yaml_node_t *k,
		      yaml_node_t *v, void *ctx)
{
	struct attach_ctx *c = ctx;

	if (!strcmp(key, "address") || !strcmp(key, "addresses"))
		return attach_addrs(p, c, v);
	if (is_impair_key(key))
		return impair_key(p, &c->a->impair, key, v);
	return unknown_key(p, k, key, "a node's network",
			   "address, rate, loss, delay, jitter");
}

static int node_net(struct parser *p, const char *key, yaml_node_t *k,
		    yaml_node_t *v, void *ctx)
{
	struct attach_ctx c = { ctx, NULL, key };
	struct topo_node *nd = ctx;
	struct topo_attach *a;
	size_t net;
	int rc;

	if (!topo_set_get(&p->nets, key, strlen(key), &net))
		return perr(p, pos_of(k), "node %s is on network \"%s\", which is not in networks:",
			    nd->name, key);
	PARSE_GROW(nd->att, nd->n_att);
	a = &nd->att[nd->n_att++];
	a->net = net;
	a->pos = pos_of(k);
	snprintf(a->ifname, sizeof(a->ifname), "eth%zu", nd->n_att - 1);
	attach_host_ifname(a->host_if, sizeof(a->host_if), nd->name,
			   p->t->nets[net].bridge);
	c.a = a;
	/* The short forms (an address, a list of them, nothing) stay valid. */
	if (v->type != YAML_MAPPING_NODE)
		return attach_addrs(p, &c, v);
	if ((rc = each_pair(p, v, "network of a node", attach_key, &c)))
		return rc;
	return impair_check(p, &a->impair, pos_of(k));
}

static int node_sysctl(struct parser *p, const char *key, yaml_node_t *k,
		       yaml_node_t *v, void *ctx)
{
	struct topo_node *nd = ctx;
	const char *s, *c;
	int rc;

	/* Only the network namespace's own sysctls: the others are the
	 * host's, and a topology must not change the host. */
	if (strncmp(key, "net.", 4))
		return perr(p, pos_of(k), "sysctl %s is not per network namespace (only net.*)", key);
	for (c = key; *c; c++)
		if (!isalnum((unsigned char)*c) && *c != '.' && *c != '_' && *c != '-')
			return perr(p, pos_of(k), "sysctl name \"%s\" has a '%c'", key, *c);
	if ((rc = scalar(p, v, "a sysctl value", &s)))
		return rc;
	/* Written to /proc/sys as it is: one line, printable (values such
	 * as net.ipv4.tcp_rmem hold tabs or spaces). */
	for (c = s; *c; c++)
		if (((unsigned char)*c < 0x20 && *c != '\t') || *c == 0x7f)
			return perr(p, pos_of(v), "sysctl %s: its value has a control character", key);
	PARSE_GROW(nd->sysctls, nd->n_sysctls);
	nd->sysctls[nd->n_sysctls].key = strdup(key);
	nd->sysctls[nd->n_sysctls].value = strdup(s);
	nd->sysctls[nd->n_sysctls++].pos = pos_of(k);
	return 0;
}

static int parse_route(struct parser *p, const char *s, struct topo_pos pos,
		       struct topo_route *r)
{
	char buf[256], *tok[6], *save = NULL, *w;
	int n = 0, i;
	const char *via = NULL;

	if (strlen(s) >= sizeof(buf))
		return perr(p, pos, "route is too long");
	strcpy(buf, s);
	for (w = strtok_r(buf, " \t", &save); w && n < 6; w = strtok_r(NULL, " \t", &save))
		tok[n++] = w;
	if (n != 3 && n != 5)
		goto bad;
	for (i = 1; i + 1 < n; i += 2) {
		if (!strcmp(tok[i], "via"))
			via = tok[i + 1];
		else if (!strcmp(tok[i], "dev")) {
			if (check_ifname(p->nn, tok[i + 1]))
				return perr(p, pos, "route \"%s\": %s", s, err_msg(p->nn));
			snprintf(r->dev, sizeof(r->dev), "%s", tok[i + 1]);
		} else
			goto bad;
	}
	if (route_parse(p->nn, tok[0], via, &r->dst, &r->via))
		return perr(p, pos, "route \"%s\": %s", s, err_msg(p->nn));
	if (!via)
		r->via.family = 0;
	r->text = strdup(s);
	r->pos = pos;
	return 0;
bad:
	return perr(p, pos, "route \"%s\" is not \"DEST via GATEWAY\" or \"DEST dev IF\"", s);
}

static int node_key(struct parser *p, const char *key, yaml_node_t *k,
		    yaml_node_t *v, void *ctx)
{
	struct topo_node *nd = ctx;
	struct topo_pos *posv = NULL;
	char **list = NULL;
	size_t n = 0, i;
	int rc = 0;

	if (!strcmp(key, "networks")) {
		if (is_null(v))
			return 0;
		return each_pair(p, v, "network of a node", node_net, nd);
	}
	if (!strcmp(key, "sysctls"))
		return is_null(v) ? 0 : each_pair(p, v, "sysctls entry", node_sysctl, nd);
	if (!strcmp(key, "routes")) {
		if ((rc = string_list(p, v, "routes", &list, &n, &posv)))
			goto out;
		for (i = 0; i < n && !rc; i++) {
			PARSE_GROW(nd->routes, nd->n_routes);
			rc = parse_route(p, list[i], posv[i], &nd->routes[nd->n_routes++]);
		}
	} else if (!strcmp(key, "publish")) {
		if ((rc = string_list(p, v, "publish", &list, &n, &posv)))
			goto out;
		for (i = 0; i < n && !rc; i++) {
			struct fw_spec sp;
			char why[256];

			if (fw_spec_parse(list[i], &sp, why, sizeof(why)))
				rc = perr(p, posv[i], "publish \"%s\": %s", list[i], why);
		}
		if (!rc) {
			nd->publish = list;
			nd->n_publish = n;
			list = NULL;
			n = 0;
		}
	} else if (!strcmp(key, "setup")) {
		if ((rc = string_list(p, v, "setup", &list, &n, NULL)))
			goto out;
		nd->setup = list;
		nd->n_setup = n;
		list = NULL;
		n = 0;
	} else if (!strcmp(key, "run")) {
		if ((rc = string_list(p, v, "run", &list, &n, NULL)))
			goto out;
		nd->run = list;
		nd->n_run = n;
		list = NULL;
		n = 0;
	} else if (!strcmp(key, "host")) {
		rc = parse_node_host(p, v, nd);
	} else {
		rc = unknown_key(p, k, key, "a node", "networks, routes, publish, sysctls, setup, run, host");
	}
out:
	strv_free(list, n);
	free(posv);
	return rc;
}

static int node_entry(struct parser *p, const char *key, yaml_node_t *k,
		      yaml_node_t *v, void *ctx)
{
	struct topo *t = p->t;
	struct topo_node *nd;

	(void)ctx;
	if (check_ns_name(p->nn, key, false))
		return perr(p, pos_of(k), "node %s", err_msg(p->nn));
	if (!strcmp(key, "upstream"))
		return perr(p, pos_of(k), "node name \"upstream\" is taken by nsnet sandbox's simulated internet");
	PARSE_GROW(t->nodes, t->n_nodes);
	nd = &t->nodes[t->n_nodes++];
	nd->name = strdup(key);
	nd->pos = pos_of(k);
	if (is_null(v))
		return 0;
	return each_pair(p, v, "node", node_key, nd);
}

/* ---- cables ------------------------------------------------------------- */

static int end_nat_key(struct parser *p, const char *key, yaml_node_t *k,
		       yaml_node_t *v, void *ctx)
{
	struct topo_end_nat *nat = ctx;
	const char *s;
	int rc;

	if (strcmp(key, "out"))
		return unknown_key(p, k, key, "a cable end's nat", "out");
	if ((rc = scalar(p, v, "out", &s)))
		return rc;
	if (check_ifname(p->nn, s))
		return perr(p, pos_of(v), "nat: out: %s", err_msg(p->nn));
	snprintf(nat->out, sizeof(nat->out), "%s", s);
	return 0;
}

/* a_nat: true, or {out: IF}: as nsnet nat add IF [--out OUT] (validate.c
 * checks the end is the host's). */
static int end_nat(struct parser *p, const char *key, yaml_node_t *k,
		   yaml_node_t *v, struct topo_end_nat *nat)
{
	int rc;

	nat->pos = pos_of(k);
	if (v->type != YAML_MAPPING_NODE)
		return boolean(p, v, key, &nat->on);
	if ((rc = each_pair(p, v, key, end_nat_key, nat)))
		return rc;
	nat->on = nat->out[0] != '\0';
	return nat->on ? 0 : perr(p, pos_of(v), "%s: say true, or the interface to leave by: "
				  "{out: eth0}", key);
}

static int cable_key(struct parser *p, const char *key, yaml_node_t *k,
		     yaml_node_t *v, void *ctx)
{
	struct topo_cable *c = ctx;
	const char *s;
	int rc;

	if (is_impair_key(key))
		return impair_key(p, &c->impair, key, v);
	if (!strcmp(key, "a_nat") || !strcmp(key, "b_nat"))
		return end_nat(p, key, k, v, &c->nat[key[0] == 'b']);
	if (!strcmp(key, "mtu")) {
		char *end;
		unsigned long m;

		if ((rc = scalar(p, v, "mtu", &s)))
			return rc;
		m = strtoul(s, &end, 10);
		if (*end || m < 68 || m > 65535)
			return perr(p, pos_of(v), "mtu \"%s\" is not a number from 68 to 65535", s);
		c->mtu = (unsigned int)m;
		return 0;
	}
	if ((rc = scalar(p, v, key, &s)))
		return rc;
	if (!strcmp(key, "a") || !strcmp(key, "b")) {
		if (check_ns_name(p->nn, s, true))
			return perr(p, pos_of(v), "cable end: %s", err_msg(p->nn));
		*(key[0] == 'a' ? &c->a : &c->b) = strdup(s);
	} else if (!strcmp(key, "a_if") || !strcmp(key, "b_if")) {
		if (check_ifname(p->nn, s))
			return perr(p, pos_of(v), "%s: %s", key, err_msg(p->nn));
		snprintf(key[0] == 'a' ? c->a_if : c->b_if, IFNAMSIZ, "%s", s);
	} else if (!strcmp(key, "a_addr") || !strcmp(key, "b_addr")) {
		struct ipaddr *ip = key[0] == 'a' ? &c->a_addr : &c->b_addr;

		if (cidr_parse(s, ip) || ip->prefix < 0)
			return perr(p, pos_of(v), "%s \"%s\" is not an address with a prefix like 192.168.15.1/24",
				    key, s);
	} else {
		return unknown_key(p, k, key, "a cable",
				   "a, a_if, a_addr, a_nat, b, b_if, b_addr, b_nat, mtu, rate, loss, delay, jitter");
	}
	return 0;
}

static int parse_cables(struct parser *p, yaml_node_t *v)
{
	yaml_node_item_t *it;
	int rc;

	if (is_null(v))
		return 0;
	if ((rc = want(p, v, YAML_SEQUENCE_NODE, "cables")))
		return rc;
	for (it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
		yaml_node_t *e = node(p, *it);
		struct topo_cable *c;

		PARSE_GROW(p->t->cables, p->t->n_cables);
		c = &p->t->cables[p->t->n_cables++];
		c->pos = pos_of(e);
		if ((rc = each_pair(p, e, "cable", cable_key, c)))
			return rc;
		if (!c->a || !c->b)
			return perr(p, c->pos, "a cable needs both ends, a: and b:");
		if ((rc = impair_check(p, &c->impair, c->pos)))
			return rc;
		if (!c->a_if[0])
			snprintf(c->a_if, sizeof(c->a_if), "veth-%.10s", c->b);
		if (!c->b_if[0])
			snprintf(c->b_if, sizeof(c->b_if), "veth-%.10s", c->a);
	}
	return 0;
}

/* ---- expectations ---------------------------------------------------------- */

/* "FROM -> TO[:tcp/PORT|:udp/PORT]: reach|blocked" */
static int parse_expect(struct parser *p, const char *s, struct topo_pos pos,
			struct topo_expect *e)
{
	char buf[256], *arrow, *colon, *to, *verdict, *port;

	if (strlen(s) >= sizeof(buf))
		return perr(p, pos, "expectation is too long");
	strcpy(buf, s);
	arrow = strstr(buf, "->");
	colon = strrchr(buf, ':');
	if (!arrow || !colon || colon < arrow)
		goto bad;
	*arrow = '\0';
	*colon = '\0';
	verdict = colon + 1;
	to = arrow + 2;
	while (*verdict == ' ')
		verdict++;
	if (!strcmp(verdict, "reach"))
		e->reach = true;
	else if (!strcmp(verdict, "blocked"))
		e->reach = false;
	else
		return perr(p, pos, "expectation \"%s\": say reach or blocked, not \"%s\"", s, verdict);
	e->from = strndup(buf, strcspn(buf, " "));
	while (*to == ' ')
		to++;
	to[strcspn(to, " ")] = '\0';
	port = NULL;
	/* "host:tcp/80" or "10.0.0.1:tcp/80"; IPv6 literals have no port */
	if ((port = strstr(to, ":tcp/")) || (port = strstr(to, ":udp/"))) {
		char *end;
		unsigned long v;

		e->proto = port[1] == 't' ? IPPROTO_TCP : IPPROTO_UDP;
		v = strtoul(port + 5, &end, 10);
		if (*end || !v || v > 65535)
			return perr(p, pos, "expectation \"%s\": bad port", s);
		e->port = (unsigned int)v;
		*port = '\0';
	}
	if (!*e->from || !*to)
		goto bad;
	e->to = strdup(to);
	e->text = strdup(s);
	e->pos = pos;
	return 0;
bad:
	return perr(p, pos, "expectation \"%s\" is not \"A -> B: reach\" or \"A -> B:tcp/PORT: blocked\"", s);
}

/* ---- the document ------------------------------------------------------------ */

static int top_key(struct parser *p, const char *key, yaml_node_t *k,
		   yaml_node_t *v, void *ctx)
{
	struct topo *t = p->t;
	const char *s;
	int rc;

	(void)ctx;
	if (!strcmp(key, "name")) {
		/* It names /run/nsnet/topo/NAME, which down empties: "." and
		 * ".." would be /run/nsnet/topo and /run/nsnet. */
		if ((rc = scalar(p, v, "name", &s)))
			return rc;
		if (topo_name_check(p->nn, s))
			return perr(p, pos_of(v), "%s", err_msg(p->nn));
		t->name = strdup(s);
	} else if (!strcmp(key, "networks")) {
		return is_null(v) ? 0 : each_pair(p, v, "network", net_entry, NULL);
	} else if (!strcmp(key, "nodes")) {
		return is_null(v) ? 0 : each_pair(p, v, "node", node_entry, NULL);
	} else if (!strcmp(key, "cables")) {
		return parse_cables(p, v);
	} else if (!strcmp(key, "hosts")) {
		return parse_hosts(p, v);
	} else if (!strcmp(key, "expect")) {
		char **list = NULL;
		struct topo_pos *posv = NULL;
		size_t n = 0, i;

		rc = string_list(p, v, "expect", &list, &n, &posv);
		for (i = 0; i < n; i++) {
			if (!rc) {
				PARSE_GROW(t->expects, t->n_expects);
				rc = parse_expect(p, list[i], posv[i], &t->expects[t->n_expects++]);
			}
			free(list[i]);
		}
		free(list);
		free(posv);
		return rc;
	} else if (!strcmp(key, "upstream")) {
		struct ipaddr ip;

		if ((rc = scalar(p, v, "upstream", &s)))
			return rc;
		if (ip_parse(s, &ip))
			return perr(p, pos_of(v), "upstream \"%s\" is not an IP address", s);
		t->upstream = strdup(s);
	} else {
		return unknown_key(p, k, key, "the topology",
				   "name, networks, nodes, cables, expect, upstream, hosts");
	}
	return 0;
}

static struct topo_pos pos_of_mark(const yaml_mark_t *m)
{
	return (struct topo_pos){ (int)m->line + 1, (int)m->column + 1 };
}

static int yaml_error(struct parser *p, yaml_parser_t *yp)
{
	return perr(p, pos_of_mark(&yp->problem_mark), "%s%s%s",
		    yp->problem ? yp->problem : "YAML error",
		    yp->context ? " " : "", yp->context ? yp->context : "");
}

/*
 * Before libyaml builds the document, one pass over its events refuses
 * what a topology file never needs and an attacker would use:
 *  - anchors and aliases: an alias repeats a subtree without copying it,
 *    so a few KB expand to millions of objects (87 KB gave 1.6 million
 *    routes); refusing them is simpler and safer than counting the
 *    expansion, and the format has nothing worth repeating (libyaml also
 *    checks each anchor against every earlier one: quadratic);
 *  - nesting deeper than TOPO_YAML_DEPTH_MAX (the format needs 5): 20,000
 *    open brackets took libyaml 2.5 s, and deep trees cost stack;
 *  - a second document, which the loader would silently ignore.
 */
static int yaml_prescan(struct parser *p, const char *buf, size_t len)
{
	yaml_parser_t yp;
	yaml_event_t ev;
	int depth = 0, docs = 0, rc = 0;
	bool end = false;

	if (!yaml_parser_initialize(&yp))
		return err_set(p->nn, ENOMEM, "%s", p->file);
	yaml_parser_set_input_string(&yp, (const unsigned char *)buf, len);
	while (!rc && !end) {
		const yaml_char_t *anchor = NULL;
		struct topo_pos pos;

		if (!yaml_parser_parse(&yp, &ev)) {
			rc = yaml_error(p, &yp);
			break;
		}
		pos = pos_of_mark(&ev.start_mark);
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			end = true;
			break;
		case YAML_DOCUMENT_START_EVENT:
			if (++docs > 1)
				rc = perr(p, pos, "a second YAML document: a topology file is one document");
			break;
		case YAML_ALIAS_EVENT:
			rc = perr(p, pos, "alias *%s: YAML anchors and aliases are not accepted in a topology file (write the value out)",
				  (const char *)ev.data.alias.anchor);
			break;
		case YAML_SCALAR_EVENT:
			anchor = ev.data.scalar.anchor;
			break;
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			anchor = ev.type == YAML_SEQUENCE_START_EVENT ?
				ev.data.sequence_start.anchor : ev.data.mapping_start.anchor;
			if (++depth > TOPO_YAML_DEPTH_MAX)
				rc = perr(p, pos, "lists and mappings nested more than %d deep",
					  TOPO_YAML_DEPTH_MAX);
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			depth--;
			break;
		default:
			break;
		}
		if (anchor && !rc)
			rc = perr(p, pos, "anchor &%s: YAML anchors and aliases are not accepted in a topology file (write the value out)",
				  (const char *)anchor);
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&yp);
	return rc;
}

int topo_parse_buffer(struct nsnet *nn, const char *name, const char *buf,
		      size_t len, struct topo **out)
{
	struct parser p = { .nn = nn, .file = name };
	yaml_parser_t yp;
	yaml_document_t doc;
	yaml_node_t *root;
	int rc;

	*out = NULL;
	if ((rc = yaml_prescan(&p, buf, len)))
		return rc;
	if (!yaml_parser_initialize(&yp))
		return err_set(nn, ENOMEM, "%s", name);
	yaml_parser_set_input_string(&yp, (const unsigned char *)buf, len);
	if (!yaml_parser_load(&yp, &doc)) {
		rc = yaml_error(&p, &yp);
		yaml_parser_delete(&yp);
		return rc;
	}
	p.doc = &doc;
	p.t = calloc(1, sizeof(*p.t));
	if (!p.t)
		abort();
	root = yaml_document_get_root_node(&doc);
	if (!root)
		rc = err_usage(nn, "%s:1:1: the file is empty", name);
	else
		rc = each_pair(&p, root, "top-level key", top_key, NULL);
	if (!rc)
		rc = topo_validate(nn, name, p.t);
	if (!rc)
		rc = parse_hosts_check(&p);
	if (!rc) {
		/* ipam's errors name this file; topo_parse_file sets the
		 * absolute path only after a successful parse */
		p.t->file = strdup(name);
		if (!p.t->file)
			abort();
		rc = ipam_assign(nn, p.t);
		free(p.t->file);
		p.t->file = NULL;
	}
	topo_set_free(&p.nets);
	yaml_document_delete(&doc);
	yaml_parser_delete(&yp);
	if (rc) {
		topo_free(p.t);
		return rc;
	}
	*out = p.t;
	return 0;
}

/* The helpers above, for parse_hosts.c (parse.h). */
struct topo_pos parse_pos(const yaml_node_t *n) { return pos_of(n); }
bool parse_is_null(const yaml_node_t *n) { return is_null(n); }
int parse_scalar(struct parser *p, const yaml_node_t *n, const char *what,
		 const char **out) { return scalar(p, n, what, out); }
int parse_each_pair(struct parser *p, yaml_node_t *map, const char *what,
		    pair_fn fn, void *ctx) { return each_pair(p, map, what, fn, ctx); }
int parse_unknown_key(struct parser *p, yaml_node_t *k, const char *key,
		      const char *where, const char *known)
{
	return unknown_key(p, k, key, where, known);
}

int topo_parse_file(struct nsnet *nn, const char *path, struct topo **out)
{
	char *buf = NULL, *abs;
	size_t len = 0;
	FILE *f;
	int rc;

	f = fopen(path, "re");
	if (!f)
		return err_set(nn, errno, "%s", path);
	{
		char chunk[8192];
		size_t n;

		while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
			char *nb = realloc(buf, len + n + 1);

			if (!nb)
				abort();
			buf = nb;
			memcpy(buf + len, chunk, n);
			len += n;
			if (len > TOPO_FILE_MAX) {
				fclose(f);
				free(buf);
				return err_usage(nn, "%s: larger than 16 MiB", path);
			}
		}
	}
	fclose(f);
	rc = topo_parse_buffer(nn, path, buf ? buf : "", len, out);
	free(buf);
	if (!rc) {
		abs = realpath(path, NULL);
		(*out)->file = abs ? abs : strdup(path);
	}
	return rc;
}
