// SPDX-License-Identifier: GPL-2.0-only
/* options.c: the option tables of options.h turned into getopt_long's
 * arguments, stored values, --help and --list-options. */
#include "options.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "units.h"

#define HELP_WIDTH 79     /* --help lines are at most this long */
#define HELP_MAX_COLUMN 28 /* the help text starts at most here (git: 26) */
#define VAL_LONG_ONLY 256 /* getopt_long's value of entry i without a short name: 256 + i */

/* The entries of a table with its OPT_INCLUDEs spliced in. */
struct flat {
	size_t nr;
	const struct opt **v;
};

static size_t count_entries(const struct opt *t)
{
	size_t n = 0;

	for (; t->type != OPT_TYPE_END; t++)
		n += t->type == OPT_TYPE_INCLUDE ? count_entries(t->value) : 1;
	return n;
}

static void fill_entries(const struct opt *t, struct flat *f)
{
	for (; t->type != OPT_TYPE_END; t++) {
		if (t->type == OPT_TYPE_INCLUDE)
			fill_entries(t->value, f);
		else
			f->v[f->nr++] = t;
	}
}

static int flatten(const struct opt *t, struct flat *f)
{
	f->nr = 0;
	f->v = malloc((count_entries(t) + 1) * sizeof(*f->v));
	if (!f->v)
		return -1;
	fill_entries(t, f);
	return 0;
}

/* The index of the entry that entry i is an alias of (i itself when it
 * is no alias). */
static size_t target_index(const struct flat *f, size_t i)
{
	while (i > 0 && f->v[i]->type == OPT_TYPE_ALIAS)
		i--;
	return i;
}

/* A choice's names as "a|b|c" in buf. */
static const char *choices_of(const struct opt *o, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (const struct opt_choice *c = o->choices; c->name; c++)
		n += (size_t)snprintf(buf + (n < len ? n : len), n < len ? len - n : 0, "%s%s",
				      c == o->choices ? "" : "|", c->name);
	return buf;
}

static const char *argh_of(const struct opt *o, char *buf, size_t len)
{
	if (o->argh)
		return o->argh;
	if (o->type != OPT_TYPE_CHOICE)
		return "ARG";
	return choices_of(o, buf, len);
}

/* ---------------------------------------------------------------- parse */

int opt_fail(struct opt_parser *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->err, sizeof(p->err), fmt, ap);
	va_end(ap);
	cli_usage_error(p->cmd->name, "%s", p->err);
	return -1;
}

const char *opt_next_arg(struct opt_parser *p)
{
	return optind < p->argc ? p->argv[optind++] : NULL;
}

const char *opt_peek_arg(const struct opt_parser *p)
{
	return optind < p->argc ? p->argv[optind] : NULL;
}

/* A message of the command's table: a format whose one conversion is %s. */
static int fail_with(struct opt_parser *p, const char *fmt, const char *value)
{
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	return opt_fail(p, fmt, value);
#pragma GCC diagnostic pop
}

/* "a, b or c" */
static void choice_list(const struct opt_choice *c, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; c[i].name; i++) {
		const char *sep = !i ? "" : c[i + 1].name ? ", " : " or ";
		n += (size_t)snprintf(buf + (n < len ? n : len), n < len ? len - n : 0, "%s%s",
				      sep, c[i].name);
	}
}

/* v into the integer (or enum) of o->size bytes at o->value. */
static void store_int(const struct opt *o, int64_t v)
{
	int8_t v1 = (int8_t)v;
	int16_t v2 = (int16_t)v;
	int32_t v4 = (int32_t)v;

	switch (o->size) {
	case 1:
		memcpy(o->value, &v1, 1);
		break;
	case 2:
		memcpy(o->value, &v2, 2);
		break;
	case 4:
		memcpy(o->value, &v4, 4);
		break;
	default:
		memcpy(o->value, &v, 8);
		break;
	}
}

static int refuse(struct opt_parser *p, const struct opt *o, const char *arg,
		  const char *fallback_fmt, ...)
{
	char msg[CLI_ERRLEN];
	va_list ap;

	if (o->bad)
		return fail_with(p, o->bad, arg);
	va_start(ap, fallback_fmt);
	vsnprintf(msg, sizeof(msg), fallback_fmt, ap);
	va_end(ap);
	return opt_fail(p, "%s: %s, not '%s'", p->name, msg, arg);
}

static int store_uint(const struct opt *o, const char *arg, struct opt_parser *p)
{
	uint64_t v;

	if (dt_parse_u64(arg, &v) || v < o->min || v > o->max)
		return refuse(p, o, arg, "a count from %llu to %llu", (unsigned long long)o->min,
			      (unsigned long long)o->max);
	store_int(o, (int64_t)v); /* the same bits, for a signed or unsigned integer */
	return 0;
}

static int store_choice(const struct opt *o, const char *arg, struct opt_parser *p)
{
	char list[256];

	for (const struct opt_choice *c = o->choices; c->name; c++) {
		if (!strcmp(arg, c->name)) {
			store_int(o, c->value);
			return 0;
		}
	}
	choice_list(o->choices, list, sizeof(list));
	return refuse(p, o, arg, "%s", list);
}

