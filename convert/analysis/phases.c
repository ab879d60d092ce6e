// SPDX-License-Identifier: GPL-2.0-only
/*
 * Phase detection over DAMON snapshots (phases.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "phases.h"
#include "grow.h"
#include "errmsg.h"
#include "hashmap.h"
#include "units.h"

/* A hot address range of one target; `key` names the target. */
struct hot_range {
	uint64_t key, start, end;
	uint32_t acc;
};

/* A piece of a phase's hot-range histogram: hot in `count` aggregations. */
struct segment {
	uint64_t key, start, end;
	uint32_t count;
};

struct event {
	uint64_t key, pos;
	int64_t delta;
};

#define MAX_PENDING 2
/* Each run is more than twice as long as the one above it: at most one per
 * bit of the number of events. */
#define MAX_RUNS 64

struct pending_aggr {
	uint64_t start, end, wss;
	struct hot_range *hot;
	size_t nr, cap;
};

struct target_info {
	uint64_t key;
	int32_t pid;
	uint32_t target;
	enum dtr_ops ops;
};

struct maps_copy {
	int32_t pid;
	size_t nr;
	struct dtr_map_entry *entries; /* paths strdup'd */
};

struct phase_priv {
	struct dt_phase pub;
	struct dt_phase_range *ranges;
	struct dt_phase_function *top_self, *top_total, *top_distinct;
	int named;
	/* While open: the hot ranges' boundary events as a stack of sorted
	 * runs with one summed delta per position, encoded (see ev_put), in
	 * buf[0, nr_buf); the histogram (segs) is built from them when it
	 * closes. */
	uint8_t *buf;
	size_t nr_buf, cap_buf;
	size_t run_len[MAX_RUNS], nr_runs;
	struct segment *segs;
	size_t nr_segs;
	uint64_t wss_sum;
};

struct dt_phases {
	struct dt_phase_params p;
	dt_phase_aggr_fn aggr_fn;
	void *aggr_ctx;

	struct target_info *targets;
	size_t nr_targets, cap_targets;
	struct dt_hashmap target_index; /* key -> index in targets: damo's records
				       * bring a growing CONTEXT per target */
	struct maps_copy *maps;
	size_t nr_maps, cap_maps;

	/* The aggregation being collected. */
	int have_aggr;
	uint64_t aggr_start, aggr_end, aggr_wss;
	struct hot_range *cur, *prev, *anchor;
	size_t nr_cur, nr_prev, nr_anchor, cap_cur, cap_prev, cap_anchor;
	int prev_active;
	/* A change of the hot set is confirmed up to MAX_PENDING aggregations
	 * later: aggregations that differ from the last one of the phase
	 * (anchor) wait here; when one similar to the anchor follows they were
	 * a spike and join the phase, otherwise they start the next phase. */
	size_t nr_pending;
	struct pending_aggr pending[MAX_PENDING];

	struct phase_priv *open; /* candidate phase being built, or NULL */
	uint8_t *tmp;            /* for merging a phase's runs */
	size_t cap_tmp;
	struct event *run;       /* one aggregation's events */
	size_t cap_run;
	struct phase_priv **phases;
	size_t nr_phases, cap_phases;

	uint64_t origin, peak, nr_aggrs;
	int have_origin;
	/* Where the judged aggregations end (dt_phases_locate), the serial
	 * number of the next candidate phase, and whether an aggregation was
	 * judged that starts before that end. */
	uint64_t decided_end;
	int have_decided, disordered;
	uint64_t next_candidate;
};

void dt_phase_params_default(struct dt_phase_params *p)
{
	memset(p, 0, sizeof(*p));
	p->wss_fraction = 0.1;
	p->similarity = 0.5;
	p->min_aggrs = 3;
	p->min_accesses = 1;
	p->hot_share = 0.5;
	p->max_ranges = 8;
	p->max_functions = 10;
}

static uint64_t target_key(uint32_t kdamond, uint32_t context, uint32_t target)
{
	return ((uint64_t)kdamond << 42) | ((uint64_t)context << 21) | target;
}

int dt_phases_new(struct dt_phases **out, const struct dt_phase_params *params,
		  char *err, size_t errlen)
{
	struct dt_phases *ph = calloc(1, sizeof(*ph));
	if (!ph)
		return dt_fail(err, errlen, -ENOMEM, "out of memory");
	if (params)
		ph->p = *params;
	else
		dt_phase_params_default(&ph->p);
	if (ph->p.wss_fraction < 0 || ph->p.wss_fraction > 1 || ph->p.similarity < 0 ||
	    ph->p.similarity > 1 || ph->p.hot_share < 0 || ph->p.hot_share > 1) {
		free(ph);
		return dt_fail(err, errlen, -EINVAL,
			    "phase parameters: fractions must be between 0 and 1");
	}
	if (!ph->p.min_aggrs)
		ph->p.min_aggrs = 1;
	if (!ph->p.max_ranges)
		ph->p.max_ranges = 8;
	if (!ph->p.max_functions)
		ph->p.max_functions = 10;
	*out = ph;
	return 0;
}

static void free_phase(struct phase_priv *pp)
{
	if (!pp)
		return;
	for (size_t i = 0; i < pp->pub.nr_ranges; i++)
		free((char *)pp->ranges[i].path);
	free(pp->ranges);
	free(pp->top_self);
	free(pp->top_total);
	free(pp->top_distinct);
	free(pp->segs);
	free(pp->buf);
	free(pp);
}

void dt_phases_free(struct dt_phases *ph)
{
	if (!ph)
		return;
	for (size_t i = 0; i < ph->nr_phases; i++)
		free_phase(ph->phases[i]);
	free_phase(ph->open);
	free(ph->phases);
	for (size_t i = 0; i < ph->nr_maps; i++) {
		for (size_t j = 0; j < ph->maps[i].nr; j++)
			free((char *)ph->maps[i].entries[j].path);
		free(ph->maps[i].entries);
	}
	free(ph->maps);
	free(ph->targets);
	dt_hashmap_free(&ph->target_index);
	free(ph->cur);
	free(ph->prev);
	free(ph->anchor);
	free(ph->tmp);
	free(ph->run);
	for (size_t i = 0; i < MAX_PENDING; i++)
		free(ph->pending[i].hot);
	free(ph);
}

