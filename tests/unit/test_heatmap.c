// SPDX-License-Identifier: GPL-2.0-only
/* damo's heatmap grid, guide and texts, on snapshots built in memory,
 * checked cell by cell; Python float printing. */
#define _GNU_SOURCE
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "heatmap.h"
#include "pyfloat.h"

#define MiB (UINT64_C(1) << 20)
#define MS UINT64_C(1000000)

static struct dtr_snapshot snap(uint64_t start_ms, uint64_t end_ms,
				const struct dtr_region *r, size_t n)
{
	return (struct dtr_snapshot){ .start_ns = start_ms * MS, .end_ns = end_ms * MS,
				      .access_unit = DTR_UNIT_SAMPLES,
				      .age_unit = DTR_UNIT_AGGREGATIONS,
				      .nr_regions = n, .regions = r };
}

static double cell(const struct dt_heat_grid *g, size_t t, size_t a)
{
	return g->cells[t * g->a_resol + a];
}

static void expect_row(const struct dt_heat_grid *g, size_t t, const double *want)
{
	for (size_t a = 0; a < g->a_resol; a++) {
		double v = cell(g, t, a);
		if (isnan(want[a]))
			ck_assert_msg(isnan(v), "cell (%zu, %zu) is %g, expected NaN", t, a, v);
		else
			ck_assert_msg(fabs(v - want[a]) <= 1e-12 * (1 + fabs(want[a])),
				      "cell (%zu, %zu) is %g, expected %g", t, a, v, want[a]);
	}
}

/* 10 x 10 cells of 100 ms x 1 MiB; heats in samples (no intervals). */
START_TEST(grid_known_hot_cells)
{
	struct dt_heat_grid g;
	char err[128];
	const struct dtr_region r1[] = { { 2 * MiB, 4 * MiB, 5, 0 }, { 4 * MiB, 10 * MiB, 0, 0 } };
	const struct dtr_region r2[] = { { MiB / 2, MiB, 10, 0 } };
	const double N = NAN;

	ck_assert_int_eq(dt_heat_grid_init(&g, 0, 1000 * MS, 10, 0, 10 * MiB, 10, NULL, 0,
					   err, sizeof(err)), 0);
	struct dtr_snapshot s1 = snap(0, 100, r1, 2), s2 = snap(100, 200, r2, 1);
	dt_heat_grid_add_snapshot(&g, &s1, 0);
	dt_heat_grid_add_snapshot(&g, &s2, 0);
	ck_assert_int_eq(g.value_hz, 0);
	/* Cells at a region's or snapshot's exact end are touched with zero
	 * overlap: 0.0, not NaN, as damo. */
	expect_row(&g, 0, (double[]){ N, N, 5, 5, 0, 0, 0, 0, 0, 0 });
	expect_row(&g, 1, (double[]){ 5, 0, 0, 0, 0, 0, 0, 0, 0, 0 });
	expect_row(&g, 2, (double[]){ 0, 0, N, N, N, N, N, N, N, N });
	for (size_t t = 3; t < 10; t++)
		expect_row(&g, t, (double[]){ N, N, N, N, N, N, N, N, N, N });
	double lo, hi;
	ck_assert_int_eq(dt_heat_grid_minmax(&g, &lo, &hi), 1);
	ck_assert(lo == 0 && hi == 5);
	dt_heat_grid_free(&g);
}
END_TEST

/* With intervals: heat in Hz, regions observed since start - age * aggr,
 * cells from the previous snapshot's end on, the first cell's overlap
 * measured from the unclamped start. */
START_TEST(grid_hz_and_age)
{
	struct dt_heat_grid g;
	char err[128];
	const struct dtr_region ra[] = { { 0, MiB, 0, 0 } };
	const struct dtr_region rb[] = { { 5 * MiB, 6 * MiB, 2, 2 } };
	const double N = NAN;

	ck_assert_int_eq(dt_heat_grid_init(&g, 0, 1000 * MS, 10, 0, 10 * MiB, 10, NULL, 0,
					   err, sizeof(err)), 0);
	struct dtr_snapshot a = snap(100, 200, ra, 1), b = snap(300, 400, rb, 1);
	dt_heat_grid_add_snapshot(&g, &a, 100000);
	dt_heat_grid_add_snapshot(&g, &b, 100000);
	ck_assert_int_eq(g.value_hz, 1);
	expect_row(&g, 1, (double[]){ 0, 0, N, N, N, N, N, N, N, N });
	expect_row(&g, 2, (double[]){ 0, 0, N, N, N, 20, 0, N, N, N });
	expect_row(&g, 3, (double[]){ N, N, N, N, N, 20, 0, N, N, N });
	expect_row(&g, 4, (double[]){ N, N, N, N, N, 0, 0, N, N, N });
	dt_heat_grid_free(&g);
}
END_TEST

