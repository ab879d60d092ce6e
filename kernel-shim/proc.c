// SPDX-License-Identifier: GPL-2.0-only
/*
 * Processes through /proc: command lines, memory maps, children, and
 * whether a process is alive.  Reads only, below roots->proc.
 */
#define _GNU_SOURCE
#include "damon_shim.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shim_internal.h"

int dshim_read_cmdline(const struct dshim_roots *roots, long pid, char *buf, size_t len,
		       char *err, size_t errlen)
{
	char path[DSHIM_PATH_LEN];
	int ret;

	buf[0] = '\0';
	if ((ret = shim_path(path, sizeof(path), "%s/%ld/cmdline", roots->proc, pid))) {
		shim_err(err, errlen, "%s/%ld/cmdline: path too long", roots->proc, pid);
		return ret;
	}
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		shim_err(err, errlen, "%s: %s", path, strerror(errno));
		return ret;
	}
	ssize_t n = read(fd, buf, len - 1);
	ret = n < 0 ? -errno : 0;
	if (n < 0)
		shim_err(err, errlen, "%s: %s", path, strerror(errno));
	close(fd);
	if (n <= 0)
		return ret;
	buf[n] = '\0';
	for (ssize_t i = 0; i < n; i++)
		if (!buf[i])
			buf[i] = ' ';
	while (n && buf[n - 1] == ' ')
		buf[--n] = '\0';
	return 0;
}

/* The whole file `path` (malloc'd, NUL-terminated). */
static int read_whole(const char *path, char **text, size_t *len, char *err, size_t errlen)
{
	*text = shim_read_all(path, len);
	if (!*text) {
		int e = errno ? -errno : -EIO;
		shim_err(err, errlen, "%s: %s", path, strerror(-e));
		return e;
	}
	return 0;
}

int dshim_read_maps(const struct dshim_roots *roots, long pid, char **text, size_t *len,
		    char *err, size_t errlen)
{
	char path[DSHIM_PATH_LEN];

	*text = NULL;
	if (shim_path(path, sizeof(path), "%s/%ld/maps", roots->proc, pid)) {
		shim_err(err, errlen, "%s/%ld/maps: path too long", roots->proc, pid);
		return -ENAMETOOLONG;
	}
	return read_whole(path, text, len, err, errlen);
}

int dshim_read_children(const struct dshim_roots *roots, long pid, long **pids, size_t *nr,
			char *err, size_t errlen)
{
	char path[DSHIM_PATH_LEN], *text;
	size_t len, n = 0;
	int ret;

	*pids = NULL;
	*nr = 0;
	if (shim_path(path, sizeof(path), "%s/%ld/task/%ld/children", roots->proc, pid, pid)) {
		shim_err(err, errlen, "%s/%ld/task/%ld/children: path too long", roots->proc, pid,
			 pid);
		return -ENAMETOOLONG;
	}
	if ((ret = read_whole(path, &text, &len, err, errlen)))
		return ret;
	/* k numbers take at least 2k - 1 bytes (each is cut from the next). */
	long *out = len ? malloc((len / 2 + 1) * sizeof(*out)) : NULL;
	if (len && !out) {
		free(text);
		shim_err(err, errlen, "out of memory");
		return -ENOMEM;
	}
	char *p = text;
	while (*p) {
		char *end;
		long child = strtol(p, &end, 10);
		if (end == p)
			break;
		out[n++] = child;
		p = end;
	}
	free(text);
	if (!n) {
		free(out);
		out = NULL;
	}
	*pids = out;
	*nr = n;
	return 0;
}

int dshim_process_gone(const struct dshim_roots *roots, long pid)
{
	char path[DSHIM_PATH_LEN], buf[512];
	if (shim_path(path, sizeof(path), "%s/%ld/stat", roots->proc, pid))
		return 1;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 1;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 1;
	buf[n] = '\0';
	char *p = strrchr(buf, ')');
	return p && p[1] == ' ' && (p[2] == 'Z' || p[2] == 'X');
}

int dshim_check_process(const struct dshim_roots *roots, long pid, char *err, size_t errlen)
{
	char path[DSHIM_PATH_LEN];
	struct stat st;
	if (pid <= 0 || shim_path(path, sizeof(path), "%s/%ld", roots->proc, pid) ||
	    stat(path, &st) || dshim_process_gone(roots, pid)) {
		shim_err(err, errlen, "no process with pid %ld", pid);
		return -ESRCH;
	}
	return 0;
}
