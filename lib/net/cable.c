// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cable.c - cables between two namespaces and attachments of a namespace to
 * a bridge: a veth pair (kernel/veth.c) with its alias, addresses and
 * default route, undone when any part fails.
 */
#include <stdio.h>
#include <string.h>
#include <net/if.h>

#include "net/net.h"

/* Alias and addresses of one end, once it exists: one lookup for the index
 * that RTM_NEWADDR needs, then one batch. */
static int veth_finish_end(struct nsnet *nn, struct ns *ns, const char *ifname,
			   const struct ipaddr *addrs, size_t n_addrs,
			   const struct ipaddr *gateway, bool lo_up)
{
	struct nl_batch b;
	struct nl_link l;
	size_t i;
	int rc;

	rc = nl_link_get(nn, ns, ifname, &l);
	if (rc == -ENODEV)
		return err_set(nn, ENODEV, "%s in %s vanished after creation",
			       ifname, ns->name);
	if (rc)
		return rc;
	/* Born in nsnet's group just now; outside it, the name was taken
	 * over in between by somebody else's link: not ours to mark. */
	if (l.group != NSNET_LINK_GROUP)
		return err_set(nn, 0, "%s in %s was replaced by another interface right after it was created",
			       ifname, ns->name);
	nl_batch_init(&b);
	if (lo_up)
		link_queue_set(&b, ns->name, "lo", 1, 1, 0, -1, NULL);
	link_queue_set(&b, ns->name, ifname, l.index, 1, 0, -1, link_mark(nn));
	for (i = 0; i < n_addrs; i++)
		addr_queue(&b, true, ns->name, ifname, l.index, &addrs[i]);
	if (gateway) {
		struct ipaddr def = { .family = gateway->family, .prefix = 0 };

		route_queue(&b, true, ns->name, &def, gateway, 0, NULL);
	}
	rc = nl_batch_send(nn, ns, &b);
	nl_batch_free(&b);
	return rc;
}

static void veth_undo(struct nsnet *nn, struct ns *ns, const char *ifname)
{
	struct nl_batch b;
	char saved[NSNET_ERR_MAX];

	memcpy(saved, nn->err, sizeof(saved));
	nl_batch_init(&b);
	link_queue_del(&b, ns->name, ifname, 0);
	b.req[0].ignore_missing = true;
	nl_batch_send(nn, ns, &b);
	nl_batch_free(&b);
	memcpy(nn->err, saved, sizeof(saved));
}

static int parse_addr_arg(struct nsnet *nn, const char *s, struct ipaddr *ip,
			  const char *whose)
{
	if (cidr_parse(s, ip))
		return err_usage(nn,
			"address \"%s\" for %s is not an address with an optional prefix (for example 10.0.0.1/24)",
			s, whose);
	return 0;
}

static void default_cable_ifname(char *buf, size_t len, const char *peer_ns)
{
	/* "veth-<peer namespace>", as the seeds name them, cut to 15 bytes. */
	snprintf(buf, len, "veth-%.10s", peer_ns);
}

int net_cable_add(struct nsnet *nn, const struct nsnet_cable *c)
{
	char a_if[IFNAMSIZ], b_if[IFNAMSIZ];
	struct ipaddr a_ip, b_ip;
	struct ns *a, *b;
	struct nl_batch batch;
	int rc;

	if ((rc = check_ns_name(nn, c->a_ns, true)) ||
	    (rc = check_ns_name(nn, c->b_ns, true)))
		return rc;
	if (c->a_if)
		snprintf(a_if, sizeof(a_if), "%s", c->a_if);
	else
		default_cable_ifname(a_if, sizeof(a_if), c->b_ns);
	if (c->b_if)
		snprintf(b_if, sizeof(b_if), "%s", c->b_if);
	else
		default_cable_ifname(b_if, sizeof(b_if), c->a_ns);
	if ((c->a_if && (rc = check_ifname(nn, c->a_if))) ||
	    (c->b_if && (rc = check_ifname(nn, c->b_if))))
		return rc;
	/* The kernel's EINVAL for these carries no text. */
	if (c->mtu && (c->mtu < 68 || c->mtu > 65535))
		return err_usage(nn, "cable %s - %s: mtu %u is out of range 68..65535",
				 c->a_ns, c->b_ns, c->mtu);
	if (!strcmp(c->a_ns, c->b_ns) && !strcmp(a_if, b_if))
		return err_usage(nn, "both ends of the cable are %s in %s", a_if,
				 c->a_ns);
	if (c->a_addr && (rc = parse_addr_arg(nn, c->a_addr, &a_ip, a_if)))
		return rc;
	if (c->b_addr && (rc = parse_addr_arg(nn, c->b_addr, &b_ip, b_if)))
		return rc;
	if ((rc = ns_get(nn, c->a_ns, &a)) || (rc = ns_get(nn, c->b_ns, &b)))
		return rc;

	nl_batch_init(&batch);
	veth_queue_add(&batch, a->name, a_if, a == b ? NULL : b, b_if, 0, c->mtu,
		       true);
	rc = nl_batch_send(nn, a, &batch);
	nl_batch_free(&batch);
	if (rc) {
		if (nn->err_code == EEXIST)
			err_set(nn, 0,
				"cable %s:%s - %s:%s: an interface with one of these names already exists",
				c->a_ns, a_if, c->b_ns, b_if);
		return rc;
	}
	rc = veth_finish_end(nn, a, a_if, c->a_addr ? &a_ip : NULL,
			     c->a_addr ? 1 : 0, NULL, false);
	if (!rc)
		rc = veth_finish_end(nn, b, b_if, c->b_addr ? &b_ip : NULL,
				     c->b_addr ? 1 : 0, NULL, false);
	if (rc) {
		err_prefix(nn, "cable %s:%s - %s:%s", c->a_ns, a_if, c->b_ns,
			   b_if);
		veth_undo(nn, a, a_if);
	}
	return rc;
}

