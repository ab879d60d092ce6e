// SPDX-License-Identifier: GPL-2.0-only
/*
 * damo's legacy binary record format (damo before v2.0 wrote it; damo's
 * tests keep a version 2 file).  Little-endian:
 *
 *   v1, v2: "damon_recfmt_ver" (16 bytes), int32 version;  v0: no header.
 *   per snapshot: int64 sec, int64 nsec (end of the aggregation),
 *     uint32 nr_targets, per target: target id (uint64; int32 in v1),
 *     uint32 nr_regions, per region: uint64 start, uint64 end,
 *     uint32 nr_accesses.
 *
 * Only end times are stored, so, as damo does, a snapshot starts at the
 * previous snapshot's end of the same target and the first one is taken to
 * be as long as the target's mean snapshot.  That needs the last end time
 * before the first snapshot is returned: a first pass reads the headers
 * only (seeking over the regions).
 */
#include "input_internal.h"
#include "grow.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAGIC "damon_recfmt_ver"
#define MAGIC_LEN 16
#define MAX_TARGETS 65536u
#define MAX_REGIONS (1u << 26)

struct bin_target {
	uint64_t id;
	uint64_t nr_snapshots;
	uint64_t first_end, last_end, prev_end;
	int last_is_fake;
	uint64_t seen;
};

struct damo_binary {
	struct dt_src *src;
	int version;
	size_t id_bytes;
	uint64_t data_start;

	struct bin_target *targets;
	size_t nr_targets, cap_targets;
	struct dtr_target *ctx_targets;

	int stage; /* 0: META, 1: CONTEXT, 2: snapshots */
	uint64_t snapshot_idx;
	uint32_t targets_left, target_in_snapshot;
	uint64_t cur_end;

	struct dtr_region *regions;
	size_t cap_regions;
	struct dtr_kv meta;
};

static uint64_t le64(const unsigned char *b)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | b[i];
	return v;
}

