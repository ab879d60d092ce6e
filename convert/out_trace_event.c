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

struct te_ctx {
	FILE *out;
	const struct dt_stacks *st;
	uint64_t base;
	int first;
	struct slice *slices;
	size_t nr_slices, cap_slices;
	struct slice *open;
	uint32_t nr_open, cap_open;
	uint32_t *path;
	uint32_t cap_path;
};

static void ts(FILE *out, const char *key, uint64_t t, uint64_t base)
{
	uint64_t d = t >= base ? t - base : 0;
	fprintf(out, ",\"%s\":%" PRIu64 ".%03" PRIu64, key, d / 1000, d % 1000);
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
	dt_stacks_json_string(c->out, name);
	fputs("}}", c->out);
}

static int push_slice(struct te_ctx *c, const struct slice *s)
{
	if (c->nr_slices == c->cap_slices) {
		size_t cap = c->cap_slices ? c->cap_slices * 2 : 1024;
		struct slice *n = realloc(c->slices, cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		c->slices = n;
		c->cap_slices = cap;
	}
	c->slices[c->nr_slices++] = *s;
	return 0;
}

static int close_from(struct te_ctx *c, uint32_t depth)
{
	while (c->nr_open > depth) {
		int rc = push_slice(c, &c->open[--c->nr_open]);
		if (rc)
			return rc;
	}
	return 0;
}

static int cmp_slice(const void *a, const void *b)
{
	const struct slice *x = a, *y = b;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->depth < y->depth ? -1 : x->depth > y->depth;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Typical interval between samples of a thread, for non-time weights. */
static uint64_t median_interval(const struct dt_stack_sample *s, const size_t *idx,
				size_t n)
{
	if (n < 2)
		return 1000000;
	uint64_t *d = malloc((n - 1) * sizeof(*d));
	size_t nd = 0;
	if (!d)
		return 1000000;
	for (size_t i = 1; i < n; i++)
		if (s[idx[i]].time_ns > s[idx[i - 1]].time_ns)
			d[nd++] = s[idx[i]].time_ns - s[idx[i - 1]].time_ns;
	uint64_t m = 1000000;
	if (nd) {
		qsort(d, nd, sizeof(*d), cmp_u64);
		m = d[nd / 2];
	}
	free(d);
	return m;
}

static int thread_slices(struct te_ctx *c, const size_t *idx, size_t n, int time_weights)
{
	const struct dt_stack_sample *s = dt_stacks_samples(c->st);
	uint64_t typical = time_weights ? 0 : median_interval(s, idx, n);
	int rc = 0;
	c->nr_slices = 0;
	c->nr_open = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		const struct dt_stack_sample *cur = &s[idx[i]];
		uint64_t d = time_weights ? cur->weight : typical;
		uint64_t t = cur->time_ns, e = t + d;
		int contiguous = 0;
		if (i + 1 < n) {
			uint64_t next = s[idx[i + 1]].time_ns;
			if (next <= t + d + d / 2) {
				e = next;
				contiguous = 1;
			}
		}
		uint32_t depth = dt_stacks_node(c->st, cur->node)->depth;
		if (depth > c->cap_path) {
			uint32_t *np = realloc(c->path, depth * sizeof(*np));
			struct slice *no = realloc(c->open, depth * sizeof(*no));
			if (np)
				c->path = np;
			if (no)
				c->open = no;
			if (!np || !no)
				return -ENOMEM;
			c->cap_path = c->cap_open = depth;
		}
		dt_stacks_path(c->st, cur->node, c->path, depth);
		uint32_t k = 0;
		while (k < c->nr_open && k < depth && c->open[k].frame == c->path[k])
			k++;
		rc = close_from(c, k);
		for (uint32_t j = 0; j < k; j++)
			c->open[j].end = e;
		for (uint32_t j = k; j < depth; j++)
			c->open[c->nr_open++] = (struct slice){ t, e, j, c->path[j] };
		if (!contiguous && !rc)
			rc = close_from(c, 0);
	}
	if (!rc)
		rc = close_from(c, 0);
	if (!rc && c->nr_slices)
		qsort(c->slices, c->nr_slices, sizeof(*c->slices), cmp_slice);
	return rc;
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
	uint64_t first, last;
	c.base = p->origin_ns;
	if (dt_stacks_time_range(st, &first, &last) && first < c.base)
		c.base = first;

	fputs("{\"displayTimeUnit\":\"ms\",\"otherData\":{\"exporter\":\"damotrace "
	      DAMOTRACE_VERSION "\",\"name\":", out);
	dt_stacks_json_string(out, o && o->name ? o->name : "damotrace");
	fprintf(out, ",\"origin_ns\":%" PRIu64 "},\"traceEvents\":[", c.base);

	if (p->has_damon) {
		meta(&c, "process_name", DAMON_PID, PHASES_TID, "DAMON");
		meta(&c, "thread_name", DAMON_PID, PHASES_TID, "phases");
		for (size_t i = 0; i < p->nr_wss; i++) {
			begin_event(&c);
			fprintf(out, "{\"ph\":\"C\",\"pid\":%d,\"name\":\"WSS\"", DAMON_PID);
			ts(out, "ts", p->wss[i].start_ns, c.base);
			fprintf(out, ",\"args\":{\"bytes\":%" PRIu64 "}}", p->wss[i].wss);
		}
		if (p->nr_wss) {
			begin_event(&c);
			fprintf(out, "{\"ph\":\"C\",\"pid\":%d,\"name\":\"WSS\"", DAMON_PID);
			ts(out, "ts", p->wss[p->nr_wss - 1].end_ns, c.base);
			fputs(",\"args\":{\"bytes\":0}}", out);
		}
		for (size_t k = 0; k < dt_phases_count(p->phases); k++) {
			const struct dt_phase *ph = dt_phases_get(p->phases, k);
			dt_phase_label(ph, p->origin_ns, label, sizeof(label));
			begin_event(&c);
			fprintf(out, "{\"ph\":\"X\",\"pid\":%d,\"tid\":%d,\"cat\":\"phase\",\"name\":",
				DAMON_PID, PHASES_TID);
			dt_stacks_json_string(out, label);
			ts(out, "ts", ph->start_ns, c.base);
			ts(out, "dur", ph->end_ns - ph->start_ns + c.base, c.base);
			fprintf(out, ",\"args\":{\"wss_mean\":%" PRIu64 ",\"wss_max\":%" PRIu64
				",\"aggregations\":%" PRIu32, ph->wss_mean, ph->wss_max, ph->nr_aggrs);
			if (ph->nr_top_distinct) {
				fputs(",\"function\":", out);
				dt_stacks_json_string(out, dt_stacks_frame_symbol(st, ph->top_distinct[0].frame));
			}
			if (ph->nr_top_self) {
				fputs(",\"top_self\":", out);
				dt_stacks_json_string(out, dt_stacks_frame_symbol(st, ph->top_self[0].frame));
			}
			fputs("}}", out);
		}
	}

	/* Threads, grouped; samples stay in time order inside a thread. */
	uint32_t nt = dt_stacks_nr_threads(st);
	size_t n = dt_stacks_nr_samples(st);
	const struct dt_stack_sample *s = dt_stacks_samples(st);
	size_t *count = calloc((size_t)nt + 1, sizeof(*count));
	size_t *idx = malloc((n ? n : 1) * sizeof(*idx));
	if (!count || !idx) {
		free(count);
		free(idx);
		return dt_fail(err, errlen, -ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < n; i++)
		count[s[i].thread + 1]++;
	for (uint32_t t = 0; t < nt; t++)
		count[t + 1] += count[t];
	size_t *fill = malloc(((size_t)nt + 1) * sizeof(*fill));
	if (!fill) {
		free(count);
		free(idx);
		return dt_fail(err, errlen, -ENOMEM, "out of memory");
	}
	memcpy(fill, count, ((size_t)nt + 1) * sizeof(*fill));
	for (size_t i = 0; i < n; i++)
		idx[fill[s[i].thread]++] = i;
	free(fill);

	int time_weights = dt_stacks_weight_is_time(st);
	for (uint32_t t = 0; t < nt && !rc; t++) {
		if (count[t + 1] == count[t])
			continue;
		const struct dt_stack_thread *th = dt_stacks_thread(st, t);
		int64_t tid = th->tid >= 0 ? th->tid : 0;
		int64_t pid = th->pid >= 0 ? th->pid : tid;
		const char *comm = th->comm && *th->comm ? th->comm : "[unknown]";
		char name[300];
		snprintf(name, sizeof(name), "%s-%" PRId64, comm, tid);
		meta(&c, "process_name", pid, tid, comm);
		meta(&c, "thread_name", pid, tid, name);
		rc = thread_slices(&c, idx + count[t], count[t + 1] - count[t], time_weights);
		for (size_t i = 0; i < c.nr_slices && !rc; i++) {
			const struct slice *sl = &c.slices[i];
			const char *dso = dt_stacks_frame_dso(st, sl->frame);
			begin_event(&c);
			fprintf(out, "{\"ph\":\"X\",\"pid\":%" PRId64 ",\"tid\":%" PRId64
				",\"cat\":\"stack\",\"name\":", pid, tid);
			dt_stacks_json_string(out, dt_stacks_frame_symbol(st, sl->frame));
			ts(out, "ts", sl->start, c.base);
			ts(out, "dur", sl->end - sl->start + c.base, c.base);
			if (*dso) {
				fputs(",\"args\":{\"dso\":", out);
				dt_stacks_json_string(out, dso);
				putc('}', out);
			}
			putc('}', out);
		}
	}
	fputs("\n]}\n", out);
	free(count);
	free(idx);
	free(c.slices);
	free(c.open);
	free(c.path);
	if (rc)
		return dt_fail(err, errlen, rc, "out of memory");
	if (ferror(out))
		return dt_fail(err, errlen, -EIO, "write error");
	return 0;
}
