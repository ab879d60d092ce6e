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

struct acc {
	uint32_t frame;
	uint64_t self, total, stamp;
};

struct phase_acc {
	struct dt_hashmap map;
	uint32_t nr;
	size_t cap;
	struct acc *v;
};

/* Callstack sums of one candidate phase while the record streams by. */
struct cand {
	uint64_t serial;
	struct phase_acc pa;
	uint64_t weight, nr_samples;
};

/* A sample waiting for the phases to be judged up to its time. */
struct held {
	uint64_t time_ns, w;
	uint32_t nr, off; /* frames: held_frames[off, off + nr) */
};

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
	size_t cap_frame_sums;
	uint64_t *global_total, *global_stamp; /* per frame */
	uint64_t all_weight, stamp;
	size_t cap_thread_sums;
	uint64_t *thread_weight, *thread_count; /* per thread */
	int has_root_frame;       /* root_frame: DT_ROOT_FRAME's id */
	uint32_t root_frame;
	int any_unweighted, any_not_time;
	/* phases */
	size_t nr_phase_acc;
	struct phase_acc *phase_acc;
	int phases_final;         /* samples go straight to their phases */
	int streaming;            /* samples go to candidate phases */
	int reattribute;          /* the record's samples wait for pass 3 */
	struct cand *cands;
	size_t nr_cands, cap_cands;
	struct held *held;        /* [held_head, nr_held), by time */
	size_t held_head, nr_held, cap_held;
	uint32_t *held_frames;
	size_t nr_held_frames, cap_held_frames;
	/* columns */
	struct column *cols;
	uint32_t max_depth;
	int dropped_paths;
	/* record frame id -> frame */
	uint32_t nr_rec_map;
	size_t cap_rec_map;
	uint32_t *rec_map;
	uint64_t items;
	const char *stage;
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

/* A frame is its symbol and dso (srclines are not told apart). */
static int intern_frame(struct dt_timeline_priv *pv, const char *symbol, const char *dso,
			uint32_t *id)
{
	if (dt_intern_frame(&pv->in, symbol, dso, NULL, id))
		return -ENOMEM;
	return grow_sums(&pv->global_total, &pv->global_stamp, &pv->cap_frame_sums, *id);
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
		rc = fn(tl, ctx, &it, err, errlen);
		if (rc < 0)
			break;
		progress(pv);
	}
	dt_input_close(in);
	return rc < 0 ? rc : 0;
}

