// SPDX-License-Identifier: GPL-2.0-or-later
/* test_topo_parse.c - the topology parser: a good file, and each class of
 * mistake reported at the exact line:column with exit status 2; the plan
 * as data (kinds, objects, commands) and the step-time reports. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>

#include "topology/topology.h"

static struct topo *parse_ok(struct nsnet *nn, const char *yaml)
{
	struct topo *t = NULL;

	if (topo_parse_buffer(nn, "t.yaml", yaml, strlen(yaml), &t))
		fail_msg("refused: %s", nsnet_error(nn));
	assert_non_null(t);
	return t;
}

/* The error must start with "t.yaml:LINE:COL: " and contain @what. */
static void parse_bad(const char *yaml, int line, int col, const char *what)
{
	struct nsnet *nn = nsnet_new();
	struct topo *t = (struct topo *)1;
	char pos[64];
	const char *e;

	assert_non_null(nn);
	assert_int_not_equal(topo_parse_buffer(nn, "t.yaml", yaml, strlen(yaml), &t), 0);
	assert_null(t);
	e = nsnet_error(nn);
	snprintf(pos, sizeof(pos), "t.yaml:%d:%d: ", line, col);
	if (strncmp(e, pos, strlen(pos)) || !strstr(e, what))
		fail_msg("expected \"%s...%s\", got \"%s\"", pos, what, e);
	assert_int_equal(nsnet_error_exit_code(nn), 2);
	nsnet_free(nn);
}

static void test_good(void **state)
{
	struct nsnet *nn = nsnet_new();
	struct topo *t;

	(void)state;
	t = parse_ok(nn,
		"name: shop\n"
		"networks:\n"
		"  app:\n"
		"    bridge: app_br\n"
		"    subnet: 10.10.0.0/16\n"
		"    gateway: 10.10.0.1\n"
		"    nat: true\n"
		"nodes:\n"
		"  web:\n"
		"    networks:\n"
		"      app: 10.10.0.10\n"
		"    routes: [\"192.168.1.0/24 via 10.10.0.1\"]\n"
		"    publish: [\"8080:80/tcp\"]\n"
		"    sysctls: {net.ipv4.ip_forward: 1}\n"
		"    run: [\"sleep 1000\"]\n"
		"  database:\n"
		"    networks: {app: }\n"
		"  red: {}\n"
		"  blue: {}\n"
		"cables:\n"
		"  - {a: red, a_if: veth-red, a_addr: 192.168.15.1/24, b: blue, b_if: veth-blue, b_addr: 192.168.15.2/24}\n"
		"expect:\n"
		"  - \"web -> database: reach\"\n");
	assert_string_equal(t->name, "shop");
	assert_int_equal(t->n_nets, 1);
	assert_string_equal(t->nets[0].bridge, "app_br");
	assert_true(t->nets[0].nat);
	assert_int_equal(t->nets[0].subnet[0].prefix, 16);
	assert_int_equal(t->n_nodes, 4);
	assert_string_equal(t->nodes[0].name, "web");
	assert_int_equal(t->nodes[0].n_att, 1);
	assert_true(t->nodes[0].att[0].explicit_addr[0]);
	assert_int_equal(t->nodes[0].att[0].addr[0].prefix, 16);
	assert_string_equal(t->nodes[0].att[0].ifname, "eth0");
	assert_int_equal(t->nodes[0].n_routes, 1);
	assert_int_equal(t->nodes[0].n_publish, 1);
	assert_int_equal(t->nodes[0].n_sysctls, 1);
	assert_int_equal(t->nodes[0].n_run, 1);
	/* database's address was left empty: ipam filled it */
	assert_false(t->nodes[1].att[0].explicit_addr[0]);
	assert_int_equal(t->nodes[1].att[0].addr[0].family, AF_INET);
	assert_int_equal(t->n_cables, 1);
	assert_string_equal(t->cables[0].a_if, "veth-red");
	assert_int_equal(t->n_expects, 1);
	assert_true(t->expects[0].reach);
	topo_free(t);
	nsnet_free(nn);
}

