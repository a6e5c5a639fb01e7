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

/* A command: returns an exit status. argv[0] is the command's name. */
typedef int (*cmd_fn)(struct nsnet *nn, int argc, char **argv);

struct cmd {
	const char *name;
	cmd_fn fn;
	const char *usage;   /* one line per form, without "nsnet " */
	const char *summary;
};

/* main.c */
int usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int lib_error(struct nsnet *nn);
void print_usage(FILE *f, const char *cmd);

/* cmd_show.c: the CNI attachments of nsnet_cni_attachments() as a table
 * (show and status). */
void print_cni(json_t *cni);

/* output.c */
bool want_json(int *argc, char **argv);  /* removes --json/-j */
bool want_force(int *argc, char **argv); /* removes --force: NSNET_FORCE */
void json_print(json_t *doc);
/* Aligned tables: add rows of cells, then print. */
struct table;
struct table *table_new(int ncols, ...);  /* header cells */
void table_row(struct table *t, ...);      /* ncols strings (NULL: "") */
void table_print(struct table *t, FILE *f, const char *indent);
void table_free(struct table *t);

/* one function per command */
int cmd_ns(struct nsnet *nn, int argc, char **argv);
int cmd_exec(struct nsnet *nn, int argc, char **argv);
int cmd_shell(struct nsnet *nn, int argc, char **argv);
int cmd_sandbox(struct nsnet *nn, int argc, char **argv);
int cmd_cable(struct nsnet *nn, int argc, char **argv);
int cmd_bridge(struct nsnet *nn, int argc, char **argv);
int cmd_attach(struct nsnet *nn, int argc, char **argv);
int cmd_detach(struct nsnet *nn, int argc, char **argv);
int cmd_link(struct nsnet *nn, int argc, char **argv);
int cmd_addr(struct nsnet *nn, int argc, char **argv);
int cmd_route(struct nsnet *nn, int argc, char **argv);
int cmd_forward(struct nsnet *nn, int argc, char **argv);
int cmd_show(struct nsnet *nn, int argc, char **argv);
int cmd_ping(struct nsnet *nn, int argc, char **argv);
int cmd_traceroute(struct nsnet *nn, int argc, char **argv);
int cmd_nat(struct nsnet *nn, int argc, char **argv);
int cmd_publish(struct nsnet *nn, int argc, char **argv);
int cmd_unpublish(struct nsnet *nn, int argc, char **argv);
int cmd_allow(struct nsnet *nn, int argc, char **argv);
int cmd_deny(struct nsnet *nn, int argc, char **argv);
int cmd_up(struct nsnet *nn, int argc, char **argv);
int cmd_down(struct nsnet *nn, int argc, char **argv);
int cmd_status(struct nsnet *nn, int argc, char **argv);
int cmd_plan(struct nsnet *nn, int argc, char **argv);
int cmd_logs(struct nsnet *nn, int argc, char **argv);
int cmd_check(struct nsnet *nn, int argc, char **argv);
int cmd_doctor(struct nsnet *nn, int argc, char **argv);
int cmd_trace(struct nsnet *nn, int argc, char **argv);
int cmd_capture(struct nsnet *nn, int argc, char **argv);
int cmd_graph(struct nsnet *nn, int argc, char **argv);
int cmd_export(struct nsnet *nn, int argc, char **argv);
/* cmd_graph.c: text to path, or to stdout when path is NULL or "-". */
int write_out(const char *cmd, const char *path, const char *text);

#endif
