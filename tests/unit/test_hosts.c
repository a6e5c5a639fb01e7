// SPDX-License-Identifier: GPL-2.0-or-later
/* test_hosts.c - a topology over several machines (docs/multihost.md):
 * hosts:, host:, vni:, gateway_host:, mtu: as parsed and checked (each
 * mistake at its line:column, exit status 2), a machine's part of the
 * file, and its VXLAN actions as commands. No kernel: the machine is named
 * with nsnet_set_host(). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>

#include "topology/topology.h"

static const char lab[] =
	"name: lab\n"
	"hosts:\n"
	"  m1: {address: 198.51.100.11}\n"
	"  m2: {address: 198.51.100.12}\n"
	"  m3: {address: 198.51.100.13}\n"
	"networks:\n"
	"  app: {subnet: 10.20.0.0/24, nat: true}\n"
	"  db: {subnet: 10.21.0.0/24, vni: 4242, gateway_host: m3}\n"
	"  solo: {subnet: 10.22.0.0/24, mtu: 9000}\n"
	"  far: {subnet: 10.23.0.0/24}\n"
	"nodes:\n"
	"  a: {host: m1, networks: {app: 10.20.0.11, solo: }}\n"
	"  b: {host: m2, networks: {app: 10.20.0.12, db: 10.21.0.12}}\n"
	"  c: {host: m3, networks: {app: , db: }}\n"
	"  d: {host: m3, networks: {far: }}\n"
	"  e: {host: m1}\n"
	"cables:\n"
	"  - {a: a, b: e, a_addr: 192.168.9.1/24, b_addr: 192.168.9.2/24}\n"
	"  - {a: c, b: d}\n"
	"expect:\n"
	"  - \"a -> c: reach\"\n"
	"  - \"c -> a: reach\"\n";

static struct topo *parse_ok(struct nsnet *nn, const char *yaml)
{
	struct topo *t = NULL;

	if (topo_parse_buffer(nn, "t.yaml", yaml, strlen(yaml), &t))
		fail_msg("refused: %s", nsnet_error(nn));
	assert_non_null(t);
	return t;
}

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

static const struct topo_net *net_named(const struct topo *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->n_nets; i++)
		if (!strcmp(t->nets[i].name, name))
			return &t->nets[i];
	fail_msg("no network %s", name);
	return NULL;
}

static void test_parse(void **state)
{
	struct nsnet *nn = nsnet_new();
	const struct topo_net *app, *db, *solo, *far;
	struct topo *t, *again;
	char a[64];

	(void)state;
	t = parse_ok(nn, lab);
	assert_int_equal(t->n_hosts, 3);
	assert_string_equal(t->hosts[1].name, "m2");
	assert_string_equal(ip_str(&t->hosts[1].addr, a, sizeof(a)), "198.51.100.12");
	assert_int_equal(t->hosts[1].pos.line, 4);
	assert_int_equal(t->nodes[1].host, 1);
	assert_int_equal(t->nodes[2].host, 2);
	assert_int_equal(t->local, SIZE_MAX);   /* the whole file, until localized */
	app = net_named(t, "app");
	db = net_named(t, "db");
	solo = net_named(t, "solo");
	far = net_named(t, "far");
	/* app: on all three, the gateway on the first machine with a node */
	assert_int_equal(app->n_span, 3);
	assert_int_equal(app->gw_host, 0);
	assert_true(topo_net_spans(app));
	assert_int_equal(topo_net_mtu(t, app), 1450);
	/* db: b on m2 and c on m3, gateway named */
	assert_int_equal(db->n_span, 2);
	assert_int_equal(db->span[0], 1);
	assert_int_equal(db->span[1], 2);
	assert_int_equal(db->gw_host, 2);
	assert_int_equal(db->vni, 4242);
	/* solo: one machine, its own MTU; far: only on m3, its gateway too */
	assert_int_equal(solo->n_span, 1);
	assert_false(topo_net_spans(solo));
	assert_int_equal(topo_net_mtu(t, solo), 9000);
	assert_int_equal(far->gw_host, 2);
	assert_int_equal(topo_net_mtu(t, far), 0);
	/* a derived VNI: 24 bits, the same for the same names, different
	 * for another network */
	assert_true(app->vni >= 1 && app->vni <= 16777215);
	assert_int_not_equal(app->vni, far->vni);
	again = parse_ok(nn, lab);
	assert_int_equal(net_named(again, "app")->vni, app->vni);
	topo_free(again);
	topo_free(t);

	/* A file without hosts: is one machine, as ever. */
	t = parse_ok(nn, "name: one\nnetworks: {n: {subnet: 10.0.0.0/24, mtu: 1400}}\n"
			 "nodes: {x: {networks: {n: }}}\n");
	assert_int_equal(t->n_hosts, 0);
	assert_int_equal(topo_net_mtu(t, &t->nets[0]), 1400);
	assert_int_equal(topo_hosts_localize(nn, t), 0);
	assert_int_equal(t->n_nodes, 1);
	assert_null(topo_local_host(t));
	assert_true(topo_net_gateway_here(t, &t->nets[0]));
	topo_free(t);

	/* One host: nodes need no host: */
	t = parse_ok(nn, "name: one\nhosts: {only: {address: 2001:db8::1}}\n"
			 "networks: {n: {subnet: 10.0.0.0/24}}\nnodes: {x: {networks: {n: }}}\n");
	assert_int_equal(t->nodes[0].host, 0);
	assert_false(topo_net_spans(&t->nets[0]));
	topo_free(t);
	nsnet_free(nn);
}

