// SPDX-License-Identifier: GPL-2.0-only
/*
 * Item codec: how each item is laid out inside a DATA chunk before zstd
 * (docs/FORMAT.md, "Items").  Regions are stored as columns of varints
 * (gaps, sizes, nr_accesses, ages) with the common power-of-two alignment
 * factored out, which makes them both small and easy for zstd.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dtr-int.h"

void dtr_vseterr(char *err, size_t errlen, const char *fmt, va_list ap)
{
	if (err && errlen)
		vsnprintf(err, errlen, fmt, ap);
}

void dtr_seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	dtr_vseterr(err, errlen, fmt, ap);
	va_end(ap);
}

int dtr_buf_reserve(struct dtr_buf *b, size_t extra)
{
	if (b->cap - b->len >= extra)
		return 0;
	if (extra > SIZE_MAX / 2 - b->len)
		return -ENOMEM;
	size_t cap = b->cap ? b->cap : 4096;
	while (cap - b->len < extra)
		cap *= 2;
	unsigned char *p = realloc(b->p, cap);
	if (!p)
		return -ENOMEM;
	b->p = p;
	b->cap = cap;
	return 0;
}

void dtr_buf_free(struct dtr_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

static int put_varint(struct dtr_buf *b, uint64_t v)
{
	if (dtr_buf_reserve(b, 10))
		return -ENOMEM;
	dtr_buf_varint(b, v);
	return 0;
}

static int put_string(struct dtr_buf *b, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (dtr_buf_reserve(b, n + 11))
		return -ENOMEM;
	dtr_buf_varint(b, n);
	if (n)
		memcpy(b->p + b->len, s, n);
	b->p[b->len + n] = 0;
	b->len += n + 1;
	return 0;
}

static unsigned ctz64(uint64_t v)
{
	return v ? (unsigned)__builtin_ctzll(v) : 64;
}

static int encode_snapshot(struct dtr_buf *b, struct dtr_chunk_state *cs,
			   const struct dtr_snapshot *s, char *err, size_t errlen)
{
	const struct dtr_region *r = s->regions;
	uint64_t n = s->nr_regions;
	unsigned shift = 64;

	if (s->end_ns < s->start_ns) {
		dtr_seterr(err, errlen, "snapshot ends (%llu ns) before it starts (%llu ns)",
			   (unsigned long long)s->end_ns, (unsigned long long)s->start_ns);
		return -EINVAL;
	}
	if (n && !r) {
		dtr_seterr(err, errlen, "snapshot has %llu regions but no region array",
			   (unsigned long long)n);
		return -EINVAL;
	}
	if (s->access_unit > DTR_UNIT_AGGREGATIONS || s->age_unit > DTR_UNIT_AGGREGATIONS) {
		dtr_seterr(err, errlen, "snapshot has an unknown access or age unit");
		return -EINVAL;
	}
	for (uint64_t i = 0; i < n; i++) {
		if (r[i].end < r[i].start || (i && r[i].start < r[i - 1].end)) {
			dtr_seterr(err, errlen,
				   "snapshot region %llu [0x%llx, 0x%llx) is reversed, "
				   "unsorted or overlaps the one before",
				   (unsigned long long)i, (unsigned long long)r[i].start,
				   (unsigned long long)r[i].end);
			return -EINVAL;
		}
		unsigned a = ctz64(r[i].start), c = ctz64(r[i].end);
		if (a < shift)
			shift = a;
		if (c < shift)
			shift = c;
	}
	if (shift > 63)
		shift = 0;
	/* at most 10 + 10 bytes of boundaries and 5 + 5 of counts per region */
	if (n > (SIZE_MAX - 200) / 30) {
		dtr_seterr(err, errlen, "snapshot has too many regions");
		return -EINVAL;
	}
	if (dtr_buf_reserve(b, 200 + (size_t)n * 30))
		return -ENOMEM;
	dtr_buf_varint(b, dtr_zigzag((int64_t)(s->start_ns - cs->snapshot_end)));
	dtr_buf_varint(b, s->end_ns - s->start_ns);
	dtr_buf_varint(b, s->kdamond);
	dtr_buf_varint(b, s->context);
	dtr_buf_varint(b, s->target);
	dtr_buf_varint(b, s->flags);
	dtr_buf_varint(b, s->access_unit);
	dtr_buf_varint(b, s->age_unit);
	dtr_buf_varint(b, n);
	dtr_buf_varint(b, shift);
	uint64_t prev_end = 0;
	for (uint64_t i = 0; i < n; i++) {
		dtr_buf_varint(b, (r[i].start - prev_end) >> shift);
		prev_end = r[i].end;
	}
	for (uint64_t i = 0; i < n; i++)
		dtr_buf_varint(b, (r[i].end - r[i].start) >> shift);
	if (s->access_unit != DTR_UNIT_ABSENT)
		for (uint64_t i = 0; i < n; i++)
			dtr_buf_varint(b, r[i].nr_accesses);
	if (s->age_unit != DTR_UNIT_ABSENT)
		for (uint64_t i = 0; i < n; i++)
			dtr_buf_varint(b, r[i].age);
	return 0;
}

