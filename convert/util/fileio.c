// SPDX-License-Identifier: GPL-2.0-only
/* Whole reads and writes on descriptors (fileio.h). */
#define _DEFAULT_SOURCE /* pread, pwrite */
#include "fileio.h"

#include <errno.h>
#include <unistd.h>

/* All len bytes: at the descriptor's offset, or at `at` when positioned. */
static int write_all(int fd, const void *buf, size_t len, int positioned, uint64_t at)
{
	const char *p = buf;

	while (len) {
		ssize_t n = positioned ? pwrite(fd, p, len, (off_t)at) : write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
		at += (uint64_t)n;
	}
	return 0;
}

int dt_write_all(int fd, const void *buf, size_t len)
{
	return write_all(fd, buf, len, 0, 0);
}

int dt_pwrite_all(int fd, const void *buf, size_t len, uint64_t at)
{
	return write_all(fd, buf, len, 1, at);
}

int dt_pread_all(int fd, void *buf, size_t len, uint64_t at)
{
	char *p = buf;

	while (len) {
		ssize_t n = pread(fd, p, len, (off_t)at);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		p += n;
		len -= (size_t)n;
		at += (uint64_t)n;
	}
	return 0;
}
