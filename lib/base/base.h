/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * base/base.h - the bottom layer of libnsnet, what every other layer may
 * use: the context and its error object, cleanup helpers, addresses and
 * names, files and clocks. Nothing here talks to the kernel's networking.
 */
#ifndef NSNET_BASE_H
#define NSNET_BASE_H

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/types.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "nsnet.h"


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
/* The current error sentence ("unknown error" when none). */
const char *err_msg(const struct nsnet *nn);
/* Set the owner whose name goes into the mark of every link created. */
int ctx_set_owner(struct nsnet *nn, const char *owner);
void warn_emit(struct nsnet *nn, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* ---- opts.c ------------------------------------------------------------------ */

/*
 * The caller's option struct opts (NULL: every default) as this library
 * knows it, in *copy: zero-extended when smaller, refused with a usage
 * error when larger with unknown fields set. size 0 means the struct as
 * nsnet 0.1 published it, up to and including its field v1_last; that
 * argument never changes when the struct grows. (The conditional only
 * checks that opts and copy are of one type.)
 */
int opts_take(struct nsnet *nn, void *copy, size_t size, size_t v1_size,
	      const void *opts, const char *what);
#define OPTS_TAKE(nn, copy, opts, v1_last, what)                             \
	opts_take((nn), (copy), sizeof(*(copy)),                             \
		  offsetof(__typeof__(*(copy)), v1_last) +                   \
			  sizeof((copy)->v1_last),                           \
		  1 ? (opts) : (copy), (what))

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
bool ns_is_host(const char *name);
/* The one rule for names (names.c): what names the kind of object in the
 * error ("namespace", "topology"...), max the longest allowed. */
int name_check(struct nsnet *nn, const char *what, const char *name,
	       size_t max);
int check_ns_name(struct nsnet *nn, const char *name, bool allow_host);
int check_ifname(struct nsnet *nn, const char *name);
/* A socket address for ip and port (host order). */
socklen_t ip_sockaddr(const struct ipaddr *ip, uint16_t port,
		      struct sockaddr_storage *ss);
/* FNV-1a: stable short hashes for derived interface names. */
uint32_t name_hash(const char *a, const char *b);
/* ip + offset (offset < 2^32, added to the low 32 bits with carry). */
void ip_add(struct ipaddr *ip, uint64_t offset);
/* The allocator of addresses (topologies' ipam.c and attach): the first
 * address of subnet, from host offset 1 + start (mod the usable span:
 * not the network, not broadcast) on, that used() does not claim, with
 * subnet's prefix. -ENOSPC when none is left. No error set. */
int ip_pick_free(const struct ipaddr *subnet, uint64_t start,
		 bool (*used)(const struct ipaddr *ip, void *data), void *data,
		 struct ipaddr *out);

/* ---- files and directories ---------------------------------------------- */

#define NETNS_RUN_DIR "/run/netns"
#define NSNET_RUN_DIR "/run/nsnet"
#define NETNS_ETC_DIR "/etc/netns"

/* lock.c: the one lock around every change to shared state (flock on
 * /run/nsnet/lock, released by the kernel when its holder dies). Counted:
 * every lock_take() that returned 0 is paired with one lock_drop(). */
int lock_take(struct nsnet *nn);
void lock_drop(struct nsnet *nn);
/* The value of call (an int expression: 0 or a negative errno) evaluated
 * with the lock held, or lock_take()'s error: a public function that
 * changes shared state is `return LOCKED(nn, its_internal_function(...));`. */
#define LOCKED(nn, call) __extension__ ({                                  \
	struct nsnet *locked_nn_ = (nn);                                   \
	int locked_rc_ = lock_take(locked_nn_);                            \
	if (!locked_rc_) {                                                 \
		locked_rc_ = (call);                                       \
		lock_drop(locked_nn_);                                     \
	}                                                                  \
	locked_rc_;                                                        \
})

/* files.c. A file of at most len-1 bytes, NUL-terminated; -1 when it
 * cannot be read (a symbolic link is not followed). */
ssize_t read_small_file(const char *path, char *buf, size_t len);
int mkdir_p(struct nsnet *nn, const char *path);
/* Write text to path through a temporary file and rename(): never through
 * a symbolic link, never half a file. */
int write_file_atomic(struct nsnet *nn, const char *path, const char *text);
/* The same for name in the directory open as dirfd (AT_FDCWD: name is a
 * path); dir names that directory in errors (NULL: none). */
int write_file_atomic_at(struct nsnet *nn, int dirfd, const char *dir,
			 const char *name, const char *text);
/* CLOCK_MONOTONIC in milliseconds. */
double mono_ms(void);

/* work.c: fn(arg) on min(items, max) threads (max 0: as many as CPUs, at
 * most 8), returning when all have; fn takes its items itself. */
void workers_run(void *(*fn)(void *), void *arg, size_t items, size_t max);
/* The address /etc/netns/NS/hosts gives name (what programs inside ns see
 * through `ip netns exec`); -ENOENT when it names none. No error set. */
struct ipaddr;
int hosts_lookup(const char *ns, const char *name, struct ipaddr *ip);

struct ns;

/* ---- the context -------------------------------------------------------------- */

struct nsnet {
	char err[NSNET_ERR_MAX];
	int err_code;           /* positive errno of the last error */
	bool err_is_usage;
	char owner[64];
	char mark[80];
	struct ns *ns_list;       /* namespaces opened so far (kernel/nsfd.c) */
	void (*warn)(void *data, const char *msg);
	void *warn_data;
	unsigned int lock_depth; /* lock.c: held when > 0 */
	int lock_fd;             /* valid while lock_depth > 0 */
	void (*progress)(void *data, const char *step, size_t done, size_t total);
	void *progress_data;
	void (*timing)(void *data, const char *step, double ms);
	void *timing_data;
	char host[65];           /* nsnet_set_host(): which machine of hosts: */
	unsigned int bridge_ports; /* topology/leaves.c: 0, the default share */
};

#endif /* NSNET_BASE_H */
