/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * probe.h - destinations of doctor/trace/check: parsing kept apart from
 * the sockets so unit tests reach it.
 */
#ifndef NSNET_PROBE_H
#define NSNET_PROBE_H

#include <stdbool.h>
#include <stdint.h>
#include <netinet/in.h>

#include "internal.h"

#define PROBE_NAME_MAX 64

struct probe_dest {
	bool is_addr;                 /* host is an address, not a name */
	struct ipaddr addr;           /* when is_addr */
	char name[PROBE_NAME_MAX];    /* when !is_addr: a namespace/node */
	uint16_t port;                /* 0: ICMP only */
	int proto;                    /* IPPROTO_TCP/UDP when port, else 0 */
};

/*
 * DEST[:PORT[/tcp|/udp]]. DEST is an IPv4 address, an IPv6 address in
 * brackets ("[fd00::1]:80") or bare when no port follows, or a name.
 * A port alone means TCP. Returns 0 or -EINVAL; sets no error (the caller
 * names the input).
 */
int probe_dest_parse(const char *s, struct probe_dest *d);

#endif
