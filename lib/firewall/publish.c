// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * publish.c - published ports: a port (or range) of the host forwarded to
 * a namespace, over IPv4 and IPv6. Where a port is published: on every
 * address of the host (of both families, or of one: 0.0.0.0, [::]) or on
 * one of them; to which address of the namespace, per family: the one on
 * a subnet of the host, else its first global one. A spec without a host
 * address publishes on each family the namespace has an address of. A
 * host socket already holding the port is refused (sock_diag), because
 * DNAT would silently take its traffic away. Each mapping is one element
 * carrying its namespace in its comment; nothing of the table is listed on
 * the publish path (see state.c).
 *
 * Removal needs only the spec or the owner, never the namespace: ports
 * outlive a namespace deleted by hand, and must still go.
 */
#include <stdio.h>
#include <string.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>

#include "firewall/fw_private.h"

static const int fw_fams[] = { AF_INET, AF_INET6 };

static const char *fam_word(int family)
{
	return family == AF_INET6 ? "IPv6" : "IPv4";
}

/* A socket in the host namespace that holds one of the ports on a family
 * published: DNAT in prerouting would silently take its traffic away. */
static int fw_port_in_use(struct nsnet *nn, const struct fw_spec *sp,
			  const struct fw_targets *t)
{
	struct mnl_socket *nl;
	unsigned int busy = 0;
	size_t f;
	int rc = 0;

	if ((rc = sockdiag_open(&nl)))
		return err_set(nn, -rc, "sock_diag socket");
	for (f = 0; f < ARRAY_SIZE(fw_fams) && !rc && !busy; f++) {
		struct ipaddr want = { .family = fw_fams[f], .prefix = 0 };

		if (!(fw_fams[f] == AF_INET ? t->v4 : t->v6))
			continue;
		if (!sp->any_ip)
			want = sp->host_ip;
		rc = sockdiag_holder(nn, nl, sp->proto, sp->host_lo, sp->host_hi,
				     &want, &busy);
		if (!rc && busy)
			rc = err_set(nn, 0,
				"host port %u/%s is in use: a socket in the host namespace listens on it%s (see ss -ltnup)",
				busy, fw_proto_name(sp->proto),
				fw_fams[f] == AF_INET6 ? " over IPv6" : "");
	}
	mnl_socket_close(nl);
	return rc;
}

/* The address of family of ns to publish to: one of its own that is on a
 * subnet of the host (the namespace's side of a bridge), else the first
 * global one. -ENOENT, without an error, when it has none. */
static int fw_ns_target(const struct fw_addrs *ns_addrs,
			const struct fw_addrs *host_addrs, int family,
			struct ipaddr *out)
{
	size_t i, j;

	for (i = 0; i < ns_addrs->n; i++) {
		const struct fw_addr *a = &ns_addrs->a[i];

		if (a->scope != RT_SCOPE_UNIVERSE || a->ip.family != family)
			continue;
		for (j = 0; j < host_addrs->n; j++) {
			struct ipaddr net = host_addrs->a[j].ip;

			ip_mask(&net);
			if (host_addrs->a[j].scope == RT_SCOPE_UNIVERSE &&
			    net.family == family && net.prefix > 0 &&
			    ip_in_prefix(&net, &a->ip)) {
				*out = a->ip;
				out->prefix = -1;
				return 0;
			}
		}
	}
	for (i = 0; i < ns_addrs->n; i++)
		if (ns_addrs->a[i].scope == RT_SCOPE_UNIVERSE &&
		    ns_addrs->a[i].ip.family == family) {
			*out = ns_addrs->a[i].ip;
			out->prefix = -1;
			return 0;
		}
	return -ENOENT;
}

static int fw_spec_get(struct nsnet *nn, const char *ns_name, const char *spec,
		       const char *verb, struct fw_spec *sp)
{
	char why[256];
	int rc;

	rc = check_ns_name(nn, ns_name, false);
	if (!rc)
		rc = fw_check_name(nn, "namespace", ns_name);
	if (rc)
		return rc;
	if (fw_spec_parse(spec, sp, why, sizeof(why)))
		return err_usage(nn, "%s for %s: %s", verb, ns_name, why);
	return 0;
}

