// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * decode.c - one decoder per kernel object: links (RTM_NEWLINK), addresses
 * (RTM_NEWADDR), routes (RTM_NEWROUTE), neighbours (RTM_NEWNEIGH),
 * queueing disciplines (RTM_NEWQDISC), VXLAN devices (a link's info data)
 * and bridge forwarding entries (RTM_NEWNEIGH of AF_BRIDGE).
 *
 * Every other file asks these for plain structs and never reads a netlink
 * attribute itself, so that a fix lands once. Every attribute is checked
 * against its expected length before it is read (mnl_attr_validate with a
 * per-object policy): a reply from the kernel is trusted to be netlink, not
 * to be the size a header file says, and an attribute of the wrong size is
 * ignored as if it was not there.
 */
#include <stdio.h>
#include <string.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>

#include "kernel/kernel.h"

/* The attribute table of one message, validated against a policy. */
struct attr_table {
	const struct nlattr **tb;
	int max;
	const uint8_t *size;    /* exact payload size; 0: any (checked by use) */
	const bool *is_str;     /* NUL-terminated string */
};

static int attr_table_cb(const struct nlattr *attr, void *data)
{
	const struct attr_table *t = data;
	int type = mnl_attr_get_type(attr);

	if (type > t->max)
		return MNL_CB_OK;
	if (t->is_str && t->is_str[type] &&
	    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0)
		return MNL_CB_OK;
	if (t->size && t->size[type] &&
	    mnl_attr_get_payload_len(attr) != t->size[type])
		return MNL_CB_OK;
	t->tb[type] = attr;
	return MNL_CB_OK;
}

/* An address attribute of the family's length into ip (prefix -1). */
static bool attr_ip(const struct nlattr *a, int family, struct ipaddr *ip)
{
	size_t len = family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;

	if (!a || !len || mnl_attr_get_payload_len(a) != len)
		return false;
	memset(ip, 0, sizeof(*ip));
	ip->family = family;
	ip->prefix = -1;
	memcpy(ip->a.b, mnl_attr_get_payload(a), len);
	return true;
}

/* ---- links ---------------------------------------------------------------- */

static const uint8_t link_size[IFLA_MAX + 1] = {
	[IFLA_MTU] = 4, [IFLA_MASTER] = 4, [IFLA_LINK] = 4,
	[IFLA_LINK_NETNSID] = 4, [IFLA_OPERSTATE] = 1, [IFLA_GROUP] = 4,
};
static const bool link_str[IFLA_MAX + 1] = { [IFLA_IFNAME] = true, [IFLA_QDISC] = true };
static const bool linkinfo_str[IFLA_INFO_MAX + 1] = { [IFLA_INFO_KIND] = true };

int nl_link_parse(const struct nlmsghdr *nlh, struct nl_link *l)
{
	const struct nlattr *tb[IFLA_MAX + 1] = { 0 };
	struct attr_table t = { tb, IFLA_MAX, link_size, link_str };
	const struct ifinfomsg *ifi;

	memset(l, 0, sizeof(*l));
	l->link_netnsid = -1;
	if (nlh->nlmsg_type != RTM_NEWLINK ||
	    nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*ifi)))
		return -EINVAL;
	ifi = mnl_nlmsg_get_payload(nlh);
	l->index = ifi->ifi_index;
	l->flags = ifi->ifi_flags;
	if (mnl_attr_parse(nlh, sizeof(*ifi), attr_table_cb, &t) < 0)
		return -EINVAL;
	if (tb[IFLA_IFNAME])
		snprintf(l->name, sizeof(l->name), "%s",
			 mnl_attr_get_str(tb[IFLA_IFNAME]));
	/* The alias is stored without its NUL by some kernels: by length. */
	if (tb[IFLA_IFALIAS])
		snprintf(l->alias, sizeof(l->alias), "%.*s",
			 (int)strnlen(mnl_attr_get_payload(tb[IFLA_IFALIAS]),
				      mnl_attr_get_payload_len(tb[IFLA_IFALIAS])),
			 (const char *)mnl_attr_get_payload(tb[IFLA_IFALIAS]));
	if (tb[IFLA_QDISC])
		snprintf(l->qdisc, sizeof(l->qdisc), "%s",
			 mnl_attr_get_str(tb[IFLA_QDISC]));
	if (tb[IFLA_MTU])
		l->mtu = mnl_attr_get_u32(tb[IFLA_MTU]);
	if (tb[IFLA_MASTER])
		l->master = (int)mnl_attr_get_u32(tb[IFLA_MASTER]);
	if (tb[IFLA_LINK])
		l->link = (int)mnl_attr_get_u32(tb[IFLA_LINK]);
	if (tb[IFLA_LINK_NETNSID])
		l->link_netnsid = (int)mnl_attr_get_u32(tb[IFLA_LINK_NETNSID]);
	if (tb[IFLA_GROUP])
		l->group = mnl_attr_get_u32(tb[IFLA_GROUP]);
	if (tb[IFLA_OPERSTATE])
		l->operstate = mnl_attr_get_u8(tb[IFLA_OPERSTATE]);
	if (tb[IFLA_ADDRESS] && mnl_attr_get_payload_len(tb[IFLA_ADDRESS]) == 6)
		memcpy(l->mac, mnl_attr_get_payload(tb[IFLA_ADDRESS]), 6);
	if (tb[IFLA_LINKINFO] &&
	    mnl_attr_validate(tb[IFLA_LINKINFO], MNL_TYPE_NESTED) == 0) {
		const struct nlattr *li[IFLA_INFO_MAX + 1] = { 0 };
		struct attr_table lt = { li, IFLA_INFO_MAX, NULL, linkinfo_str };

		mnl_attr_parse_nested(tb[IFLA_LINKINFO], attr_table_cb, &lt);
		if (li[IFLA_INFO_KIND])
			snprintf(l->kind, sizeof(l->kind), "%s",
				 mnl_attr_get_str(li[IFLA_INFO_KIND]));
	}
	return 0;
}

