// SPDX-License-Identifier: GPL-2.0-only
/* What damo's text reports share: numbers, percentiles, targets, nr_regions (report.h). */
#include "report.h"
#include "grow.h"

#include <errno.h>
#include <stdarg.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------- damo numbers */

/* format_sz() ("%.3f") and format_sz_accurate() ("%f") of damo. */
static char *format_sz_prec(char *buf, size_t len, double bytes, int raw, int prec)
{
	static const struct {
		int shift;
		const char *unit;
	} units[] = { { 60, "EiB" }, { 50, "PiB" }, { 40, "TiB" },
		      { 30, "GiB" }, { 20, "MiB" }, { 10, "KiB" } };

	if (raw) {
		snprintf(buf, len, "%.0f", trunc(bytes));
		return buf;
	}
	if (bytes == 18446744073709551615.0) {
		snprintf(buf, len, "max");
		return buf;
	}
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		double unit = ldexp(1.0, units[i].shift);
		if (bytes > unit) {
			snprintf(buf, len, "%.*f %s", prec, bytes / unit, units[i].unit);
			return buf;
		}
	}
	snprintf(buf, len, "%.0f B", trunc(bytes));
	return buf;
}

char *dt_damo_format_sz(char *buf, size_t len, double bytes, int raw)
{
	return format_sz_prec(buf, len, bytes, raw, 3);
}

char *dt_damo_format_sz_accurate(char *buf, size_t len, double bytes)
{
	return format_sz_prec(buf, len, bytes, 0, 6);
}

char *dt_damo_format_time_ns(char *buf, size_t len, double ns, int raw)
{
	const double us = 1e3, ms = 1e6, sec = 1e9, minute = 60 * sec,
		     hour = 60 * minute;
	const char *sign = "";

	if (raw) {
		snprintf(buf, len, "%.0f", trunc(ns));
		return buf;
	}
	if (ns < 0) {
		sign = "-";
		ns = -ns;
	}
	if (ns >= 18446744073709551615.0) {
		snprintf(buf, len, "%smax", sign);
	} else if (ns >= hour) {
		double h = trunc(ns / hour), less = ns - h * hour;
		if (less == 0) {
			snprintf(buf, len, "%s%.0f h", sign, h);
		} else {
			char rest[64];
			dt_damo_format_time_ns(rest, sizeof(rest), less, 0);
			snprintf(buf, len, "%s%.0f h %s", sign, h, rest);
		}
	} else if (ns >= minute) {
		double m = trunc(ns / minute);
		if (fmod(ns, minute) == 0)
			snprintf(buf, len, "%s%.0f m", sign, m);
		else if (fmod(ns, sec) == 0)
			snprintf(buf, len, "%s%.0f m %.0f s", sign, m,
				 trunc(fmod(ns, minute) / sec));
		else
			snprintf(buf, len, "%s%.0f m %.3f s", sign, m,
				 fmod(ns, minute) / sec);
	} else if (ns >= sec) {
		if (fmod(ns, sec) == 0)
			snprintf(buf, len, "%s%.0f s", sign, trunc(ns / sec));
		else
			snprintf(buf, len, "%s%.3f s", sign, ns / sec);
	} else if (ns >= ms) {
		if (fmod(ns, ms) == 0)
			snprintf(buf, len, "%s%.0f ms", sign, trunc(ns / ms));
		else
			snprintf(buf, len, "%s%.3f ms", sign, ns / ms);
	} else if (ns >= us) {
		if (fmod(ns, us) == 0)
			snprintf(buf, len, "%s%.0f us", sign, trunc(ns / us));
		else
			snprintf(buf, len, "%s%.3f us", sign, ns / us);
	} else {
		snprintf(buf, len, "%s%.0f ns", sign, trunc(ns));
	}
	return buf;
}

double dt_py_div_u128(unsigned __int128 sum, uint64_t count)
{
	const unsigned __int128 two53 = (unsigned __int128)1 << 53;

	if (sum < two53 && count < (uint64_t)two53)
		return (double)(uint64_t)sum / (double)count;
	/* Integer quotient plus the fraction: exact enough past 2^53, where
	 * a double cannot hold the fraction anyway. */
	unsigned __int128 q = sum / count, r = sum % count;
	return (double)((long double)q + (long double)r / (long double)count);
}

/* ---------------------------------------------------------- percentiles */

int dt_pct_range_check(const struct dt_pct_range *r, char *err, size_t errlen)
{
	if (r->step == 0) {
		snprintf(err, errlen, "percentile range step must not be 0");
		return -EINVAL;
	}
	for (int64_t p = r->start; r->step > 0 ? p < r->stop : p > r->stop;
	     p += r->step) {
		if (p < 0 || p > 100) {
			snprintf(err, errlen,
				 "percentile %lld is outside 0..100", (long long)p);
			return -EINVAL;
		}
	}
	return 0;
}

