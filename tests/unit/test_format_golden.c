// SPDX-License-Identifier: GPL-2.0-only
/*
 * Golden version 1 records under tests/data/: the compatibility promise.
 * Each FILE.dtr is read and its items, printed one per line, must equal
 * FILE.txt.  edge, unclosed and synth-s7 are version 1.0 records,
 * future-minor a hand-made 1.3 one, footprint-1.1 a 1.1 record with
 * FOOTPRINT items.  The files are never rewritten by a normal run; with
 * DT_WRITE_GOLDEN=1 the hand-made records of the writer's own version that
 * are missing are created, and every FILE.txt is rewritten from what is
 * read, which is only right when the format did not change.  Records of an
 * earlier version are never rewritten: they are what compatibility is
 * measured against.
 */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

#include "dtr.h"
#include "test_format_util.h"

static char err[512];

static const char *data_path(const char *name)
{
	static char paths[4][1024];
	static unsigned next;
	const char *src = getenv("DT_SRC");
	char *p = paths[next++ % 4];

	snprintf(p, sizeof(paths[0]), "%s/tests/data/%s", src ? src : ".", name);
	return p;
}

static void put(struct dtr_writer *w, const struct dtr_item *it)
{
	ck_assert_msg(dtr_writer_put(w, it, err, sizeof(err)) == 0, "%s", err);
}

