// SPDX-License-Identifier: GPL-2.0-only
// Per-bin features for segmentation (segment.h), built in two passes over
// a record's items: pass 1 learns the bins, worked-on areas and functions
// to track, pass 2 fills hot bytes per area cell and function shares.
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "segment.h"
#include "density.h"
#include "grow.h"
#include "dtr.h"
#include "errmsg.h"
#include "hashmap.h"
#include "input.h"

#define NCELLS 128          /* coarse time cells of pass 1 */
#define CELL0_NS 100000000ull
#define MAX_FUNCS 4096      /* functions counted per coarse cell */
#define MAX_PIECES 1024     /* hot address pieces per target */
#define MAX_MAPS 4096
#define MAX_TARGETS 64
#define MAX_THREADS 4096

struct func {
	char *symbol, *dso;
	unsigned flags;
	uint64_t samples, stamp;
	double depth_sum;
	uint32_t *cells;          /* [NCELLS] or NULL */
	int32_t tracked;          /* index in the features, -1 when not */
	int32_t pid, tid;         /* the thread of its first sample */
	int multi;                /* seen in samples of several threads */
	uint32_t next;            /* hash chain, 0: end (index + 1) */
};

struct map_entry {
	int64_t pid;
	uint64_t start, end;
	char kind[8];
	char name[40];
};

struct thread {
	int32_t pid, tid;
	uint64_t samples, first, last;
	int32_t lane;             /* -1 when not a lane */
};

struct dt_seg_builder {
	struct dt_seg_build_opts o;
	/* functions */
	struct func *funcs;
	size_t nr_funcs, cap_funcs;
	uint32_t *hash;           /* buckets: index + 1 */
	size_t nr_buckets;
	uint32_t *frame_func;     /* record frame id -> function */
	size_t nr_frame_map, cap_frame_map;
	uint64_t nr_stacks, stamp;
	uint64_t stacks_first, stacks_last;
	/* threads (pid << 32 | tid -> index) */
	struct dt_hashmap thread_index;
	struct thread *threads;
	size_t nr_threads, cap_threads;
	uint64_t nr_snapshots, nr_incomplete;
	/* coarse time cells */
	uint64_t cell_base, cell_ns;
	int have_origin;
	uint32_t cell_total[NCELLS];
	/* targets and memory */
	int64_t pid_of[MAX_TARGETS];
	struct dt_density heat[MAX_TARGETS]; /* h: nr_accesses/max summed */
	struct dt_density_scratch scratch;
	struct map_entry *maps;
	size_t nr_maps;
	uint64_t sample_us, aggr_us, update_us;
	uint32_t first_key;
	int have_first_key;
	/* bins and the result */
	size_t nr_bins, cap_bins;
	uint64_t *bin_start, *bin_end;
	uint32_t *bin_aggrs;
	struct dt_seg_features f;
	int pass;
};

void dt_seg_build_opts_default(struct dt_seg_build_opts *o)
{
	o->max_bins = 4096;
	o->max_frames = 64;
	o->max_areas = 16;
	o->nr_cells = 8;
	o->max_lanes = 4;
}

void dt_seg_features_free(struct dt_seg_features *f)
{
	free(f->start_ns);
	free(f->end_ns);
	free(f->nr_aggrs);
	free(f->wss);
	free(f->heat);
	free(f->pos);
	free(f->samples);
	free(f->frame_samples);
	free(f->lanes);
	free(f->lane_samples);
	free(f->lane_frame_samples);
	free(f->areas);
	for (size_t i = 0; f->frames && i < f->nr_frames; i++) {
		free((char *)f->frames[i].symbol);
		free((char *)f->frames[i].dso);
	}
	free(f->frames);
	memset(f, 0, sizeof(*f));
}

int dt_seg_features_alloc(struct dt_seg_features *f, char *err, size_t errlen)
{
	size_t T = f->nr_bins + 1, A = f->nr_areas, C = f->nr_cells;

	f->start_ns = calloc(T, sizeof(uint64_t));
	f->end_ns = calloc(T, sizeof(uint64_t));
	f->nr_aggrs = calloc(T, sizeof(uint32_t));
	f->wss = calloc(T, sizeof(double));
	f->heat = calloc(T * A * C + 1, sizeof(double));
	f->pos = calloc(T * A + 1, sizeof(double));
	f->samples = calloc(T, sizeof(double));
	f->frame_samples = calloc(T * f->nr_frames + 1, sizeof(double));
	f->areas = calloc(A + 1, sizeof(*f->areas));
	f->frames = calloc(f->nr_frames + 1, sizeof(*f->frames));
	f->lanes = calloc(f->nr_lanes + 1, sizeof(*f->lanes));
	f->lane_samples = calloc(T * f->nr_lanes + 1, sizeof(double));
	f->lane_frame_samples = calloc(T * f->nr_lanes * f->nr_frames + 1, sizeof(double));
	if (!f->start_ns || !f->end_ns || !f->nr_aggrs || !f->wss || !f->heat || !f->pos ||
	    !f->samples || !f->frame_samples || !f->areas || !f->frames || !f->lanes ||
	    !f->lane_samples || !f->lane_frame_samples)
		return dt_fail(err, errlen, -ENOMEM, "segment features: out of memory");
	return 0;
}

