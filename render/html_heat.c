// SPDX-License-Identifier: GPL-2.0-only
/* The HTML report's finer heatmap grids (html_internal.h): one dt_heat_grid
 * per area of the timeline's grid, each fed only the regions that reach
 * it, then laid side by side as the timeline's grid lays its areas. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "html_internal.h"

/* A grid of `like`'s target over [a, b) with `rows` address cells; 0 when
 * done, 1 when the range cannot be a grid of its own, -ENOMEM. */
static int sub_init(struct dt_heat_grid *g, const struct dt_heat_grid *like, int64_t t0,
		    int64_t t1, size_t columns, uint64_t a, uint64_t b, size_t rows)
{
	char ignored[160];
	int rc = dt_heat_grid_init(g, t0, t1, columns, a, b, rows, NULL, 0, ignored,
				   sizeof(ignored));
	if (rc == -ENOMEM)
		return rc;
	if (rc)
		return 1;
	dt_heat_grid_set_target(g, like->kdamond, like->context, like->target);
	return 0;
}

int dt_html_heat_init(struct dt_html_heat *h, const struct dt_heat_grid *like, int64_t t0,
		      int64_t t1, size_t columns, uint64_t a_start, uint64_t a_end)
{
	size_t n = like->pieces ? like->nr_pieces : 1;
	memset(h, 0, sizeof(*h));
	h->like = like;
	h->closed = !like->pieces;
	h->sub = calloc(n, sizeof(*h->sub));
	if (!h->sub)
		return -ENOMEM;
	for (size_t p = 0; p < n; p++) {
		const struct dt_heat_piece *pc = like->pieces ? &like->pieces[p] : NULL;
		int rc = pc ? sub_init(&h->sub[p], like, t0, t1, columns, pc->start,
				       pc->start + like->piece_unit[p] * like->piece_rows[p],
				       like->piece_rows[p])
			    : sub_init(&h->sub[p], like, t0, t1, columns, a_start, a_end,
				       like->a_resol);
		if (rc)
			return rc;
		h->nr++;
		if (pc && (h->sub[p].a_unit != like->piece_unit[p] ||
			   h->sub[p].a_resol != like->piece_rows[p]))
			return 1; /* not the band the timeline's grid gives this area */
	}
	return 0;
}

/* Regions [*b, *e) of a sorted snapshot that reach [lo, hi]: touching
 * counts when `closed` (damo's rule for a plain range), not otherwise (its
 * rule for areas side by side). */
static void reach(const struct dtr_snapshot *s, uint64_t lo, uint64_t hi, int closed,
		  size_t *b, size_t *e)
{
	size_t l = 0, r = s->nr_regions;
	while (l < r) { /* first region ending after lo (at lo: closed) */
		size_t m = l + (r - l) / 2;
		if (s->regions[m].end > lo || (closed && s->regions[m].end == lo))
			r = m;
		else
			l = m + 1;
	}
	*b = l;
	r = s->nr_regions;
	while (l < r) { /* first region starting at or after hi (after: closed) */
		size_t m = l + (r - l) / 2;
		if (s->regions[m].start > hi || (!closed && s->regions[m].start == hi))
			r = m;
		else
			l = m + 1;
	}
	*e = l;
}

int dt_html_heat_add(struct dt_html_heat *h, const struct dtr_item *it)
{
	for (size_t p = 0; p < h->nr; p++) {
		struct dt_heat_grid *g = &h->sub[p];
		int rc;
		if (it->type != DTR_ITEM_SNAPSHOT) {
			rc = dt_heat_grid_add(g, it);
		} else {
			struct dtr_item cut = *it;
			size_t b, e;
			uint64_t lo = g->a_start, hi = h->closed ? g->a_start + g->a_unit * g->a_resol :
							     h->like->pieces[p].end;
			reach(&it->u.snapshot, lo, hi, h->closed, &b, &e);
			cut.u.snapshot.regions = it->u.snapshot.regions + b;
			cut.u.snapshot.nr_regions = e > b ? e - b : 0;
			rc = dt_heat_grid_add(g, &cut);
		}
		if (rc)
			return rc;
	}
	return 0;
}

/* The grid the report shows: the one sub-grid, or the sub-grids' bands
 * side by side as in `like`. */
const struct dt_heat_grid *dt_html_heat_finish(struct dt_html_heat *h)
{
	const struct dt_heat_grid *like = h->like;
	if (!like->pieces)
		return &h->sub[0];
	struct dt_heat_grid *o = &h->out;
	size_t T = h->sub[0].t_resol, A = like->a_resol;
	o->cells = malloc(T * A * sizeof(double));
	if (!o->cells)
		return NULL;
	for (size_t i = 0; i < T * A; i++)
		o->cells[i] = NAN;
	for (size_t p = 0; p < h->nr; p++) {
		const struct dt_heat_grid *g = &h->sub[p];
		for (size_t i = 0; i < T; i++)
			memcpy(&o->cells[i * A + like->piece_row[p]], &g->cells[i * g->a_resol],
			       g->a_resol * sizeof(double));
	}
	o->t_start = h->sub[0].t_start;
	o->t_unit = h->sub[0].t_unit;
	o->t_resol = T;
	o->a_resol = A;
	return o;
}

void dt_html_heat_free(struct dt_html_heat *h)
{
	for (size_t p = 0; p < h->nr; p++)
		dt_heat_grid_free(&h->sub[p]);
	free(h->sub);
	free(h->out.cells);
	memset(h, 0, sizeof(*h));
}
