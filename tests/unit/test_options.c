// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests of cmd/options.c: parsing from an option table (short, long,
 * merged, --opt=val, missing arguments, unknown options, "--"), the typed
 * entries and callbacks, and the generated --help and --list-options. */
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "options.h"

#define MAX_ARGS 16

/* What one parse left behind. */
struct vals {
	int all, brief, level, mode, done_cb;
	enum { MODE_A, MODE_B } e;
	const char *input, *output;
	uint64_t big;
	uint32_t small;
	const char *pair[2];
	const char *inc;
};

static int pair_cb(const struct opt *o, const char *arg, struct opt_parser *p)
{
	const char **pair = o->value;
	const char *second = opt_next_arg(p);

	if (!second)
		return opt_fail(p, "%s needs two values", p->name);
	pair[0] = arg;
	pair[1] = second;
	return 0;
}

static int done_cb(const struct opt *o, const char *arg, struct opt_parser *p)
{
	(void)arg;
	(void)p;
	*(int *)o->value = 1;
	return OPT_CB_DONE;
}

static struct vals v;
static struct opt fragment[] = {
	OPT_STRING('I', "included", &v.inc, "X", "an option of an included table"),
	OPT_END(),
};
static const struct opt table[] = {
	OPT_BOOL('a', "all", &v.all, "every one"),
	OPT_BOOL('b', "brief", &v.brief, "short output"),
	OPT_SET_INT(0, "verbose", &v.level, 2, "level 2"),
	OPT_ALIAS("verbosely"),
	OPT_STRING('i', "input", &v.input, "FILE", "the file to read"),
	OPT_STRING('o', "output", &v.output, "OUT",
		   "where to write: a long help text that the generator has to wrap over more "
		   "than one line of the terminal"),
	OPT_ALIAS("out-file"),
	OPT_CHOICE('m', "mode", &v.mode, NULL, NULL, "how", { "fast", 10 }, { "slow", 20 }, { "exact", -3 }),
	OPT_CHOICE(0, "kind", &v.e, "KIND", NULL, "an enum", { "a", MODE_A }, { "b", MODE_B }),
	OPT_UINT(0, "big", &v.big, "N", 0, UINT64_MAX, "bad number '%s'", "a 64-bit count"),
	OPT_UINT('n', "small", &v.small, "N", 1, 10, NULL, "a 32-bit count from 1 to 10"),
	OPT_CALLBACK(0, "pair", v.pair, "A B", "two values", pair_cb),
	OPT_CALLBACK_NOARG(0, "list-things", &v.done_cb, "list and exit", done_cb),
	OPT_INCLUDE(fragment),
	OPT_HELP('h'),
	OPT_VERSION('V'),
	OPT_END(),
};
static const struct opt_cmd cmd = {
	.name = "prog",
	.usage = (const char *const[]){ "[options] FILE...", "--pair A B", NULL },
	.about = "Does things.\n",
	.opts = table,
	.max_operands = 2,
	.notes = "A note.",
};

static char *argv_buf[MAX_ARGS + 2];
static int nr_args;
static char stderr_text[4096];

/* What a file descriptor receives meanwhile goes to a temporary file. */
struct capture {
	int fd, saved;
	FILE *tmp;
};

static void capture_begin(struct capture *c, int fd)
{
	c->fd = fd;
	c->tmp = tmpfile();
	ck_assert_ptr_nonnull(c->tmp);
	fflush(fd == STDOUT_FILENO ? stdout : stderr);
	c->saved = dup(fd);
	dup2(fileno(c->tmp), fd);
}

/* Ends the capture; its text is left in buf. */
static void capture_end(struct capture *c, char *buf, size_t len)
{
	size_t n;

	fflush(c->fd == STDOUT_FILENO ? stdout : stderr);
	dup2(c->saved, c->fd);
	close(c->saved);
	rewind(c->tmp);
	n = fread(buf, 1, len - 1, c->tmp);
	buf[n] = '\0';
	fclose(c->tmp);
}

/* Parses "prog" and the given words (NULL-terminated) with stderr kept in
 * stderr_text; returns opt_parse's status, *first its first operand. */
