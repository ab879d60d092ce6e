// SPDX-License-Identifier: GPL-2.0-only
/* The record format: round trips, edge values, versioning, damage. */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zstd.h>

#include "dtr.h"
#include "test_format_util.h"

static char err[512];

static const struct dtr_writer_opts test_opts = { .no_fsync = 1 };

static struct dtr_writer *create(const char *path, const struct dtr_writer_opts *o)
{
	struct dtr_writer *w;
	int ret = dtr_writer_open(&w, path, o ? o : &test_opts, err, sizeof(err));
	ck_assert_msg(ret == 0, "open %s: %s", path, err);
	return w;
}

static void put(struct dtr_writer *w, const struct dtr_item *it, struct ft_text *expect)
{
	int ret = dtr_writer_put(w, it, err, sizeof(err));
	ck_assert_msg(ret == 0, "put %s: %s", dtr_item_type_name(it->type), err);
	if (expect)
		ft_text_item(expect, it);
}

static void finish(struct dtr_writer *w)
{
	int ret = dtr_writer_close(w, err, sizeof(err));
	ck_assert_msg(ret == 0, "close: %s", err);
}

static void put_snapshot(struct dtr_writer *w, uint64_t start, uint64_t end, uint32_t target,
			 const struct dtr_region *r, uint64_t n, struct ft_text *expect)
{
	struct dtr_item it = { .type = DTR_ITEM_SNAPSHOT };
	it.u.snapshot.start_ns = start;
	it.u.snapshot.end_ns = end;
	it.u.snapshot.target = target;
	it.u.snapshot.access_unit = DTR_UNIT_SAMPLES;
	it.u.snapshot.age_unit = DTR_UNIT_AGGREGATIONS;
	it.u.snapshot.nr_regions = n;
	it.u.snapshot.regions = r;
	put(w, &it, expect);
}

/* One item of every kind with every field set to something distinctive. */
static void write_every_item(struct dtr_writer *w, struct ft_text *expect)
{
	struct dtr_item it;
	struct dtr_kv kvs[] = { { DTR_META_TOOL_VERSION, "0.1.0" },
				{ DTR_META_HOSTNAME, "host-1" },
				{ "free key", "value with spaces, ünïcode" },
				{ "", "" } };
	struct dtr_target targets[] = { { 0, 0xffff888012345678ull, 4242, "./app --x" },
					{ 1, 7, -1, "" } };
	struct dtr_region regions[] = { { 0x400000, 0x401000, 5, 0 },
					{ 0x401000, 0x500000, 0, 123456 },
					{ 0x7fff0000, 0x7fff2000, 20, 1 } };
	struct dtr_map_entry maps[] = { { 0x400000, 0x401000, 0, "r-xp", "/usr/bin/app" },
					{ 0x600000, 0x700000, 0x1000, "rw-p", "[heap]" },
					{ 0x7f0000000000, 0x7f0000001000, 0, "---p", "" } };
	uint32_t frames[] = { 1, 0, 1 };

	memset(&it, 0, sizeof(it));
	it.type = DTR_ITEM_META;
	it.u.meta.nr = 4;
	it.u.meta.kvs = kvs;
	put(w, &it, expect);

	memset(&it, 0, sizeof(it));
	it.type = DTR_ITEM_CONTEXT;
	it.u.context = (struct dtr_context){ 2, 3, DTR_OPS_VADDR, 10, 1000, 2, targets };
	put(w, &it, expect);

	memset(&it, 0, sizeof(it));
	it.type = DTR_ITEM_INTERVALS;
	it.u.intervals = (struct dtr_intervals){ 2, 3, 1000, 5000, 100000, 1000000 };
	put(w, &it, expect);

	memset(&it, 0, sizeof(it));
	it.type = DTR_ITEM_CLOCKS;
	it.u.clocks = (struct dtr_clocks){ DTR_CLOCK_MONOTONIC, "start",
					   DTR_HAS_MONOTONIC | DTR_HAS_PERF | DTR_HAS_REALTIME,
					   111, 222, 1700000000123456789ull };
	put(w, &it, expect);

	memset(&it, 0, sizeof(it));
	it.type = DTR_ITEM_SNAPSHOT;
	it.u.snapshot = (struct dtr_snapshot){ 1000, 101000, 2, 3, 1, DTR_SNAPSHOT_INCOMPLETE,
					       DTR_UNIT_SAMPLES, DTR_UNIT_AGGREGATIONS, 3, regions };
	put(w, &it, expect);

	memset(&it, 0, sizeof(it));
	it.type = DTR_ITEM_FRAME;
	it.u.frame = (struct dtr_frame){ 0, "main", "/usr/bin/app", "app.c:12" };
	put(w, &it, expect);
	uint32_t id;
	ck_assert_int_eq(dtr_writer_intern_frame(w, "work", "libfoo.so", "", &id, err, sizeof(err)), 0);
	ck_assert_uint_eq(id, 1);
	ft_text_printf(expect, "frame 1 [work] [libfoo.so] []\n");
	ck_assert_int_eq(dtr_writer_intern_frame(w, "work", "libfoo.so", "", &id, err, sizeof(err)), 0);
	ck_assert_uint_eq(id, 1);
	ck_assert_int_eq(dtr_writer_intern_frame(w, "main", "/usr/bin/app", "app.c:12", &id, err,
						 sizeof(err)), 0);
	ck_assert_uint_eq(id, 0);

	memset(&it, 0, sizeof(it));
	it.type = DTR_ITEM_STACK;
	it.u.stack = (struct dtr_stack){ 50000, 4242, 4243, 3, 1000000, 3, frames };
	put(w, &it, expect);

	memset(&it, 0, sizeof(it));
	it.type = DTR_ITEM_THREAD;
	it.u.thread = (struct dtr_thread){ 4242, 4243, "worker/0" };
	put(w, &it, expect);

	memset(&it, 0, sizeof(it));
	it.type = DTR_ITEM_MAPS;
	it.u.maps = (struct dtr_maps){ 900, 4242, 3, maps };
	put(w, &it, expect);
}

