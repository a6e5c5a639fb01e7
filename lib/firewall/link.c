// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * link.c - packet loss on a link, for kernels without netem: an nftables
 * rule that drops a random share of what arrives at (ingress hook) or,
 * on a link with one end, leaves (egress hook) one interface.
 *
 * The rules live in a table of their own, "table netdev nsnet_link", in
 * the namespace of the interface (the host's too, for the host end of an
 * attachment): never in nsnet's "inet nsnet" table, never in a table of
 * somebody else. The netdev hooks see every packet of the interface,
 * routed, bridged or local.
 *
 * One base chain per interface and direction ("ingress_eth0"), one rule:
 *
 *   meta iif 7 numgen random mod 1000000 < 200000 counter drop   (20 %)
 *
 * The kernel (6.16 on) keeps a netdev chain when its interface goes and
 * hooks it to the next interface of that name; the interface index in the
 * rule keeps a link that is re-created with the same name (detach, then
 * attach again) free of the old link's loss. Such a stale chain is deleted
 * the next time the table is written.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <libmnl/libmnl.h>
#include <jansson.h>

/* glibc's netinet/in.h (through firewall.h) before linux/netfilter.h's
 * linux/in.h, which then leaves out what glibc defines. */
#include "firewall/firewall.h"
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>

#define LOSS_TABLE "netdev " FW_LINK_TABLE

void fw_loss_chain(char *buf, size_t len, const char *ifname, bool ingress)
{
	snprintf(buf, len, "%s_%s", ingress ? "ingress" : "egress", ifname);
}

/* nft's identifiers: the characters of nsnet's interface names. */
bool fw_loss_name_ok(const char *ifname)
{
	const char *p;

	if (!ifname || !*ifname)
		return false;
	for (p = ifname; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || strchr("_.-", *p)))
			return false;
	return true;
}

/* "20", "0.5", "0.0001": a share in parts per million as a percentage. */
static void ppm_pct(char *buf, size_t len, uint32_t ppm)
{
	size_t n;

	snprintf(buf, len, "%u.%04u", ppm / 10000, ppm % 10000);
	n = strlen(buf);
	while (n && buf[n - 1] == '0')
		buf[--n] = '\0';
	if (n && buf[n - 1] == '.')
		buf[--n] = '\0';
}

void fw_rules_loss(struct fw_script *s, const struct fw_loss *l)
{
	char chain[64], what[160], pct[16];

	fw_loss_chain(chain, sizeof(chain), l->ifname, l->ingress);
	if (!l->ppm) {
		snprintf(what, sizeof(what), "remove the loss of %s (%s)",
			 l->ifname, l->ingress ? "arriving" : "leaving");
		/* A chain with rules cannot be deleted: its rule goes first,
		 * in the same transaction. */
		fw_script_add(s, what, "flush chain %s %s", LOSS_TABLE, chain);
		fw_script_add(s, what, "delete chain %s %s", LOSS_TABLE, chain);
		return;
	}
	ppm_pct(pct, sizeof(pct), l->ppm);
	snprintf(what, sizeof(what), "loss %s%% on %s (%s)", pct, l->ifname,
		 l->ingress ? "arriving" : "leaving");
	fw_script_add(s, what, "add table %s", LOSS_TABLE);
	fw_script_add(s, what,
		      "add chain %s %s { type filter hook %s device \"%s\" priority 0; policy accept; }",
		      LOSS_TABLE, chain, l->ingress ? "ingress" : "egress", l->ifname);
	fw_script_add(s, what, "flush chain %s %s", LOSS_TABLE, chain);
	if (l->ppm >= FW_LOSS_SCALE)  /* numgen's values stop at mod - 1 */
		fw_script_add(s, what,
			      "add rule %s %s meta %s %d counter drop comment \"nsnet loss 100%%\"",
			      LOSS_TABLE, chain, l->ingress ? "iif" : "oif", l->index);
	else
		fw_script_add(s, what,
			      "add rule %s %s meta %s %d numgen random mod %u < %u counter drop comment \"nsnet loss %s%%\"",
			      LOSS_TABLE, chain, l->ingress ? "iif" : "oif", l->index,
			      FW_LOSS_SCALE, l->ppm, pct);
}

/* ---- whether the table is there, without libnftables -------------------------- */

struct table_probe {
	int rc;                 /* 0: there; -ENOENT: not */
};

/*
 * One NFT_MSG_GETTABLE on a netfilter socket opened here: ~50 µs, where
 * loading libnftables and listing costs milliseconds. `show` asks in every
 * namespace and most have no loss at all.
 */
