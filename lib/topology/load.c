// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * load.c - the topology a command names: a FILE, the NAME of one that is
 * up (the file its last up was made from), or, given nothing, the one
 * topology that is up. Above the parser: load calls parse, which calls the
 * model's helpers, and nothing calls back up.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <jansson.h>

#include "topology/topology.h"

/* The one topology that is up, for commands whose FILE|NAME is optional. */
static int topo_only_one_up(struct nsnet *nn, char *name, size_t len)
{
	DIR *d = opendir(NSNET_RUN_DIR "/topo");
	struct dirent *de;
	int n = 0;

	while (d && (de = readdir(d)))
		if (de->d_name[0] != '.' && n++ == 0)
			snprintf(name, len, "%s", de->d_name);
	if (d)
		closedir(d);
	if (n == 1)
		return 0;
	return err_usage(nn, n ? "%d topologies are up: name one" :
			 "no topology is up: give a FILE (or bring one up with nsnet up FILE)", n);
}

/* "-": the topology from standard input, at most 16 MiB as from a file. */
static int topo_parse_stdin(struct nsnet *nn, struct topo **out)
{
	size_t len = 0, cap = 65536;
	char *buf = malloc(cap);
	ssize_t n;
	int rc;

	if (!buf)
		abort();
	for (;;) {
		if (len + 1 == cap) {
			if (cap > 16 << 20) {
				free(buf);
				return err_usage(nn, "standard input: larger than 16 MiB");
			}
			cap *= 2;
			buf = realloc(buf, cap);
			if (!buf)
				abort();
		}
		n = read(STDIN_FILENO, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = err_set(nn, errno, "read the topology from standard input");
			free(buf);
			return rc;
		}
		if (!n)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	rc = topo_parse_buffer(nn, "<stdin>", buf, len, out);
	if (rc)
		free(buf);
	else
		(*out)->source = buf;
	return rc;
}

int topo_parse_arg_whole(struct nsnet *nn, const char *file, struct topo **out)
{
	if (!strcmp(file, "-"))
		return topo_parse_stdin(nn, out);
	/* A file that is not there is a mistake in the command, as a name
	 * that does not parse (exit status 2), not a failure. */
	if (access(file, F_OK) && errno == ENOENT)
		return err_usage(nn, "%s: no such file", file);
	return topo_parse_file(nn, file, out);
}

/* The model of a file, cut down to this machine's part (hosts.c). */
static int topo_localized(struct nsnet *nn, int rc, struct topo **out)
{
	if (!rc && (rc = topo_hosts_localize(nn, *out))) {
		topo_free(*out);
		*out = NULL;
	}
	return rc;
}

int topo_parse_arg(struct nsnet *nn, const char *file, struct topo **out)
{
	return topo_localized(nn, topo_parse_arg_whole(nn, file, out), out);
}

int topo_load(struct nsnet *nn, const char *file_or_name, struct topo **out)
{
	char path[600], file[512], name[256];
	int rc;

	if (!file_or_name) {
		if ((rc = topo_only_one_up(nn, name, sizeof(name))))
			return rc;
		file_or_name = name;
	}
	if (topo_arg_is_file(file_or_name) || !strcmp(file_or_name, "-"))
		return topo_parse_arg(nn, file_or_name, out);
	/* A name: the file its last up was made from, recorded by up. It
	 * names a directory: "..", "-x" or "a b" are refused, not looked up. */
	if ((rc = topo_name_check(nn, file_or_name)))
		return rc;
	topo_record_dir(path, sizeof(path), file_or_name);
	strncat(path, "/file", sizeof(path) - strlen(path) - 1);
	if (read_small_file(path, file, sizeof(file)) <= 0)
		return err_set(nn, 0, "topology %s is not up (no %s)",
			       file_or_name, path);
	return topo_localized(nn, topo_parse_file(nn, file, out), out);
}

/* ---- the topologies that are up --------------------------------------------- */

static int name_sort(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int topo_list(struct nsnet *nn, json_t **out)
{
	DIR *d = opendir(NSNET_RUN_DIR "/topo");
	char **names = NULL, path[600], file[512];
	struct dirent *de;
	size_t n = 0, i;

	*out = json_array();
	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		names = realloc(names, (n + 1) * sizeof(*names));
		if (!names || !(names[n++] = strdup(de->d_name)))
			abort();
	}
	if (d)
		closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), name_sort);
	for (i = 0; i < n; i++) {
		struct topo_plan plan;
		struct topo *t = NULL;
		char **nodes = NULL;
		size_t n_nodes = ns_records_of(names[i], &nodes), k;
		const char *state = "file missing";

		topo_record_dir(path, sizeof(path), names[i]);
		strncat(path, "/file", sizeof(path) - strlen(path) - 1);
		if (read_small_file(path, file, sizeof(file)) <= 0)
			file[0] = '\0';
		/* The state as status sees it: the file against the kernel. */
		if (file[0] && !topo_localized(nn, topo_parse_file(nn, file, &t), &t) &&
		    !ctx_set_owner(nn, t->name) && !topo_plan(nn, t, &plan)) {
			state = plan.n ? "drifted" : "up";
			topo_plan_free(&plan);
		} else if (file[0] && !access(file, F_OK)) {
			state = "file broken";
		}
		err_clear(nn);
		json_array_append_new(*out, json_pack("{s:s,s:s?,s:i,s:s}", "name", names[i],
			"file", file[0] ? file : NULL, "nodes", (int)n_nodes, "state", state));
		topo_free(t);
		for (k = 0; k < n_nodes; k++)
			free(nodes[k]);
		free(nodes);
		free(names[i]);
	}
	free(names);
	ctx_set_owner(nn, NULL);
	return 0;
}
