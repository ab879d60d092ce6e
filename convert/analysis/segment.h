/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * segment.h - cutting a record's whole time into segments where memory
 * behaviour or the dominant call path changes (docs/PHASES.md).
 *
 * Input: per-bin features (struct dt_seg_features; a bin is one DAMON
 * aggregation, or several neighbouring ones when a long record hits the
 * bin cap), built from a record by segment_features.c or by hand in tests.
 * Output: segments that tile [first bin start, last bin end), each with its
 * pattern (idle, steady, sweep with range and speed, growth), and, for each
 * boundary, the reason it was cut (call path, activity, hot set moved, WSS
 * level), its effect size and its uncertainty (+-).
 *
 * Method: two stages of binary segmentation, each split kept only when an
 * effect size, corrected for the scatter inside each side, reaches a
 * threshold (struct dt_seg_params).  Stage 1 cuts on call-path shares
 * (inclusive sample share of each varying function, per bin: shares, not
 * counts, so perf's rate changes do not cut) and on activity (idle or
 * busy, from sample rate and WSS).  Stage 2 cuts each stage-1 segment on
 * the hot set (hot bytes per address cell of the worked-on areas), leaving
 * out the first regions-update interval after a stage-1 boundary, where
 * DAMON still shows the previous behaviour; its effect is the change of the
 * hot set across the boundary minus twice the drift inside each side, so a
 * band moving through a buffer (a sweep) or a growing heap is not cut.
 *
 * Knobs are nested: lowering a threshold only adds boundaries (a stage-2
 * boundary may be replaced by a stage-1 one within one update interval).
 *
 * Memory: O(nr_bins x (nr_frames + nr_cells)) doubles of prefix sums while
 * segmenting, freed before returning; the result holds one struct
 * dt_segment per segment.
 */
#ifndef DT_SEGMENT_H
#define DT_SEGMENT_H

#include <stddef.h>
#include <stdint.h>

/* A worked-on address area: a mapping (or a dense range without maps). */
struct dt_seg_area {
	uint64_t start, end;   /* [start, end) */
	uint32_t target;       /* target index (areas of all targets together) */
	char kind[8];          /* "heap", "stack", "file", "anon", "dense" */
	int32_t pid;           /* the target's pid; -1 when unknown */
	char name[40];         /* a mapped file's base name; "" otherwise */
};

/* A thread lane (dt_seg_lane_view): one thread's callstack samples. */
struct dt_seg_lane {
	int32_t pid, tid;
	uint64_t samples;              /* the thread's samples, whole record */
	uint64_t first_ns, last_ns;    /* span of its samples */
};

/* Flags of a tracked function (struct dt_seg_frame). */
#define DT_SEG_FRAME_FEATURE 0x1u /* its share varies: segmentation uses it */
#define DT_SEG_FRAME_COMMON  0x2u /* on >= 70% of the samples everywhere */
#define DT_SEG_FRAME_KERNEL  0x4u /* a kernel frame */
#define DT_SEG_FRAME_LIBRARY 0x8u /* in a shared library (or no DSO) */
#define DT_SEG_FRAME_UNKNOWN 0x10u /* no symbol ("[unknown]") */
#define DT_SEG_FRAME_SOURCE  0x20u /* has a source line (debug info) */
#define DT_SEG_FRAME_THREAD  0x40u /* common only as one thread's: seen in that
				    * thread alone, on 90% of its samples, with
				    * two threads holding 10% of the samples each */

/* A tracked function (symbol and DSO, recursion collapsed). */
struct dt_seg_frame {
	const char *symbol, *dso; /* owned by the features */
	double depth;             /* mean distance from the root frame */
	uint64_t samples;         /* samples holding it, whole record */
	unsigned flags;           /* DT_SEG_FRAME_* */
};

/* Per-bin features.  Arrays are indexed [bin], [bin * nr_frames + frame],
 * [bin * nr_areas * nr_cells + area * nr_cells + cell]; sums over the
 * aggregations merged into a bin (nr_aggrs of them), so that merging two
 * bins adds them. */
