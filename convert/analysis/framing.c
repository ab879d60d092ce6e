// SPDX-License-Identifier: GPL-2.0-only
/* The memory a program worked on, by access density, clipped to its maps
 * (framing.h): the default address areas of the heatmap pictures. */
#include "framing.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "checked.h"
#include "density.h"
#include "errmsg.h"
#include "grow.h"
#include "heatmap.h"
#include "report.h"

#define PAGE UINT64_C(4096)

/* A dt_dspan's h: density per byte in profiles; in areas, the mass of
 * their dense parts. */
struct profile {
	uint32_t kdamond, context, target;
	struct dt_density d;
};

struct dt_framer {
	int64_t t0, t1;
	struct dt_targets targets;
	size_t nr_prof, cap_prof;
	struct profile *prof;
	size_t nr_maps, cap_maps;
	struct dt_maps_copy *maps;  /* per process: every distinct entry, by start */
	struct dt_density_scratch sc; /* one snapshot's regions; the merge */
};

int dt_framer_new(struct dt_framer **f, int64_t t_start, int64_t t_end, char *err,
		  size_t errlen)
{
	*f = calloc(1, sizeof(**f));
	if (!*f)
		return dt_fail(err, errlen, -ENOMEM, "out of memory");
	(*f)->t0 = t_start;
	(*f)->t1 = t_end;
	return 0;
}

void dt_framer_free(struct dt_framer *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->nr_prof; i++)
		dt_density_free(&f->prof[i].d);
	free(f->prof);
	for (size_t i = 0; i < f->nr_maps; i++)
		dt_maps_copy_free(&f->maps[i]);
	free(f->maps);
	dt_density_scratch_free(&f->sc);
	dt_targets_free(&f->targets);
	free(f);
}

void dt_frame_free(struct dt_frame *fr)
{
	free(fr->areas);
	memset(fr, 0, sizeof(*fr));
}

/* ------------------------------------------------------------------ maps */

static struct dt_maps_copy *maps_of(struct dt_framer *f, int32_t pid, int add)
{
	for (size_t i = 0; i < f->nr_maps; i++)
		if (f->maps[i].pid == pid)
			return &f->maps[i];
	if (!add)
		return NULL;
	if (DT_GROW(f->maps, f->cap_maps, f->nr_maps + 1))
		return NULL;
	struct dt_maps_copy *m = &f->maps[f->nr_maps++];
	memset(m, 0, sizeof(*m));
	m->pid = pid;
	return m;
}

/* Index of the first entry not before (start, end, path); *same when it is
 * that entry. */
