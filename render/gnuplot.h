/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * gnuplot.h - draw with gnuplot, as damo does: the data and a script go to
 * temporary files and `gnuplot` (from PATH, or $DT_GNUPLOT) draws the image
 * whose type follows the output's extension (png, pdf, svg).  A clear error
 * names the cause when gnuplot is missing or fails.
 */
#ifndef DT_GNUPLOT_H
#define DT_GNUPLOT_H

#include <stddef.h>

#include "plot.h"

struct dt_gnuplot_series {
	const double *x, *y;
	size_t n;
	const char *title; /* legend; NULL for none */
};

/* Lines (with points when `points`) of every series into `path`. */
int dt_gnuplot_lines(const char *path, const char *title, const char *xlabel,
		     const char *ylabel, const struct dt_gnuplot_series *series,
		     size_t nr_series, int points, char *err, size_t errlen);
/* A heatmap image of the cells (x: img->x0 + i*dx, y: img->y0 + j*dy). */
int dt_gnuplot_heatmap(const char *path, const char *title, const char *xlabel,
		       const char *ylabel, const struct dt_heat_image *img,
		       char *err, size_t errlen);

#endif /* DT_GNUPLOT_H */
