// SPDX-License-Identifier: GPL-2.0-only
/* damo's report access text: format templates, keywords and the snapshot heatmap (access.h). */
#include "access.h"
#include "checked.h"
#include "grow.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------ snapshot heatmap */

struct heat_pixel {
	double start, end, temperature;
	int is_void;
};

/* damo's HeatPixel: the size-weighted temperature of [start, end). */
static struct heat_pixel heat_pixel(double start, double end, const struct dt_access_record *rec,
				    const struct dt_access_snapshot *s, const int64_t w[3])
{
	struct heat_pixel p = { start, end, 0, 1 };
	double total = 0;

	for (size_t i = 0; i < s->nr; i++) {
		const struct dtr_region *r = &s->regions[i];
		if ((double)r->end <= start)
			continue;
		if (end <= (double)r->start)
			break;
		p.is_void = 0;
		double rs = (double)r->start, re = (double)r->end;
		if (!(start <= rs && re <= end)) {
			if (rs <= start && end <= re) {
				rs = start;
				re = end;
			} else if (rs < start) {
				rs = start;
			} else {
				re = end;
			}
		}
		int64_t pct = dt_access_percent(rec, r);
		double score = (re - rs) * (double)w[0] + (double)dt_sat_mul(pct, w[1]) +
			       (double)dt_sat_mul(dt_access_age_us(rec, r), w[2]);
		total += (pct > 0 ? score : -score) * (re - rs);
	}
	p.temperature = total / (end - start);
	return p;
}

struct text {
	char *buf;
	size_t len, cap;
	int failed;
};

static void put(struct text *t, const char *s, size_t n)
{
	if (t->failed)
		return;
	if (n > SIZE_MAX - 1 - t->len || DT_GROW(t->buf, t->cap, t->len + n + 1)) {
		t->failed = 1;
		return;
	}
	memcpy(t->buf + t->len, s, n);
	t->len += n;
	t->buf[t->len] = '\0';
}

static void puts_(struct text *t, const char *s)
{
	put(t, s, strlen(s));
}

