// SPDX-License-Identifier: GPL-2.0-only
/*
 * The snapshot assembler: region events of damon:damon_aggregated, in the
 * order they come, grouped into one snapshot per aggregation and target,
 * marked incomplete where events were lost.  Nothing here needs a kernel.
 */
#define _GNU_SOURCE
#include "damon_shim.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "shim_internal.h"

struct dshim_assembler {
	dshim_snapshot_fn fn;
	void *arg;
	uint64_t gap_ns;
	uint64_t *ids; /* kernel-pointer target ids, in order of appearance */
	size_t nr_ids, cap_ids;
	int pending;
	struct dshim_snapshot cur;
	struct dshim_region *regions;
	size_t nr, cap;
	uint64_t last_time, last_end;
	uint64_t lost_total;
};

int dshim_assembler_new(struct dshim_assembler **out, uint32_t nr_targets, uint64_t gap_ns,
			dshim_snapshot_fn fn, void *arg)
{
	(void)nr_targets;
	struct dshim_assembler *a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	a->fn = fn;
	a->arg = arg;
	dshim_assembler_set_gap(a, gap_ns);
	*out = a;
	return 0;
}

void dshim_assembler_set_gap(struct dshim_assembler *a, uint64_t gap_ns)
{
	a->gap_ns = gap_ns ? gap_ns : 1000000;
}

/* Since 5.18 target_id is the target's index; before, a kernel pointer. */
static int target_index(struct dshim_assembler *a, uint64_t id, uint32_t *idx)
{
	if (id < (1ull << 32)) {
		*idx = (uint32_t)id;
		return 0;
	}
	for (size_t i = 0; i < a->nr_ids; i++)
		if (a->ids[i] == id) {
			*idx = (uint32_t)i;
			return 0;
		}
	if (a->nr_ids == a->cap_ids) {
		size_t cap = a->cap_ids ? a->cap_ids * 2 : 4;
		uint64_t *nb = realloc(a->ids, cap * sizeof(*nb));
		if (!nb)
			return -ENOMEM;
		a->ids = nb;
		a->cap_ids = cap;
	}
	a->ids[a->nr_ids] = id;
	*idx = (uint32_t)a->nr_ids++;
	return 0;
}

static int finalize(struct dshim_assembler *a, char *err, size_t errlen)
{
	if (!a->pending)
		return 0;
	a->pending = 0;
	if (a->nr != a->cur.expected)
		a->cur.incomplete = 1;
	a->cur.nr_regions = a->nr;
	a->cur.regions = a->regions;
	return a->fn(a->arg, &a->cur, err, errlen);
}

int dshim_assembler_add(struct dshim_assembler *a, const struct dshim_region_event *ev,
			char *err, size_t errlen)
{
	uint32_t idx;
	int ret;

	if (target_index(a, ev->target_id, &idx)) {
		shim_err(err, errlen, "out of memory");
		return -ENOMEM;
	}
	/* Without losses, a new aggregation of the same target always steps
	 * back in address.  After a loss its head may be gone too: then a
	 * pause longer than gap_ns tells the aggregations apart (a pause alone
	 * never splits one, e.g. a stalled vCPU). */
	if (a->pending &&
	    (idx != a->cur.target || ev->nr_regions != a->cur.expected || ev->start < a->last_end ||
	     ev->time_ns < a->last_time ||
	     (a->cur.incomplete && ev->time_ns - a->last_time > a->gap_ns))) {
		ret = finalize(a, err, errlen);
		if (ret)
			return ret;
	}
	if (!a->pending) {
		memset(&a->cur, 0, sizeof(a->cur));
		a->cur.time_ns = ev->time_ns;
		a->cur.target = idx;
		a->cur.target_id = ev->target_id;
		a->cur.expected = ev->nr_regions;
		a->cur.has_age = ev->has_age;
		a->nr = 0;
		a->pending = 1;
	}
	if (a->nr == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 256;
		struct dshim_region *nb = realloc(a->regions, cap * sizeof(*nb));
		if (!nb) {
			shim_err(err, errlen, "out of memory");
			return -ENOMEM;
		}
		a->regions = nb;
		a->cap = cap;
	}
	a->regions[a->nr++] = (struct dshim_region){ ev->start, ev->end, ev->nr_accesses, ev->age };
	a->last_time = ev->time_ns;
	a->last_end = ev->end;
	if (a->nr >= a->cur.expected)
		return finalize(a, err, errlen);
	return 0;
}

void dshim_assembler_lost(struct dshim_assembler *a, uint64_t nr_lost)
{
	a->lost_total += nr_lost;
	/* A snapshot in progress has lost some of its regions (or its end):
	 * never let the next aggregation's events fill its count. */
	if (a->pending)
		a->cur.incomplete = 1;
	/* Between snapshots, the next one is short if it lost its head, and
	 * its count says so when it is finalized. */
}

int dshim_assembler_flush(struct dshim_assembler *a, char *err, size_t errlen)
{
	return finalize(a, err, errlen);
}

uint64_t dshim_assembler_lost_events(const struct dshim_assembler *a)
{
	return a->lost_total;
}

void dshim_assembler_free(struct dshim_assembler *a)
{
	if (!a)
		return;
	free(a->ids);
	free(a->regions);
	free(a);
}
