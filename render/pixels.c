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

	fp = fopen(path, "wb");
	if (!fp) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -errno;
	}
	row = malloc(img->nx * 3);
	png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	info = png ? png_create_info_struct(png) : NULL;
	if (!row || !png || !info) {
		snprintf(err, errlen, "%s: out of memory", path);
		png_destroy_write_struct(&png, &info);
		free(row);
		fclose(fp);
		return -ENOMEM;
	}
	if (setjmp(png_jmpbuf(png))) {
		snprintf(err, errlen, "%s: writing the PNG failed", path);
		png_destroy_write_struct(&png, &info);
		free(row);
		fclose(fp);
		return -EIO;
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
	if (fclose(fp)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -EIO;
	}
	return 0;
}
