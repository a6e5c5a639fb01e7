/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * diagnosis/doctor.h - what the files of nsnet doctor share, and nothing
 * else includes: the walk's state and the questions, checks and fixes it
 * is made of. Kept out of diagnosis.h, which declares what the diagnosis
 * layer offers its other files and the unit tests; these are one
 * command's insides.
 *
 *   doctor.c        the command: the probe, the walk there and back
 *   doctor_hop.c    what is checked in one namespace on the path
 *   doctor_fw.c     nftables: foreign chains, nsnet's isolation, NAT, and
 *                   nsnet's own table against nsnet's records
 *   doctor_fix.c    causes whose fix has to be worked out (an address to
 *                   add, a gateway to route via)
 *   doctor_query.c  the kernel's answers: routes, addresses, links,
 *                   neighbours, veth peers, sysctls, listening sockets
 *   doctor_vxlan.c  a next hop on another machine, behind a VXLAN device
 *
 * Every check returns 1 once it has found (and said) the cause, 0 when it
 * found nothing wrong, or a negative errno when it could not look.
 */
#ifndef NSNET_DIAGNOSIS_DOCTOR_H
#define NSNET_DIAGNOSIS_DOCTOR_H

#include <jansson.h>
#include <netinet/in.h>
#include <stdbool.h>

#include "kernel/kernel.h"
#include "diagnosis/diagnosis.h"

/* Longer paths than this are not what nsnet builds; it also ends loops. */
#define DR_MAX_HOPS 16
#define DR_MAX_ADDRS 16
#define DR_MAX_LINKS 256

struct dr_nsmap;

struct doctor {
	struct nsnet *nn;
	json_t *checks, *fix;   /* the findings: [{"result","what"}], [command] */
	char cause[512];
	bool found;             /* a FAIL was said */
	bool probe_ok;          /* the probe got through: nothing is wrong */
	bool reverse;           /* walking the replies' way back */
	bool settling;          /* a link on the way is not active yet */
	bool side_opaque;       /* the bridge has a port doctor cannot follow */
	char reached[256];      /* the destination's namespace, once found */
	char path[512];         /* namespaces crossed, for the way back's line */
	struct dr_nsmap **nsmaps;  /* shared with the way back's copy */
	const char *src_ns;
	struct probe_dest d;
	struct ipaddr dest;
	char dest_s[INET6_ADDRSTRLEN];
	/* The packet's source as the next namespace sees it (after NAT). */
	bool have_src;
	struct ipaddr src, src_net;  /* src_net: its subnet, for return routes */
};

/* An interface in a namespace. */
struct dr_end {
	struct ns *ns;
	struct nl_link l;
};

struct dr_route {
	int type, oif;
	bool has_gw, has_src;
	struct ipaddr gw, prefsrc;
};

struct dr_addrs {
	int index;
	size_t n;
	struct ipaddr a[DR_MAX_ADDRS];   /* with their prefixes */
};

struct dr_links {
	size_t n;
	struct nl_link *l;
};

/* ==== doctor.c: the findings ==== */

