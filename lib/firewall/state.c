// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * state.c - nsnet's table ("table inet nsnet") as the kernel holds it:
 * created with the first object and deleted with the last, read back as
 * nft's JSON. Other tables are only read (to warn about a forward chain
 * that drops what nsnet lets through), never written.
 *
 * The kernel holds the whole state: mappings carry their namespace in
 * element comments (and in the owners set), a NAT is the bridge's element
 * of natfwd, its subnets the natpost4/6 elements that jump to its chain,
 * its outbound interface the chain's rule.
 *
 * Listing with nft reads every element of what is listed, so the publish
 * path lists nothing of the table; see docs/firewall.md and the Firewall
 * section of docs/performance.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libmnl/libmnl.h>

/* before the kernel's headers: glibc's netinet/in.h must come first */
#include "firewall/fw_private.h"

#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>

/* ---- reading the table ------------------------------------------------------ */

int fw_state_load(struct nsnet *nn, json_t **doc)
{
	char *out = NULL;
	int rc;

	*doc = NULL;
	rc = fw_nft_list(nn, "list table inet " FW_TABLE, &out);
	if (rc == -ENOENT)
		return 0;
	if (rc)
		return rc;
	*doc = json_loads(out, 0, NULL);
	free(out);
	return 0;
}

json_t *fw_elem_unwrap(json_t *e, const char **comment)
{
	json_t *w = json_is_object(e) ? json_object_get(e, "elem") : NULL;

	if (comment)
		*comment = w ? json_string_value(json_object_get(w, "comment")) : NULL;
	return w ? json_object_get(w, "val") : e;
}

json_t *fw_state_set(json_t *doc, const char *name)
{
	json_t *arr = json_object_get(doc, "nftables"), *o;
	size_t i;

	json_array_foreach(arr, i, o) {
		json_t *s = json_object_get(o, "set");

		if (!s)
			s = json_object_get(o, "map");
		if (s && !strcmp(json_string_value(json_object_get(s, "name")) ?: "",
				 name))
			return s;
	}
	return NULL;
}

static size_t state_count(json_t *doc, const char *name)
{
	json_t *s = fw_state_set(doc, name);

	return s ? json_array_size(json_object_get(s, "elem")) : 0;
}

bool fw_state_has(json_t *doc, const char *set, const char *a, const char *b)
{
	json_t *st = doc ? fw_state_set(doc, set) : NULL, *e;
	size_t i;

	json_array_foreach(json_object_get(st, "elem"), i, e) {
		json_t *v = fw_elem_unwrap(e, NULL), *cc = json_object_get(v, "concat");

		if (!b && json_is_string(v) && !strcmp(json_string_value(v), a))
			return true;
		if (b && cc &&
		    !strcmp(json_string_value(json_array_get(cc, 0)) ?: "", a) &&
		    !strcmp(json_string_value(json_array_get(cc, 1)) ?: "", b))
			return true;
	}
	return false;
}

/* Target chain of a verdict map value {"jump":{"target":C}}. */
static const char *jump_target(json_t *v)
{
	return json_string_value(json_object_get(json_object_get(v, "jump"),
						 "target"));
}

bool fw_state_nat_has(json_t *doc, const char *bridge)
{
	json_t *st = doc ? fw_state_set(doc, "natfwd") : NULL, *e;
	size_t i;

	json_array_foreach(json_object_get(st, "elem"), i, e) {
		const char *k = json_string_value(fw_elem_unwrap(json_array_get(e, 0), NULL));

		if (k && !strcmp(k, bridge))
			return true;
	}
	return false;
}

/* natpost4 and natpost6 keys. */
size_t fw_state_nat_subnets(json_t *doc, const char *chain,
			    struct ipaddr *out, size_t max)
{
	static const char *const maps[] = { "natpost4", "natpost6" };
	size_t m, i, n = 0;
	json_t *e;

