// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * gen.c - nsnet-gen, run by the build: the man page nsnet(8) and the bash
 * and zsh completion, written from the same option tables as `--help`
 * (src/registry.c, src/cmd_*.c), so that none of them can disagree. It
 * only walks the tables and prints; it calls nothing of libnsnet.
 *
 *   nsnet-gen man VERSION > nsnet.8
 *   nsnet-gen bash > nsnet
 *   nsnet-gen zsh > _nsnet
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define MAX_OPERANDS 8

/* ---- operands: what completes each position ---------------------------------- */

struct operands {
	char kind[MAX_OPERANDS][160];  /* "ns", "if", "words:on off", ... */
	int n;
	bool repeat;                  /* the last one repeats */
};

/* From the spec's complete string, else from the names in args. */
static void operands_of(const struct cmd_spec *c, struct operands *ops)
{
	const char *s = c->complete ? c->complete : c->args;
	char word[128];

	memset(ops, 0, sizeof(*ops));
	while (s && *s && ops->n < MAX_OPERANDS) {
		size_t l = strcspn(s, " "), i, j = 0;
		const char *kind;

		snprintf(word, sizeof(word), "%.*s", (int)l, s);
		s += l + (s[l] == ' ');
		if (strstr(word, "..."))
			ops->repeat = true;
		/* "[FILTER]..." -> "FILTER"; "[--]" and "--" are no operand */
		for (i = 0; word[i]; i++)
			if (word[i] != '[' && word[i] != ']' && word[i] != '.')
				word[j++] = word[i];
		word[j] = '\0';
		if (!strcmp(word, "--") || !*word)
			continue;
		/* complete names kinds; args names operands; "on|off" is words */
		kind = c->complete ? word : opts_value_kind(word);
		if (c->complete && strchr(word, '|'))
			kind = "words";
		if (!strcmp(kind, "words")) {
			char *p;

			snprintf(ops->kind[ops->n], sizeof(ops->kind[0]), "words:%s", word);
			for (p = ops->kind[ops->n]; *p; p++)
				if (*p == '|')
					*p = ' ';
		} else {
			snprintf(ops->kind[ops->n], sizeof(ops->kind[0]), "%s", kind);
		}
		ops->n++;
	}
}

static const char *opt_value_kind(const struct opt *o)
{
	if (o->complete)
		return o->complete;
	return opts_value_kind(o->arg);
}

/* ---- the man page ------------------------------------------------------------- */

/* Text for roff: backslashes doubled, '-' as \-, no line starting with a
 * control character. */
static void roff(const char *s, bool line_start)
{
	for (; *s; s++) {
		if (line_start && (*s == '.' || *s == '\''))
			fputs("\\&", stdout);
		line_start = *s == '\n';
		if (*s == '\\')
			fputs("\\e", stdout);
		else if (*s == '-')
			fputs("\\-", stdout);
		else
			putchar(*s);
	}
}

static void man_synopsis(const char *path, const struct cmd_spec *c)
{
	printf(".SS \"nsnet %s\"\n\\fBnsnet %s\\fR", path, path);
	if (c->subs)
		printf(" \\fICOMMAND\\fR");
	if (c->opts && c->opts->name)
		printf(" [\\fIOPTION\\fR]...");
	if (c->args) {
		printf(" \\fI");
		roff(c->args, false);
		printf("\\fR");
	}
	printf("\n.br\n");
}

static void man_options(const struct cmd_spec *c)
{
	const struct opt *o;

	for (o = c->opts; o && o->name; o++) {
		printf(".TP\n.BR ");
		if (o->key < OPT_LONG)
			printf("\\-%c \", \" ", o->key);
		printf("\\-\\-");
		roff(o->name, false);
		if (o->arg) {
			printf(" \" \" \\fI");
			roff(o->arg, false);
			printf("\\fR");
		}
		printf("\n");
		roff(o->help, true);
		printf("\n");
	}
}