/* Something checked and fine ("web: eth0 is up with 10.10.0.10/16"). */
void dr_ok(struct doctor *dr, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The first cause: said once, and the walk stops (returns 1). */
int dr_fail(struct doctor *dr, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* A command that removes the cause, complete as it is to be run. */
void dr_fix(struct doctor *dr, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* An address without its prefix length, as text. */
const char *dr_ip(const struct ipaddr *ip, char *buf, size_t len);

/* ==== doctor_hop.c: one namespace on the path ==== */

void dr_note_settling(struct doctor *dr, const struct nl_link *l);
int dr_check_out(struct doctor *dr, struct ns *ns, const struct nl_link *l,
		 bool source);
int dr_forward(struct doctor *dr, struct ns *ns, const struct nl_link *in,
	       const struct dr_end *prev, struct dr_route *r);
int dr_owner(struct doctor *dr, struct ns *ns, const struct nl_link *out,
	     const struct ipaddr *ip, struct dr_end *owner,
	     struct dr_end *side);
int dr_no_owner(struct doctor *dr, struct ns *ns, const struct nl_link *out,
		const struct dr_route *r, const struct dr_end *side);
int dr_at_dest(struct doctor *dr, struct ns *ns, int in_index,
	       const struct dr_end *prev);

/* ==== doctor_fw.c: nftables ==== */

json_t *dr_ruleset(struct doctor *dr, struct ns *ns);
int dr_check_foreign_filter(struct doctor *dr, struct ns *ns, json_t *rs,
			    const char *in, const char *out);
int dr_check_isolation(struct doctor *dr, struct ns *ns, json_t *fw,
		       const char *in, const char *out);
int dr_check_nat(struct doctor *dr, struct ns *ns, json_t *fw, json_t *rs,
		 const struct nl_link *in, const struct nl_link *out);
/* nsnet's own table where the packet needs its NAT: there, with its
 * skeleton, and the NAT of in whole (see doctor_fw.c). */
int dr_check_fw_table(struct doctor *dr, struct ns *host, json_t *rs,
		      json_t *fw, const struct nl_link *in,
		      const struct nl_link *out);
/* The destination's port published by nsnet: *published when the maps
 * forward it, 1 with the cause when only the set owners still has it. */
int dr_check_published(struct doctor *dr, struct ns *host, bool *published);

/* ==== doctor_fix.c: causes whose fix is worked out ==== */

int dr_link_down(struct doctor *dr, struct ns *ns, const struct nl_link *l,
		 const struct ipaddr *target);
int dr_no_address(struct doctor *dr, struct ns *ns, const struct nl_link *l,
		  bool routed);
int dr_no_route(struct doctor *dr, struct ns *ns);

/* ==== doctor_vxlan.c: a next hop on another machine ==== */

/* Nobody here has the next hop, and the side is a bridge of a network
 * over several machines: the VXLAN port, its forwarding entry for the
 * machine that has it, that machine's underlay. -ENOENT when the bridge
 * is not such a network's. */
int dr_vxlan(struct doctor *dr, struct ns *ns, const struct dr_route *r,
	     const struct dr_end *side);

/* ==== doctor_query.c: the kernel's answers ==== */

int dr_route_get(struct doctor *dr, struct ns *ns, const struct ipaddr *dst,
		 const struct ipaddr *src, int iif, struct dr_route *r);
bool dr_route_missing(int rc, const struct dr_route *r);
bool dr_is_local(struct doctor *dr, struct ns *ns, const struct ipaddr *ip);
int dr_addrs_get(struct doctor *dr, struct ns *ns, int family, int index,
		 struct dr_addrs *out);
int dr_links_get(struct doctor *dr, struct ns *ns, struct dr_links *ls);
int dr_neigh_state(struct doctor *dr, struct ns *ns, int index,
		   const struct ipaddr *ip);
bool dr_neigh_answers(int state);
void dr_ns_done(struct doctor *dr, struct ns *ns, bool was_cached);
void dr_nsmaps_free(struct dr_nsmap *m);
int dr_peer(struct doctor *dr, struct ns *ns, const struct nl_link *l,
	    struct dr_end *peer);
bool dr_port_cached(struct doctor *dr, struct ns *ns, const struct nl_link *l);
int dr_far_side(struct doctor *dr, struct ns *ns, const struct nl_link *l,
		struct dr_end *side);
int dr_gateway_guess(struct doctor *dr, struct ns *ns, const struct nl_link *l,
		     struct ipaddr *gw);
int dr_prefix_for(struct doctor *dr, struct ns *ns, int index,
		  const struct ipaddr *ip);
int dr_sysctl_int(struct doctor *dr, struct ns *ns, const char *path);
int dr_listens(struct doctor *dr, struct ns *ns, bool *found);

#endif /* NSNET_DIAGNOSIS_DOCTOR_H */
