// SPDX-License-Identifier: GPL-2.0-only
// perf fixture workload: the program exec_first execs; spins in after_exec_spin under its own comm.
/*
 * Usage: exec_second MS.
 * Build: cc -O1 -g -fno-omit-frame-pointer -mno-omit-leaf-frame-pointer -fno-inline.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

static volatile uint64_t sink;

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

void after_exec_spin(double ms)
{
	double end = now_ms() + ms;
	uint64_t x = 3;

	while (now_ms() < end)
		for (int i = 0; i < 20000; i++)
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
	sink = x;
}

int main(int argc, char **argv)
{
	after_exec_spin(argc > 1 ? atof(argv[1]) : 200);
	return 0;
}
