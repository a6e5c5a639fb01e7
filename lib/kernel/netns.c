// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * netns.c - named network namespaces, compatible with `ip netns`: a bind
 * mount of the namespace under /run/netns, so ip, nsnet and every other
 * tool see the same namespaces. nsnet also leaves an empty file under
 * /run/nsnet/ns for the ones it created: the kernel has nowhere to mark a
 * namespace, and "nsnet created it" must be known to `ns list` and `down`.
 */
#include <dirent.h>
#include <pthread.h>
#include <stdatomic.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <jansson.h>

#include "kernel/kernel.h"

static void ns_record_path(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, NSNET_RUN_DIR "/ns/%s", name);
}

bool ns_is_ours(const char *name)
{
	char path[512];

	ns_record_path(path, sizeof(path), name);
	return access(path, F_OK) == 0;
}

int ns_record_owner(const char *name, char *owner, size_t len)
{
	char path[512];

	ns_record_path(path, sizeof(path), name);
	return read_small_file(path, owner, len) < 0 ? -ENOENT : 0;
}

void ns_record_remove(const char *name)
{
	char path[512];

	ns_record_path(path, sizeof(path), name);
	unlink(path);
}

size_t ns_records_of(const char *owner, char ***names)
{
	DIR *d = opendir(NSNET_RUN_DIR "/ns");
	struct dirent *de;
	char **v = NULL;
	size_t n = 0;

	*names = NULL;
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		char buf[256];

		if (de->d_name[0] == '.' ||
		    ns_record_owner(de->d_name, buf, sizeof(buf)) || strcmp(buf, owner))
			continue;
		ARRAY_GROW(v, n);
		if (!(v[n++] = strdup(de->d_name)))
			abort();
	}
	closedir(d);
	*names = v;
	return n;
}

bool ns_exists(const char *name)
{
	char path[512];

	if (ns_is_host(name))
		return true;
	snprintf(path, sizeof(path), NETNS_RUN_DIR "/%s", name);
	return access(path, F_OK) == 0;
}

NSNET_EXPORT bool nsnet_ns_exists(const char *name)
{
	return ns_exists(name);
}

static int netns_run_dir_prepare(struct nsnet *nn)
{
	bool bound = false;

	if (mkdir(NETNS_RUN_DIR, 0755) && errno != EEXIST)
		return err_set(nn, errno, "create %s", NETNS_RUN_DIR);
	while (mount("", NETNS_RUN_DIR, "none", MS_SHARED | MS_REC, NULL)) {
		if (errno != EINVAL || bound)
			return err_set(nn, errno, "make %s a shared mount",
				       NETNS_RUN_DIR);
		if (mount(NETNS_RUN_DIR, NETNS_RUN_DIR, "none", MS_BIND | MS_REC,
			  NULL))
			return err_set(nn, errno, "bind mount %s", NETNS_RUN_DIR);
		bound = true;
	}
	return 0;
}

/*
 * A record appears whole or not at all: written into an unnamed file
 * (O_TMPFILE) that gets its name once it holds the owner. A SIGKILL
 * between creating a named file and writing it would leave an empty
 * record, which reads as a plain `ns add` and would be no topology's to
 * remove. Returns 0 or a negative errno (no error set: threads call it).
 */
static int ns_record_write(const char *name, const char *owner)
{
	char path[512], fdpath[64];
	size_t len = strlen(owner);
	int fd, rc = 0;

	ns_record_path(path, sizeof(path), name);
	fd = open(NSNET_RUN_DIR "/ns", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644);
	if (fd < 0 && errno != EOPNOTSUPP && errno != EISDIR)
		return -errno;
	if (fd < 0) {  /* no O_TMPFILE here: the small window it closes */
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
			  0644);
		if (fd < 0)
			return -errno;
		if (len && write(fd, owner, len) != (ssize_t)len)
			rc = errno ? -errno : -EIO;
		close(fd);
		if (rc)
			unlink(path);
		return rc;
	}
	if (len && write(fd, owner, len) != (ssize_t)len)
		rc = errno ? -errno : -EIO;
	snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", fd);
	/* A stale record of the name (its namespace is gone) is replaced. */
	if (!rc && unlink(path) && errno != ENOENT)
		rc = -errno;
	if (!rc && linkat(AT_FDCWD, fdpath, AT_FDCWD, path, AT_SYMLINK_FOLLOW))
		rc = -errno;
	close(fd);
	return rc;
}

