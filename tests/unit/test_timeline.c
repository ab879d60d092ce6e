// SPDX-License-Identifier: GPL-2.0-only
/*
 * damo-timeline's data and figure: phases and their functions against
 * damo-synth's truth, the vm DAMON record, flame chart columns and the
 * thread choice on hand-made perf script text, the function named (by the
 * ranking damo-stacks uses), the report's text and the figure's panels
 * read back.
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
	/* damo-synth's quiet spans (waiting, sampled now and then) are idle:
	 * the phases are the truth's hot ones, no more */
	const struct dt_phase *found[64];
	size_t nf = 0;
	for (size_t k = 0; k < dt_phases_count(tl->phases) && nf < 64; k++)
		found[nf++] = dt_phases_get(tl->phases, k);
	ck_assert_uint_eq(nf, n);
	/* synthetic aggregations jitter by up to 1% */
	uint64_t tol = 2 * AGGR_NS + 2 * AGGR_NS / 100;
	for (size_t k = 0; k < n; k++) {
		const struct dt_phase *p = found[k];
		ck_assert_msg(diff(p->start_ns, truth[k].start) <= tol &&
			      diff(p->end_ns, truth[k].end) <= tol,
			      "phase %zu: %" PRIu64 "-%" PRIu64 ", truth %" PRIu64 "-%" PRIu64, k + 1,
			      p->start_ns, p->end_ns, truth[k].start, truth[k].end);
		ck_assert_ptr_nonnull(p->function);
		ck_assert_str_eq(p->function, truth[k].function);
		ck_assert_uint_gt(p->nr_samples, 0);
		for (size_t i = 1; i < p->nr_top; i++) /* by share, descending */
			ck_assert(p->top[i - 1].share >= p->top[i].share);
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

	/* The text report: the time zero, then one line per segment, each
	 * phase naming its function first and first in top:. */
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);
	ck_assert_int_eq(dt_timeline_print_report(mem, tl), 0);
	fclose(mem);
	ck_assert_msg(!strncmp(text, "# time zero 1000000000000 ns CLOCK_MONOTONIC", 44), "%s", text);
	size_t k = 0;
	for (char *line = text, *eol; (eol = strchr(line, '\n')); line = eol + 1) {
		char want[128];
		*eol = '\0';
		if (strncmp(line, "phase ", 6))
			continue;
		ck_assert_uint_lt(k, n);
		snprintf(want, sizeof(want), ") %s: ", truth[k].function);
		ck_assert_msg(strstr(line, want) && strstr(line, " WSS ") && strstr(line, ", hot 0x"),
			      "line: %s", line);
		snprintf(want, sizeof(want), "; top: %s ", truth[k].function);
		ck_assert_msg(strstr(line, want), "line: %s", line);
		k++;
	}
	ck_assert_uint_eq(k, n);
	free(text);
	uint64_t target_id = tl->heat_target.id;
	size_t nr_phases = dt_phases_count(tl->phases);
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
	ck_assert_uint_eq(dt_phases_count(tl->phases), nr_phases);
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
	/* Three buffers in turn, 1.5 s each, back to back; without maps the
	 * last two make one dense area, read as a sweep (docs/PHASES.md). */
	ck_assert_uint_ge(dt_phases_count(tl->phases), 2);
	for (size_t k = 0; k < dt_phases_count(tl->phases); k++) {
		const struct dt_phase *p = dt_phases_get(tl->phases, k);
		ck_assert_uint_ge(p->end_ns - p->start_ns, 1200000000ull);
		if (k)
			ck_assert_uint_eq(p->start_ns, dt_phases_get(tl->phases, k - 1)->end_ns);
		ck_assert_ptr_null(dt_phases_get(tl->phases, k)->function);
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
	/* [2, 3) s: idle_loop at the full rate, a phase of its own */
	ck_assert_uint_ge(dt_phases_count(tl->phases), 1);
	/* driver is on every stack of the main thread, work on 98% of them,
	 * leaf on 88% (70% of the phase's samples: the helper thread takes a
	 * fifth): leaf, the deepest frame on half of the samples, is named, as
	 * damo-stacks names it (phases.h); top: by share; main (on 80% of all
	 * samples) and the helper thread's own frames are not listed. */
	const struct dt_phase *ps = dt_phases_get(tl->phases, 0);
	ck_assert_str_eq(ps->name, "leaf");
	ck_assert_uint_ge(ps->nr_top, 3); /* and clock_now (2%), when tracked */
	ck_assert_str_eq(ps->top[0].symbol, "driver");
	ck_assert_double_eq_tol(ps->top[0].share, 0.8, 0.01);
	ck_assert_str_eq(ps->top[1].symbol, "work");
	ck_assert_double_eq_tol(ps->top[1].share, 0.784, 0.01);
	ck_assert_str_eq(ps->top[2].symbol, "leaf");
	ck_assert_uint_ge(ps->nr_samples, 1200);
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

	/* --thread: the helper thread instead. */
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
	ck_assert_ptr_nonnull(strstr(err, "--thread 12"));

	/* A forced offset far away: every sample outside, a warning. */
	o.has_tid = 0;
	o.load.time_offset_set = 1;
	o.load.time_offset_ns = -100000000000ll;
	ck_assert_msg(dt_timeline_build(&tl, &o, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(dt_phases_get(tl->phases, 0)->nr_samples, 0);
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

	/* Neither snapshots nor samples: the perf script text says so. */
	write_text(path, "# nothing\n");
	ck_assert_int_eq(dt_timeline_build(&tl, &o, err, sizeof(err)), -ENODATA);
	ck_assert_msg(strstr(err, "garbage.perf: no callstack samples in 1 line ("), "%s", err);
	remove_tmpdir();
}
END_TEST

/* ------------------------------------------------------------ streaming */

/* Copy a record, its callstacks (frames, samples, threads) first, last, or
 * where they were. */
enum stacks_at { STACKS_KEPT, STACKS_FIRST, STACKS_LAST };

static int is_stack_item(const struct dtr_item *it)
{
	return it->type == DTR_ITEM_FRAME || it->type == DTR_ITEM_STACK ||
	       it->type == DTR_ITEM_THREAD;
}

static void copy_record(const char *from, const char *to, enum stacks_at at)
{
	struct dtr_writer *w;
	struct dtr_writer_opts wo = { .no_fsync = 1 };
	char err[256];
	ck_assert_msg(dtr_writer_open(&w, to, &wo, err, sizeof(err)) == 0, "%s", err);
	for (int round = 0; round < (at == STACKS_KEPT ? 1 : 2); round++) {
		struct dtr_reader *r;
		struct dtr_item it;
		int rc;
		ck_assert_msg(dtr_reader_open(&r, from, NULL, err, sizeof(err)) == 0, "%s", err);
		while ((rc = dtr_reader_next(r, &it, err, sizeof(err))) == 1) {
			if (it.type == DTR_ITEM_END)
				continue;
			if (at != STACKS_KEPT && is_stack_item(&it) != ((at == STACKS_FIRST) == !round))
				continue;
			ck_assert_msg(dtr_writer_put(w, &it, err, sizeof(err)) == 0, "%s", err);
		}
		ck_assert_msg(rc == 0, "%s", err);
		dtr_reader_close(r);
	}
	ck_assert_msg(dtr_writer_close(w, err, sizeof(err)) == 0, "%s", err);
}

static char *timeline_json_of(const char *rec, struct dt_timeline **out,
			      enum dt_timeline_draw_range draw)
{
	struct dt_timeline_opts o;
	char err[512], *text = NULL;
	size_t len = 0;
	dt_timeline_opts_default(&o);
	o.load.record_path = rec;
	o.draw_range = draw;
	ck_assert_msg(dt_timeline_build(out, &o, err, sizeof(err)) == 0, "%s", err);
	FILE *f = open_memstream(&text, &len);
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(dt_timeline_print_json(f, *out), 0);
	ck_assert_int_eq(fclose(f), 0);
	return text;
}

static char *timeline_json(const char *rec, struct dt_timeline **out)
{
	return timeline_json_of(rec, out, DT_TIMELINE_WORKED);
}

/* Each phase holds the samples whose times its final span holds (as
 * dt_phases_find tells once the phases are final). */
static void expect_samples_in_spans(const struct dt_timeline *tl, const char *rec)
{
	size_t n = dt_phases_count(tl->phases);
	uint64_t *count = calloc(n + 1, sizeof(*count));
	struct dtr_reader *r;
	struct dtr_item it;
	char err[256];
	int rc;
	ck_assert_ptr_nonnull(count);
	ck_assert_msg(dtr_reader_open(&r, rec, NULL, err, sizeof(err)) == 0, "%s", err);
	while ((rc = dtr_reader_next(r, &it, err, sizeof(err))) == 1) {
		if (it.type != DTR_ITEM_STACK)
			continue;
		long k = dt_phases_find(tl->phases, it.u.stack.time_ns);
		if (k >= 0)
			count[k]++;
	}
	ck_assert_msg(rc == 0, "%s", err);
	dtr_reader_close(r);
	for (size_t k = 0; k < n; k++)
		ck_assert_msg(dt_phases_get(tl->phases, k)->nr_samples == count[k],
			      "phase %zu: %" PRIu64 " samples, %" PRIu64 " in its span", k + 1,
			      dt_phases_get(tl->phases, k)->nr_samples, count[k]);
	free(count);
}

/* The record's callstacks are summed into candidate phases while the
 * snapshots stream by, samples ahead of the snapshots held back, too many
 * of them left to a pass of their own: the same report whatever the order
 * of the items, and each phase has the samples inside its span. */
START_TEST(stacks_phases_whatever_the_order)
{
	/* 2 000 and 8 000 snapshots: 20 000 and 80 000 samples, the latter more
	 * than are ever held back. */
	static const uint64_t sizes[][2] = { { 2000, 20 }, { 8000, 5 } };
	char rec[512], tru[512], other[512];
	struct truth_phase truth[256];
	make_tmpdir();
	write_synth(tmp_path(rec, sizeof(rec), "s.dtr"), tmp_path(tru, sizeof(tru), "t.txt"), 2,
		    sizes[_i][0], sizes[_i][1], truth, 256);
	struct dt_timeline *tl;
	char *want = timeline_json(rec, &tl);
	ck_assert_uint_gt(dt_phases_count(tl->phases), 2);
	ck_assert_uint_ge(tl->nr_record_samples, 9 * sizes[_i][0]);
	expect_samples_in_spans(tl, rec);
	dt_timeline_free(tl);
	static const enum stacks_at orders[] = { STACKS_FIRST, STACKS_LAST };
	for (size_t k = 0; k < 2; k++) {
		copy_record(rec, tmp_path(other, sizeof(other), "o.dtr"), orders[k]);
		char *got = timeline_json(other, &tl);
		ck_assert_msg(!strcmp(want, got), "stacks %s: %s\nwant %s",
			      orders[k] == STACKS_FIRST ? "first" : "last", got, want);
		expect_samples_in_spans(tl, other);
		dt_timeline_free(tl);
		free(got);
	}
	free(want);
	remove_tmpdir();
}
END_TEST

/* Two kdamonds whose aggregations overlap in time (100 and 150 ms): a time
 * judged outside any phase may end up inside a later one, so the samples
 * are attributed once the phases are final. */
START_TEST(stacks_phases_overlapping_aggregations)
{
	char rec[512], err[256];
	struct dtr_writer *w;
	struct dtr_writer_opts wo = { .no_fsync = 1 };
	make_tmpdir();
	ck_assert_msg(dtr_writer_open(&w, tmp_path(rec, sizeof(rec), "k2.dtr"), &wo, err,
				      sizeof(err)) == 0, "%s", err);
	struct dtr_target tg = { .index = 0, .id = 0, .pid = 77, .cmdline = "" };
	for (uint32_t k = 0; k < 2; k++) {
		struct dtr_item it = { .type = DTR_ITEM_CONTEXT };
		it.u.context = (struct dtr_context){ .kdamond = k, .ops = DTR_OPS_VADDR,
						     .nr_targets = 1, .targets = &tg };
		ck_assert_msg(dtr_writer_put(w, &it, err, sizeof(err)) == 0, "%s", err);
		it.type = DTR_ITEM_INTERVALS;
		it.u.intervals = (struct dtr_intervals){ .kdamond = k, .sample_us = 5000,
							 .aggr_us = k ? 150000 : 100000 };
		ck_assert_msg(dtr_writer_put(w, &it, err, sizeof(err)) == 0, "%s", err);
	}
	uint32_t f;
	ck_assert_int_eq(dtr_writer_intern_frame(w, "burst", "/bin/app", "", &f, err, sizeof(err)), 0);
	/* Each kdamond's snapshots in end order; bursts of 2 s every 4 s, and
	 * a sample every 10 ms, written before the snapshots ending after it. */
	const uint64_t t0 = 1000000000ull, span = 40000000000ull;
	uint64_t next[2] = { t0, t0 }, sample = t0;
	for (;;) {
		uint32_t k = next[0] + 100000000ull <= next[1] + 150000000ull ? 0 : 1;
		uint64_t s = next[k], e = s + (k ? 150000000ull : 100000000ull);
		if (e > t0 + span)
			break;
		for (; sample < e; sample += 10000000ull) {
			struct dtr_item it = { .type = DTR_ITEM_STACK };
			it.u.stack = (struct dtr_stack){ .time_ns = sample, .pid = 77, .tid = 77,
							 .weight = 10000000, .nr_frames = 1,
							 .frames = &f };
			ck_assert_msg(dtr_writer_put(w, &it, err, sizeof(err)) == 0, "%s", err);
		}
		int hot = ((s - t0) / 2000000000ull) % 2 == 0;
		struct dtr_region regions[2] = {
			{ 0x555555554000ull, 0x555555954000ull, hot ? 20u : 0u, 1 },
			{ 0x7f0000000000ull + k * 0x10000000ull, 0x7f0000400000ull + k * 0x10000000ull,
			  hot ? 10u : 0u, 1 },
		};
		struct dtr_item it = { .type = DTR_ITEM_SNAPSHOT };
		it.u.snapshot = (struct dtr_snapshot){ .start_ns = s, .end_ns = e, .kdamond = k,
			.access_unit = DTR_UNIT_SAMPLES, .age_unit = DTR_UNIT_AGGREGATIONS,
			.nr_regions = 2, .regions = regions };
		ck_assert_msg(dtr_writer_put(w, &it, err, sizeof(err)) == 0, "%s", err);
		next[k] = e;
	}
	ck_assert_msg(dtr_writer_close(w, err, sizeof(err)) == 0, "%s", err);
	struct dt_timeline *tl;
	char *json = timeline_json(rec, &tl);
	/* one function on every sample: the bursts show in DAMON data only */
	ck_assert_uint_ge(dt_phases_count(tl->phases), 1);
	expect_samples_in_spans(tl, rec);
	uint64_t inside = 0;
	for (size_t k = 0; k < dt_phases_count(tl->phases); k++)
		inside += dt_phases_get(tl->phases, k)->nr_samples;
	ck_assert_uint_gt(inside, 1000);
	dt_timeline_free(tl);
	free(json);
	remove_tmpdir();
}
END_TEST

/* With --draw_range hottest the heatmap is the guide's hottest area, as damo-heatmap
 * finds it (guide pass, heat pass, dt_heat_guide_hottest), also on records
 * whose areas move: mappings growing into the gaps, regions wandering. */
static void guide_hottest(const char *rec, uint64_t *start, uint64_t *end)
{
	struct dt_heat_guides g;
	struct dtr_reader *r;
	struct dtr_item it;
	char err[256];
	int rc;
	memset(&g, 0, sizeof(g));
	for (int pass = 0; pass < 2; pass++) {
		ck_assert_msg(dtr_reader_open(&r, rec, NULL, err, sizeof(err)) == 0, "%s", err);
		while ((rc = dtr_reader_next(r, &it, err, sizeof(err))) == 1)
			ck_assert_int_eq(pass ? dt_heat_guides_add_heat(&g, &it) :
					 dt_heat_guides_add(&g, &it, err, sizeof(err)), 0);
		ck_assert_msg(rc == 0, "%s", err);
		dtr_reader_close(r);
		if (!pass)
			ck_assert_int_eq(dt_heat_guides_finish(&g, err, sizeof(err)), 0);
	}
	const struct dt_heat_guide *gd = &g.v[0];
	size_t h = gd->nr_areas > 1 ? dt_heat_guide_hottest(gd) : 0;
	*start = gd->areas[h].start;
	*end = gd->areas[h].end;
	dt_heat_guides_free(&g);
}

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

START_TEST(heat_range_is_the_guides_hottest)
{
	char rec[512], err[512];
	make_tmpdir();
	uint64_t seed = 0x9e3779b97f4a7c15ull + (uint64_t)_i;
	struct dtr_writer *w;
	struct dtr_writer_opts wo = { .no_fsync = 1 };
	ck_assert_msg(dtr_writer_open(&w, tmp_path(rec, sizeof(rec), "r.dtr"), &wo, err,
				      sizeof(err)) == 0, "%s", err);
	/* Three to six mappings far apart; each snapshot has regions in each
	 * (some may be missing, some edges move into the gaps), random heats. */
	size_t nmaps = 3 + rnd(&seed) % 4;
	uint64_t base[6], size[6];
	for (size_t m = 0; m < nmaps; m++) {
		size[m] = (1 + rnd(&seed) % 64) * 0x10000;
		/* far from the one below, or 30 pages above it: the two may grow
		 * into the gap until they meet */
		if (m && rnd(&seed) % 2)
			base[m] = base[m - 1] + size[m - 1] + 30 * 0x1000;
		else
			base[m] = 0x100000000ull * (m + 1) + (rnd(&seed) % 64) * 0x1000;
	}
	struct dtr_region regions[64];
	for (uint64_t i = 0; i < 60; i++) {
		size_t n = 0;
		uint64_t lo_of[6], hi_of[6];
		for (size_t m = 0; m < nmaps; m++) {
			lo_of[m] = base[m];
			hi_of[m] = base[m] + size[m];
			/* grown into the gap below or above (often to the most it
			 * ever grows, where the final gaps' edges are) */
			if (i && rnd(&seed) % 4 == 0)
				lo_of[m] -= (rnd(&seed) % 2 ? 15 : rnd(&seed) % 16) * 0x1000;
			if (i && rnd(&seed) % 4 == 0)
				hi_of[m] += (rnd(&seed) % 2 ? 15 : rnd(&seed) % 16) * 0x1000;
			if (i && m + 1 < nmaps && rnd(&seed) % 16 == 0) /* up to the next one */
				hi_of[m] = base[m + 1];
		}
		for (size_t m = 0; m < nmaps; m++) {
			if (i && rnd(&seed) % 8 == 0)
				continue; /* not in this snapshot */
			uint64_t lo = lo_of[m], hi = hi_of[m];
			if (m && lo < hi_of[m - 1]) /* touching the one below */
				lo = hi_of[m - 1];
			if (hi <= lo)
				continue;
			uint64_t cut = lo + ((hi - lo) / 0x1000 / 2) * 0x1000;
			uint32_t acc = (uint32_t)(rnd(&seed) % 3 ? rnd(&seed) % 20 : 0);
			regions[n++] = (struct dtr_region){ lo, cut, acc, 1 };
			regions[n++] = (struct dtr_region){ cut, hi, (uint32_t)(rnd(&seed) % 20), 1 };
		}
		struct dtr_item it = { .type = DTR_ITEM_SNAPSHOT };
		it.u.snapshot = (struct dtr_snapshot){ .start_ns = 1000000000ull + i * 100000000ull,
			.end_ns = 1100000000ull + i * 100000000ull, .access_unit = DTR_UNIT_SAMPLES,
			.age_unit = DTR_UNIT_AGGREGATIONS, .nr_regions = n, .regions = regions };
		ck_assert_msg(dtr_writer_put(w, &it, err, sizeof(err)) == 0, "%s", err);
	}
	ck_assert_msg(dtr_writer_close(w, err, sizeof(err)) == 0, "%s", err);
	uint64_t start, end;
	guide_hottest(rec, &start, &end);
	struct dt_timeline *tl;
	char *json = timeline_json_of(rec, &tl, DT_TIMELINE_HOTTEST);
	ck_assert_int_eq(tl->has_grid, 1);
	ck_assert_str_eq(tl->heat_choice, "hottest");
	ck_assert_msg(tl->heat_start == start && tl->heat_end == end,
		      "seed %d: timeline %" PRIx64 "-%" PRIx64 ", guide %" PRIx64 "-%" PRIx64, _i,
		      tl->heat_start, tl->heat_end, start, end);
	dt_timeline_free(tl);
	free(json);
	remove_tmpdir();
}
END_TEST

/* Which record passes the timeline reported (progress every 4096 items). */
static void note_pass(void *ctx, const char *stage, uint64_t items)
{
	int *seen = ctx;
	(void)items;
	for (int k = 1; k <= 3; k++) {
		char name[32];
		snprintf(name, sizeof(name), "record pass %d", k);
		if (!strcmp(stage, name))
			seen[k] = 1;
	}
}

/* The hottest area's heats are heatmap.c's (dt_heat_guides_finish), known
 * after the guide's pass whenever damo-heatmap knows them there: here a
 * mapping that appears after the first snapshot (accesses before the
 * first gaps), 5000 snapshots so that each pass reports its progress.  The
 * heatmap is the guide's hottest area, drawn in the second pass: the
 * record is read twice, not three times. */
START_TEST(hottest_area_known_after_the_guide)
{
	char rec[512], err[512];
	make_tmpdir();
	struct dtr_writer *w;
	struct dtr_writer_opts wo = { .no_fsync = 1 };
	ck_assert_msg(dtr_writer_open(&w, tmp_path(rec, sizeof(rec), "r.dtr"), &wo, err,
				      sizeof(err)) == 0, "%s", err);
	const uint64_t A = 0x100000000ull, C = 0x300000000ull;
	for (uint64_t i = 0; i < 5000; i++) {
		struct dtr_region regions[2] = {
			{ A, A + 0x400000, 5, 1 },
			{ C, C + 0x10000, 10, 1 },
		};
		struct dtr_item it = { .type = DTR_ITEM_SNAPSHOT };
		it.u.snapshot = (struct dtr_snapshot){ .start_ns = 1000000000ull + i * AGGR_NS,
			.end_ns = 1000000000ull + (i + 1) * AGGR_NS, .access_unit = DTR_UNIT_SAMPLES,
			.age_unit = DTR_UNIT_AGGREGATIONS, .nr_regions = i ? 2 : 1, .regions = regions };
		ck_assert_msg(dtr_writer_put(w, &it, err, sizeof(err)) == 0, "%s", err);
	}
	ck_assert_msg(dtr_writer_close(w, err, sizeof(err)) == 0, "%s", err);
	uint64_t start, end;
	guide_hottest(rec, &start, &end);
	ck_assert_uint_eq(start, C);
	struct dt_timeline_opts o;
	struct dt_timeline *tl;
	int seen[4] = { 0 };
	dt_timeline_opts_default(&o);
	o.load.record_path = rec;
	o.draw_range = DT_TIMELINE_HOTTEST;
	o.progress = note_pass;
	o.progress_ctx = seen;
	ck_assert_msg(dt_timeline_build(&tl, &o, err, sizeof(err)) == 0, "%s", err);
	ck_assert_str_eq(tl->heat_choice, "hottest");
	ck_assert_uint_eq(tl->heat_start, start);
	ck_assert_uint_eq(tl->heat_end, end);
	ck_assert_msg(seen[1] && seen[2] && !seen[3], "record passes reported: %d %d %d",
		      seen[1], seen[2], seen[3]);
	dt_timeline_free(tl);
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
	tcase_add_loop_test(tc, stacks_phases_whatever_the_order, 0, 2);
	tcase_add_test(tc, stacks_phases_overlapping_aggregations);
	tcase_add_loop_test(tc, heat_range_is_the_guides_hottest, 0, 200);
	tcase_add_test(tc, hottest_area_known_after_the_guide);
	suite_add_tcase(s, tc);
	return s;
}
