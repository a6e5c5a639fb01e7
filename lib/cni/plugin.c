// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * plugin.c - ADD and DEL, and the teardown that DEL, GC and a failed ADD
 * share (check.c: CHECK; gc.c: GC and STATUS).
 *
 * ADD takes the one lock for what other containers share (the bridge, the
 * address reservations, the record that says an attachment is on its way),
 * lets it go while it builds the container's own veth, addresses and
 * routes, and takes it again for the firewall. Teardown (DEL, GC, an ADD
 * that failed) is one function working from the record, under the lock,
 * and each of its steps tolerates what is already gone, so that it can be
 * repeated and can follow any partial ADD.
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

#define CNI_BRIDGE_MARKS NSNET_RUN_DIR "/cni-bridges"

/* ---- helpers ---------------------------------------------------------------- */

void cni_mac_str(const unsigned char *m, char *buf, size_t len)
{
	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2],
		 m[3], m[4], m[5]);
}

/* The host end of the veth: derived from network, container id and
 * interface, so that a repeated ADD or a DEL finds the same name. */
static void host_ifname(char *buf, size_t len, const struct cni_conf *c)
{
	char key[512];

	snprintf(key, sizeof(key), "%s/%s", c->name, c->ifname);
	snprintf(buf, len, "nsc%08x", name_hash(c->container_id, key));
}

void cni_ports_to_specs(const struct cni_port *p, size_t n,
			struct fw_spec *sp)
{
	static const unsigned char zero[16];
	size_t i;

	for (i = 0; i < n; i++) {
		memset(&sp[i], 0, sizeof(sp[i]));
		sp[i].family = p[i].host_ip.family;
		sp[i].any_ip = !sp[i].family ||
			       !memcmp(p[i].host_ip.a.b, zero, ip_len(&p[i].host_ip));
		if (!sp[i].any_ip) {
			sp[i].host_ip = p[i].host_ip;
			sp[i].host_ip.prefix = -1;
		}
		sp[i].host_lo = sp[i].host_hi = p[i].host_port;
		sp[i].port_lo = sp[i].port_hi = p[i].container_port;
		sp[i].proto = p[i].proto;
	}
}

/* The container's first address of each family in a result (those on its
 * interface iface): where its ports lead. */
static void port_targets(const struct cni_result *r, int iface,
			 const struct ipaddr **to4, const struct ipaddr **to6)
{
	size_t i;

	*to4 = *to6 = NULL;
	for (i = 0; i < r->n_ips; i++) {
		if (r->ips[i].iface != iface)
			continue;
		if (r->ips[i].addr.family == AF_INET && !*to4)
			*to4 = &r->ips[i].addr;
		if (r->ips[i].addr.family == AF_INET6 && !*to6)
			*to6 = &r->ips[i].addr;
	}
}

/* Whether any record of network remains. */
static bool network_has_records(const char *network)
{
	char dir[512];
	struct dirent *de;
	bool any = false;
	DIR *d;

	snprintf(dir, sizeof(dir), CNI_RUN_DIR "/%s/att", network);
	d = opendir(dir);
	if (!d)
		return false;
	while (!any && (de = readdir(d))) {
		size_t len = strlen(de->d_name);

		any = len > 5 && !strcmp(de->d_name + len - 5, ".json");
	}
	closedir(d);
	return any;
}

static void network_bridge_path(char *buf, size_t len, const char *network)
{
	snprintf(buf, len, CNI_RUN_DIR "/%s/bridge", network);
}

/* Whether another network with attachments uses bridge. */
static bool bridge_used_elsewhere(const char *bridge, const char *network)
{
	char **nets, path[512], b[32];
	size_t n, i;
	bool used = false;

	n = cni_network_list(&nets);
	for (i = 0; i < n; i++) {
		if (!used && strcmp(nets[i], network)) {
			network_bridge_path(path, sizeof(path), nets[i]);
			if (read_small_file(path, b, sizeof(b)) > 0 &&
			    !strcmp(b, bridge) && network_has_records(nets[i]))
				used = true;
		}
		free(nets[i]);
	}
	free(nets);
	return used;
}

/* ---- the bridge ---------------------------------------------------------------- */

