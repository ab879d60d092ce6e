// SPDX-License-Identifier: GPL-2.0-only
/*
 * Inputs read once: what cannot be read twice is copied once into an
 * unlinked temporary file that the process opens again by its /proc name
 * (input.h, "read once").
 */
#include "input.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "errmsg.h"
#include "fileio.h"
#include "tempfile.h"

int dt_input_is_stream(const char *path)
{
	struct stat st;

	if (!strcmp(path, "-"))
		return !(!fstat(STDIN_FILENO, &st) && S_ISREG(st.st_mode) &&
			 lseek(STDIN_FILENO, 0, SEEK_CUR) == 0);
	return !stat(path, &st) && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode);
}

/* Copies everything of `from` into `to`: 0, or a negative errno; *failed_in
 * says which side failed (1: reading). */
static int copy_all(int from, int to, int *failed_in)
{
	char buf[65536];
	ssize_t n;

	while ((n = read(from, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		*failed_in = 1;
		if (n < 0)
			return -errno;
		*failed_in = 0;
		int ret = dt_write_all(to, buf, (size_t)n);
		if (ret)
			return ret;
	}
	return 0;
}

/* The copy of the stream `path` in a new unlinked file: its descriptor, or
 * a negative errno with a message. */
static int spool_stream(const char *path, const char *name, char *err, size_t errlen)
{
	struct dt_tempfile t;
	char why[DT_QUOTE_BUFLEN + 128];
	int is_stdin = !strcmp(path, "-"), in_side = 0;
	int from = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);

	if (from < 0)
		return dt_fail(err, errlen, -errno, "%s: %s", name, strerror(errno));
	struct stat st; /* as every input says it */
	if (!is_stdin && !fstat(from, &st) && S_ISDIR(st.st_mode)) {
		close(from);
		return dt_fail(err, errlen, -EISDIR, "%s: is a directory", name);
	}
	int ret = dt_tempfile_create(&t, NULL, "damotrace-input.", NULL, DT_TEMPFILE_UNLINKED,
				     why, sizeof(why));
	if (ret) {
		ret = dt_fail(err, errlen, ret, "%s: cannot keep a copy to read again: %s", name,
			      why);
	} else if ((ret = copy_all(from, t.fd, &in_side))) {
		ret = in_side ? dt_fail(err, errlen, ret, "%s: read: %s", name, strerror(-ret))
			      : dt_fail(err, errlen, ret, "%s: cannot keep a copy to read again "
						       "in %s: %s", name, dt_tempfile_dir(),
					strerror(-ret));
		dt_tempfile_delete(&t);
	}
	if (!is_stdin)
		close(from);
	return ret ? ret : t.fd;
}

int dt_input_spool(struct dt_input_spool *s, const char *path, char *err, size_t errlen)
{
	int is_stdin = !strcmp(path, "-");

	*s = (struct dt_input_spool){ .path = path, .name = is_stdin ? "stdin" : path, .fd = -1 };
	if (!dt_input_is_stream(path) && !is_stdin)
		return 0;
	/* A closed stdin would be the spool's own descriptor. */
	if (is_stdin && fcntl(STDIN_FILENO, F_GETFD) < 0)
		return dt_fail(err, errlen, -errno, "stdin: %s", strerror(errno));
	int fd = dt_input_is_stream(path) ? spool_stream(path, s->name, err, errlen) : STDIN_FILENO;
	if (fd < 0)
		return fd;
	if (fd != STDIN_FILENO)
		s->fd = fd;
	snprintf(s->proc_path, sizeof(s->proc_path), "/proc/%ld/fd/%d", (long)getpid(), fd);
	s->path = s->proc_path;
	return 0;
}

void dt_input_spool_rename(const struct dt_input_spool *s, char *err, size_t errlen)
{
	char *at;

	if (s->path != s->proc_path || !errlen || !(at = strstr(err, s->proc_path)))
		return;
	char rest[512];
	snprintf(rest, sizeof(rest), "%s", at + strlen(s->proc_path));
	*at = '\0';
	size_t head = strlen(err);
	snprintf(err + head, errlen - head, "%s%s", s->name, rest);
}

void dt_input_spool_release(struct dt_input_spool *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}
