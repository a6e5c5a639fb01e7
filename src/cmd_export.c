// SPDX-License-Identifier: GPL-2.0-or-later
/* cmd_export.c - nsnet export: a topology file for what exists now */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static int cmd_export(struct nsnet *nn, int argc, char **argv);

static const struct opt export_opts[] = {
	{ OPT_LONG, "name", "NAME", "the topology's name in the file (default: the one its "
	  "namespaces belong to, else exported)", 0, "none" },
	{ 'o', "output", "FILE", "write to FILE instead of standard output" },
	{ 0 }
};

const struct cmd_spec spec_export = {
	.name = "export",
	.args = "[NS]...",
	.summary = "write a topology file for the namespaces that exist now",
	.text = "Their bridges, cables, addresses, routes, NAT, published ports and\n"
		"forwarding, read from the kernel; without NS every namespace nsnet has a\n"
		"record of. What a file cannot say is written as comments.",
	.examples = "nsnet export -o mine.yaml\n"
		    "nsnet export --name lab red blue",
	.opts = export_opts,
	.fn = cmd_export,
};

static int cmd_export(struct nsnet *nn, int argc, char **argv)
{
	const char *name = NULL, *out = NULL;
	struct optparse p;
	char *yaml;
	int key, rc;

	opt_begin(&p, &spec_export, argc, argv);
	while ((key = opt_next(&p)) > 0) {
		if (key == OPT_LONG)
			name = p.arg;
		else if (key == 'o')
			out = p.arg;
	}
	if (key == OPT_STOP)
		return p.status;
	rc = nsnet_topo_export(nn, name, (const char *const *)p.ops, (size_t)p.nops, &yaml);
	if (rc < 0)
		return lib_error(nn);
	rc = write_out("export", out, yaml);
	free(yaml);
	return rc;
}
