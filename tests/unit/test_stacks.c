// SPDX-License-Identifier: GPL-2.0-only
/*
 * Callstack model, clock alignment and the exports on small hand-made
 * profiles whose right answer can be written down.
 */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock_align.h"
#include "perf_script.h"
#include "stacks.h"
#include "json_writer.h"
#include "stacks_out.h"
#include "stacks_profile.h"

static struct dt_stacks *new_stacks(void)
{
	struct dt_stacks *st;
	char err[256];
	ck_assert_int_eq(dt_stacks_new(&st, err, sizeof(err)), 0);
	return st;
}

static int add(struct dt_stacks *st, uint64_t time_ns, uint32_t thread, uint64_t weight,
	       uint32_t nr_frames, const uint32_t *frames)
{
	char err[256];
	return dt_stacks_add(st, time_ns, thread, weight, nr_frames, frames, err, sizeof(err));
}

static void finish_stacks(struct dt_stacks *st)
{
	char err[256];
	ck_assert_msg(dt_stacks_finish(st, err, sizeof(err)) == 0, "%s", err);
}

/* The samples in time order (at most cap); returns how many there are. */
static size_t read_samples(const struct dt_stacks *st, struct dt_stack_sample *out, size_t cap)
{
	struct dt_stacks_iter it;
	struct dt_stack_sample s;
	char err[256];
	size_t n = 0;
	int rc;
	dt_stacks_iter_init(&it, st, 0, dt_stacks_nr_samples(st));
	while ((rc = dt_stacks_iter_next(&it, &s, err, sizeof(err))) > 0) {
		if (n < cap)
			out[n] = s;
		n++;
	}
	ck_assert_msg(rc == 0, "%s", err);
	return n;
}

static uint32_t frame(struct dt_stacks *st, const char *sym)
{
	uint32_t id;
	ck_assert_int_eq(dt_stacks_intern_frame(st, sym, "/bin/app", "", &id), 0);
	return id;
}

START_TEST(paths_are_shared_prefix_trees)
{
	struct dt_stacks *st = new_stacks();
	uint32_t m = frame(st, "main"), a = frame(st, "a"), b = frame(st, "b"), th;
	ck_assert_uint_eq(frame(st, "main"), m);
	ck_assert_int_eq(dt_stacks_thread_index(st, 1, 2, "app", &th), 0);
	uint32_t s1[] = { a, m }, s2[] = { b, m }, s3[] = { b, a, m };
	ck_assert_int_eq(add(st, 30, th, 5, 2, s1), 0);
	ck_assert_int_eq(add(st, 10, th, 5, 2, s2), 0);
	ck_assert_int_eq(add(st, 20, th, 0, 3, s3), 0);
	ck_assert_int_eq(add(st, 40, th, 5, 0, NULL), 0);
	uint32_t bad[] = { 99 };
	ck_assert_int_eq(add(st, 50, th, 5, 1, bad), -EINVAL);
	/* root, main, main>a, main>b, main>a>b */
	ck_assert_uint_eq(dt_stacks_nr_nodes(st), 5);
	finish_stacks(st);
	struct dt_stack_sample s[8];
	ck_assert_uint_eq(dt_stacks_nr_samples(st), 4);
	ck_assert_uint_eq(read_samples(st, s, 8), 4);
	ck_assert_uint_eq(s[0].time_ns, 10);
	ck_assert_uint_eq(s[1].time_ns, 20);
	ck_assert_uint_eq(s[3].node, 0);
	/* The unknown weight is the median interval of the thread: 10. */
	ck_assert_uint_eq(s[1].weight, 10);
	uint32_t path[8];
	ck_assert_uint_eq(dt_stacks_path(st, s[1].node, path, 8), 3);
	ck_assert_uint_eq(path[0], m);
	ck_assert_uint_eq(path[1], a);
	ck_assert_uint_eq(path[2], b);
	ck_assert_uint_eq(dt_stacks_node(st, s[1].node)->depth, 3);
	ck_assert_int_eq(dt_stacks_weight_is_time(st), 1);
	uint64_t first, last;
	ck_assert_int_eq(dt_stacks_time_range(st, &first, &last), 1);
	ck_assert_uint_eq(first, 10);
	ck_assert_uint_eq(last, 40);
	ck_assert_str_eq(dt_stacks_thread(st, th)->comm, "app");
	dt_stacks_free(st);
}
END_TEST

