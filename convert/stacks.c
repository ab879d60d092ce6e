// SPDX-License-Identifier: GPL-2.0-only
/*
 * Callstack samples in memory: interned frames, call-path prefix tree,
 * threads, and the samples themselves (stacks.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errmsg.h"
#include "perf_script.h"
#include "stacks.h"

struct frame_rec {
	char *symbol, *dso, *srcline;
	uint64_t hash;
};

struct u64_map { /* open addressing: key -> value, key UINT64_MAX is empty */
	uint64_t *keys;
	uint32_t *values;
	uint32_t mask, count;
};

struct dt_stacks {
	struct frame_rec *frames;
	uint32_t nr_frames, frames_cap;
	uint32_t *frame_slots; /* id + 1 */
	uint32_t frame_slots_mask;

	struct dt_stack_node *nodes;
	uint32_t nr_nodes, nodes_cap;
	struct u64_map node_map; /* (parent << 32 | frame) -> node */

	struct dt_stack_thread *threads;
	char **thread_comms;
	uint32_t nr_threads, threads_cap;
	struct u64_map thread_map; /* (pid << 32 | tid) -> index */

	struct dt_stack_sample *samples;
	size_t nr_samples, samples_cap;

	uint32_t *record_frames; /* record frame id -> our id; UINT32_MAX unset */
	uint32_t nr_record_frames;

	uint32_t *scratch;
	uint32_t scratch_cap;
	int nontime_weights;
};

static uint64_t mix64(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 33;
	return h;
}

static uint64_t hash_str(uint64_t h, const char *s)
{
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
	return mix64(h ^ 0xff);
}

/* ------------------------------------------------------------ u64 map */

static int map_init(struct u64_map *m, uint32_t slots)
{
	m->keys = malloc(slots * sizeof(*m->keys));
	m->values = malloc(slots * sizeof(*m->values));
	if (!m->keys || !m->values)
		return -ENOMEM;
	memset(m->keys, 0xff, slots * sizeof(*m->keys));
	m->mask = slots - 1;
	m->count = 0;
	return 0;
}

static void map_free(struct u64_map *m)
{
	free(m->keys);
	free(m->values);
}

static uint32_t *map_slot(struct u64_map *m, uint64_t key, int *found)
{
	uint32_t s = (uint32_t)mix64(key) & m->mask;
	while (m->keys[s] != UINT64_MAX) {
		if (m->keys[s] == key) {
			*found = 1;
			return &m->values[s];
		}
		s = (s + 1) & m->mask;
	}
	*found = 0;
	return &m->values[s];
}

static int map_put(struct u64_map *m, uint64_t key, uint32_t value)
{
	if ((uint64_t)(m->count + 1) * 2 > m->mask) {
		struct u64_map n;
		if (map_init(&n, (m->mask + 1) * 2))
			return -ENOMEM;
		for (uint32_t i = 0; i <= m->mask; i++) {
			if (m->keys[i] == UINT64_MAX)
				continue;
			int f;
			uint32_t *v = map_slot(&n, m->keys[i], &f);
			n.keys[v - n.values] = m->keys[i];
			*v = m->values[i];
			n.count++;
		}
		map_free(m);
		*m = n;
	}
	int f;
	uint32_t *v = map_slot(m, key, &f);
	if (!f) {
		m->keys[v - m->values] = key;
		m->count++;
	}
	*v = value;
	return 0;
}

/* ------------------------------------------------------------ set */

int dt_stacks_new(struct dt_stacks **out, char *err, size_t errlen)
{
	struct dt_stacks *st = calloc(1, sizeof(*st));
	if (!st)
		return dt_fail(err, errlen, -ENOMEM, "out of memory");
	st->frame_slots_mask = 1023;
	st->frame_slots = calloc(st->frame_slots_mask + 1, sizeof(uint32_t));
	st->nodes_cap = 1024;
	st->nodes = malloc(st->nodes_cap * sizeof(*st->nodes));
	if (!st->frame_slots || !st->nodes || map_init(&st->node_map, 1024) ||
	    map_init(&st->thread_map, 64)) {
		dt_stacks_free(st);
		return dt_fail(err, errlen, -ENOMEM, "out of memory");
	}
	st->nodes[0] = (struct dt_stack_node){ 0, UINT32_MAX, 0 };
	st->nr_nodes = 1;
	*out = st;
	return 0;
}

