/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * time_order.h - snapshots put in time order (dt_input_opts.time_order).
 *
 * damo writes its records target by target, each with all of its
 * snapshots, and two kdamonds' aggregations may overlap; readers that
 * follow time (phases, the timeline) need the snapshots by end time.  The
 * stage takes the input's items: every snapshot is spooled to one unlinked
 * temporary file, where the input's snapshots form runs of non-decreasing
 * end time (one per target for damo's layout); the other items pass
 * through at once.  At the end of the input the runs are merged: snapshots
 * come by end time, ties in input order.
 *
 * Cost: one write and one read of every snapshot; time O(S log R) for S
 * snapshots in R runs.  Memory: 48 bytes per run and the largest snapshot;
 * one file whatever the number of targets.
 */
#ifndef DT_TIME_ORDER_H
#define DT_TIME_ORDER_H

#include <stddef.h>

#include "dtr.h"

struct dt_time_order;

/* `name` (the input's) is for messages.  0 or a negative errno. */
int dt_time_order_new(struct dt_time_order **t, const char *name, char *err, size_t errlen);
/* An item of the input: 1 when it is to be passed on now (not a
 * snapshot), 0 when it was spooled, <0 on error. */
int dt_time_order_take(struct dt_time_order *t, const struct dtr_item *item, char *err,
		       size_t errlen);
/* After the input's end: 1 with the next snapshot in *item (valid until the
 * next call), 0 at the end, <0 on error. */
int dt_time_order_next(struct dt_time_order *t, struct dtr_item *item, char *err,
		       size_t errlen);
void dt_time_order_free(struct dt_time_order *t);

#endif /* DT_TIME_ORDER_H */
