// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * impair.c - link impairments: a rate, a share of packets lost, a delay
 * with jitter, on both directions of a link.
 *
 * The token bucket (rate) and netem (delay) sit on the egress of each end
 * (kernel/qdisc.c). Loss is an nftables rule (firewall/link.c) on the
 * ingress of each end, in that end's namespace: a packet is lost where it
 * arrives. Dropped on its way out instead, a packet the namespace itself
 * sent comes back to the sender as an error (ENOBUFS): measured, ping
 * sent such a request again and counted no loss at all, and a UDP sendto()
 * failed, which a lossy wire never does. Only a link with one end (not a
 * veth) has its loss on the way out, there being no other place.
 * Setting from either end of a veth gives the same state.
 *
 * The state is in the kernel only: the qdiscs with nsnet's handles and
 * the chains of table netdev nsnet_link. show and status read them back.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <linux/pkt_sched.h>
#include <jansson.h>

#include "net/net.h"

#define IMPAIR_RATE_MIN 1000ull              /* 1 kbit/s */
#define IMPAIR_RATE_MAX 10000000000000ull    /* 10 Tbit/s */
#define IMPAIR_TIME_MAX 60000000u            /* 60 s in µs */

/* ---- parsing (pure; unit tested) ---------------------------------------------- */

/* Rounds a non-negative value to the nearest whole (no libm). Past 2^53
 * every double is whole already, and a cast of one past 2^64 (or of inf,
 * which many digits make) would be undefined: the fuzzer found it. */
static double round_half(double v)
{
	if (!(v < 9007199254740992.0))
		return v;
	return (double)(uint64_t)(v + 0.5);
}

/* A plain decimal ("10", "0.5", "1.25"): no sign, exponent, hex, inf or
 * nan, which strtod() would take. *end points after it. */
static int parse_decimal(const char *s, double *v, const char **end)
{
	double x = 0, scale = 1;
	bool digits = false;

	for (; *s >= '0' && *s <= '9'; s++, digits = true)
		x = x * 10 + (*s - '0');
	if (*s == '.') {
		for (s++; *s >= '0' && *s <= '9'; s++, digits = true) {
			scale /= 10;
			x += (*s - '0') * scale;
		}
	}
	if (!digits)
		return -EINVAL;
	*v = x;
	*end = s;
	return 0;
}

/* tc's rate units: bit and bps (bytes!), SI or IEC prefixes, any case. */
int impair_parse_rate(const char *s, uint64_t *bps)
{
	static const struct { const char *unit; double factor; } units[] = {
		{ "bit", 1 }, { "kbit", 1e3 }, { "mbit", 1e6 }, { "gbit", 1e9 },
		{ "tbit", 1e12 }, { "kibit", 1024.0 }, { "mibit", 1048576.0 },
		{ "gibit", 1073741824.0 }, { "tibit", 1099511627776.0 },
		{ "bps", 8 }, { "kbps", 8e3 }, { "mbps", 8e6 }, { "gbps", 8e9 },
		{ "tbps", 8e12 }, { "kibps", 8 * 1024.0 }, { "mibps", 8 * 1048576.0 },
		{ "gibps", 8 * 1073741824.0 }, { "tibps", 8 * 1099511627776.0 },
	};
	const char *unit;
	double v;
	size_t i;

	if (parse_decimal(s, &v, &unit) || !*unit)
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(units); i++)
		if (!strcasecmp(unit, units[i].unit)) {
			v = round_half(v * units[i].factor);
			if (v < IMPAIR_RATE_MIN || v > IMPAIR_RATE_MAX)
				return -ERANGE;
			*bps = (uint64_t)v;
			return 0;
		}
	return -EINVAL;
}

/* "1%", "0.5%" or "1": parts per million, 0..1,000,000. */
int impair_parse_loss(const char *s, uint32_t *ppm)
{
	const char *end;
	double v;

	if (parse_decimal(s, &v, &end) || (*end && strcmp(end, "%")))
		return -EINVAL;
	if (v > 100)
		return -ERANGE;
	v = round_half(v * 10000);
	if (v == 0 && end != s && strspn(s, "0.") != (size_t)(end - s))
		return -ERANGE;  /* below 0.0001 %: would be none */
	*ppm = (uint32_t)v;
	return 0;
}

