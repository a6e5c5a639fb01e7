// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * down.c - nsnet down: remove what carries the topology's mark and nothing
 * else: the namespaces whose record names the topology, the host links
 * whose alias is "nsnet:<topology>", their firewall entries, processes and
 * files.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <jansson.h>

#include "topology/topology.h"
#include "firewall/firewall.h"

static int topo_name_of(struct nsnet *nn, const char *file_or_name, char *name,
			size_t len)
{
	struct topo *t;
	int rc;

	if (!topo_arg_is_file(file_or_name)) {
		snprintf(name, len, "%s", file_or_name);
		return 0;
	}
	if ((rc = topo_parse_arg(nn, file_or_name, &t)))
		return rc;
	snprintf(name, len, "%s", t->name);
	topo_free(t);
	return 0;
}

/* One dump of the host's links (the one place where finding what carries a
 * mark needs every link). */
static int host_links(struct nsnet *nn, struct ns *host,
		      int (*cb)(const struct nlmsghdr *nlh, void *data), void *data)
{
	char req[64] __attribute__((aligned(4)));
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(req);
	unsigned char *hdr;

	nlh->nlmsg_type = RTM_GETLINK;
	hdr = mnl_nlmsg_put_extra_header(nlh, sizeof(struct ifinfomsg));
	hdr[0] = AF_UNSPEC;
	mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	return nl_dump(nn, host, nlh, cb, data);
}

struct link_list {
	char **names;
	bool *bridge;
	size_t n;
	const char *mark_topo;
	int *nsids;            /* host's ids of the topology's namespaces */
	size_t n_nsids;
	size_t left;           /* veths whose peer is in one of them */
};

static bool nsid_ours(const struct link_list *ll, int nsid)
{
	size_t i;

	for (i = 0; nsid >= 0 && i < ll->n_nsids; i++)
		if (ll->nsids[i] == nsid)
			return true;
	return false;
}

static int peer_left_cb(const struct nlmsghdr *nlh, void *data)
{
	struct link_list *ll = data;
	struct nl_link l;

	if (nlh->nlmsg_type != RTM_NEWLINK)
		return 0;
	nl_link_parse(nlh, &l);
	if (!strcmp(l.kind, "veth") && nsid_ours(ll, l.link_netnsid))
		ll->left++;
	return 0;
}

/* The ids the host gave the topology's namespaces (veth peers there carry
 * them as IFLA_LINK_NETNSID). */
static void topo_nsids(struct nsnet *nn, struct ns *host, char **nodes,
		       size_t n, struct link_list *ll)
{
	size_t i;

	ll->nsids = calloc(n + 1, sizeof(*ll->nsids));
	if (!ll->nsids)
		abort();
	for (i = 0; i < n; i++) {
		struct ns *ns;
		int id;

		if (!ns_exists(nodes[i]) || ns_get(nn, nodes[i], &ns))
			continue;
		id = nl_nsid_of(nn, host, ns);
		if (id >= 0)
			ll->nsids[ll->n_nsids++] = id;
		ns_release(nn, nodes[i]);
	}
}

/* The kernel destroys a namespace's veths after its last user is gone, in
 * the background; an up right after down would find their host ends still
 * there. Wait until they are gone, bounded. */
static void wait_peers_gone(struct nsnet *nn, struct ns *host,
			    struct link_list *ll)
{
	int tries, rc;

	for (tries = 0; ll->n_nsids && tries < 500; tries++) {
		ll->left = 0;
		rc = host_links(nn, host, peer_left_cb, ll);
		if ((rc && rc != -EINTR) || (!rc && !ll->left))
			return;  /* an interrupted dump: links still going, look again */
		nanosleep(&(struct timespec){ 0, 20 * 1000 * 1000 }, NULL);
	}
}

static int owned_link_cb(const struct nlmsghdr *nlh, void *data)
{
	struct link_list *ll = data;
	struct nl_link l;

	if (nl_link_parse(nlh, &l) || !link_mark_is(l.alias, ll->mark_topo))
		return 0;
	ll->names = realloc(ll->names, (ll->n + 1) * sizeof(*ll->names));
	ll->bridge = realloc(ll->bridge, (ll->n + 1) * sizeof(*ll->bridge));
	if (!ll->names || !ll->bridge)
		abort();
	ll->names[ll->n] = strdup(l.name);
	ll->bridge[ll->n++] = !strcmp(l.kind, "bridge");
	return 0;
}