void dt_phases_set_aggr_callback(struct dt_phases *ph, dt_phase_aggr_fn fn, void *ctx)
{
	ph->aggr_fn = fn;
	ph->aggr_ctx = ctx;
}

static const struct target_info *find_target(const struct dt_phases *ph, uint64_t key)
{
	uint32_t i;

	if (dt_hashmap_get(&ph->target_index, key, &i) && i < ph->nr_targets)
		return &ph->targets[i];
	return NULL;
}

/* ------------------------------------------------------------ ranges */

static int cmp_hot(const void *a, const void *b)
{
	const struct hot_range *x = a, *y = b;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->start < y->start ? -1 : x->start > y->start;
}

/* Similarity of two sorted lists of disjoint hot ranges: the Jaccard index
 * weighted by access frequency, sum over bytes of min(nr_accesses) over sum
 * of max(nr_accesses).  Weighting keeps a phase together when a few lightly
 * touched ranges come and go around its hot core, and tells a buffer that
 * is hammered from one merely brushed. */
static double jaccard(const struct hot_range *a, size_t na, const struct hot_range *b,
		      size_t nb)
{
	long double sa = 0, sb = 0, inter = 0;
	for (size_t i = 0; i < na; i++)
		sa += (long double)(a[i].end - a[i].start) * a[i].acc;
	for (size_t j = 0; j < nb; j++)
		sb += (long double)(b[j].end - b[j].start) * b[j].acc;
	size_t i = 0, j = 0;
	while (i < na && j < nb) {
		if (a[i].key != b[j].key) {
			if (a[i].key < b[j].key)
				i++;
			else
				j++;
			continue;
		}
		uint64_t lo = a[i].start > b[j].start ? a[i].start : b[j].start;
		uint64_t hi = a[i].end < b[j].end ? a[i].end : b[j].end;
		if (hi > lo)
			inter += (long double)(hi - lo) * (a[i].acc < b[j].acc ? a[i].acc : b[j].acc);
		if (a[i].end < b[j].end)
			i++;
		else
			j++;
	}
	long double uni = sa + sb - inter;
	return uni > 0 ? (double)(inter / uni) : 1.0;
}

