// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * trace.c - nsnet trace: one probe sent from a namespace and watched at
 * every hop at once, the tcpdump-in-every-namespace session automated.
 *
 * Before the probe leaves, a packet socket opens in every namespace that
 * could be on the path (the host and each one under /run/netns) on all of
 * its interfaces, with a kernel filter for the probe's protocol, ICMP
 * (errors about it) and ARP. Then the probe goes out: an ICMP echo with a
 * marker in its payload, a TCP SYN, or a UDP datagram with the marker.
 * Collection ends when the probe's own socket hears back or at the
 * deadline; only then are the frames sorted by their kernel timestamps
 * (one clock for all namespaces) and matched:
 *
 *  - ICMP and UDP copies carry the marker, which NAT leaves alone.
 *  - A SYN keeps its initial sequence number through NAT: the copy seen
 *    leaving the probe's namespace gives it, the others match on it, and
 *    the answer (SYN-ACK or RST) acknowledges ISN + 1.
 *  - An ICMP error matches when the packet it quotes does.
 */
#include <net/if.h> /* before any linux/ header: see topology.h */
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <netinet/icmp6.h>
#include <linux/errqueue.h>
#include <linux/icmp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <jansson.h>
#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/rtnetlink.h>

#include "diagnosis/diagnosis.h"

/* Bounds: a few hundred namespaces, a busy second of frames each. */
#define TRACE_MAX_NS 512
#define TRACE_MAX_FRAMES 20000
/* Enough of each frame for two IPv6 headers, ICMP and the marker. */
#define TRACE_FRAME_KEEP 256
#define TRACE_MARKER "nsnet-trace:"
#define TRACE_MARKER_LEN 24      /* "nsnet-trace:" + 8 hex + padding */

struct trace_sniffer {
	char ns[256];
	int fd;
};

struct trace_frame {
	size_t sniffer;
	int ifindex;
	bool out, eth;
	uint16_t protocol;
	struct timespec ts;
	size_t order;               /* arrival order: ties of ts keep it */
	size_t caplen;
	uint8_t data[TRACE_FRAME_KEEP];
	struct pkt p;               /* decoded from data, after collection */
	int role;                   /* TRACE_REQUEST, TRACE_REPLY, 0 */
	int place;                  /* 0: the probe leaving ns, 2: the reply
				     * arriving in ns, 1: everything else */
};

enum { TRACE_NONE = 0, TRACE_REQUEST, TRACE_REPLY };

struct trace {
	struct nsnet *nn;
	const char *ns, *dest_text;
	struct ipaddr dest;
	int proto;                  /* NSNET_TRACE_* */
	uint16_t port;
	double timeout;
	char marker[TRACE_MARKER_LEN + 1];
	uint16_t icmp_id;
	uint16_t local_port;        /* TCP/UDP source port in ns */
	uint32_t isn;
	bool isn_known;

	struct trace_sniffer *sniffers;
	size_t n_sniffers;
	size_t origin;              /* sniffer index of ns */
	struct trace_frame *frames;
	size_t n_frames, cap_frames;
	bool frames_dropped;

	int probe_fd;
	bool reply_received;        /* the destination's own answer came */
	char reply_note[160];       /* what the probe's socket heard */
	bool icmp_error;            /* a router's ICMP error came instead */
	struct timespec t0;
};

/* ---- sniffers ---------------------------------------------------------------- */

static const char *trace_filter(int proto)
{
	switch (proto) {
	case NSNET_TRACE_TCP:
		return "arp or tcp or icmp or icmp6";
	case NSNET_TRACE_UDP:
		return "arp or udp or icmp or icmp6";
	default:
		return "arp or icmp or icmp6";
	}
}

static int trace_add_sniffer(struct trace *t, const char *name,
			     const struct sock_fprog *prog, dev_t *devs,
			     ino_t *inos)
{
	struct stat st;
	struct ns *ns;
	size_t i;
	int fd, rc;

	rc = ns_get(t->nn, name, &ns);
	if (rc)
		return rc;
	/* The same namespace under two names is watched once. */
	if (fstat(ns->fd, &st))
		return err_set(t->nn, errno, "trace: namespace %s", name);
	for (i = 0; i < t->n_sniffers; i++)
		if (devs[i] == st.st_dev && inos[i] == st.st_ino) {
			if (!strcmp(name, t->ns))
				t->origin = i;
			return 0;
		}
	fd = capture_socket_open(t->nn, ns, 0, prog);
	if (fd < 0)
		return fd;
	devs[t->n_sniffers] = st.st_dev;
	inos[t->n_sniffers] = st.st_ino;
	snprintf(t->sniffers[t->n_sniffers].ns, sizeof(t->sniffers[0].ns), "%s",
		 name);
	t->sniffers[t->n_sniffers].fd = fd;
	if (!strcmp(name, t->ns))
		t->origin = t->n_sniffers;
	t->n_sniffers++;
	/* The socket keeps its namespace alive; the descriptor is not needed
	 * (hundreds of namespaces would need twice as many descriptors). */
	if (!ns_is_host(name) && strcmp(name, t->ns))
		ns_release(t->nn, name);
	return 0;
}

