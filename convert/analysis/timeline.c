// SPDX-License-Identifier: GPL-2.0-only
/*
 * The data behind damo-timeline, assembled in streaming passes (timeline.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "checked.h"
#include "errmsg.h"
#include "grow.h"
#include "footprint.h"
#include "hashmap.h"
#include "input.h"
#include "intern.h"
#include "perf_script.h"
#include "json_writer.h"
#include "stack_root.h"
#include "tempfile.h"
#include "timeline.h"
#include "units.h"

static void warn(struct dt_timeline *tl, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void warn(struct dt_timeline *tl, const char *fmt, ...)
{
	va_list ap;
	if (tl->nr_warnings >= DT_TIMELINE_MAX_WARNINGS)
		return;
	va_start(ap, fmt);
	vsnprintf(tl->warnings[tl->nr_warnings++], sizeof(tl->warnings[0]), fmt, ap);
	va_end(ap);
}

void dt_timeline_opts_default(struct dt_timeline_opts *o)
{
	memset(o, 0, sizeof(*o));
	dt_stacks_load_opts_default(&o->load);
	o->draw_range = DT_TIMELINE_WORKED;
}

/* ------------------------------------------------------------ private */

struct column {
	struct dt_hashmap map;
	uint32_t nr;
	size_t cap;
	struct path_w {
		uint32_t node;
		uint64_t w;
	} *v;
	double wss_sum, wss_cov, wss_max;
	double rss_max;
};

struct dt_timeline_priv {
	const struct dt_timeline_opts *o;
	enum dt_timeline_draw_range draw; /* o->draw_range, or what it falls back to */
	struct dt_rss rss;        /* the targets' latest RSS (pass 2) */
	const char *record_path, *perf_path;
	struct dt_input_spool spool[2]; /* record, perf script: read more than once */
	struct dt_perf_event_choice events; /* the perf event taken (pass 1 chooses) */
	/* frames, call paths of the flame thread, threads */
	struct dt_intern in;
	uint32_t nr_declared;      /* frames declared to the phases */
	size_t cap_thread_sums;
	uint64_t *thread_weight, *thread_count; /* per thread */
	int has_root_frame;       /* root_frame: DT_ROOT_FRAME's id */
	uint32_t root_frame;
	int any_unweighted, any_not_time;
	/* columns */
	struct column *cols;
	uint32_t max_depth;
	int dropped_paths;
	/* record frame id -> frame */
	uint32_t nr_rec_map;
	size_t cap_rec_map;
	uint32_t *rec_map;
	uint32_t *scratch;         /* one sample's frames */
	size_t cap_scratch;
	uint64_t items;
	const char *stage;
	int has_window;            /* --time_range, resolved: [win_start, win_end) */
	uint64_t win_start, win_end;
};

/* Room in the per-frame or per-thread sums for index `id`: zeroed. */
static int grow_sums(uint64_t **a, uint64_t **b, size_t *cap, uint32_t id)
{
	if (id < *cap)
		return 0;
	/* the same growth from the same capacity: ca == cb */
	size_t old = *cap, ca = old, cb = old;
	if (DT_GROW(*a, ca, (size_t)id + 1) || DT_GROW(*b, cb, (size_t)id + 1))
		return -ENOMEM;
	memset(*a + old, 0, (ca - old) * sizeof(**a));
	memset(*b + old, 0, (cb - old) * sizeof(**b));
	*cap = ca;
	return 0;
}

/* A frame is its symbol and dso (srclines are not told apart); a new one
 * is declared to the phases (pass 1), with its srcline. */
static int intern_frame(struct dt_timeline *tl, const char *symbol, const char *dso,
			const char *srcline, uint32_t *id)
{
	struct dt_timeline_priv *pv = tl->priv;
	char err[256];

	if (dt_intern_frame(&pv->in, symbol, dso, NULL, id))
		return -ENOMEM;
	if (*id < pv->nr_declared && !(srcline && *srcline))
		return 0;
	if (*id >= pv->nr_declared)
		pv->nr_declared = *id + 1;
	return dt_phases_add_frame(tl->phases, *id, symbol, dso, srcline, err, sizeof(err));
}

static int thread_of(struct dt_timeline_priv *pv, int32_t pid, int32_t tid, const char *comm,
		     uint32_t *index)
{
	if (dt_intern_thread(&pv->in, pid, tid, comm, index))
		return -ENOMEM;
	return grow_sums(&pv->thread_weight, &pv->thread_count, &pv->cap_thread_sums, *index);
}

static void progress(struct dt_timeline_priv *pv)
{
	if (pv->o->progress && (++pv->items & 4095) == 0)
		pv->o->progress(pv->o->progress_ctx, pv->stage, pv->items);
}

/* ------------------------------------------------------------ spooling */

/* A message about a spooled input names it, not the file holding it. */
static void name_spooled(const struct dt_timeline_priv *pv, char *err, size_t errlen)
{
	for (int i = 0; i < 2; i++)
		dt_input_spool_rename(&pv->spool[i], err, errlen);
}

/* ------------------------------------------------------------ record passes */

typedef int (*item_fn)(struct dt_timeline *tl, void *ctx, const struct dtr_item *it,
		       char *err, size_t errlen);

/* --time_range: a time outside the window; a snapshot not inside it. */
static int outside_time(const struct dt_timeline_priv *pv, uint64_t t)
{
	return pv->has_window && (t < pv->win_start || t >= pv->win_end);
}

static int outside_window(const struct dt_timeline_priv *pv, const struct dtr_item *it)
{
	if (!pv->has_window)
		return 0;
	switch (it->type) {
	case DTR_ITEM_SNAPSHOT:
		return it->u.snapshot.start_ns < pv->win_start || it->u.snapshot.end_ns > pv->win_end;
	case DTR_ITEM_STACK:
		return outside_time(pv, it->u.stack.time_ns);
	case DTR_ITEM_FOOTPRINT:
		return outside_time(pv, it->u.footprint.time_ns);
	default:
		return 0;
	}
}

static int record_pass(struct dt_timeline *tl, const char *stage, item_fn fn, void *ctx,
		       char *err, size_t errlen)
{
	struct dt_timeline_priv *pv = tl->priv;
	struct dt_input *in;
	struct dtr_item it;
	int rc = dt_input_open(&in, pv->record_path, &pv->o->load.input, err, errlen);
	if (rc)
		return rc;
	pv->stage = stage;
	pv->items = 0;
	while ((rc = dt_input_next(in, &it, err, errlen)) > 0) {
		if (outside_window(pv, &it)) {
			dt_origin_add(&tl->origin, &it); /* time zero: the record's */
			continue;
		}
		rc = fn(tl, ctx, &it, err, errlen);
		if (rc < 0)
			break;
		progress(pv);
	}
	dt_input_close(in);
	return rc < 0 ? rc : 0;
}

struct pass1 {
	struct dt_heat_guides guides; /* with the areas' heats when the spans
				       * give them (heatmap.h) */
	struct dt_framer *framer;     /* the worked-on memory (framing.h) */
	struct dt_clock_readings clocks;
	uint64_t first_ns, last_ns;
	int use_stacks;
	int64_t offset_ns;        /* moves the record's stacks (--time-offset) */
	uint64_t nr_record_stacks;
	int have_stacks;
	uint64_t stack_first, stack_last;
};

static int note_sample_thread(struct dt_timeline_priv *pv, int32_t pid, int32_t tid,
			      const char *comm, uint64_t weight)
{
	uint32_t t;
	if (thread_of(pv, pid, tid, comm, &t))
		return -ENOMEM;
	pv->thread_weight[t] += weight;
	pv->thread_count[t]++;
	if (!weight)
		pv->any_unweighted = 1;
	return 0;
}

static int record_stack(struct dt_timeline *tl, int pass, int64_t offset_ns,
			const struct dtr_item *it, char *err, size_t errlen);

