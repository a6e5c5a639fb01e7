// SPDX-License-Identifier: GPL-2.0-or-later
/* cmd_export.c - nsnet export: a topology file for what exists now */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int cmd_export(struct nsnet *nn, int argc, char **argv)
{
	const char *name = NULL, *out = NULL;
	const char **ns = calloc((size_t)argc + 1, sizeof(*ns));
	size_t n = 0;
	char *yaml;
	int i, rc;

	if (!ns) {
		fprintf(stderr, "nsnet: out of memory\n");
		return EXIT_FAIL;
	}
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--name")) {
			if (++i == argc) {
				free(ns);
				return usage_error("export", "--name needs a topology name");
			}
			name = argv[i];
		} else if (!strcmp(argv[i], "-o") || !strcmp(argv[i], "--output")) {
			if (++i == argc) {
				free(ns);
				return usage_error("export", "-o needs a file name");
			}
			out = argv[i];
		} else if (argv[i][0] == '-' && argv[i][1]) {
			free(ns);
			return usage_error("export", "unknown option \"%s\"", argv[i]);
		} else {
			ns[n++] = argv[i];
		}
	}
	rc = nsnet_topo_export(nn, name, ns, n, &yaml);
	free(ns);
	if (rc < 0)
		return lib_error(nn);
	rc = write_out("export", out, yaml);
	free(yaml);
	return rc;
}
