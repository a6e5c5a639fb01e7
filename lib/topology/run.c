// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * run.c - the processes of a topology's run: commands. Each runs in its
 * node through /bin/sh, detached in its own session (exec_spawn), its
 * output in /run/nsnet/topo/<topology>/<node>.log and its pid in
 * run-<node>-<index>.pid beside it: up starts those whose pid is not alive,
 * status reports them, down ends their process groups, logs shows the
 * output.
 */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>

#include "topology/topology.h"

void topo_run_pidfile(char *buf, size_t len, const char *topo, const char *node,
		      size_t idx)
{
	snprintf(buf, len, NSNET_RUN_DIR "/topo/%s/run-%s-%zu.pid", topo, node, idx);
}

bool topo_run_alive(const char *topo, const char *node, size_t idx)
{
	char path[512], buf[32];
	long pid;

	topo_run_pidfile(path, sizeof(path), topo, node, idx);
	if (read_small_file(path, buf, sizeof(buf)) < 0)
		return false;
	pid = strtol(buf, NULL, 10);
	/* A zombie still answers kill(0): look at its state too. */
	if (pid <= 0 || kill((pid_t)pid, 0))
		return false;
	snprintf(buf, sizeof(buf), "/proc/%ld/stat", pid);
	if (read_small_file(buf, path, sizeof(path)) < 0)
		return false;
	{
		char *rp = strrchr(path, ')');

		return rp && rp[1] && rp[2] != 'Z';
	}
}

int topo_run_start(struct nsnet *nn, const struct topo *t,
		   const struct topo_node *nd, size_t idx)
{
	char dir[512], log[600], path[600], pid_s[32];
	char *argv[] = { "/bin/sh", "-c", nd->run[idx], NULL };
	pid_t pid;
	int rc;

	topo_record_dir(dir, sizeof(dir), t->name);
	snprintf(log, sizeof(log), "%s/%s.log", dir, nd->name);
	if ((rc = exec_spawn(nn, nd->name, argv, log, &pid))) {
		err_prefix(nn, "node %s: run \"%s\"", nd->name, nd->run[idx]);
		return rc;
	}
	topo_run_pidfile(path, sizeof(path), t->name, nd->name, idx);
	snprintf(pid_s, sizeof(pid_s), "%d\n", (int)pid);
	return write_file_atomic(nn, path, pid_s);
}

void topo_runs_stop(const char *topo)
{
	struct dirent *de;
	pid_t pids[256];
	size_t n = 0, i;
	char dir[512];
	DIR *d;
	int tries;

	topo_record_dir(dir, sizeof(dir), topo);
	d = opendir(dir);
	if (!d)
		return;
	while ((de = readdir(d)) && n < ARRAY_SIZE(pids)) {
		char path[1024], buf[32] = "";
		ssize_t r;
		int fd;

		if (strncmp(de->d_name, "run-", 4) || !strstr(de->d_name, ".pid"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		r = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		buf[r > 0 ? r : 0] = '\0';
		if (atoi(buf) > 1)
			pids[n++] = (pid_t)atoi(buf);
	}
	closedir(d);
	/* The processes lead their own sessions (exec_spawn): the group goes. */
	for (i = 0; i < n; i++)
		kill(-pids[i], SIGTERM);
	for (tries = 0; tries < 20; tries++) {
		bool alive = false;

		for (i = 0; i < n; i++)
			if (!kill(pids[i], 0)) {
				waitpid(pids[i], NULL, WNOHANG);
				alive |= !kill(pids[i], 0);
			}
		if (!alive)
			return;
		nanosleep(&(struct timespec){ 0, 50 * 1000 * 1000 }, NULL);
	}
	for (i = 0; i < n; i++)
		kill(-pids[i], SIGKILL);
}

NSNET_EXPORT int nsnet_topo_logs(struct nsnet *nn, const char *node, int out_fd)
{
	char path[600], buf[8192];
	struct dirent *de;
	DIR *d;
	int found = 0;

	if (check_ns_name(nn, node, false))
		return -EINVAL;
	d = opendir(NSNET_RUN_DIR "/topo");
	if (!d)
		return err_set(nn, 0, "no topology is up");
	while ((de = readdir(d))) {
		ssize_t n;
		int fd;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), NSNET_RUN_DIR "/topo/%s/%s.log", de->d_name, node);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		found++;
		while ((n = read(fd, buf, sizeof(buf))) > 0)
			if (write(out_fd, buf, (size_t)n) < 0)
				break;
		close(fd);
	}
	closedir(d);
	return found ? 0 : err_set(nn, 0, "node %s has no log (no run: commands, or not up)", node);
}