static int pass1_item(struct dt_timeline *tl, void *ctx, const struct dtr_item *it, char *err,
		      size_t errlen)
{
	struct pass1 *p1 = ctx;
	struct dt_timeline_priv *pv = tl->priv;
	int rc = dt_phases_add_item(tl->phases, it, err, errlen);
	if (rc)
		return rc;
	dt_clock_readings_add(&p1->clocks, it);
	if (p1->framer && dt_framer_add(p1->framer, it, err, errlen))
		return -ENOMEM;
	dt_origin_add(&tl->origin, it);
	switch (it->type) {
	case DTR_ITEM_FRAME:
		return p1->use_stacks ? record_stack(tl, 1, p1->offset_ns, it, err, errlen) : 0;
	case DTR_ITEM_SNAPSHOT: {
		const struct dtr_snapshot *s = &it->u.snapshot;
		if (!tl->nr_snapshots || s->start_ns < p1->first_ns)
			p1->first_ns = s->start_ns;
		if (!tl->nr_snapshots || s->end_ns > p1->last_ns)
			p1->last_ns = s->end_ns;
		tl->nr_snapshots++;
		break;
	}
	case DTR_ITEM_MAPS:
		if (dt_maps_copy_note(&tl->maps, &it->u.maps, -1))
			return dt_fail(err, errlen, -ENOMEM, "out of memory");
		return 0;
	case DTR_ITEM_STACK:
		p1->nr_record_stacks++;
		if (!p1->have_stacks || it->u.stack.time_ns < p1->stack_first)
			p1->stack_first = it->u.stack.time_ns;
		if (!p1->have_stacks || it->u.stack.time_ns > p1->stack_last)
			p1->stack_last = it->u.stack.time_ns;
		p1->have_stacks = 1;
		if (!p1->use_stacks)
			return 0;
		if (note_sample_thread(pv, it->u.stack.pid, it->u.stack.tid, NULL, it->u.stack.weight))
			return dt_fail(err, errlen, -ENOMEM, "out of memory");
		return record_stack(tl, 1, p1->offset_ns, it, err, errlen);
	case DTR_ITEM_THREAD: {
		uint32_t t;
		if (p1->use_stacks &&
		    thread_of(pv, it->u.thread.pid, it->u.thread.tid, it->u.thread.comm, &t))
			return dt_fail(err, errlen, -ENOMEM, "out of memory");
		return 0;
	}
	default:
		break;
	}
	return dt_heat_guides_add(&p1->guides, it, err, errlen);
}

static void on_aggr(void *ctx, const struct dt_phase_aggr *a)
{
	struct dt_timeline *tl = ctx;
	struct dt_timeline_priv *pv = tl->priv;
	double span = (double)(tl->t_end_ns - tl->t_start_ns);
	if (a->end_ns <= a->start_ns || a->end_ns <= tl->t_start_ns || a->start_ns >= tl->t_end_ns)
		return;
	double s = ((double)a->start_ns - (double)tl->t_start_ns) / span * (double)tl->columns;
	double e = ((double)a->end_ns - (double)tl->t_start_ns) / span * (double)tl->columns;
	if (s < 0)
		s = 0;
	if (e > (double)tl->columns)
		e = (double)tl->columns;
	for (size_t c = (size_t)s; c < tl->columns && (double)c < e; c++) {
		double lo = s > (double)c ? s : (double)c;
		double hi = e < (double)c + 1 ? e : (double)c + 1;
		if (hi <= lo)
			continue;
		struct column *col = &pv->cols[c];
		col->wss_sum += (double)a->wss * (hi - lo);
		col->wss_cov += hi - lo;
		if ((double)a->wss > col->wss_max)
			col->wss_max = (double)a->wss;
	}
}

/* ------------------------------------------------------------ samples */

static int column_add(struct dt_timeline_priv *pv, struct column *col, uint32_t node, uint64_t w)
{
	uint32_t i;
	if (dt_hashmap_get(&col->map, node, &i)) {
		col->v[i].w += w;
		return 0;
	}
	if (col->nr >= DT_TIMELINE_MAX_PATHS_PER_COLUMN) {
		pv->dropped_paths = 1;
		return 0;
	}
	if (DT_GROW(col->v, col->cap, (size_t)col->nr + 1))
		return -ENOMEM;
	if (dt_hashmap_put(&col->map, node, col->nr))
		return -ENOMEM;
	col->v[col->nr++] = (struct path_w){ node, w };
	return 0;
}

static const char *frame_dso(const void *ctx, uint32_t frame)
{
	const struct dt_timeline_priv *pv = ctx;
	return frame < pv->in.nr_frames ? pv->in.frames[frame].dso : "";
}

/* The id of the [root] frame, interned on first use. */
static int root_frame(struct dt_timeline_priv *pv)
{
	if (pv->has_root_frame)
		return 0;
	pv->has_root_frame = 1;
	/* a picture's frame only: not one of the phases' */
	return dt_intern_frame(&pv->in, DT_ROOT_FRAME, "", NULL, &pv->root_frame) ? -ENOMEM : 0;
}

/* One callstack sample: frames are timeline frame ids, leaf first. */
static int add_sample(struct dt_timeline *tl, uint64_t time_ns, int32_t pid, int32_t tid,
		      uint64_t weight, uint32_t nr, const uint32_t *frames)
{
	struct dt_timeline_priv *pv = tl->priv;
	uint64_t w = pv->any_unweighted ? 1 : weight;
	char err[256];
	tl->nr_samples++;
	if (tl->has_damon &&
	    dt_phases_add_stack(tl->phases, time_ns, pid, tid, weight, nr, frames, err, sizeof(err)))
		return -ENOMEM;
	if (!tl->has_thread || pid != tl->pid || tid != tl->tid || !nr ||
	    time_ns < tl->t_start_ns || time_ns >= tl->t_end_ns)
		return 0;
	size_t c = (size_t)((double)(time_ns - tl->t_start_ns) /
			    (double)(tl->t_end_ns - tl->t_start_ns) * (double)tl->columns);
	if (c >= tl->columns)
		c = tl->columns - 1;
	/* start-up roots as one [root] frame (stack_root.h) */
	uint32_t node = 0, skip = dt_stack_root_frames(frames, nr, frame_dso, pv);
	if (skip && (root_frame(pv) || dt_intern_node(&pv->in, node, pv->root_frame, &node) ||
		     column_add(pv, &pv->cols[c], node, w)))
		return -ENOMEM;
	for (uint32_t k = skip; k < nr && k - skip + (skip > 0) < pv->max_depth; k++) {
		if (dt_intern_node(&pv->in, node, frames[nr - 1 - k], &node) ||
		    column_add(pv, &pv->cols[c], node, w))
			return -ENOMEM;
	}
	return 0;
}

/* ------------------------------------------------------------ record passes 2, 3 */

/* Pass 2 reads the phases' second pass (phases.h), the heatmap grid when
 * its range is known (the guide's areas' heats summed in pass 1:
 * dt_heat_guides_finish, heats_known), and the record's callstacks.  Pass
 * 3, when needed, reads what had to wait for the phases or the heats: the
 * grid of the phases' areas, or of the hottest area when pass 2 had to sum
 * the heats. */
struct pass23 {
	struct dt_heat_guides *guides;
	int phases;            /* detect phases (pass 2) */
	int heat;              /* sum the areas' heats */
	int grid;              /* tl->grid */
	int use_stacks;        /* the record's callstacks */
	int64_t offset_ns;
};

/* A record FRAME or STACK item, when the record's stacks are used: frames
 * interned in pass 1; samples to the phases in both passes and, in pass 2,
 * to the flame chart and threads (add_sample). */
static int record_stack(struct dt_timeline *tl, int pass, int64_t offset_ns,
			const struct dtr_item *it, char *err, size_t errlen)
{
	struct dt_timeline_priv *pv = tl->priv;
	if (it->type == DTR_ITEM_FRAME) {
		const struct dtr_frame *f = &it->u.frame;
		if (pass != 1) /* the second reading: frames known */
			return 0;
		if (DT_GROW(pv->rec_map, pv->cap_rec_map, (size_t)f->id + 1))
			return dt_fail(err, errlen, -ENOMEM, "out of memory");
		while (pv->nr_rec_map <= f->id)
			pv->rec_map[pv->nr_rec_map++] = UINT32_MAX;
		if (intern_frame(tl, f->symbol, f->dso, f->srcline, &pv->rec_map[f->id]))
			return dt_fail(err, errlen, -ENOMEM, "out of memory");
		return 0;
	}
	const struct dtr_stack *s = &it->u.stack;
	if (DT_GROW(pv->scratch, pv->cap_scratch, (size_t)s->nr_frames + 1))
		return dt_fail(err, errlen, -ENOMEM, "out of memory");
	for (uint32_t i = 0; i < s->nr_frames; i++) {
		uint32_t id = s->frames[i];
		if (id >= pv->nr_rec_map || pv->rec_map[id] == UINT32_MAX)
			return dt_fail(err, errlen, -EINVAL,
				    "%s: a callstack sample names frame %" PRIu32
				    " before its frame item", pv->record_path, id);
		pv->scratch[i] = pv->rec_map[id];
	}
	uint64_t at = dt_time_shift(s->time_ns, offset_ns);
	if (pass == 1) /* snapshots may come later: always */
		return dt_phases_add_stack(tl->phases, at, s->pid, s->tid, s->weight, s->nr_frames,
					   pv->scratch, err, errlen);
	tl->nr_record_samples++;
	return add_sample(tl, at, s->pid, s->tid, s->weight, s->nr_frames, pv->scratch)
		       ? dt_fail(err, errlen, -ENOMEM, "out of memory") : 0;
}

