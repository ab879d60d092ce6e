// SPDX-License-Identifier: GPL-2.0-only
/* Saturating arithmetic (checked.h): exact where the result fits, clamped
 * at every edge, never undefined. */
#include <check.h>
#include <stdint.h>

#include "checked.h"

START_TEST(exact_when_it_fits)
{
	ck_assert_int_eq(dt_sat_add(-5, 3), -2);
	ck_assert_int_eq(dt_sat_sub(INT64_MIN + 1, 1), INT64_MIN);
	ck_assert_int_eq(dt_sat_mul(-3, 7), -21);
	ck_assert_uint_eq(dt_sat_umul(UINT64_C(1) << 31, UINT64_C(1) << 32), UINT64_C(1) << 63);
	ck_assert_int_eq(dt_sat_i64((uint64_t)INT64_MAX), INT64_MAX);
	ck_assert_uint_eq(dt_time_shift(1000, -1000), 0);
	ck_assert_uint_eq(dt_time_shift(1000, 24), 1024);
}
END_TEST

START_TEST(clamped_at_the_edges)
{
	ck_assert_int_eq(dt_sat_add(INT64_MAX, 1), INT64_MAX);
	ck_assert_int_eq(dt_sat_add(INT64_MIN, -1), INT64_MIN);
	ck_assert_int_eq(dt_sat_sub(INT64_MAX, -1), INT64_MAX);
	ck_assert_int_eq(dt_sat_sub(INT64_MIN, 1), INT64_MIN);
	ck_assert_int_eq(dt_sat_mul(INT64_MIN, -1), INT64_MAX);
	ck_assert_int_eq(dt_sat_mul(INT64_MAX, -2), INT64_MIN);
	ck_assert_uint_eq(dt_sat_umul(UINT64_MAX, 2), UINT64_MAX);
	ck_assert_int_eq(dt_sat_i64(UINT64_MAX), INT64_MAX);
	/* the perf pass moved UINT64_MAX - 1 by +10 s and by INT64_MIN */
	ck_assert_uint_eq(dt_time_shift(UINT64_MAX - 1, 10000000000), UINT64_MAX);
	ck_assert_uint_eq(dt_time_shift(UINT64_MAX, INT64_MIN), UINT64_MAX - (UINT64_C(1) << 63));
	ck_assert_uint_eq(dt_time_shift(5, INT64_MIN), 0);
}
END_TEST

Suite *checked_suite(void)
{
	Suite *s = suite_create("checked");
	TCase *tc = tcase_create("checked");
	tcase_add_test(tc, exact_when_it_fits);
	tcase_add_test(tc, clamped_at_the_edges);
	suite_add_tcase(s, tc);
	return s;
}
