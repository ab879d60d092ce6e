/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dtr-int.h - private to format/: byte layout constants of the record
 * format (docs/FORMAT.md) and the item codec shared by reader and writer.
 */
#ifndef DTR_INT_H
#define DTR_INT_H

#include <stdarg.h>
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

/* Reading varints.  A varint is 1 to 10 bytes, 7 value bits each, low
 * bits first, the top bit set on every byte but the last; the tenth byte
 * may only hold the value's top bit (0 or 1).  Longer forms of a small value
 * (0x80 0x00 for 0) are accepted, as they always were.
 *
 * The fast path loads 8 bytes at once.  Values of one, two and three bytes
 * (nearly all gaps, sizes, access counts and ages in a record) are then
 * tested for in turn: those branches are well predicted within a column
 * and let the processor start on the next varint before this one is
 * decoded, which measured faster than finding the length without branches
 * (a chain of load, bit search and pointer update per value).  Up to 8
 * bytes are found by the first clear top bit and packed by three
 * mask-and-shift steps; 9 and 10 bytes, and the last 7 bytes of a buffer,
 * go to dtr_varint_slow(). */
struct dtr_varint {
	const unsigned char *next; /* just past the varint; NULL: malformed or truncated */
	uint64_t value;            /* 0 when next is NULL */
};

/* The varint at p, reading no byte at or past end; any length. */
struct dtr_varint dtr_varint_slow(const unsigned char *p, const unsigned char *end);

static inline uint64_t dtr_load_le64_fast(const unsigned char *p)
{
	uint64_t w;

	memcpy(&w, p, sizeof(w));
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	w = __builtin_bswap64(w);
#endif
	return w;
}

/* The 7-bit groups of the bytes of w (top bits already clear), packed
 * into one value: byte k's bits land at 7k. */
static inline uint64_t dtr_varint_pack(uint64_t w)
{
	w = (w & 0x007f007f007f007fULL) | ((w & 0x7f007f007f007f00ULL) >> 1);
	w = (w & 0x00003fff00003fffULL) | ((w & 0x3fff00003fff0000ULL) >> 2);
	return (w & 0x000000000fffffffULL) | ((w & 0x0fffffff00000000ULL) >> 4);
}

/* The varint at p, reading no byte at or past end. */
static inline struct dtr_varint dtr_varint_at(const unsigned char *p, const unsigned char *end)
{
	if (__builtin_expect(end - p >= 8, 1)) {
		uint64_t w = dtr_load_le64_fast(p);
		if (!(w & 0x80))
			return (struct dtr_varint){ p + 1, w & 0x7f };
		if (!(w & 0x8000))
			return (struct dtr_varint){ p + 2, (w & 0x7f) | ((w >> 1) & 0x3f80) };
		if (!(w & 0x800000))
			return (struct dtr_varint){ p + 3, (w & 0x7f) | ((w >> 1) & 0x3f80) |
							   ((w >> 2) & 0x1fc000) };
		uint64_t stops = ~w & 0x8080808080808080ULL;
		if (stops) {
			/* bits: 8 x the length, 32 to 64 */
			unsigned bits = (unsigned)__builtin_ctzll(stops) + 1;
			w &= ~0ULL >> (64 - bits);
			return (struct dtr_varint){ p + bits / 8,
						    dtr_varint_pack(w & 0x7f7f7f7f7f7f7f7fULL) };
		}
	}
	return dtr_varint_slow(p, end);
}

/* Sequential decoding of a byte range; any overrun sets `bad`. */
struct dtr_cursor {
	const unsigned char *p, *end;
	int bad;
	const char *why; /* first problem met */
};

/* A malformed or truncated varint makes the cursor bad, moves it to the
 * end (every later read fails too) and reads as 0. */
static inline uint64_t dtr_cur_varint(struct dtr_cursor *c)
{
	struct dtr_varint v = dtr_varint_at(c->p, c->end);

	if (__builtin_expect(!v.next, 0)) {
		if (!c->bad)
			c->why = "bad varint";
		c->bad = 1;
		c->p = c->end;
		return 0;
	}
	c->p = v.next;
	return v.value;
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

/* libdtr's one error formatter (format/ uses nothing of ours, so not
 * convert/util's dt_fail): the message into err, when err and errlen are
 * given.  dtr_vseterr takes a va_list. */
void dtr_seterr(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void dtr_vseterr(char *err, size_t errlen, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

#endif /* DTR_INT_H */
