// SPDX-License-Identifier: GPL-2.0-only
// The phases every command reports (phases.h): the record segmented by
// segment.h in two passes, each segment described (WSS, hot ranges,
// pattern, +-) and named by the one naming rule, per-thread lanes, and the
// record's quality.
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "phases.h"
#include "checked.h"
#include "errmsg.h"
#include "units.h"

/* Segments are struct dt_phase arrays; their ranges and top lists are
 * owned by them (freed by segs_free). */
struct lane_priv {
	struct dt_phase_lane pub;
	struct dt_phase *segs;
	size_t nr;
};

struct dt_phases {
	struct dt_phase_params p;
	struct dt_seg_builder *b;
	struct dt_seg_features f;
	int pass;
	dt_phase_aggr_fn aggr_fn;
	void *aggr_ctx;
	struct dt_phase_aggr cur;  /* the aggregation being summed (pass 2) */
	int have_cur;
	uint64_t nr_aggrs, peak;
	uint64_t weight_sum, weight_nr;
	struct dt_phase *segs;
	size_t nr_segs;
	size_t *phase_of;          /* phase index -> segment */
	size_t nr_phases;
	struct lane_priv *lanes;
	size_t nr_lanes;
	struct dt_phases_quality q;
};

void dt_phase_params_default(struct dt_phase_params *p)
{
	memset(p, 0, sizeof(*p));
	dt_seg_params_default(&p->seg);
	dt_seg_build_opts_default(&p->build);
	p->max_ranges = 8;
	p->max_functions = 10;
}

int dt_phases_new(struct dt_phases **out, const struct dt_phase_params *params, char *err,
		  size_t errlen)
{
	struct dt_phases *ph = calloc(1, sizeof(*ph));
	int rc;

	if (!ph)
		return dt_fail(err, errlen, -ENOMEM, "out of memory");
	if (params)
		ph->p = *params;
	else
		dt_phase_params_default(&ph->p);
	rc = dt_seg_builder_new(&ph->b, &ph->p.build, err, errlen);
	if (rc) {
		free(ph);
		return rc;
	}
	ph->pass = 1;
	*out = ph;
	return 0;
}

static void segs_free(struct dt_phase *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++) {
		free((void *)v[i].ranges);
		free((void *)v[i].top);
	}
	free(v);
}

void dt_phases_free(struct dt_phases *ph)
{
	if (!ph)
		return;
	dt_seg_builder_free(ph->b);
	dt_seg_features_free(&ph->f);
	segs_free(ph->segs, ph->nr_segs);
	for (size_t i = 0; i < ph->nr_lanes; i++)
		segs_free(ph->lanes[i].segs, ph->lanes[i].nr);
	free(ph->lanes);
	free(ph->phase_of);
	free(ph);
}

void dt_phases_set_aggr_callback(struct dt_phases *ph, dt_phase_aggr_fn fn, void *ctx)
{
	ph->aggr_fn = fn;
	ph->aggr_ctx = ctx;
}

/* ------------------------------------------------------------ passes */

static void aggr_flush(struct dt_phases *ph)
{
	if (!ph->have_cur)
		return;
	ph->nr_aggrs++;
	if (ph->cur.wss > ph->peak)
		ph->peak = ph->cur.wss;
	if (ph->aggr_fn)
		ph->aggr_fn(ph->aggr_ctx, &ph->cur);
	ph->have_cur = 0;
}

/* Snapshots sharing one interval make one aggregation. */
static void aggr_add(struct dt_phases *ph, const struct dtr_snapshot *s)
{
	uint64_t wss = 0;

	if (ph->have_cur && (s->start_ns != ph->cur.start_ns || s->end_ns != ph->cur.end_ns))
		aggr_flush(ph);
	for (uint64_t i = 0; i < s->nr_regions; i++)
		if (s->regions[i].nr_accesses && s->regions[i].end > s->regions[i].start)
			wss += s->regions[i].end - s->regions[i].start;
	if (!ph->have_cur)
		ph->cur = (struct dt_phase_aggr){ s->start_ns, s->end_ns, 0 };
	ph->cur.wss += wss;
	ph->have_cur = 1;
}

