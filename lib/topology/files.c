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

/* The whole of name in dirfd, a regular file of at most max bytes, not
 * through a symbolic link, into *text (NUL-terminated, the caller's) and
 * *len: 0; -ENOENT when it cannot be opened; -EFBIG when it is not a
 * regular file or too large. */
static int file_read_at(int dirfd, const char *name, size_t max, char **text,
			size_t *len)
{
	struct stat st;
	size_t got = 0;
	ssize_t n;
	char *buf;
	int fd;

	*text = NULL;
	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -ENOENT;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || (size_t)st.st_size > max) {
		close(fd);
		return -EFBIG;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf)
		abort();
	while (got < (size_t)st.st_size &&
	       (n = read(fd, buf + got, (size_t)st.st_size - got)) > 0)
		got += (size_t)n;
	close(fd);
	buf[got] = '\0';
	*text = buf;
	*len = got;
	return 0;
}

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
	/* Which machine of hosts: this is, for the commands that follow. */
	if (t->n_hosts && t->local < t->n_hosts) {
		snprintf(path, sizeof(path), "%s/host", dir);
		if ((rc = write_file_atomic(nn, path, t->hosts[t->local].name)))
			return rc;
	}
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

/* The record's files that an up rewrites (topo_record_write). */
static const char *const record_files[] = { "file", "topology.yaml", "host" };
_Static_assert(sizeof(record_files) / sizeof(*record_files) ==
	       sizeof(((struct topo_record_copy *)0)->text) / sizeof(char *),
	       "a copy for each of the record's files");

void topo_record_keep(const char *name, struct topo_record_copy *c)
{
	char dir[512];
	size_t i, len;

	memset(c, 0, sizeof(*c));
	topo_record_dir(dir, sizeof(dir), name);
	for (i = 0; i < ARRAY_SIZE(record_files); i++) {
		char path[600];

		snprintf(path, sizeof(path), "%s/%s", dir, record_files[i]);
		file_read_at(AT_FDCWD, path, TOPO_FILE_MAX, &c->text[i], &len);
	}
}

void topo_record_put_back(struct nsnet *nn, const char *name,
			  struct topo_record_copy *c)
{
	char dir[512];
	size_t i;

	topo_record_dir(dir, sizeof(dir), name);
	for (i = 0; i < ARRAY_SIZE(record_files); i++) {
		char path[600];

		snprintf(path, sizeof(path), "%s/%s", dir, record_files[i]);
		if (c->text[i])
			write_file_atomic(nn, path, c->text[i]);
		else
			unlink(path);
		free(c->text[i]);
		c->text[i] = NULL;
	}
}

/* The plain files of a directory, and the directory: not following a
 * symbolic link, neither for the directory nor for its entries (unlinkat
 * removes a link, never what it points to). */
