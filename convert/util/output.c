// SPDX-License-Identifier: GPL-2.0-only
/*
 * The one output routine (output.h): a regular file is written beside its
 * target and renamed over it when complete; what is not a regular file is
 * written directly; standard output is a stream.
 */
#define _GNU_SOURCE /* faccessat's AT_EACCESS */
#include "output.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "errmsg.h"

enum { KIND_STDOUT, KIND_DIRECT, KIND_REPLACE };

/* Symbolic links followed at most, as the kernel's MAXSYMLINKS. */
#define MAX_LINKS 40

int dt_output_is_stdout(const char *path)
{
	return !path || !strcmp(path, "-");
}

/* ------------------------------------------------------------ inputs */

static int same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

int dt_output_check_inputs(const char *path, const struct dt_output_opts *opts, char *err,
			   size_t errlen)
{
	struct stat out, in;

	if (!opts || dt_output_is_stdout(path) || stat(path, &out))
		return 0;
	for (size_t i = 0; i < opts->nr_inputs; i++) {
		const char *name = opts->inputs[i];
		if (!name)
			continue;
		int r = strcmp(name, "-") ? stat(name, &in) : fstat(STDIN_FILENO, &in);
		if (!r && same_file(&out, &in))
			return dt_fail(err, errlen, -EINVAL,
				       "%s is the input %s: refusing to write over it", path,
				       strcmp(name, "-") ? name : "(stdin)");
	}
	return 0;
}

/* ------------------------------------------------------------ resolving */

/* The folder of `path` into buf ("." when none): 0 or -ENAMETOOLONG. */
static int dir_of(char *buf, size_t len, const char *path)
{
	const char *slash = strrchr(path, '/');
	size_t n = !slash ? 1 : slash == path ? 1 : (size_t)(slash - path);

	if (n >= len)
		return -ENAMETOOLONG;
	memcpy(buf, slash ? path : ".", n);
	buf[n] = '\0';
	return 0;
}

static int is_magic(const char *p)
{
	return !strncmp(p, "/proc/", 6) || !strncmp(p, "/dev/fd/", 8);
}

/* Follows the symbolic links of `path` into cur (PATH_MAX bytes): the file
 * a rename must replace, which may not exist.  *magic set when a link goes
 * through /proc (a descriptor's link, written directly).  0 or -errno. */
static int resolve(const char *path, char cur[PATH_MAX], int *magic)
{
	char target[PATH_MAX], dir[PATH_MAX];
	struct stat st;

	if (snprintf(cur, PATH_MAX, "%s", path) >= PATH_MAX)
		return -ENAMETOOLONG;
	*magic = is_magic(cur);
	for (int i = 0; i < MAX_LINKS; i++) {
		if (lstat(cur, &st))
			return errno == ENOENT ? 0 : -errno;
		if (!S_ISLNK(st.st_mode))
			return 0;
		ssize_t n = readlink(cur, target, sizeof(target) - 1);
		if (n < 0)
			return -errno;
		target[n] = '\0';
		if (target[0] != '/') {
			int ret = dir_of(dir, sizeof(dir), cur);
			if (ret || snprintf(cur, PATH_MAX, "%s/%s", dir, target) >= PATH_MAX)
				return -ENAMETOOLONG;
		} else {
			memcpy(cur, target, (size_t)n + 1);
		}
		*magic |= is_magic(cur);
	}
	return -ELOOP;
}

/* `path` resolved, with its folder made absolute, into buf (PATH_MAX). */
static int canonical(const char *path, char buf[PATH_MAX])
{
	char cur[PATH_MAX], dir[PATH_MAX], real[PATH_MAX];
	int magic;

	if (resolve(path, cur, &magic) || dir_of(dir, sizeof(dir), cur) || !realpath(dir, real))
		return -1;
	const char *base = strrchr(cur, '/');
	base = base ? base + 1 : cur;
	return snprintf(buf, PATH_MAX, "%s/%s", real, base) >= PATH_MAX ? -1 : 0;
}

int dt_output_same(const char *a, const char *b)
{
	char ca[PATH_MAX], cb[PATH_MAX];
	struct stat sa, sb;

	if (dt_output_is_stdout(a) || dt_output_is_stdout(b))
		return dt_output_is_stdout(a) && dt_output_is_stdout(b);
	if (!stat(a, &sa) && !stat(b, &sb))
		return same_file(&sa, &sb);
	return !strcmp(a, b) || (!canonical(a, ca) && !canonical(b, cb) && !strcmp(ca, cb));
}

/* ------------------------------------------------------------ opening */

static unsigned current_umask(void)
{
	mode_t m = umask(022);

	umask(m);
	return (unsigned)m;
}

/* Why the existing regular file `dest` may not be replaced: 0 when it may. */
static int check_replaceable(const char *name, const char *dest, const struct stat *st,
			     char *err, size_t errlen)
{
	if (st->st_nlink > 1)
		return dt_fail(err, errlen, -EMLINK,
			       "%s has %lu hard links: replacing it would cut it from the others "
			       "(remove it first, or write elsewhere)",
			       name, (unsigned long)st->st_nlink);
	if (geteuid() != 0 && faccessat(AT_FDCWD, dest, W_OK, AT_EACCESS) && errno == EACCES)
		return dt_fail(err, errlen, -EACCES, "%s is write-protected: not replacing it",
			       name);
	return 0;
}

/* The temporary file in dest's folder, with the old file's mode and owner
 * (st NULL: a new file, 0666 less the umask). */
