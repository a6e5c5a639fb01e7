// SPDX-License-Identifier: GPL-2.0-or-later
/* test_leaves.c - networks over several bridges (lib/topology/leaves.c): the
 * layout of a network's attachments over its bridge and leaves, the names
 * of leaves and trunks, the limits found at validation, and the plan of a
 * new topology (leaves, trunks, ports on their leaf) as data. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>

#include "topology/topology.h"

/* A file of n nodes on network lan (bridge br), plus extra lines of
 * networks. */
static char *file_of(size_t n, const char *br, const char *extra_nets)
{
	size_t cap = 256 + n * 48 + strlen(extra_nets), len = 0, i;
	char *s = malloc(cap);

	assert_non_null(s);
	len += (size_t)snprintf(s + len, cap - len,
				"name: big\nnetworks:\n  lan: {bridge: %s, subnet: 10.9.0.0/16}\n%snodes:\n",
				br, extra_nets);
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(s + len, cap - len, "  n%zu: {networks: {lan: }}\n", i);
	return s;
}

static struct topo *parse_with(struct nsnet *nn, unsigned int share, const char *yaml,
			       int *rc)
{
	struct topo *t = NULL;

	assert_int_equal(nsnet_set_bridge_ports(nn, share), 0);
	*rc = topo_parse_buffer(nn, "t.yaml", yaml, strlen(yaml), &t);
	return t;
}

