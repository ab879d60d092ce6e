// SPDX-License-Identifier: GPL-2.0-only
/* Figures, panels and axes drawn with cairo (plot.h). */
#include "plot.h"

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <cairo.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "errmsg.h"
#include "grow.h"
#include "json_writer.h"
#include "output.h"

#define FONT "sans-serif"
#define FONT_SIZE 10.0
#define TITLE_SIZE 13.0
#define PANEL_GAP 10.0
#define BAR_WIDTH 14.0
#define DT_PI 3.14159265358979323846

/* fontconfig, under cairo's text, keeps its configuration until exit by
 * design; LeakSanitizer (make sanitize) is told so here.  Unused otherwise. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:libfontconfig.so\n";
}

const char *__lsan_default_options(void);
const char *__lsan_default_options(void)
{
	return "print_suppressions=0";
}

int dt_plot_format_of(const char *path, enum dt_plot_format *format, char *err,
		      size_t errlen)
{
	const char *dot = strrchr(path, '.');

	if (dot && !strcasecmp(dot, ".png"))
		*format = DT_PLOT_PNG;
	else if (dot && !strcasecmp(dot, ".pdf"))
		*format = DT_PLOT_PDF;
	else if (dot && !strcasecmp(dot, ".svg"))
		*format = DT_PLOT_SVG;
	else {
		snprintf(err, errlen, "%s: unknown image type (use .png, .pdf or .svg)",
			 path);
		return -EINVAL;
	}
	return 0;
}

/* ---------------------------------------------------------------- ticks */

static double nice_step(double raw)
{
	double mag = pow(10, floor(log10(raw)));
	double f = raw / mag;

	if (f <= 1)
		return mag;
	if (f <= 2)
		return 2 * mag;
	if (f <= 5)
		return 5 * mag;
	return 10 * mag;
}

static double pow2_step(double raw)
{
	return pow(2, ceil(log2(raw)));
}

size_t dt_axis_ticks(double min, double max, enum dt_axis_unit unit,
		     double *ticks, size_t max_ticks)
{
	if (max_ticks < 2 || !(max > min) || !isfinite(min) || !isfinite(max) ||
	    unit == DT_AXIS_HIDDEN)
		return 0;
	double raw = (max - min) / (double)(max_ticks - 1);
	double step = (unit == DT_AXIS_BYTES || unit == DT_AXIS_ADDRESS) && raw >= 1
			      ? pow2_step(raw)
			      : nice_step(raw);
	size_t n = 0;
	for (double v = ceil(min / step - 1e-9) * step; v <= max + step * 1e-9 && n < max_ticks;
	     v += step)
		ticks[n++] = fabs(v) < step * 1e-9 ? 0 : v;
	return n;
}

static void trim_zeros(char *s)
{
	char *dot = strchr(s, '.');
	if (!dot)
		return;
	char *end = s + strlen(s) - 1;
	while (end > dot && *end == '0')
		*end-- = '\0';
	if (end == dot)
		*end = '\0';
}

char *dt_axis_format(char *buf, size_t len, double v, double step,
		     enum dt_axis_unit unit)
{
	static const char *bytes_units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };

	switch (unit) {
	case DT_AXIS_SECONDS: {
		double scale = 1;
		const char *u = "s";
		/* One unit for a whole axis: chosen by the tick spacing. */
		if (step > 0 && step < 1e-4) {
			scale = 1e6;
			u = "us";
		} else if (step > 0 && step < 0.1) {
			scale = 1e3;
			u = "ms";
		}
		snprintf(buf, len, "%.3f", v * scale);
		trim_zeros(buf);
		snprintf(buf + strlen(buf), len - strlen(buf), " %s", u);
		break;
	}
	case DT_AXIS_BYTES: {
		int k = 0;
		double s = step > 0 ? step : fabs(v);
		while (k < 5 && s >= 1024) {
			s /= 1024;
			k++;
		}
		snprintf(buf, len, "%.2f", v / pow(1024, k));
		trim_zeros(buf);
		snprintf(buf + strlen(buf), len - strlen(buf), " %s", bytes_units[k]);
		break;
	}
	case DT_AXIS_ADDRESS:
		snprintf(buf, len, "0x%llx", (unsigned long long)(v < 0 ? 0 : v));
		break;
	case DT_AXIS_PERCENT:
		snprintf(buf, len, "%g%%", v);
		break;
	default: {
		double a = fabs(v);
		if (a != 0 && (a >= 1e7 || a < 1e-3))
			snprintf(buf, len, "%.3g", v);
		else {
			snprintf(buf, len, "%.4f", v);
			trim_zeros(buf);
		}
		break;
	}
	}
	return buf;
}

