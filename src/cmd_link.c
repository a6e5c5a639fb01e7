// SPDX-License-Identifier: GPL-2.0-or-later
/* cmd_link.c - nsnet cable, bridge, attach, detach, link */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define MAX_ADDRS 16

static int parse_uint(const char *s, unsigned int *v)
{
	char *end;
	unsigned long x;

	if (!s || !*s || *s == '-' || *s == '+')
		return -1;
	x = strtoul(s, &end, 10);
	if (*end || x > 0xffffffffUL)
		return -1;
	*v = (unsigned int)x;
	return 0;
}

/* "ns:if" -> ns, if (if may be NULL). Modifies s. */
static void split_end(char *s, char **ns, char **ifname)
{
	char *colon = strchr(s, ':');

	*ns = s;
	*ifname = NULL;
	if (colon) {
		*colon = '\0';
		*ifname = colon + 1;
	}
}

/* ---- cable ----------------------------------------------------------------- */

static int cmd_cable(struct nsnet *nn, int argc, char **argv);

static const struct opt cable_opts[] = {
	{ 'a', "addr", "CIDR", "address of the first end (A)" },
	{ 'p', "peer-addr", "CIDR", "address of the second end (B)" },
	{ 'm', "mtu", "N", "MTU of both ends (68-65535)", 0, "none" },
	{ 0 }
};

const struct cmd_spec spec_cable = {
	.name = "cable",
	.args = "A[:IF] B[:IF]",
	.summary = "join two namespaces (or one and host) with a veth pair",
	.text = "IF names each end (default: veth-<other namespace>). Both ends come\n"
		"up; the routes of the addresses' subnets come with them.",
	.examples = "nsnet cable red:veth-red blue:veth-blue --addr 192.168.15.1/24 --peer-addr 192.168.15.2/24\n"
		    "nsnet cable host:v-eth1 ns1:v-peer1 --addr 10.200.1.1/24 --peer-addr 10.200.1.2/24",
	.opts = cable_opts,
	.fn = cmd_cable,
};

static int cmd_cable(struct nsnet *nn, int argc, char **argv)
{
	struct nsnet_cable c = { .struct_size = sizeof(c) };
	char *a_ns, *a_if, *b_ns, *b_if;
	struct optparse p;
	int key;

	opt_begin(&p, &spec_cable, argc, argv);
	while ((key = opt_next(&p)) > 0) {
		switch (key) {
		case 'a': c.a_addr = p.arg; break;
		case 'p': c.b_addr = p.arg; break;
		case 'm':
			if (parse_uint(p.arg, &c.mtu))
				return opt_bad_value(&p, key, "a number");
			break;
		}
	}
	if (key == OPT_STOP)
		return p.status;
	if (p.nops != 2)
		return usage_error(p.path, "give exactly two ends, A[:IF] B[:IF]");
	split_end(p.ops[0], &a_ns, &a_if);
	split_end(p.ops[1], &b_ns, &b_if);
	c.a_ns = a_ns;
	c.a_if = a_if;
	c.b_ns = b_ns;
	c.b_if = b_if;
	if (nsnet_cable_add(nn, &c) < 0)
		return lib_error(nn);
	return EXIT_OK;
}

/* ---- bridge ---------------------------------------------------------------- */

static int bridge_add(struct nsnet *nn, int argc, char **argv);
static int bridge_del(struct nsnet *nn, int argc, char **argv);

static const struct opt bridge_add_opts[] = {
	{ 'a', "addr", "CIDR", "an address of the bridge (the gateway of its namespaces)",
	  OPT_REPEAT },
	{ 'i', "internal", NULL, "no way out: its namespaces reach only each other" },
	{ 0 }
};

static const struct cmd_spec spec_bridge_add = {
	.name = "add",
	.args = "NAME",
	.summary = "create a bridge in the host namespace",
	.text = "Bridges are isolated from each other (nsnet allow joins two).",
	.examples = "nsnet bridge add app_br --addr 10.10.0.1/16",
	.opts = bridge_add_opts,
	.fn = bridge_add,
	.complete = "none",
};

static const struct opt bridge_del_opts[] = {
	{ 'f', "force", NULL, "delete a bridge nsnet did not create" },
	{ 0 }
};

static const struct cmd_spec spec_bridge_del = {
	.name = "del",
	.aliases = "delete",
	.args = "BRIDGE",
	.summary = "delete a bridge (its ports go with it)",
	.opts = bridge_del_opts,
	.fn = bridge_del,
};

const struct cmd_spec spec_bridge = {
	.name = "bridge",
	.summary = "create or delete a bridge in the host namespace",
	.subs = (const struct cmd_spec *const[]){ &spec_bridge_add, &spec_bridge_del, NULL },
};