/* A FOOTPRINT: the targets' summed RSS into its time column. */
static int rss_add(struct dt_timeline *tl, const struct dtr_item *it)
{
	struct dt_timeline_priv *pv = tl->priv;
	int rc = dt_rss_add(&pv->rss, it);
	uint64_t t = it->u.footprint.time_ns;

	if (rc <= 0)
		return rc;
	tl->has_rss = 1;
	if (t < tl->t_start_ns || t >= tl->t_end_ns)
		return 0;
	size_t c = (size_t)((double)(t - tl->t_start_ns) / (double)(tl->t_end_ns - tl->t_start_ns) *
			    (double)tl->columns);
	double v = (double)pv->rss.total.latest.rss;
	if (c < tl->columns && v > pv->cols[c].rss_max)
		pv->cols[c].rss_max = v;
	return 0;
}

static int pass23_item(struct dt_timeline *tl, void *ctx, const struct dtr_item *it, char *err,
		       size_t errlen)
{
	struct pass23 *p = ctx;
	struct dt_timeline_priv *pv = tl->priv;
	int rc;
	if (p->phases && it->type == DTR_ITEM_FOOTPRINT && rss_add(tl, it) < 0)
		return dt_fail(err, errlen, -ENOMEM, "out of memory");
	if (p->heat && dt_heat_guides_add_heat(p->guides, it))
		return dt_fail(err, errlen, -ENOMEM, "out of memory");
	if (p->phases) {
		char why[256];
		rc = dt_phases_add_item(tl->phases, it, why, sizeof(why));
		if (rc)
			return dt_fail(err, errlen, rc, "%s: %s", pv->record_path, why);
	}
	if (p->grid && dt_heat_grid_add(&tl->grid, it))
		return dt_fail(err, errlen, -ENOMEM, "out of memory");
	if (p->use_stacks && (it->type == DTR_ITEM_FRAME || it->type == DTR_ITEM_STACK))
		return record_stack(tl, 2, p->offset_ns, it, err, errlen);
	return 0;
}

/* ------------------------------------------------------------ perf script */

static int is_callstack_event(const char *event)
{
	return strncmp(event, "damon:", 6) != 0;
}

static int is_time_event(const char *event)
{
	return !*event || !strncmp(event, "cpu-clock", 9) || !strncmp(event, "task-clock", 10);
}

struct perf_span {
	int have;
	uint64_t first, last, nr;
	enum dtr_clock clock;
};

static int perf_pass1(struct dt_timeline *tl, struct perf_span *sp, char *err, size_t errlen)
{
	struct dt_timeline_priv *pv = tl->priv;
	struct dt_perf_script *ps;
	struct dt_perf_sample s;
	uint64_t prev = 0;
	int rc = dt_perf_event_choice_init(&pv->events, pv->o->load.event);
	if (rc)
		return dt_fail(err, errlen, rc, "out of memory");
	rc = dt_perf_script_open(&ps, pv->perf_path, NULL, err, errlen);
	if (rc)
		return rc;
	pv->stage = "perf script pass 1";
	pv->items = 0;
	while ((rc = dt_perf_script_next(ps, &s, err, errlen)) > 0) {
		progress(pv);
		if (!is_callstack_event(s.event))
			continue;
		rc = dt_perf_event_choice_take(&pv->events, s.event);
		if (rc <= 0) {
			if (rc < 0)
				break;
			continue;
		}
		uint64_t t = s.has_time ? s.time_ns : prev;
		prev = t;
		if (!sp->have || t < sp->first)
			sp->first = t;
		if (!sp->have || t > sp->last)
			sp->last = t;
		sp->have = 1;
		sp->nr++;
		if (!is_time_event(s.event))
			pv->any_not_time = 1;
		if (note_sample_thread(pv, s.pid, s.tid, s.comm, s.has_period ? s.period : 0)) {
			rc = dt_fail(err, errlen, -ENOMEM, "out of memory");
			break;
		}
	}
	char notice[320];
	const char *name = strcmp(pv->o->load.perf_script_path, "-") ?
			   pv->o->load.perf_script_path : "stdin";
	if (rc == -ENOMEM)
		rc = dt_fail(err, errlen, rc, "out of memory");
	else if (!rc && !sp->nr && pv->events.left)
		rc = dt_fail(err, errlen, -ENODATA, "%s: no samples of event '%s' (the text has %s)",
			     name, pv->events.event, pv->events.others);
	else if (!rc && !sp->nr)
		rc = dt_perf_script_no_samples(ps, err, errlen);
	else if (!rc && dt_perf_event_choice_notice(&pv->events, name, notice, sizeof(notice)))
		warn(tl, "%s", notice);
	sp->clock = dt_perf_script_clock(ps);
	dt_perf_script_close(ps);
	return rc < 0 ? rc : 0;
}

/* Pass 1 of the samples for the phases (before the record's pass 2), or
 * pass 2: flame chart, threads and the phases' second pass. */
static int perf_samples(struct dt_timeline *tl, int pass, int64_t offset, char *err,
			size_t errlen)
{
	struct dt_timeline_priv *pv = tl->priv;
	struct dt_perf_script *ps;
	struct dt_perf_sample s;
	uint32_t *map = NULL, nr_map = 0, *scratch = NULL;
	size_t cap_map = 0, cap_scratch = 0;
	uint64_t prev = 0;
	int rc = dt_perf_script_open(&ps, pv->perf_path, NULL, err, errlen);
	if (rc)
		return rc;
	pv->stage = pass == 1 ? "perf script pass 2" : "perf script pass 3";
	pv->items = 0;
	while ((rc = dt_perf_script_next(ps, &s, err, errlen)) > 0) {
		progress(pv);
		/* pass 1 chose the event: no allocation here */
		if (!is_callstack_event(s.event) || dt_perf_event_choice_take(&pv->events, s.event) <= 0)
			continue;
		uint32_t nf = dt_perf_script_nr_frames(ps);
		if (DT_GROW(map, cap_map, nf) || DT_GROW(scratch, cap_scratch, (size_t)s.nr_frames + 1)) {
			rc = dt_fail(err, errlen, -ENOMEM, "out of memory");
			break;
		}
		for (; nr_map < nf; nr_map++) {
			struct dtr_frame f;
			if (dt_perf_script_frame(ps, nr_map, &f) ||
			    intern_frame(tl, f.symbol, f.dso, f.srcline, &map[nr_map])) {
				rc = dt_fail(err, errlen, -ENOMEM, "out of memory");
				break;
			}
		}
		if (rc < 0)
			break;
		for (uint32_t i = 0; i < s.nr_frames; i++)
			scratch[i] = map[s.frames[i]];
		uint64_t t = s.has_time ? s.time_ns : prev;
		prev = t;
		uint64_t at = dt_time_shift(t, offset);
		uint64_t w = s.has_period ? s.period : 0;
		if (outside_time(pv, at))
			continue;
		if (pass == 1)
			rc = dt_phases_add_stack(tl->phases, at, s.pid, s.tid, w, s.nr_frames,
						 scratch, err, errlen);
		else if (add_sample(tl, at, s.pid, s.tid, w, s.nr_frames, scratch))
			rc = dt_fail(err, errlen, -ENOMEM, "out of memory");
		if (rc < 0)
			break;
		tl->nr_perf_samples += pass == 2;
	}
	char note[320];
	if (pass == 2 && rc >= 0 && dt_perf_script_cut_note(ps, note, sizeof(note)))
		warn(tl, "%s", note);
	dt_perf_script_close(ps);
	free(map);
	free(scratch);
	return rc < 0 ? rc : 0;
}

/* ------------------------------------------------------------ finishing */