#define NET "name: t\nnetworks:\n  app:\n    subnet: 10.0.0.0/24\n"

static void test_unknown_key(void **state)
{
	(void)state;
	parse_bad("name: t\ncolour: red\n", 2, 1, "unknown key \"colour\"");
	parse_bad(NET "    nta: true\n", 5, 5, "unknown key \"nta\"");
	parse_bad(NET "nodes:\n  a:\n    netwroks: {app: }\n", 7, 5,
		  "unknown key \"netwroks\"");
}

static void test_wrong_type(void **state)
{
	(void)state;
	parse_bad(NET "    nat: maybe\n", 5, 10, "must be true or false");
	parse_bad(NET "nodes: [a, b]\n", 5, 8, "must be");
	parse_bad(NET "nodes:\n  a:\n    sysctls: [x]\n", 7, 14, "must be");
}

static void test_duplicate_node(void **state)
{
	(void)state;
	parse_bad(NET "nodes:\n  a: {}\n  a: {}\n", 7, 3, "appears twice (first at line 6)");
}

static void test_address_outside_subnet(void **state)
{
	(void)state;
	parse_bad(NET "nodes:\n  a:\n    networks: {app: 10.0.1.5}\n", 7, 21,
		  "outside the subnet 10.0.0.0/24");
}

static void test_address_twice(void **state)
{
	(void)state;
	parse_bad(NET "nodes:\n  a:\n    networks: {app: 10.0.0.5}\n"
		  "  b:\n    networks: {app: 10.0.0.5}\n", 9, 21, "used by a too");
}

static void test_address_is_gateway(void **state)
{
	(void)state;
	parse_bad(NET "nodes:\n  a:\n    networks: {app: 10.0.0.1}\n", 7, 21,
		  "is the gateway of network app");
}

static void test_gateway_outside(void **state)
{
	(void)state;
	parse_bad(NET "    gateway: 10.0.5.1\n", 3, 3, "gateway 10.0.5.1 is outside its subnet");
}

static void test_overlap(void **state)
{
	(void)state;
	parse_bad(NET "  db:\n    subnet: 10.0.0.128/25\n", 5, 3,
		  "overlaps that of app");
}

static void test_name_too_long(void **state)
{
	(void)state;
	parse_bad("name: abcdefghijklmnopqrstuvwxyz0123456789\n", 1, 7, "1 to 32 characters");
	parse_bad(NET "  abcdefghijklmnopq:\n    subnet: 10.1.0.0/24\n", 5, 3,
		  "network abcdefghijklmnopq: its bridge name");
	parse_bad(NET "    bridge: abcdefghijklmnopq\n", 5, 13, "bridge");
}

static void test_unknown_network(void **state)
{
	(void)state;
	parse_bad(NET "nodes:\n  a:\n    networks: {db: }\n", 7, 16,
		  "node a is on network \"db\", which is not in networks:");
}

static void test_bad_publish(void **state)
{
	(void)state;
	parse_bad(NET "nodes:\n  a:\n    networks: {app: }\n    publish: [\"8080\"]\n",
		  8, 15, "publish \"8080\"");
	parse_bad(NET "nodes:\n  a:\n    networks: {app: }\n    publish: [\"0:80\"]\n",
		  8, 15, "publish \"0:80\"");
}

static void test_bad_expect(void **state)
{
	(void)state;
	parse_bad(NET "nodes:\n  a: {}\nexpect:\n  - \"a -> b: maybe\"\n", 8, 5,
		  "say reach or blocked");
	parse_bad(NET "nodes:\n  a: {}\nexpect:\n  - \"a b\"\n", 8, 5,
		  "is not \"A -> B: reach\"");
	parse_bad(NET "nodes:\n  a: {}\nexpect:\n  - \"zz -> a: reach\"\n", 8, 5,
		  "expectation from zz: not a node");
	/* a typo in the target would otherwise be probed as nothing */
	parse_bad(NET "nodes:\n  a: {}\nexpect:\n  - \"a -> datbase: reach\"\n", 8, 5,
		  "expectation to datbase: neither a node nor an IP address");
}