/* tc's time units: s, ms, us (sec, msec, usec, and with an s). In µs. */
int impair_parse_time(const char *s, unsigned int *us)
{
	static const struct { const char *unit; double factor; } units[] = {
		{ "s", 1e6 }, { "sec", 1e6 }, { "secs", 1e6 },
		{ "ms", 1e3 }, { "msec", 1e3 }, { "msecs", 1e3 },
		{ "us", 1 }, { "usec", 1 }, { "usecs", 1 },
	};
	const char *unit;
	double v;
	size_t i;

	if (parse_decimal(s, &v, &unit) || !*unit)
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(units); i++)
		if (!strcasecmp(unit, units[i].unit)) {
			v = round_half(v * units[i].factor);
			if (v > IMPAIR_TIME_MAX)
				return -ERANGE;
			*us = (unsigned int)v;
			return 0;
		}
	return -EINVAL;
}

int net_impair_parse(struct nsnet *nn, struct nsnet_link_impair *imp,
		     const char *key, const char *value)
{
	bool none = value && !strcmp(value, "none");
	uint32_t ppm;
	int rc;

	if (!key || !value)
		return err_usage(nn, "impairment: a setting needs a value");
	if (!strcmp(key, "rate")) {
		imp->rate_bps = 0;
		rc = none ? 0 : impair_parse_rate(value, &imp->rate_bps);
		if (rc == -ERANGE)
			return err_usage(nn, "rate \"%s\" is out of range 1kbit..10tbit", value);
		if (rc)
			return err_usage(nn,
				"rate \"%s\" is not a number with a unit: bit, kbit, mbit, gbit (bits per second), bps, kbps, mbps, gbps (bytes per second) or none",
				value);
		imp->set |= NSNET_IMPAIR_RATE;
	} else if (!strcmp(key, "loss")) {
		ppm = 0;
		rc = none ? 0 : impair_parse_loss(value, &ppm);
		if (rc == -ERANGE)
			return err_usage(nn, "loss \"%s\" is out of range 0.0001%%..100%%", value);
		if (rc)
			return err_usage(nn, "loss \"%s\" is not a percentage (1%%, 0.5%%) or none",
					 value);
		imp->loss_pct = ppm / 10000.0;
		imp->set |= NSNET_IMPAIR_LOSS;
	} else if (!strcmp(key, "delay") || !strcmp(key, "jitter")) {
		unsigned int us = 0;

		rc = none ? 0 : impair_parse_time(value, &us);
		if (rc == -ERANGE)
			return err_usage(nn, "%s \"%s\" is longer than 60s", key, value);
		if (rc)
			return err_usage(nn, "%s \"%s\" is not a time with a unit (20ms, 1.5s, 500us) or none",
					 key, value);
		if (!strcmp(key, "delay")) {
			imp->delay_us = us;
			if (none)
				imp->jitter_us = 0;
		} else {
			imp->jitter_us = us;
		}
		imp->set |= NSNET_IMPAIR_DELAY;
	} else {
		return err_usage(nn, "unknown impairment \"%s\" (rate, loss, delay, jitter)", key);
	}
	return 0;
}

NSNET_EXPORT int nsnet_link_impair_parse(struct nsnet *nn,
					 struct nsnet_link_impair *imp,
					 const char *key, const char *value)
{
	struct nsnet_link_impair cur;
	size_t n;
	int rc;

	if (!imp)
		return err_usage(nn, "impairment: no struct nsnet_link_impair to fill");
	rc = OPTS_TAKE(nn, &cur, imp, jitter_us, "impairment");
	if (!rc)
		rc = net_impair_parse(nn, &cur, key, value);
	if (rc)
		return rc;
	/* Back into the caller's struct, as far as both know it. */
	n = imp->struct_size && imp->struct_size < sizeof(cur) ? imp->struct_size
							       : sizeof(cur);
	memcpy((char *)imp + sizeof(cur.struct_size),
	       (const char *)&cur + sizeof(cur.struct_size), n - sizeof(cur.struct_size));
	return 0;
}

/* ---- the two ends of a link ------------------------------------------------------ */

struct impair_end {
	struct ns *ns;
	char ns_name[256];
	char ifname[16];
	int index;
	unsigned int mtu;
	/* what its egress has now */
	bool foreign;           /* a root qdisc nsnet did not put there */
	char root_kind[16];     /* nsnet's root: "tbf", "netem" or "" */
	bool netem_child;       /* netem under nsnet's token bucket */
	uint64_t rate_bps;
	unsigned int delay_us, jitter_us;
	/* what it is to have */
	uint64_t want_rate;
	unsigned int want_delay, want_jitter;
};

