/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * diagnosis/diagnosis.h - the diagnosis layer, the top of libnsnet: packet
 * decoding, capture, ping, probes, check, doctor and trace. Its public face
 * is include/nsnet.h; this header is what its files (and the unit tests)
 * share. It calls kernel/, firewall/ and topology/.
 */
#ifndef NSNET_DIAGNOSIS_H
#define NSNET_DIAGNOSIS_H

#include <jansson.h>
#include <linux/filter.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "kernel/kernel.h"
#include "topology/topology.h"

/* ==== packet.c ==== */
/*
 * packet.h - decoding captured packets: pure functions over bytes, shared
 * by capture (one line per packet) and trace (matching the probe's copies
 * at every hop). Nothing here reads past the length it is given.
 */

#define PKT_ADDR_MAX 46        /* INET6_ADDRSTRLEN */

/* TCP flags as in the header's 13th byte. */
#define PKT_TCP_FIN 0x01
#define PKT_TCP_SYN 0x02
#define PKT_TCP_RST 0x04
#define PKT_TCP_PSH 0x08
#define PKT_TCP_ACK 0x10

/* The transport part of an IP packet: also what an ICMP error quotes. */
struct pkt_l4 {
	int family;                 /* AF_INET, AF_INET6; 0: not IP */
	uint8_t src[16], dst[16];   /* 4 or 16 bytes used */
	uint8_t proto;              /* IPPROTO_* after extension headers */
	bool l4_ok;                 /* the header of proto is complete */
	uint16_t sport, dport;      /* TCP/UDP */
	uint8_t tcp_flags;
	uint32_t seq, ack;          /* TCP */
	uint16_t udp_len;           /* UDP length field */
	uint8_t icmp_type, icmp_code;
	uint16_t icmp_id, icmp_seq; /* echo request/reply */
	const uint8_t *payload;     /* after the transport header (or NULL) */
	size_t payload_len;
	size_t ip_len;              /* total length field (v4) or 40 + payload (v6) */
	uint8_t ttl;                /* TTL (v4) or hop limit (v6) */
	uint16_t ip_id;             /* identification (v4; 0 for v6) */
};

enum pkt_kind {
	PKT_OTHER = 0,   /* an ethertype we do not decode */
	PKT_ARP,
	PKT_IP,
};

struct pkt {
	enum pkt_kind kind;
	uint16_t ethertype;
	uint8_t eth_src[6], eth_dst[6];
	bool has_eth;
	size_t len;                 /* bytes given */
	/* ARP (Ethernet/IPv4 only) */
	uint16_t arp_op;            /* 1 request, 2 reply */
	uint8_t arp_sha[6], arp_spa[4], arp_tpa[4];
	/* IP */
	struct pkt_l4 ip;
	bool has_inner;             /* an ICMP error quoting a packet */
	struct pkt_l4 inner;
};

/*
 * Decode a frame. With eth, buf starts with an Ethernet header (what an
 * AF_PACKET SOCK_RAW socket gives on Ethernet-like devices); without, buf
 * is a bare IP packet whose ethertype (host order) is known from
 * elsewhere. Returns 0, or -1 when the frame is too short to say anything
 * (kind PKT_OTHER).
 */
int pkt_decode(const uint8_t *buf, size_t len, bool eth, uint16_t ethertype,
	       struct pkt *p);

/* Text of an address of l ("10.10.0.10", "fd00::1"). */
const char *pkt_addr_str(const struct pkt_l4 *l, bool dst, char *buf,
			 size_t len);

/*
 * What the packet is, without its addresses: "ICMP echo request id 7 seq 1",
 * "TCP 40000 > 80 [S] seq 12", "UDP 5353 > 53 length 20",
 * "ARP who-has 10.0.0.1 tell 10.0.0.2", "ethertype 0x88cc". Always
 * NUL-terminated; returns buf.
 */
char *pkt_what(const struct pkt *p, char *buf, size_t len);

/*
 * The whole capture line after time, interface and direction:
 * "10.10.0.10 > 203.0.113.10: ICMP echo request id 7 seq 1, length 64";
 * ARP and other ethertypes without the address part (ARP names its own
 * addresses; others get their MAC addresses).
 */
