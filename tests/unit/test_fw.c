// SPDX-License-Identifier: GPL-2.0-or-later
/* test_fw.c - published-port specs and the nft text of firewall changes. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include "firewall/firewall.h"

static void parse_fam(const char *s, const char *canon, bool any, int family,
		      unsigned int hl, unsigned int hh, unsigned int pl,
		      unsigned int ph, int proto)
{
	struct fw_spec sp, again;
	char why[256] = "", buf[96];

	if (fw_spec_parse(s, &sp, why, sizeof(why)))
		fail_msg("\"%s\" refused: %s", s, why);
	assert_int_equal(sp.any_ip, any);
	assert_int_equal(sp.family, family);
	assert_int_equal(sp.host_lo, hl);
	assert_int_equal(sp.host_hi, hh);
	assert_int_equal(sp.port_lo, pl);
	assert_int_equal(sp.port_hi, ph);
	assert_int_equal(sp.proto, proto);
	assert_string_equal(fw_spec_str(&sp, buf, sizeof(buf)), canon);
	/* the canonical form parses to the same spec */
	assert_int_equal(fw_spec_parse(buf, &again, why, sizeof(why)), 0);
	assert_int_equal(again.family, sp.family);
	assert_int_equal(again.any_ip, sp.any_ip);
	assert_true(sp.any_ip || ip_equal(&again.host_ip, &sp.host_ip));
}

static void parse_ok(const char *s, const char *canon, bool any, unsigned int hl,
		     unsigned int hh, unsigned int pl, unsigned int ph, int proto)
{
	parse_fam(s, canon, any, any ? 0 : AF_INET, hl, hh, pl, ph, proto);
}

static void parse_bad(const char *s, const char *why_part)
{
	struct fw_spec sp;
	char why[256] = "";

	assert_int_equal(fw_spec_parse(s, &sp, why, sizeof(why)), -EINVAL);
	if (!strstr(why, why_part))
		fail_msg("\"%s\": expected \"%s\" in \"%s\"", s, why_part, why);
}

static void test_spec_good(void **state)
{
	(void)state;
	parse_ok("8080:80", "8080:80/tcp", true, 8080, 8080, 80, 80, IPPROTO_TCP);
	parse_ok("8080:80/udp", "8080:80/udp", true, 8080, 8080, 80, 80, IPPROTO_UDP);
	parse_ok("127.0.0.1:8080:80/tcp", "127.0.0.1:8080:80/tcp", false, 8080,
		 8080, 80, 80, IPPROTO_TCP);
	parse_ok("9000-9009:9000-9009", "9000-9009:9000-9009/tcp", true, 9000,
		 9009, 9000, 9009, IPPROTO_TCP);
	parse_ok("8000-8002:90-92/udp", "8000-8002:90-92/udp", true, 8000, 8002,
		 90, 92, IPPROTO_UDP);
	parse_ok("1:65535", "1:65535/tcp", true, 1, 1, 65535, 65535, IPPROTO_TCP);
}

static void test_spec_ipv6(void **state)
{
	(void)state;
	parse_fam("[2001:db8::2]:8080:80/tcp", "[2001:db8::2]:8080:80/tcp", false,
		  AF_INET6, 8080, 8080, 80, 80, IPPROTO_TCP);
	/* bare: the last two ':' separate the ports */
	parse_fam("2001:db8::2:8080:80", "[2001:db8::2]:8080:80/tcp", false,
		  AF_INET6, 8080, 8080, 80, 80, IPPROTO_TCP);
	parse_fam("[fd00:1::10]:9000-9009:9000-9009/udp",
		  "[fd00:1::10]:9000-9009:9000-9009/udp", false, AF_INET6, 9000,
		  9009, 9000, 9009, IPPROTO_UDP);
	/* every address of one family */
	parse_fam("[::]:8080:80", "[::]:8080:80/tcp", true, AF_INET6, 8080, 8080,
		  80, 80, IPPROTO_TCP);
	parse_fam(":::8080:80", "[::]:8080:80/tcp", true, AF_INET6, 8080, 8080,
		  80, 80, IPPROTO_TCP);
	parse_fam("0.0.0.0:8080:80/udp", "0.0.0.0:8080:80/udp", true, AF_INET,
		  8080, 8080, 80, 80, IPPROTO_UDP);
	parse_fam("8080:80", "8080:80/tcp", true, 0, 8080, 8080, 80, 80,
		  IPPROTO_TCP);
}

