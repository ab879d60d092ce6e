/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * timeline_html.h - damo-timeline's interactive report: one self-contained
 * HTML file (no network, opens from file://) holding the record's summary,
 * the phase table and three panels on one time axis (WSS and RSS, the access
 * heatmap as timeline_plot.h draws it, the callstacks by time), with wheel
 * zoom, drag pan, hover read-outs and, per phase, its aggregated call tree.
 *
 * Zoom levels: the panels are kept at `levels` resolutions, the timeline's
 * columns times 1, 2, 4, ... (like map tiles; the page shows the coarsest
 * level that has a column per pixel of the visible span).  Level 0 of the
 * heatmap is the timeline's own grid; level k is a dt_heat_grid over the
 * same time and address range with columns << k time cells, so its cells
 * are what `damo-heatmap --output raw --resol (columns << k) A
 * --time_range T0 T1 --address_range ...` prints for that range (the page
 * names T0, T1, A and the range).  Finer levels are kept only while they
 * have fewer columns than 4 times the aggregations (heatmap, WSS) or the
 * flame chart thread's samples (callstacks).
 *
 * What it costs: the record is read once more (and the perf script text,
 * when given), feeding the finer heatmap grids, the per-aggregation WSS, the
 * targets' RSS (FOOTPRINT items, footprint.h; the WSS panel's levels) and
 * the callstack samples (held by stacks.h, spooled beyond load.memory
 * bytes).  Times on the page count from the record's time zero
 * (timeline.h origin_ns), as the text report's do.  Memory: the grids (columns << k times the address
 * cells, 8 bytes each) plus a few words per distinct call path and level.
 * Heats are stored in the file as 16-bit codes on a log scale between the
 * level's smallest and largest positive heat (relative error below 2e-4
 * when those differ by 10^9), every section deflated and base64-encoded;
 * the page inflates them with the browser's DecompressionStream.
 *
 * Standard input cannot be read again: a record given as "-" is refused.
 * Functions return 0 or a negative errno and write one line into err.
 */
#ifndef DT_TIMELINE_HTML_H
#define DT_TIMELINE_HTML_H

#include <stddef.h>
#include <stdint.h>

#include "plot.h"
#include "timeline.h"

#define DT_HTML_DEFAULT_LEVELS 3
#define DT_HTML_MAX_LEVELS 8

struct dt_timeline_html_opts {
	/* What tl was built with: its inputs are read again. */
	const struct dt_timeline_opts *timeline;
	const char *title;         /* NULL: "damo-timeline" */
	enum dt_colormap cmap;     /* heatmap colours, as the PNG's */
	enum dt_color_scale scale;
	uint32_t levels;           /* zoom levels; 0: DT_HTML_DEFAULT_LEVELS */
};

/* 1 when `path` ends in ".html" or ".htm" (any case): damo-timeline's
 * outputs by extension. */
int dt_timeline_html_path(const char *path);

/* Write the report to `path` (created or truncated).  On failure the file
 * may be partly written: damo-timeline removes a regular file, as it does
 * an image's.  Memory: see above; the page is streamed to the file. */
int dt_timeline_write_html(const struct dt_timeline *tl, const char *path,
			   const struct dt_timeline_html_opts *o, char *err, size_t errlen);

#endif /* DT_TIMELINE_HTML_H */
