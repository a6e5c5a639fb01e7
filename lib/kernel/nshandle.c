// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nshandle.c - opening a namespace by name: its file descriptor and, made
 * on first use by netlink.c, the rtnetlink socket that lives inside it,
 * both cached in the context until released. ns_call() is the one place
 * where the calling thread enters another network namespace.
 */
#include <fcntl.h>
#include <sched.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <libmnl/libmnl.h>

#include "kernel/kernel.h"

int ns_get(struct nsnet *nn, const char *name, struct ns **out)
{
	char path[512];
	struct ns *ns;
	int rc;

	for (ns = nn->ns_list; ns; ns = ns->next)
		if (!strcmp(ns->name, name)) {
			*out = ns;
			return 0;
		}
	rc = check_ns_name(nn, name, true);
	if (rc)
		return rc;
	if (ns_is_host(name))
		snprintf(path, sizeof(path), "/proc/self/ns/net");
	else
		snprintf(path, sizeof(path), NETNS_RUN_DIR "/%s", name);
	ns = calloc(1, sizeof(*ns));
	if (!ns)
		return err_set(nn, ENOMEM, "namespace %s", name);
	snprintf(ns->name, sizeof(ns->name), "%s", name);
	ns->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (ns->fd < 0) {
		int e = errno;

		free(ns);
		if (e == ENOENT)
			return err_set(nn, 0,
				"namespace %s does not exist (see 'nsnet ns list')",
				name);
		return err_set(nn, e, "namespace %s: open %s", name, path);
	}
	ns->next = nn->ns_list;
	nn->ns_list = ns;
	*out = ns;
	return 0;
}

/*
 * A namespace given by a path rather than a name: what a container runtime
 * hands a CNI plugin (/run/netns/netns-<uuid>, /proc/<pid>/ns/net). The
 * path is its name in the cache and in messages. Only a network namespace
 * file is accepted (nsfs): a plain file there would make every later
 * setns() fail far from the cause. -ENOENT when the path does not exist.
 */
int ns_get_path(struct nsnet *nn, const char *path, struct ns **out)
{
	struct statfs sfs;
	struct ns *ns;
	int fd, e;

	for (ns = nn->ns_list; ns; ns = ns->next)
		if (!strcmp(ns->name, path)) {
			*out = ns;
			return 0;
		}
	if (!path[0] || strlen(path) >= sizeof(ns->name))
		return err_usage(nn, "network namespace path \"%.40s\" is empty or too long",
				 path);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		e = errno;
		return err_set(nn, e, "network namespace %s", path);
	}
	if (fstatfs(fd, &sfs) || sfs.f_type != NSFS_MAGIC) {
		close(fd);
		return err_set(nn, EINVAL,
			       "%s is not a network namespace file", path);
	}
	ns = calloc(1, sizeof(*ns));
	if (!ns) {
		close(fd);
		return err_set(nn, ENOMEM, "namespace %s", path);
	}
	snprintf(ns->name, sizeof(ns->name), "%s", path);
	ns->fd = fd;
	ns->next = nn->ns_list;
	nn->ns_list = ns;
	*out = ns;
	return 0;
}

/* The host namespace is opened first of all, so that ns_call() can always
 * come back to it. */
int ns_call(struct nsnet *nn, struct ns *ns, int (*fn)(void *arg), void *arg)
{
	struct ns *host;
	int rc;

	if (ns_is_host(ns->name))
		return fn(arg);
	rc = ns_get(nn, NSNET_HOST, &host);
	if (rc)
		return rc;
	if (setns(ns->fd, CLONE_NEWNET))
		return -errno;
	rc = fn(arg);
	if (setns(host->fd, CLONE_NEWNET))
		abort(); /* cannot happen; going on in the wrong namespace is worse */
	return rc;
}

void ns_release_all(struct nsnet *nn)
{
	struct ns *ns, *next;

	for (ns = nn->ns_list; ns; ns = next) {
		next = ns->next;
		if (ns->nl)
			mnl_socket_close(ns->nl);
		if (ns->fd >= 0)
			close(ns->fd);
		free(ns);
	}
	nn->ns_list = NULL;
}

void ns_release(struct nsnet *nn, const char *name)
{
	struct ns **pp, *ns;

	for (pp = &nn->ns_list; (ns = *pp); pp = &ns->next)
		if (!strcmp(ns->name, name)) {
			*pp = ns->next;
			if (ns->nl)
				mnl_socket_close(ns->nl);
			close(ns->fd);
			free(ns);
			return;
		}
}

/* /run/netns must be a shared mount so that namespaces created in one mount
 * namespace appear in the others: what ip netns add does, in the same way. */