START_TEST(grid_rejects_ranges_smaller_than_resolution)
{
	struct dt_heat_grid g;
	char err[160];
	ck_assert_int_lt(dt_heat_grid_init(&g, 0, 5, 10, 0, 10 * MiB, 10, NULL, 0, err,
					   sizeof(err)), 0);
	ck_assert_ptr_nonnull(strstr(err, "time range"));
	ck_assert_int_lt(dt_heat_grid_init(&g, 0, 1000, 10, 0, 5, 10, NULL, 0, err,
					   sizeof(err)), 0);
	ck_assert_ptr_nonnull(strstr(err, "address range"));
}
END_TEST

/* Pieces side by side: a region in the second piece lands in its band. */
START_TEST(grid_pieces_collapse_gaps)
{
	struct dt_heat_grid g;
	char err[128];
	const struct dt_heat_piece pieces[] = { { 0, 4 * MiB }, { 100 * MiB, 104 * MiB } };
	const struct dtr_region r[] = { { 101 * MiB, 102 * MiB, 4, 0 } };

	ck_assert_int_eq(dt_heat_grid_init(&g, 0, 100 * MS, 1, 0, 0, 8, pieces, 2, err,
					   sizeof(err)), 0);
	ck_assert_uint_eq(g.piece_row[1], 4);
	ck_assert_uint_eq(g.piece_unit[1], MiB);
	struct dtr_snapshot s = snap(0, 100, r, 1);
	dt_heat_grid_add_snapshot(&g, &s, 0);
	for (size_t a = 0; a < 8; a++) {
		double v = cell(&g, 0, a);
		if (a == 5)
			ck_assert(v == 4);
		else if (a == 6)
			ck_assert(v == 0);
		else
			ck_assert(isnan(v));
	}
	dt_heat_grid_free(&g);
}
END_TEST

static char *print_raw(const struct dt_heat_grid *g)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(dt_heat_grid_print_raw(f, g, 0, 0), 0);
	fclose(f);
	return buf;
}

START_TEST(raw_text_is_damos)
{
	struct dt_heat_grid g;
	char err[128];
	const struct dtr_region r[] = { { 1000, 1300, 3, 0 } };

	ck_assert_int_eq(dt_heat_grid_init(&g, 1000, 1300, 3, 1000, 1200, 2, NULL, 0, err,
					   sizeof(err)), 0);
	struct dtr_snapshot s = { .start_ns = 1000, .end_ns = 1150, .nr_regions = 1, .regions = r };
	dt_heat_grid_add_snapshot(&g, &s, 0);
	char *text = print_raw(&g);
	ck_assert_str_eq(text, "0\t0\t3.0\n0\t100\t3.0\n"
			       "100\t0\t1.5\n100\t100\t1.5\n"
			       "200\t0\tNaN\n200\t100\tNaN\n");
	free(text);
	dt_heat_grid_free(&g);
}
END_TEST

