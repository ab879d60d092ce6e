// SPDX-License-Identifier: GPL-2.0-only
/*
 * The worked-on memory (framing.h): DAMON's early giant region with
 * accesses does not frame the heatmap, with or without maps; maps clip the
 * areas and name them; the time window counts; the profile stays bounded.
 * Also a .dtr with such a region, drawn by damo-timeline's library.
 */
#define _DEFAULT_SOURCE
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "framing.h"
#include "timeline.h"

#define GiB (UINT64_C(1) << 30)
#define MiB (UINT64_C(1) << 20)
#define BUF UINT64_C(0x7f0000000000)   /* an 8 MiB buffer */
#define STACK UINT64_C(0x7ffd00000000) /* 128 KiB of stack, 300+ GiB above */
#define AGGR_NS UINT64_C(100000000)

/* Snapshot i of a process: for the first 3, one region from the buffer to
 * the stack's end with nr_accesses 10 (DAMON's start: it has not split the
 * mmap area from the stack yet); then the buffer hot (20), the rest cold,
 * the stack warm (5). */
static size_t snapshot_regions(uint64_t i, struct dtr_region *r)
{
	if (i < 3) {
		r[0] = (struct dtr_region){ BUF, STACK + 128 * 1024, 10, 0 };
		return 1;
	}
	r[0] = (struct dtr_region){ BUF, BUF + 8 * MiB, 20, 0 };
	r[1] = (struct dtr_region){ BUF + 8 * MiB, STACK, 0, 0 };
	r[2] = (struct dtr_region){ STACK, STACK + 128 * 1024, 5, 0 };
	return 3;
}

static const struct dtr_map_entry maps_entries[] = {
	{ UINT64_C(0x400000), UINT64_C(0x500000), 0, "r-xp", "/bin/app" },
	{ BUF, BUF + 8 * MiB, 0, "rw-p", "" },
	{ STACK, STACK + 128 * 1024, 0, "rw-p", "[stack]" },
};

/* Items of the record, in order: context, intervals, maps (when asked),
 * then 40 snapshots; `fn` gets each. */
static void for_each_item(int with_maps, void (*fn)(void *ctx, const struct dtr_item *it),
			  void *ctx)
{
	struct dtr_target tgt = { 0, 42, 1234, "app" };
	struct dtr_item it = { .type = DTR_ITEM_CONTEXT };
	it.u.context = (struct dtr_context){ 0, 0, DTR_OPS_VADDR, 10, 1000, 1, &tgt };
	fn(ctx, &it);
	it = (struct dtr_item){ .type = DTR_ITEM_INTERVALS };
	it.u.intervals = (struct dtr_intervals){ 0, 0, 0, 5000, 100000, 1000000 };
	fn(ctx, &it);
	if (with_maps) {
		it = (struct dtr_item){ .type = DTR_ITEM_MAPS };
		it.u.maps = (struct dtr_maps){ 1000000000, 1234, 3, maps_entries };
		fn(ctx, &it);
	}
	for (uint64_t i = 0; i < 40; i++) {
		struct dtr_region r[3];
		it = (struct dtr_item){ .type = DTR_ITEM_SNAPSHOT };
		it.u.snapshot = (struct dtr_snapshot){
			.start_ns = 1000000000 + i * AGGR_NS, .end_ns = 1000000000 + (i + 1) * AGGR_NS,
			.access_unit = DTR_UNIT_SAMPLES, .age_unit = DTR_UNIT_ABSENT,
			.nr_regions = snapshot_regions(i, r), .regions = r };
		fn(ctx, &it);
	}
}

static void feed(void *ctx, const struct dtr_item *it)
{
	char err[256];
	ck_assert_msg(dt_framer_add(ctx, it, err, sizeof(err)) == 0, "%s", err);
}

static void frame_of(int with_maps, int64_t t0, int64_t t1, struct dt_frame *fr)
{
	struct dt_framer *f;
	char err[256];
	ck_assert_int_eq(dt_framer_new(&f, t0, t1, err, sizeof(err)), 0);
	for_each_item(with_maps, feed, f);
	ck_assert_msg(dt_framer_result(f, 0, 0, 0, fr, err, sizeof(err)) == 0, "%s", err);
	dt_framer_free(f);
}

static uint64_t shown_bytes(const struct dt_frame *fr)
{
	uint64_t sum = 0;
	for (size_t i = 0; i < fr->nr; i++)
		sum += fr->areas[i].end - fr->areas[i].start;
	return sum;
}

START_TEST(giant_early_region_does_not_frame)
{
	struct dt_frame fr;
	frame_of(_i, 0, 0, &fr);
	ck_assert_int_eq(fr.clipped_to_maps, _i);
	ck_assert_uint_ge(fr.nr, 1);
	ck_assert_uint_le(shown_bytes(&fr), 16 * MiB);
	ck_assert_uint_eq(fr.areas[0].start, BUF);
	ck_assert_uint_eq(fr.areas[0].end, BUF + 8 * MiB);
	/* the stack is accessed too: a small area of its own, named with maps */
	ck_assert_uint_eq(fr.nr, 2);
	ck_assert_uint_eq(fr.areas[1].start, STACK);
	ck_assert_str_eq(fr.areas[0].name, _i ? "anon" : "");
	ck_assert_str_eq(fr.areas[1].name, _i ? "stack" : "");
	dt_frame_free(&fr);
}
END_TEST

