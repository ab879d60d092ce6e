// SPDX-License-Identifier: GPL-2.0-only
/*
 * The per-target snapshot spool the damo formats are written from (dt_spool
 * in export_internal.h).
 */
#include "export_internal.h"
#include "errmsg.h"
#include "fileio.h"
#include "grow.h"
#include "tempfile.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ------------------------------------------------------------ spool */

/* A block: the offset of the record's next block (DT_SPOOL_NONE for the
 * last), the snapshot, then its regions. */
struct spooled_snapshot {
	uint64_t next;
	uint64_t start_ns, end_ns, nr_regions;
	uint32_t flags, access_unit, age_unit;
};

#define SPOOL_BUFFER (1u << 20)

void dt_spool_init(struct dt_spool *s, const char *name)
{
	memset(s, 0, sizeof(*s));
	s->name = name;
	s->fd = -1;
}

static int spool_error(struct dt_spool *s, int e, char *err, size_t errlen)
{
	if (errlen)
		snprintf(err, errlen, "%s: temporary spool file: %s", s->name, strerror(e));
	return -e;
}

/* The spool's one unlinked file and its buffer: 0, or a negative errno
 * with a message. */
static int spool_open(struct dt_spool *s, char *err, size_t errlen)
{
	struct dt_tempfile t;
	char why[DT_QUOTE_BUFLEN + 128];
	int ret = dt_tempfile_create(&t, NULL, "damotrace-export.", NULL, DT_TEMPFILE_UNLINKED,
				     why, sizeof(why));

	if (ret)
		return dt_fail(err, errlen, ret, "%s: %s", s->name, why);
	if (!(s->buf = malloc(SPOOL_BUFFER))) {
		dt_tempfile_delete(&t);
		return dt_fail(err, errlen, -ENOMEM, "out of memory");
	}
	s->fd = t.fd;
	return 0;
}

static int spool_flush(struct dt_spool *s)
{
	int ret = s->buf_len ? dt_pwrite_all(s->fd, s->buf, s->buf_len, s->flushed) : 0;

	if (!ret) {
		s->flushed += s->buf_len;
		s->buf_len = 0;
	}
	return ret;
}

/* Appends len bytes to the spool: 0 or a negative errno. */
static int spool_append(struct dt_spool *s, const void *data, size_t len)
{
	if (s->buf_len + len > SPOOL_BUFFER) {
		int ret = spool_flush(s);
		if (ret)
			return ret;
		if (len > SPOOL_BUFFER) {
			ret = dt_pwrite_all(s->fd, data, len, s->flushed);
			s->flushed += ret ? 0 : len;
			return ret;
		}
	}
	memcpy(s->buf + s->buf_len, data, len);
	s->buf_len += len;
	return 0;
}

/* Points the block at `at` to the block at `next`: 0 or a negative errno. */
static int spool_link(struct dt_spool *s, uint64_t at, uint64_t next)
{
	if (at >= s->flushed) {
		memcpy(s->buf + (at - s->flushed), &next, sizeof(next));
		return 0;
	}
	return dt_pwrite_all(s->fd, &next, sizeof(next), at);
}

/* The record of (kdamond, context, target), made when new: NULL when out
 * of memory.  The last one found is tried first (damo's records and most
 * inputs bring a target's snapshots together). */
