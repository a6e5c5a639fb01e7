// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * hosts.c - one topology over several machines (docs/multihost.md): which
 * machine of the file's hosts: this one is, and its part of the file.
 *
 * Every machine runs the same file. The parser computed everything from
 * the file alone (addresses, each network's hosts, gateway host and VNI),
 * so all machines agree; here the model is cut down to what this machine
 * builds: its nodes, the networks it is on (renumbered), its cables. The
 * other machines' nodes stay in topo.remote, for the hosts files (which
 * list every node wherever it runs) and for check, which probes them as
 * addresses behind the VXLAN devices.
 *
 * Which machine: --host NAME (nsnet_set_host), else the one the topology
 * was brought up as (its record), else the host whose address is an
 * address of this machine; none or several is bad input, naming them.
 */
#include <stdio.h>
#include <string.h>

#include "topology/topology.h"

NSNET_EXPORT int nsnet_set_host(struct nsnet *nn, const char *host)
{
	if (host && *host && name_check(nn, "host", host, sizeof(nn->host) - 1))
		return -EINVAL;
	snprintf(nn->host, sizeof(nn->host), "%s", host ? host : "");
	return 0;
}

const struct topo_host *topo_local_host(const struct topo *t)
{
	return t->n_hosts && t->local < t->n_hosts ? &t->hosts[t->local] : NULL;
}

bool topo_net_spans(const struct topo_net *net)
{
	return net->n_span > 1;
}

bool topo_net_gateway_here(const struct topo *t, const struct topo_net *net)
{
	return !topo_local_host(t) || net->gw_host == t->local;
}

unsigned int topo_net_mtu(const struct topo *t, const struct topo_net *net)
{
	if (net->mtu || !topo_net_spans(net) || !t->n_hosts)
		return net->mtu;
	/* A 1500-byte underlay less VXLAN's outer Ethernet, IP, UDP and VXLAN
	 * headers: 14 + 20 + 8 + 8 = 50 bytes over IPv4, 70 over IPv6. */
	return t->hosts[0].addr.family == AF_INET6 ? 1430 : 1450;
}

void topo_vxlan_ifname(char *buf, size_t len, const struct topo_net *net)
{
	/* "vx-" + 5 of the bridge + 6 hex of a hash: 15 bytes, one per bridge. */
	snprintf(buf, len, "vx-%.5s-%06x", net->bridge,
		 name_hash("vxlan", net->bridge) & 0xffffff);
}

/* "m1 198.51.100.11, m2 198.51.100.12": the hosts, for messages. */
static void hosts_list(const struct topo *t, bool with_addr, char *buf,
		       size_t len)
{
	size_t i, n = 0;
	char a[64];

	buf[0] = '\0';
	for (i = 0; i < t->n_hosts && n + 1 < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s%s%s", i ? ", " : "",
				      t->hosts[i].name, with_addr ? " " : "",
				      with_addr ? ip_str(&t->hosts[i].addr, a, sizeof(a)) : "");
}

static ssize_t host_index(const struct topo *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->n_hosts; i++)
		if (!strcmp(t->hosts[i].name, name))
			return (ssize_t)i;
	return -1;
}

struct host_match {
	const struct topo *t;
	bool *is_mine;
};

static int addr_cb(const struct nl_addr *a, void *data)
{
	struct host_match *m = data;
	size_t i;

	for (i = 0; i < m->t->n_hosts; i++)
		if (ip_equal(&a->ip, &m->t->hosts[i].addr))
			m->is_mine[i] = true;
	return 0;
}

static void addr_restart(void *data)
{
	struct host_match *m = data;

	memset(m->is_mine, 0, m->t->n_hosts * sizeof(*m->is_mine));
}

/* The host whose address this machine (the namespace nsnet runs in) has. */
static int host_detect(struct nsnet *nn, const struct topo *t, size_t *local)
{
	struct host_match m = { t, calloc(t->n_hosts, sizeof(bool)) };
	char list[512], mine[256] = "";
	size_t i, n = 0, k = 0;
	struct ns *host;
	int rc;

	if (!m.is_mine)
		abort();
	rc = ns_get(nn, NSNET_HOST, &host);
	if (!rc)
		rc = nl_addr_dump(nn, host, t->hosts[0].addr.family, 0, addr_cb, &m,
				  addr_restart);
	for (i = 0; !rc && i < t->n_hosts; i++)
		if (m.is_mine[i]) {
			*local = i;
			k += (size_t)snprintf(mine + k, k < sizeof(mine) ? sizeof(mine) - k : 0,
					      "%s%s", n++ ? ", " : "", t->hosts[i].name);
		}
	free(m.is_mine);
	if (rc)
		return rc;
	if (n == 1)
		return 0;
	hosts_list(t, true, list, sizeof(list));
	if (!n)
		return err_usage(nn, "cannot tell which machine of topology %s this is: none of its addresses is one of hosts: (%s); give --host NAME",
				 t->name, list);
	return err_usage(nn, "cannot tell which machine of topology %s this is: it has the addresses of %s; give --host NAME",
			 t->name, mine);
}

