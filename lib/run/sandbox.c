// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sandbox.c - a throwaway world to run tests and experiments in: new
 * network, mount and PID namespaces, private mounts with tmpfs over the
 * directories nsnet and ip keep state in, and a simulated upstream.
 *
 * The first process of the sandbox is a small init (PID 1 of the new PID
 * namespace): it sets everything up, starts the command, reaps orphans
 * and exits with the command's status. When it exits the kernel kills
 * whatever is left in the PID namespace, and the network namespaces die
 * with the mount namespace that holds their bind mounts: nothing leaks.
 *
 * The upstream ("the internet") is a namespace called upstream, one veth
 * away: eth0 198.51.100.2/24 here, 198.51.100.1/24 there, default route
 * through it. All of 203.0.113.0/24 is local to upstream (a local route,
 * like AnyIP), so any address there answers pings and can be bound by a
 * server. upstream has no route to private ranges: replies reach 10.x
 * networks only through NAT, as on the real internet.
 *
 * IPv6 the same way, in the documentation prefix: eth0 2001:db8:100::2/64
 * here, 2001:db8:100::1/64 there, a default route through it, and all of
 * 2001:db8:203::/64 local to upstream.
 */
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>

#include "kernel/kernel.h"
#include "run/run.h"

#define SANDBOX_UPSTREAM "upstream"
#define SANDBOX_MARK "nsnet:sandbox"

static const char *const sandbox_tmpfs_dirs[] = {
	NETNS_RUN_DIR, NSNET_RUN_DIR, NETNS_ETC_DIR,
};

static int sandbox_mkdirs(const char *path)
{
	char buf[256];
	char *p;

	snprintf(buf, sizeof(buf), "%s", path);
	for (p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, 0755) && errno != EEXIST)
		return -errno;
	return 0;
}

