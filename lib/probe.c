// SPDX-License-Identifier: GPL-2.0-or-later
/* probe.c - parsing the destinations of doctor, trace and check. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "probe.h"

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

/* ---- doctor ------------------------------------------------------------ */

struct probe_route {
	bool has_gw;
	struct ipaddr gw;
};

static int probe_route_cb(const struct nlmsghdr *nlh, void *data)
{
	struct probe_route *r = data;
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[NL_ATTR_TABLE_MAX + 1] = { 0 };
	const struct nlattr *gw;

	if (nlh->nlmsg_type != RTM_NEWROUTE)
		return MNL_CB_OK;
	mnl_attr_parse(nlh, sizeof(*rtm), nl_attr_table_cb, tb);
	gw = tb[RTA_GATEWAY];
	if (gw && mnl_attr_get_payload_len(gw) ==
		  (rtm->rtm_family == AF_INET ? 4u : 16u)) {
		r->has_gw = true;
		r->gw.family = rtm->rtm_family;
		memcpy(r->gw.a.b, mnl_attr_get_payload(gw),
		       mnl_attr_get_payload_len(gw));
	}
	return MNL_CB_OK;
}

static void probe_say(void (*line)(void *, const char *), void *data,
		      const char *fmt, ...)
{
	char text[512];
	va_list ap;

	if (!line)
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	line(data, text);
}

int nsnet_doctor(struct nsnet *nn, const char *nsname, const char *dest,
		 void (*line)(void *data, const char *text), void *data)
{
	char req[256] __attribute__((aligned(4)));
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(req);
	struct nsnet_ping_opts po = { .count = 1, .timeout = 1.0 };
	struct nsnet_ping_result res;
	struct probe_route route = { 0 };
	struct probe_dest d;
	char host[INET6_ADDRSTRLEN], gw[INET6_ADDRSTRLEN];
	struct rtmsg *rtm;
	struct ns *ns;
	int rc;

	if (probe_dest_parse(dest, &d))
		return err_usage(nn, "doctor: bad destination \"%s\": expected ADDRESS[:PORT[/tcp|/udp]]",
				 dest);
	if (!d.is_addr)
		return err_usage(nn, "doctor: destination \"%s\": give an address (names are not resolved yet)",
				 dest);
	if (d.port)
		return err_usage(nn, "doctor: destination \"%s\": port checks are not implemented yet",
				 dest);
	rc = ns_get(nn, nsname, &ns);
	if (rc)
		return rc;
	inet_ntop(d.addr.family, d.addr.a.b, host, sizeof(host));

	/* The kernel's own answer for this destination, not our guess from
	 * a dump of the table: it applies rules, metrics and link state. */
	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (unsigned char)d.addr.family;
	rtm->rtm_dst_len = d.addr.family == AF_INET ? 32 : 128;
	mnl_attr_put(nlh, RTA_DST, ip_len(&d.addr), d.addr.a.b);
	rc = nl_query(nn, ns, nlh, probe_route_cb, &route);
	if (rc == -ENETUNREACH)
		return err_set(nn, -EHOSTUNREACH,
			       "no route to %s in %s: add one with `nsnet route add %s default via GW`",
			       host, nsname, nsname);
	if (rc)
		return err_set(nn, rc, "route to %s in %s: %s", host, nsname,
			       strerror(-rc));
	if (route.has_gw) {
		inet_ntop(route.gw.family, route.gw.a.b, gw, sizeof(gw));
		probe_say(line, data, "route: %s via %s in %s", host, gw,
			  nsname);
	} else {
		probe_say(line, data, "route: %s on-link in %s", host, nsname);
	}

	rc = nsnet_ping(nn, nsname, host, &po, NULL, NULL, &res);
	if (rc < 0)
		return rc;
	if (rc > 0) {
		probe_say(line, data, "ok: %s answers ping from %s", host,
			  nsname);
		return 0;
	}
	/* Only a routed path through the host needs the host to forward;
	 * an on-link destination never crosses it. */
	if (route.has_gw && !ns_is_host(nsname)) {
		struct ns *hostns;
		char val[16] = "";

		if (!ns_get(nn, "host", &hostns) &&
		    !sysctl_read(nn, hostns, d.addr.family == AF_INET ?
				 "net/ipv4/ip_forward" :
				 "net/ipv6/conf/all/forwarding",
				 val, sizeof(val)) && val[0] == '0')
			return err_set(nn, -EHOSTUNREACH,
				       "%s does not reach %s: forwarding is off in the host: turn it on with `nsnet forward on`",
				       nsname, host);
	}
	return err_set(nn, -EHOSTUNREACH,
		       "%s does not answer ping from %s although a route exists (further checks are not implemented yet)",
		       host, nsname);
}
