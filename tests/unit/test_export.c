// SPDX-License-Identifier: GPL-2.0-only
/*
 * Exporters: damo's number texts, per-target records from interleaved
 * snapshots, tables with missing values, format names, write errors, and
 * what the input layer reads back from each written format.
 */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "export.h"
#include "export_internal.h"
#include "input.h"
#include "input_internal.h"
#include "report.h"

/* damo's format_sz / format_time_ns (report.h), with the values both of
 * its users print: damo-raw exports and damo's text reports. */
/* damo's format_time_ns_exact() and format_nr() of integers (report.h), as
 * damo 3.3's _damo_fmt_str prints them (report access --json). */
START_TEST(damo_exact_texts)
{
	static const struct { uint64_t v; const char *human, *raw; } times[] = {
		{ 0, "0 ns", "0" },
		{ 999, "999 ns", "999" },
		{ 1000, "1 us", "1000" },
		{ 1001, "1 us 1 ns", "1001" },
		{ 60000000000ull, "1 m", "60000000000" },
		{ 3317302716ull, "3 s 317 ms 302 us 716 ns", "3317302716" },
		{ 1001000669974ull, "16 m 41 s 669 us 974 ns", "1001000669974" },
		{ 106617600000000005ull, "1,234 d 5 ns", "106617600000000005" },
		{ UINT64_MAX, "max", "18446744073709551615" },
	};
	static const struct { uint64_t v; const char *human; } nrs[] = {
		{ 0, "0" }, { 999, "999" }, { 1000, "1,000" }, { 1234567, "1,234,567" },
		{ UINT64_MAX, "18,446,744,073,709,551,615" },
	};
	char b[96], small[4];

	for (size_t i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
		ck_assert_str_eq(dt_damo_format_time_ns_exact(b, sizeof(b), times[i].v, 0),
				 times[i].human);
		ck_assert_str_eq(dt_damo_format_time_ns_exact(b, sizeof(b), times[i].v, 1),
				 times[i].raw);
	}
	for (size_t i = 0; i < sizeof(nrs) / sizeof(nrs[0]); i++) {
		ck_assert_str_eq(dt_damo_format_nr(b, sizeof(b), nrs[i].v, 0), nrs[i].human);
		char want[32];
		snprintf(want, sizeof(want), "%llu", (unsigned long long)nrs[i].v);
		ck_assert_str_eq(dt_damo_format_nr(b, sizeof(b), nrs[i].v, 1), want);
	}
	/* cut to the buffer, never past it */
	ck_assert_str_eq(dt_damo_format_nr(small, sizeof(small), 1234567, 0), "1,2");
	ck_assert_str_eq(dt_damo_format_time_ns_exact(small, sizeof(small), 3317302716ull, 0),
			 "3 s");
}
END_TEST

