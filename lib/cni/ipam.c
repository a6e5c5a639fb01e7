// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ipam.c - nsnet's address allocation for CNI networks.
 *
 * One file per reserved address, /run/nsnet/cni/<network>/ips/<address>,
 * holding "<container id>\n<ifname>\n", created with O_EXCL: the file
 * system says whether an address is free, and a crash between two steps
 * leaves a reservation that GC can read back and take. The search starts
 * after the address handed out last (ips/last-<set>), so that an address
 * freed a moment ago is not given to the next container at once (a late
 * packet or a stale ARP entry would reach the wrong one). Every function
 * here runs under the one lock, taken by the caller.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cni/cni.h"

/* Tries per range before giving up: a /16 is searched in full; a huge
 * IPv6 range stops at this many taken addresses in a row. */
#define IPAM_MAX_TRIES (1u << 17)

bool cni_ip_step(struct ipaddr *ip, int dir)
{
	int i;

	for (i = (int)ip_len(ip) - 1; i >= 0; i--) {
		if (dir > 0 && ip->a.b[i]++ != 0xff)
			return true;
		if (dir < 0 && ip->a.b[i]-- != 0x00)
			return true;
	}
	return false;
}

int cni_ip_cmp(const struct ipaddr *a, const struct ipaddr *b)
{
	return memcmp(a->a.b, b->a.b, ip_len(a));
}

static void ipam_dir(char *buf, size_t len, const char *network)
{
	snprintf(buf, len, CNI_RUN_DIR "/%s/ips", network);
}

void cni_ipam_path(char *buf, size_t len, const char *network,
		   const struct ipaddr *addr)
{
	struct ipaddr a = *addr;
	char ip[INET6_ADDRSTRLEN];

	a.prefix = -1;
	snprintf(buf, len, CNI_RUN_DIR "/%s/ips/%s", network,
		 ip_str(&a, ip, sizeof(ip)));
}

/* Whether the reservation file at path names (cid, ifname). */
static bool holder_is(const char *path, const char *cid, const char *ifname)
{
	char buf[512], want[512];

	if (read_small_file(path, buf, sizeof(buf)) < 0)
		return false;
	snprintf(want, sizeof(want), "%s\n%s\n", cid, ifname);
	return !strcmp(buf, want);
}

bool cni_ipam_holds(const char *network, const struct ipaddr *addr,
		    const char *cid, const char *ifname)
{
	char path[512];

	cni_ipam_path(path, sizeof(path), network, addr);
	return holder_is(path, cid, ifname);
}

/* 0: taken for (cid, ifname) now or already; -EEXIST: somebody else's. */
static int ipam_take(struct nsnet *nn, const char *network,
		     const struct ipaddr *addr, const char *cid,
		     const char *ifname)
{
	char path[512], text[512];
	size_t len;
	int fd;

	cni_ipam_path(path, sizeof(path), network, addr);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0) {
		if (errno == EEXIST)
			return holder_is(path, cid, ifname) ? 0 : -EEXIST;
		return err_set(nn, errno, "reserve an address: create %s", path);
	}
	len = (size_t)snprintf(text, sizeof(text), "%s\n%s\n", cid, ifname);
	if (write(fd, text, len) != (ssize_t)len) {
		int e = errno;

		close(fd);
		unlink(path);
		return err_set(nn, e ? e : EIO, "reserve an address: write %s", path);
	}
	close(fd);
	return 0;
}

static bool is_gateway_of(const struct cni_range_set *s, const struct ipaddr *ip)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (!cni_ip_cmp(&s->r[i].gateway, ip) &&
		    s->r[i].gateway.family == ip->family)
			return true;
	return false;
}

/* The range of any set that holds ip, or NULL. */
static const struct cni_range *range_of(const struct cni_conf *c,
					const struct ipaddr *ip)
{
	size_t i, j;

	for (i = 0; i < c->n_sets; i++)
		for (j = 0; j < c->sets[i].n; j++) {
			const struct cni_range *r = &c->sets[i].r[j];

			if (r->subnet.family == ip->family &&
			    ip_in_prefix(&r->subnet, ip) &&
			    cni_ip_cmp(ip, &r->start) >= 0 &&
			    cni_ip_cmp(ip, &r->end) <= 0)
				return r;
		}
	return NULL;
}

static void last_path(char *buf, size_t len, const char *network, size_t set)
{
	snprintf(buf, len, CNI_RUN_DIR "/%s/ips/last-%zu", network, set);
}

/* One free address of the set, after the last one handed out. */
static int ipam_search(struct nsnet *nn, const struct cni_conf *c, size_t set,
		       struct cni_ip *out)
{
	const struct cni_range_set *s = &c->sets[set];
	char path[512], text[64];
	struct ipaddr last = { 0 }, ip;
	bool have_last = false;
	size_t k, first = 0;
	int rc;

