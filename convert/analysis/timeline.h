/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * timeline.h - what damo-timeline shows, assembled in a few streaming
 * passes: the working set size over time, damo's access heatmap grid, a
 * flame chart of one thread's callstacks by time, and the memory access
 * phases (phases.h) with the functions that ran in each.
 *
 * The targets' resident set size comes from FOOTPRINT items (footprint.h),
 * folded into the same time columns as the WSS.
 *
 * Inputs: a record (anything dt_input_open reads) and/or perf script text
 * (perf_script.h).  Callstacks come from the record's own STACK items, and
 * from the perf script text, which replaces them unless
 * load.keep_record_stacks (the convention of damo-stacks); perf times are
 * put on the record's clock as clock_align.h decides.
 *
 * Passes: the record is read twice (setup, clocks, the heatmap guide and
 * its areas' heats, heatmap.h's, and the phases' first pass; the phases'
 * second pass, WSS, heatmap cells and callstacks), a third time only for
 * the heatmap of the phases' areas (--draw_range phases), or of the hottest
 * area when the guide's spans could not give the heats; the perf script
 * text three times (clock and time span; samples for the phases' first
 * pass; samples).  Standard input ("-") is copied to a temporary file
 * first.
 *
 * Memory grows with the number of time columns and address cells, with the
 * distinct frames, call paths and threads; the phases' features are capped
 * (phases.h: 4096 bins); never with the number of snapshots or samples:
 * WSS values and callstacks are summed into time columns as they stream
 * by.  The flame chart keeps, per column, the weight of each call path of
 * the chosen thread seen in that column (at most
 * DT_TIMELINE_MAX_PATHS_PER_COLUMN; later new paths are not counted).
 *
 * Phases, their names and `top:` lists are phases.h's, the same in every
 * command.
 *
 * Functions return 0 or a negative errno and write one line into err.
 */
#ifndef DT_TIMELINE_H
#define DT_TIMELINE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "clock_align.h"
#include "framing.h"
#include "heatmap.h"
#include "origin.h"
#include "phases.h"
#include "stacks_profile.h"

#define DT_TIMELINE_MAX_PATHS_PER_COLUMN 4096
#define DT_TIMELINE_MAX_WARNINGS 6

enum dt_timeline_draw_range {
	DT_TIMELINE_HOTTEST = 0, /* damo-heatmap's default: the hottest area */
	DT_TIMELINE_MAPPED,      /* every area, unmapped gaps collapsed */
	DT_TIMELINE_PHASES,      /* the areas holding each phase's largest hot
				  * range, gaps collapsed (the hottest when none) */
	DT_TIMELINE_WORKED,      /* default: the memory the program worked on
				  * (framing.h), gaps collapsed (the hottest
				  * when nothing was accessed) */
};

/* Progress of the passes ("record pass 2", items read so far). */
typedef void (*dt_timeline_progress_fn)(void *ctx, const char *stage, uint64_t items);

struct dt_timeline_opts {
	struct dt_stacks_load_opts load; /* inputs, alignment, phase parameters */
	size_t columns;           /* time columns (WSS, heatmap, flame chart); 0: 500 */
	size_t addr_cells;        /* heatmap address cells; 0: 300 */
	int has_tid;              /* flame chart of this thread (else the busiest) */
	int32_t tid;
	int has_target;           /* heatmap of the target with this DAMON id */
	uint64_t target_id;       /* (else the heatmap guide's first target) */
	int has_address_range;    /* heatmap of [addr_start, addr_end) */
	uint64_t addr_start, addr_end;
	/* or, with has_address_range, of guided_range: offsets from the start
	 * of the hottest area of the heatmap's guide (damo's 'guided' base) */
	int address_guided;
	struct dt_address_range guided_range;
	/* Only the snapshots lying inside this range, and the stacks and
	 * footprints in it (damo's --time_range: absolute, or from the
	 * record's first snapshot start with "guided", its last snapshot end
	 * with "guided_end", or a given base). */
	int has_time_range;
	struct dt_time_range time_range;
	enum dt_timeline_draw_range draw_range;
	uint32_t max_depth;       /* flame chart levels kept; 0: 32 */
	uint32_t top_functions;   /* functions listed per phase; 0: 5 */
	dt_timeline_progress_fn progress;
	void *progress_ctx;
};

void dt_timeline_opts_default(struct dt_timeline_opts *o);

