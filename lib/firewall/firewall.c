// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fw.c - NAT, published ports and isolation between bridges, all in the
 * one nftables table nsnet owns ("table inet nsnet"). Every change is one
 * nft transaction; the table is created with the first object and deleted
 * with the last. Other tables are only read (to warn about a forward chain
 * that drops what nsnet lets through), never written.
 *
 * The kernel holds the whole state: mappings carry their namespace in
 * element comments (and in the owners set), a NAT is the bridge's element
 * of natfwd, its subnets the natpost4/6 elements that jump to its chain,
 * its outbound interface the chain's rule. The only record kept elsewhere
 * is the value each host sysctl had before nsnet changed it
 * (/run/nsnet/fw/), so that it can be put back.
 *
 * Listing with nft reads every element of what is listed, so the publish
 * path lists nothing of the table; see docs/firewall.md and the Firewall
 * section of docs/performance.md.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <linux/if_addr.h>
#include <jansson.h>

#include "firewall/firewall.h"

#define FW_RUN_DIR NSNET_RUN_DIR "/fw"
#define FW_MAX_ADDRS 64

/* ---- addresses ------------------------------------------------------------- */

struct fw_addr {
	int index;
	unsigned char scope;
	struct ipaddr ip;       /* with its prefix */
};

struct fw_addrs {
	struct fw_addr a[FW_MAX_ADDRS];
	size_t n;
	int index;              /* 0: every interface */
};

static int addr_cb(const struct nl_addr *na, void *data)
{
	struct fw_addrs *out = data;
	struct fw_addr *a;

	if (out->n == FW_MAX_ADDRS)
		return 0;
	a = &out->a[out->n++];
	a->index = na->index;
	a->scope = (unsigned char)na->scope;
	a->ip = na->ip;
	return 0;
}

/* One dump; the kernel filters by family, nl_addr_dump by interface. */
static int fw_addr_dump(struct nsnet *nn, struct ns *ns, int family, int index,
			struct fw_addrs *out)
{
	out->n = 0;
	out->index = index;
	return nl_addr_dump(nn, ns, family, index, addr_cb, out, NULL);
}

/* ---- the table ----------------------------------------------------------------- */

static int fw_cleanup(struct nsnet *nn, bool published);

/*
 * Run a change that adds to the table. Asking whether the table exists
 * first would cost as much as listing it (nft fills its whole cache, every
 * element included: 200 ms with 10,000 mappings), so the change runs as it
 * is, and only when the table is missing (ENOENT) again after creating the
 * table. Two transactions there: in the one that creates the interval map
 * natpost4, adding an element to it fails with ENOENT (kernel 6.18, nft
 * 1.0.6). If the change then fails, the empty table goes again.
 */
static int fw_run_add(struct nsnet *nn, const struct fw_script *body)
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

/* The whole table as JSON (NULL when there is none). Reads every element,
 * so it is used for `show` and for removals, not on the publish path. */
static int fw_state_load(struct nsnet *nn, json_t **doc)
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

/* {"elem":{"val":V,"comment":C}} or plain V. */
static json_t *elem_unwrap(json_t *e, const char **comment)
{
	json_t *w = json_is_object(e) ? json_object_get(e, "elem") : NULL;

	if (comment)
		*comment = w ? json_string_value(json_object_get(w, "comment")) : NULL;
	return w ? json_object_get(w, "val") : e;
}

/* The "set" or "map" object called name in a table listing. */
static json_t *state_set(json_t *doc, const char *name)
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
	json_t *s = state_set(doc, name);

	return s ? json_array_size(json_object_get(s, "elem")) : 0;
}

/* Target chain of a verdict map value {"jump":{"target":C}}. */
static const char *jump_target(json_t *v)
{
	return json_string_value(json_object_get(json_object_get(v, "jump"),
						 "target"));
}

/* Whether bridge has NAT: an element of natfwd. */
static bool state_nat_has(json_t *doc, const char *bridge)
{
	json_t *st = doc ? state_set(doc, "natfwd") : NULL, *e;
	size_t i;

	json_array_foreach(json_object_get(st, "elem"), i, e) {
		const char *k = json_string_value(elem_unwrap(json_array_get(e, 0), NULL));

		if (k && !strcmp(k, bridge))
			return true;
	}
	return false;
}

