// SPDX-License-Identifier: GPL-2.0-only
/*
 * Phases (phases.h: the segmentation as the commands report it): synthetic
 * workloads with known change times fed in two passes, names by the one
 * rule, thread lanes, and the real DAMON record of a three-buffer program
 * (vm fixture).
 */
#include <check.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "input.h"
#include "phases.h"
#include "stacks.h"

#define AGGR_NS 100000000ull /* 100 ms */
#define MIB ((uint64_t)1 << 20)

/* Buffers of the synthetic program (addresses as a process would have). */
#define BUF_X 0x7f0000000000ull
#define BUF_Y 0x7f1000000000ull
#define HEAP 0x560000000000ull
#define STACK 0x7ffd00000000ull

struct hot {
	uint64_t start, end;
	uint32_t nr_accesses;
};

static void feed(struct dt_phases *ph, uint32_t target, uint64_t aggr,
		 const struct hot *hot, size_t nr_hot)
{
	/* DAMON covers the address space: cold regions around the hot ones. */
	struct dtr_region regions[32];
	size_t n = 0;
	uint64_t at = 0x400000;
	for (size_t i = 0; i < nr_hot; i++) {
		if (hot[i].start > at)
			regions[n++] = (struct dtr_region){ at, hot[i].start, 0, 3 };
		regions[n++] = (struct dtr_region){ hot[i].start, hot[i].end, hot[i].nr_accesses, 1 };
		at = hot[i].end;
	}
	regions[n++] = (struct dtr_region){ at, 0x7fff00000000ull, 0, 5 };
	struct dtr_item it = { .type = DTR_ITEM_SNAPSHOT };
	it.u.snapshot.start_ns = aggr * AGGR_NS;
	it.u.snapshot.end_ns = (aggr + 1) * AGGR_NS;
	it.u.snapshot.target = target;
	it.u.snapshot.access_unit = DTR_UNIT_SAMPLES;
	it.u.snapshot.age_unit = DTR_UNIT_AGGREGATIONS;
	it.u.snapshot.nr_regions = n;
	it.u.snapshot.regions = regions;
	char err[256];
	ck_assert_msg(dt_phases_add_item(ph, &it, err, sizeof(err)) == 0, "%s", err);
}

static void add_context(struct dt_phases *ph, int32_t pid)
{
	struct dtr_target t = { .index = 0, .id = 0, .pid = pid, .cmdline = "" };
	struct dtr_item it = { .type = DTR_ITEM_CONTEXT };
	it.u.context.ops = DTR_OPS_VADDR;
	it.u.context.nr_targets = 1;
	it.u.context.targets = &t;
	char err[256];
	ck_assert_int_eq(dt_phases_add_item(ph, &it, err, sizeof(err)), 0);
}

static void add_maps(struct dt_phases *ph, int32_t pid)
{
	struct dtr_map_entry e[] = {
		{ HEAP, HEAP + 64 * MIB, 0, "rw-p", "[heap]" },
		{ BUF_X, BUF_X + 64 * MIB, 0, "rw-p", "" },
		{ BUF_Y, BUF_Y + 32 * MIB, 0, "rw-s", "/dev/shm/data file" },
		{ STACK, STACK + 8 * MIB, 0, "rw-p", "[stack]" },
	};
	struct dtr_item it = { .type = DTR_ITEM_MAPS };
	it.u.maps.pid = pid;
	it.u.maps.nr = sizeof(e) / sizeof(e[0]);
	it.u.maps.entries = e;
	char err[256];
	ck_assert_int_eq(dt_phases_add_item(ph, &it, err, sizeof(err)), 0);
}

static void end_pass1(struct dt_phases *ph)
{
	char err[256];
	ck_assert_msg(dt_phases_end_pass1(ph, err, sizeof(err)) == 0, "%s", err);
}

static struct dt_phases *new_phases(const struct dt_phase_params *p)
{
	struct dt_phases *ph;
	char err[256];
	ck_assert_msg(dt_phases_new(&ph, p, err, sizeof(err)) == 0, "%s", err);
	return ph;
}

static void finish(struct dt_phases *ph)
{
	char err[256];
	ck_assert_msg(dt_phases_finish(ph, err, sizeof(err)) == 0, "%s", err);
}

static void assert_near_aggr(uint64_t got_ns, uint64_t want_aggr, const char *what)
{
	int64_t d = (int64_t)got_ns - (int64_t)(want_aggr * AGGR_NS);
	ck_assert_msg(d >= -2 * (int64_t)AGGR_NS && d <= 2 * (int64_t)AGGR_NS,
		      "%s at %.2f s, expected %.2f s within 2 aggregations", what, got_ns / 1e9,
		      want_aggr * AGGR_NS / 1e9);
}

