/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * diagnosis/trace.h - what the two files of nsnet trace share, and nothing
 * else includes: one run's state and the frames it collected. trace.c
 * opens the sniffers, sends the probe and collects; trace_path.c matches
 * the copies of the probe and its answer, orders them and gives the
 * verdict.
 */
#ifndef NSNET_DIAGNOSIS_TRACE_H
#define NSNET_DIAGNOSIS_TRACE_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include <jansson.h>

#include "diagnosis/diagnosis.h"

/* Enough of each frame for two IPv6 headers, ICMP and the marker. */
#define TRACE_FRAME_KEEP 256
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
	/* Path order (trace_path.c): the frame's visit to its namespace, the
	 * next frame of that visit, and the visit's place on the path. */
	size_t visit, next, rank;
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

/* trace_path.c: decode and order the frames and give each its role (a
 * copy of the request, of the reply, or neither). */
void trace_classify(struct trace *t);
/* The rewrites (docs/json.md "nat") the ordered copies show: where a
 * copy leaving a namespace differs from the one that entered it. */
json_t *trace_rewrites(const struct trace *t);
/* The document nsnet trace returns (docs/json.md), with its verdict; 0
 * when the reply came back, else -EHOSTUNREACH with the verdict as the
 * context error. */
int trace_report(struct trace *t, json_t **out);

#endif /* NSNET_DIAGNOSIS_TRACE_H */