/* --------------------------------------------------------------- figure */

struct line {
	double *x, *y;
	size_t n;
	struct dt_rgb color;
	char *legend;
};

struct band {
	double a, b;
	struct dt_rgb color;
	char *label;
	int kind; /* 0: x shade, 1: y separator, 2: y label */
};

struct box {
	double x0, x1, y0, y1;
	struct dt_rgb color;
	char *label;
};

struct axis {
	int set;
	double min, max;
	enum dt_axis_unit unit;
	char *label;
};

struct dt_panel {
	double weight;
	char *title;
	struct axis axis[2];
	size_t nr_lines, cap_lines;
	struct line *lines;
	size_t nr_bands, cap_bands;
	struct band *bands;
	int markers;
	size_t nr_boxes, cap_boxes;
	struct box *boxes;
	cairo_surface_t *image;
	struct dt_heat_image img; /* cells not kept: drawn into `image` */
	int has_image;
};

struct dt_figure {
	dt_box_label_fn on_box_label;
	void *on_box_label_ctx;
	char *path;
	enum dt_plot_format format;
	double width, height, ppp;
	char *title;
	size_t nr_panels, cap_panels;
	struct dt_panel **panels;
};

static char *dup_or_null(const char *s)
{
	return s ? dt_utf8_dup(s) : NULL; /* cairo draws valid UTF-8 only */
}