static size_t entry_place(const struct dt_maps_copy *m, const struct dtr_map_entry *e,
			  int *same)
{
	size_t lo = 0, hi = m->nr;
	const char *path = e->path ? e->path : "";
	*same = 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct dt_map_entry_copy *x = &m->entries[mid];
		int c = x->start != e->start ? (x->start < e->start ? -1 : 1) :
			x->end != e->end     ? (x->end < e->end ? -1 : 1) :
					       strcmp(x->path, path);
		if (!c) {
			*same = 1;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Keep every distinct entry a process had (the buffers of a phase may be
 * unmapped before the record ends). */
static int note_maps(struct dt_framer *f, const struct dtr_maps *maps)
{
	struct dt_maps_copy *m = maps_of(f, maps->pid, 1);
	if (!m)
		return -ENOMEM;
	for (size_t i = 0; i < maps->nr && m->nr < DT_FRAME_MAX_MAPS; i++) {
		const struct dtr_map_entry *e = &maps->entries[i];
		int same;
		size_t at = entry_place(m, e, &same);
		if (same || e->end <= e->start)
			continue;
		if (DT_GROW(m->entries, m->cap, m->nr + 1))
			return -ENOMEM;
		char *path = strdup(e->path ? e->path : "");
		if (!path)
			return -ENOMEM;
		memmove(&m->entries[at + 1], &m->entries[at], (m->nr - at) * sizeof(*m->entries));
		m->entries[at] = (struct dt_map_entry_copy){ e->start, e->end, path };
		m->nr++;
	}
	return 0;
}

/* --------------------------------------------------------------- profile */

static struct profile *profile_of(struct dt_framer *f, const struct dtr_snapshot *s)
{
	for (size_t i = 0; i < f->nr_prof; i++)
		if (f->prof[i].kdamond == s->kdamond && f->prof[i].context == s->context &&
		    f->prof[i].target == s->target)
			return &f->prof[i];
	if (DT_GROW(f->prof, f->cap_prof, f->nr_prof + 1))
		return NULL;
	struct profile *pr = &f->prof[f->nr_prof++];
	*pr = (struct profile){ .kdamond = s->kdamond, .context = s->context, .target = s->target };
	return pr;
}

static double size_of(const struct dt_dspan *s)
{
	return (double)(s->end - s->start);
}

/* The snapshot's accessed regions as density runs, sorted and disjoint. */
static size_t snapshot_runs(struct dt_framer *f, const struct dtr_snapshot *s, double weight)
{
	size_t n = 0;
	for (uint64_t i = 0; i < s->nr_regions; i++) {
		const struct dtr_region *r = &s->regions[i];
		if (!r->nr_accesses || r->end <= r->start)
			continue;
		uint64_t size = r->end - r->start;
		double local = size > DT_FRAME_LOCAL_BYTES ?
				       (double)DT_FRAME_LOCAL_BYTES / (double)size : 1.0;
		double h = r->nr_accesses * weight * local;
		f->sc.runs[n++] = (struct dt_dspan){ r->start, r->end, h };
	}
	return dt_density_sort_runs(&f->sc, n);
}

/* Seconds of the snapshot inside the window (its whole length without one). */
static double window_seconds(const struct dt_framer *f, const struct dtr_snapshot *s,
			     uint64_t aggr_us)
{
	int64_t a = dt_sat_i64(s->start_ns), b = dt_sat_i64(s->end_ns);
	if (b <= a) /* no length recorded: one aggregation */
		b = dt_sat_add(a, aggr_us ? dt_sat_i64(dt_sat_umul(aggr_us, 1000)) : 1);
	if (f->t1 > f->t0) {
		if (a < f->t0)
			a = f->t0;
		if (b > f->t1)
			b = f->t1;
	}
	return b > a ? ((double)b - (double)a) / 1e9 : 0;
}

static int add_snapshot(struct dt_framer *f, const struct dtr_snapshot *s)
{
	int idx = dt_targets_of(&f->targets, s);
	if (idx < 0)
		return idx;
	uint64_t aggr_us = f->targets.v[idx].aggr_us;
	double seconds = window_seconds(f, s, aggr_us);
	struct profile *p = profile_of(f, s);
	if (!p)
		return -ENOMEM;
	if (seconds <= 0 || !s->nr_regions)
		return 0;
	if (dt_density_reserve_runs(&f->sc, s->nr_regions))
		return -ENOMEM;
	double rate = aggr_us ? 1e6 / (double)aggr_us : 1.0;
	size_t nr = snapshot_runs(f, s, rate * seconds);
	return dt_density_add(&p->d, &f->sc, nr, DT_FRAME_MAX_SPANS, DT_FRAME_MAX_SPANS * 3 / 4);
}

int dt_framer_add(struct dt_framer *f, const struct dtr_item *item, char *err, size_t errlen)
{
	int rc;
	switch (item->type) {
	case DTR_ITEM_SNAPSHOT:
		rc = add_snapshot(f, &item->u.snapshot);
		break;
	case DTR_ITEM_MAPS:
		rc = note_maps(f, &item->u.maps);
		break;
	default:
		rc = dt_targets_note(&f->targets, item);
		break;
	}
	return rc < 0 ? dt_fail(err, errlen, rc, "out of memory framing the heatmap") : 0;
}

/* ---------------------------------------------------------------- result */

/* The maps of the target's process; of the only process with maps when
 * the target's pid is unknown. */
static const struct dt_maps_copy *target_maps(const struct dt_framer *f, uint32_t kdamond,
					      uint32_t context, uint32_t target)
{
	int64_t pid = -1;
	for (size_t i = 0; i < f->targets.nr; i++) {
		const struct dt_target_info *t = &f->targets.v[i];
		if (t->kdamond == kdamond && t->context == context && t->target == target)
			pid = t->pid;
	}
	for (size_t i = 0; i < f->nr_maps; i++)
		if (f->maps[i].nr && (f->maps[i].pid == pid || (pid < 0 && f->nr_maps == 1)))
			return &f->maps[i];
	return NULL;
}

/* The maps' entries (sorted by start) as disjoint intervals. */
static size_t maps_union(const struct dt_maps_copy *m, struct dt_dspan *u)
{
	size_t n = 0;
	for (size_t k = 0; k < m->nr; k++) {
		const struct dt_map_entry_copy *e = &m->entries[k];
		if (n && e->start <= u[n - 1].end) {
			if (e->end > u[n - 1].end)
				u[n - 1].end = e->end;
		} else {
			u[n++] = (struct dt_dspan){ e->start, e->end, 0 };
		}
	}
	return n;
}

/* The parts of the spans v inside the intervals u (both sorted, disjoint);
 * at most nv + nu of them. */
static size_t intersect(const struct dt_dspan *v, size_t nv, const struct dt_dspan *u, size_t nu,
			struct dt_dspan *out)
{
	size_t i = 0, j = 0, n = 0;
	while (i < nv && j < nu) {
		uint64_t s = v[i].start > u[j].start ? v[i].start : u[j].start;
		uint64_t e = v[i].end < u[j].end ? v[i].end : u[j].end;
		if (e > s)
			out[n++] = (struct dt_dspan){ s, e, v[i].h };
		if (v[i].end < u[j].end)
			i++;
		else
			j++;
	}
	return n;
}

/* Dense spans, touching ones together, as areas whose h is their mass. */
static size_t dense_areas(const struct dt_dspan *v, size_t n, double limit, struct dt_dspan *out)
{
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		if (v[i].h < limit)
			continue;
		double mass = v[i].h * size_of(&v[i]);
		if (m && out[m - 1].end == v[i].start) {
			out[m - 1].end = v[i].end;
			out[m - 1].h += mass;
		} else {
			out[m++] = (struct dt_dspan){ v[i].start, v[i].end, mass };
		}
	}
	return m;
}

static void join_area(struct dt_dspan *a, size_t *n, size_t k)
{
	a[k].end = a[k + 1].end;
	a[k].h += a[k + 1].h;
	memmove(&a[k + 1], &a[k + 2], (*n - k - 2) * sizeof(*a));
	(*n)--;
}

/* Close areas joined; then at most DT_FRAME_MAX_AREAS. */
static void join_areas(struct dt_dspan *a, size_t *n)
{
	for (size_t k = 0; k + 1 < *n;) {
		uint64_t gap = a[k + 1].start - a[k].end;
		uint64_t sizes = (a[k].end - a[k].start) + (a[k + 1].end - a[k + 1].start);
		if (gap <= DT_FRAME_JOIN_MIN || gap <= sizes / 8)
			join_area(a, n, k);
		else
			k++;
	}
	while (*n > DT_FRAME_MAX_AREAS) {
		size_t close = 0, least = 0;
		uint64_t total = 0;
		for (size_t k = 0; k < *n; k++) {
			total += a[k].end - a[k].start;
			if (k + 1 < *n && a[k + 1].start - a[k].end < a[close + 1].start - a[close].end)
				close = k;
			if (a[k].h < a[least].h)
				least = k;
		}
		if (a[close + 1].start - a[close].end <= total) {
			join_area(a, n, close);
		} else {
			memmove(&a[least], &a[least + 1], (*n - least - 1) * sizeof(*a));
			(*n)--;
		}
	}
}

/* The names (dt_maps_name_range's: "heap", "anon", a file's base name)
 * covering at least a quarter of the area, most first, at most three,
 * joined by "+": "mmapfile.dat+anon". */
static void name_area(char *buf, size_t len, const struct dt_maps_copy *m, uint64_t s,
		      uint64_t e)
{
	struct { char name[64]; uint64_t bytes; } v[16];
	size_t n = 0, used = 0;
	for (size_t i = 0; i < m->nr; i++) {
		uint64_t a = m->entries[i].start > s ? m->entries[i].start : s;
		uint64_t b = m->entries[i].end < e ? m->entries[i].end : e;
		char name[64];
		if (b <= a)
			continue;
		dt_maps_name_range(name, sizeof(name), m, m->entries[i].start, m->entries[i].end);
		size_t k = 0;
		while (k < n && strcmp(v[k].name, name))
			k++;
		if (k == n && n == sizeof(v) / sizeof(v[0]))
			continue;
		if (k == n) {
			snprintf(v[k].name, sizeof(v[k].name), "%s", name);
			v[k].bytes = 0;
			n++;
		}
		v[k].bytes += b - a;
	}
	*buf = '\0';
	for (int shown = 0; shown < 3; shown++) {
		size_t best = n;
		for (size_t k = 0; k < n; k++)
			if (v[k].bytes && (best == n || v[k].bytes > v[best].bytes))
				best = k;
		if (best == n || (shown && v[best].bytes < (e - s) / 4))
			break;
		used += (size_t)snprintf(buf + used, used < len ? len - used : 0, "%s%s",
					 shown ? "+" : "", v[best].name);
		v[best].bytes = 0;
		if (used >= len)
			break;
	}
}

static int fill_frame(struct dt_frame *out, struct dt_dspan *a, size_t n,
		      const struct dt_maps_copy *maps)
{
	out->areas = calloc(n ? n : 1, sizeof(*out->areas));
	if (!out->areas)
		return -ENOMEM;
	for (size_t k = 0; k < n; k++) {
		double mass = a[k].h;
		uint64_t s = a[k].start & ~(PAGE - 1);
		uint64_t e = a[k].end > UINT64_MAX - PAGE ? a[k].end : (a[k].end + PAGE - 1) & ~(PAGE - 1);
		struct dt_frame_area *prev = out->nr ? &out->areas[out->nr - 1] : NULL;
		if (prev && s <= prev->end) {
			mass += prev->density * (double)(prev->end - prev->start);
			s = prev->start;
			out->nr--;
		}
		struct dt_frame_area *ar = &out->areas[out->nr++];
		ar->start = s;
		ar->end = e;
		ar->density = mass / (double)(e - s);
		if (maps)
			name_area(ar->name, sizeof(ar->name), maps, s, e);
	}
	return 0;
}

int dt_framer_result(const struct dt_framer *f, uint32_t kdamond, uint32_t context,
		     uint32_t target, struct dt_frame *out, char *err, size_t errlen)
{
	const struct profile *p = NULL;
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < f->nr_prof; i++)
		if (f->prof[i].kdamond == kdamond && f->prof[i].context == context &&
		    f->prof[i].target == target)
			p = &f->prof[i];
	if (!p || !p->d.nr)
		return 0;
	const struct dt_maps_copy *maps = target_maps(f, kdamond, context, target);
	size_t nu = maps ? maps->nr : 0, n = p->d.nr;
	struct dt_dspan *v = malloc((p->d.nr + 2 * nu) * sizeof(*v)), *u = v + p->d.nr + nu;
	if (!v)
		return dt_fail(err, errlen, -ENOMEM, "out of memory framing the heatmap");
	if (maps)
		n = intersect(p->d.v, p->d.nr, u, maps_union(maps, u), v);
	else
		memcpy(v, p->d.v, n * sizeof(*v));
	out->clipped_to_maps = maps != NULL;
	for (size_t i = 0; i < n; i++)
		if (v[i].h > out->max_density)
			out->max_density = v[i].h;
	size_t m = dense_areas(v, n, out->max_density / DT_FRAME_DENSITY_RATIO, v);
	join_areas(v, &m);
	int rc = m ? fill_frame(out, v, m, maps) : 0;
	free(v);
	return rc ? dt_fail(err, errlen, rc, "out of memory framing the heatmap") : 0;
}
