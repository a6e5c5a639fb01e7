// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * packet.c - decoding captured frames into struct pkt and one-line text.
 *
 * Pure: no sockets, no globals, every read checked against the length
 * given (the fuzzer holds it to that). Only what capture prints and trace
 * matches on is decoded: Ethernet, ARP, IPv4, IPv6 with its common
 * extension headers, ICMP/ICMPv6 (with the packet an error quotes), TCP
 * and UDP.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "diagnosis/diagnosis.h"

#define ETH_HLEN_ 14
#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_ARP_ 0x0806
#define ETHERTYPE_VLAN 0x8100
#define ETHERTYPE_IPV6 0x86dd

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static bool pkt_icmp_is_error(int family, uint8_t type)
{
	if (family == AF_INET)
		return type == 3 || type == 4 || type == 5 || type == 11 ||
		       type == 12;
	return type >= 1 && type <= 4;
}

/*
 * The transport header at buf. A quoted packet (inside an ICMP error) is
 * often cut after 8 bytes of it: enough for ports and the TCP sequence
 * number, which is all matching needs.
 */
static void pkt_decode_l4(struct pkt_l4 *l, const uint8_t *buf, size_t len,
			  bool quoted)
{
	size_t hl;

	switch (l->proto) {
	case IPPROTO_TCP:
		if (len < (quoted ? 8u : 20u))
			return;
		l->sport = rd16(buf);
		l->dport = rd16(buf + 2);
		l->seq = rd32(buf + 4);
		if (len >= 14) {
			l->ack = rd32(buf + 8);
			l->tcp_flags = buf[13];
		}
		hl = len >= 13 ? (size_t)(buf[12] >> 4) * 4 : 20;
		if (hl >= 20 && hl <= len) {
			l->payload = buf + hl;
			l->payload_len = len - hl;
		}
		l->l4_ok = true;
		return;
	case IPPROTO_UDP:
		if (len < 8)
			return;
		l->sport = rd16(buf);
		l->dport = rd16(buf + 2);
		l->udp_len = rd16(buf + 4);
		l->payload = buf + 8;
		l->payload_len = len - 8;
		l->l4_ok = true;
		return;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		if (len < 8)
			return;
		l->icmp_type = buf[0];
		l->icmp_code = buf[1];
		l->icmp_id = rd16(buf + 4);
		l->icmp_seq = rd16(buf + 6);
		l->payload = buf + 8;
		l->payload_len = len - 8;
		l->l4_ok = true;
		return;
	default:
		return;
	}
}

/* An IP packet (version from its first nibble); returns the offset of the
 * transport header or 0 when there is none to decode. */
static size_t pkt_decode_ip(struct pkt_l4 *l, const uint8_t *buf, size_t len,
			    bool quoted)
{
	size_t off, total;
	uint8_t next;
	int guard;

	memset(l, 0, sizeof(*l));
	if (len < 1)
		return 0;
	if (buf[0] >> 4 == 4) {
		if (len < 20)
			return 0;
		off = (size_t)(buf[0] & 0xf) * 4;
		if (off < 20 || off > len)
			return 0;
		l->family = AF_INET;
		memcpy(l->src, buf + 12, 4);
		memcpy(l->dst, buf + 16, 4);
		l->proto = buf[9];
		l->ttl = buf[8];
		l->ip_id = rd16(buf + 4);
		l->ip_len = rd16(buf + 2);
		/* Later fragments carry no transport header. */
		if (rd16(buf + 6) & 0x1fff)
			return 0;
		total = l->ip_len;
		if (!quoted && total >= off && total < len)
			len = total; /* Ethernet padding is not payload */
		pkt_decode_l4(l, buf + off, len - off, quoted);
		return off;
	}
	if (buf[0] >> 4 != 6 || len < 40)
		return 0;
	l->family = AF_INET6;
	memcpy(l->src, buf + 8, 16);
	memcpy(l->dst, buf + 24, 16);
	l->ip_len = 40 + (size_t)rd16(buf + 4);
	l->ttl = buf[7];
	if (!quoted && l->ip_len < len)
		len = l->ip_len;
	next = buf[6];
	off = 40;
	/* A few extension headers at most; a loop of them is malformed. */
	for (guard = 0; guard < 8; guard++) {
		if (next == 0 || next == 43 || next == 60) {
			if (off + 8 > len)
				return 0;
			next = buf[off];
			off += ((size_t)buf[off + 1] + 1) * 8;
		} else if (next == 44) {
			if (off + 8 > len)
				return 0;
			if (rd16(buf + off + 2) & 0xfff8)
				return 0;  /* not the first fragment */
			next = buf[off];
			off += 8;
		} else {
			break;
		}
		if (off > len)
			return 0;
	}
	l->proto = next;
	pkt_decode_l4(l, buf + off, len - off, quoted);
	return off;
}