static int table_probe_here(void *arg)
{
	char buf[8192] __attribute__((aligned(4)));
	struct table_probe *p = arg;
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	struct nfgenmsg *nfg;
	uint32_t seq = (uint32_t)time(NULL);
	ssize_t len;

	p->rc = -ENOENT;
	/* Not bound: the kernel binds it on the send (the plan asks this of
	 * every node, and two system calls are a quarter of the cost). */
	nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
	if (!nl)
		return 0;  /* no nf_tables here: no table either */
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETTABLE;
	/* No ACK asked: the table or an error is the one answer. */
	nlh->nlmsg_flags = NLM_F_REQUEST;
	nlh->nlmsg_seq = seq;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = NFPROTO_NETDEV;
	nfg->version = NFNETLINK_V0;
	mnl_attr_put_strz(nlh, NFTA_TABLE_NAME, FW_LINK_TABLE);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		goto out;
	len = mnl_socket_recvfrom(nl, buf, sizeof(buf));
	if (len > 0 && mnl_cb_run(buf, (size_t)len, seq, 0, NULL, NULL) >= 0)
		p->rc = 0;
out:
	mnl_socket_close(nl);
	return 0;
}

bool fw_loss_table_here(void)
{
	struct table_probe p = { 0 };

	table_probe_here(&p);
	return p.rc == 0;
}

/* ---- reading the rules ------------------------------------------------------------- */

struct loss_list {
	struct nsnet *nn;
	char *out;
	int rc;
};

static int loss_list_here(void *arg)
{
	struct loss_list *q = arg;

	/* libnftables binds its socket to the namespace current when its
	 * context is made, which fw_nft_list() does: we are inside. */
	q->rc = fw_nft_list(q->nn, "list table " LOSS_TABLE, &q->out);
	return 0;
}

/* The rule's "meta oif N" (or iif): nft shows the name of interface N, or
 * the number when there is no such interface any more. */
static bool rule_guard(json_t *expr, char *guard, size_t len)
{
	json_t *e;
	size_t i;

	json_array_foreach(expr, i, e) {
		json_t *m = json_object_get(e, "match");
		json_t *meta = json_object_get(json_object_get(m, "left"), "meta");
		const char *key = json_string_value(json_object_get(meta, "key"));
		json_t *right = json_object_get(m, "right");

		if (!key || (strcmp(key, "oif") && strcmp(key, "iif")))
			continue;
		if (json_is_string(right))
			snprintf(guard, len, "%s", json_string_value(right));
		else if (json_is_integer(right))
			snprintf(guard, len, "%lld", (long long)json_integer_value(right));
		else
			continue;
		return true;
	}
	return false;
}

/* The "numgen random mod M < N" of a rule, as parts per FW_LOSS_SCALE; a
 * rule that drops without one drops everything. */
static uint32_t rule_ppm(json_t *expr)
{
	bool drops = false;
	json_t *e;
	size_t i;

	json_array_foreach(expr, i, e) {
		drops |= json_object_get(e, "drop") != NULL;
		json_t *m = json_object_get(e, "match");
		json_t *ng = json_object_get(json_object_get(m, "left"), "numgen");
		json_int_t mod = json_integer_value(json_object_get(ng, "mod"));
		json_int_t n = json_integer_value(json_object_get(m, "right"));
		const char *op = json_string_value(json_object_get(m, "op"));

		if (!ng || !op || strcmp(op, "<") || mod <= 0 || n < 0)
			continue;
		if (n >= mod)
			return FW_LOSS_SCALE;
		return (uint32_t)((uint64_t)n * FW_LOSS_SCALE / (uint64_t)mod);
	}
	return drops ? FW_LOSS_SCALE : 0;
}

static void loss_from_rule(json_t *rule, struct fw_loss *out, size_t n)
{
	const char *chain = json_string_value(json_object_get(rule, "chain"));
	json_t *expr = json_object_get(rule, "expr");
	char guard[32];
	size_t i;

	if (!chain)
		return;
	for (i = 0; i < n; i++) {
		char name[64];

		fw_loss_chain(name, sizeof(name), out[i].ifname, out[i].ingress);
		if (strcmp(name, chain))
			continue;
		out[i].ppm = rule_ppm(expr);
		/* Live when the rule's interface is the one the chain hooks. */
		out[i].stale = !rule_guard(expr, guard, sizeof(guard)) ||
			       strcmp(guard, out[i].ifname);
	}
}