/*
 * The bridge exists, is a bridge, and carries the gateways. Created on
 * first use, born in nsnet's link group, then marked and registered with
 * the firewall (isolated from the other nsnet bridges, NAT when ipMasq).
 * Lock held.
 */
static int bridge_ensure(struct nsnet *nn, const struct cni_conf *c,
			 struct ns *host, struct nl_link *br,
			 struct cni_error *err)
{
	char path[512], alias[128];
	struct nl_batch b;
	bool created = false, first_use;
	size_t i, j;
	int rc;

	rc = nl_link_get(nn, host, c->bridge, br);
	if (rc == -ENODEV) {
		nl_batch_init(&b);
		bridge_queue_add(&b, c->bridge, true);
		rc = nl_batch_send(nn, host, &b);
		nl_batch_free(&b);
		if (!rc)
			rc = nl_link_get(nn, host, c->bridge, br);
		if (rc)
			return cni_fail(nn, err, CNI_ERR_KERNEL, rc);
		created = true;
		snprintf(alias, sizeof(alias), "%s", link_mark(nn));
		nl_batch_init(&b);
		link_queue_set(&b, host->name, c->bridge, br->index, -1, 0, -1,
			       alias);
		rc = nl_batch_send(nn, host, &b);
		nl_batch_free(&b);
		if (!rc && (rc = mkdir_p(nn, CNI_BRIDGE_MARKS)) == 0) {
			snprintf(path, sizeof(path), CNI_BRIDGE_MARKS "/%s", c->bridge);
			rc = write_file_atomic(nn, path, c->name);
		}
		/* A gateway that waits for DAD is not there for the first
		 * container's packets. */
		if (!rc) {
			snprintf(path, sizeof(path), "net/ipv6/conf/%s/accept_dad",
				 c->bridge);
			sysctl_write(nn, host, path, "0");
			err_clear(nn);
		}
		if (rc)
			goto undo;
	} else if (rc) {
		return cni_fail(nn, err, CNI_ERR_KERNEL, rc);
	} else if (strcmp(br->kind, "bridge")) {
		return cni_failf(nn, err, CNI_ERR_CONFIG,
				 "\"bridge\": %s exists and is a %s, not a bridge",
				 c->bridge, br->kind[0] ? br->kind : "device");
	}
	if (c->is_gateway && !c->delegate[0]) {
		nl_batch_init(&b);
		for (i = 0; i < c->n_sets; i++)
			for (j = 0; j < c->sets[i].n; j++) {
				struct ipaddr gw = c->sets[i].r[j].gateway;

				gw.prefix = c->sets[i].r[j].subnet.prefix;
				addr_queue(&b, true, host->name, c->bridge,
					   br->index, &gw);
				nl_batch_last(&b)->ignore_exist = true;
			}
		rc = b.n ? nl_batch_send(nn, host, &b) : 0;
		nl_batch_free(&b);
		if (rc)
			goto undo;
	}
	network_bridge_path(path, sizeof(path), c->name);
	first_use = access(path, F_OK) != 0;
	if (created) {
		rc = fw_bridge_register(nn, c->bridge, false, true);
		if (rc)
			goto undo;
	}
	/* Isolated from the other nsnet bridges, but for those allowed. */
	for (i = 0; (created || first_use) && i < c->n_allow; i++)
		if ((rc = fw_cni_allow(nn, c->bridge, c->allow[i])))
			goto undo;
	/* With a delegated IPAM the bridge has no address yet: its NAT
	 * comes once the delegate has answered (delegate_gateways()). */
	if ((created || first_use) && c->ip_masq && !c->delegate[0]) {
		rc = fw_nat_add(nn, c->bridge, NULL);
		/* Already on: a bridge shared with another network, or made
		 * by `nsnet bridge add` and given NAT. */
		if (rc == -EEXIST)
			rc = 0;
		if (rc)
			goto undo;
	}
	if (first_use) {
		char dir[512];

		snprintf(dir, sizeof(dir), CNI_RUN_DIR "/%s", c->name);
		if ((rc = mkdir_p(nn, dir)) ||
		    (rc = write_file_atomic(nn, path, c->bridge)))
			goto undo;
	}
	err_clear(nn);
	return 0;
undo:
	cni_fail(nn, err, CNI_ERR_KERNEL, rc);
	if (created) {
		char saved[NSNET_ERR_MAX];

		memcpy(saved, nn->err, sizeof(saved));
		fw_bridge_register(nn, c->bridge, false, false);
		nl_batch_init(&b);
		link_queue_del(&b, host->name, c->bridge, br->index);
		nl_batch_send(nn, host, &b);
		nl_batch_free(&b);
		snprintf(path, sizeof(path), CNI_BRIDGE_MARKS "/%s", c->bridge);
		unlink(path);
		memcpy(nn->err, saved, sizeof(saved));
	}
	return rc;
}

