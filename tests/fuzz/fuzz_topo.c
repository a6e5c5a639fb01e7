// SPDX-License-Identifier: GPL-2.0-or-later
/* fuzz_topo.c - the topology parser and validator on arbitrary bytes: no
 * crash, no leak, no timeout (aliases, nesting and quadratic checks are
 * bounded: corpus files alias, deep, dupkeys); an accepted topology has
 * every address inside its subnet and distinct from its gateway, and every
 * name within the one name rule; its plan's commands and hosts file can be
 * built for every action. With hosts: (docs/multihost.md), the part of its
 * last machine: every network of its nodes is there, and the VXLAN actions
 * read as words and commands (corpus file hosts). */
#include <string.h>
#include <jansson.h>

#include "topology/topology.h"

static void names_ok(struct nsnet *nn, const struct topo *t)
{
	size_t i;

	if (topo_name_check(nn, t->name))
		__builtin_trap();
	for (i = 0; i < t->n_nets; i++)
		if (name_check(nn, "network", t->nets[i].name, TOPO_NET_NAME_MAX) ||
		    check_ifname(nn, t->nets[i].bridge))
			__builtin_trap();
	for (i = 0; i < t->n_nodes; i++)
		if (check_ns_name(nn, t->nodes[i].name, false))
			__builtin_trap();
	for (i = 0; i < t->n_cables; i++)
		if (check_ns_name(nn, t->cables[i].a, true) ||
		    check_ns_name(nn, t->cables[i].b, true) ||
		    check_ifname(nn, t->cables[i].a_if) || check_ifname(nn, t->cables[i].b_if) ||
		    (t->cables[i].nat[0].out[0] && check_ifname(nn, t->cables[i].nat[0].out)) ||
		    (t->cables[i].nat[1].out[0] && check_ifname(nn, t->cables[i].nat[1].out)) ||
		    (t->cables[i].nat[0].on && !ns_is_host(t->cables[i].a)) ||
		    (t->cables[i].nat[1].on && !ns_is_host(t->cables[i].b)))
			__builtin_trap();
}

/* Every kind of action on every object: the describe code indexes the
 * model with them. */
static void describe_all(const struct topo *t)
{
	json_t *cmds = json_array();
	struct topo_action a = { 0 };
	char what[256], *hosts;
	size_t i, j;
	int k;

	for (k = ACT_BRIDGE; k <= ACT_RUN; k++) {
		bool per_net = k == ACT_BRIDGE || k == ACT_BRIDGE_ADDR || k == ACT_BRIDGE_UP ||
			       k == ACT_FIREWALL || k == ACT_NAT;
		size_t n = per_net ? t->n_nets : k == ACT_CABLE ? t->n_cables : t->n_nodes;

		for (i = 0; i < n; i++) {
			const struct topo_node *nd = per_net || k == ACT_CABLE ? NULL : &t->nodes[i];
			size_t m = !nd ? 1 :
				   k == ACT_ROUTE ? nd->n_routes :
				   k == ACT_SYSCTL ? nd->n_sysctls :
				   k == ACT_PUBLISH ? nd->n_publish :
				   k == ACT_RUN ? nd->n_run :
				   k == ACT_VETH || k == ACT_HOST_UP || k == ACT_INNER_UP ||
				   k == ACT_ADDR || k == ACT_ROUTE_DEFAULT ? nd->n_att : 1;

			for (j = 0; j < m; j++) {
				a = (struct topo_action){ .kind = (enum topo_act_kind)k, .obj = i, .idx = j };
				if ((k == ACT_ADDR || k == ACT_ROUTE_DEFAULT) &&
				    !nd->att[j].addr[0].family)
					a.family = 1;
				if (k == ACT_BRIDGE_ADDR && !t->nets[i].gateway[0].family)
					a.family = 1;
				if ((k == ACT_ADDR && !nd->att[j].addr[a.family].family) ||
				    (k == ACT_ROUTE_DEFAULT &&
				     !t->nets[nd->att[j].net].gateway[a.family].family))
					continue;
				topo_action_str(t, &a, what, sizeof(what));
				topo_action_commands(t, &a, cmds);
			}
		}
	}
	/* the NAT of cable ends in the host (a_nat:, b_nat:) */
	for (i = 0; i < t->n_cables; i++)
		for (j = 0; j < 2; j++)
			if (t->cables[i].nat[j].on) {
				a = (struct topo_action){ .kind = ACT_CABLE_NAT, .obj = i, .idx = j };
				topo_action_str(t, &a, what, sizeof(what));
				topo_action_commands(t, &a, cmds);
			}
	json_decref(cmds);
	hosts = topo_hosts_file(t);
	free(hosts);
}

/* The last machine's part of t, and its VXLAN actions described. */
static void localize_all(struct nsnet *nn, struct topo *t)
{
	json_t *cmds = json_array();
	struct topo_action a = { 0 };
	char what[256];
	size_t i, j;

	if (nsnet_set_host(nn, t->hosts[t->n_hosts - 1].name) || topo_hosts_localize(nn, t))
		__builtin_trap();
	for (i = 0; i < t->n_nodes; i++)
		for (j = 0; j < t->nodes[i].n_att; j++)
			if (t->nodes[i].att[j].net >= t->n_nets)
				__builtin_trap();
	for (i = 0; i < t->n_nets; i++) {
		if (!topo_net_spans(&t->nets[i]))
			continue;
		if (t->nets[i].vni < 1 || t->nets[i].vni > 16777215)
			__builtin_trap();
		a = (struct topo_action){ .kind = ACT_VXLAN, .obj = i };
		topo_action_str(t, &a, what, sizeof(what));
		topo_action_commands(t, &a, cmds);
		a.kind = ACT_VXLAN_UP;
		topo_action_commands(t, &a, cmds);
		for (j = 0; j < t->nets[i].n_span; j++) {
			a = (struct topo_action){ .kind = ACT_FDB, .obj = i, .idx = t->nets[i].span[j] };
			topo_action_str(t, &a, what, sizeof(what));
			topo_action_commands(t, &a, cmds);
		}
	}
	json_decref(cmds);
	free(topo_hosts_file(t));
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);
int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct nsnet *nn = nsnet_new();
	struct topo *t;
	size_t i, j;
	int f;

	if (!topo_parse_buffer(nn, "fuzz.yaml", (const char *)data, size, &t)) {
		for (i = 0; i < t->n_nodes; i++)
			for (j = 0; j < t->nodes[i].n_att; j++)
				for (f = 0; f < 2; f++) {
					const struct topo_attach *a = &t->nodes[i].att[j];
					const struct topo_net *n = &t->nets[a->net];

					if (!a->addr[f].family)
						continue;
					if (!ip_in_prefix(&n->subnet[f], &a->addr[f]) ||
					    ip_equal(&n->gateway[f], &a->addr[f]))
						__builtin_trap();
				}
		names_ok(nn, t);
		describe_all(t);
		if (t->n_hosts)
			localize_all(nn, t);
		topo_free(t);
	}
	nsnet_free(nn);
	return 0;
}
