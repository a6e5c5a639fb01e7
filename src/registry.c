// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * registry.c - the list of commands, finding the one argv names, help
 * texts from the commands' tables, and how errors reach the user (exit
 * statuses: 0 success, 1 failure, 2 bad usage).
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static int cmd_help(struct nsnet *nn, int argc, char **argv);
static int cmd_version(struct nsnet *nn, int argc, char **argv);

static const struct cmd_spec spec_help = {
	.name = "help",
	.args = "[COMMAND [SUBCOMMAND]]",
	.summary = "show the commands, or one command's options and examples",
	.text = "The same text as 'nsnet COMMAND --help'. 'man nsnet' has all of them\n"
		"with the exit statuses, files and environment.",
	.examples = "nsnet help ping\n"
		    "nsnet help ns add",
	.fn = cmd_help,
	.complete = "nsnet-command nsnet-subcommand",
};

static const struct cmd_spec spec_version = {
	.name = "version",
	.summary = "print nsnet's version (also: nsnet --version)",
	.fn = cmd_version,
};

/* In the order the overview lists them: building, looking, the firewall,
 * topologies, diagnosis. */
const struct cmd_spec *const cli_commands[] = {
	&spec_ns, &spec_bridge, &spec_cable, &spec_attach, &spec_detach, &spec_link,
	&spec_addr, &spec_route, &spec_forward, &spec_show,
	&spec_exec, &spec_shell, &spec_sandbox,
	&spec_nat, &spec_publish, &spec_unpublish, &spec_allow, &spec_deny,
	&spec_up, &spec_down, &spec_status, &spec_plan, &spec_logs, &spec_graph,
	&spec_export,
	&spec_ping, &spec_traceroute, &spec_check, &spec_doctor, &spec_trace,
	&spec_capture,
	&spec_help, &spec_version,
	NULL,
};

static bool name_is(const struct cmd_spec *c, const char *name)
{
	const char *a = c->aliases;
	size_t n = strlen(name);

	if (!strcmp(c->name, name))
		return true;
	while (a && *a) {
		size_t l = strcspn(a, " ");

		if (l == n && !strncmp(a, name, n))
			return true;
		a += l + (a[l] == ' ');
	}
	return false;
}

static const struct cmd_spec *find_in(const struct cmd_spec *const *list,
				      const char *name)
{
	for (; list && *list; list++)
		if (name_is(*list, name))
			return *list;
	return NULL;
}

/* The nearest name of list to a typo, or NULL. */
static const char *nearest(const struct cmd_spec *const *list, const char *name)
{
	const char *names[64];
	size_t n = 0;

	for (; list && *list && n < 64; list++)
		names[n++] = (*list)->name;
	return did_you_mean(name, names, n);
}

const struct cmd_spec *cmd_lookup(const char *path)
{
	char first[64];
	const struct cmd_spec *c;
	size_t l = strcspn(path, " ");

	if (l >= sizeof(first))
		return NULL;
	memcpy(first, path, l);
	first[l] = '\0';
	c = find_in(cli_commands, first);
	if (!c || !path[l])
		return c;
	return c->subs ? find_in(c->subs, path + l + 1) : NULL;
}

/* ---- help ------------------------------------------------------------------- */

void synopsis_print(FILE *f, const char *path, const struct cmd_spec *c)
{
	fprintf(f, "nsnet %s", path);
	if (c->subs)
		fprintf(f, " COMMAND [ARG]...");
	if (c->opts && c->opts->name)
		fprintf(f, " [OPTION]...");
	if (c->args)
		fprintf(f, " %s", c->args);
	fputc('\n', f);
}

static void indent_lines(FILE *f, const char *text, const char *indent)
{
	const char *p = text, *nl;

	while (p && *p) {
		nl = strchr(p, '\n');
		fprintf(f, "%s%.*s\n", indent, nl ? (int)(nl - p) : (int)strlen(p), p);
		p = nl ? nl + 1 : NULL;
	}
}