START_TEST(record_items_map_frame_ids)
{
	struct dt_stacks *st = new_stacks();
	char err[256];
	uint32_t x;
	frame(st, "already_here");
	struct dtr_item it = { .type = DTR_ITEM_FRAME };
	it.u.frame = (struct dtr_frame){ 0, "main", "/bin/r", "" };
	ck_assert_int_eq(dt_stacks_add_item(st, &it, 0, err, sizeof(err)), 0);
	it.u.frame = (struct dtr_frame){ 1, "work", "/bin/r", "r.c:3" };
	ck_assert_int_eq(dt_stacks_add_item(st, &it, 0, err, sizeof(err)), 0);
	it.type = DTR_ITEM_THREAD;
	it.u.thread = (struct dtr_thread){ 5, 6, "rec" };
	ck_assert_int_eq(dt_stacks_add_item(st, &it, 0, err, sizeof(err)), 0);
	uint32_t frames[] = { 1, 0 };
	it.type = DTR_ITEM_STACK;
	it.u.stack = (struct dtr_stack){ 1000, 5, 6, 0, 77, 2, frames };
	ck_assert_int_eq(dt_stacks_add_item(st, &it, -400, err, sizeof(err)), 0);
	uint32_t undefined[] = { 7 };
	it.u.stack.frames = undefined;
	it.u.stack.nr_frames = 1;
	ck_assert_int_eq(dt_stacks_add_item(st, &it, 0, err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, "frame 7") != NULL, "%s", err);
	finish_stacks(st);
	struct dt_stack_sample s[2];
	ck_assert_uint_eq(read_samples(st, s, 2), 1);
	ck_assert_uint_eq(s[0].time_ns, 600);
	ck_assert_uint_eq(s[0].weight, 77);
	ck_assert_str_eq(dt_stacks_thread(st, s[0].thread)->comm, "rec");
	uint32_t path[4];
	dt_stacks_path(st, s[0].node, path, 4);
	ck_assert_str_eq(dt_stacks_frame_symbol(st, path[0]), "main");
	ck_assert_str_eq(dt_stacks_frame_symbol(st, path[1]), "work");
	ck_assert_str_eq(dt_stacks_frame_srcline(st, path[1]), "r.c:3");
	ck_assert_int_eq(dt_stacks_intern_frame(st, "main", "/bin/r", "", &x), 0);
	ck_assert_uint_eq(x, path[0]);
	dt_stacks_free(st);
}
END_TEST

static void readings(struct dt_clock_readings *cr, uint64_t mono0, uint64_t perf0,
		     uint64_t mono1, uint64_t perf1, uint32_t has)
{
	struct dtr_item it = { .type = DTR_ITEM_CLOCKS };
	dt_clock_readings_init(cr);
	it.u.clocks = (struct dtr_clocks){ DTR_CLOCK_MONOTONIC, "start", has, mono0, perf0, 0 };
	dt_clock_readings_add(cr, &it);
	it.u.clocks = (struct dtr_clocks){ DTR_CLOCK_MONOTONIC, "end", has, mono1, perf1, 0 };
	dt_clock_readings_add(cr, &it);
	struct dtr_item snap = { .type = DTR_ITEM_SNAPSHOT };
	snap.u.snapshot.start_ns = mono0;
	snap.u.snapshot.end_ns = mono1;
	dt_clock_readings_add(cr, &snap);
}

