// SPDX-License-Identifier: GPL-2.0-only
/* The HTML report's extra pass over the record (html_internal.h): heatmap
 * grids and WSS at the finer zoom levels, the record's description, and the
 * callstack samples handed on to html_stacks.c. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "errmsg.h"
#include "grow.h"
#include "html_internal.h"
#include "input.h"

/* ------------------------------------------------------------ levels */

static uint32_t level_count(const struct dt_timeline_html_opts *o)
{
	uint32_t n = o->levels ? o->levels : DT_HTML_DEFAULT_LEVELS;
	return n > DT_HTML_MAX_LEVELS ? DT_HTML_MAX_LEVELS : n;
}

/* A finer grid over the timeline's heatmap range, or none (k > 0). */
static int level_heat(struct dt_html_level *L, const struct dt_timeline *tl, uint32_t k)
{
	const struct dt_heat_grid *g = &tl->grid;
	if (!tl->has_grid)
		return 0;
	if (!k) {
		L->heat = g;
		return 0;
	}
	if (L->columns > 4 * tl->nr_aggrs)
		return 0;
	int rc = dt_html_heat_init(&L->fine, g, (int64_t)tl->t_start_ns, (int64_t)tl->t_end_ns,
				   L->columns, tl->heat_start, tl->heat_end);
	if (rc) {
		dt_html_heat_free(&L->fine);
		return rc < 0 ? rc : 0; /* a span too short for this many columns */
	}
	L->has_fine = 1;
	return 0;
}

static int level_wss(struct dt_html_level *L, const struct dt_timeline *tl, uint32_t k)
{
	if (!tl->has_damon || (k && L->columns > 4 * tl->nr_aggrs))
		return 0;
	L->wss_sum = calloc(L->columns, sizeof(double));
	L->wss_cov = calloc(L->columns, sizeof(double));
	L->wss_max = calloc(L->columns, sizeof(double));
	if (!L->wss_sum || !L->wss_cov || !L->wss_max)
		return -ENOMEM;
	L->has_wss = 1;
	if (!tl->has_rss)
		return 0;
	L->rss_max = malloc(L->columns * sizeof(double));
	if (!L->rss_max)
		return -ENOMEM;
	for (size_t c = 0; c < L->columns; c++)
		L->rss_max[c] = -1;
	L->has_rss = 1;
	return 0;
}

static int setup_levels(struct dt_html_data *d, const struct dt_timeline *tl,
			const struct dt_timeline_html_opts *o)
{
	d->nr_levels = level_count(o);
	for (uint32_t k = 0; k < d->nr_levels; k++) {
		struct dt_html_level *L = &d->levels[k];
		L->columns = tl->columns << k;
		L->col = -1;
		int rc = level_heat(L, tl, k);
		if (!rc)
			rc = level_wss(L, tl, k);
		if (rc)
			return rc;
	}
	return 0;
}

/* One aggregation's WSS into every level's columns it overlaps (the
 * timeline's own arithmetic: time-weighted mean and maximum). */
static void add_aggr(struct dt_html_data *d, const struct dt_timeline *tl, uint64_t start,
		     uint64_t end, uint64_t wss)
{
	double span = (double)(tl->t_end_ns - tl->t_start_ns);
	if (end <= start || end <= tl->t_start_ns || start >= tl->t_end_ns)
		return;
	for (uint32_t k = 0; k < d->nr_levels; k++) {
		struct dt_html_level *L = &d->levels[k];
		if (!L->has_wss)
			continue;
		double C = (double)L->columns;
		double s = ((double)start - (double)tl->t_start_ns) / span * C;
		double e = ((double)end - (double)tl->t_start_ns) / span * C;
		s = s < 0 ? 0 : s;
		e = e > C ? C : e;
		for (size_t c = (size_t)s; c < L->columns && (double)c < e; c++) {
			double lo = s > (double)c ? s : (double)c;
			double hi = e < (double)c + 1 ? e : (double)c + 1;
			if (hi <= lo)
				continue;
			L->wss_sum[c] += (double)wss * (hi - lo);
			L->wss_cov[c] += hi - lo;
			if ((double)wss > L->wss_max[c])
				L->wss_max[c] = (double)wss;
		}
	}
}

