// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tables for analysis tools (DuckDB, Spark, pandas), written as the items
 * stream by:
 *
 *   regions:   time_ns,kdamond,context,target,start,end,nr_accesses,age
 *   wss:       time_ns,kdamond,context,target,wss_bytes
 *   footprint: time_ns,kdamond,context,target,pid,size,resident,shared,text,
 *              data,swap,utime_ns,stime_ns,minflt,majflt,threads,mem_total,
 *              mem_free,mem_available,mem_buffers,mem_cached
 *   targets:   kdamond,context,target,target_id,pid,ops,cmdline
 *
 * time_ns is the end of the snapshot's aggregation interval (footprint: the
 * time it was read); target is the target's index in its context.  A
 * footprint's values the record did not read (docs/FORMAT.md, item 11: a
 * clear `has` bit; pid -1) are empty or null as well.  A value the input does not have (age
 * before Linux 5.16, for example) is empty in CSV and null in NDJSON.  The
 * WSS is damo's with --acc_thres 1 --sz_thres 1 and no merging: the summed
 * size of the snapshot's regions with nr_accesses >= 1.  The targets table
 * has one row per target, from the first CONTEXT item that names it;
 * cmdline and ops are text (a quoted field in CSV, a string in NDJSON,
 * invalid UTF-8 replaced: json_writer.h).
 */
#include "export_internal.h"
#include "grow.h"
#include "json_writer.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct table_out {
	int ndjson;
	enum dt_export_what what;
	struct dt_out out;
	char *name;
	int header_done;
	struct seen_target {
		uint32_t kdamond, context, target;
	} *seen;              /* targets table: the targets written */
	size_t nr_seen, cap_seen;
};

/* One row is formatted here and written at once: number formatting by
 * hand, since printf per field was most of the export's time. */
struct row {
	char buf[1024];
	size_t n;
};

static void row_text(struct row *r, const char *s, size_t len)
{
	memcpy(r->buf + r->n, s, len);
	r->n += len;
}

static void row_u64(struct row *r, unsigned long long v)
{
	char tmp[24];
	size_t i = sizeof(tmp);
	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	row_text(r, tmp + i, sizeof(tmp) - i);
}

static void put_value(struct table_out *t, struct row *r, const char *key, int present,
		      unsigned long long v, int last)
{
	if (t->ndjson) {
		r->buf[r->n++] = '"';
		row_text(r, key, strlen(key));
		row_text(r, "\":", 2);
		if (present)
			row_u64(r, v);
		else
			row_text(r, "null", 4);
		if (last)
			row_text(r, "}\n", 2);
		else
			r->buf[r->n++] = ',';
	} else {
		if (present)
			row_u64(r, v);
		r->buf[r->n++] = last ? '\n' : ',';
	}
	if (last)
		dt_out_write(&t->out, r->buf, r->n);
}

/* The first columns of every table; the row is opened here. */
static void put_head(struct table_out *t, struct row *row, uint64_t time_ns, uint32_t kdamond,
		     uint32_t context, uint32_t target)
{
	row->n = 0;
	if (t->ndjson)
		row->buf[row->n++] = '{';
	put_value(t, row, "time_ns", 1, time_ns, 0);
	put_value(t, row, "kdamond", 1, kdamond, 0);
	put_value(t, row, "context", 1, context, 0);
	put_value(t, row, "target", 1, target, 0);
}

static void put_wss(struct table_out *t, const struct dtr_snapshot *s)
{
	unsigned long long wss = 0;
	struct row row;

	for (uint64_t i = 0; i < s->nr_regions; i++)
		if (s->regions[i].nr_accesses >= 1 && s->regions[i].end > s->regions[i].start)
			wss += s->regions[i].end - s->regions[i].start;
	put_head(t, &row, s->end_ns, s->kdamond, s->context, s->target);
	put_value(t, &row, "wss_bytes", s->access_unit != DTR_UNIT_ABSENT, wss, 1);
}

