// SPDX-License-Identifier: GPL-2.0-only
/* damo's access heatmap, computed while the snapshots stream by (heatmap.h). */
#include "heatmap.h"
#include "checked.h"
#include "grow.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pyfloat.h"

/* ------------------------------------------------------------------ guide */

/* The snapshot's start moved back by its oldest region's age; hostile
 * ages and intervals saturate (checked.h) instead of wrapping. */
static int64_t oldest_monitor_time(const struct dtr_snapshot *s, uint64_t aggr_us)
{
	uint64_t longest_age = 0;

	if (!aggr_us)
		return dt_sat_i64(s->start_ns);
	if (s->age_unit != DTR_UNIT_ABSENT)
		for (uint64_t i = 0; i < s->nr_regions; i++)
			if (longest_age < s->regions[i].age)
				longest_age = s->regions[i].age;
	uint64_t back = dt_sat_umul(dt_sat_umul(longest_age, aggr_us), 1000);
	return dt_sat_sub(dt_sat_i64(s->start_ns), dt_sat_i64(back));
}

static int guide_of(struct dt_heat_guides *g, const struct dtr_snapshot *s,
		    struct dt_heat_guide **out)
{
	int idx = dt_targets_of(&g->targets, s);

	if (idx < 0)
		return idx;
	if ((size_t)idx >= g->nr) {
		if (DT_GROW(g->v, g->cap, (size_t)idx + 1))
			return -ENOMEM;
		memset(&g->v[g->nr], 0, (idx + 1 - g->nr) * sizeof(*g->v));
		g->nr = idx + 1;
	}
	*out = &g->v[idx];
	return idx;
}

static void lose_spans(struct dt_heat_guide *gd)
{
	gd->spans_lost = 1;
	free(gd->spans);
	gd->spans = NULL;
	gd->nr_spans = gd->cap_spans = 0;
}

/* Add a snapshot's regions to the guide's union of spans: first its runs
 * of touching regions (sorted, as records keep them), then the runs merged
 * with the spans so far.  0 or -ENOMEM. */
static int note_spans(struct dt_heat_guides *g, struct dt_heat_guide *gd,
		      const struct dtr_snapshot *s)
{
	const struct dtr_region *r = s->regions;
	size_t nr_runs = 0;

	if (gd->spans_lost || !s->nr_regions)
		return 0;
	uint64_t run_start = r[0].start, run_end = r[0].start;
	unsigned __int128 heat = 0;
	uint32_t accessed = 0;
	for (const struct dtr_region *e = r + s->nr_regions; r < e; r++) {
		uint64_t sa = r->start, ea = r->end;
		if (__builtin_expect(sa != run_end || ea < sa, 0)) {
			/* a new run; or regions reversed, out of order or
			 * overlapping, which only a second pass can sum */
			if (sa < run_end || ea < sa || nr_runs == DT_HEAT_MAX_SPANS)
				goto lost;
			if (DT_GROW(g->runs, g->cap_runs, nr_runs + 1))
				return -ENOMEM;
			g->runs[nr_runs++] = (struct dt_heat_span){ run_start, run_end,
								    accessed != 0, heat };
			run_start = sa;
			heat = 0;
			accessed = 0;
		}
		run_end = ea;
		heat += (unsigned __int128)(ea - sa) * r->nr_accesses;
		accessed |= r->nr_accesses;
	}
	if (DT_GROW(g->runs, g->cap_runs, nr_runs + 1))
		return -ENOMEM;
	g->runs[nr_runs++] = (struct dt_heat_span){ run_start, run_end, accessed != 0, heat };

	/* Merge: spans and runs are each sorted, neither overlapping nor
	 * touching; so is the result, which becomes the spans. */
	size_t m = 0;
	if (DT_GROW(g->merged, g->cap_merged, gd->nr_spans + nr_runs))
		return -ENOMEM;
	struct dt_heat_span *out = g->merged;
	for (size_t a = 0, b = 0; a < gd->nr_spans || b < nr_runs;) {
		const struct dt_heat_span *next;
		if (b == nr_runs || (a < gd->nr_spans && gd->spans[a].start <= g->runs[b].start))
			next = &gd->spans[a++];
		else
			next = &g->runs[b++];
		if (m && next->start <= out[m - 1].end) {
			struct dt_heat_span *last = &out[m - 1];
			if (next->end > last->end)
				last->end = next->end;
			last->heat += next->heat;
			last->has_heat |= next->has_heat;
		} else {
			out[m++] = *next;
		}
	}
	if (m > DT_HEAT_MAX_SPANS)
		goto lost;
	g->merged = gd->spans;
	gd->spans = out;
	size_t cap = g->cap_merged;
	g->cap_merged = gd->cap_spans;
	gd->cap_spans = cap;
	gd->nr_spans = m;
	return 0;
lost:
	lose_spans(gd);
	return 0;
}

/* What the record's META says of damo's view of it: damo records without
 * indices, and text inputs whose times damo reads as floats. */
static void note_source(struct dt_heat_guides *g, const struct dtr_meta *m)
{
	for (size_t i = 0; i < m->nr; i++) {
		const char *k = m->kvs[i].key, *v = m->kvs[i].value;
		if (!strcmp(k, "damo_null_indexes"))
			g->no_indices = 1;
		if (!strcmp(k, DTR_META_SOURCE) &&
		    (!strcmp(v, "perf-script") || !strcmp(v, "tracefs-text") ||
		     !strcmp(v, "perf-data") || !strcmp(v, "damo-binary"))) {
			g->no_indices = 1;
			g->text_times = strcmp(v, "damo-binary") != 0;
		}
	}
}

