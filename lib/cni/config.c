// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * config.c - a CNI request: the command and its environment, the network
 * configuration on stdin (jansson), its runtime config and CNI_ARGS.
 *
 * Every message names the key or the variable at fault, and every error
 * carries the spec's code. Keys nsnet does not know are ignored, as the
 * spec asks (libcni passes unknown keys through, and the runtime adds
 * some: "aliases" from Podman).
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "cni/cni.h"

const char *const cni_versions[CNI_VNONE] = {
	"0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0",
};

enum cni_version cni_version_parse(const char *s)
{
	size_t i;

	for (i = 0; s && i < CNI_VNONE; i++)
		if (!strcmp(s, cni_versions[i]))
			return (enum cni_version)i;
	return CNI_VNONE;
}

int cni_fail(struct nsnet *nn, struct cni_error *err, int code, int rc)
{
	/* What the kernel refused for a moment (a dump that kept changing,
	 * a busy device, no buffer) is the spec's "try again later". */
	if (code == CNI_ERR_KERNEL && (nn->err_code == EAGAIN || nn->err_code == EBUSY ||
				       nn->err_code == EINTR || nn->err_code == ENOBUFS))
		code = CNI_ERR_AGAIN;
	err->code = code;
	snprintf(err->msg, sizeof(err->msg), "%s", err_msg(nn));
	return rc;
}

int cni_failf(struct nsnet *nn, struct cni_error *err, int code,
	      const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	err->code = code;
	err_set(nn, 0, "%s", err->msg);
	return -EINVAL;
}

int cni_netns_fail(struct nsnet *nn, struct cni_error *err)
{
	/* A path that opens to nothing is a container that is not there; a
	 * path that is no namespace is the variable's fault. */
	int code = nn->err_code == ENOENT ? CNI_ERR_CONTAINER : CNI_ERR_ENV;
	char msg[NSNET_ERR_MAX];

	snprintf(msg, sizeof(msg), "%s", err_msg(nn));
	cni_failf(nn, err, code, "CNI_NETNS: %s", msg);
	return -EINVAL;
}

/* libcni's rule for network names and container ids: they become file
 * names here and nft comments, so nothing else is let through. */
bool cni_name_ok(const char *s, size_t max)
{
	size_t i, n = s ? strlen(s) : 0;

	if (!n || n > max || !isalnum((unsigned char)s[0]))
		return false;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("_.-", s[i]))
			return false;
	return true;
}

/* ---- typed lookups --------------------------------------------------------- */

static const char *json_kind(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "a list";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: case JSON_REAL: return "a number";
	case JSON_TRUE: case JSON_FALSE: return "a boolean";
	default: return "null";
	}
}

/* The string at key, NULL when absent; a present key of another type is
 * an error (-EINVAL) naming it. */
static int get_str(struct nsnet *nn, struct cni_error *err, json_t *o,
		   const char *where, const char *key, const char **out)
{
	json_t *v = json_object_get(o, key);

	*out = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return cni_failf(nn, err, CNI_ERR_CONFIG,
				 "%s\"%s\": expected a string, got %s", where, key,
				 json_kind(v));
	*out = json_string_value(v);
	return 0;
}

static int get_bool(struct nsnet *nn, struct cni_error *err, json_t *o,
		    const char *key, bool *out)
{
	json_t *v = json_object_get(o, key);

	if (!v || json_is_null(v))
		return 0;
	if (!json_is_boolean(v))
		return cni_failf(nn, err, CNI_ERR_CONFIG,
				 "\"%s\": expected true or false, got %s", key,
				 json_kind(v));
	*out = json_is_true(v);
	return 0;
}

static int get_port(struct nsnet *nn, struct cni_error *err, json_t *o,
		    const char *where, const char *key, unsigned int *out)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_integer(v) || json_integer_value(v) < 1 ||
	    json_integer_value(v) > 65535)
		return cni_failf(nn, err, CNI_ERR_CONFIG,
				 "%s\"%s\": expected a port number 1..65535",
				 where, key);
	*out = (unsigned int)json_integer_value(v);
	return 0;
}

/* ---- addresses and ranges ---------------------------------------------------- */