int dt_phases_add_item(struct dt_phases *ph, const struct dtr_item *item, char *err,
		       size_t errlen)
{
	if (item->type == DTR_ITEM_FRAME || item->type == DTR_ITEM_STACK)
		return 0;
	if (ph->pass == 1)
		return dt_seg_builder_pass1(ph->b, item, err, errlen);
	if (ph->pass != 2)
		return dt_fail(err, errlen, -EINVAL, "phases: an item after the end");
	if (item->type == DTR_ITEM_SNAPSHOT)
		aggr_add(ph, &item->u.snapshot);
	return dt_seg_builder_pass2(ph->b, item, err, errlen);
}

int dt_phases_add_frame(struct dt_phases *ph, uint32_t id, const char *symbol, const char *dso,
			const char *srcline, char *err, size_t errlen)
{
	struct dtr_item it = { .type = DTR_ITEM_FRAME };

	if (ph->pass != 1)
		return 0;
	it.u.frame = (struct dtr_frame){ id, symbol ? symbol : "", dso ? dso : "",
					 srcline ? srcline : "" };
	return dt_seg_builder_pass1(ph->b, &it, err, errlen);
}

int dt_phases_add_stack(struct dt_phases *ph, uint64_t time_ns, int32_t pid, int32_t tid,
			uint64_t weight, uint32_t nr, const uint32_t *frames, char *err,
			size_t errlen)
{
	struct dtr_item it = { .type = DTR_ITEM_STACK };

	it.u.stack = (struct dtr_stack){ time_ns, pid, tid, UINT32_MAX, weight, nr, frames };
	if (ph->pass == 1) {
		if (weight) {
			ph->weight_sum += weight;
			ph->weight_nr++;
		}
		return dt_seg_builder_pass1(ph->b, &it, err, errlen);
	}
	if (ph->pass != 2)
		return dt_fail(err, errlen, -EINVAL, "phases: a sample after the end");
	return dt_seg_builder_pass2(ph->b, &it, err, errlen);
}

int dt_phases_end_pass1(struct dt_phases *ph, char *err, size_t errlen)
{
	int rc = dt_seg_builder_end_pass1(ph->b, err, errlen);

	if (!rc)
		ph->pass = 2;
	return rc;
}

/* ------------------------------------------------------------ describing */

static double bin_aggrs(const struct dt_seg_features *f, size_t t)
{
	return f->nr_aggrs[t] ? (double)f->nr_aggrs[t] : 1;
}

static void describe_wss(const struct dt_seg_features *f, const struct dt_segment *s,
			 struct dt_phase *p)
{
	double sum = 0, n = 0, lo = INFINITY, hi = 0;

	for (size_t t = s->first_bin; t < s->first_bin + s->nr_bins; t++) {
		double w = f->wss[t] / bin_aggrs(f, t);
		sum += f->wss[t];
		n += bin_aggrs(f, t);
		lo = w < lo ? w : lo;
		hi = w > hi ? w : hi;
	}
	p->nr_aggrs = (uint32_t)n;
	p->wss_mean = n > 0 ? dt_sat_u64_of(sum / n) : 0; /* hostile sizes: 2^64 and more */
	p->wss_min = isfinite(lo) ? dt_sat_u64_of(lo) : 0;
	p->wss_max = dt_sat_u64_of(hi);
}

/* Mean hot bytes per cell of area `a` over the segment into cell[]; the
 * area's total. */
static double area_cells(const struct dt_seg_features *f, const struct dt_segment *s,
			 size_t a, double *cell)
{
	size_t C = f->nr_cells;
	double total = 0;

	for (size_t c = 0; c < C; c++)
		cell[c] = 0;
	for (size_t t = s->first_bin; t < s->first_bin + s->nr_bins; t++)
		for (size_t c = 0; c < C; c++)
			cell[c] += f->heat[(t * f->nr_areas + a) * C + c];
	for (size_t c = 0; c < C; c++)
		total += cell[c];
	return total;
}

static int cmp_range(const void *a, const void *b)
{
	const struct dt_phase_range *x = a, *y = b;
	return x->share > y->share ? -1 : x->share < y->share;
}

