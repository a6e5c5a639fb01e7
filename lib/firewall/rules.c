// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * rules.c - the pure half of the firewall: parsing of published-port
 * specs and the nft text of every change. Nothing here talks to the kernel,
 * so all of it is unit tested (tests/unit/test_fw.c).
 *
 * Layout of "table inet nsnet" (see docs/firewall.md):
 *  - published ports live in maps, so a packet's lookup and adding one
 *    more mapping cost the same with 10 or 10,000 of them: pub4 (one host
 *    address) and pub4any (every host address) are hash maps of single
 *    ports; rng4 is an interval map of ranges whose host and namespace
 *    ports are equal, one element per range (the value is only the
 *    address, so the port is kept); pub6, pub6any and rng6 the same for
 *    IPv6. A range with different bases (host
 *    8000-8009 to 9000-9009) is one element per port in the hash maps:
 *    nft's dnat has no "map to base + offset" (the kernel's
 *    NF_NAT_RANGE_PROTO_OFFSET is used by iptables' DNAT --to a:b-c/base
 *    only; nft 1.0.6 cannot express it, and "dnat to addr:80-89" picks any
 *    port of the range rather than the one at the same offset).
 *  - ports is the set of claimed host ports: "create element" fails inside
 *    the same transaction when a port is taken, so two publications of one
 *    port cannot both succeed, and no listing (O(n)) is needed.
 *  - owners (family . mark . proto . host range . port, mark = hash of
 *    the namespace, family 0 for both) ties a publication to its
 *    namespace and is the publication's record (show reads it): unpublish
 *    deletes it in the same transaction, which fails if another
 *    namespace owns the port. One claim in ports serves both families.
 *  - isolation: bridges, internal, allowed (iifname . oifname pairs; every
 *    bridge is paired with itself, as with br_netfilter bridged traffic
 *    passes the forward hook); leaves, the leaf bridges of networks that
 *    span several, whose packets are not tracked (chain raw).
 *  - NAT: per bridge one postrouting chain (masquerade) reached through
 *    natpost4/natpost6 (source subnet -> jump) and one forward chain
 *    reached through natfwd (iifname -> jump).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "firewall/firewall.h"

const char *fw_proto_name(int proto)
{
	return proto == IPPROTO_UDP ? "udp" : "tcp";
}

/* "N" or "N-M", 1..65535, M >= N. */
static int port_range_parse(const char *s, size_t len, unsigned int *lo,
			    unsigned int *hi, const char *what, char *why,
			    size_t wlen)
{
	unsigned long v[2] = { 0, 0 };
	size_t i = 0;
	int k = 0, digits = 0;

	for (i = 0; i < len; i++) {
		char c = s[i];

		if (c >= '0' && c <= '9') {
			if (v[k] > 65535)
				break;
			v[k] = v[k] * 10 + (unsigned long)(c - '0');
			digits++;
		} else if (c == '-' && k == 0 && digits) {
			k = 1;
			digits = 0;
		} else {
			snprintf(why, wlen, "%s \"%.*s\" is not a port or a range of ports (N or N-M)",
				 what, (int)len, s);
			return -EINVAL;
		}
	}
	if (!digits) {
		snprintf(why, wlen, "%s \"%.*s\" is not a port or a range of ports (N or N-M)",
			 what, (int)len, s);
		return -EINVAL;
	}
	if (k == 0)
		v[1] = v[0];
	for (i = 0; i < 2; i++)
		if (v[i] < 1 || v[i] > 65535) {
			snprintf(why, wlen, "%s \"%.*s\": ports go from 1 to 65535",
				 what, (int)len, s);
			return -EINVAL;
		}
	if (v[1] < v[0]) {
		snprintf(why, wlen, "%s \"%.*s\": the end of the range is below its start",
			 what, (int)len, s);
		return -EINVAL;
	}
	*lo = (unsigned int)v[0];
	*hi = (unsigned int)v[1];
	return 0;
}

/* The host address of a spec: IPv4, or IPv6 (written in brackets, or bare
 * when the last two ':' separate the ports). Only addresses a published
 * port can be reached on: the IPv6 loopback and link-local addresses
 * cannot (see docs/firewall.md). */
