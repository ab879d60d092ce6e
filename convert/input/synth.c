// SPDX-License-Identifier: GPL-2.0-only
/*
 * Synthetic records (synth.h).  Everything random comes from one
 * splitmix64 stream per target plus a hash for snapshot times, so the output
 * is a pure function of the options.
 */
#include "synth.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define PAGE 4096ull
#define MAX_AREAS 10
#define MAX_PHASES_PER_TARGET 4096
#define STACK_HZ 100

#ifdef DAMOTRACE_VERSION
#define SYNTH_VERSION DAMOTRACE_VERSION
#else
#define SYNTH_VERSION "unknown"
#endif

struct area {
	uint64_t start, end, offset;
	const char *perms, *path;
	int kind; /* what its accesses look like */
	uint64_t nr;      /* regions in it */
	uint64_t *bounds; /* nr + 1 boundaries */
};

enum { AREA_TEXT, AREA_DATA, AREA_HEAP, AREA_LIB, AREA_MMAP, AREA_STACK };

struct phase {
	uint64_t first, last; /* snapshot indexes, inclusive */
	int quiet;
	uint64_t hot_start, hot_end;
	unsigned intensity_pct;
	const char *function;
	unsigned line;
};

struct target {
	uint64_t rng;
	int32_t pid;
	struct area areas[MAX_AREAS];
	int nr_areas;
	struct phase *phases;
	size_t nr_phases, cur_phase;
	uint32_t *prev_acc, *age;
	struct dtr_region *regions;
	uint64_t nr_regions;
	/* footprint: the span of each area touched so far; CPU time */
	uint64_t touched_lo[MAX_AREAS], touched_hi[MAX_AREAS];
	uint64_t utime_ns, minflt, rss_floor;
};

static const char *const functions[] = {
	"parse_input", "build_index", "fft_forward", "transpose", "fft_inverse",
	"compress_block", "hash_join", "sort_runs", "gc_mark", "render_frame",
	"update_mesh", "scan_table",
};

static uint64_t splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t below(uint64_t *s, uint64_t n)
{
	return n ? splitmix(s) % n : 0;
}

void dt_synth_default_opts(struct dt_synth_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->nr_snapshots = 600;
	o->nr_regions = 400;
	o->seed = 1;
	o->nr_targets = 1;
	o->sample_us = 5000;
	o->aggr_us = 100000;
	o->update_us = 1000000;
	o->start_ns = 1000000000000ull;
}

/* Start of snapshot i (and end of snapshot i - 1): aggregation intervals
 * with a little jitter, as a real kdamond wakes up slightly late. */
static uint64_t snapshot_time(const struct dt_synth_opts *o, uint64_t i)
{
	uint64_t aggr_ns = o->aggr_us * 1000, h = o->seed ^ (i * 0x9e3779b97f4a7c15ull);

	if (!i)
		return o->start_ns;
	return o->start_ns + i * aggr_ns + splitmix(&h) % (aggr_ns / 100 + 1);
}

static void add_area(struct target *t, uint64_t start, uint64_t size, uint64_t offset,
		     const char *perms, const char *path, int kind)
{
	struct area *a = &t->areas[t->nr_areas++];

	a->start = start;
	a->end = start + size;
	a->offset = offset;
	a->perms = perms;
	a->path = path;
	a->kind = kind;
}

static void layout(struct target *t)
{
	uint64_t *r = &t->rng;
	uint64_t text = 0x555555554000ull + below(r, 256) * 0x100000;
	uint64_t text_size = (1 + below(r, 4)) << 20;

	add_area(t, text, text_size, 0, "r-xp", "/usr/bin/synth-app", AREA_TEXT);
	add_area(t, text + text_size + 0x200000, 256 * 1024, text_size, "rw-p",
		 "/usr/bin/synth-app", AREA_DATA);
	add_area(t, text + text_size + 0x2000000 + below(r, 64) * 0x100000,
		 (64 + below(r, 448)) << 20, 0, "rw-p", "[heap]", AREA_HEAP);
	uint64_t at = 0x7f1000000000ull + below(r, 4096) * 0x100000;
	for (int i = 0; i < 3; i++) {
		uint64_t size = (128 + below(r, 896)) << 20;
		add_area(t, at, size, 0, "rw-p", "", AREA_MMAP);
		at += size + ((1 + below(r, 64)) << 20);
	}
	add_area(t, at + 0x10000000, 2 << 20, 0, "r-xp", "/usr/lib/x86_64-linux-gnu/libc.so.6",
		 AREA_LIB);
	add_area(t, 0x7ffffffde000ull - (8 << 20), 8 << 20, 0, "rw-p", "[stack]", AREA_STACK);
}