/* Where a spec publishes for ns: the target per family. */
static int fw_publish_targets(struct nsnet *nn, struct ns *host, struct ns *ns,
			      const struct fw_spec *sp, const char *spec,
			      struct fw_targets *t)
{
	struct fw_addrs *ha, *na;
	char ip[64];
	size_t i, f;
	int rc;

	memset(t, 0, sizeof(*t));
	ha = malloc(sizeof(*ha));
	na = malloc(sizeof(*na));
	if (!ha || !na) {
		free(ha);
		free(na);
		return err_set(nn, ENOMEM, "publish %s", spec);
	}
	rc = fw_addr_dump(nn, host, AF_UNSPEC, 0, ha);
	if (!rc)
		rc = fw_addr_dump(nn, ns, AF_UNSPEC, 0, na);
	if (!rc && !sp->any_ip) {
		bool mine = false;

		for (i = 0; i < ha->n; i++)
			mine |= ip_equal(&ha->a[i].ip, &sp->host_ip);
		if (!mine)
			rc = err_usage(nn, "publish %s for %s: %s is not an address of the host",
				       spec, ns->name, ip_str(&sp->host_ip, ip, sizeof(ip)));
	}
	for (f = 0; !rc && f < ARRAY_SIZE(fw_fams); f++) {
		int fam = fw_fams[f];

		if (!fw_spec_has_family(sp, fam))
			continue;
		if (!fw_ns_target(na, ha, fam, fam == AF_INET ? &t->to4 : &t->to6))
			*(fam == AF_INET ? &t->v4 : &t->v6) = true;
		else if (sp->family)
			rc = err_set(nn, 0,
				"namespace %s has no %s address to publish %s to (attach it to a bridge with --addr)",
				ns->name, fam_word(fam), spec);
	}
	if (!rc && !t->v4 && !t->v6)
		rc = err_set(nn, 0,
			"namespace %s has no address to publish to (attach it to a bridge with --addr)",
			ns->name);
	free(ha);
	free(na);
	return rc;
}

/* The record of owner's publication sp, or -1. With a host address the
 * elements must agree (198.51.100.2:80:80 is not 0.0.0.0:80:80). */
static long fw_pubs_find(const struct fw_pubs *p, const char *owner,
			 const struct fw_spec *sp)
{
	size_t i;

	for (i = 0; i < p->n_own; i++) {
		const struct fw_owner *o = &p->own[i];

		if (strcmp(o->owner, owner) || o->sp.family != sp->family ||
		    o->sp.proto != sp->proto || o->sp.host_lo != sp->host_lo ||
		    o->sp.host_hi != sp->host_hi || o->sp.port_lo != sp->port_lo)
			continue;
		if (o->n_el && (o->sp.any_ip != sp->any_ip ||
				(!sp->any_ip && !ip_equal(&o->sp.host_ip, &sp->host_ip))))
			continue;
		return (long)i;
	}
	return -1;
}

bool fw_pub_working(struct nsnet *nn, const struct fw_pubs *p, size_t o,
		    bool skeleton_ok)
{
	const struct fw_owner *w = &p->own[o];
	struct fw_addrs *na;
	struct ns *ns;
	unsigned int port;
	bool ok = true;
	size_t f, i, j;

	if (!skeleton_ok)
		return false;
	for (port = w->sp.host_lo; port <= w->sp.host_hi; port++)
		if (!fw_pubs_claimed(p, w->sp.proto, port))
			return false;
	if (!ns_exists(w->owner))
		return false;
	na = malloc(sizeof(*na));
	if (!na)
		return false;
	if (ns_get(nn, w->owner, &ns) || fw_addr_dump(nn, ns, AF_UNSPEC, 0, na)) {
		err_clear(nn);
		free(na);
		return false;
	}
	for (f = 0; ok && f < ARRAY_SIZE(fw_fams); f++) {
		unsigned int covered = 0;
		bool has = false;

		if (!fw_spec_has_family(&w->sp, fw_fams[f]))
			continue;
		for (j = 0; j < na->n; j++)
			has |= na->a[j].scope == RT_SCOPE_UNIVERSE &&
			       na->a[j].ip.family == fw_fams[f];
		if (!has)
			continue;  /* nothing to publish to on this family */
		for (i = w->el_first; i < w->el_first + w->n_el; i++) {
			const struct fw_pub_elem *e = &p->el[i];
			bool mine = false;

			if (e->family != fw_fams[f])
				continue;
			for (j = 0; j < na->n && !mine; j++)
				mine = na->a[j].scope == RT_SCOPE_UNIVERSE &&
				       ip_equal(&na->a[j].ip, &e->to);
			if (mine && e->port == w->sp.port_lo + (e->lo - w->sp.host_lo))
				covered += e->hi - e->lo + 1;
		}
		ok = covered == w->sp.host_hi - w->sp.host_lo + 1;
	}
	free(na);
	return ok;
}

