// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * check_neigh.c - the neighbour entries nsnet check makes for its probes
 * and deletes again (see check.c for why): which ones a probe needs, a
 * reference-counted table of them, and one batch per namespace to the
 * kernel (kernel/neigh.c builds the messages).
 */
#include <stdio.h>
#include <string.h>
#include <linux/neighbour.h>

#include "diagnosis/check.h"

const char *check_where_name(const struct check_state *st, size_t w)
{
	return w == st->p->n_nodes ? NSNET_HOST : st->t->nodes[w].name;
}

void check_ns_done(struct check_state *st, size_t w)
{
	if (st->tight && w < st->p->n_nodes)
		ns_release(st->nn, st->t->nodes[w].name);
}

/* ---- interfaces and MACs --------------------------------------------------- */

/* The interface ifname of namespace w (a node's, or a bridge of the host):
 * index 0 when it cannot be found (then no entry is made for it). */
const struct check_if *check_where_if(struct check_state *st, size_t w,
				      const char *ifname)
{
	struct check_where *cw = &st->where[w];
	struct nl_link l;
	struct ns *ns;
	size_t i;

	for (i = 0; i < cw->n_ifs; i++)
		if (!strcmp(cw->ifs[i].name, ifname))
			return &cw->ifs[i];
	memset(&l, 0, sizeof(l));
	if (ns_get(st->nn, check_where_name(st, w), &ns) ||
	    nl_link_get(st->nn, ns, ifname, &l))
		l.index = 0;
	err_clear(st->nn);
	check_ns_done(st, w);
	ARRAY_GROW(cw->ifs, cw->n_ifs);
	snprintf(cw->ifs[cw->n_ifs].name, IFNAMSIZ, "%s", ifname);
	cw->ifs[cw->n_ifs].index = l.index;
	memcpy(cw->ifs[cw->n_ifs].mac, l.mac, 6);
	return &cw->ifs[cw->n_ifs++];
}

/* ---- the entries: a small hash table, reference counted ------------------------ */

static size_t check_ent_hash(size_t where, int ifindex, const struct ipaddr *a)
{
	uint64_t h = 1469598103934665603ull;
	size_t i, n = ip_len(a);

	h = (h ^ where) * 1099511628211ull;
	h = (h ^ (uint64_t)(unsigned int)ifindex) * 1099511628211ull;
	for (i = 0; i < n; i++)
		h = (h ^ a->a.b[i]) * 1099511628211ull;
	return (size_t)(h ^ (h >> 29));
}

void check_ent_rehash(struct check_state *st)
{
	size_t n = st->n_bucket ? st->n_bucket * 2 : 4096, i;
	size_t *b = malloc(n * sizeof(*b));

	if (!b)
		abort();
	for (i = 0; i < n; i++)
		b[i] = SIZE_MAX;
	for (i = 0; i < st->n_bucket; i++) {
		size_t e = st->bucket[i];

		while (e != SIZE_MAX) {
			size_t next = st->ent[e].next;
			size_t h = check_ent_hash(st->ent[e].where, st->ent[e].ifindex,
						  &st->ent[e].addr) & (n - 1);

			st->ent[e].next = b[h];
			b[h] = e;
			e = next;
		}
	}
	free(st->bucket);
	st->bucket = b;
	st->n_bucket = n;
}

static void check_where_dirty(struct check_state *st, size_t w)
{
	if (st->where[w].dirty)
		return;
	st->where[w].dirty = true;
	st->dirty[st->n_dirty++] = w;
}

/* Take a reference on the entry (where, ifindex, addr -> mac); a new one
 * is queued for adding. Returns its index. */
static size_t check_ent_ref(struct check_state *st, size_t where, int ifindex,
			    const struct ipaddr *addr, const unsigned char mac[6])
{
	struct check_where *cw = &st->where[where];
	size_t h, e;

	if (st->live * 2 >= st->n_bucket)
		check_ent_rehash(st);
	h = check_ent_hash(where, ifindex, addr) & (st->n_bucket - 1);
	for (e = st->bucket[h]; e != SIZE_MAX; e = st->ent[e].next)
		if (st->ent[e].where == where && st->ent[e].ifindex == ifindex &&
		    ip_equal(&st->ent[e].addr, addr)) {
			st->ent[e].refs++;
			return e;
		}
	if (st->free_ent != SIZE_MAX) {
		e = st->free_ent;
		st->free_ent = st->ent[e].next;
	} else {
		ARRAY_GROW(st->ent, st->n_ent);
		e = st->n_ent++;
	}
	st->ent[e] = (struct check_entry){ .where = where, .ifindex = ifindex,
		.addr = *addr, .state = ENT_QUEUED, .refs = 1, .next = st->bucket[h] };
	memcpy(st->ent[e].mac, mac, 6);
	st->bucket[h] = e;
	st->live++;
	ARRAY_GROW(cw->add, cw->n_add);
	cw->add[cw->n_add++] = e;
	check_where_dirty(st, where);
	return e;
}