/* Regions per area: about the square root of the size, as DAMON spends
 * more regions on larger areas but not proportionally. */
static int place_regions(struct target *t, uint64_t total)
{
	double weight[MAX_AREAS], sum = 0;
	uint64_t given = 0;

	for (int i = 0; i < t->nr_areas; i++) {
		struct area *a = &t->areas[i];
		double pages = (double)((a->end - a->start) / PAGE);
		weight[i] = 1;
		for (double x = pages; x > 1; x /= 4)
			weight[i] *= 2;
		sum += weight[i];
		a->nr = 0;
	}
	for (int i = 0; i < t->nr_areas; i++) {
		struct area *a = &t->areas[i];
		a->nr = (uint64_t)((double)total * weight[i] / sum);
		uint64_t pages = (a->end - a->start) / PAGE;
		if (a->nr > pages)
			a->nr = pages;
		given += a->nr;
	}
	/* What rounding left over goes to the largest areas. */
	for (int round = 0; given < total && round < 64; round++)
		for (int i = t->nr_areas - 1; i >= 0 && given < total; i--) {
			struct area *a = &t->areas[i];
			if (a->kind != AREA_MMAP && a->kind != AREA_HEAP)
				continue;
			if (a->nr < (a->end - a->start) / PAGE) {
				a->nr++;
				given++;
			}
		}
	t->nr_regions = given;
	for (int i = 0; i < t->nr_areas; i++) {
		struct area *a = &t->areas[i];
		a->bounds = malloc((a->nr + 1) * sizeof(*a->bounds));
		if (!a->bounds)
			return -ENOMEM;
		uint64_t pages = (a->end - a->start) / PAGE;
		for (uint64_t k = 0; k <= a->nr; k++)
			a->bounds[k] = a->start + (a->nr ? pages * k / a->nr : 0) * PAGE;
		a->bounds[a->nr] = a->end;
	}
	size_t n = given ? given : 1;
	t->regions = calloc(n, sizeof(*t->regions));
	t->prev_acc = calloc(n, sizeof(*t->prev_acc));
	t->age = calloc(n, sizeof(*t->age));
	return t->regions && t->prev_acc && t->age ? 0 : -ENOMEM;
}

static int plan_phases(struct target *t, uint64_t n)
{
	uint64_t *r = &t->rng;
	uint64_t pos = 0;

	t->phases = calloc(MAX_PHASES_PER_TARGET, sizeof(*t->phases));
	if (!t->phases)
		return -ENOMEM;
	/* A short quiet start, like a program that reads its input first. */
	while (pos < n && t->nr_phases < MAX_PHASES_PER_TARGET - 2) {
		struct phase *p = &t->phases[t->nr_phases++];
		uint64_t len = n * (5 + below(r, 11)) / 100;
		p->first = pos;
		p->last = pos + (len ? len : 1) - 1;
		if (p->last >= n)
			p->last = n - 1;
		/* a hot range in the heap or in one of the mmaps */
		int cands[MAX_AREAS], nc = 0;
		for (int i = 0; i < t->nr_areas; i++)
			if (t->areas[i].kind == AREA_HEAP || t->areas[i].kind == AREA_MMAP)
				cands[nc++] = i;
		const struct area *a = &t->areas[cands[below(r, (uint64_t)nc)]];
		uint64_t pages = (a->end - a->start) / PAGE;
		uint64_t hot = pages * (2 + below(r, 29)) / 100;
		hot = hot ? hot : 1;
		uint64_t off = below(r, pages - hot + 1);
		p->hot_start = a->start + off * PAGE;
		p->hot_end = p->hot_start + hot * PAGE;
		p->intensity_pct = 50 + (unsigned)below(r, 51);
		unsigned f = (unsigned)below(r, sizeof(functions) / sizeof(functions[0]));
		p->function = functions[f];
		p->line = 100 + 40 * f;
		pos = p->last + 1;
		if (pos < n && below(r, 10) < 4) {
			struct phase *q = &t->phases[t->nr_phases++];
			uint64_t gap = n * (2 + below(r, 4)) / 100;
			q->first = pos;
			q->last = pos + (gap ? gap : 1) - 1;
			if (q->last >= n)
				q->last = n - 1;
			q->quiet = 1;
			q->function = "wait_for_work";
			q->line = 60;
			pos = q->last + 1;
		}
	}
	if (pos < n) /* only when the phase table is full: a last long phase */
		t->phases[t->nr_phases - 1].last = n - 1;
	return 0;
}

