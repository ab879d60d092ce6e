// SPDX-License-Identifier: GPL-2.0-only
/*
 * The one maker of temporary files, in $TMPDIR or beside a path, named or
 * anonymous, and the signal handler that removes the named ones when the
 * process is killed (tempfile.h).
 */
#define _GNU_SOURCE /* mkstemps, O_TMPFILE */
#include "tempfile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
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

/* ------------------------------------------------------------ signal guard */

/* The names of the named temporary files alive now, for the handler: the
 * one global state of convert/util (a signal handler has no other way to
 * know them).  A slot is written only while the signals are blocked. */
static struct {
	volatile sig_atomic_t used;
	char name[PATH_MAX];
} guards[DT_TEMPFILE_GUARDS];
static const int guarded_signals[] = { SIGINT, SIGTERM, SIGHUP };
static int handler_installed;

static void remove_guarded(int sig)
{
	int e = errno;

	for (int i = 0; i < DT_TEMPFILE_GUARDS; i++)
		if (guards[i].used)
			unlink(guards[i].name);
	errno = e;
	raise(sig); /* SA_RESETHAND: the default action, once unblocked */
}

/* The handler, where the disposition is still the default one. */
static void install_handler(void)
{
	struct sigaction sa = { .sa_handler = remove_guarded, .sa_flags = SA_RESETHAND };

	if (handler_installed)
		return;
	handler_installed = 1;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(guarded_signals) / sizeof(*guarded_signals); i++) {
		struct sigaction old;
		if (!sigaction(guarded_signals[i], NULL, &old) && old.sa_handler == SIG_DFL &&
		    !(old.sa_flags & SA_SIGINFO))
			sigaction(guarded_signals[i], &sa, NULL);
	}
}

/* Blocks (block 1) or restores (block 0) the guarded signals. */
static void block_signals(int block, sigset_t *saved)
{
	if (block) {
		sigset_t set;
		sigemptyset(&set);
		for (size_t i = 0; i < sizeof(guarded_signals) / sizeof(*guarded_signals); i++)
			sigaddset(&set, guarded_signals[i]);
		sigprocmask(SIG_BLOCK, &set, saved);
	} else {
		sigprocmask(SIG_SETMASK, saved, NULL);
	}
}

/* A free slot holding `name` (signals blocked by the caller), or -EMFILE. */
static int guard(const char *name)
{
	install_handler();
	for (int i = 0; i < DT_TEMPFILE_GUARDS; i++)
		if (!guards[i].used) {
			snprintf(guards[i].name, sizeof(guards[i].name), "%s", name);
			guards[i].used = 1;
			return i;
		}
	return -EMFILE;
}

static void unguard(int slot)
{
	if (slot >= 0 && slot < DT_TEMPFILE_GUARDS)
		guards[slot].used = 0;
}

/* mkstemps() of the malloc'd template `path`, kept (and guarded) or
 * unlinked. */
static int make(struct dt_tempfile *t, char *path, size_t suffixlen, enum dt_tempfile_keep keep)
{
	sigset_t saved;
	int slot = -1;

	block_signals(1, &saved);
	int fd = mkstemps(path, (int)suffixlen);
	if (fd >= 0 && keep == DT_TEMPFILE_NAMED && (slot = guard(path)) < 0) {
		unlink(path);
		close(fd);
		fd = -1;
		errno = EMFILE;
	}
	block_signals(0, &saved);
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
	t->guard = slot;
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

	*t = (struct dt_tempfile){ .fd = -1, .guard = -1 };
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

	*t = (struct dt_tempfile){ .fd = -1, .guard = -1 };
	if (name)
		ret = make(t, name, 0, DT_TEMPFILE_NAMED);
	if (ret == -ENOMEM)
		return dt_fail(err, errlen, ret, "out of memory");
	return ret ? dt_fail(err, errlen, ret, "%s: cannot create a temporary file beside it: %s",
			     path, strerror(-ret))
		   : 0;
}

