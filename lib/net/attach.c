// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * attach.c - what nsnet_attach chooses and remembers: the addresses it was
 * not given (a free one of the bridge's subnet, with the allocator of
 * topologies, ip_pick_free), the prefix of an address given without one,
 * and the record /run/nsnet/attach/<bridge>/<ns> ("host_if addr...") that
 * tells later attaches which addresses are taken and detach which host
 * end is the namespace's. Called under the lock, so that two attaches at
 * once never choose the same address.
 */
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <libmnl/libmnl.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>

#include "net/net.h"

#define ATTACH_DIR NSNET_RUN_DIR "/attach"

struct taken {
	struct ipaddr a[512];
	size_t n;
};

static void taken_add(struct taken *t, const struct ipaddr *ip)
{
	if (t->n < ARRAY_SIZE(t->a))
		t->a[t->n++] = *ip;
}

static bool taken_has(const struct ipaddr *ip, void *data)
{
	const struct taken *t = data;
	size_t i;

	for (i = 0; i < t->n; i++)
		if (t->a[i].family == ip->family &&
		    !memcmp(t->a[i].a.b, ip->a.b, ip_len(ip)))
			return true;
	return false;
}

/* The bridge's own global addresses (its subnets, and taken). */
struct bridge_addrs {
	struct ipaddr a[16];
	size_t n;
};

static int bridge_addr_cb(const struct nl_addr *a, void *data)
{
	struct bridge_addrs *b = data;

	if (a->scope == RT_SCOPE_UNIVERSE && b->n < ARRAY_SIZE(b->a))
		b->a[b->n++] = a->ip;
	return 0;
}

static void bridge_addr_reset(void *data)
{
	((struct bridge_addrs *)data)->n = 0;
}

struct neigh_dump {
	int index;
	struct taken *taken;
};

static int neigh_cb(const struct nlmsghdr *nlh, void *data)
{
	struct neigh_dump *d = data;
	struct nl_neigh n;

	if (!nl_neigh_parse(nlh, &n) && n.index == d->index)
		taken_add(d->taken, &n.ip);
	return MNL_CB_OK;
}

/* What the host has seen on the bridge: addresses in use even when no
 * record names them (namespaces plugged by hand, a topology's nodes). */
static int bridge_neighbours(struct nsnet *nn, struct ns *host, int index,
			     struct taken *t)
{
	char buf[64] __attribute__((aligned(4))) = { 0 };
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct neigh_dump d = { index, t };
	struct ndmsg *nd;
	int rc, tries = 0;

	nlh->nlmsg_type = RTM_GETNEIGH;
	nd = mnl_nlmsg_put_extra_header(nlh, sizeof(*nd));
	nd->ndm_family = AF_UNSPEC;
	do
		rc = nl_dump(nn, host, nlh, neigh_cb, &d);
	while (rc == -EINTR && ++tries < 5);
	return rc;
}

static void record_path(char *buf, size_t len, const char *bridge, const char *ns)
{
	snprintf(buf, len, ATTACH_DIR "/%s/%s", bridge, ns);
}

/* The addresses of the bridge's records whose host end is still a port
 * of it: a record outlives its attachment only until then. */
static void recorded_taken(struct nsnet *nn, struct ns *host, const char *bridge,
			   int br_index, struct taken *t)
{
	char dir[300], path[600], line[1024], *tok, *save;
	struct dirent *de;
	DIR *d;

	snprintf(dir, sizeof(dir), ATTACH_DIR "/%s", bridge);
	d = opendir(dir);
	while (d && (de = readdir(d))) {
		struct nl_link l;
		bool first = true;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (read_small_file(path, line, sizeof(line)) <= 0)
			continue;
		for (tok = strtok_r(line, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save)) {
			struct ipaddr ip;

			if (first) {
				first = false;
				if (nl_link_get(nn, host, tok, &l) || l.master != br_index)
					break;
				continue;
			}
			if (!cidr_parse(tok, &ip))
				taken_add(t, &ip);
		}
	}
	if (d)
		closedir(d);
	err_clear(nn);
}

/* Appends "10.10.0.2/16" to chosen (space separated). */
static void say_chosen(char *chosen, size_t len, const struct ipaddr *ip)
{
	char a[64];
	size_t n;

	if (!chosen || !len)
		return;
	n = strlen(chosen);
	snprintf(chosen + n, len - n, "%s%s", n ? " " : "", ip_str(ip, a, sizeof(a)));
}

