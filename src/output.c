// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * output.c - what the CLI prints: aligned tables for people, JSON for
 * programs.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* Remove every long (or short, may be NULL) from argv; whether one was
 * there. */
static bool want_flag(int *argc, char **argv, const char *lng, const char *shrt)
{
	bool json = false;
	int i, j;

	for (i = j = 0; i < *argc; i++) {
		if (!strcmp(argv[i], "--"))
			break;
		if (!strcmp(argv[i], lng) || (shrt && !strcmp(argv[i], shrt))) {
			json = true;
			continue;
		}
		argv[j++] = argv[i];
	}
	for (; i < *argc; i++)
		argv[j++] = argv[i];
	*argc = j;
	argv[j] = NULL;
	return json;
}

bool want_json(int *argc, char **argv)
{
	return want_flag(argc, argv, "--json", "-j");
}

bool want_force(int *argc, char **argv)
{
	return want_flag(argc, argv, "--force", NULL);
}

void json_print(json_t *doc)
{
	json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', stdout);
}

struct table {
	int ncols;
	size_t nrows, cap;
	char **cells;   /* nrows * ncols, row 0 is the header */
};

struct table *table_new(int ncols, ...)
{
	struct table *t = calloc(1, sizeof(*t));
	va_list ap;
	int i;

	if (!t)
		abort();
	t->ncols = ncols;
	t->cap = 16;
	t->cells = calloc(t->cap * (size_t)ncols, sizeof(char *));
	if (!t->cells)
		abort();
	va_start(ap, ncols);
	for (i = 0; i < ncols; i++)
		t->cells[i] = strdup(va_arg(ap, const char *));
	va_end(ap);
	t->nrows = 1;
	return t;
}

void table_row(struct table *t, ...)
{
	va_list ap;
	int i;

	if (t->nrows == t->cap) {
		t->cap *= 2;
		t->cells = realloc(t->cells, t->cap * (size_t)t->ncols * sizeof(char *));
		if (!t->cells)
			abort();
	}
	va_start(ap, t);
	for (i = 0; i < t->ncols; i++) {
		const char *s = va_arg(ap, const char *);

		t->cells[t->nrows * (size_t)t->ncols + (size_t)i] = strdup(s ? s : "");
	}
	va_end(ap);
	t->nrows++;
}

void table_print(struct table *t, FILE *f, const char *indent)
{
	size_t w[32] = { 0 }, r;
	int c;

	for (r = 0; r < t->nrows; r++)
		for (c = 0; c < t->ncols && c < 32; c++) {
			size_t l = strlen(t->cells[r * (size_t)t->ncols + (size_t)c]);

			if (l > w[c])
				w[c] = l;
		}
	for (r = 0; r < t->nrows; r++) {
		fputs(indent ? indent : "", f);
		for (c = 0; c < t->ncols; c++) {
			const char *s = t->cells[r * (size_t)t->ncols + (size_t)c];

			if (c == t->ncols - 1)
				fprintf(f, "%s", s);
			else
				fprintf(f, "%-*s  ", (int)w[c], s);
		}
		fputc('\n', f);
	}
}

void table_free(struct table *t)
{
	size_t i;

	if (!t)
		return;
	for (i = 0; i < t->nrows * (size_t)t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t);
}