	for (m = 0; m < ARRAY_SIZE(maps); m++)
		json_array_foreach(json_object_get(fw_state_set(doc, maps[m]), "elem"), i, e) {
			json_t *k = fw_elem_unwrap(json_array_get(e, 0), NULL);
			json_t *pfx = json_object_get(k, "prefix");
			const char *t = jump_target(json_array_get(e, 1));
			char buf[80];

			if (!t || strcmp(t, chain) || n == max)
				continue;
			if (pfx)
				snprintf(buf, sizeof(buf), "%s/%lld",
					 json_string_value(json_object_get(pfx, "addr")) ?: "",
					 (long long)json_integer_value(json_object_get(pfx, "len")));
			else
				snprintf(buf, sizeof(buf), "%s", json_string_value(k) ?: "");
			if (!cidr_parse(buf, &out[n]))
				n++;
		}
	return n;
}

/* The chain's rule "oifname == X". */
void fw_state_nat_out(json_t *doc, const char *chain, char *buf, size_t len)
{
	json_t *arr = json_object_get(doc, "nftables"), *o, *x;
	size_t i, j;

	buf[0] = '\0';
	json_array_foreach(arr, i, o) {
		json_t *r = json_object_get(o, "rule");

		if (!r || strcmp(json_string_value(json_object_get(r, "chain")) ?: "",
				 chain))
			continue;
		json_array_foreach(json_object_get(r, "expr"), j, x) {
			json_t *m = json_object_get(x, "match");

			if (m && !strcmp(json_string_value(json_object_get(m, "op")) ?: "", "=="))
				snprintf(buf, len, "%s",
					 json_string_value(json_object_get(m, "right")) ?: "");
		}
	}
}

/* Number of elements of one set or map; -ENOENT without the table. Listing
 * one set costs only that set (listing the table, every element of every
 * map: 0.9 s with 10,000 mappings). */
static int fw_set_count(struct nsnet *nn, const char *set, size_t *n)
{
	char cmd[96], *out = NULL;
	json_t *doc;
	int rc;

	snprintf(cmd, sizeof(cmd), "list %s inet " FW_TABLE " %s",
		 strncmp(set, "nat", 3) ? "set" : "map", set);
	rc = fw_nft_list(nn, cmd, &out);
	if (rc)
		return rc;
	doc = json_loads(out, 0, NULL);
	free(out);
	*n = state_count(doc, set);
	json_decref(doc);
	return 0;
}

/* ---- the table's rules, asked for without nft ---------------------------------- */

struct rule_count {
	size_t n[16];
};

static int rule_cb(const struct nlmsghdr *nlh, void *data)
{
	struct rule_count *c = data;
	const struct nlattr *a;
	size_t i;

	mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg)) {
		if (mnl_attr_get_type(a) != NFTA_RULE_CHAIN ||
		    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) < 0)
			continue;
		for (i = 0; i < fw_n_chains && i < ARRAY_SIZE(c->n); i++)
			if (!strcmp(mnl_attr_get_str(a), fw_chains[i].name))
				c->n[i]++;
	}
	return MNL_CB_OK;
}

/*
 * Whether the table's chains hold their rules (`nft flush table` empties
 * every chain and leaves the sets): 1 yes, 0 no (or no table), or a
 * negative errno. nft would read every element of every set to answer
 * (0.15 s with 10,000 published ports); a rule dump of the one table
 * reads the rules only.
 */
