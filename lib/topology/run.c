// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * run.c - the processes of a topology's run: and setup: commands. Each
 * runs in its node through /bin/sh, detached in its own session
 * (exec_spawn), its output in /run/nsnet/topo/<topology>/run-<node>-<index>.log
 * and its pid in run-<node>-<index>.pid beside it: up starts those whose
 * pid is not alive, status reports them, down ends their process groups,
 * logs shows the output. A setup: command is waited for, once: its success
 * is recorded in setup-<node>-<index>.done (with its text) and it is not
 * run again while that namespace lives.
 */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
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
	snprintf(log, sizeof(log), "%s/run-%s-%zu.log", dir, nd->name, idx);
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

/* ---- setup: commands ------------------------------------------------------- */

static void setup_file(char *buf, size_t len, const char *topo, const char *node,
		       size_t idx, const char *ext)
{
	snprintf(buf, len, NSNET_RUN_DIR "/topo/%s/setup-%s-%zu.%s", topo, node, idx, ext);
}

bool topo_setup_done(const char *topo, const char *node, size_t idx, const char *cmd)
{
	char path[600], buf[4096];

	setup_file(path, sizeof(path), topo, node, idx, "done");
	return read_small_file(path, buf, sizeof(buf)) >= 0 && !strcmp(buf, cmd);
}

int topo_setup_run(struct nsnet *nn, const struct topo *t,
		   const struct topo_node *nd, size_t idx)
{
	char log[600], done[600];
	char *argv[] = { "/bin/sh", "-c", nd->setup[idx], NULL };
	int rc, status, waited;
	pid_t pid;

	setup_file(log, sizeof(log), t->name, nd->name, idx, "log");
	setup_file(done, sizeof(done), t->name, nd->name, idx, "done");
	unlink(done);
	if ((rc = exec_spawn(nn, nd->name, argv, log, &pid))) {
		err_prefix(nn, "node %s: setup \"%s\"", nd->name, nd->setup[idx]);
		return rc;
	}
	/* Bounded: a setup command that never ends must not hang up. */
	for (waited = 0; waited < 300 * 100; waited++) {
		rc = (int)waitpid(pid, &status, WNOHANG);
		if (rc == pid || (rc < 0 && errno != EINTR))
			break;
		nanosleep(&(struct timespec){ 0, 10 * 1000 * 1000 }, NULL);
	}
	if (rc != pid) {
		kill(-pid, SIGKILL);
		waitpid(pid, &status, 0);
		return err_set(nn, 0, "node %s: setup \"%s\" did not end within 5 minutes",
			       nd->name, nd->setup[idx]);
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return err_set(nn, 0, "node %s: setup \"%s\" %s %d (its output: nsnet logs %s)",
			       nd->name, nd->setup[idx],
			       WIFEXITED(status) ? "exited" : "was killed by signal",
			       WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status),
			       nd->name);
	return write_file_atomic(nn, done, nd->setup[idx]);
}

/* ---- logs ------------------------------------------------------------------- */

/* One log file of the node's commands, read as it grows. */
struct log_src {
	char path[800];
	char tag[96];       /* "[web:0] " */
	int fd;
	char part[4096];    /* a line not yet ended */
	size_t n;
};

struct log_set {
	struct log_src *s;
	size_t n;
};

/* "run-<node>-<N>.log" -> N, "setup-<node>-<N>.log" too; -1 otherwise. */
static long log_index(const char *file, const char *prefix, const char *node)
{
	size_t lp = strlen(prefix), ln = strlen(node);
	char *end;
	long idx;

	if (strncmp(file, prefix, lp) || strncmp(file + lp, node, ln) || file[lp + ln] != '-')
		return -1;
	file += lp + ln + 1;
	if (*file < '0' || *file > '9')
		return -1;
	idx = strtol(file, &end, 10);
	return strcmp(end, ".log") ? -1 : idx;
}

static bool log_known(const struct log_set *ls, const char *path)
{
	size_t i;

	for (i = 0; i < ls->n; i++)
		if (!strcmp(ls->s[i].path, path))
			return true;
	return false;
}

/* setup: before run:, as they ran; by index within each */
static int log_cmp(const void *a, const void *b)
{
	const struct log_src *x = a, *y = b;
	bool xs = strstr(x->tag, ":setup") != NULL, ys = strstr(y->tag, ":setup") != NULL;
	size_t lx = strlen(x->tag), ly = strlen(y->tag);

	if (xs != ys)
		return xs ? -1 : 1;
	/* "[web:2] " before "[web:10] " */
	return lx != ly ? (lx < ly ? -1 : 1) : strcmp(x->tag, y->tag);
}

/* The node's logs in every topology's record: setup ones, then run ones
 * (and <node>.log of an nsnet before 0.2), those already open kept. */
