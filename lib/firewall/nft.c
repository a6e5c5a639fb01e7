// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fw_nft.c - libnftables, loaded with dlopen() the first time a firewall
 * function runs. Linking it costs ~1.4 ms at every process start (its own
 * dependencies: libnftnl, libjansson, libgmp, libxtables...), and most
 * nsnet commands never touch the firewall.
 *
 * A context is created per call, in the calling thread's namespace (the
 * host: nsnet's firewall lives there); libnftables binds its netlink socket
 * to the namespace current at creation.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>
#include <nftables/libnftables.h>

#include "firewall/firewall.h"

static struct {
	bool loaded;
	struct nft_ctx *(*ctx_new)(uint32_t flags);
	void (*ctx_free)(struct nft_ctx *ctx);
	int (*run)(struct nft_ctx *nft, const char *buf);
	int (*buffer_output)(struct nft_ctx *ctx);
	int (*buffer_error)(struct nft_ctx *ctx);
	const char *(*get_output)(struct nft_ctx *ctx);
	const char *(*get_error)(struct nft_ctx *ctx);
	void (*set_flags)(struct nft_ctx *ctx, unsigned int flags);
} nft;

static int nft_load(struct nsnet *nn)
{
	void *h;

	if (nft.loaded)
		return 0;
	h = dlopen("libnftables.so.1", RTLD_NOW | RTLD_LOCAL);
	if (!h)
		return err_set(nn, ENOENT,
			       "firewall: cannot load libnftables.so.1 (%s); install libnftables1",
			       dlerror());
#define NFT_SYM(field, name)                                                   \
	do {                                                                   \
		*(void **)&nft.field = dlsym(h, name);                         \
		if (!nft.field)                                                \
			return err_set(nn, ENOENT,                             \
				       "firewall: libnftables.so.1 has no %s", \
				       name);                                  \
	} while (0)
	NFT_SYM(ctx_new, "nft_ctx_new");
	NFT_SYM(ctx_free, "nft_ctx_free");
	NFT_SYM(run, "nft_run_cmd_from_buffer");
	NFT_SYM(buffer_output, "nft_ctx_buffer_output");
	NFT_SYM(buffer_error, "nft_ctx_buffer_error");
	NFT_SYM(get_output, "nft_ctx_get_output_buffer");
	NFT_SYM(get_error, "nft_ctx_get_error_buffer");
	NFT_SYM(set_flags, "nft_ctx_output_set_flags");
#undef NFT_SYM
	nft.loaded = true;
	return 0;
}

/* nft's error text without "Error: " and the caret lines: the first line. */
static void first_error_line(const char *text, char *buf, size_t len)
{
	const char *p = text ? strstr(text, "Error: ") : NULL;
	size_t n;

	if (!p) {
		snprintf(buf, len, "%s", text ? text : "");
	} else {
		p += strlen("Error: ");
		if (!strncmp(p, "Could not process rule: ", 24))
			p += 24;
		n = strcspn(p, "\n");
		snprintf(buf, len, "%.*s", (int)n, p);
	}
}

static int run_buffer(struct nsnet *nn, const char *buf, bool json,
		      char **out, const char **errtext, struct nft_ctx **pctx)
{
	struct nft_ctx *ctx;
	int rc;

	rc = nft_load(nn);
	if (rc)
		return rc;
	ctx = nft.ctx_new(NFT_CTX_DEFAULT);
	if (!ctx)
		return err_set(nn, ENOMEM, "firewall: nft context");
	nft.buffer_output(ctx);
	nft.buffer_error(ctx);
	if (json)
		nft.set_flags(ctx, NFT_CTX_OUTPUT_JSON);
	rc = nft.run(ctx, buf);
	if (!rc && out) {
		/* Reading the buffer rewinds it: once only. */
		const char *o = nft.get_output(ctx);

		*out = strdup(o ? o : "");
		if (!*out)
			abort();
	}
	*errtext = nft.get_error(ctx);
	*pctx = ctx;
	return rc ? -1 : 0;
}

int fw_nft_run(struct nsnet *nn, const struct fw_script *s, bool json,
	       char **out, char *err_text, size_t err_len)
{
	const struct fw_line *l;
	const char *errtext = NULL;
	struct nft_ctx *ctx = NULL;
	char msg[512];
	int rc, code;

	if (err_text && err_len)
		err_text[0] = '\0';
	if (!s->n)
		return 0;
	rc = run_buffer(nn, s->text, json, out, &errtext, &ctx);
	if (rc == 0 || !ctx) {
		if (ctx)
			nft.ctx_free(ctx);
		return rc;
	}
	if (err_text)
		snprintf(err_text, err_len, "%s", errtext ? errtext : "");
	first_error_line(errtext, msg, sizeof(msg));
	code = strstr(msg, "File exists") ? EEXIST :
	       strstr(msg, "No such file or directory") ? ENOENT :
	       strstr(msg, "Operation not permitted") ? EPERM :
	       strstr(msg, "Device or resource busy") ? EBUSY : EINVAL;
	l = fw_script_find(s, errtext);
	if (code == EEXIST || code == ENOENT)
		rc = err_set(nn, 0, "%s", l ? l->what : msg);
	else
		rc = err_set(nn, 0, "%s: nftables: %s", l ? l->what : "firewall",
			     msg);
	nn->err_code = code;
	nft.ctx_free(ctx);
	return -code;
}

int fw_nft_list(struct nsnet *nn, const char *cmd, char **out)
{
	const char *errtext = NULL;
	struct nft_ctx *ctx = NULL;
	char msg[512];
	int rc;

	rc = run_buffer(nn, cmd, true, out, &errtext, &ctx);
	if (rc && ctx) {
		first_error_line(errtext, msg, sizeof(msg));
		rc = strstr(msg, "No such file or directory") ?
			     -ENOENT :
			     err_set(nn, EIO, "firewall: %s: %s", cmd, msg);
	}
	if (ctx)
		nft.ctx_free(ctx);
	return rc;
}
