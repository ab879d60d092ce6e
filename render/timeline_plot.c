// SPDX-License-Identifier: GPL-2.0-only
/* damo-timeline's figure: WSS, heatmap and flame chart on one time axis
 * (timeline_plot.h). */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stack_root.h"
#include "timeline_plot.h"
#include "units.h"

static const struct dt_rgb phase_shades[2] = {
	{ 0.86, 0.88, 0.96 },
	{ 0.97, 0.90, 0.80 },
};

/* Flame chart colours, stable per function name: warm for user code, cool
 * for the kernel, grey for frames perf could not name. */
static struct dt_rgb frame_color(const char *symbol, const char *dso)
{
	uint32_t h = 2166136261u;
	for (const char *s = symbol; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	double a = (h & 0xff) / 255.0, b = ((h >> 8) & 0xff) / 255.0, c = ((h >> 16) & 0xff) / 255.0;
	if (!strcmp(symbol, "[unknown]") || !strcmp(symbol, DT_ROOT_FRAME))
		return (struct dt_rgb){ 0.78, 0.78, 0.78 };
	if (!strncmp(dso, "[kernel", 7))
		return (struct dt_rgb){ 0.45 + 0.20 * a, 0.65 + 0.20 * b, 0.85 + 0.15 * c };
	return (struct dt_rgb){ 0.88 + 0.12 * a, 0.45 + 0.40 * b, 0.15 + 0.25 * c };
}

/* The phase's name (phases.h), NULL without one. */
static const char *phase_function(const struct dt_timeline *tl, size_t k)
{
	const struct dt_phase *ph = dt_phases_get(tl->phases, k);
	return *ph->name ? ph->name : NULL;
}

/* Seconds from the record's time zero (timeline.h origin_ns). */
static double rel_s(const struct dt_timeline *tl, double t_ns)
{
	return (t_ns - (double)tl->origin_ns) / 1e9;
}

/* Phase label forms at the top of the WSS panel, longest first, as
 * plot.h draws the first that fits the band: "phase 3: Transpose",
 * "3: Transpose", "Transpose", "3"; without a function, "phase 3", "3". */
static void phase_label(char *buf, size_t len, unsigned number, const char *fn)
{
	if (fn)
		snprintf(buf, len, "phase %u: %s\n%u: %s\n%s\n%u", number, fn, number, fn, fn,
			 number);
	else
		snprintf(buf, len, "phase %u\n%u", number, number);
}

static int shade_phases(const struct dt_timeline *tl, struct dt_panel *p, int labels)
{
	size_t n = dt_phases_count(tl->phases);
	for (size_t k = 0; k < n; k++) {
		const struct dt_phase *ph = dt_phases_get(tl->phases, k);
		char label[512];
		phase_label(label, sizeof(label), ph->number, phase_function(tl, k));
		if (dt_panel_shade_x(p, rel_s(tl, (double)ph->start_ns), rel_s(tl, (double)ph->end_ns),
				     phase_shades[k % 2], labels ? label : NULL))
			return -ENOMEM;
	}
	return 0;
}

/* One polyline per run of columns holding a value (not NaN), the first
 * with `legend`; x and y are scratch of tl->columns values. */
static int column_lines(const struct dt_timeline *tl, struct dt_panel *p, const double *v,
			struct dt_rgb color, const char *legend, double *x, double *y)
{
	int rc = 0;

