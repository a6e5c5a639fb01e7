// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * addr.c - interface addresses, IPv4 and IPv6. The ones nsnet adds carry
 * IFA_PROTO RTPROT_NSNET, so that a delete can tell them from the
 * kernel's and the user's own.
 */
#include <stdio.h>
#include <string.h>
#include <linux/rtnetlink.h>
#include <linux/if_addr.h>

#include "kernel/kernel.h"

void addr_queue(struct nl_batch *b, bool add, const char *ns_name,
		const char *ifname, int index, const struct ipaddr *ip)
{
	struct ifaddrmsg *ifa;
	char s[64];
	int prefix = ip->prefix < 0 ? (int)ip_len(ip) * 8 : ip->prefix;
	struct ipaddr show = *ip;

	show.prefix = prefix;
	nl_batch_add(b, add ? RTM_NEWADDR : RTM_DELADDR,
		     add ? NLM_F_CREATE | NLM_F_EXCL : 0, "%s address %s %s %s in %s",
		     add ? "add" : "delete", ip_str(&show, s, sizeof(s)),
		     add ? "to" : "from", ifname, ns_name);
	ifa = nl_put_extra(b, sizeof(*ifa));
	ifa->ifa_family = (unsigned char)ip->family;
	ifa->ifa_prefixlen = (unsigned char)prefix;
	ifa->ifa_index = (unsigned int)index;
	ifa->ifa_scope = 0;
	nl_put(b, IFA_LOCAL, ip_len(ip), ip->a.b);
	nl_put(b, IFA_ADDRESS, ip_len(ip), ip->a.b);
	if (add && ip->family == AF_INET && prefix < 31) {
		struct in_addr brd = ip->a.v4;

		brd.s_addr |= htonl(prefix ? (1u << (32 - prefix)) - 1 : ~0u);
		nl_put(b, IFA_BROADCAST, 4, &brd);
	}
	/* Without NODAD an IPv6 address stays "tentative" for a second or
	 * two and the first ping of a fresh network fails. Addresses nsnet
	 * sets are unique by construction inside a virtual network. */
	if (add && ip->family == AF_INET6)
		nl_put_u32(b, IFA_FLAGS, IFA_F_NODAD);
	if (add)
		nl_put_u8(b, IFA_PROTO, RTPROT_NSNET);
}

struct addr_find {
	const struct ipaddr *want;
	bool found;
	unsigned int proto;
};

static int addr_find_cb(const struct nl_addr *a, void *data)
{
	struct addr_find *f = data;

	if (ip_equal(&a->ip, f->want) && a->ip.prefix == f->want->prefix) {
		f->found = true;
		f->proto = a->proto;
	}
	return 0;
}

static void addr_find_restart(void *data)
{
	((struct addr_find *)data)->found = false;
}

/* Refuse to delete an address that is there and is not nsnet's. One that
 * is not there is left to the kernel to say so. */
static int addr_check_owner(struct nsnet *nn, struct ns *ns, const char *ifname,
			    int index, const struct ipaddr *ip)
{
	static const char *const names[] = { "unspec", "kernel_lo", "kernel_ra",
					      "kernel_ll" };
	struct ipaddr want = *ip;
	struct addr_find f = { &want, false, 0 };
	char s[64], p[16];
	int rc;

	if (want.prefix < 0)
		want.prefix = (int)ip_len(ip) * 8;
	rc = nl_addr_dump(nn, ns, ip->family, index, addr_find_cb, &f,
			  addr_find_restart);
	if (rc || !f.found || f.proto == RTPROT_NSNET)
		return rc;
	if (f.proto < ARRAY_SIZE(names))
		snprintf(p, sizeof(p), "%s", names[f.proto]);
	else
		snprintf(p, sizeof(p), "%u", f.proto);
	return err_set(nn, 0,
		"address %s on %s in %s was not added by nsnet (protocol %s, not nsnet's %d); use --force to delete it anyway",
		ip_str(&want, s, sizeof(s)), ifname, ns->name, p, RTPROT_NSNET);
}

static int addr_change(struct nsnet *nn, bool add, const char *ns_name,
		       const char *ifname, const char *cidr, unsigned int flags)
{
	struct ipaddr ip;
	struct nl_link l;
	struct nl_batch b;
	struct ns *ns;
	int rc;

	rc = check_ns_name(nn, ns_name, true);
	if (!rc)
		rc = check_ifname(nn, ifname);
	if (rc)
		return rc;
	if (cidr_parse(cidr, &ip))
		return err_usage(nn,
			"\"%s\" is not an address with an optional prefix (for example 10.0.0.1/24 or fd00::1/64)",
			cidr);
	rc = ns_get(nn, ns_name, &ns);
	if (rc)
		return rc;
	rc = nl_link_get(nn, ns, ifname, &l);
	if (rc == -ENODEV)
		return err_set(nn, ENODEV, "%s in namespace %s", ifname,
			       ns_name);
	if (rc)
		return rc;
	if (!add && !(flags & NSNET_FORCE) &&
	    (rc = addr_check_owner(nn, ns, ifname, l.index, &ip)))
		return rc;
	nl_batch_init(&b);
	addr_queue(&b, add, ns_name, ifname, l.index, &ip);
	rc = nl_batch_send(nn, ns, &b);
	nl_batch_free(&b);
	return rc;
}

NSNET_EXPORT int nsnet_addr_add(struct nsnet *nn, const char *ns,
				const char *ifname, const char *cidr)
{
	return LOCKED(nn, addr_change(nn, true, ns, ifname, cidr, 0));
}

NSNET_EXPORT int nsnet_addr_del(struct nsnet *nn, const char *ns,
				const char *ifname, const char *cidr,
				unsigned int flags)
{
	return LOCKED(nn, addr_change(nn, false, ns, ifname, cidr, flags));
}
