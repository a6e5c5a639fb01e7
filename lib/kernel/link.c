// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * link.c - changes to existing links, asked for by name: the kernel looks
 * the link up itself (RTM_SETLINK with IFLA_IFNAME), so no dump and no
 * extra round trip is needed to learn an index first.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/ioctl.h>
#include <libmnl/libmnl.h>
#include <linux/ethtool.h>
#include <linux/rtnetlink.h>
#include <linux/if_link.h>
#include <linux/sockios.h>
#include <net/if.h>

#include "kernel/kernel.h"

const char *link_mark(struct nsnet *nn)
{
	return nn->mark;
}

/*
 * The mark is the alias "nsnet", "nsnet:<owner>" or either followed by a
 * space and flags ("nsnet:shop internal"). This is its one reader.
 */
bool link_mark_owner(const char *alias, char *owner, size_t len)
{
	size_t n;

	if (strncmp(alias, "nsnet", 5) ||
	    (alias[5] != '\0' && alias[5] != ':' && alias[5] != ' '))
		return false;
	if (owner && len) {
		owner[0] = '\0';
		if (alias[5] == ':') {
			n = strcspn(alias + 6, " ");
			snprintf(owner, len, "%.*s", (int)n, alias + 6);
		}
	}
	return true;
}

bool link_mark_is(const char *alias, const char *owner)
{
	char o[256];

	return link_mark_owner(alias, o, sizeof(o)) && !strcmp(o, owner);
}

bool link_is_ours(const struct nl_link *l)
{
	return l->group == NSNET_LINK_GROUP || link_mark_owner(l->alias, NULL, 0);
}