/* Per area with heat: the span of its cells holding 5% of its hottest
 * cell's heat (a cell the range covers in part counts: the range is
 * given to a cell, an eighth of the area, by default). */
static int describe_ranges(const struct dt_phases *ph, const struct dt_segment *s,
			   struct dt_phase *p)
{
	const struct dt_seg_features *f = &ph->f;
	double *cell = calloc(f->nr_cells + 1, sizeof(*cell)), all = 0;
	struct dt_phase_range *v = calloc(f->nr_areas + 1, sizeof(*v));
	size_t n = 0;

	p->ranges = v;
	if (!cell || !v) {
		free(cell);
		return -ENOMEM;
	}
	for (size_t a = 0; a < f->nr_areas; a++) {
		const struct dt_seg_area *ar = &f->areas[a];
		double total = area_cells(f, s, a, cell), top = 0;
		size_t c0 = SIZE_MAX, c1 = 0;
		if (total <= 0)
			continue;
		for (size_t c = 0; c < f->nr_cells; c++)
			top = cell[c] > top ? cell[c] : top;
		for (size_t c = 0; c < f->nr_cells; c++)
			if (cell[c] >= 0.05 * top) {
				c0 = c < c0 ? c : c0;
				c1 = c;
			}
		double cw = (double)(ar->end - ar->start) / (double)f->nr_cells;
		uint64_t lo = ar->start + (uint64_t)(cw * (double)c0);
		uint64_t hi = c1 + 1 == f->nr_cells ? ar->end
				 : ar->start + (uint64_t)(cw * (double)(c1 + 1));
		v[n++] = (struct dt_phase_range){ lo & ~4095ull, (hi + 4095) & ~4095ull,
							   ar->pid, ar->target, total, ar->kind,
							   ar->name };
		all += total;
	}
	free(cell);
	for (size_t i = 0; i < n; i++)
		v[i].share /= all;
	qsort(v, n, sizeof(*v), cmp_range);
	/* the phase's own areas: those holding 5% of its heat */
	while (n > 1 && v[n - 1].share < 0.05)
		n--;
	p->nr_ranges = n < ph->p.max_ranges ? n : ph->p.max_ranges;
	return 0;
}

/* The named function in the top list (a frame common to its thread is
 * left out of dt_segment_top), at its place by share. */
static size_t with_name(int *idx, double *sh, size_t n, size_t max, int name, double share)
{
	size_t at = 0;

	for (size_t i = 0; i < n; i++)
		if (idx[i] == name)
			return n;
	while (at < n && sh[at] >= share)
		at++;
	if (at >= max)
		return n;
	if (n == max)
		n--;
	memmove(idx + at + 1, idx + at, (n - at) * sizeof(*idx));
	memmove(sh + at + 1, sh + at, (n - at) * sizeof(*sh));
	idx[at] = name;
	sh[at] = share;
	return n + 1;
}

static int describe_names(const struct dt_phases *ph, const struct dt_seg_features *f,
			  const struct dt_segment *s, struct dt_phase *p)
{
	size_t max = ph->p.max_functions ? ph->p.max_functions : 10;
	int names[2], *idx = calloc(max, sizeof(*idx));
	double shares[2], *sh = calloc(max, sizeof(*sh));
	int n = dt_segment_name(f, s, names, shares);

	for (size_t t = s->first_bin; t < s->first_bin + s->nr_bins; t++)
		p->nr_samples += (uint64_t)f->samples[t];
	struct dt_phase_function *top = calloc(max, sizeof(*top));
	p->top = top;
	if (!idx || !sh || !top) {
		free(idx);
		free(sh);
		return -ENOMEM;
	}
	size_t nt = dt_segment_top(f, s, max, idx, sh);
	if (n > 0)
		nt = with_name(idx, sh, nt, max, names[0], shares[0]);
	for (size_t i = 0; i < nt; i++)
		top[i] = (struct dt_phase_function){ f->frames[idx[i]].symbol,
						     f->frames[idx[i]].dso, sh[i] };
	p->nr_top = nt;
	free(idx);
	free(sh);
	if (n > 0)
		p->function = f->frames[names[0]].symbol;
	snprintf(p->name, sizeof(p->name), "%s%s%s",
		 n > 0 ? f->frames[names[0]].symbol : "", n > 1 ? ", " : "",
		 n > 1 ? f->frames[names[1]].symbol : "");
	return 0;
}

