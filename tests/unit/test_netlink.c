// SPDX-License-Identifier: GPL-2.0-or-later
/* test_netlink.c - the rtnetlink message builders, read back with libmnl. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <arpa/inet.h>
#include <cmocka.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <linux/if_link.h>
#include <linux/if_addr.h>
#include <linux/veth.h>
#include <linux/neighbour.h>
#include <net/if.h>

#include "kernel/kernel.h"

static const struct nlattr *find(const struct nlmsghdr *nlh, size_t hdr,
				 uint16_t type)
{
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, hdr)
		if (mnl_attr_get_type(a) == type)
			return a;
	return NULL;
}

static const struct nlattr *find_nested(const struct nlattr *nest,
					uint16_t type)
{
	const struct nlattr *a;

	mnl_attr_for_each_nested(a, nest)
		if (mnl_attr_get_type(a) == type)
			return a;
	return NULL;
}

static struct nlmsghdr *msg(struct nl_batch *b, size_t i)
{
	char *p = b->buf;

	while (i--)
		p += NLMSG_ALIGN(((struct nlmsghdr *)p)->nlmsg_len);
	return (struct nlmsghdr *)p;
}

static void test_veth(void **state)
{
	struct ns peer = { .name = "web", .fd = 42 };
	const struct nlattr *li, *data, *pn;
	const struct ifinfomsg *ifi, *pifi;
	struct nlmsghdr *nlh;
	struct nl_batch b;

	(void)state;
	nl_batch_init(&b);
	veth_queue_add(&b, "host", "web-abc123", &peer, "eth0", 7, 1400, true);
	nlh = msg(&b, 0);
	/* closing the message happens on the next add or at send */
	assert_int_equal(nlh->nlmsg_type, RTM_NEWLINK);
	assert_true(nlh->nlmsg_flags & NLM_F_CREATE);
	assert_true(nlh->nlmsg_flags & NLM_F_EXCL);
	assert_true(nlh->nlmsg_flags & NLM_F_ACK);
	ifi = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(ifi->ifi_flags & IFF_UP, IFF_UP);
	assert_string_equal(mnl_attr_get_str(find(nlh, sizeof(*ifi), IFLA_IFNAME)),
			    "web-abc123");
	assert_int_equal(mnl_attr_get_u32(find(nlh, sizeof(*ifi), IFLA_MASTER)), 7);
	assert_int_equal(mnl_attr_get_u32(find(nlh, sizeof(*ifi), IFLA_MTU)), 1400);
	li = find(nlh, sizeof(*ifi), IFLA_LINKINFO);
	assert_non_null(li);
	assert_string_equal(mnl_attr_get_str(find_nested(li, IFLA_INFO_KIND)), "veth");
	data = find_nested(li, IFLA_INFO_DATA);
	pn = find_nested(data, VETH_INFO_PEER);
	assert_non_null(pn);
	/* the peer: an ifinfomsg, then its attributes */
	pifi = mnl_attr_get_payload(pn);
	assert_int_equal(pifi->ifi_flags & IFF_UP, 0);  /* ENOTCONN otherwise */
	{
		const char *p = (const char *)pifi + NLMSG_ALIGN(sizeof(*pifi));
		size_t len = mnl_attr_get_payload_len(pn) - NLMSG_ALIGN(sizeof(*pifi));
		bool name = false, fd = false;
		const struct nlattr *attr;

		mnl_attr_for_each_payload((const void *)p, len) {
			if (mnl_attr_get_type(attr) == IFLA_IFNAME)
				name = !strcmp(mnl_attr_get_str(attr), "eth0");
			if (mnl_attr_get_type(attr) == IFLA_NET_NS_FD)
				fd = mnl_attr_get_u32(attr) == 42;
		}
		assert_true(name);
		assert_true(fd);
	}
	nl_batch_free(&b);
}

