// SPDX-License-Identifier: GPL-2.0-only
/* damo's report access: the records kept in memory and damo's filters (access.h). */
#include "access.h"
#include "checked.h"
#include "grow.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* META: damo records without indices, and damo's data source. */
static int note_meta(struct dt_access_records *r, const struct dtr_meta *m)
{
	for (size_t i = 0; i < m->nr; i++) {
		const char *k = m->kvs[i].key, *v = m->kvs[i].value;
		if (!strcmp(k, "damo_null_indexes") ||
		    (!strcmp(k, DTR_META_SOURCE) &&
		     (!strcmp(v, "perf-script") || !strcmp(v, "tracefs-text") ||
		      !strcmp(v, "perf-data") || !strcmp(v, "damo-binary"))))
			r->no_indices = 1;
		if (!strcmp(k, "damo_data_source")) {
			char *c = strdup(v);
			if (!c)
				return -ENOMEM;
			free(r->data_source_copy);
			r->data_source = r->data_source_copy = c;
		}
	}
	return 0;
}

static int add_snapshot(struct dt_access_records *r, const struct dtr_snapshot *s)
{
	int t = dt_targets_of(&r->targets, s);

	if (t < 0)
		return t;
	if (DT_GROW(r->v, r->cap, (size_t)t + 1))
		return -ENOMEM;
	while (r->nr <= (size_t)t)
		r->v[r->nr++] = (struct dt_access_record){ 0 };
	struct dt_access_record *rec = &r->v[t];
	if (DT_GROW(rec->snapshots, rec->cap, rec->nr + 1))
		return -ENOMEM;
	struct dt_access_snapshot *as = &rec->snapshots[rec->nr];
	as->regions = malloc((s->nr_regions ? s->nr_regions : 1) * sizeof(*as->regions));
	if (!as->regions)
		return -ENOMEM;
	if (s->nr_regions) /* no regions: maybe no array to copy from */
		memcpy(as->regions, s->regions, s->nr_regions * sizeof(*as->regions));
	as->nr = s->nr_regions;
	as->total_bytes = 0;
	for (uint64_t i = 0; i < s->nr_regions; i++)
		as->total_bytes += s->regions[i].end - s->regions[i].start;
	as->start_ns = s->start_ns;
	as->end_ns = s->end_ns;
	as->access_unit = s->access_unit;
	as->age_unit = s->age_unit;
	rec->nr++;
	return 0;
}

int dt_access_records_add(struct dt_access_records *r, const struct dtr_item *item,
			  char *err, size_t errlen)
{
	int ret = 0;

	if (item->type == DTR_ITEM_META)
		ret = note_meta(r, &item->u.meta);
	else if (item->type == DTR_ITEM_SNAPSHOT)
		ret = add_snapshot(r, &item->u.snapshot);
	else
		ret = dt_targets_note(&r->targets, item);
	if (ret)
		snprintf(err, errlen, "out of memory");
	/* targets learn their ids and intervals late: keep them current */
	for (size_t i = 0; i < r->nr && i < r->targets.nr; i++) {
		r->v[i].target = r->targets.v[i];
		for (size_t k = 0; k < r->targets.nr_ctx; k++)
			if (r->targets.ctx[k].kdamond == r->v[i].target.kdamond &&
			    r->targets.ctx[k].context == r->v[i].target.context)
				r->v[i].update_us = r->targets.ctx[k].update_us;
	}
	return ret;
}

void dt_access_records_finish(struct dt_access_records *r)
{
	for (size_t i = 0; i < r->nr; i++)
		r->v[i].no_indices = r->no_indices;
}

int dt_access_records_have_intervals(const struct dt_access_records *r)
{
	for (size_t i = 0; i < r->nr; i++)
		if (!r->v[i].target.aggr_us || !r->v[i].target.sample_us)
			return 0;
	return 1;
}

void dt_access_records_free(struct dt_access_records *r)
{
	for (size_t i = 0; i < r->nr; i++) {
		for (size_t k = 0; k < r->v[i].nr; k++)
			free(r->v[i].snapshots[k].regions);
		free(r->v[i].snapshots);
	}
	free(r->v);
	free(r->data_source_copy);
	dt_targets_free(&r->targets);
	*r = (struct dt_access_records){ 0 };
}

int64_t dt_access_percent(const struct dt_access_record *rec, const struct dtr_region *reg)
{
	const struct dt_target_info *t = &rec->target;

	if (!t->aggr_us || !t->sample_us)
		return reg->nr_accesses;
	double pct = (double)reg->nr_accesses * 100.0 / ((double)t->aggr_us / (double)t->sample_us);
	return pct >= 0x1p63 ? INT64_MAX : (int64_t)pct; /* hostile intervals clamp */
}

int64_t dt_access_age_us(const struct dt_access_record *rec, const struct dtr_region *reg)
{
	return dt_sat_mul((int64_t)reg->age, dt_sat_i64(rec->target.aggr_us));
}

int64_t dt_access_temperature(const struct dt_access_record *rec, const struct dtr_region *reg,
			      const int64_t w[3])
{
	int64_t pct = dt_access_percent(rec, reg);
	/* saturating: hostile sizes, ages and weights clamp, never wrap */
	int64_t score = dt_sat_add(dt_sat_add(dt_sat_mul(dt_sat_i64(reg->end - reg->start), w[0]),
					      dt_sat_mul(pct, w[1])),
				   dt_sat_mul(dt_access_age_us(rec, reg), w[2]));
	return pct > 0 ? score : score == INT64_MIN ? INT64_MAX : -score;
}

