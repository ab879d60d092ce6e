/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * cli.h - what every command main shares: messages, exit codes, --version,
 * and progress on a terminal.  Mains stay thin: parse options, call the
 * libraries, report.
 */
#ifndef DT_CLI_H
#define DT_CLI_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>

/* Exit codes common to every command (documented in each man page). */
enum {
	CLI_EXIT_OK = 0,
	CLI_EXIT_FAILURE = 1, /* bad input data, I/O error, runtime failure */
	CLI_EXIT_USAGE = 2,   /* bad command line */
};

#define CLI_ERRLEN 512

/* First call of every main: from then on, standard output is checked when
 * the command exits (flushed and closed, as GNU tools do): when anything
 * written to it was lost, as with `--help >/dev/full`, the command says
 * "PROG: writing standard output: CAUSE" and exits CLI_EXIT_FAILURE,
 * unless it has reported an error already (its exit status then stands). */
void cli_init(const char *prog);

/* Flush standard output and check that nothing written to it was lost:
 * 0 when so; otherwise "PROG: writing standard output: CAUSE" (said once)
 * and -1.  For a main to call where it ends writing its output. */
int cli_flush_stdout(const char *prog);

/* The exit status of a main whose work returned `ret` (0 or a negative
 * errno) with the message `err`: on failure "PROG: ERR" (unless standard
 * output's own error explains it, reported with its cause by
 * cli_flush_stdout), then standard output is checked.  CLI_EXIT_OK or
 * CLI_EXIT_FAILURE. */
int cli_exit(const char *prog, int ret, const char *err);

/* Flush `f` and tell why writing it failed: 0 when nothing was lost, else
 * the errno of the failure, or -1 when it is no longer known.  Called right
 * after the writing (the cause may be in errno still). */
int cli_stream_failure(FILE *f);
/* strerror() of a cli_stream_failure() value. */
const char *cli_failure_text(int failure);

/* "PROG: message" on stderr, one line: whatever is not printable text
 * (control characters, invalid UTF-8) is shown as \xNN. */
void cli_error(const char *prog, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void cli_warn(const char *prog, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* "PROG: message\nTry 'PROG --help'." on stderr; returns CLI_EXIT_USAGE. */
int cli_usage_error(const char *prog, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Refuses an output that is one of the inputs (output.h), before any
 * work: 0, or -1 after "PROG: OUTPUT is the input INPUT: ...".  A NULL
 * input is skipped. */
int cli_check_output(const char *prog, const char *output, const char *const *inputs,
		     size_t nr_inputs);

/* Prints "PROG (damotrace) VERSION". */
void cli_print_version(const char *prog);

/* Progress line on stderr, only when stderr is a terminal; redrawn at most
 * every 200 ms.  `now_ns` is CLOCK_MONOTONIC. */
struct cli_progress {
	int enabled;
	uint64_t last_ns;
	int drawn;
};
void cli_progress_init(struct cli_progress *p);
int cli_progress_due(struct cli_progress *p); /* 1 when a redraw is due */
void cli_progress_draw(struct cli_progress *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void cli_progress_done(struct cli_progress *p);

uint64_t cli_now_ns(void); /* CLOCK_MONOTONIC */

#endif /* DT_CLI_H */
