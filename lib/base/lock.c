// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lock.c - the one lock of nsnet.
 *
 * Every read-modify-write of state that several nsnet processes share (the
 * nftables table, the records under /run/nsnet, the set of links and
 * addresses on a bridge, the allocator's view of free addresses) runs
 * under an exclusive flock() on /run/nsnet/lock. flock rather than a lock
 * of our own because the kernel drops it when its holder dies, SIGKILL
 * included: a killed nsnet never leaves the others waiting. The lock is
 * per context and counted, so an operation made of others (up publishes
 * ports) takes it once and its parts just count.
 *
 * It is taken around the change, not around a whole command: reading the
 * kernel for a diagnosis or printing does not hold it.
 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "base/base.h"

#define LOCK_FILE NSNET_RUN_DIR "/lock"

int lock_take(struct nsnet *nn)
{
	int fd;

	if (nn->lock_depth++)
		return 0;
	if (mkdir(NSNET_RUN_DIR, 0755) && errno != EEXIST) {
		nn->lock_depth = 0;
		return err_set(nn, errno, "create %s", NSNET_RUN_DIR);
	}
	fd = open(LOCK_FILE, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		nn->lock_depth = 0;
		return err_set(nn, errno, "open %s", LOCK_FILE);
	}
	while (flock(fd, LOCK_EX)) {
		if (errno == EINTR)
			continue;
		nn->lock_depth = 0;
		close(fd);
		return err_set(nn, errno, "lock %s", LOCK_FILE);
	}
	nn->lock_fd = fd;
	return 0;
}

void lock_drop(struct nsnet *nn)
{
	if (!nn->lock_depth || --nn->lock_depth)
		return;
	/* close() releases the flock: one system call, not two. */
	close(nn->lock_fd);
	nn->lock_fd = -1;
}