static int finish_flame(struct dt_timeline *tl)
{
	struct dt_timeline_priv *pv = tl->priv;
	uint32_t D = pv->max_depth;
	uint32_t *paths = calloc(tl->columns * (size_t)D, sizeof(*paths));
	if (!paths)
		return -ENOMEM;
	for (size_t c = 0; c < tl->columns; c++) {
		const struct column *col = &pv->cols[c];
		uint32_t cur = 0;
		for (uint32_t d = 0; d < D; d++) {
			uint32_t best = 0;
			uint64_t best_w = 0;
			for (uint32_t i = 0; i < col->nr; i++) {
				const struct dt_stack_node *nd = &pv->in.nodes[col->v[i].node];
				if (nd->parent == cur && nd->depth == d + 1 &&
				    (col->v[i].w > best_w ||
				     (col->v[i].w == best_w && col->v[i].node < best))) {
					best = col->v[i].node;
					best_w = col->v[i].w;
				}
			}
			if (!best)
				break;
			paths[c * D + d] = best;
			cur = best;
		}
	}
	size_t cap = 0;
	for (uint32_t d = 0; d < D; d++) {
		for (size_t c = 0; c < tl->columns;) {
			uint32_t node = paths[c * D + d];
			size_t e = c + 1;
			if (!node) {
				c = e;
				continue;
			}
			while (e < tl->columns && paths[e * D + d] == node)
				e++;
			if (DT_GROW(tl->boxes, cap, tl->nr_boxes + 1)) {
				free(paths);
				return -ENOMEM;
			}
			tl->boxes[tl->nr_boxes++] = (struct dt_timeline_box){
				(uint32_t)c, (uint32_t)e, d + 1, pv->in.nodes[node].frame };
			if (d + 1 > tl->max_depth)
				tl->max_depth = d + 1;
			c = e;
		}
	}
	free(paths);
	return 0;
}

/* A thread's samples, weighted as the samples are. */
static uint64_t thread_weight(const struct dt_timeline_priv *pv, uint32_t t)
{
	return pv->any_unweighted ? pv->thread_count[t] : pv->thread_weight[t];
}

static int pick_thread(struct dt_timeline *tl, char *err, size_t errlen)
{
	struct dt_timeline_priv *pv = tl->priv;
	uint32_t best = UINT32_MAX;
	tl->nr_threads = pv->in.nr_threads;
	for (uint32_t i = 0; i < pv->in.nr_threads; i++) {
		uint64_t count = pv->thread_count[i];
		if (!count)
			continue;
		if (pv->o->has_tid) {
			if (pv->in.threads[i].tid == pv->o->tid &&
			    (best == UINT32_MAX || count > pv->thread_count[best]))
				best = i;
			continue;
		}
		if (best == UINT32_MAX || thread_weight(pv, i) > thread_weight(pv, best))
			best = i;
	}
	if (best == UINT32_MAX) {
		if (pv->o->has_tid)
			return dt_fail(err, errlen, -ENOENT, "--thread %" PRId32 ": no callstack samples of "
				    "this thread", pv->o->tid);
		return 0;
	}
	const struct dt_stack_thread *t = &pv->in.threads[best];
	tl->has_thread = 1;
	tl->pid = t->pid;
	tl->tid = t->tid;
	tl->thread_weight = thread_weight(pv, best);
	snprintf(tl->comm, sizeof(tl->comm), "%s", t->comm);
	/* comm may have come only with the samples of another pid/tid entry */
	return 0;
}

static const struct dt_heat_guide *pick_guide(const struct dt_timeline_opts *o,
					      const struct dt_heat_guides *g)
{
	for (size_t i = 0; i < g->nr; i++)
		if (!o->has_target || g->v[i].target.id == o->target_id)
			return &g->v[i];
	return NULL;
}

/* Areas of the guide holding the largest hot range of some phase (of its
 * target): the buffers the phases worked on, not the program text or the
 * stack that stay lightly accessed throughout. */
static size_t phase_areas(const struct dt_timeline *tl, const struct dt_heat_guide *gd,
			  struct dt_heat_piece *pieces)
{
	size_t n = 0;
	for (size_t a = 0; a < gd->nr_areas; a++) {
		int hit = 0;
		for (size_t k = 0; k < dt_phases_count(tl->phases) && !hit; k++) {
			const struct dt_phase *p = dt_phases_get(tl->phases, k);
			for (size_t i = 0; i < p->nr_ranges && i < 1 && !hit; i++)
				hit = p->ranges[i].target == gd->target.target &&
				      p->ranges[i].start < gd->areas[a].end &&
				      p->ranges[i].end > gd->areas[a].start;
		}
		if (hit)
			pieces[n++] = (struct dt_heat_piece){ gd->areas[a].start, gd->areas[a].end };
	}
	return n;
}

/* The pieces --draw_range asks for; their count. */
static size_t choose_pieces(const struct dt_timeline *tl, const struct dt_heat_guide *gd,
			    struct dt_heat_piece *pieces)
{
	switch (tl->priv->draw) {
	case DT_TIMELINE_MAPPED:
		for (size_t k = 0; k < gd->nr_areas; k++)
			pieces[k] = (struct dt_heat_piece){ gd->areas[k].start, gd->areas[k].end };
		return gd->nr_areas;
	case DT_TIMELINE_WORKED:
		for (size_t k = 0; k < tl->frame.nr; k++)
			pieces[k] = (struct dt_heat_piece){ tl->frame.areas[k].start,
							    tl->frame.areas[k].end };
		return tl->frame.nr;
	case DT_TIMELINE_PHASES:
		return phase_areas(tl, gd, pieces);
	default:
		return 0;
	}
}

static const char *const draw_names[] = {
	[DT_TIMELINE_HOTTEST] = "hottest", [DT_TIMELINE_MAPPED] = "mapped",
	[DT_TIMELINE_PHASES] = "phases", [DT_TIMELINE_WORKED] = "worked",
};

static int setup_grid(struct dt_timeline *tl, const struct dt_heat_guide *gd, size_t hottest,
		      char *err, size_t errlen)
{
	const struct dt_timeline_opts *o = tl->priv->o;
	size_t cells = o->addr_cells ? o->addr_cells : 300, nr_pieces = 0;
	struct dt_heat_piece *pieces = NULL;
	uint64_t a, b;
	int rc;
	if (!o->has_address_range && tl->priv->draw != DT_TIMELINE_HOTTEST) {
		pieces = calloc(gd->nr_areas + tl->frame.nr + 1, sizeof(*pieces));
		if (!pieces)
			return dt_fail(err, errlen, -ENOMEM, "out of memory");
		nr_pieces = choose_pieces(tl, gd, pieces);
	}
	const char *choice = draw_names[tl->priv->draw];
	if (nr_pieces > 1) {
		rc = dt_heat_grid_init(&tl->grid, dt_sat_i64(tl->t_start_ns), dt_sat_i64(tl->t_end_ns),
				       tl->columns, 0, 1, cells, pieces, nr_pieces, err, errlen);
		snprintf(tl->heat_range_name, sizeof(tl->heat_range_name), "%zu %s areas", nr_pieces,
			 tl->priv->draw == DT_TIMELINE_WORKED ? "worked-on" : "mapped");
		a = pieces[0].start;
		b = pieces[nr_pieces - 1].end;
	} else {
		if (o->has_address_range) {
			a = o->addr_start;
			b = o->addr_end;
			choice = "address_range";
			if (o->address_guided) {
				uint64_t area[2] = { gd->areas[hottest].start, gd->areas[hottest].end };
				uint64_t r[2];
				if ((rc = dt_address_range_resolve(&o->guided_range, area, r, err, errlen))) {
					free(pieces);
					return rc;
				}
				a = r[0];
				b = r[1];
			}
		} else if (nr_pieces == 1) {
			a = pieces[0].start;
			b = pieces[0].end;
		} else {
			a = gd->areas[hottest].start;
			b = gd->areas[hottest].end;
			choice = draw_names[DT_TIMELINE_HOTTEST];
		}
		if (b <= a) { /* snapshots without regions: nothing to draw */
			free(pieces);
			return 0;
		}
		if (b - a < cells)
			cells = (size_t)(b - a);
		rc = dt_heat_grid_init(&tl->grid, dt_sat_i64(tl->t_start_ns), dt_sat_i64(tl->t_end_ns),
				       tl->columns, a, b, cells, NULL, 0, err, errlen);
		if (nr_pieces == 1 && tl->priv->draw == DT_TIMELINE_WORKED)
			snprintf(tl->heat_range_name, sizeof(tl->heat_range_name), "%s",
				 tl->frame.areas[0].name);
		else
			dt_maps_name_range(tl->heat_range_name, sizeof(tl->heat_range_name),
					   &tl->maps, a, b);
	}
	free(pieces);
	if (rc) {
		char why[256];
		snprintf(why, sizeof(why), "%s", err);
		return dt_fail(err, errlen, rc, "%s: %s", tl->priv->record_path, why);
	}
	tl->has_grid = 1;
	tl->heat_start = a;
	tl->heat_end = b;
	tl->heat_choice = choice;
	dt_heat_grid_set_target(&tl->grid, gd->target.kdamond, gd->target.context,
				gd->target.target);
	tl->heat_target = gd->target;
	return 0;
}