/* The namespace whose id, as ns sees it, is nsid: the host first (a bridge
 * attachment's other end), then nsnet's and the others under /run/netns. */
static int impair_find_ns(struct nsnet *nn, struct ns *ns, int nsid,
			  struct ns **out)
{
	json_t *list, *e;
	struct ns *cand;
	size_t i;
	int rc;

	if (!ns_is_host(ns->name) && !ns_get(nn, NSNET_HOST, &cand) &&
	    nl_nsid_of(nn, ns, cand) == nsid) {
		*out = cand;
		return 0;
	}
	rc = ns_list(nn, &list);
	if (rc < 0)
		return rc;
	rc = -ENOENT;
	json_array_foreach(list, i, e) {
		const char *name = json_string_value(json_object_get(e, "name"));

		if (!name || !strcmp(name, ns->name) || ns_get(nn, name, &cand))
			continue;
		if (nl_nsid_of(nn, ns, cand) == nsid) {
			*out = cand;
			rc = 0;
			break;
		}
		ns_release(nn, name);
	}
	json_decref(list);
	return rc;
}

static void end_init(struct impair_end *e, struct ns *ns, const struct nl_link *l)
{
	memset(e, 0, sizeof(*e));
	e->ns = ns;
	snprintf(e->ns_name, sizeof(e->ns_name), "%s", ns->name);
	snprintf(e->ifname, sizeof(e->ifname), "%s", l->name);
	e->index = l->index;
	e->mtu = l->mtu;
}

/* The link and, for a veth, its peer: ends[0] is the named one. */
static int impair_ends(struct nsnet *nn, const char *ns_name, const char *ifname,
		       struct impair_end *ends, size_t *n)
{
	struct nl_link l, pl;
	struct ns *ns, *pns;
	int rc;

	rc = ns_get(nn, ns_name, &ns);
	if (rc)
		return rc;
	rc = nl_link_get(nn, ns, ifname, &l);
	if (rc == -ENODEV)
		return err_set(nn, ENODEV, "%s in %s: no such interface", ifname,
			       ns_name);
	if (rc)
		return rc;
	end_init(&ends[0], ns, &l);
	*n = 1;
	if (strcmp(l.kind, "veth") || !l.link)
		return 0;
	if (l.link_netnsid < 0)
		pns = ns;
	else if (impair_find_ns(nn, ns, l.link_netnsid, &pns))
		return err_set(nn, 0,
			"%s in %s: its veth peer is in a namespace nsnet cannot open (not under /run/netns)",
			ifname, ns_name);
	rc = nl_link_get_index(nn, pns, l.link, &pl);
	if (rc == -ENODEV)
		return err_set(nn, ENODEV, "%s in %s: its veth peer is gone", ifname,
			       ns_name);
	if (rc)
		return rc;
	end_init(&ends[1], pns, &pl);
	*n = 2;
	return 0;
}

struct end_qdiscs {
	int index;
	struct nl_qdisc root, netem;
	bool has_root, has_netem;
};

static int end_qdisc_cb(const struct nl_qdisc *q, void *data)
{
	struct end_qdiscs *d = data;

	if (q->index != d->index)
		return 0;
	if (q->parent == TC_H_ROOT) {
		d->root = *q;
		d->has_root = true;
	} else if (q->handle == QDISC_NETEM_HANDLE && q->parent == QDISC_TBF_CLASS) {
		d->netem = *q;
		d->has_netem = true;
	}
	return 0;
}

/* What the egress of e has now. */
static int end_read(struct nsnet *nn, struct impair_end *e)
{
	struct end_qdiscs d;
	int rc, tries = 0;

	do {
		memset(&d, 0, sizeof(d));
		d.index = e->index;
		rc = qdisc_dump(nn, e->ns, end_qdisc_cb, &d);
	} while (rc == -EINTR && ++tries < 5);
	if (rc == -EINTR)
		return err_set(nn, EINTR, "qdiscs of %s keep changing", e->ns_name);
	if (rc)
		return rc;
	if (!d.has_root)
		return 0;  /* the kernel's built-in default (noqueue) */
	if (d.root.handle != QDISC_ROOT_HANDLE) {
		/* The kernel's default qdiscs have handle 0. */
		e->foreign = d.root.handle != 0;
		return 0;
	}
	snprintf(e->root_kind, sizeof(e->root_kind), "%s", d.root.kind);
	if (!strcmp(d.root.kind, "tbf")) {
		e->rate_bps = d.root.rate * 8;
		if (d.has_netem && !strcmp(d.netem.kind, "netem")) {
			e->netem_child = true;
			d.root = d.netem;
		}
	}
	if (!strcmp(d.root.kind, "netem")) {
		e->delay_us = (unsigned int)(d.root.latency_ns / 1000);
		e->jitter_us = (unsigned int)(d.root.jitter_ns / 1000);
	}
	return 0;
}

