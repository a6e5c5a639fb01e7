/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kernel/kernel.h - the kernel layer: rtnetlink transport and one decoder
 * per kernel object, namespaces, links, veth pairs, bridges, VXLAN devices,
 * addresses, routes, sysctls and sock_diag. What it offers the layers
 * above; it calls only base/.
 */
#ifndef NSNET_KERNEL_H
#define NSNET_KERNEL_H

#include "base/base.h"

struct mnl_socket;
struct json_t;

/* ---- netns.c ---------------------------------------------------------------- */


/* A namespace nsnet talks to: opened once per command, cached in the context. */
struct ns {
	char name[256];
	int fd;                      /* the namespace (O_RDONLY of its file) */
	struct mnl_socket *nl;       /* rtnetlink socket living in it, or NULL */
	uint32_t portid, seq;
	struct ns *next;
};

/* Open (once) and return the namespace called name ("host" included). */
int ns_get(struct nsnet *nn, const char *name, struct ns **out);
/* Open (once) the network namespace file at path (a CNI runtime's
 * CNI_NETNS); path is its name. The error names the path; its code is
 * ENOENT when there is no such file. */
int ns_get_path(struct nsnet *nn, const char *path, struct ns **out);
/* Run fn(arg) with the calling thread inside ns, then come back. The
 * explicit name says what it does: nothing else switches namespaces. */
int ns_call(struct nsnet *nn, struct ns *ns, int (*fn)(void *arg), void *arg);
/* Whether /run/netns/name exists ("host" always does). */
bool ns_exists(const char *name);
/* Create a namespace (bind mount under /run/netns, loopback up, record). */
int ns_add(struct nsnet *nn, const char *name);
/* JSON array of {"name", "nsnet"} sorted by name. */
int ns_list(struct nsnet *nn, struct json_t **out);
/* Close ns's fd and socket and drop it from the cache. Bulk work releases
 * each namespace when done with it: 1,000 nodes would otherwise hold 2,000
 * descriptors, past RLIMIT_NOFILE's usual 1,024 and past FD_SETSIZE, which
 * libnftables' select() cannot handle. */
void ns_release(struct nsnet *nn, const char *name);
void ns_release_all(struct nsnet *nn);
/* Create many namespaces at once (threads; see netns.c); created[i] tells
 * which ones exist now, for the caller's undo. */
int ns_add_many(struct nsnet *nn, char *const *names, size_t n, bool *created);
int ns_del_many(struct nsnet *nn, char *const *names, size_t n);
/* Delete one namespace (unmount, remove its file and its record); no
 * question of whose it is: callers ask. */
int ns_del(struct nsnet *nn, const char *name);
/* The id the host gives namespace name (what the host ends of its veths
 * carry as IFLA_LINK_NETNSID), -1 when it has none. */
int ns_host_nsid(struct nsnet *nn, const char *name);
/* After deleting namespaces: wait until the host has no veth whose peer
 * was in one of them (the ids of ns_host_nsid), at most max_ms. */
void ns_peers_wait(struct nsnet *nn, const int *ids, size_t n,
		   unsigned int max_ms);
/* Whether nsnet created this namespace (record under /run/nsnet/ns). */
bool ns_is_ours(const char *name);
/* The owner in a namespace's record ("" for a plain `ns add`, else the
 * topology); -ENOENT when nsnet has no record of it. The one reader of
 * /run/nsnet/ns. */
int ns_record_owner(const char *name, char *owner, size_t len);
/* Forget a namespace (its record only). */
void ns_record_remove(const char *name);
/* Every namespace whose record names owner; *names (strings and array)
 * is the caller's. */
size_t ns_records_of(const char *owner, char ***names);

/* ---- netlink.c -------------------------------------------------------------- */

#define NL_MSG_MAX 2048  /* room reserved for each message in a batch */

/* One request in a batch and what to call it in an error message. */
struct nl_req {
	uint32_t seq;
	char what[160];
	int error;              /* after send: 0 or negative errno */
	bool done;              /* its ACK came: error says how it went */
	bool ignore_exist;      /* EEXIST is fine (idempotent creation) */
	bool ignore_missing;    /* ENOENT/ENODEV/ESRCH are fine (deletion) */
	bool ignore_no_ipv6;    /* EAFNOSUPPORT is fine: the link or the kernel
				 * has no IPv6, so an IPv6 setting is moot */
	bool barrier;           /* sent only after all before it succeeded */
};

