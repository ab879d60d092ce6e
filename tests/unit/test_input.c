// SPDX-License-Identifier: GPL-2.0-only
/*
 * The input layer on damo's own fixtures (../shared/interop/damo): every
 * format is detected by content and gives the snapshots damo reads from
 * it; damaged inputs fail with the file and the place named.
 */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "input.h"
#include "input_internal.h"

/* ------------------------------------------------------------ helpers */

struct snap {
	uint64_t start, end;
	uint32_t kdamond, context, target, flags;
	enum dtr_unit access_unit, age_unit;
	size_t nr;
	struct dtr_region *regions;
};

struct collected {
	enum dt_input_format format;
	size_t nr_snaps, nr_contexts, nr_intervals, nr_meta;
	struct snap *snaps;
	struct dtr_intervals intervals;
	uint64_t target_ids[8];
	size_t nr_targets;
};

static const char *fixture(const char *name)
{
	static char path[4][1024];
	static int slot;
	const char *shared = getenv("DT_SHARED");
	char *p = path[slot++ % 4];

	snprintf(p, sizeof(path[0]), "%s/interop/damo/%s", shared ? shared : "../shared", name);
	return p;
}

static void collect_from(struct dt_input *in, struct collected *c)
{
	struct dtr_item item;
	char err[512];
	int ret;

	memset(c, 0, sizeof(*c));
	c->format = dt_input_format(in);
	while ((ret = dt_input_next(in, &item, err, sizeof(err))) > 0) {
		switch (item.type) {
		case DTR_ITEM_META:
			c->nr_meta++;
			break;
		case DTR_ITEM_CONTEXT:
			c->nr_contexts++;
			c->nr_targets = item.u.context.nr_targets;
			for (size_t i = 0; i < c->nr_targets && i < 8; i++)
				c->target_ids[i] = item.u.context.targets[i].id;
			break;
		case DTR_ITEM_INTERVALS:
			c->nr_intervals++;
			c->intervals = item.u.intervals;
			break;
		case DTR_ITEM_SNAPSHOT: {
			const struct dtr_snapshot *s = &item.u.snapshot;
			c->snaps = realloc(c->snaps, (c->nr_snaps + 1) * sizeof(*c->snaps));
			struct snap *d = &c->snaps[c->nr_snaps++];
			d->start = s->start_ns;
			d->end = s->end_ns;
			d->kdamond = s->kdamond;
			d->context = s->context;
			d->target = s->target;
			d->flags = s->flags;
			d->access_unit = s->access_unit;
			d->age_unit = s->age_unit;
			d->nr = s->nr_regions;
			d->regions = malloc((d->nr + 1) * sizeof(*d->regions));
			if (d->nr)
				memcpy(d->regions, s->regions, d->nr * sizeof(*d->regions));
			break;
		}
		default:
			break;
		}
	}
	ck_assert_msg(ret == 0, "reading failed: %s", err);
}

static void collect(const char *path, struct collected *c)
{
	struct dt_input *in;
	char err[512];

	ck_assert_msg(dt_input_open(&in, path, NULL, err, sizeof(err)) == 0, "open: %s", err);
	collect_from(in, c);
	dt_input_close(in);
}

static void collect_mem(const void *data, size_t len, struct collected *c)
{
	struct dt_input *in;
	char err[512];

	ck_assert_msg(dt_input_open_mem(&in, data, len, "mem", NULL, err, sizeof(err)) == 0,
		      "open: %s", err);
	collect_from(in, c);
	dt_input_close(in);
}

static void release(struct collected *c)
{
	for (size_t i = 0; i < c->nr_snaps; i++)
		free(c->snaps[i].regions);
	free(c->snaps);
}

