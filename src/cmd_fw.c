// SPDX-License-Identifier: GPL-2.0-or-later
/* cmd_fw.c - nsnet nat, publish, unpublish, allow, deny */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static int nat_add(struct nsnet *nn, int argc, char **argv);
static int nat_del(struct nsnet *nn, int argc, char **argv);

static const struct opt nat_add_opts[] = {
	{ 'o', "out", "IF", "only out through IF (default: any interface but the bridge)" },
	{ 0 }
};

static const struct cmd_spec spec_nat_add = {
	.name = "add",
	.args = "BRIDGE",
	.summary = "masquerade what the bridge's namespaces send out through the host",
	.text = "Turns on forwarding in the host (and puts it back when the last NAT goes).",
	.examples = "nsnet nat add app_br\n"
		    "nsnet nat add app_br --out eth0",
	.opts = nat_add_opts,
	.fn = nat_add,
};

static const struct cmd_spec spec_nat_del = {
	.name = "del",
	.aliases = "delete",
	.args = "BRIDGE",
	.summary = "remove the bridge's NAT",
	.fn = nat_del,
};

const struct cmd_spec spec_nat = {
	.name = "nat",
	.summary = "a way out through the host for the namespaces on a bridge",
	.text = "Rules live in nsnet's own nftables table (docs/firewall.md).",
	.subs = (const struct cmd_spec *const[]){ &spec_nat_add, &spec_nat_del, NULL },
};

static int nat_add(struct nsnet *nn, int argc, char **argv)
{
	const char *out = NULL;
	struct optparse p;
	int key;

	opt_begin(&p, &spec_nat_add, argc, argv);
	while ((key = opt_next(&p)) > 0)
		if (key == 'o')
			out = p.arg;
	if (key == OPT_STOP)
		return p.status;
	if (p.nops != 1)
		return usage_error(p.path, "give one bridge name");
	return nsnet_nat_add(nn, p.ops[0], out) < 0 ? lib_error(nn) : EXIT_OK;
}

static int nat_del(struct nsnet *nn, int argc, char **argv)
{
	struct optparse p;

	if (opt_parse(&p, &spec_nat_del, argc, argv) == OPT_STOP)
		return p.status;
	if (p.nops != 1)
		return usage_error(p.path, "give one bridge name");
	return nsnet_nat_del(nn, p.ops[0]) < 0 ? lib_error(nn) : EXIT_OK;
}

static void print_range(char *buf, size_t len, json_t *o, const char *lo,
			const char *hi)
{
	json_int_t a = json_integer_value(json_object_get(o, lo));
	json_int_t b = json_integer_value(json_object_get(o, hi));

	if (a == b)
		snprintf(buf, len, "%lld", (long long)a);
	else
		snprintf(buf, len, "%lld-%lld", (long long)a, (long long)b);
}

/* `publish --list`: the published ports as a table (or JSON). */
static int publish_list(struct nsnet *nn, bool json)
{
	json_t *doc, *pub, *o;
	struct table *t;
	size_t i;

	if (nsnet_fw_show(nn, &doc) < 0)
		return lib_error(nn);
	pub = json_object_get(doc, "published");
	if (json) {
		json_print(pub);
		json_decref(doc);
		return EXIT_OK;
	}
	t = table_new(5, "NAMESPACE", "HOST", "TO", "PORT", "PROTO");
	json_array_foreach(pub, i, o) {
		char host[96], port[16], hp[16], to[160] = "";
		const char *ip = json_string_value(json_object_get(o, "host_ip"));
		json_t *a;
		size_t j;

		print_range(hp, sizeof(hp), o, "host_port", "host_port_end");
		snprintf(host, sizeof(host), strchr(ip ? ip : "", ':') ? "[%s]:%s" : "%s:%s",
			 ip ? ip : "*", hp);
		print_range(port, sizeof(port), o, "port", "port_end");
		/* one address per family the port is published on */
		json_array_foreach(json_object_get(o, "addresses"), j, a)
			snprintf(to + strlen(to), sizeof(to) - strlen(to), "%s%s",
				 j ? " " : "", json_string_value(a) ?: "?");
		table_row(t, json_string_value(json_object_get(o, "namespace")),
			  host, to[0] ? to : "-", port,
			  json_string_value(json_object_get(o, "proto")));
	}
	table_print(t, stdout, "");
	table_free(t);
	json_decref(doc);
	return EXIT_OK;
}