/* The last address of subnet. */
void cni_ip_last(const struct ipaddr *subnet, struct ipaddr *out)
{
	size_t i, len = ip_len(subnet);

	*out = *subnet;
	for (i = 0; i < len; i++) {
		int bits = subnet->prefix - (int)i * 8;

		if (bits <= 0)
			out->a.b[i] = 0xff;
		else if (bits < 8)
			out->a.b[i] |= (unsigned char)(0xff >> bits);
	}
}

/* One {"subnet", "rangeStart", "rangeEnd", "gateway"} object. */
static int parse_range(struct nsnet *nn, struct cni_error *err, json_t *o,
		       const char *where, struct cni_range *r)
{
	const char *subnet, *start, *end, *gw;
	struct ipaddr last;
	char w[96];
	int rc;

	if (!json_is_object(o))
		return cni_failf(nn, err, CNI_ERR_CONFIG,
				 "%s: expected an object with \"subnet\", got %s",
				 where, json_kind(o));
	snprintf(w, sizeof(w), "%s: ", where);
	if ((rc = get_str(nn, err, o, w, "subnet", &subnet)) ||
	    (rc = get_str(nn, err, o, w, "rangeStart", &start)) ||
	    (rc = get_str(nn, err, o, w, "rangeEnd", &end)) ||
	    (rc = get_str(nn, err, o, w, "gateway", &gw)))
		return rc;
	if (!subnet)
		return cni_failf(nn, err, CNI_ERR_CONFIG, "%s: \"subnet\" is missing",
				 where);
	if (cidr_parse(subnet, &r->subnet) || r->subnet.prefix < 0)
		return cni_failf(nn, err, CNI_ERR_CONFIG,
				 "%s\"subnet\": \"%s\" is not a subnet (for example 10.98.0.0/24)",
				 w, subnet);
	ip_mask(&r->subnet);
	if (r->subnet.prefix > (r->subnet.family == AF_INET ? 30 : 126))
		return cni_failf(nn, err, CNI_ERR_CONFIG,
				 "%s\"subnet\": %s has no room for a gateway and a container",
				 w, subnet);
	cni_ip_last(&r->subnet, &last);
	/* The first address is the network, and in IPv4 the last the
	 * broadcast: neither is handed out. */
	r->start = r->subnet;
	cni_ip_step(&r->start, 1);
	r->end = last;
	if (r->subnet.family == AF_INET)
		cni_ip_step(&r->end, -1);
	r->gateway = r->start;
	r->start.prefix = r->end.prefix = r->gateway.prefix = r->subnet.prefix;
	if (gw && (ip_parse(gw, &r->gateway) || !ip_in_prefix(&r->subnet, &r->gateway)))
		return cni_failf(nn, err, CNI_ERR_CONFIG,
				 "%s\"gateway\": \"%s\" is not an address in %s", w, gw,
				 subnet);
	if (start && (ip_parse(start, &r->start) || !ip_in_prefix(&r->subnet, &r->start)))
		return cni_failf(nn, err, CNI_ERR_CONFIG,
				 "%s\"rangeStart\": \"%s\" is not an address in %s", w,
				 start, subnet);
	if (end && (ip_parse(end, &r->end) || !ip_in_prefix(&r->subnet, &r->end)))
		return cni_failf(nn, err, CNI_ERR_CONFIG,
				 "%s\"rangeEnd\": \"%s\" is not an address in %s", w, end,
				 subnet);
	r->gateway.prefix = r->start.prefix = r->end.prefix = r->subnet.prefix;
	if (cni_ip_cmp(&r->start, &r->end) > 0)
		return cni_failf(nn, err, CNI_ERR_CONFIG,
				 "%s\"rangeStart\" comes after \"rangeEnd\"", w);
	return 0;
}

