// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * neigh.c - neighbour entries (the ARP and NDP caches): adding permanent
 * ones, deleting them, reading a namespace's table.
 *
 * The kernel's neighbour tables are one per family for the whole machine:
 * every namespace's entries count against the same gc_thresh3 (1,024 by
 * default). A permanent entry does not (6.18 net/core/neighbour.c,
 * neigh_add: exempt_from_gc for NUD_PERMANENT; neigh_alloc skips the
 * count for it), so nsnet check installs permanent entries for what it
 * probes, marked with protocol RTPROT_NSNET, and deletes exactly those.
 */
#include <stdio.h>
#include <string.h>
#include <libmnl/libmnl.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>

#include "kernel/kernel.h"

void neigh_queue_add(struct nl_batch *b, const char *ns_name, int index,
		     const struct ipaddr *ip, const unsigned char mac[6])
{
	struct ndmsg *nd;
	char a[64];

	ip_str(ip, a, sizeof(a));
	/* EXCL: an entry that exists (someone's traffic made it) is left
	 * as it is, and is not ours to delete. */
	nl_batch_add(b, RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_EXCL,
		     "neighbour %s on ifindex %d in %s", a, index, ns_name);
	nd = nl_put_extra(b, sizeof(*nd));
	nd->ndm_family = (unsigned char)ip->family;
	nd->ndm_ifindex = index;
	nd->ndm_state = NUD_PERMANENT;
	nl_put(b, NDA_DST, ip_len(ip), ip->a.b);
	nl_put(b, NDA_LLADDR, 6, mac);
	nl_put_u8(b, NDA_PROTOCOL, RTPROT_NSNET);
}

void neigh_queue_del(struct nl_batch *b, const char *ns_name, int index,
		     const struct ipaddr *ip)
{
	struct ndmsg *nd;
	char a[64];

	ip_str(ip, a, sizeof(a));
	nl_batch_add(b, RTM_DELNEIGH, 0, "delete neighbour %s on ifindex %d in %s",
		     a, index, ns_name);
	/* Gone already (its interface went away) is what we wanted. */
	nl_batch_last(b)->ignore_missing = true;
	nd = nl_put_extra(b, sizeof(*nd));
	nd->ndm_family = (unsigned char)ip->family;
	nd->ndm_ifindex = index;
	nl_put(b, NDA_DST, ip_len(ip), ip->a.b);
}

struct neigh_dump_ctx {
	int (*cb)(const struct nl_neigh *n, void *data);
	void *data;
};

static int neigh_dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct neigh_dump_ctx *d = data;
	struct nl_neigh n;

	if (nl_neigh_parse(nlh, &n))
		return MNL_CB_OK;
	return d->cb(&n, d->data) < 0 ? MNL_CB_ERROR : MNL_CB_OK;
}

int neigh_dump(struct nsnet *nn, struct ns *ns, int family,
	       int (*cb)(const struct nl_neigh *n, void *data), void *data,
	       void (*restart)(void *data))
{
	char buf[64] __attribute__((aligned(4))) = { 0 };
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct neigh_dump_ctx d = { cb, data };
	struct ndmsg *nd;
	int rc, tries = 0;

	nlh->nlmsg_type = RTM_GETNEIGH;
	nd = mnl_nlmsg_put_extra_header(nlh, sizeof(*nd));
	nd->ndm_family = (unsigned char)family;
	/* The table changes while traffic flows: ask again, a few times. */
	do {
		if (tries && restart)
			restart(data);
		rc = nl_dump(nn, ns, nlh, neigh_dump_cb, &d);
	} while (rc == -EINTR && restart && ++tries < 10);
	return rc;
}

/* ---- the tables' statistics ---------------------------------------------- */

static int neigh_stats_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *attr;
	unsigned long *fulls = data;

	if (nlh->nlmsg_type != RTM_NEWNEIGHTBL ||
	    nlh->nlmsg_len < mnl_nlmsg_size(sizeof(struct ndtmsg)))
		return MNL_CB_OK;
	mnl_attr_for_each(attr, nlh, sizeof(struct ndtmsg)) {
		struct ndt_stats st;

		if (mnl_attr_get_type(attr) != NDTA_STATS ||
		    mnl_attr_get_payload_len(attr) < sizeof(st))
			continue;
		memcpy(&st, mnl_attr_get_payload(attr), sizeof(st));
		*fulls += (unsigned long)st.ndts_table_fulls;
	}
	return MNL_CB_OK;
}

int neigh_table_fulls(struct nsnet *nn, struct ns *ns, unsigned long *fulls)
{
	char buf[64] __attribute__((aligned(4))) = { 0 };
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ndtmsg *ndt;
	int rc;

	nlh->nlmsg_type = RTM_GETNEIGHTBL;
	ndt = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndt));
	ndt->ndtm_family = AF_UNSPEC;
	*fulls = 0;
	rc = nl_dump(nn, ns, nlh, neigh_stats_cb, fulls);
	if (rc == -EINTR) {
		*fulls = 0;
		rc = nl_dump(nn, ns, nlh, neigh_stats_cb, fulls);
	}
	return rc;
}
