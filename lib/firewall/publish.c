// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * publish.c - published ports: a port (or range) of the host forwarded to
 * a namespace. Where a port is published: on every address of the host or
 * on one of them; to which address of the namespace: the one on a subnet
 * of the host, else its first global one. A host socket already holding
 * the port is refused (sock_diag), because DNAT would silently take its
 * traffic away. Each mapping is one element carrying its namespace in its
 * comment; nothing of the table is listed on this path (see state.c).
 */
#include <stdio.h>
#include <string.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>

#include "firewall/fw_private.h"

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

int fw_publish(struct nsnet *nn, const char *ns_name, const char *spec)
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
	return LOCKED(nn, fw_publish(nn, ns_name, spec));
}

int fw_unpublish(struct nsnet *nn, const char *ns_name, const char *spec)
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
	return LOCKED(nn, fw_unpublish(nn, ns_name, spec));
}
