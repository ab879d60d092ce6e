// SPDX-License-Identifier: GPL-2.0-only
/* Caller-owned error messages: the one formatter, quoting, safe text (errmsg.h). */
#include "errmsg.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

int dt_vfail(char *err, size_t errlen, int code, const char *fmt, va_list ap)
{
	if (err && errlen)
		vsnprintf(err, errlen, fmt, ap);
	return code;
}

int dt_fail(char *err, size_t errlen, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	dt_vfail(err, errlen, code, fmt, ap);
	va_end(ap);
	return code;
}

int dt_vfail_at(char *err, size_t errlen, int code, const char *fmt, va_list ap,
		const char *where_fmt, ...)
{
	va_list wp;
	int n;

	if (!err || !errlen)
		return code;
	va_start(wp, where_fmt);
	n = vsnprintf(err, errlen, where_fmt, wp);
	va_end(wp);
	if (n >= 0 && (size_t)n + 2 < errlen) {
		memcpy(err + n, ": ", 3);
		vsnprintf(err + n + 2, errlen - (size_t)n - 2, fmt, ap);
	}
	return code;
}

/* Length of the UTF-8 sequence at s when it encodes a character that is
 * safe to print as it is; 0 when its bytes are to be escaped. */
static size_t printable_utf8(const unsigned char *s, size_t len)
{
	size_t n;
	uint32_t cp;

	if (s[0] < 0xc2 || s[0] > 0xf4)
		return 0; /* ASCII, a continuation byte, an overlong or too high lead */
	n = s[0] < 0xe0 ? 2 : s[0] < 0xf0 ? 3 : 4;
	if (len < n)
		return 0;
	cp = s[0] & (0x7fu >> n);
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3fu);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0; /* overlong or beyond Unicode */
	if (cp < 0xa0 ||                      /* C1 controls (0x9b starts a CSI) */
	    (cp >= 0xd800 && cp < 0xe000) ||  /* surrogates */
	    cp == 0x200e || cp == 0x200f ||   /* directional marks */
	    (cp >= 0x2028 && cp <= 0x202e) || /* separators, embeddings, overrides */
	    (cp >= 0x2066 && cp <= 0x2069))   /* directional isolates */
		return 0;
	return n;
}

/* The escaped form of the character at src (`*take` bytes of it) into
 * piece (up to 4 bytes); returns its length. */
static size_t escape_piece(const unsigned char *src, size_t len, int backslash, char *piece,
			   size_t *take)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char c = src[0];

	if (c >= 0x20 && c < 0x7f && (c != '\\' || !backslash)) {
		piece[0] = (char)c;
		*take = 1;
		return 1;
	}
	if (c == '\\') {
		piece[0] = piece[1] = '\\';
		*take = 1;
		return 2;
	}
	if ((*take = printable_utf8(src, len))) {
		memcpy(piece, src, *take);
		return *take;
	}
	piece[0] = '\\';
	piece[1] = 'x';
	piece[2] = hex[c >> 4];
	piece[3] = hex[c & 15];
	*take = 1;
	return 4;
}

/* Escape src[0, len) into dst: at most `max` source bytes, backslashes
 * doubled when `backslash` is set, "..." when anything was left out. */
static void escape(char *dst, size_t dstlen, const unsigned char *src, size_t len,
		   size_t max, int backslash)
{
	size_t out = 0, i = 0;

	if (!dstlen)
		return;
	while (i < len) {
		char piece[8];
		size_t take, plen = escape_piece(src + i, len - i, backslash, piece, &take);

		/* Room is kept for "..." and the NUL after any piece. */
		if (i + take > max || out + plen + 4 > dstlen)
			break;
		memcpy(dst + out, piece, plen);
		out += plen;
		i += take;
	}
	if (i < len) {
		size_t dots = dstlen - 1 - out < 3 ? dstlen - 1 - out : 3;
		memcpy(dst + out, "...", dots);
		out += dots;
	}
	dst[out] = '\0';
}

int dt_fputs_safe(const char *s, FILE *f)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t len = strlen((const char *)p), i = 0;

	while (i < len) {
		char piece[8];
		size_t take, plen = escape_piece(p + i, len - i, 1, piece, &take);

		if (fwrite(piece, 1, plen, f) != plen)
			return EOF;
		i += take;
	}
	return 0;
}

const char *dt_quote(char *buf, size_t buflen, const void *data, size_t len)
{
	escape(buf, buflen, data, len, DT_QUOTE_MAX, 1);
	return buf;
}

const char *dt_quote_str(char *buf, size_t buflen, const char *s)
{
	return dt_quote(buf, buflen, s, strlen(s));
}

const char *dt_message_safe(char *dst, size_t dstlen, const char *msg)
{
	escape(dst, dstlen, (const unsigned char *)msg, strlen(msg), SIZE_MAX, 0);
	return dst;
}