/* ---- addresses ------------------------------------------------------------ */

static const uint8_t addr_size[IFA_MAX + 1] = { [IFA_FLAGS] = 4, [IFA_PROTO] = 1 };

int nl_addr_parse(const struct nlmsghdr *nlh, struct nl_addr *a)
{
	const struct nlattr *tb[IFA_MAX + 1] = { 0 };
	struct attr_table t = { tb, IFA_MAX, addr_size, NULL };
	const struct ifaddrmsg *ifa;

	memset(a, 0, sizeof(*a));
	if (nlh->nlmsg_type != RTM_NEWADDR ||
	    nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*ifa)))
		return -EINVAL;
	ifa = mnl_nlmsg_get_payload(nlh);
	if (mnl_attr_parse(nlh, sizeof(*ifa), attr_table_cb, &t) < 0)
		return -EINVAL;
	/* IFA_LOCAL is the address itself; IFA_ADDRESS is the peer's on a
	 * point-to-point link and the same as IFA_LOCAL elsewhere. */
	if (!attr_ip(tb[IFA_LOCAL], ifa->ifa_family, &a->ip) &&
	    !attr_ip(tb[IFA_ADDRESS], ifa->ifa_family, &a->ip))
		return -EINVAL;
	if (ifa->ifa_family == AF_INET ? ifa->ifa_prefixlen > 32
				       : ifa->ifa_prefixlen > 128)
		return -EINVAL;
	a->ip.prefix = ifa->ifa_prefixlen;
	a->index = (int)ifa->ifa_index;
	a->scope = ifa->ifa_scope;
	a->flags = tb[IFA_FLAGS] ? mnl_attr_get_u32(tb[IFA_FLAGS]) : ifa->ifa_flags;
	a->proto = tb[IFA_PROTO] ? mnl_attr_get_u8(tb[IFA_PROTO]) : 0;
	return 0;
}

struct addr_dump {
	int index;
	int (*cb)(const struct nl_addr *a, void *data);
	void *data;
};

