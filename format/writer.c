// SPDX-License-Identifier: GPL-2.0-only
/*
 * Record writer.  Items are encoded into a pending buffer that becomes one
 * DATA chunk when it reaches chunk_bytes or when flush_ms has passed since
 * its first item.  Every chunk goes out in a single write() and the file is
 * only ever appended to, so a writer killed at any point leaves a record
 * that is readable up to its last complete chunk.  The close appends the
 * time index, the END chunk and the trailer.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zstd.h>

#include "dtr-int.h"

#define DEFAULT_CHUNK_BYTES (1u << 20)
#define DEFAULT_FLUSH_MS 1000
#define DEFAULT_ZSTD_LEVEL 3
/* Past this many index entries, neighbours merge: the index stays small
 * however long the recording runs. */
#define MAX_INDEX_ENTRIES 65536

struct intern_slot {
	char *key; /* symbol NUL dso NUL srcline NUL */
	size_t key_len;
	uint64_t hash;
	uint32_t id;
};

struct dtr_writer {
	int fd;
	int own_fd;
	off_t base; /* file offset of the header; -1 when not seekable */
	char *name;
	int zstd_level;
	size_t chunk_bytes;
	uint64_t flush_ns;
	int no_fsync;
	ZSTD_CCtx *cctx;
	struct dtr_buf raw; /* items of the pending chunk */
	struct dtr_chunk_state cs;
	struct dtr_buf out; /* chunk being written */
	uint64_t offset;    /* bytes written */
	uint64_t pending_since_ns;
	/* what the pending chunk holds, for the index */
	uint64_t t_min, t_max;
	uint32_t chunk_flags;
	struct dtr_index_entry *index;
	size_t nr_index, cap_index;
	struct dtr_end totals;
	uint32_t nr_frames;
	struct intern_slot *slots;
	size_t cap_slots;
	int failed; /* negative errno of an earlier write failure */
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int write_all(struct dtr_writer *w, const unsigned char *p, size_t len,
		     char *err, size_t errlen)
{
	uint64_t at = w->offset;

	while (len) {
		ssize_t n = write(w->fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			dtr_seterr(err, errlen, "%s: write at offset %llu: %s", w->name,
				   (unsigned long long)at, strerror(e));
			w->failed = -e;
			return -e;
		}
		p += n;
		len -= (size_t)n;
		at += (uint64_t)n;
		w->offset = at;
	}
	return 0;
}

static int write_chunk(struct dtr_writer *w, uint16_t type, const unsigned char *raw,
		       size_t raw_len, char *err, size_t errlen)
{
	size_t bound = ZSTD_compressBound(raw_len);

	w->out.len = 0;
	if (dtr_buf_reserve(&w->out, DTR_CHUNK_HEADER_SIZE + bound)) {
		dtr_seterr(err, errlen, "%s: out of memory for a chunk of %zu bytes",
			   w->name, raw_len);
		return -ENOMEM;
	}
	size_t n = ZSTD_compressCCtx(w->cctx, w->out.p + DTR_CHUNK_HEADER_SIZE, bound,
				     raw, raw_len, w->zstd_level);
	if (ZSTD_isError(n)) {
		dtr_seterr(err, errlen, "%s: zstd: %s", w->name, ZSTD_getErrorName(n));
		return -EIO;
	}
	unsigned char *h = w->out.p;
	memcpy(h, DTR_CHUNK_SYNC, 4);
	dtr_put_le16(h + 4, type);
	dtr_put_le16(h + 6, 0);
	dtr_put_le32(h + 8, (uint32_t)n);
	dtr_put_le32(h + 12, (uint32_t)raw_len);
	dtr_put_le32(h + 16, dtr_crc32c(0, h + DTR_CHUNK_HEADER_SIZE, n));
	dtr_put_le32(h + 20, dtr_crc32c(0, h, 20));
	uint64_t at = w->offset;
	int ret = write_all(w, h, DTR_CHUNK_HEADER_SIZE + n, err, errlen);
	/* A chunk cut short (a full disk) is taken back, so that the record
	 * ends with its last complete chunk rather than with damage. */
	if (ret && w->offset != at && w->base >= 0 &&
	    !ftruncate(w->fd, w->base + (off_t)at))
		w->offset = at;
	return ret;
}

static void index_merge_pairs(struct dtr_writer *w)
{
	size_t j = 0;

	for (size_t i = 0; i < w->nr_index; i += 2, j++) {
		struct dtr_index_entry e = w->index[i];
		if (i + 1 < w->nr_index) {
			const struct dtr_index_entry *b = &w->index[i + 1];
			e.length = b->offset + b->length - e.offset;
			if (b->flags & DTR_INDEX_TIMED) {
				if (!(e.flags & DTR_INDEX_TIMED)) {
					e.t_min = b->t_min;
					e.t_max = b->t_max;
				}
				if (b->t_min < e.t_min)
					e.t_min = b->t_min;
				if (b->t_max > e.t_max)
					e.t_max = b->t_max;
			}
			e.flags |= b->flags;
		}
		w->index[j] = e;
	}
	w->nr_index = j;
}

static int index_add(struct dtr_writer *w, uint64_t offset, uint64_t length)
{
	if (w->nr_index == MAX_INDEX_ENTRIES)
		index_merge_pairs(w);
	if (w->nr_index == w->cap_index) {
		size_t cap = w->cap_index ? w->cap_index * 2 : 64;
		struct dtr_index_entry *p = realloc(w->index, cap * sizeof(*p));
		if (!p)
			return -ENOMEM;
		w->index = p;
		w->cap_index = cap;
	}
	struct dtr_index_entry *e = &w->index[w->nr_index++];
	e->offset = offset;
	e->length = length;
	e->flags = w->chunk_flags;
	e->t_min = (w->chunk_flags & DTR_INDEX_TIMED) ? w->t_min : 0;
	e->t_max = (w->chunk_flags & DTR_INDEX_TIMED) ? w->t_max : 0;
	return 0;
}

/* Writes the pending bytes (`len`, all of them) as a DATA chunk. */
static int flush_prefix(struct dtr_writer *w, size_t len, char *err, size_t errlen)
{
	uint64_t at = w->offset;
	int ret = write_chunk(w, DTR_CHUNK_DATA, w->raw.p, len, err, errlen);

	if (ret)
		return ret;
	if (index_add(w, at, w->offset - at)) {
		dtr_seterr(err, errlen, "%s: out of memory for the index", w->name);
		return -ENOMEM;
	}
	w->raw.len = 0;
	memset(&w->cs, 0, sizeof(w->cs));
	w->chunk_flags = 0;
	w->t_min = UINT64_MAX;
	w->t_max = 0;
	w->pending_since_ns = w->raw.len ? now_ns() : 0;
	return 0;
}

int dtr_writer_flush(struct dtr_writer *w, char *err, size_t errlen)
{
	if (w->failed) {
		dtr_seterr(err, errlen, "%s: an earlier write failed: %s", w->name,
			   strerror(-w->failed));
		return w->failed;
	}
	if (!w->raw.len)
		return 0;
	return flush_prefix(w, w->raw.len, err, errlen);
}

static int open_common(struct dtr_writer **wp, int fd, int own_fd, const char *name,
		       const struct dtr_writer_opts *opts, char *err, size_t errlen)
{
	struct dtr_writer *w = calloc(1, sizeof(*w));
	unsigned char header[DTR_HEADER_SIZE];

	*wp = NULL;
	if (!w || !(w->name = strdup(name ? name : "(fd)")) ||
	    !(w->cctx = ZSTD_createCCtx())) {
		dtr_seterr(err, errlen, "%s: out of memory", name ? name : "(fd)");
		if (w) {
			free(w->name);
			free(w);
		}
		if (own_fd)
			close(fd);
		return -ENOMEM;
	}
	w->fd = fd;
	w->own_fd = own_fd;
	struct stat sb;
	w->base = !fstat(fd, &sb) && S_ISREG(sb.st_mode) ? lseek(fd, 0, SEEK_CUR) : -1;
	w->zstd_level = opts && opts->zstd_level ? opts->zstd_level : DEFAULT_ZSTD_LEVEL;
	w->chunk_bytes = opts && opts->chunk_bytes ? opts->chunk_bytes : DEFAULT_CHUNK_BYTES;
	if (w->chunk_bytes > DTR_MAX_CHUNK_RAW)
		w->chunk_bytes = DTR_MAX_CHUNK_RAW;
	w->flush_ns = (uint64_t)(opts && opts->flush_ms ? opts->flush_ms : DEFAULT_FLUSH_MS) *
		      1000000ull;
	w->no_fsync = opts ? opts->no_fsync : 0;
	w->t_min = UINT64_MAX;
	memcpy(header, DTR_MAGIC, DTR_MAGIC_LEN);
	dtr_put_le16(header + 8, DTR_VERSION_MAJOR);
	dtr_put_le16(header + 10, DTR_VERSION_MINOR);
	dtr_put_le32(header + 12, dtr_crc32c(0, header, 12));
	int ret = write_all(w, header, sizeof(header), err, errlen);
	if (ret) {
		dtr_writer_abort(w);
		return ret;
	}
	*wp = w;
	return 0;
}

int dtr_writer_open(struct dtr_writer **w, const char *path,
		    const struct dtr_writer_opts *opts, char *err, size_t errlen)
{
	int flags = O_WRONLY | O_CREAT | O_CLOEXEC;
	mode_t mode = opts && opts->mode ? (mode_t)opts->mode : 0644;

	*w = NULL;
	flags |= opts && opts->exclusive ? O_EXCL | O_NOFOLLOW : O_TRUNC;
	int fd = open(path, flags, mode);
	if (fd < 0) {
		int e = errno;
		dtr_seterr(err, errlen, "%s: cannot create: %s", path, strerror(e));
		return -e;
	}
	return open_common(w, fd, 1, path, opts, err, errlen);
}

int dtr_writer_open_fd(struct dtr_writer **w, int fd, const char *name,
		       const struct dtr_writer_opts *opts, char *err, size_t errlen)
{
	return open_common(w, fd, 0, name, opts, err, errlen);
}

static uint64_t intern_hash(const char *key, size_t len)
{
	uint64_t h = 1469598103934665603ull;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)key[i]) * 1099511628211ull;
	return h;
}

