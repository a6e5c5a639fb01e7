// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ping.c - ICMP and ICMPv6 echo, and traceroute, sent by nsnet itself from
 * inside a namespace.
 *
 * The sockets are opened inside the namespace (ns_call) and used from
 * where nsnet runs: a socket belongs to the namespace it was created in
 * for its whole life. Everything is bounded in time: ping ends at
 * count * interval + timeout at the latest, every traceroute probe after
 * its own timeout.
 */
#include <net/if.h> /* before any linux/ header: see topology.h */
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <netinet/icmp6.h>
#include <linux/errqueue.h>
#include <linux/icmp.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include "kernel/kernel.h"
#include "diagnosis/diagnosis.h"

#define PING_MAX_COUNT 100000
#define PING_MAX_PAYLOAD 65507
#define PING_PATTERN_OFFSET 0x10

/* ---- packets ------------------------------------------------------------- */

uint16_t ping_checksum(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint32_t sum = 0;

	for (; len > 1; p += 2, len -= 2)
		sum += (uint32_t)(p[0] << 8 | p[1]);
	if (len)
		sum += (uint32_t)(p[0] << 8);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

size_t ping_build_echo(void *buf, size_t cap, int family, uint16_t id,
		       uint16_t seq, size_t payload)
{
	uint8_t *p = buf;
	size_t i, len = PING_ICMP_HDR + payload;

	if (len > cap)
		return 0;
	memset(p, 0, PING_ICMP_HDR);
	p[0] = family == AF_INET6 ? ICMP6_ECHO_REQUEST : ICMP_ECHO;
	put16(p + 4, id);
	put16(p + 6, seq);
	for (i = 0; i < payload; i++)
		p[PING_ICMP_HDR + i] = (uint8_t)(PING_PATTERN_OFFSET + i);
	if (family == AF_INET)
		put16(p + 2, ping_checksum(p, len));
	return len;
}

#define PING_TOKEN_LEN 4

size_t ping_build_probe(void *buf, size_t cap, int family, uint16_t id,
			uint32_t n, size_t payload)
{
	uint8_t *p = buf;
	size_t len = ping_build_echo(buf, cap, family, id, (uint16_t)n, payload);

	if (!len || payload < PING_TOKEN_LEN)
		return len;
	put16(p + PING_ICMP_HDR, (uint16_t)(n >> 16));
	put16(p + PING_ICMP_HDR + 2, (uint16_t)n);
	if (family == AF_INET) {
		put16(p + 2, 0);
		put16(p + 2, ping_checksum(p, len));
	}
	return len;
}

uint32_t ping_match(const struct ping_reply *r, size_t payload, uint32_t sent)
{
	uint32_t n;

	if (payload >= PING_TOKEN_LEN && r->payload_len >= PING_TOKEN_LEN) {
		n = (uint32_t)get16(r->payload) << 16 | get16(r->payload + 2);
		return n >= 1 && n <= sent && (uint16_t)n == r->seq ? n : 0;
	}
	/* No token (a payload under 4 bytes, or an error quoting only the
	 * header): the latest probe with this sequence number. An older one
	 * went 65,536 probes earlier: at 2 ms apart at least (the CLI's
	 * smallest interval) that is 131 s back, past the 60 s timeout. */
	n = sent - (uint16_t)(sent - r->seq);
	return n >= 1 && n <= sent ? n : 0;
}

/* An ICMP error quotes the start of the packet that caused it: for us, an
 * echo request with our id. */
static enum ping_kind ping_parse_quoted(const uint8_t *q, size_t qlen,
					int family, uint16_t id,
					struct ping_reply *r)
{
	const uint8_t *start = q;
	size_t hl;

	if (family == AF_INET) {
		if (qlen < 20 || (q[0] >> 4) != 4)
			return PING_IGNORE;
		hl = (size_t)(q[0] & 0xf) * 4;
		if (hl < 20 || q[9] != IPPROTO_ICMP || qlen < hl + PING_ICMP_HDR)
			return PING_IGNORE;
		q += hl;
		if (q[0] != ICMP_ECHO)
			return PING_IGNORE;
	} else {
		if (qlen < 40 + PING_ICMP_HDR || (q[0] >> 4) != 6 ||
		    q[6] != IPPROTO_ICMPV6)
			return PING_IGNORE;
		q += 40;
		if (q[0] != ICMP6_ECHO_REQUEST)
			return PING_IGNORE;
	}
	if (get16(q + 4) != id)
		return PING_IGNORE;
	r->seq = get16(q + 6);
	r->payload = q + PING_ICMP_HDR;
	r->payload_len = qlen - (size_t)(q + PING_ICMP_HDR - start);
	r->kind = PING_ICMP_ERROR;
	return r->kind;
}

enum ping_kind ping_parse(const void *buf, size_t len, int family,
			  uint16_t id, struct ping_reply *r)
{
	const uint8_t *p = buf;
	size_t hl = 0;

	memset(r, 0, sizeof(*r));
	r->ttl = -1;
	if (family == AF_INET) {
		if (len < 20 || (p[0] >> 4) != 4)
			return PING_IGNORE;
		hl = (size_t)(p[0] & 0xf) * 4;
		if (hl < 20 || len < hl + PING_ICMP_HDR)
			return PING_IGNORE;
		r->ttl = p[8];
	} else if (len < PING_ICMP_HDR) {
		return PING_IGNORE;
	}
	p += hl;
	len -= hl;
	r->type = p[0];
	r->code = p[1];
	r->icmp_len = len;
	if ((family == AF_INET && p[0] == ICMP_ECHOREPLY) ||
	    (family == AF_INET6 && p[0] == ICMP6_ECHO_REPLY)) {
		if (get16(p + 4) != id)
			return PING_IGNORE;
		r->seq = get16(p + 6);
		r->payload = p + PING_ICMP_HDR;
		r->payload_len = len - PING_ICMP_HDR;
		r->kind = PING_ECHO_REPLY;
		return r->kind;
	}
	if ((family == AF_INET && (p[0] == ICMP_DEST_UNREACH ||
				   p[0] == ICMP_TIME_EXCEEDED)) ||
	    (family == AF_INET6 && (p[0] == ICMP6_DST_UNREACH ||
				    p[0] == ICMP6_TIME_EXCEEDED ||
				    p[0] == ICMP6_PACKET_TOO_BIG)))
		return ping_parse_quoted(p + PING_ICMP_HDR, len - PING_ICMP_HDR,
					 family, id, r);
	return PING_IGNORE;
}

const char *ping_error_text(int family, uint8_t type, uint8_t code)
{
	static const char *const unreach4[] = {
		"Destination Net Unreachable", "Destination Host Unreachable",
		"Destination Protocol Unreachable",
		"Destination Port Unreachable", "Frag needed",
		"Source Route Failed", "Destination Net Unknown",
		"Destination Host Unknown", "Source Host Isolated",
		"Destination Net Prohibited", "Destination Host Prohibited",
		"Destination Net Unreachable for Type of Service",
		"Destination Host Unreachable for Type of Service",
		"Packet filtered",
	};
	static const char *const unreach6[] = {
		"Destination unreachable: No route",
		"Destination unreachable: Administratively prohibited",
		"Destination unreachable: Beyond scope of source address",
		"Destination unreachable: Address unreachable",
		"Destination unreachable: Port unreachable",
		"Destination unreachable: Source address failed ingress/egress policy",
		"Destination unreachable: Reject route to destination",
	};

	if (family == AF_INET) {
		if (type == ICMP_DEST_UNREACH)
			return code < ARRAY_SIZE(unreach4) ? unreach4[code] :
			       "Destination Unreachable";
		if (type == ICMP_TIME_EXCEEDED)
			return code ? "Frag reassembly time exceeded" :
				      "Time to live exceeded";
	} else {
		if (type == ICMP6_DST_UNREACH)
			return code < ARRAY_SIZE(unreach6) ? unreach6[code] :
			       "Destination unreachable";
		if (type == ICMP6_TIME_EXCEEDED)
			return code ? "Time exceeded: Fragment reassembly" :
				      "Time exceeded: Hop limit";
		if (type == ICMP6_PACKET_TOO_BIG)
			return "Packet too big";
	}
	return "Unknown ICMP error";
}

/* ---- shared by ping and traceroute ------------------------------------------ */

/* Not worth linking libm for: Newton's method converges in a few steps
 * for the millisecond-sized variances of a ping. */
static double ping_sqrt(double x)
{
	double r = x > 1 ? x : 1;
	int i;

	if (x <= 0)
		return 0;
	for (i = 0; i < 64; i++)
		r = (r + x / r) / 2;
	return r;
}

/* Milliseconds to wait, rounded up so that poll() does not wake early. */
static int wait_ms(double until, double now)
{
	double d = until - now;

	if (d <= 0)
		return 0;
	if (d > 3600e3)
		d = 3600e3;
	return (int)d + ((double)(int)d < d);
}

/* The first global address of a namespace, IPv4 first. */
struct first_addr {
	struct ipaddr ip;
	bool found;
};

static int first_addr_cb(const struct nl_addr *a, void *data)
{
	struct first_addr *f = data;

	if (f->found || a->scope != RT_SCOPE_UNIVERSE)
		return 0;
	f->ip = a->ip;
	f->ip.prefix = -1;
	f->found = true;
	return 0;
}

static void first_addr_reset(void *data)
{
	((struct first_addr *)data)->found = false;
}

/* nsnet never asks real resolvers about names of a virtual network: a
 * name is a namespace, or a line of /etc/netns/NS/hosts. */
int diag_resolve(struct nsnet *nn, const char *ns, const char *dest,
		 struct ipaddr *ip)
{
	static const int fams[] = { AF_INET, AF_INET6 };
	struct first_addr f = { .found = false };
	struct ns *other;
	size_t i;
	int rc;

	if (!ip_parse(dest, ip))
		return 0;
	if (!check_ns_name(nn, dest, false) && ns_exists(dest)) {
		if ((rc = ns_get(nn, dest, &other)))
			return rc;
		for (i = 0; i < ARRAY_SIZE(fams) && !f.found; i++)
			if ((rc = nl_addr_dump(nn, other, fams[i], 0, first_addr_cb, &f,
					       first_addr_reset)))
				return rc;
		if (!f.found)
			return err_set(nn, EADDRNOTAVAIL, "namespace %s has no global address",
				       dest);
		*ip = f.ip;
		return 0;
	}
	err_clear(nn);
	if (!hosts_lookup(ns, dest, ip))
		return 0;
	return err_usage(nn,
		"\"%s\" is neither an address, nor a namespace, nor a name in %s/%s/hosts",
		dest, NETNS_ETC_DIR, ns);
}

static int ping_resolve(struct nsnet *nn, const char *ns, const char *dest,
			struct ipaddr *ip, const char *what)
{
	int rc = diag_resolve(nn, ns, dest, ip);

	if (rc)
		err_prefix(nn, "%s", what);
	return rc;
}

static const char *sockaddr_str(const struct sockaddr_storage *ss, char *buf,
				size_t len)
{
	const void *a = ss->ss_family == AF_INET ?
		(const void *)&((const struct sockaddr_in *)ss)->sin_addr :
		(const void *)&((const struct sockaddr_in6 *)ss)->sin6_addr;

	if (!inet_ntop(ss->ss_family, a, buf, (socklen_t)len))
		snprintf(buf, len, "?");
	return buf;
}

struct ping_socket {
	int family, type, protocol;
	const struct sockaddr_storage *dest;
	int fd, error;
	int route_error;
};

/*
 * The route lookup is a connect() of a throwaway UDP socket: it fails at
 * once with the kernel's reason ("Network is unreachable"), and the probe
 * socket itself must stay unconnected to hear errors from routers on the
 * way (disconnecting a raw socket would unhash it: it would hear nothing).
 */
static int ping_socket_open(void *arg)
{
	struct ping_socket *s = arg;
	socklen_t sl = s->family == AF_INET ? sizeof(struct sockaddr_in) :
					      sizeof(struct sockaddr_in6);
	int u;

	u = socket(s->family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (u < 0) {
		s->error = errno;
		return 0;
	}
	if (connect(u, (const struct sockaddr *)s->dest, sl))
		s->route_error = errno;
	close(u);
	if (s->route_error)
		return 0;
	s->fd = socket(s->family, s->type | SOCK_CLOEXEC, s->protocol);
	s->error = s->fd < 0 ? errno : 0;
	return 0;
}

static int open_in_ns(struct nsnet *nn, const char *ns_name,
		      const struct ipaddr *dst, int type, int protocol,
		      const char *what)
{
	struct sockaddr_storage ss;
	struct ping_socket s = { dst->family, type, protocol, &ss, -1, 0, 0 };
	struct ns *ns;
	int rc;

	/* Port 1: a route lookup needs one for UDP, any will do. */
	ip_sockaddr(dst, 1, &ss);
	rc = ns_get(nn, ns_name, &ns);
	if (rc)
		return rc;
	rc = ns_call(nn, ns, ping_socket_open, &s);
	if (rc)
		return err_set(nn, -rc, "%s: enter namespace %s", what, ns_name);
	if (s.route_error)
		return err_set(nn, s.route_error, "%s: connect", what);
	if (s.fd < 0)
		return err_set(nn, s.error, "%s: socket in %s", what, ns_name);
	return s.fd;
}

static void emit(void (*line)(void *, const char *), void *data,
		 const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void emit(void (*line)(void *, const char *), void *data,
		 const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	if (!line)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	line(data, buf);
}

/* iputils' precision: three significant decimals for short times. */
static void fmt_ms(char *buf, size_t len, double ms)
{
	if (ms >= 100.0)
		snprintf(buf, len, "%.0f", ms);
	else if (ms >= 10.0)
		snprintf(buf, len, "%.1f", ms);
	else if (ms >= 1.0)
		snprintf(buf, len, "%.2f", ms);
	else
		snprintf(buf, len, "%.3f", ms);
}

/* ---- ping ------------------------------------------------------------------- */

struct ping_state {
	int fd, family;
	uint16_t id;
	unsigned int count, sent;
	size_t payload;
	double *sent_at;          /* by probe number - 1 */
	unsigned char *seen;      /* by probe number - 1 */
	double sum, sum2;
	bool quiet;
	const volatile int *stop;  /* the caller's: stop sending, say the statistics */
	void (*line)(void *, const char *);
	void *data;
	struct nsnet_ping_result *res;
};

static void ping_receive(struct ping_state *st)
{
	uint8_t buf[PING_MAX_PAYLOAD + 128];
	char cbuf[256], from[INET6_ADDRSTRLEN], t[32];
	struct sockaddr_storage ss;
	struct iovec iov = { buf, sizeof(buf) };
	struct msghdr msg;
	struct ping_reply r;
	struct cmsghdr *c;
	uint32_t k;
	double rtt;
	ssize_t n;

	for (;;) {
		memset(&msg, 0, sizeof(msg));
		msg.msg_name = &ss;
		msg.msg_namelen = sizeof(ss);
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		msg.msg_control = cbuf;
		msg.msg_controllen = sizeof(cbuf);
		n = recvmsg(st->fd, &msg, MSG_DONTWAIT);
		if (n < 0)
			return;
		if (ping_parse(buf, (size_t)n, st->family, st->id, &r) ==
		    PING_IGNORE)
			continue;
		/* Sequence numbers wrap after 65,535 probes: the token in
		 * the payload says which probe this answers. */
		k = ping_match(&r, st->payload, st->sent);
		if (!k || st->sent_at[k - 1] == 0)
			continue;
		if (st->family == AF_INET6)
			for (c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
				if (c->cmsg_level == IPPROTO_IPV6 &&
				    c->cmsg_type == IPV6_HOPLIMIT)
					memcpy(&r.ttl, CMSG_DATA(c), sizeof(int));
		sockaddr_str(&ss, from, sizeof(from));
		if (r.kind == PING_ICMP_ERROR) {
			st->res->errors++;
			if (!st->quiet)
				emit(st->line, st->data, "From %s icmp_seq=%u %s",
				     from, r.seq,
				     ping_error_text(st->family, r.type, r.code));
			continue;
		}
		rtt = mono_ms() - st->sent_at[k - 1];
		if (st->seen[k - 1]) {
			if (!st->quiet)
				emit(st->line, st->data,
				     "%zu bytes from %s: icmp_seq=%u ttl=%d time=%s ms (DUP!)",
				     r.icmp_len, from, r.seq, r.ttl,
				     (fmt_ms(t, sizeof(t), rtt), t));
			continue;
		}
		st->seen[k - 1] = 1;
		st->res->received++;
		st->sum += rtt;
		st->sum2 += rtt * rtt;
		if (st->res->received == 1 || rtt < st->res->rtt_min)
			st->res->rtt_min = rtt;
		if (rtt > st->res->rtt_max)
			st->res->rtt_max = rtt;
		if (!st->quiet)
			emit(st->line, st->data,
			     "%zu bytes from %s: icmp_seq=%u ttl=%d time=%s ms",
			     r.icmp_len, from, r.seq, r.ttl,
			     (fmt_ms(t, sizeof(t), rtt), t));
	}
}

int ping_icmp_filter(int fd, int family)
{
	int on = 1;

	if (family == AF_INET) {
		struct icmp_filter f = {
			.data = ~((1u << ICMP_ECHOREPLY) | (1u << ICMP_DEST_UNREACH) |
				  (1u << ICMP_TIME_EXCEEDED)),
		};

		return setsockopt(fd, SOL_RAW, ICMP_FILTER, &f, sizeof(f));
	} else {
		struct icmp6_filter f;

		ICMP6_FILTER_SETBLOCKALL(&f);
		ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &f);
		ICMP6_FILTER_SETPASS(ICMP6_DST_UNREACH, &f);
		ICMP6_FILTER_SETPASS(ICMP6_TIME_EXCEEDED, &f);
		ICMP6_FILTER_SETPASS(ICMP6_PACKET_TOO_BIG, &f);
		if (setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &f, sizeof(f)))
			return -1;
		return setsockopt(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &on,
				  sizeof(on));
	}
}

static int ping_run(struct nsnet *nn, struct ping_state *st,
		    const struct ipaddr *dst, double interval, double timeout,
		    size_t payload)
{
	uint8_t pkt[PING_MAX_PAYLOAD + PING_ICMP_HDR];
	struct sockaddr_storage ss;
	socklen_t sl = ip_sockaddr(dst, 0, &ss);
	double start = mono_ms(), next = start, last = start, now, until;
	struct pollfd pfd = { .fd = st->fd, .events = POLLIN };
	unsigned int sent = 0;
	double end;
	size_t len;
	int wait;

	/* Milliseconds from here on, as mono_ms(). */
	interval *= 1e3;
	timeout *= 1e3;
	end = start + st->count * interval + timeout;

	for (;;) {
		if (st->stop && *st->stop)
			break;
		now = mono_ms();
		if (sent < st->count && now >= next) {
			len = ping_build_probe(pkt, sizeof(pkt), st->family,
					       st->id, sent + 1, payload);
			st->sent_at[sent] = now;
			if (sendto(st->fd, pkt, len, 0, (struct sockaddr *)&ss,
				   sl) < 0) {
				int e = errno;

				st->sent_at[sent] = 0;
				if (!sent)
					return err_set(nn, e, "ping: sendmsg");
				st->res->errors++;
				emit(st->line, st->data, "ping: sendmsg: %s",
				     strerror(e));
			}
			sent++;
			st->sent = sent;
			st->res->sent = sent;
			last = now;
			next += interval;
		}
		if (sent == st->count &&
		    (st->res->received + st->res->errors >= st->count ||
		     now >= last + timeout))
			break;
		if (now >= end)
			break;
		until = sent < st->count ? next : last + timeout;
		if (until > end)
			until = end;
		wait = wait_ms(until, now);
		if (poll(&pfd, 1, wait) > 0)
			ping_receive(st);
	}
	return 0;
}

int ping_dest(struct nsnet *nn, const char *ns, const char *dest,
			    const struct nsnet_ping_opts *opts,
			    void (*line)(void *data, const char *text),
			    void *data, struct nsnet_ping_result *res)
{
	struct nsnet_ping_result dummy;
	struct ping_state st = { .fd = -1, .line = line, .data = data };
	double interval = opts && opts->interval > 0 ? opts->interval : 1.0;
	double timeout = opts && opts->timeout > 0 ? opts->timeout : 1.0;
	size_t payload = opts && opts->size ? opts->size : 56;
	struct ipaddr dst;
	char addr[INET6_ADDRSTRLEN], t[4][32];
	double start, mean, mdev;
	int rc;

	err_clear(nn);
	if (!res)
		res = &dummy;
	memset(res, 0, sizeof(*res));
	st.res = res;
	st.count = opts && opts->count ? opts->count : 3;
	st.payload = payload;
	/* until stopped: as many as a 16-bit sequence number tells apart */
	if (opts && opts->forever)
		st.count = 65535;
	st.quiet = opts && opts->quiet;
	st.stop = opts ? opts->stop : NULL;
	if ((rc = check_ns_name(nn, ns, true)))
		return rc;
	if (st.count > PING_MAX_COUNT)
		return err_usage(nn, "ping: at most %d packets", PING_MAX_COUNT);
	if (payload > PING_MAX_PAYLOAD)
		return err_usage(nn, "ping: payload of %zu bytes is more than %d",
				 payload, PING_MAX_PAYLOAD);
	if (interval > 60 || timeout > 60)
		return err_usage(nn, "ping: interval and timeout are at most 60 s");
	if ((rc = ping_resolve(nn, ns, dest, &dst, "ping")))
		return rc;
	st.family = dst.family;
	inet_ntop(dst.family, dst.a.b, addr, sizeof(addr));
	/* "ping: connect: Network is unreachable", as iputils words it. */
	rc = open_in_ns(nn, ns, &dst, SOCK_RAW,
			dst.family == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6,
			"ping");
	if (rc < 0)
		return rc;
	st.fd = rc;
	if (ping_icmp_filter(st.fd, dst.family)) {
		rc = err_set(nn, errno, "ping: socket options");
		goto out;
	}
	st.sent_at = calloc(st.count, sizeof(*st.sent_at));
	st.seen = calloc(st.count, 1);
	if (!st.sent_at || !st.seen) {
		rc = err_set(nn, ENOMEM, "ping");
		goto out;
	}
	st.id = (uint16_t)getpid();
	if (dst.family == AF_INET)
		emit(line, data, "PING %s (%s) %zu(%zu) bytes of data.", dest,
		     addr, payload, payload + 28);
	else
		emit(line, data, "PING %s (%s) %zu data bytes", dest, addr,
		     payload);
	start = mono_ms();
	rc = ping_run(nn, &st, &dst, interval, timeout, payload);
	if (rc)
		goto out;
	emit(line, data, "%s", "");
	emit(line, data, "--- %s ping statistics ---", dest);
	if (res->errors)
		snprintf(t[0], sizeof(t[0]), ", +%u errors", res->errors);
	else
		t[0][0] = '\0';
	emit(line, data,
	     "%u packets transmitted, %u received%s, %g%% packet loss, time %.0fms",
	     res->sent, res->received, t[0],
	     res->sent ? 100.0 * (res->sent - res->received) / res->sent : 0.0,
	     mono_ms() - start);
	if (res->received) {
		mean = st.sum / res->received;
		mdev = st.sum2 / res->received - mean * mean;
		mdev = ping_sqrt(mdev);
		res->rtt_avg = mean;
		res->rtt_mdev = mdev;
		snprintf(t[0], sizeof(t[0]), "%.3f", res->rtt_min);
		snprintf(t[1], sizeof(t[1]), "%.3f", mean);
		snprintf(t[2], sizeof(t[2]), "%.3f", res->rtt_max);
		snprintf(t[3], sizeof(t[3]), "%.3f", mdev);
		emit(line, data, "rtt min/avg/max/mdev = %s/%s/%s/%s ms", t[0],
		     t[1], t[2], t[3]);
	}
	rc = (int)res->received;
out:
	free(st.sent_at);
	free(st.seen);
	close(st.fd);
	return rc;
}

NSNET_EXPORT int nsnet_ping(struct nsnet *nn, const char *ns, const char *dest,
			    const struct nsnet_ping_opts *opts,
			    void (*line)(void *data, const char *text),
			    void *data, struct nsnet_ping_result *res)
{
	struct nsnet_ping_opts copy;
	int rc = OPTS_TAKE(nn, &copy, opts, quiet, "ping");

	if (!rc && copy.forever && !copy.stop)
		return err_usage(nn, "ping: forever needs a stop flag");

	return rc ? rc : ping_dest(nn, ns, dest, &copy, line, data, res);
}

/* ---- traceroute --------------------------------------------------------------- */

#define TRACE_PORT_BASE 33434
#define TRACE_PAYLOAD 32

struct trace_answer {
	bool got;
	struct sockaddr_storage from;
	double ms;
	bool final;         /* the destination answered (port unreachable) */
	const char *mark;   /* !H, !N, ... for other unreachables */
};

static void trace_drain(int fd)
{
	char buf[512], cbuf[512];
	struct iovec iov = { buf, sizeof(buf) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	int i, err;
	socklen_t el = sizeof(err);

	for (i = 0; i < 64; i++) {
		msg.msg_control = cbuf;
		msg.msg_controllen = sizeof(cbuf);
		if (recvmsg(fd, &msg, MSG_ERRQUEUE | MSG_DONTWAIT) < 0)
			break;
	}
	getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el);
}

static const char *trace_mark(int family, uint8_t type, uint8_t code)
{
	if (family == AF_INET && type == ICMP_DEST_UNREACH) {
		switch (code) {
		case ICMP_NET_UNREACH: return "!N";
		case ICMP_HOST_UNREACH: return "!H";
		case ICMP_PROT_UNREACH: return "!P";
		case ICMP_PORT_UNREACH: return NULL;
		default: return "!X";
		}
	}
	if (family == AF_INET6 && type == ICMP6_DST_UNREACH) {
		switch (code) {
		case ICMP6_DST_UNREACH_NOROUTE: return "!N";
		case ICMP6_DST_UNREACH_ADDR: return "!H";
		case ICMP6_DST_UNREACH_NOPORT: return NULL;
		default: return "!X";
		}
	}
	return NULL;
}

/* Read the error queue until the answer to the probe sent to port, or the
 * deadline. IP_RECVERR hands over what the ICMP error said (type, code,
 * who sent it) together with the original destination port, which is
 * what ties it to one probe. */
static void trace_wait(int fd, int family, uint16_t port, double sent,
		       double deadline, struct trace_answer *a)
{
	char buf[512], cbuf[512];
	struct sockaddr_storage orig;
	struct pollfd pfd = { .fd = fd, .events = 0 };
	struct iovec iov = { buf, sizeof(buf) };
	struct msghdr msg;
	struct cmsghdr *c;
	double now;
	int wait;

	memset(a, 0, sizeof(*a));
	for (;;) {
		now = mono_ms();
		if (now >= deadline)
			return;
		wait = wait_ms(deadline, now);
		if (poll(&pfd, 1, wait) <= 0)
			continue;
		memset(&msg, 0, sizeof(msg));
		msg.msg_name = &orig;
		msg.msg_namelen = sizeof(orig);
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		msg.msg_control = cbuf;
		msg.msg_controllen = sizeof(cbuf);
		if (recvmsg(fd, &msg, MSG_ERRQUEUE | MSG_DONTWAIT) < 0) {
			/* POLLERR without a queued error: clear it. */
			trace_drain(fd);
			continue;
		}
		now = mono_ms();
		for (c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
			struct sock_extended_err *ee;
			const struct sockaddr *off;

			if (!((c->cmsg_level == IPPROTO_IP &&
			       c->cmsg_type == IP_RECVERR) ||
			      (c->cmsg_level == IPPROTO_IPV6 &&
			       c->cmsg_type == IPV6_RECVERR)))
				continue;
			ee = (struct sock_extended_err *)CMSG_DATA(c);
			if (ee->ee_origin != SO_EE_ORIGIN_ICMP &&
			    ee->ee_origin != SO_EE_ORIGIN_ICMP6)
				continue;
			if ((family == AF_INET ?
			     ntohs(((struct sockaddr_in *)&orig)->sin_port) :
			     ntohs(((struct sockaddr_in6 *)&orig)->sin6_port)) !=
			    port)
				continue;
			off = SO_EE_OFFENDER(ee);
			memset(&a->from, 0, sizeof(a->from));
			memcpy(&a->from, off, family == AF_INET ?
			       sizeof(struct sockaddr_in) :
			       sizeof(struct sockaddr_in6));
			a->from.ss_family = (sa_family_t)family;
			a->got = true;
			a->ms = now - sent;
			if ((family == AF_INET && ee->ee_type == ICMP_DEST_UNREACH) ||
			    (family == AF_INET6 && ee->ee_type == ICMP6_DST_UNREACH)) {
				a->final = true;
				a->mark = trace_mark(family, ee->ee_type,
						     ee->ee_code);
			}
			return;
		}
	}
}

static int trace_set_ttl(int fd, int family, int ttl)
{
	if (family == AF_INET)
		return setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl));
	return setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &ttl,
			  sizeof(ttl));
}