/* Drop a reference; the last one queues the deletion of an entry we made. */
void check_ent_unref(struct check_state *st, size_t e)
{
	struct check_entry *en = &st->ent[e];
	size_t h, *pp;

	if (--en->refs)
		return;
	if (en->state == ENT_OURS) {
		struct check_where *cw = &st->where[en->where];

		ARRAY_GROW(cw->del, cw->n_del);
		cw->del[cw->n_del++] = (struct check_del){ en->ifindex, en->addr };
		check_where_dirty(st, en->where);
	}
	h = check_ent_hash(en->where, en->ifindex, &en->addr) & (st->n_bucket - 1);
	for (pp = &st->bucket[h]; *pp != SIZE_MAX; pp = &st->ent[*pp].next)
		if (*pp == e) {
			*pp = en->next;
			break;
		}
	en->next = st->free_ent;
	st->free_ent = e;
	st->live--;
}

/* Send what is queued, one batch per namespace: deletions first (an entry
 * deleted and needed again goes out and back in, in that order), then the
 * additions. An existing entry (EEXIST) is someone else's: used, never
 * deleted. One that could not be made leaves its probes to ARP/NDP. */
void check_flush(struct check_state *st)
{
	size_t d;

	for (d = 0; d < st->n_dirty; d++) {
		size_t w = st->dirty[d], i, round;
		struct check_where *cw = &st->where[w];
		struct ns *ns;
		int rc = ns_get(st->nn, check_where_name(st, w), &ns);

		cw->dirty = false;
		for (round = 0; !rc && (cw->n_del || cw->n_add) && round < 64; round++) {
			struct nl_batch b;
			size_t keep_del = 0, keep_add = 0;

			nl_batch_init(&b);
			for (i = 0; i < cw->n_del; i++)
				neigh_queue_del(&b, check_where_name(st, w), cw->del[i].ifindex,
						&cw->del[i].addr);
			for (i = 0; i < cw->n_add; i++) {
				const struct check_entry *en = &st->ent[cw->add[i]];

				neigh_queue_add(&b, check_where_name(st, w), en->ifindex,
						&en->addr, en->mac);
			}
			size_t sent = 0;

			nl_batch_send(st->nn, ns, &b);
			err_clear(st->nn);
			for (i = 0; i < b.n; i++)
				sent += b.req[i].done;
			/* nl_batch_send stops after the first chunk with a
			 * failure: what it did not send goes again. */
			for (i = 0; i < cw->n_del; i++)
				if (!b.req[i].done)
					cw->del[keep_del++] = cw->del[i];
			for (i = 0; i < cw->n_add; i++) {
				const struct nl_req *r = &b.req[cw->n_del + i];
				struct check_entry *en = &st->ent[cw->add[i]];

				if (!r->done) {
					cw->add[keep_add++] = cw->add[i];
				} else if (!r->error) {
					en->state = ENT_OURS;
					st->p->neigh_added++;
				} else if (r->error == -EEXIST) {
					en->state = ENT_THEIRS;
				} else {
					en->state = ENT_FAILED;
					en->error = -r->error;
				}
			}
			nl_batch_free(&b);
			cw->n_del = keep_del;
			cw->n_add = keep_add;
			if (!sent)
				break;  /* no socket in the namespace */
		}
		/* The namespace is gone, or the kernel keeps refusing. */
		for (i = 0; i < cw->n_add; i++) {
			st->ent[cw->add[i]].state = ENT_FAILED;
			st->ent[cw->add[i]].error = rc ? -rc : EIO;
		}
		cw->n_add = cw->n_del = 0;
		err_clear(st->nn);
		check_ns_done(st, w);
	}
	st->n_dirty = 0;
}

/* ---- which entries a probe needs ---------------------------------------------- */

