/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dtr-int.h - private to format/: byte layout constants of the record
 * format (docs/FORMAT.md) and the item codec shared by reader and writer.
 */
#ifndef DTR_INT_H
#define DTR_INT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dtr.h"

#define DTR_MAGIC "\x89" "DTR\r\n\x1a\n"
#define DTR_MAGIC_LEN 8
#define DTR_HEADER_SIZE 16
#define DTR_CHUNK_SYNC "DTCK"
#define DTR_CHUNK_HEADER_SIZE 24
#define DTR_TRAILER_MAGIC "DTRE"
#define DTR_TRAILER_SIZE 16

enum dtr_chunk_type {
	DTR_CHUNK_DATA = 1,
	DTR_CHUNK_INDEX = 2,
	DTR_CHUNK_END = 3,
};

/* Index entry flags */
#define DTR_INDEX_TIMED 0x1u   /* holds SNAPSHOT or STACK items */
#define DTR_INDEX_UNTIMED 0x2u /* holds items delivered whatever the time range */

struct dtr_index_entry {
	uint64_t offset; /* of the first chunk of the span */
	uint64_t length; /* bytes of the span, chunk headers included */
	uint64_t t_min, t_max;
	uint32_t flags;
};

static inline void dtr_put_le16(unsigned char *p, uint16_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
}

static inline void dtr_put_le32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static inline void dtr_put_le64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static inline uint16_t dtr_get_le16(const unsigned char *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static inline uint32_t dtr_get_le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static inline uint64_t dtr_get_le64(const unsigned char *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* Growable byte buffer. */
struct dtr_buf {
	unsigned char *p;
	size_t len, cap;
};

int dtr_buf_reserve(struct dtr_buf *b, size_t extra); /* 0 or -ENOMEM */
void dtr_buf_free(struct dtr_buf *b);

/* Caller reserved at least 10 bytes. */
static inline void dtr_buf_varint(struct dtr_buf *b, uint64_t v)
{
	unsigned char *p = b->p + b->len;

	while (v >= 0x80) {
		*p++ = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	*p++ = (unsigned char)v;
	b->len = (size_t)(p - b->p);
}

static inline uint64_t dtr_zigzag(int64_t v)
{
	return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static inline int64_t dtr_unzigzag(uint64_t v)
{
	return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

/* Sequential decoding of a byte range; any overrun sets `bad`. */
struct dtr_cursor {
	const unsigned char *p, *end;
	int bad;
	const char *why; /* first problem met */
};

__attribute__((unused, noinline)) static uint64_t dtr_cur_varint_long(struct dtr_cursor *c)
{
	uint64_t v = 0;
	unsigned shift = 0;

	if (c->end - c->p >= 10) {
		/* Room for the longest varint: no bound checks per byte. */
		const unsigned char *p = c->p;
		for (unsigned i = 0; i < 9; i++) {
			v |= (uint64_t)(p[i] & 0x7f) << (7 * i);
			if (!(p[i] & 0x80)) {
				c->p = p + i + 1;
				return v;
			}
		}
		if (p[9] <= 1) {
			c->p = p + 10;
			return v | (uint64_t)p[9] << 63;
		}
		c->p = c->end;
		if (!c->bad)
			c->why = "bad varint";
		c->bad = 1;
		return 0;
	}

	while (c->p < c->end) {
		unsigned char b = *c->p++;
		if (shift == 63 && b > 1)
			break;
		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return v;
		shift += 7;
		if (shift > 63)
			break;
	}
	if (!c->bad)
		c->why = "bad varint";
	c->bad = 1;
	c->p = c->end;
	return 0;
}

/* Most values in a record (gaps, sizes, access counts, ages) fit in one
 * byte: read those inline and leave the rest to the loop. */
static inline uint64_t dtr_cur_varint(struct dtr_cursor *c)
{
	if (c->p < c->end && !(*c->p & 0x80))
		return *c->p++;
	return dtr_cur_varint_long(c);
}

/* Inside one DATA chunk, snapshot and stack times are stored as differences
 * from the previous snapshot's end and the previous stack's time; both start
 * at 0 with every chunk, so that chunks stay independent. */
struct dtr_chunk_state {
	uint64_t snapshot_end;
	uint64_t stack_time;
};

/* Encoding of one item (type, body length, body) appended to `b`; `cs` is
 * updated only on success.  Returns 0, or -EINVAL with `err` saying what is
 * wrong with the item, or -ENOMEM. */
int dtr_encode_item(struct dtr_buf *b, struct dtr_chunk_state *cs,
		    const struct dtr_item *item, char *err, size_t errlen);

/* Scratch space the decoder reuses from item to item. */
struct dtr_decoder {
	struct dtr_kv *kvs;
	size_t kvs_cap;
	struct dtr_target *targets;
	size_t targets_cap;
	struct dtr_region *regions;
	size_t regions_cap;
	uint32_t *frames;
	size_t frames_cap;
	struct dtr_map_entry *maps;
	size_t maps_cap;
	struct dtr_chunk_state cs; /* reset at the start of every DATA chunk */
};

/* Decode one item body of `type`.  1: item filled; 0: unknown item type
 * (to be skipped); -EBADMSG with *why set: malformed; -ENOMEM.  Strings in
 * the item point into `body`, which must stay alive. */
int dtr_decode_item(struct dtr_decoder *d, uint64_t type, const unsigned char *body,
		    size_t len, struct dtr_item *item, const char **why);
void dtr_decoder_free(struct dtr_decoder *d);

/* END chunk payload and INDEX chunk payload. */
int dtr_encode_end(struct dtr_buf *b, const struct dtr_end *end);
int dtr_decode_end(const unsigned char *p, size_t len, struct dtr_end *end);
int dtr_encode_index(struct dtr_buf *b, const struct dtr_index_entry *e, size_t nr);
/* Returns the number of entries (>= 0) in a malloc'ed array, or -EBADMSG. */
long dtr_decode_index(const unsigned char *p, size_t len, uint64_t max_offset,
		      struct dtr_index_entry **entries);

void dtr_seterr(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif /* DTR_INT_H */
