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
	parse_bad("name: abcdefghijklmnopqrstuvwxyz0123456789\n", 1, 7, "at most 32 are allowed");
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

/* rate:, loss:, delay:, jitter: on an attachment (the long form) and on a
 * cable; the short forms stay valid beside them. */
static void test_impairments(void **state)
{
	struct nsnet *nn = nsnet_new();
	struct topo *t;

	(void)state;
	t = parse_ok(nn, NET "nodes:\n"
		     "  a:\n    networks:\n      app: {address: 10.0.0.10, rate: 10mbit, loss: 1%, delay: 20ms, jitter: 5ms}\n"
		     "  b:\n    networks:\n      app: 10.0.0.20\n"
		     "  c:\n    networks:\n      app: {rate: 1.5mbit}\n"
		     "cables:\n  - {a: a, b: b, loss: 0.5%}\n");
	assert_int_equal(t->nodes[0].att[0].addr[0].family, AF_INET);
	assert_true(t->nodes[0].att[0].impair.rate_bps == 10000000);
	assert_true(t->nodes[0].att[0].impair.loss_pct > 0.99 &&
		    t->nodes[0].att[0].impair.loss_pct < 1.01);
	assert_int_equal(t->nodes[0].att[0].impair.delay_us, 20000);
	assert_int_equal(t->nodes[0].att[0].impair.jitter_us, 5000);
	assert_int_equal(t->nodes[1].att[0].impair.set, 0);
	assert_true(t->nodes[2].att[0].impair.rate_bps == 1500000);
	assert_int_equal(t->nodes[2].att[0].addr[0].family, AF_INET);  /* by ipam */
	assert_true(t->cables[0].impair.loss_pct > 0.49 && t->cables[0].impair.loss_pct < 0.51);
	topo_free(t);
	nsnet_free(nn);
	parse_bad(NET "nodes:\n  a:\n    networks:\n      app: {rate: fast}\n",
		  8, 19, "rate \"fast\"");
	parse_bad(NET "nodes:\n  a:\n    networks:\n      app: {loss: 120%}\n",
		  8, 19, "loss \"120%\"");
	parse_bad(NET "nodes:\n  a:\n    networks:\n      app: {speed: 1mbit}\n",
		  8, 13, "unknown key \"speed\"");
	parse_bad(NET "nodes:\n  a:\n    networks:\n      app: {jitter: 5ms}\n",
		  8, 7, "jitter needs a delay");
	parse_bad(NET "nodes:\n  a: {}\ncables:\n  - {a: a, b: host, delay: 20}\n",
		  8, 28, "delay \"20\"");
}

/* a_nat:/b_nat: of a cable end in the host: true or {out: IF}, planned
 * as the firewall's NAT of that interface; mistakes at their position. */