/* One flame chart box: columns [col0, col1) at `depth` (1: root frame). */
struct dt_timeline_box {
	uint32_t col0, col1, depth, frame;
};

struct dt_timeline {
	/* Time axis: [t_start_ns, t_end_ns) cut into `columns` columns. */
	uint64_t t_start_ns, t_end_ns;
	size_t columns;
	int has_damon;            /* the record had snapshots */
	uint64_t nr_snapshots, nr_aggrs, peak_wss;
	/* WSS per column: time-weighted mean and maximum of the aggregations
	 * overlapping it; NaN where none does. */
	double *wss_mean, *wss_max;
	/* RSS per column (has_rss: the record has footprints): the largest
	 * sum of the targets' RSS (footprint.h) read in it, or the column
	 * before's where none was; NaN before the first. */
	int has_rss;
	double *rss_max;
	/* Time zero of every output (origin.h; absolute, the record's clock):
	 * reports, axes and JSON count from it. */
	struct dt_origin origin;
	uint64_t origin_ns;
	/* Phases, segments, lanes, quality (phases.h; times on the record's
	 * clock). */
	struct dt_phases *phases;
	/* Heatmap (has_grid): the grid, its target and what the range is. */
	int has_grid;
	struct dt_heat_grid grid;
	struct dt_target_info heat_target;
	char heat_range_name[96];  /* "anon", "heap", a file name, "" */
	/* What the heatmap shows: [heat_start, heat_end), or the grid's pieces
	 * side by side; chosen as "address_range", "worked" (framing.h),
	 * "hottest" (the guide's hottest area, as damo-heatmap picks it),
	 * "mapped" or "phases". */
	uint64_t heat_start, heat_end;
	const char *heat_choice;
	struct dt_frame frame;     /* "worked": the areas and their names */
	struct dt_maps_copy maps;  /* latest maps, to name areas */
	/* Callstacks. */
	uint64_t nr_samples, nr_record_samples, nr_perf_samples;
	int weight_is_ns;          /* weights are ns of CPU time (else samples) */
	struct dt_align_result align;
	int has_thread;            /* flame chart thread found */
	int32_t pid, tid;
	char comm[64];
	uint64_t thread_weight, nr_threads;
	size_t nr_boxes;
	struct dt_timeline_box *boxes;
	uint32_t max_depth;        /* deepest box */
	size_t nr_warnings;
	char warnings[DT_TIMELINE_MAX_WARNINGS][320];
	struct dt_timeline_priv *priv;
};

int dt_timeline_build(struct dt_timeline **tl, const struct dt_timeline_opts *o,
		      char *err, size_t errlen);
void dt_timeline_free(struct dt_timeline *tl);

const char *dt_timeline_frame_symbol(const struct dt_timeline *tl, uint32_t frame);
const char *dt_timeline_frame_dso(const struct dt_timeline *tl, uint32_t frame);
/* The name of the heatmap's k-th area (piece; 0 for a grid without
 * pieces): the framing's for "worked", else from the latest maps; "" when
 * none.  Returns buf. */
char *dt_timeline_heat_area_name(const struct dt_timeline *tl, size_t k, char *buf, size_t len);
/* Start and end time of column `col`, in seconds from the time zero
 * (origin_ns). */
double dt_timeline_column_s(const struct dt_timeline *tl, double col);

/* The phase report: a header (the time zero as absolute ns, the
 * recording's quality and its warnings), then one line per segment, in
 * time order, phases and idle segments alike:
 *   phase 3 [2.91-4.10 s] (±0.10, ±0.20) Transpose: steady, WSS 64.0 MiB, hot 0x7f2a00000000+64.0 MiB (anon); top: Transpose 71%, run 71%
 *   idle [4.10-5.00 s] (±0.20, ±0.10)
 * (times from origin_ns; the boundaries' uncertainty; the name by the
 * naming rule; the pattern, with a sweep's or growth's range and speed;
 * WSS the phase's mean; the largest hot range and how many more; top: the
 * functions by share, at most --top), then, when threads ran different
 * phases at once, one line per thread lane.  "no phases" when there are
 * none.  0 or -EIO. */
int dt_timeline_print_report(FILE *out, const struct dt_timeline *tl);
/* The same as one JSON object (keys documented in damo-timeline(1)). */
int dt_timeline_print_json(FILE *out, const struct dt_timeline *tl);

#endif /* DT_TIMELINE_H */