int dt_seg_builder_new(struct dt_seg_builder **bp, const struct dt_seg_build_opts *o,
		       char *err, size_t errlen)
{
	struct dt_seg_builder *b = calloc(1, sizeof(*b));

	if (!b)
		return dt_fail(err, errlen, -ENOMEM, "segment features: out of memory");
	if (o)
		b->o = *o;
	else
		dt_seg_build_opts_default(&b->o);
	if (b->o.max_bins < 16)
		b->o.max_bins = 16;
	b->nr_buckets = 4096;
	b->hash = calloc(b->nr_buckets, sizeof(*b->hash));
	b->maps = calloc(MAX_MAPS, sizeof(*b->maps));
	if (!b->hash || !b->maps) {
		dt_seg_builder_free(b);
		return dt_fail(err, errlen, -ENOMEM, "segment features: out of memory");
	}
	b->cell_ns = CELL0_NS;
	for (size_t i = 0; i < MAX_TARGETS; i++)
		b->pid_of[i] = -1;
	b->pass = 1;
	*bp = b;
	return 0;
}

void dt_seg_builder_free(struct dt_seg_builder *b)
{
	if (!b)
		return;
	for (size_t i = 0; i < b->nr_funcs; i++) {
		free(b->funcs[i].symbol);
		free(b->funcs[i].dso);
		free(b->funcs[i].cells);
	}
	free(b->funcs);
	free(b->hash);
	free(b->threads);
	dt_hashmap_free(&b->thread_index);
	free(b->frame_func);
	for (size_t i = 0; i < MAX_TARGETS; i++)
		dt_density_free(&b->heat[i]);
	dt_density_scratch_free(&b->scratch);
	free(b->maps);
	free(b->bin_start);
	free(b->bin_end);
	free(b->bin_aggrs);
	dt_seg_features_free(&b->f);
	free(b);
}

/* ------------------------------------------------------------ functions */

static uint64_t str_hash(const char *a, const char *b)
{
	uint64_t h = 1469598103934665603ull;

	for (; *a; a++)
		h = (h ^ (unsigned char)*a) * 1099511628211ull;
	h = (h ^ 0xff) * 1099511628211ull;
	for (; *b; b++)
		h = (h ^ (unsigned char)*b) * 1099511628211ull;
	return h;
}

static unsigned frame_flags(const char *symbol, const char *dso, const char *srcline)
{
	unsigned fl = 0;

	if (!strncmp(dso, "[kernel", 7) || !strcmp(dso, "[guest.kernel.kallsyms]"))
		fl |= DT_SEG_FRAME_KERNEL;
	if (!*dso || dso[0] == '[' || strstr(dso, ".so"))
		fl |= DT_SEG_FRAME_LIBRARY;
	if (!*symbol || !strcmp(symbol, "[unknown]") || !strncmp(symbol, "0x", 2))
		fl |= DT_SEG_FRAME_UNKNOWN;
	if (srcline && *srcline)
		fl |= DT_SEG_FRAME_SOURCE;
	return fl;
}

static int func_new(struct dt_seg_builder *b, const char *symbol, const char *dso,
		    uint32_t *id)
{
	if (DT_GROW(b->funcs, b->cap_funcs, b->nr_funcs + 1))
		return -ENOMEM;
	struct func *fn = &b->funcs[b->nr_funcs];
	memset(fn, 0, sizeof(*fn));
	fn->symbol = strdup(symbol);
	fn->dso = strdup(dso);
	fn->tracked = -1;
	if (b->nr_funcs < MAX_FUNCS)
		fn->cells = calloc(NCELLS, sizeof(*fn->cells));
	if (!fn->symbol || !fn->dso || (b->nr_funcs < MAX_FUNCS && !fn->cells)) {
		free(fn->symbol);
		free(fn->dso);
		free(fn->cells);
		return -ENOMEM;
	}
	*id = (uint32_t)b->nr_funcs++;
	return 0;
}

/* The function of (symbol, dso), created if new. */
static int func_intern(struct dt_seg_builder *b, const char *symbol, const char *dso,
		       const char *srcline, uint32_t *id)
{
	size_t h = (size_t)(str_hash(symbol, dso) % b->nr_buckets);
	int ret;

	for (uint32_t i = b->hash[h]; i; i = b->funcs[i - 1].next) {
		struct func *fn = &b->funcs[i - 1];
		if (!strcmp(fn->symbol, symbol) && !strcmp(fn->dso, dso)) {
			fn->flags |= frame_flags(symbol, dso, srcline) & DT_SEG_FRAME_SOURCE;
			*id = i - 1;
			return 0;
		}
	}
	if ((ret = func_new(b, symbol, dso, id)))
		return ret;
	b->funcs[*id].flags = frame_flags(symbol, dso, srcline);
	b->funcs[*id].next = b->hash[h];
	b->hash[h] = *id + 1;
	return 0;
}

static int add_frame(struct dt_seg_builder *b, const struct dtr_frame *fr)
{
	uint32_t id;
	int ret;

	if (fr->id >= b->cap_frame_map) {
		size_t old = b->cap_frame_map;
		if (DT_GROW(b->frame_func, b->cap_frame_map, (size_t)fr->id + 1))
			return -ENOMEM;
		for (size_t i = old; i < b->cap_frame_map; i++)
			b->frame_func[i] = UINT32_MAX;
	}
	if ((ret = func_intern(b, fr->symbol, fr->dso, fr->srcline, &id)))
		return ret;
	b->frame_func[fr->id] = id;
	if (fr->id >= b->nr_frame_map)
		b->nr_frame_map = fr->id + 1;
	return 0;
}

/* ----------------------------------------------------- coarse time cells */

/* Cells are aligned to multiples of cell_ns (cell 0 is the absolute
 * index cell_base), so the grid a record ends with does not depend on the
 * order of its times: the smallest cell_ns (CELL0_NS doubled) whose aligned
 * cells cover every time seen in NCELLS. */
