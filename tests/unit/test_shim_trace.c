// SPDX-License-Identifier: GPL-2.0-only
/*
 * The tracepoint side of kernel-shim without a kernel: format parsing
 * (with and without `age`), decoding constructed perf sample records,
 * snapshot assembly (complete, lost events, kernel-pointer target ids,
 * several targets), raw capture round trips; and, with perf events on
 * this process only, the ring buffer reader and clock readings.
 */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "damon_shim.h"

/* A file of the source tree (DT_SRC), NUL-terminated. */
static char *load_file(const char *dir, const char *name, size_t *len)
{
	char path[512];
	const char *src = getenv("DT_SRC");
	snprintf(path, sizeof(path), "%s/%s/%s", src ? src : ".", dir, name);
	FILE *f = fopen(path, "r");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	char *buf = malloc(65536);
	*len = fread(buf, 1, 65535, f);
	buf[*len] = '\0';
	fclose(f);
	return buf;
}

static char *load_format(const char *name, size_t *len)
{
	return load_file("tests/fakes", name, len);
}

static void parse_format(const char *name, struct dshim_event_format *fmt)
{
	size_t len;
	char err[256] = "";
	char *text = load_format(name, &len);
	ck_assert_msg(dshim_event_format_parse(text, len, fmt, err, sizeof(err)) == 0, "%s", err);
	free(text);
}

/* A PERF_RECORD_SAMPLE as the tracer's default sample type lays it out:
 * tid, time, cpu, raw (common fields, then the event's fields). */
static size_t make_sample(unsigned char *out, uint64_t time, uint64_t target_id,
			  uint32_t nr_regions, uint64_t start, uint64_t end, uint32_t nr_accesses,
			  uint32_t age, int with_age)
{
	unsigned char raw[52];
	memset(raw, 0, sizeof(raw));
	uint16_t type = 1447;
	memcpy(raw, &type, 2);
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
	uint32_t pid_tid[2] = { 77, 77 }, cpu[2] = { 1, 0 };
	memcpy(out + off, pid_tid, 8), off += 8;
	memcpy(out + off, &time, 8), off += 8;
	memcpy(out + off, cpu, 8), off += 8;
	memcpy(out + off, &raw_size, 4), off += 4;
	memcpy(out + off, raw, raw_size), off += raw_size;
	while (off % 8)
		out[off++] = 0;
	h.size = (uint16_t)off;
	memcpy(out, &h, sizeof(h));
	return off;
}

static size_t make_lost(unsigned char *out, uint64_t nr)
{
	struct perf_event_header h = { PERF_RECORD_LOST, 0, sizeof(h) + 16 };
	uint64_t id = 0;
	memcpy(out, &h, sizeof(h));
	memcpy(out + 8, &id, 8);
	memcpy(out + 16, &nr, 8);
	return h.size;
}

#define MAX_SNAPS 16
struct collected {
	int n;
	struct dshim_snapshot s[MAX_SNAPS];
	struct dshim_region r[MAX_SNAPS][16];
};

static int collect(void *arg, const struct dshim_snapshot *snap, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	struct collected *c = arg;
	ck_assert_int_lt(c->n, MAX_SNAPS);
	ck_assert_uint_le(snap->nr_regions, 16);
	c->s[c->n] = *snap;
	memcpy(c->r[c->n], snap->regions, snap->nr_regions * sizeof(*snap->regions));
	c->s[c->n].regions = c->r[c->n];
	c->n++;
	return 0;
}

struct feeder {
	struct dshim_event_format fmt;
	struct dshim_assembler *a;
	struct dshim_stream *s;
	struct collected c;
	int with_age;
};

static void feeder_init(struct feeder *f, const char *format, int with_age)
{
	memset(f, 0, sizeof(*f));
	parse_format(format, &f->fmt);
	f->with_age = with_age;
	ck_assert_int_eq(dshim_assembler_new(&f->a, 1, 50000000, collect, &f->c), 0);
	ck_assert_int_eq(dshim_stream_new(&f->s, &f->fmt, 0, f->a), 0);
}