static void test_cable_nat(void **state)
{
	struct nsnet *nn = nsnet_new();
	struct topo_action act = { .kind = ACT_CABLE_NAT, .obj = 0, .idx = 0 };
	json_t *cmds = json_array();
	char what[256];
	struct topo *t;

	(void)state;
	t = parse_ok(nn, NET "nodes:\n  a: {}\n  b: {}\ncables:\n"
		     "  - {a: host, a_if: v-eth1, a_addr: 10.200.1.1/24, a_nat: {out: eth0}, b: a}\n"
		     "  - {a: b, b: host, b_addr: 10.201.1.1/24, b_nat: true}\n"
		     "  - {a: host, a_if: v-eth3, a_addr: 10.202.1.1/24, a_nat: false, b: b}\n");
	assert_true(t->cables[0].nat[0].on);
	assert_string_equal(t->cables[0].nat[0].out, "eth0");
	assert_false(t->cables[0].nat[1].on);
	assert_true(t->cables[1].nat[1].on);
	assert_string_equal(t->cables[1].nat[1].out, "");
	assert_false(t->cables[2].nat[0].on);
	topo_action_str(t, &act, what, sizeof(what));
	assert_string_equal(what, "NAT for cable end v-eth1 out eth0");
	assert_string_equal(topo_action_kind(act.kind), "cable_nat");
	/* the commands of nsnet nat add v-eth1 --out eth0 */
	topo_action_commands(t, &act, cmds);
	assert_string_equal(json_string_value(json_array_get(cmds, 0)),
			    "sysctl -w net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1");
	{
		char *all = NULL;
		size_t i, len = 0;
		FILE *f = open_memstream(&all, &len);

		for (i = 1; i < json_array_size(cmds); i++)
			fprintf(f, "%s\n", json_string_value(json_array_get(cmds, i)));
		fclose(f);
		assert_non_null(strstr(all, "oifname \"eth0\" masquerade"));
		assert_non_null(strstr(all, "natpost4 { 10.200.1.0/24 : jump"));
		assert_non_null(strstr(all, "natfwd { \"v-eth1\" : jump"));
		free(all);
	}
	json_array_clear(cmds);
	act.obj = 1;
	act.idx = 1;
	topo_action_str(t, &act, what, sizeof(what));
	assert_string_equal(what, "NAT for cable end veth-b");
	topo_action_commands(t, &act, cmds);
	assert_non_null(strstr(json_string_value(json_array_get(cmds, 3)),
			       "oifname != \"veth-b\" masquerade"));
	json_decref(cmds);
	topo_free(t);
	nsnet_free(nn);
#define NAT_CABLES NET "nodes:\n  a: {}\ncables:\n"
	parse_bad(NAT_CABLES "  - {a: a, a_addr: 10.1.1.1/24, a_nat: true, b: host}\n",
		  8, 33, "a_nat: NAT is the host's, and end a is a, not host");
	parse_bad(NAT_CABLES "  - {a: host, a_addr: 10.1.1.1/24, a_nat: {via: eth0}, b: a}\n",
		  8, 44, "unknown key \"via\" in a cable end's nat (known: out)");
	parse_bad(NAT_CABLES "  - {a: host, a_addr: 10.1.1.1/24, a_nat: {out: averyverylongname}, b: a}\n",
		  8, 49, "nat: out: ");
	parse_bad(NAT_CABLES "  - {a: host, a_addr: 10.1.1.1/24, a_nat: maybe, b: a}\n",
		  8, 43, "a_nat must be true or false");
	parse_bad(NAT_CABLES "  - {a: host, a_addr: 10.1.1.1/24, a_nat: {}, b: a}\n",
		  8, 43, "a_nat: say true, or the interface to leave by");
	parse_bad(NAT_CABLES "  - {a: a, b: host, b_nat: true}\n",
		  8, 21, "b_nat: end b has no address (b_addr:)");
	parse_bad(NAT_CABLES "  - {a: a, b: host, b_if: v-eth1, b_addr: 10.1.1.1/24, b_nat: {out: v-eth1}}\n",
		  8, 56, "b_nat: out: must be another interface than v-eth1");
#undef NAT_CABLES
}

static void test_yaml_syntax(void **state)
{
	(void)state;
	parse_bad("name: t\nnodes: {a: [}\n", 2, 13, "");
	parse_bad("", 1, 1, "empty");
	parse_bad("networks: {}\n", 1, 1, "no name");
}

/* Every name in a file follows the one name rule (names.c), at its
 * position: "." and ".." would name /run/nsnet/topo's parents, '-' reads
 * as an option, and no name may need quoting for a shell. */
static void test_names(void **state)
{
	struct nsnet *nn;
	struct topo *t = NULL;
	const char *y;

	(void)state;
	parse_bad("name: ..\n", 1, 7, "topology name \"..\" starts with '.'");
	parse_bad("name: .\n", 1, 7, "topology name \".\" starts with '.'");
	parse_bad("name: -x\n", 1, 7, "starts with '-'");
	parse_bad("name: \"a$(id)\"\n", 1, 7, "contains '$' at position 2");
	parse_bad("name: t\nnodes:\n  \"a`id`\": {}\n", 3, 3, "contains '`'");
	parse_bad("name: t\nnodes:\n  \"a;b\": {}\n", 3, 3, "contains ';'");
	parse_bad("name: t\nnodes:\n  \"a'b\": {}\n", 3, 3, "contains '''");
	parse_bad("name: t\nnodes:\n  \"a\\\"b\": {}\n", 3, 3, "contains '\"'");
	parse_bad("name: t\nnodes:\n  --help: {}\n", 3, 3, "starts with '-'");
	parse_bad("name: t\nnetworks:\n  \"n$x\": {bridge: br0, subnet: 10.0.0.0/24}\n", 3, 3,
		  "network name \"n$x\" contains '$'");
	parse_bad("name: t\nnetworks:\n  .n: {bridge: br0, subnet: 10.0.0.0/24}\n", 3, 3,
		  "network name \".n\" starts with '.'");
	parse_bad("name: t\nnetworks:\n  n: {bridge: \"b;r\", subnet: 10.0.0.0/24}\n", 3, 15,
		  "bridge: interface name");
	parse_bad("name: t\nnodes:\n  a: {}\ncables:\n  - {a: a, b: \"$(id)\"}\n", 5, 15,
		  "cable end: namespace name");
	parse_bad("name: t\nnodes:\n  a: {}\ncables:\n  - {a: a, b: host, b_if: \"-x\"}\n", 5, 27,
		  "b_if: interface name \"-x\" starts with '-'");
	parse_bad("name: t\nnodes:\n  a:\n    routes: [\"10.0.0.0/8 dev $(id)\"]\n", 4, 14,
		  "interface name");
	/* C strings end at a NUL: "web\0$(id)" must not become "web" */
	parse_bad("name: t\nnodes:\n  \"web\\0$(id)\": {}\n", 3, 3, "a key contains a NUL byte");
	parse_bad("name: \"t\\0x\"\n", 1, 7, "name contains a NUL byte");
	/* sysctl values go to /proc/sys as they are: one line */
	parse_bad("name: t\nnodes:\n  a:\n    sysctls: {net.ipv4.ip_forward: \"1\\n2\"}\n", 4, 36,
		  "control character");
	/* the message shows no terminal escape sequence from the file */
	nn = nsnet_new();
	y = "name: t\nnodes:\n  a: {\"x\\e[2J\": 1}\n";
	assert_int_not_equal(topo_parse_buffer(nn, "t.yaml", y, strlen(y), &t), 0);
	assert_null(strchr(nsnet_error(nn), '\033'));
	assert_non_null(strstr(nsnet_error(nn), "\"x?[2J\""));
	nsnet_free(nn);
}

