// SPDX-License-Identifier: GPL-2.0-only
/*
 * A test workload with three CPU phases in three known functions, each over
 * its own buffer: sweep_alpha, then sweep_beta, then sweep_gamma, for
 * PHASE_MS milliseconds each (argument 1, default 400).  It prints the
 * CLOCK_MONOTONIC start and end of every phase ("phase NAME START_NS END_NS")
 * so tests can check that samples land in the right phase.
 * Build: cc -O1 -fno-omit-frame-pointer -mno-omit-leaf-frame-pointer -fno-inline.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define BUFFER_BYTES (8u << 20)

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static volatile uint64_t sink;

/* The sweeps do their work themselves (no leaf helper): a leaf function
 * may run without a frame pointer, which would hide its caller. */
#define SWEEP(NAME, SEED)                                                     \
	__attribute__((noinline)) void NAME(unsigned char *buf, uint64_t until) \
	{                                                                     \
		while (now_ns() < until) {                                    \
			uint64_t sum = 0;                                     \
			for (size_t i = 0; i < BUFFER_BYTES; i += 64) {       \
				buf[i] = (unsigned char)(buf[i] + (SEED));    \
				sum += buf[i];                                \
			}                                                     \
			sink += sum;                                          \
		}                                                             \
	}

SWEEP(sweep_alpha, 1)
SWEEP(sweep_beta, 2)
SWEEP(sweep_gamma, 3)

int main(int argc, char **argv)
{
	uint64_t phase_ns = (argc > 1 ? strtoull(argv[1], NULL, 10) : 400) * 1000000ull;
	unsigned char *a = calloc(1, BUFFER_BYTES), *b = calloc(1, BUFFER_BYTES),
		      *c = calloc(1, BUFFER_BYTES);
	if (!a || !b || !c)
		return 1;
	void (*const fns[3])(unsigned char *, uint64_t) = { sweep_alpha, sweep_beta, sweep_gamma };
	static const char *const names[3] = { "sweep_alpha", "sweep_beta", "sweep_gamma" };
	unsigned char *bufs[3] = { a, b, c };
	for (int i = 0; i < 3; i++) {
		uint64_t start = now_ns();
		fns[i](bufs[i], start + phase_ns);
		printf("phase %s %llu %llu\n", names[i], (unsigned long long)start,
		       (unsigned long long)now_ns());
	}
	free(a);
	free(b);
	free(c);
	return 0;
}