START_TEST(round_trip_every_item)
{
	const char *path = ft_tmp_path("every.dtr");
	struct ft_text expect = { 0 }, got = { 0 };
	struct dtr_reader_status st;
	struct dtr_writer *w = create(path, NULL);

	write_every_item(w, &expect);
	finish(w);
	ft_text_printf(&expect, "end snapshots=1 regions=3 stacks=1\n");
	ck_assert_int_eq(ft_read_all(path, NULL, &got, &st, err, sizeof(err)), 0);
	ck_assert_str_eq(got.p, expect.p);
	ck_assert_int_eq(st.clean_close, 1);
	ck_assert_int_eq(st.damaged, 0);
	ck_assert_uint_eq(st.version_major, DTR_VERSION_MAJOR);
	ck_assert_uint_eq(st.version_minor, DTR_VERSION_MINOR);
	ck_assert_uint_eq(st.nr_snapshots, 1);
	ck_assert_uint_eq(st.nr_regions, 3);
	ck_assert_uint_eq(st.nr_stacks, 1);
	ck_assert_uint_eq(st.valid_bytes, st.file_bytes);
	ck_assert_int_eq(dtr_verify(path, &st, err, sizeof(err)), 0);
	ck_assert_int_eq(st.clean_close, 1);
	ft_text_free(&expect);
	ft_text_free(&got);
	ft_tmp_cleanup();
}
END_TEST

START_TEST(edge_values)
{
	const char *path = ft_tmp_path("edge.dtr");
	struct ft_text expect = { 0 }, got = { 0 };
	struct dtr_writer *w = create(path, NULL);
	struct dtr_region ends[] = { { 0, 1, UINT32_MAX, UINT32_MAX },
				     { 1, 3, 0, 0 },
				     { UINT64_MAX - 1, UINT64_MAX, 1, 2 } };
	struct dtr_region whole[] = { { 0, UINT64_MAX, 7, 8 } };
	struct dtr_region empty[] = { { 4096, 4096, 0, 0 }, { 4096, 8192, 1, 1 } };
	struct dtr_item it = { .type = DTR_ITEM_SNAPSHOT };

	put_snapshot(w, 0, 0, 0, ends, 3, &expect);
	put_snapshot(w, UINT64_MAX - 5, UINT64_MAX, UINT32_MAX, whole, 1, &expect);
	put_snapshot(w, 10, 20, 0, NULL, 0, &expect); /* zero regions */
	put_snapshot(w, 20, 30, 0, empty, 2, &expect); /* an empty region */
	it.u.snapshot = (struct dtr_snapshot){ 30, 40, 0, 0, 0, 0, DTR_UNIT_ABSENT,
					       DTR_UNIT_ABSENT, 3, ends };
	put(w, &it, &expect);
	it.u.snapshot.access_unit = DTR_UNIT_SAMPLES;
	put(w, &it, &expect);
	memset(&it, 0, sizeof(it));
	it.type = DTR_ITEM_META; /* no key/values at all */
	put(w, &it, &expect);
	it.type = DTR_ITEM_STACK;
	it.u.stack = (struct dtr_stack){ UINT64_MAX, -1, INT32_MIN, UINT32_MAX, UINT64_MAX, 0, NULL };
	put(w, &it, &expect);
	memset(&it, 0, sizeof(it));
	it.type = DTR_ITEM_CONTEXT; /* no targets, NULL strings read back as "" */
	put(w, &it, NULL);
	ft_text_printf(&expect, "context 0/0 unknown min=0 max=0\n");
	memset(&it, 0, sizeof(it));
	it.type = DTR_ITEM_CLOCKS;
	put(w, &it, NULL);
	ft_text_printf(&expect, "clocks unknown [] has=0 m=0 p=0 r=0\n");
	finish(w);
	ft_text_printf(&expect, "end snapshots=6 regions=12 stacks=1\n");
	ck_assert_int_eq(ft_read_all(path, NULL, &got, NULL, err, sizeof(err)), 0);
	ck_assert_str_eq(got.p, expect.p);
	ft_text_free(&expect);
	ft_text_free(&got);
	ft_tmp_cleanup();
}
END_TEST

START_TEST(huge_snapshot)
{
	const char *path = ft_tmp_path("huge.dtr");
	const uint64_t n = 1000000;
	struct dtr_region *r = calloc(n, sizeof(*r));
	struct dtr_writer *w = create(path, NULL);
	struct dtr_reader *rd;
	struct dtr_item it;

	ck_assert_ptr_nonnull(r);
	for (uint64_t i = 0; i < n; i++) {
		r[i].start = 0x10000000ull + i * 16384 + (i % 3) * 4096;
		r[i].end = r[i].start + 4096 + (i % 3 == 2 ? 0 : 4096);
		r[i].nr_accesses = (uint32_t)(i * 7 % 21);
		r[i].age = (uint32_t)(i / 1000);
	}
	put_snapshot(w, 5, 10, 0, r, n, NULL);
	put_snapshot(w, 10, 15, 0, r, n / 2, NULL);
	finish(w);
	ck_assert_int_eq(dtr_reader_open(&rd, path, NULL, err, sizeof(err)), 0);
	for (int k = 0; k < 2; k++) {
		ck_assert_int_eq(dtr_reader_next(rd, &it, err, sizeof(err)), 1);
		ck_assert_int_eq(it.type, DTR_ITEM_SNAPSHOT);
		ck_assert_uint_eq(it.u.snapshot.nr_regions, k ? n / 2 : n);
		ck_assert(!memcmp(it.u.snapshot.regions, r, it.u.snapshot.nr_regions * sizeof(*r)));
	}
	ck_assert_int_eq(dtr_reader_next(rd, &it, err, sizeof(err)), 1);
	ck_assert_int_eq(it.type, DTR_ITEM_END);
	ck_assert_uint_eq(it.u.end.nr_regions, n + n / 2);
	ck_assert_int_eq(dtr_reader_next(rd, &it, err, sizeof(err)), 0);
	dtr_reader_close(rd);
	free(r);
	ft_tmp_cleanup();
}
END_TEST

