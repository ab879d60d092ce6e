/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * phases.h - the phases of a record as every command reports them: the
 * segmentation of segment.h, named by its one naming rule, with each
 * phase's WSS, hot ranges, pattern and boundaries' uncertainty, per-thread
 * lanes, and how trustworthy the record is.
 *
 * Segments tile the record's DAMON time (idle ones included); phases are
 * the segments with activity (pattern not idle), numbered 1, 2, ... in time
 * order.  A phase's name is dt_segment_name()'s: the deepest function on at
 * least half of its samples, leaving out frames common to the whole record,
 * preferring the main executable's; else the top two.  Its `top:` list is
 * dt_segment_top()'s (by share, common frames left out), the same in every
 * command.
 *
 * Lanes: when two threads each hold 10% of the samples and, segmented on
 * their own samples, run differently named phases at the same time for at
 * least a second, each thread's segments are reported as a lane.
 *
 * Use: dt_phases_new(); every item of the record to dt_phases_add_item()
 * (pass 1), the callstack samples to dt_phases_add_frame() and
 * dt_phases_add_stack() (frame ids are the caller's, the same in both
 * passes; samples on the record's clock); dt_phases_end_pass1(); the same
 * items and samples again (pass 2: snapshots give the per-aggregation
 * callback); dt_phases_finish().  The record's own FRAME and STACK items
 * are ignored by dt_phases_add_item(): callers pass the stacks they keep.
 *
 * Memory: the segmentation features (segment.h: about 1.8 KiB per bin,
 * bins capped at 4096, plus 520 bytes per bin and lane), then one struct
 * dt_phase per segment with at most max_ranges ranges and max_functions
 * functions; nothing per snapshot or sample.
 *
 * Functions return 0 or a negative errno and fill err.
 */
#ifndef DT_PHASES_H
#define DT_PHASES_H

#include <stddef.h>
#include <stdint.h>

#include "dtr.h"
#include "segment.h"

struct dt_phase_params {
	struct dt_seg_params seg;         /* thresholds (nested knobs) */
	struct dt_seg_build_opts build;   /* feature sizes */
	uint32_t max_ranges;              /* hot ranges kept per phase; default 8 */
	uint32_t max_functions;           /* top functions per phase; default 10 */
};

void dt_phase_params_default(struct dt_phase_params *p);

struct dt_phase_range {
	uint64_t start, end;   /* [start, end): the hot cells of a worked-on area */
	int32_t pid;           /* -1 when unknown */
	uint32_t target;       /* target index in its context */
	double share;          /* its share of the phase's hot bytes */
	const char *kind;      /* "heap", "stack", "file", "anon", "dense", ... */
	const char *path;      /* a mapped file's base name, "" otherwise */
};

struct dt_phase_function {
	const char *symbol, *dso;
	double share;          /* of the phase's samples holding it (inclusive) */
};

struct dt_phase {
	uint32_t number;       /* 1, 2, ... among phases; 0 for an idle segment */
	uint64_t start_ns, end_ns;
	uint64_t start_pm_ns, end_pm_ns;  /* +- of its two boundaries (0 at the
					   * record's ends) */
	const char *reason;    /* why it starts: "start", "call path", ... */
	enum dt_seg_pattern pattern;
	uint64_t range_start, range_end;  /* sweep or growth: the range */
	double speed;          /* sweep or growth: bytes/s */
	uint32_t nr_aggrs;
	uint64_t wss_mean, wss_max, wss_min;
	size_t nr_ranges;
	const struct dt_phase_range *ranges; /* largest share first */
	uint64_t nr_samples;
	/* The name: one function, or the top two when none covers half of the
	 * samples; "" when the phase has no callstack samples. */
	char name[160];
	const char *function;  /* the first named function; NULL: none */
	size_t nr_top;
	const struct dt_phase_function *top; /* dt_segment_top() */
};

/* One thread's lane. */
struct dt_phase_lane {
	int32_t pid, tid;
	uint64_t samples;
	size_t nr;
	const struct dt_phase *v; /* its segments, tiling the record */
};

/* How trustworthy the record is. */
struct dt_phases_quality {
	uint64_t aggr_ns, sample_ns, update_ns; /* nominal DAMON intervals (0: unknown) */
	uint64_t aggr_measured_ns;              /* median aggregation length */
	uint64_t nr_snapshots, nr_incomplete;   /* snapshots; with lost events */
	uint64_t nr_samples;                    /* callstack samples */
	double rate_low, rate_high;             /* samples/s of busy bins, 10th and
						 * 90th percentile */
	uint64_t period_ns;                     /* samples' median period (0: unknown) */
	size_t nr_warnings;
	char warnings[4][200];
};

/* One aggregation's WSS (snapshots of every target sharing its interval). */
struct dt_phase_aggr {
	uint64_t start_ns, end_ns;
	uint64_t wss;
};
typedef void (*dt_phase_aggr_fn)(void *ctx, const struct dt_phase_aggr *aggr);

struct dt_phases;

int dt_phases_new(struct dt_phases **ph, const struct dt_phase_params *params,
		  char *err, size_t errlen);
void dt_phases_free(struct dt_phases *ph);
/* Called once per aggregation in pass 2, in the order they come (may be NULL). */
void dt_phases_set_aggr_callback(struct dt_phases *ph, dt_phase_aggr_fn fn, void *ctx);

int dt_phases_add_item(struct dt_phases *ph, const struct dtr_item *item,
		       char *err, size_t errlen);
/* Pass 1: frame `id` of the caller's (ignored in pass 2). */
int dt_phases_add_frame(struct dt_phases *ph, uint32_t id, const char *symbol,
			const char *dso, const char *srcline, char *err, size_t errlen);
/* A callstack sample, frames leaf first; weight its period (0: unknown). */
int dt_phases_add_stack(struct dt_phases *ph, uint64_t time_ns, int32_t pid, int32_t tid,
			uint64_t weight, uint32_t nr, const uint32_t *frames,
			char *err, size_t errlen);
int dt_phases_end_pass1(struct dt_phases *ph, char *err, size_t errlen);
/* After pass 2: segment, name, describe. */
int dt_phases_finish(struct dt_phases *ph, char *err, size_t errlen);

/* Phases (segments with activity). */
size_t dt_phases_count(const struct dt_phases *ph);
const struct dt_phase *dt_phases_get(const struct dt_phases *ph, size_t index);
/* Index of the phase whose span holds `time_ns`, or -1. */
long dt_phases_find(const struct dt_phases *ph, uint64_t time_ns);
/* Every segment, idle ones included, in time order. */
size_t dt_phases_nr_segments(const struct dt_phases *ph);
const struct dt_phase *dt_phases_segment(const struct dt_phases *ph, size_t index);
size_t dt_phases_nr_lanes(const struct dt_phases *ph);
const struct dt_phase_lane *dt_phases_lane(const struct dt_phases *ph, size_t index);
const struct dt_phases_quality *dt_phases_quality(const struct dt_phases *ph);
uint64_t dt_phases_nr_aggrs(const struct dt_phases *ph);
uint64_t dt_phases_peak(const struct dt_phases *ph);

/* "[phase 2 | 0.80-1.90 s | Transpose | steady | WSS 48.0 MiB]": times
 * from `origin_ns`, WSS the phase's mean. */
char *dt_phase_label(const struct dt_phase *p, uint64_t origin_ns, char *buf, size_t len);
/* "steady", "sweep 0x7f..-0x7f.. at 2.0 MiB/s", "growth ... at ...", "idle". */
char *dt_phase_pattern_text(const struct dt_phase *p, char *buf, size_t len);

#endif /* DT_PHASES_H */