/* "ranges": [[range, ...], ...]: one address from each inner list. */
static int parse_ranges(struct nsnet *nn, struct cni_error *err, json_t *v,
			const char *key, struct cni_conf *c)
{
	json_t *set, *r;
	size_t i, j;
	char where[128];
	int rc;

	if (!json_is_array(v))
		return cni_failf(nn, err, CNI_ERR_CONFIG,
				 "\"%s\": expected a list of lists of ranges, got %s",
				 key, json_kind(v));
	json_array_foreach(v, i, set) {
		struct cni_range_set *s;

		if (!json_is_array(set) || !json_array_size(set))
			return cni_failf(nn, err, CNI_ERR_CONFIG,
					 "\"%s\"[%zu]: expected a non-empty list of ranges",
					 key, i);
		if (c->n_sets == ARRAY_SIZE(c->sets))
			return cni_failf(nn, err, CNI_ERR_CONFIG,
					 "\"%s\": at most %zu range sets", key,
					 ARRAY_SIZE(c->sets));
		s = &c->sets[c->n_sets++];
		memset(s, 0, sizeof(*s));
		json_array_foreach(set, j, r) {
			if (s->n == ARRAY_SIZE(s->r))
				return cni_failf(nn, err, CNI_ERR_CONFIG,
						 "\"%s\"[%zu]: at most %zu ranges", key,
						 i, ARRAY_SIZE(s->r));
			snprintf(where, sizeof(where), "\"%s\"[%zu][%zu]", key, i, j);
			if ((rc = parse_range(nn, err, r, where, &s->r[s->n])))
				return rc;
			if (s->n && s->r[s->n].subnet.family != s->r[0].subnet.family)
				return cni_failf(nn, err, CNI_ERR_CONFIG,
						 "%s: the ranges of one set must all be IPv4 or all IPv6",
						 where);
			s->n++;
		}
	}
	return 0;
}

static int parse_routes(struct nsnet *nn, struct cni_error *err, json_t *v,
			struct cni_conf *c)
{
	json_t *r;
	size_t i;
	int rc;

	if (!json_is_array(v))
		return cni_failf(nn, err, CNI_ERR_CONFIG,
				 "\"routes\": expected a list of {\"dst\", \"gw\"}, got %s",
				 json_kind(v));
	c->routes_given = true;
	json_array_foreach(v, i, r) {
		struct cni_route *rt;
		const char *dst, *gw;
		char where[48];

		if (c->n_routes == ARRAY_SIZE(c->routes))
			return cni_failf(nn, err, CNI_ERR_CONFIG,
					 "\"routes\": at most %zu routes",
					 ARRAY_SIZE(c->routes));
		snprintf(where, sizeof(where), "\"routes\"[%zu]: ", i);
		if (!json_is_object(r))
			return cni_failf(nn, err, CNI_ERR_CONFIG,
					 "%sexpected an object", where);
		if ((rc = get_str(nn, err, r, where, "dst", &dst)) ||
		    (rc = get_str(nn, err, r, where, "gw", &gw)))
			return rc;
		rt = &c->routes[c->n_routes++];
		memset(rt, 0, sizeof(*rt));
		if (!dst || cidr_parse(dst, &rt->dst) || rt->dst.prefix < 0)
			return cni_failf(nn, err, CNI_ERR_CONFIG,
					 "%s\"dst\": \"%s\" is not a destination (for example 0.0.0.0/0)",
					 where, dst ? dst : "");
		ip_mask(&rt->dst);
		if (gw && (ip_parse(gw, &rt->gw) || rt->gw.family != rt->dst.family))
			return cni_failf(nn, err, CNI_ERR_CONFIG,
					 "%s\"gw\": \"%s\" is not an address of the family of %s",
					 where, gw, dst);
	}
	return 0;
}

/* ---- runtime config and CNI_ARGS ----------------------------------------------- */

static int parse_mac(const char *s, unsigned char mac[6])
{
	unsigned int b[6];
	char tail;
	int i;

	if (!s || sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2],
			 &b[3], &b[4], &b[5], &tail) != 6 || strlen(s) != 17)
		return -EINVAL;
	for (i = 0; i < 6; i++)
		mac[i] = (unsigned char)b[i];
	/* A multicast address cannot be an interface's own. */
	return (mac[0] & 1) ? -EINVAL : 0;
}

static int add_want_ip(struct nsnet *nn, struct cni_error *err,
		       struct cni_conf *c, const char *s, const char *where)
{
	struct ipaddr ip;

	if (cidr_parse(s, &ip))
		return cni_failf(nn, err, CNI_ERR_CONFIG,
				 "%s: \"%s\" is not an IP address", where, s);
	if (c->n_want_ips == ARRAY_SIZE(c->want_ips))
		return cni_failf(nn, err, CNI_ERR_CONFIG, "%s: at most %zu addresses",
				 where, ARRAY_SIZE(c->want_ips));
	c->want_ips[c->n_want_ips++] = ip;
	return 0;
}