static void cells_move(uint32_t *v, uint64_t base, uint64_t nbase, unsigned shift)
{
	uint32_t tmp[NCELLS] = { 0 };

	for (uint64_t c = 0; c < NCELLS; c++)
		tmp[((base + c) >> shift) - nbase] += v[c];
	memcpy(v, tmp, sizeof(tmp));
}

/* Regrid every count to cell_ns << shift with cell 0 at nbase. */
static void cells_regrid(struct dt_seg_builder *b, uint64_t nbase, unsigned shift)
{
	cells_move(b->cell_total, b->cell_base, nbase, shift);
	for (size_t i = 0; i < b->nr_funcs && i < MAX_FUNCS; i++)
		cells_move(b->funcs[i].cells, b->cell_base, nbase, shift);
	b->cell_base = nbase;
	b->cell_ns <<= shift;
}

static size_t cell_of(struct dt_seg_builder *b, uint64_t t)
{
	if (!b->have_origin) {
		b->cell_base = t / b->cell_ns;
		b->have_origin = 1;
	}
	for (;;) {
		uint64_t idx = t / b->cell_ns, lo = idx < b->cell_base ? idx : b->cell_base;
		uint64_t hi = idx > b->cell_base + NCELLS - 1 ? idx : b->cell_base + NCELLS - 1;
		if (idx >= b->cell_base && idx < b->cell_base + NCELLS)
			return (size_t)(idx - b->cell_base);
		if (hi - lo < NCELLS) /* fits: move the window down */
			cells_regrid(b, lo, 0);
		else
			cells_regrid(b, b->cell_base >> 1, 1);
	}
}

/* ------------------------------------------------------------ threads */

static uint64_t thread_key(int32_t pid, int32_t tid)
{
	return (uint64_t)(uint32_t)pid << 32 | (uint32_t)tid;
}

/* The thread of a sample, created if new; NULL past MAX_THREADS. */
static struct thread *thread_of(struct dt_seg_builder *b, int32_t pid, int32_t tid, int *oom)
{
	uint32_t i;

	if (dt_hashmap_get(&b->thread_index, thread_key(pid, tid), &i))
		return &b->threads[i];
	if (b->nr_threads >= MAX_THREADS)
		return NULL;
	if (DT_GROW(b->threads, b->cap_threads, b->nr_threads + 1)) {
		*oom = 1;
		return NULL;
	}
	if (dt_hashmap_put(&b->thread_index, thread_key(pid, tid), (uint32_t)b->nr_threads)) {
		*oom = 1;
		return NULL;
	}
	b->threads[b->nr_threads] = (struct thread){ pid, tid, 0, 0, 0, -1 };
	return &b->threads[b->nr_threads++];
}

static int thread_count(struct dt_seg_builder *b, const struct dtr_stack *s)
{
	int oom = 0;
	struct thread *t = thread_of(b, s->pid, s->tid, &oom);

	if (!t)
		return oom ? -ENOMEM : 0;
	if (!t->samples || s->time_ns < t->first)
		t->first = s->time_ns;
	if (s->time_ns > t->last)
		t->last = s->time_ns;
	t->samples++;
	return 0;
}

/* Lanes: threads holding DT_SEG_LANE_SHARE of the samples, when two do. */
static size_t choose_lanes(struct dt_seg_builder *b)
{
	size_t n = 0;

	for (size_t k = 0; k < b->o.max_lanes; k++) {
		struct thread *best = NULL;
		for (size_t i = 0; i < b->nr_threads; i++) {
			struct thread *t = &b->threads[i];
			if (t->lane < 0 && (double)t->samples >= DT_SEG_LANE_SHARE * b->nr_stacks &&
			    (!best || t->samples > best->samples))
				best = t;
		}
		if (!best)
			break;
		best->lane = (int32_t)n++;
	}
	if (n < 2) {
		for (size_t i = 0; i < b->nr_threads; i++)
			b->threads[i].lane = -1;
		n = 0;
	}
	return n;
}

static void fill_lanes(struct dt_seg_builder *b)
{
	for (size_t i = 0; i < b->nr_threads; i++) {
		const struct thread *t = &b->threads[i];
		if (t->lane >= 0)
			b->f.lanes[t->lane] = (struct dt_seg_lane){ t->pid, t->tid, t->samples,
								    t->first, t->last };
	}
}

/* Pass 1: count each function once per sample, in its coarse cell. */
static int stack_pass1(struct dt_seg_builder *b, const struct dtr_stack *s)
{
	size_t c = cell_of(b, s->time_ns);

	b->stamp++;
	b->nr_stacks++;
	if (b->nr_stacks == 1 || s->time_ns < b->stacks_first)
		b->stacks_first = s->time_ns;
	if (s->time_ns > b->stacks_last)
		b->stacks_last = s->time_ns;
	b->cell_total[c]++;
	for (uint32_t i = s->nr_frames; i-- > 0;) {
		uint32_t id = s->frames[i];
		if (id >= b->nr_frame_map || b->frame_func[id] == UINT32_MAX)
			continue;
		struct func *fn = &b->funcs[b->frame_func[id]];
		if (fn->stamp == b->stamp)
			continue;
		fn->stamp = b->stamp;
		if (!fn->samples) {
			fn->pid = s->pid;
			fn->tid = s->tid;
		} else if (fn->pid != s->pid || fn->tid != s->tid) {
			fn->multi = 1;
		}
		fn->samples++;
		fn->depth_sum += (double)(s->nr_frames - 1 - i);
		if (fn->cells)
			fn->cells[c]++;
	}
	return thread_count(b, s);
}

/* ------------------------------------------------------ hot address pieces */

