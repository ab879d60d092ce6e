/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * heat_job.h - damo-heatmap's passes over one record: the guide (damo's
 * `report heatmap --guide`), the target and the address and time ranges
 * it picks, and one heatmap grid per range (heatmap.h).
 *
 * The input is spooled first (input.h: dt_input_spool), so standard input
 * ("-") is read once however many passes follow.  Passes: the guide, when
 * the ranges need it (guide_only, no --time_range or --address_range, or
 * a "guided" base); the areas' heats, only for damo's hottest area when
 * the guide's pass could not sum them; the grids.  With draw WORKED the
 * guide's pass also frames the memory the program worked on (framing.h).
 *
 * Memory: the guide, the grids and the framing's areas; never the
 * snapshots.  Functions return 0 or a negative errno and write one line
 * naming the input into err.
 */
#ifndef DT_HEAT_JOB_H
#define DT_HEAT_JOB_H

#include <stddef.h>
#include <stdint.h>

#include "framing.h"
#include "heat_sort.h"
#include "heatmap.h"
#include "input.h"
#include "units.h"

/* Address ranges drawn at most: one grid each. */
#define DT_HEAT_JOB_MAX_RANGES 64

/* What the address axis shows when no address range is given. */
enum dt_heat_draw {
	DT_HEAT_DRAW_HOTTEST = 1, /* damo's hottest area of the guide */
	DT_HEAT_DRAW_ALL,         /* every area of the guide, one grid each */
	DT_HEAT_DRAW_MAPPED,      /* every area in one grid, the gaps collapsed */
	DT_HEAT_DRAW_WORKED,      /* the memory the program worked on, the rest
				   * collapsed (the hottest when none was accessed) */
};

/* Progress: pass (1, 2, ...) and the snapshots it read so far, called
 * every 1024 snapshots. */
typedef void (*dt_heat_job_progress_fn)(void *ctx, int pass, uint64_t snapshots);

struct dt_heat_job_opts {
	const char *input;             /* a path, or "-": standard input */
	int guide_only;                /* run the guide's pass only (--guide) */
	size_t t_resol, a_resol;       /* cells on the time and address axes */
	const struct dt_time_range *time;    /* NULL: the guide's span */
	const struct dt_address_range *addr; /* nr_addr ranges, one grid each */
	size_t nr_addr;                /* at most DT_HEAT_JOB_MAX_RANGES */
	enum dt_heat_draw draw;        /* when nr_addr is 0 */
	/* damo's complete_src_args(): the target, each part defaulting to
	 * the first guide's */
	int has_tid, has_kdamond, has_context;
	uint64_t tid;
	uint32_t kdamond_idx, context_idx;
	int df_passed;                 /* heat of the filter-passed part only */
	int sort_temperature;          /* regions laid out by temperature */
	double temperature_weights[2]; /* access rate, age */
	dt_heat_job_progress_fn progress; /* NULL: none */
	void *progress_ctx;
};

struct dt_heat_job {
	struct dt_heat_guides guides;    /* when the guide's pass ran */
	const struct dt_heat_guide *gd;  /* the target's guide; NULL: not needed */
	struct dt_maps_copy maps;        /* the last maps read, to name areas */
	struct dt_frame frame;           /* draw WORKED: its areas and names */
	size_t nr_grids;
	struct dt_heat_grid *grids;      /* one per address range drawn */
	/* private */
	const struct dt_heat_job_opts *o;
	struct dt_input_spool spool;
	struct dt_input_opts in_opts;
	int pass;
	struct dt_framer *framer;
	struct dt_damo_num t_range[2];
	uint64_t ranges[DT_HEAT_JOB_MAX_RANGES][2];
	size_t nr_ranges;
	struct dt_heat_piece *pieces;    /* MAPPED, WORKED: the one grid's areas */
	size_t nr_pieces;
	struct dt_targets targets;       /* sort_temperature */
	struct dt_heat_sorter sorter;
};

/* Runs the passes of `o` (kept by pointer until it returns) into *j,
 * which it zeroes first.  With guide_only, stops after the guide (print
 * j->guides with dt_heat_guides_print).  Fails with -ENOENT when no
 * snapshot or no target matches.  Free *j with dt_heat_job_free in every
 * case. */
int dt_heat_job_run(struct dt_heat_job *j, const struct dt_heat_job_opts *o, char *err,
		    size_t errlen);
void dt_heat_job_free(struct dt_heat_job *j);

#endif /* DT_HEAT_JOB_H */
