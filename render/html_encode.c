// SPDX-License-Identifier: GPL-2.0-only
/* How the HTML report carries its data (html_internal.h): sections deflated
 * with zlib and base64-encoded inside <script> elements, heats as 16-bit
 * log-scale codes. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "html_internal.h"
#include "grow.h"

int dt_html_buf_put(struct dt_html_buf *b, const void *data, size_t len)
{
	if (len > SIZE_MAX - b->len || DT_GROW(b->p, b->cap, b->len + len))
		return -ENOMEM;
	memcpy(b->p + b->len, data, len);
	b->len += len;
	return 0;
}

void dt_html_buf_free(struct dt_html_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

/* base64 of `len` bytes, 76 characters a line (so that no line of the
 * page is megabytes long). */
static int put_base64(FILE *out, const unsigned char *p, size_t len)
{
	static const char abc[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char line[80];
	size_t n = 0;
	for (size_t i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16;
		if (i + 1 < len)
			v |= (uint32_t)p[i + 1] << 8;
		if (i + 2 < len)
			v |= p[i + 2];
		line[n++] = abc[(v >> 18) & 63];
		line[n++] = abc[(v >> 12) & 63];
		line[n++] = i + 1 < len ? abc[(v >> 6) & 63] : '=';
		line[n++] = i + 2 < len ? abc[v & 63] : '=';
		if (n == 76 || i + 3 >= len) {
			line[n++] = '\n';
			if (fwrite(line, 1, n, out) != n)
				return -EIO;
			n = 0;
		}
	}
	return 0;
}

int dt_html_section(FILE *out, const char *id, const void *data, size_t len)
{
	uLongf zlen = compressBound((uLong)len);
	unsigned char *z = malloc(zlen ? zlen : 1);
	if (!z)
		return -ENOMEM;
	int zrc = compress2(z, &zlen, data, (uLong)len, 6);
	if (zrc != Z_OK) {
		free(z);
		return zrc == Z_MEM_ERROR ? -ENOMEM : -EIO;
	}
	fprintf(out, "<script type=\"application/octet-stream\" id=\"%s\" data-bytes=\"%zu\">\n",
		id, len);
	int rc = put_base64(out, z, zlen);
	free(z);
	fputs("</script>\n", out);
	return rc || ferror(out) ? -EIO : 0;
}

/* Codes 2..65535 spread ln(v) over [ln lo, ln hi]: code c stands for
 * exp(ln lo + (c - 2) * step). */
#define HEAT_CODES 65534.0

static uint16_t heat_code(double v, double llo, double step)
{
	if (isnan(v))
		return 0;
	if (!(v > 0))
		return 1;
	double c = step > 0 ? (log(v) - llo) / step : 0;
	if (c < 0)
		c = 0;
	if (c > HEAT_CODES - 1)
		c = HEAT_CODES - 1;
	return (uint16_t)(2 + (long)(c + 0.5));
}

int dt_html_heat_codes(const struct dt_heat_grid *g, struct dt_html_buf *out, double *lo,
		       double *hi)
{
	size_t n = g->t_resol * g->a_resol;
	int any = 0;
	*lo = *hi = 0;
	for (size_t i = 0; i < n; i++) {
		double v = g->cells[i];
		if (!(v > 0))
			continue;
		if (!any || v < *lo)
			*lo = v;
		if (!any || v > *hi)
			*hi = v;
		any = 1;
	}
	double llo = any ? log(*lo) : 0, step = any ? (log(*hi) - llo) / (HEAT_CODES - 1) : 0;
	/* High bytes first, then low bytes: the high plane is mostly runs. */
	out->len = 0;
	unsigned char *p = malloc(n ? 2 * n : 1);
	if (!p)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		uint16_t c = heat_code(g->cells[i], llo, step);
		p[i] = (unsigned char)(c >> 8);
		p[n + i] = (unsigned char)(c & 0xff);
	}
	int rc = dt_html_buf_put(out, p, 2 * n);
	free(p);
	return rc;
}
