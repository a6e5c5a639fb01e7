// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * run.c - the processes of a topology's run: and setup: commands. Each
 * runs in its node through /bin/sh, detached in its own session
 * (exec_spawn), its output in /run/nsnet/topo/<topology>/run-<node>-<index>.log
 * and its pid, start time and namespace in run-<node>-<index>.pid beside
 * it: up starts those that are not running, status reports them, down
 * ends their process groups, logs shows the output. A setup: command is waited for, once: its success
 * is recorded in setup-<node>-<index>.done (with its text) and it is not
 * run again while that namespace lives; its pid is kept in
 * setup-<node>-<index>.pid, so that down ends it (an up killed while it
 * waited) and what it left running in its group.
 *
 * A pid file is written before the command may run (exec_spawn's note):
 * an up killed at any point leaves no process that down cannot find.
 */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <sys/wait.h>

#include "topology/topology.h"

void topo_run_pidfile(char *buf, size_t len, const char *topo, const char *node,
		      size_t idx)
{
	snprintf(buf, len, NSNET_RUN_DIR "/topo/%s/run-%s-%zu.pid", topo, node, idx);
}

/*
 * Which process a pid file means. A pid alone is not enough: once the
 * process ends, the kernel gives its number to the next one, and down
 * would signal a stranger's process group, up take a dead command for a
 * running one. So the file holds "PID START NETNS": the start time (field
 * 22 of /proc/PID/stat, clock ticks after boot; a reused pid has a later
 * one) and the inode of the network namespace it was started in.
 */
struct run_id {
	pid_t pid;
	unsigned long long start;
	unsigned long long netns;
};

/* Fields of /proc/PID/stat: the state, the process group and the start
 * time. -1 when there is no such process. */
static int proc_stat(pid_t pid, char *state, pid_t *pgrp,
		     unsigned long long *start)
{
	char path[64], buf[1024], *p, *save = NULL;
	int field;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (read_small_file(path, buf, sizeof(buf)) <= 0)
		return -1;
	/* the command name (field 2) may hold spaces and ')': skip to its
	 * last ')' */
	p = strrchr(buf, ')');
	if (!p)
		return -1;
	for (field = 3, p = strtok_r(p + 1, " ", &save); p && field <= 22;
	     field++, p = strtok_r(NULL, " ", &save)) {
		if (field == 3 && state)
			*state = *p;
		else if (field == 5 && pgrp)
			*pgrp = (pid_t)strtol(p, NULL, 10);
		else if (field == 22 && start)
			*start = strtoull(p, NULL, 10);
	}
	return field > 22 ? 0 : -1;
}

static int proc_netns(pid_t pid, unsigned long long *ino)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	if (stat(path, &st))
		return -1;
	*ino = (unsigned long long)st.st_ino;
	return 0;
}

/* The process pid is the one id names, and is not a zombie. */
static bool run_id_alive(const struct run_id *id)
{
	unsigned long long start, ino;
	char state = 'Z';

	return !proc_stat(id->pid, &state, NULL, &start) && state != 'Z' &&
	       start == id->start && !proc_netns(id->pid, &ino) && ino == id->netns;
}

static int run_id_read(const char *path, struct run_id *id)
{
	char buf[128];
	long pid;

	if (read_small_file(path, buf, sizeof(buf)) <= 0 ||
	    sscanf(buf, "%ld %llu %llu", &pid, &id->start, &id->netns) != 3 ||
	    pid <= 1 || pid > INT_MAX)
		return -1;  /* missing, or a bare pid: nothing can be known */
	id->pid = (pid_t)pid;
	return 0;
}

bool topo_run_alive(const char *topo, const char *node, size_t idx)
{
	struct run_id id;
	char path[512];

	topo_run_pidfile(path, sizeof(path), topo, node, idx);
	return !run_id_read(path, &id) && run_id_alive(&id);
}

/*
 * The environment of a run: command: nothing of the caller's but the
 * terminal type and the locale, so that the same file starts the same
 * process whoever runs up and from wherever (docs/topology.md lists it).
 * HOME is the home of the user nsnet runs as, from the password database.
 */
