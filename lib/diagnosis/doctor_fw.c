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
#include "topology/topology.h"
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

/* ---- nsnet's own table against nsnet's records ------------------------------ */

/*
 * NAT and published ports live only in table inet nsnet (lib/firewall/);
 * `nft delete table`, `nft flush table` (which empties the chains and keeps
 * the sets and maps) or `nft flush map` take them away behind nsnet's back,
 * and fw_show(), which reads the maps, may still show them. What says the
 * table should be there and whole:
 *  - a bridge nsnet made is registered in the table when it is born (its
 *    mark, alias "nsnet[:owner]", is the record; owner a topology whose
 *    record names its file);
 *  - the skeleton fw_rules_skeleton() writes: the base chains and their
 *    rules;
 *  - the sets and maps name each other: a NAT is an element of natfwd, the
 *    subnets in natpost4/6 that jump to its chain and one rule in each of
 *    its two chains; a published port is in the set owners and in one of
 *    the maps pub4, pub4any, rng4.
 * These are checked only where the packet needs them (NAT on its way out,
 * a published port as its destination): elsewhere a table gone or emptied
 * lets everything through and cannot be why a packet is lost.
 */

#define DR_SKELETON_CHAINS 16

struct dr_chain_want {
	char name[32];
	size_t rules;
};

static bool dr_str_is(json_t *o, const char *key, const char *want)
{
	const char *v = json_string_value(json_object_get(o, key));

	return v && !strcmp(v, want);
}

static bool dr_is_nsnet(json_t *o)
{
	return dr_str_is(o, "family", FW_FAMILY) && dr_str_is(o, "table", FW_TABLE);
}

static bool dr_table_exists(json_t *rs)
{
	json_t *o, *t;
	size_t i;

	json_array_foreach(json_object_get(rs, "nftables"), i, o)
		if ((t = json_object_get(o, "table")) &&
		    dr_str_is(t, "family", FW_FAMILY) && dr_str_is(t, "name", FW_TABLE))
			return true;
	return false;
}

/* A chain, set or map ("chain", "set", "map") of nsnet's table. */
static json_t *dr_nsnet_obj(json_t *rs, const char *kind, const char *name)
{
	json_t *o, *c;
	size_t i;

	json_array_foreach(json_object_get(rs, "nftables"), i, o)
		if ((c = json_object_get(o, kind)) && dr_is_nsnet(c) &&
		    dr_str_is(c, "name", name))
			return c;
	return NULL;
}

static size_t dr_nsnet_rules(json_t *rs, const char *chain)
{
	json_t *o, *r;
	size_t i, n = 0;

	json_array_foreach(json_object_get(rs, "nftables"), i, o)
		if ((r = json_object_get(o, "rule")) && dr_is_nsnet(r) &&
		    dr_str_is(r, "chain", chain))
			n++;
	return n;
}

/* An element as listed: {"elem": {"val": V, "comment": C}} or plain V. */
static json_t *dr_elem_val(json_t *e)
{
	json_t *in = json_object_get(e, "elem");

	return in ? json_object_get(in, "val") : e;
}

static const char *dr_elem_comment(json_t *e)
{
	return json_string_value(json_object_get(json_object_get(e, "elem"),
						 "comment"));
}

/* {"jump": {"target": chain}} in a map's value. */
static bool dr_jumps_to(json_t *v, const char *chain)
{
	const char *t = json_string_value(json_object_get(json_object_get(v, "jump"),
							  "target"));

	return t && !strcmp(t, chain);
}

static const char *dr_trim(const char *a, const char *b, size_t *len)
{
	while (a < b && (*a == ' ' || *a == '\n' || *a == '\t'))
		a++;
	while (b > a && (b[-1] == ' ' || b[-1] == '\n' || b[-1] == '\t'))
		b--;
	*len = (size_t)(b - a);
	return a;
}

/* The base chains and how many rules each has, read from the skeleton
 * firewall/rules.c writes, so that the two cannot drift apart. The
 * skeleton is one nft block: "table inet nsnet { ...; chain NAME { type
 * ...; RULE; RULE; }; ... }", rules may hold anonymous sets in braces and
 * the comment a quoted ';'. */