static uint32_t le32(const unsigned char *b)
{
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

int dt_probe_damo_binary(const unsigned char *b, size_t len)
{
	if (len >= MAGIC_LEN + 4 && !memcmp(b, MAGIC, MAGIC_LEN)) {
		uint32_t v = le32(b + MAGIC_LEN);
		return v == 1 || v == 2;
	}
	/* Version 0 has no magic: accept only a plausible first snapshot. */
	if (len < 16 + 4 + 8 + 4 + 20)
		return 0;
	uint64_t sec = le64(b), nsec = le64(b + 8);
	uint32_t nr_targets = le32(b + 16), nr_regions = le32(b + 28);
	uint64_t start = le64(b + 32), end = le64(b + 40);
	return sec < (1ull << 40) && nsec < 1000000000ull && nr_targets >= 1 &&
	       nr_targets <= MAX_TARGETS && nr_regions >= 1 && nr_regions <= MAX_REGIONS &&
	       start < end;
}

static int read_header(struct damo_binary *d, char *err, size_t errlen)
{
	unsigned char h[MAGIC_LEN + 4];
	int ret;

	d->version = 0;
	d->data_start = 0;
	ssize_t n = dt_src_read(d->src, h, sizeof(h), err, errlen);
	if (n < 0)
		return (int)n;
	if ((size_t)n == sizeof(h) && !memcmp(h, MAGIC, MAGIC_LEN)) {
		d->version = (int)le32(h + MAGIC_LEN);
		d->data_start = sizeof(h);
		if (d->version != 1 && d->version != 2) {
			if (errlen)
				snprintf(err, errlen,
					 "%s: byte offset 16: unsupported damo record version %d",
					 d->src->name, d->version);
			return -EINVAL;
		}
	}
	d->id_bytes = d->version == 1 ? 4 : 8;
	if ((ret = dt_src_rewind(d->src, err, errlen)))
		return ret;
	return dt_src_skip(d->src, d->data_start, "header", err, errlen);
}

/* 1: snapshot header read; 0: clean end of file. */
static int read_snapshot_head(struct damo_binary *d, uint64_t *end_ns, uint32_t *nr_targets,
			      char *err, size_t errlen)
{
	unsigned char b[20];
	uint64_t at = d->src->offset;
	char what[64];
	ssize_t n = dt_src_read(d->src, b, 1, err, errlen);

	if (n < 0)
		return (int)n;
	if (n == 0)
		return 0;
	snprintf(what, sizeof(what), "snapshot %llu header", (unsigned long long)d->snapshot_idx);
	int ret = dt_src_read_full(d->src, b + 1, sizeof(b) - 1, what, err, errlen);
	if (ret) {
		if (ret == -EIO && errlen)
			snprintf(err, errlen, "%s: truncated at byte offset %llu: %s is incomplete",
				 d->src->name, (unsigned long long)at, what);
		return ret;
	}
	int64_t sec = (int64_t)le64(b), nsec = (int64_t)le64(b + 8);
	*nr_targets = le32(b + 16);
	if (sec < 0 || nsec < 0 || nsec >= 1000000000 || (uint64_t)sec > UINT64_MAX / 1000000000ull - 1) {
		if (errlen)
			snprintf(err, errlen, "%s: byte offset %llu: %s: bad time %lld.%09lld",
				 d->src->name, (unsigned long long)at, what, (long long)sec,
				 (long long)nsec);
		return -EINVAL;
	}
	if (*nr_targets > MAX_TARGETS) {
		if (errlen)
			snprintf(err, errlen, "%s: byte offset %llu: %s: %u targets is not plausible",
				 d->src->name, (unsigned long long)(at + 16), what, *nr_targets);
		return -EINVAL;
	}
	*end_ns = (uint64_t)sec * 1000000000ull + (uint64_t)nsec;
	return 1;
}

static int read_target_head(struct damo_binary *d, uint64_t *id, uint32_t *nr_regions,
			    char *err, size_t errlen)
{
	unsigned char b[12];
	uint64_t at = d->src->offset;
	char what[96];

	snprintf(what, sizeof(what), "snapshot %llu target %u header",
		 (unsigned long long)d->snapshot_idx, d->target_in_snapshot);
	int ret = dt_src_read_full(d->src, b, d->id_bytes + 4, what, err, errlen);
	if (ret)
		return ret;
	if (d->id_bytes == 4) {
		/* v1 stored the id as a signed int32 */
		*id = (uint64_t)(int64_t)(int32_t)le32(b);
		*nr_regions = le32(b + 4);
	} else {
		*id = le64(b);
		*nr_regions = le32(b + 8);
	}
	if (*nr_regions > MAX_REGIONS) {
		if (errlen)
			snprintf(err, errlen, "%s: byte offset %llu: %s: %u regions is not plausible",
				 d->src->name, (unsigned long long)(at + d->id_bytes), what,
				 *nr_regions);
		return -EINVAL;
	}
	return 0;
}

static struct bin_target *target_of(struct damo_binary *d, uint64_t id, int create)
{
	for (size_t i = 0; i < d->nr_targets; i++)
		if (d->targets[i].id == id)
			return &d->targets[i];
	if (!create)
		return NULL;
	if (DT_GROW(d->targets, d->cap_targets, d->nr_targets + 1))
		return NULL;
	struct bin_target *t = &d->targets[d->nr_targets++];
	memset(t, 0, sizeof(*t));
	t->id = id;
	return t;
}

/* First pass: snapshot counts and first/last end times per target. */
static int scan(struct damo_binary *d, char *err, size_t errlen)
{
	int ret;

	d->snapshot_idx = 0;
	for (;;) {
		uint64_t end;
		uint32_t nr_targets;
		ret = read_snapshot_head(d, &end, &nr_targets, err, errlen);
		if (ret <= 0)
			return ret;
		for (uint32_t i = 0; i < nr_targets; i++) {
			uint64_t id;
			uint32_t nr;
			d->target_in_snapshot = i;
			if ((ret = read_target_head(d, &id, &nr, err, errlen)))
				return ret;
			struct bin_target *t = target_of(d, id, 1);
			if (!t)
				return -ENOMEM;
			if (t->nr_snapshots && end < t->last_end) {
				if (errlen)
					snprintf(err, errlen,
						 "%s: byte offset %llu: snapshot %llu ends before the "
						 "previous one of target %llu", d->src->name,
						 (unsigned long long)d->src->offset,
						 (unsigned long long)d->snapshot_idx,
						 (unsigned long long)id);
				return -EINVAL;
			}
			if (!t->nr_snapshots)
				t->first_end = end;
			t->last_end = end;
			t->nr_snapshots++;
			t->last_is_fake = 0;
			if (nr == 1) {
				unsigned char r[20];
				char what[96];
				snprintf(what, sizeof(what), "snapshot %llu target %u region 0",
					 (unsigned long long)d->snapshot_idx, i);
				if ((ret = dt_src_read_full(d->src, r, sizeof(r), what, err, errlen)))
					return ret;
				/* damo's marker of a single-snapshot record: 0-0, -1 accesses */
				t->last_is_fake = !le64(r) && !le64(r + 8) && le32(r + 16) == UINT32_MAX;
			} else {
				char what[96];
				snprintf(what, sizeof(what), "snapshot %llu target %u regions",
					 (unsigned long long)d->snapshot_idx, i);
				if ((ret = dt_src_skip(d->src, (uint64_t)nr * 20, what, err, errlen)))
					return ret;
			}
		}
		d->snapshot_idx++;
	}
}

static int grow(struct damo_binary *d, size_t n)
{
	return DT_GROW(d->regions, d->cap_regions, n) ? -ENOMEM : 0;
}

static int damo_binary_next(void *state, struct dtr_item *item, char *err, size_t errlen)
{
	struct damo_binary *d = state;
	int ret;

	memset(item, 0, sizeof(*item));
	if (d->stage == 0) {
		d->stage = 1;
		item->type = DTR_ITEM_META;
		d->meta.key = DTR_META_SOURCE;
		d->meta.value = "damo-binary";
		item->u.meta.nr = 1;
		item->u.meta.kvs = &d->meta;
		return 1;
	}
	if (d->stage == 1) {
		d->stage = 2;
		if (d->nr_targets) {
			item->type = DTR_ITEM_CONTEXT;
			item->u.context.ops = DTR_OPS_UNKNOWN;
			item->u.context.nr_targets = d->nr_targets;
			item->u.context.targets = d->ctx_targets;
			return 1;
		}
	}
	for (;;) {
		if (!d->targets_left) {
			uint32_t nr_targets;
			if (d->target_in_snapshot || d->snapshot_idx)
				d->snapshot_idx++;
			ret = read_snapshot_head(d, &d->cur_end, &nr_targets, err, errlen);
			if (ret <= 0)
				return ret;
			d->targets_left = nr_targets;
			d->target_in_snapshot = 0;
			if (!nr_targets) {
				d->target_in_snapshot = 1; /* counts the snapshot */
				continue;
			}
		}
		uint64_t id;
		uint32_t nr;
		if ((ret = read_target_head(d, &id, &nr, err, errlen)))
			return ret;
		if ((ret = grow(d, nr ? nr : 1)))
			return ret;
		for (uint32_t i = 0; i < nr; i++) {
			unsigned char r[20];
			char what[96];
			uint64_t at = d->src->offset;
			snprintf(what, sizeof(what), "snapshot %llu target %u region %u",
				 (unsigned long long)d->snapshot_idx, d->target_in_snapshot, i);
			if ((ret = dt_src_read_full(d->src, r, sizeof(r), what, err, errlen)))
				return ret;
			d->regions[i].start = le64(r);
			d->regions[i].end = le64(r + 8);
			d->regions[i].nr_accesses = le32(r + 16);
			d->regions[i].age = 0;
			if (d->regions[i].end < d->regions[i].start ||
			    (i && d->regions[i].start < d->regions[i - 1].end)) {
				if (errlen)
					snprintf(err, errlen,
						 "%s: byte offset %llu: %s: regions overlap or are not "
						 "sorted by address", d->src->name,
						 (unsigned long long)at, what);
				return -EINVAL;
			}
		}
		d->target_in_snapshot++;
		d->targets_left--;
		struct bin_target *t = target_of(d, id, 0);
		if (!t) {
			if (errlen)
				snprintf(err, errlen, "%s: byte offset %llu: the input changed while read",
					 d->src->name, (unsigned long long)d->src->offset);
			return -EIO;
		}
		t->seen++;
		if (t->seen == t->nr_snapshots && t->last_is_fake && t->nr_snapshots > 1)
			continue;
		struct dtr_snapshot *s = &item->u.snapshot;
		item->type = DTR_ITEM_SNAPSHOT;
		if (t->seen == 1) {
			uint64_t n = t->nr_snapshots;
			s->start_ns = dt_damo_first_start(t->first_end, t->last_end, n);
			s->flags = DTR_SNAPSHOT_START_ESTIMATED;
		} else {
			s->start_ns = t->prev_end;
		}
		s->end_ns = d->cur_end;
		t->prev_end = d->cur_end;
		s->target = (uint32_t)(t - d->targets);
		s->access_unit = DTR_UNIT_SAMPLES;
		s->age_unit = DTR_UNIT_ABSENT;
		s->nr_regions = nr;
		s->regions = d->regions;
		return 1;
	}
}

static void damo_binary_close(void *state)
{
	struct damo_binary *d = state;

	if (!d)
		return;
	free(d->targets);
	free(d->ctx_targets);
	free(d->regions);
	free(d);
}

int dt_in_damo_binary_open(struct dt_importer *imp, struct dt_src *src, char *err, size_t errlen)
{
	struct damo_binary *d = calloc(1, sizeof(*d));
	int ret;

	if (!d)
		return -ENOMEM;
	d->src = src;
	if ((ret = read_header(d, err, errlen)) || (ret = scan(d, err, errlen)))
		goto fail;
	if (!d->nr_targets) {
		if (errlen)
			snprintf(err, errlen, "%s: byte offset %llu: no snapshots in the damo record",
				 src->name, (unsigned long long)d->data_start);
		ret = -EINVAL;
		goto fail;
	}
	d->ctx_targets = calloc(d->nr_targets, sizeof(*d->ctx_targets));
	if (!d->ctx_targets) {
		ret = -ENOMEM;
		goto fail;
	}
	for (size_t i = 0; i < d->nr_targets; i++) {
		d->ctx_targets[i].index = (uint32_t)i;
		d->ctx_targets[i].id = d->targets[i].id;
		d->ctx_targets[i].pid = -1;
		d->ctx_targets[i].cmdline = "";
	}
	if ((ret = dt_src_rewind(src, err, errlen)) ||
	    (ret = dt_src_skip(src, d->data_start, "header", err, errlen)))
		goto fail;
	d->snapshot_idx = 0;
	d->target_in_snapshot = 0;
	imp->next = damo_binary_next;
	imp->close = damo_binary_close;
	imp->state = d;
	return 0;
fail:
	damo_binary_close(d);
	return ret;
}