/* ------------------------------------------------------------ build */

static uint32_t top_functions(const struct dt_timeline_opts *o)
{
	return o->top_functions ? o->top_functions : 5;
}

/* Inputs, columns and the phases' builder. */
static int build_init(struct dt_timeline *tl, const struct dt_timeline_opts *o, char *err,
		      size_t errlen)
{
	struct dt_timeline_priv *pv = tl->priv;
	struct dt_phase_params params = o->load.phase;
	int rc = 0;

	if (dt_intern_init(&pv->in))
		return dt_fail(err, errlen, -ENOMEM, "out of memory");
	pv->spool[0].fd = pv->spool[1].fd = -1;
	pv->o = o;
	pv->record_path = o->load.record_path;
	pv->perf_path = o->load.perf_script_path;
	pv->max_depth = o->max_depth ? o->max_depth : 32;
	tl->columns = o->columns ? o->columns : 500;
	dt_origin_init(&tl->origin);
	if (!pv->record_path && !pv->perf_path)
		return dt_fail(err, errlen, -EINVAL, "no input: give a record or perf script text");
	if (pv->record_path && pv->perf_path && !strcmp(pv->record_path, "-") &&
	    !strcmp(pv->perf_path, "-"))
		return dt_fail(err, errlen, -EINVAL,
			       "the record and the perf script cannot both be stdin");
	if (pv->record_path && !(rc = dt_input_spool(&pv->spool[0], pv->record_path, err, errlen)))
		pv->record_path = pv->spool[0].path;
	if (!rc && pv->perf_path && !(rc = dt_input_spool(&pv->spool[1], pv->perf_path, err, errlen)))
		pv->perf_path = pv->spool[1].path;
	if (rc)
		return rc;
	pv->cols = calloc(tl->columns, sizeof(*pv->cols));
	tl->wss_mean = malloc(tl->columns * sizeof(double));
	tl->wss_max = malloc(tl->columns * sizeof(double));
	tl->rss_max = malloc(tl->columns * sizeof(double));
	if (!pv->cols || !tl->wss_mean || !tl->wss_max || !tl->rss_max)
		return dt_fail(err, errlen, -ENOMEM, "out of memory");
	if (params.max_functions < top_functions(o))
		params.max_functions = top_functions(o);
	rc = dt_phases_new(&tl->phases, &params, err, errlen);
	if (!rc)
		dt_phases_set_aggr_callback(tl->phases, on_aggr, tl);
	return rc;
}

/* Clock alignment of the perf script text (after its first reading). */
static void align_perf(struct dt_timeline *tl, struct pass1 *p1, const struct perf_span *sp)
{
	const struct dt_timeline_opts *o = tl->priv->o;
	struct dt_align_request req = { 0 };

	req.forced = o->load.time_offset_set;
	req.offset_ns = o->load.time_offset_ns;
	req.samples_clock = o->load.perf_clock ? o->load.perf_clock : sp->clock;
	req.have_samples = sp->have;
	req.samples_first_ns = sp->first;
	req.samples_last_ns = sp->last;
	dt_clock_align(&p1->clocks, &req, &tl->align);
	if (tl->align.warning[0])
		warn(tl, "%s", tl->align.warning);
}

/* The time axis: the snapshots' span, else the samples'. */
static int time_axis(struct dt_timeline *tl, const struct pass1 *p1, const struct perf_span *sp,
		     int record_stacks, char *err, size_t errlen)
{
	const struct dt_timeline_opts *o = tl->priv->o;
	const char *name = o->load.record_path ? o->load.record_path : o->load.perf_script_path;

	if (tl->has_damon) {
		tl->t_start_ns = p1->first_ns;
		tl->t_end_ns = p1->last_ns;
	} else if (sp->have || (record_stacks && p1->have_stacks)) {
		warn(tl, "%s: no DAMON snapshots: no WSS, heatmap or phases", name);
		uint64_t first = UINT64_MAX, last = 0;
		if (sp->have) {
			first = dt_time_shift(sp->first, tl->align.offset_ns);
			last = dt_time_shift(sp->last, tl->align.offset_ns);
		}
		if (record_stacks && p1->have_stacks) {
			uint64_t a = dt_time_shift(p1->stack_first, p1->offset_ns);
			uint64_t b = dt_time_shift(p1->stack_last, p1->offset_ns);
			first = a < first ? a : first;
			last = b > last ? b : last;
		}
		tl->t_start_ns = first;
		tl->t_end_ns = last + 1;
		dt_origin_add_time(&tl->origin, first);
	} else if (tl->priv->has_window) {
		return dt_fail(err, errlen, -ENODATA, "%s: no snapshot or callstack sample inside "
			       "--time_range", name);
	} else {
		return dt_fail(err, errlen, -ENODATA, "%s: no DAMON snapshots and no callstack samples",
			       name);
	}
	if (tl->priv->has_window && !tl->has_damon) {
		tl->t_start_ns = tl->t_start_ns > tl->priv->win_start ? tl->t_start_ns :
				 tl->priv->win_start;
		tl->t_end_ns = tl->t_end_ns < tl->priv->win_end ? tl->t_end_ns : tl->priv->win_end;
	}
	if (tl->t_end_ns <= tl->t_start_ns + tl->columns)
		tl->t_end_ns = tl->t_start_ns + tl->columns;
	for (size_t c = 0; c < tl->columns; c++) {
		tl->priv->cols[c].wss_max = -1;
		tl->priv->cols[c].rss_max = -1;
	}
	dt_origin_result(&tl->origin, &tl->origin_ns);
	return 0;
}

/* Pass 1 of the record and of the perf script text: setup, clocks, guide,
 * span, threads, and the phases' first pass (the record's items and every
 * sample). */
static int build_pass1(struct dt_timeline *tl, struct pass1 *p1, struct perf_span *sp,
		       char *err, size_t errlen)
{
	struct dt_timeline_priv *pv = tl->priv;
	const struct dt_timeline_opts *o = pv->o;
	int rc = 0;

	dt_clock_readings_init(&p1->clocks);
	p1->use_stacks = !pv->perf_path || o->load.keep_record_stacks;
	p1->offset_ns = pv->perf_path ? 0 : o->load.time_offset_ns;
	pv->draw = o->draw_range;
	if (pv->record_path && pv->draw == DT_TIMELINE_WORKED && !o->has_address_range &&
	    (rc = dt_framer_new(&p1->framer, 0, 0, err, errlen)))
		return rc;
	if (pv->record_path) {
		rc = record_pass(tl, "record pass 1", pass1_item, p1, err, errlen);
		if (!rc)
			rc = dt_heat_guides_finish(&p1->guides, err, errlen);
		if (rc)
			return rc;
		tl->has_damon = tl->nr_snapshots > 0;
		if (!p1->use_stacks && p1->nr_record_stacks)
			warn(tl, "%s: its %" PRIu64 " callstack samples are replaced by those of %s "
			     "(--keep-record-stacks keeps both)", o->load.record_path,
			     p1->nr_record_stacks, o->load.perf_script_path);
	}
	if (pv->perf_path) {
		rc = perf_pass1(tl, sp, err, errlen);
		if (rc)
			return rc;
		align_perf(tl, p1, sp);
		if (tl->has_damon)
			rc = perf_samples(tl, 1, tl->align.offset_ns, err, errlen);
	} else if (o->load.time_offset_set) {
		tl->align.method = DT_ALIGN_FORCED;
		tl->align.offset_ns = o->load.time_offset_ns;
	}
	tl->weight_is_ns = !pv->any_unweighted && !pv->any_not_time;
	if (!rc)
		rc = dt_phases_end_pass1(tl->phases, err, errlen);
	return rc;
}

