// SPDX-License-Identifier: GPL-2.0-or-later
/* cmd_addr.c - nsnet addr, route, forward */
#include <string.h>

#include "cli.h"

/* ---- addr ------------------------------------------------------------------- */

static int addr_add(struct nsnet *nn, int argc, char **argv);
static int addr_del(struct nsnet *nn, int argc, char **argv);

static const struct cmd_spec spec_addr_add = {
	.name = "add",
	.args = "NS IF CIDR",
	.summary = "add an address (IPv4 or IPv6) to an interface",
	.examples = "nsnet addr add ns1 v-peer1 fd00::2/64",
	.fn = addr_add,
	.complete = "ns if none",
};

static const struct opt addr_del_opts[] = {
	{ 'f', "force", NULL, "remove an address nsnet did not add" },
	{ 0 }
};

static const struct cmd_spec spec_addr_del = {
	.name = "del",
	.aliases = "delete",
	.args = "NS IF CIDR",
	.summary = "remove an address from an interface",
	.opts = addr_del_opts,
	.fn = addr_del,
	.complete = "ns if none",
};

const struct cmd_spec spec_addr = {
	.name = "addr",
	.summary = "add or remove an address",
	.subs = (const struct cmd_spec *const[]){ &spec_addr_add, &spec_addr_del, NULL },
};

static int addr_add(struct nsnet *nn, int argc, char **argv)
{
	struct optparse p;

	if (opt_parse(&p, &spec_addr_add, argc, argv) == OPT_STOP)
		return p.status;
	if (p.nops != 3)
		return usage_error(p.path, "expected NS IF CIDR");
	return nsnet_addr_add(nn, p.ops[0], p.ops[1], p.ops[2]) < 0 ? lib_error(nn) : EXIT_OK;
}

static int addr_del(struct nsnet *nn, int argc, char **argv)
{
	unsigned int flags = 0;
	struct optparse p;
	int key;

	opt_begin(&p, &spec_addr_del, argc, argv);
	while ((key = opt_next(&p)) > 0)
		if (key == 'f')
			flags |= NSNET_FORCE;
	if (key == OPT_STOP)
		return p.status;
	if (p.nops != 3)
		return usage_error(p.path, "expected NS IF CIDR");
	return nsnet_addr_del(nn, p.ops[0], p.ops[1], p.ops[2], flags) < 0 ? lib_error(nn)
									 : EXIT_OK;
}

/* ---- route ------------------------------------------------------------------ */

static int cmd_route_change(struct nsnet *nn, int argc, char **argv);

static const struct cmd_spec spec_route_add = {
	.name = "add",
	.args = "NS DEST [via GW] [dev IF]",
	.summary = "add a route (DEST a prefix or default; via, dev or both)",
	.text = "Routes nsnet adds carry routing protocol 245 (\"nsnet\" in show).",
	.examples = "nsnet route add ns1 default via 10.200.1.1\n"
		    "nsnet route add blue 192.168.1.0/24 dev veth-blue",
	.fn = cmd_route_change,
	.complete = "ns none via|dev none",
};

static const struct opt route_del_opts[] = {
	{ 'f', "force", NULL, "remove a route nsnet did not add (of any protocol)" },
	{ 0 }
};

static const struct cmd_spec spec_route_del = {
	.name = "del",
	.aliases = "delete",
	.args = "NS DEST [via GW] [dev IF]",
	.summary = "remove a route",
	.text = "Only routes nsnet added (protocol 245) unless --force is given.",
	.opts = route_del_opts,
	.fn = cmd_route_change,
	.complete = "ns none via|dev none",
};

const struct cmd_spec spec_route = {
	.name = "route",
	.summary = "add or remove a route (DEST a prefix or default)",
	.subs = (const struct cmd_spec *const[]){ &spec_route_add, &spec_route_del, NULL },
};

static int cmd_route_change(struct nsnet *nn, int argc, char **argv)
{
	bool add = !strcmp(argv[0], "add");
	const char *via = NULL, *dev = NULL;
	unsigned int flags = 0;
	struct optparse p;
	int i, key, rc;

	opt_begin(&p, add ? &spec_route_add : &spec_route_del, argc, argv);
	while ((key = opt_next(&p)) > 0)
		if (key == 'f')
			flags |= NSNET_FORCE;
	if (key == OPT_STOP)
		return p.status;
	if (p.nops < 4)
		return usage_error(p.path, "expected NS DEST via GW | dev IF");
	for (i = 2; i < p.nops; i += 2) {
		if (i + 1 >= p.nops)
			return usage_error(p.path, "'%s' needs a value", p.ops[i]);
		if (!strcmp(p.ops[i], "via"))
			via = p.ops[i + 1];
		else if (!strcmp(p.ops[i], "dev"))
			dev = p.ops[i + 1];
		else
			return usage_error(p.path, "unknown keyword '%s'", p.ops[i]);
	}
	rc = add ? nsnet_route_add(nn, p.ops[0], p.ops[1], via, dev)
		 : nsnet_route_del(nn, p.ops[0], p.ops[1], via, dev, flags);
	return rc < 0 ? lib_error(nn) : EXIT_OK;
}

/* ---- forward ----------------------------------------------------------------- */

static int cmd_forward(struct nsnet *nn, int argc, char **argv);

const struct cmd_spec spec_forward = {
	.name = "forward",
	.args = "on|off|show [NS]",
	.summary = "IPv4 and IPv6 forwarding of a namespace (host by default)",
	.text = "A namespace that routes between its interfaces needs it on; so does\n"
		"the host for namespaces that go out through NAT.",
	.examples = "nsnet forward on              # in the host\n"
		    "nsnet forward show router",
	.fn = cmd_forward,
};

static int cmd_forward(struct nsnet *nn, int argc, char **argv)
{
	struct optparse p;
	const char *ns;
	bool v4, v6;

	if (opt_parse(&p, &spec_forward, argc, argv) == OPT_STOP)
		return p.status;
	if (p.nops < 1 || p.nops > 2)
		return usage_error(p.path, "expected on, off or show, then optionally NS");
	ns = p.nops > 1 ? p.ops[1] : NSNET_HOST;
	if (nsnet_check_ns_name(nn, ns) && strcmp(ns, NSNET_HOST))
		return lib_error(nn);
	if (!strcmp(p.ops[0], "show")) {
		if (nsnet_forward_get(nn, ns, &v4, &v6) < 0)
			return lib_error(nn);
		printf("%s: ipv4 forwarding %s, ipv6 forwarding %s\n", ns,
		       v4 ? "on" : "off", v6 ? "on" : "off");
		return EXIT_OK;
	}
	if (strcmp(p.ops[0], "on") && strcmp(p.ops[0], "off"))
		return usage_error(p.path, "expected on, off or show");
	if (nsnet_forward_set(nn, ns, !strcmp(p.ops[0], "on")) < 0)
		return lib_error(nn);
	return EXIT_OK;
}