/* Every item type, extreme values, several chunks. */
static void write_edge(const char *path, int close_it)
{
	struct dtr_writer_opts o = { .no_fsync = 1, .chunk_bytes = 200 };
	struct dtr_writer *w;
	struct dtr_item it;
	struct dtr_kv kvs[] = { { DTR_META_TOOL_VERSION, "golden" }, { DTR_META_KERNEL_RELEASE, "6.12.0" },
				{ DTR_META_HOSTNAME, "host" }, { DTR_META_COMMAND_LINE, "damo-record -g ./app" },
				{ DTR_META_SOURCE, "hand-made" }, { "utf-8", "Grüße ✓" }, { "", "" } };
	struct dtr_target targets[] = { { 0, 0xffff888012345678ull, 4242, "./app --flag \"q\"" },
					{ 1, 0, -1, "" } };
	struct dtr_region extreme[] = { { 0, 1, UINT32_MAX, UINT32_MAX }, { 1, 1, 0, 0 },
					{ 4096, 8192, 3, 4 },
					{ UINT64_MAX - 4096, UINT64_MAX, 1, 2 } };
	struct dtr_region pages[] = { { 0x7f0000000000ull, 0x7f0000100000ull, 20, 7 },
				      { 0x7f0000200000ull, 0x7f0000201000ull, 0, 0 } };
	struct dtr_map_entry maps[] = { { 0x400000, 0x401000, 0, "r-xp", "/usr/bin/app" },
					{ 0x7ffffffde000ull, 0x7ffffffff000ull, 0, "rw-p", "[stack]" },
					{ 0, UINT64_MAX, UINT64_MAX, "", "" } };
	uint32_t frames[] = { 2, 1, 0 };

	ck_assert_msg(dtr_writer_open(&w, path, &o, err, sizeof(err)) == 0, "%s", err);
	memset(&it, 0, sizeof(it));
	it.type = DTR_ITEM_META;
	it.u.meta = (struct dtr_meta){ 7, kvs };
	put(w, &it);
	it.type = DTR_ITEM_CONTEXT;
	it.u.context = (struct dtr_context){ 0, 0, DTR_OPS_VADDR, 10, 1000, 2, targets };
	put(w, &it);
	it.u.context = (struct dtr_context){ UINT32_MAX, 1, DTR_OPS_PADDR, 0, 0, 0, NULL };
	put(w, &it);
	it.type = DTR_ITEM_INTERVALS;
	it.u.intervals = (struct dtr_intervals){ 0, 0, 1000, 5000, 100000, 1000000 };
	put(w, &it);
	it.type = DTR_ITEM_CLOCKS;
	it.u.clocks = (struct dtr_clocks){ DTR_CLOCK_MONOTONIC, "start", 7, 1000, 2000,
					   1700000000000000000ull };
	put(w, &it);
	memset(&it, 0, sizeof(it));
	it.type = DTR_ITEM_MAPS;
	it.u.maps = (struct dtr_maps){ 1000, 4242, 3, maps };
	put(w, &it);
	it.type = DTR_ITEM_THREAD;
	it.u.thread = (struct dtr_thread){ 4242, 4243, "worker" };
	put(w, &it);
	for (int i = 0; i < 6; i++) {
		memset(&it, 0, sizeof(it));
		it.type = DTR_ITEM_SNAPSHOT;
		it.u.snapshot = (struct dtr_snapshot){ 1000 + 100000ull * i, 1000 + 100000ull * (i + 1),
						       0, 0, (uint32_t)(i % 2), 0, DTR_UNIT_SAMPLES,
						       DTR_UNIT_AGGREGATIONS, 2, pages };
		pages[0].nr_accesses = (uint32_t)i;
		put(w, &it);
	}
	it.u.snapshot = (struct dtr_snapshot){ 700000, 700000, 0, 0, 0, DTR_SNAPSHOT_INCOMPLETE,
					       DTR_UNIT_SAMPLES, DTR_UNIT_AGGREGATIONS, 4, extreme };
	put(w, &it);
	it.u.snapshot = (struct dtr_snapshot){ 700000, 800000, 0, 0, 1, DTR_SNAPSHOT_START_ESTIMATED,
					       DTR_UNIT_ABSENT, DTR_UNIT_ABSENT, 4, extreme };
	put(w, &it);
	it.u.snapshot = (struct dtr_snapshot){ 800000, 900000, UINT32_MAX, 1, 0, 0,
					       DTR_UNIT_SAMPLES, DTR_UNIT_ABSENT, 0, NULL };
	put(w, &it);
	uint32_t id;
	ck_assert_int_eq(dtr_writer_intern_frame(w, "main", "/usr/bin/app", "app.c:10", &id, err, sizeof(err)), 0);
	ck_assert_int_eq(dtr_writer_intern_frame(w, "[unknown]", "", "", &id, err, sizeof(err)), 0);
	ck_assert_int_eq(dtr_writer_intern_frame(w, "memcpy", "libc.so.6", "", &id, err, sizeof(err)), 0);
	memset(&it, 0, sizeof(it));
	it.type = DTR_ITEM_STACK;
	it.u.stack = (struct dtr_stack){ 150000, 4242, 4243, 1, 1000000, 3, frames };
	put(w, &it);
	it.u.stack = (struct dtr_stack){ UINT64_MAX, -1, -1, UINT32_MAX, 0, 0, NULL };
	put(w, &it);
	memset(&it, 0, sizeof(it));
	it.type = DTR_ITEM_INTERVALS;
	it.u.intervals = (struct dtr_intervals){ 0, 0, 400000, 2500, 50000, 1000000 };
	put(w, &it);
	it.type = DTR_ITEM_CLOCKS;
	it.u.clocks = (struct dtr_clocks){ DTR_CLOCK_PERF, "end", DTR_HAS_PERF, 0, 900000, 0 };
	put(w, &it);
	if (close_it) {
		ck_assert_msg(dtr_writer_close(w, err, sizeof(err)) == 0, "%s", err);
	} else {
		ck_assert_int_eq(dtr_writer_flush(w, err, sizeof(err)), 0);
		dtr_writer_abort(w);
	}
}

