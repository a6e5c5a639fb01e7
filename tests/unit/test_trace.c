// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_trace.c - nsnet trace's path order and rewrites from collected
 * copies (trace_path.c), whatever their timestamps say: seed 000's probe
 * from web through the host's NAT to the upstream and back, delivered in
 * the order the sniffers were drained, with times that lie.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include "kernel/kernel.h"
#include "diagnosis/trace.h"

enum { HOST, DATABASE, UPSTREAM, WEB, N_NS };
static const char *const ns_names[N_NS] = { "host", "database", "upstream", "web" };
/* ifindexes: eth0 is 2 in every namespace; in the host app_br 5, the
 * web port 7, the database port 8. */
enum { ETH0 = 2, APP_BR = 5, WEB_PORT = 7, DB_PORT = 8 };

#define MARKER "nsnet-trace:0badcafe    "

struct copy {
	int ns, ifindex;
	bool out;
	const char *src, *dst;
	uint8_t ttl;
	uint16_t ip_id;
	bool reply;
	long ts_us;             /* what the kernel (or the read) stamped */
};

static void frame_of(struct trace *t, const struct copy *c)
{
	struct trace_frame *fr = &t->frames[t->n_frames];
	uint8_t *f = fr->data, *ip = f + 14, *icmp = ip + 20;
	size_t len = 20 + 8 + strlen(MARKER);
	uint16_t sum;

	memset(fr, 0, sizeof(*fr));
	memset(f, 0x02, 12);
	f[12] = 0x08;
	ip[0] = 0x45;
	ip[2] = (uint8_t)(len >> 8);
	ip[3] = (uint8_t)len;
	ip[4] = (uint8_t)(c->ip_id >> 8);
	ip[5] = (uint8_t)c->ip_id;
	ip[8] = c->ttl;
	ip[9] = IPPROTO_ICMP;
	assert_int_equal(inet_pton(AF_INET, c->src, ip + 12), 1);
	assert_int_equal(inet_pton(AF_INET, c->dst, ip + 16), 1);
	icmp[0] = c->reply ? 0 : 8;
	icmp[4] = 0x12;
	icmp[5] = 0x34;
	icmp[7] = 1;
	memcpy(icmp + 8, MARKER, strlen(MARKER));
	sum = ping_checksum(icmp, 8 + strlen(MARKER));
	icmp[2] = (uint8_t)(sum >> 8);
	icmp[3] = (uint8_t)sum;
	fr->sniffer = (size_t)c->ns;
	fr->ifindex = c->ifindex;
	fr->out = c->out;
	fr->eth = true;
	fr->protocol = 0x0800;
	fr->ts.tv_sec = 1000 + c->ts_us / 1000000;
	fr->ts.tv_nsec = (c->ts_us % 1000000) * 1000;
	fr->order = t->n_frames;
	fr->caplen = 14 + len;
	t->n_frames++;
}

static void trace_init(struct trace *t, const char *dest)
{
	size_t i;

	memset(t, 0, sizeof(*t));
	t->ns = "web";
	t->dest_text = dest;
	assert_int_equal(ip_parse(dest, &t->dest), 0);
	t->proto = NSNET_TRACE_ICMP;
	t->icmp_id = 0x1234;
	memcpy(t->marker, MARKER, TRACE_MARKER_LEN);
	t->sniffers = calloc(N_NS, sizeof(*t->sniffers));
	t->frames = calloc(32, sizeof(*t->frames));
	assert_non_null(t->sniffers);
	assert_non_null(t->frames);
	for (i = 0; i < N_NS; i++)
		strcpy(t->sniffers[i].ns, ns_names[i]);
	t->n_sniffers = N_NS;
	t->origin = WEB;
}

static void trace_fini(struct trace *t)
{
	free(t->sniffers);
	free(t->frames);
}

/* "ns:if:dir" of every copy of role, in the order trace_classify left. */
static void path_of(const struct trace *t, int role, char *buf, size_t len)
{
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < t->n_frames; i++)
		if (t->frames[i].role == role)
			n += (size_t)snprintf(buf + n, len - n, "%s:%d:%s ",
					      ns_names[t->frames[i].sniffer],
					      t->frames[i].ifindex,
					      t->frames[i].out ? "out" : "in");
}

