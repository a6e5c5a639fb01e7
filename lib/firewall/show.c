// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * show.c - nsnet's table as the JSON of nsnet_fw_show (docs/json.md):
 * {"nat":[...],"published":[...],"isolation":{...}}, read from one listing
 * of the table; one published entry per publication (its record in
 * owners), with its address on each family. fw_show_working() leaves out
 * what does not really work (see firewall.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "firewall/fw_private.h"

static json_t *show_nat(struct nsnet *nn, json_t *doc, bool working)
{
	json_t *st = fw_state_set(doc, "natfwd"), *e, *out = json_array();
	size_t i, j, n;

	json_array_foreach(json_object_get(st, "elem"), i, e) {
		const char *bridge = json_string_value(fw_elem_unwrap(json_array_get(e, 0), NULL));
		struct ipaddr subnets[FW_MAX_ADDRS];
		char chain[32], outif[64], buf[64];
		json_t *subs;

		if (!bridge || (working && !fw_nat_working(nn, doc, bridge)))
			continue;
		fw_nat_chain(chain, sizeof(chain), bridge, false);
		n = fw_state_nat_subnets(doc, chain, subnets, ARRAY_SIZE(subnets));
		fw_state_nat_out(doc, chain, outif, sizeof(outif));
		subs = json_array();
		for (j = 0; j < n; j++)
			json_array_append_new(subs, json_string(ip_str(&subnets[j], buf,
								       sizeof(buf))));
		json_array_append_new(out, json_pack("{s:s,s:o,s:o}", "bridge",
			bridge, "out", outif[0] ? json_string(outif) : json_null(),
			"subnets", subs));
	}
	return out;
}

/* One publication: the spec it was made with and where it leads, one
 * address per family. */
static json_t *show_pub(const struct fw_pubs *p, size_t o)
{
	const struct fw_owner *w = &p->own[o];
	json_t *addrs = json_array(), *host;
	char buf[128];
	size_t i, j;

	for (i = w->el_first; i < w->el_first + w->n_el; i++) {
		bool seen = false;

		for (j = w->el_first; j < i && !seen; j++)
			seen = ip_equal(&p->el[j].to, &p->el[i].to);
		if (!seen)
			json_array_append_new(addrs, json_string(ip_str(&p->el[i].to, buf,
									sizeof(buf))));
	}
	if (!w->sp.family)
		host = json_null();
	else if (w->sp.any_ip)
		host = json_string(w->sp.family == AF_INET6 ? "::" : "0.0.0.0");
	else
		host = json_string(ip_str(&w->sp.host_ip, buf, sizeof(buf)));
	return json_pack("{s:s,s:o,s:i,s:i,s:i,s:i,s:s,s:O,s:o,s:s}",
		"namespace", w->owner, "host_ip", host,
		"host_port", (int)w->sp.host_lo, "host_port_end", (int)w->sp.host_hi,
		"port", (int)w->sp.port_lo, "port_end", (int)w->sp.port_hi,
		"proto", fw_proto_name(w->sp.proto),
		"address", json_array_size(addrs) ? json_array_get(addrs, 0) : json_null(),
		"addresses", addrs,
		"spec", fw_spec_str(&w->sp, buf, sizeof(buf)));
}

static const struct fw_pubs *sort_pubs;

static int pub_order(const void *a, const void *b)
{
	const struct fw_owner *x = &sort_pubs->own[*(const size_t *)a];
	const struct fw_owner *y = &sort_pubs->own[*(const size_t *)b];
	int c = strcmp(x->owner, y->owner);

	if (c)
		return c;
	if (x->sp.proto != y->sp.proto)
		return x->sp.proto < y->sp.proto ? -1 : 1;
	return x->sp.host_lo < y->sp.host_lo ? -1 : x->sp.host_lo > y->sp.host_lo;
}

/* Sorted by namespace, protocol and port. With working, only those that
 * work (each namespace's addresses are read once: the records come
 * grouped by namespace). */
static json_t *show_published(struct nsnet *nn, json_t *doc, bool working,
			      bool skeleton_ok)
{
	json_t *out = json_array();
	struct fw_pubs *p = malloc(sizeof(*p));
	size_t *idx, i;

	if (!p)
		abort();
	fw_pubs_read(doc, p);
	idx = calloc(p->n_own + 1, sizeof(*idx));
	if (!idx)
		abort();
	for (i = 0; i < p->n_own; i++)
		idx[i] = i;
	sort_pubs = p;
	qsort(idx, p->n_own, sizeof(*idx), pub_order);
	for (i = 0; i < p->n_own; i++) {
		const char *owner = p->own[idx[i]].owner;

		if (!working || fw_pub_working(nn, p, idx[i], skeleton_ok))
			json_array_append_new(out, show_pub(p, idx[i]));
		/* the caller may hold the host's handle: never released */
		if (working && !ns_is_host(owner) &&
		    (i + 1 == p->n_own || strcmp(p->own[idx[i + 1]].owner, owner)))
			ns_release(nn, owner);
	}
	free(idx);
	fw_pubs_free(p);
	free(p);
	return out;
}

static json_t *show_names(json_t *doc, const char *set)
{
	json_t *st = fw_state_set(doc, set), *e, *out = json_array();
	size_t i;

	json_array_foreach(json_object_get(st, "elem"), i, e) {
		json_t *v = fw_elem_unwrap(e, NULL);

		if (json_is_string(v))
			json_array_append_new(out, json_string(json_string_value(v)));
	}
	return out;
}

/* Registered bridges; working: only with their pair to themselves (with
 * br_netfilter, traffic inside a bridge passes the forward hook too). */
static json_t *show_bridges(json_t *doc, bool working)
{
	json_t *all = show_names(doc, "bridges"), *out, *e;
	size_t i;

	if (!working)
		return all;
	out = json_array();
	json_array_foreach(all, i, e)
		if (fw_state_has(doc, "allowed", json_string_value(e), json_string_value(e)))
			json_array_append(out, e);
	json_decref(all);
	return out;
}

static int show(struct nsnet *nn, bool working, struct json_t **out)
{
	json_t *doc = NULL, *allowed, *st, *e;
	bool ok;
	size_t i;
	int rc;

	rc = fw_state_load(nn, &doc);
	if (rc)
		return rc;
	ok = fw_state_skeleton_ok(doc);
	if (working && !ok) {
		/* chains without their rules: nothing of it works */
		json_decref(doc);
		doc = NULL;
	}
	allowed = json_array();
	st = doc ? fw_state_set(doc, "allowed") : NULL;
	json_array_foreach(json_object_get(st, "elem"), i, e) {
		json_t *cc = json_object_get(fw_elem_unwrap(e, NULL), "concat");
		const char *a = json_string_value(json_array_get(cc, 0)) ?: "";
		const char *b = json_string_value(json_array_get(cc, 1)) ?: "";

		/* Each pair is stored both ways, and each bridge with
		 * itself. */
		if (strcmp(a, b) < 0)
			json_array_append_new(allowed, json_pack("[s,s]", a, b));
	}
	*out = json_pack("{s:o,s:o,s:{s:o,s:o,s:o,s:o}}",
			 "nat", doc ? show_nat(nn, doc, working) : json_array(),
			 "published", doc ? show_published(nn, doc, working, ok) : json_array(),
			 "isolation",
			 "bridges", doc ? show_bridges(doc, working) : json_array(),
			 "internal", doc ? show_names(doc, "internal") : json_array(),
			 "leaves", doc ? show_names(doc, "leaves") : json_array(),
			 "allowed", allowed);
	json_decref(doc);
	return 0;
}

int fw_show(struct nsnet *nn, struct json_t **out)
{
	return show(nn, false, out);
}

int fw_show_working(struct nsnet *nn, struct json_t **out)
{
	return show(nn, true, out);
}

int fw_bridge_state(struct nsnet *nn, const char *bridge, struct fw_bridge_state *st)
{
	json_t *doc = NULL;
	char chain[32];
	int rc;

	memset(st, 0, sizeof(*st));
	if ((rc = fw_state_load(nn, &doc)) || !doc)
		return rc;
	st->registered = fw_state_has(doc, "bridges", bridge, NULL);
	st->internal = fw_state_has(doc, "internal", bridge, NULL);
	st->nat = fw_state_nat_present(doc, bridge);
	fw_nat_chain(chain, sizeof(chain), bridge, false);
	if (st->nat)
		fw_state_nat_out(doc, chain, st->nat_out, sizeof(st->nat_out));
	json_decref(doc);
	return 0;
}

NSNET_EXPORT int nsnet_fw_show(struct nsnet *nn, struct json_t **out)
{
	return fw_show(nn, out);
}
