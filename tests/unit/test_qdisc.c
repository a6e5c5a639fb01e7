// SPDX-License-Identifier: GPL-2.0-or-later
/* test_qdisc.c - link impairments: the words (rate, loss, time), the token
 * bucket and netem messages read back with libmnl and with the decoder,
 * and the loss rules' nft text. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <linux/pkt_sched.h>

#include "net/net.h"

/* ---- words ----------------------------------------------------------------- */

static void test_rate(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(impair_parse_rate("10mbit", &v), 0);
	assert_true(v == 10000000);
	assert_int_equal(impair_parse_rate("1.5gbit", &v), 0);
	assert_true(v == 1500000000);
	assert_int_equal(impair_parse_rate("64kbit", &v), 0);
	assert_true(v == 64000);
	assert_int_equal(impair_parse_rate("10MBit", &v), 0);   /* tc: any case */
	assert_true(v == 10000000);
	/* bps is bytes per second, as in tc */
	assert_int_equal(impair_parse_rate("500kbps", &v), 0);
	assert_true(v == 4000000);
	assert_int_equal(impair_parse_rate("1mibit", &v), 0);
	assert_true(v == 1048576);
	assert_int_equal(impair_parse_rate("2000bit", &v), 0);
	assert_true(v == 2000);
	assert_int_equal(impair_parse_rate("10tbit", &v), 0);
	assert_true(v == 10000000000000ull);
	/* a unit is required; no signs, exponents, hex or words */
	assert_int_equal(impair_parse_rate("10", &v), -EINVAL);
	assert_int_equal(impair_parse_rate("mbit", &v), -EINVAL);
	assert_int_equal(impair_parse_rate("-1mbit", &v), -EINVAL);
	assert_int_equal(impair_parse_rate("1e3mbit", &v), -EINVAL);
	assert_int_equal(impair_parse_rate("0x10mbit", &v), -EINVAL);
	assert_int_equal(impair_parse_rate("infmbit", &v), -EINVAL);
	assert_int_equal(impair_parse_rate("10 mbit", &v), -EINVAL);
	assert_int_equal(impair_parse_rate("10mbits", &v), -EINVAL);
	assert_int_equal(impair_parse_rate("", &v), -EINVAL);
	/* 1 kbit/s .. 10 Tbit/s */
	assert_int_equal(impair_parse_rate("999bit", &v), -ERANGE);
	assert_int_equal(impair_parse_rate("0mbit", &v), -ERANGE);
	assert_int_equal(impair_parse_rate("11tbit", &v), -ERANGE);
}

static void test_loss(void **state)
{
	uint32_t ppm;

	(void)state;
	assert_int_equal(impair_parse_loss("1%", &ppm), 0);
	assert_int_equal(ppm, 10000);
	assert_int_equal(impair_parse_loss("0.5%", &ppm), 0);
	assert_int_equal(ppm, 5000);
	assert_int_equal(impair_parse_loss("20", &ppm), 0);
	assert_int_equal(ppm, 200000);
	assert_int_equal(impair_parse_loss("0.0001%", &ppm), 0);
	assert_int_equal(ppm, 1);
	assert_int_equal(impair_parse_loss("100%", &ppm), 0);
	assert_int_equal(ppm, 1000000);
	assert_int_equal(impair_parse_loss("0%", &ppm), 0);
	assert_int_equal(ppm, 0);
	assert_int_equal(impair_parse_loss("0.00001%", &ppm), -ERANGE);
	assert_int_equal(impair_parse_loss("100.1%", &ppm), -ERANGE);
	assert_int_equal(impair_parse_loss("1%%", &ppm), -EINVAL);
	assert_int_equal(impair_parse_loss("%", &ppm), -EINVAL);
	assert_int_equal(impair_parse_loss("-1%", &ppm), -EINVAL);
	assert_int_equal(impair_parse_loss("one%", &ppm), -EINVAL);
}