static void test_addr_and_route(void **state)
{
	struct ipaddr ip, gw, def = { .family = AF_INET, .prefix = 0 };
	const struct ifaddrmsg *ifa;
	const struct rtmsg *rtm;
	struct nlmsghdr *nlh;
	struct nl_batch b;
	struct in_addr brd;

	(void)state;
	nl_batch_init(&b);
	assert_int_equal(cidr_parse("10.10.0.10/16", &ip), 0);
	addr_queue(&b, true, "web", "eth0", 3, &ip);
	assert_int_equal(ip_parse("10.10.0.1", &gw), 0);
	route_queue(&b, true, "web", &def, &gw, 0, NULL);
	assert_int_equal(b.n, 2);
	assert_string_equal(b.req[0].what, "add address 10.10.0.10/16 to eth0 in web");
	assert_string_equal(b.req[1].what, "add route default via 10.10.0.1 in web");
	nl_batch_barrier(&b);
	link_queue_set(&b, "web", "eth0", 3, 1, 0, -1, NULL);
	assert_true(b.req[2].barrier);
	assert_false(b.req[1].barrier);
	nlh = msg(&b, 0);
	ifa = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(ifa->ifa_prefixlen, 16);
	assert_int_equal(ifa->ifa_index, 3);
	memcpy(&brd, mnl_attr_get_payload(find(nlh, sizeof(*ifa), IFA_BROADCAST)), 4);
	assert_string_equal(inet_ntoa(brd), "10.10.255.255");
	nlh = msg(&b, 1);
	rtm = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(nlh->nlmsg_type, RTM_NEWROUTE);
	assert_int_equal(rtm->rtm_dst_len, 0);
	assert_int_equal(rtm->rtm_protocol, RTPROT_NSNET);
	assert_null(find(nlh, sizeof(*rtm), RTA_DST));
	assert_non_null(find(nlh, sizeof(*rtm), RTA_GATEWAY));
	nl_batch_free(&b);
}

static void test_ipv6_nodad(void **state)
{
	const struct ifaddrmsg *ifa;
	struct nlmsghdr *nlh;
	struct nl_batch b;
	struct ipaddr ip;

	(void)state;
	nl_batch_init(&b);
	assert_int_equal(cidr_parse("fd00::1/64", &ip), 0);
	addr_queue(&b, true, "a", "eth0", 2, &ip);
	nlh = msg(&b, 0);
	ifa = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(ifa->ifa_family, AF_INET6);
	assert_int_equal(mnl_attr_get_u32(find(nlh, sizeof(*ifa), IFA_FLAGS)) &
			 IFA_F_NODAD, IFA_F_NODAD);
	assert_null(find(nlh, sizeof(*ifa), IFA_BROADCAST));
	nl_batch_free(&b);
}

static void test_overflow_refused(void **state)
{
	struct nsnet *nn = nsnet_new();
	static char big[NL_MSG_MAX];
	struct ns ns = { .name = "x", .fd = -1 };
	struct nl_batch b;

	(void)state;
	memset(big, 'a', sizeof(big) - 1);
	nl_batch_init(&b);
	link_queue_set(&b, "x", "eth0", 0, -1, 0, -1, big);
	assert_true(b.overflow);
	assert_int_equal(nl_batch_send(nn, &ns, &b), -EMSGSIZE);
	assert_non_null(strstr(nsnet_error(nn), "too large"));
	nl_batch_free(&b);
	nsnet_free(nn);
}

static void test_many_messages_grow(void **state)
{
	struct nl_batch b;
	size_t i;

	(void)state;
	nl_batch_init(&b);
	for (i = 0; i < 3000; i++)
		link_queue_set(&b, "host", "eth0", (int)i + 1, 1, 0, -1, "nsnet");
	assert_int_equal(b.n, 3000);
	assert_false(b.overflow);
	assert_int_equal(msg(&b, 2999)->nlmsg_type, RTM_SETLINK);
	nl_batch_free(&b);
}

/* nsnet check's neighbour entries: permanent (not counted against the
 * machine's gc_thresh3), exclusive (an existing entry is not touched),
 * marked as nsnet's; the deletion names the same entry and nothing more. */
