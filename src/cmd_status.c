// SPDX-License-Identifier: GPL-2.0-or-later
/* cmd_status.c - nsnet status, logs: topologies that are up, and their output */
#include <signal.h>
#include <string.h>

#include "cli.h"

static void print_line(void *data, const char *text)
{
	(void)data;
	printf("%s\n", text);
	fflush(stdout);
}

/* ---- status ---------------------------------------------------------------- */

static int cmd_status(struct nsnet *nn, int argc, char **argv);

static const struct opt status_opts[] = {
	{ 'c', "cni", NULL, "list only the attachments nsnet-cni made (docs/cni.md)" },
	{ 'j', "json", NULL, "print JSON (docs/json.md)" },
	OPT_HOST_ENTRY,
	{ 0 }
};

const struct cmd_spec spec_status = {
	.name = "status",
	.args = "[FILE|NAME]",
	.summary = "list the topologies that are up, or compare one with the kernel",
	.text = "Without an argument: every topology that is up, with its file, its\n"
		"number of nodes and its state (up, drifted, file missing), then the\n"
		"attachments nsnet-cni made, if any (--cni: only those). With one:\n"
		"each node's namespace, addresses and processes, and what differs from\n"
		"the file; exit status 1 when something does.",
	.examples = "nsnet status\n"
		    "nsnet status shop\n"
		    "nsnet status shop --json | jq '.nodes[].name'\n"
		    "nsnet status --cni --json  # containers put on nsnet networks by a runtime",
	.opts = status_opts,
	.fn = cmd_status,
};

/* The attachments nsnet-cni made, with their state: what GC would take. */
static int status_cni(struct nsnet *nn, bool json, bool alone)
{
	json_t *cni;

	if (nsnet_cni_attachments(nn, &cni) < 0)
		return lib_error(nn);
	if (json) {
		json_print(cni);
	} else if (json_array_size(cni)) {
		printf("%sCNI attachments (nsnet-cni)\n", alone ? "" : "\n");
		print_cni(cni);
	} else if (alone) {
		printf("no CNI attachments\n");
	}
	json_decref(cni);
	return EXIT_OK;
}

static int status_list(struct nsnet *nn, bool json)
{
	struct table *t;
	json_t *list, *e;
	size_t i;

	if (nsnet_topo_list(nn, &list) < 0)
		return lib_error(nn);
	if (json) {
		json_print(list);
	} else if (!json_array_size(list)) {
		printf("no topology is up\n");
	} else {
		t = table_new(4, "NAME", "NODES", "STATE", "FILE");
		json_array_foreach(list, i, e) {
			char nodes[24];

			snprintf(nodes, sizeof(nodes), "%lld",
				 (long long)json_integer_value(json_object_get(e, "nodes")));
			table_row(t, json_string_value(json_object_get(e, "name")), nodes,
				  json_string_value(json_object_get(e, "state")),
				  json_string_value(json_object_get(e, "file")));
		}
		table_print(t, stdout, "");
		table_free(t);
	}
	json_decref(list);
	return json ? EXIT_OK : status_cni(nn, false, false);
}