char *pkt_line(const struct pkt *p, char *buf, size_t len);

/* Whether needle occurs in the payload of l. */
bool pkt_payload_has(const struct pkt_l4 *l, const void *needle, size_t n);

/* ==== ping.c ==== */
/*
 * ping.h - ICMP echo packets: building, checksums and reading replies.
 * Pure functions, kept apart from the sockets so unit tests reach them.
 */

#define PING_ICMP_HDR 8

/* RFC 1071 Internet checksum, already complemented (0 over a valid packet). */
uint16_t ping_checksum(const void *data, size_t len);

/*
 * Build an echo request (ICMP for AF_INET, ICMPv6 for AF_INET6) with
 * payload bytes of pattern into buf. The ICMPv6 checksum is left 0: the
 * kernel fills it for raw ICMPv6 sockets (it covers the pseudo-header we
 * do not know). Returns the packet length, or 0 when buf is too small.
 */
size_t ping_build_echo(void *buf, size_t cap, int family, uint16_t id,
		       uint16_t seq, size_t payload);

enum ping_kind {
	PING_IGNORE = 0,    /* not about our echo */
	PING_ECHO_REPLY,    /* our echo came back */
	PING_ICMP_ERROR,    /* an error about one of our echoes */
};

struct ping_reply {
	enum ping_kind kind;
	uint16_t seq;
	int ttl;            /* IPv4: from the IP header; -1 when unknown */
	size_t icmp_len;    /* ICMP header + payload */
	uint8_t type, code; /* of the received message */
	/* The echo's payload: the reply's, or as much of our request as an
	 * error quotes (often none). */
	const uint8_t *payload;
	size_t payload_len;
};

/*
 * Classify what a raw socket returned. For AF_INET buf starts with the IP
 * header (raw IPv4 sockets deliver it); for AF_INET6 with the ICMPv6
 * header. Only messages carrying our id count.
 */
enum ping_kind ping_parse(const void *buf, size_t len, int family,
			  uint16_t id, struct ping_reply *r);

/*
 * nsnet ping's probe number n (1-based, up to PING_MAX_COUNT): an echo
 * whose sequence number is n's low 16 bits (it wraps, as iputils' does)
 * and, when payload has room (4 bytes), n itself at the payload's start:
 * the token that ties a reply to its probe once sequence numbers repeat.
 */
size_t ping_build_probe(void *buf, size_t cap, int family, uint16_t id,
			uint32_t n, size_t payload);
/* Which of probes 1..sent r answers: its token when the reply carries
 * one (it must agree with the sequence number), else the latest probe
 * with that sequence number; 0 when none. */
uint32_t ping_match(const struct ping_reply *r, size_t payload, uint32_t sent);

/* Let a raw ICMP/ICMPv6 socket hear only echo replies and the errors
 * that can be about an echo (and hop limits, for IPv6). */
int ping_icmp_filter(int fd, int family);
/* A destination of ping, traceroute, trace and doctor as an address:
 * DEST is an IP address, a namespace (its first global address, IPv4
 * first), or a name of /etc/netns/NS/hosts. A usage error naming DEST
 * otherwise; what says "doctor:" or "ping:" is the caller's prefix. */
int diag_resolve(struct nsnet *nn, const char *ns, const char *dest,
		 struct ipaddr *ip);
/* nsnet_ping() for the layers' own use (doctor's first probe). */
int ping_dest(struct nsnet *nn, const char *ns, const char *dest,
	      const struct nsnet_ping_opts *opts,
	      void (*line)(void *data, const char *text), void *data,
	      struct nsnet_ping_result *res);

/* The iputils wording for an ICMP error ("Destination Host Unreachable"). */
const char *ping_error_text(int family, uint8_t type, uint8_t code);

/* ==== probe.c ==== */
/*
 * probe.h - destinations of doctor/trace/check: parsing kept apart from
 * the sockets so unit tests reach it.
 */

#define PROBE_NAME_MAX 64

struct probe_dest {
	bool is_addr;                 /* host is an address, not a name */
	struct ipaddr addr;           /* when is_addr */
	char name[PROBE_NAME_MAX];    /* when !is_addr: a namespace/node */
	uint16_t port;                /* 0: ICMP only */
	int proto;                    /* IPPROTO_TCP/UDP when port, else 0 */
};