static int cmd_publish(struct nsnet *nn, int argc, char **argv);
static int cmd_unpublish(struct nsnet *nn, int argc, char **argv);
static int cmd_allow(struct nsnet *nn, int argc, char **argv);
static int cmd_deny(struct nsnet *nn, int argc, char **argv);

static const struct opt publish_opts[] = {
	{ 'l', "list", NULL, "list the published ports instead (namespace, host, to, port, proto)" },
	{ 'j', "json", NULL, "with --list: print JSON (docs/json.md)" },
	{ 0 }
};

const struct cmd_spec spec_publish = {
	.name = "publish",
	.args = "NS [HOSTIP:]HOSTPORT[-END]:PORT[-END][/tcp|/udp]",
	.summary = "forward a host port to a namespace (or list them: --list)",
	.text = "Like docker run -p: connections to the host's HOSTPORT (on HOSTIP\n"
		"only, when given) go to PORT of NS's address; from the host itself too.",
	.examples = "nsnet publish web 8080:80/tcp\n"
		    "nsnet publish web 127.0.0.1:5353:53/udp\n"
		    "nsnet publish --list",
	.opts = publish_opts,
	.fn = cmd_publish,
	.complete = "ns none",
};

const struct cmd_spec spec_unpublish = {
	.name = "unpublish",
	.args = "NS [HOSTIP:]HOSTPORT[-END]:PORT[-END][/tcp|/udp]",
	.summary = "remove a published port (the spec it was published with)",
	.fn = cmd_unpublish,
	.complete = "ns none",
};

const struct cmd_spec spec_allow = {
	.name = "allow",
	.args = "BRIDGE1 BRIDGE2",
	.summary = "let two bridges' namespaces talk to each other",
	.text = "Bridges are isolated from each other until allowed.",
	.fn = cmd_allow,
};

const struct cmd_spec spec_deny = {
	.name = "deny",
	.args = "BRIDGE1 BRIDGE2",
	.summary = "isolate two bridges again",
	.fn = cmd_deny,
};

static int cmd_publish(struct nsnet *nn, int argc, char **argv)
{
	bool json = false, list = false;
	struct optparse p;
	int key;

	opt_begin(&p, &spec_publish, argc, argv);
	while ((key = opt_next(&p)) > 0) {
		if (key == 'j')
			json = true;
		else if (key == 'l')
			list = true;
	}
	if (key == OPT_STOP)
		return p.status;
	if (list) {
		if (p.nops)
			return usage_error(p.path, "--list takes no arguments");
		return publish_list(nn, json);
	}
	if (p.nops != 2)
		return usage_error(p.path, "give a namespace and a port spec (or --list)");
	if (nsnet_publish(nn, p.ops[0], p.ops[1]) < 0)
		return lib_error(nn);
	return EXIT_OK;
}

static int cmd_unpublish(struct nsnet *nn, int argc, char **argv)
{
	struct optparse p;

	if (opt_parse(&p, &spec_unpublish, argc, argv) == OPT_STOP)
		return p.status;
	if (p.nops != 2)
		return usage_error(p.path, "give a namespace and the port spec it was published with");
	if (nsnet_unpublish(nn, p.ops[0], p.ops[1]) < 0)
		return lib_error(nn);
	return EXIT_OK;
}

static int allow_deny(struct nsnet *nn, const struct cmd_spec *spec, int argc,
		      char **argv, bool allow)
{
	struct optparse p;

	if (opt_parse(&p, spec, argc, argv) == OPT_STOP)
		return p.status;
	if (p.nops != 2)
		return usage_error(p.path, "give two bridges");
	if (nsnet_allow(nn, p.ops[0], p.ops[1], allow) < 0)
		return lib_error(nn);
	return EXIT_OK;
}

static int cmd_allow(struct nsnet *nn, int argc, char **argv)
{
	return allow_deny(nn, &spec_allow, argc, argv, true);
}

static int cmd_deny(struct nsnet *nn, int argc, char **argv)
{
	return allow_deny(nn, &spec_deny, argc, argv, false);
}
