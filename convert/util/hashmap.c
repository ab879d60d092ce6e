// SPDX-License-Identifier: GPL-2.0-only
/* The one hash map: 64-bit keys to 32-bit values, open addressing (hashmap.h). */
#include "hashmap.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define MIN_SLOTS 16u

uint64_t dt_hash_str(uint64_t h, const char *s)
{
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
	return (h ^ 0xff) * 0x100000001b3ull;
}

/* The slot holding key, or the free slot where it would go. */
static uint32_t slot_of(const uint64_t *keys, const uint32_t *vals, uint32_t mask,
			uint64_t key)
{
	uint32_t i = (uint32_t)dt_hash_mix64(key) & mask;
	while (vals[i] != DT_HASHMAP_FREE && keys[i] != key)
		i = (i + 1) & mask;
	return i;
}

int dt_hashmap_get(const struct dt_hashmap *m, uint64_t key, uint32_t *val)
{
	if (!m->vals)
		return 0;
	uint32_t i = slot_of(m->keys, m->vals, m->mask, key);
	if (m->vals[i] == DT_HASHMAP_FREE)
		return 0;
	*val = m->vals[i];
	return 1;
}

/* Twice the slots (MIN_SLOTS at first), every entry moved over. */
static int grow(struct dt_hashmap *m)
{
	uint64_t slots = m->vals ? 2 * ((uint64_t)m->mask + 1) : MIN_SLOTS;
	if (slots > (uint64_t)UINT32_MAX + 1 || slots > SIZE_MAX / sizeof(uint64_t))
		return -ENOMEM;
	uint64_t *keys = malloc(slots * sizeof(*keys));
	uint32_t *vals = malloc(slots * sizeof(*vals));
	if (!keys || !vals) {
		free(keys);
		free(vals);
		return -ENOMEM;
	}
	memset(vals, 0xff, slots * sizeof(*vals)); /* DT_HASHMAP_FREE */
	uint32_t mask = (uint32_t)(slots - 1);
	for (uint64_t i = 0; m->vals && i <= m->mask; i++) {
		if (m->vals[i] == DT_HASHMAP_FREE)
			continue;
		uint32_t j = slot_of(keys, vals, mask, m->keys[i]);
		keys[j] = m->keys[i];
		vals[j] = m->vals[i];
	}
	free(m->keys);
	free(m->vals);
	m->keys = keys;
	m->vals = vals;
	m->mask = mask;
	return 0;
}

int dt_hashmap_put(struct dt_hashmap *m, uint64_t key, uint32_t val)
{
	if (val == DT_HASHMAP_FREE)
		return -EINVAL;
	uint32_t i = m->vals ? slot_of(m->keys, m->vals, m->mask, key) : 0;
	if (!m->vals || (m->vals[i] == DT_HASHMAP_FREE &&
			 ((uint64_t)m->nr + 1) * 2 > (uint64_t)m->mask + 1)) {
		if (grow(m))
			return -ENOMEM;
		i = slot_of(m->keys, m->vals, m->mask, key);
	}
	if (m->vals[i] == DT_HASHMAP_FREE)
		m->nr++;
	m->keys[i] = key;
	m->vals[i] = val;
	return 0;
}

void dt_hashmap_free(struct dt_hashmap *m)
{
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}