/* The subnets whose packets jump to chain: natpost4 and natpost6 keys. */
static size_t state_nat_subnets(json_t *doc, const char *chain,
				struct ipaddr *out, size_t max)
{
	static const char *const maps[] = { "natpost4", "natpost6" };
	size_t m, i, n = 0;
	json_t *e;

	for (m = 0; m < ARRAY_SIZE(maps); m++)
		json_array_foreach(json_object_get(state_set(doc, maps[m]), "elem"), i, e) {
			json_t *k = elem_unwrap(json_array_get(e, 0), NULL);
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

/* The outbound interface of a NAT chain ("oifname == X"), or "". */
static void state_nat_out(json_t *doc, const char *chain, char *buf, size_t len)
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

/* ---- host sysctls --------------------------------------------------------------- */

struct fw_sysctl {
	const char *path, *record;
};

static const struct fw_sysctl fw_forward[] = {
	{ "net/ipv4/ip_forward", "ipv4_forward" },
	{ "net/ipv6/conf/all/forwarding", "ipv6_forwarding" },
};
static const struct fw_sysctl fw_localnet = {
	"net/ipv4/conf/all/route_localnet", "route_localnet"
};

/* Set to 1, remembering the earlier value the first time. */
static int fw_sysctl_take(struct nsnet *nn, struct ns *host,
			  const struct fw_sysctl *sc)
{
	char path[256], val[32];
	FILE *f;
	int rc;

	snprintf(path, sizeof(path), FW_RUN_DIR "/%s", sc->record);
	if (access(path, F_OK)) {
		rc = sysctl_read(nn, host, sc->path, val, sizeof(val));
		if (rc)
			return rc;
		if ((mkdir(NSNET_RUN_DIR, 0755) && errno != EEXIST) ||
		    (mkdir(FW_RUN_DIR, 0755) && errno != EEXIST))
			return err_set(nn, errno, "create %s", FW_RUN_DIR);
		f = fopen(path, "we");
		if (!f)
			return err_set(nn, errno, "create %s", path);
		fprintf(f, "%s\n", val);
		if (fclose(f))
			return err_set(nn, errno, "write %s", path);
	}
	return sysctl_write(nn, host, sc->path, "1");
}

/* Put back the value saved by fw_sysctl_take(), if any. */
static void fw_sysctl_release(struct nsnet *nn, struct ns *host,
			      const struct fw_sysctl *sc)
{
	char path[256], val[32] = "";
	FILE *f;

	snprintf(path, sizeof(path), FW_RUN_DIR "/%s", sc->record);
	f = fopen(path, "re");
	if (!f)
		return;
	if (fgets(val, sizeof(val), f))
		val[strcspn(val, "\n")] = '\0';
	fclose(f);
	if (val[0] && sysctl_write(nn, host, sc->path, val))
		warn_emit(nn, "could not restore %s to %s: %s", sc->path, val,
			  err_msg(nn));
	unlink(path);
}

static int fw_forward_take(struct nsnet *nn, struct ns *host, bool localnet)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < ARRAY_SIZE(fw_forward) && !rc; i++)
		rc = fw_sysctl_take(nn, host, &fw_forward[i]);
	if (!rc && localnet)
		rc = fw_sysctl_take(nn, host, &fw_localnet);
	return rc;
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

/*
 * After a removal: put back what is no longer needed, and delete the table
 * when nothing of nsnet's is left in it. The published ports are counted
 * last and only when it matters (listing them costs their number).
 */
static int fw_cleanup(struct nsnet *nn, bool published)
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
	if (!pub)
		fw_sysctl_release(nn, host, &fw_localnet);
	if (!pub && !counts[0])
		for (i = 0; i < ARRAY_SIZE(fw_forward); i++)
			fw_sysctl_release(nn, host, &fw_forward[i]);
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
static void fw_warn_foreign(struct nsnet *nn, const char *what)
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

/* ---- validation helpers ----------------------------------------------------------- */

static int fw_check_name(struct nsnet *nn, const char *what, const char *name)
{
	if (!fw_name_ok(name))
		return err_usage(nn,
			"%s \"%s\": nsnet's firewall accepts only letters, digits and _ . - + @ : in names",
			what, name ? name : "");
	return 0;
}

/* The bridge called name in the host namespace: it must exist and, unless
 * any_kind, be one (NAT also serves namespaces behind a plain veth kept in
 * the host, as in seed 003). */
static int fw_bridge_get(struct nsnet *nn, struct ns *host, const char *name,
			 bool any_kind, struct nl_link *l)
{
	int rc;

	rc = check_ifname(nn, name);
	if (!rc)
		rc = fw_check_name(nn, "bridge", name);
	if (rc)
		return rc;
	rc = nl_link_get(nn, host, name, l);
	if (rc == -ENODEV)
		return err_set(nn, 0, "there is no bridge %s (see 'nsnet show host')",
			       name);
	if (rc)
		return rc;
	if (!any_kind && strcmp(l->kind, "bridge"))
		return err_set(nn, 0, "%s is a %s, not a bridge", name,
			       l->kind[0] ? l->kind : "device");
	return 0;
}

/* ---- NAT ----------------------------------------------------------------------------- */

int fw_nat_add(struct nsnet *nn, const char *bridge,
			       const char *out_if)
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
	return fw_nat_add(nn, bridge, out_if);
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
	if (!state_nat_has(doc, bridge)) {
		json_decref(doc);
		return err_set(nn, 0, "bridge %s has no NAT", bridge);
	}
	fw_nat_chain(chain, sizeof(chain), bridge, false);
	n = state_nat_subnets(doc, chain, subnets, ARRAY_SIZE(subnets));
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
	return fw_nat_del(nn, bridge);
}

