/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * plot.h - damotrace's plotting library: figures made of panels stacked on
 * a shared horizontal axis, axes with ticks in human units, line plots,
 * heatmap images with a colour bar, perceptual colour maps, and output by
 * file extension (PNG, PDF, SVG) through cairo.  Also: a PNG of raw cells
 * (one pixel per cell, libpng).
 *
 * Pictures only: every number drawn comes from convert/.
 *
 * Typical use (damo-timeline stacks three panels sharing the time axis):
 *
 *   struct dt_figure *f;
 *   dt_figure_new(&f, "out.pdf", 900, 600, err, sizeof(err));
 *   dt_figure_set_title(f, "damo-timeline: pid 1234");
 *   struct dt_panel *wss = dt_figure_add_panel(f, 1.0);
 *   struct dt_panel *map = dt_figure_add_panel(f, 2.0);
 *   dt_panel_set_axis(wss, DT_AXIS_X, 0, 4.5, DT_AXIS_SECONDS, "time");
 *   dt_panel_set_axis(wss, DT_AXIS_Y, 0, 64 << 20, DT_AXIS_BYTES, "WSS");
 *   dt_panel_line(wss, xs, ys, n, DT_COLOR_BLUE, "wss");
 *   dt_panel_heatmap(map, &img);   (struct dt_heat_image: cells, colour map)
 *   dt_panel_shade_x(wss, 0.8, 1.9, DT_COLOR_SHADE, "phase 2");
 *   dt_figure_finish(f, err, sizeof(err));
 *
 * Panels added after the first share its X axis unless given their own;
 * only the bottom panel prints X tick labels and the X label.
 *
 * Functions that can fail return 0 or a negative errno and fill err.
 */
#ifndef DT_PLOT_H
#define DT_PLOT_H

#include <stddef.h>
#include <stdint.h>

enum dt_plot_format {
	DT_PLOT_PNG = 1,
	DT_PLOT_PDF,
	DT_PLOT_SVG,
};

/* From the file name's extension (case-insensitive): png, pdf, svg.
 * -EINVAL with a message otherwise. */
int dt_plot_format_of(const char *path, enum dt_plot_format *format,
		      char *err, size_t errlen);

/* ------------------------------------------------------------- colours */

struct dt_rgb {
	double r, g, b; /* 0..1 */
};

#define DT_COLOR_BLUE ((struct dt_rgb){ 0.12, 0.47, 0.71 })
#define DT_COLOR_ORANGE ((struct dt_rgb){ 1.00, 0.50, 0.05 })
#define DT_COLOR_GREEN ((struct dt_rgb){ 0.17, 0.63, 0.17 })
#define DT_COLOR_RED ((struct dt_rgb){ 0.84, 0.15, 0.16 })
#define DT_COLOR_GRAY ((struct dt_rgb){ 0.5, 0.5, 0.5 })
#define DT_COLOR_SHADE ((struct dt_rgb){ 0.85, 0.85, 0.92 })
/* The n-th colour of a qualitative palette (lines of several targets). */
struct dt_rgb dt_palette(size_t n);

enum dt_colormap {
	DT_CMAP_VIRIDIS = 0, /* default: perceptually uniform, colour-blind safe */
	DT_CMAP_MAGMA,
	DT_CMAP_INFERNO,
	DT_CMAP_GRAY,
};
/* "viridis", "magma", "inferno", "gray"/"grey"; -EINVAL otherwise. */
int dt_colormap_parse(const char *name, enum dt_colormap *cmap);
const char *dt_colormap_name(enum dt_colormap cmap);
/* Colour for cells without data: one no colour of the map is close to
 * (white for viridis; light blue for the maps whose top is near white). */
struct dt_rgb dt_colormap_nan_color(enum dt_colormap cmap);
/* Colour at t in [0, 1] (clamped). */
struct dt_rgb dt_colormap_at(enum dt_colormap cmap, double t);

