// SPDX-License-Identifier: GPL-2.0-or-later
/* cmd_topo.c - nsnet up, down, status, plan, logs */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static void print_line(void *data, const char *text)
{
	(void)data;
	printf("%s\n", text);
}

/* On a terminal, large topologies show how far along they are. */
static void print_progress(void *data, const char *step, size_t done,
			   size_t total)
{
	(void)data;
	if (total < 100 || (done % 50 && done != total))
		return;
	fprintf(stderr, "\r%s %zu/%zu", step, done, total);
	if (done == total)
		fprintf(stderr, "\n");
}

/* NSNET_TIMING=1 prints how long each step took (for bench/). */
static void print_timing(void *data, const char *step, double ms)
{
	(void)data;
	fprintf(stderr, "nsnet: %-12s %8.1f ms\n", step, ms);
}

static void topo_watch(struct nsnet *nn)
{
	if (isatty(STDERR_FILENO))
		nsnet_set_progress(nn, print_progress, NULL);
	if (getenv("NSNET_TIMING"))
		nsnet_set_timing(nn, print_timing, NULL);
}

/* Each action's equivalent commands, one a line. */
static int print_plan(struct nsnet *nn, const char *file)
{
	json_t *plan, *a, *c;
	size_t i, j;

	topo_watch(nn);
	if (nsnet_topo_plan(nn, file, &plan) < 0)
		return lib_error(nn);
	if (!json_array_size(json_object_get(plan, "actions")))
		printf("# %s is up to date: nothing to do\n",
		       json_string_value(json_object_get(plan, "name")));
	json_array_foreach(json_object_get(plan, "actions"), i, a)
		json_array_foreach(json_object_get(a, "commands"), j, c)
			printf("%s\n", json_string_value(c));
	json_decref(plan);
	return EXIT_OK;
}

static int topo_up(struct nsnet *nn, const char *file, bool dry)
{
	if (dry)
		return print_plan(nn, file);
	topo_watch(nn);
	if (nsnet_topo_up(nn, file, NSNET_TOPO_PROGRESS, print_line, NULL) < 0)
		return lib_error(nn);
	return EXIT_OK;
}

int cmd_up(struct nsnet *nn, int argc, char **argv)
{
	bool dry = false;
	const char *file = NULL;
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--dry-run") || !strcmp(argv[i], "-n"))
			dry = true;
		else if (argv[i][0] == '-')
			return usage_error("up", "unknown option \"%s\"", argv[i]);
		else if (file)
			return usage_error("up", "one file at a time");
		else
			file = argv[i];
	}
	if (!file)
		return usage_error("up", "missing topology file");
	return topo_up(nn, file, dry);
}

int cmd_plan(struct nsnet *nn, int argc, char **argv)
{
	if (argc != 2)
		return usage_error("plan", "give one topology file");
	return topo_up(nn, argv[1], true);
}

int cmd_down(struct nsnet *nn, int argc, char **argv)
{
	if (argc != 2)
		return usage_error("down", "give a topology file or name");
	topo_watch(nn);
	if (nsnet_topo_down(nn, argv[1]) < 0)
		return lib_error(nn);
	return EXIT_OK;
}

int cmd_status(struct nsnet *nn, int argc, char **argv)
{
	bool json = want_json(&argc, argv);
	json_t *st, *e;
	size_t i;

	/* No topology named: the attachments nsnet-cni made (docs/cni.md). */
	if (argc == 1) {
		if (nsnet_cni_attachments(nn, &st) < 0)
			return lib_error(nn);
		if (json)
			json_print(st);
		else if (json_array_size(st))
			print_cni(st);
		else
			printf("no CNI attachments; give a topology file or name for a topology's status\n");
		json_decref(st);
		return EXIT_OK;
	}
	if (argc != 2)
		return usage_error("status", "give a topology file or name");
	if (nsnet_topo_status(nn, argv[1], &st) < 0)
		return lib_error(nn);
	if (json) {
		json_print(st);
	} else {
		struct table *t = table_new(4, "NODE", "NAMESPACE", "ADDRESSES", "PROCESSES");

		printf("topology %s (%s): %s\n",
		       json_string_value(json_object_get(st, "name")),
		       json_string_value(json_object_get(st, "file")),
		       json_is_true(json_object_get(st, "in_sync")) ?
		       "matches the file" : "differs from the file");
		json_array_foreach(json_object_get(st, "node_list"), i, e) {
			char addrs[256] = "", runs[64] = "-";
			json_t *x;
			size_t j, up = 0, n = json_array_size(json_object_get(e, "run"));

			json_array_foreach(json_object_get(e, "addresses"), j, x)
				snprintf(addrs + strlen(addrs), sizeof(addrs) - strlen(addrs),
					 "%s%s", j ? " " : "", json_string_value(x));
			json_array_foreach(json_object_get(e, "run"), j, x)
				up += json_is_true(json_object_get(x, "running"));
			if (n)
				snprintf(runs, sizeof(runs), "%zu/%zu running", up, n);
			table_row(t, json_string_value(json_object_get(e, "name")),
				  json_is_true(json_object_get(e, "exists")) ? "yes" : "missing",
				  addrs, runs);
		}
		table_print(t, stdout, "  ");
		table_free(t);
		json_array_foreach(json_object_get(st, "differences"), i, e)
			printf("  %s: %s\n", json_string_value(json_object_get(e, "state")),
			       json_string_value(json_object_get(e, "object")));
	}
	i = json_is_true(json_object_get(st, "in_sync")) ? EXIT_OK : EXIT_FAIL;
	json_decref(st);
	return (int)i;
}

int cmd_logs(struct nsnet *nn, int argc, char **argv)
{
	if (argc != 2)
		return usage_error("logs", "give a node name");
	fflush(stdout);
	if (nsnet_topo_logs(nn, argv[1], STDOUT_FILENO) < 0)
		return lib_error(nn);
	return EXIT_OK;
}
