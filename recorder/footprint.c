// SPDX-License-Identifier: GPL-2.0-only
/*
 * The memory footprint of the targets, which recorder.c writes after each
 * snapshot as a FOOTPRINT item: the target process's statm, VmSwap and
 * stat numbers and the system's meminfo, read through kernel-shim
 * (docs/FORMAT.md, item 11).
 */
#include <string.h>

#include "damon_shim.h"
#include "dtr.h"
#include "recorder_internal.h"

/* dshim_footprint's parts as the item's bits. */
static uint32_t has_bits(unsigned has)
{
	return (has & DSHIM_FP_STATM ? DTR_FOOTPRINT_STATM : 0) |
	       (has & DSHIM_FP_SWAP ? DTR_FOOTPRINT_SWAP : 0) |
	       (has & DSHIM_FP_STAT ? DTR_FOOTPRINT_STAT : 0);
}

static void fill_process(struct dtr_footprint *f, const struct dshim_footprint *p)
{
	f->has |= has_bits(p->has);
	f->size = p->size;
	f->resident = p->resident;
	f->shared = p->shared;
	f->text = p->text;
	f->data = p->data;
	f->swap = p->swap;
	f->utime_ns = p->utime_ns;
	f->stime_ns = p->stime_ns;
	f->minflt = p->minflt;
	f->majflt = p->majflt;
	f->threads = p->threads;
}

static void fill_system(struct dtr_footprint *f, const struct dshim_meminfo *m)
{
	f->has |= DTR_FOOTPRINT_MEMINFO;
	f->mem_total = m->total;
	f->mem_free = m->free;
	f->mem_available = m->available;
	f->mem_buffers = m->buffers;
	f->mem_cached = m->cached;
}

int footprint_of(struct rec *r, uint32_t target, uint64_t time_ns, struct dtr_footprint *f)
{
	struct dshim_footprint p;
	struct dshim_meminfo m;
	long pid = target < r->nr_targets ? r->pids[target] : -1;

	memset(f, 0, sizeof(*f));
	f->time_ns = time_ns;
	f->target = target;
	f->pid = pid > 0 ? (int32_t)pid : -1;
	/* A process that is gone has no footprint: its exit is noticed elsewhere. */
	if (pid > 0) {
		if (dshim_read_footprint(&r->roots, pid, &p, NULL, 0) || !(p.has & DSHIM_FP_STATM))
			return 0; /* exiting: no memory left to measure */
		fill_process(f, &p);
	}
	if (!dshim_read_meminfo(&r->roots, &m, NULL, 0))
		fill_system(f, &m);
	return f->has != 0;
}