static void man_command(const char *path, const struct cmd_spec *c)
{
	const char *a = c->aliases;

	man_synopsis(path, c);
	/* the summary as a sentence */
	printf("%c", c->summary[0] >= 'a' && c->summary[0] <= 'z' ? c->summary[0] - 'a' + 'A' :
	       c->summary[0]);
	roff(c->summary + 1, false);
	printf(".");
	if (a) {
		printf(" Also: ");
		roff(a, false);
		printf(".");
	}
	printf("\n");
	if (c->text) {
		printf("\n");
		roff(c->text, true);
		printf("\n");
	}
	if (c->opts && c->opts->name)
		man_options(c);
	if (c->examples) {
		printf(".PP\n.EX\n");
		roff(c->examples, true);
		printf("\n.EE\n");
	}
}

static int gen_man(const char *version)
{
	const struct cmd_spec *const *c, *const *s;

	printf(".\\\" nsnet(8): written by nsnet-gen (src/gen.c) from the commands' option\n"
	       ".\\\" tables; edit those, not this file.\n");
	printf(".TH NSNET 8 \"\" \"nsnet %s\" \"System Administration\"\n", version);
	printf(".SH NAME\nnsnet \\- build, run and debug virtual networks of Linux network namespaces\n"
	       ".SH SYNOPSIS\n.B nsnet\n.I COMMAND\n.RI [ ARG ]...\n.br\n"
	       ".B nsnet\n.I COMMAND\n.B \\-\\-help\n.br\n.B nsnet help\n.RI [ COMMAND ]\n.br\n"
	       ".B nsnet \\-\\-version\n");
	printf(".SH DESCRIPTION\n"
	       "nsnet builds, runs and debugs virtual networks made of Linux network\n"
	       "namespaces: namespaces, veth cables, bridges, addresses, routes, forwarding,\n"
	       "NAT, published ports and isolation, one command at a time or whole\n"
	       "topologies from a file (\\fBnsnet\\-topology\\fR(5)).\n"
	       "It talks to the kernel directly (rtnetlink, nftables), never runs\n"
	       "\\fBip\\fR, \\fBnft\\fR or a shell to do its work, and marks what it creates\n"
	       "(interface alias \\fInsnet\\fR, routes with protocol 245, its own nftables\n"
	       "table) so that it never touches what is not its own.\n"
	       ".PP\n"
	       "Namespaces are the ones \\fBip netns\\fR sees. The name \\fBhost\\fR means the\n"
	       "namespace nsnet runs in. Options may come before or after the operands\n"
	       "(except for \\fBexec\\fR and \\fBsandbox\\fR, whose options come first);\n"
	       "\\fB\\-\\-\\fR ends them; values may be attached (\\fB\\-c1\\fR,\n"
	       "\\fB\\-\\-count=1\\fR). Every command and subcommand takes \\fB\\-h\\fR,\n"
	       "\\fB\\-\\-help\\fR. Most commands need root (CAP_NET_ADMIN, CAP_SYS_ADMIN).\n");
	printf(".SH COMMANDS\n");
	for (c = cli_commands; *c; c++) {
		if ((*c)->flags & CMD_HIDDEN)
			continue;
		if (!(*c)->subs) {
			man_command((*c)->name, *c);
			continue;
		}
		if ((*c)->text) {
			printf(".SS \"nsnet %s\"\n", (*c)->name);
			roff((*c)->summary, true);
			printf(". ");
			roff((*c)->text, false);
			printf("\n");
		}
		for (s = (*c)->subs; *s; s++) {
			char path[96];

			snprintf(path, sizeof(path), "%s %s", (*c)->name, (*s)->name);
			man_command(path, *s);
		}
	}
	printf(".SH EXIT STATUS\n"
	       ".TP\n.B 0\nSuccess (for \\fBcheck\\fR: every expectation met; \\fBping\\fR,\n"
	       "\\fBtraceroute\\fR, \\fBtrace\\fR: an answer came; \\fBstatus\\fR: the\n"
	       "topology matches its file).\n"
	       ".TP\n.B 1\nFailure: the kernel refused, something is missing or broken, no\n"
	       "answer came. The message names the object and carries the kernel's words.\n"
	       ".TP\n.B 2\nBad usage or bad input: an unknown command or option, a bad value,\n"
	       "a topology file that does not exist or does not parse.\n"
	       ".PP\n\\fBexec\\fR and \\fBsandbox\\fR exit with the command's status (127: not\n"
	       "found, 126: not executable).\n");
	printf(".SH ENVIRONMENT\n"
	       ".TP\n.B NO_COLOR\nWhen set and not empty, no colour even on a terminal\n"
	       "(otherwise FAIL and BROKEN are red, ok and met green on a terminal).\n"
	       ".TP\n.B NSNET_TIMING\nWhen set, \\fBup\\fR, \\fBplan\\fR and \\fBdown\\fR print how long\n"
	       "each step took on standard error.\n"
	       ".TP\n.B NSNET_BRIDGE_PORTS\nFor tests: how many nodes one bridge of a topology's\n"
	       "network takes before the network spans leaf bridges (4 to 1000; default\n"
	       "1000). Every command on that topology must see the same value.\n"
	       ".TP\n.B SHELL\nThe shell of \\fBnsnet shell\\fR.\n");
	printf(".SH FILES\n"
	       ".TP\n.I /run/netns/NAME\nThe namespaces (bind mounts), shared with \\fBip netns\\fR.\n"
	       ".TP\n.I /run/nsnet/ns/NAME\nnsnet's record that it created a namespace, and for\n"
	       "which topology.\n"
	       ".TP\n.I /run/nsnet/topo/NAME/\nA topology that is up: the file it came from, the\n"
	       "pids and logs of its \\fBrun:\\fR and \\fBsetup:\\fR commands.\n"
	       ".TP\n.I /run/nsnet/lock\nThe lock every change of shared state is made under.\n"
	       ".TP\n.I /etc/netns/NAME/\nFiles bound over /etc inside the namespace by\n"
	       "\\fBnsnet exec\\fR (and \\fBip netns exec\\fR): a topology's nodes get hosts\n"
	       "and resolv.conf there; names of ping, traceroute, trace and doctor are\n"
	       "looked up in its hosts file.\n");
	printf(".SH EXAMPLES\n"
	       "Two namespaces on a bridge, with a way out:\n"
	       ".PP\n.EX\n"
	       "nsnet ns add web database\n"
	       "nsnet bridge add app_br \\-\\-addr 10.10.0.1/16\n"
	       "nsnet attach web app_br \\-\\-addr 10.10.0.10/16 \\-\\-gateway 10.10.0.1\n"
	       "nsnet attach database app_br \\-\\-gateway 10.10.0.1\n"
	       "nsnet nat add app_br\n"
	       "nsnet ping web database\n"
	       ".EE\n.PP\nA whole topology, checked and explained:\n.PP\n.EX\n"
	       "nsnet up shop.yaml\n"
	       "nsnet check shop\n"
	       "nsnet doctor web database:5432\n"
	       "nsnet down shop\n"
	       ".EE\n");
	printf(".SH SEE ALSO\n"
	       "\\fBnsnet\\-topology\\fR(5), \\fBip\\-netns\\fR(8), \\fBip\\-link\\fR(8), \\fBnft\\fR(8),\n"
	       "\\fBping\\fR(8), \\fBtraceroute\\fR(8), \\fBtcpdump\\fR(8), \\fBpcap\\-filter\\fR(7)\n");
	return 0;
}

