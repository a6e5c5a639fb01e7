// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * files.c - the few files nsnet reads and writes (records under /run/nsnet,
 * /etc/netns/NS/hosts), the monotonic clock, and name lookups in a
 * namespace's hosts file.
 *
 * Files are written to a temporary name and renamed over the target, so a
 * reader never sees half a file and a killed writer leaves no half file;
 * the temporary is created with O_EXCL|O_NOFOLLOW and rename() replaces a
 * symbolic link instead of writing through it (a hosts -> /etc/hosts link
 * in /etc/netns/NS must not make nsnet overwrite the host's /etc/hosts).
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>

#include "base/base.h"

ssize_t read_small_file(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	buf[0] = '\0';
	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return n;
}

int mkdir_p(struct nsnet *nn, const char *path)
{
	char buf[512], *p;

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return err_set(nn, ENAMETOOLONG, "create %s", path);
	for (p = buf + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			if (mkdir(buf, 0755) && errno != EEXIST)
				return err_set(nn, errno, "create %s", buf);
			*p = '/';
		}
	if (mkdir(buf, 0755) && errno != EEXIST)
		return err_set(nn, errno, "create %s", buf);
	return 0;
}

int write_file_atomic_at(struct nsnet *nn, int dirfd, const char *dir,
			 const char *name, const char *text)
{
	const char *sep = dir ? "/" : "";
	char tmp[600];
	size_t len = strlen(text), off = 0;
	int fd;

	if (!dir)
		dir = "";
	if (snprintf(tmp, sizeof(tmp), "%s.nsnet-%d", name, (int)getpid()) >=
	    (int)sizeof(tmp))
		return err_set(nn, ENAMETOOLONG, "write %s%s%s", dir, sep, name);
	unlinkat(dirfd, tmp, 0);
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		    0644);
	if (fd < 0)
		return err_set(nn, errno, "write %s%s%s", dir, sep, tmp);
	while (off < len) {
		ssize_t n = write(fd, text + off, len - off);

		if (n < 0) {
			int e = errno;

			close(fd);
			unlinkat(dirfd, tmp, 0);
			return err_set(nn, e, "write %s%s%s", dir, sep, tmp);
		}
		off += (size_t)n;
	}
	if (close(fd) || renameat(dirfd, tmp, dirfd, name)) {
		int e = errno;

		unlinkat(dirfd, tmp, 0);
		return err_set(nn, e, "write %s%s%s", dir, sep, name);
	}
	return 0;
}

int write_file_atomic(struct nsnet *nn, const char *path, const char *text)
{
	return write_file_atomic_at(nn, AT_FDCWD, NULL, path, text);
}

double mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

int hosts_lookup(const char *ns, const char *name, struct ipaddr *ip)
{
	char path[512], line[512];
	FILE *f;

	snprintf(path, sizeof(path), NETNS_ETC_DIR "/%s/hosts", ns);
	f = fopen(path, "re");
	if (!f)
		return -ENOENT;
	while (fgets(line, sizeof(line), f)) {
		char *save = NULL, *addr, *n;

		if ((addr = strchr(line, '#')))
			*addr = '\0';
		addr = strtok_r(line, " \t\r\n", &save);
		if (!addr)
			continue;
		while ((n = strtok_r(NULL, " \t\r\n", &save)))
			if (!strcmp(n, name) && !ip_parse(addr, ip)) {
				fclose(f);
				return 0;
			}
	}
	fclose(f);
	return -ENOENT;
}
