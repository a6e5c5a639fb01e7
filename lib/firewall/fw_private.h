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

/* Run a change that adds to the table, creating the table when missing. */
int fw_run_add(struct nsnet *nn, const struct fw_script *body);
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
/* Warn (naming what) about other tables' forward chains that drop. */
void fw_warn_foreign(struct nsnet *nn, const char *what);

#endif /* NSNET_FW_PRIVATE_H */
