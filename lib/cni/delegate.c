// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * delegate.c - running another plugin as the spec's delegation says: the
 * executable named by its type, found in CNI_PATH, run with the same
 * network configuration on stdin and the same CNI_* environment except
 * CNI_COMMAND; its stdout is its result or its error. No shell: the
 * program is executed directly.
 */
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "cni/cni.h"

#define DELEGATE_OUT_MAX (1 << 20)

static int find_plugin(const char *cni_path, const char *type, char *out,
		       size_t len)
{
	const char *p = cni_path, *end;
	struct stat st;

	while (p && *p) {
		end = strchr(p, ':');
		if (!end)
			end = p + strlen(p);
		if (end > p) {
			snprintf(out, len, "%.*s/%s", (int)(end - p), p, type);
			if (!stat(out, &st) && S_ISREG(st.st_mode) &&
			    !access(out, X_OK))
				return 0;
		}
		p = *end ? end + 1 : end;
	}
	return -ENOENT;
}

static char **delegate_env(char *const *environ, const char *command)
{
	size_t n = 0, i, k = 0;
	char **env;

	while (environ && environ[n])
		n++;
	env = calloc(n + 2, sizeof(*env));
	if (!env)
		abort();
	for (i = 0; i < n; i++)
		if (strncmp(environ[i], "CNI_COMMAND=", 12))
			env[k++] = environ[i];
	if (asprintf(&env[k], "CNI_COMMAND=%s", command) < 0)
		abort();
	return env;
}

int cni_delegate(struct nsnet *nn, const struct cni_conf *c, const char *type,
		 const char *command, json_t **out, struct cni_error *err)
{
	int in[2] = { -1, -1 }, outp[2] = { -1, -1 }, status, k;
	char path[1024], **env;
	char *buf = NULL;
	size_t len = 0, off = 0;
	pid_t pid;
	json_t *doc;

	if (out)
		*out = NULL;
	if (find_plugin(c->path, type, path, sizeof(path)))
		return cni_failf(nn, err, CNI_ERR_DELEGATE,
				 "\"ipam\".\"type\" %s: no such plugin in CNI_PATH (%s)", type,
				 c->path ? c->path : "not set");
	if (pipe2(in, O_CLOEXEC) || pipe2(outp, O_CLOEXEC)) {
		int e = errno;

		for (k = 0; k < 2; k++) {
			if (in[k] >= 0)
				close(in[k]);
			if (outp[k] >= 0)
				close(outp[k]);
		}
		return cni_failf(nn, err, CNI_ERR_IO, "IPAM plugin %s: pipe: %s", type,
				 strerror(e));
	}
	env = delegate_env(c->environ, command);
	pid = fork();
	if (pid == 0) {
		char *argv[] = { (char *)type, NULL };

		if (dup2(in[0], 0) < 0 || dup2(outp[1], 1) < 0)
			_exit(127);
		execve(path, argv, env);
		_exit(127);
	}
	for (k = 0; env[k]; k++)
		if (!strncmp(env[k], "CNI_COMMAND=", 12))
			free(env[k]);
	free(env);
	close(in[0]);
	close(outp[1]);
	if (pid < 0) {
		close(in[1]);
		close(outp[0]);
		return cni_failf(nn, err, CNI_ERR_IO, "IPAM plugin %s: fork: %s", type,
				 strerror(errno));
	}
	/* The configuration is small (a pipe holds 64 KiB): all of it goes
	 * before the answer is read. */
	while (off < c->raw_len) {
		ssize_t w = write(in[1], c->raw + off, c->raw_len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	close(in[1]);
	for (;;) {
		ssize_t r;

		if (len + 4097 > DELEGATE_OUT_MAX)
			break;
		buf = realloc(buf, len + 4097);
		if (!buf)
			abort();
		r = read(outp[0], buf + len, 4096);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	close(outp[0]);
	if (buf)
		buf[len] = '\0';
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	doc = buf && len ? json_loadb(buf, len, 0, NULL) : NULL;
	free(buf);
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		const char *msg = json_string_value(json_object_get(doc, "msg"));
		int code = (int)json_integer_value(json_object_get(doc, "code"));

		cni_failf(nn, err, code > 0 ? code : CNI_ERR_DELEGATE,
			  "IPAM plugin %s (%s): %s", type, command,
			  msg ? msg : WIFEXITED(status) ? "failed with no message" :
			  "killed by a signal");
		json_decref(doc);
		return -EIO;
	}
	if (out) {
		if (!json_is_object(doc)) {
			json_decref(doc);
			return cni_failf(nn, err, CNI_ERR_DELEGATE,
					 "IPAM plugin %s (%s): its answer is not a JSON result",
					 type, command);
		}
		*out = doc;
	} else {
		json_decref(doc);
	}
	return 0;
}
