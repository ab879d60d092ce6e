// SPDX-License-Identifier: GPL-2.0-only
/*
 * The JSON string writer: escapes, invalid UTF-8 as U+FFFD per maximal
 * subpart, original bytes kept for record writers; and damo-info --json
 * on a record whose command line and metadata are not UTF-8; the CSV
 * field writer on the same policy.
 */
#define _DEFAULT_SOURCE
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dtr.h"
#include "json_writer.h"

#define FFFD "\\ufffd"

/* dt_json_string(s) as a string; the caller frees it. */
static char *json_of(const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(out);
	dt_json_string(out, s);
	fclose(out);
	return buf;
}

#define ck_json(in, want)                                  \
	do {                                               \
		char *got_ = json_of(in);                  \
		ck_assert_str_eq(got_, "\"" want "\"");    \
		free(got_);                                \
	} while (0)

START_TEST(escapes_and_controls)
{
	ck_json("", "");
	ck_json("a\"b\\c/", "a\\\"b\\\\c/");
	ck_json("\x01\x1f\n\t\x7f", "\\u0001\\u001f\\u000a\\u0009\x7f");
}
END_TEST

START_TEST(valid_utf8_is_kept)
{
	ck_json("caf\xc3\xa9", "caf\xc3\xa9");
	ck_json("\xc2\x80\xdf\xbf", "\xc2\x80\xdf\xbf");                 /* 2-byte bounds */
	ck_json("\xe0\xa0\x80\xef\xbf\xbf", "\xe0\xa0\x80\xef\xbf\xbf"); /* 3-byte bounds */
	ck_json("\xed\x9f\xbf\xee\x80\x80", "\xed\x9f\xbf\xee\x80\x80"); /* around surrogates */
	ck_json("\xf0\x90\x80\x80", "\xf0\x90\x80\x80");                 /* U+10000 */
	ck_json("\xf4\x8f\xbf\xbf", "\xf4\x8f\xbf\xbf");                 /* U+10FFFF, the max */
}
END_TEST

START_TEST(invalid_utf8_is_replaced_per_maximal_subpart)
{
	ck_json("caf\xe9", "caf" FFFD);                          /* Latin-1 */
	ck_json("\xe9x", FFFD "x");
	ck_json("\x80\xbf", FFFD FFFD);                          /* lone continuations */
	ck_json("\xff\xfe", FFFD FFFD);
	/* surrogates U+D800, U+DFFF: ED is followed by 80..9F only */
	ck_json("\xed\xa0\x80", FFFD FFFD FFFD);
	ck_json("\xed\xbf\xbf", FFFD FFFD FFFD);
	/* overlongs */
	ck_json("\xc0\xaf", FFFD FFFD);
	ck_json("\xc1\xbf", FFFD FFFD);
	ck_json("\xe0\x80\xaf", FFFD FFFD FFFD);
	ck_json("\xf0\x8f\xbf\xbf", FFFD FFFD FFFD FFFD);
	/* beyond U+10FFFF */
	ck_json("\xf4\x90\x80\x80", FFFD FFFD FFFD FFFD);
	ck_json("\xf5\x80\x80\x80", FFFD FFFD FFFD FFFD);
	/* truncated: the valid start of a sequence is one replacement */
	ck_json("\xe2\x82", FFFD);
	ck_json("\xf0\x9f\x94", FFFD);
	ck_json("\xe2\x82x", FFFD "x");
	ck_json("\xf0\x9f\x94\xe2\x82\xac", FFFD "\xe2\x82\xac");
	ck_json("\xc3", FFFD);
}
END_TEST

static void put_mem(void *ctx, const char *p, size_t n)
{
	fwrite(p, 1, n, ctx);
}

START_TEST(record_writers_keep_bytes)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	dt_json_escape("caf\xe9 \"q\"\n\xed\xa0\x80", DT_JSON_KEEP_BYTES, put_mem, out);
	fclose(out);
	ck_assert_str_eq(buf, "caf\xe9 \\\"q\\\"\\u000a\xed\xa0\x80");
	free(buf);
}
END_TEST