struct dt_seg_features {
	size_t nr_bins, nr_areas, nr_cells, nr_frames;
	uint64_t *start_ns, *end_ns;  /* bin span */
	uint32_t *nr_aggrs;           /* aggregations summed into the bin */
	double *wss;                  /* bytes with nr_accesses > 0 (all memory) */
	double *heat;                 /* hot bytes (x nr_accesses/max) per cell */
	double *pos;                  /* per area: hot bytes x offset in the area */
	double *samples;              /* callstack samples in the bin */
	double *frame_samples;        /* samples holding each tracked function */
	struct dt_seg_area *areas;
	struct dt_seg_frame *frames;
	uint64_t update_ns;           /* regions update interval (0: unknown) */
	uint64_t sample_ns, aggr_ns;  /* DAMON intervals (0: unknown) */
	uint64_t stacks_first_ns, stacks_last_ns; /* span of the samples; 0/0: none */
	uint64_t nr_stacks;           /* samples of the whole record */
	/* Thread lanes: set when at least two threads each hold
	 * DT_SEG_LANE_SHARE of the samples (at most max_lanes, heaviest
	 * first); their samples per bin, [lane * nr_bins + bin], and per
	 * tracked function, [(lane * nr_bins + bin) * nr_frames + frame]. */
	size_t nr_lanes;
	struct dt_seg_lane *lanes;
	double *lane_samples, *lane_frame_samples;
	/* Recording quality, counted in pass 1. */
	uint64_t nr_snapshots, nr_incomplete; /* snapshots; those with lost events */
};

#define DT_SEG_LANE_SHARE 0.1

/* Free the arrays and strings of `f` (not `f` itself). */
void dt_seg_features_free(struct dt_seg_features *f);
/* Allocate zeroed arrays for the sizes set in f (nr_*, lanes included);
 * areas and frames as well.  0 or -ENOMEM. */
int dt_seg_features_alloc(struct dt_seg_features *f, char *err, size_t errlen);

struct dt_seg_params {
	double call_effect;   /* stage 1 threshold (share difference); default 0.3 */
	double memory_effect; /* stage 2 threshold (hot-set distance); default 0.5 */
	double z;             /* scatter correction in standard errors; default 2 */
	double drift;         /* weight of a share's drift inside a side; default 0 */
	uint32_t min_bins;    /* shortest segment, in bins; default 3 */
};
void dt_seg_params_default(struct dt_seg_params *p);

enum dt_seg_pattern {
	DT_SEG_IDLE = 0,
	DT_SEG_STEADY,
	DT_SEG_SWEEP,
	DT_SEG_GROWTH,
};

enum dt_seg_reason {
	DT_SEG_START = 0,     /* the record's start (first segment) */
	DT_SEG_CALLS,         /* the call path changed */
	DT_SEG_ACTIVITY,      /* idle <-> busy */
	DT_SEG_HOTSET,        /* the hot set moved */
	DT_SEG_WSS,           /* the working-set level changed */
};

struct dt_segment {
	size_t first_bin, nr_bins;
	uint64_t start_ns, end_ns;
	enum dt_seg_reason reason; /* why it starts here */
	double effect;             /* effect size of its starting boundary */
	uint64_t uncertainty_ns;   /* +- of its starting boundary */
	enum dt_seg_pattern pattern;
	double activity;           /* 0 idle .. 1 busy */
	double wss_mean;           /* bytes */
	int area;                  /* area most of its heat is in; -1: none */
	/* sweep: the range its band moved through and its speed (bytes/s,
	 * negative downwards); growth: the range and the growth rate */
	uint64_t range_start, range_end;
	double speed;
};

struct dt_segments {
	size_t nr;
	struct dt_segment *v;
};

/* Segment `f`.  0 or a negative errno (err says why). */
int dt_segment(const struct dt_seg_features *f, const struct dt_seg_params *p,
	       struct dt_segments *out, char *err, size_t errlen);
void dt_segments_free(struct dt_segments *s);

const char *dt_seg_pattern_name(enum dt_seg_pattern p); /* "steady", ... */
const char *dt_seg_reason_name(enum dt_seg_reason r);   /* "call path", ... */

/* Name of the segment (the naming rule): among tracked frames that
 * are not common to the whole record, the deepest whose inclusive share of
 * the segment's samples is >= 50%, preferring main-executable frames with
 * source lines, then main-executable frames, then (before library frames)
 * the executable's frames common only to one thread (a thread's own
 * function, such as the worker's loop), then library frames; kernel and
 * unknown frames never.
 * When none qualifies, the top two by share; but when the largest of them
 * covers under a quarter of the samples (the segment is the record's main
 * work, common to the whole of it), the same choice among the common
 * frames (the deepest frame of the executable on half of the samples).  Writes frame indexes into
 * names[0..1] (-1 when absent) and their shares; returns how many (0-2). */
