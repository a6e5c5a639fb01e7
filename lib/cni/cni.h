/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cni/cni.h - nsnet as a CNI plugin (the nsnet-cni executable): the
 * network configuration and the results of every spec version, nsnet's own
 * IPAM with its reservations, the records of each attachment, and ADD, DEL,
 * CHECK, GC and STATUS. It sits above net/ and firewall/ and calls only
 * down; src/cni.c is its thin main.
 *
 * State lives under /run/nsnet/cni/<network>/: ips/<address> (one file
 * per reserved address, naming its container id and interface) and
 * att/<container id>:<ifname>.json (what ADD made, so that DEL, CHECK and
 * GC work from what was recorded, never from what a live interface shows).
 * Every change to it runs under the one lock (base/lock.c).
 */
#ifndef NSNET_CNI_H
#define NSNET_CNI_H

#include <jansson.h>

#include "kernel/kernel.h"
#include "firewall/firewall.h"

#define CNI_RUN_DIR NSNET_RUN_DIR "/cni"
#define CNI_PLUGIN_TYPE "nsnet-cni"
#define CNI_DEFAULT_BRIDGE "nsc0"

/* The spec versions answered, oldest first; a result is always written in
 * the version the request came with. */
enum cni_version { CNI_V030, CNI_V031, CNI_V040, CNI_V100, CNI_V110, CNI_VNONE };
extern const char *const cni_versions[CNI_VNONE];
/* CNI_VNONE when s is not one of them. */
enum cni_version cni_version_parse(const char *s);

/* The spec's error codes; 100 and up are nsnet's own. */
enum cni_code {
	CNI_ERR_VERSION = 1,        /* incompatible CNI version */
	CNI_ERR_FIELD = 2,          /* unsupported field in the configuration */
	CNI_ERR_CONTAINER = 3,      /* container unknown or does not exist */
	CNI_ERR_ENV = 4,            /* invalid necessary environment variables */
	CNI_ERR_IO = 5,             /* I/O failure */
	CNI_ERR_DECODE = 6,         /* failed to decode content */
	CNI_ERR_CONFIG = 7,         /* invalid network configuration */
	CNI_ERR_AGAIN = 11,         /* try again later */
	CNI_ERR_UNAVAILABLE = 50,   /* STATUS: plugin not available */
	CNI_ERR_LIMITED = 51,       /* STATUS: limited connectivity */
	CNI_ERR_KERNEL = 100,       /* the kernel refused a change */
	CNI_ERR_NO_ADDRESS = 101,   /* the IPAM has no free address */
	CNI_ERR_DRIFT = 102,        /* CHECK: what is there is not what ADD made */
	CNI_ERR_DELEGATE = 103,     /* the delegated IPAM plugin failed */
	CNI_ERR_PORT = 104,         /* a host port is taken */
};

/* ---- config.c: the request ------------------------------------------------ */

enum cni_command { CNI_CMD_ADD, CNI_CMD_DEL, CNI_CMD_CHECK, CNI_CMD_VERSION,
		   CNI_CMD_GC, CNI_CMD_STATUS };

#define CNI_MAX_RANGES 8
#define CNI_MAX_ROUTES 16
#define CNI_MAX_PORTS 64
#define CNI_MAX_IPS 8

/* One range of addresses of a subnet (host-local's ranges format). */
struct cni_range {
	struct ipaddr subnet;        /* masked, with its prefix */
	struct ipaddr start, end;    /* first and last address handed out */
	struct ipaddr gateway;       /* the bridge's address on it */
};

/* A set of ranges of one family: one address is taken from each set. */
struct cni_range_set {
	struct cni_range r[CNI_MAX_RANGES];
	size_t n;
};

struct cni_route {
	struct ipaddr dst;           /* with prefix; 0 is the default */
	struct ipaddr gw;            /* family 0: the range's gateway, if any */
};

struct cni_port {
	unsigned int host_port, container_port;
	int proto;                   /* IPPROTO_TCP or IPPROTO_UDP */
	struct ipaddr host_ip;       /* family 0: every address */
};

