// SPDX-License-Identifier: GPL-2.0-or-later
/* test_probe.c - DEST[:PORT[/tcp|/udp]] parsing, private addresses and
 * doctor's reading of foreign nftables chains. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include <sys/socket.h>

#include "kernel/kernel.h"
#include "diagnosis/diagnosis.h"

static void test_dest_addr(void **state)
{
	struct probe_dest d;

	(void)state;
	assert_int_equal(probe_dest_parse("10.10.0.20", &d), 0);
	assert_true(d.is_addr);
	assert_int_equal(d.addr.family, AF_INET);
	assert_int_equal(d.port, 0);
	assert_int_equal(d.proto, 0);

	assert_int_equal(probe_dest_parse("203.0.113.10:80", &d), 0);
	assert_int_equal(d.port, 80);
	assert_int_equal(d.proto, IPPROTO_TCP);

	assert_int_equal(probe_dest_parse("10.0.0.1:53/udp", &d), 0);
	assert_int_equal(d.port, 53);
	assert_int_equal(d.proto, IPPROTO_UDP);

	assert_int_equal(probe_dest_parse("10.0.0.1:5432/tcp", &d), 0);
	assert_int_equal(d.proto, IPPROTO_TCP);
}

static void test_dest_v6_and_name(void **state)
{
	struct probe_dest d;

	(void)state;
	assert_int_equal(probe_dest_parse("fd00::1", &d), 0);
	assert_int_equal(d.addr.family, AF_INET6);
	assert_int_equal(d.port, 0);
	assert_int_equal(probe_dest_parse("[fd00::1]:443", &d), 0);
	assert_int_equal(d.addr.family, AF_INET6);
	assert_int_equal(d.port, 443);

	assert_int_equal(probe_dest_parse("database:5432", &d), 0);
	assert_false(d.is_addr);
	assert_string_equal(d.name, "database");
	assert_int_equal(d.port, 5432);
}

static void test_dest_bad(void **state)
{
	static const char *const bad[] = {
		"", ":80", "10.0.0.1:", "10.0.0.1:0", "10.0.0.1:65536",
		"10.0.0.1:+80", "10.0.0.1: 80", "10.0.0.1:80/sctp",
		"10.0.0.1:80/", "10.0.0.300", "1.2.3", "[10.0.0.1]:80",
		"[fd00::1", "[fd00::1]80", "fd00::1:80/tcp", "a b", "web:x",
		"-web",
	};
	struct probe_dest d;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (probe_dest_parse(bad[i], &d) != -EINVAL)
			fail_msg("accepted \"%s\"", bad[i]);
	}
}

static void test_private(void **state)
{
	static const char *const priv[] = {
		"10.0.0.1", "10.255.255.255", "172.16.0.1", "172.31.255.1",
		"192.168.1.1", "100.64.0.1", "100.127.255.255", "fd00::1",
		"fc00::1",
	};
	static const char *const pub[] = {
		"203.0.113.10", "198.51.100.1", "172.15.255.255", "172.32.0.1",
		"192.169.0.1", "100.63.255.255", "100.128.0.1", "11.0.0.1",
		"2001:db8::1", "fe80::1",
	};
	struct ipaddr ip;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(priv) / sizeof(priv[0]); i++) {
		assert_int_equal(ip_parse(priv[i], &ip), 0);
		if (!probe_addr_private(&ip))
			fail_msg("%s is private", priv[i]);
	}
	for (i = 0; i < sizeof(pub) / sizeof(pub[0]); i++) {
		assert_int_equal(ip_parse(pub[i], &ip), 0);
		if (probe_addr_private(&ip))
			fail_msg("%s is not private", pub[i]);
	}
}

/* What `nft -j list ruleset` says for a Docker-like FORWARD chain. */
static const char ruleset[] =
	"{\"nftables\": ["
	"{\"metainfo\": {\"json_schema_version\": 1}},"
	"{\"chain\": {\"family\": \"ip\", \"table\": \"filter\", \"name\": \"FORWARD\","
	" \"type\": \"filter\", \"hook\": \"forward\", \"prio\": 0, \"policy\": \"drop\"}},"
	"{\"rule\": {\"family\": \"ip\", \"table\": \"filter\", \"chain\": \"FORWARD\", \"handle\": 4,"
	" \"expr\": [{\"match\": {\"op\": \"==\", \"left\": {\"meta\": {\"key\": \"oifname\"}}, \"right\": \"app_br\"}},"
	"  {\"match\": {\"op\": \"in\", \"left\": {\"ct\": {\"key\": \"state\"}}, \"right\": [\"established\", \"related\"]}},"
	"  {\"counter\": {\"packets\": 0, \"bytes\": 0}}, {\"accept\": null}]}},"
	"{\"rule\": {\"family\": \"ip\", \"table\": \"filter\", \"chain\": \"FORWARD\", \"handle\": 5,"
	" \"expr\": [{\"match\": {\"op\": \"==\", \"left\": {\"payload\": {\"protocol\": \"ip\", \"field\": \"saddr\"}}, \"right\": \"10.0.0.1\"}},"
	"  {\"accept\": null}]}},"
	"{\"rule\": {\"family\": \"ip\", \"table\": \"filter\", \"chain\": \"FORWARD\", \"handle\": 6,"
	" \"expr\": [{\"match\": {\"op\": \"==\", \"left\": {\"meta\": {\"key\": \"iifname\"}}, \"right\": \"bad*\"}},"
	"  {\"drop\": null}]}},"
	"{\"rule\": {\"family\": \"ip\", \"table\": \"filter\", \"chain\": \"FORWARD\", \"handle\": 7,"
	" \"expr\": [{\"match\": {\"op\": \"!=\", \"left\": {\"meta\": {\"key\": \"iifname\"}}, \"right\": \"eth0\"}},"
	"  {\"jump\": {\"target\": \"DOCKER\"}}]}},"
	"{\"rule\": {\"family\": \"ip\", \"table\": \"filter\", \"chain\": \"FORWARD\", \"handle\": 8,"
	" \"expr\": [{\"match\": {\"op\": \"==\", \"left\": {\"meta\": {\"key\": \"iifname\"}}, \"right\": \"ok_br\"}},"
	"  {\"accept\": null}]}},"
	"{\"rule\": {\"family\": \"ip\", \"table\": \"other\", \"chain\": \"FORWARD\", \"handle\": 2,"
	" \"expr\": [{\"accept\": null}]}}"
	"]}";