static int trace_names_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int trace_open_sniffers(struct trace *t)
{
	struct sock_fprog prog = { 0 };
	char *names[TRACE_MAX_NS];
	dev_t devs[TRACE_MAX_NS + 1];
	ino_t inos[TRACE_MAX_NS + 1];
	struct dirent *de;
	size_t n = 0, i;
	DIR *d;
	int rc;

	rc = capture_filter_compile(t->nn, trace_filter(t->proto), &prog);
	if (rc)
		return rc;
	t->sniffers = calloc(TRACE_MAX_NS + 1, sizeof(*t->sniffers));
	if (!t->sniffers)
		abort();
	rc = trace_add_sniffer(t, NSNET_HOST, &prog, devs, inos);
	d = opendir(NETNS_RUN_DIR);
	while (!rc && d && (de = readdir(d))) {
		if (de->d_name[0] == '.' || check_ns_name(t->nn, de->d_name, false)) {
			err_clear(t->nn);
			continue;
		}
		if (n == TRACE_MAX_NS) {
			warn_emit(t->nn, "trace: more than %d namespaces; only the first are watched",
				  TRACE_MAX_NS);
			break;
		}
		names[n] = strdup(de->d_name);
		if (!names[n])
			abort();
		n++;
	}
	if (d)
		closedir(d);
	qsort(names, n, sizeof(names[0]), trace_names_cmp);
	for (i = 0; i < n; i++) {
		/* A namespace that went away meanwhile is not on the path. */
		if (!rc && trace_add_sniffer(t, names[i], &prog, devs, inos)) {
			if (!strcmp(names[i], t->ns))
				rc = -EIO;
			else
				err_clear(t->nn);
		}
		free(names[i]);
	}
	free(prog.filter);
	return rc;
}

static void trace_keep(struct trace *t, size_t s, const uint8_t *buf,
		       const struct capture_frame *f)
{
	struct trace_frame *fr;

	if (t->n_frames == TRACE_MAX_FRAMES) {
		t->frames_dropped = true;
		return;
	}
	if (t->n_frames == t->cap_frames) {
		t->cap_frames = t->cap_frames ? t->cap_frames * 2 : 64;
		t->frames = realloc(t->frames, t->cap_frames * sizeof(*t->frames));
		if (!t->frames)
			abort();
	}
	fr = &t->frames[t->n_frames];
	memset(fr, 0, offsetof(struct trace_frame, data));
	fr->sniffer = s;
	fr->role = TRACE_NONE;
	fr->place = 1;
	fr->ifindex = f->ifindex;
	fr->out = f->outgoing;
	fr->eth = f->eth;
	fr->protocol = f->protocol;
	fr->ts = f->ts;
	fr->order = t->n_frames;
	fr->caplen = f->caplen < TRACE_FRAME_KEEP ? f->caplen : TRACE_FRAME_KEEP;
	memcpy(fr->data, buf, fr->caplen);
	t->n_frames++;
}

static void trace_drain(struct trace *t, size_t s)
{
	static uint8_t buf[CAPTURE_SNAPLEN];
	struct capture_frame f;

	while (capture_recv(t->sniffers[s].fd, buf, sizeof(buf), &f) >= 0)
		trace_keep(t, s, buf, &f);
}

/* ---- links that are still coming up ------------------------------------------ */

static int trace_settling_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nl_link l;

	if (nl_link_parse(nlh, &l))
		return MNL_CB_OK;
	/* Up with carrier, but its queue still the "noop" placeholder: the
	 * kernel's linkwatch has not activated the device yet, and until it
	 * does (up to a second after a link comes up) every frame sent
	 * there is dropped without a trace (ping says ENOBUFS). */
	if ((l.flags & IFF_UP) && (l.flags & IFF_LOWER_UP) &&
	    !strcmp(l.qdisc, "noop"))
		(*(int *)data)++;
	return MNL_CB_OK;
}

static int trace_count_settling(struct trace *t, const char *name)
{
	char buf[256] __attribute__((aligned(4)));
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifm;
	struct ns *ns;
	int n = 0;

	if (ns_get(t->nn, name, &ns)) {
		err_clear(t->nn);
		return 0;
	}
	nlh->nlmsg_type = RTM_GETLINK;
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	if (nl_dump(t->nn, ns, nlh, trace_settling_cb, &n))
		err_clear(t->nn);
	return n;
}

/* A trace right after a network was built must not lose its one probe
 * to a queue not yet activated: wait (2 s at most) until the links of
 * the watched namespaces are up for good. */
