// SPDX-License-Identifier: GPL-2.0-or-later
/* fw.c - not written yet. */
#include "internal.h"

NSNET_EXPORT int nsnet_nat_add(struct nsnet *nn, const char *bridge, const char *out_if)
{
	return err_set(nn, ENOSYS, "not implemented yet");
}

NSNET_EXPORT int nsnet_nat_del(struct nsnet *nn, const char *bridge)
{
	return err_set(nn, ENOSYS, "not implemented yet");
}

NSNET_EXPORT int nsnet_publish(struct nsnet *nn, const char *ns, const char *spec)
{
	return err_set(nn, ENOSYS, "not implemented yet");
}

NSNET_EXPORT int nsnet_unpublish(struct nsnet *nn, const char *ns, const char *spec)
{
	return err_set(nn, ENOSYS, "not implemented yet");
}

NSNET_EXPORT int nsnet_allow(struct nsnet *nn, const char *br1, const char *br2, bool allow)
{
	return err_set(nn, ENOSYS, "not implemented yet");
}

NSNET_EXPORT int nsnet_fw_show(struct nsnet *nn, struct json_t **out)
{
	return err_set(nn, ENOSYS, "not implemented yet");
}

