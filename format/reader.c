// SPDX-License-Identifier: GPL-2.0-only
/*
 * Streaming record reader.  Memory is bounded by the largest chunk: one
 * compressed payload and its decompressed items are held at a time.  The
 * reader never needs to seek; when it can (a regular file) and a time range
 * is asked for, it reads the index from the tail and skips the chunks that
 * hold only items outside the range.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include "dtr-int.h"

#define INPUT_BUFFER 65536

struct dtr_reader {
	int fd;
	int own_fd;
	char *name;
	struct dtr_reader_opts opts;
	int time_filter;
	/* input: the caller's prefix first, then the descriptor */
	unsigned char *prefix;
	size_t prefix_len, prefix_pos;
	unsigned char *ibuf;
	size_t ibuf_len, ibuf_pos;
	uint64_t pos; /* file offset of the next byte to consume */
	int seekable;
	int size_known;
	ZSTD_DCtx *dctx;
	struct dtr_buf payload;
	struct dtr_buf raw;
	size_t raw_pos;
	int in_data;
	uint64_t chunk_offset;
	struct dtr_decoder dec;
	uint32_t nr_frames;
	struct dtr_index_entry *index;
	size_t nr_index, next_index;
	struct dtr_end end;
	int end_pending;
	/* dtr_verify only: what each chunk before the INDEX chunk holds, to
	 * check the index against; where the INDEX chunk was; the counts
	 * before the current DATA chunk (damage inside it is not valid). */
	int verify;
	struct vchunk {
		uint64_t offset, length, t_min, t_max;
		uint32_t flags;
		int data;
	} *vchunks;
	size_t nr_vchunks, cap_vchunks;
	uint64_t index_offset;
	int index_seen, last_was_index;
	uint64_t chunk_snapshots, chunk_regions, chunk_stacks;
	int done;
	int error;           /* sticky negative errno */
	char errmsg[512];    /* message of the sticky error */
	struct dtr_reader_status st;
};

/* Up to n bytes of buf[*pos, len) into dst, *pos moved past them; how
 * many. */
static size_t drain(unsigned char *dst, size_t n, const unsigned char *buf, size_t *pos,
		    size_t len)
{
	size_t k = len - *pos < n ? len - *pos : n;

	if (k)
		memcpy(dst, buf + *pos, k);
	*pos += k;
	return k;
}

/* Reads up to n bytes; returns how many (less only at end of file) or -errno. */
static ssize_t input_read(struct dtr_reader *r, unsigned char *dst, size_t n)
{
	size_t got = 0;

	while (got < n) {
		if (r->prefix_pos < r->prefix_len) {
			got += drain(dst + got, n - got, r->prefix, &r->prefix_pos, r->prefix_len);
			continue;
		}
		if (r->ibuf_pos < r->ibuf_len) {
			got += drain(dst + got, n - got, r->ibuf, &r->ibuf_pos, r->ibuf_len);
			continue;
		}
		ssize_t k;
		if (n - got >= INPUT_BUFFER)
			k = read(r->fd, dst + got, n - got);
		else
			k = read(r->fd, r->ibuf, INPUT_BUFFER);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (k == 0)
			break;
		if (n - got >= INPUT_BUFFER) {
			got += (size_t)k;
		} else {
			r->ibuf_len = (size_t)k;
			r->ibuf_pos = 0;
		}
	}
	r->pos += got;
	return (ssize_t)got;
}

static int input_seek(struct dtr_reader *r, uint64_t offset)
{
	if (lseek(r->fd, (off_t)offset, SEEK_SET) < 0)
		return -errno;
	r->prefix_pos = r->prefix_len;
	r->ibuf_pos = r->ibuf_len = 0;
	r->pos = offset;
	return 0;
}

static int fail(struct dtr_reader *r, int error, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct dtr_reader *r, int error, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	dtr_vseterr(r->errmsg, sizeof(r->errmsg), fmt, ap);
	va_end(ap);
	r->error = error;
	return error;
}

static int check_chunk_header(const unsigned char *h, uint16_t *type, uint32_t *plen,
			      uint32_t *raw_len);

/* Where the next chunk with an intact header starts after a damaged one
 * (found through the sync marker), so that the damaged span can be named;
 * 0 when there is none or the input cannot be searched. */
