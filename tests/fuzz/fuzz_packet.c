// SPDX-License-Identifier: GPL-2.0-or-later
/* fuzz_packet.c - whatever a packet socket may hand capture and trace: no
 * read past the frame, decoded payloads inside it, text always terminated
 * and the same whether the buffer is large or cut short. */
#include <stdlib.h>
#include <string.h>

#include "diagnosis/diagnosis.h"

static void check_l4(const struct pkt_l4 *l, const unsigned char *buf,
		     size_t len)
{
	if (l->payload && (l->payload < buf || l->payload > buf + len ||
			   l->payload_len > (size_t)(buf + len - l->payload)))
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);
int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	char big[512], small[17], again[512];
	unsigned char *copy;
	struct pkt p;
	bool eth;
	size_t len;

	if (size < 1)
		return 0;
	/* The first byte picks the link type: with or without Ethernet. */
	eth = data[0] & 1;
	len = size - 1;
	/* An exact-size heap copy lets ASan catch a read one byte too far. */
	copy = malloc(len ? len : 1);
	if (!copy)
		return 0;
	memcpy(copy, data + 1, len);
	pkt_decode(copy, len, eth, data[0] & 2 ? 0x86dd : 0x0800, &p);
	check_l4(&p.ip, copy, len);
	if (p.has_inner)
		check_l4(&p.inner, copy, len);
	pkt_line(&p, big, sizeof(big));
	pkt_what(&p, again, sizeof(again));
	if (strlen(big) >= sizeof(big) || strlen(again) >= sizeof(again))
		__builtin_trap();
	/* Cut short, the text is a prefix of the whole one. */
	pkt_line(&p, small, sizeof(small));
	if (strlen(small) >= sizeof(small) ||
	    strncmp(small, big, strlen(small)))
		__builtin_trap();
	pkt_payload_has(&p.ip, "nsnet-trace:", 12);
	free(copy);
	return 0;
}