static uint64_t page_floor(uint64_t v)
{
	return v & ~(PAGE - 1);
}

/* Moves boundaries a little, and pulls the nearest one onto each hot edge. */
static void jitter(struct target *t, const struct phase *p)
{
	uint64_t *r = &t->rng;

	for (int i = 0; i < t->nr_areas; i++) {
		struct area *a = &t->areas[i];
		uint64_t *b = a->bounds;
		for (uint64_t k = 1; k < a->nr; k++) {
			uint64_t x = splitmix(r);
			if ((x & 3) != 0)
				continue;
			uint64_t left = (b[k] - b[k - 1]) / PAGE, right = (b[k + 1] - b[k]) / PAGE;
			if (x & 4) {
				uint64_t room = left > 1 ? (left - 1) / 3 + 1 : 0;
				if (room && left > 1)
					b[k] -= (1 + (x >> 8) % room) * PAGE;
			} else {
				uint64_t room = right > 1 ? (right - 1) / 3 + 1 : 0;
				if (room && right > 1)
					b[k] += (1 + (x >> 8) % room) * PAGE;
			}
			if (b[k] <= b[k - 1])
				b[k] = b[k - 1] + PAGE;
			if (b[k] >= b[k + 1])
				b[k] = b[k + 1] - PAGE;
		}
		if (p->quiet || a->nr < 2 || p->hot_end <= a->start || p->hot_start >= a->end)
			continue;
		uint64_t edges[2] = { p->hot_start, p->hot_end };
		for (int e = 0; e < 2; e++) {
			uint64_t edge = page_floor(edges[e]);
			if (edge <= a->start || edge >= a->end || (splitmix(r) & 1))
				continue;
			/* nearest inner boundary, moved only if its neighbours allow */
			uint64_t lo = 1, hi = a->nr - 1;
			while (lo < hi) {
				uint64_t mid = (lo + hi) / 2;
				if (b[mid] < edge)
					lo = mid + 1;
				else
					hi = mid;
			}
			for (uint64_t k = lo > 1 ? lo - 1 : lo; k <= lo && k < a->nr; k++)
				if (edge > b[k - 1] && edge < b[k + 1]) {
					b[k] = edge;
					break;
				}
		}
	}
}

static uint32_t accesses(struct target *t, const struct area *a, const struct phase *p,
			 uint64_t start, uint64_t end, uint32_t max)
{
	uint64_t *r = &t->rng;
	double expect = 0;

	if (!p->quiet && p->hot_end > start && p->hot_start < end) {
		uint64_t lo = p->hot_start > start ? p->hot_start : start;
		uint64_t hi = p->hot_end < end ? p->hot_end : end;
		expect = (double)max * p->intensity_pct / 100.0 * (double)(hi - lo) /
			 (double)(end - start);
	}
	if (a->kind == AREA_TEXT || a->kind == AREA_LIB)
		expect += (double)max * (p->quiet ? 0.02 : 0.1);
	else if (a->kind == AREA_STACK)
		expect += (double)max * 0.05;
	uint64_t x = splitmix(r);
	if (expect <= 0)
		return (x % 100) == 0; /* a rare stray access */
	double v = expect + (double)((int)(x % 5) - 2) * 0.5;
	if (v < 0)
		v = 0;
	if (v > max)
		v = max;
	return (uint32_t)(v + 0.5);
}

static int put(struct dtr_writer *w, const struct dtr_item *it, char *err, size_t errlen)
{
	return dtr_writer_put(w, it, err, errlen);
}

