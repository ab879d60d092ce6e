// SPDX-License-Identifier: GPL-2.0-only
/*
 * Exporter dispatch, the buffered (optionally zlib) output, and the
 * per-target snapshot spool the damo formats are written from.
 */
#include "export.h"
#include "export_internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct dt_export {
	const struct dt_exporter_ops *ops;
	void *state;
};

static const struct {
	enum dt_export_format format;
	const char *name;
	const char *description;
} formats[] = {
	{ DT_EXPORT_DTR, "dtr", "damotrace record (.dtr)" },
	{ DT_EXPORT_DAMO_JSON, "json", "damo json record, as damo v3.3.0 reads and writes it" },
	{ DT_EXPORT_DAMO_JSON_COMPRESSED, "json_compressed",
	  "damo json_compressed record (zlib), damo's default damon.data" },
	{ DT_EXPORT_PERF_SCRIPT, "perf_script",
	  "perf script text of damon:damon_aggregated, as damo writes it" },
	{ DT_EXPORT_DAMO_RAW, "damo-raw", "the text of damo report access --raw_form" },
	{ DT_EXPORT_CSV, "csv", "CSV table: one row per region (or per snapshot with --what wss)" },
	{ DT_EXPORT_NDJSON, "ndjson",
	  "newline-delimited JSON: one object per region (or per snapshot with --what wss)" },
};

const char *dt_export_format_name(enum dt_export_format format)
{
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (formats[i].format == format)
			return formats[i].name;
	return "unknown";
}

const char *dt_export_format_description(enum dt_export_format format)
{
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (formats[i].format == format)
			return formats[i].description;
	return "";
}

int dt_export_format_parse(const char *name, enum dt_export_format *format)
{
	static const struct { const char *alias; enum dt_export_format format; } aliases[] = {
		{ "damo_raw", DT_EXPORT_DAMO_RAW }, { "raw", DT_EXPORT_DAMO_RAW },
		{ "jsonl", DT_EXPORT_NDJSON }, { "perf-script", DT_EXPORT_PERF_SCRIPT },
		{ "json-compressed", DT_EXPORT_DAMO_JSON_COMPRESSED },
		{ "damo-json", DT_EXPORT_DAMO_JSON },
	};

	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (!strcmp(name, formats[i].name)) {
			*format = formats[i].format;
			return 0;
		}
	for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (!strcmp(name, aliases[i].alias)) {
			*format = aliases[i].format;
			return 0;
		}
	return -EINVAL;
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && !strcmp(s + n - m, suffix);
}

int dt_export_format_from_path(const char *path, enum dt_export_format *format)
{
	static const struct { const char *ext; enum dt_export_format format; } exts[] = {
		{ ".dtr", DT_EXPORT_DTR },
		{ ".json.z", DT_EXPORT_DAMO_JSON_COMPRESSED },
		{ ".zlib", DT_EXPORT_DAMO_JSON_COMPRESSED },
		{ ".data", DT_EXPORT_DAMO_JSON_COMPRESSED },
		{ ".json", DT_EXPORT_DAMO_JSON },
		{ ".perf-script", DT_EXPORT_PERF_SCRIPT },
		{ ".script", DT_EXPORT_PERF_SCRIPT },
		{ ".raw", DT_EXPORT_DAMO_RAW },
		{ ".txt", DT_EXPORT_DAMO_RAW },
		{ ".csv", DT_EXPORT_CSV },
		{ ".ndjson", DT_EXPORT_NDJSON },
		{ ".jsonl", DT_EXPORT_NDJSON },
	};

	for (size_t i = 0; i < sizeof(exts) / sizeof(exts[0]); i++)
		if (ends_with(path, exts[i].ext)) {
			*format = exts[i].format;
			return 0;
		}
	return -EINVAL;
}

int dt_export_format_is_text(enum dt_export_format format)
{
	return format == DT_EXPORT_DAMO_JSON || format == DT_EXPORT_PERF_SCRIPT ||
	       format == DT_EXPORT_DAMO_RAW || format == DT_EXPORT_CSV ||
	       format == DT_EXPORT_NDJSON;
}

