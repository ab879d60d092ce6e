// SPDX-License-Identifier: GPL-2.0-only
/* Pictures checked structurally: sizes, and colours at known hot and cold
 * cells, read back with libpng. */
#define _GNU_SOURCE
#include <check.h>
#include <math.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "heatmap.h"
#include "plot.h"
#include "wss.h"

struct image {
	png_uint_32 w, h;
	unsigned char *rgb; /* w * h * 3 */
};

static void read_png(const char *path, struct image *img)
{
	png_image pi;
	memset(&pi, 0, sizeof(pi));
	pi.version = PNG_IMAGE_VERSION;
	ck_assert_msg(png_image_begin_read_from_file(&pi, path), "%s: %s", path, pi.message);
	pi.format = PNG_FORMAT_RGB;
	img->w = pi.width;
	img->h = pi.height;
	img->rgb = malloc(PNG_IMAGE_SIZE(pi));
	ck_assert_ptr_nonnull(img->rgb);
	ck_assert(png_image_finish_read(&pi, NULL, img->rgb, 0, NULL));
}

static void pixel(const struct image *img, unsigned x, unsigned y, int *r, int *g, int *b)
{
	const unsigned char *p = img->rgb + ((size_t)y * img->w + x) * 3;
	*r = p[0];
	*g = p[1];
	*b = p[2];
}

static void expect_color(const struct image *img, unsigned x, unsigned y, struct dt_rgb want)
{
	int r, g, b;
	pixel(img, x, y, &r, &g, &b);
	ck_assert_msg(abs(r - (int)lround(want.r * 255)) <= 2 &&
			      abs(g - (int)lround(want.g * 255)) <= 2 &&
			      abs(b - (int)lround(want.b * 255)) <= 2,
		      "pixel (%u, %u) is %d,%d,%d; expected %.0f,%.0f,%.0f", x, y, r, g, b,
		      want.r * 255, want.g * 255, want.b * 255);
}

/* 4 time cells x 3 address cells: one hot, one cold (0), the rest NaN. */
static double cells[12];

static struct dt_heat_image test_image(void)
{
	for (int i = 0; i < 12; i++)
		cells[i] = NAN;
	cells[1 * 3 + 2] = 8;  /* time 1, highest address: hot */
	cells[2 * 3 + 0] = 0;  /* time 2, lowest address: cold */
	cells[3 * 3 + 1] = 4;
	return (struct dt_heat_image){ .cells = cells, .nx = 4, .ny = 3, .x0 = 0, .dx = 1,
				       .y0 = 0, .dy = 1, .cmap = DT_CMAP_VIRIDIS,
				       .nan_color = { 1, 1, 1 }, .bar_label = "Hz" };
}

START_TEST(pixels_png_one_pixel_per_cell)
{
	char path[] = "/tmp/dt-render-XXXXXX.png", err[128];
	int fd = mkstemps(path, 4);
	ck_assert_int_ge(fd, 0);
	close(fd);
	struct dt_heat_image img = test_image();
	ck_assert_int_eq(dt_png_write_cells(path, &img, err, sizeof(err)), 0);
	struct image png;
	read_png(path, &png);
	ck_assert_uint_eq(png.w, 4);
	ck_assert_uint_eq(png.h, 3);
	/* Highest address on the top row. */
	expect_color(&png, 1, 0, dt_colormap_at(DT_CMAP_VIRIDIS, 1));
	expect_color(&png, 2, 2, dt_colormap_at(DT_CMAP_VIRIDIS, 0));
	expect_color(&png, 3, 1, dt_colormap_at(DT_CMAP_VIRIDIS, 0.5));
	expect_color(&png, 0, 0, (struct dt_rgb){ 1, 1, 1 });
	free(png.rgb);
	unlink(path);
}
END_TEST