static int parse(int *first, ...)
{
	struct capture c;
	va_list ap;
	const char *w;
	int status, dummy;

	memset(&v, 0, sizeof(v));
	nr_args = 0;
	argv_buf[nr_args++] = "prog";
	va_start(ap, first);
	while ((w = va_arg(ap, const char *)) && nr_args < MAX_ARGS)
		argv_buf[nr_args++] = (char *)w;
	va_end(ap);
	argv_buf[nr_args] = NULL;
	capture_begin(&c, STDERR_FILENO);
	status = opt_parse(&cmd, nr_args, argv_buf, first ? first : &dummy);
	capture_end(&c, stderr_text, sizeof(stderr_text));
	return status;
}

START_TEST(short_options_alone_merged_and_attached)
{
	int first;

	ck_assert_int_eq(parse(&first, "-a", "-i", "in.dtr", NULL), OPT_RUN);
	ck_assert_int_eq(v.all, 1);
	ck_assert_int_eq(v.brief, 0);
	ck_assert_str_eq(v.input, "in.dtr");
	ck_assert_int_eq(first, nr_args);
	/* merged flags, then an argument attached to the last one */
	ck_assert_int_eq(parse(&first, "-abiFILE", NULL), OPT_RUN);
	ck_assert_int_eq(v.all, 1);
	ck_assert_int_eq(v.brief, 1);
	ck_assert_str_eq(v.input, "FILE");
	ck_assert_int_eq(parse(&first, "-ba", "-mslow", NULL), OPT_RUN);
	ck_assert_int_eq(v.all, 1);
	ck_assert_int_eq(v.mode, 20);
	ck_assert_str_eq(stderr_text, "");
}
END_TEST

START_TEST(long_options_with_separate_and_equals_values)
{
	int first;

	ck_assert_int_eq(parse(&first, "--input", "a", "--output=b", "--verbose", NULL), OPT_RUN);
	ck_assert_str_eq(v.input, "a");
	ck_assert_str_eq(v.output, "b");
	ck_assert_int_eq(v.level, 2);
	/* a later option overrides an earlier one; unique abbreviations work */
	ck_assert_int_eq(parse(&first, "--inp=x", "--input", "y", NULL), OPT_RUN);
	ck_assert_str_eq(v.input, "y");
	/* an alias stores where its entry does; an abbreviation of both names
	 * is that one option, not an ambiguity */
	ck_assert_int_eq(parse(&first, "--out-file", "c", NULL), OPT_RUN);
	ck_assert_str_eq(v.output, "c");
	ck_assert_int_eq(parse(&first, "--ou", "d", NULL), OPT_RUN);
	ck_assert_str_eq(v.output, "d");
	ck_assert_int_eq(parse(&first, "--verbosely", NULL), OPT_RUN);
	ck_assert_int_eq(v.level, 2);
	ck_assert_int_eq(parse(&first, "--verbo", NULL), OPT_RUN);
	ck_assert_int_eq(v.level, 2);
	ck_assert_str_eq(stderr_text, "");
	ck_assert_int_eq(parse(&first, "--included", "e", "-I", "f", NULL), OPT_RUN);
	ck_assert_str_eq(v.inc, "f");
}
END_TEST

START_TEST(operands_and_double_dash)
{
	int first;

	/* options and operands mixed: operands are moved after the options */
	ck_assert_int_eq(parse(&first, "x", "-a", "y", NULL), OPT_RUN);
	ck_assert_int_eq(v.all, 1);
	ck_assert_int_eq(first, 2);
	ck_assert_str_eq(argv_buf[first], "x");
	ck_assert_str_eq(argv_buf[first + 1], "y");
	/* "--" ends the options: what follows is an operand, even "-b" */
	ck_assert_int_eq(parse(&first, "-a", "--", "-b", NULL), OPT_RUN);
	ck_assert_int_eq(v.all, 1);
	ck_assert_int_eq(v.brief, 0);
	ck_assert_int_eq(first, 3);
	ck_assert_str_eq(argv_buf[first], "-b");
	/* more operands than the command takes */
	ck_assert_int_eq(parse(&first, "x", "y", "-a", "z", NULL), CLI_EXIT_USAGE);
	ck_assert_str_eq(stderr_text, "prog: unexpected argument 'z'\nTry 'prog --help'.\n");
	/* parsing again in the same process starts afresh */
	ck_assert_int_eq(parse(&first, "-b", NULL), OPT_RUN);
	ck_assert_int_eq(v.all, 0);
	ck_assert_int_eq(v.brief, 1);
	ck_assert_int_eq(first, 2);
}
END_TEST