static void putf(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void putf(struct text *t, const char *fmt, ...)
{
	char b[256];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(b, sizeof(b), fmt, ap);
	va_end(ap);
	if (n > 0)
		put(t, b, (size_t)n < sizeof(b) ? (size_t)n : sizeof(b) - 1);
}

/* damo's heatmap_pixels_minmax_temps() and heatmap_dots(). */
static void heatmap_dots(struct text *t, const struct dt_access_record *rec,
			 const struct dt_access_snapshot *s, const struct dt_access_format *f,
			 double sz_unit, double *minp, double *maxp)
{
	struct heat_pixel *px = NULL;
	size_t nr = 0, cap = 0;
	int have = 0;
	double mn = 0, mx = 0, start = (double)s->regions[0].start;
	/* Each region fills at most size / sz_unit + 1 pixels and each gap
	 * one: about width + 2 x regions in all.  Hostile sizes (a column
	 * below the spacing of doubles at 2^63) could make start + sz_unit
	 * == start, and damo's loop never end: the pixels stop at twice
	 * that bound. */
	size_t max_pixels = 2 * ((size_t)f->heatmap_width + 2 * s->nr) + 16;

	while (start < (double)s->regions[s->nr - 1].end && nr < max_pixels) {
		double end = start + sz_unit;
		if (DT_GROW(px, cap, nr + 1)) {
			t->failed = 1;
			free(px);
			return;
		}
		px[nr] = heat_pixel(start, end, rec, s, f->weights);
		if (px[nr].is_void) {
			const struct dtr_region *next = NULL;
			for (size_t i = 0; i < s->nr && !next; i++)
				if ((double)s->regions[i].start > end)
					next = &s->regions[i];
			if (!next) {
				nr++;
				break;
			}
			start = floor((double)next->start / sz_unit) * sz_unit;
			px[nr++].end = start;
			continue;
		}
		if (!have || px[nr].temperature < mn)
			mn = px[nr].temperature;
		if (!have || px[nr].temperature > mx)
			mx = px[nr].temperature;
		have = 1;
		nr++;
		start = end;
	}
	double unit = (mx - mn) / 9;
	if (unit == 0)
		unit = mx / 9;
	if (unit == 0)
		unit = 1;
	for (size_t i = 0; i < nr; i++) {
		if (px[i].is_void) {
			double dots = (px[i].end - px[i].start) / sz_unit;
			if (!f->heatmap_static && dots > 4)
				puts_(t, "[...]");
			else
				for (long k = 0; k < (long)dots; k++)
					puts_(t, ".");
			continue;
		}
		int level = (int)((px[i].temperature - mn) / unit);
		char esc[48];
		if (f->color)
			putf(t, "%s%d\x1b[0m", dt_access_color_start(esc, sizeof(esc),
						f->heatmap_colorset, level), level);
		else
			putf(t, "%d", level);
	}
	free(px);
	*minp = mn;
	*maxp = mx;
}

/* damo's heatmap_str(). */
static void heatmap_str(struct text *t, const struct dt_access_record *rec,
			const struct dt_access_snapshot *s, const struct dt_access_format *f)
{
	char a[48], b[48], c[48];
	double total = 0, mn = 0, mx = 0;

	if (!s->nr) {
		puts_(t, "n/a (no region)");
		return;
	}
	if (f->heatmap_static) {
		total = (double)(s->regions[s->nr - 1].end - s->regions[0].start);
	} else {
		for (size_t i = 0; i < s->nr; i++) /* in doubles: a sum cannot wrap */
			total += (double)(s->regions[i].end - s->regions[i].start);
	}
	double sz_unit = total / (double)f->heatmap_width;
	if (!(sz_unit > 0)) { /* regions of 0 bytes: no column size */
		puts_(t, "n/a (no memory)");
		return;
	}
	heatmap_dots(t, rec, s, f, sz_unit, &mn, &mx);
	putf(t, "\n# min/max temperatures: %s, %s, column size: %s",
	     dt_access_fmt_nr(a, sizeof(a), mn, f->raw_number), dt_access_fmt_nr(b, sizeof(b), mx, f->raw_number),
	     dt_damo_format_sz(c, sizeof(c), sz_unit, f->raw_number));
}

/* --------------------------------------------------------------- keywords */

struct ctx {
	const struct dt_access_records *rs;
	const struct dt_access_record *rec;
	const struct dt_access_snapshot *snap;
	const struct dtr_region *reg;
	size_t index;
	const struct dt_access_format *f;
	struct dt_access_box_span span;
};

static double first_start(const struct dt_access_record *rec)
{
	return rec->nr ? (double)rec->snapshots[0].start_ns : 0;
}

static void record_kw(struct text *t, int k, const struct ctx *c)
{
	const struct dt_access_record *rec = c->rec;
	char a[64], b[64];
	int raw = c->f->raw_number;

	switch (k) {
	case 0: case 1:
		if (rec->no_indices)
			puts_(t, "None");
		else
			putf(t, "%u", k ? rec->target.context : rec->target.kdamond);
		break;
	case 2: puts_(t, "None"); break;
	case 3: putf(t, "%llu", (unsigned long long)rec->target.id); break;
	case 4: puts_(t, dt_damo_format_time_ns(a, sizeof(a), first_start(rec), raw)); break;
	case 5:
		puts_(t, dt_damo_format_time_ns(a, sizeof(a), rec->nr ?
				(double)rec->snapshots[rec->nr - 1].end_ns - first_start(rec) : 0, raw));
		break;
	case 6:
		putf(t, "sample %s, aggr %s",
		     dt_access_fmt_time_us(a, sizeof(a), (double)rec->target.sample_us, raw),
		     dt_access_fmt_time_us(b, sizeof(b), (double)rec->target.aggr_us, raw));
		break;
	case 7: puts_(t, "None"); break;
	case 8: puts_(t, c->rs->data_source ? c->rs->data_source : "unknown"); break;
	}
}

static void format_strings(struct text *t, const struct dt_access_format *f);

static void text_put(void *o, const char *p, size_t n)
{
	put(o, p, n);
}

/* <temperature-sz histogram>, <recency-sz histogram>, <recency percentiles>,
 * <temperature percentiles> */
static void dist_kw(struct text *t, int k, const struct ctx *c)
{
	int ret = 0;

	if (k == 20)
		dt_access_box_colors(c->f, text_put, t);
	else if (k == 21)
		dt_access_box_description(c->f, &c->span, text_put, t);
	else if (k < 18)
		ret = dt_access_sz_hist(c->rec, c->snap, c->f, k == 17, text_put, t);
	else
		ret = dt_access_percentiles(c->rec, c->snap, c->f, k == 18, text_put, t);
	if (ret)
		t->failed = 1;
}

static void snapshot_kw(struct text *t, int k, const struct ctx *c)
{
	const struct dt_access_snapshot *s = c->snap;
	const struct dt_target_info *ti = &c->rec->target;
	char a[64], b[64], d[64];
	int raw = c->f->raw_number;
	double ratio = (double)ti->aggr_us / (double)ti->sample_us;
	double aggr = (double)ti->aggr_us;

	switch (k) {
	case 0: puts_(t, dt_damo_format_sz(a, sizeof(a), (double)s->total_bytes, raw)); break;
	case 1: puts_(t, dt_damo_format_time_ns(a, sizeof(a), (double)(s->end_ns - s->start_ns), raw)); break;
	case 2: puts_(t, dt_damo_format_time_ns(a, sizeof(a), (double)s->start_ns - first_start(c->rec), raw)); break;
	case 3: puts_(t, dt_damo_format_time_ns(a, sizeof(a), (double)s->end_ns - first_start(c->rec), raw)); break;
	case 4: puts_(t, dt_damo_format_time_ns(a, sizeof(a), (double)s->start_ns, raw)); break;
	case 5: puts_(t, dt_damo_format_time_ns(a, sizeof(a), (double)s->end_ns, raw)); break;
	case 6: puts_(t, dt_access_fmt_nr(a, sizeof(a), (double)s->nr, raw)); break;
	case 7: heatmap_str(t, c->rec, s, c->f); break;
	case 8: puts_(t, "n/a"); break;
	case 9: puts_(t, dt_damo_format_sz(a, sizeof(a), 0, raw)); break;
	case 10: {
		double samples = 0;
		for (size_t i = 0; i < s->nr; i++)
			samples += s->regions[i].nr_accesses;
		puts_(t, dt_access_fmt_percent(a, sizeof(a), samples * 100 / (ratio * (double)s->nr), raw));
		break;
	}
	case 11: case 12: {
		double bytes = 0;
		for (size_t i = 0; i < s->nr && k == 11; i++)
			bytes += (double)(s->regions[i].end - s->regions[i].start) *
				 s->regions[i].nr_accesses;
		putf(t, "%s per second", dt_damo_format_sz(a, sizeof(a), bytes / (aggr / 1e6), raw));
		break;
	}
	case 13: {
		double maxo = 0, obs = 0;
		for (size_t i = 0; i < s->nr; i++) {
			double sz = (double)(s->regions[i].end - s->regions[i].start);
			maxo += ratio * sz;
			obs += sz * s->regions[i].nr_accesses;
		}
		putf(t, "%s (%s / %s) ", dt_access_fmt_percent(a, sizeof(a), obs * 100 / (maxo > 1 ? maxo : 1), raw),
		     dt_damo_format_sz(b, sizeof(b), obs, raw), dt_damo_format_sz(d, sizeof(d), maxo, raw));
		putf(t, "%s ", dt_access_fmt_time_us(a, sizeof(a), (double)ti->sample_us, raw));
		puts_(t, dt_access_fmt_time_us(a, sizeof(a), aggr, raw));
		break;
	}
	case 14: puts_(t, "none"); break;
	case 15:
		putf(t, "sample %s aggr %s (max access hz %s)",
		     dt_access_fmt_time_us(a, sizeof(a), aggr / ratio, raw), dt_access_fmt_time_us(b, sizeof(b), aggr, raw),
		     dt_access_fmt_hz(d, sizeof(d), ratio / (aggr / 1e6), raw, 0));
		break;
	default: dist_kw(t, k, c); break;
	}
}

static void region_kw(struct text *t, int k, const struct ctx *c)
{
	const struct dtr_region *r = c->reg;
	char a[64];
	int raw = c->f->raw_number;

	switch (k) {
	case 0: puts_(t, dt_access_fmt_nr(a, sizeof(a), (double)c->index, raw)); break;
	case 1: puts_(t, dt_damo_format_sz(a, sizeof(a), (double)r->start, raw)); break;
	case 2: puts_(t, dt_damo_format_sz(a, sizeof(a), (double)r->end, raw)); break;
	case 3: puts_(t, dt_damo_format_sz(a, sizeof(a), (double)(r->end - r->start), raw)); break;
	case 4: puts_(t, dt_access_fmt_percent(a, sizeof(a), (double)dt_access_percent(c->rec, r), raw)); break;
	case 5:
		puts_(t, dt_access_fmt_hz(a, sizeof(a), r->nr_accesses / ((double)c->rec->target.aggr_us / 1e6),
				raw, 1));
		break;
	case 6: puts_(t, dt_access_fmt_time_us(a, sizeof(a), (double)dt_access_age_us(c->rec, r), raw)); break;
	case 7: puts_(t, dt_access_fmt_nr(a, sizeof(a), (double)dt_access_temperature(c->rec, r, c->f->weights), raw)); break;
	case 8: break;
	case 9: puts_(t, dt_damo_format_sz(a, sizeof(a), 0, raw)); break;
	case 10: dt_access_box(c->rec, r, c->f, &c->span, text_put, t); break;
	}
}

typedef void (*kw_fn)(struct text *t, int k, const struct ctx *c);

static const char *const record_kws[] = {
	"<kdamond index>", "<context index>", "<scheme index>", "<target id>",
	"<abs start time>", "<duration>", "<intervals>", "<intervals goal>", "<data source>",
	"<format strings>", NULL };
static const char *const snapshot_kws[] = {
	"<total bytes>", "<duration>", "<start time>", "<end time>", "<abs start time>",
	"<abs end time>", "<number of regions>", "<heatmap>", "<filters passed type>",
	"<filters passed bytes>", "<positive access samples ratio>",
	"<estimated memory bandwidth>", "<filters passed estimated memory bandwidth>",
	"<intervals tuning status>", "<damos stats>", "<snapshot intervals>",
	"<temperature-sz histogram>", "<recency-sz histogram>", "<recency percentiles>",
	"<temperature percentiles>", "<region box colors>", "<region box description>", NULL };
static const char *const region_kws[] = {
	"<index>", "<start address>", "<end address>", "<size>", "<access rate>",
	"<access hz>", "<age>", "<temperature>", "<probe hits>", "<filters passed bytes>", "<box>",
	NULL };

/* damo's apply_min_chars(): the first entry naming the keyword pads. */
static void min_chars(struct text *t, const struct dt_access_format *f, const char *kw)
{
	for (size_t i = 0; i < f->nr_min_chars; i++) {
		if (strcmp(f->min_chars[i].keyword, kw))
			continue;
		while (t->len < (size_t)(f->min_chars[i].n > 0 ? f->min_chars[i].n : 0))
			puts_(t, " ");
		return;
	}
}

/* Replace every occurrence of `kw` in *tmpl by `with`. */
static int replace_all(char **tmpl, const char *kw, const char *with)
{
	struct text out = { 0 };
	const char *p = *tmpl, *q;
	size_t kl = strlen(kw);

	while ((q = strstr(p, kw))) {
		put(&out, p, (size_t)(q - p));
		puts_(&out, with);
		p = q + kl;
	}
	puts_(&out, p);
	if (out.failed)
		return -ENOMEM;
	free(*tmpl);
	*tmpl = out.buf;
	return 0;
}

/* damo's format_output(): NULL output for an empty template. */
static int expand(struct text *t, const char *tmpl, const char *const *kws, kw_fn fn,
		  const struct ctx *c, int *printed)
{
	*printed = 0;
	if (!*tmpl)
		return 0;
	char *cur = strdup(tmpl);
	if (!cur)
		return -ENOMEM;
	for (int k = 0; kws[k]; k++) {
		if (!strstr(cur, kws[k]))
			continue;
		struct text v = { 0 };
		if (fn == record_kw && k == 9)
			format_strings(&v, c->f);
		else
			fn(&v, k, c);
		puts_(&v, "");
		min_chars(&v, c->f, kws[k]);
		if (v.failed || replace_all(&cur, kws[k], v.buf ? v.buf : "")) {
			free(v.buf);
			free(cur);
			return -ENOMEM;
		}
		free(v.buf);
	}
	int ret = replace_all(&cur, "\\n", "\n");
	if (!ret) {
		puts_(t, cur);
		*printed = 1;
	}
	free(cur);
	return ret;
}

static void format_strings(struct text *t, const struct dt_access_format *f)
{
	static const char *const names[] = { "record head", "snapshot head", "region",
					     "snapshot tail", "record tail" };
	for (int i = 0; i < DT_ACCESS_NR_AREAS; i++) {
		puts_(t, i ? "\n" : "");
		puts_(t, names[i]);
		puts_(t, ": \"");
		puts_(t, f->area[i] ? f->area[i] : "");
		puts_(t, "\"");
	}
}

/* ----------------------------------------------------------------- formats */

void dt_access_format_default(struct dt_access_format *f)
{
	static const struct { const char *kw; long n; } defaults[] = {
		{ "<index>", 3 }, { "<start address>", 12 }, { "<end address>", 11 },
		{ "<size>", 11 }, { "<access rate>", 5 }, { "<access hz>", 6 },
		{ "<age>", 13 }, { "<filters passed type>", 10 },
	};

	*f = (struct dt_access_format){ .weights = { 0, 100, 100 }, .nr_sort = 1,
					.heatmap_width = 80, .heatmap_colorset = "gray" };
	f->box = (struct dt_access_box){
		.values = { DT_BOX_AGE, DT_BOX_ACCESS_RATE, DT_BOX_SIZE }, .length = { 1, 30 },
		.height = { 1, 5 }, .colorset = "gray", .logscale = { 1, 0, 1 } };
	for (size_t i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++) {
		f->min_chars[i].keyword = defaults[i].kw;
		f->min_chars[i].n = defaults[i].n;
	}
	f->nr_min_chars = sizeof(defaults) / sizeof(defaults[0]);
}

static int set_area(struct dt_access_format *f, enum dt_access_area a, const char *text)
{
	char *c = strdup(text);
	if (!c)
		return -ENOMEM;
	free(f->area[a]);
	f->area[a] = c;
	return 0;
}

/* The region template, and what --region_box changes: damo puts the box
 * before the default region line and, by a slip it keeps, the record tail
 * and the box description into the snapshot tail. */
static int region_defaults(struct dt_access_format *f)
{
	static const char def[] = "<index> addr <start address> size <size> access <access hz> "
				  "age <age>";
	char buf[sizeof(def) + 8];
	int ret = 0;

	if (f->box.enabled) {
		snprintf(buf, sizeof(buf), "<box>%s%s", f->box.height[1] > 1 ? "" : "\n", def);
		ret |= set_area(f, DT_ACCESS_REGION, buf);
		if (!strstr(f->area[DT_ACCESS_SNAPSHOT_TAIL], "<region box description>")) {
			size_t n = strlen(f->area[DT_ACCESS_RECORD_TAIL]) + 32;
			char *tail = malloc(n);
			if (!tail)
				return -ENOMEM;
			snprintf(tail, n, "%s\n<region box description>", f->area[DT_ACCESS_RECORD_TAIL]);
			free(f->area[DT_ACCESS_SNAPSHOT_TAIL]);
			f->area[DT_ACCESS_SNAPSHOT_TAIL] = tail;
		}
	}
	if (!f->area[DT_ACCESS_REGION])
		ret |= set_area(f, DT_ACCESS_REGION, def);
	return ret ? -ENOMEM : 0;
}

/* damo's set_formats_update_default_formats() for records without DAMOS
 * filters or probes. */
int dt_access_format_defaults_for(struct dt_access_format *f, const struct dt_access_records *r)
{
	int several = 0, ret = 0;

	for (size_t i = 0; i < r->nr; i++)
		if (r->v[i].nr > 1)
			several = 1;
	if (!f->area[DT_ACCESS_RECORD_HEAD])
		ret |= set_area(f, DT_ACCESS_RECORD_HEAD, r->nr > 1 ?
				"kdamond <kdamond index> / context <context index> / scheme "
				"<scheme index> / target id <target id> / recorded for <duration> "
				"from <abs start time>" : "");
	if (!f->area[DT_ACCESS_RECORD_TAIL])
		ret |= set_area(f, DT_ACCESS_RECORD_TAIL, "record DAMON intervals: <intervals>");
	if (!f->area[DT_ACCESS_SNAPSHOT_HEAD])
		ret |= set_area(f, DT_ACCESS_SNAPSHOT_HEAD, several ?
				"snapshot time: [<start time>, <end time>] (<duration>)\n"
				"heatmap: <heatmap>\nintervals: <snapshot intervals>" :
				"heatmap: <heatmap>\nintervals: <snapshot intervals>");
	if (!f->area[DT_ACCESS_SNAPSHOT_TAIL])
		ret |= set_area(f, DT_ACCESS_SNAPSHOT_TAIL,
				"memory bw estimate: <estimated memory bandwidth>\n"
				"total size: <total bytes>");
	return ret ? -ENOMEM : region_defaults(f);
}

int dt_access_format_set(struct dt_access_format *f, const struct dt_access_records *r,
			 enum dt_access_area area, const char *text, int append)
{
	if (!append)
		return set_area(f, area, text);
	int ret = dt_access_format_defaults_for(f, r);
	if (ret)
		return ret;
	size_t n = strlen(f->area[area]) + strlen(text) + 1;
	char *c = malloc(n);
	if (!c)
		return -ENOMEM;
	snprintf(c, n, "%s%s", f->area[area], text);
	free(f->area[area]);
	f->area[area] = c;
	return 0;
}

static const char *const styles[] = {
	"detailed", "simple-boxes", "temperature-sz-hist", "recency-sz-hist", "cold-memory-tail",
	"recency-percentiles", "idle-time-percentiles", "temperature-percentiles", "cold", "hot",
	NULL };

int dt_access_style_known(const char *style)
{
	for (int i = 0; styles[i]; i++)
		if (!strcmp(style, styles[i]))
			return 1;
	return 0;
}

/* simple-boxes, cold and hot: one-row boxes up to 40 columns, right
 * aligned, in emotion colours; cold and hot sort by temperature. */
static int style_boxes(struct dt_access_format *f, const char *style)
{
	int ret = 0;

	f->box.height[0] = f->box.height[1] = 1;
	f->box.length[0] = 1;
	f->box.length[1] = 40;
	f->box.align_right = 1;
	f->box.colorset = "emotion";
	if (!strcmp(style, "simple-boxes"))
		return set_area(f, DT_ACCESS_SNAPSHOT_HEAD,
				"snapshot time: [<start time>, <end time>] (<duration>)") ||
		       set_area(f, DT_ACCESS_REGION, "<box> size <size> access <access hz> age <age>") ?
		       -ENOMEM : 0;
	ret = set_area(f, DT_ACCESS_REGION, "<box> <size> access <access hz> <age>");
	f->nr_sort = 1;
	f->sort[0] = DT_SORT_TEMPERATURE;
	memset(f->sort_dsc, 0, sizeof(f->sort_dsc));
	f->sort_dsc[0] = !strcmp(style, "hot") || (f->dsc_keys & 1u << DT_SORT_TEMPERATURE);
	return ret;
}

/* damo's set_formats_percentiles() */
static int style_percentiles(struct dt_access_format *f, const struct dt_access_records *r,
			     int recency)
{
	char head[256];
	int several = 0;

	for (size_t i = 0; i < r->nr; i++)
		several |= r->v[i].nr > 1;
	snprintf(head, sizeof(head), "%s# total %s percentiles\n<%s percentiles>",
		 several ? "snapshot time: [<start time>, <end time>] (<duration>)\n" : "",
		 recency ? "recency" : "temperature", recency ? "recency" : "temperature");
	return set_area(f, DT_ACCESS_SNAPSHOT_HEAD, head) || set_area(f, DT_ACCESS_REGION, "") ?
	       -ENOMEM : 0;
}

int dt_access_format_style(struct dt_access_format *f, const struct dt_access_records *r,
			   const char *style)
{
	if (!dt_access_style_known(style))
		return -EINVAL;
	if (!strcmp(style, "temperature-sz-hist"))
		return set_area(f, DT_ACCESS_SNAPSHOT_HEAD,
				"<temperature> <total size>\n<temperature-sz histogram>") ||
		       set_area(f, DT_ACCESS_REGION, "") ? -ENOMEM : 0;
	if (!strcmp(style, "recency-sz-hist") || !strcmp(style, "cold-memory-tail"))
		return set_area(f, DT_ACCESS_SNAPSHOT_HEAD,
				"<idle time (us)> <total size>\n<recency-sz histogram>") ||
		       set_area(f, DT_ACCESS_REGION, "") ? -ENOMEM : 0;
	if (strstr(style, "-percentiles"))
		return style_percentiles(f, r, style[0] != 't');
	if (!strcmp(style, "detailed"))
		return 0;
	return style_boxes(f, style);
}

int dt_access_format_total_sz_only(struct dt_access_format *f)
{
	if (set_area(f, DT_ACCESS_SNAPSHOT_HEAD, "") || set_area(f, DT_ACCESS_REGION, "") ||
	    set_area(f, DT_ACCESS_SNAPSHOT_TAIL, "<total bytes>"))
		return -ENOMEM;
	return 0;
}

void dt_access_format_free(struct dt_access_format *f)
{
	for (int i = 0; i < DT_ACCESS_NR_AREAS; i++) {
		free(f->area[i]);
		f->area[i] = NULL;
	}
}

/* ----------------------------------------------------------------- report */

struct sort_ctx {
	const struct dt_access_record *rec;
	const struct dt_access_format *f;
	int key, dsc;
};

static int64_t sort_value(const struct sort_ctx *sc, const struct dtr_region *r)
{
	switch (sc->key) {
	case DT_SORT_ACCESS_RATE: return dt_access_percent(sc->rec, r);
	case DT_SORT_AGE: return dt_access_age_us(sc->rec, r);
	case DT_SORT_SIZE: return (int64_t)(r->end - r->start);
	case DT_SORT_TEMPERATURE: return dt_access_temperature(sc->rec, r, sc->f->weights);
	default: return (int64_t)r->start;
	}
}

/* Python's sorted(key, reverse): stable, and reverse keeps equal keys in
 * their order too.  Insertion sort: snapshots have few regions. */
static void sort_regions(struct dtr_region *v, size_t n, const struct sort_ctx *sc)
{
	for (size_t i = 1; i < n; i++) {
		struct dtr_region key = v[i];
		int64_t kv = sort_value(sc, &key);
		size_t j = i;
		while (j > 0) {
			int64_t pv = sort_value(sc, &v[j - 1]);
			if (sc->dsc ? pv >= kv : pv <= kv)
				break;
			v[j] = v[j - 1];
			j--;
		}
		v[j] = key;
	}
}

/* One snapshot: head, regions in the sort order, tail. */
static int snapshot_lines(struct text *t, struct ctx *c, int *first)
{
	const struct dt_access_format *f = c->f;
	int printed, ret;
	struct dtr_region *v = malloc((c->snap->nr ? c->snap->nr : 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	memcpy(v, c->snap->regions, c->snap->nr * sizeof(*v));
	for (size_t k = 0; k < f->nr_sort; k++) {
		struct sort_ctx sc = { c->rec, f, f->sort[k], f->sort_dsc[k] };
		sort_regions(v, c->snap->nr, &sc);
	}
#define LINE(tmpl, kws, fn)                                                   \
	do {                                                                  \
		struct text one = { 0 };                                      \
		ret = expand(&one, tmpl, kws, fn, c, &printed);               \
		if (!ret && printed) {                                        \
			puts_(t, *first ? "" : "\n");                        \
			*first = 0;                                           \
			puts_(t, one.buf ? one.buf : "");                     \
		}                                                             \
		free(one.buf);                                                \
	} while (0)
	LINE(f->area[DT_ACCESS_SNAPSHOT_HEAD], snapshot_kws, snapshot_kw);
	for (size_t i = 0; i < c->snap->nr && !ret; i++) {
		c->reg = &v[i];
		c->index = i;
		LINE(f->area[DT_ACCESS_REGION], region_kws, region_kw);
	}
	if (!ret)
		LINE(f->area[DT_ACCESS_SNAPSHOT_TAIL], snapshot_kws, snapshot_kw);
#undef LINE
	free(v);
	return ret;
}

static int is_total_sz_only(const struct dt_access_format *f)
{
	return !strcmp(f->area[DT_ACCESS_SNAPSHOT_HEAD], "") && !strcmp(f->area[DT_ACCESS_REGION], "") &&
	       !strcmp(f->area[DT_ACCESS_SNAPSHOT_TAIL], "<total bytes>");
}

/* An output line (possibly empty) after the ones before it. */
static void add_line(struct text *t, const char *s, int *first)
{
	puts_(t, *first ? "" : "\n");
	*first = 0;
	puts_(t, s);
}

static int record_lines(struct text *t, struct ctx *c, int *first)
{
	const struct dt_access_format *f = c->f;
	struct text one = { 0 };
	int printed, ret = expand(&one, f->area[DT_ACCESS_RECORD_HEAD], record_kws, record_kw, c,
				  &printed);

	if (!ret && printed)
		add_line(t, one.buf ? one.buf : "", first);
	free(one.buf);
	for (size_t k = 0; k < c->rec->nr && !ret; k++) {
		c->snap = &c->rec->snapshots[k];
		ret = snapshot_lines(t, c, first);
		if (!ret && k + 1 < c->rec->nr && !is_total_sz_only(f))
			add_line(t, "", first);
	}
	one = (struct text){ 0 };
	if (!ret)
		ret = expand(&one, f->area[DT_ACCESS_RECORD_TAIL], record_kws, record_kw, c, &printed);
	if (!ret && printed)
		add_line(t, one.buf ? one.buf : "", first);
	free(one.buf);
	return ret;
}

int dt_access_report(const struct dt_access_records *r, const struct dt_access_format *f,
		     char **text, size_t *len)
{
	struct text t = { 0 };
	struct ctx c = { .rs = r, .f = f };
	int first = 1, ret = 0;

	dt_access_box_span(r, &c.span);
	puts_(&t, "");
	for (size_t i = 0; i < r->nr && !ret; i++) {
		c.rec = &r->v[i];
		ret = record_lines(&t, &c, &first);
	}
	if (ret || t.failed) {
		free(t.buf);
		return -ENOMEM;
	}
	*text = t.buf;
	*len = t.len;
	return 0;
}
