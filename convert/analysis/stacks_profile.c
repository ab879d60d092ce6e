// SPDX-License-Identifier: GPL-2.0-only
/*
 * Loading callstacks and DAMON phases onto one timeline (stacks_profile.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stacks_profile.h"
#include "errmsg.h"
#include "units.h"

void dt_stacks_load_opts_default(struct dt_stacks_load_opts *o)
{
	memset(o, 0, sizeof(*o));
	dt_phase_params_default(&o->phase);
	o->memory = DT_RECORDS_MEMORY_DEFAULT;
}

const struct dt_stacks_option dt_stacks_options[] = {
	{ "perf-script", 1, "FILE", "callstacks from this perf script text (\"-\": stdin)" },
	{ "keep-record-stacks", 0, NULL, "with --perf-script, keep the record's own stacks too" },
	{ "time-offset", 1, "TIME", "add TIME (e.g. -1.5s, 250ms; bare: ns) to perf times" },
	{ "perf-clock", 1, "CLOCK", "clock of the perf times: auto, mono, perf, realtime" },
	{ "event", 1, "NAME", "perf script: samples of this event only (default: the first)" },
	{ "phase-call-effect", 1, "F",
	  "phase: cut where a function's share changes by F (default 0.3; lower: more)" },
	{ "phase-memory-effect", 1, "F",
	  "phase: cut where the hot set changes by F (default 0.5; lower: more)" },
	{ NULL, 0, NULL, NULL },
};

static int parse_fraction(const char *v, double *out)
{
	char *end;
	errno = 0;
	double d = strtod(v, &end);
	if (errno || end == v || *end || !(d >= 0 && d <= 1))
		return -EINVAL;
	*out = d;
	return 0;
}

int dt_stacks_load_set_option(struct dt_stacks_load_opts *o, const char *name,
			      const char *value, char *err, size_t errlen)
{
	int rc = 0;
	const char *what = "";
	if (!strcmp(name, "perf-script")) {
		o->perf_script_path = value;
	} else if (!strcmp(name, "event")) {
		o->event = value;
		rc = *value ? 0 : -EINVAL;
		what = "an event name such as cpu-clock or cycles:u";
	} else if (!strcmp(name, "keep-record-stacks")) {
		o->keep_record_stacks = 1;
	} else if (!strcmp(name, "time-offset")) {
		rc = dt_parse_time_offset(value, &o->time_offset_ns);
		o->time_offset_set = !rc;
		what = "a signed duration such as -1.5s, 250ms or 1000 (ns)";
	} else if (!strcmp(name, "perf-clock")) {
		if (!strcmp(value, "auto"))
			o->perf_clock = DTR_CLOCK_UNKNOWN;
		else if (!strcmp(value, "mono") || !strcmp(value, "monotonic"))
			o->perf_clock = DTR_CLOCK_MONOTONIC;
		else if (!strcmp(value, "perf"))
			o->perf_clock = DTR_CLOCK_PERF;
		else if (!strcmp(value, "realtime"))
			o->perf_clock = DTR_CLOCK_REALTIME;
		else
			rc = -EINVAL;
		what = "auto, mono, perf or realtime";
	} else if (!strcmp(name, "phase-call-effect")) {
		rc = parse_fraction(value, &o->phase.seg.call_effect);
		what = "a fraction between 0 and 1";
	} else if (!strcmp(name, "phase-memory-effect")) {
		rc = parse_fraction(value, &o->phase.seg.memory_effect);
		what = "a fraction between 0 and 1";
	} else {
		return 0;
	}
	if (rc)
		return dt_fail(err, errlen, -EINVAL, "--%s: invalid value '%s': expected %s", name,
			    value, what);
	return 1;
}

static void warn(struct dt_stacks_profile *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void warn(struct dt_stacks_profile *p, const char *fmt, ...)
{
	va_list ap;
	if (p->nr_warnings >= DT_PROFILE_MAX_WARNINGS)
		return;
	va_start(ap, fmt);
	vsnprintf(p->warnings[p->nr_warnings++], sizeof(p->warnings[0]), fmt, ap);
	va_end(ap);
}

struct wss_sink {
	struct dt_stacks_profile *p;
	int rc;          /* first error */
	char err[256];
};

