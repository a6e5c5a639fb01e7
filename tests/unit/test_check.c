// SPDX-License-Identifier: GPL-2.0-or-later
/* test_check.c - nsnet check without packets: which probes a topology
 * needs, how their answers add up into cells, and which expectations are
 * met or broken. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <errno.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>

#include "diagnosis/diagnosis.h"

static const char shop[] =
	"name: shop\n"
	"networks:\n"
	"  app: {bridge: app_br, subnet: 10.10.0.0/16, nat: true}\n"
	"  v6: {bridge: v6_br, subnet: 10.11.0.0/24}\n"
	"nodes:\n"
	"  web: {networks: {app: 10.10.0.10, v6: 10.11.0.10}}\n"
	"  database: {networks: {app: 10.10.0.20}}\n"
	"  cache: {}\n"
	"upstream: 203.0.113.10\n"
	"expect:\n"
	"  - \"web -> database: reach\"\n"
	"  - \"web -> database:tcp/5432: reach\"\n"
	"  - \"database -> 203.0.113.10: blocked\"\n"
	"  - \"web -> 198.51.100.1: reach\"\n"
	"  - \"database -> web:udp/53: blocked\"\n";

struct fixture {
	struct nsnet *nn;
	struct topo *t;
	struct check_plan p;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	f->nn = nsnet_new();
	if (topo_parse_buffer(f->nn, "t.yaml", shop, strlen(shop), &f->t))
		fail_msg("parse: %s", nsnet_error(f->nn));
	if (check_plan_build(f->nn, f->t, &f->p))
		fail_msg("plan: %s", nsnet_error(f->nn));
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	check_plan_free(&f->p);
	topo_free(f->t);
	nsnet_free(f->nn);
	free(f);
	return 0;
}

static ssize_t target(const struct check_plan *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->n_targets; i++)
		if (!strcmp(p->targets[i].name, name))
			return (ssize_t)i;
	return -1;
}

static const struct check_cell *cell(const struct check_plan *p, const char *from,
				     const char *to, int proto, uint16_t port)
{
	ssize_t a = target(p, from), b = target(p, to);
	size_t i;

	for (i = 0; i < p->n_cells; i++)
		if ((ssize_t)p->cells[i].from == a && (ssize_t)p->cells[i].target == b &&
		    p->cells[i].proto == proto && p->cells[i].port == port)
			return &p->cells[i];
	return NULL;
}

static void test_targets_and_cells(void **state)
{
	struct fixture *f = *state;
	const struct check_plan *p = &f->p;

	/* nodes first, in file order, then the upstream, then the
	 * addresses expectations name */
	assert_int_equal(p->n_targets, 5);
	assert_int_equal(target(p, "web"), 0);
	assert_int_equal(target(p, "database"), 1);
	assert_int_equal(target(p, "cache"), 2);
	assert_int_equal(target(p, "203.0.113.10"), 3);
	assert_int_equal(target(p, "198.51.100.1"), 4);
	/* web answers on both its networks */
	assert_int_equal(p->targets[0].n_addr, 2);
	assert_int_equal(p->targets[2].n_addr, 0);
	/* 3 nodes x 4 other columns of ICMP, plus two port cells */
	assert_int_equal(p->n_cells, 3 * 4 + 2);
	assert_null(cell(p, "web", "web", 0, 0));
	assert_non_null(cell(p, "cache", "198.51.100.1", 0, 0));
	assert_non_null(cell(p, "web", "database", IPPROTO_TCP, 5432));
	assert_non_null(cell(p, "database", "web", IPPROTO_UDP, 53));
	assert_null(cell(p, "database", "web", IPPROTO_TCP, 53));
}

static void test_expectations_point_at_their_cells(void **state)
{
	struct fixture *f = *state;
	const struct check_plan *p = &f->p;

	assert_ptr_equal(&p->cells[p->expect_cell[0]], cell(p, "web", "database", 0, 0));
	assert_ptr_equal(&p->cells[p->expect_cell[1]],
			 cell(p, "web", "database", IPPROTO_TCP, 5432));
	assert_ptr_equal(&p->cells[p->expect_cell[2]],
			 cell(p, "database", "203.0.113.10", 0, 0));
	assert_ptr_equal(&p->cells[p->expect_cell[3]], cell(p, "web", "198.51.100.1", 0, 0));
	assert_ptr_equal(&p->cells[p->expect_cell[4]],
			 cell(p, "database", "web", IPPROTO_UDP, 53));
}

