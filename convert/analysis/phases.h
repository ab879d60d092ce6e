/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * phases.h - memory access phases of a DAMON record.
 *
 * A phase is a maximal burst of access activity whose hot address set stays
 * similar.  Snapshots are taken one aggregation at a time (the snapshots of
 * every target that share one aggregation interval); an aggregation is
 * active when its working set size (bytes of regions with nr_accesses >=
 * min_accesses) is at least wss_fraction of the peak WSS (and at least
 * min_wss bytes).  Consecutive active aggregations belong to one phase while
 * the Jaccard index of their hot byte sets, weighted by access frequency
 * (the sum over every byte of the smaller nr_accesses of the two, over the
 * sum of the larger; address ranges per target), is at least `similarity`;
 * a quiet aggregation ends the phase, so two bursts over the same buffer
 * separated by a quiet span stay two phases; a change of the hot set starts
 * a new phase without a gap.  A change is confirmed over up to two
 * aggregations: aggregations that differ from the phase but are followed by
 * one similar to it again were a spike and stay in the phase.
 * Candidate phases shorter than min_aggrs aggregations are noise (the
 * page-fault storm of an allocation, a one-off scan) and are dropped.
 *
 * Streaming: memory grows with the number of phases and of their hot ranges,
 * never with the number of snapshots.  The peak WSS is needed before the
 * first phase can be judged: give it in params.peak_wss (dt_phases_peak_wss()
 * computes it in a first pass over a file), or leave it 0 to use the peak
 * seen so far; dt_phases_finish() then drops phases whose WSS never reached
 * wss_fraction of the final peak.
 *
 * Each phase gets its time span, WSS statistics, its hot address ranges
 * (ranges hot in at least hot_share of its aggregations, named with the
 * recorded memory maps: heap, stack, file, anon), and, after
 * dt_phases_attribute(), the functions of the callstack samples inside its
 * span, by self and by total weight.
 */
#ifndef DT_PHASES_H
#define DT_PHASES_H

#include <stddef.h>
#include <stdint.h>

#include "dtr.h"
#include "stacks.h"

struct dt_phase_params {
	double wss_fraction;   /* active when WSS >= this * peak WSS; default 0.1 */
	uint64_t min_wss;      /* and WSS >= this many bytes; default 0 */
	double similarity;     /* weighted Jaccard index to stay in a phase; default 0.5 */
	uint32_t min_aggrs;    /* shortest phase, in aggregations; default 3 */
	uint32_t min_accesses; /* a region is hot from this nr_accesses; default 1 */
	double hot_share;      /* a range is reported when hot this often; default 0.5 */
	uint32_t max_ranges;   /* hot ranges kept per phase (largest); default 8 */
	uint32_t max_functions;/* top functions kept per phase; default 10 */
	uint64_t peak_wss;     /* known peak WSS in bytes; 0: see above */
};

/* Fill `p` with the defaults above. */
void dt_phase_params_default(struct dt_phase_params *p);

struct dt_phase_range {
	uint64_t start, end;   /* [start, end) */
	int32_t pid;           /* -1 when the target is no process */
	uint32_t target;       /* target index in its context */
	double share;          /* fraction of the phase's aggregations it was hot in */
	const char *kind;      /* "heap", "stack", "file", "anon", "vdso", ...,
				  "physical" (paddr), "unknown" (no maps) */
	const char *path;      /* mapped file, "" otherwise */
};

struct dt_phase_function {
	uint32_t frame;        /* frame id in the dt_stacks given to attribute() */
	uint64_t self, total;  /* summed sample weights */
	/* How much more often the frame is on the stack inside the phase than
	 * outside it: total/phase weight - total outside/weight outside
	 * (-1..1).  main() scores ~0; the function behind the phase scores high. */
	double distinct;
};

struct dt_phase {
	uint32_t number;       /* 1, 2, ... in time order */
	uint64_t candidate;    /* serial number of the candidate it grew from
				* (dt_phases_locate) */
	uint64_t start_ns, end_ns; /* first aggregation's start, last one's end */
	uint32_t nr_aggrs;
	uint64_t wss_mean, wss_max, wss_min;
	size_t nr_ranges;
	const struct dt_phase_range *ranges; /* largest first */
	/* Filled by dt_phases_attribute(): */
	uint64_t stack_weight; /* summed weight of the samples inside the span */
	uint64_t nr_samples;
	size_t nr_top_self, nr_top_total, nr_top_distinct;
	const struct dt_phase_function *top_self;  /* by self weight, descending */
	const struct dt_phase_function *top_total; /* by total weight, descending */
	/* By `distinct`, descending (then total, descending, then frame id),
	 * only frames scoring above 0: the first one is the function behind the
	 * phase, the one every command and report names; none: the phase is
	 * named after no function. */
	const struct dt_phase_function *top_distinct;
};

