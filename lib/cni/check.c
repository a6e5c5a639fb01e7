// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * check.c - CHECK: what ADD recorded against what is there now, the
 * reservation, the host end on its bridge, the container's interface,
 * addresses and routes, and the published ports; the first difference is
 * the answer (code 102), in words that name it.
 */
#include <dirent.h>
#include <stdio.h>
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

int cni_check(struct nsnet *nn, struct cni_conf *c, struct cni_error *err)
{
	struct fw_spec specs[CNI_MAX_PORTS];
	struct nl_link hl, cl, br;
	struct cni_record r;
	struct ns *host, *cns;
	char buf[64];
	size_t i, base;
	int rc;

	rc = cni_record_read(c->name, c->container_id, c->ifname, &r);
	if (rc)
		return cni_failf(nn, err, CNI_ERR_CONTAINER,
				 "network %s has no attachment of container %s on %s",
				 c->name, c->container_id, c->ifname);
	if (!r.complete) {
		rc = check_drift(nn, err, "the ADD of container %s on %s did not finish",
				 c->container_id, c->ifname);
		goto out;
	}
	/* Our addresses: those on our container interface (the last one;
	 * a prevResult's come before), or all of them as IPAM only. */
	base = r.result.n_ifaces ? r.result.n_ifaces - 1 : 0;
	for (i = 0; !r.delegate[0] && i < r.result.n_ips; i++)
		if ((c->ipam_only || r.result.ips[i].iface == (int)base) &&
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
	if ((rc = ns_get(nn, NSNET_HOST, &host))) {
		cni_fail(nn, err, CNI_ERR_KERNEL, rc);
		goto out;
	}
	rc = nl_link_get(nn, host, r.host_if, &hl);
	if (rc == -ENODEV || (!rc && !link_is_ours(&hl))) {
		rc = check_drift(nn, err, "the host end %s of %s's veth is gone",
				 r.host_if, c->ifname);
		goto out;
	}
	if (!rc && (nl_link_get(nn, host, r.bridge, &br) || hl.master != br.index)) {
		rc = check_drift(nn, err, "%s is no longer a port of bridge %s",
				 r.host_if, r.bridge);
		goto out;
	}
	if (rc) {
		cni_fail(nn, err, CNI_ERR_KERNEL, rc);
		goto out;
	}
	rc = ns_get_path(nn, c->netns, &cns);
	if (rc) {
		cni_fail(nn, err, CNI_ERR_CONTAINER, rc);
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
	if (!(cl.flags & IFF_UP)) {
		rc = check_drift(nn, err, "%s in the container is down", c->ifname);
		goto out;
	}
	if (r.result.n_ifaces && r.result.ifaces[base].mac[0]) {
		char mac[18];

		cni_mac_str(cl.mac, mac, sizeof(mac));
		if (strcmp(mac, r.result.ifaces[base].mac)) {
			rc = check_drift(nn, err, "%s has MAC %s, ADD gave it %s",
					 c->ifname, mac, r.result.ifaces[base].mac);
			goto out;
		}
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
		bool found;

		rc = route_present(nn, cns, &r.result.routes[i], &found);
		if (rc) {
			cni_fail(nn, err, CNI_ERR_KERNEL, rc);
			goto out;
		}
		if (!found) {
			rc = check_drift(nn, err, "the container has lost its route to %s",
					 ip_str(&r.result.routes[i].dst, buf, sizeof(buf)));
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