/* The qdiscs that give e what it is to have. A change of layout (token
 * bucket, netem, or both) replaces the root: the kernel cannot change a
 * qdisc's kind, and taking netem from under a token bucket would leave the
 * bucket with no queue, dropping everything. */
static void end_queue(struct nl_batch *b, const struct impair_end *e)
{
	const char *want = e->want_rate ? "tbf" : e->want_delay ? "netem" : "";
	bool child = e->want_rate && e->want_delay;

	if (e->root_kind[0] && (strcmp(e->root_kind, want) || e->netem_child != child))
		qdisc_queue_del_root(b, e->ns_name, e->ifname, e->index);
	if (e->want_rate)
		qdisc_queue_tbf(b, e->ns_name, e->ifname, e->index, TC_H_ROOT,
				QDISC_ROOT_HANDLE, e->want_rate, e->mtu);
	if (e->want_delay)
		qdisc_queue_netem(b, e->ns_name, e->ifname, e->index,
				  child ? QDISC_TBF_CLASS : TC_H_ROOT,
				  child ? QDISC_NETEM_HANDLE : QDISC_ROOT_HANDLE,
				  e->want_delay, e->want_jitter);
}

static bool end_unchanged(const struct impair_end *e)
{
	return e->want_rate == e->rate_bps && e->want_delay == e->delay_us &&
	       e->want_jitter == e->jitter_us;
}

/* Where the loss of what `from` sends is dropped: as it arrives at `to`,
 * or, on a link with one end, as it leaves. */
static const struct impair_end *loss_place(const struct impair_end *from,
					   const struct impair_end *to,
					   bool *ingress)
{
	*ingress = to != NULL;
	return to ? to : from;
}

/* Queue the loss of what `from` sends into the per-end lists. */
static void loss_add(struct fw_loss (*set)[2], size_t *n_set,
		     const struct impair_end *from, const struct impair_end *to,
		     uint32_t ppm, const struct impair_end *ends)
{
	const struct impair_end *where;
	struct fw_loss *l;
	bool ingress;
	size_t k;

	where = loss_place(from, to, &ingress);
	k = where == &ends[0] ? 0 : 1;
	l = &set[k][n_set[k]++];
	memset(l, 0, sizeof(*l));
	snprintf(l->ifname, sizeof(l->ifname), "%s", where->ifname);
	l->index = where->index;
	l->ingress = ingress;
	l->ppm = ppm;
}

/* The kernel's answer (in the context error) into the sentence that says
 * what is missing and what still works. */
static void netem_missing(struct nsnet *nn)
{
	char kernel[NSNET_ERR_MAX];

	snprintf(kernel, sizeof(kernel), "%s", err_msg(nn));
	err_set(nn, 0,
		"delay needs the kernel's netem queueing discipline (sch_netem), which this kernel does not have (%s); rate and loss work without it",
		kernel);
	nn->err_code = ENOENT;
}

/* The change itself, under the lock: read both ends, refuse what cannot
 * be done before touching anything, then the qdiscs and the loss rules. */