static char **run_env(const struct topo *t, const struct topo_node *nd)
{
	static const char *const pass[] = { "TERM", "LANG", "LC_ALL" };
	char **env = calloc(ARRAY_SIZE(pass) + 6, sizeof(*env)), pwbuf[1024];
	struct passwd pw, *pwr = NULL;
	size_t n = 0, i;

	if (!env)
		abort();
	if (getpwuid_r(getuid(), &pw, pwbuf, sizeof(pwbuf), &pwr) || !pwr)
		pwr = NULL;
	if (asprintf(&env[n++], "PATH=%s", TOPO_RUN_PATH) < 0 ||
	    asprintf(&env[n++], "HOME=%s", pwr && pwr->pw_dir[0] ? pwr->pw_dir : "/") < 0 ||
	    asprintf(&env[n++], "NSNET_NODE=%s", nd->name) < 0 ||
	    asprintf(&env[n++], "NSNET_TOPOLOGY=%s", t->name) < 0)
		abort();
	for (i = 0; i < ARRAY_SIZE(pass); i++) {
		const char *v = getenv(pass[i]);

		if (v && asprintf(&env[n++], "%s=%s", pass[i], v) < 0)
			abort();
	}
	return env;
}

static void run_env_free(char **env)
{
	char **e;

	for (e = env; *e; e++)
		free(*e);
	free(env);
}

/* exec_spawn's note: the pid file of a child that waits to run. */
struct run_note {
	const char *path;
	unsigned long long netns;  /* of the node it is about to enter */
};

static int run_note_write(struct nsnet *nn, pid_t pid, void *data)
{
	const struct run_note *note = data;
	unsigned long long start;
	char id_s[96];

	/* Our child, not yet waited for: its /proc/PID/stat is there and
	 * its pid not reused. */
	if (proc_stat(pid, NULL, NULL, &start))
		return err_set(nn, ESRCH, "read /proc/%d/stat", (int)pid);
	snprintf(id_s, sizeof(id_s), "%d %llu %llu\n", (int)pid, start, note->netns);
	return write_file_atomic(nn, note->path, id_s);
}

static void run_ids_stop(const struct run_id *ids, size_t n_ids);

/* Start argv in node nd with its pid noted in pidfile; what as the
 * command in errors ("run \"CMD\""). */
static int run_spawn(struct nsnet *nn, const struct topo *t,
		     const struct topo_node *nd, char *argv[], const char *log,
		     const char *pidfile, const char *what, pid_t *pid)
{
	struct run_note note = { pidfile, 0 };
	struct run_id old;
	struct stat st;
	struct ns *ns;
	char **env;
	int rc;

	/* What the command's last start left in its group (its leader
	 * gone; an up killed while a setup ran) ends first: the new pid
	 * file would lose it, and no down would find it. */
	if (!run_id_read(pidfile, &old))
		run_ids_stop(&old, 1);
	if ((rc = ns_get(nn, nd->name, &ns)))
		return rc;
	if (fstat(ns->fd, &st))
		return err_set(nn, errno, "node %s: its namespace", nd->name);
	note.netns = (unsigned long long)st.st_ino;
	env = run_env(t, nd);
	rc = exec_spawn(nn, nd->name, argv, env, log, run_note_write, &note, pid);
	run_env_free(env);
	if (rc)
		err_prefix(nn, "node %s: %s", nd->name, what);
	return rc;
}

int topo_run_start(struct nsnet *nn, const struct topo *t,
		   const struct topo_node *nd, size_t idx)
{
	char dir[512], log[600], path[600], what[4200];
	char *argv[] = { "/bin/sh", "-c", nd->run[idx], NULL };
	pid_t pid;

	topo_record_dir(dir, sizeof(dir), t->name);
	snprintf(log, sizeof(log), "%s/run-%s-%zu.log", dir, nd->name, idx);
	topo_run_pidfile(path, sizeof(path), t->name, nd->name, idx);
	snprintf(what, sizeof(what), "run \"%s\"", nd->run[idx]);
	return run_spawn(nn, t, nd, argv, log, path, what, &pid);
}