static void trace_wait_settled(struct trace *t)
{
	double end = (mono_ms() / 1e3) + 2.0;
	size_t i, n;
	int pending;

	n = t->n_sniffers <= 64 ? t->n_sniffers : 0;
	do {
		pending = trace_count_settling(t, t->ns) +
			  trace_count_settling(t, NSNET_HOST);
		for (i = 0; i < n && !pending; i++)
			pending += trace_count_settling(t, t->sniffers[i].ns);
		if (!pending)
			break;
		poll(NULL, 0, 20);
	} while ((mono_ms() / 1e3) < end);
	for (i = 0; i < n; i++)
		if (!ns_is_host(t->sniffers[i].ns) && strcmp(t->sniffers[i].ns, t->ns))
			ns_release(t->nn, t->sniffers[i].ns);
}

/* ---- the probe ----------------------------------------------------------------- */

struct trace_probe_open {
	struct trace *t;
	struct sockaddr_storage ss;
	socklen_t sl;
	int fd, error;
	const char *step;
};

static int trace_probe_open_here(void *arg)
{
	struct trace_probe_open *o = arg;
	struct trace *t = o->t;
	int family = t->dest.family, u, on = 1;
	struct sockaddr_storage local;
	socklen_t ll = sizeof(local);

	/* The kernel's route lookup, at once and with its own reason
	 * ("Network is unreachable"), before any sniffer is opened. */
	o->step = "route";
	u = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (u < 0 || connect(u, (struct sockaddr *)&o->ss, o->sl)) {
		o->error = errno;
		if (u >= 0)
			close(u);
		return 0;
	}
	close(u);
	o->step = "socket";
	switch (t->proto) {
	case NSNET_TRACE_TCP:
		o->fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		break;
	case NSNET_TRACE_UDP:
		o->fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		break;
	default:
		o->fd = socket(family, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK,
			       family == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6);
		return o->fd < 0 ? (o->error = errno, 0) : 0;
	}
	if (o->fd < 0) {
		o->error = errno;
		return 0;
	}
	memset(&local, 0, sizeof(local));
	local.ss_family = (sa_family_t)family;
	/* Bound first: the source port is known before the SYN leaves. */
	o->step = "bind";
	if (bind(o->fd, (struct sockaddr *)&local,
		 family == AF_INET ? sizeof(struct sockaddr_in) :
				     sizeof(struct sockaddr_in6)) ||
	    getsockname(o->fd, (struct sockaddr *)&local, &ll)) {
		o->error = errno;
		close(o->fd);
		o->fd = -1;
		return 0;
	}
	t->local_port = ntohs(family == AF_INET ?
			      ((struct sockaddr_in *)&local)->sin_port :
			      ((struct sockaddr_in6 *)&local)->sin6_port);
	if (t->proto == NSNET_TRACE_UDP)
		setsockopt(o->fd, family == AF_INET ? IPPROTO_IP : IPPROTO_IPV6,
			   family == AF_INET ? IP_RECVERR : IPV6_RECVERR, &on,
			   sizeof(on));
	return 0;
}

static int trace_probe_open(struct trace *t)
{
	struct trace_probe_open o = { .t = t, .fd = -1 };
	struct ns *ns;
	int rc;

	o.sl = ip_sockaddr(&t->dest, t->port ? t->port : 1, &o.ss);
	rc = ns_get(t->nn, t->ns, &ns);
	if (rc)
		return rc;
	rc = ns_call(t->nn, ns, trace_probe_open_here, &o);
	if (rc)
		return err_set(t->nn, -rc, "trace: enter namespace %s", t->ns);
	if (o.error && !strcmp(o.step, "route"))
		return err_set(t->nn, o.error,
			       "trace %s -> %s: the probe could not be sent",
			       t->ns, t->dest_text);
	if (o.fd < 0)
		return err_set(t->nn, o.error, "trace in %s: probe socket: %s",
			       t->ns, o.step);
	t->probe_fd = o.fd;
	return 0;
}

static int trace_probe_send(struct trace *t)
{
	uint8_t pkt[PING_ICMP_HDR + TRACE_MARKER_LEN];
	struct sockaddr_storage ss;
	socklen_t sl = ip_sockaddr(&t->dest, t->port, &ss);
	ssize_t n;

	clock_gettime(CLOCK_REALTIME, &t->t0);
	switch (t->proto) {
	case NSNET_TRACE_TCP:
		if (!connect(t->probe_fd, (struct sockaddr *)&ss, sl) ||
		    errno == EINPROGRESS)
			return 0;
		break;
	case NSNET_TRACE_UDP:
		if (!connect(t->probe_fd, (struct sockaddr *)&ss, sl) &&
		    send(t->probe_fd, t->marker, TRACE_MARKER_LEN, 0) >= 0)
			return 0;
		break;
	default:
		memset(pkt, 0, PING_ICMP_HDR);
		pkt[0] = t->dest.family == AF_INET ? ICMP_ECHO : ICMP6_ECHO_REQUEST;
		pkt[4] = (uint8_t)(t->icmp_id >> 8);
		pkt[5] = (uint8_t)t->icmp_id;
		pkt[7] = 1;
		memcpy(pkt + PING_ICMP_HDR, t->marker, TRACE_MARKER_LEN);
		/* ICMPv6's checksum covers a pseudo-header: the kernel's. */
		if (t->dest.family == AF_INET) {
			uint16_t c = ping_checksum(pkt, sizeof(pkt));

			pkt[2] = (uint8_t)(c >> 8);
			pkt[3] = (uint8_t)c;
		}
		n = sendto(t->probe_fd, pkt, sizeof(pkt), 0,
			   (struct sockaddr *)&ss, sl);
		if (n >= 0)
			return 0;
		break;
	}
	/* ENOBUFS here is the kernel's neighbour table being full (it is
	 * shared by all namespaces; dmesg says "neighbor table overflow"). */
	if (errno == ENOBUFS)
		return err_set(t->nn, errno,
			       "trace %s -> %s: the probe could not be sent (neighbour table full? see dmesg)",
			       t->ns, t->dest_text);
	return err_set(t->nn, errno, "trace %s -> %s: the probe could not be sent",
		       t->ns, t->dest_text);
}

