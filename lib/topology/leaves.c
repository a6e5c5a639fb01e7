// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * leaves.c - a network of any size. A Linux bridge takes at most 1,023 ports
 * (BR_MAX_PORTS is 1,024 and port number 0 is reserved: the 1,024th
 * enslave fails with "Exchange full"). A network with more attachments
 * than one bridge's share spans several: its own bridge (the root: the
 * gateway address, NAT, the one the user named) and leaf bridges, each
 * joined to the root by a veth pair (a trunk), so that it stays one
 * Ethernet segment with one gateway. Leaves and trunks are born in nsnet's
 * link group with the topology's mark like every link of a topology, so
 * down removes them with the rest.
 *
 * A leaf takes no part in IP: it answers no ARP (arp_ignore 8: the host
 * would otherwise answer a node's ARP for the gateway from the leaf, which
 * would then receive the packets the root should route) and has no IPv6
 * (no link-local address, no solicitations of its own). With
 * br_netfilter, packets bridged by a leaf would pass conntrack and NAT
 * there, before the root: a masquerade of the leaf's pass, or its null
 * binding, would break NAT and every pair of nodes on two bridges. So the
 * firewall registers leaves in set "leaves", whose packets are not
 * tracked (firewall/isolation.c), and in "bridges" like the root, so that
 * isolation covers anything that reaches the host through a leaf. Its
 * nodes take the bridges' copies of a broadcast into their own queues and
 * make no multicast of their own (apply.c says why).
 *
 * The layout is a function of the file (and of the share, 1,000 unless
 * the caller set another: nsnet_set_bridge_ports, for tests): the
 * attachments of a network spread evenly over the root and as few leaves
 * as hold them, nodes that publish ports on the root, the others in file
 * order. Names derive from the root's: leaf k is
 * "<bridge>-l<k>", its trunk "<bridge>-t<k>" (on the root) and
 * "<bridge>-u<k>" (on the leaf), the bridge's name cut and hashed when
 * they would not fit in 15 characters.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libmnl/libmnl.h>
#include <jansson.h>

#include "topology/topology.h"
#include "firewall/firewall.h"

/* Leaves the root's and the leaves' ports some room below the kernel's
 * 1,023 (a port enslaved by hand, a tap of a capture). */
#define LEAF_SHARE_DEFAULT 1000
/* The kernel's memory a node on a bridge costs (its namespace, veth pair,
 * addresses, routes, sysctl tables): MemAvailable fell by 289 MiB for an
 * up of 1,000 nodes (Linux 6.18, docs/performance.md). */
#define LEAF_NODE_KIB 300u

size_t leaf_share(const struct nsnet *nn)
{
	return nn->bridge_ports ? nn->bridge_ports : LEAF_SHARE_DEFAULT;
}

/* "<bridge>-<tag><k>", or the bridge's name cut with a hash of all of it
 * when that does not fit (two long names sharing a beginning differ). */
static void leaf_name(const struct topo_net *net, char tag, size_t k,
		      char buf[IFNAMSIZ])
{
	char suffix[24], hash[8];
	size_t room, len = strnlen(net->bridge, IFNAMSIZ - 1), sl;

	sl = (size_t)snprintf(suffix, sizeof(suffix), "-%c%zu", tag, k % 100000);
	room = IFNAMSIZ - 1 - sl;
	if (len <= room) {
		memcpy(buf, net->bridge, len);
	} else {
		len = room - 4;
		memcpy(buf, net->bridge, len);
		snprintf(hash, sizeof(hash), "%04x", name_hash(net->bridge, NULL) & 0xffff);
		memcpy(buf + len, hash, 4);
		len += 4;
	}
	memcpy(buf + len, suffix, sl + 1);
}

void leaf_bridge_name(const struct topo_net *net, size_t k, char buf[IFNAMSIZ])
{
	if (!k)
		snprintf(buf, IFNAMSIZ, "%s", net->bridge);
	else
		leaf_name(net, 'l', k, buf);
}

void leaf_trunk_names(const struct topo_net *net, size_t k,
		      char root_end[IFNAMSIZ], char leaf_end[IFNAMSIZ])
{
	leaf_name(net, 't', k, root_end);
	leaf_name(net, 'u', k, leaf_end);
}

const char *leaf_bridge(const struct topo_net *net, size_t k)
{
	return k && net->leaf_names ? net->leaf_names[k] : net->bridge;
}