static int spec_host_parse(const char *s, const char *ip, bool bracketed,
			   struct fw_spec *sp, char *why, size_t len)
{
	if (ip_parse(ip, &sp->host_ip)) {
		snprintf(why, len, "\"%s\": \"%s\" is not an IPv4 or IPv6 address",
			 s, ip);
		return -EINVAL;
	}
	sp->family = sp->host_ip.family;
	if (bracketed && sp->family != AF_INET6) {
		snprintf(why, len, "\"%s\": brackets are for IPv6 addresses; write an IPv4 address as it is",
			 s);
		return -EINVAL;
	}
	if (sp->family == AF_INET6) {
		const struct in6_addr *a = &sp->host_ip.a.v6;

		if (IN6_IS_ADDR_LOOPBACK(a)) {
			snprintf(why, len, "\"%s\": ::1 cannot be published: the kernel does not route the IPv6 loopback address to another namespace (publish on the host's own IPv6 addresses, or on all of them)",
				 s);
			return -EINVAL;
		}
		if (IN6_IS_ADDR_LINKLOCAL(a) || IN6_IS_ADDR_MULTICAST(a) ||
		    IN6_IS_ADDR_V4MAPPED(a)) {
			snprintf(why, len, "\"%s\": %s cannot be published (link-local, multicast and IPv4-mapped addresses are not)",
				 s, ip);
			return -EINVAL;
		}
		sp->any_ip = IN6_IS_ADDR_UNSPECIFIED(a);
	} else {
		sp->any_ip = sp->host_ip.a.v4.s_addr == 0;
	}
	sp->host_ip.prefix = -1;
	return 0;
}

int fw_spec_parse(const char *s, struct fw_spec *sp, char *why, size_t len)
{
	const char *slash, *ports, *c, *np, *last = NULL, *before = NULL;
	size_t plen, n = 0;
	char ip[64];
	int rc;

	memset(sp, 0, sizeof(*sp));
	sp->proto = IPPROTO_TCP;
	sp->any_ip = true;
	if (!s || !*s) {
		snprintf(why, len, "empty port spec");
		return -EINVAL;
	}
	slash = strchr(s, '/');
	plen = slash ? (size_t)(slash - s) : strlen(s);
	if (slash) {
		if (!strcmp(slash + 1, "tcp")) {
			sp->proto = IPPROTO_TCP;
		} else if (!strcmp(slash + 1, "udp")) {
			sp->proto = IPPROTO_UDP;
		} else {
			snprintf(why, len, "\"%s\": unknown protocol \"%s\" (tcp or udp)",
				 s, slash + 1);
			return -EINVAL;
		}
	}
	if (s[0] == '[') {
		const char *rb = memchr(s, ']', plen);

		if (!rb || rb + 1 >= s + plen || rb[1] != ':') {
			snprintf(why, len, "\"%s\" is not [IPV6]:HOSTPORT[-END]:PORT[-END][/tcp|/udp]",
				 s);
			return -EINVAL;
		}
		if ((size_t)(rb - s - 1) >= sizeof(ip)) {
			snprintf(why, len, "\"%s\": host address too long", s);
			return -EINVAL;
		}
		memcpy(ip, s + 1, (size_t)(rb - s - 1));
		ip[rb - s - 1] = '\0';
		if ((rc = spec_host_parse(s, ip, true, sp, why, len)))
			return rc;
		ports = rb + 2;
	} else {
		if (memchr(s, ']', plen)) {
			snprintf(why, len, "\"%s\": ']' without '['", s);
			return -EINVAL;
		}
		/* Both ports are always written, so the last two ':' end
		 * the host address, whatever it holds. */
		for (c = s; c < s + plen; c++)
			if (*c == ':') {
				before = last;
				last = c;
				n++;
			}
		if (!n) {
			snprintf(why, len, "\"%s\" is not [HOSTIP:]HOSTPORT[-END]:PORT[-END][/tcp|/udp]",
				 s);
			return -EINVAL;
		}
		ports = s;
		if (n > 1) {
			if ((size_t)(before - s) >= sizeof(ip)) {
				snprintf(why, len, "\"%s\": host address too long", s);
				return -EINVAL;
			}
			memcpy(ip, s, (size_t)(before - s));
			ip[before - s] = '\0';
			if ((rc = spec_host_parse(s, ip, false, sp, why, len)))
				return rc;
			ports = before + 1;
		}
	}
	np = memchr(ports, ':', plen - (size_t)(ports - s));
	if (!np) {
		snprintf(why, len, "\"%s\" is not [HOSTIP:]HOSTPORT[-END]:PORT[-END][/tcp|/udp]",
			 s);
		return -EINVAL;
	}
	np++;
	if (port_range_parse(ports, (size_t)((np - 1) - ports), &sp->host_lo,
			     &sp->host_hi, "host port", why, len) ||
	    port_range_parse(np, plen - (size_t)(np - s), &sp->port_lo,
			     &sp->port_hi, "namespace port", why, len))
		return -EINVAL;
	if (sp->host_hi - sp->host_lo != sp->port_hi - sp->port_lo) {
		snprintf(why, len, "\"%s\": the host range has %u ports and the namespace range %u; they must be the same length",
			 s, sp->host_hi - sp->host_lo + 1,
			 sp->port_hi - sp->port_lo + 1);
		return -EINVAL;
	}
	return 0;
}

