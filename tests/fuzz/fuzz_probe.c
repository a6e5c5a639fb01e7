// SPDX-License-Identifier: GPL-2.0-or-later
/* fuzz_probe.c - doctor/trace/check destinations: no crash; an accepted
 * destination is either an address or a non-empty name, and a port always
 * comes with TCP or UDP. */
#include <string.h>

#include "probe.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);
int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct probe_dest d;
	char s[256];

	if (size >= sizeof(s))
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (probe_dest_parse(s, &d))
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
