// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nat.c - a way out through the host for the namespaces on a bridge:
 * masquerade of the bridge's subnets (natpost4/6 jump to the bridge's
 * chain, whose rule names the outbound interface when one is given) and
 * forwarding let through (natfwd), with the host's forwarding turned on
 * while any NAT needs it. Removal goes by what the table holds, so a NAT
 * whose bridge is gone, or that lost pieces to a flush, still goes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/rtnetlink.h>

#include "firewall/fw_private.h"

/* ---- what the table holds of a bridge's NAT ---------------------------------- */

bool fw_state_nat_present(json_t *doc, const char *bridge)
{
	char post[32], fwd[32];

	fw_nat_chain(post, sizeof(post), bridge, false);
	fw_nat_chain(fwd, sizeof(fwd), bridge, true);
	return fw_state_nat_has(doc, bridge) || fw_state_chain(doc, post) ||
	       fw_state_chain(doc, fwd);
}

/* The ifindex the bridge's natfwd element records, or 0. */
static int nat_ifindex(json_t *doc, const char *bridge)
{
	json_t *st = fw_state_set(doc, "natfwd"), *e;
	size_t i;

	json_array_foreach(json_object_get(st, "elem"), i, e) {
		const char *c = NULL;
		const char *k = json_string_value(fw_elem_unwrap(json_array_get(e, 0), &c));

		if (k && !strcmp(k, bridge))
			return c && !strncmp(c, "ifindex ", 8) ? atoi(c + 8) : 0;
	}
	return 0;
}

/* Whether every subnet the bridge has now (its global addresses) is
 * masqueraded: n subnets from natpost4/6. */
static bool nat_covers(struct nsnet *nn, struct ns *host, const struct nl_link *l,
		       const struct ipaddr *subnets, size_t n)
{
	struct fw_addrs *a = malloc(sizeof(*a));
	bool ok = a != NULL;
	size_t i, j;

	if (ok && fw_addr_dump(nn, host, AF_UNSPEC, l->index, a)) {
		err_clear(nn);
		ok = false;
	}
	for (i = 0; ok && i < a->n; i++) {
		struct ipaddr net = a->a[i].ip;
		bool found = false;

		if (a->a[i].scope != RT_SCOPE_UNIVERSE)
			continue;
		ip_mask(&net);
		/* a /32 or /128 comes back from nft without its prefix */
		for (j = 0; j < n && !found; j++)
			found = (subnets[j].prefix < 0 ? (int)ip_len(&net) * 8 :
				 subnets[j].prefix) == net.prefix &&
				ip_equal(&subnets[j], &net);
		ok = found;
	}
	free(a);
	return ok;
}

bool fw_nat_working(struct nsnet *nn, json_t *doc, const char *bridge)
{
	struct ipaddr subnets[FW_MAX_ADDRS];
	char post[32], fwd[32];
	struct nl_link l;
	struct ns *host;
	int idx;

	fw_nat_chain(post, sizeof(post), bridge, false);
	fw_nat_chain(fwd, sizeof(fwd), bridge, true);
	if (!fw_state_nat_has(doc, bridge) || fw_state_rules(doc, post) != 1 ||
	    fw_state_rules(doc, fwd) != 1 ||
	    !fw_state_nat_subnets(doc, post, subnets, ARRAY_SIZE(subnets)))
		return false;
	if (ns_get(nn, NSNET_HOST, &host) || nl_link_get(nn, host, bridge, &l)) {
		err_clear(nn);
		return false;
	}
	idx = nat_ifindex(doc, bridge);
	/* a NAT made before nsnet recorded the ifindex: the name must do */
	if (idx && idx != l.index)
		return false;
	return nat_covers(nn, host, &l, subnets,
			  fw_state_nat_subnets(doc, post, subnets, ARRAY_SIZE(subnets)));
}

void fw_nat_remove(json_t *doc, const char *bridge, struct fw_script *s)
{
	struct ipaddr subnets[FW_MAX_ADDRS];
	char post[32], fwd[32], what[128], buf[64];
	size_t n, i;

	fw_nat_chain(post, sizeof(post), bridge, false);
	fw_nat_chain(fwd, sizeof(fwd), bridge, true);
	snprintf(what, sizeof(what), "remove NAT for bridge %s", bridge);
	if (fw_state_nat_has(doc, bridge))
		fw_script_add(s, what, "delete element inet nsnet natfwd { \"%s\" }",
			      bridge);
	n = fw_state_nat_subnets(doc, post, subnets, ARRAY_SIZE(subnets));
	for (i = 0; i < n; i++)
		fw_script_add(s, what, "delete element inet nsnet natpost%c { %s }",
			      subnets[i].family == AF_INET6 ? '6' : '4',
			      ip_str(&subnets[i], buf, sizeof(buf)));
	/* A chain must be empty and unreferenced to go. */
	if (fw_state_chain(doc, post)) {
		fw_script_add(s, what, "flush chain inet nsnet %s", post);
		fw_script_add(s, what, "delete chain inet nsnet %s", post);
	}
	if (fw_state_chain(doc, fwd)) {
		fw_script_add(s, what, "flush chain inet nsnet %s", fwd);
		fw_script_add(s, what, "delete chain inet nsnet %s", fwd);
	}
}

