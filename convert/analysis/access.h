/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * access.h - damo's `report access`: the regions of every snapshot, as
 * damo prints them (damo_report_access.py), with its filters and format
 * templates.
 *
 * A record, in damo's sense, is one monitoring target: its snapshots in
 * order and the intervals of its context.  dt_access_records_add() keeps
 * every snapshot of the input (the report prints them all), then
 * dt_access_filter_apply() drops regions and snapshots as damo's
 * RecordFilter does, in damo's order: access pattern (--sz_region,
 * --access_rate, --age), --address (regions clipped), --sz_snapshot,
 * --snapshot_time, --snapshot_idx, --temperature.
 *
 * Derived values are damo's: access rate in percent is
 * int(nr_accesses * 100 / (aggr / sample)), age in us is age * aggr, and
 * temperature is size * w0 + percent * w1 + age_us * w2, negated when the
 * access rate is 0.  Records carry no DAMOS filter-passed sizes: they are
 * 0 B, as in damo's records of monitoring without DAMOS filters.
 */
#ifndef DT_ACCESS_H
#define DT_ACCESS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "dtr.h"
#include "report.h"

struct dt_access_snapshot {
	uint64_t start_ns, end_ns;
	uint64_t total_bytes;       /* as damo keeps it: updated by --address and
				     * --temperature only */
	enum dtr_unit access_unit, age_unit; /* DTR_UNIT_ABSENT: not recorded */
	size_t nr;
	struct dtr_region *regions; /* sorted by address */
};

struct dt_access_record {
	struct dt_target_info target;  /* ids and intervals (aggr_us 0: none) */
	uint64_t update_us;            /* ops update interval; 0: unknown */
	int no_indices;                /* a damo record without kdamond/context indices */
	size_t nr, cap;
	struct dt_access_snapshot *snapshots;
};

struct dt_access_records {
	struct dt_targets targets;
	size_t nr, cap;                /* records: same index as targets.v */
	struct dt_access_record *v;
	int no_indices;                /* damo record without kdamond/context indices */
	const char *data_source;       /* damo's data_source, or "unknown" */
	char *data_source_copy;
};

/* Feed every item of the input.  0 or -ENOMEM.  Records take the input's
 * no_indices when it ends (dt_access_records_finish). */
int dt_access_records_add(struct dt_access_records *r, const struct dtr_item *item,
			  char *err, size_t errlen);
void dt_access_records_finish(struct dt_access_records *r);
/* 1 when every record has intervals (damo refuses to format others). */
int dt_access_records_have_intervals(const struct dt_access_records *r);
void dt_access_records_free(struct dt_access_records *r);

/* damo's derived values of a region of record `rec`. */
int64_t dt_access_percent(const struct dt_access_record *rec, const struct dtr_region *reg);
int64_t dt_access_age_us(const struct dt_access_record *rec, const struct dtr_region *reg);
int64_t dt_access_temperature(const struct dt_access_record *rec, const struct dtr_region *reg,
			      const int64_t w[3]);

#define DT_ACCESS_MAX_RANGES 64

/* damo's filter options; ranges are inclusive at both ends as damo's. */
struct dt_access_filter {
	uint64_t sz[2];                 /* --sz_region: default 0, UINT64_MAX */
	double rate[2];                 /* --access_rate, percent */
	double age_us[2];               /* --age */
	size_t nr_addr;                 /* --address [start, end) each, sorted */
	uint64_t addr[DT_ACCESS_MAX_RANGES][2];
	size_t nr_sz_snapshot;
	uint64_t sz_snapshot[DT_ACCESS_MAX_RANGES][2];
	size_t nr_time;                 /* --snapshot_time, absolute ns */
	double time[DT_ACCESS_MAX_RANGES][2];
	size_t nr_idx;
	int64_t idx[DT_ACCESS_MAX_RANGES][2];
	size_t nr_temp;
	int64_t temp[DT_ACCESS_MAX_RANGES][2];
	int64_t weights[3];             /* of --temperature */
};
void dt_access_filter_default(struct dt_access_filter *f);
/* 0 or -ENOMEM. */
int dt_access_filter_apply(struct dt_access_records *r, const struct dt_access_filter *f);