static uint64_t next_intact_chunk(const struct dtr_reader *r, uint64_t after)
{
	unsigned char buf[65536 + DTR_CHUNK_HEADER_SIZE];
	uint64_t at = after + 1, size = r->st.file_bytes;

	if (!r->seekable)
		return 0;
	while (at + DTR_CHUNK_HEADER_SIZE <= size) {
		size_t want = sizeof(buf);
		if (want > size - at)
			want = (size_t)(size - at);
		ssize_t n = pread(r->fd, buf, want, (off_t)at);
		if (n < DTR_CHUNK_HEADER_SIZE)
			return 0;
		for (size_t i = 0; i + DTR_CHUNK_HEADER_SIZE <= (size_t)n; i++) {
			uint16_t type;
			uint32_t plen, raw_len;
			if (buf[i] == 'D' && !check_chunk_header(buf + i, &type, &plen, &raw_len) &&
			    plen <= size - (at + i) - DTR_CHUNK_HEADER_SIZE)
				return at + i;
		}
		at += (uint64_t)n - DTR_CHUNK_HEADER_SIZE + 1;
	}
	return 0;
}

/* Damage at `offset`: a quiet end with salvage, else an error that says
 * what is recoverable. */
static int damage(struct dtr_reader *r, uint64_t offset, const char *what)
{
	char next[96] = "";

	r->st.damaged = 1;
	r->st.damage_offset = offset;
	r->in_data = 0;
	r->end_pending = 0;
	if (r->opts.salvage) {
		r->done = 1;
		return 0;
	}
	uint64_t resume = next_intact_chunk(r, offset);
	if (resume)
		snprintf(next, sizeof(next), "; the next intact chunk starts at offset %llu",
			 (unsigned long long)resume);
	return fail(r, -EBADMSG,
		    "%s: %s at offset %llu; the first %llu bytes (%llu chunks, "
		    "%llu snapshots, %llu stacks) are valid%s",
		    r->name, what, (unsigned long long)offset,
		    (unsigned long long)r->st.valid_bytes,
		    (unsigned long long)r->st.nr_chunks,
		    (unsigned long long)r->st.nr_snapshots,
		    (unsigned long long)r->st.nr_stacks, next);
}

/* Damage inside the DATA chunk being decoded: the chunk is not part of the
 * valid prefix, whatever its checksum said. */
static int damage_in_chunk(struct dtr_reader *r, const char *what)
{
	r->st.valid_bytes = r->chunk_offset;
	if (r->st.nr_chunks)
		r->st.nr_chunks--;
	r->st.nr_snapshots = r->chunk_snapshots;
	r->st.nr_regions = r->chunk_regions;
	r->st.nr_stacks = r->chunk_stacks;
	int ret = damage(r, r->chunk_offset, what);
	return ret ? ret : -1;
}

static int io_error(struct dtr_reader *r, int e)
{
	return fail(r, e, "%s: read at offset %llu: %s", r->name,
		    (unsigned long long)r->pos, strerror(-e));
}

static int decompress(struct dtr_reader *r, const unsigned char *src, size_t len,
		      uint32_t raw_len, struct dtr_buf *dst)
{
	unsigned long long content = ZSTD_getFrameContentSize(src, len);

	if (content != raw_len || ZSTD_findFrameCompressedSize(src, len) != len)
		return -EBADMSG;
	dst->len = 0;
	if (dtr_buf_reserve(dst, raw_len ? raw_len : 1))
		return -ENOMEM;
	size_t n = ZSTD_decompressDCtx(r->dctx, dst->p, raw_len, src, len);
	if (ZSTD_isError(n) || n != raw_len)
		return -EBADMSG;
	dst->len = n;
	return 0;
}

/* Payload of a checksummed chunk from a positioned read (index, trailer). */
static int pread_exact(int fd, void *dst, size_t n, uint64_t offset)
{
	size_t got = 0;

	while (got < n) {
		ssize_t k = pread(fd, (char *)dst + got, n - got, (off_t)(offset + got));
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		got += (size_t)k;
	}
	return 0;
}

static int check_chunk_header(const unsigned char *h, uint16_t *type, uint32_t *plen,
			      uint32_t *raw_len)
{
	if (memcmp(h, DTR_CHUNK_SYNC, 4) || dtr_get_le32(h + 20) != dtr_crc32c(0, h, 20))
		return -1;
	*type = dtr_get_le16(h + 4);
	*plen = dtr_get_le32(h + 8);
	*raw_len = dtr_get_le32(h + 12);
	if (*raw_len > DTR_MAX_CHUNK_RAW || *plen > ZSTD_compressBound(DTR_MAX_CHUNK_RAW))
		return -1;
	return 0;
}

