/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ping.h - ICMP echo packets: building, checksums and reading replies.
 * Pure functions, kept apart from the sockets so unit tests reach them.
 */
#ifndef NSNET_PING_H
#define NSNET_PING_H

#include <stddef.h>
#include <stdint.h>

#define PING_ICMP_HDR 8

/* RFC 1071 Internet checksum, already complemented (0 over a valid packet). */
uint16_t ping_checksum(const void *data, size_t len);

/*
 * Build an echo request (ICMP for AF_INET, ICMPv6 for AF_INET6) with
 * payload bytes of pattern into buf. The ICMPv6 checksum is left 0: the
 * kernel fills it for raw ICMPv6 sockets (it covers the pseudo-header we
 * do not know). Returns the packet length, or 0 when buf is too small.
 */
size_t ping_build_echo(void *buf, size_t cap, int family, uint16_t id,
		       uint16_t seq, size_t payload);

enum ping_kind {
	PING_IGNORE = 0,    /* not about our echo */
	PING_ECHO_REPLY,    /* our echo came back */
	PING_ICMP_ERROR,    /* an error about one of our echoes */
};

struct ping_reply {
	enum ping_kind kind;
	uint16_t seq;
	int ttl;            /* IPv4: from the IP header; -1 when unknown */
	size_t icmp_len;    /* ICMP header + payload */
	uint8_t type, code; /* of the received message */
};

/*
 * Classify what a raw socket returned. For AF_INET buf starts with the IP
 * header (raw IPv4 sockets deliver it); for AF_INET6 with the ICMPv6
 * header. Only messages carrying our id count.
 */
enum ping_kind ping_parse(const void *buf, size_t len, int family,
			  uint16_t id, struct ping_reply *r);

/* Let a raw ICMP/ICMPv6 socket hear only echo replies and the errors
 * that can be about an echo (and hop limits, for IPv6). */
int ping_icmp_filter(int fd, int family);

/* The iputils wording for an ICMP error ("Destination Host Unreachable"). */
const char *ping_error_text(int family, uint8_t type, uint8_t code);

#endif
