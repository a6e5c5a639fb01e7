// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bridge.c - Linux bridges in the host namespace.
 */
#include <stdio.h>
#include <string.h>
#include <linux/rtnetlink.h>
#include <linux/if_link.h>
#include <net/if.h>

#include "kernel/kernel.h"

void bridge_queue_add(struct nl_batch *b, const char *name, bool up)
{
	struct nlattr *linkinfo;

	nl_batch_add(b, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL,
		     "create bridge %s", name);
	link_put_new(b, name, up, 0, 0);
	linkinfo = nl_nest_start(b, IFLA_LINKINFO);
	nl_put_str(b, IFLA_INFO_KIND, "bridge");
	nl_nest_end(b, linkinfo);
}