static int encode_body(struct dtr_buf *b, struct dtr_chunk_state *cs,
		       const struct dtr_item *it, char *err, size_t errlen)
{
	int ret = 0;

#define V(x) do { if ((ret = put_varint(b, (x)))) return ret; } while (0)
#define S(x) do { if ((ret = put_string(b, (x)))) return ret; } while (0)
	switch (it->type) {
	case DTR_ITEM_META: {
		const struct dtr_meta *m = &it->u.meta;
		if (m->nr && !m->kvs)
			goto no_array;
		V(m->nr);
		for (size_t i = 0; i < m->nr; i++) {
			S(m->kvs[i].key);
			S(m->kvs[i].value);
		}
		break;
	}
	case DTR_ITEM_CONTEXT: {
		const struct dtr_context *c = &it->u.context;
		if (c->ops > DTR_OPS_PADDR) {
			dtr_seterr(err, errlen, "context has unknown ops %d", (int)c->ops);
			return -EINVAL;
		}
		if (c->nr_targets && !c->targets)
			goto no_array;
		V(c->kdamond);
		V(c->context);
		V(c->ops);
		V(c->min_nr_regions);
		V(c->max_nr_regions);
		V(c->nr_targets);
		for (size_t i = 0; i < c->nr_targets; i++) {
			V(c->targets[i].index);
			V(c->targets[i].id);
			V(dtr_zigzag(c->targets[i].pid));
			S(c->targets[i].cmdline);
		}
		break;
	}
	case DTR_ITEM_INTERVALS: {
		const struct dtr_intervals *v = &it->u.intervals;
		V(v->kdamond);
		V(v->context);
		V(v->time_ns);
		V(v->sample_us);
		V(v->aggr_us);
		V(v->update_us);
		break;
	}
	case DTR_ITEM_CLOCKS: {
		const struct dtr_clocks *c = &it->u.clocks;
		if (c->clock > DTR_CLOCK_BOOTTIME) {
			dtr_seterr(err, errlen, "clocks item has unknown clock %d", (int)c->clock);
			return -EINVAL;
		}
		V(c->clock);
		S(c->label);
		V(c->has);
		V(c->monotonic_ns);
		V(c->perf_ns);
		V(c->realtime_ns);
		break;
	}
	case DTR_ITEM_SNAPSHOT:
		return encode_snapshot(b, cs, &it->u.snapshot, err, errlen);
	case DTR_ITEM_FRAME: {
		const struct dtr_frame *f = &it->u.frame;
		V(f->id);
		S(f->symbol);
		S(f->dso);
		S(f->srcline);
		break;
	}
	case DTR_ITEM_STACK: {
		const struct dtr_stack *s = &it->u.stack;
		if (s->nr_frames && !s->frames)
			goto no_array;
		V(dtr_zigzag((int64_t)(s->time_ns - cs->stack_time)));
		V(dtr_zigzag(s->pid));
		V(dtr_zigzag(s->tid));
		V(s->cpu);
		V(s->weight);
		V(s->nr_frames);
		for (uint32_t i = 0; i < s->nr_frames; i++)
			V(s->frames[i]);
		break;
	}
	case DTR_ITEM_THREAD: {
		const struct dtr_thread *t = &it->u.thread;
		V(dtr_zigzag(t->pid));
		V(dtr_zigzag(t->tid));
		S(t->comm);
		break;
	}
	case DTR_ITEM_MAPS: {
		const struct dtr_maps *m = &it->u.maps;
		if (m->nr && !m->entries)
			goto no_array;
		V(m->time_ns);
		V(dtr_zigzag(m->pid));
		V(m->nr);
		for (size_t i = 0; i < m->nr; i++) {
			const struct dtr_map_entry *e = &m->entries[i];
			char perms[5];
			if (e->end < e->start) {
				dtr_seterr(err, errlen, "map entry [0x%llx, 0x%llx) is reversed",
					   (unsigned long long)e->start,
					   (unsigned long long)e->end);
				return -EINVAL;
			}
			memcpy(perms, e->perms, 4);
			perms[4] = 0;
			V(e->start);
			V(e->end - e->start);
			V(e->offset);
			S(perms);
			S(e->path);
		}
		break;
	}
	case DTR_ITEM_FOOTPRINT: {
		const struct dtr_footprint *f = &it->u.footprint;
		const uint64_t v[] = { f->time_ns, f->kdamond, f->context, f->target,
				       dtr_zigzag(f->pid), f->has, f->size, f->resident, f->shared,
				       f->text, f->data, f->swap, f->utime_ns, f->stime_ns,
				       f->minflt, f->majflt, f->threads, f->mem_total, f->mem_free,
				       f->mem_available, f->mem_buffers, f->mem_cached };
		for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
			V(v[i]);
		break;
	}
	default:
		dtr_seterr(err, errlen, "item type %d cannot be written as an item",
			   (int)it->type);
		return -EINVAL;
	}
#undef V
#undef S
	return 0;
no_array:
	dtr_seterr(err, errlen, "%s item has a count but no array",
		   dtr_item_type_name(it->type));
	return -EINVAL;
}

