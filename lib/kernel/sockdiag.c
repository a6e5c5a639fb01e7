// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sockdiag.c - which sockets of a namespace hold a port, asked through
 * NETLINK_SOCK_DIAG: publish refuses a host port in use, doctor says
 * "nothing listens". Only listening (TCP) and unconnected (UDP) sockets
 * are asked for: reading /proc/net/tcp walks every socket of every
 * namespace of the machine (2.7 ms a file on the development machine),
 * the diag request only the listening hash. Both families are asked: an
 * IPv6 socket on :: takes IPv4 traffic too.
 */
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>

#include "kernel/kernel.h"

struct sockdiag_match {
	unsigned int lo, hi;
	const struct ipaddr *addr;   /* see sockdiag_holder() */
	unsigned int port;           /* the first match, or 0 */
};

/*
 * Whether a socket bound to a (family fam) takes traffic for want: NULL or
 * 0.0.0.0/0 is any IPv4 address, ::/0 any IPv6 address, else one address.
 * An IPv6 socket on :: takes both families (unless IPV6_V6ONLY, which
 * sock_diag does not tell: counted as taking both); one on a v4-mapped
 * address only that IPv4 address; an IPv4 socket no IPv6 traffic.
 */
static bool sockdiag_addr_matches(int fam, const unsigned char *a,
				  const struct ipaddr *want)
{
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
						  0xff, 0xff };
	static const unsigned char zero[16];
	int wfam = want ? want->family : AF_INET;
	bool any = !want || want->prefix == 0;

	if (fam == AF_INET)
		return wfam == AF_INET &&
		       (any || !memcmp(a, zero, 4) || !memcmp(a, want->a.b, 4));
	if (!memcmp(a, zero, 16))
		return true;
	if (!memcmp(a, mapped, 12))
		return wfam == AF_INET && (any || !memcmp(a + 12, want->a.b, 4));
	return wfam == AF_INET6 && (any || !memcmp(a, want->a.b, 16));
}

static int sockdiag_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct inet_diag_msg *m = mnl_nlmsg_get_payload(nlh);
	struct sockdiag_match *s = data;
	unsigned int port;

	if (nlh->nlmsg_type != SOCK_DIAG_BY_FAMILY)
		return MNL_CB_OK;
	port = ntohs(m->id.idiag_sport);
	if (!s->port && port >= s->lo && port <= s->hi &&
	    sockdiag_addr_matches(m->idiag_family,
				  (const unsigned char *)m->id.idiag_src, s->addr))
		s->port = port;
	return MNL_CB_OK;
}

int sockdiag_open(void *arg)
{
	struct mnl_socket **nl = arg;

	*nl = mnl_socket_open(NETLINK_SOCK_DIAG);
	if (*nl && mnl_socket_bind(*nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		mnl_socket_close(*nl);
		*nl = NULL;
	}
	return *nl ? 0 : -errno;
}

int sockdiag_holder(struct nsnet *nn, struct mnl_socket *nl, int proto,
		    unsigned int lo, unsigned int hi, const struct ipaddr *addr,
		    unsigned int *port)
{
	static const int fams[] = { AF_INET, AF_INET6 };
	struct sockdiag_match s = { lo, hi, addr, 0 };
	char buf[8192] __attribute__((aligned(4)));
	size_t f;

	for (f = 0; f < ARRAY_SIZE(fams) && !s.port; f++) {
		struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
		struct inet_diag_req_v2 *req;
		ssize_t len;

		/* an IPv4 socket takes no IPv6 traffic */
		if (fams[f] == AF_INET && addr && addr->family == AF_INET6)
			continue;
		nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
		nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
		nlh->nlmsg_seq = (uint32_t)(f + 1);
		req = mnl_nlmsg_put_extra_header(nlh, sizeof(*req));
		req->sdiag_family = (uint8_t)fams[f];
		req->sdiag_protocol = (uint8_t)proto;
		/* TCP_LISTEN is 10, TCP_CLOSE (an unconnected UDP socket) 7. */
		req->idiag_states = proto == IPPROTO_TCP ? 1u << 10 : 1u << 7;
		/* one port: the kernel skips the other listeners itself */
		if (lo == hi)
			req->id.idiag_sport = htons((uint16_t)lo);
		if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
			return err_set(nn, errno, "sock_diag request");
		while ((len = mnl_socket_recvfrom(nl, buf, sizeof(buf))) > 0)
			if (mnl_cb_run(buf, (size_t)len, nlh->nlmsg_seq,
				       mnl_socket_get_portid(nl), sockdiag_cb, &s) <= MNL_CB_STOP)
				break;
	}
	*port = s.port;
	return 0;
}
