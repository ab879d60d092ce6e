// SPDX-License-Identifier: GPL-2.0-only
/*
 * Processes through /proc: command lines, memory maps, children, whether a
 * process is alive, its memory footprint and stats, and the system's
 * memory.  Reads only, below roots->proc.
 */
#define _GNU_SOURCE
#include "damon_shim.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
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

/* ---------------------------------------------------------------- footprint */

/* PROC/PID/NAME (or PROC/NAME when pid < 0) into buf; its length or a
 * negative errno with a message. */
static int read_proc_file(const struct dshim_roots *roots, long pid, const char *name,
			  char *buf, size_t len, char *err, size_t errlen)
{
	char path[DSHIM_PATH_LEN];
	int ret = pid < 0 ? shim_path(path, sizeof(path), "%s/%s", roots->proc, name)
			  : shim_path(path, sizeof(path), "%s/%ld/%s", roots->proc, pid, name);

	if (ret) {
		shim_err(err, errlen, "%s/%s: path too long", roots->proc, name);
		return ret;
	}
	ret = shim_read_text(path, buf, len);
	if (ret < 0)
		shim_err(err, errlen, "%s: %s", path, strerror(-ret));
	return ret;
}

/* Up to `max` decimal numbers separated by blanks; how many.  A negative
 * one (stat's tpgid -1) is kept as its two's complement. */
static size_t parse_numbers(const char *p, uint64_t *v, size_t max)
{
	size_t n = 0;

	while (n < max) {
		while (*p == ' ')
			p++;
		int neg = *p == '-';
		if (p[neg] < '0' || p[neg] > '9')
			break;
		char *end;
		uint64_t x = strtoull(p + neg, &end, 10);
		v[n++] = neg ? 0 - x : x;
		p = end;
	}
	return n;
}

/* The kB value of the line "KEY:   N kB" of a status or meminfo text. */
static int find_kb(const char *text, const char *key, uint64_t *bytes)
{
	size_t klen = strlen(key);

	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (strncmp(p, key, klen) || p[klen] != ':')
			continue;
		uint64_t kb;
		if (parse_numbers(p + klen + 1 + strspn(p + klen + 1, " \t"), &kb, 1) != 1)
			return -EINVAL;
		*bytes = kb * 1024;
		return 0;
	}
	return -ENOENT;
}

static void read_statm(const struct dshim_roots *roots, long pid, struct dshim_footprint *fp,
		       char *err, size_t errlen)
{
	char buf[256];
	uint64_t v[7];
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);

	if (read_proc_file(roots, pid, "statm", buf, sizeof(buf), err, errlen) < 0)
		return;
	if (parse_numbers(buf, v, 7) < 6) {
		shim_err(err, errlen, "%s/%ld/statm: not 7 numbers", roots->proc, pid);
		return;
	}
	if (!v[0]) { /* no address space: a zombie (or a kernel thread) */
		shim_err(err, errlen, "%s/%ld/statm: no memory (the process is exiting)", roots->proc,
			 pid);
		return;
	}
	fp->size = v[0] * page;
	fp->resident = v[1] * page;
	fp->shared = v[2] * page;
	fp->text = v[3] * page;
	fp->data = v[5] * page;
	fp->has |= DSHIM_FP_STATM;
}

static void read_swap(const struct dshim_roots *roots, long pid, struct dshim_footprint *fp,
		      char *err, size_t errlen)
{
	char buf[8192];

	if (read_proc_file(roots, pid, "status", buf, sizeof(buf), err, errlen) < 0)
		return;
	if (!find_kb(buf, "VmSwap", &fp->swap))
		fp->has |= DSHIM_FP_SWAP;
}

/* Fields 3 to 20 of stat follow the last ')' (the name may hold any). */
static void read_stat(const struct dshim_roots *roots, long pid, struct dshim_footprint *fp,
		      char *err, size_t errlen)
{
	char buf[1024];
	uint64_t v[17];
	uint64_t hz = (uint64_t)sysconf(_SC_CLK_TCK);

	if (read_proc_file(roots, pid, "stat", buf, sizeof(buf), err, errlen) < 0)
		return;
	char *p = strrchr(buf, ')');
	/* after ") S ": field 4 (ppid) onwards */
	if (!p || p[1] != ' ' || !p[2] || p[3] != ' ' || parse_numbers(p + 4, v, 17) < 17) {
		shim_err(err, errlen, "%s/%ld/stat: not a stat line", roots->proc, pid);
		return;
	}
	/* v[k] is field k + 4 */
	fp->minflt = v[6];
	fp->majflt = v[8];
	fp->utime_ns = hz ? v[10] * (1000000000ull / hz) : 0;
	fp->stime_ns = hz ? v[11] * (1000000000ull / hz) : 0;
	fp->threads = v[16];
	fp->has |= DSHIM_FP_STAT;
}

int dshim_read_footprint(const struct dshim_roots *roots, long pid, struct dshim_footprint *fp,
			 char *err, size_t errlen)
{
	char first[256] = "";

	memset(fp, 0, sizeof(*fp));
	read_statm(roots, pid, fp, first, sizeof(first));
	read_swap(roots, pid, fp, NULL, 0);
	read_stat(roots, pid, fp, first[0] ? NULL : first, first[0] ? 0 : sizeof(first));
	if (fp->has)
		return 0;
	shim_err(err, errlen, "%s", first[0] ? first : "no footprint");
	return -ESRCH;
}

int dshim_read_meminfo(const struct dshim_roots *roots, struct dshim_meminfo *m, char *err,
		       size_t errlen)
{
	char buf[8192];
	int ret;

	memset(m, 0, sizeof(*m));
	if ((ret = read_proc_file(roots, -1, "meminfo", buf, sizeof(buf), err, errlen)) < 0)
		return ret;
	if (find_kb(buf, "MemTotal", &m->total)) {
		shim_err(err, errlen, "%s/meminfo: no MemTotal line", roots->proc);
		return -EINVAL;
	}
	find_kb(buf, "MemFree", &m->free);
	find_kb(buf, "MemAvailable", &m->available);
	find_kb(buf, "Buffers", &m->buffers);
	find_kb(buf, "Cached", &m->cached);
	return 0;
}
