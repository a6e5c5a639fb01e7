// SPDX-License-Identifier: GPL-2.0-or-later
/* cmd_topo.c - not written yet. */
#include "cli.h"

int cmd_up(struct nsnet *nn, int argc, char **argv)
{
	fprintf(stderr, "nsnet: %s: not implemented yet\n", argv[0]);
	return EXIT_FAIL;
}

int cmd_down(struct nsnet *nn, int argc, char **argv)
{
	fprintf(stderr, "nsnet: %s: not implemented yet\n", argv[0]);
	return EXIT_FAIL;
}

int cmd_status(struct nsnet *nn, int argc, char **argv)
{
	fprintf(stderr, "nsnet: %s: not implemented yet\n", argv[0]);
	return EXIT_FAIL;
}

int cmd_plan(struct nsnet *nn, int argc, char **argv)
{
	fprintf(stderr, "nsnet: %s: not implemented yet\n", argv[0]);
	return EXIT_FAIL;
}

int cmd_logs(struct nsnet *nn, int argc, char **argv)
{
	fprintf(stderr, "nsnet: %s: not implemented yet\n", argv[0]);
	return EXIT_FAIL;
}

