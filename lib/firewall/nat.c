// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nat.c - a way out through the host for the namespaces on a bridge:
 * masquerade of the bridge's subnets (natpost4/6 jump to the bridge's
 * chain, whose rule names the outbound interface when one is given) and
 * forwarding let through (natfwd), with the host's forwarding turned on
 * while any NAT needs it.
 */
#include <stdio.h>
#include <string.h>
#include <linux/rtnetlink.h>

#include "firewall/fw_private.h"

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
	fw_rules_nat(&s, bridge, out_if, subnets, n, true);
	rc = fw_run_add(nn, &s);
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
	return LOCKED(nn, fw_nat_add(nn, bridge, out_if));
}

int fw_nat_del(struct nsnet *nn, const char *bridge)
{
	struct ipaddr subnets[FW_MAX_ADDRS];
	struct fw_script s;
	json_t *doc = NULL;
	char chain[32];
	size_t n;
	int rc;

	rc = check_ifname(nn, bridge);
	if (!rc)
		rc = fw_check_name(nn, "bridge", bridge);
	if (!rc)
		rc = fw_state_load(nn, &doc);
	if (rc)
		return rc;
	if (!fw_state_nat_has(doc, bridge)) {
		json_decref(doc);
		return err_set(nn, 0, "bridge %s has no NAT", bridge);
	}
	fw_nat_chain(chain, sizeof(chain), bridge, false);
	n = fw_state_nat_subnets(doc, chain, subnets, ARRAY_SIZE(subnets));
	json_decref(doc);
	fw_script_init(&s);
	fw_rules_nat(&s, bridge, NULL, subnets, n, false);
	rc = fw_nft_run(nn, &s, false, NULL, NULL, 0);
	fw_script_free(&s);
	if (rc)
		return rc;
	return fw_cleanup(nn, false);
}

NSNET_EXPORT int nsnet_nat_del(struct nsnet *nn, const char *bridge)
{
	return LOCKED(nn, fw_nat_del(nn, bridge));
}