/* ---- bash ------------------------------------------------------------------------ */

/* Single-quoted for the shell. */
static void sh_quote(const char *s)
{
	putchar('\'');
	for (; *s; s++) {
		if (*s == '\'')
			fputs("'\\''", stdout);
		else
			putchar(*s);
	}
	putchar('\'');
}

/* One case branch: the spec of a command path. */
static void bash_spec(const char *path, const struct cmd_spec *c)
{
	const struct cmd_spec *const *s;
	const struct opt *o;
	struct operands ops;
	int i;

	printf("\t");
	sh_quote(path);
	printf(")\n");
	if (c->subs) {
		printf("\t\t_subs='");
		for (s = c->subs; *s; s++)
			printf("%s%s%s%s", s == c->subs ? "" : " ", (*s)->name,
			       (*s)->aliases ? " " : "", (*s)->aliases ? (*s)->aliases : "");
		printf("' ;;\n");
		return;
	}
	printf("\t\t_opts='--help -h");
	for (o = c->opts; o && o->name; o++) {
		printf(" --%s", o->name);
		if (o->key < OPT_LONG)
			printf(" -%c", o->key);
	}
	printf("'\n\t\t_args=(");
	for (o = c->opts; o && o->name; o++) {
		if (!o->arg)
			continue;
		char kind[200];

		/* "svg dot mermaid html": those words */
		snprintf(kind, sizeof(kind), "%s%s", strchr(opt_value_kind(o), ' ') ? "words:" : "",
			 opt_value_kind(o));
		printf(" [--%s]=", o->name);
		sh_quote(kind);
		if (o->key < OPT_LONG) {
			printf(" [-%c]=", o->key);
			sh_quote(kind);
		}
	}
	printf(" )\n");
	operands_of(c, &ops);
	printf("\t\t_ops=(");
	for (i = 0; i < ops.n; i++) {
		printf(" ");
		sh_quote(ops.kind[i]);
	}
	printf(" )\n\t\t_repeat=%d _in_order=%d ;;\n", ops.repeat,
	       !!(c->flags & CMD_IN_ORDER));
}