static int write_setup(const struct dt_synth_opts *o, struct target *tg, struct dtr_writer *w,
		       char *err, size_t errlen)
{
	struct dtr_item it;
	char seed[32], regions[32];
	int ret;

	snprintf(seed, sizeof(seed), "%" PRIu64, o->seed);
	snprintf(regions, sizeof(regions), "%" PRIu64, o->nr_regions);
	struct dtr_kv kvs[] = { { DTR_META_TOOL_VERSION, "damotrace " SYNTH_VERSION },
				{ "generator", "damo-synth" },
				{ DTR_META_SOURCE, "synthetic" },
				{ "synth_seed", seed },
				{ "synth_regions", regions },
				{ DTR_META_HOSTNAME, o->hostname } };
	memset(&it, 0, sizeof(it));
	it.type = DTR_ITEM_META;
	it.u.meta.nr = sizeof(kvs) / sizeof(kvs[0]) - !o->hostname;
	it.u.meta.kvs = kvs;
	if ((ret = put(w, &it, err, errlen)))
		return ret;

	struct dtr_target *targets = calloc(o->nr_targets, sizeof(*targets));
	if (!targets)
		return -ENOMEM;
	for (uint32_t i = 0; i < o->nr_targets; i++) {
		targets[i].index = i;
		targets[i].id = (uint64_t)tg[i].pid;
		targets[i].pid = tg[i].pid;
		targets[i].cmdline = o->cmdline ? o->cmdline : "synth-app --phases";
	}
	memset(&it, 0, sizeof(it));
	it.type = DTR_ITEM_CONTEXT;
	it.u.context.ops = DTR_OPS_VADDR;
	it.u.context.min_nr_regions = 10;
	it.u.context.max_nr_regions = o->nr_regions > 1000 ? o->nr_regions : 1000;
	it.u.context.nr_targets = o->nr_targets;
	it.u.context.targets = targets;
	ret = put(w, &it, err, errlen);
	free(targets);
	if (ret)
		return ret;

	memset(&it, 0, sizeof(it));
	it.type = DTR_ITEM_INTERVALS;
	it.u.intervals.time_ns = o->start_ns;
	it.u.intervals.sample_us = o->sample_us;
	it.u.intervals.aggr_us = o->aggr_us;
	it.u.intervals.update_us = o->update_us;
	if ((ret = put(w, &it, err, errlen)))
		return ret;

	memset(&it, 0, sizeof(it));
	it.type = DTR_ITEM_CLOCKS;
	it.u.clocks.clock = DTR_CLOCK_MONOTONIC;
	it.u.clocks.label = "start";
	it.u.clocks.has = DTR_HAS_MONOTONIC | DTR_HAS_PERF | DTR_HAS_REALTIME;
	it.u.clocks.monotonic_ns = o->start_ns;
	it.u.clocks.perf_ns = o->start_ns + 1234;
	it.u.clocks.realtime_ns = 1700000000000000000ull + (o->seed % 1000) * 86400000000000ull;
	if ((ret = put(w, &it, err, errlen)))
		return ret;

	for (uint32_t i = 0; i < o->nr_targets; i++) {
		struct dtr_map_entry maps[MAX_AREAS];
		for (int k = 0; k < tg[i].nr_areas; k++) {
			const struct area *a = &tg[i].areas[k];
			maps[k].start = a->start;
			maps[k].end = a->end;
			maps[k].offset = a->offset;
			memcpy(maps[k].perms, a->perms, 5);
			maps[k].path = a->path;
		}
		memset(&it, 0, sizeof(it));
		it.type = DTR_ITEM_MAPS;
		it.u.maps.time_ns = o->start_ns;
		it.u.maps.pid = tg[i].pid;
		it.u.maps.nr = (size_t)tg[i].nr_areas;
		it.u.maps.entries = maps;
		if ((ret = put(w, &it, err, errlen)))
			return ret;
		memset(&it, 0, sizeof(it));
		it.type = DTR_ITEM_THREAD;
		it.u.thread.pid = tg[i].pid;
		it.u.thread.tid = tg[i].pid;
		it.u.thread.comm = "synth-app";
		if ((ret = put(w, &it, err, errlen)))
			return ret;
	}
	return 0;
}

static int write_truth(const struct dt_synth_opts *o, const struct target *tg, FILE *f)
{
	fprintf(f, "# damo-synth phases: start_ns end_ns target kind hot_start hot_end function\n");
	for (uint32_t i = 0; i < o->nr_targets; i++)
		for (size_t k = 0; k < tg[i].nr_phases; k++) {
			const struct phase *p = &tg[i].phases[k];
			uint64_t s = snapshot_time(o, p->first), e = snapshot_time(o, p->last + 1);
			if (p->quiet)
				fprintf(f, "%" PRIu64 " %" PRIu64 " %u quiet - - -\n", s, e, i);
			else
				fprintf(f, "%" PRIu64 " %" PRIu64 " %u hot 0x%" PRIx64 " 0x%" PRIx64 " %s\n",
					s, e, i, p->hot_start, p->hot_end, p->function);
		}
	return fflush(f) || ferror(f) ? -EIO : 0;
}

