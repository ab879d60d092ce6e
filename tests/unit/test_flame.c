// SPDX-License-Identifier: GPL-2.0-only
/*
 * The flame panel's labels and roots: dt_box_label_fit lays a name out as
 * flame graphs do (whole, or a start and an ellipsis, font fitted to the
 * height); every box of damo-timeline's flame chart wide enough for its
 * name is labelled, told through the figure's box-label callback; a static
 * binary's start-up roots are one [root] frame in the picture, decided by
 * DSO (stack_root.h).
 */
#define _DEFAULT_SOURCE
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "plot.h"
#include "stack_root.h"
#include "timeline.h"
#include "timeline_plot.h"

#define ELLIPSIS "\xe2\x80\xa6"

START_TEST(label_fits_whole_truncated_or_not_at_all)
{
	char buf[128], whole[128];
	double size = dt_box_label_fit("strided_scan", 200, 12, buf, sizeof(buf));
	ck_assert(size > 0 && size <= 8);
	ck_assert_str_eq(buf, "strided_scan");
	/* narrower: a start of the name and an ellipsis */
	size = dt_box_label_fit("strided_scan", 30, 12, buf, sizeof(buf));
	ck_assert(size > 0);
	ck_assert_uint_ge(strlen(buf), 2 + strlen(ELLIPSIS));
	ck_assert(!strcmp(buf + strlen(buf) - strlen(ELLIPSIS), ELLIPSIS));
	ck_assert(!strncmp(buf, "strided_scan", strlen(buf) - strlen(ELLIPSIS)));
	/* too narrow for two characters and the ellipsis; too low for a font */
	ck_assert(dt_box_label_fit("strided_scan", 6, 12, buf, sizeof(buf)) == 0 && !*buf);
	ck_assert(dt_box_label_fit("strided_scan", 200, 3, buf, sizeof(buf)) == 0 && !*buf);
	/* lower boxes get smaller fonts; the width needed shrinks with them */
	double big = dt_box_label_fit("x", 100, 12, whole, sizeof(whole));
	double small = dt_box_label_fit("x", 100, 7, whole, sizeof(whole));
	ck_assert(small > 0 && small < big);
	/* UTF-8 is cut between characters */
	dt_box_label_fit("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 24, 12,
			 buf, sizeof(buf));
	ck_assert(!*buf || !strcmp(buf + strlen(buf) - strlen(ELLIPSIS), ELLIPSIS));
	ck_assert_uint_eq((strlen(buf) - (*buf ? strlen(ELLIPSIS) : 0)) % 2, 0);
}
END_TEST

static const char *dso_of(const void *ctx, uint32_t frame)
{
	return ((const char *const *)ctx)[frame];
}

START_TEST(startup_roots_by_dso)
{
	/* static binary: [unknown] root, then _start's neighbour in the binary */
	const char *st[] = { "[kernel.kallsyms]", "/bin/app", "/bin/app", "/bin/app", "[unknown]" };
	const uint32_t fr[] = { 0, 1, 2, 3, 4 };
	ck_assert_uint_eq(dt_stack_root_frames(fr, 5, dso_of, st), 2);
	/* dynamic: the root resolved */
	const char *dy[] = { "/bin/app", "/usr/lib/libc.so.6", "/bin/app" };
	ck_assert_uint_eq(dt_stack_root_frames(fr, 3, dso_of, dy), 0);
	/* unresolved root under a shared library: only the unresolved frames */
	const char *so[] = { "/bin/app", "/usr/lib/libc.so.6", "", "[unknown]" };
	ck_assert_uint_eq(dt_stack_root_frames(fr, 4, dso_of, so), 2);
	ck_assert_uint_eq(dt_stack_root_frames(fr, 0, dso_of, so), 0);
}
END_TEST

struct seen {
	size_t boxes, labelled, whole, cut;
	int bad;
	char why[256];
};

static void on_label(void *ctx, const char *label, const char *drawn, double w, double h,
		     double font)
{
	struct seen *s = ctx;
	char want[256];
	double f = dt_box_label_fit(label, w, h, want, sizeof(want));
	s->boxes++;
	if (strcmp(want, drawn) || f != font) {
		s->bad = 1;
		snprintf(s->why, sizeof(s->why), "%s in %.1fx%.1f: drew '%s'", label, w, h, drawn);
	}
	if (*drawn)
		s->labelled++;
	if (*drawn && !strcmp(drawn, label))
		s->whole++;
	else if (*drawn)
		s->cut++;
}

START_TEST(timeline_flame_boxes_labelled)
{
	char rec[1024], out[256], err[256];
	const char *src = getenv("DT_SRC") ? getenv("DT_SRC") : ".";
	snprintf(rec, sizeof(rec), "%s/tests/data/corpus/contiguous-1.dtr", src);
	snprintf(out, sizeof(out), "%s/dt-flame-%d.png", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
		 (int)getpid());
	struct dt_timeline_opts o;
	struct dt_timeline *tl;
	dt_timeline_opts_default(&o);
	o.load.record_path = rec;
	ck_assert_msg(dt_timeline_build(&tl, &o, err, sizeof(err)) == 0, "%s", err);
	/* [root] at depth 1, the functions of the workload's phases labelled */
	int root = 0;
	for (size_t i = 0; i < tl->nr_boxes; i++)
		if (tl->boxes[i].depth == 1)
			root |= !strcmp(dt_timeline_frame_symbol(tl, tl->boxes[i].frame), "[root]");
	ck_assert(root);
	for (size_t i = 0; i < tl->nr_boxes; i++)
		ck_assert_str_ne(dt_timeline_frame_symbol(tl, tl->boxes[i].frame),
				 "__do_global_dtors_aux");
	struct seen s = { 0 };
	struct dt_timeline_draw_opts dro = { .on_box_label = on_label, .on_box_label_ctx = &s };
	ck_assert_msg(dt_timeline_draw(tl, out, &dro, err, sizeof(err)) == 0, "%s", err);
	ck_assert_msg(!s.bad, "%s", s.why);
	ck_assert_uint_gt(s.boxes, 50);
	ck_assert_uint_gt(s.whole, 8);  /* [root], main and the five phases' functions at least */
	ck_assert_uint_gt(s.cut, 0);
	dt_timeline_free(tl);
	unlink(out);
}
END_TEST

Suite *flame_suite(void)
{
	Suite *s = suite_create("flame");
	TCase *tc = tcase_create("flame");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, label_fits_whole_truncated_or_not_at_all);
	tcase_add_test(tc, startup_roots_by_dso);
	tcase_add_test(tc, timeline_flame_boxes_labelled);
	suite_add_tcase(s, tc);
	return s;
}
