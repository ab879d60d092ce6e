/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * segment_score.h - scoring segments (segment.h) against ground truth: the
 * phase corpus's truth files (tests/workloads/README.md, the main lane of
 * one run) and damo-synth's --truth files (synth.h, target 0).
 *
 * Rules (issue 15, "Scoring"): truth boundaries are matched one-to-one to
 * found boundaries within max(2 x the median bin spacing, 0.5 s), plus one
 * regions-update interval when either side is visible only in DAMON data
 * (a found memory boundary, or a truth boundary whose function does not
 * change); segments are matched one-to-one to truth segments by overlap
 * (largest first); segments left unmatched are extras, measured as the
 * share of the run they cover.  A matched segment's pattern is right when
 * it equals the truth's, and a sweep's speed is within 20%; its name is
 * right when the first name of dt_segment_name() is the truth's function.
 *
 * Memory: the truth's segments; nothing else is kept.
 */
#ifndef DT_SEGMENT_SCORE_H
#define DT_SEGMENT_SCORE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "segment.h"

struct dt_truth_seg {
	uint64_t start_ns, end_ns;
	char pattern[8];       /* "idle", "steady", "sweep", "growth" */
	char function[64];     /* "-": none, "?": not nameable */
	double speed;          /* bytes/s, 0 when not given */
	int memory_only;       /* its starting boundary shows only in DAMON data */
};

struct dt_truth {
	char record[512];      /* record path (corpus: next to the truth file) */
	uint64_t run_start_ns, run_end_ns;
	size_t nr_lanes;       /* thread lanes of the run (corpus); 0: none given */
	size_t nr;
	struct dt_truth_seg *v;
};

/* Run `run` of a corpus truth file (the main lane; t->nr_lanes counts the
 * lanes: with two or more, score the main thread's lane, dt_seg_lane_view).  0, -ENOENT when the
 * run is not in the file, or another negative errno (err says why). */
int dt_truth_read_corpus(const char *path, unsigned run, struct dt_truth *t, char *err,
			 size_t errlen);
/* A damo-synth truth file (target 0); `record` is copied as the record. */
int dt_truth_read_synth(const char *path, const char *record, struct dt_truth *t,
			char *err, size_t errlen);
void dt_truth_free(struct dt_truth *t);
/* Write `damo-synth --stacks --seed SEED --truth` into DIR (synth-SEED.dtr
 * and .truth) and read its truth into *t; the caller removes the files
 * (t->record and the same name ending in .truth). */
int dt_truth_make_synth(uint64_t seed, const char *dir, struct dt_truth *t, char *err,
			size_t errlen);

struct dt_seg_score {
	size_t bounds, matched, found;  /* truth boundaries, matched, found inside the run */
	double max_err_s, sum_err_s;    /* over matched boundaries */
	double tol_s;
	double extra_cover;             /* share of the run covered by extras */
	size_t extras;                  /* extra segments */
	size_t patterns, patterns_right;
	size_t names, names_right;
};

/* Score and, when `detail` is not NULL, print one line per truth segment. */
void dt_seg_score(const struct dt_seg_features *f, const struct dt_segments *s,
		  const struct dt_truth *t, struct dt_seg_score *out, FILE *detail);

#endif /* DT_SEGMENT_SCORE_H */
