// SPDX-License-Identifier: GPL-2.0-only
/*
 * The recorder without a kernel: parsing of -r ranges and quoted command
 * lines, and raw-capture replay through the decoder and the record writer,
 * read back with the record reader (snapshot times, chaining of start
 * times, incomplete snapshots after lost events, records with and without
 * `age`).
 */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "damon_shim.h"
#include "dtr.h"
#include "recorder.h"

START_TEST(ranges_parse)
{
	struct rec_range *r;
	size_t n;
	char err[256] = "";

	ck_assert_int_eq(rec_parse_ranges("4096-8192,0x10000-0x20000", &r, &n, err, sizeof(err)), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(r[0].start, 4096);
	ck_assert_uint_eq(r[0].end, 8192);
	ck_assert_uint_eq(r[1].start, 0x10000);
	ck_assert_uint_eq(r[1].end, 0x20000);
	free(r);
	ck_assert_int_eq(rec_parse_ranges("1M-2M", &r, &n, err, sizeof(err)), 0);
	ck_assert_uint_eq(r[0].end, 2 << 20);
	free(r);
	ck_assert_int_eq(rec_parse_ranges("100-50", &r, &n, err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, "end is not above start"), "%s", err);
	ck_assert_int_eq(rec_parse_ranges("0-100,50-200", &r, &n, err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, "sorted and not overlap"), "%s", err);
	ck_assert_int_eq(rec_parse_ranges("100", &r, &n, err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(rec_parse_ranges("x-y", &r, &n, err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(rec_parse_ranges("", &r, &n, err, sizeof(err)), -EINVAL);
}
END_TEST

START_TEST(command_lines_split_like_a_shell)
{
	char **argv;
	char err[256] = "";

	ck_assert_int_eq(rec_split_command("  ./app  -n 3 'two words' \"q\\\"d\" a\\ b ", &argv, err,
					   sizeof(err)), 0);
	ck_assert_str_eq(argv[0], "./app");
	ck_assert_str_eq(argv[1], "-n");
	ck_assert_str_eq(argv[2], "3");
	ck_assert_str_eq(argv[3], "two words");
	ck_assert_str_eq(argv[4], "q\"d");
	ck_assert_str_eq(argv[5], "a b");
	ck_assert_ptr_null(argv[6]);
	rec_free_argv(argv);
	ck_assert_int_eq(rec_split_command("sh -c 'oops", &argv, err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, "unterminated"), "%s", err);
	ck_assert_int_eq(rec_split_command("   ", &argv, err, sizeof(err)), -EINVAL);
}
END_TEST

static char *load_format(const char *name)
{
	char path[512];
	const char *src = getenv("DT_SRC");
	snprintf(path, sizeof(path), "%s/tests/fakes/%s", src ? src : ".", name);
	FILE *f = fopen(path, "r");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	char *buf = calloc(1, 65536);
	size_t n = fread(buf, 1, 65535, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void put_sample(struct dshim_capture *c, uint64_t time, uint32_t nr_regions,
		       uint64_t start, uint64_t end, uint32_t nr_accesses, uint32_t age, int with_age)
{
	unsigned char rec[128], raw[52];
	char err[256];
	uint64_t target_id = 0;

	memset(raw, 0, sizeof(raw));
	memcpy(raw + 8, &target_id, 8);
	memcpy(raw + 16, &nr_regions, 4);
	memcpy(raw + 24, &start, 8);
	memcpy(raw + 32, &end, 8);
	memcpy(raw + 40, &nr_accesses, 4);
	if (with_age)
		memcpy(raw + 44, &age, 4);
	uint32_t raw_size = with_age ? 52 : 44;
	struct perf_event_header h = { PERF_RECORD_SAMPLE, 0, 0 };
	size_t off = sizeof(h);
	uint32_t pid_tid[2] = { 9, 9 }, cpu[2] = { 0, 0 };
	memcpy(rec + off, pid_tid, 8), off += 8;
	memcpy(rec + off, &time, 8), off += 8;
	memcpy(rec + off, cpu, 8), off += 8;
	memcpy(rec + off, &raw_size, 4), off += 4;
	memcpy(rec + off, raw, raw_size), off += raw_size;
	while (off % 8)
		rec[off++] = 0;
	h.size = (uint16_t)off;
	memcpy(rec, &h, sizeof(h));
	ck_assert_int_eq(dshim_capture_put(c, rec, off, err, sizeof(err)), 0);
}

static void put_lost(struct dshim_capture *c, uint64_t nr)
{
	unsigned char rec[24];
	char err[256];
	struct perf_event_header h = { PERF_RECORD_LOST, 0, sizeof(rec) };
	uint64_t id = 0;
	memcpy(rec, &h, 8);
	memcpy(rec + 8, &id, 8);
	memcpy(rec + 16, &nr, 8);
	ck_assert_int_eq(dshim_capture_put(c, rec, sizeof(rec), err, sizeof(err)), 0);
}

/* Three aggregations 100 ms apart of 4 regions; the second lost 2. */
static void make_capture(const char *path, const char *format_name, int with_age)
{
	char err[256] = "";
	char *format = load_format(format_name);
	struct dshim_capture *c;

	unlink(path);
	ck_assert_msg(dshim_capture_create(&c, path, 0, format, err, sizeof(err)) == 0, "%s", err);
	for (int a = 0; a < 3; a++) {
		uint64_t t = 1000000000ull + (uint64_t)a * 100000000ull;
		for (int i = 0; i < 4; i++) {
			if (a == 1 && i == 2) {
				put_lost(c, 2);
				break;
			}
			put_sample(c, t + (uint64_t)i * 2000, 4, 0x10000 + (uint64_t)i * 0x1000,
				   0x11000 + (uint64_t)i * 0x1000, (uint32_t)(a * 10 + i), (uint32_t)a,
				   with_age);
		}
	}
	ck_assert_int_eq(dshim_capture_close(c, err, sizeof(err)), 0);
	free(format);
}

static void check_replay(const char *format_name, int with_age)
{
	char dir[] = "/tmp/dt-rec.XXXXXX", cap[300], out[300], err[512] = "";
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(cap, sizeof(cap), "%s/raw.cap", dir);
	snprintf(out, sizeof(out), "%s/out.dtr", dir);
	make_capture(cap, format_name, with_age);

	struct rec_options o = { .out = out, .aggr_us = 100000, .ops = "vaddr" };
	struct rec_stats st;
	ck_assert_msg(rec_replay_raw(cap, &o, &st, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(st.snapshots, 3);
	ck_assert_uint_eq(st.incomplete, 1);
	ck_assert_uint_eq(st.lost_events, 2);
	ck_assert_uint_eq(st.regions, 10);
	ck_assert_int_eq(st.stop, REC_STOP_END_OF_INPUT);

	struct dtr_reader *r;
	struct dtr_item it;
	ck_assert_msg(dtr_reader_open(&r, out, NULL, err, sizeof(err)) == 0, "%s", err);
	int snaps = 0, saw_source = 0, saw_context = 0, saw_intervals = 0, ret;
	uint64_t prev_end = 0;
	while ((ret = dtr_reader_next(r, &it, err, sizeof(err))) == 1) {
		if (it.type == DTR_ITEM_META) {
			for (size_t i = 0; i < it.u.meta.nr; i++)
				if (!strcmp(it.u.meta.kvs[i].key, DTR_META_SOURCE)) {
					ck_assert_str_eq(it.u.meta.kvs[i].value, "tracepoint");
					saw_source = 1;
				}
		} else if (it.type == DTR_ITEM_CONTEXT) {
			ck_assert_int_eq(it.u.context.ops, DTR_OPS_VADDR);
			ck_assert_uint_eq(it.u.context.nr_targets, 1);
			saw_context = 1;
		} else if (it.type == DTR_ITEM_INTERVALS) {
			ck_assert_uint_eq(it.u.intervals.aggr_us, 100000);
			ck_assert_int_eq(snaps, 0); /* before the first snapshot */
			saw_intervals = 1;
		} else if (it.type == DTR_ITEM_SNAPSHOT) {
			const struct dtr_snapshot *s = &it.u.snapshot;
			uint64_t t = 1000000000ull + (uint64_t)snaps * 100000000ull;
			ck_assert_uint_eq(s->end_ns, t);
			if (snaps == 0) {
				ck_assert_uint_eq(s->start_ns, t - 100000000ull);
				ck_assert(s->flags & DTR_SNAPSHOT_START_ESTIMATED);
			} else {
				ck_assert_uint_eq(s->start_ns, prev_end);
			}
			prev_end = s->end_ns;
			ck_assert_uint_eq(s->nr_regions, snaps == 1 ? 2 : 4);
			ck_assert_int_eq(!!(s->flags & DTR_SNAPSHOT_INCOMPLETE), snaps == 1);
			ck_assert_int_eq(s->access_unit, DTR_UNIT_SAMPLES);
			ck_assert_int_eq(s->age_unit, with_age ? DTR_UNIT_AGGREGATIONS : DTR_UNIT_ABSENT);
			ck_assert_uint_eq(s->regions[1].start, 0x11000);
			ck_assert_uint_eq(s->regions[1].nr_accesses, (uint32_t)(snaps * 10 + 1));
			if (with_age)
				ck_assert_uint_eq(s->regions[1].age, (uint32_t)snaps);
			snaps++;
		}
	}
	ck_assert_msg(ret == 0, "%s", err);
	ck_assert_int_eq(snaps, 3);
	ck_assert(saw_source && saw_context && saw_intervals);
	struct dtr_reader_status rs;
	dtr_reader_status(r, &rs);
	ck_assert_int_eq(rs.clean_close, 1);
	dtr_reader_close(r);

	/* Replaying again keeps the first record as .old. */
	ck_assert_msg(rec_replay_raw(cap, &o, &st, err, sizeof(err)) == 0, "%s", err);
	char old[320];
	snprintf(old, sizeof(old), "%s.old", out);
	ck_assert_int_eq(access(old, F_OK), 0);
	char cmd[400];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

START_TEST(replay_with_age)
{
	check_replay("damon_aggregated-6.12.format", 1);
}
END_TEST

START_TEST(replay_without_age)
{
	check_replay("damon_aggregated-5.15.format", 0);
}
END_TEST

Suite *recorder_suite(void)
{
	Suite *s = suite_create("recorder");
	TCase *tc = tcase_create("offline");

	tcase_add_test(tc, ranges_parse);
	tcase_add_test(tc, command_lines_split_like_a_shell);
	tcase_add_test(tc, replay_with_age);
	tcase_add_test(tc, replay_without_age);
	suite_add_tcase(s, tc);
	return s;
}
