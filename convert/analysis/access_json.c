// SPDX-License-Identifier: GPL-2.0-only
/* damo's report access --json and --raw_form: the records as damo dumps them (access.h). */
#include "access.h"
#include "json_writer.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* damo's format_time_us() of an interval: raw "%d" of the us. */
static char *time_us(char *buf, size_t len, uint64_t us, int raw)
{
	if (raw) {
		snprintf(buf, len, "%llu", (unsigned long long)us);
		return buf;
	}
	return dt_damo_format_time_ns(buf, len, (double)us * 1000, 0);
}

static void intervals_json(const struct dt_access_record *rec, int raw, dt_put_fn put, void *o)
{
	char a[64], b[64], c[64];

	if (!rec->target.aggr_us || !rec->target.sample_us) {
		dt_putf(put, o, "        \"intervals\": null,\n");
		return;
	}
	/* damotrace records no intervals goal: damo's default, disabled */
	dt_putf(put, o,
	     "        \"intervals\": {\n"
	     "            \"sample_us\": \"%s\",\n"
	     "            \"aggr_us\": \"%s\",\n"
	     "            \"ops_update_us\": \"%s\",\n"
	     "            \"intervals_goal\": {\n"
	     "                \"access_bp\": \"%s\",\n"
	     "                \"aggrs\": \"0\",\n"
	     "                \"min_sample_us\": \"%s\",\n"
	     "                \"max_sample_us\": \"%s\"\n"
	     "            }\n"
	     "        },\n",
	     time_us(a, sizeof(a), rec->target.sample_us, raw),
	     time_us(b, sizeof(b), rec->target.aggr_us, raw),
	     time_us(c, sizeof(c), rec->update_us, raw), raw ? "0.000000" : "0 %",
	     raw ? "0" : "0 ns", raw ? "0" : "0 ns");
}

/* A region as damo's DamonRegion.to_kvpairs() (always in damo's units:
 * damo calls it without raw); percent and usec once intervals are known. */
static void region_json(const struct dt_access_record *rec, const struct dt_access_snapshot *s,
			const struct dtr_region *r, dt_put_fn put, void *o)
{
	char a[40], b[40], pct[32], usec[96], age[40];
	int known = rec->target.aggr_us && rec->target.sample_us;

	snprintf(pct, sizeof(pct), "null");
	if (known)
		snprintf(pct, sizeof(pct), "%lld", (long long)dt_access_percent(rec, r));
	snprintf(usec, sizeof(usec), "null");
	snprintf(age, sizeof(age), "null");
	if (s->age_unit != DTR_UNIT_ABSENT) {
		char n[32];
		snprintf(age, sizeof(age), "\"%s\"", dt_damo_format_nr(n, sizeof(n), r->age, 0));
		if (known) {
			char t[80];
			dt_damo_format_time_ns_exact(t, sizeof(t),
						     (uint64_t)r->age * rec->target.aggr_us * 1000, 0);
			snprintf(usec, sizeof(usec), "\"%s\"", t);
		}
	}
	dt_putf(put, o,
	     "\n                    {\n"
	     "                        \"start\": \"%s\",\n"
	     "                        \"end\": \"%s\",\n"
	     "                        \"nr_accesses\": {\n"
	     "                            \"samples\": %u,\n"
	     "                            \"percent\": %s\n"
	     "                        },\n"
	     "                        \"age\": {\n"
	     "                            \"usec\": %s,\n"
	     "                            \"aggr_intervals\": %s\n"
	     "                        },\n"
	     "                        \"probe_hits\": [],\n"
	     "                        \"sz_filter_passed\": \"0 B\"\n"
	     "                    }",
	     dt_damo_format_nr(a, sizeof(a), r->start, 0), dt_damo_format_nr(b, sizeof(b), r->end, 0),
	     r->nr_accesses, pct, usec, age);
}

static void snapshot_json(const struct dt_access_record *rec, const struct dt_access_snapshot *s,
			  int raw, dt_put_fn put, void *o)
{
	char a[80], b[80], c[64];

	dt_putf(put, o,
	     "\n            {\n"
	     "                \"start_time\": \"%s\",\n"
	     "                \"end_time\": \"%s\",\n"
	     "                \"regions\": [",
	     dt_damo_format_time_ns_exact(a, sizeof(a), s->start_ns, raw),
	     dt_damo_format_time_ns_exact(b, sizeof(b), s->end_ns, raw));
	for (size_t i = 0; i < s->nr; i++) {
		if (i)
			put(o, ",", 1);
		region_json(rec, s, &s->regions[i], put, o);
	}
	dt_putf(put, o,
	     "%s],\n"
	     "                \"total_bytes\": \"%s\",\n"
	     "                \"damos_stats\": null,\n"
	     "                \"sample_interval_us\": null\n"
	     "            }",
	     s->nr ? "\n                " : "",
	     dt_damo_format_sz(c, sizeof(c), (double)s->total_bytes, raw));
}

static void record_json(const struct dt_access_records *rs, const struct dt_access_record *rec,
			int raw, dt_put_fn put, void *o)
{
	if (rec->no_indices)
		dt_putf(put, o, "\n    {\n        \"kdamond_idx\": null,\n        \"context_idx\": null,\n");
	else
		dt_putf(put, o, "\n    {\n        \"kdamond_idx\": %u,\n        \"context_idx\": %u,\n",
		     rec->target.kdamond, rec->target.context);
	intervals_json(rec, raw, put, o);
	dt_putf(put, o,
	     "        \"scheme_idx\": null,\n"
	     "        \"target_id\": %llu,\n"
	     "        \"scheme_filters\": [],\n"
	     "        \"snapshots\": [",
	     (unsigned long long)rec->target.id);
	for (size_t k = 0; k < rec->nr; k++) {
		if (k)
			put(o, ",", 1);
		snapshot_json(rec, &rec->snapshots[k], raw, put, o);
	}
	dt_putf(put, o, "%s],\n        \"data_source\": \"", rec->nr ? "\n        " : "");
	dt_json_escape(rs->data_source ? rs->data_source : "unknown", DT_JSON_REPLACE, put, o);
	dt_putf(put, o, "\"\n    }");
}

void dt_access_json(const struct dt_access_records *r, int raw, dt_put_fn put, void *o)
{
	put(o, "[", 1);
	for (size_t i = 0; i < r->nr; i++) {
		if (i)
			put(o, ",", 1);
		record_json(r, &r->v[i], raw, put, o);
	}
	put(o, r->nr ? "\n]" : "]", r->nr ? 2 : 1);
}

void dt_access_raw_form(const struct dt_access_records *r, int raw, dt_put_fn put, void *o)
{
	for (size_t i = 0; i < r->nr; i++) {
		const struct dt_access_record *rec = &r->v[i];
		if (!rec->nr)
			continue;
		double base = (double)rec->snapshots[0].start_ns;
		dt_damo_raw_form_head(put, o, base, r->data_source ? r->data_source : "unknown", raw);
		for (size_t k = 0; k < rec->nr; k++) {
			const struct dt_access_snapshot *as = &rec->snapshots[k];
			struct dtr_snapshot s = {
				.start_ns = as->start_ns, .end_ns = as->end_ns,
				.access_unit = as->access_unit, .age_unit = as->age_unit,
				.nr_regions = as->nr, .regions = as->regions,
			};
			dt_damo_raw_form_snapshot(put, o, &s, base, rec->target.id, raw);
		}
	}
}