static void test_neigh(void **state)
{
	static const unsigned char mac[6] = { 0x02, 0, 0, 0, 0, 0x2a };
	const struct ndmsg *nd;
	struct nlmsghdr *nlh;
	struct nl_batch b;
	struct ipaddr ip, ip6;
	struct nl_neigh n;

	(void)state;
	nl_batch_init(&b);
	assert_int_equal(ip_parse("10.80.0.7", &ip), 0);
	assert_int_equal(ip_parse("fd00::7", &ip6), 0);
	neigh_queue_add(&b, "n1", 4, &ip, mac);
	neigh_queue_add(&b, "n1", 4, &ip6, mac);
	neigh_queue_del(&b, "n1", 4, &ip);
	assert_int_equal(b.n, 3);
	assert_string_equal(b.req[0].what, "neighbour 10.80.0.7 on ifindex 4 in n1");
	assert_false(b.req[0].ignore_exist);   /* EEXIST: someone else's entry */
	assert_true(b.req[2].ignore_missing);

	nlh = msg(&b, 0);
	assert_int_equal(nlh->nlmsg_type, RTM_NEWNEIGH);
	assert_int_equal(nlh->nlmsg_flags & (NLM_F_CREATE | NLM_F_EXCL | NLM_F_REPLACE),
			 NLM_F_CREATE | NLM_F_EXCL);
	nd = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(nd->ndm_family, AF_INET);
	assert_int_equal(nd->ndm_ifindex, 4);
	assert_int_equal(nd->ndm_state, NUD_PERMANENT);
	assert_int_equal(nd->ndm_flags, 0);
	assert_int_equal(mnl_attr_get_payload_len(find(nlh, sizeof(*nd), NDA_DST)), 4);
	assert_memory_equal(mnl_attr_get_payload(find(nlh, sizeof(*nd), NDA_DST)),
			    ip.a.b, 4);
	assert_memory_equal(mnl_attr_get_payload(find(nlh, sizeof(*nd), NDA_LLADDR)),
			    mac, 6);
	assert_int_equal(mnl_attr_get_u8(find(nlh, sizeof(*nd), NDA_PROTOCOL)),
			 RTPROT_NSNET);
	/* what the kernel sends back for it reads as the same entry */
	assert_int_equal(nl_neigh_parse(nlh, &n), 0);
	assert_int_equal(n.index, 4);
	assert_true(ip_equal(&n.ip, &ip));
	assert_int_equal(n.state, NUD_PERMANENT);
	assert_int_equal(n.protocol, RTPROT_NSNET);
	assert_true(n.has_mac);
	assert_memory_equal(n.mac, mac, 6);

	nlh = msg(&b, 1);
	nd = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(nd->ndm_family, AF_INET6);
	assert_int_equal(mnl_attr_get_payload_len(find(nlh, sizeof(*nd), NDA_DST)), 16);

	nlh = msg(&b, 2);
	assert_int_equal(nlh->nlmsg_type, RTM_DELNEIGH);
	assert_int_equal(nlh->nlmsg_flags & (NLM_F_CREATE | NLM_F_EXCL), 0);
	nd = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(nd->ndm_ifindex, 4);
	assert_non_null(find(nlh, sizeof(*nd), NDA_DST));
	assert_null(find(nlh, sizeof(*nd), NDA_LLADDR));
	nl_batch_free(&b);
}

/* A VXLAN device as nsnet makes it: its VNI, the machine's address, port
 * 4789 in network order, learning off, born in nsnet's group, enslaved and
 * up at creation; and what the kernel sends back for it reads the same. */