static void test_probes_cover_every_address(void **state)
{
	struct fixture *f = *state;
	const struct check_plan *p = &f->p;
	size_t i, to_web = 0;

	for (i = 0; i < p->n_probes; i++) {
		const struct check_probe *pr = &p->probes[i];

		assert_ptr_equal(&p->cells[pr->cell], cell(p, p->targets[pr->from].name,
			p->targets[pr->target].name, pr->proto, pr->port));
		assert_int_equal(pr->family, p->targets[pr->target].addr[pr->addr].family);
		to_web += pr->target == 0 && !pr->proto;
	}
	/* database and cache, each to web's two addresses */
	assert_int_equal(to_web, 4);
}

static void set_probes(struct check_plan *p, const char *from, const char *to, int proto,
		       enum check_result first, enum check_result second)
{
	size_t i, n = 0;

	for (i = 0; i < p->n_probes; i++) {
		struct check_probe *pr = &p->probes[i];

		if (pr->from == (size_t)target(p, from) && pr->target == (size_t)target(p, to) &&
		    pr->proto == proto) {
			pr->result = n++ ? second : first;
			pr->rtt_ms = 1.0 + (double)n;
		}
	}
}

static void test_any_address_reaches(void **state)
{
	struct fixture *f = *state;
	struct check_plan *p = &f->p;
	const struct check_cell *c = cell(p, "database", "web", 0, 0);

	/* web's second network is isolated: one answer is enough */
	set_probes(p, "database", "web", 0, CHECK_TIMEOUT, CHECK_REACH);
	check_cells_update(p);
	assert_int_equal(c->result, CHECK_REACH);
	assert_true(c->rtt_ms == 3.0);
	set_probes(p, "database", "web", 0, CHECK_TIMEOUT, CHECK_UNREACH);
	check_cells_update(p);
	/* the ICMP error explains more than the silence */
	assert_int_equal(c->result, CHECK_UNREACH);
	assert_int_equal(cell(p, "web", "cache", 0, 0)->result, CHECK_PENDING);
}

static void test_expect_met_or_broken(void **state)
{
	struct fixture *f = *state;
	struct check_plan *p = &f->p;
	size_t broken;
	json_t *doc, *ex;

	set_probes(p, "web", "database", 0, CHECK_REACH, CHECK_REACH);
	set_probes(p, "web", "database", IPPROTO_TCP, CHECK_REFUSED, CHECK_REFUSED);
	set_probes(p, "database", "203.0.113.10", 0, CHECK_TIMEOUT, CHECK_TIMEOUT);
	set_probes(p, "web", "198.51.100.1", 0, CHECK_REACH, CHECK_REACH);
	/* a refused port is not reached: "blocked" holds */
	set_probes(p, "database", "web", IPPROTO_UDP, CHECK_REFUSED, CHECK_REFUSED);
	check_cells_update(p);
	doc = check_json(f->t, p, 1.5, 10.0, &broken);
	assert_int_equal(broken, 1);
	ex = json_object_get(doc, "expectations");
	assert_string_equal(json_string_value(json_object_get(json_array_get(ex, 0), "result")), "met");
	assert_string_equal(json_string_value(json_object_get(json_array_get(ex, 1), "result")), "broken");
	assert_string_equal(json_string_value(json_object_get(json_array_get(ex, 1), "seen")), "refused");
	assert_string_equal(json_string_value(json_object_get(json_array_get(ex, 1), "where")), "shop:12:5"); /* no file: the name */
	assert_string_equal(json_string_value(json_object_get(json_array_get(ex, 2), "result")), "met");
	assert_string_equal(json_string_value(json_object_get(json_array_get(ex, 4), "result")), "met");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(doc, "summary"),
							    "expectations_broken")), 1);
	json_decref(doc);
}

static void test_why(void **state)
{
	struct fixture *f = *state;
	struct check_plan *p = &f->p;
	char why[128];

	p->timeout_s = 1.5;
	set_probes(p, "web", "database", IPPROTO_TCP, CHECK_REFUSED, CHECK_REFUSED);
	set_probes(p, "database", "203.0.113.10", 0, CHECK_TIMEOUT, CHECK_TIMEOUT);
	check_cells_update(p);
	check_cell_why(p, cell(p, "web", "database", IPPROTO_TCP, 5432), why, sizeof(why));
	assert_string_equal(why, "10.10.0.20:5432 refused the connection: nothing listens");
	check_cell_why(p, cell(p, "database", "203.0.113.10", 0, 0), why, sizeof(why));
	assert_string_equal(why, "no answer from 203.0.113.10 in 1.5 s");
	check_cell_why(p, cell(p, "web", "cache", 0, 0), why, sizeof(why));
	assert_string_equal(why, "the file gives it no address");
}