/* The network configuration and the environment of one request. */
struct cni_conf {
	enum cni_command cmd;
	enum cni_version version;
	char version_str[16];
	char name[128];              /* the network */
	char type[64];
	bool ipam_only;              /* called as ipam: {type: nsnet-cni} */
	char delegate[64];           /* another IPAM plugin to run, or "" */
	char bridge[16];
	char allow[8][16];           /* other bridges its containers may reach */
	size_t n_allow;
	bool is_gateway, default_route, ip_masq, hairpin;
	unsigned int mtu;            /* 0: the kernel's default */
	struct cni_range_set sets[4]; /* in the order given */
	size_t n_sets;
	struct cni_route routes[CNI_MAX_ROUTES];
	size_t n_routes;
	bool routes_given;           /* "routes" present: no default ones */
	json_t *dns;                 /* passed through (borrowed from doc) */
	/* runtime config (capabilities) and CNI_ARGS */
	struct cni_port ports[CNI_MAX_PORTS];
	size_t n_ports;
	bool ports_given;            /* "portMappings" present (CHECK compares) */
	struct ipaddr want_ips[CNI_MAX_IPS];
	size_t n_want_ips;
	unsigned char mac[6];
	bool has_mac;
	json_t *prev_result;         /* borrowed from doc, or NULL */
	/* GC: NULL when the request named no list of attachments */
	json_t *valid_attachments;
	/* environment */
	const char *container_id, *netns, *ifname, *args, *path;
	char *const *environ;
	json_t *doc;                 /* the parsed stdin (owned) */
	const char *raw;             /* stdin as given, for a delegate */
	size_t raw_len;
};

/* What went wrong, in the spec's terms: code and message. */
struct cni_error {
	int code;
	char msg[NSNET_ERR_MAX];
};

/* Fill err with code and the context's current error sentence; returns rc.
 * CNI_ERR_KERNEL becomes CNI_ERR_AGAIN (11) when the kernel's error is a
 * passing one (EAGAIN, EBUSY, EINTR, ENOBUFS). */
