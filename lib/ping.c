// SPDX-License-Identifier: GPL-2.0-or-later
/* ping.c - not written yet. */
#include "internal.h"

NSNET_EXPORT int nsnet_ping(struct nsnet *nn, const char *ns, const char *dest, const struct nsnet_ping_opts *opts, void (*line)(void *data, const char *text), void *data, struct nsnet_ping_result *res)
{
	return err_set(nn, ENOSYS, "not implemented yet");
}

