// SPDX-License-Identifier: GPL-2.0-or-later
/* test_check.c - nsnet check without packets: which probes a topology
 * needs, how their answers add up into cells, and which expectations are
 * met or broken. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_targets_and_cells, setup, teardown),
		cmocka_unit_test_setup_teardown(test_expectations_point_at_their_cells, setup, teardown),
		cmocka_unit_test_setup_teardown(test_probes_cover_every_address, setup, teardown),
		cmocka_unit_test_setup_teardown(test_any_address_reaches, setup, teardown),
		cmocka_unit_test_setup_teardown(test_expect_met_or_broken, setup, teardown),
		cmocka_unit_test_setup_teardown(test_why, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
