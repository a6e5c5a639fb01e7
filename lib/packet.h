/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * packet.h - decoding captured packets: pure functions over bytes, shared
 * by capture (one line per packet) and trace (matching the probe's copies
 * at every hop). Nothing here reads past the length it is given.
 */
#ifndef NSNET_PACKET_H
#define NSNET_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PKT_ADDR_MAX 46        /* INET6_ADDRSTRLEN */

/* TCP flags as in the header's 13th byte. */
#define PKT_TCP_FIN 0x01
#define PKT_TCP_SYN 0x02
#define PKT_TCP_RST 0x04
#define PKT_TCP_PSH 0x08
#define PKT_TCP_ACK 0x10

/* The transport part of an IP packet: also what an ICMP error quotes. */
struct pkt_l4 {
	int family;                 /* AF_INET, AF_INET6; 0: not IP */
	uint8_t src[16], dst[16];   /* 4 or 16 bytes used */
	uint8_t proto;              /* IPPROTO_* after extension headers */
	bool l4_ok;                 /* the header of proto is complete */
	uint16_t sport, dport;      /* TCP/UDP */
	uint8_t tcp_flags;
	uint32_t seq, ack;          /* TCP */
	uint16_t udp_len;           /* UDP length field */
	uint8_t icmp_type, icmp_code;
	uint16_t icmp_id, icmp_seq; /* echo request/reply */
	const uint8_t *payload;     /* after the transport header (or NULL) */
	size_t payload_len;
	size_t ip_len;              /* total length field (v4) or 40 + payload (v6) */
};

enum pkt_kind {
	PKT_OTHER = 0,   /* an ethertype we do not decode */
	PKT_ARP,
	PKT_IP,
};

struct pkt {
	enum pkt_kind kind;
	uint16_t ethertype;
	uint8_t eth_src[6], eth_dst[6];
	bool has_eth;
	size_t len;                 /* bytes given */
	/* ARP (Ethernet/IPv4 only) */
	uint16_t arp_op;            /* 1 request, 2 reply */
	uint8_t arp_sha[6], arp_spa[4], arp_tpa[4];
	/* IP */
	struct pkt_l4 ip;
	bool has_inner;             /* an ICMP error quoting a packet */
	struct pkt_l4 inner;
};

/*
 * Decode a frame. With eth, buf starts with an Ethernet header (what an
 * AF_PACKET SOCK_RAW socket gives on Ethernet-like devices); without, buf
 * is a bare IP packet whose ethertype (host order) is known from
 * elsewhere. Returns 0, or -1 when the frame is too short to say anything
 * (kind PKT_OTHER).
 */
int pkt_decode(const uint8_t *buf, size_t len, bool eth, uint16_t ethertype,
	       struct pkt *p);

/* Text of an address of l ("10.10.0.10", "fd00::1"). */
const char *pkt_addr_str(const struct pkt_l4 *l, bool dst, char *buf,
			 size_t len);

/*
 * What the packet is, without its addresses: "ICMP echo request id 7 seq 1",
 * "TCP 40000 > 80 [S] seq 12", "UDP 5353 > 53 length 20",
 * "ARP who-has 10.0.0.1 tell 10.0.0.2", "ethertype 0x88cc". Always
 * NUL-terminated; returns buf.
 */
char *pkt_what(const struct pkt *p, char *buf, size_t len);

/*
 * The whole capture line after time, interface and direction:
 * "10.10.0.10 > 203.0.113.10: ICMP echo request id 7 seq 1, length 64";
 * ARP and other ethertypes without the address part (ARP names its own
 * addresses; others get their MAC addresses).
 */
char *pkt_line(const struct pkt *p, char *buf, size_t len);

/* Whether needle occurs in the payload of l. */
bool pkt_payload_has(const struct pkt_l4 *l, const void *needle, size_t n);

#endif
