// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nsnet.c - the context: made first, freed last. The one file of lib/ that
 * stands above every layer, because freeing a context closes the
 * namespaces (and their netlink sockets) that the kernel layer opened.
 */
#include <stdio.h>
#include <string.h>

#include "kernel/kernel.h"

NSNET_EXPORT struct nsnet *nsnet_new(void)
{
	struct nsnet *nn = calloc(1, sizeof(*nn));

	if (!nn)
		return NULL;
	ctx_set_owner(nn, NULL);
	return nn;
}

NSNET_EXPORT void nsnet_free(struct nsnet *nn)
{
	if (!nn)
		return;
	ns_release_all(nn);
	free(nn);
}

NSNET_EXPORT void nsnet_set_warn(struct nsnet *nn,
				 void (*warn)(void *data, const char *msg),
				 void *data)
{
	nn->warn = warn;
	nn->warn_data = data;
}

NSNET_EXPORT void nsnet_set_progress(struct nsnet *nn,
				     void (*progress)(void *data, const char *step,
						      size_t done, size_t total),
				     void *data)
{
	nn->progress = progress;
	nn->progress_data = data;
}

NSNET_EXPORT void nsnet_set_timing(struct nsnet *nn,
				   void (*timing)(void *data, const char *step,
						  double ms),
				   void *data)
{
	nn->timing = timing;
	nn->timing_data = data;
}

NSNET_EXPORT int nsnet_set_bridge_ports(struct nsnet *nn, unsigned int ports)
{
	if (ports && (ports < 4 || ports > 1000))
		return err_usage(nn, "bridge ports %u: give 4 to 1000 (0: the default, 1000)",
				 ports);
	nn->bridge_ports = ports;
	return 0;
}

NSNET_EXPORT int nsnet_set_owner(struct nsnet *nn, const char *owner)
{
	return ctx_set_owner(nn, owner);
}
