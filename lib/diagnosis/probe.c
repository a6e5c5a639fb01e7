// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * probe.c - the pure half of the diagnostics: destinations of doctor,
 * trace and check, which addresses need NAT, and doctor's reading of
 * foreign nftables chains. Nothing here talks to the kernel (tests/unit/test_probe.c).
 */
#include <errno.h>
#include <stdarg.h>
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/kernel.h"
#include "diagnosis/diagnosis.h"

static int probe_port_parse(const char *s, struct probe_dest *d)
{
	const char *slash = strchr(s, '/');
	char digits[8];
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	unsigned long v;
	char *end;

	if (n == 0 || n >= sizeof(digits))
		return -EINVAL;
	memcpy(digits, s, n);
	digits[n] = '\0';
	/* strtoul accepts signs and spaces; a port is digits only. */
	for (size_t i = 0; i < n; i++)
		if (digits[i] < '0' || digits[i] > '9')
			return -EINVAL;
	v = strtoul(digits, &end, 10);
	if (*end || v == 0 || v > 65535)
		return -EINVAL;
	d->port = (uint16_t)v;
	if (!slash || !strcmp(slash, "/tcp"))
		d->proto = IPPROTO_TCP;
	else if (!strcmp(slash, "/udp"))
		d->proto = IPPROTO_UDP;
	else
		return -EINVAL;
	return 0;
}

static int probe_host_parse(const char *s, size_t n, struct probe_dest *d)
{
	char host[PROBE_NAME_MAX];

	if (n == 0 || n >= sizeof(host))
		return -EINVAL;
	memcpy(host, s, n);
	host[n] = '\0';
	if (!ip_parse(host, &d->addr)) {
		d->is_addr = true;
		return 0;
	}
	/* Not an address: a name, which must not look like a broken one. */
	for (size_t i = 0; i < n; i++) {
		char c = host[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '-' ||
		      c == '.'))
			return -EINVAL;
	}
	if ((host[0] >= '0' && host[0] <= '9') || host[0] == '.' ||
	    host[0] == '-')
		return -EINVAL;
	strcpy(d->name, host);
	return 0;
}

int probe_dest_parse(const char *s, struct probe_dest *d)
{
	const char *colon;

	memset(d, 0, sizeof(*d));
	if (!s || !*s)
		return -EINVAL;
	if (s[0] == '[') {
		const char *close = strchr(s, ']');

		if (!close || probe_host_parse(s + 1, (size_t)(close - s - 1),
					       d) || !d->is_addr ||
		    d->addr.family != AF_INET6)
			return -EINVAL;
		if (!close[1])
			return 0;
		if (close[1] != ':')
			return -EINVAL;
		return probe_port_parse(close + 2, d);
	}
	/* Two colons or more: a bare IPv6 address, which cannot carry a port. */
	colon = strchr(s, ':');
	if (colon && strchr(colon + 1, ':'))
		return probe_host_parse(s, strlen(s), d) || !d->is_addr ?
		       -EINVAL : 0;
	if (probe_host_parse(s, colon ? (size_t)(colon - s) : strlen(s), d))
		return -EINVAL;
	return colon ? probe_port_parse(colon + 1, d) : 0;
}

/* ---- doctor's NAT check ------------------------------------------------ */

bool probe_addr_private(const struct ipaddr *ip)
{
	const unsigned char *b = ip->a.b;

	if (ip->family == AF_INET)
		return b[0] == 10 || (b[0] == 172 && (b[1] & 0xf0) == 16) ||
		       (b[0] == 192 && b[1] == 168) ||
		       (b[0] == 100 && (b[1] & 0xc0) == 64);
	/* fc00::/7, the unique local addresses */
	return (b[0] & 0xfe) == 0xfc;
}

/* ---- foreign nftables chains --------------------------------------------- */

static const char *probe_json_str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