NSNET_EXPORT int nsnet_cable_add(struct nsnet *nn, const struct nsnet_cable *c)
{
	struct nsnet_cable copy;
	int rc = OPTS_TAKE(nn, &copy, c, mtu, "cable");

	return rc ? rc : LOCKED(nn, net_cable_add(nn, &copy));
}

static int attach_veth(struct nsnet *nn, const struct nsnet_attach *a,
		       struct ipaddr *addrs, size_t n_addrs);

static int net_attach(struct nsnet *nn, const struct nsnet_attach *a)
{
	struct ipaddr addrs[16];
	size_t i, n_addrs = a->n_addrs;
	bool lock = a->auto_addr;
	int rc;

	if ((rc = check_ns_name(nn, a->ns, false)) ||
	    (rc = check_ifname(nn, a->bridge)) ||
	    (a->ifname && (rc = check_ifname(nn, a->ifname))))
		return rc;
	if (a->mtu && (a->mtu < 68 || a->mtu > 65535))
		return err_usage(nn, "attach %s to %s: mtu %u is out of range 68..65535",
				 a->ns, a->bridge, a->mtu);
	if (a->n_addrs > ARRAY_SIZE(addrs))
		return err_usage(nn, "at most %zu addresses per attachment",
				 ARRAY_SIZE(addrs));
	for (i = 0; i < a->n_addrs; i++)
		if ((rc = parse_addr_arg(nn, a->addrs[i], &addrs[i], a->ns)))
			return rc;
	for (i = 0; i < a->n_addrs; i++)
		lock |= addrs[i].prefix < 0;
	if (a->host_ifname && (rc = check_ifname(nn, a->host_ifname)))
		return rc;
	if (a->chosen && a->chosen_len)
		a->chosen[0] = '\0';
	/* Choosing addresses and taking them is one step under the lock:
	 * two attaches at once never get the same one. */
	if (lock && (rc = lock_take(nn)))
		return rc;
	rc = attach_veth(nn, a, addrs, n_addrs);
	if (lock)
		lock_drop(nn);
	return rc;
}

static int attach_veth(struct nsnet *nn, const struct nsnet_attach *a,
		       struct ipaddr *addrs, size_t n_addrs)
{
	char host_if[IFNAMSIZ], inner[IFNAMSIZ];
	struct nl_link br, probe;
	struct ns *host, *ns;
	struct nl_batch b;
	struct ipaddr gw;
	bool created = false;
	size_t i;
	int rc;

	if (a->gateway && ip_parse(a->gateway, &gw))
		return err_usage(nn, "gateway \"%s\" is not an IP address",
				 a->gateway);
	if ((rc = ns_get(nn, NSNET_HOST, &host)) ||
	    (rc = ns_get(nn, a->ns, &ns)))
		return rc;