static void test_bad_route(void **state)
{
	(void)state;
	parse_bad(NET "nodes:\n  a:\n    routes: [\"10.9.0.0/16 via\"]\n", 7, 14, "route");
}

static void test_cable(void **state)
{
	(void)state;
	parse_bad(NET "nodes:\n  a: {}\ncables:\n  - {a: a, b: zz}\n", 8, 5,
		  "cable end zz is not a node");
	parse_bad(NET "nodes:\n  a: {}\ncables:\n  - {a: a, b: a}\n", 8, 5,
		  "cable from a to itself");
	parse_bad(NET "nodes:\n  a: {}\ncables:\n  - {a: a, b: host, a_addr: 10.1.1.1}\n",
		  8, 29, "not an address with a prefix");
}

static void test_yaml_syntax(void **state)
{
	(void)state;
	parse_bad("name: t\nnodes: {a: [}\n", 2, 13, "");
	parse_bad("", 1, 1, "empty");
	parse_bad("networks: {}\n", 1, 1, "no name");
}

/* The plan's JSON: each action with its kind, its object and the ip/nft
 * commands `nsnet plan` prints, in the plan's order. */
static void test_plan_json(void **state)
{
	struct nsnet *nn = nsnet_new();
	struct topo_action act[] = {
		{ .kind = ACT_BRIDGE, .obj = 0 },
		{ .kind = ACT_VETH, .obj = 0, .idx = 0 },
		{ .kind = ACT_ADDR, .obj = 0, .idx = 0, .family = 0, .repair = true },
		{ .kind = ACT_NAT, .obj = 0 },
		{ .kind = ACT_RUN, .obj = 0, .idx = 0 },
		{ .kind = ACT_SETUP, .obj = 0, .idx = 0 },
	};
	struct topo_plan plan = { .act = act, .n = ARRAY_SIZE(act) };
	json_t *doc, *a, *cmds;
	char want[256];
	struct topo *t;

	(void)state;
	t = parse_ok(nn,
		"name: shop\n"
		"networks:\n  app: {bridge: app_br, subnet: 10.10.0.0/16, nat: true}\n"
		"nodes:\n  web:\n    networks: {app: 10.10.0.10}\n    run: [\"sleep 9\"]\n"
		"    setup: [\"echo once\"]\n");
	doc = topo_plan_json(t, &plan);
	assert_string_equal(json_string_value(json_object_get(doc, "name")), "shop");
	assert_int_equal(json_array_size(json_object_get(doc, "actions")), 6);

	a = json_array_get(json_object_get(doc, "actions"), 0);
	assert_string_equal(json_string_value(json_object_get(a, "kind")), "bridge");
	assert_string_equal(json_string_value(json_object_get(a, "object")), "bridge app_br");
	assert_false(json_is_true(json_object_get(a, "repair")));
	cmds = json_object_get(a, "commands");
	assert_int_equal(json_array_size(cmds), 2);
	assert_string_equal(json_string_value(json_array_get(cmds, 0)),
			    "ip link add app_br type bridge");
	assert_string_equal(json_string_value(json_array_get(cmds, 1)),
			    "ip link set app_br alias nsnet:shop");

	a = json_array_get(json_object_get(doc, "actions"), 1);
	assert_string_equal(json_string_value(json_object_get(a, "kind")), "veth");
	snprintf(want, sizeof(want),
		 "ip link add %s master app_br type veth peer name eth0 netns web",
		 t->nodes[0].att[0].host_if);
	assert_string_equal(json_string_value(json_array_get(json_object_get(a, "commands"), 0)),
			    want);

	a = json_array_get(json_object_get(doc, "actions"), 2);
	assert_string_equal(json_string_value(json_object_get(a, "kind")), "address");
	assert_string_equal(json_string_value(json_object_get(a, "object")),
			    "address 10.10.0.10/16 on web eth0");
	assert_true(json_is_true(json_object_get(a, "repair")));
	assert_string_equal(json_string_value(json_array_get(json_object_get(a, "commands"), 0)),
			    "ip -n web addr add 10.10.0.10/16 dev eth0");

	/* NAT: the sysctl, then the firewall's own nft commands */
	a = json_array_get(json_object_get(doc, "actions"), 3);
	assert_string_equal(json_string_value(json_object_get(a, "kind")), "nat");
	cmds = json_object_get(a, "commands");
	assert_true(json_array_size(cmds) > 1);
	assert_string_equal(json_string_value(json_array_get(cmds, 0)),
			    "sysctl -w net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1");
	assert_memory_equal(json_string_value(json_array_get(cmds, 1)), "nft '", 5);

	a = json_array_get(json_object_get(doc, "actions"), 4);
	assert_string_equal(json_string_value(json_object_get(a, "kind")), "run");
	assert_string_equal(json_string_value(json_array_get(json_object_get(a, "commands"), 0)),
			    "ip netns exec web sh -c 'sleep 9' >> /run/nsnet/topo/shop/run-web-0.log 2>&1 &");

	/* setup: one-shot, waited for: no & */
	a = json_array_get(json_object_get(doc, "actions"), 5);
	assert_string_equal(json_string_value(json_object_get(a, "kind")), "setup");
	assert_string_equal(json_string_value(json_object_get(a, "object")),
			    "setup \"echo once\" in web");
	assert_string_equal(json_string_value(json_array_get(json_object_get(a, "commands"), 0)),
			    "ip netns exec web sh -c 'echo once' >> /run/nsnet/topo/shop/setup-web-0.log 2>&1");
	assert_int_equal(t->nodes[0].n_setup, 1);
	assert_int_equal(t->nodes[0].n_run, 1);
	json_decref(doc);
	topo_free(t);
	nsnet_free(nn);
}