static int ns_record(struct nsnet *nn, const char *name, bool add)
{
	char path[512];
	int rc;

	ns_record_path(path, sizeof(path), name);
	if (!add)
		return unlink(path) && errno != ENOENT ? -errno : 0;
	if ((mkdir(NSNET_RUN_DIR, 0755) && errno != EEXIST) ||
	    (mkdir(NSNET_RUN_DIR "/ns", 0755) && errno != EEXIST))
		return err_set(nn, errno, "create %s/ns", NSNET_RUN_DIR);
	if ((rc = ns_record_write(name, nn->owner)))
		return err_set(nn, -rc, "write %s", path);
	return 0;
}

int ns_add(struct nsnet *nn, const char *name)
{
	char path[512];
	struct nl_batch b;
	struct ns *host, *ns;
	int fd, rc;

	rc = check_ns_name(nn, name, false);
	if (rc)
		return rc;
	rc = ns_get(nn, NSNET_HOST, &host);
	if (rc)
		return rc;
	rc = netns_run_dir_prepare(nn);
	if (rc)
		return rc;
	snprintf(path, sizeof(path), NETNS_RUN_DIR "/%s", name);
	if (!access(path, F_OK))
		return err_set(nn, 0, "namespace %s already exists", name);
	/* The record before the namespace (as ns_add_many does): killed at
	 * any point after, nsnet still knows the namespace is its own. */
	if ((rc = ns_record(nn, name, true)))
		return rc;
	fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
	if (fd < 0) {
		rc = errno == EEXIST ?
		     err_set(nn, 0, "namespace %s already exists", name) :
		     err_set(nn, errno, "namespace %s: create %s", name, path);
		ns_record(nn, name, false);
		return rc;
	}
	close(fd);
	/* unshare() moves only this thread; the bind mount keeps the new
	 * namespace alive once we are back in the host one. */
	if (unshare(CLONE_NEWNET)) {
		rc = err_set(nn, errno, "namespace %s: unshare", name);
		unlink(path);
		ns_record(nn, name, false);
		return rc;
	}
	if (mount("/proc/thread-self/ns/net", path, "none", MS_BIND, NULL)) {
		rc = err_set(nn, errno, "namespace %s: bind mount", name);
		if (setns(host->fd, CLONE_NEWNET))
			abort();
		unlink(path);
		ns_record(nn, name, false);
		return rc;
	}
	/* While inside: keep the namespace open and its socket, which saves
	 * entering it again just to open them. */
	ns = calloc(1, sizeof(*ns));
	if (ns) {
		snprintf(ns->name, sizeof(ns->name), "%s", name);
		ns->fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
		rc = ns->fd < 0 ? -errno : nl_open_here(ns);
	} else {
		rc = -ENOMEM;
	}
	if (setns(host->fd, CLONE_NEWNET))
		abort();
	if (rc) {
		if (ns && ns->fd >= 0)
			close(ns->fd);
		free(ns);
		rc = err_set(nn, -rc, "namespace %s: open", name);
	} else {
		ns->next = nn->ns_list;
		nn->ns_list = ns;
		/* Loopback up at birth: every seed does it by hand, and
		 * nothing works without it. lo is always index 1. */
		nl_batch_init(&b);
		link_queue_set(&b, name, "lo", 1, 1, 0, -1, NULL);
		rc = nl_batch_send(nn, ns, &b);
		nl_batch_free(&b);
		/* Not kept: `ns add` of 600 names would hold 1,200
		 * descriptors, past RLIMIT_NOFILE's usual 1,024. */
		ns_release(nn, name);
	}
	if (rc) {
		ns_release(nn, name);
		umount2(path, MNT_DETACH);
		unlink(path);
		ns_record(nn, name, false);
		err_prefix(nn, "create namespace %s", name);
	}
	return rc;
}

NSNET_EXPORT int nsnet_ns_add(struct nsnet *nn, const char *name)
{
	return LOCKED(nn, ns_add(nn, name));
}

/*
 * Bulk creation for topologies: the kernel's work for a namespace (~0.7 ms
 * here, most of it in unshare()) runs in parallel in as many threads as
 * there are CPUs. setns() and unshare() move only the calling thread, so
 * each worker comes back to the host namespace on its own. Workers share
 * nothing but the index of the next name and the first error.
 */
struct ns_bulk {
	char *const *names;
	size_t n;
	bool *created;
	atomic_size_t next;
	int host_fd;
	const char *owner;
	pthread_mutex_t lock;
	int err;             /* positive errno of the first failure */
	char err_what[300];
};