static void test_time(void **state)
{
	unsigned int us;

	(void)state;
	assert_int_equal(impair_parse_time("20ms", &us), 0);
	assert_int_equal(us, 20000);
	assert_int_equal(impair_parse_time("1.5s", &us), 0);
	assert_int_equal(us, 1500000);
	assert_int_equal(impair_parse_time("500us", &us), 0);
	assert_int_equal(us, 500);
	assert_int_equal(impair_parse_time("0.25msec", &us), 0);
	assert_int_equal(us, 250);
	assert_int_equal(impair_parse_time("60s", &us), 0);
	assert_int_equal(us, 60000000);
	assert_int_equal(impair_parse_time("61s", &us), -ERANGE);
	assert_int_equal(impair_parse_time("20", &us), -EINVAL);
	assert_int_equal(impair_parse_time("20m", &us), -EINVAL);
	assert_int_equal(impair_parse_time("ms", &us), -EINVAL);
}

static void test_public_parse(void **state)
{
	struct nsnet *nn = nsnet_new();
	struct nsnet_link_impair imp = { .struct_size = sizeof(imp) };

	(void)state;
	assert_int_equal(nsnet_link_impair_parse(nn, &imp, "rate", "10mbit"), 0);
	assert_int_equal(nsnet_link_impair_parse(nn, &imp, "loss", "1%"), 0);
	assert_int_equal(nsnet_link_impair_parse(nn, &imp, "delay", "20ms"), 0);
	assert_int_equal(nsnet_link_impair_parse(nn, &imp, "jitter", "5ms"), 0);
	assert_int_equal(imp.set, NSNET_IMPAIR_RATE | NSNET_IMPAIR_LOSS | NSNET_IMPAIR_DELAY);
	assert_true(imp.rate_bps == 10000000);
	assert_true(imp.loss_pct > 0.99 && imp.loss_pct < 1.01);
	assert_int_equal(imp.delay_us, 20000);
	assert_int_equal(imp.jitter_us, 5000);
	/* none clears, and "delay none" takes the jitter with it */
	assert_int_equal(nsnet_link_impair_parse(nn, &imp, "rate", "none"), 0);
	assert_true(imp.rate_bps == 0);
	assert_int_equal(nsnet_link_impair_parse(nn, &imp, "delay", "none"), 0);
	assert_int_equal(imp.delay_us, 0);
	assert_int_equal(imp.jitter_us, 0);
	assert_true(imp.set & NSNET_IMPAIR_RATE);
	/* bad words: usage errors that name them */
	assert_int_equal(nsnet_link_impair_parse(nn, &imp, "rate", "fast"), -EINVAL);
	assert_int_equal(nsnet_error_exit_code(nn), 2);
	assert_non_null(strstr(nsnet_error(nn), "\"fast\""));
	assert_int_equal(nsnet_link_impair_parse(nn, &imp, "loss", "150%"), -EINVAL);
	assert_non_null(strstr(nsnet_error(nn), "\"150%\""));
	assert_int_equal(nsnet_link_impair_parse(nn, &imp, "speed", "1mbit"), -EINVAL);
	assert_non_null(strstr(nsnet_error(nn), "\"speed\""));
	/* garbage in struct_size is refused, not read past the struct's end */
	imp.struct_size = 3;
	assert_int_equal(nsnet_link_impair_parse(nn, &imp, "rate", "1mbit"), -EINVAL);
	/* 0: the struct as first published */
	imp.struct_size = 0;
	assert_int_equal(nsnet_link_impair_parse(nn, &imp, "rate", "1mbit"), 0);
	assert_true(imp.rate_bps == 1000000);
	assert_int_equal(imp.struct_size, 0);
	nsnet_free(nn);
}

/* ---- messages ---------------------------------------------------------------- */

static const struct nlattr *find(const struct nlmsghdr *nlh, size_t hdr,
				 uint16_t type)
{
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, hdr)
		if (mnl_attr_get_type(a) == type)
			return a;
	return NULL;
}

static const struct nlattr *find_nested(const struct nlattr *nest,
					uint16_t type)
{
	const struct nlattr *a;

	mnl_attr_for_each_nested(a, nest)
		if (mnl_attr_get_type(a) == type)
			return a;
	return NULL;
}

/* The batch's one message, closed as nl_batch_send() would close it. */
static struct nlmsghdr *only_msg(struct nl_batch *b)
{
	assert_int_equal(b->n, 1);
	assert_false(b->overflow);
	return (struct nlmsghdr *)b->buf;
}