START_TEST(clock_alignment_decisions)
{
	struct dt_clock_readings cr;
	struct dt_align_result r;
	struct dt_align_request q = { 0 };
	const uint32_t both = DTR_HAS_MONOTONIC | DTR_HAS_PERF;

	/* perf_clock 5 s behind monotonic (e.g. suspend time). */
	readings(&cr, 100e9, 95e9, 110e9, 105e9, both);

	q.samples_clock = DTR_CLOCK_PERF;
	dt_clock_align(&cr, &q, &r);
	ck_assert_int_eq(r.method, DT_ALIGN_READINGS);
	ck_assert_int_eq(r.offset_ns, 5000000000ll);

	q.samples_clock = DTR_CLOCK_MONOTONIC; /* perf record -k mono */
	dt_clock_align(&cr, &q, &r);
	ck_assert_int_eq(r.method, DT_ALIGN_SAME_CLOCK);
	ck_assert_int_eq(r.offset_ns, 0);

	/* Unknown clock: samples at 96-104 s fit the record only as perf_clock. */
	q.samples_clock = DTR_CLOCK_UNKNOWN;
	q.have_samples = 1;
	q.samples_first_ns = 96e9;
	q.samples_last_ns = 104e9;
	dt_clock_align(&cr, &q, &r);
	ck_assert_int_eq(r.method, DT_ALIGN_GUESSED);
	ck_assert_int_eq(r.offset_ns, 5000000000ll);
	ck_assert_int_eq(r.samples_clock, DTR_CLOCK_PERF);
	/* ... samples at 101-109 s fit it as they are. */
	q.samples_first_ns = 101e9;
	q.samples_last_ns = 109e9;
	dt_clock_align(&cr, &q, &r);
	ck_assert_int_eq(r.method, DT_ALIGN_GUESSED);
	ck_assert_int_eq(r.offset_ns, 0);
	ck_assert_str_eq(r.warning, "");

	/* Far away on every clock: a warning, times kept. */
	q.samples_first_ns = 1e9;
	q.samples_last_ns = 2e9;
	dt_clock_align(&cr, &q, &r);
	ck_assert_int_eq(r.method, DT_ALIGN_UNALIGNED);
	ck_assert_msg(strstr(r.warning, "--time-offset") != NULL, "%s", r.warning);

	/* perf_clock samples, but the record has no perf readings. */
	readings(&cr, 100e9, 0, 110e9, 0, DTR_HAS_MONOTONIC);
	q.samples_clock = DTR_CLOCK_PERF;
	dt_clock_align(&cr, &q, &r);
	ck_assert_int_eq(r.method, DT_ALIGN_UNALIGNED);
	ck_assert_msg(strstr(r.warning, "no reading") != NULL, "%s", r.warning);

	/* Forced wins over everything. */
	q.forced = 1;
	q.offset_ns = -1500000000;
	dt_clock_align(&cr, &q, &r);
	ck_assert_int_eq(r.method, DT_ALIGN_FORCED);
	ck_assert_int_eq(r.offset_ns, -1500000000);

	/* No record at all: nothing to align to. */
	dt_clock_readings_init(&cr);
	q.forced = 0;
	dt_clock_align(&cr, &q, &r);
	ck_assert_int_eq(r.method, DT_ALIGN_NONE);

	int64_t off;
	ck_assert_int_eq(dt_parse_time_offset("-1.5s", &off), 0);
	ck_assert_int_eq(off, -1500000000);
	ck_assert_int_eq(dt_parse_time_offset("+250ms", &off), 0);
	ck_assert_int_eq(off, 250000000);
	ck_assert_int_eq(dt_parse_time_offset("1000", &off), 0);
	ck_assert_int_eq(off, 1000);
	ck_assert_int_eq(dt_parse_time_offset("--1s", &off), -EINVAL);
	ck_assert_int_eq(dt_parse_time_offset("soon", &off), -EINVAL);
}
END_TEST

/* A profile without a record: two threads, known samples; their records
 * in memory, or in a temporary file from the first one (memory 0). */
static struct dt_stacks_profile *hand_profile_in(size_t memory)
{
	struct dt_stacks_profile *p = calloc(1, sizeof(*p));
	char err[256];
	ck_assert_ptr_nonnull(p);
	p->stacks = new_stacks();
	dt_stacks_set_memory(p->stacks, memory);
	ck_assert_int_eq(dt_phases_new(&p->phases, NULL, err, sizeof(err)), 0);
	ck_assert_int_eq(dt_phases_finish(p->phases, err, sizeof(err)), 0);
	struct dt_stacks *st = p->stacks;
	uint32_t m = frame(st, "main"), f = frame(st, "f;odd \"name\""), g = frame(st, "g");
	uint32_t t1, t2;
	ck_assert_int_eq(dt_stacks_thread_index(st, 10, 10, "app", &t1), 0);
	ck_assert_int_eq(dt_stacks_thread_index(st, 10, 11, "worker", &t2), 0);
	uint32_t mf[] = { f, m }, mg[] = { g, m }, mfg[] = { g, f, m };
	/* t1: f f g | idle | f;  t2: g f>g */
	ck_assert_int_eq(add(st, 1000000, t1, 1000000, 2, mf), 0);
	ck_assert_int_eq(add(st, 2000000, t1, 1000000, 2, mf), 0);
	ck_assert_int_eq(add(st, 3000000, t1, 1000000, 2, mg), 0);
	ck_assert_int_eq(add(st, 9000000, t1, 1000000, 2, mf), 0);
	ck_assert_int_eq(add(st, 1500000, t2, 1000000, 2, mg), 0);
	ck_assert_int_eq(add(st, 2500000, t2, 1000000, 3, mfg), 0);
	finish_stacks(st);
	p->origin_ns = 1000000;
	return p;
}