/* What YAML can do that a topology file must not: aliases (87 KB made
 * 1.6 million routes), anchors, nesting without end, a second document. */
static void test_yaml_limits(void **state)
{
	size_t n = 20000, head;
	char *deep;
	int i;

	(void)state;
	parse_bad("name: t\nnodes:\n  a: {routes: [\"10.1.0.0/16 dev eth0\"]}\n  b: {routes: *r}\n",
		  4, 15, "alias *r: YAML anchors and aliases are not accepted");
	parse_bad("name: t\nnodes:\n  a: {routes: &r [\"10.1.0.0/16 dev eth0\"]}\n",
		  3, 15, "anchor &r");
	parse_bad("name: &n t\n", 1, 7, "anchor &n");
	parse_bad("name: t\nnodes:\n  <<: *base\n", 3, 7, "alias *base");
	parse_bad("name: t\n---\nname: u\n", 2, 1, "a second YAML document");
	/* 64 deep (with the top mapping) is read (and refused for what it
	 * is), 65 is not */
	deep = malloc(2 * n + 64);
	assert_non_null(deep);
	head = (size_t)sprintf(deep, "name: t\nx: ");
	for (i = 0; i < 63; i++)
		deep[head + (size_t)i] = '[';
	for (i = 0; i < 63; i++)
		deep[head + 63 + (size_t)i] = ']';
	strcpy(deep + head + 126, "\n");
	parse_bad(deep, 2, 1, "unknown key \"x\"");
	for (i = 0; i < 64; i++)
		deep[head + (size_t)i] = '[';
	for (i = 0; i < 64; i++)
		deep[head + 64 + (size_t)i] = ']';
	strcpy(deep + head + 128, "\n");
	parse_bad(deep, 2, 67, "nested more than 64 deep");
	head = (size_t)sprintf(deep, "name: t\nnodes: ");
	memset(deep + head, '{', n);
	strcpy(deep + head + n, "\n");
	parse_bad(deep, 2, 71, "nested more than 64 deep");
	free(deep);
}

/* Duplicate keys and names, overlapping subnets and addresses used twice
 * are found in linear (or n log n) time: 100,000 keys and 20,000 networks
 * took 45 s and 4 s comparing every pair. The bounds are generous, for
 * sanitizer builds on a loaded machine. */