START_TEST(guide_areas_and_hottest)
{
	struct dt_heat_guides gs;
	char err[128], *buf = NULL;
	size_t len = 0;
	/* Two mapped areas with a gap that narrows in the second snapshot. */
	const struct dtr_region a[] = { { 1 * MiB, 2 * MiB, 0, 0 }, { 10 * MiB, 11 * MiB, 1, 0 } };
	const struct dtr_region b[] = { { 1 * MiB, 3 * MiB, 0, 0 }, { 9 * MiB, 11 * MiB, 8, 0 } };
	struct dtr_item it = { .type = DTR_ITEM_SNAPSHOT };

	memset(&gs, 0, sizeof(gs));
	it.u.snapshot = snap(100, 200, a, 2);
	ck_assert_int_eq(dt_heat_guides_add(&gs, &it, err, sizeof(err)), 0);
	it.u.snapshot = snap(200, 300, b, 2);
	ck_assert_int_eq(dt_heat_guides_add(&gs, &it, err, sizeof(err)), 0);
	ck_assert_int_eq(dt_heat_guides_finish(&gs, err, sizeof(err)), 0);
	ck_assert_uint_eq(gs.nr, 1);
	const struct dt_heat_guide *gd = &gs.v[0];
	ck_assert_uint_eq(gd->nr_areas, 2);
	ck_assert_uint_eq(gd->areas[0].start, 1 * MiB);
	ck_assert_uint_eq(gd->areas[0].end, 3 * MiB);
	ck_assert_uint_eq(gd->areas[1].start, 9 * MiB);
	ck_assert_uint_eq(gd->areas[1].end, 11 * MiB);

	/* Each region lies in one area: the guide's pass found the heats. */
	ck_assert_int_eq(gd->heats_known, 1);
	ck_assert(gd->areas[0].heat == 0 && gd->areas[0].has_heat == 0);
	ck_assert(gd->areas[1].heat == 1 * MiB * 1 + 2 * MiB * 8);
	ck_assert_int_eq(gd->areas[1].has_heat, 1);
	/* and the second pass leaves them as they are */
	it.u.snapshot = snap(100, 200, a, 2);
	dt_heat_guides_add_heat(&gs, &it);
	it.u.snapshot = snap(200, 300, b, 2);
	dt_heat_guides_add_heat(&gs, &it);
	ck_assert(gd->areas[1].heat == 1 * MiB * 1 + 2 * MiB * 8);
	ck_assert_uint_eq(dt_heat_guide_hottest(gd), 1);

	FILE *f = open_memstream(&buf, &len);
	ck_assert_int_eq(dt_heat_guides_print(f, &gs, 0), 0);
	fclose(f);
	/* a damotrace record knows its kdamond and context: damo prints them */
	ck_assert_str_eq(buf, "kdamond_idx: 0\ncontext_idx: 0\n"
			      "target_id: 0\n"
			      "time: [100000000, 300000000) (200000000)\n"
			      "region\t 0: [1048576, 3145728) (2097152)\n"
			      "region\t 1: [9437184, 11534336) (2097152)\n");
	free(buf);
	/* --guide_human (damo says KiB up to exactly 1 MiB), and a damo record
	 * without indices */
	gs.no_indices = 1;
	f = open_memstream(&buf, &len);
	ck_assert_int_eq(dt_heat_guides_print(f, &gs, 1), 0);
	fclose(f);
	ck_assert_str_eq(buf, "target_id: 0\n"
			      "time: [100 ms, 300 ms) (200 ms)\n"
			      "region\t 0: [1024.000000 KiB, 3.000000 MiB) (2.000 MiB)\n"
			      "region\t 1: [9.000000 MiB, 11.000000 MiB) (2.000 MiB)\n");
	free(buf);
	dt_heat_guides_free(&gs);
}
END_TEST

/* A later snapshot whose regions cover the whole gap keeps the gap (damo
 * narrows a gap only by gaps that touch it): the covering region touches
 * both areas, which the spans cannot tell apart, so the heats are left to
 * the second pass, which counts that region in both. */
START_TEST(guide_heats_need_a_pass_when_a_region_spans_a_gap)
{
	struct dt_heat_guides gs;
	char err[128];
	const struct dtr_region a[] = { { 1 * MiB, 2 * MiB, 1, 0 }, { 4 * MiB, 5 * MiB, 3, 0 } };
	const struct dtr_region b[] = { { 1 * MiB, 5 * MiB, 2, 0 } };
	struct dtr_item it = { .type = DTR_ITEM_SNAPSHOT };

	memset(&gs, 0, sizeof(gs));
	it.u.snapshot = snap(100, 200, a, 2);
	ck_assert_int_eq(dt_heat_guides_add(&gs, &it, err, sizeof(err)), 0);
	it.u.snapshot = snap(200, 300, b, 1);
	ck_assert_int_eq(dt_heat_guides_add(&gs, &it, err, sizeof(err)), 0);
	ck_assert_int_eq(dt_heat_guides_finish(&gs, err, sizeof(err)), 0);
	const struct dt_heat_guide *gd = &gs.v[0];
	ck_assert_uint_eq(gd->nr_areas, 2);
	ck_assert_uint_eq(gd->areas[0].end, 2 * MiB);
	ck_assert_uint_eq(gd->areas[1].start, 4 * MiB);
	ck_assert_int_eq(gd->heats_known, 0);
	ck_assert(gd->areas[0].heat == 0 && gd->areas[1].heat == 0);
	it.u.snapshot = snap(100, 200, a, 2);
	dt_heat_guides_add_heat(&gs, &it);
	it.u.snapshot = snap(200, 300, b, 1);
	dt_heat_guides_add_heat(&gs, &it);
	ck_assert(gd->areas[0].heat == 1 * MiB * 1 + 4 * MiB * 2);
	ck_assert(gd->areas[1].heat == 1 * MiB * 3 + 4 * MiB * 2);
	ck_assert_int_eq(gd->areas[1].has_heat, 1);
	ck_assert_uint_eq(dt_heat_guide_hottest(gd), 1);
	dt_heat_guides_free(&gs);
}
END_TEST

