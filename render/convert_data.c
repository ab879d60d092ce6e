// SPDX-License-Identifier: GPL-2.0-only
/* convert/ results as plot.h objects. */
#include "plot.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "heatmap.h"
#include "units.h"
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

int dt_panel_heat_pieces(struct dt_panel *p, const struct dt_heat_grid *g,
			 const char *const *names, const char *gap_word)
{
	int rc = 0;
	for (size_t k = 0; k < g->nr_pieces && !rc; k++) {
		char size[48], label[192];
		const struct dt_heat_piece *pc = &g->pieces[k];
		const char *name = names && names[k] ? names[k] : "";
		double y0 = (double)g->piece_row[k], y1 = y0 + (double)g->piece_rows[k];
		dt_format_bytes(size, sizeof(size), pc->end - pc->start);
		snprintf(label, sizeof(label), "%s%s0x%" PRIx64 " +%s", name, *name ? " " : "",
			 pc->start, size);
		rc = dt_panel_label_y(p, y0, y1, label);
		if (rc || k + 1 == g->nr_pieces)
			continue;
		dt_format_bytes(size, sizeof(size), g->pieces[k + 1].start - pc->end);
		snprintf(label, sizeof(label), "%s %s", size, gap_word ? gap_word : "");
		rc = dt_panel_separator_y(p, y1, gap_word ? label : NULL);
	}
	return rc;
}