static void remove_dir(const char *dir)
{
	struct dirent *de;
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			unlinkat(fd, de->d_name, 0);
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

/*
 * /etc/netns/<node> belongs to whoever made what is in it: nsnet writes
 * its hosts and resolv.conf only where there is none or where the one
 * there is still exactly what nsnet wrote, and down removes only those.
 * The hosts file says so in its first line, with a hash of the rest (a
 * file edited since is the user's); resolv.conf is always the same text.
 * Nothing is read or written through a symbolic link.
 */
#define HOSTS_MARK "# written by nsnet for topology "
#define HOSTS_CHECK "; check "
static const char resolv_text[] =
	"# written by nsnet: names are in /etc/hosts\n"
	"options ndots:0 timeout:1 attempts:1\n";

/* The largest file compared: a hosts file of 400,000 nodes is 12 MB. */
#define NETNS_ETC_FILE_MAX (64u << 20)

enum etc_state { ETC_ABSENT, ETC_OURS, ETC_FOREIGN };

char *topo_hosts_file(const struct topo *t)
{
	size_t i, j, len = 0, cap = 4096, head;
	char *s, keep;
	int f;

	/* Every node's, wherever it runs (hosts.c made it before taking
	 * this machine's part of the file). */
	s = t->hosts_text ? strdup(t->hosts_text) : malloc(cap);
	if (!s)
		abort();
	if (t->hosts_text)
		return s;
	/* the first line, with the hash of the rest, is written last */
	len = (size_t)snprintf(s, cap, HOSTS_MARK "%.32s" HOSTS_CHECK "%016llx\n",
			       t->name, 0ull);
	head = len;
	len += (size_t)snprintf(s + len, cap - len, "127.0.0.1\tlocalhost\n::1\tlocalhost\n");
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
	/* the same length: the hash has 16 digits either way */
	keep = s[head];
	snprintf(s, head + 1, HOSTS_MARK "%.32s" HOSTS_CHECK "%016llx\n", t->name,
		 (unsigned long long)topo_hash(s + head, len - head));
	s[head] = keep;
	return s;
}

/* Whether text is a hosts file nsnet wrote, unchanged since. */
static bool hosts_is_ours(const char *text, size_t len)
{
	const char *nl = memchr(text, '\n', len), *check;
	unsigned long long want;
	char *end;

	if (!nl || strncmp(text, HOSTS_MARK, strlen(HOSTS_MARK)))
		return false;
	check = memmem(text, (size_t)(nl - text), HOSTS_CHECK, strlen(HOSTS_CHECK));
	if (!check || nl - (check + strlen(HOSTS_CHECK)) != 16)
		return false;
	want = strtoull(check + strlen(HOSTS_CHECK), &end, 16);
	return end == nl &&
	       want == topo_hash(nl + 1, len - (size_t)(nl + 1 - text));
}

/* /etc/netns/<node>, opened without following a symbolic link. create:
 * made (with /etc/netns) when missing. */
static int etc_dir_open(struct nsnet *nn, const char *node, bool create, int *out)
{
	int etc, fd, e;

	*out = -1;
	if (create && (e = mkdir_p(nn, NETNS_ETC_DIR)))
		return e;
	etc = open(NETNS_ETC_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (etc < 0)
		return errno == ENOENT && !create ? -ENOENT :
			err_set(nn, errno, "open %s", NETNS_ETC_DIR);
	if (create && mkdirat(etc, node, 0755) && errno != EEXIST) {
		e = errno;
		close(etc);
		return err_set(nn, e, "create " NETNS_ETC_DIR "/%s", node);
	}
	fd = openat(etc, node, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	e = errno;
	close(etc);
	if (fd >= 0) {
		*out = fd;
		return 0;
	}
	if (e == ENOENT && !create)
		return -ENOENT;
	if (e == ELOOP || e == ENOTDIR)
		return err_set(nn, 0, NETNS_ETC_DIR "/%s is not a directory (a symbolic link?): nsnet does not write through it",
			       node);
	return err_set(nn, e, "open " NETNS_ETC_DIR "/%s", node);
}

/* A hosts file known to be nsnet's, found in ref (index), or -1. */
static int ref_find(const struct topo_hosts_ref *ref, const struct stat *st)
{
	size_t i;

	for (i = 0; ref && i < ref->n; i++)
		if (ref->file[i].dev == st->st_dev && ref->file[i].ino == st->st_ino)
			return (int)i;
	return -1;
}

static void ref_add(struct topo_hosts_ref *ref, const struct stat *st,
		    bool current, const char *node)
{
	size_t i = ref->n < ARRAY_SIZE(ref->file) ? ref->n++ : 0;

	ref->file[i].dev = st->st_dev;
	ref->file[i].ino = st->st_ino;
	ref->file[i].current = current;
	snprintf(ref->file[i].node, sizeof(ref->file[i].node), "%s", node);
}

/*
 * Whose file name in dirfd is: absent, ours (*text is what it holds, the
 * caller's), or foreign: a symbolic link, not a regular file, too large,
 * or not what nsnet writes (why says which). A hosts file that is one of
 * ref's (the same inode: a hard link) is ours without being read, *text
 * NULL and *known its index; one read and found ours joins ref (current:
 * holding hosts).
 */
static enum etc_state etc_file_state_ref(int dirfd, const char *node,
					 const char *name, char **text,
					 const char **why,
					 struct topo_hosts_ref *ref,
					 const char *hosts, int *known)
{
	struct stat st;
	char *buf;
	size_t got;

	*text = NULL;
	*why = "";
	/* Looked at before it is opened: opening a device or a FIFO can
	 * have effects of its own. */
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW)) {
		if (errno == ENOENT)
			return ETC_ABSENT;
		*why = "cannot be read";
		return ETC_FOREIGN;
	}
	if (S_ISLNK(st.st_mode) || !S_ISREG(st.st_mode)) {
		*why = S_ISLNK(st.st_mode) ? "a symbolic link" : "not a regular file";
		return ETC_FOREIGN;
	}
	*known = -1;
	if (ref && !strcmp(name, "hosts") && (*known = ref_find(ref, &st)) >= 0)
		return ETC_OURS;
	switch (file_read_at(dirfd, name, NETNS_ETC_FILE_MAX, &buf, &got)) {
	case 0:
		break;
	case -ENOENT:
		*why = "cannot be read";
		return ETC_FOREIGN;
	default:
		*why = "replaced while read, or too large";
		return ETC_FOREIGN;
	}
	if (!strcmp(name, "hosts") ? hosts_is_ours(buf, got) :
	    got == strlen(resolv_text) && !strcmp(buf, resolv_text)) {
		if (ref && !strcmp(name, "hosts"))
			ref_add(ref, &st, hosts && !strcmp(buf, hosts), node);
		*text = buf;
		return ETC_OURS;
	}
	free(buf);
	*why = "not written by nsnet, or changed since";
	return ETC_FOREIGN;
}

static enum etc_state etc_file_state(int dirfd, const char *name, char **text,
				     const char **why)
{
	int known;

	return etc_file_state_ref(dirfd, "", name, text, why, NULL, NULL, &known);
}

static int etc_foreign(struct nsnet *nn, const char *node, const char *name,
		       const char *why)
{
	return err_set(nn, 0,
		NETNS_ETC_DIR "/%s/%s is %s: nsnet leaves it alone (remove it and up writes its own)",
		node, name, why);
}

int topo_hosts_state(struct nsnet *nn, const char *node, const char *hosts,
		     struct topo_hosts_ref *ref)
{
	static const char *const names[] = { "hosts", "resolv.conf" };
	const char *why;
	int dirfd, rc, current = 1, known;
	size_t i;

	if ((rc = etc_dir_open(nn, node, false, &dirfd)))
		return rc == -ENOENT ? 0 : rc;
	for (i = 0; i < ARRAY_SIZE(names) && !rc; i++) {
		char *text;

		switch (etc_file_state_ref(dirfd, node, names[i], &text, &why, ref, hosts,
					   &known)) {
		case ETC_ABSENT:
			current = 0;
			break;
		case ETC_FOREIGN:
			rc = etc_foreign(nn, node, names[i], why);
			break;
		case ETC_OURS:
			if (i == 0 && (text ? strcmp(text, hosts) != 0 :
					      !ref->file[known].current))
				current = 0;
			break;
		}
		free(text);
	}
	close(dirfd);
	return rc ? rc : current;
}

/*
 * The plan asks this of every node, and at 1,000 nodes the ten system
 * calls each made the plan's one thread the slowest part of a no-op up:
 * the look runs in state.c's workers, beside the node's dumps, and the
 * plan's thread only compares. What the look cannot settle goes to
 * topo_hosts_state, which says it as it always has.
 */
void topo_hosts_look(const char *node, struct topo_hosts_look *look)
{
	const char *why;
	char path[600], *text;
	int dirfd, known;

	memset(look, 0, sizeof(*look));
	look->seen = true;
	snprintf(path, sizeof(path), NETNS_ETC_DIR "/%s", node);
	dirfd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dirfd < 0) {
		look->dir = -errno;
		return;
	}
	look->hosts_rc = fstatat(dirfd, "hosts", &look->hosts, AT_SYMLINK_NOFOLLOW) ? -errno : 0;
	look->resolv = (int)etc_file_state_ref(dirfd, node, "resolv.conf", &text, &why, NULL,
					       NULL, &known);
	free(text);
	close(dirfd);
}

