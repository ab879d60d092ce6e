// SPDX-License-Identifier: GPL-2.0-only
#include "cli.h"

#include <time.h>
#include <unistd.h>

static void vmessage(const char *prog, const char *kind, const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: %s", prog, kind);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void cli_error(const char *prog, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage(prog, "", fmt, ap);
	va_end(ap);
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
	return CLI_EXIT_USAGE;
}

void cli_print_version(const char *prog)
{
	printf("%s (damotrace) %s\n", prog, DAMOTRACE_VERSION);
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
