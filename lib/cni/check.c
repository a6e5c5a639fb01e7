// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * check.c - CHECK: what ADD recorded against what the runtime says now
 * (CNI_NETNS, the prevResult field by field, the runtime config's port
 * mappings) and against what is there (the reservation, the host end on
 * its bridge with the gateway, the container's interface, addresses and
 * routes, and the published ports). The first difference is the answer
 * (code 102), in words that name the field or the object that drifted.
 */
#include <dirent.h>
#include <stdio.h>
#include <strings.h>
#include <string.h>
#include <sys/stat.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <libmnl/libmnl.h>

#include "cni/cni.h"

/* ---- CHECK ------------------------------------------------------------------------- */

struct route_find {
	const struct cni_route *want;
	int oif;
	bool found;
};

static int route_find_cb(const struct nlmsghdr *nlh, void *data)
{
	struct route_find *f = data;
	struct nl_route rt;

	if (nl_route_parse(nlh, &rt) || rt.table != RT_TABLE_MAIN)
		return MNL_CB_OK;
	if (rt.family == f->want->dst.family &&
	    rt.dst.prefix == f->want->dst.prefix &&
	    !memcmp(rt.dst.a.b, f->want->dst.a.b, ip_len(&f->want->dst)) &&
	    (!f->want->gw.family ||
	     (rt.has_gateway && ip_equal(&rt.gateway, &f->want->gw))))
		f->found = true;
	return MNL_CB_OK;
}

static int route_present(struct nsnet *nn, struct ns *ns,
			 const struct cni_route *want, bool *found)
{
	char buf[256];
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	struct rtmsg *rtm;
	struct route_find f = { want, 0, false };
	int rc;

	memset(buf, 0, sizeof(buf));
	nlh->nlmsg_len = NLMSG_LENGTH(sizeof(*rtm));
	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	rtm = NLMSG_DATA(nlh);
	rtm->rtm_family = (unsigned char)want->dst.family;
	rc = nl_dump(nn, ns, nlh, route_find_cb, &f);
	*found = f.found;
	return rc;
}

struct addr_find {
	const struct ipaddr *want;
	bool found;
};

static int addr_find_cb(const struct nl_addr *a, void *data)
{
	struct addr_find *f = data;

	if (ip_equal(&a->ip, f->want) && a->ip.prefix == f->want->prefix)
		f->found = true;
	return 0;
}

