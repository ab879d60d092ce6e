// SPDX-License-Identifier: GPL-2.0-only
/*
 * Callstack samples: interned frames, call-path prefix tree, threads, and
 * the samples themselves, spooled (stacks.h).
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

	/* struct dt_stack_sample, in the order added; in time order after
	 * dt_stacks_finish. */
	struct dt_records samples;
	size_t memory;
	int finished;
	uint64_t fill_weight;   /* given to samples added with weight 0 */
	uint64_t first_time, last_time;
	uint64_t *thread_samples, *thread_weight; /* per thread, after finishing */
	/* By thread: thread t's samples are [thread_start[t],
	 * thread_start[t + 1]) of *grouped (by_thread, or samples when a
	 * single thread has samples). */
	struct dt_records by_thread;
	uint64_t *thread_start;
	const struct dt_records *grouped;

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
	dt_stacks_set_memory(st, DT_RECORDS_MEMORY_DEFAULT);
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
	dt_records_free(&st->samples);
	dt_records_free(&st->by_thread);
	free(st->thread_samples);
	free(st->thread_weight);
	free(st->thread_start);
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

void dt_stacks_set_memory(struct dt_stacks *st, size_t bytes)
{
	st->memory = bytes;
	if (!st->samples.size) { /* first call, from dt_stacks_new */
		dt_records_init(&st->samples, sizeof(struct dt_stack_sample), bytes);
		dt_records_init(&st->by_thread, sizeof(struct dt_stack_sample), bytes);
	}
	st->samples.limit = st->by_thread.limit = bytes;
}

size_t dt_stacks_memory(const struct dt_stacks *st)
{
	return st->memory;
}

int dt_stacks_add(struct dt_stacks *st, uint64_t time_ns, uint32_t thread,
		  uint64_t weight, uint32_t nr_frames, const uint32_t *frames,
		  char *err, size_t errlen)
{
	uint32_t node = 0;
	for (uint32_t i = nr_frames; i-- > 0;) {
		if (frames[i] >= st->nr_frames)
			return dt_fail(err, errlen, -EINVAL, "frame %u is not defined", frames[i]);
		int rc = node_child(st, node, frames[i], &node);
		if (rc == -EOVERFLOW)
			return dt_fail(err, errlen, rc, "more than %u call paths", UINT32_MAX - 1);
		if (rc)
			return dt_fail(err, errlen, rc, "out of memory");
	}
	struct dt_stack_sample s = { time_ns, weight, thread, node };
	return dt_records_append(&st->samples, &s, err, errlen);
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
			return dt_stacks_add(st, add_offset(s->time_ns, time_offset_ns), id,
					     s->weight, s->nr_frames, st->scratch, err, errlen);
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
	uint64_t nr_read = 0, nr_added = 0;
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
		char e2[256];
		rc = dt_stacks_add(st, last_time, thread, s.has_period ? s.period : 0, s.nr_frames,
				   frames, e2, sizeof(e2));
		if (rc) {
			dt_fail(err, errlen, rc, "%s: %s", path, e2);
			break;
		}
		nr_added++;
	}
	if (!rc && !nr_added)
		rc = dt_perf_script_no_samples(ps, err, errlen);
	if (clock && rc >= 0)
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

#define BATCH 512

int dt_stacks_shift(struct dt_stacks *st, size_t from, int64_t delta_ns, char *err,
		    size_t errlen)
{
	struct dt_stack_sample buf[BATCH];
	for (uint64_t at = from; at < st->samples.nr;) {
		size_t n = st->samples.nr - at < BATCH ? (size_t)(st->samples.nr - at) : BATCH;
		int rc = dt_records_read(&st->samples, at, n, buf, err, errlen);
		for (size_t i = 0; i < n && !rc; i++)
			buf[i].time_ns = add_offset(buf[i].time_ns, delta_ns);
		if (!rc)
			rc = dt_records_write(&st->samples, at, n, buf, err, errlen);
		if (rc)
			return rc;
		at += n;
	}
	return 0;
}

int dt_stacks_span_from(const struct dt_stacks *st, size_t from, uint64_t *first,
			uint64_t *last, char *err, size_t errlen)
{
	struct dt_records_reader rd;
	const void *rec;
	int rc;
	*first = *last = 0;
	if (from >= st->samples.nr)
		return 0;
	*first = UINT64_MAX;
	dt_records_reader_init(&rd, &st->samples, from, st->samples.nr);
	while ((rc = dt_records_reader_next(&rd, &rec, err, errlen)) > 0) {
		uint64_t t = ((const struct dt_stack_sample *)rec)->time_ns;
		if (t < *first)
			*first = t;
		if (t > *last)
			*last = t;
	}
	return rc < 0 ? rc : 1;
}

/* Samples of one instant are ordered by thread and path; samples equal in
 * all three keep the order they were added in (the sort is stable). */
