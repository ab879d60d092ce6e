// SPDX-License-Identifier: GPL-2.0-only
/* A pull JSON tokenizer over a refillable buffer (json.h). */
#include "json.h"
#include "errmsg.h"
#include "grow.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JSON_BUF 65536

enum expect {
	EXPECT_VALUE,          /* a value (top level, after ':' or ',' in an array) */
	EXPECT_VALUE_OR_END,   /* just after '[' */
	EXPECT_KEY_OR_END,     /* just after '{' */
	EXPECT_KEY,            /* after ',' in an object */
	EXPECT_COLON,
	EXPECT_COMMA_OR_END,
	EXPECT_DONE,           /* top-level value complete */
};

struct dt_json {
	dt_json_read_fn read;
	void *ctx;
	const char *name;
	unsigned char buf[JSON_BUF];
	size_t pos, len;
	uint64_t buf_offset; /* offset of buf[0] in the text */
	int eof;
	char *text;
	size_t text_len, text_cap;
	uint64_t text_start; /* offset of the token text holds (its quote) */
	char stack[DT_JSON_MAX_DEPTH];
	unsigned depth;
	enum expect expect;
	int bom_checked;
};

static int json_error(struct dt_json *j, uint64_t offset, char *err, size_t errlen,
		      const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int json_error(struct dt_json *j, uint64_t offset, char *err, size_t errlen,
		      const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	dt_vfail_at(err, errlen, -EINVAL, fmt, ap, "%s: JSON offset %llu", j->name,
		    (unsigned long long)offset);
	va_end(ap);
	return -EINVAL;
}

int dt_json_new(struct dt_json **out, dt_json_read_fn read, void *ctx, const char *name)
{
	struct dt_json *j = calloc(1, sizeof(*j));

	if (!j)
		return -ENOMEM;
	j->read = read;
	j->ctx = ctx;
	j->name = name ? name : "input";
	j->text_cap = 256;
	j->text = malloc(j->text_cap);
	if (!j->text) {
		free(j);
		return -ENOMEM;
	}
	j->expect = EXPECT_VALUE;
	*out = j;
	return 0;
}

void dt_json_free(struct dt_json *j)
{
	if (!j)
		return;
	free(j->text);
	free(j);
}

uint64_t dt_json_offset(const struct dt_json *j)
{
	return j->buf_offset + j->pos;
}

/* 1 when a byte is available, 0 at end, <0 on read error. */
static int fill(struct dt_json *j, char *err, size_t errlen)
{
	if (j->pos < j->len)
		return 1;
	if (j->eof)
		return 0;
	j->buf_offset += j->len;
	j->pos = j->len = 0;
	for (;;) {
		ssize_t n = j->read(j->ctx, j->buf, sizeof(j->buf), err, errlen);
		if (n < 0)
			return (int)n;
		if (n == 0) {
			j->eof = 1;
			return 0;
		}
		j->len = (size_t)n;
		return 1;
	}
}

static int text_push(struct dt_json *j, char c, char *err, size_t errlen)
{
	if (j->text_len + 2 > DT_JSON_MAX_TOKEN)
		return json_error(j, j->text_start, err, errlen, "token longer than %u bytes",
				  DT_JSON_MAX_TOKEN);
	if (DT_GROW(j->text, j->text_cap, j->text_len + 2))
		return -ENOMEM;
	j->text[j->text_len++] = c;
	return 0;
}

static int push_utf8(struct dt_json *j, uint32_t cp, char *err, size_t errlen)
{
	char out[4];
	int n, ret;

	if (cp < 0x80) {
		out[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		out[0] = (char)(0xf0 | (cp >> 18));
		out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	for (int i = 0; i < n; i++)
		if ((ret = text_push(j, out[i], err, errlen)))
			return ret;
	return 0;
}

static int read_hex4(struct dt_json *j, uint32_t *cp, char *err, size_t errlen)
{
	*cp = 0;
	for (int i = 0; i < 4; i++) {
		int ret = fill(j, err, errlen);
		if (ret < 0)
			return ret;
		if (!ret)
			return json_error(j, dt_json_offset(j), err, errlen, "truncated \\u escape");
		int c = j->buf[j->pos], v;
		if (c >= '0' && c <= '9')
			v = c - '0';
		else if (c >= 'a' && c <= 'f')
			v = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v = c - 'A' + 10;
		else
			return json_error(j, dt_json_offset(j), err, errlen, "bad \\u escape");
		j->pos++;
		*cp = *cp * 16 + (uint32_t)v;
	}
	return 0;
}

static int lex_string(struct dt_json *j, char *err, size_t errlen)
{
	uint64_t start = dt_json_offset(j);
	int ret;

	j->pos++; /* opening quote */
	j->text_len = 0;
	j->text_start = start;
	for (;;) {
		ret = fill(j, err, errlen);
		if (ret < 0)
			return ret;
		if (!ret)
			return json_error(j, start, err, errlen, "unterminated string");
		unsigned char c = j->buf[j->pos];
		if (c == '"') {
			j->pos++;
			break;
		}
		if (c < 0x20)
			return json_error(j, dt_json_offset(j), err, errlen,
					  "control character in string");
		if (c != '\\') {
			/* Copy a run of plain bytes at once. */
			size_t end = j->pos;
			while (end < j->len && j->buf[end] != '"' && j->buf[end] != '\\' &&
			       j->buf[end] >= 0x20)
				end++;
			size_t n = end - j->pos;
			/* the buffer may hold more than a token may */
			size_t room = j->text_cap < DT_JSON_MAX_TOKEN ? j->text_cap
								     : DT_JSON_MAX_TOKEN;
			if (j->text_len + n + 2 > room) {
				for (size_t i = j->pos; i < end; i++)
					if ((ret = text_push(j, (char)j->buf[i], err, errlen)))
						return ret;
			} else {
				memcpy(j->text + j->text_len, j->buf + j->pos, n);
				j->text_len += n;
			}
			j->pos = end;
			continue;
		}
		j->pos++;
		ret = fill(j, err, errlen);
		if (ret < 0)
			return ret;
		if (!ret)
			return json_error(j, start, err, errlen, "unterminated string");
		c = j->buf[j->pos++];
		char out;
		switch (c) {
		case '"': out = '"'; break;
		case '\\': out = '\\'; break;
		case '/': out = '/'; break;
		case 'b': out = '\b'; break;
		case 'f': out = '\f'; break;
		case 'n': out = '\n'; break;
		case 'r': out = '\r'; break;
		case 't': out = '\t'; break;
		case 'u': {
			uint32_t cp, lo;
			if ((ret = read_hex4(j, &cp, err, errlen)))
				return ret;
			if (cp >= 0xd800 && cp < 0xdc00) {
				/* A high surrogate must be followed by \uDC00..\uDFFF. */
				for (int k = 0; k < 2; k++) {
					ret = fill(j, err, errlen);
					if (ret < 0)
						return ret;
					if (!ret || j->buf[j->pos] != (k ? 'u' : '\\'))
						return json_error(j, dt_json_offset(j), err, errlen,
								  "unpaired surrogate");
					j->pos++;
				}
				if ((ret = read_hex4(j, &lo, err, errlen)))
					return ret;
				if (lo < 0xdc00 || lo > 0xdfff)
					return json_error(j, dt_json_offset(j), err, errlen,
							  "unpaired surrogate");
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			} else if (cp >= 0xdc00 && cp < 0xe000) {
				return json_error(j, dt_json_offset(j), err, errlen,
						  "unpaired surrogate");
			}
			if ((ret = push_utf8(j, cp, err, errlen)))
				return ret;
			continue;
		}
		default:
			return json_error(j, dt_json_offset(j) - 1, err, errlen,
					  "bad escape '\\%c'", c >= 0x20 && c < 0x7f ? c : '?');
		}
		if ((ret = text_push(j, out, err, errlen)))
			return ret;
	}
	j->text[j->text_len] = '\0';
	return 0;
}

static int is_number_byte(unsigned char c)
{
	return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' ||
	       c == 'E';
}

/* Validate -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static int number_valid(const char *s)
{
	if (*s == '-')
		s++;
	if (*s == '0')
		s++;
	else if (*s >= '1' && *s <= '9')
		while (*s >= '0' && *s <= '9')
			s++;
	else
		return 0;
	if (*s == '.') {
		s++;
		if (!(*s >= '0' && *s <= '9'))
			return 0;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '+' || *s == '-')
			s++;
		if (!(*s >= '0' && *s <= '9'))
			return 0;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	return *s == '\0';
}

static int lex_number(struct dt_json *j, char *err, size_t errlen)
{
	uint64_t start = dt_json_offset(j);
	int ret;

	j->text_len = 0;
	j->text_start = start;
	for (;;) {
		ret = fill(j, err, errlen);
		if (ret < 0)
			return ret;
		if (!ret || !is_number_byte(j->buf[j->pos]))
			break;
		if ((ret = text_push(j, (char)j->buf[j->pos++], err, errlen)))
			return ret;
	}
	j->text[j->text_len] = '\0';
	if (!number_valid(j->text))
		return json_error(j, start, err, errlen, "malformed number");
	return 0;
}

static int lex_word(struct dt_json *j, const char *word, char *err, size_t errlen)
{
	uint64_t start = dt_json_offset(j);

	for (const char *w = word; *w; w++) {
		int ret = fill(j, err, errlen);
		if (ret < 0)
			return ret;
		if (!ret || j->buf[j->pos] != (unsigned char)*w)
			return json_error(j, start, err, errlen, "unexpected character");
		j->pos++;
	}
	return 0;
}

static const char *expect_name(enum expect e)
{
	switch (e) {
	case EXPECT_VALUE: return "a value";
	case EXPECT_VALUE_OR_END: return "a value or ']'";
	case EXPECT_KEY_OR_END: return "a member name or '}'";
	case EXPECT_KEY: return "a member name";
	case EXPECT_COLON: return "':'";
	case EXPECT_COMMA_OR_END:
		return "',' or the end of the container";
	case EXPECT_DONE: return "the end of the input";
	}
	return "?";
}

/* After a complete value at the current depth. */
static void value_done(struct dt_json *j)
{
	j->expect = j->depth ? EXPECT_COMMA_OR_END : EXPECT_DONE;
}

/* Text editors on some systems start UTF-8 files with a byte order mark. */
static int skip_bom(struct dt_json *j, char *err, size_t errlen)
{
	static const unsigned char bom[3] = { 0xef, 0xbb, 0xbf };

	j->bom_checked = 1;
	for (int i = 0; i < 3; i++) {
		int ret = fill(j, err, errlen);
		if (ret <= 0)
			return ret;
		if (j->buf[j->pos] != bom[i]) {
			if (i)
				return json_error(j, dt_json_offset(j), err, errlen,
						  "broken byte order mark");
			return 0;
		}
		j->pos++;
	}
	return 0;
}

int dt_json_next(struct dt_json *j, struct dt_json_token *tok, char *err, size_t errlen)
{
	int ret;

	if (!j->bom_checked && (ret = skip_bom(j, err, errlen)) < 0)
		return ret;

	for (;;) {
		ret = fill(j, err, errlen);
		if (ret < 0)
			return ret;
		uint64_t off = dt_json_offset(j);
		if (!ret) {
			if (j->expect == EXPECT_DONE) {
				tok->type = DT_JSON_EOF;
				tok->text = NULL;
				tok->len = 0;
				tok->offset = off;
				tok->depth = 0;
				return 1;
			}
			return json_error(j, off, err, errlen, "truncated: expected %s",
					  expect_name(j->expect));
		}
		unsigned char c = j->buf[j->pos];
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			j->pos++;
			continue;
		}
		tok->offset = off;
		tok->text = NULL;
		tok->len = 0;
		tok->depth = j->depth;
		switch (j->expect) {
		case EXPECT_DONE:
			return json_error(j, off, err, errlen, "trailing data after the JSON value");
		case EXPECT_COLON:
			if (c != ':')
				return json_error(j, off, err, errlen, "expected ':'");
			j->pos++;
			j->expect = EXPECT_VALUE;
			continue;
		case EXPECT_COMMA_OR_END:
			if (c == ',') {
				j->pos++;
				j->expect = j->stack[j->depth - 1] == 'o' ? EXPECT_KEY : EXPECT_VALUE;
				continue;
			}
			if ((c == '}' && j->stack[j->depth - 1] == 'o') ||
			    (c == ']' && j->stack[j->depth - 1] == 'a'))
				goto close_container;
			return json_error(j, off, err, errlen, "expected %s",
					  expect_name(j->expect));
		case EXPECT_KEY_OR_END:
			if (c == '}')
				goto close_container;
			/* fall through */
		case EXPECT_KEY:
			if (c != '"')
				return json_error(j, off, err, errlen, "expected a member name");
			if ((ret = lex_string(j, err, errlen)))
				return ret;
			tok->type = DT_JSON_KEY;
			tok->text = j->text;
			tok->len = j->text_len;
			j->expect = EXPECT_COLON;
			return 1;
		case EXPECT_VALUE_OR_END:
			if (c == ']')
				goto close_container;
			/* fall through */
		case EXPECT_VALUE:
			break;
		}
		/* A value. */
		switch (c) {
		case '{':
		case '[':
			if (j->depth >= DT_JSON_MAX_DEPTH)
				return json_error(j, off, err, errlen, "nested deeper than %d",
						  DT_JSON_MAX_DEPTH);
			j->pos++;
			j->stack[j->depth++] = c == '{' ? 'o' : 'a';
			j->expect = c == '{' ? EXPECT_KEY_OR_END : EXPECT_VALUE_OR_END;
			tok->type = c == '{' ? DT_JSON_OBJECT_BEGIN : DT_JSON_ARRAY_BEGIN;
			return 1;
		case '"':
			if ((ret = lex_string(j, err, errlen)))
				return ret;
			tok->type = DT_JSON_STRING;
			tok->text = j->text;
			tok->len = j->text_len;
			value_done(j);
			return 1;
		case 't':
			if ((ret = lex_word(j, "true", err, errlen)))
				return ret;
			tok->type = DT_JSON_TRUE;
			value_done(j);
			return 1;
		case 'f':
			if ((ret = lex_word(j, "false", err, errlen)))
				return ret;
			tok->type = DT_JSON_FALSE;
			value_done(j);
			return 1;
		case 'n':
			if ((ret = lex_word(j, "null", err, errlen)))
				return ret;
			tok->type = DT_JSON_NULL;
			value_done(j);
			return 1;
		default:
			if (c == '-' || (c >= '0' && c <= '9')) {
				if ((ret = lex_number(j, err, errlen)))
					return ret;
				tok->type = DT_JSON_NUMBER;
				tok->text = j->text;
				tok->len = j->text_len;
				value_done(j);
				return 1;
			}
			return json_error(j, off, err, errlen, "expected %s",
					  expect_name(j->expect));
		}
close_container:
		j->pos++;
		j->depth--;
		tok->depth = j->depth;
		tok->type = c == '}' ? DT_JSON_OBJECT_END : DT_JSON_ARRAY_END;
		value_done(j);
		return 1;
	}
}

int dt_json_skip(struct dt_json *j, const struct dt_json_token *tok, char *err, size_t errlen)
{
	struct dt_json_token t;
	unsigned depth;

	if (tok->type != DT_JSON_OBJECT_BEGIN && tok->type != DT_JSON_ARRAY_BEGIN)
		return 0;
	depth = tok->depth;
	for (;;) {
		int ret = dt_json_next(j, &t, err, errlen);
		if (ret < 0)
			return ret;
		if ((t.type == DT_JSON_OBJECT_END || t.type == DT_JSON_ARRAY_END) &&
		    t.depth == depth)
			return 0;
		if (t.type == DT_JSON_EOF)
			return json_error(j, t.offset, err, errlen, "truncated");
	}
}
