// SPDX-License-Identifier: GPL-2.0-only
#include <check.h>
#include <errno.h>
#include <stdint.h>

#include "units.h"

START_TEST(durations_in_damo_spellings)
{
	uint64_t us;

	ck_assert_int_eq(dt_parse_duration_us("5000", &us), 0);
	ck_assert_uint_eq(us, 5000);
	ck_assert_int_eq(dt_parse_duration_us("5ms", &us), 0);
	ck_assert_uint_eq(us, 5000);
	ck_assert_int_eq(dt_parse_duration_us("1.5s", &us), 0);
	ck_assert_uint_eq(us, 1500000);
	ck_assert_int_eq(dt_parse_duration_us("100us", &us), 0);
	ck_assert_uint_eq(us, 100);
	ck_assert_int_eq(dt_parse_duration_us("2m", &us), 0);
	ck_assert_uint_eq(us, 120000000);
	ck_assert_int_eq(dt_parse_duration_us("5 parsecs", &us), -EINVAL);
	ck_assert_int_eq(dt_parse_duration_us("-5ms", &us), -EINVAL);
	ck_assert_int_eq(dt_parse_duration_us("", &us), -EINVAL);
	ck_assert_int_eq(dt_parse_duration_us("99999999999999999999999", &us), -ERANGE);
}
END_TEST

START_TEST(sizes_with_units_and_separators)
{
	uint64_t b;

	ck_assert_int_eq(dt_parse_size("4096", &b), 0);
	ck_assert_uint_eq(b, 4096);
	ck_assert_int_eq(dt_parse_size("1,024", &b), 0);
	ck_assert_uint_eq(b, 1024);
	ck_assert_int_eq(dt_parse_size("4K", &b), 0);
	ck_assert_uint_eq(b, 4096);
	ck_assert_int_eq(dt_parse_size("1.5 MiB", &b), 0);
	ck_assert_uint_eq(b, 1572864);
	ck_assert_int_eq(dt_parse_size("0x1000", &b), 0);
	ck_assert_uint_eq(b, 4096);
	ck_assert_int_eq(dt_parse_size("18446744073709551615", &b), 0);
	ck_assert_uint_eq(b, UINT64_MAX);
	ck_assert_int_eq(dt_parse_size("3 furlongs", &b), -EINVAL);
}
END_TEST

START_TEST(human_output)
{
	char buf[32];

	ck_assert_str_eq(dt_format_bytes(buf, sizeof(buf), 512), "512 B");
	ck_assert_str_eq(dt_format_bytes(buf, sizeof(buf), 48ull << 20), "48.0 MiB");
	ck_assert_str_eq(dt_format_bytes(buf, sizeof(buf), 3ull << 29), "1.50 GiB");
	ck_assert_str_eq(dt_format_duration_ns(buf, sizeof(buf), 1500000), "1.50 ms");
	ck_assert_str_eq(dt_format_duration_ns(buf, sizeof(buf), 2250000000ull), "2.25 s");
}
END_TEST

Suite *units_suite(void)
{
	Suite *s = suite_create("units");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, durations_in_damo_spellings);
	tcase_add_test(tc, sizes_with_units_and_separators);
	tcase_add_test(tc, human_output);
	suite_add_tcase(s, tc);
	return s;
}