static void test_tbf_sizes(void **state)
{
	uint32_t burst, limit;

	(void)state;
	/* 10 Mbit/s: 4 ms of bucket, 50 ms of queue behind it */
	qdisc_tbf_sizes(10000000, 1500, &burst, &limit);
	assert_int_equal(burst, 5000);
	assert_int_equal(limit, 62500 + 5000);
	/* 1 Mbit/s: at least two frames of bucket, eight of queue */
	qdisc_tbf_sizes(1000000, 1500, &burst, &limit);
	assert_int_equal(burst, 2 * 1514);
	assert_int_equal(limit, 8 * 1514);
	qdisc_tbf_sizes(1000, 9000, &burst, &limit);
	assert_int_equal(burst, 2 * 9014);
	assert_int_equal(limit, 8 * 9014);
	/* the bucket never passes what the kernel takes (32 bits) */
	qdisc_tbf_sizes(10000000000000ull, 1500, &burst, &limit);
	assert_true(burst <= UINT32_MAX / 2);
	assert_true(limit >= burst);
}

static void test_tbf_message(void **state)
{
	const struct nlattr *opt, *parms, *a;
	const struct tcmsg *tcm;
	struct tc_tbf_qopt p;
	struct nlmsghdr *nlh;
	struct nl_qdisc q;
	struct nl_batch b;

	(void)state;
	nl_batch_init(&b);
	qdisc_queue_tbf(&b, "web", "eth0", 7, TC_H_ROOT, QDISC_ROOT_HANDLE,
			10000000, 1500);
	nlh = only_msg(&b);
	assert_int_equal(nlh->nlmsg_type, RTM_NEWQDISC);
	assert_true(nlh->nlmsg_flags & NLM_F_CREATE);
	assert_true(nlh->nlmsg_flags & NLM_F_REPLACE);
	assert_false(nlh->nlmsg_flags & NLM_F_EXCL);
	assert_true(nlh->nlmsg_flags & NLM_F_ACK);
	assert_non_null(strstr(b.req[0].what, "eth0 in web"));
	tcm = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(tcm->tcm_ifindex, 7);
	assert_int_equal(tcm->tcm_parent, TC_H_ROOT);
	assert_int_equal(tcm->tcm_handle, 0x6e730000u);
	assert_string_equal(mnl_attr_get_str(find(nlh, sizeof(*tcm), TCA_KIND)), "tbf");
	opt = find(nlh, sizeof(*tcm), TCA_OPTIONS);
	assert_non_null(opt);
	parms = find_nested(opt, TCA_TBF_PARMS);
	assert_non_null(parms);
	assert_int_equal(mnl_attr_get_payload_len(parms), sizeof(p));
	memcpy(&p, mnl_attr_get_payload(parms), sizeof(p));
	assert_int_equal(p.rate.rate, 1250000);          /* bytes per second */
	assert_int_equal(p.rate.linklayer, TC_LINKLAYER_ETHERNET);  /* no rate table */
	assert_int_equal(p.limit, 67500);
	assert_int_equal(p.peakrate.rate, 0);
	/* 5000 bytes at 1.25 MB/s: 4 ms, in 64 ns ticks */
	assert_int_equal(p.buffer, 4000000 / 64);
	a = find_nested(opt, TCA_TBF_BURST);
	assert_non_null(a);
	assert_int_equal(mnl_attr_get_u32(a), 5000);
	assert_null(find_nested(opt, TCA_TBF_RATE64));
	assert_null(find_nested(opt, TCA_TBF_RTAB));
	/* what the kernel dumps has the same shape: the decoder reads it */
	assert_int_equal(nl_qdisc_parse(nlh, &q), 0);
	assert_string_equal(q.kind, "tbf");
	assert_int_equal(q.index, 7);
	assert_int_equal(q.handle, QDISC_ROOT_HANDLE);
	assert_true(q.rate == 1250000);
	assert_true(q.burst == 5000);
	assert_int_equal(q.limit, 67500);
	nl_batch_free(&b);

	/* past 32 bits of bytes per second: RATE64 carries the rate */
	nl_batch_init(&b);
	qdisc_queue_tbf(&b, "web", "eth0", 7, TC_H_ROOT, QDISC_ROOT_HANDLE,
			100000000000ull, 1500);
	nlh = only_msg(&b);
	opt = find(nlh, sizeof(*tcm), TCA_OPTIONS);
	memcpy(&p, mnl_attr_get_payload(find_nested(opt, TCA_TBF_PARMS)), sizeof(p));
	assert_int_equal(p.rate.rate, UINT32_MAX);
	a = find_nested(opt, TCA_TBF_RATE64);
	assert_non_null(a);
	assert_true(mnl_attr_get_u64(a) == 12500000000ull);
	assert_int_equal(nl_qdisc_parse(nlh, &q), 0);
	assert_true(q.rate == 12500000000ull);
	nl_batch_free(&b);
}

