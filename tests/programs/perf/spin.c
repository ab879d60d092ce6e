// SPDX-License-Identifier: GPL-2.0-only
// perf fixture workload: two CPU-bound functions under main, for fixtures of several events and of sample periods.
/*
 * Runs alpha_loop, then beta_loop (called through beta_outer), for
 * argument 1 milliseconds each (default 200).
 * Build: cc -O1 -g -fno-omit-frame-pointer -mno-omit-leaf-frame-pointer -fno-inline.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static volatile uint64_t sink;

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

void alpha_loop(double ms)
{
	double end = now_ms() + ms;
	uint64_t x = 1;

	while (now_ms() < end)
		for (int i = 0; i < 20000; i++)
			x = x * 6364136223846793005ull + 1442695040888963407ull;
	sink = x;
}

void beta_loop(double ms)
{
	double end = now_ms() + ms;
	uint64_t x = 7;

	while (now_ms() < end)
		for (int i = 0; i < 20000; i++)
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
	sink = x;
}

void beta_outer(double ms)
{
	beta_loop(ms);
}

int main(int argc, char **argv)
{
	double ms = argc > 1 ? atof(argv[1]) : 200;

	alpha_loop(ms);
	beta_outer(ms);
	return 0;
}
