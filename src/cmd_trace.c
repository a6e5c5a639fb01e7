// SPDX-License-Identifier: GPL-2.0-or-later
/* cmd_trace.c - nsnet trace and nsnet capture: not written yet. */
#include "cli.h"

int cmd_trace(struct nsnet *nn, int argc, char **argv)
{
	fprintf(stderr, "nsnet: %s: not implemented yet\n", argv[0]);
	return EXIT_FAIL;
}

int cmd_capture(struct nsnet *nn, int argc, char **argv)
{
	fprintf(stderr, "nsnet: %s: not implemented yet\n", argv[0]);
	return EXIT_FAIL;
}