static void options_print(FILE *f, const struct cmd_spec *c)
{
	const struct opt *o;
	char label[80];

	fprintf(f, "\nOptions:\n");
	for (o = c->opts; o && o->name; o++) {
		int n;

		if (o->key < OPT_LONG)
			n = snprintf(label, sizeof(label), "-%c, --%s%s%s", o->key, o->name,
				     o->arg ? " " : "", o->arg ? o->arg : "");
		else
			n = snprintf(label, sizeof(label), "    --%s%s%s", o->name,
				     o->arg ? " " : "", o->arg ? o->arg : "");
		if (n > 24)
			fprintf(f, "  %s\n  %-24s  %s\n", label, "", o->help);
		else
			fprintf(f, "  %-24s  %s\n", label, o->help);
	}
	fprintf(f, "  %-24s  %s\n", "-h, --help", "show this help");
}

static void overview_print(FILE *f)
{
	const struct cmd_spec *const *c;

	fprintf(f, "usage: nsnet COMMAND [ARG]...\n\n"
		   "Build, run and debug virtual networks of Linux network namespaces.\n\n"
		   "Commands:\n");
	for (c = cli_commands; *c; c++)
		if (!((*c)->flags & CMD_HIDDEN))
			fprintf(f, "  %-11s %s\n", (*c)->name, (*c)->summary);
	fprintf(f, "\n'nsnet help COMMAND' (or 'nsnet COMMAND --help') shows a command's\n"
		   "options and examples; 'man nsnet' shows everything. The namespace\n"
		   "name 'host' means the namespace nsnet runs in. Exit status: 0 success,\n"
		   "1 failure, 2 bad usage or bad input.\n");
}

void help_print(FILE *f, const char *path)
{
	const struct cmd_spec *c = path ? cmd_lookup(path) : NULL;
	const struct cmd_spec *const *s;

	if (!c) {
		overview_print(f);
		return;
	}
	fprintf(f, "usage: ");
	synopsis_print(f, path, c);
	fprintf(f, "\n%c%s.\n", c->summary[0] >= 'a' && c->summary[0] <= 'z' ?
		c->summary[0] - 'a' + 'A' : c->summary[0], c->summary + 1);
	if (c->text) {
		fputc('\n', f);
		indent_lines(f, c->text, "");
	}
	if (c->subs) {
		fprintf(f, "\nCommands:\n");
		for (s = c->subs; *s; s++) {
			char sub[96];

			snprintf(sub, sizeof(sub), "%s %s", path, (*s)->name);
			fprintf(f, "  ");
			synopsis_print(f, sub, *s);
			fprintf(f, "      %s\n", (*s)->summary);
		}
		fprintf(f, "\n'nsnet %s COMMAND --help' shows a command's options.\n", path);
	}
	if (c->opts && c->opts->name)
		options_print(f, c);
	if (c->examples) {
		fprintf(f, "\nExamples:\n");
		indent_lines(f, c->examples, "  ");
	}
}

/* ---- errors --------------------------------------------------------------- */

int usage_error(const char *cmd, const char *fmt, ...)
{
	const struct cmd_spec *c = cmd_lookup(cmd);
	va_list ap;

	fprintf(stderr, "nsnet %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	if (c) {
		fprintf(stderr, "usage: ");
		synopsis_print(stderr, cmd, c);
		fprintf(stderr, "Run 'nsnet %s --help' for more.\n", cmd);
	}
	return EXIT_USAGE;
}

int lib_error(struct nsnet *nn)
{
	fprintf(stderr, "nsnet: %s\n", nsnet_error(nn));
	return nsnet_error_exit_code(nn);
}

/* The library's warnings (foreign firewall drops, ...), one a line. */
static void print_warning(void *data, const char *msg)
{
	(void)data;
	fprintf(stderr, "nsnet: warning: %s\n", msg);
}

/* ---- help and version ------------------------------------------------------ */