int dt_export_open(struct dt_export **out, enum dt_export_format format,
		   const struct dt_export_opts *opts, int fd, const char *name, char *err,
		   size_t errlen)
{
	struct dt_export_opts defaults = { 0 };
	struct dt_export *ex = calloc(1, sizeof(*ex));
	int ret;

	if (!ex)
		return -ENOMEM;
	if (!opts)
		opts = &defaults;
	switch (format) {
	case DT_EXPORT_DTR:
		ret = dt_out_dtr_open(&ex->state, &ex->ops, opts->zstd_level, fd, name, err, errlen);
		break;
	case DT_EXPORT_DAMO_JSON:
	case DT_EXPORT_DAMO_JSON_COMPRESSED:
	case DT_EXPORT_PERF_SCRIPT:
	case DT_EXPORT_DAMO_RAW:
		ret = dt_out_damo_open(&ex->state, &ex->ops, format, fd, name, err, errlen);
		break;
	case DT_EXPORT_CSV:
	case DT_EXPORT_NDJSON:
		ret = dt_out_table_open(&ex->state, &ex->ops, format, opts->what, fd, name, err,
					errlen);
		break;
	default:
		if (errlen)
			snprintf(err, errlen, "%s: unknown output format", name);
		ret = -EINVAL;
		break;
	}
	if (ret) {
		free(ex);
		return ret;
	}
	*out = ex;
	return 0;
}

int dt_export_put(struct dt_export *ex, const struct dtr_item *item, char *err, size_t errlen)
{
	return ex->ops->put(ex->state, item, err, errlen);
}

int dt_export_close(struct dt_export *ex, char *err, size_t errlen)
{
	int ret = ex->ops->close(ex->state, err, errlen);
	free(ex);
	return ret;
}

void dt_export_abort(struct dt_export *ex)
{
	if (!ex)
		return;
	ex->ops->abort(ex->state);
	free(ex);
}

/* ------------------------------------------------------------ output */

static void raw_write(struct dt_out *o, const void *data, size_t len)
{
	const char *p = data;

	while (len && !o->error) {
		ssize_t n = write(o->fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			o->error = -errno;
			return;
		}
		p += n;
		len -= (size_t)n;
	}
}

static void flush_buf(struct dt_out *o, int finish)
{
	if (!o->zlib) {
		raw_write(o, o->buf, o->len);
		o->len = 0;
		return;
	}
	o->zs.next_in = o->buf;
	o->zs.avail_in = (uInt)o->len;
	for (;;) {
		o->zs.next_out = o->zbuf;
		o->zs.avail_out = sizeof(o->zbuf);
		int r = deflate(&o->zs, finish ? Z_FINISH : Z_NO_FLUSH);
		raw_write(o, o->zbuf, sizeof(o->zbuf) - o->zs.avail_out);
		if (r == Z_STREAM_ERROR) {
			o->error = -EIO;
			break;
		}
		if (finish ? r == Z_STREAM_END : (o->zs.avail_in == 0 && o->zs.avail_out != 0))
			break;
	}
	o->len = 0;
}

int dt_out_init(struct dt_out *o, int fd, const char *name, int zlib)
{
	memset(o, 0, sizeof(*o));
	o->fd = fd;
	o->name = name;
	o->zlib = zlib;
	if (zlib && deflateInit(&o->zs, Z_DEFAULT_COMPRESSION) != Z_OK)
		return -ENOMEM;
	return 0;
}

void dt_out_write(struct dt_out *o, const void *data, size_t len)
{
	const char *p = data;

	while (len) {
		size_t room = sizeof(o->buf) - o->len;
		size_t n = len < room ? len : room;
		memcpy(o->buf + o->len, p, n);
		o->len += n;
		p += n;
		len -= n;
		if (o->len == sizeof(o->buf))
			flush_buf(o, 0);
	}
}

void dt_out_printf(struct dt_out *o, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof(line)) {
		dt_out_write(o, line, (size_t)n);
		return;
	}
	char *big = malloc((size_t)n + 1);
	if (!big) {
		o->error = -ENOMEM;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	dt_out_write(o, big, (size_t)n);
	free(big);
}

int dt_out_finish(struct dt_out *o, char *err, size_t errlen)
{
	flush_buf(o, 1);
	if (o->error && errlen)
		snprintf(err, errlen, "%s: write error: %s", o->name, strerror(-o->error));
	return o->error;
}