static int check_drift(struct nsnet *nn, struct cni_error *err,
		       const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int check_drift(struct nsnet *nn, struct cni_error *err,
		       const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	err->code = CNI_ERR_DRIFT;
	err_set(nn, 0, "%s", err->msg);
	return -EINVAL;
}

/* An address without its prefix, or "none". */
static const char *addr_or_none(const struct ipaddr *ip, char *buf, size_t len)
{
	struct ipaddr a = *ip;

	if (!ip->family)
		return "none";
	a.prefix = -1;
	return ip_str(&a, buf, len);
}

static bool same_gw(const struct ipaddr *a, const struct ipaddr *b)
{
	return a->family == b->family && (!a->family || ip_equal(a, b));
}

static bool same_dst(const struct ipaddr *a, const struct ipaddr *b)
{
	return ip_equal(a, b) && a->prefix == b->prefix;
}

/* "0.0.0.0/0 via 10.98.0.1", or the destination alone. */
static const char *route_str(const struct cni_route *rt, char *buf, size_t len)
{
	char d[64], g[64];

	ip_str(&rt->dst, d, sizeof(d));
	if (rt->gw.family)
		snprintf(buf, len, "%s via %s", d, addr_or_none(&rt->gw, g, sizeof(g)));
	else
		snprintf(buf, len, "%s", d);
	return buf;
}

/* Where interface name (in sandbox) is in a result: its index, or -1;
 * *by_name the first of that name in any sandbox. */
static int iface_find(const struct cni_result *p, const struct cni_iface *want,
		      int *by_name)
{
	size_t j;

	*by_name = -1;
	for (j = 0; j < p->n_ifaces; j++) {
		if (strcmp(p->ifaces[j].name, want->name))
			continue;
		if (*by_name < 0)
			*by_name = (int)j;
		if (!strcmp(p->ifaces[j].sandbox, want->sandbox))
			return (int)j;
	}
	return -1;
}

static bool ours(const struct cni_conf *c, const struct cni_ip *ip, size_t base)
{
	return c->ipam_only || ip->iface == (int)base;
}

/*
 * The prevResult (spec 0.4.0 and later: CHECK gets the result the chain
 * answered at ADD) against the record, field by field: our interfaces by
 * name, sandbox and mac; our addresses by address, gateway and interface
 * index, and no other address on our container interface; every route ADD
 * answered. Other plugins' entries are theirs to check. As another
 * plugin's IPAM only the addresses and routes are ours.
 */
static int check_prev(struct nsnet *nn, const struct cni_conf *c,
		      const struct cni_record *r, size_t base,
		      struct cni_error *err)
{
	const struct cni_result *rec = &r->result;
	struct cni_result p;
	char why[160], a[96], b[96];
	int at[3] = { -1, -1, -1 }, j, by_name;
	size_t i, k;
	int rc = 0;

	if (cni_result_parse(c->prev_result, &p, why, sizeof(why)))
		return cni_failf(nn, err, CNI_ERR_DECODE, "\"prevResult\": %s", why);
	/* bridge, host end, container end: the record's last three */
	for (k = 0; !c->ipam_only && base >= 2 && k < 3; k++) {
		const struct cni_iface *want = &rec->ifaces[base - 2 + k];

		j = iface_find(&p, want, &by_name);
		if (j < 0 && by_name < 0) {
			rc = check_drift(nn, err, "\"prevResult\".interfaces has no %s%s%s (ADD made it)",
					 want->name, want->sandbox[0] ? " in " : "",
					 want->sandbox);
			goto out;
		}
		if (j < 0) {
			rc = check_drift(nn, err, "\"prevResult\".interfaces[%d] (%s): sandbox is \"%s\", ADD made it in \"%s\"",
					 by_name, want->name, p.ifaces[by_name].sandbox,
					 want->sandbox);
			goto out;
		}
		if (want->mac[0] && strcasecmp(p.ifaces[j].mac, want->mac)) {
			rc = check_drift(nn, err, "\"prevResult\".interfaces[%d] (%s): mac is %s, ADD gave %s",
					 j, want->name,
					 p.ifaces[j].mac[0] ? p.ifaces[j].mac : "missing",
					 want->mac);
			goto out;
		}
		at[k] = j;
	}
	for (i = 0; i < rec->n_ips; i++) {
		const struct cni_ip *want = &rec->ips[i];
		const struct cni_ip *got = NULL;

		if (!ours(c, want, base))
			continue;
		for (k = 0; k < p.n_ips; k++)
			if (ip_equal(&p.ips[k].addr, &want->addr)) {
				got = &p.ips[k];
				break;
			}
		ip_str(&want->addr, a, sizeof(a));
		if (!got) {
			rc = check_drift(nn, err, "\"prevResult\".ips has no %s (ADD gave it to %s)",
					 a, c->ifname);
			goto out;
		}
		if (got->addr.prefix != want->addr.prefix) {
			rc = check_drift(nn, err, "\"prevResult\".ips[%zu]: address is %s, ADD gave %s",
					 k, ip_str(&got->addr, b, sizeof(b)), a);
			goto out;
		}
		if (c->ipam_only)
			continue;
		if (!same_gw(&got->gateway, &want->gateway)) {
			char g[64];

			rc = check_drift(nn, err, "\"prevResult\".ips[%zu] (%s): gateway is %s, ADD gave %s",
					 k, a, addr_or_none(&got->gateway, b, sizeof(b)),
					 addr_or_none(&want->gateway, g, sizeof(g)));
			goto out;
		}
		if (at[2] >= 0 && got->iface != at[2]) {
			if (got->iface >= 0 && (size_t)got->iface < p.n_ifaces)
				snprintf(b, sizeof(b), "%d (%s)", got->iface,
					 p.ifaces[got->iface].name);
			else
				snprintf(b, sizeof(b), "%s", got->iface < 0 ? "missing" :
					 "past the end of interfaces");
			rc = check_drift(nn, err, "\"prevResult\".ips[%zu] (%s): interface is %s, ADD put it on %d (%s)",
					 k, a, b, at[2], c->ifname);
			goto out;
		}
	}
	for (k = 0; !c->ipam_only && at[2] >= 0 && k < p.n_ips; k++) {
		bool known = false;

		if (p.ips[k].iface != at[2])
			continue;
		for (i = 0; !known && i < rec->n_ips; i++)
			known = ours(c, &rec->ips[i], base) &&
				ip_equal(&rec->ips[i].addr, &p.ips[k].addr);
		if (!known) {
			rc = check_drift(nn, err, "\"prevResult\".ips[%zu]: %s is on %s, but ADD did not give it",
					 k, ip_str(&p.ips[k].addr, a, sizeof(a)), c->ifname);
			goto out;
		}
	}
	for (i = 0; i < rec->n_routes; i++) {
		const struct cni_route *want = &rec->routes[i];
		int dst_at = -1;

		for (k = 0; k < p.n_routes; k++) {
			if (!same_dst(&p.routes[k].dst, &want->dst))
				continue;
			if (same_gw(&p.routes[k].gw, &want->gw))
				break;
			if (dst_at < 0)
				dst_at = (int)k;
		}
		if (k < p.n_routes)
			continue;
		if (dst_at >= 0) {
			char g[64];

			rc = check_drift(nn, err, "\"prevResult\".routes[%d] (%s): gw is %s, ADD gave %s",
					 dst_at, ip_str(&want->dst, a, sizeof(a)),
					 addr_or_none(&p.routes[dst_at].gw, b, sizeof(b)),
					 addr_or_none(&want->gw, g, sizeof(g)));
			goto out;
		}
		rc = check_drift(nn, err, "\"prevResult\".routes has no route to %s (ADD gave it)",
				 route_str(want, a, sizeof(a)));
		goto out;
	}
out:
	cni_result_free(&p);
	return rc;
}

static bool same_port(const struct cni_port *a, const struct cni_port *b)
{
	return a->host_port == b->host_port && a->container_port == b->container_port &&
	       a->proto == b->proto && same_gw(&a->host_ip, &b->host_ip);
}

/* The runtime config's portMappings, when the CHECK carries them, are the
 * ones ADD published: no more, no fewer. */
static int check_runtime_ports(struct nsnet *nn, const struct cni_conf *c,
			       const struct cni_record *r, struct cni_error *err)
{
	char buf[96];
	size_t i, j;

	for (i = 0; i < c->n_ports; i++) {
		for (j = 0; j < r->n_ports && !same_port(&c->ports[i], &r->ports[j]); j++)
			;
		if (j == r->n_ports)
			return check_drift(nn, err, "\"runtimeConfig\".\"portMappings\"[%zu] (%s) was not published by ADD",
					   i, cni_port_str(&c->ports[i], buf, sizeof(buf)));
	}
	for (j = 0; j < r->n_ports; j++) {
		for (i = 0; i < c->n_ports && !same_port(&c->ports[i], &r->ports[j]); i++)
			;
		if (i == c->n_ports)
			return check_drift(nn, err, "ADD published %s, which \"runtimeConfig\".\"portMappings\" does not list",
					   cni_port_str(&r->ports[j], buf, sizeof(buf)));
	}
	return 0;
}

struct gw_find {
	const struct ipaddr *want;
	bool found;
};

static int gw_find_cb(const struct nl_addr *a, void *data)
{
	struct gw_find *f = data;

	if (ip_equal(&a->ip, f->want))
		f->found = true;
	return 0;
}

/* The host side: the host end, ours, with the MAC ADD saw, a port of the
 * bridge, and the bridge still holding the gateways of our addresses
 * (those on the container interface, index base of the result). */
static int check_host(struct nsnet *nn, const struct cni_conf *c,
		      const struct cni_record *r, size_t base,
		      struct nl_link *hl, struct cni_error *err)
{
	struct nl_link br;
	struct ns *host;
	char buf[64], mac[18];
	size_t i;
	int rc;

	if ((rc = ns_get(nn, NSNET_HOST, &host)))
		return cni_fail(nn, err, CNI_ERR_KERNEL, rc);
	rc = nl_link_get(nn, host, r->host_if, hl);
	if (rc == -ENODEV || (!rc && !link_is_ours(hl)))
		return check_drift(nn, err, "the host end %s of %s's veth is gone",
				   r->host_if, c->ifname);
	if (rc)
		return cni_fail(nn, err, CNI_ERR_KERNEL, rc);
	cni_mac_str(hl->mac, mac, sizeof(mac));
	if (base >= 1 && r->result.ifaces[base - 1].mac[0] &&
	    strcasecmp(mac, r->result.ifaces[base - 1].mac))
		return check_drift(nn, err, "the host end %s has MAC %s, ADD gave it %s",
				   r->host_if, mac, r->result.ifaces[base - 1].mac);
	rc = nl_link_get(nn, host, r->bridge, &br);
	if (rc == -ENODEV)
		return check_drift(nn, err, "bridge %s is gone", r->bridge);
	if (rc)
		return cni_fail(nn, err, CNI_ERR_KERNEL, rc);
	if (hl->master != br.index)
		return check_drift(nn, err, "%s is no longer a port of bridge %s",
				   r->host_if, r->bridge);
	for (i = 0; !r->delegate[0] && i < r->result.n_ips; i++) {
		struct gw_find f = { &r->result.ips[i].gateway, false };

		if (r->result.ips[i].iface != (int)base || !f.want->family)
			continue;
		rc = nl_addr_dump(nn, host, f.want->family, br.index, gw_find_cb,
				  &f, NULL);
		if (rc)
			return cni_fail(nn, err, CNI_ERR_KERNEL, rc);
		if (!f.found)
			return check_drift(nn, err, "bridge %s has lost the gateway address %s",
					   r->bridge, addr_or_none(f.want, buf, sizeof(buf)));
	}
	return 0;
}

int cni_check(struct nsnet *nn, struct cni_conf *c, struct cni_error *err)
{
	struct fw_spec specs[CNI_MAX_PORTS];
	struct nl_link hl, cl;
	struct cni_record r;
	struct ns *cns;
	struct stat st;
	char buf[64];
	size_t i, base;
	int rc;

	rc = cni_record_read(c->name, c->container_id, c->ifname, &r);
	if (rc)
		return cni_failf(nn, err, CNI_ERR_CONTAINER,
				 "CNI_CONTAINERID %s with CNI_IFNAME %s: network %s has no such attachment (never added, or deleted)",
				 c->container_id, c->ifname, c->name);
	if (!r.complete) {
		rc = check_drift(nn, err, "the ADD of container %s on %s did not finish",
				 c->container_id, c->ifname);
		goto out;
	}
	/* Our addresses: those on our container interface (the last one;
	 * a prevResult's come before), or all of them as IPAM only. */
	base = r.result.n_ifaces ? r.result.n_ifaces - 1 : 0;
	if (!c->ipam_only && r.netns[0]) {
		if (stat(c->netns, &st)) {
			rc = cni_failf(nn, err, CNI_ERR_CONTAINER, "CNI_NETNS %s: %s",
				       c->netns, strerror(errno));
			goto out;
		}
		if ((unsigned long long)st.st_dev != r.ns_dev ||
		    (unsigned long long)st.st_ino != r.ns_ino) {
			rc = check_drift(nn, err, "CNI_NETNS %s is not the namespace ADD attached %s to (%s then)",
					 c->netns, c->ifname, r.netns);
			goto out;
		}
	}
	if (c->prev_result && (rc = check_prev(nn, c, &r, base, err)))
		goto out;
	if (!c->ipam_only && c->ports_given &&
	    (rc = check_runtime_ports(nn, c, &r, err)))
		goto out;
	for (i = 0; !r.delegate[0] && i < r.result.n_ips; i++)
		if (ours(c, &r.result.ips[i], base) &&
		    !cni_ipam_holds(c->name, &r.result.ips[i].addr, r.cid, r.ifname)) {
			rc = check_drift(nn, err, "address %s is no longer reserved for container %s",
					 ip_str(&r.result.ips[i].addr, buf, sizeof(buf)),
					 c->container_id);
			goto out;
		}
	if (c->ipam_only) {
		rc = 0;
		goto out;
	}
	if ((rc = check_host(nn, c, &r, base, &hl, err)))
		goto out;
	rc = ns_get_path(nn, c->netns, &cns);
	if (rc) {
		cni_netns_fail(nn, err);
		goto out;
	}
	rc = nl_link_get(nn, cns, c->ifname, &cl);
	if (rc == -ENODEV) {
		rc = check_drift(nn, err, "the container has no interface %s", c->ifname);
		goto out;
	}
	if (rc) {
		cni_fail(nn, err, CNI_ERR_KERNEL, rc);
		goto out;
	}
	if (cl.link_netnsid >= 0 && cl.link != hl.index) {
		rc = check_drift(nn, err, "%s in the container is no longer the peer of %s",
				 c->ifname, r.host_if);
		goto out;
	}
	if (!(cl.flags & IFF_UP)) {
		rc = check_drift(nn, err, "%s in the container is down", c->ifname);
		goto out;
	}
	if (r.result.n_ifaces && r.result.ifaces[base].mac[0]) {
		char mac[18];

		cni_mac_str(cl.mac, mac, sizeof(mac));
		if (strcasecmp(mac, r.result.ifaces[base].mac)) {
			rc = check_drift(nn, err, "%s in the container has MAC %s, ADD gave it %s",
					 c->ifname, mac, r.result.ifaces[base].mac);
			goto out;
		}
	}
	if (r.result.n_ifaces && r.result.ifaces[base].mtu &&
	    cl.mtu != r.result.ifaces[base].mtu) {
		rc = check_drift(nn, err, "%s in the container has MTU %u, ADD gave it %u", c->ifname,
				 cl.mtu, r.result.ifaces[base].mtu);
		goto out;
	}
	for (i = 0; i < r.result.n_ips; i++) {
		struct addr_find f = { &r.result.ips[i].addr, false };

		if (r.result.ips[i].iface != (int)base)
			continue;
		rc = nl_addr_dump(nn, cns, r.result.ips[i].addr.family, cl.index,
				  addr_find_cb, &f, NULL);
		if (rc) {
			cni_fail(nn, err, CNI_ERR_KERNEL, rc);
			goto out;
		}
		if (!f.found) {
			rc = check_drift(nn, err, "%s has lost its address %s", c->ifname,
					 ip_str(&r.result.ips[i].addr, buf, sizeof(buf)));
			goto out;
		}
	}
	for (i = 0; i < r.result.n_routes; i++) {
		char rs[160];
		bool found;

		rc = route_present(nn, cns, &r.result.routes[i], &found);
		if (rc) {
			cni_fail(nn, err, CNI_ERR_KERNEL, rc);
			goto out;
		}
		if (!found) {
			rc = check_drift(nn, err, "the container has lost its route to %s",
					 route_str(&r.result.routes[i], rs, sizeof(rs)));
			goto out;
		}
	}
	if (r.n_ports) {
		const struct ipaddr *to4 = NULL, *to6 = NULL;

		for (i = 0; i < r.result.n_ips; i++) {
			const struct cni_ip *ip = &r.result.ips[i];

			if (ip->iface == (int)base && ip->addr.family == AF_INET && !to4)
				to4 = &ip->addr;
			if (ip->iface == (int)base && ip->addr.family == AF_INET6 && !to6)
				to6 = &ip->addr;
		}
		cni_ports_to_specs(r.ports, r.n_ports, specs);
		for (i = 0; i < r.n_ports; i++) {
			bool there = false;

			rc = fw_cni_published(nn, r.owner, &specs[i], to4, to6, &there);
			if (rc) {
				cni_fail(nn, err, CNI_ERR_KERNEL, rc);
				goto out;
			}
			if (!there) {
				rc = check_drift(nn, err, "host port %u/%s is no longer published to the container",
						 specs[i].host_lo, fw_proto_name(specs[i].proto));
				goto out;
			}
		}
	}
	rc = 0;
out:
	cni_record_free(&r);
	return rc;
}
