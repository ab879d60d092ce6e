// SPDX-License-Identifier: GPL-2.0-only
/* heat_job.c: damo-heatmap's passes over a record: guide, ranges, grids. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errmsg.h"
#include "heat_job.h"

typedef int (*item_fn)(void *data, const struct dtr_item *item, char *err, size_t errlen);

/* One pass over the spooled input, every item to fn. */
static int run_pass(struct dt_heat_job *j, item_fn fn, void *data, char *err, size_t errlen)
{
	struct dt_input *in;
	struct dtr_item item;
	uint64_t nr = 0;
	int ret;

	j->pass++;
	ret = dt_input_open(&in, j->spool.path, &j->in_opts, err, errlen);
	if (ret)
		return ret;
	while ((ret = dt_input_next(in, &item, err, errlen)) == 1) {
		if ((ret = fn(data, &item, err, errlen)) < 0)
			break;
		if (item.type == DTR_ITEM_SNAPSHOT && (++nr & 1023) == 0 && j->o->progress)
			j->o->progress(j->o->progress_ctx, j->pass, nr);
	}
	dt_input_close(in);
	return ret < 0 ? ret : 0;
}

static int guide_item(void *data, const struct dtr_item *item, char *err, size_t errlen)
{
	struct dt_heat_job *j = data;

	if (j->framer && dt_framer_add(j->framer, item, err, errlen))
		return -ENOMEM;
	if (item->type == DTR_ITEM_MAPS) {
		/* Keep the last maps; the target's pid is known only later, so
		 * a record with several processes keeps the last one's maps. */
		if (dt_maps_copy_note(&j->maps, &item->u.maps, -1)) {
			snprintf(err, errlen, "out of memory");
			return -ENOMEM;
		}
		return 0;
	}
	return dt_heat_guides_add(&j->guides, item, err, errlen);
}

static int heat_item(void *data, const struct dtr_item *item, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	return dt_heat_guides_add_heat(data, item);
}

/* The snapshot as the grids see it: as read, or sorted by temperature. */
static int grid_view(struct dt_heat_job *j, const struct dtr_item *item, struct dtr_item *view)
{
	*view = *item;
	if (!j->o->sort_temperature || j->pieces)
		return 0;
	if (item->type != DTR_ITEM_SNAPSHOT)
		return dt_targets_note(&j->targets, item);
	int t = dt_targets_of(&j->targets, &item->u.snapshot);
	if (t < 0)
		return t;
	const struct dt_target_info *ti = &j->targets.v[t];
	return dt_heat_sort_temperature(&j->sorter, &item->u.snapshot,
					(const uint64_t (*)[2])j->ranges, j->nr_ranges,
					j->o->temperature_weights, ti->sample_us, ti->aggr_us,
					&view->u.snapshot);
}

static int grid_item(void *data, const struct dtr_item *item, char *err, size_t errlen)
{
	struct dt_heat_job *j = data;
	struct dtr_item view;

	if (grid_view(j, item, &view)) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	for (size_t i = 0; i < j->nr_grids; i++) {
		if (dt_heat_grid_add(&j->grids[i], &view)) {
			snprintf(err, errlen, "out of memory");
			return -ENOMEM;
		}
	}
	return 0;
}

/* damo's complete_src_args(): the kdamond, context and target default to
 * the first guide's; the first guide matching all three is used. */
static const struct dt_heat_guide *pick_guide(const struct dt_heat_job_opts *o,
					      const struct dt_heat_guides *g)
{
	if (!g->nr)
		return NULL;
	const struct dt_target_info *first = &g->v[0].target;
	uint32_t kd = o->has_kdamond ? o->kdamond_idx : first->kdamond;
	uint32_t ctx = o->has_context ? o->context_idx : first->context;
	uint64_t tid = o->has_tid ? o->tid : first->id;

	for (size_t i = 0; i < g->nr; i++) {
		const struct dt_target_info *t = &g->v[i].target;
		if (t->kdamond == kd && t->context == ctx && t->id == tid)
			return &g->v[i];
	}
	return NULL;
}

/* Whether the ranges asked for need the guide. */
static int needs_guide(const struct dt_heat_job_opts *o)
{
	if (o->guide_only || !o->time || !o->nr_addr || o->time->base == DT_RANGE_BASE_GUIDED ||
	    o->time->base == DT_RANGE_BASE_GUIDED_END)
		return 1;
	for (size_t i = 0; i < o->nr_addr; i++)
		if (o->addr[i].base == DT_RANGE_BASE_GUIDED)
			return 1;
	return 0;
}

