// SPDX-License-Identifier: GPL-2.0-or-later
/* test_ipam.c - addresses chosen for nodes that leave them empty: stable,
 * distinct, never the gateway or an explicit address, and a clear error
 * when the subnet is full. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "topology/topology.h"

static struct topo *parse(struct nsnet *nn, const char *yaml)
{
	struct topo *t = NULL;

	if (topo_parse_buffer(nn, "t.yaml", yaml, strlen(yaml), &t))
		fail_msg("refused: %s", nsnet_error(nn));
	return t;
}

static const struct ipaddr *addr_of(const struct topo *t, const char *node, int f)
{
	const struct topo_node *nd = topo_node_find(t, node);

	assert_non_null(nd);
	assert_true(nd->n_att >= 1);
	return &nd->att[0].addr[f];
}

static void test_stable(void **state)
{
	static const char *small =
		"name: t\nnetworks:\n  app:\n    subnet: [10.0.0.0/24, fd00:1::/64]\n"
		"nodes:\n  web: {networks: {app: }}\n  db: {networks: {app: }}\n";
	static const char *more =
		"name: t\nnetworks:\n  app:\n    subnet: [10.0.0.0/24, fd00:1::/64]\n"
		"nodes:\n  cache: {networks: {app: }}\n  web: {networks: {app: }}\n"
		"  queue: {networks: {app: }}\n  db: {networks: {app: }}\n";
	struct nsnet *nn = nsnet_new();
	struct topo *a, *b, *c;
	int f;

	(void)state;
	a = parse(nn, small);
	b = parse(nn, small);
	c = parse(nn, more);
	for (f = 0; f < 2; f++) {
		assert_int_equal(addr_of(a, "web", f)->family, f ? AF_INET6 : AF_INET);
		assert_true(ip_equal(addr_of(a, "web", f), addr_of(b, "web", f)));
		assert_true(ip_equal(addr_of(a, "db", f), addr_of(b, "db", f)));
		assert_false(ip_equal(addr_of(a, "web", f), addr_of(a, "db", f)));
		/* other nodes and another order in the file do not move web */
		assert_true(ip_equal(addr_of(a, "web", f), addr_of(c, "web", f)));
	}
	/* cache hashes to db's IPv4 address: the first name in order keeps
	 * it and db takes the next free one, in every run */
	assert_true(ip_equal(addr_of(a, "db", 0), addr_of(c, "cache", 0)));
	assert_false(ip_equal(addr_of(c, "db", 0), addr_of(c, "cache", 0)));
	assert_true(ip_equal(addr_of(a, "db", 1), addr_of(c, "db", 1)));
	topo_free(a);
	topo_free(b);
	topo_free(c);
	nsnet_free(nn);
}

/* A /29 has six hosts: gateway .1, explicit .2 and .6, three chosen. */
static void test_no_collision(void **state)
{
	static const char *yaml =
		"name: t\nnetworks:\n  app:\n    subnet: 10.0.0.0/29\n"
		"nodes:\n  a: {networks: {app: 10.0.0.2}}\n  b: {networks: {app: }}\n"
		"  c: {networks: {app: }}\n  d: {networks: {app: 10.0.0.6}}\n"
		"  e: {networks: {app: }}\n";
	static const char *names[] = { "a", "b", "c", "d", "e" };
	struct nsnet *nn = nsnet_new();
	struct topo *t;
	bool seen[8] = { false };
	size_t i;

	(void)state;
	t = parse(nn, yaml);
	for (i = 0; i < 5; i++) {
		const struct ipaddr *ip = addr_of(t, names[i], 0);
		unsigned int last = ip->a.b[3];

		assert_int_equal(ip->family, AF_INET);
		assert_int_equal(ip->prefix, 29);
		assert_int_equal(ip->a.b[0], 10);
		assert_int_equal(ip->a.b[2], 0);
		/* not the network (.0), the gateway (.1) or broadcast (.7) */
		assert_in_range(last, 2, 6);
		assert_false(seen[last]);
		seen[last] = true;
	}
	assert_int_equal(addr_of(t, "a", 0)->a.b[3], 2);
	assert_int_equal(addr_of(t, "d", 0)->a.b[3], 6);
	topo_free(t);
	nsnet_free(nn);
}

/* Explicit gateway in the middle of the range: never handed out. */
static void test_gateway_skipped(void **state)
{
	char yaml[1024];
	struct nsnet *nn = nsnet_new();
	struct topo *t;
	size_t i, n;
	int len;

	(void)state;
	len = snprintf(yaml, sizeof(yaml), "name: t\nnetworks:\n  app:\n"
		       "    subnet: 10.0.0.0/29\n    gateway: 10.0.0.4\nnodes:\n");
	for (n = 0; n < 5; n++)
		len += snprintf(yaml + len, sizeof(yaml) - (size_t)len,
				"  n%zu: {networks: {app: }}\n", n);
	t = parse(nn, yaml);
	for (i = 0; i < n; i++)
		assert_int_not_equal(t->nodes[i].att[0].addr[0].a.b[3], 4);
	topo_free(t);
	nsnet_free(nn);
}

static void test_full(void **state)
{
	static const char *yaml =
		"name: t\nnetworks:\n  app:\n    subnet: 10.0.0.0/29\n"
		"nodes:\n  a: {networks: {app: }}\n  b: {networks: {app: }}\n"
		"  c: {networks: {app: }}\n  d: {networks: {app: }}\n"
		"  e: {networks: {app: }}\n  f: {networks: {app: }}\n";
	struct nsnet *nn = nsnet_new();
	struct topo *t = NULL;
	const char *e;

	(void)state;
	assert_int_not_equal(topo_parse_buffer(nn, "t.yaml", yaml, strlen(yaml), &t), 0);
	assert_null(t);
	e = nsnet_error(nn);
	/* names sorted: a..e take the five free hosts, f finds none */
	if (strncmp(e, "t.yaml:11:", 10) ||
	    !strstr(e, "network app has no free IPv4 address left for f"))
		fail_msg("got \"%s\"", e);
	assert_int_equal(nsnet_error_exit_code(nn), 2);
	nsnet_free(nn);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stable),
		cmocka_unit_test(test_no_collision),
		cmocka_unit_test(test_gateway_skipped),
		cmocka_unit_test(test_full),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
