// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * names.c - strict parsing and validation of what users type: namespace and
 * interface names, addresses, prefixes. Nothing here touches the kernel, so
 * every command can validate all of its input before it changes anything.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <net/if.h>

#include "base/base.h"

/* "host" names the namespace nsnet runs in, wherever a namespace is named. */
bool ns_is_host(const char *name)
{
	return !strcmp(name, NSNET_HOST);
}

/*
 * One rule for every name a user gives nsnet (namespaces, nodes, networks,
 * bridges, interfaces, topologies): letters, digits, '_', '-' and '.', not
 * starting with '-' (it would read as an option) or '.' (hidden files,
 * "." and ".."). Names become file names (/run/netns, /etc/netns,
 * /run/nsnet), interface names and words of printed commands; with this
 * rule none of them ever needs quoting, for a shell or for nft.
 */
int name_check(struct nsnet *nn, const char *what, const char *name,
	       size_t max)
{
	size_t i, len = name ? strlen(name) : 0;

	if (!len)
		return err_usage(nn, "%s name is empty", what);
	if (len > max)
		return err_usage(nn,
			"%s name \"%.20s...\" is %zu bytes long; at most %zu are allowed",
			what, name, len, max);
	if (name[0] == '-')
		return err_usage(nn,
			"%s name \"%s\" starts with '-'; names cannot look like options",
			what, name);
	if (name[0] == '.')
		return err_usage(nn, "%s name \"%s\" starts with '.'", what, name);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (!isalnum(c) && c != '_' && c != '-' && c != '.')
			return err_usage(nn,
				"%s name \"%s\" contains %s%c%s at position %zu; use letters, digits, '-', '_' or '.'",
				what, isprint(c) ? name : "(unprintable)",
				isprint(c) ? "'" : "byte ", isprint(c) ? c : '?',
				isprint(c) ? "'" : "", i + 1);
	}
	return 0;
}

/* Interface names: the one rule within the kernel's IFNAMSIZ. */
int check_ifname(struct nsnet *nn, const char *name)
{
	return name_check(nn, "interface", name, IFNAMSIZ - 1);
}

/* Namespace names become file names under /run/netns and /etc/netns. */
int check_ns_name(struct nsnet *nn, const char *name, bool allow_host)
{
	int rc = name_check(nn, "namespace", name, 64);

	if (!rc && !allow_host && ns_is_host(name))
		return err_usage(nn,
			"namespace name \"%s\" is reserved: it means the namespace nsnet runs in",
			name);
	return rc;
}

NSNET_EXPORT int nsnet_check_ns_name(struct nsnet *nn, const char *name)
{
	return check_ns_name(nn, name, false);
}

NSNET_EXPORT int nsnet_check_ifname(struct nsnet *nn, const char *name)
{
	return check_ifname(nn, name);
}

size_t ip_len(const struct ipaddr *ip)
{
	return ip->family == AF_INET ? 4 : 16;
}

int ip_parse(const char *s, struct ipaddr *ip)
{
	memset(ip, 0, sizeof(*ip));
	ip->prefix = -1;
	if (!s || !*s)
		return -EINVAL;
	if (inet_pton(AF_INET, s, &ip->a.v4) == 1) {
		ip->family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, &ip->a.v6) == 1) {
		ip->family = AF_INET6;
		return 0;
	}
	return -EINVAL;
}

int cidr_parse(const char *s, struct ipaddr *ip)
{
	char buf[INET6_ADDRSTRLEN + 8];
	char *slash, *end;
	long p;

	if (!s || strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	if (ip_parse(buf, ip))
		return -EINVAL;
	if (!slash)
		return 0;
	if (!isdigit((unsigned char)slash[1]))
		return -EINVAL;
	errno = 0;
	p = strtol(slash + 1, &end, 10);
	if (errno || *end || p < 0 || p > (ip->family == AF_INET ? 32 : 128) ||
	    strlen(slash + 1) > 3)
		return -EINVAL;
	ip->prefix = (int)p;
	return 0;
}

void ip_mask(struct ipaddr *ip)
{
	int bits = ip->prefix < 0 ? (int)ip_len(ip) * 8 : ip->prefix;
	size_t i;

	for (i = 0; i < ip_len(ip); i++) {
		int keep = bits - (int)i * 8;

		if (keep >= 8)
			continue;
		ip->a.b[i] &= keep <= 0 ? 0 : (unsigned char)(0xff << (8 - keep));
	}
}

int prefix_parse(const char *s, struct ipaddr *ip)
{
	struct ipaddr m;

	if (s && !strcmp(s, "default")) {
		memset(ip, 0, sizeof(*ip));
		ip->family = AF_INET;  /* callers pick the family from the gateway */
		ip->prefix = 0;
		return 0;
	}
	if (cidr_parse(s, ip))
		return -EINVAL;
	if (ip->prefix < 0)
		ip->prefix = (int)ip_len(ip) * 8;
	/* "10.1.2.3/16" as a destination is almost always a typo: refuse it
	 * rather than guess, as the kernel would with EINVAL and no text. */
	m = *ip;
	ip_mask(&m);
	if (memcmp(m.a.b, ip->a.b, ip_len(ip)))
		return -EINVAL;
	return 0;
}

bool ip_equal(const struct ipaddr *a, const struct ipaddr *b)
{
	return a->family == b->family && !memcmp(a->a.b, b->a.b, ip_len(a));
}

bool ip_in_prefix(const struct ipaddr *net, const struct ipaddr *ip)
{
	struct ipaddr x = *ip, n = *net;

	if (net->family != ip->family)
		return false;
	x.prefix = net->prefix;
	ip_mask(&x);
	ip_mask(&n);
	return !memcmp(x.a.b, n.a.b, ip_len(ip));
}

char *ip_str(const struct ipaddr *ip, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(ip->family, ip->a.b, a, sizeof(a));
	if (ip->prefix >= 0)
		snprintf(buf, len, "%s/%d", a, ip->prefix);
	else
		snprintf(buf, len, "%s", a);
	return buf;
}

uint32_t name_hash(const char *a, const char *b)
{
	uint32_t h = 2166136261u;
	const char *s;

	for (s = a; s && *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	h = (h ^ 0xff) * 16777619u;
	for (s = b; s && *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

socklen_t ip_sockaddr(const struct ipaddr *ip, uint16_t port,
		      struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (ip->family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		sin->sin_addr = ip->a.v4;
		return sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		sin6->sin6_addr = ip->a.v6;
		return sizeof(*sin6);
	}
}

void ip_add(struct ipaddr *ip, uint64_t offset)
{
	int i = (int)ip_len(ip) - 1;

	while (offset && i >= 0) {
		uint64_t v = ip->a.b[i] + (offset & 0xff);

		ip->a.b[i] = (unsigned char)v;
		offset = (offset >> 8) + (v >> 8);
		i--;
	}
}

int ip_pick_free(const struct ipaddr *subnet, uint64_t start,
		 bool (*used)(const struct ipaddr *ip, void *data), void *data,
		 struct ipaddr *out)
{
	int host_bits = (int)ip_len(subnet) * 8 - subnet->prefix;
	uint64_t size = host_bits >= 32 ? (1ull << 32) : (1ull << host_bits);
	/* offsets 1..size-2: not the network, not broadcast */
	uint64_t span = size > 2 ? size - 2 : 0, k;

	for (k = 0; k < span; k++) {
		struct ipaddr ip = *subnet;

		ip_mask(&ip);
		ip_add(&ip, 1 + (start + k) % span);
		if (!used(&ip, data)) {
			*out = ip;
			return 0;
		}
	}
	return -ENOSPC;
}