/* A FOOTPRINT: the targets' summed RSS into every level's column of its
 * time (timeline.c's arithmetic, at each level's columns). */
static int add_footprint(struct dt_html_data *d, const struct dt_timeline *tl,
			 const struct dtr_item *it)
{
	int rc = dt_rss_add(&d->rss, it);
	uint64_t t = it->u.footprint.time_ns;
	if (rc <= 0 || t < tl->t_start_ns || t >= tl->t_end_ns)
		return rc < 0 ? rc : 0;
	double v = (double)d->rss.total.latest.rss;
	double at = (double)(t - tl->t_start_ns) / (double)(tl->t_end_ns - tl->t_start_ns);
	for (uint32_t k = 0; k < d->nr_levels; k++) {
		struct dt_html_level *L = &d->levels[k];
		size_t c = (size_t)(at * (double)L->columns);
		if (L->has_rss && c < L->columns && v > L->rss_max[c])
			L->rss_max[c] = v;
	}
	return 0;
}

/* RSS holds from one footprint to the next: a column without one shows
 * the last before it. */
static void finish_rss(struct dt_html_level *L)
{
	for (size_t c = 0; L->has_rss && c < L->columns; c++)
		if (L->rss_max[c] < 0)
			L->rss_max[c] = c ? L->rss_max[c - 1] : NAN;
}

/* ------------------------------------------------------------ record */

static char *dup_str(const char *s)
{
	return strdup(s ? s : "");
}

static int note_meta(struct dt_html_record *r, const struct dtr_meta *m)
{
	for (size_t i = 0; i < m->nr && r->nr_meta < DT_HTML_MAX_META; i++) {
		size_t j = 0;
		while (j < r->nr_meta && strcmp(r->meta[j][0], m->kvs[i].key))
			j++;
		char *v = dup_str(m->kvs[i].value);
		if (!v)
			return -ENOMEM;
		if (j < r->nr_meta) {
			free(r->meta[j][1]);
			r->meta[j][1] = v;
			continue;
		}
		r->meta[j][0] = dup_str(m->kvs[i].key);
		r->meta[j][1] = v;
		if (!r->meta[j][0])
			return -ENOMEM;
		r->nr_meta++;
	}
	return 0;
}

static struct dt_html_target *target_slot(struct dt_html_record *r, uint32_t kd, uint32_t ctx,
					  uint32_t index)
{
	for (size_t i = 0; i < r->nr_targets; i++)
		if (r->targets[i].kdamond == kd && r->targets[i].context == ctx &&
		    r->targets[i].index == index)
			return &r->targets[i];
	if (DT_GROW(r->targets, r->cap_targets, r->nr_targets + 1))
		return NULL;
	struct dt_html_target *nt = &r->targets[r->nr_targets++];
	*nt = (struct dt_html_target){ .kdamond = kd, .context = ctx, .index = index };
	return nt;
}

static int note_context(struct dt_html_record *r, const struct dtr_context *c)
{
	for (size_t i = 0; i < c->nr_targets; i++) {
		const struct dtr_target *t = &c->targets[i];
		struct dt_html_target *s = target_slot(r, c->kdamond, c->context, t->index);
		if (!s)
			return -ENOMEM;
		char *cmd = dup_str(t->cmdline);
		if (!cmd)
			return -ENOMEM;
		free(s->cmdline);
		s->cmdline = cmd;
		s->id = t->id;
		s->pid = t->pid;
		s->ops = dtr_ops_name(c->ops);
	}
	return 0;
}

#define MAX_INTERVALS 16

