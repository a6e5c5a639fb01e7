// SPDX-License-Identifier: GPL-2.0-or-later
/* fuzz_ping.c - what a raw ICMP/ICMPv6 socket may hand us: no read past
 * the packet; a reply's fields come from inside it and go to a probe that
 * was sent; a request we build checksums to zero and, turned into a
 * reply, reads back as ours (a probe past 65,535 as itself). */
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "diagnosis/diagnosis.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);
int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static unsigned char pkt[20 + PING_ICMP_HDR + 256];
	struct ping_reply r;
	unsigned char *copy;
	uint32_t k, sent;
	int family;
	uint16_t id, seq;
	size_t len, payload;

	if (size < 3)
		return 0;
	family = data[0] & 1 ? AF_INET6 : AF_INET;
	id = (uint16_t)(data[1] << 8 | data[2]);
	sent = (uint32_t)id * 3;  /* up to 196,605: past the wrap */
	/* An exact-size heap copy lets ASan catch a read one byte too far. */
	copy = malloc(size - 3 ? size - 3 : 1);
	if (!copy)
		return 0;
	memcpy(copy, data + 3, size - 3);
	switch (ping_parse(copy, size - 3, family, id, &r)) {
	case PING_ECHO_REPLY:
	case PING_ICMP_ERROR:
		if (r.icmp_len < PING_ICMP_HDR || r.icmp_len > size - 3 ||
		    (family == AF_INET6 && r.ttl != -1) ||
		    r.payload < copy || r.payload + r.payload_len > copy + (size - 3))
			__builtin_trap();
		/* A reply goes to a probe that was sent, with its sequence
		 * number, whatever its token says. */
		k = ping_match(&r, data[0] >> 1, sent);
		if (k > sent || (k && (uint16_t)k != r.seq))
			__builtin_trap();
		break;
	case PING_IGNORE:
		break;
	default:
		__builtin_trap();
	}
	if (!ping_error_text(family, r.type, r.code))
		__builtin_trap();
	ping_checksum(copy, size - 3);
	free(copy);

	seq = (uint16_t)(data[2] << 8 | data[1]);
	payload = data[0] >> 1;
	len = ping_build_echo(pkt + 20, sizeof(pkt) - 20, AF_INET, id, seq,
			      payload);
	if (len != PING_ICMP_HDR + payload || ping_checksum(pkt + 20, len))
		__builtin_trap();
	/* Probe n, turned into a reply, is matched to n once sent. */
	len = ping_build_probe(pkt + 20, sizeof(pkt) - 20, AF_INET, id,
			       (uint32_t)seq * 2 + 1, payload);
	if (ping_checksum(pkt + 20, len))
		__builtin_trap();
	memset(pkt, 0, 20);
	pkt[0] = 0x45;
	pkt[20] = 0;
	if (len != PING_ICMP_HDR + payload ||
	    ping_parse(pkt, 20 + len, AF_INET, id, &r) != PING_ECHO_REPLY ||
	    ping_match(&r, payload, (uint32_t)seq * 2 + 1) != (uint32_t)seq * 2 + 1)
		__builtin_trap();
	len = ping_build_echo(pkt + 20, sizeof(pkt) - 20, AF_INET, id, seq,
			      payload);
	if (len != PING_ICMP_HDR + payload || ping_checksum(pkt + 20, len))
		__builtin_trap();
	memset(pkt, 0, 20);
	pkt[0] = 0x45;
	pkt[8] = 64;
	pkt[20] = 0;  /* echo reply */
	if (ping_parse(pkt, 20 + len, AF_INET, id, &r) != PING_ECHO_REPLY ||
	    r.seq != seq || r.ttl != 64 || r.icmp_len != len)
		__builtin_trap();
	return 0;
}
