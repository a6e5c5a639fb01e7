// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * netlink.c - the rtnetlink transport.
 *
 * One socket per namespace, opened inside it once and kept in the context.
 * Requests are built into a batch and sent with as few sendmsg() calls as
 * the receive buffer allows, each with NLM_F_ACK, so that every failure is
 * mapped back to the request (and the object) that caused it, and the
 * kernel's extended-ACK text reaches the user.
 */
#include <stdio.h>
#include <time.h>
#include <string.h>
#include <sys/socket.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <linux/if_link.h>
#include <linux/net_namespace.h>
#include <net/if.h>

#include "kernel/kernel.h"

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif

/*
 * ACKs arrive as one skb each, ~1 KiB of truesize apiece: 128 requests in
 * flight stay well below the 1 MiB receive buffer asked for below, and
 * below the default 208 KiB when SO_RCVBUFFORCE is not permitted.
 */
#define NL_CHUNK_REQS 128
#define NL_CHUNK_BYTES (96 * 1024)

int nl_open_here(void *arg)
{
	struct ns *ns = arg;
	int one = 1, rcvbuf = 1 << 20;
	struct mnl_socket *nl;

	/* Close-on-exec: a program started later (exec, run:) must not keep
	 * a namespace alive, or reconfigure it, through our socket. */
	nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!nl)
		return -errno;
	setsockopt(mnl_socket_get_fd(nl), SOL_NETLINK, NETLINK_EXT_ACK, &one,
		   sizeof(one));
	setsockopt(mnl_socket_get_fd(nl), SOL_NETLINK, NETLINK_CAP_ACK, &one,
		   sizeof(one));
	if (setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVBUFFORCE,
		       &rcvbuf, sizeof(rcvbuf)))
		setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVBUF,
			   &rcvbuf, sizeof(rcvbuf));
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		int e = errno;

		mnl_socket_close(nl);
		return -e;
	}
	ns->nl = nl;
	ns->portid = mnl_socket_get_portid(nl);
	ns->seq = (uint32_t)time(NULL);
	return 0;
}

/* The socket of ns, opened inside it on first use. */
static int nl_sock(struct nsnet *nn, struct ns *ns)
{
	int rc;

	if (ns->nl)
		return 0;
	rc = ns_call(nn, ns, nl_open_here, ns);
	if (rc < 0)
		return err_set(nn, -rc, "netlink socket in namespace %s",
			       ns->name);
	return 0;
}

void nl_batch_init(struct nl_batch *b)
{
	memset(b, 0, sizeof(*b));
}

void nl_batch_free(struct nl_batch *b)
{
	free(b->buf);
	free(b->req);
	memset(b, 0, sizeof(*b));
}

static void nl_batch_close_msg(struct nl_batch *b)
{
	if (b->cur) {
		b->len += NLMSG_ALIGN(b->cur->nlmsg_len);
		b->cur = NULL;
	}
}

struct nlmsghdr *nl_batch_add(struct nl_batch *b, uint16_t type, uint16_t flags,
			      const char *what, ...)
{
	struct nlmsghdr *nlh;
	struct nl_req *r;
	va_list ap;

	nl_batch_close_msg(b);
	if (b->len + NL_MSG_MAX > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 16 * NL_MSG_MAX;
		char *nb = realloc(b->buf, cap);

		if (!nb)
			abort(); /* a few KiB: no sane recovery */
		b->buf = nb;
		b->cap = cap;
	}
	if (b->n == b->req_cap) {
		size_t cap = b->req_cap ? b->req_cap * 2 : 16;
		struct nl_req *nr = realloc(b->req, cap * sizeof(*nr));

		if (!nr)
			abort();
		b->req = nr;
		b->req_cap = cap;
	}
	memset(b->buf + b->len, 0, NL_MSG_MAX);
	nlh = mnl_nlmsg_put_header(b->buf + b->len);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	r = &b->req[b->n++];
	memset(r, 0, sizeof(*r));
	r->barrier = b->barrier_next;
	b->barrier_next = false;
	va_start(ap, what);
	vsnprintf(r->what, sizeof(r->what), what, ap);
	va_end(ap);
	b->cur = nlh;
	return nlh;
}

