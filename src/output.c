// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * output.c - what the CLI prints: aligned tables for people, JSON for
 * programs.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "cli.h"

void json_print(json_t *doc)
{
	json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', stdout);
}

static bool colour_on(FILE *f)
{
	const char *no = getenv("NO_COLOR");

	/* no-color.org: present and not empty turns colour off */
	return !(no && *no) && isatty(fileno(f));
}

void print_word(FILE *f, const char *word, int width)
{
	static const struct { const char *word, *sgr; } colours[] = {
		{ "FAIL", "1;31" }, { "BROKEN", "1;31" }, { "ok", "32" }, { "met", "32" },
		{ "fix", "33" },
	};
	const char *sgr = NULL;
	int len = (int)strlen(word);
	size_t i;

	for (i = 0; colour_on(f) && i < sizeof(colours) / sizeof(colours[0]); i++)
		if (!strcmp(word, colours[i].word))
			sgr = colours[i].sgr;
	if (sgr)
		fprintf(f, "\033[%sm%s\033[0m", sgr, word);
	else
		fputs(word, f);
	for (; len < width; len++)
		fputc(' ', f);
}

bool same_terminal(FILE *a, FILE *b)
{
	struct stat sa, sb;

	return isatty(fileno(a)) && isatty(fileno(b)) && !fstat(fileno(a), &sa) &&
	       !fstat(fileno(b), &sb) && sa.st_rdev == sb.st_rdev;
}

const char *plural(size_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
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
	/* a header of empty cells: no header line */
	for (r = t->cells[0][0] ? 0 : 1; r < t->nrows; r++) {
		int last = t->ncols - 1;

		/* no padding after the last cell that has something */
		while (last > 0 && !t->cells[r * (size_t)t->ncols + (size_t)last][0])
			last--;
		fputs(indent ? indent : "", f);
		for (c = 0; c <= last; c++) {
			const char *s = t->cells[r * (size_t)t->ncols + (size_t)c];

			if (c == last)
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