/* A record whose target command line and metadata hold byte 0xE9. */
static void write_latin1_record(const char *path)
{
	struct dtr_writer_opts wo = { .no_fsync = 1 };
	struct dtr_writer *w;
	struct dtr_item it;
	char err[256];
	const struct dtr_kv kvs[] = { { "note", "caf\xe9" } };
	const struct dtr_target t = { .index = 0, .id = 42, .pid = 42, .cmdline = "caf\xe9 --x" };

	ck_assert_msg(!dtr_writer_open(&w, path, &wo, err, sizeof(err)), "%s", err);
	memset(&it, 0, sizeof(it));
	it.type = DTR_ITEM_META;
	it.u.meta.nr = 1;
	it.u.meta.kvs = kvs;
	ck_assert_msg(!dtr_writer_put(w, &it, err, sizeof(err)), "%s", err);
	memset(&it, 0, sizeof(it));
	it.type = DTR_ITEM_CONTEXT;
	it.u.context.ops = DTR_OPS_VADDR;
	it.u.context.nr_targets = 1;
	it.u.context.targets = &t;
	ck_assert_msg(!dtr_writer_put(w, &it, err, sizeof(err)), "%s", err);
	ck_assert_msg(!dtr_writer_close(w, err, sizeof(err)), "%s", err);
}

START_TEST(info_json_is_utf8)
{
	char dir[] = "/tmp/dt-json-writer.XXXXXX", path[64], cmd[512];
	const char *bin = getenv("DT_BIN");

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/latin1.dtr", dir);
	write_latin1_record(path);
	snprintf(cmd, sizeof(cmd),
		 "'%s/damo-info' --json '%s' | python3 -c '"
		 "import json, sys\n"
		 "j = json.loads(sys.stdin.buffer.read().decode(\"utf-8\"))\n"
		 "assert j[\"contexts\"][0][\"targets\"][0][\"cmdline\"] == \"caf\\ufffd --x\", j\n"
		 "assert j[\"meta\"][\"note\"] == \"caf\\ufffd\", j\n'",
		 bin ? bin : "bin", path);
	int status = system(cmd);
	unlink(path);
	rmdir(dir);
	ck_assert_msg(status == 0, "damo-info --json of a Latin-1 command line is not UTF-8 JSON");
}
END_TEST

/* dt_csv_escape(s) as a string; the caller frees it. */
static char *csv_of(const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(out);
	dt_csv_escape(s, put_mem, out);
	fclose(out);
	return buf;
}

#define ck_csv(in, want)                        \
	do {                                    \
		char *got_ = csv_of(in);        \
		ck_assert_str_eq(got_, want);   \
		free(got_);                     \
	} while (0)

START_TEST(csv_fields)
{
	ck_csv("", "");
	ck_csv("app --x=1,2 \\", "app --x=1,2 \\");             /* commas, backslash kept */
	ck_csv("say \"hi\"", "say \"\"hi\"\"");                 /* quotes doubled */
	ck_csv("a\nb\tc\r", "a b c ");                            /* control bytes: space */
	ck_csv("caf\xc3\xa9", "caf\xc3\xa9");                     /* UTF-8 kept */
	ck_csv("caf\xe9!", "caf\xef\xbf\xbd!");                   /* invalid: U+FFFD */
	ck_csv("\xe0\xa0", "\xef\xbf\xbd");                       /* one per maximal subpart */
}
END_TEST

Suite *json_writer_suite(void)
{
	Suite *s = suite_create("json_writer");
	TCase *tc = tcase_create("strings");

	tcase_add_test(tc, escapes_and_controls);
	tcase_add_test(tc, valid_utf8_is_kept);
	tcase_add_test(tc, invalid_utf8_is_replaced_per_maximal_subpart);
	tcase_add_test(tc, record_writers_keep_bytes);
	tcase_add_test(tc, info_json_is_utf8);
	tcase_add_test(tc, csv_fields);
	suite_add_tcase(s, tc);
	return s;
}