void nl_batch_barrier(struct nl_batch *b)
{
	b->barrier_next = true;
}

struct nl_req *nl_batch_last(struct nl_batch *b)
{
	return b->n ? &b->req[b->n - 1] : NULL;
}

void *nl_put_extra(struct nl_batch *b, size_t size)
{
	return mnl_nlmsg_put_extra_header(b->cur, size);
}

/* Checked putters: an attribute that does not fit marks the batch as
 * overflowed and nl_batch_send() refuses it, rather than sending a
 * truncated request. */
void nl_put(struct nl_batch *b, uint16_t type, size_t len, const void *data)
{
	if (!mnl_attr_put_check(b->cur, NL_MSG_MAX, type, len, data))
		b->overflow = true;
}

void nl_put_u8(struct nl_batch *b, uint16_t type, uint8_t v)
{
	nl_put(b, type, sizeof(v), &v);
}

void nl_put_u32(struct nl_batch *b, uint16_t type, uint32_t v)
{
	nl_put(b, type, sizeof(v), &v);
}

void nl_put_str(struct nl_batch *b, uint16_t type, const char *s)
{
	nl_put(b, type, strlen(s) + 1, s);
}

struct nlattr *nl_nest_start(struct nl_batch *b, uint16_t type)
{
	struct nlattr *n = mnl_attr_nest_start_check(b->cur, NL_MSG_MAX, type);

	if (!n)
		b->overflow = true;
	return n;
}

void nl_nest_end(struct nl_batch *b, struct nlattr *nest)
{
	if (nest)
		mnl_attr_nest_end(b->cur, nest);
}

int nl_ack_parse(const struct nlmsghdr *nlh, int *error, const char **msg)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *attr;
	size_t off = sizeof(*e), len;

	*msg = NULL;
	if (nlh->nlmsg_type != NLMSG_ERROR ||
	    nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(*e))
		return -EINVAL;
	*error = e->error;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return 0;
	/* Uncapped, the request is quoted whole before the TLVs; its length
	 * is the sender's word, so it is checked like any other. */
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) {
		if (e->msg.nlmsg_len < sizeof(struct nlmsghdr))
			return 0;
		off = MNL_ALIGN(off + e->msg.nlmsg_len - sizeof(struct nlmsghdr));
	}
	len = nlh->nlmsg_len - NLMSG_HDRLEN;
	if (off >= len)
		return 0;
	mnl_attr_for_each_payload((const void *)((const char *)e + off), len - off) {
		if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
		    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0) {
			*msg = mnl_attr_get_str(attr);
			break;
		}
	}
	return 0;
}

/* Receive ACKs until every request of [first, last) has its answer. */
static int nl_collect_acks(struct nsnet *nn, struct ns *ns, struct nl_batch *b,
			   size_t first, size_t last, char *extack,
			   size_t extack_len, size_t *failed)
{
	char buf[8192] __attribute__((aligned(4)));
	size_t pending = last - first;

	while (pending) {
		ssize_t got = mnl_socket_recvfrom(ns->nl, buf, sizeof(buf));
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
		int len = (int)got;

		if (got < 0)
			return err_set(nn, errno, "namespace %s: netlink receive",
				       ns->name);
		for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
			const char *m;
			size_t i;
			int error;

			if (nl_ack_parse(nlh, &error, &m))
				continue;
			for (i = first; i < last; i++)
				if (b->req[i].seq == nlh->nlmsg_seq)
					break;
			if (i == last)
				continue;  /* a late answer from an earlier call */
			b->req[i].error = error;
			b->req[i].done = true;
			if (error && *failed == SIZE_MAX) {
				int code = -error;

				if ((b->req[i].ignore_exist && code == EEXIST) ||
				    (b->req[i].ignore_no_ipv6 && code == EAFNOSUPPORT) ||
				    (b->req[i].ignore_missing &&
				     (code == ENOENT || code == ENODEV ||
				      code == ESRCH || code == EADDRNOTAVAIL))) {
					b->req[i].error = 0;
				} else {
					*failed = i;
					snprintf(extack, extack_len, "%s",
						 m ? m : "");
				}
			}
			pending--;
		}
	}
	return 0;
}

