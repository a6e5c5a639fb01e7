// SPDX-License-Identifier: GPL-2.0-or-later
/* cmd_graph.c - nsnet graph: a picture of a topology */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int write_out(const char *cmd, const char *path, const char *text)
{
	FILE *f = stdout;
	size_t len = strlen(text);

	if (path && strcmp(path, "-")) {
		f = fopen(path, "we");
		if (!f) {
			fprintf(stderr, "nsnet %s: %s: %s\n", cmd, path, strerror(errno));
			return EXIT_FAIL;
		}
	}
	if (fwrite(text, 1, len, f) != len || (f != stdout ? fclose(f) : fflush(f))) {
		fprintf(stderr, "nsnet %s: %s: %s\n", cmd, path ? path : "standard output",
			strerror(errno));
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

/* The format an output file's name asks for, or NULL. */
static const char *format_of(const char *path)
{
	static const struct { const char *ext, *format; } map[] = {
		{ ".svg", "svg" }, { ".dot", "dot" }, { ".gv", "dot" },
		{ ".mmd", "mermaid" }, { ".mermaid", "mermaid" }, { ".html", "html" },
		{ ".htm", "html" },
	};
	const char *dot = path ? strrchr(path, '.') : NULL;
	size_t i;

	for (i = 0; dot && i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(dot, map[i].ext))
			return map[i].format;
	return NULL;
}

int cmd_graph(struct nsnet *nn, int argc, char **argv)
{
	const char *arg = NULL, *format = NULL, *out = NULL;
	char *doc;
	int i, rc;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--format") || !strcmp(argv[i], "-f")) {
			if (++i == argc)
				return usage_error("graph", "--format needs svg, dot, mermaid or html");
			format = argv[i];
		} else if (!strcmp(argv[i], "-o") || !strcmp(argv[i], "--output")) {
			if (++i == argc)
				return usage_error("graph", "-o needs a file name");
			out = argv[i];
		} else if (argv[i][0] == '-' && argv[i][1]) {
			return usage_error("graph", "unknown option \"%s\"", argv[i]);
		} else if (arg) {
			return usage_error("graph", "one topology at a time");
		} else {
			arg = argv[i];
		}
	}
	if (!arg)
		return usage_error("graph", "give a topology file or the name of one that is up");
	if (!format)
		format = format_of(out);
	if (nsnet_topo_graph(nn, arg, format, &doc) < 0)
		return lib_error(nn);
	rc = write_out("graph", out, doc);
	free(doc);
	return rc;
}
