// SPDX-License-Identifier: GPL-2.0-only
/*
 * Segmentation (segment.h): hand-made features with known boundaries and
 * patterns, then every record of the phase corpus and a family of
 * damo-synth records scored against their truth (segment_score.h), and
 * the knobs' nesting property on the corpus.
 */
#include <check.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "segment.h"
#include "segment_score.h"

#define BIN_NS 100000000ull
#define MIB (1u << 20)

/* T bins of 100 ms, one area of 16 MiB in 8 cells, two feature frames. */
static void make_features(struct dt_seg_features *f, size_t T)
{
	char err[128];

	memset(f, 0, sizeof(*f));
	f->nr_bins = T;
	f->nr_areas = 1;
	f->nr_cells = 8;
	f->nr_frames = 2;
	ck_assert_int_eq(dt_seg_features_alloc(f, err, sizeof(err)), 0);
	f->areas[0] = (struct dt_seg_area){ 0x7f0000000000ull, 0x7f0001000000ull, 0, "anon", -1, "" };
	for (size_t j = 0; j < 2; j++) {
		f->frames[j].symbol = strdup(j ? "phase_b" : "phase_a");
		f->frames[j].dso = strdup("/bin/app");
		f->frames[j].flags = DT_SEG_FRAME_FEATURE | DT_SEG_FRAME_SOURCE;
		f->frames[j].depth = 3;
	}
	f->update_ns = 10 * BIN_NS;
	f->aggr_ns = BIN_NS;
	f->nr_stacks = 100 * T;
	f->stacks_first_ns = 1;
	f->stacks_last_ns = T * BIN_NS;
	for (size_t t = 0; t < T; t++) {
		f->start_ns[t] = 1 + t * BIN_NS;
		f->end_ns[t] = 1 + (t + 1) * BIN_NS;
		f->nr_aggrs[t] = 1;
	}
}

/* Bin t: `frame` runs (100 samples), and `bytes` are hot from `at`. */
static void set_bin(struct dt_seg_features *f, size_t t, int frame, double at, double bytes)
{
	double cw = 2.0 * MIB;

	f->samples[t] = 100;
	f->frame_samples[t * 2 + (size_t)frame] = 100;
	f->wss[t] = bytes;
	for (size_t c = 0; c < 8; c++) {
		double lo = fmax(at, c * cw), hi = fmin(at + bytes, (c + 1) * cw);
		if (hi > lo)
			f->heat[t * 8 + c] = hi - lo;
	}
	f->pos[t] = bytes * (at + bytes / 2);
}

START_TEST(call_path_change_is_one_boundary)
{
	struct dt_seg_features f;
	struct dt_segments s;
	char err[128];

	make_features(&f, 60);
	for (size_t t = 0; t < 60; t++)
		set_bin(&f, t, t >= 25, 4.0 * MIB, 4.0 * MIB);
	ck_assert_int_eq(dt_segment(&f, NULL, &s, err, sizeof(err)), 0);
	ck_assert_uint_eq(s.nr, 2);
	ck_assert_uint_eq(s.v[1].first_bin, 25);
	ck_assert_int_eq(s.v[1].reason, DT_SEG_CALLS);
	ck_assert_int_eq(s.v[0].pattern, DT_SEG_STEADY);
	ck_assert_uint_eq(s.v[0].start_ns, f.start_ns[0]);
	ck_assert_uint_eq(s.v[1].end_ns, f.end_ns[59]);
	int names[2];
	double shares[2];
	ck_assert_int_eq(dt_segment_name(&f, &s.v[1], names, shares), 1);
	ck_assert_str_eq(f.frames[names[0]].symbol, "phase_b");
	dt_segments_free(&s);
	dt_seg_features_free(&f);
}
END_TEST

