// SPDX-License-Identifier: GPL-2.0-only
// Access-density profiles of address spaces (density.h).
#include "density.h"

#include <errno.h>
#include <stdlib.h>

#include "grow.h"

void dt_density_free(struct dt_density *p)
{
	free(p->v);
	*p = (struct dt_density){ 0 };
}

void dt_density_scratch_free(struct dt_density_scratch *s)
{
	free(s->runs);
	free(s->out);
	*s = (struct dt_density_scratch){ 0 };
}

int dt_density_reserve_runs(struct dt_density_scratch *s, size_t n)
{
	return DT_GROW(s->runs, s->cap_runs, n) ? -ENOMEM : 0;
}

static int cmp_span(const void *a, const void *b)
{
	const struct dt_dspan *x = a, *y = b;
	return x->start < y->start ? -1 : x->start > y->start;
}

size_t dt_density_sort_runs(struct dt_density_scratch *s, size_t n)
{
	struct dt_dspan *r = s->runs;
	int sorted = 1;

	for (size_t k = 1; k < n && sorted; k++)
		sorted = r[k].start >= r[k - 1].end;
	if (sorted)
		return n;
	qsort(r, n, sizeof(*r), cmp_span);
	size_t m = 0;
	for (size_t k = 0; k < n; k++) {
		struct dt_dspan x = r[k];
		if (m && x.start < r[m - 1].end)
			x.start = r[m - 1].end; /* overlapping regions: the first wins */
		if (x.end > x.start)
			r[m++] = x;
	}
	return m;
}

/* Sum of two sorted lists of disjoint spans, into out (room for
 * 2 * (na + nb) spans); returns the count. */
static size_t merge_sum(const struct dt_dspan *a, size_t na, const struct dt_dspan *b, size_t nb,
			struct dt_dspan *out)
{
	size_t i = 0, j = 0, n = 0;
	uint64_t pos = 0;
	while (i < na || j < nb) {
		const struct dt_dspan *x = i < na ? &a[i] : NULL, *y = j < nb ? &b[j] : NULL;
		uint64_t xs = x ? (x->start > pos ? x->start : pos) : UINT64_MAX;
		uint64_t ys = y ? (y->start > pos ? y->start : pos) : UINT64_MAX;
		uint64_t s = xs < ys ? xs : ys, e = UINT64_MAX;
		int xin = x && xs == s, yin = y && ys == s;
		if (x && (xin ? x->end : x->start) < e)
			e = xin ? x->end : x->start;
		if (y && (yin ? y->end : y->start) < e)
			e = yin ? y->end : y->start;
		double h = (xin ? x->h : 0) + (yin ? y->h : 0);
		if (n && out[n - 1].end == s && out[n - 1].h == h)
			out[n - 1].end = e;
		else
			out[n++] = (struct dt_dspan){ s, e, h };
		pos = e;
		if (x && x->end <= pos)
			i++;
		if (y && y->end <= pos)
			j++;
	}
	return n;
}

static double size_of(const struct dt_dspan *s)
{
	return (double)(s->end - s->start);
}

/* What merging two neighbouring spans (and the empty gap between them)
 * into one of their mean density loses: the squared error, per byte. */
static double merge_cost(const struct dt_dspan *a, const struct dt_dspan *b)
{
	double sa = size_of(a), sb = size_of(b), g = (double)(b->start - a->end);
	double m = (a->h * sa + b->h * sb) / (sa + g + sb);
	return sa * (a->h - m) * (a->h - m) + g * m * m + sb * (b->h - m) * (b->h - m);
}

static struct dt_dspan join(const struct dt_dspan *a, const struct dt_dspan *b)
{
	double mass = a->h * size_of(a) + b->h * size_of(b);
	return (struct dt_dspan){ a->start, b->end, mass / (double)(b->end - a->start) };
}

static void swap(double *a, double *b)
{
	double t = *a;
	*a = *b;
	*b = t;
}

/* The k-th smallest of v[0..n) (k < n), v reordered: a selection with
 * three-way partitions, linear on average where sorting is n log n (the
 * same value as v[k] after sorting). */
static double select_kth(double *v, size_t n, size_t k)
{
	size_t lo = 0, hi = n; /* the k-th is in [lo, hi) */
	while (hi - lo > 1) {
		double pivot = v[lo + (hi - lo) / 2];
		size_t lt = lo, i = lo, gt = hi; /* < pivot | == pivot | > pivot */
		while (i < gt) {
			if (v[i] < pivot)
				swap(&v[lt++], &v[i++]);
			else if (v[i] > pivot)
				swap(&v[i], &v[--gt]);
			else
				i++;
		}
		if (k < lt)
			hi = lt;
		else if (k >= gt)
			lo = gt;
		else
			return pivot;
	}
	return v[k];
}

/* Merge the cheaper half of the neighbouring pairs until at most low. */
static int compact(struct dt_density *p, size_t low)
{
	double *cost = malloc(2 * p->nr * sizeof(*cost));
	if (!cost)
		return -ENOMEM;
	while (p->nr > low && p->nr > 1) {
		size_t n = p->nr, m = 0;
		for (size_t k = 0; k + 1 < n; k++)
			cost[k] = cost[n + k] = merge_cost(&p->v[k], &p->v[k + 1]);
		double limit = select_kth(cost + n, n - 1, (n - 2) / 2);
		for (size_t k = 0; k < n;) {
			if (k + 1 < n && cost[k] <= limit) {
				p->v[m++] = join(&p->v[k], &p->v[k + 1]);
				k += 2;
			} else {
				p->v[m++] = p->v[k++];
			}
		}
		p->nr = m;
	}
	free(cost);
	return 0;
}

int dt_density_add(struct dt_density *p, struct dt_density_scratch *s, size_t n, size_t max,
		   size_t low)
{
	if (!n)
		return 0;
	if (DT_GROW(s->out, s->cap_out, 2 * (p->nr + n)))
		return -ENOMEM;
	size_t nr = merge_sum(p->v, p->nr, s->runs, n, s->out);
	struct dt_dspan *old = p->v;
	size_t old_cap = p->cap;
	p->v = s->out;
	p->cap = s->cap_out;
	p->nr = nr;
	s->out = old;
	s->cap_out = old_cap;
	return p->nr > max ? compact(p, low) : 0;
}
