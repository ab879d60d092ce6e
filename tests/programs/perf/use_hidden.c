// SPDX-License-Identifier: GPL-2.0-only
// perf fixture workload: calls into the stripped libperfhidden.so and spins in a function of its own.
/*
 * Build: cc -O1 -g -fno-omit-frame-pointer -mno-omit-leaf-frame-pointer -fno-inline
 *        -o use_hidden use_hidden.c -L. -lperfhidden -Wl,-rpath,'$ORIGIN'
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

void hidden_entry(double ms);

static volatile uint64_t sink;

void visible_spin(double ms)
{
	struct timespec ts;
	double end;
	uint64_t x = 5;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	end = ts.tv_sec * 1e3 + ts.tv_nsec / 1e6 + ms;
	do {
		for (int i = 0; i < 20000; i++)
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		clock_gettime(CLOCK_MONOTONIC, &ts);
	} while (ts.tv_sec * 1e3 + ts.tv_nsec / 1e6 < end);
	sink = x;
}

int main(int argc, char **argv)
{
	double ms = argc > 1 ? atof(argv[1]) : 200;

	hidden_entry(ms);
	visible_spin(ms / 2);
	return 0;
}