int fw_skeleton_ok(struct nsnet *nn)
{
	char buf[16384] __attribute__((aligned(4)));
	struct rule_count c = { { 0 } };
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	struct nfgenmsg *g;
	unsigned int portid, seq = 1;
	ssize_t len;
	size_t i;
	int rc = 0;

	nl = mnl_socket_open(NETLINK_NETFILTER);
	if (!nl)
		return err_set(nn, errno, "firewall: netfilter socket");
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		rc = err_set(nn, errno, "firewall: netfilter socket");
		goto out;
	}
	portid = mnl_socket_get_portid(nl);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETRULE;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->nfgen_family = NFPROTO_INET;
	g->version = NFNETLINK_V0;
	g->res_id = 0;
	/* the kernel filters the dump by table */
	mnl_attr_put_strz(nlh, NFTA_RULE_TABLE, FW_TABLE);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		rc = err_set(nn, errno, "firewall: rule dump");
		goto out;
	}
	while ((len = mnl_socket_recvfrom(nl, buf, sizeof(buf))) > 0) {
		rc = mnl_cb_run(buf, (size_t)len, seq, portid, rule_cb, &c);
		if (rc <= MNL_CB_STOP)
			break;
	}
	if (len < 0 || rc < 0) {
		rc = errno == ENOENT ? 0 : err_set(nn, errno, "firewall: rule dump");
		goto out;
	}
	rc = 1;
	for (i = 0; i < fw_n_chains; i++)
		if (c.n[i] != fw_chain_rules(&fw_chains[i]))
			rc = 0;
out:
	mnl_socket_close(nl);
	return rc;
}

/* The same from a listing of the table (show, plan). */
bool fw_state_skeleton_ok(json_t *doc)
{
	size_t i;

	if (!doc)
		return false;
	for (i = 0; i < fw_n_chains; i++)
		if (fw_state_rules(doc, fw_chains[i].name) !=
		    fw_chain_rules(&fw_chains[i]))
			return false;
	return true;
}

size_t fw_state_rules(json_t *doc, const char *chain)
{
	json_t *o;
	size_t i, n = 0;

	json_array_foreach(json_object_get(doc, "nftables"), i, o) {
		json_t *r = json_object_get(o, "rule");

		if (r && !strcmp(json_string_value(json_object_get(r, "chain")) ?: "",
				 chain))
			n++;
	}
	return n;
}

json_t *fw_state_chain(json_t *doc, const char *chain)
{
	json_t *o;
	size_t i;

	json_array_foreach(json_object_get(doc, "nftables"), i, o) {
		json_t *c = json_object_get(o, "chain");

		if (c && !strcmp(json_string_value(json_object_get(c, "name")) ?: "",
				 chain))
			return c;
	}
	return NULL;
}

/* ---- the table's life --------------------------------------------------------- */

/*
 * A table made by nsnet before published ports spoke IPv6 has records
 * (owners) without their family: the set is made again with it, its
 * records kept as "both families" (what they published: IPv4, and no IPv6
 * element to remove). Only asked when the chains were not all there (an
 * older table's "published" chain has fewer rules).
 */
static int fw_migrate_owners(struct nsnet *nn, struct fw_script *pre,
			     struct fw_script *post)
{
	static const char what[] = "give nsnet's table of an older nsnet its IPv6 maps";
	char *out = NULL;
	json_t *doc, *set, *e;
	size_t i;
	int rc;

	rc = fw_nft_list(nn, "list set inet " FW_TABLE " owners", &out);
	if (rc == -ENOENT)
		return 0;
	if (rc)
		return rc;
	doc = json_loads(out, 0, NULL);
	free(out);
	set = fw_state_set(doc, "owners");
	if (json_array_size(json_object_get(set, "type")) != 5) {
		json_decref(doc);
		return 0;
	}
	fw_script_add(pre, what, "delete set inet " FW_TABLE " owners");
	json_array_foreach(json_object_get(set, "elem"), i, e) {
		json_t *c = json_object_get(fw_elem_unwrap(e, NULL), "concat");
		const char *owner = NULL;

		fw_elem_unwrap(e, &owner);
		if (json_array_size(c) != 5 || !owner || !fw_name_ok(owner))
			continue;
		fw_script_add(post, what,
			      "add element inet " FW_TABLE " owners { 0 . 0x%08x . %s . %lld . %lld . %lld comment \"%s\" }",
			      (uint32_t)json_integer_value(json_array_get(c, 0)),
			      json_string_value(json_array_get(c, 1)) ?: "tcp",
			      (long long)json_integer_value(json_array_get(c, 2)),
			      (long long)json_integer_value(json_array_get(c, 3)),
			      (long long)json_integer_value(json_array_get(c, 4)), owner);
	}
	json_decref(doc);
	return 0;
}