static void test_spec_bad(void **state)
{
	(void)state;
	parse_bad("", "empty");
	parse_bad("8080", "is not");
	parse_bad("0:80", "from 1 to 65535");
	parse_bad("8080:65536", "from 1 to 65535");
	parse_bad("8080:99999999999", "from 1 to 65535");
	parse_bad("90-80:90-80", "below its start");
	parse_bad("80-81:80", "same length");
	parse_bad("80-89:90-100", "same length");
	parse_bad("80:80/sctp", "unknown protocol \"sctp\"");
	parse_bad("80:80/", "unknown protocol");
	parse_bad("300.1.1.1:80:80", "not an IPv4 or IPv6 address");
	parse_bad("1.2.3.4:1:80:80", "\"1.2.3.4:1\" is not an IPv4 or IPv6 address");
	parse_bad("[::1]:80:80", "::1 cannot be published");
	parse_bad("::1:80:80", "::1 cannot be published");
	parse_bad("[fe80::1]:80:80", "link-local");
	parse_bad("[ff02::1]:80:80", "multicast");
	parse_bad("[::ffff:1.2.3.4]:80:80", "IPv4-mapped");
	parse_bad("[1.2.3.4]:80:80", "brackets are for IPv6");
	parse_bad("[2001:db8::2]80:80", "is not [IPV6]");
	parse_bad("[2001:db8::2:80:80", "is not [IPV6]");
	parse_bad("2001:db8::2]:80:80", "']' without '['");
	parse_bad("[2001:db8::2]:80", "is not [HOSTIP:]");
	parse_bad("[nope]:80:80", "not an IPv4 or IPv6 address");
	parse_bad("a:b", "host port \"a\"");
	parse_bad("80:-", "namespace port");
	parse_bad("80--90:80--90", "host port");
	parse_bad(":80", "host port");
}

static struct ipaddr addr(const char *s)
{
	struct ipaddr a;

	assert_int_equal(cidr_parse(s, &a), 0);
	return a;
}

static void assert_line(const struct fw_script *s, size_t i, const char *text)
{
	assert_true(i < s->n);
	if (strlen(text) != s->lines[i].len ||
	    strncmp(s->text + s->lines[i].off, text, s->lines[i].len))
		fail_msg("line %zu: expected\n  %s\ngot\n  %.*s", i, text,
			 (int)s->lines[i].len, s->text + s->lines[i].off);
}

static void test_publish_single(void **state)
{
	struct fw_script s;
	struct fw_spec sp;
	struct fw_targets t = { .v4 = true, .to4 = addr("10.1.0.2") };
	char why[128], own[128];

	(void)state;
	assert_int_equal(fw_spec_parse("8080:80", &sp, why, sizeof(why)), 0);
	fw_script_init(&s);
	fw_rules_publish(&s, &sp, "web", &t, true);
	assert_int_equal(s.n, 3);
	assert_line(&s, 0, "create element inet nsnet ports { tcp . 8080 }");
	snprintf(own, sizeof(own),
		 "add element inet nsnet owners { 0 . 0x%08x . tcp . 8080 . 8080 . 80 comment \"web\" }",
		 name_hash("owner", "web"));
	assert_line(&s, 1, own);
	assert_line(&s, 2,
		    "add element inet nsnet pub4any { tcp . 8080 comment \"web\" : 10.1.0.2 . 80 }");
	assert_string_equal(s.lines[0].what,
			    "host port 8080/tcp is already published (see nsnet publish --list)");
	fw_script_free(&s);

	fw_script_init(&s);
	fw_rules_publish(&s, &sp, "web", &t, false);
	assert_int_equal(s.n, 3);
	assert_line(&s, 0, "delete element inet nsnet pub4any { tcp . 8080 }");
	assert_line(&s, 2, "delete element inet nsnet ports { tcp . 8080 }");
	assert_string_equal(s.lines[0].what, "web does not publish 8080:80/tcp");
	fw_script_free(&s);
}

static void test_publish_ranges(void **state)
{
	struct fw_script s;
	struct fw_spec sp;
	struct fw_targets t = { .v4 = true, .to4 = addr("10.1.0.2") };
	char why[128];

	(void)state;
	/* Equal bases: one interval element, the port is kept. */
	assert_int_equal(fw_spec_parse("127.0.0.1:9000-9002:9000-9002/udp", &sp,
				       why, sizeof(why)), 0);
	fw_script_init(&s);
	fw_rules_publish(&s, &sp, "web", &t, true);
	assert_line(&s, 0,
		    "create element inet nsnet ports { udp . 9000, udp . 9001, udp . 9002 }");
	assert_line(&s, 2,
		    "add element inet nsnet rng4 { 127.0.0.1 . udp . 9000-9002 comment \"web\" : 10.1.0.2 }");
	fw_script_free(&s);

	/* Different bases: one element per port. */
	assert_int_equal(fw_spec_parse("8000-8001:90-91", &sp, why, sizeof(why)), 0);
	fw_script_init(&s);
	fw_rules_publish(&s, &sp, "web", &t, true);
	assert_line(&s, 2,
		    "add element inet nsnet pub4any { tcp . 8000 comment \"web\" : 10.1.0.2 . 90, tcp . 8001 comment \"web\" : 10.1.0.2 . 91 }");
	fw_script_free(&s);

	assert_int_equal(fw_spec_parse("9000-9002:9000-9002", &sp, why, sizeof(why)), 0);
	fw_script_init(&s);
	fw_rules_publish(&s, &sp, "web", &t, false);
	assert_line(&s, 0,
		    "delete element inet nsnet rng4 { 0.0.0.0/0 . tcp . 9000-9002 }");
	fw_script_free(&s);
}