static int cmp_event(const void *a, const void *b)
{
	const struct event *x = a, *y = b;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

static inline int event_before(const struct event *x, const struct event *y)
{
	return x->key < y->key || (x->key == y->key && x->pos < y->pos);
}

/* Append `e` to the sorted run ending at out[n - 1] (n events from `first`),
 * summing it into the last event when at the same position and dropping a
 * sum that cancels: the histogram depends only on the sum at each position. */
static inline size_t push_event(struct event *out, size_t first, size_t n, struct event e)
{
	if (n > first && out[n - 1].key == e.key && out[n - 1].pos == e.pos) {
		out[n - 1].delta += e.delta;
		return out[n - 1].delta ? n : n - 1;
	}
	out[n] = e;
	return n + 1;
}

/* Runs are kept encoded, 3 to 5 bytes an event instead of 24 (a long
 * phase has as many positions as pages its regions' edges ever touched):
 * per event varint(zigzag(delta) << 1 | new_key), then varint(key) and
 * varint(pos) when the key changes (and for a run's first event), else
 * varint(pos - the previous position). */
#define EV_MAX_BYTES 30 /* three varints */

static inline uint8_t *put_varint(uint8_t *p, uint64_t v)
{
	while (v >= 0x80) {
		*p++ = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	*p++ = (uint8_t)v;
	return p;
}

static inline const uint8_t *get_varint(const uint8_t *p, uint64_t *v)
{
	uint64_t x = 0;
	for (unsigned shift = 0;; shift += 7) {
		uint8_t b = *p++;
		x |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			break;
	}
	*v = x;
	return p;
}

struct ev_writer {
	uint8_t *p;
	uint64_t key, pos;  /* of the last event written */
	int started;
};

static inline void ev_put(struct ev_writer *w, const struct event *e)
{
	uint64_t zz = ((uint64_t)e->delta << 1) ^ (uint64_t)(e->delta >> 63);
	if (!w->started || e->key != w->key) {
		w->p = put_varint(w->p, zz << 1 | 1);
		w->p = put_varint(w->p, e->key);
		w->p = put_varint(w->p, e->pos);
	} else {
		w->p = put_varint(w->p, zz << 1);
		w->p = put_varint(w->p, e->pos - w->pos);
	}
	w->key = e->key;
	w->pos = e->pos;
	w->started = 1;
}

struct ev_reader {
	const uint8_t *p, *end;
	struct event e;
};

static inline int ev_get(struct ev_reader *r)
{
	uint64_t head, v;
	if (r->p == r->end)
		return 0;
	r->p = get_varint(r->p, &head);
	uint64_t zz = head >> 1;
	r->e.delta = (int64_t)(zz >> 1) ^ -(int64_t)(zz & 1);
	if (head & 1) {
		r->p = get_varint(r->p, &r->e.key);
		r->p = get_varint(r->p, &r->e.pos);
	} else {
		r->p = get_varint(r->p, &v);
		r->e.pos += v;
	}
	return 1;
}

/* Merge the two topmost runs into one, summing the deltas of equal
 * positions. */
static int merge_top_runs(struct dt_phases *ph, struct phase_priv *pp)
{
	size_t lb = pp->run_len[pp->nr_runs - 1], la = pp->run_len[pp->nr_runs - 2];
	size_t off = pp->nr_buf - la - lb;
	/* A merged event costs at most its sources' bytes but for the sum of
	 * two deltas (a byte) and, after a cancelled position, a longer
	 * position difference (the cancelled events' bytes pay for it). */
	if (DT_GROW(ph->tmp, ph->cap_tmp, la + lb + 2 * EV_MAX_BYTES))
		return -ENOMEM;
	const uint8_t *a = pp->buf + off;
	struct ev_reader ra = { a, a + la, { 0, 0, 0 } }, rb = { a + la, a + la + lb, { 0, 0, 0 } };
	struct ev_writer w = { ph->tmp, 0, 0, 0 };
	struct event cur = { 0, 0, 0 };
	int have_a = ev_get(&ra), have_b = ev_get(&rb), have_cur = 0;
	while (have_a || have_b) {
		struct event e;
		if (!have_b || (have_a && !event_before(&rb.e, &ra.e))) {
			e = ra.e;
			have_a = ev_get(&ra);
		} else {
			e = rb.e;
			have_b = ev_get(&rb);
		}
		if (have_cur && cur.key == e.key && cur.pos == e.pos) {
			cur.delta += e.delta;
			continue;
		}
		if (have_cur && cur.delta)
			ev_put(&w, &cur);
		cur = e;
		have_cur = 1;
	}
	if (have_cur && cur.delta)
		ev_put(&w, &cur);
	size_t n = (size_t)(w.p - ph->tmp);
	if (DT_GROW(pp->buf, pp->cap_buf, off + n))
		return -ENOMEM;
	memcpy(pp->buf + off, ph->tmp, n);
	pp->nr_buf = off + n;
	pp->nr_runs--;
	pp->run_len[pp->nr_runs - 1] = n;
	if (!n)
		pp->nr_runs--;
	return 0;
}

/* Merge runs while one is not more than twice as long as the one above it
 * (all of them when `all`). */
static int merge_runs(struct dt_phases *ph, struct phase_priv *pp, int all)
{
	while (pp->nr_runs >= 2) {
		size_t lb = pp->run_len[pp->nr_runs - 1], la = pp->run_len[pp->nr_runs - 2];
		if (!all && la > 2 * lb && pp->nr_runs < MAX_RUNS)
			break;
		int rc = merge_top_runs(ph, pp);
		if (rc)
			return rc;
	}
	return 0;
}

/* Add one aggregation's hot ranges (+1) to a phase's histogram: their
 * boundary events as a new run, merged into the runs below it as their
 * lengths require, so each aggregation costs about its own ranges times
 * the logarithm of the phase's events, whatever the phase's length. */
static int add_to_segments(struct dt_phases *ph, struct phase_priv *pp,
			   const struct hot_range *hot, size_t nh)
{
	if (DT_GROW(ph->run, ph->cap_run, 2 * nh))
		return -ENOMEM;
	struct event *ev = ph->run;
	size_t n = 0;
	int sorted = 1;
	for (size_t i = 0; i < nh; i++) {
		struct event s = { hot[i].key, hot[i].start, 1 }, e = { hot[i].key, hot[i].end, -1 };
		if (n && event_before(&s, &ev[n - 1]))
			sorted = 0;
		n = push_event(ev, 0, n, s);
		n = push_event(ev, 0, n, e);
	}
	if (!sorted) { /* overlapping ranges (not from DAMON): sort, then sum */
		qsort(ev, n, sizeof(*ev), cmp_event);
		size_t m = 0;
		for (size_t i = 0; i < n; i++)
			m = push_event(ev, 0, m, ev[i]);
		n = m;
	}
	if (!n)
		return 0;
	if (DT_GROW(pp->buf, pp->cap_buf, pp->nr_buf + n * EV_MAX_BYTES))
		return -ENOMEM;
	struct ev_writer w = { pp->buf + pp->nr_buf, 0, 0, 0 };
	for (size_t i = 0; i < n; i++)
		ev_put(&w, &ev[i]);
	size_t len = (size_t)(w.p - (pp->buf + pp->nr_buf));
	pp->nr_buf += len;
	pp->run_len[pp->nr_runs++] = len;
	return merge_runs(ph, pp, 0);
}

/* The phase's histogram: maximal pieces of equal count, only those hot in
 * at least `need` aggregations. */
static int build_segments(struct dt_phases *ph, struct phase_priv *pp, uint32_t need)
{
	int rc = merge_runs(ph, pp, 1);
	if (rc)
		return rc;
	struct ev_reader r = { pp->buf, pp->buf + pp->nr_buf, { 0, 0, 0 } };
	struct segment *out = NULL;
	size_t no = 0, cap = 0;
	int64_t value = 0;
	int have = ev_get(&r);
	while (have) {
		struct event cur = r.e;
		value += cur.delta;
		have = ev_get(&r);
		if (have && r.e.key == cur.key && r.e.pos > cur.pos && value > 0 &&
		    (uint64_t)value >= need) {
			uint64_t s = cur.pos, e = r.e.pos;
			if (no && out[no - 1].key == cur.key && out[no - 1].end == s &&
			    out[no - 1].count == (uint32_t)value) {
				out[no - 1].end = e;
			} else {
				if (DT_GROW(out, cap, no + 1)) {
					free(out);
					return -ENOMEM;
				}
				out[no++] = (struct segment){ cur.key, s, e, (uint32_t)value };
			}
		}
		if (have && r.e.key != cur.key)
			value = 0;
	}
	free(pp->buf);
	pp->buf = NULL;
	pp->nr_buf = pp->cap_buf = pp->nr_runs = 0;
	free(pp->segs);
	pp->segs = out;
	pp->nr_segs = no;
	return 0;
}

/* ------------------------------------------------------------ naming */

static const struct maps_copy *find_maps(const struct dt_phases *ph, int32_t pid)
{
	for (size_t i = 0; i < ph->nr_maps; i++)
		if (ph->maps[i].pid == pid)
			return &ph->maps[i];
	return NULL;
}

static void name_range(const struct dt_phases *ph, struct dt_phase_range *r,
		       const struct target_info *t)
{
	r->kind = "unknown";
	r->path = NULL;
	if (t && t->ops == DTR_OPS_PADDR) {
		r->kind = "physical";
		return;
	}
	const struct maps_copy *m = find_maps(ph, r->pid);
	if (!m)
		return;
	const struct dtr_map_entry *best = NULL;
	uint64_t best_overlap = 0;
	for (size_t i = 0; i < m->nr; i++) {
		const struct dtr_map_entry *e = &m->entries[i];
		uint64_t lo = e->start > r->start ? e->start : r->start;
		uint64_t hi = e->end < r->end ? e->end : r->end;
		if (hi > lo && hi - lo > best_overlap) {
			best_overlap = hi - lo;
			best = e;
		}
	}
	if (!best)
		return;
	const char *p = best->path ? best->path : "";
	if (!*p)
		r->kind = "anon";
	else if (!strcmp(p, "[heap]"))
		r->kind = "heap";
	else if (!strncmp(p, "[stack", 6))
		r->kind = "stack";
	else if (p[0] == '[') {
		r->kind = "special";
		r->path = strdup(p);
	} else {
		r->kind = "file";
		r->path = strdup(p);
	}
}

static void name_phase(struct dt_phases *ph, struct phase_priv *pp)
{
	int all = 1;
	for (size_t i = 0; i < pp->pub.nr_ranges; i++) {
		struct dt_phase_range *r = &pp->ranges[i];
		if (strcmp(r->kind, "unknown"))
			continue;
		const struct target_info *t = NULL;
		for (size_t k = 0; k < ph->nr_targets; k++)
			if (ph->targets[k].pid == r->pid && ph->targets[k].target == r->target)
				t = &ph->targets[k];
		name_range(ph, r, t);
		all &= strcmp(r->kind, "unknown") != 0;
	}
	pp->named = all;
}

static int cmp_range_size(const void *a, const void *b)
{
	const struct dt_phase_range *x = a, *y = b;
	uint64_t sx = x->end - x->start, sy = y->end - y->start;
	if (sx != sy)
		return sx > sy ? -1 : 1;
	return x->start < y->start ? -1 : x->start > y->start;
}

/* Close the candidate phase: keep it when long enough. */
static int close_phase(struct dt_phases *ph)
{
	struct phase_priv *pp = ph->open;
	ph->open = NULL;
	if (!pp)
		return 0;
	if (pp->pub.nr_aggrs < ph->p.min_aggrs) {
		free_phase(pp);
		return 0;
	}
	pp->pub.wss_mean = pp->wss_sum / pp->pub.nr_aggrs;

	/* Ranges hot in at least hot_share of the aggregations, merged. */
	double need_d = ph->p.hot_share * pp->pub.nr_aggrs;
	uint32_t need = (uint32_t)need_d;
	if (need < need_d || need == 0)
		need++;
	int rc = build_segments(ph, pp, need);
	if (rc) {
		free_phase(pp);
		return rc;
	}
	size_t nr = 0, cap = 0;
	struct dt_phase_range *ranges = NULL;
	double weighted = 0;
	uint64_t last_key = 0;
	for (size_t i = 0; i < pp->nr_segs; i++) {
		const struct segment *s = &pp->segs[i];
		if (s->count < need)
			continue;
		if (nr && ranges[nr - 1].end == s->start && last_key == s->key) {
			weighted += (double)s->count * (double)(s->end - s->start);
			ranges[nr - 1].end = s->end;
			ranges[nr - 1].share = weighted /
				((double)(ranges[nr - 1].end - ranges[nr - 1].start) * pp->pub.nr_aggrs);
			continue;
		}
		if (DT_GROW(ranges, cap, nr + 1)) {
			free(ranges);
			free_phase(pp);
			return -ENOMEM;
		}
		const struct target_info *t = find_target(ph, s->key);
		weighted = (double)s->count * (double)(s->end - s->start);
		last_key = s->key;
		ranges[nr++] = (struct dt_phase_range){
			.start = s->start,
			.end = s->end,
			.pid = t ? t->pid : -1,
			.target = (uint32_t)(s->key & 0x1fffff),
			.share = (double)s->count / pp->pub.nr_aggrs,
			.kind = "unknown",
			.path = NULL,
		};
	}
	if (nr)
		qsort(ranges, nr, sizeof(*ranges), cmp_range_size);
	if (nr > ph->p.max_ranges)
		nr = ph->p.max_ranges;
	pp->ranges = ranges;
	pp->pub.ranges = ranges;
	pp->pub.nr_ranges = nr;
	free(pp->segs);
	pp->segs = NULL;
	pp->nr_segs = 0;
	name_phase(ph, pp);

	if (DT_GROW(ph->phases, ph->cap_phases, ph->nr_phases + 1)) {
		free_phase(pp);
		return -ENOMEM;
	}
	pp->pub.number = (uint32_t)ph->nr_phases + 1;
	ph->phases[ph->nr_phases++] = pp;
	return 0;
}

/* ------------------------------------------------------------ aggregations */

static uint64_t threshold(const struct dt_phases *ph)
{
	uint64_t peak = ph->p.peak_wss ? ph->p.peak_wss : ph->peak;
	uint64_t t = (uint64_t)(ph->p.wss_fraction * (double)peak);
	if (t < ph->p.min_wss)
		t = ph->p.min_wss;
	return t ? t : 1;
}

static void swap_sets(struct hot_range **a, size_t *na, size_t *ca, struct hot_range **b,
		      size_t *nb, size_t *cb)
{
	struct hot_range *t = *a;
	size_t tn = *na, tc = *ca;
	*a = *b;
	*na = *nb;
	*ca = *cb;
	*b = t;
	*nb = tn;
	*cb = tc;
}

/* An aggregation's place is settled: in the candidate phase or in none. */
static void decided(struct dt_phases *ph, uint64_t start, uint64_t end)
{
	if (ph->have_decided && start < ph->decided_end)
		ph->disordered = 1;
	if (!ph->have_decided || end > ph->decided_end)
		ph->decided_end = end;
	ph->have_decided = 1;
}

/* Add one aggregation to the candidate phase, opening one if none. */
static int phase_add(struct dt_phases *ph, uint64_t start, uint64_t end, uint64_t wss,
		     const struct hot_range *hot, size_t nr_hot)
{
	decided(ph, start, end);
	if (!ph->open) {
		ph->open = calloc(1, sizeof(*ph->open));
		if (!ph->open)
			return -ENOMEM;
		ph->open->pub.start_ns = start;
		ph->open->pub.wss_min = UINT64_MAX;
		ph->open->pub.candidate = ph->next_candidate++;
	}
	struct dt_phase *p = &ph->open->pub;
	p->end_ns = end;
	p->nr_aggrs++;
	ph->open->wss_sum += wss;
	if (wss > p->wss_max)
		p->wss_max = wss;
	if (wss < p->wss_min)
		p->wss_min = wss;
	return add_to_segments(ph, ph->open, hot, nr_hot);
}

/* The pending aggregations start the next phase. */
static int pending_is_change(struct dt_phases *ph)
{
	int rc = close_phase(ph);
	for (size_t i = 0; i < ph->nr_pending && !rc; i++) {
		struct pending_aggr *pa = &ph->pending[i];
		rc = phase_add(ph, pa->start, pa->end, pa->wss, pa->hot, pa->nr);
	}
	ph->nr_pending = 0;
	return rc;
}

/* The pending aggregations were a spike: they stay in the phase. */
static int pending_is_spike(struct dt_phases *ph)
{
	int rc = 0;
	for (size_t i = 0; i < ph->nr_pending && !rc; i++) {
		struct pending_aggr *pa = &ph->pending[i];
		rc = phase_add(ph, pa->start, pa->end, pa->wss, pa->hot, pa->nr);
	}
	ph->nr_pending = 0;
	return rc;
}

static int push_pending(struct dt_phases *ph, uint64_t wss)
{
	struct pending_aggr *pa = &ph->pending[ph->nr_pending];
	if (DT_GROW(pa->hot, pa->cap, ph->nr_cur))
		return -ENOMEM;
	if (ph->nr_cur)
		memcpy(pa->hot, ph->cur, ph->nr_cur * sizeof(*pa->hot));
	pa->nr = ph->nr_cur;
	pa->start = ph->aggr_start;
	pa->end = ph->aggr_end;
	pa->wss = wss;
	ph->nr_pending++;
	return 0;
}

static int end_aggregation(struct dt_phases *ph)
{
	if (!ph->have_aggr)
		return 0;
	ph->have_aggr = 0;
	ph->nr_aggrs++;
	/* Regions come in address order per target: sort only when not. */
	for (size_t i = 1; i < ph->nr_cur; i++) {
		if (cmp_hot(&ph->cur[i - 1], &ph->cur[i]) > 0) {
			qsort(ph->cur, ph->nr_cur, sizeof(*ph->cur), cmp_hot);
			break;
		}
	}
	uint64_t wss = ph->aggr_wss;
	if (wss > ph->peak)
		ph->peak = wss;
	int active = wss >= threshold(ph);
	double sim = jaccard(ph->prev, ph->nr_prev, ph->cur, ph->nr_cur);
	double thr = ph->p.similarity;
	int rc = 0, set_anchor = 0;

	if (!active) {
		if (ph->nr_pending)
			rc = pending_is_change(ph);
		if (!rc)
			rc = close_phase(ph);
		decided(ph, ph->aggr_start, ph->aggr_end);
	} else if (ph->nr_pending) {
		if (jaccard(ph->anchor, ph->nr_anchor, ph->cur, ph->nr_cur) >= thr) {
			rc = pending_is_spike(ph);
			if (!rc)
				rc = phase_add(ph, ph->aggr_start, ph->aggr_end, wss, ph->cur,
					       ph->nr_cur);
		} else if (ph->nr_pending < MAX_PENDING) {
			rc = push_pending(ph, wss);
		} else {
			rc = pending_is_change(ph);
			if (!rc && sim >= thr) {
				rc = phase_add(ph, ph->aggr_start, ph->aggr_end, wss, ph->cur,
					       ph->nr_cur);
			} else if (!rc) {
				set_anchor = 1;
				rc = push_pending(ph, wss);
			}
		}
	} else if (ph->open && sim < thr) {
		set_anchor = 1;
		rc = push_pending(ph, wss);
	} else {
		rc = phase_add(ph, ph->aggr_start, ph->aggr_end, wss, ph->cur, ph->nr_cur);
	}
	if (ph->aggr_fn) {
		struct dt_phase_aggr a = { ph->aggr_start, ph->aggr_end, wss, active, sim };
		ph->aggr_fn(ph->aggr_ctx, &a);
	}
	/* The anchor is the last aggregation before a pending run. */
	if (set_anchor)
		swap_sets(&ph->anchor, &ph->nr_anchor, &ph->cap_anchor, &ph->prev, &ph->nr_prev,
			  &ph->cap_prev);
	swap_sets(&ph->prev, &ph->nr_prev, &ph->cap_prev, &ph->cur, &ph->nr_cur, &ph->cap_cur);
	ph->nr_cur = 0;
	ph->prev_active = active;
	return rc;
}

static int add_snapshot(struct dt_phases *ph, const struct dtr_snapshot *s)
{
	int rc;
	if (ph->have_aggr && (s->start_ns != ph->aggr_start || s->end_ns != ph->aggr_end)) {
		rc = end_aggregation(ph);
		if (rc)
			return rc;
	}
	if (!ph->have_aggr) {
		ph->have_aggr = 1;
		ph->aggr_start = s->start_ns;
		ph->aggr_end = s->end_ns;
		ph->aggr_wss = 0;
		ph->nr_cur = 0;
		if (!ph->have_origin) {
			ph->origin = s->start_ns;
			ph->have_origin = 1;
		}
	}
	uint64_t key = target_key(s->kdamond, s->context, s->target);
	for (uint64_t i = 0; i < s->nr_regions; i++) {
		const struct dtr_region *r = &s->regions[i];
		if (r->end <= r->start || r->nr_accesses < ph->p.min_accesses)
			continue;
		ph->aggr_wss += r->end - r->start;
		if (ph->nr_cur && ph->cur[ph->nr_cur - 1].key == key &&
		    ph->cur[ph->nr_cur - 1].end == r->start && ph->cur[ph->nr_cur - 1].acc == r->nr_accesses) {
			ph->cur[ph->nr_cur - 1].end = r->end;
			continue;
		}
		if (DT_GROW(ph->cur, ph->cap_cur, ph->nr_cur + 1))
			return -ENOMEM;
		ph->cur[ph->nr_cur++] = (struct hot_range){ key, r->start, r->end, r->nr_accesses };
	}
	return 0;
}

static int add_context(struct dt_phases *ph, const struct dtr_context *c)
{
	for (size_t i = 0; i < c->nr_targets; i++) {
		uint64_t key = target_key(c->kdamond, c->context, c->targets[i].index);
		struct target_info *t = (struct target_info *)find_target(ph, key);
		if (!t) {
			if (DT_GROW(ph->targets, ph->cap_targets, ph->nr_targets + 1))
				return -ENOMEM;
			if (dt_hashmap_put(&ph->target_index, key, (uint32_t)ph->nr_targets))
				return -ENOMEM;
			t = &ph->targets[ph->nr_targets++];
		}
		t->key = key;
		t->pid = c->targets[i].pid > INT32_MAX ? -1 : (int32_t)c->targets[i].pid;
		t->target = c->targets[i].index;
		t->ops = c->ops;
	}
	return 0;
}

static int add_maps(struct dt_phases *ph, const struct dtr_maps *m)
{
	struct maps_copy *mc = (struct maps_copy *)find_maps(ph, m->pid);
	if (!mc) {
		if (DT_GROW(ph->maps, ph->cap_maps, ph->nr_maps + 1))
			return -ENOMEM;
		mc = &ph->maps[ph->nr_maps++];
		memset(mc, 0, sizeof(*mc));
		mc->pid = m->pid;
	} else {
		/* Phases closed so far keep names from the maps they saw. */
		for (size_t j = 0; j < mc->nr; j++)
			free((char *)mc->entries[j].path);
		free(mc->entries);
		mc->entries = NULL;
		mc->nr = 0;
	}
	mc->entries = calloc(m->nr ? m->nr : 1, sizeof(*mc->entries));
	if (!mc->entries)
		return -ENOMEM;
	for (size_t i = 0; i < m->nr; i++) {
		mc->entries[i] = m->entries[i];
		mc->entries[i].path = strdup(m->entries[i].path ? m->entries[i].path : "");
		if (!mc->entries[i].path)
			return -ENOMEM;
		mc->nr++;
	}
	/* Name phases that closed before any maps were known. */
	for (size_t i = 0; i < ph->nr_phases; i++)
		if (!ph->phases[i]->named)
			name_phase(ph, ph->phases[i]);
	return 0;
}

int dt_phases_add_item(struct dt_phases *ph, const struct dtr_item *item,
		       char *err, size_t errlen)
{
	int rc = 0;
	switch (item->type) {
	case DTR_ITEM_CONTEXT:
		rc = add_context(ph, &item->u.context);
		break;
	case DTR_ITEM_SNAPSHOT:
		if (ph->have_aggr && item->u.snapshot.end_ns < ph->aggr_end)
			return dt_fail(err, errlen, -EINVAL,
				    "snapshot ending at %llu ns comes after one ending at %llu ns",
				    (unsigned long long)item->u.snapshot.end_ns,
				    (unsigned long long)ph->aggr_end);
		rc = add_snapshot(ph, &item->u.snapshot);
		break;
	case DTR_ITEM_MAPS:
		rc = add_maps(ph, &item->u.maps);
		break;
	default:
		break;
	}
	if (rc)
		return dt_fail(err, errlen, rc, "phases: out of memory");
	return 0;
}

int dt_phases_finish(struct dt_phases *ph, char *err, size_t errlen)
{
	int rc = end_aggregation(ph);
	if (!rc && ph->nr_pending)
		rc = pending_is_change(ph);
	if (!rc)
		rc = close_phase(ph);
	if (rc)
		return dt_fail(err, errlen, rc, "phases: out of memory");
	if (!ph->p.peak_wss) {
		uint64_t t = threshold(ph);
		size_t n = 0;
		for (size_t i = 0; i < ph->nr_phases; i++) {
			if (ph->phases[i]->pub.wss_max < t) {
				free_phase(ph->phases[i]);
				continue;
			}
			ph->phases[n] = ph->phases[i];
			ph->phases[n]->pub.number = (uint32_t)n + 1;
			n++;
		}
		ph->nr_phases = n;
	}
	return 0;
}

size_t dt_phases_count(const struct dt_phases *ph)
{
	return ph->nr_phases;
}

const struct dt_phase *dt_phases_get(const struct dt_phases *ph, size_t index)
{
	return index < ph->nr_phases ? &ph->phases[index]->pub : NULL;
}

long dt_phases_find(const struct dt_phases *ph, uint64_t t)
{
	size_t lo = 0, hi = ph->nr_phases;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const struct dt_phase *p = &ph->phases[mid]->pub;
		if (t < p->start_ns)
			hi = mid;
		else if (t >= p->end_ns)
			lo = mid + 1;
		else
			return (long)mid;
	}
	return -1;
}

int dt_phases_locate(const struct dt_phases *ph, uint64_t t, uint64_t *candidate)
{
	if (!ph->have_decided || t >= ph->decided_end)
		return -1;
	const struct phase_priv *o = ph->open;
	if (o && t >= o->pub.start_ns && t < o->pub.end_ns) {
		*candidate = o->pub.candidate;
		return 1;
	}
	long k = dt_phases_find(ph, t);
	if (k < 0)
		return 0;
	*candidate = ph->phases[k]->pub.candidate;
	return 1;
}

int dt_phases_candidate_kept(const struct dt_phases *ph, uint64_t candidate)
{
	if (ph->open && ph->open->pub.candidate == candidate)
		return 1;
	size_t lo = 0, hi = ph->nr_phases;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		uint64_t c = ph->phases[mid]->pub.candidate;
		if (c == candidate)
			return 1;
		if (c < candidate)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

int dt_phases_disordered(const struct dt_phases *ph)
{
	return ph->disordered;
}

uint64_t dt_phases_origin(const struct dt_phases *ph)
{
	return ph->have_origin ? ph->origin : 0;
}

uint64_t dt_phases_nr_aggrs(const struct dt_phases *ph)
{
	return ph->nr_aggrs;
}

uint64_t dt_phases_peak(const struct dt_phases *ph)
{
	return ph->peak;
}

/* ------------------------------------------------------------ functions */

struct fn_acc {
	uint64_t self, total, stamp;
};

static int cmp_self(const void *a, const void *b)
{
	const struct dt_phase_function *x = a, *y = b;
	if (x->self != y->self)
		return x->self > y->self ? -1 : 1;
	return x->frame < y->frame ? -1 : x->frame > y->frame;
}

static int cmp_total(const void *a, const void *b)
{
	const struct dt_phase_function *x = a, *y = b;
	if (x->total != y->total)
		return x->total > y->total ? -1 : 1;
	return x->frame < y->frame ? -1 : x->frame > y->frame;
}

static int cmp_distinct(const void *a, const void *b)
{
	const struct dt_phase_function *x = a, *y = b;
	if (x->distinct != y->distinct)
		return x->distinct > y->distinct ? -1 : 1;
	return cmp_total(a, b);
}

/* How much more often a frame is on the stack inside the phase than outside
 * it (struct dt_phase_function's `distinct`). */
static double distinct_of(uint64_t total, uint64_t all_total, uint64_t in_w, uint64_t out_w)
{
	double in = in_w ? (double)total / (double)in_w : 0;
	double out = out_w ? (double)(all_total - total) / (double)out_w : 0;
	return in - out;
}

/* The ranking: `all` (nt frames with self, total and distinct set; sorted
 * here) into the phase's top lists, at most max_functions each.  0 or
 * -ENOMEM. */
static int rank_functions(struct dt_phases *ph, struct phase_priv *pp,
			  struct dt_phase_function *all, size_t nt)
{
	size_t keep = nt < ph->p.max_functions ? nt : ph->p.max_functions;
	free(pp->top_self);
	free(pp->top_total);
	free(pp->top_distinct);
	pp->top_self = malloc((keep ? keep : 1) * sizeof(*all));
	pp->top_total = malloc((keep ? keep : 1) * sizeof(*all));
	pp->top_distinct = malloc((keep ? keep : 1) * sizeof(*all));
	pp->pub.nr_top_self = pp->pub.nr_top_total = pp->pub.nr_top_distinct = 0;
	if (!pp->top_self || !pp->top_total || !pp->top_distinct)
		return -ENOMEM;
	if (nt)
		qsort(all, nt, sizeof(*all), cmp_distinct);
	size_t nd = 0;
	while (nd < keep && all[nd].distinct > 0)
		nd++;
	if (nd)
		memcpy(pp->top_distinct, all, nd * sizeof(*all));
	pp->pub.nr_top_distinct = nd;
	pp->pub.top_distinct = pp->top_distinct;
	if (nt)
		qsort(all, nt, sizeof(*all), cmp_total);
	if (keep)
		memcpy(pp->top_total, all, keep * sizeof(*all));
	pp->pub.nr_top_total = keep;
	if (nt)
		qsort(all, nt, sizeof(*all), cmp_self);
	size_t ns = 0;
	while (ns < keep && all[ns].self)
		ns++;
	if (ns)
		memcpy(pp->top_self, all, ns * sizeof(*all));
	pp->pub.nr_top_self = ns;
	pp->pub.top_self = pp->top_self;
	pp->pub.top_total = pp->top_total;
	return 0;
}

static int take_top(struct dt_phases *ph, struct phase_priv *pp, struct fn_acc *acc,
		    uint32_t *touched, size_t nt, const uint64_t *global_total,
		    uint64_t all_weight)
{
	struct dt_phase_function *all = malloc((nt ? nt : 1) * sizeof(*all));
	if (!all)
		return -ENOMEM;
	uint64_t in_w = pp->pub.stack_weight, out_w = all_weight - in_w;
	for (size_t i = 0; i < nt; i++) {
		uint32_t f = touched[i];
		all[i] = (struct dt_phase_function){
			f, acc[f].self, acc[f].total,
			distinct_of(acc[f].total, global_total[f], in_w, out_w) };
	}
	int rc = rank_functions(ph, pp, all, nt);
	free(all);
	return rc;
}

int dt_phases_set_functions(struct dt_phases *ph, size_t index,
			    const struct dt_phase_frame_sums *sums, size_t n,
			    uint64_t weight, uint64_t nr_samples, uint64_t all_weight,
			    char *err, size_t errlen)
{
	if (index >= ph->nr_phases)
		return dt_fail(err, errlen, -EINVAL, "phases: no phase %zu", index);
	struct phase_priv *pp = ph->phases[index];
	struct dt_phase_function *all = malloc((n ? n : 1) * sizeof(*all));
	if (!all)
		return dt_fail(err, errlen, -ENOMEM, "phases: out of memory");
	pp->pub.stack_weight = weight;
	pp->pub.nr_samples = nr_samples;
	for (size_t i = 0; i < n; i++)
		all[i] = (struct dt_phase_function){
			sums[i].frame, sums[i].self, sums[i].total,
			distinct_of(sums[i].total, sums[i].all_total, weight, all_weight - weight) };
	int rc = rank_functions(ph, pp, all, n);
	free(all);
	return rc ? dt_fail(err, errlen, rc, "phases: out of memory") : 0;
}

/* One sample into the functions of the phase being summed. */
static void attribute_sample(const struct dt_stacks *st, struct phase_priv *pp,
			     struct fn_acc *acc, uint32_t *touched, size_t *nt,
			     const struct dt_stack_sample *s, uint64_t stamp)
{
	pp->pub.stack_weight += s->weight;
	pp->pub.nr_samples++;
	int leaf = 1;
	for (uint32_t node = s->node; node;) {
		const struct dt_stack_node *nd = dt_stacks_node(st, node);
		struct fn_acc *a = &acc[nd->frame];
		if (!a->self && !a->total)
			touched[(*nt)++] = nd->frame;
		if (leaf)
			a->self += s->weight;
		if (a->stamp != stamp) {
			a->total += s->weight;
			a->stamp = stamp;
		}
		leaf = 0;
		node = nd->parent;
	}
}

int dt_phases_attribute(struct dt_phases *ph, const struct dt_stacks *st,
			char *err, size_t errlen)
{
	uint32_t nf = dt_stacks_nr_frames(st);
	struct fn_acc *acc = calloc(nf ? nf : 1, sizeof(*acc));
	uint32_t *touched = malloc((nf ? nf : 1) * sizeof(*touched));
	/* Each frame's total over every sample: what "outside" is measured by. */
	uint64_t *global = calloc(nf ? nf : 1, sizeof(*global));
	uint64_t *gstamp = calloc(nf ? nf : 1, sizeof(*gstamp));
	size_t n = dt_stacks_nr_samples(st), nt = 0, k = 0;
	uint64_t stamp = 0, all_weight = 0, j = 0;
	struct dt_stacks_iter it;
	struct dt_stack_sample s;
	char e2[256];
	int rc = 0;

	if (!acc || !touched || !global || !gstamp) {
		rc = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < ph->nr_phases; i++) {
		ph->phases[i]->pub.stack_weight = 0;
		ph->phases[i]->pub.nr_samples = 0;
	}
	if (!ph->nr_phases)
		goto out;
	dt_stacks_iter_init(&it, st, 0, n);
	while ((rc = dt_stacks_iter_next(&it, &s, e2, sizeof(e2))) > 0) {
		j++;
		all_weight += s.weight;
		for (uint32_t node = s.node; node;) {
			const struct dt_stack_node *nd = dt_stacks_node(st, node);
			if (gstamp[nd->frame] != j) {
				gstamp[nd->frame] = j;
				global[nd->frame] += s.weight;
			}
			node = nd->parent;
		}
	}
	if (rc < 0)
		goto out;
	/* Samples in time order, phases in time order: a sample before the
	 * current phase's start is no phase's, one at or after its end closes
	 * it and is looked at again for the next phase. */
	dt_stacks_iter_init(&it, st, 0, n);
	rc = dt_stacks_iter_next(&it, &s, e2, sizeof(e2));
	while (rc > 0 && k < ph->nr_phases) {
		struct phase_priv *pp = ph->phases[k];
		if (s.time_ns < pp->pub.start_ns) {
			rc = dt_stacks_iter_next(&it, &s, e2, sizeof(e2));
		} else if (s.time_ns < pp->pub.end_ns) {
			attribute_sample(st, pp, acc, touched, &nt, &s, ++stamp);
			rc = dt_stacks_iter_next(&it, &s, e2, sizeof(e2));
		} else {
			rc = take_top(ph, pp, acc, touched, nt, global, all_weight);
			for (size_t t = 0; t < nt; t++)
				acc[touched[t]] = (struct fn_acc){ 0, 0, 0 };
			nt = 0;
			k++;
			if (rc)
				goto out;
			rc = 1;
		}
	}
	if (rc < 0)
		goto out;
	for (rc = 0; k < ph->nr_phases && !rc; k++) {
		rc = take_top(ph, ph->phases[k], acc, touched, nt, global, all_weight);
		for (size_t t = 0; t < nt; t++)
			acc[touched[t]] = (struct fn_acc){ 0, 0, 0 };
		nt = 0;
	}
out:
	free(acc);
	free(touched);
	free(global);
	free(gstamp);
	if (rc == -ENOMEM)
		return dt_fail(err, errlen, rc, "phases: out of memory");
	if (rc < 0)
		return dt_fail(err, errlen, rc, "phases: %s", e2);
	return 0;
}

char *dt_phase_label(const struct dt_phase *p, uint64_t origin_ns, char *buf, size_t len)
{
	char wss[32];
	double s = (double)(p->start_ns >= origin_ns ? p->start_ns - origin_ns : 0) / 1e9;
	double e = (double)(p->end_ns >= origin_ns ? p->end_ns - origin_ns : 0) / 1e9;
	dt_format_bytes(wss, sizeof(wss), p->wss_mean);
	snprintf(buf, len, "[phase %u | %.2f-%.2f s | WSS %s]", p->number, s, e, wss);
	return buf;
}

/* ------------------------------------------------------------ peak pass */

void dt_phase_peak_init(struct dt_phase_peak *pk, uint32_t min_accesses)
{
	memset(pk, 0, sizeof(*pk));
	pk->min_accesses = min_accesses ? min_accesses : 1;
}

void dt_phase_peak_add(struct dt_phase_peak *pk, const struct dtr_item *item)
{
	if (item->type != DTR_ITEM_SNAPSHOT)
		return;
	const struct dtr_snapshot *s = &item->u.snapshot;
	if (pk->have && (s->start_ns != pk->cur_start || s->end_ns != pk->cur_end)) {
		if (pk->cur_wss > pk->peak)
			pk->peak = pk->cur_wss;
		pk->have = 0;
	}
	if (!pk->have) {
		pk->have = 1;
		pk->cur_start = s->start_ns;
		pk->cur_end = s->end_ns;
		pk->cur_wss = 0;
	}
	for (uint64_t i = 0; i < s->nr_regions; i++)
		if (s->regions[i].end > s->regions[i].start &&
		    s->regions[i].nr_accesses >= pk->min_accesses)
			pk->cur_wss += s->regions[i].end - s->regions[i].start;
}

uint64_t dt_phase_peak_result(struct dt_phase_peak *pk)
{
	if (pk->have && pk->cur_wss > pk->peak)
		pk->peak = pk->cur_wss;
	pk->have = 0;
	return pk->peak;
}