/* Add the hot regions of a snapshot (weight nr_accesses/max) to the
 * pieces, a density profile (density.h) of at most MAX_PIECES spans. */
static int pieces_add(struct dt_density *p, struct dt_density_scratch *sc,
		      const struct dtr_snapshot *s, double max_nr)
{
	size_t n = 0;

	if (dt_density_reserve_runs(sc, s->nr_regions + 1))
		return -ENOMEM;
	for (uint64_t r = 0; r < s->nr_regions; r++) {
		const struct dtr_region *g = &s->regions[r];
		if (!g->nr_accesses || g->end <= g->start)
			continue;
		sc->runs[n++] = (struct dt_dspan){ g->start, g->end, g->nr_accesses / max_nr };
	}
	n = dt_density_sort_runs(sc, n);
	return dt_density_add(p, sc, n, MAX_PIECES, MAX_PIECES / 2);
}

/* ---------------------------------------------------------------- maps */

static void map_kind(const char *path, char kind[8], char name[40])
{
	const char *k = !*path ? "anon" : !strcmp(path, "[heap]") ? "heap" :
		       !strcmp(path, "[stack]") ? "stack" : path[0] == '[' ? "special" : "file";
	const char *base = strrchr(path, '/');
	snprintf(kind, 8, "%s", k);
	snprintf(name, 40, "%s", strcmp(k, "file") ? "" : base ? base + 1 : path);
}

/* Union of the entries seen: an entry overlapping one of the same kind
 * extends it (a growing heap, a mapping merged with its neighbour for a
 * while); maps_normalise() merges what overlaps after that. */
static void add_maps(struct dt_seg_builder *b, const struct dtr_maps *m)
{
	for (size_t i = 0; i < m->nr; i++) {
		const struct dtr_map_entry *e = &m->entries[i];
		char kind[8], name[40];
		size_t k;
		map_kind(e->path, kind, name);
		for (k = 0; k < b->nr_maps; k++) {
			struct map_entry *x = &b->maps[k];
			if (x->pid == m->pid && x->start < e->end && e->start < x->end &&
			    !strcmp(x->kind, kind) && !strcmp(x->name, name)) {
				x->start = e->start < x->start ? e->start : x->start;
				x->end = e->end > x->end ? e->end : x->end;
				break;
			}
		}
		if (k == b->nr_maps && b->nr_maps < MAX_MAPS) {
			struct map_entry *x = &b->maps[b->nr_maps++];
			x->pid = m->pid;
			x->start = e->start;
			x->end = e->end;
			memcpy(x->kind, kind, sizeof(kind));
			memcpy(x->name, name, sizeof(name));
		}
	}
}

/* ---------------------------------------------------------------- bins */

static int bins_reserve(struct dt_seg_builder *b)
{
	if (b->nr_bins < b->cap_bins)
		return 0;
	/* the same growth from the same capacity for the three */
	size_t cs = b->cap_bins, ce = cs, ca = cs;
	if (DT_GROW(b->bin_start, cs, b->nr_bins + 1) || DT_GROW(b->bin_end, ce, b->nr_bins + 1) ||
	    DT_GROW(b->bin_aggrs, ca, b->nr_bins + 1))
		return -ENOMEM;
	b->cap_bins = cs;
	return 0;
}

static void bins_halve(struct dt_seg_builder *b)
{
	size_t o = 0;

	for (size_t i = 0; i < b->nr_bins; i += 2, o++) {
		b->bin_start[o] = b->bin_start[i];
		b->bin_end[o] = b->bin_end[i];
		b->bin_aggrs[o] = b->bin_aggrs[i];
		if (i + 1 < b->nr_bins) {
			b->bin_end[o] = b->bin_end[i + 1];
			b->bin_aggrs[o] += b->bin_aggrs[i + 1];
		}
	}
	b->nr_bins = o;
}

/* Index of the bin holding time t (start <= t < end; the end of the last
 * bin counts in it), or -1. */
static long bin_find(const uint64_t *start, const uint64_t *end, size_t n, uint64_t t)
{
	size_t lo = 0, hi = n;

	if (!n || t < start[0] || t > end[n - 1])
		return -1;
	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;
		if (start[mid] <= t)
			lo = mid;
		else
			hi = mid;
	}
	return t < end[lo] || lo == n - 1 ? (long)lo : -1;
}

/* One aggregation per snapshot of the first target seen; snapshots of the
 * other targets fall into its bins. */
static int snapshot_pass1(struct dt_seg_builder *b, const struct dtr_snapshot *s)
{
	uint32_t key = s->kdamond << 20 ^ s->context << 10 ^ s->target;
	int ret;

	if (!b->have_first_key) {
		b->first_key = key;
		b->have_first_key = 1;
	}
	b->nr_snapshots++;
	if (s->flags & DTR_SNAPSHOT_INCOMPLETE)
		b->nr_incomplete++;
	cell_of(b, s->start_ns);
	if (s->target < MAX_TARGETS) {
		double max_nr = b->sample_us && b->aggr_us ? (double)b->aggr_us / b->sample_us : 20;
		if ((ret = pieces_add(&b->heat[s->target], &b->scratch, s, max_nr > 0 ? max_nr : 20)))
			return ret;
	}
	if (key != b->first_key)
		return 0;
	if (b->nr_bins && s->end_ns <= b->bin_end[b->nr_bins - 1]) {
		long i = bin_find(b->bin_start, b->bin_end, b->nr_bins, s->end_ns - 1);
		if (i >= 0)
			b->bin_aggrs[i]++;
		return 0;
	}
	if ((ret = bins_reserve(b)))
		return ret;
	uint64_t start = s->start_ns;
	if (b->nr_bins && start < b->bin_end[b->nr_bins - 1])
		start = b->bin_end[b->nr_bins - 1];
	b->bin_start[b->nr_bins] = start;
	b->bin_end[b->nr_bins] = s->end_ns;
	b->bin_aggrs[b->nr_bins++] = 1;
	if (b->nr_bins > b->o.max_bins)
		bins_halve(b);
	return 0;
}