int fw_run_skeleton(struct nsnet *nn)
{
	struct fw_script s, post;
	int rc;

	fw_script_init(&s);
	fw_script_init(&post);
	rc = fw_migrate_owners(nn, &s, &post);
	if (!rc) {
		fw_rules_skeleton(&s);
		fw_script_cat(&s, &post);
		rc = fw_nft_run(nn, &s, false, NULL, NULL, 0);
	}
	fw_script_free(&post);
	fw_script_free(&s);
	return rc;
}

/*
 * The chains are checked first (a rule dump, cheap; see fw_skeleton_ok)
 * and the table made or repaired when they are not all there, then the
 * change runs. Two transactions there: in the one that creates the
 * interval map natpost4, adding an element to it fails with ENOENT
 * (kernel 6.18, nft 1.0.6). The change is tried again after a repair when
 * it finds the table gone (another nsnet deleted it in between). If it
 * then fails, an empty table made here goes again.
 */
int fw_run_add(struct nsnet *nn, const struct fw_script *body)
{
	char saved[NSNET_ERR_MAX];
	bool made = false;
	int rc, code;

	rc = fw_skeleton_ok(nn);
	if (rc < 0)
		return rc;
	if (!rc) {
		if ((rc = fw_run_skeleton(nn)))
			return rc;
		made = true;
	}
	rc = fw_nft_run(nn, body, false, NULL, NULL, 0);
	if (rc == -ENOENT && !made) {
		if ((rc = fw_run_skeleton(nn)))
			return rc;
		made = true;
		rc = fw_nft_run(nn, body, false, NULL, NULL, 0);
	}
	if (rc && made) {
		memcpy(saved, nn->err, sizeof(saved));
		code = nn->err_code;
		fw_cleanup(nn, true);
		memcpy(nn->err, saved, sizeof(saved));
		nn->err_code = code;
	}
	return rc;
}

/*
 * The published ports are counted last and only when it matters (listing
 * them costs their number). route_localnet goes back only when the ports
 * were counted and none is left: the `nat del` of one bridge must not take
 * it from another network's published 127.0.0.1 ports.
 */
int fw_cleanup(struct nsnet *nn, bool published)
{
	static const char *const small[] = { "natfwd", "bridges", "allowed" };
	size_t counts[ARRAY_SIZE(small)] = { 0 }, pub = 0, i;
	bool pub_known = false;
	struct fw_script s;
	struct ns *host;
	int rc;

	rc = ns_get(nn, NSNET_HOST, &host);
	if (rc)
		return rc;
	for (i = 0; i < ARRAY_SIZE(small); i++) {
		rc = fw_set_count(nn, small[i], &counts[i]);
		if (rc == -ENOENT)
			break;   /* no table at all */
		if (rc)
			return rc;
	}
	if (rc != -ENOENT && (published || !counts[0] ||
			      !(counts[1] + counts[2]))) {
		rc = fw_set_count(nn, "ports", &pub);
		if (rc && rc != -ENOENT)
			return rc;
		pub_known = true;
	}
	if (rc == -ENOENT) {
		memset(counts, 0, sizeof(counts));
		pub = 0;
		pub_known = true;
	}
	fw_forward_release(nn, host, pub_known && !pub,
			   pub_known && !pub && !counts[0]);
	if (rc != -ENOENT && pub_known && !pub && !counts[0] && !counts[1] &&
	    !counts[2]) {
		fw_script_init(&s);
		fw_script_add(&s, "delete nftables table inet nsnet",
			      "delete table inet " FW_TABLE);
		rc = fw_nft_run(nn, &s, false, NULL, NULL, 0);
		fw_script_free(&s);
		return rc;
	}
	return 0;
}