/* ---- published ports ------------------------------------------------------------------ */

/* A socket in the host namespace that holds one of the ports: DNAT in
 * prerouting would silently take its traffic away. */
static int fw_port_in_use(struct nsnet *nn, const struct fw_spec *sp)
{
	struct mnl_socket *nl;
	unsigned int busy = 0;
	int rc;

	if ((rc = sockdiag_open(&nl)))
		return err_set(nn, -rc, "sock_diag socket");
	rc = sockdiag_holder(nn, nl, sp->proto, sp->host_lo, sp->host_hi,
			     sp->any_ip ? NULL : &sp->host_ip, &busy);
	mnl_socket_close(nl);
	if (rc)
		return rc;
	if (busy)
		return err_set(nn, 0,
			"host port %u/%s is in use: a socket in the host namespace listens on it (see ss -ltnup)",
			busy, fw_proto_name(sp->proto));
	return 0;
}

/* The address of ns to publish to: an IPv4 address of its own that is on a
 * subnet of the host (the namespace's side of a bridge), else the first
 * global one. */
static int fw_ns_target(struct nsnet *nn, struct ns *ns,
			const struct fw_addrs *host_addrs, struct ipaddr *out)
{
	struct fw_addrs *a;
	bool found = false;
	size_t i, j;
	int rc;

	a = malloc(sizeof(*a));
	if (!a)
		return err_set(nn, ENOMEM, "namespace %s", ns->name);
	rc = fw_addr_dump(nn, ns, AF_INET, 0, a);
	for (i = 0; !rc && i < a->n && !found; i++) {
		if (a->a[i].scope != RT_SCOPE_UNIVERSE)
			continue;
		for (j = 0; j < host_addrs->n && !found; j++) {
			struct ipaddr net = host_addrs->a[j].ip;

			ip_mask(&net);
			if (host_addrs->a[j].scope == RT_SCOPE_UNIVERSE &&
			    net.prefix > 0 && ip_in_prefix(&net, &a->a[i].ip)) {
				*out = a->a[i].ip;
				found = true;
			}
		}
	}
	for (i = 0; !rc && !found && i < a->n; i++)
		if (a->a[i].scope == RT_SCOPE_UNIVERSE) {
			*out = a->a[i].ip;
			found = true;
		}
	free(a);
	if (rc)
		return rc;
	if (!found)
		return err_set(nn, 0,
			"namespace %s has no IPv4 address to publish to (attach it to a bridge with --addr)",
			ns->name);
	out->prefix = -1;
	return 0;
}

