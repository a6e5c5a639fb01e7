// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * doctor.c - "why does NS not reach DEST", answered the way a person
 * walks the path by hand: the source's links and route, then namespace
 * by namespace across veths and bridges (who owns the next hop, does it
 * forward, do its firewall and NAT let the packet out, is there a route
 * back), up to the destination's namespace and its listening sockets.
 *
 * Every fact comes from the kernel of the namespace concerned: its own
 * route lookup (RTM_GETROUTE for one destination, with RTA_IIF and RTA_SRC
 * for what it does with forwarded packets), links asked for by index,
 * sysctls read inside it, nftables listed through libnftables inside it,
 * sock_diag inside it. A real probe (ICMP echo or a TCP/UDP attempt, one
 * second) runs first and has the last word; the walk explains. Nothing is
 * changed and no traffic goes anywhere but to DEST.
 *
 * The findings are data ({"result","what"} per check, the cause, the fix
 * commands), returned as one JSON document; the CLI turns them into lines.
 * This file is the command: the probe, the walk there and back, and the
 * findings. doctor.h lists the files the walk is made of.
 */
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <net/if.h>
#include <sys/socket.h>
#include <linux/rtnetlink.h>
#include <jansson.h>

#include "kernel/kernel.h"
#include "firewall/firewall.h"
#include "diagnosis/doctor.h"

/* Every probe's deadline. */
#define DR_PROBE_MS 1000
/* Probes after the first when the walk found no cause (see nsnet_doctor). */
#define DR_PROBE_RETRIES 3

/* ---- findings ------------------------------------------------------------ */

static void dr_check_add(struct doctor *dr, const char *result,
			 const char *text)
{
	json_array_append_new(dr->checks, json_pack("{s:s,s:s}", "result",
						     result, "what", text));
}

void dr_ok(struct doctor *dr, const char *fmt, ...)
{
	char text[512];
	va_list ap;

	/* The way back is summed up in one finding at its end. */
	if (dr->reverse)
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	dr_check_add(dr, "ok", text);
}

/* When the probe got through anyway, the walk's reading was wrong and is
 * kept quiet: the packet is the authority. */
int dr_fail(struct doctor *dr, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(dr->cause, sizeof(dr->cause), fmt, ap);
	va_end(ap);
	dr->found = true;
	if (!dr->probe_ok)
		dr_check_add(dr, "fail", dr->cause);
	return 1;
}

void dr_fix(struct doctor *dr, const char *fmt, ...)
{
	char text[512];
	va_list ap;

	if (dr->probe_ok)
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	json_array_append_new(dr->fix, json_string(text));
}

const char *dr_ip(const struct ipaddr *ip, char *buf, size_t len)
{
	struct ipaddr a = *ip;

	a.prefix = -1;
	return ip_str(&a, buf, len);
}

/* ---- the probe ------------------------------------------------------------------ */

struct dr_sock {
	int family, type, fd;
};