static char *intern_key(const char *symbol, const char *dso, const char *srcline,
			size_t *len)
{
	size_t a = strlen(symbol), b = strlen(dso), c = strlen(srcline);
	char *k = malloc(a + b + c + 3);

	if (!k)
		return NULL;
	memcpy(k, symbol, a + 1);
	memcpy(k + a + 1, dso, b + 1);
	memcpy(k + a + b + 2, srcline, c + 1);
	*len = a + b + c + 3;
	return k;
}

static struct intern_slot *intern_find(struct dtr_writer *w, const char *key,
				       size_t len, uint64_t hash)
{
	size_t mask = w->cap_slots - 1;

	for (size_t i = hash & mask;; i = (i + 1) & mask) {
		struct intern_slot *s = &w->slots[i];
		if (!s->key || (s->hash == hash && s->key_len == len && !memcmp(s->key, key, len)))
			return s;
	}
}

static int intern_grow(struct dtr_writer *w)
{
	if ((size_t)w->nr_frames * 2 < w->cap_slots)
		return 0;
	size_t cap = w->cap_slots ? w->cap_slots * 2 : 1024;
	struct intern_slot *old = w->slots;
	size_t old_cap = w->cap_slots;
	w->slots = calloc(cap, sizeof(*w->slots));
	if (!w->slots) {
		w->slots = old;
		return -ENOMEM;
	}
	w->cap_slots = cap;
	for (size_t i = 0; i < old_cap; i++)
		if (old[i].key)
			*intern_find(w, old[i].key, old[i].key_len, old[i].hash) = old[i];
	free(old);
	return 0;
}

