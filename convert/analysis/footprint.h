/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * footprint.h - the resident set size (RSS) of the monitoring targets over
 * time, from a record's FOOTPRINT items (docs/FORMAT.md, item 11), to draw
 * next to the working set size: RSS minus WSS is memory that is resident
 * but was not accessed (cold).
 *
 * Items stream by in record order.  Per target (kdamond, context, target
 * index), the latest RSS is kept; the total is the sum of every target's
 * latest RSS, where a target whose footprints stopped (its process
 * exited) drops out once its latest is older than twice its own footprint
 * interval.  With `keep`, every point of every target and of the total is
 * stored (damo-wss); without, only the latest (damo-timeline, which folds
 * the total into time columns as it streams).
 *
 * Functions return 0 or -ENOMEM unless said otherwise.
 */
#ifndef DT_FOOTPRINT_H
#define DT_FOOTPRINT_H

#include <stddef.h>
#include <stdint.h>

#include "dtr.h"

struct dt_rss_point {
	uint64_t time_ns;
	uint64_t rss;      /* bytes */
};

struct dt_rss_series {
	uint32_t kdamond, context, target; /* the target (unused for the total) */
	int32_t pid;
	int have_latest, have_prev;
	uint64_t prev_ns;  /* time of the point before the latest (have_prev) */
	struct dt_rss_point latest;
	size_t nr, cap;
	struct dt_rss_point *v; /* with keep: every point, in time order */
};

struct dt_rss {
	int keep;
	size_t nr, cap;
	struct dt_rss_series *targets; /* in order of first appearance */
	struct dt_rss_series total;
};

/* An empty collection; `keep` as above. */
void dt_rss_init(struct dt_rss *r, int keep);
/* Feed any item: a FOOTPRINT with statm updates its target's series and the
 * total and returns 1; other items return 0; -ENOMEM. */
int dt_rss_add(struct dt_rss *r, const struct dtr_item *item);
/* The series of a target; NULL when it has no footprint. */
const struct dt_rss_series *dt_rss_find(const struct dt_rss *r, uint32_t kdamond,
					uint32_t context, uint32_t target);
void dt_rss_free(struct dt_rss *r);

#endif /* DT_FOOTPRINT_H */