/* Loads the time index through the trailer; any problem means no index. */
static void load_index(struct dtr_reader *r)
{
	unsigned char t[DTR_TRAILER_SIZE], h[DTR_CHUNK_HEADER_SIZE];
	uint64_t size = r->st.file_bytes;
	struct dtr_buf payload = { 0 }, raw = { 0 };
	uint16_t type;
	uint32_t plen, raw_len;

	if (size < DTR_HEADER_SIZE + DTR_TRAILER_SIZE + DTR_CHUNK_HEADER_SIZE ||
	    pread_exact(r->fd, t, sizeof(t), size - DTR_TRAILER_SIZE) ||
	    memcmp(t + 8, DTR_TRAILER_MAGIC, 4) || dtr_get_le32(t + 12) != dtr_crc32c(0, t, 12))
		return;
	uint64_t at = dtr_get_le64(t);
	if (at < DTR_HEADER_SIZE || at > size - DTR_TRAILER_SIZE - DTR_CHUNK_HEADER_SIZE ||
	    pread_exact(r->fd, h, sizeof(h), at) || check_chunk_header(h, &type, &plen, &raw_len) ||
	    type != DTR_CHUNK_INDEX || plen > size - at - DTR_CHUNK_HEADER_SIZE)
		return;
	if (dtr_buf_reserve(&payload, plen ? plen : 1) ||
	    pread_exact(r->fd, payload.p, plen, at + DTR_CHUNK_HEADER_SIZE) ||
	    dtr_get_le32(h + 16) != dtr_crc32c(0, payload.p, plen) ||
	    decompress(r, payload.p, plen, raw_len, &raw))
		goto out;
	struct dtr_index_entry *e;
	long n = dtr_decode_index(raw.p, raw.len, at, &e);
	if (n >= 0) {
		r->index = e;
		r->nr_index = (size_t)n;
		r->st.used_index = 1;
	}
out:
	dtr_buf_free(&payload);
	dtr_buf_free(&raw);
}

static int open_common(struct dtr_reader **rp, int fd, int own_fd, const char *name,
		       const void *prefix, size_t prefix_len,
		       const struct dtr_reader_opts *opts, char *err, size_t errlen)
{
	struct dtr_reader *r = calloc(1, sizeof(*r));
	unsigned char h[DTR_HEADER_SIZE];
	struct stat sb;
	int ret;

	*rp = NULL;
	name = name ? name : "(fd)";
	if (!r || !(r->name = strdup(name)) || !(r->ibuf = malloc(INPUT_BUFFER)) ||
	    !(r->dctx = ZSTD_createDCtx()) ||
	    (prefix_len && !(r->prefix = malloc(prefix_len)))) {
		dtr_seterr(err, errlen, "%s: out of memory", name);
		ret = -ENOMEM;
		goto bad;
	}
	r->fd = fd;
	r->own_fd = own_fd;
	if (opts)
		r->opts = *opts;
	r->time_filter = r->opts.time_from_ns || r->opts.time_to_ns;
	if (prefix_len)
		memcpy(r->prefix, prefix, prefix_len);
	r->prefix_len = prefix_len;
	if (!fstat(fd, &sb) && S_ISDIR(sb.st_mode)) { /* the words of every input */
		dtr_seterr(err, errlen, "%s: is a directory", name);
		ret = -EISDIR;
		goto bad;
	}
	if (!fstat(fd, &sb) && S_ISREG(sb.st_mode)) {
		r->size_known = 1;
		r->st.file_bytes = (uint64_t)sb.st_size;
		off_t cur = lseek(fd, 0, SEEK_CUR);
		r->seekable = cur >= 0 && (uint64_t)cur == prefix_len;
	}
	ssize_t got = input_read(r, h, sizeof(h));
	if (got < 0) {
		dtr_seterr(err, errlen, "%s: read: %s", name, strerror((int)-got));
		ret = (int)got;
		goto bad;
	}
	/* The same words as the other inputs for an empty file; a start of
	 * the magic is a record cut short. */
	if (!got) {
		dtr_seterr(err, errlen, "%s: empty input", name);
		ret = -EINVAL;
		goto bad;
	}
	if (memcmp(h, DTR_MAGIC, got < DTR_MAGIC_LEN ? (size_t)got : DTR_MAGIC_LEN)) {
		dtr_seterr(err, errlen, "%s: not a damotrace record (no .dtr magic at offset 0)",
			   name);
		ret = -EINVAL;
		goto bad;
	}
	if (got < (ssize_t)sizeof(h)) {
		dtr_seterr(err, errlen, "%s: truncated at offset %zd: the header needs %zu bytes",
			   name, got, sizeof(h));
		ret = -EBADMSG;
		goto bad;
	}
	if (dtr_get_le32(h + 12) != dtr_crc32c(0, h, 12)) {
		dtr_seterr(err, errlen, "%s: header checksum mismatch at offset 12", name);
		ret = -EBADMSG;
		goto bad;
	}
	r->st.version_major = dtr_get_le16(h + 8);
	r->st.version_minor = dtr_get_le16(h + 10);
	if (r->st.version_major != DTR_VERSION_MAJOR) {
		dtr_seterr(err, errlen,
			   "%s: record format version %u.%u is not supported: this "
			   "reader reads version %u.x only",
			   name, r->st.version_major, r->st.version_minor, DTR_VERSION_MAJOR);
		ret = -ENOTSUP;
		goto bad;
	}
	r->st.valid_bytes = DTR_HEADER_SIZE;
	if (r->time_filter && r->seekable)
		load_index(r);
	*rp = r;
	return 0;
bad:
	if (r) {
		r->own_fd = own_fd;
		r->fd = fd;
		dtr_reader_close(r);
	} else if (own_fd) {
		close(fd);
	}
	return ret;
}

