/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * json_writer.h - the one JSON string writer: every JSON text damotrace
 * writes escapes its strings here; and the CSV field writer, on the same
 * UTF-8 policy.
 *
 * Policy (docs/EXPORTS.md, "Text encoding"): invalid UTF-8 becomes U+FFFD
 * in reports and JSON, so that what damo-info --json, the timeline's
 * report, speedscope and trace-event files hold always parses as UTF-8
 * JSON.  Record writers (damo's json formats written by damo-convert) keep
 * the original bytes where a round trip back to .dtr depends on them.
 *
 * Invalid UTF-8 is replaced the way Unicode recommends ("maximal subpart",
 * the WHATWG decoder's rule): one U+FFFD for each longest start of a
 * well-formed sequence that is cut short, one for each other byte that
 * cannot start or continue one.  Surrogates (ED A0..BF xx), overlong forms
 * (C0, C1, E0 80..9F, F0 80..8F) and code points above U+10FFFF
 * (F4 90.., F5..FF) are invalid.
 */
#ifndef DT_JSON_WRITER_H
#define DT_JSON_WRITER_H

#include <stddef.h>
#include <stdio.h>

/* What dt_json_escape does with bytes that are not valid UTF-8. */
enum dt_json_bytes {
	DT_JSON_REPLACE,    /* \ufffd per maximal subpart: reports and JSON */
	DT_JSON_KEEP_BYTES, /* written as they are: record writers only */
};

/* Where escaped text goes: n bytes at p (n > 0). */
typedef void (*dt_json_put_fn)(void *ctx, const char *p, size_t n);

/* The body of a JSON string literal of the NUL-terminated `s`, without the
 * quotes, handed to put() in pieces: '"' and '\' escaped, control bytes
 * below 0x20 as \u00XX, valid UTF-8 as it is, the rest by `bytes`.  Uses
 * no memory beyond a few bytes of stack. */
void dt_json_escape(const char *s, enum dt_json_bytes bytes, dt_json_put_fn put, void *ctx);

/* The body of a double-quoted CSV field (RFC 4180) of `s`, without the
 * quotes, with the same UTF-8 policy as DT_JSON_REPLACE: '"' doubled,
 * control bytes below 0x20 (line ends too) as a space, valid UTF-8 as it
 * is, invalid UTF-8 as U+FFFD (the character: CSV has no escapes). */
void dt_csv_escape(const char *s, dt_json_put_fn put, void *ctx);

/* A JSON string literal of `s`, quotes included, with DT_JSON_REPLACE: the
 * output is always valid UTF-8 JSON.  Write errors are left in ferror(out). */
void dt_json_string(FILE *out, const char *s);

/* A malloc'd copy of `s` that is valid UTF-8: each maximal subpart of an
 * invalid sequence replaced by U+FFFD, as above (for text drawn by cairo,
 * which refuses anything else); NULL when out of memory.  At most three
 * times the length of s. */
char *dt_utf8_dup(const char *s);

#endif /* DT_JSON_WRITER_H */