/* The guide pass: the guide alone with guide_only, else the target's. */
static int find_guide(struct dt_heat_job *j, char *err, size_t errlen)
{
	const struct dt_heat_job_opts *o = j->o;
	const struct dt_time_range *t = o->time;
	int ret = 0;

	/* the framing knows absolute time ranges only (no base) */
	if (o->draw == DT_HEAT_DRAW_WORKED && !o->nr_addr && !o->guide_only) {
		int abs = t && t->base == DT_RANGE_BASE_NONE;
		ret = dt_framer_new(&j->framer, abs ? dt_damo_num_trunc(&t->start) : 0,
				    abs ? dt_damo_num_trunc(&t->end) : 0, err, errlen);
	}
	if (!ret)
		ret = run_pass(j, guide_item, j, err, errlen);
	if (!ret)
		ret = dt_heat_guides_finish(&j->guides, err, errlen);
	if (ret || o->guide_only)
		return ret;
	j->gd = pick_guide(o, &j->guides);
	if (j->gd)
		return 0;
	if (!j->guides.nr)
		snprintf(err, errlen, "%s: no snapshots", o->input);
	else if (o->has_tid && !o->has_kdamond && !o->has_context)
		snprintf(err, errlen, "%s: no target with id %" PRIu64, o->input, o->tid);
	else
		snprintf(err, errlen, "%s: no target of kdamond %s, context %s, id %s", o->input,
			 o->has_kdamond ? "as given" : "0", o->has_context ? "as given" : "0",
			 o->has_tid ? "as given" : "the first");
	return -ENOENT;
}

/* Draw WORKED: the framing's areas, one range or pieces; 1 when nothing
 * was accessed (damo's hottest area is drawn instead). */
static int worked_ranges(struct dt_heat_job *j, char *err, size_t errlen)
{
	const struct dt_heat_guide *gd = j->gd;
	int ret = dt_framer_result(j->framer, gd->target.kdamond, gd->target.context,
				   gd->target.target, &j->frame, err, errlen);
	if (ret || !j->frame.nr)
		return ret ? ret : 1;
	j->nr_ranges = 1;
	if (j->frame.nr == 1) {
		j->ranges[0][0] = j->frame.areas[0].start;
		j->ranges[0][1] = j->frame.areas[0].end;
		return 0;
	}
	j->pieces = calloc(j->frame.nr, sizeof(*j->pieces));
	if (!j->pieces)
		return dt_fail(err, errlen, -ENOMEM, "out of memory");
	for (size_t k = 0; k < j->frame.nr; k++)
		j->pieces[k] = (struct dt_heat_piece){ j->frame.areas[k].start, j->frame.areas[k].end };
	j->nr_pieces = j->frame.nr;
	return 0;
}

/* damo's hottest area of the guide (a pass of its own when the guide's
 * pass could not sum the areas' heats). */
static int hottest_range(struct dt_heat_job *j, char *err, size_t errlen)
{
	const struct dt_heat_guide *gd = j->gd;
	size_t h = 0;
	if (gd->nr_areas > 1) {
		if (!gd->heats_known) {
			int ret = run_pass(j, heat_item, &j->guides, err, errlen);
			if (ret)
				return ret;
		}
		h = dt_heat_guide_hottest(gd);
	}
	j->ranges[0][0] = gd->areas[h].start;
	j->ranges[0][1] = gd->areas[h].end;
	j->nr_ranges = 1;
	return 0;
}

/* The guide's areas that 'guided' address bases name, as damo's
 * get_guided_address_ranges(): every area with draw ALL, else the
 * hottest. */
static int guided_ranges(struct dt_heat_job *j, uint64_t (*out)[2], size_t *nr, char *err,
			 size_t errlen)
{
	const struct dt_heat_guide *gd = j->gd;

	*nr = 0;
	if (j->o->draw != DT_HEAT_DRAW_ALL) {
		int ret = hottest_range(j, err, errlen);
		if (ret)
			return ret;
		memcpy(out[0], j->ranges[0], sizeof(out[0]));
		*nr = 1;
		j->nr_ranges = 0;
		return 0;
	}
	for (size_t k = 0; k < gd->nr_areas && *nr < DT_HEAT_JOB_MAX_RANGES; k++) {
		out[*nr][0] = gd->areas[k].start;
		out[*nr][1] = gd->areas[k].end;
		(*nr)++;
	}
	return 0;
}

/* The address ranges given, bases resolved against the guide's areas. */
static int given_ranges(struct dt_heat_job *j, char *err, size_t errlen)
{
	const struct dt_heat_job_opts *o = j->o;
	uint64_t guided[DT_HEAT_JOB_MAX_RANGES][2];
	size_t nr_guided = 0;
	int ret;

	if (j->gd && (ret = guided_ranges(j, guided, &nr_guided, err, errlen)))
		return ret;
	for (size_t i = 0; i < o->nr_addr; i++) {
		ret = dt_address_range_resolve(&o->addr[i], i < nr_guided ? guided[i] : NULL,
					       j->ranges[i], err, errlen);
		if (ret)
			return ret;
	}
	j->nr_ranges = o->nr_addr;
	return 0;
}