int dt_heat_guides_add(struct dt_heat_guides *g, const struct dtr_item *item,
		       char *err, size_t errlen)
{
	struct dt_heat_guide *gd;
	int ret;

	if (item->type == DTR_ITEM_META)
		note_source(g, &item->u.meta);
	if (item->type != DTR_ITEM_SNAPSHOT) {
		ret = dt_targets_note(&g->targets, item);
		goto out;
	}
	const struct dtr_snapshot *s = &item->u.snapshot;
	ret = guide_of(g, s, &gd);
	if (ret < 0)
		goto out;
	if (!gd->started) {
		gd->started = 1;
		gd->start_ns = oldest_monitor_time(s, g->targets.v[ret].aggr_us);
		gd->first_end_ns = s->end_ns;
		gd->first_estimated = !!(s->flags & DTR_SNAPSHOT_START_ESTIMATED);
	}
	gd->nr_snapshots++;
	gd->target = g->targets.v[ret]; /* ids may arrive late */
	gd->end_ns = dt_sat_i64(s->end_ns);
	if (note_spans(g, gd, s)) {
		ret = -ENOMEM;
		goto out;
	}

	/* This snapshot's gaps.  damo takes an address 0 as "not set yet",
	 * which makes a region at address 0 cut an inverted area (a negative
	 * size) out of the regions after it: here "not set" is a flag of its
	 * own, so that memory at address 0 is an area like any other. */
	size_t n = 0;
	uint64_t last = 0;
	int sorted = 1, has_last = 0;
	if (DT_GROW(g->scratch, g->nr_scratch, s->nr_regions)) {
		ret = -ENOMEM;
		goto out;
	}
	/* lowest and highest in locals: the gaps' stores could alias them */
	uint64_t lowest = gd->lowest, highest = gd->highest;
	int has_range = gd->has_range;
	for (uint64_t i = 0; i < s->nr_regions; i++) {
		uint64_t sa = s->regions[i].start, ea = s->regions[i].end;
		if (!has_range || sa < lowest)
			lowest = sa;
		if (!has_range || ea > highest)
			highest = ea;
		has_range = 1;
		if (!has_last) {
			last = ea;
			has_last = 1;
			continue;
		}
		if (last != sa) {
			if (n && g->scratch[n - 1][0] > last)
				sorted = 0;
			g->scratch[n][0] = last;
			g->scratch[n][1] = sa;
			n++;
		}
		last = ea;
	}
	gd->lowest = lowest;
	gd->highest = highest;
	gd->has_range = has_range;
	if (!gd->nr_gaps) {
		if (DT_GROW(gd->gaps, gd->cap_gaps, n)) {
			ret = -ENOMEM;
			goto out;
		}
		if (n)
			memcpy(gd->gaps, g->scratch, n * sizeof(*gd->gaps));
		gd->nr_gaps = n;
		return 0;
	}
	/* damo's overlapping_regions(): each known gap is narrowed by every
	 * new gap it touches (closed intervals) and kept even when none does.
	 * When the new gaps' starts and ends both ascend, those ending before a
	 * known gap's start can never touch it (its start only grows): the scan
	 * starts at the first one that can, found by bisection, so that N gaps
	 * against N gaps cost N log N, not N^2. */
	int ascending = sorted;
	for (size_t b = 1; ascending && b < n; b++)
		if (g->scratch[b - 1][1] > g->scratch[b][1])
			ascending = 0;
	for (size_t a = 0; a < gd->nr_gaps; a++) {
		uint64_t lo = gd->gaps[a][0], hi = gd->gaps[a][1];
		size_t first = 0;
		if (ascending) {
			size_t l = 0, r = n;
			while (l < r) {
				size_t m = l + (r - l) / 2;
				if (g->scratch[m][1] < lo)
					l = m + 1;
				else
					r = m;
			}
			first = l;
		}
		for (size_t b = first; b < n; b++) {
			uint64_t blo = g->scratch[b][0], bhi = g->scratch[b][1];
			if (sorted && blo > hi)
				break;
			if (hi < blo || bhi < lo)
				continue;
			lo = lo > blo ? lo : blo;
			hi = hi < bhi ? hi : bhi;
		}
		gd->gaps[a][0] = lo;
		gd->gaps[a][1] = hi;
	}
	return 0;
out:
	if (ret < 0)
		snprintf(err, errlen, "out of memory building the heatmap guide");
	return ret < 0 ? ret : 0;
}

static __int128 total_space(const struct dt_heat_guide *gd)
{
	__int128 sum = 0;
	for (size_t i = 0; i < gd->nr_areas; i++)
		sum += (__int128)gd->areas[i].end - (__int128)gd->areas[i].start;
	return sum;
}

/* The areas' heats from the spans, when each span that touches an area
 * lies inside it and touches no other: every region of such a span then
 * touches that one area alone, as the region-by-region sum would find. */
static void heats_from_spans(struct dt_heat_guide *gd)
{
	size_t k = 0;

	gd->heats_known = 0;
	if (gd->spans_lost || !gd->areas_sorted)
		return;
	/* check first, so that a failed check leaves the heats untouched */
	for (int add = 0; add < 2; add++) {
		k = 0;
		for (size_t i = 0; i < gd->nr_spans; i++) {
			const struct dt_heat_span *sp = &gd->spans[i];
			/* sorted areas: ends grow with starts */
			while (k < gd->nr_areas && gd->areas[k].end < sp->start)
				k++;
			if (k == gd->nr_areas || gd->areas[k].start > sp->end)
				continue; /* touches no area */
			struct dt_heat_area *a = &gd->areas[k];
			if (!add) {
				if (sp->start < a->start || sp->end > a->end ||
				    (k + 1 < gd->nr_areas && gd->areas[k + 1].start <= sp->end))
					return;
				continue;
			}
			a->heat += sp->heat;
			a->has_heat |= sp->has_heat;
		}
	}
	gd->heats_known = 1;
}