void dt_out_free(struct dt_out *o)
{
	if (o->zlib)
		deflateEnd(&o->zs);
}

/* ------------------------------------------------------------ spool */

struct spooled_snapshot {
	uint64_t start_ns, end_ns, nr_regions;
	uint32_t flags, access_unit, age_unit;
};

void dt_spool_init(struct dt_spool *s, const char *name)
{
	memset(s, 0, sizeof(*s));
	s->name = name;
}

static int spool_error(struct dt_spool *s, int e, char *err, size_t errlen)
{
	if (errlen)
		snprintf(err, errlen, "%s: temporary spool file: %s", s->name, strerror(e));
	return -e;
}

/* An unlinked temporary file in $TMPDIR (or /tmp). */
static FILE *spool_file(void)
{
	const char *dir = getenv("TMPDIR");
	char path[4096];

	if (!dir || !*dir)
		dir = "/tmp";
	snprintf(path, sizeof(path), "%s/damotrace-export.XXXXXX", dir);
	int fd = mkstemp(path);
	if (fd < 0)
		return NULL;
	unlink(path);
	FILE *f = fdopen(fd, "w+b");
	if (!f)
		close(fd);
	return f;
}

int dt_spool_put(struct dt_spool *s, const struct dtr_item *item, char *err, size_t errlen)
{
	switch (item->type) {
	case DTR_ITEM_CONTEXT: {
		const struct dtr_context *c = &item->u.context;
		size_t i;
		for (i = 0; i < s->nr_ctxs; i++)
			if (s->ctxs[i].kdamond == c->kdamond && s->ctxs[i].context == c->context)
				break;
		if (i == s->nr_ctxs) {
			struct dtr_context *n = realloc(s->ctxs, (i + 1) * sizeof(*n));
			if (!n)
				return -ENOMEM;
			s->ctxs = n;
			uint64_t **ids = realloc(s->ctx_ids, (i + 1) * sizeof(*ids));
			if (!ids)
				return -ENOMEM;
			s->ctx_ids = ids;
			s->ctx_ids[i] = NULL;
			s->nr_ctxs++;
		}
		uint64_t *ids = realloc(s->ctx_ids[i], (c->nr_targets + 1) * sizeof(*ids));
		if (!ids)
			return -ENOMEM;
		s->ctx_ids[i] = ids;
		s->ctxs[i] = *c;
		s->ctxs[i].targets = NULL;
		/* Targets are indexed by their index field. */
		for (size_t t = 0; t < c->nr_targets; t++)
			ids[t] = t;
		for (size_t t = 0; t < c->nr_targets; t++)
			if (c->targets[t].index < c->nr_targets)
				ids[c->targets[t].index] = c->targets[t].id;
		return 0;
	}
	case DTR_ITEM_INTERVALS: {
		const struct dtr_intervals *iv = &item->u.intervals;
		for (size_t i = 0; i < s->nr_ivs; i++)
			if (s->ivs[i].kdamond == iv->kdamond && s->ivs[i].context == iv->context)
				return 0;
		struct dtr_intervals *n = realloc(s->ivs, (s->nr_ivs + 1) * sizeof(*n));
		if (!n)
			return -ENOMEM;
		s->ivs = n;
		s->ivs[s->nr_ivs++] = *iv;
		return 0;
	}
	case DTR_ITEM_META:
		for (size_t i = 0; i < item->u.meta.nr; i++)
			if (!strcmp(item->u.meta.kvs[i].key, "damo_null_indexes"))
				s->null_indexes = 1;
			else if (!strcmp(item->u.meta.kvs[i].key, "damo_data_source")) {
				char *v = strdup(item->u.meta.kvs[i].value);
				if (!v)
					return -ENOMEM;
				free(s->data_source);
				s->data_source = v;
			}
		return 0;
	case DTR_ITEM_SNAPSHOT:
		break;
	default:
		return 0;
	}
	const struct dtr_snapshot *snap = &item->u.snapshot;
	struct dt_spool_record *rec = NULL;
	for (size_t i = 0; i < s->nr_recs; i++)
		if (s->recs[i].kdamond == snap->kdamond && s->recs[i].context == snap->context &&
		    s->recs[i].target == snap->target) {
			rec = &s->recs[i];
			break;
		}
	if (!rec) {
		struct dt_spool_record *n = realloc(s->recs, (s->nr_recs + 1) * sizeof(*n));
		if (!n)
			return -ENOMEM;
		s->recs = n;
		rec = &s->recs[s->nr_recs];
		memset(rec, 0, sizeof(*rec));
		rec->kdamond = snap->kdamond;
		rec->context = snap->context;
		rec->target = snap->target;
		rec->spool = spool_file();
		if (!rec->spool) {
			int e = errno ? errno : EIO;
			const char *dir = getenv("TMPDIR");
			if (errlen)
				snprintf(err, errlen,
					 "%s: cannot create a temporary spool file in %s: %s",
					 s->name, dir && *dir ? dir : "/tmp", strerror(e));
			return -e;
		}
		s->nr_recs++;
	}
	/* Written whole, padding included: zeroed so no stack garbage is. */
	struct spooled_snapshot h;
	memset(&h, 0, sizeof(h));
	h.start_ns = snap->start_ns;
	h.end_ns = snap->end_ns;
	h.nr_regions = snap->nr_regions;
	h.flags = snap->flags;
	h.access_unit = (uint32_t)snap->access_unit;
	h.age_unit = (uint32_t)snap->age_unit;
	if (fwrite(&h, sizeof(h), 1, rec->spool) != 1 ||
	    (snap->nr_regions &&
	     fwrite(snap->regions, sizeof(*snap->regions), snap->nr_regions, rec->spool) !=
		     snap->nr_regions))
		return spool_error(s, errno ? errno : EIO, err, errlen);
	rec->nr_snapshots++;
	return 0;
}

