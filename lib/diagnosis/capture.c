// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * capture.c - nsnet capture: the packets of one interface (or all) of a
 * namespace, one line each or into a pcap file; and the packet sockets
 * trace opens in every namespace.
 *
 * The socket is an AF_PACKET socket opened inside the namespace (ns_call)
 * and read from where nsnet runs. Filters are pcap-filter expressions
 * compiled by libpcap and run by the kernel (SO_ATTACH_FILTER), so only
 * matching packets cross into user space. libpcap is loaded with dlopen()
 * here only: linking it would add its dependencies (libdbus, libibverbs)
 * to the start of every nsnet command.
 */
#include <dlfcn.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <net/if_arp.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <sys/socket.h>
#include <pcap/pcap.h>

#include "diagnosis/diagnosis.h"

static struct {
	bool loaded;
	pcap_t *(*open_dead)(int linktype, int snaplen);
	int (*compile)(pcap_t *p, struct bpf_program *fp, const char *str,
		       int optimize, bpf_u_int32 netmask);
	void (*freecode)(struct bpf_program *fp);
	char *(*geterr)(pcap_t *p);
	void (*close)(pcap_t *p);
	pcap_dumper_t *(*dump_open)(pcap_t *p, const char *fname);
	void (*dump)(u_char *user, const struct pcap_pkthdr *h, const u_char *sp);
	int (*dump_flush)(pcap_dumper_t *d);
	void (*dump_close)(pcap_dumper_t *d);
} pcap;

static int capture_pcap_load(struct nsnet *nn)
{
	void *h;

	if (pcap.loaded)
		return 0;
	h = dlopen("libpcap.so.0.8", RTLD_NOW | RTLD_LOCAL);
	if (!h)
		return err_set(nn, ENOENT,
			       "capture: cannot load libpcap.so.0.8 (%s); install libpcap0.8",
			       dlerror());
#define PCAP_SYM(field, name)                                                \
	do {                                                                 \
		*(void **)&pcap.field = dlsym(h, name);                      \
		if (!pcap.field)                                             \
			return err_set(nn, ENOENT,                           \
				       "capture: libpcap.so.0.8 has no %s",  \
				       name);                                \
	} while (0)
	PCAP_SYM(open_dead, "pcap_open_dead");
	PCAP_SYM(compile, "pcap_compile");
	PCAP_SYM(freecode, "pcap_freecode");
	PCAP_SYM(geterr, "pcap_geterr");
	PCAP_SYM(close, "pcap_close");
	PCAP_SYM(dump_open, "pcap_dump_open");
	PCAP_SYM(dump, "pcap_dump");
	PCAP_SYM(dump_flush, "pcap_dump_flush");
	PCAP_SYM(dump_close, "pcap_dump_close");
#undef PCAP_SYM
	pcap.loaded = true;
	return 0;
}

int capture_filter_compile(struct nsnet *nn, const char *expr,
			   struct sock_fprog *prog)
{
	struct bpf_program bp;
	pcap_t *p;
	int rc;

	rc = capture_pcap_load(nn);
	if (rc)
		return rc;
	p = pcap.open_dead(DLT_EN10MB, CAPTURE_SNAPLEN);
	if (!p)
		return err_set(nn, ENOMEM, "capture: pcap_open_dead");
	if (pcap.compile(p, &bp, expr, 1, PCAP_NETMASK_UNKNOWN)) {
		rc = err_usage(nn, "filter \"%s\": %s", expr, pcap.geterr(p));
		pcap.close(p);
		return rc;
	}
	/* struct bpf_insn and the kernel's struct sock_filter are the same
	 * classic BPF instruction (code, jt, jf, k); a copy outlives bp. */
	prog->len = (unsigned short)bp.bf_len;
	prog->filter = calloc(bp.bf_len ? bp.bf_len : 1, sizeof(*prog->filter));
	if (!prog->filter)
		abort();
	memcpy(prog->filter, bp.bf_insns, bp.bf_len * sizeof(*prog->filter));
	pcap.freecode(&bp);
	pcap.close(p);
	return 0;
}

struct capture_open {
	int ifindex;
	const struct sock_fprog *prog;
	int fd, error;
	const char *step;
};

/*
 * Protocol 0 at socket() receives nothing; the filter is attached before
 * bind() names the protocol, so no unfiltered packet is ever queued.
 */
