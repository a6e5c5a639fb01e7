// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * qdisc.c - the queueing disciplines behind link impairments: a token
 * bucket (tbf) for a rate, netem for a delay, on the egress of a link.
 *
 * Messages are built the way the kernel reads them (net/sched/sch_tbf.c,
 * sch_netem.c): the token bucket gets its rate in bytes per second with the
 * link layer said, so that the kernel computes the transmission times
 * itself and no rate table is needed, and its bucket as TCA_TBF_BURST in
 * bytes rather than as a time in ticks.
 */
#include <stdio.h>
#include <string.h>
#include <libmnl/libmnl.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>

#include "kernel/kernel.h"

/* The kernel counts qdisc time in ticks of 64 ns (PSCHED_SHIFT 6). */
#define TICK_NS 64u
#define ETH_HEADER 14u

/*
 * The bucket holds what the link sends in 4 ms, and at least two frames:
 * a smaller bucket than one frame can never send it (the kernel warns), and
 * with one frame only a 10 Mbit/s link measured 10-15 % under its rate
 * with TCP. The queue behind it holds 50 ms at the rate plus the bucket, at
 * least 8 frames: enough for TCP to fill the link, short enough that the
 * rate does not turn into seconds of delay.
 */
void qdisc_tbf_sizes(uint64_t rate_bps, unsigned int mtu, uint32_t *burst,
		     uint32_t *limit)
{
	uint64_t bytes_ps = rate_bps / 8 ? rate_bps / 8 : 1;
	uint64_t frame = (uint64_t)(mtu ? mtu : 1500) + ETH_HEADER;
	uint64_t b = bytes_ps / 250, l;

	if (b < 2 * frame)
		b = 2 * frame;
	if (b > UINT32_MAX / 2)
		b = UINT32_MAX / 2;
	l = bytes_ps / 20 + b;
	if (l < 8 * frame)
		l = 8 * frame;
	if (l > UINT32_MAX)
		l = UINT32_MAX;
	*burst = (uint32_t)b;
	*limit = (uint32_t)l;
}

static struct tcmsg *qdisc_msg(struct nl_batch *b, int index, uint32_t parent,
			       uint32_t handle)
{
	struct tcmsg *tcm = nl_put_extra(b, sizeof(*tcm));

	tcm->tcm_family = AF_UNSPEC;
	tcm->tcm_ifindex = index;
	tcm->tcm_parent = parent;
	tcm->tcm_handle = handle;
	return tcm;
}

/* TCA_OPTIONS as tc sends it, without NLA_F_NESTED: the kernel reads
 * every qdisc's options itself, some of them not as a nest. */
static struct nlattr *options_start(struct nl_batch *b)
{
	struct nlattr *opt = nl_nest_start(b, TCA_OPTIONS);

	if (opt)
		opt->nla_type = TCA_OPTIONS;
	return opt;
}

void qdisc_queue_tbf(struct nl_batch *b, const char *ns_name,
		     const char *ifname, int index, uint32_t parent,
		     uint32_t handle, uint64_t rate_bps, unsigned int mtu)
{
	uint64_t bytes_ps = rate_bps / 8 ? rate_bps / 8 : 1;
	struct tc_tbf_qopt p;
	uint32_t burst, limit;
	struct nlattr *opt;

	qdisc_tbf_sizes(rate_bps, mtu, &burst, &limit);
	/* CREATE|REPLACE: a token bucket of this handle is changed in place
	 * (no packet lost), none is created. */
	nl_batch_add(b, RTM_NEWQDISC, NLM_F_CREATE | NLM_F_REPLACE,
		     "rate %llu bit/s on %s in %s", (unsigned long long)rate_bps,
		     ifname, ns_name);
	qdisc_msg(b, index, parent, handle);
	nl_put_str(b, TCA_KIND, "tbf");
	opt = options_start(b);
	memset(&p, 0, sizeof(p));
	p.rate.rate = bytes_ps > UINT32_MAX ? UINT32_MAX : (uint32_t)bytes_ps;
	/* A known link layer: the kernel computes each packet's time from
	 * the rate itself (no rate table). */
	p.rate.linklayer = TC_LINKLAYER_ETHERNET;
	p.limit = limit;
	/* What the bucket holds as time, for kernels that ignore
	 * TCA_TBF_BURST; the others compute it from the burst. */
	p.buffer = (uint32_t)((uint64_t)burst * 1000000000u / bytes_ps / TICK_NS);
	nl_put(b, TCA_TBF_PARMS, sizeof(p), &p);
	if (bytes_ps > UINT32_MAX)
		nl_put(b, TCA_TBF_RATE64, sizeof(bytes_ps), &bytes_ps);
	nl_put_u32(b, TCA_TBF_BURST, burst);
	nl_nest_end(b, opt);
}

