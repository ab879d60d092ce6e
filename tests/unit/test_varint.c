// SPDX-License-Identifier: GPL-2.0-only
/* Varint reading (format/dtr-int.h) and the snapshot columns built on it:
 * every length from 1 to 10 bytes, values at the 2^7k boundaries, the
 * tenth byte's rule, longer forms of small values, truncation at every
 * offset (in buffers of exactly that size, so that the sanitizers see any
 * read past the end), and a byte-by-byte reference on random bytes. */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dtr-int.h"

/* The rule of docs/FORMAT.md one byte at a time: 7 bits per byte, low
 * first, at most 10 bytes, the tenth holding only bit 63.  Returns the
 * length, 0 when malformed or cut short. */
static size_t reference_varint(const unsigned char *p, size_t avail, uint64_t *v)
{
	*v = 0;
	for (size_t i = 0; i < avail && i < 10; i++) {
		if (i == 9 && p[i] > 1)
			return 0;
		*v |= (uint64_t)(p[i] & 0x7f) << (7 * i);
		if (!(p[i] & 0x80))
			return i + 1;
	}
	*v = 0;
	return 0;
}

static size_t encode(unsigned char *out, uint64_t v)
{
	struct dtr_buf b = { 0 };

	ck_assert_int_eq(dtr_buf_reserve(&b, 10), 0);
	dtr_buf_varint(&b, v);
	size_t n = b.len;
	memcpy(out, b.p, n);
	dtr_buf_free(&b);
	return n;
}

/* 1, 2^7k - 1, 2^7k, 2^7k + 1 for every k, and the largest value. */
static size_t boundary_values(uint64_t *v)
{
	size_t n = 0;

	v[n++] = 0;
	v[n++] = 1;
	for (unsigned k = 1; k <= 9; k++) {
		uint64_t p = UINT64_C(1) << (7 * k);
		v[n++] = p - 1;
		v[n++] = p;
		v[n++] = p + 1;
	}
	v[n++] = UINT64_MAX - 1;
	v[n++] = UINT64_MAX;
	return n;
}