START_TEST(writer_refuses_bad_items)
{
	const char *path = ft_tmp_path("bad.dtr");
	struct dtr_writer *w = create(path, NULL);
	struct dtr_region overlap[] = { { 0, 8192, 0, 0 }, { 4096, 12288, 0, 0 } };
	struct dtr_region reversed[] = { { 8192, 4096, 0, 0 } };
	struct dtr_item it = { .type = DTR_ITEM_SNAPSHOT };
	uint32_t frame = 0;

	it.u.snapshot = (struct dtr_snapshot){ 0, 10, 0, 0, 0, 0, DTR_UNIT_SAMPLES,
					       DTR_UNIT_ABSENT, 2, overlap };
	ck_assert_int_eq(dtr_writer_put(w, &it, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "overlaps"));
	ck_assert_msg(!strncmp(err, path, strlen(path)), "message does not name the file: %s", err);
	it.u.snapshot.nr_regions = 1;
	it.u.snapshot.regions = reversed;
	ck_assert_int_eq(dtr_writer_put(w, &it, err, sizeof(err)), -EINVAL);
	it.u.snapshot.regions = overlap;
	it.u.snapshot.end_ns = 0;
	it.u.snapshot.start_ns = 5;
	ck_assert_int_eq(dtr_writer_put(w, &it, err, sizeof(err)), -EINVAL);
	memset(&it, 0, sizeof(it));
	it.type = DTR_ITEM_STACK;
	it.u.stack.nr_frames = 1;
	it.u.stack.frames = &frame;
	ck_assert_int_eq(dtr_writer_put(w, &it, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "frame 0"));
	memset(&it, 0, sizeof(it));
	it.type = DTR_ITEM_FRAME;
	it.u.frame.id = 3;
	ck_assert_int_eq(dtr_writer_put(w, &it, err, sizeof(err)), -EINVAL);
	it.type = DTR_ITEM_END;
	ck_assert_int_eq(dtr_writer_put(w, &it, err, sizeof(err)), -EINVAL);
	finish(w);
	/* Nothing refused reached the file. */
	struct ft_text got = { 0 };
	ck_assert_int_eq(ft_read_all(path, NULL, &got, NULL, err, sizeof(err)), 0);
	ck_assert_str_eq(got.p, "end snapshots=0 regions=0 stacks=0\n");
	ft_text_free(&got);
	ft_tmp_cleanup();
}
END_TEST

START_TEST(exclusive_create)
{
	const char *path = ft_tmp_path("excl.dtr");
	struct dtr_writer_opts o = { .no_fsync = 1, .exclusive = 1, .mode = 0600 };
	struct dtr_writer *w = create(path, &o), *w2;
	struct stat sb;

	finish(w);
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert_uint_eq(sb.st_mode & 0777, 0600 & ~(unsigned)umask(022));
	ck_assert_int_eq(dtr_writer_open(&w2, path, &o, err, sizeof(err)), -EEXIST);
	ck_assert_ptr_nonnull(strstr(err, path));
	/* A symlink is not followed either. */
	char link[600];
	snprintf(link, sizeof(link), "%s.link", path);
	ck_assert_int_eq(symlink("/nonexistent-target", link), 0);
	ck_assert_int_lt(dtr_writer_open(&w2, link, &o, err, sizeof(err)), 0);
	ft_tmp_cleanup();
}
END_TEST

/* A chunk made by hand, as a second implementation would. */
static size_t make_chunk(unsigned char *out, uint16_t type, const void *payload, size_t plen,
			 uint32_t raw_len)
{
	memcpy(out, "DTCK", 4);
	out[4] = (unsigned char)type;
	out[5] = (unsigned char)(type >> 8);
	out[6] = out[7] = 0;
	for (int i = 0; i < 4; i++) {
		out[8 + i] = (unsigned char)(plen >> (8 * i));
		out[12 + i] = (unsigned char)(raw_len >> (8 * i));
	}
	uint32_t c = dtr_crc32c(0, payload, plen);
	for (int i = 0; i < 4; i++)
		out[16 + i] = (unsigned char)(c >> (8 * i));
	c = dtr_crc32c(0, out, 20);
	for (int i = 0; i < 4; i++)
		out[20 + i] = (unsigned char)(c >> (8 * i));
	memcpy(out + 24, payload, plen);
	return 24 + plen;
}

START_TEST(unknown_chunks_and_items_are_skipped)
{
	const char *path = ft_tmp_path("unknown.dtr");
	struct ft_text expect = { 0 }, got = { 0 };
	struct dtr_writer *w = create(path, NULL);
	struct dtr_reader_status st;
	size_t len;

	write_every_item(w, &expect);
	finish(w);
	ft_text_printf(&expect, "end snapshots=1 regions=3 stacks=1\n");
	unsigned char *orig = ft_slurp(path, &len);
	unsigned char *buf = malloc(len + 4096);
	/* header, an unknown chunk type 77 (payload not even zstd), a DATA
	 * chunk holding an unknown item type 99 then a META item, the rest. */
	memcpy(buf, orig, 16);
	size_t n = 16;
	n += make_chunk(buf + n, 77, "future stuff", 12, 12);
	unsigned char items[] = { 99, 3, 'a', 'b', 'c', /* unknown item */
				  1, 10, 1, 1, 'k', 0, 1, 'v', 0, 0xaa, 0xbb, 0xcc /* meta, 3 trailing bytes */ };
	unsigned char z[256];
	size_t zn = ZSTD_compress(z, sizeof(z), items, sizeof(items), 3);
	ck_assert(!ZSTD_isError(zn));
	n += make_chunk(buf + n, 1, z, zn, sizeof(items));
	size_t shift = n - 16;
	memcpy(buf + n, orig + 16, len - 16);
	n += len - 16;
	/* The trailer's index offset moves by what was inserted. */
	uint64_t idx = 0;
	for (int i = 7; i >= 0; i--)
		idx = idx << 8 | buf[n - 16 + i];
	idx += shift;
	for (int i = 0; i < 8; i++)
		buf[n - 16 + i] = (unsigned char)(idx >> (8 * i));
	uint32_t c = dtr_crc32c(0, buf + n - 16, 12);
	for (int i = 0; i < 4; i++)
		buf[n - 4 + i] = (unsigned char)(c >> (8 * i));
	ft_spit(path, buf, n);
	ck_assert_int_eq(ft_read_all(path, NULL, &got, &st, err, sizeof(err)), 0);
	ck_assert_int_eq(strncmp(got.p, "meta [k]=[v]\n", strlen("meta [k]=[v]\n")), 0);
	ck_assert_str_eq(got.p + strlen("meta [k]=[v]\n"), expect.p);
	ck_assert_int_eq(st.clean_close, 1);
	/* Readers skip them; the index, written before they were inserted,
	 * no longer describes the record, which --verify reports. */
	ck_assert_int_eq(dtr_verify(path, &st, err, sizeof(err)), -EBADMSG);
	ck_assert_msg(strstr(err, "index entry 0"), "%s", err);
	/* An unknown chunk outside the index's spans is fine for verify too. */
	uint64_t at = 0;
	for (int i = 7; i >= 0; i--)
		at = at << 8 | orig[len - 16 + i];
	memcpy(buf, orig, at);
	n = at + make_chunk(buf + at, 77, "future stuff", 12, 12);
	shift = n - at;
	memcpy(buf + n, orig + at, len - at);
	n += len - at;
	at += shift;
	for (int i = 0; i < 8; i++)
		buf[n - 16 + i] = (unsigned char)(at >> (8 * i));
	c = dtr_crc32c(0, buf + n - 16, 12);
	for (int i = 0; i < 4; i++)
		buf[n - 4 + i] = (unsigned char)(c >> (8 * i));
	ft_spit(path, buf, n);
	ck_assert_msg(dtr_verify(path, &st, err, sizeof(err)) == 0, "%s", err);
	free(buf);
	free(orig);
	ft_text_free(&expect);
	ft_text_free(&got);
	ft_tmp_cleanup();
}
END_TEST

