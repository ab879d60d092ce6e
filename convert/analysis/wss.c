// SPDX-License-Identifier: GPL-2.0-only
/* Working set size of every snapshot, with damo's semantics (wss.h). */
#include "wss.h"
#include "grow.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* A region of a group being merged.  `note` is the largest nr_accesses of
 * the current snapshot's regions that intersect it, -1 when none did. */
struct mreg {
	uint64_t start, end;
	uint64_t nr;
	int64_t note;
};

struct target_state {
	uint64_t skipped;
	size_t group_len;       /* snapshots in the group being merged */
	uint64_t group_start_ns;
	size_t nr_merged, cap_merged;
	struct mreg *merged;    /* sorted by start, disjoint */
	struct dt_wss_series series;
};

struct dt_wss {
	struct dt_wss_opts opts;
	int64_t work_time_ns;
	struct dt_targets targets;
	size_t nr_states, cap_states;
	struct target_state *states;
};

int dt_wss_new(struct dt_wss **w, const struct dt_wss_opts *opts)
{
	struct dt_wss *n = calloc(1, sizeof(*n));

	if (!n)
		return -ENOMEM;
	n->opts = opts ? *opts : DT_WSS_OPTS_DEFAULT;
	if (n->opts.work_time_us > INT64_MAX / 1000)
		n->work_time_ns = INT64_MAX;
	else if (n->opts.work_time_us < INT64_MIN / 1000)
		n->work_time_ns = INT64_MIN;
	else
		n->work_time_ns = n->opts.work_time_us * 1000;
	*w = n;
	return 0;
}

static int push_point(struct dt_wss_series *s, uint64_t start, uint64_t end,
		      uint64_t wss)
{
	if (DT_GROW(s->v, s->cap, s->nr + 1))
		return -ENOMEM;
	s->v[s->nr++] = (struct dt_wss_point){ start, end, wss };
	return 0;
}

static inline int counts(const struct dt_wss *w, uint64_t size, uint64_t nr)
{
	return (w->opts.acc_thres <= 0 || nr >= (uint64_t)w->opts.acc_thres) &&
	       (w->opts.sz_thres <= 0 || size >= (uint64_t)w->opts.sz_thres);
}

/* WSS of a snapshot that is a group by itself, when its regions are sorted
 * and disjoint (then merging changes nothing).  -1 when they are not. */
static int direct_wss(const struct dt_wss *w, const struct dtr_snapshot *s,
		      uint64_t *wss)
{
	const struct dtr_region *r = s->regions;
	uint64_t sum = 0, prev_end = 0;
	uint64_t acc = w->opts.acc_thres <= 0 ? 0 : (uint64_t)w->opts.acc_thres;
	uint64_t sz = w->opts.sz_thres <= 0 ? 0 : (uint64_t)w->opts.sz_thres;
	int ordered = 1;

	for (uint64_t i = 0; i < s->nr_regions; i++) {
		uint64_t size = r[i].end - r[i].start;
		ordered &= (r[i].start >= prev_end) & (r[i].end >= r[i].start);
		prev_end = r[i].end;
		sum += (r[i].nr_accesses >= acc && size >= sz) ? size : 0;
	}
	if (!ordered)
		return -1;
	*wss = sum;
	return 0;
}

static int reserve_merged(struct target_state *t, size_t extra)
{
	return DT_GROW(t->merged, t->cap_merged, t->nr_merged + extra) ? -ENOMEM : 0;
}

