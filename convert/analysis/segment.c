// SPDX-License-Identifier: GPL-2.0-only
// Segmentation of per-bin features into segments (segment.h): binary
// segmentation on call-path shares and activity, then on the hot set, each
// split kept when its scatter-corrected effect size reaches a threshold.
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "segment.h"
#include "checked.h"
#include "grow.h"
#include "errmsg.h"

void dt_seg_params_default(struct dt_seg_params *p)
{
	p->call_effect = 0.3;
	p->memory_effect = 0.5;
	p->z = 2.0;
	p->drift = 0;
	p->min_bins = 3;
}

const char *dt_seg_pattern_name(enum dt_seg_pattern p)
{
	switch (p) {
	case DT_SEG_IDLE: return "idle";
	case DT_SEG_STEADY: return "steady";
	case DT_SEG_SWEEP: return "sweep";
	case DT_SEG_GROWTH: return "growth";
	}
	return "?";
}

const char *dt_seg_reason_name(enum dt_seg_reason r)
{
	switch (r) {
	case DT_SEG_START: return "start";
	case DT_SEG_CALLS: return "call path";
	case DT_SEG_ACTIVITY: return "activity";
	case DT_SEG_HOTSET: return "hot set moved";
	case DT_SEG_WSS: return "WSS level";
	}
	return "?";
}

/* ------------------------------------------------------------ the model */

/* Derived per-bin series and their prefix sums (index 0..T). */
struct model {
	size_t T, F, D;          /* bins, feature frames, memory cells */
	const struct dt_seg_features *f;
	const struct dt_seg_params *p;
	size_t *feat;            /* feature frame indexes [F] */
	double *act;             /* activity per bin [T] */
	double act_weight;       /* weight of activity against one share */
	double *heat;            /* normalised hot bytes per cell [T * D] */
	double *heat_total;      /* [T] */
	/* prefix sums [(T + 1) * ...] */
	double *n, *n2, *ns, *ns2, *a, *a2, *x, *x2;
	size_t lag;              /* bins DAMON may lag behind the call path */
	double median_bin_ns;
};