static int gen_bash(void)
{
	const struct cmd_spec *const *c, *const *s;

	printf("# bash completion for nsnet: written by nsnet-gen (src/gen.c) from the\n"
	       "# commands' option tables; edit those, not this file.\n\n");
	/* Words never hold spaces here: names of namespaces, interfaces and
	 * topologies cannot (files, which may, come from compgen -f). */
	printf("_nsnet_words() {\n"
	       "\tCOMPREPLY+=($(compgen -W \"$1\" -- \"$cur\"))\n"
	       "}\n\n");
	/* What each kind of value is made of. Namespaces and topologies are
	 * directories nsnet and ip keep; interfaces of a namespace come from
	 * ip, as an observer (it needs the same rights as nsnet). */
	printf("_nsnet_complete_kind() {\n"
	       "\tlocal kind=$1 ns=$2 d\n"
	       "\tcase $kind in\n"
	       "\tns) _nsnet_words \"host\n$(ls /run/netns 2>/dev/null)\" ;;\n"
	       "\ttopo) _nsnet_words \"$(ls /run/nsnet/topo 2>/dev/null)\" ;;\n"
	       "\ttopo-file) _nsnet_words \"$(ls /run/nsnet/topo 2>/dev/null)\"\n"
	       "\t\tCOMPREPLY+=($(compgen -f -- \"$cur\")) ;;\n"
	       "\tbridge)\n"
	       "\t\tfor d in /sys/class/net/*/bridge; do\n"
	       "\t\t\t[ -d \"$d\" ] && d=${d%%/bridge} && _nsnet_words \"${d##*/}\"\n"
	       "\t\tdone ;;\n"
	       "\tif)\n"
	       "\t\tif [ -z \"$ns\" ] || [ \"$ns\" = host ]; then\n"
	       "\t\t\t_nsnet_words \"$(ls /sys/class/net 2>/dev/null)\nany\"\n"
	       "\t\telse\n"
	       "\t\t\t_nsnet_words \"$(ip -n \"$ns\" -o link show 2>/dev/null |\n"
	       "\t\t\t\tawk -F': ' '{ sub(/@.*/, \"\", $2); print $2 }')\nany\"\n"
	       "\t\tfi ;;\n"
	       "\tfile) COMPREPLY+=($(compgen -f -- \"$cur\")) ;;\n"
	       "\tcommand) COMPREPLY+=($(compgen -c -- \"$cur\")) ;;\n"
	       "\tnsnet-command) _nsnet_words \"$_nsnet_commands\" ;;\n"
	       "\tnsnet-subcommand) _nsnet_spec \"$ns\"; _nsnet_words \"$_subs\" ;;\n"
	       "\twords:*) _nsnet_words \"${kind#words:}\" ;;\n"
	       "\t*) ;;\n"
	       "\tesac\n"
	       "}\n\n");
	printf("_nsnet_commands='");
	for (c = cli_commands; *c; c++)
		printf("%s%s", c == cli_commands ? "" : " ", (*c)->name);
	printf("'\n\n");
	/* The tables: options, the kind of each option's value, the kind of
	 * each operand. */
	printf("_nsnet_spec() {\n\t_subs= _opts= _args=() _ops=() _repeat=0 _in_order=0\n"
	       "\tcase $1 in\n");
	for (c = cli_commands; *c; c++) {
		bash_spec((*c)->name, *c);
		for (s = (*c)->subs; s && *s; s++) {
			char path[96];
			const char *a = (*s)->aliases;

			snprintf(path, sizeof(path), "%s %s", (*c)->name, (*s)->name);
			bash_spec(path, *s);
			while (a && *a) {
				size_t l = strcspn(a, " ");

				snprintf(path, sizeof(path), "%s %.*s", (*c)->name, (int)l, a);
				bash_spec(path, *s);
				a += l + (a[l] == ' ');
			}
		}
	}
	printf("\tesac\n}\n\n");
	printf("_nsnet() {\n"
	       "\tlocal cur=${COMP_WORDS[COMP_CWORD]} path i w n=0 dd=0 start=2 last_ns=\n"
	       "\tlocal _subs _opts _repeat _in_order kind\n"
	       "\tlocal -A _args\n\tlocal -a _ops\n"
	       "\tCOMPREPLY=()\n"
	       "\tif [ \"$COMP_CWORD\" -eq 1 ]; then\n"
	       "\t\t_nsnet_words \"$_nsnet_commands\n--help\n--version\"\n"
	       "\t\treturn 0\n"
	       "\tfi\n"
	       "\tpath=${COMP_WORDS[1]}\n"
	       "\t_nsnet_spec \"$path\"\n"
	       "\tif [ -n \"$_subs\" ]; then\n"
	       "\t\tif [ \"$COMP_CWORD\" -eq 2 ]; then\n"
	       "\t\t\t_nsnet_words \"$_subs\n--help\"\n"
	       "\t\t\treturn 0\n"
	       "\t\tfi\n"
	       "\t\tpath=\"$path ${COMP_WORDS[2]}\"\n"
	       "\t\t_nsnet_spec \"$path\"\n"
	       "\t\tstart=3\n"
	       "\tfi\n"
	       /* the words before the cursor: options, their values, operands */
	       "\tlocal -a operands=()\n"
	       "\tfor ((i = start; i < COMP_CWORD; i++)); do\n"
	       "\t\tw=${COMP_WORDS[i]}\n"
	       "\t\tif [ $dd -eq 0 ] && [ \"$w\" = -- ]; then dd=1; continue; fi\n"
	       "\t\tif [ $dd -eq 0 ] && [[ $w == -?* ]] &&\n"
	       "\t\t   { [ $_in_order -eq 0 ] || [ ${#operands[@]} -eq 0 ]; }; then\n"
	       "\t\t\t[[ $w == *=* ]] && continue\n"
	       "\t\t\t[ -n \"${_args[$w]+x}\" ] && i=$((i + 1))\n"
	       "\t\t\tcontinue\n"
	       "\t\tfi\n"
	       "\t\toperands+=(\"$w\")\n"
	       "\tdone\n"
	       "\tn=${#operands[@]}\n"
	       /* the value of an option */
	       "\tw=${COMP_WORDS[COMP_CWORD-1]}\n"
	       "\tif [ $dd -eq 0 ] && [ $COMP_CWORD -gt $start ] && [ -n \"${_args[$w]+x}\" ] &&\n"
	       "\t   { [ $_in_order -eq 0 ] || [ $n -eq 0 ]; }; then\n"
	       "\t\t_nsnet_complete_kind \"${_args[$w]}\" \"${operands[0]-}\"\n"
	       "\t\treturn 0\n"
	       "\tfi\n"
	       "\tif [[ $cur == --*=* ]] && [ $dd -eq 0 ]; then\n"
	       "\t\tw=${cur%%%%=*}\n"
	       "\t\tcur=${cur#*=}\n"
	       "\t\t[ -n \"${_args[$w]+x}\" ] && _nsnet_complete_kind \"${_args[$w]}\" \"${operands[0]-}\"\n"
	       "\t\treturn 0\n"
	       "\tfi\n"
	       "\tif [[ $cur == -* ]] && [ $dd -eq 0 ] &&\n"
	       "\t   { [ $_in_order -eq 0 ] || [ $n -eq 0 ]; }; then\n"
	       "\t\t_nsnet_words \"${_opts// /$'\\n'}\"\n"
	       "\t\treturn 0\n"
	       "\tfi\n"
	       /* an operand: its kind by position, the last repeating */
	       "\tif [ $n -lt ${#_ops[@]} ]; then\n"
	       "\t\tkind=${_ops[n]}\n"
	       "\telif [ $_repeat -eq 1 ] && [ ${#_ops[@]} -gt 0 ]; then\n"
	       "\t\tkind=${_ops[${#_ops[@]}-1]}\n"
	       "\telse\n"
	       "\t\treturn 0\n"
	       "\tfi\n"
	       /* exec NS CMD ARG...: after the command, its own arguments */
	       "\tif [ \"$kind\" = command ] && [ $n -gt $(( ${#_ops[@]} - 1 )) ]; then kind=file; fi\n"
	       "\tif [ $n -gt 0 ]; then\n"
	       "\t\tif [ \"$kind\" = nsnet-subcommand ]; then last_ns=${operands[0]}; else\n"
	       "\t\t\tlast_ns=${operands[n-1]}; last_ns=${last_ns%%%%:*}; fi\n"
	       "\tfi\n"
	       "\t_nsnet_complete_kind \"$kind\" \"$last_ns\"\n"
	       "\treturn 0\n"
	       "}\n\n"
	       "complete -F _nsnet nsnet\n");
	return 0;
}