/* The network's last attachment went: its bridge goes too when nsnet-cni
 * made it and no other network uses it. Lock held. */
void cni_network_release(struct nsnet *nn, const char *network,
			 const char *bridge)
{
	char path[512], owner[128];
	struct nl_batch b;
	struct nl_link l;
	struct ns *host;

	if (network_has_records(network))
		return;
	network_bridge_path(path, sizeof(path), network);
	unlink(path);
	snprintf(path, sizeof(path), CNI_RUN_DIR "/%s/att", network);
	cni_stale_temp_remove(path, "");
	snprintf(path, sizeof(path), CNI_RUN_DIR "/%s/ips", network);
	cni_stale_temp_remove(path, "");
	/* The hints go with the network; a reservation left would keep the
	 * directory (GC reads it). */
	{
		char p2[600];
		size_t i;

		for (i = 0; i < ARRAY_SIZE(((struct cni_conf *)0)->sets); i++) {
			snprintf(p2, sizeof(p2), "%s/last-%zu", path, i);
			unlink(p2);
		}
	}
	rmdir(path);
	snprintf(path, sizeof(path), CNI_RUN_DIR "/%s/att", network);
	rmdir(path);
	snprintf(path, sizeof(path), CNI_RUN_DIR "/%s", network);
	rmdir(path);
	if (!bridge[0] || bridge_used_elsewhere(bridge, network))
		return;
	snprintf(path, sizeof(path), CNI_BRIDGE_MARKS "/%s", bridge);
	if (read_small_file(path, owner, sizeof(owner)) < 0)
		return;   /* not made by nsnet-cni: not ours to remove */
	if (ns_get(nn, NSNET_HOST, &host) || nl_link_get(nn, host, bridge, &l) ||
	    !link_is_ours(&l) || strcmp(l.kind, "bridge")) {
		unlink(path);
		err_clear(nn);
		return;
	}
	if (fw_bridge_register(nn, bridge, false, false))
		warn_emit(nn, "bridge %s: %s", bridge, err_msg(nn));
	nl_batch_init(&b);
	link_queue_del(&b, host->name, bridge, l.index);
	if (nl_batch_send(nn, host, &b))
		warn_emit(nn, "%s", err_msg(nn));
	nl_batch_free(&b);
	unlink(path);
	err_clear(nn);
}

/* ---- teardown ---------------------------------------------------------------------- */

/*
 * Undo everything a record says, each step tolerating what is gone: the
 * published ports (by their owner id: another container given the same
 * address since keeps its own), the veth (by its recorded host name; the
 * container end goes with it), the addresses, the record, and the network
 * when it was the last. Lock held. c is the request (for a delegated
 * IPAM's DEL); the first failure is kept in err but every step runs.
 */
int cni_teardown(struct nsnet *nn, struct cni_conf *c, const char *network,
		 struct cni_record *r, struct cni_error *err)
{
	struct fw_spec specs[CNI_MAX_PORTS];
	struct nl_batch b;
	struct nl_link l;
	struct ns *host;
	int rc, first = 0;

