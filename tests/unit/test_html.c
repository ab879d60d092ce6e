// SPDX-License-Identifier: GPL-2.0-only
/* damo-timeline's HTML report (render/timeline_html.h): the finer heatmap
 * levels hold exactly the cells dt_heat_grid computes for the same range
 * and resolution (areas side by side too), the page is written with its
 * sections and an escaped title, standard input is refused. */
#include <check.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dtr.h"
#include "html_internal.h"
#include "input.h"
#include "synth.h"
#include "timeline.h"
#include "timeline_html.h"

static char dir[256], rec[300];

static void setup(void)
{
	struct dt_synth_opts so;
	struct dtr_writer *w;
	struct dtr_writer_opts wo = { .no_fsync = 1 };
	char err[256];
	snprintf(dir, sizeof(dir), "%s/dt-html.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(rec, sizeof(rec), "%s/s.dtr", dir);
	dt_synth_default_opts(&so);
	so.nr_snapshots = 400;
	so.nr_regions = 150;
	so.seed = 5;
	so.stacks = 1;
	so.footprint = 1;
	ck_assert_msg(dtr_writer_open(&w, rec, &wo, err, sizeof(err)) == 0, "%s", err);
	ck_assert_msg(dt_synth_write(&so, w, NULL, NULL, NULL, err, sizeof(err)) == 0, "%s", err);
	ck_assert_msg(dtr_writer_close(w, err, sizeof(err)) == 0, "%s", err);
}

static void teardown(void)
{
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static struct dt_timeline *build(struct dt_timeline_opts *o, enum dt_timeline_draw_range r)
{
	struct dt_timeline *tl;
	char err[512];
	dt_timeline_opts_default(o);
	o->load.record_path = rec;
	o->columns = 120;
	o->addr_cells = 90;
	o->draw_range = r;
	ck_assert_msg(dt_timeline_build(&tl, o, err, sizeof(err)) == 0, "%s", err);
	ck_assert(tl->has_grid);
	return tl;
}

/* The grid dt_heat_grid gives for the timeline's range at `columns`. */
static void reference(struct dt_heat_grid *g, const struct dt_timeline *tl, size_t columns)
{
	const struct dt_heat_grid *t = &tl->grid;
	struct dt_input *in;
	struct dt_input_opts io = { 0 };
	struct dtr_item it;
	char err[256];
	int rc;
	ck_assert_msg(dt_heat_grid_init(g, (int64_t)tl->t_start_ns, (int64_t)tl->t_end_ns, columns,
					tl->heat_start, tl->heat_end, t->a_resol, t->pieces, t->nr_pieces,
					err, sizeof(err)) == 0, "%s", err);
	dt_heat_grid_set_target(g, t->kdamond, t->context, t->target);
	ck_assert_msg(dt_input_open(&in, rec, &io, err, sizeof(err)) == 0, "%s", err);
	while ((rc = dt_input_next(in, &it, err, sizeof(err))) == 1)
		ck_assert_int_eq(dt_heat_grid_add(g, &it), 0);
	ck_assert_msg(rc == 0, "%s", err);
	dt_input_close(in);
}

static void same_cells(const struct dt_heat_grid *a, const struct dt_heat_grid *b)
{
	ck_assert_uint_eq(a->t_resol, b->t_resol);
	ck_assert_uint_eq(a->a_resol, b->a_resol);
	ck_assert_uint_eq(a->t_unit, b->t_unit);
	size_t differ = 0, warm = 0;
	for (size_t i = 0; i < a->t_resol * a->a_resol; i++) {
		double x = a->cells[i], y = b->cells[i];
		if (isnan(x) != isnan(y) || (!isnan(x) && x != y))
			differ++;
		warm += x > 0;
	}
	ck_assert_msg(!differ, "%zu of %zu cells differ", differ, a->t_resol * a->a_resol);
	ck_assert_uint_gt(warm, a->t_resol); /* the comparison saw heat */
}

static const enum dt_timeline_draw_range ranges[] = { DT_TIMELINE_HOTTEST, DT_TIMELINE_MAPPED,
						      DT_TIMELINE_PHASES };

START_TEST(fine_levels_are_heatmap_grids)
{
	struct dt_timeline_opts o;
	struct dt_timeline *tl = build(&o, ranges[_i]);
	struct dt_timeline_html_opts ho = { .timeline = &o, .levels = 3 };
	struct dt_html_data d;
	char err[512];
	ck_assert_msg(dt_html_collect(&d, tl, &ho, err, sizeof(err)) == 0, "%s", err);
	ck_assert_ptr_eq(d.levels[0].heat, &tl->grid);
	for (uint32_t k = 1; k < 3; k++) {
		struct dt_heat_grid ref;
		ck_assert_ptr_nonnull(d.levels[k].heat);
		reference(&ref, tl, tl->columns << k);
		same_cells(d.levels[k].heat, &ref);
		dt_heat_grid_free(&ref);
	}
	ck_assert(d.levels[2].has_flame);
	ck_assert_uint_eq(d.nr_trees, dt_phases_count(tl->phases));
	dt_html_data_free(&d);
	dt_timeline_free(tl);
}
END_TEST

/* The RSS of every level: level 0 is the timeline's own (the PNG's line);
 * a finer level starts at the same time and peaks at the same value. */
static size_t first_rss(const struct dt_html_level *L, double *peak)
{
	size_t first = L->columns;
	*peak = 0;
	for (size_t c = 0; c < L->columns; c++) {
		if (isnan(L->rss_max[c]))
			continue;
		first = first < c ? first : c;
		*peak = fmax(*peak, L->rss_max[c]);
	}
	return first;
}

START_TEST(rss_levels_are_the_timelines)
{
	struct dt_timeline_opts o;
	struct dt_timeline *tl = build(&o, DT_TIMELINE_HOTTEST);
	struct dt_timeline_html_opts ho = { .timeline = &o, .levels = 3 };
	struct dt_html_data d;
	char err[512];
	ck_assert(tl->has_rss);
	ck_assert_msg(dt_html_collect(&d, tl, &ho, err, sizeof(err)) == 0, "%s", err);
	size_t warm = 0;
	for (size_t c = 0; c < tl->columns; c++) {
		double a = tl->rss_max[c], b = d.levels[0].rss_max[c];
		ck_assert_msg(isnan(a) ? isnan(b) : a == b, "column %zu: %g, timeline %g", c, b, a);
		warm += a > 0;
	}
	ck_assert_uint_gt(warm, tl->columns / 2);
	for (uint32_t k = 1; k < 3; k++) {
		double peak, coarse_peak;
		ck_assert(d.levels[k].has_rss);
		size_t f = first_rss(&d.levels[k], &peak);
		size_t cf = first_rss(&d.levels[k - 1], &coarse_peak);
		ck_assert_msg(f / 2 == cf && peak == coarse_peak, "level %u: from column %zu, peak %g; "
			      "level %u: from %zu, peak %g", k, f, peak, k - 1, cf, coarse_peak);
	}
	dt_html_data_free(&d);
	dt_timeline_free(tl);
}
END_TEST

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	static char buf[1 << 22];
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

START_TEST(page_and_refusals)
{
	struct dt_timeline_opts o;
	struct dt_timeline *tl = build(&o, DT_TIMELINE_HOTTEST);
	struct dt_timeline_html_opts ho = { .timeline = &o, .title = "a <b> & \"c\"" };
	char path[320], err[512];
	snprintf(path, sizeof(path), "%s/r.html", dir);
	ck_assert_msg(dt_timeline_write_html(tl, path, &ho, err, sizeof(err)) == 0, "%s", err);
	const char *page = slurp(path);
	ck_assert_ptr_nonnull(strstr(page, "<title>a &lt;b&gt; &amp; &quot;c&quot;</title>"));
	ck_assert_ptr_nonnull(strstr(page, "id=\"dt-meta\""));
	ck_assert_ptr_nonnull(strstr(page, "id=\"dt-heat-0\""));
	ck_assert_ptr_nonnull(strstr(page, "Leon Sorokin")); /* uPlot's licence */
	ck_assert_ptr_null(strstr(page, "@@"));
	ck_assert(dt_timeline_html_path("x/R.HTML") && dt_timeline_html_path("a.htm"));
	ck_assert(!dt_timeline_html_path("a.png") && !dt_timeline_html_path(".html"));
	o.load.record_path = "-";
	ck_assert_int_eq(dt_timeline_write_html(tl, path, &ho, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "standard input"));
	snprintf(path, sizeof(path), "%s/no/such/dir.html", dir);
	o.load.record_path = rec;
	ck_assert_int_lt(dt_timeline_write_html(tl, path, &ho, err, sizeof(err)), 0);
	ck_assert_ptr_nonnull(strstr(err, "no/such/dir.html"));
	dt_timeline_free(tl);
}
END_TEST

Suite *html_suite(void)
{
	Suite *s = suite_create("html");
	TCase *tc = tcase_create("html");
	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, fine_levels_are_heatmap_grids, 0,
			    (int)(sizeof(ranges) / sizeof(ranges[0])));
	tcase_add_test(tc, rss_levels_are_the_timelines);
	tcase_add_test(tc, page_and_refusals);
	suite_add_tcase(s, tc);
	return s;
}
