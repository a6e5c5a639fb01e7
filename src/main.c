// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * main.c - nsnet's entry point. Everything else of the command line is in
 * registry.c (finding the command, help, errors) and the cmd_*.c files,
 * which src/gen.c also links to write the man page and the completion.
 */
#include "cli.h"

int main(int argc, char **argv)
{
	return cli_main(argc, argv);
}
