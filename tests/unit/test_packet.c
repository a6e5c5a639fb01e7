// SPDX-License-Identifier: GPL-2.0-or-later
/* test_packet.c - decoding captured frames and their one-line text. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include <sys/socket.h>

#include "kernel/kernel.h"
#include "diagnosis/diagnosis.h"

static const uint8_t mac_a[6] = { 0x02, 0, 0, 0, 0, 0x0a };
static const uint8_t mac_b[6] = { 0x02, 0, 0, 0, 0, 0x0b };

static size_t eth(uint8_t *f, uint16_t type)
{
	memcpy(f, mac_b, 6);
	memcpy(f + 6, mac_a, 6);
	f[12] = (uint8_t)(type >> 8);
	f[13] = (uint8_t)type;
	return 14;
}

/* An IPv4 header at p for l4len bytes of proto from a to b. */
static size_t ipv4(uint8_t *p, uint8_t proto, const uint8_t a[4],
		   const uint8_t b[4], size_t l4len)
{
	memset(p, 0, 20);
	p[0] = 0x45;
	p[2] = (uint8_t)((20 + l4len) >> 8);
	p[3] = (uint8_t)(20 + l4len);
	p[8] = 64;
	p[9] = proto;
	memcpy(p + 12, a, 4);
	memcpy(p + 16, b, 4);
	return 20;
}

static const uint8_t ip_web[4] = { 10, 10, 0, 10 };
static const uint8_t ip_up[4] = { 203, 0, 113, 10 };

static size_t icmp_echo_frame(uint8_t *f, uint8_t type, uint16_t id,
			      uint16_t seq, const char *payload)
{
	size_t n = eth(f, 0x0800), pl = strlen(payload);
	uint8_t *i;

	n += ipv4(f + n, IPPROTO_ICMP, ip_web, ip_up, 8 + pl);
	i = f + n;
	memset(i, 0, 8);
	i[0] = type;
	i[4] = (uint8_t)(id >> 8);
	i[5] = (uint8_t)id;
	i[6] = (uint8_t)(seq >> 8);
	i[7] = (uint8_t)seq;
	memcpy(i + 8, payload, pl);
	return n + 8 + pl;
}

static void test_icmp_echo(void **state)
{
	uint8_t f[256];
	char buf[256];
	struct pkt p;
	size_t n;

	(void)state;
	n = icmp_echo_frame(f, 8, 4660, 1, "nsnet-trace-xyz");
	assert_int_equal(pkt_decode(f, n, true, 0, &p), 0);
	assert_int_equal(p.kind, PKT_IP);
	assert_int_equal(p.ip.family, AF_INET);
	assert_int_equal(p.ip.icmp_id, 4660);
	assert_true(pkt_payload_has(&p.ip, "nsnet-trace", 11));
	assert_false(pkt_payload_has(&p.ip, "other", 5));
	assert_string_equal(pkt_what(&p, buf, sizeof(buf)),
			    "ICMP echo request id 4660 seq 1");
	assert_string_equal(pkt_line(&p, buf, sizeof(buf)),
			    "10.10.0.10 > 203.0.113.10: ICMP echo request id 4660 seq 1, length 43");
	n = icmp_echo_frame(f, 0, 7, 2, "");
	pkt_decode(f, n, true, 0, &p);
	assert_string_equal(pkt_what(&p, buf, sizeof(buf)),
			    "ICMP echo reply id 7 seq 2");
	/* Without Ethernet header (a tun device): the ethertype comes apart. */
	pkt_decode(f + 14, n - 14, false, 0x0800, &p);
	assert_string_equal(pkt_what(&p, buf, sizeof(buf)),
			    "ICMP echo reply id 7 seq 2");
}

static void test_arp(void **state)
{
	uint8_t f[64] = { 0 };
	char buf[128];
	struct pkt p;
	size_t n = eth(f, 0x0806);
	uint8_t *a = f + n;

	(void)state;
	a[1] = 1;      /* Ethernet */
	a[2] = 0x08;   /* IPv4 */
	a[4] = 6;
	a[5] = 4;
	a[7] = 1;      /* request */
	memcpy(a + 8, mac_a, 6);
	memcpy(a + 14, ip_web, 4);
	a[24] = 10; a[25] = 10; a[26] = 0; a[27] = 1;
	assert_int_equal(pkt_decode(f, n + 28, true, 0, &p), 0);
	assert_int_equal(p.kind, PKT_ARP);
	assert_string_equal(pkt_line(&p, buf, sizeof(buf)),
			    "ARP who-has 10.10.0.1 tell 10.10.0.10");
	a[7] = 2;
	pkt_decode(f, n + 28, true, 0, &p);
	assert_string_equal(pkt_what(&p, buf, sizeof(buf)),
			    "ARP 10.10.0.10 is-at 02:00:00:00:00:0a");
	/* One byte short: not ARP any more, but still said what it is. */
	pkt_decode(f, n + 27, true, 0, &p);
	assert_int_equal(p.kind, PKT_OTHER);
	assert_string_equal(pkt_line(&p, buf, sizeof(buf)),
			    "02:00:00:00:00:0a > 02:00:00:00:00:0b: ethertype 0x0806 length 41");
}

