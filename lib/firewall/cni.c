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

int fw_cni_publish(struct nsnet *nn, const char *owner,
		   const struct fw_spec *specs, size_t n,
		   const struct ipaddr *target)
{
	struct fw_script s;
	struct ns *host;
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
	for (i = 0; i < n; i++)
		fw_rules_publish(&s, &specs[i], owner, target, true);
	rc = fw_run_add(nn, &s);
	fw_script_free(&s);
	if (rc)
		return rc;
	rc = fw_forward_take(nn, host, true);
	if (rc) {
		char saved[NSNET_ERR_MAX];
		int code = nn->err_code;

		memcpy(saved, nn->err, sizeof(saved));
		fw_cni_unpublish(nn, owner, specs, n);
		memcpy(nn->err, saved, sizeof(saved));
		nn->err_code = code;
	}
	return rc;
}

/* One line of a script as its own transaction. */
static int run_line(struct nsnet *nn, const struct fw_script *s, size_t i)
{
	struct fw_script one;
	int rc;

	fw_script_init(&one);
	fw_script_add(&one, s->lines[i].what, "%.*s", (int)s->lines[i].len,
		      s->text + s->lines[i].off);
	rc = fw_nft_run(nn, &one, false, NULL, NULL, 0);
	fw_script_free(&one);
	return rc;
}

/*
 * One spec, when the transaction that removes all of it failed because a
 * piece is gone (deleted by hand, an interrupted teardown): the owners
 * element first, as the proof that the host ports were owner's (a host
 * port has one owner at most: "create element ports" is exclusive); only
 * then the rest, each on its own.
 */
static void unpublish_pieces(struct nsnet *nn, const char *owner,
			     const struct fw_spec *sp)
{
	struct ipaddr none = { .family = AF_INET, .prefix = -1 };
	struct fw_script s;
	size_t i, owners = SIZE_MAX;

	fw_script_init(&s);
	fw_rules_publish(&s, sp, owner, &none, false);
	for (i = 0; i < s.n; i++)
		if (strstr(s.text + s.lines[i].off, "element inet nsnet owners ") ==
		    s.text + s.lines[i].off + strlen("delete "))
			owners = i;
	if (owners != SIZE_MAX && !run_line(nn, &s, owners))
		for (i = 0; i < s.n; i++)
			if (i != owners)
				run_line(nn, &s, i);
	fw_script_free(&s);
}

int fw_cni_unpublish(struct nsnet *nn, const char *owner,
		     const struct fw_spec *specs, size_t n)
{
	struct ipaddr none = { .family = AF_INET, .prefix = -1 };
	struct fw_script s;
	size_t i;
	int rc;

	if (!n)
		return 0;
	fw_script_init(&s);
	for (i = 0; i < n; i++)
		fw_rules_publish(&s, &specs[i], owner, &none, false);
	rc = fw_nft_run(nn, &s, false, NULL, NULL, 0);
	fw_script_free(&s);
	if (rc == -ENOENT) {
		for (i = 0; i < n; i++)
			unpublish_pieces(nn, owner, &specs[i]);
		rc = 0;
	}
	err_clear(nn);
	if (rc)
		return rc;
	return fw_cleanup(nn, true);
}

/* The published mappings as fw_show() lists them, each back to a spec. */
static void entry_spec(json_t *e, struct fw_spec *sp)
{
	const char *hip = json_string_value(json_object_get(e, "host_ip"));

	memset(sp, 0, sizeof(*sp));
	sp->any_ip = !hip || ip_parse(hip, &sp->host_ip);
	sp->host_lo = (unsigned int)json_integer_value(json_object_get(e, "host_port"));
	sp->host_hi = (unsigned int)json_integer_value(json_object_get(e, "host_port_end"));
	sp->port_lo = (unsigned int)json_integer_value(json_object_get(e, "port"));
	sp->port_hi = (unsigned int)json_integer_value(json_object_get(e, "port_end"));
	sp->proto = !strcmp(json_string_value(json_object_get(e, "proto")) ?: "", "udp") ?
		    IPPROTO_UDP : IPPROTO_TCP;
}

int fw_cni_published(struct nsnet *nn, const char *owner,
		     const struct fw_spec *spec, bool *there)
{
	json_t *doc = NULL, *e;
	size_t i;
	int rc;

	*there = false;
	if ((rc = fw_show(nn, &doc)))
		return rc;
	json_array_foreach(json_object_get(doc, "published"), i, e) {
		struct fw_spec sp;

		if (strcmp(json_string_value(json_object_get(e, "namespace")) ?: "",
			   owner))
			continue;
		entry_spec(e, &sp);
		if (sp.proto == spec->proto && sp.host_lo == spec->host_lo &&
		    sp.port_lo == spec->port_lo && sp.any_ip == spec->any_ip &&
		    (sp.any_ip || ip_equal(&sp.host_ip, &spec->host_ip)))
			*there = true;
	}
	json_decref(doc);
	return 0;
}

int fw_cni_sweep(struct nsnet *nn, const char *prefix, char *const *keep,
		 size_t n_keep)
{
	struct ipaddr none = { .family = AF_INET, .prefix = -1 };
	json_t *doc = NULL, *e;
	size_t i, k, removed = 0;
	int rc;

	if ((rc = fw_show(nn, &doc)))
		return rc;
	json_array_foreach(json_object_get(doc, "published"), i, e) {
		const char *owner = json_string_value(json_object_get(e, "namespace"));
		struct fw_script s;
		struct fw_spec sp;
		bool kept = false;

		if (!owner || strncmp(owner, prefix, strlen(prefix)))
			continue;
		for (k = 0; k < n_keep && !kept; k++)
			kept = !strcmp(keep[k], owner);
		if (kept)
			continue;
		entry_spec(e, &sp);
		fw_script_init(&s);
		fw_rules_publish(&s, &sp, owner, &none, false);
		if (!fw_nft_run(nn, &s, false, NULL, NULL, 0))
			removed++;
		fw_script_free(&s);
	}
	json_decref(doc);
	err_clear(nn);
	return removed ? fw_cleanup(nn, true) : 0;
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