static void context_pass1(struct dt_seg_builder *b, const struct dtr_context *c)
{
	for (size_t i = 0; i < c->nr_targets; i++)
		if (c->targets[i].index < MAX_TARGETS)
			b->pid_of[c->targets[i].index] = c->targets[i].pid;
}

int dt_seg_builder_pass1(struct dt_seg_builder *b, const struct dtr_item *it,
			 char *err, size_t errlen)
{
	int ret = 0;

	switch (it->type) {
	case DTR_ITEM_CONTEXT:
		context_pass1(b, &it->u.context);
		break;
	case DTR_ITEM_INTERVALS:
		b->sample_us = it->u.intervals.sample_us;
		b->aggr_us = it->u.intervals.aggr_us;
		b->update_us = it->u.intervals.update_us;
		break;
	case DTR_ITEM_SNAPSHOT:
		ret = snapshot_pass1(b, &it->u.snapshot);
		break;
	case DTR_ITEM_FRAME:
		ret = add_frame(b, &it->u.frame);
		break;
	case DTR_ITEM_STACK:
		ret = stack_pass1(b, &it->u.stack);
		break;
	case DTR_ITEM_MAPS:
		add_maps(b, &it->u.maps);
		break;
	default:
		break;
	}
	if (ret)
		return dt_fail(err, errlen, ret, "segment features: out of memory");
	return 0;
}

/* ------------------------------------------------------ end of pass 1 */

static int cmp_map(const void *a, const void *b)
{
	const struct map_entry *x = a, *y = b;
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return x->start < y->start ? -1 : x->start > y->start;
}

static void maps_normalise(struct dt_seg_builder *b)
{
	size_t o = 0;

	if (b->nr_maps > 1) /* qsort takes no NULL array */
		qsort(b->maps, b->nr_maps, sizeof(*b->maps), cmp_map);
	for (size_t i = 0; i < b->nr_maps; i++) {
		struct map_entry *q = o ? &b->maps[o - 1] : NULL, *e = &b->maps[i];
		if (q && q->pid == e->pid && e->start < q->end && !strcmp(q->kind, e->kind) &&
		    !strcmp(q->name, e->name)) {
			q->end = e->end > q->end ? e->end : q->end;
			continue;
		}
		b->maps[o++] = *e;
	}
	b->nr_maps = o;
}

struct cand {
	struct dt_seg_area a;
	double mass;              /* heat x bytes */
};

struct cands {
	size_t nr, cap;
	struct cand *v;
};

static int cands_add(struct cands *c, uint64_t start, uint64_t end, uint32_t target,
		     const char *kind, const char *name, double mass)
{
	if (DT_GROW(c->v, c->cap, c->nr + 1))
		return -ENOMEM;
	struct cand *x = &c->v[c->nr++];
	memset(x, 0, sizeof(*x));
	x->a.start = start;
	x->a.end = end;
	x->a.target = target;
	snprintf(x->a.kind, sizeof(x->a.kind), "%s", kind);
	snprintf(x->a.name, sizeof(x->a.name), "%s", name);
	x->a.pid = -1;
	x->mass = mass;
	return 0;
}

/* Dense: hot for at least one aggregation's worth of full access, and at
 * least 1% of the hottest piece. */
static int dense(const struct dt_dspan *p, double top)
{
	return p->h >= 1.0 && p->h >= 0.01 * top;
}

static int has_maps(const struct dt_seg_builder *b, int64_t pid)
{
	for (size_t k = 0; k < b->nr_maps; k++)
		if (b->maps[k].pid == pid)
			return 1;
	return 0;
}

/* The pid whose maps describe target t: its own, or the only pid mapped. */
static int64_t maps_pid(const struct dt_seg_builder *b, size_t t)
{
	if (b->pid_of[t] >= 0 && has_maps(b, b->pid_of[t]))
		return b->pid_of[t];
	for (size_t k = 1; k < b->nr_maps; k++)
		if (b->maps[k].pid != b->maps[0].pid)
			return -2;
	return b->nr_maps ? b->maps[0].pid : -2;
}

static int areas_in_maps(const struct dt_seg_builder *b, size_t t, int64_t pid, double top,
			 struct cands *c)
{
	const struct dt_density *p = &b->heat[t];

	for (size_t k = 0; k < b->nr_maps; k++) {
		const struct map_entry *e = &b->maps[k];
		uint64_t lo = UINT64_MAX, hi = 0;
		double mass = 0;
		if (e->pid != pid)
			continue;
		for (size_t i = 0; i < p->nr; i++) {
			const struct dt_dspan *q = &p->v[i];
			uint64_t s = q->start > e->start ? q->start : e->start;
			uint64_t x = q->end < e->end ? q->end : e->end;
			if (s >= x || !dense(q, top))
				continue;
			lo = s < lo ? s : lo;
			hi = x > hi ? x : hi;
			mass += q->h * (double)(x - s);
		}
		if (mass > 0 && cands_add(c, lo, hi, (uint32_t)t, e->kind, e->name, mass))
			return -ENOMEM;
	}
	return 0;
}

