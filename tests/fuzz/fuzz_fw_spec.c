// SPDX-License-Identifier: GPL-2.0-or-later
/* fuzz_fw_spec.c - published-port specs: no crash; an accepted spec is in
 * range and its canonical form parses to the same spec (family and host
 * address included). */
#include <string.h>

#include "firewall/firewall.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);
int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct fw_spec a, b;
	char s[256], why[256], canon[128];

	if (size >= sizeof(s))
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (fw_spec_parse(s, &a, why, sizeof(why)))
		return 0;
	if (!a.host_lo || a.host_hi > 65535 || a.host_lo > a.host_hi ||
	    !a.port_lo || a.port_hi > 65535 || a.port_lo > a.port_hi ||
	    a.host_hi - a.host_lo != a.port_hi - a.port_lo)
		__builtin_trap();
	fw_spec_str(&a, canon, sizeof(canon));
	if (fw_spec_parse(canon, &b, why, sizeof(why)) || a.host_lo != b.host_lo ||
	    a.host_hi != b.host_hi || a.port_lo != b.port_lo || a.proto != b.proto ||
	    a.family != b.family || a.any_ip != b.any_ip ||
	    (!a.any_ip && !ip_equal(&a.host_ip, &b.host_ip)))
		__builtin_trap();
	if ((a.family && a.family != AF_INET && a.family != AF_INET6) ||
	    (!a.family && !a.any_ip) || (!a.any_ip && a.host_ip.family != a.family))
		__builtin_trap();
	return 0;
}