START_TEST(damo_number_texts)
{
	char b[64];

	/* damo-raw region lengths and times */
	ck_assert_str_eq(dt_damo_format_sz(b, sizeof(b), 1024, 0), "1024 B");
	ck_assert_str_eq(dt_damo_format_sz(b, sizeof(b), 1025, 0), "1.001 KiB");
	ck_assert_str_eq(dt_damo_format_sz(b, sizeof(b), 4141056, 0), "3.949 MiB");
	ck_assert_str_eq(dt_damo_format_sz(b, sizeof(b), 3ull << 40, 0), "3.000 TiB");
	ck_assert_str_eq(dt_damo_format_sz(b, sizeof(b), 18446744073709551615.0, 0), "max");
	ck_assert_str_eq(dt_damo_format_time_ns(b, sizeof(b), 0, 0), "0 ns");
	ck_assert_str_eq(dt_damo_format_time_ns(b, sizeof(b), 999, 0), "999 ns");
	ck_assert_str_eq(dt_damo_format_time_ns(b, sizeof(b), 5000, 0), "5 us");
	ck_assert_str_eq(dt_damo_format_time_ns(b, sizeof(b), 104599000, 0), "104.599 ms");
	ck_assert_str_eq(dt_damo_format_time_ns(b, sizeof(b), 3317302716.0, 0), "3.317 s");
	ck_assert_str_eq(dt_damo_format_time_ns(b, sizeof(b), 539809434100.0, 0), "8 m 59.809 s");
	ck_assert_str_eq(dt_damo_format_time_ns(b, sizeof(b), 90e9, 0), "1 m 30 s");
	ck_assert_str_eq(dt_damo_format_time_ns(b, sizeof(b), 120e9, 0), "2 m");
	ck_assert_str_eq(dt_damo_format_time_ns(b, sizeof(b), 3600e9, 0), "1 h");
	ck_assert_str_eq(dt_damo_format_time_ns(b, sizeof(b), 82820852190000.0, 0),
			 "23 h 20.852 s");
	ck_assert_str_eq(dt_damo_format_time_ns(b, sizeof(b), -1500, 0), "-1.500 us");
	ck_assert_str_eq(dt_damo_format_time_ns(b, sizeof(b), -18446744073709551615.0, 0),
			 "-max");
	/* report sizes: the unit boundaries, fractions cut, raw numbers */
	ck_assert_str_eq(dt_damo_format_sz(b, sizeof(b), 0, 0), "0 B");
	ck_assert_str_eq(dt_damo_format_sz(b, sizeof(b), 1023.9, 0), "1023 B");
	ck_assert_str_eq(dt_damo_format_sz(b, sizeof(b), 1048576, 0), "1024.000 KiB");
	ck_assert_str_eq(dt_damo_format_sz(b, sizeof(b), 1073741825, 0), "1.000 GiB");
	ck_assert_str_eq(dt_damo_format_sz(b, sizeof(b), 1ull << 61, 0), "2.000 EiB");
	ck_assert_str_eq(dt_damo_format_sz(b, sizeof(b), 4141056.7, 1), "4141056");
	ck_assert_str_eq(dt_damo_format_sz(b, sizeof(b), 18446744073709551615.0, 1),
			 "18446744073709551616");
	/* report times: whole units, raw numbers */
	ck_assert_str_eq(dt_damo_format_time_ns(b, sizeof(b), 2e9, 0), "2 s");
	ck_assert_str_eq(dt_damo_format_time_ns(b, sizeof(b), 7e6, 0), "7 ms");
	ck_assert_str_eq(dt_damo_format_time_ns(b, sizeof(b), 7200e9 + 61e9, 0), "2 h 1 m 1 s");
	ck_assert_str_eq(dt_damo_format_time_ns(b, sizeof(b), 104599000.9, 1), "104599000");
}
END_TEST

START_TEST(format_names_and_extensions)
{
	enum dt_export_format f;

	ck_assert_int_eq(dt_export_format_parse("json_compressed", &f), 0);
	ck_assert_int_eq(f, DT_EXPORT_DAMO_JSON_COMPRESSED);
	ck_assert_int_eq(dt_export_format_parse("damo_raw", &f), 0);
	ck_assert_int_eq(f, DT_EXPORT_DAMO_RAW);
	ck_assert_int_eq(dt_export_format_parse("yaml", &f), -EINVAL);
	ck_assert_int_eq(dt_export_format_from_path("x/damon.data", &f), 0);
	ck_assert_int_eq(f, DT_EXPORT_DAMO_JSON_COMPRESSED);
	ck_assert_int_eq(dt_export_format_from_path("a.jsonl", &f), 0);
	ck_assert_int_eq(f, DT_EXPORT_NDJSON);
	ck_assert_int_eq(dt_export_format_from_path("a.dtr", &f), 0);
	ck_assert_int_eq(f, DT_EXPORT_DTR);
	ck_assert_int_eq(dt_export_format_from_path("a.bin", &f), -EINVAL);
	ck_assert(dt_export_format_is_text(DT_EXPORT_CSV));
	ck_assert(!dt_export_format_is_text(DT_EXPORT_DAMO_JSON_COMPRESSED));
}
END_TEST

