// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ns.c - deleting a namespace and what points into it: the ports published
 * to it go first (a mapping to an address nobody holds any more would
 * outlive it, and unpublish could no longer name it), then the host ends
 * of its veths, then the namespace. The kernel would remove those ends
 * itself, but later, from the one work queue that tears down every
 * namespace of the machine (seconds when it is busy): deleted first, they
 * are gone when the command returns, and the next one does not find them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "net/net.h"

int net_unpublish_all(struct nsnet *nn, char *const *names, size_t n,
		      char *said, size_t len)
{
	json_t *fw = NULL, *e;
	size_t i, k;
	int rc, first_rc = 0;

	if (said && len)
		said[0] = '\0';
	if (!n)
		return 0;
	rc = fw_show(nn, &fw);
	if (rc == -ENOENT) {  /* no libnftables: nothing can be published */
		err_clear(nn);
		return 0;
	}
	if (rc)
		return rc;
	json_array_foreach(json_object_get(fw, "published"), i, e) {
		const char *ns = json_string_value(json_object_get(e, "namespace"));
		const char *hip = json_string_value(json_object_get(e, "host_ip"));
		char spec[128], why[128], canon[96];
		struct fw_spec sp;

		for (k = 0; ns && k < n; k++)
			if (!strcmp(ns, names[k]))
				break;
		if (!ns || k == n)
			continue;
		snprintf(spec, sizeof(spec), "%s%s%lld-%lld:%lld-%lld/%s",
			 hip ? hip : "", hip ? ":" : "",
			 json_integer_value(json_object_get(e, "host_port")),
			 json_integer_value(json_object_get(e, "host_port_end")),
			 json_integer_value(json_object_get(e, "port")),
			 json_integer_value(json_object_get(e, "port_end")),
			 json_string_value(json_object_get(e, "proto")) ?: "tcp");
		if ((rc = fw_unpublish(nn, ns, spec))) {
			if (!first_rc)
				first_rc = rc;
			continue;
		}
		if (said && !fw_spec_parse(spec, &sp, why, sizeof(why)))
			snprintf(said + strlen(said), len - strlen(said), "%s%s",
				 said[0] ? ", " : "",
				 fw_spec_str(&sp, canon, sizeof(canon)));
	}
	json_decref(fw);
	return first_rc;
}

struct peer_ends {
	int nsid;
	int *index;
	char (*name)[16];
	size_t n, cap;
};

static int peer_end_cb(const struct nl_link *l, void *data)
{
	struct peer_ends *p = data;

	if (strcmp(l->kind, "veth") || l->link_netnsid != p->nsid)
		return 0;
	if (p->n == p->cap) {
		p->cap = p->cap ? 2 * p->cap : 8;
		p->index = realloc(p->index, p->cap * sizeof(*p->index));
		p->name = realloc(p->name, p->cap * sizeof(*p->name));
		if (!p->index || !p->name)
			abort();
	}
	p->index[p->n] = l->index;
	snprintf(p->name[p->n++], sizeof(p->name[0]), "%s", l->name);
	return 0;
}

static void peer_ends_restart(void *data)
{
	((struct peer_ends *)data)->n = 0;
}

/* The host's ends of veths whose other end is in namespace nsid, in one
 * batch (one gone already is not an error). */
static void host_ends_del(struct nsnet *nn, int nsid)
{
	struct peer_ends p = { .nsid = nsid };
	struct nl_batch b;
	struct ns *host;
	size_t i;

	if (nsid < 0 || ns_get(nn, NSNET_HOST, &host) ||
	    link_dump(nn, host, peer_end_cb, &p, peer_ends_restart) || !p.n)
		goto out;
	nl_batch_init(&b);
	for (i = 0; i < p.n; i++) {
		link_queue_del(&b, host->name, p.name[i], p.index[i]);
		nl_batch_last(&b)->ignore_missing = true;
	}
	/* what fails here, the namespace's deletion takes care of */
	if (nl_batch_send(nn, host, &b))
		err_clear(nn);
	nl_batch_free(&b);
out:
	free(p.index);
	free(p.name);
}

static int net_ns_del(struct nsnet *nn, const char *name, unsigned int flags)
{
	char owner[256], ports[512];
	int rc, nsid;

	if ((rc = check_ns_name(nn, name, false)))
		return rc;
	if (!ns_exists(name)) {
		/* a record left by an ns add killed before its namespace */
		ns_record_remove(name);
		return err_set(nn, 0, "namespace %s does not exist", name);
	}
	if (!(flags & NSNET_FORCE) && ns_record_owner(name, owner, sizeof(owner)))
		return err_set(nn, 0,
			"namespace %s was not created by nsnet (no record); use --force to delete it anyway",
			name);
	if ((rc = net_unpublish_all(nn, (char *const[]){ (char *)name }, 1,
				    ports, sizeof(ports)))) {
		err_prefix(nn, "delete namespace %s: its published ports", name);
		return rc;
	}
	nsid = ns_host_nsid(nn, name);
	host_ends_del(nn, nsid);
	if ((rc = ns_del(nn, name)))
		return rc;
	attach_records_forget_ns(name);
	/* A few ms usually; 5 s when a process still holds the namespace. */
	if (nsid >= 0)
		ns_peers_wait(nn, &nsid, 1, 5000);
	if (ports[0])
		warn_emit(nn, "namespace %s deleted with its published ports %s",
			  name, ports);
	return 0;
}

NSNET_EXPORT int nsnet_ns_del(struct nsnet *nn, const char *name,
			      unsigned int flags)
{
	return LOCKED(nn, net_ns_del(nn, name, flags));
}
