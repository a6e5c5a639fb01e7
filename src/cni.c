// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cni.c - nsnet-cni, nsnet as a CNI plugin (docs/cni.md): the CNI_*
 * variables and stdin in, libnsnet's answer out. Nothing but the spec's
 * JSON is written to stdout; warnings go to stderr.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nsnet.h"

extern char **environ;

/* Network configurations are a few KiB; a runtime's prevResult with many
 * interfaces stays well below this. */
#define CNI_STDIN_MAX (4u << 20)

static void warn_stderr(void *data, const char *msg)
{
	(void)data;
	fprintf(stderr, "nsnet-cni: warning: %s\n", msg);
}

static char *read_stdin(size_t *len)
{
	size_t cap = 8192;
	char *buf = malloc(cap);

	*len = 0;
	if (!buf)
		return NULL;
	for (;;) {
		ssize_t n;

		if (*len + 1 >= cap) {
			char *nb;

			if (cap >= CNI_STDIN_MAX)
				break;
			cap *= 2;
			nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				return NULL;
			}
			buf = nb;
		}
		n = read(0, buf + *len, cap - 1 - *len);
		if (n <= 0)
			break;
		*len += (size_t)n;
	}
	buf[*len] = '\0';
	return buf;
}

int main(void)
{
	struct nsnet_cni_request req = { .size = sizeof(req) };
	struct nsnet *nn;
	char *in, *out = NULL;
	size_t len, off = 0;
	int status;

	/* A delegated plugin that exits before reading its stdin must not
	 * kill us with SIGPIPE: the error comes back from write(). */
	signal(SIGPIPE, SIG_IGN);
	req.command = getenv("CNI_COMMAND");
	req.container_id = getenv("CNI_CONTAINERID");
	req.netns = getenv("CNI_NETNS");
	req.ifname = getenv("CNI_IFNAME");
	req.args = getenv("CNI_ARGS");
	req.path = getenv("CNI_PATH");
	req.environ = environ;
	in = read_stdin(&len);
	nn = nsnet_new();
	if (!in || !nn) {
		fputs("{\"cniVersion\":\"1.0.0\",\"code\":5,\"msg\":\"nsnet-cni: out of memory\"}\n",
		      stdout);
		return 1;
	}
	nsnet_set_warn(nn, warn_stderr, NULL);
	req.config = in;
	req.config_len = len;
	status = nsnet_cni(nn, &req, &out);
	len = out ? strlen(out) : 0;
	while (off < len) {
		ssize_t n = write(1, out + off, len - off);

		if (n <= 0)
			break;
		off += (size_t)n;
	}
	free(out);
	free(in);
	nsnet_free(nn);
	return status;
}
