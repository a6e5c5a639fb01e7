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
	if (argc != 3)
		return usage_error(argv[0], "expected NS DEST");
	if (nsnet_doctor(nn, argv[1], argv[2], probe_print_line, NULL))
		return lib_error(nn);
	return EXIT_OK;
}