/* Without maps: dense pieces less than 2 MiB apart make one area. */
static int areas_dense(const struct dt_seg_builder *b, size_t t, double top, struct cands *c)
{
	const struct dt_density *p = &b->heat[t];
	uint64_t lo = 0, hi = 0;
	double mass = 0;

	for (size_t i = 0; i <= p->nr; i++) {
		const struct dt_dspan *q = i < p->nr ? &p->v[i] : NULL;
		if (q && !dense(q, top))
			continue;
		if (mass > 0 && (!q || q->start > hi + (2u << 20))) {
			if (cands_add(c, lo, hi, (uint32_t)t, "dense", "", mass))
				return -ENOMEM;
			mass = 0;
		}
		if (!q)
			break;
		if (mass == 0)
			lo = q->start;
		hi = q->end;
		mass += q->h * (double)(q->end - q->start);
	}
	return 0;
}

static int cmp_mass(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;
	return x->mass > y->mass ? -1 : x->mass < y->mass;
}

static int cmp_area(const void *a, const void *b)
{
	const struct dt_seg_area *x = a, *y = b;
	if (x->target != y->target)
		return x->target < y->target ? -1 : 1;
	return x->start < y->start ? -1 : x->start > y->start;
}

static int choose_areas(struct dt_seg_builder *b, struct cands *c)
{
	double top = 0, total = 0;
	int ret = 0;

	for (size_t t = 0; t < MAX_TARGETS; t++)
		for (size_t i = 0; i < b->heat[t].nr; i++)
			top = b->heat[t].v[i].h > top ? b->heat[t].v[i].h : top;
	for (size_t t = 0; !ret && t < MAX_TARGETS; t++) {
		if (!b->heat[t].nr)
			continue;
		int64_t pid = maps_pid(b, t);
		ret = pid >= -1 ? areas_in_maps(b, t, pid, top, c) : areas_dense(b, t, top, c);
	}
	if (ret)
		return ret;
	if (c->nr > 1) /* qsort takes no NULL array */
		qsort(c->v, c->nr, sizeof(*c->v), cmp_mass);
	for (size_t i = 0; i < c->nr; i++)
		total += c->v[i].mass;
	/* the heaviest, down to 0.1% of the record's heat: a mapping worked
	 * on hard in one short phase (2 s of a minute) is a worked-on area */
	size_t n = 0;
	while (n < c->nr && n < b->o.max_areas && c->v[n].mass >= 0.001 * total)
		n++;
	c->nr = n;
	return 0;
}

/* Share of a function in the coarse cells with enough samples: *hi the
 * largest, *lo the smallest once the cells holding the lowest 5% of the
 * samples are left out (start-up and exit cells). */
static void func_range(const struct dt_seg_builder *b, const struct func *fn, double *lo,
		       double *hi)
{
	double sh[NCELLS], w[NCELLS], total = 0;
	size_t n = 0;

	*lo = *hi = 0;
	for (size_t c = 0; c < NCELLS; c++) {
		if (b->cell_total[c] < 10)
			continue;
		sh[n] = (double)fn->cells[c] / b->cell_total[c];
		w[n] = b->cell_total[c];
		total += w[n++];
	}
	for (size_t i = 1; i < n; i++) /* insertion sort by share, 128 at most */
		for (size_t j = i; j > 0 && sh[j - 1] > sh[j]; j--) {
			double x = sh[j], y = w[j];
			sh[j] = sh[j - 1];
			w[j] = w[j - 1];
			sh[j - 1] = x;
			w[j - 1] = y;
		}
	double acc = 0;
	for (size_t i = 0; i < n; i++) {
		acc += w[i];
		if (acc > 0.05 * total) {
			*lo = sh[i];
			break;
		}
	}
	*hi = n ? sh[n - 1] : 0;
}

/* Two functions whose cell counts are proportional (a caller that only
 * calls one callee) carry the same information. */
static int same_series(const struct func *x, const struct func *y)
{
	double d = 0;

	if (!x->samples || !y->samples)
		return 0;
	for (size_t c = 0; c < NCELLS; c++) {
		double u = (double)x->cells[c] / x->samples, v = (double)y->cells[c] / y->samples;
		d += u > v ? u - v : v - u;
	}
	return d < 0.05;
}

struct rank {
	uint32_t func;
	double key;
};

static int cmp_rank(const void *a, const void *b)
{
	const struct rank *x = a, *y = b;
	return x->key > y->key ? -1 : x->key < y->key;
}

static void track(struct dt_seg_builder *b, uint32_t id, unsigned flags, size_t *n)
{
	b->funcs[id].tracked = (int32_t)(*n)++;
	b->funcs[id].flags |= flags;
}

/* With two or more threads holding DT_SEG_LANE_SHARE of the samples, a
 * function seen in one thread only and on 90% of that thread's samples is
 * the thread's own start-up (main, start_thread and the thread's
 * function): common, as frames on 70% of all samples are. */
static int thread_common(const struct dt_seg_builder *b, const struct func *fn)
{
	size_t big = 0;
	uint32_t i;

	if (fn->multi || !fn->samples)
		return 0;
	for (size_t k = 0; k < b->nr_threads; k++)
		big += (double)b->threads[k].samples >= DT_SEG_LANE_SHARE * b->nr_stacks;
	if (big < 2 || !dt_hashmap_get(&b->thread_index, thread_key(fn->pid, fn->tid), &i))
		return 0;
	return (double)fn->samples >= 0.9 * (double)b->threads[i].samples &&
	       (double)b->threads[i].samples >= DT_SEG_LANE_SHARE * b->nr_stacks;
}

/* Varying functions become features (one per identical series), then the
 * heaviest others are tracked for naming. */
