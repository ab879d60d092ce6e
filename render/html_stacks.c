// SPDX-License-Identifier: GPL-2.0-only
/* The HTML report's callstacks (html_internal.h): each phase's samples
 * summed per call path (its flame graph), and the flame chart thread's
 * heaviest call path per time column at every zoom level. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "errmsg.h"
#include "grow.h"
#include "html_internal.h"

/* ------------------------------------------------------------ phase trees */

/* Self weight per node of the phase being summed (samples come in time
 * order, phases do not overlap: one phase at a time). */
struct tree_acc {
	long phase;
	uint64_t *self;
	uint32_t *touched;
	size_t nr_touched;
};

static int tree_flush(struct dt_html_data *d, struct tree_acc *a)
{
	if (a->phase < 0)
		return 0;
	struct dt_html_tree *t = &d->trees[a->phase];
	if (DT_GROW(t->v, t->cap, t->nr + a->nr_touched))
		return -ENOMEM;
	for (size_t i = 0; i < a->nr_touched; i++) {
		uint32_t n = a->touched[i];
		t->v[t->nr++] = (struct dt_html_self){ n, a->self[n] };
		a->self[n] = 0;
	}
	a->nr_touched = 0;
	return 0;
}

static int tree_add(struct dt_html_data *d, struct tree_acc *a, long phase, uint32_t node,
		    uint64_t w)
{
	if (phase != a->phase) {
		int rc = tree_flush(d, a);
		if (rc)
			return rc;
		a->phase = phase;
	}
	if (phase < 0)
		return 0;
	d->trees[phase].weight += w;
	d->trees[phase].nr_samples++;
	if (!node || !w)
		return 0;
	if (!a->self[node])
		a->touched[a->nr_touched++] = node;
	a->self[node] += w;
	return 0;
}

/* ------------------------------------------------------------ flame chart */

/* The leaf of the heaviest path of the column: from the roots down, the
 * heaviest child each time (the lower node of ties), as the PNG's flame
 * chart picks it. */
static uint32_t heaviest_leaf(const struct dt_stacks *st, const struct dt_html_level *L)
{
	uint32_t cur = 0;
	for (;;) {
		uint32_t best = 0;
		uint64_t bw = 0;
		for (size_t i = 0; i < L->nr_touched; i++) {
			uint32_t n = L->touched[i];
			if (dt_stacks_node(st, n)->parent != cur)
				continue;
			if (L->w[n] > bw || (L->w[n] == bw && n < best)) {
				best = n;
				bw = L->w[n];
			}
		}
		if (!best)
			return cur;
		cur = best;
	}
}

static void column_close(const struct dt_stacks *st, struct dt_html_level *L)
{
	if (L->col < 0)
		return;
	L->leaf[L->col] = heaviest_leaf(st, L);
	for (size_t i = 0; i < L->nr_touched; i++)
		L->w[L->touched[i]] = 0;
	L->nr_touched = 0;
}

/* The ancestor of `node` at depth `max` (the node itself when shallower). */
static uint32_t cut_depth(const struct dt_stacks *st, uint32_t node, uint32_t max)
{
	while (node && dt_stacks_node(st, node)->depth > max)
		node = dt_stacks_node(st, node)->parent;
	return node;
}

static void flame_add(struct dt_html_data *d, double col0, uint32_t node, uint64_t w)
{
	node = cut_depth(d->stacks, node, d->max_depth);
	if (!node || !w)
		return;
	for (uint32_t k = 0; k < d->nr_levels; k++) {
		struct dt_html_level *L = &d->levels[k];
		if (!L->has_flame)
			continue;
		long c = (long)(col0 * (double)(1u << k));
		if (c >= (long)L->columns)
			c = (long)L->columns - 1;
		if (c != L->col) {
			column_close(d->stacks, L);
			L->col = c;
		}
		for (uint32_t n = node; n; n = dt_stacks_node(d->stacks, n)->parent) {
			if (!L->w[n])
				L->touched[L->nr_touched++] = n;
			L->w[n] += w;
		}
	}
}

/* ------------------------------------------------------------ setup */

static int flame_thread(const struct dt_stacks *st, const struct dt_timeline *tl,
			uint32_t *index)
{
	if (!tl->has_thread)
		return 0;
	for (uint32_t i = 0; i < dt_stacks_nr_threads(st); i++) {
		const struct dt_stack_thread *t = dt_stacks_thread(st, i);
		if (t->pid == tl->pid && t->tid == tl->tid) {
			*index = i;
			return 1;
		}
	}
	return 0;
}

