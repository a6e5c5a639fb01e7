// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cmd_check.c - nsnet check: the reachability matrix of a topology and its
 * expectations, printed from the library's JSON document.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* Past this many columns a matrix no longer reads at a glance: each row
 * becomes a line naming what it does not reach. */
#define CHECK_MATRIX_MAX_COLS 12

static const char *cell_mark(const char *result)
{
	if (!strcmp(result, "reach"))
		return "ok";
	if (!strcmp(result, "unreachable"))
		return "unr";
	if (!strcmp(result, "no address"))
		return "?";
	return "--";
}

static const char *jstr(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

/* The matrix cell from "from" to "to", or NULL (a node and itself). */
static json_t *matrix_cell(json_t *matrix, const char *from, const char *to)
{
	size_t i;
	json_t *c;

	json_array_foreach(matrix, i, c)
		if (!strcmp(jstr(c, "from"), from) && !strcmp(jstr(c, "to"), to))
			return c;
	return NULL;
}

static int col_width(json_t *target)
{
	size_t n = strlen(jstr(target, "name"));

	return n > 3 ? (int)n : 3;
}

static void print_matrix(json_t *doc)
{
	json_t *nodes = json_object_get(doc, "nodes");
	json_t *targets = json_object_get(doc, "targets");
	json_t *matrix = json_object_get(doc, "matrix");
	size_t i, j, ncols = json_array_size(targets), w0 = 9;
	json_t *n, *tg;

	json_array_foreach(nodes, i, n)
		if (strlen(json_string_value(n)) > w0)
			w0 = strlen(json_string_value(n));
	if (ncols > CHECK_MATRIX_MAX_COLS) {
		/* One line per source: how much it reaches and what not. */
		json_array_foreach(nodes, i, n) {
			const char *from = json_string_value(n);
			size_t reached = 0, total = 0;
			json_t *c;
			char missing[400] = "";

			json_array_foreach(matrix, j, c) {
				if (strcmp(jstr(c, "from"), from))
					continue;
				total++;
				if (!strcmp(jstr(c, "result"), "reach")) {
					reached++;
				} else if (strlen(missing) < sizeof(missing) - 40) {
					strcat(missing, *missing ? ", " : "");
					strcat(missing, jstr(c, "to"));
				} else if (!strstr(missing, "...")) {
					strcat(missing, ", ...");
				}
			}
			printf("  %-*s reaches %zu of %zu%s%s\n", (int)w0, from, reached,
			       total, *missing ? "; not: " : "", missing);
		}
		return;
	}
	/* a column is as wide as its name, at least as wide as "unr" */
	printf("  %-*s", (int)w0, "from \\ to");
	json_array_foreach(targets, j, tg)
		printf("  %-*s", j + 1 < ncols ? col_width(tg) : 0, jstr(tg, "name"));
	printf("\n");
	json_array_foreach(nodes, i, n) {
		const char *from = json_string_value(n);

		printf("  %-*s", (int)w0, from);
		json_array_foreach(targets, j, tg) {
			const char *to = jstr(tg, "name");
			json_t *c = matrix_cell(matrix, from, to);

			printf("  %-*s", j + 1 < ncols ? col_width(tg) : 0,
			       c ? cell_mark(jstr(c, "result")) : ".");
		}
		printf("\n");
	}
	printf("  (ok: answers ping, --: no answer, unr: unreachable, ?: no address)\n");
}

static void print_check(json_t *doc)
{
	json_t *sum = json_object_get(doc, "summary");
	json_t *ports = json_object_get(doc, "ports");
	json_t *ex = json_object_get(doc, "expectations");
	size_t i, broken = 0;
	json_t *e;

	int pairs = (int)json_integer_value(json_object_get(sum, "pairs"));
	int probes = (int)json_integer_value(json_object_get(sum, "probes"));

	printf("check %s: %d %s, %d reached, %d %s in %.0f ms\n",
	       jstr(doc, "name"), pairs, plural((size_t)pairs, "pair", "pairs"),
	       (int)json_integer_value(json_object_get(sum, "reached")),
	       probes, plural((size_t)probes, "probe", "probes"),
	       json_real_value(json_object_get(sum, "elapsed_ms")));
	print_matrix(doc);
	if (json_array_size(ports)) {
		printf("\nports\n");
		json_array_foreach(ports, i, e)
			printf("  %-9s %s -> %s %s/%d (%s)\n",
			       !strcmp(jstr(e, "result"), "reach") ? "open" :
			       jstr(e, "result"), jstr(e, "from"), jstr(e, "to"),
			       jstr(e, "proto"),
			       (int)json_integer_value(json_object_get(e, "port")),
			       jstr(e, "detail"));
	}
	if (!json_array_size(ex)) {
		printf("\nno expectations in the file (expect: \"a -> b: reach\" ...)\n");
		return;
	}
	printf("\nexpectations\n");
	json_array_foreach(ex, i, e) {
		bool ok = !strcmp(jstr(e, "result"), "met");

		broken += !ok;
		printf("  ");
		print_word(stdout, ok ? "met" : "BROKEN", 8);
		if (ok)
			printf("%s\n", jstr(e, "text"));
		else
			printf("%s  (%s: %s)\n", jstr(e, "text"), jstr(e, "where"),
			       jstr(e, "detail"));
	}
	printf("%zu %s: %zu met, %zu broken\n", json_array_size(ex),
	       plural(json_array_size(ex), "expectation", "expectations"),
	       json_array_size(ex) - broken, broken);
}

static int cmd_check(struct nsnet *nn, int argc, char **argv);

static const struct opt check_opts[] = {
	{ 'W', "timeout", "SECONDS", "wait at most this long for any answer (default 1.5, at most 60)",
	  0, "none" },
	{ 'j', "json", NULL, "print JSON (docs/json.md)" },
	{ 0 }
};

const struct cmd_spec spec_check = {
	.name = "check",
	.args = "[FILE|NAME]",
	.summary = "reachability matrix and expectations",
	.text = "Every node of the topology against every other (ICMP, and the ports\n"
		"its expect: lines name), all probes at once. Without an argument: the\n"
		"one topology that is up. Exit status 1 when an expectation is broken.",
	.examples = "nsnet check shop\n"
		    "nsnet check -W1 examples/seed000.yaml --json",
	.opts = check_opts,
	.fn = cmd_check,
};

static int cmd_check(struct nsnet *nn, int argc, char **argv)
{
	struct optparse p;
	bool json = false;
	double timeout = 0;
	json_t *doc = NULL;
	int key, broken;

	opt_begin(&p, &spec_check, argc, argv);
	while ((key = opt_next(&p)) > 0) {
		if (key == 'j') {
			json = true;
		} else if (key == 'W') {
			char *end;

			timeout = strtod(p.arg, &end);
			if (*end || !(timeout > 0 && timeout <= 60))
				return opt_bad_value(&p, key, "seconds, more than 0 and at most 60");
		}
	}
	if (key == OPT_STOP)
		return p.status;
	if (p.nops > 1)
		return usage_error(p.path, "one topology at a time");
	broken = nsnet_check(nn, p.nops ? p.ops[0] : NULL, timeout, &doc);
	if (broken < 0)
		return lib_error(nn);
	if (json)
		json_print(doc);
	else
		print_check(doc);
	json_decref(doc);
	return broken ? EXIT_FAIL : EXIT_OK;
}
