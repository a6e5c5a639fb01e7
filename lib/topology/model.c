// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * model.c - the topology model's helpers: finding a node, freeing what the
 * parser built, a hash set for the checks that must stay linear in the
 * size of a file. The bottom of the topology layer: it calls nothing above.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <jansson.h>

#include "topology/topology.h"

bool topo_arg_is_file(const char *arg)
{
	return strchr(arg, '/') || strstr(arg, ".yaml") || strstr(arg, ".yml");
}

int topo_verror_at(struct nsnet *nn, const char *file, struct topo_pos pos,
		   const char *fmt, va_list ap)
{
	char msg[NSNET_ERR_MAX - 128], *c;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	/* Messages quote the file; its control characters (a terminal's
	 * escape sequences) must not reach the user's terminal. */
	for (c = msg; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
	return err_usage(nn, "%s:%d:%d: %s", file, pos.line, pos.col, msg);
}

int topo_error_at(struct nsnet *nn, const char *file, struct topo_pos pos,
		  const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = topo_verror_at(nn, file, pos, fmt, ap);
	va_end(ap);
	return rc;
}

int topo_name_check(struct nsnet *nn, const char *name)
{
	return name_check(nn, "topology", name, TOPO_NAME_MAX);
}

void topo_plan_add(struct topo_plan *p, enum topo_act_kind kind, size_t obj,
		   size_t idx, int family, bool repair)
{
	/* doubling: a plan of 50,000 nodes has 300,000 actions */
	if (p->n >= p->cap) {
		size_t cap = p->cap ? 2 * p->cap : 16;
		struct topo_action *a = realloc(p->act, cap * sizeof(*p->act));

		if (!a)
			abort();
		p->act = a;
		p->cap = cap;
	}
	p->act[p->n++] = (struct topo_action){ kind, obj, idx, family, repair };
}

struct topo_node *topo_node_find(const struct topo *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->n_nodes; i++)
		if (!strcmp(t->nodes[i].name, name))
			return &t->nodes[i];
	return NULL;
}

void strv_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void node_free(struct topo_node *nd)
{
	size_t j;

	free(nd->name);
	free(nd->att);
	for (j = 0; j < nd->n_routes; j++)
		free(nd->routes[j].text);
	free(nd->routes);
	strv_free(nd->publish, nd->n_publish);
	for (j = 0; j < nd->n_sysctls; j++) {
		free(nd->sysctls[j].key);
		free(nd->sysctls[j].value);
	}
	free(nd->sysctls);
	strv_free(nd->run, nd->n_run);
	strv_free(nd->setup, nd->n_setup);
	free(nd->host_name);
}

void topo_free(struct topo *t)
{
	size_t i;

	if (!t)
		return;
	for (i = 0; i < t->n_nets; i++) {
		free(t->nets[i].name);
		free(t->nets[i].gateway_host);
		free(t->nets[i].span);
		free(t->nets[i].leaf_names);
	}
	free(t->nets);
	for (i = 0; i < t->n_nodes; i++)
		node_free(&t->nodes[i]);
	free(t->nodes);
	for (i = 0; i < t->n_remote; i++)
		node_free(&t->remote[i]);
	free(t->remote);
	for (i = 0; i < t->n_hosts; i++)
		free(t->hosts[i].name);
	free(t->hosts);
	free(t->hosts_text);
	for (i = 0; i < t->n_cables; i++) {
		free(t->cables[i].a);
		free(t->cables[i].b);
	}
	free(t->cables);
	for (i = 0; i < t->n_expects; i++) {
		free(t->expects[i].from);
		free(t->expects[i].to);
		free(t->expects[i].text);
	}
	free(t->expects);
	free(t->upstream);
	free(t->source);
	free(t->name);
	free(t->file);
	free(t);
}

/* ---- a hash set of byte strings (open addressing, linear probing) ------ */

uint64_t topo_hash(const void *key, size_t len)
{
	const unsigned char *b = key;
	uint64_t h = 14695981039346656037ull;  /* FNV-1a */
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ b[i]) * 1099511628211ull;
	return h;
}

static struct topo_set_slot *topo_set_find(const struct topo_set *s,
					   const void *key, size_t len)
{
	size_t i;

	if (!s->cap)
		return NULL;
	for (i = topo_hash(key, len) & (s->cap - 1);; i = (i + 1) & (s->cap - 1))
		if (!s->slot[i].key || (s->slot[i].len == len &&
					!memcmp(s->slot[i].key, key, len)))
			return &s->slot[i];
}

bool topo_set_put(struct topo_set *s, const void *key, size_t len, size_t val,
		  size_t *old)
{
	struct topo_set_slot *sl;

	if (2 * (s->n + 1) > s->cap) {  /* at most half full: short probes */
		struct topo_set bigger = { .cap = s->cap ? 2 * s->cap : 16 };
		size_t i;

		bigger.slot = calloc(bigger.cap, sizeof(*bigger.slot));
		if (!bigger.slot)
			abort();
		for (i = 0; i < s->cap; i++)
			if (s->slot[i].key)
				*topo_set_find(&bigger, s->slot[i].key, s->slot[i].len) =
					s->slot[i];
		free(s->slot);
		bigger.n = s->n;
		*s = bigger;
	}
	sl = topo_set_find(s, key, len);
	if (sl->key) {
		if (old)
			*old = sl->val;
		return true;
	}
	*sl = (struct topo_set_slot){ key, len, val };
	s->n++;
	return false;
}

bool topo_set_get(const struct topo_set *s, const void *key, size_t len,
		  size_t *val)
{
	struct topo_set_slot *sl = topo_set_find(s, key, len);

	if (!sl || !sl->key)
		return false;
	if (val)
		*val = sl->val;
	return true;
}

void topo_set_free(struct topo_set *s)
{
	free(s->slot);
	memset(s, 0, sizeof(*s));
}

bool topo_fw_lists(json_t *fw, const char *list, const char *name)
{
	json_t *e;
	size_t i;

	json_array_foreach(json_object_get(json_object_get(fw, "isolation"), list), i, e)
		if (json_is_string(e) && !strcmp(json_string_value(e), name))
			return true;
	return false;
}