/* "<prefix><node>-<N><ext>" -> N; -1 otherwise. */
static long file_index(const char *file, const char *prefix, const char *node,
		       const char *ext)
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
	return strcmp(end, ext) ? -1 : idx;
}

void topo_run_forget(const char *topo, const char *node)
{
	struct dirent *de;
	char dir[512];
	int fd;
	DIR *d;

	topo_record_dir(dir, sizeof(dir), topo);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((de = readdir(d)))
		if (file_index(de->d_name, "run-", node, ".pid") >= 0 ||
		    file_index(de->d_name, "setup-", node, ".pid") >= 0 ||
		    file_index(de->d_name, "setup-", node, ".done") >= 0)
			unlinkat(fd, de->d_name, 0);
	closedir(d);
}

/* ---- stopping ------------------------------------------------------------------ */

static int pidfd_open_(pid_t pid)
{
#ifdef SYS_pidfd_open
	return (int)syscall(SYS_pidfd_open, pid, 0);
#else
	(void)pid;
	errno = ENOSYS;
	return -1;
#endif
}

static int pidfd_signal(int pidfd, pid_t pid, int sig)
{
#ifdef SYS_pidfd_send_signal
	if (pidfd >= 0)
		return (int)syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
#endif
	return kill(pid, sig);
}

/* A process to end: held by a pidfd once it was checked to be ours, so
 * that the signal cannot reach a process that took its number since. */
struct run_target {
	pid_t pid;
	int pidfd;    /* -1: no pidfd_open (Linux < 5.3): kill() */
	bool leader;  /* the recorded process itself */
};

/*
 * The processes of the groups of ids: each process whose group is the
 * recorded pid (run: commands lead their own session and group), that
 * started no earlier than it and lives in its namespace. If the recorded
 * pid is now another process, that group is a stranger's: left alone.
 */
static size_t run_targets(const struct run_id *ids, size_t n_ids,
			  struct run_target **out)
{
	struct run_target *tg = NULL;
	size_t n = 0, i;
	bool *stranger = calloc(n_ids + 1, sizeof(*stranger));
	struct dirent *de;
	DIR *d;

	if (!stranger)
		abort();
	for (i = 0; i < n_ids; i++) {
		unsigned long long start;

		if (!proc_stat(ids[i].pid, NULL, NULL, &start) && start != ids[i].start)
			stranger[i] = true;
	}
	d = opendir("/proc");
	while (d && (de = readdir(d))) {
		unsigned long long start, again, ino;
		pid_t pid, pgrp;
		char *end, state;

		pid = (pid_t)strtol(de->d_name, &end, 10);
		if (*end || pid <= 1 || proc_stat(pid, &state, &pgrp, &start))
			continue;
		for (i = 0; i < n_ids; i++)
			if (!stranger[i] && pgrp == ids[i].pid && start >= ids[i].start &&
			    !proc_netns(pid, &ino) && ino == ids[i].netns)
				break;
		if (i == n_ids)
			continue;
		ARRAY_GROW(tg, n);
		tg[n].pid = pid;
		tg[n].leader = pid == ids[i].pid;
		tg[n].pidfd = pidfd_open_(pid);
		/* the pidfd may have caught a successor: check again */
		if (proc_stat(pid, NULL, &pgrp, &again) || again != start) {
			if (tg[n].pidfd >= 0)
				close(tg[n].pidfd);
			continue;
		}
		n++;
	}
	if (d)
		closedir(d);
	free(stranger);
	*out = tg;
	return n;
}

/*
 * Each target through its pidfd; and the whole group of a leader that is
 * still there: while it is, no other group can have its number, and the
 * group signal also reaches what the group forked since the targets were
 * found.
 */