static void on_aggr(void *ctx, const struct dt_phase_aggr *a)
{
	struct wss_sink *ws = ctx;
	struct dt_stacks_profile *p = ws->p;
	struct dt_wss_point pt = { a->start_ns, a->end_ns, a->wss };
	if (ws->rc)
		return;
	ws->rc = dt_records_append(&p->wss, &pt, ws->err, sizeof(ws->err));
	if (ws->rc)
		return;
	if (!p->nr_wss)
		p->wss_first = pt;
	p->wss_last = pt;
	p->nr_wss++;
}

/* One reading of the record: pass 1 also loads its stacks, clocks and
 * time zero; both feed the phases. */
static int record_pass(struct dt_stacks_profile *p, const struct dt_stacks_load_opts *o,
		       const char *path, int pass, struct dt_clock_readings *cr,
		       struct wss_sink *ws, char *err, size_t errlen)
{
	int use_stacks = !o->perf_script_path || o->keep_record_stacks;
	struct dt_input *in;
	struct dtr_item it;
	uint64_t nr_items = 0;
	char e2[256];
	int rc = dt_input_open(&in, path, &o->input, err, errlen);

	if (rc)
		return rc;
	while ((rc = dt_input_next(in, &it, err, errlen)) > 0) {
		rc = 0;
		if (o->progress && !(++nr_items & 0xffff))
			o->progress(o->progress_ctx, o->record_path, nr_items);
		if (pass == 1) {
			dt_clock_readings_add(cr, &it);
			dt_origin_add(&p->origin, &it);
			p->has_damon |= it.type == DTR_ITEM_SNAPSHOT;
			p->nr_record_samples += it.type == DTR_ITEM_STACK;
			if (use_stacks || (it.type != DTR_ITEM_FRAME && it.type != DTR_ITEM_STACK &&
					   it.type != DTR_ITEM_THREAD))
				rc = dt_stacks_add_item(p->stacks, &it, 0, e2, sizeof(e2));
		}
		if (!rc)
			rc = dt_phases_add_item(p->phases, &it, e2, sizeof(e2));
		if (rc) {
			dt_fail(err, errlen, rc, "%s: %s", o->record_path, e2);
			break;
		}
		if (ws->rc) {
			rc = dt_fail(err, errlen, ws->rc, "%s", ws->err);
			break;
		}
	}
	dt_input_close(in);
	return rc < 0 ? rc : 0;
}

/* Every sample to the phases (pass 1 declares the frames first). */
static int stacks_to_phases(struct dt_stacks_profile *p, int pass, char *err, size_t errlen)
{
	const struct dt_stacks *st = p->stacks;
	uint32_t cap = 64, *path = malloc(cap * sizeof(*path)), *leaf = NULL;
	struct dt_stacks_iter it;
	struct dt_stack_sample s;
	int rc = 0;

	for (uint32_t f = 0; pass == 1 && f < dt_stacks_nr_frames(st) && !rc; f++)
		rc = dt_phases_add_frame(p->phases, f, dt_stacks_frame_symbol(st, f),
					 dt_stacks_frame_dso(st, f),
					 dt_stacks_frame_srcline(st, f), err, errlen);
	leaf = malloc(cap * sizeof(*leaf));
	if (!path || !leaf)
		rc = dt_fail(err, errlen, -ENOMEM, "out of memory");
	dt_stacks_iter_init(&it, st, 0, dt_stacks_nr_samples(st));
	while (!rc && (rc = dt_stacks_iter_next(&it, &s, err, errlen)) > 0) {
		uint32_t d = dt_stacks_path(st, s.node, path, cap);
		if (d > cap) {
			cap = d;
			free(path);
			free(leaf);
			path = malloc(cap * sizeof(*path));
			leaf = malloc(cap * sizeof(*leaf));
			if (!path || !leaf) {
				rc = dt_fail(err, errlen, -ENOMEM, "out of memory");
				break;
			}
			d = dt_stacks_path(st, s.node, path, cap);
		}
		for (uint32_t i = 0; i < d; i++)
			leaf[i] = path[d - 1 - i];
		const struct dt_stack_thread *t = dt_stacks_thread(st, s.thread);
		rc = dt_phases_add_stack(p->phases, s.time_ns, t ? t->pid : -1, t ? t->tid : -1,
					 s.weight, d, leaf, err, errlen);
		rc = rc < 0 ? rc : 0;
		if (rc)
			break;
		rc = 0;
	}
	free(path);
	free(leaf);
	return rc < 0 ? rc : 0;
}