START_TEST(major_version_bump_is_refused)
{
	const char *path = ft_tmp_path("v2.dtr");
	struct dtr_writer *w = create(path, NULL);
	struct dtr_reader *r;
	struct ft_text got = { 0 };
	size_t len;

	finish(w);
	unsigned char *buf = ft_slurp(path, &len);
	/* A minor bump is fine. */
	buf[10] = 7;
	uint32_t c = dtr_crc32c(0, buf, 12);
	for (int i = 0; i < 4; i++)
		buf[12 + i] = (unsigned char)(c >> (8 * i));
	ft_spit(path, buf, len);
	struct dtr_reader_status st;
	ck_assert_int_eq(ft_read_all(path, NULL, &got, &st, err, sizeof(err)), 0);
	ck_assert_uint_eq(st.version_minor, 7);
	/* A major bump is not. */
	buf[8] = 2;
	c = dtr_crc32c(0, buf, 12);
	for (int i = 0; i < 4; i++)
		buf[12 + i] = (unsigned char)(c >> (8 * i));
	ft_spit(path, buf, len);
	ck_assert_int_eq(dtr_reader_open(&r, path, NULL, err, sizeof(err)), -ENOTSUP);
	ck_assert_msg(strstr(err, "version 2.7 is not supported") && strstr(err, path),
		      "message: %s", err);
	ck_assert_int_eq(dtr_verify(path, NULL, err, sizeof(err)), -ENOTSUP);
	free(buf);
	ft_text_free(&got);
	ft_tmp_cleanup();
}
END_TEST

