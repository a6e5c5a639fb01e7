// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * error.c - the context's owner mark and its error object.
 *
 * Every failure ends up as one sentence in the context, naming the object
 * first ("attach web to app_br: route default via 10.10.0.1: ...") and the
 * kernel's reason last. Only main() prints it.
 */
#include <stdio.h>
#include <string.h>

#include "base/base.h"

int ctx_set_owner(struct nsnet *nn, const char *owner)
{
	if (owner && strlen(owner) >= sizeof(nn->owner))
		return err_usage(nn, "owner name \"%s\" is too long", owner);
	snprintf(nn->owner, sizeof(nn->owner), "%s", owner ? owner : "");
	if (owner && *owner)
		snprintf(nn->mark, sizeof(nn->mark), "nsnet:%s", owner);
	else
		snprintf(nn->mark, sizeof(nn->mark), "nsnet");
	return 0;
}

NSNET_EXPORT const char *nsnet_error(const struct nsnet *nn)
{
	return err_msg(nn);
}

NSNET_EXPORT int nsnet_error_exit_code(const struct nsnet *nn)
{
	return nn->err_is_usage ? 2 : 1;
}

void err_clear(struct nsnet *nn)
{
	nn->err[0] = '\0';
	nn->err_code = 0;
	nn->err_is_usage = false;
}

static void err_vset(struct nsnet *nn, int code, const char *extack,
		     const char *fmt, va_list ap)
{
	size_t n;

	vsnprintf(nn->err, sizeof(nn->err), fmt, ap);
	n = strlen(nn->err);
	if (code && extack && *extack)
		snprintf(nn->err + n, sizeof(nn->err) - n, ": %s (%s)", extack,
			 strerror(code));
	else if (code)
		snprintf(nn->err + n, sizeof(nn->err) - n, ": %s",
			 strerror(code));
	nn->err_code = code;
	nn->err_is_usage = false;
}

int err_set(struct nsnet *nn, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_vset(nn, code, NULL, fmt, ap);
	va_end(ap);
	return code ? -code : -EIO;
}

int err_kernel(struct nsnet *nn, int code, const char *extack,
	       const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_vset(nn, code, extack, fmt, ap);
	va_end(ap);
	return code ? -code : -EIO;
}

int err_usage(struct nsnet *nn, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_vset(nn, 0, NULL, fmt, ap);
	va_end(ap);
	nn->err_code = EINVAL;
	nn->err_is_usage = true;
	return -EINVAL;
}

void err_prefix(struct nsnet *nn, const char *fmt, ...)
{
	char old[NSNET_ERR_MAX];
	size_t n;
	va_list ap;

	memcpy(old, nn->err, sizeof(old));
	va_start(ap, fmt);
	vsnprintf(nn->err, sizeof(nn->err), fmt, ap);
	va_end(ap);
	n = strlen(nn->err);
	snprintf(nn->err + n, sizeof(nn->err) - n, ": %s", old);
}

void warn_emit(struct nsnet *nn, const char *fmt, ...)
{
	char msg[NSNET_ERR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* The library does not print: without a callback, nobody listens. */
	if (nn->warn)
		nn->warn(nn->warn_data, msg);
}

const char *err_msg(const struct nsnet *nn)
{
	return nn->err[0] ? nn->err : "unknown error";
}