static int parse_ports(struct nsnet *nn, struct cni_error *err, json_t *v,
		       struct cni_conf *c)
{
	json_t *p;
	size_t i;
	int rc;

	if (!json_is_array(v))
		return cni_failf(nn, err, CNI_ERR_CONFIG,
				 "\"runtimeConfig\".\"portMappings\": expected a list, got %s",
				 json_kind(v));
	json_array_foreach(v, i, p) {
		struct cni_port *pm;
		const char *proto, *hip;
		char where[64];

		snprintf(where, sizeof(where), "\"portMappings\"[%zu]: ", i);
		if (!json_is_object(p))
			return cni_failf(nn, err, CNI_ERR_CONFIG, "%sexpected an object",
					 where);
		if (c->n_ports == ARRAY_SIZE(c->ports))
			return cni_failf(nn, err, CNI_ERR_CONFIG,
					 "\"portMappings\": at most %zu mappings",
					 ARRAY_SIZE(c->ports));
		pm = &c->ports[c->n_ports];
		memset(pm, 0, sizeof(*pm));
		if ((rc = get_port(nn, err, p, where, "hostPort", &pm->host_port)) ||
		    (rc = get_port(nn, err, p, where, "containerPort",
				   &pm->container_port)) ||
		    (rc = get_str(nn, err, p, where, "protocol", &proto)) ||
		    (rc = get_str(nn, err, p, where, "hostIP", &hip)))
			return rc;
		if (!proto || !strcasecmp(proto, "tcp"))
			pm->proto = IPPROTO_TCP;
		else if (!strcasecmp(proto, "udp"))
			pm->proto = IPPROTO_UDP;
		else
			return cni_failf(nn, err, CNI_ERR_FIELD,
					 "%s\"protocol\": \"%s\" is not supported (tcp or udp)",
					 where, proto);
		/* "" both families, 0.0.0.0 or :: every address of one,
		 * else that address of the host */
		if (hip && *hip && ip_parse(hip, &pm->host_ip))
			return cni_failf(nn, err, CNI_ERR_CONFIG,
					 "%s\"hostIP\": \"%s\" is not an IP address",
					 where, hip);
		c->n_ports++;
	}
	return 0;
}

static int parse_runtime(struct nsnet *nn, struct cni_error *err, json_t *rt,
			 struct cni_conf *c)
{
	json_t *v;
	size_t i;
	int rc;

	if (!rt)
		return 0;
	if (!json_is_object(rt))
		return cni_failf(nn, err, CNI_ERR_CONFIG,
				 "\"runtimeConfig\": expected an object, got %s",
				 json_kind(rt));
	if ((v = json_object_get(rt, "portMappings")) && !json_is_null(v)) {
		if ((rc = parse_ports(nn, err, v, c)))
			return rc;
		c->ports_given = true;
	}
	if ((v = json_object_get(rt, "ips")) && !json_is_null(v)) {
		json_t *e;

		if (!json_is_array(v))
			return cni_failf(nn, err, CNI_ERR_CONFIG,
					 "\"runtimeConfig\".\"ips\": expected a list of addresses");
		json_array_foreach(v, i, e)
			if ((rc = add_want_ip(nn, err, c, json_string_value(e) ?: "",
					      "\"runtimeConfig\".\"ips\"")))
				return rc;
	}
	if ((v = json_object_get(rt, "ipRanges")) && !json_is_null(v)) {
		/* Ranges from the runtime replace the configuration's. */
		c->n_sets = 0;
		if ((rc = parse_ranges(nn, err, v, "runtimeConfig.ipRanges", c)))
			return rc;
	}
	if ((v = json_object_get(rt, "mac")) && !json_is_null(v)) {
		if (parse_mac(json_string_value(v), c->mac))
			return cni_failf(nn, err, CNI_ERR_CONFIG,
					 "\"runtimeConfig\".\"mac\": \"%s\" is not a unicast MAC address",
					 json_string_value(v) ?: "");
		c->has_mac = true;
	}
	if ((v = json_object_get(rt, "dns")) && json_is_object(v))
		c->dns = v;
	return 0;
}

/* CNI_ARGS "K=V;K=V": IP= (comma-separated) and MAC= are taken; the
 * others (K8S_POD_NAME, IgnoreUnknown...) are for other plugins. */