static int note_intervals(struct dt_html_record *r, const struct dtr_intervals *iv)
{
	for (size_t i = r->nr_intervals; i-- > 0;) {
		const struct dtr_intervals *p = &r->intervals[i];
		if (p->kdamond != iv->kdamond || p->context != iv->context)
			continue;
		if (p->sample_us == iv->sample_us && p->aggr_us == iv->aggr_us &&
		    p->update_us == iv->update_us)
			return 0;
		break;
	}
	if (r->nr_intervals == MAX_INTERVALS)
		return 0;
	if (DT_GROW(r->intervals, r->cap_intervals, r->nr_intervals + 1))
		return -ENOMEM;
	r->intervals[r->nr_intervals++] = *iv;
	return 0;
}

static int note_record(struct dt_html_record *r, const struct dtr_item *it)
{
	switch (it->type) {
	case DTR_ITEM_META:
		return note_meta(r, &it->u.meta);
	case DTR_ITEM_CONTEXT:
		return note_context(r, &it->u.context);
	case DTR_ITEM_INTERVALS:
		return note_intervals(r, &it->u.intervals);
	case DTR_ITEM_CLOCKS:
		r->clock = dtr_clock_name(it->u.clocks.clock);
		return 0;
	case DTR_ITEM_SNAPSHOT:
		r->nr_regions += it->u.snapshot.nr_regions;
		return 0;
	default:
		return 0;
	}
}

static void record_free(struct dt_html_record *r)
{
	for (size_t i = 0; i < r->nr_meta; i++) {
		free(r->meta[i][0]);
		free(r->meta[i][1]);
	}
	for (size_t i = 0; i < r->nr_targets; i++)
		free(r->targets[i].cmdline);
	free(r->targets);
	free(r->intervals);
}

/* ------------------------------------------------------------ the pass */

struct pass {
	struct dt_html_data *d;
	const struct dt_timeline *tl;
	const struct dt_timeline_opts *to;
	struct dt_phase_aggr cur; /* the aggregation being summed */
	int have_cur;
	int take_stacks;
	uint64_t items;
};

static int pass_snapshot(struct pass *p, const struct dtr_item *it)
{
	const struct dtr_snapshot *s = &it->u.snapshot;
	/* One aggregation at a time, as phases.h sums it: the snapshots of
	 * one interval; the one held is complete when another starts. */
	if (p->have_cur && (s->start_ns != p->cur.start_ns || s->end_ns != p->cur.end_ns)) {
		add_aggr(p->d, p->tl, p->cur.start_ns, p->cur.end_ns, p->cur.wss);
		p->have_cur = 0;
	}
	if (!p->have_cur)
		p->cur = (struct dt_phase_aggr){ s->start_ns, s->end_ns, 0 };
	p->have_cur = 1;
	for (uint64_t i = 0; i < s->nr_regions; i++)
		if (s->regions[i].nr_accesses && s->regions[i].end > s->regions[i].start)
			p->cur.wss += s->regions[i].end - s->regions[i].start;
	return 0;
}

static int pass_item(struct pass *p, const struct dtr_item *it, char *err, size_t errlen)
{
	struct dt_html_data *d = p->d;
	int rc = note_record(&d->rec, it);
	for (uint32_t k = 0; k < d->nr_levels && !rc; k++)
		if (d->levels[k].has_fine)
			rc = dt_html_heat_add(&d->levels[k].fine, it);
	if (!rc && it->type == DTR_ITEM_FOOTPRINT)
		rc = add_footprint(d, p->tl, it);
	if (rc)
		return dt_fail(err, errlen, rc, "%s", strerror(-rc));
	if (it->type == DTR_ITEM_SNAPSHOT)
		return pass_snapshot(p, it);
	if (p->take_stacks && (it->type == DTR_ITEM_FRAME || it->type == DTR_ITEM_STACK ||
			       it->type == DTR_ITEM_THREAD))
		return dt_stacks_add_item(d->stacks, it, 0, err, errlen);
	return 0;
}