/* How cell values map to [0, 1] of a colour map. */
enum dt_color_scale {
	DT_SCALE_LINEAR = 0,
	DT_SCALE_LOG,  /* log10(1 + v - min): keeps faint areas visible */
};
/* Position of v in [vmin, vmax] on the scale, clamped to [0, 1]. */
double dt_color_scale_pos(enum dt_color_scale scale, double v, double vmin,
			  double vmax);
/* Colour of a cell (NaN: `nan_color`). */
struct dt_rgb dt_cell_color(enum dt_colormap cmap, enum dt_color_scale scale,
			    double v, double vmin, double vmax,
			    struct dt_rgb nan_color);

/* ---------------------------------------------------------------- axes */

enum dt_axis_which { DT_AXIS_X = 0, DT_AXIS_Y = 1 };

enum dt_axis_unit {
	DT_AXIS_PLAIN = 0, /* numbers as they are */
	DT_AXIS_SECONDS,   /* values in seconds: "250 ms", "1.5 s", "2 min" */
	DT_AXIS_BYTES,     /* values in bytes: "512 KiB", "1.5 GiB" */
	DT_AXIS_ADDRESS,   /* values are addresses: hex ticks */
	DT_AXIS_PERCENT,   /* 0..100: "25%" */
	DT_AXIS_HIDDEN,    /* no ticks (the panel labels its bands itself) */
};

/* Tick positions for [min, max]: at most `max_ticks` "nice" values (1, 2,
 * 5 x 10^k; powers of two for bytes and addresses).  Returns the count. */
size_t dt_axis_ticks(double min, double max, enum dt_axis_unit unit,
		     double *ticks, size_t max_ticks);
/* Tick label of v in the unit; `step` is the tick spacing (for digits). */
char *dt_axis_format(char *buf, size_t len, double v, double step,
		     enum dt_axis_unit unit);

/* ------------------------------------------------------------- figures */

struct dt_figure;
struct dt_panel;

/* A figure of width x height points written to `path` (format by
 * extension) by dt_figure_finish.  PNGs are drawn at 2 pixels per point
 * unless dt_figure_set_scale says otherwise. */
int dt_figure_new(struct dt_figure **fig, const char *path, double width,
		  double height, char *err, size_t errlen);
void dt_figure_set_scale(struct dt_figure *fig, double pixels_per_point);
void dt_figure_set_title(struct dt_figure *fig, const char *title);
/* A panel below the previous ones; heights are shared in proportion to
 * `weight`.  NULL on allocation failure. */
struct dt_panel *dt_figure_add_panel(struct dt_figure *fig, double weight);
/* The text drawn inside a box of w x h points for `label`, as flame
 * graphs lay it out: the font size fitted to the height (at most 8 points,
 * no label below 4.5), then the whole label when it fits the width less 2
 * points a side, else its longest start of at least two whole (UTF-8)
 * characters followed by an ellipsis that fits, else nothing.  Fills buf
 * (empty when nothing is drawn) and returns the font size (0: nothing). */
double dt_box_label_fit(const char *label, double w, double h, char *buf, size_t len);
/* Called for every labelled box as it is drawn: its label, the text drawn
 * ("" when none), the box's size and the font size (points; 0: none).
 * For tests and image maps. */
typedef void (*dt_box_label_fn)(void *ctx, const char *label, const char *drawn, double w,
				double h, double font_pt);
void dt_figure_on_box_label(struct dt_figure *fig, dt_box_label_fn fn, void *ctx);
/* Draw everything, write the file, free the figure (also on error). */
int dt_figure_finish(struct dt_figure *fig, char *err, size_t errlen);
/* Free without writing. */
void dt_figure_free(struct dt_figure *fig);
/* Free without writing when building the figure ran out of memory: says
 * so in err and returns -ENOMEM. */
int dt_figure_free_nomem(struct dt_figure *fig, char *err, size_t errlen);

/* Axis range, unit and label ("time", "working set size").  Panels after
 * the first inherit the first panel's X axis until they set their own. */
void dt_panel_set_axis(struct dt_panel *p, enum dt_axis_which which,
		       double min, double max, enum dt_axis_unit unit,
		       const char *label);
void dt_panel_set_title(struct dt_panel *p, const char *title);