static int parse_args(struct nsnet *nn, struct cni_error *err,
		      struct cni_conf *c)
{
	char buf[1024], *save = NULL, *kv;

	if (!c->args || !*c->args)
		return 0;
	if (strlen(c->args) >= sizeof(buf))
		return cni_failf(nn, err, CNI_ERR_ENV, "CNI_ARGS is longer than %zu bytes",
				 sizeof(buf) - 1);
	strcpy(buf, c->args);
	for (kv = strtok_r(buf, ";", &save); kv; kv = strtok_r(NULL, ";", &save)) {
		char *eq = strchr(kv, '='), *ip, *s2 = NULL;
		int rc;

		if (!eq)
			return cni_failf(nn, err, CNI_ERR_ENV,
					 "CNI_ARGS: \"%s\" is not KEY=VALUE", kv);
		*eq = '\0';
		if (!strcmp(kv, "IP")) {
			for (ip = strtok_r(eq + 1, ",", &s2); ip;
			     ip = strtok_r(NULL, ",", &s2))
				if ((rc = add_want_ip(nn, err, c, ip, "CNI_ARGS IP")))
					return rc;
		} else if (!strcmp(kv, "MAC")) {
			if (parse_mac(eq + 1, c->mac))
				return cni_failf(nn, err, CNI_ERR_ENV,
						 "CNI_ARGS MAC: \"%s\" is not a unicast MAC address",
						 eq + 1);
			c->has_mac = true;
		}
	}
	return 0;
}

/* ---- the whole request ------------------------------------------------------------ */

static int need_env(struct nsnet *nn, struct cni_error *err, const char *v,
		    const char *name)
{
	if (!v || !*v)
		return cni_failf(nn, err, CNI_ERR_ENV, "%s is not set", name);
	return 0;
}

static int parse_env(struct nsnet *nn, struct cni_conf *c, struct cni_error *err)
{
	bool attach = c->cmd == CNI_CMD_ADD || c->cmd == CNI_CMD_DEL ||
		      c->cmd == CNI_CMD_CHECK;
	int rc;

	if (!attach)
		return 0;
	if ((rc = need_env(nn, err, c->container_id, "CNI_CONTAINERID")) ||
	    (rc = need_env(nn, err, c->ifname, "CNI_IFNAME")))
		return rc;
	/* DEL may come without a namespace (ctr sends an empty CNI_NETNS,
	 * and a runtime whose namespace is gone has none to give). */
	if (c->cmd != CNI_CMD_DEL &&
	    (rc = need_env(nn, err, c->netns, "CNI_NETNS")))
		return rc;
	if (!cni_name_ok(c->container_id, 200))
		return cni_failf(nn, err, CNI_ERR_ENV,
				 "CNI_CONTAINERID \"%.80s\": use letters, digits, '_', '-' and '.' (at most 200), starting with a letter or digit",
				 c->container_id);
	if (check_ifname(nn, c->ifname))
		return cni_failf(nn, err, CNI_ERR_ENV, "CNI_IFNAME: %s", err_msg(nn));
	return parse_args(nn, err, c);
}