/* Segments of `f` (the whole record or one lane's view) described. */
static int describe_all(const struct dt_phases *ph, const struct dt_seg_features *f,
			const struct dt_segments *sg, struct dt_phase **out)
{
	struct dt_phase *v = calloc(sg->nr + 1, sizeof(*v));
	uint32_t number = 0;
	int rc = 0;

	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < sg->nr && !rc; i++) {
		const struct dt_segment *s = &sg->v[i];
		struct dt_phase *p = &v[i];
		p->number = s->pattern == DT_SEG_IDLE ? 0 : ++number;
		p->start_ns = s->start_ns;
		p->end_ns = s->end_ns;
		p->start_pm_ns = i ? s->uncertainty_ns : 0;
		p->end_pm_ns = i + 1 < sg->nr ? sg->v[i + 1].uncertainty_ns : 0;
		p->reason = dt_seg_reason_name(s->reason);
		p->pattern = s->pattern;
		p->range_start = s->range_start;
		p->range_end = s->range_end;
		p->speed = s->speed;
		describe_wss(f, s, p);
		rc = describe_ranges(ph, s, p);
		if (!rc)
			rc = describe_names(ph, f, s, p);
	}
	if (rc) {
		segs_free(v, sg->nr);
		return rc;
	}
	*out = v;
	return 0;
}

/* ------------------------------------------------------------ lanes */

/* Two lanes run differently named phases at once for a second or more in
 * all. */
static int lanes_differ(const struct lane_priv *x, const struct lane_priv *y)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < x->nr; i++)
		for (size_t j = 0; j < y->nr; j++) {
			const struct dt_phase *a = &x->segs[i], *b = &y->segs[j];
			uint64_t lo = a->start_ns > b->start_ns ? a->start_ns : b->start_ns;
			uint64_t hi = a->end_ns < b->end_ns ? a->end_ns : b->end_ns;
			if (a->number && b->number && a->function && b->function && hi > lo &&
			    strcmp(a->function, b->function))
				sum += hi - lo;
		}
	return sum >= 1000000000ull;
}

static int build_lanes(struct dt_phases *ph, char *err, size_t errlen)
{
	int differ = 0, rc = 0;

	if (ph->f.nr_lanes < 2)
		return 0;
	ph->lanes = calloc(ph->f.nr_lanes, sizeof(*ph->lanes));
	if (!ph->lanes)
		return dt_fail(err, errlen, -ENOMEM, "out of memory");
	ph->nr_lanes = ph->f.nr_lanes;
	for (size_t l = 0; l < ph->nr_lanes && !rc; l++) {
		struct dt_seg_features view;
		struct dt_segments sg;
		struct lane_priv *lp = &ph->lanes[l];
		dt_seg_lane_view(&ph->f, l, &view);
		rc = dt_segment(&view, &ph->p.seg, &sg, err, errlen);
		if (rc)
			break;
		rc = describe_all(ph, &view, &sg, &lp->segs);
		lp->nr = sg.nr;
		lp->pub = (struct dt_phase_lane){ ph->f.lanes[l].pid, ph->f.lanes[l].tid,
						  ph->f.lanes[l].samples, sg.nr, NULL };
		dt_segments_free(&sg);
		if (rc)
			return dt_fail(err, errlen, rc, "out of memory");
		lp->pub.v = lp->segs;
	}
	for (size_t a = 0; !rc && a < ph->nr_lanes; a++)
		for (size_t b = a + 1; b < ph->nr_lanes; b++)
			differ |= lanes_differ(&ph->lanes[a], &ph->lanes[b]);
	if (!differ) {
		for (size_t l = 0; l < ph->nr_lanes; l++)
			segs_free(ph->lanes[l].segs, ph->lanes[l].nr);
		free(ph->lanes);
		ph->lanes = NULL;
		ph->nr_lanes = 0;
	}
	return rc;
}