static void test_linear_checks(void **state)
{
	size_t i, n = 100000, len = 0;
	char *s = malloc(40 * n);
	double t0;

	(void)state;
	assert_non_null(s);
	len += (size_t)sprintf(s + len, "name: t\nnodes:\n  a:\n    sysctls:\n");
	for (i = 0; i < n; i++)
		len += (size_t)sprintf(s + len, "      net.x%zu: 1\n", i);
	sprintf(s + len, "      net.x%zu: 1\n", n - 1);
	t0 = mono_ms();
	parse_bad(s, (int)n + 5, 7, "appears twice (first at line 100004)");
	assert_true(mono_ms() - t0 < 20000);

	/* 20,000 networks, then a duplicate bridge or an overlap */
	n = 20000;
	len = (size_t)sprintf(s, "name: t\nnetworks:\n");
	for (i = 0; i < n; i++)
		len += (size_t)sprintf(s + len, "  n%zu: {subnet: 10.%zu.%zu.0/24}\n",
				       i, i / 256, i % 256);
	strcpy(s + len, "  late: {subnet: 10.3.0.128/25}\n");
	t0 = mono_ms();
	parse_bad(s, (int)n + 3, 3, "the subnet of network late overlaps that of n768");
	assert_true(mono_ms() - t0 < 20000);
	strcpy(s + len, "  late: {bridge: n5, subnet: 192.168.0.0/24}\n");
	parse_bad(s, (int)n + 3, 3, "networks n5 and late use the same bridge n5");
	/* of several overlaps, the first in file order */
	parse_bad("name: t\nnetworks:\n  a: {subnet: 10.0.0.0/16}\n  b: {subnet: 10.1.0.0/16}\n"
		  "  c: {subnet: 10.1.2.0/24}\n  d: {subnet: 10.0.0.0/8}\n",
		  5, 3, "network c overlaps that of b");
	parse_bad("name: t\nnetworks:\n  a: {subnet: 'fd00::/64'}\n  b: {subnet: 'fd00::/48'}\n",
		  4, 3, "network b overlaps that of a");

	/* 40,000 nodes on them, addresses chosen, then one used twice */
	len = (size_t)sprintf(s, "name: t\nnetworks:\n");
	for (i = 0; i < n; i++)
		len += (size_t)sprintf(s + len, "  n%zu: {subnet: 10.%zu.%zu.0/24}\n",
				       i, i / 256, i % 256);
	len += (size_t)sprintf(s + len, "nodes:\n");
	for (i = 0; i < 2 * n; i++)
		len += (size_t)sprintf(s + len, "  h%zu: {networks: {n%zu: }}\n", i, i % n);
	sprintf(s + len, "  x: {networks: {n3: 10.0.3.200}}\n  y: {networks: {n3: 10.0.3.200}}\n");
	t0 = mono_ms();
	parse_bad(s, (int)(3 * n + 5), 22, "address of y is used by x too");
	assert_true(mono_ms() - t0 < 30000);
	free(s);
}

/* plan's commands quote every word a shell would read as more than text:
 * names cannot hold such characters, but run: commands and sysctl values
 * can, and a model not made by the parser could. */
static void test_plan_quoting(void **state)
{
	struct nsnet *nn = nsnet_new();
	struct topo_action run = { .kind = ACT_RUN }, sys = { .kind = ACT_SYSCTL },
		ns = { .kind = ACT_NS }, route = { .kind = ACT_ROUTE };
	json_t *cmds = json_array();
	struct topo *t;

	(void)state;
	t = parse_ok(nn,
		"name: q\n"
		"nodes:\n  web:\n"
		"    run: [\"echo 'hi' $(id); x=`id`\"]\n"
		"    sysctls: {net.ipv4.tcp_rmem: \"4096 $(id) 'x'\"}\n"
		"    routes: [\"10.1.0.0/16\tdev  eth0\"]\n");
	topo_action_commands(t, &run, cmds);
	topo_action_commands(t, &sys, cmds);
	topo_action_commands(t, &route, cmds);
	assert_string_equal(json_string_value(json_array_get(cmds, 0)),
		"ip netns exec web sh -c 'echo '\\''hi'\\'' $(id); x=`id`' >> /run/nsnet/topo/q/run-web-0.log 2>&1 &");
	assert_string_equal(json_string_value(json_array_get(cmds, 1)),
		"ip netns exec web sysctl -w 'net.ipv4.tcp_rmem=4096 $(id) '\\''x'\\'''");
	assert_string_equal(json_string_value(json_array_get(cmds, 2)),
		"ip -n web route add 10.1.0.0/16 dev eth0");
	/* a name the parser would refuse, in a model made by hand */
	free(t->nodes[0].name);
	t->nodes[0].name = strdup("a b;$(id)");
	json_array_clear(cmds);
	topo_action_commands(t, &ns, cmds);
	assert_string_equal(json_string_value(json_array_get(cmds, 0)),
			    "ip netns add 'a b;$(id)'");
	assert_string_equal(json_string_value(json_array_get(cmds, 1)),
			    "ip -n 'a b;$(id)' link set lo up");
	json_decref(cmds);
	topo_free(t);
	nsnet_free(nn);
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
		cmocka_unit_test(test_impairments),
		cmocka_unit_test(test_cable_nat),
		cmocka_unit_test(test_yaml_syntax),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_yaml_limits),
		cmocka_unit_test(test_linear_checks),
		cmocka_unit_test(test_plan_quoting),
		cmocka_unit_test(test_plan_json),
		cmocka_unit_test(test_step_timing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