static void test_bad(void **state)
{
	(void)state;
	parse_bad("name: x\nhosts:\n  m1: {address: 198.51.100.11}\n"
		  "  m2: {address: 198.51.100.11}\n", 4, 3, "host m2 has the address 198.51.100.11 of host m1");
	parse_bad("name: x\nhosts:\n  m1: {address: 198.51.100.11}\n"
		  "  m1: {address: 198.51.100.12}\n", 4, 3, "host \"m1\" appears twice");
	parse_bad("name: x\nhosts:\n  m1: {address: 10.0.0.300}\n", 3, 17,
		  "not a unicast IP address");
	parse_bad("name: x\nhosts:\n  m1: {address: 224.0.0.1}\n", 3, 17,
		  "not a unicast IP address");
	parse_bad("name: x\nhosts:\n  m1: {}\n", 3, 3, "host m1 has no address:");
	parse_bad("name: x\nhosts:\n  m1: {addr: 198.51.100.1}\n", 3, 8,
		  "unknown key \"addr\" in a host");
	parse_bad("name: x\nhosts:\n  -bad: {address: 198.51.100.1}\n", 3, 3, "host");
	parse_bad("name: x\nhosts:\n  m1: {address: 198.51.100.11}\n"
		  "  m2: {address: 2001:db8::2}\n", 4, 3, "must be of one family");
	parse_bad("name: x\nhosts:\n", 2, 7, "hosts: names no machine");
	/* nodes */
	parse_bad("name: x\nhosts:\n  m1: {address: 198.51.100.11}\n"
		  "  m2: {address: 198.51.100.12}\n"
		  "nodes:\n  a: {host: m9}\n", 6, 13, "node a: host m9 is not in hosts: (m1, m2)");
	parse_bad("name: x\nhosts:\n  m1: {address: 198.51.100.11}\n"
		  "  m2: {address: 198.51.100.12}\n"
		  "nodes:\n  a: {}\n", 6, 3, "node a: which machine? add host: (one of m1, m2)");
	parse_bad("name: x\nnodes:\n  a: {host: m1}\n", 3, 13,
		  "host: m1, but the file has no hosts: section");
	parse_bad("name: x\nhosts: {m1: {address: 198.51.100.11}}\nnodes:\n  a: {host: \"m 1\"}\n",
		  4, 13, "host");
	/* networks */
	parse_bad("name: x\nhosts: {m1: {address: 198.51.100.11}}\n"
		  "networks:\n  n: {subnet: 10.0.0.0/24, vni: 16777216}\n", 4, 33,
		  "vni \"16777216\" is not a number from 1 to 16777215");
	parse_bad("name: x\nhosts: {m1: {address: 198.51.100.11}}\n"
		  "networks:\n  n: {subnet: 10.0.0.0/24, vni: 0}\n", 4, 33, "vni \"0\"");
	parse_bad("name: x\nhosts: {m1: {address: 198.51.100.11}}\n"
		  "networks:\n  n: {subnet: 10.0.0.0/24, vni: -3}\n", 4, 33, "vni \"-3\"");
	parse_bad("name: x\nhosts: {m1: {address: 198.51.100.11}}\n"
		  "networks:\n  n: {subnet: 10.0.0.0/24, vni: 7}\n"
		  "  o: {subnet: 10.0.1.0/24, vni: 7}\n", 5, 33, "network o: vni 7 is network n's too");
	parse_bad("name: x\nhosts: {m1: {address: 198.51.100.11}}\n"
		  "networks:\n  n: {subnet: 10.0.0.0/24, gateway_host: m4}\n", 4, 42,
		  "network n: gateway_host m4 is not in hosts: (m1)");
	parse_bad("name: x\nnetworks:\n  n: {subnet: 10.0.0.0/24, vni: 7}\n", 3, 33,
		  "vni: needs a hosts: section");
	parse_bad("name: x\nnetworks:\n  n: {subnet: 10.0.0.0/24, gateway_host: m1}\n", 3, 42,
		  "gateway_host: needs a hosts: section");
	parse_bad("name: x\nnetworks:\n  n: {subnet: 10.0.0.0/24, mtu: 60}\n", 3, 33,
		  "mtu \"60\" is not a number from 68 to 65535");
	/* a cable is one machine's; a published port the gateway's machine's */
	parse_bad("name: x\nhosts: {m1: {address: 198.51.100.11}, m2: {address: 198.51.100.12}}\n"
		  "nodes:\n  a: {host: m1}\n  b: {host: m2}\ncables:\n  - {a: a, b: b}\n", 7, 5,
		  "cable a - b joins nodes on two machines (m1 and m2)");
	parse_bad("name: x\nhosts: {m1: {address: 198.51.100.11}, m2: {address: 198.51.100.12}}\n"
		  "networks: {n: {subnet: 10.0.0.0/24}}\n"
		  "nodes:\n  a: {host: m1, networks: {n: }}\n"
		  "  b: {host: m2, networks: {n: }, publish: [\"8080:80\"]}\n", 6, 3,
		  "node b publishes ports on m2, but its default route goes to the gateway of network n on m1");
}

