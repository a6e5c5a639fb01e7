// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cni.c - published ports for CNI attachments: the same maps, owners set
 * and chains as `nsnet publish` (rules.c), but aimed at an address the
 * plugin handed out and owned by an attachment id ("cni:<network>:<id>:
 * <ifname>") instead of a namespace name. The owner is what makes teardown
 * safe: removing a mapping deletes its owners element in the same
 * transaction, so a DEL for a container whose address (and host port) was
 * given to another one since fails as a whole and removes nothing of the
 * other's.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <jansson.h>

#include "firewall/fw_private.h"

/* The families spec is published on for a container with addresses to4
 * and to6 (NULL: none of that family). */
static int cni_targets(struct nsnet *nn, const struct fw_spec *sp,
		       const struct ipaddr *to4, const struct ipaddr *to6,
		       struct fw_targets *t)
{
	char canon[96];

	memset(t, 0, sizeof(*t));
	t->v4 = to4 && fw_spec_has_family(sp, AF_INET);
	t->v6 = to6 && fw_spec_has_family(sp, AF_INET6);
	if (t->v4) {
		t->to4 = *to4;
		t->to4.prefix = -1;
	}
	if (t->v6) {
		t->to6 = *to6;
		t->to6.prefix = -1;
	}
	if (!t->v4 && !t->v6)
		return err_usage(nn, "port %s: the container has no %s address to publish to",
				 fw_spec_str(sp, canon, sizeof(canon)),
				 sp->family == AF_INET6 ? "IPv6" : "IPv4");
	return 0;
}

int fw_cni_publish(struct nsnet *nn, const char *owner,
		   const struct fw_spec *specs, size_t n,
		   const struct ipaddr *to4, const struct ipaddr *to6)
{
	struct fw_targets t;
	struct fw_script s;
	struct ns *host;
	bool localnet = false;
	size_t i;
	int rc;

	if (!n)
		return 0;
	if (!fw_name_ok(owner))
		return err_usage(nn, "owner id \"%s\" cannot be written into nftables",
				 owner);
	if ((rc = ns_get(nn, NSNET_HOST, &host)))
		return rc;
	fw_script_init(&s);
	for (i = 0; i < n && !rc; i++) {
		rc = cni_targets(nn, &specs[i], to4, to6, &t);
		if (!rc)
			fw_rules_publish(&s, &specs[i], owner, &t, true);
		localnet |= t.v4;
	}
	if (!rc)
		rc = fw_run_add(nn, &s);
	fw_script_free(&s);
	if (rc)
		return rc;
	/* route_localnet: the host's 127.0.0.1 reaches IPv4 ports */
	rc = fw_forward_take(nn, host, localnet);
	if (rc) {
		char saved[NSNET_ERR_MAX];
		int code = nn->err_code;

		memcpy(saved, nn->err, sizeof(saved));
		fw_cni_unpublish(nn, owner, specs, n, to4, to6);
		memcpy(nn->err, saved, sizeof(saved));
		nn->err_code = code;
	}
	return rc;
}

int fw_cni_unpublish(struct nsnet *nn, const char *owner,
		     const struct fw_spec *specs, size_t n,
		     const struct ipaddr *to4, const struct ipaddr *to6)
{
	struct fw_targets t;
	struct fw_script s;
	size_t i;
	int rc = 0;

	if (!n)
		return 0;
	/* The quick way: the elements ADD made, in one transaction. */
	fw_script_init(&s);
	for (i = 0; i < n && !rc; i++) {
		rc = cni_targets(nn, &specs[i], to4, to6, &t);
		if (!rc)
			fw_rules_publish(&s, &specs[i], owner, &t, false);
	}
	if (!rc)
		rc = fw_nft_run(nn, &s, false, NULL, NULL, 0);
	fw_script_free(&s);
	if (!rc)
		return fw_cleanup(nn, true);
	/* Some piece is gone (deleted by hand, an interrupted teardown) or
	 * was never made: what the table says owner owns, by its owners
	 * elements. A host port owner no longer owns is left alone. */
	err_clear(nn);
	return fw_unpublish_owner(nn, owner, NULL);
}

/* Whether addrs (a JSON list of strings) holds ip. */
static bool json_has_ip(json_t *addrs, const struct ipaddr *ip)
{
	struct ipaddr a;
	json_t *x;
	size_t i;

	json_array_foreach(addrs, i, x)
		if (!ip_parse(json_string_value(x) ?: "", &a) && ip_equal(&a, ip))
			return true;
	return false;
}

int fw_cni_published(struct nsnet *nn, const char *owner,
		     const struct fw_spec *spec, const struct ipaddr *to4,
		     const struct ipaddr *to6, bool *there)
{
	struct fw_targets t;
	json_t *doc = NULL, *e;
	size_t i;
	int rc;

	*there = false;
	if (cni_targets(nn, spec, to4, to6, &t))
		return 0;   /* nothing could be published: not there */
	if ((rc = fw_show(nn, &doc)))
		return rc;
	json_array_foreach(json_object_get(doc, "published"), i, e) {
		json_t *addrs = json_object_get(e, "addresses");

		if (!strcmp(json_string_value(json_object_get(e, "namespace")) ?: "", owner) &&
		    json_integer_value(json_object_get(e, "host_port")) == spec->host_lo &&
		    json_integer_value(json_object_get(e, "port")) == spec->port_lo &&
		    !strcmp(json_string_value(json_object_get(e, "proto")) ?: "",
			    fw_proto_name(spec->proto)) &&
		    (!t.v4 || json_has_ip(addrs, &t.to4)) &&
		    (!t.v6 || json_has_ip(addrs, &t.to6)))
			*there = true;
	}
	json_decref(doc);
	err_clear(nn);
	return 0;
}

int fw_cni_sweep(struct nsnet *nn, const char *prefix, char *const *keep,
		 size_t n_keep)
{
	json_t *doc = NULL, *e;
	size_t i, k;
	int rc, first = 0;

	if ((rc = fw_show(nn, &doc)))
		return rc;
	json_array_foreach(json_object_get(doc, "published"), i, e) {
		const char *owner = json_string_value(json_object_get(e, "namespace"));
		bool kept = false;

		if (!owner || strncmp(owner, prefix, strlen(prefix)))
			continue;
		for (k = 0; k < n_keep && !kept; k++)
			kept = !strcmp(keep[k], owner);
		/* one call per owner removes all of its mappings: later
		 * entries of the same owner find nothing left */
		if (!kept && (rc = fw_unpublish_owner(nn, owner, NULL)) && !first)
			first = rc;
	}
	json_decref(doc);
	return first;
}

int fw_cni_allow(struct nsnet *nn, const char *a, const char *b)
{
	struct fw_script s;
	char what[96];
	int rc;

	if ((rc = fw_check_name(nn, "bridge", a)) || (rc = fw_check_name(nn, "bridge", b)))
		return rc;
	snprintf(what, sizeof(what), "allow bridges %s and %s", a, b);
	fw_script_init(&s);
	fw_script_add(&s, what,
		      "add element inet nsnet allowed { \"%s\" . \"%s\", \"%s\" . \"%s\" }",
		      a, b, b, a);
	rc = fw_run_add(nn, &s);
	fw_script_free(&s);
	return rc;
}