void dt_stacks_free(struct dt_stacks *st)
{
	if (!st)
		return;
	for (uint32_t i = 0; i < st->nr_frames; i++) {
		free(st->frames[i].symbol);
		free(st->frames[i].dso);
		free(st->frames[i].srcline);
	}
	free(st->frames);
	free(st->frame_slots);
	free(st->nodes);
	map_free(&st->node_map);
	for (uint32_t i = 0; i < st->nr_threads; i++)
		free(st->thread_comms[i]);
	free(st->threads);
	free(st->thread_comms);
	map_free(&st->thread_map);
	free(st->samples);
	free(st->record_frames);
	free(st->scratch);
	free(st);
}

static int grow_frame_slots(struct dt_stacks *st)
{
	uint32_t n = (st->frame_slots_mask + 1) * 2;
	uint32_t *slots = calloc(n, sizeof(*slots));
	if (!slots)
		return -ENOMEM;
	for (uint32_t id = 0; id < st->nr_frames; id++) {
		uint32_t s = (uint32_t)st->frames[id].hash & (n - 1);
		while (slots[s])
			s = (s + 1) & (n - 1);
		slots[s] = id + 1;
	}
	free(st->frame_slots);
	st->frame_slots = slots;
	st->frame_slots_mask = n - 1;
	return 0;
}

int dt_stacks_intern_frame(struct dt_stacks *st, const char *symbol,
			   const char *dso, const char *srcline, uint32_t *id)
{
	if (!symbol || !*symbol)
		symbol = "[unknown]";
	if (!dso)
		dso = "";
	if (!srcline)
		srcline = "";
	uint64_t h = hash_str(hash_str(hash_str(1, symbol), dso), srcline);
	uint32_t s = (uint32_t)h & st->frame_slots_mask;
	while (st->frame_slots[s]) {
		const struct frame_rec *f = &st->frames[st->frame_slots[s] - 1];
		if (f->hash == h && !strcmp(f->symbol, symbol) && !strcmp(f->dso, dso) &&
		    !strcmp(f->srcline, srcline)) {
			*id = st->frame_slots[s] - 1;
			return 0;
		}
		s = (s + 1) & st->frame_slots_mask;
	}
	if (st->nr_frames == st->frames_cap) {
		uint32_t cap = st->frames_cap ? st->frames_cap * 2 : 256;
		struct frame_rec *nf = realloc(st->frames, cap * sizeof(*nf));
		if (!nf)
			return -ENOMEM;
		st->frames = nf;
		st->frames_cap = cap;
	}
	struct frame_rec *f = &st->frames[st->nr_frames];
	f->symbol = strdup(symbol);
	f->dso = strdup(dso);
	f->srcline = strdup(srcline);
	f->hash = h;
	if (!f->symbol || !f->dso || !f->srcline) {
		free(f->symbol);
		free(f->dso);
		free(f->srcline);
		return -ENOMEM;
	}
	st->frame_slots[s] = st->nr_frames + 1;
	*id = st->nr_frames++;
	if ((uint64_t)st->nr_frames * 2 > st->frame_slots_mask)
		return grow_frame_slots(st);
	return 0;
}

int dt_stacks_thread_index(struct dt_stacks *st, int32_t pid, int32_t tid,
			   const char *comm, uint32_t *index)
{
	uint64_t key = ((uint64_t)(uint32_t)pid << 32) | (uint32_t)tid;
	int found;
	uint32_t *v = map_slot(&st->thread_map, key, &found);
	if (found) {
		*index = *v;
		if (comm && *comm && strcmp(comm, st->thread_comms[*v])) {
			char *c = strdup(comm);
			if (!c)
				return -ENOMEM;
			free(st->thread_comms[*v]);
			st->thread_comms[*v] = c;
			st->threads[*v].comm = c;
		}
		return 0;
	}
	if (st->nr_threads == st->threads_cap) {
		uint32_t cap = st->threads_cap ? st->threads_cap * 2 : 16;
		struct dt_stack_thread *nt = realloc(st->threads, cap * sizeof(*nt));
		if (!nt)
			return -ENOMEM;
		st->threads = nt;
		char **nc = realloc(st->thread_comms, cap * sizeof(*nc));
		if (!nc)
			return -ENOMEM;
		st->thread_comms = nc;
		st->threads_cap = cap;
	}
	char *c = strdup(comm ? comm : "");
	if (!c)
		return -ENOMEM;
	uint32_t i = st->nr_threads;
	if (map_put(&st->thread_map, key, i)) {
		free(c);
		return -ENOMEM;
	}
	st->thread_comms[i] = c;
	st->threads[i] = (struct dt_stack_thread){ pid, tid, c };
	st->nr_threads++;
	*index = i;
	return 0;
}