struct nl_batch {
	char *buf;
	size_t len, cap;
	struct nl_req *req;
	size_t n, req_cap;
	struct nlmsghdr *cur;   /* message being built */
	bool overflow;          /* an attribute did not fit: batch refused */
	bool barrier_next;      /* the next request starts after a barrier */
};

/* Open ns's socket in the namespace the calling thread is in (arg: the
 * struct ns); for callers that are inside already (ns_call, ns add). */
int nl_open_here(void *arg);
void nl_batch_init(struct nl_batch *b);
void nl_batch_free(struct nl_batch *b);
/* Start a new request; the returned header is filled with the nl_put_*
 * helpers below. what is printf-style and names the object for errors. */
struct nlmsghdr *nl_batch_add(struct nl_batch *b, uint16_t type, uint16_t flags,
			      const char *what, ...)
	__attribute__((format(printf, 4, 5)));
struct nl_req *nl_batch_last(struct nl_batch *b);
/*
 * The kernel runs every request of one sendmsg() even after one failed. A
 * request that must not run unless the ones before it succeeded (setting
 * the alias of a link by name right after creating it: if the creation
 * failed with EEXIST, the name belongs to somebody else) starts after a
 * barrier, which costs one more round trip.
 */
void nl_batch_barrier(struct nl_batch *b);
void *nl_put_extra(struct nl_batch *b, size_t size);
void nl_put_u8(struct nl_batch *b, uint16_t type, uint8_t v);
void nl_put_u32(struct nl_batch *b, uint16_t type, uint32_t v);
void nl_put_str(struct nl_batch *b, uint16_t type, const char *s);
void nl_put(struct nl_batch *b, uint16_t type, size_t len, const void *data);
struct nlattr *nl_nest_start(struct nl_batch *b, uint16_t type);
void nl_nest_end(struct nl_batch *b, struct nlattr *nest);
/*
 * Send every request in as few sendmsg() calls as the socket buffer allows,
 * one ACK each. Returns 0 when all succeeded; otherwise the first failure
 * becomes the context error ("<what>: <extack> (<strerror>)") and its
 * negative errno is returned. Later requests may have run: callers undo.
 */
int nl_batch_send(struct nsnet *nn, struct ns *ns, struct nl_batch *b);

/* A link as the kernel reports it, asked for by name. */
struct nl_link {
	int index;
	unsigned int flags, mtu;
	int master;             /* 0: none */
	int link;               /* veth peer index (in link_netnsid when >=0) */
	int link_netnsid;       /* -1: same namespace */
	char name[16];
	char kind[16];
	char alias[256];
	char qdisc[16];         /* "noop" until linkwatch activates the device */
	unsigned char mac[6];
	unsigned int operstate;
	unsigned int group;     /* NSNET_LINK_GROUP: born by nsnet */
};
/* 0 and *l filled; -ENODEV when there is no such link (no error set). */
int nl_link_get(struct nsnet *nn, struct ns *ns, const char *ifname,
		struct nl_link *l);
int nl_link_get_index(struct nsnet *nn, struct ns *ns, int index,
		      struct nl_link *l);
/* The descriptor of ns's rtnetlink socket (opened if need be), for the
 * ioctls the kernel answers on any socket of a namespace; or an error. */
int nl_fd(struct nsnet *nn, struct ns *ns);
/* Run a dump request; cb is called for every message. -EINTR (and no
 * error set) when the kernel says the objects changed during the dump:
 * the caller resets what cb collected and asks again. */
int nl_dump(struct nsnet *nn, struct ns *ns, struct nlmsghdr *req,
	    int (*cb)(const struct nlmsghdr *nlh, void *data), void *data);
/* One request, one answer (not a dump): cb sees the answer. Returns 0 or
 * the kernel's negative errno; sets the context error only for transport
 * failures, so callers can name the object themselves. */
