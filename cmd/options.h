/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * options.h - a command's options declared once, in a table, from which
 * getopt_long's short string and long options, the parsing, `--help` and
 * `--list-options` are all made (the model is git's parse-options.h).
 *
 * Contract:
 * - A table is an array of struct opt ended by OPT_END().  Each entry has a
 *   short name (a character; 0 for none) and/or a long name (NULL for
 *   none), a type that says what is done with it, a placeholder for its
 *   argument (`argh`) and one line of help, wrapped by opt_print_help().
 *   OPT_INCLUDE(sub) splices another table in (a fragment several commands
 *   share); OPT_ALIAS(long) is one more long name for the entry before it.
 * - Values are stored as options are met, left to right: a later option
 *   overrides an earlier one.  `value` points into the caller's variables,
 *   of the type the OPT_* macro names; string values point into argv.
 * - A refused value is reported as "PROG: MESSAGE" and "Try 'PROG --help'."
 *   (cli_usage_error): MESSAGE is the entry's `bad` format, whose one %s is
 *   the value, or one made from the entry.  Unknown options and missing
 *   arguments are reported by getopt_long itself ("PROG: unrecognized
 *   option '--x'"), followed by the same "Try" line.
 * - OPT_HELP prints the help, OPT_VERSION "PROG (damotrace) VERSION", and
 *   the hidden `--list-options` that every command has prints the options,
 *   one line each (every name, then the placeholder when it takes an
 *   argument: "-i --input FILE", and for a choice with a placeholder its
 *   choices: "--what WHAT regions|wss"), for tests to compare with the man
 *   page and for the generated bash completion (cmd/gen-completion.sh).
 * - opt_parse() reads options up to the first "--" or up to argc, permuting
 *   argv as GNU getopt_long does (options and operands may be mixed), and
 *   refuses more operands than the command's max_operands.  It returns
 *   OPT_RUN with *first_operand set to the index of the first operand, or
 *   the status the command should exit with at once:
 *   CLI_EXIT_OK after --help, --version, --list-options or a callback that
 *   returned OPT_CB_DONE; CLI_EXIT_USAGE after a bad command line (already
 *   reported); CLI_EXIT_FAILURE when out of memory.  It resets getopt's
 *   state first, so it may be called more than once in a process.
 */
#ifndef DT_OPTIONS_H
#define DT_OPTIONS_H

#include <stdint.h>
#include <stdio.h>

#include "cli.h"

enum opt_type {
	OPT_TYPE_END,      /* ends a table */
	OPT_TYPE_SET_INT,  /* no argument: *(int *)value = ival */
	OPT_TYPE_STRING,   /* *(const char **)value = the argument */
	OPT_TYPE_CHOICE,   /* the argument is one of choices[]: its value is stored
			    * in the integer or enum of `size` bytes at value */
	OPT_TYPE_UINT,     /* a count from min to max (dt_parse_u64): stored in an
			    * unsigned or signed integer of `size` bytes (4 or 8) */
	OPT_TYPE_CALLBACK, /* cb(opt, argument or NULL, parser) */
	OPT_TYPE_HELP,     /* prints the help */
	OPT_TYPE_VERSION,  /* prints the version */
	OPT_TYPE_INCLUDE,  /* value: another table, whose entries are read here */
	OPT_TYPE_ALIAS,    /* long_name: another name of the entry before */
};

enum opt_arg {
	OPT_ARG_NONE,
	OPT_ARG_REQUIRED,
	OPT_ARG_OPTIONAL,  /* only as --name=VALUE (getopt's optional_argument) */
};

struct opt;
struct opt_parser;

struct opt_choice {
	const char *name;
	int value;
};

/* Returns 0 to go on, OPT_CB_DONE when the option did the command's whole
 * job (as --list-formats: opt_parse then returns CLI_EXIT_OK), or -1 after
 * opt_fail() (the command line is refused). */
typedef int (*opt_cb)(const struct opt *o, const char *arg, struct opt_parser *p);
#define OPT_CB_DONE 1

struct opt {
	enum opt_type type;
	int short_name;          /* 0: none */
	const char *long_name;   /* without "--"; NULL: none */
	enum opt_arg arg;
	const char *argh;        /* placeholder in --help ("FILE"); NULL: "ARG", or
				  * for a choice its choices "a|b|c" */
	const char *help;        /* one line, wrapped when printed */
	void *value;
	int ival;                /* SET_INT: the value stored */
	const struct opt_choice *choices; /* CHOICE: ended by a NULL name */
	uint64_t min, max;       /* UINT: accepted range */
	unsigned size;           /* UINT, CHOICE: sizeof the integer at value */
	const char *bad;         /* message for a refused value; one %s: the value */
	opt_cb cb;
};

/* What --help shows around the options. */
struct opt_cmd {
	const char *name;            /* the program: messages, Usage, --version */
	const char *const *usage;    /* NULL-terminated, each after "Usage: NAME " */
	const char *about;           /* text after the usage lines (lines end in \n) */
	const struct opt *opts;
	int max_operands;            /* more are refused; OPT_ANY_OPERANDS: no limit */
	const char *extra_operand;   /* the refusal, one %s: the first extra operand;
				      * NULL: "unexpected argument '%s'" */
	const char *notes;           /* text after the options, or NULL */
	const char *exit_status;     /* NULL: OPT_EXIT_STATUS_DEFAULT */
};

#define OPT_EXIT_STATUS_DEFAULT \
	"Exit status: 0 success, 1 failure (bad input, I/O), 2 bad command line.\n"

/* State of one opt_parse() call, handed to callbacks. */
struct opt_parser {
	const struct opt_cmd *cmd;
	int argc;
	char **argv;
	const char *name;          /* the option being handled, as typed: "-r" or "--range" */
	char err[CLI_ERRLEN];      /* the last message reported */
};

#define OPT_ANY_OPERANDS (-1)

/* Status of opt_parse() when the command should go on. */
#define OPT_RUN (-1)

int opt_parse(const struct opt_cmd *cmd, int argc, char **argv, int *first_operand);

/* For callbacks: report "PROG: MESSAGE" + "Try 'PROG --help'."; returns -1. */
int opt_fail(struct opt_parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* For callbacks of options taking several values (--range START END STEP):
 * the next word of argv, taken as one more value, or NULL when none is left. */
const char *opt_next_arg(struct opt_parser *p);
/* The next word of argv without taking it (NULL when none is left), for
 * options whose last value is optional: take it with opt_next_arg() when
 * it is one. */
const char *opt_peek_arg(const struct opt_parser *p);

/* The generated --help and --list-options. */
void opt_print_help(const struct opt_cmd *cmd, FILE *out);
void opt_print_list(const struct opt_cmd *cmd, FILE *out);

/* Declaring entries (git's style: short, long, where to store, help). */
#define OPT_END() { .type = OPT_TYPE_END }
#define OPT_SET_INT(s, l, v, i, h) \
	{ .type = OPT_TYPE_SET_INT, .short_name = (s), .long_name = (l), .value = (v), \
	  .ival = (i), .help = (h) }
#define OPT_BOOL(s, l, v, h) OPT_SET_INT(s, l, v, 1, h)
#define OPT_STRING(s, l, v, a, h) \
	{ .type = OPT_TYPE_STRING, .short_name = (s), .long_name = (l), \
	  .arg = OPT_ARG_REQUIRED, .value = (v), .argh = (a), .help = (h) }
/* `...`: the choices, as { "name", value } pairs; `a` NULL: "name|name". */
#define OPT_CHOICE(s, l, v, a, bad_fmt, h, ...) \
	{ .type = OPT_TYPE_CHOICE, .short_name = (s), .long_name = (l), .argh = (a), \
	  .arg = OPT_ARG_REQUIRED, .value = (v), .size = sizeof(*(v)), .bad = (bad_fmt), \
	  .help = (h), .choices = (const struct opt_choice[]){ __VA_ARGS__, { NULL, 0 } } }
#define OPT_UINT(s, l, v, a, lo, hi, bad_fmt, h) \
	{ .type = OPT_TYPE_UINT, .short_name = (s), .long_name = (l), \
	  .arg = OPT_ARG_REQUIRED, .value = (v), .size = sizeof(*(v)), .argh = (a), \
	  .min = (lo), .max = (hi), .bad = (bad_fmt), .help = (h) }
#define OPT_CALLBACK(s, l, v, a, h, f) \
	{ .type = OPT_TYPE_CALLBACK, .short_name = (s), .long_name = (l), \
	  .arg = OPT_ARG_REQUIRED, .value = (v), .argh = (a), .help = (h), .cb = (f) }
#define OPT_CALLBACK_NOARG(s, l, v, h, f) \
	{ .type = OPT_TYPE_CALLBACK, .short_name = (s), .long_name = (l), \
	  .arg = OPT_ARG_NONE, .value = (v), .help = (h), .cb = (f) }
#define OPT_ALIAS(l) { .type = OPT_TYPE_ALIAS, .long_name = (l) }
#define OPT_INCLUDE(sub) { .type = OPT_TYPE_INCLUDE, .value = (void *)(sub) }
#define OPT_HELP(s) \
	{ .type = OPT_TYPE_HELP, .short_name = (s), .long_name = "help", .help = "this help" }
#define OPT_VERSION(s) \
	{ .type = OPT_TYPE_VERSION, .short_name = (s), .long_name = "version", \
	  .help = "print the version" }

#endif /* DT_OPTIONS_H */
