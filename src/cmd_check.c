// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cmd_check.c - nsnet check: the reachability matrix of a topology and its
 * expectations, printed from the library's JSON document.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
	if (!strcmp(result, "not probed"))
		return "np";
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

/* One line per source: how much it reaches and what not. One pass over
 * the matrix (a million cells at 1,000 nodes), rows found by name. */
struct check_row {
	size_t reached, total, not_probed;
	char missing[400];
};

static void print_rows(json_t *nodes, json_t *matrix, size_t w0)
{
	size_t i, nrows = json_array_size(nodes);
	struct check_row *rows = calloc(nrows ? nrows : 1, sizeof(*rows));
	json_t *index = json_object(), *n, *c;

	if (!rows)
		abort();
	json_array_foreach(nodes, i, n)
		json_object_set_new(index, json_string_value(n), json_integer((json_int_t)i));
	json_array_foreach(matrix, i, c) {
		json_t *r = json_object_get(index, jstr(c, "from"));
		struct check_row *row;
		const char *result = jstr(c, "result");

		if (!r)
			continue;
		row = &rows[json_integer_value(r)];
		row->total++;
		if (!strcmp(result, "reach")) {
			row->reached++;
			continue;
		}
		row->not_probed += !strcmp(result, "not probed");
		if (strlen(row->missing) < sizeof(row->missing) - 40) {
			strcat(row->missing, *row->missing ? ", " : "");
			strcat(row->missing, jstr(c, "to"));
		} else if (!strstr(row->missing, "...")) {
			strcat(row->missing, ", ...");
		}
	}
	json_array_foreach(nodes, i, n) {
		struct check_row *row = &rows[i];
		char np[64] = "";

		if (row->not_probed)
			snprintf(np, sizeof(np), " (%zu not probed)", row->not_probed);
		printf("  %-*s reaches %zu of %zu%s%s%s\n", (int)w0,
		       json_string_value(n), row->reached, row->total,
		       *row->missing ? "; not: " : "", row->missing, np);
	}
	json_decref(index);
	free(rows);
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
		print_rows(nodes, matrix, w0);
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
	printf("  (ok: answers ping, --: no answer, unr: unreachable, ?: no address,\n"
	       "   np: not probed: the local kernel did not send it)\n");
}

static void print_check(json_t *doc)
{
	json_t *sum = json_object_get(doc, "summary");
	json_t *ports = json_object_get(doc, "ports");
	json_t *ex = json_object_get(doc, "expectations");
	size_t i, broken = 0, unknown = 0, remote = 0;
	json_t *e;

	json_int_t np = json_integer_value(json_object_get(sum, "not_probed"));
	json_t *kern = json_object_get(doc, "kernel");
	json_int_t overflows = json_integer_value(json_object_get(kern,
						  "neighbour_table_overflows"));

	json_int_t pairs = json_integer_value(json_object_get(sum, "pairs"));
	json_int_t probes = json_integer_value(json_object_get(sum, "probes"));

	printf("check %s: %lld %s, %lld reached, %lld %s in %.0f ms\n",
	       jstr(doc, "name"), (long long)pairs, plural((size_t)pairs, "pair", "pairs"),
	       (long long)json_integer_value(json_object_get(sum, "reached")),
	       (long long)probes, plural((size_t)probes, "probe", "probes"),
	       json_real_value(json_object_get(sum, "elapsed_ms")));
	json_t *sample = json_object_get(sum, "sample");

	/* Said first: what this check did not look at. */
	if (sample)
		printf("sampled: each node probed %lld other nodes (stride %lld in file order, wrapping around) and every address; %lld of %lld pairs not probed\n",
		       (long long)json_integer_value(json_object_get(sample, "per_node")),
		       (long long)json_integer_value(json_object_get(sample, "stride")),
		       (long long)json_integer_value(json_object_get(sample, "pairs_not_probed")),
		       (long long)json_integer_value(json_object_get(sample, "pairs_total")));
	/* Said before the matrix: these cells are no verdict on the network. */
	if (np)
		printf("%lld pairs not probed: the local kernel did not send the probe (see \"detail\" in --json)\n",
		       (long long)np);
	if (overflows)
		printf("the machine's neighbour table overflowed %lld times during the check (it is shared by every namespace)\n",
		       (long long)overflows);
	print_matrix(doc);
	/* docs/multihost.md: the other machines' nodes are addresses here */
	json_array_foreach(json_object_get(doc, "targets"), i, e)
		if (json_string_value(json_object_get(e, "host")))
			printf("%s%s on %s", remote++ ? ", " :
			       "  other machines' nodes, probed as addresses behind VXLAN: ",
			       jstr(e, "name"), jstr(e, "host"));
	if (remote)
		printf("\n");
	remote = 0;
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
		const char *r = jstr(e, "result");

		const char *word = !strcmp(r, "met") ? "met" :
				   !strcmp(r, "elsewhere") ? "remote" :
				   !strcmp(r, "not probed") ? "UNKNOWN" : "BROKEN";

		unknown += !strcmp(r, "not probed");
		remote += !strcmp(r, "elsewhere");
		broken += !strcmp(word, "BROKEN");
		printf("  ");
		print_word(stdout, word, 8);
		if (!strcmp(r, "met"))
			printf("%s\n", jstr(e, "text"));
		else if (!strcmp(r, "elsewhere"))
			printf("%s  (%s)\n", jstr(e, "text"), jstr(e, "detail"));
		else
			printf("%s  (%s: %s)\n", jstr(e, "text"), jstr(e, "where"),
			       jstr(e, "detail"));
	}
	printf("%zu %s: %zu met, %zu broken", json_array_size(ex),
	       plural(json_array_size(ex), "expectation", "expectations"),
	       json_array_size(ex) - broken - unknown - remote, broken);
	if (unknown)
		printf(", %zu not probed", unknown);
	if (remote)
		printf(", %zu from other machines", remote);
	printf("\n");
}