static int read_record(struct pass *p, char *err, size_t errlen)
{
	struct dt_input *in;
	struct dtr_item it;
	const char *path = p->to->load.record_path;
	int rc = dt_input_open(&in, path, &p->to->load.input, err, errlen);
	if (rc)
		return rc;
	p->d->rec.format = dt_input_format_name(dt_input_format(in));
	while ((rc = dt_input_next(in, &it, err, errlen)) == 1) {
		rc = pass_item(p, &it, err, errlen);
		if (rc)
			break;
		if (++p->items % 4096 == 0 && p->to->progress)
			p->to->progress(p->to->progress_ctx, "html report pass", p->items);
	}
	dt_input_close(in);
	if (p->have_cur)
		add_aggr(p->d, p->tl, p->cur.start_ns, p->cur.end_ns, p->cur.wss);
	return rc < 0 ? rc : 0;
}

static int read_inputs(struct dt_html_data *d, const struct dt_timeline *tl,
		       const struct dt_timeline_opts *to, char *err, size_t errlen)
{
	const struct dt_stacks_load_opts *ld = &to->load;
	struct pass p = { .d = d, .tl = tl, .to = to };
	int rc = dt_stacks_new(&d->stacks, err, errlen);
	if (rc)
		return rc;
	dt_stacks_set_memory(d->stacks, ld->memory);
	p.take_stacks = !ld->perf_script_path || ld->keep_record_stacks;
	if (ld->record_path) {
		rc = read_record(&p, err, errlen);
		if (rc)
			return rc;
	}
	if (ld->perf_script_path) {
		enum dtr_clock clock;
		rc = dt_stacks_add_perf_script(d->stacks, ld->perf_script_path, tl->align.offset_ns,
					       &clock, err, errlen);
	}
	return rc;
}

static int refuse_stdin(const struct dt_timeline_opts *to, char *err, size_t errlen)
{
	const char *r = to->load.record_path, *s = to->load.perf_script_path;
	if ((r && !strcmp(r, "-")) || (s && !strcmp(s, "-")))
		return dt_fail(err, errlen, -EINVAL, "an .html report reads its inputs again: "
			       "give them as files, not as standard input");
	return 0;
}

int dt_html_collect(struct dt_html_data *d, const struct dt_timeline *tl,
		    const struct dt_timeline_html_opts *o, char *err, size_t errlen)
{
	memset(d, 0, sizeof(*d));
	dt_rss_init(&d->rss, 0);
	d->rec.clock = "";
	d->rec.format = "";
	int rc = refuse_stdin(o->timeline, err, errlen);
	if (rc)
		return rc;
	rc = setup_levels(d, tl, o);
	if (rc)
		return dt_fail(err, errlen, rc, "out of memory");
	rc = read_inputs(d, tl, o->timeline, err, errlen);
	for (uint32_t k = 0; k < d->nr_levels && !rc; k++) {
		struct dt_html_level *L = &d->levels[k];
		if (L->has_fine && !(L->heat = dt_html_heat_finish(&L->fine)))
			rc = dt_fail(err, errlen, -ENOMEM, "out of memory");
		finish_rss(L);
	}
	if (!rc)
		rc = dt_html_stacks_finish(d, tl, o, err, errlen);
	return rc;
}

void dt_html_data_free(struct dt_html_data *d)
{
	for (uint32_t k = 0; k < d->nr_levels; k++) {
		struct dt_html_level *L = &d->levels[k];
		dt_html_heat_free(&L->fine);
		free(L->wss_sum);
		free(L->wss_cov);
		free(L->wss_max);
		free(L->rss_max);
		free(L->leaf);
		free(L->w);
		free(L->touched);
	}
	for (size_t i = 0; i < d->nr_trees; i++)
		free(d->trees[i].v);
	free(d->trees);
	if (d->stacks)
		dt_stacks_free(d->stacks);
	record_free(&d->rec);
	dt_rss_free(&d->rss);
	memset(d, 0, sizeof(*d));
}
