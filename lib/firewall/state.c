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
#include <string.h>

#include "firewall/fw_private.h"

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

/* ---- the table's life --------------------------------------------------------- */

/*
 * Asking whether the table exists first would cost as much as listing it
 * (nft fills its whole cache, every element included: 200 ms with 10,000
 * mappings), so the change runs as it is, and only when the table is
 * missing (ENOENT) again after creating the table. Two transactions there:
 * in the one that creates the interval map natpost4, adding an element to
 * it fails with ENOENT (kernel 6.18, nft 1.0.6). If the change then fails,
 * the empty table goes again.
 */
int fw_run_add(struct nsnet *nn, const struct fw_script *body)
{
	char saved[NSNET_ERR_MAX];
	struct fw_script s;
	int rc, code;

	rc = fw_nft_run(nn, body, false, NULL, NULL, 0);
	if (rc != -ENOENT)
		return rc;
	fw_script_init(&s);
	fw_rules_skeleton(&s);
	rc = fw_nft_run(nn, &s, false, NULL, NULL, 0);
	fw_script_free(&s);
	if (rc)
		return rc;
	rc = fw_nft_run(nn, body, false, NULL, NULL, 0);
	if (rc) {
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
 * them costs their number).
 */
int fw_cleanup(struct nsnet *nn, bool published)
{
	static const char *const small[] = { "natfwd", "bridges", "allowed" };
	size_t counts[ARRAY_SIZE(small)] = { 0 }, pub = 0, i;
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
	}
	if (rc == -ENOENT) {
		memset(counts, 0, sizeof(counts));
		pub = 0;
	}
	fw_forward_release(nn, host, !pub, !pub && !counts[0]);
	if (rc != -ENOENT && !pub && !counts[0] && !counts[1] && !counts[2]) {
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
