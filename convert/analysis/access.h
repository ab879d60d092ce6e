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
	size_t nr;
	struct dtr_region *regions; /* sorted by address */
};

struct dt_access_record {
	struct dt_target_info target;  /* ids and intervals (aggr_us 0: none) */
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
#define DT_ACCESS_MAX_MIN_CHARS 32

struct dt_access_format {
	char *area[DT_ACCESS_NR_AREAS]; /* templates (owned); NULL: damo's default */
	int raw_number;
	int64_t weights[3];             /* --temperature_weights */
	size_t nr_sort;                 /* --sort_regions_by, applied in order */
	enum { DT_SORT_ADDRESS, DT_SORT_ACCESS_RATE, DT_SORT_AGE, DT_SORT_SIZE,
	       DT_SORT_TEMPERATURE } sort[DT_ACCESS_MAX_SORT];
	int sort_dsc[DT_ACCESS_MAX_SORT];
	size_t heatmap_width;           /* --snapshot_heatmap_width (80) */
	const char *heatmap_colorset;   /* gray, flame, emotion */
	int heatmap_static;
	int color;                      /* colour codes in the snapshot heatmap */
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
/* --total_sz_only: one total size per snapshot. */
int dt_access_format_total_sz_only(struct dt_access_format *f);
/* Fill the areas still NULL with damo's defaults for these records. */
int dt_access_format_defaults_for(struct dt_access_format *f, const struct dt_access_records *r);
void dt_access_format_free(struct dt_access_format *f);

/* The report text, damo's fmt_records(): lines joined by newlines, with no
 * final newline (malloc'ed into *text).  0 or -ENOMEM. */
int dt_access_report(const struct dt_access_records *r, const struct dt_access_format *f,
		     char **text, size_t *len);

#endif /* DT_ACCESS_H */
