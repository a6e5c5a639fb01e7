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

/* One option of capture with its value: 0, or the usage error's status. */
static int capture_option(struct nsnet_capture_opts *o, const char *a, const char *v)
{
	int bad;

	if (!v)
		return usage_error("capture", "%s needs a value", a);
	if (!strcmp(a, "-w")) {
		o->pcap_file = v;
		return 0;
	}
	if (!strcmp(a, "-c"))
		bad = parse_uint(v, 0xffffffffUL, &o->count) || !o->count;
	else if (!strcmp(a, "-t"))
		bad = parse_seconds(v, &o->duration);
	else
		return usage_error("capture", "unknown option \"%s\"", a);
	return bad ? usage_error("capture", "bad value \"%s\" for %s", v, a) : 0;
}

/* Options first, then NS IF, then the filter: everything after IF (or
 * after "--") belongs to the filter, which may itself contain "-". */
int cmd_capture(struct nsnet *nn, int argc, char **argv)
{
	struct nsnet_capture_opts o = { .struct_size = sizeof(o), .stop = &capture_stop };
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
		if ((bad = capture_option(&o, a, v)))
			return bad;
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
		if ((bad = capture_option(&o, a, v)))
			return bad;
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

static void trace_print_path(json_t *arr, int wns, int wif)
{
	size_t i;
	json_t *e;

	json_array_foreach(arr, i, e) {
		char addrs[128];

		snprintf(addrs, sizeof(addrs), "%s > %s",
			 json_string_value(json_object_get(e, "src")),
			 json_string_value(json_object_get(e, "dst")));
		printf("  %-*s %-*s %-3s  %-33s  %s\n", wns,
		       json_string_value(json_object_get(e, "ns")), wif,
		       json_string_value(json_object_get(e, "if")),
		       json_string_value(json_object_get(e, "dir")), addrs,
		       json_string_value(json_object_get(e, "what")));
	}
}

static void trace_widths(json_t *arr, int *wns, int *wif)
{
	size_t i;
	json_t *e;
	int n;

	json_array_foreach(arr, i, e) {
		n = (int)strlen(json_string_value(json_object_get(e, "ns")));
		if (n > *wns)
			*wns = n;
		n = (int)strlen(json_string_value(json_object_get(e, "if")));
		if (n > *wif)
			*wif = n;
	}
}

static void trace_print(json_t *doc)
{
	json_t *req = json_object_get(doc, "request");
	json_t *rep = json_object_get(doc, "reply");
	json_t *e, *port = json_object_get(doc, "port");
	int wns = 4, wif = 4;
	size_t i;

	trace_widths(req, &wns, &wif);
	trace_widths(rep, &wns, &wif);
	printf("trace %s -> %s %s",
	       json_string_value(json_object_get(doc, "ns")),
	       json_string_value(json_object_get(doc, "dest")),
	       json_string_value(json_object_get(doc, "proto")));
	if (json_is_integer(port))
		printf(" port %lld", (long long)json_integer_value(port));
	printf("\nrequest:%s\n", json_array_size(req) ? "" : " not seen on any interface");
	trace_print_path(req, wns, wif);
	if (json_array_size(rep) || json_is_true(json_object_get(doc, "reply_received"))) {
		printf("reply:%s\n", json_array_size(rep) ? "" : " not seen on any interface");
		trace_print_path(rep, wns, wif);
	}
	json_array_foreach(json_object_get(doc, "nat"), i, e)
		printf("NAT: %s %s -> %s (%s, in %s)\n",
		       json_string_value(json_object_get(e, "field")),
		       json_string_value(json_object_get(e, "from")),
		       json_string_value(json_object_get(e, "to")),
		       json_string_value(json_object_get(e, "path")),
		       json_string_value(json_object_get(e, "ns")));
	json_array_foreach(json_object_get(doc, "arp_unanswered"), i, e)
		printf("ARP: who-has %s tell %s (%s %s): no answer\n",
		       json_string_value(json_object_get(e, "who_has")),
		       json_string_value(json_object_get(e, "tell")),
		       json_string_value(json_object_get(e, "ns")),
		       json_string_value(json_object_get(e, "if")));
	if (json_is_true(json_object_get(doc, "truncated")))
		printf("(too many packets: the rest were not kept)\n");
	printf("%s\n", json_string_value(json_object_get(doc, "verdict")));
}

/* Options may come before, between or after NS and DEST. */
int cmd_trace(struct nsnet *nn, int argc, char **argv)
{
	struct nsnet_trace_opts o = { .struct_size = sizeof(o), .proto = NSNET_TRACE_ICMP };
	const char *pos[2];
	bool json = want_json(&argc, argv);
	json_t *doc = NULL;
	int npos = 0, i, rc;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		int bad = 0;

		if (a[0] != '-' || !a[1]) {
			if (npos == 2)
				return usage_error("trace", "unexpected \"%s\"", a);
			pos[npos++] = a;
			continue;
		}
		if (!v)
			return usage_error("trace", "%s needs a value", a);
		if (!strcmp(a, "--tcp") || !strcmp(a, "--udp")) {
			if (o.proto != NSNET_TRACE_ICMP)
				return usage_error("trace", "give either --tcp or --udp, once");
			o.proto = a[2] == 't' ? NSNET_TRACE_TCP : NSNET_TRACE_UDP;
			bad = parse_uint(v, 65535, &o.port) || !o.port;
		} else if (!strcmp(a, "-W")) {
			bad = parse_seconds(v, &o.timeout) || o.timeout > 3600;
		} else {
			return usage_error("trace", "unknown option \"%s\"", a);
		}
		if (bad)
			return usage_error("trace", "bad value \"%s\" for %s", v, a);
		i++;
	}
	if (npos != 2)
		return usage_error("trace", "give a namespace and a destination");
	rc = nsnet_trace(nn, pos[0], pos[1], &o, &doc);
	if (doc) {
		if (json)
			json_print(doc);
		else
			trace_print(doc);
		json_decref(doc);
	}
	if (rc < 0)
		return lib_error(nn);
	return EXIT_OK;
}