/* Loopback up from inside the namespace, on a socket used once. */
static int ns_lo_up_here(void)
{
	char buf[256] __attribute__((aligned(4)));
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;
	struct mnl_socket *nl;
	int rc = 0;

	nl = mnl_socket_open(NETLINK_ROUTE);
	if (!nl)
		return -errno;
	nlh->nlmsg_type = RTM_SETLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = 1;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_index = 1;
	ifi->ifi_change = IFF_UP;
	ifi->ifi_flags = IFF_UP;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0 ||
	    mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		rc = -errno;
	} else {
		ssize_t len = mnl_socket_recvfrom(nl, buf, sizeof(buf));

		if (len < 0)
			rc = -errno;
		else if (mnl_cb_run(buf, (size_t)len, 1, mnl_socket_get_portid(nl),
				    NULL, NULL) < 0)
			rc = -errno;
	}
	mnl_socket_close(nl);
	return rc;
}

static int ns_bulk_one(struct ns_bulk *b, const char *name)
{
	char path[512], rec[512];
	int fd, rc = 0;

	/* The record before anything else exists: if nsnet is killed at any
	 * point after it, down finds the name by its record (and tolerates
	 * a namespace file that is missing or not mounted). A name in use is
	 * never recorded; a race for it undoes the record. */
	snprintf(path, sizeof(path), NETNS_RUN_DIR "/%s", name);
	if (!access(path, F_OK))
		return -EEXIST;
	ns_record_path(rec, sizeof(rec), name);
	if ((rc = ns_record_write(name, b->owner)))
		return rc;
	fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
	if (fd < 0) {
		rc = -errno;
		unlink(rec);
		return rc;
	}
	close(fd);
	if (unshare(CLONE_NEWNET)) {
		rc = -errno;
		unlink(path);
		unlink(rec);
		return rc;
	}
	if (mount("/proc/thread-self/ns/net", path, "none", MS_BIND, NULL))
		rc = -errno;
	else
		rc = ns_lo_up_here();
	if (setns(b->host_fd, CLONE_NEWNET))
		abort();
	if (rc) {
		umount2(path, MNT_DETACH);
		unlink(path);
		unlink(rec);
	}
	return rc;
}

static void *ns_bulk_worker(void *arg)
{
	struct ns_bulk *b = arg;

	for (;;) {
		size_t i = atomic_fetch_add(&b->next, 1);
		int rc;

		if (i >= b->n)
			break;
		rc = ns_bulk_one(b, b->names[i]);
		if (!rc) {
			b->created[i] = true;
			continue;
		}
		pthread_mutex_lock(&b->lock);
		if (!b->err) {
			b->err = -rc;
			snprintf(b->err_what, sizeof(b->err_what), "%s", b->names[i]);
		}
		pthread_mutex_unlock(&b->lock);
		atomic_store(&b->next, b->n);  /* the others stop too */
		break;
	}
	return NULL;
}

int ns_add_many(struct nsnet *nn, char *const *names, size_t n, bool *created)
{
	struct ns_bulk b = { .names = names, .n = n, .created = created,
			     .owner = nn->owner };
	struct ns *host;
	size_t i;
	int rc;

	for (i = 0; i < n; i++)
		if ((rc = check_ns_name(nn, names[i], false)))
			return rc;
	if ((rc = ns_get(nn, NSNET_HOST, &host)) || (rc = netns_run_dir_prepare(nn)))
		return rc;
	if ((mkdir(NSNET_RUN_DIR, 0755) && errno != EEXIST) ||
	    (mkdir(NSNET_RUN_DIR "/ns", 0755) && errno != EEXIST))
		return err_set(nn, errno, "create %s/ns", NSNET_RUN_DIR);
	b.host_fd = host->fd;
	pthread_mutex_init(&b.lock, NULL);
	atomic_init(&b.next, 0);
	workers_run(ns_bulk_worker, &b, n, 0);
	pthread_mutex_destroy(&b.lock);
	if (b.err == EEXIST)
		return err_set(nn, 0, "namespace %s already exists", b.err_what);
	if (b.err)
		return err_set(nn, b.err, "create namespace %s", b.err_what);
	return 0;
}

/*
 * Bulk deletion: each umount() of a namespace's bind mount waits for an RCU
 * grace period (~1.9 ms here) after the kernel has dropped its mount lock,
 * so the waits of several threads overlap; they sleep, not compute, hence
 * many more threads than CPUs. 1,000 namespaces here: 1.87 s in one
 * thread, 0.68 s in 16, 0.13 s in 64.
 */
struct ns_del_bulk {
	char *const *names;
	size_t n;
	atomic_size_t next;
	atomic_int err;
};

static void *ns_del_worker(void *arg)
{
	struct ns_del_bulk *b = arg;
	char path[512];
	size_t i;

	while ((i = atomic_fetch_add(&b->next, 1)) < b->n) {
		snprintf(path, sizeof(path), NETNS_RUN_DIR "/%s", b->names[i]);
		/* EINVAL: not mounted; ENOENT: never created (the record
		 * comes first, and its creator may have been killed). */
		if ((umount2(path, MNT_DETACH) && errno != EINVAL && errno != ENOENT) ||
		    (unlink(path) && errno != ENOENT)) {
			atomic_store(&b->err, errno);
			continue;
		}
		ns_record_path(path, sizeof(path), b->names[i]);
		unlink(path);
	}
	return NULL;
}