int dtr_reader_open(struct dtr_reader **r, const char *path,
		    const struct dtr_reader_opts *opts, char *err, size_t errlen)
{
	*r = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		dtr_seterr(err, errlen, "%s: cannot open: %s", path, strerror(e));
		return -e;
	}
	return open_common(r, fd, 1, path, NULL, 0, opts, err, errlen);
}

int dtr_reader_open_fd(struct dtr_reader **r, int fd, const char *name,
		       const void *prefix, size_t prefix_len,
		       const struct dtr_reader_opts *opts, char *err, size_t errlen)
{
	return open_common(r, fd, 0, name, prefix, prefix_len, opts, err, errlen);
}

static int skippable(const struct dtr_reader *r, const struct dtr_index_entry *e)
{
	if (e->flags & DTR_INDEX_UNTIMED)
		return 0;
	if (!(e->flags & DTR_INDEX_TIMED))
		return 1;
	return e->t_max < r->opts.time_from_ns ||
	       (r->opts.time_to_ns && e->t_min >= r->opts.time_to_ns);
}

/* ------------------------------------------------ dtr_verify's checks */

static void verify_note_item(struct vchunk *c, const struct dtr_item *item)
{
	uint64_t lo, hi;

	if (item->type == DTR_ITEM_SNAPSHOT) {
		lo = item->u.snapshot.start_ns;
		hi = item->u.snapshot.end_ns;
	} else if (item->type == DTR_ITEM_STACK) {
		lo = hi = item->u.stack.time_ns;
	} else {
		c->flags |= DTR_INDEX_UNTIMED;
		return;
	}
	if (!(c->flags & DTR_INDEX_TIMED) || lo < c->t_min)
		c->t_min = lo;
	if (!(c->flags & DTR_INDEX_TIMED) || hi > c->t_max)
		c->t_max = hi;
	c->flags |= DTR_INDEX_TIMED;
}

/* One more chunk before the INDEX chunk; its summary fills as its items
 * are decoded. */
static int verify_add_chunk(struct dtr_reader *r, uint64_t at, int data)
{
	if (r->nr_vchunks == r->cap_vchunks) {
		size_t cap = r->cap_vchunks ? r->cap_vchunks * 2 : 64;
		struct vchunk *p = realloc(r->vchunks, cap * sizeof(*p));
		if (!p)
			return fail(r, -ENOMEM, "%s: out of memory", r->name);
		r->vchunks = p;
		r->cap_vchunks = cap;
	}
	struct vchunk *c = &r->vchunks[r->nr_vchunks++];
	memset(c, 0, sizeof(*c));
	c->offset = at;
	c->length = r->pos - at;
	c->data = data;
	return 0;
}