static int choose_funcs(struct dt_seg_builder *b, size_t *nr)
{
	size_t nf = b->nr_funcs < MAX_FUNCS ? b->nr_funcs : MAX_FUNCS, n = 0, nv = 0;
	struct rank *r = calloc(nf + 1, sizeof(*r));
	uint32_t *feat = calloc(nf + 1, sizeof(*feat));

	if (!r || !feat) {
		free(r);
		free(feat);
		return -ENOMEM;
	}
	for (size_t i = 0; i < nf; i++) {
		struct func *fn = &b->funcs[i];
		double lo, hi;
		func_range(b, fn, &lo, &hi);
		if (lo >= 0.7)
			fn->flags |= DT_SEG_FRAME_COMMON;
		else if (thread_common(b, fn))
			fn->flags |= DT_SEG_FRAME_COMMON | DT_SEG_FRAME_THREAD;
		r[i] = (struct rank){ (uint32_t)i, hi - lo };
		if (hi - lo < 0.2 || fn->samples * 200 < b->nr_stacks)
			r[i].key = 0;
	}
	if (nf > 1) /* qsort takes no NULL array */
		qsort(r, nf, sizeof(*r), cmp_rank);
	for (size_t i = 0; i < nf && r[i].key > 0 && n < b->o.max_frames / 2; i++) {
		struct func *fn = &b->funcs[r[i].func];
		size_t k;
		for (k = 0; k < nv && !same_series(fn, &b->funcs[feat[k]]); k++)
			;
		if (k < nv)
			continue;
		feat[nv++] = r[i].func;
		track(b, r[i].func, DT_SEG_FRAME_FEATURE, &n);
	}
	for (size_t i = 0; i < nf; i++)
		r[i] = (struct rank){ (uint32_t)i, (double)b->funcs[i].samples };
	if (nf > 1) /* qsort takes no NULL array */
		qsort(r, nf, sizeof(*r), cmp_rank);
	for (size_t i = 0; i < nf && n < b->o.max_frames; i++) {
		struct func *fn = &b->funcs[r[i].func];
		if (fn->tracked >= 0 || !fn->samples || fn->samples * 100 < b->nr_stacks ||
		    fn->flags & (DT_SEG_FRAME_KERNEL | DT_SEG_FRAME_UNKNOWN))
			continue;
		track(b, r[i].func, 0, &n);
	}
	free(r);
	free(feat);
	*nr = n;
	return 0;
}

static void fill_frames(struct dt_seg_builder *b)
{
	for (size_t i = 0; i < b->nr_funcs; i++) {
		struct func *fn = &b->funcs[i];
		if (fn->tracked < 0)
			continue;
		struct dt_seg_frame *fr = &b->f.frames[fn->tracked];
		fr->symbol = fn->symbol;
		fr->dso = fn->dso;
		fn->symbol = fn->dso = NULL; /* the features own them now */
		fr->depth = fn->samples ? fn->depth_sum / (double)fn->samples : 0;
		fr->samples = fn->samples;
		fr->flags = fn->flags;
	}
}

int dt_seg_builder_end_pass1(struct dt_seg_builder *b, char *err, size_t errlen)
{
	struct cands c = { 0 };
	size_t nr_frames = 0;
	int ret;

	maps_normalise(b);
	ret = choose_areas(b, &c);

	if (!ret)
		ret = choose_funcs(b, &nr_frames);
	if (!ret) {
		b->f.nr_bins = b->nr_bins;
		b->f.nr_areas = c.nr;
		b->f.nr_cells = b->o.nr_cells ? b->o.nr_cells : 8;
		b->f.nr_frames = nr_frames;
		b->f.nr_lanes = choose_lanes(b);
		ret = dt_seg_features_alloc(&b->f, err, errlen);
		if (ret) {
			free(c.v);
			return ret;
		}
	}
	if (ret) {
		free(c.v);
		return dt_fail(err, errlen, ret, "segment features: out of memory");
	}
	for (size_t i = 0; i < c.nr; i++) {
		b->f.areas[i] = c.v[i].a;
		if (c.v[i].a.target < MAX_TARGETS)
			b->f.areas[i].pid = (int32_t)b->pid_of[c.v[i].a.target];
	}
	if (c.nr > 1) /* qsort takes no NULL array */
		qsort(b->f.areas, c.nr, sizeof(*b->f.areas), cmp_area);
	free(c.v);
	fill_frames(b);
	fill_lanes(b);
	b->f.nr_snapshots = b->nr_snapshots;
	b->f.nr_incomplete = b->nr_incomplete;
	if (b->nr_bins) { /* memcpy takes no NULL pointer, even for 0 bytes */
		memcpy(b->f.start_ns, b->bin_start, b->nr_bins * sizeof(uint64_t));
		memcpy(b->f.end_ns, b->bin_end, b->nr_bins * sizeof(uint64_t));
		memcpy(b->f.nr_aggrs, b->bin_aggrs, b->nr_bins * sizeof(uint32_t));
	}
	b->f.sample_ns = b->sample_us * 1000;
	b->f.aggr_ns = b->aggr_us * 1000;
	b->f.update_ns = b->update_us * 1000;
	b->f.nr_stacks = b->nr_stacks;
	b->f.stacks_first_ns = b->stacks_first;
	b->f.stacks_last_ns = b->stacks_last;
	b->pass = 2;
	return 0;
}

/* -------------------------------------------------------------- pass 2 */