static double clamp01(double v)
{
	return v < 0 ? 0 : v > 1 ? 1 : v;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* The q-quantile of the positive values of v[0..n) (0 when none). */
static double quantile_pos(const double *v, size_t n, double q)
{
	double *tmp = malloc((n ? n : 1) * sizeof(*tmp));
	size_t m = 0;
	double r = 0;

	if (!tmp)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (v[i] > 0)
			tmp[m++] = v[i];
	if (m) {
		qsort(tmp, m, sizeof(*tmp), cmp_double);
		r = tmp[(size_t)(q * (double)(m - 1) + 0.5)];
	}
	free(tmp);
	return r;
}

static double bin_secs(const struct dt_seg_features *f, size_t t)
{
	double d = (double)(f->end_ns[t] - f->start_ns[t]) / 1e9;
	return d > 1e-9 ? d : 1e-9;
}

/* Busy-ness on a log scale: 1 at the reference level, 0 at 1% of it. */
static double log_level(double v, double ref)
{
	if (v <= 0 || ref <= 0)
		return 0;
	return clamp01(1 + log10(v / ref) / 2);
}

static int in_stacks(const struct dt_seg_features *f, size_t t)
{
	return f->nr_stacks && f->end_ns[t] > f->stacks_first_ns &&
	       f->start_ns[t] <= f->stacks_last_ns;
}

/* Activity: the larger of the sample rate's and the hot bytes' levels;
 * outside the span of the samples only the hot bytes tell. */
static int model_activity(struct model *m)
{
	const struct dt_seg_features *f = m->f;
	size_t T = m->T;
	double *rate = calloc(T ? T : 1, sizeof(*rate));

	if (!rate)
		return -ENOMEM;
	/* the count less its Poisson error: a lone sample in the bin of a
	 * program that waits (off the CPU, sampled by chance) is no busy bin */
	for (size_t t = 0; t < T; t++)
		rate[t] = fmax(0, f->samples[t] - sqrt(f->samples[t])) / bin_secs(f, t);
	double rref = quantile_pos(rate, T, 0.9);
	double href = quantile_pos(m->heat_total, T, 0.9);
	double nsum = 0;
	size_t ncnt = 0;
	for (size_t t = 0; t < T; t++) {
		double a = log_level(m->heat_total[t], href);
		if (in_stacks(f, t) && log_level(rate[t], rref) > a)
			a = log_level(rate[t], rref);
		m->act[t] = a;
		if (f->samples[t] > 0) {
			nsum += f->samples[t];
			ncnt++;
		}
	}
	m->act_weight = ncnt ? nsum / (double)ncnt : 1;
	free(rate);
	return 0;
}

/* Hot bytes per cell, per aggregation, scaled by the 90th percentile of
 * the bins' totals. */
static void model_heat(struct model *m)
{
	const struct dt_seg_features *f = m->f;

	for (size_t t = 0; t < m->T; t++) {
		double k = f->nr_aggrs[t] ? 1.0 / f->nr_aggrs[t] : 0, tot = 0;
		for (size_t d = 0; d < m->D; d++) {
			m->heat[t * m->D + d] = f->heat[t * m->D + d] * k;
			tot += m->heat[t * m->D + d];
		}
		m->heat_total[t] = tot;
	}
	double ref = quantile_pos(m->heat_total, m->T, 0.9);
	if (ref <= 0)
		return;
	for (size_t i = 0; i < m->T * m->D; i++)
		m->heat[i] /= ref;
}

static void model_prefix(struct model *m)
{
	const struct dt_seg_features *f = m->f;
	size_t F = m->F, D = m->D;

	for (size_t t = 0; t < m->T; t++) {
		double n = f->samples[t];
		m->n[t + 1] = m->n[t] + n;
		m->n2[t + 1] = m->n2[t] + n * n;
		for (size_t j = 0; j < F; j++) {
			double c = f->frame_samples[t * f->nr_frames + m->feat[j]];
			double s = n > 0 ? c / n : 0;
			m->ns[(t + 1) * F + j] = m->ns[t * F + j] + n * s;
			m->ns2[(t + 1) * F + j] = m->ns2[t * F + j] + n * s * s;
		}
		m->a[t + 1] = m->a[t] + m->act[t];
		m->a2[t + 1] = m->a2[t] + m->act[t] * m->act[t];
		for (size_t d = 0; d < D; d++) {
			double v = m->heat[t * D + d];
			m->x[(t + 1) * D + d] = m->x[t * D + d] + v;
			m->x2[(t + 1) * D + d] = m->x2[t * D + d] + v * v;
		}
	}
}

static void model_free(struct model *m)
{
	free(m->feat);
	free(m->act);
	free(m->heat);
	free(m->heat_total);
	free(m->n);
	free(m->n2);
	free(m->ns);
	free(m->ns2);
	free(m->a);
	free(m->a2);
	free(m->x);
	free(m->x2);
}

static double median_bin_ns(const struct dt_seg_features *f)
{
	double *d = malloc((f->nr_bins ? f->nr_bins : 1) * sizeof(*d));
	double r = 0;

	if (!d)
		return 0;
	for (size_t t = 0; t < f->nr_bins; t++)
		d[t] = (double)(f->end_ns[t] - f->start_ns[t]);
	r = quantile_pos(d, f->nr_bins, 0.5);
	free(d);
	return r;
}

static int model_init(struct model *m, const struct dt_seg_features *f,
		      const struct dt_seg_params *p)
{
	size_t T = f->nr_bins, D = f->nr_areas * f->nr_cells;

	memset(m, 0, sizeof(*m));
	m->f = f;
	m->p = p;
	m->T = T;
	m->D = D;
	m->feat = calloc(f->nr_frames + 1, sizeof(*m->feat));
	if (!m->feat)
		return -ENOMEM;
	for (size_t j = 0; j < f->nr_frames; j++)
		if (f->frames[j].flags & DT_SEG_FRAME_FEATURE)
			m->feat[m->F++] = j;
	size_t F = m->F;
	m->act = calloc(T + 1, sizeof(double));
	m->heat = calloc(T * D + 1, sizeof(double));
	m->heat_total = calloc(T + 1, sizeof(double));
	m->n = calloc(T + 1, sizeof(double));
	m->n2 = calloc(T + 1, sizeof(double));
	m->ns = calloc((T + 1) * F + 1, sizeof(double));
	m->ns2 = calloc((T + 1) * F + 1, sizeof(double));
	m->a = calloc(T + 1, sizeof(double));
	m->a2 = calloc(T + 1, sizeof(double));
	m->x = calloc((T + 1) * D + 1, sizeof(double));
	m->x2 = calloc((T + 1) * D + 1, sizeof(double));
	if (!m->act || !m->heat || !m->heat_total || !m->n || !m->n2 || !m->ns ||
	    !m->ns2 || !m->a || !m->a2 || !m->x || !m->x2)
		return -ENOMEM;
	model_heat(m);
	if (model_activity(m))
		return -ENOMEM;
	model_prefix(m);
	m->median_bin_ns = median_bin_ns(f);
	m->lag = 1;
	if (f->update_ns && m->median_bin_ns > 0)
		m->lag = (size_t)ceil((double)f->update_ns / m->median_bin_ns) + 1;
	return 0;
}

/* ---------------------------------------------------- stage 1: the calls */

/* Weighted sum of squared deviations from the mean of [a, b). */
static double sse(double s0, double s1, double s2)
{
	return s0 > 0 ? s2 - s1 * s1 / s0 : 0;
}

static double call_cost(const struct model *m, size_t a, size_t b)
{
	size_t F = m->F;
	double n = m->n[b] - m->n[a], c = 0;

	for (size_t j = 0; j < F; j++)
		c += sse(n, m->ns[b * F + j] - m->ns[a * F + j],
			 m->ns2[b * F + j] - m->ns2[a * F + j]);
	c += m->act_weight * sse((double)(b - a), m->a[b] - m->a[a], m->a2[b] - m->a2[a]);
	return c;
}

/* Mean and squared standard error of one feature over [a, b): the scatter
 * between bins over the effective number of bins, at least the binomial
 * error of the samples. */
static int share_side(const struct model *m, size_t j, size_t a, size_t b,
		      double *mean, double *se2)
{
	size_t F = m->F;
	double n = m->n[b] - m->n[a], n2 = m->n2[b] - m->n2[a];

	if (n < 10)
		return 0;
	double s1 = m->ns[b * F + j] - m->ns[a * F + j];
	double s2 = m->ns2[b * F + j] - m->ns2[a * F + j];
	double mu = s1 / n, var = s2 / n - mu * mu;
	double neff = n * n / n2;
	double binom = mu * (1 - mu) / n;
	*mean = mu;
	*se2 = fmax(var > 0 ? var / neff : 0, binom);
	return 1;
}

/* How much a feature's mean moves between the halves of [a, b) (0 when
 * a half has too few samples): a slow drift is no boundary. */
static double share_drift(const struct model *m, size_t j, size_t a, size_t b)
{
	size_t h = (a + b) / 2;
	double u, v, s1, s2;

	if (h <= a || h >= b || !share_side(m, j, a, h, &u, &s1) || !share_side(m, j, h, b, &v, &s2))
		return 0;
	return fabs(u - v);
}

static double act_side(const struct model *m, size_t a, size_t b, double *se2)
{
	double len = (double)(b - a);
	double mu = (m->a[b] - m->a[a]) / len;
	double var = (m->a2[b] - m->a2[a]) / len - mu * mu;

	*se2 = var > 0 ? var / len : 0;
	return mu;
}

/* Largest scatter-corrected difference of one feature's means across k;
 * *which: feature index, or F for activity. */
static double share_effect(const struct model *m, size_t a, size_t kl, size_t kr, size_t b,
			   size_t *which)
{
	double best = -1, z = m->p->z, se2l, se2r;

	for (size_t j = 0; j < m->F; j++) {
		double ml, mr;
		if (!share_side(m, j, a, kl, &ml, &se2l) || !share_side(m, j, kr, b, &mr, &se2r))
			continue;
		double d = fabs(ml - mr) - z * sqrt(se2l + se2r) -
			   m->p->drift * fmax(share_drift(m, j, a, kl), share_drift(m, j, kr, b));
		if (d > best) {
			best = d;
			*which = j;
		}
	}
	return best;
}

/* The call effect of k: the larger of the shares' effect with every bin
 * and without the bin on each side of k (a boundary falls inside a bin,
 * whose samples belong to both sides: in a step of a few bins, such as
 * sqlite's CREATE INDEX, they are a large part of its scatter), and the
 * activity's. */
static double call_effect(const struct model *m, size_t a, size_t k, size_t b,
			  size_t *which)
{
	double z = m->p->z, se2l, se2r;
	size_t w2 = 0;
	double best = share_effect(m, a, k, k, b, which);

	if (k - a >= 3 && b - k >= 3) {
		double inner = share_effect(m, a, k - 1, k + 1, b, &w2);
		if (inner > best) {
			best = inner;
			*which = w2;
		}
	}
	double al = act_side(m, a, k, &se2l), ar = act_side(m, k, b, &se2r);
	double d = fabs(al - ar) - z * sqrt(se2l + se2r);
	if (d > best) {
		best = d;
		*which = m->F;
	}
	return best;
}

/* ---------------------------------------------------- stage 2: memory */

static double mem_cost(const struct model *m, size_t a, size_t b)
{
	size_t D = m->D;
	double c = 0, len = (double)(b - a);

	for (size_t d = 0; d < D; d++)
		c += sse(len, m->x[b * D + d] - m->x[a * D + d], m->x2[b * D + d] - m->x2[a * D + d]);
	return c;
}

/* 1 - weighted Jaccard index of the mean hot sets of [a, b) and [c, e). */
static double mem_dist(const struct model *m, size_t a, size_t b, size_t c, size_t e)
{
	size_t D = m->D;
	double lo = 0, hi = 0, l1 = (double)(b - a), l2 = (double)(e - c);

	if (b <= a || e <= c)
		return 0;
	for (size_t d = 0; d < D; d++) {
		double u = (m->x[b * D + d] - m->x[a * D + d]) / l1;
		double v = (m->x[e * D + d] - m->x[c * D + d]) / l2;
		lo += fmin(u, v);
		hi += fmax(u, v);
	}
	return hi > 0 ? 1 - lo / hi : 0;
}

static double mem_total(const struct model *m, size_t a, size_t b)
{
	double s = 0;

	for (size_t d = 0; d < m->D; d++)
		s += m->x[b * m->D + d] - m->x[a * m->D + d];
	return b > a ? s / (double)(b - a) : 0;
}

/* The change of the hot set across k (windows of `lag` bins each side,
 * inside [a, b)) minus twice the drift inside each window. */
static double mem_effect(const struct model *m, size_t a, size_t k, size_t b)
{
	size_t w = m->lag > m->p->min_bins ? m->lag : m->p->min_bins;
	size_t lo = k > a + w ? k - w : a, hi = k + w < b ? k + w : b;
	size_t hl = (lo + k) / 2, hr = (k + hi) / 2;
	double across = mem_dist(m, lo, k, k, hi);
	double dl = hl > lo && k > hl ? mem_dist(m, lo, hl, hl, k) : 0;
	double dr = hr > k && hi > hr ? mem_dist(m, k, hr, hr, hi) : 0;

	return across - 2 * fmax(dl, dr);
}

/* ------------------------------------------------ binary segmentation */

struct cut {
	size_t k;
	enum dt_seg_reason reason;
	double effect;
};

struct cuts {
	size_t nr, cap;
	struct cut *v;
};

static int cuts_add(struct cuts *c, size_t k, enum dt_seg_reason r, double e)
{
	if (DT_GROW(c->v, c->cap, c->nr + 1))
		return -ENOMEM;
	c->v[c->nr++] = (struct cut){ k, r, e };
	return 0;
}

typedef double (*cost_fn)(const struct model *m, size_t a, size_t b);

/* Split of [a, b) with the largest cost gain, or 0 when none. */
static size_t best_split(const struct model *m, cost_fn cost, size_t a, size_t b)
{
	size_t ml = m->p->min_bins ? m->p->min_bins : 1, best_k = 0;
	double base, best = 0;

	if (b - a < 2 * ml)
		return 0;
	base = cost(m, a, b);
	for (size_t k = a + ml; k + ml <= b; k++) {
		double g = base - cost(m, a, k) - cost(m, k, b);
		if (g > best) {
			best = g;
			best_k = k;
		}
	}
	return best_k;
}

/* Work list of intervals still to split. */
struct span {
	size_t a, b;
};

struct spans {
	size_t nr, cap;
	struct span *v;
};

static int spans_push(struct spans *s, size_t a, size_t b)
{
	if (DT_GROW(s->v, s->cap, s->nr + 1))
		return -ENOMEM;
	s->v[s->nr++] = (struct span){ a, b };
	return 0;
}

/* Over-segmentation: every span of at least 2 x min_bins is split where
 * the cost gains most, down to min_bins; the cuts come out in any order. */
static int oversegment(const struct model *m, cost_fn cost, size_t a, size_t b,
		       struct cuts *out)
{
	struct spans todo = { 0 };
	int ret = spans_push(&todo, a, b);

	while (!ret && todo.nr) {
		struct span s = todo.v[--todo.nr];
		size_t k = best_split(m, cost, s.a, s.b);
		if (!k)
			continue;
		ret = cuts_add(out, k, DT_SEG_START, 0);
		if (!ret)
			ret = spans_push(&todo, s.a, k);
		if (!ret)
			ret = spans_push(&todo, k, s.b);
	}
	free(todo.v);
	return ret;
}

static int cmp_cut(const void *a, const void *b)
{
	const struct cut *x = a, *y = b;
	return x->k < y->k ? -1 : x->k > y->k;
}

typedef double (*effect_fn)(const struct model *m, size_t a, size_t k, size_t b,
			    enum dt_seg_reason *why);

static double calls_effect_fn(const struct model *m, size_t a, size_t k, size_t b,
			      enum dt_seg_reason *why)
{
	size_t which = 0;
	double e = call_effect(m, a, k, b, &which);

	*why = which == m->F ? DT_SEG_ACTIVITY : DT_SEG_CALLS;
	return e;
}

static double memory_effect_fn(const struct model *m, size_t a, size_t k, size_t b,
			       enum dt_seg_reason *why)
{
	double l = mem_total(m, a, k), r = mem_total(m, k, b);

	*why = fmax(l, r) >= 2 * fmin(l, r) ? DT_SEG_WSS : DT_SEG_HOTSET;
	return mem_effect(m, a, k, b);
}

/* Effect of cut i of c (sorted) between its neighbours, inside [a, b). */
static void rate_cut(const struct model *m, effect_fn fn, struct cuts *c, size_t i,
		     size_t a, size_t b)
{
	size_t lo = i ? c->v[i - 1].k : a, hi = i + 1 < c->nr ? c->v[i + 1].k : b;

	c->v[i].effect = fn(m, lo, c->v[i].k, hi, &c->v[i].reason);
}

/* Backward elimination: while the weakest cut is below delta, drop it and
 * rate its neighbours again.  The order of removal does not depend on
 * delta, so a smaller delta keeps a superset of the cuts. */
static void eliminate(const struct model *m, effect_fn fn, struct cuts *c, size_t a,
		      size_t b, double delta)
{
	if (c->nr > 1) /* qsort takes no NULL array */
		qsort(c->v, c->nr, sizeof(*c->v), cmp_cut);
	for (size_t i = 0; i < c->nr; i++)
		rate_cut(m, fn, c, i, a, b);
	while (c->nr) {
		size_t w = 0;
		for (size_t i = 1; i < c->nr; i++)
			if (c->v[i].effect < c->v[w].effect)
				w = i;
		if (c->v[w].effect >= delta)
			break;
		memmove(&c->v[w], &c->v[w + 1], (c->nr - w - 1) * sizeof(*c->v));
		c->nr--;
		if (w > 0)
			rate_cut(m, fn, c, w - 1, a, b);
		if (w < c->nr)
			rate_cut(m, fn, c, w, a, b);
	}
}

static int stage_calls(const struct model *m, struct cuts *out)
{
	int ret = oversegment(m, call_cost, 0, m->T, out);

	if (!ret)
		eliminate(m, calls_effect_fn, out, 0, m->T, m->p->call_effect);
	return ret;
}

/* Memory cuts inside [a, b); the first `skip` bins (DAMON's lag after a
 * call-path boundary) are left out. */
static int stage_memory(const struct model *m, size_t a, size_t b, size_t skip,
			struct cuts *out)
{
	struct cuts c = { 0 };
	int ret = 0;

	if (!m->D || a + skip >= b)
		return 0;
	ret = oversegment(m, mem_cost, a + skip, b, &c);
	if (!ret)
		eliminate(m, memory_effect_fn, &c, a + skip, b, m->p->memory_effect);
	for (size_t i = 0; !ret && i < c.nr; i++)
		ret = cuts_add(out, c.v[i].k, c.v[i].reason, c.v[i].effect);
	free(c.v);
	return ret;
}


/* ------------------------------------------------------------ patterns */

/* Kendall's rank correlation of y over x (x increasing), -1..1: the
 * share of pairs in order minus the share out of order.  Robust to a bin
 * of the neighbouring phase at an edge and to DAMON's jumps at regions
 * updates, which a least-squares line is not.  At most 512 points (evenly
 * spaced) are compared. */
static double kendall(const double *y, size_t n)
{
	size_t step = n > 512 ? (n + 511) / 512 : 1;
	double conc = 0, disc = 0;

	for (size_t i = 0; i < n; i += step)
		for (size_t j = i + step; j < n; j += step) {
			conc += y[j] > y[i];
			disc += y[j] < y[i];
		}
	return conc + disc > 0 ? (conc - disc) / (conc + disc) : 0;
}

/* Median of v[a..b) (sorts a copy); 0 when empty or out of memory. */
static double median_of(const double *v, size_t a, size_t b)
{
	size_t n = b > a ? b - a : 0;
	double *tmp = n ? malloc(n * sizeof(*tmp)) : NULL, r;

	if (!tmp)
		return 0;
	memcpy(tmp, v + a, n * sizeof(*tmp));
	qsort(tmp, n, sizeof(*tmp), cmp_double);
	r = n % 2 ? tmp[n / 2] : (tmp[n / 2 - 1] + tmp[n / 2]) / 2;
	free(tmp);
	return r;
}

/* Theil-Sen slope of y over t: the median of the pairwise slopes (at most
 * 256 points, evenly spaced), robust to DAMON's jumps and edge bins. */
static double theil_sen(const double *t, const double *y, size_t n)
{
	size_t step = n > 256 ? (n + 255) / 256 : 1, m = 0;
	double *sl = malloc(((n / step + 1) * (n / step + 1) / 2 + 1) * sizeof(*sl)), r;

	if (!sl)
		return 0;
	for (size_t i = 0; i < n; i += step)
		for (size_t j = i + step; j < n; j += step)
			if (t[j] > t[i])
				sl[m++] = (y[j] - y[i]) / (t[j] - t[i]);
	r = median_of(sl, 0, m);
	free(sl);
	return r;
}

/* A trend of y over time: Kendall's tau, the medians of the first and
 * the last third and their difference, and the Theil-Sen slope. */
struct trend {
	double tau, first, last, change, slope;
};

static void trend_of(const double *t, const double *y, size_t n, struct trend *tr)
{
	size_t k = n / 3 ? n / 3 : 1;

	tr->tau = kendall(y, n);
	tr->first = median_of(y, 0, k);
	tr->last = median_of(y, n - k, n);
	tr->change = tr->last - tr->first;
	tr->slope = theil_sen(t, y, n);
}

static int dominant_area(const struct model *m, const struct dt_segment *s)
{
	const struct dt_seg_features *f = m->f;
	size_t C = f->nr_cells, D = m->D, a0 = s->first_bin, a1 = s->first_bin + s->nr_bins;
	int best = -1;
	double bh = 0;

	for (size_t ar = 0; ar < f->nr_areas; ar++) {
		double h = 0;
		for (size_t c = 0; c < C; c++)
			h += m->x[a1 * D + ar * C + c] - m->x[a0 * D + ar * C + c];
		if (h > bh) {
			bh = h;
			best = (int)ar;
		}
	}
	return best;
}

/* Hot bytes of area `ar` in bin t (per aggregation) and its centroid's
 * offset in the area (-1 when nothing is hot). */
static double area_bytes(const struct dt_seg_features *f, size_t t, size_t ar, double *centroid)
{
	size_t C = f->nr_cells, base = (t * f->nr_areas + ar) * C;
	double h = 0;

	for (size_t c = 0; c < C; c++)
		h += f->heat[base + c];
	*centroid = h > 0 ? f->pos[t * f->nr_areas + ar] / h : -1;
	return f->nr_aggrs[t] ? h / f->nr_aggrs[t] : 0;
}

/* One area's hot bytes per aggregation over the inner bins of a segment
 * (t, bytes), and its centroid over those of them with heat (ct, cent). */
struct series {
	double *t, *bytes, *cent, *ct;
	size_t n, nc;
	size_t a, ar; /* first inner bin, area */
};

/* The inner bins: a boundary is uncertain to one bin, so the bin on each
 * side of it may hold the neighbouring segment's behaviour; it is left
 * out when the segment keeps min_bins without it. */
static int series_of(const struct model *m, const struct dt_segment *s, size_t ar,
		     struct series *se)
{
	const struct dt_seg_features *f = m->f;
	size_t a = s->first_bin, b = s->first_bin + s->nr_bins;

	if (s->nr_bins >= (size_t)m->p->min_bins + 2) {
		a++;
		b--;
	}
	size_t n = b - a;
	se->a = a;
	se->ar = ar;
	se->t = calloc(n, sizeof(double));
	se->bytes = calloc(n, sizeof(double));
	se->cent = calloc(n, sizeof(double));
	se->ct = calloc(n, sizeof(double));
	if (!se->t || !se->bytes || !se->cent || !se->ct)
		return -ENOMEM;
	se->n = n;
	se->nc = 0;
	for (size_t i = 0; i < n; i++) {
		size_t t = a + i;
		double c;
		se->t[i] = (double)(f->start_ns[t] / 2 + f->end_ns[t] / 2 - f->start_ns[0]) / 1e9;
		se->bytes[i] = area_bytes(f, t, ar, &c);
		if (c >= 0) {
			se->ct[se->nc] = se->t[i];
			se->cent[se->nc++] = c;
		}
	}
	return 0;
}

static void series_free(struct series *se)
{
	free(se->t);
	free(se->bytes);
	free(se->cent);
	free(se->ct);
}

/* The share of the first third's heat (of the series) that lies in cells
 * still hot in the last third (a quarter of its hottest cell's heat or
 * more: the tail of a band straddling two cells is not), 0..1.  A
 * band that moved through the area has left its first cells (near 0); a
 * growing range keeps them (1), and so do two fixed ranges that trade
 * accesses, which move the centroid as well. */
static double third_heat(const struct dt_seg_features *f, const struct series *se,
			 size_t from, size_t k, size_t c)
{
	size_t C = f->nr_cells;
	double h = 0;

	for (size_t i = from; i < from + k; i++)
		h += f->heat[((se->a + i) * f->nr_areas + se->ar) * C + c];
	return h;
}

static double cells_kept(const struct dt_seg_features *f, const struct series *se)
{
	size_t C = f->nr_cells, k = se->n / 3 ? se->n / 3 : 1, last = se->n - k;
	double p = 0, top = 0, kept = 0;

	for (size_t c = 0; c < C; c++) {
		p += third_heat(f, se, 0, k, c);
		top = fmax(top, third_heat(f, se, last, k, c));
	}
	for (size_t c = 0; p > 0 && c < C; c++)
		if (third_heat(f, se, last, k, c) >= 0.25 * top)
			kept += third_heat(f, se, 0, k, c) / p;
	return p > 0 ? kept : 1;
}

/* Rank correlation a trend needs to count (Kendall's tau; 0.5: three
 * pairs of bins in order for each one out of order). */
#define TREND_TAU 0.5

/* Growth: the hot bytes rise (at least double) and the hot set reaches new
 * addresses while keeping its first ones (cells_kept): its centroid moves
 * up by at least a quarter of the rise (a range growing from a fixed start
 * at access intensity i moves its centroid by rise / 2i; a factor 2 for
 * scatter).  More accesses on the same range (DAMON's regions splitting
 * down to a busy range, a program speeding up) raise the bytes without
 * moving the centroid: steady. */
static int is_growth(const struct trend *b, const struct trend *c, double kept)
{
	return b->tau >= TREND_TAU && b->change > 0 && b->first <= 0.5 * b->last &&
	       c->tau >= TREND_TAU && c->change >= 0.25 * b->change && kept >= 0.5;
}

/* Sweep: the centroid moves one way, by more than the band's width in the
 * segment (the hot bytes: at most the band's width, since nr_accesses is
 * at most its maximum), and the hot set left the cells it started in. */
static int is_sweep(const struct trend *c, double band, double secs, double kept)
{
	return fabs(c->tau) >= TREND_TAU && fabs(c->slope) * secs > band && kept < 0.5;
}

/* Steady unless the hot set of its main area grows (growth) or moves
 * through the area (sweep).  Judged on ranks and medians, not on
 * least-squares lines: DAMON's picture jumps at regions updates and the
 * edge bins may hold the neighbouring phase. */
static int classify(const struct model *m, struct dt_segment *s)
{
	const struct dt_seg_features *f = m->f;
	struct series se = { 0 };
	struct trend tb, tc;
	int ret;

	s->pattern = s->activity < 0.25 ? DT_SEG_IDLE : DT_SEG_STEADY;
	s->area = dominant_area(m, s);
	if (s->pattern == DT_SEG_IDLE || s->area < 0 || s->nr_bins < m->p->min_bins)
		return 0;
	const struct dt_seg_area *ar = &f->areas[s->area];
	double size = (double)(ar->end - ar->start);
	if ((ret = series_of(m, s, (size_t)s->area, &se)))
		goto out;
	if (se.nc < m->p->min_bins)
		goto out;
	double secs = (double)(s->end_ns - s->start_ns) / 1e9;
	double band = median_of(se.bytes, 0, se.n);
	/* DAMON resolves a hot set of a few regions at most: under 1% of
	 * the record's working set, where it lies is noise */
	if (band < 0.01 * quantile_pos(f->wss, f->nr_bins, 0.9))
		goto out;
	trend_of(se.t, se.bytes, se.n, &tb);
	trend_of(se.ct, se.cent, se.nc, &tc);
	double kept = cells_kept(f, &se);
	if (is_growth(&tb, &tc, kept)) {
		s->pattern = DT_SEG_GROWTH;
		s->speed = 2 * tc.slope;
		s->range_start = ar->start;
		s->range_end = ar->end;
	} else if (is_sweep(&tc, band, secs, kept)) {
		double speed = tc.slope;
		double tb0 = (double)(s->start_ns - f->start_ns[0]) / 1e9;
		size_t k = se.nc / 3 ? se.nc / 3 : 1;
		double first = tc.first + speed * (tb0 - median_of(se.ct, 0, k));
		double last = first + speed * secs;
		double lo = fmax(0, fmin(first, last) - band / 2);
		double hi = fmin(size, fmax(first, last) + band / 2);
		s->pattern = DT_SEG_SWEEP;
		s->speed = speed;
		/* lo <= hi <= size: within the area, which may reach 2^64 */
		s->range_start = ar->start + dt_sat_u64_of(lo);
		s->range_end = ar->start + dt_sat_u64_of(hi);
	}
out:
	series_free(&se);
	return ret;
}

/* ------------------------------------------------------------ segments */

static void describe(const struct model *m, struct dt_segment *s)
{
	const struct dt_seg_features *f = m->f;
	size_t a = s->first_bin, b = s->first_bin + s->nr_bins;
	double w = 0, aggrs = 0;

	s->start_ns = f->start_ns[a];
	s->end_ns = b < m->T ? f->start_ns[b] : f->end_ns[b - 1];
	s->activity = (m->a[b] - m->a[a]) / (double)(b - a);
	for (size_t t = a; t < b; t++) {
		w += f->wss[t];
		aggrs += f->nr_aggrs[t];
	}
	s->wss_mean = aggrs > 0 ? w / aggrs : 0;
}

static uint64_t uncertainty(const struct model *m, const struct cut *c)
{
	const struct dt_seg_features *f = m->f;
	uint64_t bin = f->end_ns[c->k] - f->start_ns[c->k];

	if (c->reason == DT_SEG_HOTSET || c->reason == DT_SEG_WSS)
		return bin + f->update_ns;
	return bin;
}

static int build(const struct model *m, struct cuts *c, struct dt_segments *out)
{
	size_t n = c->nr + 1;

	out->v = calloc(n, sizeof(*out->v));
	if (!out->v)
		return -ENOMEM;
	out->nr = n;
	for (size_t i = 0; i < n; i++) {
		struct dt_segment *s = &out->v[i];
		size_t a = i ? c->v[i - 1].k : 0, b = i < c->nr ? c->v[i].k : m->T;
		s->first_bin = a;
		s->nr_bins = b - a;
		s->area = -1;
		if (i) {
			s->reason = c->v[i - 1].reason;
			s->effect = c->v[i - 1].effect;
			s->uncertainty_ns = uncertainty(m, &c->v[i - 1]);
		}
		describe(m, s);
		int ret = classify(m, s);
		if (ret)
			return ret;
	}
	return 0;
}

/* A memory cut between two parts of one growth goes: DAMON sees a heap
 * grow in steps (its regions follow new memory at regions updates), and
 * the first step, from nothing hot to a range, reads as a new hot set.
 * Cuts of the call path stay. */
static int merge_growth(const struct model *m, struct cuts *c)
{
	for (size_t i = 0; i < c->nr;) {
		struct dt_segment s = { 0 };
		int ret;
		if (c->v[i].reason != DT_SEG_HOTSET && c->v[i].reason != DT_SEG_WSS) {
			i++;
			continue;
		}
		s.first_bin = i ? c->v[i - 1].k : 0;
		s.nr_bins = (i + 1 < c->nr ? c->v[i + 1].k : m->T) - s.first_bin;
		describe(m, &s);
		if ((ret = classify(m, &s)))
			return ret;
		if (s.pattern != DT_SEG_GROWTH) {
			i++;
			continue;
		}
		memmove(&c->v[i], &c->v[i + 1], (c->nr - i - 1) * sizeof(*c->v));
		c->nr--;
		i = i ? i - 1 : 0; /* the merged segment may merge again */
	}
	return 0;
}

static int segment_all(const struct model *m, struct dt_segments *out)
{
	struct cuts calls = { 0 }, all = { 0 };
	int ret = stage_calls(m, &calls);

	if (!ret)
		if (calls.nr > 1) /* qsort takes no NULL array */
			qsort(calls.v, calls.nr, sizeof(*calls.v), cmp_cut);
	for (size_t i = 0; !ret && i <= calls.nr; i++) {
		size_t a = i ? calls.v[i - 1].k : 0, b = i < calls.nr ? calls.v[i].k : m->T;
		if (i)
			ret = cuts_add(&all, calls.v[i - 1].k, calls.v[i - 1].reason,
				       calls.v[i - 1].effect);
		if (!ret)
			ret = stage_memory(m, a, b, i ? m->lag : 0, &all);
	}
	if (!ret) {
		if (all.nr > 1) /* qsort takes no NULL array */
			qsort(all.v, all.nr, sizeof(*all.v), cmp_cut);
		ret = merge_growth(m, &all);
	}
	if (!ret)
		ret = build(m, &all, out);
	free(calls.v);
	free(all.v);
	return ret;
}

int dt_segment(const struct dt_seg_features *f, const struct dt_seg_params *p,
	       struct dt_segments *out, char *err, size_t errlen)
{
	struct dt_seg_params def;
	struct model m;
	int ret;

	memset(out, 0, sizeof(*out));
	if (!p) {
		dt_seg_params_default(&def);
		p = &def;
	}
	if (!f->nr_bins)
		return 0;
	ret = model_init(&m, f, p);
	if (!ret)
		ret = segment_all(&m, out);
	model_free(&m);
	if (ret) {
		dt_segments_free(out);
		return dt_fail(err, errlen, ret, "segmentation: out of memory");
	}
	return 0;
}

void dt_segments_free(struct dt_segments *s)
{
	free(s->v);
	s->v = NULL;
	s->nr = 0;
}

/* ---------------------------------------------------------------- names */

/* Preference tier of a frame for naming: 3 main executable with source
 * lines, 2 main executable, 1 library, 0 never. */
static int name_tier(unsigned fl)
{
	if (fl & (DT_SEG_FRAME_KERNEL | DT_SEG_FRAME_UNKNOWN))
		return 0;
	if (fl & DT_SEG_FRAME_LIBRARY)
		return 1;
	return fl & DT_SEG_FRAME_SOURCE ? 3 : 2;
}

/* Better candidate: higher tier, then deeper. */
static int name_better(const struct dt_seg_frame *x, const struct dt_seg_frame *y)
{
	int tx = name_tier(x->flags), ty = name_tier(y->flags);

	if (tx != ty)
		return tx > ty;
	return x->depth > y->depth;
}

/* Candidates: 1 frames not common; 2 also the executable's frames common
 * to one thread only; 0 every frame. */
static int candidate(const struct dt_seg_frame *fr, int which)
{
	if (which == 0 || !(fr->flags & DT_SEG_FRAME_COMMON))
		return 1;
	return which == 2 && fr->flags & DT_SEG_FRAME_THREAD && name_tier(fr->flags) >= 2;
}

static int pick_name(const struct dt_seg_features *f, const double *share, int which)
{
	int best = -1;

	for (size_t j = 0; j < f->nr_frames; j++) {
		const struct dt_seg_frame *fr = &f->frames[j];
		if (share[j] < 0.5 || !name_tier(fr->flags) || !candidate(fr, which))
			continue;
		if (best < 0 || name_better(fr, &f->frames[best]))
			best = (int)j;
	}
	return best;
}

/* The two frames of largest share that are not common (nor kernel). */
static int top_two(const struct dt_seg_features *f, const double *share, int names[2],
		   double shares[2])
{
	int n = 0;

	for (size_t j = 0; j < f->nr_frames; j++) {
		if (!name_tier(f->frames[j].flags) || f->frames[j].flags & DT_SEG_FRAME_COMMON ||
		    share[j] <= 0)
			continue;
		if (n < 2 || share[j] > shares[1]) {
			int at = n < 2 ? n++ : 1;
			names[at] = (int)j;
			shares[at] = share[j];
			if (at == 1 && shares[1] > shares[0]) {
				int ti = names[0];
				double ts = shares[0];
				names[0] = names[1];
				shares[0] = shares[1];
				names[1] = ti;
				shares[1] = ts;
			}
		}
	}
	return n;
}

int dt_segment_name(const struct dt_seg_features *f, const struct dt_segment *s,
		    int names[2], double shares[2])
{
	double total = 0;
	double *share = calloc(f->nr_frames + 1, sizeof(*share));
	int n = 0;

	names[0] = names[1] = -1;
	shares[0] = shares[1] = 0;
	if (!share)
		return 0;
	for (size_t t = s->first_bin; t < s->first_bin + s->nr_bins; t++) {
		total += f->samples[t];
		for (size_t j = 0; j < f->nr_frames; j++)
			share[j] += f->frame_samples[t * f->nr_frames + j];
	}
	for (size_t j = 0; total > 0 && j < f->nr_frames; j++)
		share[j] /= total;
	if (total > 0) {
		int best = pick_name(f, share, 1);
		if ((best < 0 || name_tier(f->frames[best].flags) < 2) && pick_name(f, share, 2) >= 0 &&
		    name_tier(f->frames[pick_name(f, share, 2)].flags) >= 2)
			best = pick_name(f, share, 2);
		if (best < 0 && ((n = top_two(f, share, names, shares)) == 0 || shares[0] < 0.25))
			best = pick_name(f, share, 0);
		if (best >= 0) {
			names[0] = best;
			names[1] = -1;
			shares[0] = share[best];
			shares[1] = 0;
			n = 1;
		}
	}
	free(share);
	return n;
}

/* Whether frame j may be listed in `top:` (nameable, not common). */
static int listable(const struct dt_seg_features *f, size_t j)
{
	return name_tier(f->frames[j].flags) && !(f->frames[j].flags & DT_SEG_FRAME_COMMON);
}

/* A frame tells about a segment when its share there is at least half as
 * large again as in the rest of the record: a helper that takes the same
 * share everywhere (the workloads' __mprotect under every phase, memcpy
 * under every function) says nothing about this one.  Without samples
 * elsewhere (a record of one phase) every frame tells. */
#define TOP_LIFT 1.5

static int tells(const struct dt_seg_features *f, const struct dt_segment *s, size_t j,
		 double share, double out_total)
{
	double out = 0;

	if (out_total < 10)
		return 1;
	for (size_t t = 0; t < f->nr_bins; t++)
		if (t < s->first_bin || t >= s->first_bin + s->nr_bins)
			out += f->frame_samples[t * f->nr_frames + j];
	return share >= TOP_LIFT * out / out_total;
}

size_t dt_segment_top(const struct dt_seg_features *f, const struct dt_segment *s,
		      size_t max, int *idx, double *shares)
{
	double total = 0, all = 0;
	size_t n = 0;

	for (size_t t = 0; t < f->nr_bins; t++)
		all += f->samples[t];
	for (size_t t = s->first_bin; t < s->first_bin + s->nr_bins; t++)
		total += f->samples[t];
	if (total <= 0)
		return 0;
	for (size_t j = 0; j < f->nr_frames; j++) {
		double sh = 0;
		if (!listable(f, j))
			continue;
		for (size_t t = s->first_bin; t < s->first_bin + s->nr_bins; t++)
			sh += f->frame_samples[t * f->nr_frames + j];
		sh /= total;
		if (sh <= 0 || !tells(f, s, j, sh, all - total))
			continue;
		/* insertion into the sorted list of at most `max` */
		size_t at = n;
		while (at > 0 && (shares[at - 1] < sh ||
				  (shares[at - 1] == sh &&
				   f->frames[idx[at - 1]].depth < f->frames[j].depth)))
			at--;
		if (at >= max)
			continue;
		size_t end = n < max ? n : max - 1;
		memmove(idx + at + 1, idx + at, (end - at) * sizeof(*idx));
		memmove(shares + at + 1, shares + at, (end - at) * sizeof(*shares));
		idx[at] = (int)j;
		shares[at] = sh;
		if (n < max)
			n++;
	}
	return n;
}

void dt_seg_lane_view(const struct dt_seg_features *f, size_t lane,
		      struct dt_seg_features *view)
{
	*view = *f;
	if (lane >= f->nr_lanes)
		return;
	view->samples = f->lane_samples + lane * f->nr_bins;
	view->frame_samples = f->lane_frame_samples + lane * f->nr_bins * f->nr_frames;
	view->nr_stacks = f->lanes[lane].samples;
	view->stacks_first_ns = f->lanes[lane].first_ns;
	view->stacks_last_ns = f->lanes[lane].last_ns;
	view->nr_lanes = 0;
}

long dt_seg_main_lane(const struct dt_seg_features *f)
{
	for (size_t i = 0; i < f->nr_lanes; i++)
		if (f->lanes[i].pid == f->lanes[i].tid)
			return (long)i;
	return f->nr_lanes ? 0 : -1;
}
