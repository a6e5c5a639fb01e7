// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * show.c - what is in a namespace, as one JSON document: links (state, MAC,
 * MTU, master, veth peer and where it lives, impairments), addresses,
 * routes and neighbours. Showing everything is the one place where dumps are the right
 * request; one dump per object type and namespace.
 *
 * The document's shape is documented in docs/json.md and kept stable.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <linux/if_link.h>
#include <linux/if_addr.h>
#include <linux/neighbour.h>
#include <linux/net_namespace.h>
#include <net/if.h>
#include <jansson.h>

#include "net/net.h"

struct show_ns {
	struct nsnet *nn;
	struct ns *ns;
	json_t *links;      /* array, in index order */
	json_t *by_index;   /* "index" -> link object */
	json_t *routes, *neigh;
	json_t *names;      /* all namespace names, for peer lookups */
};

static const char *operstate_str(unsigned int s)
{
	static const char *const names[] = { "UNKNOWN", "NOTPRESENT", "DOWN",
		"LOWERLAYERDOWN", "TESTING", "DORMANT", "UP" };

	return s < ARRAY_SIZE(names) ? names[s] : "UNKNOWN";
}

static json_t *link_by_index(struct show_ns *s, int index)
{
	char key[16];

	snprintf(key, sizeof(key), "%d", index);
	return json_object_get(s->by_index, key);
}

static int link_cb(const struct nlmsghdr *nlh, void *data)
{
	struct show_ns *s = data;
	struct nl_link l;
	char mac[18], key[16];
	json_t *o;

	if (nlh->nlmsg_type != RTM_NEWLINK)
		return 0;
	nl_link_parse(nlh, &l);
	snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", l.mac[0],
		 l.mac[1], l.mac[2], l.mac[3], l.mac[4], l.mac[5]);
	o = json_pack("{s:s,s:i,s:s,s:s,s:b,s:s,s:i}", "ifname", l.name, "index",
		      l.index, "kind", l.kind[0] ? l.kind : (l.index == 1 ? "loopback" : "device"),
		      "state", operstate_str(l.operstate), "up",
		      (l.flags & IFF_UP) != 0, "mac", mac, "mtu", l.mtu);
	json_object_set_new(o, "master", json_null());
	json_object_set_new(o, "master_index", json_integer(l.master));
	json_object_set_new(o, "alias", l.alias[0] ? json_string(l.alias) : json_null());
	json_object_set_new(o, "nsnet", json_boolean(link_is_ours(&l)));
	if (!strcmp(l.kind, "veth") && l.link) {
		json_object_set_new(o, "peer", json_pack("{s:i,s:i}", "index",
			l.link, "netnsid", l.link_netnsid));
	}
	json_object_set_new(o, "addresses", json_array());
	json_object_set_new(o, "impairment", json_null());
	json_array_append_new(s->links, o);
	snprintf(key, sizeof(key), "%d", l.index);
	json_object_set(s->by_index, key, o);
	return 0;
}

static int addr_cb(const struct nlmsghdr *nlh, void *data)
{
	struct show_ns *s = data;
	struct nl_addr a;
	char buf[64];
	json_t *l;

	if (nl_addr_parse(nlh, &a))
		return 0;
	l = link_by_index(s, a.index);
	if (l)
		json_array_append_new(json_object_get(l, "addresses"),
				      json_string(ip_str(&a.ip, buf, sizeof(buf))));
	return 0;
}

static const char *proto_str(unsigned int p, char *buf, size_t len)
{
	switch (p) {
	case RTPROT_KERNEL: return "kernel";
	case RTPROT_BOOT: return "boot";
	case RTPROT_STATIC: return "static";
	case RTPROT_RA: return "ra";
	case RTPROT_DHCP: return "dhcp";
	case RTPROT_NSNET: return "nsnet";
	}
	snprintf(buf, len, "%u", p);
	return buf;
}

static const char *ifname_of(struct show_ns *s, int index)
{
	json_t *l = link_by_index(s, index);

	return l ? json_string_value(json_object_get(l, "ifname")) : NULL;
}

static int route_cb(const struct nlmsghdr *nlh, void *data)
{
	struct show_ns *s = data;
	struct nl_route rt;
	char buf[64], pbuf[16];
	const char *dev;
	json_t *r;

	if (nl_route_parse(nlh, &rt) || rt.table != RT_TABLE_MAIN ||
	    rt.type != RTN_UNICAST)
		return 0;
	if (rt.family == AF_INET6 && rt.dst.prefix == 64 &&
	    rt.dst.a.b[0] == 0xfe && (rt.dst.a.b[1] & 0xc0) == 0x80)
		return 0;  /* fe80::/64 on every link: noise */
	if (rt.dst.prefix == 0)
		snprintf(buf, sizeof(buf), "default");
	else
		ip_str(&rt.dst, buf, sizeof(buf));
	r = json_pack("{s:s,s:s}", "dst", buf, "family",
		      rt.family == AF_INET ? "inet" : "inet6");
	if (rt.has_gateway)
		json_object_set_new(r, "gateway",
				    json_string(ip_str(&rt.gateway, buf, sizeof(buf))));
	dev = rt.oif ? ifname_of(s, rt.oif) : NULL;
	json_object_set_new(r, "dev", dev ? json_string(dev) : json_null());
	json_object_set_new(r, "protocol", json_string(proto_str(rt.protocol, pbuf, sizeof(pbuf))));
	json_object_set_new(r, "scope", json_string(rt.scope == RT_SCOPE_LINK ? "link" :
				rt.scope == RT_SCOPE_HOST ? "host" : "global"));
	if (rt.has_prefsrc)
		json_object_set_new(r, "src",
				    json_string(ip_str(&rt.prefsrc, buf, sizeof(buf))));
	json_array_append_new(s->routes, r);
	return 0;
}