/* Regions scattered so widely that their union has more spans than the
 * guide keeps: the heats are left to the second pass, which finds them. */
START_TEST(guide_heats_need_a_pass_past_the_span_limit)
{
	enum { N = DT_HEAT_MAX_SPANS + 10 };
	static struct dtr_region r[N];
	struct dt_heat_guides gs;
	struct dtr_item it = { .type = DTR_ITEM_SNAPSHOT };
	char err[128];

	for (size_t i = 0; i < N; i++)
		r[i] = (struct dtr_region){ (2 * i + 1) * MiB, (2 * i + 2) * MiB,
					    i == N / 2 ? 9 : 1, 0 };
	memset(&gs, 0, sizeof(gs));
	it.u.snapshot = snap(100, 200, r, N);
	ck_assert_int_eq(dt_heat_guides_add(&gs, &it, err, sizeof(err)), 0);
	ck_assert_int_eq(dt_heat_guides_finish(&gs, err, sizeof(err)), 0);
	const struct dt_heat_guide *gd = &gs.v[0];
	ck_assert_uint_eq(gd->nr_areas, N);
	ck_assert_int_eq(gd->heats_known, 0);
	dt_heat_guides_add_heat(&gs, &it);
	ck_assert_uint_eq(dt_heat_guide_hottest(gd), N / 2);
	ck_assert(gd->areas[0].heat == 1 * MiB);
	dt_heat_guides_free(&gs);

	/* as many spans as the limit: found in the first pass */
	memset(&gs, 0, sizeof(gs));
	it.u.snapshot = snap(100, 200, r, DT_HEAT_MAX_SPANS);
	ck_assert_int_eq(dt_heat_guides_add(&gs, &it, err, sizeof(err)), 0);
	ck_assert_int_eq(dt_heat_guides_finish(&gs, err, sizeof(err)), 0);
	ck_assert_int_eq(gs.v[0].heats_known, 1);
	ck_assert(gs.v[0].areas[DT_HEAT_MAX_SPANS - 1].heat == 1 * MiB);
	dt_heat_guides_free(&gs);
}
END_TEST

static uint64_t rnd_state;

static uint64_t rnd(uint64_t n)
{
	rnd_state = rnd_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (rnd_state >> 33) % n;
}

/* Regions of one snapshot on small addresses, so that touching regions,
 * zero-width gaps, empty regions and regions at address 0 are common:
 * three blocks with jittered edges, cut into pieces with a few small holes,
 * sometimes joined across a gap; rarely two regions out of order or one
 * reversed (inputs other than records may have them). */
static size_t random_regions(struct dtr_region *r)
{
	static const uint64_t blocks[3][2] = { { 0, 40 }, { 60, 100 }, { 130, 190 } };
	size_t n = 0;
	uint64_t at = 0;

	for (int b = 0; b < 3; b++) {
		uint64_t start = blocks[b][0] + rnd(8), end = blocks[b][1] - rnd(8);
		if (b && rnd(30) == 0)
			start = at; /* join the previous block across the gap */
		if (start < at)
			start = at;
		if (rnd(10) == 0)
			continue; /* block left out */
		uint64_t pos = start;
		while (pos < end) {
			uint64_t len = rnd(4) == 0 ? 0 : 1 + rnd(12);
			uint64_t e = pos + len > end ? end : pos + len;
			r[n++] = (struct dtr_region){ pos, e, (uint32_t)rnd(3), 0 };
			pos = e + (rnd(40) == 0 ? 1 + rnd(2) : 0);
		}
		at = pos;
	}
	if (n > 2 && rnd(40) == 0) {
		size_t i = rnd(n - 1);
		struct dtr_region t = r[i];
		r[i] = r[i + 1];
		r[i + 1] = t;
	}
	if (n && rnd(60) == 0) {
		size_t i = rnd(n);
		uint64_t t = r[i].start;
		r[i].start = r[i].end;
		r[i].end = t;
	}
	return n;
}