	for (size_t c = 0; c < tl->columns && !rc;) {
		size_t n = 0;
		while (c < tl->columns && isnan(v[c]))
			c++;
		while (c < tl->columns && !isnan(v[c])) {
			x[n] = dt_timeline_column_s(tl, (double)c + 0.5);
			y[n] = v[c];
			n++;
			c++;
		}
		if (n)
			rc = dt_panel_line(p, x, y, n, color, legend);
		legend = NULL;
	}
	return rc;
}

static int wss_panel(const struct dt_timeline *tl, struct dt_panel *p, double span)
{
	double *x = malloc(tl->columns * sizeof(double)), *y = malloc(tl->columns * sizeof(double));
	double peak = 0;
	int rc = 0;
	if (!x || !y) {
		free(x);
		free(y);
		return -ENOMEM;
	}
	for (size_t c = 0; c < tl->columns; c++) {
		if (!isnan(tl->wss_max[c]) && tl->wss_max[c] > peak)
			peak = tl->wss_max[c];
		if (tl->has_rss && !isnan(tl->rss_max[c]) && tl->rss_max[c] > peak)
			peak = tl->rss_max[c];
	}
	double x0 = rel_s(tl, (double)tl->t_start_ns);
	dt_panel_set_axis(p, DT_AXIS_X, x0, x0 + span, DT_AXIS_SECONDS,
			  "time since the start of the record");
	dt_panel_set_axis(p, DT_AXIS_Y, 0, peak > 0 ? peak * 1.15 : 1, DT_AXIS_BYTES,
			  tl->has_rss ? "WSS and RSS" : "working set size");
	dt_panel_set_title(p, !tl->has_damon ? "Working set size: no DAMON snapshots in the input"
			      : tl->has_rss ? "Working set size (blue: accessed) and resident set size "
					      "(orange): RSS above WSS is resident but cold"
					    : "Working set size (bytes of regions accessed in each aggregation)");
	rc = shade_phases(tl, p, 1);
	if (!rc && tl->has_rss)
		rc = column_lines(tl, p, tl->rss_max, DT_COLOR_ORANGE, NULL, x, y);
	if (!rc) /* with RSS, the title names the colours: two legends would hide the phases' labels */
		rc = column_lines(tl, p, tl->wss_mean, DT_COLOR_BLUE, tl->has_rss ? NULL : "WSS", x, y);
	if (!rc && !tl->has_damon)
		rc = dt_panel_label_y(p, 0.4, 0.6, "no DAMON snapshots: no working set size");
	free(x);
	free(y);
	return rc;
}

/* The pieces' names and the collapsed gaps' sizes. */
static int heat_piece_labels(const struct dt_timeline *tl, struct dt_panel *p, const char *gap_word)
{
	const struct dt_heat_grid *g = &tl->grid;
	char (*names)[96] = calloc(g->nr_pieces, sizeof(*names));
	const char **ptrs = calloc(g->nr_pieces, sizeof(*ptrs));
	int rc = -ENOMEM;
	if (names && ptrs) {
		for (size_t k = 0; k < g->nr_pieces; k++)
			ptrs[k] = dt_timeline_heat_area_name(tl, k, names[k], sizeof(names[k]));
		rc = dt_panel_heat_pieces(p, g, ptrs, gap_word);
	}
	free(names);
	free(ptrs);
	return rc;
}

static int heat_panel(const struct dt_timeline *tl, struct dt_panel *p,
		      const struct dt_timeline_draw_opts *o, double span)
{
	char title[320], size[48], who[96];
	int rc;
	if (!tl->has_grid) {
		dt_panel_set_title(p, tl->has_damon ? "Access heatmap: no regions in the snapshots"
						    : "Access heatmap: no DAMON snapshots in the input");
		dt_panel_set_axis(p, DT_AXIS_Y, 0, 1, DT_AXIS_HIDDEN, "address");
		return dt_panel_label_y(p, 0.4, 0.6, tl->has_damon ? "no address range to draw"
								   : "no DAMON snapshots: no access heatmap");
	}
	const struct dt_heat_grid *g = &tl->grid;
	uint64_t a_end = g->a_start + g->a_unit * g->a_resol;
	if (tl->heat_target.pid >= 0)
		snprintf(who, sizeof(who), "target %" PRIu64 " (pid %" PRId64 ")", tl->heat_target.id,
			 tl->heat_target.pid);
	else
		snprintf(who, sizeof(who), "target %" PRIu64, tl->heat_target.id);
	dt_format_bytes(size, sizeof(size), a_end - g->a_start);
	int worked = !strcmp(tl->heat_choice, "worked");
	if (g->pieces)
		snprintf(title, sizeof(title), "Access heatmap of %s: %s, %s", who,
			 tl->heat_range_name,
			 worked ? "the address space between them collapsed" : "unmapped gaps collapsed");
	else
		snprintf(title, sizeof(title), "Access heatmap of %s: 0x%" PRIx64 " +%s%s%s%s", who,
			 g->a_start, size, *tl->heat_range_name ? " (" : "", tl->heat_range_name,
			 *tl->heat_range_name ? ")" : "");
	dt_panel_set_title(p, title);
	struct dt_heat_image img = {
		.cells = g->cells, .nx = g->t_resol, .ny = g->a_resol,
		.x0 = rel_s(tl, (double)g->t_start), .dx = (double)g->t_unit / 1e9,
		.y0 = (double)g->a_start, .dy = (double)g->a_unit,
		.cmap = o->cmap, .scale = o->scale, .nan_color = { 1, 1, 1 },
		.bar_label = g->value_hz ? "access frequency (Hz)" : "accesses per aggregation",
	};
	if (g->pieces) {
		img.y0 = 0;
		img.dy = 1;
		dt_panel_set_axis(p, DT_AXIS_Y, 0, (double)g->a_resol, DT_AXIS_HIDDEN,
				  worked ? "address (worked-on areas)" : "address (mapped areas)");
	} else {
		dt_panel_set_axis(p, DT_AXIS_Y, (double)g->a_start, (double)a_end, DT_AXIS_ADDRESS, "address");
	}
	rc = dt_panel_heatmap(p, &img);
	if (!rc && g->pieces)
		rc = heat_piece_labels(tl, p, worked ? "not accessed" : "unmapped");
	/* Phase edges: thin white lines over the cells. */
	double w = span / 700, ylo = g->pieces ? 0 : (double)g->a_start;
	double yhi = g->pieces ? (double)g->a_resol : (double)a_end;
	for (size_t k = 0; k < dt_phases_count(tl->phases) && !rc; k++) {
		const struct dt_phase *ph = dt_phases_get(tl->phases, k);
		double s = rel_s(tl, (double)ph->start_ns);
		double e = rel_s(tl, (double)ph->end_ns);
		rc = dt_panel_box(p, s - w / 2, s + w / 2, ylo, yhi, (struct dt_rgb){ 1, 1, 1 }, NULL);
		if (!rc)
			rc = dt_panel_box(p, e - w / 2, e + w / 2, ylo, yhi, (struct dt_rgb){ 1, 1, 1 }, NULL);
	}
	return rc;
}

static int flame_panel(const struct dt_timeline *tl, struct dt_panel *p)
{
	char title[320];
	int rc;
	double levels = tl->max_depth ? tl->max_depth : 1;
	if (levels < 4)
		levels = 4; /* shallow stacks stay boxes of a readable height */
	char who[128];
	if (tl->pid >= 0)
		snprintf(who, sizeof(who), "%s (pid %" PRId32 ", tid %" PRId32 ")",
			 *tl->comm ? tl->comm : "thread", tl->pid, tl->tid);
	else
		snprintf(who, sizeof(who), "%s (tid %" PRId32 ")", *tl->comm ? tl->comm : "thread",
			 tl->tid);
	if (tl->has_thread)
		snprintf(title, sizeof(title), "Callstacks of %s: the heaviest call path of each "
			 "moment, callers above callees (kernel blue)", who);
	else
		snprintf(title, sizeof(title), "Callstacks: none in the input");
	dt_panel_set_title(p, title);
	dt_panel_set_axis(p, DT_AXIS_Y, 0, levels, DT_AXIS_HIDDEN, "call depth");
	rc = shade_phases(tl, p, 0);
	if (!rc && !tl->nr_boxes)
		rc = dt_panel_label_y(p, levels * 0.45, levels * 0.55,
				      tl->has_thread ? "no callstack samples inside the record's time span"
						     : "no callstacks: record with -g, or give --perf-script");
	for (size_t i = 0; i < tl->nr_boxes && !rc; i++) {
		const struct dt_timeline_box *b = &tl->boxes[i];
		const char *sym = dt_timeline_frame_symbol(tl, b->frame);
		double y1 = levels - (double)(b->depth - 1);
		rc = dt_panel_box(p, dt_timeline_column_s(tl, b->col0), dt_timeline_column_s(tl, b->col1),
				  y1 - 1, y1, frame_color(sym, dt_timeline_frame_dso(tl, b->frame)), sym);
	}
	return rc;
}

int dt_timeline_draw(const struct dt_timeline *tl, const char *path,
		     const struct dt_timeline_draw_opts *o, char *err, size_t errlen)
{
	struct dt_figure *f;
	double span = (double)(tl->t_end_ns - tl->t_start_ns) / 1e9;
	double width = o->width > 0 ? o->width : 1000;
	int rc = dt_figure_new(&f, path, width, o->height > 0 ? o->height : 760, err, errlen);
	if (rc)
		return rc;
	char title[512];
	size_t n = dt_phases_count(tl->phases);
	snprintf(title, sizeof(title), "%s: %zu phase%s in %.2f s", o->title ? o->title : "damo-timeline",
		 n, n == 1 ? "" : "s", span);
	dt_figure_set_title(f, title);
	if (o->on_box_label)
		dt_figure_on_box_label(f, o->on_box_label, o->on_box_label_ctx);
	struct dt_panel *wss = dt_figure_add_panel(f, 1.0);
	struct dt_panel *heat = dt_figure_add_panel(f, 1.5);
	struct dt_panel *flame = dt_figure_add_panel(f, 1.6);
	if (!wss || !heat || !flame)
		rc = -ENOMEM;
	if (!rc)
		rc = wss_panel(tl, wss, span);
	if (!rc)
		rc = heat_panel(tl, heat, o, span);
	if (!rc)
		rc = flame_panel(tl, flame);
	if (rc) {
		dt_figure_free(f);
		snprintf(err, errlen, "out of memory");
		return rc;
	}
	return dt_figure_finish(f, err, errlen);
}