static void test_netem_message(void **state)
{
	const struct nlattr *opt, *attr;
	struct tc_netem_qopt p;
	const struct tcmsg *tcm;
	struct nlmsghdr *nlh;
	struct nl_qdisc q;
	struct nl_batch b;
	size_t off;
	int64_t v;
	int seen = 0;

	(void)state;
	nl_batch_init(&b);
	qdisc_queue_netem(&b, "web", "eth0", 7, QDISC_TBF_CLASS, QDISC_NETEM_HANDLE,
			  20000, 5000);
	nlh = only_msg(&b);
	assert_int_equal(nlh->nlmsg_type, RTM_NEWQDISC);
	assert_true(nlh->nlmsg_flags & NLM_F_CREATE);
	tcm = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(tcm->tcm_parent, 0x6e730001u);
	assert_int_equal(tcm->tcm_handle, 0x6e740000u);
	assert_string_equal(mnl_attr_get_str(find(nlh, sizeof(*tcm), TCA_KIND)), "netem");
	opt = find(nlh, sizeof(*tcm), TCA_OPTIONS);
	assert_non_null(opt);
	/* not a nest: the struct first, then the 64-bit attributes */
	assert_int_equal(mnl_attr_get_type(opt), TCA_OPTIONS);
	assert_int_equal(opt->nla_type & NLA_F_NESTED, 0);
	assert_true(mnl_attr_get_payload_len(opt) > sizeof(p));
	memcpy(&p, mnl_attr_get_payload(opt), sizeof(p));
	assert_int_equal(p.latency, 20000000 / 64);
	assert_int_equal(p.jitter, 5000000 / 64);
	assert_int_equal(p.limit, 1000);
	assert_int_equal(p.loss, 0);
	off = MNL_ALIGN(sizeof(p));
	mnl_attr_for_each_payload((const void *)((const char *)mnl_attr_get_payload(opt) + off),
				  mnl_attr_get_payload_len(opt) - off) {
		assert_int_equal(mnl_attr_get_payload_len(attr), 8);
		memcpy(&v, mnl_attr_get_payload(attr), 8);
		if (mnl_attr_get_type(attr) == TCA_NETEM_LATENCY64) {
			assert_true(v == 20000000);
			seen |= 1;
		} else if (mnl_attr_get_type(attr) == TCA_NETEM_JITTER64) {
			assert_true(v == 5000000);
			seen |= 2;
		}
	}
	assert_int_equal(seen, 3);
	assert_int_equal(nl_qdisc_parse(nlh, &q), 0);
	assert_string_equal(q.kind, "netem");
	assert_true(q.latency_ns == 20000000);
	assert_true(q.jitter_ns == 5000000);
	nl_batch_free(&b);
}

static void test_del_root(void **state)
{
	const struct tcmsg *tcm;
	struct nlmsghdr *nlh;
	struct nl_batch b;

	(void)state;
	nl_batch_init(&b);
	qdisc_queue_del_root(&b, "web", "eth0", 7);
	nlh = only_msg(&b);
	assert_int_equal(nlh->nlmsg_type, RTM_DELQDISC);
	tcm = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(tcm->tcm_parent, TC_H_ROOT);
	/* only nsnet's root: the kernel refuses another handle */
	assert_int_equal(tcm->tcm_handle, QDISC_ROOT_HANDLE);
	assert_true(b.req[0].ignore_missing);
	nl_batch_free(&b);
}

