// SPDX-License-Identifier: GPL-2.0-only
/*
 * Phase detection: synthetic workloads with known change times, and the
 * real DAMON record of a three-buffer program (vm fixture).
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

START_TEST(seed_shape_three_phases)
{
	struct dt_phases *ph = new_phases(NULL);
	add_context(ph, 4242);
	add_maps(ph, 4242);
	seed_workload(ph);
	finish(ph);
	ck_assert_uint_eq(dt_phases_count(ph), 3);
	const struct dt_phase *p1 = dt_phases_get(ph, 0), *p2 = dt_phases_get(ph, 1),
			      *p3 = dt_phases_get(ph, 2);
	assert_near_aggr(p1->start_ns, 10, "phase 1 start");
	assert_near_aggr(p1->end_ns, 20, "phase 1 end");
	assert_near_aggr(p2->start_ns, 25, "phase 2 start");
	assert_near_aggr(p2->end_ns, 35, "phase 2 end");
	assert_near_aggr(p3->start_ns, 35, "phase 3 start");
	assert_near_aggr(p3->end_ns, 45, "phase 3 end");
	/* The same buffer twice, a gap between: two phases. */
	ck_assert_uint_lt(p1->end_ns, p2->start_ns);
	ck_assert_uint_eq(p1->number, 1);
	ck_assert_uint_eq(p3->number, 3);

	/* WSS statistics and named hot ranges. */
	ck_assert_uint_eq(p1->wss_max, 48 * MIB + 256 * 1024);
	ck_assert_uint_eq(p3->wss_mean, 24 * MIB + 256 * 1024);
	ck_assert_uint_ge(p1->nr_ranges, 2);
	ck_assert_uint_eq(p1->ranges[0].start, BUF_X);
	ck_assert_uint_eq(p1->ranges[0].end, BUF_X + 48 * MIB);
	ck_assert_str_eq(p1->ranges[0].kind, "anon");
	ck_assert_int_eq(p1->ranges[0].pid, 4242);
	ck_assert_str_eq(p1->ranges[1].kind, "heap");
	ck_assert_uint_eq(p3->ranges[0].start, BUF_Y);
	ck_assert_str_eq(p3->ranges[0].kind, "file");
	ck_assert_str_eq(p3->ranges[0].path, "/dev/shm/data file");
	ck_assert(p3->ranges[0].share > 0.99);

	ck_assert_int_eq(dt_phases_find(ph, 15 * AGGR_NS), 0);
	ck_assert_int_eq(dt_phases_find(ph, 22 * AGGR_NS), -1);
	ck_assert_int_eq(dt_phases_find(ph, 40 * AGGR_NS), 2);
	ck_assert_uint_eq(dt_phases_origin(ph), 0);
	ck_assert_uint_eq(dt_phases_nr_aggrs(ph), 50);
	dt_phases_free(ph);
}
END_TEST

START_TEST(parameters_change_the_answer)
{
	struct dt_phase_params p;
	dt_phase_params_default(&p);
	/* A similarity above what the X->Y change keeps does not matter; one
	 * of 0 merges every contiguous burst: phases 2 and 3 become one. */
	p.similarity = 0.0;
	p.peak_wss = 48 * MIB + 256 * 1024; /* as a first pass would find */
	struct dt_phases *ph = new_phases(&p);
	seed_workload(ph);
	finish(ph);
	ck_assert_uint_eq(dt_phases_count(ph), 2);
	assert_near_aggr(dt_phases_get(ph, 1)->end_ns, 45, "merged phase end");
	dt_phases_free(ph);

	/* A fraction of 0 makes the heap background a phase of its own: one
	 * long activity, cut where the hot set changes. */
	dt_phase_params_default(&p);
	p.wss_fraction = 0;
	ph = new_phases(&p);
	seed_workload(ph);
	finish(ph);
	ck_assert_uint_gt(dt_phases_count(ph), 3);
	dt_phases_free(ph);

	/* min_aggrs 1 keeps the page-fault storm. */
	dt_phase_params_default(&p);
	p.min_aggrs = 1;
	ph = new_phases(&p);
	seed_workload(ph);
	finish(ph);
	ck_assert_uint_eq(dt_phases_count(ph), 4);
	assert_near_aggr(dt_phases_get(ph, 0)->start_ns, 3, "storm");
	dt_phases_free(ph);

	char err[256];
	p.similarity = 1.5;
	struct dt_phases *bad;
	ck_assert_int_eq(dt_phases_new(&bad, &p, err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, "between 0 and 1") != NULL, "%s", err);
}
END_TEST

