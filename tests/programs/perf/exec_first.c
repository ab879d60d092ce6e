// SPDX-License-Identifier: GPL-2.0-only
// perf fixture workload: spins in before_exec_spin, then execs exec_second (argument 2), so one thread has two comms.
/*
 * Usage: exec_first MS PATH_OF_EXEC_SECOND.  Spins MS milliseconds, then
 * execs PATH with MS; the thread keeps its pid and tid, its comm changes
 * from exec_first to exec_second.
 * Build: cc -O1 -g -fno-omit-frame-pointer -mno-omit-leaf-frame-pointer -fno-inline.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static volatile uint64_t sink;

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

void before_exec_spin(double ms)
{
	double end = now_ms() + ms;
	uint64_t x = 1;

	while (now_ms() < end)
		for (int i = 0; i < 20000; i++)
			x = x * 6364136223846793005ull + 1;
	sink = x;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: exec_first MS PATH_OF_EXEC_SECOND\n");
		return 2;
	}
	before_exec_spin(atof(argv[1]));
	execl(argv[2], "exec_second", argv[1], (char *)NULL);
	perror(argv[2]);
	return 1;
}
