/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fuzz_record.h - records built from the fuzzer's bytes for the analysis
 * targets (fuzz_heatmap, fuzz_timeline): the bytes are read as a program
 * of items (snapshots with sorted regions, intervals, frames, stacks), so
 * that every mutation is a valid record and the fuzzer explores the
 * values (times, addresses, ages, intervals at every edge) rather than
 * the format's checksums, which fuzz_dtr_reader covers.
 *
 * A value is one byte choosing an edge (0, 2^63, 2^64 - 1, ...) or a
 * small number, or 8 raw bytes.  Items live in a fuzz_record until
 * fuzz_record_free.
 */
#ifndef DT_FUZZ_RECORD_H
#define DT_FUZZ_RECORD_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dtr.h"

#define FUZZ_MAX_ITEMS 256
#define FUZZ_MAX_REGIONS 32
#define FUZZ_MAX_FRAMES 8

struct fuzz_record {
	size_t nr;
	struct dtr_item items[FUZZ_MAX_ITEMS];
	struct dtr_region regions[FUZZ_MAX_ITEMS][FUZZ_MAX_REGIONS];
	uint32_t frames[FUZZ_MAX_ITEMS][FUZZ_MAX_FRAMES];
	char names[FUZZ_MAX_ITEMS][16];
	struct dtr_target target;
	uint32_t nr_frame_items;
};

struct fuzz_bytes {
	const uint8_t *p;
	size_t n;
};

static uint8_t fuzz_u8(struct fuzz_bytes *b)
{
	if (!b->n)
		return 0;
	b->n--;
	return *b->p++;
}

static uint64_t fuzz_u64(struct fuzz_bytes *b)
{
	static const uint64_t edges[] = { 0, 1, 4096, 1000000000, UINT64_C(1) << 32,
					  UINT64_C(1) << 53, (UINT64_C(1) << 63) - 1,
					  UINT64_C(1) << 63, UINT64_MAX - 1, UINT64_MAX };
	uint8_t c = fuzz_u8(b);
	if (c < 10)
		return edges[c];
	if (c < 200)
		return (uint64_t)(c - 10) * 100000000;
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | fuzz_u8(b);
	return v;
}

static uint64_t fuzz_add(uint64_t a, uint64_t b)
{
	return a + b < a ? UINT64_MAX : a + b;
}

/* Read the bytes as items; the first is always the CONTEXT. */
static void fuzz_record_build(struct fuzz_record *r, const uint8_t *data, size_t size)
{
	struct fuzz_bytes b = { data, size };
	uint64_t t = fuzz_u64(&b);

	memset(r, 0, sizeof(*r));
	r->target = (struct dtr_target){ 0, 0, 1, "fuzz" };
	r->items[r->nr].type = DTR_ITEM_CONTEXT;
	r->items[r->nr++].u.context = (struct dtr_context){ .ops = DTR_OPS_VADDR, .nr_targets = 1,
							    .targets = &r->target };
	while (b.n && r->nr < FUZZ_MAX_ITEMS) {
		struct dtr_item *it = &r->items[r->nr];
		uint8_t op = fuzz_u8(&b);
		switch (op % 4) {
		case 0: { /* snapshot */
			uint64_t len = fuzz_u64(&b), at = fuzz_u64(&b);
			uint8_t n = fuzz_u8(&b) % (FUZZ_MAX_REGIONS + 1), k = 0;
			struct dtr_region *rg = r->regions[r->nr];
			for (; k < n; k++) {
				uint64_t start = fuzz_add(at, fuzz_u64(&b) % 3 ? 0 : fuzz_u64(&b));
				uint64_t end = fuzz_add(start, fuzz_u64(&b));
				if (k && start < rg[k - 1].end)
					break;
				rg[k] = (struct dtr_region){ start, end, (uint32_t)fuzz_u64(&b),
							     (uint32_t)fuzz_u64(&b) };
				at = end;
			}
			it->type = DTR_ITEM_SNAPSHOT;
			it->u.snapshot = (struct dtr_snapshot){
				.start_ns = t, .end_ns = fuzz_add(t, len), .target = op >> 7,
				.access_unit = DTR_UNIT_SAMPLES,
				.age_unit = (op >> 6) & 1 ? DTR_UNIT_ABSENT : DTR_UNIT_AGGREGATIONS,
				.nr_regions = k, .regions = rg };
			t = (op >> 5) & 1 ? fuzz_u64(&b) : fuzz_add(t, len);
			break;
		}
		case 1: /* intervals */
			it->type = DTR_ITEM_INTERVALS;
			it->u.intervals = (struct dtr_intervals){ .time_ns = 0,
				.sample_us = fuzz_u64(&b), .aggr_us = fuzz_u64(&b),
				.update_us = 1000000 };
			break;
		case 2: /* frame */
			it->type = DTR_ITEM_FRAME;
			for (int i = 0; i < 15; i++)
				r->names[r->nr][i] = (char)(fuzz_u8(&b) | 1);
			it->u.frame = (struct dtr_frame){ r->nr_frame_items++, r->names[r->nr], "", "" };
			break;
		default: { /* stack */
			uint8_t n = r->nr_frame_items ? fuzz_u8(&b) % (FUZZ_MAX_FRAMES + 1) : 0;
			for (uint8_t i = 0; i < n; i++)
				r->frames[r->nr][i] = fuzz_u8(&b) % r->nr_frame_items;
			it->type = DTR_ITEM_STACK;
			it->u.stack = (struct dtr_stack){ .time_ns = op & 0x80 ? fuzz_u64(&b) : t,
				.pid = 1, .tid = 1 + (op >> 6 & 1), .cpu = 0,
				.weight = fuzz_u64(&b), .nr_frames = n,
				.frames = n ? r->frames[r->nr] : NULL };
		}
		}
		r->nr++;
	}
}

#endif /* DT_FUZZ_RECORD_H */
