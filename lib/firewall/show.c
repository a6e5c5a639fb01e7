// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * show.c - nsnet's table as the JSON of nsnet_fw_show (docs/json.md):
 * {"nat":[...],"published":[...],"isolation":{...}}, read from one listing
 * of the table.
 */
#include <stdio.h>
#include <string.h>

#include "firewall/fw_private.h"

static json_t *show_nat(json_t *doc)
{
	json_t *st = fw_state_set(doc, "natfwd"), *e, *out = json_array();
	size_t i, j, n;

	json_array_foreach(json_object_get(st, "elem"), i, e) {
		const char *bridge = json_string_value(fw_elem_unwrap(json_array_get(e, 0), NULL));
		struct ipaddr subnets[FW_MAX_ADDRS];
		char chain[32], outif[64], buf[64];
		json_t *subs;

		if (!bridge)
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

static unsigned int json_port(json_t *v, unsigned int *hi)
{
	json_t *r = json_object_get(v, "range");

	if (r) {
		*hi = (unsigned int)json_integer_value(json_array_get(r, 1));
		return (unsigned int)json_integer_value(json_array_get(r, 0));
	}
	*hi = (unsigned int)json_integer_value(v);
	return *hi;
}

/* One map's elements into the "published" array; per-port elements of one
 * shifted range come back as separate entries. */
static void show_published_map(json_t *doc, const char *map, json_t *out)
{
	json_t *st = fw_state_set(doc, map), *e;
	size_t i;

	json_array_foreach(json_object_get(st, "elem"), i, e) {
		json_t *key = fw_elem_unwrap(json_array_get(e, 0), NULL);
		json_t *val = json_array_get(e, 1), *kc, *vc;
		const char *owner = NULL, *host_ip = NULL, *proto, *to;
		unsigned int lo, hi, plo, phi;
		size_t k = 0;

		fw_elem_unwrap(json_array_get(e, 0), &owner);
		kc = json_object_get(key, "concat");
		if (!kc)
			continue;
		if (strcmp(map, "pub4any")) {
			json_t *h = json_array_get(kc, k++);

			host_ip = json_is_string(h) ? json_string_value(h) : NULL;
		}
		proto = json_string_value(json_array_get(kc, k++)) ?: "?";
		lo = json_port(json_array_get(kc, k), &hi);
		vc = json_object_get(val, "concat");
		if (vc) {
			to = json_string_value(json_array_get(vc, 0)) ?: "?";
			plo = phi = (unsigned int)json_integer_value(json_array_get(vc, 1));
		} else {
			to = json_string_value(val) ?: "?";
			plo = lo;
			phi = hi;
		}
		json_array_append_new(out, json_pack(
			"{s:s?,s:o,s:i,s:i,s:i,s:i,s:s,s:s}",
			"namespace", owner,
			"host_ip", host_ip ? json_string(host_ip) : json_null(),
			"host_port", (int)lo, "host_port_end", (int)hi,
			"port", (int)plo, "port_end", (int)phi,
			"proto", proto, "address", to));
	}
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

int fw_show(struct nsnet *nn, struct json_t **out)
{
	json_t *doc = NULL, *pub, *allowed, *st, *e;
	size_t i;
	int rc;

	rc = fw_state_load(nn, &doc);
	if (rc)
		return rc;
	pub = json_array();
	allowed = json_array();
	if (doc) {
		show_published_map(doc, "pub4", pub);
		show_published_map(doc, "pub4any", pub);
		show_published_map(doc, "rng4", pub);
		st = fw_state_set(doc, "allowed");
		json_array_foreach(json_object_get(st, "elem"), i, e) {
			json_t *cc = json_object_get(fw_elem_unwrap(e, NULL), "concat");
			const char *a = json_string_value(json_array_get(cc, 0)) ?: "";
			const char *b = json_string_value(json_array_get(cc, 1)) ?: "";

			/* Each pair is stored both ways, and each bridge
			 * with itself. */
			if (strcmp(a, b) < 0)
				json_array_append_new(allowed, json_pack("[s,s]", a, b));
		}
	}
	*out = json_pack("{s:o,s:o,s:{s:o,s:o,s:o}}",
			 "nat", doc ? show_nat(doc) : json_array(),
			 "published", pub,
			 "isolation",
			 "bridges", doc ? show_names(doc, "bridges") : json_array(),
			 "internal", doc ? show_names(doc, "internal") : json_array(),
			 "allowed", allowed);
	json_decref(doc);
	return 0;
}

NSNET_EXPORT int nsnet_fw_show(struct nsnet *nn, struct json_t **out)
{
	return fw_show(nn, out);
}
