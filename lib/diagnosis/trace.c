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
 * deadline; only then are the frames matched and put in path order
 * (trace_path.c: from each namespace's queue order and copies equal on
 * the two ends of a wire, not from timestamps):
 *
 *  - ICMP and UDP copies carry the marker, which NAT leaves alone.
 *  - A SYN keeps its initial sequence number through NAT: the copy seen
 *    leaving the probe's namespace gives it, the others match on it, and
 *    the answer (SYN-ACK or RST) acknowledges ISN + 1.
 *  - An ICMP error matches when the packet it quotes does.
 *
 * This file opens the sniffers, sends the probe and collects the frames;
 * trace_path.c matches, orders and reports them.
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

#include "diagnosis/trace.h"

/* Bounds: a few hundred namespaces, a busy second of frames each. */
#define TRACE_MAX_NS 512
#define TRACE_MAX_FRAMES 20000
#define TRACE_MARKER "nsnet-trace:"

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
	/* The names doctor, ping and traceroute take (diag_resolve). */
	if ((rc = diag_resolve(nn, ns, dest, &t.dest))) {
		err_prefix(nn, "trace: bad destination \"%s\"", dest);
		return rc;
	}
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
