// SPDX-License-Identifier: GPL-2.0-or-later
/* cmd_ping.c - nsnet ping, traceroute */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static volatile int ping_stop;

static void ping_on_signal(int sig)
{
	(void)sig;
	ping_stop = 1;
}

/* Ctrl-C ends the run, not the process: the statistics still come, as
 * with ping(8). No SA_RESTART: the library's poll() returns at once. */
static void catch_interrupt(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = ping_on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

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

/* ---- ping ---------------------------------------------------------------- */

static int cmd_ping(struct nsnet *nn, int argc, char **argv);

static const struct opt ping_opts[] = {
	{ 'c', "count", "N", "stop after N packets (default 3; 0: until interrupted)", 0, "none" },
	{ 'i', "interval", "SECONDS", "wait between packets (default 1, at least 0.002)", 0, "none" },
	{ 'W', "timeout", "SECONDS", "wait for each reply (default 1)", 0, "none" },
	{ 's', "size", "BYTES", "payload size (default 56)", 0, "none" },
	{ 'q', "quiet", NULL, "only the summary lines" },
	{ 'n', "numeric", NULL, "accepted for ping(8) habits: nsnet never looks names up "
	  "in DNS" },
	{ 'j', "json", NULL, "print the result as JSON (docs/json.md) instead of lines" },
	{ 0 }
};

const struct cmd_spec spec_ping = {
	.name = "ping",
	.args = "NS DEST",
	.summary = "ICMP echo from inside a namespace",
	.text = "nsnet's own ICMP echo, with ping(8)'s output. DEST is an address, a\n"
		"namespace (its first global address) or a name of /etc/netns/NS/hosts.\n"
		"Ctrl-C stops and prints the statistics. Exit status 0 when a reply came.",
	.examples = "nsnet ping web 10.10.0.20\n"
		    "nsnet ping web database -c1 -W1\n"
		    "nsnet ping -c 0 web database      # until Ctrl-C",
	.opts = ping_opts,
	.fn = cmd_ping,
};

/* Milliseconds to the microsecond, as ping prints them. */
static json_t *ms(double v)
{
	return json_real((double)(long long)(v * 1000 + 0.5) / 1000);
}

static json_t *ping_json(const char *ns, const char *dest,
			 const struct nsnet_ping_result *r)
{
	json_t *doc = json_pack("{s:s,s:s,s:i,s:i,s:i,s:f}", "ns", ns, "dest", dest,
				"sent", (int)r->sent, "received", (int)r->received,
				"errors", (int)r->errors, "loss_percent",
				r->sent ? 100.0 * (r->sent - r->received) / r->sent : 0.0);

	json_object_set_new(doc, "rtt_ms", r->received ?
			    json_pack("{s:o,s:o,s:o,s:o}", "min", ms(r->rtt_min), "avg",
				      ms(r->rtt_avg), "max", ms(r->rtt_max), "mdev", ms(r->rtt_mdev)) :
			    json_null());
	return doc;
}

static int cmd_ping(struct nsnet *nn, int argc, char **argv)
{
	struct nsnet_ping_opts o = { .struct_size = sizeof(o), .stop = &ping_stop };
	struct nsnet_ping_result res;
	struct optparse p;
	bool json = false;
	unsigned int count = 3;
	int key, rc;

	opt_begin(&p, &spec_ping, argc, argv);
	while ((key = opt_next(&p)) > 0) {
		switch (key) {
		case 'c':
			if (parse_count(p.arg, &count))
				return opt_bad_value(&p, key, "a number of packets");
			break;
		case 'W':
			if (parse_seconds(p.arg, &o.timeout) || o.timeout <= 0)
				return opt_bad_value(&p, key, "seconds, more than 0");
			break;
		case 'i':
			if (parse_seconds(p.arg, &o.interval) || o.interval < 0.002)
				return opt_bad_value(&p, key, "seconds, at least 0.002");
			break;
		case 's':
			if (parse_count(p.arg, &o.size) || !o.size)
				return opt_bad_value(&p, key, "a number of bytes, at least 1");
			break;
		case 'q': o.quiet = true; break;
		case 'j': json = true; break;
		case 'n': break;
		}
	}
	if (key == OPT_STOP)
		return p.status;
	if (p.nops != 2)
		return usage_error(p.path, "give a namespace and a destination");
	o.count = count;
	o.forever = count == 0;
	catch_interrupt();
	rc = nsnet_ping(nn, p.ops[0], p.ops[1], &o, json ? NULL : print_line, NULL, &res);
	if (rc < 0)
		return lib_error(nn);
	if (json) {
		json_t *doc = ping_json(p.ops[0], p.ops[1], &res);

		json_print(doc);
		json_decref(doc);
	}
	return rc > 0 ? EXIT_OK : EXIT_FAIL;
}

/* ---- traceroute ---------------------------------------------------------------- */

static int cmd_traceroute(struct nsnet *nn, int argc, char **argv);

static const struct opt traceroute_opts[] = {
	{ 'm', "max-hops", "N", "at most N hops (default 30)", 0, "none" },
	{ 'q', "queries", "N", "probes per hop (default 3)", 0, "none" },
	{ 'W', "wait", "SECONDS", "wait for each probe's answer (default 1)", 0, "none" },
	{ 'n', "numeric", NULL, "accepted for traceroute(8) habits: nsnet never looks "
	  "names up" },
	{ 'j', "json", NULL, "print the hops as JSON (docs/json.md)" },
	{ 0 }
};

const struct cmd_spec spec_traceroute = {
	.name = "traceroute",
	.args = "NS DEST",
	.summary = "the hops from inside a namespace",
	.text = "UDP probes with a growing TTL, as traceroute(8) sends them. DEST as\n"
		"for ping. Exit status 0 when DEST answered.",
	.examples = "nsnet traceroute web 203.0.113.10\n"
		    "nsnet traceroute -n -q1 left right",
	.opts = traceroute_opts,
	.fn = cmd_traceroute,
};

static int cmd_traceroute(struct nsnet *nn, int argc, char **argv)
{
	struct nsnet_traceroute_opts o = { .struct_size = sizeof(o) };
	struct optparse p;
	bool json = false;
	json_t *doc;
	int key, rc;

	opt_begin(&p, &spec_traceroute, argc, argv);
	while ((key = opt_next(&p)) > 0) {
		switch (key) {
		case 'm':
			if (parse_count(p.arg, &o.max_hops) || !o.max_hops)
				return opt_bad_value(&p, key, "a number, at least 1");
			break;
		case 'W':
			if (parse_seconds(p.arg, &o.timeout) || o.timeout <= 0)
				return opt_bad_value(&p, key, "seconds, more than 0");
			break;
		case 'q':
			if (parse_count(p.arg, &o.probes) || !o.probes)
				return opt_bad_value(&p, key, "a number, at least 1");
			break;
		case 'j': json = true; break;
		case 'n': break;
		}
	}
	if (key == OPT_STOP)
		return p.status;
	if (p.nops != 2)
		return usage_error(p.path, "give a namespace and a destination");
	if (!json)
		rc = nsnet_traceroute(nn, p.ops[0], p.ops[1], &o, print_line, NULL);
	else if ((rc = nsnet_traceroute_json(nn, p.ops[0], p.ops[1], &o, &doc)) >= 0) {
		json_print(doc);
		json_decref(doc);
	}
	if (rc < 0)
		return lib_error(nn);
	return rc > 0 ? EXIT_OK : EXIT_FAIL;
}
