// SPDX-License-Identifier: GPL-2.0-only
/* damo's report access distributions: recency and temperature percentiles and size histograms (access.h). */
#include "access.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static char *metric_text(char *buf, size_t len, double v, int recency, int raw)
{
	return recency ? dt_access_fmt_time_us(buf, len, v, raw) : dt_access_fmt_nr(buf, len, v, raw);
}

/* damo's get_idle_time() (0 when accessed, else age plus one aggregation)
 * or get_temperature() (the size weight zeroed). */
static int64_t metric(const struct dt_access_record *rec, const struct dtr_region *r,
		      const struct dt_access_format *f, int recency)
{
	if (recency)
		return dt_access_percent(rec, r) > 0 ? 0 :
		       dt_access_age_us(rec, r) + (int64_t)rec->target.aggr_us;
	const int64_t w[3] = { 0, f->weights[1], f->weights[2] };
	return dt_access_temperature(rec, r, w);
}

struct keyed {
	int64_t m;
	size_t i;
};

static int cmp_keyed(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;

	if (x->m != y->m)
		return x->m < y->m ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

/* The regions by metric, stable (Python's sorted()). */
static struct keyed *by_metric(const struct dt_access_record *rec,
			       const struct dt_access_snapshot *s,
			       const struct dt_access_format *f, int recency)
{
	struct keyed *v = malloc(s->nr * sizeof(*v));

	if (!v)
		return NULL;
	for (size_t i = 0; i < s->nr; i++)
		v[i] = (struct keyed){ metric(rec, &s->regions[i], f, recency), i };
	qsort(v, s->nr, sizeof(*v), cmp_keyed);
	return v;
}

/* damo's get_percentiles_to_show(): nr written into *nr. */
static size_t percentiles_to_show(const struct dt_access_format *f, int64_t *out, size_t cap)
{
	static const int64_t def[] = { 0, 1, 25, 50, 75, 99, 100 };
	size_t n = 0;

	if (!f->nr_percentiles_range) {
		memcpy(out, def, sizeof(def));
		return sizeof(def) / sizeof(def[0]);
	}
	if (f->nr_percentiles_range > 3) {
		memcpy(out, f->percentiles_range, f->nr_percentiles_range * sizeof(*out));
		n = f->nr_percentiles_range;
		for (size_t i = 1; i < n; i++)   /* insertion sort: few values */
			for (size_t k = i; k && out[k - 1] > out[k]; k--) {
				int64_t t = out[k];
				out[k] = out[k - 1];
				out[k - 1] = t;
			}
		return n;
	}
	/* Python's range(stop), range(start, stop) or range(start, stop, step) */
	const int64_t *p = f->percentiles_range;
	int64_t start = f->nr_percentiles_range == 1 ? 0 : p[0];
	int64_t stop = f->nr_percentiles_range == 1 ? p[0] : p[1];
	int64_t step = f->nr_percentiles_range == 3 ? p[2] : 1;
	for (int64_t v = start; step && (step > 0 ? v < stop : v > stop) && n < cap; v += step)
		out[n++] = v;
	return n;
}

static void percentile_lines(const int64_t (*pv)[2], size_t n, const struct dt_access_format *f,
			     int recency, dt_put_fn put, void *o)
{
	char txt[64];
	size_t wp = 0, wv = 0;

	for (size_t i = 0; i < n; i++) {
		size_t lp = (size_t)snprintf(txt, sizeof(txt), "%lld", (long long)pv[i][0]);
		size_t lv = strlen(metric_text(txt, sizeof(txt), (double)pv[i][1], recency,
					       f->raw_number));
		wp = lp > wp ? lp : wp;
		wv = lv > wv ? lv : wv;
	}
	double min = (double)pv[0][1], max = (double)pv[n - 1][1];
	double per_dot = max != min ? (max - min) / 20 : 1;
	for (size_t i = 0; i < n; i++) {
		int bar = (int)trunc(((double)pv[i][1] - min) / per_dot);
		dt_putf(put, o, "\n%*lld  %*s  |%.*s%*s|", (int)wp, (long long)pv[i][0], (int)wv,
		     metric_text(txt, sizeof(txt), (double)pv[i][1], recency, f->raw_number),
		     bar, "********************", 20 - bar, "");
	}
}

int dt_access_percentiles(const struct dt_access_record *rec, const struct dt_access_snapshot *s,
			  const struct dt_access_format *f, int recency, dt_put_fn put, void *o)
{
	int64_t want[DT_ACCESS_MAX_PERCENTILES], (*pv)[2];
	size_t nr_want = percentiles_to_show(f, want, DT_ACCESS_MAX_PERCENTILES), k = 0, n = 0;
	unsigned __int128 total = 0, sum = 0;

	if (!s->nr) {
		dt_putf(put, o, "no region in snapshot");
		return 0;
	}
	struct keyed *v = by_metric(rec, s, f, recency);
	pv = malloc((nr_want + 1) * sizeof(*pv));
	if (!v || !pv) {
		free(v);
		free(pv);
		return -ENOMEM;
	}
	for (size_t i = 0; i < s->nr; i++)
		total += s->regions[i].end - s->regions[i].start;
	double pct = 0;
	size_t i;
	for (i = 0; i < s->nr; i++) {
		const struct dtr_region *r = &s->regions[v[i].i];
		sum = (unsigned __int128)(r->end - r->start) * 100;
		pct += dt_py_div_u128(sum, (uint64_t)total);
		while (k < nr_want && !(pct < (double)want[k])) {
			pv[n][0] = want[k++];
			pv[n++][1] = v[i].m;
		}
		if (pct >= 100.0)
			break;
	}
	for (size_t j = k; j < nr_want; j++)
		if (want[j] == 100) {
			pv[n][0] = 100;
			pv[n++][1] = v[i < s->nr ? i : s->nr - 1].m;
			break;
		}
	if (recency)
		dt_putf(put, o, "<percentile> %s", f->raw_number ? "<idle time (us)>" : "<idle time>");
	else
		dt_putf(put, o, "<percentile> <temperature (weights: [%lld, %lld, %lld])>",
		     (long long)f->weights[0], (long long)f->weights[1], (long long)f->weights[2]);
	if (n)
		percentile_lines((const int64_t (*)[2])pv, n, f, recency, put, o);
	free(v);
	free(pv);
	return 0;
}

/* damo's get_hist_ranges(), ten ranges from the lowest to the highest
 * metric; *nr of them written into r. */
static size_t hist_ranges(double minv, double maxv, const struct dt_access_format *f,
			  double (*r)[2], size_t cap)
{
	size_t n = 0;

	if (!f->hist_logscale) {
		double interval = fmax(ceil((maxv + 1 - minv) / 10), 1);
		for (n = 0; n < 10 && n < cap; n++) {
			r[n][0] = f->hist_cumulate ? minv : minv + interval * (double)n;
			r[n][1] = minv + interval * (double)(n + 1);
		}
		return n;
	}
	r[n][0] = minv;
	r[n++][1] = minv + fmax(trunc((maxv - minv) / 1024), 1);
	while (r[n - 1][1] < maxv && n < cap) {
		double last = r[n - 1][1] - r[n - 1][0];
		r[n][0] = f->hist_cumulate ? minv : r[n - 1][1];
		r[n][1] = r[n - 1][1] + last * 2;
		n++;
	}
	return n;
}

/* damo's histogram_str() of the ranges and their total sizes. */
static void hist_lines(double (*r)[2], const uint64_t *y, size_t n,
		       const struct dt_access_format *f, int recency, dt_put_fn put, void *o)
{
	char a[64], b[64], c[64];
	size_t wx = 0, wy = 0;
	uint64_t miny = y[0], maxy = y[0];

	for (size_t i = 0; i < n; i++) {
		size_t lx = (size_t)snprintf(c, sizeof(c), "[%s, %s)",
			metric_text(a, sizeof(a), r[i][0], recency, f->raw_number),
			metric_text(b, sizeof(b), r[i][1], recency, f->raw_number));
		size_t ly = strlen(dt_damo_format_sz(a, sizeof(a), (double)y[i], f->raw_number));
		wx = lx > wx ? lx : wx;
		wy = ly > wy ? ly : wy;
		miny = y[i] < miny ? y[i] : miny;
		maxy = y[i] > maxy ? y[i] : maxy;
	}
	double interval = fmax(trunc((double)(maxy - miny) / 20), 1);
	for (size_t i = 0; i < n; i++) {
		int dots = (int)fmin(ceil((double)(y[i] - miny) / interval), 20);
		snprintf(c, sizeof(c), "[%s, %s)",
			 metric_text(a, sizeof(a), r[i][0], recency, f->raw_number),
			 metric_text(b, sizeof(b), r[i][1], recency, f->raw_number));
		dt_putf(put, o, "%s%-*s %-*s |%.*s%*s|", i ? "\n" : "", (int)wx, c, (int)wy,
		     dt_damo_format_sz(a, sizeof(a), (double)y[i], f->raw_number), dots,
		     "********************", 20 - dots, "");
	}
}

#define MAX_HIST 128

int dt_access_sz_hist(const struct dt_access_record *rec, const struct dt_access_snapshot *s,
		      const struct dt_access_format *f, int recency, dt_put_fn put, void *o)
{
	double r[MAX_HIST][2];
	uint64_t y[MAX_HIST] = { 0 };
	size_t n;

	if (!s->nr) {
		dt_putf(put, o, "no region in snapshot");
		return 0;
	}
	struct keyed *v = by_metric(rec, s, f, recency);
	if (!v)
		return -ENOMEM;
	if (f->nr_hist_ranges) {
		n = f->nr_hist_ranges < MAX_HIST ? f->nr_hist_ranges : MAX_HIST;
		memcpy(r, f->hist_ranges, n * sizeof(r[0]));
	} else {
		n = hist_ranges((double)v[0].m, (double)v[s->nr - 1].m, f, r, MAX_HIST);
	}
	for (size_t k = 0; k < n; k++)
		for (size_t i = 0; i < s->nr; i++)
			if ((double)v[i].m >= r[k][0] && (double)v[i].m < r[k][1])
				y[k] += s->regions[v[i].i].end - s->regions[v[i].i].start;
	if (n)
		hist_lines(r, y, n, f, recency, put, o);
	free(v);
	return 0;
}