/* Does what entry `o` says; OPT_RUN to go on, else the exit status. */
static int apply(const struct opt *o, const char *arg, struct opt_parser *p)
{
	switch (o->type) {
	case OPT_TYPE_SET_INT:
		*(int *)o->value = o->ival;
		return OPT_RUN;
	case OPT_TYPE_STRING:
		*(const char **)o->value = arg;
		return OPT_RUN;
	case OPT_TYPE_CHOICE:
		return store_choice(o, arg, p) ? CLI_EXIT_USAGE : OPT_RUN;
	case OPT_TYPE_UINT:
		return store_uint(o, arg, p) ? CLI_EXIT_USAGE : OPT_RUN;
	case OPT_TYPE_CALLBACK: {
		int ret = o->cb(o, arg, p);
		return ret == OPT_CB_DONE ? CLI_EXIT_OK : ret ? CLI_EXIT_USAGE : OPT_RUN;
	}
	case OPT_TYPE_HELP:
		opt_print_help(p->cmd, stdout);
		return CLI_EXIT_OK;
	case OPT_TYPE_VERSION:
		cli_print_version(p->cmd->name);
		return CLI_EXIT_OK;
	default:
		return OPT_RUN;
	}
}

static const int has_arg_of[] = {
	[OPT_ARG_NONE] = no_argument,
	[OPT_ARG_REQUIRED] = required_argument,
	[OPT_ARG_OPTIONAL] = optional_argument,
};

/* getopt_long's arguments for the flat table; the last long option is the
 * hidden --list-options, with value -2. */
static int getopt_args(const struct flat *f, char **shorts_out, struct option **longs_out)
{
	char *shorts = malloc(3 * f->nr + 1), *s = shorts;
	struct option *longs = calloc(f->nr + 2, sizeof(*longs));
	size_t nl = 0;

	if (!shorts || !longs) {
		free(shorts);
		free(longs);
		return -1;
	}
	for (size_t i = 0; i < f->nr; i++) {
		/* An alias gets its entry's value: getopt_long then takes an
		 * abbreviation of both names as the one option it is. */
		size_t t = target_index(f, i);
		const struct opt *o = f->v[t];
		int val = o->short_name ? o->short_name : VAL_LONG_ONLY + (int)t;

		if (o->short_name && t == i) {
			*s++ = (char)o->short_name;
			if (o->arg != OPT_ARG_NONE)
				*s++ = ':';
			if (o->arg == OPT_ARG_OPTIONAL)
				*s++ = ':';
		}
		if (f->v[i]->long_name)
			longs[nl++] = (struct option){ f->v[i]->long_name, has_arg_of[o->arg], NULL, val };
	}
	*s = '\0';
	longs[nl] = (struct option){ "list-options", no_argument, NULL, -2 };
	*shorts_out = shorts;
	*longs_out = longs;
	return 0;
}

static const struct opt *entry_of(const struct flat *f, int c)
{
	if (c >= VAL_LONG_ONLY && (size_t)(c - VAL_LONG_ONLY) < f->nr)
		return f->v[c - VAL_LONG_ONLY];
	for (size_t i = 0; i < f->nr; i++)
		if (f->v[i]->short_name == c && f->v[i]->type != OPT_TYPE_ALIAS)
			return f->v[i];
	return NULL;
}

static int parse_with(struct opt_parser *p, const struct flat *f, const char *shorts,
		      const struct option *longs, int *first_operand)
{
	char name[128];
	int c, li;

	optind = 0; /* a full reset of getopt's state (glibc, musl) */
	opterr = 1;
	while ((li = -1, c = getopt_long(p->argc, p->argv, shorts, longs, &li)) != -1) {
		if (c == -2) {
			opt_print_list(p->cmd, stdout);
			return CLI_EXIT_OK;
		}
		const struct opt *o = c == '?' ? NULL : entry_of(f, c);
		if (!o) { /* getopt_long has said what is wrong */
			fprintf(stderr, "Try '%s --help'.\n", p->cmd->name);
			return CLI_EXIT_USAGE;
		}
		if (li >= 0)
			snprintf(name, sizeof(name), "--%s", longs[li].name);
		else
			snprintf(name, sizeof(name), "-%c", c);
		p->name = name;
		int status = apply(o, optarg, p);
		if (status != OPT_RUN)
			return status;
	}
	*first_operand = optind;
	if (p->cmd->max_operands != OPT_ANY_OPERANDS && p->argc - optind > p->cmd->max_operands) {
		const char *extra = p->cmd->extra_operand;
		fail_with(p, extra ? extra : "unexpected argument '%s'",
			  p->argv[optind + p->cmd->max_operands]);
		return CLI_EXIT_USAGE;
	}
	return OPT_RUN;
}

int opt_parse(const struct opt_cmd *cmd, int argc, char **argv, int *first_operand)
{
	struct opt_parser p = { .cmd = cmd, .argc = argc, .argv = argv };
	struct flat f;
	char *shorts = NULL;
	struct option *longs = NULL;
	int status;

	if (flatten(cmd->opts, &f) || getopt_args(&f, &shorts, &longs)) {
		free(f.v);
		cli_error(cmd->name, "out of memory");
		return CLI_EXIT_FAILURE;
	}
	status = parse_with(&p, &f, shorts, longs, first_operand);
	free(shorts);
	free(longs);
	free(f.v);
	return status;
}

