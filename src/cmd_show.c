// SPDX-License-Identifier: GPL-2.0-or-later
/* cmd_show.c - nsnet show [--brief] [--json] [NS...] */
#include <string.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#include "cli.h"

static const char *str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "-";
}

/* "10mbit", "1.5gbit", "64kbit": tc's way of writing a rate. */
static void rate_str(char *buf, size_t len, double bps)
{
	static const char *const units[] = { "bit", "kbit", "mbit", "gbit", "tbit" };
	size_t u = 0;

	while (bps >= 1000 && u + 1 < ARRAY_LEN(units)) {
		bps /= 1000;
		u++;
	}
	snprintf(buf, len, "%.4g%s", bps, units[u]);
}

/* "20ms", "1.5s", "500us". */
static void time_str(char *buf, size_t len, double us)
{
	if (us >= 1000000)
		snprintf(buf, len, "%.4gs", us / 1000000);
	else if (us >= 1000)
		snprintf(buf, len, "%.4gms", us / 1000);
	else
		snprintf(buf, len, "%.0fus", us);
}

/* "rate 10mbit loss 1% delay 20ms jitter 5ms", or "" for none. */
static void impairment_str(char *buf, size_t len, json_t *imp)
{
	json_t *rate = json_object_get(imp, "rate_bps"), *loss = json_object_get(imp, "loss_pct");
	json_t *delay = json_object_get(imp, "delay_us"), *jitter = json_object_get(imp, "jitter_us");
	char v[32];

	buf[0] = '\0';
	if (json_is_number(rate)) {
		rate_str(v, sizeof(v), json_number_value(rate));
		snprintf(buf + strlen(buf), len - strlen(buf), "rate %s", v);
	}
	if (json_is_number(loss))
		snprintf(buf + strlen(buf), len - strlen(buf), "%sloss %.4g%%",
			 buf[0] ? " " : "", json_number_value(loss));
	if (json_is_number(delay) && json_number_value(delay) > 0) {
		time_str(v, sizeof(v), json_number_value(delay));
		snprintf(buf + strlen(buf), len - strlen(buf), "%sdelay %s",
			 buf[0] ? " " : "", v);
		if (json_is_number(jitter) && json_number_value(jitter) > 0) {
			time_str(v, sizeof(v), json_number_value(jitter));
			snprintf(buf + strlen(buf), len - strlen(buf), " jitter %s", v);
		}
	}
}

static void print_ns(json_t *ns)
{
	json_t *links = json_object_get(ns, "links"), *l, *r, *n, *a;
	json_t *fwd = json_object_get(ns, "forwarding");
	struct table *t;
	bool impaired = false;
	size_t i, j;

	/* The impairment column only where a link has one: the table stays
	 * as it was for everybody else. */
	json_array_foreach(links, i, l)
		impaired |= json_is_object(json_object_get(l, "impairment"));
	printf("%s%s  (forwarding ipv4 %s, ipv6 %s)\n", str(ns, "name"),
	       json_is_true(json_object_get(ns, "nsnet")) ? "" :
	       strcmp(str(ns, "name"), "host") ? "  [not created by nsnet]" : "",
	       json_is_true(json_object_get(fwd, "ipv4")) ? "on" : "off",
	       json_is_true(json_object_get(fwd, "ipv6")) ? "on" : "off");
	if (impaired)
		t = table_new(8, "LINK", "STATE", "MAC", "MTU", "MASTER", "PEER",
			      "ADDRESSES", "IMPAIRMENT");
	else
		t = table_new(7, "LINK", "STATE", "MAC", "MTU", "MASTER", "PEER",
			      "ADDRESSES");
	json_array_foreach(links, i, l) {
		json_t *peer = json_object_get(l, "peer");
		char mtu[16], peerbuf[128] = "-", addrs[512] = "", imp[128];

		snprintf(mtu, sizeof(mtu), "%lld",
			 (long long)json_integer_value(json_object_get(l, "mtu")));
		if (peer)
			snprintf(peerbuf, sizeof(peerbuf), "%s:%s",
				 str(peer, "namespace"), str(peer, "ifname"));
		json_array_foreach(json_object_get(l, "addresses"), j, a) {
			const char *s = json_string_value(a);

			if (!strncmp(s, "fe80:", 5))
				continue;  /* link-local: on every link, noise */
			snprintf(addrs + strlen(addrs), sizeof(addrs) - strlen(addrs),
				 "%s%s", addrs[0] ? " " : "", s);
		}
		impairment_str(imp, sizeof(imp), json_object_get(l, "impairment"));
		table_row(t, str(l, "ifname"),
			  json_is_true(json_object_get(l, "up")) ? str(l, "state") : "DOWN",
			  str(l, "mac"), mtu, str(l, "master"), peerbuf,
			  addrs[0] ? addrs : "-", imp[0] ? imp : "-");
	}
	table_print(t, stdout, "  ");
	table_free(t);

	if (json_array_size(json_object_get(ns, "routes"))) {
		t = table_new(5, "ROUTE", "VIA", "DEV", "PROTO", "SCOPE");
		json_array_foreach(json_object_get(ns, "routes"), i, r)
			table_row(t, str(r, "dst"), str(r, "gateway"), str(r, "dev"),
				  str(r, "protocol"), str(r, "scope"));
		table_print(t, stdout, "  ");
		table_free(t);
	}
	if (json_array_size(json_object_get(ns, "neighbours"))) {
		t = table_new(4, "NEIGHBOUR", "MAC", "DEV", "STATE");
		json_array_foreach(json_object_get(ns, "neighbours"), i, n)
			table_row(t, str(n, "address"), str(n, "mac"), str(n, "dev"),
				  str(n, "state"));
		table_print(t, stdout, "  ");
		table_free(t);
	}
}