/*
 * The seed's shape: burst over X (aggregations 10-19), quiet (20-24), burst
 * over X again (25-34), then without a gap a burst over Y (35-44), quiet to
 * 50; a light background on the heap all along.
 */
static void seed_workload(struct dt_phases *ph)
{
	for (uint64_t a = 0; a < 50; a++) {
		struct hot h[3];
		size_t n = 0;
		h[n++] = (struct hot){ HEAP, HEAP + 256 * 1024, 2 };
		if ((a >= 10 && a < 20) || (a >= 25 && a < 35))
			h[n++] = (struct hot){ BUF_X, BUF_X + 48 * MIB, 15 + (uint32_t)(a % 3) };
		if (a >= 35 && a < 45)
			h[n++] = (struct hot){ BUF_Y, BUF_Y + 24 * MIB, 20 };
		if (a == 3) /* an allocation's page-fault storm: one aggregation */
			h[n++] = (struct hot){ BUF_Y, BUF_Y + 30 * MIB, 1 };
		feed(ph, 0, a, h, n);
	}
}

/* Both passes of the seed workload, with its context and maps. */
static struct dt_phases *seed_phases(void (*stacks)(struct dt_phases *ph))
{
	struct dt_phases *ph = new_phases(NULL);
	for (int pass = 1; pass <= 2; pass++) {
		add_context(ph, 4242);
		add_maps(ph, 4242);
		seed_workload(ph);
		if (stacks)
			stacks(ph);
		if (pass == 1)
			end_pass1(ph);
	}
	finish(ph);
	return ph;
}

START_TEST(seed_shape_three_phases)
{
	struct dt_phases *ph = seed_phases(NULL);
	ck_assert_uint_eq(dt_phases_count(ph), 3);
	const struct dt_phase *p1 = dt_phases_get(ph, 0), *p2 = dt_phases_get(ph, 1),
			      *p3 = dt_phases_get(ph, 2);
	assert_near_aggr(p1->start_ns, 10, "phase 1 start");
	assert_near_aggr(p1->end_ns, 20, "phase 1 end");
	assert_near_aggr(p2->start_ns, 25, "phase 2 start");
	assert_near_aggr(p2->end_ns, 35, "phase 2 end");
	assert_near_aggr(p3->start_ns, 35, "phase 3 start");
	assert_near_aggr(p3->end_ns, 45, "phase 3 end");
	/* The same buffer twice, an idle segment between: two phases. */
	ck_assert_uint_lt(p1->end_ns, p2->start_ns);
	ck_assert_uint_eq(p1->number, 1);
	ck_assert_uint_eq(p3->number, 3);
	ck_assert_int_eq(p1->pattern, DT_SEG_STEADY);
	/* Every moment belongs to a segment, idle ones included. */
	size_t n = dt_phases_nr_segments(ph);
	ck_assert_uint_ge(n, 5);
	ck_assert_uint_eq(dt_phases_segment(ph, 0)->start_ns, 0);
	ck_assert_uint_eq(dt_phases_segment(ph, n - 1)->end_ns, 50 * AGGR_NS);
	for (size_t i = 1; i < n; i++)
		ck_assert_uint_eq(dt_phases_segment(ph, i)->start_ns,
				  dt_phases_segment(ph, i - 1)->end_ns);
	ck_assert_uint_gt(p2->start_pm_ns, 0);

	/* WSS statistics and named hot ranges. */
	ck_assert_uint_eq(p1->wss_max, 48 * MIB + 256 * 1024);
	ck_assert_uint_eq(p3->wss_mean, 24 * MIB + 256 * 1024);
	ck_assert_uint_ge(p1->nr_ranges, 1);
	ck_assert_uint_eq(p1->ranges[0].start, BUF_X);
	ck_assert_uint_eq(p1->ranges[0].end, BUF_X + 48 * MIB);
	ck_assert_str_eq(p1->ranges[0].kind, "anon");
	ck_assert_int_eq(p1->ranges[0].pid, 4242);
	ck_assert_uint_eq(p3->ranges[0].start, BUF_Y);
	ck_assert_str_eq(p3->ranges[0].kind, "file");
	ck_assert_str_eq(p3->ranges[0].path, "data file");
	ck_assert(p3->ranges[0].share > 0.95);

	ck_assert_int_eq(dt_phases_find(ph, 15 * AGGR_NS), 0);
	ck_assert_int_eq(dt_phases_find(ph, 22 * AGGR_NS), -1);
	ck_assert_int_eq(dt_phases_find(ph, 40 * AGGR_NS), 2);
	ck_assert_uint_eq(dt_phases_nr_aggrs(ph), 50);
	ck_assert_uint_eq(dt_phases_peak(ph), 48 * MIB + 256 * 1024);
	ck_assert_uint_eq(dt_phases_quality(ph)->nr_snapshots, 50);
	dt_phases_free(ph);
}
END_TEST

