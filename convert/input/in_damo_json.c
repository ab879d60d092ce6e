// SPDX-License-Identifier: GPL-2.0-only
/*
 * damo `json` and `json_compressed` records, streamed: a list of records
 * (one per kdamond/context/target), each with `snapshots[]` of `regions[]`.
 * damo writes numbers as text (addresses with thousands separators, times
 * as decimal nanoseconds, intervals in microseconds) and older versions
 * wrote plain numbers; both are accepted.  Only one snapshot is held in
 * memory at a time, so records of any size are read in bounded memory; the
 * one requirement streaming puts on the file is that a record's target_id
 * and intervals come before its snapshots, as damo writes them.
 */
#include "input_internal.h"
#include "errmsg.h"
#include "grow.h"
#include "json.h"
#include "units.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define ZBUF 65536

struct inflater {
	struct dt_src *src;
	z_stream zs;
	unsigned char in[ZBUF];
	int in_eof, done, inited;
};

struct ctx_info {
	uint32_t kdamond, context;
	size_t nr_targets, cap_targets;
	struct dtr_target *targets;
	int has_intervals;
	struct dtr_intervals intervals;
};

enum state { ST_START, ST_RECORDS, ST_RECORD, ST_SNAPSHOTS, ST_DONE };

struct damo_json {
	struct dt_src *src;
	int compressed;
	struct inflater inf;
	struct dt_json *j;
	enum state st;

	/* the record being read */
	uint64_t record_idx;
	int64_t kdamond, context; /* -1: null */
	int has_target;
	uint64_t target_id;
	int has_intervals;
	uint64_t sample_us, aggr_us, update_us;
	struct ctx_info *cur_ctx;
	uint32_t cur_target;
	uint64_t snapshot_idx;

	struct ctx_info *ctxs;
	size_t nr_ctxs, cap_ctxs;

	/* items waiting to be returned, in order */
	struct dtr_item queue[4];
	int queue_head, queue_len;

	struct dtr_region *regions;
	size_t cap_regions;
	struct dtr_kv meta_kv[3];
	int null_indexes_told;
	char *data_source;
	char *json_name;
	int started;
};

/* ------------------------------------------------------------ zlib layer */

static ssize_t inflate_read(void *ctx, void *buf, size_t len, char *err, size_t errlen)
{
	struct inflater *f = ctx;

	if (f->done || !len)
		return 0;
	f->zs.next_out = buf;
	f->zs.avail_out = (uInt)(len > (1u << 30) ? (1u << 30) : len);
	uInt want = f->zs.avail_out;
	while (f->zs.avail_out == want) {
		if (!f->zs.avail_in && !f->in_eof) {
			ssize_t n = dt_src_read(f->src, f->in, sizeof(f->in), err, errlen);
			if (n < 0)
				return n;
			if (n == 0)
				f->in_eof = 1;
			f->zs.next_in = f->in;
			f->zs.avail_in = (uInt)n;
		}
		int r = inflate(&f->zs, Z_NO_FLUSH);
		uint64_t zoff = f->src->offset - f->zs.avail_in;
		if (r == Z_STREAM_END) {
			f->done = 1;
			break;
		}
		if (r == Z_BUF_ERROR && f->in_eof && !f->zs.avail_in) {
			if (errlen)
				snprintf(err, errlen,
					 "%s: truncated zlib stream at compressed byte offset %llu "
					 "(decompressed offset %llu)", f->src->name,
					 (unsigned long long)zoff, (unsigned long long)f->zs.total_out);
			return -EIO;
		}
		if (r != Z_OK && r != Z_BUF_ERROR) {
			if (errlen)
				snprintf(err, errlen,
					 "%s: corrupt zlib data at compressed byte offset %llu: %s",
					 f->src->name, (unsigned long long)zoff,
					 f->zs.msg ? f->zs.msg : "bad data");
			return -EIO;
		}
	}
	return (ssize_t)(want - f->zs.avail_out);
}

static ssize_t plain_read(void *ctx, void *buf, size_t len, char *err, size_t errlen)
{
	return dt_src_read(ctx, buf, len, err, errlen);
}

/* ------------------------------------------------------------ values */