static struct dt_stacks_profile *hand_profile(void)
{
	return hand_profile_in(DT_RECORDS_MEMORY_DEFAULT);
}

static char *write_to_string(enum dt_stacks_format f, struct dt_stacks_profile *p)
{
	char *buf = NULL, err[256];
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	ck_assert_ptr_nonnull(out);
	struct dt_stacks_out_opts o = { .name = "hand" };
	ck_assert_msg(dt_stacks_write(out, f, p, &o, err, sizeof(err)) == 0, "%s", err);
	fclose(out);
	return buf;
}

START_TEST(folded_output)
{
	struct dt_stacks_profile *p = hand_profile();
	char *text = write_to_string(DT_STACKS_FOLDED, p);
	/* Summed periods; ';' in a name is ':', quotes go (stackcollapse-perf.pl). */
	ck_assert_str_eq(text,
			 "app;main;f:odd name 3000000\n"
			 "app;main;g 1000000\n"
			 "worker;main;f:odd name;g 1000000\n"
			 "worker;main;g 1000000\n");
	free(text);
	struct dt_stacks_out_opts o = { .weight_samples = 1, .with_tid = 1 };
	char *buf = NULL, err[256];
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	ck_assert_msg(dt_out_folded(out, p, &o, err, sizeof(err)) == 0, "%s", err);
	fclose(out);
	ck_assert_str_eq(buf, "app-10/10;main;f:odd name 3\n"
			      "app-10/10;main;g 1\n"
			      "worker-10/11;main;f:odd name;g 1\n"
			      "worker-10/11;main;g 1\n");
	free(buf);
	dt_stacks_profile_free(p);
}
END_TEST

START_TEST(trace_event_merges_contiguous_samples)
{
	struct dt_stacks_profile *p = hand_profile();
	char *text = write_to_string(DT_STACKS_TRACE_EVENT, p);
	/* Thread app: main spans the three contiguous samples (0-3 ms), f the
	 * first two (0-2 ms), g the third; after the idle gap, main and f
	 * again (8-9 ms).  Times in us from the origin (1 ms). */
	ck_assert_msg(strstr(text, "{\"ph\":\"X\",\"pid\":10,\"tid\":10,\"cat\":\"stack\",\"name\":\"main\","
				   "\"ts\":0.000,\"dur\":3000.000,") != NULL, "%s", text);
	ck_assert_msg(strstr(text, "\"name\":\"f;odd \\\"name\\\"\",\"ts\":0.000,\"dur\":2000.000,") != NULL,
		      "%s", text);
	ck_assert_msg(strstr(text, "\"name\":\"g\",\"ts\":2000.000,\"dur\":1000.000,") != NULL, "%s", text);
	ck_assert_msg(strstr(text, "\"name\":\"main\",\"ts\":8000.000,\"dur\":1000.000,") != NULL, "%s",
		      text);
	ck_assert_msg(strstr(text, "{\"ph\":\"M\",\"pid\":10,\"tid\":11,\"name\":\"thread_name\","
				   "\"args\":{\"name\":\"worker-11\"}}") != NULL, "%s", text);
	/* Worker: main over both samples (0.5-2.5 ms), g then f>g. */
	ck_assert_msg(strstr(text, "\"tid\":11,\"cat\":\"stack\",\"name\":\"main\",\"ts\":500.000,"
				   "\"dur\":2000.000") != NULL, "%s", text);
	/* No DAMON data: no counter, no phases. */
	ck_assert_ptr_null(strstr(text, "\"ph\":\"C\""));
	free(text);
	dt_stacks_profile_free(p);
}
END_TEST

START_TEST(speedscope_profiles_per_thread)
{
	struct dt_stacks_profile *p = hand_profile();
	char *text = write_to_string(DT_STACKS_SPEEDSCOPE, p);
	static const char head[] = "{\"$schema\":\"https://www.speedscope.app/file-format-schema.json\","
				   "\"name\":\"hand\",";
	ck_assert_msg(!strncmp(text, head, sizeof(head) - 1), "%s", text);
	/* Frames once each: main 0, f 1, g 2, then the synthetic ones. */
	ck_assert_msg(strstr(text, "\"shared\":{\"frames\":[{\"name\":\"main\",\"file\":\"/bin/app\"},"
				   "{\"name\":\"f;odd \\\"name\\\"\",\"file\":\"/bin/app\"},"
				   "{\"name\":\"g\",\"file\":\"/bin/app\"},{\"name\":\"[outside phases]\"},"
				   "{\"name\":\"[no callstack]\"}]}") != NULL, "%s", text);
	ck_assert_msg(strstr(text, "{\"type\":\"sampled\",\"name\":\"app-10\",\"unit\":\"nanoseconds\","
				   "\"startValue\":0,\"endValue\":4000000,"
				   "\"samples\":[[0,1],[0,1],[0,2],[0,1]],"
				   "\"weights\":[1000000,1000000,1000000,1000000]}") != NULL, "%s", text);
	ck_assert_msg(strstr(text, "\"name\":\"worker-11\"") != NULL, "%s", text);
	ck_assert_msg(strstr(text, "\"activeProfileIndex\":0") != NULL, "%s", text);
	free(text);
	dt_stacks_profile_free(p);
}
END_TEST

