// SPDX-License-Identifier: GPL-2.0-or-later
/* cmd_check.c - nsnet check: not written yet. */
#include "cli.h"

int cmd_check(struct nsnet *nn, int argc, char **argv)
{
	fprintf(stderr, "nsnet: %s: not implemented yet\n", argv[0]);
	return EXIT_FAIL;
}
