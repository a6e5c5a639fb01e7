// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_route.c - the route spec of `nsnet route add|del NS DEST [via GW]`
 * (route_parse): no crash; what is accepted is a prefix without host bits
 * (or "default") of one family, with a gateway of the same family.
 * Input: DEST, then optionally a NUL and GW.
 */
#include <string.h>

#include "kernel/kernel.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);
int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static struct nsnet *nn;
	char s[256];
	const char *via = NULL;
	struct ipaddr d, g, m;
	size_t n;

	if (!nn)
		nn = nsnet_new();
	if (size >= sizeof(s))
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	n = strlen(s);
	if (n < size)
		via = s + n + 1;
	if (route_parse(nn, s, via, &d, &g)) {
		err_clear(nn);
		return 0;
	}
	if (d.family != AF_INET && d.family != AF_INET6)
		__builtin_trap();
	if (via && g.family != d.family)
		__builtin_trap();
	m = d;
	ip_mask(&m);
	if (!ip_equal(&m, &d) || d.prefix < 0 ||
	    d.prefix > (d.family == AF_INET ? 32 : 128))
		__builtin_trap();
	return 0;
}
