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
		printf("%-6s%s\n", strcmp(result, "fail") ? result : "FAIL", what);
	}
	json_array_foreach(json_object_get(doc, "fix"), i, v)
		if (json_is_string(v))
			printf("%-6s%s\n", "fix", json_string_value(v));
	/* Before the error on stderr, as the lines came first. */
	fflush(stdout);
}

int cmd_doctor(struct nsnet *nn, int argc, char **argv)
{
	bool json = want_json(&argc, argv);
	json_t *doc = NULL;
	int rc;

	if (argc != 3)
		return usage_error(argv[0], "expected NS DEST[:PORT[/tcp|/udp]]");
	rc = nsnet_doctor(nn, argv[1], argv[2], NULL, NULL, &doc);
	if (doc && !json)
		doctor_print(doc);
	/* The object only with a verdict (ok, or a cause): a walk that broke
	 * off is an error, said on stderr alone. */
	else if (doc && (!rc || json_is_string(json_object_get(doc, "cause"))))
		json_print(doc);
	json_decref(doc);
	if (rc)
		return lib_error(nn);
	return EXIT_OK;
}