int dt_heat_guides_finish(struct dt_heat_guides *g, char *err, size_t errlen)
{
	for (size_t i = 0; i < g->nr; i++) {
		struct dt_heat_guide *gd = &g->v[i];
		gd->areas = calloc(gd->nr_gaps + 1, sizeof(*gd->areas));
		if (!gd->areas) {
			snprintf(err, errlen, "out of memory");
			return -ENOMEM;
		}
		uint64_t start = gd->lowest;
		for (size_t k = 0; k < gd->nr_gaps; k++) {
			gd->areas[k].start = start;
			gd->areas[k].end = gd->gaps[k][0];
			start = gd->gaps[k][1];
		}
		gd->areas[gd->nr_gaps].start = start;
		gd->areas[gd->nr_gaps].end = gd->highest;
		gd->nr_areas = gd->nr_gaps + 1;
		/* Ordered areas (the usual case) let the heat pass search. */
		gd->areas_sorted = 1;
		for (size_t k = 0; k < gd->nr_areas; k++)
			if (gd->areas[k].end < gd->areas[k].start ||
			    (k && gd->areas[k].start < gd->areas[k - 1].end))
				gd->areas_sorted = 0;
		heats_from_spans(gd);
		/* damo: first start = first end - (last end - first end) / (n - 1) */
		if (g->text_times && gd->first_estimated && gd->nr_snapshots > 1) {
			gd->float_start = 1;
			gd->start_f = (double)gd->first_end_ns -
				      ((double)gd->end_ns - (double)gd->first_end_ns) /
					      (double)(gd->nr_snapshots - 1);
		}
	}
	/* Stable sort by total space, largest first (few targets: insertion). */
	for (size_t i = 1; i < g->nr; i++) {
		struct dt_heat_guide key = g->v[i];
		__int128 ks = total_space(&key);
		size_t j = i;
		while (j > 0 && total_space(&g->v[j - 1]) < ks) {
			g->v[j] = g->v[j - 1];
			j--;
		}
		g->v[j] = key;
	}
	g->finished = 1;
	return 0;
}

static void print_u128(FILE *out, unsigned __int128 v)
{
	char buf[48];
	int n = 0;
	do {
		buf[n++] = (char)('0' + (int)(v % 10));
		v /= 10;
	} while (v);
	while (n)
		fputc(buf[--n], out);
}

static void print_i128(FILE *out, __int128 v)
{
	if (v < 0) {
		fputc('-', out);
		v = -v;
	}
	print_u128(out, (unsigned __int128)v);
}

void dt_heat_guide_span(const struct dt_heat_guide *gd, struct dt_damo_num *start,
			struct dt_damo_num *end)
{
	*start = gd->float_start ? (struct dt_damo_num){ .is_float = 1, .f = gd->start_f } :
				   (struct dt_damo_num){ .i = gd->start_ns };
	*end = (struct dt_damo_num){ .i = gd->end_ns };
}

/* damo's "time: [start, end) (duration)" line, with %d or format_time_ns. */
static void print_guide_time(FILE *out, const struct dt_heat_guide *gd, int human)
{
	char a[64], b[64], c[64];

	if (!gd->float_start && !human) {
		fprintf(out, "time: [%lld, %lld) (%lld)\n", (long long)gd->start_ns,
			(long long)gd->end_ns, (long long)dt_sat_sub(gd->end_ns, gd->start_ns));
		return;
	}
	double s = gd->float_start ? gd->start_f : (double)gd->start_ns;
	double e = (double)gd->end_ns;
	if (!human) {
		fprintf(out, "time: [%lld, %lld) (%lld)\n", (long long)s, (long long)gd->end_ns,
			(long long)(e - s));
		return;
	}
	fprintf(out, "time: [%s, %s) (%s)\n", dt_damo_format_time_ns(a, sizeof(a), s, 0),
		dt_damo_format_time_ns(b, sizeof(b), e, 0),
		dt_damo_format_time_ns(c, sizeof(c), gd->float_start ? e - s :
					(double)gd->end_ns - (double)gd->start_ns, 0));
}

/* One "region\t N: [start, end) (size)" line. */
static void print_guide_area(FILE *out, size_t k, const struct dt_heat_area *a, int human)
{
	char x[64], y[64], z[64];

	if (!human) {
		fprintf(out, "region\t%2zu: [%llu, %llu) (", k, (unsigned long long)a->start,
			(unsigned long long)a->end);
		print_i128(out, (__int128)a->end - a->start);
		fputs(")\n", out);
		return;
	}
	fprintf(out, "region\t%2zu: [%s, %s) (%s)\n", k,
		dt_damo_format_sz_accurate(x, sizeof(x), (double)a->start),
		dt_damo_format_sz_accurate(y, sizeof(y), (double)a->end),
		dt_damo_format_sz(z, sizeof(z), (double)((__int128)a->end - a->start), 0));
}

int dt_heat_guides_merge(const struct dt_heat_guides *const *gs, size_t n,
			 struct dt_heat_guide_ref **refs, size_t *nr)
{
	size_t total = 0, k = 0;