static int capture_open_here(void *arg)
{
	struct capture_open *o = arg;
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_ALL),
		.sll_ifindex = o->ifindex,
	};
	int on = 1;

	o->step = "socket";
	o->fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (o->fd < 0)
		goto fail;
	o->step = "attach filter";
	if (o->prog && setsockopt(o->fd, SOL_SOCKET, SO_ATTACH_FILTER, o->prog,
				  sizeof(*o->prog)))
		goto fail;
	o->step = "timestamps";
	if (setsockopt(o->fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof(on)))
		goto fail;
	o->step = "bind";
	if (bind(o->fd, (struct sockaddr *)&sll, sizeof(sll)))
		goto fail;
	return 0;
fail:
	o->error = errno;
	if (o->fd >= 0)
		close(o->fd);
	o->fd = -1;
	return 0;
}

int capture_socket_open(struct nsnet *nn, struct ns *ns, int ifindex,
			const struct sock_fprog *prog)
{
	struct capture_open o = { .ifindex = ifindex, .prog = prog, .fd = -1 };
	int rc;

	rc = ns_call(nn, ns, capture_open_here, &o);
	if (rc)
		return err_set(nn, -rc, "capture: enter namespace %s", ns->name);
	if (o.fd < 0)
		return err_set(nn, o.error, "capture in %s: packet socket: %s",
			       ns->name, o.step);
	return o.fd;
}

ssize_t capture_recv(int fd, void *buf, size_t cap, struct capture_frame *f)
{
	union {
		char buf[CMSG_SPACE(sizeof(struct timespec))];
		struct cmsghdr align;
	} ctl;
	struct sockaddr_ll sll;
	struct iovec iov = { buf, cap };
	struct msghdr msg = {
		.msg_name = &sll, .msg_namelen = sizeof(sll),
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf),
	};
	struct cmsghdr *c;
	ssize_t n;

	memset(f, 0, sizeof(*f));
	/* MSG_TRUNC: the length on the wire even when the buffer was short. */
	n = recvmsg(fd, &msg, MSG_DONTWAIT | MSG_TRUNC);
	if (n < 0)
		return -errno;
	for (c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS)
			memcpy(&f->ts, CMSG_DATA(c), sizeof(f->ts));
	if (!f->ts.tv_sec)
		clock_gettime(CLOCK_REALTIME, &f->ts);
	f->ifindex = sll.sll_ifindex;
	f->outgoing = sll.sll_pkttype == PACKET_OUTGOING;
	f->eth = sll.sll_hatype == ARPHRD_ETHER ||
		 sll.sll_hatype == ARPHRD_LOOPBACK;
	f->protocol = ntohs(sll.sll_protocol);
	f->len = (size_t)n;
	f->caplen = (size_t)n < cap ? (size_t)n : cap;
	return (ssize_t)f->caplen;
}

void capture_ifname(struct nsnet *nn, struct ns *ns, int ifindex, char *buf,
		    size_t len)
{
	struct nl_link l;
	char saved[NSNET_ERR_MAX];

	/* A failed lookup must not replace an error the caller is keeping. */
	memcpy(saved, nn->err, sizeof(saved));
	if (ns && !nl_link_get_index(nn, ns, ifindex, &l))
		snprintf(buf, len, "%s", l.name);
	else
		snprintf(buf, len, "if%d", ifindex);
	memcpy(nn->err, saved, sizeof(saved));
}

/* ---- nsnet capture ------------------------------------------------------- */

/* Interface names seen so far: one netlink query per interface, not per
 * packet. */
struct capture_names {
	int index[64];
	char name[64][16];
	size_t n;
};

static const char *capture_name(struct nsnet *nn, struct ns *ns,
				struct capture_names *c, int ifindex)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (c->index[i] == ifindex)
			return c->name[i];
	i = c->n < ARRAY_SIZE(c->index) ? c->n++ : ARRAY_SIZE(c->index) - 1;
	c->index[i] = ifindex;
	capture_ifname(nn, ns, ifindex, c->name[i], sizeof(c->name[i]));
	return c->name[i];
}

static void capture_print(struct nsnet *nn, struct ns *ns,
			  struct capture_names *names,
			  const struct capture_frame *f, const uint8_t *buf,
			  void (*line)(void *, const char *), void *data)
{
	char text[512], t[16];
	struct pkt p;
	struct tm tm;
	time_t sec = f->ts.tv_sec;

	pkt_decode(buf, f->caplen, f->eth, f->protocol, &p);
	localtime_r(&sec, &tm);
	strftime(t, sizeof(t), "%H:%M:%S", &tm);
	snprintf(text, sizeof(text), "%s.%06ld %s %s ", t, f->ts.tv_nsec / 1000,
		 capture_name(nn, ns, names, f->ifindex),
		 f->outgoing ? "out" : "in");
	pkt_line(&p, text + strlen(text), sizeof(text) - strlen(text));
	line(data, text);
}

