/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cli.h - the nsnet command line: one file per command group, each a thin
 * layer that parses arguments, calls libnsnet and prints. No kernel work.
 */
#ifndef NSNET_CLI_H
#define NSNET_CLI_H

#include <stdbool.h>
#include <stdio.h>
#include <jansson.h>

#include "nsnet.h"

/* Exit statuses. */
#define EXIT_OK 0
#define EXIT_FAIL 1
#define EXIT_USAGE 2

#include "opts.h"

/* registry.c: the commands, help, and what main does */
int cli_main(int argc, char **argv);
/* "nsnet CMD: what is wrong", the command's synopsis and where its help
 * is; returns EXIT_USAGE. cmd is the command's path ("ns add"). */
int usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int lib_error(struct nsnet *nn);

/* cmd_topo.c: --host NAME of the topology commands (docs/multihost.md),
 * one entry of their tables; host_opt() hands its value to the library
 * (EXIT_OK, or the usage error said). */
#define OPT_HOST (OPT_LONG + 16)
#define OPT_HOST_ENTRY                                                       \
	{ OPT_HOST, "host", "NAME", "the machine of the file's hosts: this one is "   \
	  "(default: the one whose address it has)", 0, "none" }
int host_opt(struct nsnet *nn, struct optparse *p);

/* cmd_show.c: the CNI attachments of nsnet_cni_attachments() as a table
 * (show and status). */
void print_cni(json_t *cni);

/* output.c */
void json_print(json_t *doc);
/* Colour for a word of a verdict (FAIL, BROKEN red; ok, met green) when
 * f is a terminal and NO_COLOR is not set; otherwise the word as it is.
 * width pads the word (colour codes do not count). */
void print_word(FILE *f, const char *word, int width);
/* Whether the two streams end on the same terminal (one person reads
 * both: say a verdict once). */
bool same_terminal(FILE *a, FILE *b);
/* "1 node", "2 nodes" */
const char *plural(size_t n, const char *one, const char *many);
/* Aligned tables: add rows of cells, then print. */
struct table;
struct table *table_new(int ncols, ...);  /* header cells */
void table_row(struct table *t, ...);      /* ncols strings (NULL: "") */
void table_print(struct table *t, FILE *f, const char *indent);
void table_free(struct table *t);

/* one table per command, each in its command's file */
extern const struct cmd_spec spec_ns;
extern const struct cmd_spec spec_exec;
extern const struct cmd_spec spec_shell;
extern const struct cmd_spec spec_sandbox;
extern const struct cmd_spec spec_cable;
extern const struct cmd_spec spec_bridge;
extern const struct cmd_spec spec_attach;
extern const struct cmd_spec spec_detach;
extern const struct cmd_spec spec_link;
extern const struct cmd_spec spec_addr;
extern const struct cmd_spec spec_route;
extern const struct cmd_spec spec_forward;
extern const struct cmd_spec spec_show;
extern const struct cmd_spec spec_ping;
extern const struct cmd_spec spec_traceroute;
extern const struct cmd_spec spec_nat;
extern const struct cmd_spec spec_publish;
extern const struct cmd_spec spec_unpublish;
extern const struct cmd_spec spec_allow;
extern const struct cmd_spec spec_deny;
extern const struct cmd_spec spec_up;
extern const struct cmd_spec spec_down;
extern const struct cmd_spec spec_status;
extern const struct cmd_spec spec_plan;
extern const struct cmd_spec spec_logs;
extern const struct cmd_spec spec_check;
extern const struct cmd_spec spec_doctor;
extern const struct cmd_spec spec_trace;
extern const struct cmd_spec spec_capture;
extern const struct cmd_spec spec_graph;
extern const struct cmd_spec spec_export;

/* cmd_graph.c: text to path, or to stdout when path is NULL or "-". */
int write_out(const char *cmd, const char *path, const char *text);

#endif