/* The index against the chunks read before it (docs/FORMAT.md, INDEX
 * chunk): spans cover every DATA chunk in file order, start and end at
 * chunk boundaries, and hold exactly the flags and times of their chunks.
 * NULL when it holds, else what is wrong (in buf). */
static const char *verify_index(const struct dtr_reader *r, const struct dtr_index_entry *e,
				size_t n, char *buf, size_t len)
{
	size_t j = 0, m = r->nr_vchunks;
	const struct vchunk *c = r->vchunks;

	for (size_t i = 0; i < n; i++) {
		while (j < m && c[j].offset < e[i].offset) {
			if (c[j].data)
				goto uncovered;
			j++;
		}
		if (j == m || c[j].offset != e[i].offset) {
			snprintf(buf, len, "index entry %zu starts at offset %llu, not at a chunk", i,
				 (unsigned long long)e[i].offset);
			return buf;
		}
		uint64_t end = e[i].offset + e[i].length, t_min = 0, t_max = 0;
		uint32_t flags = 0;
		while (j < m && c[j].offset + c[j].length <= end) {
			if (c[j].flags & DTR_INDEX_TIMED) {
				if (!(flags & DTR_INDEX_TIMED) || c[j].t_min < t_min)
					t_min = c[j].t_min;
				if (!(flags & DTR_INDEX_TIMED) || c[j].t_max > t_max)
					t_max = c[j].t_max;
			}
			flags |= c[j].flags;
			j++;
		}
		if (j ? c[j - 1].offset + c[j - 1].length != end : 1) {
			snprintf(buf, len, "index entry %zu (offset %llu, %llu bytes) does not end at "
				 "the end of a chunk", i, (unsigned long long)e[i].offset,
				 (unsigned long long)e[i].length);
			return buf;
		}
		uint32_t said = e[i].flags & (DTR_INDEX_TIMED | DTR_INDEX_UNTIMED);
		if (said != flags || e[i].t_min != t_min || e[i].t_max != t_max) {
			snprintf(buf, len, "index entry %zu (offset %llu) says flags %u, times "
				 "%llu-%llu; its chunks hold flags %u, times %llu-%llu", i,
				 (unsigned long long)e[i].offset, said,
				 (unsigned long long)e[i].t_min, (unsigned long long)e[i].t_max,
				 flags, (unsigned long long)t_min, (unsigned long long)t_max);
			return buf;
		}
	}
	for (; j < m; j++)
		if (c[j].data)
			goto uncovered;
	return NULL;
uncovered:
	snprintf(buf, len, "the DATA chunk at offset %llu is in no index entry",
		 (unsigned long long)c[j].offset);
	return buf;
}

/* After the END chunk: the trailer, then nothing. */
static int read_tail(struct dtr_reader *r)
{
	unsigned char t[DTR_TRAILER_SIZE], extra;
	uint64_t at = r->pos;
	ssize_t got = input_read(r, t, sizeof(t));

	if (got < 0)
		return io_error(r, (int)got);
	if (got < (ssize_t)sizeof(t))
		return damage(r, at, "truncated trailer");
	if (memcmp(t + 8, DTR_TRAILER_MAGIC, 4) || dtr_get_le32(t + 12) != dtr_crc32c(0, t, 12))
		return damage(r, at, "bad trailer");
	if (r->verify && dtr_get_le64(t) != r->index_offset) {
		char what[128];
		snprintf(what, sizeof(what), "trailer names the index chunk at offset %llu, "
			 "it is at offset %llu", (unsigned long long)dtr_get_le64(t),
			 (unsigned long long)r->index_offset);
		return damage(r, at, what);
	}
	got = input_read(r, &extra, 1);
	if (got < 0)
		return io_error(r, (int)got);
	if (got)
		return damage(r, at + DTR_TRAILER_SIZE, "data after the end of the record");
	return 1;
}

/* The chunk sequence of a clean close: DATA (and unknown) chunks, one
 * INDEX chunk, the END chunk right after it. */
