// SPDX-License-Identifier: GPL-2.0-only
/*
 * The one JSON string writer, and the CSV field writer that shares its
 * UTF-8 policy: escapes and the replacement of invalid UTF-8
 * (json_writer.h).
 */
#include "json_writer.h"

#include <stdlib.h>
#include <string.h>

/* Length of the valid UTF-8 sequence at s (1 to 4), or 0 with *bad set to
 * the length of its maximal subpart (1 to 3), what one U+FFFD replaces.
 * Well-formed sequences as Unicode's table 3-7 lists them. */
static size_t utf8_len(const unsigned char *s, size_t *bad)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n;

	*bad = 1;
	if (s[0] < 0x80)
		return 1;
	if (s[0] < 0xc2 || s[0] > 0xf4)
		return 0; /* a continuation byte, an overlong or too high lead */
	n = s[0] < 0xe0 ? 2 : s[0] < 0xf0 ? 3 : 4;
	if (s[0] == 0xe0)
		lo = 0xa0; /* overlong below U+0800 */
	else if (s[0] == 0xed)
		hi = 0x9f; /* surrogates U+D800..DFFF */
	else if (s[0] == 0xf0)
		lo = 0x90; /* overlong below U+10000 */
	else if (s[0] == 0xf4)
		hi = 0x8f; /* above U+10FFFF */
	for (size_t i = 1; i < n; i++) {
		if (s[i] < lo || s[i] > hi) {
			*bad = i; /* a NUL ends the string here too */
			return 0;
		}
		lo = 0x80;
		hi = 0xbf;
	}
	return n;
}

/* The escape that replaces the character at s (n: its utf8_len()), in esc;
 * its length, or 0 when the character is written as it is. */
static size_t escape_of(const unsigned char *s, size_t n, enum dt_json_bytes bytes, char esc[8])
{
	if (*s == '"' || *s == '\\') {
		esc[0] = '\\';
		esc[1] = (char)*s;
		return 2;
	}
	if (*s < 0x20)
		return (size_t)snprintf(esc, 8, "\\u%04x", *s);
	if (!n && bytes == DT_JSON_REPLACE) {
		memcpy(esc, "\\ufffd", 6);
		return 6;
	}
	return 0;
}

/* The CSV counterpart of escape_of(): '"' doubled, control bytes as a
 * space, invalid UTF-8 as the character U+FFFD itself (CSV has no
 * escapes). */
static size_t csv_escape_of(const unsigned char *s, size_t n, enum dt_json_bytes bytes,
			    char esc[8])
{
	(void)bytes;
	if (*s == '"') {
		memcpy(esc, "\"\"", 2);
		return 2;
	}
	if (*s < 0x20) {
		esc[0] = ' ';
		return 1;
	}
	if (!n) {
		memcpy(esc, "\xef\xbf\xbd", 3);
		return 3;
	}
	return 0;
}

typedef size_t (*escape_fn)(const unsigned char *s, size_t n, enum dt_json_bytes bytes,
			    char esc[8]);

/* `str` to put() in runs of bytes kept as they are and escapes. */
static void escape_with(const char *str, escape_fn escape, enum dt_json_bytes bytes,
			dt_json_put_fn put, void *ctx)
{
	const unsigned char *s = (const unsigned char *)str;
	const unsigned char *run = s; /* start of the bytes not yet put */

	while (*s) {
		char esc[8];
		size_t bad, n = utf8_len(s, &bad);
		size_t elen = escape(s, n, bytes, esc);

		if (elen) {
			if (s > run)
				put(ctx, (const char *)run, (size_t)(s - run));
			put(ctx, esc, elen);
		}
		s += n ? n : bad;
		if (elen)
			run = s;
	}
	if (s > run)
		put(ctx, (const char *)run, (size_t)(s - run));
}

void dt_json_escape(const char *str, enum dt_json_bytes bytes, dt_json_put_fn put, void *ctx)
{
	escape_with(str, escape_of, bytes, put, ctx);
}

void dt_csv_escape(const char *str, dt_json_put_fn put, void *ctx)
{
	escape_with(str, csv_escape_of, DT_JSON_REPLACE, put, ctx);
}

static void put_file(void *ctx, const char *p, size_t n)
{
	fwrite(p, 1, n, ctx);
}

void dt_json_string(FILE *out, const char *s)
{
	putc('"', out);
	dt_json_escape(s, DT_JSON_REPLACE, put_file, out);
	putc('"', out);
}

char *dt_utf8_dup(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t len = strlen(str);
	char *out = malloc(3 * len + 1), *o = out;

	if (!out)
		return NULL;
	while (*s) {
		size_t bad, n = utf8_len(s, &bad);
		if (n) {
			memcpy(o, s, n);
			o += n;
			s += n;
		} else {
			memcpy(o, "\xef\xbf\xbd", 3); /* U+FFFD */
			o += 3;
			s += bad;
		}
	}
	*o = '\0';
	return out;
}