	for (size_t i = 0; i < n; i++)
		total += gs[i]->nr;
	*refs = malloc((total ? total : 1) * sizeof(**refs));
	if (!*refs)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		for (size_t g = 0; g < gs[i]->nr; g++) {
			struct dt_heat_guide_ref key = { i, &gs[i]->v[g] };
			__int128 ks = total_space(key.gd);
			size_t j = k++;
			while (j > 0 && total_space((*refs)[j - 1].gd) < ks) {
				(*refs)[j] = (*refs)[j - 1];
				j--;
			}
			(*refs)[j] = key;
		}
	*nr = total;
	return 0;
}

int dt_heat_guides_print_many(FILE *out, const struct dt_heat_guides *const *gs, size_t n,
			      int human)
{
	struct dt_heat_guide_ref *refs;
	size_t nr;

	if (dt_heat_guides_merge(gs, n, &refs, &nr))
		return -ENOMEM;
	for (size_t i = 0; i < nr; i++) {
		const struct dt_heat_guide *gd = refs[i].gd;
		if (!gs[refs[i].input]->no_indices)
			fprintf(out, "kdamond_idx: %u\ncontext_idx: %u\n", gd->target.kdamond,
				gd->target.context);
		fprintf(out, "target_id: %llu\n", (unsigned long long)gd->target.id);
		print_guide_time(out, gd, human);
		for (size_t k = 0; k < gd->nr_areas; k++)
			print_guide_area(out, k, &gd->areas[k], human);
	}
	free(refs);
	return ferror(out) ? -EIO : 0;
}

int dt_heat_guides_print(FILE *out, const struct dt_heat_guides *g, int human)
{
	return dt_heat_guides_print_many(out, &g, 1, human);
}

const struct dt_heat_guide *dt_heat_guides_of(const struct dt_heat_guides *g,
					      uint32_t kdamond, uint32_t context,
					      uint32_t target)
{
	for (size_t i = 0; i < g->nr; i++)
		if (g->v[i].target.kdamond == kdamond &&
		    g->v[i].target.context == context && g->v[i].target.target == target)
			return &g->v[i];
	return NULL;
}

int dt_heat_guides_add_heat(struct dt_heat_guides *g, const struct dtr_item *item)
{
	if (item->type != DTR_ITEM_SNAPSHOT)
		return 0;
	const struct dtr_snapshot *s = &item->u.snapshot;
	struct dt_heat_guide *gd = (struct dt_heat_guide *)
		dt_heat_guides_of(g, s->kdamond, s->context, s->target);
	if (!gd || gd->heats_known)
		return 0;
	for (uint64_t i = 0; i < s->nr_regions; i++) {
		const struct dtr_region *r = &s->regions[i];
		if (!r->nr_accesses)
			continue;
		unsigned __int128 h = (unsigned __int128)(r->end - r->start) * r->nr_accesses;
		size_t k = 0;
		if (gd->areas_sorted) {
			/* first area ending at or after the region's start */
			size_t lo = 0, hi = gd->nr_areas;
			while (lo < hi) {
				size_t mid = lo + (hi - lo) / 2;
				if (gd->areas[mid].end < r->start)
					lo = mid + 1;
				else
					hi = mid;
			}
			k = lo;
		}
		for (; k < gd->nr_areas; k++) {
			struct dt_heat_area *a = &gd->areas[k];
			if (gd->areas_sorted && a->start > r->end)
				break;
			if (r->end < a->start || a->end < r->start)
				continue;
			a->has_heat = 1;
			a->heat += h;
		}
	}
	return 0;
}

static double heat_per_byte(const struct dt_heat_area *a)
{
	if (!a->has_heat || a->end <= a->start)
		return 0;
	return (double)a->heat / (double)(a->end - a->start);
}

size_t dt_heat_guide_hottest(const struct dt_heat_guide *gd)
{
	size_t best = 0;
	for (size_t k = 1; k < gd->nr_areas; k++)
		if (heat_per_byte(&gd->areas[k]) > heat_per_byte(&gd->areas[best]))
			best = k;
	return best;
}

void dt_heat_guides_free(struct dt_heat_guides *g)
{
	for (size_t i = 0; i < g->nr; i++) {
		free(g->v[i].gaps);
		free(g->v[i].areas);
		free(g->v[i].spans);
	}
	free(g->v);
	free(g->scratch);
	free(g->runs);
	free(g->merged);
	dt_targets_free(&g->targets);
	memset(g, 0, sizeof(*g));
}

/* ------------------------------------------------------------------- grid */