static void test_publish_ipv6(void **state)
{
	struct fw_targets t = { .v4 = true, .to4 = addr("10.1.0.2"),
				.v6 = true, .to6 = addr("fd00:1::2") };
	struct fw_script s;
	struct fw_spec sp;
	char why[128], own[160];

	(void)state;
	/* Both families: one claim, one record, an element in each. */
	assert_int_equal(fw_spec_parse("8080:80", &sp, why, sizeof(why)), 0);
	fw_script_init(&s);
	fw_rules_publish(&s, &sp, "web", &t, true);
	assert_int_equal(s.n, 4);
	assert_line(&s, 0, "create element inet nsnet ports { tcp . 8080 }");
	assert_line(&s, 2,
		    "add element inet nsnet pub4any { tcp . 8080 comment \"web\" : 10.1.0.2 . 80 }");
	assert_line(&s, 3,
		    "add element inet nsnet pub6any { tcp . 8080 comment \"web\" : fd00:1::2 . 80 }");
	fw_script_free(&s);

	/* Removal of the IPv6 half only (a namespace with IPv6 alone). */
	t.v4 = false;
	fw_script_init(&s);
	fw_rules_publish(&s, &sp, "web", &t, false);
	assert_int_equal(s.n, 3);
	assert_line(&s, 0, "delete element inet nsnet pub6any { tcp . 8080 }");
	snprintf(own, sizeof(own),
		 "delete element inet nsnet owners { 0 . 0x%08x . tcp . 8080 . 8080 . 80 }",
		 name_hash("owner", "web"));
	assert_line(&s, 1, own);
	fw_script_free(&s);

	/* One host address: its family's map and record. */
	assert_int_equal(fw_spec_parse("[2001:db8:100::2]:8080:80/udp", &sp, why,
				       sizeof(why)), 0);
	t.v6 = true;
	fw_script_init(&s);
	fw_rules_publish(&s, &sp, "web", &t, true);
	snprintf(own, sizeof(own),
		 "add element inet nsnet owners { ipv6 . 0x%08x . udp . 8080 . 8080 . 80 comment \"web\" }",
		 name_hash("owner", "web"));
	assert_line(&s, 1, own);
	assert_line(&s, 2,
		    "add element inet nsnet pub6 { 2001:db8:100::2 . udp . 8080 comment \"web\" : fd00:1::2 . 80 }");
	assert_string_equal(s.lines[0].what,
			    "host port [2001:db8:100::2]:8080/udp is already published (see nsnet publish --list)");
	fw_script_free(&s);

	/* A range, every IPv6 address: one interval element. */
	assert_int_equal(fw_spec_parse("[::]:9000-9002:9000-9002", &sp, why, sizeof(why)), 0);
	fw_script_init(&s);
	fw_rules_publish(&s, &sp, "web", &t, true);
	assert_line(&s, 2,
		    "add element inet nsnet rng6 { ::/0 . tcp . 9000-9002 comment \"web\" : fd00:1::2 }");
	fw_script_free(&s);
	assert_string_equal(fw_pub_map(&sp, AF_INET6), "rng6");
}

