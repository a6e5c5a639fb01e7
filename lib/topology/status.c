// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * status.c - nsnet status: a topology compared with the kernel (the plan's
 * actions are its differences: missing or drifted), with each node's
 * namespace, addresses and run: processes.
 */
#include <stdio.h>
#include <jansson.h>

#include "topology/topology.h"

NSNET_EXPORT int nsnet_topo_status(struct nsnet *nn, const char *file_or_name,
				   json_t **out)
{
	struct topo_plan plan;
	struct topo *t;
	json_t *drift;
	size_t i;
	int rc;

	/* A name is checked by the one rule ("" or ".." name nothing). */
	if (file_or_name && !topo_arg_is_file(file_or_name) &&
	    (rc = name_check(nn, "topology", file_or_name, TOPO_NAME_MAX)))
		return rc;
	if ((rc = topo_load(nn, file_or_name, &t)))
		return rc;
	if ((rc = ctx_set_owner(nn, t->name)) || (rc = topo_plan(nn, t, &plan))) {
		topo_free(t);
		return rc;
	}
	drift = json_array();
	for (i = 0; i < plan.n; i++) {
		char what[256];

		topo_action_str(t, &plan.act[i], what, sizeof(what));
		json_array_append_new(drift, json_pack("{s:s,s:s}", "object", what, "state",
						       plan.act[i].repair ? "drifted" : "missing"));
	}
	/* node_count and nodes (was: nodes a count and node_list, before 0.2) */
	*out = json_pack("{s:s,s:s?,s:b,s:i,s:i,s:i,s:o}", "name", t->name, "file", t->file,
			 "in_sync", plan.n == 0, "node_count", (int)t->n_nodes, "networks",
			 (int)t->n_nets, "objects_ok", (int)plan.ok_objects, "differences", drift);
	{
		json_t *nodes = json_array();

		for (i = 0; i < t->n_nodes; i++) {
			json_t *addrs = json_array(), *runs = json_array(), *setups = json_array();
			size_t j;
			int f;

			for (j = 0; j < t->nodes[i].n_att; j++)
				for (f = 0; f < 2; f++)
					if (t->nodes[i].att[j].addr[f].family) {
						char a[64];

						json_array_append_new(addrs, json_string(
							ip_str(&t->nodes[i].att[j].addr[f], a, sizeof(a))));
					}
			for (j = 0; j < t->nodes[i].n_run; j++)
				json_array_append_new(runs, json_pack("{s:s,s:b}", "command",
					t->nodes[i].run[j], "running",
					topo_run_alive(t->name, t->nodes[i].name, j)));
			for (j = 0; j < t->nodes[i].n_setup; j++)
				json_array_append_new(setups, json_pack("{s:s,s:b}", "command",
					t->nodes[i].setup[j], "done",
					topo_setup_done(t->name, t->nodes[i].name, j,
							t->nodes[i].setup[j])));
			json_array_append_new(nodes, json_pack("{s:s,s:b,s:o,s:o,s:o}", "name",
				t->nodes[i].name, "exists", ns_exists(t->nodes[i].name),
				"addresses", addrs, "run", runs, "setup", setups));
		}
		json_object_set_new(*out, "nodes", nodes);
	}
	/* Over several machines: which one this is, and the others' nodes. */
	if (topo_local_host(t)) {
		json_t *else_ = json_array();

		for (i = 0; i < t->n_remote; i++)
			json_array_append_new(else_, json_pack("{s:s,s:s}", "name",
				t->remote[i].name, "host", t->hosts[t->remote[i].host].name));
		json_object_set_new(*out, "host", json_string(topo_local_host(t)->name));
		json_object_set_new(*out, "elsewhere", else_);
	}
	topo_plan_free(&plan);
	topo_free(t);
	return 0;
}

NSNET_EXPORT int nsnet_topo_list(struct nsnet *nn, json_t **out)
{
	return topo_list(nn, out);
}