/* Remembers a frame; the slot `s` (from intern_find) must be free. */
static int intern_insert(struct dtr_writer *w, char *key, size_t len, uint64_t hash,
			 uint32_t id)
{
	struct intern_slot *s = intern_find(w, key, len, hash);

	s->key = key;
	s->key_len = len;
	s->hash = hash;
	s->id = id;
	return 0;
}

static void note_time(struct dtr_writer *w, uint64_t t_min, uint64_t t_max)
{
	w->chunk_flags |= DTR_INDEX_TIMED;
	if (t_min < w->t_min)
		w->t_min = t_min;
	if (t_max > w->t_max)
		w->t_max = t_max;
}

static int put_encoded(struct dtr_writer *w, const struct dtr_item *item, char *err,
		       size_t errlen)
{
	size_t before = w->raw.len;
	struct dtr_chunk_state saved = w->cs;
	int ret = dtr_encode_item(&w->raw, &w->cs, item, err, errlen);

	if (ret) {
		if (ret == -ENOMEM) {
			dtr_seterr(err, errlen, "%s: out of memory for a %s item", w->name,
				   dtr_item_type_name(item->type));
		} else if (err && errlen) {
			char why[256];
			snprintf(why, sizeof(why), "%s", err);
			dtr_seterr(err, errlen, "%s: %s", w->name, why);
		}
		return ret;
	}
	size_t item_len = w->raw.len - before;
	if (item_len > DTR_MAX_CHUNK_RAW) {
		w->raw.len = before;
		w->cs = saved;
		dtr_seterr(err, errlen, "%s: %s item of %zu bytes exceeds the chunk limit",
			   w->name, dtr_item_type_name(item->type), item_len);
		return -E2BIG;
	}
	if (w->raw.len > DTR_MAX_CHUNK_RAW) {
		/* The item opens the next chunk, encoded against its fresh state. */
		w->raw.len = before;
		w->cs = saved;
		if ((ret = flush_prefix(w, before, err, errlen)) ||
		    (ret = dtr_encode_item(&w->raw, &w->cs, item, err, errlen)))
			return ret;
	}
	if (!w->pending_since_ns || w->raw.len == item_len)
		w->pending_since_ns = now_ns();
	switch (item->type) {
	case DTR_ITEM_SNAPSHOT:
		note_time(w, item->u.snapshot.start_ns, item->u.snapshot.end_ns);
		w->totals.nr_snapshots++;
		w->totals.nr_regions += item->u.snapshot.nr_regions;
		break;
	case DTR_ITEM_STACK:
		note_time(w, item->u.stack.time_ns, item->u.stack.time_ns);
		w->totals.nr_stacks++;
		break;
	default:
		w->chunk_flags |= DTR_INDEX_UNTIMED;
		break;
	}
	if (w->raw.len >= w->chunk_bytes || now_ns() - w->pending_since_ns >= w->flush_ns)
		return flush_prefix(w, w->raw.len, err, errlen);
	return 0;
}