static const char *nud_str(unsigned int state)
{
	if (state & NUD_REACHABLE) return "REACHABLE";
	if (state & NUD_STALE) return "STALE";
	if (state & NUD_DELAY) return "DELAY";
	if (state & NUD_PROBE) return "PROBE";
	if (state & NUD_FAILED) return "FAILED";
	if (state & NUD_INCOMPLETE) return "INCOMPLETE";
	if (state & NUD_PERMANENT) return "PERMANENT";
	if (state & NUD_NOARP) return "NOARP";
	return "NONE";
}

static int neigh_cb(const struct nlmsghdr *nlh, void *data)
{
	struct show_ns *s = data;
	char buf[64], mac[18] = "";
	struct nl_neigh nb;
	const char *dev;
	json_t *n;

	if (nl_neigh_parse(nlh, &nb) || (nb.state & NUD_NOARP))
		return 0;
	if (nb.has_mac)
		snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x",
			 nb.mac[0], nb.mac[1], nb.mac[2], nb.mac[3], nb.mac[4], nb.mac[5]);
	dev = ifname_of(s, nb.index);
	n = json_pack("{s:s,s:s?,s:s?,s:s}", "address", ip_str(&nb.ip, buf, sizeof(buf)),
		      "mac", mac[0] ? mac : NULL, "dev", dev, "state",
		      nud_str(nb.state));
	json_array_append_new(s->neigh, n);
	return 0;
}

static int dump(struct show_ns *s, uint16_t type, int family, size_t hdrlen,
		int (*cb)(const struct nlmsghdr *, void *))
{
	char buf[256] __attribute__((aligned(4)));
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	unsigned char *hdr;

	nlh->nlmsg_type = type;
	hdr = mnl_nlmsg_put_extra_header(nlh, hdrlen);
	hdr[0] = (unsigned char)family;  /* every *msg starts with its family */
	if (type == RTM_GETLINK)
		mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	return nl_dump(s->nn, s->ns, nlh, cb, s);
}

/* Which namespace does this namespace call nsid? Ask it for the nsid of
 * each candidate (RTM_GETNSID with NETNSA_FD, answered without a dump) until
 * one matches, remembering every answer. */
static const char *nsid_to_name(struct show_ns *s, int nsid, json_t *cache)
{
	char key[16];
	size_t i;

	snprintf(key, sizeof(key), "%d", nsid);
	if (json_object_get(cache, key))
		return json_string_value(json_object_get(cache, key));
	for (i = 0; i < json_array_size(s->names); i++) {
		const char *name = json_string_value(json_array_get(s->names, i));
		struct ns *other;
		int got;

		if (!strcmp(name, s->ns->name) || ns_get(s->nn, name, &other))
			continue;
		got = nl_nsid_of(s->nn, s->ns, other);
		/* One descriptor at a time: all of them at once would pass
		 * RLIMIT_NOFILE with a few hundred namespaces. */
		if (!ns_is_host(name))
			ns_release(s->nn, name);
		if (got < 0)
			continue;
		snprintf(key, sizeof(key), "%d", got);
		json_object_set_new(cache, key, json_string(name));
		if (got == nsid)
			return name;
	}
	return NULL;
}

static void resolve_links(struct show_ns *s)
{
	json_t *cache = json_object(), *l;
	size_t i;

	json_array_foreach(s->links, i, l) {
		json_t *peer = json_object_get(l, "peer");
		int m = (int)json_integer_value(json_object_get(l, "master_index"));
		const char *mname = m ? ifname_of(s, m) : NULL;

		json_object_del(l, "master_index");
		if (mname)
			json_object_set_new(l, "master", json_string(mname));
		if (peer) {
			int idx = (int)json_integer_value(json_object_get(peer, "index"));
			int nsid = (int)json_integer_value(json_object_get(peer, "netnsid"));
			const char *where = nsid < 0 ? s->ns->name : nsid_to_name(s, nsid, cache);
			struct nl_link pl;
			struct ns *pns;

			json_object_del(peer, "netnsid");
			json_object_set_new(peer, "namespace", where ? json_string(where) : json_null());
			if (nsid < 0)
				json_object_set_new(peer, "ifname", json_string(ifname_of(s, idx)));
			else if (where && !ns_get(s->nn, where, &pns) &&
				 !nl_link_get_index(s->nn, pns, idx, &pl))
				json_object_set_new(peer, "ifname", json_string(pl.name));
			else
				json_object_set_new(peer, "ifname", json_null());
			if (where && !ns_is_host(where) && strcmp(where, s->ns->name))
				ns_release(s->nn, where);
		}
	}
	json_decref(cache);
}