/* Pass 2 (and 3 when the grid had to wait), then the perf samples. */
static int build_passes(struct dt_timeline *tl, struct pass1 *p1, char *err, size_t errlen)
{
	struct dt_timeline_priv *pv = tl->priv;
	const struct dt_timeline_opts *o = pv->o;
	struct pass23 p2 = { 0 }, p3 = { 0 };
	const struct dt_heat_guide *gd = NULL;
	size_t hottest = 0;
	int grid_later = 0, rc = 0;

	p2.use_stacks = p1->use_stacks && p1->nr_record_stacks;
	p2.offset_ns = p1->offset_ns;
	if (tl->has_damon) {
		p2.guides = &p1->guides;
		p2.phases = 1;
		gd = pick_guide(o, &p1->guides);
		if (!gd && o->has_target)
			return dt_fail(err, errlen, -ENOENT, "%s: no target with id %" PRIu64,
				       o->load.record_path, o->target_id);
		if (gd && p1->framer) {
			rc = dt_framer_result(p1->framer, gd->target.kdamond, gd->target.context,
					      gd->target.target, &tl->frame, err, errlen);
			if (rc)
				return rc;
			if (!tl->frame.nr) /* nothing accessed: damo's choice */
				pv->draw = DT_TIMELINE_HOTTEST;
		}
		/* the hottest area: drawn, or the base of a guided address range */
		int need_heat = gd && gd->nr_areas > 1 &&
				(o->address_guided || (!o->has_address_range &&
				 pv->draw != DT_TIMELINE_MAPPED && pv->draw != DT_TIMELINE_WORKED));
		int heat_known = need_heat && gd->heats_known;
		p2.heat = need_heat && !heat_known;
		if (heat_known)
			hottest = dt_heat_guide_hottest(gd);
		if (gd && gd->nr_areas) {
			if (!need_heat || (heat_known && pv->draw == DT_TIMELINE_HOTTEST)) {
				rc = setup_grid(tl, gd, hottest, err, errlen);
				p2.grid = tl->has_grid;
			} else {
				grid_later = 1;
			}
		}
	}
	if (!rc && (tl->has_damon || p2.use_stacks))
		rc = record_pass(tl, "record pass 2", pass23_item, &p2, err, errlen);
	if (!rc && pv->perf_path)
		rc = perf_samples(tl, 2, tl->align.offset_ns, err, errlen);
	if (!rc)
		rc = dt_phases_finish(tl->phases, err, errlen);
	if (rc || !tl->has_damon)
		return rc;
	if (p2.heat)
		hottest = dt_heat_guide_hottest(gd);
	tl->nr_aggrs = dt_phases_nr_aggrs(tl->phases);
	tl->peak_wss = dt_phases_peak(tl->phases);
	if (grid_later)
		rc = setup_grid(tl, gd, hottest, err, errlen);
	p3.grid = grid_later && tl->has_grid;
	if (!rc && p3.grid)
		rc = record_pass(tl, "record pass 3", pass23_item, &p3, err, errlen);
	return rc;
}

static int build_finish(struct dt_timeline *tl, char *err, size_t errlen)
{
	struct dt_timeline_priv *pv = tl->priv;

	for (size_t c = 0; c < tl->columns; c++) {
		const struct column *col = &pv->cols[c];
		tl->wss_mean[c] = col->wss_cov > 0 ? col->wss_sum / col->wss_cov : NAN;
		tl->wss_max[c] = col->wss_cov > 0 ? col->wss_max : NAN;
		/* RSS holds from one footprint to the next: a column without
		 * one shows the last before it. */
		tl->rss_max[c] = col->rss_max >= 0 ? col->rss_max : c ? tl->rss_max[c - 1] : NAN;
	}
	if (finish_flame(tl))
		return dt_fail(err, errlen, -ENOMEM, "out of memory");
	if (pv->dropped_paths)
		warn(tl, "flame chart: more than %d call paths in one time column; the rarer "
		     "ones are left out", DT_TIMELINE_MAX_PATHS_PER_COLUMN);
	if (tl->has_damon && tl->nr_samples) {
		uint64_t inside = 0;
		for (size_t k = 0; k < dt_phases_count(tl->phases); k++)
			inside += dt_phases_get(tl->phases, k)->nr_samples;
		if (!inside && dt_phases_count(tl->phases))
			warn(tl, "no callstack sample falls inside a phase; check the clocks "
			     "(--time-offset)");
	}
	return 0;
}

struct span {
	int have;
	uint64_t first, last;
};

static int span_item(struct dt_timeline *tl, void *ctx, const struct dtr_item *it, char *err,
		     size_t errlen)
{
	struct span *sp = ctx;

	(void)tl;
	(void)err;
	(void)errlen;
	if (it->type != DTR_ITEM_SNAPSHOT)
		return 0;
	if (!sp->have || it->u.snapshot.start_ns < sp->first)
		sp->first = it->u.snapshot.start_ns;
	if (!sp->have || it->u.snapshot.end_ns > sp->last)
		sp->last = it->u.snapshot.end_ns;
	sp->have = 1;
	return 0;
}

/* --time_range into [win_start, win_end): a pass over the record first
 * when the range counts from its snapshots ("guided", "guided_end"). */
static int time_window(struct dt_timeline *tl, char *err, size_t errlen)
{
	struct dt_timeline_priv *pv = tl->priv;
	const struct dt_time_range *r = &pv->o->time_range;
	struct span sp = { 0 };
	struct dt_damo_num gs = { 0 }, ge = { 0 }, out[2];
	int rc = 0;

	if (!pv->o->has_time_range)
		return 0;
	if (r->base == DT_RANGE_BASE_GUIDED || r->base == DT_RANGE_BASE_GUIDED_END) {
		if (pv->record_path)
			rc = record_pass(tl, "time range", span_item, &sp, err, errlen);
		if (!rc && !sp.have)
			return dt_fail(err, errlen, -EINVAL, "--time_range: '%s' counts from the "
				       "record's snapshots, and there are none",
				       r->base == DT_RANGE_BASE_GUIDED ? "guided" : "guided_end");
		gs.i = (int64_t)sp.first;
		ge.i = (int64_t)sp.last;
	}
	if (!rc)
		rc = dt_time_range_resolve(r, &gs, &ge, out, err, errlen);
	if (rc)
		return rc;
	int64_t a = dt_damo_num_trunc(&out[0]), b = dt_damo_num_trunc(&out[1]);
	if (b <= a || b <= 0)
		return dt_fail(err, errlen, -EINVAL, "--time_range: an empty range");
	pv->has_window = 1;
	pv->win_start = a < 0 ? 0 : (uint64_t)a;
	pv->win_end = (uint64_t)b;
	return 0;
}

int dt_timeline_build(struct dt_timeline **out, const struct dt_timeline_opts *o, char *err,
		      size_t errlen)
{
	struct dt_timeline *tl = calloc(1, sizeof(*tl));
	struct dt_timeline_priv *pv = calloc(1, sizeof(*pv));
	struct pass1 p1;
	struct perf_span sp = { 0 };
	int rc;

	memset(&p1, 0, sizeof(p1));
	if (!tl || !pv) {
		free(tl);
		free(pv);
		return dt_fail(err, errlen, -ENOMEM, "out of memory");
	}
	tl->priv = pv;
	rc = build_init(tl, o, err, errlen);
	if (!rc)
		rc = time_window(tl, err, errlen);
	if (!rc)
		rc = build_pass1(tl, &p1, &sp, err, errlen);
	if (!rc)
		rc = time_axis(tl, &p1, &sp, p1.use_stacks && p1.nr_record_stacks, err, errlen);
	if (!rc)
		rc = pick_thread(tl, err, errlen);
	if (!rc)
		rc = build_passes(tl, &p1, err, errlen);
	if (!rc)
		rc = build_finish(tl, err, errlen);
	if (rc) {
		name_spooled(pv, err, errlen);
		dt_timeline_free(tl);
		tl = NULL;
	}
	dt_heat_guides_free(&p1.guides);
	dt_framer_free(p1.framer);
	*out = tl;
	return rc;
}

void dt_timeline_free(struct dt_timeline *tl)
{
	if (!tl)
		return;
	struct dt_timeline_priv *pv = tl->priv;
	if (pv) {
		dt_perf_event_choice_free(&pv->events);
		for (int i = 0; i < 2; i++)
			dt_input_spool_release(&pv->spool[i]);
		dt_intern_free(&pv->in);
		dt_rss_free(&pv->rss);
		free(pv->thread_weight);
		free(pv->thread_count);
		if (pv->cols)
			for (size_t c = 0; c < tl->columns; c++) {
				dt_hashmap_free(&pv->cols[c].map);
				free(pv->cols[c].v);
			}
		free(pv->cols);
		free(pv->rec_map);
		free(pv->scratch);
		free(pv);
	}
	dt_phases_free(tl->phases);
	free(tl->wss_mean);
	free(tl->wss_max);
	free(tl->rss_max);
	if (tl->has_grid)
		dt_heat_grid_free(&tl->grid);
	dt_maps_copy_free(&tl->maps);
	dt_frame_free(&tl->frame);
	free(tl->boxes);
	free(tl);
}

