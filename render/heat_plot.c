// SPDX-License-Identifier: GPL-2.0-only
/* damo-heatmap's image of one grid: axes, title and area names (heat_plot.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "heat_plot.h"

/* Names of the grid's pieces: the framing's, or from the maps. */
static int piece_labels(struct dt_panel *p, const struct dt_heat_grid *g,
			const struct dt_frame *frame, const struct dt_maps_copy *maps)
{
	char (*names)[96] = calloc(g->nr_pieces, sizeof(*names));
	const char **ptrs = calloc(g->nr_pieces, sizeof(*ptrs));
	int ret = -ENOMEM, worked = frame->nr == g->nr_pieces;
	if (names && ptrs) {
		for (size_t k = 0; k < g->nr_pieces; k++) {
			if (worked)
				snprintf(names[k], sizeof(names[k]), "%s", frame->areas[k].name);
			else
				dt_maps_name_range(names[k], sizeof(names[k]), maps, g->pieces[k].start,
						   g->pieces[k].end);
			ptrs[k] = names[k];
		}
		ret = dt_panel_heat_pieces(p, g, ptrs, worked ? "not accessed" : "unmapped");
	}
	free(names);
	free(ptrs);
	return ret;
}

int dt_heat_plot_write(const struct dt_heat_job *j, size_t i, const char *path,
		       const struct dt_heat_plot_opts *o, char *err, size_t errlen)
{
	const struct dt_heat_grid *g = &j->grids[i];
	const struct dt_heat_guide *gd = j->gd;
	const struct dt_maps_copy *maps = &j->maps;
	const struct dt_frame *frame = &j->frame;
	struct dt_heat_image img;
	dt_heat_image_of_grid(&img, g, o->abs_time ? 0 : g->t_start, o->cmap, o->scale);
	double t0 = img.x0;
	double tspan = (double)g->t_unit * (double)g->t_resol / 1e9;
	uint64_t a_end = g->a_start + g->a_unit * g->a_resol;
	char title[256], who[96], size[48], ylabel[160];

	if (o->pixels)
		return dt_png_write_cells(path, &img, err, errlen);
	if (gd && gd->target.pid >= 0)
		snprintf(who, sizeof(who), "target %" PRIu64 " (pid %" PRId64 ")", gd->target.id,
			 gd->target.pid);
	else if (gd)
		snprintf(who, sizeof(who), "target %" PRIu64, gd->target.id);
	else
		snprintf(who, sizeof(who), "the record");
	snprintf(title, sizeof(title), "Access heatmap of %s", who);
	dt_format_bytes(size, sizeof(size), a_end - g->a_start);
	if (g->pieces && frame->nr == g->nr_pieces)
		snprintf(ylabel, sizeof(ylabel), "address: %zu worked-on areas, the rest collapsed",
			 g->nr_pieces);
	else if (g->pieces)
		snprintf(ylabel, sizeof(ylabel), "address: %zu mapped areas, gaps collapsed",
			 g->nr_pieces);
	else if (frame->nr == 1 && *frame->areas[0].name)
		snprintf(ylabel, sizeof(ylabel), "address (%s 0x%" PRIx64 " + %s)",
			 frame->areas[0].name, g->a_start, size);
	else
		snprintf(ylabel, sizeof(ylabel), "address (0x%" PRIx64 " + %s)", g->a_start, size);

	struct dt_figure *f;
	int ret = dt_figure_new(&f, path, 760, 520, err, errlen);
	if (ret)
		return ret;
	dt_figure_set_title(f, title);
	struct dt_panel *p = dt_figure_add_panel(f, 1);
	if (!p)
		goto nomem;
	dt_panel_set_axis(p, DT_AXIS_X, t0, t0 + tspan, DT_AXIS_SECONDS,
			  o->abs_time ? "time" : "time since the start of the range");
	if (g->pieces) {
		dt_panel_set_axis(p, DT_AXIS_Y, 0, (double)g->a_resol, DT_AXIS_HIDDEN, ylabel);
	} else {
		dt_panel_set_axis(p, DT_AXIS_Y, (double)g->a_start, (double)a_end,
				  DT_AXIS_ADDRESS, ylabel);
	}
	ret = dt_panel_heatmap(p, &img);
	if (ret == -E2BIG) {
		dt_figure_free(f);
		snprintf(err, errlen, "%.200s: a %zux%zu grid is too large for an image with axes "
			 "(at most 32767 cells a side); use --pixels", path, g->t_resol, g->a_resol);
		return ret;
	}
	if (ret)
		goto nomem;
	if (g->pieces && piece_labels(p, g, frame, maps))
		goto nomem;
	return dt_figure_finish(f, err, errlen);
nomem:
	return dt_figure_free_nomem(f, err, errlen);
}
