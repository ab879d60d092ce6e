/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * heatmap.h - damo's access heatmap (`damo report heatmap`), computed while
 * the snapshots stream by: the guide that picks the ranges, the grid of
 * heats, and damo's raw and terminal texts.
 *
 * Guide (one pass): per target, the time span (first snapshot's start,
 * moved back by its oldest region's age when intervals are known, to the
 * last snapshot's end), the lowest and highest address, and the gaps
 * between regions as damo narrows them snapshot by snapshot.  The gaps cut
 * [lowest, highest) into contiguous areas; each area's heat is the sum of
 * size * nr_accesses of the regions touching it (closed intervals), which
 * picks the hottest.  The areas are known only at the end, so the same
 * pass also keeps the union of all regions seen, as a few disjoint spans
 * each with its regions' heat: when every span lies inside one area and
 * touches no other, the areas' heats are the sums of their spans'.  When
 * not (a snapshot whose regions cover a whole final gap, unsorted regions,
 * too many spans), a second pass over the record sums them region by
 * region.
 *
 * Grid (one more pass): resol_t x resol_a cells, time_unit =
 * (t_end - t_start) / resol_t and addr_unit = (a_end - a_start) / resol_a
 * (integer division).  Each region of each snapshot adds
 * value * overlap_time * overlap_bytes / (time_unit * addr_unit) to every
 * cell it touches, where value is nr_accesses in Hz when the aggregation
 * interval is known (samples otherwise) and the region counts as observed
 * since its snapshot's start moved back by its age.  As damo does, the
 * time cells a region touches start at that observed start clamped to the
 * previous snapshot's end, while the time overlap with the first of them
 * is measured from the unclamped observed start.  Cells nothing touched
 * are NaN.  Memory is the grid; snapshots are never kept.
 */
#ifndef DT_HEATMAP_H
#define DT_HEATMAP_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "dtr.h"
#include "report.h"
#include "units.h"

/* ------------------------------------------------------------------ guide */

struct dt_heat_area {
	uint64_t start, end;
	int has_heat;
	unsigned __int128 heat;  /* sum of size * nr_accesses; 0 when none */
};

/* Part of the union of the regions seen: [start, end] (closed, as damo
 * compares regions with areas) and the heat of the regions inside it. */
struct dt_heat_span {
	uint64_t start, end;
	int has_heat;
	unsigned __int128 heat;
};

/* More spans than this and the heats are left to a second pass: merging
 * a snapshot into the spans costs about as much as decoding its regions
 * at this many (DAMON's regions cover a few areas: a handful of spans). */
#define DT_HEAT_MAX_SPANS 1024

struct dt_heat_guide {
	struct dt_target_info target;
	int started;
	int64_t start_ns, end_ns;
	uint64_t lowest, highest;  /* valid once has_range */
	int has_range;             /* a region was seen (address 0 is an address) */
	size_t nr_gaps, cap_gaps;
	uint64_t (*gaps)[2];
	size_t nr_areas;
	struct dt_heat_area *areas; /* filled by dt_heat_guides_finish */
	int areas_sorted;           /* ordered by address, disjoint */
	/* union of the regions seen, sorted, neither overlapping nor touching */
	size_t nr_spans, cap_spans;
	struct dt_heat_span *spans;
	int spans_lost;             /* unsorted regions or too many spans */
	int heats_known;            /* areas[].heat filled by dt_heat_guides_finish */
	/* damo reads perf script times as floats and estimates the first
	 * snapshot's start in floats: start_f is that start (float_start). */
	uint64_t nr_snapshots, first_end_ns;
	int first_estimated, float_start;
	double start_f;
};

struct dt_heat_guides {
	struct dt_targets targets;
	size_t nr, cap;
	struct dt_heat_guide *v;  /* by target index until finish; then sorted
				   * by total area size, largest first */
	int finished;
	size_t nr_scratch;
	uint64_t (*scratch)[2];
	size_t cap_runs, cap_merged;  /* one snapshot's spans, and the merge */
	struct dt_heat_span *runs, *merged;
	int no_indices;  /* a damo record without kdamond_idx/context_idx */
	int text_times;  /* perf script or tracefs text: damo's float times */
};

/* Pass one: feed every item.  0 or -ENOMEM. */
int dt_heat_guides_add(struct dt_heat_guides *g, const struct dtr_item *item,
		       char *err, size_t errlen);
/* Cut areas and sort the guides as damo does; fill the areas' heats
 * where the spans allow it (heats_known). */
int dt_heat_guides_finish(struct dt_heat_guides *g, char *err, size_t errlen);
/* damo's --guide text (human: --guide_human's numbers).  The
 * kdamond_idx/context_idx lines are left out for damo records that do
 * not have them (damo's own records, perf script text), as damo does. */
int dt_heat_guides_print(FILE *out, const struct dt_heat_guides *g, int human);
/* The guides of several inputs (each finished), ordered as damo's
 * get_guide_info() orders the guides of several record files: by total
 * space, largest first, ties in input order.  *refs is malloc'ed (the
 * caller frees it).  0 or -ENOMEM. */
struct dt_heat_guide_ref {
	size_t input;                    /* index into gs */
	const struct dt_heat_guide *gd;
};
int dt_heat_guides_merge(const struct dt_heat_guides *const *gs, size_t n,
			 struct dt_heat_guide_ref **refs, size_t *nr);
/* dt_heat_guides_print() of several inputs' guides in that order. */
int dt_heat_guides_print_many(FILE *out, const struct dt_heat_guides *const *gs, size_t n,
			      int human);
/* The guide's time span as damo holds it: integers, or floats for the
 * start estimated from perf script text (float_start). */
void dt_heat_guide_span(const struct dt_heat_guide *gd, struct dt_damo_num *start,
			struct dt_damo_num *end);
/* Pass two, needed only for a guide whose heats are not known after
 * finish: feed every item again.  Guides with known heats are left as
 * they are. */
int dt_heat_guides_add_heat(struct dt_heat_guides *g, const struct dtr_item *item);
/* Index in guide->areas of the hottest area (heat per byte; first of ties). */
size_t dt_heat_guide_hottest(const struct dt_heat_guide *guide);
/* The guide of a snapshot's target, or NULL. */
const struct dt_heat_guide *dt_heat_guides_of(const struct dt_heat_guides *g,
					      uint32_t kdamond, uint32_t context,
					      uint32_t target);
void dt_heat_guides_free(struct dt_heat_guides *g);

/* ------------------------------------------------------------------- grid */

/* Pieces of address space shown side by side on one axis (--draw_range
 * mapped): each piece [start, end) gets its own band of address cells,
 * placed after the previous one; bands are sized by the piece's size but
 * never thinner than a_resol / (4 * nr_pieces) cells, so that small areas
 * (the stack) stay visible.  Each band has its own bytes per cell. */
struct dt_heat_piece {
	uint64_t start, end;
};

struct dt_heat_grid {
	int64_t t_start;
	uint64_t t_unit;
	size_t t_resol;
	uint64_t a_start;          /* on the grid's axis (0 for pieces) */
	uint64_t a_unit;
	size_t a_resol;
	double *cells;             /* [i * a_resol + j], i: time, j: address */
	int value_hz;              /* set when any value was in Hz */
	/* target filter and its state */
	uint32_t kdamond, context, target;
	int has_last;
	int64_t last_end_ns;
	size_t nr_pieces;
	struct dt_heat_piece *pieces; /* NULL: a_start..a_end directly */
	size_t *piece_row;            /* first address cell of each piece */
	size_t *piece_rows;           /* address cells of each piece */
	uint64_t *piece_unit;         /* bytes per cell of each piece */
	double area;                 /* t_unit * a_unit */
	struct dt_targets targets;
	int df_passed;               /* damo's --df_passed: heat scaled by the
				      * filter-passed share (none recorded: 0) */
	int t_float;                 /* the time range is damo floats: */
	double t_start_f, t_unit_f;  /* the start and unit as damo holds them */
};

/* t_end/a_end exclusive; units are (end - start) / resol (integer
 * division) and must not be 0.  `pieces` (copied) switches the address
 * axis to the pieces laid side by side (a_start/a_end are then ignored,
 * a_start is 0 and a_unit 1: the axis counts cells). */
int dt_heat_grid_init(struct dt_heat_grid *g, int64_t t_start, int64_t t_end,
		      size_t t_resol, uint64_t a_start, uint64_t a_end,
		      size_t a_resol, const struct dt_heat_piece *pieces,
		      size_t nr_pieces, char *err, size_t errlen);
/* The time range as damo's floats (a fractional --time_range, or a perf
 * script start): only the texts change (raw time column and captions);
 * t_start stays the truncated start the cells are computed from. */
void dt_heat_grid_set_float_time(struct dt_heat_grid *g, double start, double end);
/* Only snapshots of this target count. */
void dt_heat_grid_set_target(struct dt_heat_grid *g, uint32_t kdamond,
			     uint32_t context, uint32_t target);
/* Feed every item (INTERVALS give the aggregation interval). */
int dt_heat_grid_add(struct dt_heat_grid *g, const struct dtr_item *item);
/* One snapshot with an explicit aggregation interval (0: unknown). */
void dt_heat_grid_add_snapshot(struct dt_heat_grid *g, const struct dtr_snapshot *s,
			       uint64_t aggr_us);
void dt_heat_grid_free(struct dt_heat_grid *g);

/* Lowest and highest non-NaN cell; returns 0 when every cell is NaN. */
int dt_heat_grid_minmax(const struct dt_heat_grid *g, double *lo, double *hi);

/* damo's raw text: "time\taddr\theat" per cell, relative to the range
 * start unless abs_time / abs_addr; heat as Python prints it, NaN as "NaN".
 * With float times, relative times print as Python floats ("0.0"). */
int dt_heat_grid_print_raw(FILE *out, const struct dt_heat_grid *g, int abs_time,
			   int abs_addr);
/* damo's terminal heatmap: one character per cell (a digit 0-9 on a
 * 256-colour background), then damo 3.3's caption lines
 * ("# access_frequency: ... (0.000-444.596 hz)", "# x-axis: space [..)",
 * "# y-axis: time [..)", "# resolution: ...").  colorset: "gray", "flame"
 * or "emotion"; color 0 leaves the colour codes out. */
int dt_heat_grid_print_ascii(FILE *out, const struct dt_heat_grid *g,
			     const char *colorset, int print_colorset, int color);
int dt_heat_colorset_valid(const char *name);



/* ------------------------------------------------------------ area names */

/* The latest memory maps of a process, kept from DTR_ITEM_MAPS items. */
struct dt_maps_copy {
	int32_t pid;
	size_t nr, cap;
	struct dt_map_entry_copy {
		uint64_t start, end;
		char *path;
	} *entries;
};
/* Keep `maps` when it is of `pid` (or pid < 0: any) and not empty (a
 * process that exited has no maps; the last ones it had stay).  0 or
 * -ENOMEM. */
int dt_maps_copy_note(struct dt_maps_copy *m, const struct dtr_maps *maps, int64_t pid);
void dt_maps_copy_free(struct dt_maps_copy *m);
/* A short name for [start, end) from the maps: "heap", "stack", a file's
 * base name, "anon", the name covering most of the range; "" when no map
 * overlaps it. */
char *dt_maps_name_range(char *buf, size_t len, const struct dt_maps_copy *m,
			 uint64_t start, uint64_t end);

#endif /* DT_HEATMAP_H */
