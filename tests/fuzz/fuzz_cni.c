// SPDX-License-Identifier: GPL-2.0-or-later
/* fuzz_cni.c - nsnet-cni's network configuration and results: no crash;
 * an accepted configuration has sane ranges and its refusals carry a code;
 * a result read from any JSON renders in every version and reads back with
 * the same addresses. Nothing touches the kernel. */
#include <string.h>

#include "cni/cni.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);
int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static struct nsnet *nn;
	struct cni_conf c;
	struct cni_error err;
	struct cni_result r, back;
	char why[160];
	size_t i, j;
	json_t *doc;
	int v;

	if (!nn)
		nn = nsnet_new();
	memset(&c, 0, sizeof(c));
	memset(&err, 0, sizeof(err));
	c.cmd = size && (data[0] & 1) ? CNI_CMD_GC : CNI_CMD_ADD;
	c.container_id = "c1";
	c.netns = "/run/netns/c1";
	c.ifname = "eth0";
	c.args = "IgnoreUnknown=1;IP=10.0.0.5";
	if (cni_conf_parse(nn, &c, (const char *)data, size, &err)) {
		if (err.code <= 0 || !err.msg[0])
			__builtin_trap();
	} else {
		if (c.version >= CNI_VNONE || c.n_sets > ARRAY_SIZE(c.sets) ||
		    c.n_ports > CNI_MAX_PORTS || c.n_routes > CNI_MAX_ROUTES)
			__builtin_trap();
		for (i = 0; i < c.n_sets; i++)
			for (j = 0; j < c.sets[i].n; j++) {
				const struct cni_range *rg = &c.sets[i].r[j];

				if (cni_ip_cmp(&rg->start, &rg->end) > 0 ||
				    !ip_in_prefix(&rg->subnet, &rg->start) ||
				    !ip_in_prefix(&rg->subnet, &rg->end) ||
				    !ip_in_prefix(&rg->subnet, &rg->gateway))
					__builtin_trap();
			}
	}
	cni_conf_free(&c);

	doc = json_loadb((const char *)data, size, 0, NULL);
	if (doc && !cni_result_parse(doc, &r, why, sizeof(why))) {
		for (v = CNI_V030; v < CNI_VNONE; v++) {
			json_t *out = cni_result_render(&r, (enum cni_version)v);

			if (cni_result_parse(out, &back, why, sizeof(why)) ||
			    back.n_ips != r.n_ips)
				__builtin_trap();
			for (i = 0; i < r.n_ips; i++)
				if (!ip_equal(&back.ips[i].addr, &r.ips[i].addr) ||
				    back.ips[i].addr.prefix != r.ips[i].addr.prefix)
					__builtin_trap();
			cni_result_free(&back);
			json_decref(out);
		}
		cni_result_free(&r);
	}
	json_decref(doc);
	return 0;
}