/* Two targets whose snapshots interleave in time, the first without ages. */
static void put_two_targets(struct dt_export *ex)
{
	static const struct dtr_target targets[] = {
		{ 0, 100, 1234, "a" }, { 1, 200, 1235, "b" },
	};
	struct dtr_item item;
	char err[256];

	memset(&item, 0, sizeof(item));
	item.type = DTR_ITEM_CONTEXT;
	item.u.context.nr_targets = 2;
	item.u.context.targets = targets;
	ck_assert_int_eq(dt_export_put(ex, &item, err, sizeof(err)), 0);
	memset(&item, 0, sizeof(item));
	item.type = DTR_ITEM_INTERVALS;
	item.u.intervals.sample_us = 5000;
	item.u.intervals.aggr_us = 100000;
	item.u.intervals.update_us = 1000000;
	ck_assert_int_eq(dt_export_put(ex, &item, err, sizeof(err)), 0);
	for (int i = 0; i < 3; i++)
		for (uint32_t t = 0; t < 2; t++) {
			struct dtr_region r[2] = {
				{ 4096, 8192, (uint32_t)i, 7 },
				{ 8192 + t * 4096, 65536, 0, (uint32_t)i },
			};
			memset(&item, 0, sizeof(item));
			item.type = DTR_ITEM_SNAPSHOT;
			item.u.snapshot.start_ns = 1000000000ull + (uint64_t)i * 100000000ull;
			item.u.snapshot.end_ns = item.u.snapshot.start_ns + 100000000ull;
			item.u.snapshot.target = t;
			item.u.snapshot.access_unit = DTR_UNIT_SAMPLES;
			item.u.snapshot.age_unit = t ? DTR_UNIT_AGGREGATIONS : DTR_UNIT_ABSENT;
			item.u.snapshot.nr_regions = 2;
			item.u.snapshot.regions = r;
			ck_assert_int_eq(dt_export_put(ex, &item, err, sizeof(err)), 0);
		}
}