/* Hot bytes of one region spread over the cells of one area. */
static void heat_area(struct dt_seg_features *f, size_t t, size_t ar, uint64_t start,
		      uint64_t end, double w)
{
	const struct dt_seg_area *a = &f->areas[ar];
	size_t C = f->nr_cells;
	uint64_t lo = start > a->start ? start : a->start, hi = end < a->end ? end : a->end;
	double size = (double)(a->end - a->start), cw = size / (double)C;

	if (lo >= hi)
		return;
	double x0 = (double)(lo - a->start), x1 = (double)(hi - a->start);
	size_t c0 = (size_t)(x0 / cw), c1 = (size_t)(x1 / cw);
	double *cells = &f->heat[(t * f->nr_areas + ar) * C];
	for (size_t c = c0; c <= c1 && c < C; c++) {
		double l = x0 > c * cw ? x0 : c * cw, h = x1 < (c + 1) * cw ? x1 : (c + 1) * cw;
		if (h > l)
			cells[c] += (h - l) * w;
	}
	f->pos[t * f->nr_areas + ar] += (x1 - x0) * w * (x0 + x1) / 2;
}

static void snapshot_pass2(struct dt_seg_builder *b, const struct dtr_snapshot *s)
{
	struct dt_seg_features *f = &b->f;
	long t = bin_find(f->start_ns, f->end_ns, f->nr_bins, s->end_ns ? s->end_ns - 1 : 0);
	double max_nr = b->sample_us && b->aggr_us ? (double)b->aggr_us / b->sample_us : 20;

	if (t < 0)
		return;
	for (uint64_t r = 0; r < s->nr_regions; r++) {
		const struct dtr_region *g = &s->regions[r];
		if (!g->nr_accesses || g->end <= g->start)
			continue;
		f->wss[t] += (double)(g->end - g->start);
		for (size_t a = 0; a < f->nr_areas; a++)
			if (f->areas[a].target == s->target)
				heat_area(f, (size_t)t, a, g->start, g->end,
					  g->nr_accesses / (max_nr > 0 ? max_nr : 20));
	}
}

static long lane_of(const struct dt_seg_builder *b, const struct dtr_stack *s)
{
	uint32_t i;

	if (!b->f.nr_lanes || !dt_hashmap_get(&b->thread_index, thread_key(s->pid, s->tid), &i))
		return -1;
	return b->threads[i].lane;
}

static void stack_pass2(struct dt_seg_builder *b, const struct dtr_stack *s)
{
	struct dt_seg_features *f = &b->f;
	long t = bin_find(f->start_ns, f->end_ns, f->nr_bins, s->time_ns);

	if (t < 0)
		return;
	long lane = lane_of(b, s);
	double *lf = lane < 0 ? NULL : f->lane_frame_samples +
				       ((size_t)lane * f->nr_bins + (size_t)t) * f->nr_frames;
	f->samples[t] += 1;
	if (lane >= 0)
		f->lane_samples[(size_t)lane * f->nr_bins + (size_t)t] += 1;
	b->stamp++;
	for (uint32_t i = 0; i < s->nr_frames; i++) {
		uint32_t id = s->frames[i];
		if (id >= b->nr_frame_map || b->frame_func[id] == UINT32_MAX)
			continue;
		struct func *fn = &b->funcs[b->frame_func[id]];
		if (fn->tracked < 0 || fn->stamp == b->stamp)
			continue;
		fn->stamp = b->stamp;
		f->frame_samples[(size_t)t * f->nr_frames + (size_t)fn->tracked] += 1;
		if (lf)
			lf[fn->tracked] += 1;
	}
}

int dt_seg_builder_pass2(struct dt_seg_builder *b, const struct dtr_item *it,
			 char *err, size_t errlen)
{
	if (b->pass != 2)
		return dt_fail(err, errlen, -EINVAL, "segment features: pass 2 before pass 1 ended");
	if (it->type == DTR_ITEM_SNAPSHOT)
		snapshot_pass2(b, &it->u.snapshot);
	else if (it->type == DTR_ITEM_STACK)
		stack_pass2(b, &it->u.stack);
	return 0;
}

int dt_seg_builder_finish(struct dt_seg_builder *b, struct dt_seg_features *out,
			  char *err, size_t errlen)
{
	if (b->pass != 2)
		return dt_fail(err, errlen, -EINVAL, "segment features: finished before pass 2");
	*out = b->f;
	memset(&b->f, 0, sizeof(b->f));
	b->pass = 3;
	return 0;
}

static int one_pass(const char *path, struct dt_seg_builder *b, int pass, char *err,
		    size_t errlen)
{
	struct dt_input_opts io = { 0 };
	struct dt_input *in;
	struct dtr_item it;
	int ret = dt_input_open(&in, path, &io, err, errlen);

	if (ret)
		return ret;
	while ((ret = dt_input_next(in, &it, err, errlen)) > 0) {
		ret = pass == 1 ? dt_seg_builder_pass1(b, &it, err, errlen)
				: dt_seg_builder_pass2(b, &it, err, errlen);
		if (ret)
			break;
	}
	dt_input_close(in);
	return ret < 0 ? ret : 0;
}

int dt_seg_features_from_file(const char *path, const struct dt_seg_build_opts *o,
			      struct dt_seg_features *out, char *err, size_t errlen)
{
	struct dt_seg_builder *b;
	int ret = dt_seg_builder_new(&b, o, err, errlen);

	if (ret)
		return ret;
	ret = one_pass(path, b, 1, err, errlen);
	if (!ret)
		ret = dt_seg_builder_end_pass1(b, err, errlen);
	if (!ret)
		ret = one_pass(path, b, 2, err, errlen);
	if (!ret)
		ret = dt_seg_builder_finish(b, out, err, errlen);
	dt_seg_builder_free(b);
	return ret;
}