int fw_loss_list(struct nsnet *nn, struct ns *ns, struct fw_loss **out,
		 size_t *n)
{
	struct table_probe probe = { 0 };
	struct loss_list q = { nn, NULL, 0 };
	json_t *doc, *o;
	size_t i;
	int rc;

	*out = NULL;
	*n = 0;
	rc = ns_call(nn, ns, table_probe_here, &probe);
	if (rc)
		return err_set(nn, -rc, "namespace %s", ns->name);
	if (probe.rc == -ENOENT)
		return 0;
	rc = ns_call(nn, ns, loss_list_here, &q);
	if (!rc)
		rc = q.rc;
	if (rc == -ENOENT) {
		free(q.out);
		return 0;
	}
	if (rc) {
		free(q.out);
		err_prefix(nn, "loss rules of %s", ns->name);
		return rc;
	}
	doc = json_loads(q.out, 0, NULL);
	free(q.out);
	if (!doc)
		return err_set(nn, EIO, "loss rules of %s: nft gave no JSON", ns->name);
	/* Chains first (each names an interface and a direction), then the
	 * rule of each. */
	json_array_foreach(json_object_get(doc, "nftables"), i, o) {
		json_t *c = json_object_get(o, "chain");
		const char *name = json_string_value(json_object_get(c, "name"));
		const char *us;
		struct fw_loss *l;

		if (!name || !(us = strchr(name, '_')))
			continue;
		ARRAY_GROW(*out, *n);
		l = &(*out)[(*n)++];
		l->ingress = !strncmp(name, "ingress_", 8);
		snprintf(l->ifname, sizeof(l->ifname), "%s", us + 1);
		l->stale = true;  /* until its rule says otherwise */
	}
	json_array_foreach(json_object_get(doc, "nftables"), i, o)
		if (json_object_get(o, "rule"))
			loss_from_rule(json_object_get(o, "rule"), *out, *n);
	json_decref(doc);
	return 0;
}

/* ---- writing them ------------------------------------------------------------------ */

struct loss_run {
	struct nsnet *nn;
	const struct fw_script *s;
	int rc;
};

static int loss_run_here(void *arg)
{
	struct loss_run *r = arg;

	r->rc = fw_nft_run(r->nn, r->s, false, NULL, NULL, 0);
	return 0;
}

int fw_loss_set(struct nsnet *nn, struct ns *ns, const struct fw_loss *set,
		size_t n_set)
{
	struct fw_loss *have = NULL, del;
	struct fw_script s;
	struct loss_run r = { nn, &s, 0 };
	size_t n_have = 0, i, j, left = 0;
	int rc;

	for (i = 0; i < n_set; i++)
		if (!fw_loss_name_ok(set[i].ifname))
			return err_usage(nn,
				"loss on %s in %s: nsnet writes loss rules only for interfaces named with letters, digits, '_', '-' and '.'",
				set[i].ifname, ns->name);
	rc = fw_loss_list(nn, ns, &have, &n_have);
	if (rc)
		return rc;
	fw_script_init(&s);
	/* What stays after this change: chains not named in it and live. */
	for (j = 0; j < n_have; j++) {
		bool named = false;

		for (i = 0; i < n_set; i++)
			named |= !strcmp(set[i].ifname, have[j].ifname) &&
				 set[i].ingress == have[j].ingress;
		if (!named && !have[j].stale)
			left++;
	}
	for (i = 0; i < n_set; i++)
		left += set[i].ppm != 0;
	if (!left && n_have) {
		/* Nothing left: the table goes, stale chains with it. */
		fw_script_add(&s, "remove the loss rules", "delete table %s",
			      LOSS_TABLE);
	} else if (left) {
		for (j = 0; j < n_have; j++) {
			bool named = false;

			for (i = 0; i < n_set; i++)
				named |= !strcmp(set[i].ifname, have[j].ifname) &&
					 set[i].ingress == have[j].ingress;
			if (named || !have[j].stale)
				continue;
			del = have[j];
			del.ppm = 0;
			fw_rules_loss(&s, &del);
		}
		for (i = 0; i < n_set; i++) {
			bool exists = false;

			for (j = 0; j < n_have; j++)
				exists |= !strcmp(set[i].ifname, have[j].ifname) &&
					  set[i].ingress == have[j].ingress;
			if (set[i].ppm || exists)
				fw_rules_loss(&s, &set[i]);
		}
	}
	free(have);
	rc = ns_call(nn, ns, loss_run_here, &r);
	if (!rc)
		rc = r.rc;
	if (rc)
		err_prefix(nn, "namespace %s", ns->name);
	fw_script_free(&s);
	return rc;
}