/* A 1 MiB band moving through the 16 MiB area at 2 MiB/s is one sweep. */
START_TEST(band_moving_is_one_sweep)
{
	struct dt_seg_features f;
	struct dt_segments s;
	char err[128];

	make_features(&f, 75);
	for (size_t t = 0; t < 75; t++)
		set_bin(&f, t, 0, 0.2 * MIB * t, 1.0 * MIB);
	ck_assert_int_eq(dt_segment(&f, NULL, &s, err, sizeof(err)), 0);
	ck_assert_uint_eq(s.nr, 1);
	ck_assert_int_eq(s.v[0].pattern, DT_SEG_SWEEP);
	ck_assert(fabs(s.v[0].speed - 2.0 * MIB) < 0.2 * 2.0 * MIB);
	dt_segments_free(&s);
	dt_seg_features_free(&f);
}
END_TEST

/* top: a helper under every phase at the same share (phase_a at 20% here)
 * says nothing about either: left out; the phase's own function stays. */
START_TEST(top_leaves_out_what_every_phase_does)
{
	struct dt_seg_features f;
	struct dt_segments s;
	char err[128];
	int idx[4];
	double sh[4];

	make_features(&f, 60);
	for (size_t t = 0; t < 60; t++) {
		set_bin(&f, t, 0, 4.0 * MIB, 4.0 * MIB);
		f.frame_samples[t * 2] = 20;
		f.frame_samples[t * 2 + 1] = t >= 30 ? 100 : 0;
	}
	ck_assert_int_eq(dt_segment(&f, NULL, &s, err, sizeof(err)), 0);
	ck_assert_uint_eq(s.nr, 2);
	ck_assert_uint_eq(dt_segment_top(&f, &s.v[0], 4, idx, sh), 0);
	ck_assert_uint_eq(dt_segment_top(&f, &s.v[1], 4, idx, sh), 1);
	ck_assert_str_eq(f.frames[idx[0]].symbol, "phase_b");
	/* twice its share elsewhere: it tells */
	for (size_t t = 30; t < 60; t++)
		f.frame_samples[t * 2] = 40;
	ck_assert_uint_eq(dt_segment_top(&f, &s.v[1], 4, idx, sh), 2);
	ck_assert_str_eq(f.frames[idx[1]].symbol, "phase_a");
	ck_assert_double_eq_tol(sh[1], 0.4, 1e-9);
	dt_segments_free(&s);
	dt_seg_features_free(&f);
}
END_TEST

/* As sqlite's CREATE INDEX: a short step of another function (four bins,
 * the first and the last shared with their neighbours: a boundary falls
 * inside a bin), then three bins that look like the first phase, then a
 * phase of its own: a boundary at each change. */
START_TEST(short_step_with_mixed_edge_bins)
{
	struct dt_seg_features f;
	struct dt_segments s;
	char err[128];
	static const double b_share[] = { 0.25, 0.65, 1.0, 0.6 };

	make_features(&f, 70);
	for (size_t t = 0; t < 70; t++) {
		set_bin(&f, t, 0, 4.0 * MIB, 4.0 * MIB);
		double b = t >= 30 && t < 34 ? b_share[t - 30] : 0, a = t >= 37 ? 0.4 : 1 - b;
		f.frame_samples[t * 2] = 100 * a;
		f.frame_samples[t * 2 + 1] = 100 * b;
	}
	ck_assert_int_eq(dt_segment(&f, NULL, &s, err, sizeof(err)), 0);
	ck_assert_uint_eq(s.nr, 4);
	ck_assert(s.v[1].first_bin >= 30 && s.v[1].first_bin <= 31);
	ck_assert(s.v[2].first_bin >= 33 && s.v[2].first_bin <= 34);
	ck_assert(s.v[3].first_bin >= 36 && s.v[3].first_bin <= 37);
	int names[2];
	double shares[2];
	ck_assert_int_ge(dt_segment_name(&f, &s.v[1], names, shares), 1);
	ck_assert_str_eq(f.frames[names[0]].symbol, "phase_b");
	dt_segments_free(&s);
	dt_seg_features_free(&f);
}
END_TEST

/* As DAMON shows a band: nothing for the first second (its regions adapt
 * at the next update), then the band, and a last bin holding the next
 * phase's range: still a sweep, at its speed. */