static int setup_flame(struct dt_html_data *d, const struct dt_timeline *tl, uint32_t thread)
{
	uint64_t samples = dt_stacks_thread_samples(d->stacks, thread);
	uint32_t nodes = dt_stacks_nr_nodes(d->stacks);
	for (uint32_t k = 0; k < d->nr_levels; k++) {
		struct dt_html_level *L = &d->levels[k];
		if (k && L->columns > 4 * samples)
			break;
		L->leaf = calloc(L->columns, sizeof(*L->leaf));
		L->w = calloc(nodes, sizeof(*L->w));
		L->touched = malloc(nodes * sizeof(*L->touched));
		if (!L->leaf || !L->w || !L->touched)
			return -ENOMEM;
		L->has_flame = 1;
		L->col = -1;
	}
	(void)tl;
	return 0;
}

struct walk {
	struct tree_acc acc;
	int has_thread;
	uint32_t thread;
	uint64_t t0, span;
};

static int walk_sample(struct dt_html_data *d, const struct dt_timeline *tl, struct walk *wk,
		       const struct dt_stack_sample *s)
{
	uint64_t w = tl->weight_is_ns ? s->weight : 1;
	int rc = tree_add(d, &wk->acc, dt_phases_find(tl->phases, s->time_ns), s->node, w);
	if (rc || !wk->has_thread || s->thread != wk->thread || s->time_ns < wk->t0 ||
	    s->time_ns - wk->t0 >= wk->span)
		return rc;
	flame_add(d, (double)(s->time_ns - wk->t0) / (double)wk->span * (double)tl->columns,
		  s->node, w);
	return 0;
}

static int walk_samples(struct dt_html_data *d, const struct dt_timeline *tl, struct walk *wk,
			char *err, size_t errlen)
{
	struct dt_stacks_iter it;
	struct dt_stack_sample s;
	int rc;
	dt_stacks_iter_init(&it, d->stacks, 0, dt_stacks_nr_samples(d->stacks));
	while ((rc = dt_stacks_iter_next(&it, &s, err, errlen)) == 1) {
		rc = walk_sample(d, tl, wk, &s);
		if (rc)
			return dt_fail(err, errlen, rc, "out of memory");
	}
	if (rc < 0)
		return rc;
	for (uint32_t k = 0; k < d->nr_levels; k++)
		if (d->levels[k].has_flame)
			column_close(d->stacks, &d->levels[k]);
	rc = tree_flush(d, &wk->acc);
	return rc ? dt_fail(err, errlen, rc, "out of memory") : 0;
}

int dt_html_stacks_finish(struct dt_html_data *d, const struct dt_timeline *tl,
			  const struct dt_timeline_html_opts *o, char *err, size_t errlen)
{
	uint32_t nodes;
	int rc = dt_stacks_finish(d->stacks, err, errlen);
	if (rc)
		return rc;
	d->max_depth = o->timeline->max_depth ? o->timeline->max_depth : 32;
	d->nr_trees = dt_phases_count(tl->phases);
	nodes = dt_stacks_nr_nodes(d->stacks);
	struct walk wk = { .acc = { .phase = -1 }, .t0 = tl->t_start_ns,
			   .span = tl->t_end_ns - tl->t_start_ns };
	d->trees = calloc(d->nr_trees ? d->nr_trees : 1, sizeof(*d->trees));
	wk.acc.self = calloc(nodes ? nodes : 1, sizeof(*wk.acc.self));
	wk.acc.touched = malloc((nodes ? nodes : 1) * sizeof(*wk.acc.touched));
	wk.has_thread = flame_thread(d->stacks, tl, &wk.thread);
	rc = !d->trees || !wk.acc.self || !wk.acc.touched ? -ENOMEM : 0;
	if (!rc && wk.has_thread && wk.span)
		rc = setup_flame(d, tl, wk.thread);
	if (rc)
		rc = dt_fail(err, errlen, rc, "out of memory");
	else if (dt_stacks_nr_samples(d->stacks))
		rc = walk_samples(d, tl, &wk, err, errlen);
	free(wk.acc.self);
	free(wk.acc.touched);
	return rc;
}
