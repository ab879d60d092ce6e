// SPDX-License-Identifier: GPL-2.0-only
/*
 * Callstack samples: frames, call paths and threads interned (intern.h),
 * and the samples themselves, spooled (stacks.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checked.h"
#include "errmsg.h"
#include "grow.h"
#include "perf_script.h"
#include "stacks.h"

struct dt_stacks {
	struct dt_intern in; /* frames, call paths, threads */

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
	size_t nr_record_frames; /* capacity of record_frames, all set */

	uint32_t *scratch;
	size_t scratch_cap;
	int nontime_weights;
	char cut_note[320]; /* perf script samples that lost root frames */
};

/* ------------------------------------------------------------ set */

int dt_stacks_new(struct dt_stacks **out, char *err, size_t errlen)
{
	struct dt_stacks *st = calloc(1, sizeof(*st));
	if (!st)
		return dt_fail(err, errlen, -ENOMEM, "out of memory");
	if (dt_intern_init(&st->in)) {
		free(st);
		return dt_fail(err, errlen, -ENOMEM, "out of memory");
	}
	dt_stacks_set_memory(st, DT_RECORDS_MEMORY_DEFAULT);
	*out = st;
	return 0;
}

void dt_stacks_free(struct dt_stacks *st)
{
	if (!st)
		return;
	dt_intern_free(&st->in);
	dt_records_free(&st->samples);
	dt_records_free(&st->by_thread);
	free(st->thread_samples);
	free(st->thread_weight);
	free(st->thread_start);
	free(st->record_frames);
	free(st->scratch);
	free(st);
}

int dt_stacks_intern_frame(struct dt_stacks *st, const char *symbol,
			   const char *dso, const char *srcline, uint32_t *id)
{
	return dt_intern_frame(&st->in, symbol && *symbol ? symbol : "[unknown]", dso, srcline,
			       id);
}

