// SPDX-License-Identifier: GPL-2.0-or-later
/* cmd_exec.c - nsnet exec, shell, sandbox */
#include <errno.h>
#include <string.h>

#include "cli.h"

/* A program that could not be started gets the shell's statuses. */
static int exec_result(struct nsnet *nn, int rc)
{
	if (rc >= 0)
		return rc;
	if (rc == -ENOENT || rc == -EACCES) {
		fprintf(stderr, "nsnet: %s\n", nsnet_error(nn));
		return rc == -ENOENT ? 127 : 126;
	}
	return lib_error(nn);
}

int cmd_exec(struct nsnet *nn, int argc, char **argv)
{
	unsigned int flags = 0;
	const char *ns;
	int i = 1;

	for (; i < argc && argv[i][0] == '-' && strcmp(argv[i], "--"); i++) {
		if (!strcmp(argv[i], "--pid"))
			flags |= NSNET_EXEC_PID;
		else
			return usage_error("exec", "unknown option \"%s\"", argv[i]);
	}
	if (i >= argc)
		return usage_error("exec", "missing namespace");
	if (!strcmp(argv[i], "--"))
		return usage_error("exec", "missing namespace before --");
	ns = argv[i++];
	if (i < argc && !strcmp(argv[i], "--"))
		i++;
	if (i >= argc)
		return usage_error("exec", "missing command");
	return exec_result(nn, nsnet_exec(nn, ns, argv + i, flags));
}

int cmd_shell(struct nsnet *nn, int argc, char **argv)
{
	if (argc != 2)
		return usage_error("shell", "give exactly one namespace");
	nsnet_shell(nn, argv[1]);
	return lib_error(nn);
}

int cmd_sandbox(struct nsnet *nn, int argc, char **argv)
{
	bool upstream = true;
	int i = 1;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		}
		if (!strcmp(argv[i], "--no-upstream"))
			upstream = false;
		else
			return usage_error("sandbox", "unknown option \"%s\"",
					   argv[i]);
	}
	if (i >= argc)
		return usage_error("sandbox", "missing command");
	return exec_result(nn, nsnet_sandbox(nn, argv + i, upstream));
}