static int node_child(struct dt_stacks *st, uint32_t parent, uint32_t frame,
		      uint32_t *node)
{
	uint64_t key = ((uint64_t)parent << 32) | frame;
	int found;
	uint32_t *v = map_slot(&st->node_map, key, &found);
	if (found) {
		*node = *v;
		return 0;
	}
	if (st->nr_nodes == UINT32_MAX)
		return -EOVERFLOW;
	if (st->nr_nodes == st->nodes_cap) {
		uint32_t cap = st->nodes_cap * 2;
		struct dt_stack_node *nn = realloc(st->nodes, cap * sizeof(*nn));
		if (!nn)
			return -ENOMEM;
		st->nodes = nn;
		st->nodes_cap = cap;
	}
	uint32_t id = st->nr_nodes;
	if (map_put(&st->node_map, key, id))
		return -ENOMEM;
	st->nodes[id] = (struct dt_stack_node){ parent, frame, st->nodes[parent].depth + 1 };
	st->nr_nodes++;
	*node = id;
	return 0;
}

int dt_stacks_add(struct dt_stacks *st, uint64_t time_ns, uint32_t thread,
		  uint64_t weight, uint32_t nr_frames, const uint32_t *frames)
{
	uint32_t node = 0;
	for (uint32_t i = nr_frames; i-- > 0;) {
		if (frames[i] >= st->nr_frames)
			return -EINVAL;
		int rc = node_child(st, node, frames[i], &node);
		if (rc)
			return rc;
	}
	if (st->nr_samples == st->samples_cap) {
		size_t cap = st->samples_cap ? st->samples_cap * 2 : 4096;
		struct dt_stack_sample *ns = realloc(st->samples, cap * sizeof(*ns));
		if (!ns)
			return -ENOMEM;
		st->samples = ns;
		st->samples_cap = cap;
	}
	st->samples[st->nr_samples++] = (struct dt_stack_sample){ time_ns, weight, thread, node };
	return 0;
}

static uint64_t add_offset(uint64_t t, int64_t off)
{
	if (off < 0 && (uint64_t)(-off) > t)
		return 0;
	return t + (uint64_t)off;
}

int dt_stacks_add_item(struct dt_stacks *st, const struct dtr_item *item,
		       int64_t time_offset_ns, char *err, size_t errlen)
{
	int rc = 0;
	uint32_t id;
	switch (item->type) {
	case DTR_ITEM_FRAME: {
		const struct dtr_frame *f = &item->u.frame;
		rc = dt_stacks_intern_frame(st, f->symbol, f->dso, f->srcline, &id);
		if (rc)
			break;
		if (f->id >= st->nr_record_frames) {
			uint32_t n = st->nr_record_frames ? st->nr_record_frames : 256;
			while (n <= f->id)
				n *= 2;
			uint32_t *m = realloc(st->record_frames, n * sizeof(*m));
			if (!m) {
				rc = -ENOMEM;
				break;
			}
			for (uint32_t i = st->nr_record_frames; i < n; i++)
				m[i] = UINT32_MAX;
			st->record_frames = m;
			st->nr_record_frames = n;
		}
		st->record_frames[f->id] = id;
		break;
	}
	case DTR_ITEM_THREAD:
		rc = dt_stacks_thread_index(st, item->u.thread.pid, item->u.thread.tid,
					    item->u.thread.comm, &id);
		break;
	case DTR_ITEM_STACK: {
		const struct dtr_stack *s = &item->u.stack;
		if (s->nr_frames > st->scratch_cap) {
			uint32_t *n = realloc(st->scratch, s->nr_frames * sizeof(*n));
			if (!n) {
				rc = -ENOMEM;
				break;
			}
			st->scratch = n;
			st->scratch_cap = s->nr_frames;
		}
		for (uint32_t i = 0; i < s->nr_frames; i++) {
			uint32_t rf = s->frames[i];
			if (rf >= st->nr_record_frames || st->record_frames[rf] == UINT32_MAX)
				return dt_fail(err, errlen, -EINVAL,
					    "stack sample at %llu ns uses frame %u before its definition",
					    (unsigned long long)s->time_ns, rf);
			st->scratch[i] = st->record_frames[rf];
		}
		rc = dt_stacks_thread_index(st, s->pid, s->tid, NULL, &id);
		if (!rc)
			rc = dt_stacks_add(st, add_offset(s->time_ns, time_offset_ns), id,
					   s->weight, s->nr_frames, st->scratch);
		break;
	}
	default:
		break;
	}
	if (rc && rc != -EINVAL)
		return dt_fail(err, errlen, rc, "out of memory");
	return rc;
}