static int cmd_help(struct nsnet *nn, int argc, char **argv)
{
	struct optparse p;
	char path[128];
	const struct cmd_spec *c;

	(void)nn;
	if (opt_parse(&p, &spec_help, argc, argv) == OPT_STOP)
		return p.status;
	if (!p.nops) {
		overview_print(stdout);
		return EXIT_OK;
	}
	if (p.nops > 2)
		return usage_error("help", "give a command, and a subcommand of it");
	c = find_in(cli_commands, p.ops[0]);
	if (!c) {
		const char *near = nearest(cli_commands, p.ops[0]);

		return usage_error("help", "unknown command '%s'%s%s%s", p.ops[0],
				   near ? "; did you mean '" : "", near ? near : "",
				   near ? "'?" : "");
	}
	snprintf(path, sizeof(path), "%s", c->name);
	if (p.nops == 2) {
		const struct cmd_spec *s = find_in(c->subs, p.ops[1]);

		if (!s)
			return usage_error("help", "%s has no subcommand '%s'", c->name, p.ops[1]);
		snprintf(path, sizeof(path), "%s %s", c->name, s->name);
	}
	help_print(stdout, path);
	return EXIT_OK;
}

static int cmd_version(struct nsnet *nn, int argc, char **argv)
{
	struct optparse p;

	(void)nn;
	if (opt_parse(&p, &spec_version, argc, argv) == OPT_STOP)
		return p.status;
	if (p.nops)
		return usage_error("version", "takes no arguments");
	printf("nsnet %s\n", NSNET_VERSION);
	return EXIT_OK;
}

/* ---- main ---------------------------------------------------------------- */

static int unknown_command(const char *group, const struct cmd_spec *const *list,
			   const char *name)
{
	const char *near = nearest(list, name);

	if (group)
		fprintf(stderr, "nsnet %s: unknown subcommand '%s'", group, name);
	else
		fprintf(stderr, "nsnet: unknown %s '%s'", name[0] == '-' ? "option" : "command",
			name);
	if (near)
		fprintf(stderr, "; did you mean '%s'?", near);
	if (group)
		fprintf(stderr, "\nRun 'nsnet %s --help' for its subcommands.\n", group);
	else
		fprintf(stderr, "\nRun 'nsnet help' for the list of commands.\n");
	return EXIT_USAGE;
}

static int run(const struct cmd_spec *c, int argc, char **argv)
{
	struct nsnet *nn = nsnet_new();
	const char *ports;
	int rc;

	if (!nn) {
		fprintf(stderr, "nsnet: out of memory\n");
		return EXIT_FAIL;
	}
	nsnet_set_warn(nn, print_warning, NULL);
	/* For tests: a network past one bridge's share at a small size. */
	if ((ports = getenv("NSNET_BRIDGE_PORTS")) && *ports) {
		char *end;
		unsigned long v = strtoul(ports, &end, 10);

		if (*end || v > 1000 || nsnet_set_bridge_ports(nn, (unsigned int)v) < 0) {
			fprintf(stderr, "nsnet: NSNET_BRIDGE_PORTS=%.20s: give 4 to 1000\n", ports);
			nsnet_free(nn);
			return EXIT_USAGE;
		}
	}
	rc = c->fn(nn, argc, argv);
	nsnet_free(nn);
	return rc;
}

int cli_main(int argc, char **argv)
{
	const struct cmd_spec *c, *s;

	if (argc < 2) {
		overview_print(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		overview_print(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V"))
		return run(&spec_version, 1, argv + 1);
	c = find_in(cli_commands, argv[1]);
	if (!c)
		return unknown_command(NULL, cli_commands, argv[1]);
	if (!c->subs)
		return run(c, argc - 1, argv + 1);
	if (argc < 3)
		return usage_error(c->name, "missing subcommand");
	if (!strcmp(argv[2], "--help") || !strcmp(argv[2], "-h")) {
		help_print(stdout, c->name);
		return EXIT_OK;
	}
	s = find_in(c->subs, argv[2]);
	if (!s)
		return unknown_command(c->name, c->subs, argv[2]);
	return run(s, argc - 2, argv + 2);
}