struct fw_pub_ctx {
	struct fw_spec sp;
	char spec[96];
	struct ns *host, *ns;
};

static int fw_publish_prepare(struct nsnet *nn, const char *ns_name,
			      const char *spec, struct fw_pub_ctx *c)
{
	char why[256];
	int rc;

	rc = check_ns_name(nn, ns_name, false);
	if (!rc)
		rc = fw_check_name(nn, "namespace", ns_name);
	if (rc)
		return rc;
	if (fw_spec_parse(spec, &c->sp, why, sizeof(why)))
		return err_usage(nn, "publish for %s: %s", ns_name, why);
	fw_spec_str(&c->sp, c->spec, sizeof(c->spec));
	rc = ns_get(nn, NSNET_HOST, &c->host);
	if (!rc)
		rc = ns_get(nn, ns_name, &c->ns);
	return rc;
}

int fw_publish(struct nsnet *nn, const char *ns_name,
			       const char *spec)
{
	struct fw_pub_ctx c;
	struct fw_addrs *host_addrs;
	struct ipaddr target;
	struct fw_script s;
	char what[160];
	size_t i;
	int rc;

	rc = fw_publish_prepare(nn, ns_name, spec, &c);
	if (rc)
		return rc;
	host_addrs = malloc(sizeof(*host_addrs));
	if (!host_addrs)
		return err_set(nn, ENOMEM, "publish %s", c.spec);
	rc = fw_addr_dump(nn, c.host, AF_INET, 0, host_addrs);
	if (!rc && !c.sp.any_ip) {
		bool mine = false;

		for (i = 0; i < host_addrs->n; i++)
			mine |= !memcmp(host_addrs->a[i].ip.a.b,
					c.sp.host_ip.a.b, 4);
		if (!mine) {
			char ip[64];

			rc = err_usage(nn,
				"publish %s for %s: %s is not an address of the host",
				c.spec, ns_name,
				ip_str(&c.sp.host_ip, ip, sizeof(ip)));
		}
	}
	if (!rc)
		rc = fw_ns_target(nn, c.ns, host_addrs, &target);
	free(host_addrs);
	if (!rc)
		rc = fw_port_in_use(nn, &c.sp);
	if (rc)
		return rc;

	fw_script_init(&s);
	fw_rules_publish(&s, &c.sp, ns_name, &target, true);
	rc = fw_run_add(nn, &s);
	fw_script_free(&s);
	if (rc)
		return rc;
	rc = fw_forward_take(nn, c.host, true);
	if (rc) {
		char saved[NSNET_ERR_MAX];

		memcpy(saved, nn->err, sizeof(saved));
		fw_unpublish(nn, ns_name, spec);
		snprintf(nn->err, sizeof(nn->err), "publish %s: %s", c.spec, saved);
		return rc;
	}
	snprintf(what, sizeof(what), "port %s published to %s", c.spec, ns_name);
	fw_warn_foreign(nn, what);
	return 0;
}

NSNET_EXPORT int nsnet_publish(struct nsnet *nn, const char *ns_name,
			       const char *spec)
{
	return fw_publish(nn, ns_name, spec);
}

int fw_unpublish(struct nsnet *nn, const char *ns_name,
				 const char *spec)
{
	struct ipaddr none = { .family = AF_INET, .prefix = -1 };
	struct fw_pub_ctx c;
	struct fw_script s;
	int rc;

	rc = fw_publish_prepare(nn, ns_name, spec, &c);
	if (rc)
		return rc;
	fw_script_init(&s);
	fw_rules_publish(&s, &c.sp, ns_name, &none, false);
	rc = fw_nft_run(nn, &s, false, NULL, NULL, 0);
	fw_script_free(&s);
	if (rc)
		return rc;
	return fw_cleanup(nn, true);
}

NSNET_EXPORT int nsnet_unpublish(struct nsnet *nn, const char *ns_name,
				 const char *spec)
{
	return fw_unpublish(nn, ns_name, spec);
}

/* ---- isolation ------------------------------------------------------------------------- */