const char *leaf_att_bridge(const struct topo *t, const struct topo_attach *a,
			    char buf[IFNAMSIZ])
{
	leaf_bridge_name(&t->nets[a->net], a->leaf, buf);
	return buf;
}

size_t leaf_slot(const struct topo *t, const struct topo_attach *a)
{
	return t->nets[a->net].slot + a->leaf;
}

/* ---- the layout, checked before anything is made ---------------------------- */

/* A name the spans add must be no other bridge's, leaf's, trunk's or host
 * cable end's. */
static int leaf_name_free(struct nsnet *nn, const char *file, struct topo *t,
			  struct topo_set *names, const char *name, size_t net,
			  char (*store)[IFNAMSIZ])
{
	size_t other;

	memcpy(*store, name, IFNAMSIZ);
	if (!topo_set_put(names, *store, strlen(*store), net, &other))
		return 0;
	return topo_error_at(nn, file, t->nets[net].pos,
			"network %s spans %zu bridges: the name %s it needs for a leaf bridge or trunk is taken by %s%s",
			t->nets[net].name, t->nets[net].n_leaves + 1, name,
			other == SIZE_MAX ? "a cable end in the host" :
			other == net ? "another of its own (a shorter bridge name avoids it)" :
			"the bridge or a leaf of network ",
			other == SIZE_MAX || other == net ? "" : t->nets[other].name);
}

int topo_leaves(struct nsnet *nn, const char *file, struct topo *t)
{
	size_t share = leaf_share(nn), i, j, k, n_names = 0, slot = 0;
	size_t *root_n = calloc(t->n_nets + 1, sizeof(*root_n));
	size_t *per_leaf = calloc(t->n_nets + 1, sizeof(*per_leaf));
	size_t *root_used = calloc(t->n_nets + 1, sizeof(*root_used));
	size_t *leaf_used = calloc(t->n_nets + 1, sizeof(*leaf_used));
	char (*names)[IFNAMSIZ] = NULL;
	struct topo_set set = { 0 };
	int rc = 0;

	if (!root_n || !per_leaf || !root_used || !leaf_used)
		abort();
	for (i = 0; i < t->n_nets; i++)
		t->nets[i].n_att = t->nets[i].n_leaves = 0;
	for (i = 0; i < t->n_nodes; i++)
		for (j = 0; j < t->nodes[i].n_att; j++)
			t->nets[t->nodes[i].att[j].net].n_att++;
	for (i = 0; i < t->n_nets && !rc; i++) {
		struct topo_net *net = &t->nets[i];
		size_t n = net->n_att, leaves, bridges, even;

		net->slot = slot;
		root_n[i] = n;
		if (n > share) {
			/* The root holds its nodes and one trunk per leaf, a
			 * leaf its nodes and its trunk: as few leaves as make
			 * share - leaves + leaves * (share - 1) >= n. */
			leaves = (n - share + (share - 2) - 1) / (share - 2);
			if (leaves > share)
				rc = topo_error_at(nn, file, net->pos,
					"network %s has %zu nodes: one network holds at most %zu (its bridge joins at most %zu leaf bridges of %zu ports each); split it into several networks",
					net->name, n, share * (share - 1), share, share);
			bridges = leaves + 1;
			even = (n + bridges - 1) / bridges;
			root_n[i] = even < share - leaves ? even : share - leaves;
			per_leaf[i] = (n - root_n[i] + leaves - 1) / leaves;
			net->n_leaves = leaves;
		}
		slot += net->n_leaves + 1;
	}
	t->n_slots = slot;
	/* The root takes the nodes that publish ports first (the first
	 * attachment, where their ports lead): with br_netfilter a published
	 * port's translation happens at the root, which cannot send a packet
	 * back out of the trunk it came in by, so a server on a leaf would
	 * not be reached through the host's address from its own leaf. Then
	 * the others, in file order. */
	for (i = 0; i < t->n_nodes && !rc; i++)
		for (j = 0; j < t->nodes[i].n_att; j++) {
			struct topo_attach *a = &t->nodes[i].att[j];

			a->leaf = SIZE_MAX;
			if (j == 0 && t->nodes[i].n_publish && root_used[a->net] < root_n[a->net]) {
				a->leaf = 0;
				root_used[a->net]++;
			}
		}
	for (i = 0; i < t->n_nodes && !rc; i++)
		for (j = 0; j < t->nodes[i].n_att; j++) {
			struct topo_attach *a = &t->nodes[i].att[j];

			if (a->leaf != SIZE_MAX)
				continue;
			if (root_used[a->net] < root_n[a->net]) {
				a->leaf = 0;
				root_used[a->net]++;
			} else {
				a->leaf = 1 + leaf_used[a->net]++ / per_leaf[a->net];
			}
		}
	/* Every name in the host the spans add: free of each other, of the
	 * networks' bridges (unique already) and of host cable ends. */
	for (i = 0; i < t->n_nets && !rc; i++)
		n_names += 3 * t->nets[i].n_leaves;
	names = calloc(n_names + t->n_nets + 2 * t->n_cables + 1, sizeof(*names));
	if (!names)
		abort();
	n_names = 0;
	for (i = 0; i < t->n_nets && !rc; i++) {
		memcpy(names[n_names], t->nets[i].bridge, IFNAMSIZ);
		topo_set_put(&set, names[n_names], strlen(names[n_names]), i, NULL);
		n_names++;
	}
	for (i = 0; i < t->n_cables && !rc; i++) {
		if (ns_is_host(t->cables[i].a))
			topo_set_put(&set, t->cables[i].a_if, strlen(t->cables[i].a_if),
				     SIZE_MAX, NULL);
		if (ns_is_host(t->cables[i].b))
			topo_set_put(&set, t->cables[i].b_if, strlen(t->cables[i].b_if),
				     SIZE_MAX, NULL);
	}
	for (i = 0; i < t->n_nets && !rc; i++)
		for (k = 1; k <= t->nets[i].n_leaves && !rc; k++) {
			char leaf[IFNAMSIZ], tr[IFNAMSIZ], tl[IFNAMSIZ];

			leaf_bridge_name(&t->nets[i], k, leaf);
			/* kept: what outlives this (the undo's notes) names it */
			if (k == 1) {
				free(t->nets[i].leaf_names);
				t->nets[i].leaf_names = calloc(t->nets[i].n_leaves + 1, IFNAMSIZ);
				if (!t->nets[i].leaf_names)
					abort();
			}
			memcpy(t->nets[i].leaf_names[k], leaf, IFNAMSIZ);
			leaf_trunk_names(&t->nets[i], k, tr, tl);
			if (!(rc = leaf_name_free(nn, file, t, &set, leaf, i, &names[n_names++])) &&
			    !(rc = leaf_name_free(nn, file, t, &set, tr, i, &names[n_names++])))
				rc = leaf_name_free(nn, file, t, &set, tl, i, &names[n_names++]);
		}
	topo_set_free(&set);
	free(names);
	free(root_n);
	free(per_leaf);
	free(root_used);
	free(leaf_used);
	return rc;
}