/* hops NULL, or an array that gets {"hop","probes":[{"address","rtt_ms",
 * "mark"} or null]} per hop. */
static int traceroute_run(struct nsnet *nn, const char *ns, const char *dest,
			  const struct nsnet_traceroute_opts *opts,
			  void (*line)(void *data, const char *text),
			  void *data, json_t *hops)
{
	unsigned int max_hops = opts && opts->max_hops ? opts->max_hops : 30;
	unsigned int probes = opts && opts->probes ? opts->probes : 3;
	double timeout = opts && opts->timeout > 0 ? opts->timeout : 1.0;
	struct sockaddr_storage ss;
	char payload[TRACE_PAYLOAD] = { 0 }, text[512], addr[INET6_ADDRSTRLEN],
	     prev[INET6_ADDRSTRLEN], t[32];
	struct trace_answer a;
	struct ipaddr dst;
	unsigned int hop, i;
	bool reached = false, stop = false;
	socklen_t sl;
	size_t n;
	int fd, on = 1, rc = 0;

	err_clear(nn);
	if ((rc = check_ns_name(nn, ns, true)))
		return rc;
	if (max_hops > 255 || probes > 10 || timeout > 60)
		return err_usage(nn,
			"traceroute: at most 255 hops, 10 probes per hop and 60 s per probe");
	if ((rc = ping_resolve(nn, ns, dest, &dst, "traceroute")))
		return rc;
	inet_ntop(dst.family, dst.a.b, addr, sizeof(addr));
	fd = open_in_ns(nn, ns, &dst, SOCK_DGRAM, IPPROTO_UDP, "traceroute");
	if (fd < 0)
		return fd;
	if (dst.family == AF_INET ?
	    setsockopt(fd, IPPROTO_IP, IP_RECVERR, &on, sizeof(on)) :
	    setsockopt(fd, IPPROTO_IPV6, IPV6_RECVERR, &on, sizeof(on))) {
		rc = err_set(nn, errno, "traceroute: socket options");
		goto out;
	}
	emit(line, data, "traceroute to %s, %u hops max", dest, max_hops);
	for (hop = 1; hop <= max_hops && !stop; hop++) {
		json_t *answers = json_array();

		n = (size_t)snprintf(text, sizeof(text), "%2u ", hop);
		prev[0] = '\0';
		if (trace_set_ttl(fd, dst.family, (int)hop)) {
			rc = err_set(nn, errno, "traceroute: set TTL %u", hop);
			goto out;
		}
		for (i = 0; i < probes; i++) {
			uint16_t port = (uint16_t)(TRACE_PORT_BASE +
						   (hop - 1) * probes + i);
			double sent;

			trace_drain(fd);
			sl = ip_sockaddr(&dst, port, &ss);
			sent = mono_ms();
			if (sendto(fd, payload, sizeof(payload), 0,
				   (struct sockaddr *)&ss, sl) < 0) {
				n += (size_t)snprintf(text + n, sizeof(text) - n,
						      " send failed: %s",
						      strerror(errno));
				stop = true;
				break;
			}
			trace_wait(fd, dst.family, port, sent, sent + timeout * 1e3,
				   &a);
			if (!a.got) {
				json_array_append_new(answers, json_null());
				n += (size_t)snprintf(text + n, sizeof(text) - n,
						      " *");
				/* A full line: sizeof(text) - n must not wrap. */
				if (n >= sizeof(text))
					n = sizeof(text) - 1;
				continue;
			}
			sockaddr_str(&a.from, addr, sizeof(addr));
			json_array_append_new(answers, json_pack("{s:s,s:f,s:s?}", "address",
				addr, "rtt_ms", (double)(long long)(a.ms * 1000 + 0.5) / 1000,
				"mark", a.mark));
			if (strcmp(addr, prev)) {
				n += (size_t)snprintf(text + n, sizeof(text) - n,
						      " %s", addr);
				snprintf(prev, sizeof(prev), "%s", addr);
				if (n >= sizeof(text))
					n = sizeof(text) - 1;
			}
			fmt_ms(t, sizeof(t), a.ms);
			n += (size_t)snprintf(text + n, sizeof(text) - n,
					      "  %s ms%s%s", t, a.mark ? " " : "",
					      a.mark ? a.mark : "");
			if (a.final) {
				stop = true;
				if (!a.mark)
					reached = true;
			}
			if (n >= sizeof(text))
				n = sizeof(text) - 1;
		}
		emit(line, data, "%s", text);
		if (hops)
			json_array_append_new(hops, json_pack("{s:i,s:o}", "hop", (int)hop,
							      "probes", answers));
		else
			json_decref(answers);
	}
	rc = reached ? (int)hop - 1 : 0;
out:
	close(fd);
	return rc;
}