int dt_segment_name(const struct dt_seg_features *f, const struct dt_segment *s,
		    int names[2], double shares[2]);

/* The functions of segment `s` by inclusive share of its samples, largest
 * first (ties: deeper first), leaving out kernel, unknown and common
 * frames, and frames whose share in `s` is under 1.5 times their share in
 * the rest of the record (a helper taking the same share in every phase
 * says nothing about this one): at most `max` frame indexes into idx[]
 * and their shares.  The one `top:` list of every command.  Returns how
 * many. */
size_t dt_segment_top(const struct dt_seg_features *f, const struct dt_segment *s,
		      size_t max, int *idx, double *shares);

/* Lane `lane` of `f` as features of their own: *view shares every array
 * of `f` but the samples, which are the lane's (nothing is allocated; the
 * view lives as long as `f`).  Segment and name it as any features. */
void dt_seg_lane_view(const struct dt_seg_features *f, size_t lane,
		      struct dt_seg_features *view);
/* The lane of the process's main thread (tid == pid), else the heaviest;
 * -1 without lanes. */
long dt_seg_main_lane(const struct dt_seg_features *f);

/* ------------------------------------------------------------------
 * Building the features from a record (segment_features.c), two passes
 * over the items.  Pass 1 learns the bin grid (one bin per aggregation),
 * the worked-on areas (address ranges hot for at least one aggregation's
 * worth of full access, intersected with the record's memory maps; dense
 * ranges alone without maps) and the functions worth tracking (those whose
 * share varies over time, or that are heavy, up to max_frames).  Pass 2
 * fills the bins.
 *
 * Memory, flat in the record's length: bins are capped at max_bins (pairs
 * of neighbours are merged when the cap is hit); each bin takes
 * 8 * (6 + nr_frames + nr_areas * (nr_cells + 1)) bytes, 1.8 KiB with the
 * defaults (64 frames, 16 areas of 8 cells), so 7.5 MiB at most for
 * 4096 bins.  Pass 1 holds, besides, 512 bytes per distinct function (up
 * to 4096 functions, the others only counted), 24 bytes per hot address
 * piece (at most 8192 per target), the maps (at most 4096 entries) and 40
 * bytes per thread (at most 4096 threads, the others not laned).  Each
 * thread lane (at most max_lanes) adds 8 * (1 + nr_frames) bytes per bin,
 * 520 with the defaults (2.1 MiB for 4096 bins).
 */
struct dtr_item;

struct dt_seg_build_opts {
	size_t max_bins;   /* default 4096 */
	size_t max_frames; /* tracked functions; default 64 */
	size_t max_areas;  /* default 16 */
	size_t nr_cells;   /* cells per area; default 8 */
	size_t max_lanes;  /* thread lanes; default 4 */
};
void dt_seg_build_opts_default(struct dt_seg_build_opts *o);

struct dt_seg_builder;

int dt_seg_builder_new(struct dt_seg_builder **b, const struct dt_seg_build_opts *o,
		       char *err, size_t errlen);
void dt_seg_builder_free(struct dt_seg_builder *b);
/* Every item of the record, in order, twice: pass 1, then (after
 * dt_seg_builder_end_pass1) pass 2. */
int dt_seg_builder_pass1(struct dt_seg_builder *b, const struct dtr_item *item,
			 char *err, size_t errlen);
int dt_seg_builder_end_pass1(struct dt_seg_builder *b, char *err, size_t errlen);
int dt_seg_builder_pass2(struct dt_seg_builder *b, const struct dtr_item *item,
			 char *err, size_t errlen);
/* Hand the features over to *out (the caller frees them with
 * dt_seg_features_free); the builder is left empty. */
int dt_seg_builder_finish(struct dt_seg_builder *b, struct dt_seg_features *out,
			  char *err, size_t errlen);

/* Both passes over a file read with dt_input (any input format). */
int dt_seg_features_from_file(const char *path, const struct dt_seg_build_opts *o,
			      struct dt_seg_features *out, char *err, size_t errlen);

#endif /* DT_SEGMENT_H */