/* Every export is the same whether the samples stayed in memory or went
 * through temporary files. */
START_TEST(exports_do_not_depend_on_the_spool)
{
	static const enum dt_stacks_format formats[] = {
		DT_STACKS_SPEEDSCOPE, DT_STACKS_TRACE_EVENT, DT_STACKS_FOLDED
	};
	struct dt_stacks_profile *mem = hand_profile(), *file = hand_profile_in(0);
	for (size_t i = 0; i < 3; i++) {
		char *a = write_to_string(formats[i], mem), *b = write_to_string(formats[i], file);
		ck_assert_str_eq(a, b);
		free(a);
		free(b);
	}
	dt_stacks_profile_free(mem);
	dt_stacks_profile_free(file);
}
END_TEST

/* Samples of one thread added out of order come out in time order, each
 * thread its own profile, whatever the spool. */
START_TEST(speedscope_sorts_samples_added_out_of_order)
{
	struct dt_stacks_profile *p = calloc(1, sizeof(*p));
	char err[256];
	ck_assert_ptr_nonnull(p);
	p->stacks = new_stacks();
	dt_stacks_set_memory(p->stacks, _i ? 0 : DT_RECORDS_MEMORY_DEFAULT);
	ck_assert_int_eq(dt_phases_new(&p->phases, NULL, err, sizeof(err)), 0);
	ck_assert_int_eq(dt_phases_finish(p->phases, err, sizeof(err)), 0);
	struct dt_stacks *st = p->stacks;
	uint32_t m = frame(st, "main"), a = frame(st, "a"), b = frame(st, "b"), t1, t2;
	ck_assert_int_eq(dt_stacks_thread_index(st, 1, 1, "one", &t1), 0);
	ck_assert_int_eq(dt_stacks_thread_index(st, 1, 2, "two", &t2), 0);
	uint32_t ma[] = { a, m }, mb[] = { b, m };
	ck_assert_int_eq(add(st, 3000, t1, 30, 2, mb), 0);
	ck_assert_int_eq(add(st, 1000, t2, 5, 2, ma), 0);
	ck_assert_int_eq(add(st, 1000, t1, 10, 2, ma), 0);
	ck_assert_int_eq(add(st, 2000, t1, 20, 1, &m), 0);
	/* Same time, thread and path as the second sample of t1: after it. */
	ck_assert_int_eq(add(st, 1000, t1, 11, 2, ma), 0);
	ck_assert_int_eq(add(st, 500, t2, 6, 2, mb), 0);
	finish_stacks(st);
	p->origin_ns = 500;
	char *text = write_to_string(DT_STACKS_SPEEDSCOPE, p);
	ck_assert_msg(strstr(text, "\"profiles\":[{\"type\":\"sampled\",\"name\":\"one-1\","
				   "\"unit\":\"nanoseconds\",\"startValue\":0,\"endValue\":71,"
				   "\"samples\":[[0,1],[0,1],[0],[0,2]],\"weights\":[10,11,20,30]},"
				   "{\"type\":\"sampled\",\"name\":\"two-2\","
				   "\"unit\":\"nanoseconds\","
				   "\"startValue\":0,\"endValue\":11,\"samples\":[[0,2],[0,1]],"
				   "\"weights\":[6,5]}]}") != NULL, "%s", text);
	free(text);
	text = write_to_string(DT_STACKS_FOLDED, p);
	ck_assert_str_eq(text, "one;main 20\none;main;a 21\none;main;b 30\n"
			       "two;main;a 5\ntwo;main;b 6\n");
	free(text);
	dt_stacks_profile_free(p);
}
END_TEST

/* Two samples at one instant: the second closes slices the first opened
 * and opens one of its own at a lower depth.  Slices are listed by start,
 * then depth: main, a, c, b (not in the order they opened). */