/* ---- zsh -------------------------------------------------------------------------- */

/* Text inside an _arguments spec's [...] or a :message: no ] : \ ' */
static void zsh_text(const char *s, size_t max)
{
	size_t n = 0;

	for (; *s && n < max; s++, n++) {
		if (*s == '[' || *s == ']' || *s == ':' || *s == '\\')
			putchar(' ');
		else if (*s == '\'')
			fputs("'\\''", stdout);
		else
			putchar(*s);
	}
}

static const char *zsh_action(const char *kind)
{
	if (!strcmp(kind, "ns"))
		return "_nsnet_ns";
	if (!strcmp(kind, "topo"))
		return "_nsnet_topo";
	if (!strcmp(kind, "topo-file"))
		return "_alternative 'topo:topology:_nsnet_topo' 'file:file:_files'";
	if (!strcmp(kind, "bridge"))
		return "_nsnet_bridge";
	if (!strcmp(kind, "if"))
		return "_nsnet_if";
	if (!strcmp(kind, "file"))
		return "_files";
	if (!strcmp(kind, "command"))
		return "_command_names -e";
	if (!strcmp(kind, "nsnet-command"))
		return "_nsnet_commands";
	if (!strcmp(kind, "nsnet-subcommand"))
		return " ";
	return " ";
}