/* Whether the ports of sp are held only by what is left of owner's
 * publications after their records went (nft flush): claims that no
 * record holds, and owner's elements without a record. */
static bool fw_pubs_orphaned(const struct fw_pubs *p, const char *owner,
			     const struct fw_spec *sp)
{
	unsigned int port;
	size_t i;

	for (port = sp->host_lo; port <= sp->host_hi; port++)
		if (fw_pubs_owner_of(p, sp->proto, port) >= 0)
			return false;
	for (i = 0; i < p->n_el; i++)
		if (p->el[i].own < 0 && p->el[i].proto == sp->proto &&
		    p->el[i].hi >= sp->host_lo && p->el[i].lo <= sp->host_hi &&
		    strcmp(p->el[i].owner, owner))
			return false;
	return true;
}

/* Remove the claims of sp's ports and owner's elements without a record
 * in them. */
static void fw_pubs_remove_orphans(const struct fw_pubs *p, const char *owner,
				   const struct fw_spec *sp, struct fw_script *s)
{
	char key[160], what[160];
	unsigned int port;
	size_t i;

	snprintf(what, sizeof(what), "remove the ports published for %s", owner);
	for (i = 0; i < p->n_el; i++)
		if (p->el[i].own < 0 && p->el[i].proto == sp->proto &&
		    p->el[i].hi >= sp->host_lo && p->el[i].lo <= sp->host_hi) {
			fw_pub_elem_key(key, sizeof(key), &p->el[i]);
			fw_script_add(s, what, "delete element inet nsnet %s { %s }",
				      p->el[i].map, key);
		}
	for (port = sp->host_lo; port <= sp->host_hi; port++)
		if (fw_pubs_claimed(p, sp->proto, port))
			fw_script_add(s, what, "delete element inet nsnet ports { %s . %u }",
				      fw_proto_name(sp->proto), port);
}

/*
 * The claim was refused: a port is published already. If it is this very
 * publication (owner and spec), there is nothing to do when it works, and
 * when it does not (its elements flushed, the namespace's address
 * changed, a family missing) it is replaced in one transaction: `up`
 * repairs with it. Otherwise the refusal stands (-EEXIST, its error kept).
 */
static int fw_publish_repair(struct nsnet *nn, const char *owner,
			     const struct fw_spec *sp, const struct fw_script *add)
{
	char saved[NSNET_ERR_MAX];
	struct fw_pubs *p;
	struct fw_script s;
	json_t *doc = NULL;
	long o = -1;
	int rc, code = nn->err_code;

	memcpy(saved, nn->err, sizeof(saved));
	if ((rc = fw_state_load(nn, &doc)))
		return rc;
	p = malloc(sizeof(*p));
	if (!p) {
		json_decref(doc);
		return err_set(nn, ENOMEM, "publish for %s", owner);
	}
	fw_pubs_read(doc, p);
	o = fw_pubs_find(p, owner, sp);
	if ((o < 0 && !fw_pubs_orphaned(p, owner, sp)) ||
	    (o >= 0 && fw_pub_working(nn, p, (size_t)o, fw_state_skeleton_ok(doc)))) {
		fw_pubs_free(p);
		free(p);
		json_decref(doc);
		if (o >= 0) {
			err_clear(nn);
			return 0;
		}
		memcpy(nn->err, saved, sizeof(saved));
		nn->err_code = code;
		return -EEXIST;
	}
	fw_script_init(&s);
	if (o >= 0)
		fw_pubs_remove(p, (size_t)o, &s);
	else
		fw_pubs_remove_orphans(p, owner, sp, &s);
	fw_script_cat(&s, add);
	fw_pubs_free(p);
	free(p);
	json_decref(doc);
	rc = fw_nft_run(nn, &s, false, NULL, NULL, 0);
	fw_script_free(&s);
	return rc;
}