/* A 1.1 record: every FOOTPRINT part, a process and the system alone. */
static void write_footprint(const char *path)
{
	struct dtr_writer_opts o = { .no_fsync = 1 };
	struct dtr_writer *w;
	struct dtr_item it;
	struct dtr_target targets[] = { { 0, 0, 4242, "./app" } };
	struct dtr_region r[] = { { 0x7f0000000000ull, 0x7f0000100000ull, 3, 1 } };

	ck_assert_msg(dtr_writer_open(&w, path, &o, err, sizeof(err)) == 0, "%s", err);
	memset(&it, 0, sizeof(it));
	it.type = DTR_ITEM_CONTEXT;
	it.u.context = (struct dtr_context){ 0, 0, DTR_OPS_VADDR, 10, 1000, 1, targets };
	put(w, &it);
	memset(&it, 0, sizeof(it));
	it.type = DTR_ITEM_SNAPSHOT;
	it.u.snapshot = (struct dtr_snapshot){ 1000, 101000, 0, 0, 0, 0, DTR_UNIT_SAMPLES,
					       DTR_UNIT_AGGREGATIONS, 1, r };
	put(w, &it);
	memset(&it, 0, sizeof(it));
	it.type = DTR_ITEM_FOOTPRINT;
	it.u.footprint = (struct dtr_footprint){
		.time_ns = 101500, .pid = 4242, .has = 0xf, .size = 300 << 20,
		.resident = 12 << 20, .shared = 4 << 20, .text = 1 << 20, .data = 9 << 20,
		.swap = 8192, .utime_ns = 90000000, .stime_ns = 10000000, .minflt = 3000,
		.majflt = 2, .threads = 4, .mem_total = 16ull << 30, .mem_free = 9ull << 30,
		.mem_available = 12ull << 30, .mem_buffers = 1 << 20, .mem_cached = 2ull << 30 };
	put(w, &it);
	it.u.footprint = (struct dtr_footprint){ .time_ns = 201500, .kdamond = UINT32_MAX,
						 .context = 1, .target = 2, .pid = -1,
						 .has = DTR_FOOTPRINT_MEMINFO, .mem_total = UINT64_MAX };
	put(w, &it);
	ck_assert_msg(dtr_writer_close(w, err, sizeof(err)) == 0, "%s", err);
}

static void le32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static size_t chunk(unsigned char *out, uint16_t type, const void *payload, size_t plen,
		    uint32_t rlen)
{
	memcpy(out, "DTCK", 4);
	out[4] = (unsigned char)type;
	out[5] = (unsigned char)(type >> 8);
	out[6] = out[7] = 0;
	le32(out + 8, (uint32_t)plen);
	le32(out + 12, rlen);
	le32(out + 16, dtr_crc32c(0, payload, plen));
	le32(out + 20, dtr_crc32c(0, out, 20));
	memcpy(out + 24, payload, plen);
	return 24 + plen;
}

/* As a later 1.x writer might write: minor version 3, a chunk type and an
 * item type this reader does not know, and fields appended to known items. */
static void write_future_minor(const char *path)
{
	unsigned char buf[1024], z[256];
	size_t n = 0;
	unsigned char items[] = {
		42, 4, 1, 2, 3, 4,                                  /* unknown item 42 */
		1, 11, 1, 1, 'k', 0, 1, 'v', 0, 0x99, 0x98, 0x97, 0x96, /* META, 4 extra bytes */
		3, 9, 0, 0, 5, 6, 7, 8, 0xff, 0x01, 0x42,           /* INTERVALS, extra varint + byte */
	};

	memcpy(buf, "\x89" "DTR\r\n\x1a\n", 8);
	buf[8] = 1, buf[9] = 0, buf[10] = 3, buf[11] = 0;
	le32(buf + 12, dtr_crc32c(0, buf, 12));
	n = 16;
	n += chunk(buf + n, 4096, "opaque bytes of a later chunk type", 34, 0);
	size_t zn = ZSTD_compress(z, sizeof(z), items, sizeof(items), 19);
	ck_assert(!ZSTD_isError(zn));
	n += chunk(buf + n, 1, z, zn, sizeof(items));
	ft_spit(path, buf, n);
}