/* --------------------------------------------------------------- format */

enum dt_access_area {
	DT_ACCESS_RECORD_HEAD, DT_ACCESS_SNAPSHOT_HEAD, DT_ACCESS_REGION,
	DT_ACCESS_SNAPSHOT_TAIL, DT_ACCESS_RECORD_TAIL, DT_ACCESS_NR_AREAS,
};

#define DT_ACCESS_MAX_SORT 8
#define DT_ACCESS_MAX_PERCENTILES 128

/* What a region box's length, colour or height shows. */
enum { DT_BOX_SIZE, DT_BOX_ACCESS_RATE, DT_BOX_AGE };
#define DT_ACCESS_MAX_MIN_CHARS 32

struct dt_access_format {
	char *area[DT_ACCESS_NR_AREAS]; /* templates (owned); NULL: damo's default */
	int raw_number;
	int64_t weights[3];             /* --temperature_weights */
	size_t nr_sort;                 /* --sort_regions_by, applied in order */
	enum { DT_SORT_ADDRESS, DT_SORT_ACCESS_RATE, DT_SORT_AGE, DT_SORT_SIZE,
	       DT_SORT_TEMPERATURE } sort[DT_ACCESS_MAX_SORT];
	int sort_dsc[DT_ACCESS_MAX_SORT];
	unsigned dsc_keys;              /* --sort_regions_dsc: bit per sort key */
	size_t heatmap_width;           /* --snapshot_heatmap_width (80) */
	const char *heatmap_colorset;   /* gray, flame, emotion */
	int heatmap_static;
	int color;                      /* colour codes in the snapshot heatmap */
	size_t nr_percentiles_range;    /* --percentiles_range: <= 3 a range(), more a
					 * list; 0: damo's 0 1 25 50 75 99 100 */
	int64_t percentiles_range[DT_ACCESS_MAX_PERCENTILES];
	int hist_logscale, hist_cumulate;
	size_t nr_hist_ranges;          /* --hist_ranges pairs; 0: ten from the data */
	double hist_ranges[DT_ACCESS_MAX_RANGES][2];
	struct dt_access_box {          /* <box>: damo's --region_box_* options */
		int enabled;            /* --region_box */
		int values[3];          /* of length, colour, height: DT_BOX_* */
		int64_t length[2];      /* min, max columns (1 30) */
		int64_t height[2];      /* min, max rows (1 5) */
		const char *colorset;   /* gray, flame, emotion */
		int logscale[3];        /* of length, colour, height (1 0 1) */
		int align_right;
	} box;
	size_t nr_min_chars;            /* damo's defaults first, then the user's */
	struct { const char *keyword; long n; } min_chars[DT_ACCESS_MAX_MIN_CHARS];
};
/* damo's defaults (no template set, sort by address, weights 0 100 100,
 * width 80, gray, damo's --min_chars_for list). */
void dt_access_format_default(struct dt_access_format *f);
/* Set (append 0) or append to an area's template; the defaults of the
 * areas left NULL are filled first when appending.  0 or -ENOMEM. */
int dt_access_format_set(struct dt_access_format *f, const struct dt_access_records *r,
			 enum dt_access_area area, const char *text, int append);
/* damo's --style: detailed (nothing to do), simple-boxes, temperature-sz-hist,
 * recency-sz-hist, cold-memory-tail, recency-percentiles,
 * idle-time-percentiles, temperature-percentiles, cold or hot: the
 * templates (and sort keys) damo sets, over those of --format set.  0,
 * -EINVAL for another name, or -ENOMEM. */
int dt_access_format_style(struct dt_access_format *f, const struct dt_access_records *r,
			   const char *style);
