// SPDX-License-Identifier: GPL-2.0-only
/*
 * The pull JSON tokenizer: tokens and their depths, escapes, numbers kept
 * as text, refills at any byte boundary, and located errors.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

#include "json.h"

/* Serve a string a few bytes at a time, so tokens straddle refills. */
struct chunked {
	const char *text;
	size_t len, pos, chunk;
};

static ssize_t chunked_read(void *ctx, void *buf, size_t len, char *err, size_t errlen)
{
	struct chunked *c = ctx;
	size_t n = c->len - c->pos;
	(void)err;
	(void)errlen;

	if (n > c->chunk)
		n = c->chunk;
	if (n > len)
		n = len;
	memcpy(buf, c->text + c->pos, n);
	c->pos += n;
	return (ssize_t)n;
}

/* Tokens as one line: "[ { k:a s:b n:1 t f z } ]". */
static int tokens(const char *text, size_t chunk, char *out, size_t outlen, char *err,
		  size_t errlen)
{
	struct chunked c = { text, strlen(text), 0, chunk };
	struct dt_json *j;
	struct dt_json_token t;
	int ret;

	ck_assert_int_eq(dt_json_new(&j, chunked_read, &c, "doc.json"), 0);
	out[0] = '\0';
	for (;;) {
		ret = dt_json_next(j, &t, err, errlen);
		if (ret < 0)
			break;
		char one[256];
		switch (t.type) {
		case DT_JSON_EOF: one[0] = '\0'; break;
		case DT_JSON_OBJECT_BEGIN: snprintf(one, sizeof(one), "{%u ", t.depth); break;
		case DT_JSON_OBJECT_END: snprintf(one, sizeof(one), "}%u ", t.depth); break;
		case DT_JSON_ARRAY_BEGIN: snprintf(one, sizeof(one), "[%u ", t.depth); break;
		case DT_JSON_ARRAY_END: snprintf(one, sizeof(one), "]%u ", t.depth); break;
		case DT_JSON_KEY: snprintf(one, sizeof(one), "k:%s ", t.text); break;
		case DT_JSON_STRING: snprintf(one, sizeof(one), "s:%s ", t.text); break;
		case DT_JSON_NUMBER: snprintf(one, sizeof(one), "n:%s ", t.text); break;
		case DT_JSON_TRUE: snprintf(one, sizeof(one), "t "); break;
		case DT_JSON_FALSE: snprintf(one, sizeof(one), "f "); break;
		case DT_JSON_NULL: snprintf(one, sizeof(one), "z "); break;
		}
		strncat(out, one, outlen - strlen(out) - 1);
		if (t.type == DT_JSON_EOF) {
			ret = 0;
			break;
		}
	}
	dt_json_free(j);
	return ret;
}

START_TEST(tokens_at_every_refill_boundary)
{
	const char *doc = " [ {\"a\": \"b\", \"n\": -12.5e+3, \"big\": 18446744073709551615,"
			  " \"t\": true, \"f\": false, \"z\": null, \"e\": {}, \"l\": []} ] \n";
	const char *want = "[0 {1 k:a s:b k:n n:-12.5e+3 k:big n:18446744073709551615 k:t t "
			   "k:f f k:z z k:e {2 }2 k:l [2 ]2 }1 ]0 ";
	char out[1024], err[256];

	for (size_t chunk = 1; chunk <= 7; chunk++) {
		ck_assert_int_eq(tokens(doc, chunk, out, sizeof(out), err, sizeof(err)), 0);
		ck_assert_str_eq(out, want);
	}
}
END_TEST

START_TEST(byte_order_mark_is_skipped)
{
	char out[256], err[256];

	ck_assert_int_eq(tokens("\xef\xbb\xbf[1]", 1, out, sizeof(out), err, sizeof(err)), 0);
	ck_assert_str_eq(out, "[0 n:1 ]0 ");
	ck_assert_int_lt(tokens("\xef\xbb[1]", 1, out, sizeof(out), err, sizeof(err)), 0);
	ck_assert_ptr_nonnull(strstr(err, "byte order mark"));
}
END_TEST