static bool state_has(json_t *doc, const char *set, const char *a, const char *b)
{
	json_t *st = doc ? state_set(doc, set) : NULL, *e;
	size_t i;

	json_array_foreach(json_object_get(st, "elem"), i, e) {
		json_t *v = elem_unwrap(e, NULL), *cc = json_object_get(v, "concat");

		if (!b && json_is_string(v) && !strcmp(json_string_value(v), a))
			return true;
		if (b && cc &&
		    !strcmp(json_string_value(json_array_get(cc, 0)) ?: "", a) &&
		    !strcmp(json_string_value(json_array_get(cc, 1)) ?: "", b))
			return true;
	}
	return false;
}

int fw_bridge_register(struct nsnet *nn, const char *bridge, bool internal,
		       bool add)
{
	struct ipaddr subnets[FW_MAX_ADDRS];
	char chain[32], what[128];
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
	if (state_has(doc, "bridges", bridge, NULL))
		fw_script_add(&s, what, "delete element inet nsnet bridges { \"%s\" }",
			      bridge);
	if (state_has(doc, "internal", bridge, NULL))
		fw_script_add(&s, what, "delete element inet nsnet internal { \"%s\" }",
			      bridge);
	st = state_set(doc, "allowed");
	json_array_foreach(json_object_get(st, "elem"), i, e) {
		json_t *cc = json_object_get(elem_unwrap(e, NULL), "concat");
		const char *a = json_string_value(json_array_get(cc, 0)) ?: "";
		const char *b = json_string_value(json_array_get(cc, 1)) ?: "";

		if (!strcmp(a, bridge) || !strcmp(b, bridge))
			fw_script_add(&s, what,
				      "delete element inet nsnet allowed { \"%s\" . \"%s\" }",
				      a, b);
	}
	fw_nat_chain(chain, sizeof(chain), bridge, false);
	if (state_nat_has(doc, bridge))
		fw_rules_nat(&s, bridge, NULL, subnets,
			     state_nat_subnets(doc, chain, subnets,
					       ARRAY_SIZE(subnets)),
			     false);
	json_decref(doc);
	rc = fw_nft_run(nn, &s, false, NULL, NULL, 0);
	fw_script_free(&s);
	if (rc)
		return rc;
	return fw_cleanup(nn, false);
}

NSNET_EXPORT int nsnet_allow(struct nsnet *nn, const char *br1,
			     const char *br2, bool allow)
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
		if (!state_has(doc, "bridges", i ? br2 : br1, NULL)) {
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

/* ---- show -------------------------------------------------------------------------------- */

static json_t *show_nat(json_t *doc)
{
	json_t *st = state_set(doc, "natfwd"), *e, *out = json_array();
	size_t i, j, n;

	json_array_foreach(json_object_get(st, "elem"), i, e) {
		const char *bridge = json_string_value(elem_unwrap(json_array_get(e, 0), NULL));
		struct ipaddr subnets[FW_MAX_ADDRS];
		char chain[32], outif[64], buf[64];
		json_t *subs;

		if (!bridge)
			continue;
		fw_nat_chain(chain, sizeof(chain), bridge, false);
		n = state_nat_subnets(doc, chain, subnets, ARRAY_SIZE(subnets));
		state_nat_out(doc, chain, outif, sizeof(outif));
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
	json_t *st = state_set(doc, map), *e;
	size_t i;

	json_array_foreach(json_object_get(st, "elem"), i, e) {
		json_t *key = elem_unwrap(json_array_get(e, 0), NULL);
		json_t *val = json_array_get(e, 1), *kc, *vc;
		const char *owner = NULL, *host_ip = NULL, *proto, *to;
		unsigned int lo, hi, plo, phi;
		size_t k = 0;

		elem_unwrap(json_array_get(e, 0), &owner);
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
	json_t *st = state_set(doc, set), *e, *out = json_array();
	size_t i;

	json_array_foreach(json_object_get(st, "elem"), i, e) {
		json_t *v = elem_unwrap(e, NULL);

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
		st = state_set(doc, "allowed");
		json_array_foreach(json_object_get(st, "elem"), i, e) {
			json_t *cc = json_object_get(elem_unwrap(e, NULL), "concat");
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