int dtr_encode_item(struct dtr_buf *b, struct dtr_chunk_state *cs,
		    const struct dtr_item *item, char *err, size_t errlen)
{
	/* The body goes after room for the longest length varint, then moves
	 * down once its length is known. */
	size_t head = b->len;
	int ret;

	if (dtr_buf_reserve(b, 20))
		return -ENOMEM;
	b->len += 12;
	ret = encode_body(b, cs, item, err, errlen);
	if (ret) {
		b->len = head;
		if (ret == -ENOMEM)
			dtr_seterr(err, errlen, "out of memory encoding a %s item",
				   dtr_item_type_name(item->type));
		return ret;
	}
	size_t body_start = head + 12, body_len = b->len - body_start;
	b->len = head;
	dtr_buf_varint(b, (uint64_t)item->type);
	dtr_buf_varint(b, body_len);
	memmove(b->p + b->len, b->p + body_start, body_len);
	b->len += body_len;
	if (item->type == DTR_ITEM_SNAPSHOT)
		cs->snapshot_end = item->u.snapshot.end_ns;
	else if (item->type == DTR_ITEM_STACK)
		cs->stack_time = item->u.stack.time_ns;
	return 0;
}

/* ------------------------------------------------------------- decoding */

struct dtr_varint dtr_varint_slow(const unsigned char *p, const unsigned char *end)
{
	size_t left = end > p ? (size_t)(end - p) : 0;
	uint64_t v = 0;

	for (size_t i = 0; i < left && i < 10; i++) {
		unsigned char b = p[i];
		if (i == 9) {
			/* only the value's top bit is left for the tenth byte */
			if (b > 1)
				break;
			return (struct dtr_varint){ p + 10, v | (uint64_t)b << 63 };
		}
		v |= (uint64_t)(b & 0x7f) << (7 * i);
		if (!(b & 0x80))
			return (struct dtr_varint){ p + i + 1, v };
	}
	return (struct dtr_varint){ NULL, 0 };
}