START_TEST(missing_arguments_and_unknown_options)
{
	ck_assert_int_eq(parse(NULL, "--input", NULL), CLI_EXIT_USAGE);
	ck_assert_ptr_nonnull(strstr(stderr_text, "option '--input' requires an argument"));
	ck_assert_ptr_nonnull(strstr(stderr_text, "Try 'prog --help'.\n"));
	ck_assert_int_eq(parse(NULL, "-a", "-i", NULL), CLI_EXIT_USAGE);
	ck_assert_ptr_nonnull(strstr(stderr_text, "option requires an argument -- 'i'"));
	ck_assert_int_eq(parse(NULL, "--no-such", NULL), CLI_EXIT_USAGE);
	ck_assert_ptr_nonnull(strstr(stderr_text, "unrecognized option '--no-such'"));
	ck_assert_int_eq(parse(NULL, "-aZ", NULL), CLI_EXIT_USAGE);
	ck_assert_ptr_nonnull(strstr(stderr_text, "invalid option -- 'Z'"));
	ck_assert_int_eq(parse(NULL, "--all=1", NULL), CLI_EXIT_USAGE);
	ck_assert_ptr_nonnull(strstr(stderr_text, "doesn't allow an argument"));
	/* an option taking two values needs both */
	ck_assert_int_eq(parse(NULL, "--pair", "1", NULL), CLI_EXIT_USAGE);
	ck_assert_str_eq(stderr_text, "prog: --pair needs two values\nTry 'prog --help'.\n");
}
END_TEST

START_TEST(typed_values_and_their_refusals)
{
	ck_assert_int_eq(parse(NULL, "--mode", "exact", NULL), OPT_RUN);
	ck_assert_int_eq(v.mode, -3);
	ck_assert_int_eq(parse(NULL, "--kind", "b", NULL), OPT_RUN);
	ck_assert_int_eq(v.e, MODE_B);
	ck_assert_int_eq(parse(NULL, "--mode", "slower", NULL), CLI_EXIT_USAGE);
	ck_assert_str_eq(stderr_text,
			 "prog: --mode: fast, slow or exact, not 'slower'\nTry 'prog --help'.\n");
	ck_assert_int_eq(parse(NULL, "-m", "x", NULL), CLI_EXIT_USAGE);
	ck_assert_ptr_nonnull(strstr(stderr_text, "prog: -m: fast, slow or exact, not 'x'\n"));

	ck_assert_int_eq(parse(NULL, "--big", "18446744073709551615", "-n", "10", NULL), OPT_RUN);
	ck_assert_uint_eq(v.big, UINT64_MAX);
	ck_assert_uint_eq(v.small, 10);
	ck_assert_int_eq(parse(NULL, "--big", "-1", NULL), CLI_EXIT_USAGE);
	ck_assert_str_eq(stderr_text, "prog: bad number '-1'\nTry 'prog --help'.\n");
	ck_assert_int_eq(parse(NULL, "--small", "11", NULL), CLI_EXIT_USAGE);
	ck_assert_str_eq(stderr_text,
			 "prog: --small: a count from 1 to 10, not '11'\nTry 'prog --help'.\n");
	ck_assert_int_eq(parse(NULL, "-n0", NULL), CLI_EXIT_USAGE);
	ck_assert_int_eq(v.small, 0);

	ck_assert_int_eq(parse(NULL, "--pair", "1", "2", "-a", NULL), OPT_RUN);
	ck_assert_str_eq(v.pair[0], "1");
	ck_assert_str_eq(v.pair[1], "2");
	ck_assert_int_eq(v.all, 1);
	/* a callback that did the job ends the parse with success */
	ck_assert_int_eq(parse(NULL, "--list-things", "--no-such", NULL), CLI_EXIT_OK);
	ck_assert_int_eq(v.done_cb, 1);
}
END_TEST

static char *help_text(void (*print)(const struct opt_cmd *, FILE *))
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	print(&cmd, f);
	fclose(f);
	return buf;
}