struct steps_seen {
	char names[4][32];
	int n;
};

static void record_step(void *data, const char *step, double ms)
{
	struct steps_seen *s = data;

	assert_true(ms >= 0);
	if (s->n < 4)
		snprintf(s->names[s->n++], sizeof(s->names[0]), "%s", step);
}

/* Step times go to the caller's callback, each step once it ends, and
 * nowhere without one. */
static void test_step_timing(void **state)
{
	struct nsnet *nn = nsnet_new();
	struct topo_steps steps = { 0 };
	struct steps_seen seen = { 0 };

	(void)state;
	topo_step(nn, &steps, NULL);
	topo_step(nn, &steps, "unheard");
	nsnet_set_timing(nn, record_step, &seen);
	topo_step(nn, &steps, "first");   /* no start yet: nothing to time */
	topo_step(nn, &steps, "plan");
	topo_step(nn, &steps, "veths");
	assert_int_equal(seen.n, 2);
	assert_string_equal(seen.names[0], "plan");
	assert_string_equal(seen.names[1], "veths");
	nsnet_free(nn);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_unknown_key),
		cmocka_unit_test(test_wrong_type),
		cmocka_unit_test(test_duplicate_node),
		cmocka_unit_test(test_address_outside_subnet),
		cmocka_unit_test(test_address_twice),
		cmocka_unit_test(test_address_is_gateway),
		cmocka_unit_test(test_gateway_outside),
		cmocka_unit_test(test_overlap),
		cmocka_unit_test(test_name_too_long),
		cmocka_unit_test(test_unknown_network),
		cmocka_unit_test(test_bad_publish),
		cmocka_unit_test(test_bad_expect),
		cmocka_unit_test(test_bad_route),
		cmocka_unit_test(test_cable),
		cmocka_unit_test(test_yaml_syntax),
		cmocka_unit_test(test_plan_json),
		cmocka_unit_test(test_step_timing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