int dt_heat_grid_init(struct dt_heat_grid *g, int64_t t_start, int64_t t_end,
		      size_t t_resol, uint64_t a_start, uint64_t a_end,
		      size_t a_resol, const struct dt_heat_piece *pieces,
		      size_t nr_pieces, char *err, size_t errlen)
{
	memset(g, 0, sizeof(*g));
	if (!t_resol || !a_resol) {
		snprintf(err, errlen, "resolution must be at least 1x1");
		return -EINVAL;
	}
	if (pieces && nr_pieces) {
		if (a_resol < nr_pieces) {
			snprintf(err, errlen, "%zu address cells cannot show %zu areas",
				 a_resol, nr_pieces);
			goto inval;
		}
		g->pieces = malloc(nr_pieces * sizeof(*pieces));
		g->piece_row = malloc(nr_pieces * sizeof(*g->piece_row));
		g->piece_rows = malloc(nr_pieces * sizeof(*g->piece_rows));
		g->piece_unit = malloc(nr_pieces * sizeof(*g->piece_unit));
		if (!g->pieces || !g->piece_row || !g->piece_rows || !g->piece_unit)
			goto nomem;
		memcpy(g->pieces, pieces, nr_pieces * sizeof(*pieces));
		g->nr_pieces = nr_pieces;
		long double total = 0;
		for (size_t i = 0; i < nr_pieces; i++)
			total += (long double)(pieces[i].end - pieces[i].start);
		size_t min_rows = a_resol / (4 * nr_pieces);
		if (!min_rows)
			min_rows = 1;
		size_t spare = a_resol - min_rows * nr_pieces, row = 0;
		for (size_t i = 0; i < nr_pieces; i++) {
			uint64_t size = pieces[i].end > pieces[i].start ?
						pieces[i].end - pieces[i].start : 0;
			size_t rows = min_rows + (size_t)(total > 0 ? spare * (size / total) : 0);
			if (i + 1 == nr_pieces)
				rows = a_resol - row;
			if (rows > size)
				rows = size ? size : 1;
			g->piece_row[i] = row;
			g->piece_rows[i] = rows;
			g->piece_unit[i] = size / rows ? size / rows : 1;
			row += rows;
		}
		a_start = 0;
		a_end = a_resol;
	}
	/* t_end > t_start: their difference is exact in unsigned arithmetic */
	if (t_end <= t_start || ((uint64_t)t_end - (uint64_t)t_start) / t_resol == 0) {
		snprintf(err, errlen,
			 "time range %lld-%lld is shorter than %zu ns (one per time pixel)",
			 (long long)t_start, (long long)t_end, t_resol);
		goto inval;
	}
	if (a_end <= a_start || (a_end - a_start) / a_resol == 0) {
		snprintf(err, errlen,
			 "address range %llu-%llu is smaller than %zu bytes (one per address pixel)",
			 (unsigned long long)a_start, (unsigned long long)a_end, a_resol);
		goto inval;
	}
	g->t_start = t_start;
	g->t_unit = ((uint64_t)t_end - (uint64_t)t_start) / t_resol;
	g->t_resol = t_resol;
	g->a_start = a_start;
	g->a_unit = (a_end - a_start) / a_resol;
	g->a_resol = a_resol;
	g->area = (double)g->t_unit * (double)g->a_unit;
	if (t_resol > SIZE_MAX / sizeof(double) / a_resol)
		goto nomem;
	g->cells = malloc(t_resol * a_resol * sizeof(double));
	if (!g->cells)
		goto nomem;
	for (size_t i = 0; i < t_resol * a_resol; i++)
		g->cells[i] = NAN;
	g->kdamond = g->context = g->target = UINT32_MAX;
	return 0;
nomem:
	snprintf(err, errlen, "out of memory for a %zux%zu heatmap", t_resol, a_resol);
	dt_heat_grid_free(g);
	return -ENOMEM;
inval:
	dt_heat_grid_free(g);
	return -EINVAL;
}

void dt_heat_grid_set_float_time(struct dt_heat_grid *g, double start, double end)
{
	g->t_float = 1;
	g->t_start_f = start;
	g->t_unit_f = floor((end - start) / (double)g->t_resol);
}

void dt_heat_grid_set_target(struct dt_heat_grid *g, uint32_t kdamond,
			     uint32_t context, uint32_t target)
{
	g->kdamond = kdamond;
	g->context = context;
	g->target = target;
}

/* int((x - origin) / unit) as Python computes it, clipped into
 * [-1, resol] so that callers only need to compare with the grid. */
static inline int64_t cell_index(int64_t delta, uint64_t unit, size_t resol)
{
	/* Below 2^53 both convert to doubles exactly and Python's quotient is
	 * the one correctly rounded division (dt_py_int_div's first case,
	 * here without the call); truncation is symmetric in the sign. */
	const int64_t two53 = INT64_C(1) << 53;
	int64_t idx = delta > -two53 && delta < two53 && unit < (uint64_t)two53 ?
			      (int64_t)((double)delta / (double)unit) :
			      dt_py_int_div(delta, unit);
	if (idx < -1)
		return -1;
	if (idx > (int64_t)resol)
		return (int64_t)resol;
	return idx;
}

/* Add one region, [rs, re) as signed offsets from the start of a band of
 * `nrows` address cells of `au` bytes each starting at cell `row0`,
 * observed over [ts, te). */
static inline void add_region(struct dt_heat_grid *g, int64_t ts, int64_t te,
			      int64_t i0, int64_t i1, int64_t rs, int64_t re,
			      double value, uint64_t unit, size_t nrows, size_t row0,
			      double area)
{
	int64_t j0 = cell_index(rs, unit, nrows);
	int64_t j1 = cell_index(re, unit, nrows);
	const int64_t tu = (int64_t)g->t_unit, au = (int64_t)unit;

	if (j0 < 0)
		j0 = 0;
	if (j1 >= (int64_t)nrows)
		j1 = (int64_t)nrows - 1;
	if (j0 > j1)
		return;
	/* value * time * bytes / area, divided last as damo does, so that
	 * whole numbers come out whole; cells the region covers fully share
	 * one quotient per row. */
	/* Offsets saturate (checked.h): hostile times and sizes clip to the
	 * grid instead of wrapping. */
	for (int64_t i = i0; i <= i1; i++) {
		int64_t pt = dt_sat_mul(i, tu), pt_end = dt_sat_add(pt, tu);
		int64_t ot = dt_sat_sub(te < pt_end ? te : pt_end, ts > pt ? ts : pt);
		double num = value * (double)ot;
		double full = num * (double)au / area;
		double *row = &g->cells[(size_t)i * g->a_resol + row0];
		for (int64_t j = j0; j <= j1; j++) {
			int64_t pa = dt_sat_mul(j, au), pa_end = dt_sat_add(pa, au);
			int64_t ob = dt_sat_sub(re < pa_end ? re : pa_end, rs > pa ? rs : pa);
			double add = ob == au ? full : num * (double)ob / area;
			row[j] = isnan(row[j]) ? add + 0.0 : row[j] + add;
		}
	}
}

