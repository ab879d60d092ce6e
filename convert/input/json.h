/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * json.h - a pull JSON tokenizer over a refillable buffer.
 *
 * The whole document is never held in memory: bytes come from a read
 * callback in fixed-size blocks, and only the current token's text is kept,
 * so a 550 MB damo record is tokenized in a few hundred KiB.  Strings are
 * unescaped to UTF-8; numbers are returned as their literal text (validated
 * against the JSON grammar) so callers can keep full 64-bit precision.
 */
#ifndef DT_JSON_H
#define DT_JSON_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum dt_json_type {
	DT_JSON_EOF = 0,   /* end of input after one complete top-level value */
	DT_JSON_OBJECT_BEGIN,
	DT_JSON_OBJECT_END,
	DT_JSON_ARRAY_BEGIN,
	DT_JSON_ARRAY_END,
	DT_JSON_KEY,       /* object member name; text holds it */
	DT_JSON_STRING,
	DT_JSON_NUMBER,    /* text holds the literal */
	DT_JSON_TRUE,
	DT_JSON_FALSE,
	DT_JSON_NULL,
};

struct dt_json_token {
	enum dt_json_type type;
	const char *text;  /* KEY/STRING/NUMBER: NUL-terminated; valid until the next call */
	size_t len;
	uint64_t offset;   /* byte offset of the token's first byte in the JSON text */
	unsigned depth;    /* nesting depth of the token (top-level value: 0) */
};

/* Fills buf with up to len bytes; returns the count, 0 at end, or -errno.
 * On failure it may write a message into err. */
typedef ssize_t (*dt_json_read_fn)(void *ctx, void *buf, size_t len, char *err,
				   size_t errlen);

struct dt_json;

/* `name` prefixes error messages ("FILE: JSON offset N: ..."). */
int dt_json_new(struct dt_json **j, dt_json_read_fn read, void *ctx,
		const char *name);
void dt_json_free(struct dt_json *j);

/* 1: *tok filled; 0: never (EOF is a token); <0: error with err filled. */
int dt_json_next(struct dt_json *j, struct dt_json_token *tok, char *err,
		 size_t errlen);
/* Skip the rest of the value whose first token `tok` was just returned. */
int dt_json_skip(struct dt_json *j, const struct dt_json_token *tok, char *err,
		 size_t errlen);
/* Byte offset reached in the JSON text (for messages and progress). */
uint64_t dt_json_offset(const struct dt_json *j);

#define DT_JSON_MAX_DEPTH 256
#define DT_JSON_MAX_TOKEN (16u << 20) /* longest string or number accepted */

#endif /* DT_JSON_H */