static int bridge_add(struct nsnet *nn, int argc, char **argv)
{
	const char *addrs[MAX_ADDRS];
	unsigned int flags = 0;
	struct optparse p;
	size_t n = 0;
	int key;

	opt_begin(&p, &spec_bridge_add, argc, argv);
	while ((key = opt_next(&p)) > 0) {
		switch (key) {
		case 'a':
			if (n == MAX_ADDRS)
				return opt_bad_value(&p, key, "too many addresses");
			addrs[n++] = p.arg;
			break;
		case 'i': flags |= NSNET_BRIDGE_INTERNAL; break;
		}
	}
	if (key == OPT_STOP)
		return p.status;
	if (p.nops != 1)
		return usage_error(p.path, "give one bridge name");
	if (nsnet_bridge_add(nn, p.ops[0], addrs, n, flags) < 0)
		return lib_error(nn);
	return EXIT_OK;
}

static int bridge_del(struct nsnet *nn, int argc, char **argv)
{
	unsigned int flags = 0;
	struct optparse p;
	int key;

	opt_begin(&p, &spec_bridge_del, argc, argv);
	while ((key = opt_next(&p)) > 0)
		if (key == 'f')
			flags |= NSNET_FORCE;
	if (key == OPT_STOP)
		return p.status;
	if (p.nops != 1)
		return usage_error(p.path, "give one bridge name");
	if (nsnet_bridge_del(nn, p.ops[0], flags) < 0)
		return lib_error(nn);
	return EXIT_OK;
}

/* ---- attach, detach ---------------------------------------------------------- */

static int cmd_attach(struct nsnet *nn, int argc, char **argv);
static int cmd_detach(struct nsnet *nn, int argc, char **argv);

static const struct opt attach_opts[] = {
	{ 'a', "addr", "CIDR", "an address inside NS (without /PREFIX: the bridge's prefix); "
	  "none given: a free one from the bridge's subnet", OPT_REPEAT },
	{ 'g', "gateway", "IP", "default route via IP (usually the bridge's address)" },
	{ 'i', "ifname", "IF", "the interface's name inside NS (default: the first free ethN)",
	  0, "none" },
	{ OPT_LONG + 1, "host-ifname", "IF", "the name of the bridge's end in the host "
	  "(default: NS-<hash>)", 0, "none" },
	{ 'm', "mtu", "N", "MTU of both ends (68-65535)", 0, "none" },
	{ 0 }
};

const struct cmd_spec spec_attach = {
	.name = "attach",
	.args = "NS BRIDGE",
	.summary = "plug a namespace into a bridge",
	.text = "A veth pair: one end inside NS, the other a port of BRIDGE. Without\n"
		"--addr, NS gets the first free address of the bridge's subnet (as up\n"
		"gives nodes theirs), chosen under nsnet's lock and checked against\n"
		"the neighbours the kernel knows, so concurrent attaches get distinct ones.",
	.examples = "nsnet attach web app_br --addr 10.10.0.10/16 --gateway 10.10.0.1\n"
		    "nsnet attach red br0 --ifname eth0 --host-ifname veth-red-br\n"
		    "nsnet attach database app_br           # the next free address",
	.opts = attach_opts,
	.fn = cmd_attach,
};

const struct cmd_spec spec_detach = {
	.name = "detach",
	.args = "NS BRIDGE",
	.summary = "unplug a namespace from a bridge",
	.fn = cmd_detach,
};

static int cmd_attach(struct nsnet *nn, int argc, char **argv)
{
	const char *addrs[MAX_ADDRS];
	char chosen[256] = "";
	struct nsnet_attach a = { .struct_size = sizeof(a), .auto_addr = true, .chosen = chosen,
				  .chosen_len = sizeof(chosen) };
	struct optparse p;
	size_t i;
	int key, rc;

	opt_begin(&p, &spec_attach, argc, argv);
	while ((key = opt_next(&p)) > 0) {
		switch (key) {
		case 'a':
			if (a.n_addrs == MAX_ADDRS)
				return opt_bad_value(&p, key, "too many addresses");
			addrs[a.n_addrs++] = p.arg;
			break;
		case 'g': a.gateway = p.arg; break;
		case 'i': a.ifname = p.arg; break;
		case OPT_LONG + 1: a.host_ifname = p.arg; break;
		case 'm':
			if (parse_uint(p.arg, &a.mtu))
				return opt_bad_value(&p, key, "a number");
			break;
		}
	}
	if (key == OPT_STOP)
		return p.status;
	if (p.nops != 2)
		return usage_error(p.path, "give a namespace and a bridge");
	a.ns = p.ops[0];
	a.bridge = p.ops[1];
	a.addrs = addrs;
	rc = nsnet_attach(nn, &a);
	if (rc < 0)
		return lib_error(nn);
	/* What nsnet chose or completed is said: nothing silent. */
	for (i = 0; i < a.n_addrs && chosen[0]; i++)
		if (!strchr(addrs[i], '/'))
			break;
	if (chosen[0] && !a.n_addrs)
		printf("%s: %s (a free address of %s's subnet)\n", a.ns, chosen, a.bridge);
	else if (chosen[0] && i < a.n_addrs)
		printf("%s: %s (the prefix of %s's subnet)\n", a.ns, chosen, a.bridge);
	return EXIT_OK;
}