START_TEST(late_band_with_edge_bin_is_a_sweep)
{
	struct dt_seg_features f;
	struct dt_segments s;
	char err[128];

	make_features(&f, 40);
	for (size_t t = 0; t < 40; t++)
		set_bin(&f, t, 0, t < 10 ? 0 : 0.3 * MIB * t, t < 10 ? 0 : 1.0 * MIB);
	set_bin(&f, 39, 0, 1.0 * MIB, 4.0 * MIB);
	f.samples[0] = 100; /* busy from the start, by its samples */
	ck_assert_int_eq(dt_segment(&f, NULL, &s, err, sizeof(err)), 0);
	ck_assert_uint_eq(s.nr, 1);
	ck_assert_int_eq(s.v[0].pattern, DT_SEG_SWEEP);
	ck_assert_msg(fabs(s.v[0].speed - 3.0 * MIB) < 0.2 * 3.0 * MIB, "speed %.0f",
		      s.v[0].speed);
	dt_segments_free(&s);
	dt_seg_features_free(&f);
}
END_TEST

/* A heap growing from the area's start, seen by DAMON in steps (its
 * regions follow the heap at each update), the first one from nothing hot
 * after two seconds, with a dip: one segment, growth. */
START_TEST(stepwise_growth_is_growth)
{
	struct dt_seg_features f;
	struct dt_segments s;
	char err[128];

	make_features(&f, 60);
	for (size_t t = 0; t < 60; t++) {
		double size = t < 20 ? 0.01 * MIB : (double)(t / 10 - 1) * 3.0 * MIB;
		set_bin(&f, t, 0, 0, t == 43 ? size / 3 : size);
	}
	ck_assert_int_eq(dt_segment(&f, NULL, &s, err, sizeof(err)), 0);
	ck_assert_uint_eq(s.nr, 1);
	ck_assert_int_eq(s.v[0].pattern, DT_SEG_GROWTH);
	ck_assert_double_gt(s.v[0].speed, 0);
	dt_segments_free(&s);
	dt_seg_features_free(&f);
}
END_TEST

/* The same range accessed more and more (DAMON's regions narrowing down
 * to it, a program speeding up): the hot bytes rise, the place does not:
 * steady.  And two fixed ranges that trade some of their accesses move
 * the centroid, not the hot set: steady. */
START_TEST(rising_intensity_is_steady)
{
	struct dt_seg_features f;
	struct dt_segments s;
	char err[128];

	make_features(&f, 40);
	for (size_t t = 0; t < 40; t++) {
		double i = 0.1 + 0.02 * (double)t; /* nr_accesses / max */
		set_bin(&f, t, 0, 4.0 * MIB, 4.0 * MIB);
		f.heat[t * 8 + 2] *= i;
		f.heat[t * 8 + 3] *= i;
		f.pos[t] *= i;
	}
	ck_assert_int_eq(dt_segment(&f, NULL, &s, err, sizeof(err)), 0);
	ck_assert_int_eq(s.v[0].pattern, DT_SEG_STEADY);
	dt_segments_free(&s);
	dt_seg_features_free(&f);

	make_features(&f, 40);
	for (size_t t = 0; t < 40; t++) {
		double a = (3.0 - 0.03 * (double)t) * MIB, b = (2.0 + 0.03 * (double)t) * MIB;
		f.samples[t] = 100;
		f.frame_samples[t * 2] = 100;
		f.wss[t] = a + b;
		f.heat[t * 8] = a;
		f.heat[t * 8 + 7] = b;
		f.pos[t] = a * 1.0 * MIB + b * 15.0 * MIB;
	}
	ck_assert_int_eq(dt_segment(&f, NULL, &s, err, sizeof(err)), 0);
	ck_assert_int_eq(s.v[0].pattern, DT_SEG_STEADY);
	dt_segments_free(&s);
	dt_seg_features_free(&f);
}
END_TEST

/* The hot set moving to the other end, same function: a memory boundary. */
START_TEST(hot_set_move_without_call_change)
{
	struct dt_seg_features f;
	struct dt_segments s;
	char err[128];

	make_features(&f, 60);
	for (size_t t = 0; t < 60; t++)
		set_bin(&f, t, 0, t < 30 ? 0 : 12.0 * MIB, 3.0 * MIB);
	ck_assert_int_eq(dt_segment(&f, NULL, &s, err, sizeof(err)), 0);
	ck_assert_uint_eq(s.nr, 2);
	ck_assert_uint_eq(s.v[1].first_bin, 30);
	ck_assert_int_eq(s.v[1].reason, DT_SEG_HOTSET);
	ck_assert_uint_ge(s.v[1].uncertainty_ns, f.update_ns);
	dt_segments_free(&s);
	dt_seg_features_free(&f);
}
END_TEST

