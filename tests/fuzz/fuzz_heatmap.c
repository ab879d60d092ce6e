// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target for the heatmap analysis: a record built from the
 * bytes (fuzz_record.h) goes through the guide (areas, heats, the second
 * pass), a grid over the guide's span and hottest area, and one over
 * every area side by side (--draw_range mapped), then damo's raw and
 * terminal texts, as damo-heatmap runs them.  UBSan makes any wrapped
 * time, address or cell computation a crash.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "fuzz_record.h"
#include "heatmap.h"

static void grids(const struct fuzz_record *r, const struct dt_heat_guide *gd, FILE *out)
{
	struct dt_damo_num s, e;
	struct dt_heat_grid g;
	char err[256];

	dt_heat_guide_span(gd, &s, &e);
	for (int mapped = 0; mapped < 2; mapped++) {
		struct dt_heat_piece pieces[64];
		size_t nr = 0, hot = dt_heat_guide_hottest(gd);
		for (size_t k = 0; mapped && k < gd->nr_areas && k < 64; k++)
			pieces[nr++] = (struct dt_heat_piece){ gd->areas[k].start, gd->areas[k].end };
		if (!mapped && hot >= gd->nr_areas)
			continue;
		if (dt_heat_grid_init(&g, dt_damo_num_trunc(&s), dt_damo_num_trunc(&e), 8,
				      mapped ? 0 : gd->areas[hot].start,
				      mapped ? 1 : gd->areas[hot].end, 8, nr ? pieces : NULL, nr,
				      err, sizeof(err)))
			continue;
		dt_heat_grid_set_target(&g, gd->target.kdamond, gd->target.context,
					gd->target.target);
		for (size_t i = 0; i < r->nr; i++)
			dt_heat_grid_add(&g, &r->items[i]);
		dt_heat_grid_print_raw(out, &g, mapped, !mapped);
		dt_heat_grid_print_ascii(out, &g, "flame", 1, mapped);
		dt_heat_grid_free(&g);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fuzz_record r;
	struct dt_heat_guides gs = { 0 };
	char err[256];
	FILE *out = fopen("/dev/null", "w");

	if (!out)
		return 0;
	fuzz_record_build(&r, data, size);
	for (size_t i = 0; i < r.nr; i++)
		if (dt_heat_guides_add(&gs, &r.items[i], err, sizeof(err)))
			goto done;
	if (dt_heat_guides_finish(&gs, err, sizeof(err)))
		goto done;
	for (size_t i = 0; i < r.nr; i++)
		dt_heat_guides_add_heat(&gs, &r.items[i]);
	dt_heat_guides_print(out, &gs, data[0] & 1);
	for (size_t k = 0; k < gs.nr; k++)
		grids(&r, &gs.v[k], out);
done:
	dt_heat_guides_free(&gs);
	fclose(out);
	return 0;
}
