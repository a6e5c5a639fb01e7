// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * work.c - running one worker function on a few threads at once: bulk
 * work on many namespaces (creating, deleting, reading them), where each
 * item is a wait on the kernel and the workers take items from a shared
 * counter of their own.
 */
#include <pthread.h>
#include <unistd.h>

#include "base/base.h"

void workers_run(void *(*fn)(void *), void *arg, size_t items, size_t max)
{
	pthread_t th[64];
	size_t i, nth = max;

	/* 0: as many as CPUs (more only wait for each other) */
	if (!nth) {
		long cpus = sysconf(_SC_NPROCESSORS_ONLN);

		nth = cpus < 1 ? 1 : cpus > 8 ? 8 : (size_t)cpus;
	}
	if (nth > ARRAY_SIZE(th))
		nth = ARRAY_SIZE(th);
	if (nth > items)
		nth = items;
	for (i = 0; i < nth; i++)
		if (pthread_create(&th[i], NULL, fn, arg))
			break;
	nth = i;
	if (!nth)  /* no thread could be made: the work still gets done */
		fn(arg);
	for (i = 0; i < nth; i++)
		pthread_join(th[i], NULL);
}
