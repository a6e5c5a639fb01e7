// SPDX-License-Identifier: GPL-2.0-or-later
/* exec.c - not written yet. */
#include "internal.h"

NSNET_EXPORT int nsnet_exec(struct nsnet *nn, const char *ns, char *const argv[], unsigned int flags)
{
	return err_set(nn, ENOSYS, "not implemented yet");
}

NSNET_EXPORT int nsnet_shell(struct nsnet *nn, const char *ns)
{
	return err_set(nn, ENOSYS, "not implemented yet");
}

