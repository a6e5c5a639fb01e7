// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vxlan.c - VXLAN devices and the static forwarding entries that make a
 * bridge on one machine and bridges on others one Ethernet segment
 * (docs/multihost.md).
 *
 * A device has a VNI, the machine's own underlay address, UDP port 4789
 * and learning off: it sends a frame to the remotes its forwarding
 * database names, and nsnet names them all with one entry each for the
 * all-zero MAC ("bridge fdb append 00:00:00:00:00:00 dev vx dst B"), so
 * that broadcasts and unknown unicast are copied to every other machine
 * (head-end replication): no multicast in the underlay, no learning from
 * whoever sends UDP to port 4789. The bridge the device is a port of
 * learns the remote MACs behind it as it learns any port's.
 */
#include <stdio.h>
#include <string.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <net/if.h>

#include "kernel/kernel.h"

void vxlan_queue_add(struct nl_batch *b, const char *ns_name, const char *name,
		     uint32_t vni, const struct ipaddr *local, int master,
		     unsigned int mtu, bool up)
{
	struct nlattr *linkinfo, *data;
	char a[64];

	nl_batch_add(b, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL,
		     "create VXLAN %s (VNI %u, local %s) in %s", name, vni,
		     ip_str(local, a, sizeof(a)), ns_name);
	/* Without a lower device the kernel gives it 1500, which does not
	 * fit in a 1500-byte underlay once the 50 bytes of VXLAN over IPv4
	 * are added: the caller says. */
	link_put_new(b, name, up, mtu, master);
	linkinfo = nl_nest_start(b, IFLA_LINKINFO);
	nl_put_str(b, IFLA_INFO_KIND, "vxlan");
	data = nl_nest_start(b, IFLA_INFO_DATA);
	nl_put_u32(b, IFLA_VXLAN_ID, vni);
	if (local->family == AF_INET)
		nl_put(b, IFLA_VXLAN_LOCAL, 4, local->a.b);
	else
		nl_put(b, IFLA_VXLAN_LOCAL6, 16, local->a.b);
	{
		uint16_t port = htons(VXLAN_PORT);  /* network order, as the kernel keeps it */

		nl_put(b, IFLA_VXLAN_PORT, sizeof(port), &port);
	}
	nl_put_u8(b, IFLA_VXLAN_LEARNING, 0);
	nl_nest_end(b, data);
	nl_nest_end(b, linkinfo);
}

static const unsigned char zero_mac[6];

static void fdb_queue(struct nl_batch *b, bool add, const char *ns_name,
		      const char *ifname, int index, const struct ipaddr *dst)
{
	struct ndmsg *nd;
	char a[64];

	ip_str(dst, a, sizeof(a));
	/* APPEND: one entry per remote for the same (all-zero) MAC; CREATE
	 * without REPLACE: the kernel says EEXIST for one that is there. */
	if (add)
		nl_batch_add(b, RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_APPEND,
			     "forwarding entry 00:00:00:00:00:00 dst %s on %s in %s",
			     a, ifname, ns_name);
	else
		nl_batch_add(b, RTM_DELNEIGH, 0,
			     "delete forwarding entry 00:00:00:00:00:00 dst %s on %s in %s",
			     a, ifname, ns_name);
	nd = nl_put_extra(b, sizeof(*nd));
	nd->ndm_family = AF_BRIDGE;
	nd->ndm_ifindex = index;
	nd->ndm_state = NUD_PERMANENT;
	nd->ndm_flags = NTF_SELF;  /* the VXLAN device's own table, not the bridge's */
	nl_put(b, NDA_LLADDR, sizeof(zero_mac), zero_mac);
	nl_put(b, NDA_DST, ip_len(dst), dst->a.b);
}

void fdb_queue_append(struct nl_batch *b, const char *ns_name,
		      const char *ifname, int index, const struct ipaddr *dst)
{
	fdb_queue(b, true, ns_name, ifname, index, dst);
	nl_batch_last(b)->ignore_exist = true;
}

void fdb_queue_del(struct nl_batch *b, const char *ns_name, const char *ifname,
		   int index, const struct ipaddr *dst)
{
	fdb_queue(b, false, ns_name, ifname, index, dst);
	nl_batch_last(b)->ignore_missing = true;
}

struct vxlan_get_ctx {
	struct nl_link *l;
	struct nl_vxlan *vx;
	int vx_rc;
};

static int vxlan_get_cb(const struct nlmsghdr *nlh, void *data)
{
	struct vxlan_get_ctx *c = data;

	if (nlh->nlmsg_type == RTM_NEWLINK && !nl_link_parse(nlh, c->l))
		c->vx_rc = nl_vxlan_parse(nlh, c->vx);
	return MNL_CB_OK;
}

int vxlan_get(struct nsnet *nn, struct ns *ns, const char *name,
	      struct nl_link *l, struct nl_vxlan *vx)
{
	char buf[256] __attribute__((aligned(4)));
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct vxlan_get_ctx c = { l, vx, -EINVAL };
	struct ifinfomsg *ifi;
	int rc;

	nlh->nlmsg_type = RTM_GETLINK;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	memset(l, 0, sizeof(*l));
	memset(vx, 0, sizeof(*vx));
	rc = nl_query(nn, ns, nlh, vxlan_get_cb, &c);
	if (rc == -ENODEV || rc == -ENOENT || (!rc && !l->index))
		return -ENODEV;
	if (rc)
		return err_set(nn, -rc, "%s in %s", name, ns->name);
	return c.vx_rc ? -EMEDIUMTYPE : 0;
}

struct fdb_dump_ctx {
	int index;
	int (*cb)(const struct nl_fdb *f, void *data);
	void *data;
};

static int fdb_dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct fdb_dump_ctx *d = data;
	struct nl_fdb f;

	if (nl_fdb_parse(nlh, &f) || f.index != d->index)
		return MNL_CB_OK;
	return d->cb(&f, d->data) < 0 ? MNL_CB_ERROR : MNL_CB_OK;
}

int fdb_dump(struct nsnet *nn, struct ns *ns, int index,
	     int (*cb)(const struct nl_fdb *f, void *data), void *data)
{
	char buf[64] __attribute__((aligned(4))) = { 0 };
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct fdb_dump_ctx d = { index, cb, data };
	struct ifinfomsg *ifi;

	nlh->nlmsg_type = RTM_GETNEIGH;
	/* An ifinfomsg, not an ndmsg: its ifi_index asks for one port's
	 * entries (6.18 rtnl_fdb_dump, valid_fdb_dump_legacy), where an
	 * ndmsg would dump every bridge's whole table. */
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_BRIDGE;
	ifi->ifi_index = index;
	return nl_dump(nn, ns, nlh, fdb_dump_cb, &d);
}
