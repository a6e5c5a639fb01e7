// SPDX-License-Identifier: GPL-2.0-or-later
/* cmd_topo.c - nsnet up, plan, down */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static void print_line(void *data, const char *text)
{
	(void)data;
	printf("%s\n", text);
	fflush(stdout);
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

int host_opt(struct nsnet *nn, struct optparse *p)
{
	if (nsnet_set_host(nn, p->arg) < 0)
		return opt_bad_value(p, OPT_HOST, nsnet_error(nn));
	return EXIT_OK;
}

/* ---- up, plan ------------------------------------------------------------- */

static int cmd_up(struct nsnet *nn, int argc, char **argv);
static int cmd_plan(struct nsnet *nn, int argc, char **argv);

static const struct opt up_opts[] = {
	{ 'n', "dry-run", NULL, "change nothing: print what up would do (as nsnet plan)" },
	{ 'j', "json", NULL, "print what was done as JSON (docs/json.md)" },
	OPT_HOST_ENTRY,
	{ 0 }
};

const struct cmd_spec spec_up = {
	.name = "up",
	.args = "FILE|-",
	.summary = "create or repair a topology",
	.text = "FILE is a topology file (nsnet-topology(5), docs/topology.md); - reads\n"
		"it from standard input. Only what is missing or has drifted is done;\n"
		"a failure undoes what this up did. Exit status 2 for a file that does\n"
		"not exist or does not parse. A file with hosts: spans several machines:\n"
		"each runs up of the same file and builds its own part (docs/multihost.md).",
	.examples = "nsnet up examples/seed000.yaml\n"
		    "nsnet up --dry-run shop.yaml\n"
		    "generate-topology | nsnet up -\n"
		    "nsnet up --host m2 lab.yaml  # the part of machine m2",
	.opts = up_opts,
	.fn = cmd_up,
};

static const struct opt plan_opts[] = {
	{ 'j', "json", NULL, "print the plan as JSON: each action with its commands" },
	OPT_HOST_ENTRY,
	{ 0 }
};

const struct cmd_spec spec_plan = {
	.name = "plan",
	.args = "FILE|-",
	.summary = "print what up would do as ip/nft commands",
	.text = "Compares the file with what the kernel has; changes nothing.",
	.examples = "nsnet plan shop.yaml\n"
		    "nsnet plan --json shop.yaml | jq '.actions[].object'",
	.opts = plan_opts,
	.fn = cmd_plan,
};

/* Each action's equivalent commands, one a line. */
static int print_plan(struct nsnet *nn, const char *file, bool json)
{
	json_t *plan, *a, *c;
	size_t i, j;

	topo_watch(nn);
	if (nsnet_topo_plan(nn, file, &plan) < 0)
		return lib_error(nn);
	if (json) {
		json_print(plan);
		json_decref(plan);
		return EXIT_OK;
	}
	/* networks that span leaf bridges: what will be built */
	json_array_foreach(json_object_get(plan, "leaves"), i, a)
		printf("# %s\n", json_string_value(json_object_get(a, "text")));
	if (!json_array_size(json_object_get(plan, "actions")))
		printf("# %s is up to date: nothing to do\n",
		       json_string_value(json_object_get(plan, "name")));
	json_array_foreach(json_object_get(plan, "actions"), i, a)
		json_array_foreach(json_object_get(a, "commands"), j, c)
			printf("%s\n", json_string_value(c));
	json_decref(plan);
	return EXIT_OK;
}

static int cmd_up(struct nsnet *nn, int argc, char **argv)
{
	bool dry = false, json = false;
	struct optparse p;
	json_t *doc = NULL;
	int key, rc;

	opt_begin(&p, &spec_up, argc, argv);
	while ((key = opt_next(&p)) > 0) {
		if (key == 'n')
			dry = true;
		else if (key == 'j')
			json = true;
		else if (key == OPT_HOST && host_opt(nn, &p))
			return EXIT_USAGE;
	}
	if (key == OPT_STOP)
		return p.status;
	if (p.nops != 1)
		return usage_error(p.path, p.nops ? "one file at a time" : "missing topology file");
	if (dry)
		return print_plan(nn, p.ops[0], json);
	topo_watch(nn);
	if (!json) {
		if (nsnet_topo_up(nn, p.ops[0], NSNET_TOPO_PROGRESS, print_line, NULL) < 0)
			return lib_error(nn);
		return EXIT_OK;
	}
	rc = nsnet_topo_up_json(nn, p.ops[0], NSNET_TOPO_PROGRESS, &doc);
	if (doc)
		json_print(doc);
	json_decref(doc);
	return rc < 0 ? lib_error(nn) : EXIT_OK;
}

static int cmd_plan(struct nsnet *nn, int argc, char **argv)
{
	struct optparse p;
	bool json = false;
	int key;

	opt_begin(&p, &spec_plan, argc, argv);
	while ((key = opt_next(&p)) > 0)
		if (key == 'j')
			json = true;
		else if (key == OPT_HOST && host_opt(nn, &p))
			return EXIT_USAGE;
	if (key == OPT_STOP)
		return p.status;
	if (p.nops != 1)
		return usage_error(p.path, "give one topology file");
	return print_plan(nn, p.ops[0], json);
}

/* ---- down ---------------------------------------------------------------- */

static int cmd_down(struct nsnet *nn, int argc, char **argv);

static const struct opt down_opts[] = {
	OPT_HOST_ENTRY,
	{ 0 }
};

const struct cmd_spec spec_down = {
	.name = "down",
	.args = "FILE|NAME",
	.summary = "remove everything a topology owns",
	.text = "What carries the topology's mark, and nothing else: its namespaces,\n"
		"bridges, cables, firewall entries, processes and files. A topology\n"
		"that is not up is not an error: down says so and exits 0.",
	.examples = "nsnet down shop\n"
		    "nsnet down examples/seed000.yaml\n"
		    "nsnet down --host m2 lab  # this machine, m2 of lab's hosts:",
	.opts = down_opts,
	.fn = cmd_down,
};

static int cmd_down(struct nsnet *nn, int argc, char **argv)
{
	struct optparse p;
	int key, rc;

	opt_begin(&p, &spec_down, argc, argv);
	while ((key = opt_next(&p)) > 0)
		if (key == OPT_HOST && host_opt(nn, &p))
			return EXIT_USAGE;
	if (key == OPT_STOP)
		return p.status;
	if (p.nops != 1)
		return usage_error(p.path, "give a topology file or name");
	topo_watch(nn);
	rc = nsnet_topo_down(nn, p.ops[0]);
	/* As rm -f and ip netns del -all: what is not there is already down. */
	if (rc == -ESRCH) {
		printf("%s: nothing to do\n", nsnet_error(nn));
		return EXIT_OK;
	}
	return rc < 0 ? lib_error(nn) : EXIT_OK;
}