/* Whether the probe's own socket heard back (the destination's answer or
 * a router's error: either ends the wait); fills reply_note. */
static bool trace_probe_heard(struct trace *t, short revents)
{
	uint8_t buf[2048];
	struct ping_reply r;
	socklen_t el = sizeof(int);
	int e = 0;
	ssize_t n;

	switch (t->proto) {
	case NSNET_TRACE_TCP:
		if (!(revents & (POLLOUT | POLLERR | POLLHUP)))
			return false;
		getsockopt(t->probe_fd, SOL_SOCKET, SO_ERROR, &e, &el);
		if (!e)
			snprintf(t->reply_note, sizeof(t->reply_note),
				 "SYN-ACK: port %u accepts connections", t->port);
		else if (e == ECONNREFUSED)
			snprintf(t->reply_note, sizeof(t->reply_note),
				 "RST: connection refused on port %u", t->port);
		else
			snprintf(t->reply_note, sizeof(t->reply_note), "%s",
				 strerror(e));
		t->reply_received = !e || e == ECONNREFUSED;
		t->icmp_error = !t->reply_received;
		return true;
	case NSNET_TRACE_UDP:
		n = recv(t->probe_fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n >= 0) {
			snprintf(t->reply_note, sizeof(t->reply_note),
				 "UDP answer of %zd bytes", n);
			t->reply_received = true;
			return true;
		}
		if (errno == EAGAIN || errno == EINTR)
			return false;
		/* Port unreachable is the destination's own "closed"; any
		 * other error is a router's. */
		if (errno == ECONNREFUSED) {
			snprintf(t->reply_note, sizeof(t->reply_note),
				 "ICMP port unreachable: nothing listens on UDP port %u",
				 t->port);
			t->reply_received = true;
		} else {
			snprintf(t->reply_note, sizeof(t->reply_note), "%s",
				 strerror(errno));
			t->icmp_error = true;
		}
		return true;
	default:
		for (;;) {
			n = recv(t->probe_fd, buf, sizeof(buf), MSG_DONTWAIT);
			if (n < 0)
				return false;
			switch (ping_parse(buf, (size_t)n, t->dest.family,
					   t->icmp_id, &r)) {
			case PING_ECHO_REPLY:
				snprintf(t->reply_note, sizeof(t->reply_note),
					 "echo reply");
				t->reply_received = true;
				return true;
			case PING_ICMP_ERROR:
				snprintf(t->reply_note, sizeof(t->reply_note), "%s",
					 ping_error_text(t->dest.family, r.type,
							 r.code));
				t->icmp_error = true;
				return true;
			default:
				break;
			}
		}
	}
}

static int trace_collect(struct trace *t)
{
	struct pollfd *pfd = calloc(t->n_sniffers + 1, sizeof(*pfd));
	double end = (mono_ms() / 1e3) + t->timeout, now;
	size_t i;
	int wait;

	if (!pfd)
		abort();
	for (i = 0; i < t->n_sniffers; i++) {
		pfd[i].fd = t->sniffers[i].fd;
		pfd[i].events = POLLIN;
	}
	pfd[i].fd = t->probe_fd;
	pfd[i].events = t->proto == NSNET_TRACE_TCP ? POLLOUT : POLLIN;
	while ((now = (mono_ms() / 1e3)) < end) {
		wait = (int)((end - now) * 1e3) + 1;
		if (poll(pfd, t->n_sniffers + 1, wait) < 0) {
			if (errno == EINTR)
				continue;
			free(pfd);
			return err_set(t->nn, errno, "trace: poll");
		}
		for (i = 0; i < t->n_sniffers; i++)
			if (pfd[i].revents)
				trace_drain(t, i);
		if (pfd[t->n_sniffers].revents &&
		    trace_probe_heard(t, pfd[t->n_sniffers].revents))
			break;
	}
	/* Every copy of the reply was queued on its way in, before the
	 * probe's socket had it: one last read finds them all. */
	for (i = 0; i < t->n_sniffers; i++)
		trace_drain(t, i);
	free(pfd);
	return 0;
}

/* ---- matching ------------------------------------------------------------------- */