START_TEST(trace_event_orders_slices_of_one_instant_by_depth)
{
	struct dt_stacks_profile *p = calloc(1, sizeof(*p));
	char err[256];
	ck_assert_ptr_nonnull(p);
	p->stacks = new_stacks();
	dt_stacks_set_memory(p->stacks, _i ? 0 : DT_RECORDS_MEMORY_DEFAULT);
	ck_assert_int_eq(dt_phases_new(&p->phases, NULL, err, sizeof(err)), 0);
	ck_assert_int_eq(dt_phases_finish(p->phases, err, sizeof(err)), 0);
	struct dt_stacks *st = p->stacks;
	uint32_t m = frame(st, "main"), a = frame(st, "a"), b = frame(st, "b"), c = frame(st, "c");
	uint32_t th;
	ck_assert_int_eq(dt_stacks_thread_index(st, 9, 9, "t", &th), 0);
	uint32_t mab[] = { b, a, m }, mc[] = { c, m };
	ck_assert_int_eq(add(st, 1000, th, 1000, 3, mab), 0);
	ck_assert_int_eq(add(st, 1000, th, 1000, 2, mc), 0);
	ck_assert_int_eq(add(st, 2000, th, 1000, 2, mc), 0);
	finish_stacks(st);
	p->origin_ns = 1000;
	char *text = write_to_string(DT_STACKS_TRACE_EVENT, p);
	const char *want[] = { "\"name\":\"main\",\"ts\":0.000,\"dur\":2.000",
			       "\"name\":\"a\",\"ts\":0.000,\"dur\":0.000",
			       "\"name\":\"c\",\"ts\":0.000,\"dur\":2.000",
			       "\"name\":\"b\",\"ts\":0.000,\"dur\":0.000" };
	const char *at = text;
	for (size_t i = 0; i < 4; i++) {
		const char *hit = strstr(at, want[i]);
		ck_assert_msg(hit != NULL, "%s not after %.40s in %s", want[i], at, text);
		at = hit + 1;
	}
	free(text);
	dt_stacks_profile_free(p);
}
END_TEST

START_TEST(json_strings_always_parse)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	dt_json_string(out, "a\"b\\c\n\x01 caf\xc3\xa9 bad\xff\xc3");
	fclose(out);
	ck_assert_str_eq(buf, "\"a\\\"b\\\\c\\u000a\\u0001 caf\xc3\xa9 bad\\ufffd\\ufffd\"");
	free(buf);
}
END_TEST