int nl_query(struct nsnet *nn, struct ns *ns, struct nlmsghdr *req,
	     int (*cb)(const struct nlmsghdr *nlh, void *data), void *data);
/* One NLMSG_ERROR (an ACK when *error is 0): the kernel's error and its
 * extended-ACK message (*msg, inside nlh, or NULL); -EINVAL for a message
 * that is not a whole NLMSG_ERROR. nlh must lie in a buffer of at least
 * nlmsg_len bytes (mnl_nlmsg_ok). Not static only for its fuzzer
 * (tests/fuzz/fuzz_netlink.c): it reads what the kernel sends, lengths
 * inside included. */
int nl_ack_parse(const struct nlmsghdr *nlh, int *error, const char **msg);
/* The id ns gives to the namespace other (RTM_GETNSID with NETNSA_FD, no
 * dump): what its veths report as IFLA_LINK_NETNSID; -1 if none. */
int nl_nsid_of(struct nsnet *nn, struct ns *ns, const struct ns *other);
/* ---- decode.c: one decoder per kernel object ---------------------------------- */

/* Each fills a plain struct from one message, checking every attribute's
 * length first; -EINVAL for a message that is not a well-formed object of
 * its kind (the caller skips it). No error is set. */
int nl_link_parse(const struct nlmsghdr *nlh, struct nl_link *l);

struct nl_addr {
	int index;
	unsigned int scope;     /* RT_SCOPE_* */
	unsigned int flags;     /* IFA_F_* */
	unsigned int proto;     /* IFA_PROTO: RTPROT_NSNET on nsnet's */
	struct ipaddr ip;       /* with its prefix */
};
int nl_addr_parse(const struct nlmsghdr *nlh, struct nl_addr *a);
/* The addresses of family (AF_UNSPEC: all) on index (0: every link) in ns,
 * each through cb (a negative return stops the dump). When the kernel says
 * the addresses changed during the dump, restart(data) resets what cb
 * collected and the dump runs again (up to 5 times); restart NULL: no
 * retry, -EINTR comes back. */
int nl_addr_dump(struct nsnet *nn, struct ns *ns, int family, int index,
		 int (*cb)(const struct nl_addr *a, void *data), void *data,
		 void (*restart)(void *data));

struct nl_route {
	int family;
	unsigned int type, protocol, scope, table;   /* RTN_, RTPROT_, RT_SCOPE_, RT_TABLE_ */
	struct ipaddr dst;      /* prefix 0: default */
	struct ipaddr gateway, prefsrc;
	bool has_gateway, has_prefsrc;
	int oif;                /* 0: none */
	unsigned int priority;
};
int nl_route_parse(const struct nlmsghdr *nlh, struct nl_route *r);
/* The routes of family (AF_UNSPEC: both) in ns, every table, each through
 * cb; changes during the dump as nl_addr_dump(). */
int nl_route_dump(struct nsnet *nn, struct ns *ns, int family,
		  int (*cb)(const struct nl_route *r, void *data), void *data,
		  void (*restart)(void *data));

struct nl_neigh {
	int index;
	unsigned int state, flags;  /* NUD_*, NTF_* */
	unsigned int protocol;      /* NDA_PROTOCOL: RTPROT_NSNET marks nsnet's */
	struct ipaddr ip;
	unsigned char mac[6];
	bool has_mac;
};
int nl_neigh_parse(const struct nlmsghdr *nlh, struct nl_neigh *n);

/* A queueing discipline (RTM_NEWQDISC) with the options nsnet reads: the
 * token bucket's rate and the netem delay. */
struct nl_qdisc {
	int index;              /* the link */
	uint32_t handle, parent;
	char kind[16];          /* "tbf", "netem", "noqueue", ... */
	uint64_t rate;          /* tbf: bytes per second */
	uint64_t burst;         /* tbf: bytes the bucket holds */
	uint32_t limit;         /* tbf: bytes queued; netem: packets */
	uint64_t latency_ns;    /* netem */
	uint64_t jitter_ns;     /* netem */
};
int nl_qdisc_parse(const struct nlmsghdr *nlh, struct nl_qdisc *q);


/* ---- link.c ---------------------------------------------------------------- */

