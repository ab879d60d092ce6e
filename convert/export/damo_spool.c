// SPDX-License-Identifier: GPL-2.0-only
/*
 * The per-target snapshot spool the damo formats are written from (dt_spool
 * in export_internal.h).
 */
#include "export_internal.h"
#include "errmsg.h"
#include "tempfile.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* An unlinked temporary file in $TMPDIR (or /tmp) into *f: 0, or a
 * negative errno with a message. */
static int spool_file(FILE **f, char *err, size_t errlen)
{
	struct dt_tempfile t;
	int ret = dt_tempfile_create(&t, NULL, "damotrace-export.", NULL, DT_TEMPFILE_UNLINKED,
				     err, errlen);

	if (!ret && !(*f = fdopen(t.fd, "w+b"))) {
		ret = dt_fail(err, errlen, -errno, "temporary file: %s", strerror(errno));
		dt_tempfile_delete(&t);
	}
	return ret;
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
		char why[DT_QUOTE_BUFLEN + 128];
		int ret = spool_file(&rec->spool, why, sizeof(why));
		if (ret)
			return dt_fail(err, errlen, ret, "%s: %s", s->name, why);
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