const char *dt_timeline_frame_symbol(const struct dt_timeline *tl, uint32_t frame)
{
	return frame < tl->priv->in.nr_frames ? tl->priv->in.frames[frame].symbol : "";
}

const char *dt_timeline_frame_dso(const struct dt_timeline *tl, uint32_t frame)
{
	return frame < tl->priv->in.nr_frames ? tl->priv->in.frames[frame].dso : "";
}

double dt_timeline_column_s(const struct dt_timeline *tl, double col)
{
	return col * (double)(tl->t_end_ns - tl->t_start_ns) / (double)tl->columns / 1e9 +
	       ((double)tl->t_start_ns - (double)tl->origin_ns) / 1e9;
}

/* ------------------------------------------------------------ reports */

static double rel_s(const struct dt_timeline *tl, uint64_t t)
{
	return t >= tl->origin_ns ? (double)(t - tl->origin_ns) / 1e9
				  : -(double)(tl->origin_ns - t) / 1e9;
}

static void print_header(FILE *out, const struct dt_timeline *tl)
{
	const struct dt_phases_quality *q = dt_phases_quality(tl->phases);

	fprintf(out, "# time zero %" PRIu64 " ns %s (the record's start); times in s from it\n",
		tl->origin_ns, dt_origin_clock_name(&tl->origin));
	if (tl->has_damon) {
		fprintf(out, "# recording: aggregation %.0f ms measured", q->aggr_measured_ns / 1e6);
		if (q->aggr_ns)
			fprintf(out, " (nominal %.0f ms)", q->aggr_ns / 1e6);
		fprintf(out, "; %" PRIu64 " of %" PRIu64 " snapshots lost DAMON events",
			q->nr_incomplete, q->nr_snapshots);
		if (q->nr_samples)
			fprintf(out, "; %" PRIu64 " callstack samples, %.0f-%.0f/s", q->nr_samples,
				q->rate_low, q->rate_high);
		fputc('\n', out);
	}
	for (size_t i = 0; i < q->nr_warnings; i++)
		fprintf(out, "# warning: %s\n", q->warnings[i]);
}

static void print_ranges(FILE *out, const struct dt_phase *p)
{
	char size[32];

	if (!p->nr_ranges)
		return;
	const struct dt_phase_range *r = &p->ranges[0];
	dt_format_bytes(size, sizeof(size), r->end - r->start);
	/* names from the record: escaped, no raw control bytes */
	fprintf(out, ", hot 0x%" PRIx64 "+%s (", r->start, size);
	dt_fputs_safe(r->kind, out);
	if (*r->path) {
		fputc(' ', out);
		dt_fputs_safe(r->path, out);
	}
	fputc(')', out);
	if (p->nr_ranges > 1)
		fprintf(out, " and %zu more", p->nr_ranges - 1);
}

static void print_top(FILE *out, const struct dt_timeline *tl, const struct dt_phase *p,
		      size_t max)
{
	if (!p->nr_top) {
		fprintf(out, "; %s", tl->nr_samples ? "no callstack samples" : "no callstacks");
		return;
	}
	fprintf(out, "; top:");
	for (size_t i = 0; i < p->nr_top && i < max; i++) {
		fprintf(out, "%s ", i ? "," : "");
		dt_fputs_safe(p->top[i].symbol, out);
		fprintf(out, " %.0f%%", 100 * p->top[i].share);
	}
}

/* "[2.91-4.10 s] (±0.10, ±0.20)" */
static void print_span(FILE *out, const struct dt_timeline *tl, const struct dt_phase *p)
{
	fprintf(out, "[%.2f-%.2f s] (±%.2f, ±%.2f)", rel_s(tl, p->start_ns), rel_s(tl, p->end_ns),
		p->start_pm_ns / 1e9, p->end_pm_ns / 1e9);
}

static void print_segment(FILE *out, const struct dt_timeline *tl, const struct dt_phase *p,
			  size_t max)
{
	char wss[32], pat[96];

	if (!p->number) {
		fputs("idle ", out);
		print_span(out, tl, p);
		fputc('\n', out);
		return;
	}
	dt_format_bytes(wss, sizeof(wss), p->wss_mean);
	fprintf(out, "phase %u ", p->number);
	print_span(out, tl, p);
	fputc(' ', out);
	dt_fputs_safe(p->name, out);
	fprintf(out, "%s%s, WSS %s", *p->name ? ": " : "", dt_phase_pattern_text(p, pat, sizeof(pat)),
		wss);
	print_ranges(out, p);
	print_top(out, tl, p, max);
	fputc('\n', out);
}

/* Threads in different phases at once: each one's segments. */
static void print_lanes(FILE *out, const struct dt_timeline *tl)
{
	size_t n = dt_phases_nr_lanes(tl->phases);

	if (n)
		fputs("threads in different phases at once:\n", out);
	for (size_t l = 0; l < n; l++) {
		const struct dt_phase_lane *ln = dt_phases_lane(tl->phases, l);
		fprintf(out, "lane %" PRId32 "/%" PRId32 ":", ln->pid, ln->tid);
		for (size_t i = 0; i < ln->nr; i++) {
			const struct dt_phase *p = &ln->v[i];
			fprintf(out, "%s [%.2f-%.2f s] ", i ? ";" : "", rel_s(tl, p->start_ns),
				rel_s(tl, p->end_ns));
			dt_fputs_safe(!p->number ? "idle" : *p->name ? p->name : "?", out);
		}
		fputc('\n', out);
	}
}

int dt_timeline_print_report(FILE *out, const struct dt_timeline *tl)
{
	size_t n = dt_phases_nr_segments(tl->phases), max = top_functions(tl->priv->o);

	print_header(out, tl);
	if (!dt_phases_count(tl->phases))
		fprintf(out, "no phases%s\n", tl->has_damon ? "" : " (no DAMON snapshots)");
	for (size_t k = 0; k < n && dt_phases_count(tl->phases); k++)
		print_segment(out, tl, dt_phases_segment(tl->phases, k), max);
	print_lanes(out, tl);
	return ferror(out) ? -EIO : 0;
}

static void json_str(FILE *out, const char *s)
{
	dt_json_string(out, s);
}

static void json_num(FILE *out, double v)
{
	if (isfinite(v))
		fprintf(out, "%.6g", v);
	else
		fputs("null", out);
}

char *dt_timeline_heat_area_name(const struct dt_timeline *tl, size_t k, char *buf, size_t len)
{
	const struct dt_heat_grid *g = &tl->grid;
	size_t n = g->pieces ? g->nr_pieces : 1;
	*buf = '\0';
	if (!tl->has_grid || k >= n)
		return buf;
	if (tl->priv->draw == DT_TIMELINE_WORKED && tl->frame.nr == n) {
		snprintf(buf, len, "%s", tl->frame.areas[k].name);
		return buf;
	}
	return dt_maps_name_range(buf, len, &tl->maps, g->pieces ? g->pieces[k].start : tl->heat_start,
				  g->pieces ? g->pieces[k].end : tl->heat_end);
}

/* The heatmap's areas: address span, name and address cells of each (the
 * share of the axis it gets; gaps between areas are collapsed). */
static void print_heat_areas(FILE *out, const struct dt_timeline *tl)
{
	const struct dt_heat_grid *g = &tl->grid;
	size_t n = g->pieces ? g->nr_pieces : 1;
	for (size_t i = 0; i < n; i++) {
		uint64_t a = g->pieces ? g->pieces[i].start : tl->heat_start;
		uint64_t b = g->pieces ? g->pieces[i].end : tl->heat_end;
		char name[96];
		dt_timeline_heat_area_name(tl, i, name, sizeof(name));
		fprintf(out, "%s{\"start\":\"0x%" PRIx64 "\",\"end\":\"0x%" PRIx64 "\",\"name\":",
			i ? "," : "", a, b);
		json_str(out, name);
		fprintf(out, ",\"cells\":%zu}", g->pieces ? g->piece_rows[i] : g->a_resol);
	}
	fprintf(out, "],\"cells\":%zu", g->a_resol);
}