int nl_batch_send(struct nsnet *nn, struct ns *ns, struct nl_batch *b)
{
	char extack[512] = "";
	size_t failed = SIZE_MAX, i = 0;
	int rc;

	nl_batch_close_msg(b);
	if (b->overflow)
		return err_set(nn, EMSGSIZE, "%s: request too large",
			       b->n ? b->req[0].what : "netlink");
	if (!b->n)
		return 0;
	rc = nl_sock(nn, ns);
	if (rc)
		return rc;

	/* Sequence numbers first, then send in chunks. */
	{
		char *p = b->buf;

		for (i = 0; i < b->n; i++) {
			struct nlmsghdr *nlh = (struct nlmsghdr *)p;

			nlh->nlmsg_seq = b->req[i].seq = ++ns->seq;
			p += NLMSG_ALIGN(nlh->nlmsg_len);
		}
	}
	{
		char *p = b->buf, *chunk = b->buf;
		size_t first = 0;

		for (i = 0; i <= b->n; i++) {
			size_t bytes = (size_t)(p - chunk);
			bool flush = i == b->n || i - first == NL_CHUNK_REQS ||
				     b->req[i].barrier ||
				     (bytes + ((struct nlmsghdr *)p)->nlmsg_len >
				      NL_CHUNK_BYTES && i > first);

			if (flush && i > first) {
				if (mnl_socket_sendto(ns->nl, chunk, bytes) < 0)
					return err_set(nn, errno,
						       "namespace %s: netlink send",
						       ns->name);
				rc = nl_collect_acks(nn, ns, b, first, i, extack,
						     sizeof(extack), &failed);
				if (rc)
					return rc;
				/* Stop at the first failure: later requests
				 * usually depend on earlier ones. */
				if (failed != SIZE_MAX)
					break;
				chunk = p;
				first = i;
			}
			if (i < b->n)
				p += NLMSG_ALIGN(((struct nlmsghdr *)p)->nlmsg_len);
		}
	}
	if (failed != SIZE_MAX)
		return err_kernel(nn, -b->req[failed].error, extack, "%s",
				  b->req[failed].what);
	return 0;
}

struct dump_ctx {
	int (*cb)(const struct nlmsghdr *nlh, void *data);
	void *data;
	int rc;
};

static int dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dump_ctx *d = data;

	d->rc = d->cb(nlh, d->data);
	return d->rc < 0 ? MNL_CB_ERROR : MNL_CB_OK;
}

/* The kernel flags a dump NLM_F_DUMP_INTR when the objects changed while
 * it ran (libmnl reports EINTR): read the rest up to NLMSG_DONE, so that the
 * socket is clean for the next request, and let the caller start again. */
static int nl_dump_drain(struct ns *ns, char *buf, size_t size, ssize_t len)
{
	for (;;) {
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
		int left = (int)len;

		for (; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left))
			if (nlh->nlmsg_type == NLMSG_DONE || nlh->nlmsg_type == NLMSG_ERROR)
				return -EINTR;
		len = mnl_socket_recvfrom(ns->nl, buf, size);
		if (len <= 0)
			return -EINTR;
	}
}

int nl_fd(struct nsnet *nn, struct ns *ns)
{
	int rc = nl_sock(nn, ns);

	return rc ? rc : mnl_socket_get_fd(ns->nl);
}

