// SPDX-License-Identifier: GPL-2.0-or-later
/* fuzz_probe.c - the pure half of the diagnostics. Input starting with '{'
 * is a ruleset for doctor's reading of foreign nftables chains (no crash,
 * a verdict in range, a handle only with a rule's verdict); anything else
 * is a doctor/trace/check destination (no crash; an accepted destination
 * is either an address or a non-empty name, and a port always comes with
 * TCP or UDP). */
#include <string.h>

#include "diagnosis/diagnosis.h"

static void fuzz_ruleset(const char *s)
{
	static const struct probe_pkt pkts[] = {
		{ "app_br", "eth0", false }, { "eth0", "app_br", true },
	};
	json_t *rs = json_loads(s, 0, NULL);
	size_t i;

	if (!rs)
		return;
	for (i = 0; i < sizeof(pkts) / sizeof(pkts[0]); i++) {
		long long h;
		enum probe_verdict v = probe_chain_verdict(rs, "ip", "filter",
							   "FORWARD", "drop",
							   &pkts[i], &h);

		if (v != PROBE_V_ACCEPT && v != PROBE_V_DROP &&
		    v != PROBE_V_POLICY_DROP)
			__builtin_trap();
		if (v == PROBE_V_POLICY_DROP && h != -1)
			__builtin_trap();
	}
	json_decref(rs);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);
int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct probe_dest d;
	char s[4096];

	if (size >= sizeof(s))
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (s[0] == '{') {
		fuzz_ruleset(s);
		return 0;
	}
	if (size >= 256 || probe_dest_parse(s, &d))
		return 0;
	if (d.is_addr) {
		if (d.addr.family != AF_INET && d.addr.family != AF_INET6)
			__builtin_trap();
	} else if (!d.name[0] || !memchr(d.name, '\0', sizeof(d.name))) {
		__builtin_trap();
	}
	if (d.port ? d.proto != IPPROTO_TCP && d.proto != IPPROTO_UDP : d.proto)
		__builtin_trap();
	return 0;
}