/* Between two nodes of one segment: the target's address in the source,
 * the source's address in the target. Held until the probe is done (an
 * entry with references is never reused, so the indices stay valid). */
void check_probe_entries(struct check_state *st, size_t i)
{
	const struct check_probe *pr = &st->p->probes[i];
	const struct check_target *tg = &st->p->targets[pr->target];
	const struct check_if *sif, *tif;

	sif = check_where_if(st, pr->from, pr->src_if);
	tif = check_where_if(st, (size_t)tg->node, tg->ifname[pr->addr]);
	if (!sif->index || !tif->index) {
		st->uncovered[i] = true;
		return;
	}
	st->pent[i][0] = (uint32_t)check_ent_ref(st, pr->from, sif->index,
						 &tg->addr[pr->addr], tif->mac);
	st->pent[i][1] = (uint32_t)check_ent_ref(st, (size_t)tg->node, tif->index,
						 &pr->src_addr, sif->mac);
}

/*
 * Routed probes leave through a gateway (the address of a network's bridge
 * in the host) and come back through it: each node gets an entry for the
 * gateways of its networks, the host one for each node's address on each
 * bridge. O(nodes) entries, made once for the whole run.
 */
void check_pin_routed(struct check_state *st)
{
	const struct topo *t = st->t;
	size_t n, a, host = st->p->n_nodes;
	int f;

	for (n = 0; n < t->n_nodes; n++)
		for (a = 0; a < t->nodes[n].n_att; a++) {
			const struct topo_attach *att = &t->nodes[n].att[a];
			const struct topo_net *net = &t->nets[att->net];
			const struct check_if *nif = NULL, *bif = NULL;

			for (f = 0; f < 2; f++) {
				struct ipaddr gw = net->gateway[f], me = att->addr[f];

				/* a gateway on another machine (docs/multihost.md)
				 * is resolved across the VXLAN, as any remote */
				if (!gw.family || !me.family || !topo_net_gateway_here(t, net))
					continue;
				if (!nif) {
					nif = check_where_if(st, n, att->ifname);
					bif = check_where_if(st, host, net->bridge);
				}
				if (!nif->index || !bif->index)
					continue;
				gw.prefix = me.prefix = -1;
				check_ent_ref(st, n, nif->index, &gw, bif->mac);
				check_ent_ref(st, host, bif->index, &me, nif->mac);
			}
		}
	check_flush(st);
}

/* Whether a routed probe from node `from` can count on its entries. */
bool check_routed_covered(const struct check_state *st, const struct check_probe *pr)
{
	const struct topo *t = st->t;

	/* A route through another node asks that node's kernel to resolve. */
	if (!st->pinned_ok || t->nodes[pr->from].n_routes)
		return false;
	return st->p->targets[pr->target].node < 0 ||
	       !t->nodes[st->p->targets[pr->target].node].n_routes;
}

/* Entries an earlier check left (it was killed before it could delete
 * them): permanent, marked as nsnet's. A permanent entry outlives a MAC
 * that changes when `up` repairs a node, so they go. */
struct check_purge {
	struct check_state *st;
	size_t where;
};

static int check_purge_cb(const struct nl_neigh *nb, void *data)
{
	struct check_purge *c = data;
	struct check_where *cw = &c->st->where[c->where];
	size_t i;

	if (nb->protocol != RTPROT_NSNET || !(nb->state & NUD_PERMANENT))
		return 0;
	/* In the host: only on this topology's bridges. */
	if (c->where == c->st->p->n_nodes) {
		for (i = 0; i < c->st->t->n_nets; i++)
			if (check_where_if(c->st, c->where, c->st->t->nets[i].bridge)->index ==
			    nb->index)
				break;
		if (i == c->st->t->n_nets)
			return 0;
	}
	ARRAY_GROW(cw->del, cw->n_del);
	cw->del[cw->n_del++] = (struct check_del){ nb->index, nb->ip };
	check_where_dirty(c->st, c->where);
	return 0;
}

static void check_purge_restart(void *data)
{
	struct check_purge *c = data;

	c->st->where[c->where].n_del = 0;
}

void check_purge(struct check_state *st, size_t w)
{
	struct check_purge c = { st, w };
	struct ns *ns;

	if (!ns_get(st->nn, check_where_name(st, w), &ns))
		neigh_dump(st->nn, ns, AF_UNSPEC, check_purge_cb, &c,
			   check_purge_restart);
	err_clear(st->nn);
	check_ns_done(st, w);
}
