// SPDX-License-Identifier: GPL-2.0-only
/* WSS with damo's semantics, on snapshots built in memory. */
#define _GNU_SOURCE
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "wss.h"

#define MiB (UINT64_C(1) << 20)

static struct dtr_snapshot snap(uint64_t start_ms, uint64_t end_ms, uint32_t target,
				const struct dtr_region *r, size_t n)
{
	return (struct dtr_snapshot){ .start_ns = start_ms * 1000000, .end_ns = end_ms * 1000000,
				      .target = target, .access_unit = DTR_UNIT_SAMPLES,
				      .nr_regions = n, .regions = r };
}

static struct dt_wss *wss_new(int64_t acc, int64_t sz, uint64_t exclude, int64_t work_us)
{
	struct dt_wss *w;
	struct dt_wss_opts o = { acc, sz, exclude, work_us };
	ck_assert_int_eq(dt_wss_new(&w, &o), 0);
	return w;
}

static void add(struct dt_wss *w, struct dtr_snapshot s)
{
	char err[128];
	ck_assert_int_eq(dt_wss_add_snapshot(w, &s, err, sizeof(err)), 0);
}

START_TEST(wss_counts_accessed_regions_above_size_threshold)
{
	struct dt_wss *w = wss_new(2, 2 * MiB, 0, 1);
	const struct dtr_region r[] = {
		{ 0, 1 * MiB, 9, 0 },          /* too small */
		{ 1 * MiB, 5 * MiB, 2, 0 },    /* counts: 4 MiB */
		{ 5 * MiB, 8 * MiB, 1, 0 },    /* too cold */
		{ 8 * MiB, 16 * MiB, 30, 0 },  /* counts: 8 MiB */
	};
	add(w, snap(0, 100, 0, r, 4));
	const struct dt_wss_series *s = dt_wss_series(w, 0);
	ck_assert_uint_eq(s->nr, 1);
	ck_assert_uint_eq(s->v[0].wss, 12 * MiB);
	ck_assert_uint_eq(s->v[0].start_ns, 0);
	ck_assert_uint_eq(s->v[0].end_ns, 100000000);
	dt_wss_free(w);
}
END_TEST

START_TEST(wss_excludes_first_samples_per_target)
{
	struct dt_wss *w = wss_new(1, 1, 2, 1);
	const struct dtr_region hot[] = { { 0, MiB, 5, 0 } };
	const struct dtr_region hot2[] = { { 0, 2 * MiB, 5, 0 } };
	for (int i = 0; i < 4; i++) {
		add(w, snap(i * 100, i * 100 + 100, 0, hot, 1));
		add(w, snap(i * 100, i * 100 + 100, 1, hot2, 1));
	}
	ck_assert_uint_eq(dt_wss_nr_targets(w), 2);
	ck_assert_uint_eq(dt_wss_series(w, 0)->nr, 2);
	ck_assert_uint_eq(dt_wss_series(w, 1)->nr, 2);
	ck_assert_uint_eq(dt_wss_series(w, 0)->v[0].start_ns, 200000000);
	struct dt_wss_series all;
	ck_assert_int_eq(dt_wss_collapsed(w, 0, &all), 0);
	ck_assert_uint_eq(all.nr, 2);
	ck_assert_uint_eq(all.v[0].wss, 3 * MiB);
	free(all.v);
	dt_wss_free(w);
}
END_TEST

/* damo sorts each target's list before adding them up (unless --sortby
 * time): the k-th smallest of each, not the sizes at the same time. */
START_TEST(wss_collapse_sorts_each_target_first)
{
	struct dt_wss *w = wss_new(1, 1, 0, 1);
	const struct dtr_region one[] = { { 0, MiB, 5, 0 } };
	const struct dtr_region four[] = { { 0, 4 * MiB, 5, 0 } };
	add(w, snap(0, 100, 0, one, 1));
	add(w, snap(0, 100, 1, four, 1));
	add(w, snap(100, 200, 0, four, 1));
	add(w, snap(100, 200, 1, one, 1));
	struct dt_wss_series all;
	ck_assert_int_eq(dt_wss_collapsed(w, 1, &all), 0);
	ck_assert_uint_eq(all.v[0].wss, 2 * MiB);
	ck_assert_uint_eq(all.v[1].wss, 8 * MiB);
	free(all.v);
	ck_assert_int_eq(dt_wss_collapsed(w, 0, &all), 0);
	ck_assert_uint_eq(all.v[0].wss, 5 * MiB);
	ck_assert_uint_eq(all.v[1].wss, 5 * MiB);
	free(all.v);
	dt_wss_free(w);
}
END_TEST

/* damo's own example: a region 1-10 with 5 accesses, then 1-5 with 2 and
 * 5-10 with 4, merge into 1-10 with 5 + max(2, 4) = 9. */
START_TEST(work_time_merges_like_damo)
{
	struct dt_wss *w = wss_new(9, 1, 0, 150000); /* 150 ms */
	const struct dtr_region a[] = { { 1 * MiB, 10 * MiB, 5, 0 } };
	const struct dtr_region b[] = { { 1 * MiB, 5 * MiB, 2, 0 }, { 5 * MiB, 10 * MiB, 4, 0 } };
	add(w, snap(0, 100, 0, a, 1));
	add(w, snap(100, 200, 0, b, 2));
	const struct dt_wss_series *s = dt_wss_series(w, 0);
	ck_assert_uint_eq(s->nr, 1);
	ck_assert_uint_eq(s->v[0].wss, 9 * MiB); /* 9 >= acc_thres 9 */
	ck_assert_uint_eq(s->v[0].start_ns, 0);
	ck_assert_uint_eq(s->v[0].end_ns, 200000000);
	dt_wss_free(w);
}
END_TEST