/* A window over the giant region's snapshots only: with maps, what is
 * mapped inside it; without, the region is all there is to show. */
START_TEST(window_counts)
{
	struct dt_frame fr;
	frame_of(1, 1000000000, 1000000000 + 3 * AGGR_NS, &fr);
	ck_assert_uint_eq(fr.nr, 2);
	ck_assert_uint_eq(shown_bytes(&fr), 8 * MiB + 128 * 1024);
	dt_frame_free(&fr);
	frame_of(1, 1000000000 + 10 * AGGR_NS, 1000000000 + 20 * AGGR_NS, &fr);
	ck_assert_uint_eq(fr.nr, 2);
	dt_frame_free(&fr);
	frame_of(1, 5000000000, 6000000000, &fr); /* after the record */
	ck_assert_uint_eq(fr.nr, 0);
	dt_frame_free(&fr);
}
END_TEST

/* Many snapshots of many regions with moving boundaries: the profile is
 * compacted, the hot buffer still found. */
START_TEST(profile_stays_bounded)
{
	struct dt_framer *f;
	struct dt_frame fr;
	char err[256];
	static struct dtr_region r[600];
	ck_assert_int_eq(dt_framer_new(&f, 0, 0, err, sizeof(err)), 0);
	srand(7);
	for (uint64_t i = 0; i < 300; i++) {
		uint64_t a = UINT64_C(0x10000000);
		for (size_t k = 0; k < 600; k++) {
			uint64_t size = (uint64_t)(1 + rand() % 64) * 4096;
			int hot = a >= UINT64_C(0x10000000) + 64 * MiB && a < UINT64_C(0x10000000) + 72 * MiB;
			r[k] = (struct dtr_region){ a, a + size, hot ? 20 : (uint32_t)(rand() % 20 == 0), 0 };
			a += size;
		}
		struct dtr_item it = { .type = DTR_ITEM_SNAPSHOT };
		it.u.snapshot = (struct dtr_snapshot){ .start_ns = i * AGGR_NS, .end_ns = (i + 1) * AGGR_NS,
						       .access_unit = DTR_UNIT_SAMPLES, .nr_regions = 600,
						       .regions = r };
		ck_assert_int_eq(dt_framer_add(f, &it, err, sizeof(err)), 0);
	}
	ck_assert_int_eq(dt_framer_result(f, 0, 0, 0, &fr, err, sizeof(err)), 0);
	ck_assert_uint_ge(fr.nr, 1);
	uint64_t lo = UINT64_C(0x10000000) + 64 * MiB, hi = lo + 8 * MiB, inside = 0;
	for (size_t k = 0; k < fr.nr; k++) {
		uint64_t s = fr.areas[k].start > lo ? fr.areas[k].start : lo;
		uint64_t e = fr.areas[k].end < hi ? fr.areas[k].end : hi;
		inside += e > s ? e - s : 0;
	}
	ck_assert_uint_ge(inside, 7 * MiB);
	ck_assert_uint_le(shown_bytes(&fr), 24 * MiB);
	dt_frame_free(&fr);
	dt_framer_free(f);
}
END_TEST

struct writer_ctx {
	struct dtr_writer *w;
};

static void put(void *ctx, const struct dtr_item *it)
{
	char err[256];
	struct writer_ctx *wc = ctx;
	ck_assert_msg(dtr_writer_put(wc->w, it, err, sizeof(err)) == 0, "%s", err);
}

/* The record as a .dtr, drawn by the timeline: its heatmap shows the
 * buffer and the stack, not the 300 GiB between them. */
START_TEST(timeline_of_a_giant_region_record)
{
	char path[256], err[256];
	struct dtr_writer_opts wo = { .no_fsync = 1 };
	struct writer_ctx wc;
	snprintf(path, sizeof(path), "%s/dt-framing-%d-%d.dtr",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (int)getpid(), _i);
	ck_assert_msg(dtr_writer_open(&wc.w, path, &wo, err, sizeof(err)) == 0, "%s", err);
	for_each_item(_i, put, &wc);
	ck_assert_msg(dtr_writer_close(wc.w, err, sizeof(err)) == 0, "%s", err);

	struct dt_timeline_opts o;
	struct dt_timeline *tl;
	dt_timeline_opts_default(&o);
	o.load.record_path = path;
	ck_assert_msg(dt_timeline_build(&tl, &o, err, sizeof(err)) == 0, "%s", err);
	ck_assert(tl->has_grid);
	ck_assert_str_eq(tl->heat_choice, "worked");
	ck_assert_uint_eq(tl->grid.nr_pieces, 2);
	ck_assert_uint_eq(tl->grid.pieces[0].start, BUF);
	ck_assert_uint_eq(tl->grid.pieces[0].end, BUF + 8 * MiB);
	/* the buffer gets most of the axis */
	ck_assert_uint_ge(tl->grid.piece_rows[0] * 4, tl->grid.a_resol * 3);
	dt_timeline_free(tl);
	unlink(path);
}
END_TEST

Suite *framing_suite(void)
{
	Suite *s = suite_create("framing");
	TCase *tc = tcase_create("core");
	tcase_add_loop_test(tc, giant_early_region_does_not_frame, 0, 2);
	tcase_add_test(tc, window_counts);
	tcase_add_test(tc, profile_stays_bounded);
	tcase_add_loop_test(tc, timeline_of_a_giant_region_record, 0, 2);
	suite_add_tcase(s, tc);
	return s;
}
