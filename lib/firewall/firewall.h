/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * firewall/firewall.h - the firewall layer as the layers above see it:
 * NAT, published ports and isolation in nsnet's own nftables table
 * ("table inet nsnet"), written through libnftables loaded with dlopen()
 * only when a firewall function runs.
 *
 *   rules.c      port specs and the nft text of every change (pure)
 *   nft.c        libnftables: one script, one transaction
 *   state.c      the table read back, created with the first object and
 *                deleted with the last; other tables' drops
 *   host.c       bridges and addresses of the host, the host sysctls
 *                saved and restored (/run/nsnet/fw)
 *   nat.c        NAT for a bridge
 *   publish.c    published ports
 *   isolation.c  bridges registered, allow and deny
 *   show.c       the JSON of nsnet_fw_show
 *
 * What the firewall's files share among themselves only is in
 * firewall/fw_private.h.
 */
#ifndef NSNET_FW_H
#define NSNET_FW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <net/if.h>

#include "kernel/kernel.h"

/* The one table nsnet owns; nothing else is ever written. */
#define FW_TABLE "nsnet"
#define FW_FAMILY "inet"
/* Packet mark bit set on packets arriving from an nsnet bridge, so that the
 * hairpin case (a namespace reaching a port published by its own bridge
 * neighbour) is masqueraded. Matching iifname in postrouting is not
 * reliable: with br_netfilter loaded, a hairpinned packet is bridged back
 * and leaves with the bridge port as its device. */
#define FW_HAIRPIN_MARK 0x00100000u

/* ---- rules.c: pure functions (unit tested) ------------------------------- */

/*
 * A parsed "[HOSTIP:]HOSTPORT[-END]:PORT[-END][/tcp|/udp]". HOSTIP is an
 * IPv4 address, or an IPv6 one in brackets ("[2001:db8::2]:8080:80";
 * bare, the last two ':' separate the ports); 0.0.0.0 and [::] are every
 * address of one family.
 */
struct fw_spec {
	bool any_ip;            /* every address of the host (of family) */
	int family;             /* 0: both families; AF_INET or AF_INET6 */
	struct ipaddr host_ip;  /* without any_ip: the one host address */
	unsigned int host_lo, host_hi, port_lo, port_hi;
	int proto;              /* IPPROTO_TCP or IPPROTO_UDP */
};

/* 0, or -EINVAL with a sentence in why that says what is wrong. */
int fw_spec_parse(const char *s, struct fw_spec *sp, char *why, size_t len);
/* Canonical form: "8080:80/tcp", "127.0.0.1:9000-9009:9000-9009/udp",
 * "[2001:db8::2]:8080:80/tcp", "[::]:8080:80/tcp". */
char *fw_spec_str(const struct fw_spec *sp, char *buf, size_t len);
/* Whether the spec publishes on family (AF_INET or AF_INET6). */
bool fw_spec_has_family(const struct fw_spec *sp, int family);
const char *fw_proto_name(int proto);
/* "ipv4", "ipv6" or "0" (both): the first field of an owners element. */
const char *fw_nfproto_name(int family);
/* The owners element of a publication, without its comment. */
void fw_rules_owner_key(char *buf, size_t len, const struct fw_spec *sp,
			const char *owner);
/* The map that holds a publication's elements of family. */
const char *fw_pub_map(const struct fw_spec *sp, int family);

/* The table's base and jump chains, their hooks and rules: made by
 * fw_rules_skeleton(), their rule counts checked against the kernel. */
struct fw_chain_def {
	const char *name;
	const char *hook;       /* NULL: a regular chain */
	const char *rules[8];   /* NULL-terminated when shorter */
};
extern const struct fw_chain_def fw_chains[];
extern const size_t fw_n_chains;
size_t fw_chain_rules(const struct fw_chain_def *c);

/* An nft script under construction: one command per line, each with what
 * to say if the kernel refuses it. */