static size_t dr_skeleton(struct dr_chain_want *w, size_t max)
{
	struct fw_script s;
	const char *p, *end, *st, *x;
	struct dr_chain_want *cur = NULL;
	bool quoted = false;
	int depth = 0;
	size_t n = 0, len;

	fw_script_init(&s);
	fw_rules_skeleton(&s);
	st = s.text;
	end = s.text + s.len;
	for (p = s.text; p < end; p++) {
		if (*p == '"')
			quoted = !quoted;
		if (quoted || (*p != '{' && *p != '}' && *p != ';'))
			continue;
		/* Depth 1 is the table, 2 a chain's body; deeper braces are
		 * inside one rule and end nothing. */
		if (*p == '{' && ++depth == 2) {
			x = dr_trim(st, p, &len);
			if (len > 6 && !strncmp(x, "chain ", 6) && n < max) {
				cur = &w[n++];
				snprintf(cur->name, sizeof(cur->name), "%.*s",
					 (int)(len - 6), x + 6);
				cur->rules = 0;
			}
		}
		if (*p != '{' && depth == 2 && cur) {
			x = dr_trim(st, p, &len);
			if (len && strncmp(x, "type ", 5) && strncmp(x, "policy ", 7) &&
			    strncmp(x, "comment ", 8))
				cur->rules++;
		}
		if (*p == '}' && depth-- == 2)
			cur = NULL;
		if (depth <= 2 && !(*p == '}' && depth == 2))
			st = p + 1;
	}
	fw_script_free(&s);
	return n;
}

/* The file of the topology that owns a bridge or namespace, or "". */
static void dr_topology_file(const char *owner, char *file, size_t len)
{
	char path[600];

	file[0] = '\0';
	if (!owner || !owner[0])
		return;
	topo_record_dir(path, sizeof(path), owner);
	strncat(path, "/file", sizeof(path) - strlen(path) - 1);
	if (read_small_file(path, file, len) <= 0)
		file[0] = '\0';
	file[strcspn(file, "\n")] = '\0';
}

/* The owner named by a host bridge's mark ("" for a plain "nsnet"); false
 * when the bridge is not nsnet's. */
static bool dr_bridge_owner(struct doctor *dr, struct ns *host,
			    const char *name, char *owner, size_t len)
{
	struct nl_link l;

	owner[0] = '\0';
	if (nl_link_get(dr->nn, host, name, &l)) {
		err_clear(dr->nn);
		return false;
	}
	if (strcmp(l.kind, "bridge") || !link_is_ours(&l))
		return false;
	link_mark_owner(l.alias, owner, len);
	return true;
}

static bool dr_bridge_internal(struct doctor *dr, struct ns *host,
			       const char *name)
{
	struct nl_link l;

	if (nl_link_get(dr->nn, host, name, &l)) {
		err_clear(dr->nn);
		return false;
	}
	return strstr(l.alias, " internal") != NULL;
}

/* The spec `nsnet publish` takes for one entry of fw_show's "published". */
static void dr_publish_spec(json_t *p, char *buf, size_t len)
{
	const char *ip = json_string_value(json_object_get(p, "host_ip"));
	int lo = (int)json_integer_value(json_object_get(p, "host_port"));
	int hi = (int)json_integer_value(json_object_get(p, "host_port_end"));
	int plo = (int)json_integer_value(json_object_get(p, "port"));
	int phi = (int)json_integer_value(json_object_get(p, "port_end"));
	char h[32], t[32];

	snprintf(h, sizeof(h), hi > lo ? "%d-%d" : "%d", lo, hi);
	snprintf(t, sizeof(t), phi > plo ? "%d-%d" : "%d", plo, phi);
	snprintf(buf, len, "%s%s%s:%s/%s", ip ? ip : "", ip ? ":" : "", h, t,
		 json_string_value(json_object_get(p, "proto")) ?: "tcp");
}

/* The first command of a rebuild: an emptied table goes first. */
static void dr_rebuild_start(struct doctor *dr, json_t *rs, bool *deleted)
{
	if (!*deleted && dr_table_exists(rs))
		dr_fix(dr, "nft delete table inet nsnet");
	*deleted = true;
}

/*
 * What puts the whole table back. A topology's objects come back with
 * `nsnet up FILE`; the rest are made again from what the maps still hold
 * (after a flush) and what the packet needs (NAT for bridge, may be NULL),
 * in a table made new: `nsnet nat add` and the others create it with its
 * skeleton, which an emptied table would keep them from doing.
 */
