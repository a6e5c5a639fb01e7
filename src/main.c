// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * main.c - nsnet's entry point: finds the command and maps library errors
 * to messages and exit statuses (0 success, 1 failure, 2 bad usage).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const struct cmd commands[] = {
	{ "ns", cmd_ns, "ns add NAME...\nns del NAME...\nns list [--json]",
	  "create, delete and list named network namespaces" },
	{ "exec", cmd_exec, "exec [--pid] NS -- CMD [ARG...]",
	  "run a command inside a namespace (like ip netns exec)" },
	{ "shell", cmd_shell, "shell NS", "start your shell inside a namespace" },
	{ "sandbox", cmd_sandbox, "sandbox [--no-upstream] [--] CMD [ARG...]",
	  "run CMD in a throwaway network with a simulated upstream" },
	{ "cable", cmd_cable,
	  "cable A[:IF] B[:IF] [--addr CIDR] [--peer-addr CIDR] [--mtu N]",
	  "join two namespaces (or one and host) with a veth pair" },
	{ "bridge", cmd_bridge,
	  "bridge add NAME [--addr CIDR]... [--internal]\nbridge del NAME",
	  "create or delete a bridge in the host namespace" },
	{ "attach", cmd_attach,
	  "attach NS BRIDGE [--addr CIDR]... [--gateway IP] [--ifname IF] [--mtu N]",
	  "plug a namespace into a bridge" },
	{ "detach", cmd_detach, "detach NS BRIDGE", "unplug a namespace from a bridge" },
	{ "link", cmd_link,
	  "link set NS IF [up|down] [mtu N] [rate R|none] [loss P|none] [delay T [jitter T]|none]\n"
	  "link del NS IF",
	  "change or delete an interface; impair a link (docs/impairments.md)" },
	{ "addr", cmd_addr, "addr add|del NS IF CIDR", "add or remove an address" },
	{ "route", cmd_route,
	  "route add|del NS DEST via GW [dev IF]\nroute add|del NS DEST dev IF",
	  "add or remove a route (DEST a prefix or default)" },
	{ "forward", cmd_forward, "forward on|off|show [NS]",
	  "IPv4 and IPv6 forwarding of a namespace (host by default)" },
	{ "show", cmd_show, "show [NS] [--json]",
	  "links, addresses, routes and neighbours of namespaces" },
	{ "ping", cmd_ping, "ping NS DEST [-c N] [-W SECONDS] [-i INTERVAL] [-s SIZE] [-q]",
	  "ICMP echo from inside a namespace" },
	{ "traceroute", cmd_traceroute, "traceroute NS DEST [-m MAXHOPS] [-W SECONDS] [-q PROBES]",
	  "the hops from inside a namespace" },
	{ "nat", cmd_nat, "nat add BRIDGE [--out IF]\nnat del BRIDGE",
	  "a way out through the host for the namespaces on a bridge" },
	{ "publish", cmd_publish, "publish NS [HOSTIP:]HOSTPORT[-END]:PORT[-END][/tcp|/udp]",
	  "forward a host port to a namespace" },
	{ "unpublish", cmd_unpublish,
	  "unpublish NS [HOSTIP:]HOSTPORT[-END]:PORT[-END][/tcp|/udp]",
	  "remove a published port" },
	{ "allow", cmd_allow, "allow BRIDGE1 BRIDGE2", "let two bridges' namespaces talk" },
	{ "deny", cmd_deny, "deny BRIDGE1 BRIDGE2", "isolate two bridges again" },
	{ "up", cmd_up, "up FILE [--dry-run]", "create or repair a topology" },
	{ "down", cmd_down, "down FILE|NAME", "remove everything a topology owns" },
	{ "status", cmd_status, "status [FILE|NAME] [--json]",
	  "compare a topology with the kernel" },
	{ "plan", cmd_plan, "plan FILE", "print what up would do as ip/nft commands" },
	{ "graph", cmd_graph, "graph FILE|NAME [--format svg|dot|mermaid|html] [-o FILE]",
	  "a picture of a topology (of NAME: with each object's state)" },
	{ "export", cmd_export, "export [--name NAME] [NS...] [-o FILE]",
	  "write a topology file for the namespaces that exist now" },
	{ "logs", cmd_logs, "logs NODE", "output of a node's run: commands" },
	{ "check", cmd_check, "check [FILE|NAME] [-W SECONDS] [--json]",
	  "reachability matrix and expectations" },
	{ "doctor", cmd_doctor, "doctor NS DEST[:PORT[/tcp|/udp]] [--json]",
	  "explain why a packet does not get through" },
	{ "trace", cmd_trace, "trace NS DEST [--tcp PORT|--udp PORT] [-W SECONDS] [--json]",
	  "follow a probe hop by hop" },
	{ "capture", cmd_capture, "capture NS IF|any [-w FILE.pcap] [-c N] [-t SECONDS] [FILTER...]",
	  "print or save packets on an interface" },
};

static const struct cmd *cmd_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

void print_usage(FILE *f, const char *name)
{
	const struct cmd *c = name ? cmd_find(name) : NULL;
	size_t i;

	if (c) {
		const char *p = c->usage, *nl;

		fprintf(f, "%s: %s\n", c->name, c->summary);
		do {
			nl = strchr(p, '\n');
			fprintf(f, "  nsnet %.*s\n", nl ? (int)(nl - p) : (int)strlen(p), p);
			p = nl + 1;
		} while (nl);
		return;
	}
	fprintf(f, "usage: nsnet COMMAND [ARGS]\n\n"
		   "Build, run and debug virtual networks of Linux network namespaces.\n\n"
		   "Commands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-11s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\n'nsnet help COMMAND' shows a command's usage. The namespace name\n"
		   "'host' means the namespace nsnet runs in.\n");
}

int usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "nsnet %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	print_usage(stderr, cmd);
	return EXIT_USAGE;
}

int lib_error(struct nsnet *nn)
{
	fprintf(stderr, "nsnet: %s\n", nsnet_error(nn));
	return nsnet_error_exit_code(nn);
}

/* The library's warnings (foreign firewall drops, ...), one a line. */
static void print_warning(void *data, const char *msg)
{
	(void)data;
	fprintf(stderr, "nsnet: warning: %s\n", msg);
}

int main(int argc, char **argv)
{
	const struct cmd *c;
	struct nsnet *nn;
	int rc;

	if (argc < 2) {
		print_usage(stderr, NULL);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "-h")) {
		if (argc > 2 && !cmd_find(argv[2]))
			return usage_error("help", "unknown command \"%s\"", argv[2]);
		print_usage(stdout, argc > 2 ? argv[2] : NULL);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
		printf("nsnet %s\n", NSNET_VERSION);
		return EXIT_OK;
	}
	c = cmd_find(argv[1]);
	if (!c) {
		fprintf(stderr, "nsnet: unknown command \"%s\"\n\n", argv[1]);
		print_usage(stderr, NULL);
		return EXIT_USAGE;
	}
	if (argc > 2 && (!strcmp(argv[2], "--help") || !strcmp(argv[2], "-h"))) {
		print_usage(stdout, c->name);
		return EXIT_OK;
	}
	nn = nsnet_new();
	if (!nn) {
		fprintf(stderr, "nsnet: out of memory\n");
		return EXIT_FAIL;
	}
	nsnet_set_warn(nn, print_warning, NULL);
	rc = c->fn(nn, argc - 1, argv + 1);
	nsnet_free(nn);
	return rc;
}
