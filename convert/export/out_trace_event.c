// SPDX-License-Identifier: GPL-2.0-only
/*
 * Chrome / Perfetto trace-event JSON export (stacks_out.h).
 *
 * Each sample stands for the CPU time of its period from its timestamp; a
 * sample followed by the next one of its thread within one and a half
 * periods is contiguous with it (timer jitter), otherwise the thread was
 * idle in between.  Contiguous samples sharing a path prefix extend one
 * slice per shared frame, so the trace shows call durations, not samples.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "errmsg.h"
#include "grow.h"
#include "json_writer.h"
#include "stacks_out.h"

#ifndef DAMOTRACE_VERSION
#define DAMOTRACE_VERSION "unknown"
#endif

/* The pseudo process holding the DAMON tracks (WSS counter, phases). */
#define DAMON_PID 2147483000
#define PHASES_TID 1

struct slice {
	uint64_t start, end;
	uint32_t depth, frame;
};

struct open_slice {
	struct slice s;
	uint64_t index;  /* in te_ctx.slices */
};

struct te_ctx {
	FILE *out;
	const struct dt_stacks *st;
	uint64_t base;
	int first;
	/* One thread's slices in the order they open (start time, then depth
	 * for the slices a sample opens), each written again when it closes
	 * with its end: memory bounded by the spool, not by the samples. */
	struct dt_records slices;
	struct open_slice *open;
	uint32_t nr_open;
	size_t cap_open;
	uint32_t *path;
	size_t cap_path;
	struct slice *group;     /* slices of one start time, to order by depth */
	size_t cap_group, max_group;
	struct slice *group_tmp;
	size_t cap_group_tmp;
	size_t memory;
	char err[256];
};

/* Microseconds from `base`; times before it are negative. */
static void ts(FILE *out, const char *key, uint64_t t, uint64_t base)
{
	uint64_t d = t >= base ? t - base : base - t;
	fprintf(out, ",\"%s\":%s%" PRIu64 ".%03" PRIu64, key, t >= base ? "" : "-", d / 1000,
		d % 1000);
}

static void begin_event(struct te_ctx *c)
{
	fputs(c->first ? "\n" : ",\n", c->out);
	c->first = 0;
}

static void meta(struct te_ctx *c, const char *what, int64_t pid, int64_t tid,
		 const char *name)
{
	begin_event(c);
	fprintf(c->out, "{\"ph\":\"M\",\"pid\":%" PRId64 ",\"tid\":%" PRId64
		",\"name\":\"%s\",\"args\":{\"name\":", pid, tid, what);
	dt_json_string(c->out, name);
	fputs("}}", c->out);
}

static int close_from(struct te_ctx *c, uint32_t depth)
{
	while (c->nr_open > depth) {
		const struct open_slice *o = &c->open[--c->nr_open];
		int rc = dt_records_write(&c->slices, o->index, 1, &o->s, c->err, sizeof(c->err));
		if (rc)
			return rc;
	}
	return 0;
}

static int cmp_depth(const void *a, const void *b)
{
	const struct slice *x = a, *y = b;
	return x->depth < y->depth ? -1 : x->depth > y->depth;
}

/* Positive intervals between consecutive samples of one thread. */
struct thread_intervals {
	const struct dt_stacks *st;
	uint32_t thread;
};

static int produce_thread_intervals(void *ctx, struct dt_select *sel, char *err,
				    size_t errlen)
{
	struct thread_intervals *ti = ctx;
	struct dt_stacks_iter it;
	struct dt_stack_sample s;
	uint64_t prev = 0;
	int rc, have = 0;
	dt_stacks_iter_thread(&it, ti->st, ti->thread);
	while ((rc = dt_stacks_iter_next(&it, &s, err, errlen)) > 0) {
		if (have && s.time_ns > prev)
			dt_select_add(sel, s.time_ns - prev);
		prev = s.time_ns;
		have = 1;
	}
	return rc;
}

/* Typical interval between samples of a thread, for non-time weights. */
static int median_interval(struct te_ctx *c, uint32_t thread, uint64_t *typical)
{
	struct thread_intervals ti = { c->st, thread };
	uint64_t count, median;
	*typical = 1000000;
	if (dt_stacks_thread_samples(c->st, thread) < 2)
		return 0;
	int rc = dt_select_median(produce_thread_intervals, &ti, &count, &median, c->err,
				  sizeof(c->err));
	if (!rc && count)
		*typical = median;
	return rc;
}