/* Parts of a later region that no merged region covers are added with the
 * later region's count; merged regions are never split. */
START_TEST(work_time_appends_uncovered_parts_and_drops_the_tail)
{
	struct dt_wss *w = wss_new(3, 1, 0, 150000);
	const struct dtr_region a[] = { { 4 * MiB, 6 * MiB, 1, 0 } };
	const struct dtr_region b[] = { { 2 * MiB, 8 * MiB, 3, 0 } };
	const struct dtr_region c[] = { { 0, 1 * MiB, 7, 0 } };
	add(w, snap(0, 100, 0, a, 1));
	add(w, snap(100, 200, 0, b, 1));   /* group done: [4,6) has 1+3; [2,4),[6,8) have 3 */
	add(w, snap(200, 300, 0, c, 1));   /* an unfinished group: dropped */
	const struct dt_wss_series *s = dt_wss_series(w, 0);
	ck_assert_uint_eq(s->nr, 1);
	ck_assert_uint_eq(s->v[0].wss, 6 * MiB);
	dt_wss_free(w);

	w = wss_new(5, 1, 0, 150000);
	add(w, snap(0, 100, 0, a, 1));
	add(w, snap(100, 200, 0, b, 1));
	ck_assert_uint_eq(dt_wss_series(w, 0)->v[0].wss, 0); /* 4 < 5 everywhere */
	dt_wss_free(w);
}
END_TEST

static char *print_dist(const uint64_t *v, size_t n, struct dt_dist_print_opts *o)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(dt_wss_print(f, "0", v, n, o), 0);
	fclose(f);
	return buf;
}

START_TEST(percentile_text_is_damos)
{
	const uint64_t v[] = { 10, 20, 30, 40 };
	struct dt_dist_print_opts o = { "wss", { 0, 101, 50 }, 0, 1, 4 };
	char *text = print_dist(v, 4, &o);
	ck_assert_str_eq(text, "# target_id\t0\n"
			       "# <percentile> <wss>\n"
			       "# avr:\t25\n"
			       "  0              10 |*   |\n"
			       " 50              30 |*** |\n"
			       "100              40 |****|\n");
	free(text);

	struct dt_dist_print_opts human = { "wss", { 100, 101, 1 }, 0, 0, 0 };
	const uint64_t big[] = { 3 * MiB / 2 };
	text = print_dist(big, 1, &human);
	ck_assert_str_eq(text, "# target_id\t0\n# <percentile> <wss>\n# avr:\t1.500 MiB\n"
			       "100       1.500 MiB\n");
	free(text);

	text = print_dist(v, 0, &human);
	ck_assert_str_eq(text, "# target_id\t0\n# <percentile> <wss>\n# no snapshot\n");
	free(text);

	ck_assert_uint_eq(dt_percentile_index(100, 4), 3);
	ck_assert_uint_eq(dt_percentile_index(99, 4), 3);
	ck_assert_uint_eq(dt_percentile_index(24, 4), 0);
	ck_assert_uint_eq(dt_percentile_index(25, 4), 1);
}
END_TEST

START_TEST(percentile_ranges_are_checked)
{
	char err[128];
	struct dt_pct_range ok = { 1, 101, 1 }, zero = { 0, 10, 0 }, over = { 0, 200, 50 };
	ck_assert_int_eq(dt_pct_range_check(&ok, err, sizeof(err)), 0);
	ck_assert_int_lt(dt_pct_range_check(&zero, err, sizeof(err)), 0);
	ck_assert_int_lt(dt_pct_range_check(&over, err, sizeof(err)), 0);
	ck_assert_ptr_nonnull(strstr(err, "150"));
}
END_TEST

START_TEST(nr_regions_skips_twenty_snapshots)
{
	struct dt_nr_regions n;
	struct dtr_region r[30];
	char err[64], *buf = NULL;
	size_t len = 0;

	memset(&n, 0, sizeof(n));
	for (int i = 0; i < 30; i++)
		r[i] = (struct dtr_region){ (uint64_t)i * MiB, (uint64_t)(i + 1) * MiB, 0, 0 };
	for (int i = 0; i < 25; i++) {
		struct dtr_item it = { .type = DTR_ITEM_SNAPSHOT };
		it.u.snapshot = snap(i * 100, i * 100 + 100, 0, r, i < 20 ? 3 : 10 + i);
		ck_assert_int_eq(dt_nr_regions_add(&n, &it, err, sizeof(err)), 0);
	}
	FILE *f = open_memstream(&buf, &len);
	struct dt_pct_range pr = { 0, 101, 50 };
	ck_assert_int_eq(dt_nr_regions_print(f, &n, &pr, 0), 0);
	fclose(f);
	/* 30..34 remain: average 32 */
	ck_assert_str_eq(buf, "# <percentile> <# regions>\n# target_id\t0\n# avr:\t32\n"
			      "0\t30\n50\t32\n100\t34\n");
	free(buf);
	dt_nr_regions_free(&n);
}
END_TEST

Suite *wss_suite(void)
{
	Suite *s = suite_create("wss");
	TCase *tc = tcase_create("wss");

	tcase_add_test(tc, wss_counts_accessed_regions_above_size_threshold);
	tcase_add_test(tc, wss_excludes_first_samples_per_target);
	tcase_add_test(tc, wss_collapse_sorts_each_target_first);
	tcase_add_test(tc, work_time_merges_like_damo);
	tcase_add_test(tc, work_time_appends_uncovered_parts_and_drops_the_tail);
	tcase_add_test(tc, percentile_text_is_damos);
	tcase_add_test(tc, percentile_ranges_are_checked);
	tcase_add_test(tc, nr_regions_skips_twenty_snapshots);
	suite_add_tcase(s, tc);
	return s;
}