START_TEST(running_peak_drops_early_small_phases)
{
	/* A long low burst first, then one ten times larger: judged against the
	 * final peak, the first is below 10% and is no phase. */
	struct dt_phases *ph = new_phases(NULL);
	for (uint64_t a = 0; a < 30; a++) {
		struct hot h = { BUF_X, BUF_X + (a < 12 ? 4 : 100) * MIB, 5 };
		if (a >= 12 && a < 16) /* quiet between */
			h.nr_accesses = 0;
		feed(ph, 0, a, &h, 1);
	}
	finish(ph);
	ck_assert_uint_eq(dt_phases_count(ph), 1);
	assert_near_aggr(dt_phases_get(ph, 0)->start_ns, 16, "large burst");
	ck_assert_uint_eq(dt_phases_peak(ph), 100 * MIB);
	dt_phases_free(ph);
}
END_TEST

START_TEST(several_targets_in_one_aggregation)
{
	/* Two processes over the same addresses (their own address spaces):
	 * target 0 busy in 5-14 over 32 MiB, target 1 in 10-19 over 96 MiB.
	 * At 10 the hot set grows fourfold (Jaccard 0.25): a new phase; at 15
	 * it keeps 3/4 of it: the same phase. */
	struct dt_phases *ph = new_phases(NULL);
	for (uint64_t a = 0; a < 25; a++) {
		struct hot h0 = { BUF_X, BUF_X + 32 * MIB, a >= 5 && a < 15 ? 9 : 0 };
		struct hot h1 = { BUF_X, BUF_X + 96 * MIB, a >= 10 && a < 20 ? 9 : 0 };
		feed(ph, 0, a, &h0, 1);
		feed(ph, 1, a, &h1, 1);
	}
	finish(ph);
	ck_assert_uint_eq(dt_phases_count(ph), 2);
	assert_near_aggr(dt_phases_get(ph, 1)->start_ns, 10, "second phase");
	assert_near_aggr(dt_phases_get(ph, 1)->end_ns, 20, "second phase end");
	ck_assert_uint_eq(dt_phases_get(ph, 1)->wss_max, 128 * MIB);
	ck_assert_uint_eq(dt_phases_get(ph, 1)->ranges[0].target, 1);
	ck_assert_uint_eq(dt_phases_get(ph, 1)->ranges[0].end - BUF_X, 96 * MIB);
	ck_assert_uint_eq(dt_phases_nr_aggrs(ph), 25);
	dt_phases_free(ph);
}
END_TEST

/* A buffer hammered (20 accesses per aggregation) while a larger one is
 * brushed now and then (1 access): one phase, for the hot set that matters
 * did not change.  An unweighted index (|X| / |X or Y| = 0.25) would cut it
 * at every brush. */
START_TEST(similarity_is_weighted_by_accesses)
{
	struct dt_phases *ph = new_phases(NULL);
	for (uint64_t a = 0; a < 30; a++) {
		struct hot h[2];
		size_t n = 0;
		if (a >= 5 && a < 25) {
			h[n++] = (struct hot){ BUF_X, BUF_X + 16 * MIB, 20 };
			if (a % 4 == 1 || a % 4 == 2)
				h[n++] = (struct hot){ BUF_Y, BUF_Y + 48 * MIB, 1 };
		}
		feed(ph, 0, a, h, n);
	}
	finish(ph);
	ck_assert_uint_eq(dt_phases_count(ph), 1);
	assert_near_aggr(dt_phases_get(ph, 0)->start_ns, 5, "start");
	assert_near_aggr(dt_phases_get(ph, 0)->end_ns, 25, "end");
	/* The brushed buffer is hot in half of the aggregations: reported with
	 * the default hot_share (ranges come largest first). */
	ck_assert_uint_eq(dt_phases_get(ph, 0)->nr_ranges, 2);
	ck_assert_uint_eq(dt_phases_get(ph, 0)->ranges[0].start, BUF_Y);
	ck_assert_uint_eq(dt_phases_get(ph, 0)->ranges[1].start, BUF_X);
	dt_phases_free(ph);
}
END_TEST