/* ---- foreign firewalls ------------------------------------------------------------ */

/*
 * An accept in nsnet's forward chain does not overrule a drop in another
 * table's chain at the same hook: every base chain must accept. Say so,
 * naming the chain, rather than touching a table nsnet does not own.
 */
void fw_warn_foreign(struct nsnet *nn, const char *what)
{
	char *out = NULL;
	json_t *doc, *arr, *o;
	size_t i;

	if (fw_nft_list(nn, "list chains", &out))
		return;
	doc = json_loads(out, 0, NULL);
	free(out);
	arr = json_object_get(doc, "nftables");
	json_array_foreach(arr, i, o) {
		json_t *c = json_object_get(o, "chain");
		const char *fam, *table, *name, *hook, *policy;

		if (!c)
			continue;
		fam = json_string_value(json_object_get(c, "family")) ?: "";
		table = json_string_value(json_object_get(c, "table")) ?: "";
		name = json_string_value(json_object_get(c, "name")) ?: "";
		hook = json_string_value(json_object_get(c, "hook")) ?: "";
		policy = json_string_value(json_object_get(c, "policy")) ?: "";
		if (!strcmp(fam, FW_FAMILY) && !strcmp(table, FW_TABLE))
			continue;
		if (strcmp(hook, "forward") || strcmp(policy, "drop"))
			continue;
		warn_emit(nn,
			  "table %s %s, chain %s drops forwarded packets by default (policy drop), so %s may not get through; nsnet does not edit tables it did not create: add accept rules to that chain (for example for the bridge's traffic and for ct state established,related) or change its policy",
			  fam, table, name, what);
	}
	json_decref(doc);
}

/* ---- published ports, read back ----------------------------------------------- */

static int json_proto(json_t *v)
{
	const char *p = json_string_value(v);

	return p && !strcmp(p, "udp") ? IPPROTO_UDP :
	       p && !strcmp(p, "tcp") ? IPPROTO_TCP : 0;
}

/* A port or {"range":[lo,hi]}. */
static unsigned int json_ports(json_t *v, unsigned int *hi)
{
	json_t *r = json_object_get(v, "range");

	if (r) {
		*hi = (unsigned int)json_integer_value(json_array_get(r, 1));
		return (unsigned int)json_integer_value(json_array_get(r, 0));
	}
	*hi = (unsigned int)json_integer_value(v);
	return *hi;
}

/* An address, or {"prefix":{"addr":A,"len":0}} (every address): 1 for an
 * address, 0 for every address, -1 for anything else. */
static int json_host(json_t *v, struct ipaddr *ip)
{
	json_t *pfx = json_object_get(v, "prefix");

	if (pfx)
		return json_integer_value(json_object_get(pfx, "len")) == 0 ? 0 : -1;
	if (!json_is_string(v) || ip_parse(json_string_value(v), ip))
		return -1;
	ip->prefix = -1;
	return 1;
}

static void pubs_map(json_t *doc, const char *map, struct fw_pubs *p)
{
	json_t *st = fw_state_set(doc, map), *e;
	int family = strchr(map, '6') ? AF_INET6 : AF_INET;
	bool any = strstr(map, "any") != NULL, range = !strncmp(map, "rng", 3);
	size_t i;

	json_array_foreach(json_object_get(st, "elem"), i, e) {
		json_t *kc = json_object_get(fw_elem_unwrap(json_array_get(e, 0), NULL), "concat");
		json_t *val = json_array_get(e, 1), *vc = json_object_get(val, "concat");
		struct fw_pub_elem el = { .map = map, .family = family, .any = any,
					  .range = range, .own = -1 };
		size_t k = 0;

		fw_elem_unwrap(json_array_get(e, 0), &el.owner);
		if (!kc || !el.owner)
			continue;
		if (!any) {
			int h = json_host(json_array_get(kc, k++), &el.host);

			if (h < 0)
				continue;
			el.any = h == 0;
		}
		el.proto = json_proto(json_array_get(kc, k++));
		el.lo = json_ports(json_array_get(kc, k), &el.hi);
		if (ip_parse(json_string_value(vc ? json_array_get(vc, 0) : val) ?: "",
			     &el.to))
			continue;
		el.to.prefix = -1;
		el.port = vc ? (unsigned int)json_integer_value(json_array_get(vc, 1)) : el.lo;
		if (!el.proto || !el.lo || el.hi < el.lo || el.hi > 65535)
			continue;
		ARRAY_GROW(p->el, p->n_el);
		p->el[p->n_el++] = el;
	}
}

