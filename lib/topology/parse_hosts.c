// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * parse_hosts.c - the keys of a topology over several machines
 * (docs/multihost.md): hosts: with each machine's underlay address, a
 * node's host:, a network's vni:, gateway_host: and mtu:, and the checks
 * across them once the whole file is read. Every machine reads the same
 * file and must reach the same answers (the hosts of each network, its
 * VNI, where its gateway is), so nothing here depends on anything but
 * the file.
 *
 * A file without hosts: is what it always was: one machine, the one
 * nsnet runs on. A node without host: in a file with one host is on it;
 * with several, it must say which.
 */
#include <stdio.h>
#include <string.h>

#include "topology/topology.h"
#include "topology/parse.h"

#define VNI_MAX 16777215u  /* 24 bits (RFC 7348) */

/* FILE:LINE:COL: what */
#define herr(p, pos, ...) topo_error_at((p)->nn, (p)->file, pos, __VA_ARGS__)

/* ---- hosts: ----------------------------------------------------------------- */

static int host_key(struct parser *p, const char *key, yaml_node_t *k,
		    yaml_node_t *v, void *ctx)
{
	struct topo_host *h = ctx;
	const char *s;
	int rc;

	if (strcmp(key, "address"))
		return parse_unknown_key(p, k, key, "a host", "address");
	if ((rc = parse_scalar(p, v, "address", &s)))
		return rc;
	/* The address VXLAN packets leave from and go to: one that can be
	 * unicast to another machine. */
	if (ip_parse(s, &h->addr) ||
	    (h->addr.family == AF_INET &&
	     (!h->addr.a.b[0] || h->addr.a.b[0] == 127 || h->addr.a.b[0] >= 224)) ||
	    (h->addr.family == AF_INET6 &&
	     (IN6_IS_ADDR_UNSPECIFIED(&h->addr.a.v6) || IN6_IS_ADDR_LOOPBACK(&h->addr.a.v6) ||
	      IN6_IS_ADDR_MULTICAST(&h->addr.a.v6) || IN6_IS_ADDR_LINKLOCAL(&h->addr.a.v6)))) {
		h->addr.family = 0;
		return herr(p, parse_pos(v),
			    "host %s: address \"%s\" is not a unicast IP address of the machine (its underlay address, like 198.51.100.11)",
			    h->name, s);
	}
	h->addr.prefix = -1;
	return 0;
}

static int host_entry(struct parser *p, const char *key, yaml_node_t *k,
		      yaml_node_t *v, void *ctx)
{
	struct topo *t = p->t;
	struct topo_host *h;
	int rc;

	(void)ctx;
	if (name_check(p->nn, "host", key, TOPO_NET_NAME_MAX))
		return herr(p, parse_pos(k), "%s", err_msg(p->nn));
	ARRAY_GROW(t->hosts, t->n_hosts);
	h = &t->hosts[t->n_hosts++];
	h->name = strdup(key);
	if (!h->name)
		abort();
	h->pos = parse_pos(k);
	if (!parse_is_null(v) &&
	    (rc = parse_each_pair(p, v, "key of a host", host_key, h)))
		return rc;
	if (!h->addr.family)
		return herr(p, h->pos, "host %s has no address: (its underlay address, like {address: 198.51.100.11})",
			    key);
	return 0;
}

int parse_hosts(struct parser *p, yaml_node_t *v)
{
	if (parse_is_null(v))
		return herr(p, parse_pos(v), "hosts: names no machine");
	return parse_each_pair(p, v, "host", host_entry, NULL);
}

/* ---- a network's and a node's keys -------------------------------------- */

static int number(struct parser *p, yaml_node_t *v, const char *what,
		  unsigned long lo, unsigned long hi, unsigned long *out)
{
	const char *s;
	char *end;
	int rc;

	if ((rc = parse_scalar(p, v, what, &s)))
		return rc;
	errno = 0;
	*out = strtoul(s, &end, 10);
	if (!*s || *end || *s == '-' || *s == '+' || errno || *out < lo || *out > hi)
		return herr(p, parse_pos(v), "%s \"%s\" is not a number from %lu to %lu",
			    what, s, lo, hi);
	return 0;
}

static int host_name(struct parser *p, yaml_node_t *v, const char *what,
		     char **out)
{
	const char *s;
	int rc;

	if ((rc = parse_scalar(p, v, what, &s)))
		return rc;
	if (name_check(p->nn, "host", s, TOPO_NET_NAME_MAX))
		return herr(p, parse_pos(v), "%s: %s", what, err_msg(p->nn));
	free(*out);
	*out = strdup(s);
	if (!*out)
		abort();
	return 0;
}

int parse_net_span_key(struct parser *p, const char *key, yaml_node_t *v,
		       struct topo_net *net)
{
	unsigned long n;
	int rc;

