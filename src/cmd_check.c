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

	printf("check %s: %d pairs, %d reached, %d probes in %.0f ms\n",
	       jstr(doc, "name"),
	       (int)json_integer_value(json_object_get(sum, "pairs")),
	       (int)json_integer_value(json_object_get(sum, "reached")),
	       (int)json_integer_value(json_object_get(sum, "probes")),
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
		if (ok)
			printf("  met     %s\n", jstr(e, "text"));
		else
			printf("  BROKEN  %s  (%s: %s)\n", jstr(e, "text"),
			       jstr(e, "where"), jstr(e, "detail"));
	}
	printf("%zu expectations: %zu met, %zu broken\n", json_array_size(ex),
	       json_array_size(ex) - broken, broken);
}

int cmd_check(struct nsnet *nn, int argc, char **argv)
{
	bool json = want_json(&argc, argv);
	const char *what = NULL;
	double timeout = 0;
	json_t *doc = NULL;
	int i, broken;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-W") || !strcmp(argv[i], "--timeout")) {
			char *end;

			if (i + 1 == argc)
				return usage_error(argv[0], "%s needs SECONDS", argv[i]);
			timeout = strtod(argv[++i], &end);
			if (*end || !(timeout > 0 && timeout <= 60))
				return usage_error(argv[0], "bad timeout \"%s\": seconds, more than 0 and at most 60",
						   argv[i]);
		} else if (argv[i][0] == '-') {
			return usage_error(argv[0], "unknown option %s", argv[i]);
		} else if (what) {
			return usage_error(argv[0], "one topology at a time");
		} else {
			what = argv[i];
		}
	}
	broken = nsnet_check(nn, what, timeout, &doc);
	if (broken < 0)
		return lib_error(nn);
	if (json)
		json_print(doc);
	else
		print_check(doc);
	json_decref(doc);
	return broken ? EXIT_FAIL : EXIT_OK;
}