static int range_str(char *buf, size_t len, unsigned int lo, unsigned int hi)
{
	return lo == hi ? snprintf(buf, len, "%u", lo) :
			  snprintf(buf, len, "%u-%u", lo, hi);
}

/* "", "0.0.0.0:", "[::]:", "198.51.100.2:", "[2001:db8::2]:" */
static void spec_host_str(const struct fw_spec *sp, char *buf, size_t len)
{
	char ip[64];
	struct ipaddr a = sp->host_ip;

	buf[0] = '\0';
	if (!sp->family)
		return;
	a.prefix = -1;
	if (sp->any_ip)
		snprintf(ip, sizeof(ip), "%s", sp->family == AF_INET6 ? "::" : "0.0.0.0");
	else
		ip_str(&a, ip, sizeof(ip));
	snprintf(buf, len, sp->family == AF_INET6 ? "[%s]:" : "%s:", ip);
}

char *fw_spec_str(const struct fw_spec *sp, char *buf, size_t len)
{
	char ip[72], h[16], p[16];

	spec_host_str(sp, ip, sizeof(ip));
	range_str(h, sizeof(h), sp->host_lo, sp->host_hi);
	range_str(p, sizeof(p), sp->port_lo, sp->port_hi);
	snprintf(buf, len, "%s%s:%s/%s", ip, h, p, fw_proto_name(sp->proto));
	return buf;
}

bool fw_spec_has_family(const struct fw_spec *sp, int family)
{
	return !sp->family || sp->family == family;
}

bool fw_name_ok(const char *name)
{
	const char *p;

	if (!name || !*name)
		return false;
	for (p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || strchr("_.-+@:", *p)))
			return false;
	return true;
}

void fw_nat_chain(char *buf, size_t len, const char *bridge, bool forward)
{
	snprintf(buf, len, "%s_%08x", forward ? "natfwd" : "nat",
		 name_hash("nat", bridge));
}

/* ---- scripts --------------------------------------------------------------- */

void fw_script_init(struct fw_script *s)
{
	memset(s, 0, sizeof(*s));
}

void fw_script_free(struct fw_script *s)
{
	free(s->text);
	free(s->lines);
	memset(s, 0, sizeof(*s));
}

static void script_reserve(struct fw_script *s, size_t more)
{
	if (s->len + more + 1 > s->cap) {
		size_t cap = s->cap ? s->cap : 1024;
		char *t;

		while (cap < s->len + more + 1)
			cap *= 2;
		t = realloc(s->text, cap);
		if (!t)
			abort(); /* out of memory for a text buffer: no recovery */
		s->text = t;
		s->cap = cap;
	}
}

static void script_vappend(struct fw_script *s, const char *fmt, va_list ap)
{
	va_list ap2;
	int n;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	script_reserve(s, (size_t)n);
	vsnprintf(s->text + s->len, (size_t)n + 1, fmt, ap);
	s->len += (size_t)n;
}