/* A sample every 10 ms: FFT1DOnce in the two X bursts (half of it in
 * memcpy), Transpose over Y, main alone on one sample in fifty elsewhere
 * (the program sleeps: cpu-clock samples come only while it runs). */
static void seed_stacks(struct dt_phases *ph)
{
	enum { MAIN, FFT, TRANSPOSE, MEMCPY };
	char err[256];
	ck_assert_int_eq(dt_phases_add_frame(ph, MAIN, "main", "/bin/fft", "", err, 256), 0);
	ck_assert_int_eq(dt_phases_add_frame(ph, FFT, "FFT1DOnce", "/bin/fft", "fft.c:10", err,
					     256), 0);
	ck_assert_int_eq(dt_phases_add_frame(ph, TRANSPOSE, "Transpose", "/bin/fft", "", err, 256),
			 0);
	ck_assert_int_eq(dt_phases_add_frame(ph, MEMCPY, "memcpy", "/lib/libc.so.6", "", err, 256),
			 0);
	for (uint64_t t = 0; t < 50 * AGGR_NS; t += 10000000) {
		uint64_t a = t / AGGR_NS;
		uint32_t frames[3], n = 0;
		if ((a >= 10 && a < 20) || (a >= 25 && a < 35)) {
			if ((t / 10000000) % 2)
				frames[n++] = MEMCPY;
			frames[n++] = FFT;
		} else if (a >= 35 && a < 45) {
			frames[n++] = TRANSPOSE;
		} else if ((t / 10000000) % 50) {
			continue;
		}
		frames[n++] = MAIN;
		ck_assert_int_eq(dt_phases_add_stack(ph, t, 7, 7, 10000000, n, frames, err, 256), 0);
	}
}

START_TEST(names_by_the_one_rule)
{
	struct dt_phases *ph = seed_phases(seed_stacks);
	ck_assert_uint_eq(dt_phases_count(ph), 3);
	const struct dt_phase *p1 = dt_phases_get(ph, 0), *p3 = dt_phases_get(ph, 2);
	/* Not main (everywhere), not memcpy (half of FFT1DOnce): FFT1DOnce. */
	ck_assert_str_eq(p1->name, "FFT1DOnce");
	ck_assert_str_eq(dt_phases_get(ph, 1)->function, "FFT1DOnce");
	ck_assert_str_eq(p3->name, "Transpose");
	/* top: by share, main (common) left out */
	ck_assert_uint_ge(p1->nr_top, 2);
	ck_assert_str_eq(p1->top[0].symbol, "FFT1DOnce");
	ck_assert_str_eq(p1->top[1].symbol, "memcpy");
	ck_assert(p1->top[0].share > 0.95 && p1->top[1].share < 0.6);
	for (size_t i = 0; i < p1->nr_top; i++)
		ck_assert_str_ne(p1->top[i].symbol, "main");
	ck_assert_uint_ge(p3->nr_samples, 90);

	char label[256];
	dt_phase_label(p3, 0, label, sizeof(label));
	ck_assert_msg(!strncmp(label, "[phase 3 | 3.", 13) && strstr(label, " | Transpose | steady | WSS 24.") &&
		      label[strlen(label) - 1] == ']', "%s", label);
	dt_phases_free(ph);
}
END_TEST

/* Two threads, one in A then C, the other idle then in B, overlapping. */
static void thread_stacks(struct dt_phases *ph)
{
	enum { MAIN, A, C, WORKER, B };
	static const char *names[] = { "main", "stream_a", "shuffle_c", "worker", "scan_b" };
	char err[256];
	for (uint32_t f = 0; f < 5; f++)
		ck_assert_int_eq(dt_phases_add_frame(ph, f, names[f], "/bin/t", "", err, 256), 0);
	for (uint64_t t = 10 * AGGR_NS; t < 45 * AGGR_NS; t += 5000000) {
		uint32_t fr[2] = { t < 27 * AGGR_NS ? A : C, MAIN };
		ck_assert_int_eq(dt_phases_add_stack(ph, t, 1, 1, 0, 2, fr, err, 256), 0);
		if (t < 20 * AGGR_NS)
			continue;
		uint32_t fw[2] = { B, WORKER };
		ck_assert_int_eq(dt_phases_add_stack(ph, t + 1, 1, 2, 0, 2, fw, err, 256), 0);
	}
}

