// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * request.c - one CNI request from start to answer: the command, the
 * configuration, the operation, and the text for stdout (a result, an
 * error object with the spec's code, or nothing). VERSION is answered from
 * the configuration alone: no namespace is opened, no netlink socket, no
 * libnftables (Podman asks it about eight times per container).
 */
#include <stdio.h>
#include <string.h>

#include "cni/cni.h"

static const struct {
	const char *name;
	enum cni_command cmd;
} commands[] = {
	{ "ADD", CNI_CMD_ADD }, { "DEL", CNI_CMD_DEL }, { "CHECK", CNI_CMD_CHECK },
	{ "VERSION", CNI_CMD_VERSION }, { "GC", CNI_CMD_GC },
	{ "STATUS", CNI_CMD_STATUS },
};

static char *dump(json_t *doc)
{
	char *s = json_dumps(doc, JSON_COMPACT), *t = NULL;

	json_decref(doc);
	if (!s || asprintf(&t, "%s\n", s) < 0)
		abort();
	free(s);
	return t;
}

NSNET_EXPORT int nsnet_cni(struct nsnet *nn, const struct nsnet_cni_request *req,
			   char **out)
{
	struct cni_conf c;
	struct cni_error err = { 0 };
	json_t *result = NULL;
	char owner[160];
	size_t i;
	int rc = -EINVAL;

	*out = NULL;
	memset(&c, 0, sizeof(c));
	c.container_id = req->container_id;
	c.netns = req->netns;
	c.ifname = req->ifname;
	c.args = req->args;
	c.path = req->path;
	c.environ = req->environ;
	for (i = 0; i < ARRAY_SIZE(commands); i++)
		if (req->command && !strcmp(req->command, commands[i].name))
			break;
	if (i == ARRAY_SIZE(commands)) {
		/* Read only for the version to answer the error in. */
		c.cmd = CNI_CMD_VERSION;
		cni_conf_parse(nn, &c, req->config ? req->config : "",
			       req->config_len, &err);
		if (req->command && *req->command)
			cni_failf(nn, &err, CNI_ERR_ENV,
				  "CNI_COMMAND \"%.32s\" is not ADD, DEL, CHECK, VERSION, STATUS or GC",
				  req->command);
		else
			cni_failf(nn, &err, CNI_ERR_ENV, "CNI_COMMAND is not set");
		goto fail;
	}
	c.cmd = commands[i].cmd;
	if (cni_conf_parse(nn, &c, req->config ? req->config : "", req->config_len,
			   &err))
		goto fail;
	if (c.cmd == CNI_CMD_VERSION) {
		*out = dump(cni_version_render(c.version_str));
		cni_conf_free(&c);
		return 0;
	}
	/* Links nsnet-cni makes say whose they are: "nsnet:cni:<network>". */
	snprintf(owner, sizeof(owner), "cni:%.58s", c.name);
	ctx_set_owner(nn, owner);
	switch (c.cmd) {
	case CNI_CMD_ADD:
		rc = cni_add(nn, &c, &result, &err);
		break;
	case CNI_CMD_DEL:
		rc = cni_del(nn, &c, &err);
		break;
	case CNI_CMD_CHECK:
		rc = cni_check(nn, &c, &err);
		break;
	case CNI_CMD_GC:
		rc = cni_gc(nn, &c, &err);
		break;
	case CNI_CMD_STATUS:
		rc = cni_status(nn, &c, &err);
		break;
	case CNI_CMD_VERSION:
		break;
	}
	if (rc)
		goto fail;
	*out = result ? dump(result) : strdup("");
	if (!*out)
		abort();
	cni_conf_free(&c);
	return 0;
fail:
	if (!err.code)
		cni_fail(nn, &err, CNI_ERR_KERNEL, rc);
	*out = dump(cni_error_render(&err, c.version_str));
	cni_conf_free(&c);
	return 1;
}
