// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * host.c - the host as the firewall sees it: which names may go into nft
 * commands, the bridge a command names, the addresses of the host and of
 * namespaces, and the host sysctls that NAT and published ports need
 * (forwarding, route_localnet).
 *
 * The sysctls are the only state nsnet keeps outside the kernel's table:
 * the value each had before nsnet changed it (one file per sysctl under
 * /run/nsnet/fw/), so that it can be put back when the last user goes,
 * unless someone changed it since.
 */
#include <stdio.h>
#include <string.h>

#include "firewall/fw_private.h"

/* ---- addresses ------------------------------------------------------------- */

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
int fw_addr_dump(struct nsnet *nn, struct ns *ns, int family, int index,
		 struct fw_addrs *out)
{
	out->n = 0;
	out->index = index;
	return nl_addr_dump(nn, ns, family, index, addr_cb, out, NULL);
}

/* ---- names and bridges ------------------------------------------------------ */

int fw_check_name(struct nsnet *nn, const char *what, const char *name)
{
	if (!fw_name_ok(name))
		return err_usage(nn,
			"%s \"%s\": nsnet's firewall accepts only letters, digits and _ . - + @ : in names",
			what, name ? name : "");
	return 0;
}

/* NAT (any_kind) also serves namespaces behind a plain veth kept in the
 * host, as in seed 003. */
int fw_bridge_get(struct nsnet *nn, struct ns *host, const char *name,
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

/* ---- host sysctls ----------------------------------------------------------- */

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
	char path[256], val[32], line[40];
	int rc;

	snprintf(path, sizeof(path), FW_RUN_DIR "/%s", sc->record);
	if (access(path, F_OK)) {
		rc = sysctl_read(nn, host, sc->path, val, sizeof(val));
		if (rc)
			return rc;
		snprintf(line, sizeof(line), "%s\n", val);
		if ((rc = mkdir_p(nn, FW_RUN_DIR)) ||
		    (rc = write_file_atomic(nn, path, line)))
			return rc;
	}
	return sysctl_write(nn, host, sc->path, "1");
}

/*
 * Put back the value saved by fw_sysctl_take(), if any, and only if the
 * sysctl still holds the 1 nsnet wrote: a value someone set since (0, or
 * anything else) is theirs and stays.
 */
static void fw_sysctl_release(struct nsnet *nn, struct ns *host,
			      const struct fw_sysctl *sc)
{
	char path[256], val[32], now[32];

	snprintf(path, sizeof(path), FW_RUN_DIR "/%s", sc->record);
	if (read_small_file(path, val, sizeof(val)) < 0)
		return;
	val[strcspn(val, "\n")] = '\0';
	if (!sysctl_read(nn, host, sc->path, now, sizeof(now)) && strcmp(now, "1")) {
		unlink(path);
		return;
	}
	err_clear(nn);
	if (val[0] && sysctl_write(nn, host, sc->path, val))
		warn_emit(nn, "could not restore %s to %s: %s", sc->path, val,
			  err_msg(nn));
	unlink(path);
}

int fw_forward_take(struct nsnet *nn, struct ns *host, bool localnet)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < ARRAY_SIZE(fw_forward) && !rc; i++)
		rc = fw_sysctl_take(nn, host, &fw_forward[i]);
	if (!rc && localnet)
		rc = fw_sysctl_take(nn, host, &fw_localnet);
	return rc;
}

void fw_forward_release(struct nsnet *nn, struct ns *host, bool localnet,
			bool forward)
{
	size_t i;

	if (localnet)
		fw_sysctl_release(nn, host, &fw_localnet);
	for (i = 0; forward && i < ARRAY_SIZE(fw_forward); i++)
		fw_sysctl_release(nn, host, &fw_forward[i]);
}

/*
 * `nsnet forward on|off`: the user's own word on forwarding. In the host it
 * also drops the values nsnet saved, so that the last NAT or published
 * port going does not put back what the user has since overruled (a
 * `forward on` after `nat add` stays on after `nat del`). Here rather than
 * with the other sysctls because those saved values are the firewall's.
 */
NSNET_EXPORT int nsnet_forward_set(struct nsnet *nn, const char *ns_name,
				   bool on)
{
	char path[256];
	struct ns *ns;
	size_t i;
	int rc;

	rc = ns_get(nn, ns_name, &ns);
	if (rc)
		return rc;
	rc = sysctl_write(nn, ns, "net/ipv4/ip_forward", on ? "1" : "0");
	if (!rc)
		rc = sysctl_write(nn, ns, "net/ipv6/conf/all/forwarding",
				  on ? "1" : "0");
	for (i = 0; !rc && ns_is_host(ns_name) && i < ARRAY_SIZE(fw_forward); i++) {
		snprintf(path, sizeof(path), FW_RUN_DIR "/%s", fw_forward[i].record);
		unlink(path);
	}
	return rc;
}