START_TEST(help_is_generated_from_the_table)
{
	char *h = help_text(opt_print_help);
	const char *o;

	ck_assert_msg(!strncmp(h, "Usage: prog [options] FILE...\n"
				  "       prog --pair A B\n"
				  "Does things.\n\n", strlen("Usage: prog [options] FILE...\n"
							     "       prog --pair A B\n"
							     "Does things.\n\n")), "%s", h);
	/* every option, its names and placeholder, then its help at one column */
	ck_assert_msg(strstr(h, "\n  -a, --all          every one\n") != NULL, "%s", h);
	ck_assert_ptr_nonnull(strstr(h, "\n      --verbose, --verbosely  level 2\n"));
	ck_assert_ptr_nonnull(strstr(h, "\n  -i, --input FILE   the file to read\n"));
	ck_assert_ptr_nonnull(strstr(h, "\n  -m, --mode fast|slow|exact  how\n"));
	ck_assert_ptr_nonnull(strstr(h, "\n  -I, --included X   an option"));
	ck_assert_ptr_nonnull(strstr(h, "\n  -h, --help         this help\n"));
	ck_assert_ptr_nonnull(strstr(h, "\n  -V, --version      print the version\n"));
	/* a long help is wrapped under the help column, within 79 columns */
	o = strstr(h, "\n  -o, --output, --out-file OUT  where to write: a long help text");
	ck_assert_msg(o != NULL, "%s", h);
	ck_assert_ptr_nonnull(strstr(o + 1, "\n                     generator has to wrap"));
	for (const char *line = h; *line; line = strchr(line, '\n') + 1)
		ck_assert_int_le(strcspn(line, "\n"), 79);
	ck_assert_ptr_eq(strstr(h, "list-options"), NULL);
	/* notes, then the exit status */
	ck_assert_ptr_nonnull(strstr(h, "\n\nA note.\n" OPT_EXIT_STATUS_DEFAULT));
	ck_assert_str_eq(h + strlen(h) - strlen(OPT_EXIT_STATUS_DEFAULT), OPT_EXIT_STATUS_DEFAULT);
	free(h);
}
END_TEST

START_TEST(list_options_prints_every_option)
{
	char *l = help_text(opt_print_list);

	ck_assert_str_eq(l, "-a --all\n"
			    "-b --brief\n"
			    "--verbose --verbosely\n"
			    "-i --input FILE\n"
			    "-o --output --out-file OUT\n"
			    "-m --mode fast|slow|exact\n"
			    "--kind KIND a|b\n"
			    "--big N\n"
			    "-n --small N\n"
			    "--pair A B\n"
			    "--list-things\n"
			    "-I --included X\n"
			    "-h --help\n"
			    "-V --version\n");
	free(l);
}
END_TEST

START_TEST(help_version_and_list_options_end_the_parse)
{
	struct capture c;
	char out[4096];

	capture_begin(&c, STDOUT_FILENO);
	ck_assert_int_eq(parse(NULL, "-a", "--help", "--no-such", NULL), CLI_EXIT_OK);
	ck_assert_int_eq(parse(NULL, "-V", NULL), CLI_EXIT_OK);
	ck_assert_int_eq(parse(NULL, "--list-options", NULL), CLI_EXIT_OK);
	capture_end(&c, out, sizeof(out));
	ck_assert_msg(!strncmp(out, "Usage: prog ", 12), "%s", out);
	ck_assert_ptr_nonnull(strstr(out, "\nprog (damotrace) "));
	ck_assert_ptr_nonnull(strstr(out, "\n-a --all\n-b --brief\n"));
}
END_TEST

Suite *options_suite(void)
{
	Suite *s = suite_create("options");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, short_options_alone_merged_and_attached);
	tcase_add_test(tc, long_options_with_separate_and_equals_values);
	tcase_add_test(tc, operands_and_double_dash);
	tcase_add_test(tc, missing_arguments_and_unknown_options);
	tcase_add_test(tc, typed_values_and_their_refusals);
	suite_add_tcase(s, tc);
	tc = tcase_create("help");
	tcase_add_test(tc, help_is_generated_from_the_table);
	tcase_add_test(tc, list_options_prints_every_option);
	tcase_add_test(tc, help_version_and_list_options_end_the_parse);
	suite_add_tcase(s, tc);
	return s;
}