static void dr_fix_rebuild(struct doctor *dr, struct ns *host, json_t *rs,
			   json_t *fw, const char *bridge)
{
	char owner[256], file[512], spec[128], files[4][512];
	size_t i, k, n_files = 0;
	bool nat_given = false, deleted = false;
	json_t *e, *bridges;

	json_array_foreach(json_object_get(fw, "nat"), i, e) {
		const char *br = json_string_value(json_object_get(e, "bridge")) ?: "";
		const char *o = json_string_value(json_object_get(e, "out"));

		if (dr_bridge_owner(dr, host, br, owner, sizeof(owner)) && owner[0])
			continue;
		dr_rebuild_start(dr, rs, &deleted);
		dr_fix(dr, "nsnet nat add %s%s%s", br, o ? " --out " : "", o ? o : "");
		nat_given |= bridge && !strcmp(br, bridge);
	}
	if (bridge && !nat_given &&
	    !(dr_bridge_owner(dr, host, bridge, owner, sizeof(owner)) && owner[0])) {
		dr_rebuild_start(dr, rs, &deleted);
		dr_fix(dr, "nsnet nat add %s", bridge);
	}
	json_array_foreach(json_object_get(fw, "published"), i, e) {
		const char *ns = json_string_value(json_object_get(e, "namespace")) ?: "";

		if (!ns_record_owner(ns, owner, sizeof(owner)) && owner[0])
			continue;
		dr_rebuild_start(dr, rs, &deleted);
		dr_publish_spec(e, spec, sizeof(spec));
		dr_fix(dr, "nsnet publish %s %s", ns, spec);
	}
	json_array_foreach(json_object_get(json_object_get(fw, "isolation"), "allowed"), i, e) {
		const char *a = json_string_value(json_array_get(e, 0)) ?: "";
		const char *b = json_string_value(json_array_get(e, 1)) ?: "";

		dr_rebuild_start(dr, rs, &deleted);
		dr_fix(dr, "nsnet allow %s %s", a, b);
	}
	/* Bridges made by hand are registered only when they are born. */
	bridges = json_copy(json_object_get(json_object_get(fw, "isolation"), "bridges"));
	if (!bridges)
		bridges = json_array();
	if (bridge && !dr_json_has(bridges, bridge))
		json_array_append_new(bridges, json_string(bridge));
	json_array_foreach(bridges, i, e) {
		const char *br = json_string_value(e) ?: "";

		if (!deleted || !dr_bridge_owner(dr, host, br, owner, sizeof(owner)) ||
		    owner[0])
			continue;
		dr_fix(dr, "nft add element inet nsnet bridges { \"%s\" }", br);
		dr_fix(dr, "nft add element inet nsnet allowed { \"%s\" . \"%s\" }", br, br);
		if (dr_bridge_internal(dr, host, br))
			dr_fix(dr, "nft add element inet nsnet internal { \"%s\" }", br);
	}
	/* Then each topology's own. */
	json_array_foreach(bridges, i, e) {
		if (!dr_bridge_owner(dr, host, json_string_value(e) ?: "", owner,
				     sizeof(owner)))
			continue;
		dr_topology_file(owner, file, sizeof(file));
		for (k = 0; k < n_files && strcmp(files[k], file); k++)
			;
		if (file[0] && k == n_files && n_files < ARRAY_SIZE(files))
			snprintf(files[n_files++], sizeof(files[0]), "%s", file);
	}
	json_decref(bridges);
	for (k = 0; k < n_files; k++)
		dr_fix(dr, "nsnet up %s", files[k]);
}

/* The table and its skeleton, where the records say nsnet's firewall is
 * in use: bridge (the packet's way in, may be NULL) is nsnet's, or fw
 * shows NAT or published ports. */
static int dr_check_skeleton(struct doctor *dr, struct ns *host, json_t *rs,
			     json_t *fw, const char *bridge)
{
	struct dr_chain_want want[DR_SKELETON_CHAINS];
	char owner[256], missing[400] = "";
	size_t n, i, have, empty = 0;
	bool ours;

	ours = bridge && dr_bridge_owner(dr, host, bridge, owner, sizeof(owner));
	if (!dr_table_exists(rs)) {
		if (!ours)
			return 0;
		dr_fail(dr, "%s: nsnet's nftables table inet nsnet is gone (deleted outside nsnet?), but bridge %s is nsnet's and was registered there: its NAT, published ports and isolation went with it",
			host->name, bridge);
		dr_fix_rebuild(dr, host, rs, fw, bridge);
		return 1;
	}
	n = dr_skeleton(want, ARRAY_SIZE(want));
	for (i = 0; i < n; i++) {
		bool there = dr_nsnet_obj(rs, "chain", want[i].name) != NULL;
		char part[128];

		have = there ? dr_nsnet_rules(rs, want[i].name) : 0;
		if (there && have >= want[i].rules)
			continue;
		empty += there && !have;
		if (there)
			snprintf(part, sizeof(part), "%schain %.31s has %zu of its %zu rules",
				 missing[0] ? ", " : "", want[i].name, have,
				 want[i].rules);
		else
			snprintf(part, sizeof(part), "%schain %.31s is gone",
				 missing[0] ? ", " : "", want[i].name);
		strncat(missing, part, sizeof(missing) - strlen(missing) - 1);
	}
	if (empty == n) {
		dr_fail(dr, "%s: every chain of nsnet's table inet nsnet is empty (changed outside nsnet: nft flush table?); its NAT, published ports and isolation do not work",
			host->name);
		dr_fix_rebuild(dr, host, rs, fw, ours ? bridge : NULL);
		return 1;
	}
	if (missing[0]) {
		dr_fail(dr, "%s: nsnet's table inet nsnet was changed outside nsnet (nft flush?): %s; its NAT, published ports and isolation do not work",
			host->name, missing);
		dr_fix_rebuild(dr, host, rs, fw, ours ? bridge : NULL);
		return 1;
	}
	dr_ok(dr, "%s: nsnet's table inet nsnet has its chains and rules", host->name);
	return 0;
}