int topo_hosts_state_seen(struct nsnet *nn, const char *node, const char *hosts,
			  struct topo_hosts_ref *ref, const struct topo_hosts_look *look)
{
	int known;

	if (!look->seen || (look->dir && look->dir != -ENOENT) ||
	    look->resolv == ETC_FOREIGN)
		return topo_hosts_state(nn, node, hosts, ref);
	if (look->dir == -ENOENT)
		return 0;
	if (look->hosts_rc == -ENOENT)
		return 0;
	if (look->hosts_rc || !S_ISREG(look->hosts.st_mode) ||
	    (known = ref_find(ref, &look->hosts)) < 0)
		return topo_hosts_state(nn, node, hosts, ref);
	return look->resolv == ETC_OURS && ref->file[known].current;
}

static const char *const etc_names[] = { "hosts", "resolv.conf" };

/* A hard link of the current hosts file of ref into dirfd as hosts
 * (atomically: a link under a temporary name renamed over it). false when
 * there is none or the link fails (another file system, too many links):
 * the caller writes the file. */
static bool hosts_link(struct topo_hosts_ref *ref, int dirfd)
{
	char tmp[64];
	size_t i;
	int etc, from;

	for (i = 0; i < ref->n && !ref->file[i].current; i++)
		;
	if (i == ref->n || (etc = open(NETNS_ETC_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return false;
	from = openat(etc, ref->file[i].node, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	close(etc);
	if (from < 0)
		return false;
	snprintf(tmp, sizeof(tmp), "hosts.nsnet-%d", (int)getpid());
	unlinkat(dirfd, tmp, 0);
	if (linkat(from, "hosts", dirfd, tmp, 0)) {
		close(from);
		return false;
	}
	close(from);
	if (renameat(dirfd, tmp, dirfd, "hosts")) {
		unlinkat(dirfd, tmp, 0);
		return false;
	}
	return true;
}

/*
 * Make node's files what text says, each of etc_names: written (text[i]),
 * or removed if it is nsnet's (NULL); never a file that is not nsnet's,
 * nor through a symbolic link. The directory goes when that leaves it
 * empty (what anyone else put there stays). nn NULL: no error is said.
 * With ref, a hosts file written is a link to ref's current one when
 * there is one, and becomes it when not; ref's files are known to be
 * nsnet's without being read.
 */
static int etc_files_set(struct nsnet *nn, const char *node,
			 const char *const text[2], struct topo_hosts_ref *ref)
{
	char dir[300];
	const char *why;
	struct stat st;
	int dirfd, rc = 0, etc, known;
	size_t i;

	if (text[0] || text[1]) {
		if ((rc = etc_dir_open(nn, node, true, &dirfd)))
			return rc;
	} else {
		if ((etc = open(NETNS_ETC_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
			return 0;
		dirfd = openat(etc, node, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		close(etc);
		if (dirfd < 0)
			return 0;
	}
	snprintf(dir, sizeof(dir), NETNS_ETC_DIR "/%s", node);
	for (i = 0; i < ARRAY_SIZE(etc_names) && !rc; i++) {
		enum etc_state state;
		char *old;

		/* checked by the plan; again here, just before the change */
		state = etc_file_state_ref(dirfd, node, etc_names[i], &old, &why, ref,
					   text[i], &known);
		free(old);
		if (!text[i]) {
			if (state == ETC_OURS)
				unlinkat(dirfd, etc_names[i], 0);
		} else if (state == ETC_FOREIGN) {
			rc = nn ? etc_foreign(nn, node, etc_names[i], why) : -EEXIST;
		} else if (i == 0 && ref && hosts_link(ref, dirfd)) {
			rc = 0;
		} else {
			rc = write_file_atomic_at(nn, dirfd, dir, etc_names[i], text[i]);
			/* the file the next nodes link to */
			if (!rc && i == 0 && ref &&
			    !fstatat(dirfd, "hosts", &st, AT_SYMLINK_NOFOLLOW) &&
			    ref_find(ref, &st) < 0)
				ref_add(ref, &st, true, node);
		}
	}
	close(dirfd);
	if (!text[0] || !text[1]) {
		/* Only when empty: what anyone else put there stays. */
		if ((etc = open(NETNS_ETC_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
			unlinkat(etc, node, AT_REMOVEDIR);
			close(etc);
		}
	}
	return rc;
}

int topo_hosts_write(struct nsnet *nn, const char *node, const char *hosts,
		     struct topo_hosts_ref *ref)
{
	/* No nameserver: names of the topology are in hosts, and a node
	 * must not send lookups to the real world. */
	const char *const text[2] = { hosts, resolv_text };

	return etc_files_set(nn, node, text, ref);
}

void topo_hosts_remove(const char *node, struct topo_hosts_ref *ref)
{
	const char *const text[2] = { NULL, NULL };

	etc_files_set(NULL, node, text, ref);
}

/* Adding a node to 5,000 read the one shared hosts file (5,000 lines)
 * once for each of its 5,000 links: 0.9 s of the up. The same file (the
 * same device and inode) holds the same text, and is just as much
 * nsnet's. */
void topo_hosts_keep(const char *node, struct topo_hosts_copy *c,
		     const struct topo_hosts_copy *prev)
{
	const char *why;
	struct stat st;
	int etc, dirfd;
	char *text;

	memset(c, 0, sizeof(*c));
	if ((etc = open(NETNS_ETC_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return;
	dirfd = openat(etc, node, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	close(etc);
	if (dirfd < 0)
		return;
	if (fstatat(dirfd, "hosts", &st, AT_SYMLINK_NOFOLLOW) || !S_ISREG(st.st_mode)) {
		;  /* none, or not nsnet's */
	} else if (prev && prev->hosts && st.st_dev == prev->dev && st.st_ino == prev->ino) {
		c->hosts = prev->hosts;
		c->borrowed = true;
	} else if (etc_file_state(dirfd, "hosts", &text, &why) == ETC_OURS) {
		c->hosts = text;
	} else {
		free(text);
	}
	if (c->hosts) {
		c->dev = st.st_dev;
		c->ino = st.st_ino;
	}
	c->resolv = etc_file_state(dirfd, "resolv.conf", &text, &why) == ETC_OURS;
	free(text);
	close(dirfd);
}

void topo_hosts_put_back(struct nsnet *nn, const char *node,
			 const struct topo_hosts_copy *c)
{
	const char *const text[2] = { c->hosts, c->resolv ? resolv_text : NULL };

	etc_files_set(nn, node, text, NULL);
}