size_t dt_percentile_index(int64_t percentile, size_t nr)
{
	double x = (double)percentile / 100.0 * (double)nr;
	size_t idx = x <= 0 ? 0 : (size_t)x;

	if (idx >= nr)
		idx = nr ? nr - 1 : 0;
	return idx;
}

#define FOR_EACH_PCT(p, r) \
	for (int64_t p = (r)->start; (r)->step > 0 ? p < (r)->stop : p > (r)->stop; \
	     p += (r)->step)

int dt_print_size_dist(FILE *out, const uint64_t *vals, size_t nr,
		       const struct dt_dist_print_opts *o)
{
	char num[64];
	unsigned __int128 sum = 0;

	fprintf(out, "# <percentile> <%s>\n", o->metric);
	if (nr == 0) {
		fprintf(out, "# no snapshot\n");
		return 0;
	}
	for (size_t i = 0; i < nr; i++)
		sum += vals[i];
	fprintf(out, "# avr:\t%s\n",
		dt_damo_format_sz(num, sizeof(num), dt_py_div_u128(sum, nr),
				  o->raw_number));
	if (o->all) {
		for (size_t i = 0; i < nr; i++)
			fprintf(out, "%zu %s\n", i,
				dt_damo_format_sz(num, sizeof(num), (double)vals[i],
						  o->raw_number));
		return 0;
	}
	double per_col = 1;
	if (o->nr_cols_bar > 0) {
		uint64_t max = 0;
		FOR_EACH_PCT(p, &o->range) {
			uint64_t v = vals[dt_percentile_index(p, nr)];
			if (max <= v)
				max = v;
		}
		if (max > 0)
			per_col = (double)max / (double)o->nr_cols_bar;
	}
	FOR_EACH_PCT(p, &o->range) {
		uint64_t v = vals[dt_percentile_index(p, nr)];
		fprintf(out, "%3lld %15s", (long long)p,
			dt_damo_format_sz(num, sizeof(num), (double)v, o->raw_number));
		if (o->nr_cols_bar > 0) {
			int cols = (int)((double)v / per_col);
			fputs(" |", out);
			for (int i = 0; i < o->nr_cols_bar; i++)
				fputc(i < cols ? '*' : ' ', out);
			fputc('|', out);
		}
		fputc('\n', out);
	}
	return ferror(out) ? -EIO : 0;
}

char *dt_damo_format_nr(char *buf, size_t len, uint64_t v, int raw)
{
	char digits[24];
	int n = snprintf(digits, sizeof(digits), "%llu", (unsigned long long)v);
	size_t k = 0;

	for (int i = 0; i < n && k + 1 < len; i++) {
		if (!raw && i && (n - i) % 3 == 0 && k + 2 < len)
			buf[k++] = ',';
		buf[k++] = digits[i];
	}
	if (len)
		buf[k < len ? k : len - 1] = '\0';
	return buf;
}

char *dt_damo_format_time_ns_exact(char *buf, size_t len, uint64_t ns, int raw)
{
	static const struct { uint64_t ns; const char *name; } units[] = {
		{ 86400000000000ull, "d" }, { 3600000000000ull, "h" }, { 60000000000ull, "m" },
		{ 1000000000ull, "s" }, { 1000000ull, "ms" }, { 1000ull, "us" }, { 1, "ns" },
	};
	size_t k = 0;

	if (raw || !ns || ns == UINT64_MAX) {
		snprintf(buf, len, raw ? "%llu" : ns ? "max" : "0 ns", (unsigned long long)ns);
		return buf;
	}
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]) && ns; i++) {
		char nr[32];
		if (ns < units[i].ns)
			continue;
		dt_damo_format_nr(nr, sizeof(nr), ns / units[i].ns, 0);
		k += (size_t)snprintf(buf + k, k < len ? len - k : 0, "%s%s %s", k ? " " : "", nr,
				      units[i].name);
		ns %= units[i].ns;
		if (k >= len)
			break;
	}
	return buf;
}