START_TEST(not_a_record)
{
	const char *path = ft_tmp_path("text.dtr");
	struct dtr_reader *r;

	ft_spit(path, "hello, world\n", 13);
	ck_assert_int_eq(dtr_reader_open(&r, path, NULL, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "not a damotrace record"));
	ft_spit(path, "", 0);
	ck_assert_int_eq(dtr_reader_open(&r, path, NULL, err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(dtr_reader_open(&r, ft_tmp_path("missing.dtr"), NULL, err, sizeof(err)),
			 -ENOENT);
	ck_assert_ptr_nonnull(strstr(err, "missing.dtr"));
	ck_assert_int_eq(dtr_probe("\x89" "DTR\r\n\x1a\n", 8), 1);
	ck_assert_int_eq(dtr_probe("\x89" "DTR\r\n\x1a", 7), 0);
	ck_assert_int_eq(dtr_probe("{\"a\":1}", 7), 0);
	ft_tmp_cleanup();
}
END_TEST

/* A small record in which every item is its own chunk. */
static void write_small(const char *path, int nr_snapshots)
{
	struct dtr_writer_opts o = { .no_fsync = 1, .chunk_bytes = 1 };
	struct dtr_writer *w = create(path, &o);
	struct dtr_region r[4];
	struct dtr_kv kv = { "k", "v" };
	struct dtr_item it = { .type = DTR_ITEM_META };

	it.u.meta.nr = 1;
	it.u.meta.kvs = &kv;
	put(w, &it, NULL);
	for (int i = 0; i < nr_snapshots; i++) {
		for (int j = 0; j < 4; j++)
			r[j] = (struct dtr_region){ 4096ull * (10 * j + i), 4096ull * (10 * j + i + 3),
						    (uint32_t)(i + j), (uint32_t)j };
		put_snapshot(w, 1000ull * i, 1000ull * (i + 1), 0, r, 4, NULL);
	}
	finish(w);
}

/* End offsets of the chunks of a file, walking the framing. */
static int chunk_ends(const unsigned char *buf, size_t len, size_t *ends, int max)
{
	size_t at = 16;
	int n = 0;

	while (at + 24 <= len && !memcmp(buf + at, "DTCK", 4) && n < max) {
		uint32_t plen = buf[at + 8] | buf[at + 9] << 8 | buf[at + 10] << 16 |
				(uint32_t)buf[at + 11] << 24;
		at += 24 + plen;
		ends[n++] = at;
	}
	return n;
}

START_TEST(truncation_at_every_offset)
{
	const char *path = ft_tmp_path("small.dtr"), *cut = ft_tmp_path("cut.dtr");
	const int nr = 5;
	size_t len, ends[64];

	write_small(path, nr);
	unsigned char *buf = ft_slurp(path, &len);
	int nr_chunks = chunk_ends(buf, len, ends, 64);
	/* meta, 5 snapshots, index, end */
	ck_assert_int_eq(nr_chunks, nr + 3);
	ck_assert_uint_eq(ends[nr_chunks - 1] + 16, len);
	for (size_t k = 0; k < len; k++) {
		struct dtr_reader_opts salvage = { .salvage = 1 };
		struct dtr_reader_status st;
		uint64_t want = 0;
		int at_boundary = k == 16;

		for (int c = 0; c < nr_chunks; c++) {
			if (ends[c] <= k && c >= 1 && c <= nr)
				want++;
			/* after the END chunk, the trailer is still missing */
			at_boundary |= ends[c] == k && c < nr_chunks - 1;
		}
		ft_spit(cut, buf, k);
		int ret = ft_read_all(cut, &salvage, NULL, &st, err, sizeof(err));
		if (k < 16) {
			ck_assert_int_lt(ret, 0);
			continue;
		}
		ck_assert_msg(ret == 0, "cut at %zu: %s", k, err);
		ck_assert_msg(st.nr_snapshots == want, "cut at %zu: %llu snapshots, want %llu", k,
			      (unsigned long long)st.nr_snapshots, (unsigned long long)want);
		ck_assert_int_eq(st.clean_close, 0);
		ck_assert_int_eq(st.damaged, !at_boundary);
		/* Without salvage: an error naming the offset, or, cut at a chunk
		 * boundary, a record that simply was not closed. */
		ret = ft_read_all(cut, NULL, NULL, &st, err, sizeof(err));
		if (at_boundary) {
			ck_assert_int_eq(ret, 0);
		} else {
			ck_assert_int_eq(ret, -EBADMSG);
			ck_assert_msg(strstr(err, "truncated") && strstr(err, "at offset"),
				      "cut at %zu: %s", k, err);
			ck_assert_uint_eq(st.nr_snapshots, want);
		}
	}
	free(buf);
	ft_tmp_cleanup();
}
END_TEST

START_TEST(every_flipped_bit_is_caught)
{
	const char *path = ft_tmp_path("small.dtr"), *bad = ft_tmp_path("flip.dtr");
	size_t len;
	struct dtr_reader_status st;

	write_small(path, 3);
	unsigned char *buf = ft_slurp(path, &len);
	ck_assert_int_eq(dtr_verify(path, &st, err, sizeof(err)), 0);
	for (size_t k = 0; k < len; k++) {
		unsigned char saved = buf[k];
		buf[k] ^= (unsigned char)(1u << (k % 8));
		ft_spit(bad, buf, len);
		buf[k] = saved;
		int ret = dtr_verify(bad, &st, err, sizeof(err));
		ck_assert_msg(ret < 0, "flip in byte %zu not caught", k);
		if (k >= 16) {
			ck_assert_int_eq(st.damaged, 1);
			ck_assert_uint_le(st.damage_offset, k);
			ck_assert_msg(strstr(err, "at offset"), "byte %zu: %s", k, err);
			/* The damaged span is named: it ends at the next intact chunk,
			 * after the flipped byte, unless the damage is in the last
			 * chunk or the trailer. */
			const char *next = strstr(err, "next intact chunk starts at offset ");
			if (next) {
				unsigned long long resume = strtoull(next + 35, NULL, 10);
				ck_assert_uint_gt(resume, k);
				ck_assert(!memcmp(buf + resume, "DTCK", 4));
			} else {
				ck_assert_uint_ge(k, len - 16 - 40);
			}
		}
	}
	free(buf);
	ft_tmp_cleanup();
}
END_TEST

START_TEST(crc32c_check_value)
{
	ck_assert_uint_eq(dtr_crc32c(0, "123456789", 9), 0xe3069283u);
	ck_assert_uint_eq(dtr_crc32c(dtr_crc32c(0, "1234", 4), "56789", 5), 0xe3069283u);
	ck_assert_uint_eq(dtr_crc32c(0, "", 0), 0);
	unsigned char zeros[32] = { 0 };
	ck_assert_uint_eq(dtr_crc32c(0, zeros, 32), 0x8a9136aau);
}
END_TEST

START_TEST(names)
{
	enum dtr_ops ops;

	ck_assert_str_eq(dtr_ops_name(DTR_OPS_VADDR), "vaddr");
	ck_assert_str_eq(dtr_ops_name(DTR_OPS_FVADDR), "fvaddr");
	ck_assert_str_eq(dtr_ops_name(DTR_OPS_PADDR), "paddr");
	ck_assert_str_eq(dtr_ops_name(DTR_OPS_UNKNOWN), "unknown");
	ck_assert_int_eq(dtr_ops_parse("paddr", &ops), 0);
	ck_assert_int_eq(ops, DTR_OPS_PADDR);
	ck_assert_int_eq(dtr_ops_parse("fvaddr", &ops), 0);
	ck_assert_int_eq(ops, DTR_OPS_FVADDR);
	ck_assert_int_eq(dtr_ops_parse("Vaddr", &ops), -EINVAL);
	ck_assert_int_eq(dtr_ops_parse("unknown", &ops), -EINVAL);
	ck_assert_str_eq(dtr_clock_name(DTR_CLOCK_MONOTONIC), "monotonic");
	ck_assert_str_eq(dtr_clock_name(DTR_CLOCK_PERF), "perf");
	ck_assert_str_eq(dtr_clock_name(DTR_CLOCK_REALTIME), "realtime");
	ck_assert_str_eq(dtr_clock_name(DTR_CLOCK_BOOTTIME), "boottime");
	ck_assert_str_eq(dtr_unit_name(DTR_UNIT_SAMPLES), "samples");
	ck_assert_str_eq(dtr_unit_name(DTR_UNIT_AGGREGATIONS), "aggregations");
	ck_assert_str_eq(dtr_unit_name(DTR_UNIT_ABSENT), "absent");
	ck_assert_str_eq(dtr_item_type_name(DTR_ITEM_SNAPSHOT), "snapshot");
	ck_assert_str_eq(dtr_item_type_name(DTR_ITEM_END), "end");
}
END_TEST

/* A record with many chunks: snapshots and stacks over 0..100 s. */
static void write_timeline(const char *path, int close_it)
{
	struct dtr_writer_opts o = { .no_fsync = 1, .chunk_bytes = 300 };
	struct dtr_writer *w = create(path, &o);
	struct dtr_region r[3];
	struct dtr_item it;
	uint32_t id;

	for (int i = 0; i < 100; i++) {
		uint64_t t = 1000000000ull * i;
		for (int j = 0; j < 3; j++)
			r[j] = (struct dtr_region){ 4096ull * (4 * j + i), 4096ull * (4 * j + i + 2),
						    (uint32_t)(i % 7), (uint32_t)j };
		put_snapshot(w, t, t + 1000000000ull, (uint32_t)(i % 2), r, 3, NULL);
		char sym[32];
		snprintf(sym, sizeof(sym), "fn%d", i / 10);
		ck_assert_int_eq(dtr_writer_intern_frame(w, sym, "app", "", &id, err, sizeof(err)), 0);
		memset(&it, 0, sizeof(it));
		it.type = DTR_ITEM_STACK;
		it.u.stack = (struct dtr_stack){ t + 500000000ull, 1, 1, 0, 1, 1, &id };
		put(w, &it, NULL);
		if (i == 50) {
			memset(&it, 0, sizeof(it));
			it.type = DTR_ITEM_INTERVALS;
			it.u.intervals.time_ns = t;
			it.u.intervals.aggr_us = 200000;
			put(w, &it, NULL);
		}
	}
	if (close_it) {
		finish(w);
	} else {
		ck_assert_int_eq(dtr_writer_flush(w, err, sizeof(err)), 0);
		dtr_writer_abort(w);
	}
}

START_TEST(time_range_with_and_without_index)
{
	const char *with = ft_tmp_path("indexed.dtr"), *without = ft_tmp_path("unindexed.dtr");
	static const uint64_t ranges[][2] = { { 0, 0 }, { 20000000000ull, 30000000000ull },
					       { 20500000000ull, 20500000001ull },
					       { 95000000000ull, 0 }, { 0, 1 },
					       { 200000000000ull, 0 } };

	write_timeline(with, 1);
	write_timeline(without, 0);
	for (size_t k = 0; k < sizeof(ranges) / sizeof(ranges[0]); k++) {
		struct dtr_reader_opts o = { .time_from_ns = ranges[k][0], .time_to_ns = ranges[k][1] };
		struct ft_text a = { 0 }, b = { 0 }, all = { 0 }, want = { 0 };
		struct dtr_reader_status sa, sb;
		ck_assert_int_eq(ft_read_all(with, &o, &a, &sa, err, sizeof(err)), 0);
		ck_assert_int_eq(ft_read_all(without, &o, &b, &sb, err, sizeof(err)), 0);
		ck_assert_int_eq(sa.used_index, o.time_from_ns || o.time_to_ns);
		ck_assert_int_eq(sb.used_index, 0);
		ck_assert_int_eq(sb.clean_close, 0);
		/* The same as filtering everything by hand; the END item only in
		 * the closed record. */
		struct dtr_reader *r;
		struct dtr_item it;
		ck_assert_int_eq(dtr_reader_open(&r, without, NULL, err, sizeof(err)), 0);
		while (dtr_reader_next(r, &it, err, sizeof(err)) > 0) {
			int keep = 1;
			uint64_t from = o.time_from_ns, to = o.time_to_ns ? o.time_to_ns : UINT64_MAX;
			if (it.type == DTR_ITEM_SNAPSHOT)
				keep = it.u.snapshot.start_ns < to && it.u.snapshot.end_ns > from;
			if (it.type == DTR_ITEM_STACK)
				keep = it.u.stack.time_ns >= from && it.u.stack.time_ns < to;
			if (keep)
				ft_text_item(&want, &it);
		}
		dtr_reader_close(r);
		ck_assert_ptr_nonnull(a.p);
		const char *end = strstr(a.p, "end snapshots=");
		ck_assert_msg(end != NULL, "range %zu: %.300s", k, a.p + (a.len > 300 ? a.len - 300 : 0));
		ck_assert_str_eq(end, "end snapshots=100 regions=300 stacks=100\n");
		ck_assert_int_eq(strncmp(a.p, want.p, (size_t)(end - a.p)), 0);
		ck_assert_str_eq(b.p, want.p);
		(void)all;
		ft_text_free(&a);
		ft_text_free(&b);
		ft_text_free(&want);
	}
	/* The range really narrows things down. */
	struct dtr_reader_opts o = { .time_from_ns = 20000000000ull, .time_to_ns = 30000000000ull };
	struct dtr_reader_status st;
	ck_assert_int_eq(ft_read_all(with, &o, NULL, &st, err, sizeof(err)), 0);
	ck_assert_uint_eq(st.nr_snapshots, 10);
	ck_assert_uint_eq(st.nr_stacks, 10);
	/* ... and the index let the reader skip chunks unread (not those with
	 * frames or intervals, which are delivered whatever the range). */
	struct dtr_reader_status full;
	ck_assert_int_eq(ft_read_all(with, NULL, NULL, &full, err, sizeof(err)), 0);
	ck_assert_uint_gt(full.nr_chunks, 10);
	ck_assert_uint_lt(st.nr_chunks, full.nr_chunks - 2);
	ck_assert_int_eq(st.used_index, 1);
	ft_tmp_cleanup();
}
END_TEST

START_TEST(reads_a_pipe_with_a_consumed_prefix)
{
	const char *path = ft_tmp_path("every.dtr");
	struct ft_text expect = { 0 }, got = { 0 };
	struct dtr_writer *w = create(path, NULL);
	struct dtr_reader *r;
	struct dtr_item it;
	int fds[2];
	size_t len;

	write_every_item(w, &expect);
	finish(w);
	ft_text_printf(&expect, "end snapshots=1 regions=3 stacks=1\n");
	unsigned char *buf = ft_slurp(path, &len);
	ck_assert_int_eq(pipe(fds), 0);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(fds[0]);
		size_t off = 0;
		while (off < len) {
			ssize_t n = write(fds[1], buf + off, len - off > 7 ? 7 : len - off);
			if (n <= 0)
				_exit(1);
			off += (size_t)n;
		}
		_exit(0);
	}
	close(fds[1]);
	unsigned char prefix[10];
	size_t have = 0;
	while (have < sizeof(prefix)) {
		ssize_t n = read(fds[0], prefix + have, sizeof(prefix) - have);
		ck_assert_int_gt(n, 0);
		have += (size_t)n;
	}
	struct dtr_reader_opts o = { .time_from_ns = 1 }; /* no index on a pipe */
	ck_assert_int_eq(dtr_reader_open_fd(&r, fds[0], "-", prefix, sizeof(prefix), &o, err,
					    sizeof(err)), 0);
	while (dtr_reader_next(r, &it, err, sizeof(err)) > 0)
		ft_text_item(&got, &it);
	struct dtr_reader_status st;
	dtr_reader_status(r, &st);
	dtr_reader_close(r);
	close(fds[0]);
	int status;
	waitpid(pid, &status, 0);
	ck_assert_str_eq(got.p, expect.p);
	ck_assert_int_eq(st.clean_close, 1);
	ck_assert_int_eq(st.used_index, 0);
	free(buf);
	ft_text_free(&expect);
	ft_text_free(&got);
	ft_tmp_cleanup();
}
END_TEST

START_TEST(flush_by_time)
{
	const char *path = ft_tmp_path("slow.dtr");
	struct dtr_writer_opts o = { .no_fsync = 1, .flush_ms = 1 };
	struct dtr_writer *w = create(path, &o);
	struct dtr_region r = { 0, 4096, 1, 1 };
	struct stat sb;

	put_snapshot(w, 0, 1, 0, &r, 1, NULL);
	usleep(5000);
	put_snapshot(w, 1, 2, 0, &r, 1, NULL);
	/* Both are on disk without a flush or a close: a reader sees them. */
	ck_assert_int_eq(stat(path, &sb), 0);
	struct dtr_reader_status st;
	ck_assert_int_eq(ft_read_all(path, NULL, NULL, &st, err, sizeof(err)), 0);
	ck_assert_uint_ge(st.nr_snapshots, 1);
	ck_assert_int_eq(st.clean_close, 0);
	dtr_writer_abort(w);
	ck_assert_int_eq(ft_read_all(path, NULL, NULL, &st, err, sizeof(err)), 0);
	ck_assert_uint_eq(st.nr_snapshots, 2);
	ft_tmp_cleanup();
}
END_TEST

/* A full disk (here: a file size limit) mid-recording: the write fails with
 * a message, and the record ends with its last complete chunk. */
START_TEST(full_disk_leaves_a_readable_record)
{
	const char *path = ft_tmp_path("full.dtr");
	struct dtr_writer_opts o = { .no_fsync = 1, .chunk_bytes = 4096 };
	struct dtr_writer *w = create(path, &o);
	struct dtr_region r[64];
	struct rlimit lim = { 20000, 20000 };
	int ret = 0, i;

	signal(SIGXFSZ, SIG_IGN);
	ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &lim), 0);
	for (int j = 0; j < 64; j++)
		r[j] = (struct dtr_region){ 4096ull * (3 * j), 4096ull * (3 * j + 1 + j % 2),
					    (uint32_t)(j * 7919 % 13), (uint32_t)j };
	for (i = 0; i < 1000 && !ret; i++) {
		struct dtr_item it = { .type = DTR_ITEM_SNAPSHOT };
		r[i % 64].nr_accesses = (uint32_t)i;
		it.u.snapshot = (struct dtr_snapshot){ 1000ull * i * 7 + (uint64_t)(i * i % 1000),
						       1000ull * (i + 1) * 7, 0, 0, 0, 0,
						       DTR_UNIT_SAMPLES, DTR_UNIT_AGGREGATIONS, 64, r };
		ret = dtr_writer_put(w, &it, err, sizeof(err));
	}
	ck_assert_int_eq(ret, -EFBIG);
	ck_assert_msg(strstr(err, path) && strstr(err, "at offset"), "%s", err);
	ck_assert_int_lt(dtr_writer_close(w, err, sizeof(err)), 0);
	struct dtr_reader_status st;
	ck_assert_int_eq(ft_read_all(path, NULL, NULL, &st, err, sizeof(err)), 0);
	ck_assert_int_eq(st.damaged, 0);
	ck_assert_int_eq(st.clean_close, 0);
	ck_assert_uint_gt(st.nr_snapshots, 10);
	ck_assert_uint_lt(st.nr_snapshots, (uint64_t)i);
	ck_assert_uint_le(st.file_bytes, 20000);
	ft_tmp_cleanup();
}
END_TEST