static bool trace_is_icmp(const struct pkt_l4 *l)
{
	return l->l4_ok && ((l->family == AF_INET && l->proto == IPPROTO_ICMP) ||
			    (l->family == AF_INET6 && l->proto == IPPROTO_ICMPV6));
}

static bool trace_is_echo(const struct pkt_l4 *l, bool request)
{
	if (!trace_is_icmp(l))
		return false;
	if (l->family == AF_INET)
		return l->icmp_type == (request ? ICMP_ECHO : ICMP_ECHOREPLY);
	return l->icmp_type == (request ? ICMP6_ECHO_REQUEST : ICMP6_ECHO_REPLY);
}

static bool trace_same_addr(const uint8_t *a, const uint8_t *b, int family)
{
	return !memcmp(a, b, family == AF_INET ? 4 : 16);
}

/* l is the TCP SYN or UDP datagram of the probe (or a packet quoting it
 * inside an ICMP error, possibly cut short). */
static bool trace_is_request(const struct trace *t, const struct pkt_l4 *l)
{
	if (!l->l4_ok || l->family != t->dest.family)
		return false;
	switch (t->proto) {
	case NSNET_TRACE_TCP:
		return l->proto == IPPROTO_TCP && t->isn_known &&
		       l->seq == t->isn && (l->tcp_flags & PKT_TCP_SYN ||
					    !l->tcp_flags);
	case NSNET_TRACE_UDP:
		return l->proto == IPPROTO_UDP &&
		       pkt_payload_has(l, t->marker, TRACE_MARKER_LEN);
	default:
		return trace_is_echo(l, true) &&
		       (pkt_payload_has(l, t->marker, TRACE_MARKER_LEN) ||
			(!l->payload_len && l->icmp_id == t->icmp_id));
	}
}

/* A UDP answer is the reverse of one of the request's copies. */
static bool trace_reverses_request(const struct trace *t,
				   const struct trace_frame *fr)
{
	const struct pkt_l4 *l = &fr->p.ip, *q;
	size_t i;

	for (i = 0; i < t->n_frames; i++) {
		if (t->frames[i].role != TRACE_REQUEST ||
		    t->frames[i].sniffer != fr->sniffer)
			continue;
		q = &t->frames[i].p.ip;
		if (q->sport == l->dport && q->dport == l->sport &&
		    trace_same_addr(q->src, l->dst, l->family) &&
		    trace_same_addr(q->dst, l->src, l->family))
			return true;
	}
	return false;
}

static bool trace_is_reply(const struct trace *t, const struct trace_frame *fr)
{
	const struct pkt *p = &fr->p;
	const struct pkt_l4 *l = &p->ip;

	if (p->kind != PKT_IP || !l->l4_ok || l->family != t->dest.family)
		return false;
	if (p->has_inner && trace_is_request(t, &p->inner))
		return true;
	switch (t->proto) {
	case NSNET_TRACE_TCP:
		return l->proto == IPPROTO_TCP && t->isn_known &&
		       l->tcp_flags & PKT_TCP_ACK &&
		       l->tcp_flags & (PKT_TCP_SYN | PKT_TCP_RST) &&
		       l->ack == t->isn + 1;
	case NSNET_TRACE_UDP:
		return l->proto == IPPROTO_UDP && trace_reverses_request(t, fr);
	default:
		return trace_is_echo(l, false) &&
		       pkt_payload_has(l, t->marker, TRACE_MARKER_LEN);
	}
}