static char *export_to_memory(enum dt_export_format f, enum dt_export_what what, size_t *len)
{
	struct dt_export_opts o = { what, 0 };
	struct dt_export *ex;
	char err[256];
	FILE *tmp = tmpfile();

	ck_assert_ptr_nonnull(tmp);
	ck_assert_int_eq(dt_export_open(&ex, f, &o, fileno(tmp), "out", err, sizeof(err)), 0);
	put_two_targets(ex);
	ck_assert_msg(dt_export_close(ex, err, sizeof(err)) == 0, "%s", err);
	long n = lseek(fileno(tmp), 0, SEEK_END);
	char *buf = malloc((size_t)n + 1);
	ck_assert_int_eq(pread(fileno(tmp), buf, (size_t)n, 0), n);
	buf[n] = '\0';
	fclose(tmp);
	*len = (size_t)n;
	return buf;
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

START_TEST(damo_formats_group_snapshots_by_target)
{
	size_t len;
	char *raw = export_to_memory(DT_EXPORT_DAMO_RAW, DT_EXPORT_REGIONS, &len);

	/* one record per target, each with its own base time */
	ck_assert_uint_eq(count(raw, "base_time_absolute: 1 s\n"), 2);
	ck_assert_uint_eq(count(raw, "target_id: 100\n"), 3);
	ck_assert_uint_eq(count(raw, "target_id: 200\n"), 3);
	ck_assert_ptr_nonnull(strstr(raw, "target_id: 100\nnr_regions: 2\n"));
	ck_assert(strstr(raw, "target_id: 100") < strstr(raw, "target_id: 200"));
	/* the first target has no ages: -1 as damo prints them */
	ck_assert_ptr_nonnull(strstr(raw, "000000001000-000000002000 (   4.000 KiB)           2    -1\n"));
	ck_assert_ptr_nonnull(strstr(raw, "000000003000-000000010000 (  52.000 KiB)           0     2\n"));
	free(raw);

	/* json: read back by the input layer, the same snapshots per target */
	char *json = export_to_memory(DT_EXPORT_DAMO_JSON, DT_EXPORT_REGIONS, &len);
	ck_assert_uint_eq(count(json, "\"target_id\": "), 2);
	ck_assert_ptr_nonnull(strstr(json, "\"sample_us\": \"5000\""));
	struct dt_input *in;
	struct dtr_item item;
	char err[256];
	size_t snaps[2] = { 0, 0 };
	ck_assert_int_eq(dt_input_open_mem(&in, json, len, "json", NULL, err, sizeof(err)), 0);
	while (dt_input_next(in, &item, err, sizeof(err)) > 0)
		if (item.type == DTR_ITEM_SNAPSHOT) {
			const struct dtr_snapshot *s = &item.u.snapshot;
			ck_assert_uint_lt(s->target, 2);
			ck_assert_uint_eq(s->start_ns,
					  1000000000ull + snaps[s->target] * 100000000ull);
			ck_assert_int_eq(s->age_unit,
					 s->target ? DTR_UNIT_AGGREGATIONS : DTR_UNIT_ABSENT);
			ck_assert_uint_eq(s->regions[0].nr_accesses, snaps[s->target]);
			snaps[s->target]++;
		}
	dt_input_close(in);
	ck_assert_uint_eq(snaps[0], 3);
	ck_assert_uint_eq(snaps[1], 3);
	free(json);

	/* perf script: read back with the same ends and (damo's) starts */
	char *ps = export_to_memory(DT_EXPORT_PERF_SCRIPT, DT_EXPORT_REGIONS, &len);
	ck_assert_ptr_nonnull(strstr(ps, " 1.100000: damon:damon_aggregated: target_id=100 "
					 "nr_regions=2 4096-8192: 0\n"));
	ck_assert_ptr_nonnull(strstr(ps, "target_id=200 nr_regions=2 12288-65536: 0 0\n"));
	ck_assert_int_eq(dt_input_open_mem(&in, ps, len, "ps", NULL, err, sizeof(err)), 0);
	size_t n = 0;
	while (dt_input_next(in, &item, err, sizeof(err)) > 0)
		if (item.type == DTR_ITEM_SNAPSHOT) {
			ck_assert_uint_eq(item.u.snapshot.end_ns, 1100000000ull + (n % 3) * 100000000ull);
			ck_assert_uint_eq(item.u.snapshot.start_ns, item.u.snapshot.end_ns - 100000000ull);
			n++;
		}
	dt_input_close(in);
	ck_assert_uint_eq(n, 6);
	free(ps);
}
END_TEST

START_TEST(tables_mark_missing_values)
{
	size_t len;
	char *csv = export_to_memory(DT_EXPORT_CSV, DT_EXPORT_REGIONS, &len);

	ck_assert_ptr_eq(strstr(csv, "time_ns,kdamond,context,target,start,end,nr_accesses,age\n"),
			 csv);
	ck_assert_ptr_nonnull(strstr(csv, "\n1100000000,0,0,0,4096,8192,0,\n"));
	ck_assert_ptr_nonnull(strstr(csv, "\n1300000000,0,0,1,12288,65536,0,2\n"));
	ck_assert_uint_eq(count(csv, "\n"), 13);
	free(csv);

	char *nd = export_to_memory(DT_EXPORT_NDJSON, DT_EXPORT_WSS, &len);
	ck_assert_ptr_nonnull(strstr(nd, "{\"time_ns\":1200000000,\"kdamond\":0,\"context\":0,"
					 "\"target\":1,\"wss_bytes\":4096}\n"));
	ck_assert_ptr_nonnull(strstr(nd, "\"target\":0,\"wss_bytes\":0}\n"));
	ck_assert_uint_eq(count(nd, "\n"), 6);
	free(nd);
}
END_TEST

START_TEST(write_errors_name_the_output)
{
	struct dt_export *ex;
	char err[256];
	int fd = open("/dev/full", O_WRONLY);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(dt_export_open(&ex, DT_EXPORT_DAMO_RAW, NULL, fd, "full.txt", err,
					sizeof(err)), 0);
	put_two_targets(ex);
	ck_assert_int_eq(dt_export_close(ex, err, sizeof(err)), -ENOSPC);
	ck_assert_ptr_nonnull(strstr(err, "full.txt: write error"));
	close(fd);
}
END_TEST

Suite *export_suite(void)
{
	Suite *s = suite_create("export");
	TCase *tc = tcase_create("export");

	tcase_add_test(tc, damo_number_texts);
	tcase_add_test(tc, damo_exact_texts);
	tcase_add_test(tc, format_names_and_extensions);
	tcase_add_test(tc, damo_formats_group_snapshots_by_target);
	tcase_add_test(tc, tables_mark_missing_values);
	tcase_add_test(tc, write_errors_name_the_output);
	suite_add_tcase(s, tc);
	return s;
}
