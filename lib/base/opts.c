// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * opts.c - option structs that carry their size (include/nsnet.h).
 *
 * A public option struct only ever grows at its end, so its first `size`
 * bytes mean the same to every version of the library. The rules are the
 * kernel's for openat2() and clone3() (copy_struct_from_user()): a smaller
 * struct, from a program built against an older nsnet.h, is zero-extended,
 * which gives every newer field its default; a larger one, from a program
 * built against a newer nsnet.h, is taken only when the fields this library
 * does not know are all zero, that is when nothing was asked of it that it
 * cannot do.
 */
#include <string.h>

#include "base/base.h"

#define OPTS_MAX_SIZE 4096

int opts_take(struct nsnet *nn, void *copy, size_t size, size_t v1_size,
	      const void *opts, const char *what)
{
	const unsigned char *given = opts;
	size_t n, i;

	memset(copy, 0, size);
	memcpy(copy, &size, sizeof(size));
	if (!opts)
		return 0;
	memcpy(&n, opts, sizeof(n));
	if (!n)
		n = v1_size;
	/* Garbage in struct_size (left unset) must not send the check
	 * below reading through memory: no option struct nears a page. */
	if (n < sizeof(n) || n > OPTS_MAX_SIZE)
		return err_usage(nn, "%s: struct_size %zu is not the size of an option struct (set it to sizeof the struct)",
				 what, n);
	for (i = size; i < n; i++)
		if (given[i])
			return err_usage(nn,
				"%s: an options struct of %zu bytes sets fields beyond the %zu bytes this libnsnet knows (built against a newer nsnet.h?)",
				what, n, size);
	memcpy((unsigned char *)copy + sizeof(n), given + sizeof(n),
	       (n < size ? n : size) - sizeof(n));
	return 0;
}
