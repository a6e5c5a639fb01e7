// SPDX-License-Identifier: GPL-2.0-or-later
/* cmd_probe.c - nsnet doctor. */
#include <string.h>

#include "cli.h"

/* The findings as lines (docs/diagnostics.md): the checks in the order
 * they were made, then the fix commands, each behind a word padded to six
 * columns so that tests and people can cut the text at the same place on
 * every line. */
static void doctor_print(json_t *doc)
{
	json_t *v;
	size_t i;

	json_array_foreach(json_object_get(doc, "checks"), i, v) {
		const char *result = json_string_value(json_object_get(v, "result"));
		const char *what = json_string_value(json_object_get(v, "what"));

		if (!result || !what)
			continue;
		print_word(stdout, strcmp(result, "fail") ? result : "FAIL", 6);
		printf("%s\n", what);
	}
	json_array_foreach(json_object_get(doc, "fix"), i, v)
		if (json_is_string(v)) {
			print_word(stdout, "fix", 6);
			printf("%s\n", json_string_value(v));
		}
	/* Before the error on stderr, as the lines came first. */
	fflush(stdout);
}

static int cmd_doctor(struct nsnet *nn, int argc, char **argv);

static const struct opt doctor_opts[] = {
	{ 'j', "json", NULL, "print the findings as JSON (docs/diagnostics.md)" },
	{ 0 }
};

const struct cmd_spec spec_doctor = {
	.name = "doctor",
	.args = "NS DEST[:PORT[/tcp|/udp]]",
	.summary = "explain why a packet does not get through",
	.text = "Walks the path from NS to DEST and back, namespace by namespace\n"
		"(addresses, routes, ARP, forwarding, firewalls, NAT, the listening\n"
		"socket), names the first cause and prints the command that fixes it.\n"
		"DEST is an address, a namespace or a name of /etc/netns/NS/hosts.\n"
		"Exit status 0 when a probe gets through, 1 with the cause.",
	.examples = "nsnet doctor web 203.0.113.10\n"
		    "nsnet doctor web database:5432",
	.opts = doctor_opts,
	.fn = cmd_doctor,
};

static int cmd_doctor(struct nsnet *nn, int argc, char **argv)
{
	struct optparse p;
	bool json = false;
	json_t *doc = NULL;
	int key, rc;

	opt_begin(&p, &spec_doctor, argc, argv);
	while ((key = opt_next(&p)) > 0)
		if (key == 'j')
			json = true;
	if (key == OPT_STOP)
		return p.status;
	if (p.nops != 2)
		return usage_error(p.path, "expected NS DEST[:PORT[/tcp|/udp]]");
	rc = nsnet_doctor(nn, p.ops[0], p.ops[1], NULL, NULL, &doc);
	if (doc && !json)
		doctor_print(doc);
	/* The object only with a verdict (ok, or a cause): a walk that broke
	 * off is an error, said on stderr alone. */
	else if (doc && (!rc || json_is_string(json_object_get(doc, "cause"))))
		json_print(doc);
	if (rc && doc && !json && json_is_string(json_object_get(doc, "cause")) &&
	    same_terminal(stdout, stderr)) {
		/* The FAIL line said it, on the screen the person reads. */
		json_decref(doc);
		return nsnet_error_exit_code(nn);
	}
	json_decref(doc);
	if (rc)
		return lib_error(nn);
	return EXIT_OK;
}