/* More chunks than index entries: neighbours merge, seeking still works. */
/* Offsets of the chunks of a record, walked from the header. */
static size_t chunk_offsets(const unsigned char *b, size_t len, size_t *at, uint16_t *type,
			    size_t max)
{
	size_t n = 0, p = 16;

	while (p + 24 <= len - 16 && n < max && !memcmp(b + p, "DTCK", 4)) {
		uint32_t plen = b[p + 8] | b[p + 9] << 8 | b[p + 10] << 16 | (uint32_t)b[p + 11] << 24;
		at[n] = p;
		type[n++] = (uint16_t)(b[p + 4] | b[p + 5] << 8);
		p += 24 + plen;
	}
	return n;
}

static size_t put_varint(unsigned char *p, uint64_t v)
{
	size_t n = 0;

	for (; v >= 0x80; v >>= 7)
		p[n++] = (unsigned char)(v | 0x80);
	p[n++] = (unsigned char)v;
	return n;
}

/* An INDEX payload of one timed span from offset 16, times 0..t_max. */
static size_t index_one_entry(unsigned char *p, uint64_t length, uint64_t t_max)
{
	size_t n = 0;

	n += put_varint(p + n, 1);
	n += put_varint(p + n, 0);
	n += put_varint(p + n, length);
	n += put_varint(p + n, 1);
	n += put_varint(p + n, 0);
	n += put_varint(p + n, t_max);
	return n;
}