struct pass1 {
	struct dt_phase_peak peak;
	struct dt_heat_guides guides; /* with the areas' heats when the spans
				       * give them (heatmap.h) */
	struct dt_framer *framer;     /* the worked-on memory (framing.h) */
	struct dt_clock_readings clocks;
	uint64_t first_ns, last_ns;
	int use_stacks;
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

static int pass1_item(struct dt_timeline *tl, void *ctx, const struct dtr_item *it, char *err,
		      size_t errlen)
{
	struct pass1 *p1 = ctx;
	struct dt_timeline_priv *pv = tl->priv;
	dt_phase_peak_add(&p1->peak, it);
	dt_clock_readings_add(&p1->clocks, it);
	if (p1->framer && dt_framer_add(p1->framer, it, err, errlen))
		return -ENOMEM;
	switch (it->type) {
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
		if (p1->use_stacks &&
		    note_sample_thread(pv, it->u.stack.pid, it->u.stack.tid, NULL, it->u.stack.weight))
			return dt_fail(err, errlen, -ENOMEM, "out of memory");
		return 0;
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

static struct acc *phase_acc_of(struct phase_acc *pa, uint32_t frame)
{
	uint32_t i;
	if (dt_hashmap_get(&pa->map, frame, &i))
		return &pa->v[i];
	if (DT_GROW(pa->v, pa->cap, (size_t)pa->nr + 1))
		return NULL;
	if (dt_hashmap_put(&pa->map, frame, pa->nr))
		return NULL;
	pa->v[pa->nr] = (struct acc){ .frame = frame };
	return &pa->v[pa->nr++];
}

static void phase_acc_free(struct phase_acc *pa)
{
	dt_hashmap_free(&pa->map);
	free(pa->v);
	memset(pa, 0, sizeof(*pa));
}

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

/* One sample's frames (leaf first) into a phase's sums. */
static int phase_add_sample(struct dt_timeline_priv *pv, struct phase_acc *pa, uint64_t *weight,
			    uint64_t *nr_samples, uint64_t w, uint32_t nr, const uint32_t *frames)
{
	*weight += w;
	(*nr_samples)++;
	pv->stamp++;
	for (uint32_t i = 0; i < nr; i++) {
		struct acc *a = phase_acc_of(pa, frames[i]);
		if (!a)
			return -ENOMEM;
		if (!i)
			a->self += w;
		if (a->stamp != pv->stamp) {
			a->stamp = pv->stamp;
			a->total += w;
		}
	}
	return 0;
}

/* The final phase holding time_ns, when the phases are final. */
static int phase_attribute(struct dt_timeline *tl, uint64_t time_ns, uint64_t w, uint32_t nr,
			   const uint32_t *frames)
{
	struct dt_timeline_priv *pv = tl->priv;
	long ph = tl->has_damon ? dt_phases_find(tl->phases, time_ns) : -1;
	if (ph < 0 || (size_t)ph >= pv->nr_phase_acc)
		return 0;
	struct dt_timeline_phase *ps = &tl->phase_stacks[ph];
	return phase_add_sample(pv, &pv->phase_acc[ph], &ps->weight, &ps->nr_samples, w, nr,
				frames);
}

/* ---- while the record streams by, before the phases are final ----
 *
 * Each sample goes to the candidate phase holding its time as soon as the
 * detector has judged the aggregations up to it (dt_phases_locate); one
 * not judged yet waits in `held`.  A candidate dropped later takes its
 * sums with it.  When the aggregations overlap in time, or too many
 * samples wait (stacks written long before their snapshots), the samples
 * are attributed in another pass once the phases are final instead. */
#define DT_TIMELINE_HELD_SAMPLES (1u << 16)
#define DT_TIMELINE_HELD_FRAMES (1u << 20)

static void stream_stop(struct dt_timeline_priv *pv)
{
	for (size_t i = 0; i < pv->nr_cands; i++)
		phase_acc_free(&pv->cands[i].pa);
	free(pv->cands);
	free(pv->held);
	free(pv->held_frames);
	pv->cands = NULL;
	pv->held = NULL;
	pv->held_frames = NULL;
	pv->nr_cands = pv->cap_cands = pv->held_head = pv->nr_held = pv->cap_held = 0;
	pv->nr_held_frames = pv->cap_held_frames = 0;
	pv->streaming = 0;
}

static struct cand *cand_of(struct dt_timeline *tl, uint64_t serial)
{
	struct dt_timeline_priv *pv = tl->priv;
	if (pv->nr_cands && pv->cands[pv->nr_cands - 1].serial == serial)
		return &pv->cands[pv->nr_cands - 1];
	for (size_t i = 0; i < pv->nr_cands; i++)
		if (pv->cands[i].serial == serial)
			return &pv->cands[i];
	/* A new candidate: the ones dropped meanwhile go. */
	size_t n = 0;
	for (size_t i = 0; i < pv->nr_cands; i++) {
		if (dt_phases_candidate_kept(tl->phases, pv->cands[i].serial))
			pv->cands[n++] = pv->cands[i];
		else
			phase_acc_free(&pv->cands[i].pa);
	}
	pv->nr_cands = n;
	if (DT_GROW(pv->cands, pv->cap_cands, n + 1))
		return NULL;
	/* kept in serial order (candidates open one after another) */
	size_t at = n;
	while (at && pv->cands[at - 1].serial > serial)
		at--;
	memmove(pv->cands + at + 1, pv->cands + at, (n - at) * sizeof(*pv->cands));
	pv->cands[at] = (struct cand){ .serial = serial };
	pv->nr_cands++;
	return &pv->cands[at];
}

/* 1: attributed (or no phase holds it), 0: not judged yet, <0: error. */
static int stream_attribute(struct dt_timeline *tl, uint64_t time_ns, uint64_t w, uint32_t nr,
			    const uint32_t *frames)
{
	uint64_t serial;
	int where = dt_phases_locate(tl->phases, time_ns, &serial);
	if (where <= 0)
		return where < 0 ? 0 : 1;
	struct cand *c = cand_of(tl, serial);
	if (!c)
		return -ENOMEM;
	int rc = phase_add_sample(tl->priv, &c->pa, &c->weight, &c->nr_samples, w, nr, frames);
	return rc ? rc : 1;
}

static int hold(struct dt_timeline_priv *pv, uint64_t time_ns, uint64_t w, uint32_t nr,
		const uint32_t *frames)
{
	if (pv->nr_held - pv->held_head == DT_TIMELINE_HELD_SAMPLES ||
	    pv->nr_held_frames + nr > DT_TIMELINE_HELD_FRAMES) {
		stream_stop(pv);
		pv->reattribute = 1;
		return 0;
	}
	if (DT_GROW(pv->held, pv->cap_held, pv->nr_held + 1) ||
	    DT_GROW(pv->held_frames, pv->cap_held_frames, pv->nr_held_frames + nr))
		return -ENOMEM;
	memcpy(pv->held_frames + pv->nr_held_frames, frames, nr * sizeof(*frames));
	/* by time (samples come mostly in time order: usually appended) */
	size_t at = pv->nr_held;
	if (at > pv->held_head && pv->held[at - 1].time_ns > time_ns) {
		size_t lo = pv->held_head, hi = at;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (pv->held[mid].time_ns <= time_ns)
				lo = mid + 1;
			else
				hi = mid;
		}
		at = lo;
		memmove(pv->held + at + 1, pv->held + at, (pv->nr_held - at) * sizeof(*pv->held));
	}
	pv->held[at] = (struct held){ time_ns, w, nr, (uint32_t)pv->nr_held_frames };
	pv->nr_held++;
	pv->nr_held_frames += nr;
	return 0;
}

/* After a snapshot: the held samples the detector has now judged (the
 * earliest ones: a time is judged once the aggregations up to it are). */
static int stream_flush(struct dt_timeline *tl)
{
	struct dt_timeline_priv *pv = tl->priv;
	uint64_t serial;
	if (dt_phases_disordered(tl->phases)) {
		stream_stop(pv);
		pv->reattribute = 1;
		return 0;
	}
	while (pv->held_head < pv->nr_held &&
	       dt_phases_locate(tl->phases, pv->held[pv->held_head].time_ns, &serial) >= 0) {
		const struct held *h = &pv->held[pv->held_head++];
		int rc = stream_attribute(tl, h->time_ns, h->w, h->nr, pv->held_frames + h->off);
		if (rc < 0)
			return rc;
	}
	if (pv->held_head == pv->nr_held) {
		pv->held_head = pv->nr_held = pv->nr_held_frames = 0;
	} else if (pv->held_head > 4096 && pv->held_head > pv->nr_held - pv->held_head) {
		/* drop the attributed ones and their frames (into a new array:
		 * a sample held out of order has its frames further on) */
		uint32_t *frames = malloc((pv->cap_held_frames ? pv->cap_held_frames : 1) *
					  sizeof(*frames));
		if (!frames)
			return -ENOMEM;
		size_t n = 0, nf = 0;
		for (size_t i = pv->held_head; i < pv->nr_held; i++) {
			struct held h = pv->held[i];
			memcpy(frames + nf, pv->held_frames + h.off, h.nr * sizeof(*frames));
			h.off = (uint32_t)nf;
			nf += h.nr;
			pv->held[n++] = h;
		}
		free(pv->held_frames);
		pv->held_frames = frames;
		pv->held_head = 0;
		pv->nr_held = n;
		pv->nr_held_frames = nf;
	}
	return 0;
}

/* The phases are final: the candidates kept become their phases' sums,
 * the samples still held go to the phases holding them. */
static int stream_finish(struct dt_timeline *tl)
{
	struct dt_timeline_priv *pv = tl->priv;
	size_t c = 0;
	for (size_t k = 0; k < pv->nr_phase_acc; k++) {
		uint64_t serial = dt_phases_get(tl->phases, k)->candidate;
		while (c < pv->nr_cands && pv->cands[c].serial < serial)
			c++;
		if (c < pv->nr_cands && pv->cands[c].serial == serial) {
			pv->phase_acc[k] = pv->cands[c].pa;
			tl->phase_stacks[k].weight = pv->cands[c].weight;
			tl->phase_stacks[k].nr_samples = pv->cands[c].nr_samples;
			memset(&pv->cands[c].pa, 0, sizeof(pv->cands[c].pa));
		}
	}
	int rc = 0;
	for (size_t i = pv->held_head; i < pv->nr_held && !rc; i++)
		rc = phase_attribute(tl, pv->held[i].time_ns, pv->held[i].w, pv->held[i].nr,
				     pv->held_frames + pv->held[i].off);
	stream_stop(pv);
	return rc;
}

/* One callstack sample: frames are timeline frame ids, leaf first. */
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
	return intern_frame(pv, DT_ROOT_FRAME, "", &pv->root_frame);
}

static int add_sample(struct dt_timeline *tl, uint64_t time_ns, int32_t pid, int32_t tid,
		      uint64_t weight, uint32_t nr, const uint32_t *frames)
{
	struct dt_timeline_priv *pv = tl->priv;
	uint64_t w = pv->any_unweighted ? 1 : weight;
	int rc;
	tl->nr_samples++;
	pv->all_weight += w;
	pv->stamp++;
	for (uint32_t i = 0; i < nr; i++) {
		uint32_t f = frames[i];
		if (pv->global_stamp[f] != pv->stamp) {
			pv->global_stamp[f] = pv->stamp;
			pv->global_total[f] += w;
		}
	}
	if (pv->phases_final) {
		rc = phase_attribute(tl, time_ns, w, nr, frames);
		if (rc)
			return rc;
	} else if (pv->streaming) {
		rc = stream_attribute(tl, time_ns, w, nr, frames);
		if (rc < 0)
			return rc;
		if (!rc && hold(pv, time_ns, w, nr, frames))
			return -ENOMEM;
	}
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

/* Pass 2 reads, besides the phases, what does not wait for them: the
 * heatmap grid when its range is known (the guide's areas' heats summed in
 * pass 1: dt_heat_guides_finish, heats_known), and the record's
 * callstacks (phase sums as the phases stream by).  Pass 3, when needed,
 * reads what had to wait: the grid of the phases' areas, or of the hottest
 * area when pass 2 had to sum the heats; the callstacks' phases when they
 * could not stream. */
struct pass23 {
	struct dt_heat_guides *guides;
	int phases;            /* detect phases (pass 2) */
	int heat;              /* sum the areas' heats */
	int grid;              /* tl->grid */
	int use_stacks;        /* the record's callstacks: all of each sample */
	int stacks_phases;     /* the record's callstacks: only their phases */
	int64_t offset_ns;
	uint32_t *scratch;
	size_t cap_scratch;
};

static int record_stack(struct dt_timeline *tl, struct pass23 *p, const struct dtr_item *it,
			char *err, size_t errlen)
{
	struct dt_timeline_priv *pv = tl->priv;
	if (it->type == DTR_ITEM_FRAME) {
		const struct dtr_frame *f = &it->u.frame;
		if (!p->use_stacks) /* the second reading: frames known */
			return 0;
		if (DT_GROW(pv->rec_map, pv->cap_rec_map, (size_t)f->id + 1))
			return dt_fail(err, errlen, -ENOMEM, "out of memory");
		while (pv->nr_rec_map <= f->id)
			pv->rec_map[pv->nr_rec_map++] = UINT32_MAX;
		if (intern_frame(pv, f->symbol, f->dso, &pv->rec_map[f->id]))
			return dt_fail(err, errlen, -ENOMEM, "out of memory");
		return 0;
	}
	const struct dtr_stack *s = &it->u.stack;
	if (DT_GROW(p->scratch, p->cap_scratch, (size_t)s->nr_frames + 1))
		return dt_fail(err, errlen, -ENOMEM, "out of memory");
	for (uint32_t i = 0; i < s->nr_frames; i++) {
		uint32_t id = s->frames[i];
		if (id >= pv->nr_rec_map || pv->rec_map[id] == UINT32_MAX)
			return dt_fail(err, errlen, -EINVAL,
				    "%s: a callstack sample names frame %" PRIu32
				    " before its frame item", pv->record_path, id);
		p->scratch[i] = pv->rec_map[id];
	}
	int64_t t = (int64_t)s->time_ns + p->offset_ns;
	uint64_t at = t < 0 ? 0 : (uint64_t)t;
	int rc;
	if (p->use_stacks) {
		rc = add_sample(tl, at, s->pid, s->tid, s->weight, s->nr_frames, p->scratch);
		tl->nr_record_samples++;
	} else {
		rc = phase_attribute(tl, at, pv->any_unweighted ? 1 : s->weight, s->nr_frames,
				     p->scratch);
	}
	return rc ? dt_fail(err, errlen, -ENOMEM, "out of memory") : 0;
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
	if (it->type == DTR_ITEM_SNAPSHOT && pv->streaming && stream_flush(tl))
		return dt_fail(err, errlen, -ENOMEM, "out of memory");
	if ((p->use_stacks || p->stacks_phases) &&
	    (it->type == DTR_ITEM_FRAME || it->type == DTR_ITEM_STACK))
		return record_stack(tl, p, it, err, errlen);
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

static int perf_pass2(struct dt_timeline *tl, int64_t offset, char *err, size_t errlen)
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
	pv->stage = "perf script pass 2";
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
			    intern_frame(pv, f.symbol, f.dso, &map[nr_map])) {
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
		int64_t at = (int64_t)t + offset;
		if (add_sample(tl, at < 0 ? 0 : (uint64_t)at, s.pid, s.tid,
			       s.has_period ? s.period : 0, s.nr_frames, scratch)) {
			rc = dt_fail(err, errlen, -ENOMEM, "out of memory");
			break;
		}
		tl->nr_perf_samples++;
	}
	char note[320];
	if (rc >= 0 && dt_perf_script_cut_note(ps, note, sizeof(note)))
		warn(tl, "%s", note);
	dt_perf_script_close(ps);
	free(map);
	free(scratch);
	return rc < 0 ? rc : 0;
}

/* ------------------------------------------------------------ finishing */

/* The functions of phase k, ranked by the phases' one ranking
 * (dt_phases_set_functions): the named one first, then the next most
 * distinct; by total weight, naming none, when no frame is distinct. */
static int finish_phase(struct dt_timeline *tl, size_t k, uint32_t keep, char *err,
			size_t errlen)
{
	struct dt_timeline_priv *pv = tl->priv;
	const struct phase_acc *pa = &pv->phase_acc[k];
	struct dt_timeline_phase *ps = &tl->phase_stacks[k];
	struct dt_phase_frame_sums *sums = malloc((pa->nr ? pa->nr : 1) * sizeof(*sums));
	if (!sums)
		return dt_fail(err, errlen, -ENOMEM, "out of memory");
	for (uint32_t i = 0; i < pa->nr; i++)
		sums[i] = (struct dt_phase_frame_sums){ pa->v[i].frame, pa->v[i].self,
							pa->v[i].total,
							pv->global_total[pa->v[i].frame] };
	int rc = dt_phases_set_functions(tl->phases, k, sums, pa->nr, ps->weight,
					 ps->nr_samples, pv->all_weight, err, errlen);
	free(sums);
	if (rc)
		return rc;
	const struct dt_phase *p = dt_phases_get(tl->phases, k);
	const struct dt_phase_function *list = p->nr_top_distinct ? p->top_distinct : p->top_total;
	size_t n = p->nr_top_distinct ? p->nr_top_distinct : p->nr_top_total;
	ps->named = p->nr_top_distinct ? 0 : -1;
	ps->nr_top = n < keep ? n : keep;
	ps->top = calloc(ps->nr_top ? ps->nr_top : 1, sizeof(*ps->top));
	if (!ps->top)
		return dt_fail(err, errlen, -ENOMEM, "out of memory");
	for (size_t i = 0; i < ps->nr_top; i++)
		ps->top[i] = (struct dt_timeline_function){
			.frame = list[i].frame, .self = list[i].self, .total = list[i].total,
			.share = (double)list[i].total / (double)ps->weight,
			.self_share = (double)list[i].self / (double)ps->weight,
			.distinct = list[i].distinct,
		};
	return 0;
}

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
		rc = dt_heat_grid_init(&tl->grid, (int64_t)tl->t_start_ns, (int64_t)tl->t_end_ns,
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
		rc = dt_heat_grid_init(&tl->grid, (int64_t)tl->t_start_ns, (int64_t)tl->t_end_ns,
				       tl->columns, a, b, cells, NULL, 0, err, errlen);
		if (nr_pieces == 1 && tl->priv->draw == DT_TIMELINE_WORKED)
			snprintf(tl->heat_range_name, sizeof(tl->heat_range_name), "%s",
				 tl->frame.areas[0].name);
		else
			dt_maps_name_range(tl->heat_range_name, sizeof(tl->heat_range_name),
					   &tl->maps, a, b);
	}
	free(pieces);
	if (rc)
		return rc;
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

int dt_timeline_build(struct dt_timeline **out, const struct dt_timeline_opts *o, char *err,
		      size_t errlen)
{
	struct dt_timeline *tl = calloc(1, sizeof(*tl));
	struct dt_timeline_priv *pv = calloc(1, sizeof(*pv));
	struct pass1 p1;
	struct perf_span sp = { 0 };
	struct pass23 p2 = { 0 }, p3 = { 0 };
	int rc = 0;

	memset(&p1, 0, sizeof(p1));
	if (!tl || !pv) {
		free(tl);
		free(pv);
		return dt_fail(err, errlen, -ENOMEM, "out of memory");
	}
	tl->priv = pv;
	pv->spool[0].fd = pv->spool[1].fd = -1;
	if (dt_intern_init(&pv->in)) {
		rc = dt_fail(err, errlen, -ENOMEM, "out of memory");
		goto out;
	}
	pv->o = o;
	pv->record_path = o->load.record_path;
	pv->perf_path = o->load.perf_script_path;
	pv->max_depth = o->max_depth ? o->max_depth : 32;
	tl->columns = o->columns ? o->columns : 500;
	if (!pv->record_path && !pv->perf_path) {
		rc = dt_fail(err, errlen, -EINVAL, "no input: give a record or perf script text");
		goto out;
	}
	if (pv->record_path && pv->perf_path && !strcmp(pv->record_path, "-") &&
	    !strcmp(pv->perf_path, "-")) {
		rc = dt_fail(err, errlen, -EINVAL, "the record and the perf script cannot both be stdin");
		goto out;
	}
	if (pv->record_path && !(rc = dt_input_spool(&pv->spool[0], pv->record_path, err, errlen)))
		pv->record_path = pv->spool[0].path;
	if (!rc && pv->perf_path && !(rc = dt_input_spool(&pv->spool[1], pv->perf_path, err, errlen)))
		pv->perf_path = pv->spool[1].path;
	if (rc)
		goto out;
	pv->cols = calloc(tl->columns, sizeof(*pv->cols));
	tl->wss_mean = malloc(tl->columns * sizeof(double));
	tl->wss_max = malloc(tl->columns * sizeof(double));
	tl->rss_max = malloc(tl->columns * sizeof(double));
	if (!pv->cols || !tl->wss_mean || !tl->wss_max || !tl->rss_max) {
		rc = dt_fail(err, errlen, -ENOMEM, "out of memory");
		goto out;
	}
	rc = dt_phases_new(&tl->phases, &o->load.phase, err, errlen);
	if (rc)
		goto out;

	/* Pass 1: setup, clocks, peak, guide, span, threads. */
	dt_clock_readings_init(&p1.clocks);
	dt_phase_peak_init(&p1.peak, o->load.phase.min_accesses);
	p1.use_stacks = !pv->perf_path || o->load.keep_record_stacks;
	pv->draw = o->draw_range;
	if (pv->record_path && pv->draw == DT_TIMELINE_WORKED && !o->has_address_range)
		rc = dt_framer_new(&p1.framer, 0, 0, err, errlen);
	if (rc)
		goto out;
	if (pv->record_path) {
		rc = record_pass(tl, "record pass 1", pass1_item, &p1, err, errlen);
		if (!rc)
			rc = dt_heat_guides_finish(&p1.guides, err, errlen);
		if (rc)
			goto out;
		tl->has_damon = tl->nr_snapshots > 0;
		if (!p1.use_stacks && p1.nr_record_stacks)
			warn(tl, "%s: its %" PRIu64 " callstack samples are replaced by those of %s "
			     "(--keep-record-stacks keeps both)", o->load.record_path,
			     p1.nr_record_stacks, o->load.perf_script_path);
	}
	if (pv->perf_path) {
		rc = perf_pass1(tl, &sp, err, errlen);
		if (rc)
			goto out;
		struct dt_align_request req = { 0 };
		req.forced = o->load.time_offset_set;
		req.offset_ns = o->load.time_offset_ns;
		req.samples_clock = o->load.perf_clock ? o->load.perf_clock : sp.clock;
		req.have_samples = sp.have;
		req.samples_first_ns = sp.first;
		req.samples_last_ns = sp.last;
		dt_clock_align(&p1.clocks, &req, &tl->align);
		if (tl->align.warning[0])
			warn(tl, "%s", tl->align.warning);
	} else if (o->load.time_offset_set) {
		tl->align.method = DT_ALIGN_FORCED;
		tl->align.offset_ns = o->load.time_offset_ns;
	}
	p3.use_stacks = p1.use_stacks && p1.nr_record_stacks;
	p3.offset_ns = pv->perf_path ? 0 : tl->align.offset_ns;
	tl->weight_is_ns = !pv->any_unweighted && !pv->any_not_time;

	/* The time axis. */
	if (tl->has_damon) {
		tl->t_start_ns = p1.first_ns;
		tl->t_end_ns = p1.last_ns;
	} else if (sp.have || (p3.use_stacks && p1.have_stacks)) {
		warn(tl, "%s: no DAMON snapshots: no WSS, heatmap or phases",
		     pv->record_path ? o->load.record_path : o->load.perf_script_path);
		uint64_t first = UINT64_MAX, last = 0;
		if (sp.have) {
			int64_t a = (int64_t)sp.first + tl->align.offset_ns;
			int64_t b = (int64_t)sp.last + tl->align.offset_ns;
			first = (uint64_t)(a < 0 ? 0 : a);
			last = (uint64_t)(b < 0 ? 0 : b);
		}
		if (p3.use_stacks && p1.have_stacks) {
			int64_t a = (int64_t)p1.stack_first + p3.offset_ns;
			int64_t b = (int64_t)p1.stack_last + p3.offset_ns;
			if ((uint64_t)(a < 0 ? 0 : a) < first)
				first = (uint64_t)(a < 0 ? 0 : a);
			if ((uint64_t)(b < 0 ? 0 : b) > last)
				last = (uint64_t)(b < 0 ? 0 : b);
		}
		tl->t_start_ns = first;
		tl->t_end_ns = last + 1;
	} else {
		rc = dt_fail(err, errlen, -ENODATA, "%s: no DAMON snapshots and no callstack samples",
			  pv->record_path ? o->load.record_path : o->load.perf_script_path);
		goto out;
	}
	if (tl->t_end_ns <= tl->t_start_ns + tl->columns)
		tl->t_end_ns = tl->t_start_ns + tl->columns;
	for (size_t c = 0; c < tl->columns; c++) {
		pv->cols[c].wss_max = -1;
		pv->cols[c].rss_max = -1;
	}
	rc = pick_thread(tl, err, errlen);
	if (rc)
		goto out;

	/* Pass 2: phases and WSS columns; the heatmap grid when its range is
	 * known (else the areas' heats), and the record's callstacks.  Pass 3:
	 * what had to wait for the phases or the hottest area. */
	const struct dt_heat_guide *gd = NULL;
	size_t hottest = 0;
	int grid_later = 0;
	p2.use_stacks = p3.use_stacks;
	p2.offset_ns = p3.offset_ns;
	p3.use_stacks = 0;
	if (tl->has_damon) {
		struct dt_phase_params params = o->load.phase;
		p2.guides = &p1.guides;
		p2.phases = 1;
		if (!params.peak_wss)
			params.peak_wss = dt_phase_peak_result(&p1.peak);
		if (params.max_functions < top_functions(o))
			params.max_functions = top_functions(o);
		dt_phases_free(tl->phases);
		tl->phases = NULL;
		rc = dt_phases_new(&tl->phases, &params, err, errlen);
		if (rc)
			goto out;
		dt_phases_set_aggr_callback(tl->phases, on_aggr, tl);
		gd = pick_guide(o, &p1.guides);
		if (!gd && o->has_target) {
			rc = dt_fail(err, errlen, -ENOENT, "%s: no target with id %" PRIu64,
				  o->load.record_path, o->target_id);
			goto out;
		}
		if (gd && p1.framer) {
			rc = dt_framer_result(p1.framer, gd->target.kdamond, gd->target.context,
					      gd->target.target, &tl->frame, err, errlen);
			if (rc)
				goto out;
			if (!tl->frame.nr) /* nothing accessed: damo's choice */
				pv->draw = DT_TIMELINE_HOTTEST;
		}
		int need_heat = gd && gd->nr_areas > 1 && !o->has_address_range &&
				pv->draw != DT_TIMELINE_MAPPED && pv->draw != DT_TIMELINE_WORKED;
		int heat_known = need_heat && gd->heats_known;
		p2.heat = need_heat && !heat_known;
		if (heat_known)
			hottest = dt_heat_guide_hottest(gd);
		if (gd && gd->nr_areas) {
			if (!need_heat || (heat_known && pv->draw == DT_TIMELINE_HOTTEST)) {
				rc = setup_grid(tl, gd, hottest, err, errlen);
				if (rc)
					goto out;
				p2.grid = tl->has_grid;
			} else {
				grid_later = 1;
			}
		}
		pv->streaming = p2.use_stacks;
	} else {
		rc = dt_phases_finish(tl->phases, err, errlen);
		if (rc)
			goto out;
		pv->phases_final = 1;
	}
	if (tl->has_damon || p2.use_stacks) {
		rc = record_pass(tl, "record pass 2", pass23_item, &p2, err, errlen);
		if (rc)
			goto out;
	}
	if (tl->has_damon) {
		rc = dt_phases_finish(tl->phases, err, errlen);
		if (rc)
			goto out;
		if (p2.heat)
			hottest = dt_heat_guide_hottest(gd);
		tl->nr_aggrs = dt_phases_nr_aggrs(tl->phases);
		tl->peak_wss = dt_phases_peak(tl->phases);
		if (grid_later) {
			rc = setup_grid(tl, gd, hottest, err, errlen);
			if (rc)
				goto out;
		}
	}
	pv->nr_phase_acc = dt_phases_count(tl->phases);
	pv->phase_acc = calloc(pv->nr_phase_acc + 1, sizeof(*pv->phase_acc));
	tl->phase_stacks = calloc(pv->nr_phase_acc + 1, sizeof(*tl->phase_stacks));
	if (!pv->phase_acc || !tl->phase_stacks) {
		rc = dt_fail(err, errlen, -ENOMEM, "out of memory");
		goto out;
	}
	if (pv->streaming && stream_finish(tl)) {
		rc = dt_fail(err, errlen, -ENOMEM, "out of memory");
		goto out;
	}
	pv->phases_final = 1;

	/* Pass 3, when needed. */
	p3.grid = grid_later && tl->has_grid;
	p3.stacks_phases = pv->reattribute;
	if (p3.grid || p3.stacks_phases) {
		rc = record_pass(tl, "record pass 3", pass23_item, &p3, err, errlen);
		if (rc)
			goto out;
	}
	if (pv->perf_path) {
		rc = perf_pass2(tl, tl->align.offset_ns, err, errlen);
		if (rc)
			goto out;
	}

	/* Columns, phases' functions, flame boxes. */
	for (size_t c = 0; c < tl->columns; c++) {
		const struct column *col = &pv->cols[c];
		tl->wss_mean[c] = col->wss_cov > 0 ? col->wss_sum / col->wss_cov : NAN;
		tl->wss_max[c] = col->wss_cov > 0 ? col->wss_max : NAN;
		/* RSS holds from one footprint to the next: a column without
		 * one shows the last before it. */
		tl->rss_max[c] = col->rss_max >= 0 ? col->rss_max : c ? tl->rss_max[c - 1] : NAN;
	}
	for (size_t k = 0; k < pv->nr_phase_acc && !rc; k++)
		rc = finish_phase(tl, k, top_functions(o), err, errlen);
	if (rc)
		goto out;
	if (finish_flame(tl)) {
		rc = dt_fail(err, errlen, -ENOMEM, "out of memory");
		goto out;
	}
	if (pv->dropped_paths)
		warn(tl, "flame chart: more than %d call paths in one time column; the rarer "
		     "ones are left out", DT_TIMELINE_MAX_PATHS_PER_COLUMN);
	if (tl->has_damon && tl->nr_samples) {
		uint64_t inside = 0;
		for (size_t k = 0; k < pv->nr_phase_acc; k++)
			inside += tl->phase_stacks[k].nr_samples;
		if (!inside && dt_phases_count(tl->phases))
			warn(tl, "no callstack sample falls inside a phase; check the clocks "
			     "(--time-offset)");
	}
out:
	if (rc) {
		name_spooled(pv, err, errlen);
		dt_timeline_free(tl);
		tl = NULL;
	}
	dt_heat_guides_free(&p1.guides);
	dt_framer_free(p1.framer);
	free(p2.scratch);
	free(p3.scratch);
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
		free(pv->global_total);
		free(pv->global_stamp);
		free(pv->thread_weight);
		free(pv->thread_count);
		for (size_t k = 0; k < pv->nr_phase_acc && pv->phase_acc; k++) {
			dt_hashmap_free(&pv->phase_acc[k].map);
			free(pv->phase_acc[k].v);
		}
		free(pv->phase_acc);
		if (pv->cols)
			for (size_t c = 0; c < tl->columns; c++) {
				dt_hashmap_free(&pv->cols[c].map);
				free(pv->cols[c].v);
			}
		free(pv->cols);
		free(pv->rec_map);
		stream_stop(pv);
		free(pv);
	}
	if (tl->phase_stacks)
		for (size_t k = 0; k < dt_phases_count(tl->phases); k++)
			free(tl->phase_stacks[k].top);
	free(tl->phase_stacks);
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
	return col * (double)(tl->t_end_ns - tl->t_start_ns) / (double)tl->columns / 1e9;
}