static int is_time_event(const char *event)
{
	static const char *const names[] = { "cpu-clock", "task-clock" };
	for (size_t i = 0; i < 2; i++) {
		size_t n = strlen(names[i]);
		if (!strncmp(event, names[i], n) && (event[n] == '\0' || event[n] == ':'))
			return 1;
	}
	return 0;
}

int dt_stacks_add_perf_script(struct dt_stacks *st, const char *path,
			      int64_t time_offset_ns, enum dtr_clock *clock,
			      char *err, size_t errlen)
{
	return dt_stacks_add_perf_script_progress(st, path, time_offset_ns, clock, NULL, NULL,
						  err, errlen);
}

int dt_stacks_add_perf_script_progress(struct dt_stacks *st, const char *path,
				       int64_t time_offset_ns, enum dtr_clock *clock,
				       void (*progress)(void *ctx, const char *what,
							uint64_t done),
				       void *ctx, char *err, size_t errlen)
{
	uint64_t nr_read = 0;
	struct dt_perf_script *ps;
	struct dt_perf_sample s;
	uint32_t *map = NULL, map_len = 0, *frames = NULL, frames_cap = 0;
	uint64_t last_time = 0;
	int rc = dt_perf_script_open(&ps, path, NULL, err, errlen);
	if (rc)
		return rc;
	while ((rc = dt_perf_script_next(ps, &s, err, errlen)) > 0) {
		if (progress && !(++nr_read & 0xffff))
			progress(ctx, path, nr_read);
		if (!strncmp(s.event, "damon:", 6))
			continue;
		uint32_t n = dt_perf_script_nr_frames(ps);
		if (n > map_len) {
			uint32_t *m = realloc(map, n * sizeof(*m));
			if (!m)
				goto nomem;
			map = m;
			for (uint32_t i = map_len; i < n; i++) {
				struct dtr_frame f;
				dt_perf_script_frame(ps, i, &f);
				if (dt_stacks_intern_frame(st, f.symbol, f.dso, f.srcline, &map[i]))
					goto nomem;
			}
			map_len = n;
		}
		if (s.nr_frames > frames_cap) {
			uint32_t *f = realloc(frames, s.nr_frames * sizeof(*f));
			if (!f)
				goto nomem;
			frames = f;
			frames_cap = s.nr_frames;
		}
		for (uint32_t i = 0; i < s.nr_frames; i++)
			frames[i] = map[s.frames[i]];
		uint32_t thread;
		if (dt_stacks_thread_index(st, s.pid, s.tid, s.comm, &thread))
			goto nomem;
		if (s.has_time)
			last_time = add_offset(s.time_ns, time_offset_ns);
		if (s.has_period && !is_time_event(s.event))
			st->nontime_weights = 1;
		if (dt_stacks_add(st, last_time, thread, s.has_period ? s.period : 0,
				  s.nr_frames, frames))
			goto nomem;
	}
	if (clock)
		*clock = dt_perf_script_clock(ps);
	dt_perf_script_close(ps);
	free(map);
	free(frames);
	return rc < 0 ? rc : 0;
nomem:
	dt_perf_script_close(ps);
	free(map);
	free(frames);
	return dt_fail(err, errlen, -ENOMEM, "%s: out of memory", path);
}

void dt_stacks_shift(struct dt_stacks *st, size_t from, int64_t delta_ns)
{
	for (size_t i = from; i < st->nr_samples; i++)
		st->samples[i].time_ns = add_offset(st->samples[i].time_ns, delta_ns);
}