static void test_chain_verdict(void **state)
{
	json_t *rs = json_loads(ruleset, 0, NULL);
	struct probe_pkt p;
	long long h;

	(void)state;
	assert_non_null(rs);
	/* new traffic from app_br: nothing accepts it, the policy drops */
	p = (struct probe_pkt){ "app_br", "eth0", false };
	assert_int_equal(probe_chain_verdict(rs, "ip", "filter", "FORWARD",
					     "drop", &p, &h), PROBE_V_POLICY_DROP);
	assert_int_equal(h, -1);
	/* its replies: rule 4 (oifname and ct state) */
	p = (struct probe_pkt){ "eth0", "app_br", true };
	assert_int_equal(probe_chain_verdict(rs, "ip", "filter", "FORWARD",
					     "drop", &p, &h), PROBE_V_ACCEPT);
	assert_int_equal(h, 4);
	/* a new connection towards app_br is not established */
	p = (struct probe_pkt){ "eth0", "app_br", false };
	assert_int_equal(probe_chain_verdict(rs, "ip", "filter", "FORWARD",
					     "drop", &p, &h), PROBE_V_POLICY_DROP);
	/* "bad*" is a prefix */
	p = (struct probe_pkt){ "bad_br", "eth0", false };
	assert_int_equal(probe_chain_verdict(rs, "ip", "filter", "FORWARD",
					     "drop", &p, &h), PROBE_V_DROP);
	assert_int_equal(h, 6);
	/* a jump is not followed: rule 8 decides */
	p = (struct probe_pkt){ "ok_br", "eth0", false };
	assert_int_equal(probe_chain_verdict(rs, "ip", "filter", "FORWARD",
					     "drop", &p, &h), PROBE_V_ACCEPT);
	assert_int_equal(h, 8);
	/* other tables' rules do not count; an accept policy lets it be */
	p = (struct probe_pkt){ "app_br", "eth0", false };
	assert_int_equal(probe_chain_verdict(rs, "ip", "filter", "FORWARD",
					     "accept", &p, &h), PROBE_V_NONE);
	assert_int_equal(probe_chain_verdict(rs, "ip", "nosuch", "FORWARD",
					     "drop", &p, &h), PROBE_V_POLICY_DROP);
	json_decref(rs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dest_addr),
		cmocka_unit_test(test_dest_v6_and_name),
		cmocka_unit_test(test_dest_bad),
		cmocka_unit_test(test_private),
		cmocka_unit_test(test_chain_verdict),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
