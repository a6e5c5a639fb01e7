/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * capture.h - packet sockets inside namespaces, kernel filters compiled by
 * libpcap, interface names: what capture and trace share.
 */
#ifndef NSNET_CAPTURE_H
#define NSNET_CAPTURE_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include <sys/types.h>
#include <linux/filter.h>

#include "internal.h"

/* Large enough for any frame a veth or bridge hands over (64 KiB GSO). */
#define CAPTURE_SNAPLEN 262144

struct capture_frame {
	struct timespec ts;      /* the kernel's receive/transmit time */
	int ifindex;
	bool outgoing;           /* PACKET_OUTGOING: sent by this namespace */
	bool eth;                /* starts with an Ethernet header */
	uint16_t protocol;       /* ethertype, host order */
	size_t len;              /* on the wire */
	size_t caplen;           /* in the buffer */
};

/* Compile a pcap-filter expression for Ethernet frames into a program the
 * kernel takes (SO_ATTACH_FILTER). prog->filter is the caller's (free()).
 * A bad expression is a usage error with libpcap's own message. */
int capture_filter_compile(struct nsnet *nn, const char *expr,
			   struct sock_fprog *prog);
/* An AF_PACKET socket inside ns on ifindex (0: every interface), with prog
 * (NULL: everything) attached before the first packet can arrive, kernel
 * timestamps on, nonblocking. Returns the descriptor or a negative errno. */
int capture_socket_open(struct nsnet *nn, struct ns *ns, int ifindex,
			const struct sock_fprog *prog);
/* One frame; -EAGAIN when none is queued, another negative errno on error. */
ssize_t capture_recv(int fd, void *buf, size_t cap, struct capture_frame *f);
/* The name of ifindex in ns ("if7" when it is gone already). */
void capture_ifname(struct nsnet *nn, struct ns *ns, int ifindex, char *buf,
		    size_t len);

#endif