int attach_addrs_complete(struct nsnet *nn, struct ns *host, const char *bridge,
			  int br_index, const char *ns_name, bool auto_addr,
			  struct ipaddr *addrs, size_t *n_addrs, size_t max,
			  char *chosen, size_t chosen_len)
{
	struct bridge_addrs br = { .n = 0 };
	struct taken *t;
	size_t i, j;
	int rc;

	if ((rc = nl_addr_dump(nn, host, AF_UNSPEC, br_index, bridge_addr_cb, &br,
			       bridge_addr_reset)))
		return rc;
	/* Without a prefix: the prefix of the bridge's subnet it falls in,
	 * else of the bridge's first address of its family. */
	for (i = 0; i < *n_addrs; i++) {
		const struct ipaddr *pick = NULL;

		if (addrs[i].prefix >= 0)
			continue;
		for (j = 0; j < br.n; j++)
			if (br.a[j].family == addrs[i].family &&
			    (ip_in_prefix(&br.a[j], &addrs[i]) || !pick))
				pick = &br.a[j];
		if (!pick)
			continue;
		addrs[i].prefix = pick->prefix;
		say_chosen(chosen, chosen_len, &addrs[i]);
	}
	if (!auto_addr || *n_addrs || !br.n)
		return 0;
	t = calloc(1, sizeof(*t));
	if (!t)
		abort();
	for (j = 0; j < br.n; j++)
		taken_add(t, &br.a[j]);
	if ((rc = bridge_neighbours(nn, host, br_index, t))) {
		free(t);
		return rc;
	}
	recorded_taken(nn, host, bridge, br_index, t);
	/* One address per family the bridge has a subnet of. */
	for (j = 0; j < br.n && *n_addrs < max; j++) {
		struct ipaddr ip;
		bool have = false;

		for (i = 0; i < *n_addrs; i++)
			have |= addrs[i].family == br.a[j].family;
		if (have)
			continue;
		/* Where ipam would start for a node of this name on this
		 * network: the same namespace gets the same address back. */
		if (ip_pick_free(&br.a[j], name_hash(ns_name, bridge), taken_has, t, &ip)) {
			free(t);
			return err_set(nn, 0, "attach %s to %s: no free IPv%d address left in %s's subnet",
				       ns_name, bridge, br.a[j].family == AF_INET ? 4 : 6, bridge);
		}
		addrs[(*n_addrs)++] = ip;
		taken_add(t, &ip);
		say_chosen(chosen, chosen_len, &ip);
	}
	free(t);
	return 0;
}

int attach_record_write(struct nsnet *nn, const char *bridge, const char *ns,
			const char *host_if, const struct ipaddr *addrs, size_t n)
{
	char path[600], text[1024], a[64];
	size_t i, len;
	int rc;

	snprintf(path, sizeof(path), ATTACH_DIR "/%s", bridge);
	if ((rc = mkdir_p(nn, path)))
		return rc;
	len = (size_t)snprintf(text, sizeof(text), "%s", host_if);
	for (i = 0; i < n && len < sizeof(text); i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len, " %s",
					ip_str(&addrs[i], a, sizeof(a)));
	if (len < sizeof(text) - 1)
		strcat(text, "\n");
	record_path(path, sizeof(path), bridge, ns);
	return write_file_atomic(nn, path, text);
}

int attach_record_host_if(const char *bridge, const char *ns, char *host_if,
			  size_t len)
{
	char path[600], line[1024];

	record_path(path, sizeof(path), bridge, ns);
	if (read_small_file(path, line, sizeof(line)) <= 0)
		return -ENOENT;
	line[strcspn(line, " \n")] = '\0';
	if (!*line || strlen(line) >= len)
		return -ENOENT;
	snprintf(host_if, len, "%s", line);
	return 0;
}

void attach_record_remove(const char *bridge, const char *ns)
{
	char path[600];

	record_path(path, sizeof(path), bridge, ns);
	unlink(path);
}

/* Deleting a bridge takes its attachments, and their records. */
void attach_records_forget_bridge(const char *bridge)
{
	char dir[300], path[600];
	struct dirent *de;
	DIR *d;

	snprintf(dir, sizeof(dir), ATTACH_DIR "/%s", bridge);
	d = opendir(dir);
	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		unlink(path);
	}
	if (d)
		closedir(d);
	rmdir(dir);
}

/* Deleting a namespace takes its ends, and the records of its attachments
 * to every bridge. */
void attach_records_forget_ns(const char *ns)
{
	struct dirent *de;
	DIR *d = opendir(ATTACH_DIR);

	while (d && (de = readdir(d)))
		if (de->d_name[0] != '.')
			attach_record_remove(de->d_name, ns);
	if (d)
		closedir(d);
}