static int cmp_sample_time(const void *a, const void *b)
{
	const struct dt_stack_sample *x = a, *y = b;
	if (x->time_ns != y->time_ns)
		return x->time_ns < y->time_ns ? -1 : 1;
	if (x->thread != y->thread)
		return x->thread < y->thread ? -1 : 1;
	return x->node < y->node ? -1 : x->node > y->node;
}

/* Positive intervals between consecutive samples of each thread, in time
 * order (a thread's sample at time 0 starts no interval). */
struct interval_producer {
	const struct dt_stacks *st;
	uint64_t *last; /* per thread */
};

static int produce_intervals(void *ctx, struct dt_select *sel, char *err, size_t errlen)
{
	struct interval_producer *ip = ctx;
	struct dt_records_reader rd;
	const void *rec;
	int rc;
	memset(ip->last, 0, (ip->st->nr_threads ? ip->st->nr_threads : 1) * sizeof(*ip->last));
	dt_records_reader_init(&rd, &ip->st->samples, 0, ip->st->samples.nr);
	while ((rc = dt_records_reader_next(&rd, &rec, err, errlen)) > 0) {
		const struct dt_stack_sample *s = rec;
		uint64_t *last = &ip->last[s->thread];
		if (*last && s->time_ns > *last)
			dt_select_add(sel, s->time_ns - *last);
		*last = s->time_ns;
	}
	return rc;
}

int dt_stacks_finish(struct dt_stacks *st, char *err, size_t errlen)
{
	size_t nt = st->nr_threads ? st->nr_threads : 1;
	uint64_t *unknown = calloc(nt, sizeof(*unknown));
	uint64_t nr_unknown = 0, prev = 0, lo = UINT64_MAX, hi = 0;
	int sorted = 1, rc = 0;
	struct dt_records_reader rd;
	const void *rec;

	free(st->thread_samples);
	free(st->thread_weight);
	st->thread_samples = calloc(nt, sizeof(uint64_t));
	st->thread_weight = calloc(nt, sizeof(uint64_t));
	if (!unknown || !st->thread_samples || !st->thread_weight) {
		free(unknown);
		return dt_fail(err, errlen, -ENOMEM, "out of memory");
	}
	dt_records_reader_init(&rd, &st->samples, 0, st->samples.nr);
	while ((rc = dt_records_reader_next(&rd, &rec, err, errlen)) > 0) {
		const struct dt_stack_sample *s = rec;
		sorted &= s->time_ns >= prev;
		prev = s->time_ns;
		if (s->time_ns < lo)
			lo = s->time_ns;
		if (s->time_ns > hi)
			hi = s->time_ns;
		st->thread_samples[s->thread]++;
		st->thread_weight[s->thread] += s->weight;
		if (!s->weight) {
			unknown[s->thread]++;
			nr_unknown++;
		}
	}
	/* Already sorted in the common case: perf script prints in time order. */
	if (!rc && !sorted) {
		struct dt_records by_time;
		dt_records_init(&by_time, sizeof(struct dt_stack_sample), st->memory);
		rc = dt_records_sort(&st->samples, 0, st->samples.nr, cmp_sample_time, &by_time,
				     st->memory, err, errlen);
		if (rc) {
			dt_records_free(&by_time);
		} else {
			dt_records_free(&st->samples);
			st->samples = by_time;
		}
	}
	if (!rc && nr_unknown) {
		/* The median interval between consecutive samples of a thread. */
		struct interval_producer ip = { st, calloc(nt, sizeof(uint64_t)) };
		uint64_t count, median = 0;
		if (!ip.last)
			rc = dt_fail(err, errlen, -ENOMEM, "out of memory");
		else
			rc = dt_select_median(produce_intervals, &ip, &count, &median, err, errlen);
		free(ip.last);
		if (!median) {
			median = 1;
			st->nontime_weights = 1;
		}
		st->fill_weight = median;
		for (size_t t = 0; t < st->nr_threads; t++)
			st->thread_weight[t] += unknown[t] * median;
	}
	free(unknown);
	if (rc < 0)
		return rc;
	st->first_time = st->samples.nr ? lo : 0;
	st->last_time = st->samples.nr ? hi : 0;
	st->finished = 1;
	return 0;
}