/*
 * The kernel ignores IFLA_IFALIAS in the RTM_NEWLINK that creates a link
 * (6.18: only RTM_SETLINK sets it), but it takes IFLA_GROUP. Every link
 * nsnet creates is born in this link group ("nsnt"), in the same request,
 * on both ends of a veth: a link that is not in it was not made by nsnet,
 * whatever its name. The alias, set right after by index, says whose it is.
 */
#define NSNET_LINK_GROUP 0x6e736e74u
/* The protocol number that marks the routes and the addresses nsnet adds
 * ("proto 245" in `ip route` and `ip addr`, IFA_PROTO since Linux 6.1);
 * unassigned in iproute2's rt_protos. A delete without NSNET_FORCE asks
 * the kernel for exactly this protocol. */
#define RTPROT_NSNET 245

/* Alias every link nsnet creates carries: "nsnet" or "nsnet:<owner>". */
const char *link_mark(struct nsnet *nn);
bool link_is_ours(const struct nl_link *l);
/* Whether alias is nsnet's mark; owner receives the name it carries ("" for
 * a plain "nsnet"). */
bool link_mark_owner(const char *alias, char *owner, size_t len);
/* Whether alias is nsnet's mark naming exactly owner. */
bool link_mark_is(const char *alias, const char *owner);
/* Queue "ifname: set up/down" etc. on an existing link by name. */
void link_queue_set(struct nl_batch *b, const char *ns_name, const char *ifname,
		    int index, int up, unsigned int mtu, int master,
		    const char *alias);
/* The head of a creating RTM_NEWLINK: name, up, nsnet's group (born
 * marked), mtu and master when not 0. */
void link_put_new(struct nl_batch *b, const char *name, bool up, unsigned int mtu,
		  int master);
void link_queue_del(struct nl_batch *b, const char *ns_name, const char *ifname,
		    int index);
/* An offload of ifname in ns on or off through the ethtool ioctl (cmd:
 * ETHTOOL_SGRO, ETHTOOL_STSO, ...); the error names the link. */
int link_offload_set(struct nsnet *nn, struct ns *ns, const char *ifname,
		     unsigned int cmd, bool on);
/* Queue "no IPv6 link-local address" (addrgenmode none) on ifname, before
 * it comes up: no duplicate address detection, router solicitation or
 * multicast report of its own. */
void link_queue_no_ll(struct nl_batch *b, const char *ns_name, const char *ifname);
/* Every link of ns through cb (a negative return stops the dump). When
 * links change during the dump, restart(data) resets what cb collected
 * and the dump runs again (bounded, about 2 s); restart NULL: no retry,
 * -EINTR comes back. */
int link_dump(struct nsnet *nn, struct ns *ns,
	      int (*cb)(const struct nl_link *l, void *data), void *data,
	      void (*restart)(void *data));

/* Wait until none of the links names[] of ns exists any more, at most
 * max_ms: host ends of veths whose peers' namespaces were deleted, which
 * the kernel destroys in the background. Each is asked for by name until
 * it is gone (a dump of a host's links costs, per veth, a walk over all of
 * the host's namespace ids: quadratic with thousands). */
void link_wait_gone(struct nsnet *nn, struct ns *ns, char *const *names,
		    size_t n, unsigned int max_ms);

/* ---- veth.c / bridge.c -------------------------------------------------------- */

/* Queue a veth pair: name in the namespace the batch is sent in, peer born
 * in peer_ns (NULL: same namespace); master > 0 enslaves name at creation. */
void veth_queue_add(struct nl_batch *b, const char *ns_name, const char *name,
		    const struct ns *peer_ns, const char *peer, int master,
		    unsigned int mtu, bool up);
/* Host-side name of the veth attaching ns to bridge: "<ns:8>-<hash:6>". */
void attach_host_ifname(char *buf, size_t len, const char *ns,
			const char *bridge);
void bridge_queue_add(struct nl_batch *b, const char *name, bool up);

/* ---- addr.c / route.c --------------------------------------------------------- */

void addr_queue(struct nl_batch *b, bool add, const char *ns_name,
		const char *ifname, int index, const struct ipaddr *ip);