	if (!strcmp(key, "vni")) {
		if ((rc = number(p, v, "vni", 1, VNI_MAX, &n)))
			return rc;
		net->vni = (uint32_t)n;
		net->vni_set = true;
		net->vni_pos = parse_pos(v);
	} else if (!strcmp(key, "gateway_host")) {
		if ((rc = host_name(p, v, "gateway_host", &net->gateway_host)))
			return rc;
		net->gw_pos = parse_pos(v);
	} else if (!strcmp(key, "mtu")) {
		if ((rc = number(p, v, "mtu", 68, 65535, &n)))
			return rc;
		net->mtu = (unsigned int)n;
		net->mtu_pos = parse_pos(v);
	} else {
		return -ENOENT;
	}
	return 0;
}

int parse_node_host(struct parser *p, yaml_node_t *v, struct topo_node *nd)
{
	nd->host_pos = parse_pos(v);
	return host_name(p, v, "host", &nd->host_name);
}

/* ---- across the file ------------------------------------------------------- */

/* "m1, m2, m3": the hosts, for messages. */
static void host_names(const struct topo *t, char *buf, size_t len)
{
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < t->n_hosts && n + 1 < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s", i ? ", " : "",
				      t->hosts[i].name);
}

static int host_find(const struct topo_set *names, const char *name, size_t *idx)
{
	return topo_set_get(names, name, strlen(name), idx) ? 0 : -ENOENT;
}

/* A file without hosts: says nothing of machines. */
static int check_no_hosts(struct parser *p)
{
	size_t i;

	for (i = 0; i < p->t->n_nodes; i++)
		if (p->t->nodes[i].host_name)
			return herr(p, p->t->nodes[i].host_pos,
				    "node %s: host: %s, but the file has no hosts: section naming the machines",
				    p->t->nodes[i].name, p->t->nodes[i].host_name);
	for (i = 0; i < p->t->n_nets; i++) {
		const struct topo_net *net = &p->t->nets[i];

		if (net->vni_set || net->gateway_host)
			return herr(p, net->vni_set ? net->vni_pos : net->gw_pos,
				    "network %s: %s needs a hosts: section (the machines a network spans)",
				    net->name, net->vni_set ? "vni:" : "gateway_host:");
	}
	return 0;
}

/* The addresses: one each, one family (VXLAN does not join the two). */
static int check_addresses(struct parser *p)
{
	struct topo *t = p->t;
	struct topo_set seen = { 0 };
	size_t i, first;
	int rc = 0;

	for (i = 0; i < t->n_hosts && !rc; i++) {
		const struct topo_host *h = &t->hosts[i];
		char a[64];

		if (h->addr.family != t->hosts[0].addr.family)
			rc = herr(p, h->pos, "host %s: an IPv%d address where host %s has an IPv%d one: the machines' addresses must be of one family",
				  h->name, h->addr.family == AF_INET6 ? 6 : 4, t->hosts[0].name,
				  t->hosts[0].addr.family == AF_INET6 ? 6 : 4);
		else if (topo_set_put(&seen, h->addr.a.b, ip_len(&h->addr), i, &first))
			rc = herr(p, h->pos, "host %s has the address %s of host %s",
				  h->name, ip_str(&h->addr, a, sizeof(a)), t->hosts[first].name);
	}
	topo_set_free(&seen);
	return rc;
}

struct net_host {
	size_t net, host;
};

static int net_host_cmp(const void *a, const void *b)
{
	const struct net_host *x = a, *y = b;

	if (x->net != y->net)
		return x->net < y->net ? -1 : 1;
	return x->host < y->host ? -1 : x->host > y->host;
}

/* Which hosts each network is on: its nodes', and its gateway's. Sorting
 * the (network, host) pairs keeps it n log n in the size of the file. */
static int spans(struct parser *p, const struct topo_set *names)
{
	struct topo *t = p->t;
	struct net_host *v = NULL;
	size_t i, j, n = 0;
	char list[256];

	for (i = 0; i < t->n_nodes; i++)
		n += t->nodes[i].n_att;
	v = calloc(n + 1, sizeof(*v));
	if (!v)
		abort();
	for (i = n = 0; i < t->n_nodes; i++)
		for (j = 0; j < t->nodes[i].n_att; j++)
			v[n++] = (struct net_host){ t->nodes[i].att[j].net, t->nodes[i].host };
	if (n)
		qsort(v, n, sizeof(*v), net_host_cmp);
	for (i = j = 0; i < t->n_nets; i++) {
		struct topo_net *net = &t->nets[i];
		size_t k, at;

		for (; j < n && v[j].net == i; j++)
			if (!net->n_span || net->span[net->n_span - 1] != v[j].host) {
				ARRAY_GROW(net->span, net->n_span);
				net->span[net->n_span++] = v[j].host;
			}
		if (net->gateway_host && host_find(names, net->gateway_host, &net->gw_host)) {
			host_names(t, list, sizeof(list));
			free(v);
			return herr(p, net->gw_pos, "network %s: gateway_host %s is not in hosts: (%s)",
				    net->name, net->gateway_host, list);
		}
		/* Default: the first machine (in hosts: order) that runs a
		 * node of it; a network without nodes, the first host. */
		if (!net->gateway_host)
			net->gw_host = net->n_span ? net->span[0] : 0;
		for (at = 0; at < net->n_span && net->span[at] < net->gw_host; at++)
			;
		if (at < net->n_span && net->span[at] == net->gw_host)
			continue;
		ARRAY_GROW(net->span, net->n_span);
		for (k = net->n_span; k > at; k--)
			net->span[k] = net->span[k - 1];
		net->span[at] = net->gw_host;
		net->n_span++;
	}
	free(v);
	return 0;
}