int pkt_decode(const uint8_t *buf, size_t len, bool eth, uint16_t ethertype,
	       struct pkt *p)
{
	const struct pkt_l4 *l = &p->ip;

	memset(p, 0, sizeof(*p));
	p->len = len;
	if (eth) {
		if (len < ETH_HLEN_)
			return -1;
		p->has_eth = true;
		memcpy(p->eth_dst, buf, 6);
		memcpy(p->eth_src, buf + 6, 6);
		ethertype = rd16(buf + 12);
		buf += ETH_HLEN_;
		len -= ETH_HLEN_;
		/* One VLAN tag, as a bridge with vlan_filtering may show. */
		if (ethertype == ETHERTYPE_VLAN && len >= 4) {
			ethertype = rd16(buf + 2);
			buf += 4;
			len -= 4;
		}
	}
	p->ethertype = ethertype;
	if (ethertype == ETHERTYPE_ARP_) {
		/* Ethernet/IPv4 ARP only: hardware type 1, protocol 0x0800. */
		if (len < 28 || rd16(buf) != 1 || rd16(buf + 2) != ETHERTYPE_IPV4 ||
		    buf[4] != 6 || buf[5] != 4)
			return 0;
		p->kind = PKT_ARP;
		p->arp_op = rd16(buf + 6);
		memcpy(p->arp_sha, buf + 8, 6);
		memcpy(p->arp_spa, buf + 14, 4);
		memcpy(p->arp_tpa, buf + 24, 4);
		return 0;
	}
	if (ethertype != ETHERTYPE_IPV4 && ethertype != ETHERTYPE_IPV6)
		return 0;
	if (!pkt_decode_ip(&p->ip, buf, len, false) ||
	    (p->ip.family == AF_INET) != (ethertype == ETHERTYPE_IPV4)) {
		memset(&p->ip, 0, sizeof(p->ip));
		return 0;
	}
	p->kind = PKT_IP;
	if (l->l4_ok &&
	    ((l->family == AF_INET && l->proto == IPPROTO_ICMP) ||
	     (l->family == AF_INET6 && l->proto == IPPROTO_ICMPV6)) &&
	    pkt_icmp_is_error(l->family, l->icmp_type) && l->payload_len) {
		pkt_decode_ip(&p->inner, l->payload, l->payload_len, true);
		p->has_inner = p->inner.family != 0;
	}
	return 0;
}

const char *pkt_addr_str(const struct pkt_l4 *l, bool dst, char *buf,
			 size_t len)
{
	if (!l->family || !inet_ntop(l->family, dst ? l->dst : l->src, buf,
				     (socklen_t)len))
		snprintf(buf, len, "?");
	return buf;
}

static const char *pkt_ipv4_str(const uint8_t *a, char *buf, size_t len)
{
	snprintf(buf, len, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
	return buf;
}

static const char *pkt_mac_str(const uint8_t *m, char *buf, size_t len)
{
	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2],
		 m[3], m[4], m[5]);
	return buf;
}

/* Appends to buf at *pos, never past len (snprintf's truncation kept). */
static void pkt_cat(char *buf, size_t len, size_t *pos, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void pkt_cat(char *buf, size_t len, size_t *pos, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*pos >= len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *pos, len - *pos, fmt, ap);
	va_end(ap);
	if (n > 0)
		*pos = *pos + (size_t)n < len ? *pos + (size_t)n : len - 1;
}

