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

static int cmd_exec(struct nsnet *nn, int argc, char **argv);
static int cmd_shell(struct nsnet *nn, int argc, char **argv);
static int cmd_sandbox(struct nsnet *nn, int argc, char **argv);

static const struct opt exec_opts[] = {
	{ OPT_LONG, "pid", NULL, "also a PID namespace of its own, with its own /proc (CMD is PID 1)" },
	{ 0 }
};

const struct cmd_spec spec_exec = {
	.name = "exec",
	.args = "NS [--] CMD [ARG]...",
	.summary = "run a command inside a namespace (like ip netns exec)",
	.text = "/etc/netns/NS/* is bound over /etc as ip netns exec does. Options\n"
		"come before NS: everything after it is the command's. The exit status\n"
		"is the command's (127: not found, 126: not executable).",
	.examples = "nsnet exec web -- ip addr\n"
		    "nsnet exec --pid web -- ps",
	.opts = exec_opts,
	.fn = cmd_exec,
	.flags = CMD_IN_ORDER,
	.complete = "ns command",
};

const struct cmd_spec spec_shell = {
	.name = "shell",
	.args = "NS",
	.summary = "start your shell inside a namespace",
	.text = "$SHELL (or /bin/sh), with a prompt naming NS.",
	.fn = cmd_shell,
};

static const struct opt sandbox_opts[] = {
	{ OPT_LONG, "no-upstream", NULL, "no simulated upstream (namespace \"upstream\", 198.51.100.0/24, "
	  "203.0.113.0/24, 2001:db8::/32)" },
	{ 0 }
};

const struct cmd_spec spec_sandbox = {
	.name = "sandbox",
	.args = "[--] CMD [ARG]...",
	.summary = "run CMD in a throwaway network with a simulated upstream",
	.text = "A private network, mount and PID namespace with tmpfs over /run/netns,\n"
		"/run/nsnet and /etc/netns: nothing CMD does with nsnet or ip reaches the\n"
		"machine, and everything is gone when it ends.",
	.examples = "nsnet sandbox -- bash\n"
		    "nsnet sandbox -- sh -c 'nsnet up examples/seed000.yaml && nsnet check'",
	.opts = sandbox_opts,
	.fn = cmd_sandbox,
	.flags = CMD_IN_ORDER,
	.complete = "command",
};

static int cmd_exec(struct nsnet *nn, int argc, char **argv)
{
	unsigned int flags = 0;
	struct optparse p;
	int key, i = 1;

	opt_begin(&p, &spec_exec, argc, argv);
	while ((key = opt_next(&p)) > 0)
		if (key == OPT_LONG)
			flags |= NSNET_EXEC_PID;
	if (key == OPT_STOP)
		return p.status;
	if (!p.nops)
		return usage_error(p.path, "missing namespace");
	if (p.nops > 1 && !strcmp(p.ops[1], "--"))
		i++;
	if (i >= p.nops)
		return usage_error(p.path, "missing command");
	return exec_result(nn, nsnet_exec(nn, p.ops[0], p.ops + i, flags));
}

static int cmd_shell(struct nsnet *nn, int argc, char **argv)
{
	struct optparse p;

	if (opt_parse(&p, &spec_shell, argc, argv) == OPT_STOP)
		return p.status;
	if (p.nops != 1)
		return usage_error(p.path, "give exactly one namespace");
	nsnet_shell(nn, p.ops[0]);
	return lib_error(nn);
}

static int cmd_sandbox(struct nsnet *nn, int argc, char **argv)
{
	bool upstream = true;
	struct optparse p;
	int key;

	opt_begin(&p, &spec_sandbox, argc, argv);
	while ((key = opt_next(&p)) > 0)
		if (key == OPT_LONG)
			upstream = false;
	if (key == OPT_STOP)
		return p.status;
	if (!p.nops)
		return usage_error(p.path, "missing command");
	return exec_result(nn, nsnet_sandbox(nn, p.ops, upstream));
}