/* dest family/prefix; via may be NULL; oif 0 for none. */
void route_queue(struct nl_batch *b, bool add, const char *ns_name,
		 const struct ipaddr *dest, const struct ipaddr *via, int oif,
		 const char *dev);

/* ---- qdisc.c: the queueing disciplines of link impairments -------------------- */

/*
 * Handles of the qdiscs nsnet puts on a link ("6e73:" is "ns"): the root
 * (a token bucket for a rate, or netem for a delay alone) and netem under
 * the token bucket's one class when a link has both. A root qdisc with
 * another non-zero handle was put there by somebody else.
 */
#define QDISC_ROOT_HANDLE 0x6e730000u
#define QDISC_NETEM_HANDLE 0x6e740000u
#define QDISC_TBF_CLASS (QDISC_ROOT_HANDLE | 1u)

/* Bucket size and queue length of a token bucket for rate_bps on a link
 * of this MTU, both in bytes (see qdisc.c for the reasons). */
void qdisc_tbf_sizes(uint64_t rate_bps, unsigned int mtu, uint32_t *burst,
		     uint32_t *limit);
/* Queue a token bucket (replacing one of the same handle and kind) on link
 * index of ns_name; ifname names it in errors. */
void qdisc_queue_tbf(struct nl_batch *b, const char *ns_name,
		     const char *ifname, int index, uint32_t parent,
		     uint32_t handle, uint64_t rate_bps, unsigned int mtu);
/* Queue a netem qdisc delaying every packet by delay_us, +- jitter_us
 * (uniform). */
void qdisc_queue_netem(struct nl_batch *b, const char *ns_name,
		       const char *ifname, int index, uint32_t parent,
		       uint32_t handle, unsigned int delay_us,
		       unsigned int jitter_us);
/* Queue the deletion of the root qdisc (the kernel's default comes back). */
void qdisc_queue_del_root(struct nl_batch *b, const char *ns_name,
			  const char *ifname, int index);
/* Whether the kernel has the qdisc kind: asks it to create one on link
 * index without options, which every kind refuses after loading its
 * module and before changing anything. 0: it has it; -ENOENT with the
 * kernel's answer in the context error: it has not. */
int qdisc_kind_probe(struct nsnet *nn, struct ns *ns, const char *ifname,
		     int index, const char *kind);
/* Every qdisc of ns through cb (a dump; -EINTR as nl_dump()). There is no
 * lookup of one link's: a GET of a built-in root (noqueue) gets no answer
 * at all, and the dump leaves the built-in ones out. */
int qdisc_dump(struct nsnet *nn, struct ns *ns,
	       int (*cb)(const struct nl_qdisc *q, void *data), void *data);

/* ---- neigh.c: neighbour entries ----------------------------------------------- */

/* Queue a permanent entry ip -> mac on ifindex index, marked with protocol
 * RTPROT_NSNET. NLM_F_EXCL: an entry that exists is not touched (EEXIST).
 * Permanent entries do not count against the machine-wide gc_thresh3. */
void neigh_queue_add(struct nl_batch *b, const char *ns_name, int index,
		     const struct ipaddr *ip, const unsigned char mac[6]);
/* Queue the deletion of the entry for ip on index; a missing one is fine. */
void neigh_queue_del(struct nl_batch *b, const char *ns_name, int index,
		     const struct ipaddr *ip);
/* Every entry of family (AF_UNSPEC: both) in ns through cb (a negative
 * return stops). When the table changed during the dump, restart(data)
 * resets what cb collected and it runs again (up to 10 times); restart
 * NULL: -EINTR comes back. */
int neigh_dump(struct nsnet *nn, struct ns *ns, int family,
	       int (*cb)(const struct nl_neigh *n, void *data), void *data,
	       void (*restart)(void *data));
/* How often the kernel's neighbour tables (IPv4 and IPv6, one each for
 * the whole machine) were full when an entry was needed: the sum of their
 * table_fulls counters, as seen from ns. */
int neigh_table_fulls(struct nsnet *nn, struct ns *ns, unsigned long *fulls);

/* ---- vxlan.c: VXLAN devices and their forwarding entries ---------------------- */

/* The UDP port of VXLAN (IANA, RFC 7348). */
#define VXLAN_PORT 4789