static int addr_dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct addr_dump *d = data;
	struct nl_addr a;

	if (nl_addr_parse(nlh, &a) || (d->index && a.index != d->index))
		return MNL_CB_OK;
	return d->cb(&a, d->data) < 0 ? MNL_CB_ERROR : MNL_CB_OK;
}

/* A dump of type for family, asked again (up to 5 times, after
 * restart(data)) while the kernel says the objects changed meanwhile. */
static int dump_family(struct nsnet *nn, struct ns *ns, uint16_t type,
		       size_t hdr_len, int family,
		       int (*cb)(const struct nlmsghdr *nlh, void *cb_data),
		       void *cb_data, void (*restart)(void *data), void *data)
{
	char buf[128] __attribute__((aligned(4))) = { 0 };
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	unsigned char *hdr;
	int rc, tries = 0;

	nlh->nlmsg_type = type;
	hdr = mnl_nlmsg_put_extra_header(nlh, hdr_len);
	hdr[0] = (unsigned char)family;  /* ifa_family, rtm_family */
	do {
		if (tries && restart)
			restart(data);
		rc = nl_dump(nn, ns, nlh, cb, cb_data);
	} while (rc == -EINTR && restart && ++tries < 5);
	return rc;
}

int nl_addr_dump(struct nsnet *nn, struct ns *ns, int family, int index,
		 int (*cb)(const struct nl_addr *a, void *data), void *data,
		 void (*restart)(void *data))
{
	struct addr_dump d = { index, cb, data };

	/* The kernel has no lookup of one interface's addresses: it filters
	 * the dump by family, we by interface. */
	return dump_family(nn, ns, RTM_GETADDR, sizeof(struct ifaddrmsg), family,
			   addr_dump_cb, &d, restart, data);
}

/* ---- routes --------------------------------------------------------------- */

static const uint8_t route_size[RTA_MAX + 1] = {
	[RTA_OIF] = 4, [RTA_IIF] = 4, [RTA_PRIORITY] = 4, [RTA_TABLE] = 4,
};

int nl_route_parse(const struct nlmsghdr *nlh, struct nl_route *r)
{
	const struct nlattr *tb[RTA_MAX + 1] = { 0 };
	struct attr_table t = { tb, RTA_MAX, route_size, NULL };
	const struct rtmsg *rtm;

	memset(r, 0, sizeof(*r));
	if (nlh->nlmsg_type != RTM_NEWROUTE ||
	    nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*rtm)))
		return -EINVAL;
	rtm = mnl_nlmsg_get_payload(nlh);
	if (rtm->rtm_family != AF_INET && rtm->rtm_family != AF_INET6)
		return -EINVAL;
	if (rtm->rtm_dst_len > (rtm->rtm_family == AF_INET ? 32 : 128))
		return -EINVAL;
	if (mnl_attr_parse(nlh, sizeof(*rtm), attr_table_cb, &t) < 0)
		return -EINVAL;
	r->family = rtm->rtm_family;
	r->type = rtm->rtm_type;
	r->protocol = rtm->rtm_protocol;
	r->scope = rtm->rtm_scope;
	r->table = tb[RTA_TABLE] ? mnl_attr_get_u32(tb[RTA_TABLE]) : rtm->rtm_table;
	if (!attr_ip(tb[RTA_DST], rtm->rtm_family, &r->dst)) {
		memset(&r->dst, 0, sizeof(r->dst));
		r->dst.family = rtm->rtm_family;
	}
	r->dst.prefix = rtm->rtm_dst_len;
	r->has_gateway = attr_ip(tb[RTA_GATEWAY], rtm->rtm_family, &r->gateway);
	r->has_prefsrc = attr_ip(tb[RTA_PREFSRC], rtm->rtm_family, &r->prefsrc);
	r->oif = tb[RTA_OIF] ? (int)mnl_attr_get_u32(tb[RTA_OIF]) : 0;
	r->priority = tb[RTA_PRIORITY] ? mnl_attr_get_u32(tb[RTA_PRIORITY]) : 0;
	return 0;
}