	if (r->n_ports) {
		const struct ipaddr *to4, *to6;

		port_targets(&r->result, (int)r->result.n_ifaces - 1, &to4, &to6);
		cni_ports_to_specs(r->ports, r->n_ports, specs);
		rc = fw_cni_unpublish(nn, r->owner, specs, r->n_ports, to4, to6);
		if (rc && !first)
			first = cni_fail(nn, err, CNI_ERR_KERNEL, rc);
	}
	if (r->host_if[0] && !(rc = ns_get(nn, NSNET_HOST, &host))) {
		rc = nl_link_get(nn, host, r->host_if, &l);
		if (!rc && link_is_ours(&l)) {
			nl_batch_init(&b);
			link_queue_del(&b, host->name, r->host_if, l.index);
			nl_batch_last(&b)->ignore_missing = true;
			rc = nl_batch_send(nn, host, &b);
			nl_batch_free(&b);
		} else if (rc == -ENODEV) {
			rc = 0;
		}
		if (rc && !first)
			first = cni_fail(nn, err, CNI_ERR_KERNEL, rc);
	}
	if (r->delegate[0]) {
		if (c && !strcmp(c->delegate, r->delegate)) {
			rc = cni_delegate(nn, c, r->delegate, "DEL", NULL, err);
			if (rc && !first)
				first = rc;
		}
	} else {
		rc = cni_ipam_release(nn, network, r->cid, r->ifname);
		if (rc && !first)
			first = cni_fail(nn, err, CNI_ERR_IO, rc);
	}
	if (!first) {
		char dir[512], prefix[300];

		rc = cni_record_remove(nn, network, r);
		if (rc)
			first = cni_fail(nn, err, CNI_ERR_IO, rc);
		snprintf(dir, sizeof(dir), CNI_RUN_DIR "/%s/att", network);
		snprintf(prefix, sizeof(prefix), "%s:%s.json", r->cid, r->ifname);
		cni_stale_temp_remove(dir, prefix);
	}
	if (!first)
		cni_network_release(nn, network, r->bridge);
	return first;
}

/* ---- ADD --------------------------------------------------------------------------- */

/* Addresses, MAC, routes inside the container, on the link just made. */
static int container_setup(struct nsnet *nn, const struct cni_conf *c,
			   struct ns *cns, const struct cni_result *res,
			   size_t first_ip, struct nl_link *cl)
{
	struct nl_batch b;
	size_t i;
	bool v6 = false;
	int rc;

	rc = nl_link_get(nn, cns, c->ifname, cl);
	if (rc)
		return rc == -ENODEV ? err_set(nn, ENODEV, "%s vanished in %s",
					       c->ifname, c->netns) : rc;
	for (i = first_ip; i < res->n_ips; i++)
		v6 |= res->ips[i].addr.family == AF_INET6;
	if (v6) {
		char path[96];

		/* The address is usable at once; the container is alone
		 * with its gateway on a bridge nsnet hands addresses on. */
		snprintf(path, sizeof(path), "net/ipv6/conf/%s/accept_dad", c->ifname);
		sysctl_write(nn, cns, path, "0");
		err_clear(nn);
	}
	nl_batch_init(&b);
	if (c->has_mac) {
		struct ifinfomsg *ifi;

		nl_batch_add(&b, RTM_SETLINK, 0, "set the MAC address of %s in %s",
			     c->ifname, c->netns);
		ifi = nl_put_extra(&b, sizeof(*ifi));
		ifi->ifi_family = AF_UNSPEC;
		ifi->ifi_index = cl->index;
		nl_put(&b, IFLA_ADDRESS, 6, c->mac);
	}
	link_queue_set(&b, c->netns, c->ifname, cl->index, 1, 0, -1, link_mark(nn));
	for (i = first_ip; i < res->n_ips; i++)
		addr_queue(&b, true, c->netns, c->ifname, cl->index,
			   &res->ips[i].addr);
	for (i = 0; i < res->n_routes; i++) {
		const struct cni_route *rt = &res->routes[i];

		route_queue(&b, true, c->netns, &rt->dst,
			    rt->gw.family ? &rt->gw : NULL,
			    rt->gw.family ? 0 : cl->index, c->ifname);
		nl_batch_last(&b)->ignore_exist = true;
	}
	rc = nl_batch_send(nn, cns, &b);
	nl_batch_free(&b);
	if (!rc && c->has_mac)
		rc = nl_link_get(nn, cns, c->ifname, cl);
	return rc;
}

/* Hairpin on the bridge port: a container reaching its own published
 * port through the host comes back out of the port it went in by. */
static void queue_hairpin(struct nl_batch *b, int index, const char *ifname)
{
	struct ifinfomsg *ifi;
	struct nlattr *pi;

	nl_batch_add(b, RTM_SETLINK, 0, "set hairpin mode on bridge port %s",
		     ifname);
	ifi = nl_put_extra(b, sizeof(*ifi));
	ifi->ifi_family = AF_BRIDGE;
	ifi->ifi_index = index;
	pi = nl_nest_start(b, IFLA_PROTINFO | NLA_F_NESTED);
	nl_put_u8(b, IFLA_BRPORT_MODE, 1);
	nl_nest_end(b, pi);
}

