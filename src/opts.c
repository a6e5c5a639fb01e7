// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * opts.c - a command's option table to getopt_long and back: GNU rules
 * (options before or after operands, attached values -c1 and --count=1,
 * "--" ends the options, unambiguous prefixes of long names), -h/--help
 * on every command, and errors that name the option and suggest the
 * nearest one.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const struct opt *opt_find(const struct cmd_spec *c, int key)
{
	const struct opt *o;

	for (o = c->opts; o && o->name; o++)
		if (o->key == key)
			return o;
	return NULL;
}

/* The command's path ("ns add") from the registry, for messages. */
static void cmd_path(const struct cmd_spec *c, char *buf, size_t len)
{
	const struct cmd_spec *const *g, *const *s;

	for (g = cli_commands; *g; g++) {
		if (*g == c) {
			snprintf(buf, len, "%s", c->name);
			return;
		}
		for (s = (*g)->subs; s && *s; s++)
			if (*s == c) {
				snprintf(buf, len, "%s %s", (*g)->name, c->name);
				return;
			}
	}
	snprintf(buf, len, "%s", c->name);
}

void opt_begin(struct optparse *p, const struct cmd_spec *cmd, int argc,
	       char **argv)
{
	const struct opt *o;
	size_t nl = 0, ns = 0;

	memset(p, 0, sizeof(*p));
	p->cmd = cmd;
	p->argc = argc;
	p->argv = argv;
	cmd_path(cmd, p->path, sizeof(p->path));
	/* "+": stop at the first operand; ":": a missing value is ':'. */
	if (cmd->flags & CMD_IN_ORDER)
		p->shorts[ns++] = '+';
	p->shorts[ns++] = ':';
	for (o = cmd->opts; o && o->name; o++) {
		if (nl + 2 >= sizeof(p->longs) / sizeof(p->longs[0]) ||
		    ns + 4 >= sizeof(p->shorts))
			abort();  /* a table larger than the arrays: a bug */
		p->longs[nl++] = (struct option){ o->name, o->arg ? required_argument :
						  no_argument, NULL, o->key };
		if (o->key < OPT_LONG) {
			p->shorts[ns++] = (char)o->key;
			if (o->arg)
				p->shorts[ns++] = ':';
		}
	}
	p->longs[nl++] = (struct option){ "help", no_argument, NULL, 'h' };
	p->longs[nl] = (struct option){ 0 };
	p->shorts[ns++] = 'h';
	p->shorts[ns] = '\0';
}

/* "-c/--count" or "--json" for messages. */
static const char *opt_label(const struct opt *o, char *buf, size_t len)
{
	if (o->key < OPT_LONG)
		snprintf(buf, len, "-%c/--%s", o->key, o->name);
	else
		snprintf(buf, len, "--%s", o->name);
	return buf;
}

static int opt_unknown(struct optparse *p, const char *text)
{
	const char *names[64], *near;
	const struct opt *o;
	char given[64];
	size_t n = 0;

	if (optopt && optopt < OPT_LONG) {
		snprintf(given, sizeof(given), "-%c", optopt);
		near = NULL;
	} else {
		snprintf(given, sizeof(given), "%s", text ? text : "?");
		given[strcspn(given, "=")] = '\0';
		for (o = p->cmd->opts; o && o->name && n < 63; o++)
			names[n++] = o->name;
		names[n++] = "help";
		near = did_you_mean(given + strspn(given, "-"), names, n);
	}
	if (near)
		return usage_error(p->path, "unknown option '%s'; did you mean '--%s'?", given,
				   near);
	return usage_error(p->path, "unknown option '%s'", given);
}

int opt_next(struct optparse *p)
{
	const struct opt *o;
	char label[80];
	int c;

	if (!p->started) {
		p->started = true;
		optind = 0;  /* GNU: start afresh, whatever parsed before */
		opterr = 0;
	}
	c = getopt_long(p->argc, p->argv, p->shorts, p->longs, NULL);
	switch (c) {
	case -1:
		p->ops = p->argv + optind;
		p->nops = p->argc - optind;
		return OPT_END;
	case 'h':
		help_print(stdout, p->path);
		p->status = EXIT_OK;
		return OPT_STOP;
	case ':':
		o = opt_find(p->cmd, optopt);
		p->status = usage_error(p->path, "option '%s' needs a value (%s)",
					o ? opt_label(o, label, sizeof(label)) :
					p->argv[optind - 1], o ? o->arg : "?");
		return OPT_STOP;
	case '?':
		p->status = opt_unknown(p, p->argv[optind - 1]);
		return OPT_STOP;
	default:
		p->arg = optarg;
		return c;
	}
}

int opt_parse(struct optparse *p, const struct cmd_spec *cmd, int argc,
	      char **argv)
{
	int key;

	opt_begin(p, cmd, argc, argv);
	while ((key = opt_next(p)) > 0)
		;  /* a table with options needs its own loop */
	return key;
}

int opt_bad_value(struct optparse *p, int key, const char *why)
{
	const struct opt *o = opt_find(p->cmd, key);
	char label[80];

	return usage_error(p->path, "bad value '%s' for %s%s%s", p->arg ? p->arg : "",
			   o ? opt_label(o, label, sizeof(label)) : "option",
			   why ? ": " : "", why ? why : "");
}

/* ---- suggestions ---------------------------------------------------------- */

/* Edit distance (insert, delete, substitute, swap two neighbours), bounded
 * to short words: names here are. */
static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	size_t d[33][33];

	if (la > 32 || lb > 32)
		return 99;
	for (i = 0; i <= la; i++)
		d[i][0] = i;
	for (j = 0; j <= lb; j++)
		d[0][j] = j;
	for (i = 1; i <= la; i++)
		for (j = 1; j <= lb; j++) {
			size_t best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);

			if (d[i - 1][j] + 1 < best)
				best = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	return d[la][lb];
}

const char *did_you_mean(const char *s, const char *const *names, size_t n)
{
	size_t i, best = 99, d, len = strlen(s);
	const char *pick = NULL;

	for (i = 0; i < n; i++) {
		/* a prefix of a longer name ("stat" for "status") counts too */
		if (len >= 2 && !strncmp(names[i], s, len))
			d = 1;
		else
			d = distance(s, names[i]);
		if (d < best) {
			best = d;
			pick = names[i];
		}
	}
	/* one edit in short words, two from six letters on */
	return pick && best <= (len >= 6 ? 2u : 1u) ? pick : NULL;
}

const char *opts_value_kind(const char *w)
{
	static const struct { const char *word, *kind; } kinds[] = {
		{ "NS", "ns" }, { "NODE", "ns" }, { "DEST", "ns" }, { "A", "ns" },
		{ "B", "ns" }, { "BRIDGE", "bridge" }, { "BRIDGE1", "bridge" },
		{ "BRIDGE2", "bridge" }, { "IF", "if" }, { "IF|any", "if" },
		{ "FILE", "file" }, { "FILE.pcap", "file" }, { "FILE|NAME", "topo-file" },
		{ "NAME", "topo" }, { "CMD", "command" }, { "A[:IF]", "ns" },
		{ "B[:IF]", "ns" }, { "FILE|-", "file" },
	};
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(w, kinds[i].word))
			return kinds[i].kind;
	/* on|off|show: the words themselves */
	if (w[0] >= 'a' && w[0] <= 'z')
		return "words";
	return "none";
}