static int owner_cmp(const void *a, const void *b)
{
	const struct fw_owner *x = a, *y = b;

	if (x->sp.proto != y->sp.proto)
		return x->sp.proto < y->sp.proto ? -1 : 1;
	return x->sp.host_lo < y->sp.host_lo ? -1 : x->sp.host_lo > y->sp.host_lo;
}

static int elem_cmp(const void *a, const void *b)
{
	const struct fw_pub_elem *x = a, *y = b;

	if (x->own != y->own)
		return x->own < y->own ? -1 : 1;
	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* The publication whose claimed range holds port: claims are unique per
 * port, so the ranges of one protocol never overlap. */
long fw_pubs_owner_of(const struct fw_pubs *p, int proto, unsigned int port)
{
	size_t lo = 0, hi = p->n_own;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct fw_spec *sp = &p->own[mid].sp;

		if (sp->proto < proto || (sp->proto == proto && sp->host_hi < port))
			lo = mid + 1;
		else if (sp->proto > proto || sp->host_lo > port)
			hi = mid;
		else
			return (long)mid;
	}
	return -1;
}

void fw_pubs_read(json_t *doc, struct fw_pubs *p)
{
	static const char *const maps[] = { "pub4", "pub4any", "rng4",
					    "pub6", "pub6any", "rng6" };
	json_t *st, *e;
	size_t i;

	memset(p, 0, sizeof(*p));
	st = doc ? fw_state_set(doc, "owners") : NULL;
	json_array_foreach(json_object_get(st, "elem"), i, e) {
		json_t *c = json_object_get(fw_elem_unwrap(e, NULL), "concat");
		json_t *fam = json_array_get(c, 0);
		struct fw_owner o = { 0 };

		fw_elem_unwrap(e, &o.owner);
		if (!o.owner || json_array_size(c) != 6)
			continue;
		o.sp.family = json_is_string(fam) ?
			(!strcmp(json_string_value(fam), "ipv6") ? AF_INET6 : AF_INET) : 0;
		o.mark = (uint32_t)json_integer_value(json_array_get(c, 1));
		o.sp.proto = json_proto(json_array_get(c, 2));
		o.sp.host_lo = (unsigned int)json_integer_value(json_array_get(c, 3));
		o.sp.host_hi = (unsigned int)json_integer_value(json_array_get(c, 4));
		o.sp.port_lo = (unsigned int)json_integer_value(json_array_get(c, 5));
		o.sp.port_hi = o.sp.port_lo + (o.sp.host_hi - o.sp.host_lo);
		o.sp.any_ip = true;
		if (!o.sp.proto || !o.sp.host_lo || o.sp.host_hi < o.sp.host_lo ||
		    o.sp.port_hi > 65535)
			continue;
		ARRAY_GROW(p->own, p->n_own);
		p->own[p->n_own++] = o;
	}
	if (p->n_own)   /* qsort(NULL, 0) is undefined */
		qsort(p->own, p->n_own, sizeof(*p->own), owner_cmp);
	for (i = 0; doc && i < ARRAY_SIZE(maps); i++)
		pubs_map(doc, maps[i], p);
	for (i = 0; i < p->n_el; i++) {
		struct fw_pub_elem *el = &p->el[i];
		long o = fw_pubs_owner_of(p, el->proto, el->lo);

		if (o >= 0 && !strcmp(p->own[o].owner, el->owner) &&
		    fw_spec_has_family(&p->own[o].sp, el->family))
			el->own = o;
	}
	if (p->n_el)
		qsort(p->el, p->n_el, sizeof(*p->el), elem_cmp);
	for (i = 0; i < p->n_el; i++) {
		struct fw_owner *o;

		if (p->el[i].own < 0)
			continue;
		o = &p->own[p->el[i].own];
		if (!o->n_el)
			o->el_first = i;
		o->n_el++;
		/* The host address of the publication, from its elements. */
		if (!p->el[i].any) {
			o->sp.any_ip = false;
			o->sp.host_ip = p->el[i].host;
		}
	}
	st = doc ? fw_state_set(doc, "ports") : NULL;
	json_array_foreach(json_object_get(st, "elem"), i, e) {
		json_t *c = json_object_get(fw_elem_unwrap(e, NULL), "concat");
		int proto = json_proto(json_array_get(c, 0));
		json_int_t port = json_integer_value(json_array_get(c, 1));

		if (proto && port > 0 && port <= 65535)
			p->claimed[proto == IPPROTO_UDP][port / 8] |=
				(unsigned char)(1u << (port % 8));
	}
}