NSNET_EXPORT int nsnet_topo_down(struct nsnet *nn, const char *file_or_name)
{
	char name[TOPO_NAME_MAX + 1], dir[512];
	struct topo_steps steps = { 0 };
	struct link_list ll = { 0 };
	char **nodes = NULL;
	size_t n_nodes, i;
	json_t *fw = NULL, *e;
	struct ns *host;
	struct nl_batch b;
	int rc, first_rc = 0;

	if ((rc = topo_name_of(nn, file_or_name, name, sizeof(name))))
		return rc;
	if ((rc = ns_get(nn, NSNET_HOST, &host)))
		return rc;
	topo_step(nn, &steps, NULL);
	topo_record_dir(dir, sizeof(dir), name);
	n_nodes = ns_records_of(name, &nodes);
	ll.mark_topo = name;
	{
		/* Right after an interrupted up, hundreds of new links are
		 * still changing state and interrupt dumps: retry, bounded
		 * (about 2 s), with a breath between. */
		for (i = 0; i < 100; i++) {
			rc = host_links(nn, host, owned_link_cb, &ll);
			if (rc != -EINTR)
				break;
			while (ll.n)  /* changed under us: collect again */
				free(ll.names[--ll.n]);
			nanosleep(&(struct timespec){ 0, 20 * 1000 * 1000 }, NULL);
		}
		if (rc == -EINTR)
			rc = err_set(nn, EINTR, "down %s: the host's links keep changing", name);
		if (rc)
			goto out;
	}
	if (!n_nodes && !ll.n && access(dir, F_OK)) {
		/* -ESRCH for this alone: the CLI's down of what is not up is done. */
		err_set(nn, 0, "there is no topology %s (nothing carries its mark)", name);
		rc = -ESRCH;
		goto out;
	}
	topo_nsids(nn, host, nodes, n_nodes, &ll);
	topo_step(nn, &steps, "find");
	topo_runs_stop(name);

	/* Published ports of its nodes, then its bridges' NAT and isolation. */
	if (!fw_show(nn, &fw)) {
		json_array_foreach(json_object_get(fw, "published"), i, e) {
			const char *ns = json_string_value(json_object_get(e, "namespace"));
			size_t k;

			for (k = 0; ns && k < n_nodes; k++)
				if (!strcmp(ns, nodes[k])) {
					char spec[128];
					const char *hip = json_string_value(json_object_get(e, "host_ip"));

					snprintf(spec, sizeof(spec), "%s%s%lld-%lld:%lld-%lld/%s",
						 hip ? hip : "", hip ? ":" : "",
						 json_integer_value(json_object_get(e, "host_port")),
						 json_integer_value(json_object_get(e, "host_port_end")),
						 json_integer_value(json_object_get(e, "port")),
						 json_integer_value(json_object_get(e, "port_end")),
						 json_string_value(json_object_get(e, "proto")));
					if ((rc = fw_unpublish(nn, ns, spec)) && !first_rc)
						first_rc = rc;
				}
		}
	}
	for (i = 0; i < ll.n; i++)
		if (ll.bridge[i] && (rc = fw_bridge_register(nn, ll.names[i], false, false)) &&
		    !first_rc)
			first_rc = rc;
	topo_step(nn, &steps, "firewall");
	if ((rc = ns_del_many(nn, nodes, n_nodes)) && !first_rc)
		first_rc = rc;
	for (i = 0; i < n_nodes; i++)
		topo_hosts_remove(nodes[i]);
	topo_step(nn, &steps, "namespaces");
	/* Then what is left of ours in the host: bridges, host ends of
	 * cables. Namespaces go first: their veths are then unregistered by
	 * the kernel in one batch, while deleting a bridge that still has
	 * 1,000 ports takes 24 s here (a synchronization per port). This
	 * request waits for that teardown, most of down's time. */
	nl_batch_init(&b);
	for (i = 0; i < ll.n; i++) {
		link_queue_del(&b, NSNET_HOST, ll.names[i], 0);
		nl_batch_last(&b)->ignore_missing = true;
	}
	if ((rc = nl_batch_send(nn, host, &b)) && !first_rc)
		first_rc = rc;
	nl_batch_free(&b);
	topo_step(nn, &steps, "links");
	wait_peers_gone(nn, host, &ll);
	topo_step(nn, &steps, "teardown");
	topo_record_remove(name);
	rc = first_rc;
	if (rc)
		err_prefix(nn, "down %s", name);
out:
	json_decref(fw);
	for (i = 0; i < ll.n; i++)
		free(ll.names[i]);
	free(ll.names);
	free(ll.bridge);
	free(ll.nsids);
	for (i = 0; i < n_nodes; i++)
		free(nodes[i]);
	free(nodes);
	return rc;
}