static int verify_chunk_order(struct dtr_reader *r, uint16_t type, uint64_t at)
{
	int was_index = r->last_was_index;

	r->last_was_index = type == DTR_CHUNK_INDEX;
	if (type == DTR_CHUNK_END && !was_index)
		return damage(r, at, r->index_seen ? "end chunk not right after the index chunk"
						   : "end chunk without an index chunk");
	if (type == DTR_CHUNK_INDEX) {
		if (r->index_seen)
			return damage(r, at, "a second index chunk");
		r->index_seen = 1;
		r->index_offset = at;
		return 0;
	}
	if (type == DTR_CHUNK_DATA && r->index_seen)
		return damage(r, at, "a DATA chunk after the index chunk");
	if (type != DTR_CHUNK_END && !r->index_seen)
		return verify_add_chunk(r, at, type == DTR_CHUNK_DATA);
	return 0;
}

/* 1: a chunk was consumed (r->in_data or r->end_pending may be set);
 * 0: end of input or salvaged damage; <0: error. */
static int read_chunk(struct dtr_reader *r)
{
	unsigned char h[DTR_CHUNK_HEADER_SIZE];
	uint16_t type;
	uint32_t plen, raw_len;
	char what[256];

	while (r->next_index < r->nr_index &&
	       r->index[r->next_index].offset + r->index[r->next_index].length <= r->pos)
		r->next_index++;
	if (r->next_index < r->nr_index && r->index[r->next_index].offset == r->pos &&
	    skippable(r, &r->index[r->next_index])) {
		/* one seek over every skippable span in a row */
		uint64_t to = r->pos;
		while (r->next_index < r->nr_index && r->index[r->next_index].offset == to &&
		       skippable(r, &r->index[r->next_index])) {
			to += r->index[r->next_index].length;
			r->next_index++;
		}
		int ret = input_seek(r, to);
		if (ret)
			return io_error(r, ret);
		return 1;
	}

	uint64_t at = r->pos;
	ssize_t got = input_read(r, h, sizeof(h));
	if (got < 0)
		return io_error(r, (int)got);
	if (got == 0) {
		r->done = 1;
		return 0;
	}
	if (got < (ssize_t)sizeof(h)) {
		snprintf(what, sizeof(what), "truncated chunk header (%zd of %zu bytes)", got,
			 sizeof(h));
		return damage(r, at, what);
	}
	if (check_chunk_header(h, &type, &plen, &raw_len))
		return damage(r, at, "bad chunk header");
	if (r->size_known && (r->pos > r->st.file_bytes || plen > r->st.file_bytes - r->pos)) {
		/* The file may have grown since it was opened (a live recording). */
		struct stat sb;
		if (!fstat(r->fd, &sb) && (uint64_t)sb.st_size > r->st.file_bytes)
			r->st.file_bytes = (uint64_t)sb.st_size;
	}
	if (r->size_known && r->pos <= r->st.file_bytes && plen > r->st.file_bytes - r->pos) {
		snprintf(what, sizeof(what), "truncated chunk (%llu of %u payload bytes)",
			 (unsigned long long)(r->st.file_bytes - r->pos), plen);
		return damage(r, at, what);
	}
	r->payload.len = 0;
	if (dtr_buf_reserve(&r->payload, plen ? plen : 1))
		return fail(r, -ENOMEM, "%s: out of memory for a chunk of %u bytes at offset %llu",
			    r->name, plen, (unsigned long long)at);
	got = input_read(r, r->payload.p, plen);
	if (got < 0)
		return io_error(r, (int)got);
	if ((size_t)got < plen) {
		snprintf(what, sizeof(what), "truncated chunk (%zd of %u payload bytes)", got, plen);
		return damage(r, at, what);
	}
	if (dtr_get_le32(h + 16) != dtr_crc32c(0, r->payload.p, plen))
		return damage(r, at, "checksum mismatch in chunk");
	if (type == DTR_CHUNK_DATA || type == DTR_CHUNK_INDEX || type == DTR_CHUNK_END) {
		int ret = decompress(r, r->payload.p, plen, raw_len, &r->raw);
		if (ret == -ENOMEM)
			return fail(r, ret, "%s: out of memory for a chunk of %u bytes at offset %llu",
				    r->name, raw_len, (unsigned long long)at);
		if (ret)
			return damage(r, at, "undecodable chunk payload");
	}
	r->chunk_offset = at;
	if (r->verify) {
		int ret = verify_chunk_order(r, type, at);
		if (ret)
			return ret;
	}
	r->chunk_snapshots = r->st.nr_snapshots;
	r->chunk_regions = r->st.nr_regions;
	r->chunk_stacks = r->st.nr_stacks;
	switch (type) {
	case DTR_CHUNK_DATA:
		r->in_data = 1;
		r->raw_pos = 0;
		memset(&r->dec.cs, 0, sizeof(r->dec.cs));
		break;
	case DTR_CHUNK_INDEX: {
		struct dtr_index_entry *e;
		long n = dtr_decode_index(r->raw.p, r->raw.len, at, &e);
		if (n == -ENOMEM)
			return fail(r, -ENOMEM, "%s: out of memory", r->name);
		if (n < 0)
			return damage(r, at, "malformed index chunk");
		const char *wrong = r->verify ? verify_index(r, e, (size_t)n, what, sizeof(what)) : NULL;
		free(e);
		if (wrong)
			return damage(r, at, wrong);
		break;
	}
	case DTR_CHUNK_END:
		if (dtr_decode_end(r->raw.p, r->raw.len, &r->end))
			return damage(r, at, "malformed end chunk");
		if (r->verify && (r->end.nr_snapshots != r->st.nr_snapshots ||
				  r->end.nr_regions != r->st.nr_regions ||
				  r->end.nr_stacks != r->st.nr_stacks)) {
			snprintf(what, sizeof(what), "end chunk counts %llu snapshots, %llu regions, "
				 "%llu stacks; the record holds %llu, %llu, %llu",
				 (unsigned long long)r->end.nr_snapshots,
				 (unsigned long long)r->end.nr_regions,
				 (unsigned long long)r->end.nr_stacks,
				 (unsigned long long)r->st.nr_snapshots,
				 (unsigned long long)r->st.nr_regions,
				 (unsigned long long)r->st.nr_stacks);
			return damage(r, at, what);
		}
		break;
	default: /* a chunk type of a later minor version: skipped */
		break;
	}
	r->st.nr_chunks++;
	r->st.valid_bytes = r->pos;
	if (type == DTR_CHUNK_END) {
		int ret = read_tail(r);
		if (ret <= 0)
			return ret;
		r->st.valid_bytes = r->pos;
		r->st.clean_close = 1;
		r->end_pending = 1;
	}
	return 1;
}