/* Nothing running and nothing hot, then work: idle, then steady. */
START_TEST(idle_then_work)
{
	struct dt_seg_features f;
	struct dt_segments s;
	char err[128];

	make_features(&f, 50);
	for (size_t t = 20; t < 50; t++)
		set_bin(&f, t, 0, 0, 4.0 * MIB);
	ck_assert_int_eq(dt_segment(&f, NULL, &s, err, sizeof(err)), 0);
	ck_assert_uint_eq(s.nr, 2);
	ck_assert_int_eq(s.v[0].pattern, DT_SEG_IDLE);
	ck_assert_int_eq(s.v[1].pattern, DT_SEG_STEADY);
	ck_assert_uint_eq(s.v[1].first_bin, 20);
	dt_segments_free(&s);
	dt_seg_features_free(&f);
}
END_TEST

/* ------------------------------------------------------------- corpus */

/* Records that do not meet the rule yet, with what they score today: they
 * must not get worse (docs/PHASES.md, "What is left"). */
static const struct known {
	const char *label;
	size_t matched;
	double cover;
} known_failures[] = {
	{ "sqlite-1", 2, 0.05 },    /* build_index's start: its first 0.6 s cut late */
	{ "sweep-3", 1, 0.36 },     /* a slow rise of __mprotect's share cut */
};

static const struct known *known_failure(const char *label)
{
	for (size_t i = 0; i < sizeof(known_failures) / sizeof(known_failures[0]); i++)
		if (!strcmp(known_failures[i].label, label))
			return &known_failures[i];
	return NULL;
}

static void check_score(const char *label, const struct dt_seg_score *sc)
{
	const struct known *k = known_failure(label);

	if (!k) {
		ck_assert_msg(sc->matched == sc->bounds, "%s: %zu of %zu truth boundaries matched",
			      label, sc->matched, sc->bounds);
		ck_assert_msg(sc->extra_cover < 0.05, "%s: extra segments cover %.1f%% of the run",
			      label, 100 * sc->extra_cover);
		return;
	}
	ck_assert_msg(sc->matched >= k->matched, "%s: %zu of %zu truth boundaries matched, was %zu",
		      label, sc->matched, sc->bounds, k->matched);
	ck_assert_msg(sc->extra_cover <= k->cover, "%s: extras cover %.1f%%, was at most %.1f%%",
		      label, 100 * sc->extra_cover, 100 * k->cover);
}

/* Boundaries of `hi` (stricter knobs) all within `lag` bins of one of `lo`. */
static int nested(const struct dt_segments *hi, const struct dt_segments *lo, size_t lag)
{
	for (size_t i = 1; i < hi->nr; i++) {
		size_t k = hi->v[i].first_bin, j;
		for (j = 1; j < lo->nr; j++) {
			size_t l = lo->v[j].first_bin;
			if ((l > k ? l - k : k - l) <= lag)
				break;
		}
		if (j == lo->nr)
			return 0;
	}
	return 1;
}

/* Scale both thresholds: each boundary survives a lower threshold. */
static void check_nesting(const char *label, const struct dt_seg_features *f)
{
	static const double scale[] = { 1.6, 1.25, 1.0, 0.8, 0.6 };
	struct dt_segments prev = { 0 }, cur;
	struct dt_seg_params p;
	char err[256];
	size_t lag = f->update_ns && f->aggr_ns ? f->update_ns / f->aggr_ns + 2 : 12;

	for (size_t i = 0; i < sizeof(scale) / sizeof(scale[0]); i++) {
		dt_seg_params_default(&p);
		p.call_effect *= scale[i];
		p.memory_effect *= scale[i];
		ck_assert_int_eq(dt_segment(f, &p, &cur, err, sizeof(err)), 0);
		if (i)
			ck_assert_msg(nested(&prev, &cur, lag), "%s: scale %.2f lost a boundary of %.2f",
				      label, scale[i], scale[i - 1]);
		dt_segments_free(&prev);
		prev = cur;
	}
	dt_segments_free(&prev);
}

