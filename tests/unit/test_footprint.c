// SPDX-License-Identifier: GPL-2.0-only
/*
 * The targets' RSS over time from FOOTPRINT items (footprint.h): per
 * target series, the total of every target's latest RSS, a target that
 * stopped reporting dropping out of the total, items without statm and
 * other items ignored.
 */
#include <check.h>
#include <string.h>

#include "footprint.h"

static struct dtr_item fp_item(uint64_t t, uint32_t target, uint64_t rss, uint32_t has)
{
	struct dtr_item it;

	memset(&it, 0, sizeof(it));
	it.type = DTR_ITEM_FOOTPRINT;
	it.u.footprint.time_ns = t;
	it.u.footprint.target = target;
	it.u.footprint.pid = 100 + (int32_t)target;
	it.u.footprint.has = has;
	it.u.footprint.resident = rss;
	return it;
}

START_TEST(rss_per_target_and_total)
{
	struct dt_rss r;
	struct dtr_item it;

	dt_rss_init(&r, 1);
	it = fp_item(100, 0, 10, DTR_FOOTPRINT_STATM);
	ck_assert_int_eq(dt_rss_add(&r, &it), 1);
	it = fp_item(110, 1, 5, DTR_FOOTPRINT_STATM | DTR_FOOTPRINT_MEMINFO);
	ck_assert_int_eq(dt_rss_add(&r, &it), 1);
	it = fp_item(200, 0, 12, DTR_FOOTPRINT_STATM);
	ck_assert_int_eq(dt_rss_add(&r, &it), 1);
	/* no statm (a system-only footprint) and other items: ignored */
	it = fp_item(205, 2, 0, DTR_FOOTPRINT_MEMINFO);
	ck_assert_int_eq(dt_rss_add(&r, &it), 0);
	it.type = DTR_ITEM_THREAD;
	ck_assert_int_eq(dt_rss_add(&r, &it), 0);
	ck_assert_uint_eq(r.nr, 2);
	const struct dt_rss_series *s = dt_rss_find(&r, 0, 0, 0);
	ck_assert_ptr_nonnull(s);
	ck_assert_uint_eq(s->nr, 2);
	ck_assert_uint_eq(s->v[1].rss, 12);
	ck_assert_int_eq(s->pid, 100);
	ck_assert_ptr_null(dt_rss_find(&r, 0, 0, 2));
	ck_assert_uint_eq(r.total.nr, 3);
	ck_assert_uint_eq(r.total.v[0].rss, 10);
	ck_assert_uint_eq(r.total.v[1].rss, 15);
	ck_assert_uint_eq(r.total.v[2].rss, 17);
	dt_rss_free(&r);
}
END_TEST

/* Target 1 reports every 100 ns, then stops (its process exited): it leaves
 * the total once its latest is more than two of its intervals old. */
START_TEST(rss_stopped_target_drops_out)
{
	struct dt_rss r;
	struct dtr_item it;

	dt_rss_init(&r, 0);
	for (uint64_t t = 0; t <= 200; t += 100) {
		it = fp_item(1000 + t, 1, 50, DTR_FOOTPRINT_STATM);
		dt_rss_add(&r, &it);
	}
	for (uint64_t t = 0; t <= 600; t += 100) {
		it = fp_item(1000 + t + 1, 0, 7, DTR_FOOTPRINT_STATM);
		ck_assert_int_eq(dt_rss_add(&r, &it), 1);
		ck_assert_uint_eq(r.total.latest.rss, (t <= 300 ? 57 : 7));
	}
	ck_assert_uint_eq(r.total.nr, 0); /* not kept */
	dt_rss_free(&r);
}
END_TEST

Suite *footprint_suite(void)
{
	Suite *s = suite_create("footprint");
	TCase *tc = tcase_create("rss");

	tcase_add_test(tc, rss_per_target_and_total);
	tcase_add_test(tc, rss_stopped_target_drops_out);
	suite_add_tcase(s, tc);
	return s;
}