int dt_tempfile_anonymous(struct dt_tempfile *t, const char *dir, unsigned mode, char *err,
			  size_t errlen)
{
	*t = (struct dt_tempfile){ .fd = -1, .guard = -1 };
	if (access("/proc/self/fd", X_OK))
		return -EOPNOTSUPP; /* linkat could not give it a name */
	int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, (mode_t)mode);
	if (fd < 0) {
		int e = errno;
		if (e == EOPNOTSUPP || e == EISDIR || e == EINVAL || e == ENOENT)
			return e == ENOENT && access(dir, F_OK) ? dir_fail(err, errlen, e, dir, 0)
							       : -EOPNOTSUPP;
		return dir_fail(err, errlen, e, dir, 0);
	}
	t->fd = fd;
	t->anon = 1;
	return 0;
}

/* The folder part of `path` ("." when none) into buf: 0 or -ENAMETOOLONG. */
static int dir_of(char *buf, size_t len, const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return snprintf(buf, len, ".") < (int)len ? 0 : -ENAMETOOLONG;
	size_t n = slash == path ? 1 : (size_t)(slash - path);
	if (n >= len)
		return -ENAMETOOLONG;
	memcpy(buf, path, n);
	buf[n] = '\0';
	return 0;
}

/* Links the anonymous file under a new guarded name in dest's folder (the
 * signals blocked by the caller): 0, or a negative errno. */
static int link_anonymous(struct dt_tempfile *t, const char *dest)
{
	char dir[PATH_MAX], proc[64], name[PATH_MAX];
	static unsigned serial;
	int ret = dir_of(dir, sizeof(dir), dest);

	if (ret)
		return ret;
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", t->fd);
	for (int tries = 0; tries < 100; tries++) {
		if (snprintf(name, sizeof(name), "%s/.dt%ld.%u", dir, (long)getpid(), serial++) >=
		    (int)sizeof(name))
			return -ENAMETOOLONG;
		if (!linkat(AT_FDCWD, proc, AT_FDCWD, name, AT_SYMLINK_FOLLOW))
			break;
		if (errno != EEXIST)
			return -errno;
	}
	if (access(name, F_OK))
		return -EEXIST;
	if ((t->guard = guard(name)) < 0 || !(t->path = strdup(name))) {
		ret = t->guard < 0 ? t->guard : -ENOMEM;
		unguard(t->guard);
		t->guard = -1;
		unlink(name);
		return ret;
	}
	t->anon = 0;
	return 0;
}

int dt_tempfile_rename(struct dt_tempfile *t, const char *dest, char *err, size_t errlen)
{
	sigset_t saved;
	int ret = 0;

	block_signals(1, &saved);
	if (t->anon && !t->path && t->fd >= 0 && (ret = link_anonymous(t, dest))) {
		block_signals(0, &saved);
		return dt_fail(err, errlen, ret, "%s: cannot give the new file a name: %s", dest,
			       strerror(-ret));
	}
	if (!t->path) {
		block_signals(0, &saved);
		return dt_fail(err, errlen, -EINVAL, "%s: the temporary file has no name", dest);
	}
	if (rename(t->path, dest)) {
		int e = errno;
		block_signals(0, &saved);
		return dt_fail(err, errlen, -e, "%s: cannot rename %s over it: %s", dest, t->path,
			       strerror(e));
	}
	unguard(t->guard);
	t->guard = -1;
	block_signals(0, &saved);
	free(t->path);
	t->path = NULL;
	return 0;
}

void dt_tempfile_delete(struct dt_tempfile *t)
{
	sigset_t saved;

	if (t->fd >= 0)
		close(t->fd);
	block_signals(1, &saved);
	if (t->path) {
		unlink(t->path);
		unguard(t->guard);
	}
	block_signals(0, &saved);
	free(t->path);
	t->fd = -1;
	t->path = NULL;
	t->guard = -1;
	t->anon = 0;
}

void dt_tempfile_forget(struct dt_tempfile *t)
{
	sigset_t saved;

	block_signals(1, &saved);
	unguard(t->guard);
	block_signals(0, &saved);
	t->guard = -1;
}