/* The phases: pass 1 of the record was read with the stacks; now their
 * samples, then pass 2 of the record and of the samples. */
static int make_phases(struct dt_stacks_profile *p, const struct dt_stacks_load_opts *o,
		       const char *path, struct wss_sink *ws, char *err, size_t errlen)
{
	int rc = p->has_damon ? stacks_to_phases(p, 1, err, errlen) : 0;

	if (!rc)
		rc = dt_phases_end_pass1(p->phases, err, errlen);
	if (!rc && p->has_damon)
		rc = record_pass(p, o, path, 2, NULL, ws, err, errlen);
	if (!rc && p->has_damon)
		rc = stacks_to_phases(p, 2, err, errlen);
	if (!rc)
		rc = dt_phases_finish(p->phases, err, errlen);
	if (!rc && ws->rc)
		rc = dt_fail(err, errlen, ws->rc, "%s", ws->err);
	return rc;
}

/* Any sample inside [from, to)?  1, 0 or <0. */
static int any_sample_inside(const struct dt_stacks *st, uint64_t from, uint64_t to,
			     char *err, size_t errlen)
{
	size_t i;
	int rc = dt_stacks_lower_bound(st, from, &i, err, errlen);
	if (rc || i >= dt_stacks_nr_samples(st))
		return rc;
	struct dt_stacks_iter it;
	struct dt_stack_sample s;
	dt_stacks_iter_init(&it, st, i, i + 1);
	rc = dt_stacks_iter_next(&it, &s, err, errlen);
	return rc <= 0 ? rc : s.time_ns < to;
}

/* The perf script text's samples, moved onto the record's clock. */
static int read_perf(struct dt_stacks_profile *p, const struct dt_stacks_load_opts *o,
		     struct dt_clock_readings *cr, char *err, size_t errlen)
{
	size_t from = dt_stacks_nr_samples(p->stacks);
	struct dt_stacks_perf_opts po = {
		.event = o->event, .unknown_addrs = o->unknown_addrs,
		.progress = o->progress, .progress_ctx = o->progress_ctx,
	};
	struct dt_align_request req = { 0 };
	int rc = dt_stacks_add_perf_script_opts(p->stacks, o->perf_script_path, &po, err, errlen);

	if (rc)
		return rc;
	if (po.notice[0])
		warn(p, "%s", po.notice);
	req.forced = o->time_offset_set;
	req.offset_ns = o->time_offset_ns;
	req.samples_clock = o->perf_clock ? o->perf_clock : po.clock;
	rc = dt_stacks_span_from(p->stacks, from, &req.samples_first_ns, &req.samples_last_ns,
				 err, errlen);
	if (rc < 0)
		return rc;
	req.have_samples = rc > 0;
	if (dt_stacks_cut_note(p->stacks))
		warn(p, "%s", dt_stacks_cut_note(p->stacks));
	dt_clock_align(cr, &req, &p->align);
	if (p->align.warning[0])
		warn(p, "%s", p->align.warning);
	p->nr_perf_samples = dt_stacks_nr_samples(p->stacks) - from;
	return p->align.offset_ns ? dt_stacks_shift(p->stacks, from, p->align.offset_ns, err,
						    errlen) : 0;
}

/* Time zero and end: the record's (origin.h), else the samples'. */
static void set_span(struct dt_stacks_profile *p)
{
	uint64_t first, last;
	int have = dt_stacks_time_range(p->stacks, &first, &last);

	if (have)
		dt_origin_add_time(&p->origin, first);
	dt_origin_result(&p->origin, &p->origin_ns);
	p->end_ns = p->nr_wss ? p->wss_last.end_ns : p->origin_ns;
	if (have && last > p->end_ns)
		p->end_ns = last;
}