/* VNIs: given or derived from the names (the same on every machine), one
 * per network: two networks on one VNI would be one segment. */
static int vnis(struct parser *p)
{
	struct topo *t = p->t;
	struct topo_set seen = { 0 };
	size_t i, first;
	int rc = 0;

	for (i = 0; i < t->n_nets; i++) {
		struct topo_net *net = &t->nets[i];
		char key[TOPO_NAME_MAX + TOPO_NET_NAME_MAX + 2];

		if (net->vni_set)
			continue;
		snprintf(key, sizeof(key), "%s/%s", t->name, net->name);
		net->vni = (uint32_t)(topo_hash(key, strlen(key)) % VNI_MAX) + 1;
	}
	for (i = 0; i < t->n_nets && !rc; i++) {
		struct topo_net *net = &t->nets[i];

		if (!topo_set_put(&seen, &net->vni, sizeof(net->vni), i, &first))
			continue;
		if (net->vni_set)
			rc = herr(p, net->vni_pos, "network %s: vni %u is network %s's too",
				  net->name, net->vni, t->nets[first].name);
		else
			rc = herr(p, net->pos, "network %s: its VNI %u (derived from the names) is network %s's too: set vni: on one of them",
				  net->name, net->vni, t->nets[first].name);
	}
	topo_set_free(&seen);
	return rc;
}

/* Every node on a machine of hosts:, and a cable's ends on one (a cable is
 * a veth pair). */
static int check_nodes(struct parser *p, const struct topo_set *names)
{
	struct topo *t = p->t;
	struct topo_set nodes = { 0 };
	char list[256];
	size_t i, a, b;
	int rc = 0;

	host_names(t, list, sizeof(list));
	for (i = 0; i < t->n_nodes && !rc; i++) {
		struct topo_node *nd = &t->nodes[i];

		if (!nd->host_name && t->n_hosts > 1)
			rc = herr(p, nd->pos, "node %s: which machine? add host: (one of %s)",
				  nd->name, list);
		else if (nd->host_name && host_find(names, nd->host_name, &nd->host))
			rc = herr(p, nd->host_pos, "node %s: host %s is not in hosts: (%s)",
				  nd->name, nd->host_name, list);
		topo_set_put(&nodes, nd->name, strlen(nd->name), i, NULL);
	}
	for (i = 0; i < t->n_cables && !rc; i++) {
		const struct topo_cable *c = &t->cables[i];

		if (ns_is_host(c->a) || ns_is_host(c->b) ||
		    !topo_set_get(&nodes, c->a, strlen(c->a), &a) ||
		    !topo_set_get(&nodes, c->b, strlen(c->b), &b) ||
		    t->nodes[a].host == t->nodes[b].host)
			continue;
		rc = herr(p, c->pos, "cable %s - %s joins nodes on two machines (%s and %s): a cable is a veth pair, on one machine",
			  c->a, c->b, t->hosts[t->nodes[a].host].name,
			  t->hosts[t->nodes[b].host].name);
	}
	topo_set_free(&nodes);
	return rc;
}

/* A published port is answered through the node's default route (its
 * first network's gateway), so the replies pass the machine that
 * translated the request only when that gateway is on the node's machine
 * (docs/multihost.md). */
static int check_publish(struct parser *p)
{
	const struct topo *t = p->t;
	size_t i;

	for (i = 0; i < t->n_nodes; i++) {
		const struct topo_node *nd = &t->nodes[i];
		const struct topo_net *net;

		if (!nd->n_publish || !nd->n_att)
			continue;
		net = &t->nets[nd->att[0].net];
		if (net->gw_host != nd->host)
			return herr(p, nd->pos, "node %s publishes ports on %s, but its default route goes to the gateway of network %s on %s, so replies would not pass %s: put the node on %s, or set gateway_host: %s on network %s",
				  nd->name, t->hosts[nd->host].name, net->name,
				  t->hosts[net->gw_host].name, t->hosts[nd->host].name,
				  t->hosts[net->gw_host].name, t->hosts[nd->host].name, net->name);
	}
	return 0;
}

int parse_hosts_check(struct parser *p)
{
	struct topo *t = p->t;
	struct topo_set names = { 0 };
	size_t i;
	int rc;

	t->local = SIZE_MAX;
	if (!t->n_hosts)
		return check_no_hosts(p);
	/* hosts: names are unique: each_pair refused a name written twice */
	for (i = 0; i < t->n_hosts; i++)
		topo_set_put(&names, t->hosts[i].name, strlen(t->hosts[i].name), i, NULL);
	if (!(rc = check_addresses(p)) && !(rc = check_nodes(p, &names)))
		rc = spans(p, &names);
	if (!rc && !(rc = check_publish(p)))
		rc = vnis(p);
	topo_set_free(&names);
	return rc;
}