int dt_stacks_group_threads(struct dt_stacks *st, char *err, size_t errlen)
{
	uint32_t nt = st->nr_threads, busy = 0;
	uint64_t n = st->samples.nr;
	if (st->grouped)
		return 0;
	if (!st->finished)
		return dt_fail(err, errlen, -EINVAL, "samples grouped before they were sorted");
	free(st->thread_start);
	st->thread_start = malloc(((size_t)nt + 1) * sizeof(uint64_t));
	if (!st->thread_start)
		return dt_fail(err, errlen, -ENOMEM, "out of memory");
	st->thread_start[0] = 0;
	for (uint32_t t = 0; t < nt; t++) {
		st->thread_start[t + 1] = st->thread_start[t] + st->thread_samples[t];
		busy += st->thread_samples[t] > 0;
	}
	if (busy <= 1) {
		st->grouped = &st->samples;
		return 0;
	}
	/* A counting sort: each thread's samples go to its own range of
	 * by_thread through a buffer of its own, sized by its share of the
	 * samples within a fixed total. */
	size_t total = st->memory / sizeof(struct dt_stack_sample);
	if (total < 4096)
		total = 4096;
	size_t *cap = malloc((size_t)nt * sizeof(*cap));
	size_t *off = malloc((size_t)nt * sizeof(*off));
	size_t *fill = calloc(nt, sizeof(*fill));
	uint64_t *at = malloc((size_t)nt * sizeof(*at));
	struct dt_stack_sample *buf = NULL;
	int rc = 0;
	if (cap && off && fill && at) {
		size_t sum = 0;
		for (uint32_t t = 0; t < nt; t++) {
			uint64_t own = st->thread_samples[t];
			uint64_t c = (uint64_t)((double)total * (double)own / (double)n);
			cap[t] = own < c ? (size_t)own : (size_t)c;
			if (!cap[t] && own)
				cap[t] = 1;
			off[t] = sum;
			sum += cap[t];
			at[t] = st->thread_start[t];
		}
		buf = malloc((sum ? sum : 1) * sizeof(*buf));
	}
	if (!cap || !off || !fill || !at || !buf) {
		rc = dt_fail(err, errlen, -ENOMEM, "out of memory");
		goto out;
	}
	rc = dt_records_resize(&st->by_thread, n, err, errlen);
	struct dt_records_reader rd;
	const void *rec;
	dt_records_reader_init(&rd, &st->samples, 0, n);
	while (!rc && (rc = dt_records_reader_next(&rd, &rec, err, errlen)) > 0) {
		const struct dt_stack_sample *s = rec;
		uint32_t t = s->thread;
		buf[off[t] + fill[t]++] = *s;
		rc = 0;
		if (fill[t] == cap[t]) {
			rc = dt_records_write(&st->by_thread, at[t], fill[t], buf + off[t], err,
					      errlen);
			at[t] += fill[t];
			fill[t] = 0;
		}
	}
	for (uint32_t t = 0; t < nt && !rc; t++)
		if (fill[t])
			rc = dt_records_write(&st->by_thread, at[t], fill[t], buf + off[t], err,
					      errlen);
	if (!rc)
		st->grouped = &st->by_thread;
out:
	free(cap);
	free(off);
	free(fill);
	free(at);
	free(buf);
	return rc < 0 ? rc : 0;
}

uint64_t dt_stacks_thread_samples(const struct dt_stacks *st, uint32_t thread)
{
	return st->thread_samples && thread < st->nr_threads ? st->thread_samples[thread] : 0;
}

uint64_t dt_stacks_thread_weight(const struct dt_stacks *st, uint32_t thread)
{
	return st->thread_weight && thread < st->nr_threads ? st->thread_weight[thread] : 0;
}

int dt_stacks_lower_bound(const struct dt_stacks *st, uint64_t time_ns, size_t *index,
			  char *err, size_t errlen)
{
	uint64_t lo = 0, hi = st->samples.nr;
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;
		struct dt_stack_sample s;
		int rc = dt_records_read(&st->samples, mid, 1, &s, err, errlen);
		if (rc)
			return rc;
		if (s.time_ns < time_ns)
			lo = mid + 1;
		else
			hi = mid;
	}
	*index = (size_t)lo;
	return 0;
}

void dt_stacks_iter_init(struct dt_stacks_iter *it, const struct dt_stacks *st, size_t from,
			 size_t to)
{
	it->st = st;
	dt_records_reader_init(&it->rd, &st->samples, from, to);
}

void dt_stacks_iter_thread(struct dt_stacks_iter *it, const struct dt_stacks *st,
			   uint32_t thread)
{
	it->st = st;
	if (!st->grouped || thread >= st->nr_threads)
		dt_records_reader_init(&it->rd, &st->samples, 0, 0);
	else
		dt_records_reader_init(&it->rd, st->grouped, st->thread_start[thread],
				       st->thread_start[thread + 1]);
}

int dt_stacks_iter_next(struct dt_stacks_iter *it, struct dt_stack_sample *s, char *err,
			size_t errlen)
{
	const void *rec;
	int rc = dt_records_reader_next(&it->rd, &rec, err, errlen);
	if (rc <= 0)
		return rc;
	memcpy(s, rec, sizeof(*s));
	if (!s->weight && it->st->finished)
		s->weight = it->st->fill_weight;
	return 1;
}

size_t dt_stacks_nr_samples(const struct dt_stacks *st)
{
	return (size_t)st->samples.nr;
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
	*first = st->first_time;
	*last = st->last_time;
	return st->samples.nr > 0;
}