static int make_temp(struct dt_output *o, const char *dest, const struct stat *st, char *err,
		     size_t errlen)
{
	char dir[PATH_MAX], why[PATH_MAX + 128];
	unsigned mode = st ? (unsigned)(st->st_mode & 07777) : 0666 & ~current_umask();
	int ret = dir_of(dir, sizeof(dir), dest);

	if (ret)
		return dt_fail(err, errlen, ret, "%s: name too long", o->name);
	ret = dt_tempfile_anonymous(&o->tmp, dir, mode, why, sizeof(why));
	if (ret == -EOPNOTSUPP)
		ret = dt_tempfile_create(&o->tmp, dir, ".dt", NULL, DT_TEMPFILE_NAMED, why,
					 sizeof(why));
	if (ret == -ENOENT || ret == -ENOTDIR || ret == -EACCES || ret == -EROFS)
		return dt_fail(err, errlen, ret, "%s: cannot create: %s", o->name, strerror(-ret));
	if (ret)
		return dt_fail(err, errlen, ret, "%s: %s", o->name, why);
	if (fchmod(o->tmp.fd, (mode_t)mode)) {
		ret = dt_fail(err, errlen, -errno, "%s: %s", o->name, strerror(errno));
		dt_tempfile_delete(&o->tmp);
		return ret;
	}
	/* The owner is kept where allowed (root, or a group of ours). */
	if (st && (st->st_uid != geteuid() || st->st_gid != getegid()) &&
	    fchown(o->tmp.fd, st->st_uid, st->st_gid) && fchown(o->tmp.fd, (uid_t)-1, st->st_gid))
		errno = 0;
	o->fd = o->tmp.fd;
	return 0;
}

static int open_direct(struct dt_output *o, const char *path, char *err, size_t errlen)
{
	o->kind = KIND_DIRECT;
	o->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (o->fd < 0)
		return dt_fail(err, errlen, -errno, "%s: cannot create: %s", path, strerror(errno));
	return 0;
}

int dt_output_open(struct dt_output *o, const char *path, const struct dt_output_opts *opts,
		   char *err, size_t errlen)
{
	char dest[PATH_MAX];
	struct stat st;
	int magic, ret;

	*o = (struct dt_output){ .fd = STDOUT_FILENO, .name = path ? path : "stdout",
				 .kind = KIND_STDOUT, .tmp = { .fd = -1, .guard = -1 } };
	if (dt_output_is_stdout(path)) {
		o->name = "stdout";
		return 0;
	}
	if ((ret = dt_output_check_inputs(path, opts, err, errlen)))
		return ret;
	if ((ret = resolve(path, dest, &magic)))
		return dt_fail(err, errlen, ret, "%s: cannot create: %s", path, strerror(-ret));
	int exists = !stat(dest, &st);
	if (magic || (exists && !S_ISREG(st.st_mode)))
		return open_direct(o, path, err, errlen);
	if (exists && (ret = check_replaceable(path, dest, &st, err, errlen)))
		return ret;
	if (!(o->dest = strdup(dest)))
		return dt_fail(err, errlen, -ENOMEM, "out of memory");
	o->kind = KIND_REPLACE;
	if ((ret = make_temp(o, dest, exists ? &st : NULL, err, errlen))) {
		free(o->dest);
		o->dest = NULL;
	}
	return ret;
}

FILE *dt_output_stream(struct dt_output *o)
{
	if (!o->fp)
		o->fp = o->kind == KIND_STDOUT ? stdout : fdopen(o->fd, "w");
	return o->fp;
}

/* ------------------------------------------------------------ finishing */

/* Flushes the stream: 0, or the errno of what was lost (EIO when unknown). */
static int flush_stream(struct dt_output *o)
{
	if (!o->fp)
		return 0;
	errno = 0;
	int bad = fflush(o->fp) | ferror(o->fp);
	return bad ? (errno ? errno : EIO) : 0;
}

/* Closes the descriptor (through the stream when there is one). */
static int close_fd(struct dt_output *o)
{
	int r = 0;

	if (o->kind == KIND_STDOUT)
		return 0;
	if (o->fp)
		r = fclose(o->fp);
	else if (o->fd >= 0)
		r = close(o->fd);
	o->fp = NULL;
	o->fd = o->tmp.fd = -1;
	return r ? (errno ? errno : EIO) : 0;
}

static void sync_dir(const char *dest)
{
	char dir[PATH_MAX];

	if (dir_of(dir, sizeof(dir), dest))
		return;
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

int dt_output_commit(struct dt_output *o, char *err, size_t errlen)
{
	int e = flush_stream(o), ret = 0;

	if (!e && o->kind == KIND_REPLACE && fsync(o->fd))
		e = errno;
	if (e) {
		ret = dt_fail(err, errlen, -e, "%s: cannot write: %s", o->name, strerror(e));
		dt_output_abort(o);
		return ret;
	}
	if (o->kind == KIND_REPLACE) {
		char why[PATH_MAX + 128];
		if ((ret = dt_tempfile_rename(&o->tmp, o->dest, why, sizeof(why)))) {
			dt_output_abort(o);
			return dt_fail(err, errlen, ret, "%s: %s", o->name, why);
		}
		sync_dir(o->dest);
	}
	if ((e = close_fd(o)))
		ret = dt_fail(err, errlen, -e, "%s: cannot write: %s", o->name, strerror(e));
	free(o->dest);
	o->dest = NULL;
	return ret;
}

void dt_output_abort(struct dt_output *o)
{
	close_fd(o);
	dt_tempfile_delete(&o->tmp);
	free(o->dest);
	o->dest = NULL;
}