static int trace_frame_cmp(const void *a, const void *b)
{
	const struct trace_frame *x = a, *y = b;

	if (x->place != y->place)
		return x->place < y->place ? -1 : 1;
	if (x->ts.tv_sec != y->ts.tv_sec)
		return x->ts.tv_sec < y->ts.tv_sec ? -1 : 1;
	if (x->ts.tv_nsec != y->ts.tv_nsec)
		return x->ts.tv_nsec < y->ts.tv_nsec ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

static void trace_classify(struct trace *t)
{
	size_t i;

	for (i = 0; i < t->n_frames; i++)
		pkt_decode(t->frames[i].data, t->frames[i].caplen,
			   t->frames[i].eth, t->frames[i].protocol,
			   &t->frames[i].p);
	/* Decoded pointers point into each frame's own data: sorting moves
	 * the frames, so decode again after. */
	if (t->n_frames)
		qsort(t->frames, t->n_frames, sizeof(*t->frames), trace_frame_cmp);
	for (i = 0; i < t->n_frames; i++)
		pkt_decode(t->frames[i].data, t->frames[i].caplen,
			   t->frames[i].eth, t->frames[i].protocol,
			   &t->frames[i].p);
	if (t->proto == NSNET_TRACE_TCP)
		for (i = 0; i < t->n_frames && !t->isn_known; i++) {
			const struct pkt_l4 *l = &t->frames[i].p.ip;

			if (t->frames[i].sniffer == t->origin && t->frames[i].out &&
			    l->l4_ok && l->proto == IPPROTO_TCP &&
			    l->family == t->dest.family &&
			    l->tcp_flags == PKT_TCP_SYN &&
			    l->sport == t->local_port && l->dport == t->port &&
			    trace_same_addr(l->dst, t->dest.a.b, l->family)) {
				t->isn = l->seq;
				t->isn_known = true;
			}
		}
	for (i = 0; i < t->n_frames; i++)
		if (t->frames[i].p.kind == PKT_IP &&
		    !t->frames[i].p.has_inner &&
		    trace_is_request(t, &t->frames[i].p.ip))
			t->frames[i].role = TRACE_REQUEST;
	for (i = 0; i < t->n_frames; i++)
		if (!t->frames[i].role && trace_is_reply(t, &t->frames[i]))
			t->frames[i].role = TRACE_REPLY;
	/* A copy leaving a namespace often carries no kernel timestamp (it
	 * gets the time it was read, later than the next hop's), so order by
	 * what is certain: the probe starts in ns and its reply ends there. */
	for (i = 0; i < t->n_frames; i++) {
		struct trace_frame *fr = &t->frames[i];
		bool origin = fr->sniffer == t->origin;

		fr->place = origin && fr->out && fr->role == TRACE_REQUEST ? 0 :
			    origin && !fr->out && fr->role == TRACE_REPLY ? 2 : 1;
	}
	qsort(t->frames, t->n_frames, sizeof(*t->frames), trace_frame_cmp);
	for (i = 0; i < t->n_frames; i++)
		pkt_decode(t->frames[i].data, t->frames[i].caplen,
			   t->frames[i].eth, t->frames[i].protocol,
			   &t->frames[i].p);
}

/* ---- the report ----------------------------------------------------------------- */

struct trace_names {
	size_t sniffer[128];
	int index[128];
	char name[128][16];
	size_t n;
};

static const char *trace_ifname(struct trace *t, struct trace_names *c,
				const struct trace_frame *fr)
{
	struct ns *ns = NULL;
	size_t i;

	for (i = 0; i < c->n; i++)
		if (c->sniffer[i] == fr->sniffer && c->index[i] == fr->ifindex)
			return c->name[i];
	i = c->n < ARRAY_SIZE(c->index) ? c->n++ : ARRAY_SIZE(c->index) - 1;
	c->sniffer[i] = fr->sniffer;
	c->index[i] = fr->ifindex;
	if (ns_get(t->nn, t->sniffers[fr->sniffer].ns, &ns))
		ns = NULL;
	capture_ifname(t->nn, ns, fr->ifindex, c->name[i], sizeof(c->name[i]));
	return c->name[i];
}

static json_t *trace_sighting(struct trace *t, struct trace_names *names,
			      const struct trace_frame *fr)
{
	char src[PKT_ADDR_MAX], dst[PKT_ADDR_MAX], what[256];
	long long us = (long long)(fr->ts.tv_sec - t->t0.tv_sec) * 1000000 +
		       (fr->ts.tv_nsec - t->t0.tv_nsec) / 1000;

	pkt_addr_str(&fr->p.ip, false, src, sizeof(src));
	pkt_addr_str(&fr->p.ip, true, dst, sizeof(dst));
	pkt_what(&fr->p, what, sizeof(what));
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:s}",
			 "ns", t->sniffers[fr->sniffer].ns,
			 "if", trace_ifname(t, names, fr),
			 "dir", fr->out ? "out" : "in", "src", src, "dst", dst,
			 "time_us", (json_int_t)us, "what", what);
}

static void trace_nat_add(json_t *nat, const char *path, const char *ns,
			  const char *field, const char *from, const char *to)
{
	size_t i;
	json_t *e;

	json_array_foreach(nat, i, e)
		if (!strcmp(json_string_value(json_object_get(e, "path")), path) &&
		    !strcmp(json_string_value(json_object_get(e, "field")), field) &&
		    !strcmp(json_string_value(json_object_get(e, "from")), from) &&
		    !strcmp(json_string_value(json_object_get(e, "to")), to))
			return;
	json_array_append_new(nat, json_pack("{s:s, s:s, s:s, s:s, s:s}",
					     "path", path, "ns", ns, "field", field,
					     "from", from, "to", to));
}

/* Address and port rewrites between consecutive copies. */
static void trace_nat(struct trace *t, const struct trace_frame *a,
		      const struct trace_frame *b, const char *path, json_t *nat)
{
	const struct pkt_l4 *x = &a->p.ip, *y = &b->p.ip;
	const char *ns = t->sniffers[b->sniffer].ns;
	char f[PKT_ADDR_MAX], g[PKT_ADDR_MAX];

	if (x->family != y->family)
		return;
	if (!trace_same_addr(x->src, y->src, x->family))
		trace_nat_add(nat, path, ns, "source",
			      pkt_addr_str(x, false, f, sizeof(f)),
			      pkt_addr_str(y, false, g, sizeof(g)));
	if (!trace_same_addr(x->dst, y->dst, x->family))
		trace_nat_add(nat, path, ns, "destination",
			      pkt_addr_str(x, true, f, sizeof(f)),
			      pkt_addr_str(y, true, g, sizeof(g)));
	if (x->proto != y->proto ||
	    (x->proto != IPPROTO_TCP && x->proto != IPPROTO_UDP))
		return;
	if (x->sport != y->sport) {
		snprintf(f, sizeof(f), "%u", x->sport);
		snprintf(g, sizeof(g), "%u", y->sport);
		trace_nat_add(nat, path, ns, "source port", f, g);
	}
	if (x->dport != y->dport) {
		snprintf(f, sizeof(f), "%u", x->dport);
		snprintf(g, sizeof(g), "%u", y->dport);
		trace_nat_add(nat, path, ns, "destination port", f, g);
	}
}

