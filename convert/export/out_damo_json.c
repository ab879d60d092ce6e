// SPDX-License-Identifier: GPL-2.0-only
/*
 * damo's record formats: `json` and `json_compressed` (the same text, zlib
 * compressed), laid out as damo v3.3.0 writes them (json.dumps with an
 * indent of 4, numbers as text, addresses with thousands separators), and
 * damo's `perf_script` text.  Also drives the `report access --raw_form`
 * text (out_damo_raw.c).  Snapshots are spooled per target and written
 * record by record at close.
 */
#include "export_internal.h"
#include "json_writer.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct damo_out {
	enum dt_export_format format;
	struct dt_out out;
	struct dt_spool spool;
	char *name;
};

static char *with_commas(char *buf, size_t len, uint64_t v)
{
	char digits[32];
	int n = snprintf(digits, sizeof(digits), "%llu", (unsigned long long)v);
	size_t o = 0;

	for (int i = 0; i < n && o + 2 < len; i++) {
		if (i && (n - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = digits[i];
	}
	buf[o] = '\0';
	return buf;
}

static void put_out(void *o, const char *p, size_t n)
{
	dt_out_write(o, p, n);
}

static int write_json_record(struct damo_out *d, struct dt_spool_record *rec, int first_rec,
			     char *err, size_t errlen)
{
	struct dt_out *o = &d->out;
	struct dtr_snapshot snap;
	int ret, first = 1;

	dt_out_printf(o, "%s\n    {\n", first_rec ? "" : ",");
	if (d->spool.null_indexes && !rec->kdamond && !rec->context) {
		dt_out_printf(o, "        \"kdamond_idx\": null,\n");
		dt_out_printf(o, "        \"context_idx\": null,\n");
	} else {
		dt_out_printf(o, "        \"kdamond_idx\": %u,\n", rec->kdamond);
		dt_out_printf(o, "        \"context_idx\": %u,\n", rec->context);
	}
	if (rec->has_intervals) {
		const struct dtr_intervals *iv = &rec->intervals;
		dt_out_printf(o,
			      "        \"intervals\": {\n"
			      "            \"sample_us\": \"%llu\",\n"
			      "            \"aggr_us\": \"%llu\",\n"
			      "            \"ops_update_us\": \"%llu\",\n"
			      "            \"intervals_goal\": {\n"
			      "                \"access_bp\": \"0.000000\",\n"
			      "                \"aggrs\": \"0\",\n"
			      "                \"min_sample_us\": \"0\",\n"
			      "                \"max_sample_us\": \"0\"\n"
			      "            }\n"
			      "        },\n",
			      (unsigned long long)iv->sample_us, (unsigned long long)iv->aggr_us,
			      (unsigned long long)iv->update_us);
	} else {
		dt_out_printf(o, "        \"intervals\": null,\n");
	}
	dt_out_printf(o, "        \"scheme_idx\": null,\n");
	dt_out_printf(o, "        \"target_id\": %llu,\n", (unsigned long long)rec->target_id);
	dt_out_printf(o, "        \"scheme_filters\": [],\n");
	dt_out_printf(o, "        \"snapshots\": [");
	while ((ret = dt_spool_read(&d->spool, rec, &snap, err, errlen)) > 0) {
		uint64_t total = 0;
		dt_out_printf(o, "%s\n            {\n", first ? "" : ",");
		first = 0;
		dt_out_printf(o, "                \"start_time\": \"%llu\",\n",
			      (unsigned long long)snap.start_ns);
		dt_out_printf(o, "                \"end_time\": \"%llu\",\n",
			      (unsigned long long)snap.end_ns);
		dt_out_printf(o, "                \"regions\": [");
		for (uint64_t i = 0; i < snap.nr_regions; i++) {
			const struct dtr_region *r = &snap.regions[i];
			char a[40], b[40], age[24];
			total += r->end - r->start;
			if (snap.age_unit == DTR_UNIT_ABSENT)
				snprintf(age, sizeof(age), "null");
			else
				snprintf(age, sizeof(age), "\"%u\"", r->age);
			dt_out_printf(o,
				      "%s\n                    {\n"
				      "                        \"start\": \"%s\",\n"
				      "                        \"end\": \"%s\",\n"
				      "                        \"nr_accesses\": {\n"
				      "                            \"samples\": %s%u%s,\n"
				      "                            \"percent\": null\n"
				      "                        },\n"
				      "                        \"age\": {\n"
				      "                            \"usec\": null,\n"
				      "                            \"aggr_intervals\": %s\n"
				      "                        },\n"
				      "                        \"probe_hits\": [],\n"
				      "                        \"sz_filter_passed\": \"0 B\"\n"
				      "                    }",
				      i ? "," : "", with_commas(a, sizeof(a), r->start),
				      with_commas(b, sizeof(b), r->end),
				      "", r->nr_accesses, "", age);
		}
		dt_out_printf(o, "%s],\n", snap.nr_regions ? "\n                " : "");
		dt_out_printf(o,
			      "                \"total_bytes\": \"%llu\",\n"
			      "                \"damos_stats\": null,\n"
			      "                \"sample_interval_us\": null\n"
			      "            }",
			      (unsigned long long)total);
	}
	if (ret < 0)
		return ret;
	dt_out_printf(o, "%s],\n", first ? "" : "\n        ");
	dt_out_printf(o, "        \"data_source\": \"");
	/* A record writer: the bytes read back into damo_data_source stay. */
	dt_json_escape(d->spool.data_source ? d->spool.data_source : "unknown",
		       DT_JSON_KEEP_BYTES, put_out, o);
	dt_out_printf(o, "\"\n    }");
	return 0;
}

/* "%.6f" when damo's reading of it (int(float(t) * 1e9)) gives back the
 * same nanosecond, else all nine digits. */
static void perf_time(char *buf, size_t len, uint64_t ns)
{
	snprintf(buf, len, "%llu.%06llu", (unsigned long long)(ns / 1000000000ull),
		 (unsigned long long)(ns % 1000000000ull / 1000));
	if (ns % 1000 == 0 && (uint64_t)(strtod(buf, NULL) * 1e9) == ns)
		return;
	snprintf(buf, len, "%llu.%09llu", (unsigned long long)(ns / 1000000000ull),
		 (unsigned long long)(ns % 1000000000ull));
}

static void perf_line(struct dt_out *o, const struct dt_spool_record *rec, uint64_t end_ns,
		      uint64_t nr_regions, uint64_t start, uint64_t end, long long acc,
		      const char *age)
{
	char t[48];

	perf_time(t, sizeof(t), end_ns);
	dt_out_printf(o,
		      "       kdamond.%u     0 [000] %s: damon:damon_aggregated: target_id=%llu "
		      "nr_regions=%llu %llu-%llu: %lld%s%s\n",
		      rec->kdamond, t, (unsigned long long)rec->target_id,
		      (unsigned long long)nr_regions, (unsigned long long)start,
		      (unsigned long long)end, acc, age[0] ? " " : "", age);
}

static int write_perf_record(struct damo_out *d, struct dt_spool_record *rec, char *err,
			     size_t errlen)
{
	struct dtr_snapshot snap;
	int ret;

	while ((ret = dt_spool_read(&d->spool, rec, &snap, err, errlen)) > 0) {
		for (uint64_t i = 0; i < snap.nr_regions; i++) {
			const struct dtr_region *r = &snap.regions[i];
			char age[16] = "";
			if (snap.age_unit != DTR_UNIT_ABSENT)
				snprintf(age, sizeof(age), "%u", r->age);
			perf_line(&d->out, rec, snap.end_ns, snap.nr_regions, r->start, r->end,
				  r->nr_accesses, age);
		}
		if (rec->nr_snapshots == 1) {
			/* As damo does: a marker snapshot after a lone one, so that a
			 * reader can tell how long the lone one was. */
			perf_line(&d->out, rec, snap.end_ns + (snap.end_ns - snap.start_ns), 1, 0, 0,
				  -1, snap.age_unit != DTR_UNIT_ABSENT ? "-1" : "");
		}
	}
	return ret;
}

static int damo_put(void *state, const struct dtr_item *item, char *err, size_t errlen)
{
	struct damo_out *d = state;
	return dt_spool_put(&d->spool, item, err, errlen);
}

static void damo_free(struct damo_out *d)
{
	dt_spool_free(&d->spool);
	dt_out_free(&d->out);
	free(d->name);
	free(d);
}

static int damo_close(void *state, char *err, size_t errlen)
{
	struct damo_out *d = state;
	int ret = dt_spool_finalise(&d->spool, err, errlen);

	if (ret) {
		damo_free(d);
		return ret;
	}
	if (d->format == DT_EXPORT_DAMO_JSON || d->format == DT_EXPORT_DAMO_JSON_COMPRESSED)
		dt_out_write(&d->out, "[", 1);
	for (size_t i = 0; i < d->spool.nr_recs && !ret; i++) {
		struct dt_spool_record *rec = &d->spool.recs[i];
		switch (d->format) {
		case DT_EXPORT_DAMO_RAW:
			ret = dt_out_damo_raw_record(&d->out, &d->spool, rec, err, errlen);
			break;
		case DT_EXPORT_PERF_SCRIPT:
			ret = write_perf_record(d, rec, err, errlen);
			break;
		default:
			ret = write_json_record(d, rec, i == 0, err, errlen);
			break;
		}
	}
	if (!ret && (d->format == DT_EXPORT_DAMO_JSON || d->format == DT_EXPORT_DAMO_JSON_COMPRESSED))
		dt_out_write(&d->out, d->spool.nr_recs ? "\n]" : "]", d->spool.nr_recs ? 2 : 1);
	if (!ret)
		ret = dt_out_finish(&d->out, err, errlen);
	damo_free(d);
	return ret;
}

static void damo_abort(void *state)
{
	damo_free(state);
}

static const struct dt_exporter_ops damo_ops = { damo_put, damo_close, damo_abort };

int dt_out_damo_open(void **state, const struct dt_exporter_ops **ops,
		     enum dt_export_format format, int fd, const char *name, char *err,
		     size_t errlen)
{
	struct damo_out *d = calloc(1, sizeof(*d));

	if (!d)
		return -ENOMEM;
	d->name = strdup(name);
	if (!d->name || dt_out_init(&d->out, fd, d->name,
				    format == DT_EXPORT_DAMO_JSON_COMPRESSED)) {
		free(d->name);
		free(d);
		if (errlen)
			snprintf(err, errlen, "%s: out of memory", name);
		return -ENOMEM;
	}
	d->format = format;
	dt_spool_init(&d->spool, d->name);
	*state = d;
	*ops = &damo_ops;
	return 0;
}
