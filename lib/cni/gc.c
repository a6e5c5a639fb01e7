// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * gc.c - spec 1.1's GC (every attachment of the network that the runtime
 * does not name, or whose namespace is gone, taken back from its record)
 * and STATUS (whether an ADD could succeed now, and why not).
 */
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <libmnl/libmnl.h>

#include "cni/cni.h"

/* ---- GC ---------------------------------------------------------------------------- */

static bool attachment_valid(json_t *list, const char *cid, const char *ifname)
{
	json_t *a;
	size_t i;

	json_array_foreach(list, i, a)
		if (!strcmp(json_string_value(json_object_get(a, "containerID")) ?: "", cid) &&
		    !strcmp(json_string_value(json_object_get(a, "ifname")) ?: "", ifname))
			return true;
	return false;
}

int cni_gc(struct nsnet *nn, struct cni_conf *c, struct cni_error *err)
{
	char **cids, **ifs, dir[512], path[1024], text[512];
	struct dirent *de;
	size_t n, i;
	int rc, first = 0;
	DIR *d;

	if ((rc = lock_take(nn)))
		return cni_fail(nn, err, CNI_ERR_IO, rc);
	n = cni_record_list(c->name, &cids, &ifs);
	for (i = 0; i < n; i++) {
		struct cni_record r;
		bool keep;

		if (cni_record_read(c->name, cids[i], ifs[i], &r))
			memset(&r, 0, sizeof(r));
		keep = c->valid_attachments ?
		       attachment_valid(c->valid_attachments, cids[i], ifs[i]) :
		       cni_record_netns_alive(&r);
		if (!keep) {
			if (!r.cid[0]) {
				/* unreadable: what its name says */
				snprintf(r.cid, sizeof(r.cid), "%s", cids[i]);
				snprintf(r.ifname, sizeof(r.ifname), "%s", ifs[i]);
			}
			rc = cni_teardown(nn, NULL, c->name, &r, err);
			if (rc && !first)
				first = rc;
		}
		cni_record_free(&r);
		free(cids[i]);
		free(ifs[i]);
	}
	free(cids);
	free(ifs);
	/* Reservations no record accounts for (a process killed between
	 * the two) go too, unless the list names them. */
	snprintf(dir, sizeof(dir), CNI_RUN_DIR "/%s/ips", c->name);
	d = opendir(dir);
	while (d && (de = readdir(d))) {
		char *nl;

		if (de->d_name[0] == '.' || !strncmp(de->d_name, "last-", 5))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (read_small_file(path, text, sizeof(text)) <= 0)
			continue;
		nl = strchr(text, '\n');
		if (!nl)
			continue;
		*nl = '\0';
		nl[1 + strcspn(nl + 1, "\n")] = '\0';
		{
			char rp[1024];

			cni_record_path(rp, sizeof(rp), c->name, text, nl + 1);
			if (!access(rp, F_OK))
				continue;
		}
		if (c->valid_attachments &&
		    attachment_valid(c->valid_attachments, text, nl + 1))
			continue;
		unlink(path);
	}
	if (d)
		closedir(d);
	/* Port mappings of this network whose attachment has no record. */
	n = cni_record_list(c->name, &cids, &ifs);
	for (i = 0; i < n; i++) {
		char owner[128];

		cni_owner_id(owner, sizeof(owner), c->name, cids[i], ifs[i]);
		free(cids[i]);
		cids[i] = strdup(owner);
		if (!cids[i])
			abort();
		free(ifs[i]);
	}
	free(ifs);
	snprintf(path, sizeof(path), "cni:%s:", c->name);
	rc = fw_cni_sweep(nn, path, cids, n);
	for (i = 0; i < n; i++)
		free(cids[i]);
	free(cids);
	if (rc && !first)
		first = cni_fail(nn, err, CNI_ERR_KERNEL, rc);
	cni_network_release(nn, c->name, c->bridge);
	lock_drop(nn);
	return first;
}

/* ---- STATUS ------------------------------------------------------------------------ */

static bool has_cap_net_admin(void)
{
	char buf[4096], *p;
	unsigned long long eff;

	if (read_small_file("/proc/self/status", buf, sizeof(buf)) < 0)
		return false;
	p = strstr(buf, "CapEff:");
	if (!p || sscanf(p + 7, "%llx", &eff) != 1)
		return false;
	return eff & (1ull << 12);
}

int cni_status(struct nsnet *nn, struct cni_conf *c, struct cni_error *err)
{
	struct nl_link br;
	struct ns *host;
	char *out = NULL;
	int rc;

	if (!has_cap_net_admin())
		return cni_failf(nn, err, CNI_ERR_UNAVAILABLE,
				 "nsnet-cni runs without CAP_NET_ADMIN: it cannot make bridges or veths");
	if ((rc = ns_get(nn, NSNET_HOST, &host)))
		return cni_fail(nn, err, CNI_ERR_UNAVAILABLE, rc);
	rc = nl_link_get(nn, host, c->bridge, &br);
	if (rc && rc != -ENODEV)
		return cni_fail(nn, err, CNI_ERR_UNAVAILABLE, rc);
	if (!rc && strcmp(br.kind, "bridge"))
		return cni_failf(nn, err, CNI_ERR_UNAVAILABLE,
				 "\"bridge\": %s exists and is a %s, not a bridge: no attachment can be made",
				 c->bridge, br.kind[0] ? br.kind : "device");
	if (!c->ipam_only && !c->delegate[0] && !cni_ipam_free_count(c, 1))
		return cni_failf(nn, err, CNI_ERR_UNAVAILABLE,
				 "network %s has no free address left", c->name);
	if (c->ipam_only)
		return 0;
	rc = fw_nft_list(nn, "list tables", &out);
	free(out);
	if (rc) {
		if (c->ip_masq)
			return cni_fail(nn, err, CNI_ERR_UNAVAILABLE, rc);
		return cni_fail(nn, err, CNI_ERR_LIMITED, rc);
	}
	err_clear(nn);
	return 0;
}
