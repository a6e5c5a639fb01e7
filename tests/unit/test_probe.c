// SPDX-License-Identifier: GPL-2.0-or-later
/* test_probe.c - DEST[:PORT[/tcp|/udp]] parsing. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include <sys/socket.h>

#include "internal.h"
#include "probe.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dest_addr),
		cmocka_unit_test(test_dest_v6_and_name),
		cmocka_unit_test(test_dest_bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
