// SPDX-License-Identifier: GPL-2.0-only
/*
 * Raw capture files (damo-record --dump-raw, --replay-raw): writing the
 * header and the perf records as read from the ring buffer, and reading
 * them back one record at a time.  Nothing here needs a kernel.
 */
#define _GNU_SOURCE
#include "damon_shim.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "shim_internal.h"

#define CAPTURE_MAGIC "DAMOTRACE-RAW 1\n"

struct dshim_capture {
	FILE *f;
	char path[DSHIM_PATH_LEN];
};

int dshim_capture_create(struct dshim_capture **out, const char *path, uint64_t sample_type,
			 const char *format_text, char *err, size_t errlen)
{
	struct dshim_capture *c = calloc(1, sizeof(*c));
	if (!c) {
		shim_err(err, errlen, "out of memory");
		return -ENOMEM;
	}
	snprintf(c->path, sizeof(c->path), "%s", path);
	/* A debugging file may hold addresses: readable by its owner only. */
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	c->f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!c->f) {
		if (fd >= 0)
			close(fd);
		int e = -errno;
		shim_err(err, errlen, "%s: %s", path, strerror(errno));
		free(c);
		return e;
	}
	if (!sample_type)
		sample_type = PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_CPU | PERF_SAMPLE_RAW;
	size_t flen = format_text ? strlen(format_text) : 0;
	fprintf(c->f, CAPTURE_MAGIC "sample_type %" PRIu64 "\nformat %zu\n", sample_type, flen);
	if (flen)
		fwrite(format_text, 1, flen, c->f);
	fputs("\nrecords\n", c->f);
	if (ferror(c->f)) {
		int e = -errno;
		shim_err(err, errlen, "%s: %s", path, strerror(errno));
		fclose(c->f);
		free(c);
		return e ? e : -EIO;
	}
	*out = c;
	return 0;
}

int dshim_capture_put(struct dshim_capture *c, const void *record, size_t len, char *err,
		      size_t errlen)
{
	if (fwrite(record, 1, len, c->f) != len) {
		int e = errno ? -errno : -EIO;
		shim_err(err, errlen, "%s: %s", c->path, strerror(-e));
		return e;
	}
	return 0;
}

int dshim_capture_fd(const struct dshim_capture *c)
{
	return fileno(c->f);
}

int dshim_capture_close(struct dshim_capture *c, char *err, size_t errlen)
{
	if (!c)
		return 0;
	int e = 0;
	if (fclose(c->f)) {
		e = -errno;
		shim_err(err, errlen, "%s: %s", c->path, strerror(errno));
	}
	free(c);
	return e;
}

struct dshim_capture_reader {
	FILE *f;
	char path[DSHIM_PATH_LEN];
	uint64_t sample_type;
	char *format;
	unsigned char *buf;
	size_t cap;
	uint64_t offset;
};

int dshim_capture_open(struct dshim_capture_reader **out, const char *path, char *err,
		       size_t errlen)
{
	struct dshim_capture_reader *r = calloc(1, sizeof(*r));
	char line[128];
	size_t flen;
	unsigned long long st;

	if (!r) {
		shim_err(err, errlen, "out of memory");
		return -ENOMEM;
	}
	snprintf(r->path, sizeof(r->path), "%s", path);
	r->f = fopen(path, "re");
	if (!r->f) {
		int e = -errno;
		shim_err(err, errlen, "%s: %s", path, strerror(errno));
		free(r);
		return e;
	}
	if (!fgets(line, sizeof(line), r->f)) {
		/* A directory opens, and fails only when read. */
		if (ferror(r->f))
			shim_err(err, errlen, "%s: %s", path, strerror(errno));
		else
			shim_err(err, errlen, "%s: empty, not a damotrace raw capture", path);
		goto bad;
	}
	if (strcmp(line, CAPTURE_MAGIC)) {
		shim_err(err, errlen, "%s: offset 0: not a damotrace raw capture", path);
		goto bad;
	}
	if (!fgets(line, sizeof(line), r->f) || sscanf(line, "sample_type %llu", &st) != 1 ||
	    !fgets(line, sizeof(line), r->f) || sscanf(line, "format %zu", &flen) != 1 ||
	    flen > (1u << 20)) {
		shim_err(err, errlen, "%s: offset %ld: bad capture header", path, ftell(r->f));
		goto bad;
	}
	r->sample_type = st;
	r->format = malloc(flen + 1);
	if (!r->format || fread(r->format, 1, flen, r->f) != flen) {
		shim_err(err, errlen, "%s: offset %ld: truncated format text", path, ftell(r->f));
		goto bad;
	}
	r->format[flen] = '\0';
	if (!fgets(line, sizeof(line), r->f) || strcmp(line, "\n") ||
	    !fgets(line, sizeof(line), r->f) || strcmp(line, "records\n")) {
		shim_err(err, errlen, "%s: offset %ld: bad capture header", path, ftell(r->f));
		goto bad;
	}
	r->offset = (uint64_t)ftell(r->f);
	*out = r;
	return 0;
bad:
	dshim_capture_close_reader(r);
	return -EINVAL;
}

uint64_t dshim_capture_sample_type(const struct dshim_capture_reader *r)
{
	return r->sample_type;
}

const char *dshim_capture_format_text(const struct dshim_capture_reader *r)
{
	return r->format;
}

int dshim_capture_next(struct dshim_capture_reader *r, const void **record, size_t *len,
		       char *err, size_t errlen)
{
	struct perf_event_header h;
	size_t got = fread(&h, 1, sizeof(h), r->f);

	if (got == 0 && feof(r->f))
		return 0;
	if (ferror(r->f)) {
		shim_err(err, errlen, "%s: offset %" PRIu64 ": %s", r->path, r->offset,
			 strerror(errno));
		return -EIO;
	}
	if (got != sizeof(h) || h.size < sizeof(h)) {
		shim_err(err, errlen, "%s: offset %" PRIu64 ": truncated or bad record header",
			 r->path, r->offset);
		return -EINVAL;
	}
	if (h.size > r->cap) {
		unsigned char *nb = realloc(r->buf, 65536);
		if (!nb) {
			shim_err(err, errlen, "out of memory");
			return -ENOMEM;
		}
		r->buf = nb;
		r->cap = 65536;
	}
	memcpy(r->buf, &h, sizeof(h));
	if (fread(r->buf + sizeof(h), 1, h.size - sizeof(h), r->f) != h.size - sizeof(h)) {
		if (ferror(r->f)) {
			shim_err(err, errlen, "%s: offset %" PRIu64 ": %s", r->path, r->offset,
				 strerror(errno));
			return -EIO;
		}
		shim_err(err, errlen, "%s: offset %" PRIu64 ": truncated record of %u bytes",
			 r->path, r->offset, h.size);
		return -EINVAL;
	}
	r->offset += h.size;
	*record = r->buf;
	*len = h.size;
	return 1;
}

void dshim_capture_close_reader(struct dshim_capture_reader *r)
{
	if (!r)
		return;
	if (r->f)
		fclose(r->f);
	free(r->format);
	free(r->buf);
	free(r);
}