/* The copies of seed 000's probe to 203.0.113.10 as each sniffer queued
 * them, sniffers drained in index order (host, upstream, web): the order
 * in which trace collects them when all are ready at once. */
static const struct copy nat_path[] = {
	{ HOST, WEB_PORT, false, "10.10.0.10", "203.0.113.10", 64, 100, false, 20 },
	{ HOST, APP_BR, false, "10.10.0.10", "203.0.113.10", 64, 100, false, 20 },
	{ HOST, ETH0, true, "198.51.100.2", "203.0.113.10", 63, 100, false, 80 },
	{ HOST, ETH0, false, "203.0.113.10", "198.51.100.2", 64, 200, true, 90 },
	{ HOST, APP_BR, true, "203.0.113.10", "10.10.0.10", 63, 200, true, 95 },
	{ HOST, WEB_PORT, true, "203.0.113.10", "10.10.0.10", 63, 200, true, 97 },
	{ UPSTREAM, ETH0, false, "198.51.100.2", "203.0.113.10", 63, 100, false, 81 },
	{ UPSTREAM, ETH0, true, "203.0.113.10", "198.51.100.2", 64, 200, true, 89 },
	{ WEB, ETH0, true, "10.10.0.10", "203.0.113.10", 64, 100, false, 18 },
	{ WEB, ETH0, false, "203.0.113.10", "10.10.0.10", 63, 200, true, 98 },
};

static const char nat_request[] =
	"web:2:out host:7:in host:5:in host:2:out upstream:2:in ";
static const char nat_reply[] =
	"upstream:2:out host:2:in host:5:out host:7:out web:2:in ";

/* Times: 0 as collected; 1 every copy sent stamped when read (seen in
 * trace.bats under load: the upstream's answer after the host's copies);
 * 2 all equal (timestamps not on yet); 3 backwards. */
static void check_nat_path(int times)
{
	struct trace t;
	char req[256], rep[256];
	json_t *nat, *e;
	size_t i;

	trace_init(&t, "203.0.113.10");
	for (i = 0; i < sizeof(nat_path) / sizeof(nat_path[0]); i++) {
		struct copy c = nat_path[i];

		if (times == 1 && c.out)
			c.ts_us = 5000 + (long)i;
		else if (times == 2)
			c.ts_us = 7;
		else if (times == 3)
			c.ts_us = 1000 - (long)i;
		frame_of(&t, &c);
	}
	trace_classify(&t);
	path_of(&t, TRACE_REQUEST, req, sizeof(req));
	path_of(&t, TRACE_REPLY, rep, sizeof(rep));
	assert_string_equal(req, nat_request);
	assert_string_equal(rep, nat_reply);
	/* Times shown never run backwards along the path. */
	for (i = 1; i < t.n_frames; i++)
		if (t.frames[i].role && t.frames[i - 1].role)
			assert_false(t.frames[i].ts.tv_sec < t.frames[i - 1].ts.tv_sec ||
				     (t.frames[i].ts.tv_sec == t.frames[i - 1].ts.tv_sec &&
				      t.frames[i].ts.tv_nsec < t.frames[i - 1].ts.tv_nsec));

	/* The one NAT is the host's masquerade, each way; the upstream
	 * rewrites nothing. */
	nat = trace_rewrites(&t);
	assert_int_equal(json_array_size(nat), 2);
	e = json_array_get(nat, 0);
	assert_string_equal(json_string_value(json_object_get(e, "path")), "request");
	assert_string_equal(json_string_value(json_object_get(e, "ns")), "host");
	assert_string_equal(json_string_value(json_object_get(e, "field")), "source");
	assert_string_equal(json_string_value(json_object_get(e, "from")), "10.10.0.10");
	assert_string_equal(json_string_value(json_object_get(e, "to")), "198.51.100.2");
	e = json_array_get(nat, 1);
	assert_string_equal(json_string_value(json_object_get(e, "path")), "reply");
	assert_string_equal(json_string_value(json_object_get(e, "ns")), "host");
	assert_string_equal(json_string_value(json_object_get(e, "field")), "destination");
	assert_string_equal(json_string_value(json_object_get(e, "from")), "198.51.100.2");
	assert_string_equal(json_string_value(json_object_get(e, "to")), "10.10.0.10");
	json_decref(nat);
	trace_fini(&t);
}