START_TEST(figure_png_has_size_and_heatmap_colors)
{
	char path[] = "/tmp/dt-render-XXXXXX.png", err[128];
	int fd = mkstemps(path, 4);
	ck_assert_int_ge(fd, 0);
	close(fd);
	struct dt_figure *f;
	ck_assert_int_eq(dt_figure_new(&f, path, 400, 300, err, sizeof(err)), 0);
	dt_figure_set_scale(f, 1);
	dt_figure_set_title(f, "test");
	struct dt_panel *p = dt_figure_add_panel(f, 1);
	ck_assert_ptr_nonnull(p);
	dt_panel_set_axis(p, DT_AXIS_X, 0, 4, DT_AXIS_SECONDS, "time");
	dt_panel_set_axis(p, DT_AXIS_Y, 0, 3, DT_AXIS_BYTES, "address");
	struct dt_heat_image img = test_image();
	ck_assert_int_eq(dt_panel_heatmap(p, &img), 0);
	ck_assert_int_eq(dt_figure_finish(f, err, sizeof(err)), 0);
	struct image png;
	read_png(path, &png);
	ck_assert_uint_eq(png.w, 400);
	ck_assert_uint_eq(png.h, 300);
	/* Find the hot (yellow) and cold (dark purple) cells somewhere. */
	struct dt_rgb hot = dt_colormap_at(DT_CMAP_VIRIDIS, 1), cold = dt_colormap_at(DT_CMAP_VIRIDIS, 0);
	int nhot = 0, ncold = 0;
	for (unsigned y = 0; y < png.h; y++)
		for (unsigned x = 0; x < png.w; x++) {
			int r, g, b;
			pixel(&png, x, y, &r, &g, &b);
			nhot += abs(r - (int)lround(hot.r * 255)) <= 2 &&
				abs(g - (int)lround(hot.g * 255)) <= 2 && abs(b - (int)lround(hot.b * 255)) <= 2;
			ncold += abs(r - (int)lround(cold.r * 255)) <= 2 &&
				 abs(g - (int)lround(cold.g * 255)) <= 2 && abs(b - (int)lround(cold.b * 255)) <= 2;
		}
	/* A cell is about 70 x 80 pixels; the colour bar adds a few. */
	ck_assert_int_gt(nhot, 2000);
	ck_assert_int_gt(ncold, 2000);
	free(png.rgb);
	unlink(path);
}
END_TEST

START_TEST(formats_ticks_and_colormaps)
{
	enum dt_plot_format fmt;
	enum dt_colormap cm;
	char err[128], buf[64];
	double ticks[16];

	ck_assert_int_eq(dt_plot_format_of("a.PDF", &fmt, err, sizeof(err)), 0);
	ck_assert_int_eq(fmt, DT_PLOT_PDF);
	ck_assert_int_lt(dt_plot_format_of("a.gif", &fmt, err, sizeof(err)), 0);
	ck_assert_int_eq(dt_colormap_parse("magma", &cm), 0);
	ck_assert_int_eq(cm, DT_CMAP_MAGMA);
	ck_assert_int_lt(dt_colormap_parse("jet", &cm), 0);
	size_t n = dt_axis_ticks(0, 64.0 * 1048576, DT_AXIS_BYTES, ticks, 8);
	ck_assert_uint_ge(n, 3);
	ck_assert_str_eq(dt_axis_format(buf, sizeof(buf), ticks[1], ticks[1] - ticks[0],
					 DT_AXIS_BYTES), "16 MiB");
	ck_assert_str_eq(dt_axis_format(buf, sizeof(buf), 1.5, 0.5, DT_AXIS_SECONDS), "1.5 s");
	ck_assert_str_eq(dt_axis_format(buf, sizeof(buf), 0.25, 0.05, DT_AXIS_SECONDS), "250 ms");
	ck_assert_str_eq(dt_axis_format(buf, sizeof(buf), 4096, 4096, DT_AXIS_ADDRESS), "0x1000");
	/* viridis runs dark purple to yellow; gray is linear */
	struct dt_rgb lo = dt_colormap_at(DT_CMAP_VIRIDIS, 0), hi = dt_colormap_at(DT_CMAP_VIRIDIS, 1);
	ck_assert(lo.b > lo.g && hi.r > 0.9 && hi.g > 0.8);
	ck_assert(fabs(dt_colormap_at(DT_CMAP_GRAY, 0.25).g - 0.25) < 1e-12);
	ck_assert(dt_color_scale_pos(DT_SCALE_LOG, 9, 0, 99) > 0.45);
}
END_TEST

/* What damo-timeline stacks: panels on one time axis, a shaded phase,
 * a line, boxes; every output format writes. */
