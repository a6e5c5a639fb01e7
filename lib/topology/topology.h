/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * topology/topology.h - topologies: files to networks. The files, bottom
 * first; each calls only files listed before it:
 *
 *   model.c     the plain structs and their helpers
 *   ipam.c      the addresses left empty, chosen deterministically
 *   leaves.c    networks over several bridges: layout, names, leaves' plan
 *   validate.c  the checks across a parsed model (subnets, addresses, ends)
 *   parse.c     YAML (libyaml) to the model, validated
 *   files.c     the record /run/nsnet/topo/<name> and the nodes' hosts files
 *   load.c      the topology a command names (FILE, NAME, or the one up)
 *   run.c       the processes of run: commands, their pids and logs
 *   progress.c  step times and progress, through the context's callbacks
 *   state.c     what a namespace has (links, addresses, routes), in bulk,
 *               with each node's record and a look at its files
 *   describe.c  an action in words and as ip/nft commands
 *   plan.c      compare the model with the kernel: the actions up must do
 *   undo.c      what a failed up takes back (topology/undo.h, for apply.c)
 *   apply.c     nsnet up: run the actions, undo them on failure
 *   down.c      nsnet down: remove what carries the topology's mark
 *   status.c    nsnet status
 *   hosts.c     several machines: which one this is, its part of the file
 *   span.c      a network over several machines: VXLAN, forwarding entries
 *
 * Nothing here prints: results are values, JSON, or lines through the
 * caller's callbacks.
 */
#ifndef NSNET_TOPO_H
#define NSNET_TOPO_H

#include <stdbool.h>
#include <stddef.h>
#include <net/if.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "net/net.h"
#include "run/run.h"

/* Limits of a topology file (docs/topology.md names them). */
#define TOPO_NAME_MAX 32        /* the topology's name */
#define TOPO_NET_NAME_MAX 64    /* a network's name */
#define TOPO_YAML_DEPTH_MAX 64  /* mappings and lists inside each other */
#define TOPO_FILE_MAX (16 << 20)

/* Where something was written in the file, for error messages (1-based). */
struct topo_pos {
	int line, col;
};

struct topo_net {
	char *name;
	char bridge[IFNAMSIZ];
	struct ipaddr subnet[2];   /* [0] IPv4, [1] IPv6; family 0: none */
	struct ipaddr gateway[2];  /* the bridge's address and default route */
	bool nat, internal;
	struct topo_pos pos;
	/* Several machines (hosts:, docs/multihost.md; parse_hosts.c). */
	uint32_t vni;              /* VXLAN network identifier: vni:, or derived */
	bool vni_set;
	char *gateway_host;        /* gateway_host: as written, or NULL */
	unsigned int mtu;          /* mtu: of the node ends; 0: the default */
	size_t gw_host;            /* index into topo.hosts: the gateway's */
	size_t *span;              /* the hosts it is on (hosts: order) */
	size_t n_span;
	struct topo_pos vni_pos, gw_pos, mtu_pos;
	/* leaves.c: a network with more attachments (n_att) than one bridge's
	 * share spans its bridge (the root) and n_leaves leaf bridges; its
	 * bridges are the topology's slots slot .. slot + n_leaves. */
	size_t n_att, n_leaves, slot;
	char (*leaf_names)[IFNAMSIZ];  /* [k]: leaf k's name, 1..n_leaves */
};

struct topo_attach {
	size_t net;                /* index into topo.nets */
	struct ipaddr addr[2];     /* family 0 until ipam fills it */
	bool explicit_addr[2];
	char ifname[IFNAMSIZ];     /* inside the node: eth0, eth1, ... */
	char host_if[IFNAMSIZ];    /* the bridge port: attach_host_ifname() */
	/* rate:, loss:, delay:, jitter: of the attachment, both directions;
	 * impair.set 0: none written (the link is to have none) */
	struct nsnet_link_impair impair;
	struct topo_pos pos;
	size_t leaf;               /* leaves.c: 0 the network's bridge, k its leaf k */
};

struct topo_route {
	struct ipaddr dst, via;    /* via.family 0: none */
	char dev[IFNAMSIZ];        /* "" : none */
	char *text;
	struct topo_pos pos;
};

