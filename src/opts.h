/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * opts.h - every command's options and operands as data: one table per
 * command (in the command's own file), parsed by getopt_long through
 * opt_next(), and the same tables print `--help`, the man page nsnet(8)
 * and the shell completion (src/gen.c), so that none can disagree.
 */
#ifndef NSNET_OPTS_H
#define NSNET_OPTS_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

struct nsnet;

/* Keys of options without a short letter start here; an option with a
 * letter has the letter as its key. */
#define OPT_LONG 256

/* struct opt.flags */
#define OPT_REPEAT 0x1   /* may be given more than once */

struct opt {
	int key;            /* the short letter, or OPT_LONG + n */
	const char *name;   /* long name without "--" */
	const char *arg;    /* the value's name ("N", "SECONDS"); NULL: a flag */
	const char *help;   /* what it does, one sentence */
	unsigned int flags;
	/* What completes the value: "file", "ns", "topo", "bridge", "if",
	 * "none", or words separated by spaces ("svg dot mermaid html").
	 * NULL: the value's name tells (see opts_value_kind()). */
	const char *complete;
};

/* struct cmd_spec.flags */
#define CMD_IN_ORDER 0x1  /* options only before the first operand: what
			   * follows is another program's (exec, sandbox) */
#define CMD_HIDDEN 0x2    /* not listed (aliases of other commands) */

typedef int (*cmd_fn)(struct nsnet *nn, int argc, char **argv);

/*
 * A command, or a group of subcommands (subs). args names the operands, in
 * the words --help shows: "NS DEST", "[FILE|NAME]", "NAME...". Their names
 * also choose what the completion offers at each position: NS and NODE
 * namespaces, BRIDGE bridges, IF interfaces of the namespace before it,
 * FILE files, NAME topologies that are up, DEST namespaces; a word in
 * lower case (on|off) is offered as it is.
 */
struct cmd_spec {
	const char *name;
	const char *aliases;   /* other names, separated by spaces, or NULL */
	const char *args;
	const char *summary;   /* one line, no full stop */
	const char *text;      /* more, in sentences; lines separated by \n */
	const char *examples;  /* command lines, one a line, each may end in
				* "  # what it does" */
	const struct opt *opts;       /* ends with { 0 }; NULL: none */
	cmd_fn fn;
	const struct cmd_spec *const *subs;  /* a group: ends with NULL */
	unsigned int flags;
	/* What completes each operand, when its name does not tell: kinds
	 * separated by spaces, one per position, the last repeating. */
	const char *complete;
};

/* The state of one command's parse. */
struct optparse {
	const struct cmd_spec *cmd;
	char path[64];        /* "ns add", for messages */
	int argc;
	char **argv;
	const char *arg;      /* the value of the option opt_next returned */
	int status;           /* after OPT_STOP: the exit status */
	int nops;             /* after OPT_END: the operands */
	char **ops;
	/* what getopt_long is given, built from cmd->opts */
	struct option longs[48];
	char shorts[128];
	bool started;
};

#define OPT_END 0
#define OPT_STOP (-1)

/* Begins a parse of argv (argv[0] the command's own name). */
void opt_begin(struct optparse *p, const struct cmd_spec *cmd, int argc,
	       char **argv);
/* The key of the next option (its value in p->arg); OPT_END when there are
 * no more (the operands in p->ops, p->nops); OPT_STOP when the command must
 * return p->status now: after -h/--help (0) or a usage error (2, said). */
int opt_next(struct optparse *p);
/* For commands without options but -h: OPT_END or OPT_STOP. */
int opt_parse(struct optparse *p, const struct cmd_spec *cmd, int argc,
	      char **argv);
/* The option's value did not parse: says so (naming the option), returns 2. */
int opt_bad_value(struct optparse *p, int key, const char *why);

/* ---- the commands (registry.c) ------------------------------------------- */

extern const struct cmd_spec *const cli_commands[];
/* The command (or subcommand, "ns add") with this path, or NULL. */
const struct cmd_spec *cmd_lookup(const char *path);
/* The full help of a command (path NULL: the overview). */
void help_print(FILE *f, const char *path);
/* "nsnet ns add [OPTION]... NAME..." */
void synopsis_print(FILE *f, const char *path, const struct cmd_spec *c);
/* The name among names[] nearest to s, when near enough to be a typo. */
const char *did_you_mean(const char *s, const char *const *names, size_t n);
/* The completion kind of an option value or an operand word. */
const char *opts_value_kind(const char *word);

#endif