static int snapshot_wanted(const struct dtr_reader *r, uint64_t start, uint64_t end)
{
	uint64_t from = r->opts.time_from_ns, to = r->opts.time_to_ns;

	return (!to || start < to) && (end > from || start >= from);
}

static int stack_wanted(const struct dtr_reader *r, uint64_t t)
{
	return t >= r->opts.time_from_ns && (!r->opts.time_to_ns || t < r->opts.time_to_ns);
}

/* With a time range, snapshots and stacks outside it are passed over by
 * their times alone, without decoding their regions or frames. */
static int outside_range(struct dtr_reader *r, uint64_t type, const unsigned char *body,
			 size_t len)
{
	struct dtr_cursor c = { body, body + len, 0, NULL };

	if (type == DTR_ITEM_SNAPSHOT) {
		uint64_t start = r->dec.cs.snapshot_end + (uint64_t)dtr_unzigzag(dtr_cur_varint(&c));
		uint64_t dur = dtr_cur_varint(&c);
		if (c.bad || dur > UINT64_MAX - start || snapshot_wanted(r, start, start + dur))
			return 0;
		r->dec.cs.snapshot_end = start + dur;
		return 1;
	}
	if (type == DTR_ITEM_STACK) {
		uint64_t t = r->dec.cs.stack_time + (uint64_t)dtr_unzigzag(dtr_cur_varint(&c));
		if (c.bad || stack_wanted(r, t))
			return 0;
		r->dec.cs.stack_time = t;
		return 1;
	}
	return 0;
}