/* First merged region whose end is past `addr`. */
static size_t first_ending_after(const struct target_state *t, uint64_t addr)
{
	size_t lo = 0, hi = t->nr_merged;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (t->merged[mid].end <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int insert_piece(struct target_state *t, size_t at, uint64_t start,
			uint64_t end, uint64_t nr)
{
	if (reserve_merged(t, 1))
		return -ENOMEM;
	memmove(&t->merged[at + 1], &t->merged[at],
		(t->nr_merged - at) * sizeof(*t->merged));
	t->merged[at] = (struct mreg){ start, end, nr, -1 };
	t->nr_merged++;
	return 0;
}

/* damo's add_region for one region of the current snapshot: every merged
 * region it intersects notes its nr_accesses; the parts it covers that no
 * merged region covers are added as new merged regions.  Which merged
 * region damo meets first does not change this outcome, so the merged
 * regions are kept sorted. */
static int merge_region(struct target_state *t, const struct dtr_region *r)
{
	if (r->end <= r->start)
		return 0; /* intersects nothing and has no size */
	size_t i = first_ending_after(t, r->start);
	uint64_t cursor = r->start;

	while (i < t->nr_merged && t->merged[i].start < r->end) {
		struct mreg *m = &t->merged[i];
		if (m->note < (int64_t)r->nr_accesses)
			m->note = r->nr_accesses;
		if (m->start > cursor) {
			if (insert_piece(t, i, cursor, m->start, r->nr_accesses))
				return -ENOMEM;
			i++;
		}
		cursor = t->merged[i].end;
		i++;
	}
	if (cursor < r->end && insert_piece(t, i, cursor, r->end, r->nr_accesses))
		return -ENOMEM;
	return 0;
}

static int merge_snapshot(struct target_state *t, const struct dtr_snapshot *s)
{
	for (uint64_t k = 0; k < s->nr_regions; k++)
		if (merge_region(t, &s->regions[k]))
			return -ENOMEM;
	for (size_t i = 0; i < t->nr_merged; i++) {
		if (t->merged[i].note >= 0) {
			t->merged[i].nr += (uint64_t)t->merged[i].note;
			t->merged[i].note = -1;
		}
	}
	return 0;
}

static struct target_state *state_of(struct dt_wss *w, const struct dtr_snapshot *s)
{
	int idx = dt_targets_of(&w->targets, s);

	if (idx < 0)
		return NULL;
	if ((size_t)idx >= w->nr_states) {
		if (DT_GROW(w->states, w->cap_states, (size_t)idx + 1))
			return NULL;
		memset(&w->states[w->nr_states], 0,
		       (idx + 1 - w->nr_states) * sizeof(*w->states));
		w->nr_states = idx + 1;
	}
	return &w->states[idx];
}

int dt_wss_add_snapshot(struct dt_wss *w, const struct dtr_snapshot *s,
			char *err, size_t errlen)
{
	struct target_state *t = state_of(w, s);
	uint64_t wss;

	if (!t)
		goto nomem;
	if (t->skipped < w->opts.exclude_samples) {
		t->skipped++;
		return 0;
	}
	uint64_t group_start = t->group_len ? t->group_start_ns : s->start_ns;
	int done = (int64_t)(s->end_ns - group_start) >= w->work_time_ns;

	if (!t->group_len && done && direct_wss(w, s, &wss) == 0) {
		if (push_point(&t->series, s->start_ns, s->end_ns, wss))
			goto nomem;
		return 0;
	}
	if (!t->group_len)
		t->group_start_ns = s->start_ns;
	t->group_len++;
	if (merge_snapshot(t, s))
		goto nomem;
	if (!done)
		return 0;
	wss = 0;
	for (size_t i = 0; i < t->nr_merged; i++) {
		uint64_t size = t->merged[i].end - t->merged[i].start;
		if (counts(w, size, t->merged[i].nr))
			wss += size;
	}
	t->nr_merged = 0;
	t->group_len = 0;
	if (push_point(&t->series, group_start, s->end_ns, wss))
		goto nomem;
	return 0;
nomem:
	snprintf(err, errlen, "out of memory computing the working set size");
	return -ENOMEM;
}

int dt_wss_add(struct dt_wss *w, const struct dtr_item *item, char *err,
	       size_t errlen)
{
	if (item->type == DTR_ITEM_SNAPSHOT)
		return dt_wss_add_snapshot(w, &item->u.snapshot, err, errlen);
	if (dt_targets_note(&w->targets, item)) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	return 0;
}

size_t dt_wss_nr_targets(const struct dt_wss *w)
{
	return w->targets.nr;
}

const struct dt_target_info *dt_wss_target(const struct dt_wss *w, size_t i)
{
	return i < w->targets.nr ? &w->targets.v[i] : NULL;
}

const struct dt_wss_series *dt_wss_series(const struct dt_wss *w, size_t i)
{
	static const struct dt_wss_series empty;
	return i < w->nr_states ? &w->states[i].series : &empty;
}

static int cmp_u64(const void *a, const void *b);

int dt_wss_collapsed(const struct dt_wss *w, int sort_each, struct dt_wss_series *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t t = 0; t < w->nr_states; t++) {
		const struct dt_wss_series *s = &w->states[t].series;
		uint64_t *vals = malloc((s->nr ? s->nr : 1) * sizeof(*vals));
		if (!vals)
			goto nomem;
		for (size_t i = 0; i < s->nr; i++)
			vals[i] = s->v[i].wss;
		if (sort_each)
			qsort(vals, s->nr, sizeof(*vals), cmp_u64);
		for (size_t i = 0; i < s->nr; i++) {
			if (i < out->nr) {
				out->v[i].wss += vals[i];
			} else if (push_point(out, s->v[i].start_ns, s->v[i].end_ns, vals[i])) {
				free(vals);
				goto nomem;
			}
		}
		free(vals);
	}
	return 0;
nomem:
	free(out->v);
	memset(out, 0, sizeof(*out));
	return -ENOMEM;
}

void dt_wss_free(struct dt_wss *w)
{
	if (!w)
		return;
	for (size_t i = 0; i < w->nr_states; i++) {
		free(w->states[i].merged);
		free(w->states[i].series.v);
	}
	free(w->states);
	dt_targets_free(&w->targets);
	free(w);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

uint64_t *dt_wss_values(const struct dt_wss_series *s, int sort_by_time)
{
	uint64_t *v = malloc((s->nr ? s->nr : 1) * sizeof(*v));

	if (!v)
		return NULL;
	for (size_t i = 0; i < s->nr; i++)
		v[i] = s->v[i].wss;
	if (!sort_by_time)
		qsort(v, s->nr, sizeof(*v), cmp_u64);
	return v;
}

int dt_wss_print(FILE *out, const char *target_label, const uint64_t *vals,
		 size_t nr, const struct dt_dist_print_opts *opts)
{
	fprintf(out, "# target_id\t%s\n", target_label);
	return dt_print_size_dist(out, vals, nr, opts);
}
