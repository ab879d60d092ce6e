// SPDX-License-Identifier: GPL-2.0-only
/*
 * The one maker of temporary files, in $TMPDIR or beside a path (tempfile.h).
 */
#define _DEFAULT_SOURCE /* mkstemps */
#include "tempfile.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "errmsg.h"

#define RANDOM "XXXXXX"

const char *dt_tempfile_dir(void)
{
	const char *dir = getenv("TMPDIR");

	return dir && *dir ? dir : "/tmp";
}

/* Why a file could not be made in `dir`: "cannot create a temporary file
 * in DIR: REASON", a folder too long to show cut by dt_quote(). */
static int dir_fail(char *err, size_t errlen, int e, const char *dir, int from_env)
{
	char q[DT_QUOTE_BUFLEN];
	size_t len = strlen(dir);

	if (e != ENAMETOOLONG)
		return dt_fail(err, errlen, -e, "cannot create a temporary file in %s: %s", dir,
			       strerror(e));
	return dt_fail(err, errlen, -e, "cannot create a temporary file in %s: %s (%s%zu bytes)",
		       dt_quote_str(q, sizeof(q), dir), strerror(e),
		       from_env ? "TMPDIR is " : "", len);
}

/* mkstemps() of the malloc'd template `path`, kept or unlinked. */
static int make(struct dt_tempfile *t, char *path, size_t suffixlen, enum dt_tempfile_keep keep)
{
	int fd = mkstemps(path, (int)suffixlen);

	if (fd < 0) {
		int e = errno;
		free(path);
		return -e;
	}
	if (keep == DT_TEMPFILE_UNLINKED) {
		unlink(path);
		free(path);
		path = NULL;
	}
	t->fd = fd;
	t->path = path;
	return 0;
}

/* "A" "B" "C" "D" in a new string, or NULL: -ENAMETOOLONG past PATH_MAX. */
static char *join(const char *a, const char *b, const char *c, const char *d, int *ret)
{
	size_t la = strlen(a), lb = strlen(b), lc = strlen(c), ld = strlen(d);
	char *s;

	*ret = -ENAMETOOLONG;
	if (la >= PATH_MAX || lb >= PATH_MAX || lc + ld >= PATH_MAX ||
	    la + lb + lc + ld >= PATH_MAX)
		return NULL;
	*ret = -ENOMEM;
	if (!(s = malloc(la + lb + lc + ld + 1)))
		return NULL;
	memcpy(s, a, la);
	memcpy(s + la, b, lb);
	memcpy(s + la + lb, c, lc);
	memcpy(s + la + lb + lc, d, ld + 1);
	return s;
}

int dt_tempfile_create(struct dt_tempfile *t, const char *dir, const char *prefix,
		       const char *suffix, enum dt_tempfile_keep keep, char *err, size_t errlen)
{
	char slash_prefix[NAME_MAX + 2];
	int from_env = 0, ret;

	t->fd = -1;
	t->path = NULL;
	if (!dir) {
		dir = dt_tempfile_dir();
		from_env = 1; /* /tmp itself is never too long */
	}
	if (!suffix)
		suffix = "";
	if (snprintf(slash_prefix, sizeof(slash_prefix), "/%s", prefix) >=
	    (int)sizeof(slash_prefix))
		return dt_fail(err, errlen, -ENAMETOOLONG, "temporary file prefix too long: %s",
			       prefix);
	char *path = join(dir, slash_prefix, RANDOM, suffix, &ret);
	if (!path && ret == -ENOMEM)
		return dt_fail(err, errlen, ret, "out of memory");
	if (path)
		ret = make(t, path, strlen(suffix), keep);
	return ret ? dir_fail(err, errlen, -ret, dir, from_env) : 0;
}

int dt_tempfile_beside(struct dt_tempfile *t, const char *path, const char *tag, char *err,
		       size_t errlen)
{
	int ret;
	char *name = join(path, tag, RANDOM, "", &ret);

	t->fd = -1;
	t->path = NULL;
	if (name)
		ret = make(t, name, 0, DT_TEMPFILE_NAMED);
	if (ret == -ENOMEM)
		return dt_fail(err, errlen, ret, "out of memory");
	return ret ? dt_fail(err, errlen, ret, "%s: cannot create a temporary file beside it: %s",
			     path, strerror(-ret))
		   : 0;
}

int dt_tempfile_rename(struct dt_tempfile *t, const char *dest, char *err, size_t errlen)
{
	if (!t->path)
		return dt_fail(err, errlen, -EINVAL, "%s: the temporary file has no name", dest);
	if (rename(t->path, dest)) {
		int e = errno;
		return dt_fail(err, errlen, -e, "%s: cannot rename %s over it: %s", dest, t->path,
			       strerror(e));
	}
	free(t->path);
	t->path = NULL;
	return 0;
}

void dt_tempfile_delete(struct dt_tempfile *t)
{
	if (t->fd >= 0)
		close(t->fd);
	if (t->path) {
		unlink(t->path);
		free(t->path);
	}
	t->fd = -1;
	t->path = NULL;
}