/*
 * DEST[:PORT[/tcp|/udp]]. DEST is an IPv4 address, an IPv6 address in
 * brackets ("[fd00::1]:80") or bare when no port follows, or a name.
 * A port alone means TCP. Returns 0 or -EINVAL; sets no error (the caller
 * names the input).
 */
int probe_dest_parse(const char *s, struct probe_dest *d);

/* ---- doctor's NAT check ---------------------------------------------------- */

/* RFC 1918, RFC 6598 (100.64/10) and fc00::/7: addresses the internet
 * does not route back, so a packet leaving with one needs NAT. */
bool probe_addr_private(const struct ipaddr *ip);

/* ---- foreign nftables chains --------------------------------------------------- */

/* What doctor knows of a forwarded packet at one namespace. */
struct probe_pkt {
	const char *iif, *oif;    /* interface names */
	bool established;         /* a reply (ct state established) */
};

enum probe_verdict {
	PROBE_V_NONE,             /* no rule decided; policy accept */
	PROBE_V_ACCEPT,           /* a rule accepts it */
	PROBE_V_DROP,             /* a rule drops or rejects it */
	PROBE_V_POLICY_DROP,      /* no rule decided; policy drop */
};

/*
 * Run p through the rules of one chain of a `list ruleset` JSON document
 * (libnftables' output), as far as doctor can read them: matches on
 * iifname/oifname and ct state; a rule with any other match is taken as
 * not matching, jumps are not followed. *handle is the deciding rule's
 * handle or -1.
 */
enum probe_verdict probe_chain_verdict(json_t *ruleset, const char *family,
				       const char *table, const char *chain,
				       const char *policy,
				       const struct probe_pkt *p,
				       long long *handle);

/* ==== capture.c ==== */
/*
 * capture.h - packet sockets inside namespaces, kernel filters compiled by
 * libpcap, interface names: what capture and trace share.
 */

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

/* ==== check_plan.c, check.c ==== */
/*
 * nsnet check: which probes a topology's matrix and expectations need
 * (check_plan_build), how the answers add up (check_cells_update,
 * check_expect_met) and the JSON document (check_json). All pure, in
 * check_plan.c, for the unit tests; check_run() in check.c is the one
 * function that sends packets.
 */

struct json_t;

#define CHECK_ADDR_MAX 8

enum check_result {
	CHECK_PENDING = 0, /* not answered yet; after the run: no address */
	CHECK_REACH,       /* echo reply, TCP connected, UDP datagram back */
	CHECK_REFUSED,     /* TCP RST / ICMP port unreachable: host there, port closed */
	CHECK_UNREACH,     /* an ICMP error came back, or the kernel had no route */
	CHECK_TIMEOUT,     /* nothing came back before the deadline */
	CHECK_NOT_PROBED,  /* the local kernel did not send it: no verdict */
};

/* Why a probe is CHECK_NOT_PROBED (the errno is in check_probe.error). */
enum check_np {
	CHECK_NP_NONE = 0,
	CHECK_NP_SEND,     /* sending failed (ENOBUFS, ENOMEM...) until the deadline */
	CHECK_NP_NEIGH,    /* no answer, and the kernel refused its neighbour entry */
	CHECK_NP_OVERFLOW, /* no answer, it needed ARP/NDP, and the machine's
			    * neighbour table overflowed during the check */
};

/* A column of the matrix: a node (by its addresses) or one address. */
struct check_target {
	char *name;               /* node name, or the address as text */
	ssize_t node;             /* index into topo.nodes; -1: an address */
	struct ipaddr addr[CHECK_ADDR_MAX];
	int seg[CHECK_ADDR_MAX];  /* the segment of each address: a network's
				   * index, n_nets + a cable's; -1: unknown */
	char ifname[CHECK_ADDR_MAX][IFNAMSIZ]; /* the node's interface there */
	size_t n_addr;
	const char *host;         /* a node of another machine (docs/multihost.md):
				   * its host, probed as addresses; else NULL */
};

