// SPDX-License-Identifier: GPL-2.0-or-later
/* test_names.c - strict parsing of names, addresses and prefixes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "kernel/kernel.h"

static void test_ifname(void **state)
{
	struct nsnet *nn = nsnet_new();

	(void)state;
	assert_int_equal(check_ifname(nn, "eth0"), 0);
	assert_int_equal(check_ifname(nn, "a23456789012345"), 0);
	assert_int_equal(check_ifname(nn, "a234567890123456"), -EINVAL);
	assert_non_null(strstr(nsnet_error(nn), "at most 15"));
	assert_int_equal(nsnet_error_exit_code(nn), 2);
	assert_int_equal(check_ifname(nn, ""), -EINVAL);
	assert_int_equal(check_ifname(nn, "a/b"), -EINVAL);
	assert_int_equal(check_ifname(nn, "a b"), -EINVAL);
	assert_int_equal(check_ifname(nn, ".."), -EINVAL);
	assert_int_equal(check_ifname(nn, "ns:if"), -EINVAL);
	nsnet_free(nn);
}

static void test_ns_name(void **state)
{
	struct nsnet *nn = nsnet_new();

	(void)state;
	assert_int_equal(check_ns_name(nn, "web", false), 0);
	assert_int_equal(check_ns_name(nn, "host", false), -EINVAL);
	assert_non_null(strstr(nsnet_error(nn), "reserved"));
	assert_int_equal(check_ns_name(nn, "host", true), 0);
	assert_int_equal(check_ns_name(nn, "..", false), -EINVAL);
	assert_int_equal(check_ns_name(nn, "a/b", false), -EINVAL);
	assert_int_equal(check_ns_name(nn, "", false), -EINVAL);
	/* ip netns list and nsnet ns list skip dot files: it would be
	 * created and then be invisible. */
	assert_int_equal(check_ns_name(nn, ".hidden", false), -EINVAL);
	assert_non_null(strstr(nsnet_error(nn), ".hidden"));
	assert_int_equal(check_ns_name(nn, "a.b", false), 0);
	nsnet_free(nn);
}

/* The one rule: nothing a shell or nft would read differently, nothing
 * that looks like an option (issue 10: `ns add --help` made a namespace). */
static void test_name_rule(void **state)
{
	struct nsnet *nn = nsnet_new();
	const char *bad[] = { "--help", "-x", "a$b", "a`b`", "a;b", "a'b", "a\"b",
			      "a b", "a\tb", "a\\b", "a*b", "a?b", "a|b", "a&b", "a(b",
			      "a\x01b", "caf\xc3\xa9", ".", "..", "a/b", "a:b" };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(name_check(nn, "node", bad[i], 64), -EINVAL);
		assert_int_equal(nsnet_error_exit_code(nn), 2);
		assert_int_equal(check_ns_name(nn, bad[i], false), -EINVAL);
		assert_int_equal(check_ifname(nn, bad[i]), -EINVAL);
	}
	assert_int_equal(name_check(nn, "topology", "--help", 64), -EINVAL);
	assert_non_null(strstr(nsnet_error(nn), "topology name \"--help\" starts with '-'"));
	assert_int_equal(name_check(nn, "node", "web-1.a_b", 64), 0);
	assert_int_equal(name_check(nn, "node", "a-", 64), 0);
	assert_int_equal(name_check(nn, "node", "abc", 2), -EINVAL);
	nsnet_free(nn);
}

static void test_cidr(void **state)
{
	struct ipaddr ip;
	char buf[64];

	(void)state;
	assert_int_equal(cidr_parse("10.10.0.10/16", &ip), 0);
	assert_int_equal(ip.family, AF_INET);
	assert_int_equal(ip.prefix, 16);
	assert_string_equal(ip_str(&ip, buf, sizeof(buf)), "10.10.0.10/16");
	assert_int_equal(cidr_parse("192.168.15.1", &ip), 0);
	assert_int_equal(ip.prefix, -1);
	assert_int_equal(cidr_parse("fd00::1/64", &ip), 0);
	assert_int_equal(ip.family, AF_INET6);
	assert_int_equal(cidr_parse("10.0.0.1/33", &ip), -EINVAL);
	assert_int_equal(cidr_parse("10.0.0.1/", &ip), -EINVAL);
	assert_int_equal(cidr_parse("10.0.0.1/-1", &ip), -EINVAL);
	assert_int_equal(cidr_parse("10.0.0.1/24x", &ip), -EINVAL);
	assert_int_equal(cidr_parse("10.0.0/24", &ip), -EINVAL);
	assert_int_equal(cidr_parse("10.0.0.256/24", &ip), -EINVAL);
	assert_int_equal(cidr_parse(" 10.0.0.1/24", &ip), -EINVAL);
	assert_int_equal(cidr_parse("fd00::1/129", &ip), -EINVAL);
}

static void test_prefix(void **state)
{
	struct ipaddr ip, a;

	(void)state;
	assert_int_equal(prefix_parse("default", &ip), 0);
	assert_int_equal(ip.prefix, 0);
	assert_int_equal(prefix_parse("192.168.1.0/24", &ip), 0);
	assert_int_equal(prefix_parse("192.168.1.1/24", &ip), -EINVAL);
	assert_int_equal(prefix_parse("10.1.2.3", &ip), 0);
	assert_int_equal(ip.prefix, 32);
	assert_int_equal(prefix_parse("10.10.0.0/16", &ip), 0);
	assert_int_equal(ip_parse("10.10.200.3", &a), 0);
	assert_true(ip_in_prefix(&ip, &a));
	assert_int_equal(ip_parse("10.11.0.1", &a), 0);
	assert_false(ip_in_prefix(&ip, &a));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ifname),
		cmocka_unit_test(test_ns_name),
		cmocka_unit_test(test_name_rule),
		cmocka_unit_test(test_cidr),
		cmocka_unit_test(test_prefix),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
