/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * firewall/fw_private.h - what the firewall's own files share: nsnet's
 * table as read back from the kernel (state.c) and what the firewall reads
 * and changes in the host (host.c). Only the files of lib/firewall
 * include it; the layers above use firewall/firewall.h.
 */
#ifndef NSNET_FW_PRIVATE_H
#define NSNET_FW_PRIVATE_H

#include <jansson.h>

#include "firewall/firewall.h"

/* The values host sysctls had before nsnet changed them, one file each. */
#define FW_RUN_DIR NSNET_RUN_DIR "/fw"
#define FW_MAX_ADDRS 64

/* ---- host.c: the host as the firewall sees it ------------------------------ */

struct fw_addr {
	int index;
	unsigned char scope;
	struct ipaddr ip;       /* with its prefix */
};

struct fw_addrs {
	struct fw_addr a[FW_MAX_ADDRS];
	size_t n;
	int index;              /* 0: every interface */
};

/* The addresses of ns (of one interface unless index is 0), one dump. */
int fw_addr_dump(struct nsnet *nn, struct ns *ns, int family, int index,
		 struct fw_addrs *out);
/* A usage error unless name can be written into nsnet's nft commands. */
int fw_check_name(struct nsnet *nn, const char *what, const char *name);
/* The bridge called name in the host namespace: it must exist and, unless
 * any_kind, be a bridge. */
int fw_bridge_get(struct nsnet *nn, struct ns *host, const char *name,
		  bool any_kind, struct nl_link *l);
/* Turn on the host's forwarding (and route_localnet, for ports published
 * on 127.0.0.1), saving each earlier value under FW_RUN_DIR the first
 * time. */
int fw_forward_take(struct nsnet *nn, struct ns *host, bool localnet);
/* Put back the saved values of route_localnet and/or forwarding; a value
 * that cannot be written back is a warning. */
void fw_forward_release(struct nsnet *nn, struct ns *host, bool localnet,
			bool forward);

/* ---- state.c: nsnet's table, read back and kept alive ---------------------- */

/* Run a change that adds to the table, creating the table when missing
 * and repairing its chains when they lost rules. */
int fw_run_add(struct nsnet *nn, const struct fw_script *body);
/* Make the table, or repair it (its chains refilled, what is missing
 * added, an older nsnet's records given their family). */
int fw_run_skeleton(struct nsnet *nn);
/* Whether the table's chains hold all their rules: 1, 0 (or no table), or
 * a negative errno. A rule dump: it reads no set element. */
int fw_skeleton_ok(struct nsnet *nn);
/* The same, from a listing of the table. */
bool fw_state_skeleton_ok(json_t *doc);
/* Rules of chain in a listing; the chain object, or NULL. */
size_t fw_state_rules(json_t *doc, const char *chain);
json_t *fw_state_chain(json_t *doc, const char *chain);
/* After a removal: put back host sysctls no longer needed, and delete the
 * table when nothing of nsnet's is left (published: a port went). */
int fw_cleanup(struct nsnet *nn, bool published);
/* The whole table as JSON (*doc NULL when there is none). Reads every
 * element: for show and removals, never on the publish path. */
int fw_state_load(struct nsnet *nn, json_t **doc);
/* {"elem":{"val":V,"comment":C}} or plain V: V, and C when comment. */
json_t *fw_elem_unwrap(json_t *e, const char **comment);
/* The "set" or "map" object called name in a table listing. */
json_t *fw_state_set(json_t *doc, const char *name);
/* Whether set has the element a (b NULL) or the pair a . b. */
bool fw_state_has(json_t *doc, const char *set, const char *a, const char *b);
/* Whether bridge has NAT: an element of natfwd. */
bool fw_state_nat_has(json_t *doc, const char *bridge);
/* The subnets whose packets jump to the NAT chain chain. */
size_t fw_state_nat_subnets(json_t *doc, const char *chain,
			    struct ipaddr *out, size_t max);
/* The outbound interface of a NAT chain, or "". */
void fw_state_nat_out(json_t *doc, const char *chain, char *buf, size_t len);
/* Published ports as the table holds them: the records (owners), each
 * with its map elements, and the claimed ports. Strings point into the
 * listing, which must outlive it. */
struct fw_owner {
	const char *owner;      /* the namespace (element comment) */
	uint32_t mark;
	struct fw_spec sp;      /* host_ip from its elements, if any */
	size_t el_first, n_el;  /* its elements in fw_pubs.el */
};
struct fw_pub_elem {
	const char *owner, *map;
	int family;
	bool any;               /* every host address */
	bool range;             /* rng4/rng6: lo-hi kept as they are */
	struct ipaddr host;     /* without any */
	int proto;
	unsigned int lo, hi;    /* host ports */
	struct ipaddr to;       /* the namespace's address */
	unsigned int port;      /* its port for lo */
	long own;               /* index in fw_pubs.own, -1: none (orphan) */
};
struct fw_pubs {
	struct fw_owner *own;   /* sorted by protocol and port */
	size_t n_own;
	struct fw_pub_elem *el; /* sorted by owner, family, port */
	size_t n_el;
	unsigned char claimed[2][8192];   /* tcp, udp: a bit per port */
};
void fw_pubs_read(json_t *doc, struct fw_pubs *p);
void fw_pubs_free(struct fw_pubs *p);
bool fw_pubs_claimed(const struct fw_pubs *p, int proto, unsigned int port);
/* The record whose host range holds port, or -1. */
long fw_pubs_owner_of(const struct fw_pubs *p, int proto, unsigned int port);
/* The nft key of an element, to delete it. */
void fw_pub_elem_key(char *buf, size_t len, const struct fw_pub_elem *e);
/* Append the commands that remove publication o and whatever of it is
 * there: elements, record, claims. */
void fw_pubs_remove(const struct fw_pubs *p, size_t o, struct fw_script *s);
/* Whether publication o works: the chains hold their rules, every port is
 * claimed, and it maps every port to an address the namespace has now on
 * each family it publishes on and the namespace has an address of. */
bool fw_pub_working(struct nsnet *nn, const struct fw_pubs *p, size_t o,
		    bool skeleton_ok);
/* The NAT of bridge: present (any piece of it) and working (chains with
 * their rules, its natfwd element and subnets, and the bridge exists with
 * the ifindex recorded). */
bool fw_state_nat_present(json_t *doc, const char *bridge);
bool fw_nat_working(struct nsnet *nn, json_t *doc, const char *bridge);
/* Append the commands that remove whatever is there of bridge's NAT. */
void fw_nat_remove(json_t *doc, const char *bridge, struct fw_script *s);
/* Warn (naming what) about other tables' forward chains that drop. */
void fw_warn_foreign(struct nsnet *nn, const char *what);

#endif /* NSNET_FW_PRIVATE_H */