/* The routes of the result: the configured ones (a missing gw is the
 * gateway of that family), else a default route per family. */
static void result_routes(const struct cni_conf *c, struct cni_result *res,
			  size_t first_ip)
{
	size_t i, j;

	if (c->routes_given) {
		for (i = 0; i < c->n_routes && res->n_routes < CNI_MAX_ROUTES; i++) {
			struct cni_route rt = c->routes[i];

			for (j = first_ip; !rt.gw.family && j < res->n_ips; j++)
				if (res->ips[j].addr.family == rt.dst.family &&
				    res->ips[j].gateway.family && c->is_gateway)
					rt.gw = res->ips[j].gateway;
			res->routes[res->n_routes++] = rt;
		}
		return;
	}
	if (!c->is_gateway || !c->default_route)
		return;
	for (i = first_ip; i < res->n_ips; i++) {
		struct cni_route rt = { .dst = { .family = res->ips[i].addr.family,
						 .prefix = 0 } };
		bool dup = false;

		if (!res->ips[i].gateway.family)
			continue;
		for (j = 0; j < res->n_routes; j++)
			dup |= res->routes[j].dst.family == rt.dst.family &&
			       res->routes[j].dst.prefix == 0;
		if (dup || res->n_routes == CNI_MAX_ROUTES)
			continue;
		rt.gw = res->ips[i].gateway;
		res->routes[res->n_routes++] = rt;
	}
}

/* A delegate's answer: its addresses (and routes, dns) into res. */
static int take_delegate_result(struct nsnet *nn, json_t *doc,
				struct cni_result *res, struct cni_error *err)
{
	struct cni_result d;
	char why[160];
	size_t i;

	if (cni_result_parse(doc, &d, why, sizeof(why)))
		return cni_failf(nn, err, CNI_ERR_DELEGATE, "the IPAM plugin's result: %s",
				 why);
	for (i = 0; i < d.n_ips && res->n_ips < CNI_MAX_IPS; i++) {
		res->ips[res->n_ips] = d.ips[i];
		res->ips[res->n_ips++].iface = -1;
	}
	for (i = 0; i < d.n_routes && res->n_routes < CNI_MAX_ROUTES; i++) {
		struct cni_route rt = d.routes[i];
		size_t j;

		/* A route without "gw" goes via the gateway of its family,
		 * as the reference plugins read an IPAM's routes. */
		for (j = 0; !rt.gw.family && j < d.n_ips; j++)
			if (d.ips[j].gateway.family == rt.dst.family)
				rt.gw = d.ips[j].gateway;
		res->routes[res->n_routes++] = rt;
	}
	if (d.dns && !res->dns)
		res->dns = json_incref(d.dns);
	cni_result_free(&d);
	if (!d.n_ips)
		return cni_failf(nn, err, CNI_ERR_DELEGATE,
				 "the IPAM plugin gave no address");
	return 0;
}

/*
 * With a delegated IPAM the gateways are known only from its answer: they
 * go on the bridge then (isGateway, as the reference bridge plugin does),
 * and the NAT, which masquerades the bridge's subnets, after them
 * (ipMasq). Lock held.
 */
static int delegate_gateways(struct nsnet *nn, const struct cni_conf *c,
			     struct ns *host, const struct nl_link *br,
			     const struct cni_result *res, size_t first_ip,
			     struct cni_error *err)
{
	struct nl_batch b;
	size_t i;
	int rc;

	nl_batch_init(&b);
	for (i = first_ip; c->is_gateway && i < res->n_ips; i++) {
		struct ipaddr gw = res->ips[i].gateway;

		if (!gw.family)
			continue;
		gw.prefix = res->ips[i].addr.prefix;
		addr_queue(&b, true, host->name, c->bridge, br->index, &gw);
		nl_batch_last(&b)->ignore_exist = true;
	}
	rc = b.n ? nl_batch_send(nn, host, &b) : 0;
	nl_batch_free(&b);
	if (!rc && c->ip_masq) {
		rc = fw_nat_add(nn, c->bridge, NULL);
		if (rc == -EEXIST)
			rc = 0;
	}
	return rc ? cni_fail(nn, err, CNI_ERR_KERNEL, rc) : 0;
}