/* A probe the local kernel would not send is no verdict: the cell says
 * "not probed", an expectation on it is neither met nor broken (and not
 * met), and another address that answered still reaches. */
static void test_not_probed(void **state)
{
	struct fixture *f = *state;
	struct check_plan *p = &f->p;
	const struct check_cell *c = cell(p, "web", "database", 0, 0);
	size_t broken, i;
	char why[128];
	json_t *doc, *ex, *sum;

	p->timeout_s = 1.5;
	for (i = 0; i < p->n_probes; i++)
		if (&p->cells[p->probes[i].cell] == c) {
			p->probes[i].result = CHECK_NOT_PROBED;
			p->probes[i].np_why = CHECK_NP_SEND;
			p->probes[i].error = ENOBUFS;
		}
	/* "blocked" would hold if this were taken as silence */
	set_probes(p, "database", "203.0.113.10", 0, CHECK_NOT_PROBED, CHECK_NOT_PROBED);
	set_probes(p, "database", "web", 0, CHECK_NOT_PROBED, CHECK_REACH);
	check_cells_update(p);
	assert_int_equal(c->result, CHECK_NOT_PROBED);
	assert_int_equal(cell(p, "database", "web", 0, 0)->result, CHECK_REACH);
	check_cell_why(p, c, why, sizeof(why));
	assert_string_equal(why, "not probed (kernel: No buffer space available)");
	doc = check_json(f->t, p, 1.5, 10.0, &broken);
	ex = json_object_get(doc, "expectations");
	sum = json_object_get(doc, "summary");
	assert_string_equal(json_string_value(json_object_get(json_array_get(ex, 0), "result")),
			    "not probed");
	assert_string_equal(json_string_value(json_object_get(json_array_get(ex, 2), "result")),
			    "not probed");
	assert_int_equal(json_integer_value(json_object_get(sum, "expectations_not_probed")), 2);
	assert_int_equal(json_integer_value(json_object_get(sum, "not_probed")), 2);
	/* not met: the exit status says so */
	assert_true(broken >= 2);
	assert_int_equal(json_integer_value(json_object_get(sum, "expectations_broken")),
			 (json_int_t)broken - 2);
	json_decref(doc);
}

static const char ring[] =
	"name: ring\n"
	"networks:\n"
	"  a: {bridge: a_br, subnet: 10.40.0.0/24}\n"
	"  b: {bridge: b_br, subnet: 10.41.0.0/24}\n"
	"nodes:\n"
	"  n0: {networks: {a: }}\n  n1: {networks: {a: }}\n  n2: {networks: {a: }}\n"
	"  n3: {networks: {a: }}\n  n4: {networks: {a: }}\n  n5: {networks: {a: }}\n"
	"  n6: {networks: {a: }}\n  n7: {networks: {b: }}\n  n8: {networks: {a: }}\n"
	"  n9: {networks: {a: }}\n"
	"upstream: 203.0.113.10\n"
	"expect:\n"
	"  - \"n0 -> n1: reach\"\n";

/* The start order: routed probes first, then each pair of nodes of a
 * segment together (both ways), block pair after block pair. */