static void pkt_tcp_flags(const struct pkt_l4 *l, char *f)
{
	size_t n = 0;

	if (l->tcp_flags & PKT_TCP_SYN)
		f[n++] = 'S';
	if (l->tcp_flags & PKT_TCP_FIN)
		f[n++] = 'F';
	if (l->tcp_flags & PKT_TCP_RST)
		f[n++] = 'R';
	if (l->tcp_flags & PKT_TCP_PSH)
		f[n++] = 'P';
	if (l->tcp_flags & PKT_TCP_ACK)
		f[n++] = '.';
	if (!n)
		f[n++] = '-';
	f[n] = '\0';
}

static const char *pkt_unreach_name(int family, uint8_t code)
{
	static const char *const v4[] = {
		"net", "host", "protocol", "port", "fragmentation needed",
		"source route failed", "net unknown", "host unknown",
		"source host isolated", "net prohibited", "host prohibited",
		"net unreachable for TOS", "host unreachable for TOS",
		"administratively prohibited",
	};
	static const char *const v6[] = {
		"no route", "administratively prohibited", "beyond scope",
		"address", "port", "source address policy", "reject route",
	};

	if (family == AF_INET)
		return code < sizeof(v4) / sizeof(v4[0]) ? v4[code] : "destination";
	return code < sizeof(v6) / sizeof(v6[0]) ? v6[code] : "destination";
}

/* The short form of a quoted packet: "UDP 40000 > 53", "ICMP echo id 7". */
static void pkt_inner_what(const struct pkt_l4 *q, char *buf, size_t len,
			   size_t *pos)
{
	char s[PKT_ADDR_MAX], d[PKT_ADDR_MAX];

	pkt_addr_str(q, false, s, sizeof(s));
	pkt_addr_str(q, true, d, sizeof(d));
	if (q->l4_ok && (q->proto == IPPROTO_TCP || q->proto == IPPROTO_UDP))
		pkt_cat(buf, len, pos, " for %s %s.%u > %s.%u",
			q->proto == IPPROTO_TCP ? "TCP" : "UDP", s, q->sport, d,
			q->dport);
	else if (q->l4_ok && (q->proto == IPPROTO_ICMP ||
			      q->proto == IPPROTO_ICMPV6))
		pkt_cat(buf, len, pos, " for ICMP %s > %s id %u seq %u", s, d,
			q->icmp_id, q->icmp_seq);
	else
		pkt_cat(buf, len, pos, " for %s > %s proto %u", s, d, q->proto);
}

static void pkt_icmp_what(const struct pkt *p, char *buf, size_t len,
			  size_t *pos)
{
	const struct pkt_l4 *l = &p->ip;
	const char *name = l->family == AF_INET ? "ICMP" : "ICMP6";
	uint8_t t = l->icmp_type, c = l->icmp_code;
	char a[PKT_ADDR_MAX];

	if ((l->family == AF_INET && (t == 8 || t == 0)) ||
	    (l->family == AF_INET6 && (t == 128 || t == 129))) {
		pkt_cat(buf, len, pos, "%s echo %s id %u seq %u", name,
			t == 8 || t == 128 ? "request" : "reply", l->icmp_id,
			l->icmp_seq);
		return;
	}
	if ((l->family == AF_INET && t == 3) || (l->family == AF_INET6 && t == 1))
		pkt_cat(buf, len, pos, "%s %s unreachable (code %u)", name,
			pkt_unreach_name(l->family, c), c);
	else if ((l->family == AF_INET && t == 11) ||
		 (l->family == AF_INET6 && t == 3))
		pkt_cat(buf, len, pos, "%s time exceeded %s", name,
			c ? "in reassembly" : "in transit");
	else if (l->family == AF_INET6 && t == 2)
		pkt_cat(buf, len, pos, "ICMP6 packet too big");
	else if (l->family == AF_INET6 && (t == 135 || t == 136) &&
		 l->payload_len >= 16 &&
		 inet_ntop(AF_INET6, l->payload, a, sizeof(a)))
		pkt_cat(buf, len, pos, "ICMP6 neighbor %s %s",
			t == 135 ? "solicitation who-has" : "advertisement", a);
	else if (l->family == AF_INET6 && t == 133)
		pkt_cat(buf, len, pos, "ICMP6 router solicitation");
	else if (l->family == AF_INET6 && t == 134)
		pkt_cat(buf, len, pos, "ICMP6 router advertisement");
	else if (l->family == AF_INET6 && (t == 131 || t == 143))
		pkt_cat(buf, len, pos, "ICMP6 multicast listener report");
	else
		pkt_cat(buf, len, pos, "%s type %u code %u", name, t, c);
	if (p->has_inner)
		pkt_inner_what(&p->inner, buf, len, pos);
}