/* As another plugin's IPAM: reserve, record, answer. */
static int ipam_only_add(struct nsnet *nn, struct cni_conf *c, json_t **out,
			 struct cni_error *err)
{
	struct cni_record r;
	size_t n = 0, i;
	int rc;

	memset(&r, 0, sizeof(r));
	snprintf(r.cid, sizeof(r.cid), "%s", c->container_id);
	snprintf(r.ifname, sizeof(r.ifname), "%s", c->ifname);
	snprintf(r.netns, sizeof(r.netns), "%s", c->netns ? c->netns : "");
	if ((rc = lock_take(nn)))
		return cni_fail(nn, err, CNI_ERR_IO, rc);
	rc = cni_ipam_reserve(nn, c, r.result.ips, &n, err);
	r.result.n_ips = n;
	if (!rc) {
		result_routes(c, &r.result, 0);
		r.complete = true;
		rc = cni_record_write(nn, c->name, &r);
		if (rc) {
			cni_fail(nn, err, CNI_ERR_IO, rc);
			cni_ipam_release(nn, c->name, r.cid, r.ifname);
		}
	}
	lock_drop(nn);
	if (rc)
		return rc;
	if (c->dns)
		r.result.dns = json_incref(c->dns);
	/* Routes with an empty gw: the main plugin fills its own. */
	for (i = 0; !c->is_gateway && i < r.result.n_ips; i++)
		memset(&r.result.ips[i].gateway, 0, sizeof(r.result.ips[i].gateway));
	*out = cni_result_render(&r.result, c->version);
	cni_result_free(&r.result);
	return 0;
}

int cni_add(struct nsnet *nn, struct cni_conf *c, json_t **out,
	    struct cni_error *err)
{
	struct fw_spec specs[CNI_MAX_PORTS];
	struct cni_record r, old;
	struct cni_result *res;
	struct nl_link br, hl, cl;
	struct ns *host, *cns;
	struct nl_batch b;
	struct stat st;
	size_t first_ip, n = 0, i, base;
	json_t *dres = NULL;
	int rc;

	if (c->ipam_only)
		return ipam_only_add(nn, c, out, err);
	rc = ns_get_path(nn, c->netns, &cns);
	if (rc)
		return cni_netns_fail(nn, err);
	if (fstat(cns->fd, &st))
		return cni_failf(nn, err, CNI_ERR_CONTAINER, "CNI_NETNS %s: %s",
				 c->netns, strerror(errno));
	if ((rc = ns_get(nn, NSNET_HOST, &host)))
		return cni_fail(nn, err, CNI_ERR_KERNEL, rc);

	memset(&r, 0, sizeof(r));
	res = &r.result;
	snprintf(r.cid, sizeof(r.cid), "%s", c->container_id);
	snprintf(r.ifname, sizeof(r.ifname), "%s", c->ifname);
	snprintf(r.netns, sizeof(r.netns), "%s", c->netns);
	r.ns_dev = st.st_dev;
	r.ns_ino = st.st_ino;
	snprintf(r.bridge, sizeof(r.bridge), "%s", c->bridge);
	host_ifname(r.host_if, sizeof(r.host_if), c);
	snprintf(r.delegate, sizeof(r.delegate), "%s", c->delegate);
	cni_owner_id(r.owner, sizeof(r.owner), c->name, c->container_id,
		     c->ifname);
	/* The ports are in the record from the first write on: an ADD killed
	 * after publishing them leaves a record (not complete) that DEL and
	 * GC take them back by. Unpublishing ports that were never published
	 * proves ownership first and removes nothing of another owner's. */
	memcpy(r.ports, c->ports, sizeof(c->ports[0]) * c->n_ports);
	r.n_ports = c->n_ports;