static int write_stacks(struct target *t, struct dtr_writer *w, const struct phase *p,
			uint64_t start, uint64_t end, uint64_t *acc, char *err, size_t errlen)
{
	uint64_t period = 1000000000ull / STACK_HZ;
	uint64_t first = (start + period - 1) / period * period;
	uint32_t frames[8], n;
	int ret;

	for (uint64_t ts = first; ts < end; ts += period) {
		uint64_t x = splitmix(&t->rng);
		const char *leaf = NULL, *leaf_dso = "/usr/lib/x86_64-linux-gnu/libc.so.6";
		n = 0;
		/* perf samples a thread on the CPU only: a waiting one (2% of
		 * the CPU, as its footprint says) gets one sample in 50 */
		if (p->quiet && (x >> 24) % 50)
			continue;
		if (p->quiet)
			leaf = (x & 1) ? "__futex_abstimed_wait" : "nanosleep";
		else if (x % 10 < 3)
			leaf = (x & 64) ? "__memmove_avx_unaligned_erms" : "__memset_avx2_unaligned";
		if (leaf && (ret = dtr_writer_intern_frame(w, leaf, leaf_dso, "", &frames[n++], err,
							   errlen)))
			return ret;
		char src[64];
		snprintf(src, sizeof(src), "synth-app.c:%u", p->line + (unsigned)(x >> 32) % 7);
		if ((ret = dtr_writer_intern_frame(w, p->function, "/usr/bin/synth-app", src,
						   &frames[n++], err, errlen)))
			return ret;
		static const char *const callers[] = { "run_phase", "main", "__libc_start_main",
						       "_start" };
		static const char *const caller_src[] = { "synth-app.c:40", "synth-app.c:21", "",
							  "" };
		for (int k = 0; k < 4; k++) {
			const char *dso = k < 2 || k == 3 ? "/usr/bin/synth-app"
							  : "/usr/lib/x86_64-linux-gnu/libc.so.6";
			if ((ret = dtr_writer_intern_frame(w, callers[k], dso, caller_src[k],
							   &frames[n++], err, errlen)))
				return ret;
		}
		struct dtr_item it;
		memset(&it, 0, sizeof(it));
		it.type = DTR_ITEM_STACK;
		uint64_t room = end - ts < period / 4 ? end - ts : period / 4;
		it.u.stack.time_ns = ts + (x >> 40) % room;
		it.u.stack.pid = t->pid;
		it.u.stack.tid = t->pid;
		it.u.stack.cpu = (uint32_t)((x >> 16) % 4);
		it.u.stack.weight = period;
		it.u.stack.nr_frames = n;
		it.u.stack.frames = frames;
		if ((ret = dtr_writer_put(w, &it, err, errlen)))
			return ret;
		(*acc)++;
	}
	return 0;
}

static int write_snapshot(const struct dt_synth_opts *o, struct target *t, uint32_t index,
			  uint64_t i, struct dtr_writer *w, char *err, size_t errlen)
{
	uint32_t max = (uint32_t)(o->sample_us ? o->aggr_us / o->sample_us : 20);
	uint32_t notable = max / 10 + 1;
	uint64_t nr = 0;

	while (t->cur_phase + 1 < t->nr_phases && t->phases[t->cur_phase].last < i)
		t->cur_phase++;
	const struct phase *p = &t->phases[t->cur_phase];
	if (i)
		jitter(t, p);
	for (int k = 0; k < t->nr_areas; k++) {
		const struct area *a = &t->areas[k];
		for (uint64_t j = 0; j < a->nr; j++, nr++) {
			struct dtr_region *r = &t->regions[nr];
			r->start = a->bounds[j];
			r->end = a->bounds[j + 1];
			r->nr_accesses = accesses(t, a, p, r->start, r->end, max);
			uint32_t prev = t->prev_acc[nr];
			uint32_t diff = prev > r->nr_accesses ? prev - r->nr_accesses
							      : r->nr_accesses - prev;
			t->age[nr] = i && diff < notable ? t->age[nr] + 1 : 0;
			r->age = t->age[nr];
			t->prev_acc[nr] = r->nr_accesses;
		}
	}
	struct dtr_item it;
	memset(&it, 0, sizeof(it));
	it.type = DTR_ITEM_SNAPSHOT;
	it.u.snapshot.start_ns = snapshot_time(o, i);
	it.u.snapshot.end_ns = snapshot_time(o, i + 1);
	it.u.snapshot.target = index;
	it.u.snapshot.access_unit = DTR_UNIT_SAMPLES;
	it.u.snapshot.age_unit = DTR_UNIT_AGGREGATIONS;
	it.u.snapshot.nr_regions = nr;
	it.u.snapshot.regions = t->regions;
	return dtr_writer_put(w, &it, err, errlen);
}