/* ARP requests nobody answered while the probe was out: a next hop that
 * is missing (or has lost its address). */
static json_t *trace_arp_unanswered(struct trace *t, struct trace_names *names)
{
	json_t *arr = json_array();
	char who[16], tell[16];
	size_t i, j;

	for (i = 0; i < t->n_frames; i++) {
		const struct pkt *p = &t->frames[i].p;
		bool answered = false, dup = false;

		if (p->kind != PKT_ARP || p->arp_op != 1)
			continue;
		for (j = 0; j < t->n_frames && !answered; j++) {
			const struct pkt *r = &t->frames[j].p;

			answered = r->kind == PKT_ARP && r->arp_op == 2 &&
				   !memcmp(r->arp_spa, p->arp_tpa, 4);
		}
		for (j = 0; j < i && !dup; j++) {
			const struct pkt *r = &t->frames[j].p;

			dup = r->kind == PKT_ARP && r->arp_op == 1 &&
			      !memcmp(r->arp_spa, p->arp_spa, 4) &&
			      !memcmp(r->arp_tpa, p->arp_tpa, 4);
		}
		if (answered || dup)
			continue;
		inet_ntop(AF_INET, p->arp_tpa, who, sizeof(who));
		inet_ntop(AF_INET, p->arp_spa, tell, sizeof(tell));
		json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s}",
			"ns", t->sniffers[t->frames[i].sniffer].ns,
			"if", trace_ifname(t, names, &t->frames[i]),
			"who_has", who, "tell", tell));
	}
	return arr;
}

static int trace_report(struct trace *t, json_t **out)
{
	static const char *const protos[] = { "icmp", "tcp", "udp" };
	struct trace_names *names = calloc(1, sizeof(*names));
	json_t *doc, *req = json_array(), *rep = json_array(), *nat = json_array();
	json_t *arp, *last = NULL, *j;
	const struct trace_frame *prev_req = NULL, *prev_rep = NULL;
	const struct trace_frame *last_req = NULL, *last_rep = NULL;
	char verdict[512];
	size_t i;

	if (!names)
		abort();
	for (i = 0; i < t->n_frames; i++) {
		const struct trace_frame *fr = &t->frames[i];

		if (fr->role == TRACE_REQUEST) {
			json_array_append_new(req, trace_sighting(t, names, fr));
			if (prev_req)
				trace_nat(t, prev_req, fr, "request", nat);
			prev_req = last_req = fr;
		} else if (fr->role == TRACE_REPLY) {
			json_array_append_new(rep, trace_sighting(t, names, fr));
			/* An ICMP error's addresses are a router's, not a
			 * rewrite of the probe's. */
			if (prev_rep && prev_rep->p.has_inner == fr->p.has_inner)
				trace_nat(t, prev_rep, fr, "reply", nat);
			prev_rep = fr;
			if (!fr->p.has_inner || t->reply_received)
				last_rep = fr;
		}
	}
	arp = trace_arp_unanswered(t, names);
	if (last_rep || last_req) {
		const struct trace_frame *fr = last_rep ? last_rep : last_req;

		last = json_pack("{s:s, s:s, s:s}", "ns", t->sniffers[fr->sniffer].ns,
				 "if", trace_ifname(t, names, fr),
				 "dir", fr->out ? "out" : "in");
	}

	if (t->reply_received) {
		snprintf(verdict, sizeof(verdict), "reply back at %s%s%s: %s",
			 t->ns, last_rep && last_rep->sniffer == t->origin ? " " : "",
			 last_rep && last_rep->sniffer == t->origin ?
				 trace_ifname(t, names, last_rep) : "",
			 t->reply_note);
	} else {
		if (last_req)
			snprintf(verdict, sizeof(verdict),
				 "request last seen: %s %s (%s)",
				 t->sniffers[last_req->sniffer].ns,
				 trace_ifname(t, names, last_req),
				 last_req->out ? "out" : "in");
		else
			snprintf(verdict, sizeof(verdict),
				 "the request never left %s", t->ns);
		if (last_rep)
			snprintf(verdict + strlen(verdict),
				 sizeof(verdict) - strlen(verdict),
				 "; reply last seen: %s %s (%s), not back at %s",
				 t->sniffers[last_rep->sniffer].ns,
				 trace_ifname(t, names, last_rep),
				 last_rep->out ? "out" : "in", t->ns);
		else if (last_req || t->icmp_error)
			snprintf(verdict + strlen(verdict),
				 sizeof(verdict) - strlen(verdict), "; no reply%s%s",
				 t->icmp_error ? ": " : "",
				 t->icmp_error ? t->reply_note : "");
	}
	/* Nothing on any wire, not even ARP: the kernel dropped the probe
	 * before a device had it (a full neighbour table, shared by every
	 * namespace, does that without a word to the sender). */
	if (!t->reply_received && !last_req && !t->icmp_error &&
	    !json_array_size(arp))
		snprintf(verdict + strlen(verdict), sizeof(verdict) - strlen(verdict),
			 " (not even an ARP request: is the kernel's neighbour table full? see dmesg)");
	/* Why a probe stays home: its next hop does not answer ARP. */
	if (!t->reply_received && json_array_size(arp)) {
		j = json_array_get(arp, 0);
		snprintf(verdict + strlen(verdict), sizeof(verdict) - strlen(verdict),
			 "; ARP who-has %s from %s %s got no answer",
			 json_string_value(json_object_get(j, "who_has")),
			 json_string_value(json_object_get(j, "ns")),
			 json_string_value(json_object_get(j, "if")));
	}
	doc = json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:b, s:o, s:o, s:o, s:o, s:s, s:b}",
			"ns", t->ns, "dest", t->dest_text, "proto", protos[t->proto],
			"port", t->port ? json_integer(t->port) : json_null(),
			"request", req, "reply", rep,
			"reply_received", t->reply_received,
			"icmp_error", t->icmp_error ? json_string(t->reply_note) :
						      json_null(),
			"last_seen", last ? last : json_null(), "nat", nat,
			"arp_unanswered", arp, "verdict", verdict,
			"truncated", t->frames_dropped);
	free(names);
	if (!doc)
		abort();
	*out = doc;
	if (t->reply_received)
		return 0;
	err_set(t->nn, 0, "trace %s -> %s: %s", t->ns, t->dest_text, verdict);
	t->nn->err_code = EHOSTUNREACH;
	return -EHOSTUNREACH;
}

