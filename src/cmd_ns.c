// SPDX-License-Identifier: GPL-2.0-or-later
/* cmd_ns.c - nsnet ns add|del|list */
#include <string.h>

#include "cli.h"

int cmd_ns(struct nsnet *nn, int argc, char **argv)
{
	bool json = want_json(&argc, argv);
	unsigned int del_flags = want_force(&argc, argv) ? NSNET_FORCE : 0;
	int i, rc;

	if (argc < 2)
		return usage_error("ns", "missing subcommand");
	if (!strcmp(argv[1], "list") || !strcmp(argv[1], "ls")) {
		json_t *list;
		size_t k;

		if (argc > 2)
			return usage_error("ns", "list takes no arguments");
		rc = nsnet_ns_list(nn, &list);
		if (rc < 0)
			return lib_error(nn);
		if (json) {
			json_print(list);
		} else {
			for (k = 0; k < json_array_size(list); k++) {
				json_t *e = json_array_get(list, k);

				printf("%s%s\n",
				       json_string_value(json_object_get(e, "name")),
				       json_is_true(json_object_get(e, "nsnet")) ?
				       "" : "  (not created by nsnet)");
			}
		}
		json_decref(list);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "add") && strcmp(argv[1], "del") &&
	    strcmp(argv[1], "delete"))
		return usage_error("ns", "unknown subcommand \"%s\"", argv[1]);
	if (del_flags && !strcmp(argv[1], "add"))
		return usage_error("ns", "--force is for del");
	if (argc < 3)
		return usage_error("ns", "%s: missing namespace name", argv[1]);
	/* Validate every name before creating any. */
	for (i = 2; i < argc; i++)
		if (nsnet_check_ns_name(nn, argv[i]))
			return lib_error(nn);
	for (i = 2; i < argc; i++) {
		rc = !strcmp(argv[1], "add") ? nsnet_ns_add(nn, argv[i]) :
					       nsnet_ns_del(nn, argv[i], del_flags);
		if (rc < 0) {
			int j;

			/* ns add a b c where b fails: a is removed again. */
			if (!strcmp(argv[1], "add"))
				for (j = 2; j < i; j++) {
					struct nsnet *tmp = nsnet_new();

					nsnet_ns_del(tmp, argv[j], 0);
					nsnet_free(tmp);
				}
			return lib_error(nn);
		}
	}
	return EXIT_OK;
}
