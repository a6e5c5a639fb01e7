/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * exec.h - starting programs inside namespaces, shared by exec.c,
 * sandbox.c and the topology code (run: commands).
 */
#ifndef NSNET_EXEC_H
#define NSNET_EXEC_H

#include <stdbool.h>
#include <sys/types.h>

#include "kernel/kernel.h"

struct nsnet;
struct ns;

/*
 * Start argv inside namespace ns ("host" too) the way `ip netns exec`
 * does, detached: its own session, stdin from /dev/null, stdout and stderr
 * appended to log_path (NULL: /dev/null; never through a symbolic link),
 * no other descriptor of the caller, and the environment envp (NULL: the
 * caller's). It survives nsnet exiting. *pid is the program's pid once it
 * has been exec'd; a program that cannot be started is an error
 * (-ENOENT/-EACCES when not found/not executable).
 *
 * note (may be NULL) is called with the child's pid before the child may
 * go on: the caller writes there what finds the process again (its pid
 * file). The child waits for that; when note fails, or the caller dies
 * first (SIGKILL), it ends without running anything: no program runs that
 * its caller did not note.
 */
int exec_spawn(struct nsnet *nn, const char *ns, char *const argv[],
	       char *const envp[], const char *log_path,
	       int (*note)(struct nsnet *nn, pid_t pid, void *data),
	       void *data, pid_t *pid);

/*
 * What a child that failed before (or at) exec tells its parent through a
 * close-on-exec pipe; EOF on the pipe means the exec succeeded.
 */
enum exec_stage { EXEC_STAGE_SETUP = 1, EXEC_STAGE_EXEC = 2 };

void exec_report(int fd, enum exec_stage stage, int code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Read the report: 0 when there was none (the exec happened), else the
 * context error is set and a negative errno returned: -ENOENT/-EACCES only
 * when the program itself was not found/not executable. */
int exec_report_read(struct nsnet *nn, int fd);

/*
 * In the calling (child) process: join ns's network namespace with a
 * private view of mounts, as `ip netns exec` does: /sys for that
 * namespace, the files of /etc/netns/NAME bound over /etc. For "host" only a new
 * mount namespace when new_mnt is set. Reports failures on report_fd.
 */
int exec_enter(const struct ns *ns, bool new_mnt, int report_fd);

/* Wait for pid, forwarding SIGTERM and SIGHUP to it and ignoring terminal
 * SIGINT/SIGQUIT meanwhile (the child gets those from the terminal); the
 * shell's convention for the status: 128+N when killed by signal N. */
int exec_wait(pid_t pid);

#endif