static const char *cur_string(struct dtr_cursor *c)
{
	uint64_t n = dtr_cur_varint(c);

	if (c->bad)
		return "";
	if (n >= (uint64_t)(c->end - c->p) || c->p[n] != 0 || memchr(c->p, 0, n)) {
		c->bad = 1;
		c->why = "bad string";
		c->p = c->end;
		return "";
	}
	const char *s = (const char *)c->p;
	c->p += n + 1;
	return s;
}

static uint32_t cur_u32(struct dtr_cursor *c)
{
	uint64_t v = dtr_cur_varint(c);

	if (v > UINT32_MAX && !c->bad) {
		c->bad = 1;
		c->why = "value out of range";
	}
	return (uint32_t)v;
}

static int32_t cur_s32(struct dtr_cursor *c)
{
	int64_t v = dtr_unzigzag(dtr_cur_varint(c));

	if ((v < INT32_MIN || v > INT32_MAX) && !c->bad) {
		c->bad = 1;
		c->why = "value out of range";
	}
	return (int32_t)v;
}

/* Room for `n` elements, each taking at least `min_bytes` of the input:
 * a count larger than what is left cannot be genuine. */
static int grow(void **arr, size_t *cap, uint64_t n, size_t size,
		const struct dtr_cursor *c, size_t min_bytes)
{
	if (n > (uint64_t)(c->end - c->p) / min_bytes)
		return -EBADMSG;
	if (n <= *cap)
		return 0;
	size_t want = *cap ? *cap : 16;
	while (want < n)
		want *= 2;
	void *p = realloc(*arr, want * size);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = want;
	return 0;
}

static int decode_snapshot(struct dtr_decoder *d, struct dtr_cursor *c,
			   struct dtr_snapshot *s)
{
	s->start_ns = d->cs.snapshot_end + (uint64_t)dtr_unzigzag(dtr_cur_varint(c));
	uint64_t dur = dtr_cur_varint(c);
	if (dur > UINT64_MAX - s->start_ns) {
		c->why = "snapshot end out of range";
		return -EBADMSG;
	}
	s->end_ns = s->start_ns + dur;
	s->kdamond = cur_u32(c);
	s->context = cur_u32(c);
	s->target = cur_u32(c);
	s->flags = cur_u32(c);
	uint64_t au = dtr_cur_varint(c), gu = dtr_cur_varint(c);
	uint64_t n = dtr_cur_varint(c), shift = dtr_cur_varint(c);
	if (c->bad)
		return -EBADMSG;
	if (au > DTR_UNIT_AGGREGATIONS || gu > DTR_UNIT_AGGREGATIONS || shift > 63) {
		c->why = "bad snapshot unit or alignment";
		return -EBADMSG;
	}
	s->access_unit = (enum dtr_unit)au;
	s->age_unit = (enum dtr_unit)gu;
	s->nr_regions = n;
	int ret = grow((void **)&d->regions, &d->regions_cap, n, sizeof(*d->regions), c, 2);
	if (ret) {
		c->why = "region count larger than the item";
		return ret;
	}
	/* The columns are read with a local pointer (kept in a register) and
	 * the cursor's rules: after a malformed varint everything reads as 0,
	 * and the first problem met is the one reported. */
	struct dtr_region *r = d->regions;
	const unsigned char *p = c->p, *end = c->end;
	const char *why = NULL;
	uint64_t prev_end = 0;
#define COLUMN_VARINT(dst)                                                   \
	do {                                                                 \
		struct dtr_varint v_ = dtr_varint_at(p, end);                \
		if (__builtin_expect(v_.next != NULL, 1)) {                  \
			p = v_.next;                                         \
		} else {                                                     \
			if (!why)                                            \
				why = "bad varint";                          \
			p = end;                                             \
		}                                                            \
		(dst) = v_.value;                                            \
	} while (0)
	/* Gaps come first, sizes second: keep the gap in .end meanwhile. */
	for (uint64_t i = 0; i < n; i++)
		COLUMN_VARINT(r[i].end);
	for (uint64_t i = 0; i < n; i++) {
		uint64_t size, gap = r[i].end;
		COLUMN_VARINT(size);
		if (gap > (UINT64_MAX >> shift) || (gap << shift) > UINT64_MAX - prev_end) {
			c->why = "region start out of range";
			return -EBADMSG;
		}
		r[i].start = prev_end + (gap << shift);
		if (size > (UINT64_MAX >> shift) || (size << shift) > UINT64_MAX - r[i].start) {
			c->why = "region end out of range";
			return -EBADMSG;
		}
		r[i].end = r[i].start + (size << shift);
		prev_end = r[i].end;
	}
	/* Access counts and ages are 32-bit: a larger value is the first
	 * problem unless a malformed varint came before it. */
	if (s->access_unit != DTR_UNIT_ABSENT) {
		for (uint64_t i = 0; i < n; i++) {
			uint64_t v;
			COLUMN_VARINT(v);
			if (__builtin_expect(v > UINT32_MAX, 0) && !why)
				why = "value out of range";
			r[i].nr_accesses = (uint32_t)v;
		}
	} else {
		for (uint64_t i = 0; i < n; i++)
			r[i].nr_accesses = 0;
	}
	if (s->age_unit != DTR_UNIT_ABSENT) {
		for (uint64_t i = 0; i < n; i++) {
			uint64_t v;
			COLUMN_VARINT(v);
			if (__builtin_expect(v > UINT32_MAX, 0) && !why)
				why = "value out of range";
			r[i].age = (uint32_t)v;
		}
	} else {
		for (uint64_t i = 0; i < n; i++)
			r[i].age = 0;
	}
#undef COLUMN_VARINT
	c->p = p;
	if (why) {
		c->bad = 1;
		c->why = why;
	}
	s->regions = r;
	return c->bad ? -EBADMSG : 0;
}

