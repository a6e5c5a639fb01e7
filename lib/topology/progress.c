// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * progress.c - what up, down and plan report while they run: how long each
 * step took and how far along a long step is. Both go to the callbacks the
 * caller set on the context (nsnet_set_timing, nsnet_set_progress); the
 * library itself neither prints nor decides whether anyone is watching.
 */
#include "topology/topology.h"

void topo_step(struct nsnet *nn, struct topo_steps *s, const char *done)
{
	double now;

	if (!nn->timing)
		return;
	now = mono_ms();
	if (done && s->last > 0)
		nn->timing(nn->timing_data, done, now - s->last);
	s->last = now;
}

void topo_progress(struct nsnet *nn, const char *step, size_t done,
		   size_t total)
{
	if (nn->progress)
		nn->progress(nn->progress_data, step, done, total);
}
