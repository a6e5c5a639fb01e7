// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * veth.c - veth pairs: cables between two namespaces, and attachments of a
 * namespace to a bridge.
 *
 * The pair is created from the side that stays put, with the peer's
 * IFLA_NET_NS_FD pointing into the other namespace: the far end is born
 * there and never moved (a move costs a full unregister/register cycle in
 * the kernel). Both ends come up at creation (ifi_flags on the link and on
 * the peer's ifinfomsg), and the bridge port is enslaved in the same
 * request through IFLA_MASTER.
 */
#include <stdio.h>
#include <string.h>
#include <linux/rtnetlink.h>
#include <linux/if_link.h>
#include <linux/veth.h>
#include <net/if.h>

#include "kernel/kernel.h"

/* Queue the creation of a veth pair: name in the namespace of the socket
 * the batch is sent on, peer in peer_ns (NULL: the same namespace). */
void veth_queue_add(struct nl_batch *b, const char *ns_name, const char *name,
		    const struct ns *peer_ns, const char *peer, int master,
		    unsigned int mtu, bool up)
{
	struct ifinfomsg *pifi;
	struct nlattr *linkinfo, *data, *peer_nest;

	nl_batch_add(b, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL,
		     "create veth %s in %s (peer %s in %s)", name, ns_name, peer,
		     peer_ns ? peer_ns->name : ns_name);
	link_put_new(b, name, up, mtu, master);
	linkinfo = nl_nest_start(b, IFLA_LINKINFO);
	nl_put_str(b, IFLA_INFO_KIND, "veth");
	data = nl_nest_start(b, IFLA_INFO_DATA);
	peer_nest = nl_nest_start(b, VETH_INFO_PEER);
	/* The peer is described by an ifinfomsg followed by its attributes. */
	pifi = nl_put_extra(b, sizeof(*pifi));
	/* Not IFF_UP here: veth_open() of the peer fails with ENOTCONN
	 * while the pair is still being linked. It comes up afterwards. */
	pifi->ifi_family = AF_UNSPEC;
	nl_put_str(b, IFLA_IFNAME, peer);
	nl_put_u32(b, IFLA_GROUP, NSNET_LINK_GROUP);
	if (mtu)
		nl_put_u32(b, IFLA_MTU, mtu);
	if (peer_ns)
		nl_put_u32(b, IFLA_NET_NS_FD, (uint32_t)peer_ns->fd);
	nl_nest_end(b, peer_nest);
	nl_nest_end(b, data);
	nl_nest_end(b, linkinfo);
}

/* The host end of an attachment has a name derived from namespace and
 * bridge, so that detach finds it with one lookup: "<ns>-<hash>". */
void attach_host_ifname(char *buf, size_t len, const char *ns,
			const char *bridge)
{
	snprintf(buf, len, "%.8s-%06x", ns, name_hash(ns, bridge) & 0xffffff);
}
