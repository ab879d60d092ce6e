/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * html_internal.h - the pieces of the HTML report (timeline_html.h): what
 * the extra pass collects (html_data.c), how sections are encoded
 * (html_encode.c) and the embedded scripts and styles (html_assets.c).
 * Private to render/.
 */
#ifndef DT_HTML_INTERNAL_H
#define DT_HTML_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "footprint.h"
#include "stacks.h"
#include "timeline.h"
#include "timeline_html.h"

/* A finer heatmap grid over the range of the timeline's (html_heat.c):
 * one plain dt_heat_grid per area, each fed only the regions reaching it
 * (binary search in the sorted regions), which gives the cells a grid of
 * areas side by side gives, without its scan of every area per region. */
struct dt_html_heat {
	const struct dt_heat_grid *like; /* the timeline's grid */
	int closed;               /* one plain range: touching regions count */
	size_t nr;                /* sub-grids initialised */
	struct dt_heat_grid *sub;
	struct dt_heat_grid out;  /* areas: the bands side by side (cells,
				   * t_start, t_unit, t_resol, a_resol only) */
};
/* 0, 1 when the range cannot be cut so (the level is left out), -ENOMEM;
 * dt_html_heat_free in every case. */
int dt_html_heat_init(struct dt_html_heat *h, const struct dt_heat_grid *like, int64_t t0,
		      int64_t t1, size_t columns, uint64_t a_start, uint64_t a_end);
int dt_html_heat_add(struct dt_html_heat *h, const struct dtr_item *it);
/* The finished grid (owned by h); NULL when out of memory. */
const struct dt_heat_grid *dt_html_heat_finish(struct dt_html_heat *h);
void dt_html_heat_free(struct dt_html_heat *h);

/* One zoom level: `columns` time columns over the timeline's span. */
struct dt_html_level {
	size_t columns;
	/* Heatmap: level 0 is the timeline's grid, the others their own. */
	const struct dt_heat_grid *heat; /* NULL: not kept at this level */
	int has_fine;
	struct dt_html_heat fine;
	/* WSS per column: time-weighted mean and maximum; NaN where no
	 * aggregation overlaps it (has_wss: kept at this level). */
	int has_wss;
	double *wss_sum, *wss_cov, *wss_max;
	/* RSS per column (has_rss: the record has footprints): the largest
	 * sum of the targets' RSS read in it, else the column before's, NaN
	 * before the first (timeline.h's rss_max, at this level). */
	int has_rss;
	double *rss_max;
	/* Flame chart: per column the leaf of its heaviest call path (node
	 * of `stacks`, 0: none); has_flame: kept at this level. */
	int has_flame;
	uint32_t *leaf;
	/* while summing one column */
	long col;
	uint64_t *w;          /* per node */
	uint32_t *touched;
	size_t nr_touched;
};

/* One phase's callstacks: self weight per call path (leaf node). */
struct dt_html_tree {
	uint64_t weight, nr_samples;
	size_t nr, cap;
	struct dt_html_self {
		uint32_t node;
		uint64_t self;
	} *v;
};

#define DT_HTML_MAX_META 16

/* What the report says about the record beyond the timeline. */
struct dt_html_record {
	const char *format;        /* dt_input_format_name */
	size_t nr_meta;
	char *meta[DT_HTML_MAX_META][2];
	size_t nr_targets, cap_targets;
	struct dt_html_target {
		uint32_t kdamond, context, index;
		uint64_t id;
		int64_t pid;
		char *cmdline;
		const char *ops;
	} *targets;
	size_t nr_intervals, cap_intervals;
	struct dtr_intervals *intervals; /* distinct settings, in order */
	const char *clock;         /* the record's clock, "" when unknown */
	uint64_t nr_regions;
};

struct dt_html_data {
	uint32_t nr_levels;
	struct dt_html_level levels[DT_HTML_MAX_LEVELS];
	struct dt_stacks *stacks;  /* NULL without callstacks */
	uint32_t max_depth;
	size_t nr_trees;           /* one per phase */
	struct dt_html_tree *trees;
	struct dt_html_record rec;
	struct dt_rss rss;         /* the targets' latest RSS, while reading */
};

/* Read the timeline's inputs again and fill `d` (zeroed first).  Calls
 * o->timeline->progress now and then. */
int dt_html_collect(struct dt_html_data *d, const struct dt_timeline *tl,
		    const struct dt_timeline_html_opts *o, char *err, size_t errlen);
void dt_html_data_free(struct dt_html_data *d);
/* After the pass (html_stacks.c): sort the samples, sum them into the
 * phases' trees and the levels' flame columns. */
int dt_html_stacks_finish(struct dt_html_data *d, const struct dt_timeline *tl,
			  const struct dt_timeline_html_opts *o, char *err, size_t errlen);


/* ------------------------------------------------------------ encoding */

/* A growing byte buffer. */
struct dt_html_buf {
	unsigned char *p;
	size_t len, cap;
};
int dt_html_buf_put(struct dt_html_buf *b, const void *data, size_t len);
void dt_html_buf_free(struct dt_html_buf *b);

/* <script type="application/octet-stream" id="ID">: `data` deflated
 * (zlib format) and base64-encoded.  0, -ENOMEM or -EIO. */
int dt_html_section(FILE *out, const char *id, const void *data, size_t len);

/* Heat codes: 0 NaN, 1 zero, 2..65535 log scale over [lo, hi] (the
 * smallest and largest positive cells; fills *lo, *hi), as two planes of
 * t_resol * a_resol bytes: every code's high byte, then every low byte,
 * cells in the grid's order (time-major). */
int dt_html_heat_codes(const struct dt_heat_grid *g, struct dt_html_buf *out,
		       double *lo, double *hi);

/* ------------------------------------------------------------- assets */

struct dt_html_asset {
	const char *name;          /* file name under render/html/ */
	const unsigned char *data;
	size_t len;
};
/* The embedded file `name`, or NULL. */
const struct dt_html_asset *dt_html_asset(const char *name);

/* The JSON description of the report (the "meta" section); range[k]: the
 * smallest and largest positive heat of level k (dt_html_heat_codes). */
int dt_html_write_meta(FILE *out, const struct dt_timeline *tl, const struct dt_html_data *d,
		       const struct dt_timeline_html_opts *o, const double (*range)[2]);

#endif /* DT_HTML_INTERNAL_H */