/* The heats the guide's pass finds from its spans are the region-by-region
 * sums (damo's: every accessed region adds size * accesses to every area it
 * touches, ends included), and the guide says when it cannot find them. */
START_TEST(guide_heats_from_spans_match_region_sums)
{
	enum { TRIALS = 3000, MAX_SNAPS = 5, MAX_REGIONS = 64 };
	static struct dtr_region regions[MAX_SNAPS][MAX_REGIONS];
	size_t nr[MAX_SNAPS];
	int known = 0, unknown = 0;
	char err[128];

	rnd_state = 42;
	for (int trial = 0; trial < TRIALS; trial++) {
		struct dt_heat_guides gs;
		struct dtr_item it = { .type = DTR_ITEM_SNAPSHOT };
		size_t nr_snaps = 1 + rnd(MAX_SNAPS);

		memset(&gs, 0, sizeof(gs));
		for (size_t k = 0; k < nr_snaps; k++) {
			nr[k] = random_regions(regions[k]);
			it.u.snapshot = snap(100 * k, 100 * (k + 1), regions[k], nr[k]);
			ck_assert_int_eq(dt_heat_guides_add(&gs, &it, err, sizeof(err)), 0);
		}
		ck_assert_int_eq(dt_heat_guides_finish(&gs, err, sizeof(err)), 0);
		if (!gs.nr)
			continue;
		struct dt_heat_guide *gd = &gs.v[0];
		if (gd->heats_known) {
			known++;
		} else {
			unknown++;
			for (size_t k = 0; k < nr_snaps; k++) {
				it.u.snapshot = snap(100 * k, 100 * (k + 1), regions[k], nr[k]);
				dt_heat_guides_add_heat(&gs, &it);
			}
		}
		for (size_t a = 0; a < gd->nr_areas; a++) {
			const struct dt_heat_area *area = &gd->areas[a];
			unsigned __int128 heat = 0;
			int has_heat = 0;
			for (size_t k = 0; k < nr_snaps; k++)
				for (size_t i = 0; i < nr[k]; i++) {
					const struct dtr_region *r = &regions[k][i];
					if (!r->nr_accesses || r->end < area->start || area->end < r->start)
						continue;
					heat += (unsigned __int128)(r->end - r->start) * r->nr_accesses;
					has_heat = 1;
				}
			ck_assert_msg(area->heat == heat && area->has_heat == has_heat,
				      "trial %d area %zu [%llu, %llu]: heat %llu (%d), expected %llu (%d), "
				      "heats %s", trial, a, (unsigned long long)area->start,
				      (unsigned long long)area->end, (unsigned long long)area->heat,
				      area->has_heat, (unsigned long long)heat, has_heat,
				      gd->heats_known ? "from spans" : "from the second pass");
		}
		dt_heat_guides_free(&gs);
	}
	/* both ways were taken, each often */
	ck_assert_int_gt(unknown, TRIALS / 10);
	ck_assert_int_gt(known, TRIALS / 4);
}
END_TEST

/* Hostile ages and intervals (issue 16, item 18): the oldest monitor time
 * saturates instead of wrapping.  1 aggregation of 10^16 us is 10^19 ns,
 * more than INT64_MAX: the signed subtraction used to turn that into a
 * start later than the snapshot's own. */