/* a - base as a signed offset, clamped (addresses use all 64 bits). */
static inline int64_t addr_offset(uint64_t a, uint64_t base)
{
	if (a >= base)
		return dt_sat_i64(a - base);
	return base - a > (uint64_t)INT64_MAX ? INT64_MIN : -(int64_t)(base - a);
}

/* What the regions of one snapshot share, relative to the grid's start. */
struct snapshot_cells {
	int64_t start, end, last, aggr_ns;
	int has_last, has_age;
	double to_hz;
	int64_t i1;       /* last time cell */
	int64_t plain_i0; /* first time cell of a region observed since start; -2: not yet */
};

/* One region of the snapshot; rs, re: its offsets from the grid's address
 * start (unused with pieces).  Kept out of line: the loop passing over the
 * regions outside the grid then keeps its few variables in registers. */
static __attribute__((noinline)) void add_observed(struct dt_heat_grid *g,
						   struct snapshot_cells *sc,
						   const struct dtr_region *r,
						   int64_t rs, int64_t re)
{
	/* damo starts the time cells at the observed start clamped to the
	 * previous snapshot's end, but measures the time overlap from the
	 * unclamped one. */
	int64_t ts = sc->start;
	if (sc->has_age)
		ts = dt_sat_sub(ts, dt_sat_mul((int64_t)r->age, sc->aggr_ns));
	int64_t first = sc->has_last && ts < sc->last ? sc->last : ts;
	int64_t i0;
	if (first == sc->start && sc->plain_i0 != -2) {
		i0 = sc->plain_i0;
	} else {
		i0 = cell_index(first, g->t_unit, g->t_resol);
		if (i0 < 0)
			i0 = 0;
		if (first == sc->start)
			sc->plain_i0 = i0;
	}
	if (i0 > sc->i1)
		return;
	double value = (double)r->nr_accesses * sc->to_hz;
	if (!g->pieces) {
		add_region(g, ts, sc->end, i0, sc->i1, rs, re, value, g->a_unit, g->a_resol, 0,
			   g->area);
		return;
	}
	for (size_t p = 0; p < g->nr_pieces; p++) {
		const struct dt_heat_piece *pc = &g->pieces[p];
		if (r->end <= pc->start || pc->end <= r->start)
			continue;
		uint64_t cs = r->start > pc->start ? r->start : pc->start;
		uint64_t ce = r->end < pc->end ? r->end : pc->end;
		add_region(g, ts, sc->end, i0, sc->i1, (int64_t)(cs - pc->start),
			   (int64_t)(ce - pc->start), value, g->piece_unit[p], g->piece_rows[p],
			   g->piece_row[p], (double)g->t_unit * (double)g->piece_unit[p]);
	}
}

void dt_heat_grid_add_snapshot(struct dt_heat_grid *g, const struct dtr_snapshot *s,
			       uint64_t aggr_us)
{
	struct snapshot_cells sc = {
		.end = dt_sat_sub(dt_sat_i64(s->end_ns), g->t_start),
		.start = dt_sat_sub(dt_sat_i64(s->start_ns), g->t_start),
		.aggr_ns = dt_sat_i64(dt_sat_umul(aggr_us, 1000)),
		.last = dt_sat_sub(g->last_end_ns, g->t_start),
		.has_last = g->has_last,
		.has_age = aggr_us && s->age_unit != DTR_UNIT_ABSENT,
		.to_hz = g->df_passed ? 0.0 : aggr_us ? 1e6 / (double)aggr_us : 1.0,
		.i1 = cell_index(dt_sat_sub(dt_sat_i64(s->end_ns), g->t_start), g->t_unit,
				 g->t_resol),
		.plain_i0 = -2,
	};

	g->has_last = 1;
	g->last_end_ns = dt_sat_i64(s->end_ns);
	if (aggr_us)
		g->value_hz = 1;
	if (sc.i1 < 0 || !s->nr_regions) /* no regions: maybe no array either */
		return;
	if (sc.i1 >= (int64_t)g->t_resol)
		sc.i1 = (int64_t)g->t_resol - 1;

	const struct dtr_region *r = s->regions, *e = s->regions + s->nr_regions;
	if (g->pieces) {
		for (; r < e; r++)
			add_observed(g, &sc, r, 0, 0);
		return;
	}
	const int64_t grid_end = (int64_t)(g->a_unit * g->a_resol);
	const uint64_t a_start = g->a_start;
	for (; r < e; r++) {
		int64_t rs = addr_offset(r->start, a_start), re = addr_offset(r->end, a_start);
		/* damo skips regions that end before the range or start after
		 * it (touching counts as inside). */
		if (re < 0 || grid_end < rs)
			continue;
		add_observed(g, &sc, r, rs, re);
	}
}