void dt_putf(dt_put_fn put, void *o, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n > 0)
		put(o, line, n < (int)sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

void dt_damo_raw_form_head(dt_put_fn put, void *o, double base_ns, const char *data_source,
			   int raw)
{
	char a[64];

	dt_putf(put, o, "base_time_absolute: %s\n", dt_damo_format_time_ns(a, sizeof(a), base_ns, raw));
	put(o, "data source: ", 13);
	put(o, data_source, strlen(data_source));
	put(o, "\n\n", 2);
}

void dt_damo_raw_form_snapshot(dt_put_fn put, void *o, const struct dtr_snapshot *s,
			       double base_ns, uint64_t target_id, int raw)
{
	char a[64];

	dt_putf(put, o, "monitoring_start:    %16s\n",
		 dt_damo_format_time_ns(a, sizeof(a), (double)s->start_ns - base_ns, raw));
	dt_putf(put, o, "monitoring_end:      %16s\n",
		 dt_damo_format_time_ns(a, sizeof(a), (double)s->end_ns - base_ns, raw));
	dt_putf(put, o, "monitoring_duration: %16s\n",
		 dt_damo_format_time_ns(a, sizeof(a), (double)s->end_ns - (double)s->start_ns, raw));
	dt_putf(put, o, "target_id: %llu\nnr_regions: %llu\n", (unsigned long long)target_id,
		 (unsigned long long)s->nr_regions);
	dt_putf(put, o, "# %10s %12s  %12s  %11s %5s\n", "start_addr", "end_addr", "length",
		 "nr_accesses", "age");
	for (uint64_t i = 0; i < s->nr_regions; i++) {
		const struct dtr_region *r = &s->regions[i];
		long long acc = s->access_unit == DTR_UNIT_ABSENT ? -1 : (long long)r->nr_accesses;
		long long age = s->age_unit == DTR_UNIT_ABSENT ? -1 : (long long)r->age;
		dt_putf(put, o, "%012llx-%012llx (%12s) %11lld %5lld\n", (unsigned long long)r->start,
			 (unsigned long long)r->end,
			 dt_damo_format_sz(a, sizeof(a), (double)(r->end - r->start), raw), acc, age);
	}
	put(o, "\n", 1);
}

/* --------------------------------------------------------------- targets */

static const struct dtr_intervals *ctx_intervals(const struct dt_targets *t,
						 uint32_t kdamond, uint32_t context)
{
	for (size_t i = 0; i < t->nr_ctx; i++)
		if (t->ctx[i].kdamond == kdamond && t->ctx[i].context == context)
			return &t->ctx[i];
	return NULL;
}

/* The map key of a target: exact for kdamond and context indexes below
 * 2^16 (every real record); find() checks the fields in any case. */
static uint64_t target_key(const struct dt_target_info *ti)
{
	return ((uint64_t)ti->kdamond << 48) ^ ((uint64_t)ti->context << 32) ^ ti->target;
}

static int same_target(const struct dt_target_info *a, const struct dt_target_info *b)
{
	return a->kdamond == b->kdamond && a->context == b->context && a->target == b->target;
}

/* Index of `key`'s target in v[0..nr), or -1: through the map, or a scan
 * when two targets share a map key (indexes past 2^16). */
static int find(const struct dt_target_info *v, size_t nr, const struct dt_hashmap *index,
		const struct dt_target_info *key)
{
	uint32_t i;

	if (dt_hashmap_get(index, target_key(key), &i) && i < nr && same_target(&v[i], key))
		return (int)i;
	if (key->kdamond < 0x10000 && key->context < 0x10000)
		return -1;
	for (size_t k = 0; k < nr; k++)
		if (same_target(&v[k], key))
			return (int)k;
	return -1;
}

int dt_targets_note(struct dt_targets *t, const struct dtr_item *item)
{
	if (item->type == DTR_ITEM_INTERVALS) {
		const struct dtr_intervals *in = &item->u.intervals;
		struct dtr_intervals *slot = (struct dtr_intervals *)
			ctx_intervals(t, in->kdamond, in->context);
		if (!slot) {
			if (DT_GROW(t->ctx, t->cap_ctx, t->nr_ctx + 1))
				return -ENOMEM;
			slot = &t->ctx[t->nr_ctx++];
		}
		*slot = *in;
		for (size_t i = 0; i < t->nr; i++) {
			if (t->v[i].kdamond == in->kdamond && t->v[i].context == in->context) {
				t->v[i].aggr_us = in->aggr_us;
				t->v[i].sample_us = in->sample_us;
			}
		}
	} else if (item->type == DTR_ITEM_CONTEXT) {
		const struct dtr_context *c = &item->u.context;
		for (size_t k = 0; k < c->nr_targets; k++) {
			const struct dtr_target *tg = &c->targets[k];
			struct dt_target_info info = { .kdamond = c->kdamond, .context = c->context,
						       .target = tg->index, .id = tg->id,
						       .pid = tg->pid };
			int i = find(t->known, t->nr_known, &t->known_index, &info);
			if (i < 0) {
				if (DT_GROW(t->known, t->cap_known, t->nr_known + 1))
					return -ENOMEM;
				if (dt_hashmap_put(&t->known_index, target_key(&info),
						 (uint32_t)t->nr_known))
					return -ENOMEM;
				i = (int)t->nr_known++;
			}
			t->known[i] = info;
			if ((i = find(t->v, t->nr, &t->v_index, &info)) >= 0) {
				t->v[i].id = tg->id;
				t->v[i].pid = tg->pid;
			}
		}
	}
	return 0;
}

int dt_targets_of(struct dt_targets *t, const struct dtr_snapshot *s)
{
	struct dt_target_info key = { .kdamond = s->kdamond, .context = s->context,
				      .target = s->target };
	int i = find(t->v, t->nr, &t->v_index, &key);

	if (i >= 0)
		return i;
	if (DT_GROW(t->v, t->cap, t->nr + 1))
		return -ENOMEM;
	if (dt_hashmap_put(&t->v_index, target_key(&key), (uint32_t)t->nr))
		return -ENOMEM;
	struct dt_target_info *ti = &t->v[t->nr];
	*ti = (struct dt_target_info){ .kdamond = s->kdamond, .context = s->context,
		.target = s->target, .id = s->target, .pid = -1 };
	if ((i = find(t->known, t->nr_known, &t->known_index, &key)) >= 0) {
		ti->id = t->known[i].id;
		ti->pid = t->known[i].pid;
	}
	const struct dtr_intervals *in = ctx_intervals(t, s->kdamond, s->context);
	if (in) {
		ti->aggr_us = in->aggr_us;
		ti->sample_us = in->sample_us;
	}
	return (int)t->nr++;
}

void dt_targets_free(struct dt_targets *t)
{
	free(t->v);
	free(t->ctx);
	free(t->known);
	dt_hashmap_free(&t->v_index);
	dt_hashmap_free(&t->known_index);
	memset(t, 0, sizeof(*t));
}

/* ----------------------------------------------------------- nr_regions */

#define NR_REGIONS_SKIP 20 /* damo skips the first 20: not yet adapted */

int dt_nr_regions_add(struct dt_nr_regions *n, const struct dtr_item *item,
		      char *err, size_t errlen)
{
	int ret;

	if (item->type != DTR_ITEM_SNAPSHOT) {
		ret = dt_targets_note(&n->targets, item);
		goto out;
	}
	ret = dt_targets_of(&n->targets, &item->u.snapshot);
	if (ret < 0)
		goto out;
	if ((size_t)ret >= n->nr_lists) {
		if (DT_GROW(n->per_target, n->cap_lists, (size_t)ret + 1)) {
			ret = -ENOMEM;
			goto out;
		}
		memset(&n->per_target[n->nr_lists], 0,
		       (ret + 1 - n->nr_lists) * sizeof(*n->per_target));
		n->nr_lists = ret + 1;
	}
	struct dt_u64_list *l = &n->per_target[ret];
	if (l->skipped < NR_REGIONS_SKIP) {
		l->skipped++;
		return 0;
	}
	if (DT_GROW(l->v, l->cap, l->nr + 1)) {
		ret = -ENOMEM;
		goto out;
	}
	l->v[l->nr++] = item->u.snapshot.nr_regions;
	return 0;
out:
	if (ret < 0)
		snprintf(err, errlen, "out of memory");
	return ret < 0 ? ret : 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

int dt_nr_regions_print(FILE *out, struct dt_nr_regions *n,
			const struct dt_pct_range *range, int sort_by_time)
{
	fprintf(out, "# <percentile> <# regions>\n");
	for (size_t t = 0; t < n->targets.nr; t++) {
		struct dt_u64_list *l = t < n->nr_lists ? &n->per_target[t] : NULL;
		fprintf(out, "# target_id\t%llu\n",
			(unsigned long long)n->targets.v[t].id);
		if (!l || !l->nr) {
			fprintf(out, "# no snapshot\n");
			continue;
		}
		if (!sort_by_time)
			qsort(l->v, l->nr, sizeof(*l->v), cmp_u64);
		unsigned __int128 sum = 0;
		for (size_t i = 0; i < l->nr; i++)
			sum += l->v[i];
		fprintf(out, "# avr:\t%.0f\n", trunc(dt_py_div_u128(sum, l->nr)));
		FOR_EACH_PCT(p, range)
			fprintf(out, "%lld\t%llu\n", (long long)p,
				(unsigned long long)l->v[dt_percentile_index(p, l->nr)]);
	}
	return ferror(out) ? -EIO : 0;
}

void dt_nr_regions_free(struct dt_nr_regions *n)
{
	for (size_t i = 0; i < n->nr_lists; i++)
		free(n->per_target[i].v);
	free(n->per_target);
	dt_targets_free(&n->targets);
	memset(n, 0, sizeof(*n));
}