static void test_nat(void **state)
{
	struct ipaddr subnets[2] = { addr("10.1.0.1/24"), addr("fd00:1::1/64") };
	struct fw_script s;
	char post[32], fwd[32], line[160];

	(void)state;
	fw_nat_chain(post, sizeof(post), "br0", false);
	fw_nat_chain(fwd, sizeof(fwd), "br0", true);
	assert_int_equal(strncmp(post, "nat_", 4), 0);
	assert_int_equal(strncmp(fwd, "natfwd_", 7), 0);
	fw_script_init(&s);
	fw_rules_nat(&s, "br0", 7, NULL, subnets, 2, true);
	assert_int_equal(s.n, 7);
	snprintf(line, sizeof(line), "add element inet nsnet natfwd { \"br0\" comment \"ifindex 7\" : jump %s }", fwd);
	assert_line(&s, 6, line);
	snprintf(line, sizeof(line), "add rule inet nsnet %s oifname != \"br0\" masquerade", post);
	assert_line(&s, 2, line);
	snprintf(line, sizeof(line), "add element inet nsnet natpost4 { 10.1.0.0/24 : jump %s }", post);
	assert_line(&s, 4, line);
	snprintf(line, sizeof(line), "add element inet nsnet natpost6 { fd00:1::/64 : jump %s }", post);
	assert_line(&s, 5, line);
	fw_script_free(&s);

	fw_script_init(&s);
	fw_rules_nat(&s, "br0", 7, "eth0", subnets, 1, true);
	snprintf(line, sizeof(line), "add rule inet nsnet %s oifname \"eth0\" accept", fwd);
	assert_line(&s, 3, line);
	fw_script_free(&s);

	/* Removal: the elements that reference the chains go first. */
	fw_script_init(&s);
	fw_rules_nat(&s, "br0", 0, NULL, subnets, 2, false);
	assert_line(&s, 0, "delete element inet nsnet natfwd { \"br0\" }");
	assert_line(&s, 1, "delete element inet nsnet natpost4 { 10.1.0.0/24 }");
	snprintf(line, sizeof(line), "delete chain inet nsnet %s", fwd);
	assert_line(&s, s.n - 1, line);
	fw_script_free(&s);
}

static void test_skeleton_and_errors(void **state)
{
	struct fw_script s;
	const struct fw_line *l;

	(void)state;
	size_t i, n, rules = 0;
	char line[512];

	fw_script_init(&s);
	fw_rules_skeleton(&s);
	n = s.n;
	fw_script_add(&s, "first", "delete element inet nsnet ports { tcp . 80 }");
	fw_script_add(&s, "second", "delete element inet nsnet ports { tcp . 8080 }");
	/* Idempotent: "add" of what may exist, and every chain flushed
	 * before its rules, never a second copy of them. */
	assert_int_equal(strncmp(s.text, "add table inet nsnet {", 22), 0);
	assert_null(strstr(s.text, "create "));
	for (i = 0; i < fw_n_chains; i++) {
		const char *flush, *rule;

		snprintf(line, sizeof(line), "flush chain inet nsnet %s\n", fw_chains[i].name);
		flush = strstr(s.text, line);
		assert_non_null(flush);
		snprintf(line, sizeof(line), "add rule inet nsnet %s %s\n", fw_chains[i].name,
			 fw_chains[i].rules[0]);
		rule = strstr(s.text, line);
		assert_non_null(rule);
		assert_true(flush < rule);
		rules += fw_chain_rules(&fw_chains[i]);
	}
	assert_int_equal(fw_chain_rules(&fw_chains[0]), 6);
	/* table, 15 sets and maps, chains added, flushed, rules */
	assert_int_equal(n, 1 + 15 + 2 * fw_n_chains + rules);
	assert_non_null(strstr(s.text, "policy accept;"));
	assert_null(strstr(s.text, "policy drop"));
	/* IPv6 is never published on ::1 or link-local addresses */
	assert_non_null(strstr(s.text, "ip6 daddr != { ::1, fe80::/10 } fib daddr type local dnat ip6 to meta l4proto . th dport map @pub6any"));
	/* nft quotes the command it refused: the longest match wins. */
	l = fw_script_find(&s, "Error: Could not process rule: No such file or directory\n"
			       "delete element inet nsnet ports { tcp . 8080 }\n^^^^\n");
	assert_non_null(l);
	assert_string_equal(l->what, "second");
	l = fw_script_find(&s, "Error: x\ndelete element inet nsnet ports { tcp . 80 }\n");
	assert_string_equal(l->what, "first");
	assert_null(fw_script_find(&s, "Error: something else"));
	fw_script_free(&s);
}

static void test_names(void **state)
{
	(void)state;
	assert_true(fw_name_ok("br0"));
	assert_true(fw_name_ok("app-net.1"));
	assert_false(fw_name_ok(""));
	assert_false(fw_name_ok("a\"b"));
	assert_false(fw_name_ok("a b"));
	assert_false(fw_name_ok("a}b"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spec_good),
		cmocka_unit_test(test_spec_ipv6),
		cmocka_unit_test(test_spec_bad),
		cmocka_unit_test(test_publish_ipv6),
		cmocka_unit_test(test_publish_single),
		cmocka_unit_test(test_publish_ranges),
		cmocka_unit_test(test_nat),
		cmocka_unit_test(test_skeleton_and_errors),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
