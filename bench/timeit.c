// SPDX-License-Identifier: GPL-2.0-only
/*
 * timeit: what /usr/bin/time -f '%e %U %S %M' prints, from the same
 * wait4() resource usage, with microseconds instead of hundredths of a
 * second (the benchmarks' smallest inputs take a few milliseconds).
 *
 *   timeit OUTFILE CMD [ARGS...]
 *
 * runs CMD with this process's standard streams, writes one line
 * "WALL_S USER_S SYS_S MAXRSS_KIB" into OUTFILE and exits with CMD's
 * status (128 + signal when it was killed, 127 when it could not run).
 * With TIMEIT_LIMIT=SECONDS in the environment, CMD is killed after that
 * long and timeit exits 124 (as timeout(1) does) after writing the line.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile pid_t child;

static void on_alarm(int sig)
{
	(void)sig;
	if (child > 0)
		kill(child, SIGKILL);
}

static double seconds(struct timeval tv)
{
	return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

int main(int argc, char **argv)
{
	struct timespec t0, t1;
	struct rusage ru;
	int status;
	pid_t pid;

	if (argc < 3) {
		fprintf(stderr, "usage: timeit OUTFILE CMD [ARGS...]\n");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid = fork();
	if (pid < 0) {
		perror("timeit: fork");
		return 127;
	}
	if (pid == 0) {
		execvp(argv[2], argv + 2);
		fprintf(stderr, "timeit: %s: %s\n", argv[2], strerror(errno));
		_exit(127);
	}
	const char *limit = getenv("TIMEIT_LIMIT");
	if (limit && atoi(limit) > 0) {
		struct sigaction sa = { .sa_handler = on_alarm };
		child = pid;
		sigaction(SIGALRM, &sa, NULL);
		alarm((unsigned)atoi(limit));
	}
	while (wait4(pid, &status, 0, &ru) < 0) {
		if (errno != EINTR) {
			perror("timeit: wait4");
			return 127;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	FILE *f = fopen(argv[1], "w");
	if (!f) {
		fprintf(stderr, "timeit: %s: %s\n", argv[1], strerror(errno));
		return 127;
	}
	fprintf(f, "%.6f %.6f %.6f %ld\n",
		(double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
		seconds(ru.ru_utime), seconds(ru.ru_stime), ru.ru_maxrss);
	if (fclose(f)) {
		fprintf(stderr, "timeit: %s: %s\n", argv[1], strerror(errno));
		return 127;
	}
	if (WIFSIGNALED(status))
		return WTERMSIG(status) == SIGKILL && limit && atoi(limit) > 0 ? 124
										: 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
