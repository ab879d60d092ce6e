/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * timeline_plot.h - damo-timeline's figure: three panels on one time
 * axis (seconds from the start of the record):
 *   top     working set size (time-weighted mean per time column);
 *   middle  the access heatmap grid with its colour bar;
 *   bottom  a flame chart of one thread's callstacks by time: in each time
 *           column the heaviest call path (root at the top; start-up roots
 *           folded into one [root] frame, stack_root.h), adjacent columns
 *           with the same path prefix merged into one box labelled with
 *           its function as dt_box_label_fit lays it out (the whole name,
 *           or its start and an ellipsis; warm colours for user code,
 *           blue for the kernel, grey for unnamed frames).
 * Phases are shaded across the WSS and flame chart panels, labelled at the
 * top with the longest of "phase N: FUNCTION", "N: FUNCTION", "FUNCTION",
 * "N" that fits, and marked by thin lines at their edges on the heatmap.  Panels
 * without data (no DAMON snapshots, no callstacks) say so instead.
 * Output format by file extension (plot.h).
 */
#ifndef DT_TIMELINE_PLOT_H
#define DT_TIMELINE_PLOT_H

#include <stddef.h>

#include "plot.h"
#include "timeline.h"

struct dt_timeline_draw_opts {
	double width, height;      /* points; 0: 1000 x 760 */
	const char *title;         /* NULL: "damo-timeline" */
	enum dt_colormap cmap;     /* heatmap colours (default viridis) */
	enum dt_color_scale scale; /* heatmap scale (default linear) */
	dt_box_label_fn on_box_label; /* NULL, or told of every box label (plot.h) */
	void *on_box_label_ctx;
};

int dt_timeline_draw(const struct dt_timeline *tl, const char *path,
		     const struct dt_timeline_draw_opts *o, char *err, size_t errlen);

#endif /* DT_TIMELINE_PLOT_H */