START_TEST(shared_options)
{
	struct dt_stacks_load_opts o;
	char err[256];
	dt_stacks_load_opts_default(&o);
	ck_assert_int_eq(dt_stacks_load_set_option(&o, "phase-call-effect", "0.2", err, sizeof(err)), 1);
	ck_assert(o.phase.seg.call_effect > 0.19 && o.phase.seg.call_effect < 0.21);
	ck_assert_int_eq(dt_stacks_load_set_option(&o, "phase-memory-effect", "0.4", err, sizeof(err)),
			 1);
	ck_assert(o.phase.seg.memory_effect > 0.39 && o.phase.seg.memory_effect < 0.41);
	ck_assert_int_eq(dt_stacks_load_set_option(&o, "time-offset", "-2ms", err, sizeof(err)), 1);
	ck_assert_int_eq(o.time_offset_set, 1);
	ck_assert_int_eq(o.time_offset_ns, -2000000);
	ck_assert_int_eq(dt_stacks_load_set_option(&o, "perf-clock", "mono", err, sizeof(err)), 1);
	ck_assert_int_eq(o.perf_clock, DTR_CLOCK_MONOTONIC);
	ck_assert_int_eq(dt_stacks_load_set_option(&o, "phase-call-effect", "1.5", err, sizeof(err)),
			 -EINVAL);
	ck_assert_msg(strstr(err, "--phase-call-effect") != NULL, "%s", err);
	ck_assert_int_eq(dt_stacks_load_set_option(&o, "event", "task-clock", err, sizeof(err)), 1);
	ck_assert_str_eq(o.event, "task-clock");
	ck_assert_int_eq(dt_stacks_load_set_option(&o, "event", "", err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(dt_stacks_load_set_option(&o, "not-ours", "1", err, sizeof(err)), 0);
	size_t n = 0;
	while (dt_stacks_options[n].name)
		n++;
	ck_assert_uint_ge(n, 6);
}
END_TEST

/* A thread renamed back and forth (exec, prctl) has one index per name;
 * a sample without a comm (a record's) is the thread's current name. */
START_TEST(threads_have_an_index_per_name)
{
	struct dt_stacks *st = new_stacks();
	uint32_t a, b, a2, cur, other;
	ck_assert_int_eq(dt_stacks_thread_index(st, 1, 2, "", &a), 0);
	ck_assert_int_eq(dt_stacks_thread_index(st, 1, 2, "first", &a2), 0);
	ck_assert_uint_eq(a2, a); /* named only now: the same index */
	ck_assert_int_eq(dt_stacks_thread_index(st, 1, 2, "second", &b), 0);
	ck_assert_uint_ne(b, a);
	ck_assert_int_eq(dt_stacks_thread_index(st, 1, 2, NULL, &cur), 0);
	ck_assert_uint_eq(cur, b);
	ck_assert_int_eq(dt_stacks_thread_index(st, 1, 2, "first", &a2), 0);
	ck_assert_uint_eq(a2, a);
	ck_assert_int_eq(dt_stacks_thread_index(st, 1, 2, "second", &cur), 0);
	ck_assert_uint_eq(cur, b);
	ck_assert_int_eq(dt_stacks_thread_index(st, 1, 3, "first", &other), 0);
	ck_assert_uint_eq(dt_stacks_nr_threads(st), 3);
	ck_assert_str_eq(dt_stacks_thread(st, a)->comm, "first");
	ck_assert_str_eq(dt_stacks_thread(st, b)->comm, "second");
	ck_assert_int_eq(dt_stacks_thread(st, b)->tid, 2);
	dt_stacks_free(st);
}
END_TEST

/* Of a perf script text with two events, one event's samples: the first
 * one's by default, with a notice naming the other; a named one; none. */
START_TEST(perf_script_one_event)
{
	static const char text[] =
		"p 1 1.0: 10 cpu-clock: \n\t1 f (/x)\n\n"
		"p 1 1.1: 10 task-clock: \n\t1 g (/x)\n\n"
		"p 1 1.2: 10 cpu-clock: \n\t1 f (/x)\n\n";
	char dir[] = "/tmp/dt-event-XXXXXX", path[64], err[256];
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/p.txt", dir);
	FILE *f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
	const char *events[] = { NULL, "task-clock", "cycles" };
	size_t want[] = { 2, 1, 0 };
	for (int i = 0; i < 3; i++) {
		struct dt_stacks *st = new_stacks();
		struct dt_stacks_perf_opts o = { .event = events[i] };
		int rc = dt_stacks_add_perf_script_opts(st, path, &o, err, sizeof(err));
		ck_assert_uint_eq(dt_stacks_nr_samples(st), want[i]);
		if (i == 0)
			ck_assert_msg(strstr(o.notice, "samples of cpu-clock only") &&
				      strstr(o.notice, "1 sample of task-clock"), "%s", o.notice);
		if (i == 1)
			ck_assert_str_eq(o.notice, ""); /* named: nothing to tell */
		if (i == 2) {
			ck_assert_int_eq(rc, -ENODATA);
			ck_assert_msg(strstr(err, "no samples of event 'cycles'") &&
				      strstr(err, "cpu-clock, task-clock"), "%s", err);
		} else {
			ck_assert_msg(rc == 0, "%s", err);
		}
		dt_stacks_free(st);
	}
	unlink(path);
	rmdir(dir);
}
END_TEST

static const char emit_text[] =
	"app 10/10 [000] 1.000000: 1000 cpu-clock: \n\t1 f+0x1 (/bin/app)\n\t2 main+0x2 (/bin/app)\n\n"
	"app 10/11 [001] 1.000500: 1000 cpu-clock: \n\t3 g+0x1 (/bin/app)\n\t2 main+0x2 (/bin/app)\n\n"
	"app 10/10 [000] 1.001000: 1000 cpu-clock: \n\t1 f+0x9 (/bin/app)\n\t2 main+0x2 (/bin/app)\n\n"
	"renamed 10/10 [000] 1.002000: 1000 cpu-clock: \n\t4 h (/lib/x.so)\n\t2 main+0x2 (/bin/app)\n\n";

struct collected {
	char types[64];
	size_t n;
};

static int collect(void *ctx, const struct dtr_item *it, char *err, size_t errlen)
{
	struct collected *c = ctx;
	(void)err;
	(void)errlen;
	c->types[c->n++] = it->type == DTR_ITEM_FRAME ? 'F' : it->type == DTR_ITEM_THREAD ? 'T' :
			   it->type == DTR_ITEM_STACK ? 'S' : '?';
	if (it->type == DTR_ITEM_STACK)
		ck_assert_uint_ge(it->u.stack.time_ns, 1000000000ull - 5);
	return 0;
}

static int put_writer(void *ctx, const struct dtr_item *it, char *err, size_t errlen)
{
	return dtr_writer_put(ctx, it, err, errlen);
}

/* The recorder's route: perf script samples emitted as record items, read
 * back, give the same stacks as the perf script text itself. */
START_TEST(emitted_items_round_trip)
{
	struct dt_perf_script *ps;
	struct dt_perf_sample smp;
	struct collected c = { .n = 0 };
	char err[256];
	uint32_t emitted = 0;
	ck_assert_int_eq(dt_perf_script_open_mem(&ps, emit_text, sizeof(emit_text) - 1, "x", NULL,
						 err, sizeof(err)), 0);
	while (dt_perf_script_next(ps, &smp, err, sizeof(err)) > 0)
		ck_assert_int_eq(dt_perf_script_emit(ps, &smp, -5, 0, &emitted, collect, &c, err,
						     sizeof(err)), 0);
	dt_perf_script_close(ps);
	c.types[c.n] = '\0';
	/* f main | thread 10 | S; g | thread 11 | S; S; h | renamed 10 | S */
	ck_assert_str_eq(c.types, "FFTSFTSSFTS");

	char dir[] = "/tmp/dt-emit-XXXXXX", rec[64], txt[64];
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(rec, sizeof(rec), "%s/s.dtr", dir);
	snprintf(txt, sizeof(txt), "%s/s.txt", dir);
	FILE *f = fopen(txt, "w");
	fputs(emit_text, f);
	fclose(f);
	struct dtr_writer *w;
	struct dtr_writer_opts wo = { .no_fsync = 1 };
	ck_assert_msg(dtr_writer_open(&w, rec, &wo, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(dt_perf_script_open_mem(&ps, emit_text, sizeof(emit_text) - 1, "x", NULL,
						 err, sizeof(err)), 0);
	emitted = 0;
	while (dt_perf_script_next(ps, &smp, err, sizeof(err)) > 0)
		ck_assert_msg(dt_perf_script_emit(ps, &smp, 0, 0, &emitted, put_writer, w, err,
						  sizeof(err)) == 0, "%s", err);
	dt_perf_script_close(ps);
	ck_assert_msg(dtr_writer_close(w, err, sizeof(err)) == 0, "%s", err);

	char *from_record, *from_text;
	struct dt_stacks_load_opts lo;
	struct dt_stacks_profile *p;
	dt_stacks_load_opts_default(&lo);
	lo.record_path = rec;
	ck_assert_msg(dt_stacks_profile_load(&p, &lo, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(p->nr_record_samples, 4);
	from_record = write_to_string(DT_STACKS_FOLDED, p);
	dt_stacks_profile_free(p);
	dt_stacks_load_opts_default(&lo);
	lo.perf_script_path = txt;
	ck_assert_msg(dt_stacks_profile_load(&p, &lo, err, sizeof(err)) == 0, "%s", err);
	from_text = write_to_string(DT_STACKS_FOLDED, p);
	dt_stacks_profile_free(p);
	ck_assert_str_eq(from_record, from_text);
	/* Every sample under its own comm, from the record as from the text. */
	ck_assert_str_eq(from_text, "app;main;f 2000\napp;main;g 1000\nrenamed;main;h 1000\n");
	free(from_record);
	free(from_text);
	unlink(rec);
	unlink(txt);
	rmdir(dir);
}
END_TEST

Suite *stacks_suite(void)
{
	Suite *s = suite_create("stacks");
	TCase *tc = tcase_create("model");
	tcase_add_test(tc, paths_are_shared_prefix_trees);
	tcase_add_test(tc, record_items_map_frame_ids);
	tcase_add_test(tc, clock_alignment_decisions);
	tcase_add_test(tc, folded_output);
	tcase_add_test(tc, trace_event_merges_contiguous_samples);
	tcase_add_test(tc, speedscope_profiles_per_thread);
	tcase_add_test(tc, exports_do_not_depend_on_the_spool);
	tcase_add_loop_test(tc, speedscope_sorts_samples_added_out_of_order, 0, 2);
	tcase_add_loop_test(tc, trace_event_orders_slices_of_one_instant_by_depth, 0, 2);
	tcase_add_test(tc, json_strings_always_parse);
	tcase_add_test(tc, shared_options);
	tcase_add_test(tc, emitted_items_round_trip);
	tcase_add_test(tc, threads_have_an_index_per_name);
	tcase_add_test(tc, perf_script_one_event);
	suite_add_tcase(s, tc);
	return s;
}