	last_path(path, sizeof(path), c->name, set);
	if (read_small_file(path, text, sizeof(text)) > 0) {
		text[strcspn(text, "\n")] = '\0';
		have_last = !ip_parse(text, &last);
	}
	/* Start in the range that holds the last address, just after it. */
	for (k = 0; have_last && k < s->n; k++)
		if (last.family == s->r[k].subnet.family &&
		    ip_in_prefix(&s->r[k].subnet, &last))
			first = k;
	for (k = 0; k <= s->n; k++) {
		const struct cni_range *r = &s->r[(first + k) % s->n];
		unsigned int tries;
		bool after_last = k == 0 && have_last &&
				  cni_ip_cmp(&last, &r->start) >= 0 &&
				  cni_ip_cmp(&last, &r->end) < 0;

		ip = after_last ? last : r->start;
		ip.prefix = r->subnet.prefix;
		if (after_last)
			cni_ip_step(&ip, 1);
		for (tries = 0; tries < IPAM_MAX_TRIES; tries++) {
			if (!is_gateway_of(s, &ip)) {
				rc = ipam_take(nn, c->name, &ip, c->container_id,
					       c->ifname);
				if (!rc) {
					out->addr = ip;
					out->gateway = r->gateway;
					out->gateway.prefix = -1;
					out->iface = -1;
					ip.prefix = -1;
					ip_str(&ip, text, sizeof(text));
					strcat(text, "\n");
					/* A lost hint only costs a longer
					 * search next time. */
					write_file_atomic(nn, path, text);
					err_clear(nn);
					return 0;
				}
				if (rc != -EEXIST)
					return rc;
			}
			if (!cni_ip_cmp(&ip, &r->end))
				break;
			/* The first lap started after the last address:
			 * the rest of it is seen on the wrap-around. */
			cni_ip_step(&ip, 1);
		}
	}
	return -ENOSPC;
}

int cni_ipam_reserve(struct nsnet *nn, const struct cni_conf *c,
		     struct cni_ip *out, size_t *n, struct cni_error *err)
{
	char dir[512], buf[64];
	size_t i;
	int rc;

	*n = 0;
	ipam_dir(dir, sizeof(dir), c->name);
	if ((rc = mkdir_p(nn, dir)))
		return cni_fail(nn, err, CNI_ERR_IO, rc);
	if (c->n_want_ips) {
		for (i = 0; i < c->n_want_ips; i++) {
			const struct cni_range *r = range_of(c, &c->want_ips[i]);
			struct ipaddr ip = c->want_ips[i];

			ip.prefix = -1;
			ip_str(&ip, buf, sizeof(buf));
			if (!r) {
				rc = cni_failf(nn, err, CNI_ERR_CONFIG,
					       "address %s asked for (\"ips\" or CNI_ARGS IP) is in none of the network's ranges",
					       buf);
				goto undo;
			}
			rc = ipam_take(nn, c->name, &ip, c->container_id, c->ifname);
			if (rc == -EEXIST) {
				rc = cni_failf(nn, err, CNI_ERR_NO_ADDRESS,
					       "address %s asked for (\"ips\" or CNI_ARGS IP) is reserved for another container on network %s",
					       buf, c->name);
				goto undo;
			}
			if (rc) {
				cni_fail(nn, err, CNI_ERR_IO, rc);
				goto undo;
			}
			out[*n].addr = ip;
			out[*n].addr.prefix = r->subnet.prefix;
			out[*n].gateway = r->gateway;
			out[*n].gateway.prefix = -1;
			out[*n].iface = -1;
			(*n)++;
		}
		return 0;
	}
	for (i = 0; i < c->n_sets; i++) {
		rc = ipam_search(nn, c, i, &out[*n]);
		if (rc == -ENOSPC) {
			ip_str(&c->sets[i].r[0].subnet, buf, sizeof(buf));
			rc = cni_failf(nn, err, CNI_ERR_NO_ADDRESS,
				       "network %s has no free address left in %s%s",
				       c->name, buf,
				       c->sets[i].n > 1 ? " and the other ranges of its set" : "");
			goto undo;
		}
		if (rc) {
			cni_fail(nn, err, CNI_ERR_IO, rc);
			goto undo;
		}
		(*n)++;
	}
	return 0;
undo:
	for (i = 0; i < *n; i++) {
		char path[512];

		cni_ipam_path(path, sizeof(path), c->name, &out[i].addr);
		unlink(path);
	}
	*n = 0;
	return rc;
}

int cni_ipam_release(struct nsnet *nn, const char *network, const char *cid,
		     const char *ifname)
{
	char dir[512], path[1024];
	struct dirent *de;
	DIR *d;

	ipam_dir(dir, sizeof(dir), network);
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : err_set(nn, errno, "open %s", dir);
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || !strncmp(de->d_name, "last-", 5))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (holder_is(path, cid, ifname))
			unlink(path);
	}
	closedir(d);
	return 0;
}

size_t cni_ipam_free_count(const struct cni_conf *c, size_t stop_at)
{
	size_t i, j, free_n = 0;
	char path[512];

	for (i = 0; i < c->n_sets; i++)
		for (j = 0; j < c->sets[i].n; j++) {
			const struct cni_range *r = &c->sets[i].r[j];
			struct ipaddr ip = r->start;
			unsigned int tries;

			for (tries = 0; tries < IPAM_MAX_TRIES && free_n < stop_at;
			     tries++) {
				cni_ipam_path(path, sizeof(path), c->name, &ip);
				if (!is_gateway_of(&c->sets[i], &ip) &&
				    access(path, F_OK))
					free_n++;
				if (!cni_ip_cmp(&ip, &r->end))
					break;
				cni_ip_step(&ip, 1);
			}
		}
	return free_n;
}
