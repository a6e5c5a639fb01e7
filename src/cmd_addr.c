// SPDX-License-Identifier: GPL-2.0-or-later
/* cmd_addr.c - nsnet addr, route, forward */
#include <string.h>

#include "cli.h"

int cmd_addr(struct nsnet *nn, int argc, char **argv)
{
	unsigned int del_flags = want_force(&argc, argv) ? NSNET_FORCE : 0;
	int rc;

	if (argc != 5 || (strcmp(argv[1], "add") && strcmp(argv[1], "del")))
		return usage_error("addr", "expected: addr add|del NS IF CIDR");
	if (del_flags && strcmp(argv[1], "del"))
		return usage_error("addr", "--force is for del");
	rc = !strcmp(argv[1], "add") ? nsnet_addr_add(nn, argv[2], argv[3], argv[4])
				     : nsnet_addr_del(nn, argv[2], argv[3], argv[4], del_flags);
	return rc < 0 ? lib_error(nn) : EXIT_OK;
}

int cmd_route(struct nsnet *nn, int argc, char **argv)
{
	unsigned int del_flags = want_force(&argc, argv) ? NSNET_FORCE : 0;
	const char *via = NULL, *dev = NULL;
	int i, rc;

	if (argc < 6 || (strcmp(argv[1], "add") && strcmp(argv[1], "del")))
		return usage_error("route", "expected: route add|del NS DEST via GW | dev IF");
	if (del_flags && strcmp(argv[1], "del"))
		return usage_error("route", "--force is for del");
	for (i = 4; i < argc; i += 2) {
		if (i + 1 >= argc)
			return usage_error("route", "\"%s\" needs a value", argv[i]);
		if (!strcmp(argv[i], "via"))
			via = argv[i + 1];
		else if (!strcmp(argv[i], "dev"))
			dev = argv[i + 1];
		else
			return usage_error("route", "unknown keyword \"%s\"", argv[i]);
	}
	rc = !strcmp(argv[1], "add") ? nsnet_route_add(nn, argv[2], argv[3], via, dev)
				     : nsnet_route_del(nn, argv[2], argv[3], via, dev, del_flags);
	return rc < 0 ? lib_error(nn) : EXIT_OK;
}

int cmd_forward(struct nsnet *nn, int argc, char **argv)
{
	const char *ns = argc > 2 ? argv[2] : NSNET_HOST;
	bool v4, v6;

	if (argc < 2 || argc > 3)
		return usage_error("forward", "expected: forward on|off|show [NS]");
	if (nsnet_check_ns_name(nn, ns) && strcmp(ns, NSNET_HOST))
		return lib_error(nn);
	if (!strcmp(argv[1], "show")) {
		if (nsnet_forward_get(nn, ns, &v4, &v6) < 0)
			return lib_error(nn);
		printf("%s: ipv4 forwarding %s, ipv6 forwarding %s\n", ns,
		       v4 ? "on" : "off", v6 ? "on" : "off");
		return EXIT_OK;
	}
	if (strcmp(argv[1], "on") && strcmp(argv[1], "off"))
		return usage_error("forward", "expected on, off or show");
	if (nsnet_forward_set(nn, ns, !strcmp(argv[1], "on")) < 0)
		return lib_error(nn);
	return EXIT_OK;
}