/* A reply whose TCA_TBF_PARMS has the wrong size: ignored, not read. */
static void test_decoder_checks_sizes(void **state)
{
	char buf[512] __attribute__((aligned(4))) = { 0 };
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nlattr *opt;
	struct tcmsg *tcm;
	struct nl_qdisc q;
	char short_parms[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };

	(void)state;
	nlh->nlmsg_type = RTM_NEWQDISC;
	tcm = mnl_nlmsg_put_extra_header(nlh, sizeof(*tcm));
	tcm->tcm_ifindex = 3;
	mnl_attr_put_strz(nlh, TCA_KIND, "tbf");
	opt = mnl_attr_nest_start(nlh, TCA_OPTIONS);
	mnl_attr_put(nlh, TCA_TBF_PARMS, sizeof(short_parms), short_parms);
	mnl_attr_nest_end(nlh, opt);
	assert_int_equal(nl_qdisc_parse(nlh, &q), 0);
	assert_string_equal(q.kind, "tbf");
	assert_true(q.rate == 0);
	/* not a qdisc at all */
	nlh->nlmsg_type = RTM_NEWLINK;
	assert_int_equal(nl_qdisc_parse(nlh, &q), -EINVAL);
}

/* ---- the loss rules ------------------------------------------------------------- */

static void assert_line(const struct fw_script *s, size_t i, const char *text)
{
	assert_true(i < s->n);
	if (strlen(text) != s->lines[i].len ||
	    strncmp(s->text + s->lines[i].off, text, s->lines[i].len))
		fail_msg("line %zu: expected\n  %s\ngot\n  %.*s", i, text,
			 (int)s->lines[i].len, s->text + s->lines[i].off);
}

static void test_loss_rules(void **state)
{
	struct fw_loss l = { .ifname = "eth0", .index = 7, .ingress = true, .ppm = 200000 };
	struct fw_script s;

	(void)state;
	fw_script_init(&s);
	fw_rules_loss(&s, &l);
	assert_int_equal(s.n, 4);
	assert_line(&s, 0, "add table netdev nsnet_link");
	assert_line(&s, 1, "add chain netdev nsnet_link ingress_eth0 { type filter hook ingress device \"eth0\" priority 0; policy accept; }");
	assert_line(&s, 2, "flush chain netdev nsnet_link ingress_eth0");
	assert_line(&s, 3, "add rule netdev nsnet_link ingress_eth0 meta iif 7 numgen random mod 1000000 < 200000 counter drop comment \"nsnet loss 20%\"");
	assert_non_null(strstr(s.lines[3].what, "20%"));
	fw_script_free(&s);

	/* 0.5 % on the way out of a link with one end */
	l.ingress = false;
	l.ppm = 5000;
	fw_script_init(&s);
	fw_rules_loss(&s, &l);
	assert_line(&s, 3, "add rule netdev nsnet_link egress_eth0 meta oif 7 numgen random mod 1000000 < 5000 counter drop comment \"nsnet loss 0.5%\"");
	fw_script_free(&s);

	/* 100 %: numgen's values stop at 999999, so no numgen at all */
	l.ppm = 1000000;
	fw_script_init(&s);
	fw_rules_loss(&s, &l);
	assert_line(&s, 3, "add rule netdev nsnet_link egress_eth0 meta oif 7 counter drop comment \"nsnet loss 100%\"");
	fw_script_free(&s);

	/* removal: the rule, then its chain, in one transaction */
	l.ppm = 0;
	fw_script_init(&s);
	fw_rules_loss(&s, &l);
	assert_int_equal(s.n, 2);
	assert_line(&s, 0, "flush chain netdev nsnet_link egress_eth0");
	assert_line(&s, 1, "delete chain netdev nsnet_link egress_eth0");
	fw_script_free(&s);

	assert_true(fw_loss_name_ok("web-b8bac6"));
	assert_true(fw_loss_name_ok("veth-db.1"));
	assert_false(fw_loss_name_ok("eth0;flush"));
	assert_false(fw_loss_name_ok("a\"b"));
	assert_false(fw_loss_name_ok(""));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rate),
		cmocka_unit_test(test_loss),
		cmocka_unit_test(test_time),
		cmocka_unit_test(test_public_parse),
		cmocka_unit_test(test_tbf_sizes),
		cmocka_unit_test(test_tbf_message),
		cmocka_unit_test(test_netem_message),
		cmocka_unit_test(test_del_root),
		cmocka_unit_test(test_decoder_checks_sizes),
		cmocka_unit_test(test_loss_rules),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
