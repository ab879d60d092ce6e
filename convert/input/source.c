// SPDX-License-Identifier: GPL-2.0-only
/*
 * What the importers share (input_internal.h): the byte source they read
 * through, and damo's estimate of a record's first snapshot start.
 */
#include "input_internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ------------------------------------------------------------ byte source */

ssize_t dt_src_read(struct dt_src *s, void *buf, size_t len, char *err, size_t errlen)
{
	if (s->mem && s->mem_pos < s->mem_len) {
		size_t n = s->mem_len - s->mem_pos;
		if (n > len)
			n = len;
		memcpy(buf, s->mem + s->mem_pos, n);
		s->mem_pos += n;
		s->offset += n;
		return (ssize_t)n;
	}
	if (s->fd < 0)
		return 0;
	for (;;) {
		ssize_t n = read(s->fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;
			if (errlen)
				snprintf(err, errlen, "%s: read error at byte offset %llu: %s",
					 s->name, (unsigned long long)s->offset, strerror(e));
			return -e;
		}
		s->offset += (uint64_t)n;
		return n;
	}
}

int dt_src_read_full(struct dt_src *s, void *buf, size_t len, const char *what,
		     char *err, size_t errlen)
{
	size_t got = 0;
	uint64_t start = s->offset;

	while (got < len) {
		ssize_t n = dt_src_read(s, (char *)buf + got, len - got, err, errlen);
		if (n < 0)
			return (int)n;
		if (n == 0) {
			if (errlen)
				snprintf(err, errlen,
					 "%s: truncated at byte offset %llu: %s needs %zu bytes, "
					 "%zu left", s->name, (unsigned long long)start, what, len,
					 got);
			return -EIO;
		}
		got += (size_t)n;
	}
	return 0;
}

int dt_src_skip(struct dt_src *s, uint64_t len, const char *what, char *err, size_t errlen)
{
	unsigned char tmp[4096];

	if (s->fd >= 0 && !s->mem && s->seekable) {
		struct stat st;
		if (!fstat(s->fd, &st) && (uint64_t)st.st_size >= s->offset &&
		    (uint64_t)st.st_size - s->offset < len) {
			if (errlen)
				snprintf(err, errlen,
					 "%s: truncated at byte offset %llu: %s needs %llu bytes, "
					 "%llu left", s->name, (unsigned long long)s->offset, what,
					 (unsigned long long)len,
					 (unsigned long long)((uint64_t)st.st_size - s->offset));
			return -EIO;
		}
		if (lseek(s->fd, (off_t)len, SEEK_CUR) < 0)
			return -errno;
		s->offset += len;
		return 0;
	}
	while (len) {
		size_t n = len > sizeof(tmp) ? sizeof(tmp) : (size_t)len;
		int ret = dt_src_read_full(s, tmp, n, what, err, errlen);
		if (ret)
			return ret;
		len -= n;
	}
	return 0;
}

int dt_src_rewind(struct dt_src *s, char *err, size_t errlen)
{
	if (!s->seekable) {
		if (errlen)
			snprintf(err, errlen, "%s: cannot read the input twice", s->name);
		return -ESPIPE;
	}
	if (s->fd >= 0 && lseek(s->fd, 0, SEEK_SET) < 0) {
		int e = errno;
		if (errlen)
			snprintf(err, errlen, "%s: %s", s->name, strerror(e));
		return -e;
	}
	s->mem_pos = 0;
	s->offset = 0;
	return 0;
}

uint64_t dt_damo_first_start(uint64_t first_end, uint64_t last_end, uint64_t nr_snapshots)
{
	if (nr_snapshots < 2 || last_end < first_end)
		return first_end;
	double mean = (double)(last_end - first_end) / (double)(nr_snapshots - 1);
	double start = (double)first_end - mean;
	if (start <= 0)
		return 0;
	if (start >= 18446744073709551615.0)
		return first_end;
	/* Beyond 2^53 ns the double may round up past the end. */
	uint64_t v = (uint64_t)start;
	return v > first_end ? first_end : v;
}