bool fw_pubs_claimed(const struct fw_pubs *p, int proto, unsigned int port)
{
	return port <= 65535 &&
	       (p->claimed[proto == IPPROTO_UDP][port / 8] >> (port % 8)) & 1;
}

void fw_pubs_free(struct fw_pubs *p)
{
	free(p->own);
	free(p->el);
	memset(p, 0, sizeof(*p));
}

/* The nft key of an element, to delete it. */
void fw_pub_elem_key(char *buf, size_t len, const struct fw_pub_elem *e)
{
	char host[64] = "";

	if (e->range || !e->any) {
		if (e->any)
			snprintf(host, sizeof(host), "%s . ",
				 e->family == AF_INET6 ? "::/0" : "0.0.0.0/0");
		else {
			ip_str(&e->host, host, sizeof(host) - 4);
			strcat(host, " . ");
		}
	}
	if (e->range)
		snprintf(buf, len, "%s%s . %u-%u", host, fw_proto_name(e->proto),
			 e->lo, e->hi);
	else
		snprintf(buf, len, "%s%s . %u", host, fw_proto_name(e->proto), e->lo);
}

void fw_pubs_remove(const struct fw_pubs *p, size_t o, struct fw_script *s)
{
	const struct fw_owner *w = &p->own[o];
	char what[200], key[160];
	unsigned int port;
	size_t i;
	bool first = true;

	snprintf(what, sizeof(what), "remove the ports published for %s", w->owner);
	for (i = w->el_first; i < w->el_first + w->n_el; i++) {
		fw_pub_elem_key(key, sizeof(key), &p->el[i]);
		fw_script_add(s, what, "delete element inet nsnet %s { %s }",
			      p->el[i].map, key);
	}
	fw_script_add(s, what,
		      "delete element inet nsnet owners { %s . 0x%08x . %s . %u . %u . %u }",
		      fw_nfproto_name(w->sp.family), w->mark,
		      fw_proto_name(w->sp.proto), w->sp.host_lo, w->sp.host_hi,
		      w->sp.port_lo);
	for (port = w->sp.host_lo; port <= w->sp.host_hi; port++) {
		if (!fw_pubs_claimed(p, w->sp.proto, port))
			continue;
		if (first) {
			fw_script_line_start(s, what);
			fw_script_append(s, "delete element inet nsnet ports { ");
		}
		fw_script_append(s, "%s%s . %u", first ? "" : ", ",
				 fw_proto_name(w->sp.proto), port);
		first = false;
	}
	if (!first) {
		fw_script_append(s, " }");
		fw_script_line_end(s);
	}
}