static void *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *buf = malloc((size_t)n + 1);
	ck_assert(fread(buf, 1, (size_t)n, f) == (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* Regions, accesses and end times equal; ages too when both have them. */
static void assert_same_snapshots(const struct collected *a, const struct collected *b,
				  int compare_starts)
{
	ck_assert_uint_eq(a->nr_snaps, b->nr_snaps);
	for (size_t i = 0; i < a->nr_snaps; i++) {
		const struct snap *x = &a->snaps[i], *y = &b->snaps[i];
		ck_assert_msg(x->end == y->end, "snapshot %zu: end %llu vs %llu", i,
			      (unsigned long long)x->end, (unsigned long long)y->end);
		if (compare_starts)
			ck_assert_msg(x->start == y->start, "snapshot %zu: start %llu vs %llu", i,
				      (unsigned long long)x->start, (unsigned long long)y->start);
		ck_assert_uint_eq(x->target, y->target);
		ck_assert_uint_eq(x->nr, y->nr);
		ck_assert_int_eq(x->age_unit, y->age_unit);
		for (size_t r = 0; r < x->nr; r++) {
			ck_assert_uint_eq(x->regions[r].start, y->regions[r].start);
			ck_assert_uint_eq(x->regions[r].end, y->regions[r].end);
			ck_assert_uint_eq(x->regions[r].nr_accesses, y->regions[r].nr_accesses);
			if (x->age_unit != DTR_UNIT_ABSENT)
				ck_assert_uint_eq(x->regions[r].age, y->regions[r].age);
		}
	}
}

static void expect_open_or_read_error(const void *data, size_t len, const char *name,
				      const char *want1, const char *want2)
{
	struct dt_input *in;
	struct dtr_item item;
	char err[512] = "";
	int ret = dt_input_open_mem(&in, data, len, name, NULL, err, sizeof(err));

	if (!ret) {
		while ((ret = dt_input_next(in, &item, err, sizeof(err))) > 0)
			;
		dt_input_close(in);
	}
	ck_assert_msg(ret < 0, "%s: damaged input was accepted", name);
	ck_assert_msg(strstr(err, name) != NULL, "message does not name the file: %s", err);
	ck_assert_msg(strstr(err, want1) != NULL, "message lacks '%s': %s", want1, err);
	if (want2)
		ck_assert_msg(strstr(err, want2) != NULL, "message lacks '%s': %s", want2, err);
}

/* ------------------------------------------------------------ damo json */

START_TEST(damo_json_compressed_fixture)
{
	struct collected c;

	collect(fixture("damon.data"), &c);
	ck_assert_int_eq(c.format, DT_INPUT_DAMO_JSON_COMPRESSED);
	ck_assert_uint_eq(c.nr_snaps, 543);
	ck_assert_uint_eq(c.nr_contexts, 1);
	ck_assert_uint_eq(c.nr_intervals, 0); /* "intervals": null */
	ck_assert_uint_eq(c.nr_targets, 1);
	ck_assert_uint_eq(c.target_ids[0], 18446623438842320000ull);
	ck_assert_uint_eq(c.snaps[0].start, 539809434100ull);
	ck_assert_uint_eq(c.snaps[0].end, 539914032967ull);
	ck_assert_uint_eq(c.snaps[0].nr, 10);
	/* "94,827,419,009,024": thousands separators */
	ck_assert_uint_eq(c.snaps[0].regions[0].start, 94827419009024ull);
	ck_assert_uint_eq(c.snaps[0].regions[0].end, 94827423150080ull);
	ck_assert_int_eq(c.snaps[0].access_unit, DTR_UNIT_SAMPLES);
	ck_assert_int_eq(c.snaps[0].age_unit, DTR_UNIT_ABSENT);
	ck_assert_uint_eq(c.snaps[542].regions[c.snaps[542].nr - 2].nr_accesses, 9);
	for (size_t i = 1; i < c.nr_snaps; i++)
		ck_assert_uint_ge(c.snaps[i].start, c.snaps[i - 1].start);
	release(&c);
}
END_TEST

START_TEST(damo_json_vm_fixture_has_intervals_and_ages)
{
	struct collected c;

	collect(fixture("vm/damon-vm.data"), &c);
	ck_assert_uint_eq(c.nr_snaps, 54);
	ck_assert_uint_eq(c.nr_intervals, 1);
	ck_assert_uint_eq(c.intervals.sample_us, 5000);
	ck_assert_uint_eq(c.intervals.aggr_us, 100000);
	ck_assert_uint_eq(c.intervals.update_us, 1000000);
	ck_assert_int_eq(c.snaps[0].age_unit, DTR_UNIT_AGGREGATIONS);
	ck_assert_uint_eq(c.snaps[0].regions[0].age, 1);
	ck_assert_uint_eq(c.snaps[53].regions[0].age, 54);
	ck_assert_uint_eq(c.snaps[53].regions[9].nr_accesses, 19);
	ck_assert_uint_eq(c.snaps[0].start, 3317302716ull);
	ck_assert_uint_eq(c.snaps[0].end, 3428551000ull);
	release(&c);
}
END_TEST

START_TEST(damo_json_plain_text_and_old_schema)
{
	/* Plain numbers, a bare nr_accesses, ages in usec converted by the
	 * intervals, an unknown key, unicode escapes, and a second target. */
	const char *json =
		"[{\"kdamond_idx\": 1, \"context_idx\": 0, \"target_id\": 42,\n"
		" \"intervals\": {\"sample_us\": \"5 ms\", \"aggr_us\": 100000, \"ops_update_us\": \"1s\"},\n"
		" \"note\": {\"x\": [1, 2.5e3, \"\\u00e9\\ud83d\\ude00\"]},\n"
		" \"snapshots\": [{\"start_time\": 1000, \"end_time\": \"2,000\", \"regions\": [\n"
		"   {\"start\": 4096, \"end\": \"8,192\", \"nr_accesses\": 3, \"age\": {\"usec\": 300000}}]}]},\n"
		" {\"kdamond_idx\": 1, \"context_idx\": 0, \"target_id\": 43, \"snapshots\": [\n"
		"   {\"start_time\": \"1 s\", \"end_time\": \"1 s 100 ms\", \"regions\": []}]}]";
	struct collected c;

	collect_mem(json, strlen(json), &c);
	ck_assert_int_eq(c.format, DT_INPUT_DAMO_JSON);
	ck_assert_uint_eq(c.nr_snaps, 2);
	ck_assert_uint_eq(c.nr_contexts, 2); /* the target list grows */
	ck_assert_uint_eq(c.nr_targets, 2);
	ck_assert_uint_eq(c.target_ids[1], 43);
	ck_assert_uint_eq(c.intervals.sample_us, 5000);
	ck_assert_uint_eq(c.intervals.update_us, 1000000);
	ck_assert_uint_eq(c.snaps[0].kdamond, 1);
	ck_assert_uint_eq(c.snaps[0].start, 1000);
	ck_assert_uint_eq(c.snaps[0].end, 2000);
	ck_assert_uint_eq(c.snaps[0].regions[0].end, 8192);
	ck_assert_uint_eq(c.snaps[0].regions[0].nr_accesses, 3);
	ck_assert_uint_eq(c.snaps[0].regions[0].age, 3);
	ck_assert_int_eq(c.snaps[0].age_unit, DTR_UNIT_AGGREGATIONS);
	ck_assert_uint_eq(c.snaps[1].target, 1);
	ck_assert_uint_eq(c.snaps[1].start, 1000000000ull);
	ck_assert_uint_eq(c.snaps[1].end, 1100000000ull);
	ck_assert_uint_eq(c.snaps[1].nr, 0);
	release(&c);
}
END_TEST

START_TEST(damo_json_intervals_after_snapshots)
{
	const char *json = "[{\"target_id\": 3, \"snapshots\": [{\"start_time\": 1, "
			   "\"end_time\": 2, \"regions\": []}], \"intervals\": {\"sample_us\": "
			   "5000, \"aggr_us\": 100000, \"ops_update_us\": 1000000}}]";
	struct collected c;

	collect_mem(json, strlen(json), &c);
	ck_assert_uint_eq(c.nr_snaps, 1);
	ck_assert_uint_eq(c.nr_intervals, 1);
	ck_assert_uint_eq(c.intervals.aggr_us, 100000);
	release(&c);
}
END_TEST

START_TEST(damo_json_damage_is_located)
{
	size_t len;
	unsigned char *z = slurp(fixture("damon.data"), &len);

	expect_open_or_read_error(z, len / 2, "half.data", "truncated zlib", "offset");
	z[len / 3] ^= 0x55;
	z[len / 3 + 1] ^= 0xaa;
	expect_open_or_read_error(z, len, "flipped.data", "offset", NULL);
	free(z);

	const char *broken = "[{\"target_id\": 1, \"snapshots\": [{\"start_time\": 1, \"end_time\": 2,"
			     " \"regions\": [{\"start\": 1, \"end\": 2,, }]}]}]";
	expect_open_or_read_error(broken, strlen(broken), "broken.json", "JSON offset 99", NULL);
	const char *cut = "[{\"target_id\": 1, \"snapshots\": [{\"start_time\": 1";
	expect_open_or_read_error(cut, strlen(cut), "cut.json", "truncated", NULL);
	const char *bad_addr = "[{\"target_id\": 1, \"snapshots\": [{\"end_time\": 2, \"regions\": "
			       "[{\"start\": \"0x1zz\", \"end\": 9}]}]}]";
	expect_open_or_read_error(bad_addr, strlen(bad_addr), "addr.json",
				  "[0].snapshots[0].regions[0].start", NULL);
	const char *unsorted = "[{\"target_id\": 1, \"snapshots\": [{\"end_time\": 2, \"regions\": "
			       "[{\"start\": 100, \"end\": 200}, {\"start\": 150, \"end\": 300}]}]}]";
	expect_open_or_read_error(unsorted, strlen(unsorted), "overlap.json", "overlap", NULL);
	const char *trailing = "[] x";
	expect_open_or_read_error(trailing, strlen(trailing), "trailing.json", "trailing", NULL);
}
END_TEST

/* ------------------------------------------------------------ binary */

/* v1: header version 1 and int32 target ids; v0: no header, uint64 ids. */
static unsigned char *derive_binary_shifted(const unsigned char *v2, size_t len, int version,
					    int64_t sec_shift, size_t *out_len);

static unsigned char *derive_binary(const unsigned char *v2, size_t len, int version,
				    size_t *out_len)
{
	return derive_binary_shifted(v2, len, version, 0, out_len);
}

/* ... with every snapshot's seconds moved by sec_shift. */
static unsigned char *derive_binary_shifted(const unsigned char *v2, size_t len, int version,
					    int64_t sec_shift, size_t *out_len)
{
	unsigned char *out = malloc(len);
	size_t i = 20, o = 0;

	if (version == 1) {
		memcpy(out, v2, 20);
		out[16] = 1;
		o = 20;
	}
	while (i < len) {
		memcpy(out + o, v2 + i, 20); /* sec, nsec, nr_targets */
		int64_t sec;
		memcpy(&sec, out + o, 8);
		sec += sec_shift;
		memcpy(out + o, &sec, 8);
		uint32_t nr_targets;
		memcpy(&nr_targets, v2 + i + 16, 4);
		i += 20;
		o += 20;
		for (uint32_t t = 0; t < nr_targets; t++) {
			if (version == 1) {
				memcpy(out + o, v2 + i, 4); /* low half of the id */
				o += 4;
			} else {
				memcpy(out + o, v2 + i, 8);
				o += 8;
			}
			i += 8;
			uint32_t nr;
			memcpy(&nr, v2 + i, 4);
			memcpy(out + o, v2 + i, 4 + (size_t)nr * 20);
			i += 4 + (size_t)nr * 20;
			o += 4 + (size_t)nr * 20;
		}
	}
	*out_len = o;
	return out;
}

START_TEST(damo_binary_versions_match_the_json_record)
{
	struct collected json, v2, v1, v0;
	size_t len, l1, l0;
	unsigned char *raw = slurp(fixture("damon.data.binary_v2"), &len);

	collect(fixture("damon.data"), &json);
	collect(fixture("damon.data.binary_v2"), &v2);
	ck_assert_int_eq(v2.format, DT_INPUT_DAMO_BINARY);
	/* The first start is extrapolated as damo does: the json record damo
	 * wrote from the same data has exactly this start. */
	assert_same_snapshots(&json, &v2, 1);
	ck_assert(v2.snaps[0].flags & DTR_SNAPSHOT_START_ESTIMATED);
	ck_assert(!(v2.snaps[1].flags & DTR_SNAPSHOT_START_ESTIMATED));

	unsigned char *b1 = derive_binary(raw, len, 1, &l1);
	collect_mem(b1, l1, &v1);
	ck_assert_int_eq(v1.format, DT_INPUT_DAMO_BINARY);
	assert_same_snapshots(&json, &v1, 1);
	/* v1 ids are int32: the low half of the kernel pointer, sign-extended */
	ck_assert_uint_eq(v1.target_ids[0], (uint64_t)(int64_t)(int32_t)(uint32_t)18446623438842320000ull);

	unsigned char *b0 = derive_binary(raw, len, 0, &l0);
	collect_mem(b0, l0, &v0);
	ck_assert_int_eq(v0.format, DT_INPUT_DAMO_BINARY);
	assert_same_snapshots(&json, &v0, 1);
	ck_assert_uint_eq(v0.target_ids[0], 18446623438842320000ull);

	/* A v0 record whose first seconds read as a zlib header (78 9c) is
	 * still a binary record. */
	size_t ls;
	unsigned char *bz = derive_binary_shifted(raw, len, 0, 0x9c78 - 539, &ls);
	ck_assert_uint_eq(bz[0], 0x78);
	ck_assert_uint_eq(bz[1], 0x9c);
	struct collected vz;
	collect_mem(bz, ls, &vz);
	ck_assert_int_eq(vz.format, DT_INPUT_DAMO_BINARY);
	ck_assert_uint_eq(vz.nr_snaps, 543);
	ck_assert_uint_eq(vz.snaps[0].end, (uint64_t)0x9c78 * 1000000000ull + 914032967ull);
	release(&vz);
	free(bz);

	/* Truncated in the middle of a region: the offset is named. */
	expect_open_or_read_error(raw, len - 7, "cut.binary", "truncated at byte offset", "region");
	expect_open_or_read_error(b0, 60, "cut.v0", "truncated", NULL);
	free(b1);
	free(b0);
	free(raw);
	release(&json);
	release(&v2);
	release(&v1);
	release(&v0);
}
END_TEST

/* ------------------------------------------------------------ text */

START_TEST(perf_script_fixture)
{
	struct collected c;

	collect(fixture("perf.data.script"), &c);
	ck_assert_int_eq(c.format, DT_INPUT_PERF_SCRIPT);
	ck_assert_uint_eq(c.nr_snaps, 562);
	ck_assert_uint_eq(c.target_ids[0], 18446623435582458880ull);
	ck_assert_int_eq(c.snaps[0].age_unit, DTR_UNIT_ABSENT);
	ck_assert_uint_eq(c.snaps[0].nr, 8);
	ck_assert_uint_eq(c.snaps[0].end, 82820952659000ull);
	ck_assert(c.snaps[0].flags & DTR_SNAPSHOT_START_ESTIMATED);
	/* The mean snapshot length, taken back from the first end. */
	uint64_t mean = (c.snaps[561].end - c.snaps[0].end) / 561;
	ck_assert_uint_le(c.snaps[0].end - c.snaps[0].start - mean, 1);
	for (size_t i = 1; i < c.nr_snaps; i++) {
		ck_assert_uint_eq(c.snaps[i].start, c.snaps[i - 1].end);
		ck_assert(!(c.snaps[i].flags & (DTR_SNAPSHOT_INCOMPLETE | DTR_SNAPSHOT_START_ESTIMATED)));
	}
	release(&c);
}
END_TEST

START_TEST(vm_perf_script_equals_vm_json)
{
	struct collected ps, js;

	collect(fixture("vm/damon-vm.perf-script"), &ps);
	collect(fixture("vm/damon-vm.data"), &js);
	ck_assert_int_eq(ps.snaps[0].age_unit, DTR_UNIT_AGGREGATIONS);
	assert_same_snapshots(&ps, &js, 1);
	release(&ps);
	release(&js);
}
END_TEST

START_TEST(tracefs_text_and_lost_events)
{
	const char *trace =
		"# tracer: nop\n"
		"#\n"
		"#           TASK-PID     CPU#  |||||  TIMESTAMP  FUNCTION\n"
		"   kdamond.0-1234    [001] .....   123.456789: damon_aggregated: target_id=0 nr_regions=2 4096-8192: 1 3\n"
		"   kdamond.0-1234    [001] .....   123.456790: damon_aggregated: target_id=0 nr_regions=2 8192-16384: 0 7\n"
		"   kdamond.0-1234    [001] .....   123.556789: damon_aggregated: target_id=0 nr_regions=2 4096-8192: 2 0\n"
		"CPU:1 [LOST 1 EVENTS]\n"
		"   kdamond.0-1234    [001] .....   123.656789: damon_aggregated: target_id=0 nr_regions=3 4096-6000: 5 0\n"
		"   kdamond.0-1234    [001] .....   123.656790: damon_aggregated: target_id=0 nr_regions=3 6000-8192: 5 0\n"
		"   kdamond.0-1234    [001] .....   123.656791: damon_aggregated: target_id=0 nr_regions=3 8192-16384: 5 0\n";
	struct collected c;

	collect_mem(trace, strlen(trace), &c);
	ck_assert_int_eq(c.format, DT_INPUT_TRACEFS_TEXT);
	ck_assert_uint_eq(c.nr_snaps, 3);
	ck_assert_uint_eq(c.snaps[0].end, 123456789000ull);
	ck_assert_uint_eq(c.snaps[0].regions[1].age, 7);
	ck_assert_int_eq(c.snaps[0].age_unit, DTR_UNIT_AGGREGATIONS);
	ck_assert(c.snaps[1].flags & DTR_SNAPSHOT_INCOMPLETE);
	ck_assert_uint_eq(c.snaps[1].nr, 1);
	ck_assert(!(c.snaps[2].flags & DTR_SNAPSHOT_INCOMPLETE));
	ck_assert_uint_eq(c.snaps[2].nr, 3);
	ck_assert_uint_eq(c.snaps[2].start, c.snaps[1].end);
	release(&c);
}
END_TEST

START_TEST(perf_script_nanoseconds_other_events_and_lone_snapshot)
{
	/* --ns stamps are exact; other events are skipped; a lone snapshot
	 * with damo's marker after it gets the marker's length. */
	const char *text =
		" kdamond.0 7 [000] 10.000000001: damon:damon_aggregated: target_id=5 nr_regions=1 4096-8192: 4 2\n"
		" kdamond.0 7 [000] 10.000000002: sched:sched_switch: prev_comm=x prev_pid=1\n"
		" kdamond.0 7 [000] 10.100000001: damon:damon_aggregated: target_id=5 nr_regions=1 0-0: -1 -1\n";
	struct collected c;

	collect_mem(text, strlen(text), &c);
	ck_assert_int_eq(c.format, DT_INPUT_PERF_SCRIPT);
	ck_assert_uint_eq(c.nr_snaps, 1);
	ck_assert_uint_eq(c.snaps[0].end, 10000000001ull);
	ck_assert_uint_eq(c.snaps[0].start, 9900000001ull);
	ck_assert_uint_eq(c.target_ids[0], 5);
	release(&c);
}
END_TEST

START_TEST(perf_script_interleaved_targets)
{
	/* Each aggregation reports every target in turn, at the same time. */
	char text[4096] = "";
	struct collected c;

	for (int i = 0; i < 4; i++)
		for (int t = 0; t < 2; t++)
			for (int r = 0; r < 2; r++) {
				char line[256];
				snprintf(line, sizeof(line),
					 " kdamond.0 7 [000] %d.%06d: damon:damon_aggregated: target_id=%d "
					 "nr_regions=2 %d-%d: %d\n", 20 + i, r, 10 + t, 4096 * (r + 1),
					 4096 * (r + 2), i + t);
				strcat(text, line);
			}
	collect_mem(text, strlen(text), &c);
	ck_assert_uint_eq(c.nr_snaps, 8);
	ck_assert_uint_eq(c.nr_targets, 2);
	ck_assert_uint_eq(c.target_ids[1], 11);
	for (size_t i = 0; i < 8; i++) {
		ck_assert_uint_eq(c.snaps[i].target, i % 2);
		ck_assert_uint_eq(c.snaps[i].end, (20 + i / 2) * 1000000000ull);
		ck_assert_uint_eq(c.snaps[i].start, (19 + i / 2) * 1000000000ull);
		ck_assert_uint_eq(c.snaps[i].nr, 2);
		ck_assert_uint_eq(c.snaps[i].regions[1].nr_accesses, i / 2 + i % 2);
	}
	release(&c);
}
END_TEST

START_TEST(perf_script_garbage_is_located)
{
	const char *garbage =
		" kdamond.0 7 [000] 10.000001: damon:damon_aggregated: target_id=5 nr_regions=2 4096-8192: 4\n"
		" kdamond.0 7 [000] 10.000002: damon:damon_aggregated: target_id=5 nr_regions=2 8192-9000: 4\n"
		"this is not a trace line\n";
	expect_open_or_read_error(garbage, strlen(garbage), "garbage.txt", "line 3", NULL);
	const char *bad_range =
		" kdamond.0 7 [000] 10.000001: damon:damon_aggregated: target_id=5 nr_regions=2 4096-8192: 4\n"
		" kdamond.0 7 [000] 10.000002: damon:damon_aggregated: target_id=5 nr_regions=2 9000-8192: 4\n";
	expect_open_or_read_error(bad_range, strlen(bad_range), "range.txt", "line 2", "region");
	const char *unsorted =
		" kdamond.0 7 [000] 10.000001: damon:damon_aggregated: target_id=5 nr_regions=1 4096-8192: 4\n"
		" kdamond.0 7 [000] 9.000001: damon:damon_aggregated: target_id=5 nr_regions=1 4096-8192: 4\n";
	expect_open_or_read_error(unsorted, strlen(unsorted), "time.txt", "line 2", "time-sorted");
	const char *none = "# just a comment\n";
	expect_open_or_read_error(none, strlen(none), "none.txt", "unrecognised", NULL);
}
END_TEST

/* ------------------------------------------------------------ layer */

START_TEST(time_range_and_unknown_input)
{
	struct dt_input_opts o = { 0 };
	struct dt_input *in;
	struct dtr_item item;
	char err[512];
	size_t n = 0;

	o.time_from_ns = 539914032967ull;       /* end of the first snapshot */
	o.time_to_ns = 539914032967ull + 300000000ull;
	ck_assert_int_eq(dt_input_open(&in, fixture("damon.data"), &o, err, sizeof(err)), 0);
	while (dt_input_next(in, &item, err, sizeof(err)) > 0)
		if (item.type == DTR_ITEM_SNAPSHOT) {
			ck_assert_uint_lt(item.u.snapshot.start_ns, o.time_to_ns);
			ck_assert_uint_ge(item.u.snapshot.start_ns, o.time_from_ns);
			n++;
		}
	dt_input_close(in);
	ck_assert_uint_eq(n, 3);

	ck_assert_int_lt(dt_input_open(&in, "/nonexistent/damon.dtr", NULL, err, sizeof(err)), 0);
	ck_assert_ptr_nonnull(strstr(err, "/nonexistent/damon.dtr"));
	static const unsigned char junk[] = { 0x00, 0x01, 0x02, 0xff, 0xfe };
	ck_assert_int_lt(dt_input_open_mem(&in, junk, sizeof(junk), "junk.bin", NULL, err,
					   sizeof(err)), 0);
	ck_assert_ptr_nonnull(strstr(err, "junk.bin"));
	ck_assert_str_eq(dt_input_format_name(DT_INPUT_DAMO_BINARY), "damo-binary");
}
END_TEST

START_TEST(first_start_as_damo_computes_it)
{
	ck_assert_uint_eq(dt_damo_first_start(100, 400, 4), 0);
	ck_assert_uint_eq(dt_damo_first_start(1000, 1300, 4), 900);
	ck_assert_uint_eq(dt_damo_first_start(1000, 1000, 1), 1000);
	/* vm fixture: 54 snapshots, damo wrote 3317302716 */
	ck_assert_uint_eq(dt_damo_first_start(3428551000ull, 9324710000ull, 54), 3317302716ull);
}
END_TEST

Suite *input_suite(void)
{
	Suite *s = suite_create("input");
	TCase *tc = tcase_create("input");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, damo_json_compressed_fixture);
	tcase_add_test(tc, damo_json_vm_fixture_has_intervals_and_ages);
	tcase_add_test(tc, damo_json_plain_text_and_old_schema);
	tcase_add_test(tc, damo_json_intervals_after_snapshots);
	tcase_add_test(tc, damo_json_damage_is_located);
	tcase_add_test(tc, damo_binary_versions_match_the_json_record);
	tcase_add_test(tc, perf_script_fixture);
	tcase_add_test(tc, vm_perf_script_equals_vm_json);
	tcase_add_test(tc, tracefs_text_and_lost_events);
	tcase_add_test(tc, perf_script_nanoseconds_other_events_and_lone_snapshot);
	tcase_add_test(tc, perf_script_interleaved_targets);
	tcase_add_test(tc, perf_script_garbage_is_located);
	tcase_add_test(tc, time_range_and_unknown_input);
	tcase_add_test(tc, first_start_as_damo_computes_it);
	suite_add_tcase(s, tc);
	return s;
}
