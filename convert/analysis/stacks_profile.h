/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * stacks_profile.h - callstacks and DAMON phases on one timeline: what
 * damo-stacks exports and damo-timeline draws.
 *
 * dt_stacks_profile_load() reads a record (any input dt_input_open accepts)
 * and/or a perf script file, and gives:
 *   - the callstack samples (the record's own STACK items, and/or those of
 *     the perf script file, moved onto the record's clock, see
 *     clock_align.h), sorted by time (read with dt_stacks_iter);
 *   - the record's phases (phases.h: the segmentation, named by its one
 *     rule), fed the record in two passes and the samples twice;
 *   - the WSS of every aggregation (for counter tracks and plots);
 *   - the time zero every output counts from (origin.h: the record's
 *     start, or the first sample without a record).
 * The record is read twice (standard input is copied to a temporary file
 * first).  Samples and WSS points beyond opts->memory bytes go to
 * temporary files: memory grows with the frames, call paths and threads,
 * and the phases' features are capped (phases.h); not with the number of
 * samples or snapshots.
 */
#ifndef DT_STACKS_PROFILE_H
#define DT_STACKS_PROFILE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "clock_align.h"
#include "input.h"
#include "origin.h"
#include "phases.h"
#include "stacks.h"
#include "stacks_spool.h"
#include "wss.h"

struct dt_stacks_load_opts {
	const char *record_path;      /* NULL: no record */
	const char *perf_script_path; /* NULL: none; "-": stdin */
	/* With a perf script file, the record's own stacks are replaced
	 * unless this is set (then both are kept). */
	int keep_record_stacks;
	int time_offset_set;          /* --time-offset: forced alignment */
	int64_t time_offset_ns;
	enum dtr_clock perf_clock;    /* clock of the perf times; UNKNOWN: auto */
	const char *event;            /* perf script: the event whose samples are
				       * taken; NULL: the first one seen (a
				       * warning names those left out) */
	int unknown_addrs;            /* perf script: frames without a symbol keep
				       * their address (folded --addrs) */
	struct dt_phase_params phase; /* dt_phase_params_default() */
	struct dt_input_opts input;
	/* Bytes of samples, and of each other sequence growing with the
	 * samples or aggregations, kept in memory before going to a temporary
	 * file (stacks_spool.h); dt_stacks_load_opts_default sets
	 * DT_RECORDS_MEMORY_DEFAULT. */
	size_t memory;
	/* Called now and then while reading (e.g. for a progress line):
	 * `what` names the file, `done` counts items or samples read. */
	void (*progress)(void *ctx, const char *what, uint64_t done);
	void *progress_ctx;
};

void dt_stacks_load_opts_default(struct dt_stacks_load_opts *o);

/* Long options shared by every command that loads stacks and phases
 * (damo-stacks, damo-timeline): a main adds these to its getopt_long table
 * and passes them to dt_stacks_load_set_option().  NULL-terminated. */
struct dt_stacks_option {
	const char *name;
	int has_arg;      /* 0 or 1, as getopt_long's no_argument/required_argument */
	const char *arg;  /* argument name for --help, NULL without */
	const char *help;
};
extern const struct dt_stacks_option dt_stacks_options[];
/* Apply option `name` (without "--") with `value`: 1 when applied, 0 when
 * `name` is not one of dt_stacks_options, -EINVAL (err says why). */
int dt_stacks_load_set_option(struct dt_stacks_load_opts *o, const char *name,
			      const char *value, char *err, size_t errlen);

#define DT_PROFILE_MAX_WARNINGS 4

struct dt_stacks_profile {
	struct dt_stacks *stacks;     /* never NULL */
	struct dt_phases *phases;     /* never NULL; no phases without DAMON data */
	int has_damon;                /* the record had snapshots */
	/* struct dt_wss_point, one per aggregation, time order; the first and
	 * last when nr_wss > 0. */
	struct dt_records wss;
	size_t nr_wss;
	struct dt_wss_point wss_first, wss_last;
	struct dt_origin origin;      /* how origin_ns was found */
	uint64_t origin_ns;           /* time zero (absolute, the record's clock) */
	uint64_t end_ns;              /* last snapshot end or last sample */
	struct dt_align_result align; /* how the perf times were moved */
	size_t nr_record_samples;     /* stacks that came from the record */
	size_t nr_perf_samples;       /* stacks that came from perf script */
	size_t nr_warnings;
	char warnings[DT_PROFILE_MAX_WARNINGS][320];
};

int dt_stacks_profile_load(struct dt_stacks_profile **p,
			   const struct dt_stacks_load_opts *opts, char *err,
			   size_t errlen);
void dt_stacks_profile_free(struct dt_stacks_profile *p);

/* Label of the phase sample `time_ns` falls in ("[phase 2 | 0.80-1.90 s |
 * WSS 48.0 MiB]"), or "[outside phases]"; -1 in *index for the latter. */
const char *dt_stacks_profile_phase_label(const struct dt_stacks_profile *p,
					  uint64_t time_ns, long *index,
					  char *buf, size_t len);

#endif /* DT_STACKS_PROFILE_H */
