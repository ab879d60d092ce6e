// SPDX-License-Identifier: GPL-2.0-only
/*
 * Loading callstacks and DAMON phases onto one timeline (stacks_profile.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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
	{ "phase-wss-fraction", 1, "F", "phase: WSS at least F of the peak (default 0.1)" },
	{ "phase-min-wss", 1, "SIZE", "phase: WSS at least SIZE (default 0)" },
	{ "phase-similarity", 1, "F", "phase: hot sets' weighted Jaccard >= F (default 0.5)" },
	{ "phase-min-aggrs", 1, "N", "phase: at least N aggregations long (default 3)" },
	{ "phase-acc-thres", 1, "N", "phase: hot regions have nr_accesses >= N (default 1)" },
	{ "phase-hot-share", 1, "F", "phase: report ranges hot in F of it (default 0.5)" },
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

static int parse_count(const char *v, uint32_t *out)
{
	uint64_t x;
	if (dt_parse_u64(v, &x) || x > UINT32_MAX)
		return -EINVAL;
	*out = (uint32_t)x;
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
	} else if (!strcmp(name, "phase-wss-fraction")) {
		rc = parse_fraction(value, &o->phase.wss_fraction);
		what = "a fraction between 0 and 1";
	} else if (!strcmp(name, "phase-min-wss")) {
		rc = dt_parse_size(value, &o->phase.min_wss) ? -EINVAL : 0;
		what = "a size such as 4M or 1 GiB";
	} else if (!strcmp(name, "phase-similarity")) {
		rc = parse_fraction(value, &o->phase.similarity);
		what = "a fraction between 0 and 1";
	} else if (!strcmp(name, "phase-min-aggrs")) {
		rc = parse_count(value, &o->phase.min_aggrs);
		if (!rc && !o->phase.min_aggrs)
			rc = -EINVAL;
		what = "a count of at least 1";
	} else if (!strcmp(name, "phase-acc-thres")) {
		rc = parse_count(value, &o->phase.min_accesses);
		what = "a count";
	} else if (!strcmp(name, "phase-hot-share")) {
		rc = parse_fraction(value, &o->phase.hot_share);
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

static int is_regular(const char *path)
{
	struct stat sb;
	return strcmp(path, "-") && !stat(path, &sb) && S_ISREG(sb.st_mode);
}

static int peak_pass(const struct dt_stacks_load_opts *o, uint64_t *peak, char *err,
		     size_t errlen)
{
	struct dt_input *in;
	struct dtr_item it;
	struct dt_phase_peak pk;
	int rc = dt_input_open(&in, o->record_path, &o->input, err, errlen);
	if (rc)
		return rc;
	dt_phase_peak_init(&pk, o->phase.min_accesses);
	uint64_t n = 0;
	while ((rc = dt_input_next(in, &it, err, errlen)) > 0) {
		dt_phase_peak_add(&pk, &it);
		if (o->progress && !(++n & 0xffff))
			o->progress(o->progress_ctx, o->record_path, n);
	}
	dt_input_close(in);
	*peak = dt_phase_peak_result(&pk);
	return rc;
}

static int read_record(struct dt_stacks_profile *p, const struct dt_stacks_load_opts *o,
		       struct dt_clock_readings *cr, char *err, size_t errlen)
{
	struct dt_phase_params params = o->phase;
	struct wss_sink ws = { p, 0, "" };
	int rc;

	if (!params.peak_wss && is_regular(o->record_path)) {
		rc = peak_pass(o, &params.peak_wss, err, errlen);
		if (rc)
			return rc;
	}
	dt_phases_free(p->phases);
	p->phases = NULL;
	rc = dt_phases_new(&p->phases, &params, err, errlen);
	if (rc)
		return rc;
	dt_phases_set_aggr_callback(p->phases, on_aggr, &ws);

	struct dt_input *in;
	struct dtr_item it;
	rc = dt_input_open(&in, o->record_path, &o->input, err, errlen);
	if (rc)
		return rc;
	int use_stacks = !o->perf_script_path || o->keep_record_stacks;
	size_t record_stacks = 0;
	uint64_t nr_items = 0;
	while ((rc = dt_input_next(in, &it, err, errlen)) > 0) {
		if (o->progress && !(++nr_items & 0xffff))
			o->progress(o->progress_ctx, o->record_path, nr_items);
		dt_clock_readings_add(cr, &it);
		if (it.type == DTR_ITEM_SNAPSHOT)
			p->has_damon = 1;
		if (it.type == DTR_ITEM_STACK)
			record_stacks++;
		if ((it.type == DTR_ITEM_FRAME || it.type == DTR_ITEM_STACK ||
		     it.type == DTR_ITEM_THREAD) && !use_stacks)
			continue;
		char e2[256];
		rc = dt_stacks_add_item(p->stacks, &it, 0, e2, sizeof(e2));
		if (rc) {
			dt_fail(err, errlen, rc, "%s: %s", o->record_path, e2);
			break;
		}
		rc = dt_phases_add_item(p->phases, &it, e2, sizeof(e2));
		if (rc) {
			dt_fail(err, errlen, rc, "%s: %s", o->record_path, e2);
			break;
		}
		if (ws.rc) {
			rc = dt_fail(err, errlen, ws.rc, "%s", ws.err);
			break;
		}
	}
	dt_input_close(in);
	if (rc < 0)
		return rc;
	rc = dt_phases_finish(p->phases, err, errlen);
	if (rc)
		return rc;
	if (ws.rc)
		return dt_fail(err, errlen, ws.rc, "%s", ws.err);
	p->nr_record_samples = use_stacks ? record_stacks : 0;
	if (!use_stacks && record_stacks)
		warn(p, "%s: its %zu callstack samples are replaced by those of %s",
		     o->record_path, record_stacks, o->perf_script_path);
	return 0;
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

int dt_stacks_profile_load(struct dt_stacks_profile **out,
			   const struct dt_stacks_load_opts *o, char *err,
			   size_t errlen)
{
	struct dt_stacks_profile *p = calloc(1, sizeof(*p));
	struct dt_clock_readings cr;
	char e2[256];
	int rc;

	if (!p)
		return dt_fail(err, errlen, -ENOMEM, "out of memory");
	dt_records_init(&p->wss, sizeof(struct dt_wss_point), o->memory);
	dt_clock_readings_init(&cr);
	rc = dt_stacks_new(&p->stacks, err, errlen);
	if (!rc) {
		dt_stacks_set_memory(p->stacks, o->memory);
		rc = dt_phases_new(&p->phases, &o->phase, err, errlen);
	}
	if (!rc && o->record_path)
		rc = read_record(p, o, &cr, err, errlen);
	if (!rc && !o->record_path)
		rc = dt_phases_finish(p->phases, err, errlen);
	if (!rc && o->perf_script_path) {
		size_t from = dt_stacks_nr_samples(p->stacks);
		struct dt_stacks_perf_opts po = {
			.event = o->event, .unknown_addrs = o->unknown_addrs,
			.progress = o->progress, .progress_ctx = o->progress_ctx,
		};
		rc = dt_stacks_add_perf_script_opts(p->stacks, o->perf_script_path, &po, err,
						    errlen);
		enum dtr_clock stated = po.clock;
		if (!rc && po.notice[0])
			warn(p, "%s", po.notice);
		struct dt_align_request req = { 0 };
		if (!rc) {
			req.forced = o->time_offset_set;
			req.offset_ns = o->time_offset_ns;
			req.samples_clock = o->perf_clock ? o->perf_clock : stated;
			rc = dt_stacks_span_from(p->stacks, from, &req.samples_first_ns,
						 &req.samples_last_ns, err, errlen);
			req.have_samples = rc > 0;
			rc = rc < 0 ? rc : 0;
		}
		if (!rc && dt_stacks_cut_note(p->stacks))
			warn(p, "%s", dt_stacks_cut_note(p->stacks));
		if (!rc) {
			dt_clock_align(&cr, &req, &p->align);
			if (p->align.warning[0])
				warn(p, "%s", p->align.warning);
			if (p->align.offset_ns)
				rc = dt_stacks_shift(p->stacks, from, p->align.offset_ns, err,
						     errlen);
			p->nr_perf_samples = dt_stacks_nr_samples(p->stacks) - from;
		}
	} else if (!rc && o->time_offset_set) {
		/* The record's own stacks: an explicit offset still applies. */
		p->align.method = DT_ALIGN_FORCED;
		p->align.offset_ns = o->time_offset_ns;
		rc = dt_stacks_shift(p->stacks, 0, o->time_offset_ns, err, errlen);
	}
	if (!rc)
		rc = dt_stacks_finish(p->stacks, err, errlen);
	if (!rc)
		rc = dt_phases_attribute(p->phases, p->stacks, err, errlen);
	if (rc) {
		dt_stacks_profile_free(p);
		return rc;
	}
	uint64_t first, last;
	int have = dt_stacks_time_range(p->stacks, &first, &last);
	if (p->has_damon) {
		p->origin_ns = dt_phases_origin(p->phases);
		p->end_ns = p->nr_wss ? p->wss_last.end_ns : p->origin_ns;
		if (have && last > p->end_ns)
			p->end_ns = last;
	} else if (have) {
		p->origin_ns = first;
		p->end_ns = last;
	}
	if (p->has_damon && have && dt_phases_count(p->phases)) {
		uint64_t rs = p->nr_wss ? p->wss_first.start_ns : 0;
		uint64_t re = p->nr_wss ? p->wss_last.end_ns : 0;
		rc = rs < re ? any_sample_inside(p->stacks, rs, re, e2, sizeof(e2)) : 0;
		if (rc < 0) {
			dt_fail(err, errlen, rc, "%s", e2);
			dt_stacks_profile_free(p);
			return rc;
		}
		if (!rc)
			warn(p, "no callstack sample falls inside the DAMON record's time span; "
				"check the clocks (--time-offset)");
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