static size_t expected_length(uint64_t v)
{
	size_t n = 1;

	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

/* Decode `len` bytes copied into a buffer of exactly `avail` bytes. */
static struct dtr_varint decode_exact(const unsigned char *bytes, size_t avail,
				      ptrdiff_t *used)
{
	unsigned char *buf = malloc(avail ? avail : 1);

	ck_assert_ptr_nonnull(buf);
	memcpy(buf, bytes, avail);
	struct dtr_varint r = dtr_varint_at(buf, buf + avail);
	*used = r.next ? r.next - buf : -1;
	free(buf);
	return r;
}

START_TEST(every_length_at_the_boundaries)
{
	uint64_t values[40];
	size_t nr = boundary_values(values);
	int seen[11] = { 0 };

	for (size_t i = 0; i < nr; i++) {
		unsigned char enc[10], buf[40];
		size_t len = encode(enc, values[i]);
		ck_assert_uint_eq(len, expected_length(values[i]));
		seen[len]++;

		/* exactly its bytes (the end of a buffer) */
		ptrdiff_t used;
		struct dtr_varint r = decode_exact(enc, len, &used);
		ck_assert_msg(used == (ptrdiff_t)len && r.value == values[i],
			      "%llu alone: %td bytes, %llu", (unsigned long long)values[i], used,
			      (unsigned long long)r.value);
		/* followed by more bytes, at every alignment; the bytes after it
		 * have their top bit set, so reading into them would show */
		for (size_t at = 0; at < 8; at++) {
			memset(buf, 0xff, sizeof(buf));
			memcpy(buf + at, enc, len);
			r = dtr_varint_at(buf + at, buf + sizeof(buf));
			ck_assert_msg(r.next == buf + at + len && r.value == values[i],
				      "%llu at %zu: %td bytes, %llu", (unsigned long long)values[i], at,
				      r.next ? r.next - (buf + at) : -1, (unsigned long long)r.value);
		}
		/* followed by fewer than 8 more bytes */
		for (size_t extra = 1; extra < 8; extra++) {
			memset(buf, 0xff, sizeof(buf));
			memcpy(buf, enc, len);
			r = decode_exact(buf, len + extra, &used);
			ck_assert_msg(used == (ptrdiff_t)len && r.value == values[i],
				      "%llu + %zu bytes", (unsigned long long)values[i], extra);
		}
	}
	for (size_t len = 1; len <= 10; len++)
		ck_assert_msg(seen[len] >= 2, "no boundary value of %zu bytes", len);
}
END_TEST

START_TEST(truncated_at_every_offset)
{
	uint64_t values[40];
	size_t nr = boundary_values(values);

	for (size_t i = 0; i < nr; i++) {
		unsigned char enc[10], buf[24];
		size_t len = encode(enc, values[i]);
		for (size_t cut = 0; cut < len; cut++) {
			ptrdiff_t used;
			struct dtr_varint r = decode_exact(enc, cut, &used);
			ck_assert_msg(!r.next && r.value == 0, "%llu cut to %zu bytes: %td bytes",
				      (unsigned long long)values[i], cut, used);
			/* the same with readable bytes after the end */
			memset(buf, 0, sizeof(buf));
			memcpy(buf, enc, cut);
			r = dtr_varint_at(buf, buf + cut);
			ck_assert_msg(!r.next, "%llu cut to %zu bytes, zeros after",
				      (unsigned long long)values[i], cut);
		}
	}
}
END_TEST

START_TEST(tenth_byte_holds_only_the_top_bit)
{
	unsigned char buf[32];

	for (int padded = 0; padded < 2; padded++) {
		size_t avail = padded ? sizeof(buf) : 10;
		for (unsigned last = 0; last < 256; last++) {
			memset(buf, 0, sizeof(buf));
			memset(buf, 0xff, 9);
			buf[9] = (unsigned char)last;
			ptrdiff_t used;
			struct dtr_varint r = decode_exact(buf, avail, &used);
			if (last == 0) {
				ck_assert_int_eq(used, 10);
				ck_assert(r.value == (UINT64_MAX >> 1));
			} else if (last == 1) {
				ck_assert_int_eq(used, 10);
				ck_assert(r.value == UINT64_MAX);
			} else {
				ck_assert_msg(!r.next, "tenth byte 0x%02x accepted", last);
			}
		}
	}
	/* nine bytes: the largest 63-bit value */
	memset(buf, 0, sizeof(buf));
	memset(buf, 0xff, 8);
	buf[8] = 0x7f;
	ptrdiff_t used;
	struct dtr_varint r = decode_exact(buf, 9, &used);
	ck_assert_int_eq(used, 9);
	ck_assert(r.value == (UINT64_MAX >> 1));
	r = decode_exact(buf, sizeof(buf), &used);
	ck_assert_int_eq(used, 9);
	/* eleven bytes never */
	memset(buf, 0x80, 10);
	buf[10] = 0;
	r = decode_exact(buf, sizeof(buf), &used);
	ck_assert_ptr_null(r.next);
}
END_TEST

/* Records written by other encoders may spend more bytes than needed on a
 * value: 0x80 0x00 is 0, as it always was. */
START_TEST(longer_forms_of_small_values)
{
	for (size_t len = 2; len <= 10; len++) {
		unsigned char buf[24];
		for (int padded = 0; padded < 2; padded++) {
			memset(buf, 0xff, sizeof(buf));
			memset(buf, 0x80, len - 1);
			buf[0] = 0x85;
			buf[len - 1] = 0;
			ptrdiff_t used;
			struct dtr_varint r = decode_exact(buf, padded ? sizeof(buf) : len, &used);
			ck_assert_msg(used == (ptrdiff_t)len && r.value == 5,
				      "5 in %zu bytes: %td bytes, %llu", len, used,
				      (unsigned long long)r.value);
		}
	}
}
END_TEST

START_TEST(random_bytes_match_the_reference)
{
	uint64_t state = 7;
	unsigned char buf[64];
	long checked = 0;

	for (int round = 0; round < 40000; round++) {
		/* continuation bits from rare to common, so that every length
		 * and every truncation turns up */
		unsigned cont = (unsigned)(round % 8) * 2 + 1;
		size_t avail = (size_t)(round % 41);
		for (size_t i = 0; i < sizeof(buf); i++) {
			state = state * 6364136223846793005ULL + 1442695040888963407ULL;
			unsigned char b = (unsigned char)(state >> 40) & 0x7f;
			if ((state >> 20) % 16 < cont)
				b |= 0x80;
			buf[i] = b;
		}
		unsigned char *copy = malloc(avail ? avail : 1);
		ck_assert_ptr_nonnull(copy);
		memcpy(copy, buf, avail);
		size_t at = 0;
		for (;;) {
			uint64_t want;
			size_t n = reference_varint(copy + at, avail - at, &want);
			struct dtr_varint r = dtr_varint_at(copy + at, copy + avail);
			checked++;
			if (!n) {
				ck_assert_msg(!r.next, "round %d offset %zu: accepted, reference refuses",
					      round, at);
				break;
			}
			ck_assert_msg(r.next == copy + at + n && r.value == want,
				      "round %d offset %zu: %td bytes %llu, reference %zu bytes %llu",
				      round, at, r.next ? r.next - (copy + at) : -1,
				      (unsigned long long)r.value, n, (unsigned long long)want);
			at += n;
		}
		free(copy);
	}
	ck_assert_int_gt(checked, 100000);
}
END_TEST

START_TEST(cursor_reads_zero_after_a_bad_varint)
{
	const unsigned char bytes[] = { 0x05, 0xff, 0xff };
	struct dtr_cursor c = { bytes, bytes + sizeof(bytes), 0, NULL };

	ck_assert_uint_eq(dtr_cur_varint(&c), 5);
	ck_assert_int_eq(c.bad, 0);
	ck_assert_uint_eq(dtr_cur_varint(&c), 0);
	ck_assert_int_eq(c.bad, 1);
	ck_assert_str_eq(c.why, "bad varint");
	ck_assert_ptr_eq(c.p, c.end);
	c.why = "first problem";
	ck_assert_uint_eq(dtr_cur_varint(&c), 0);
	ck_assert_str_eq(c.why, "first problem");
}
END_TEST

/* ------------------------------------------------------ snapshot columns */

static const uint32_t u32_values[] = {
	0, 1, 127, 128, 129, 16383, 16384, 16385, 2097151, 2097152, 2097153,
	268435455, 268435456, 268435457, UINT32_MAX - 1, UINT32_MAX,
};
#define NR_U32 (sizeof(u32_values) / sizeof(u32_values[0]))

/* Regions whose gaps and sizes (odd addresses: no alignment factored
 * out) take every length from 1 to 9 bytes, with access counts and ages at
 * the 32-bit boundaries. */
static size_t column_regions(struct dtr_region *r)
{
	size_t n = 0;
	uint64_t at = 1;

	for (unsigned k = 0; k <= 8; k++) {
		uint64_t sz = k ? (UINT64_C(1) << (7 * k)) - 1 : 1;
		uint64_t gap = k ? UINT64_C(1) << (7 * k - 1) : 0;
		if (at + gap + sz < at)
			break;
		r[n] = (struct dtr_region){ at + gap, at + gap + sz, u32_values[n % NR_U32],
					    u32_values[(n * 7 + 3) % NR_U32] };
		at = r[n].end;
		n++;
	}
	/* an empty region, and a last one near the top of the address space */
	r[n] = (struct dtr_region){ at, at, UINT32_MAX, 0 };
	n++;
	r[n] = (struct dtr_region){ UINT64_MAX - 4, UINT64_MAX, 1, UINT32_MAX };
	n++;
	return n;
}

static size_t encode_snapshot_body(struct dtr_buf *b, const struct dtr_region *r, size_t n)
{
	struct dtr_chunk_state cs = { 0 };
	struct dtr_item it = { .type = DTR_ITEM_SNAPSHOT };
	char err[128];

	it.u.snapshot = (struct dtr_snapshot){ .start_ns = 1000, .end_ns = 2000,
					       .access_unit = DTR_UNIT_SAMPLES,
					       .age_unit = DTR_UNIT_AGGREGATIONS,
					       .nr_regions = n, .regions = r };
	ck_assert_int_eq(dtr_encode_item(b, &cs, &it, err, sizeof(err)), 0);
	/* skip the item's type and length */
	struct dtr_cursor c = { b->p, b->p + b->len, 0, NULL };
	ck_assert_uint_eq(dtr_cur_varint(&c), DTR_ITEM_SNAPSHOT);
	uint64_t body_len = dtr_cur_varint(&c);
	ck_assert_uint_eq(body_len, (uint64_t)(c.end - c.p));
	return (size_t)(c.p - b->p);
}

START_TEST(snapshot_columns_round_trip_and_truncate)
{
	struct dtr_region r[16];
	size_t n = column_regions(r);
	struct dtr_buf b = { 0 };
	size_t head = encode_snapshot_body(&b, r, n);
	size_t len = b.len - head;
	struct dtr_decoder d = { 0 };
	struct dtr_item item;
	const char *why = NULL;

	unsigned char *body = malloc(len);
	ck_assert_ptr_nonnull(body);
	memcpy(body, b.p + head, len);
	ck_assert_int_eq(dtr_decode_item(&d, DTR_ITEM_SNAPSHOT, body, len, &item, &why), 1);
	ck_assert_uint_eq(item.u.snapshot.nr_regions, n);
	for (size_t i = 0; i < n; i++) {
		const struct dtr_region *got = &item.u.snapshot.regions[i];
		ck_assert_msg(got->start == r[i].start && got->end == r[i].end &&
			      got->nr_accesses == r[i].nr_accesses && got->age == r[i].age,
			      "region %zu differs", i);
	}
	/* every shorter body loses a varint the snapshot needs */
	for (size_t cut = 0; cut < len; cut++) {
		unsigned char *part = malloc(cut ? cut : 1);
		ck_assert_ptr_nonnull(part);
		memcpy(part, body, cut);
		struct dtr_decoder d2 = { 0 };
		why = NULL;
		ck_assert_msg(dtr_decode_item(&d2, DTR_ITEM_SNAPSHOT, part, cut, &item, &why) ==
			      -EBADMSG && why, "body cut to %zu of %zu bytes accepted", cut, len);
		dtr_decoder_free(&d2);
		free(part);
	}
	free(body);
	dtr_decoder_free(&d);
	dtr_buf_free(&b);
}
END_TEST

/* A body by hand: snapshot header for n regions at alignment 0, then the
 * given column bytes. */
static size_t snapshot_body(unsigned char *out, uint64_t n, const unsigned char *cols,
			    size_t cols_len)
{
	struct dtr_buf b = { 0 };
	const uint64_t head[] = { 0, 10, 0, 0, 0, 0, DTR_UNIT_SAMPLES, DTR_UNIT_AGGREGATIONS, n, 0 };

	ck_assert_int_eq(dtr_buf_reserve(&b, 200), 0);
	for (size_t i = 0; i < sizeof(head) / sizeof(head[0]); i++)
		dtr_buf_varint(&b, head[i]);
	memcpy(b.p + b.len, cols, cols_len);
	size_t len = b.len + cols_len;
	memcpy(out, b.p, len);
	dtr_buf_free(&b);
	return len;
}

static const char *decode_why(const unsigned char *body, size_t len)
{
	struct dtr_decoder d = { 0 };
	struct dtr_item item;
	const char *why = NULL;
	int ret = dtr_decode_item(&d, DTR_ITEM_SNAPSHOT, body, len, &item, &why);

	dtr_decoder_free(&d);
	return ret == 1 ? "accepted" : ret == -EBADMSG ? why : "other error";
}

/* The first problem met is the one reported, as when every value was read
 * one after the other; a range error while building regions wins. */
START_TEST(snapshot_columns_report_the_first_problem)
{
	unsigned char body[128];
	/* 2 regions: gaps 1 1, sizes 1 1, accesses 2^32 then 1, ages 0 0 */
	const unsigned char big_access[] = { 1, 1, 1, 1, 0x80, 0x80, 0x80, 0x80, 0x10, 1, 0, 0 };
	/* accesses 2^32 then a cut-short age column */
	const unsigned char big_then_cut[] = { 1, 1, 1, 1, 0x80, 0x80, 0x80, 0x80, 0x10, 1, 0x80 };
	/* a cut-short access column (an age would be next) */
	const unsigned char cut_access[] = { 1, 1, 1, 1, 1, 0xff };
	/* gaps 2^63 and 2^63 (the second start is past 2^64), sizes 1 and a
	 * cut-short varint read before that start is checked */
	const unsigned char huge_gap[] = { 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01,
					   0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01,
					   1, 0xff, 0xff };
	/* the same end without the range error: gap 2^63 then 1 */
	const unsigned char cut_size[] = { 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01,
					   1, 1, 0xff, 0xff };
	/* start 2^64 - 1, size 1 */
	const unsigned char huge_end[] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
					   0x01, 0, 1, 0, 0, 0, 0, 0 };
	const unsigned char good[] = { 1, 1, 1, 1, 0x80, 0x80, 0x80, 0x80, 0x0f, 1, 0, 0 };

	ck_assert_str_eq(decode_why(body, snapshot_body(body, 2, good, sizeof(good))), "accepted");
	ck_assert_str_eq(decode_why(body, snapshot_body(body, 2, big_access, sizeof(big_access))),
			 "value out of range");
	ck_assert_str_eq(decode_why(body, snapshot_body(body, 2, big_then_cut, sizeof(big_then_cut))),
			 "value out of range");
	ck_assert_str_eq(decode_why(body, snapshot_body(body, 2, cut_access, sizeof(cut_access))),
			 "bad varint");
	ck_assert_str_eq(decode_why(body, snapshot_body(body, 2, huge_gap, sizeof(huge_gap))),
			 "region start out of range");
	ck_assert_str_eq(decode_why(body, snapshot_body(body, 2, cut_size, sizeof(cut_size))),
			 "bad varint");
	ck_assert_str_eq(decode_why(body, snapshot_body(body, 2, huge_end, sizeof(huge_end))),
			 "region end out of range");
}
END_TEST

Suite *varint_suite(void)
{
	Suite *s = suite_create("varint");
	TCase *tc = tcase_create("varint");

	tcase_add_test(tc, every_length_at_the_boundaries);
	tcase_add_test(tc, truncated_at_every_offset);
	tcase_add_test(tc, tenth_byte_holds_only_the_top_bit);
	tcase_add_test(tc, longer_forms_of_small_values);
	tcase_add_test(tc, random_bytes_match_the_reference);
	tcase_add_test(tc, cursor_reads_zero_after_a_bad_varint);
	tcase_add_test(tc, snapshot_columns_round_trip_and_truncate);
	tcase_add_test(tc, snapshot_columns_report_the_first_problem);
	suite_add_tcase(s, tc);
	return s;
}