NSNET_EXPORT int nsnet_capture(struct nsnet *nn, const char *ns_name,
			       const char *ifname,
			       const struct nsnet_capture_opts *opts,
			       void (*line)(void *data, const char *text),
			       void *data)
{
	static uint8_t buf[CAPTURE_SNAPLEN];
	struct nsnet_capture_opts copy;
	struct sock_fprog prog = { 0 };
	struct capture_names names = { .n = 0 };
	struct capture_frame f;
	pcap_dumper_t *dumper = NULL;
	pcap_t *dead = NULL;
	struct pollfd pfd;
	struct nl_link link;
	struct ns *ns;
	double end = 0, now;
	int ifindex = 0, count = 0, rc, fd = -1;
	ssize_t n;

	if ((rc = OPTS_TAKE(nn, &copy, opts, stop, "capture")))
		return rc;
	opts = &copy;
	rc = check_ns_name(nn, ns_name, true);
	if (rc)
		return rc;
	if (!ns_exists(ns_name))
		return err_usage(nn, "capture: namespace %s does not exist (see 'nsnet ns list')",
				 ns_name);
	rc = ns_get(nn, ns_name, &ns);
	if (rc)
		return rc;
	if (strcmp(ifname, "any")) {
		rc = check_ifname(nn, ifname);
		if (rc)
			return rc;
		rc = nl_link_get(nn, ns, ifname, &link);
		if (rc == -ENODEV)
			return err_usage(nn, "capture: there is no interface %s in namespace %s",
					 ifname, ns_name);
		if (rc)
			return rc;
		ifindex = link.index;
	}
	rc = capture_pcap_load(nn);
	if (rc)
		return rc;
	if (opts->filter && *opts->filter) {
		rc = capture_filter_compile(nn, opts->filter, &prog);
		if (rc)
			return rc;
	}
	if (opts->pcap_file) {
		dead = pcap.open_dead(DLT_EN10MB, CAPTURE_SNAPLEN);
		if (!dead) {
			rc = err_set(nn, ENOMEM, "capture: pcap_open_dead");
			goto out;
		}
		dumper = pcap.dump_open(dead, opts->pcap_file);
		if (!dumper) {
			rc = err_set(nn, 0, "capture: %s", pcap.geterr(dead));
			nn->err_code = EIO;
			rc = -EIO;
			goto out;
		}
	}
	fd = capture_socket_open(nn, ns, ifindex, prog.filter ? &prog : NULL);
	if (fd < 0) {
		rc = fd;
		goto out;
	}
	if (opts->duration > 0)
		end = (mono_ms() / 1e3) + opts->duration;
	pfd.fd = fd;
	pfd.events = POLLIN;
	rc = 0;
	while (!opts->count || (unsigned int)count < opts->count) {
		int wait = 250;

		if (opts->stop && *opts->stop)
			break;
		now = (mono_ms() / 1e3);
		if (end) {
			if (now >= end)
				break;
			/* Short slices: a stop flag set by a signal handler
			 * just before poll() is seen within 250 ms. */
			if ((end - now) * 1e3 < wait)
				wait = (int)((end - now) * 1e3) + 1;
		}
		if (poll(&pfd, 1, wait) < 0) {
			if (errno == EINTR)
				continue;
			rc = err_set(nn, errno, "capture: poll");
			break;
		}
		while (!opts->count || (unsigned int)count < opts->count) {
			n = capture_recv(fd, buf, sizeof(buf), &f);
			if (n == -EAGAIN || n == -EINTR)
				break;
			if (n < 0) {
				rc = err_set(nn, (int)-n, "capture in %s: receive",
					     ns_name);
				goto out;
			}
			if (dumper) {
				struct pcap_pkthdr h = {
					.ts = { f.ts.tv_sec, f.ts.tv_nsec / 1000 },
					.caplen = (bpf_u_int32)f.caplen,
					.len = (bpf_u_int32)f.len,
				};

				/* The file says Ethernet: frames of devices
				 * without that header do not fit in it. */
				if (!f.eth)
					continue;
				pcap.dump((u_char *)dumper, &h, buf);
				/* Per packet: the file is complete whenever
				 * capture ends, even killed. */
				pcap.dump_flush(dumper);
			} else if (line) {
				capture_print(nn, ns, &names, &f, buf, line, data);
			}
			count++;
		}
	}
	if (!rc)
		rc = count;
out:
	if (fd >= 0)
		close(fd);
	if (dumper)
		pcap.dump_close(dumper);
	if (dead)
		pcap.close(dead);
	free(prog.filter);
	return rc;
}
