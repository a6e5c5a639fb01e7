// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * load.c - the topology a command names: a FILE, the NAME of one that is
 * up (the file its last up was made from), or, given nothing, the one
 * topology that is up. Above the parser: load calls parse, which calls the
 * model's helpers, and nothing calls back up.
 */
#include <dirent.h>
#include <stdio.h>
#include <string.h>

#include "topology/topology.h"

/* The one topology that is up, for commands whose FILE|NAME is optional. */
static int topo_only_one_up(struct nsnet *nn, char *name, size_t len)
{
	DIR *d = opendir(NSNET_RUN_DIR "/topo");
	struct dirent *de;
	int n = 0;

	while (d && (de = readdir(d)))
		if (de->d_name[0] != '.' && n++ == 0)
			snprintf(name, len, "%s", de->d_name);
	if (d)
		closedir(d);
	if (n == 1)
		return 0;
	return err_usage(nn, n ? "%d topologies are up: name one" :
			 "no topology is up: give a FILE (or bring one up with nsnet up FILE)", n);
}

int topo_load(struct nsnet *nn, const char *file_or_name, struct topo **out)
{
	char path[600], file[512], name[256];
	int rc;

	if (!file_or_name) {
		if ((rc = topo_only_one_up(nn, name, sizeof(name))))
			return rc;
		file_or_name = name;
	}
	if (topo_arg_is_file(file_or_name))
		return topo_parse_file(nn, file_or_name, out);
	/* A name: the file its last up was made from, recorded by up. It
	 * names a directory: "..", "-x" or "a b" are refused, not looked up. */
	if ((rc = topo_name_check(nn, file_or_name)))
		return rc;
	topo_record_dir(path, sizeof(path), file_or_name);
	strncat(path, "/file", sizeof(path) - strlen(path) - 1);
	if (read_small_file(path, file, sizeof(file)) <= 0)
		return err_set(nn, 0, "topology %s is not up (no %s)",
			       file_or_name, path);
	return topo_parse_file(nn, file, out);
}