void link_queue_set(struct nl_batch *b, const char *ns_name, const char *ifname,
		    int index, int up, unsigned int mtu, int master,
		    const char *alias)
{
	struct ifinfomsg *ifi;
	char what[96] = "";

	if (up >= 0)
		snprintf(what, sizeof(what), " %s", up ? "up" : "down");
	if (mtu)
		snprintf(what + strlen(what), sizeof(what) - strlen(what),
			 " mtu %u", mtu);
	if (master >= 0)
		snprintf(what + strlen(what), sizeof(what) - strlen(what),
			 master ? " master" : " nomaster");
	if (alias)
		snprintf(what + strlen(what), sizeof(what) - strlen(what),
			 " alias");
	nl_batch_add(b, RTM_SETLINK, 0, "set %s%s in %s", ifname, what, ns_name);
	ifi = nl_put_extra(b, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = index > 0 ? index : 0;
	if (up >= 0) {
		ifi->ifi_change = IFF_UP;
		ifi->ifi_flags = up ? IFF_UP : 0;
	}
	if (index <= 0)
		nl_put_str(b, IFLA_IFNAME, ifname);
	if (mtu)
		nl_put_u32(b, IFLA_MTU, mtu);
	if (master >= 0)
		nl_put_u32(b, IFLA_MASTER, (uint32_t)master);
	if (alias)
		nl_put_str(b, IFLA_IFALIAS, alias);
}

int link_offload_set(struct nsnet *nn, struct ns *ns, const char *ifname,
		     unsigned int cmd, bool on)
{
	struct ethtool_value v = { .cmd = cmd, .data = on };
	struct ifreq ifr = { 0 };
	int fd = nl_fd(nn, ns);

	if (fd < 0)
		return fd;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	ifr.ifr_data = (void *)&v;
	if (ioctl(fd, SIOCETHTOOL, &ifr))
		return err_set(nn, errno, "%s in %s: offload %#x %s", ifname, ns->name,
			       cmd, on ? "on" : "off");
	return 0;
}

void link_queue_no_ll(struct nl_batch *b, const char *ns_name, const char *ifname)
{
	struct ifinfomsg *ifi;
	struct nlattr *spec, *inet6;

	nl_batch_add(b, RTM_SETLINK, 0, "set %s addrgenmode none in %s", ifname, ns_name);
	ifi = nl_put_extra(b, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	nl_put_str(b, IFLA_IFNAME, ifname);
	spec = nl_nest_start(b, IFLA_AF_SPEC);
	inet6 = nl_nest_start(b, AF_INET6);
	nl_put_u8(b, IFLA_INET6_ADDR_GEN_MODE, IN6_ADDR_GEN_MODE_NONE);
	nl_nest_end(b, inet6);
	nl_nest_end(b, spec);
	/* A link below IPv6's 1,280-byte MTU has no IPv6 state, and a kernel
	 * booted with ipv6.disable=1 none at all: the kernel refuses the
	 * setting, and there is no link-local address to prevent. */
	nl_batch_last(b)->ignore_no_ipv6 = true;
}

void link_queue_del(struct nl_batch *b, const char *ns_name, const char *ifname,
		    int index)
{
	struct ifinfomsg *ifi;

	nl_batch_add(b, RTM_DELLINK, 0, "delete %s in %s", ifname, ns_name);
	ifi = nl_put_extra(b, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = index > 0 ? index : 0;
	if (index <= 0)
		nl_put_str(b, IFLA_IFNAME, ifname);
}

struct link_dump_ctx {
	int (*cb)(const struct nl_link *l, void *data);
	void *data;
};

static int link_dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct link_dump_ctx *d = data;
	struct nl_link l;

	if (nl_link_parse(nlh, &l))
		return MNL_CB_OK;
	return d->cb(&l, d->data) < 0 ? MNL_CB_ERROR : MNL_CB_OK;
}

int link_dump(struct nsnet *nn, struct ns *ns,
	      int (*cb)(const struct nl_link *l, void *data), void *data,
	      void (*restart)(void *data))
{
	char buf[64] __attribute__((aligned(4)));
	struct link_dump_ctx d = { cb, data };
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;
	int rc, tries = 0;

	for (;;) {
		nlh = mnl_nlmsg_put_header(buf);
		nlh->nlmsg_type = RTM_GETLINK;
		ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
		ifi->ifi_family = AF_UNSPEC;
		mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
		rc = nl_dump(nn, ns, nlh, link_dump_cb, &d);
		if (rc != -EINTR || !restart || ++tries == 100)
			break;
		/* Links were changing during the dump (right after a burst
		 * of creations or deletions): again, after a breath. */
		restart(data);
		nanosleep(&(struct timespec){ 0, 20 * 1000 * 1000 }, NULL);
	}
	if (rc == -EINTR && restart)
		return err_set(nn, EINTR, "namespace %s: the links keep changing",
			       ns->name);
	return rc;
}

void link_wait_gone(struct nsnet *nn, struct ns *ns, char *const *names,
		    size_t n, unsigned int max_ms)
{
	double until = mono_ms() + max_ms;
	struct nl_link l;
	size_t i = 0;
	int rc;

	while (i < n) {
		rc = nl_link_get(nn, ns, names[i], &l);
		if (rc == -ENODEV) {
			i++;
			continue;
		}
		if (rc || mono_ms() > until) {
			err_clear(nn);
			return;
		}
		/* the kernel removes them in batches: when this one is gone,
		 * most others are too */
		nanosleep(&(struct timespec){ 0, 10 * 1000 * 1000 }, NULL);
	}
}

/* One request on a link named by the user: validate, send, done. */
static int link_change(struct nsnet *nn, const char *ns_name,
		       const char *ifname, int up, unsigned int mtu, bool del,
		       unsigned int flags)
{
	struct nl_batch b;
	struct nl_link l;
	struct ns *ns;
	int rc;

	rc = check_ns_name(nn, ns_name, true);
	if (!rc)
		rc = check_ifname(nn, ifname);
	if (!rc)
		rc = ns_get(nn, ns_name, &ns);
	if (rc)
		return rc;
	/* Changing a link is the user's call; deleting one nsnet did not
	 * create takes --force. */
	if (del && !(flags & NSNET_FORCE)) {
		rc = nl_link_get(nn, ns, ifname, &l);
		if (rc == -ENODEV)
			return err_set(nn, ENODEV, "delete %s in %s", ifname, ns_name);
		if (rc)
			return rc;
		if (!link_is_ours(&l))
			return err_set(nn, 0,
				"%s in %s was not created by nsnet (no mark); use --force to delete it anyway",
				ifname, ns_name);
	}
	nl_batch_init(&b);
	if (del)
		link_queue_del(&b, ns_name, ifname, 0);
	else
		link_queue_set(&b, ns_name, ifname, 0, up, mtu, -1, NULL);
	rc = nl_batch_send(nn, ns, &b);
	nl_batch_free(&b);
	return rc;
}

NSNET_EXPORT int nsnet_link_set_up(struct nsnet *nn, const char *ns,
				   const char *ifname, bool up)
{
	return LOCKED(nn, link_change(nn, ns, ifname, up, 0, false, 0));
}

NSNET_EXPORT int nsnet_link_set_mtu(struct nsnet *nn, const char *ns,
				    const char *ifname, unsigned int mtu)
{
	if (mtu < 68 || mtu > 65535)
		return err_usage(nn, "mtu %u for %s is out of range 68..65535",
				 mtu, ifname);
	return LOCKED(nn, link_change(nn, ns, ifname, -1, mtu, false, 0));
}

NSNET_EXPORT int nsnet_link_del(struct nsnet *nn, const char *ns,
				const char *ifname, unsigned int flags)
{
	return LOCKED(nn, link_change(nn, ns, ifname, -1, 0, true, flags));
}

/*
 * The head of every RTM_NEWLINK that creates a link (after nl_batch_add):
 * its name, up or not, and nsnet's link group in the same request, so that
 * the link is born marked or not at all. mtu 0 and master <= 0: the
 * kernel's choice.
 */
void link_put_new(struct nl_batch *b, const char *name, bool up, unsigned int mtu,
		  int master)
{
	struct ifinfomsg *ifi = nl_put_extra(b, sizeof(*ifi));

	ifi->ifi_family = AF_UNSPEC;
	if (up) {
		ifi->ifi_change = IFF_UP;
		ifi->ifi_flags = IFF_UP;
	}
	nl_put_str(b, IFLA_IFNAME, name);
	nl_put_u32(b, IFLA_GROUP, NSNET_LINK_GROUP);
	if (mtu)
		nl_put_u32(b, IFLA_MTU, mtu);
	if (master > 0)
		nl_put_u32(b, IFLA_MASTER, (uint32_t)master);
}