int dt_figure_new(struct dt_figure **fig, const char *path, double width,
		  double height, char *err, size_t errlen)
{
	enum dt_plot_format format;
	int ret = dt_plot_format_of(path, &format, err, errlen);

	if (ret)
		return ret;
	struct dt_figure *f = calloc(1, sizeof(*f));
	if (!f || !(f->path = strdup(path))) {
		free(f);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	f->format = format;
	f->width = width;
	f->height = height;
	f->ppp = 2;
	*fig = f;
	return 0;
}

void dt_figure_on_box_label(struct dt_figure *fig, dt_box_label_fn fn, void *ctx)
{
	fig->on_box_label = fn;
	fig->on_box_label_ctx = ctx;
}

void dt_figure_set_scale(struct dt_figure *fig, double pixels_per_point)
{
	fig->ppp = pixels_per_point > 0 ? pixels_per_point : 1;
}

void dt_figure_set_title(struct dt_figure *fig, const char *title)
{
	free(fig->title);
	fig->title = dup_or_null(title);
}

struct dt_panel *dt_figure_add_panel(struct dt_figure *fig, double weight)
{
	struct dt_panel *p = calloc(1, sizeof(*p));

	if (!p || DT_GROW(fig->panels, fig->cap_panels, fig->nr_panels + 1)) {
		free(p);
		return NULL;
	}
	p->weight = weight > 0 ? weight : 1;
	fig->panels[fig->nr_panels++] = p;
	return p;
}

void dt_panel_set_axis(struct dt_panel *p, enum dt_axis_which which, double min,
		       double max, enum dt_axis_unit unit, const char *label)
{
	struct axis *a = &p->axis[which];
	free(a->label);
	a->set = 1;
	a->min = min;
	a->max = max > min ? max : min + 1;
	a->unit = unit;
	a->label = dup_or_null(label);
}

void dt_panel_set_title(struct dt_panel *p, const char *title)
{
	free(p->title);
	p->title = dup_or_null(title);
}

void dt_panel_set_markers(struct dt_panel *p, int on)
{
	p->markers = on;
}

int dt_panel_line(struct dt_panel *p, const double *x, const double *y, size_t n,
		  struct dt_rgb color, const char *legend)
{
	if (DT_GROW(p->lines, p->cap_lines, p->nr_lines + 1))
		return -ENOMEM;
	struct line *l = &p->lines[p->nr_lines];
	memset(l, 0, sizeof(*l));
	l->x = malloc((n ? n : 1) * sizeof(double));
	l->y = malloc((n ? n : 1) * sizeof(double));
	if (!l->x || !l->y) {
		free(l->x);
		free(l->y);
		return -ENOMEM;
	}
	if (n) {
		memcpy(l->x, x, n * sizeof(double));
		memcpy(l->y, y, n * sizeof(double));
	}
	l->n = n;
	l->color = color;
	l->legend = dup_or_null(legend);
	p->nr_lines++;
	return 0;
}

static int add_band(struct dt_panel *p, int kind, double a, double b,
		    struct dt_rgb color, const char *label)
{
	if (DT_GROW(p->bands, p->cap_bands, p->nr_bands + 1))
		return -ENOMEM;
	p->bands[p->nr_bands++] = (struct band){ a, b, color, dup_or_null(label), kind };
	return 0;
}

int dt_panel_shade_x(struct dt_panel *p, double x0, double x1, struct dt_rgb color,
		     const char *label)
{
	return add_band(p, 0, x0, x1, color, label);
}

int dt_panel_separator_y(struct dt_panel *p, double y, const char *label)
{
	return add_band(p, 1, y, y, DT_COLOR_GRAY, label);
}

int dt_panel_label_y(struct dt_panel *p, double y0, double y1, const char *label)
{
	return add_band(p, 2, y0, y1, DT_COLOR_GRAY, label);
}

int dt_panel_box(struct dt_panel *p, double x0, double x1, double y0, double y1,
		 struct dt_rgb color, const char *label)
{
	if (DT_GROW(p->boxes, p->cap_boxes, p->nr_boxes + 1))
		return -ENOMEM;
	char *l = dup_or_null(label);
	if (label && !l)
		return -ENOMEM;
	p->boxes[p->nr_boxes++] = (struct box){ x0, x1, y0, y1, color, l };
	return 0;
}

static void image_range(const struct dt_heat_image *img, double *lo, double *hi)
{
	int any = 0;
	*lo = 0;
	*hi = 1;
	if (img->vmax > img->vmin) {
		*lo = img->vmin;
		*hi = img->vmax;
		return;
	}
	for (size_t i = 0; i < img->nx * img->ny; i++) {
		double v = img->cells[i];
		if (isnan(v))
			continue;
		if (!any || v < *lo)
			*lo = v;
		if (!any || v > *hi)
			*hi = v;
		any = 1;
	}
	if (!(*hi > *lo))
		*hi = *lo + 1;
}

int dt_panel_heatmap(struct dt_panel *p, const struct dt_heat_image *img)
{
	double lo, hi;

	if (img->nx > 32767 || img->ny > 32767)
		return -E2BIG;
	image_range(img, &lo, &hi);
	cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24,
							(int)img->nx, (int)img->ny);
	if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
		cairo_surface_destroy(s);
		return -ENOMEM;
	}
	cairo_surface_flush(s);
	unsigned char *data = cairo_image_surface_get_data(s);
	int stride = cairo_image_surface_get_stride(s);
	for (size_t i = 0; i < img->nx; i++) {
		for (size_t j = 0; j < img->ny; j++) {
			struct dt_rgb c = dt_cell_color(img->cmap, img->scale,
							img->cells[i * img->ny + j], lo, hi,
							img->nan_color);
			uint32_t px = (uint32_t)lround(c.r * 255) << 16 |
				      (uint32_t)lround(c.g * 255) << 8 |
				      (uint32_t)lround(c.b * 255);
			size_t row = img->ny - 1 - j; /* high addresses at the top */
			memcpy(data + row * stride + i * 4, &px, 4);
		}
	}
	cairo_surface_mark_dirty(s);
	if (p->image)
		cairo_surface_destroy(p->image);
	p->image = s;
	p->img = *img;
	p->img.cells = NULL;
	p->img.vmin = lo;
	p->img.vmax = hi;
	p->img.bar_label = NULL;
	p->has_image = 1;
	/* keep the label */
	if (img->bar_label && add_band(p, 3, 0, 0, DT_COLOR_GRAY, img->bar_label))
		return -ENOMEM;
	return 0;
}

/* ----------------------------------------------------------------- draw */

struct rect {
	double x, y, w, h;
};

static double map_x(const struct axis *a, const struct rect *r, double v)
{
	return r->x + (v - a->min) / (a->max - a->min) * r->w;
}

static double map_y(const struct axis *a, const struct rect *r, double v)
{
	return r->y + r->h - (v - a->min) / (a->max - a->min) * r->h;
}

static void text_at(cairo_t *cr, double x, double y, const char *s, double ax,
		    double ay)
{
	cairo_text_extents_t e;
	cairo_text_extents(cr, s, &e);
	cairo_move_to(cr, x - e.width * ax - e.x_bearing, y + e.height * ay - (e.height + e.y_bearing));
	cairo_show_text(cr, s);
}

#define BOX_FONT_MAX (FONT_SIZE * 0.8)
#define BOX_FONT_MIN 4.5
#define BOX_PAD 2.0
#define ELLIPSIS "\xe2\x80\xa6"