START_TEST(stacked_panels_in_every_format)
{
	static const char *ext[] = { ".png", ".pdf", ".svg" };
	const double xs[] = { 0, 1, 2, 3 }, ys[] = { 0, 5 << 20, 3 << 20, 6 << 20 };
	char err[128];

	for (size_t k = 0; k < 3; k++) {
		char path[64];
		snprintf(path, sizeof(path), "/tmp/dt-render-XXXXXX%s", ext[k]);
		int fd = mkstemps(path, 4);
		ck_assert_int_ge(fd, 0);
		close(fd);
		struct dt_figure *f;
		ck_assert_int_eq(dt_figure_new(&f, path, 500, 400, err, sizeof(err)), 0);
		struct dt_panel *top = dt_figure_add_panel(f, 1), *bottom = dt_figure_add_panel(f, 1);
		ck_assert(top && bottom);
		dt_panel_set_axis(top, DT_AXIS_X, 0, 3, DT_AXIS_SECONDS, "time");
		dt_panel_set_axis(top, DT_AXIS_Y, 0, 8 << 20, DT_AXIS_BYTES, "WSS");
		ck_assert_int_eq(dt_panel_line(top, xs, ys, 4, DT_COLOR_BLUE, "wss"), 0);
		ck_assert_int_eq(dt_panel_shade_x(top, 1, 2, DT_COLOR_SHADE, "phase 1"), 0);
		dt_panel_set_axis(bottom, DT_AXIS_Y, 0, 3, DT_AXIS_HIDDEN, "stack");
		ck_assert_int_eq(dt_panel_box(bottom, 0, 3, 0, 1, DT_COLOR_ORANGE, "main"), 0);
		ck_assert_int_eq(dt_panel_box(bottom, 1, 2, 1, 2, DT_COLOR_GREEN, "FFT1DOnce"), 0);
		ck_assert_int_eq(dt_figure_finish(f, err, sizeof(err)), 0);
		struct stat st;
		ck_assert_int_eq(stat(path, &st), 0);
		ck_assert_int_gt(st.st_size, 1000);
		unlink(path);
	}
	struct dt_figure *f;
	ck_assert_int_eq(dt_figure_new(&f, "/nonexistent/dir/x.png", 100, 100, err, sizeof(err)), 0);
	ck_assert(dt_figure_add_panel(f, 1));
	ck_assert_int_lt(dt_figure_finish(f, err, sizeof(err)), 0);
	ck_assert_ptr_nonnull(strstr(err, "/nonexistent/dir/x.png"));
}
END_TEST

/* convert/ results drawn: a grid's image and a WSS line, on seconds. */
START_TEST(grid_and_wss_as_plot_objects)
{
	struct dt_heat_grid g;
	struct dt_heat_image img;
	char err[128];

	ck_assert_int_eq(dt_heat_grid_init(&g, 2000000000, 4000000000, 4, 4096, 4096 + 8192, 2,
					   NULL, 0, err, sizeof(err)), 0);
	dt_heat_image_of_grid(&img, &g, 1000000000, DT_CMAP_MAGMA, DT_SCALE_LOG);
	ck_assert(img.cells == g.cells && img.nx == 4 && img.ny == 2);
	ck_assert(img.x0 == 1.0 && img.dx == 0.5);
	ck_assert(img.y0 == 4096 && img.dy == 4096);
	ck_assert_str_eq(img.bar_label, "accesses (samples per aggregation)");
	ck_assert(img.cmap == DT_CMAP_MAGMA && img.scale == DT_SCALE_LOG);
	dt_heat_grid_free(&g);

	struct dt_wss_point pts[] = { { 1000000000, 1100000000, 4096 }, { 1100000000, 1300000000, 8192 } };
	struct dt_wss_series s = { 2, 2, pts };
	struct dt_figure *f;
	ck_assert_int_eq(dt_figure_new(&f, "/tmp/unused.svg", 100, 100, err, sizeof(err)), 0);
	struct dt_panel *p = dt_figure_add_panel(f, 1);
	ck_assert_int_eq(dt_panel_wss_line(p, &s, 1000000000, DT_COLOR_BLUE, NULL), 0);
	dt_figure_free(f);
}
END_TEST

Suite *render_suite(void)
{
	Suite *s = suite_create("render");
	TCase *tc = tcase_create("render");

	tcase_add_test(tc, pixels_png_one_pixel_per_cell);
	tcase_add_test(tc, figure_png_has_size_and_heatmap_colors);
	tcase_add_test(tc, formats_ticks_and_colormaps);
	tcase_add_test(tc, stacked_panels_in_every_format);
	tcase_add_test(tc, grid_and_wss_as_plot_objects);
	suite_add_tcase(s, tc);
	return s;
}