int nl_dump(struct nsnet *nn, struct ns *ns, struct nlmsghdr *req,
	    int (*cb)(const struct nlmsghdr *nlh, void *data), void *data)
{
	static char buf[64 * 1024] __attribute__((aligned(4)));
	struct dump_ctx d = { cb, data, 0 };
	int rc;

	rc = nl_sock(nn, ns);
	if (rc)
		return rc;
	req->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req->nlmsg_seq = ++ns->seq;
	if (mnl_socket_sendto(ns->nl, req, req->nlmsg_len) < 0)
		return err_set(nn, errno, "namespace %s: netlink send", ns->name);
	for (;;) {
		ssize_t len = mnl_socket_recvfrom(ns->nl, buf, sizeof(buf));

		if (len < 0)
			return err_set(nn, errno, "namespace %s: netlink dump",
				       ns->name);
		rc = mnl_cb_run(buf, (size_t)len, req->nlmsg_seq, ns->portid,
				dump_cb, &d);
		if (rc == MNL_CB_STOP)
			return 0;
		if (rc < 0 && errno == EINTR && d.rc >= 0)
			return nl_dump_drain(ns, buf, sizeof(buf), len);
		if (rc < 0) {
			/* The rest of the dump must not be left for the next
			 * request on this socket to trip over. */
			int e = errno;

			nl_dump_drain(ns, buf, sizeof(buf), len);
			return d.rc < 0 ? d.rc :
			       err_set(nn, e, "namespace %s: netlink dump", ns->name);
		}
	}
}

int nl_query(struct nsnet *nn, struct ns *ns, struct nlmsghdr *req,
	     int (*cb)(const struct nlmsghdr *nlh, void *data), void *data)
{
	char buf[16384] __attribute__((aligned(4)));
	ssize_t len;
	int rc;

	rc = nl_sock(nn, ns);
	if (rc)
		return rc;
	req->nlmsg_flags = NLM_F_REQUEST;
	req->nlmsg_seq = ++ns->seq;
	if (mnl_socket_sendto(ns->nl, req, req->nlmsg_len) < 0)
		return err_set(nn, errno, "namespace %s: netlink send", ns->name);
	len = mnl_socket_recvfrom(ns->nl, buf, sizeof(buf));
	if (len < 0)
		return err_set(nn, errno, "namespace %s: netlink receive",
			       ns->name);
	rc = mnl_cb_run(buf, (size_t)len, req->nlmsg_seq, ns->portid, cb, data);
	return rc < 0 ? -errno : 0;
}

static int nsid_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *attr;

	if (nlh->nlmsg_type != RTM_NEWNSID)
		return MNL_CB_OK;
	mnl_attr_for_each(attr, nlh, sizeof(struct rtgenmsg))
		if (mnl_attr_get_type(attr) == NETNSA_NSID &&
		    mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
			*(int *)data = (int)mnl_attr_get_u32(attr);
	return MNL_CB_OK;
}

int nl_nsid_of(struct nsnet *nn, struct ns *ns, const struct ns *other)
{
	char req[64] __attribute__((aligned(4)));
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(req);
	struct rtgenmsg *g;
	int id = -1;

	nlh->nlmsg_type = RTM_GETNSID;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->rtgen_family = AF_UNSPEC;
	mnl_attr_put_u32(nlh, NETNSA_FD, (uint32_t)other->fd);
	if (nl_query(nn, ns, nlh, nsid_cb, &id))
		return -1;
	return id;
}

static int link_get_cb(const struct nlmsghdr *nlh, void *data)
{
	if (nlh->nlmsg_type == RTM_NEWLINK)
		nl_link_parse(nlh, data);
	return MNL_CB_OK;
}

/* One RTM_GETLINK by name or index: the kernel looks the link up for us. */
static int nl_link_query(struct nsnet *nn, struct ns *ns, const char *ifname,
			 int index, struct nl_link *l)
{
	char buf[256] __attribute__((aligned(4)));
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;
	int rc;

	nlh->nlmsg_type = RTM_GETLINK;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = index;
	if (ifname)
		mnl_attr_put_strz(nlh, IFLA_IFNAME, ifname);
	mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	memset(l, 0, sizeof(*l));
	rc = nl_query(nn, ns, nlh, link_get_cb, l);
	if (rc == -ENODEV || rc == -ENOENT)
		return -ENODEV;
	if (rc)
		return err_set(nn, -rc, "%s in %s", ifname ? ifname : "link",
			       ns->name);
	return l->index ? 0 : -ENODEV;
}

int nl_link_get(struct nsnet *nn, struct ns *ns, const char *ifname,
		struct nl_link *l)
{
	return nl_link_query(nn, ns, ifname, 0, l);
}

int nl_link_get_index(struct nsnet *nn, struct ns *ns, int index,
		      struct nl_link *l)
{
	return nl_link_query(nn, ns, NULL, index, l);
}
