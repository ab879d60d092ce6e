/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * density.h - an access-density profile of an address space: a step
 * function kept as sorted, disjoint spans, each with its value per byte.
 * Snapshots' regions are added to it as runs (merge of two sorted lists,
 * linear); when it holds more than a bound, neighbouring spans are merged
 * where that changes it least (squared error per byte, the gap between
 * them counting as zero; mass kept), the cheaper half of the pairs at a
 * time, until it is back under a lower bound.
 *
 * The one owner of "which memory was worked on" as a profile: the
 * heatmap framing (framing.h) and the segmentation's first pass
 * (segment.h) build theirs with it, each with its own weights and its own
 * reading of the areas (docs/PHASES.md, "Worked-on areas").
 *
 * Functions return 0 or -ENOMEM.
 */
#ifndef DT_DENSITY_H
#define DT_DENSITY_H

#include <stddef.h>
#include <stdint.h>

struct dt_dspan {
	uint64_t start, end;
	double h;                 /* value per byte (a caller may store a mass) */
};

struct dt_density {
	size_t nr, cap;
	struct dt_dspan *v;       /* sorted by start, disjoint */
};

/* Work arrays of dt_density_add, kept from one call to the next. */
struct dt_density_scratch {
	size_t cap_runs, cap_out;
	struct dt_dspan *runs;    /* the caller's runs to add */
	struct dt_dspan *out;
};

/* Room for n runs in s->runs. */
int dt_density_reserve_runs(struct dt_density_scratch *s, size_t n);
/* Sort the n runs of s->runs by start and make them disjoint (where two
 * overlap, the first by start keeps the bytes); returns how many remain. */
size_t dt_density_sort_runs(struct dt_density_scratch *s, size_t n);
/* Add s->runs[0..n) (sorted, disjoint) to p; then, when p holds more than
 * max spans, merge neighbours until it holds at most low (low < max). */
int dt_density_add(struct dt_density *p, struct dt_density_scratch *s, size_t n, size_t max,
		   size_t low);
void dt_density_free(struct dt_density *p);
void dt_density_scratch_free(struct dt_density_scratch *s);

#endif /* DT_DENSITY_H */
