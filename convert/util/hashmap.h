/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hashmap.h - the one hash map of damotrace: 64-bit keys to 32-bit values,
 * open addressing with linear probing, and the hash functions its callers
 * build keys with.
 *
 * Keys are any 64-bit value (the callers pack two 32-bit ids, or hash a
 * string and resolve the rare full collisions themselves, see intern.h).
 * Values are any 32-bit value but DT_HASHMAP_FREE, which marks a free
 * slot.  A key has at most one value: putting it again replaces it.
 * Entries are not removed one by one; dt_hashmap_free() drops them all.
 * Nothing iterates over the slots, so the order of entries never shows in
 * an output.
 *
 * Memory: 12 bytes per slot; slots are a power of two, at least 16, and
 * the map doubles them before more than half are used: beyond 16 slots,
 * fewer than 4 slots (48 bytes) per entry, 2 just after growing.  A zeroed
 * struct is an empty map that allocates nothing until the first put.
 *
 * dt_hashmap_put() returns 0 or a negative errno and leaves the map
 * unchanged on failure; the only runtime failure is -ENOMEM, which the
 * caller reports in its own message ("out of memory").
 */
#ifndef DT_HASHMAP_H
#define DT_HASHMAP_H

#include <stddef.h>
#include <stdint.h>

#define DT_HASHMAP_FREE UINT32_MAX

struct dt_hashmap {
	uint64_t *keys;
	uint32_t *vals;   /* DT_HASHMAP_FREE: a free slot */
	uint32_t mask;    /* slots - 1; 0 before the first put */
	uint32_t nr;      /* entries */
};

/* The 64-bit finalizer of MurmurHash3: every input bit moves every output
 * bit; what the map applies to its keys. */
static inline uint64_t dt_hash_mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ull;
	x ^= x >> 33;
	return x;
}

/* FNV-1a of the string's bytes and a terminator, continuing from h (start
 * with DT_HASH_SEED): chained over several strings it tells ("ab", "c")
 * from ("a", "bc"). */
#define DT_HASH_SEED 0xcbf29ce484222325ull
uint64_t dt_hash_str(uint64_t h, const char *s);

/* 1 and *val when key is in the map, else 0. */
int dt_hashmap_get(const struct dt_hashmap *m, uint64_t key, uint32_t *val);
/* key -> val, replacing any earlier value.  0, -EINVAL (val is
 * DT_HASHMAP_FREE) or -ENOMEM. */
int dt_hashmap_put(struct dt_hashmap *m, uint64_t key, uint32_t val);
/* Entries in the map. */
static inline uint32_t dt_hashmap_count(const struct dt_hashmap *m)
{
	return m->nr;
}
/* Frees the slots; the map is empty again (and may be reused). */
void dt_hashmap_free(struct dt_hashmap *m);

#endif /* DT_HASHMAP_H */