static int dr_sock_open(void *arg)
{
	struct dr_sock *s = arg;

	s->fd = socket(s->family, s->type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	return s->fd < 0 ? -errno : 0;
}

/* 0: connected (TCP) or nothing refused it (UDP); else a positive errno
 * (ECONNREFUSED, ETIMEDOUT, EHOSTUNREACH...). */
static int dr_probe_port(struct doctor *dr, struct ns *ns)
{
	struct dr_sock s = { dr->dest.family,
			     dr->d.proto == IPPROTO_TCP ? SOCK_STREAM : SOCK_DGRAM, -1 };
	struct sockaddr_storage ss = { 0 };
	struct pollfd p;
	socklen_t sl;
	int e = 0, r;

	if (ns_call(dr->nn, ns, dr_sock_open, &s))
		return EIO;
	sl = ip_sockaddr(&dr->dest, dr->d.port, &ss);
	if (connect(s.fd, (struct sockaddr *)&ss, sl) && errno != EINPROGRESS) {
		e = errno;
		goto out;
	}
	p.fd = s.fd;
	if (s.type == SOCK_STREAM) {
		p.events = POLLOUT;
	} else {
		/* An empty datagram: enough to draw a port unreachable,
		 * nothing a server could take for a request. */
		if (send(s.fd, "", 0, 0) < 0) {
			e = errno;
			goto out;
		}
		p.events = POLLIN;
	}
	r = poll(&p, 1, DR_PROBE_MS);
	if (r == 0) {
		e = s.type == SOCK_STREAM ? ETIMEDOUT : 0;
	} else if (r > 0) {
		sl = sizeof(e);
		if (getsockopt(s.fd, SOL_SOCKET, SO_ERROR, &e, &sl))
			e = errno;
	} else {
		e = errno;
	}
out:
	close(s.fd);
	return e;
}

static bool dr_probe_ping(struct doctor *dr)
{
	struct nsnet_ping_opts po = { .count = 1, .timeout = DR_PROBE_MS / 1000.0,
				      .quiet = true };
	struct nsnet_ping_result res;
	int rc;

	rc = ping_dest(dr->nn, dr->src_ns, dr->dest_s, &po, NULL, NULL, &res);
	/* A route error is the walk's to explain. */
	err_clear(dr->nn);
	return rc > 0;
}

/* The probe DEST asked for: a TCP connection, or an echo (and for UDP an
 * empty datagram that nothing must refuse). *port_err: the TCP/UDP errno. */
static bool dr_probe(struct doctor *dr, struct ns *ns, int *port_err)
{
	*port_err = 0;
	if (dr->d.port && dr->d.proto == IPPROTO_TCP) {
		*port_err = dr_probe_port(dr, ns);
		return !*port_err;
	}
	if (!dr_probe_ping(dr))
		return false;
	if (dr->d.port)
		*port_err = dr_probe_port(dr, ns);
	return !*port_err;
}

/* ---- the walk -------------------------------------------------------------------- */

/* 1: a cause was said; 0: the walk found nothing; <0: it could not walk. */
static int dr_walk(struct doctor *dr)
{
	struct { struct ns *ns; int iif; } seen[DR_MAX_HOPS] = { { 0 } };
	char a[INET6_ADDRSTRLEN];
	struct dr_end prev = { 0 }, owner, side;
	struct nl_link in = { 0 }, out;
	json_t *fw = NULL;
	struct dr_route r;
	struct ns *cur;
	int hop, rc, i;

	rc = ns_get(dr->nn, dr->src_ns, &cur);
	if (rc)
		return rc;
	for (hop = 0; hop < DR_MAX_HOPS; hop++) {
		for (i = 0; i < hop; i++)
			if (seen[i].ns == cur && seen[i].iif == in.index) {
				rc = dr_fail(dr, "%s: routing loop: the packet comes back to %s on %s",
					     cur->name, cur->name, in.name);
				goto out;
			}
		seen[hop].ns = cur;
		seen[hop].iif = in.index;
		if (hop > 0) {
			size_t n = strlen(dr->path);

			snprintf(dr->path + n, sizeof(dr->path) - n, "%s%s",
				 n ? ", " : "", cur->name);
		}
		if (hop == 0) {
			rc = dr_route_get(dr, cur, &dr->dest, NULL, 0, &r);
			if (dr_route_missing(rc, &r)) {
				rc = dr_no_route(dr, cur);
				goto out;
			}
			if (rc) {
				rc = err_set(dr->nn, -rc, "route to %s in %s",
					     dr->dest_s, cur->name);
				goto out;
			}
			if (r.type == RTN_LOCAL) {
				rc = dr_at_dest(dr, cur, 0, NULL);
				goto out;
			}
			/* Replies leave from the address that was asked
			 * for, whatever the route would pick. */
			if (!dr->reverse) {
				dr->have_src = r.has_src;
				dr->src = r.prefsrc;
			}
		} else {
			rc = dr_forward(dr, cur, &in, &prev, &r);
			if (rc)
				goto out;
		}
		rc = nl_link_get_index(dr->nn, cur, r.oif, &out);
		if (rc) {
			rc = err_set(dr->nn, -rc, "route to %s in %s: interface %d",
				     dr->dest_s, cur->name, r.oif);
			goto out;
		}
		rc = dr_check_out(dr, cur, &out, hop == 0);
		if (rc)
			goto out;
		if (r.has_gw)
			dr_ok(dr, "%s: route to %s via %s dev %s", cur->name,
			      dr->dest_s, dr_ip(&r.gw, a, sizeof(a)), out.name);
		else
			dr_ok(dr, "%s: route to %s dev %s (on the link)", cur->name,
			      dr->dest_s, out.name);
		if (hop > 0 && dr->reverse) {
			/* Replies: only foreign chains matter (nsnet's own
			 * accepts established traffic first), no NAT. */
			json_t *rs = dr_ruleset(dr, cur);

			rc = dr_check_foreign_filter(dr, cur, rs, out.name, in.name);
			json_decref(rs);
			if (rc)
				goto out;
		} else if (hop > 0) {
			json_t *rs = dr_ruleset(dr, cur);

			if (ns_is_host(cur->name) && !fw && fw_show(dr->nn, &fw))
				err_clear(dr->nn);
			rc = dr_check_fw_table(dr, cur, rs, fw, &in, &out);
			if (!rc)
				rc = dr_check_isolation(dr, cur, fw, in.name, out.name);
			if (!rc)
				rc = dr_check_foreign_filter(dr, cur, rs, in.name,
							     out.name);
			if (!rc)
				rc = dr_check_nat(dr, cur, ns_is_host(cur->name) ? fw : NULL,
						  rs, &in, &out);
			json_decref(rs);
			if (rc)
				goto out;
		}
		rc = dr_owner(dr, cur, &out, r.has_gw ? &r.gw : &dr->dest,
			      &owner, &side);
		if (rc == -ENOENT) {
			rc = dr_no_owner(dr, cur, &out, &r, &side);
			goto out;
		}
		if (rc)
			goto out;
		if (r.has_gw) {
			int st = dr_neigh_state(dr, cur, out.index, &r.gw);

			dr_ok(dr, "%s: gateway %s is on %s%s", owner.ns->name,
			      dr_ip(&r.gw, a, sizeof(a)), owner.l.name,
			      dr_neigh_answers(st) ? (dr->dest.family == AF_INET ?
				" and answers ARP" : " and answers neighbour discovery") : "");
		}
		/* Its addresses stay local while it is down: the bridge
		 * port up on our side hides that. */
		if (!(owner.l.flags & IFF_UP)) {
			rc = dr_link_down(dr, owner.ns, &owner.l,
					  dr->have_src ? &dr->src : &dr->dest);
			goto out;
		}
		dr_note_settling(dr, &owner.l);
		prev.ns = cur;
		prev.l = out;
		if (!r.has_gw || dr_is_local(dr, owner.ns, &dr->dest)) {
			rc = dr_at_dest(dr, owner.ns, owner.l.index, &prev);
			goto out;
		}
		cur = owner.ns;
		in = owner.l;
	}
	dr_ok(dr, "the path is longer than %d namespaces: the walk stops here",
	      DR_MAX_HOPS);
	rc = 0;
out:
	json_decref(fw);
	return rc;
}

/* The replies' way: the same walk from the destination's namespace back
 * to the source address the destination saw. It catches what only the way
 * back crosses: another router, strict rp_filter on the interface replies
 * come in by, a foreign chain there. */
static int dr_walk_back(struct doctor *dr)
{
	struct doctor back = *dr;
	char s[INET6_ADDRSTRLEN];
	int rc;

	if (!dr->have_src || !dr->reached[0] || !strcmp(dr->reached, dr->src_ns))
		return 0;
	back.reverse = true;
	back.src_ns = dr->reached;
	back.dest = dr->src;
	back.dest.prefix = -1;
	back.src = dr->dest;
	back.src_net = dr->dest;
	back.src_net.prefix = dr->dest.family == AF_INET ? 32 : 128;
	back.d.port = 0;
	back.reached[0] = back.path[0] = '\0';
	dr_ip(&back.dest, back.dest_s, sizeof(back.dest_s));
	dr_ip(&dr->dest, s, sizeof(s));
	rc = dr_walk(&back);
	dr->settling |= back.settling;
	if (rc == 1) {
		dr->found = true;
		memcpy(dr->cause, back.cause, sizeof(dr->cause));
	}
	if (rc || !back.reached[0])
		return rc;
	if (back.path[0])
		dr_ok(dr, "replies from %s come back to %s through %s", s,
		      back.dest_s, back.path);
	else
		dr_ok(dr, "replies from %s come back to %s directly", s,
		      back.dest_s);
	return 0;
}

/* ---- destinations that are names ---------------------------------------------------- */

static int dr_resolve(struct doctor *dr)
{
	int rc;

	if (dr->d.is_addr) {
		dr->dest = dr->d.addr;
		return 0;
	}
	/* The resolver ping, traceroute and trace use too. */
	rc = diag_resolve(dr->nn, dr->src_ns, dr->d.name, &dr->dest);
	if (rc)
		err_prefix(dr->nn, "doctor");
	return rc;
}

/* ---- the command ---------------------------------------------------------------------- */

NSNET_EXPORT int nsnet_doctor(struct nsnet *nn, const char *nsname,
			      const char *dest,
			      void (*line)(void *data, const char *text),
			      void *data, struct json_t **out)
{
	/* line and data are unused: the findings are returned in *out and
	 * the caller renders them (include/nsnet.h). */
	struct dr_nsmap *nsmaps = NULL;
	struct doctor dr = { .nn = nn, .src_ns = nsname, .nsmaps = &nsmaps };
	struct ns *ns;
	int rc, tries, port_err = 0;

	err_clear(nn);
	if (out)
		*out = NULL;
	if (probe_dest_parse(dest, &dr.d))
		return err_usage(nn, "doctor: bad destination \"%s\": expected an address, a namespace or a name, then optionally :PORT (1-65535) and /tcp or /udp",
				 dest ? dest : "");
	rc = ns_get(nn, nsname, &ns);
	if (rc)
		return rc;
	rc = dr_resolve(&dr);
	if (rc)
		return rc;
	dr_ip(&dr.dest, dr.dest_s, sizeof(dr.dest_s));
	dr.checks = json_array();
	dr.fix = json_array();

	/* First the packet itself: it has the last word. */
	dr.probe_ok = dr_probe(&dr, ns, &port_err);
	rc = dr_walk(&dr);
	if (!rc)
		rc = dr_walk_back(&dr);
	if (rc < 0)
		goto done;
	/* The walk found nothing wrong: a fresh link drops packets until the
	 * kernel's link watch activates it (see dr_note_settling), and a fresh
	 * bridge takes a few ARP retransmissions (one a second) to pass
	 * them: measured up to 3 s after `nsnet attach` while other
	 * namespaces come and go. More tries before "no cause found". */
	for (tries = 0; !rc && !dr.probe_ok && port_err != ECONNREFUSED &&
	     tries < (dr.settling ? 2 * DR_PROBE_RETRIES : DR_PROBE_RETRIES);
	     tries++)
		dr.probe_ok = dr_probe(&dr, ns, &port_err);
	if (dr.probe_ok) {
		if (!dr.d.port)
			dr_ok(&dr, "%s answers ping from %s", dr.dest_s, nsname);
		else if (dr.d.proto == IPPROTO_TCP)
			dr_ok(&dr, "%s accepts tcp/%u from %s", dr.dest_s,
			      dr.d.port, nsname);
		else
			dr_ok(&dr, "%s answers ping from %s and nothing refuses udp/%u",
			      dr.dest_s, nsname, dr.d.port);
		rc = 0;
		goto done;
	}
	if (!dr.found) {
		if (port_err == ECONNREFUSED)
			dr_fail(&dr, "%s: nothing listens on %s/%u (%s)",
				dr.dest_s, fw_proto_name(dr.d.proto), dr.d.port,
				dr.d.proto == IPPROTO_TCP ? "connection refused" :
				"port unreachable");
		else if (dr.d.port && dr.d.proto == IPPROTO_TCP)
			dr_fail(&dr, "%s does not accept tcp/%u from %s (%s), and doctor found no cause on the path",
				dr.dest_s, dr.d.port, nsname, strerror(port_err));
		else if (dr.settling)
			dr_fail(&dr, "%s does not answer ping from %s yet: a link on the way has just come up and the kernel has not activated it",
				dr.dest_s, nsname);
		else
			dr_fail(&dr, "%s does not answer ping from %s, and doctor found no cause on the path",
				dr.dest_s, nsname);
	}
	/* The cause is the sentence: no strerror() after it. */
	err_set(nn, 0, "%s does not reach %s: %s", nsname, dest, dr.cause);
	nn->err_code = EHOSTUNREACH;
	rc = -EHOSTUNREACH;
done:
	/* Also when the walk broke off (rc < 0, no cause): what it found
	 * until then is still true and the caller may show it. */
	if (out)
		*out = json_pack("{s:s,s:s,s:b,s:O,s:s?,s:O}", "ns", nsname,
				 "dest", dest, "ok", rc == 0, "checks", dr.checks,
				 "cause", rc && dr.found ? dr.cause : NULL,
				 "fix", dr.fix);
	json_decref(dr.checks);
	json_decref(dr.fix);
	dr_nsmaps_free(nsmaps);
	return rc;
}