static void test_vxlan(void **state)
{
	const struct nlattr *li, *data, *a;
	const struct ifinfomsg *ifi;
	struct nlmsghdr *nlh;
	struct nl_vxlan vx;
	struct nl_batch b;
	struct ipaddr local, local6;
	uint16_t port;

	(void)state;
	nl_batch_init(&b);
	assert_int_equal(ip_parse("198.51.100.11", &local), 0);
	assert_int_equal(ip_parse("2001:db8::11", &local6), 0);
	vxlan_queue_add(&b, "host", "vx-app-123456", 4242, &local, 9, 1450, true);
	vxlan_queue_add(&b, "host", "vx-v6-abcdef", 7, &local6, 0, 0, false);
	assert_int_equal(b.n, 2);
	assert_string_equal(b.req[0].what,
			    "create VXLAN vx-app-123456 (VNI 4242, local 198.51.100.11) in host");

	nlh = msg(&b, 0);
	assert_int_equal(nlh->nlmsg_type, RTM_NEWLINK);
	assert_int_equal(nlh->nlmsg_flags & (NLM_F_CREATE | NLM_F_EXCL),
			 NLM_F_CREATE | NLM_F_EXCL);
	ifi = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(ifi->ifi_flags & IFF_UP, IFF_UP);
	assert_string_equal(mnl_attr_get_str(find(nlh, sizeof(*ifi), IFLA_IFNAME)),
			    "vx-app-123456");
	assert_int_equal(mnl_attr_get_u32(find(nlh, sizeof(*ifi), IFLA_GROUP)),
			 NSNET_LINK_GROUP);
	assert_int_equal(mnl_attr_get_u32(find(nlh, sizeof(*ifi), IFLA_MASTER)), 9);
	assert_int_equal(mnl_attr_get_u32(find(nlh, sizeof(*ifi), IFLA_MTU)), 1450);
	assert_null(find(nlh, sizeof(*ifi), IFLA_IFALIAS));  /* ignored at creation */
	li = find(nlh, sizeof(*ifi), IFLA_LINKINFO);
	assert_string_equal(mnl_attr_get_str(find_nested(li, IFLA_INFO_KIND)), "vxlan");
	data = find_nested(li, IFLA_INFO_DATA);
	assert_int_equal(mnl_attr_get_u32(find_nested(data, IFLA_VXLAN_ID)), 4242);
	a = find_nested(data, IFLA_VXLAN_LOCAL);
	assert_int_equal(mnl_attr_get_payload_len(a), 4);
	assert_memory_equal(mnl_attr_get_payload(a), local.a.b, 4);
	assert_null(find_nested(data, IFLA_VXLAN_LOCAL6));
	a = find_nested(data, IFLA_VXLAN_PORT);
	assert_int_equal(mnl_attr_get_payload_len(a), 2);
	memcpy(&port, mnl_attr_get_payload(a), 2);
	assert_int_equal(ntohs(port), 4789);
	assert_int_equal(mnl_attr_get_u8(find_nested(data, IFLA_VXLAN_LEARNING)), 0);
	/* no multicast group: remotes come from forwarding entries only */
	assert_null(find_nested(data, IFLA_VXLAN_GROUP));
	assert_int_equal(nl_vxlan_parse(nlh, &vx), 0);
	assert_int_equal(vx.vni, 4242);
	assert_true(ip_equal(&vx.local, &local));
	assert_int_equal(vx.port, VXLAN_PORT);
	assert_false(vx.learning);

	nlh = msg(&b, 1);
	ifi = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(ifi->ifi_flags & IFF_UP, 0);
	assert_null(find(nlh, sizeof(*ifi), IFLA_MASTER));
	assert_null(find(nlh, sizeof(*ifi), IFLA_MTU));
	data = find_nested(find(nlh, sizeof(*ifi), IFLA_LINKINFO), IFLA_INFO_DATA);
	assert_null(find_nested(data, IFLA_VXLAN_LOCAL));
	assert_int_equal(mnl_attr_get_payload_len(find_nested(data, IFLA_VXLAN_LOCAL6)), 16);
	assert_int_equal(nl_vxlan_parse(nlh, &vx), 0);
	assert_true(ip_equal(&vx.local, &local6));
	nl_batch_free(&b);

	/* a link that is not a VXLAN */
	nl_batch_init(&b);
	bridge_queue_add(&b, "br0", false);
	assert_int_equal(nl_vxlan_parse(msg(&b, 0), &vx), -EINVAL);
	nl_batch_free(&b);
}