char *pkt_what(const struct pkt *p, char *buf, size_t len)
{
	const struct pkt_l4 *l = &p->ip;
	char a[PKT_ADDR_MAX], b[PKT_ADDR_MAX], f[8];
	size_t pos = 0;

	if (!len)
		return buf;
	buf[0] = '\0';
	switch (p->kind) {
	case PKT_ARP:
		if (p->arp_op == 1)
			pkt_cat(buf, len, &pos, "ARP who-has %s tell %s",
				pkt_ipv4_str(p->arp_tpa, a, sizeof(a)),
				pkt_ipv4_str(p->arp_spa, b, sizeof(b)));
		else if (p->arp_op == 2)
			pkt_cat(buf, len, &pos, "ARP %s is-at %s",
				pkt_ipv4_str(p->arp_spa, a, sizeof(a)),
				pkt_mac_str(p->arp_sha, b, sizeof(b)));
		else
			pkt_cat(buf, len, &pos, "ARP op %u", p->arp_op);
		break;
	case PKT_IP:
		if (!l->l4_ok && l->family == AF_INET && l->proto == 2) {
			pkt_cat(buf, len, &pos, "IGMP");
		} else if (!l->l4_ok) {
			pkt_cat(buf, len, &pos, "%s proto %u",
				l->family == AF_INET ? "IP" : "IP6", l->proto);
		} else if (l->proto == IPPROTO_TCP) {
			pkt_tcp_flags(l, f);
			pkt_cat(buf, len, &pos, "TCP %u > %u [%s] seq %u", l->sport,
				l->dport, f, l->seq);
			if (l->tcp_flags & PKT_TCP_ACK)
				pkt_cat(buf, len, &pos, " ack %u", l->ack);
		} else if (l->proto == IPPROTO_UDP) {
			pkt_cat(buf, len, &pos, "UDP %u > %u length %u", l->sport,
				l->dport, l->udp_len >= 8 ? l->udp_len - 8 : 0);
		} else {
			pkt_icmp_what(p, buf, len, &pos);
		}
		break;
	default:
		pkt_cat(buf, len, &pos, "ethertype 0x%04x length %zu",
			p->ethertype, p->len);
		break;
	}
	return buf;
}

char *pkt_line(const struct pkt *p, char *buf, size_t len)
{
	char a[PKT_ADDR_MAX], b[PKT_ADDR_MAX], what[256];
	size_t pos = 0;

	if (!len)
		return buf;
	buf[0] = '\0';
	pkt_what(p, what, sizeof(what));
	if (p->kind == PKT_IP)
		pkt_cat(buf, len, &pos, "%s > %s: %s, length %zu",
			pkt_addr_str(&p->ip, false, a, sizeof(a)),
			pkt_addr_str(&p->ip, true, b, sizeof(b)), what,
			p->ip.ip_len);
	else if (p->kind == PKT_OTHER && p->has_eth)
		pkt_cat(buf, len, &pos, "%s > %s: %s",
			pkt_mac_str(p->eth_src, a, sizeof(a)),
			pkt_mac_str(p->eth_dst, b, sizeof(b)), what);
	else
		pkt_cat(buf, len, &pos, "%s", what);
	return buf;
}

bool pkt_payload_has(const struct pkt_l4 *l, const void *needle, size_t n)
{
	if (!l->payload || !n || l->payload_len < n)
		return false;
	return memmem(l->payload, l->payload_len, needle, n) != NULL;
}
