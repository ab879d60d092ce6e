// SPDX-License-Identifier: GPL-2.0-only
/* convert/ results as plot.h objects. */
#include "plot.h"

#include <errno.h>
#include <stdlib.h>

#include "heatmap.h"
#include "wss.h"

void dt_heat_image_of_grid(struct dt_heat_image *img, const struct dt_heat_grid *g,
			   int64_t t0_ns, enum dt_colormap cmap,
			   enum dt_color_scale scale)
{
	*img = (struct dt_heat_image){
		.cells = g->cells, .nx = g->t_resol, .ny = g->a_resol,
		.x0 = (double)(g->t_start - t0_ns) / 1e9, .dx = (double)g->t_unit / 1e9,
		.y0 = g->pieces ? 0 : (double)g->a_start, .dy = g->pieces ? 1 : (double)g->a_unit,
		.cmap = cmap, .scale = scale, .nan_color = dt_colormap_nan_color(cmap),
		.bar_label = g->value_hz ? "access frequency (Hz)"
					 : "accesses (samples per aggregation)",
	};
}

int dt_panel_wss_line(struct dt_panel *p, const struct dt_wss_series *s,
		      uint64_t t0_ns, struct dt_rgb color, const char *legend)
{
	size_t n = s->nr;
	double *x = malloc((n ? n : 1) * sizeof(*x)), *y = malloc((n ? n : 1) * sizeof(*y));
	int ret = -ENOMEM;

	if (x && y) {
		for (size_t i = 0; i < n; i++) {
			x[i] = (double)(int64_t)(s->v[i].end_ns - t0_ns) / 1e9;
			y[i] = (double)s->v[i].wss;
		}
		ret = dt_panel_line(p, x, y, n, color, legend);
	}
	free(x);
	free(y);
	return ret;
}