static void test_layout(void **state)
{
	struct nsnet *nn = nsnet_new();
	size_t per[3] = { 0, 0, 0 }, i;
	char *yaml = file_of(120, "br0", "");
	struct topo *t;
	int rc;

	(void)state;
	t = parse_with(nn, 50, yaml, &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(t->nets[0].n_att, 120);
	assert_int_equal(t->nets[0].n_leaves, 2);
	assert_int_equal(t->n_slots, 3);
	for (i = 0; i < t->n_nodes; i++) {
		assert_true(t->nodes[i].att[0].leaf < 3);
		per[t->nodes[i].att[0].leaf]++;
		/* in file order: a bridge's nodes are a run */
		if (i)
			assert_true(t->nodes[i].att[0].leaf >= t->nodes[i - 1].att[0].leaf);
	}
	assert_int_equal(per[0], 40);
	assert_int_equal(per[1], 40);
	assert_int_equal(per[2], 40);
	topo_free(t);

	/* the default share: 2,000 nodes are 667, 667 and 666 over 3 bridges;
	 * 1,000 stay on one */
	free(yaml);
	yaml = file_of(2000, "br0", "");
	t = parse_with(nn, 0, yaml, &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(t->nets[0].n_leaves, 2);
	assert_int_equal(t->nodes[666].att[0].leaf, 0);
	assert_int_equal(t->nodes[667].att[0].leaf, 1);
	assert_int_equal(t->nodes[1999].att[0].leaf, 2);
	topo_free(t);
	free(yaml);
	yaml = file_of(1000, "br0", "");
	t = parse_with(nn, 0, yaml, &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(t->nets[0].n_leaves, 0);
	assert_int_equal(t->n_slots, 1);
	topo_free(t);
	free(yaml);

	/* a node that publishes a port goes on the root (its port's
	 * translation is there), the others follow in file order */
	yaml = file_of(120, "br0", "");
	strcpy(strstr(yaml, "  n110: {networks: {lan: }}\n"),
	       "  n110: {networks: {lan: }, publish: ['8080:80']}\n"
	       "  n111: {networks: {lan: }}\n  n112: {networks: {lan: }}\n"
	       "  n113: {networks: {lan: }}\n  n114: {networks: {lan: }}\n"
	       "  n115: {networks: {lan: }}\n  n116: {networks: {lan: }}\n"
	       "  n117: {networks: {lan: }}\n  n118: {networks: {lan: }}\n"
	       "  n119: {networks: {lan: }}\n");
	t = parse_with(nn, 50, yaml, &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(t->nodes[110].att[0].leaf, 0);
	assert_int_equal(t->nodes[38].att[0].leaf, 0);
	assert_int_equal(t->nodes[39].att[0].leaf, 1);
	assert_int_equal(t->nodes[119].att[0].leaf, 2);
	topo_free(t);
	free(yaml);
	nsnet_free(nn);
}

static void test_names(void **state)
{
	struct topo_net net = { .bridge = "br0" };
	char a[IFNAMSIZ], b[IFNAMSIZ], c[IFNAMSIZ];

	(void)state;
	leaf_bridge_name(&net, 0, a);
	assert_string_equal(a, "br0");
	leaf_bridge_name(&net, 12, a);
	assert_string_equal(a, "br0-l12");
	leaf_trunk_names(&net, 12, a, b);
	assert_string_equal(a, "br0-t12");
	assert_string_equal(b, "br0-u12");
	/* too long for the suffix: cut, with a hash of the whole name, so
	 * that two bridges with one beginning get two names */
	snprintf(net.bridge, sizeof(net.bridge), "averylongbridge");
	leaf_bridge_name(&net, 1000, a);
	assert_int_equal(strlen(a), IFNAMSIZ - 1);
	assert_string_equal(a + strlen(a) - 6, "-l1000");
	snprintf(net.bridge, sizeof(net.bridge), "averylongbridgf");
	leaf_bridge_name(&net, 1000, b);
	assert_string_not_equal(a, b);
	leaf_bridge_name(&net, 1, c);
	assert_string_equal(c + strlen(c) - 3, "-l1");
	assert_int_equal(strncmp(c, "averylon", 8), 0);
	assert_int_equal(strlen(c), IFNAMSIZ - 1);
}

static void test_limits(void **state)
{
	struct nsnet *nn = nsnet_new();
	char *yaml;
	struct topo *t;
	int rc;

	(void)state;
	/* share 4: the root joins 4 leaves of 3 nodes, 12 in all */
	yaml = file_of(12, "br0", "");
	t = parse_with(nn, 4, yaml, &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(t->nets[0].n_leaves, 4);
	topo_free(t);
	free(yaml);
	yaml = file_of(13, "br0", "");
	t = parse_with(nn, 4, yaml, &rc);
	assert_int_not_equal(rc, 0);
	assert_null(t);
	assert_non_null(strstr(nsnet_error(nn),
		"t.yaml:3:3: network lan has 13 nodes: one network holds at most 12"));
	assert_int_equal(nsnet_error_exit_code(nn), 2);
	free(yaml);
	/* a leaf's name is another network's bridge */
	yaml = file_of(6, "br0", "  dmz: {bridge: br0-u1, subnet: 10.7.0.0/24}\n");
	t = parse_with(nn, 4, yaml, &rc);
	assert_int_not_equal(rc, 0);
	assert_non_null(strstr(nsnet_error(nn), "the name br0-u1 it needs for a leaf bridge or trunk is taken by the bridge or a leaf of network dmz"));
	free(yaml);
	/* a share out of range is refused, the last one kept */
	assert_int_not_equal(nsnet_set_bridge_ports(nn, 3), 0);
	assert_int_not_equal(nsnet_set_bridge_ports(nn, 1001), 0);
	assert_int_equal(leaf_share(nn), 4);
	assert_int_equal(nsnet_set_bridge_ports(nn, 0), 0);
	assert_int_equal(leaf_share(nn), 1000);
	nsnet_free(nn);
}

/* The plan of a topology that does not exist yet, without a kernel: the
 * text of plan and the actions each leaf needs. */
static void test_describe(void **state)
{
	struct nsnet *nn = nsnet_new();
	char *yaml = file_of(120, "br0", ""), what[256];
	struct topo_action a = { .kind = ACT_BRIDGE, .obj = 0, .idx = 2 };
	json_t *cmds = json_array(), *spans;
	struct topo *t;
	int rc;

	(void)state;
	t = parse_with(nn, 50, yaml, &rc);
	assert_int_equal(rc, 0);
	leaf_describe(t, 0, what, sizeof(what));
	assert_string_equal(what, "network lan: 120 nodes over 3 bridges (br0 + 2 leaves)");
	topo_action_str(t, &a, what, sizeof(what));
	assert_string_equal(what, "leaf bridge br0-l2 of network lan");
	topo_action_commands(t, &a, cmds);
	assert_string_equal(json_string_value(json_array_get(cmds, 0)),
			    "ip link add br0-l2 type bridge");
	assert_string_equal(json_string_value(json_array_get(cmds, 1)),
			    "sysctl -w net.ipv4.conf.br0-l2.arp_ignore=8 net.ipv6.conf.br0-l2.disable_ipv6=1");
	json_array_clear(cmds);
	a = (struct topo_action){ .kind = ACT_TRUNK, .obj = 0, .idx = 1 };
	topo_action_commands(t, &a, cmds);
	assert_string_equal(json_string_value(json_array_get(cmds, 0)),
			    "ip link add br0-t1 master br0 type veth peer name br0-u1");
	json_array_clear(cmds);
	/* a node on leaf 2 is enslaved to it, not to the network's bridge */
	a = (struct topo_action){ .kind = ACT_VETH, .obj = 119, .idx = 0 };
	topo_action_commands(t, &a, cmds);
	assert_non_null(strstr(json_string_value(json_array_get(cmds, 0)), " master br0-l2 "));
	spans = leaf_json(t);
	assert_int_equal(json_array_size(spans), 1);
	assert_int_equal(json_array_size(json_object_get(json_array_get(spans, 0), "bridges")), 3);
	json_decref(spans);
	json_decref(cmds);
	topo_free(t);
	free(yaml);
	nsnet_free(nn);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_describe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