	/* Not first in a chain: what came before stays in the result, and
	 * our interfaces and addresses follow. */
	if (c->prev_result) {
		char why[160];

		if (cni_result_parse(c->prev_result, res, why, sizeof(why)))
			return cni_failf(nn, err, CNI_ERR_DECODE, "\"prevResult\": %s",
					 why);
	}
	base = res->n_ifaces;
	if (base + 3 > ARRAY_SIZE(res->ifaces)) {
		cni_result_free(res);
		return cni_failf(nn, err, CNI_ERR_DECODE,
				 "\"prevResult\" has too many interfaces");
	}
	first_ip = res->n_ips;
	res->n_routes = 0;   /* our routes are the container's now */
	if (c->prev_result) {
		char why[160];
		struct cni_result p;

		/* keep the earlier routes too */
		if (!cni_result_parse(c->prev_result, &p, why, sizeof(why))) {
			memcpy(res->routes, p.routes, sizeof(p.routes));
			res->n_routes = p.n_routes;
			cni_result_free(&p);
		}
	}

	if ((rc = lock_take(nn))) {
		cni_result_free(res);
		return cni_fail(nn, err, CNI_ERR_IO, rc);
	}
	if (!cni_record_read(c->name, c->container_id, c->ifname, &old)) {
		if (old.complete) {
			cni_record_free(&old);
			lock_drop(nn);
			cni_result_free(res);
			return cni_failf(nn, err, CNI_ERR_CONFIG,
					 "CNI_CONTAINERID %s already has CNI_IFNAME %s on network %s (DEL it first)",
					 c->container_id, c->ifname, c->name);
		}
		/* An ADD that died half-way: take back what it left. */
		cni_teardown(nn, NULL, c->name, &old, err);
		cni_record_free(&old);
		err_clear(nn);
	}
	rc = bridge_ensure(nn, c, host, &br, err);
	if (!rc && !c->delegate[0]) {
		rc = cni_ipam_reserve(nn, c, res->ips + first_ip, &n, err);
		res->n_ips += n;
	}
	if (!rc) {
		/* Recorded before anything of the container's is made, and
		 * under the lock with the reservation: a DEL, a GC or the
		 * network's last DEL sees it. */
		rc = cni_record_write(nn, c->name, &r);
		if (rc) {
			cni_fail(nn, err, CNI_ERR_IO, rc);
			cni_ipam_release(nn, c->name, r.cid, r.ifname);
		}
	}
	if (rc)
		cni_network_release(nn, c->name, c->bridge);
	lock_drop(nn);
	if (rc) {
		cni_result_free(res);
		return rc;
	}

	if (c->delegate[0]) {
		rc = cni_delegate(nn, c, c->delegate, "ADD", &dres, err);
		if (!rc)
			rc = take_delegate_result(nn, dres, res, err);
		json_decref(dres);
		if (!rc && (c->is_gateway || c->ip_masq)) {
			if ((rc = lock_take(nn))) {
				cni_fail(nn, err, CNI_ERR_IO, rc);
				goto fail;
			}
			rc = delegate_gateways(nn, c, host, &br, res, first_ip, err);
			lock_drop(nn);
		}
		if (rc)
			goto fail;
		/* the delegate's own routes are the container's */
	}
	if (!c->delegate[0] || !res->n_routes)
		result_routes(c, res, first_ip);
	if (c->dns && !res->dns)
		res->dns = json_incref(c->dns);

	nl_batch_init(&b);
	veth_queue_add(&b, host->name, r.host_if, cns, c->ifname, br.index,
		       c->mtu, true);
	rc = nl_batch_send(nn, host, &b);
	nl_batch_free(&b);
	if (rc) {
		if (nn->err_code == EEXIST)
			cni_failf(nn, err, CNI_ERR_CONFIG,
				  "CNI_IFNAME %s: create veth %s with %s in %s: one of these names is taken (is %s already set up in the container?)",
				  c->ifname, r.host_if, c->ifname, c->netns, c->ifname);
		else
			cni_fail(nn, err, CNI_ERR_KERNEL, rc);
		goto fail;
	}
	rc = nl_link_get(nn, host, r.host_if, &hl);
	if (!rc) {
		nl_batch_init(&b);
		link_queue_set(&b, host->name, r.host_if, hl.index, -1, 0, -1,
			       link_mark(nn));
		if (c->hairpin)
			queue_hairpin(&b, hl.index, r.host_if);
		rc = nl_batch_send(nn, host, &b);
		nl_batch_free(&b);
	}
	if (!rc)
		rc = container_setup(nn, c, cns, res, first_ip, &cl);
	if (rc) {
		cni_fail(nn, err, CNI_ERR_KERNEL, rc);
		goto fail;
	}

