// SPDX-License-Identifier: GPL-2.0-only
#include <check.h>
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "errmsg.h"

static const char *quote(const char *s, size_t len)
{
	static char buf[DT_QUOTE_BUFLEN];
	return dt_quote(buf, sizeof(buf), s, len);
}

#define QUOTE(lit) quote(lit, sizeof(lit) - 1)

START_TEST(printable_text_is_kept)
{
	ck_assert_str_eq(QUOTE("main+0x13 (/usr/bin/prog)"), "main+0x13 (/usr/bin/prog)");
	ck_assert_str_eq(QUOTE(""), "");
	/* UTF-8 text, whatever the script */
	ck_assert_str_eq(QUOTE("données \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x94\xa5"),
			 "données \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x94\xa5");
	ck_assert_str_eq(QUOTE("\xc2\xa0nbsp"), "\xc2\xa0nbsp");
}
END_TEST

START_TEST(controls_and_invalid_bytes_are_escaped)
{
	ck_assert_str_eq(QUOTE("a\x1b[31mb"), "a\\x1b[31mb");
	ck_assert_str_eq(QUOTE("tab\tnl\ncr\r"), "tab\\x09nl\\x0acr\\x0d");
	ck_assert_str_eq(QUOTE("nul\0end"), "nul\\x00end");
	ck_assert_str_eq(QUOTE("del\x7f"), "del\\x7f");
	ck_assert_str_eq(QUOTE("back\\slash"), "back\\\\slash");
	/* invalid UTF-8: lone continuation, bad lead, cut sequence, overlong */
	ck_assert_str_eq(QUOTE("\x80"), "\\x80");
	ck_assert_str_eq(QUOTE("\xff\xfe"), "\\xff\\xfe");
	ck_assert_str_eq(QUOTE("\xe6\x97"), "\\xe6\\x97");
	ck_assert_str_eq(QUOTE("\xc0\xaf"), "\\xc0\\xaf");
	ck_assert_str_eq(QUOTE("\xe0\x80\xaf"), "\\xe0\\x80\\xaf");
	ck_assert_str_eq(QUOTE("\xed\xa0\x80"), "\\xed\\xa0\\x80");     /* surrogate */
	ck_assert_str_eq(QUOTE("\xf4\x90\x80\x80"), "\\xf4\\x90\\x80\\x80"); /* > U+10FFFF */
	/* characters that act on a terminal or reorder text */
	ck_assert_str_eq(QUOTE("\xc2\x9b" "2J"), "\\xc2\\x9b" "2J");     /* C1 CSI */
	ck_assert_str_eq(QUOTE("\xe2\x80\xae" "abc"), "\\xe2\\x80\\xae" "abc"); /* RLO */
	ck_assert_str_eq(QUOTE("\xe2\x80\xa8"), "\\xe2\\x80\\xa8");     /* line separator */
	ck_assert_str_eq(QUOTE("\xe2\x81\xa6"), "\\xe2\\x81\\xa6");     /* isolate */
}
END_TEST

START_TEST(long_input_is_cut)
{
	char in[200], want[DT_QUOTE_MAX + 4];

	memset(in, 'x', sizeof(in));
	memset(want, 'x', DT_QUOTE_MAX);
	memcpy(want + DT_QUOTE_MAX, "...", 4);
	ck_assert_str_eq(quote(in, sizeof(in)), want);
	/* exactly DT_QUOTE_MAX bytes: no "..." */
	want[DT_QUOTE_MAX] = '\0';
	ck_assert_str_eq(quote(in, DT_QUOTE_MAX), want);
	/* the worst case fits: every byte escaped */
	memset(in, 0x01, sizeof(in));
	const char *q = quote(in, sizeof(in));
	ck_assert_uint_eq(strlen(q), DT_QUOTE_MAX * 4 + 3);
	ck_assert_str_eq(q + DT_QUOTE_MAX * 4, "...");
	/* a character is never split: it goes whole or not at all */
	memset(in, 'x', DT_QUOTE_MAX - 1);
	memcpy(in + DT_QUOTE_MAX - 1, "\xc3\xa9zzz", 5);
	q = quote(in, DT_QUOTE_MAX + 4);
	ck_assert_uint_eq(strlen(q), DT_QUOTE_MAX - 1 + 3);
	ck_assert_str_eq(q + DT_QUOTE_MAX - 1, "...");
}
END_TEST

START_TEST(small_buffers_stay_terminated)
{
	char buf[8];

	ck_assert_str_eq(dt_quote(buf, sizeof(buf), "abcdefghij", 10), "abcd...");
	ck_assert_str_eq(dt_quote(buf, sizeof(buf), "\x1b\x1b", 2), "\\x1b...");
	ck_assert_str_eq(dt_quote(buf, 3, "abcdef", 6), "..");
	ck_assert_str_eq(dt_quote(buf, 1, "abcdef", 6), "");
	ck_assert_str_eq(dt_quote_str(buf, sizeof(buf), "ok"), "ok");
}
END_TEST

START_TEST(whole_messages_keep_backslashes)
{
	char buf[128];

	/* already quoted text is not escaped twice; raw bytes still are */
	ck_assert_str_eq(dt_message_safe(buf, sizeof(buf), "f: \"a\\x1b\" \x1b[2J\n"),
			 "f: \"a\\x1b\" \\x1b[2J\\x0a");
	ck_assert_str_eq(dt_message_safe(buf, sizeof(buf), "données.dtr: gone"),
			 "données.dtr: gone");
	/* no length limit but the buffer's */
	char longmsg[100];
	memset(longmsg, 'm', sizeof(longmsg) - 1);
	longmsg[sizeof(longmsg) - 1] = '\0';
	ck_assert_str_eq(dt_message_safe(buf, sizeof(buf), longmsg), longmsg);
}
END_TEST

/* A reader's helper: dt_vfail_at() of its own printf arguments. */
static int at_line(char *err, size_t errlen, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int at_line(char *err, size_t errlen, unsigned line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int ret = dt_vfail_at(err, errlen, -EINVAL, fmt, ap, "%s: line %u", "in.txt", line);
	va_end(ap);
	return ret;
}

START_TEST(messages_are_formatted_once)
{
	char err[64], small[12];

	ck_assert_int_eq(dt_fail(err, sizeof(err), -ENOENT, "%s: %d", "x", 7), -ENOENT);
	ck_assert_str_eq(err, "x: 7");
	ck_assert_int_eq(dt_fail(NULL, 0, -EIO, "no room"), -EIO);
	ck_assert_int_eq(at_line(err, sizeof(err), 12, "bad %s", "token"), -EINVAL);
	ck_assert_str_eq(err, "in.txt: line 12: bad token");
	/* Cut short: the place stays, the message goes first. */
	ck_assert_int_eq(at_line(small, sizeof(small), 3, "bad %s", "token"), -EINVAL);
	ck_assert_str_eq(small, "in.txt: lin");
	ck_assert_int_eq(at_line(NULL, 0, 3, "bad"), -EINVAL);
}
END_TEST

Suite *errmsg_suite(void)
{
	Suite *s = suite_create("errmsg");
	TCase *tc = tcase_create("quote");

	tcase_add_test(tc, printable_text_is_kept);
	tcase_add_test(tc, controls_and_invalid_bytes_are_escaped);
	tcase_add_test(tc, long_input_is_cut);
	tcase_add_test(tc, small_buffers_stay_terminated);
	tcase_add_test(tc, whole_messages_keep_backslashes);
	tcase_add_test(tc, messages_are_formatted_once);
	suite_add_tcase(s, tc);
	return s;
}