static void feed(struct feeder *f, const void *rec, size_t len)
{
	char err[256] = "";
	ck_assert_msg(dshim_stream_feed(f->s, rec, len, err, sizeof(err)) == 0, "%s", err);
}

/* One aggregation of `n` regions of 4 KiB from `base`, at `t`. */
static void feed_aggregation(struct feeder *f, uint64_t t, uint64_t target_id, uint32_t n,
			     uint32_t first, uint32_t last, uint64_t base)
{
	unsigned char rec[256];
	for (uint32_t i = first; i < last; i++) {
		size_t len = make_sample(rec, t + i * 1000, target_id, n, base + i * 4096,
					 base + (i + 1) * 4096, i * 2, 10 + i, f->with_age);
		feed(f, rec, len);
	}
}

static void feeder_free(struct feeder *f)
{
	dshim_stream_free(f->s);
	dshim_assembler_free(f->a);
}

START_TEST(format_with_and_without_age)
{
	struct dshim_event_format fmt;
	char err[256] = "";

	parse_format("damon_aggregated-6.12.format", &fmt);
	ck_assert_int_eq(fmt.id, 1447);
	ck_assert_int_eq(fmt.target_id.offset, 8);
	ck_assert_int_eq(fmt.target_id.size, 8);
	ck_assert_int_eq(fmt.nr_regions.offset, 16);
	ck_assert_int_eq(fmt.start.offset, 24);
	ck_assert_int_eq(fmt.end.offset, 32);
	ck_assert_int_eq(fmt.nr_accesses.offset, 40);
	ck_assert_int_eq(fmt.age.offset, 44);
	ck_assert_int_eq(fmt.age.size, 4);
	ck_assert_int_eq(fmt.min_raw_size, 48);

	parse_format("damon_aggregated-5.15.format", &fmt);
	ck_assert_int_eq(fmt.id, 602);
	ck_assert_int_eq(fmt.age.size, 0);
	ck_assert_int_eq(fmt.min_raw_size, 44);

	static const char garbage[] = "this is not a format\n";
	ck_assert_int_lt(dshim_event_format_parse(garbage, sizeof(garbage) - 1, &fmt, err, sizeof(err)), 0);
	ck_assert_msg(err[0], "no message");
	static const char other[] = "name: other\nID: 5\nformat:\n"
				    "\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n\n"
				    "print fmt: \"x\"\n";
	ck_assert_int_lt(dshim_event_format_parse(other, sizeof(other) - 1, &fmt, err, sizeof(err)), 0);
}
END_TEST

/* The 6.12 format with its `print fmt:` line replaced by `print_fmt`
 * (NULL: cut after the fields) and, when `from` is set, the first line
 * holding `from` replaced by `to`. */
static char *format_variant(const char *print_fmt, const char *from, const char *to)
{
	size_t len;
	char *text = load_format("damon_aggregated-6.12.format", &len);
	char *out = malloc(len + 4096);
	char *pf = strstr(text, "print fmt:");
	ck_assert(pf != NULL);
	*pf = '\0';
	snprintf(out, len + 4096, "%s%s%s", text, print_fmt ? "print fmt: " : "",
		 print_fmt ? print_fmt : "");
	if (from) {
		char *at = strstr(out, from);
		ck_assert_msg(at != NULL, "%s", from);
		char *eol = strchr(at, '\n');
		char *bol = at;
		while (bol > out && bol[-1] != '\n')
			bol--;
		char rest[2048];
		snprintf(rest, sizeof(rest), "%s", eol ? eol : "");
		snprintf(bol, len + 4096 - (size_t)(bol - out), "%s%s", to, rest);
	}
	free(text);
	return out;
}

static int parse_text(const char *text, struct dshim_event_format *fmt, char *err, size_t errlen)
{
	err[0] = '\0';
	return dshim_event_format_parse(text, strlen(text), fmt, err, errlen);
}

