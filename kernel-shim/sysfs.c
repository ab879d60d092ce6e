// SPDX-License-Identifier: GPL-2.0-only
/*
 * DAMON sysfs: roots, probing, and the one kdamond this run creates.
 *
 * Safety rule: every write goes through damon_write(), which only writes
 * below the kdamond directory this handle created, or nr_kdamonds itself
 * when it went 0 -> 1 (create) and 1 -> 0 (destroy).
 */
#define _GNU_SOURCE
#include "damon_shim.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "shim_internal.h"

void shim_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

int shim_path(char *out, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(out, len, fmt, ap);
	va_end(ap);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int shim_read_text(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	size_t n = 0;
	while (n + 1 < len) {
		ssize_t r = read(fd, buf + n, len - 1 - n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			int e = -errno;
			close(fd);
			return e;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	buf[n] = '\0';
	while (n && isspace((unsigned char)buf[n - 1]))
		buf[--n] = '\0';
	return (int)n;
}

char *shim_read_all(const char *path, size_t *len_out)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap + 1);
	while (buf) {
		if (n == cap) {
			char *nb = realloc(buf, cap * 2 + 1);
			if (!nb) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
			cap *= 2;
		}
		ssize_t r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			free(buf);
			buf = NULL;
			break;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	if (buf) {
		buf[n] = '\0';
		if (len_out)
			*len_out = n;
	}
	return buf;
}

static int read_u64(const char *path, uint64_t *v)
{
	char buf[64], *end;
	int r = shim_read_text(path, buf, sizeof(buf));
	if (r < 0)
		return r;
	errno = 0;
	unsigned long long x = strtoull(buf, &end, 0);
	if (errno || end == buf || *end)
		return -EINVAL;
	*v = x;
	return 0;
}

static int read_long(const char *path, long *v)
{
	char buf[64], *end;
	int r = shim_read_text(path, buf, sizeof(buf));
	if (r < 0)
		return r;
	errno = 0;
	long x = strtol(buf, &end, 10);
	if (errno || end == buf || *end)
		return -EINVAL;
	*v = x;
	return 0;
}

static int exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

/* ---------------------------------------------------------------- roots */

static void copy_path(char *dst, const char *src)
{
	snprintf(dst, DSHIM_PATH_LEN, "%s", src);
}

void dshim_roots_init(struct dshim_roots *roots, const char *sysfs, const char *tracefs,
		      const char *iomem)
{
	const char *env;

	memset(roots, 0, sizeof(*roots));
	if (!sysfs && (env = getenv(DSHIM_ENV_SYSFS_ROOT)) && *env)
		sysfs = env;
	copy_path(roots->sysfs, sysfs ? sysfs : DSHIM_SYSFS_ROOT);
	if (!iomem && (env = getenv(DSHIM_ENV_IOMEM)) && *env)
		iomem = env;
	copy_path(roots->iomem, iomem ? iomem : "/proc/iomem");
	copy_path(roots->proc, DSHIM_PROC_ROOT);
	if (!tracefs && (env = getenv(DSHIM_ENV_TRACEFS_ROOT)) && *env)
		tracefs = env;
	if (tracefs) {
		copy_path(roots->tracefs, tracefs);
		return;
	}
	static const char *const candidates[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };
	for (size_t i = 0; i < sizeof(candidates) / sizeof(candidates[0]); i++) {
		char p[DSHIM_PATH_LEN];
		snprintf(p, sizeof(p), "%s/events", candidates[i]);
		if (exists(p)) {
			copy_path(roots->tracefs, candidates[i]);
			return;
		}
	}
}

/* ---------------------------------------------------------------- probe */

static void describe_kdamond(const char *sysfs, int index, struct dshim_kdamond_info *k)
{
	char p[DSHIM_PATH_LEN];

	memset(k, 0, sizeof(*k));
	k->index = index;
	k->pid = -1;
	if (!shim_path(p, sizeof(p), "%s/admin/kdamonds/%d/state", sysfs, index) &&
	    shim_read_text(p, k->state, sizeof(k->state)) < 0)
		snprintf(k->state, sizeof(k->state), "unknown");
	if (!shim_path(p, sizeof(p), "%s/admin/kdamonds/%d/pid", sysfs, index))
		read_long(p, &k->pid);
	if (!shim_path(p, sizeof(p), "%s/admin/kdamonds/%d/contexts/0/operations", sysfs, index) &&
	    shim_read_text(p, k->operations, sizeof(k->operations)) < 0)
		k->operations[0] = '\0';
}

static int list_kdamonds(const char *sysfs, int nr, struct dshim_kdamond_info *out, int max)
{
	int n = 0;
	for (int i = 0; i < nr && n < max; i++)
		describe_kdamond(sysfs, i, &out[n++]);
	return n;
}

int dshim_probe(const struct dshim_roots *roots, struct dshim_probe *p, char *err,
		size_t errlen)
{
	char path[DSHIM_PATH_LEN];
	uint64_t v;

	memset(p, 0, sizeof(*p));
	p->nr_kdamonds = -1;
	p->event_id = -1;
	if (shim_path(path, sizeof(path), "%s/admin/kdamonds/nr_kdamonds", roots->sysfs)) {
		shim_err(err, errlen, "%s: path too long", roots->sysfs);
		return -ENAMETOOLONG;
	}
	if (read_u64(path, &v) == 0) {
		p->sysfs_present = 1;
		p->nr_kdamonds = (int)v;
		p->nr_listed = list_kdamonds(roots->sysfs, p->nr_kdamonds, p->kdamonds,
					     DSHIM_MAX_LISTED_KDAMONDS);
	}
	if (roots->tracefs[0]) {
		char idp[DSHIM_PATH_LEN];
		if (!shim_path(idp, sizeof(idp), "%s/events/damon/damon_aggregated/id",
			       roots->tracefs) && read_u64(idp, &v) == 0) {
			p->tracefs_present = 1;
			p->event_id = (int)v;
		}
		if (!shim_path(idp, sizeof(idp), "%s/events/damon/damon_aggregated/format",
			       roots->tracefs))
			p->event_format = shim_read_all(idp, NULL);
		if (p->event_format)
			p->tracefs_present = 1;
	}
	return 0;
}

void dshim_probe_free(struct dshim_probe *p)
{
	free(p->event_format);
	p->event_format = NULL;
}

static void describe_list(const struct dshim_kdamond_info *k, int n, int total, char *buf,
			  size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (int i = 0; i < n && off < len; i++) {
		char pid[32] = "";
		if (k[i].pid > 0)
			snprintf(pid, sizeof(pid), "pid %ld, ", k[i].pid);
		int w = snprintf(buf + off, len - off, "%skdamond %d is %s (%soperations %s)",
				 i ? "; " : "", k[i].index, k[i].state[0] ? k[i].state : "unknown",
				 pid, k[i].operations[0] ? k[i].operations : "none");
		if (w < 0)
			return;
		off += (size_t)w;
	}
	if (total > n && off < len)
		snprintf(buf + off, len - off, "; and %d more", total - n);
}

void dshim_probe_describe_busy(const struct dshim_probe *p, char *buf, size_t len)
{
	if (!len)
		return;
	buf[0] = '\0';
	if (p->nr_kdamonds > 0)
		describe_list(p->kdamonds, p->nr_listed, p->nr_kdamonds, buf, len);
}

/* ---------------------------------------------------------------- iomem */

int dshim_read_system_ram(const char *iomem_path, struct dshim_range **ranges, size_t *nr,
			  char *err, size_t errlen)
{
	FILE *f = fopen(iomem_path, "re");
	char line[256];
	size_t n = 0, cap = 0;
	struct dshim_range *out = NULL;
	int hidden = 0;

	*ranges = NULL;
	*nr = 0;
	if (!f) {
		int e = -errno;
		shim_err(err, errlen, "%s: %s", iomem_path, strerror(errno));
		return e;
	}
	while (fgets(line, sizeof(line), f)) {
		unsigned long long s, e;
		int pos = 0;
		/* Only top-level entries: nested ones start with blanks. */
		if (isspace((unsigned char)line[0]))
			continue;
		if (sscanf(line, "%llx-%llx : %n", &s, &e, &pos) != 2 || !pos)
			continue;
		char *name = line + pos;
		name[strcspn(name, "\n")] = '\0';
		if (strcmp(name, "System RAM"))
			continue;
		if (s == 0 && e == 0) {
			hidden = 1;
			continue;
		}
		if (e < s || e == UINT64_MAX)
			continue;
		if (n && out[n - 1].end == s) {
			out[n - 1].end = e + 1;
			continue;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			struct dshim_range *nb = realloc(out, cap * sizeof(*out));
			if (!nb) {
				free(out);
				fclose(f);
				shim_err(err, errlen, "%s: out of memory", iomem_path);
				return -ENOMEM;
			}
			out = nb;
		}
		out[n].start = s;
		out[n].end = e + 1;
		n++;
	}
	fclose(f);
	if (!n) {
		free(out);
		shim_err(err, errlen, "%s: %s", iomem_path,
			 hidden ? "System RAM addresses are hidden (only root can read them)"
				: "no System RAM range");
		return -ENODATA;
	}
	*ranges = out;
	*nr = n;
	return 0;
}

/* ---------------------------------------------------------------- kdamond */

struct dshim_damon {
	struct dshim_roots roots;
	char nr_kdamonds_path[DSHIM_PATH_LEN];
	char kdamond[DSHIM_PATH_LEN]; /* .../admin/kdamonds/<K> */
	int index;
	char avail[128];
	unsigned features;
	long pid;
	int created;
	int on;
	int tuned_unsupported;
	pid_t guardian;
	int guard_fd; /* write end of the guardian's pipe, -1 when none */
};

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static int write_text(const char *path, const char *value, char *err, size_t errlen)
{
	int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		int e = -errno;
		shim_err(err, errlen, "%s: %s", path, strerror(errno));
		return e;
	}
	size_t len = strlen(value);
	ssize_t w;
	do
		w = write(fd, value, len);
	while (w < 0 && errno == EINTR);
	int e = w < 0 ? -errno : (size_t)w != len ? -EIO : 0;
	if (close(fd) && !e)
		e = -errno;
	if (e)
		shim_err(err, errlen, "writing '%s' to %s: %s", value, path, strerror(-e));
	return e;
}

/* Write `value` to `rel` below our kdamond directory. */
static int damon_write(struct dshim_damon *d, const char *rel, const char *value, char *err,
		       size_t errlen)
{
	char path[DSHIM_PATH_LEN];

	if (!d->created) {
		shim_err(err, errlen, "refusing to write %s: not a kdamond of this run", rel);
		return -EPERM;
	}
	if (shim_path(path, sizeof(path), "%s/%s", d->kdamond, rel)) {
		shim_err(err, errlen, "%s/%s: path too long", d->kdamond, rel);
		return -ENAMETOOLONG;
	}
	return write_text(path, value, err, errlen);
}

static int damon_write_u64(struct dshim_damon *d, const char *rel, uint64_t v, char *err,
			   size_t errlen)
{
	char buf[32];
	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	return damon_write(d, rel, buf, err, errlen);
}

static int damon_read(struct dshim_damon *d, const char *rel, char *buf, size_t len)
{
	char path[DSHIM_PATH_LEN];
	if (shim_path(path, sizeof(path), "%s/%s", d->kdamond, rel))
		return -ENAMETOOLONG;
	return shim_read_text(path, buf, len);
}

static int damon_exists(struct dshim_damon *d, const char *rel)
{
	char path[DSHIM_PATH_LEN];
	return !shim_path(path, sizeof(path), "%s/%s", d->kdamond, rel) && exists(path);
}

int dshim_damon_create(struct dshim_damon **out, const struct dshim_roots *roots, char *err,
		       size_t errlen)
{
	struct dshim_probe p;
	int ret;

	*out = NULL;
	ret = dshim_probe(roots, &p, err, errlen);
	if (ret)
		return ret;
	dshim_probe_free(&p);
	if (!p.sysfs_present) {
		shim_err(err, errlen,
			 "DAMON is not available: %s/admin/kdamonds/nr_kdamonds does not exist "
			 "(kernel without CONFIG_DAMON_SYSFS?)", roots->sysfs);
		return -ENOENT;
	}
	if (p.nr_kdamonds != 0) {
		char busy[400];
		dshim_probe_describe_busy(&p, busy, sizeof(busy));
		shim_err(err, errlen, "DAMON is in use: %s; nothing was changed (damotrace "
			 "only drives DAMON when no kdamond exists)", busy);
		return -EBUSY;
	}

	struct dshim_damon *d = calloc(1, sizeof(*d));
	if (!d) {
		shim_err(err, errlen, "out of memory");
		return -ENOMEM;
	}
	d->roots = *roots;
	d->pid = -1;
	d->guard_fd = -1;
	d->index = 0;
	shim_path(d->nr_kdamonds_path, sizeof(d->nr_kdamonds_path),
		  "%s/admin/kdamonds/nr_kdamonds", roots->sysfs);
	if (shim_path(d->kdamond, sizeof(d->kdamond), "%s/admin/kdamonds/0", roots->sysfs)) {
		free(d);
		shim_err(err, errlen, "%s: path too long", roots->sysfs);
		return -ENAMETOOLONG;
	}
	ret = write_text(d->nr_kdamonds_path, "1", err, errlen);
	if (ret) {
		free(d);
		return ret;
	}
	d->created = 1;
	/* Someone else may have raced us between the read and the write. */
	uint64_t nr = 0;
	if (read_u64(d->nr_kdamonds_path, &nr) || nr != 1) {
		d->created = 0; /* not provably ours: never write to it again */
		free(d);
		shim_err(err, errlen, "%s: expected 1 kdamond after creating one, found %" PRIu64
			 "; another DAMON user is active", roots->sysfs, nr);
		return -EBUSY;
	}
	ret = damon_write(d, "contexts/nr_contexts", "1", err, errlen);
	if (ret)
		goto fail;
	if (damon_read(d, "contexts/0/avail_operations", d->avail, sizeof(d->avail)) < 0) {
		/* Before 5.19 there is no avail_operations: assume the usual sets. */
		snprintf(d->avail, sizeof(d->avail), "vaddr fvaddr paddr");
	}
	if (damon_exists(d, "contexts/0/addr_unit"))
		d->features |= DSHIM_FEAT_ADDR_UNIT;
	if (damon_exists(d, "contexts/0/monitoring_attrs/intervals/intervals_goal"))
		d->features |= DSHIM_FEAT_INTERVALS_GOAL;
	if (damon_exists(d, "refresh_ms"))
		d->features |= DSHIM_FEAT_REFRESH_MS;
	*out = d;
	return 0;
fail:
	dshim_damon_destroy(d, NULL, 0);
	return ret;
}

const char *dshim_damon_avail_operations(const struct dshim_damon *d)
{
	return d->avail;
}

int dshim_damon_has_operations(const struct dshim_damon *d, const char *ops)
{
	size_t len = strlen(ops);
	const char *p = d->avail;

	while (*p) {
		while (isspace((unsigned char)*p))
			p++;
		size_t w = strcspn(p, " \t\n");
		if (w == len && !strncmp(p, ops, len))
			return 1;
		p += w;
	}
	return 0;
}

unsigned dshim_damon_features(const struct dshim_damon *d)
{
	return d->features;
}

static int write_targets(struct dshim_damon *d, size_t nr, const struct dshim_target_config *t,
			 int with_pids, char *err, size_t errlen)
{
	char rel[160];
	int ret = damon_write_u64(d, "contexts/0/targets/nr_targets", nr, err, errlen);

	for (size_t i = 0; !ret && i < nr; i++) {
		if (with_pids) {
			snprintf(rel, sizeof(rel), "contexts/0/targets/%zu/pid_target", i);
			ret = damon_write_u64(d, rel, (uint64_t)t[i].pid, err, errlen);
			if (ret)
				break;
		}
		snprintf(rel, sizeof(rel), "contexts/0/targets/%zu/regions/nr_regions", i);
		ret = damon_write_u64(d, rel, t[i].nr_regions, err, errlen);
		for (size_t r = 0; !ret && r < t[i].nr_regions; r++) {
			snprintf(rel, sizeof(rel), "contexts/0/targets/%zu/regions/%zu/start", i, r);
			ret = damon_write_u64(d, rel, t[i].regions[r].start, err, errlen);
			if (ret)
				break;
			snprintf(rel, sizeof(rel), "contexts/0/targets/%zu/regions/%zu/end", i, r);
			ret = damon_write_u64(d, rel, t[i].regions[r].end, err, errlen);
		}
	}
	return ret;
}

static int write_stat_scheme(struct dshim_damon *d, char *err, size_t errlen)
{
	static const struct {
		const char *rel, *value;
	} files[] = {
		{ "action", "stat" },
		{ "access_pattern/sz/min", "0" },
		{ "access_pattern/sz/max", "18446744073709551615" },
		{ "access_pattern/nr_accesses/min", "0" },
		{ "access_pattern/nr_accesses/max", "4294967295" },
		{ "access_pattern/age/min", "0" },
		{ "access_pattern/age/max", "4294967295" },
		{ "quotas/ms", "0" },
		{ "quotas/bytes", "0" },
		{ "watermarks/metric", "none" },
	};
	char rel[160];
	int ret = damon_write(d, "contexts/0/schemes/nr_schemes", "1", err, errlen);

	for (size_t i = 0; !ret && i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(rel, sizeof(rel), "contexts/0/schemes/0/%s", files[i].rel);
		ret = damon_write(d, rel, files[i].value, err, errlen);
	}
	if (ret)
		return ret;
	if (damon_exists(d, "contexts/0/schemes/0/tried_regions"))
		d->features |= DSHIM_FEAT_TRIED_REGIONS;
	if (damon_exists(d, "contexts/0/schemes/0/tried_regions/total_bytes"))
		d->features |= DSHIM_FEAT_TRIED_TOTAL_BYTES;
	if (!(d->features & DSHIM_FEAT_TRIED_REGIONS)) {
		shim_err(err, errlen, "%s/contexts/0/schemes/0/tried_regions does not exist: "
			 "this kernel cannot report tried regions (needs 6.2 or later)", d->kdamond);
		return -EOPNOTSUPP;
	}
	return 0;
}

int dshim_damon_configure(struct dshim_damon *d, const struct dshim_config *cfg, char *err,
			  size_t errlen)
{
	char cur[64];
	uint64_t cur_max = 0;
	int ret;

	if (!dshim_damon_has_operations(d, cfg->operations)) {
		shim_err(err, errlen, "operations '%s' not available on this kernel "
			 "(avail_operations: %s)", cfg->operations, d->avail);
		return -EINVAL;
	}
	ret = damon_write(d, "contexts/0/operations", cfg->operations, err, errlen);
	if (!ret && cfg->sample_us)
		ret = damon_write_u64(d, "contexts/0/monitoring_attrs/intervals/sample_us",
				      cfg->sample_us, err, errlen);
	if (!ret && cfg->aggr_us)
		ret = damon_write_u64(d, "contexts/0/monitoring_attrs/intervals/aggr_us",
				      cfg->aggr_us, err, errlen);
	if (!ret && cfg->update_us)
		ret = damon_write_u64(d, "contexts/0/monitoring_attrs/intervals/update_us",
				      cfg->update_us, err, errlen);
	if (ret)
		return ret;
	/* Keep min <= max at every step. */
	if (damon_read(d, "contexts/0/monitoring_attrs/nr_regions/max", cur, sizeof(cur)) > 0)
		cur_max = strtoull(cur, NULL, 10);
	int max_first = cfg->min_nr_regions && cfg->max_nr_regions && cfg->min_nr_regions > cur_max;
	for (int step = 0; step < 2 && !ret; step++) {
		int do_max = (step == 0) == max_first;
		uint64_t v = do_max ? cfg->max_nr_regions : cfg->min_nr_regions;
		if (v)
			ret = damon_write_u64(d, do_max ? "contexts/0/monitoring_attrs/nr_regions/max"
						      : "contexts/0/monitoring_attrs/nr_regions/min",
					      v, err, errlen);
	}
	if (ret)
		return ret;
	ret = write_targets(d, cfg->nr_targets, cfg->targets, strcmp(cfg->operations, "paddr") != 0,
			    err, errlen);
	if (!ret && cfg->stat_scheme)
		ret = write_stat_scheme(d, err, errlen);
	return ret;
}

/* After a command, the kdamond's state file reads "on" or "off" again. */
static int wait_state(struct dshim_damon *d, const char *want, unsigned timeout_ms, char *state,
		      size_t len)
{
	for (unsigned waited = 0;; waited += 5) {
		int r = damon_read(d, "state", state, len);
		if (r < 0)
			return r;
		if (want ? !strcmp(state, want) : (!strcmp(state, "on") || !strcmp(state, "off")))
			return 0;
		if (waited >= timeout_ms)
			return -ETIMEDOUT;
		sleep_ms(5);
	}
}

static int state_command(struct dshim_damon *d, const char *cmd, char *err, size_t errlen)
{
	char state[64];
	int ret = damon_write(d, "state", cmd, err, errlen);
	if (ret)
		return ret;
	ret = wait_state(d, NULL, 10000, state, sizeof(state));
	if (ret)
		shim_err(err, errlen, "%s/state: no on/off after '%s' (reads '%s')", d->kdamond, cmd,
			 ret == -ETIMEDOUT ? state : strerror(-ret));
	return ret;
}

int dshim_damon_commit_targets(struct dshim_damon *d, size_t nr,
			       const struct dshim_target_config *targets, char *err, size_t errlen)
{
	char ops[32];
	if (damon_read(d, "contexts/0/operations", ops, sizeof(ops)) < 0)
		snprintf(ops, sizeof(ops), "vaddr");
	int ret = write_targets(d, nr, targets, strcmp(ops, "paddr") != 0, err, errlen);
	return ret ? ret : state_command(d, "commit", err, errlen);
}

static void tell_guardian(struct dshim_damon *d, char tag, long pid);

int dshim_damon_start(struct dshim_damon *d, unsigned timeout_ms, char *err, size_t errlen)
{
	char state[64] = "";
	int ret = damon_write(d, "state", "on", err, errlen);

	if (ret)
		return ret;
	d->on = 1;
	for (unsigned waited = 0;; waited += 5) {
		long pid = -1;
		char p[DSHIM_PATH_LEN];
		if (damon_read(d, "state", state, sizeof(state)) >= 0 && !strcmp(state, "on") &&
		    !shim_path(p, sizeof(p), "%s/pid", d->kdamond) && !read_long(p, &pid) && pid > 0) {
			d->pid = pid;
			tell_guardian(d, 'p', pid);
			return 0;
		}
		if (waited >= timeout_ms)
			break;
		sleep_ms(5);
	}
	shim_err(err, errlen, "%s: the kdamond did not start (state '%s', no pid)", d->kdamond,
		 state);
	return -ETIMEDOUT;
}

long dshim_damon_pid(const struct dshim_damon *d)
{
	return d->pid;
}

int dshim_damon_is_on(struct dshim_damon *d, char *err, size_t errlen)
{
	char state[64];
	int r = damon_read(d, "state", state, sizeof(state));
	if (r < 0) {
		shim_err(err, errlen, "%s/state: %s", d->kdamond, strerror(-r));
		return r;
	}
	return !strcmp(state, "on");
}

int dshim_damon_read_intervals(struct dshim_damon *d, int refresh_tuned, uint64_t *sample_us,
			       uint64_t *aggr_us, uint64_t *update_us, char *err, size_t errlen)
{
	static const char *const names[3] = { "sample_us", "aggr_us", "update_us" };
	uint64_t *vals[3] = { sample_us, aggr_us, update_us };

	if (refresh_tuned && d->on && (d->features & DSHIM_FEAT_INTERVALS_GOAL) &&
	    !d->tuned_unsupported) {
		char e2[256];
		/* Kernels before 6.15 reject the keyword; then stop asking. */
		if (state_command(d, "update_tuned_intervals", e2, sizeof(e2)))
			d->tuned_unsupported = 1;
	}
	for (int i = 0; i < 3; i++) {
		char p[DSHIM_PATH_LEN];
		int r = shim_path(p, sizeof(p), "%s/contexts/0/monitoring_attrs/intervals/%s",
				  d->kdamond, names[i]);
		if (!r)
			r = read_u64(p, vals[i]);
		if (r) {
			shim_err(err, errlen, "%s: %s", p, strerror(-r));
			return r;
		}
	}
	return 0;
}

static int read_region_dir(const char *dir, struct dshim_region *r)
{
	static const char *const names[4] = { "start", "end", "nr_accesses", "age" };
	uint64_t v[4];
	char p[DSHIM_PATH_LEN];

	for (int i = 0; i < 4; i++) {
		int ret = shim_path(p, sizeof(p), "%s/%s", dir, names[i]);
		if (!ret)
			ret = read_u64(p, &v[i]);
		if (ret)
			return ret;
	}
	r->start = v[0];
	r->end = v[1];
	r->nr_accesses = v[2] > UINT32_MAX ? UINT32_MAX : (uint32_t)v[2];
	r->age = v[3] > UINT32_MAX ? UINT32_MAX : (uint32_t)v[3];
	return 0;
}

int dshim_damon_tried_regions(struct dshim_damon *d, struct dshim_tried_regions *out,
			      char *err, size_t errlen)
{
	char dir[DSHIM_PATH_LEN];
	int ret;

	if (!(d->features & DSHIM_FEAT_TRIED_REGIONS)) {
		shim_err(err, errlen, "%s: no stat scheme with tried_regions was configured",
			 d->kdamond);
		return -EINVAL;
	}
	ret = state_command(d, "update_schemes_tried_regions", err, errlen);
	if (ret)
		return ret;
	out->nr = 0;
	for (size_t i = 0;; i++) {
		if (shim_path(dir, sizeof(dir), "%s/contexts/0/schemes/0/tried_regions/%zu",
			      d->kdamond, i))
			return -ENAMETOOLONG;
		if (!exists(dir))
			break;
		if (out->nr == out->cap) {
			size_t cap = out->cap ? out->cap * 2 : 64;
			struct dshim_region *nb = realloc(out->regions, cap * sizeof(*nb));
			if (!nb) {
				shim_err(err, errlen, "out of memory");
				return -ENOMEM;
			}
			out->regions = nb;
			out->cap = cap;
		}
		ret = read_region_dir(dir, &out->regions[out->nr]);
		if (ret == -ENOENT)
			break; /* cleared under us: what was read is a partial snapshot */
		if (ret) {
			shim_err(err, errlen, "%s: %s", dir, strerror(-ret));
			return ret;
		}
		out->nr++;
	}
	return 0;
}

void dshim_tried_regions_free(struct dshim_tried_regions *t)
{
	free(t->regions);
	memset(t, 0, sizeof(*t));
}

int dshim_damon_stop(struct dshim_damon *d, unsigned timeout_ms, char *err, size_t errlen)
{
	char state[64] = "";
	int ret;

	if (dshim_damon_is_on(d, NULL, 0) == 1) {
		ret = damon_write(d, "state", "off", err, errlen);
		/* A kdamond whose targets all exited turns itself off and the
		 * kernel then rejects "off": fine. */
		if (ret && dshim_damon_is_on(d, NULL, 0) == 1)
			return ret;
	}
	ret = wait_state(d, "off", timeout_ms, state, sizeof(state));
	if (ret) {
		shim_err(err, errlen, "%s/state: still '%s' after 'off'", d->kdamond, state);
		return ret;
	}
	d->on = 0;
	d->pid = -1;
	return 0;
}

/* What the recorder tells its guardian: 'p' and the kdamond's pid once it
 * started, 'd' when it cleaned up itself.  Each message is one write of at
 * most PIPE_BUF bytes, so it arrives whole. */
struct guard_msg {
	char tag;
	long pid;
};

/* The guardian: wait for the recorder to go away; unless it said it cleaned
 * up, stop and remove the kdamond if it is still the one it created. */
static void guardian_main(struct dshim_damon *d, int fd)
{
	char path[DSHIM_PATH_LEN], state[64];
	struct guard_msg m;
	long pid = -1;
	uint64_t nr = 0;
	ssize_t n;

	for (;;) {
		do
			n = read(fd, &m, sizeof(m));
		while (n < 0 && errno == EINTR);
		if (n != (ssize_t)sizeof(m))
			break; /* EOF: the recorder is gone */
		if (m.tag == 'd')
			_exit(0);
		if (m.tag == 'p')
			d->pid = m.pid;
	}
	/* Ours while it is the only kdamond and runs with the pid we started,
	 * or is off (not started yet, or stopped by itself when its targets
	 * exited): nobody can replace kdamond 0 without removing ours first,
	 * which the recorder never did before releasing this guardian.  With
	 * no pid told, the recorder died while turning it on: what runs is
	 * what it started. */
	if (read_u64(d->nr_kdamonds_path, &nr) || nr != 1 ||
	    shim_path(path, sizeof(path), "%s/pid", d->kdamond) ||
	    damon_read(d, "state", state, sizeof(state)) < 0)
		_exit(0);
	read_long(path, &pid);
	if (strcmp(state, "off") && d->pid > 0 && pid != d->pid)
		_exit(0); /* running, but not the thread we started: leave it */
	/* Ask again now and then: a command the recorder had in flight may
	 * still complete and report "on". */
	for (int i = 0; i < 1000; i++) {
		if (damon_read(d, "state", state, sizeof(state)) < 0 || !strcmp(state, "off"))
			break;
		if (i % 20 == 0)
			damon_write(d, "state", "off", NULL, 0);
		sleep_ms(5);
	}
	if (!read_u64(d->nr_kdamonds_path, &nr) && nr == 1)
		write_text(d->nr_kdamonds_path, "0", NULL, 0);
	_exit(0);
}

/* Send one message to the guardian, if there is one. */
static void tell_guardian(struct dshim_damon *d, char tag, long pid)
{
	struct guard_msg m;
	ssize_t w;

	if (d->guard_fd < 0)
		return;
	memset(&m, 0, sizeof(m));
	m.tag = tag;
	m.pid = pid;
	do
		w = write(d->guard_fd, &m, sizeof(m));
	while (w < 0 && errno == EINTR);
}

int dshim_damon_guard(struct dshim_damon *d, char *err, size_t errlen)
{
	int p[2];

	if (!d->created) {
		shim_err(err, errlen, "%s: no kdamond of this run to guard", d->kdamond);
		return -EINVAL;
	}
	if (d->guard_fd >= 0)
		return 0;
	if (pipe2(p, O_CLOEXEC)) {
		shim_err(err, errlen, "pipe: %s", strerror(errno));
		return -errno;
	}
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		close(p[0]);
		close(p[1]);
		shim_err(err, errlen, "fork: %s", strerror(e));
		return -e;
	}
	if (pid == 0) {
		/* Hold nothing of the recorder's (a command waiting for its
		 * start signal must see EOF if the recorder dies). */
		signal(SIGINT, SIG_IGN);
		signal(SIGTERM, SIG_IGN);
		signal(SIGHUP, SIG_IGN);
		int keep = p[0];
		for (int fd = 3; fd < 4096; fd++)
			if (fd != keep)
				close(fd);
		guardian_main(d, keep);
	}
	close(p[0]);
	d->guardian = pid;
	d->guard_fd = p[1];
	return 0;
}