/* ---- impairments (impair.c sets them) ------------------------------------------ */

/* nsnet's qdiscs and loss rules (impair.c reads them), per link: what it
 * sends is limited or delayed, what arrives through it lost. What cannot
 * be read is left out rather than failing the whole show. */
static void show_impairments(struct show_ns *s)
{
	struct impair_ns st;
	json_t *l;
	size_t i;

	if (impair_ns_read(s->nn, s->ns, &st)) {
		err_clear(s->nn);
		return;
	}
	json_array_foreach(s->links, i, l) {
		struct nsnet_link_impair imp;

		impair_ns_link(&st, (int)json_integer_value(json_object_get(l, "index")),
			       json_string_value(json_object_get(l, "ifname")),
			       json_object_get(l, "peer") != NULL, &imp);
		if (impair_none(&imp))
			continue;
		json_object_set_new(l, "impairment", json_pack("{s:o,s:o,s:o,s:o}",
			"rate_bps", imp.rate_bps ? json_integer((json_int_t)imp.rate_bps) : json_null(),
			"loss_pct", imp.loss_pct > 0 ? json_real(imp.loss_pct) : json_null(),
			"delay_us", imp.delay_us ? json_integer(imp.delay_us) : json_null(),
			"jitter_us", imp.delay_us ? json_integer(imp.jitter_us) : json_null()));
	}
	impair_ns_free(&st);
}

static int show_one(struct nsnet *nn, const char *name, json_t *names,
		    json_t **out)
{
	struct show_ns s = { .nn = nn, .names = names };
	bool v4 = false, v6 = false;
	int rc;

	rc = ns_get(nn, name, &s.ns);
	if (rc)
		return rc;
	s.links = json_array();
	s.by_index = json_object();
	s.routes = json_array();
	s.neigh = json_array();
	rc = dump(&s, RTM_GETLINK, AF_UNSPEC, sizeof(struct ifinfomsg), link_cb);
	if (!rc)
		rc = dump(&s, RTM_GETADDR, AF_UNSPEC, sizeof(struct ifaddrmsg), addr_cb);
	if (!rc)
		rc = dump(&s, RTM_GETROUTE, AF_UNSPEC, sizeof(struct rtmsg), route_cb);
	if (!rc)
		rc = dump(&s, RTM_GETNEIGH, AF_UNSPEC, sizeof(struct ndmsg), neigh_cb);
	if (!rc) {
		show_impairments(&s);
		resolve_links(&s);
		forward_get(nn, name, &v4, &v6);
		*out = json_pack("{s:s,s:b,s:o,s:o,s:o,s:{s:b,s:b}}", "name", name,
				 "nsnet", ns_is_host(name) ? false : ns_is_ours(name),
				 "links", s.links, "routes", s.routes, "neighbours",
				 s.neigh, "forwarding", "ipv4", v4, "ipv6", v6);
	} else {
		json_decref(s.links);
		json_decref(s.routes);
		json_decref(s.neigh);
	}
	json_decref(s.by_index);
	return rc;
}

NSNET_EXPORT int nsnet_show(struct nsnet *nn, const char *ns, json_t **out)
{
	json_t *list, *names = json_array(), *arr = json_array(), *e, *one = NULL;
	size_t i;
	int rc, tries;

	if (ns && (rc = check_ns_name(nn, ns, true)))
		goto fail;
	rc = ns_list(nn, &list);
	if (rc < 0)
		goto fail;
	json_array_append_new(names, json_string(NSNET_HOST));
	json_array_foreach(list, i, e)
		json_array_append(names, json_object_get(e, "name"));
	json_decref(list);
	json_array_foreach(names, i, e) {
		const char *name = json_string_value(e);

		if (ns && strcmp(ns, name))
			continue;
		for (tries = 0; tries < 5; tries++)  /* -EINTR: changed during a dump */
			if ((rc = show_one(nn, name, names, &one)) != -EINTR)
				break;
		if (rc == -EINTR)
			rc = err_set(nn, EINTR, "namespace %s keeps changing", name);
		if (!ns_is_host(name))
			ns_release(nn, name);
		if (rc)
			goto fail;
		json_array_append_new(arr, one);
	}
	if (ns && !json_array_size(arr)) {
		rc = err_set(nn, 0, "namespace %s does not exist (see 'nsnet ns list')", ns);
		goto fail;
	}
	json_decref(names);
	*out = json_pack("{s:i,s:o}", "version", 1, "namespaces", arr);
	return 0;
fail:
	json_decref(names);
	json_decref(arr);
	return rc;
}
