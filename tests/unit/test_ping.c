// SPDX-License-Identifier: GPL-2.0-or-later
/* test_ping.c - ICMP echo building, checksums and reading replies. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include <sys/socket.h>

#include "kernel/kernel.h"
#include "diagnosis/diagnosis.h"

/* An IPv4 header in front of an ICMP message, as a raw socket delivers it. */
static size_t ipv4_wrap(uint8_t *out, const uint8_t *icmp, size_t len,
			uint8_t ttl, size_t options)
{
	size_t hl = 20 + options;

	memset(out, 0, hl);
	out[0] = (uint8_t)(0x40 | (hl / 4));
	out[8] = ttl;
	out[9] = IPPROTO_ICMP;
	memcpy(out + hl, icmp, len);
	return hl + len;
}

static void test_checksum(void **state)
{
	/* RFC 1071 section 3's example: the sum is 0xddf2. */
	static const uint8_t rfc[] = { 0x00, 0x01, 0xf2, 0x03,
				       0xf4, 0xf5, 0xf6, 0xf7 };
	static const uint8_t odd[] = { 0x01, 0x02, 0x03 };

	(void)state;
	assert_int_equal(ping_checksum(rfc, sizeof(rfc)), 0xffff - 0xddf2);
	/* An odd byte counts as the high half of a last word. */
	assert_int_equal(ping_checksum(odd, sizeof(odd)),
			 0xffff - (0x0102 + 0x0300));
	assert_int_equal(ping_checksum(odd, 0), 0xffff);
}

static void test_build_v4(void **state)
{
	uint8_t pkt[128];
	size_t len;

	(void)state;
	len = ping_build_echo(pkt, sizeof(pkt), AF_INET, 0x1234, 7, 56);
	assert_int_equal(len, 64);
	assert_int_equal(pkt[0], 8);   /* echo request */
	assert_int_equal(pkt[1], 0);
	assert_int_equal(pkt[4] << 8 | pkt[5], 0x1234);
	assert_int_equal(pkt[6] << 8 | pkt[7], 7);
	/* A correct checksum makes the whole message sum to zero. */
	assert_int_equal(ping_checksum(pkt, len), 0);
	assert_int_equal(pkt[8], 0x10);
	assert_int_equal(pkt[63], 0x10 + 55);
	/* Odd payload: still a valid checksum. */
	len = ping_build_echo(pkt, sizeof(pkt), AF_INET, 0xffff, 0xffff, 9);
	assert_int_equal(len, 17);
	assert_int_equal(ping_checksum(pkt, len), 0);
	/* Too small a buffer builds nothing. */
	assert_int_equal(ping_build_echo(pkt, 63, AF_INET, 1, 1, 56), 0);
	assert_int_equal(ping_build_echo(pkt, 8, AF_INET, 1, 1, 0), 8);
}

static void test_build_v6(void **state)
{
	uint8_t pkt[64];
	size_t len;

	(void)state;
	len = ping_build_echo(pkt, sizeof(pkt), AF_INET6, 0xabcd, 3, 16);
	assert_int_equal(len, 24);
	assert_int_equal(pkt[0], 128);
	assert_int_equal(pkt[4] << 8 | pkt[5], 0xabcd);
	assert_int_equal(pkt[6] << 8 | pkt[7], 3);
	/* The kernel computes the ICMPv6 checksum (pseudo-header). */
	assert_int_equal(pkt[2] | pkt[3], 0);
}