int dtr_writer_put(struct dtr_writer *w, const struct dtr_item *item, char *err,
		   size_t errlen)
{
	if (w->failed) {
		dtr_seterr(err, errlen, "%s: an earlier write failed: %s", w->name,
			   strerror(-w->failed));
		return w->failed;
	}
	if (item->type == DTR_ITEM_END) {
		dtr_seterr(err, errlen, "%s: the end marker is written by dtr_writer_close",
			   w->name);
		return -EINVAL;
	}
	if (item->type == DTR_ITEM_FRAME) {
		const struct dtr_frame *f = &item->u.frame;
		const char *sym = f->symbol ? f->symbol : "", *dso = f->dso ? f->dso : "";
		const char *src = f->srcline ? f->srcline : "";
		if (f->id != w->nr_frames) {
			dtr_seterr(err, errlen, "%s: frame id %u out of order (expected %u)",
				   w->name, f->id, w->nr_frames);
			return -EINVAL;
		}
		if (intern_grow(w))
			goto nomem;
		size_t len;
		char *key = intern_key(sym, dso, src, &len);
		if (!key)
			goto nomem;
		uint64_t hash = intern_hash(key, len);
		struct intern_slot *s = intern_find(w, key, len, hash);
		int ret = put_encoded(w, item, err, errlen);
		if (ret) {
			free(key);
			return ret;
		}
		/* A frame put twice keeps its first id for interning. */
		if (!s->key)
			intern_insert(w, key, len, hash, f->id);
		else
			free(key);
		w->nr_frames++;
		return 0;
	}
	if (item->type == DTR_ITEM_STACK) {
		const struct dtr_stack *s = &item->u.stack;
		for (uint32_t i = 0; i < s->nr_frames && s->frames; i++)
			if (s->frames[i] >= w->nr_frames) {
				dtr_seterr(err, errlen,
					   "%s: stack refers to frame %u, not yet written",
					   w->name, s->frames[i]);
				return -EINVAL;
			}
	}
	return put_encoded(w, item, err, errlen);
nomem:
	dtr_seterr(err, errlen, "%s: out of memory interning frames", w->name);
	return -ENOMEM;
}

