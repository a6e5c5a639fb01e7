// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * doctor_fw.c - what nftables does to the packet in a namespace that
 * forwards it, read from the ruleset that namespace's libnftables lists
 * (as JSON): a forward chain of a table that is not nsnet's dropping the
 * packet or its replies, nsnet's own isolation between bridges, and the
 * NAT a private source needs on its way to a public destination.
 */
#include <stdio.h>
#include <string.h>
#include <jansson.h>

#include "kernel/kernel.h"
#include "firewall/firewall.h"
#include "diagnosis/doctor.h"

/* ---- the ruleset ------------------------------------------------------------ */

struct dr_nft {
	struct nsnet *nn;
	char *out;
	int rc;
};

static int dr_nft_here(void *arg)
{
	struct dr_nft *q = arg;

	/* libnftables binds its socket to the namespace current at context
	 * creation, which fw_nft_list() does: we are inside. */
	q->rc = fw_nft_list(q->nn, "list ruleset", &q->out);
	return 0;
}

/* ns's whole ruleset as JSON, or NULL when there is none or nftables
 * cannot be read (doctor then says nothing about firewalls). */
json_t *dr_ruleset(struct doctor *dr, struct ns *ns)
{
	struct dr_nft q = { dr->nn, NULL, 0 };
	json_t *doc;

	if (ns_call(dr->nn, ns, dr_nft_here, &q) || q.rc || !q.out) {
		free(q.out);
		err_clear(dr->nn);
		return NULL;
	}
	doc = json_loads(q.out, 0, NULL);
	free(q.out);
	return doc;
}

/* ---- the checks --------------------------------------------------------------- */

/* Forward-hook base chains of tables that are not nsnet's: each must let
 * the packet through (and its replies back), whatever nsnet's own says. */
int dr_check_foreign_filter(struct doctor *dr, struct ns *ns, json_t *rs,
			    const char *in, const char *out)
{
	json_t *o;
	size_t i;

	json_array_foreach(json_object_get(rs, "nftables"), i, o) {
		json_t *c = json_object_get(o, "chain");
		const char *fam, *table, *name, *hook, *policy;
		struct probe_pkt fwd = { in, out, false }, rep = { out, in, true };
		enum probe_verdict v, vf, vr;
		char why[64], pfx[300];
		bool drop_f, drop_r;
		long long hf, hr;

		if (!c)
			continue;
		fam = json_string_value(json_object_get(c, "family")) ?: "";
		table = json_string_value(json_object_get(c, "table")) ?: "";
		name = json_string_value(json_object_get(c, "name")) ?: "";
		hook = json_string_value(json_object_get(c, "hook")) ?: "";
		policy = json_string_value(json_object_get(c, "policy")) ?: "accept";
		if (strcmp(hook, "forward") ||
		    (!strcmp(fam, FW_FAMILY) && !strcmp(table, FW_TABLE)))
			continue;
		if (strcmp(fam, "inet") &&
		    strcmp(fam, dr->dest.family == AF_INET ? "ip" : "ip6"))
			continue;
		vf = probe_chain_verdict(rs, fam, table, name, policy, &fwd, &hf);
		vr = probe_chain_verdict(rs, fam, table, name, policy, &rep, &hr);
		drop_f = vf == PROBE_V_DROP || vf == PROBE_V_POLICY_DROP;
		drop_r = vr == PROBE_V_DROP || vr == PROBE_V_POLICY_DROP;
		if (!drop_f && !drop_r)
			continue;
		v = drop_f ? vf : vr;
		if (v == PROBE_V_DROP)
			snprintf(why, sizeof(why), "rule handle %lld",
				 drop_f ? hf : hr);
		else
			snprintf(why, sizeof(why), "policy drop");
		dr_fail(dr, "%s: table %s %s chain %s drops the %s from %s to %s (%s); it is not nsnet's",
			ns->name, fam, table, name, drop_f ? "packets" : "replies",
			drop_f ? in : out, drop_f ? out : in, why);
		snprintf(pfx, sizeof(pfx), "%s%s%s",
			 ns_is_host(ns->name) ? "" : "ip netns exec ",
			 ns_is_host(ns->name) ? "" : ns->name,
			 ns_is_host(ns->name) ? "" : " ");
		/* Inserted, so they come before whatever drops; each only
		 * when its direction needs it. */
		if (drop_f)
			dr_fix(dr, "%snft insert rule %s %s %s iifname \"%s\" accept",
			       pfx, fam, table, name, in);
		if (drop_r)
			dr_fix(dr, "%snft insert rule %s %s %s oifname \"%s\" ct state established,related accept",
			       pfx, fam, table, name, in);
		return 1;
	}
	return 0;
}

static bool dr_json_has(json_t *arr, const char *s)
{
	json_t *v;
	size_t i;

	json_array_foreach(arr, i, v)
		if (json_is_string(v) && !strcmp(json_string_value(v), s))
			return true;
	return false;
}

/* nsnet's own isolation: bridges do not talk to each other unless allowed,
 * internal bridges to nothing outside. */