static void score_record(const char *label, const struct dt_truth *t, int nesting)
{
	struct dt_seg_features all, f;
	struct dt_segments s;
	struct dt_seg_score sc;
	char err[512];

	ck_assert_msg(!dt_seg_features_from_file(t->record, NULL, &all, err, sizeof(err)), "%s",
		      err);
	/* the truth's main lane: the main thread's lane when the truth has
	 * lanes of other threads (dt_seg_main_lane) */
	dt_seg_lane_view(&all, t->nr_lanes > 1 ? (size_t)dt_seg_main_lane(&all) : SIZE_MAX,
			 &f);
	ck_assert_msg(!dt_segment(&f, NULL, &s, err, sizeof(err)), "%s", err);
	dt_seg_score(&f, &s, t, &sc, NULL);
	check_score(label, &sc);
	if (nesting)
		check_nesting(label, &f);
	dt_segments_free(&s);
	dt_seg_features_free(&all);
}

static int is_truth(const struct dirent *e)
{
	size_t n = strlen(e->d_name);
	return n > 6 && !strcmp(e->d_name + n - 6, ".truth");
}

START_TEST(corpus_boundaries_within_tolerance)
{
	const char *src = getenv("DT_SRC");
	char dir[512], path[1024], label[128], err[512];
	struct dirent **names;
	size_t records = 0;

	snprintf(dir, sizeof(dir), "%s/tests/data/corpus", src ? src : ".");
	int n = scandir(dir, &names, is_truth, alphasort);
	ck_assert_msg(n > 0, "no truth files in %s", dir);
	for (int i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
		for (unsigned run = 1; run < 100; run++) {
			struct dt_truth t;
			if (dt_truth_read_corpus(path, run, &t, err, sizeof(err)))
				break;
			snprintf(label, sizeof(label), "%.*s-%u", (int)(strlen(names[i]->d_name) - 6),
				 names[i]->d_name, run);
			score_record(label, &t, 1);
			dt_truth_free(&t);
			records++;
		}
		free(names[i]);
	}
	free(names);
	ck_assert_uint_ge(records, 3);
}
END_TEST

START_TEST(synth_family_boundaries_within_tolerance)
{
	char dir[] = "/tmp/dt-segment.XXXXXX", err[512], path[600], label[32];

	ck_assert_ptr_nonnull(mkdtemp(dir));
	for (unsigned seed = 1; seed <= 8; seed++) {
		struct dt_truth t;
		ck_assert_msg(!dt_truth_make_synth(seed, dir, &t, err, sizeof(err)), "%s", err);
		snprintf(label, sizeof(label), "synth-%u", seed);
		score_record(label, &t, 0);
		unlink(t.record);
		snprintf(path, sizeof(path), "%s/synth-%u.truth", dir, seed);
		unlink(path);
		dt_truth_free(&t);
	}
	rmdir(dir);
}
END_TEST

Suite *segment_suite(void)
{
	Suite *s = suite_create("segment");
	TCase *tc = tcase_create("segment");

	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, call_path_change_is_one_boundary);
	tcase_add_test(tc, band_moving_is_one_sweep);
	tcase_add_test(tc, short_step_with_mixed_edge_bins);
	tcase_add_test(tc, top_leaves_out_what_every_phase_does);
	tcase_add_test(tc, late_band_with_edge_bin_is_a_sweep);
	tcase_add_test(tc, stepwise_growth_is_growth);
	tcase_add_test(tc, rising_intensity_is_steady);
	tcase_add_test(tc, hot_set_move_without_call_change);
	tcase_add_test(tc, idle_then_work);
	tcase_add_test(tc, corpus_boundaries_within_tolerance);
	tcase_add_test(tc, synth_family_boundaries_within_tolerance);
	suite_add_tcase(s, tc);
	return s;
}