/* The part of m2: its nodes, its networks renumbered, its cables; the
 * others' nodes kept for the hosts files and check. */
static void test_localize(void **state)
{
	struct nsnet *nn = nsnet_new();
	const struct topo_net *app, *db;
	struct topo *t;
	char *hosts;
	size_t i;

	(void)state;
	t = parse_ok(nn, lab);
	assert_int_equal(nsnet_set_host(nn, "m2"), 0);
	assert_int_equal(topo_hosts_localize(nn, t), 0);
	assert_string_equal(topo_local_host(t)->name, "m2");
	assert_int_equal(t->n_nodes, 1);
	assert_string_equal(t->nodes[0].name, "b");
	assert_int_equal(t->n_remote, 4);
	assert_non_null(topo_remote_find(t, "a"));
	assert_null(topo_remote_find(t, "b"));
	assert_int_equal(t->n_nets, 2);     /* app and db; not solo, not far */
	app = net_named(t, "app");
	db = net_named(t, "db");
	assert_ptr_equal(&t->nets[t->nodes[0].att[0].net], app);
	assert_ptr_equal(&t->nets[t->nodes[0].att[1].net], db);
	assert_false(topo_net_gateway_here(t, app));   /* m1's */
	assert_false(topo_net_gateway_here(t, db));    /* m3's */
	assert_int_equal(t->n_cables, 0);
	/* c's networks here are renumbered, d's far is not here at all */
	assert_ptr_equal(&t->nets[topo_remote_find(t, "c")->att[1].net], db);
	assert_int_equal(topo_remote_find(t, "d")->att[0].net, SIZE_MAX);
	/* every node's names, wherever it runs */
	hosts = topo_hosts_file(t);
	for (i = 0; i < 2; i++)
		assert_non_null(strstr(hosts, i ? "10.21.0.12\tb\n" : "10.20.0.11\ta\n"));
	assert_non_null(strstr(hosts, "\tc\n"));
	assert_non_null(strstr(hosts, "\td\n"));
	free(hosts);
	/* localized once */
	assert_int_equal(topo_hosts_localize(nn, t), 0);
	assert_int_equal(t->n_nodes, 1);
	topo_free(t);

	/* m1: a and e with their cable, the solo network, app's gateway */
	t = parse_ok(nn, lab);
	assert_int_equal(nsnet_set_host(nn, "m1"), 0);
	assert_int_equal(topo_hosts_localize(nn, t), 0);
	assert_int_equal(t->n_nodes, 2);
	assert_int_equal(t->n_cables, 1);
	assert_string_equal(t->cables[0].a, "a");
	assert_true(topo_net_gateway_here(t, net_named(t, "app")));
	assert_int_equal(t->n_nets, 2);
	topo_free(t);

	/* a machine the file does not name; --host for a file of one machine */
	t = parse_ok(nn, lab);
	assert_int_equal(nsnet_set_host(nn, "m9"), 0);
	assert_int_equal(topo_hosts_localize(nn, t), -EINVAL);
	assert_string_equal(nsnet_error(nn),
			    "--host m9: topology lab has no such machine (hosts: m1, m2, m3)");
	assert_int_equal(nsnet_error_exit_code(nn), 2);
	topo_free(t);
	t = parse_ok(nn, "name: one\nnodes: {x: }\n");
	assert_int_equal(topo_hosts_localize(nn, t), -EINVAL);
	assert_non_null(strstr(nsnet_error(nn), "is on one machine"));
	topo_free(t);
	assert_int_not_equal(nsnet_set_host(nn, "-x"), 0);
	nsnet_free(nn);
}