/* A VXLAN device's settings (decode.c). */
struct nl_vxlan {
	uint32_t vni;
	struct ipaddr local;    /* family 0: none */
	unsigned int port;      /* UDP destination port */
	bool learning;
};
/* -EINVAL when the link is not a VXLAN device. */
int nl_vxlan_parse(const struct nlmsghdr *nlh, struct nl_vxlan *vx);

/* A bridge forwarding entry (RTM_NEWNEIGH of AF_BRIDGE; decode.c). */
struct nl_fdb {
	int index;              /* the port (or the VXLAN device) */
	unsigned int state, flags;  /* NUD_*, NTF_* (NTF_SELF: the device's own) */
	unsigned char mac[6];
	bool has_dst;
	struct ipaddr dst;      /* a VXLAN entry's remote */
	uint32_t vni;
	int master;
};
int nl_fdb_parse(const struct nlmsghdr *nlh, struct nl_fdb *f);

/* Queue a VXLAN device: vni, local address, UDP port VXLAN_PORT, learning
 * off (remotes come only from static entries), born in nsnet's link group,
 * enslaved to master (> 0) at creation, mtu (0: the kernel's), up. */
void vxlan_queue_add(struct nl_batch *b, const char *ns_name, const char *name,
		     uint32_t vni, const struct ipaddr *local, int master,
		     unsigned int mtu, bool up);
/* Queue the entry that sends every frame the device has no better entry
 * for (broadcasts, unknown unicast: MAC 00:00:00:00:00:00) to dst too:
 * head-end replication, one entry per remote, no multicast. */
void fdb_queue_append(struct nl_batch *b, const char *ns_name,
		      const char *ifname, int index, const struct ipaddr *dst);
/* Queue the deletion of that entry; a missing one is fine. */
void fdb_queue_del(struct nl_batch *b, const char *ns_name, const char *ifname,
		   int index, const struct ipaddr *dst);
/* The VXLAN device name in ns: 0 with *l and *vx, -ENODEV when there is
 * no such link (no error set), -EMEDIUMTYPE when it is not a VXLAN. */
int vxlan_get(struct nsnet *nn, struct ns *ns, const char *name,
	      struct nl_link *l, struct nl_vxlan *vx);
/* The forwarding entries of link index in ns (the bridge's for a port,
 * and the device's own) through cb; -EINTR as nl_dump(). */
int fdb_dump(struct nsnet *nn, struct ns *ns, int index,
	     int (*cb)(const struct nl_fdb *f, void *data), void *data);

/* ---- sysctl.c -------------------------------------------------------------- */

/* path relative to /proc/sys/, read or written inside ns. */
int sysctl_read(struct nsnet *nn, struct ns *ns, const char *path, char *buf,
		size_t len);
int sysctl_write(struct nsnet *nn, struct ns *ns, const char *path,
		 const char *value);

/* Whether IPv4/IPv6 forwarding is on in ns_name. */
int forward_get(struct nsnet *nn, const char *ns_name, bool *v4, bool *v6);

/* ---- sockdiag.c -------------------------------------------------------------- */

/* Open a NETLINK_SOCK_DIAG socket in the calling thread's namespace (arg:
 * struct mnl_socket **; for ns_call). */
int sockdiag_open(void *arg);
/* The first port in [lo, hi] that a socket of nl's namespace listens on
 * (TCP) or is bound to (UDP) for addr: NULL or 0.0.0.0/0 (prefix 0) any
 * IPv4 address, ::/0 any IPv6 address, else that one address (prefix -1).
 * 0 when none. */
int sockdiag_holder(struct nsnet *nn, struct mnl_socket *nl, int proto,
		    unsigned int lo, unsigned int hi, const struct ipaddr *addr,
		    unsigned int *port);

/* ---- route.c ---------------------------------------------------------------- */

int route_parse(struct nsnet *nn, const char *dest, const char *via,
		struct ipaddr *d, struct ipaddr *g);
/* "dhcp", "kernel", ... as iproute2 names a route's protocol; else its
 * number. */
const char *route_proto_name(unsigned int proto, char *buf, size_t len);

#endif /* NSNET_KERNEL_H */