void dt_spool_finalise(struct dt_spool *s)
{
	for (size_t r = 0; r < s->nr_recs; r++) {
		struct dt_spool_record *rec = &s->recs[r];
		rec->target_id = rec->target;
		for (size_t i = 0; i < s->nr_ctxs; i++)
			if (s->ctxs[i].kdamond == rec->kdamond && s->ctxs[i].context == rec->context &&
			    rec->target < s->ctxs[i].nr_targets)
				rec->target_id = s->ctx_ids[i][rec->target];
		for (size_t i = 0; i < s->nr_ivs; i++)
			if (s->ivs[i].kdamond == rec->kdamond && s->ivs[i].context == rec->context) {
				rec->has_intervals = 1;
				rec->intervals = s->ivs[i];
			}
		rewind(rec->spool);
	}
}

int dt_spool_read(struct dt_spool *s, struct dt_spool_record *rec, struct dtr_snapshot *snap,
		  char *err, size_t errlen)
{
	struct spooled_snapshot h;

	if (fread(&h, sizeof(h), 1, rec->spool) != 1)
		return ferror(rec->spool) ? spool_error(s, EIO, err, errlen) : 0;
	if (h.nr_regions > s->cap_regions) {
		struct dtr_region *n = realloc(s->regions, h.nr_regions * sizeof(*n));
		if (!n)
			return -ENOMEM;
		s->regions = n;
		s->cap_regions = h.nr_regions;
	}
	if (h.nr_regions &&
	    fread(s->regions, sizeof(*s->regions), h.nr_regions, rec->spool) != h.nr_regions)
		return spool_error(s, EIO, err, errlen);
	memset(snap, 0, sizeof(*snap));
	snap->start_ns = h.start_ns;
	snap->end_ns = h.end_ns;
	snap->kdamond = rec->kdamond;
	snap->context = rec->context;
	snap->target = rec->target;
	snap->flags = h.flags;
	snap->access_unit = (enum dtr_unit)h.access_unit;
	snap->age_unit = (enum dtr_unit)h.age_unit;
	snap->nr_regions = h.nr_regions;
	snap->regions = s->regions;
	return 1;
}

void dt_spool_free(struct dt_spool *s)
{
	for (size_t i = 0; i < s->nr_recs; i++)
		if (s->recs[i].spool)
			fclose(s->recs[i].spool);
	free(s->recs);
	for (size_t i = 0; i < s->nr_ctxs; i++)
		free(s->ctx_ids[i]);
	free(s->ctx_ids);
	free(s->ctxs);
	free(s->ivs);
	free(s->data_source);
	free(s->regions);
	memset(s, 0, sizeof(*s));
}