/* One aggregation as seen by the detector (for WSS series, e.g. counters). */
struct dt_phase_aggr {
	uint64_t start_ns, end_ns;
	uint64_t wss;
	int active;       /* WSS above the threshold known at that point */
	double similarity; /* Jaccard index with the previous aggregation */
};
typedef void (*dt_phase_aggr_fn)(void *ctx, const struct dt_phase_aggr *aggr);

struct dt_phases;

int dt_phases_new(struct dt_phases **ph, const struct dt_phase_params *params,
		  char *err, size_t errlen);
void dt_phases_free(struct dt_phases *ph);
/* Called once per aggregation, in time order (may be NULL). */
void dt_phases_set_aggr_callback(struct dt_phases *ph, dt_phase_aggr_fn fn, void *ctx);

/* Feed record items: CONTEXT (target pids, ops), SNAPSHOT, MAPS; others are
 * ignored.  Snapshots must come in time order. */
int dt_phases_add_item(struct dt_phases *ph, const struct dtr_item *item,
		       char *err, size_t errlen);
/* End of the snapshots: close the last phase, apply the final peak. */
int dt_phases_finish(struct dt_phases *ph, char *err, size_t errlen);

size_t dt_phases_count(const struct dt_phases *ph);
const struct dt_phase *dt_phases_get(const struct dt_phases *ph, size_t index);
/* Index of the phase whose span holds `time_ns`, or -1. */
long dt_phases_find(const struct dt_phases *ph, uint64_t time_ns);
/* Start of the first aggregation seen (the time origin of reports); 0: none. */
/* While snapshots still come, for attributing samples as they stream by:
 * where time `t` stands.  -1: not settled yet (at or after the end of the
 * last aggregation judged); 0: no phase holds it; 1: the candidate phase
 * *candidate holds it.  A candidate may still be dropped (too short, or by
 * dt_phases_finish); the phases kept carry their candidate's number.  The
 * answers are those dt_phases_find() gives once the phases are final unless
 * dt_phases_disordered(): aggregations overlapping in time (kdamonds whose
 * intervals differ) can put a time judged earlier inside a later phase. */
int dt_phases_locate(const struct dt_phases *ph, uint64_t t, uint64_t *candidate);
/* 1 while the candidate is open or was kept, 0 once it was dropped (or not
 * opened yet). */
int dt_phases_candidate_kept(const struct dt_phases *ph, uint64_t candidate);
int dt_phases_disordered(const struct dt_phases *ph);
uint64_t dt_phases_origin(const struct dt_phases *ph);
uint64_t dt_phases_nr_aggrs(const struct dt_phases *ph);
uint64_t dt_phases_peak(const struct dt_phases *ph);

/* Sum the samples of `st` (after dt_stacks_finish) into the phases whose
 * spans hold them: top functions by self (leaf frame), total (frame on the
 * path, once per sample) and distinct (see dt_phase_function) weight.  May be called again with other
 * stacks; frames then refer to the latest set. */
int dt_phases_attribute(struct dt_phases *ph, const struct dt_stacks *st,
			char *err, size_t errlen);

/* One frame's summed sample weights, for ranking a phase's functions. */
struct dt_phase_frame_sums {
	uint32_t frame;
	uint64_t self, total;  /* inside the phase: leaf, and on the path once per sample */
	uint64_t all_total;    /* on the path, over every sample inside or outside */
};

/* The functions of phase `index` from sums made elsewhere, by a caller that
 * streams its samples rather than keeping a dt_stacks (damo-timeline):
 * ranked exactly as dt_phases_attribute() ranks its own, the one ranking by
 * which every command names a phase (top_distinct[0]).  `weight` and
 * `nr_samples` are the phase's samples', `all_weight` every sample's; frame
 * ids are the caller's.  Memory: the phase's top lists (max_functions
 * entries each) and a copy of the sums while ranking.  0, -EINVAL (no such
 * phase) or -ENOMEM; err says which. */
int dt_phases_set_functions(struct dt_phases *ph, size_t index,
			    const struct dt_phase_frame_sums *sums, size_t n,
			    uint64_t weight, uint64_t nr_samples, uint64_t all_weight,
			    char *err, size_t errlen);

/* "[phase 2 | 0.80-1.90 s | WSS 48.0 MiB]": times from `origin_ns`, WSS the
 * phase's mean. */
char *dt_phase_label(const struct dt_phase *p, uint64_t origin_ns, char *buf,
		     size_t len);

/* Convenience for two-pass use: the peak WSS (as the detector measures it)
 * of every aggregation in an item stream, fed one item at a time. */
struct dt_phase_peak {
	uint32_t min_accesses;
	uint64_t peak;
	uint64_t cur_start, cur_end, cur_wss;
	int have;
};
void dt_phase_peak_init(struct dt_phase_peak *pk, uint32_t min_accesses);
void dt_phase_peak_add(struct dt_phase_peak *pk, const struct dtr_item *item);
uint64_t dt_phase_peak_result(struct dt_phase_peak *pk);

#endif /* DT_PHASES_H */
