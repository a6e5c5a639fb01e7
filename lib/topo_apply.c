// SPDX-License-Identifier: GPL-2.0-or-later
/* topo_apply.c - not written yet. */
#include "internal.h"

NSNET_EXPORT int nsnet_topo_up(struct nsnet *nn, const char *file, unsigned int flags, void (*line)(void *data, const char *text), void *data)
{
	return err_set(nn, ENOSYS, "not implemented yet");
}

NSNET_EXPORT int nsnet_topo_down(struct nsnet *nn, const char *file_or_name)
{
	return err_set(nn, ENOSYS, "not implemented yet");
}

NSNET_EXPORT int nsnet_topo_status(struct nsnet *nn, const char *file_or_name, struct json_t **out)
{
	return err_set(nn, ENOSYS, "not implemented yet");
}