struct route_dump {
	int (*cb)(const struct nl_route *r, void *data);
	void *data;
};

static int route_dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct route_dump *d = data;
	struct nl_route r;

	if (nl_route_parse(nlh, &r))
		return MNL_CB_OK;
	return d->cb(&r, d->data) < 0 ? MNL_CB_ERROR : MNL_CB_OK;
}

int nl_route_dump(struct nsnet *nn, struct ns *ns, int family,
		  int (*cb)(const struct nl_route *r, void *data), void *data,
		  void (*restart)(void *data))
{
	struct route_dump d = { cb, data };

	return dump_family(nn, ns, RTM_GETROUTE, sizeof(struct rtmsg), family,
			   route_dump_cb, &d, restart, data);
}

/* ---- neighbours ----------------------------------------------------------- */

int nl_neigh_parse(const struct nlmsghdr *nlh, struct nl_neigh *n)
{
	const struct nlattr *tb[NDA_MAX + 1] = { 0 };
	struct attr_table t = { tb, NDA_MAX, NULL, NULL };
	const struct ndmsg *nd;

	memset(n, 0, sizeof(*n));
	if (nlh->nlmsg_type != RTM_NEWNEIGH ||
	    nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*nd)))
		return -EINVAL;
	nd = mnl_nlmsg_get_payload(nlh);
	if (mnl_attr_parse(nlh, sizeof(*nd), attr_table_cb, &t) < 0)
		return -EINVAL;
	if (!attr_ip(tb[NDA_DST], nd->ndm_family, &n->ip))
		return -EINVAL;
	n->index = nd->ndm_ifindex;
	n->state = nd->ndm_state;
	n->flags = nd->ndm_flags;
	if (tb[NDA_PROTOCOL] && mnl_attr_get_payload_len(tb[NDA_PROTOCOL]) == 1)
		n->protocol = mnl_attr_get_u8(tb[NDA_PROTOCOL]);
	if (tb[NDA_LLADDR] && mnl_attr_get_payload_len(tb[NDA_LLADDR]) == 6) {
		memcpy(n->mac, mnl_attr_get_payload(tb[NDA_LLADDR]), 6);
		n->has_mac = true;
	}
	return 0;
}

/* ---- queueing disciplines ----------------------------------------------------- */

/* The kernel counts qdisc time in "ticks" of 64 ns (PSCHED_SHIFT). */
#define PSCHED_TICK_NS 64u

static const bool qdisc_str[TCA_MAX + 1] = { [TCA_KIND] = true };
static const uint8_t tbf_size[TCA_TBF_MAX + 1] = {
	[TCA_TBF_PARMS] = sizeof(struct tc_tbf_qopt), [TCA_TBF_RATE64] = 8,
};
static const uint8_t netem_size[TCA_NETEM_MAX + 1] = {
	[TCA_NETEM_LATENCY64] = 8, [TCA_NETEM_JITTER64] = 8,
};

static void qdisc_parse_tbf(const struct nlattr *opt, struct nl_qdisc *q)
{
	const struct nlattr *tb[TCA_TBF_MAX + 1] = { 0 };
	struct attr_table t = { tb, TCA_TBF_MAX, tbf_size, NULL };
	struct tc_tbf_qopt p;
	uint64_t buffer_ns;

	if (mnl_attr_parse_nested(opt, attr_table_cb, &t) < 0 || !tb[TCA_TBF_PARMS])
		return;
	memcpy(&p, mnl_attr_get_payload(tb[TCA_TBF_PARMS]), sizeof(p));
	/* rate is 32 bits of bytes per second; faster rates come as RATE64. */
	q->rate = tb[TCA_TBF_RATE64] ? mnl_attr_get_u64(tb[TCA_TBF_RATE64])
				     : p.rate.rate;
	q->limit = p.limit;
	buffer_ns = (uint64_t)p.buffer * PSCHED_TICK_NS;
	/* The bucket comes back as the time it takes to fill. */
	q->burst = q->rate && buffer_ns < UINT64_MAX / q->rate ?
		   buffer_ns * q->rate / 1000000000u : 0;
}