/* The address ranges to draw: the ones given, or by draw. */
static int choose_ranges(struct dt_heat_job *j, char *err, size_t errlen)
{
	const struct dt_heat_job_opts *o = j->o;
	const struct dt_heat_guide *gd = j->gd;

	if (o->nr_addr) {
		return given_ranges(j, err, errlen);
	} else if (o->draw == DT_HEAT_DRAW_WORKED) {
		int ret = worked_ranges(j, err, errlen);
		if (ret)
			return ret < 0 ? ret : hottest_range(j, err, errlen);
	} else if (o->draw == DT_HEAT_DRAW_HOTTEST) {
		return hottest_range(j, err, errlen);
	} else if (o->draw == DT_HEAT_DRAW_ALL) {
		for (size_t k = 0; k < gd->nr_areas && j->nr_ranges < DT_HEAT_JOB_MAX_RANGES; k++) {
			j->ranges[j->nr_ranges][0] = gd->areas[k].start;
			j->ranges[j->nr_ranges][1] = gd->areas[k].end;
			j->nr_ranges++;
		}
	} else {
		j->pieces = calloc(gd->nr_areas, sizeof(*j->pieces));
		if (!j->pieces) {
			snprintf(err, errlen, "out of memory");
			return -ENOMEM;
		}
		for (size_t k = 0; k < gd->nr_areas; k++)
			j->pieces[k] = (struct dt_heat_piece){ gd->areas[k].start, gd->areas[k].end };
		j->nr_pieces = gd->nr_areas;
		j->nr_ranges = 1;
	}
	return 0;
}

/* The time range: the one given (base resolved), or the guide's span. */
static int choose_time(struct dt_heat_job *j, char *err, size_t errlen)
{
	struct dt_damo_num gs = { 0 }, ge = { 0 };

	if (j->gd)
		dt_heat_guide_span(j->gd, &gs, &ge);
	if (!j->o->time) {
		j->t_range[0] = gs;
		j->t_range[1] = ge;
		return 0;
	}
	return dt_time_range_resolve(j->o->time, &gs, &ge, j->t_range, err, errlen);
}

/* One empty grid per range, over the time range. */
static int make_grids(struct dt_heat_job *j, char *err, size_t errlen)
{
	const struct dt_heat_job_opts *o = j->o;
	const struct dt_heat_guide *gd = j->gd;
	struct dt_heat_piece *pieces = j->pieces;
	int64_t t_start = dt_damo_num_trunc(&j->t_range[0]);
	int64_t t_end = dt_damo_num_trunc(&j->t_range[1]);
	int t_float = j->t_range[0].is_float || j->t_range[1].is_float;

	j->grids = calloc(j->nr_ranges, sizeof(*j->grids));
	if (!j->grids) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	for (size_t i = 0; i < j->nr_ranges; i++) {
		struct dt_heat_grid *g = &j->grids[i];
		int ret = dt_heat_grid_init(g, t_start, t_end, o->t_resol,
					    pieces ? 0 : j->ranges[i][0], pieces ? 1 : j->ranges[i][1],
					    o->a_resol, pieces, j->nr_pieces, err, errlen);
		if (ret)
			return ret;
		j->nr_grids++;
		g->df_passed = o->df_passed;
		if (t_float)
			dt_heat_grid_set_float_time(g, dt_damo_num_f(&j->t_range[0]),
						    dt_damo_num_f(&j->t_range[1]));
		if (gd)
			dt_heat_grid_set_target(g, gd->target.kdamond, gd->target.context,
						gd->target.target);
	}
	return 0;
}

int dt_heat_job_run(struct dt_heat_job *j, const struct dt_heat_job_opts *o, char *err,
		    size_t errlen)
{
	*j = (struct dt_heat_job){ .o = o, .spool = { .fd = -1 } };
	if (o->nr_addr > DT_HEAT_JOB_MAX_RANGES)
		return dt_fail(err, errlen, -EINVAL, "at most %d address ranges",
			       DT_HEAT_JOB_MAX_RANGES);
	int ret = dt_input_spool(&j->spool, o->input, err, errlen);
	if (ret)
		return ret;
	j->in_opts.name = j->spool.name;
	if (needs_guide(o))
		ret = find_guide(j, err, errlen);
	if (!ret && !o->guide_only)
		ret = choose_ranges(j, err, errlen);
	if (!ret && !o->guide_only)
		ret = choose_time(j, err, errlen);
	if (!ret && !o->guide_only && (ret = make_grids(j, err, errlen))) {
		char why[256]; /* the grid's refusal, then the file it is about */
		snprintf(why, sizeof(why), "%s", err);
		dt_fail(err, errlen, ret, "%s: %s", j->spool.name, why);
	}
	if (!ret && !o->guide_only)
		ret = run_pass(j, grid_item, j, err, errlen);
	dt_input_spool_release(&j->spool);
	j->o = NULL;
	return ret;
}

void dt_heat_job_free(struct dt_heat_job *j)
{
	for (size_t i = 0; i < j->nr_grids; i++)
		dt_heat_grid_free(&j->grids[i]);
	free(j->grids);
	dt_targets_free(&j->targets);
	dt_heat_sorter_free(&j->sorter);
	free(j->pieces);
	dt_frame_free(&j->frame);
	dt_framer_free(j->framer);
	dt_heat_guides_free(&j->guides);
	dt_maps_copy_free(&j->maps);
	dt_input_spool_release(&j->spool);
	*j = (struct dt_heat_job){ .spool = { .fd = -1 } };
}