/* The machine the topology was brought up as here, if it still is one. */
static bool host_recorded(const struct topo *t, size_t *local)
{
	char path[600], name[128];
	ssize_t i;

	topo_record_dir(path, sizeof(path), t->name);
	strncat(path, "/host", sizeof(path) - strlen(path) - 1);
	if (read_small_file(path, name, sizeof(name)) <= 0)
		return false;
	name[strcspn(name, "\n")] = '\0';
	if ((i = host_index(t, name)) < 0)
		return false;
	*local = (size_t)i;
	return true;
}

int topo_hosts_which(struct nsnet *nn, const struct topo *t, size_t *local)
{
	char list[512];
	ssize_t i;

	if (!t->n_hosts) {
		if (nn->host[0])
			return err_usage(nn, "--host %s: topology %s is on one machine (its file has no hosts: section)",
					 nn->host, t->name);
		return -ENOENT;
	}
	if (nn->host[0]) {
		if ((i = host_index(t, nn->host)) >= 0) {
			*local = (size_t)i;
			return 0;
		}
		hosts_list(t, false, list, sizeof(list));
		return err_usage(nn, "--host %s: topology %s has no such machine (hosts: %s)",
				 nn->host, t->name, list);
	}
	if (host_recorded(t, local))
		return 0;
	return host_detect(nn, t, local);
}

/* ---- this machine's part ------------------------------------------------------ */

static bool node_here(const struct topo *t, const char *name)
{
	const struct topo_node *nd;

	if (ns_is_host(name))
		return true;
	nd = topo_node_find(t, name);
	return nd && nd->host == t->local;
}

int topo_hosts_localize(struct nsnet *nn, struct topo *t)
{
	struct topo_node *here, *there;
	size_t i, j, n_here = 0, n_there = 0, n_nets = 0, n_cables = 0, *map;
	size_t local;
	int rc;

	if (t->local != SIZE_MAX)
		return 0;
	if ((rc = topo_hosts_which(nn, t, &local)))
		return rc == -ENOENT ? 0 : rc;
	/* The hosts files name every node: made from the whole file. */
	t->local = local;
	t->hosts_text = topo_hosts_file(t);
	/* Cables first: their ends are found among all nodes. A cable's
	 * node ends are on one machine (parse_hosts.c). */
	for (i = 0; i < t->n_cables; i++) {
		struct topo_cable *c = &t->cables[i];

		if (node_here(t, c->a) && node_here(t, c->b)) {
			t->cables[n_cables++] = *c;
			continue;
		}
		free(c->a);
		free(c->b);
	}
	t->n_cables = n_cables;
	/* Networks: those this machine is on, renumbered. */
	map = calloc(t->n_nets + 1, sizeof(*map));
	if (!map)
		abort();
	for (i = 0; i < t->n_nets; i++) {
		struct topo_net *net = &t->nets[i];
		bool on = false;

		for (j = 0; j < net->n_span; j++)
			on |= net->span[j] == local;
		map[i] = on ? n_nets : SIZE_MAX;
		if (on) {
			t->nets[n_nets++] = *net;
			continue;
		}
		free(net->name);
		free(net->gateway_host);
		free(net->span);
	}
	t->n_nets = n_nets;
	here = calloc(t->n_nodes + 1, sizeof(*here));
	there = calloc(t->n_nodes + 1, sizeof(*there));
	if (!here || !there)
		abort();
	for (i = 0; i < t->n_nodes; i++) {
		struct topo_node *nd = &t->nodes[i];

		/* A remote node's networks may not be here: SIZE_MAX. */
		for (j = 0; j < nd->n_att; j++)
			nd->att[j].net = map[nd->att[j].net];
		if (nd->host == local)
			here[n_here++] = *nd;
		else
			there[n_there++] = *nd;
	}
	free(map);
	free(t->nodes);
	t->nodes = here;
	t->n_nodes = n_here;
	t->remote = there;
	t->n_remote = n_there;
	return 0;
}

/* The remote node called name, or NULL. */
const struct topo_node *topo_remote_find(const struct topo *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->n_remote; i++)
		if (!strcmp(t->remote[i].name, name))
			return &t->remote[i];
	return NULL;
}