int dt_stacks_thread_index(struct dt_stacks *st, int32_t pid, int32_t tid,
			   const char *comm, uint32_t *index)
{
	return dt_intern_thread_named(&st->in, pid, tid, comm, index);
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
		if (frames[i] >= st->in.nr_frames)
			return dt_fail(err, errlen, -EINVAL, "frame %u is not defined", frames[i]);
		int rc = dt_intern_node(&st->in, node, frames[i], &node);
		if (rc == -EOVERFLOW)
			return dt_fail(err, errlen, rc, "more than %u call paths", UINT32_MAX - 1);
		if (rc)
			return dt_fail(err, errlen, rc, "out of memory");
	}
	struct dt_stack_sample s = { time_ns, weight, thread, node };
	return dt_records_append(&st->samples, &s, err, errlen);
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
			size_t old = st->nr_record_frames;
			if (DT_GROW(st->record_frames, st->nr_record_frames, (size_t)f->id + 1)) {
				rc = -ENOMEM;
				break;
			}
			for (size_t i = old; i < st->nr_record_frames; i++)
				st->record_frames[i] = UINT32_MAX;
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
		if (DT_GROW(st->scratch, st->scratch_cap, s->nr_frames)) {
			rc = -ENOMEM;
			break;
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
			return dt_stacks_add(st, dt_time_shift(s->time_ns, time_offset_ns), id,
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
	struct dt_stacks_perf_opts o = { .time_offset_ns = time_offset_ns };
	int rc = dt_stacks_add_perf_script_opts(st, path, &o, err, errlen);
	if (clock && !rc)
		*clock = o.clock;
	return rc;
}

/* Map the reader's new frames (ids from *map_len on) to this set's; *map
 * holds *map_cap. */
static int map_frames(struct dt_stacks *st, const struct dt_perf_script *ps, uint32_t **map,
		      uint32_t *map_len, size_t *map_cap)
{
	uint32_t n = dt_perf_script_nr_frames(ps);
	if (n <= *map_len)
		return 0;
	if (DT_GROW(*map, *map_cap, n))
		return -ENOMEM;
	uint32_t *m = *map;
	for (; *map_len < n; (*map_len)++) {
		struct dtr_frame f;
		dt_perf_script_frame(ps, *map_len, &f);
		if (dt_stacks_intern_frame(st, f.symbol, f.dso, f.srcline, &m[*map_len]))
			return -ENOMEM;
	}
	return 0;
}

/* When no sample was taken: why, in err. */
static int none_taken(const struct dt_perf_script *ps, const struct dt_perf_event_choice *ev,
		      const char *path, char *err, size_t errlen)
{
	if (ev->named && ev->left)
		return dt_fail(err, errlen, -ENODATA, "%s: no samples of event '%s' (the text has %s)",
			       path, ev->event, ev->others);
	return dt_perf_script_no_samples(ps, err, errlen);
}

int dt_stacks_add_perf_script_opts(struct dt_stacks *st, const char *path,
				   struct dt_stacks_perf_opts *o, char *err, size_t errlen)
{
	uint64_t nr_read = 0, nr_added = 0;
	struct dt_perf_script *ps;
	struct dt_perf_sample s;
	struct dt_perf_script_opts ro = { .unknown_addrs = o->unknown_addrs };
	struct dt_perf_event_choice ev;
	uint32_t *map = NULL, map_len = 0, *frames = NULL;
	size_t map_cap = 0, frames_cap = 0;
	uint64_t last_time = 0;
	o->clock = DTR_CLOCK_UNKNOWN;
	o->notice[0] = '\0';
	if (dt_perf_event_choice_init(&ev, o->event))
		return dt_fail(err, errlen, -ENOMEM, "out of memory");
	int rc = dt_perf_script_open(&ps, path, &ro, err, errlen);
	if (rc) {
		dt_perf_event_choice_free(&ev);
		return rc;
	}
	while ((rc = dt_perf_script_next(ps, &s, err, errlen)) > 0) {
		if (o->progress && !(++nr_read & 0xffff))
			o->progress(o->progress_ctx, path, nr_read);
		if (!strncmp(s.event, "damon:", 6))
			continue;
		rc = dt_perf_event_choice_take(&ev, s.event);
		if (rc < 0 || (rc == 1 && map_frames(st, ps, &map, &map_len, &map_cap)))
			goto nomem;
		if (!rc)
			continue;
		if (DT_GROW(frames, frames_cap, s.nr_frames))
			goto nomem;
		for (uint32_t i = 0; i < s.nr_frames; i++)
			frames[i] = map[s.frames[i]];
		uint32_t thread;
		if (dt_stacks_thread_index(st, s.pid, s.tid, s.comm, &thread))
			goto nomem;
		if (s.has_time)
			last_time = dt_time_shift(s.time_ns, o->time_offset_ns);
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
		rc = none_taken(ps, &ev, path, err, errlen);
	if (!rc)
		dt_perf_script_cut_note(ps, st->cut_note, sizeof(st->cut_note));
	if (rc >= 0) {
		o->clock = dt_perf_script_clock(ps);
		dt_perf_event_choice_notice(&ev, path, o->notice, sizeof(o->notice));
	}
	dt_perf_script_close(ps);
	dt_perf_event_choice_free(&ev);
	free(map);
	free(frames);
	return rc < 0 ? rc : 0;
nomem:
	dt_perf_script_close(ps);
	dt_perf_event_choice_free(&ev);
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
			buf[i].time_ns = dt_time_shift(buf[i].time_ns, delta_ns);
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
	memset(ip->last, 0, (ip->st->in.nr_threads ? ip->st->in.nr_threads : 1) * sizeof(*ip->last));
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
	size_t nt = st->in.nr_threads ? st->in.nr_threads : 1;
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
		for (size_t t = 0; t < st->in.nr_threads; t++)
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
	uint32_t nt = st->in.nr_threads, busy = 0;
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
	return st->thread_samples && thread < st->in.nr_threads ? st->thread_samples[thread] : 0;
}

uint64_t dt_stacks_thread_weight(const struct dt_stacks *st, uint32_t thread)
{
	return st->thread_weight && thread < st->in.nr_threads ? st->thread_weight[thread] : 0;
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
	it->raw_weights = 0;
	dt_records_reader_init(&it->rd, &st->samples, from, to);
}

void dt_stacks_iter_thread(struct dt_stacks_iter *it, const struct dt_stacks *st,
			   uint32_t thread)
{
	it->st = st;
	it->raw_weights = 0;
	if (!st->grouped || thread >= st->in.nr_threads)
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
	if (!s->weight && it->st->finished && !it->raw_weights)
		s->weight = it->st->fill_weight;
	return 1;
}

size_t dt_stacks_nr_samples(const struct dt_stacks *st)
{
	return (size_t)st->samples.nr;
}

uint32_t dt_stacks_nr_frames(const struct dt_stacks *st)
{
	return st->in.nr_frames;
}

const char *dt_stacks_frame_symbol(const struct dt_stacks *st, uint32_t frame)
{
	return frame < st->in.nr_frames ? st->in.frames[frame].symbol : "";
}

const char *dt_stacks_frame_dso(const struct dt_stacks *st, uint32_t frame)
{
	return frame < st->in.nr_frames ? st->in.frames[frame].dso : "";
}

const char *dt_stacks_frame_srcline(const struct dt_stacks *st, uint32_t frame)
{
	return frame < st->in.nr_frames ? st->in.frames[frame].srcline : "";
}

uint32_t dt_stacks_nr_nodes(const struct dt_stacks *st)
{
	return st->in.nr_nodes;
}

const struct dt_stack_node *dt_stacks_node(const struct dt_stacks *st, uint32_t node)
{
	return &st->in.nodes[node < st->in.nr_nodes ? node : 0];
}

uint32_t dt_stacks_nr_threads(const struct dt_stacks *st)
{
	return st->in.nr_threads;
}

const struct dt_stack_thread *dt_stacks_thread(const struct dt_stacks *st,
					       uint32_t index)
{
	return index < st->in.nr_threads ? &st->in.threads[index] : NULL;
}

int dt_stacks_weight_is_time(const struct dt_stacks *st)
{
	return !st->nontime_weights;
}

uint32_t dt_stacks_path(const struct dt_stacks *st, uint32_t node, uint32_t *out,
			uint32_t cap)
{
	uint32_t depth = st->in.nodes[node].depth;
	for (uint32_t n = node; n; n = st->in.nodes[n].parent) {
		uint32_t d = st->in.nodes[n].depth;
		if (d <= cap)
			out[d - 1] = st->in.nodes[n].frame;
	}
	return depth;
}

int dt_stacks_time_range(const struct dt_stacks *st, uint64_t *first, uint64_t *last)
{
	*first = st->first_time;
	*last = st->last_time;
	return st->samples.nr > 0;
}

const char *dt_stacks_cut_note(const struct dt_stacks *st)
{
	return st->cut_note[0] ? st->cut_note : NULL;
}
