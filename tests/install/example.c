// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * example.c - a program that uses libnsnet the way any other would: the
 * installed nsnet.h and `pkg-config --cflags --libs nsnet`, nothing else
 * (tests/system/install.bats builds and runs it).
 *
 *     cc example.c $(pkg-config --cflags --libs nsnet) -o example
 *     ./example a b      # namespaces a and b on a cable, 10.99.0.1 - .2
 */
#include <stdio.h>
#include <stdlib.h>
#include <jansson.h>
#include <nsnet.h>

static int fail(struct nsnet *nn, const char *what)
{
	fprintf(stderr, "example: %s: %s\n", what, nsnet_error(nn));
	return nsnet_error_exit_code(nn);
}

int main(int argc, char **argv)
{
	struct nsnet *nn;
	json_t *list, *ns;
	size_t i;

	if (argc != 3) {
		fprintf(stderr, "usage: example NS1 NS2\n");
		return 2;
	}
	nn = nsnet_new();
	if (!nn)
		return 1;
	if (nsnet_ns_add(nn, argv[1]) < 0 || nsnet_ns_add(nn, argv[2]) < 0)
		return fail(nn, "ns add");

	struct nsnet_cable cable = {
		.struct_size = sizeof(cable),
		.a_ns = argv[1], .a_addr = "10.99.0.1/24",
		.b_ns = argv[2], .b_addr = "10.99.0.2/24",
	};
	if (nsnet_cable_add(nn, &cable) < 0)
		return fail(nn, "cable");

	/* The list is ours: json_decref() frees it. */
	if (nsnet_ns_list(nn, &list) < 0)
		return fail(nn, "ns list");
	json_array_foreach(list, i, ns)
		printf("%s\n", json_string_value(json_object_get(ns, "name")));
	json_decref(list);
	nsnet_free(nn);
	return 0;
}