static int cmd_detach(struct nsnet *nn, int argc, char **argv)
{
	struct optparse p;

	if (opt_parse(&p, &spec_detach, argc, argv) == OPT_STOP)
		return p.status;
	if (p.nops != 2)
		return usage_error(p.path, "give a namespace and a bridge");
	if (nsnet_detach(nn, p.ops[0], p.ops[1]) < 0)
		return lib_error(nn);
	return EXIT_OK;
}

/* ---- link ---------------------------------------------------------------- */

static int link_set(struct nsnet *nn, int argc, char **argv);
static int link_del(struct nsnet *nn, int argc, char **argv);

static const struct cmd_spec spec_link_set = {
	.name = "set",
	.args = "NS IF [up|down] [mtu N] [rate R|none] [loss P|none] [delay T [jitter T]|none]",
	.summary = "bring an interface up or down, change its MTU, impair a link",
	.text = "rate (a token bucket: 10mbit, 1gbit, 500kbit), loss (a percentage,\n"
		"dropped by an nftables rule) and delay with jitter (netem, where the\n"
		"kernel has it) apply to both directions of a veth; none removes one.\n"
		"Every word is checked before anything changes (docs/impairments.md).",
	.examples = "nsnet link set red veth-red mtu 1400\n"
		    "nsnet link set web eth0 down\n"
		    "nsnet link set web eth0 rate 10mbit loss 1%\n"
		    "nsnet link set web eth0 rate none loss none",
	.fn = link_set,
	/* the words are values, and a bad one ("-1mbit") is named as such,
	 * not taken for an option */
	.flags = CMD_IN_ORDER,
	.complete = "ns if up|down|mtu|rate|loss|delay|jitter",
};

static const struct opt link_del_opts[] = {
	{ 'f', "force", NULL, "delete an interface nsnet did not create" },
	{ 0 }
};

static const struct cmd_spec spec_link_del = {
	.name = "del",
	.aliases = "delete",
	.args = "NS IF",
	.summary = "delete an interface (a veth's peer goes with it, as the kernel does)",
	.opts = link_del_opts,
	.fn = link_del,
};

const struct cmd_spec spec_link = {
	.name = "link",
	.summary = "change or delete an interface",
	.subs = (const struct cmd_spec *const[]){ &spec_link_set, &spec_link_del, NULL },
};

/*
 * link set NS IF WORD...: up|down, mtu N, and the impairments rate R,
 * loss P, delay T [jitter T] (each "none" to remove it), in any
 * combination. Every word is checked before anything changes.
 */
static int link_set(struct nsnet *nn, int argc, char **argv)
{
	struct nsnet_link_impair imp = { .struct_size = sizeof(imp) };
	unsigned int mtu = 0;
	bool set_mtu = false;
	struct optparse p;
	int up = -1, rc = 0, i;

	if (opt_parse(&p, &spec_link_set, argc, argv) == OPT_STOP)
		return p.status;
	if (p.nops < 3)
		return usage_error(p.path, "expected NS IF up|down|mtu N|rate R|loss P|delay T [jitter T]");
	for (i = 2; i < p.nops; i++) {
		const char *w = p.ops[i];

		if (!strcmp(w, "up") || !strcmp(w, "down")) {
			if (up >= 0)
				return usage_error(p.path, "up or down: once");
			up = !strcmp(w, "up");
		} else if (!strcmp(w, "mtu")) {
			if (i + 1 == p.nops || parse_uint(p.ops[i + 1], &mtu))
				return usage_error(p.path, "mtu needs a number");
			set_mtu = true;
			i++;
		} else if (!strcmp(w, "rate") || !strcmp(w, "loss") ||
			   !strcmp(w, "delay") || !strcmp(w, "jitter")) {
			if (i + 1 == p.nops)
				return usage_error(p.path, "%s needs a value (or none)", w);
			if (nsnet_link_impair_parse(nn, &imp, w, p.ops[i + 1]) < 0)
				return usage_error(p.path, "%s", nsnet_error(nn));
			i++;
		} else {
			return usage_error(p.path, "unknown setting '%s'", w);
		}
	}
	/* Impairments first: a delay the kernel cannot give fails before
	 * anything changes. */
	if (imp.set)
		rc = nsnet_link_impair(nn, p.ops[0], p.ops[1], &imp);
	if (!rc && set_mtu)
		rc = nsnet_link_set_mtu(nn, p.ops[0], p.ops[1], mtu);
	if (!rc && up >= 0)
		rc = nsnet_link_set_up(nn, p.ops[0], p.ops[1], up);
	return rc < 0 ? lib_error(nn) : EXIT_OK;
}

static int link_del(struct nsnet *nn, int argc, char **argv)
{
	unsigned int flags = 0;
	struct optparse p;
	int key;

	opt_begin(&p, &spec_link_del, argc, argv);
	while ((key = opt_next(&p)) > 0)
		if (key == 'f')
			flags |= NSNET_FORCE;
	if (key == OPT_STOP)
		return p.status;
	if (p.nops != 2)
		return usage_error(p.path, "give NS IF");
	return nsnet_link_del(nn, p.ops[0], p.ops[1], flags) < 0 ? lib_error(nn) : EXIT_OK;
}
