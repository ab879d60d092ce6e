/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * report.h - what damo's text reports share: its number formatting, its
 * percentile lists with `|****|` bars, the targets of a record, and the
 * nr_regions report.
 *
 * damo prints a distribution as "# <percentile> <metric>", "# avr:\tN"
 * and one "%3d %15s |***   |" line per percentile, where percentile p
 * picks element int(p / 100.0 * len) of the (sorted or time-ordered) list,
 * clamped to the last one.  These functions reproduce that text byte for
 * byte; the computations that feed them live in wss.h and heatmap.h.
 */
#ifndef DT_REPORT_H
#define DT_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "hashmap.h"

#include "dtr.h"

/* ---------------------------------------------------------- damo numbers */

/* The one copy of damo's number texts (_damo_fmt_str): the text reports,
 * the heatmap's labels and the damo-raw export all print through these.
 * buf holds the text cut to len; 64 bytes hold any value of uint64_t
 * range. */

/* damo's format_sz(): raw: "%d" of the (truncated) value; otherwise
 * "%.3f GiB" / "MiB" / "KiB" above each unit, else "%d B". */
char *dt_damo_format_sz(char *buf, size_t len, double bytes, int raw);
/* damo's format_sz_accurate(): as format_sz with "%f" ("4.000000 MiB"). */
char *dt_damo_format_sz_accurate(char *buf, size_t len, double bytes);
/* damo's format_time_ns(): raw "%d"; otherwise "1 h 2 m 3.500 s" style. */
char *dt_damo_format_time_ns(char *buf, size_t len, double ns, int raw);
/* damo's format_time_ns_exact() of whole nanoseconds: raw "%d";
 * otherwise every unit down to ns, "16 m 41 s 669 us 974 ns". */
char *dt_damo_format_time_ns_exact(char *buf, size_t len, uint64_t ns, int raw);
/* damo's format_nr() of an integer: "%d", thousands commas unless raw. */
char *dt_damo_format_nr(char *buf, size_t len, uint64_t v, int raw);
/* Python's true division of a non-negative integer sum by a count. */
double dt_py_div_u128(unsigned __int128 sum, uint64_t count);

/* ------------------------------------------------------------ raw form */

/* Where the text of a writer goes: n bytes at p. */
typedef void (*dt_put_fn)(void *o, const char *p, size_t n);
/* printf through put: texts up to 1023 bytes (longer ones are cut). */
void dt_putf(dt_put_fn put, void *o, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* damo's `report access --raw_form` text of one record: the head
 * ("base_time_absolute: ..." and "data source: ...", base_ns the start of
 * the record's first snapshot), then each snapshot's lines with times
 * relative to base_ns, lengths in damo's units (raw: plain numbers), -1
 * for absent access counts and ages.  Every line ends with a newline. */
void dt_damo_raw_form_head(dt_put_fn put, void *o, double base_ns, const char *data_source,
			   int raw);
void dt_damo_raw_form_snapshot(dt_put_fn put, void *o, const struct dtr_snapshot *s,
			       double base_ns, uint64_t target_id, int raw);

/* ---------------------------------------------------------- percentiles */

/* Python's range(start, stop, step) of percentiles, as damo's -r. */
struct dt_pct_range {
	int64_t start, stop, step;
};
#define DT_PCT_RANGE_DEFAULT ((struct dt_pct_range){ 0, 101, 25 })

/* Checks a range given on a command line: step non-zero, every percentile
 * within [0, 100].  0 or -EINVAL with a message. */
int dt_pct_range_check(const struct dt_pct_range *r, char *err, size_t errlen);
/* damo's index of percentile p in a list of nr values (nr > 0). */
size_t dt_percentile_index(int64_t percentile, size_t nr);

struct dt_dist_print_opts {
	const char *metric;   /* "wss" */
	struct dt_pct_range range;
	int all;              /* print every value ("%d %s" per index) */
	int raw_number;       /* machine-friendly numbers */
	int nr_cols_bar;      /* width of the bar; 0: no bar (damo's default 59) */
};
/* damo's fmt_dists() for sizes: the header, "# avr:" and the percentile
 * lines of `vals` (already sorted or in time order). */
int dt_print_size_dist(FILE *out, const uint64_t *vals, size_t nr,
		       const struct dt_dist_print_opts *opts);

/* --------------------------------------------------------------- targets */

/* One monitoring target of a record, as snapshots name it, with what the
 * CONTEXT and INTERVALS items say about it. */
struct dt_target_info {
	uint32_t kdamond, context, target;
	uint64_t id;      /* DAMON's target id; the index when not recorded */
	int64_t pid;      /* -1 when unknown */
	uint64_t aggr_us; /* aggregation interval in force; 0 when unknown */
	uint64_t sample_us;
};

struct dt_targets {
	size_t nr, cap;
	struct dt_target_info *v;  /* in order of first appearance */
	size_t nr_ctx, cap_ctx;
	struct dtr_intervals *ctx; /* latest intervals per (kdamond, context) */
	size_t nr_known, cap_known;
	struct dt_target_info *known; /* targets named by CONTEXT items */
	struct dt_hashmap v_index, known_index; /* target key -> index: damo's
					       * records repeat a growing CONTEXT
					       * per target, so lookups must not
					       * cost O(targets) */
};

/* Feed CONTEXT and INTERVALS items (others are ignored).  0 or -ENOMEM. */
int dt_targets_note(struct dt_targets *t, const struct dtr_item *item);
/* Index of the snapshot's target in t->v, adding it on first sight;
 * -ENOMEM on allocation failure. */
int dt_targets_of(struct dt_targets *t, const struct dtr_snapshot *s);
void dt_targets_free(struct dt_targets *t);

/* ----------------------------------------------------------- nr_regions */

/* damo's `report nr_regions`: per target, the number of regions of every
 * snapshot but the first 20, as percentiles.  Stream snapshots in with
 * dt_nr_regions_add, print with dt_nr_regions_print. */
struct dt_nr_regions {
	struct dt_targets targets;
	struct dt_u64_list {
		size_t nr, cap, skipped;
		uint64_t *v;
	} *per_target;
	size_t nr_lists, cap_lists;
};
int dt_nr_regions_add(struct dt_nr_regions *n, const struct dtr_item *item,
		      char *err, size_t errlen);
/* sort_by_time: keep time order (damo's --sortby time). */
int dt_nr_regions_print(FILE *out, struct dt_nr_regions *n,
			const struct dt_pct_range *range, int sort_by_time);
void dt_nr_regions_free(struct dt_nr_regions *n);

#endif /* DT_REPORT_H */