/* FOOTPRINT: 22 fields in the order of docs/FORMAT.md. */
static void decode_footprint(struct dtr_cursor *c, struct dtr_footprint *f)
{
	f->time_ns = dtr_cur_varint(c);
	f->kdamond = cur_u32(c);
	f->context = cur_u32(c);
	f->target = cur_u32(c);
	f->pid = cur_s32(c);
	f->has = cur_u32(c);
	uint64_t *rest[] = { &f->size, &f->resident, &f->shared, &f->text, &f->data, &f->swap,
			     &f->utime_ns, &f->stime_ns, &f->minflt, &f->majflt, &f->threads,
			     &f->mem_total, &f->mem_free, &f->mem_available, &f->mem_buffers,
			     &f->mem_cached };
	for (size_t i = 0; i < sizeof(rest) / sizeof(rest[0]); i++)
		*rest[i] = dtr_cur_varint(c);
}

int dtr_decode_item(struct dtr_decoder *d, uint64_t type, const unsigned char *body,
		    size_t len, struct dtr_item *item, const char **why)
{
	struct dtr_cursor cur = { body, body + len, 0, NULL }, *c = &cur;
	int ret = 0;

	memset(item, 0, sizeof(*item));
	switch (type) {
	case DTR_ITEM_META: {
		uint64_t n = dtr_cur_varint(c);
		if ((ret = grow((void **)&d->kvs, &d->kvs_cap, n, sizeof(*d->kvs), c, 4)))
			break;
		for (uint64_t i = 0; i < n; i++) {
			d->kvs[i].key = cur_string(c);
			d->kvs[i].value = cur_string(c);
		}
		item->u.meta.nr = n;
		item->u.meta.kvs = d->kvs;
		break;
	}
	case DTR_ITEM_CONTEXT: {
		struct dtr_context *x = &item->u.context;
		x->kdamond = cur_u32(c);
		x->context = cur_u32(c);
		uint64_t ops = dtr_cur_varint(c);
		if (ops > DTR_OPS_PADDR && !c->bad) {
			c->bad = 1;
			c->why = "unknown ops";
		}
		x->ops = (enum dtr_ops)ops;
		x->min_nr_regions = dtr_cur_varint(c);
		x->max_nr_regions = dtr_cur_varint(c);
		uint64_t n = dtr_cur_varint(c);
		if (c->bad)
			break;
		if ((ret = grow((void **)&d->targets, &d->targets_cap, n, sizeof(*d->targets), c, 4)))
			break;
		for (uint64_t i = 0; i < n; i++) {
			d->targets[i].index = cur_u32(c);
			d->targets[i].id = dtr_cur_varint(c);
			d->targets[i].pid = dtr_unzigzag(dtr_cur_varint(c));
			d->targets[i].cmdline = cur_string(c);
		}
		x->nr_targets = n;
		x->targets = d->targets;
		break;
	}
	case DTR_ITEM_INTERVALS: {
		struct dtr_intervals *v = &item->u.intervals;
		v->kdamond = cur_u32(c);
		v->context = cur_u32(c);
		v->time_ns = dtr_cur_varint(c);
		v->sample_us = dtr_cur_varint(c);
		v->aggr_us = dtr_cur_varint(c);
		v->update_us = dtr_cur_varint(c);
		break;
	}
	case DTR_ITEM_CLOCKS: {
		struct dtr_clocks *k = &item->u.clocks;
		uint64_t clock = dtr_cur_varint(c);
		if (clock > DTR_CLOCK_BOOTTIME && !c->bad) {
			c->bad = 1;
			c->why = "unknown clock";
		}
		k->clock = (enum dtr_clock)clock;
		k->label = cur_string(c);
		k->has = cur_u32(c);
		k->monotonic_ns = dtr_cur_varint(c);
		k->perf_ns = dtr_cur_varint(c);
		k->realtime_ns = dtr_cur_varint(c);
		break;
	}
	case DTR_ITEM_SNAPSHOT:
		ret = decode_snapshot(d, c, &item->u.snapshot);
		break;
	case DTR_ITEM_FRAME: {
		struct dtr_frame *f = &item->u.frame;
		f->id = cur_u32(c);
		f->symbol = cur_string(c);
		f->dso = cur_string(c);
		f->srcline = cur_string(c);
		break;
	}
	case DTR_ITEM_STACK: {
		struct dtr_stack *s = &item->u.stack;
		s->time_ns = d->cs.stack_time + (uint64_t)dtr_unzigzag(dtr_cur_varint(c));
		s->pid = cur_s32(c);
		s->tid = cur_s32(c);
		s->cpu = cur_u32(c);
		s->weight = dtr_cur_varint(c);
		uint64_t n = dtr_cur_varint(c);
		if (c->bad)
			break;
		if (n > UINT32_MAX) {
			ret = -EBADMSG;
			break;
		}
		if ((ret = grow((void **)&d->frames, &d->frames_cap, n, sizeof(*d->frames), c, 1)))
			break;
		for (uint64_t i = 0; i < n; i++)
			d->frames[i] = cur_u32(c);
		s->nr_frames = (uint32_t)n;
		s->frames = d->frames;
		break;
	}
	case DTR_ITEM_THREAD: {
		struct dtr_thread *t = &item->u.thread;
		t->pid = cur_s32(c);
		t->tid = cur_s32(c);
		t->comm = cur_string(c);
		break;
	}
	case DTR_ITEM_MAPS: {
		struct dtr_maps *m = &item->u.maps;
		m->time_ns = dtr_cur_varint(c);
		m->pid = cur_s32(c);
		uint64_t n = dtr_cur_varint(c);
		if (c->bad)
			break;
		if ((ret = grow((void **)&d->maps, &d->maps_cap, n, sizeof(*d->maps), c, 7)))
			break;
		for (uint64_t i = 0; i < n && !c->bad; i++) {
			struct dtr_map_entry *e = &d->maps[i];
			e->start = dtr_cur_varint(c);
			uint64_t size = dtr_cur_varint(c);
			if (size > UINT64_MAX - e->start && !c->bad) {
				c->bad = 1;
				c->why = "map entry end out of range";
			}
			e->end = e->start + size;
			e->offset = dtr_cur_varint(c);
			const char *perms = cur_string(c);
			size_t pl = strlen(perms);
			if (pl > 4 && !c->bad) {
				c->bad = 1;
				c->why = "map permissions longer than 4";
			}
			memset(e->perms, 0, sizeof(e->perms));
			memcpy(e->perms, perms, pl > 4 ? 4 : pl);
			e->path = cur_string(c);
		}
		m->nr = n;
		m->entries = d->maps;
		break;
	}
	case DTR_ITEM_FOOTPRINT:
		decode_footprint(c, &item->u.footprint);
		break;
	default:
		return 0;
	}
	if (ret == -ENOMEM)
		return ret;
	if (ret || c->bad) {
		*why = c->why ? c->why : "count larger than the item";
		return -EBADMSG;
	}
	item->type = (enum dtr_item_type)type;
	if (item->type == DTR_ITEM_SNAPSHOT)
		d->cs.snapshot_end = item->u.snapshot.end_ns;
	else if (item->type == DTR_ITEM_STACK)
		d->cs.stack_time = item->u.stack.time_ns;
	return 1;
}