START_TEST(threads_in_different_phases_get_lanes)
{
	struct dt_phases *ph = seed_phases(thread_stacks);
	ck_assert_uint_eq(dt_phases_nr_lanes(ph), 2);
	const struct dt_phase_lane *m = dt_phases_lane(ph, 0), *w = dt_phases_lane(ph, 1);
	if (m->tid != 1) {
		const struct dt_phase_lane *x = m;
		m = w;
		w = x;
	}
	int saw_a = 0, saw_c = 0, saw_b = 0;
	for (size_t i = 0; i < m->nr; i++) {
		saw_a |= !strcmp(m->v[i].name, "stream_a");
		saw_c |= !strcmp(m->v[i].name, "shuffle_c");
		ck_assert_str_ne(m->v[i].name, "scan_b");
	}
	for (size_t i = 0; i < w->nr; i++)
		saw_b |= !strcmp(w->v[i].name, "scan_b");
	ck_assert(saw_a && saw_c && saw_b);
	dt_phases_free(ph);
}
END_TEST

static const char *fixture(const char *rel)
{
	static char path[1024];
	const char *shared = getenv("DT_SHARED");
	snprintf(path, sizeof(path), "%s/interop/damo/%s", shared ? shared : "../shared", rel);
	return path;
}

static void read_all(struct dt_phases *ph, const char *path)
{
	struct dt_input *in;
	struct dtr_item it;
	char err[512];
	int rc;

	ck_assert_msg(dt_input_open(&in, path, NULL, err, sizeof(err)) == 0, "%s", err);
	while ((rc = dt_input_next(in, &it, err, sizeof(err))) > 0)
		ck_assert_msg(dt_phases_add_item(ph, &it, err, sizeof(err)) == 0, "%s", err);
	ck_assert_msg(rc == 0, "%s", err);
	dt_input_close(in);
}

/* The real DAMON record: three buffers touched in turn, 1.5 s each, no gap
 * between; the hot set changes. */
START_TEST(vm_record_three_phases)
{
	const char *path = fixture("vm/damon-vm.perf-script");
	struct dt_phases *ph = new_phases(NULL);

	read_all(ph, path);
	end_pass1(ph);
	read_all(ph, path);
	finish(ph);
	/* Without maps B and C (adjacent) make one dense area, where the move
	 * from B to C reads as a sweep: docs/PHASES.md, "What is left". */
	ck_assert_uint_ge(dt_phases_count(ph), 2);
	if (dt_phases_count(ph) < 3) {
		ck_assert_int_eq(dt_phases_get(ph, 1)->pattern, DT_SEG_SWEEP);
		dt_phases_free(ph);
		return;
	}
	/* Buffer changes in the trace: A hot from 4.75 s, B from 6.2 s, C
	 * from 7.8 s (each 1.5 s); the aggregation is ~110 ms, the regions
	 * update 1 s (a memory boundary's tolerance). */
	static const double starts[3] = { 4.75, 6.25, 7.80 };
	for (size_t i = 0; i < 3; i++) {
		const struct dt_phase *q = dt_phases_get(ph, i);
		double s = q->start_ns / 1e9;
		ck_assert_msg(s > starts[i] - 0.5 && s < starts[i] + 1.0,
			      "phase %zu starts at %.3f s, expected %.2f s", i + 1, s, starts[i]);
	}
	/* No gap between the phases: the hot set changed. */
	ck_assert_uint_eq(dt_phases_get(ph, 0)->end_ns, dt_phases_get(ph, 1)->start_ns);
	ck_assert_uint_eq(dt_phases_get(ph, 1)->end_ns, dt_phases_get(ph, 2)->start_ns);
	dt_phases_free(ph);
}
END_TEST

Suite *phases_suite(void)
{
	Suite *s = suite_create("phases");
	TCase *tc = tcase_create("segments");
	tcase_add_test(tc, seed_shape_three_phases);
	tcase_add_test(tc, names_by_the_one_rule);
	tcase_add_test(tc, threads_in_different_phases_get_lanes);
	tcase_add_test(tc, vm_record_three_phases);
	suite_add_tcase(s, tc);
	return s;
}