static int check_overlap(struct dt_stacks_profile *p, char *err, size_t errlen)
{
	char e2[256];
	uint64_t first, last;
	int rc;

	if (!p->has_damon || !dt_stacks_time_range(p->stacks, &first, &last) ||
	    !dt_phases_count(p->phases) || !p->nr_wss)
		return 0;
	rc = p->wss_first.start_ns < p->wss_last.end_ns
		     ? any_sample_inside(p->stacks, p->wss_first.start_ns, p->wss_last.end_ns, e2,
					 sizeof(e2)) : 0;
	if (rc < 0)
		return dt_fail(err, errlen, rc, "%s", e2);
	if (!rc)
		warn(p, "no callstack sample falls inside the DAMON record's time span; "
			"check the clocks (--time-offset)");
	return 0;
}

static int load(struct dt_stacks_profile *p, const struct dt_stacks_load_opts *o,
		const char *path, char *err, size_t errlen)
{
	struct dt_clock_readings cr;
	struct wss_sink ws = { p, 0, "" };
	int rc;

	dt_clock_readings_init(&cr);
	dt_phases_set_aggr_callback(p->phases, on_aggr, &ws);
	rc = path ? record_pass(p, o, path, 1, &cr, &ws, err, errlen) : 0;
	if (!rc && path && o->perf_script_path && !o->keep_record_stacks) {
		if (p->nr_record_samples)
			warn(p, "%s: its %zu callstack samples are replaced by those of %s",
			     o->record_path, p->nr_record_samples, o->perf_script_path);
		p->nr_record_samples = 0;
	}
	if (!rc && o->perf_script_path)
		rc = read_perf(p, o, &cr, err, errlen);
	else if (!rc && o->time_offset_set) {
		/* The record's own stacks: an explicit offset still applies. */
		p->align.method = DT_ALIGN_FORCED;
		p->align.offset_ns = o->time_offset_ns;
		rc = dt_stacks_shift(p->stacks, 0, o->time_offset_ns, err, errlen);
	}
	if (!rc)
		rc = dt_stacks_finish(p->stacks, err, errlen);
	if (!rc)
		rc = make_phases(p, o, path, &ws, err, errlen);
	if (!rc) {
		set_span(p);
		rc = check_overlap(p, err, errlen);
	}
	return rc;
}

int dt_stacks_profile_load(struct dt_stacks_profile **out,
			   const struct dt_stacks_load_opts *o, char *err,
			   size_t errlen)
{
	struct dt_stacks_profile *p = calloc(1, sizeof(*p));
	struct dt_input_spool spool = { .fd = -1 };
	const char *path = o->record_path;
	int rc;

	if (!p)
		return dt_fail(err, errlen, -ENOMEM, "out of memory");
	dt_records_init(&p->wss, sizeof(struct dt_wss_point), o->memory);
	dt_origin_init(&p->origin);
	rc = dt_stacks_new(&p->stacks, err, errlen);
	if (!rc) {
		dt_stacks_set_memory(p->stacks, o->memory);
		rc = dt_phases_new(&p->phases, &o->phase, err, errlen);
	}
	/* The record is read twice: a stream is copied to a file first. */
	if (!rc && path && !(rc = dt_input_spool(&spool, path, err, errlen)))
		path = spool.path;
	if (!rc)
		rc = load(p, o, path, err, errlen);
	if (rc)
		dt_input_spool_rename(&spool, err, errlen);
	dt_input_spool_release(&spool);
	if (rc) {
		dt_stacks_profile_free(p);
		return rc;
	}
	*out = p;
	return 0;
}

void dt_stacks_profile_free(struct dt_stacks_profile *p)
{
	if (!p)
		return;
	dt_stacks_free(p->stacks);
	dt_phases_free(p->phases);
	dt_records_free(&p->wss);
	free(p);
}

const char *dt_stacks_profile_phase_label(const struct dt_stacks_profile *p,
					  uint64_t time_ns, long *index,
					  char *buf, size_t len)
{
	long i = dt_phases_find(p->phases, time_ns);
	if (index)
		*index = i;
	if (i < 0) {
		snprintf(buf, len, "[outside phases]");
		return buf;
	}
	return dt_phase_label(dt_phases_get(p->phases, (size_t)i), p->origin_ns, buf, len);
}
