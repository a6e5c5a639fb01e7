// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * record.c - what ADD made for one attachment, kept in
 * /run/nsnet/cni/<network>/att/<container id>:<ifname>.json: the host end
 * of the veth, the bridge, the namespace (path and identity), the port
 * mappings with their owner id in nftables, and the result. DEL, CHECK
 * and GC work from it, never from what a live interface shows: the
 * container's address may be flushed, its namespace gone, or the same
 * address given to another container since.
 */
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/stat.h>

#include "cni/cni.h"

void cni_record_path(char *buf, size_t len, const char *network,
		     const char *cid, const char *ifname)
{
	snprintf(buf, len, CNI_RUN_DIR "/%s/att/%s:%s.json", network, cid, ifname);
}

void cni_owner_id(char *buf, size_t len, const char *network, const char *cid,
		  const char *ifname)
{
	/* nft comments hold 128 bytes; fw_name_ok() characters only. */
	if (strlen(network) + strlen(cid) + strlen(ifname) + 6 < 120 && len >= 128)
		snprintf(buf, len, "cni:%s:%s:%s", network, cid, ifname);
	else
		snprintf(buf, len, "cni:%s:%08x%08x:%s", network,
			 name_hash(cid, ifname), name_hash(ifname, cid), ifname);
}

static json_t *port_json(const struct cni_port *p)
{
	char ip[INET6_ADDRSTRLEN + 8] = "";

	if (p->host_ip.family)
		ip_str(&p->host_ip, ip, sizeof(ip));
	return json_pack("{s:i,s:i,s:s,s:s}", "hostPort", (int)p->host_port,
			 "containerPort", (int)p->container_port, "protocol",
			 p->proto == IPPROTO_UDP ? "udp" : "tcp", "hostIP", ip);
}

int cni_record_write(struct nsnet *nn, const char *network,
		     const struct cni_record *r)
{
	char path[1024], dir[512], *text;
	json_t *doc, *ports = json_array();
	size_t i;
	int rc;

	snprintf(dir, sizeof(dir), CNI_RUN_DIR "/%s/att", network);
	if ((rc = mkdir_p(nn, dir)))
		return rc;
	for (i = 0; i < r->n_ports; i++)
		json_array_append_new(ports, port_json(&r->ports[i]));
	doc = json_pack("{s:s,s:s,s:s,s:I,s:I,s:s,s:s,s:s,s:s,s:o,s:o,s:b}",
			"containerID", r->cid, "ifname", r->ifname,
			"netns", r->netns, "nsDev", (json_int_t)r->ns_dev,
			"nsIno", (json_int_t)r->ns_ino, "bridge", r->bridge,
			"hostIfname", r->host_if, "delegate", r->delegate,
			"owner", r->owner, "ports", ports,
			"result", cni_result_render(&r->result, CNI_V110),
			"complete", r->complete);
	text = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	if (!text)
		return err_set(nn, ENOMEM, "record of %s", r->cid);
	cni_record_path(path, sizeof(path), network, r->cid, r->ifname);
	rc = write_file_atomic(nn, path, text);
	free(text);
	return rc;
}

static void copy_str(char *dst, size_t len, json_t *o, const char *key)
{
	snprintf(dst, len, "%s", json_string_value(json_object_get(o, key)) ?: "");
}

int cni_record_read(const char *network, const char *cid, const char *ifname,
		    struct cni_record *r)
{
	char path[1024], why[128], *text;
	json_t *doc, *e;
	size_t i;
	FILE *f;
	long sz;