START_TEST(string_escapes_to_utf8)
{
	char out[1024], err[256];

	ck_assert_int_eq(tokens("[\"q\\\"b\\\\s\\/n\\nt\\tu\\u00e9\\ud83d\\ude00\"]", 3, out,
				sizeof(out), err, sizeof(err)), 0);
	ck_assert_str_eq(out, "[0 s:q\"b\\s/n\nt\tu\xc3\xa9\xf0\x9f\x98\x80 ]0 ");
}
END_TEST

START_TEST(errors_name_the_document_and_offset)
{
	static const struct { const char *doc; const char *want; } cases[] = {
		{ "[1, 2,, 3]", "doc.json: JSON offset 6: expected a value" },
		{ "{\"a\" 1}", "doc.json: JSON offset 5: expected ':'" },
		{ "[01]", "doc.json: JSON offset 1: malformed number" },
		{ "[1.]", "doc.json: JSON offset 1: malformed number" },
		{ "[\"abc", "doc.json: JSON offset 1: unterminated string" },
		{ "[\"a\x01\"]", "control character" },
		{ "[\"\\x\"]", "bad escape" },
		{ "[\"\\ud800x\"]", "unpaired surrogate" },
		{ "[tru]", "JSON offset 1: unexpected character" },
		{ "[1] [2]", "JSON offset 4: trailing data" },
		{ "[{\"a\": 1]", "JSON offset 8: expected ',' or the end" },
		{ "[", "truncated: expected a value or ']'" },
		{ "", "JSON offset 0: truncated: expected a value" },
	};
	char out[1024], err[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err[0] = '\0';
		ck_assert_int_lt(tokens(cases[i].doc, 2, out, sizeof(out), err, sizeof(err)), 0);
		ck_assert_msg(strstr(err, cases[i].want) != NULL, "'%s': got '%s', want '%s'",
			      cases[i].doc, err, cases[i].want);
	}
}
END_TEST

START_TEST(depth_is_limited_and_skip_works)
{
	char deep[DT_JSON_MAX_DEPTH + 8], out[256], err[256];

	memset(deep, '[', sizeof(deep) - 1);
	deep[sizeof(deep) - 1] = '\0';
	ck_assert_int_lt(tokens(deep, 64, out, sizeof(out), err, sizeof(err)), 0);
	ck_assert_ptr_nonnull(strstr(err, "nested deeper"));

	const char *doc = "{\"skip\": {\"x\": [1, {\"y\": [2]}]}, \"keep\": 7}";
	struct chunked c = { doc, strlen(doc), 0, 5 };
	struct dt_json *j;
	struct dt_json_token t;
	ck_assert_int_eq(dt_json_new(&j, chunked_read, &c, "doc"), 0);
	ck_assert_int_eq(dt_json_next(j, &t, err, sizeof(err)), 1);
	ck_assert_int_eq(dt_json_next(j, &t, err, sizeof(err)), 1);
	ck_assert_str_eq(t.text, "skip");
	ck_assert_int_eq(dt_json_next(j, &t, err, sizeof(err)), 1);
	ck_assert_int_eq(t.type, DT_JSON_OBJECT_BEGIN);
	ck_assert_int_eq(dt_json_skip(j, &t, err, sizeof(err)), 0);
	ck_assert_int_eq(dt_json_next(j, &t, err, sizeof(err)), 1);
	ck_assert_int_eq(t.type, DT_JSON_KEY);
	ck_assert_str_eq(t.text, "keep");
	ck_assert_int_eq(dt_json_next(j, &t, err, sizeof(err)), 1);
	ck_assert_str_eq(t.text, "7");
	ck_assert_uint_eq(t.offset, strlen(doc) - 2);
	dt_json_free(j);
}
END_TEST

Suite *json_suite(void)
{
	Suite *s = suite_create("json");
	TCase *tc = tcase_create("tokenizer");

	tcase_add_test(tc, tokens_at_every_refill_boundary);
	tcase_add_test(tc, byte_order_mark_is_skipped);
	tcase_add_test(tc, string_escapes_to_utf8);
	tcase_add_test(tc, errors_name_the_document_and_offset);
	tcase_add_test(tc, depth_is_limited_and_skip_works);
	suite_add_tcase(s, tc);
	return s;
}
