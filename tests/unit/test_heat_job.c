// SPDX-License-Identifier: GPL-2.0-only
/* damo-heatmap's passes as a library (heat_job.h): the guide alone, the
 * ranges each draw choice picks, the grids, and the refusals. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "heat_job.h"

static char rec[1024];

static void job_opts(struct dt_heat_job_opts *o, enum dt_heat_draw draw)
{
	const char *src = getenv("DT_SRC") ? getenv("DT_SRC") : ".";
	snprintf(rec, sizeof(rec), "%s/tests/data/synth-s7.dtr", src);
	*o = (struct dt_heat_job_opts){ .input = rec, .t_resol = 10, .a_resol = 20, .draw = draw,
					.temperature_weights = { 1, 1 } };
}

/* The passes over synth-s7.dtr, which must succeed (o: kept for the run). */
static void run_ok(struct dt_heat_job *j, struct dt_heat_job_opts *o, enum dt_heat_draw draw,
		   int guide_only)
{
	char err[256] = "";
	job_opts(o, draw);
	o->guide_only = guide_only;
	ck_assert_msg(dt_heat_job_run(j, o, err, sizeof(err)) == 0, "%s", err);
}

START_TEST(guide_only_reads_the_guide)
{
	struct dt_heat_job_opts o;
	struct dt_heat_job j;
	run_ok(&j, &o, DT_HEAT_DRAW_HOTTEST, 1);
	ck_assert_uint_ge(j.guides.nr, 1);
	ck_assert_ptr_null(j.gd);
	ck_assert_uint_eq(j.nr_grids, 0);
	dt_heat_job_free(&j);
}
END_TEST

START_TEST(hottest_is_the_guides_hottest_area)
{
	struct dt_heat_job_opts o;
	struct dt_heat_job j;
	run_ok(&j, &o, DT_HEAT_DRAW_HOTTEST, 0);
	ck_assert_ptr_nonnull(j.gd);
	ck_assert_uint_eq(j.nr_grids, 1);
	const struct dt_heat_area *h = &j.gd->areas[dt_heat_guide_hottest(j.gd)];
	ck_assert_uint_eq(j.grids[0].a_start, h->start);
	ck_assert_uint_eq(j.grids[0].a_unit, (h->end - h->start) / 20);
	ck_assert_uint_eq(j.grids[0].t_resol, 10);
	double lo, hi;
	ck_assert_int_eq(dt_heat_grid_minmax(&j.grids[0], &lo, &hi), 1);
	ck_assert(hi > 0);
	dt_heat_job_free(&j);
}
END_TEST

START_TEST(all_is_one_grid_per_area_mapped_one_of_pieces)
{
	struct dt_heat_job_opts o;
	struct dt_heat_job j;
	run_ok(&j, &o, DT_HEAT_DRAW_ALL, 0);
	size_t areas = j.gd->nr_areas;
	ck_assert_uint_ge(areas, 2);
	ck_assert_uint_eq(j.nr_grids, areas < DT_HEAT_JOB_MAX_RANGES ? areas : DT_HEAT_JOB_MAX_RANGES);
	for (size_t i = 0; i < j.nr_grids; i++)
		ck_assert_uint_eq(j.grids[i].a_start, j.gd->areas[i].start);
	dt_heat_job_free(&j);

	run_ok(&j, &o, DT_HEAT_DRAW_MAPPED, 0);
	ck_assert_uint_eq(j.nr_grids, 1);
	ck_assert_uint_eq(j.grids[0].nr_pieces, areas);
	dt_heat_job_free(&j);
}
END_TEST

START_TEST(refusals_name_the_cause)
{
	struct dt_heat_job_opts o;
	struct dt_heat_job j;
	char err[256] = "";
	job_opts(&o, DT_HEAT_DRAW_HOTTEST);
	o.has_tid = 1;
	o.tid = 999;
	ck_assert_int_eq(dt_heat_job_run(&j, &o, err, sizeof(err)), -ENOENT);
	ck_assert_msg(strstr(err, "synth-s7.dtr: no target with id 999"), "%s", err);
	ck_assert_uint_eq(j.nr_grids, 0);
	dt_heat_job_free(&j);

	struct dt_address_range many[DT_HEAT_JOB_MAX_RANGES + 1] = { 0 };
	job_opts(&o, DT_HEAT_DRAW_HOTTEST);
	o.addr = many;
	o.nr_addr = DT_HEAT_JOB_MAX_RANGES + 1;
	ck_assert_int_eq(dt_heat_job_run(&j, &o, err, sizeof(err)), -EINVAL);
	dt_heat_job_free(&j);

	job_opts(&o, DT_HEAT_DRAW_HOTTEST);
	o.input = "/nonexistent/r.dtr";
	ck_assert_int_lt(dt_heat_job_run(&j, &o, err, sizeof(err)), 0);
	ck_assert_msg(strstr(err, "/nonexistent/r.dtr"), "%s", err);
	dt_heat_job_free(&j);
}
END_TEST

Suite *heat_job_suite(void)
{
	Suite *s = suite_create("heat_job");
	TCase *tc = tcase_create("heat_job");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, guide_only_reads_the_guide);
	tcase_add_test(tc, hottest_is_the_guides_hottest_area);
	tcase_add_test(tc, all_is_one_grid_per_area_mapped_one_of_pieces);
	tcase_add_test(tc, refusals_name_the_cause);
	suite_add_tcase(s, tc);
	return s;
}