struct topo_kv {
	char *key, *value;
	struct topo_pos pos;
};

struct topo_node {
	char *name;                /* also the namespace's name */
	struct topo_attach *att;
	size_t n_att;
	struct topo_route *routes;
	size_t n_routes;
	char **publish;
	size_t n_publish;
	struct topo_kv *sysctls;
	size_t n_sysctls;
	char **run;
	size_t n_run;
	char **setup;              /* one-shot commands, run once at creation */
	size_t n_setup;
	struct topo_pos pos;
	char *host_name;           /* host: as written, or NULL */
	size_t host;               /* index into topo.hosts */
	struct topo_pos host_pos;
};

struct topo_cable {
	char *a, *b;               /* node names or "host" */
	char a_if[IFNAMSIZ], b_if[IFNAMSIZ];
	struct ipaddr a_addr, b_addr; /* family 0: none */
	unsigned int mtu;
	struct nsnet_link_impair impair; /* as for an attachment */
	/* a_nat:, b_nat: of an end in the host: masquerade what its subnet
	 * sends out of the host, as nsnet nat add IF [--out OUT] */
	struct topo_end_nat {
		bool on;
		char out[IFNAMSIZ];   /* "": through any other interface */
		struct topo_pos pos;
	} nat[2];                     /* [0] end a, [1] end b */
	struct topo_pos pos;
};

/* "web -> database:tcp/5432: reach" (nsnet check reads these). */
struct topo_expect {
	char *from, *to;           /* to: a node name or an IP address */
	int proto;                 /* 0: ICMP, else IPPROTO_TCP / IPPROTO_UDP */
	unsigned int port;
	bool reach;
	char *text;
	struct topo_pos pos;
};

/* A machine of hosts: (docs/multihost.md). */
struct topo_host {
	char *name;
	struct ipaddr addr;        /* its underlay address (prefix -1) */
	struct topo_pos pos;
};

struct topo {
	char *name;
	char *file;                /* absolute path, when parsed from a file */
	struct topo_net *nets;
	size_t n_nets;
	struct topo_node *nodes;
	size_t n_nodes;
	struct topo_cable *cables;
	size_t n_cables;
	struct topo_expect *expects;
	size_t n_expects;
	char *upstream;            /* an address check also probes, or NULL */
	char *source;              /* the text, when it came from standard input
				    * (up keeps a copy in the record) */
	/* hosts: (none: the one machine nsnet runs on, as ever). Once
	 * topo_hosts_localize() took this machine's part: nodes, nets and
	 * cables are this machine's, remote holds the others' nodes. */
	struct topo_host *hosts;
	size_t n_hosts;
	size_t local;              /* index into hosts; SIZE_MAX: not taken */
	struct topo_node *remote;
	size_t n_remote;
	char *hosts_text;          /* every node's /etc/netns hosts file */
	size_t n_slots;            /* leaves.c: bridges of all networks, leaves included */
};

/* model.c */
void topo_free(struct topo *t);
void strv_free(char **v, size_t n);
struct topo_node *topo_node_find(const struct topo *t, const char *name);
/* Whether a command's FILE|NAME argument names a file. */
bool topo_arg_is_file(const char *arg);
/* The one name rule (name_check) for a topology's name: it becomes the
 * directory /run/nsnet/topo/NAME and the links' mark. */
int topo_name_check(struct nsnet *nn, const char *name);

/*
 * model.c: a hash set of byte strings, each with a value (an index), for
 * the checks that must stay linear in the size of a file (duplicate keys,
 * names, addresses). Keys are borrowed: they must outlive the set.
 */
struct topo_set {
	struct topo_set_slot {
		const void *key;   /* NULL: empty */
		size_t len, val;
	} *slot;
	size_t cap, n;
};
/* true, with the value already there in *old (if old), when key is in s;
 * else key is added with val. */
bool topo_set_put(struct topo_set *s, const void *key, size_t len, size_t val,
		  size_t *old);
bool topo_set_get(const struct topo_set *s, const void *key, size_t len,
		  size_t *val);
/* FNV-1a, 64 bits (the set's hash; the hosts file's check). */
uint64_t topo_hash(const void *data, size_t len);
void topo_set_free(struct topo_set *s);

