/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * internal.h - what the files of lib/ share and nobody else sees.
 */
#ifndef NSNET_INTERNAL_H
#define NSNET_INTERNAL_H

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <linux/netlink.h>

#include "nsnet.h"

struct mnl_socket;

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Grow a heap array by one zeroed element (aborts when memory runs out). */
#define ARRAY_GROW(arr, n) do {                                            \
	void *p_ = realloc((arr), ((n) + 1) * sizeof(*(arr)));             \
	if (!p_)                                                           \
		abort();                                                   \
	(arr) = p_;                                                        \
	memset(&(arr)[(n)], 0, sizeof(*(arr)));                            \
} while (0)

/* Cleanup attributes: ownership is handed over with steal_ptr()/steal_fd(). */
static inline void freep(void *p) { free(*(void **)p); }
static inline void closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}
#define cleanup_free __attribute__((cleanup(freep)))
#define cleanup_close __attribute__((cleanup(closep)))
static inline void *steal_ptr(void *pp)
{
	void **p = pp, *v = *p;
	*p = NULL;
	return v;
}
static inline int steal_fd(int *fd)
{
	int v = *fd;
	*fd = -1;
	return v;
}

/* ---- error.c ---------------------------------------------------------------- */

#define NSNET_ERR_MAX 1024

/*
 * Set the context's error to "<what>: <detail>" and return -code (code is a
 * positive errno). err_kernel() adds the extended-ACK text when there is one.
 * err_usage() marks the error as bad input (exit status 2).
 */
int err_set(struct nsnet *nn, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int err_usage(struct nsnet *nn, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int err_kernel(struct nsnet *nn, int code, const char *extack,
	       const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Prefix the current error with "<what>: " (used when a caller adds context). */
void err_prefix(struct nsnet *nn, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void err_clear(struct nsnet *nn);
void warn_emit(struct nsnet *nn, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* ---- netns.c ---------------------------------------------------------------- */

#define NETNS_RUN_DIR "/run/netns"
#define NSNET_RUN_DIR "/run/nsnet"
#define NETNS_ETC_DIR "/etc/netns"

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
/* Run fn(arg) with the calling thread inside ns, then come back. The
 * explicit name says what it does: nothing else switches namespaces. */
int ns_call(struct nsnet *nn, struct ns *ns, int (*fn)(void *arg), void *arg);
bool ns_is_host(const char *name);
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
/* Whether nsnet created this namespace (record under /run/nsnet/ns). */
bool ns_is_ours(const char *name);

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
	unsigned char mac[6];
	unsigned int operstate;
};
/* 0 and *l filled; -ENODEV when there is no such link (no error set). */
int nl_link_get(struct nsnet *nn, struct ns *ns, const char *ifname,
		struct nl_link *l);
int nl_link_get_index(struct nsnet *nn, struct ns *ns, int index,
		      struct nl_link *l);
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
/* The id ns gives to the namespace other (RTM_GETNSID with NETNSA_FD, no
 * dump): what its veths report as IFLA_LINK_NETNSID; -1 if none. */
int nl_nsid_of(struct nsnet *nn, struct ns *ns, const struct ns *other);
/* mnl_attr_parse() callback filling a table of NL_ATTR_TABLE_MAX + 1
 * attributes by type (every IFA_, RTA_, NDA_ maximum used is below it). */
#define NL_ATTR_TABLE_MAX 32
int nl_attr_table_cb(const struct nlattr *attr, void *data);
/* Parse the attributes of an ifinfomsg into l. */
void nl_link_parse(const struct nlmsghdr *nlh, struct nl_link *l);

/* ---- names.c ---------------------------------------------------------------- */

struct ipaddr {
	int family;             /* AF_INET or AF_INET6 */
	int prefix;             /* -1 when none was written */
	union {
		struct in_addr v4;
		struct in6_addr v6;
		unsigned char b[16];
	} a;
};
/* Strict parsers; return 0 or -EINVAL (no error set: callers name the input). */
int ip_parse(const char *s, struct ipaddr *ip);       /* address, no prefix */
int cidr_parse(const char *s, struct ipaddr *ip);     /* address[/prefix] */
int prefix_parse(const char *s, struct ipaddr *ip);   /* network/prefix or "default" */
size_t ip_len(const struct ipaddr *ip);
void ip_mask(struct ipaddr *ip);                      /* clear host bits */
bool ip_in_prefix(const struct ipaddr *net, const struct ipaddr *ip);
bool ip_equal(const struct ipaddr *a, const struct ipaddr *b);
char *ip_str(const struct ipaddr *ip, char *buf, size_t len); /* with /prefix if >=0 */
int check_ns_name(struct nsnet *nn, const char *name, bool allow_host);
int check_ifname(struct nsnet *nn, const char *name);
/* A socket address for ip and port (host order). */
socklen_t ip_sockaddr(const struct ipaddr *ip, uint16_t port,
		      struct sockaddr_storage *ss);
/* FNV-1a: stable short hashes for derived interface names. */
uint32_t name_hash(const char *a, const char *b);

/* ---- link.c ---------------------------------------------------------------- */

/* Alias every link nsnet creates carries: "nsnet" or "nsnet:<owner>". */
const char *link_mark(struct nsnet *nn);
bool link_is_ours(const struct nl_link *l);
/* Queue "ifname: set up/down" etc. on an existing link by name. */
void link_queue_set(struct nl_batch *b, const char *ns_name, const char *ifname,
		    int index, int up, unsigned int mtu, int master,
		    const char *alias);
void link_queue_del(struct nl_batch *b, const char *ns_name, const char *ifname,
		    int index);

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

/* ---- sysctl.c -------------------------------------------------------------- */

/* path relative to /proc/sys/, read or written inside ns. */
int sysctl_read(struct nsnet *nn, struct ns *ns, const char *path, char *buf,
		size_t len);
int sysctl_write(struct nsnet *nn, struct ns *ns, const char *path,
		 const char *value);

/* ---- sockdiag.c -------------------------------------------------------------- */

/* Open a NETLINK_SOCK_DIAG socket in the calling thread's namespace (arg:
 * struct mnl_socket **; for ns_call). */
int sockdiag_open(void *arg);
/* The first port in [lo, hi] that a socket of nl's namespace listens on
 * (TCP) or is bound to (UDP) for addr (NULL: any IPv4 address); 0 when
 * none. */
int sockdiag_holder(struct nsnet *nn, struct mnl_socket *nl, int proto,
		    unsigned int lo, unsigned int hi, const struct ipaddr *addr,
		    unsigned int *port);

/* ---- the context -------------------------------------------------------------- */

struct nsnet {
	char err[NSNET_ERR_MAX];
	int err_code;           /* positive errno of the last error */
	bool err_is_usage;
	char owner[64];
	char mark[80];
	struct ns *ns_list;
	void (*warn)(void *data, const char *msg);
	void *warn_data;
};

#endif /* NSNET_INTERNAL_H */
