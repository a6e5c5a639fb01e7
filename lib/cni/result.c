// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * result.c - CNI results in and out. One plain struct, read from any
 * version (a prevResult, a delegated IPAM's answer, a record) and written
 * in the version of the request: libcni refuses a result whose fields do
 * not belong to the version it asked for (a 1.0.0 client cannot parse
 * interfaces[].mtu, a 0.4.0 one needs ips[].version).
 */
#include <stdio.h>
#include <string.h>

#include "cni/cni.h"

void cni_result_free(struct cni_result *r)
{
	json_decref(r->dns);
	r->dns = NULL;
}

static int parse_ip_field(json_t *o, const char *key, struct ipaddr *ip,
			  bool want_prefix)
{
	const char *s = json_string_value(json_object_get(o, key));

	if (!s)
		return -ENOENT;
	if (cidr_parse(s, ip) || (want_prefix && ip->prefix < 0))
		return -EINVAL;
	return 0;
}

int cni_result_parse(json_t *doc, struct cni_result *r, char *why, size_t len)
{
	json_t *v, *e;
	size_t i;

	memset(r, 0, sizeof(*r));
	if (!json_is_object(doc)) {
		snprintf(why, len, "a result must be a JSON object");
		return -EINVAL;
	}
	json_array_foreach(json_object_get(doc, "interfaces"), i, e) {
		struct cni_iface *f;

		if (r->n_ifaces == ARRAY_SIZE(r->ifaces))
			break;
		f = &r->ifaces[r->n_ifaces++];
		snprintf(f->name, sizeof(f->name), "%s",
			 json_string_value(json_object_get(e, "name")) ?: "");
		snprintf(f->mac, sizeof(f->mac), "%s",
			 json_string_value(json_object_get(e, "mac")) ?: "");
		snprintf(f->sandbox, sizeof(f->sandbox), "%s",
			 json_string_value(json_object_get(e, "sandbox")) ?: "");
		f->mtu = (unsigned int)json_integer_value(json_object_get(e, "mtu"));
	}
	json_array_foreach(json_object_get(doc, "ips"), i, e) {
		struct cni_ip *ip;

		if (r->n_ips == ARRAY_SIZE(r->ips)) {
			snprintf(why, len, "more than %zu addresses", ARRAY_SIZE(r->ips));
			return -EINVAL;
		}
		ip = &r->ips[r->n_ips];
		memset(ip, 0, sizeof(*ip));
		if (parse_ip_field(e, "address", &ip->addr, true)) {
			snprintf(why, len, "ips[%zu].address is not an address with a prefix", i);
			return -EINVAL;
		}
		if (parse_ip_field(e, "gateway", &ip->gateway, false) == -EINVAL) {
			snprintf(why, len, "ips[%zu].gateway is not an address", i);
			return -EINVAL;
		}
		v = json_object_get(e, "interface");
		ip->iface = json_is_integer(v) ? (int)json_integer_value(v) : -1;
		r->n_ips++;
	}
	json_array_foreach(json_object_get(doc, "routes"), i, e) {
		struct cni_route *rt;

		if (r->n_routes == ARRAY_SIZE(r->routes))
			break;
		rt = &r->routes[r->n_routes];
		memset(rt, 0, sizeof(*rt));
		if (parse_ip_field(e, "dst", &rt->dst, true)) {
			snprintf(why, len, "routes[%zu].dst is not a destination", i);
			return -EINVAL;
		}
		if (parse_ip_field(e, "gw", &rt->gw, false) == -EINVAL) {
			snprintf(why, len, "routes[%zu].gw is not an address", i);
			return -EINVAL;
		}
		r->n_routes++;
	}
	v = json_object_get(doc, "dns");
	if (json_is_object(v) && json_object_size(v))
		r->dns = json_incref(v);
	return 0;
}

static json_t *ip_json(const struct ipaddr *ip, bool with_prefix)
{
	struct ipaddr a = *ip;
	char buf[INET6_ADDRSTRLEN + 8];

	if (!with_prefix)
		a.prefix = -1;
	return json_string(ip_str(&a, buf, sizeof(buf)));
}

json_t *cni_result_render(const struct cni_result *r, enum cni_version v)
{
	json_t *doc = json_object(), *ifs = json_array(), *ips = json_array();
	json_t *routes = json_array();
	size_t i;

	json_object_set_new(doc, "cniVersion", json_string(cni_versions[v]));
	for (i = 0; i < r->n_ifaces; i++) {
		const struct cni_iface *f = &r->ifaces[i];
		json_t *o = json_pack("{s:s}", "name", f->name);

		if (f->mac[0])
			json_object_set_new(o, "mac", json_string(f->mac));
		if (v >= CNI_V110 && f->mtu)
			json_object_set_new(o, "mtu", json_integer(f->mtu));
		if (f->sandbox[0])
			json_object_set_new(o, "sandbox", json_string(f->sandbox));
		json_array_append_new(ifs, o);
	}
	for (i = 0; i < r->n_ips; i++) {
		const struct cni_ip *ip = &r->ips[i];
		json_t *o = json_object();

		if (v < CNI_V100)
			json_object_set_new(o, "version", json_string(
				ip->addr.family == AF_INET6 ? "6" : "4"));
		json_object_set_new(o, "address", ip_json(&ip->addr, true));
		if (ip->gateway.family)
			json_object_set_new(o, "gateway", ip_json(&ip->gateway, false));
		if (ip->iface >= 0 && (size_t)ip->iface < r->n_ifaces)
			json_object_set_new(o, "interface", json_integer(ip->iface));
		json_array_append_new(ips, o);
	}
	for (i = 0; i < r->n_routes; i++) {
		const struct cni_route *rt = &r->routes[i];
		json_t *o = json_pack("{s:o}", "dst", ip_json(&rt->dst, true));

		if (rt->gw.family)
			json_object_set_new(o, "gw", ip_json(&rt->gw, false));
		json_array_append_new(routes, o);
	}
	if (r->n_ifaces)
		json_object_set_new(doc, "interfaces", ifs);
	else
		json_decref(ifs);
	json_object_set_new(doc, "ips", ips);
	if (r->n_routes)
		json_object_set_new(doc, "routes", routes);
	else
		json_decref(routes);
	if (r->dns)
		json_object_set(doc, "dns", r->dns);
	else
		json_object_set_new(doc, "dns", json_object());
	return doc;
}

json_t *cni_error_render(const struct cni_error *err, const char *version)
{
	return json_pack("{s:s,s:i,s:s}", "cniVersion",
			 version && *version ? version : cni_versions[CNI_V110],
			 "code", err->code, "msg", err->msg);
}

json_t *cni_version_render(const char *version)
{
	json_t *sup = json_array();
	size_t i;

	for (i = 0; i < CNI_VNONE; i++)
		json_array_append_new(sup, json_string(cni_versions[i]));
	/* The answer is in the version asked about when nsnet speaks it. */
	return json_pack("{s:s,s:o}", "cniVersion",
			 cni_version_parse(version) != CNI_VNONE ? version :
			 cni_versions[CNI_V110], "supportedVersions", sup);
}