static int impair_apply(struct nsnet *nn, const char *ns_name,
			const char *ifname, const struct nsnet_link_impair *imp,
			uint32_t ppm)
{
	struct fw_loss loss[2][2];
	size_t n_loss[2] = { 0, 0 };
	struct impair_end ends[2];
	struct nl_batch b;
	size_t n = 0, i;
	int rc;

	rc = impair_ends(nn, ns_name, ifname, ends, &n);
	for (i = 0; !rc && i < n; i++)
		rc = end_read(nn, &ends[i]);
	if (rc)
		return rc;
	for (i = 0; i < n; i++) {
		struct impair_end *e = &ends[i];

		e->want_rate = imp->set & NSNET_IMPAIR_RATE ? imp->rate_bps : e->rate_bps;
		e->want_delay = imp->set & NSNET_IMPAIR_DELAY ? imp->delay_us : e->delay_us;
		e->want_jitter = imp->set & NSNET_IMPAIR_DELAY ? imp->jitter_us : e->jitter_us;
		if (e->foreign && !end_unchanged(e))
			return err_set(nn, 0,
				"%s in %s has a queueing discipline nsnet did not put there; remove it first (tc qdisc del dev %s root)",
				e->ifname, e->ns_name, e->ifname);
	}
	/* netem is asked for first, before anything changes: without it the
	 * command fails whole and says what still works. */
	if ((imp->set & NSNET_IMPAIR_DELAY) && imp->delay_us &&
	    strcmp(ends[0].root_kind, "netem") && !ends[0].netem_child) {
		rc = qdisc_kind_probe(nn, ends[0].ns, ends[0].ifname, ends[0].index,
				      "netem");
		if (rc == -ENOENT)
			netem_missing(nn);
		if (rc)
			return rc;
	}

	for (i = 0; !rc && i < n; i++) {
		if (end_unchanged(&ends[i]))
			continue;
		nl_batch_init(&b);
		end_queue(&b, &ends[i]);
		rc = nl_batch_send(nn, ends[i].ns, &b);
		nl_batch_free(&b);
	}
	if (rc || !(imp->set & NSNET_IMPAIR_LOSS))
		return rc;
	loss_add(loss, n_loss, &ends[0], n > 1 ? &ends[1] : NULL, ppm, ends);
	if (n > 1)
		loss_add(loss, n_loss, &ends[1], &ends[0], ppm, ends);
	for (i = 0; !rc && i < n; i++)
		if (n_loss[i])
			rc = fw_loss_set(nn, ends[i].ns, loss[i], n_loss[i]);
	return rc;
}

int net_link_impair(struct nsnet *nn, const char *ns_name, const char *ifname,
		    const struct nsnet_link_impair *imp_in)
{
	struct nsnet_link_impair imp = *imp_in;
	uint32_t ppm = 0;
	int rc;

	rc = check_ns_name(nn, ns_name, true);
	if (!rc)
		rc = check_ifname(nn, ifname);
	if (rc)
		return rc;
	if (!imp.set || (imp.set & ~(unsigned int)(NSNET_IMPAIR_RATE | NSNET_IMPAIR_LOSS |
						    NSNET_IMPAIR_DELAY)))
		return err_usage(nn, "impairments of %s: nothing to set", ifname);
	if ((imp.set & NSNET_IMPAIR_RATE) && imp.rate_bps &&
	    (imp.rate_bps < IMPAIR_RATE_MIN || imp.rate_bps > IMPAIR_RATE_MAX))
		return err_usage(nn, "rate %llu bit/s for %s is out of range 1kbit..10tbit",
				 (unsigned long long)imp.rate_bps, ifname);
	if (imp.set & NSNET_IMPAIR_LOSS) {
		if (!(imp.loss_pct >= 0 && imp.loss_pct <= 100))
			return err_usage(nn, "loss %g%% for %s is out of range 0..100",
					 imp.loss_pct, ifname);
		ppm = (uint32_t)round_half(imp.loss_pct * (FW_LOSS_SCALE / 100));
	}
	if ((imp.set & NSNET_IMPAIR_DELAY) &&
	    (imp.delay_us > IMPAIR_TIME_MAX || imp.jitter_us > IMPAIR_TIME_MAX))
		return err_usage(nn, "delay and jitter for %s are at most 60s", ifname);
	if ((imp.set & NSNET_IMPAIR_DELAY) && imp.jitter_us && !imp.delay_us)
		return err_usage(nn, "jitter for %s needs a delay (delay 20ms jitter 5ms)",
				 ifname);

	rc = lock_take(nn);
	if (rc)
		return rc;
	rc = impair_apply(nn, ns_name, ifname, &imp, ppm);
	lock_drop(nn);
	return rc;
}

NSNET_EXPORT int nsnet_link_impair(struct nsnet *nn, const char *ns,
				   const char *ifname,
				   const struct nsnet_link_impair *imp)
{
	struct nsnet_link_impair copy;
	int rc = OPTS_TAKE(nn, &copy, imp, jitter_us, "impairment");

	return rc ? rc : net_link_impair(nn, ns, ifname, &copy);
}

/* ---- one namespace read once, for many links (the topology's plan) ------------ */