int cni_conf_parse(struct nsnet *nn, struct cni_conf *c, const char *text,
		   size_t len, struct cni_error *err)
{
	const char *ver, *name, *type, *bridge, *ipam_type = NULL, *subnet;
	json_t *doc, *ipam, *src, *v;
	json_error_t jerr;
	int rc, mtu;

	c->raw = text;
	c->raw_len = len;
	c->version = CNI_VNONE;
	doc = json_loadb(text, len, 0, &jerr);
	if (!doc || !json_is_object(doc)) {
		json_decref(doc);
		if (c->cmd == CNI_CMD_VERSION)
			return 0;  /* answered all the same */
		return cni_failf(nn, err, CNI_ERR_DECODE,
				 "the network configuration on stdin is not a JSON object: %s (line %d, column %d)",
				 doc ? "not an object" : jerr.text, jerr.line,
				 jerr.column);
	}
	c->doc = doc;
	if ((rc = get_str(nn, err, doc, "", "cniVersion", &ver)))
		return rc;
	snprintf(c->version_str, sizeof(c->version_str), "%s", ver ? ver : "");
	c->version = cni_version_parse(ver);
	if (c->cmd == CNI_CMD_VERSION)
		return 0;
	if (!ver)
		return cni_failf(nn, err, CNI_ERR_CONFIG, "\"cniVersion\" is missing");
	if (c->version == CNI_VNONE)
		return cni_failf(nn, err, CNI_ERR_VERSION,
				 "\"cniVersion\": %s is not supported (nsnet-cni speaks 0.3.0, 0.3.1, 0.4.0, 1.0.0 and 1.1.0)",
				 ver);
	if ((c->cmd == CNI_CMD_GC || c->cmd == CNI_CMD_STATUS) &&
	    c->version < CNI_V110)
		return cni_failf(nn, err, CNI_ERR_VERSION,
				 "%s needs cniVersion 1.1.0; the configuration has %s",
				 c->cmd == CNI_CMD_GC ? "GC" : "STATUS", ver);
	if ((c->cmd == CNI_CMD_CHECK) && c->version < CNI_V040)
		return cni_failf(nn, err, CNI_ERR_VERSION,
				 "CHECK needs cniVersion 0.4.0 or later; the configuration has %s",
				 ver);
	if ((rc = get_str(nn, err, doc, "", "name", &name)) ||
	    (rc = get_str(nn, err, doc, "", "type", &type)))
		return rc;
	if (!name)
		return cni_failf(nn, err, CNI_ERR_CONFIG, "\"name\" is missing");
	if (!cni_name_ok(name, 64))
		return cni_failf(nn, err, CNI_ERR_CONFIG,
				 "\"name\": \"%.64s\" is not a network name (letters, digits, '_', '-', '.', at most 64, starting with a letter or digit)",
				 name);
	snprintf(c->name, sizeof(c->name), "%s", name);
	snprintf(c->type, sizeof(c->type), "%s", type ? type : "");
	if ((rc = parse_env(nn, c, err)))
		return rc;

	ipam = json_object_get(doc, "ipam");
	if (ipam && !json_is_null(ipam)) {
		if (!json_is_object(ipam))
			return cni_failf(nn, err, CNI_ERR_CONFIG,
					 "\"ipam\": expected an object, got %s",
					 json_kind(ipam));
		if ((rc = get_str(nn, err, ipam, "\"ipam\".", "type", &ipam_type)))
			return rc;
	} else {
		ipam = NULL;
	}
	/* Called as another plugin's IPAM ({"type":"bridge", "ipam":
	 * {"type":"nsnet-cni"}}): addresses only, no interface. */
	c->ipam_only = type && strcmp(type, CNI_PLUGIN_TYPE) && ipam_type &&
		       !strcmp(ipam_type, CNI_PLUGIN_TYPE);
	if (ipam_type && *ipam_type && strcmp(ipam_type, CNI_PLUGIN_TYPE)) {
		if (!cni_name_ok(ipam_type, 60))
			return cni_failf(nn, err, CNI_ERR_CONFIG,
					 "\"ipam\".\"type\": \"%.60s\" is not a plugin name",
					 ipam_type);
		snprintf(c->delegate, sizeof(c->delegate), "%s", ipam_type);
	}
	/* nsnet's IPAM keys are read from "ipam" when it is nsnet's, else
	 * from the top level (the minimal conflist has "subnet"
	 * next to "bridge"). */
	src = ipam && !c->delegate[0] ? ipam : doc;

	if ((rc = get_str(nn, err, doc, "", "bridge", &bridge)))
		return rc;
	snprintf(c->bridge, sizeof(c->bridge), "%s",
		 bridge ? bridge : CNI_DEFAULT_BRIDGE);
	if (bridge && (check_ifname(nn, bridge) || !fw_name_ok(bridge)))
		return cni_failf(nn, err, CNI_ERR_CONFIG, "\"bridge\": \"%.40s\" is not an interface name",
				 bridge);
	if ((v = json_object_get(doc, "allow")) && !json_is_null(v)) {
		json_t *e;
		size_t i;

		if (!json_is_array(v) || json_array_size(v) > ARRAY_SIZE(c->allow))
			return cni_failf(nn, err, CNI_ERR_CONFIG,
					 "\"allow\": expected a list of at most %zu bridge names",
					 ARRAY_SIZE(c->allow));
		json_array_foreach(v, i, e) {
			const char *b = json_string_value(e);

			if (!b || check_ifname(nn, b) || !fw_name_ok(b))
				return cni_failf(nn, err, CNI_ERR_CONFIG,
						 "\"allow\"[%zu]: not a bridge name", i);
			snprintf(c->allow[c->n_allow++], sizeof(c->allow[0]), "%s", b);
		}
	}
	c->is_gateway = true;
	c->default_route = true;
	if ((rc = get_bool(nn, err, doc, "isGateway", &c->is_gateway)) ||
	    (rc = get_bool(nn, err, doc, "isDefaultGateway", &c->default_route)) ||
	    (rc = get_bool(nn, err, doc, "ipMasq", &c->ip_masq)) ||
	    (rc = get_bool(nn, err, doc, "hairpinMode", &c->hairpin)))
		return rc;
	if ((v = json_object_get(doc, "mtu")) && !json_is_null(v)) {
		mtu = json_is_integer(v) ? (int)json_integer_value(v) : -1;
		if (mtu < 68 || mtu > 65535)
			return cni_failf(nn, err, CNI_ERR_CONFIG,
					 "\"mtu\": expected a number 68..65535");
		c->mtu = (unsigned int)mtu;
	}
	if ((rc = get_str(nn, err, src, "", "subnet", &subnet)))
		return rc;
	if (!subnet && src != doc && (rc = get_str(nn, err, doc, "", "subnet", &subnet)))
		return rc;
	if (subnet) {
		json_t *r = json_pack("{s:s}", "subnet", subnet);

		c->n_sets = 1;
		memset(&c->sets[0], 0, sizeof(c->sets[0]));
		rc = parse_range(nn, err, r, "\"subnet\"", &c->sets[0].r[0]);
		json_decref(r);
		if (rc)
			return rc;
		c->sets[0].n = 1;
	}
	if ((v = json_object_get(src, "ranges")) && !json_is_null(v) &&
	    (rc = parse_ranges(nn, err, v, "ranges", c)))
		return rc;
	if (((v = json_object_get(src, "routes")) ||
	     (v = json_object_get(doc, "routes"))) && !json_is_null(v) &&
	    (rc = parse_routes(nn, err, v, c)))
		return rc;
	if ((v = json_object_get(src, "dns")) || (v = json_object_get(doc, "dns"))) {
		if (!json_is_object(v))
			return cni_failf(nn, err, CNI_ERR_CONFIG,
					 "\"dns\": expected an object, got %s", json_kind(v));
		c->dns = v;
	}
	if ((rc = parse_runtime(nn, err, json_object_get(doc, "runtimeConfig"), c)))
		return rc;
	if ((v = json_object_get(doc, "prevResult")) && !json_is_null(v)) {
		if (!json_is_object(v))
			return cni_failf(nn, err, CNI_ERR_DECODE,
					 "\"prevResult\": expected an object, got %s",
					 json_kind(v));
		c->prev_result = v;
	}
	v = json_object_get(doc, "cni.dev/valid-attachments");
	if (!v || json_is_null(v))
		v = json_object_get(doc, "cni.dev/attachments");
	if (v && !json_is_null(v)) {
		json_t *a;
		size_t i;

		if (!json_is_array(v))
			return cni_failf(nn, err, CNI_ERR_CONFIG,
					 "\"cni.dev/valid-attachments\": expected a list, got %s",
					 json_kind(v));
		json_array_foreach(v, i, a)
			if (!json_is_string(json_object_get(a, "containerID")) ||
			    !json_is_string(json_object_get(a, "ifname")))
				return cni_failf(nn, err, CNI_ERR_CONFIG,
						 "\"cni.dev/valid-attachments\"[%zu]: expected {\"containerID\", \"ifname\"}",
						 i);
		c->valid_attachments = v;
	}
	if (!c->delegate[0] && !c->n_sets &&
	    (c->cmd == CNI_CMD_ADD || c->cmd == CNI_CMD_STATUS) && !c->n_want_ips)
		return cni_failf(nn, err, CNI_ERR_CONFIG,
				 "no addresses to hand out: give \"subnet\" or \"ranges\" (or \"ipam\" with another plugin)");
	return 0;
}

void cni_conf_free(struct cni_conf *c)
{
	json_decref(c->doc);
	c->doc = NULL;
}