static void test_parse_v4_reply(void **state)
{
	uint8_t icmp[64], buf[128];
	struct ping_reply r;
	size_t len, n;

	(void)state;
	len = ping_build_echo(icmp, sizeof(icmp), AF_INET, 0x4242, 5, 56);
	icmp[0] = 0; /* echo reply */
	n = ipv4_wrap(buf, icmp, len, 63, 0);
	assert_int_equal(ping_parse(buf, n, AF_INET, 0x4242, &r), PING_ECHO_REPLY);
	assert_int_equal(r.seq, 5);
	assert_int_equal(r.ttl, 63);
	assert_int_equal(r.icmp_len, 64);
	/* IP options move the ICMP header. */
	n = ipv4_wrap(buf, icmp, len, 7, 8);
	assert_int_equal(ping_parse(buf, n, AF_INET, 0x4242, &r), PING_ECHO_REPLY);
	assert_int_equal(r.ttl, 7);
	assert_int_equal(r.icmp_len, 64);
	/* Somebody else's id, our own request seen on loopback, truncation,
	 * not IPv4: all ignored. */
	assert_int_equal(ping_parse(buf, n, AF_INET, 0x4243, &r), PING_IGNORE);
	n = ipv4_wrap(buf, icmp, len, 64, 0);
	buf[20] = 8;
	assert_int_equal(ping_parse(buf, n, AF_INET, 0x4242, &r), PING_IGNORE);
	buf[20] = 0;
	assert_int_equal(ping_parse(buf, 27, AF_INET, 0x4242, &r), PING_IGNORE);
	assert_int_equal(ping_parse(buf, 28, AF_INET, 0x4242, &r), PING_ECHO_REPLY);
	buf[0] = 0x65;
	assert_int_equal(ping_parse(buf, n, AF_INET, 0x4242, &r), PING_IGNORE);
	buf[0] = 0x44; /* header length below 20 */
	assert_int_equal(ping_parse(buf, n, AF_INET, 0x4242, &r), PING_IGNORE);
}

static void test_parse_v4_error(void **state)
{
	uint8_t icmp[128], buf[192], req[64];
	struct ping_reply r;
	size_t len, n;

	(void)state;
	/* Time exceeded quoting our request: IP header + first 8 bytes. */
	len = ping_build_echo(req, sizeof(req), AF_INET, 0x0102, 9, 56);
	memset(icmp, 0, 8);
	icmp[0] = 11;
	ipv4_wrap(icmp + 8, req, 8, 1, 0);
	n = ipv4_wrap(buf, icmp, 8 + 28, 64, 0);
	assert_int_equal(ping_parse(buf, n, AF_INET, 0x0102, &r), PING_ICMP_ERROR);
	assert_int_equal(r.seq, 9);
	assert_int_equal(r.type, 11);
	assert_string_equal(ping_error_text(AF_INET, r.type, r.code),
			    "Time to live exceeded");
	/* Not ours, or not quoting an echo request. */
	assert_int_equal(ping_parse(buf, n, AF_INET, 0x0103, &r), PING_IGNORE);
	icmp[8 + 20] = 0;
	n = ipv4_wrap(buf, icmp, 8 + 28, 64, 0);
	assert_int_equal(ping_parse(buf, n, AF_INET, 0x0102, &r), PING_IGNORE);
	/* Destination unreachable, code 1; truncated quote ignored. */
	icmp[0] = 3;
	icmp[1] = 1;
	icmp[8 + 20] = 8;
	n = ipv4_wrap(buf, icmp, 8 + 28, 64, 0);
	assert_int_equal(ping_parse(buf, n, AF_INET, 0x0102, &r), PING_ICMP_ERROR);
	assert_string_equal(ping_error_text(AF_INET, r.type, r.code),
			    "Destination Host Unreachable");
	assert_int_equal(ping_parse(buf, n - 1, AF_INET, 0x0102, &r), PING_IGNORE);
	(void)len;
}

static void test_parse_v6(void **state)
{
	uint8_t pkt[128], err[128];
	struct ping_reply r;
	size_t len;

	(void)state;
	len = ping_build_echo(pkt, sizeof(pkt), AF_INET6, 0x7777, 2, 56);
	pkt[0] = 129;
	assert_int_equal(ping_parse(pkt, len, AF_INET6, 0x7777, &r),
			 PING_ECHO_REPLY);
	assert_int_equal(r.seq, 2);
	assert_int_equal(r.ttl, -1); /* comes from a control message */
	assert_int_equal(r.icmp_len, 64);
	assert_int_equal(ping_parse(pkt, len, AF_INET6, 0x7778, &r), PING_IGNORE);
	pkt[0] = 128; /* a request, not a reply */
	assert_int_equal(ping_parse(pkt, len, AF_INET6, 0x7777, &r), PING_IGNORE);
	assert_int_equal(ping_parse(pkt, 7, AF_INET6, 0x7777, &r), PING_IGNORE);

	/* Address unreachable quoting IPv6 header + our request. */
	memset(err, 0, sizeof(err));
	err[0] = 1;
	err[1] = 3;
	err[8] = 0x60;
	err[8 + 6] = IPPROTO_ICMPV6;
	memcpy(err + 48, pkt, 8);
	assert_int_equal(ping_parse(err, 56, AF_INET6, 0x7777, &r),
			 PING_ICMP_ERROR);
	assert_int_equal(r.seq, 2);
	assert_string_equal(ping_error_text(AF_INET6, r.type, r.code),
			    "Destination unreachable: Address unreachable");
	assert_int_equal(ping_parse(err, 55, AF_INET6, 0x7777, &r), PING_IGNORE);
	err[8 + 6] = IPPROTO_UDP;
	assert_int_equal(ping_parse(err, 56, AF_INET6, 0x7777, &r), PING_IGNORE);
}