void dtr_decoder_free(struct dtr_decoder *d)
{
	free(d->kvs);
	free(d->targets);
	free(d->regions);
	free(d->frames);
	free(d->maps);
	memset(d, 0, sizeof(*d));
}

/* ---------------------------------------------------------- end, index */

int dtr_encode_end(struct dtr_buf *b, const struct dtr_end *end)
{
	if (dtr_buf_reserve(b, 30))
		return -ENOMEM;
	dtr_buf_varint(b, end->nr_snapshots);
	dtr_buf_varint(b, end->nr_regions);
	dtr_buf_varint(b, end->nr_stacks);
	return 0;
}

int dtr_decode_end(const unsigned char *p, size_t len, struct dtr_end *end)
{
	struct dtr_cursor c = { p, p + len, 0, NULL };

	end->nr_snapshots = dtr_cur_varint(&c);
	end->nr_regions = dtr_cur_varint(&c);
	end->nr_stacks = dtr_cur_varint(&c);
	return c.bad ? -EBADMSG : 0;
}

int dtr_encode_index(struct dtr_buf *b, const struct dtr_index_entry *e, size_t nr)
{
	uint64_t prev_end = DTR_HEADER_SIZE;

	if (nr > SIZE_MAX / 60 || dtr_buf_reserve(b, 10 + nr * 50))
		return -ENOMEM;
	dtr_buf_varint(b, nr);
	for (size_t i = 0; i < nr; i++) {
		dtr_buf_varint(b, e[i].offset - prev_end);
		dtr_buf_varint(b, e[i].length);
		dtr_buf_varint(b, e[i].flags);
		dtr_buf_varint(b, e[i].t_min);
		dtr_buf_varint(b, e[i].t_max - e[i].t_min);
		prev_end = e[i].offset + e[i].length;
	}
	return 0;
}

long dtr_decode_index(const unsigned char *p, size_t len, uint64_t max_offset,
		      struct dtr_index_entry **entries)
{
	struct dtr_cursor c = { p, p + len, 0, NULL };
	uint64_t prev_end = DTR_HEADER_SIZE;
	uint64_t n = dtr_cur_varint(&c);

	*entries = NULL;
	if (c.bad || n > len / 5)
		return -EBADMSG;
	struct dtr_index_entry *e = calloc(n ? n : 1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	for (uint64_t i = 0; i < n; i++) {
		uint64_t gap = dtr_cur_varint(&c), length = dtr_cur_varint(&c);
		e[i].flags = cur_u32(&c);
		e[i].t_min = dtr_cur_varint(&c);
		uint64_t span = dtr_cur_varint(&c);
		if (c.bad || gap > max_offset || length > max_offset ||
		    prev_end + gap > max_offset - length ||
		    span > UINT64_MAX - e[i].t_min) {
			free(e);
			return -EBADMSG;
		}
		e[i].offset = prev_end + gap;
		e[i].length = length;
		e[i].t_max = e[i].t_min + span;
		prev_end = e[i].offset + length;
	}
	*entries = e;
	return (long)n;
}
