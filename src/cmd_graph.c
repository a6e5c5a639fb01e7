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

static int cmd_graph(struct nsnet *nn, int argc, char **argv);

static const struct opt graph_opts[] = {
	{ 'f', "format", "FORMAT", "svg (default), dot, mermaid or html; -o FILE's extension "
	  "chooses too", 0, "svg dot mermaid html" },
	{ 'o', "output", "FILE", "write to FILE instead of standard output" },
	{ 0 }
};

const struct cmd_spec spec_graph = {
	.name = "graph",
	.args = "FILE|NAME",
	.summary = "a picture of a topology (of NAME: with each object's state)",
	.text = "FILE as written, touching nothing; NAME (a topology that is up) with\n"
		"each object's state as status sees it (docs/graph.md).",
	.examples = "nsnet graph shop.yaml -o shop.svg\n"
		    "nsnet graph shop --format mermaid",
	.opts = graph_opts,
	.fn = cmd_graph,
};

static int cmd_graph(struct nsnet *nn, int argc, char **argv)
{
	const char *format = NULL, *out = NULL;
	struct optparse p;
	char *doc;
	int key, rc;

	opt_begin(&p, &spec_graph, argc, argv);
	while ((key = opt_next(&p)) > 0) {
		if (key == 'f')
			format = p.arg;
		else if (key == 'o')
			out = p.arg;
	}
	if (key == OPT_STOP)
		return p.status;
	if (p.nops > 1)
		return usage_error(p.path, "one topology at a time");
	if (!p.nops)
		return usage_error(p.path, "give a topology file or the name of one that is up");
	if (!format)
		format = format_of(out);
	if (nsnet_topo_graph(nn, p.ops[0], format, &doc) < 0)
		return lib_error(nn);
	rc = write_out("graph", out, doc);
	free(doc);
	return rc;
}