/* ----------------------------------------------------------------- help */

/* "-i, --input FILE", "    --output, --heatmap OUT": the names of entry i
 * and its aliases; returns the index of the last alias. */
static size_t left_part(const struct flat *f, size_t i, char *buf, size_t len)
{
	const struct opt *o = f->v[i];
	char choices[256];
	size_t n, k = i;

	if (o->short_name)
		n = (size_t)snprintf(buf, len, "-%c%s", o->short_name, o->long_name ? ", " : "");
	else
		n = (size_t)snprintf(buf, len, "    ");
	for (; k < f->nr && (k == i || f->v[k]->type == OPT_TYPE_ALIAS); k++)
		if (f->v[k]->long_name && n < len)
			n += (size_t)snprintf(buf + n, len - n, "%s--%s", k == i ? "" : ", ",
					      f->v[k]->long_name);
	if (n < len && o->arg == OPT_ARG_REQUIRED)
		snprintf(buf + n, len - n, " %s", argh_of(o, choices, sizeof(choices)));
	else if (n < len && o->arg == OPT_ARG_OPTIONAL)
		snprintf(buf + n, len - n, "[=%s]", argh_of(o, choices, sizeof(choices)));
	return k - 1;
}

/* Prints `text` from column `at` (the cursor is there), wrapped to
 * HELP_WIDTH, continuation lines starting at column `indent`. */
static void print_wrapped(FILE *out, const char *text, size_t at, size_t indent)
{
	size_t col = at;
	int first = 1;

	while (*text) {
		size_t w = strcspn(text, " ");
		if (!first && col + 1 + w > HELP_WIDTH) {
			fprintf(out, "\n%*s", (int)indent, "");
			col = indent;
		} else if (!first) {
			fputc(' ', out);
			col++;
		}
		fwrite(text, 1, w, out);
		col += w;
		first = 0;
		text += w;
		text += strspn(text, " ");
	}
	fputc('\n', out);
}

void opt_print_help(const struct opt_cmd *cmd, FILE *out)
{
	struct flat f;
	char left[256];
	size_t column = 0;

	fprintf(out, "Usage: %s %s\n", cmd->name, cmd->usage[0]);
	for (size_t i = 1; cmd->usage[i]; i++)
		fprintf(out, "       %s %s\n", cmd->name, cmd->usage[i]);
	if (cmd->about)
		fputs(cmd->about, out);
	if (flatten(cmd->opts, &f))
		return;
	/* The help column: after the longest names that leave room for it. */
	for (size_t i = 0; i < f.nr; i++) {
		i = left_part(&f, i, left, sizeof(left));
		size_t w = 2 + strlen(left) + 2;
		if (w > column && w <= HELP_MAX_COLUMN)
			column = w;
	}
	fputc('\n', out);
	for (size_t i = 0; i < f.nr; i++) {
		const struct opt *o = f.v[i];
		i = left_part(&f, i, left, sizeof(left));
		size_t w = 2 + strlen(left);
		fprintf(out, "  %s", left);
		if (w + 2 <= column) {
			fprintf(out, "%*s", (int)(column - w), "");
			w = column;
		} else {
			fputs("  ", out);
			w += 2;
		}
		print_wrapped(out, o->help ? o->help : "", w, column);
	}
	free(f.v);
	fputc('\n', out);
	if (cmd->notes) {
		fputs(cmd->notes, out);
		fputc('\n', out);
	}
	fputs(cmd->exit_status ? cmd->exit_status : OPT_EXIT_STATUS_DEFAULT, out);
}

void opt_print_list(const struct opt_cmd *cmd, FILE *out)
{
	struct flat f;
	char choices[256];

	if (flatten(cmd->opts, &f))
		return;
	for (size_t i = 0; i < f.nr; i++) {
		const struct opt *o = f.v[i];
		if (o->type == OPT_TYPE_ALIAS)
			continue;
		if (o->short_name)
			fprintf(out, "-%c%s", o->short_name, o->long_name ? " " : "");
		if (o->long_name)
			fprintf(out, "--%s", o->long_name);
		for (size_t k = i + 1; k < f.nr && f.v[k]->type == OPT_TYPE_ALIAS; k++)
			fprintf(out, " --%s", f.v[k]->long_name);
		if (o->arg == OPT_ARG_REQUIRED)
			fprintf(out, " %s", argh_of(o, choices, sizeof(choices)));
		else if (o->arg == OPT_ARG_OPTIONAL)
			fprintf(out, " [%s]", argh_of(o, choices, sizeof(choices)));
		/* a choice named by a placeholder: its choices too (completion) */
		if (o->type == OPT_TYPE_CHOICE && o->argh)
			fprintf(out, " %s", choices_of(o, choices, sizeof(choices)));
		fputc('\n', out);
	}
	free(f.v);
}