int fw_publish(struct nsnet *nn, const char *ns_name, const char *spec)
{
	struct ns *host, *ns;
	struct fw_targets t;
	struct fw_spec sp;
	struct fw_script s;
	char canon[128], what[200];
	int rc;

	if ((rc = fw_spec_get(nn, ns_name, spec, "publish", &sp)))
		return rc;
	fw_spec_str(&sp, canon, sizeof(canon));
	if ((rc = ns_get(nn, NSNET_HOST, &host)) || (rc = ns_get(nn, ns_name, &ns)))
		return rc;
	if ((rc = fw_publish_targets(nn, host, ns, &sp, canon, &t)) ||
	    (rc = fw_port_in_use(nn, &sp, &t)))
		return rc;

	fw_script_init(&s);
	fw_rules_publish(&s, &sp, ns_name, &t, true);
	rc = fw_run_add(nn, &s);
	if (rc == -EEXIST)
		rc = fw_publish_repair(nn, ns_name, &sp, &s);
	fw_script_free(&s);
	if (rc)
		return rc;
	/* route_localnet: 127.0.0.1 is an IPv4 matter only */
	rc = fw_forward_take(nn, host, t.v4 && (sp.any_ip ||
			     sp.host_ip.a.v4.s_addr == htonl(INADDR_LOOPBACK)));
	if (rc) {
		char saved[NSNET_ERR_MAX];

		memcpy(saved, nn->err, sizeof(saved));
		fw_unpublish(nn, ns_name, spec);
		snprintf(nn->err, sizeof(nn->err), "publish %s: %s", canon, saved);
		return rc;
	}
	snprintf(what, sizeof(what), "port %s published to %s", canon, ns_name);
	fw_warn_foreign(nn, what);
	return 0;
}

NSNET_EXPORT int nsnet_publish(struct nsnet *nn, const char *ns_name,
			       const char *spec)
{
	return LOCKED(nn, fw_publish(nn, ns_name, spec));
}

/* Remove publication o and owner's orphan elements in its ports, run,
 * clean up. */
static int fw_pubs_remove_run(struct nsnet *nn, const struct fw_pubs *p,
			      const long *own, size_t n_own, const char *owner,
			      const struct fw_spec *sp)
{
	char key[160], what[160];
	struct fw_script s;
	size_t i;
	int rc;

	fw_script_init(&s);
	for (i = 0; i < n_own; i++)
		fw_pubs_remove(p, (size_t)own[i], &s);
	/* Elements without a record (its record went to an nft flush): they
	 * still forward, so they go too. */
	snprintf(what, sizeof(what), "remove the ports published for %s", owner);
	for (i = 0; i < p->n_el; i++) {
		const struct fw_pub_elem *e = &p->el[i];

		if (e->own >= 0 || strcmp(e->owner, owner) ||
		    (sp && (e->proto != sp->proto || e->hi < sp->host_lo ||
			    e->lo > sp->host_hi)))
			continue;
		fw_pub_elem_key(key, sizeof(key), e);
		fw_script_add(&s, what, "delete element inet nsnet %s { %s }",
			      e->map, key);
	}
	rc = fw_nft_run(nn, &s, false, NULL, NULL, 0);
	fw_script_free(&s);
	if (rc)
		return rc;
	return fw_cleanup(nn, true);
}

/*
 * Without listing the table first: the publication's elements are deleted
 * for both families, then for IPv4 or IPv6 alone (a namespace with one
 * family publishes on that one), each try one transaction that fails
 * whole. Only when all fail (a wrong spec, or elements lost to a flush) is
 * the table read, to remove what is there or say what is not.
 */
