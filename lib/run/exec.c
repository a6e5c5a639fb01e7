// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * exec.c - running programs inside a namespace: exec (like `ip netns
 * exec`, optionally with its own PID namespace), shell, and detached
 * programs for topologies.
 *
 * The namespace is entered in a child, never in the caller: setns() and
 * unshare(CLONE_NEWNS) cannot be undone, and a library must leave its
 * caller where it was. What goes wrong in the child before the program
 * runs comes back through a close-on-exec pipe, so the caller gets one
 * sentence in the context error instead of text on stderr.
 */
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/close_range.h>

#include "kernel/kernel.h"
#include "run/run.h"

struct exec_msg {
	int stage;
	int code;
	char text[512];
};

void exec_report(int fd, enum exec_stage stage, int code, const char *fmt, ...)
{
	struct exec_msg m = { .stage = stage, .code = code };
	va_list ap;
	ssize_t n;

	if (fd < 0)
		return;
	va_start(ap, fmt);
	vsnprintf(m.text, sizeof(m.text), fmt, ap);
	va_end(ap);
	/* One write smaller than PIPE_BUF is atomic; nothing to retry. */
	n = write(fd, &m, sizeof(m));
	(void)n;
}

int exec_report_read(struct nsnet *nn, int fd)
{
	struct exec_msg m;
	ssize_t n;

	do
		n = read(fd, &m, sizeof(m));
	while (n < 0 && errno == EINTR);
	if (n == 0)
		return 0;
	if (n != (ssize_t)sizeof(m))
		return err_set(nn, n < 0 ? errno : EPROTO,
			       "read the start-up report of a child");
	m.text[sizeof(m.text) - 1] = '\0';
	err_set(nn, m.code, "%s", m.text);
	if (m.stage == EXEC_STAGE_EXEC && (m.code == ENOENT || m.code == EACCES))
		return -m.code;
	/* Only a missing or unusable program may look like ENOENT/EACCES to
	 * the caller, which maps those to the shell's 127/126. */
	if (m.code == ENOENT || m.code == EACCES || !m.code)
		return -EIO;
	return -m.code;
}

/* The files of /etc/netns/NAME replace those of /etc, as ip netns exec
 * does (resolv.conf, hosts, ...). A missing target is skipped like ip
 * does: a bind mount needs something to cover. */
static int exec_bind_etc(const char *name, int report_fd)
{
	char dir[PATH_MAX], src[PATH_MAX + 256], dst[300];
	struct dirent *de;
	DIR *d;

	snprintf(dir, sizeof(dir), NETNS_ETC_DIR "/%s", name);
	d = opendir(dir);
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(src, sizeof(src), "%s/%s", dir, de->d_name);
		snprintf(dst, sizeof(dst), "/etc/%s", de->d_name);
		if (access(dst, F_OK))
			continue;
		if (mount(src, dst, "none", MS_BIND, NULL)) {
			int e = errno;

			exec_report(report_fd, EXEC_STAGE_SETUP, e,
				    "namespace %s: bind %s over %s", name, src,
				    dst);
			closedir(d);
			return -e;
		}
	}
	closedir(d);
	return 0;
}

int exec_enter(const struct ns *ns, bool new_mnt, int report_fd)
{
	unsigned long sys_flags = 0;
	struct statvfs sv;
	const char *what;

	if (ns_is_host(ns->name)) {
		if (!new_mnt)
			return 0;
		what = "unshare the mount namespace";
		if (unshare(CLONE_NEWNS) ||
		    (what = "make / a slave mount",
		     mount("", "/", "none", MS_SLAVE | MS_REC, NULL)))
			goto fail;
		return 0;
	}
	what = "setns";
	if (setns(ns->fd, CLONE_NEWNET))
		goto fail;
	what = "unshare the mount namespace";
	if (unshare(CLONE_NEWNS))
		goto fail;
	/* Slave, not private: mounts made on the host later (a new
	 * namespace under /run/netns) still show up in here. */
	what = "make / a slave mount";
	if (mount("", "/", "none", MS_SLAVE | MS_REC, NULL))
		goto fail;
	/* sysfs shows the network devices of the namespace that mounted it;
	 * keep it read-only if it was. */
	if (!statvfs("/sys", &sv) && (sv.f_flag & ST_RDONLY))
		sys_flags = MS_RDONLY;
	if (umount2("/sys", MNT_DETACH) && errno != EINVAL && errno != ENOENT) {
		what = "unmount /sys";
		goto fail;
	}
	what = "mount /sys";
	if (mount(ns->name, "/sys", "sysfs", sys_flags, NULL))
		goto fail;
	return exec_bind_etc(ns->name, report_fd);
fail:
	{
		int e = errno;

		exec_report(report_fd, EXEC_STAGE_SETUP, e, "namespace %s: %s",
			    ns->name, what);
		return -e;
	}
}

static void exec_program(char *const argv[], char *const envp[],
			 const char *ns_name, int report_fd)
{
	int e;

	if (envp)
		execvpe(argv[0], argv, envp);
	else
		execvp(argv[0], argv);
	e = errno;
	exec_report(report_fd, EXEC_STAGE_EXEC, e, "run %s in %s", argv[0],
		    ns_name);
	_exit(e == ENOENT ? 127 : 126);
}

static volatile pid_t exec_forward_pid;
/* The target is the init of its own PID namespace (exec --pid): the kernel
 * drops SIGTERM and SIGHUP sent to it unless it handles them, so a command
 * that does not is killed one second after the signal it ignored. */
static volatile sig_atomic_t exec_forward_init;

static void exec_forward(int sig)
{
	if (exec_forward_pid <= 0)
		return;
	if (sig == SIGALRM) {
		kill(exec_forward_pid, SIGKILL);
		return;
	}
	kill(exec_forward_pid, sig);
	if (exec_forward_init)
		alarm(1);
}

static int exec_status(int st)
{
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return 255;
}

int exec_wait(pid_t pid)
{
	struct sigaction fwd = { .sa_handler = exec_forward }, ign = {
		.sa_handler = SIG_IGN
	}, old_term, old_hup, old_int, old_quit;
	int st = 0;
	pid_t r;

	exec_forward_pid = pid;
	sigemptyset(&fwd.sa_mask);
	sigemptyset(&ign.sa_mask);
	sigaction(SIGTERM, &fwd, &old_term);
	sigaction(SIGHUP, &fwd, &old_hup);
	if (exec_forward_init)
		sigaction(SIGALRM, &fwd, NULL);
	sigaction(SIGINT, &ign, &old_int);
	sigaction(SIGQUIT, &ign, &old_quit);
	do
		r = waitpid(pid, &st, 0);
	while (r < 0 && errno == EINTR);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGHUP, &old_hup, NULL);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGQUIT, &old_quit, NULL);
	exec_forward_pid = 0;
	if (r < 0)
		return -errno;
	return exec_status(st);
}

static void exec_child_defaults(void)
{
	signal(SIGINT, SIG_DFL);
	signal(SIGQUIT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
}

/* Middle process of --pid: the program becomes PID 1 of a new PID
 * namespace with its own /proc; this one waits and passes the status on. */
static void exec_pid_child(const struct ns *ns, char *const argv[],
			   int report_fd)
{
	pid_t pid;

	if (exec_enter(ns, true, report_fd))
		_exit(255);
	if (unshare(CLONE_NEWPID)) {
		exec_report(report_fd, EXEC_STAGE_SETUP, errno,
			    "namespace %s: new PID namespace", ns->name);
		_exit(255);
	}
	pid = fork();
	if (pid < 0) {
		exec_report(report_fd, EXEC_STAGE_SETUP, errno, "fork");
		_exit(255);
	}
	if (pid == 0) {
		/* Private, so the new /proc does not replace the host's. */
		if (mount("", "/proc", "none", MS_PRIVATE | MS_REC, NULL) &&
		    errno != EINVAL) {
			exec_report(report_fd, EXEC_STAGE_SETUP, errno,
				    "namespace %s: make /proc private", ns->name);
			_exit(255);
		}
		if (mount("proc", "/proc", "proc",
			  MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL)) {
			exec_report(report_fd, EXEC_STAGE_SETUP, errno,
				    "namespace %s: mount /proc", ns->name);
			_exit(255);
		}
		exec_program(argv, NULL, ns->name, report_fd);
	}
	close(report_fd);
	exec_forward_init = 1;
	_exit(exec_wait(pid) & 0xff);
}

NSNET_EXPORT int nsnet_exec(struct nsnet *nn, const char *ns_name,
			    char *const argv[], unsigned int flags)
{
	int fds[2], rc, status;
	struct ns *ns;
	pid_t pid;

	err_clear(nn);
	if (!argv || !argv[0])
		return err_usage(nn, "exec in %s: no command given", ns_name);
	rc = ns_get(nn, ns_name, &ns);
	if (rc)
		return rc;
	if (pipe2(fds, O_CLOEXEC))
		return err_set(nn, errno, "exec in %s: pipe", ns_name);
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		rc = err_set(nn, errno, "exec in %s: fork", ns_name);
		close(fds[0]);
		close(fds[1]);
		return rc;
	}
	if (pid == 0) {
		close(fds[0]);
		exec_child_defaults();
		if (flags & NSNET_EXEC_PID)
			exec_pid_child(ns, argv, fds[1]);
		if (exec_enter(ns, !ns_is_host(ns->name), fds[1]))
			_exit(255);
		exec_program(argv, NULL, ns->name, fds[1]);
	}
	close(fds[1]);
	rc = exec_report_read(nn, fds[0]);
	close(fds[0]);
	status = exec_wait(pid);
	if (rc)
		return rc;
	if (status < 0)
		return err_set(nn, -status, "exec %s in %s: wait", argv[0],
			       ns_name);
	return status;
}

/*
 * In a child about to exec: every descriptor above 2 closes at the exec
 * (the caller's sockets, locks and files are not the program's). Marked
 * close-on-exec rather than closed, so that the namespace's descriptor and
 * the report pipe still work until then. close_range() needs Linux 5.11;
 * before, the first 65,536 are marked one by one.
 */
static void exec_close_fds_on_exec(void)
{
	long fd, max;

#if defined(SYS_close_range) && defined(CLOSE_RANGE_CLOEXEC)
	if (!syscall(SYS_close_range, 3u, ~0u, CLOSE_RANGE_CLOEXEC))
		return;
#endif
	max = sysconf(_SC_OPEN_MAX);
	if (max < 0 || max > 65536)
		max = 65536;
	for (fd = 3; fd < max; fd++)
		fcntl((int)fd, F_SETFD, FD_CLOEXEC);
}

/* In the child: wait for the parent's word (one byte) on gate. None (the
 * parent died, or did not want it to go on): end without running anything. */
static void exec_gate_wait(int gate)
{
	ssize_t n;
	char go;

	do
		n = read(gate, &go, 1);
	while (n < 0 && errno == EINTR);
	if (n != 1)
		_exit(255);
}

int exec_spawn(struct nsnet *nn, const char *ns_name, char *const argv[],
	       char *const envp[], const char *log_path,
	       int (*note)(struct nsnet *nn, pid_t pid, void *data),
	       void *data, pid_t *pid_out)
{
	int fds[2], gate[2], rc, fd;
	struct ns *ns;
	pid_t pid;

	if (!argv || !argv[0])
		return err_usage(nn, "start in %s: no command given", ns_name);
	rc = ns_get(nn, ns_name, &ns);
	if (rc)
		return rc;
	if (pipe2(fds, O_CLOEXEC))
		return err_set(nn, errno, "start %s in %s: pipe", argv[0],
			       ns_name);
	/* A socket, not a pipe: the parent's word to a child that has ended
	 * already must not raise SIGPIPE (send's MSG_NOSIGNAL). */
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, gate)) {
		rc = err_set(nn, errno, "start %s in %s: socketpair", argv[0],
			     ns_name);
		close(fds[0]);
		close(fds[1]);
		return rc;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		rc = err_set(nn, errno, "start %s in %s: fork", argv[0],
			     ns_name);
		close(fds[0]);
		close(fds[1]);
		close(gate[0]);
		close(gate[1]);
		return rc;
	}
	if (pid == 0) {
		close(fds[0]);
		close(gate[0]);
		exec_child_defaults();
		/* Its own session: no terminal signals, and it outlives us. */
		setsid();
		if (exec_enter(ns, !ns_is_host(ns->name), fds[1]))
			_exit(255);
		fd = open("/dev/null", O_RDONLY);
		if (fd >= 0) {
			dup2(fd, 0);
			if (fd > 2)
				close(fd);
		}
		fd = open(log_path ? log_path : "/dev/null",
			  O_WRONLY | O_CREAT | O_APPEND | O_NOCTTY | O_NOFOLLOW |
			  O_CLOEXEC, 0644);
		if (fd < 0) {
			exec_report(fds[1], EXEC_STAGE_SETUP, errno,
				    "start %s in %s: open log %s", argv[0],
				    ns->name, log_path);
			_exit(255);
		}
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
		exec_gate_wait(gate[1]);
		exec_close_fds_on_exec();
		exec_program(argv, envp, ns->name, fds[1]);
	}
	close(fds[1]);
	close(gate[1]);
	/* Noted (a pid file) before it may run: whatever kills us from
	 * here on, the program either never runs or can be found again. */
	rc = note ? note(nn, pid, data) : 0;
	if (!rc)  /* to a child that ended already, in vain: its report says why */
		(void)send(gate[0], "g", 1, MSG_NOSIGNAL);
	close(gate[0]);
	if (!rc)
		rc = exec_report_read(nn, fds[0]);
	close(fds[0]);
	if (rc) {
		waitpid(pid, NULL, 0);
		return rc;
	}
	*pid_out = pid;
	return 0;
}

/* The bash rc file names the namespace from the environment, so one file
 * serves every namespace; written anew each time (atomically) so that an
 * older version never stays behind. The prompt takes the name once, with
 * anything but the name rule's characters made '?': bash expands $(...)
 * and backquotes in PS1 each time it shows it, so the name must never
 * arrive there as code. */
static int shell_rcfile(struct nsnet *nn, char *path, size_t len)
{
	static const char rc[] =
		"# written by nsnet shell\n"
		"if [ -f ~/.bashrc ]; then . ~/.bashrc; fi\n"
		"PS1=\"(ns:${NSNET_NS//[^A-Za-z0-9_.-]/?}) ${PS1-\\\\$ }\"\n";

	snprintf(path, len, NSNET_RUN_DIR "/bashrc");
	if (mkdir(NSNET_RUN_DIR, 0755) && errno != EEXIST)
		return err_set(nn, errno, "create %s", NSNET_RUN_DIR);
	return write_file_atomic(nn, path, rc);
}

/* The namespace's name for a prompt: only the name rule's characters
 * (a shell expands $, backquotes and backslashes in its prompt). */
static void shell_prompt_name(char *buf, size_t len, const char *name)
{
	size_t i;

	snprintf(buf, len, "%s", name);
	for (i = 0; buf[i]; i++)
		if (!isalnum((unsigned char)buf[i]) && !strchr("_.-", buf[i]))
			buf[i] = '?';
}

NSNET_EXPORT int nsnet_shell(struct nsnet *nn, const char *ns_name)
{
	const char *shell = getenv("SHELL");
	char rcfile[PATH_MAX], prompt[300];
	const char *base;
	struct ns *ns;
	int rc;

	err_clear(nn);
	if (!shell || !*shell)
		shell = "/bin/sh";
	rc = ns_get(nn, ns_name, &ns);
	if (rc)
		return rc;
	base = strrchr(shell, '/');
	base = base ? base + 1 : shell;
	if (!strcmp(base, "bash")) {
		rc = shell_rcfile(nn, rcfile, sizeof(rcfile));
		if (rc)
			return rc;
	}
	if (setenv("NSNET_NS", ns_name, 1))
		return err_set(nn, errno, "shell in %s: environment", ns_name);
	if (strcmp(base, "bash")) {
		const char *ps1 = getenv("PS1");
		char safe[80];

		shell_prompt_name(safe, sizeof(safe), ns_name);
		snprintf(prompt, sizeof(prompt), "(ns:%s) %s", safe,
			 ps1 ? ps1 : "$ ");
		setenv("PS1", prompt, 1);
	}
	/* Replacing ourselves: the namespace is entered right here. */
	rc = exec_enter(ns, !ns_is_host(ns_name), -1);
	if (rc)
		return err_set(nn, -rc, "shell in %s: enter the namespace",
			       ns_name);
	if (!strcmp(base, "bash"))
		execl(shell, shell, "--rcfile", rcfile, (char *)NULL);
	else
		execl(shell, shell, (char *)NULL);
	return err_set(nn, errno, "shell in %s: run %s", ns_name, shell);
}