static int fail(struct damo_json *d, uint64_t offset, char *err, size_t errlen,
		const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int fail(struct damo_json *d, uint64_t offset, char *err, size_t errlen,
		const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	dt_vfail_at(err, errlen, -EINVAL, fmt, ap, "%s: JSON offset %llu%s", d->src->name,
		    (unsigned long long)offset, d->compressed ? " (decompressed)" : "");
	va_end(ap);
	return -EINVAL;
}

static int next_tok(struct damo_json *d, struct dt_json_token *t, char *err, size_t errlen)
{
	int ret = dt_json_next(d->j, t, err, errlen);
	return ret < 0 ? ret : 0;
}

static int parse_u64_text(const char *text, uint64_t *v)
{
	if (!dt_parse_u64(text, v))
		return 0;
	/* Plain numbers written as floats by some producers: 1.8e+19, 4096.0 */
	char *end;
	errno = 0;
	double x = strtod(text, &end);
	if (end == text || *end || errno || !(x >= 0) || x >= 18446744073709551616.0 ||
	    x != floor(x))
		return -EINVAL;
	*v = (uint64_t)x;
	return 0;
}

/* "539809434100", "8 m 59.809 s", "104.599 ms": a time in nanoseconds. */
static int parse_ns_text(const char *text, uint64_t *ns)
{
	char part[64];
	uint64_t total = 0;
	const char *p = text;

	if (!parse_u64_text(text, ns))
		return 0;
	while (*p) {
		while (isspace((unsigned char)*p))
			p++;
		if (!*p)
			break;
		size_t n = 0;
		/* a number, optional blanks, then a unit made of letters */
		while (*p && (isdigit((unsigned char)*p) || *p == '.' || *p == ',') &&
		       n < sizeof(part) - 1)
			part[n++] = *p++;
		while (isspace((unsigned char)*p))
			p++;
		while (*p && isalpha((unsigned char)*p) && n < sizeof(part) - 1)
			part[n++] = *p++;
		part[n] = '\0';
		uint64_t v;
		if (!n || dt_parse_duration_ns(part, 1, &v))
			return -EINVAL;
		total += v;
	}
	*ns = total;
	return 0;
}

/* A scalar value as u64: number, or string with separators; null gives
 * *present = 0. */
static int scalar_u64(struct damo_json *d, const struct dt_json_token *t, int as_time,
		      uint64_t *v, int *present, const char *what, char *err, size_t errlen)
{
	*present = 1;
	if (t->type == DT_JSON_NULL) {
		*present = 0;
		return 0;
	}
	if (t->type == DT_JSON_NUMBER || t->type == DT_JSON_STRING) {
		int ret = as_time ? parse_ns_text(t->text, v) : parse_u64_text(t->text, v);
		if (!ret)
			return 0;
		if (!as_time && t->type == DT_JSON_STRING && !dt_parse_size(t->text, v))
			return 0;
		char q[DT_QUOTE_BUFLEN];
		return fail(d, t->offset, err, errlen, "%s: bad value '%s'", what,
			    dt_quote_str(q, sizeof(q), t->text));
	}
	return fail(d, t->offset, err, errlen, "%s: expected a number", what);
}

static int expect_value_u64(struct damo_json *d, int as_time, uint64_t *v, int *present,
			    const char *what, char *err, size_t errlen)
{
	struct dt_json_token t;
	int ret = next_tok(d, &t, err, errlen);

	if (ret)
		return ret;
	if (t.type == DT_JSON_OBJECT_BEGIN || t.type == DT_JSON_ARRAY_BEGIN)
		return fail(d, t.offset, err, errlen, "%s: expected a number", what);
	return scalar_u64(d, &t, as_time, v, present, what, err, errlen);
}

static int skip_value(struct damo_json *d, char *err, size_t errlen)
{
	struct dt_json_token t;
	int ret = next_tok(d, &t, err, errlen);

	if (ret)
		return ret;
	return dt_json_skip(d->j, &t, err, errlen);
}

/* {"sample_us": ..., "aggr_us": ..., "ops_update_us": ...} or null */
static int parse_intervals(struct damo_json *d, char *err, size_t errlen)
{
	struct dt_json_token t;
	int ret = next_tok(d, &t, err, errlen);

	if (ret)
		return ret;
	d->has_intervals = 0;
	if (t.type == DT_JSON_NULL)
		return 0;
	if (t.type != DT_JSON_OBJECT_BEGIN)
		return fail(d, t.offset, err, errlen, "record %llu: intervals: expected an object",
			    (unsigned long long)d->record_idx);
	d->has_intervals = 1;
	d->sample_us = d->aggr_us = d->update_us = 0;
	for (;;) {
		if ((ret = next_tok(d, &t, err, errlen)))
			return ret;
		if (t.type == DT_JSON_OBJECT_END)
			return 0;
		uint64_t *dst = NULL;
		if (!strcmp(t.text, "sample_us") || !strcmp(t.text, "sample"))
			dst = &d->sample_us;
		else if (!strcmp(t.text, "aggr_us") || !strcmp(t.text, "aggr"))
			dst = &d->aggr_us;
		else if (!strcmp(t.text, "ops_update_us") || !strcmp(t.text, "ops_update") ||
			 !strcmp(t.text, "update_us"))
			dst = &d->update_us;
		if (!dst) {
			if ((ret = skip_value(d, err, errlen)))
				return ret;
			continue;
		}
		struct dt_json_token v;
		if ((ret = next_tok(d, &v, err, errlen)))
			return ret;
		if (v.type == DT_JSON_NULL)
			continue;
		if (v.type != DT_JSON_NUMBER && v.type != DT_JSON_STRING)
			return fail(d, v.offset, err, errlen, "record %llu: intervals: bad value",
				    (unsigned long long)d->record_idx);
		if (dt_parse_duration_us(v.text, dst)) {
			char q[DT_QUOTE_BUFLEN];
			return fail(d, v.offset, err, errlen,
				    "record %llu: intervals: bad duration '%s'",
				    (unsigned long long)d->record_idx,
				    dt_quote_str(q, sizeof(q), v.text));
		}
	}
}

/* nr_accesses / age: a number, or {"samples"|"aggr_intervals": n, ...}. */
static int parse_counter(struct damo_json *d, int is_age, uint64_t *v, int *present,
			 const char *what, char *err, size_t errlen)
{
	struct dt_json_token t;
	uint64_t other = 0;
	int other_present = 0;
	int ret = next_tok(d, &t, err, errlen);

	if (ret)
		return ret;
	*present = 0;
	if (t.type != DT_JSON_OBJECT_BEGIN) {
		if (t.type == DT_JSON_ARRAY_BEGIN)
			return fail(d, t.offset, err, errlen, "%s: expected a number", what);
		return scalar_u64(d, &t, 0, v, present, what, err, errlen);
	}
	for (;;) {
		if ((ret = next_tok(d, &t, err, errlen)))
			return ret;
		if (t.type == DT_JSON_OBJECT_END)
			break;
		const char *main_key = is_age ? "aggr_intervals" : "samples";
		const char *other_key = is_age ? "usec" : "percent";
		if (!strcmp(t.text, main_key)) {
			if ((ret = expect_value_u64(d, 0, v, present, what, err, errlen)))
				return ret;
		} else if (!strcmp(t.text, other_key)) {
			struct dt_json_token o;
			if ((ret = next_tok(d, &o, err, errlen)))
				return ret;
			if (o.type == DT_JSON_NUMBER || o.type == DT_JSON_STRING) {
				double x = strtod(o.text, NULL);
				if (x >= 0 && x < 1e18) {
					other = (uint64_t)x;
					other_present = 1;
				}
			} else if (o.type != DT_JSON_NULL) {
				return fail(d, o.offset, err, errlen, "%s: expected a number", what);
			}
		} else if ((ret = skip_value(d, err, errlen))) {
			return ret;
		}
	}
	if (!*present && other_present) {
		/* Derive the count from the other unit when the intervals say how. */
		if (is_age && d->has_intervals && d->aggr_us) {
			*v = other / d->aggr_us;
			*present = 1;
		} else if (!is_age && d->has_intervals && d->sample_us && d->aggr_us) {
			*v = other * (d->aggr_us / d->sample_us) / 100;
			*present = 1;
		}
	}
	return 0;
}

/* ------------------------------------------------------------ structure */

static struct ctx_info *ctx_of(struct damo_json *d, uint32_t kd, uint32_t c)
{
	for (size_t i = 0; i < d->nr_ctxs; i++)
		if (d->ctxs[i].kdamond == kd && d->ctxs[i].context == c)
			return &d->ctxs[i];
	if (DT_GROW(d->ctxs, d->cap_ctxs, d->nr_ctxs + 1))
		return NULL;
	struct ctx_info *n = &d->ctxs[d->nr_ctxs++];
	memset(n, 0, sizeof(*n));
	n->kdamond = kd;
	n->context = c;
	return n;
}

static void push_item(struct damo_json *d, const struct dtr_item *item)
{
	d->queue[(d->queue_head + d->queue_len) % 4] = *item;
	d->queue_len++;
}

/* Queue an INTERVALS item when the record's intervals are new to its context. */
static void announce_intervals(struct damo_json *d, struct ctx_info *ci)
{
	struct dtr_item item;

	if (!d->has_intervals ||
	    (ci->has_intervals && ci->intervals.sample_us == d->sample_us &&
	     ci->intervals.aggr_us == d->aggr_us && ci->intervals.update_us == d->update_us))
		return;
	ci->has_intervals = 1;
	memset(&ci->intervals, 0, sizeof(ci->intervals));
	ci->intervals.kdamond = ci->kdamond;
	ci->intervals.context = ci->context;
	ci->intervals.sample_us = d->sample_us;
	ci->intervals.aggr_us = d->aggr_us;
	ci->intervals.update_us = d->update_us;
	memset(&item, 0, sizeof(item));
	item.type = DTR_ITEM_INTERVALS;
	item.u.intervals = ci->intervals;
	push_item(d, &item);
}

/* At the `snapshots` key: announce the record's context, target and intervals. */
static int begin_snapshots(struct damo_json *d, char *err, size_t errlen)
{
	uint32_t kd = d->kdamond < 0 ? 0 : (uint32_t)d->kdamond;
	uint32_t c = d->context < 0 ? 0 : (uint32_t)d->context;
	struct ctx_info *ci = ctx_of(d, kd, c);
	struct dtr_item item;
	size_t t;

	(void)err;
	(void)errlen;
	if (!ci)
		return -ENOMEM;
	if (!d->has_target) {
		d->target_id = d->record_idx;
		d->has_target = 1;
	}
	for (t = 0; t < ci->nr_targets; t++)
		if (ci->targets[t].id == d->target_id)
			break;
	if (t == ci->nr_targets) {
		if (DT_GROW(ci->targets, ci->cap_targets, ci->nr_targets + 1))
			return -ENOMEM;
		ci->targets[t].index = (uint32_t)t;
		ci->targets[t].id = d->target_id;
		ci->targets[t].pid = -1;
		ci->targets[t].cmdline = "";
		ci->nr_targets++;
		memset(&item, 0, sizeof(item));
		item.type = DTR_ITEM_CONTEXT;
		item.u.context.kdamond = kd;
		item.u.context.context = c;
		item.u.context.ops = DTR_OPS_UNKNOWN;
		item.u.context.nr_targets = ci->nr_targets;
		item.u.context.targets = ci->targets;
		push_item(d, &item);
	}
	announce_intervals(d, ci);
	if (d->kdamond < 0 && d->context < 0 && !d->null_indexes_told) {
		/* damo writes null indexes for records not read from a kdamond;
		 * say so, so that exporting back to damo keeps them null. */
		d->null_indexes_told = 1;
		d->meta_kv[2].key = "damo_null_indexes";
		d->meta_kv[2].value = "1";
		memset(&item, 0, sizeof(item));
		item.type = DTR_ITEM_META;
		item.u.meta.nr = 1;
		item.u.meta.kvs = &d->meta_kv[2];
		push_item(d, &item);
	}
	d->cur_ctx = ci;
	d->cur_target = (uint32_t)t;
	d->snapshot_idx = 0;
	return 0;
}

static int grow_regions(struct damo_json *d, size_t n)
{
	return DT_GROW(d->regions, d->cap_regions, n) ? -ENOMEM : 0;
}

static int parse_snapshot(struct damo_json *d, struct dtr_item *item, char *err, size_t errlen)
{
	struct dt_json_token t;
	uint64_t start = 0, end = 0;
	int has_start = 0, has_end = 0, all_acc = 1, all_age = 1, ret;
	size_t nr = 0;
	char what[128];
	uint64_t snap_offset = dt_json_offset(d->j);

	for (;;) {
		if ((ret = next_tok(d, &t, err, errlen)))
			return ret;
		if (t.type == DT_JSON_OBJECT_END)
			break;
		snprintf(what, sizeof(what), "[%llu].snapshots[%llu].%s",
			 (unsigned long long)d->record_idx, (unsigned long long)d->snapshot_idx,
			 t.text);
		if (!strcmp(t.text, "start_time")) {
			if ((ret = expect_value_u64(d, 1, &start, &has_start, what, err, errlen)))
				return ret;
		} else if (!strcmp(t.text, "end_time")) {
			if ((ret = expect_value_u64(d, 1, &end, &has_end, what, err, errlen)))
				return ret;
		} else if (!strcmp(t.text, "regions")) {
			if ((ret = next_tok(d, &t, err, errlen)))
				return ret;
			if (t.type == DT_JSON_NULL)
				continue;
			if (t.type != DT_JSON_ARRAY_BEGIN)
				return fail(d, t.offset, err, errlen, "%s: expected an array", what);
			for (;;) {
				if ((ret = next_tok(d, &t, err, errlen)))
					return ret;
				if (t.type == DT_JSON_ARRAY_END)
					break;
				snprintf(what, sizeof(what), "[%llu].snapshots[%llu].regions[%zu]",
					 (unsigned long long)d->record_idx,
					 (unsigned long long)d->snapshot_idx, nr);
				if (t.type != DT_JSON_OBJECT_BEGIN)
					return fail(d, t.offset, err, errlen, "%s: expected an object",
						    what);
				if ((ret = grow_regions(d, nr + 1)))
					return ret;
				struct dtr_region *r = &d->regions[nr];
				uint64_t rs = 0, re = 0, acc = 0, age = 0;
				int has_rs = 0, has_re = 0, has_acc = 0, has_age = 0;
				uint64_t region_offset = t.offset;
				for (;;) {
					if ((ret = next_tok(d, &t, err, errlen)))
						return ret;
					if (t.type == DT_JSON_OBJECT_END)
						break;
					char w[160];
					snprintf(w, sizeof(w), "%s.%s", what, t.text);
					if (!strcmp(t.text, "start"))
						ret = expect_value_u64(d, 0, &rs, &has_rs, w, err, errlen);
					else if (!strcmp(t.text, "end"))
						ret = expect_value_u64(d, 0, &re, &has_re, w, err, errlen);
					else if (!strcmp(t.text, "nr_accesses"))
						ret = parse_counter(d, 0, &acc, &has_acc, w, err, errlen);
					else if (!strcmp(t.text, "age"))
						ret = parse_counter(d, 1, &age, &has_age, w, err, errlen);
					else
						ret = skip_value(d, err, errlen);
					if (ret)
						return ret;
				}
				if (!has_rs || !has_re)
					return fail(d, region_offset, err, errlen,
						    "%s: region without start or end", what);
				if (re < rs)
					return fail(d, region_offset, err, errlen,
						    "%s: region end below its start", what);
				if (nr && rs < d->regions[nr - 1].end)
					return fail(d, region_offset, err, errlen,
						    "%s: regions overlap or are not sorted by address",
						    what);
				if (acc > UINT32_MAX || age > UINT32_MAX)
					return fail(d, region_offset, err, errlen,
						    "%s: nr_accesses or age out of range", what);
				r->start = rs;
				r->end = re;
				r->nr_accesses = has_acc ? (uint32_t)acc : 0;
				r->age = has_age ? (uint32_t)age : 0;
				all_acc &= has_acc;
				all_age &= has_age;
				nr++;
			}
		} else if ((ret = skip_value(d, err, errlen))) {
			return ret;
		}
	}
	snprintf(what, sizeof(what), "[%llu].snapshots[%llu]", (unsigned long long)d->record_idx,
		 (unsigned long long)d->snapshot_idx);
	if (!has_end)
		return fail(d, snap_offset, err, errlen, "%s: no end_time", what);
	if (!has_start)
		start = end;
	if (end < start)
		return fail(d, snap_offset, err, errlen, "%s: end_time before start_time", what);
	memset(item, 0, sizeof(*item));
	item->type = DTR_ITEM_SNAPSHOT;
	struct dtr_snapshot *s = &item->u.snapshot;
	s->start_ns = start;
	s->end_ns = end;
	s->kdamond = d->cur_ctx->kdamond;
	s->context = d->cur_ctx->context;
	s->target = d->cur_target;
	s->flags = has_start ? 0 : DTR_SNAPSHOT_START_ESTIMATED;
	s->access_unit = nr && !all_acc ? DTR_UNIT_ABSENT : DTR_UNIT_SAMPLES;
	s->age_unit = nr && all_age ? DTR_UNIT_AGGREGATIONS : DTR_UNIT_ABSENT;
	s->nr_regions = nr;
	s->regions = d->regions;
	d->snapshot_idx++;
	return 0;
}

/* Advance until an item is queued or the input ends; 1 when an item was
 * produced into *item directly (snapshots), 0 to look at the queue. */
static int step(struct damo_json *d, struct dtr_item *item, char *err, size_t errlen)
{
	struct dt_json_token t;
	int ret;

	switch (d->st) {
	case ST_START:
		if ((ret = next_tok(d, &t, err, errlen)))
			return ret;
		if (t.type != DT_JSON_ARRAY_BEGIN)
			return fail(d, t.offset, err, errlen,
				    "expected a list of damo records ('[')");
		d->st = ST_RECORDS;
		d->record_idx = 0;
		return 0;
	case ST_RECORDS:
		if ((ret = next_tok(d, &t, err, errlen)))
			return ret;
		if (t.type == DT_JSON_ARRAY_END) {
			if ((ret = next_tok(d, &t, err, errlen)))
				return ret;
			d->st = ST_DONE;
			return 0;
		}
		if (t.type != DT_JSON_OBJECT_BEGIN)
			return fail(d, t.offset, err, errlen, "[%llu]: expected a record object",
				    (unsigned long long)d->record_idx);
		d->kdamond = d->context = -1;
		d->has_target = 0;
		d->has_intervals = 0;
		d->cur_ctx = NULL;
		d->st = ST_RECORD;
		return 0;
	case ST_RECORD: {
		if ((ret = next_tok(d, &t, err, errlen)))
			return ret;
		if (t.type == DT_JSON_OBJECT_END) {
			d->record_idx++;
			d->st = ST_RECORDS;
			return 0;
		}
		char what[96];
		snprintf(what, sizeof(what), "[%llu].%s", (unsigned long long)d->record_idx, t.text);
		uint64_t v;
		int present;
		if (!strcmp(t.text, "kdamond_idx") || !strcmp(t.text, "context_idx")) {
			int is_kd = t.text[0] == 'k';
			if ((ret = expect_value_u64(d, 0, &v, &present, what, err, errlen)))
				return ret;
			if (present && v > UINT32_MAX)
				return fail(d, dt_json_offset(d->j), err, errlen, "%s: out of range",
					    what);
			*(is_kd ? &d->kdamond : &d->context) = present ? (int64_t)v : -1;
			return 0;
		}
		if (!strcmp(t.text, "target_id")) {
			if ((ret = expect_value_u64(d, 0, &v, &present, what, err, errlen)))
				return ret;
			d->has_target = present;
			d->target_id = present ? v : 0;
			return 0;
		}
		if (!strcmp(t.text, "intervals")) {
			if ((ret = parse_intervals(d, err, errlen)))
				return ret;
			/* Intervals after the snapshots still describe the context. */
			if (d->cur_ctx)
				announce_intervals(d, d->cur_ctx);
			return 0;
		}
		if (!strcmp(t.text, "data_source")) {
			if ((ret = next_tok(d, &t, err, errlen)))
				return ret;
			if (t.type == DT_JSON_STRING) {
				char *s = strdup(t.text);
				if (!s)
					return -ENOMEM;
				free(d->data_source);
				d->data_source = s;
				memset(item, 0, sizeof(*item));
				item->type = DTR_ITEM_META;
				d->meta_kv[1].key = "damo_data_source";
				d->meta_kv[1].value = d->data_source;
				item->u.meta.nr = 1;
				item->u.meta.kvs = &d->meta_kv[1];
				return 1;
			}
			return dt_json_skip(d->j, &t, err, errlen);
		}
		if (!strcmp(t.text, "snapshots")) {
			if ((ret = next_tok(d, &t, err, errlen)))
				return ret;
			if (t.type == DT_JSON_NULL)
				return 0;
			if (t.type != DT_JSON_ARRAY_BEGIN)
				return fail(d, t.offset, err, errlen, "%s: expected an array", what);
			if ((ret = begin_snapshots(d, err, errlen)))
				return ret;
			d->st = ST_SNAPSHOTS;
			return 0;
		}
		return skip_value(d, err, errlen);
	}
	case ST_SNAPSHOTS:
		if ((ret = next_tok(d, &t, err, errlen)))
			return ret;
		if (t.type == DT_JSON_ARRAY_END) {
			d->st = ST_RECORD;
			return 0;
		}
		if (t.type != DT_JSON_OBJECT_BEGIN)
			return fail(d, t.offset, err, errlen,
				    "[%llu].snapshots[%llu]: expected a snapshot object",
				    (unsigned long long)d->record_idx,
				    (unsigned long long)d->snapshot_idx);
		ret = parse_snapshot(d, item, err, errlen);
		return ret ? ret : 1;
	case ST_DONE:
		return 0;
	}
	return 0;
}

static int damo_json_next(void *state, struct dtr_item *item, char *err, size_t errlen)
{
	struct damo_json *d = state;

	if (!d->started) {
		d->started = 1;
		memset(item, 0, sizeof(*item));
		item->type = DTR_ITEM_META;
		d->meta_kv[0].key = DTR_META_SOURCE;
		d->meta_kv[0].value = d->compressed ? "damo-json-compressed" : "damo-json";
		item->u.meta.nr = 1;
		item->u.meta.kvs = &d->meta_kv[0];
		return 1;
	}
	for (;;) {
		if (d->queue_len) {
			*item = d->queue[d->queue_head];
			d->queue_head = (d->queue_head + 1) % 4;
			d->queue_len--;
			return 1;
		}
		if (d->st == ST_DONE)
			return 0;
		int ret = step(d, item, err, errlen);
		if (ret < 0)
			return ret;
		if (ret == 1) {
			if (!d->queue_len)
				return 1;
			/* Context/intervals queued before this item go first. */
			push_item(d, item);
		}
	}
}

static void damo_json_close(void *state)
{
	struct damo_json *d = state;

	if (!d)
		return;
	if (d->inf.inited)
		inflateEnd(&d->inf.zs);
	dt_json_free(d->j);
	for (size_t i = 0; i < d->nr_ctxs; i++)
		free(d->ctxs[i].targets);
	free(d->ctxs);
	free(d->regions);
	free(d->data_source);
	free(d->json_name);
	free(d);
}

int dt_in_damo_json_open(struct dt_importer *imp, struct dt_src *src, int compressed,
			 char *err, size_t errlen)
{
	struct damo_json *d = calloc(1, sizeof(*d));
	int ret;

	if (!d)
		return -ENOMEM;
	d->src = src;
	d->compressed = compressed;
	if (compressed) {
		d->inf.src = src;
		if (inflateInit(&d->inf.zs) != Z_OK) {
			free(d);
			if (errlen)
				snprintf(err, errlen, "%s: cannot initialise zlib", src->name);
			return -ENOMEM;
		}
		d->inf.inited = 1;
		size_t n = strlen(src->name) + sizeof(" (decompressed)");
		d->json_name = malloc(n);
		if (!d->json_name) {
			damo_json_close(d);
			return -ENOMEM;
		}
		snprintf(d->json_name, n, "%s (decompressed)", src->name);
		ret = dt_json_new(&d->j, inflate_read, &d->inf, d->json_name);
	} else {
		ret = dt_json_new(&d->j, plain_read, src, src->name);
	}
	if (ret) {
		damo_json_close(d);
		return ret;
	}
	/* A snapshot without regions still points at valid memory. */
	if (grow_regions(d, 1)) {
		damo_json_close(d);
		return -ENOMEM;
	}
	imp->next = damo_json_next;
	imp->close = damo_json_close;
	imp->state = d;
	return 0;
}