/* netem's options are a struct tc_netem_qopt followed by attributes, not a
 * nest: the 64-bit delays, when present, override the struct's ticks. */
static void qdisc_parse_netem(const struct nlattr *opt, struct nl_qdisc *q)
{
	const struct nlattr *tb[TCA_NETEM_MAX + 1] = { 0 };
	struct attr_table t = { tb, TCA_NETEM_MAX, netem_size, NULL };
	size_t len = mnl_attr_get_payload_len(opt);
	const char *payload = mnl_attr_get_payload(opt);
	struct tc_netem_qopt p;

	if (len < sizeof(p))
		return;
	memcpy(&p, payload, sizeof(p));
	q->limit = p.limit;
	q->latency_ns = (uint64_t)p.latency * PSCHED_TICK_NS;
	q->jitter_ns = (uint64_t)p.jitter * PSCHED_TICK_NS;
	if (len > MNL_ALIGN(sizeof(p)) &&
	    mnl_attr_parse_payload(payload + MNL_ALIGN(sizeof(p)),
				   len - MNL_ALIGN(sizeof(p)), attr_table_cb,
				   &t) < 0)
		return;
	/* Signed in the kernel; a negative value is none. */
	if (tb[TCA_NETEM_LATENCY64])
		q->latency_ns = (int64_t)mnl_attr_get_u64(tb[TCA_NETEM_LATENCY64]) > 0 ?
				mnl_attr_get_u64(tb[TCA_NETEM_LATENCY64]) : 0;
	if (tb[TCA_NETEM_JITTER64])
		q->jitter_ns = (int64_t)mnl_attr_get_u64(tb[TCA_NETEM_JITTER64]) > 0 ?
			       mnl_attr_get_u64(tb[TCA_NETEM_JITTER64]) : 0;
}

int nl_qdisc_parse(const struct nlmsghdr *nlh, struct nl_qdisc *q)
{
	const struct nlattr *tb[TCA_MAX + 1] = { 0 };
	struct attr_table t = { tb, TCA_MAX, NULL, qdisc_str };
	const struct tcmsg *tcm;

	memset(q, 0, sizeof(*q));
	if (nlh->nlmsg_type != RTM_NEWQDISC ||
	    nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*tcm)))
		return -EINVAL;
	tcm = mnl_nlmsg_get_payload(nlh);
	if (mnl_attr_parse(nlh, sizeof(*tcm), attr_table_cb, &t) < 0 ||
	    !tb[TCA_KIND])
		return -EINVAL;
	q->index = tcm->tcm_ifindex;
	q->handle = tcm->tcm_handle;
	q->parent = tcm->tcm_parent;
	snprintf(q->kind, sizeof(q->kind), "%s", mnl_attr_get_str(tb[TCA_KIND]));
	if (!tb[TCA_OPTIONS])
		return 0;
	if (!strcmp(q->kind, "tbf"))
		qdisc_parse_tbf(tb[TCA_OPTIONS], q);
	else if (!strcmp(q->kind, "netem"))
		qdisc_parse_netem(tb[TCA_OPTIONS], q);
	return 0;
}

/* ---- VXLAN devices and bridge forwarding entries ------------------------------ */

static const uint8_t vxlan_size[IFLA_VXLAN_MAX + 1] = {
	[IFLA_VXLAN_ID] = 4, [IFLA_VXLAN_LOCAL] = 4, [IFLA_VXLAN_LOCAL6] = 16,
	[IFLA_VXLAN_PORT] = 2, [IFLA_VXLAN_LEARNING] = 1,
};