static void zsh_arguments(const struct cmd_spec *c)
{
	const struct opt *o;
	struct operands ops;
	int i;

	printf("\t\t_arguments -s -S %s\\\n", c->flags & CMD_IN_ORDER ? "-A '-*' " : "");
	printf("\t\t\t'(- *)'{-h,--help}'[show the help]' \\\n");
	for (o = c->opts; o && o->name; o++) {
		const char *kind = o->arg ? opt_value_kind(o) : NULL;

		printf("\t\t\t");
		if (o->flags & OPT_REPEAT)
			printf("'*'");
		if (o->key < OPT_LONG)
			printf("{-%c%s,--%s%s}'[", o->key, o->arg ? "+" : "", o->name,
			       o->arg ? "=" : "");
		else
			printf("'--%s%s[", o->name, o->arg ? "=" : "");
		zsh_text(o->help, 120);
		printf("]");
		if (o->arg) {
			printf(":");
			zsh_text(o->arg, 40);
			printf(":");
			if (!strcmp(kind, "none"))
				printf(" ");
			else if (!strchr(kind, ' ') || !strcmp(kind, "topo-file"))
				printf("%s", zsh_action(kind));
			else {
				printf("(");
				zsh_text(kind, 200);
				printf(")");
			}
		}
		printf("' \\\n");
	}
	operands_of(c, &ops);
	for (i = 0; i < ops.n; i++) {
		const char *kind = ops.kind[i];

		if (ops.repeat && i == ops.n - 1)
			printf("\t\t\t'*:");
		else
			printf("\t\t\t'%d:", i + 1);
		zsh_text(strncmp(kind, "words:", 6) ? kind : "word", 40);
		printf(":");
		if (!strncmp(kind, "words:", 6)) {
			printf("(");
			zsh_text(kind + 6, 200);
			printf(")");
		} else if (!strcmp(kind, "command") && c->flags & CMD_IN_ORDER) {
			printf("_command_names -e'");
			printf(" \\\n\t\t\t'*::arguments:_normal");
		} else {
			printf("%s", zsh_action(kind));
		}
		printf("' \\\n");
	}
	printf("\t\t\t&& return 0\n");
}

