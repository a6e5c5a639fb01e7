// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_trace.c - nsnet trace's reading of the copies it collected
 * (trace_path.c): any frames, in any namespaces, with any timestamps, from
 * any sender on the watched networks. No crash, bounded work; the copies
 * come out grouped (request, reply, the rest), each path in rank order,
 * times never running backwards along it; every rewrite names a watched
 * namespace.
 *
 * Input: byte 0 the protocol (ICMP, TCP, UDP) and the origin, bytes 1-4
 * the probe's ICMP id and TCP port, then frames: one byte of namespace
 * (0-3), direction and link type, one of ifindex, one of timestamp, one
 * of length, then that many bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "diagnosis/trace.h"

#define FUZZ_NS 4
#define FUZZ_FRAMES 64
#define FUZZ_MARKER "nsnet-trace:0badcafe    "

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);
int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static const char *const names[FUZZ_NS] = { "host", "a", "b", "c" };
	struct trace_sniffer sniffers[FUZZ_NS];
	struct trace t = { 0 };
	json_t *nat, *e;
	size_t i, off = 5, len;

	if (size < 5)
		return 0;
	memset(sniffers, 0, sizeof(sniffers));
	for (i = 0; i < FUZZ_NS; i++)
		strcpy(sniffers[i].ns, names[i]);
	t.ns = names[(data[0] >> 2) % FUZZ_NS];
	t.origin = (data[0] >> 2) % FUZZ_NS;
	t.proto = data[0] % 3;
	t.port = (uint16_t)(data[3] << 8 | data[4]);
	t.icmp_id = (uint16_t)(data[1] << 8 | data[2]);
	t.dest_text = "203.0.113.10";
	ip_parse(t.dest_text, &t.dest);
	memcpy(t.marker, FUZZ_MARKER, TRACE_MARKER_LEN);
	t.local_port = 40000;
	t.sniffers = sniffers;
	t.n_sniffers = FUZZ_NS;
	t.frames = calloc(FUZZ_FRAMES, sizeof(*t.frames));
	if (!t.frames)
		return 0;
	while (t.n_frames < FUZZ_FRAMES && off + 4 <= size) {
		struct trace_frame *fr = &t.frames[t.n_frames];

		fr->sniffer = data[off] % FUZZ_NS;
		fr->out = data[off] & 0x10;
		fr->eth = !(data[off] & 0x20);
		fr->protocol = data[off] & 0x40 ? 0x86dd : 0x0800;
		fr->ifindex = data[off + 1];
		fr->ts.tv_sec = 1000;
		fr->ts.tv_nsec = (long)data[off + 2] * 1000;
		len = data[off + 3];
		off += 4;
		if (len > size - off)
			len = size - off;
		if (len > TRACE_FRAME_KEEP)
			len = TRACE_FRAME_KEEP;
		memcpy(fr->data, data + off, len);
		fr->caplen = len;
		fr->order = t.n_frames++;
		off += len;
	}
	trace_classify(&t);
	for (i = 1; i < t.n_frames; i++) {
		const struct trace_frame *a = &t.frames[i - 1], *b = &t.frames[i];
		int ga = a->role == TRACE_REQUEST ? 0 : a->role == TRACE_REPLY ? 1 : 2;
		int gb = b->role == TRACE_REQUEST ? 0 : b->role == TRACE_REPLY ? 1 : 2;

		if (ga > gb || (ga == gb && ga < 2 && a->rank > b->rank))
			__builtin_trap();
		if (ga < 2 && gb < 2 &&
		    (a->ts.tv_sec > b->ts.tv_sec ||
		     (a->ts.tv_sec == b->ts.tv_sec && a->ts.tv_nsec > b->ts.tv_nsec)))
			__builtin_trap();
	}
	nat = trace_rewrites(&t);
	json_array_foreach(nat, i, e) {
		const char *ns = json_string_value(json_object_get(e, "ns"));
		size_t k;

		for (k = 0; ns && k < FUZZ_NS && strcmp(ns, names[k]); k++)
			;
		if (!ns || k == FUZZ_NS)
			__builtin_trap();
	}
	json_decref(nat);
	free(t.frames);
	return 0;
}
