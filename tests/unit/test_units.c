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

/* damo's text_to_ns(): ints stay ints, fractions make floats */
START_TEST(damo_times)
{
	struct dt_damo_num n;

	ck_assert_int_eq(dt_parse_damo_ns("10s", &n), 0);
	ck_assert(!n.is_float && n.i == 10000000000);
	ck_assert_int_eq(dt_parse_damo_ns("5000000000", &n), 0);
	ck_assert(!n.is_float && n.i == 5000000000);
	ck_assert_int_eq(dt_parse_damo_ns("4 s 500 ms", &n), 0);
	ck_assert(!n.is_float && n.i == 4500000000);
	ck_assert_int_eq(dt_parse_damo_ns("1m", &n), 0);
	ck_assert(!n.is_float && n.i == 60000000000);
	ck_assert_int_eq(dt_parse_damo_ns("2h", &n), 0);
	ck_assert(!n.is_float && n.i == 7200000000000);
	ck_assert_int_eq(dt_parse_damo_ns("1d", &n), 0);
	ck_assert(!n.is_float && n.i == 86400000000000);
	ck_assert_int_eq(dt_parse_damo_ns("5.5s", &n), 0);
	ck_assert(n.is_float && n.f == 5.5e9);
	ck_assert_int_eq(dt_parse_damo_ns("7250ms", &n), 0);
	ck_assert(!n.is_float && n.i == 7250000000);
	ck_assert_int_eq(dt_parse_damo_ns("min", &n), 0);
	ck_assert(!n.is_float && n.i == 0);
	ck_assert_int_eq(dt_parse_damo_ns("soon", &n), -EINVAL);
	ck_assert_int_eq(dt_parse_damo_ns("1s 2s", &n), -EINVAL);
	ck_assert_int_eq(dt_parse_damo_ns("", &n), -EINVAL);
}
END_TEST

/* damo's text_to_bytes(): binary suffixes, fractions truncated */
START_TEST(damo_sizes)
{
	uint64_t b;

	ck_assert_int_eq(dt_parse_damo_bytes("4M", &b), 0);
	ck_assert_uint_eq(b, 4 << 20);
	ck_assert_int_eq(dt_parse_damo_bytes("100MiB", &b), 0);
	ck_assert_uint_eq(b, 100 << 20);
	ck_assert_int_eq(dt_parse_damo_bytes("64KB", &b), 0);
	ck_assert_uint_eq(b, 64 << 10);
	ck_assert_int_eq(dt_parse_damo_bytes("1.5M", &b), 0);
	ck_assert_uint_eq(b, 1572864);
	ck_assert_int_eq(dt_parse_damo_bytes("127.26T", &b), 0);
	ck_assert_uint_eq(b, (uint64_t)(127.26 * 1099511627776.0));
	ck_assert_int_eq(dt_parse_damo_bytes("1E", &b), 0);
	ck_assert_uint_eq(b, 1ull << 60);
	ck_assert_int_eq(dt_parse_damo_bytes("512B", &b), 0);
	ck_assert_uint_eq(b, 512);
	ck_assert_int_eq(dt_parse_damo_bytes("max", &b), 0);
	ck_assert_uint_eq(b, UINT64_MAX);
	ck_assert_int_eq(dt_parse_damo_bytes("0x1000", &b), 0);
	ck_assert_uint_eq(b, 4096);
	ck_assert_int_eq(dt_parse_damo_bytes("4Q", &b), -EINVAL);
	ck_assert_int_eq(dt_parse_damo_bytes("-4K", &b), -EINVAL);
}
END_TEST

/* complete_time_range() / complete_address_range_one() */
START_TEST(damo_ranges)
{
	const char *t[] = { "1s", "3s", "guided" };
	const char *a[] = { "0", "64M", "guided" };
	struct dt_time_range tr;
	struct dt_address_range ar;
	struct dt_damo_num gs = { .i = 3217302716 }, ge = { .i = 9324710000 }, out[2];
	uint64_t guided[2] = { 4096, 1 << 30 }, r[2];
	char err[128];

	ck_assert_int_eq(dt_parse_time_range(t, 3, &tr, err, sizeof(err)), 0);
	ck_assert_int_eq(dt_time_range_resolve(&tr, &gs, &ge, out, err, sizeof(err)), 0);
	ck_assert(out[0].i == 4217302716 && out[1].i == 6217302716);
	t[2] = "guided_end";
	ck_assert_int_eq(dt_parse_time_range(t, 3, &tr, err, sizeof(err)), 0);
	ck_assert_int_eq(dt_time_range_resolve(&tr, &gs, &ge, out, err, sizeof(err)), 0);
	ck_assert(out[0].i == 10324710000);
	ck_assert_int_eq(dt_parse_time_range(t, 1, &tr, err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(dt_parse_address_range(a, 3, &ar, err, sizeof(err)), 0);
	ck_assert_int_eq(dt_address_range_resolve(&ar, guided, r, err, sizeof(err)), 0);
	ck_assert(r[0] == 4096 && r[1] == 4096 + (64 << 20));
	ck_assert_int_eq(dt_address_range_resolve(&ar, NULL, r, err, sizeof(err)), -EINVAL);
	ck_assert(dt_time_range_base_valid("guided_end") && dt_time_range_base_valid("4s"));
	ck_assert(!dt_time_range_base_valid("out.png") && !dt_address_range_base_valid("raw"));
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
	tcase_add_test(tc, damo_times);
	tcase_add_test(tc, damo_sizes);
	tcase_add_test(tc, damo_ranges);
	suite_add_tcase(s, tc);
	return s;
}