static void test_order(void **state)
{
	struct nsnet *nn = nsnet_new();
	struct check_plan p;
	struct topo *t;
	size_t *order, i, j, pairs = 0;
	bool routed_part = true;

	(void)state;
	assert_int_equal(topo_parse_buffer(nn, "r.yaml", ring, strlen(ring), &t), 0);
	assert_int_equal(ipam_assign(nn, t), 0);
	assert_int_equal(check_plan_build(nn, t, &p), 0);
	order = calloc(p.n_probes, sizeof(*order));
	check_plan_order(&p, 4, order);
	/* a permutation */
	for (i = 0; i < p.n_probes; i++)
		for (j = i + 1; j < p.n_probes; j++)
			assert_true(order[i] != order[j]);
	for (i = 0; i < p.n_probes; i++) {
		const struct check_probe *pr = &p.probes[order[i]];

		if (!check_probe_pair(&p, pr)) {
			assert_true(routed_part);
			continue;
		}
		routed_part = false;
		pairs++;
		/* n7 is alone on its network: reached through the gateway */
		assert_true(pr->from != 7 && pr->target != 7);
		/* the pair's other direction is next to it */
		if (i + 1 < p.n_probes && pairs % 2 == 1) {
			const struct check_probe *q = &p.probes[order[i + 1]];

			assert_int_equal(q->from, pr->target);
			assert_int_equal(q->target, pr->from);
		}
		/* block pairs in order: (0,0) (0,1) (0,2) (1,1) (1,2) (2,2) */
		if (i > 0 && check_probe_pair(&p, &p.probes[order[i - 1]])) {
			const struct check_probe *o = &p.probes[order[i - 1]];
			size_t a = (pr->from < pr->target ? pr->from : pr->target) / 4;
			size_t b = (pr->from < pr->target ? pr->target : pr->from) / 4;
			size_t oa = (o->from < o->target ? o->from : o->target) / 4;
			size_t ob = (o->from < o->target ? o->target : o->from) / 4;

			assert_true(oa < a || (oa == a && ob <= b));
		}
	}
	/* 9 nodes on network a: 72 probes between them */
	assert_int_equal(pairs, 9 * 8);
	free(order);
	check_plan_free(&p);
	topo_free(t);
	nsnet_free(nn);
}

/* --sample K: each node to K others, every stride-th after it, and to
 * every address; expectations keep their cells; the rest is counted. */
static void test_sample(void **state)
{
	struct nsnet *nn = nsnet_new();
	struct check_plan p;
	struct topo *t;
	size_t broken, i, from0 = 0, n8[4], k = 0;
	json_t *doc, *sample;

	(void)state;
	assert_int_equal(topo_parse_buffer(nn, "r.yaml", ring, strlen(ring), &t), 0);
	assert_int_equal(ipam_assign(nn, t), 0);
	assert_int_equal(check_plan_build_sample(nn, t, 3, &p), 0);
	assert_int_equal(p.sample, 3);
	assert_int_equal(p.stride, 3);
	for (i = 0; i < p.n_cells; i++) {
		const struct check_cell *c = &p.cells[i];

		assert_true(c->from != c->target);
		if (c->from == 0 && !c->proto)
			from0++;
		if (c->from == 8 && k < 4)
			n8[k++] = c->target;
	}
	/* n0: n3, n6, n9, the upstream, and n1 (its expectation) */
	assert_int_equal(from0, 5);
	assert_int_equal(p.cells[p.expect_cell[0]].from, 0);
	assert_int_equal(p.cells[p.expect_cell[0]].target, 1);
	/* n8: (8 + 3) % 10 = n1, n4, n7, then the upstream (column 10) */
	assert_int_equal(k, 4);
	assert_int_equal(n8[0], 1);
	assert_int_equal(n8[1], 4);
	assert_int_equal(n8[2], 7);
	assert_int_equal(n8[3], 10);
	for (i = 0; i < p.n_probes; i++)
		p.probes[i].result = CHECK_REACH;
	check_cells_update(&p);
	doc = check_json(t, &p, 1.5, 1.0, &broken);
	sample = json_object_get(json_object_get(doc, "summary"), "sample");
	assert_non_null(sample);
	assert_int_equal(json_integer_value(json_object_get(sample, "per_node")), 3);
	assert_int_equal(json_integer_value(json_object_get(sample, "pairs_total")), 100);
	/* 10 nodes x (3 nodes + the upstream) + n0 -> n1 */
	assert_int_equal(json_array_size(json_object_get(doc, "matrix")), 41);
	assert_int_equal(json_integer_value(json_object_get(sample, "pairs_not_probed")), 59);
	json_decref(doc);
	check_plan_free(&p);
	/* as many as there are other nodes: every pair, no sample */
	assert_int_equal(check_plan_build_sample(nn, t, 9, &p), 0);
	assert_int_equal(p.sample, 0);
	assert_int_equal(p.n_cells, 100);
	check_plan_free(&p);
	topo_free(t);
	nsnet_free(nn);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_targets_and_cells, setup, teardown),
		cmocka_unit_test_setup_teardown(test_expectations_point_at_their_cells, setup, teardown),
		cmocka_unit_test_setup_teardown(test_probes_cover_every_address, setup, teardown),
		cmocka_unit_test_setup_teardown(test_any_address_reaches, setup, teardown),
		cmocka_unit_test_setup_teardown(test_expect_met_or_broken, setup, teardown),
		cmocka_unit_test_setup_teardown(test_why, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_probed, setup, teardown),
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_sample),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
