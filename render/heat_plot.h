/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * heat_plot.h - damo-heatmap's image of one grid of a heat job
 * (heat_job.h): the heatmap with its colour bar, titled after the guide's
 * target, its address axis labelled with the range or, for grids of
 * pieces, each piece named (the framing's names, or from the maps);
 * or, with pixels, a PNG of one pixel per cell and nothing else.
 * Output format by file extension (plot.h).
 */
#ifndef DT_HEAT_PLOT_H
#define DT_HEAT_PLOT_H

#include <stddef.h>

#include "heat_job.h"
#include "plot.h"

struct dt_heat_plot_opts {
	int abs_time;              /* time axis from 0 s, not the range start */
	int pixels;                /* a PNG of the cells only */
	enum dt_colormap cmap;
	enum dt_color_scale scale;
};

/* Draws j->grids[i] into path.  0 or a negative errno with a message;
 * -E2BIG (said) when the grid is too large for an image with axes. */
int dt_heat_plot_write(const struct dt_heat_job *j, size_t i, const char *path,
		       const struct dt_heat_plot_opts *o, char *err, size_t errlen);

#endif /* DT_HEAT_PLOT_H */
