// SPDX-License-Identifier: GPL-2.0-only
/* What every command main shares: messages, exit codes, --version, progress (cli.h). */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "errmsg.h"
#include "output.h"

/* State of the command's own process, kept here for the exit handler that
 * checks standard output (atexit handlers take no arguments). */
static const char *exit_prog;   /* set by cli_init() */
static int error_reported;      /* an error line was printed */
static int stdout_reported;     /* the standard output failure was printed */

static void vmessage(const char *prog, const char *kind, const char *fmt, va_list ap)
{
	char msg[CLI_ERRLEN * 2], safe[CLI_ERRLEN * 4];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	/* Names and input quoted in the message reach a terminal: nothing in
	 * them may move the cursor, change colours or start a new line. */
	fprintf(stderr, "%s: %s%s\n", prog, kind, dt_message_safe(safe, sizeof(safe), msg));
}

void cli_error(const char *prog, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage(prog, "", fmt, ap);
	va_end(ap);
	error_reported = 1;
}

void cli_warn(const char *prog, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage(prog, "warning: ", fmt, ap);
	va_end(ap);
}

int cli_usage_error(const char *prog, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage(prog, "", fmt, ap);
	va_end(ap);
	fprintf(stderr, "Try '%s --help'.\n", prog);
	error_reported = 1;
	return CLI_EXIT_USAGE;
}

void cli_print_version(const char *prog)
{
	printf("%s (damotrace) %s\n", prog, DAMOTRACE_VERSION);
}

/* Errors write(2) gives for an output that cannot take more. */
static int is_write_errno(int e)
{
	return e == ENOSPC || e == EDQUOT || e == EFBIG || e == EIO || e == EPIPE ||
	       e == EBADF || e == EAGAIN || e == ECONNRESET || e == ENXIO;
}

int cli_stream_failure(FILE *f)
{
	/* A stream keeps no record of why a write failed.  Bytes still in its
	 * buffer are written again by fflush, which then tells; when the
	 * buffer was dropped with the failed write, errno still holds that
	 * write's error, as long as the caller checks right after writing
	 * (and only a write error is taken from there). */
	int left = errno, failed = ferror(f);

	errno = 0;
	if (fflush(f))
		return errno ? errno : -1;
	if (!failed)
		return 0;
	return is_write_errno(left) ? left : -1;
}

const char *cli_failure_text(int failure)
{
	return failure > 0 ? strerror(failure) : "write error";
}

int cli_exit(const char *prog, int ret, const char *err)
{
	if (ret && !ferror(stdout)) {
		cli_error(prog, "%s", err && *err ? err : "failed");
		return CLI_EXIT_FAILURE;
	}
	return cli_flush_stdout(prog) || ret ? CLI_EXIT_FAILURE : CLI_EXIT_OK;
}

int cli_flush_stdout(const char *prog)
{
	int failure = cli_stream_failure(stdout);

	if (!failure)
		return 0;
	if (!stdout_reported)
		cli_error(prog, "writing standard output: %s", cli_failure_text(failure));
	stdout_reported = 1;
	return -1;
}

static void close_stdout(void)
{
	int reported = error_reported;
	int failure = cli_stream_failure(stdout);

	/* Closing catches what only close reports; a standard output that
	 * was closed before the command started and never written is fine. */
	if (fclose(stdout) && !failure && errno != EBADF)
		failure = errno;
	if (!failure || reported)
		return;
	cli_error(exit_prog, "writing standard output: %s", cli_failure_text(failure));
	_exit(CLI_EXIT_FAILURE);
}

void cli_init(const char *prog)
{
	exit_prog = prog;
	atexit(close_stdout);
}

uint64_t cli_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void cli_progress_init(struct cli_progress *p)
{
	p->enabled = isatty(STDERR_FILENO);
	p->last_ns = 0;
	p->drawn = 0;
}

int cli_progress_due(struct cli_progress *p)
{
	if (!p->enabled)
		return 0;
	uint64_t now = cli_now_ns();
	if (p->drawn && now - p->last_ns < 200000000ull)
		return 0;
	p->last_ns = now;
	return 1;
}

void cli_progress_draw(struct cli_progress *p, const char *fmt, ...)
{
	va_list ap;

	if (!p->enabled)
		return;
	fputs("\r\033[K", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fflush(stderr);
	p->drawn = 1;
}

void cli_progress_done(struct cli_progress *p)
{
	if (p->enabled && p->drawn)
		fputs("\r\033[K", stderr);
	p->drawn = 0;
}

int cli_check_output(const char *prog, const char *output, const char *const *inputs,
		     size_t nr_inputs)
{
	const struct dt_output_opts oo = { .inputs = inputs, .nr_inputs = nr_inputs };
	char err[CLI_ERRLEN];

	if (!dt_output_check_inputs(output, &oo, err, sizeof(err)))
		return 0;
	cli_error(prog, "%s", err);
	return -1;
}
