// SPDX-License-Identifier: GPL-2.0-only
/*
 * The one hash map (convert/util/hashmap.h): empty maps, replacing, keys
 * that share a slot, growth to a million entries within the stated memory,
 * and the string hash that chains fields.
 */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "hashmap.h"

START_TEST(empty_map_finds_nothing)
{
	struct dt_hashmap m = { 0 };
	uint32_t v = 7;
	ck_assert_int_eq(dt_hashmap_get(&m, 0, &v), 0);
	ck_assert_int_eq(dt_hashmap_get(&m, UINT64_MAX, &v), 0);
	ck_assert_uint_eq(v, 7);
	ck_assert_uint_eq(dt_hashmap_count(&m), 0);
	dt_hashmap_free(&m); /* nothing allocated: still fine */
	dt_hashmap_free(&m);
}
END_TEST

START_TEST(put_replaces_and_any_key_is_valid)
{
	struct dt_hashmap m = { 0 };
	uint32_t v;
	ck_assert_int_eq(dt_hashmap_put(&m, 0, 1), 0);
	ck_assert_int_eq(dt_hashmap_put(&m, UINT64_MAX, 2), 0);
	ck_assert_int_eq(dt_hashmap_put(&m, 0, 3), 0);
	ck_assert_uint_eq(dt_hashmap_count(&m), 2);
	ck_assert_int_eq(dt_hashmap_get(&m, 0, &v), 1);
	ck_assert_uint_eq(v, 3);
	ck_assert_int_eq(dt_hashmap_get(&m, UINT64_MAX, &v), 1);
	ck_assert_uint_eq(v, 2);
	ck_assert_int_eq(dt_hashmap_get(&m, 1, &v), 0);
	/* the free-slot marker is no value */
	ck_assert_int_eq(dt_hashmap_put(&m, 5, DT_HASHMAP_FREE), -EINVAL);
	ck_assert_int_eq(dt_hashmap_get(&m, 5, &v), 0);
	ck_assert_uint_eq(dt_hashmap_count(&m), 2);
	ck_assert_int_eq(dt_hashmap_put(&m, 5, DT_HASHMAP_FREE - 1), 0);
	ck_assert_int_eq(dt_hashmap_get(&m, 5, &v), 1);
	ck_assert_uint_eq(v, DT_HASHMAP_FREE - 1);
	dt_hashmap_free(&m);
	ck_assert_uint_eq(dt_hashmap_count(&m), 0);
	ck_assert_int_eq(dt_hashmap_get(&m, 0, &v), 0);
}
END_TEST

/* Keys whose first probe is the same slot of a 16-slot map (and of a 32-slot
 * one): each finds its own value past the others, before and after the map
 * grows, and keys probing into the run find theirs or nothing. */
START_TEST(keys_sharing_a_slot)
{
	uint64_t keys[16];
	size_t n = 0;
	for (uint64_t k = 1; n < 16; k++)
		if ((dt_hash_mix64(k) & 31) == 5)
			keys[n++] = k;
	struct dt_hashmap m = { 0 };
	uint32_t v;
	for (size_t i = 0; i < 8; i++)
		ck_assert_int_eq(dt_hashmap_put(&m, keys[i], (uint32_t)(100 + i)), 0);
	ck_assert_uint_eq(m.mask, 15); /* 8 of 16: no growth yet */
	for (size_t i = 0; i < 8; i++) {
		ck_assert_int_eq(dt_hashmap_get(&m, keys[i], &v), 1);
		ck_assert_uint_eq(v, 100 + i);
	}
	for (size_t i = 8; i < 16; i++)
		ck_assert_int_eq(dt_hashmap_get(&m, keys[i], &v), 0);
	for (size_t i = 8; i < 16; i++)
		ck_assert_int_eq(dt_hashmap_put(&m, keys[i], (uint32_t)(100 + i)), 0);
	ck_assert_uint_eq(m.mask, 31);
	ck_assert_uint_eq(dt_hashmap_count(&m), 16);
	for (size_t i = 0; i < 16; i++) {
		ck_assert_int_eq(dt_hashmap_get(&m, keys[i], &v), 1);
		ck_assert_uint_eq(v, 100 + i);
	}
	/* the run wraps around the end of the slots */
	uint64_t wrap[12];
	n = 0;
	for (uint64_t k = 1; n < 12; k++)
		if ((dt_hash_mix64(k) & 31) == 30)
			wrap[n++] = k;
	struct dt_hashmap w = { 0 };
	for (size_t i = 0; i < 12; i++)
		ck_assert_int_eq(dt_hashmap_put(&w, wrap[i], (uint32_t)i), 0);
	for (size_t i = 0; i < 12; i++) {
		ck_assert_int_eq(dt_hashmap_get(&w, wrap[i], &v), 1);
		ck_assert_uint_eq(v, i);
	}
	dt_hashmap_free(&w);
	dt_hashmap_free(&m);
}
END_TEST

/* Growth: a million keys (packed pairs, as callers build them), every one
 * found after the last growth, never more than half the slots used nor
 * (past 16 slots) 4 slots per entry. */
START_TEST(growth_keeps_every_entry)
{
	struct dt_hashmap m = { 0 };
	uint32_t v;
	const uint32_t n = 1000000;
	for (uint32_t i = 0; i < n; i++) {
		uint64_t key = (uint64_t)(i % 1000) << 32 | (i / 1000);
		ck_assert_int_eq(dt_hashmap_put(&m, key, i), 0);
		uint64_t slots = (uint64_t)m.mask + 1;
		ck_assert_uint_le(2 * (uint64_t)dt_hashmap_count(&m), slots);
		if (slots > 16)
			ck_assert_uint_lt(slots, 4 * (uint64_t)dt_hashmap_count(&m));
	}
	ck_assert_uint_eq(dt_hashmap_count(&m), n);
	for (uint32_t i = 0; i < n; i++) {
		uint64_t key = (uint64_t)(i % 1000) << 32 | (i / 1000);
		ck_assert_int_eq(dt_hashmap_get(&m, key, &v), 1);
		ck_assert_uint_eq(v, i);
	}
	ck_assert_int_eq(dt_hashmap_get(&m, (uint64_t)1000 << 32, &v), 0);
	dt_hashmap_free(&m);
}
END_TEST

START_TEST(string_hash_chains_fields)
{
	uint64_t ab_c = dt_hash_str(dt_hash_str(DT_HASH_SEED, "ab"), "c");
	uint64_t a_bc = dt_hash_str(dt_hash_str(DT_HASH_SEED, "a"), "bc");
	uint64_t abc_ = dt_hash_str(dt_hash_str(DT_HASH_SEED, "abc"), "");
	ck_assert_uint_ne(ab_c, a_bc);
	ck_assert_uint_ne(ab_c, abc_);
	ck_assert_uint_ne(a_bc, abc_);
	ck_assert_uint_eq(ab_c, dt_hash_str(dt_hash_str(DT_HASH_SEED, "ab"), "c"));
	ck_assert_uint_ne(dt_hash_str(DT_HASH_SEED, ""), DT_HASH_SEED);
}
END_TEST

Suite *hashmap_suite(void)
{
	Suite *s = suite_create("hashmap");
	TCase *tc = tcase_create("hashmap");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, empty_map_finds_nothing);
	tcase_add_test(tc, put_replaces_and_any_key_is_valid);
	tcase_add_test(tc, keys_sharing_a_slot);
	tcase_add_test(tc, growth_keeps_every_entry);
	tcase_add_test(tc, string_hash_chains_fields);
	suite_add_tcase(s, tc);
	return s;
}