static int gen_zsh(void)
{
	const struct cmd_spec *const *c, *const *s;

	printf("#compdef nsnet\n"
	       "# zsh completion for nsnet: written by nsnet-gen (src/gen.c) from the\n"
	       "# commands' option tables; edit those, not this file.\n\n");
	printf("_nsnet_ns() { local -a n; n=(host ${(f)\"$(ls /run/netns 2>/dev/null)\"}); "
	       "_describe -t namespaces namespace n }\n"
	       "_nsnet_topo() { local -a n; n=(${(f)\"$(ls /run/nsnet/topo 2>/dev/null)\"}); "
	       "_describe -t topologies topology n }\n"
	       "_nsnet_bridge() { local -a n d; for d in /sys/class/net/*/bridge(N); do "
	       "n+=(${${d%%/bridge}##*/}); done; _describe -t bridges bridge n }\n"
	       /* the namespace is the operand before: $line holds the operands */
	       "_nsnet_if() {\n"
	       "\tlocal ns=${line[1]%%%%:*} ; local -a n\n"
	       "\tif [[ -z $ns || $ns == host ]]; then n=(${(f)\"$(ls /sys/class/net)\"})\n"
	       "\telse n=(${(f)\"$(ip -n $ns -o link show 2>/dev/null | "
	       "awk -F': ' '{ sub(/@.*/, \"\", $2); print $2 }')\"}); fi\n"
	       "\tn+=(any); _describe -t interfaces interface n\n"
	       "}\n");
	printf("_nsnet_commands() {\n\tlocal -a cmds\n\tcmds=(\n");
	for (c = cli_commands; *c; c++) {
		printf("\t\t'%s:", (*c)->name);
		zsh_text((*c)->summary, 200);
		printf("'\n");
	}
	printf("\t)\n\t_describe -t commands command cmds\n}\n\n");
	printf("_nsnet() {\n"
	       "\tif (( CURRENT == 2 )); then _nsnet_commands; return; fi\n"
	       "\tlocal cmd=$words[2]\n"
	       "\tshift words; (( CURRENT-- ))\n"
	       "\tcase $cmd in\n");
	for (c = cli_commands; *c; c++) {
		printf("\t%s%s%s)\n", (*c)->name, (*c)->aliases ? "|" : "",
		       (*c)->aliases ? (*c)->aliases : "");
		if (!(*c)->subs) {
			zsh_arguments(*c);
			printf("\t\t;;\n");
			continue;
		}
		printf("\t\tif (( CURRENT == 2 )); then\n\t\t\tlocal -a subs; subs=(\n");
		for (s = (*c)->subs; *s; s++) {
			printf("\t\t\t\t'%s:", (*s)->name);
			zsh_text((*s)->summary, 200);
			printf("'\n");
		}
		printf("\t\t\t)\n\t\t\t_describe -t commands subcommand subs; return\n\t\tfi\n"
		       "\t\tlocal sub=$words[2]\n\t\tshift words; (( CURRENT-- ))\n"
		       "\t\tcase $sub in\n");
		for (s = (*c)->subs; *s; s++) {
			char alias[64] = "";

			if ((*s)->aliases) {
				size_t k;

				snprintf(alias, sizeof(alias), "|%s", (*s)->aliases);
				for (k = 0; alias[k]; k++)
					if (alias[k] == ' ')
						alias[k] = '|';
			}
			printf("\t\t%s%s)\n", (*s)->name, alias);
			zsh_arguments(*s);
			printf("\t\t;;\n");
		}
		printf("\t\tesac ;;\n");
	}
	printf("\tesac\n}\n\n_nsnet \"$@\"\n");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "man"))
		return gen_man(argv[2]);
	if (argc == 2 && !strcmp(argv[1], "bash"))
		return gen_bash();
	if (argc == 2 && !strcmp(argv[1], "zsh"))
		return gen_zsh();
	fprintf(stderr, "usage: nsnet-gen man VERSION | bash | zsh\n");
	return EXIT_USAGE;
}
