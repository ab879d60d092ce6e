/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * wss.h - working set size of every snapshot, with damo's semantics
 * (`damo report wss`), computed while the snapshots stream by.
 *
 * Per target: the first `exclude_samples` snapshots are dropped; the rest
 * are grouped until a group spans at least `work_time_us` (end of its last
 * minus start of its first) and each group is merged into one snapshot the
 * way damo merges (regions of the merge are never split; a merged region
 * gains the maximum nr_accesses of each later snapshot's regions that
 * intersect it; uncovered parts are appended).  A trailing group that does
 * not reach the work time is dropped, as damo drops it.  A group's WSS is
 * the summed size of its merged regions with nr_accesses >= acc_thres and
 * size >= sz_thres.
 *
 * Memory: a few words per group plus the regions of the group being
 * merged; snapshots are never kept.
 */
#ifndef DT_WSS_H
#define DT_WSS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "dtr.h"
#include "report.h"

struct dt_wss_opts {
	int64_t acc_thres;       /* damo default 1 */
	int64_t sz_thres;        /* damo default 1 */
	uint64_t exclude_samples; /* damo default 20 */
	int64_t work_time_us;    /* damo default 1 */
};
#define DT_WSS_OPTS_DEFAULT ((struct dt_wss_opts){ 1, 1, 20, 1 })

/* One WSS value: a (merged) snapshot. */
struct dt_wss_point {
	uint64_t start_ns, end_ns;
	uint64_t wss;
};

struct dt_wss_series {
	size_t nr, cap;
	struct dt_wss_point *v;
};

struct dt_wss;

int dt_wss_new(struct dt_wss **w, const struct dt_wss_opts *opts);
/* Feed every item of the input in order (CONTEXT and INTERVALS name the
 * targets; SNAPSHOT items are measured; others are ignored).
 * 0 or -ENOMEM (err says so). */
int dt_wss_add(struct dt_wss *w, const struct dtr_item *item, char *err,
	       size_t errlen);
/* The WSS series of one snapshot stream; usable without items for tests. */
int dt_wss_add_snapshot(struct dt_wss *w, const struct dtr_snapshot *s,
			char *err, size_t errlen);

/* Targets in order of first appearance and their series (time order). */
size_t dt_wss_nr_targets(const struct dt_wss *w);
const struct dt_target_info *dt_wss_target(const struct dt_wss *w, size_t i);
const struct dt_wss_series *dt_wss_series(const struct dt_wss *w, size_t i);
/* damo's collapse of all targets into one: element i is the sum of every
 * target's i-th WSS; times are those of the first target having element i.
 * With sort_each (damo's default, unless --sortby time), each target's
 * list is sorted ascending before the sums, as damo_wss.get_wss_dists
 * does: element i adds the i-th smallest WSS of every target (times are
 * then meaningless).  Caller frees out->v.  0 or -ENOMEM. */
int dt_wss_collapsed(const struct dt_wss *w, int sort_each, struct dt_wss_series *out);
void dt_wss_free(struct dt_wss *w);

/* The WSS values of a series, sorted ascending unless sort_by_time.
 * Caller frees.  NULL on allocation failure (or an empty series). */
uint64_t *dt_wss_values(const struct dt_wss_series *s, int sort_by_time);

/* damo's text report for one list: "# target_id\t<id>" then the
 * distribution (report.h). */
int dt_wss_print(FILE *out, const char *target_label, const uint64_t *vals,
		 size_t nr, const struct dt_dist_print_opts *opts);

#endif /* DT_WSS_H */