static void release_guardian(struct dshim_damon *d)
{
	if (d->guard_fd < 0)
		return;
	tell_guardian(d, 'd', 0);
	close(d->guard_fd);
	d->guard_fd = -1;
	while (waitpid(d->guardian, NULL, 0) < 0 && errno == EINTR)
		;
}

int dshim_damon_destroy(struct dshim_damon *d, char *err, size_t errlen)
{
	int first = 0, ret;
	uint64_t nr = 0;

	if (!d)
		return 0;
	/* The guardian goes first: from here on removal is ours to do. */
	release_guardian(d);
	if (d->created) {
		ret = dshim_damon_stop(d, 5000, err, errlen);
		if (ret)
			first = ret;
		/* nr_kdamonds 1 -> 0 removes only ours; if someone added more
		 * since, leave them (and ours) alone. */
		if (!first && !read_u64(d->nr_kdamonds_path, &nr) && nr == 1) {
			ret = write_text(d->nr_kdamonds_path, "0", err, errlen);
			if (ret && !first)
				first = ret;
		} else if (!first) {
			shim_err(err, errlen, "%s: %" PRIu64 " kdamonds now exist; kdamond 0 was left "
				 "in place", d->nr_kdamonds_path, nr);
			first = -EBUSY;
		}
	}
	free(d);
	return first;
}