int dt_heat_grid_add(struct dt_heat_grid *g, const struct dtr_item *item)
{
	if (item->type != DTR_ITEM_SNAPSHOT)
		return dt_targets_note(&g->targets, item);
	const struct dtr_snapshot *s = &item->u.snapshot;
	if (g->kdamond != UINT32_MAX &&
	    (s->kdamond != g->kdamond || s->context != g->context || s->target != g->target))
		return 0;
	int idx = dt_targets_of(&g->targets, s);
	if (idx < 0)
		return idx;
	dt_heat_grid_add_snapshot(g, s, g->targets.v[idx].aggr_us);
	return 0;
}

void dt_heat_grid_free(struct dt_heat_grid *g)
{
	free(g->cells);
	free(g->pieces);
	free(g->piece_row);
	free(g->piece_rows);
	free(g->piece_unit);
	dt_targets_free(&g->targets);
	g->cells = NULL;
	g->pieces = NULL;
	g->piece_row = g->piece_rows = NULL;
	g->piece_unit = NULL;
}

int dt_heat_grid_minmax(const struct dt_heat_grid *g, double *lo, double *hi)
{
	int any = 0;
	for (size_t i = 0; i < g->t_resol * g->a_resol; i++) {
		double v = g->cells[i];
		if (isnan(v))
			continue;
		if (!any || v < *lo)
			*lo = v;
		if (!any || v > *hi)
			*hi = v;
		any = 1;
	}
	return any;
}