static void put_footprint(struct table_out *t, const struct dtr_footprint *f)
{
	const struct {
		const char *key;
		uint32_t bit;
		uint64_t v;
	} cols[] = {
		{ "size", DTR_FOOTPRINT_STATM, f->size },
		{ "resident", DTR_FOOTPRINT_STATM, f->resident },
		{ "shared", DTR_FOOTPRINT_STATM, f->shared },
		{ "text", DTR_FOOTPRINT_STATM, f->text },
		{ "data", DTR_FOOTPRINT_STATM, f->data },
		{ "swap", DTR_FOOTPRINT_SWAP, f->swap },
		{ "utime_ns", DTR_FOOTPRINT_STAT, f->utime_ns },
		{ "stime_ns", DTR_FOOTPRINT_STAT, f->stime_ns },
		{ "minflt", DTR_FOOTPRINT_STAT, f->minflt },
		{ "majflt", DTR_FOOTPRINT_STAT, f->majflt },
		{ "threads", DTR_FOOTPRINT_STAT, f->threads },
		{ "mem_total", DTR_FOOTPRINT_MEMINFO, f->mem_total },
		{ "mem_free", DTR_FOOTPRINT_MEMINFO, f->mem_free },
		{ "mem_available", DTR_FOOTPRINT_MEMINFO, f->mem_available },
		{ "mem_buffers", DTR_FOOTPRINT_MEMINFO, f->mem_buffers },
		{ "mem_cached", DTR_FOOTPRINT_MEMINFO, f->mem_cached },
	};
	size_t n = sizeof(cols) / sizeof(cols[0]);
	struct row row;

	put_head(t, &row, f->time_ns, f->kdamond, f->context, f->target);
	put_value(t, &row, "pid", f->pid >= 0, (unsigned long long)f->pid, 0);
	for (size_t i = 0; i < n; i++)
		put_value(t, &row, cols[i].key, !!(f->has & cols[i].bit), cols[i].v, i + 1 == n);
}

static void put_escaped(void *ctx, const char *p, size_t n)
{
	dt_out_write(ctx, p, n);
}

/* A text value: a quoted CSV field or a JSON string, and its separator. */
static void put_text(struct table_out *t, const char *key, const char *v, int last)
{
	if (t->ndjson) {
		dt_out_printf(&t->out, "\"%s\":\"", key);
		dt_json_escape(v, DT_JSON_REPLACE, put_escaped, &t->out);
		dt_out_write(&t->out, last ? "\"}\n" : "\",", last ? 3 : 2);
	} else {
		dt_out_write(&t->out, "\"", 1);
		dt_csv_escape(v, put_escaped, &t->out);
		dt_out_write(&t->out, last ? "\"\n" : "\",", 2);
	}
}

/* 1 when the target is new to the table (and now noted), 0 when written
 * before, -ENOMEM. */
static int note_target(struct table_out *t, uint32_t kdamond, uint32_t context, uint32_t target)
{
	for (size_t i = 0; i < t->nr_seen; i++)
		if (t->seen[i].kdamond == kdamond && t->seen[i].context == context &&
		    t->seen[i].target == target)
			return 0;
	if (DT_GROW(t->seen, t->cap_seen, t->nr_seen + 1))
		return -ENOMEM;
	t->seen[t->nr_seen++] = (struct seen_target){ kdamond, context, target };
	return 1;
}

static int put_targets(struct table_out *t, const struct dtr_context *c)
{
	for (size_t i = 0; i < c->nr_targets; i++) {
		const struct dtr_target *tg = &c->targets[i];
		struct row row = { .n = 0 };
		int ret = note_target(t, c->kdamond, c->context, tg->index);

		if (ret <= 0)
			return ret;
		if (t->ndjson)
			row.buf[row.n++] = '{';
		put_value(t, &row, "kdamond", 1, c->kdamond, 0);
		put_value(t, &row, "context", 1, c->context, 0);
		put_value(t, &row, "target", 1, tg->index, 0);
		put_value(t, &row, "target_id", 1, tg->id, 0);
		put_value(t, &row, "pid", tg->pid >= 0, (unsigned long long)tg->pid, 0);
		dt_out_write(&t->out, row.buf, row.n);
		put_text(t, "ops", dtr_ops_name(c->ops), 0);
		put_text(t, "cmdline", tg->cmdline ? tg->cmdline : "", 1);
	}
	return 0;
}