/* `orig` with the bytes [from, to) replaced by a chunk of `type` holding
 * `raw` (compressed, checksummed: only its meaning lies), into path. */
static void splice_chunk(const char *path, const unsigned char *orig, size_t len, size_t from,
			 size_t to, uint16_t type, const void *raw, size_t raw_len)
{
	unsigned char *buf = malloc(len + 4096), z[1024];
	size_t zn = ZSTD_compress(z, sizeof(z), raw, raw_len, 3);

	ck_assert(!ZSTD_isError(zn));
	memcpy(buf, orig, from);
	size_t n = from + make_chunk(buf + from, type, z, zn, (uint32_t)raw_len);
	memcpy(buf + n, orig + to, len - to);
	ft_spit(path, buf, n + len - to);
	free(buf);
}

/* --verify checks what the checksums cannot: END totals, index entries,
 * the trailer's index offset; damage inside a CRC-valid chunk is not
 * counted in the valid prefix. */
START_TEST(verify_catches_lies)
{
	const char *path = ft_tmp_path("good.dtr"), *bad = ft_tmp_path("bad.dtr");
	struct dtr_writer *w = create(path, NULL);
	struct dtr_region r = { 4096, 8192, 1, 1 };
	struct dtr_reader_status st;
	size_t len, at[16], nc;
	uint16_t type[16];

	for (int i = 0; i < 4; i++) {
		put_snapshot(w, 1000ull * i, 1000ull * (i + 1), 0, &r, 1, NULL);
		ck_assert_int_eq(dtr_writer_flush(w, err, sizeof(err)), 0);
	}
	finish(w);
	unsigned char *orig = ft_slurp(path, &len);
	ck_assert_int_eq(dtr_verify(path, &st, err, sizeof(err)), 0);
	nc = chunk_offsets(orig, len, at, type, 16);
	ck_assert_uint_eq(nc, 6);
	ck_assert_uint_eq(type[4], 2);
	ck_assert_uint_eq(type[5], 3);

	/* END totals: one snapshot too many. */
	unsigned char end[] = { 5, 4, 0 };
	splice_chunk(bad, orig, len, at[5], len - 16, 3, end, sizeof(end));
	ck_assert_int_eq(dtr_verify(bad, &st, err, sizeof(err)), -EBADMSG);
	ck_assert_msg(strstr(err, "end chunk counts 5 snapshots"), "%s", err);
	ck_assert_uint_eq(st.damage_offset, at[5]);

	/* INDEX: one entry says the chunks end at 3000 ns; they end at 4000. */
	unsigned char idx[32];
	size_t ni = index_one_entry(idx, at[4] - 16, 3000);
	splice_chunk(bad, orig, len, at[4], at[5], 2, idx, ni);
	ck_assert_int_eq(dtr_verify(bad, &st, err, sizeof(err)), -EBADMSG);
	ck_assert_msg(strstr(err, "index entry 0 (offset 16) says flags 1, times 0-3000; its "
				  "chunks hold flags 1, times 0-4000"), "%s", err);
	ck_assert_uint_eq(st.damage_offset, at[4]);
	/* ... or leaves the last DATA chunk out. */
	ni = index_one_entry(idx, at[3] - 16, 3000);
	splice_chunk(bad, orig, len, at[4], at[5], 2, idx, ni);
	ck_assert_int_eq(dtr_verify(bad, &st, err, sizeof(err)), -EBADMSG);
	ck_assert_msg(strstr(err, "DATA chunk at offset") && strstr(err, "is in no index entry"),
		      "%s", err);

	/* The trailer names the END chunk as the index. */
	unsigned char *buf = malloc(len);
	memcpy(buf, orig, len);
	for (int i = 0; i < 8; i++)
		buf[len - 16 + i] = (unsigned char)((uint64_t)at[5] >> (8 * i));
	uint32_t c = dtr_crc32c(0, buf + len - 16, 12);
	for (int i = 0; i < 4; i++)
		buf[len - 4 + i] = (unsigned char)(c >> (8 * i));
	ft_spit(bad, buf, len);
	ck_assert_int_eq(dtr_verify(bad, &st, err, sizeof(err)), -EBADMSG);
	ck_assert_msg(strstr(err, "trailer names the index chunk at offset"), "%s", err);
	ck_assert_uint_eq(st.damage_offset, len - 16);
	free(buf);

	/* A malformed item inside the second DATA chunk, whose checksum holds:
	 * the damage is that chunk, and only the first one is valid. */
	unsigned char items[] = { 1, 50, 'x' };
	splice_chunk(bad, orig, len, at[1], at[2], 1, items, sizeof(items));
	ck_assert_int_eq(dtr_verify(bad, &st, err, sizeof(err)), -EBADMSG);
	char want[160];
	snprintf(want, sizeof(want), "at offset %zu; the first %zu bytes (1 chunks, 1 snapshots,",
		 at[1], at[1]);
	ck_assert_msg(strstr(err, want), "%s", err);
	ck_assert_uint_eq(st.valid_bytes, at[1]);
	free(orig);
	ft_tmp_cleanup();
}
END_TEST