int cni_fail(struct nsnet *nn, struct cni_error *err, int code, int rc);
/* Set the context error and err in one go (printf-style); returns -EINVAL. */
int cni_failf(struct nsnet *nn, struct cni_error *err, int code,
	      const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* ns_get_path() on CNI_NETNS failed: its error, naming the variable, with
 * code 3 (the namespace is not there) or 4 (the path is not one). */
int cni_netns_fail(struct nsnet *nn, struct cni_error *err);

/* Parse the command and stdin. The cniVersion is taken first of all, so
 * that even an error about the rest is answered in the version given. */
int cni_conf_parse(struct nsnet *nn, struct cni_conf *c, const char *text,
		   size_t len, struct cni_error *err);
void cni_conf_free(struct cni_conf *c);
/* The network's name is used as a directory and in nft comments. */
bool cni_name_ok(const char *s, size_t max);

/* ---- result.c: results of every version ---------------------------------- */

struct cni_iface {
	char name[16];
	char mac[18];
	char sandbox[256];           /* "" for a host interface */
	unsigned int mtu;
};

struct cni_ip {
	struct ipaddr addr;          /* with its prefix */
	struct ipaddr gateway;       /* family 0: none */
	int iface;                   /* index into interfaces, -1: none */
};

struct cni_result {
	struct cni_iface ifaces[8];
	size_t n_ifaces;
	struct cni_ip ips[CNI_MAX_IPS];
	size_t n_ips;
	struct cni_route routes[CNI_MAX_ROUTES];
	size_t n_routes;
	json_t *dns;                 /* owned reference, or NULL */
};

void cni_result_free(struct cni_result *r);
/* A result of any version (a prevResult, a delegate's answer) into r. */
int cni_result_parse(json_t *doc, struct cni_result *r, char *why, size_t len);
/* r as the JSON of version v (0.3.x and 0.4.0 carry ips[].version; the
 * 1.1.0-only fields only in 1.1.0). */
json_t *cni_result_render(const struct cni_result *r, enum cni_version v);
json_t *cni_error_render(const struct cni_error *err, const char *version);
json_t *cni_version_render(const char *version);

/* ---- ipam.c: nsnet's address allocation ------------------------------------ */

/* The next (dir 1) or previous (dir -1) address; false when it wraps. */
bool cni_ip_step(struct ipaddr *ip, int dir);
int cni_ip_cmp(const struct ipaddr *a, const struct ipaddr *b);
/* The last address of a subnet (config.c). */
void cni_ip_last(const struct ipaddr *subnet, struct ipaddr *out);

/* Reserve one address from each range set for (container id, ifname), or
 * the wanted ones (runtime config "ips", CNI_ARGS IP=) when given. Called
 * with the lock held. out receives the addresses with their subnet's
 * prefix and gateways. */
int cni_ipam_reserve(struct nsnet *nn, const struct cni_conf *c,
		     struct cni_ip *out, size_t *n, struct cni_error *err);
/* Release every address that names (container id, ifname); lock held. */
int cni_ipam_release(struct nsnet *nn, const char *network, const char *cid,
		     const char *ifname);
/* Whether addr is reserved for (cid, ifname). */
bool cni_ipam_holds(const char *network, const struct ipaddr *addr,
		    const char *cid, const char *ifname);
/* How many addresses the configured ranges still have free. */
size_t cni_ipam_free_count(const struct cni_conf *c, size_t stop_at);
/* The file of one reservation. */
void cni_ipam_path(char *buf, size_t len, const char *network,
		   const struct ipaddr *addr);

/* ---- record.c: what ADD made ------------------------------------------------ */

struct cni_record {
	char cid[256], ifname[16], netns[512];
	unsigned long long ns_dev, ns_ino;   /* identity of the namespace */
	char bridge[16], host_if[16];
	char delegate[64];                   /* IPAM plugin that holds the ips */
	char owner[128];                     /* the firewall's owner id */
	struct cni_port ports[CNI_MAX_PORTS];
	size_t n_ports;
	struct cni_result result;            /* what ADD answered */
	bool complete;                       /* ADD finished */
};

void cni_record_path(char *buf, size_t len, const char *network,
		     const char *cid, const char *ifname);
int cni_record_write(struct nsnet *nn, const char *network,
		     const struct cni_record *r);
/* -ENOENT (no error set) when there is no record. */
int cni_record_read(const char *network, const char *cid, const char *ifname,
		    struct cni_record *r);
void cni_record_free(struct cni_record *r);
int cni_record_remove(struct nsnet *nn, const char *network,
		      const struct cni_record *r);
/* Remove write_file_atomic()'s temporary files ("NAME.nsnet-PID") in dir
 * whose names start with prefix: left by a process killed between write
 * and rename. Lock held: every writer of these files holds it, so one seen
 * now belongs to a dead process. */
void cni_stale_temp_remove(const char *dir, const char *prefix);
/* Whether the namespace the record names is still the one ADD saw (path
 * and inode: a /proc/<pid>/ns/net of a reused pid is another one). */
bool cni_record_netns_alive(const struct cni_record *r);
/* "8080:80/tcp", "127.0.0.1:8080:80/udp", "[::]:8087:81/tcp". */
const char *cni_port_str(const struct cni_port *p, char *buf, size_t len);
/* (cid, ifname) of every record of the network. */
size_t cni_record_list(const char *network, char ***cids, char ***ifnames);
/* Every network with a directory under CNI_RUN_DIR. */
size_t cni_network_list(char ***names);
/* The owner id of an attachment in nft comments ("cni:<net>:<cid>:<if>"
 * or, when that is too long, a hash in place of the container id). */
void cni_owner_id(char *buf, size_t len, const char *network, const char *cid,
		  const char *ifname);

/* ---- plugin.c, check.c, gc.c: the commands ---------------------------------- */

/* Undo all a record says (ports by owner, the veth by its recorded name,
 * addresses, the record, and the network when it was the last), each step
 * tolerating what is gone; lock held. c (may be NULL) is the request, for a
 * delegated IPAM's DEL. */
int cni_teardown(struct nsnet *nn, struct cni_conf *c, const char *network,
		 struct cni_record *r, struct cni_error *err);
/* After a network's last attachment: its files, and its bridge when
 * nsnet-cni made it and no other network uses it. Lock held. */
void cni_network_release(struct nsnet *nn, const char *network,
			 const char *bridge);
void cni_ports_to_specs(const struct cni_port *p, size_t n, struct fw_spec *sp);
void cni_mac_str(const unsigned char *m, char *buf, size_t len);

int cni_add(struct nsnet *nn, struct cni_conf *c, json_t **out,
	    struct cni_error *err);
int cni_del(struct nsnet *nn, struct cni_conf *c, struct cni_error *err);
int cni_check(struct nsnet *nn, struct cni_conf *c, struct cni_error *err);
int cni_gc(struct nsnet *nn, struct cni_conf *c, struct cni_error *err);
int cni_status(struct nsnet *nn, struct cni_conf *c, struct cni_error *err);

/* ---- delegate.c: another plugin, run as the spec says ---------------------- */

/* Run plugin type from CNI_PATH with the same configuration and CNI_*
 * environment but command; its result (ADD) comes back in *out. */
int cni_delegate(struct nsnet *nn, const struct cni_conf *c, const char *type,
		 const char *command, json_t **out, struct cni_error *err);

/* ---- show: attachments for nsnet show / status ------------------------------ */

/* JSON array of every CNI attachment (network, container id, interface,
 * host interface, bridge, addresses, ports). */
int cni_attachments(struct nsnet *nn, json_t **out);

#endif /* NSNET_CNI_H */