	cni_mac_str(br.mac, res->ifaces[base].mac, sizeof(res->ifaces[base].mac));
	snprintf(res->ifaces[base].name, sizeof(res->ifaces[base].name), "%s",
		 c->bridge);
	res->ifaces[base].mtu = br.mtu;
	snprintf(res->ifaces[base + 1].name, sizeof(res->ifaces[0].name), "%s",
		 r.host_if);
	cni_mac_str(hl.mac, res->ifaces[base + 1].mac, sizeof(res->ifaces[0].mac));
	res->ifaces[base + 1].mtu = hl.mtu;
	snprintf(res->ifaces[base + 2].name, sizeof(res->ifaces[0].name), "%s",
		 c->ifname);
	cni_mac_str(cl.mac, res->ifaces[base + 2].mac, sizeof(res->ifaces[0].mac));
	res->ifaces[base + 2].mtu = cl.mtu;
	snprintf(res->ifaces[base + 2].sandbox, sizeof(res->ifaces[0].sandbox),
		 "%s", c->netns);
	res->n_ifaces = base + 3;
	for (i = first_ip; i < res->n_ips; i++) {
		res->ips[i].iface = (int)base + 2;
		if (!c->is_gateway && !c->delegate[0])
			memset(&res->ips[i].gateway, 0, sizeof(res->ips[i].gateway));
	}

	/* The firewall: ports published to the container's IPv4 address,
	 * owned by this attachment. */
	if ((rc = lock_take(nn))) {
		cni_fail(nn, err, CNI_ERR_IO, rc);
		goto fail;
	}
	if (c->n_ports) {
		const struct ipaddr *to4, *to6;

		port_targets(res, (int)base + 2, &to4, &to6);
		cni_ports_to_specs(c->ports, c->n_ports, specs);
		rc = fw_cni_publish(nn, r.owner, specs, c->n_ports, to4, to6);
		if (rc) {
			cni_fail(nn, err, nn->err_code == EEXIST ||
				 nn->err_code == EADDRINUSE ? CNI_ERR_PORT :
				 nn->err_is_usage ? CNI_ERR_CONFIG : CNI_ERR_KERNEL, rc);
			/* fw_cni_publish() took back what it made */
			r.n_ports = 0;
		}
	}
	if (!rc) {
		r.complete = true;
		rc = cni_record_write(nn, c->name, &r);
		if (rc)
			cni_fail(nn, err, CNI_ERR_IO, rc);
	}
	if (rc) {
		cni_teardown(nn, NULL, c->name, &r, &(struct cni_error){ 0 });
		lock_drop(nn);
		cni_result_free(res);
		return rc;
	}
	lock_drop(nn);
	*out = cni_result_render(res, c->version);
	cni_result_free(res);
	return 0;

fail:
	/* every way here is before the firewall step: no port to take back */
	r.n_ports = 0;
	{
		struct cni_error ignored = { 0 };

		if (!lock_take(nn)) {
			cni_teardown(nn, c, c->name, &r, &ignored);
			lock_drop(nn);
		}
	}
	cni_result_free(res);
	return rc;
}

/* ---- DEL --------------------------------------------------------------------------- */

int cni_del(struct nsnet *nn, struct cni_conf *c, struct cni_error *err)
{
	struct cni_record r;
	int rc;

	if ((rc = lock_take(nn)))
		return cni_fail(nn, err, CNI_ERR_IO, rc);
	rc = cni_record_read(c->name, c->container_id, c->ifname, &r);
	if (rc) {
		/* Nothing recorded: already deleted, or an ADD that failed
		 * before its record. Addresses that name the attachment
		 * still go (a reservation is made just before the record). */
		rc = cni_ipam_release(nn, c->name, c->container_id, c->ifname);
		if (rc)
			cni_fail(nn, err, CNI_ERR_IO, rc);
		if (!rc && c->delegate[0])
			rc = cni_delegate(nn, c, c->delegate, "DEL", NULL, err);
		lock_drop(nn);
		return rc;
	}
	rc = cni_teardown(nn, c, c->name, &r, err);
	cni_record_free(&r);
	lock_drop(nn);
	return rc;
}
