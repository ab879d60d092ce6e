// SPDX-License-Identifier: GPL-2.0-only
/* damo-timeline's interactive report (timeline_html.h): the page template
 * (render/html/report.html) filled with the embedded scripts and styles and
 * the record's data sections. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "errmsg.h"
#include "output.h"
#include "html_internal.h"

int dt_timeline_html_path(const char *path)
{
	size_t n = strlen(path);
	return (n > 5 && !strcasecmp(path + n - 5, ".html")) ||
	       (n > 4 && !strcasecmp(path + n - 4, ".htm"));
}

static void put_escaped(FILE *out, const unsigned char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		switch (s[i]) {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '"': fputs("&quot;", out); break;
		default: fputc(s[i], out); break;
		}
	}
}

static int put_asset(FILE *out, const char *name)
{
	const struct dt_html_asset *a = dt_html_asset(name);
	if (!a)
		return -ENOENT;
	return fwrite(a->data, 1, a->len, out) == a->len ? 0 : -EIO;
}

/* The meta section and one section of heat codes per level. */
static int put_data(FILE *out, const struct dt_timeline *tl, const struct dt_html_data *d,
		    const struct dt_timeline_html_opts *o)
{
	struct dt_html_buf codes[DT_HTML_MAX_LEVELS] = { { 0 } };
	double range[DT_HTML_MAX_LEVELS][2] = { { 0 } };
	char *json = NULL, id[32];
	size_t len = 0;
	int rc = 0;
	for (uint32_t k = 0; k < d->nr_levels && !rc; k++)
		if (d->levels[k].heat)
			rc = dt_html_heat_codes(d->levels[k].heat, &codes[k], &range[k][0],
						&range[k][1]);
	FILE *m = rc ? NULL : open_memstream(&json, &len);
	if (!rc && !m)
		rc = -ENOMEM;
	if (m) {
		rc = dt_html_write_meta(m, tl, d, o, (const double (*)[2])range);
		if (fclose(m) && !rc)
			rc = -ENOMEM;
	}
	if (!rc)
		rc = dt_html_section(out, "dt-meta", json, len);
	for (uint32_t k = 0; k < d->nr_levels && !rc; k++) {
		if (!d->levels[k].heat)
			continue;
		snprintf(id, sizeof(id), "dt-heat-%u", (unsigned)k);
		rc = dt_html_section(out, id, codes[k].p, codes[k].len);
	}
	for (uint32_t k = 0; k < DT_HTML_MAX_LEVELS; k++)
		dt_html_buf_free(&codes[k]);
	free(json);
	return rc;
}

static int put_marker(FILE *out, const char *name, size_t len, const struct dt_timeline *tl,
		      const struct dt_html_data *d, const struct dt_timeline_html_opts *o)
{
	const char *title = o->title ? o->title : "damo-timeline";
	const struct dt_html_asset *a;
	int rc = 0;
#define IS(s) (len == sizeof(s) - 1 && !memcmp(name, s, len))
	if (IS("TITLE")) {
		put_escaped(out, (const unsigned char *)title, strlen(title));
	} else if (IS("GENERATOR")) {
		fputs("damotrace " DAMOTRACE_VERSION " damo-timeline", out);
	} else if (IS("STYLE")) {
		rc = put_asset(out, "vendor/uplot/uPlot.min.css");
		if (!rc)
			rc = put_asset(out, "report.css");
	} else if (IS("DATA")) {
		rc = put_data(out, tl, d, o);
	} else if (IS("UPLOT")) {
		rc = put_asset(out, "vendor/uplot/uPlot.iife.min.js");
	} else if (IS("SCRIPT")) {
		rc = put_asset(out, "report.js");
	} else if (IS("LICENCES")) {
		a = dt_html_asset("vendor/uplot/LICENSE");
		if (a)
			put_escaped(out, a->data, a->len);
		else
			rc = -ENOENT;
	} else {
		rc = -EINVAL;
	}
#undef IS
	return rc;
}

/* The first "@@" in [s, end), or NULL. */
static const char *find_marker(const char *s, const char *end)
{
	for (; s + 1 < end; s++)
		if (s[0] == '@' && s[1] == '@')
			return s;
	return NULL;
}

/* The template with every @@NAME@@ replaced. */
static int put_page(FILE *out, const struct dt_timeline *tl, const struct dt_html_data *d,
		    const struct dt_timeline_html_opts *o)
{
	const struct dt_html_asset *t = dt_html_asset("report.html");
	if (!t)
		return -ENOENT;
	const char *s = (const char *)t->data, *end = s + t->len;
	while (s < end) {
		const char *m = find_marker(s, end);
		const char *e = m ? find_marker(m + 2, end) : NULL;
		if (!m || !e) {
			fwrite(s, 1, (size_t)(end - s), out);
			break;
		}
		fwrite(s, 1, (size_t)(m - s), out);
		int rc = put_marker(out, m + 2, (size_t)(e - m - 2), tl, d, o);
		if (rc)
			return rc;
		s = e + 2;
	}
	return ferror(out) ? -EIO : 0;
}

int dt_timeline_write_html(const struct dt_timeline *tl, const char *path,
			   const struct dt_timeline_html_opts *o, char *err, size_t errlen)
{
	struct dt_html_data d;
	int rc = dt_html_collect(&d, tl, o, err, errlen);
	if (rc) {
		dt_html_data_free(&d);
		return rc;
	}
	if (o->timeline->progress)
		o->timeline->progress(o->timeline->progress_ctx, "writing the html report", 0);
	/* Replaced only when complete, whatever happens (output.h). */
	struct dt_output dout;
	FILE *out = NULL;
	if ((rc = dt_output_open(&dout, path, NULL, err, errlen)) || !(out = dt_output_stream(&dout))) {
		if (!rc) {
			rc = dt_fail(err, errlen, -errno, "%s: %s", path, strerror(errno));
			dt_output_abort(&dout);
		}
		dt_html_data_free(&d);
		return rc;
	}
	rc = put_page(out, tl, &d, o);
	dt_html_data_free(&d);
	if (rc) {
		dt_output_abort(&dout);
	} else if ((rc = dt_output_commit(&dout, err, errlen))) {
		return rc;
	}
	if (rc == -ENOENT || rc == -EINVAL)
		return dt_fail(err, errlen, -EINVAL, "%s: the report's template or scripts are "
			       "missing from this build", path);
	if (rc)
		return dt_fail(err, errlen, rc, "%s: %s", path, strerror(-rc));
	return 0;
}