/* One NAT's parts, when any of them is there (or bridge is a topology's
 * whose record is up): each must be. */
static int dr_check_nat_parts(struct doctor *dr, struct ns *host, json_t *rs,
			      const char *bridge, const char *out)
{
	char post[32], fwd[32], owner[256], file[512], what[160] = "";
	bool in_fwd = false, topo;
	size_t i, subnets = 0;
	json_t *e;

	fw_nat_chain(post, sizeof(post), bridge, false);
	fw_nat_chain(fwd, sizeof(fwd), bridge, true);
	json_array_foreach(json_object_get(dr_nsnet_obj(rs, "map", "natfwd"), "elem"), i, e) {
		json_t *v = dr_elem_val(e);

		if (json_is_array(v) && json_is_string(json_array_get(v, 0)) &&
		    !strcmp(json_string_value(json_array_get(v, 0)), bridge))
			in_fwd = true;
	}
	json_array_foreach(json_object_get(dr_nsnet_obj(rs, "map", "natpost4"), "elem"), i, e)
		subnets += json_is_array(e) && dr_jumps_to(json_array_get(e, 1), post);
	json_array_foreach(json_object_get(dr_nsnet_obj(rs, "map", "natpost6"), "elem"), i, e)
		subnets += json_is_array(e) && dr_jumps_to(json_array_get(e, 1), post);
	if (!in_fwd && !subnets && !dr_nsnet_obj(rs, "chain", post) &&
	    !dr_nsnet_obj(rs, "chain", fwd))
		return 0;       /* no NAT for bridge: dr_check_nat says so */
	if (!in_fwd)
		snprintf(what, sizeof(what), "map natfwd has no element for it");
	else if (!subnets)
		snprintf(what, sizeof(what), "maps natpost4 and natpost6 have none of its subnets");
	else if (!dr_nsnet_obj(rs, "chain", post) || !dr_nsnet_rules(rs, post))
		snprintf(what, sizeof(what), "its chain %s %s", post,
			 dr_nsnet_obj(rs, "chain", post) ? "is empty" : "is gone");
	else if (!dr_nsnet_obj(rs, "chain", fwd) || !dr_nsnet_rules(rs, fwd))
		snprintf(what, sizeof(what), "its chain %s %s", fwd,
			 dr_nsnet_obj(rs, "chain", fwd) ? "is empty" : "is gone");
	if (!what[0])
		return 0;
	dr_fail(dr, "%s: NAT for bridge %s is incomplete in nsnet's table inet nsnet: %s (changed outside nsnet?)",
		host->name, bridge, what);
	topo = dr_bridge_owner(dr, host, bridge, owner, sizeof(owner)) && owner[0];
	dr_topology_file(topo ? owner : NULL, file, sizeof(file));
	if (file[0])
		dr_fix(dr, "nsnet up %s", file);
	else if (!in_fwd)
		/* nat del and nat add both go by natfwd: put its element back. */
		dr_fix(dr, "nft add element inet nsnet natfwd { \"%s\" : jump %s }",
		       bridge, fwd);
	else {
		dr_fix(dr, "nsnet nat del %s", bridge);
		dr_fix(dr, "nsnet nat add %s%s%s", bridge, out ? " --out " : "",
		       out ? out : "");
	}
	return 1;
}

