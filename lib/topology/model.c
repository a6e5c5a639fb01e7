// SPDX-License-Identifier: GPL-2.0-or-later
/* topo.c - the topology model's helpers. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "topology/topology.h"

void topo_record_dir(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, NSNET_RUN_DIR "/topo/%s", name);
}

bool topo_arg_is_file(const char *arg)
{
	return strchr(arg, '/') || strstr(arg, ".yaml") || strstr(arg, ".yml");
}

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

int topo_load(struct nsnet *nn, const char *file_or_name, struct topo **out)
{
	char path[600], file[512], name[256];
	int rc;

	if (!file_or_name) {
		if ((rc = topo_only_one_up(nn, name, sizeof(name))))
			return rc;
		file_or_name = name;
	}
	if (topo_arg_is_file(file_or_name))
		return topo_parse_file(nn, file_or_name, out);
	/* A name: the file its last up was made from, recorded by up. */
	topo_record_dir(path, sizeof(path), file_or_name);
	strncat(path, "/file", sizeof(path) - strlen(path) - 1);
	if (read_small_file(path, file, sizeof(file)) <= 0)
		return err_set(nn, 0, "topology %s is not up (no %s)",
			       file_or_name, path);
	return topo_parse_file(nn, file, out);
}

struct topo_node *topo_node_find(const struct topo *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->n_nodes; i++)
		if (!strcmp(t->nodes[i].name, name))
			return &t->nodes[i];
	return NULL;
}

void strv_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void topo_free(struct topo *t)
{
	size_t i, j;

	if (!t)
		return;
	for (i = 0; i < t->n_nets; i++)
		free(t->nets[i].name);
	free(t->nets);
	for (i = 0; i < t->n_nodes; i++) {
		struct topo_node *nd = &t->nodes[i];

		free(nd->name);
		free(nd->att);
		for (j = 0; j < nd->n_routes; j++)
			free(nd->routes[j].text);
		free(nd->routes);
		strv_free(nd->publish, nd->n_publish);
		for (j = 0; j < nd->n_sysctls; j++) {
			free(nd->sysctls[j].key);
			free(nd->sysctls[j].value);
		}
		free(nd->sysctls);
		strv_free(nd->run, nd->n_run);
	}
	free(t->nodes);
	for (i = 0; i < t->n_cables; i++) {
		free(t->cables[i].a);
		free(t->cables[i].b);
	}
	free(t->cables);
	for (i = 0; i < t->n_expects; i++) {
		free(t->expects[i].from);
		free(t->expects[i].to);
		free(t->expects[i].text);
	}
	free(t->expects);
	free(t->upstream);
	free(t->name);
	free(t->file);
	free(t);
}