/* ---- nsnet trace ----------------------------------------------------------------- */

NSNET_EXPORT int nsnet_trace(struct nsnet *nn, const char *ns, const char *dest,
			     const struct nsnet_trace_opts *opts,
			     struct json_t **out)
{
	struct nsnet_trace_opts copy;
	struct trace t = { .nn = nn, .ns = ns, .dest_text = dest, .probe_fd = -1 };
	struct timespec now;
	size_t i;
	int rc;

	*out = NULL;
	if ((rc = OPTS_TAKE(nn, &copy, opts, timeout, "trace")))
		return rc;
	opts = &copy;
	rc = check_ns_name(nn, ns, true);
	if (rc)
		return rc;
	if (!ns_exists(ns))
		return err_usage(nn, "trace: namespace %s does not exist (see 'nsnet ns list')",
				 ns);
	if (ip_parse(dest, &t.dest))
		return err_usage(nn, "trace: bad destination \"%s\" (an IPv4 or IPv6 address)",
				 dest);
	if (opts->proto < NSNET_TRACE_ICMP || opts->proto > NSNET_TRACE_UDP)
		return err_usage(nn, "trace: unknown protocol %d", opts->proto);
	if (opts->proto != NSNET_TRACE_ICMP &&
	    (opts->port < 1 || opts->port > 65535))
		return err_usage(nn, "trace: bad port %u (1-65535)", opts->port);
	if (opts->timeout < 0 || opts->timeout > 3600)
		return err_usage(nn, "trace: bad timeout %g s", opts->timeout);
	t.proto = opts->proto;
	t.port = t.proto == NSNET_TRACE_ICMP ? 0 : (uint16_t)opts->port;
	t.timeout = opts->timeout > 0 ? opts->timeout : 1.0;
	clock_gettime(CLOCK_REALTIME, &now);
	/* Distinct per run: an old copy still queued somewhere never matches. */
	t.icmp_id = (uint16_t)(getpid() ^ now.tv_nsec);
	snprintf(t.marker, sizeof(t.marker), TRACE_MARKER "%08lx%-*s",
		 (unsigned long)((unsigned long)now.tv_nsec ^
				 ((unsigned long)getpid() << 16)) & 0xffffffffUL,
		 TRACE_MARKER_LEN - 20, "");

	rc = trace_probe_open(&t);
	if (!rc)
		rc = trace_open_sniffers(&t);
	if (!rc) {
		trace_wait_settled(&t);
		rc = trace_probe_send(&t);
	}
	if (!rc)
		rc = trace_collect(&t);
	if (!rc) {
		trace_classify(&t);
		rc = trace_report(&t, out);
	}
	for (i = 0; i < t.n_sniffers; i++)
		close(t.sniffers[i].fd);
	free(t.sniffers);
	free(t.frames);
	if (t.probe_fd >= 0)
		close(t.probe_fd);
	return rc;
}