	memset(r, 0, sizeof(*r));
	cni_record_path(path, sizeof(path), network, cid, ifname);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	fseek(f, 0, SEEK_END);
	sz = ftell(f);
	rewind(f);
	if (sz <= 0 || sz > (1 << 20) || !(text = calloc(1, (size_t)sz + 1))) {
		fclose(f);
		return -EINVAL;
	}
	if (fread(text, 1, (size_t)sz, f) != (size_t)sz) {
		free(text);
		fclose(f);
		return -EIO;
	}
	fclose(f);
	doc = json_loads(text, 0, NULL);
	free(text);
	if (!doc)
		return -EINVAL;
	copy_str(r->cid, sizeof(r->cid), doc, "containerID");
	copy_str(r->ifname, sizeof(r->ifname), doc, "ifname");
	copy_str(r->netns, sizeof(r->netns), doc, "netns");
	copy_str(r->bridge, sizeof(r->bridge), doc, "bridge");
	copy_str(r->host_if, sizeof(r->host_if), doc, "hostIfname");
	copy_str(r->delegate, sizeof(r->delegate), doc, "delegate");
	copy_str(r->owner, sizeof(r->owner), doc, "owner");
	r->ns_dev = (unsigned long long)json_integer_value(json_object_get(doc, "nsDev"));
	r->ns_ino = (unsigned long long)json_integer_value(json_object_get(doc, "nsIno"));
	r->complete = json_is_true(json_object_get(doc, "complete"));
	json_array_foreach(json_object_get(doc, "ports"), i, e) {
		struct cni_port *p;
		const char *hip;

		if (r->n_ports == ARRAY_SIZE(r->ports))
			break;
		p = &r->ports[r->n_ports++];
		p->host_port = (unsigned int)json_integer_value(json_object_get(e, "hostPort"));
		p->container_port = (unsigned int)json_integer_value(
			json_object_get(e, "containerPort"));
		p->proto = !strcmp(json_string_value(json_object_get(e, "protocol")) ?: "",
				   "udp") ? IPPROTO_UDP : IPPROTO_TCP;
		hip = json_string_value(json_object_get(e, "hostIP"));
		if (!hip || !*hip || ip_parse(hip, &p->host_ip))
			memset(&p->host_ip, 0, sizeof(p->host_ip));
	}
	if (cni_result_parse(json_object_get(doc, "result"), &r->result, why,
			     sizeof(why))) {
		json_decref(doc);
		return -EINVAL;
	}
	json_decref(doc);
	return 0;
}

void cni_record_free(struct cni_record *r)
{
	cni_result_free(&r->result);
}

int cni_record_remove(struct nsnet *nn, const char *network,
		      const struct cni_record *r)
{
	char path[1024];

	cni_record_path(path, sizeof(path), network, r->cid, r->ifname);
	if (unlink(path) && errno != ENOENT)
		return err_set(nn, errno, "remove %s", path);
	return 0;
}

void cni_stale_temp_remove(const char *dir, const char *prefix)
{
	struct dirent *de;
	size_t plen = strlen(prefix);
	char path[1024];
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((de = readdir(d)))
		if (!strncmp(de->d_name, prefix, plen) &&
		    strstr(de->d_name + plen, ".nsnet-")) {
			snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
			unlink(path);
		}
	closedir(d);
}

/* Sorted by container id and interface: the same order in every listing. */
static int cmp_pair(const void *a, const void *b, void *keys)
{
	size_t i = *(const size_t *)a, j = *(const size_t *)b;

	return strcmp(((char **)keys)[i], ((char **)keys)[j]);
}

static void sort_pairs(char **cids, char **ifnames, size_t n)
{
	size_t *idx, i;
	char **keys, **c2, **i2;

	if (n < 2)
		return;
	idx = calloc(n, sizeof(*idx));
	keys = calloc(n, sizeof(*keys));
	c2 = calloc(n, sizeof(*c2));
	i2 = calloc(n, sizeof(*i2));
	if (!idx || !keys || !c2 || !i2)
		abort();
	for (i = 0; i < n; i++) {
		idx[i] = i;
		if (asprintf(&keys[i], "%s:%s", cids[i], ifnames[i]) < 0)
			abort();
	}
	qsort_r(idx, n, sizeof(*idx), cmp_pair, keys);
	for (i = 0; i < n; i++) {
		c2[i] = cids[idx[i]];
		i2[i] = ifnames[idx[i]];
	}
	memcpy(cids, c2, n * sizeof(*c2));
	memcpy(ifnames, i2, n * sizeof(*i2));
	for (i = 0; i < n; i++)
		free(keys[i]);
	free(keys);
	free(c2);
	free(i2);
	free(idx);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

size_t cni_record_list(const char *network, char ***cids, char ***ifnames)
{
	char dir[512];
	struct dirent *de;
	size_t n = 0;
	DIR *d;

	*cids = NULL;
	*ifnames = NULL;
	snprintf(dir, sizeof(dir), CNI_RUN_DIR "/%s/att", network);
	d = opendir(dir);
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);
		char *colon = strrchr(de->d_name, ':');

		/* write_file_atomic()'s temporary files end otherwise */
		if (len < 6 || strcmp(de->d_name + len - 5, ".json") || !colon)
			continue;
		ARRAY_GROW(*cids, n);
		ARRAY_GROW(*ifnames, n);
		(*cids)[n] = strndup(de->d_name, (size_t)(colon - de->d_name));
		(*ifnames)[n] = strndup(colon + 1, len - 5 - (size_t)(colon + 1 - de->d_name));
		if (!(*cids)[n] || !(*ifnames)[n])
			abort();
		n++;
	}
	closedir(d);
	sort_pairs(*cids, *ifnames, n);
	return n;
}

