// SPDX-License-Identifier: GPL-2.0-only
/*
 * Access-density profiles (density.h): runs add up where they overlap,
 * unsorted runs are sorted with the first keeping overlapped bytes, the
 * profile stays under its bound with its mass kept, the bound merges
 * cold neighbours before it blurs a hot span into them, and one round of
 * compaction merges the cheaper half of the neighbouring pairs.
 */
#include <check.h>
#include <math.h>
#include <stdint.h>

#include "density.h"

/* Add the n runs r to p through s, bounded by max / low. */
static void add(struct dt_density *p, struct dt_density_scratch *s, const struct dt_dspan *r,
		size_t n, size_t max, size_t low)
{
	ck_assert_int_eq(dt_density_reserve_runs(s, n + 1), 0);
	for (size_t i = 0; i < n; i++)
		s->runs[i] = r[i];
	n = dt_density_sort_runs(s, n);
	ck_assert_int_eq(dt_density_add(p, s, n, max, low), 0);
}

static double mass(const struct dt_density *p)
{
	double m = 0;
	for (size_t i = 0; i < p->nr; i++)
		m += p->v[i].h * (double)(p->v[i].end - p->v[i].start);
	return m;
}

START_TEST(overlapping_snapshots_add_up)
{
	struct dt_density p = { 0 };
	struct dt_density_scratch s = { 0 };
	const struct dt_dspan a[] = { { 100, 200, 1 } }, b[] = { { 150, 300, 2 } };

	add(&p, &s, a, 1, 64, 32);
	add(&p, &s, b, 1, 64, 32);
	ck_assert_uint_eq(p.nr, 3);
	ck_assert_uint_eq(p.v[0].start, 100);
	ck_assert_uint_eq(p.v[0].end, 150);
	ck_assert_double_eq(p.v[0].h, 1);
	ck_assert_uint_eq(p.v[1].end, 200);
	ck_assert_double_eq(p.v[1].h, 3);
	ck_assert_uint_eq(p.v[2].end, 300);
	ck_assert_double_eq(p.v[2].h, 2);
	/* the same value again next to it: one span, not two */
	const struct dt_dspan c[] = { { 300, 400, 2 } };
	add(&p, &s, c, 1, 64, 32);
	ck_assert_uint_eq(p.nr, 3);
	ck_assert_uint_eq(p.v[2].end, 400);
	dt_density_free(&p);
	dt_density_scratch_free(&s);
}
END_TEST

START_TEST(unsorted_runs_first_keeps_the_bytes)
{
	struct dt_density_scratch s = { 0 };
	ck_assert_int_eq(dt_density_reserve_runs(&s, 3), 0);
	s.runs[0] = (struct dt_dspan){ 500, 600, 1 };
	s.runs[1] = (struct dt_dspan){ 100, 550, 4 };
	s.runs[2] = (struct dt_dspan){ 120, 130, 9 };
	size_t n = dt_density_sort_runs(&s, 3);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(s.runs[0].start, 100);
	ck_assert_uint_eq(s.runs[0].end, 550);
	ck_assert_double_eq(s.runs[0].h, 4);
	ck_assert_uint_eq(s.runs[1].start, 550);
	ck_assert_uint_eq(s.runs[1].end, 600);
	dt_density_scratch_free(&s);
}
END_TEST

/* 200 snapshots of 50 runs at moving addresses (cold, value 1), and one
 * hot 4 KiB span (value 100) in each: never more than 64 spans, the mass
 * of every run kept, the hot span still the densest place. */
START_TEST(bounded_with_mass_kept)
{
	struct dt_density p = { 0 };
	struct dt_density_scratch s = { 0 };
	double want = 0;

	for (uint64_t k = 0; k < 200; k++) {
		struct dt_dspan r[51];
		for (uint64_t i = 0; i < 50; i++) {
			uint64_t a = 0x10000 + (i * 7919 + k * 104729) % 1000 * 0x1000;
			r[i] = (struct dt_dspan){ a, a + 0x800 + k % 7 * 0x100, 1 };
		}
		r[50] = (struct dt_dspan){ 0x800000, 0x801000, 100 };
		for (size_t i = 0; i < 51; i++)
			want += r[i].h * (double)(r[i].end - r[i].start);
		add(&p, &s, r, 51, 64, 32);
		ck_assert_uint_le(p.nr, 64);
		for (size_t i = 1; i < p.nr; i++)
			ck_assert_uint_ge(p.v[i].start, p.v[i - 1].end);
	}
	ck_assert(fabs(mass(&p) - want) <= 1e-9 * want);
	size_t top = 0;
	for (size_t i = 1; i < p.nr; i++)
		if (p.v[i].h > p.v[top].h)
			top = i;
	ck_assert_uint_le(p.v[top].start, 0x800000);
	ck_assert_uint_ge(p.v[top].end, 0x801000);
	ck_assert_uint_le(p.v[top].end - p.v[top].start, 0x10000);
	dt_density_free(&p);
	dt_density_scratch_free(&s);
}
END_TEST

/* Ten adjacent spans of 100 bytes with values v, after one round of
 * compaction (over the bound of 8, down to 8): the spans want[0..n). */
static void one_round(const double *v, const struct dt_dspan *want, size_t n)
{
	struct dt_density p = { 0 };
	struct dt_density_scratch s = { 0 };
	struct dt_dspan r[10];

	for (size_t i = 0; i < 10; i++)
		r[i] = (struct dt_dspan){ i * 100, i * 100 + 100, v[i] };
	add(&p, &s, r, 10, 8, 8);
	ck_assert_uint_eq(p.nr, n);
	for (size_t i = 0; i < n; i++) {
		ck_assert_uint_eq(p.v[i].start, want[i].start);
		ck_assert_uint_eq(p.v[i].end, want[i].end);
		ck_assert_double_eq_tol(p.v[i].h, want[i].h, 1e-12);
	}
	dt_density_free(&p);
	dt_density_scratch_free(&s);
}

/* Neighbours differing by 1, 10, 2, 20, 3, 30, 4, 40 and then 5 or 15: the
 * pairs whose merge costs at most the median (the 5th of 9) merge, left to
 * right: the last pair with 5, not with 15. */
START_TEST(one_round_merges_the_cheaper_half)
{
	const double a[] = { 0, 1, 11, 13, 33, 36, 66, 70, 110, 115 };
	const struct dt_dspan wa[] = { { 0, 200, 0.5 },	  { 200, 400, 12 }, { 400, 600, 34.5 },
				       { 600, 800, 68 }, { 800, 1000, 112.5 } };
	one_round(a, wa, 5);
	const double b[] = { 0, 1, 11, 13, 33, 36, 66, 70, 110, 125 };
	const struct dt_dspan wb[] = { { 0, 200, 0.5 },  { 200, 400, 12 }, { 400, 600, 34.5 },
				       { 600, 800, 68 }, { 800, 900, 110 }, { 900, 1000, 125 } };
	one_round(b, wb, 6);
}
END_TEST

Suite *density_suite(void)
{
	Suite *s = suite_create("density");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, overlapping_snapshots_add_up);
	tcase_add_test(tc, unsorted_runs_first_keeps_the_bytes);
	tcase_add_test(tc, bounded_with_mass_kept);
	tcase_add_test(tc, one_round_merges_the_cheaper_half);
	suite_add_tcase(s, tc);
	return s;
}