/* One packet exchange: from a node to one address of a target. */
struct check_probe {
	size_t from, target, addr, cell;
	int proto;                /* 0: ICMP; IPPROTO_TCP / IPPROTO_UDP */
	int family;               /* of the address */
	uint16_t port;
	uint16_t seq;             /* ICMP: echo sequence number within its source */
	/* Source and target on one segment: the probe makes a neighbour
	 * entry on each side, which check_run removes afterwards. */
	bool local;
	char src_if[IFNAMSIZ];
	struct ipaddr src_addr;   /* the source's address on that segment */
	enum check_result result;
	enum check_np np_why;     /* CHECK_NOT_PROBED: why */
	int error;                /* errno of a refusal or local failure */
	uint8_t icmp_type, icmp_code; /* of an ICMP error */
	double rtt_ms;
};

/* One answer of the matrix: from a node to a target, by one protocol;
 * reached when any of the target's addresses answered. */
struct check_cell {
	size_t from, target;
	int proto;
	uint16_t port;
	enum check_result result;
	double rtt_ms;            /* the fastest reached address */
	const struct check_probe *why; /* the probe whose answer explains it */
	size_t probe0, n_probes;  /* its probes: one per address of the target */
};

struct check_plan {
	struct check_target *targets;  /* nodes first (same index), then addresses */
	size_t n_targets;
	struct check_probe *probes;
	size_t n_probes;
	struct check_cell *cells;
	size_t n_cells;
	size_t *expect_cell;           /* per topo.expects: its cell; SIZE_MAX:
					* from a node of another machine */
	size_t n_nodes;
	double timeout_s;              /* of the run, for the reasons given */
	/* Of the run: how often the machine's neighbour tables overflowed
	 * while it ran (the kernel's table_fulls, every namespace's), and how
	 * many neighbour entries it made and deleted. */
	unsigned long neigh_overflows;
	size_t neigh_added;
	/* Sampled (check_plan_build_sample): each node probed `sample` other
	 * nodes, every `stride`-th after it in file order; full_pairs: the
	 * matrix cells of a full check. */
	size_t sample, stride, full_pairs;
};

/*
 * The order check_run starts the probes in (order: n_probes indices). The
 * probes between two nodes of one segment come together, both ways, so
 * that the neighbour entries they need are made once and deleted once;
 * the pairs go block by block (block nodes a side), so that the entries
 * in flight belong to few namespaces and go in large batches. The other
 * probes (routed, to plain addresses) come first.
 */
void check_plan_order(const struct check_plan *p, size_t block, size_t *order);
/* Whether a probe's target is a node on a segment the source is on: it
 * then needs a neighbour entry on each side. */
bool check_probe_pair(const struct check_plan *p, const struct check_probe *pr);
/* Fails (exit 2) when an expectation names neither a node nor an address. */
int check_plan_build(struct nsnet *nn, const struct topo *t,
		     struct check_plan *p);
/* Sampled: each node to `sample` other nodes (the stride-th after it in
 * file order, wrapping; stride = (nodes - 1) / sample) and to every
 * address column, plus every cell an expectation names. 0, or as many as
 * there are other nodes: every pair. */
int check_plan_build_sample(struct nsnet *nn, const struct topo *t,
			    size_t sample, struct check_plan *p);
void check_plan_free(struct check_plan *p);
/* Fold the probes' results into their cells. */
void check_cells_update(struct check_plan *p);
bool check_expect_met(const struct topo_expect *e, const struct check_cell *c);
const char *check_result_name(enum check_result r);
/* Why a cell came out as it did, in a few words ("no answer from
 * 10.10.0.10 in 1.5 s"). */
void check_cell_why(const struct check_plan *p, const struct check_cell *c,
		    char *buf, size_t len);
/* The document nsnet check prints (docs/json.md); *broken: expectations
 * not met (broken, or not probed). */
struct json_t *check_json(const struct topo *t, const struct check_plan *p,
			  double timeout_s, double elapsed_ms, size_t *broken);

/* Send every probe of the plan, all sources at once, bounded by timeout_s. */
int check_run(struct nsnet *nn, const struct topo *t, struct check_plan *p,
	      double timeout_s);

#endif /* NSNET_DIAGNOSIS_H */