/* v in decimal, as %llu prints it, ending at `end`; returns the start. */
static char *decimal_before(char *end, unsigned long long v)
{
	do {
		*--end = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return end;
}

/* Row i's time as damo prints it: int(start + i * unit), less the start
 * unless abs_time (a float then when the start is).  Returns the length. */
static size_t time_column(char *buf, size_t len, const struct dt_heat_grid *g, size_t i,
			  int abs_time)
{
	if (g->t_float) {
		double t = trunc(g->t_start_f + (double)i * g->t_unit_f);
		if (abs_time)
			return (size_t)snprintf(buf, len, "%.0f", t);
		return (size_t)dt_pyfloat_repr(buf, len, t - g->t_start_f);
	}
	/* i * t_unit <= t_end - t_start: exact unsigned, and the absolute
	 * time (t_start + it, at most t_end) fits a signed one */
	uint64_t rel = i * g->t_unit;
	if (!abs_time)
		return (size_t)snprintf(buf, len, "%llu", (unsigned long long)rel);
	return (size_t)snprintf(buf, len, "%lld", (long long)((uint64_t)g->t_start + rel));
}

int dt_heat_grid_print_raw(FILE *out, const struct dt_heat_grid *g, int abs_time,
			   int abs_addr)
{
	/* Each line is put together by hand and written at once: printf's
	 * parsing of the format cost more than the numbers themselves. */
	char line[3 * 24 + 2 * DT_PYFLOAT_LEN];
	char num[DT_PYFLOAT_LEN + 8];

	for (size_t i = 0; i < g->t_resol; i++) {
		size_t tlen = time_column(num, sizeof(num), g, i, abs_time);
		memcpy(line, num, tlen);
		line[tlen] = '\t';
		for (size_t j = 0; j < g->a_resol; j++) {
			unsigned long long a = j * g->a_unit + (abs_addr ? g->a_start : 0);
			double v = g->cells[i * g->a_resol + j];
			char *as = decimal_before(num + sizeof(num), a);
			size_t n = tlen + 1, alen = (size_t)(num + sizeof(num) - as);
			memcpy(line + n, as, alen);
			n += alen;
			line[n++] = '\t';
			if (isnan(v)) {
				memcpy(line + n, "NaN", 3);
				n += 3;
			} else {
				n += (size_t)dt_pyfloat_repr(line + n, DT_PYFLOAT_LEN, v);
			}
			line[n++] = '\n';
			fwrite(line, 1, n, out);
		}
	}
	return ferror(out) ? -EIO : 0;
}

/* damo's terminal colour sets: 256-colour background and foreground per
 * level 0..9. */
static const struct colorset {
	const char *name;
	unsigned char bg[10], fg[10];
} colorsets[] = {
	{ "gray", { 232, 232, 232, 232, 232, 232, 232, 232, 232, 232 },
	  { 237, 239, 241, 243, 245, 247, 249, 251, 253, 255 } },
	{ "flame", { 232, 1, 1, 2, 3, 3, 20, 21, 26, 27 },
	  { 239, 235, 237, 239, 243, 245, 247, 249, 251, 255 } },
	{ "emotion", { 232, 234, 20, 21, 26, 2, 3, 1, 1, 1 },
	  { 239, 235, 237, 239, 243, 245, 247, 249, 251, 255 } },
};

static const struct colorset *colorset_of(const char *name)
{
	for (size_t i = 0; i < sizeof(colorsets) / sizeof(colorsets[0]); i++)
		if (!strcmp(colorsets[i].name, name))
			return &colorsets[i];
	return NULL;
}

int dt_heat_colorset_valid(const char *name)
{
	return colorset_of(name) != NULL;
}

/* The colour codes of a level, or nothing without colour. */
static void put_level(FILE *out, const struct colorset *cs, int level, int color)
{
	if (color)
		fprintf(out, "\x1b[48;5;%dm\x1b[38;5;%dm", cs->bg[level], cs->fg[level]);
}

/* damo 3.3's fmt_ascii_lines_comments(): the legend, then both axes with
 * their absolute ranges and the size of one character. */
static void print_ascii_captions(FILE *out, const struct dt_heat_grid *g,
				 const struct colorset *cs, int print_colorset, int color,
				 double lo, double hi)
{
	char a[64], b[64], c[64];

	if (print_colorset) {
		fputs("# access_frequency: ", out);
		for (int l = 0; l < 10; l++) {
			put_level(out, cs, l, color);
			fprintf(out, "%d", l);
		}
		fprintf(out, "%s (%.3f-%.3f %s)\n", color ? "\x1b[0m" : "", lo, hi,
			g->value_hz ? "hz" : "samples");
	}
	double a_len = (double)g->a_unit * (double)g->a_resol;
	double a_start = (double)g->a_start;
	fprintf(out, "# x-axis: space [%s, %s) (%s)\n",
		dt_damo_format_sz_accurate(a, sizeof(a), a_start),
		dt_damo_format_sz_accurate(b, sizeof(b), (double)(g->a_start + g->a_unit * g->a_resol)),
		dt_damo_format_sz(c, sizeof(c), a_len, 0));
	double t_start = g->t_float ? g->t_start_f : (double)g->t_start;
	double t_len = g->t_float ? g->t_unit_f * (double)g->t_resol :
				    (double)(g->t_unit * g->t_resol);
	double t_end = g->t_float ? t_start + t_len :
				    (double)g->t_start + (double)(g->t_unit * g->t_resol);
	fprintf(out, "# y-axis: time [%s, %s) (%s)\n",
		dt_damo_format_time_ns(a, sizeof(a), t_start, 0),
		dt_damo_format_time_ns(b, sizeof(b), t_end, 0),
		dt_damo_format_time_ns(c, sizeof(c), t_len, 0));
	fprintf(out, "# resolution: %zux%zu (%s and %s for each character)\n", g->a_resol,
		g->t_resol, dt_damo_format_sz(a, sizeof(a), a_len / (double)g->a_resol, 0),
		dt_damo_format_time_ns(b, sizeof(b), t_len / (double)g->t_resol, 0));
}

int dt_heat_grid_print_ascii(FILE *out, const struct dt_heat_grid *g,
			     const char *colorset, int print_colorset, int color)
{
	const struct colorset *cs = colorset_of(colorset);
	double lo = 0, hi = 0;

	if (!cs)
		return -EINVAL;
	if (!dt_heat_grid_minmax(g, &lo, &hi))
		return 1;
	double unit = (hi + 1 - lo) / 9;
	for (size_t i = 0; i < g->t_resol; i++) {
		for (size_t j = 0; j < g->a_resol; j++) {
			double v = g->cells[i * g->a_resol + j];
			if (isnan(v)) {
				put_level(out, cs, 4, color);
				fputc(' ', out);
				continue;
			}
			int level = (int)((v - lo) / unit);
			if (level > 9)
				level = 9;
			if (level < 0)
				level = 0;
			put_level(out, cs, level, color);
			fprintf(out, "%d", level);
		}
		fputs(color ? "\x1b[0m\n" : "\n", out);
	}
	print_ascii_captions(out, g, cs, print_colorset, color, lo, hi);
	return ferror(out) ? -EIO : 0;
}

/* ------------------------------------------------------------ area names */

void dt_maps_copy_free(struct dt_maps_copy *m)
{
	for (size_t i = 0; i < m->nr; i++)
		free(m->entries[i].path);
	free(m->entries);
	m->entries = NULL;
	m->nr = m->cap = 0;
}

int dt_maps_copy_note(struct dt_maps_copy *m, const struct dtr_maps *maps, int64_t pid)
{
	if ((pid >= 0 && maps->pid != pid) || (!maps->nr && m->nr))
		return 0; /* an exited process's empty maps name nothing */
	struct dt_map_entry_copy *e = calloc(maps->nr ? maps->nr : 1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	for (size_t i = 0; i < maps->nr; i++) {
		e[i].start = maps->entries[i].start;
		e[i].end = maps->entries[i].end;
		e[i].path = strdup(maps->entries[i].path ? maps->entries[i].path : "");
		if (!e[i].path) {
			for (size_t k = 0; k < i; k++)
				free(e[k].path);
			free(e);
			return -ENOMEM;
		}
	}
	dt_maps_copy_free(m);
	m->entries = e;
	m->nr = maps->nr;
	m->cap = maps->nr ? maps->nr : 1;
	m->pid = maps->pid;
	return 0;
}

static const char *short_name(const char *path)
{
	if (!*path)
		return "anon";
	if (!strcmp(path, "[heap]"))
		return "heap";
	if (!strcmp(path, "[stack]"))
		return "stack";
	const char *slash = strrchr(path, '/');
	return slash && slash[1] ? slash + 1 : path;
}

char *dt_maps_name_range(char *buf, size_t len, const struct dt_maps_copy *m,
			 uint64_t start, uint64_t end)
{
	/* Sum the overlap per name; maps are few, so quadratic is fine. */
	const char *best = NULL;
	uint64_t best_bytes = 0;

	for (size_t i = 0; i < m->nr; i++) {
		const char *name = short_name(m->entries[i].path);
		uint64_t bytes = 0;
		for (size_t k = 0; k < m->nr; k++) {
			const struct dt_map_entry_copy *e = &m->entries[k];
			if (strcmp(short_name(e->path), name))
				continue;
			uint64_t s = e->start > start ? e->start : start;
			uint64_t t = e->end < end ? e->end : end;
			if (t > s)
				bytes += t - s;
		}
		if (bytes > best_bytes) {
			best_bytes = bytes;
			best = name;
		}
	}
	snprintf(buf, len, "%s", best ? best : "");
	return buf;
}