int dr_check_isolation(struct doctor *dr, struct ns *ns, json_t *fw,
		       const char *in, const char *out)
{
	json_t *iso = json_object_get(fw, "isolation"), *pair;
	json_t *bridges = json_object_get(iso, "bridges");
	size_t i;

	if (!fw || !ns_is_host(ns->name))
		return 0;
	if (dr_json_has(json_object_get(iso, "internal"), in) ||
	    dr_json_has(json_object_get(iso, "internal"), out))
		return dr_fail(dr, "%s: bridge %s is internal: nsnet keeps its traffic away from other interfaces",
			       ns->name, dr_json_has(json_object_get(iso, "internal"), in) ? in : out);
	if (!strcmp(in, out) || !dr_json_has(bridges, in) ||
	    !dr_json_has(bridges, out))
		return 0;
	json_array_foreach(json_object_get(iso, "allowed"), i, pair) {
		const char *a = json_string_value(json_array_get(pair, 0)) ?: "";
		const char *b = json_string_value(json_array_get(pair, 1)) ?: "";

		if ((!strcmp(a, in) && !strcmp(b, out)) ||
		    (!strcmp(a, out) && !strcmp(b, in))) {
			dr_ok(dr, "%s: nsnet allows %s and %s to talk", ns->name,
			      in, out);
			return 0;
		}
	}
	dr_fail(dr, "%s: nsnet isolates bridge %s from bridge %s (table inet nsnet)",
		ns->name, in, out);
	dr_fix(dr, "nsnet allow %s %s", in, out);
	return 1;
}

/* A foreign rule that may translate the source: "masquerade" or "snat". */
static bool dr_foreign_snat(json_t *rs, char *where, size_t len)
{
	json_t *o, *x;
	size_t i, j;

	json_array_foreach(json_object_get(rs, "nftables"), i, o) {
		json_t *r = json_object_get(o, "rule");
		const char *fam, *table;

		if (!r)
			continue;
		fam = json_string_value(json_object_get(r, "family")) ?: "";
		table = json_string_value(json_object_get(r, "table")) ?: "";
		if (!strcmp(fam, FW_FAMILY) && !strcmp(table, FW_TABLE))
			continue;
		json_array_foreach(json_object_get(r, "expr"), j, x)
			if (json_object_get(x, "masquerade") ||
			    json_object_get(x, "snat")) {
				snprintf(where, len, "table %s %s chain %s", fam,
					 table, json_string_value(json_object_get(r, "chain")) ?: "?");
				return true;
			}
	}
	return false;
}

/* A private source leaving towards a public destination needs NAT here,
 * or the replies have no way back. nsnet's NAT of a bridge covers the
 * bridge's subnets on every way out but the bridge itself (or one named
 * way out). */
int dr_check_nat(struct doctor *dr, struct ns *ns, json_t *fw, json_t *rs,
		 const struct nl_link *in, const struct nl_link *out)
{
	char s[INET6_ADDRSTRLEN], where[256];
	json_t *e, *sub;
	struct dr_addrs addrs;
	size_t i, j;
	bool covered = false;

	if (!dr->have_src || !probe_addr_private(&dr->src) ||
	    probe_addr_private(&dr->dest) ||
	    dr_json_has(json_object_get(json_object_get(fw, "isolation"), "bridges"),
			out->name))
		return 0;
	dr_ip(&dr->src, s, sizeof(s));
	json_array_foreach(ns_is_host(ns->name) ? json_object_get(fw, "nat") : NULL, i, e) {
		const char *br = json_string_value(json_object_get(e, "bridge")) ?: "";
		const char *o = json_string_value(json_object_get(e, "out"));

		if (o ? strcmp(o, out->name) : !strcmp(br, out->name))
			continue;
		json_array_foreach(json_object_get(e, "subnets"), j, sub) {
			struct ipaddr net;

			if (!cidr_parse(json_string_value(sub) ?: "", &net) &&
			    ip_in_prefix(&net, &dr->src)) {
				dr_ok(dr, "%s: NAT for %s masquerades %s out of %s",
				      ns->name, br, s, out->name);
				covered = true;
			}
		}
		if (covered)
			break;
	}
	if (!covered && dr_foreign_snat(rs, where, sizeof(where))) {
		dr_ok(dr, "%s: no NAT of nsnet's covers %s out of %s, but %s translates sources (cannot tell whether it applies)",
		      ns->name, s, out->name, where);
		covered = true;
	}
	if (!covered) {
		dr_fail(dr, "%s: packets to %s leave by %s with the private source %s and nothing masquerades them: replies cannot come back",
			ns->name, dr->dest_s, out->name, s);
		if (ns_is_host(ns->name))
			dr_fix(dr, "nsnet nat add %s", in->name);
		return 1;
	}
	/* From here on the packet carries an address of out. */
	if (!dr_addrs_get(dr, ns, dr->src.family, out->index, &addrs) && addrs.n) {
		dr->src = addrs.a[0];
		dr->src.prefix = -1;
		dr->src_net = addrs.a[0];
		ip_mask(&dr->src_net);
	} else {
		err_clear(dr->nn);
		dr->have_src = false;
	}
	return 0;
}