/* ------------------------------------------------------------ quality */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void qwarn(struct dt_phases_quality *q, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void qwarn(struct dt_phases_quality *q, const char *fmt, ...)
{
	va_list ap;

	if (q->nr_warnings >= sizeof(q->warnings) / sizeof(q->warnings[0]))
		return;
	va_start(ap, fmt);
	vsnprintf(q->warnings[q->nr_warnings++], sizeof(q->warnings[0]), fmt, ap);
	va_end(ap);
}

/* Sample rates of the bins with samples: 10th and 90th percentiles. */
static int sample_rates(const struct dt_seg_features *f, struct dt_phases_quality *q)
{
	double *r = calloc(f->nr_bins + 1, sizeof(*r));
	size_t n = 0;

	if (!r)
		return -ENOMEM;
	for (size_t t = 0; t < f->nr_bins; t++) {
		double d = (double)(f->end_ns[t] - f->start_ns[t]) / 1e9;
		if (f->samples[t] > 0 && d > 0)
			r[n++] = f->samples[t] / d;
	}
	qsort(r, n, sizeof(*r), cmp_double);
	if (n) {
		q->rate_low = r[n / 10];
		q->rate_high = r[n * 9 / 10];
	}
	free(r);
	return 0;
}

static uint64_t median_aggr(const struct dt_seg_features *f)
{
	double *d = calloc(f->nr_bins + 1, sizeof(*d)), m = 0;

	if (!d)
		return 0;
	for (size_t t = 0; t < f->nr_bins; t++)
		d[t] = (double)(f->end_ns[t] - f->start_ns[t]) / bin_aggrs(f, t);
	qsort(d, f->nr_bins, sizeof(*d), cmp_double);
	if (f->nr_bins)
		m = d[f->nr_bins / 2];
	free(d);
	return dt_sat_u64_of(m); /* an end before its start: 2^64 */
}

static int quality(struct dt_phases *ph)
{
	const struct dt_seg_features *f = &ph->f;
	struct dt_phases_quality *q = &ph->q;

	q->aggr_ns = f->aggr_ns;
	q->sample_ns = f->sample_ns;
	q->update_ns = f->update_ns;
	q->aggr_measured_ns = median_aggr(f);
	q->nr_snapshots = f->nr_snapshots;
	q->nr_incomplete = f->nr_incomplete;
	q->nr_samples = f->nr_stacks;
	q->period_ns = ph->weight_nr ? ph->weight_sum / ph->weight_nr : 0;
	if (sample_rates(f, q))
		return -ENOMEM;
	if (q->aggr_ns && q->aggr_measured_ns > q->aggr_ns * 3 / 2)
		qwarn(q, "aggregations took %.0f ms against a nominal %.0f ms: DAMON ran late "
		      "(a loaded or emulated machine)", q->aggr_measured_ns / 1e6, q->aggr_ns / 1e6);
	if (q->nr_incomplete)
		qwarn(q, "%" PRIu64 " of %" PRIu64 " snapshots lost DAMON events (regions missing)",
		      q->nr_incomplete, q->nr_snapshots);
	if (q->rate_low > 0 && q->rate_high > 3 * q->rate_low)
		qwarn(q, "perf's sample rate changed from %.0f/s to %.0f/s over the record "
		      "(throttling or idle threads); phases use sample shares, not counts",
		      q->rate_low, q->rate_high);
	if (q->period_ns && q->rate_high > 0 && q->rate_high < 0.5e9 / (double)q->period_ns)
		qwarn(q, "perf took %.0f samples/s at most against a nominal %.0f/s "
		      "(period %.2f ms): samples were lost or throttled",
		      q->rate_high, 1e9 / (double)q->period_ns, q->period_ns / 1e6);
	return 0;
}

/* ------------------------------------------------------------ finish */

int dt_phases_finish(struct dt_phases *ph, char *err, size_t errlen)
{
	struct dt_segments sg;
	int rc;

	if (ph->pass == 1 && (rc = dt_phases_end_pass1(ph, err, errlen)))
		return rc;
	aggr_flush(ph);
	rc = dt_seg_builder_finish(ph->b, &ph->f, err, errlen);
	if (rc)
		return rc;
	ph->pass = 3;
	rc = dt_segment(&ph->f, &ph->p.seg, &sg, err, errlen);
	if (rc)
		return rc;
	rc = describe_all(ph, &ph->f, &sg, &ph->segs);
	ph->nr_segs = rc ? 0 : sg.nr;
	dt_segments_free(&sg);
	ph->phase_of = calloc(ph->nr_segs + 1, sizeof(*ph->phase_of));
	if (rc || !ph->phase_of || quality(ph))
		return dt_fail(err, errlen, -ENOMEM, "out of memory");
	for (size_t i = 0; i < ph->nr_segs; i++)
		if (ph->segs[i].number)
			ph->phase_of[ph->nr_phases++] = i;
	return build_lanes(ph, err, errlen);
}

/* ------------------------------------------------------------ access */

size_t dt_phases_count(const struct dt_phases *ph)
{
	return ph ? ph->nr_phases : 0;
}

const struct dt_phase *dt_phases_get(const struct dt_phases *ph, size_t index)
{
	return index < ph->nr_phases ? &ph->segs[ph->phase_of[index]] : NULL;
}

long dt_phases_find(const struct dt_phases *ph, uint64_t time_ns)
{
	size_t lo = 0, hi = ph ? ph->nr_phases : 0;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct dt_phase *p = dt_phases_get(ph, mid);
		if (time_ns < p->start_ns)
			hi = mid;
		else if (time_ns >= p->end_ns)
			lo = mid + 1;
		else
			return (long)mid;
	}
	return -1;
}