static int sandbox_mounts(struct nsnet *nn)
{
	size_t i;
	int rc;

	/* Private first: nothing mounted below may reach the host. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		return err_set(nn, errno, "sandbox: make / private");
	for (i = 0; i < ARRAY_SIZE(sandbox_tmpfs_dirs); i++) {
		rc = sandbox_mkdirs(sandbox_tmpfs_dirs[i]);
		if (rc)
			return err_set(nn, -rc, "sandbox: create %s",
				       sandbox_tmpfs_dirs[i]);
		if (mount("tmpfs", sandbox_tmpfs_dirs[i], "tmpfs",
			  MS_NOSUID | MS_NODEV, "mode=0755"))
			return err_set(nn, errno, "sandbox: mount tmpfs on %s",
				       sandbox_tmpfs_dirs[i]);
	}
	/* A fresh sysfs, so that /sys/class/net lists this namespace. */
	if (umount2("/sys", MNT_DETACH) && errno != EINVAL && errno != ENOENT)
		return err_set(nn, errno, "sandbox: unmount /sys");
	if (mount("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  NULL))
		return err_set(nn, errno, "sandbox: mount /sys");
	return 0;
}

static void sandbox_ip(struct ipaddr *ip, const char *cidr)
{
	if (cidr_parse(cidr, ip))
		abort(); /* constants below */
}

static void sandbox_queue_local_route(struct nl_batch *b, const char *cidr)
{
	struct ipaddr net;
	struct rtmsg *rtm;

	sandbox_ip(&net, cidr);
	nl_batch_add(b, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL,
		     "add local route %s in " SANDBOX_UPSTREAM, cidr);
	rtm = nl_put_extra(b, sizeof(*rtm));
	rtm->rtm_family = (unsigned char)net.family;
	rtm->rtm_dst_len = (unsigned char)net.prefix;
	rtm->rtm_table = RT_TABLE_LOCAL;
	rtm->rtm_protocol = RTPROT_NSNET;
	rtm->rtm_scope = RT_SCOPE_HOST;
	rtm->rtm_type = RTN_LOCAL;
	nl_put(b, RTA_DST, ip_len(&net), net.a.b);
	nl_put_u32(b, RTA_OIF, 1); /* lo */
}

static int sandbox_upstream(struct nsnet *nn, bool upstream)
{
	struct ipaddr here, there, gw, def = { .family = AF_INET, .prefix = 0 };
	struct ipaddr here6, there6, gw6, def6 = { .family = AF_INET6, .prefix = 0 };
	struct nl_link l_here, l_there;
	struct ns *sb, *up;
	struct nl_batch b;
	int rc;

	rc = ns_get(nn, NSNET_HOST, &sb);
	if (rc)
		return rc;
	nl_batch_init(&b);
	link_queue_set(&b, "the sandbox", "lo", 1, 1, 0, -1, NULL);
	rc = nl_batch_send(nn, sb, &b);
	nl_batch_free(&b);
	if (rc || !upstream)
		return rc;

	rc = ns_add(nn, SANDBOX_UPSTREAM);
	if (!rc)
		rc = ns_get(nn, SANDBOX_UPSTREAM, &up);
	if (rc)
		return rc;
	nl_batch_init(&b);
	veth_queue_add(&b, "the sandbox", "eth0", up, "eth0", 0, 0, true);
	rc = nl_batch_send(nn, sb, &b);
	nl_batch_free(&b);
	if (rc)
		return rc;
	if ((rc = nl_link_get(nn, sb, "eth0", &l_here)) ||
	    (rc = nl_link_get(nn, up, "eth0", &l_there)))
		return rc == -ENODEV ?
		       err_set(nn, ENODEV, "sandbox: eth0 vanished") : rc;

	sandbox_ip(&here, "198.51.100.2/24");
	sandbox_ip(&there, "198.51.100.1/24");
	sandbox_ip(&gw, "198.51.100.1");
	sandbox_ip(&here6, "2001:db8:100::2/64");
	sandbox_ip(&there6, "2001:db8:100::1/64");
	sandbox_ip(&gw6, "2001:db8:100::1");
	/* upstream first: the default route below needs its peer up. */
	nl_batch_init(&b);
	link_queue_set(&b, SANDBOX_UPSTREAM, "eth0", l_there.index, 1, 0, -1,
		       SANDBOX_MARK);
	addr_queue(&b, true, SANDBOX_UPSTREAM, "eth0", l_there.index, &there);
	addr_queue(&b, true, SANDBOX_UPSTREAM, "eth0", l_there.index, &there6);
	sandbox_queue_local_route(&b, "203.0.113.0/24");
	sandbox_queue_local_route(&b, "2001:db8:203::/64");
	rc = nl_batch_send(nn, up, &b);
	nl_batch_free(&b);
	if (rc)
		return rc;
	nl_batch_init(&b);
	link_queue_set(&b, "the sandbox", "eth0", l_here.index, 1, 0, -1,
		       SANDBOX_MARK);
	addr_queue(&b, true, "the sandbox", "eth0", l_here.index, &here);
	addr_queue(&b, true, "the sandbox", "eth0", l_here.index, &here6);
	route_queue(&b, true, "the sandbox", &def, &gw, 0, NULL);
	route_queue(&b, true, "the sandbox", &def6, &gw6, 0, NULL);
	rc = nl_batch_send(nn, sb, &b);
	nl_batch_free(&b);
	return rc;
}

static volatile pid_t sandbox_cmd_pid;

static void sandbox_forward(int sig, siginfo_t *si, void *ctx)
{
	(void)ctx;
	/* A terminal's ^C reaches the whole foreground group, the command
	 * included; only signals sent to us by someone are passed on. */
	if (si && si->si_code == SI_KERNEL)
		return;
	if (sandbox_cmd_pid > 0)
		kill(sandbox_cmd_pid, sig);
}

static int sandbox_status(int st)
{
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return 255;
}

/* PID 1 of the sandbox. Never returns. */
static void sandbox_init(struct nsnet *nn, char *const argv[], bool upstream,
			 int report_fd)
{
	struct sigaction sa = { .sa_sigaction = sandbox_forward,
				.sa_flags = SA_SIGINFO };
	int status = 255, st, e;
	pid_t pid, r;

	/* If nsnet dies, the sandbox goes with it. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	/* The context was copied from the caller: its cached namespaces
	 * (the old "host" above all) are not ours to use in here. */
	ns_release_all(nn);
	if (sandbox_mounts(nn) || sandbox_upstream(nn, upstream))
		goto fail;
	/* Last: everything above still needed the caller's /proc. */
	if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  NULL)) {
		err_set(nn, errno, "sandbox: mount /proc");
		goto fail;
	}
	/* The command inherits no netlink socket of ours. */
	ns_release_all(nn);
	if (setenv("NSNET_SANDBOX", "1", 1)) {
		err_set(nn, errno, "sandbox: environment");
		goto fail;
	}
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGQUIT, SIG_IGN);
	pid = fork();
	if (pid < 0) {
		err_set(nn, errno, "sandbox: fork");
		goto fail;
	}
	if (pid == 0) {
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		signal(SIGQUIT, SIG_DFL);
		prctl(PR_SET_PDEATHSIG, 0);
		execvp(argv[0], argv);
		e = errno;
		exec_report(report_fd, EXEC_STAGE_EXEC, e, "sandbox: run %s",
			    argv[0]);
		_exit(e == ENOENT ? 127 : 126);
	}
	sandbox_cmd_pid = pid;
	close(report_fd);
	for (;;) {
		r = waitpid(-1, &st, 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (r == pid) {
			status = sandbox_status(st);
			break;
		}
	}
	_exit(status);
fail:
	exec_report(report_fd, EXEC_STAGE_SETUP, nn->err_code, "%s", nn->err);
	_exit(255);
}

NSNET_EXPORT int nsnet_sandbox(struct nsnet *nn, char *const argv[],
			       bool upstream)
{
	int fds[2], rc, status;
	long pid;

	err_clear(nn);
	if (!argv || !argv[0])
		return err_usage(nn, "sandbox: no command given");
	if (pipe2(fds, O_CLOEXEC))
		return err_set(nn, errno, "sandbox: pipe");
	fflush(NULL);
	/* clone() rather than unshare()+fork(): the caller stays where it
	 * is, and the child is PID 1 of its namespace at once. */
	pid = syscall(SYS_clone, CLONE_NEWNET | CLONE_NEWNS | CLONE_NEWPID |
			      SIGCHLD, 0, 0, 0, 0);
	if (pid < 0) {
		rc = err_set(nn, errno, "sandbox: new namespaces");
		close(fds[0]);
		close(fds[1]);
		return rc;
	}
	if (pid == 0) {
		close(fds[0]);
		sandbox_init(nn, argv, upstream, fds[1]);
	}
	close(fds[1]);
	rc = exec_report_read(nn, fds[0]);
	close(fds[0]);
	status = exec_wait((pid_t)pid);
	if (rc)
		return rc;
	if (status < 0)
		return err_set(nn, -status, "sandbox: wait");
	return status;
}