static double text_width(cairo_t *cr, const char *s)
{
	cairo_text_extents_t e;
	cairo_text_extents(cr, s, &e);
	return e.x_advance;
}

/* The first n bytes of s into buf (len > 0), cut before a character
 * that does not fit whole: cairo refuses a string that is not UTF-8. */
static void copy_whole_chars(char *buf, size_t len, const char *s, size_t n)
{
	if (n >= len) {
		n = len - 1;
		while (n && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(buf, s, n);
	buf[n] = '\0';
}

/* The box label layout (plot.h): the font fitted to the height, then the
 * whole label, or its longest start (whole UTF-8 characters, at least
 * two) and an ellipsis, that fits the width. */
static double fit_label(cairo_t *cr, const char *label, double w, double h, char *buf,
			size_t len)
{
	cairo_font_extents_t fe;
	*buf = '\0';
	if (!len)
		return 0;
	/* widths in points, whatever the surface's scale: the same layout on
	 * every output and in dt_box_label_fit */
	cairo_font_options_t *fo = cairo_font_options_create();
	cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
	cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
	cairo_set_font_options(cr, fo);
	cairo_font_options_destroy(fo);
	cairo_set_font_size(cr, BOX_FONT_MAX);
	cairo_font_extents(cr, &fe);
	double size = BOX_FONT_MAX * ((h - 1) / (fe.ascent + fe.descent));
	if (size > BOX_FONT_MAX)
		size = BOX_FONT_MAX;
	if (size < BOX_FONT_MIN || w <= 2 * BOX_PAD)
		return 0;
	cairo_set_font_size(cr, size);
	/* whole, when it fits buf: a cut there could split a character */
	size_t n = strlen(label);
	if (n < len) {
		copy_whole_chars(buf, len, label, n);
		if (text_width(cr, buf) <= w - 2 * BOX_PAD)
			return size;
	}
	/* the longest start of whole characters that fits with the ellipsis */
	size_t best = 0, chars = 0;
	for (size_t cut = 1; cut <= n && cut + sizeof(ELLIPSIS) <= len; cut++) {
		if (cut < n && ((unsigned char)label[cut] & 0xc0) == 0x80)
			continue; /* inside a character */
		chars++;
		snprintf(buf, len, "%.*s" ELLIPSIS, (int)cut, label);
		if (text_width(cr, buf) > w - 2 * BOX_PAD)
			break;
		if (chars >= 2)
			best = cut;
	}
	if (!best) {
		*buf = '\0';
		return 0;
	}
	snprintf(buf, len, "%.*s" ELLIPSIS, (int)best, label);
	return size;
}

double dt_box_label_fit(const char *label, double w, double h, char *buf, size_t len)
{
	cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_A8, 1, 1);
	cairo_t *cr = cairo_create(s);
	cairo_select_font_face(cr, FONT, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
	double size = fit_label(cr, label, w, h, buf, len);
	cairo_destroy(cr);
	cairo_surface_destroy(s);
	return size;
}

static void set_rgb(cairo_t *cr, struct dt_rgb c)
{
	cairo_set_source_rgb(cr, c.r, c.g, c.b);
}

/* The first of a shaded band's label forms (one a line, longest first)
 * that fits its width; 0 when none does. */
static int shade_label(cairo_t *cr, const char *forms, double w, char *buf, size_t len)
{
	for (const char *s = forms; *s;) {
		size_t n = strcspn(s, "\n");
		copy_whole_chars(buf, len, s, n);
		if (text_width(cr, buf) + 4 <= w)
			return 1;
		s += n + (s[n] == '\n');
	}
	return 0;
}

static double y_label_width(cairo_t *cr, const struct dt_panel *p)
{
	double ticks[16], w = 0;
	char buf[64];
	const struct axis *a = &p->axis[DT_AXIS_Y];
	size_t n = dt_axis_ticks(a->min, a->max, a->unit, ticks, 8);
	double step = n > 1 ? ticks[1] - ticks[0] : 0;

	for (size_t i = 0; i < n; i++) {
		cairo_text_extents_t e;
		cairo_text_extents(cr, dt_axis_format(buf, sizeof(buf), ticks[i], step, a->unit), &e);
		if (e.width > w)
			w = e.width;
	}
	return w;
}

static const char *bar_label_of(const struct dt_panel *p)
{
	for (size_t i = 0; i < p->nr_bands; i++)
		if (p->bands[i].kind == 3)
			return p->bands[i].label;
	return NULL;
}

static void draw_colorbar(cairo_t *cr, const struct dt_panel *p, const struct rect *r)
{
	const struct dt_heat_image *img = &p->img;
	double bx = r->x + r->w + 12, by = r->y, bh = r->h;
	char buf[64];

	for (int k = 0; k < 256; k++) {
		set_rgb(cr, dt_colormap_at(img->cmap, (k + 0.5) / 256));
		cairo_rectangle(cr, bx, by + bh - (k + 1) * bh / 256, BAR_WIDTH, bh / 256 + 0.5);
		cairo_fill(cr);
	}
	cairo_set_source_rgb(cr, 0, 0, 0);
	cairo_set_line_width(cr, 0.6);
	cairo_rectangle(cr, bx, by, BAR_WIDTH, bh);
	cairo_stroke(cr);
	double ticks[16];
	size_t n = dt_axis_ticks(img->vmin, img->vmax, DT_AXIS_PLAIN, ticks, 6);
	double step = n > 1 ? ticks[1] - ticks[0] : 0;
	cairo_set_font_size(cr, FONT_SIZE * 0.85);
	for (size_t i = 0; i < n; i++) {
		double t = dt_color_scale_pos(img->scale, ticks[i], img->vmin, img->vmax);
		double y = by + bh - t * bh;
		cairo_move_to(cr, bx + BAR_WIDTH, y);
		cairo_line_to(cr, bx + BAR_WIDTH + 3, y);
		cairo_stroke(cr);
		text_at(cr, bx + BAR_WIDTH + 5, y, dt_axis_format(buf, sizeof(buf), ticks[i], step, DT_AXIS_PLAIN), 0, 0.5);
	}
	const char *label = bar_label_of(p);
	if (label) {
		cairo_save(cr);
		cairo_translate(cr, bx + BAR_WIDTH + 48, by + bh / 2);
		cairo_rotate(cr, -DT_PI / 2);
		cairo_set_font_size(cr, FONT_SIZE);
		text_at(cr, 0, 0, label, 0.5, 0.5);
		cairo_restore(cr);
	}
	cairo_set_font_size(cr, FONT_SIZE);
}

static void draw_panel(cairo_t *cr, const struct dt_figure *f, const struct dt_panel *p,
		       const struct axis *ax, const struct rect *r, int bottom)
{
	dt_box_label_fn on_label = f->on_box_label;
	void *on_label_ctx = f->on_box_label_ctx;
	const struct axis *ay = &p->axis[DT_AXIS_Y];
	char buf[96];

	cairo_save(cr);
	cairo_rectangle(cr, r->x, r->y, r->w, r->h);
	cairo_clip(cr);
	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_paint(cr);
	for (size_t i = 0; i < p->nr_bands; i++) {
		const struct band *b = &p->bands[i];
		if (b->kind != 0)
			continue;
		set_rgb(cr, b->color);
		double x0 = map_x(ax, r, b->a), x1 = map_x(ax, r, b->b);
		cairo_rectangle(cr, x0, r->y, x1 - x0, r->h);
		cairo_fill(cr);
	}
	if (p->has_image) {
		const struct dt_heat_image *img = &p->img;
		double x0 = map_x(ax, r, img->x0), x1 = map_x(ax, r, img->x0 + img->dx * img->nx);
		double y0 = map_y(ay, r, img->y0 + img->dy * img->ny), y1 = map_y(ay, r, img->y0);
		cairo_save(cr);
		cairo_translate(cr, x0, y0);
		cairo_scale(cr, (x1 - x0) / img->nx, (y1 - y0) / img->ny);
		cairo_set_source_surface(cr, p->image, 0, 0);
		cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_NEAREST);
		cairo_paint(cr);
		cairo_restore(cr);
	}
	cairo_set_font_size(cr, FONT_SIZE * 0.8);
	for (size_t i = 0; i < p->nr_boxes; i++) {
		const struct box *b = &p->boxes[i];
		double x0 = map_x(ax, r, b->x0), x1 = map_x(ax, r, b->x1);
		double y0 = map_y(ay, r, b->y1), y1 = map_y(ay, r, b->y0);
		set_rgb(cr, b->color);
		cairo_rectangle(cr, x0, y0, x1 - x0, y1 - y0);
		cairo_fill_preserve(cr);
		cairo_set_source_rgb(cr, 1, 1, 1);
		cairo_set_line_width(cr, 0.3);
		cairo_stroke(cr);
		if (b->label) {
			char text[256];
			double size = fit_label(cr, b->label, x1 - x0, y1 - y0, text, sizeof(text));
			if (on_label)
				on_label(on_label_ctx, b->label, text, x1 - x0, y1 - y0, size);
			if (size > 0) {
				cairo_font_extents_t fe;
				cairo_font_extents(cr, &fe);
				cairo_set_source_rgb(cr, 0, 0, 0);
				cairo_move_to(cr, x0 + BOX_PAD,
					      (y0 + y1) / 2 + (fe.ascent - fe.descent) / 2);
				cairo_show_text(cr, text);
			}
		}
	}
	cairo_set_line_width(cr, 1.4);
	for (size_t i = 0; i < p->nr_lines; i++) {
		const struct line *l = &p->lines[i];
		set_rgb(cr, l->color);
		for (size_t k = 0; k < l->n; k++) {
			double x = map_x(ax, r, l->x[k]), y = map_y(ay, r, l->y[k]);
			if (k == 0)
				cairo_move_to(cr, x, y);
			else
				cairo_line_to(cr, x, y);
		}
		cairo_stroke(cr);
		if (p->markers)
			for (size_t k = 0; k < l->n; k++) {
				cairo_arc(cr, map_x(ax, r, l->x[k]), map_y(ay, r, l->y[k]), 1.8, 0, 2 * DT_PI);
				cairo_fill(cr);
			}
	}
	cairo_set_font_size(cr, FONT_SIZE * 0.85);
	for (size_t i = 0; i < p->nr_bands; i++) {
		const struct band *b = &p->bands[i];
		if (b->kind == 0 && b->label) {
			double x0 = map_x(ax, r, b->a), x1 = map_x(ax, r, b->b);
			char text[256];
			cairo_set_source_rgb(cr, 0.2, 0.2, 0.3);
			if (shade_label(cr, b->label, x1 - x0, text, sizeof(text)))
				text_at(cr, (x0 + x1) / 2, r->y + 3, text, 0.5, 1);
		} else if (b->kind == 1) {
			double y = map_y(ay, r, b->a);
			cairo_set_source_rgb(cr, 1, 1, 1);
			cairo_set_line_width(cr, 3);
			cairo_move_to(cr, r->x, y);
			cairo_line_to(cr, r->x + r->w, y);
			cairo_stroke(cr);
			cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
			cairo_set_line_width(cr, 1);
			cairo_set_dash(cr, (double[]){ 4, 3 }, 2, 0);
			cairo_move_to(cr, r->x, y);
			cairo_line_to(cr, r->x + r->w, y);
			cairo_stroke(cr);
			cairo_set_dash(cr, NULL, 0, 0);
			if (b->label) {
				cairo_text_extents_t e;
				cairo_text_extents(cr, b->label, &e);
				cairo_set_source_rgb(cr, 1, 1, 1);
				cairo_rectangle(cr, r->x + r->w - e.width - 8, y - e.height / 2 - 2, e.width + 6, e.height + 4);
				cairo_fill(cr);
				cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
				text_at(cr, r->x + r->w - 5, y, b->label, 1, 0.5);
			}
		} else if (b->kind == 2 && b->label) {
			double y = (map_y(ay, r, b->a) + map_y(ay, r, b->b)) / 2;
			cairo_text_extents_t e;
			cairo_text_extents(cr, b->label, &e);
			cairo_set_source_rgba(cr, 1, 1, 1, 0.8);
			cairo_rectangle(cr, r->x + 3, y - e.height / 2 - 2, e.width + 6, e.height + 4);
			cairo_fill(cr);
			cairo_set_source_rgb(cr, 0, 0, 0);
			text_at(cr, r->x + 6, y, b->label, 0, 0.5);
		}
	}
	cairo_restore(cr);

	/* frame, ticks, labels */
	cairo_set_source_rgb(cr, 0, 0, 0);
	cairo_set_line_width(cr, 0.8);
	cairo_rectangle(cr, r->x, r->y, r->w, r->h);
	cairo_stroke(cr);
	cairo_set_font_size(cr, FONT_SIZE);
	double ticks[16];
	size_t n = dt_axis_ticks(ax->min, ax->max, ax->unit, ticks, 9);
	double step = n > 1 ? ticks[1] - ticks[0] : 0;
	for (size_t i = 0; i < n; i++) {
		double x = map_x(ax, r, ticks[i]);
		cairo_move_to(cr, x, r->y + r->h);
		cairo_line_to(cr, x, r->y + r->h + 4);
		cairo_stroke(cr);
		if (bottom)
			text_at(cr, x, r->y + r->h + 6, dt_axis_format(buf, sizeof(buf), ticks[i], step, ax->unit), 0.5, 1);
	}
	if (bottom && ax->label)
		text_at(cr, r->x + r->w / 2, r->y + r->h + 22, ax->label, 0.5, 1);
	n = dt_axis_ticks(ay->min, ay->max, ay->unit, ticks, 8);
	step = n > 1 ? ticks[1] - ticks[0] : 0;
	for (size_t i = 0; i < n; i++) {
		double y = map_y(ay, r, ticks[i]);
		cairo_move_to(cr, r->x - 4, y);
		cairo_line_to(cr, r->x, y);
		cairo_stroke(cr);
		text_at(cr, r->x - 6, y, dt_axis_format(buf, sizeof(buf), ticks[i], step, ay->unit), 1, 0.5);
	}
	if (ay->label) {
		cairo_save(cr);
		cairo_translate(cr, r->x - 12 - y_label_width(cr, p), r->y + r->h / 2);
		cairo_rotate(cr, -DT_PI / 2);
		text_at(cr, 0, 0, ay->label, 0.5, 0);
		cairo_restore(cr);
	}
	if (p->title) {
		cairo_set_font_size(cr, FONT_SIZE * 1.1);
		text_at(cr, r->x, r->y - 4, p->title, 0, 0);
		cairo_set_font_size(cr, FONT_SIZE);
	}
	/* legend */
	size_t nr_legend = 0;
	for (size_t i = 0; i < p->nr_lines; i++)
		nr_legend += p->lines[i].legend != NULL;
	if (nr_legend > 1) {
		double y = r->y + 12;
		for (size_t i = 0; i < p->nr_lines; i++) {
			if (!p->lines[i].legend)
				continue;
			set_rgb(cr, p->lines[i].color);
			cairo_set_line_width(cr, 2);
			cairo_move_to(cr, r->x + 8, y);
			cairo_line_to(cr, r->x + 26, y);
			cairo_stroke(cr);
			cairo_set_source_rgb(cr, 0, 0, 0);
			text_at(cr, r->x + 30, y, p->lines[i].legend, 0, 0.5);
			y += 14;
		}
	}
	if (p->has_image)
		draw_colorbar(cr, p, r);
}

static void draw_figure(cairo_t *cr, const struct dt_figure *f)
{
	double top = 12, left = 20, right = 20, bottom = 46;
	double max_label = 0;
	int any_bar = 0;

	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_paint(cr);
	cairo_select_font_face(cr, FONT, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
	cairo_set_font_size(cr, FONT_SIZE);
	if (f->title) {
		cairo_set_source_rgb(cr, 0, 0, 0);
		cairo_set_font_size(cr, TITLE_SIZE);
		text_at(cr, f->width / 2, 10, f->title, 0.5, 1);
		cairo_set_font_size(cr, FONT_SIZE);
		top += TITLE_SIZE + 8;
	}
	for (size_t i = 0; i < f->nr_panels; i++) {
		double w = y_label_width(cr, f->panels[i]);
		if (w > max_label)
			max_label = w;
		any_bar |= f->panels[i]->has_image;
	}
	left += max_label + 22;
	if (any_bar)
		right += BAR_WIDTH + 70;
	double weights = 0, titles = 0;
	for (size_t i = 0; i < f->nr_panels; i++) {
		weights += f->panels[i]->weight;
		titles += f->panels[i]->title ? FONT_SIZE + 6 : 0;
	}
	double avail = f->height - top - bottom - titles -
		       PANEL_GAP * (f->nr_panels ? f->nr_panels - 1 : 0);
	double y = top;
	const struct axis *shared_x = f->nr_panels ? &f->panels[0]->axis[DT_AXIS_X] : NULL;
	for (size_t i = 0; i < f->nr_panels; i++) {
		const struct dt_panel *p = f->panels[i];
		if (p->title)
			y += FONT_SIZE + 6;
		struct rect r = { left, y, f->width - left - right, avail * p->weight / weights };
		draw_panel(cr, f, p, p->axis[DT_AXIS_X].set ? &p->axis[DT_AXIS_X] : shared_x, &r,
			   i + 1 == f->nr_panels);
		y += r.h + PANEL_GAP;
	}
}

static void free_panel(struct dt_panel *p)
{
	for (size_t i = 0; i < p->nr_lines; i++) {
		free(p->lines[i].x);
		free(p->lines[i].y);
		free(p->lines[i].legend);
	}
	free(p->lines);
	for (size_t i = 0; i < p->nr_bands; i++)
		free(p->bands[i].label);
	free(p->bands);
	for (size_t i = 0; i < p->nr_boxes; i++)
		free(p->boxes[i].label);
	free(p->boxes);
	free(p->axis[0].label);
	free(p->axis[1].label);
	free(p->title);
	if (p->image)
		cairo_surface_destroy(p->image);
	free(p);
}

int dt_figure_free_nomem(struct dt_figure *f, char *err, size_t errlen)
{
	dt_figure_free(f);
	return dt_fail(err, errlen, -ENOMEM, "out of memory");
}

void dt_figure_free(struct dt_figure *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->nr_panels; i++)
		free_panel(f->panels[i]);
	free(f->panels);
	free(f->title);
	free(f->path);
	free(f);
}

/* The image goes through our own FILE so that a failure names its cause
 * (cairo's own file writing reports every one as a "write error"). */
struct image_sink {
	FILE *fp;
	int write_errno;
};

static cairo_status_t sink_write(void *closure, const unsigned char *data, unsigned int len)
{
	struct image_sink *sink = closure;

	if (sink->write_errno)
		return CAIRO_STATUS_WRITE_ERROR;
	if (len && fwrite(data, 1, len, sink->fp) != len) {
		sink->write_errno = errno ? errno : EIO;
		return CAIRO_STATUS_WRITE_ERROR;
	}
	return CAIRO_STATUS_SUCCESS;
}

int dt_figure_finish(struct dt_figure *f, char *err, size_t errlen)
{
	struct image_sink sink = { 0 };
	cairo_surface_t *s;
	cairo_status_t st;
	int ret = 0;

	for (size_t i = 0; i < f->nr_panels; i++) {
		struct axis *ax = &f->panels[i]->axis[DT_AXIS_X];
		if (!ax->set && i > 0)
			continue;
		if (!ax->set)
			dt_panel_set_axis(f->panels[i], DT_AXIS_X, 0, 1, DT_AXIS_PLAIN, NULL);
	}
	for (size_t i = 0; i < f->nr_panels; i++)
		if (!f->panels[i]->axis[DT_AXIS_Y].set)
			dt_panel_set_axis(f->panels[i], DT_AXIS_Y, 0, 1, DT_AXIS_PLAIN, NULL);

	struct dt_output out;
	if ((ret = dt_output_open(&out, f->path, NULL, err, errlen))) {
		dt_figure_free(f);
		return ret;
	}
	if (!(sink.fp = dt_output_stream(&out))) {
		ret = dt_fail(err, errlen, -errno, "%s: %s", f->path, strerror(errno));
		dt_output_abort(&out);
		dt_figure_free(f);
		return ret;
	}
	switch (f->format) {
	case DT_PLOT_PDF:
		s = cairo_pdf_surface_create_for_stream(sink_write, &sink, f->width, f->height);
		break;
	case DT_PLOT_SVG:
		s = cairo_svg_surface_create_for_stream(sink_write, &sink, f->width, f->height);
		break;
	default:
		s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, (int)lround(f->width * f->ppp),
					       (int)lround(f->height * f->ppp));
		break;
	}
	st = cairo_surface_status(s);
	if (st == CAIRO_STATUS_SUCCESS) {
		cairo_t *cr = cairo_create(s);
		if (f->format == DT_PLOT_PNG)
			cairo_scale(cr, f->ppp, f->ppp);
		draw_figure(cr, f);
		st = cairo_status(cr);
		cairo_destroy(cr);
		if (st == CAIRO_STATUS_SUCCESS && f->format == DT_PLOT_PNG)
			st = cairo_surface_write_to_png_stream(s, sink_write, &sink);
		cairo_surface_finish(s);
		if (st == CAIRO_STATUS_SUCCESS)
			st = cairo_surface_status(s);
	}
	cairo_surface_destroy(s);
	if (!sink.write_errno && st == CAIRO_STATUS_SUCCESS &&
	    (ret = dt_output_commit(&out, err, errlen))) {
		dt_figure_free(f);
		return ret;
	}
	if (sink.write_errno || st != CAIRO_STATUS_SUCCESS)
		dt_output_abort(&out);
	if (sink.write_errno) {
		snprintf(err, errlen, "%s: cannot write the image: %s", f->path,
			 strerror(sink.write_errno));
		ret = -sink.write_errno;
	} else if (st != CAIRO_STATUS_SUCCESS) {
		snprintf(err, errlen, "%s: cannot write the image (%s)", f->path,
			 cairo_status_to_string(st));
		ret = st == CAIRO_STATUS_NO_MEMORY ? -ENOMEM : -EIO;
	}
	dt_figure_free(f);
	return ret;
}