/* nft names may end in "*": a prefix match, as iptables' "eth+". */
static bool probe_name_match(const char *pattern, const char *name)
{
	size_t n = strlen(pattern);

	if (n && pattern[n - 1] == '*')
		return !strncmp(pattern, name, n - 1);
	return !strcmp(pattern, name);
}

static int probe_match_value(json_t *right, const char *value,
			     bool (*eq)(const char *, const char *))
{
	size_t i;
	json_t *v;

	if (json_is_string(right))
		return eq(json_string_value(right), value);
	if (json_is_object(right))
		right = json_object_get(right, "set");
	if (!json_is_array(right))
		return -1;
	json_array_foreach(right, i, v) {
		if (!json_is_string(v))
			return -1;
		if (eq(json_string_value(v), value))
			return 1;
	}
	return 0;
}

static bool probe_str_eq(const char *a, const char *b)
{
	return !strcmp(a, b);
}

/* 1 the packet matches, 0 it does not, -1 we cannot tell (a match on
 * something doctor does not model: addresses, ports, marks, xt). */
static int probe_match(json_t *m, const struct probe_pkt *p)
{
	json_t *left = json_object_get(m, "left");
	const char *op = probe_json_str(m, "op");
	json_t *meta = json_object_get(left, "meta"), *ct = json_object_get(left, "ct");
	const char *key;
	int r;

	if (meta) {
		key = probe_json_str(meta, "key");
		if (!strcmp(key, "iifname") || !strcmp(key, "oifname"))
			r = probe_match_value(json_object_get(m, "right"),
					      key[0] == 'i' ? p->iif : p->oif,
					      probe_name_match);
		else
			return -1;
	} else if (ct && !strcmp(probe_json_str(ct, "key"), "state")) {
		r = probe_match_value(json_object_get(m, "right"),
				      p->established ? "established" : "new",
				      probe_str_eq);
		/* "ct state established" is written with op "in" (a bit
		 * test) as often as with "==". */
	} else {
		return -1;
	}
	if (r < 0)
		return -1;
	if (!strcmp(op, "!="))
		return !r;
	if (!strcmp(op, "==") || !strcmp(op, "in"))
		return r;
	return -1;
}

enum probe_verdict probe_chain_verdict(json_t *ruleset, const char *family,
				       const char *table, const char *chain,
				       const char *policy,
				       const struct probe_pkt *p,
				       long long *handle)
{
	json_t *arr = json_object_get(ruleset, "nftables"), *o, *x;
	size_t i, j;

	*handle = -1;
	json_array_foreach(arr, i, o) {
		json_t *r = json_object_get(o, "rule");
		if (!r || strcmp(probe_json_str(r, "family"), family) ||
		    strcmp(probe_json_str(r, "table"), table) ||
		    strcmp(probe_json_str(r, "chain"), chain))
			continue;
		json_array_foreach(json_object_get(r, "expr"), j, x) {
			json_t *m = json_object_get(x, "match");

			if (m) {
				/* Unknown matches count as "no": a rule
				 * doctor cannot read neither saves nor
				 * condemns the packet. */
				if (probe_match(m, p) != 1)
					break;
				continue;
			}
			if (json_object_get(x, "accept")) {
				*handle = json_integer_value(json_object_get(r, "handle"));
				return PROBE_V_ACCEPT;
			}
			if (json_object_get(x, "drop") ||
			    json_object_get(x, "reject")) {
				*handle = json_integer_value(json_object_get(r, "handle"));
				return PROBE_V_DROP;
			}
			if (json_object_get(x, "return") ||
			    json_object_get(x, "jump") ||
			    json_object_get(x, "goto") ||
			    json_object_get(x, "xt")) {
				/* Another chain decides: not followed. */
				break;
			}
			/* counter, log, meta set...: statements that do
			 * not decide */
		}
	}
	return !strcmp(policy, "drop") ? PROBE_V_POLICY_DROP : PROBE_V_NONE;
}