static void port_range(char *buf, size_t len, json_t *e, const char *lo,
		       const char *hi)
{
	long long a = json_integer_value(json_object_get(e, lo));
	long long b = json_integer_value(json_object_get(e, hi));

	if (b > a)
		snprintf(buf, len, "%lld-%lld", a, b);
	else
		snprintf(buf, len, "%lld", a);
}

static void print_fw(json_t *fw)
{
	json_t *nat = json_object_get(fw, "nat"), *pub = json_object_get(fw, "published");
	json_t *iso = json_object_get(fw, "isolation"), *e, *x;
	struct table *t;
	size_t i, j;

	if (json_array_size(nat)) {
		t = table_new(3, "NAT", "SUBNETS", "OUT");
		json_array_foreach(nat, i, e) {
			char subnets[256] = "", out[64];

			json_array_foreach(json_object_get(e, "subnets"), j, x)
				snprintf(subnets + strlen(subnets), sizeof(subnets) - strlen(subnets),
					 "%s%s", j ? " " : "", json_string_value(x));
			if (json_is_string(json_object_get(e, "out")))
				snprintf(out, sizeof(out), "%s", str(e, "out"));
			else
				snprintf(out, sizeof(out), "any but %s", str(e, "bridge"));
			table_row(t, str(e, "bridge"), subnets[0] ? subnets : "-", out);
		}
		table_print(t, stdout, "  ");
		table_free(t);
	}
	if (json_array_size(pub)) {
		t = table_new(4, "PUBLISHED", "PROTO", "TO", "NAMESPACE");
		json_array_foreach(pub, i, e) {
			char from[128], hp[48], to[128], p[48];

			port_range(hp, sizeof(hp), e, "host_port", "host_port_end");
			port_range(p, sizeof(p), e, "port", "port_end");
			const char *hip = json_string_value(json_object_get(e, "host_ip"));

			snprintf(from, sizeof(from), strchr(hip ? hip : "", ':') ? "[%s]:%s" : "%s:%s",
				 hip ? hip : "*", hp);
			/* one address per family: "10.1.0.2:80 [fd00:1::2]:80" */
			to[0] = '\0';
			json_array_foreach(json_object_get(e, "addresses"), j, x)
				snprintf(to + strlen(to), sizeof(to) - strlen(to),
					 strchr(json_string_value(x) ?: "", ':') ? "%s[%s]:%s" : "%s%s:%s",
					 j ? " " : "", json_string_value(x) ?: "?", p);
			if (!to[0])
				snprintf(to, sizeof(to), "-");
			table_row(t, from, str(e, "proto"), to, str(e, "namespace"));
		}
		table_print(t, stdout, "  ");
		table_free(t);
	}
	if (iso && json_array_size(json_object_get(iso, "bridges"))) {
		t = table_new(3, "BRIDGE", "WAY OUT", "MAY TALK TO");
		json_array_foreach(json_object_get(iso, "bridges"), i, e) {
			const char *br = json_string_value(e);
			bool internal = false;
			char peers[256] = "";

			json_array_foreach(json_object_get(iso, "internal"), j, x)
				internal |= !strcmp(json_string_value(x), br);
			json_array_foreach(json_object_get(iso, "allowed"), j, x) {
				const char *a = json_string_value(json_array_get(x, 0));
				const char *b = json_string_value(json_array_get(x, 1));
				const char *other = !strcmp(a, br) ? b : !strcmp(b, br) ? a : NULL;

				if (other)
					snprintf(peers + strlen(peers), sizeof(peers) - strlen(peers),
						 "%s%s", peers[0] ? " " : "", other);
			}
			table_row(t, br, internal ? "no (internal)" : "yes",
				  peers[0] ? peers : "(isolated)");
		}
		table_print(t, stdout, "  ");
		table_free(t);
	}
}