/* The static entries of head-end replication: MAC 00:00:00:00:00:00 to a
 * remote, appended (one per remote), permanent, in the device's own table
 * (NTF_SELF, AF_BRIDGE); their deletion; the decoder reads them back. */
static void test_fdb(void **state)
{
	static const unsigned char zero[6];
	const struct ndmsg *nd;
	struct nlmsghdr *nlh;
	struct nl_batch b;
	struct ipaddr dst, dst6;
	struct nl_fdb f;

	(void)state;
	nl_batch_init(&b);
	assert_int_equal(ip_parse("198.51.100.12", &dst), 0);
	assert_int_equal(ip_parse("2001:db8::12", &dst6), 0);
	fdb_queue_append(&b, "host", "vx-app", 5, &dst);
	fdb_queue_append(&b, "host", "vx-app", 5, &dst6);
	fdb_queue_del(&b, "host", "vx-app", 5, &dst);
	assert_int_equal(b.n, 3);
	assert_string_equal(b.req[0].what,
			    "forwarding entry 00:00:00:00:00:00 dst 198.51.100.12 on vx-app in host");
	assert_true(b.req[0].ignore_exist);
	assert_true(b.req[2].ignore_missing);

	nlh = msg(&b, 0);
	assert_int_equal(nlh->nlmsg_type, RTM_NEWNEIGH);
	assert_int_equal(nlh->nlmsg_flags & (NLM_F_CREATE | NLM_F_APPEND | NLM_F_EXCL |
					     NLM_F_REPLACE),
			 NLM_F_CREATE | NLM_F_APPEND);
	nd = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(nd->ndm_family, AF_BRIDGE);
	assert_int_equal(nd->ndm_ifindex, 5);
	assert_int_equal(nd->ndm_state, NUD_PERMANENT);
	assert_int_equal(nd->ndm_flags, NTF_SELF);
	assert_memory_equal(mnl_attr_get_payload(find(nlh, sizeof(*nd), NDA_LLADDR)), zero, 6);
	assert_int_equal(mnl_attr_get_payload_len(find(nlh, sizeof(*nd), NDA_DST)), 4);
	assert_memory_equal(mnl_attr_get_payload(find(nlh, sizeof(*nd), NDA_DST)), dst.a.b, 4);
	assert_int_equal(nl_fdb_parse(nlh, &f), 0);
	assert_int_equal(f.index, 5);
	assert_int_equal(f.flags, NTF_SELF);
	assert_memory_equal(f.mac, zero, 6);
	assert_true(f.has_dst);
	assert_true(ip_equal(&f.dst, &dst));

	nlh = msg(&b, 1);
	assert_int_equal(nl_fdb_parse(nlh, &f), 0);
	assert_true(ip_equal(&f.dst, &dst6));

	nlh = msg(&b, 2);
	assert_int_equal(nlh->nlmsg_type, RTM_DELNEIGH);
	nd = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(nd->ndm_family, AF_BRIDGE);
	assert_int_equal(nd->ndm_flags, NTF_SELF);
	assert_non_null(find(nlh, sizeof(*nd), NDA_DST));
	nl_batch_free(&b);

	/* an IP neighbour entry is not a forwarding entry */
	nl_batch_init(&b);
	neigh_queue_add(&b, "n1", 4, &dst, zero);
	assert_int_equal(nl_fdb_parse(msg(&b, 0), &f), -EINVAL);
	nl_batch_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_veth),
		cmocka_unit_test(test_addr_and_route),
		cmocka_unit_test(test_ipv6_nodad),
		cmocka_unit_test(test_overflow_refused),
		cmocka_unit_test(test_many_messages_grow),
		cmocka_unit_test(test_neigh),
		cmocka_unit_test(test_vxlan),
		cmocka_unit_test(test_fdb),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
