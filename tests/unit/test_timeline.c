// SPDX-License-Identifier: GPL-2.0-only
/*
 * damo-timeline's data and figure: phases and their functions against
 * damo-synth's truth, the vm DAMON record, flame chart columns and the
 * thread choice on hand-made perf script text, the function named behind
 * wrappers, the report's text and the figure's panels read back.
 */
#define _DEFAULT_SOURCE
#include <cairo.h>
#include <check.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "synth.h"
#include "timeline.h"
#include "timeline_plot.h"

#define AGGR_NS 100000000ull

static char tmpdir[256];

static void make_tmpdir(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "%s/dt-timeline.XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void remove_tmpdir(void)
{
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
}

static char *tmp_path(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", tmpdir, name);
	return buf;
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

/* ------------------------------------------------------------ synthetic */

struct truth_phase {
	uint64_t start, end;
	char function[64];
};

static size_t write_synth(const char *path, const char *truth_path, uint64_t seed,
			  uint64_t snapshots, uint64_t regions, struct truth_phase *truth, size_t cap)
{
	struct dt_synth_opts so;
	struct dtr_writer *w;
	struct dtr_writer_opts wo = { .no_fsync = 1 };
	char err[256];
	dt_synth_default_opts(&so);
	so.nr_snapshots = snapshots;
	so.nr_regions = regions;
	so.seed = seed;
	so.stacks = 1;
	FILE *tf = fopen(truth_path, "w+");
	ck_assert_ptr_nonnull(tf);
	ck_assert_msg(dtr_writer_open(&w, path, &wo, err, sizeof(err)) == 0, "%s", err);
	ck_assert_msg(dt_synth_write(&so, w, tf, NULL, NULL, err, sizeof(err)) == 0, "%s", err);
	ck_assert_msg(dtr_writer_close(w, err, sizeof(err)) == 0, "%s", err);
	rewind(tf);
	char line[512];
	size_t n = 0;
	while (fgets(line, sizeof(line), tf)) {
		char kind[16], fn[64];
		unsigned long long s, e;
		unsigned t;
		if (line[0] == '#')
			continue;
		ck_assert_int_eq(sscanf(line, "%llu %llu %u %15s %*s %*s %63s", &s, &e, &t, kind, fn), 5);
		if (strcmp(kind, "hot"))
			continue;
		ck_assert_uint_lt(n, cap);
		truth[n].start = s;
		truth[n].end = e;
		snprintf(truth[n].function, sizeof(truth[n].function), "%s", fn);
		n++;
	}
	fclose(tf);
	return n;
}

static uint64_t diff(uint64_t a, uint64_t b)
{
	return a > b ? a - b : b - a;
}

/* Seeds and sizes whose truth the phase detector is held to (as damo-stacks'
 * tests are). */
static const uint64_t synth_specs[][3] = { { 1, 200, 100 }, { 3, 300, 200 }, { 4, 300, 200 } };

START_TEST(synth_phases_match_truth)
{
	char rec[512], tru[512], err[512];
	struct truth_phase truth[64];
	make_tmpdir();
	size_t n = write_synth(tmp_path(rec, sizeof(rec), "s.dtr"), tmp_path(tru, sizeof(tru), "t.txt"),
			       synth_specs[_i][0], synth_specs[_i][1], synth_specs[_i][2], truth, 64);
	ck_assert_uint_gt(n, 2);

	struct dt_timeline_opts o;
	struct dt_timeline *tl;
	dt_timeline_opts_default(&o);
	o.load.record_path = rec;
	ck_assert_msg(dt_timeline_build(&tl, &o, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(tl->has_damon, 1);
	ck_assert_int_eq(tl->has_grid, 1);
	ck_assert_int_eq(tl->has_thread, 1);
	ck_assert_uint_eq(tl->nr_perf_samples, 0);
	ck_assert_uint_gt(tl->nr_record_samples, 1000);
	ck_assert_uint_eq(dt_phases_count(tl->phases), n);
	/* synthetic aggregations jitter by up to 1% */
	uint64_t tol = 2 * AGGR_NS + 2 * AGGR_NS / 100;
	for (size_t k = 0; k < n; k++) {
		const struct dt_phase *p = dt_phases_get(tl->phases, k);
		const struct dt_timeline_phase *ps = &tl->phase_stacks[k];
		ck_assert_msg(diff(p->start_ns, truth[k].start) <= tol &&
			      diff(p->end_ns, truth[k].end) <= tol,
			      "phase %zu: %" PRIu64 "-%" PRIu64 ", truth %" PRIu64 "-%" PRIu64, k + 1,
			      p->start_ns, p->end_ns, truth[k].start, truth[k].end);
		ck_assert_int_ge(ps->named, 0);
		ck_assert_str_eq(dt_timeline_frame_symbol(tl, ps->top[ps->named].frame),
				 truth[k].function);
		ck_assert_uint_gt(ps->nr_samples, 0);
		for (size_t i = 2; i < ps->nr_top; i++) /* after the named one: descending */
			ck_assert(ps->top[i - 1].distinct >= ps->top[i].distinct);
	}
	/* The WSS columns cover the record, the flame chart holds the phases'
	 * functions, one box per run of columns. */
	size_t covered = 0;
	for (size_t c = 0; c < tl->columns; c++)
		covered += !isnan(tl->wss_mean[c]);
	ck_assert_uint_ge(covered, tl->columns - 1);
	ck_assert_uint_gt(tl->nr_boxes, 0);
	ck_assert_uint_le(tl->nr_boxes, tl->columns * tl->max_depth);
	for (size_t k = 0; k < n; k++) {
		int found = 0;
		for (size_t i = 0; i < tl->nr_boxes && !found; i++)
			found = !strcmp(dt_timeline_frame_symbol(tl, tl->boxes[i].frame), truth[k].function);
		ck_assert_msg(found, "no flame chart box of %s", truth[k].function);
	}

	/* The text report: one line per phase naming its function first. */
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);
	ck_assert_int_eq(dt_timeline_print_report(mem, tl), 0);
	fclose(mem);
	char *line = text;
	for (size_t k = 0; k < n; k++) {
		char want[128];
		snprintf(want, sizeof(want), "phase %zu [", k + 1);
		ck_assert_msg(!strncmp(line, want, strlen(want)), "line: %s", line);
		snprintf(want, sizeof(want), "; top: %s ", truth[k].function);
		char *eol = strchr(line, '\n');
		ck_assert_ptr_nonnull(eol);
		*eol = '\0';
		ck_assert_msg(strstr(line, want) && strstr(line, " WSS ") && strstr(line, ", hot 0x"),
			      "line: %s", line);
		line = eol + 1;
	}
	ck_assert_str_eq(line, "");
	free(text);
	uint64_t target_id = tl->heat_target.id;
	dt_timeline_free(tl);

	/* The heatmap of a given range and target; a shallower flame chart. */
	o.has_address_range = 1;
	o.addr_start = 0x7f1000000000ull;
	o.addr_end = 0x7f1000100000ull;
	o.addr_cells = 64;
	o.has_target = 1;
	o.target_id = target_id;
	o.max_depth = 2;
	o.columns = 50;
	ck_assert_msg(dt_timeline_build(&tl, &o, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(tl->has_grid, 1);
	ck_assert_uint_eq(tl->grid.a_start, 0x7f1000000000ull);
	ck_assert_uint_eq(tl->grid.a_unit * tl->grid.a_resol, 0x100000);
	ck_assert_uint_eq(tl->grid.a_resol, 64);
	ck_assert_uint_eq(tl->grid.t_resol, 50);
	ck_assert_uint_eq(tl->max_depth, 2);
	for (size_t i = 0; i < tl->nr_boxes; i++)
		ck_assert_uint_le(tl->boxes[i].col1, 50);
	ck_assert_uint_eq(dt_phases_count(tl->phases), n);
	dt_timeline_free(tl);
	o.target_id = target_id + 12345;
	ck_assert_int_eq(dt_timeline_build(&tl, &o, err, sizeof(err)), -ENOENT);
	ck_assert_msg(strstr(err, "no target with id"), "%s", err);
	remove_tmpdir();
}
END_TEST

START_TEST(vm_record_three_phases)
{
	char path[1024], err[512];
	const char *shared = getenv("DT_SHARED");
	snprintf(path, sizeof(path), "%s/interop/damo/vm/damon-vm.perf-script",
		 shared ? shared : "../shared");
	ck_assert_msg(access(path, R_OK) == 0, "missing fixture %s", path);
	struct dt_timeline_opts o;
	struct dt_timeline *tl;
	dt_timeline_opts_default(&o);
	o.load.record_path = path;
	ck_assert_msg(dt_timeline_build(&tl, &o, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(dt_phases_count(tl->phases), 3);
	/* Three buffers in turn, 1.5 s each, back to back. */
	for (size_t k = 0; k < 3; k++) {
		const struct dt_phase *p = dt_phases_get(tl->phases, k);
		ck_assert_uint_ge(p->end_ns - p->start_ns, 1200000000ull);
		ck_assert_uint_le(p->end_ns - p->start_ns, 1800000000ull);
		if (k)
			ck_assert_uint_eq(p->start_ns, dt_phases_get(tl->phases, k - 1)->end_ns);
		ck_assert_int_eq(tl->phase_stacks[k].named, -1);
	}
	ck_assert_uint_eq(tl->nr_samples, 0);
	ck_assert_int_eq(tl->has_thread, 0);
	dt_timeline_free(tl);
}
END_TEST

/* ------------------------------------------------------------ perf text */

/* perf script text: thread 10 runs driver->work->leaf (work's own code a
 * tenth of the time, driver's call of clock_now a fiftieth) in [1, 2) s and idle_loop in [2, 3) s; thread 11 runs
 * helper throughout, at a quarter of the rate. */
static void write_perf(const char *path)
{
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "# clockid: monotonic\n");
	for (int i = 0; i < 2000; i++) {
		double t = 1.0 + i * 0.001;
		fprintf(f, "app 10/10 [000] %.6f: 1000000 cpu-clock: \n", t);
		if (t < 2.0 && i % 50 == 7)
			fprintf(f, "\t 8 clock_now+0x1 (/bin/app)\n\t 2 driver+0x7 (/bin/app)\n"
				   "\t 1 main+0x4 (/bin/app)\n\n");
		else if (t < 2.0 && i % 10)
			fprintf(f, "\t 4 leaf+0x1 (/bin/app)\n\t 3 work+0x2 (/bin/app)\n"
				   "\t 2 driver+0x3 (/bin/app)\n\t 1 main+0x4 (/bin/app)\n\n");
		else if (t < 2.0)
			fprintf(f, "\t 3 work+0x9 (/bin/app)\n\t 2 driver+0x3 (/bin/app)\n"
				   "\t 1 main+0x4 (/bin/app)\n\n");
		else
			fprintf(f, "\t 5 idle_loop+0x1 (/bin/app)\n\t 1 main+0x4 (/bin/app)\n\n");
		if (i % 4 == 0)
			fprintf(f, "app-helper 10/11 [001] %.6f: 1000000 cpu-clock: \n"
				   "\t 6 helper+0x1 (/bin/app)\n\t 7 start_thread+0x5 (/lib/libc.so.6)\n\n",
				   t + 0.0002);
	}
	ck_assert_int_eq(fclose(f), 0);
}

/* A damo json record: a buffer hot in [1, 2) s, quiet in [2, 3) s. */
static void write_record(const char *path)
{
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "[{\"kdamond_idx\": 0, \"context_idx\": 0, \"target_id\": 0, \"intervals\": "
		   "{\"sample_us\": 5000, \"aggr_us\": 100000, \"ops_update_us\": 1000000}, "
		   "\"snapshots\": [");
	for (int k = 0; k < 30; k++) {
		uint64_t s = 1000000000ull + (uint64_t)k * AGGR_NS;
		fprintf(f, "%s{\"start_time\": %" PRIu64 ", \"end_time\": %" PRIu64 ", \"regions\": ["
			   "{\"start\": %llu, \"end\": %llu, \"nr_accesses\": {\"samples\": %d}, "
			   "\"age\": {\"aggr_intervals\": 1}}]}", k ? ", " : "", s, (uint64_t)(s + AGGR_NS),
			0x7f0000000000ull, 0x7f0001000000ull, k < 10 ? 15 : 0);
	}
	fprintf(f, "]}]\n");
	ck_assert_int_eq(fclose(f), 0);
}

START_TEST(perf_flame_and_named_function)
{
	char rec[512], perf[512], err[512];
	make_tmpdir();
	write_perf(tmp_path(perf, sizeof(perf), "app.perf"));
	write_record(tmp_path(rec, sizeof(rec), "rec.json"));
	struct dt_timeline_opts o;
	struct dt_timeline *tl;
	dt_timeline_opts_default(&o);
	o.load.record_path = rec;
	o.load.perf_script_path = perf;
	o.columns = 100;
	ck_assert_msg(dt_timeline_build(&tl, &o, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(tl->t_start_ns, 1000000000ull);
	ck_assert_uint_eq(tl->t_end_ns, 4000000000ull);
	ck_assert_uint_eq(tl->nr_perf_samples, 2500);
	ck_assert_int_eq(tl->weight_is_ns, 1);
	ck_assert_int_eq(tl->align.method, DT_ALIGN_SAME_CLOCK);
	ck_assert_uint_eq(dt_phases_count(tl->phases), 1);
	/* driver is on every stack of the phase, work on 98% of them: work, the
	 * deeper, is named; leaf (88%) and main (everywhere) are not. */
	const struct dt_timeline_phase *ps = &tl->phase_stacks[0];
	ck_assert_int_eq(ps->named, 0);
	ck_assert_str_eq(dt_timeline_frame_symbol(tl, ps->top[0].frame), "work");
	ck_assert_double_eq_tol(ps->top[0].share, 0.784, 0.001); /* helper takes a fifth */
	ck_assert_uint_eq(ps->nr_samples, 1250);
	/* The busiest thread is 10; its columns: work's path in [1, 2) s (columns
	 * 0-32), idle_loop in [2, 3) s (33-65), nothing after. */
	ck_assert_int_eq(tl->has_thread, 1);
	ck_assert_int_eq(tl->tid, 10);
	ck_assert_str_eq(tl->comm, "app");
	int seen_leaf = 0, seen_idle = 0;
	for (size_t i = 0; i < tl->nr_boxes; i++) {
		const struct dt_timeline_box *b = &tl->boxes[i];
		const char *sym = dt_timeline_frame_symbol(tl, b->frame);
		ck_assert_uint_lt(b->col0, b->col1);
		ck_assert_uint_le(b->col1, 67);
		if (b->depth == 1) {
			ck_assert_str_eq(sym, "main");
			ck_assert_uint_eq(b->col0, 0);
			ck_assert_uint_eq(b->col1, 67);
		}
		if (!strcmp(sym, "leaf")) {
			seen_leaf = 1;
			ck_assert_uint_eq(b->depth, 4);
			ck_assert_uint_eq(b->col0, 0);
			ck_assert_uint_ge(b->col1, 33);
			ck_assert_uint_le(b->col1, 34);
		}
		if (!strcmp(sym, "idle_loop")) {
			seen_idle = 1;
			ck_assert_uint_eq(b->depth, 2);
		}
		ck_assert_str_ne(sym, "helper");
	}
	ck_assert(seen_leaf && seen_idle);
	dt_timeline_free(tl);

	/* --tid: the helper thread instead. */
	o.has_tid = 1;
	o.tid = 11;
	ck_assert_msg(dt_timeline_build(&tl, &o, err, sizeof(err)) == 0, "%s", err);
	ck_assert_str_eq(tl->comm, "app-helper");
	int seen_helper = 0;
	for (size_t i = 0; i < tl->nr_boxes; i++)
		seen_helper |= !strcmp(dt_timeline_frame_symbol(tl, tl->boxes[i].frame), "helper");
	ck_assert(seen_helper);
	dt_timeline_free(tl);
	o.tid = 12;
	ck_assert_int_eq(dt_timeline_build(&tl, &o, err, sizeof(err)), -ENOENT);
	ck_assert_ptr_nonnull(strstr(err, "--tid 12"));

	/* A forced offset far away: every sample outside, a warning. */
	o.has_tid = 0;
	o.load.time_offset_set = 1;
	o.load.time_offset_ns = -100000000000ll;
	ck_assert_msg(dt_timeline_build(&tl, &o, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(tl->phase_stacks[0].nr_samples, 0);
	ck_assert_uint_eq(tl->nr_boxes, 0);
	int warned = 0;
	for (size_t i = 0; i < tl->nr_warnings; i++)
		warned |= strstr(tl->warnings[i], "no callstack sample falls inside") != NULL;
	ck_assert(warned);
	dt_timeline_free(tl);
	remove_tmpdir();
}
END_TEST

/* Non-background pixels in rows [y0, y1) of a PNG, in percent. */
static int ink_percent(cairo_surface_t *s, int y0, int y1)
{
	int w = cairo_image_surface_get_width(s), stride = cairo_image_surface_get_stride(s);
	const unsigned char *d = cairo_image_surface_get_data(s);
	long ink = 0;
	for (int y = y0; y < y1; y++)
		for (int x = 0; x < w; x++) {
			uint32_t px;
			memcpy(&px, d + y * stride + x * 4, 4);
			ink += (px & 0xffffff) != 0xffffff;
		}
	return (int)(100 * ink / ((long)w * (y1 - y0)));
}

START_TEST(figure_has_three_panels)
{
	char rec[512], perf[512], png[512], err[512];
	make_tmpdir();
	write_perf(tmp_path(perf, sizeof(perf), "app.perf"));
	write_record(tmp_path(rec, sizeof(rec), "rec.json"));
	struct dt_timeline_opts o;
	struct dt_timeline *tl;
	dt_timeline_opts_default(&o);
	o.load.record_path = rec;
	o.load.perf_script_path = perf;
	ck_assert_msg(dt_timeline_build(&tl, &o, err, sizeof(err)) == 0, "%s", err);
	struct dt_timeline_draw_opts d = { .width = 800, .height = 600 };
	ck_assert_msg(dt_timeline_draw(tl, tmp_path(png, sizeof(png), "t.png"), &d, err,
				       sizeof(err)) == 0, "%s", err);
	cairo_surface_t *s = cairo_image_surface_create_from_png(png);
	ck_assert_int_eq(cairo_surface_status(s), CAIRO_STATUS_SUCCESS);
	ck_assert_int_eq(cairo_image_surface_get_width(s), 1600);
	ck_assert_int_eq(cairo_image_surface_get_height(s), 1200);
	/* Panels share the height 1 : 1.5 : 1.6 below the title; each has ink:
	 * the WSS line and phase shade, the heatmap cells, the flame boxes. */
	ck_assert_int_ge(ink_percent(s, 120, 280), 10);
	ck_assert_int_ge(ink_percent(s, 400, 640), 40);
	ck_assert_int_ge(ink_percent(s, 800, 1050), 15);
	cairo_surface_destroy(s);
	/* An unwritable path is an error naming it. */
	ck_assert_int_lt(dt_timeline_draw(tl, "/nonexistent-dir/t.png", &d, err, sizeof(err)), 0);
	ck_assert_ptr_nonnull(strstr(err, "/nonexistent-dir/t.png"));
	dt_timeline_free(tl);
	remove_tmpdir();
}
END_TEST

START_TEST(bad_inputs)
{
	char path[512], err[512];
	struct dt_timeline_opts o;
	struct dt_timeline *tl = (struct dt_timeline *)1;
	make_tmpdir();
	dt_timeline_opts_default(&o);
	o.load.record_path = tmp_path(path, sizeof(path), "missing.dtr");
	ck_assert_int_lt(dt_timeline_build(&tl, &o, err, sizeof(err)), 0);
	ck_assert_ptr_null(tl);
	ck_assert_ptr_nonnull(strstr(err, "missing.dtr"));

	write_text(tmp_path(path, sizeof(path), "garbage.perf"),
		   "app 10/10 [000] 1.000000: 1000 cpu-clock: \n\t 1 main+0x1 (/bin/app)\n\n"
		   "this is not perf script output\n");
	o.load.record_path = NULL;
	o.load.perf_script_path = path;
	ck_assert_int_lt(dt_timeline_build(&tl, &o, err, sizeof(err)), 0);
	ck_assert_msg(strstr(err, "garbage.perf") && strstr(err, "4"), "%s", err);

	/* Only callstacks: no phases, a figure all the same. */
	write_text(path, "# clockid: monotonic\n"
			 "app 10/10 [000] 1.000000: 1000 cpu-clock: \n\t 1 main+0x1 (/bin/app)\n\n"
			 "app 10/10 [000] 1.001000: 1000 cpu-clock: \n\t 1 main+0x1 (/bin/app)\n");
	ck_assert_msg(dt_timeline_build(&tl, &o, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(tl->has_damon, 0);
	ck_assert_uint_eq(dt_phases_count(tl->phases), 0);
	ck_assert_uint_eq(tl->nr_samples, 2);
	ck_assert_uint_gt(tl->nr_boxes, 0);
	char png[512];
	struct dt_timeline_draw_opts d = { 0 };
	ck_assert_msg(dt_timeline_draw(tl, tmp_path(png, sizeof(png), "s.svg"), &d, err,
				       sizeof(err)) == 0, "%s", err);
	dt_timeline_free(tl);

	/* Neither snapshots nor samples. */
	write_text(path, "# nothing\n");
	ck_assert_int_eq(dt_timeline_build(&tl, &o, err, sizeof(err)), -ENODATA);
	ck_assert_ptr_nonnull(strstr(err, "no DAMON snapshots and no callstack samples"));
	remove_tmpdir();
}
END_TEST

Suite *timeline_suite(void)
{
	Suite *s = suite_create("timeline");
	TCase *tc = tcase_create("timeline");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, synth_phases_match_truth, 0,
			    (int)(sizeof(synth_specs) / sizeof(synth_specs[0])));
	tcase_add_test(tc, vm_record_three_phases);
	tcase_add_test(tc, perf_flame_and_named_function);
	tcase_add_test(tc, figure_has_three_panels);
	tcase_add_test(tc, bad_inputs);
	suite_add_tcase(s, tc);
	return s;
}