/* On a terminal, a long check shows how far along it is (stderr only:
 * stdout stays the result). */
static void print_progress(void *data, const char *step, size_t done,
			   size_t total)
{
	(void)data;
	if (strcmp(step, "check") || total < 5000)
		return;
	fprintf(stderr, "\rcheck: %zu of %zu probes answered or given up", done, total);
	if (done == total)
		fprintf(stderr, "\r\033[K");
}

static int cmd_check(struct nsnet *nn, int argc, char **argv);

static const struct opt check_opts[] = {
	{ 'W', "timeout", "SECONDS", "wait at most this long for any answer (default 1.5, at most 60)",
	  0, "none" },
	{ 's', "sample", "N", "probe only N other nodes from each node (and every address); "
	  "the output says what was left out", 0, "none" },
	{ 'j', "json", NULL, "print JSON (docs/json.md)" },
	OPT_HOST_ENTRY,
	{ 0 }
};

const struct cmd_spec spec_check = {
	.name = "check",
	.args = "[FILE|NAME]",
	.summary = "reachability matrix and expectations",
	.text = "Every node of the topology against every other (ICMP, and the ports\n"
		"its expect: lines name), all probes at once. Without an argument: the\n"
		"one topology that is up. Exit status 1 when an expectation is broken.\n"
		"A probe the local kernel could not send is \"not probed\", not a verdict.",
	.examples = "nsnet check shop\n"
		    "nsnet check -W1 examples/seed000.yaml --json\n"
		    "nsnet check --sample 20 big  # 1,000 nodes: 20 peers each",
	.opts = check_opts,
	.fn = cmd_check,
};

static int cmd_check(struct nsnet *nn, int argc, char **argv)
{
	struct nsnet_check_opts o = { .struct_size = sizeof(o) };
	struct optparse p;
	bool json = false;
	json_t *doc = NULL;
	int key, broken;

	opt_begin(&p, &spec_check, argc, argv);
	while ((key = opt_next(&p)) > 0) {
		char *end;
		unsigned long v;

		if (key == 'j') {
			json = true;
		} else if (key == OPT_HOST) {
			if (host_opt(nn, &p))
				return EXIT_USAGE;
		} else if (key == 'W') {
			o.timeout = strtod(p.arg, &end);
			if (*end || !(o.timeout > 0 && o.timeout <= 60))
				return opt_bad_value(&p, key, "seconds, more than 0 and at most 60");
		} else if (key == 's') {
			v = strtoul(p.arg, &end, 10);
			if (*end || p.arg[0] < '1' || p.arg[0] > '9' || v > 1000000)
				return opt_bad_value(&p, key, "a number of nodes, 1 to 1000000");
			o.sample = v;
		}
	}
	if (key == OPT_STOP)
		return p.status;
	if (p.nops > 1)
		return usage_error(p.path, "one topology at a time");
	if (isatty(STDERR_FILENO))
		nsnet_set_progress(nn, print_progress, NULL);
	broken = nsnet_check_run(nn, p.nops ? p.ops[0] : NULL, &o, &doc);
	if (broken < 0)
		return lib_error(nn);
	if (json)
		json_print(doc);
	else
		print_check(doc);
	json_decref(doc);
	return broken ? EXIT_FAIL : EXIT_OK;
}