/* ---------------------------------------------------------------- footprint */

#define SYNTH_MEM_TOTAL (16ull << 30)

/* Widen the touched span of the area holding the phase's hot range; the
 * pages newly covered are minor faults. */
static void touch_hot_range(struct target *t, const struct phase *p)
{
	for (int k = 0; k < t->nr_areas && !p->quiet; k++) {
		const struct area *a = &t->areas[k];
		if (p->hot_start < a->start || p->hot_start >= a->end)
			continue;
		uint64_t lo = t->touched_lo[k], hi = t->touched_hi[k], before = hi - lo;
		if (hi == lo) {
			lo = p->hot_start;
			hi = p->hot_end;
		}
		t->touched_lo[k] = p->hot_start < lo ? p->hot_start : lo;
		t->touched_hi[k] = p->hot_end > hi ? p->hot_end : hi;
		t->minflt += (t->touched_hi[k] - t->touched_lo[k] - before) / PAGE;
	}
}

/* Resident: half the program and library text, the data, 1 MiB of stack
 * and every touched span; never less than any working set so far (DAMON's
 * regions are coarser than the hot ranges). */
static uint64_t resident_of(struct target *t)
{
	uint64_t rss = 0, wss = 0;

	for (uint64_t i = 0; i < t->nr_regions; i++)
		if (t->regions[i].nr_accesses)
			wss += t->regions[i].end - t->regions[i].start;
	if (wss > t->rss_floor)
		t->rss_floor = wss;

	for (int k = 0; k < t->nr_areas; k++) {
		const struct area *a = &t->areas[k];
		uint64_t size = a->end - a->start;
		if (a->kind == AREA_TEXT || a->kind == AREA_LIB)
			rss += size / 2 / PAGE * PAGE;
		else if (a->kind == AREA_DATA)
			rss += size;
		else if (a->kind == AREA_STACK)
			rss += 1 << 20;
		rss += t->touched_hi[k] - t->touched_lo[k];
	}
	return rss > t->rss_floor ? rss : t->rss_floor;
}

static int write_footprint(const struct dt_synth_opts *o, struct target *t, uint32_t index,
			   uint64_t i, struct dtr_writer *w, char *err, size_t errlen)
{
	const struct phase *p = &t->phases[t->cur_phase];
	uint64_t aggr_ns = o->aggr_us * 1000, size = 0;
	struct dtr_item it;

	touch_hot_range(t, p);
	t->utime_ns += p->quiet ? aggr_ns / 50 : aggr_ns * p->intensity_pct / 100;
	for (int k = 0; k < t->nr_areas; k++)
		size += t->areas[k].end - t->areas[k].start;
	memset(&it, 0, sizeof(it));
	it.type = DTR_ITEM_FOOTPRINT;
	struct dtr_footprint *f = &it.u.footprint;
	f->time_ns = snapshot_time(o, i + 1);
	f->target = index;
	f->pid = t->pid;
	f->has = DTR_FOOTPRINT_STATM | DTR_FOOTPRINT_SWAP | DTR_FOOTPRINT_STAT |
		 DTR_FOOTPRINT_MEMINFO;
	f->size = size;
	f->resident = resident_of(t);
	f->shared = t->areas[0].end - t->areas[0].start;
	f->text = f->shared;
	f->data = f->resident - f->shared / 2;
	f->utime_ns = t->utime_ns;
	f->stime_ns = t->utime_ns / 10;
	f->minflt = t->minflt;
	f->threads = 4;
	f->mem_total = SYNTH_MEM_TOTAL;
	f->mem_available = SYNTH_MEM_TOTAL / 2 - (f->resident < SYNTH_MEM_TOTAL / 4 ? f->resident : 0);
	f->mem_free = f->mem_available / 2;
	f->mem_buffers = 256 << 20;
	f->mem_cached = 3ull << 30;
	return dtr_writer_put(w, &it, err, errlen);
}

