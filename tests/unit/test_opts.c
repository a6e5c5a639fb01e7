// SPDX-License-Identifier: GPL-2.0-or-later
/* test_opts.c - option structs that carry their size (lib/base/opts.c):
 * callers built against an older or a newer nsnet.h. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "base/base.h"

/* One option struct in two versions: v2 added c at the end. */
struct opts_v1 {
	size_t struct_size;
	int a;
	char b;
};
struct opts_v2 {
	size_t struct_size;
	int a;
	char b;
	long c;
};
#define V1_SIZE (offsetof(struct opts_v1, b) + sizeof(char))

/* The library knows v2; the caller was built against v1. */
static void test_older_caller(void **state)
{
	struct nsnet *nn = nsnet_new();
	struct opts_v1 in = { .struct_size = sizeof(in), .a = 7, .b = 'x' };
	struct opts_v2 out;

	(void)state;
	memset(&out, 0xaa, sizeof(out));
	assert_int_equal(opts_take(nn, &out, sizeof(out), V1_SIZE, &in, "t"), 0);
	assert_int_equal(out.struct_size, sizeof(out));
	assert_int_equal(out.a, 7);
	assert_int_equal(out.b, 'x');
	assert_int_equal(out.c, 0);  /* the default of the field it lacks */
	nsnet_free(nn);
}

/* struct_size 0 is version 1, whatever else the caller's memory holds. */
static void test_size_zero_is_v1(void **state)
{
	struct nsnet *nn = nsnet_new();
	struct opts_v2 in = { .struct_size = 0, .a = 3, .c = 99 };
	struct opts_v2 out;

	(void)state;
	assert_int_equal(opts_take(nn, &out, sizeof(out), V1_SIZE, &in, "t"), 0);
	assert_int_equal(out.a, 3);
	assert_int_equal(out.c, 0);
	nsnet_free(nn);
}

/* The library knows v1; the caller was built against v2. */
static void test_newer_caller(void **state)
{
	struct nsnet *nn = nsnet_new();
	struct opts_v2 in = { .struct_size = sizeof(in), .a = 5 };
	struct opts_v1 out;

	(void)state;
	/* The new field left at its default: nothing asked that v1 cannot do. */
	assert_int_equal(opts_take(nn, &out, sizeof(out), V1_SIZE, &in, "t"), 0);
	assert_int_equal(out.a, 5);
	in.c = 1;
	assert_int_equal(opts_take(nn, &out, sizeof(out), V1_SIZE, &in, "ping"),
			 -EINVAL);
	assert_int_equal(nsnet_error_exit_code(nn), 2);
	assert_non_null(strstr(nsnet_error(nn), "ping: "));
	assert_non_null(strstr(nsnet_error(nn), "newer nsnet.h"));
	nsnet_free(nn);
}

static void test_null_and_garbage(void **state)
{
	struct nsnet *nn = nsnet_new();
	struct opts_v2 in = { .struct_size = (size_t)-1 }, out;

	(void)state;
	memset(&out, 0xaa, sizeof(out));
	assert_int_equal(opts_take(nn, &out, sizeof(out), V1_SIZE, NULL, "t"), 0);
	assert_int_equal(out.struct_size, sizeof(out));
	assert_int_equal(out.a, 0);
	assert_int_equal(out.c, 0);
	assert_int_equal(opts_take(nn, &out, sizeof(out), V1_SIZE, &in, "t"), -EINVAL);
	assert_non_null(strstr(nsnet_error(nn), "struct_size"));
	in.struct_size = 3;
	assert_int_equal(opts_take(nn, &out, sizeof(out), V1_SIZE, &in, "t"), -EINVAL);
	nsnet_free(nn);
}

/* Every public entry point with options refuses a struct from a newer
 * header before it does anything else (no namespace is touched here). */
static void test_entry_points(void **state)
{
	struct nsnet *nn = nsnet_new();
	union {
		struct nsnet_ping_opts ping;
		struct nsnet_traceroute_opts traceroute;
		struct nsnet_capture_opts capture;
		struct nsnet_trace_opts trace;
		struct nsnet_cable cable;
		struct nsnet_attach attach;
		unsigned char bytes[512];
	} newer;
	struct json_t *out = NULL;

	(void)state;
	memset(&newer, 0, sizeof(newer));
	newer.bytes[sizeof(newer) - 1] = 1;
	newer.ping.struct_size = sizeof(newer);
	assert_int_equal(nsnet_ping(nn, "a", "10.0.0.1", &newer.ping, NULL, NULL, NULL),
			 -EINVAL);
	assert_non_null(strstr(nsnet_error(nn), "ping: "));
	assert_int_equal(nsnet_traceroute(nn, "a", "10.0.0.1", &newer.traceroute,
					  NULL, NULL), -EINVAL);
	assert_non_null(strstr(nsnet_error(nn), "traceroute: "));
	assert_int_equal(nsnet_capture(nn, "a", "eth0", &newer.capture, NULL, NULL),
			 -EINVAL);
	assert_non_null(strstr(nsnet_error(nn), "capture: "));
	assert_int_equal(nsnet_trace(nn, "a", "10.0.0.1", &newer.trace, &out), -EINVAL);
	assert_non_null(strstr(nsnet_error(nn), "trace: "));
	assert_null(out);
	assert_int_equal(nsnet_cable_add(nn, &newer.cable), -EINVAL);
	assert_non_null(strstr(nsnet_error(nn), "cable: "));
	assert_int_equal(nsnet_attach(nn, &newer.attach), -EINVAL);
	assert_non_null(strstr(nsnet_error(nn), "attach: "));
	assert_int_equal(nsnet_error_exit_code(nn), 2);
	nsnet_free(nn);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_older_caller),
		cmocka_unit_test(test_size_zero_is_v1),
		cmocka_unit_test(test_newer_caller),
		cmocka_unit_test(test_null_and_garbage),
		cmocka_unit_test(test_entry_points),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
