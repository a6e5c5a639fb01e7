// SPDX-License-Identifier: GPL-2.0-or-later
/* cmd_ping.c - nsnet ping, traceroute */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void print_line(void *data, const char *text)
{
	(void)data;
	printf("%s\n", text);
	fflush(stdout);
}

static int parse_count(const char *s, unsigned int *v)
{
	char *end;
	unsigned long x;

	if (!s || !*s || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	x = strtoul(s, &end, 10);
	if (*end || errno || x > 0xffffffffUL)
		return -1;
	*v = (unsigned int)x;
	return 0;
}

static int parse_seconds(const char *s, double *v)
{
	char *end;

	if (!s || !*s || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	*v = strtod(s, &end);
	if (*end || errno || !(*v >= 0))
		return -1;
	return 0;
}

/* Options may come before, between or after NS and DEST, as with ping. */
int cmd_ping(struct nsnet *nn, int argc, char **argv)
{
	struct nsnet_ping_opts o = { .struct_size = sizeof(o) };
	struct nsnet_ping_result res;
	const char *pos[2];
	int npos = 0, i, rc;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		int bad = 0;

		if (!strcmp(a, "-q")) {
			o.quiet = true;
			continue;
		}
		if (a[0] != '-' || !a[1]) {
			if (npos == 2)
				return usage_error("ping", "unexpected \"%s\"", a);
			pos[npos++] = a;
			continue;
		}
		if (!v)
			return usage_error("ping", "%s needs a value", a);
		if (!strcmp(a, "-c"))
			bad = parse_count(v, &o.count) || !o.count;
		else if (!strcmp(a, "-W"))
			bad = parse_seconds(v, &o.timeout) || o.timeout <= 0;
		else if (!strcmp(a, "-i"))
			bad = parse_seconds(v, &o.interval) || o.interval < 0.002;
		else if (!strcmp(a, "-s"))
			bad = parse_count(v, &o.size) || !o.size;
		else
			return usage_error("ping", "unknown option \"%s\"", a);
		if (bad)
			return usage_error("ping", "bad value \"%s\" for %s", v, a);
		i++;
	}
	if (npos != 2)
		return usage_error("ping", "give a namespace and a destination");
	rc = nsnet_ping(nn, pos[0], pos[1], &o, print_line, NULL, &res);
	if (rc < 0)
		return lib_error(nn);
	return rc > 0 ? EXIT_OK : EXIT_FAIL;
}

int cmd_traceroute(struct nsnet *nn, int argc, char **argv)
{
	struct nsnet_traceroute_opts o = { .struct_size = sizeof(o) };
	const char *pos[2];
	int npos = 0, i, rc;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		int bad = 0;

		if (a[0] != '-' || !a[1]) {
			if (npos == 2)
				return usage_error("traceroute", "unexpected \"%s\"", a);
			pos[npos++] = a;
			continue;
		}
		if (!v)
			return usage_error("traceroute", "%s needs a value", a);
		if (!strcmp(a, "-m"))
			bad = parse_count(v, &o.max_hops) || !o.max_hops;
		else if (!strcmp(a, "-W"))
			bad = parse_seconds(v, &o.timeout) || o.timeout <= 0;
		else if (!strcmp(a, "-q"))
			bad = parse_count(v, &o.probes) || !o.probes;
		else
			return usage_error("traceroute", "unknown option \"%s\"", a);
		if (bad)
			return usage_error("traceroute", "bad value \"%s\" for %s", v, a);
		i++;
	}
	if (npos != 2)
		return usage_error("traceroute", "give a namespace and a destination");
	rc = nsnet_traceroute(nn, pos[0], pos[1], &o, print_line, NULL);
	if (rc < 0)
		return lib_error(nn);
	return rc > 0 ? EXIT_OK : EXIT_FAIL;
}