NSNET_EXPORT int nsnet_traceroute(struct nsnet *nn, const char *ns,
				  const char *dest,
				  const struct nsnet_traceroute_opts *opts,
				  void (*line)(void *data, const char *text),
				  void *data)
{
	struct nsnet_traceroute_opts copy;
	int rc = OPTS_TAKE(nn, &copy, opts, probes, "traceroute");

	return rc ? rc : traceroute_run(nn, ns, dest, &copy, line, data, NULL);
}

NSNET_EXPORT int nsnet_traceroute_json(struct nsnet *nn, const char *ns,
				       const char *dest,
				       const struct nsnet_traceroute_opts *opts,
				       struct json_t **out)
{
	struct nsnet_traceroute_opts copy;
	json_t *hops;
	int rc = OPTS_TAKE(nn, &copy, opts, probes, "traceroute");

	*out = NULL;
	if (rc)
		return rc;
	hops = json_array();
	rc = traceroute_run(nn, ns, dest, &copy, NULL, NULL, hops);
	if (rc < 0) {
		json_decref(hops);
		return rc;
	}
	*out = json_pack("{s:s,s:s,s:b,s:i,s:o}", "ns", ns, "dest", dest,
			 "reached", rc > 0, "max_hops",
			 (int)(copy.max_hops ? copy.max_hops : 30), "hops", hops);
	return rc;
}