START_TEST(guide_hostile_age_saturates)
{
	struct dt_heat_guides gs;
	char err[128];
	const struct dtr_region r[] = { { MiB, 2 * MiB, 1, 1 } };
	struct dtr_item it = { .type = DTR_ITEM_INTERVALS };

	memset(&gs, 0, sizeof(gs));
	it.u.intervals = (struct dtr_intervals){ .sample_us = 5000,
						 .aggr_us = UINT64_C(10000000000000000) };
	ck_assert_int_eq(dt_heat_guides_add(&gs, &it, err, sizeof(err)), 0);
	it.type = DTR_ITEM_SNAPSHOT;
	it.u.snapshot = snap(10000, 10100, r, 1);
	ck_assert_int_eq(dt_heat_guides_add(&gs, &it, err, sizeof(err)), 0);
	ck_assert_int_eq(dt_heat_guides_finish(&gs, err, sizeof(err)), 0);
	ck_assert_int_le(gs.v[0].start_ns, (int64_t)(10000 * MS));
	ck_assert_int_eq(gs.v[0].start_ns, (int64_t)(10000 * MS) - INT64_MAX);
	dt_heat_guides_free(&gs);
}
END_TEST

/* A region observed since long before the grid (age x aggregation beyond
 * 2^63 ns) in a snapshot ending far past it (2^64 - 1 ns) covers every
 * time cell of its addresses once, with its rate: the offsets clip to the
 * grid instead of wrapping. */
START_TEST(grid_hostile_snapshot_clips)
{
	struct dt_heat_grid g;
	char err[128];
	const struct dtr_region r[] = { { 2 * MiB, 4 * MiB, 5, UINT32_MAX } };
	const double N = NAN;

	ck_assert_int_eq(dt_heat_grid_init(&g, 0, 1000 * MS, 4, 0, 8 * MiB, 4, NULL, 0,
					   err, sizeof(err)), 0);
	struct dtr_snapshot s = snap(100, 200, r, 1);
	s.start_ns = (uint64_t)INT64_MAX - 10;
	s.end_ns = UINT64_MAX;
	dt_heat_grid_add_snapshot(&g, &s, UINT64_C(1) << 40);
	double hz = 5 * 1e6 / (double)(UINT64_C(1) << 40);
	for (size_t t = 0; t < 4; t++)
		expect_row(&g, t, (double[]){ N, hz, 0, N });
	dt_heat_grid_free(&g);
}
END_TEST

/* Memory at address 0 (issue 16, item 17): damo's "0 is not set" made
 * the guide cut an inverted area [1 GiB, 1 MiB); it is an area. */
START_TEST(guide_area_at_address_zero)
{
	struct dt_heat_guides gs;
	char err[128];
	const struct dtr_region r[] = { { 0, MiB, 10, 0 }, { 1024 * MiB, 1025 * MiB, 1, 0 } };
	struct dtr_item it = { .type = DTR_ITEM_SNAPSHOT };

	memset(&gs, 0, sizeof(gs));
	it.u.snapshot = snap(100, 200, r, 2);
	ck_assert_int_eq(dt_heat_guides_add(&gs, &it, err, sizeof(err)), 0);
	it.u.snapshot = snap(200, 300, r, 2);
	ck_assert_int_eq(dt_heat_guides_add(&gs, &it, err, sizeof(err)), 0);
	ck_assert_int_eq(dt_heat_guides_finish(&gs, err, sizeof(err)), 0);
	const struct dt_heat_guide *gd = &gs.v[0];
	ck_assert_uint_eq(gd->nr_areas, 2);
	ck_assert_uint_eq(gd->areas[0].start, 0);
	ck_assert_uint_eq(gd->areas[0].end, MiB);
	ck_assert_uint_eq(gd->areas[1].start, 1024 * MiB);
	ck_assert_uint_eq(gd->areas[1].end, 1025 * MiB);
	ck_assert_uint_eq(dt_heat_guide_hottest(gd), 0);
	dt_heat_guides_free(&gs);
}
END_TEST

START_TEST(python_float_repr)
{
	static const struct {
		double v;
		const char *want;
	} cases[] = {
		{ 0.0, "0.0" }, { -0.0, "-0.0" }, { 2.0, "2.0" }, { 21.0, "21.0" },
		{ 4.617940137508048, "4.617940137508048" },
		{ 20.999999999999996, "20.999999999999996" }, { 0.1, "0.1" },
		{ 1e-05, "1e-05" }, { 0.0001, "0.0001" }, { 1.5e16, "1.5e+16" },
		{ 1e16, "1e+16" }, { 1e15, "1000000000000000.0" },
		{ 123456789012345678.0, "1.2345678901234568e+17" }, { 5e-324, "5e-324" },
		{ 1.7976931348623157e308, "1.7976931348623157e+308" }, { 12345.678, "12345.678" },
	};
	char buf[DT_PYFLOAT_LEN];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		dt_pyfloat_repr(buf, sizeof(buf), cases[i].v);
		ck_assert_str_eq(buf, cases[i].want);
	}
	dt_pyfloat_repr(buf, sizeof(buf), NAN);
	ck_assert_str_eq(buf, "nan");
}
END_TEST