size_t cni_network_list(char ***names)
{
	struct dirent *de;
	size_t n = 0;
	DIR *d;

	*names = NULL;
	d = opendir(CNI_RUN_DIR);
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		if (de->d_type != DT_DIR || !cni_name_ok(de->d_name, 100))
			continue;
		ARRAY_GROW(*names, n);
		(*names)[n] = strdup(de->d_name);
		if (!(*names)[n])
			abort();
		n++;
	}
	closedir(d);
	if (n > 1)
		qsort(*names, n, sizeof(**names), cmp_str);
	return n;
}

bool cni_record_netns_alive(const struct cni_record *r)
{
	struct stat st;

	if (!r->netns[0])
		return true;   /* as IPAM only, nothing to tell by */
	if (stat(r->netns, &st))
		return false;
	return (unsigned long long)st.st_dev == r->ns_dev &&
	       (unsigned long long)st.st_ino == r->ns_ino;
}

const char *cni_port_str(const struct cni_port *p, char *buf, size_t len)
{
	char hip[64] = "";

	if (p->host_ip.family == AF_INET6) {
		hip[0] = '[';
		ip_str(&p->host_ip, hip + 1, sizeof(hip) - 3);
		strcat(hip, "]:");
	} else if (p->host_ip.family) {
		ip_str(&p->host_ip, hip, sizeof(hip) - 1);
		strcat(hip, ":");
	}
	snprintf(buf, len, "%s%u:%u/%s", hip, p->host_port, p->container_port,
		 p->proto == IPPROTO_UDP ? "udp" : "tcp");
	return buf;
}

/* What an operator wants to know first: is it whole. */
static const char *record_state(struct nsnet *nn, const struct cni_record *r)
{
	struct nl_link l;
	struct ns *host;

	if (!r->complete)
		return "incomplete";
	if (!cni_record_netns_alive(r))
		return "namespace gone";
	if (r->host_if[0] && (ns_get(nn, NSNET_HOST, &host) ||
			      nl_link_get(nn, host, r->host_if, &l) ||
			      !link_is_ours(&l))) {
		err_clear(nn);
		return "host end missing";
	}
	return "ok";
}

int cni_attachments(struct nsnet *nn, json_t **out)
{
	char **nets, **cids, **ifs;
	size_t n_nets, n, i, j, k;

	*out = json_array();
	n_nets = cni_network_list(&nets);
	for (i = 0; i < n_nets; i++) {
		n = cni_record_list(nets[i], &cids, &ifs);
		for (j = 0; j < n; j++) {
			struct cni_record r;
			json_t *addrs, *ports;
			char buf[INET6_ADDRSTRLEN + 8];

			if (!cni_record_read(nets[i], cids[j], ifs[j], &r)) {
				addrs = json_array();
				ports = json_array();
				for (k = 0; k < r.result.n_ips; k++)
					json_array_append_new(addrs, json_string(
						ip_str(&r.result.ips[k].addr, buf, sizeof(buf))));
				for (k = 0; k < r.n_ports; k++) {
					char spec[96];

					json_array_append_new(ports, json_string(
						cni_port_str(&r.ports[k], spec, sizeof(spec))));
				}
				json_array_append_new(*out, json_pack(
					"{s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:o,s:b,s:s}",
					"network", nets[i], "container_id", r.cid,
					"ifname", r.ifname, "host_ifname", r.host_if,
					"bridge", r.bridge, "netns", r.netns,
					"addresses", addrs, "ports", ports,
					"complete", r.complete,
					"state", record_state(nn, &r)));
				cni_record_free(&r);
			}
			free(cids[j]);
			free(ifs[j]);
		}
		free(cids);
		free(ifs);
		free(nets[i]);
	}
	free(nets);
	return 0;
}

NSNET_EXPORT int nsnet_cni_attachments(struct nsnet *nn, struct json_t **out)
{
	return cni_attachments(nn, out);
}