int nl_vxlan_parse(const struct nlmsghdr *nlh, struct nl_vxlan *vx)
{
	const struct nlattr *tb[IFLA_MAX + 1] = { 0 };
	const struct nlattr *li[IFLA_INFO_MAX + 1] = { 0 };
	const struct nlattr *vt[IFLA_VXLAN_MAX + 1] = { 0 };
	struct attr_table t = { tb, IFLA_MAX, link_size, link_str };
	struct attr_table lt = { li, IFLA_INFO_MAX, NULL, linkinfo_str };
	struct attr_table xt = { vt, IFLA_VXLAN_MAX, vxlan_size, NULL };
	uint16_t port;

	memset(vx, 0, sizeof(*vx));
	if (nlh->nlmsg_type != RTM_NEWLINK ||
	    nlh->nlmsg_len < mnl_nlmsg_size(sizeof(struct ifinfomsg)) ||
	    mnl_attr_parse(nlh, sizeof(struct ifinfomsg), attr_table_cb, &t) < 0 ||
	    !tb[IFLA_LINKINFO] ||
	    mnl_attr_validate(tb[IFLA_LINKINFO], MNL_TYPE_NESTED) < 0 ||
	    mnl_attr_parse_nested(tb[IFLA_LINKINFO], attr_table_cb, &lt) < 0 ||
	    !li[IFLA_INFO_KIND] || strcmp(mnl_attr_get_str(li[IFLA_INFO_KIND]), "vxlan") ||
	    !li[IFLA_INFO_DATA] ||
	    mnl_attr_validate(li[IFLA_INFO_DATA], MNL_TYPE_NESTED) < 0 ||
	    mnl_attr_parse_nested(li[IFLA_INFO_DATA], attr_table_cb, &xt) < 0)
		return -EINVAL;
	if (vt[IFLA_VXLAN_ID])
		vx->vni = mnl_attr_get_u32(vt[IFLA_VXLAN_ID]);
	if (!attr_ip(vt[IFLA_VXLAN_LOCAL], AF_INET, &vx->local))
		attr_ip(vt[IFLA_VXLAN_LOCAL6], AF_INET6, &vx->local);
	if (vt[IFLA_VXLAN_PORT]) {
		memcpy(&port, mnl_attr_get_payload(vt[IFLA_VXLAN_PORT]), 2);
		vx->port = ntohs(port);  /* the kernel keeps it in network order */
	}
	vx->learning = vt[IFLA_VXLAN_LEARNING] && mnl_attr_get_u8(vt[IFLA_VXLAN_LEARNING]);
	return 0;
}

static const uint8_t fdb_size[NDA_MAX + 1] = {
	[NDA_LLADDR] = 6, [NDA_VNI] = 4, [NDA_MASTER] = 4, [NDA_PORT] = 2,
};

int nl_fdb_parse(const struct nlmsghdr *nlh, struct nl_fdb *f)
{
	const struct nlattr *tb[NDA_MAX + 1] = { 0 };
	struct attr_table t = { tb, NDA_MAX, fdb_size, NULL };
	const struct ndmsg *nd;

	memset(f, 0, sizeof(*f));
	if (nlh->nlmsg_type != RTM_NEWNEIGH ||
	    nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*nd)))
		return -EINVAL;
	nd = mnl_nlmsg_get_payload(nlh);
	if (nd->ndm_family != AF_BRIDGE ||
	    mnl_attr_parse(nlh, sizeof(*nd), attr_table_cb, &t) < 0 || !tb[NDA_LLADDR])
		return -EINVAL;
	f->index = nd->ndm_ifindex;
	f->state = nd->ndm_state;
	f->flags = nd->ndm_flags;
	memcpy(f->mac, mnl_attr_get_payload(tb[NDA_LLADDR]), 6);
	/* A VXLAN entry's remote: its length says the family. */
	f->has_dst = attr_ip(tb[NDA_DST], AF_INET, &f->dst) ||
		     attr_ip(tb[NDA_DST], AF_INET6, &f->dst);
	if (tb[NDA_VNI])
		f->vni = mnl_attr_get_u32(tb[NDA_VNI]);
	if (tb[NDA_MASTER])
		f->master = (int)mnl_attr_get_u32(tb[NDA_MASTER]);
	return 0;
}