int dt_synth_check(const struct dt_synth_opts *o, char *err, size_t errlen)
{
	if (!o->nr_targets || !o->aggr_us || o->nr_targets > 1024 ||
	    o->nr_regions > (1ull << 32) || o->aggr_us > 3600000000ull ||
	    o->sample_us > o->aggr_us) {
		snprintf(err, errlen,
			 "synthetic record: targets must be 1 to 1024, regions at most 2^32, "
			 "aggr between 1 us and 1 h and sample at most aggr");
		return -EINVAL;
	}
	if (o->nr_snapshots > (UINT64_MAX / 2 - o->start_ns) / (o->aggr_us * 1000) - 1) {
		snprintf(err, errlen, "synthetic record: %" PRIu64 " snapshots of %" PRIu64
			 " us do not fit in 64-bit nanoseconds", o->nr_snapshots, o->aggr_us);
		return -EINVAL;
	}
	return 0;
}

int dt_synth_write(const struct dt_synth_opts *o, struct dtr_writer *w, FILE *truth,
		   dt_synth_progress_fn progress, void *ctx, char *err, size_t errlen)
{
	struct target *tg;
	uint64_t stacks = 0;
	int ret = 0;

	if ((ret = dt_synth_check(o, err, errlen)))
		return ret;
	tg = calloc(o->nr_targets, sizeof(*tg));
	if (!tg)
		goto nomem;
	for (uint32_t i = 0; i < o->nr_targets; i++) {
		tg[i].rng = o->seed * 0x2545f4914f6cdd1dull + i + 1;
		tg[i].pid = 4000 + 17 * (int32_t)i + (int32_t)(o->seed % 1000);
		layout(&tg[i]);
		if (place_regions(&tg[i], o->nr_regions) || plan_phases(&tg[i], o->nr_snapshots))
			goto nomem;
	}
	if (truth && write_truth(o, tg, truth)) {
		snprintf(err, errlen, "cannot write the phases: %s", strerror(errno));
		ret = -EIO;
		goto out;
	}
	if ((ret = write_setup(o, tg, w, err, errlen)))
		goto out;
	for (uint64_t i = 0; i < o->nr_snapshots; i++) {
		for (uint32_t k = 0; k < o->nr_targets; k++) {
			if ((ret = write_snapshot(o, &tg[k], k, i, w, err, errlen)))
				goto out;
			if (o->footprint &&
			    (ret = write_footprint(o, &tg[k], k, i, w, err, errlen)))
				goto out;
			if (o->stacks &&
			    (ret = write_stacks(&tg[k], w, &tg[k].phases[tg[k].cur_phase],
						snapshot_time(o, i), snapshot_time(o, i + 1), &stacks,
						err, errlen)))
				goto out;
		}
		if (progress && (i % 256 == 255 || i + 1 == o->nr_snapshots))
			progress(ctx, (i + 1) * o->nr_targets, o->nr_snapshots * o->nr_targets);
	}
	struct dtr_item it;
	memset(&it, 0, sizeof(it));
	it.type = DTR_ITEM_CLOCKS;
	it.u.clocks.clock = DTR_CLOCK_MONOTONIC;
	it.u.clocks.label = "end";
	it.u.clocks.has = DTR_HAS_MONOTONIC | DTR_HAS_PERF | DTR_HAS_REALTIME;
	uint64_t end = snapshot_time(o, o->nr_snapshots);
	it.u.clocks.monotonic_ns = end;
	it.u.clocks.perf_ns = end + 1234;
	it.u.clocks.realtime_ns = 1700000000000000000ull + (o->seed % 1000) * 86400000000000ull +
				  (end - o->start_ns);
	ret = put(w, &it, err, errlen);
	goto out;
nomem:
	snprintf(err, errlen, "synthetic record: out of memory");
	ret = -ENOMEM;
out:
	if (tg)
		for (uint32_t i = 0; i < o->nr_targets; i++) {
			for (int k = 0; k < tg[i].nr_areas; k++)
				free(tg[i].areas[k].bounds);
			free(tg[i].phases);
			free(tg[i].regions);
			free(tg[i].prev_acc);
			free(tg[i].age);
		}
	free(tg);
	return ret;
}