static void test_nat_path_true_times(void **state)
{
	(void)state;
	check_nat_path(0);
}

static void test_nat_path_sent_copies_late(void **state)
{
	(void)state;
	check_nat_path(1);
}

static void test_nat_path_no_times(void **state)
{
	(void)state;
	check_nat_path(2);
}

static void test_nat_path_times_backwards(void **state)
{
	(void)state;
	check_nat_path(3);
}

/* web to database across the host's bridge: the copy leaving web equals
 * the one entering database too, but the host's visit lies between. */
static void test_bridged_path(void **state)
{
	static const struct copy c[] = {
		{ DATABASE, ETH0, false, "10.10.0.10", "10.10.0.20", 64, 7, false, 10 },
		{ DATABASE, ETH0, true, "10.10.0.20", "10.10.0.10", 64, 9, true, 900 },
		{ HOST, WEB_PORT, false, "10.10.0.10", "10.10.0.20", 64, 7, false, 30 },
		{ HOST, DB_PORT, true, "10.10.0.10", "10.10.0.20", 64, 7, false, 900 },
		{ HOST, DB_PORT, false, "10.10.0.20", "10.10.0.10", 64, 9, true, 40 },
		{ HOST, WEB_PORT, true, "10.10.0.20", "10.10.0.10", 64, 9, true, 900 },
		{ WEB, ETH0, true, "10.10.0.10", "10.10.0.20", 64, 7, false, 900 },
		{ WEB, ETH0, false, "10.10.0.20", "10.10.0.10", 64, 9, true, 5 },
	};
	struct trace t;
	char req[256], rep[256];
	json_t *nat;
	size_t i;

	(void)state;
	trace_init(&t, "10.10.0.20");
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++)
		frame_of(&t, &c[i]);
	trace_classify(&t);
	path_of(&t, TRACE_REQUEST, req, sizeof(req));
	path_of(&t, TRACE_REPLY, rep, sizeof(rep));
	assert_string_equal(req, "web:2:out host:7:in host:8:out database:2:in ");
	assert_string_equal(rep, "database:2:out host:8:in host:7:out web:2:in ");
	nat = trace_rewrites(&t);
	assert_int_equal(json_array_size(nat), 0);
	json_decref(nat);
	trace_fini(&t);
}

/* The probe lost after the host: the path ends there, and a rewrite in
 * the origin's own output (DNAT to another address) shows as web's. */
static void test_origin_dnat(void **state)
{
	static const struct copy c[] = {
		{ HOST, WEB_PORT, false, "10.10.0.10", "10.10.0.20", 64, 7, false, 30 },
		{ WEB, ETH0, true, "10.10.0.10", "10.10.0.20", 64, 7, false, 900 },
	};
	struct trace t;
	char req[256];
	json_t *nat, *e;
	size_t i;

	(void)state;
	trace_init(&t, "203.0.113.10");
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++)
		frame_of(&t, &c[i]);
	trace_classify(&t);
	path_of(&t, TRACE_REQUEST, req, sizeof(req));
	assert_string_equal(req, "web:2:out host:7:in ");
	nat = trace_rewrites(&t);
	assert_int_equal(json_array_size(nat), 1);
	e = json_array_get(nat, 0);
	assert_string_equal(json_string_value(json_object_get(e, "ns")), "web");
	assert_string_equal(json_string_value(json_object_get(e, "field")), "destination");
	assert_string_equal(json_string_value(json_object_get(e, "from")), "203.0.113.10");
	assert_string_equal(json_string_value(json_object_get(e, "to")), "10.10.0.20");
	json_decref(nat);
	trace_fini(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nat_path_true_times),
		cmocka_unit_test(test_nat_path_sent_copies_late),
		cmocka_unit_test(test_nat_path_no_times),
		cmocka_unit_test(test_nat_path_times_backwards),
		cmocka_unit_test(test_bridged_path),
		cmocka_unit_test(test_origin_dnat),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