/* One thread's slices into c->slices, in the order they open. */
static int thread_slices(struct te_ctx *c, uint32_t thread, int time_weights)
{
	struct dt_stacks_iter it;
	struct dt_stack_sample cur, next;
	uint64_t typical = 0;
	int rc = 0, more;
	dt_records_clear(&c->slices);
	c->nr_open = 0;
	if (!time_weights)
		rc = median_interval(c, thread, &typical);
	if (rc)
		return rc;
	dt_stacks_iter_thread(&it, c->st, thread);
	more = dt_stacks_iter_next(&it, &cur, c->err, sizeof(c->err));
	while (more > 0) {
		more = dt_stacks_iter_next(&it, &next, c->err, sizeof(c->err));
		if (more < 0)
			return more;
		uint64_t d = time_weights ? cur.weight : typical;
		uint64_t t = cur.time_ns, e = t + d;
		int contiguous = 0;
		if (more && next.time_ns <= t + d + d / 2) {
			e = next.time_ns;
			contiguous = 1;
		}
		uint32_t depth = dt_stacks_node(c->st, cur.node)->depth;
		if (DT_GROW(c->path, c->cap_path, depth) || DT_GROW(c->open, c->cap_open, depth))
			return dt_fail(c->err, sizeof(c->err), -ENOMEM, "out of memory");
		dt_stacks_path(c->st, cur.node, c->path, depth);
		uint32_t k = 0;
		while (k < c->nr_open && k < depth && c->open[k].s.frame == c->path[k])
			k++;
		rc = close_from(c, k);
		for (uint32_t j = 0; j < k; j++)
			c->open[j].s.end = e;
		for (uint32_t j = k; j < depth && !rc; j++) {
			struct open_slice *o = &c->open[c->nr_open++];
			o->s = (struct slice){ t, e, j, c->path[j] };
			o->index = c->slices.nr;
			rc = dt_records_append(&c->slices, &o->s, c->err, sizeof(c->err));
		}
		if (!contiguous && !rc)
			rc = close_from(c, 0);
		if (rc)
			return rc;
		cur = next;
	}
	if (more < 0)
		return more;
	return close_from(c, 0);
}

static void write_slice(struct te_ctx *c, int64_t pid, int64_t tid, const struct slice *sl)
{
	const char *dso = dt_stacks_frame_dso(c->st, sl->frame);
	begin_event(c);
	fprintf(c->out, "{\"ph\":\"X\",\"pid\":%" PRId64 ",\"tid\":%" PRId64
		",\"cat\":\"stack\",\"name\":", pid, tid);
	dt_json_string(c->out, dt_stacks_frame_symbol(c->st, sl->frame));
	ts(c->out, "ts", sl->start, c->base);
	ts(c->out, "dur", sl->end - sl->start + c->base, c->base);
	if (*dso) {
		fputs(",\"args\":{\"dso\":", c->out);
		dt_json_string(c->out, dso);
		putc('}', c->out);
	}
	putc('}', c->out);
}

/* Slices [from, to) of one start time, by depth (stable): through memory,
 * or through a sort in the spool's file when there are too many. */
static int write_group(struct te_ctx *c, int64_t pid, int64_t tid, uint64_t from, uint64_t to,
		       size_t buffered)
{
	if (to - from <= buffered) {
		int sorted = 1;
		for (size_t i = 1; i < buffered && sorted; i++)
			sorted = c->group[i - 1].depth <= c->group[i].depth;
		if (!sorted)
			dt_records_sort_mem(c->group, buffered, sizeof(*c->group), cmp_depth,
					    c->group_tmp);
		for (size_t i = 0; i < buffered; i++)
			write_slice(c, pid, tid, &c->group[i]);
		return 0;
	}
	struct dt_records sorted;
	struct dt_records_reader rd;
	const void *rec;
	dt_records_init(&sorted, sizeof(struct slice), c->memory);
	int rc = dt_records_sort(&c->slices, from, to, cmp_depth, &sorted, c->memory, c->err,
				 sizeof(c->err));
	dt_records_reader_init(&rd, &sorted, 0, sorted.nr);
	while (!rc && (rc = dt_records_reader_next(&rd, &rec, c->err, sizeof(c->err))) > 0) {
		write_slice(c, pid, tid, rec);
		rc = 0;
	}
	dt_records_free(&sorted);
	return rc;
}

/* The slices of c->slices by start time, then depth: they are in start
 * order already, only those of one instant may need reordering. */
static int write_slices(struct te_ctx *c, int64_t pid, int64_t tid)
{
	struct dt_records_reader rd;
	const void *rec;
	uint64_t group_from = 0, i = 0;
	size_t buffered = 0;
	int rc;
	dt_records_reader_init(&rd, &c->slices, 0, c->slices.nr);
	while ((rc = dt_records_reader_next(&rd, &rec, c->err, sizeof(c->err))) > 0) {
		const struct slice *sl = rec;
		if (buffered && sl->start != c->group[0].start) {
			rc = write_group(c, pid, tid, group_from, i, buffered);
			if (rc)
				return rc;
			buffered = 0;
			group_from = i;
		}
		if (buffered < c->max_group) {
			if (DT_GROW(c->group, c->cap_group, buffered + 1) ||
			    DT_GROW(c->group_tmp, c->cap_group_tmp, buffered + 1))
				return dt_fail(c->err, sizeof(c->err), -ENOMEM, "out of memory");
			c->group[buffered++] = *sl;
		}
		i++;
	}
	if (rc < 0)
		return rc;
	return buffered ? write_group(c, pid, tid, group_from, i, buffered) : 0;
}

