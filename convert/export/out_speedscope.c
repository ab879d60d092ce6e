// SPDX-License-Identifier: GPL-2.0-only
/*
 * speedscope export (stacks_out.h); file format:
 * https://www.speedscope.app/file-format-schema.json
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

static void write_frame(FILE *out, const char *name, const char *dso, const char *srcline)
{
	fputs("{\"name\":", out);
	dt_json_string(out, name);
	const char *colon = srcline ? strrchr(srcline, ':') : NULL;
	char *end = NULL;
	unsigned long line = 0;
	if (colon && colon != srcline && colon[1])
		line = strtoul(colon + 1, &end, 10);
	if (line && end && !*end) {
		char file[1024];
		size_t n = (size_t)(colon - srcline);
		if (n >= sizeof(file))
			n = sizeof(file) - 1;
		memcpy(file, srcline, n);
		file[n] = '\0';
		fputs(",\"file\":", out);
		dt_json_string(out, file);
		fprintf(out, ",\"line\":%lu", line);
	} else if (dso && *dso) {
		fputs(",\"file\":", out);
		dt_json_string(out, dso);
	}
	putc('}', out);
}

struct ss_ctx {
	FILE *out;
	const struct dt_stacks_profile *p;
	uint32_t nr_frames;  /* real frames; synthetic ones follow */
	uint32_t outside_frame, empty_frame;
	int phase_roots;
	uint32_t *path;
	size_t path_cap;
	char err[256];       /* why a sample could not be read */
};

/* The samples of one profile, read again for each list. */
struct ss_source {
	int thread_wise;     /* one thread's samples, else [from, to) */
	uint32_t thread;
	size_t from, to;
};

static void source_iter(const struct ss_ctx *c, const struct ss_source *src,
			struct dt_stacks_iter *it)
{
	if (src->thread_wise)
		dt_stacks_iter_thread(it, c->p->stacks, src->thread);
	else
		dt_stacks_iter_init(it, c->p->stacks, src->from, src->to);
}

static int write_sample(struct ss_ctx *c, const struct dt_stack_sample *s, int root)
{
	const struct dt_stacks *st = c->p->stacks;
	uint32_t depth = dt_stacks_node(st, s->node)->depth;
	if (DT_GROW(c->path, c->path_cap, depth))
		return -ENOMEM;
	dt_stacks_path(st, s->node, c->path, depth);
	putc('[', c->out);
	int first = 1;
	if (root && c->phase_roots) {
		long k = dt_phases_find(c->p->phases, s->time_ns);
		fprintf(c->out, "%" PRIu32, k < 0 ? c->outside_frame : c->nr_frames + (uint32_t)k);
		first = 0;
	}
	if (!depth && first) {
		fprintf(c->out, "%" PRIu32, c->empty_frame);
		first = 0;
	}
	for (uint32_t i = 0; i < depth; i++) {
		if (!first)
			putc(',', c->out);
		fprintf(c->out, "%" PRIu32, c->path[i]);
		first = 0;
	}
	putc(']', c->out);
	return 0;
}

static int write_profile(struct ss_ctx *c, const char *name, const struct ss_source *src,
			 uint64_t total, int root, const char *unit)
{
	struct dt_stacks_iter it;
	struct dt_stack_sample s;
	int rc, first = 1;
	fputs("{\"type\":\"sampled\",\"name\":", c->out);
	dt_json_string(c->out, name);
	fprintf(c->out, ",\"unit\":\"%s\",\"startValue\":0,\"endValue\":%" PRIu64
		",\"samples\":[", unit, total);
	source_iter(c, src, &it);
	while ((rc = dt_stacks_iter_next(&it, &s, c->err, sizeof(c->err))) > 0) {
		if (!first)
			putc(',', c->out);
		first = 0;
		if (write_sample(c, &s, root))
			return dt_fail(c->err, sizeof(c->err), -ENOMEM, "out of memory");
	}
	if (rc < 0)
		return rc;
	fputs("],\"weights\":[", c->out);
	source_iter(c, src, &it);
	for (first = 1; (rc = dt_stacks_iter_next(&it, &s, c->err, sizeof(c->err))) > 0; first = 0)
		fprintf(c->out, first ? "%" PRIu64 : ",%" PRIu64, s.weight);
	if (rc < 0)
		return rc;
	fputs("]}", c->out);
	return 0;
}

/* Summed weight of the samples [from, to). */
static int range_weight(struct ss_ctx *c, size_t from, size_t to, uint64_t *total)
{
	struct dt_stacks_iter it;
	struct dt_stack_sample s;
	int rc;
	*total = 0;
	dt_stacks_iter_init(&it, c->p->stacks, from, to);
	while ((rc = dt_stacks_iter_next(&it, &s, c->err, sizeof(c->err))) > 0)
		*total += s.weight;
	return rc;
}

