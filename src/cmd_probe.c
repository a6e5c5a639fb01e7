// SPDX-License-Identifier: GPL-2.0-or-later
/* cmd_probe.c - nsnet doctor. */
#include "cli.h"

static void probe_print_line(void *data, const char *text)
{
	(void)data;
	printf("%s\n", text);
	fflush(stdout);
}

int cmd_doctor(struct nsnet *nn, int argc, char **argv)
{
	bool json = want_json(&argc, argv);
	json_t *doc = NULL;
	int rc;

	if (argc != 3)
		return usage_error(argv[0], "expected NS DEST[:PORT[/tcp|/udp]]");
	rc = nsnet_doctor(nn, argv[1], argv[2], json ? NULL : probe_print_line,
			  NULL, json ? &doc : NULL);
	if (doc) {
		json_print(doc);
		json_decref(doc);
	}
	if (rc)
		return lib_error(nn);
	return EXIT_OK;
}