static int impair_ns_qdisc_cb(const struct nl_qdisc *q, void *data)
{
	struct impair_ns *st = data;
	struct impair_ns_link *l = NULL;
	size_t i;
	bool tbf = q->parent == TC_H_ROOT && q->handle == QDISC_ROOT_HANDLE &&
		   !strcmp(q->kind, "tbf");
	bool netem = !strcmp(q->kind, "netem") &&
		     ((q->parent == TC_H_ROOT && q->handle == QDISC_ROOT_HANDLE) ||
		      (q->parent == QDISC_TBF_CLASS && q->handle == QDISC_NETEM_HANDLE));

	if (!tbf && !netem)
		return 0;
	for (i = 0; i < st->n && !l; i++)
		if (st->links[i].index == q->index)
			l = &st->links[i];
	if (!l) {
		ARRAY_GROW(st->links, st->n);
		l = &st->links[st->n++];
		l->index = q->index;
	}
	if (tbf)
		l->rate_bps = q->rate * 8;
	else {
		l->delay_us = (unsigned int)(q->latency_ns / 1000);
		l->jitter_us = (unsigned int)(q->jitter_ns / 1000);
	}
	return 0;
}

bool impair_qdisc_default(const char *qdisc)
{
	return !strcmp(qdisc, "noqueue") || !strcmp(qdisc, "noop");
}

int impair_ns_read(struct nsnet *nn, struct ns *ns, struct impair_ns *st)
{
	return impair_ns_read_some(nn, ns, true, st);
}

int impair_ns_read_some(struct nsnet *nn, struct ns *ns, bool qdiscs,
			struct impair_ns *st)
{
	int rc = 0, tries = 0;

	memset(st, 0, sizeof(*st));
	while (qdiscs) {
		free(st->links);
		st->links = NULL;
		st->n = 0;
		rc = qdisc_dump(nn, ns, impair_ns_qdisc_cb, st);
		if (rc != -EINTR || ++tries == 5)
			break;
	}
	if (rc == -EINTR)
		rc = err_set(nn, EINTR, "qdiscs of %s keep changing", ns->name);
	if (!rc)
		rc = fw_loss_list(nn, ns, &st->loss, &st->n_loss);
	if (rc)
		impair_ns_free(st);
	return rc;
}

void impair_ns_free(struct impair_ns *st)
{
	free(st->links);
	free(st->loss);
	memset(st, 0, sizeof(*st));
}

void impair_ns_link(const struct impair_ns *st, int index, const char *ifname,
		    bool has_peer, struct nsnet_link_impair *out)
{
	size_t i;

	memset(out, 0, sizeof(*out));
	out->struct_size = sizeof(*out);
	out->set = NSNET_IMPAIR_RATE | NSNET_IMPAIR_LOSS | NSNET_IMPAIR_DELAY;
	for (i = 0; i < st->n; i++)
		if (st->links[i].index == index) {
			out->rate_bps = st->links[i].rate_bps;
			out->delay_us = st->links[i].delay_us;
			out->jitter_us = st->links[i].jitter_us;
		}
	/* The loss of a veth is dropped where it arrives; of a link without
	 * a peer, where it leaves. */
	for (i = 0; i < st->n_loss; i++)
		if (!st->loss[i].stale && st->loss[i].ingress == has_peer &&
		    !strcmp(st->loss[i].ifname, ifname))
			out->loss_pct = st->loss[i].ppm / 10000.0;
}

bool impair_same(const struct nsnet_link_impair *have,
		 const struct nsnet_link_impair *want)
{
	/* The kernel keeps a rate in bytes per second, a loss in parts per
	 * million: compared as it keeps them. */
	return have->rate_bps / 8 == want->rate_bps / 8 &&
	       round_half(have->loss_pct * 10000) == round_half(want->loss_pct * 10000) &&
	       have->delay_us == want->delay_us &&
	       (have->delay_us ? have->jitter_us == want->jitter_us : true);
}

bool impair_none(const struct nsnet_link_impair *imp)
{
	return !imp->rate_bps && !(imp->loss_pct > 0) && !imp->delay_us;
}

int impair_netem_check(struct nsnet *nn)
{
	struct ns *host;
	int rc;

	if ((rc = ns_get(nn, NSNET_HOST, &host)))
		return rc;
	/* The host's loopback, index 1 in every namespace: the probe is
	 * refused before anything is grafted (see qdisc_kind_probe). */
	rc = qdisc_kind_probe(nn, host, "lo", 1, "netem");
	if (rc == -ENOENT)
		netem_missing(nn);
	return rc;
}
