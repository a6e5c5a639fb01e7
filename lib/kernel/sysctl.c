// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sysctl.c - per-namespace sysctls. /proc/sys/net shows the network
 * namespace of the thread that opens the file, so the open happens inside
 * the namespace (ns_call) and the read or write after coming back.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "kernel/kernel.h"

struct sysctl_open {
	const char *path;
	int flags;
	int fd;
};

static int sysctl_open_here(void *arg)
{
	struct sysctl_open *o = arg;
	char p[256];

	snprintf(p, sizeof(p), "/proc/sys/%s", o->path);
	o->fd = open(p, o->flags | O_CLOEXEC);
	return o->fd < 0 ? -errno : 0;
}

int sysctl_read(struct nsnet *nn, struct ns *ns, const char *path, char *buf,
		size_t len)
{
	struct sysctl_open o = { path, O_RDONLY, -1 };
	ssize_t n;
	int rc;

	rc = ns_call(nn, ns, sysctl_open_here, &o);
	if (rc)
		return err_set(nn, -rc, "read %s in %s", path, ns->name);
	n = read(o.fd, buf, len - 1);
	close(o.fd);
	if (n < 0)
		return err_set(nn, errno, "read %s in %s", path, ns->name);
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		n--;
	buf[n] = '\0';
	return 0;
}

int sysctl_write(struct nsnet *nn, struct ns *ns, const char *path,
		 const char *value)
{
	struct sysctl_open o = { path, O_WRONLY, -1 };
	ssize_t n;
	int rc;

	rc = ns_call(nn, ns, sysctl_open_here, &o);
	if (rc)
		return err_set(nn, -rc, "set %s=%s in %s", path, value,
			       ns->name);
	n = write(o.fd, value, strlen(value));
	close(o.fd);
	if (n < 0)
		return err_set(nn, errno, "set %s=%s in %s", path, value,
			       ns->name);
	return 0;
}

/* nsnet_forward_set() is in firewall/host.c: in the host it also drops the
 * firewall's saved values, which the user's word overrules. */

int forward_get(struct nsnet *nn, const char *ns_name,
				   bool *v4, bool *v6)
{
	char buf[16];
	struct ns *ns;
	int rc;

	rc = ns_get(nn, ns_name, &ns);
	if (rc)
		return rc;
	rc = sysctl_read(nn, ns, "net/ipv4/ip_forward", buf, sizeof(buf));
	if (rc)
		return rc;
	*v4 = buf[0] == '1';
	rc = sysctl_read(nn, ns, "net/ipv6/conf/all/forwarding", buf,
			 sizeof(buf));
	if (rc)
		return rc;
	*v6 = buf[0] == '1';
	return 0;
}

NSNET_EXPORT int nsnet_forward_get(struct nsnet *nn, const char *ns_name,
				   bool *v4, bool *v6)
{
	return forward_get(nn, ns_name, v4, v6);
}