/* An echo reply to probe n of a ping, parsed as ping_receive() does. */
static void reply_to(uint32_t n, size_t payload, struct ping_reply *r,
		     uint8_t *icmp, uint8_t *buf)
{
	size_t len, m;

	len = ping_build_probe(icmp, 128, AF_INET, 0x5150, n, payload);
	assert_int_not_equal(len, 0);
	assert_int_equal(ping_checksum(icmp, len), 0);
	icmp[0] = 0; /* echo reply */
	icmp[2] = icmp[3] = 0;
	m = ipv4_wrap(buf, icmp, len, 64, 0);
	assert_int_equal(ping_parse(buf, m, AF_INET, 0x5150, r), PING_ECHO_REPLY);
}

/* ping -c 70000: the sequence number wraps after 65,535 as iputils' does,
 * and every reply still goes to its own probe. */
static void test_sequence_wraps(void **state)
{
	uint8_t icmp[128], buf[192];
	struct ping_reply r;

	(void)state;
	/* Probe 65,537 goes out with sequence number 1, like probe 1. */
	reply_to(65537, 56, &r, icmp, buf);
	assert_int_equal(r.seq, 1);
	assert_int_equal(ping_match(&r, 56, 65537), 65537);
	assert_int_equal(ping_match(&r, 56, 70000), 65537);
	/* A late reply to probe 1 arriving after probe 65,537 was sent is
	 * probe 1's, not 65,537's (by sequence number alone it would be). */
	reply_to(1, 56, &r, icmp, buf);
	assert_int_equal(r.seq, 1);
	assert_int_equal(ping_match(&r, 56, 65537), 1);
	/* Probe 65,536: sequence number 0. */
	reply_to(65536, 56, &r, icmp, buf);
	assert_int_equal(r.seq, 0);
	assert_int_equal(ping_match(&r, 56, 65536), 65536);
	assert_int_equal(ping_match(&r, 56, 100000), 65536);
	/* Not sent yet, or a token that does not agree with the sequence
	 * number: nobody's. */
	reply_to(70000, 56, &r, icmp, buf);
	assert_int_equal(ping_match(&r, 56, 69999), 0);
	r.seq++;
	assert_int_equal(ping_match(&r, 56, 70000), 0);
}

/* With no room for the token (-s under 4), the latest probe with that
 * sequence number, as iputils does. */
static void test_no_token(void **state)
{
	uint8_t icmp[128], buf[192];
	struct ping_reply r;

	(void)state;
	reply_to(65537, 2, &r, icmp, buf);
	assert_int_equal(r.seq, 1);
	assert_int_equal(ping_match(&r, 2, 65536), 1);
	assert_int_equal(ping_match(&r, 2, 65537), 65537);
	assert_int_equal(ping_match(&r, 2, 131072), 65537);
	reply_to(3, 0, &r, icmp, buf);
	assert_int_equal(ping_match(&r, 0, 3), 3);
	assert_int_equal(ping_match(&r, 0, 2), 0);
	reply_to(65536, 0, &r, icmp, buf);
	assert_int_equal(ping_match(&r, 0, 65535), 0);
	assert_int_equal(ping_match(&r, 0, 65536), 65536);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_checksum),
		cmocka_unit_test(test_build_v4),
		cmocka_unit_test(test_build_v6),
		cmocka_unit_test(test_parse_v4_reply),
		cmocka_unit_test(test_parse_v4_error),
		cmocka_unit_test(test_parse_v6),
		cmocka_unit_test(test_sequence_wraps),
		cmocka_unit_test(test_no_token),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