/* ip -br: one line per interface: namespace, name, state, addresses. */
static void print_brief(json_t *doc)
{
	struct table *t = table_new(4, "", "", "", "");  /* no header, as ip -br */
	json_t *ns, *l, *a;
	size_t i, j, k;

	json_array_foreach(json_object_get(doc, "namespaces"), i, ns)
		json_array_foreach(json_object_get(ns, "links"), j, l) {
			char addrs[512] = "";

			json_array_foreach(json_object_get(l, "addresses"), k, a) {
				const char *s = json_string_value(a);

				if (!strncmp(s, "fe80:", 5))
					continue;
				snprintf(addrs + strlen(addrs), sizeof(addrs) - strlen(addrs),
					 "%s%s", addrs[0] ? " " : "", s);
			}
			table_row(t, str(ns, "name"), str(l, "ifname"),
				  json_is_true(json_object_get(l, "up")) ? str(l, "state") : "DOWN",
				  addrs);
		}
	table_print(t, stdout, "");
	table_free(t);
}

static int cmd_show(struct nsnet *nn, int argc, char **argv);

static const struct opt show_opts[] = {
	{ 'b', "brief", NULL, "one line per interface: namespace, name, state, addresses (like ip -br)" },
	{ 'j', "json", NULL, "print JSON (docs/json.md)" },
	{ 0 }
};

const struct cmd_spec spec_show = {
	.name = "show",
	.args = "[NS...]",
	.summary = "links, addresses, routes and neighbours of namespaces",
	.text = "Without NS: the host first, then every namespace of /run/netns, and\n"
		"nsnet's firewall (NAT, published ports, isolation) when the host is shown.",
	.examples = "nsnet show\n"
		    "nsnet show web database\n"
		    "nsnet show --brief\n"
		    "nsnet show web --json | jq '.namespaces[0].routes'",
	.opts = show_opts,
	.fn = cmd_show,
};

void print_cni(json_t *cni)
{
	struct table *t = table_new(7, "NETWORK", "CONTAINER", "IF", "HOST END",
				    "ADDRESSES", "PORTS", "STATE");
	json_t *e, *x;
	size_t i, j;

	json_array_foreach(cni, i, e) {
		char addrs[256] = "", ports[256] = "", cid[16];

		json_array_foreach(json_object_get(e, "addresses"), j, x)
			snprintf(addrs + strlen(addrs), sizeof(addrs) - strlen(addrs),
				 "%s%s", j ? " " : "", json_string_value(x));
		json_array_foreach(json_object_get(e, "ports"), j, x)
			snprintf(ports + strlen(ports), sizeof(ports) - strlen(ports),
				 "%s%s", j ? " " : "", json_string_value(x));
		/* 12 characters tell containers apart, as docker ps does */
		snprintf(cid, sizeof(cid), "%.12s", str(e, "container_id"));
		table_row(t, str(e, "network"), cid, str(e, "ifname"),
			  str(e, "host_ifname"), addrs[0] ? addrs : "-",
			  ports[0] ? ports : "-", str(e, "state"));
	}
	table_print(t, stdout, "  ");
	table_free(t);
}

static int cmd_show(struct nsnet *nn, int argc, char **argv)
{
	bool json = false, brief = false, host;
	json_t *doc = NULL, *ns, *fw = NULL, *cni = NULL;
	struct optparse p;
	size_t i;
	int key;

	opt_begin(&p, &spec_show, argc, argv);
	while ((key = opt_next(&p)) > 0) {
		if (key == 'j')
			json = true;
		else if (key == 'b')
			brief = true;
	}
	if (key == OPT_STOP)
		return p.status;
	host = !p.nops;
	if (!p.nops) {
		if (nsnet_show(nn, NULL, &doc) < 0)
			return lib_error(nn);
	}
	/* Several namespaces: one document, in the order given. */
	for (i = 0; i < (size_t)p.nops; i++) {
		json_t *one;

		if (nsnet_show(nn, p.ops[i], &one) < 0) {
			json_decref(doc);
			return lib_error(nn);
		}
		if (!doc)
			doc = one;
		else {
			json_array_extend(json_object_get(doc, "namespaces"),
					  json_object_get(one, "namespaces"));
			json_decref(one);
		}
		host |= !strcmp(p.ops[i], NSNET_HOST);
	}
	/* The firewall part loads libnftables: only when looking at the
	 * host, where nsnet's tables live. */
	if (host && !brief && nsnet_fw_show(nn, &fw) == 0)
		json_object_set_new(doc, "firewall", fw);
	/* Attachments made by nsnet-cni, from its records (docs/cni.md). */
	if (host && !brief && nsnet_cni_attachments(nn, &cni) == 0)
		json_object_set_new(doc, "cni", cni);
	if (json) {
		json_print(doc);
	} else if (brief) {
		print_brief(doc);
	} else {
		json_array_foreach(json_object_get(doc, "namespaces"), i, ns) {
			if (i)
				printf("\n");
			print_ns(ns);
		}
		if (fw && (json_array_size(json_object_get(fw, "nat")) ||
			   json_array_size(json_object_get(fw, "published")) ||
			   json_array_size(json_object_get(json_object_get(fw, "isolation"),
							   "bridges")))) {
			printf("\nfirewall (nftables table inet nsnet)\n");
			print_fw(fw);
		}
		if (json_array_size(cni)) {
			printf("\nCNI attachments (nsnet-cni)\n");
			print_cni(cni);
		}
	}
	json_decref(doc);
	return EXIT_OK;
}