int dt_stacks_span_from(const struct dt_stacks *st, size_t from, uint64_t *first,
			uint64_t *last)
{
	*first = *last = 0;
	if (from >= st->nr_samples)
		return 0;
	*first = UINT64_MAX;
	for (size_t i = from; i < st->nr_samples; i++) {
		uint64_t t = st->samples[i].time_ns;
		if (t < *first)
			*first = t;
		if (t > *last)
			*last = t;
	}
	return 1;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Samples of one instant are ordered by thread and path so that the
 * output does not depend on how qsort orders equal keys. */
static int cmp_sample_time(const void *a, const void *b)
{
	const struct dt_stack_sample *x = a, *y = b;
	if (x->time_ns != y->time_ns)
		return x->time_ns < y->time_ns ? -1 : 1;
	if (x->thread != y->thread)
		return x->thread < y->thread ? -1 : 1;
	return x->node < y->node ? -1 : x->node > y->node;
}

void dt_stacks_finish(struct dt_stacks *st)
{
	/* Already sorted in the common case: perf script prints in time order. */
	int sorted = 1;
	for (size_t i = 1; i < st->nr_samples && sorted; i++)
		sorted = st->samples[i - 1].time_ns <= st->samples[i].time_ns;
	if (!sorted)
		qsort(st->samples, st->nr_samples, sizeof(*st->samples), cmp_sample_time);

	size_t unknown = 0;
	for (size_t i = 0; i < st->nr_samples; i++)
		unknown += st->samples[i].weight == 0;
	if (!unknown)
		return;
	/* Median positive interval between consecutive samples of a thread. */
	uint64_t *last = calloc(st->nr_threads ? st->nr_threads : 1, sizeof(*last));
	uint64_t *deltas = malloc((st->nr_samples ? st->nr_samples : 1) * sizeof(*deltas));
	size_t nd = 0;
	uint64_t median = 0;
	if (last && deltas) {
		for (size_t i = 0; i < st->nr_samples; i++) {
			const struct dt_stack_sample *s = &st->samples[i];
			if (last[s->thread] && s->time_ns > last[s->thread])
				deltas[nd++] = s->time_ns - last[s->thread];
			last[s->thread] = s->time_ns;
		}
		if (nd) {
			qsort(deltas, nd, sizeof(*deltas), cmp_u64);
			median = deltas[nd / 2];
		}
	}
	free(last);
	free(deltas);
	if (!median) {
		median = 1;
		st->nontime_weights = 1;
	}
	for (size_t i = 0; i < st->nr_samples; i++)
		if (!st->samples[i].weight)
			st->samples[i].weight = median;
}

size_t dt_stacks_nr_samples(const struct dt_stacks *st)
{
	return st->nr_samples;
}

const struct dt_stack_sample *dt_stacks_samples(const struct dt_stacks *st)
{
	return st->samples;
}

uint32_t dt_stacks_nr_frames(const struct dt_stacks *st)
{
	return st->nr_frames;
}

const char *dt_stacks_frame_symbol(const struct dt_stacks *st, uint32_t frame)
{
	return frame < st->nr_frames ? st->frames[frame].symbol : "";
}

const char *dt_stacks_frame_dso(const struct dt_stacks *st, uint32_t frame)
{
	return frame < st->nr_frames ? st->frames[frame].dso : "";
}

const char *dt_stacks_frame_srcline(const struct dt_stacks *st, uint32_t frame)
{
	return frame < st->nr_frames ? st->frames[frame].srcline : "";
}

uint32_t dt_stacks_nr_nodes(const struct dt_stacks *st)
{
	return st->nr_nodes;
}

const struct dt_stack_node *dt_stacks_node(const struct dt_stacks *st, uint32_t node)
{
	return &st->nodes[node < st->nr_nodes ? node : 0];
}

uint32_t dt_stacks_nr_threads(const struct dt_stacks *st)
{
	return st->nr_threads;
}

const struct dt_stack_thread *dt_stacks_thread(const struct dt_stacks *st,
					       uint32_t index)
{
	return index < st->nr_threads ? &st->threads[index] : NULL;
}

int dt_stacks_weight_is_time(const struct dt_stacks *st)
{
	return !st->nontime_weights;
}

uint32_t dt_stacks_path(const struct dt_stacks *st, uint32_t node, uint32_t *out,
			uint32_t cap)
{
	uint32_t depth = st->nodes[node].depth;
	for (uint32_t n = node; n; n = st->nodes[n].parent) {
		uint32_t d = st->nodes[n].depth;
		if (d <= cap)
			out[d - 1] = st->nodes[n].frame;
	}
	return depth;
}

int dt_stacks_time_range(const struct dt_stacks *st, uint64_t *first, uint64_t *last)
{
	if (!st->nr_samples) {
		*first = *last = 0;
		return 0;
	}
	*first = st->samples[0].time_ns;
	*last = st->samples[st->nr_samples - 1].time_ns;
	return 1;
}