static void dump_to(const char *dtr, const char *txt)
{
	struct ft_text t = { 0 };
	struct dtr_reader_status st;

	ck_assert_msg(ft_read_all(dtr, NULL, &t, &st, err, sizeof(err)) == 0, "%s", err);
	ft_text_printf(&t, "# clean_close=%d version=%u.%u\n", st.clean_close, st.version_major,
		    st.version_minor);
	ft_spit(txt, t.p, t.len);
	ft_text_free(&t);
}

static const char *const golden[] = { "edge", "unclosed", "future-minor", "synth-s7",
				      "footprint-1.1" };

/* Creates `name` with `write` unless it exists (DT_WRITE_GOLDEN). */
static void create_missing(const char *name, void (*write)(const char *))
{
	if (access(data_path(name), F_OK))
		write(data_path(name));
}

START_TEST(golden_files_read_as_recorded)
{
	char dtr[64], txt[64];
	struct ft_text t = { 0 };
	struct dtr_reader_status st;
	size_t len;

	if (getenv("DT_WRITE_GOLDEN")) {
		/* edge and unclosed were written by the 1.0 writer (write_edge)
		 * and stay as they are. */
		create_missing("future-minor.dtr", write_future_minor);
		if (DTR_VERSION_MINOR == 1)
			create_missing("footprint-1.1.dtr", write_footprint);
		for (size_t i = 0; i < sizeof(golden) / sizeof(golden[0]); i++) {
			snprintf(dtr, sizeof(dtr), "%s.dtr", golden[i]);
			snprintf(txt, sizeof(txt), "%s.txt", golden[i]);
			dump_to(data_path(dtr), data_path(txt));
		}
	}
	snprintf(dtr, sizeof(dtr), "%s.dtr", golden[_i]);
	snprintf(txt, sizeof(txt), "%s.txt", golden[_i]);
	ck_assert_msg(ft_read_all(data_path(dtr), NULL, &t, &st, err, sizeof(err)) == 0, "%s", err);
	ft_text_printf(&t, "# clean_close=%d version=%u.%u\n", st.clean_close, st.version_major,
		    st.version_minor);
	char *want = (char *)ft_slurp(data_path(txt), &len);
	ck_assert_msg(len == t.len && !memcmp(want, t.p, len), "%s does not read as %s", dtr, txt);
	ck_assert_int_eq(st.damaged, 0);
	ck_assert_int_eq(dtr_verify(data_path(dtr), &st, err, sizeof(err)), 0);
	free(want);
	ft_text_free(&t);
}
END_TEST