/* What plan prints for a network over several machines. */
static void test_commands(void **state)
{
	struct nsnet *nn = nsnet_new();
	struct topo_action vx = { .kind = ACT_VXLAN }, up = { .kind = ACT_VXLAN_UP },
		fdb = { .kind = ACT_FDB, .idx = 2 }, redo = { .kind = ACT_VXLAN, .repair = true };
	json_t *cmds = json_array();
	char name[IFNAMSIZ], want[256], what[256];
	struct topo *t;

	(void)state;
	t = parse_ok(nn, lab);
	assert_int_equal(nsnet_set_host(nn, "m2"), 0);
	assert_int_equal(topo_hosts_localize(nn, t), 0);
	vx.obj = up.obj = fdb.obj = redo.obj = (size_t)(net_named(t, "app") - t->nets);
	topo_vxlan_ifname(name, sizeof(name), &t->nets[vx.obj]);
	assert_int_equal(strncmp(name, "vx-app-", 7), 0);
	assert_int_equal(strlen(name), 13);
	topo_action_commands(t, &vx, cmds);
	topo_action_commands(t, &fdb, cmds);
	topo_action_commands(t, &up, cmds);
	topo_action_commands(t, &redo, cmds);
	snprintf(want, sizeof(want),
		 "ip link add %s type vxlan id %u local 198.51.100.12 dstport 4789 nolearning mtu 1450",
		 name, t->nets[vx.obj].vni);
	assert_string_equal(json_string_value(json_array_get(cmds, 0)), want);
	snprintf(want, sizeof(want), "ip link set %s master app mtu 1450 alias nsnet:lab up", name);
	assert_string_equal(json_string_value(json_array_get(cmds, 1)), want);
	snprintf(want, sizeof(want), "bridge fdb append 00:00:00:00:00:00 dev %s dst 198.51.100.13",
		 name);
	assert_string_equal(json_string_value(json_array_get(cmds, 2)), want);
	snprintf(want, sizeof(want), "ip link set %s master app mtu 1450 alias nsnet:lab up", name);
	assert_string_equal(json_string_value(json_array_get(cmds, 3)), want);
	snprintf(want, sizeof(want), "ip link del %s", name);
	assert_string_equal(json_string_value(json_array_get(cmds, 4)), want);
	assert_int_equal(json_array_size(cmds), 7);
	assert_string_equal(topo_action_kind(ACT_FDB), "forwarding_entry");
	topo_action_str(t, &fdb, what, sizeof(what));
	snprintf(want, sizeof(want), "forwarding entry of %s to m3 (198.51.100.13)", name);
	assert_string_equal(what, want);
	json_decref(cmds);
	topo_free(t);
	nsnet_free(nn);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_localize),
		cmocka_unit_test(test_commands),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