/* 1: item; 0: chunk exhausted; <0 error or salvage stop (r->done). */
static int next_in_chunk(struct dtr_reader *r, struct dtr_item *item)
{
	char what[160];

	while (r->raw_pos < r->raw.len) {
		struct dtr_cursor c = { r->raw.p + r->raw_pos, r->raw.p + r->raw.len, 0, NULL };
		uint64_t type = dtr_cur_varint(&c), len = dtr_cur_varint(&c);
		if (c.bad || len > (uint64_t)(c.end - c.p)) {
			return damage_in_chunk(r, "malformed item framing in chunk");
		}
		const char *why = NULL;
		r->raw_pos = (size_t)(c.p + len - r->raw.p);
		if (r->time_filter && outside_range(r, type, c.p, (size_t)len))
			continue;
		int ret = dtr_decode_item(&r->dec, type, c.p, (size_t)len, item, &why);
		if (ret == -ENOMEM)
			return fail(r, ret, "%s: out of memory decoding the chunk at offset %llu",
				    r->name, (unsigned long long)r->chunk_offset);
		if (ret < 0) {
			snprintf(what, sizeof(what), "malformed %s item (%s) in chunk",
				 dtr_item_type_name((enum dtr_item_type)type), why);
			return damage_in_chunk(r, what);
		}
		if (ret == 0) {
			if (r->verify)
				r->vchunks[r->nr_vchunks - 1].flags |= DTR_INDEX_UNTIMED;
			continue; /* item type of a later minor version */
		}
		if (item->type == DTR_ITEM_FRAME) {
			if (item->u.frame.id != r->nr_frames) {
				snprintf(what, sizeof(what), "frame id %u out of order (expected %u) in chunk",
					 item->u.frame.id, r->nr_frames);
				return damage_in_chunk(r, what);
			}
			r->nr_frames++;
		} else if (item->type == DTR_ITEM_STACK) {
			for (uint32_t i = 0; i < item->u.stack.nr_frames; i++)
				if (item->u.stack.frames[i] >= r->nr_frames) {
					snprintf(what, sizeof(what),
						 "stack refers to undefined frame %u in chunk",
						 item->u.stack.frames[i]);
					return damage_in_chunk(r, what);
				}
		}
		if (r->verify)
			verify_note_item(&r->vchunks[r->nr_vchunks - 1], item);
		if (r->time_filter && item->type == DTR_ITEM_SNAPSHOT &&
		    !snapshot_wanted(r, item->u.snapshot.start_ns, item->u.snapshot.end_ns))
			continue;
		if (r->time_filter && item->type == DTR_ITEM_STACK &&
		    !stack_wanted(r, item->u.stack.time_ns))
			continue;
		if (item->type == DTR_ITEM_SNAPSHOT) {
			r->st.nr_snapshots++;
			r->st.nr_regions += item->u.snapshot.nr_regions;
		} else if (item->type == DTR_ITEM_STACK) {
			r->st.nr_stacks++;
		}
		return 1;
	}
	r->in_data = 0;
	return 0;
}

int dtr_reader_next(struct dtr_reader *r, struct dtr_item *item, char *err,
		    size_t errlen)
{
	for (;;) {
		if (r->error) {
			dtr_seterr(err, errlen, "%s", r->errmsg);
			return r->error;
		}
		if (r->in_data) {
			int ret = next_in_chunk(r, item);
			if (ret == 1)
				return 1;
			if (ret < 0)
				continue; /* error set, or salvage stop */
		}
		if (r->end_pending) {
			r->end_pending = 0;
			r->done = 1;
			memset(item, 0, sizeof(*item));
			item->type = DTR_ITEM_END;
			item->u.end = r->end;
			return 1;
		}
		if (r->done)
			return 0;
		read_chunk(r);
	}
}

void dtr_reader_status(const struct dtr_reader *r, struct dtr_reader_status *st)
{
	*st = r->st;
}

void dtr_reader_close(struct dtr_reader *r)
{
	if (!r)
		return;
	if (r->own_fd && r->fd >= 0)
		close(r->fd);
	free(r->name);
	free(r->prefix);
	free(r->ibuf);
	ZSTD_freeDCtx(r->dctx);
	dtr_buf_free(&r->payload);
	dtr_buf_free(&r->raw);
	dtr_decoder_free(&r->dec);
	free(r->index);
	free(r->vchunks);
	free(r);
}

int dtr_verify(const char *path, struct dtr_reader_status *st, char *err, size_t errlen)
{
	struct dtr_reader *r;
	struct dtr_item item;
	int ret = dtr_reader_open(&r, path, NULL, err, errlen);

	if (st)
		memset(st, 0, sizeof(*st));
	if (ret)
		return ret;
	r->verify = 1;
	while ((ret = dtr_reader_next(r, &item, err, errlen)) > 0)
		;
	if (st)
		dtr_reader_status(r, st);
	dtr_reader_close(r);
	return ret;
}
