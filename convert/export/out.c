// SPDX-License-Identifier: GPL-2.0-only
/*
 * The exporters' buffered, optionally zlib-compressed output (dt_out in
 * export_internal.h).
 */
#include "export_internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ------------------------------------------------------------ output */

static void raw_write(struct dt_out *o, const void *data, size_t len)
{
	const char *p = data;

	while (len && !o->error) {
		ssize_t n = write(o->fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			o->error = -errno;
			return;
		}
		p += n;
		len -= (size_t)n;
	}
}

static void flush_buf(struct dt_out *o, int finish)
{
	if (!o->zlib) {
		raw_write(o, o->buf, o->len);
		o->len = 0;
		return;
	}
	o->zs.next_in = o->buf;
	o->zs.avail_in = (uInt)o->len;
	for (;;) {
		o->zs.next_out = o->zbuf;
		o->zs.avail_out = sizeof(o->zbuf);
		int r = deflate(&o->zs, finish ? Z_FINISH : Z_NO_FLUSH);
		raw_write(o, o->zbuf, sizeof(o->zbuf) - o->zs.avail_out);
		if (r == Z_STREAM_ERROR) {
			o->error = -EIO;
			break;
		}
		if (finish ? r == Z_STREAM_END : (o->zs.avail_in == 0 && o->zs.avail_out != 0))
			break;
	}
	o->len = 0;
}

int dt_out_init(struct dt_out *o, int fd, const char *name, int zlib)
{
	memset(o, 0, sizeof(*o));
	o->fd = fd;
	o->name = name;
	o->zlib = zlib;
	if (zlib && deflateInit(&o->zs, Z_DEFAULT_COMPRESSION) != Z_OK)
		return -ENOMEM;
	return 0;
}

void dt_out_write(struct dt_out *o, const void *data, size_t len)
{
	const char *p = data;

	while (len) {
		size_t room = sizeof(o->buf) - o->len;
		size_t n = len < room ? len : room;
		memcpy(o->buf + o->len, p, n);
		o->len += n;
		p += n;
		len -= n;
		if (o->len == sizeof(o->buf))
			flush_buf(o, 0);
	}
}

void dt_out_printf(struct dt_out *o, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof(line)) {
		dt_out_write(o, line, (size_t)n);
		return;
	}
	char *big = malloc((size_t)n + 1);
	if (!big) {
		o->error = -ENOMEM;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	dt_out_write(o, big, (size_t)n);
	free(big);
}

int dt_out_finish(struct dt_out *o, char *err, size_t errlen)
{
	flush_buf(o, 1);
	if (o->error && errlen)
		snprintf(err, errlen, "%s: write error: %s", o->name, strerror(-o->error));
	return o->error;
}

void dt_out_free(struct dt_out *o)
{
	if (o->zlib)
		deflateEnd(&o->zs);
}
