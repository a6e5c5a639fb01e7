// SPDX-License-Identifier: GPL-2.0-or-later
/* cmd_fw.c - not written yet. */
#include "cli.h"

int cmd_nat(struct nsnet *nn, int argc, char **argv)
{
	fprintf(stderr, "nsnet: %s: not implemented yet\n", argv[0]);
	return EXIT_FAIL;
}

int cmd_publish(struct nsnet *nn, int argc, char **argv)
{
	fprintf(stderr, "nsnet: %s: not implemented yet\n", argv[0]);
	return EXIT_FAIL;
}

int cmd_unpublish(struct nsnet *nn, int argc, char **argv)
{
	fprintf(stderr, "nsnet: %s: not implemented yet\n", argv[0]);
	return EXIT_FAIL;
}

int cmd_allow(struct nsnet *nn, int argc, char **argv)
{
	fprintf(stderr, "nsnet: %s: not implemented yet\n", argv[0]);
	return EXIT_FAIL;
}

int cmd_deny(struct nsnet *nn, int argc, char **argv)
{
	fprintf(stderr, "nsnet: %s: not implemented yet\n", argv[0]);
	return EXIT_FAIL;
}