struct fw_script {
	char *text;
	size_t len, cap;
	struct fw_line {
		size_t off, len;
		char what[200];
	} *lines;
	size_t n, lines_cap;
};
void fw_script_init(struct fw_script *s);
void fw_script_free(struct fw_script *s);
/* Append one command (printf-style, without the newline) named by what. */
void fw_script_add(struct fw_script *s, const char *what, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Append the commands of more, each with its what. */
void fw_script_cat(struct fw_script *s, const struct fw_script *more);
/* A command built in pieces: start (named by what), append, end. */
void fw_script_line_start(struct fw_script *s, const char *what);
void fw_script_append(struct fw_script *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void fw_script_line_end(struct fw_script *s);
/* The line that nft's error text quotes, or NULL. */
const struct fw_line *fw_script_find(const struct fw_script *s,
				     const char *errtext);

/* The table with its sets, maps and chains: creates it, or repairs it
 * (adds what is missing, refills the chains). */
void fw_rules_skeleton(struct fw_script *s);
/* The namespace's address per family a publication maps to; v4/v6 false:
 * not published on that family. */
struct fw_targets {
	bool v4, v6;
	struct ipaddr to4, to6;
};
/* The commands that publish (add) or unpublish a mapping. owner is the
 * namespace; t says on which families (and, to add, to which address). */
void fw_rules_publish(struct fw_script *s, const struct fw_spec *sp,
		      const char *owner, const struct fw_targets *t, bool add);
/* The commands that start or stop NAT for a bridge (ifindex: the bridge's
 * now, recorded to recognise a stale NAT). out may be NULL. */
void fw_rules_nat(struct fw_script *s, const char *bridge, int ifindex,
		  const char *out, const struct ipaddr *subnets, size_t n,
		  bool add);
/* Name of the per-bridge NAT chains ("nat_<hash>" / "natfwd_<hash>"). */
void fw_nat_chain(char *buf, size_t len, const char *bridge, bool forward);
/* Whether name can be written into an nft string without quoting trouble. */
bool fw_name_ok(const char *name);

/* ---- nft.c: libnftables through dlopen() ---------------------------------- */

/*
 * Run one buffer as one nft transaction in the calling namespace. With
 * json, the output (JSON) comes back in *out (caller frees). On failure the
 * context error names the command of s that nft rejected; err_text (may be
 * NULL) receives nft's raw error text.
 */
int fw_nft_run(struct nsnet *nn, const struct fw_script *s, bool json,
	       char **out, char *err_text, size_t err_len);
/* Run a read-only command and return its JSON output. */
int fw_nft_list(struct nsnet *nn, const char *cmd, char **out);

/* ---- isolation.c, nat.c, publish.c, show.c --------------------------------- */

/* Tell the firewall about an nsnet bridge (isolation by default; internal:
 * no way out of the host) or that it is gone (add false: its NAT, pairs
 * and elements go too). */
int fw_bridge_register(struct nsnet *nn, const char *bridge, bool internal,
		       bool add);
/* A leaf bridge of a network that spans several (topology/leaves.c): isolated
 * as a bridge, and its packets not tracked (set "leaves"), so that conntrack
 * and NAT see them at the network's own bridge only. fw_bridge_register()
 * with add false removes it. */
int fw_leaf_register(struct nsnet *nn, const char *leaf, bool internal);

/* The operations behind nsnet_nat_add/del, nsnet_publish/unpublish and
 * nsnet_fw_show, for the layers above (topology/, diagnosis/). */
int fw_nat_add(struct nsnet *nn, const char *bridge, const char *out_if);
int fw_nat_del(struct nsnet *nn, const char *bridge);
int fw_publish(struct nsnet *nn, const char *ns_name, const char *spec);
/* Needs only the spec, not the namespace: works after it is gone. */
int fw_unpublish(struct nsnet *nn, const char *ns_name, const char *spec);
/* Whether the table holds a publication of spec for ns_name, working or
 * not (up's repair replaces it; a failed up leaves it). */
int fw_publish_claimed(struct nsnet *nn, const char *ns_name, const char *spec,
		       bool *claimed);
/* Remove every port published for owner (a namespace, whether or not it
 * still exists), in one transaction; *removed (may be NULL) receives how
 * many publications went. 0 when there were none. */
int fw_unpublish_owner(struct nsnet *nn, const char *owner, size_t *removed);
int fw_show(struct nsnet *nn, struct json_t **out);
/*
 * What fw_show() says, less what does not really work in the kernel: the
 * table's chains missing rules (nft flush table) hide everything; a NAT
 * whose chains lost their rules or element, or whose bridge is gone or
 * was made again (another ifindex), is left out; so is a published port
 * whose claim, record or map elements are missing, whose namespace is
 * gone, or that does not map to the namespace's address of each family it
 * should. topo_plan() uses it, so that `up` repairs and `status` sees it.
 */
int fw_show_working(struct nsnet *nn, struct json_t **out);
/* What the table holds of a bridge (or an interface with NAT), working or
 * not: for a failed up to put it back. */
struct fw_bridge_state {
	bool registered, internal;  /* isolation */
	bool nat;                   /* NAT of what it brings */
	char nat_out[IFNAMSIZ];     /* its --out; "": any other interface */
};
int fw_bridge_state(struct nsnet *nn, const char *bridge, struct fw_bridge_state *st);

/* ---- cni.c: ports published to an address, owned by a CNI attachment ---- */

/* Publish the n specs to a container's addresses (to4, to6; NULL: none of
 * that family; not a namespace) in one transaction, owned by owner (an id
 * fw_name_ok() accepts). A spec of both families goes to the families the
 * container has. The runtime holds the host ports itself (Podman binds
 * them), so no socket check. */
int fw_cni_publish(struct nsnet *nn, const char *owner,
		   const struct fw_spec *specs, size_t n,
		   const struct ipaddr *to4, const struct ipaddr *to6);
/* Remove what owner published of the specs (the same addresses as at
 * publish). A host port whose owners element is not owner's is left
 * alone: another attachment may hold it now. */
int fw_cni_unpublish(struct nsnet *nn, const char *owner,
		     const struct fw_spec *specs, size_t n,
		     const struct ipaddr *to4, const struct ipaddr *to6);
/* Whether spec is published, owned by owner, to the container's addresses
 * (of the families it has). */
int fw_cni_published(struct nsnet *nn, const char *owner,
		     const struct fw_spec *spec, const struct ipaddr *to4,
		     const struct ipaddr *to6, bool *there);
/* Let the namespaces on bridges a and b talk (the allowed pair both ways);
 * it goes when either bridge is unregistered. */
int fw_cni_allow(struct nsnet *nn, const char *a, const char *b);
/* Remove every mapping whose owner starts with prefix and is not one of
 * keep[]. */
int fw_cni_sweep(struct nsnet *nn, const char *prefix, char *const *keep,
		 size_t n_keep);
/* ---- link.c: packet loss on links (table netdev nsnet_link) ----------------------- */

/* The table of loss rules, in the namespace of each interface that has
 * one (the host included); nothing else is written in it. */
#define FW_LINK_TABLE "nsnet_link"
/* Loss is counted in parts per million: 0.0001 % steps. */
#define FW_LOSS_SCALE 1000000u

/* The loss of one direction of one interface. */
struct fw_loss {
	char ifname[16];
	int index;              /* the interface the rule is for */
	bool ingress;           /* what arrives (else what leaves) */
	uint32_t ppm;           /* parts per FW_LOSS_SCALE dropped; 0: none */
	bool stale;             /* fw_loss_list: made for an interface of that
				 * name that is gone; matches nothing */
};
/* "egress_eth0" / "ingress_eth0". */
void fw_loss_chain(char *buf, size_t len, const char *ifname, bool ingress);
/* Whether ifname can be part of a chain name (letters, digits, _ - .). */
bool fw_loss_name_ok(const char *ifname);
/* The commands that set l (ppm > 0) or remove its chain (ppm 0; the chain
 * must exist). */
void fw_rules_loss(struct fw_script *s, const struct fw_loss *l);
/* Every loss chain in ns (*out is the caller's; none: *n 0). */
int fw_loss_list(struct nsnet *nn, struct ns *ns, struct fw_loss **out,
		 size_t *n);
/* Whether the namespace of the calling thread has nsnet's loss table (one
 * request on a socket of its own: threads call it). */
bool fw_loss_table_here(void);
/* Set or remove (ppm 0) each of set[] in one transaction in ns; the table
 * goes with its last chain, chains left stale by re-created interfaces
 * with the first change. */
int fw_loss_set(struct nsnet *nn, struct ns *ns, const struct fw_loss *set,
		size_t n_set);

#endif /* NSNET_FW_H */
