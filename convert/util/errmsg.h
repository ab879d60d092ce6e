/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * errmsg.h - filling the caller-owned error message that convert/'s
 * functions take (`char *err, size_t errlen`), and quoting the input a
 * message shows.  The one error formatter of every folder that may use
 * convert/util (format/ and kernel-shim/ keep one helper each: dtr_seterr,
 * shim_err).
 */
#ifndef DT_ERRMSG_H
#define DT_ERRMSG_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

/* Format a one-line message into err (when err and errlen are given) and
 * return `code`, so that `return dt_fail(err, errlen, -EINVAL, ...)` reads
 * as one statement. */
int dt_fail(char *err, size_t errlen, int code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* dt_fail() of a va_list, for helpers that take printf arguments. */
int dt_vfail(char *err, size_t errlen, int code, const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));
/* dt_vfail() after a place: "WHERE: message", WHERE formatted from
 * where_fmt and what follows it (a reader's file and line or offset).
 * When err is short the message is cut first. */
int dt_vfail_at(char *err, size_t errlen, int code, const char *fmt, va_list ap,
		const char *where_fmt, ...)
	__attribute__((format(printf, 4, 0), format(printf, 6, 7)));

/* Most bytes of input that a message quotes; more are cut with "...". */
#define DT_QUOTE_MAX 60
/* Room for the longest quote: every byte as \xNN, then "..." and NUL. */
#define DT_QUOTE_BUFLEN (DT_QUOTE_MAX * 4 + 4)

/* Input bytes made safe to show inside a one-line message on a terminal:
 * a byte that is not printable text (a control character, DEL, a byte of
 * invalid UTF-8) and a character that moves or hides text (C1 controls,
 * line and paragraph separators, bidirectional overrides) become \xNN per
 * byte, a backslash becomes \\, and past DT_QUOTE_MAX bytes the rest is
 * cut with "...".  Printable UTF-8 text stays as it is.  Returns buf. */
const char *dt_quote(char *buf, size_t buflen, const void *data, size_t len);
/* dt_quote() of a NUL-terminated string. */
const char *dt_quote_str(char *buf, size_t buflen, const char *s);

/* A whole message made safe for a terminal: what dt_quote() escapes,
 * except backslashes (the message may hold dt_quote()d text already), and
 * without a length limit but dstlen (a message cut short ends with "...").
 * Returns dst. */
const char *dt_message_safe(char *dst, size_t dstlen, const char *msg);

/* Text from a record or the command line written into a terminal report:
 * s whole, escaped as by dt_quote() (control characters, escape sequences
 * and newlines as \xNN, backslashes doubled) but never cut.  0 or EOF. */
int dt_fputs_safe(const char *s, FILE *f);

#endif /* DT_ERRMSG_H */