START_TEST(index_of_many_chunks)
{
	const char *path = ft_tmp_path("many.dtr");
	struct dtr_writer_opts o = { .no_fsync = 1, .chunk_bytes = 1 };
	struct dtr_writer *w = create(path, &o);
	struct dtr_region r = { 4096, 8192, 1, 1 };
	struct dtr_kv kv = { "halfway", "yes" };
	const int n = 70000;

	for (int i = 0; i < n; i++) {
		put_snapshot(w, 1000ull * i, 1000ull * (i + 1), 0, &r, 1, NULL);
		if (i == n / 2) {
			struct dtr_item it = { .type = DTR_ITEM_META };
			it.u.meta.nr = 1;
			it.u.meta.kvs = &kv;
			put(w, &it, NULL);
		}
	}
	finish(w);
	struct dtr_reader_opts ranges[] = { { 0, 10000000, 10050000 }, { 0, 69990000, 0 } };
	uint64_t want[] = { 50, 10 };
	for (int k = 0; k < 2; k++) {
		struct ft_text t = { 0 };
		struct dtr_reader_status st;
		ck_assert_int_eq(ft_read_all(path, &ranges[k], &t, &st, err, sizeof(err)), 0);
		ck_assert_int_eq(st.used_index, 1);
		ck_assert_uint_eq(st.nr_snapshots, want[k]);
		ck_assert_ptr_nonnull(strstr(t.p, "meta [halfway]=[yes]\n"));
		ck_assert_ptr_nonnull(strstr(t.p, "end snapshots=70000 "));
		/* a few chunks around the range, the META one, the index and the end */
		ck_assert_uint_lt(st.nr_chunks, want[k] * 2 + 10);
		ft_text_free(&t);
	}
	/* the merged index still describes its chunks exactly */
	ck_assert_msg(dtr_verify(path, NULL, err, sizeof(err)) == 0, "%s", err);
	ft_tmp_cleanup();
}
END_TEST

/* A reader opened on a recording in progress reads what was added since. */
START_TEST(reads_a_growing_file)
{
	const char *path = ft_tmp_path("live.dtr");
	struct dtr_writer *w = create(path, NULL);
	struct dtr_region r = { 4096, 8192, 1, 1 };
	struct dtr_reader *rd;
	struct dtr_item it;
	int n = 0, ret;

	put_snapshot(w, 0, 10, 0, &r, 1, NULL);
	ck_assert_int_eq(dtr_writer_flush(w, err, sizeof(err)), 0);
	ck_assert_int_eq(dtr_reader_open(&rd, path, NULL, err, sizeof(err)), 0);
	for (int i = 1; i < 5; i++) {
		put_snapshot(w, 10ull * i, 10ull * (i + 1), 0, &r, 1, NULL);
		ck_assert_int_eq(dtr_writer_flush(w, err, sizeof(err)), 0);
	}
	while ((ret = dtr_reader_next(rd, &it, err, sizeof(err))) > 0)
		n++;
	ck_assert_msg(ret == 0, "%s", err);
	ck_assert_int_eq(n, 5);
	dtr_reader_close(rd);
	finish(w);
	ft_tmp_cleanup();
}
END_TEST

Suite *format_suite(void)
{
	Suite *s = suite_create("format");
	TCase *tc = tcase_create("format");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, round_trip_every_item);
	tcase_add_test(tc, edge_values);
	tcase_add_test(tc, huge_snapshot);
	tcase_add_test(tc, writer_refuses_bad_items);
	tcase_add_test(tc, exclusive_create);
	tcase_add_test(tc, unknown_chunks_and_items_are_skipped);
	tcase_add_test(tc, major_version_bump_is_refused);
	tcase_add_test(tc, not_a_record);
	tcase_add_test(tc, truncation_at_every_offset);
	tcase_add_test(tc, every_flipped_bit_is_caught);
	tcase_add_test(tc, crc32c_check_value);
	tcase_add_test(tc, names);
	tcase_add_test(tc, time_range_with_and_without_index);
	tcase_add_test(tc, reads_a_pipe_with_a_consumed_prefix);
	tcase_add_test(tc, flush_by_time);
	tcase_add_test(tc, full_disk_leaves_a_readable_record);
	tcase_add_test(tc, reads_a_growing_file);
	tcase_add_test(tc, index_of_many_chunks);
	tcase_add_test(tc, verify_catches_lies);
	suite_add_tcase(s, tc);
	return s;
}