int dt_out_speedscope(FILE *out, const struct dt_stacks_profile *p,
		      const struct dt_stacks_out_opts *o, char *err, size_t errlen)
{
	const struct dt_stacks *st = p->stacks;
	size_t nphases = dt_phases_count(p->phases);
	struct ss_ctx c = { 0 };
	char label[256];
	int rc = 0;

	c.out = out;
	c.p = p;
	c.nr_frames = dt_stacks_nr_frames(st);
	c.outside_frame = c.nr_frames + (uint32_t)nphases;
	c.empty_frame = c.outside_frame + 1;
	c.phase_roots = p->has_damon && !(o && o->no_phase_roots);
	const char *unit = dt_stacks_weight_is_time(st) ? "nanoseconds" : "none";
	uint64_t base = o && o->abs_time ? 0 : p->origin_ns;

	rc = dt_stacks_group_threads(p->stacks, c.err, sizeof(c.err));
	if (rc)
		return dt_fail(err, errlen, rc, "%s", c.err);

	fputs("{\"$schema\":\"https://www.speedscope.app/file-format-schema.json\",\"name\":", out);
	dt_json_string(out, o && o->name ? o->name : "damotrace");
	fputs(",\"exporter\":\"damotrace " DAMOTRACE_VERSION "\"", out);
	/* the absolute time zero, for merging with other traces */
	fprintf(out, ",\"origin_ns\":%" PRIu64 ",\"origin_clock\":\"%s\"", p->origin_ns,
		dt_origin_clock_name(&p->origin));

	/* The busiest thread is shown first. */
	uint32_t nt = dt_stacks_nr_threads(st), busiest = 0, nprof = 0;
	uint64_t best = 0;
	for (uint32_t t = 0; t < nt; t++) {
		if (!dt_stacks_thread_samples(st, t))
			continue;
		uint64_t w = dt_stacks_thread_weight(st, t);
		if (w > best) {
			best = w;
			busiest = nprof;
		}
		nprof++;
	}
	fprintf(out, ",\"activeProfileIndex\":%" PRIu32, busiest);

	fputs(",\"shared\":{\"frames\":[", out);
	for (uint32_t f = 0; f < c.nr_frames; f++) {
		if (f)
			putc(',', out);
		write_frame(out, dt_stacks_frame_symbol(st, f), dt_stacks_frame_dso(st, f),
			    dt_stacks_frame_srcline(st, f));
	}
	for (size_t k = 0; k < nphases; k++) {
		if (c.nr_frames || k)
			putc(',', out);
		write_frame(out, dt_phase_label(dt_phases_get(p->phases, k), base,
						label, sizeof(label)), "", "");
	}
	if (c.nr_frames || nphases)
		putc(',', out);
	write_frame(out, "[outside phases]", "", "");
	putc(',', out);
	write_frame(out, "[no callstack]", "", "");
	fputs("]},\"profiles\":[", out);

	int first = 1;
	for (uint32_t t = 0; t < nt && !rc; t++) {
		if (!dt_stacks_thread_samples(st, t))
			continue;
		const struct dt_stack_thread *th = dt_stacks_thread(st, t);
		char name[300];
		const char *comm = th->comm && *th->comm ? th->comm : "[unknown]";
		if (th->tid >= 0)
			snprintf(name, sizeof(name), "%s-%d", comm, th->tid);
		else
			snprintf(name, sizeof(name), "%s", comm);
		if (!first)
			putc(',', out);
		first = 0;
		struct ss_source src = { 1, t, 0, 0 };
		rc = write_profile(&c, name, &src, dt_stacks_thread_weight(st, t), 1, unit);
	}
	if (!(o && o->no_phase_profiles)) {
		for (size_t k = 0; k < nphases && !rc; k++) {
			const struct dt_phase *ph = dt_phases_get(p->phases, k);
			struct ss_source src = { 0, 0, 0, 0 };
			uint64_t total;
			rc = dt_stacks_lower_bound(st, ph->start_ns, &src.from, c.err,
						   sizeof(c.err));
			if (!rc)
				rc = dt_stacks_lower_bound(st, ph->end_ns, &src.to, c.err,
							   sizeof(c.err));
			if (!rc)
				rc = range_weight(&c, src.from, src.to, &total);
			if (rc)
				break;
			dt_phase_label(ph, base, label, sizeof(label));
			/* Without the brackets: a profile name, not a frame. */
			label[strlen(label) - 1] = '\0';
			if (!first)
				putc(',', out);
			first = 0;
			rc = write_profile(&c, label + 1, &src, total, 0, unit);
		}
	}
	fputs("]}\n", out);
	free(c.path);
	if (rc)
		return dt_fail(err, errlen, rc, "%s", c.err);
	if (ferror(out))
		return dt_fail(err, errlen, -EIO, "write error");
	return 0;
}