	rc = nl_link_get(nn, host, a->bridge, &br);
	if (rc == -ENODEV)
		return err_set(nn, 0,
			"attach %s to %s: there is no bridge %s (create it with 'nsnet bridge add %s')",
			a->ns, a->bridge, a->bridge, a->bridge);
	if (rc)
		return rc;
	if (strcmp(br.kind, "bridge"))
		return err_set(nn, 0, "attach %s to %s: %s is a %s, not a bridge",
			       a->ns, a->bridge, a->bridge,
			       br.kind[0] ? br.kind : "device");
	if ((rc = attach_addrs_complete(nn, host, a->bridge, br.index, a->ns, a->auto_addr,
					addrs, &n_addrs, 16, a->chosen, a->chosen_len)))
		return rc;
	if (a->host_ifname)
		snprintf(host_if, sizeof(host_if), "%s", a->host_ifname);
	else
		attach_host_ifname(host_if, sizeof(host_if), a->ns, a->bridge);
	/* Optimistic: create first, and only when the kernel says EEXIST
	 * look at which name was taken (already attached, or the name inside
	 * ns is used and the next ethN is tried). */
	for (i = 0; i < 64; i++) {
		if (a->ifname)
			snprintf(inner, sizeof(inner), "%s", a->ifname);
		else
			snprintf(inner, sizeof(inner), "eth%zu", i);
		nl_batch_init(&b);
		veth_queue_add(&b, host->name, host_if, ns, inner, br.index,
			       a->mtu, true);
		nl_batch_barrier(&b);
		link_queue_set(&b, host->name, host_if, 0, -1, 0, -1,
			       link_mark(nn));
		rc = nl_batch_send(nn, host, &b);
		created = b.req[0].error == 0;
		nl_batch_free(&b);
		if (!rc || created || nn->err_code != EEXIST)
			break;
		if (nl_link_get(nn, host, host_if, &probe) == 0) {
			if (!link_is_ours(&probe))
				return err_set(nn, 0,
					"attach %s to %s: the host already has an interface %s that nsnet did not create",
					a->ns, a->bridge, host_if);
			if (probe.master == br.index)
				return err_set(nn, 0, "%s is already attached to %s (%s)",
					       a->ns, a->bridge, host_if);
			/* What detach removes (see there). */
			return err_set(nn, 0,
				"attach %s to %s: %s is left from an earlier attachment to a bridge %s that was deleted; 'nsnet detach %s %s' removes it",
				a->ns, a->bridge, host_if, a->bridge, a->ns, a->bridge);
		}
		if (a->ifname)
			return err_set(nn, 0,
				"attach %s to %s: %s already has an interface %s",
				a->ns, a->bridge, a->ns, inner);
	}
	if (rc) {
		err_prefix(nn, "attach %s to %s", a->ns, a->bridge);
		if (created)
			veth_undo(nn, host, host_if);
		return rc;
	}
	rc = veth_finish_end(nn, ns, inner, addrs, n_addrs,
			     a->gateway ? &gw : NULL, true);
	/* Which host end is ns's, and which addresses are taken. */
	if (!rc)
		rc = attach_record_write(nn, a->bridge, a->ns, host_if, addrs, n_addrs);
	if (rc) {
		err_prefix(nn, "attach %s to %s", a->ns, a->bridge);
		veth_undo(nn, host, host_if);
	}
	return rc;
}

NSNET_EXPORT int nsnet_attach(struct nsnet *nn, const struct nsnet_attach *a)
{
	struct nsnet_attach copy;
	int rc = OPTS_TAKE(nn, &copy, a, mtu, "attach");

	return rc ? rc : LOCKED(nn, net_attach(nn, &copy));
}

/* The attachment's port is nsnet's, and enslaved to bridge, or to no
 * bridge at all: left behind when its bridge was deleted (attach says so
 * and points here). */
static int net_detach(struct nsnet *nn, const char *ns_name, const char *bridge)
{
	char host_if[IFNAMSIZ];
	struct nl_link l, br = { .index = -1 };
	struct nl_batch b;
	struct ns *host;
	int rc;

	if ((rc = check_ns_name(nn, ns_name, false)) ||
	    (rc = check_ifname(nn, bridge)) ||
	    (rc = ns_get(nn, NSNET_HOST, &host)))
		return rc;
	/* --host-ifname: the record of the attachment names it */
	if (attach_record_host_if(bridge, ns_name, host_if, sizeof(host_if)))
		attach_host_ifname(host_if, sizeof(host_if), ns_name, bridge);
	rc = nl_link_get(nn, host, host_if, &l);
	if (rc == -ENODEV)
		return err_set(nn, 0, "%s is not attached to %s", ns_name, bridge);
	if (rc)
		return rc;
	rc = nl_link_get(nn, host, bridge, &br);
	if (rc && rc != -ENODEV)
		return rc;
	if (!link_is_ours(&l) || (l.master != br.index && l.master != 0))
		return err_set(nn, 0,
			"%s is not an nsnet attachment of %s to %s; not touching it",
			host_if, ns_name, bridge);
	nl_batch_init(&b);
	link_queue_del(&b, host->name, host_if, l.index);
	rc = nl_batch_send(nn, host, &b);
	nl_batch_free(&b);
	if (rc)
		err_prefix(nn, "detach %s from %s", ns_name, bridge);
	else
		attach_record_remove(bridge, ns_name);
	return rc;
}

NSNET_EXPORT int nsnet_detach(struct nsnet *nn, const char *ns_name,
			      const char *bridge)
{
	return LOCKED(nn, net_detach(nn, ns_name, bridge));
}