/* model.c: the error "FILE:LINE:COL: what" (exit status 2), with the
 * control characters of what (quoted from the file) shown as '?'. */
int topo_verror_at(struct nsnet *nn, const char *file, struct topo_pos pos,
		   const char *fmt, va_list ap) __attribute__((format(printf, 4, 0)));
int topo_error_at(struct nsnet *nn, const char *file, struct topo_pos pos,
		  const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* model.c: whether the firewall state fw (fw_show_working) lists name in
 * its isolation list ("bridges", "internal", "leaves"). */
bool topo_fw_lists(struct json_t *fw, const char *list, const char *name);

/* validate.c: the checks across a parsed model t of file, which has a name
 * or is refused, and the positions of what it holds. */
int topo_validate(struct nsnet *nn, const char *file, struct topo *t);

/* parse.c: parse and validate everything that needs no kernel. Errors
 * are "FILE:LINE:COL: what" and exit status 2. */
int topo_parse_file(struct nsnet *nn, const char *path, struct topo **out);
int topo_parse_buffer(struct nsnet *nn, const char *name, const char *buf,
		      size_t len, struct topo **out);

/* load.c: parse FILE, or the file the topology NAME was last brought up
 * from; NULL: the one topology that is up. */
int topo_load(struct nsnet *nn, const char *file_or_name, struct topo **out);
/* Parse FILE; "-" is standard input; a FILE that does not exist is bad
 * usage (exit status 2), as a FILE that does not parse. Over several
 * machines, this machine's part (topo_hosts_localize), as topo_load's. */
int topo_parse_arg(struct nsnet *nn, const char *file, struct topo **out);
/* The same, the whole file (a picture of every machine's part). */
int topo_parse_arg_whole(struct nsnet *nn, const char *file, struct topo **out);
/* The topologies that are up (nsnet_topo_list). */
int topo_list(struct nsnet *nn, struct json_t **out);

/* ipam.c: choose the addresses left empty. Deterministic: the same file
 * gives the same addresses, whatever ran before. */
int ipam_assign(struct nsnet *nn, struct topo *t);

/* ---- plan.c: what up has to do, from what the kernel has -------------- */

enum topo_act_kind {
	ACT_BRIDGE,        /* create the bridge (down: ports first, up last) */
	ACT_BRIDGE_ADDR,   /* gateway address on the bridge */
	ACT_NS,            /* create the node's namespace */
	ACT_LO_UP,         /* the node's loopback is down: up */
	ACT_VETH,          /* veth: inner end born in the node, outer enslaved */
	ACT_HOST_UP,       /* the bridge port is down: up */
	ACT_INNER_UP,      /* the node's interface is down: up */
	ACT_ADDR,          /* address on the node's interface */
	ACT_ROUTE_DEFAULT, /* default route via the network's gateway */
	ACT_ROUTE,         /* a route of routes: */
	ACT_CABLE,         /* a cable */
	ACT_SYSCTL,        /* a sysctl of the node */
	ACT_BRIDGE_UP,     /* bring the bridge up */
	ACT_FIREWALL,      /* register the bridge for isolation */
	ACT_NAT,           /* nat: true */
	ACT_PUBLISH,       /* a published port */
	ACT_HOSTS,         /* /etc/netns/<node>/hosts and resolv.conf */
	ACT_RUN,           /* start (or restart) a run: command */
	ACT_IMPAIR,        /* rate, loss, delay of an attachment (obj node, idx) */
	ACT_CABLE_IMPAIR,  /* the same of a cable (obj cable) */
	ACT_SETUP,         /* run a setup: command once (before the run: ones) */
	ACT_CABLE_NAT,     /* nat: of a cable end in the host (obj cable, idx end) */
	/* A network over several machines (span.c): */
	ACT_VXLAN,         /* its VXLAN device, a port of the bridge (repair:
			    * made again, its settings or remotes changed) */
	ACT_VXLAN_UP,      /* the device is down, not the bridge's port, unmarked */
	ACT_FDB,           /* the forwarding entry to host idx's underlay address */
	ACT_TRUNK,         /* the veth joining leaf idx of network obj to its root */
};

struct topo_action {
	enum topo_act_kind kind;
	size_t obj;        /* net, node or cable index */
	size_t idx;        /* attachment, route, publish, sysctl, run index;
			    * of a network's bridge actions: 0 its bridge, k
			    * its leaf k (leaves.c) */
	int family;        /* ACT_ADDR / ACT_ROUTE_DEFAULT / ACT_BRIDGE_ADDR: 0 v4, 1 v6 */
	bool repair;       /* the object existed but drifted */
};

struct topo_plan {
	struct topo_action *act;
	size_t n, cap;             /* cap: room in act (topo_plan_add) */
	/* what exists already, for status */
	size_t ok_objects;
};

/* model.c: append an action to p. */
void topo_plan_add(struct topo_plan *p, enum topo_act_kind kind, size_t obj,
		   size_t idx, int family, bool repair);

/* ---- leaves.c: a network over several bridges ------------------------------ */

/* Attachments one bridge takes (nsnet_set_bridge_ports; 1,000). */
size_t leaf_share(const struct nsnet *nn);
/* The layout of every network over its bridges (topo_net n_att,
 * n_leaves, slot; topo_attach leaf; topo n_slots), with the limits it
 * meets ("FILE:LINE:COL: network N has ...", exit status 2): called by
 * topo_validate, before anything is made. */
int topo_leaves(struct nsnet *nn, const char *file, struct topo *t);
/* Bridge k of net (0: its own, net->bridge), its trunk's two ends (on the
 * root, on the leaf). */
void leaf_bridge_name(const struct topo_net *net, size_t k, char buf[IFNAMSIZ]);
void leaf_trunk_names(const struct topo_net *net, size_t k,
		      char root_end[IFNAMSIZ], char leaf_end[IFNAMSIZ]);
/* The same, a string that lives as long as the topology. */
const char *leaf_bridge(const struct topo_net *net, size_t k);
/* The bridge attachment a is a port of, and its slot. */
const char *leaf_att_bridge(const struct topo *t, const struct topo_attach *a,
			    char buf[IFNAMSIZ]);
size_t leaf_slot(const struct topo *t, const struct topo_attach *a);
/* "network big: 2,000 nodes over 3 bridges (br0 + 2 leaves)" */
void leaf_describe(const struct topo *t, size_t net, char *buf, size_t len);
/* [{"network","nodes","bridges":[root, leaves...],"text"}] for each
 * network that spans leaves. */
struct json_t *leaf_json(const struct topo *t);
/* The plan of network i's leaves and trunks; br_index (by slot) holds its
 * root's ifindex (0: to be made) and gets each leaf's. */
int leaf_plan(struct nsnet *nn, const struct topo *t, size_t i, struct ns *host,
	      struct json_t *fw, int *br_index, struct topo_plan *p);
/* The kernel's limits that the plan p meets (namespaces, mounts, memory),
 * named, before anything is made. */
int leaf_limits(struct nsnet *nn, const struct topo *t, const struct topo_plan *p);
/* up: the plan's leaves (created down, kept out of IP) and trunks;
 * created(data, ifname) hears of each link made, for the undo. */
int leaf_apply(struct nsnet *nn, const struct topo *t, const struct topo_plan *p,
	       struct ns *host, void (*created)(void *data, const char *ifname),
	       void *data);

/* apply.c: IPv6 off on host link ifname (a bridge port, a leaf), none
 * being fine on a kernel without IPv6. */
int topo_link_no_ipv6(struct nsnet *nn, struct ns *host, const char *ifname);

/* ---- state.c: what a namespace has, in bulk ------------------------------- */

/* What a worker thread (state.c) saw of node's /etc/netns/<node>, for
 * topo_hosts_state_seen() on the plan's thread (files.c). */
struct topo_hosts_look {
	bool seen;
	int dir;                   /* 0, -ENOENT: none, or another -errno */
	int hosts_rc;              /* 0: hosts is below; -errno: fstatat's */
	struct stat hosts;
	int resolv;                /* files.c's etc_state of resolv.conf */
};

struct topo_state {
	struct { int ifindex; struct ipaddr ip; } *addr;
	size_t n_addr, addr_keep;
	struct { struct ipaddr dst, via; } *route;  /* main table */
	size_t n_route;
	struct nl_link *link;
	size_t n_link;
	bool links_partial;        /* index, name and flags only (read_nodes) */
	struct topo_set by_name;   /* link name -> index into link */
	/* read_nodes only: whether the namespace is there, whose record
	 * says it is (owner "" without one), and its files */
	bool exists;
	char owner[256];
	struct topo_hosts_look files;
};
/* ns's links, addresses (both families) and main routes: dumps that the
 * kernel answers without its global lock (state.c says why). */
int topo_state_read(struct nsnet *nn, struct ns *ns, struct topo_state *st);
void topo_state_free(struct topo_state *st);
/* The same for the namespaces of nodes[0..n-1], read in parallel threads
 * into out[], except that their links are lo and the nodes' attachments
 * only, with their index and flags (links_partial: no alias, no qdisc);
 * with, per node, whether its namespace exists, its record's owner and a
 * look at its files (topo_hosts_look); loss_table[i]: whether the node has
 * nsnet's loss table (impairments). An error names the first namespace
 * that could not be read, and out[] is then freed. */
int topo_state_read_nodes(struct nsnet *nn, const struct topo_node *const *nodes,
			  size_t n, struct topo_state *out, bool *loss_table);
const struct nl_link *topo_state_link(const struct topo_state *st, const char *name);
const struct nl_link *topo_state_link_index(const struct topo_state *st, int index);
bool topo_state_has_addr(const struct topo_state *st, int ifindex,
			 const struct ipaddr *ip);
/* A route to dst (via, unless via is NULL or of family 0). */
bool topo_state_has_route(const struct topo_state *st, const struct ipaddr *dst,
			  const struct ipaddr *via);

/* Fails (and names the object) when something the file needs is held by
 * something nsnet did not create, or by another topology. */
int topo_plan(struct nsnet *nn, const struct topo *t, struct topo_plan *plan);
void topo_plan_free(struct topo_plan *plan);
/* The plan as data: {"name","file","actions":[{"kind","object","repair",
 * "commands":[...]}]} (nsnet_topo_plan). */
struct json_t *topo_plan_json(const struct topo *t, const struct topo_plan *plan);

/* describe.c */
/* The name of a kind of action in the plan's JSON ("veth", "nat", ...). */
const char *topo_action_kind(enum topo_act_kind kind);
/* A sentence naming the object of an action ("address 10.0.0.2/24 on web eth0"). */
void topo_action_str(const struct topo *t, const struct topo_action *a,
		     char *buf, size_t len);
/* Append to cmds the equivalent ip/nft/shell commands of an action, as
 * strings; every word a shell could read as more than text is quoted. */
void topo_action_commands(const struct topo *t, const struct topo_action *a,
			  struct json_t *cmds);

/* files.c */
/* Record of a topology: /run/nsnet/topo/<name>. */
void topo_record_dir(char *buf, size_t len, const char *name);
/* Create the record, with the file the topology came from. */
int topo_record_write(struct nsnet *nn, const struct topo *t);
void topo_record_remove(const char *name);
/* What a record's files hold (NULL: not there), kept before an up of a
 * topology that is up rewrites them, and put back (and freed) when that
 * up fails. */
struct topo_record_copy {
	char *text[3];  /* file, topology.yaml, host */
};
void topo_record_keep(const char *name, struct topo_record_copy *c);
void topo_record_put_back(struct nsnet *nn, const char *name,
			  struct topo_record_copy *c);
/* The hosts file every node gets; its first line marks it as nsnet's,
 * with a hash of the rest. */
char *topo_hosts_file(const struct topo *t);
/* Every node has the same hosts file, so the nodes of a topology of more
 * than TOPO_HOSTS_SHARED nodes share one (hard links): N files of N lines
 * each would be quadratic in time and memory (2 GB for 10,000 nodes).
 * Smaller ones keep a file each, which a user may edit for one node. A ref
 * remembers the files found or made nsnet's in this run, so that a link to
 * one is known without reading it; a {0} ref to start, NULL for none (to
 * topo_hosts_write: write a file of the node's own). */
#define TOPO_HOSTS_SHARED 256
struct topo_hosts_ref {
	struct {
		dev_t dev;
		ino_t ino;
		bool current;      /* holds the text of this run */
		char node[256];    /* the node whose hosts it is */
	} file[2];
	size_t n;
};
/* Node's /etc/netns/<node>: 1 when its hosts is hosts and its resolv.conf
 * nsnet's, 0 when up must write them (missing, or nsnet's and out of
 * date), a negative errno with the error set when a file there is not
 * nsnet's (written by someone else, changed since, a symbolic link): up
 * leaves those alone and refuses. */
int topo_hosts_state(struct nsnet *nn, const char *node, const char *hosts,
		     struct topo_hosts_ref *ref);
/* The part of topo_hosts_state that needs neither the context nor ref, for
 * a worker thread; and topo_hosts_state from what it saw: the same answer,
 * with the files read again only when the look cannot tell (a hosts file
 * not known to ref, a file that is not nsnet's: its error). */
void topo_hosts_look(const char *node, struct topo_hosts_look *look);
int topo_hosts_state_seen(struct nsnet *nn, const char *node, const char *hosts,
			  struct topo_hosts_ref *ref, const struct topo_hosts_look *look);
/* Write node's hosts and resolv.conf (no nameserver), atomically, never
 * through a symbolic link, never over a file that is not nsnet's. */
int topo_hosts_write(struct nsnet *nn, const char *node, const char *hosts,
		     struct topo_hosts_ref *ref);
/* Remove the files of node's /etc/netns/<node> that are still as nsnet
 * wrote them, and the directory if that leaves it empty. */
void topo_hosts_remove(const char *node, struct topo_hosts_ref *ref);
/* Node's files as nsnet wrote them (NULL, false: none, or not nsnet's;
 * hosts is the caller's), kept before up rewrites them, and put back when
 * it fails. prev, when not NULL, is the copy kept of another node: a hosts
 * file that is the same file as prev's (a hard link: TOPO_HOSTS_SHARED)
 * is not read again, and c->hosts is then prev's text (c->borrowed). */
struct topo_hosts_copy {
	char *hosts;
	bool resolv;
	bool borrowed;          /* hosts is prev's */
	dev_t dev;              /* the hosts file kept, when hosts */
	ino_t ino;
};
void topo_hosts_keep(const char *node, struct topo_hosts_copy *c,
		     const struct topo_hosts_copy *prev);
void topo_hosts_put_back(struct nsnet *nn, const char *node,
			 const struct topo_hosts_copy *c);

/* run.c */
/* The PATH of run: commands (their whole environment: docs/topology.md). */
#define TOPO_RUN_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
/* Whether the process recorded for a run: command runs: the pid with the
 * recorded start time, in the node's namespace (never a bare pid: the
 * kernel reuses them). */
bool topo_run_alive(const char *topo, const char *node, size_t idx);
void topo_run_pidfile(char *buf, size_t len, const char *topo, const char *node,
		      size_t idx);
/* Start node's run: command idx (no descriptor but 0-2, the environment
 * of docs/topology.md), recording its pid, start time and namespace. */
int topo_run_start(struct nsnet *nn, const struct topo *t,
		   const struct topo_node *nd, size_t idx);
/* End the process groups of a topology's run: and setup: commands (TERM,
 * then KILL after a second): only processes that are provably theirs,
 * through pidfds. */
void topo_runs_stop(const char *topo);
/* The same for one command: node's run: command idx, or its setup:
 * command idx (setup; what it left running in its group). */
void topo_run_stop(const char *topo, const char *node, size_t idx, bool setup);
/* Forget node's processes: its pid files and setup marks in the record
 * (not its logs, which say why an up failed). */
void topo_run_forget(const char *topo, const char *node);
/* Whether node's setup: command idx ran to success in this namespace
 * (recorded with its text: a changed command runs again). */
bool topo_setup_done(const char *topo, const char *node, size_t idx,
		     const char *cmd);
/* Run node's setup: command idx and wait for it (at most 5 minutes);
 * exit status 0 is recorded, any other is an error naming the log. */
int topo_setup_run(struct nsnet *nn, const struct topo *t,
		   const struct topo_node *nd, size_t idx);

/* progress.c */
struct topo_steps {
	double last;       /* when the current step began (mono_ms); 0: never */
};
/* Step done ended: its time to the context's timing callback. NULL: a
 * step begins now. */
void topo_step(struct nsnet *nn, struct topo_steps *s, const char *done);
/* done of total of step (the context's progress callback). */
void topo_progress(struct nsnet *nn, const char *step, size_t done,
		   size_t total);

/* ---- hosts.c: several machines (docs/multihost.md) ------------------------ */

/* Which machine of t's hosts: this one is (--host, the record of its up,
 * or the machine's own addresses): 0 and *local; -ENOENT (no error) when
 * t has no hosts:; a usage error naming the hosts when it cannot tell. */
int topo_hosts_which(struct nsnet *nn, const struct topo *t, size_t *local);
/* Cut t down to this machine's part: its nodes, the networks it is on
 * (renumbered), its cables; the others' nodes to t->remote. Nothing to do
 * for a file without hosts:, or twice. */
int topo_hosts_localize(struct nsnet *nn, struct topo *t);
/* This machine, once localized; NULL for a file without hosts:. */
const struct topo_host *topo_local_host(const struct topo *t);
const struct topo_node *topo_remote_find(const struct topo *t, const char *name);
/* A network with nodes (or its gateway) on more than one machine. */
bool topo_net_spans(const struct topo_net *net);
/* Whether this machine's bridge of net carries the gateway address (and
 * NAT): always, but for a network whose gateway_host is another machine. */
bool topo_net_gateway_here(const struct topo *t, const struct topo_net *net);
/* The MTU of net's node ends: its mtu:, else 1450 (1430 over IPv6) when
 * it spans machines, else 0 (the kernel's). */
unsigned int topo_net_mtu(const struct topo *t, const struct topo_net *net);
/* The name of net's VXLAN device: "vx-<bridge:5>-<hash:6>". */
void topo_vxlan_ifname(char *buf, size_t len, const struct topo_net *net);

/* ---- span.c: networks over several machines -------------------------------- */

/* Add to p what the VXLAN devices and forwarding entries of t's networks
 * that span machines need (ACT_VXLAN, ACT_VXLAN_UP, ACT_FDB). */
int topo_plan_span(struct nsnet *nn, const struct topo *t, struct ns *host,
		   struct topo_plan *p);
/* Run those actions of p; created(data, ifname) for each device the
 * kernel says it made (for the undo of a failed up). */
int topo_apply_span(struct nsnet *nn, const struct topo *t,
		    const struct topo_plan *p, struct ns *host,
		    void (*created)(void *data, const char *ifname), void *data);
/* The action's object in words and its commands (describe.c). */
void topo_span_action_str(const struct topo *t, const struct topo_action *a,
			  char *buf, size_t len);

/* ---- graph.c: a picture of a topology ------------------------------------ */

enum topo_graph_format { GRAPH_SVG, GRAPH_DOT, GRAPH_MERMAID, GRAPH_HTML };
/* "svg", "dot", "mermaid" or "html"; anything else is bad usage. */
int topo_graph_format_parse(struct nsnet *nn, const char *s,
			    enum topo_graph_format *fmt);
/* The picture of t as one document (*out, NUL-terminated, the caller's).
 * plan NULL: as the file says, without states; else the state of each
 * object from plan's differences (what status reports). */
int topo_graph(struct nsnet *nn, const struct topo *t,
	       const struct topo_plan *plan, enum topo_graph_format fmt,
	       char **out);

/* ---- export.c: a topology file for what exists ---------------------------- */

/* The YAML of a topology called name (NULL: the one topology all of them
 * belong to, else "exported") holding the namespaces ns[0..n-1] (n 0:
 * every namespace nsnet has a record of) with their bridges, cables,
 * addresses, routes, NAT, published ports and forwarding, read from the
 * kernel. *yaml is the caller's; what a file cannot say is written as
 * comments in it. */
int topo_export(struct nsnet *nn, const char *name, const char *const *ns,
		size_t n, char **yaml);

#endif /* NSNET_TOPO_H */