/* Format texts also come from raw capture files, which anyone can write:
 * damage is one clear error naming the line, and libtraceevent parses only a
 * canonical text rebuilt from the checked lines, so it never evaluates the
 * print format (C for the kernel's own printing) nor sees a damaged field
 * line.  The first cases were a crash or a leak when libtraceevent parsed
 * the text as given (found by tests/fuzz/fuzz_event_format.c). */
START_TEST(format_text_from_anyone)
{
	struct dshim_event_format fmt;
	char err[256];
	char *t;

	/* libtraceevent 1.7 died of SIGFPE evaluating this print format. */
	t = format_variant("\"\", 1 % 0\n", NULL, NULL);
	ck_assert_msg(parse_text(t, &fmt, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(fmt.id, 1447);
	ck_assert_int_eq(fmt.age.offset, 44);
	ck_assert_int_eq(fmt.min_raw_size, 48);
	free(t);
	/* Without a print format, without ID. */
	t = format_variant(NULL, "ID:", "");
	ck_assert_msg(parse_text(t, &fmt, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(fmt.id, -1);
	ck_assert_int_eq(fmt.start.offset, 24);
	free(t);

	/* Damaged field lines (libtraceevent leaked a token on each). */
	static const struct {
		const char *from, *to, *why;
	} damaged[] = {
		{ "common_flags", "\tfield:s", "line 5: not a field description" },
		{ "common_flags", "\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;f",
		  "line 5: not a field description" },
		/* libtraceevent reads the type: it must be words and '*'. */
		{ " start;", "\tfield:unsign.d long start;\toffset:24;\tsize:8;",
		  "line 11: not a field description" },
		/* As libtraceevent reads a declaration: a type before brackets
		 * on a type (it leaked the word), brackets once, a word first. */
		{ " start;", "\tfield:char[] start;\toffset:24;\tsize:8;",
		  "line 11: not a field description" },
		{ " start;", "\tfield:char x[4] start[2];\toffset:24;\tsize:8;",
		  "line 11: not a field description" },
		{ " start;", "\tfield:* start;\toffset:24;\tsize:8;", "line 11: not a field description" },
		/* libtraceevent reads this name as a string (and leaked). */
		{ "common_flags", "\tfield:unsigned char STA_PR_FMT;\toffset:2;\tsize:1;",
		  "line 5: not a field description" },
		{ " start;", "\tfield:unsigned long start;\toffset:24;\toffset:24;\tsize:8;",
		  "line 11: not a field description" },
		{ " start;", "\tfield:unsigned long start;\toffset:0x18;\tsize:8;",
		  "line 11: not a field description" },
		/* Decimal, as the kernel writes it (libtraceevent alone would
		 * read 024 as octal 20); keys it does not know are left out;
		 * blanks anywhere between tokens; pointers. */
		{ " start;", "\tfield:unsigned long start;\toffset:024;\tsize:8;\tsigned:0;", NULL },
		{ " start;", "\tfield:unsigned long start;\toffset:24;\tsize:8;\tsigned:0;\tlater:a b;",
		  NULL },
		{ " start;", "field:unsigned   long\tstart ;offset: 24 ;size:8;", NULL },
		{ " start;", "\tfield:const unsigned long * start;\toffset:24;\tsize:8;", NULL },
		{ " start;", "\tfield:unsigned long start;\tsize:8;", "line 11: not a field description" },
		{ " start;", "\tfield:start;\toffset:24;\tsize:8;", "line 11: not a field description" },
		{ " start;", "\tfield:unsigned long start;\toffset:99999999999999999999;\tsize:8;",
		  "line 11: not a field description" },
		{ " start;", "\tfield:unsigned long start;\toffset:65536;\tsize:8;",
		  "field 'start' has offset 65536 size 8" },
		{ " start;", "\tfield:unsigned long start;\toffset:24;\tsize:16;",
		  "field 'start' has offset 24 size 16" },
		{ " age;", "\tfield:unsigned long start;\toffset:44;\tsize:4;",
		  "line 14: field 'start' given twice" },
		{ " age;", "\tprint fmt \"\"", "line 14: expected a field or print fmt" },
		{ "ID:", "ID: 99999999999", "line 2: bad ID" },
		{ "name:", "name: damon_aggregated_v2", "not the damon:damon_aggregated event" },
		{ "name:", "name: damon aggregated", "line 1: bad name line" },
		{ "name:", "name: VIF_PR_FMT", "line 1: bad name line" },
		{ "ID:", "ID: 4\nID: 4", "line 3: bad ID" },
		{ "format:", "formats:", "line 3: not a tracefs event format" },
	};
	for (size_t i = 0; i < sizeof(damaged) / sizeof(damaged[0]); i++) {
		t = format_variant("\"\"\n", damaged[i].from, damaged[i].to);
		int ret = parse_text(t, &fmt, err, sizeof(err));
		if (!damaged[i].why) {
			ck_assert_msg(ret == 0, "%s: %s", damaged[i].to, err);
			ck_assert_int_eq(fmt.start.offset, 24);
		} else {
			ck_assert_msg(ret == -EINVAL, "%s: %d", damaged[i].to, ret);
			ck_assert_msg(strstr(err, damaged[i].why), "%s: %s", damaged[i].to, err);
			ck_assert_int_eq(fmt.id, -1);
			ck_assert_int_eq(fmt.min_raw_size, 0);
		}
		free(t);
	}
	/* Array and dynamic fields as other events have them, the fields in
	 * any order, and a common field among the event's own (the canonical
	 * text puts it first, as the kernel does). */
	static const char arrays[] =
		"name: damon_aggregated\nID: 7\nformat:\n"
		"\tfield:__data_loc char[] name;\toffset:8;\tsize:4;\tsigned:0;\n"
		"\tfield:char comm[16];\toffset:12;\tsize:16;\tsigned:1;\n"
		"\tfield:u8 nr_accesses;\toffset:28;\tsize:1;\tsigned:0;\n"
		"\tfield:u16 age;\toffset:30;\tsize:2;\tsigned:0;\n"
		"\tfield:unsigned long end;\toffset:32;\tsize:8;\tsigned:0;\n"
		"\tfield:unsigned long start;\toffset:40;\tsize:8;\tsigned:0;\n"
		"\tfield:u32 nr_regions;\toffset:48;\tsize:4;\tsigned:0;\n"
		"\tfield:long target_id;\toffset:56;\tsize:8;\tsigned:1;\n"
		"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n";
	ck_assert_msg(parse_text(arrays, &fmt, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(fmt.nr_accesses.size, 1);
	ck_assert_int_eq(fmt.age.offset, 30);
	ck_assert_int_eq(fmt.min_raw_size, 64);
	/* Only the text's own length is read. */
	ck_assert_int_eq(dshim_event_format_parse(arrays, 60, &fmt, err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, "not a field description"), "%s", err);
}
END_TEST

/* The fuzz seeds that crashed or leaked in libtraceevent when it parsed the
 * text as given: each is one clear error now, with nothing left allocated
 * (make sanitize).  The captures hold their format after three header
 * lines, as dshim_capture_open reads them. */
START_TEST(format_fuzz_seeds_that_crashed)
{
	static const struct {
		const char *dir, *seed, *why;
	} seeds[] = {
		{ "tests/fuzz/corpus/event_format", "print-fmt-divides-by-zero.format",
		  "not the damon:damon_aggregated event" },
		{ "tests/fuzz/corpus/event_format", "damaged-field-line.format",
		  "line 5: not a field description" },
		{ "tests/fuzz/corpus/event_format", "truncated-field-line.format",
		  "line 4: not a field description" },
		{ "tests/fuzz/corpus/event_format", "macro-name-field.format",
		  "line 9: not a field description" },
		{ "tests/fuzz/corpus/raw_capture", "print-fmt-divides-by-zero.cap",
		  "not the damon:damon_aggregated event" },
		{ "tests/fuzz/corpus/raw_capture", "damaged-field-type.cap",
		  "line 11: not a field description" },
	};
	struct dshim_event_format fmt;
	char err[256];

	for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
		size_t len;
		char *text = load_file(seeds[i].dir, seeds[i].seed, &len);
		const char *format = text;
		size_t format_len = len;
		if (strstr(seeds[i].seed, ".cap")) {
			for (int line = 0; line < 3; line++)
				format = strchr(format, '\n') + 1;
			ck_assert(sscanf(strstr(text, "\nformat ") + 8, "%zu", &format_len) == 1);
		}
		err[0] = '\0';
		ck_assert_int_eq(dshim_event_format_parse(format, format_len, &fmt, err, sizeof(err)),
				 -EINVAL);
		ck_assert_msg(strstr(err, seeds[i].why), "%s: %s", seeds[i].seed, err);
		free(text);
	}
}
END_TEST

START_TEST(decode_rejects_short_raw)
{
	struct dshim_event_format fmt;
	struct dshim_region_event ev;
	char err[256] = "";
	unsigned char raw[48] = { 0 };

	parse_format("damon_aggregated-6.12.format", &fmt);
	ck_assert_int_eq(dshim_event_decode(&fmt, raw, 40, &ev, err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, "40 bytes"), "%s", err);
	uint64_t start = 0x7f0000001000ull;
	memcpy(raw + 24, &start, 8);
	ck_assert_int_eq(dshim_event_decode(&fmt, raw, 48, &ev, err, sizeof(err)), 0);
	ck_assert_uint_eq(ev.start, start);
	ck_assert_int_eq(ev.has_age, 1);
}
END_TEST

START_TEST(assembles_complete_snapshots)
{
	struct feeder f;

	feeder_init(&f, "damon_aggregated-6.12.format", 1);
	feed_aggregation(&f, 100000000, 0, 4, 0, 4, 0x10000);
	feed_aggregation(&f, 200000000, 0, 3, 0, 3, 0x20000);
	ck_assert_int_eq(f.c.n, 2); /* nr_regions says when each is complete */
	ck_assert_uint_eq(f.c.s[0].time_ns, 100000000);
	ck_assert_uint_eq(f.c.s[0].nr_regions, 4);
	ck_assert_int_eq(f.c.s[0].incomplete, 0);
	ck_assert_int_eq(f.c.s[0].has_age, 1);
	ck_assert_uint_eq(f.c.s[0].regions[3].start, 0x10000 + 3 * 4096);
	ck_assert_uint_eq(f.c.s[0].regions[3].nr_accesses, 6);
	ck_assert_uint_eq(f.c.s[0].regions[3].age, 13);
	ck_assert_uint_eq(f.c.s[1].nr_regions, 3);
	ck_assert_int_eq(f.c.s[1].incomplete, 0);
	struct dshim_stream_stats st;
	dshim_stream_get_stats(f.s, &st);
	ck_assert_uint_eq(st.samples, 7);
	ck_assert_uint_eq(st.lost_records, 0);
	feeder_free(&f);
}
END_TEST

START_TEST(old_kernel_without_age_and_pointer_ids)
{
	struct feeder f;
	const uint64_t ptr_a = 0xffff888012345600ull, ptr_b = 0xffff888012345a00ull;

	feeder_init(&f, "damon_aggregated-5.15.format", 0);
	feed_aggregation(&f, 100000000, ptr_a, 2, 0, 2, 0x10000);
	feed_aggregation(&f, 100100000, ptr_b, 3, 0, 3, 0x50000);
	feed_aggregation(&f, 200000000, ptr_a, 2, 0, 2, 0x10000);
	ck_assert_int_eq(f.c.n, 3);
	ck_assert_int_eq(f.c.s[0].has_age, 0);
	ck_assert_uint_eq(f.c.s[0].target, 0);
	ck_assert_uint_eq(f.c.s[0].target_id, ptr_a);
	ck_assert_uint_eq(f.c.s[1].target, 1);
	ck_assert_uint_eq(f.c.s[2].target, 0);
	ck_assert_uint_eq(f.c.s[2].regions[1].end, 0x10000 + 2 * 4096);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(f.c.s[i].incomplete, 0);
	feeder_free(&f);
}
END_TEST

START_TEST(lost_events_mark_the_snapshot_they_hit)
{
	struct feeder f;
	unsigned char rec[64];
	char err[256];

	feeder_init(&f, "damon_aggregated-6.12.format", 1);
	/* 6 regions announced; 2 arrive, then the buffer overflowed and the
	 * last 4 were lost; the next aggregation arrives whole. */
	feed_aggregation(&f, 100000000, 0, 6, 0, 2, 0x10000);
	feed(&f, rec, make_lost(rec, 4));
	feed_aggregation(&f, 200000000, 0, 6, 0, 6, 0x10000);
	ck_assert_int_eq(f.c.n, 2);
	ck_assert_int_eq(f.c.s[0].incomplete, 1);
	ck_assert_uint_eq(f.c.s[0].nr_regions, 2);
	ck_assert_uint_eq(f.c.s[0].expected, 6);
	ck_assert_int_eq(f.c.s[1].incomplete, 0); /* counts never shift into the next */
	ck_assert_uint_eq(f.c.s[1].nr_regions, 6);
	ck_assert_uint_eq(f.c.s[1].time_ns, 200000000);

	/* Lost between aggregations, including the head of the next one:
	 * the tail that arrives is incomplete; the one after is whole. */
	feed(&f, rec, make_lost(rec, 3));
	feed_aggregation(&f, 300000000, 0, 6, 3, 6, 0x10000);
	feed_aggregation(&f, 400000000, 0, 6, 0, 6, 0x10000);
	ck_assert_int_eq(f.c.n, 4);
	ck_assert_int_eq(f.c.s[2].incomplete, 1);
	ck_assert_uint_eq(f.c.s[2].nr_regions, 3);
	ck_assert_int_eq(f.c.s[3].incomplete, 0);

	/* A loss in the middle of one aggregation: one incomplete snapshot,
	 * not two. */
	feed_aggregation(&f, 500000000, 0, 6, 0, 2, 0x10000);
	feed(&f, rec, make_lost(rec, 2));
	feed_aggregation(&f, 500000000, 0, 6, 4, 6, 0x10000);
	ck_assert_int_eq(dshim_assembler_flush(f.a, err, sizeof(err)), 0);
	ck_assert_int_eq(f.c.n, 5);
	ck_assert_int_eq(f.c.s[4].incomplete, 1);
	ck_assert_uint_eq(f.c.s[4].nr_regions, 4);
	ck_assert_uint_eq(dshim_assembler_lost_events(f.a), 9);
	feeder_free(&f);
}
END_TEST

START_TEST(pause_splits_aggregations_only_after_a_loss)
{
	struct feeder f;
	char err[256];

	unsigned char rec[64];

	feeder_init(&f, "damon_aggregated-6.12.format", 1);
	/* Lost: the tail of one aggregation and the head of the next.  The
	 * addresses keep rising across the loss; the pause tells the two
	 * aggregations apart. */
	feed_aggregation(&f, 100000000, 0, 6, 0, 3, 0x10000);
	feed(&f, rec, make_lost(rec, 4));
	feed_aggregation(&f, 200000000, 0, 6, 4, 6, 0x10000);
	ck_assert_int_eq(dshim_assembler_flush(f.a, err, sizeof(err)), 0);
	ck_assert_int_eq(f.c.n, 2);
	ck_assert_int_eq(f.c.s[0].incomplete, 1);
	ck_assert_uint_eq(f.c.s[0].nr_regions, 3);
	ck_assert_int_eq(f.c.s[1].incomplete, 1);
	ck_assert_uint_eq(f.c.s[1].time_ns, 200000000 + 4 * 1000);

	/* Without a loss, a pause inside one aggregation (the kdamond's CPU
	 * stalled) does not split it. */
	feed_aggregation(&f, 300000000, 0, 6, 0, 3, 0x10000);
	feed_aggregation(&f, 400000000, 0, 6, 3, 6, 0x10000);
	ck_assert_int_eq(f.c.n, 3);
	ck_assert_int_eq(f.c.s[2].incomplete, 0);
	ck_assert_uint_eq(f.c.s[2].nr_regions, 6);
	feeder_free(&f);
}
END_TEST

START_TEST(capture_round_trip)
{
	char path[] = "/tmp/dt-capture.XXXXXX", err[256] = "";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	unlink(path);
	size_t flen;
	char *format = load_format("damon_aggregated-6.12.format", &flen);
	struct dshim_capture *c;
	ck_assert_msg(dshim_capture_create(&c, path, 0, format, err, sizeof(err)) == 0, "%s", err);
	unsigned char rec[128];
	size_t lens[3];
	lens[0] = make_sample(rec, 1000, 0, 2, 0x1000, 0x2000, 1, 2, 1);
	ck_assert_int_eq(dshim_capture_put(c, rec, lens[0], err, sizeof(err)), 0);
	lens[1] = make_lost(rec, 7);
	ck_assert_int_eq(dshim_capture_put(c, rec, lens[1], err, sizeof(err)), 0);
	lens[2] = make_sample(rec, 2000, 0, 2, 0x2000, 0x3000, 3, 4, 1);
	ck_assert_int_eq(dshim_capture_put(c, rec, lens[2], err, sizeof(err)), 0);
	ck_assert_int_eq(dshim_capture_close(c, err, sizeof(err)), 0);
	struct stat sb;
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert_uint_eq(sb.st_mode & 0777, 0600);
	/* Never overwrite an existing capture, nor follow a symlink. */
	ck_assert_int_eq(dshim_capture_create(&c, path, 0, format, err, sizeof(err)), -EEXIST);
	char link[64];
	snprintf(link, sizeof(link), "%s.link", path);
	ck_assert_int_eq(symlink("/nonexistent-capture-target", link), 0);
	ck_assert_int_eq(dshim_capture_create(&c, link, 0, format, err, sizeof(err)), -EEXIST);
	ck_assert_int_ne(access("/nonexistent-capture-target", F_OK), 0);
	unlink(link);

	struct dshim_capture_reader *r;
	ck_assert_msg(dshim_capture_open(&r, path, err, sizeof(err)) == 0, "%s", err);
	ck_assert_str_eq(dshim_capture_format_text(r), format);
	ck_assert_uint_eq(dshim_capture_sample_type(r),
			  PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_CPU | PERF_SAMPLE_RAW);
	const void *got;
	size_t len;
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(dshim_capture_next(r, &got, &len, err, sizeof(err)), 1);
		ck_assert_uint_eq(len, lens[i]);
	}
	ck_assert_int_eq(dshim_capture_next(r, &got, &len, err, sizeof(err)), 0);
	dshim_capture_close_reader(r);

	/* A truncated capture is damage, named with its offset. */
	FILE *f = fopen(path, "r");
	fseek(f, 0, SEEK_END);
	long size = ftell(f);
	fclose(f);
	ck_assert_int_eq(truncate(path, size - 5), 0);
	ck_assert_msg(dshim_capture_open(&r, path, err, sizeof(err)) == 0, "%s", err);
	int ret;
	while ((ret = dshim_capture_next(r, &got, &len, err, sizeof(err))) == 1)
		;
	ck_assert_int_eq(ret, -EINVAL);
	ck_assert_msg(strstr(err, "offset"), "%s", err);
	dshim_capture_close_reader(r);
	unlink(path);
	free(format);
}
END_TEST

static uint64_t mono_ns(clockid_t c)
{
	struct timespec ts;
	clock_gettime(c, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

START_TEST(clock_readings_pair_the_clocks)
{
	struct dshim_clock_reading r;
	char err[256] = "";

	uint64_t before = mono_ns(CLOCK_MONOTONIC);
	uint64_t real_before = mono_ns(CLOCK_REALTIME);
	ck_assert_msg(dshim_read_clocks(&r, err, sizeof(err)) == 0, "%s", err);
	uint64_t after = mono_ns(CLOCK_MONOTONIC);
	uint64_t real_after = mono_ns(CLOCK_REALTIME);
	ck_assert_uint_eq(r.has, DSHIM_CLOCK_HAS_MONOTONIC | DSHIM_CLOCK_HAS_PERF |
				 DSHIM_CLOCK_HAS_REALTIME);
	ck_assert_uint_ge(r.monotonic_ns, before);
	ck_assert_uint_le(r.monotonic_ns, after);
	ck_assert_uint_ge(r.realtime_ns, real_before);
	ck_assert_uint_le(r.realtime_ns, real_after);
	ck_assert_uint_gt(r.perf_ns, 0);
}
END_TEST

struct counted {
	int mmaps;
	uint64_t last_time;
};

static int count_mmaps(void *arg, const void *record, size_t len, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	struct counted *c = arg;
	const struct perf_event_header *h = record;
	ck_assert_uint_eq(h->size, len);
	if (h->type == PERF_RECORD_MMAP) {
		uint64_t t;
		memcpy(&t, (const unsigned char *)record + len - 8, 8);
		ck_assert_uint_ge(t, c->last_time);
		c->last_time = t;
		c->mmaps++;
	}
	return 0;
}

START_TEST(ring_buffer_reader_wraps)
{
	struct perf_event_attr attr;
	struct dshim_tracer *t;
	char err[256] = "";
	struct counted c = { 0, 0 };

	memset(&attr, 0, sizeof(attr));
	attr.type = PERF_TYPE_SOFTWARE;
	attr.config = PERF_COUNT_SW_DUMMY;
	attr.sample_type = PERF_SAMPLE_TIME;
	attr.sample_id_all = 1;
	attr.mmap = 1;
	attr.mmap_data = 1;
	attr.exclude_kernel = 1;
	attr.use_clockid = 1;
	attr.clockid = CLOCK_MONOTONIC;
	/* One page of data: 300 mmap records go round it several times. */
	ck_assert_msg(dshim_tracer_open_attr(&t, &attr, 0, -1, 0, err, sizeof(err)) == 0, "%s", err);
	for (int round = 0; round < 30; round++) {
		for (int i = 0; i < 10; i++) {
			void *p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			ck_assert(p != MAP_FAILED);
			munmap(p, 4096);
		}
		ck_assert_int_ge(dshim_tracer_drain(t, count_mmaps, &c, err, sizeof(err)), 10);
	}
	ck_assert_int_ge(c.mmaps, 300); /* and the allocator's own mmaps */
	dshim_tracer_close(t);
}
END_TEST

Suite *shim_trace_suite(void)
{
	Suite *s = suite_create("shim_trace");
	TCase *tc = tcase_create("decode");

	tcase_add_test(tc, format_with_and_without_age);
	tcase_add_test(tc, format_text_from_anyone);
	tcase_add_test(tc, format_fuzz_seeds_that_crashed);
	tcase_add_test(tc, decode_rejects_short_raw);
	tcase_add_test(tc, assembles_complete_snapshots);
	tcase_add_test(tc, old_kernel_without_age_and_pointer_ids);
	tcase_add_test(tc, lost_events_mark_the_snapshot_they_hit);
	tcase_add_test(tc, pause_splits_aggregations_only_after_a_loss);
	tcase_add_test(tc, capture_round_trip);
	suite_add_tcase(s, tc);
	TCase *perf = tcase_create("perf");
	tcase_add_test(perf, clock_readings_pair_the_clocks);
	tcase_add_test(perf, ring_buffer_reader_wraps);
	suite_add_tcase(s, perf);
	return s;
}
