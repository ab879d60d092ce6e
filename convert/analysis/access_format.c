// SPDX-License-Identifier: GPL-2.0-only
/* damo's report access text: format templates, keywords and the snapshot heatmap (access.h). */
#include "access.h"
#include "checked.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------- numbers */

/* damo's format_nr(): "%d" of the value, thousands commas unless raw. */
static char *fmt_nr(char *buf, size_t len, double v, int raw)
{
	/* the sign of the value, then "%d" of its magnitude: -1e-9 is "-0" */
	unsigned long long u = (unsigned long long)trunc(fabs(v));
	char digits[32];
	int n = snprintf(digits, sizeof(digits), "%llu", u);
	size_t k = 0;

	if (v < 0 && k + 1 < len)
		buf[k++] = '-';
	for (int i = 0; i < n && k + 2 < len; i++) {
		if (!raw && i && (n - i) % 3 == 0)
			buf[k++] = ',';
		buf[k++] = digits[i];
	}
	buf[k] = '\0';
	return buf;
}

/* damo's format_percent() through format_ratio(). */
static char *fmt_percent(char *buf, size_t len, double percent, int raw)
{
	char over[28], under[16];

	if (raw) {
		snprintf(buf, len, "%f", percent);
		return buf;
	}
	double ratio = percent / 100;
	fmt_nr(over, sizeof(over), (double)(long long)(ratio * 100), 0);
	double rest = fmod(ratio * 100, 1.0);
	if (rest < 0)
		rest += 1.0;
	snprintf(under, sizeof(under), "%.7f", rest);
	size_t n = strlen(under);
	while (n && under[n - 1] == '0')
		under[--n] = '\0';
	const char *frac = n > 2 ? under + 2 : "";
	if (!*frac)
		snprintf(buf, len, "%s %%", over);
	else
		snprintf(buf, len, "%s.%s %%", over, frac);
	return buf;
}

/* damo's format_hz(). */
static char *fmt_hz(char *buf, size_t len, double hz, int raw, int suffix)
{
	char n[40];

	if (raw)
		snprintf(buf, len, "%f", hz);
	else if (hz < 10 && hz != 0)
		snprintf(buf, len, "%.3f%s", hz, suffix ? " hz" : "");
	else
		snprintf(buf, len, "%s%s", fmt_nr(n, sizeof(n), hz, 0), suffix ? " hz" : "");
	return buf;
}

static char *fmt_time_us(char *buf, size_t len, double us, int raw)
{
	if (raw) {
		snprintf(buf, len, "%.0f", trunc(us));
		return buf;
	}
	return dt_damo_format_time_ns(buf, len, us * 1000, 0);
}

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
	if (t->len + n + 1 > t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 256;
		while (cap < t->len + n + 1)
			cap *= 2;
		char *b = realloc(t->buf, cap);
		if (!b) {
			t->failed = 1;
			return;
		}
		t->buf = b;
		t->cap = cap;
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

static const unsigned char heat_bg[3][10] = {
	{ 232, 232, 232, 232, 232, 232, 232, 232, 232, 232 },
	{ 232, 1, 1, 2, 3, 3, 20, 21, 26, 27 },
	{ 232, 234, 20, 21, 26, 2, 3, 1, 1, 1 },
};
static const unsigned char heat_fg[3][10] = {
	{ 237, 239, 241, 243, 245, 247, 249, 251, 253, 255 },
	{ 239, 235, 237, 239, 243, 245, 247, 249, 251, 255 },
	{ 239, 235, 237, 239, 243, 245, 247, 249, 251, 255 },
};

static int colorset_index(const char *name)
{
	return !strcmp(name, "flame") ? 1 : !strcmp(name, "emotion") ? 2 : 0;
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
		if (nr == cap) {
			cap = cap ? cap * 2 : 128;
			struct heat_pixel *p = realloc(px, cap * sizeof(*px));
			if (!p) {
				t->failed = 1;
				free(px);
				return;
			}
			px = p;
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
	int cs = colorset_index(f->heatmap_colorset);
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
		int c = level < 0 ? 0 : level > 9 ? 9 : level;
		if (f->color)
			putf(t, "\x1b[48;5;%dm\x1b[38;5;%dm%d\x1b[0m", heat_bg[cs][c], heat_fg[cs][c],
			     level);
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
	     fmt_nr(a, sizeof(a), mn, f->raw_number), fmt_nr(b, sizeof(b), mx, f->raw_number),
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
		     fmt_time_us(a, sizeof(a), (double)rec->target.sample_us, raw),
		     fmt_time_us(b, sizeof(b), (double)rec->target.aggr_us, raw));
		break;
	case 7: puts_(t, "None"); break;
	case 8: puts_(t, c->rs->data_source ? c->rs->data_source : "unknown"); break;
	}
}