/* ---- nat add, nat del ------------------------------------------------------------ */

/*
 * "already on" is true only of a NAT that works: one whose bridge was
 * deleted (and made again, with another ifindex) or whose chains lost
 * their rules or elements (nft flush) is stale, and is replaced in one
 * transaction, so that `up` repairs it.
 */
static int nat_replace_stale(struct nsnet *nn, const char *bridge,
			     const struct fw_script *add)
{
	char saved[NSNET_ERR_MAX];
	struct fw_script s;
	json_t *doc = NULL;
	int rc, code = nn->err_code;

	memcpy(saved, nn->err, sizeof(saved));
	if ((rc = fw_state_load(nn, &doc)))
		return rc;
	if (!doc || fw_nat_working(nn, doc, bridge)) {
		json_decref(doc);
		memcpy(nn->err, saved, sizeof(saved));
		nn->err_code = code;
		return -EEXIST;
	}
	fw_script_init(&s);
	fw_nat_remove(doc, bridge, &s);
	json_decref(doc);
	fw_script_cat(&s, add);
	rc = fw_nft_run(nn, &s, false, NULL, NULL, 0);
	fw_script_free(&s);
	return rc;
}

int fw_nat_add(struct nsnet *nn, const char *bridge, const char *out_if)
{
	struct ipaddr subnets[FW_MAX_ADDRS];
	struct fw_addrs *addrs;
	struct fw_script s;
	struct nl_link l, o;
	struct ns *host;
	size_t i, n = 0;
	char what[128];
	int rc;

	rc = ns_get(nn, NSNET_HOST, &host);
	if (!rc)
		rc = fw_bridge_get(nn, host, bridge, true, &l);
	if (rc)
		return rc;
	if (strstr(l.alias, " internal"))
		return err_set(nn, 0,
			"bridge %s is internal: its namespaces cannot leave the host, so it cannot have NAT",
			bridge);
	if (out_if) {
		if ((rc = check_ifname(nn, out_if)) ||
		    (rc = fw_check_name(nn, "interface", out_if)))
			return rc;
		rc = nl_link_get(nn, host, out_if, &o);
		if (rc == -ENODEV)
			return err_set(nn, 0, "NAT for bridge %s: there is no interface %s",
				       bridge, out_if);
		if (rc)
			return rc;
		if (o.index == l.index)
			return err_usage(nn, "NAT for bridge %s: --out must be another interface",
					 bridge);
	}
	addrs = malloc(sizeof(*addrs));
	if (!addrs)
		return err_set(nn, ENOMEM, "NAT for bridge %s", bridge);
	rc = fw_addr_dump(nn, host, AF_UNSPEC, l.index, addrs);
	for (i = 0; !rc && i < addrs->n; i++)
		if (addrs->a[i].scope == RT_SCOPE_UNIVERSE) {
			subnets[n] = addrs->a[i].ip;
			ip_mask(&subnets[n]);
			n++;
		}
	free(addrs);
	if (rc)
		return rc;
	if (!n)
		return err_set(nn, 0,
			"NAT for bridge %s: the bridge has no address, so there is no subnet to masquerade (nsnet addr add host %s CIDR)",
			bridge, bridge);

	fw_script_init(&s);
	fw_rules_nat(&s, bridge, l.index, out_if, subnets, n, true);
	rc = fw_run_add(nn, &s);
	if (rc == -EEXIST)
		rc = nat_replace_stale(nn, bridge, &s);
	fw_script_free(&s);
	if (rc)
		return rc;
	rc = fw_forward_take(nn, host, false);
	if (rc) {
		char saved[NSNET_ERR_MAX];

		memcpy(saved, nn->err, sizeof(saved));
		fw_nat_del(nn, bridge);
		snprintf(nn->err, sizeof(nn->err), "NAT for bridge %s: %s", bridge, saved);
		return rc;
	}
	snprintf(what, sizeof(what), "NAT for bridge %s", bridge);
	fw_warn_foreign(nn, what);
	return 0;
}

NSNET_EXPORT int nsnet_nat_add(struct nsnet *nn, const char *bridge,
			       const char *out_if)
{
	return fw_nat_add(nn, bridge, out_if);
}

/* Whatever is there of it goes, whether or not the bridge still exists. */
int fw_nat_del(struct nsnet *nn, const char *bridge)
{
	struct fw_script s;
	json_t *doc = NULL;
	int rc;

	rc = check_ifname(nn, bridge);
	if (!rc)
		rc = fw_check_name(nn, "bridge", bridge);
	if (!rc)
		rc = fw_state_load(nn, &doc);
	if (rc)
		return rc;
	if (!fw_state_nat_present(doc, bridge)) {
		json_decref(doc);
		return err_set(nn, 0, "bridge %s has no NAT", bridge);
	}
	fw_script_init(&s);
	fw_nat_remove(doc, bridge, &s);
	json_decref(doc);
	rc = fw_nft_run(nn, &s, false, NULL, NULL, 0);
	fw_script_free(&s);
	if (rc)
		return rc;
	return fw_cleanup(nn, false);
}

NSNET_EXPORT int nsnet_nat_del(struct nsnet *nn, const char *bridge)
{
	return fw_nat_del(nn, bridge);
}