/* "2,000" */
static const char *thousands(size_t n, char *buf, size_t len)
{
	char digits[32];
	size_t nd, i, o = 0;

	nd = (size_t)snprintf(digits, sizeof(digits), "%zu", n);
	for (i = 0; i < nd && o + 2 < len; i++) {
		if (i && (nd - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = digits[i];
	}
	buf[o] = '\0';
	return buf;
}

void leaf_describe(const struct topo *t, size_t i, char *buf, size_t len)
{
	const struct topo_net *net = &t->nets[i];
	char n[32];

	snprintf(buf, len, "network %s: %s %s over %zu bridges (%s + %zu %s)",
		 net->name, thousands(net->n_att, n, sizeof(n)),
		 net->n_att == 1 ? "node" : "nodes", net->n_leaves + 1, net->bridge,
		 net->n_leaves, net->n_leaves == 1 ? "leaf" : "leaves");
}

json_t *leaf_json(const struct topo *t)
{
	json_t *arr = json_array();
	size_t i, k;

	for (i = 0; i < t->n_nets; i++) {
		json_t *bridges;
		char name[IFNAMSIZ], text[256];

		if (!t->nets[i].n_leaves)
			continue;
		bridges = json_array();
		for (k = 0; k <= t->nets[i].n_leaves; k++) {
			leaf_bridge_name(&t->nets[i], k, name);
			json_array_append_new(bridges, json_string(name));
		}
		leaf_describe(t, i, text, sizeof(text));
		json_array_append_new(arr, json_pack("{s:s,s:i,s:o,s:s}", "network",
			t->nets[i].name, "nodes", (int)t->nets[i].n_att, "bridges", bridges,
			"text", text));
	}
	return arr;
}

/* ---- plan: the leaves and trunks against the kernel ------------------------- */

/* A link up may take: the topology's own, or an orphan of nsnet's (born
 * in its group, killed before its mark came). */
static bool leaf_link_ours(const struct nl_link *l, const char *topo)
{
	return link_mark_is(l->alias, topo) ||
	       (l->group == NSNET_LINK_GROUP && !l->alias[0]);
}

static int leaf_link_taken(struct nsnet *nn, const struct topo *t, size_t i,
			   const struct nl_link *l)
{
	char owner[64];

	if (link_mark_owner(l->alias, owner, sizeof(owner)))
		return err_set(nn, 0,
			"network %s: the host already has an interface %s that is not part of topology %s: it belongs to %s%s",
			t->nets[i].name, l->name, t->name,
			owner[0] ? "topology " : "nsnet (made by hand)", owner);
	return err_set(nn, 0,
		"network %s: the host already has an interface %s that is not part of topology %s: nsnet did not create it",
		t->nets[i].name, l->name, t->name);
}

/* Whether the leaf takes no part in IP (see the top). */
static bool leaf_quiet_ok(struct nsnet *nn, struct ns *host, const char *leaf)
{
	char path[128], v[16];
	bool ok;

	snprintf(path, sizeof(path), "net/ipv4/conf/%s/arp_ignore", leaf);
	ok = !sysctl_read(nn, host, path, v, sizeof(v)) && !strcmp(v, "8");
	snprintf(path, sizeof(path), "net/ipv6/conf/%s/disable_ipv6", leaf);
	if (ok && !sysctl_read(nn, host, path, v, sizeof(v)))  /* none: no IPv6 */
		ok = !strcmp(v, "1");
	err_clear(nn);
	return ok;
}

/* The trunk of leaf k: 0 when both ends are there, peers, each on its
 * bridge and up; 1 when it is to be made (again); an error when a name it
 * needs is somebody else's. */
static int leaf_trunk_state(struct nsnet *nn, const struct topo *t, size_t i,
			    size_t k, struct ns *host, const int *br_index,
			    bool *existed)
{
	const struct topo_net *net = &t->nets[i];
	char names[2][IFNAMSIZ];
	struct nl_link l[2];
	int rc, e, found = 0;

	leaf_trunk_names(net, k, names[0], names[1]);
	for (e = 0; e < 2; e++) {
		rc = nl_link_get(nn, host, names[e], &l[e]);
		if (rc == -ENODEV)
			continue;
		if (rc)
			return rc;
		if (!leaf_link_ours(&l[e], t->name))
			return leaf_link_taken(nn, t, i, &l[e]);
		found |= 1 << e;
	}
	*existed = found != 0;
	if (found != 3 || l[0].link != l[1].index || l[1].link != l[0].index ||
	    !br_index[net->slot] || l[0].master != br_index[net->slot] ||
	    !br_index[net->slot + k] || l[1].master != br_index[net->slot + k])
		return 1;
	for (e = 0; e < 2; e++)
		if (!(l[e].flags & IFF_UP) || !link_mark_is(l[e].alias, t->name))
			return 1;
	return 0;
}

int leaf_plan(struct nsnet *nn, const struct topo *t, size_t i, struct ns *host,
	      json_t *fw, int *br_index, struct topo_plan *p)
{
	const struct topo_net *net = &t->nets[i];
	char alias[96];
	size_t k;
	int rc;

	snprintf(alias, sizeof(alias), "nsnet:%s%s", t->name, net->internal ? " internal" : "");
	for (k = 1; k <= net->n_leaves; k++) {
		char name[IFNAMSIZ];
		struct nl_link l;
		bool existed;

		leaf_bridge_name(net, k, name);
		rc = nl_link_get(nn, host, name, &l);
		if (rc && rc != -ENODEV)
			return rc;
		if (rc == -ENODEV) {
			/* Its trunk's names must be free or ours. */
			if ((rc = leaf_trunk_state(nn, t, i, k, host, br_index, &existed)) < 0)
				return rc;
			topo_plan_add(p, ACT_BRIDGE, i, k, 0, false);
			topo_plan_add(p, ACT_TRUNK, i, k, 0, existed);
			topo_plan_add(p, ACT_BRIDGE_UP, i, k, 0, false);
			/* a registration left by a leaf deleted behind nsnet's
			 * back is cleared and made again (as for a root) */
			topo_plan_add(p, ACT_FIREWALL, i, k, 0,
				      topo_fw_lists(fw, "bridges", name) ||
				      topo_fw_lists(fw, "leaves", name));
			continue;
		}
		if (!leaf_link_ours(&l, t->name))
			return leaf_link_taken(nn, t, i, &l);
		br_index[net->slot + k] = l.index;
		p->ok_objects++;
		if (!(l.flags & IFF_UP) || strcmp(l.alias, alias) ||
		    !leaf_quiet_ok(nn, host, name))
			topo_plan_add(p, ACT_BRIDGE_UP, i, k, 0, true);
		if ((rc = leaf_trunk_state(nn, t, i, k, host, br_index, &existed)) < 0)
			return rc;
		if (rc)
			topo_plan_add(p, ACT_TRUNK, i, k, 0, true);
		else
			p->ok_objects++;
		if (!topo_fw_lists(fw, "bridges", name) || !topo_fw_lists(fw, "leaves", name) ||
		    net->internal != topo_fw_lists(fw, "internal", name))
			topo_plan_add(p, ACT_FIREWALL, i, k, 0, true);
	}
	return 0;
}

/* ---- apply: leaves, kept out of IP, and their trunks ----------------------------- */

static int leaf_index(struct nsnet *nn, struct ns *host, const char *name)
{
	struct nl_link l;
	int rc = nl_link_get(nn, host, name, &l);

	if (rc == -ENODEV)
		return err_set(nn, ENODEV, "bridge %s", name);
	return rc ? rc : l.index;
}

static int leaf_quiet(struct nsnet *nn, struct ns *host, const char *leaf)
{
	char path[128];
	int rc;

	snprintf(path, sizeof(path), "net/ipv4/conf/%s/arp_ignore", leaf);
	if ((rc = sysctl_write(nn, host, path, "8")))
		return rc;
	return topo_link_no_ipv6(nn, host, leaf);
}

int leaf_apply(struct nsnet *nn, const struct topo *t, const struct topo_plan *p,
	       struct ns *host, void (*created)(void *data, const char *ifname),
	       void *data)
{
	char mark[96], name[IFNAMSIZ];
	struct nl_batch b;
	size_t i, n_br = 0, k;
	int rc;

	snprintf(mark, sizeof(mark), "nsnet:%s", t->name);
	/* the leaves, down, then their marks (as the roots: only on those
	 * the kernel says were created just now) */
	nl_batch_init(&b);
	for (i = 0; i < p->n; i++)
		if (p->act[i].kind == ACT_BRIDGE && p->act[i].idx) {
			leaf_bridge_name(&t->nets[p->act[i].obj], p->act[i].idx, name);
			bridge_queue_add(&b, name, false);
			n_br++;
		}
	if (!n_br)
		goto trunks;
	nl_batch_barrier(&b);
	for (i = 0; i < p->n; i++)
		if (p->act[i].kind == ACT_BRIDGE && p->act[i].idx) {
			const struct topo_net *net = &t->nets[p->act[i].obj];
			char alias[128];

			leaf_bridge_name(net, p->act[i].idx, name);
			snprintf(alias, sizeof(alias), "%s%s", mark, net->internal ? " internal" : "");
			link_queue_set(&b, NSNET_HOST, name, 0, -1, 0, -1, alias);
		}
	rc = nl_batch_send(nn, host, &b);
	for (i = k = 0; i < p->n && k < n_br; i++)
		if (p->act[i].kind == ACT_BRIDGE && p->act[i].idx) {
			leaf_bridge_name(&t->nets[p->act[i].obj], p->act[i].idx, name);
			if (b.req[k].done && !b.req[k].error)
				created(data, name);
			k++;
		}
	nl_batch_free(&b);
	if (rc)
		return rc;
trunks:
	/* quiet before anything passes through them; a repair too */
	for (i = 0; i < p->n; i++)
		if ((p->act[i].kind == ACT_BRIDGE || p->act[i].kind == ACT_BRIDGE_UP) &&
		    p->act[i].idx) {
			leaf_bridge_name(&t->nets[p->act[i].obj], p->act[i].idx, name);
			if ((rc = leaf_quiet(nn, host, name)))
				return rc;
		}
	for (i = 0; i < p->n; i++) {
		const struct topo_net *net = &t->nets[p->act[i].obj];
		char ends[2][IFNAMSIZ];
		int root, leaf;

		if (p->act[i].kind != ACT_TRUNK)
			continue;
		leaf_bridge_name(net, p->act[i].idx, name);
		leaf_trunk_names(net, p->act[i].idx, ends[0], ends[1]);
		if ((root = leaf_index(nn, host, net->bridge)) < 0 ||
		    (leaf = leaf_index(nn, host, name)) < 0)
			return root < 0 ? root : leaf;
		nl_batch_init(&b);
		/* a trunk that drifted is made again; the plan made sure
		 * both names are free or the topology's */
		if (p->act[i].repair) {
			for (k = 0; k < 2; k++) {
				link_queue_del(&b, NSNET_HOST, ends[k], 0);
				nl_batch_last(&b)->ignore_missing = true;
			}
			nl_batch_barrier(&b);
		}
		veth_queue_add(&b, NSNET_HOST, ends[0], NULL, ends[1], root, 0, false);
		nl_batch_barrier(&b);
		/* bridge ports: no IPv6 link-local of their own (apply.c) */
		link_queue_no_ll(&b, NSNET_HOST, ends[0]);
		link_queue_no_ll(&b, NSNET_HOST, ends[1]);
		link_queue_set(&b, NSNET_HOST, ends[0], 0, 1, 0, -1, mark);
		link_queue_set(&b, NSNET_HOST, ends[1], 0, 1, 0, leaf, mark);
		rc = nl_batch_send(nn, host, &b);
		if (b.req[p->act[i].repair ? 2 : 0].done && !b.req[p->act[i].repair ? 2 : 0].error)
			created(data, ends[0]);
		nl_batch_free(&b);
		if (rc)
			return rc;
	}
	return 0;
}

/* ---- the kernel's limits, before anything is made ------------------------------- */

/* A number from a file of /proc, or 0 when it cannot be read. */
static unsigned long leaf_proc_number(const char *path, const char *key)
{
	char buf[4096], *p;

	if (read_small_file(path, buf, sizeof(buf)) < 0)
		return 0;
	p = key ? strstr(buf, key) : buf;
	return p ? strtoul(p + (key ? strlen(key) : 0), NULL, 10) : 0;
}

/* Lines of a file (the mounts of /proc/self/mountinfo). */
static size_t leaf_proc_lines(const char *path)
{
	FILE *f = fopen(path, "re");
	size_t n = 0;
	int c;

	if (!f)
		return 0;
	while ((c = getc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

int leaf_limits(struct nsnet *nn, const struct topo *t, const struct topo_plan *p)
{
	unsigned long max_ns, max_mounts, avail_kib;
	size_t i, new_ns = 0, mounts;

	for (i = 0; i < p->n; i++)
		new_ns += p->act[i].kind == ACT_NS;
	if (!new_ns)
		return 0;
	/* namespaces of this user: the kernel refuses more (ENOSPC) */
	max_ns = leaf_proc_number("/proc/sys/user/max_net_namespaces", NULL);
	if (max_ns && new_ns > max_ns)
		return err_set(nn, ENOSPC,
			"topology %s needs %zu network namespaces; the kernel allows %lu (user.max_net_namespaces)",
			t->name, new_ns, max_ns);
	/* a bind mount each under /run/netns, in a mount namespace that has
	 * mounts already */
	max_mounts = leaf_proc_number("/proc/sys/fs/mount-max", NULL);
	mounts = leaf_proc_lines("/proc/self/mountinfo");
	if (max_mounts && mounts + new_ns > max_mounts)
		return err_set(nn, ENOSPC,
			"topology %s needs %zu more mounts (one per namespace under /run/netns) beside the %zu there are; the kernel allows %lu (fs.mount-max)",
			t->name, new_ns, mounts, max_mounts);
	/* the kernel's memory for a node on a bridge, measured (docs/
	 * performance.md): what is free must hold them */
	avail_kib = leaf_proc_number("/proc/meminfo", "MemAvailable:");
	if (avail_kib && new_ns * LEAF_NODE_KIB > avail_kib)
		return err_set(nn, ENOMEM,
			"topology %s needs about %zu MiB of kernel memory for %zu new nodes (%u KiB each); %lu MiB are available",
			t->name, new_ns * LEAF_NODE_KIB / 1024, new_ns, LEAF_NODE_KIB,
			avail_kib / 1024);
	return 0;
}