/* A polyline (points in axis units); `legend` may be NULL.  Copies the
 * data.  0 or -ENOMEM. */
int dt_panel_line(struct dt_panel *p, const double *x, const double *y,
		  size_t n, struct dt_rgb color, const char *legend);
/* Mark points with dots as well (percentile curves). */
void dt_panel_set_markers(struct dt_panel *p, int on);

/* A shaded vertical band [x0, x1] behind the data, with an optional label
 * at its top (phases): the label may hold several forms, one a line,
 * longest first; the first that fits the band's width is drawn (none when
 * none fits).  0 or -ENOMEM. */
int dt_panel_shade_x(struct dt_panel *p, double x0, double x1,
		     struct dt_rgb color, const char *label);
/* A horizontal separator line at y with a label (collapsed gaps). */
int dt_panel_separator_y(struct dt_panel *p, double y, const char *label);
/* A text label at the left edge for the band [y0, y1] (area names). */
int dt_panel_label_y(struct dt_panel *p, double y0, double y1,
		     const char *label);

/* A filled box [x0, x1] x [y0, y1] with a thin outline and its label
 * inside, laid out by dt_box_label_fit (flame charts: one box per frame
 * and time span).  0 or -ENOMEM. */
int dt_panel_box(struct dt_panel *p, double x0, double x1, double y0, double y1,
		 struct dt_rgb color, const char *label);

/* A grid of cells drawn over the panel's axes: column i covers
 * [x0 + i*dx, x0 + (i+1)*dx) on X, row j covers [y0 + j*dy, ...) on Y.
 * cells[i * ny + j] (X-major, as dt_heat_grid: time-major).  NaN cells are
 * drawn in `nan_color`.  A colour bar titled `bar_label` (with the unit,
 * e.g. "access frequency (Hz)") is drawn at the panel's right. */
struct dt_heat_image {
	const double *cells;
	size_t nx, ny;
	double x0, dx, y0, dy;
	enum dt_colormap cmap;
	enum dt_color_scale scale;
	double vmin, vmax;       /* colour range; vmin == vmax: from the cells */
	struct dt_rgb nan_color;
	const char *bar_label;
};
/* Copies the cells into an image at once.  0 or -ENOMEM. */
int dt_panel_heatmap(struct dt_panel *p, const struct dt_heat_image *img);

/* ------------------------------------------------- convert/ data to draw */

struct dt_heat_grid;
struct dt_wss_series;

/* The image of a heatmap grid (convert/analysis/heatmap.h): X in seconds since
 * t0_ns (pass g->t_start for "since the start of the range"), Y in
 * addresses (in cells for grids of pieces); the colour bar names Hz or
 * samples as the grid's values are. */
void dt_heat_image_of_grid(struct dt_heat_image *img, const struct dt_heat_grid *g,
			   int64_t t0_ns, enum dt_colormap cmap,
			   enum dt_color_scale scale);
/* The bands of a grid of pieces (--draw_range worked, mapped, phases):
 * each labelled at its left "NAME 0xSTART +SIZE" (names[k]: "" or NULL for
 * none; names NULL: none), and between two pieces a dashed break labelled
 * "SIZE GAP_WORD" with the bytes it leaves out (no label when gap_word is
 * NULL).  0 or -ENOMEM. */
int dt_panel_heat_pieces(struct dt_panel *p, const struct dt_heat_grid *g,
			 const char *const *names, const char *gap_word);
/* A WSS series (convert/analysis/wss.h) as a line: each point at its end time, in
 * seconds since t0_ns, and its size in bytes.  0 or -ENOMEM. */
int dt_panel_wss_line(struct dt_panel *p, const struct dt_wss_series *s,
		      uint64_t t0_ns, struct dt_rgb color, const char *legend);

/* ---------------------------------------------------------- raw pixels */

/* A PNG with one pixel per cell and no decoration (libpng): width nx
 * (X / time left to right), height ny (Y / address, highest at the top). */
int dt_png_write_cells(const char *path, const struct dt_heat_image *img,
		       char *err, size_t errlen);

#endif /* DT_PLOT_H */