int dtr_writer_intern_frame(struct dtr_writer *w, const char *symbol, const char *dso,
			    const char *srcline, uint32_t *id, char *err, size_t errlen)
{
	size_t len;
	char *key;

	symbol = symbol ? symbol : "[unknown]";
	dso = dso ? dso : "";
	srcline = srcline ? srcline : "";
	if (intern_grow(w) || !(key = intern_key(symbol, dso, srcline, &len))) {
		dtr_seterr(err, errlen, "%s: out of memory interning frames", w->name);
		return -ENOMEM;
	}
	uint64_t hash = intern_hash(key, len);
	struct intern_slot *s = intern_find(w, key, len, hash);
	free(key);
	if (s->key) {
		*id = s->id;
		return 0;
	}
	struct dtr_item it = { .type = DTR_ITEM_FRAME };
	it.u.frame.id = w->nr_frames;
	it.u.frame.symbol = symbol;
	it.u.frame.dso = dso;
	it.u.frame.srcline = srcline;
	int ret = dtr_writer_put(w, &it, err, errlen);
	if (!ret)
		*id = it.u.frame.id;
	return ret;
}

static void writer_free(struct dtr_writer *w)
{
	if (w->own_fd && w->fd >= 0)
		close(w->fd);
	for (size_t i = 0; i < w->cap_slots; i++)
		free(w->slots[i].key);
	free(w->slots);
	free(w->index);
	dtr_buf_free(&w->raw);
	dtr_buf_free(&w->out);
	ZSTD_freeCCtx(w->cctx);
	free(w->name);
	free(w);
}

int dtr_writer_close(struct dtr_writer *w, char *err, size_t errlen)
{
	struct dtr_buf payload = { 0 };
	unsigned char trailer[DTR_TRAILER_SIZE];
	int ret;

	if (!w)
		return 0;
	if ((ret = dtr_writer_flush(w, err, errlen)))
		goto out;
	uint64_t index_offset = w->offset;
	if (dtr_encode_index(&payload, w->index, w->nr_index)) {
		ret = -ENOMEM;
		dtr_seterr(err, errlen, "%s: out of memory for the index", w->name);
		goto out;
	}
	if ((ret = write_chunk(w, DTR_CHUNK_INDEX, payload.p, payload.len, err, errlen)))
		goto out;
	payload.len = 0;
	if (dtr_encode_end(&payload, &w->totals)) {
		ret = -ENOMEM;
		dtr_seterr(err, errlen, "%s: out of memory", w->name);
		goto out;
	}
	if ((ret = write_chunk(w, DTR_CHUNK_END, payload.p, payload.len, err, errlen)))
		goto out;
	dtr_put_le64(trailer, index_offset);
	memcpy(trailer + 8, DTR_TRAILER_MAGIC, 4);
	dtr_put_le32(trailer + 12, dtr_crc32c(0, trailer, 12));
	if ((ret = write_all(w, trailer, sizeof(trailer), err, errlen)))
		goto out;
	if (!w->no_fsync && fsync(w->fd) && errno != EINVAL && errno != EROFS &&
	    errno != ENOTSUP) {
		ret = -errno;
		dtr_seterr(err, errlen, "%s: fsync: %s", w->name, strerror(errno));
		goto out;
	}
	if (w->own_fd) {
		int fd = w->fd;
		w->fd = -1;
		if (close(fd)) {
			ret = -errno;
			dtr_seterr(err, errlen, "%s: close: %s", w->name, strerror(errno));
		}
	}
out:
	dtr_buf_free(&payload);
	writer_free(w);
	return ret;
}

void dtr_writer_abort(struct dtr_writer *w)
{
	if (!w)
		return;
	if (!w->failed)
		dtr_writer_flush(w, NULL, 0);
	writer_free(w);
}