static void test_tcp(void **state)
{
	uint8_t f[128] = { 0 };
	char buf[128];
	struct pkt p;
	size_t n = eth(f, 0x0800);
	uint8_t *t;

	(void)state;
	n += ipv4(f + n, IPPROTO_TCP, ip_web, ip_up, 20);
	t = f + n;
	t[0] = 0x9c; t[1] = 0x40;            /* 40000 */
	t[2] = 0; t[3] = 80;
	t[4] = 0; t[5] = 0; t[6] = 0x30; t[7] = 0x39;   /* seq 12345 */
	t[12] = 5 << 4;
	t[13] = PKT_TCP_SYN;
	pkt_decode(f, n + 20, true, 0, &p);
	assert_int_equal(p.ip.seq, 12345);
	assert_string_equal(pkt_what(&p, buf, sizeof(buf)),
			    "TCP 40000 > 80 [S] seq 12345");
	t[13] = PKT_TCP_RST | PKT_TCP_ACK;
	t[11] = 1;
	pkt_decode(f, n + 20, true, 0, &p);
	assert_string_equal(pkt_what(&p, buf, sizeof(buf)),
			    "TCP 40000 > 80 [R.] seq 12345 ack 1");
	/* A TCP header cut short is not decoded as TCP. */
	pkt_decode(f, n + 19, true, 0, &p);
	assert_false(p.ip.l4_ok);
	assert_string_equal(pkt_what(&p, buf, sizeof(buf)), "IP proto 6");
}

static void test_udp_and_port_unreachable(void **state)
{
	uint8_t f[256] = { 0 };
	char buf[256];
	struct pkt p;
	size_t n = eth(f, 0x0800), q;
	uint8_t *i, *u;

	(void)state;
	/* 203.0.113.10 tells 10.10.0.10 its UDP port 53 is closed. */
	n += ipv4(f + n, IPPROTO_ICMP, ip_up, ip_web, 8 + 20 + 8 + 4);
	i = f + n;
	i[0] = 3;
	i[1] = 3;
	q = ipv4(i + 8, IPPROTO_UDP, ip_web, ip_up, 8 + 4);
	u = i + 8 + q;
	u[0] = 0x9c; u[1] = 0x41;   /* 40001 */
	u[3] = 53;
	u[5] = 12;
	memcpy(u + 8, "mark", 4);
	pkt_decode(f, n + 8 + q + 12, true, 0, &p);
	assert_true(p.has_inner);
	assert_int_equal(p.inner.proto, IPPROTO_UDP);
	assert_int_equal(p.inner.sport, 40001);
	assert_true(pkt_payload_has(&p.inner, "mark", 4));
	assert_string_equal(pkt_what(&p, buf, sizeof(buf)),
			    "ICMP port unreachable (code 3) for UDP 10.10.0.10.40001 > 203.0.113.10.53");
	/* The quoted datagram itself. */
	pkt_decode(i + 8, q + 12, false, 0x0800, &p);
	assert_string_equal(pkt_what(&p, buf, sizeof(buf)),
			    "UDP 40001 > 53 length 4");
	/* Time exceeded. */
	i[0] = 11;
	i[1] = 0;
	pkt_decode(f, n + 8 + q + 12, true, 0, &p);
	assert_string_equal(pkt_what(&p, buf, sizeof(buf)),
			    "ICMP time exceeded in transit for UDP 10.10.0.10.40001 > 203.0.113.10.53");
}

static void test_ipv6(void **state)
{
	uint8_t f[256] = { 0 };
	char buf[256];
	struct pkt p;
	size_t n = eth(f, 0x86dd);
	uint8_t *h = f + n;

	(void)state;
	h[0] = 0x60;
	h[5] = 8 + 8;      /* payload: a hop-by-hop header, then ICMPv6 */
	h[6] = 0;          /* hop-by-hop */
	h[7] = 1;
	h[8] = 0xfd;       /* fd00::1 > fd00::2 */
	h[23] = 1;
	h[24] = 0xfd;
	h[39] = 2;
	h[40] = IPPROTO_ICMPV6;  /* next header after hop-by-hop, length 0 */
	h[48] = 128;
	h[53] = 9;         /* id 9 */
	h[55] = 3;         /* seq 3 */
	pkt_decode(f, n + 56, true, 0, &p);
	assert_int_equal(p.ip.family, AF_INET6);
	assert_int_equal(p.ip.proto, IPPROTO_ICMPV6);
	assert_string_equal(pkt_line(&p, buf, sizeof(buf)),
			    "fd00::1 > fd00::2: ICMP6 echo request id 9 seq 3, length 56");
	/* A loop of extension headers pointing past the packet. */
	h[41] = 200;
	pkt_decode(f, n + 56, true, 0, &p);
	assert_int_equal(p.kind, PKT_OTHER);
}

static void test_short_and_odd(void **state)
{
	uint8_t f[64] = { 0 };
	char buf[8];
	struct pkt p;

	(void)state;
	assert_int_equal(pkt_decode(f, 13, true, 0, &p), -1);
	assert_int_equal(pkt_decode(f, 0, false, 0x0800, &p), 0);
	assert_int_equal(p.kind, PKT_OTHER);
	eth(f, 0x88cc);
	pkt_decode(f, 60, true, 0, &p);
	/* A buffer too small for the text is cut, still terminated. */
	pkt_what(&p, buf, sizeof(buf));
	assert_int_equal(strlen(buf), sizeof(buf) - 1);
	/* IPv4 in an IPv6 ethertype is not IP. */
	eth(f, 0x86dd);
	ipv4(f + 14, IPPROTO_UDP, ip_web, ip_up, 8);
	pkt_decode(f, 42, true, 0, &p);
	assert_int_equal(p.kind, PKT_OTHER);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_icmp_echo),
		cmocka_unit_test(test_arp),
		cmocka_unit_test(test_tcp),
		cmocka_unit_test(test_udp_and_port_unreachable),
		cmocka_unit_test(test_ipv6),
		cmocka_unit_test(test_short_and_odd),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
