// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * isolation.c - isolation between bridges: the namespaces of one nsnet
 * bridge reach those of another only once the pair is allowed (set
 * "allowed", each pair stored both ways and each bridge with itself), and
 * those of an internal bridge never leave the host (set "internal").
 * The leaf bridges of a network that spans several are registered like
 * bridges and in set "leaves" too, whose packets are not tracked
 * (topology/leaves.c says why). Registering also repairs the table's chains
 * when they lost their rules
 * (fw_run_add), so that `up` after `nft flush table inet nsnet` restores
 * the isolation it relies on.
 */
#include <stdio.h>
#include <string.h>

#include "firewall/fw_private.h"

static int bridge_register(struct nsnet *nn, const char *bridge, bool internal,
			   bool add, bool leaf)
{
	char what[128];
	struct fw_script s;
	json_t *doc = NULL, *st, *e;
	size_t i;
	int rc;

	rc = fw_check_name(nn, "bridge", bridge);
	if (rc)
		return rc;
	snprintf(what, sizeof(what), "isolation of bridge %s", bridge);
	if (add) {
		fw_script_init(&s);
		if (leaf)
			fw_script_add(&s, what, "add element inet nsnet leaves { \"%s\" }",
				      bridge);
		fw_script_add(&s, what, "add element inet nsnet bridges { \"%s\" }",
			      bridge);
		fw_script_add(&s, what,
			      "add element inet nsnet allowed { \"%s\" . \"%s\" }",
			      bridge, bridge);
		if (internal)
			fw_script_add(&s, what,
				      "add element inet nsnet internal { \"%s\" }",
				      bridge);
		rc = fw_run_add(nn, &s);
		fw_script_free(&s);
		return rc;
	}

	rc = fw_state_load(nn, &doc);
	if (rc || !doc)
		return rc;
	fw_script_init(&s);
	if (fw_state_has(doc, "bridges", bridge, NULL))
		fw_script_add(&s, what, "delete element inet nsnet bridges { \"%s\" }",
			      bridge);
	if (fw_state_has(doc, "internal", bridge, NULL))
		fw_script_add(&s, what, "delete element inet nsnet internal { \"%s\" }",
			      bridge);
	if (fw_state_has(doc, "leaves", bridge, NULL))
		fw_script_add(&s, what, "delete element inet nsnet leaves { \"%s\" }",
			      bridge);
	st = fw_state_set(doc, "allowed");
	json_array_foreach(json_object_get(st, "elem"), i, e) {
		json_t *cc = json_object_get(fw_elem_unwrap(e, NULL), "concat");
		const char *a = json_string_value(json_array_get(cc, 0)) ?: "";
		const char *b = json_string_value(json_array_get(cc, 1)) ?: "";

		if (!strcmp(a, bridge) || !strcmp(b, bridge))
			fw_script_add(&s, what,
				      "delete element inet nsnet allowed { \"%s\" . \"%s\" }",
				      a, b);
	}
	if (fw_state_nat_present(doc, bridge))
		fw_nat_remove(doc, bridge, &s);
	json_decref(doc);
	rc = fw_nft_run(nn, &s, false, NULL, NULL, 0);
	fw_script_free(&s);
	if (rc)
		return rc;
	return fw_cleanup(nn, false);
}

int fw_bridge_register(struct nsnet *nn, const char *bridge, bool internal,
		       bool add)
{
	return bridge_register(nn, bridge, internal, add, false);
}

int fw_leaf_register(struct nsnet *nn, const char *leaf, bool internal)
{
	return bridge_register(nn, leaf, internal, true, true);
}

static int fw_allow(struct nsnet *nn, const char *br1, const char *br2,
		    bool allow)
{
	struct nl_link l;
	struct fw_script s;
	struct ns *host;
	json_t *doc = NULL;
	char what[160];
	int rc, i;

	rc = ns_get(nn, NSNET_HOST, &host);
	for (i = 0; !rc && i < 2; i++)
		rc = fw_bridge_get(nn, host, i ? br2 : br1, false, &l);
	if (rc)
		return rc;
	if (!strcmp(br1, br2))
		return err_usage(nn, "%s: give two different bridges", br1);
	rc = fw_state_load(nn, &doc);
	if (rc)
		return rc;
	for (i = 0; i < 2; i++)
		if (!fw_state_has(doc, "bridges", i ? br2 : br1, NULL)) {
			json_decref(doc);
			return err_set(nn, 0,
				"%s is not an nsnet bridge (made with 'nsnet bridge add'): nsnet does not isolate it",
				i ? br2 : br1);
		}
	json_decref(doc);
	if (allow)
		snprintf(what, sizeof(what), "allow %s and %s", br1, br2);
	else
		snprintf(what, sizeof(what), "bridges %s and %s are not allowed to talk; nothing to deny",
			 br1, br2);
	fw_script_init(&s);
	fw_script_add(&s, what, "%s element inet nsnet allowed { \"%s\" . \"%s\", \"%s\" . \"%s\" }",
		      allow ? "add" : "delete", br1, br2, br2, br1);
	rc = fw_nft_run(nn, &s, false, NULL, NULL, 0);
	fw_script_free(&s);
	if (!rc && allow) {
		snprintf(what, sizeof(what), "traffic between bridges %s and %s",
			 br1, br2);
		fw_warn_foreign(nn, what);
	}
	return rc;
}

NSNET_EXPORT int nsnet_allow(struct nsnet *nn, const char *br1,
			     const char *br2, bool allow)
{
	return LOCKED(nn, fw_allow(nn, br1, br2, allow));
}
