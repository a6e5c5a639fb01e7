// SPDX-License-Identifier: GPL-2.0-or-later
/* cmd_ns.c - nsnet ns add|del|list */
#include <string.h>

#include "cli.h"

static int ns_add(struct nsnet *nn, int argc, char **argv);
static int ns_del(struct nsnet *nn, int argc, char **argv);
static int ns_list(struct nsnet *nn, int argc, char **argv);

static const struct cmd_spec spec_ns_add = {
	.name = "add",
	.args = "NAME...",
	.summary = "create named network namespaces (loopback up)",
	.text = "Each is bind-mounted under /run/netns, where ip netns sees it, and\n"
		"recorded as nsnet's. If one cannot be made, those made before it\n"
		"are removed again.",
	.examples = "nsnet ns add web database",
	.fn = ns_add,
	.complete = "none",
};

static const struct opt ns_del_opts[] = {
	{ 'f', "force", NULL, "delete namespaces nsnet did not create, or another topology's" },
	{ 0 }
};

static const struct cmd_spec spec_ns_del = {
	.name = "del",
	.aliases = "delete",
	.args = "NS...",
	.summary = "delete namespaces and what lives only in them",
	.text = "Ports published to them go too. A namespace nsnet did not create,\n"
		"or one of a topology, is refused unless --force is given.",
	.examples = "nsnet ns del web database\n"
		    "nsnet ns del --force red  # one made by ip netns add",
	.opts = ns_del_opts,
	.fn = ns_del,
};

static const struct opt ns_list_opts[] = {
	{ 'j', "json", NULL, "print JSON (docs/json.md)" },
	{ 0 }
};

static const struct cmd_spec spec_ns_list = {
	.name = "list",
	.aliases = "ls",
	.summary = "list the namespaces of /run/netns",
	.text = "Those nsnet did not create are marked so.",
	.opts = ns_list_opts,
	.fn = ns_list,
};

const struct cmd_spec spec_ns = {
	.name = "ns",
	.summary = "create, delete and list named network namespaces",
	.text = "Namespaces are the ones ip netns sees (bind mounts under /run/netns).",
	.subs = (const struct cmd_spec *const[]){ &spec_ns_add, &spec_ns_del,
						   &spec_ns_list, NULL },
};

static int ns_list(struct nsnet *nn, int argc, char **argv)
{
	struct optparse p;
	bool json = false;
	json_t *list;
	size_t k;
	int key;

	opt_begin(&p, &spec_ns_list, argc, argv);
	while ((key = opt_next(&p)) > 0)
		if (key == 'j')
			json = true;
	if (key == OPT_STOP)
		return p.status;
	if (p.nops)
		return usage_error(p.path, "takes no arguments");
	if (nsnet_ns_list(nn, &list) < 0)
		return lib_error(nn);
	if (json) {
		json_print(list);
	} else {
		for (k = 0; k < json_array_size(list); k++) {
			json_t *e = json_array_get(list, k);

			printf("%s%s\n", json_string_value(json_object_get(e, "name")),
			       json_is_true(json_object_get(e, "nsnet")) ?
			       "" : "  (not created by nsnet)");
		}
	}
	json_decref(list);
	return EXIT_OK;
}

/* Validate every name before creating any. */
static int ns_check_all(struct nsnet *nn, struct optparse *p)
{
	int i;

	if (!p->nops)
		return usage_error(p->path, "missing namespace name");
	for (i = 0; i < p->nops; i++)
		if (nsnet_check_ns_name(nn, p->ops[i]))
			return lib_error(nn);
	return EXIT_OK;
}

static int ns_add(struct nsnet *nn, int argc, char **argv)
{
	struct optparse p;
	int i, j, rc;

	if (opt_parse(&p, &spec_ns_add, argc, argv) == OPT_STOP)
		return p.status;
	if ((rc = ns_check_all(nn, &p)))
		return rc;
	for (i = 0; i < p.nops; i++) {
		if (nsnet_ns_add(nn, p.ops[i]) >= 0)
			continue;
		/* ns add a b c where b fails: a is removed again. */
		for (j = 0; j < i; j++) {
			struct nsnet *tmp = nsnet_new();

			nsnet_ns_del(tmp, p.ops[j], 0);
			nsnet_free(tmp);
		}
		return lib_error(nn);
	}
	return EXIT_OK;
}

static int ns_del(struct nsnet *nn, int argc, char **argv)
{
	unsigned int flags = 0;
	struct optparse p;
	int i, key, rc;

	opt_begin(&p, &spec_ns_del, argc, argv);
	while ((key = opt_next(&p)) > 0)
		if (key == 'f')
			flags |= NSNET_FORCE;
	if (key == OPT_STOP)
		return p.status;
	if ((rc = ns_check_all(nn, &p)))
		return rc;
	for (i = 0; i < p.nops; i++)
		if (nsnet_ns_del(nn, p.ops[i], flags) < 0)
			return lib_error(nn);
	return EXIT_OK;
}
