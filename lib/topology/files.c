// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * files.c - the files a topology owns: its record /run/nsnet/topo/<name>
 * (the file it was brought up from; run.c keeps the pids and logs of its
 * run: commands there too), and each node's /etc/netns/<node>/hosts and
 * resolv.conf, which `ip netns exec` binds over /etc inside the node.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "topology/topology.h"

/* ---- the record ------------------------------------------------------------- */

void topo_record_dir(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, NSNET_RUN_DIR "/topo/%s", name);
}

int topo_record_write(struct nsnet *nn, const struct topo *t)
{
	char dir[512], path[600];
	int rc;

	topo_record_dir(dir, sizeof(dir), t->name);
	if ((rc = mkdir_p(nn, dir)))
		return rc;
	if (t->source && !t->file) {
		/* From standard input: the record keeps the text, so that
		 * status, check and graph NAME find a file. */
		char copy[600];

		snprintf(copy, sizeof(copy), "%s/topology.yaml", dir);
		if ((rc = write_file_atomic(nn, copy, t->source)))
			return rc;
		snprintf(path, sizeof(path), "%s/file", dir);
		return write_file_atomic(nn, path, copy);
	}
	if (!t->file)
		return 0;
	snprintf(path, sizeof(path), "%s/file", dir);
	return write_file_atomic(nn, path, t->file);
}

/* A directory of plain files, and the files. */
static void remove_dir(const char *dir)
{
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((de = readdir(d))) {
		char path[1024];

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

void topo_record_remove(const char *name)
{
	char dir[512];

	topo_record_dir(dir, sizeof(dir), name);
	remove_dir(dir);
}

/* ---- hosts files -------------------------------------------------------------- */

char *topo_hosts_file(const struct topo *t)
{
	size_t i, j, len = 0, cap = 4096;
	char *s = malloc(cap);
	int f;

	if (!s)
		abort();
	len = (size_t)snprintf(s, cap, "# written by nsnet for topology %s\n"
			       "127.0.0.1\tlocalhost\n::1\tlocalhost\n", t->name);
	for (i = 0; i < t->n_nodes; i++)
		for (j = 0; j < t->nodes[i].n_att; j++)
			for (f = 0; f < 2; f++) {
				struct ipaddr ip = t->nodes[i].att[j].addr[f];
				char a[64];

				if (!ip.family)
					continue;
				ip.prefix = -1;
				if (len + 128 + strlen(t->nodes[i].name) > cap) {
					cap *= 2;
					s = realloc(s, cap);
					if (!s)
						abort();
				}
				len += (size_t)snprintf(s + len, cap - len, "%s\t%s\n",
							ip_str(&ip, a, sizeof(a)),
							t->nodes[i].name);
			}
	return s;
}

bool topo_hosts_current(const char *node, const char *hosts)
{
	char path[512], buf[65536];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), NETNS_ETC_DIR "/%s/hosts", node);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return false;
	buf[n] = '\0';
	return !strcmp(buf, hosts);
}

int topo_hosts_write(struct nsnet *nn, const char *node, const char *hosts)
{
	char path[600];
	int rc = 0;

	snprintf(path, sizeof(path), NETNS_ETC_DIR "/%s", node);
	if (mkdir(path, 0755) && errno != EEXIST)
		rc = mkdir_p(nn, path);
	snprintf(path, sizeof(path), NETNS_ETC_DIR "/%s/hosts", node);
	if (!rc)
		rc = write_file_atomic(nn, path, hosts);
	snprintf(path, sizeof(path), NETNS_ETC_DIR "/%s/resolv.conf", node);
	/* No nameserver: names of the topology are in hosts, and a node must
	 * not send lookups to the real world. */
	if (!rc)
		rc = write_file_atomic(nn, path, "# written by nsnet: names are in /etc/hosts\n"
				       "options ndots:0 timeout:1 attempts:1\n");
	return rc;
}

void topo_hosts_remove(const char *node)
{
	char path[600];

	snprintf(path, sizeof(path), NETNS_ETC_DIR "/%s", node);
	remove_dir(path);
}