static void script_append(struct fw_script *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void script_append(struct fw_script *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	script_vappend(s, fmt, ap);
	va_end(ap);
}

/* Lines are built in pieces: start, append, end. */
static void line_start(struct fw_script *s, const char *what)
{
	struct fw_line *l;

	if (s->n == s->lines_cap) {
		size_t cap = s->lines_cap ? s->lines_cap * 2 : 16;
		struct fw_line *nl = realloc(s->lines, cap * sizeof(*nl));

		if (!nl)
			abort();
		s->lines = nl;
		s->lines_cap = cap;
	}
	l = &s->lines[s->n++];
	l->off = s->len;
	l->len = 0;
	snprintf(l->what, sizeof(l->what), "%s", what);
}

static void line_end(struct fw_script *s)
{
	struct fw_line *l = &s->lines[s->n - 1];

	l->len = s->len - l->off;
	script_append(s, "\n");
}

void fw_script_line_start(struct fw_script *s, const char *what)
{
	line_start(s, what);
}

void fw_script_append(struct fw_script *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	script_vappend(s, fmt, ap);
	va_end(ap);
}

void fw_script_line_end(struct fw_script *s)
{
	line_end(s);
}

void fw_script_cat(struct fw_script *s, const struct fw_script *more)
{
	size_t i;

	for (i = 0; i < more->n; i++)
		fw_script_add(s, more->lines[i].what, "%.*s",
			      (int)more->lines[i].len,
			      more->text + more->lines[i].off);
}

void fw_script_add(struct fw_script *s, const char *what, const char *fmt, ...)
{
	va_list ap;

	line_start(s, what);
	va_start(ap, fmt);
	script_vappend(s, fmt, ap);
	va_end(ap);
	line_end(s);
}

/*
 * nft quotes the offending command after its message; the longest line of
 * ours that appears there is the one (a shorter line may be a prefix of
 * another, "delete element ... { tcp . 80 }" of "... { tcp . 8080 }").
 */
const struct fw_line *fw_script_find(const struct fw_script *s,
				     const char *errtext)
{
	const struct fw_line *best = NULL;
	size_t i;

	if (!errtext)
		return NULL;
	for (i = 0; i < s->n; i++) {
		const struct fw_line *l = &s->lines[i];
		char *needle;

		if (!l->len || (best && best->len >= l->len))
			continue;
		needle = strndup(s->text + l->off, l->len);
		if (!needle)
			abort();
		if (strstr(errtext, needle))
			best = l;
		free(needle);
	}
	return best;
}

/* ---- the table ----------------------------------------------------------------- */

/* The table's sets and maps (see the comment at the top). */
static const char *const fw_sets[] = {
	"set bridges { type ifname; }",
	"set internal { type ifname; }",
	"set leaves { type ifname; }",
	"set allowed { type ifname . ifname; }",
	"set ports { type inet_proto . inet_service; }",
	/* nft 1.0.6 refuses elements of this concatenation with the mark
	 * first ("exceeds valid range 0-0"): the family goes first. */
	"set owners { type nf_proto . mark . inet_proto . inet_service . inet_service . inet_service; }",
	"map pub4 { type ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service; }",
	"map pub4any { type inet_proto . inet_service : ipv4_addr . inet_service; }",
	"map rng4 { type ipv4_addr . inet_proto . inet_service : ipv4_addr; flags interval; }",
	"map pub6 { type ipv6_addr . inet_proto . inet_service : ipv6_addr . inet_service; }",
	"map pub6any { type inet_proto . inet_service : ipv6_addr . inet_service; }",
	"map rng6 { type ipv6_addr . inet_proto . inet_service : ipv6_addr; flags interval; }",
	"map natpost4 { type ipv4_addr : verdict; flags interval; }",
	"map natpost6 { type ipv6_addr : verdict; flags interval; }",
	"map natfwd { type ifname : verdict; }",
};

/* "fib daddr type local": the host's own addresses, whatever they are now,
 * without a rule per address. IPv6 leaves out ::1 and link-local
 * addresses: a reply to a client on ::1 cannot come back after the
 * translation (the kernel routes ::1 only on lo; there is no
 * route_localnet for IPv6), and a link-local client cannot be reached
 * from another link. */
#define PUB4 " meta nfproto ipv4 meta l4proto { tcp, udp } fib daddr type local dnat ip to "
#define PUB6 " meta nfproto ipv6 meta l4proto { tcp, udp } ip6 daddr != { ::1, fe80::/10 } fib daddr type local dnat ip6 to "

const struct fw_chain_def fw_chains[] = {
	{ "published", NULL, {
		PUB4 "ip daddr . meta l4proto . th dport map @pub4",
		PUB4 "meta l4proto . th dport map @pub4any",
		PUB4 "ip daddr . meta l4proto . th dport map @rng4",
		PUB6 "ip6 daddr . meta l4proto . th dport map @pub6",
		PUB6 "meta l4proto . th dport map @pub6any",
		PUB6 "ip6 daddr . meta l4proto . th dport map @rng6",
	} },
	/* Leaf bridges (topology/leaves.c): with br_netfilter, a packet they
	 * bridge would pass conntrack and NAT there first, and a null
	 * binding or a masquerade of that pass would stick to the
	 * connection; untracked, it is tracked at the network's own
	 * bridge. (Tracked at the leaf, a published port's DNAT would
	 * route from the leaf, which reverse-path filtering refuses: a
	 * leaf has no address.) */
	{ "raw", "type filter hook prerouting priority raw; policy accept;", {
		"iifname @leaves notrack",
	} },
	{ "prerouting", "type nat hook prerouting priority dstnat; policy accept;", {
		"iifname @bridges meta mark set meta mark | 0x00100000",
		"jump published",
	} },
	/* The host itself, through 127.0.0.1 and its own addresses. */
	{ "output", "type nat hook output priority -100; policy accept;", {
		"jump published",
	} },
	{ "postrouting", "type nat hook postrouting priority srcnat; policy accept;", {
		/* 127.0.0.1 cannot leave the host as a source address. */
		"ct status dnat ip saddr 127.0.0.0/8 masquerade",
		/* Hairpin: without it the server answers its neighbour
		 * directly and the reply misses the reverse translation. */
		"ct status dnat meta mark & 0x00100000 == 0x00100000 masquerade",
		"ip saddr vmap @natpost4",
		"ip6 saddr vmap @natpost6",
	} },
	{ "forward", "type filter hook forward priority filter; policy accept;", {
		"ct state established,related accept",
		"ct status dnat accept",
		"iifname . oifname @allowed accept",
		"iifname @bridges oifname @bridges drop",
		"iifname @internal drop",
		"oifname @internal drop",
		"iifname vmap @natfwd",
	} },
};
const size_t fw_n_chains = ARRAY_SIZE(fw_chains);

size_t fw_chain_rules(const struct fw_chain_def *c)
{
	size_t n = 0;

	while (n < ARRAY_SIZE(c->rules) && c->rules[n])
		n++;
	return n;
}

/*
 * Every command adds what is missing and leaves what is there, and the
 * chains are flushed and filled in the same transaction: the same script
 * creates the table, repairs one whose rules were flushed, and gives an
 * older table the sets it lacks; two of them at once give one copy of
 * each rule.
 */
void fw_rules_skeleton(struct fw_script *s)
{
	static const char what[] = "create nftables table inet nsnet";
	size_t i, j;

	fw_script_add(s, what,
		      "add table inet nsnet { comment \"created by nsnet (NAT, published ports, isolation); nsnet removes it when its last object goes\"; }");
	for (i = 0; i < ARRAY_SIZE(fw_sets); i++)
		fw_script_add(s, what, "add %.3s inet nsnet %s", fw_sets[i],
			      fw_sets[i] + 4);
	for (i = 0; i < fw_n_chains; i++) {
		if (fw_chains[i].hook)
			fw_script_add(s, what, "add chain inet nsnet %s { %s }",
				      fw_chains[i].name, fw_chains[i].hook);
		else
			fw_script_add(s, what, "add chain inet nsnet %s",
				      fw_chains[i].name);
	}
	for (i = 0; i < fw_n_chains; i++) {
		fw_script_add(s, what, "flush chain inet nsnet %s", fw_chains[i].name);
		for (j = 0; j < fw_chain_rules(&fw_chains[i]); j++)
			fw_script_add(s, what, "add rule inet nsnet %s %s",
				      fw_chains[i].name, fw_chains[i].rules[j]);
	}
}

/* Keys of the ports a spec claims, "tcp . 8080, tcp . 8081". */
static void append_ports(struct fw_script *s, const struct fw_spec *sp)
{
	unsigned int p;

	for (p = sp->host_lo; p <= sp->host_hi; p++)
		script_append(s, "%s%s . %u", p == sp->host_lo ? "" : ", ",
			      fw_proto_name(sp->proto), p);
}

const char *fw_nfproto_name(int family)
{
	return family == AF_INET ? "ipv4" : family == AF_INET6 ? "ipv6" : "0";
}

void fw_rules_owner_key(char *buf, size_t len, const struct fw_spec *sp,
			const char *owner)
{
	snprintf(buf, len, "%s . 0x%08x . %s . %u . %u . %u",
		 fw_nfproto_name(sp->family), name_hash("owner", owner),
		 fw_proto_name(sp->proto), sp->host_lo, sp->host_hi, sp->port_lo);
}

const char *fw_pub_map(const struct fw_spec *sp, int family)
{
	bool range = sp->host_lo == sp->port_lo && sp->host_hi > sp->host_lo;

	if (family == AF_INET6)
		return range ? "rng6" : sp->any_ip ? "pub6any" : "pub6";
	return range ? "rng4" : sp->any_ip ? "pub4any" : "pub4";
}

/* The map elements of one family: keys, and with to the values. */
static void append_pub_elems(struct fw_script *s, const struct fw_spec *sp,
			     int family, const char *owner,
			     const struct ipaddr *to)
{
	bool range = sp->host_lo == sp->port_lo && sp->host_hi > sp->host_lo;
	unsigned int i, n = sp->host_hi - sp->host_lo + 1;
	char hip[64], tip[64];

	if (sp->any_ip) {
		snprintf(hip, sizeof(hip), "%s", family == AF_INET6 ? "::/0" : "0.0.0.0/0");
	} else {
		struct ipaddr a = sp->host_ip;

		a.prefix = -1;
		ip_str(&a, hip, sizeof(hip));
	}
	if (to) {
		struct ipaddr t = *to;

		t.prefix = -1;
		ip_str(&t, tip, sizeof(tip));
	}
	if (range) {
		script_append(s, "%s . %s . %u-%u", hip, fw_proto_name(sp->proto),
			      sp->host_lo, sp->host_hi);
		if (to)
			script_append(s, " comment \"%s\" : %s", owner, tip);
		return;
	}
	for (i = 0; i < n; i++) {
		if (i)
			script_append(s, ", ");
		if (!sp->any_ip)
			script_append(s, "%s . ", hip);
		script_append(s, "%s . %u", fw_proto_name(sp->proto),
			      sp->host_lo + i);
		if (to)
			script_append(s, " comment \"%s\" : %s . %u", owner, tip,
				      sp->port_lo + i);
	}
}

void fw_rules_publish(struct fw_script *s, const struct fw_spec *sp,
		      const char *owner, const struct fw_targets *t, bool add)
{
	static const int fams[] = { AF_INET, AF_INET6 };
	char spec[96], what[200], key[128];
	unsigned int n = sp->host_hi - sp->host_lo + 1;
	size_t f;

	fw_spec_str(sp, spec, sizeof(spec));
	fw_rules_owner_key(key, sizeof(key), sp, owner);
	if (add) {
		char hp[96];

		spec_host_str(sp, hp, sizeof(hp));
		range_str(hp + strlen(hp), sizeof(hp) - strlen(hp),
			  sp->host_lo, sp->host_hi);
		snprintf(what, sizeof(what),
			 "%s %s/%s %s already published (see nsnet publish --list)",
			 n > 1 ? "host ports" : "host port", hp,
			 fw_proto_name(sp->proto), n > 1 ? "are or overlap ports" : "is");
		line_start(s, what);
		script_append(s, "create element inet nsnet ports { ");
		append_ports(s, sp);
		script_append(s, " }");
		line_end(s);
		snprintf(what, sizeof(what), "publish %s for %s", spec, owner);
		fw_script_add(s, what,
			      "add element inet nsnet owners { %s comment \"%s\" }",
			      key, owner);
	} else {
		snprintf(what, sizeof(what), "%s does not publish %s", owner,
			 spec);
	}
	for (f = 0; f < ARRAY_SIZE(fams); f++) {
		const struct ipaddr *to = fams[f] == AF_INET ? &t->to4 : &t->to6;

		if (!(fams[f] == AF_INET ? t->v4 : t->v6))
			continue;
		line_start(s, what);
		script_append(s, "%s element inet nsnet %s { ", add ? "add" : "delete",
			      fw_pub_map(sp, fams[f]));
		append_pub_elems(s, sp, fams[f], owner, add ? to : NULL);
		script_append(s, " }");
		line_end(s);
	}
	if (!add) {
		snprintf(what, sizeof(what),
			 "%s does not publish %s (another namespace or another port spec does; see nsnet publish --list)",
			 owner, spec);
		fw_script_add(s, what, "delete element inet nsnet owners { %s }",
			      key);
		line_start(s, "release the host ports");
		script_append(s, "delete element inet nsnet ports { ");
		append_ports(s, sp);
		script_append(s, " }");
		line_end(s);
	}
}

/* Subnets of one family, masked, each followed by suffix ("" or
 * " : jump nat_..."), separated by ", ". */
static void append_subnets(struct fw_script *s, const struct ipaddr *subnets,
			   size_t n, int family, const char *suffix)
{
	char buf[64];
	bool first = true;
	size_t i;

	for (i = 0; i < n; i++) {
		struct ipaddr a = subnets[i];

		if (a.family != family)
			continue;
		ip_mask(&a);
		script_append(s, "%s%s%s", first ? "" : ", ",
			      ip_str(&a, buf, sizeof(buf)), suffix);
		first = false;
	}
}

static size_t count_family(const struct ipaddr *subnets, size_t n, int family)
{
	size_t i, c = 0;

	for (i = 0; i < n; i++)
		c += subnets[i].family == family;
	return c;
}

void fw_rules_nat(struct fw_script *s, const char *bridge, int ifindex,
		  const char *out, const struct ipaddr *subnets, size_t n,
		  bool add)
{
	static const int fams[] = { AF_INET, AF_INET6 };
	char post[32], fwd[32], what[200], jump[48];
	size_t f;

	fw_nat_chain(post, sizeof(post), bridge, false);
	fw_nat_chain(fwd, sizeof(fwd), bridge, true);
	snprintf(jump, sizeof(jump), " : jump %s", post);
	if (add) {
		snprintf(what, sizeof(what), "NAT for bridge %s is already on",
			 bridge);
		line_start(s, what);
		/* `nsnet show` reads the configuration back from the
		 * kernel: subnets from natpost4/6, the outbound interface
		 * from the rule. */
		script_append(s, "create chain inet nsnet %s { comment \"NAT for bridge %s\"; }",
			      post, bridge);
		line_end(s);
		snprintf(what, sizeof(what), "NAT for bridge %s", bridge);
		fw_script_add(s, what,
			      "create chain inet nsnet %s { comment \"NAT for bridge %s\"; }",
			      fwd, bridge);
		/* Rules inside a "create chain { }" block are ignored by
		 * nft 1.0.6: they are added one by one. */
		fw_script_add(s, what, "add rule inet nsnet %s oifname %s\"%s\" masquerade",
			      post, out ? "" : "!= ", out ? out : bridge);
		fw_script_add(s, what, "add rule inet nsnet %s oifname %s\"%s\" accept",
			      fwd, out ? "" : "!= ", out ? out : bridge);
	} else {
		snprintf(what, sizeof(what), "NAT for bridge %s", bridge);
		fw_script_add(s, what, "delete element inet nsnet natfwd { \"%s\" }",
			      bridge);
	}
	for (f = 0; f < ARRAY_SIZE(fams); f++) {
		if (!count_family(subnets, n, fams[f]))
			continue;
		snprintf(what, sizeof(what),
			 add ? "NAT for bridge %s: one of its subnets already has NAT through another bridge" :
			       "NAT for bridge %s: its subnets", bridge);
		line_start(s, what);
		script_append(s, "%s element inet nsnet natpost%c { ",
			      add ? "add" : "delete",
			      fams[f] == AF_INET6 ? '6' : '4');
		append_subnets(s, subnets, n, fams[f], add ? jump : "");
		script_append(s, " }");
		line_end(s);
	}
	snprintf(what, sizeof(what), "NAT for bridge %s", bridge);
	if (add) {
		/* The bridge's ifindex in the element's comment (nft's
		 * JSON shows element comments, not chain comments): a NAT
		 * whose bridge was deleted, and maybe made again, is
		 * stale. */
		if (ifindex > 0)
			fw_script_add(s, what,
				      "add element inet nsnet natfwd { \"%s\" comment \"ifindex %d\" : jump %s }",
				      bridge, ifindex, fwd);
		else    /* a plan, before the bridge exists */
			fw_script_add(s, what,
				      "add element inet nsnet natfwd { \"%s\" : jump %s }",
				      bridge, fwd);
	} else {
		/* A chain must be empty and unreferenced to go. */
		fw_script_add(s, what, "flush chain inet nsnet %s", post);
		fw_script_add(s, what, "delete chain inet nsnet %s", post);
		fw_script_add(s, what, "flush chain inet nsnet %s", fwd);
		fw_script_add(s, what, "delete chain inet nsnet %s", fwd);
	}
}