static int table_put(void *state, const struct dtr_item *item, char *err, size_t errlen)
{
	struct table_out *t = state;

	if (t->what == DT_EXPORT_FOOTPRINT) {
		if (item->type == DTR_ITEM_FOOTPRINT)
			put_footprint(t, &item->u.footprint);
		return 0;
	}
	if (t->what == DT_EXPORT_TARGETS) {
		int ret = item->type == DTR_ITEM_CONTEXT ? put_targets(t, &item->u.context) : 0;
		if (ret && errlen)
			snprintf(err, errlen, "%s: out of memory", t->out.name);
		return ret;
	}
	if (item->type != DTR_ITEM_SNAPSHOT)
		return 0;
	const struct dtr_snapshot *s = &item->u.snapshot;
	int has_acc = s->access_unit != DTR_UNIT_ABSENT, has_age = s->age_unit != DTR_UNIT_ABSENT;
	if (t->what == DT_EXPORT_WSS) {
		put_wss(t, s);
		return 0;
	}
	for (uint64_t i = 0; i < s->nr_regions; i++) {
		const struct dtr_region *r = &s->regions[i];
		struct row row;
		put_head(t, &row, s->end_ns, s->kdamond, s->context, s->target);
		put_value(t, &row, "start", 1, r->start, 0);
		put_value(t, &row, "end", 1, r->end, 0);
		put_value(t, &row, "nr_accesses", has_acc, r->nr_accesses, 0);
		put_value(t, &row, "age", has_age, r->age, 1);
	}
	/* Keep pipes flowing: a reader may act on every snapshot. */
	if (t->out.error && errlen)
		snprintf(err, errlen, "%s: write error: %s", t->out.name, strerror(-t->out.error));
	return t->out.error;
}

static void table_free(struct table_out *t)
{
	dt_out_free(&t->out);
	free(t->seen);
	free(t->name);
	free(t);
}

static int table_close(void *state, char *err, size_t errlen)
{
	struct table_out *t = state;
	int ret = dt_out_finish(&t->out, err, errlen);

	table_free(t);
	return ret;
}

static void table_abort(void *state)
{
	struct table_out *t = state;

	dt_out_finish(&t->out, NULL, 0);
	table_free(t);
}

/* The CSV header line of a table, without its newline. */
static const char *table_header(enum dt_export_what what)
{
	switch (what) {
	case DT_EXPORT_WSS:
		return "time_ns,kdamond,context,target,wss_bytes";
	case DT_EXPORT_FOOTPRINT:
		return "time_ns,kdamond,context,target,pid,size,resident,shared,text,data,swap,"
		       "utime_ns,stime_ns,minflt,majflt,threads,mem_total,mem_free,mem_available,"
		       "mem_buffers,mem_cached";
	case DT_EXPORT_TARGETS:
		return "kdamond,context,target,target_id,pid,ops,cmdline";
	case DT_EXPORT_REGIONS:
		break;
	}
	return "time_ns,kdamond,context,target,start,end,nr_accesses,age";
}

static const struct dt_exporter_ops table_ops = { table_put, table_close, table_abort };

int dt_out_table_open(void **state, const struct dt_exporter_ops **ops,
		      enum dt_export_format format, enum dt_export_what what, int fd,
		      const char *name, char *err, size_t errlen)
{
	struct table_out *t = calloc(1, sizeof(*t));

	if (!t)
		return -ENOMEM;
	t->name = strdup(name);
	if (!t->name) {
		free(t);
		return -ENOMEM;
	}
	dt_out_init(&t->out, fd, t->name, 0);
	t->ndjson = format == DT_EXPORT_NDJSON;
	t->what = what;
	if (!t->ndjson)
		dt_out_printf(&t->out, "%s\n", table_header(what));
	(void)err;
	(void)errlen;
	*state = t;
	*ops = &table_ops;
	return 0;
}