static int cmd_status(struct nsnet *nn, int argc, char **argv)
{
	struct optparse p;
	bool json = false, cni = false;
	json_t *st, *e;
	size_t i;
	int key;

	opt_begin(&p, &spec_status, argc, argv);
	while ((key = opt_next(&p)) > 0) {
		if (key == 'j')
			json = true;
		else if (key == 'c')
			cni = true;
		else if (key == OPT_HOST && host_opt(nn, &p))
			return EXIT_USAGE;
	}
	if (key == OPT_STOP)
		return p.status;
	if (p.nops > 1)
		return usage_error(p.path, "one topology at a time");
	if (cni && p.nops)
		return usage_error(p.path, "--cni takes no topology");
	if (cni)
		return status_cni(nn, json, true);
	if (!p.nops)
		return status_list(nn, json);
	if (nsnet_topo_status(nn, p.ops[0], &st) < 0)
		return lib_error(nn);
	if (json) {
		json_print(st);
	} else {
		struct table *t = table_new(4, "NODE", "NAMESPACE", "ADDRESSES", "PROCESSES");

		const char *host = json_string_value(json_object_get(st, "host"));

		printf("topology %s (%s)%s%s: %s\n",
		       json_string_value(json_object_get(st, "name")),
		       json_string_value(json_object_get(st, "file")),
		       host ? " on " : "", host ? host : "",
		       json_is_true(json_object_get(st, "in_sync")) ?
		       "matches the file" : "differs from the file");
		json_array_foreach(json_object_get(st, "nodes"), i, e) {
			char addrs[256] = "", runs[64] = "-";
			json_t *x;
			size_t j, up = 0, n = json_array_size(json_object_get(e, "run"));

			json_array_foreach(json_object_get(e, "addresses"), j, x)
				snprintf(addrs + strlen(addrs), sizeof(addrs) - strlen(addrs),
					 "%s%s", j ? " " : "", json_string_value(x));
			json_array_foreach(json_object_get(e, "run"), j, x)
				up += json_is_true(json_object_get(x, "running"));
			if (n)
				snprintf(runs, sizeof(runs), "%zu/%zu running", up, n);
			table_row(t, json_string_value(json_object_get(e, "name")),
				  json_is_true(json_object_get(e, "exists")) ? "yes" : "missing",
				  addrs, runs);
		}
		table_print(t, stdout, "  ");
		table_free(t);
		/* docs/multihost.md: each machine says its own part */
		json_array_foreach(json_object_get(st, "elsewhere"), i, e)
			printf("%s%s (%s)%s", i ? ", " : "  on other machines: ",
			       json_string_value(json_object_get(e, "name")),
			       json_string_value(json_object_get(e, "host")),
			       i + 1 == json_array_size(json_object_get(st, "elsewhere")) ? "\n" : "");
		json_array_foreach(json_object_get(st, "differences"), i, e)
			printf("  %s: %s\n", json_string_value(json_object_get(e, "state")),
			       json_string_value(json_object_get(e, "object")));
	}
	i = json_is_true(json_object_get(st, "in_sync")) ? EXIT_OK : EXIT_FAIL;
	json_decref(st);
	return (int)i;
}

/* ---- logs ---------------------------------------------------------------------- */

static int cmd_logs(struct nsnet *nn, int argc, char **argv);

static volatile int logs_stop;

static void logs_on_signal(int sig)
{
	(void)sig;
	logs_stop = 1;
}

static const struct opt logs_opts[] = {
	{ 'f', "follow", NULL, "keep printing what comes, until interrupted (like tail -f)" },
	{ 0 }
};

const struct cmd_spec spec_logs = {
	.name = "logs",
	.args = "NODE",
	.summary = "output of a node's run: and setup: commands",
	.text = "Each line behind its command's tag: [web:0] for the node's first\n"
		"run: command, [web:setup0] for its first setup: command.",
	.examples = "nsnet logs web\n"
		    "nsnet logs -f web",
	.opts = logs_opts,
	.fn = cmd_logs,
};

static int cmd_logs(struct nsnet *nn, int argc, char **argv)
{
	struct nsnet_logs_opts o = { .struct_size = sizeof(o), .stop = &logs_stop };
	struct optparse p;
	int key;

	opt_begin(&p, &spec_logs, argc, argv);
	while ((key = opt_next(&p)) > 0)
		if (key == 'f')
			o.follow = true;
	if (key == OPT_STOP)
		return p.status;
	if (p.nops != 1)
		return usage_error(p.path, "give a node name");
	if (o.follow) {
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = logs_on_signal;
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
	}
	if (nsnet_topo_logs_lines(nn, p.ops[0], &o, print_line, NULL) < 0)
		return lib_error(nn);
	return EXIT_OK;
}