/* 1 when damo knows the style name. */
int dt_access_style_known(const char *style);
/* --total_sz_only: one total size per snapshot. */
int dt_access_format_total_sz_only(struct dt_access_format *f);
/* Fill the areas still NULL with damo's defaults for these records. */
int dt_access_format_defaults_for(struct dt_access_format *f, const struct dt_access_records *r);
void dt_access_format_free(struct dt_access_format *f);

/* The report text, damo's fmt_records(): lines joined by newlines, with no
 * final newline (malloc'ed into *text).  0 or -ENOMEM. */
int dt_access_report(const struct dt_access_records *r, const struct dt_access_format *f,
		     char **text, size_t *len);

/* ---------------------------------------------------------- distributions */

/* The text of damo's <recency percentiles> / <temperature percentiles>
 * (recency 0) and <recency-sz histogram> / <temperature-sz histogram> of a
 * snapshot, as damo's percentiles_str() and sz_hist_str() print them: no
 * final newline.  Recency is the idle time (0 when accessed, else age plus
 * one aggregation interval), temperature has the size weight zeroed.
 * 0 or -ENOMEM. */
int dt_access_percentiles(const struct dt_access_record *rec, const struct dt_access_snapshot *s,
			  const struct dt_access_format *f, int recency, dt_put_fn put, void *o);
int dt_access_sz_hist(const struct dt_access_record *rec, const struct dt_access_snapshot *s,
		      const struct dt_access_format *f, int recency, dt_put_fn put, void *o);

/* ------------------------------------------------------------ region box */

/* The lowest and highest size, access rate (percent) and age (us) of every
 * region of every snapshot: what a box's scales span (damo's
 * SortedAccessPatterns). */
struct dt_access_box_span {
	int64_t min[3], max[3];
};
void dt_access_box_span(const struct dt_access_records *r, struct dt_access_box_span *span);
/* damo's <box> of a region: "|000|" rows (colour codes when f->color),
 * right-aligned or not, one row per unit of height, a final newline when
 * the height may exceed one row. */
void dt_access_box(const struct dt_access_record *rec, const struct dtr_region *reg,
		   const struct dt_access_format *f, const struct dt_access_box_span *span,
		   dt_put_fn put, void *o);
/* damo's <region box description> (three "# length: ..." lines) and
 * <region box colors>. */
void dt_access_box_description(const struct dt_access_format *f,
			       const struct dt_access_box_span *span, dt_put_fn put, void *o);
void dt_access_box_colors(const struct dt_access_format *f, dt_put_fn put, void *o);
/* ---------------------------------------------------- numbers, colours */

/* damo's format_nr() (sign, "%d" of the magnitude, commas unless raw),
 * format_percent(), format_hz() (suffix: " hz") and format_time_us() of
 * a double; the colour escape that opens `level` (clamped to 0-9) of the
 * gray, flame or emotion colorset.  Each returns buf. */
char *dt_access_fmt_nr(char *buf, size_t len, double v, int raw);
char *dt_access_fmt_percent(char *buf, size_t len, double percent, int raw);
char *dt_access_fmt_hz(char *buf, size_t len, double hz, int raw, int suffix);
char *dt_access_fmt_time_us(char *buf, size_t len, double us, int raw);
char *dt_access_color_start(char *buf, size_t len, const char *colorset, int level);

/* ------------------------------------------------------ json, raw form */

/* damo's `report access --json`: the records as damo's json.dumps(indent=4)
 * of its record objects (sizes, times and intervals in damo's units unless
 * raw; region addresses, percentages and ages as damo prints them either
 * way), written through put; no final newline. */
void dt_access_json(const struct dt_access_records *r, int raw, dt_put_fn put, void *o);
/* damo's `report access --raw_form` (report.h's raw form per record). */
void dt_access_raw_form(const struct dt_access_records *r, int raw, dt_put_fn put, void *o);

#endif /* DT_ACCESS_H */