static struct dt_spool_record *find_record(struct dt_spool *s, const struct dtr_snapshot *snap)
{
	for (size_t k = 0; k < s->nr_recs; k++) {
		size_t i = (s->last_rec + k) % s->nr_recs;
		struct dt_spool_record *r = &s->recs[i];
		if (r->kdamond == snap->kdamond && r->context == snap->context &&
		    r->target == snap->target) {
			s->last_rec = i;
			return r;
		}
	}
	if (DT_GROW(s->recs, s->cap_recs, s->nr_recs + 1))
		return NULL;
	s->last_rec = s->nr_recs;
	struct dt_spool_record *n = &s->recs[s->nr_recs++];
	*n = (struct dt_spool_record){ .kdamond = snap->kdamond, .context = snap->context,
				       .target = snap->target, .first = DT_SPOOL_NONE,
				       .last = DT_SPOOL_NONE, .cursor = DT_SPOOL_NONE };
	return n;
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
			if (DT_GROW(s->ctxs, s->cap_ctxs, i + 1) ||
			    DT_GROW(s->ctx_ids, s->cap_ctx_ids, i + 1))
				return -ENOMEM;
			s->ctx_ids[i] = (struct dt_spool_ids){ 0 };
			s->nr_ctxs++;
		}
		if (DT_GROW(s->ctx_ids[i].v, s->ctx_ids[i].cap, c->nr_targets + 1))
			return -ENOMEM;
		uint64_t *ids = s->ctx_ids[i].v;
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
		if (DT_GROW(s->ivs, s->cap_ivs, s->nr_ivs + 1))
			return -ENOMEM;
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
	int ret = s->fd < 0 ? spool_open(s, err, errlen) : 0;
	if (ret)
		return ret;
	struct dt_spool_record *rec = find_record(s, snap);
	if (!rec)
		return -ENOMEM;
	/* Written whole, padding included: zeroed so no stack garbage is. */
	struct spooled_snapshot h;
	memset(&h, 0, sizeof(h));
	h.next = DT_SPOOL_NONE;
	h.start_ns = snap->start_ns;
	h.end_ns = snap->end_ns;
	h.nr_regions = snap->nr_regions;
	h.flags = snap->flags;
	h.access_unit = (uint32_t)snap->access_unit;
	h.age_unit = (uint32_t)snap->age_unit;
	uint64_t at = s->flushed + s->buf_len;
	if ((rec->last != DT_SPOOL_NONE && (ret = spool_link(s, rec->last, at))) ||
	    (ret = spool_append(s, &h, sizeof(h))) ||
	    (snap->nr_regions &&
	     (ret = spool_append(s, snap->regions, snap->nr_regions * sizeof(*snap->regions)))))
		return spool_error(s, -ret, err, errlen);
	if (rec->first == DT_SPOOL_NONE)
		rec->first = at;
	rec->last = at;
	rec->nr_snapshots++;
	return 0;
}

int dt_spool_finalise(struct dt_spool *s, char *err, size_t errlen)
{
	int ret = s->fd >= 0 ? spool_flush(s) : 0;

	if (ret)
		return spool_error(s, -ret, err, errlen);
	for (size_t r = 0; r < s->nr_recs; r++) {
		struct dt_spool_record *rec = &s->recs[r];
		rec->target_id = rec->target;
		for (size_t i = 0; i < s->nr_ctxs; i++)
			if (s->ctxs[i].kdamond == rec->kdamond && s->ctxs[i].context == rec->context &&
			    rec->target < s->ctxs[i].nr_targets)
				rec->target_id = s->ctx_ids[i].v[rec->target];
		for (size_t i = 0; i < s->nr_ivs; i++)
			if (s->ivs[i].kdamond == rec->kdamond && s->ivs[i].context == rec->context) {
				rec->has_intervals = 1;
				rec->intervals = s->ivs[i];
			}
		rec->cursor = rec->first;
	}
	return 0;
}

int dt_spool_read(struct dt_spool *s, struct dt_spool_record *rec, struct dtr_snapshot *snap,
		  char *err, size_t errlen)
{
	struct spooled_snapshot h;
	int ret;

	if (rec->cursor == DT_SPOOL_NONE)
		return 0;
	if ((ret = dt_pread_all(s->fd, &h, sizeof(h), rec->cursor)))
		return spool_error(s, -ret, err, errlen);
	if (DT_GROW(s->regions, s->cap_regions, h.nr_regions))
		return -ENOMEM;
	if (h.nr_regions &&
	    (ret = dt_pread_all(s->fd, s->regions, h.nr_regions * sizeof(*s->regions),
			     rec->cursor + sizeof(h))))
		return spool_error(s, -ret, err, errlen);
	rec->cursor = h.next;
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
	if (s->fd >= 0)
		close(s->fd);
	free(s->buf);
	free(s->recs);
	for (size_t i = 0; i < s->nr_ctxs; i++)
		free(s->ctx_ids[i].v);
	free(s->ctx_ids);
	free(s->ctxs);
	free(s->ivs);
	free(s->data_source);
	free(s->regions);
	memset(s, 0, sizeof(*s));
	s->fd = -1;
}