static size_t logs_scan(const char *node, struct log_set *ls)
{
	DIR *top = opendir(NSNET_RUN_DIR "/topo"), *d;
	struct dirent *t, *de;
	size_t found = 0, first = ls->n;

	while (top && (t = readdir(top))) {
		char dir[512];

		if (t->d_name[0] == '.')
			continue;
		snprintf(dir, sizeof(dir), NSNET_RUN_DIR "/topo/%s", t->d_name);
		d = opendir(dir);
		while (d && (de = readdir(d))) {
			long run = log_index(de->d_name, "run-", node);
			long setup = log_index(de->d_name, "setup-", node);
			bool old = !strncmp(de->d_name, node, strlen(node)) &&
				   !strcmp(de->d_name + strlen(node), ".log");
			struct log_src *src;
			char path[800];

			if (run < 0 && setup < 0 && !old)
				continue;
			found++;
			snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
			if (log_known(ls, path))
				continue;
			ls->s = realloc(ls->s, (ls->n + 1) * sizeof(*ls->s));
			if (!ls->s)
				abort();
			src = &ls->s[ls->n++];
			memset(src, 0, sizeof(*src));
			snprintf(src->path, sizeof(src->path), "%s", path);
			if (old)
				snprintf(src->tag, sizeof(src->tag), "[%s] ", node);
			else if (setup >= 0)
				snprintf(src->tag, sizeof(src->tag), "[%s:setup%ld] ", node, setup);
			else
				snprintf(src->tag, sizeof(src->tag), "[%s:%ld] ", node, run);
			src->fd = open(path, O_RDONLY | O_CLOEXEC);
		}
		if (d)
			closedir(d);
	}
	if (top)
		closedir(top);
	qsort(ls->s + first, ls->n - first, sizeof(*ls->s), log_cmp);
	return found;
}

/* What came since the last read, as whole lines. */
static void log_drain(struct log_src *src, void (*line)(void *, const char *),
		      void *data, bool flush)
{
	char buf[8192], out[4096 + 128];
	ssize_t n;
	size_t i;

	while (src->fd >= 0 && (n = read(src->fd, buf, sizeof(buf))) > 0)
		for (i = 0; i < (size_t)n; i++) {
			if (buf[i] != '\n' && src->n < sizeof(src->part) - 1) {
				src->part[src->n++] = buf[i];
				continue;
			}
			src->part[src->n] = '\0';
			snprintf(out, sizeof(out), "%s%s", src->tag, src->part);
			line(data, out);
			src->n = 0;
			if (buf[i] != '\n')
				src->part[src->n++] = buf[i];
		}
	if (flush && src->n) {
		src->part[src->n] = '\0';
		snprintf(out, sizeof(out), "%s%s", src->tag, src->part);
		line(data, out);
		src->n = 0;
	}
}

static int logs_lines(struct nsnet *nn, const char *node, const struct nsnet_logs_opts *o,
		      void (*line)(void *data, const char *text), void *data)
{
	struct log_set ls = { 0 };
	size_t i;
	int rounds = 0;

	if (check_ns_name(nn, node, false))
		return -EINVAL;
	if (o->follow && !o->stop)
		return err_usage(nn, "logs: follow needs a stop flag");
	if (!logs_scan(node, &ls) && !o->follow)
		return err_set(nn, 0, "node %s has no log (no run: or setup: commands, or not up)",
			       node);
	for (;;) {
		for (i = 0; i < ls.n; i++)
			log_drain(&ls.s[i], line, data, !o->follow);
		if (!o->follow || *o->stop)
			break;
		/* tail -f's pace; new logs (a topology brought up again) are
		 * looked for every second */
		nanosleep(&(struct timespec){ 0, 200 * 1000 * 1000 }, NULL);
		if (++rounds % 5 == 0)
			logs_scan(node, &ls);
	}
	for (i = 0; i < ls.n; i++)
		if (ls.s[i].fd >= 0)
			close(ls.s[i].fd);
	free(ls.s);
	return 0;
}

NSNET_EXPORT int nsnet_topo_logs_lines(struct nsnet *nn, const char *node,
				       const struct nsnet_logs_opts *opts,
				       void (*line)(void *data, const char *text),
				       void *data)
{
	struct nsnet_logs_opts copy;
	int rc = OPTS_TAKE(nn, &copy, opts, stop, "logs");

	return rc ? rc : logs_lines(nn, node, &copy, line, data);
}

struct logs_fd {
	int fd;
	bool failed;
};

static void logs_write(void *data, const char *text)
{
	struct logs_fd *lf = data;
	size_t len = strlen(text);

	if (lf->failed)
		return;
	if (write(lf->fd, text, len) != (ssize_t)len || write(lf->fd, "\n", 1) != 1)
		lf->failed = true;
}

NSNET_EXPORT int nsnet_topo_logs(struct nsnet *nn, const char *node, int out_fd)
{
	struct nsnet_logs_opts o = { .struct_size = sizeof(o) };
	struct logs_fd lf = { out_fd, false };

	return logs_lines(nn, node, &o, logs_write, &lf);
}
