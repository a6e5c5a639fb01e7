// SPDX-License-Identifier: GPL-2.0-or-later
/* fuzz_names.c - names, addresses and prefixes: no crash, and what parses
 * prints back to something that parses to the same value. */
#include <string.h>

#include "kernel/kernel.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);
int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static struct nsnet *nn;
	char s[256], buf[80];
	struct ipaddr a, b;

	if (!nn)
		nn = nsnet_new();
	if (size >= sizeof(s))
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	check_ifname(nn, s);
	check_ns_name(nn, s, false);
	if (!cidr_parse(s, &a)) {
		if (cidr_parse(ip_str(&a, buf, sizeof(buf)), &b) || !ip_equal(&a, &b) ||
		    a.prefix != b.prefix)
			__builtin_trap();
	}
	if (!prefix_parse(s, &a) && strcmp(s, "default")) {
		b = a;
		ip_mask(&b);
		if (!ip_equal(&a, &b))  /* host bits must have been refused */
			__builtin_trap();
	}
	ip_parse(s, &a);
	return 0;
}
