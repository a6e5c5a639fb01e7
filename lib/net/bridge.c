// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bridge.c - nsnet's bridges: a Linux bridge in the host (kernel/bridge.c)
 * with its mark and addresses, registered with the firewall so that it is
 * isolated from the other nsnet bridges from the start. Deleting one takes
 * its attachments along: a port left behind without its bridge would be
 * an attachment to nothing.
 */
#include <stdio.h>
#include <string.h>

#include "net/net.h"

static int net_bridge_add(struct nsnet *nn, const char *name,
			  const char *const *addrs, size_t n_addrs,
			  unsigned int flags)
{
	char alias[128];
	struct ipaddr ips[16];
	struct nl_batch b;
	struct nl_link l;
	struct ns *host;
	size_t i;
	int rc;

	if ((rc = check_ifname(nn, name)))
		return rc;
	if (n_addrs > ARRAY_SIZE(ips))
		return err_usage(nn, "at most %zu addresses per bridge",
				 ARRAY_SIZE(ips));
	for (i = 0; i < n_addrs; i++)
		if (cidr_parse(addrs[i], &ips[i]))
			return err_usage(nn,
				"address \"%s\" for bridge %s is not an address with a prefix (for example 10.10.0.1/16)",
				addrs[i], name);
	if ((rc = ns_get(nn, NSNET_HOST, &host)))
		return rc;
	nl_batch_init(&b);
	bridge_queue_add(&b, name, true);
	rc = nl_batch_send(nn, host, &b);
	nl_batch_free(&b);
	if (rc) {
		if (nn->err_code == EEXIST)
			err_set(nn, 0, "bridge %s: an interface with that name already exists",
				name);
		return rc;
	}
	/* Created just now (NLM_F_EXCL), born in nsnet's group: the alias
	 * goes on it by index. A link of that name outside the group would
	 * be somebody else's that replaced ours in between: never marked. */
	rc = nl_link_get(nn, host, name, &l);
	if (rc)
		return rc == -ENODEV ? err_set(nn, ENODEV, "bridge %s", name) : rc;
	if (l.group != NSNET_LINK_GROUP)
		return err_set(nn, 0, "bridge %s was replaced by another interface right after it was created",
			       name);
	snprintf(alias, sizeof(alias), "%s%s", link_mark(nn),
		 flags & NSNET_BRIDGE_INTERNAL ? " internal" : "");
	nl_batch_init(&b);
	link_queue_set(&b, host->name, name, l.index, -1, 0, -1, alias);
	for (i = 0; i < n_addrs; i++)
		addr_queue(&b, true, host->name, name, l.index, &ips[i]);
	rc = nl_batch_send(nn, host, &b);
	nl_batch_free(&b);
	/* Isolation from the other nsnet bridges starts with the bridge. */
	if (!rc)
		rc = fw_bridge_register(nn, name, flags & NSNET_BRIDGE_INTERNAL,
					true);
	if (rc) {
		err_prefix(nn, "bridge %s", name);
		nl_batch_init(&b);
		link_queue_del(&b, host->name, name, l.index);
		nl_batch_send(nn, host, &b);
		nl_batch_free(&b);
	}
	return rc;
}

NSNET_EXPORT int nsnet_bridge_add(struct nsnet *nn, const char *name,
				  const char *const *addrs, size_t n_addrs,
				  unsigned int flags)
{
	return LOCKED(nn, net_bridge_add(nn, name, addrs, n_addrs, flags));
}

/* The ports of one bridge that nsnet made (attachments). */
struct bridge_ports {
	int master;
	int *index;
	char (*name)[16];
	size_t n;
};

static int bridge_port_cb(const struct nl_link *l, void *data)
{
	struct bridge_ports *p = data;

	if (l->master != p->master || !link_is_ours(l))
		return 0;
	ARRAY_GROW(p->index, p->n);
	p->name = realloc(p->name, (p->n + 1) * sizeof(*p->name));
	if (!p->name)
		abort();
	snprintf(p->name[p->n], sizeof(p->name[p->n]), "%s", l->name);
	p->index[p->n++] = l->index;
	return 0;
}

static void bridge_port_restart(void *data)
{
	((struct bridge_ports *)data)->n = 0;
}

static int net_bridge_del(struct nsnet *nn, const char *name,
			  unsigned int flags)
{
	struct bridge_ports ports = { 0 };
	struct nl_batch b;
	struct nl_link l;
	struct ns *host;
	size_t i;
	int rc;

	if ((rc = check_ifname(nn, name)) || (rc = ns_get(nn, NSNET_HOST, &host)))
		return rc;
	rc = nl_link_get(nn, host, name, &l);
	if (rc == -ENODEV)
		return err_set(nn, 0, "there is no bridge %s", name);
	if (rc)
		return rc;
	if (strcmp(l.kind, "bridge"))
		return err_set(nn, 0, "%s is a %s, not a bridge; not deleting it",
			       name, l.kind[0] ? l.kind : "device");
	if (!(flags & NSNET_FORCE) && !link_is_ours(&l))
		return err_set(nn, 0,
			"bridge %s was not created by nsnet (no mark%s%s%s); use --force to delete it anyway",
			name, l.alias[0] ? ", alias \"" : "", l.alias,
			l.alias[0] ? "\"" : "");
	ports.master = l.index;
	if ((rc = link_dump(nn, host, bridge_port_cb, &ports, bridge_port_restart)))
		goto out;
	/* Its attachments first (each veth takes its peer along), then the
	 * bridge: one batch. Ports nsnet did not make are left, unenslaved. */
	nl_batch_init(&b);
	for (i = 0; i < ports.n; i++) {
		link_queue_del(&b, host->name, ports.name[i], ports.index[i]);
		nl_batch_last(&b)->ignore_missing = true;
	}
	link_queue_del(&b, host->name, name, l.index);
	rc = nl_batch_send(nn, host, &b);
	nl_batch_free(&b);
	if (!rc)
		attach_records_forget_bridge(name);
	/* Its NAT, pairs and isolation entries go with it. */
	if (!rc)
		rc = fw_bridge_register(nn, name, false, false);
out:
	free(ports.index);
	free(ports.name);
	return rc;
}

NSNET_EXPORT int nsnet_bridge_del(struct nsnet *nn, const char *name,
				  unsigned int flags)
{
	return LOCKED(nn, net_bridge_del(nn, name, flags));
}