static void run_targets_signal(struct run_target *tg, size_t n, int sig)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (tg[i].pid <= 0)
			continue;
		if (tg[i].leader && !pidfd_signal(tg[i].pidfd, tg[i].pid, 0))
			kill(-tg[i].pid, sig);
		pidfd_signal(tg[i].pidfd, tg[i].pid, sig);
	}
}

/* Whether target i has ended (reaped, if it was our child). */
static bool run_target_gone(struct run_target *t)
{
	char state = 'Z';

	if (t->pid <= 0)
		return true;
	waitpid(t->pid, NULL, WNOHANG);
	if (t->pidfd >= 0) {
		struct pollfd pfd = { .fd = t->pidfd, .events = POLLIN };

		/* a pidfd polls readable once its process has ended */
		if (poll(&pfd, 1, 0) == 1)
			goto gone;
		return false;
	}
	if (kill(t->pid, 0) || (!proc_stat(t->pid, &state, NULL, NULL) && state == 'Z'))
		goto gone;
	return false;
gone:
	if (t->pidfd >= 0)
		close(t->pidfd);
	t->pidfd = -1;
	t->pid = 0;
	return true;
}

/* End the process groups of ids (TERM, then KILL after a second). */
static void run_ids_stop(const struct run_id *ids, size_t n_ids)
{
	struct run_target *tg = NULL;
	size_t n, i;
	int tries;

	n = run_targets(ids, n_ids, &tg);
	run_targets_signal(tg, n, SIGTERM);
	/* a second for them to end, then SIGKILL */
	for (tries = 0; tries < 20; tries++) {
		bool alive = false;

		for (i = 0; i < n; i++)
			alive |= !run_target_gone(&tg[i]);
		if (!alive)
			break;
		nanosleep(&(struct timespec){ 0, 50 * 1000 * 1000 }, NULL);
	}
	run_targets_signal(tg, n, SIGKILL);
	for (i = 0; i < n; i++) {
		if (tg[i].pid > 0)
			waitpid(tg[i].pid, NULL, WNOHANG);
		if (tg[i].pidfd >= 0)
			close(tg[i].pidfd);
	}
	free(tg);
}

void topo_runs_stop(const char *topo)
{
	struct run_id ids[256];
	size_t n_ids = 0;
	struct dirent *de;
	char dir[512];
	DIR *d;

	topo_record_dir(dir, sizeof(dir), topo);
	d = opendir(dir);
	if (!d)
		return;
	while ((de = readdir(d)) && n_ids < ARRAY_SIZE(ids)) {
		const char *dot = strrchr(de->d_name, '.');
		char path[1024];

		if ((strncmp(de->d_name, "run-", 4) && strncmp(de->d_name, "setup-", 6)) ||
		    !dot || strcmp(dot, ".pid"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (!run_id_read(path, &ids[n_ids]))
			n_ids++;
	}
	closedir(d);
	run_ids_stop(ids, n_ids);
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

void topo_run_stop(const char *topo, const char *node, size_t idx, bool setup)
{
	struct run_id id;
	char path[600];

	if (setup)
		setup_file(path, sizeof(path), topo, node, idx, "pid");
	else
		topo_run_pidfile(path, sizeof(path), topo, node, idx);
	if (!run_id_read(path, &id))
		run_ids_stop(&id, 1);
}

int topo_setup_run(struct nsnet *nn, const struct topo *t,
		   const struct topo_node *nd, size_t idx)
{
	char log[600], done[600], path[600], what[4200];
	char *argv[] = { "/bin/sh", "-c", nd->setup[idx], NULL };
	int rc, status, waited;
	pid_t pid;

	setup_file(log, sizeof(log), t->name, nd->name, idx, "log");
	setup_file(done, sizeof(done), t->name, nd->name, idx, "done");
	setup_file(path, sizeof(path), t->name, nd->name, idx, "pid");
	unlink(done);
	snprintf(what, sizeof(what), "setup \"%s\"", nd->setup[idx]);
	if ((rc = run_spawn(nn, t, nd, argv, log, path, what, &pid)))
		return rc;
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
	return file_index(file, prefix, node, ".log");
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