/* ---------------------------------------------------------------- filters */

void dt_access_filter_default(struct dt_access_filter *f)
{
	*f = (struct dt_access_filter){ .sz = { 0, UINT64_MAX }, .rate = { 0, 1.8446744073709552e19 },
					.age_us = { 0, 1.8446744073709552e19 },
					.weights = { 0, 100, 100 } };
}

static uint64_t total_bytes(const struct dt_access_snapshot *s)
{
	uint64_t t = 0;
	for (size_t j = 0; j < s->nr; j++)
		t += s->regions[j].end - s->regions[j].start;
	return t;
}

typedef int (*keep_region_fn)(const struct dt_access_record *rec, const struct dtr_region *reg,
			      const struct dt_access_filter *f);

static int keep_pattern(const struct dt_access_record *rec, const struct dtr_region *reg,
			const struct dt_access_filter *f)
{
	uint64_t sz = reg->end - reg->start;
	if (sz < f->sz[0] || f->sz[1] < sz)
		return 0;
	if (!rec->target.aggr_us)
		return 1;
	double pct = (double)dt_access_percent(rec, reg), age = (double)dt_access_age_us(rec, reg);
	return !(pct < f->rate[0] || f->rate[1] < pct || age < f->age_us[0] || f->age_us[1] < age);
}

static int keep_temperature(const struct dt_access_record *rec, const struct dtr_region *reg,
			    const struct dt_access_filter *f)
{
	int64_t t = dt_access_temperature(rec, reg, f->weights);
	for (size_t i = 0; i < f->nr_temp; i++)
		if (f->temp[i][0] <= t && t <= f->temp[i][1])
			return 1;
	return 0;
}

static void filter_regions(struct dt_access_records *r, const struct dt_access_filter *f,
			   keep_region_fn keep)
{
	for (size_t i = 0; i < r->nr; i++) {
		struct dt_access_record *rec = &r->v[i];
		for (size_t k = 0; k < rec->nr; k++) {
			struct dt_access_snapshot *s = &rec->snapshots[k];
			size_t n = 0;
			for (size_t j = 0; j < s->nr; j++)
				if (keep(rec, &s->regions[j], f))
					s->regions[n++] = s->regions[j];
			s->nr = n;
			if (keep == keep_temperature)
				s->total_bytes = total_bytes(s);
		}
	}
}

/* --address: each region clipped to each range it overlaps. */
static int filter_addresses(struct dt_access_records *r, const struct dt_access_filter *f)
{
	for (size_t i = 0; i < r->nr; i++) {
		struct dt_access_record *rec = &r->v[i];
		for (size_t k = 0; k < rec->nr; k++) {
			struct dt_access_snapshot *s = &rec->snapshots[k];
			struct dtr_region *out = malloc((s->nr * f->nr_addr + 1) * sizeof(*out));
			size_t n = 0;
			if (!out)
				return -ENOMEM;
			for (size_t j = 0; j < s->nr; j++) {
				const struct dtr_region *g = &s->regions[j];
				for (size_t a = 0; a < f->nr_addr; a++) {
					if (g->end <= f->addr[a][0] || f->addr[a][1] <= g->start)
						continue;
					out[n] = *g;
					if (out[n].start < f->addr[a][0])
						out[n].start = f->addr[a][0];
					if (out[n].end > f->addr[a][1])
						out[n].end = f->addr[a][1];
					n++;
				}
			}
			free(s->regions);
			s->regions = out;
			s->nr = n;
			s->total_bytes = total_bytes(s);
		}
	}
	return 0;
}

/* Whether snapshot k of a record passes the snapshot filters of one kind. */
static int keep_snapshot(const struct dt_access_snapshot *s, size_t k,
			 const struct dt_access_filter *f, int kind)
{
	if (kind == 0) {
		uint64_t t = total_bytes(s);
		for (size_t i = 0; i < f->nr_sz_snapshot; i++)
			if (f->sz_snapshot[i][0] <= t && t <= f->sz_snapshot[i][1])
				return 1;
	} else if (kind == 1) {
		for (size_t i = 0; i < f->nr_time; i++)
			if ((double)s->start_ns >= f->time[i][0] && (double)s->end_ns <= f->time[i][1])
				return 1;
	} else {
		for (size_t i = 0; i < f->nr_idx; i++)
			if (f->idx[i][0] <= (int64_t)k && (int64_t)k <= f->idx[i][1])
				return 1;
	}
	return 0;
}

static void filter_snapshots(struct dt_access_records *r, const struct dt_access_filter *f,
			     int kind)
{
	for (size_t i = 0; i < r->nr; i++) {
		struct dt_access_record *rec = &r->v[i];
		size_t n = 0;
		for (size_t k = 0; k < rec->nr; k++) {
			if (keep_snapshot(&rec->snapshots[k], k, f, kind))
				rec->snapshots[n++] = rec->snapshots[k];
			else
				free(rec->snapshots[k].regions);
		}
		rec->nr = n;
	}
}

int dt_access_filter_apply(struct dt_access_records *r, const struct dt_access_filter *f)
{
	filter_regions(r, f, keep_pattern);
	if (f->nr_addr && filter_addresses(r, f))
		return -ENOMEM;
	if (f->nr_sz_snapshot)
		filter_snapshots(r, f, 0);
	if (f->nr_time)
		filter_snapshots(r, f, 1);
	if (f->nr_idx)
		filter_snapshots(r, f, 2);
	if (f->nr_temp)
		filter_regions(r, f, keep_temperature);
	return 0;
}