int dt_out_trace_event(FILE *out, const struct dt_stacks_profile *p,
		       const struct dt_stacks_out_opts *o, char *err, size_t errlen)
{
	const struct dt_stacks *st = p->stacks;
	struct te_ctx c = { 0 };
	char label[160];
	int rc = 0;

	c.out = out;
	c.st = st;
	c.first = 1;
	c.memory = dt_stacks_memory(st);
	c.max_group = c.memory / sizeof(struct slice);
	if (c.max_group < 64)
		c.max_group = 64;
	dt_records_init(&c.slices, sizeof(struct slice), c.memory);
	c.base = o && o->abs_time ? 0 : p->origin_ns;

	fputs("{\"displayTimeUnit\":\"ms\",\"otherData\":{\"exporter\":\"damotrace "
	      DAMOTRACE_VERSION "\",\"name\":", out);
	dt_json_string(out, o && o->name ? o->name : "damotrace");
	fprintf(out, ",\"origin_ns\":%" PRIu64 ",\"origin_clock\":\"%s\",\"times\":\"%s\"},"
		"\"traceEvents\":[", p->origin_ns, dt_origin_clock_name(&p->origin),
		c.base ? "relative to origin_ns" : "absolute");

	if (p->has_damon) {
		meta(&c, "process_name", DAMON_PID, PHASES_TID, "DAMON");
		meta(&c, "thread_name", DAMON_PID, PHASES_TID, "phases");
		struct dt_records_reader rd;
		const void *rec;
		dt_records_reader_init(&rd, &p->wss, 0, p->nr_wss);
		while ((rc = dt_records_reader_next(&rd, &rec, c.err, sizeof(c.err))) > 0) {
			const struct dt_wss_point *w = rec;
			begin_event(&c);
			fprintf(out, "{\"ph\":\"C\",\"pid\":%d,\"name\":\"WSS\"", DAMON_PID);
			ts(out, "ts", w->start_ns, c.base);
			fprintf(out, ",\"args\":{\"bytes\":%" PRIu64 "}}", w->wss);
		}
		if (rc < 0) {
			dt_records_free(&c.slices);
			return dt_fail(err, errlen, rc, "%s", c.err);
		}
		if (p->nr_wss) {
			begin_event(&c);
			fprintf(out, "{\"ph\":\"C\",\"pid\":%d,\"name\":\"WSS\"", DAMON_PID);
			ts(out, "ts", p->wss_last.end_ns, c.base);
			fputs(",\"args\":{\"bytes\":0}}", out);
		}
		for (size_t k = 0; k < dt_phases_count(p->phases); k++) {
			const struct dt_phase *ph = dt_phases_get(p->phases, k);
			dt_phase_label(ph, c.base, label, sizeof(label));
			begin_event(&c);
			fprintf(out, "{\"ph\":\"X\",\"pid\":%d,\"tid\":%d,\"cat\":\"phase\",\"name\":",
				DAMON_PID, PHASES_TID);
			dt_json_string(out, label);
			ts(out, "ts", ph->start_ns, c.base);
			ts(out, "dur", ph->end_ns - ph->start_ns + c.base, c.base);
			fprintf(out, ",\"args\":{\"wss_mean\":%" PRIu64 ",\"wss_max\":%" PRIu64
				",\"aggregations\":%" PRIu32, ph->wss_mean, ph->wss_max, ph->nr_aggrs);
			if (ph->function) {
				fputs(",\"function\":", out);
				dt_json_string(out, ph->function);
				fputs(",\"name\":", out);
				dt_json_string(out, ph->name);
			}
			fputs(",\"pattern\":", out);
			dt_json_string(out, dt_phase_pattern_text(ph, label, sizeof(label)));
			fprintf(out, ",\"start_pm_s\":%.3f,\"end_pm_s\":%.3f}}",
				(double)ph->start_pm_ns / 1e9, (double)ph->end_pm_ns / 1e9);
		}
	}

	/* Threads, grouped; samples stay in time order inside a thread. */
	uint32_t nt = dt_stacks_nr_threads(st);
	rc = dt_stacks_group_threads(p->stacks, c.err, sizeof(c.err));
	int time_weights = dt_stacks_weight_is_time(st);
	for (uint32_t t = 0; t < nt && !rc; t++) {
		if (!dt_stacks_thread_samples(st, t))
			continue;
		const struct dt_stack_thread *th = dt_stacks_thread(st, t);
		int64_t tid = th->tid >= 0 ? th->tid : 0;
		int64_t pid = th->pid >= 0 ? th->pid : tid;
		const char *comm = th->comm && *th->comm ? th->comm : "[unknown]";
		char name[300];
		snprintf(name, sizeof(name), "%s-%" PRId64, comm, tid);
		meta(&c, "process_name", pid, tid, comm);
		meta(&c, "thread_name", pid, tid, name);
		rc = thread_slices(&c, t, time_weights);
		if (!rc)
			rc = write_slices(&c, pid, tid);
	}
	fputs("\n]}\n", out);
	dt_records_free(&c.slices);
	free(c.open);
	free(c.path);
	free(c.group);
	free(c.group_tmp);
	if (rc)
		return dt_fail(err, errlen, rc, "%s", c.err);
	if (ferror(out))
		return dt_fail(err, errlen, -EIO, "write error");
	return 0;
}
