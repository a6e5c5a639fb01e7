// SPDX-License-Identifier: GPL-2.0-or-later
/* cmd_fw.c - nsnet nat, publish, unpublish, allow, deny */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int cmd_nat(struct nsnet *nn, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ 0 }
	};
	const char *out = NULL;
	int opt, rc;

	if (argc < 2)
		return usage_error("nat", "missing subcommand (add or del)");
	if (!strcmp(argv[1], "del") || !strcmp(argv[1], "delete")) {
		if (argc != 3)
			return usage_error("nat", "del takes one bridge name");
		rc = nsnet_nat_del(nn, argv[2]);
		return rc < 0 ? lib_error(nn) : EXIT_OK;
	}
	if (strcmp(argv[1], "add"))
		return usage_error("nat", "unknown subcommand \"%s\"", argv[1]);
	optind = 2;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (opt) {
		case 'o': out = optarg; break;
		case ':':
			return usage_error("nat", "%s needs a value", argv[optind - 1]);
		default:
			return usage_error("nat", "unknown option \"%s\"", argv[optind - 1]);
		}
	}
	if (argc - optind != 1)
		return usage_error("nat", "add takes one bridge name");
	rc = nsnet_nat_add(nn, argv[optind], out);
	return rc < 0 ? lib_error(nn) : EXIT_OK;
}

static void print_range(char *buf, size_t len, json_t *o, const char *lo,
			const char *hi)
{
	json_int_t a = json_integer_value(json_object_get(o, lo));
	json_int_t b = json_integer_value(json_object_get(o, hi));

	if (a == b)
		snprintf(buf, len, "%lld", (long long)a);
	else
		snprintf(buf, len, "%lld-%lld", (long long)a, (long long)b);
}

/* `publish --list`: the published ports as a table (or JSON). */
static int publish_list(struct nsnet *nn, bool json)
{
	json_t *doc, *pub, *o;
	struct table *t;
	size_t i;

	if (nsnet_fw_show(nn, &doc) < 0)
		return lib_error(nn);
	pub = json_object_get(doc, "published");
	if (json) {
		json_print(pub);
		json_decref(doc);
		return EXIT_OK;
	}
	t = table_new(5, "NAMESPACE", "HOST", "TO", "PORT", "PROTO");
	json_array_foreach(pub, i, o) {
		char host[96], port[16], hp[16], to[160] = "";
		const char *ip = json_string_value(json_object_get(o, "host_ip"));
		json_t *a;
		size_t j;

		print_range(hp, sizeof(hp), o, "host_port", "host_port_end");
		snprintf(host, sizeof(host), strchr(ip ? ip : "", ':') ? "[%s]:%s" : "%s:%s",
			 ip ? ip : "*", hp);
		print_range(port, sizeof(port), o, "port", "port_end");
		/* one address per family the port is published on */
		json_array_foreach(json_object_get(o, "addresses"), j, a)
			snprintf(to + strlen(to), sizeof(to) - strlen(to), "%s%s",
				 j ? " " : "", json_string_value(a) ?: "?");
		table_row(t, json_string_value(json_object_get(o, "namespace")),
			  host, to[0] ? to : "-", port,
			  json_string_value(json_object_get(o, "proto")));
	}
	table_print(t, stdout, "");
	table_free(t);
	json_decref(doc);
	return EXIT_OK;
}

int cmd_publish(struct nsnet *nn, int argc, char **argv)
{
	bool json = want_json(&argc, argv);

	if (argc == 2 && !strcmp(argv[1], "--list"))
		return publish_list(nn, json);
	if (argc != 3)
		return usage_error("publish", "give a namespace and a port spec (or --list)");
	if (nsnet_publish(nn, argv[1], argv[2]) < 0)
		return lib_error(nn);
	return EXIT_OK;
}

int cmd_unpublish(struct nsnet *nn, int argc, char **argv)
{
	if (argc != 3)
		return usage_error("unpublish", "give a namespace and the port spec it was published with");
	if (nsnet_unpublish(nn, argv[1], argv[2]) < 0)
		return lib_error(nn);
	return EXIT_OK;
}

static int allow_deny(struct nsnet *nn, int argc, char **argv, bool allow)
{
	if (argc != 3)
		return usage_error(argv[0], "give two bridges");
	if (nsnet_allow(nn, argv[1], argv[2], allow) < 0)
		return lib_error(nn);
	return EXIT_OK;
}

int cmd_allow(struct nsnet *nn, int argc, char **argv)
{
	return allow_deny(nn, argc, argv, true);
}

int cmd_deny(struct nsnet *nn, int argc, char **argv)
{
	return allow_deny(nn, argc, argv, false);
}