/* Append attribute type with len bytes of data at buf + *off (room is
 * the caller's: sizes are fixed). */
static void raw_attr(char *buf, size_t *off, uint16_t type, const void *data,
		     uint16_t len)
{
	struct nlattr a = { .nla_len = (uint16_t)(sizeof(a) + len), .nla_type = type };

	memcpy(buf + *off, &a, sizeof(a));
	memcpy(buf + *off + sizeof(a), data, len);
	*off += MNL_ALIGN(sizeof(a) + len);
}

void qdisc_queue_netem(struct nl_batch *b, const char *ns_name,
		       const char *ifname, int index, uint32_t parent,
		       uint32_t handle, unsigned int delay_us,
		       unsigned int jitter_us)
{
	int64_t latency = (int64_t)delay_us * 1000, jitter = (int64_t)jitter_us * 1000;
	char opt[MNL_ALIGN(sizeof(struct tc_netem_qopt)) + 2 * MNL_ALIGN(4 + 8)]
		__attribute__((aligned(4))) = { 0 };
	struct tc_netem_qopt p;
	size_t off = MNL_ALIGN(sizeof(p));

	nl_batch_add(b, RTM_NEWQDISC, NLM_F_CREATE | NLM_F_REPLACE,
		     "delay %uus jitter %uus on %s in %s", delay_us, jitter_us,
		     ifname, ns_name);
	qdisc_msg(b, index, parent, handle);
	nl_put_str(b, TCA_KIND, "netem");
	/* netem's options are not a nest: a struct tc_netem_qopt (delays in
	 * ticks), then attributes; the nanosecond ones win over the ticks. */
	memset(&p, 0, sizeof(p));
	p.latency = (uint32_t)(latency / TICK_NS);
	p.jitter = (uint32_t)(jitter / TICK_NS);
	p.limit = 1000;  /* packets: tc's default */
	memcpy(opt, &p, sizeof(p));
	raw_attr(opt, &off, TCA_NETEM_LATENCY64, &latency, sizeof(latency));
	raw_attr(opt, &off, TCA_NETEM_JITTER64, &jitter, sizeof(jitter));
	nl_put(b, TCA_OPTIONS, off, opt);
}

void qdisc_queue_del_root(struct nl_batch *b, const char *ns_name,
			  const char *ifname, int index)
{
	nl_batch_add(b, RTM_DELQDISC, 0, "remove the impairments of %s in %s",
		     ifname, ns_name);
	/* Our handle: the kernel refuses (EINVAL) to delete a root qdisc
	 * that somebody else put there in the meantime. */
	qdisc_msg(b, index, TC_H_ROOT, QDISC_ROOT_HANDLE);
	nl_batch_last(b)->ignore_missing = true;
}

int qdisc_kind_probe(struct nsnet *nn, struct ns *ns, const char *ifname,
		     int index, const char *kind)
{
	struct nl_batch b;
	int rc;

	nl_batch_init(&b);
	/* Handle 0 with CREATE|REPLACE: the kernel goes to create a new root
	 * qdisc, loads sch_<kind> when it has to, then the qdisc's init
	 * refuses the missing options (EINVAL) before anything is grafted. */
	nl_batch_add(&b, RTM_NEWQDISC, NLM_F_CREATE | NLM_F_REPLACE,
		     "RTM_NEWQDISC %s on %s in %s", kind, ifname, ns->name);
	qdisc_msg(&b, index, TC_H_ROOT, 0);
	nl_put_str(&b, TCA_KIND, kind);
	rc = nl_batch_send(nn, ns, &b);
	nl_batch_free(&b);
	if (rc == -EINVAL) {
		err_clear(nn);
		return 0;
	}
	return rc;
}

struct qdisc_walk {
	int (*cb)(const struct nl_qdisc *q, void *data);
	void *data;
};

static int qdisc_dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct qdisc_walk *w = data;
	struct nl_qdisc q;

	if (nl_qdisc_parse(nlh, &q))
		return MNL_CB_OK;
	return w->cb(&q, w->data) < 0 ? MNL_CB_ERROR : MNL_CB_OK;
}

int qdisc_dump(struct nsnet *nn, struct ns *ns,
	       int (*cb)(const struct nl_qdisc *q, void *data), void *data)
{
	char buf[128] __attribute__((aligned(4))) = { 0 };
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct qdisc_walk w = { cb, data };
	struct tcmsg *tcm;

	nlh->nlmsg_type = RTM_GETQDISC;
	tcm = mnl_nlmsg_put_extra_header(nlh, sizeof(*tcm));
	tcm->tcm_family = AF_UNSPEC;
	return nl_dump(nn, ns, nlh, qdisc_dump_cb, &w);
}