int fw_unpublish(struct nsnet *nn, const char *ns_name, const char *spec)
{
	static const struct { bool v4, v6; } tries[] = {
		{ true, true }, { true, false }, { false, true },
	};
	struct fw_pubs *p;
	struct fw_spec sp;
	struct fw_script s;
	json_t *doc = NULL;
	bool repaired = false;
	char canon[128];
	size_t i;
	long o;
	int rc;

	if ((rc = fw_spec_get(nn, ns_name, spec, "unpublish", &sp)))
		return rc;
	fw_spec_str(&sp, canon, sizeof(canon));
	for (i = 0; i < ARRAY_SIZE(tries); i++) {
		struct fw_targets t = { .v4 = tries[i].v4, .v6 = tries[i].v6 };

		if ((t.v4 && !fw_spec_has_family(&sp, AF_INET)) ||
		    (t.v6 && !fw_spec_has_family(&sp, AF_INET6)))
			continue;
		fw_script_init(&s);
		fw_rules_publish(&s, &sp, ns_name, &t, false);
		rc = fw_nft_run(nn, &s, false, NULL, NULL, 0);
		fw_script_free(&s);
		if (!rc)
			return fw_cleanup(nn, true);
		if (rc == -ENOENT)
			continue;
		/* a table of an older nsnet (records without their family)
		 * refuses the command: brought up to date, then again */
		if (repaired || fw_skeleton_ok(nn) != 0 || fw_run_skeleton(nn))
			return rc;
		repaired = true;
		i = (size_t)-1;
	}
	if ((rc = fw_state_load(nn, &doc)))
		return rc;
	p = malloc(sizeof(*p));
	if (!p) {
		json_decref(doc);
		return err_set(nn, ENOMEM, "unpublish %s", canon);
	}
	fw_pubs_read(doc, p);
	o = fw_pubs_find(p, ns_name, &sp);
	if (o < 0)
		rc = err_set(nn, 0,
			"%s does not publish %s (another namespace or another port spec does; see nsnet publish --list)",
			ns_name, canon);
	else
		rc = fw_pubs_remove_run(nn, p, &o, 1, ns_name, &sp);
	fw_pubs_free(p);
	free(p);
	json_decref(doc);
	return rc;
}

int fw_publish_claimed(struct nsnet *nn, const char *ns_name, const char *spec,
		       bool *claimed)
{
	struct fw_pubs *p;
	struct fw_spec sp;
	json_t *doc = NULL;
	int rc;

	*claimed = false;
	if ((rc = fw_spec_get(nn, ns_name, spec, "publish", &sp)) ||
	    (rc = fw_state_load(nn, &doc)) || !doc)
		return rc;
	p = malloc(sizeof(*p));
	if (!p)
		abort();
	fw_pubs_read(doc, p);
	/* its record, or (flushed) claims of its ports that only it has */
	*claimed = fw_pubs_find(p, ns_name, &sp) >= 0 ||
		   (fw_pubs_claimed(p, sp.proto, sp.host_lo) &&
		    fw_pubs_orphaned(p, ns_name, &sp));
	fw_pubs_free(p);
	free(p);
	json_decref(doc);
	return 0;
}

NSNET_EXPORT int nsnet_unpublish(struct nsnet *nn, const char *ns_name,
				 const char *spec)
{
	return LOCKED(nn, fw_unpublish(nn, ns_name, spec));
}

int fw_unpublish_owner(struct nsnet *nn, const char *owner, size_t *removed)
{
	struct fw_pubs *p;
	json_t *doc = NULL;
	long *own = NULL;
	size_t i, n = 0, orphans = 0;
	int rc;

	if (removed)
		*removed = 0;
	if ((rc = fw_check_name(nn, "namespace", owner)) ||
	    (rc = fw_state_load(nn, &doc)))
		return rc;
	if (!doc)
		return 0;
	p = malloc(sizeof(*p));
	if (!p) {
		json_decref(doc);
		return err_set(nn, ENOMEM, "published ports of %s", owner);
	}
	fw_pubs_read(doc, p);
	for (i = 0; i < p->n_own; i++)
		if (!strcmp(p->own[i].owner, owner)) {
			ARRAY_GROW(own, n);
			own[n++] = (long)i;
		}
	for (i = 0; i < p->n_el; i++)
		orphans += p->el[i].own < 0 && !strcmp(p->el[i].owner, owner);
	if (n || orphans)
		rc = fw_pubs_remove_run(nn, p, own, n, owner, NULL);
	if (!rc && removed)
		*removed = n;
	free(own);
	fw_pubs_free(p);
	free(p);
	json_decref(doc);
	return rc;
}
