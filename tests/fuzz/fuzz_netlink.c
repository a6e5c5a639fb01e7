// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_netlink.c - what nsnet reads from the kernel: the four decoders of
 * lib/kernel/decode.c (links, addresses, routes, neighbours) and the
 * ACK / extended-ACK reader of netlink.c, fed messages as the transport
 * hands them over (only what mnl_nlmsg_ok() lets through: a message never
 * claims more bytes than were received). No crash, no read outside the
 * message, and what a decoder accepts is in range.
 *
 * Input: the first byte picks the shape.
 *  - even: the rest is a received buffer, any number of messages;
 *  - odd: one message is built around the rest as payload, its type from
 *    the next two bytes (mapped onto the types nsnet reads, or raw), its
 *    flags from the next two, its length either the payload's (consistent)
 *    or the next four bytes (whatever they say).
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <libmnl/libmnl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "kernel/kernel.h"

#define FUZZ_MAX 65536

static void check_str(const char *s, size_t cap)
{
	if (strnlen(s, cap) == cap)
		__builtin_trap();
}

static void decode_one(const struct nlmsghdr *nlh)
{
	struct nl_link l;
	struct nl_addr a;
	struct nl_route r;
	struct nl_neigh n;
	const char *msg;
	int error;

	if (!nl_link_parse(nlh, &l)) {
		check_str(l.name, sizeof(l.name));
		check_str(l.kind, sizeof(l.kind));
		check_str(l.alias, sizeof(l.alias));
		check_str(l.qdisc, sizeof(l.qdisc));
	}
	if (!nl_addr_parse(nlh, &a) &&
	    ((a.ip.family != AF_INET && a.ip.family != AF_INET6) ||
	     a.ip.prefix < 0 || a.ip.prefix > (a.ip.family == AF_INET ? 32 : 128)))
		__builtin_trap();
	if (!nl_route_parse(nlh, &r) &&
	    ((r.family != AF_INET && r.family != AF_INET6) ||
	     r.dst.family != r.family || r.dst.prefix < 0 ||
	     r.dst.prefix > (r.family == AF_INET ? 32 : 128) ||
	     (r.has_gateway && r.gateway.family != r.family)))
		__builtin_trap();
	if (!nl_neigh_parse(nlh, &n) &&
	    n.ip.family != AF_INET && n.ip.family != AF_INET6)
		__builtin_trap();
	if (!nl_ack_parse(nlh, &error, &msg) && msg) {
		/* Inside the message, NUL-terminated there. */
		if (msg < (const char *)nlh ||
		    msg + strlen(msg) >= (const char *)nlh + nlh->nlmsg_len)
			__builtin_trap();
	}
}

static int data_cb(const struct nlmsghdr *nlh, void *data)
{
	(void)data;
	decode_one(nlh);
	return MNL_CB_OK;
}

/*
 * Whether the kernel could have framed buf so: every message's length
 * within what is left. libmnl's own check, mnl_nlmsg_ok(), compares
 * nlmsg_len as a signed int and lets a length of 2 GiB or more through
 * (found here); nsnet trusts the kernel's framing (docs/security.md), so
 * such buffers are not fed on. The kernel also pads every message to 4
 * bytes, and libmnl reads attributes up to that padded end: the copies
 * below carry the padding (zeros, as the kernel's).
 */
static bool framed(const void *buf, size_t size)
{
	const unsigned char *p = buf;
	size_t left = size, step;

	while (left >= sizeof(struct nlmsghdr)) {
		const struct nlmsghdr *nlh = (const void *)p;

		if (nlh->nlmsg_len < sizeof(*nlh) || nlh->nlmsg_len > left)
			return false;
		step = NLMSG_ALIGN(nlh->nlmsg_len);
		if (step >= left)
			return true;
		p += step;
		left -= step;
	}
	return true;
}

/* Every message the way nl_collect_acks walks a reply, then the way
 * nl_dump and nl_query hand one to their callbacks. */
static void feed(const void *buf, size_t size)
{
	const struct nlmsghdr *nlh = buf;
	int len = (int)size;

	if (!framed(buf, size))
		return;
	for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len))
		decode_one(nlh);
	mnl_cb_run(buf, size, 0, 0, data_cb, NULL);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);
int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static const uint16_t types[] = {
		RTM_NEWLINK, RTM_NEWADDR, RTM_NEWROUTE, RTM_NEWNEIGH,
		NLMSG_ERROR, NLMSG_DONE, RTM_NEWNSID,
	};
	struct nlmsghdr *nlh;
	unsigned char *m;
	uint16_t type;
	size_t total;

	if (size < 1 || size > FUZZ_MAX)
		return 0;
	/* Heap copies of exactly the received size (malloc aligns them as
	 * netlink needs): ASan sees any read past the end. */
	if (!(data[0] & 1)) {
		total = NLMSG_ALIGN(size - 1);
		m = calloc(1, total ? total : 1);
		if (!m)
			return 0;
		memcpy(m, data + 1, size - 1);
		feed(m, total);
		free(m);
		return 0;
	}
	if (size < 9)
		return 0;
	type = (uint16_t)(data[1] | data[2] << 8);
	total = NLMSG_HDRLEN + size - 9;
	m = calloc(1, NLMSG_ALIGN(total));
	if (!m)
		return 0;
	nlh = (struct nlmsghdr *)m;
	memset(nlh, 0, NLMSG_HDRLEN);
	nlh->nlmsg_type = type < 0x8000 ?
			  types[type % (sizeof(types) / sizeof(types[0]))] : type;
	nlh->nlmsg_flags = (uint16_t)(data[3] | data[4] << 8);
	nlh->nlmsg_len = data[0] & 2 ?
			 (uint32_t)data[5] | (uint32_t)data[6] << 8 |
			 (uint32_t)data[7] << 16 | (uint32_t)data[8] << 24 :
			 (uint32_t)total;
	memcpy(m + NLMSG_HDRLEN, data + 9, size - 9);
	feed(m, NLMSG_ALIGN(total));
	free(m);
	return 0;
}