/* Python's repr is the shortest decimal that reads back to the value: for
 * 30 000 values of every magnitude, the digits printed read back exactly
 * and one digit fewer (correctly rounded) never does. */
START_TEST(python_float_repr_is_shortest)
{
	uint64_t x = 0x9e3779b97f4a7c15ull;
	char buf[DT_PYFLOAT_LEN], tmp[64];

	for (int i = 0; i < 30000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		double v;
		switch (i % 3) {
		case 0:
			memcpy(&v, &x, sizeof(v));
			if (!isfinite(v))
				continue;
			break;
		case 1:
			v = (double)(x % 1000000007) / (double)(1 + (x >> 40) % 1000);
			break;
		default:
			v = (double)(x >> 11) * 0x1p-53 * 1e6;
			break;
		}
		dt_pyfloat_repr(buf, sizeof(buf), v);
		ck_assert_msg(strtod(buf, NULL) == v, "%a printed as %s", v, buf);
		/* significant digits: first to last non-zero one */
		int digits = 0, seen = 0, zeros = 0;
		for (const char *p = buf; *p && *p != 'e'; p++) {
			if (*p < '1' || *p > '9') {
				if (*p == '0' && seen)
					zeros++;
				continue;
			}
			digits += seen ? zeros + 1 : 1;
			seen = 1;
			zeros = 0;
		}
		if (v != 0 && digits > 1) {
			snprintf(tmp, sizeof(tmp), "%.*e", digits - 2, v);
			ck_assert_msg(strtod(tmp, NULL) != v, "%a printed as %s, %s reads back too",
				      v, buf, tmp);
		}
	}
}
END_TEST

START_TEST(python_int_division)
{
	ck_assert_int_eq(dt_py_int_div(7, 2), 3);
	ck_assert_int_eq(dt_py_int_div(-1, 2), 0);  /* int() truncates toward zero */
	ck_assert_int_eq(dt_py_int_div(-3, 2), -1);
	ck_assert_int_eq(dt_py_int_div(0, 5), 0);
	/* Past 2^53 the correctly rounded quotient can reach the next integer. */
	uint64_t y = UINT64_C(1) << 60;
	ck_assert_int_eq(dt_py_int_div((int64_t)(3 * y - 1), y), 3);
	ck_assert_int_eq(dt_py_int_div((int64_t)(3 * y - (y >> 1)), y), 2);
	/* int(-2**63 / 1) == -2**63: a magnitude of 2^63 negated (UBSan) */
	ck_assert_int_eq(dt_py_int_div(INT64_MIN, 1), INT64_MIN);
	ck_assert_int_eq(dt_py_int_div(INT64_MIN, 2), INT64_MIN / 2);
}
END_TEST

Suite *heatmap_suite(void)
{
	Suite *s = suite_create("heatmap");
	TCase *tc = tcase_create("heatmap");

	tcase_add_test(tc, grid_known_hot_cells);
	tcase_add_test(tc, grid_hz_and_age);
	tcase_add_test(tc, grid_rejects_ranges_smaller_than_resolution);
	tcase_add_test(tc, grid_pieces_collapse_gaps);
	tcase_add_test(tc, raw_text_is_damos);
	tcase_add_test(tc, guide_areas_and_hottest);
	tcase_add_test(tc, guide_heats_need_a_pass_when_a_region_spans_a_gap);
	tcase_add_test(tc, guide_heats_from_spans_match_region_sums);
	tcase_add_test(tc, guide_heats_need_a_pass_past_the_span_limit);
	tcase_add_test(tc, guide_hostile_age_saturates);
	tcase_add_test(tc, grid_hostile_snapshot_clips);
	tcase_add_test(tc, guide_area_at_address_zero);
	tcase_add_test(tc, python_float_repr);
	tcase_add_test(tc, python_float_repr_is_shortest);
	tcase_add_test(tc, python_int_division);
	suite_add_tcase(s, tc);
	return s;
}
