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

#include <jansson.h>

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

/* ---- doctor's findings --------------------------------------------------- */

enum probe_word { PROBE_OK, PROBE_FAIL, PROBE_FIX };

/* One line of doctor's output: the word padded to six columns, then text
 * ("ok    web: eth0 is up with 10.10.0.10/16"). Returns buf. */
char *probe_line_format(char *buf, size_t len, enum probe_word w,
			const char *text);

/* RFC 1918, RFC 6598 (100.64/10) and fc00::/7: addresses the internet
 * does not route back, so a packet leaving with one needs NAT. */
bool probe_addr_private(const struct ipaddr *ip);

/* ---- foreign nftables chains --------------------------------------------------- */

/* What doctor knows of a forwarded packet at one namespace. */
struct probe_pkt {
	const char *iif, *oif;    /* interface names */
	bool established;         /* a reply (ct state established) */
};

enum probe_verdict {
	PROBE_V_NONE,             /* no rule decided; policy accept */
	PROBE_V_ACCEPT,           /* a rule accepts it */
	PROBE_V_DROP,             /* a rule drops or rejects it */
	PROBE_V_POLICY_DROP,      /* no rule decided; policy drop */
};

/*
 * Run p through the rules of one chain of a `list ruleset` JSON document
 * (libnftables' output), as far as doctor can read them: matches on
 * iifname/oifname and ct state; a rule with any other match is taken as
 * not matching, jumps are not followed. *handle is the deciding rule's
 * handle or -1.
 */
enum probe_verdict probe_chain_verdict(json_t *ruleset, const char *family,
				       const char *table, const char *chain,
				       const char *policy,
				       const struct probe_pkt *p,
				       long long *handle);

#endif
