// SPDX-License-Identifier: GPL-2.0-or-later
/* cmd_link.c - nsnet cable, bridge, attach, detach, link */
#include <getopt.h>
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

int cmd_cable(struct nsnet *nn, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "addr", required_argument, NULL, 'a' },
		{ "peer-addr", required_argument, NULL, 'p' },
		{ "mtu", required_argument, NULL, 'm' },
		{ 0 }
	};
	struct nsnet_cable c = { .struct_size = sizeof(c) };
	char *a_ns, *a_if, *b_ns, *b_if;
	int opt;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (opt) {
		case 'a': c.a_addr = optarg; break;
		case 'p': c.b_addr = optarg; break;
		case 'm':
			if (parse_uint(optarg, &c.mtu))
				return usage_error("cable", "bad --mtu \"%s\"", optarg);
			break;
		case ':':
			return usage_error("cable", "%s needs a value", argv[optind - 1]);
		default:
			return usage_error("cable", "unknown option \"%s\"", argv[optind - 1]);
		}
	}
	if (argc - optind != 2)
		return usage_error("cable", "give exactly two ends, A[:IF] B[:IF]");
	split_end(argv[optind], &a_ns, &a_if);
	split_end(argv[optind + 1], &b_ns, &b_if);
	c.a_ns = a_ns;
	c.a_if = a_if;
	c.b_ns = b_ns;
	c.b_if = b_if;
	if (nsnet_cable_add(nn, &c) < 0)
		return lib_error(nn);
	return EXIT_OK;
}

int cmd_bridge(struct nsnet *nn, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "addr", required_argument, NULL, 'a' },
		{ "internal", no_argument, NULL, 'i' },
		{ 0 }
	};
	const char *addrs[MAX_ADDRS];
	size_t n = 0;
	unsigned int flags = 0;
	int opt;

	if (argc < 2)
		return usage_error("bridge", "missing subcommand");
	if (!strcmp(argv[1], "del") || !strcmp(argv[1], "delete")) {
		if (argc != 3)
			return usage_error("bridge", "del takes one bridge name");
		if (nsnet_bridge_del(nn, argv[2]) < 0)
			return lib_error(nn);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "add"))
		return usage_error("bridge", "unknown subcommand \"%s\"", argv[1]);
	optind = 2;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (opt) {
		case 'a':
			if (n == MAX_ADDRS)
				return usage_error("bridge", "too many --addr");
			addrs[n++] = optarg;
			break;
		case 'i': flags |= NSNET_BRIDGE_INTERNAL; break;
		case ':':
			return usage_error("bridge", "%s needs a value", argv[optind - 1]);
		default:
			return usage_error("bridge", "unknown option \"%s\"", argv[optind - 1]);
		}
	}
	if (argc - optind != 1)
		return usage_error("bridge", "add takes one bridge name");
	if (nsnet_bridge_add(nn, argv[optind], addrs, n, flags) < 0)
		return lib_error(nn);
	return EXIT_OK;
}

int cmd_attach(struct nsnet *nn, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "addr", required_argument, NULL, 'a' },
		{ "gateway", required_argument, NULL, 'g' },
		{ "ifname", required_argument, NULL, 'i' },
		{ "mtu", required_argument, NULL, 'm' },
		{ 0 }
	};
	const char *addrs[MAX_ADDRS];
	struct nsnet_attach a = { .struct_size = sizeof(a) };
	int opt;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (opt) {
		case 'a':
			if (a.n_addrs == MAX_ADDRS)
				return usage_error("attach", "too many --addr");
			addrs[a.n_addrs++] = optarg;
			break;
		case 'g': a.gateway = optarg; break;
		case 'i': a.ifname = optarg; break;
		case 'm':
			if (parse_uint(optarg, &a.mtu))
				return usage_error("attach", "bad --mtu \"%s\"", optarg);
			break;
		case ':':
			return usage_error("attach", "%s needs a value", argv[optind - 1]);
		default:
			return usage_error("attach", "unknown option \"%s\"", argv[optind - 1]);
		}
	}
	if (argc - optind != 2)
		return usage_error("attach", "give a namespace and a bridge");
	a.ns = argv[optind];
	a.bridge = argv[optind + 1];
	a.addrs = addrs;
	if (nsnet_attach(nn, &a) < 0)
		return lib_error(nn);
	return EXIT_OK;
}

int cmd_detach(struct nsnet *nn, int argc, char **argv)
{
	if (argc != 3)
		return usage_error("detach", "give a namespace and a bridge");
	if (nsnet_detach(nn, argv[1], argv[2]) < 0)
		return lib_error(nn);
	return EXIT_OK;
}

/*
 * link set NS IF WORD...: up|down, mtu N, and the impairments rate R,
 * loss P, delay T [jitter T] (each "none" to remove it), in any
 * combination. Every word is checked before anything changes.
 */
int cmd_link(struct nsnet *nn, int argc, char **argv)
{
	struct nsnet_link_impair imp = { .struct_size = sizeof(imp) };
	unsigned int mtu = 0;
	bool set_mtu = false;
	int up = -1, rc = 0, i;

	if (argc >= 2 && (!strcmp(argv[1], "del") || !strcmp(argv[1], "delete"))) {
		if (argc != 4)
			return usage_error("link", "del takes NS IF");
		rc = nsnet_link_del(nn, argv[2], argv[3]);
		return rc < 0 ? lib_error(nn) : EXIT_OK;
	}
	if (argc < 5 || strcmp(argv[1], "set"))
		return usage_error("link",
			"expected: link set NS IF up|down|mtu N|rate R|loss P|delay T [jitter T]");
	for (i = 4; i < argc; i++) {
		const char *w = argv[i];

		if (!strcmp(w, "up") || !strcmp(w, "down")) {
			if (up >= 0)
				return usage_error("link", "up or down: once");
			up = !strcmp(w, "up");
		} else if (!strcmp(w, "mtu")) {
			if (i + 1 == argc || parse_uint(argv[i + 1], &mtu))
				return usage_error("link", "mtu needs a number");
			set_mtu = true;
			i++;
		} else if (!strcmp(w, "rate") || !strcmp(w, "loss") ||
			   !strcmp(w, "delay") || !strcmp(w, "jitter")) {
			if (i + 1 == argc)
				return usage_error("link", "%s needs a value (or none)", w);
			if (nsnet_link_impair_parse(nn, &imp, w, argv[i + 1]) < 0)
				return usage_error("link", "%s", nsnet_error(nn));
			i++;
		} else {
			return usage_error("link", "unknown setting \"%s\"", w);
		}
	}
	/* Impairments first: a delay the kernel cannot give fails before
	 * anything changes. */
	if (imp.set)
		rc = nsnet_link_impair(nn, argv[2], argv[3], &imp);
	if (!rc && set_mtu)
		rc = nsnet_link_set_mtu(nn, argv[2], argv[3], mtu);
	if (!rc && up >= 0)
		rc = nsnet_link_set_up(nn, argv[2], argv[3], up);
	return rc < 0 ? lib_error(nn) : EXIT_OK;
}
