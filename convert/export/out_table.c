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
 *
 * time_ns is the end of the snapshot's aggregation interval (footprint: the
 * time it was read); target is the target's index in its context.  A
 * footprint's values the record did not read (docs/FORMAT.md, item 11: a
 * clear `has` bit; pid -1) are empty or null as well.  A value the input does not have (age
 * before Linux 5.16, for example) is empty in CSV and null in NDJSON.  The
 * WSS is damo's with --acc_thres 1 --sz_thres 1 and no merging: the summed
 * size of the snapshot's regions with nr_accesses >= 1.
 */
#include "export_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct table_out {
	int ndjson;
	enum dt_export_what what;
	struct dt_out out;
	char *name;
	int header_done;
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

static int table_put(void *state, const struct dtr_item *item, char *err, size_t errlen)
{
	struct table_out *t = state;

	if (t->what == DT_EXPORT_FOOTPRINT) {
		if (item->type == DTR_ITEM_FOOTPRINT)
			put_footprint(t, &item->u.footprint);
		return 0;
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
		dt_out_printf(&t->out, "%s\n",
			      what == DT_EXPORT_WSS ? "time_ns,kdamond,context,target,wss_bytes"
			      : what == DT_EXPORT_FOOTPRINT
				      ? "time_ns,kdamond,context,target,pid,size,resident,shared,text,"
					"data,swap,utime_ns,stime_ns,minflt,majflt,threads,mem_total,"
					"mem_free,mem_available,mem_buffers,mem_cached"
				      : "time_ns,kdamond,context,target,start,end,nr_accesses,age");
	(void)err;
	(void)errlen;
	*state = t;
	*ops = &table_ops;
	return 0;
}
