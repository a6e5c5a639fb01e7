// SPDX-License-Identifier: GPL-2.0-or-later
/* cmd_trace.c - nsnet capture and nsnet trace: arguments in, text out. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static volatile int capture_stop;

static void capture_on_signal(int sig)
{
	(void)sig;
	capture_stop = 1;
}

static void print_line(void *data, const char *text)
{
	(void)data;
	printf("%s\n", text);
	fflush(stdout);
}

static int parse_uint(const char *s, unsigned long max, unsigned int *v)
{
	unsigned long x;
	char *end;

	if (!s || !*s || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	x = strtoul(s, &end, 10);
	if (*end || errno || x > max)
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
	if (*end || errno || !(*v > 0) || *v > 1e6)
		return -1;
	return 0;
}

/* Joins argv[from..argc) with spaces, as tcpdump does with its filter. */
static char *join_args(int argc, char **argv, int from)
{
	size_t len = 1;
	char *s;
	int i;

	for (i = from; i < argc; i++)
		len += strlen(argv[i]) + 1;
	s = calloc(1, len);
	if (!s)
		abort();
	for (i = from; i < argc; i++) {
		if (i > from)
			strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

/* Options first, then NS IF, then the filter: everything after IF (or
 * after "--") belongs to the filter, which may itself contain "-". */
int cmd_capture(struct nsnet *nn, int argc, char **argv)
{
	struct nsnet_capture_opts o = { .stop = &capture_stop };
	struct sigaction sa;
	const char *pos[2];
	char *filter;
	int npos = 0, i, rc;

	for (i = 1; i < argc && npos < 2; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		int bad = 0;

		if (!strcmp(a, "--")) {
			i++;
			break;
		}
		if (a[0] != '-' || !a[1]) {
			pos[npos++] = a;
			continue;
		}
		if (!v)
			return usage_error("capture", "%s needs a value", a);
		if (!strcmp(a, "-w"))
			o.pcap_file = v;
		else if (!strcmp(a, "-c"))
			bad = parse_uint(v, 0xffffffffUL, &o.count) || !o.count;
		else if (!strcmp(a, "-t"))
			bad = parse_seconds(v, &o.duration);
		else
			return usage_error("capture", "unknown option \"%s\"", a);
		if (bad)
			return usage_error("capture", "bad value \"%s\" for %s", v, a);
		i++;
	}
	/* Options may also come between IF and the filter. */
	for (; i < argc && argv[i][0] == '-' && argv[i][1]; i += 2) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		int bad = 0;

		if (!strcmp(a, "--")) {
			i++;
			break;
		}
		if (!v)
			return usage_error("capture", "%s needs a value", a);
		if (!strcmp(a, "-w"))
			o.pcap_file = v;
		else if (!strcmp(a, "-c"))
			bad = parse_uint(v, 0xffffffffUL, &o.count) || !o.count;
		else if (!strcmp(a, "-t"))
			bad = parse_seconds(v, &o.duration);
		else
			return usage_error("capture", "unknown option \"%s\"", a);
		if (bad)
			return usage_error("capture", "bad value \"%s\" for %s", v, a);
	}
	if (npos != 2)
		return usage_error("capture", "give a namespace and an interface (or any)");
	filter = join_args(argc, argv, i);
	o.filter = filter;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = capture_on_signal;
	/* No SA_RESTART: poll() returns at once with EINTR. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	rc = nsnet_capture(nn, pos[0], pos[1], &o, print_line, NULL);
	free(filter);
	if (rc < 0)
		return lib_error(nn);
	fprintf(stderr, "%d packet%s captured%s%s\n", rc, rc == 1 ? "" : "s",
		o.pcap_file ? " to " : "", o.pcap_file ? o.pcap_file : "");
	return EXIT_OK;
}

int cmd_trace(struct nsnet *nn, int argc, char **argv)
{
	fprintf(stderr, "nsnet: %s: not implemented yet\n", argv[0]);
	return EXIT_FAIL;
}
