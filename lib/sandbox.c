// SPDX-License-Identifier: GPL-2.0-or-later
/* sandbox.c - not written yet. */
#include "internal.h"

NSNET_EXPORT int nsnet_sandbox(struct nsnet *nn, char *const argv[], bool upstream)
{
	return err_set(nn, ENOSYS, "not implemented yet");
}