int dr_check_fw_table(struct doctor *dr, struct ns *host, json_t *rs,
		      json_t *fw, const struct nl_link *in,
		      const struct nl_link *out)
{
	json_t *e;
	size_t i;
	int rc;

	/* Only where the packet needs NAT (dr_check_nat's question). */
	if (!ns_is_host(host->name) || !rs || !dr->have_src ||
	    !probe_addr_private(&dr->src) || probe_addr_private(&dr->dest) ||
	    dr_json_has(json_object_get(json_object_get(fw, "isolation"), "bridges"),
			out->name))
		return 0;
	rc = dr_check_skeleton(dr, host, rs, fw, in->name);
	if (rc)
		return rc;
	json_array_foreach(json_object_get(fw, "nat"), i, e) {
		const char *o = json_string_value(json_object_get(e, "out"));

		if (!strcmp(json_string_value(json_object_get(e, "bridge")) ?: "", in->name))
			return dr_check_nat_parts(dr, host, rs, in->name, o);
	}
	return dr_check_nat_parts(dr, host, rs, in->name, NULL);
}

/* A published port as the destination: the owners set says which ports
 * nsnet publishes; the maps must forward each. 1 with the cause, 0 when
 * the port is not nsnet's or is whole (said), <0 when nftables could not
 * be read. *published: the port is forwarded (nothing has to listen in
 * the host itself). */
int dr_check_published(struct doctor *dr, struct ns *host, bool *published)
{
	json_t *rs, *fw = NULL, *e, *v;
	char owner[256], file[512], spec[128];
	const char *proto = fw_proto_name(dr->d.proto);
	const char *ns = NULL;
	unsigned int lo = 0, hi = 0, to = 0;
	size_t i;

	*published = false;
	if (!ns_is_host(host->name) || !dr->d.port)
		return 0;
	rs = dr_ruleset(dr, host);
	if (!rs)
		return 0;
	if (fw_show(dr->nn, &fw)) {
		err_clear(dr->nn);
		json_decref(rs);
		return 0;
	}
	json_array_foreach(json_object_get(fw, "published"), i, e)
		if (dr_str_is(e, "proto", proto) &&
		    (unsigned int)json_integer_value(json_object_get(e, "host_port")) <= dr->d.port &&
		    (unsigned int)json_integer_value(json_object_get(e, "host_port_end")) >= dr->d.port &&
		    !*published) {
			*published = true;
			dr_ok(dr, "%s: %s/%u is published to %s (%s)", host->name,
			      proto, dr->d.port,
			      json_string_value(json_object_get(e, "namespace")) ?: "?",
			      json_string_value(json_object_get(e, "address")) ?: "?");
		}
	/* owners: mark . proto . first host port . last . first port. */
	json_array_foreach(json_object_get(dr_nsnet_obj(rs, "set", "owners"), "elem"), i, e) {
		json_t *c = json_object_get(dr_elem_val(e), "concat");

		v = json_array_get(c, 1);
		if (!json_is_string(v) || strcmp(json_string_value(v), proto) ||
		    json_integer_value(json_array_get(c, 2)) > dr->d.port ||
		    json_integer_value(json_array_get(c, 3)) < dr->d.port)
			continue;
		ns = dr_elem_comment(e);
		lo = (unsigned int)json_integer_value(json_array_get(c, 2));
		hi = (unsigned int)json_integer_value(json_array_get(c, 3));
		to = (unsigned int)json_integer_value(json_array_get(c, 4));
		if (*published)
			break;
		dr_fail(dr, "%s: nsnet's set owners publishes %s/%u to %s, but none of the maps pub4, pub4any, rng4 has it (flushed outside nsnet?): nothing forwards the port",
			host->name, proto, dr->d.port, ns ? ns : "?");
		if (ns && !ns_record_owner(ns, owner, sizeof(owner)) && owner[0])
			dr_topology_file(owner, file, sizeof(file));
		else
			file[0] = '\0';
		if (file[0]) {
			dr_fix(dr, "nsnet up %s", file);
		} else if (ns) {
			/* publish refuses a port the sets still hold. */
			dr_fix(dr, "nft delete element inet nsnet owners { 0x%08llx . %s . %u . %u . %u }",
			       (unsigned long long)json_integer_value(json_array_get(c, 0)),
			       proto, lo, hi, to);
			for (; lo <= hi; lo++)
				dr_fix(dr, "nft delete element inet nsnet ports { %s . %u }",
				       proto, lo);
			lo = (unsigned int)json_integer_value(json_array_get(c, 2));
			if (hi > lo)
				snprintf(spec, sizeof(spec), "%u-%u:%u-%u/%s", lo, hi,
					 to, to + hi - lo, proto);
			else
				snprintf(spec, sizeof(spec), "%u:%u/%s", lo, to, proto);
			dr_fix(dr, "nsnet publish %s %s", ns, spec);
		}
		json_decref(rs);
		json_decref(fw);
		return 1;
	}
	json_decref(rs);
	json_decref(fw);
	return 0;
}