/* ------------------------------------------------------------ reports */

static double rel_s(const struct dt_timeline *tl, uint64_t t)
{
	return t >= tl->t_start_ns ? (double)(t - tl->t_start_ns) / 1e9
				   : -(double)(tl->t_start_ns - t) / 1e9;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

int dt_timeline_print_report(FILE *out, const struct dt_timeline *tl)
{
	size_t n = dt_phases_count(tl->phases);
	if (!n)
		fprintf(out, "no phases%s\n", tl->has_damon ? "" : " (no DAMON snapshots)");
	for (size_t k = 0; k < n; k++) {
		const struct dt_phase *p = dt_phases_get(tl->phases, k);
		const struct dt_timeline_phase *ps = &tl->phase_stacks[k];
		char wss[32], size[32];
		dt_format_bytes(wss, sizeof(wss), p->wss_mean);
		fprintf(out, "phase %u [%.2f-%.2f s] WSS %s", p->number, rel_s(tl, p->start_ns),
			rel_s(tl, p->end_ns), wss);
		if (p->nr_ranges) {
			const struct dt_phase_range *r = &p->ranges[0];
			dt_format_bytes(size, sizeof(size), r->end - r->start);
			int named = r->path && *r->path;
			/* names from the record: escaped, no raw control bytes */
			fprintf(out, ", hot 0x%" PRIx64 "+%s (", r->start, size);
			dt_fputs_safe(r->kind ? r->kind : "unknown", out);
			if (named) {
				fputc(' ', out);
				dt_fputs_safe(base_name(r->path), out);
			}
			fputc(')', out);
			if (p->nr_ranges > 1)
				fprintf(out, " and %zu more", p->nr_ranges - 1);
		}
		if (ps->nr_top) {
			fprintf(out, "; top:");
			for (size_t i = 0; i < ps->nr_top && i < 3; i++)
			{
				fprintf(out, "%s ", i ? "," : "");
				dt_fputs_safe(dt_timeline_frame_symbol(tl, ps->top[i].frame), out);
				fprintf(out, " %.0f%%", 100 * ps->top[i].share);
			}
		} else if (!tl->nr_samples) {
			fprintf(out, "; no callstacks");
		} else {
			fprintf(out, "; no callstack samples");
		}
		fputc('\n', out);
	}
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

int dt_timeline_print_json(FILE *out, const struct dt_timeline *tl)
{
	size_t n = dt_phases_count(tl->phases);
	fprintf(out, "{\"start_ns\":%" PRIu64 ",\"end_ns\":%" PRIu64 ",\"duration_s\":%.6f,"
		"\"snapshots\":%" PRIu64 ",\"aggregations\":%" PRIu64 ",\"peak_wss\":%" PRIu64 ","
		"\"stacks\":{\"samples\":%" PRIu64 ",\"from_record\":%" PRIu64
		",\"from_perf_script\":%" PRIu64 ",\"weight_unit\":\"%s\",\"alignment\":\"%s\","
		"\"offset_ns\":%" PRId64 "},",
		tl->t_start_ns, tl->t_end_ns, rel_s(tl, tl->t_end_ns), tl->nr_snapshots,
		tl->nr_aggrs, tl->peak_wss, tl->nr_samples, tl->nr_record_samples,
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
	for (size_t k = 0; k < n; k++) {
		const struct dt_phase *p = dt_phases_get(tl->phases, k);
		const struct dt_timeline_phase *ps = &tl->phase_stacks[k];
		fprintf(out, "%s{\"number\":%u,\"start_s\":%.6f,\"end_s\":%.6f,\"start_ns\":%" PRIu64
			",\"end_ns\":%" PRIu64 ",\"aggregations\":%u,\"wss\":{\"mean\":%" PRIu64
			",\"min\":%" PRIu64 ",\"max\":%" PRIu64 "},\"hot_ranges\":[",
			k ? "," : "", p->number, rel_s(tl, p->start_ns), rel_s(tl, p->end_ns),
			p->start_ns, p->end_ns, p->nr_aggrs, p->wss_mean, p->wss_min, p->wss_max);
		for (size_t i = 0; i < p->nr_ranges; i++) {
			const struct dt_phase_range *r = &p->ranges[i];
			fprintf(out, "%s{\"start\":\"0x%" PRIx64 "\",\"end\":\"0x%" PRIx64 "\","
				"\"bytes\":%" PRIu64 ",\"pid\":%" PRId32 ",\"target\":%" PRIu32
				",\"share\":", i ? "," : "", r->start, r->end, r->end - r->start,
				r->pid, r->target);
			json_num(out, r->share);
			fputs(",\"kind\":", out);
			json_str(out, r->kind ? r->kind : "unknown");
			fputs(",\"path\":", out);
			json_str(out, r->path ? r->path : "");
			fputc('}', out);
		}
		fprintf(out, "],\"samples\":%" PRIu64 ",\"weight\":%" PRIu64 ",\"function\":",
			ps->nr_samples, ps->weight);
		if (ps->named >= 0)
			json_str(out, dt_timeline_frame_symbol(tl, ps->top[ps->named].frame));
		else
			fputs("null", out);
		fputs(",\"top_functions\":[", out);
		for (size_t i = 0; i < ps->nr_top; i++) {
			const struct dt_timeline_function *f = &ps->top[i];
			fputs(i ? ",{\"name\":" : "{\"name\":", out);
			json_str(out, dt_timeline_frame_symbol(tl, f->frame));
			fputs(",\"dso\":", out);
			json_str(out, dt_timeline_frame_dso(tl, f->frame));
			fprintf(out, ",\"self\":%" PRIu64 ",\"total\":%" PRIu64 ",\"share\":", f->self,
				f->total);
			json_num(out, f->share);
			fputs(",\"self_share\":", out);
			json_num(out, f->self_share);
			fputs(",\"distinct\":", out);
			json_num(out, f->distinct);
			fputc('}', out);
		}
		fputs("]}", out);
	}
	fputs("],\"heatmap\":", out);
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