static void format_strings(struct text *t, const struct dt_access_format *f);

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
	case 6: puts_(t, fmt_nr(a, sizeof(a), (double)s->nr, raw)); break;
	case 7: heatmap_str(t, c->rec, s, c->f); break;
	case 8: puts_(t, "n/a"); break;
	case 9: puts_(t, dt_damo_format_sz(a, sizeof(a), 0, raw)); break;
	case 10: {
		double samples = 0;
		for (size_t i = 0; i < s->nr; i++)
			samples += s->regions[i].nr_accesses;
		puts_(t, fmt_percent(a, sizeof(a), samples * 100 / (ratio * (double)s->nr), raw));
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
		putf(t, "%s (%s / %s) ", fmt_percent(a, sizeof(a), obs * 100 / (maxo > 1 ? maxo : 1), raw),
		     dt_damo_format_sz(b, sizeof(b), obs, raw), dt_damo_format_sz(d, sizeof(d), maxo, raw));
		putf(t, "%s ", fmt_time_us(a, sizeof(a), (double)ti->sample_us, raw));
		puts_(t, fmt_time_us(a, sizeof(a), aggr, raw));
		break;
	}
	case 14: puts_(t, "none"); break;
	case 15:
		putf(t, "sample %s aggr %s (max access hz %s)",
		     fmt_time_us(a, sizeof(a), aggr / ratio, raw), fmt_time_us(b, sizeof(b), aggr, raw),
		     fmt_hz(d, sizeof(d), ratio / (aggr / 1e6), raw, 0));
		break;
	}
}

static void region_kw(struct text *t, int k, const struct ctx *c)
{
	const struct dtr_region *r = c->reg;
	char a[64];
	int raw = c->f->raw_number;

	switch (k) {
	case 0: puts_(t, fmt_nr(a, sizeof(a), (double)c->index, raw)); break;
	case 1: puts_(t, dt_damo_format_sz(a, sizeof(a), (double)r->start, raw)); break;
	case 2: puts_(t, dt_damo_format_sz(a, sizeof(a), (double)r->end, raw)); break;
	case 3: puts_(t, dt_damo_format_sz(a, sizeof(a), (double)(r->end - r->start), raw)); break;
	case 4: puts_(t, fmt_percent(a, sizeof(a), (double)dt_access_percent(c->rec, r), raw)); break;
	case 5:
		puts_(t, fmt_hz(a, sizeof(a), r->nr_accesses / ((double)c->rec->target.aggr_us / 1e6),
				raw, 1));
		break;
	case 6: puts_(t, fmt_time_us(a, sizeof(a), (double)dt_access_age_us(c->rec, r), raw)); break;
	case 7: puts_(t, fmt_nr(a, sizeof(a), (double)dt_access_temperature(c->rec, r, c->f->weights), raw)); break;
	case 8: break;
	case 9: puts_(t, dt_damo_format_sz(a, sizeof(a), 0, raw)); break;
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
	"<intervals tuning status>", "<damos stats>", "<snapshot intervals>", NULL };
static const char *const region_kws[] = {
	"<index>", "<start address>", "<end address>", "<size>", "<access rate>",
	"<access hz>", "<age>", "<temperature>", "<probe hits>", "<filters passed bytes>", NULL };

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
	if (!f->area[DT_ACCESS_REGION])
		ret |= set_area(f, DT_ACCESS_REGION,
				"<index> addr <start address> size <size> access <access hz> "
				"age <age>");
	return ret ? -ENOMEM : 0;
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
