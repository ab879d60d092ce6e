// SPDX-License-Identifier: GPL-2.0-only
/* damo's report access region boxes: <box>, <region box description> and <region box colors> (access.h). */
#include "access.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static int64_t box_value(const struct dt_access_record *rec, const struct dtr_region *r, int what)
{
	switch (what) {
	case DT_BOX_SIZE: return (int64_t)(r->end - r->start);
	case DT_BOX_ACCESS_RATE: return dt_access_percent(rec, r);
	default: return dt_access_age_us(rec, r);
	}
}

void dt_access_box_span(const struct dt_access_records *r, struct dt_access_box_span *span)
{
	int have = 0;

	memset(span, 0, sizeof(*span));
	for (size_t i = 0; i < r->nr; i++)
		for (size_t k = 0; k < r->v[i].nr; k++)
			for (size_t j = 0; j < r->v[i].snapshots[k].nr; j++)
				for (int w = 0; w < 3; w++) {
					int64_t v = box_value(&r->v[i], &r->v[i].snapshots[k].regions[j], w);
					if (!have || v < span->min[w])
						span->min[w] = v;
					if (!have || v > span->max[w])
						span->max[w] = v;
					have |= w == 2;
				}
}

/* math.log(v, 2) of damo's rescale(): log(v) / log(2), 0 for v <= 0. */
static double log2_py(double v)
{
	return v > 0 ? log(v) / log(2.0) : 0;
}

/* damo's rescale() of v from [lo, hi] onto [nlo, nhi]. */
static double rescale(double v, double lo, double hi, int64_t nlo, int64_t nhi, int logscale)
{
	if (logscale) {
		v = log2_py(v);
		lo = log2_py(lo);
		hi = log2_py(hi);
	}
	double len = hi - lo, ratio = len > 0 ? (double)(nhi - nlo) / len : 1;
	return (v - lo) * ratio + (double)nlo;
}

static double display(const struct dt_access_record *rec, const struct dtr_region *r,
		      const struct dt_access_format *f, const struct dt_access_box_span *span,
		      int attr, int64_t nlo, int64_t nhi)
{
	int what = f->box.values[attr];

	return rescale((double)box_value(rec, r, what), (double)span->min[what],
		       (double)span->max[what], nlo, nhi, f->box.logscale[attr]);
}

void dt_access_box(const struct dt_access_record *rec, const struct dtr_region *reg,
		   const struct dt_access_format *f, const struct dt_access_box_span *span,
		   dt_put_fn put, void *o)
{
	const struct dt_access_box *b = &f->box;
	long length = (long)display(rec, reg, f, span, 0, b->length[0], b->length[1]);
	long height = (long)display(rec, reg, f, span, 2, b->height[0], b->height[1]);
	int level = (int)display(rec, reg, f, span, 1, 0, 9);
	char digit = (char)('0' + (level < 0 ? 0 : level > 9 ? 9 : level));
	char esc[48];

	for (long row = 0; row < height; row++) {
		if (row)
			put(o, "\n", 1);
		for (long i = b->align_right ? length : b->length[1]; i < b->length[1]; i++)
			put(o, " ", 1);
		put(o, "|", 1);
		if (f->color)
			put(o, esc, strlen(dt_access_color_start(esc, sizeof(esc), b->colorset, level)));
		for (long i = 0; i < length; i++)
			put(o, &digit, 1);
		if (f->color)
			put(o, "\x1b[0m", 4);
		put(o, "|", 1);
	}
	if (b->height[1] > 1)
		put(o, "\n", 1);
}

static const char *const value_names[] = { "size", "access_rate", "age" };

/* damo's format_min_max() of what a scale spans. */
static void span_text(char *buf, size_t len, int what, const struct dt_access_box_span *span,
		      int raw)
{
	char a[64], b[64];
	double lo = (double)span->min[what], hi = (double)span->max[what];

	if (what == DT_BOX_SIZE)
		snprintf(buf, len, "[%s, %s]", dt_damo_format_sz(a, sizeof(a), lo, raw),
			 dt_damo_format_sz(b, sizeof(b), hi, raw));
	else if (what == DT_BOX_AGE)
		snprintf(buf, len, "[%s, %s] ", dt_access_fmt_time_us(a, sizeof(a), lo, raw),
			 dt_access_fmt_time_us(b, sizeof(b), hi, raw));
	else
		snprintf(buf, len, "[%s, %s]", dt_access_fmt_percent(a, sizeof(a), lo, raw),
			 dt_access_fmt_percent(b, sizeof(b), hi, raw));
}

static void put_str(dt_put_fn put, void *o, const char *s)
{
	put(o, s, strlen(s));
}

static void description_line(const struct dt_access_format *f, const struct dt_access_box_span *span,
			     int attr, dt_put_fn put, void *o)
{
	static const char *const attrs[] = { "length", "color", "height" };
	static const char *const units[] = { "columns", "number and color", "rows" };
	int what = f->box.values[attr];
	const int64_t *mm = attr == 0 ? f->box.length : attr == 2 ? f->box.height :
			    (const int64_t[]){ 0, 9 };
	char line[256], spans[160];

	span_text(spans, sizeof(spans), what, span, f->raw_number);
	snprintf(line, sizeof(line), "# %s: %s (represents %s with [%lld, %lld] %s", attrs[attr],
		 value_names[what], spans, (long long)mm[0], (long long)mm[1], units[attr]);
	put_str(put, o, line);
	if (attr == 1) {
		put_str(put, o, " (");
		dt_access_box_colors(f, put, o);
		put_str(put, o, ")");
	}
	put_str(put, o, f->box.logscale[attr] ? " in logscale)" : " in linearscale)");
}

void dt_access_box_description(const struct dt_access_format *f,
			       const struct dt_access_box_span *span, dt_put_fn put, void *o)
{
	for (int attr = 0; attr < 3; attr++) {
		if (attr)
			put(o, "\n", 1);
		description_line(f, span, attr, put, o);
	}
}

void dt_access_box_colors(const struct dt_access_format *f, dt_put_fn put, void *o)
{
	char esc[48];

	for (int level = 0; level <= 9; level++) {
		char digit = (char)('0' + level);
		if (f->color)
			put_str(put, o, dt_access_color_start(esc, sizeof(esc), f->box.colorset, level));
		put(o, &digit, 1);
	}
	if (f->color)
		put(o, "\x1b[0m", 4);
}