/* Spot checks that do not depend on the .txt files being right. */
START_TEST(golden_contents)
{
	struct ft_text t = { 0 };
	struct dtr_reader_status st;

	ck_assert_int_eq(ft_read_all(data_path("edge.dtr"), NULL, &t, &st, err, sizeof(err)), 0);
	ck_assert_int_eq(st.clean_close, 1);
	ck_assert_uint_eq(st.nr_snapshots, 9);
	ck_assert_uint_eq(st.nr_regions, 6 * 2 + 4 + 4);
	ck_assert_uint_eq(st.nr_stacks, 2);
	ck_assert_ptr_nonnull(strstr(t.p, "0-1:4294967295:4294967295 1-1:0:0 1000-2000:3:4 "
					  "ffffffffffffefff-ffffffffffffffff:1:2\n"));
	ck_assert_ptr_nonnull(strstr(t.p, "[utf-8]=[Grüße ✓]"));
	ck_assert_ptr_nonnull(strstr(t.p, "t0:id=18446612682375452280,pid=4242,cmd=[./app --flag \"q\"]"));
	ck_assert_ptr_nonnull(strstr(t.p, "stack t=150000 4242/4243 cpu=1 w=1000000 : 2 1 0\n"));
	ck_assert_ptr_nonnull(strstr(t.p, "end snapshots=9 regions=20 stacks=2\n"));
	ft_text_free(&t);

	t = (struct ft_text){ 0 };
	ck_assert_int_eq(ft_read_all(data_path("unclosed.dtr"), NULL, &t, &st, err, sizeof(err)), 0);
	ck_assert_int_eq(st.clean_close, 0);
	ck_assert_int_eq(st.damaged, 0);
	ck_assert_uint_eq(st.nr_snapshots, 9);
	ck_assert_ptr_null(strstr(t.p, "end "));
	ft_text_free(&t);

	t = (struct ft_text){ 0 };
	ck_assert_int_eq(ft_read_all(data_path("future-minor.dtr"), NULL, &t, &st, err, sizeof(err)), 0);
	ck_assert_uint_eq(st.version_minor, 3);
	ck_assert_str_eq(t.p, "meta [k]=[v]\nintervals 0/0 t=5 s=6 a=7 u=8\n");
	ft_text_free(&t);

	t = (struct ft_text){ 0 };
	ck_assert_int_eq(ft_read_all(data_path("footprint-1.1.dtr"), NULL, &t, &st, err, sizeof(err)), 0);
	ck_assert_uint_eq(st.version_minor, 1);
	ck_assert_ptr_nonnull(strstr(t.p, "footprint t=101500 0/0/0 pid=4242 has=15 "
					  "statm=314572800,12582912,4194304,1048576,9437184 swap=8192 "
					  "stat=90000000,10000000,3000,2,4 mem=17179869184,9663676416,"
					  "12884901888,1048576,2147483648\n"));
	ck_assert_ptr_nonnull(strstr(t.p, "footprint t=201500 4294967295/1/2 pid=-1 has=8 "
					  "statm=0,0,0,0,0 swap=0 stat=0,0,0,0,0 "
					  "mem=18446744073709551615,0,0,0,0\n"));
	ft_text_free(&t);

	t = (struct ft_text){ 0 };
	ck_assert_int_eq(ft_read_all(data_path("synth-s7.dtr"), NULL, &t, &st, err, sizeof(err)), 0);
	ck_assert_int_eq(st.clean_close, 1);
	ck_assert_uint_eq(st.nr_snapshots, 40);
	ck_assert_uint_eq(st.nr_regions, 40 * 30);
	ck_assert_uint_gt(st.nr_stacks, 300);
	ft_text_free(&t);
}
END_TEST

/* The items of edge.dtr (written by the 1.0 writer) written again by this
 * writer read back the same: only the header's minor version differs. */
START_TEST(edge_rewritten_reads_the_same)
{
	char path[] = "/tmp/dt-edge-XXXXXX";
	struct ft_text t = { 0 };
	struct dtr_reader_status st;
	size_t len;
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	close(fd);
	write_edge(path, 1);
	ck_assert_msg(ft_read_all(path, NULL, &t, &st, err, sizeof(err)) == 0, "%s", err);
	unlink(path);
	ft_text_printf(&t, "# clean_close=%d version=1.0\n", st.clean_close);
	ck_assert_uint_eq(st.version_minor, DTR_VERSION_MINOR);
	char *want = (char *)ft_slurp(data_path("edge.txt"), &len);
	ck_assert_msg(len == t.len && !memcmp(want, t.p, len), "edge rewritten reads otherwise");
	free(want);
	ft_text_free(&t);
}
END_TEST

Suite *format_golden_suite(void)
{
	Suite *s = suite_create("format_golden");
	TCase *tc = tcase_create("golden");

	tcase_add_loop_test(tc, golden_files_read_as_recorded, 0,
			    (int)(sizeof(golden) / sizeof(golden[0])));
	tcase_add_test(tc, golden_contents);
	tcase_add_test(tc, edge_rewritten_reads_the_same);
	suite_add_tcase(s, tc);
	return s;
}
