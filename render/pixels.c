// SPDX-License-Identifier: GPL-2.0-only
/* One pixel per cell, written row by row with libpng (plot.h). */
#include "plot.h"

#include <errno.h>
#include <math.h>
#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errmsg.h"
#include "output.h"

/* libpng's complaints are ours to tell, in one line: kept here (with the
 * errno of a failed write) instead of printed by libpng. */
struct png_why {
	char text[160];
	int errnum;
};

static void png_on_error(png_structp png, png_const_charp msg)
{
	struct png_why *why = png_get_error_ptr(png);

	why->errnum = errno;
	snprintf(why->text, sizeof(why->text), "%s", msg ? msg : "error");
	png_longjmp(png, 1);
}

static void png_on_warning(png_structp png, png_const_charp msg)
{
	(void)png;
	(void)msg;
}

static int write_png(const char *path, const struct dt_heat_image *img,
		     const double lo, const double hi, char *err, size_t errlen);

int dt_png_write_cells(const char *path, const struct dt_heat_image *img,
		       char *err, size_t errlen)
{
	double lo = img->vmin, hi = img->vmax;

	if (!img->nx || !img->ny || img->nx > 0x7fffffff || img->ny > 0x7fffffff) {
		snprintf(err, errlen, "%s: empty or oversized grid", path);
		return -EINVAL;
	}
	if (!(hi > lo)) {
		int any = 0;
		for (size_t i = 0; i < img->nx * img->ny; i++) {
			double v = img->cells[i];
			if (isnan(v))
				continue;
			if (!any || v < lo)
				lo = v;
			if (!any || v > hi)
				hi = v;
			any = 1;
		}
		if (!(hi > lo))
			hi = lo + 1;
	}
	return write_png(path, img, lo, hi, err, errlen);
}

static int write_png(const char *path, const struct dt_heat_image *img,
		     const double lo, const double hi, char *err, size_t errlen)
{
	FILE *fp;
	png_structp png = NULL;
	png_infop info = NULL;
	unsigned char *volatile row = NULL;
	struct dt_output out;
	int ret = dt_output_open(&out, path, NULL, err, errlen);

	if (ret)
		return ret;
	if (!(fp = dt_output_stream(&out))) {
		ret = dt_fail(err, errlen, -errno, "%s: %s", path, strerror(errno));
		dt_output_abort(&out);
		return ret;
	}
	row = malloc(img->nx * 3);
	struct png_why why = { "", 0 };
	png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &why, png_on_error, png_on_warning);
	info = png ? png_create_info_struct(png) : NULL;
	if (!row || !png || !info) {
		snprintf(err, errlen, "%s: out of memory", path);
		png_destroy_write_struct(&png, &info);
		free(row);
		dt_output_abort(&out);
		return -ENOMEM;
	}
	if (setjmp(png_jmpbuf(png))) {
		ret = why.errnum ? -why.errnum : -EIO;
		if (why.errnum)
			snprintf(err, errlen, "%s: cannot write the PNG: %s", path,
				 strerror(why.errnum));
		else
			snprintf(err, errlen, "%s: cannot write the PNG (libpng: %s)", path, why.text);
		png_destroy_write_struct(&png, &info);
		free(row);
		dt_output_abort(&out);
		return ret;
	}
	png_init_io(png, fp);
	png_set_IHDR(png, info, (png_uint_32)img->nx, (png_uint_32)img->ny, 8,
		     PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
		     PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	png_write_info(png, info);
	for (size_t r = 0; r < img->ny; r++) {
		size_t j = img->ny - 1 - r; /* highest address on top */
		for (size_t i = 0; i < img->nx; i++) {
			struct dt_rgb c = dt_cell_color(img->cmap, img->scale,
							img->cells[i * img->ny + j], lo, hi,
							img->nan_color);
			row[i * 3] = (unsigned char)lround(c.r * 255);
			row[i * 3 + 1] = (unsigned char)lround(c.g * 255);
			row[i * 3 + 2] = (unsigned char)lround(c.b * 255);
		}
		png_write_row(png, row);
	}
	png_write_end(png, NULL);
	png_destroy_write_struct(&png, &info);
	free(row);
	return dt_output_commit(&out, err, errlen);
}