size_t dt_phases_nr_segments(const struct dt_phases *ph)
{
	return ph ? ph->nr_segs : 0;
}

const struct dt_phase *dt_phases_segment(const struct dt_phases *ph, size_t index)
{
	return index < ph->nr_segs ? &ph->segs[index] : NULL;
}

size_t dt_phases_nr_lanes(const struct dt_phases *ph)
{
	return ph ? ph->nr_lanes : 0;
}

const struct dt_phase_lane *dt_phases_lane(const struct dt_phases *ph, size_t index)
{
	return index < ph->nr_lanes ? &ph->lanes[index].pub : NULL;
}

const struct dt_phases_quality *dt_phases_quality(const struct dt_phases *ph)
{
	return &ph->q;
}

uint64_t dt_phases_nr_aggrs(const struct dt_phases *ph)
{
	return ph->nr_aggrs;
}

uint64_t dt_phases_peak(const struct dt_phases *ph)
{
	return ph->peak;
}

/* ------------------------------------------------------------ labels */

char *dt_phase_pattern_text(const struct dt_phase *p, char *buf, size_t len)
{
	char speed[32];

	if (p->pattern != DT_SEG_SWEEP && p->pattern != DT_SEG_GROWTH) {
		snprintf(buf, len, "%s", dt_seg_pattern_name(p->pattern));
		return buf;
	}
	dt_format_bytes(speed, sizeof(speed), dt_sat_u64_of(fabs(p->speed)));
	snprintf(buf, len, "%s 0x%" PRIx64 "-0x%" PRIx64 " at %s%s/s",
		 dt_seg_pattern_name(p->pattern), p->range_start, p->range_end,
		 p->speed < 0 ? "-" : "", speed);
	return buf;
}

char *dt_phase_label(const struct dt_phase *p, uint64_t origin_ns, char *buf, size_t len)
{
	char wss[32], pat[96];
	double s = ((double)p->start_ns - (double)origin_ns) / 1e9;
	double e = ((double)p->end_ns - (double)origin_ns) / 1e9;

	dt_format_bytes(wss, sizeof(wss), p->wss_mean);
	snprintf(buf, len, "[phase %u | %.2f-%.2f s | %s%s%s | WSS %s]", p->number, s, e,
		 *p->name ? p->name : "", *p->name ? " | " : "",
		 dt_phase_pattern_text(p, pat, sizeof(pat)), wss);
	return buf;
}