int ns_del_many(struct nsnet *nn, char *const *names, size_t n)
{
	struct ns_del_bulk b = { .names = names, .n = n };
	size_t i;
	int rc;

	for (i = 0; i < n; i++) {
		if ((rc = check_ns_name(nn, names[i], false)))
			return rc;
		ns_release(nn, names[i]);
	}
	atomic_init(&b.next, 0);
	atomic_init(&b.err, 0);
	/* each item mostly waits for umount: many at once, not per CPU */
	workers_run(ns_del_worker, &b, n, 64);
	if (atomic_load(&b.err))
		return err_set(nn, atomic_load(&b.err), "delete namespaces");
	return 0;
}

int ns_del(struct nsnet *nn, const char *name)
{
	char path[512];
	int rc;

	rc = check_ns_name(nn, name, false);
	if (rc)
		return rc;
	snprintf(path, sizeof(path), NETNS_RUN_DIR "/%s", name);
	if (access(path, F_OK))
		return err_set(nn, 0, "namespace %s does not exist", name);
	ns_release(nn, name);
	if (umount2(path, MNT_DETACH) && errno != EINVAL)
		return err_set(nn, errno, "namespace %s: unmount", name);
	if (unlink(path))
		return err_set(nn, errno, "namespace %s: remove %s", name, path);
	ns_record(nn, name, false);
	return 0;
}

int ns_host_nsid(struct nsnet *nn, const char *name)
{
	struct ns *host, *ns;
	int id;

	if (!ns_exists(name) || ns_get(nn, NSNET_HOST, &host) ||
	    ns_get(nn, name, &ns))
		return -1;
	id = nl_nsid_of(nn, host, ns);
	ns_release(nn, name);
	return id;
}

struct peers_left {
	const int *ids;
	size_t n_ids, left;
};

static int peers_left_cb(const struct nl_link *l, void *data)
{
	struct peers_left *p = data;
	size_t i;

	if (strcmp(l->kind, "veth") || l->link_netnsid < 0)
		return 0;
	for (i = 0; i < p->n_ids; i++)
		if (p->ids[i] == l->link_netnsid) {
			p->left++;
			break;
		}
	return 0;
}

/*
 * The kernel destroys a namespace's veths after its last user is gone, in
 * the background (cleanup_net); the host ends of those veths stay visible
 * until then, and a command right after a delete (up after down, ns add
 * and attach after ns del) would trip over them. Bounded: a namespace that
 * a process still holds is never destroyed.
 */
void ns_peers_wait(struct nsnet *nn, const int *ids, size_t n,
		   unsigned int max_ms)
{
	struct peers_left p = { ids, n, 0 };
	struct ns *host;
	unsigned int waited;
	int rc;

	if (!n || ns_get(nn, NSNET_HOST, &host))
		return;
	for (waited = 0; waited <= max_ms; waited += 20) {
		p.left = 0;
		rc = link_dump(nn, host, peers_left_cb, &p, NULL);
		/* An interrupted dump: links are still going, look again. */
		if ((rc && rc != -EINTR) || (!rc && !p.left))
			return;
		nanosleep(&(struct timespec){ 0, 20 * 1000 * 1000 }, NULL);
	}
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int ns_list(struct nsnet *nn, struct json_t **out)
{
	json_t *arr = json_array();
	char **names = NULL;
	size_t n = 0, cap = 0, i;
	struct dirent *de;
	DIR *d;

	d = opendir(NETNS_RUN_DIR);
	if (d) {
		while ((de = readdir(d))) {
			if (de->d_name[0] == '.')
				continue;
			if (n == cap) {
				cap = cap ? cap * 2 : 32;
				names = realloc(names, cap * sizeof(*names));
				if (!names)
					abort();
			}
			names[n++] = strdup(de->d_name);
		}
		closedir(d);
	}
	qsort(names, n, sizeof(*names), name_cmp);
	for (i = 0; i < n; i++) {
		json_array_append_new(arr, json_pack("{s:s,s:b}", "name",
						     names[i], "nsnet",
						     ns_is_ours(names[i])));
		free(names[i]);
	}
	free(names);
	*out = arr;
	(void)nn;
	return (int)n;
}

NSNET_EXPORT int nsnet_ns_list(struct nsnet *nn, struct json_t **out)
{
	return ns_list(nn, out);
}
