/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nsnet.h - the one public header of libnsnet (pkg-config nsnet). The
 * library exports exactly the nsnet_* functions below, in the symbol
 * version NSNET_0.1.
 *
 * Errors. A function returns 0 (or a count, where it says so) on success
 * and a negative errno on failure; nsnet_error() then holds one sentence
 * that names the object ("attach web to app_br: route default via
 * 10.10.0.1: Network is unreachable") with, when the kernel sent one, its
 * extended-ACK text, and nsnet_error_exit_code() tells bad input (2) from
 * a failure (1). Read them right after the call that failed.
 *
 * Ownership. What the caller passes in stays the caller's: the library
 * keeps no pointer to it after the call returns, except the warn callback
 * and its data (nsnet_set_warn()), kept until nsnet_free(). JSON documents
 * handed out through a struct json_t **out are the caller's to free with
 * json_decref() (jansson; pkg-config nsnet brings its flags). The string of
 * nsnet_error() belongs to the context and lives until the next call on it.
 *
 * Threads. A context (struct nsnet) is not thread-safe: use one per thread.
 * A call may move the calling thread into another network namespace
 * (setns() moves one thread only) and moves it back before it returns; the
 * process's other threads stay where they are. Process-wide, and so for
 * one thread at a time: nsnet_exec() and nsnet_sandbox() set signal
 * handlers while they wait for their child, nsnet_shell() replaces the
 * process, nsnet_capture() and nsnet_trace() each use a static packet
 * buffer, and the first firewall or capture call loads libnftables or
 * libpcap.
 *
 * Option structs. Each starts with a struct_size field so that it can grow
 * at its end without breaking programs built against an older header. Set
 * it to the size of the struct your program was built with:
 *
 *     struct nsnet_ping_opts o = { .struct_size = sizeof(o), .count = 1 };
 *
 * A smaller size (an older header) gets the defaults for the fields it
 * lacks; a larger one (a newer header) is refused with a usage error when
 * it sets a field this library does not know. 0 means the struct as nsnet
 * 0.1 published it. A NULL pointer to a *_opts struct means every default.
 *
 * Names of namespaces are those under /run/netns; the name "host" means the
 * namespace the calling process runs in. Nothing is printed by the library:
 * results come back as values, as JSON documents, or as lines through a
 * callback the caller passes.
 */
#ifndef NSNET_H
#define NSNET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NSNET_EXPORT __attribute__((visibility("default")))

struct json_t;
struct nsnet;

/* The reserved namespace name for "where nsnet runs". */
#define NSNET_HOST "host"

/* ---- context and errors ------------------------------------------------ */

NSNET_EXPORT struct nsnet *nsnet_new(void);
NSNET_EXPORT void nsnet_free(struct nsnet *nn);
NSNET_EXPORT const char *nsnet_error(const struct nsnet *nn);
/* Error code class of the last error: 1 failure, 2 bad usage/input. */
NSNET_EXPORT int nsnet_error_exit_code(const struct nsnet *nn);
/* Mark written into the alias of every link created (default "nsnet"). */
NSNET_EXPORT int nsnet_set_owner(struct nsnet *nn, const char *owner);
/* Which machine of a topology's hosts: section this one is, for the
 * topology functions (up, plan, status, check, down, graph of a name):
 * they build, compare and check that machine's part of the file
 * (docs/multihost.md). NULL or "": found from the machine's own addresses
 * (or the host the topology was brought up as). A name that breaks the
 * name rule is bad input; one the file does not list is refused by the
 * function that reads the file. */
NSNET_EXPORT int nsnet_set_host(struct nsnet *nn, const char *host);
/* Optional warnings (foreign firewall drops, a host sysctl that could not
 * be put back, etc.): called once per warning, msg without a trailing
 * newline. Without it, warnings are dropped. */
NSNET_EXPORT void nsnet_set_warn(struct nsnet *nn,
				 void (*warn)(void *data, const char *msg),
				 void *data);
/* Optional: how far along a long step of nsnet_topo_up (with
 * NSNET_TOPO_PROGRESS) is: step "namespaces" or "nodes", done of total,
 * called as the step advances (once per node), for a progress display. */
NSNET_EXPORT void nsnet_set_progress(struct nsnet *nn,
				     void (*progress)(void *data, const char *step,
						      size_t done, size_t total),
				     void *data);
/* Optional: how long each step of nsnet_topo_up, nsnet_topo_plan and
 * nsnet_topo_down took, in milliseconds, called once as each step ends
 * (steps such as "plan", "namespaces", "veths", "firewall"), for
 * benchmarks. */
NSNET_EXPORT void nsnet_set_timing(struct nsnet *nn,
				   void (*timing)(void *data, const char *step,
						  double ms),
				   void *data);

/* Optional: how many attachments one bridge of a topology's network takes
 * (4 to 1,000; 0: the default, 1,000). A network with more spans its
 * bridge and leaf bridges joined to it (docs/topology.md). For tests,
 * which build a network past one bridge's share at a small size: the CLI
 * reads it from NSNET_BRIDGE_PORTS. Every command on a topology must use
 * the same value, or status sees the nodes on the wrong bridges. */
NSNET_EXPORT int nsnet_set_bridge_ports(struct nsnet *nn, unsigned int ports);

/* ---- validation (no side effects) -------------------------------------- */

NSNET_EXPORT int nsnet_check_ns_name(struct nsnet *nn, const char *name);
NSNET_EXPORT int nsnet_check_ifname(struct nsnet *nn, const char *name);

/* ---- ownership and locking ----------------------------------------------- */

/*
 * nsnet deletes only what it created: a namespace it keeps a record of
 * (/run/nsnet/ns), a link born in its link group or carrying its mark (the
 * alias "nsnet[:OWNER]"), a route or an address of its protocol (245).
 * Asked to delete anything else, a *_del function fails with a sentence
 * that says whose it is ("namespace X was not created by nsnet (no
 * record); use --force to delete it anyway"), unless flags has NSNET_FORCE.
 *
 * Every function that changes something shared (namespaces, links,
 * addresses, routes, the firewall, topologies) holds nsnet's one lock, an
 * flock() on /run/nsnet/lock, while it reads and changes it, so that
 * processes and threads calling nsnet at once (each with its own context)
 * never see each other's half-done changes. The kernel drops the lock of a
 * process that dies. Functions that only read (show, status, check,
 * doctor, trace) do not take it. Callbacks (line, warn, progress, timing)
 * may run while it is held: from inside one, a change through another
 * context would wait for it forever.
 */
#define NSNET_FORCE 0x1

/* ---- namespaces ---------------------------------------------------------- */

NSNET_EXPORT int nsnet_ns_add(struct nsnet *nn, const char *name);
/* Also removes the ports published to it (through the warn callback:
 * "namespace X deleted with its published ports ..."), and returns once
 * the host ends of its veths are gone. flags: NSNET_FORCE. */
NSNET_EXPORT int nsnet_ns_del(struct nsnet *nn, const char *name,
			      unsigned int flags);
NSNET_EXPORT bool nsnet_ns_exists(const char *name);
/* JSON array of {"name":..., "nsnet":bool} sorted by name. */
NSNET_EXPORT int nsnet_ns_list(struct nsnet *nn, struct json_t **out);

/* ---- links --------------------------------------------------------------- */

struct nsnet_cable {
	size_t struct_size;               /* sizeof(struct nsnet_cable) */
	const char *a_ns, *a_if, *a_addr; /* a_if/a_addr may be NULL */
	const char *b_ns, *b_if, *b_addr;
	unsigned int mtu;                 /* 0: kernel default */
};
NSNET_EXPORT int nsnet_cable_add(struct nsnet *nn, const struct nsnet_cable *c);

#define NSNET_BRIDGE_INTERNAL 0x1
NSNET_EXPORT int nsnet_bridge_add(struct nsnet *nn, const char *name,
				  const char *const *addrs, size_t n_addrs,
				  unsigned int flags);
/* The bridge and the attachments nsnet made to it. flags: NSNET_FORCE. */
NSNET_EXPORT int nsnet_bridge_del(struct nsnet *nn, const char *name,
				  unsigned int flags);

struct nsnet_attach {
	size_t struct_size;        /* sizeof(struct nsnet_attach) */
	const char *ns, *bridge;
	const char *ifname;        /* inside ns; NULL: first free ethN */
	const char *const *addrs;  /* CIDRs inside ns */
	size_t n_addrs;
	const char *gateway;       /* default route; NULL for none */
	unsigned int mtu;
	/* since 0.2 */
	const char *host_ifname;   /* the bridge's port in the host; NULL: NS-<hash> */
	/* An address of addrs without /PREFIX takes the prefix of the
	 * bridge's subnet of its family. With auto_addr and no addrs, ns gets
	 * the first free address of each of the bridge's subnets (the
	 * allocator of topologies, under the lock, checked against the
	 * bridge's neighbours and nsnet's other attachments to it). */
	bool auto_addr;
	char *chosen;              /* NULL, or chosen_len bytes that receive the
				    * addresses nsnet chose or completed, separated
				    * by spaces ("10.10.0.2/16"); "" when none */
	size_t chosen_len;
};
NSNET_EXPORT int nsnet_attach(struct nsnet *nn, const struct nsnet_attach *a);
NSNET_EXPORT int nsnet_detach(struct nsnet *nn, const char *ns,
			      const char *bridge);

NSNET_EXPORT int nsnet_link_set_up(struct nsnet *nn, const char *ns,
				   const char *ifname, bool up);
NSNET_EXPORT int nsnet_link_set_mtu(struct nsnet *nn, const char *ns,
				    const char *ifname, unsigned int mtu);
/* flags: NSNET_FORCE (a link nsnet did not create). */
NSNET_EXPORT int nsnet_link_del(struct nsnet *nn, const char *ns,
				const char *ifname, unsigned int flags);

/*
 * Impairments of a link: a rate (token bucket), a share of packets lost
 * and a delay with jitter, each on both directions of the link. Set on
 * either end of a veth, they apply to what each end sends: the named
 * interface and its peer, wherever the peer lives (another namespace or,
 * for a bridge attachment, the host). A link that is not a veth has one
 * end: only what it sends is impaired.
 *
 * Rate and loss work on any kernel nsnet runs on (a token bucket, an
 * nftables rule in the namespace's own table "netdev nsnet_link"); delay
 * needs the kernel's netem qdisc (sch_netem): without it,
 * nsnet_link_impair() fails before changing anything and says so. See
 * docs/impairments.md.
 */
#define NSNET_IMPAIR_RATE 0x1
#define NSNET_IMPAIR_LOSS 0x2
#define NSNET_IMPAIR_DELAY 0x4     /* delay and jitter together */
struct nsnet_link_impair {
	size_t struct_size;        /* sizeof(struct nsnet_link_impair) */
	unsigned int set;          /* NSNET_IMPAIR_*: what to change; the
				    * others stay as they are */
	uint64_t rate_bps;         /* bits per second; 0: no limit */
	double loss_pct;           /* % of packets dropped, 0..100; 0: none */
	unsigned int delay_us;     /* added to every packet; 0: none */
	unsigned int jitter_us;    /* +- around delay_us (uniform) */
};
NSNET_EXPORT int nsnet_link_impair(struct nsnet *nn, const char *ns,
				   const char *ifname,
				   const struct nsnet_link_impair *imp);
/* Parse one setting the way the command line and topology files write it
 * into imp (struct_size set, as for every option struct): key "rate" ("10mbit", "1.5gbit",
 * "500kbps": tc's units, bit = bits and bps = bytes per second), "loss"
 * ("1%", "0.5%"), "delay" ("20ms", "1.5s", "500us") or "jitter"; value
 * "none" clears the setting. A usage error names the bad word. */
NSNET_EXPORT int nsnet_link_impair_parse(struct nsnet *nn,
					 struct nsnet_link_impair *imp,
					 const char *key, const char *value);

/* ---- addresses, routes, forwarding -------------------------------------- */

NSNET_EXPORT int nsnet_addr_add(struct nsnet *nn, const char *ns,
				const char *ifname, const char *cidr);
/* flags: NSNET_FORCE (an address not added by nsnet). */
NSNET_EXPORT int nsnet_addr_del(struct nsnet *nn, const char *ns,
				const char *ifname, const char *cidr,
				unsigned int flags);
/* dest: a prefix or "default"; via and/or dev. */
NSNET_EXPORT int nsnet_route_add(struct nsnet *nn, const char *ns,
				 const char *dest, const char *via,
				 const char *dev);
/* flags: NSNET_FORCE (a route of another protocol than nsnet's). */
NSNET_EXPORT int nsnet_route_del(struct nsnet *nn, const char *ns,
				 const char *dest, const char *via,
				 const char *dev, unsigned int flags);
NSNET_EXPORT int nsnet_forward_set(struct nsnet *nn, const char *ns, bool on);
NSNET_EXPORT int nsnet_forward_get(struct nsnet *nn, const char *ns,
				   bool *v4, bool *v6);

/* ---- inspection ------------------------------------------------------------ */

/* ns NULL: every namespace (host first). JSON schema: docs/json.md */
NSNET_EXPORT int nsnet_show(struct nsnet *nn, const char *ns,
			    struct json_t **out);

/* ---- ping ------------------------------------------------------------------ */

struct nsnet_ping_opts {
	size_t struct_size;      /* sizeof(struct nsnet_ping_opts) */
	unsigned int count;      /* 0: 3 */
	double interval;         /* seconds; 0: 1.0 */
	double timeout;          /* -W: seconds to wait for each reply; 0: 1.0 */
	unsigned int size;       /* payload bytes; 0: 56 */
	bool quiet;
	/* since 0.2 */
	const volatile int *stop; /* once non-zero (a signal handler's flag), no
				   * more packets: the statistics still come */
	bool forever;             /* count ignored: until *stop (needs stop) */
};
struct nsnet_ping_result {
	unsigned int sent, received, errors;
	double rtt_min, rtt_avg, rtt_max, rtt_mdev; /* ms */
};
/* DEST of ping, traceroute and trace, as of doctor: an IP address, a
 * namespace (its first global address, IPv4 first) or a name of
 * /etc/netns/NS/hosts; nsnet never asks a resolver.
 * Prints ping(8)-style lines through line() unless NULL. Returns the
 * number of replies (0: none came) or a negative errno. */
NSNET_EXPORT int nsnet_ping(struct nsnet *nn, const char *ns, const char *dest,
			    const struct nsnet_ping_opts *opts,
			    void (*line)(void *data, const char *text),
			    void *data, struct nsnet_ping_result *res);

struct nsnet_traceroute_opts {
	size_t struct_size;      /* sizeof(struct nsnet_traceroute_opts) */
	unsigned int max_hops;   /* 0: 30 */
	double timeout;          /* seconds to wait for each probe; 0: 1.0 */
	unsigned int probes;     /* per hop; 0: 3 */
};
/* UDP probes with growing TTL from inside ns; prints traceroute(8)-style
 * lines through line(). Returns the number of hops to dest when dest
 * answered, 0 when it did not, or a negative errno. */
NSNET_EXPORT int nsnet_traceroute(struct nsnet *nn, const char *ns,
				  const char *dest,
				  const struct nsnet_traceroute_opts *opts,
				  void (*line)(void *data, const char *text),
				  void *data);

/* nsnet_traceroute() as data: *out (the caller's) is {"ns","dest",
 * "reached","max_hops","hops":[{"hop":1,"probes":[{"address","rtt_ms",
 * "mark"} or null for no answer]}]}; mark is "!H", "!N", ... or null.
 * Returns as nsnet_traceroute(); *out is NULL on an error. */
NSNET_EXPORT int nsnet_traceroute_json(struct nsnet *nn, const char *ns,
				       const char *dest,
				       const struct nsnet_traceroute_opts *opts,
				       struct json_t **out);

/* ---- diagnostics ------------------------------------------------------------- */

/* Why does ns not reach dest (ADDRESS, NAMESPACE or a name of
 * /etc/netns/NS/hosts, then [:PORT[/tcp|/udp]])? Walks the path; each
 * finding is a check {"result": "ok"|"fail" (the first cause), "what":
 * sentence} or a fix (a complete command). 0 when a probe gets through;
 * otherwise a negative errno with the cause in the context error. When out
 * is not NULL and the walk ran, *out is {"ns","dest","ok",
 * "checks":[{"result","what"}],"cause","fix":[...]} (docs/diagnostics.md);
 * the caller owns it. A walk that broke off on an error gives the checks
 * made until then, with "cause" null. line and data are unused (pass
 * NULL): they said the findings as text before *out held them. */
NSNET_EXPORT int nsnet_doctor(struct nsnet *nn, const char *ns,
			      const char *dest,
			      void (*line)(void *data, const char *text),
			      void *data, struct json_t **out);

/* ---- check: the reachability matrix (lib/diagnosis/) ---------------------------- */

/* Every node of a topology (FILE, or NAME of one that is up) against every
 * other, by ICMP and by the ports its expectations name, concurrently;
 * nothing waits longer than timeout_s (0: 1.5 s). *out is a JSON document
 * (docs/json.md); returns the number of broken expectations (0: all met)
 * or a negative errno. */
NSNET_EXPORT int nsnet_check(struct nsnet *nn, const char *file_or_name,
			     double timeout_s, struct json_t **out);

struct nsnet_check_opts {
	size_t struct_size;       /* sizeof(struct nsnet_check_opts) */
	double timeout;           /* seconds a probe may take; 0: 1.5 */
	/* 0: every pair. K: each node probes K other nodes, the
	 * ((nodes - 1) / K)-th, twice that... after it in file order (wrapping
	 * around), and every address column, plus every cell an expectation
	 * names; summary.sample in *out says what was left out. */
	size_t sample;
};
/*
 * nsnet_check with options. Probes between nodes of one segment use
 * permanent neighbour entries that check adds and deletes itself (the
 * kernel's table is shared by the whole machine); a probe the local kernel
 * would not send is "not probed", never "unreachable", and an expectation
 * on such a cell counts as not met. Long checks report their progress
 * through the callback of nsnet_set_progress(), step "check", done and
 * total in probes (done: answered or given up).
 */
NSNET_EXPORT int nsnet_check_run(struct nsnet *nn, const char *file_or_name,
				 const struct nsnet_check_opts *opts,
				 struct json_t **out);

/* ---- capture and trace (lib/diagnosis/) ---------------------------- */

struct nsnet_capture_opts {
	size_t struct_size;       /* sizeof(struct nsnet_capture_opts) */
	const char *filter;       /* pcap-filter expression; NULL/"": all */
	const char *pcap_file;    /* write pcap (Ethernet) here, no lines */
	unsigned int count;       /* stop after this many packets; 0: never */
	double duration;          /* stop after this many seconds; 0: never */
	const volatile int *stop; /* stop once non-zero (a signal handler's flag) */
};
/* Packets on ifname ("any": every interface) of namespace ns, filtered by
 * the kernel. Each packet is one line through line() ("12:00:00.123456
 * eth0 out 10.0.0.1 > 10.0.0.2: ICMP echo request id 7 seq 1, length 84")
 * unless pcap_file is set. Returns the number of packets or a negative
 * errno; a bad filter is a usage error carrying libpcap's message. */
NSNET_EXPORT int nsnet_capture(struct nsnet *nn, const char *ns,
			       const char *ifname,
			       const struct nsnet_capture_opts *opts,
			       void (*line)(void *data, const char *text),
			       void *data);

#define NSNET_TRACE_ICMP 0
#define NSNET_TRACE_TCP 1
#define NSNET_TRACE_UDP 2
struct nsnet_trace_opts {
	size_t struct_size;       /* sizeof(struct nsnet_trace_opts) */
	int proto;                /* NSNET_TRACE_* */
	unsigned int port;        /* TCP/UDP destination port (1..65535) */
	double timeout;           /* seconds to wait for the reply; 0: 1.0 */
};
/* One probe from ns to dest, watched by a packet socket in every namespace
 * (the host and /run/netns) at once. *out (the caller's) is the path, see
 * docs/json.md; it is set whenever the probe was sent. Returns 0 when the
 * reply came back to ns; -EHOSTUNREACH when not, with an error naming
 * where the probe was last seen; another negative errno (and no *out) when
 * the probe could not be sent or the input is bad. */
NSNET_EXPORT int nsnet_trace(struct nsnet *nn, const char *ns, const char *dest,
			     const struct nsnet_trace_opts *opts,
			     struct json_t **out);

/* ---- running programs --------------------------------------------------------- */

#define NSNET_EXEC_PID 0x1    /* own PID namespace and /proc */
/* Runs argv inside ns the way `ip netns exec` does; returns its exit status
 * (0..255) or a negative errno; -ENOENT/-EACCES only when the command
 * itself was not found/not executable (a shell's 127/126). */
NSNET_EXPORT int nsnet_exec(struct nsnet *nn, const char *ns,
			    char *const argv[], unsigned int flags);
/* Never returns on success: replaces the process with the user's shell. */
NSNET_EXPORT int nsnet_shell(struct nsnet *nn, const char *ns);
/* Runs argv in a throwaway sandbox; returns its exit status. */
NSNET_EXPORT int nsnet_sandbox(struct nsnet *nn, char *const argv[],
			       bool upstream);

/* ---- firewall: NAT, published ports, isolation ------------------------------------ */

NSNET_EXPORT int nsnet_nat_add(struct nsnet *nn, const char *bridge,
			       const char *out_if);
NSNET_EXPORT int nsnet_nat_del(struct nsnet *nn, const char *bridge);
NSNET_EXPORT int nsnet_publish(struct nsnet *nn, const char *ns,
			       const char *spec);
NSNET_EXPORT int nsnet_unpublish(struct nsnet *nn, const char *ns,
				 const char *spec);
NSNET_EXPORT int nsnet_allow(struct nsnet *nn, const char *br1,
			     const char *br2, bool allow);
/* JSON object {"nat":[...],"published":[...],"isolation":{...}} */
NSNET_EXPORT int nsnet_fw_show(struct nsnet *nn, struct json_t **out);

/* ---- topologies ------------------------------------------------------------------- */

/* Change nothing: the commands of nsnet_topo_plan() come through line(),
 * one per call (preceded by "# NAME is up to date: nothing to do" when
 * there are none). */
#define NSNET_TOPO_DRY_RUN 0x1
/* Report progress through the callback of nsnet_set_progress(). */
#define NSNET_TOPO_PROGRESS 0x2
/* FILE "-" reads the topology from standard input (up keeps a copy in
 * the record, /run/nsnet/topo/NAME/topology.yaml, for later status).
 * Create or repair the topology of file. Its result lines ("repair: ...",
 * "NAME: N nodes, ... up") come through line(), one per call; line may be
 * NULL. */
NSNET_EXPORT int nsnet_topo_up(struct nsnet *nn, const char *file,
			       unsigned int flags,
			       void (*line)(void *data, const char *text),
			       void *data);
/* What up would do, without doing it, in the order up does it:
 * {"name","file","actions":[{"kind","object","repair","commands":[...]}]}
 * where kind names the action ("bridge", "namespace", "veth", "address",
 * "nat", "publish", "run", ...), object is a sentence naming what it
 * makes or repairs, and commands are the equivalent ip/nft/shell commands
 * as strings. The caller owns *out. */
NSNET_EXPORT int nsnet_topo_plan(struct nsnet *nn, const char *file,
				 struct json_t **out);
/* nsnet_topo_up() with its result as data instead of lines: *out (the
 * caller's, also on failure when the file parsed) is {"name","file",
 * "changed":bool,"actions":[{"kind","object","repair"}],"nodes","networks",
 * "cables"}. */
NSNET_EXPORT int nsnet_topo_up_json(struct nsnet *nn, const char *file,
				    unsigned int flags, struct json_t **out);
/* -ESRCH (error set, exit code 1) when nothing carries the topology's mark. */
NSNET_EXPORT int nsnet_topo_down(struct nsnet *nn, const char *file_or_name);
/* The topologies that are up: [{"name","file","nodes":N,"state"}] sorted
 * by name; state is "up" (matches its file), "drifted" (status would
 * report differences), "file missing" or "file broken" (it no longer
 * parses). */
NSNET_EXPORT int nsnet_topo_list(struct nsnet *nn, struct json_t **out);
NSNET_EXPORT int nsnet_topo_status(struct nsnet *nn, const char *file_or_name,
				   struct json_t **out);
/* Copies the output of NODE's run: and setup: commands to out_fd, each
 * line behind the command's tag: "[web:0] " for run: 0, "[web:setup0] "
 * for setup: 0. */
NSNET_EXPORT int nsnet_topo_logs(struct nsnet *nn, const char *node, int out_fd);
struct nsnet_logs_opts {
	size_t struct_size;       /* sizeof(struct nsnet_logs_opts) */
	bool follow;              /* then wait for more, until *stop */
	const volatile int *stop; /* needed with follow */
};
/* The same lines, tag included, one per call of line(). */
NSNET_EXPORT int nsnet_topo_logs_lines(struct nsnet *nn, const char *node,
				       const struct nsnet_logs_opts *opts,
				       void (*line)(void *data, const char *text),
				       void *data);

/* A picture of a topology: FILE as written (no kernel access), or the
 * topology NAME that is up with the state of each object (up, drifted,
 * missing) as status sees it. format: "svg" (NULL), "dot", "mermaid" or
 * "html" (one self-contained page). *out (text) is the caller's: free(). */
NSNET_EXPORT int nsnet_topo_graph(struct nsnet *nn, const char *file_or_name,
				  const char *format, char **out);
/* A topology file (YAML, docs/topology.md) describing what exists now:
 * the namespaces ns[0..n-1] (n 0: every namespace nsnet has a record of),
 * their bridges, cables, addresses, routes, NAT, published ports and
 * forwarding. name NULL: the topology they belong to, else "exported".
 * *yaml is the caller's: free(). */
NSNET_EXPORT int nsnet_topo_export(struct nsnet *nn, const char *name,
				   const char *const *ns, size_t n, char **yaml);

/* ---- CNI plugin (nsnet-cni, docs/cni.md) -------------------------------- */

/* One request as a container runtime makes it: the CNI_* variables, the
 * whole environment (handed on to a delegated IPAM plugin) and stdin. */
struct nsnet_cni_request {
	size_t size;            /* sizeof(struct nsnet_cni_request) */
	const char *command, *container_id, *netns, *ifname, *args, *path;
	char *const *environ;
	const char *config;     /* the network configuration (stdin) */
	size_t config_len;
};
/* Run it. *out (the caller's) is what goes to stdout: a result, the
 * spec's error object, or "" for a command that answers nothing. Returns
 * the exit status, 0 or 1. */
NSNET_EXPORT int nsnet_cni(struct nsnet *nn, const struct nsnet_cni_request *req,
			   char **out);
/* Every attachment nsnet-cni made, from its records: JSON array of
 * {"network", "container_id", "ifname", "host_ifname", "bridge", "netns",
 * "addresses", "ports", "complete", "state"}; state is "ok", "incomplete",
 * "namespace gone" (GC takes it) or "host end missing". */
NSNET_EXPORT int nsnet_cni_attachments(struct nsnet *nn, struct json_t **out);

#endif /* NSNET_H */