START_TEST(snapshots_out_of_order_are_an_error)
{
	struct dt_phases *ph = new_phases(NULL);
	struct hot h = { BUF_X, BUF_X + MIB, 1 };
	feed(ph, 0, 5, &h, 1);
	struct dtr_region r = { 0, 4096, 1, 1 };
	struct dtr_item it = { .type = DTR_ITEM_SNAPSHOT };
	it.u.snapshot.start_ns = AGGR_NS;
	it.u.snapshot.end_ns = 2 * AGGR_NS;
	it.u.snapshot.nr_regions = 1;
	it.u.snapshot.regions = &r;
	char err[256];
	ck_assert_int_eq(dt_phases_add_item(ph, &it, err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, "comes after") != NULL, "%s", err);
	dt_phases_free(ph);
}
END_TEST

/* _i 0: samples in memory; 1: in a temporary file from the first one. */
START_TEST(top_functions_of_each_phase)
{
	struct dt_phases *ph = new_phases(NULL);
	seed_workload(ph);
	finish(ph);

	struct dt_stacks *st;
	char err[256];
	uint32_t main_f, fft, transpose, memcpy_f, thread;
	ck_assert_int_eq(dt_stacks_new(&st, err, sizeof(err)), 0);
	if (_i)
		dt_stacks_set_memory(st, 0);
	ck_assert_int_eq(dt_stacks_intern_frame(st, "main", "/bin/fft", "", &main_f), 0);
	ck_assert_int_eq(dt_stacks_intern_frame(st, "FFT1DOnce", "/bin/fft", "", &fft), 0);
	ck_assert_int_eq(dt_stacks_intern_frame(st, "Transpose", "/bin/fft", "", &transpose), 0);
	ck_assert_int_eq(dt_stacks_intern_frame(st, "memcpy", "/lib/libc.so.6", "", &memcpy_f), 0);
	ck_assert_int_eq(dt_stacks_thread_index(st, 7, 7, "fft", &thread), 0);
	/* A sample every 10 ms over the whole run: FFT1DOnce in the two X bursts
	 * (half of it in memcpy), Transpose over Y, main alone elsewhere. */
	for (uint64_t t = 0; t < 50 * AGGR_NS; t += 10000000) {
		uint64_t a = t / AGGR_NS;
		uint32_t frames[3];
		uint32_t n = 0;
		if ((a >= 10 && a < 20) || (a >= 25 && a < 35)) {
			if ((t / 10000000) % 2)
				frames[n++] = memcpy_f;
			frames[n++] = fft;
		} else if (a >= 35 && a < 45) {
			frames[n++] = transpose;
		}
		frames[n++] = main_f;
		ck_assert_int_eq(dt_stacks_add(st, t, thread, 10000000, n, frames, err,
					       sizeof(err)), 0);
	}
	ck_assert_msg(dt_stacks_finish(st, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(dt_phases_attribute(ph, st, err, sizeof(err)), 0);

	const struct dt_phase *p1 = dt_phases_get(ph, 0), *p3 = dt_phases_get(ph, 2);
	ck_assert_uint_ge(p1->nr_top_total, 3);
	ck_assert_uint_eq(p1->top_total[0].frame, main_f);
	ck_assert_uint_eq(p1->top_total[1].frame, fft);
	ck_assert_uint_eq(p1->top_total[1].total, p1->stack_weight);
	ck_assert_uint_eq(p1->nr_top_self, 2);
	ck_assert_uint_eq(p1->top_self[0].self + p1->top_self[1].self, p1->stack_weight);
	ck_assert_uint_eq(dt_phases_get(ph, 1)->top_total[1].frame, fft);
	ck_assert_uint_eq(p3->top_self[0].frame, transpose);
	ck_assert_uint_eq(p3->top_self[0].self, p3->stack_weight);
	ck_assert_uint_eq(p3->nr_samples, p3->stack_weight / 10000000);
	/* The function behind each phase: not main (everywhere), not memcpy
	 * (half of FFT1DOnce), but FFT1DOnce and Transpose. */
	ck_assert_uint_ge(p1->nr_top_distinct, 1);
	ck_assert_uint_eq(p1->top_distinct[0].frame, fft);
	ck_assert_uint_eq(dt_phases_get(ph, 1)->top_distinct[0].frame, fft);
	ck_assert_uint_eq(p3->top_distinct[0].frame, transpose);
	ck_assert(p3->top_distinct[0].distinct > 0.9);
	for (size_t i = 0; i < p1->nr_top_distinct; i++)
		ck_assert_uint_ne(p1->top_distinct[i].frame, main_f);

	char label[128];
	dt_phase_label(p3, 0, label, sizeof(label));
	ck_assert_msg(!strncmp(label, "[phase 3 | 3.", 13) && strstr(label, " s | WSS 24.") &&
		      label[strlen(label) - 1] == ']', "%s", label);
	dt_stacks_free(st);
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

/* The real DAMON record: three buffers touched in turn, 1.5 s each, no gap
 * between; the hot set changes.  With a first pass for the peak, as the
 * commands do for files. */
START_TEST(vm_record_three_phases)
{
	const char *path = fixture("vm/damon-vm.perf-script");
	struct dt_input *in;
	struct dtr_item it;
	char err[512];
	struct dt_phase_peak pk;
	struct dt_phase_params p;
	int rc;

	for (int pass = 0; pass < 2; pass++) {
		dt_phase_params_default(&p);
		if (pass == 1) {
			ck_assert_msg(dt_input_open(&in, path, NULL, err, sizeof(err)) == 0, "%s", err);
			dt_phase_peak_init(&pk, 1);
			while ((rc = dt_input_next(in, &it, err, sizeof(err))) > 0)
				dt_phase_peak_add(&pk, &it);
			ck_assert_msg(rc == 0, "%s", err);
			dt_input_close(in);
			p.peak_wss = dt_phase_peak_result(&pk);
			ck_assert_uint_gt(p.peak_wss, 100 * MIB);
		}
		struct dt_phases *ph = new_phases(&p);
		ck_assert_msg(dt_input_open(&in, path, NULL, err, sizeof(err)) == 0, "%s", err);
		while ((rc = dt_input_next(in, &it, err, sizeof(err))) > 0)
			ck_assert_msg(dt_phases_add_item(ph, &it, err, sizeof(err)) == 0, "%s", err);
		ck_assert_msg(rc == 0, "%s", err);
		dt_input_close(in);
		finish(ph);

		ck_assert_uint_eq(dt_phases_count(ph), 3);
		/* Buffer changes in the trace: A hot from 4.75 s, B from 6.2 s, C
		 * from 7.8 s (each 1.5 s); the aggregation is ~110 ms. */
		static const double starts[3] = { 4.75, 6.25, 7.80 };
		static const uint64_t sizes[3] = { 48 * MIB, 96 * MIB, 24 * MIB };
		for (size_t i = 0; i < 3; i++) {
			const struct dt_phase *q = dt_phases_get(ph, i);
			double s = q->start_ns / 1e9, e = q->end_ns / 1e9;
			ck_assert_msg(s > starts[i] - 0.23 && s < starts[i] + 0.23,
				      "phase %zu starts at %.3f s, expected %.2f s", i + 1, s, starts[i]);
			if (i < 2)
				ck_assert_msg(e - s > 1.2 && e - s < 1.8,
					      "phase %zu lasts %.3f s", i + 1, e - s);
			/* The largest hot range is the buffer of the phase. */
			uint64_t big = q->ranges[0].end - q->ranges[0].start;
			ck_assert_msg(big > sizes[i] * 9 / 10 && big < sizes[i] * 11 / 10,
				      "phase %zu hot range %" PRIu64 " MiB", i + 1, big / MIB);
		}
		/* No gap between the phases: the hot set changed. */
		ck_assert_uint_eq(dt_phases_get(ph, 0)->end_ns, dt_phases_get(ph, 1)->start_ns);
		ck_assert_uint_eq(dt_phases_get(ph, 1)->end_ns, dt_phases_get(ph, 2)->start_ns);
		dt_phases_free(ph);
	}
}
END_TEST

Suite *phases_suite(void)
{
	Suite *s = suite_create("phases");
	TCase *tc = tcase_create("detection");
	tcase_add_test(tc, seed_shape_three_phases);
	tcase_add_test(tc, parameters_change_the_answer);
	tcase_add_test(tc, running_peak_drops_early_small_phases);
	tcase_add_test(tc, several_targets_in_one_aggregation);
	tcase_add_test(tc, similarity_is_weighted_by_accesses);
	tcase_add_test(tc, snapshots_out_of_order_are_an_error);
	tcase_add_loop_test(tc, top_functions_of_each_phase, 0, 2);
	tcase_add_test(tc, vm_record_three_phases);
	suite_add_tcase(s, tc);
	return s;
}