static void json_ranges(FILE *out, const struct dt_phase *p)
{
	fputs(",\"hot_ranges\":[", out);
	for (size_t i = 0; i < p->nr_ranges; i++) {
		const struct dt_phase_range *r = &p->ranges[i];
		fprintf(out, "%s{\"start\":\"0x%" PRIx64 "\",\"end\":\"0x%" PRIx64 "\","
			"\"bytes\":%" PRIu64 ",\"pid\":%" PRId32 ",\"target\":%" PRIu32
			",\"share\":", i ? "," : "", r->start, r->end, r->end - r->start,
			r->pid, r->target);
		json_num(out, r->share);
		fputs(",\"kind\":", out);
		json_str(out, r->kind);
		fputs(",\"path\":", out);
		json_str(out, r->path);
		fputc('}', out);
	}
	fputc(']', out);
}

static void json_functions(FILE *out, const struct dt_phase *p, size_t max)
{
	fputs(",\"name\":", out);
	json_str(out, p->name);
	fputs(",\"function\":", out);
	if (p->function)
		json_str(out, p->function);
	else
		fputs("null", out);
	fputs(",\"top_functions\":[", out);
	for (size_t i = 0; i < p->nr_top && i < max; i++) {
		fputs(i ? ",{\"name\":" : "{\"name\":", out);
		json_str(out, p->top[i].symbol);
		fputs(",\"dso\":", out);
		json_str(out, p->top[i].dso);
		fputs(",\"share\":", out);
		json_num(out, p->top[i].share);
		fputc('}', out);
	}
	fputc(']', out);
}

/* One segment (a phase when its number is not 0). */
static void json_segment(FILE *out, const struct dt_timeline *tl, const struct dt_phase *p,
			 size_t max)
{
	fprintf(out, "{\"number\":%u,\"start_s\":%.6f,\"end_s\":%.6f,\"start_ns\":%" PRIu64
		",\"end_ns\":%" PRIu64 ",\"uncertainty_s\":{\"start\":%.3f,\"end\":%.3f},"
		"\"reason\":", p->number, rel_s(tl, p->start_ns), rel_s(tl, p->end_ns),
		p->start_ns, p->end_ns, p->start_pm_ns / 1e9, p->end_pm_ns / 1e9);
	json_str(out, p->reason);
	fputs(",\"pattern\":", out);
	json_str(out, dt_seg_pattern_name(p->pattern));
	if (p->pattern == DT_SEG_SWEEP || p->pattern == DT_SEG_GROWTH) {
		fprintf(out, ",\"range\":{\"start\":\"0x%" PRIx64 "\",\"end\":\"0x%" PRIx64
			"\"},\"speed_bytes_per_s\":", p->range_start, p->range_end);
		json_num(out, p->speed);
	}
	fprintf(out, ",\"aggregations\":%u,\"wss\":{\"mean\":%" PRIu64 ",\"min\":%" PRIu64
		",\"max\":%" PRIu64 "}", p->nr_aggrs, p->wss_mean, p->wss_min, p->wss_max);
	json_ranges(out, p);
	fprintf(out, ",\"samples\":%" PRIu64, p->nr_samples);
	json_functions(out, p, max);
	fputc('}', out);
}

static void json_quality(FILE *out, const struct dt_timeline *tl)
{
	const struct dt_phases_quality *q = dt_phases_quality(tl->phases);

	fprintf(out, ",\"quality\":{\"aggr_ns\":%" PRIu64 ",\"aggr_measured_ns\":%" PRIu64
		",\"sample_ns\":%" PRIu64 ",\"update_ns\":%" PRIu64 ",\"snapshots\":%" PRIu64
		",\"incomplete_snapshots\":%" PRIu64 ",\"stack_samples\":%" PRIu64
		",\"sample_rate\":{\"low\":", q->aggr_ns, q->aggr_measured_ns, q->sample_ns,
		q->update_ns, q->nr_snapshots, q->nr_incomplete, q->nr_samples);
	json_num(out, q->rate_low);
	fputs(",\"high\":", out);
	json_num(out, q->rate_high);
	fprintf(out, "},\"period_ns\":%" PRIu64 ",\"warnings\":[", q->period_ns);
	for (size_t i = 0; i < q->nr_warnings; i++) {
		if (i)
			fputc(',', out);
		json_str(out, q->warnings[i]);
	}
	fputs("]}", out);
}

static void json_lanes(FILE *out, const struct dt_timeline *tl, size_t max)
{
	fputs(",\"lanes\":[", out);
	for (size_t l = 0; l < dt_phases_nr_lanes(tl->phases); l++) {
		const struct dt_phase_lane *ln = dt_phases_lane(tl->phases, l);
		fprintf(out, "%s{\"pid\":%" PRId32 ",\"tid\":%" PRId32 ",\"samples\":%" PRIu64
			",\"segments\":[", l ? "," : "", ln->pid, ln->tid, ln->samples);
		for (size_t i = 0; i < ln->nr; i++) {
			if (i)
				fputc(',', out);
			json_segment(out, tl, &ln->v[i], max);
		}
		fputs("]}", out);
	}
	fputc(']', out);
}

int dt_timeline_print_json(FILE *out, const struct dt_timeline *tl)
{
	size_t n = dt_phases_nr_segments(tl->phases), max = top_functions(tl->priv->o);
	fprintf(out, "{\"time_zero_ns\":%" PRIu64 ",\"clock\":", tl->origin_ns);
	json_str(out, dt_origin_clock_name(&tl->origin));
	fprintf(out, ",\"start_ns\":%" PRIu64 ",\"end_ns\":%" PRIu64 ",\"start_s\":%.6f,"
		"\"duration_s\":%.6f,"
		"\"snapshots\":%" PRIu64 ",\"aggregations\":%" PRIu64 ",\"peak_wss\":%" PRIu64 ","
		"\"stacks\":{\"samples\":%" PRIu64 ",\"from_record\":%" PRIu64
		",\"from_perf_script\":%" PRIu64 ",\"weight_unit\":\"%s\",\"alignment\":\"%s\","
		"\"offset_ns\":%" PRId64 "},",
		tl->t_start_ns, tl->t_end_ns, rel_s(tl, tl->t_start_ns), rel_s(tl, tl->t_end_ns),
		tl->nr_snapshots, tl->nr_aggrs, tl->peak_wss, tl->nr_samples, tl->nr_record_samples,
		tl->nr_perf_samples, tl->weight_is_ns ? "ns" : "samples",
		dt_align_method_name(tl->align.method), tl->align.offset_ns);
	if (tl->has_thread) {
		fprintf(out, "\"thread\":{\"pid\":%" PRId32 ",\"tid\":%" PRId32 ",\"comm\":", tl->pid,
			tl->tid);
		json_str(out, tl->comm);
		fputs("},", out);
	} else {
		fputs("\"thread\":null,", out);
	}
	fputs("\"phases\":[", out);
	for (size_t k = 0; k < dt_phases_count(tl->phases); k++) {
		if (k)
			fputc(',', out);
		json_segment(out, tl, dt_phases_get(tl->phases, k), max);
	}
	fputs("],\"segments\":[", out);
	for (size_t k = 0; k < n; k++) {
		if (k)
			fputc(',', out);
		json_segment(out, tl, dt_phases_segment(tl->phases, k), max);
	}
	fputc(']', out);
	json_lanes(out, tl, max);
	json_quality(out, tl);
	fputs(",\"heatmap\":", out);
	if (tl->has_grid) {
		fprintf(out, "{\"choice\":\"%s\",\"target\":%" PRIu32 ",\"target_id\":\"%" PRIu64
			"\",\"pid\":%" PRId64 ",\"start\":\"0x%" PRIx64 "\",\"end\":\"0x%" PRIx64
			"\",\"bytes\":%" PRIu64 ",\"name\":", tl->heat_choice, tl->heat_target.target,
			tl->heat_target.id, tl->heat_target.pid,
			tl->heat_start, tl->heat_end, tl->heat_end - tl->heat_start);
		json_str(out, tl->heat_range_name);
		fputs(",\"areas\":[", out);
		print_heat_areas(out, tl);
		fputc('}', out);
	} else {
		fputs("null", out);
	}
	fputs(",\"warnings\":[", out);
	for (size_t i = 0; i < tl->nr_warnings; i++) {
		if (i)
			fputc(',', out);
		json_str(out, tl->warnings[i]);
	}
	fputs("]}\n", out);
	return ferror(out) ? -EIO : 0;
}
