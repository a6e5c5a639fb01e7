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

static int cmd_capture(struct nsnet *nn, int argc, char **argv);

static const struct opt capture_opts[] = {
	{ 'w', "write", "FILE.pcap", "write the packets to a pcap file (for wireshark, tcpdump -r)" },
	{ 'c', "count", "N", "stop after N packets", 0, "none" },
	{ 't', "time", "SECONDS", "stop after this many seconds", 0, "none" },
	{ 'n', "numeric", NULL, "accepted for tcpdump habits: nsnet never looks names up" },
	{ 0 }
};

const struct cmd_spec spec_capture = {
	.name = "capture",
	.args = "NS IF|any [FILTER]...",
	.summary = "print or save packets on an interface",
	.text = "tcpdump-style lines, one per packet, until Ctrl-C, -c or -t. FILTER is\n"
		"a pcap-filter(7) expression (its words may be separate arguments; put\n"
		"-- before a filter that has a word starting with -).",
	.examples = "nsnet capture host app_br -c 10 icmp\n"
		    "nsnet capture web any -n tcp port 80\n"
		    "nsnet capture web eth0 -w web.pcap -t 30",
	.opts = capture_opts,
	.fn = cmd_capture,
	.complete = "ns if none",
};

static int cmd_capture(struct nsnet *nn, int argc, char **argv)
{
	struct nsnet_capture_opts o = { .struct_size = sizeof(o), .stop = &capture_stop };
	struct sigaction sa;
	struct optparse p;
	char *filter;
	int key, rc;

	opt_begin(&p, &spec_capture, argc, argv);
	while ((key = opt_next(&p)) > 0) {
		switch (key) {
		case 'w': o.pcap_file = p.arg; break;
		case 'c':
			if (parse_uint(p.arg, 0xffffffffUL, &o.count) || !o.count)
				return opt_bad_value(&p, key, "a number, at least 1");
			break;
		case 't':
			if (parse_seconds(p.arg, &o.duration))
				return opt_bad_value(&p, key, "seconds, more than 0");
			break;
		case 'n': break;
		}
	}
	if (key == OPT_STOP)
		return p.status;
	if (p.nops < 2)
		return usage_error(p.path, "give a namespace and an interface (or any)");
	filter = join_args(p.nops, p.ops, 2);
	o.filter = filter;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = capture_on_signal;
	/* No SA_RESTART: poll() returns at once with EINTR. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	rc = nsnet_capture(nn, p.ops[0], p.ops[1], &o, print_line, NULL);
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

static int cmd_trace(struct nsnet *nn, int argc, char **argv);

static const struct opt trace_opts[] = {
	{ 'T', "tcp", "PORT", "a TCP SYN to PORT instead of an ICMP echo", 0, "none" },
	{ 'U', "udp", "PORT", "a UDP datagram to PORT instead", 0, "none" },
	{ 'W', "timeout", "SECONDS", "wait this long for the reply (default 1)", 0, "none" },
	{ 'j', "json", NULL, "print the path as JSON (docs/json.md)" },
	{ 0 }
};

const struct cmd_spec spec_trace = {
	.name = "trace",
	.args = "NS DEST",
	.summary = "follow a probe hop by hop",
	.text = "One probe from NS to DEST, watched at once by a packet socket in every\n"
		"namespace: each copy of it and of its reply, NAT rewrites, unanswered\n"
		"ARP, and where it was last seen. DEST as for ping. Exit status 0 when\n"
		"the reply came back.",
	.examples = "nsnet trace web 203.0.113.10\n"
		    "nsnet trace web database --tcp 5432",
	.opts = trace_opts,
	.fn = cmd_trace,
};

static int cmd_trace(struct nsnet *nn, int argc, char **argv)
{
	struct nsnet_trace_opts o = { .struct_size = sizeof(o), .proto = NSNET_TRACE_ICMP };
	struct optparse p;
	bool json = false;
	json_t *doc = NULL;
	int key, rc;

	opt_begin(&p, &spec_trace, argc, argv);
	while ((key = opt_next(&p)) > 0) {
		switch (key) {
		case 'T':
		case 'U':
			if (o.proto != NSNET_TRACE_ICMP)
				return usage_error(p.path, "give either --tcp or --udp, once");
			o.proto = key == 'T' ? NSNET_TRACE_TCP : NSNET_TRACE_UDP;
			if (parse_uint(p.arg, 65535, &o.port) || !o.port)
				return opt_bad_value(&p, key, "a port, 1-65535");
			break;
		case 'W':
			if (parse_seconds(p.arg, &o.timeout) || o.timeout > 3600)
				return opt_bad_value(&p, key, "seconds, more than 0");
			break;
		case 'j': json = true; break;
		}
	}
	if (key == OPT_STOP)
		return p.status;
	if (p.nops != 2)
		return usage_error(p.path, "give a namespace and a destination");
	rc = nsnet_trace(nn, p.ops[0], p.ops[1], &o, &doc);
	if (doc) {
		if (json)
			json_print(doc);
		else
			trace_print(doc);
		json_decref(doc);
		/* The verdict line said it, on the screen the person reads. */
		if (rc < 0 && !json && same_terminal(stdout, stderr))
			return nsnet_error_exit_code(nn);
	}
	if (rc < 0)
		return lib_error(nn);
	return EXIT_OK;
}
