// SPDX-License-Identifier: GPL-2.0-only
// perf fixture workload: three threads of one process (same comm) in different functions, for per-pid and per-tid folding.
/*
 * The main thread runs main_thread_work; two pthreads run worker_even and
 * worker_odd; all for argument 1 milliseconds (default 200).
 * Build: cc -O1 -g -pthread -fno-omit-frame-pointer -mno-omit-leaf-frame-pointer -fno-inline.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

static volatile uint64_t sink;
static double ms = 200;

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static uint64_t spin(uint64_t x)
{
	double end = now_ms() + ms;

	while (now_ms() < end)
		for (int i = 0; i < 20000; i++)
			x = x * 6364136223846793005ull + 1442695040888963407ull;
	return x;
}

void *worker_even(void *arg)
{
	sink = spin(2);
	return arg;
}

void *worker_odd(void *arg)
{
	sink = spin(3);
	return arg;
}

void main_thread_work(void)
{
	sink = spin(1);
}

int main(int argc, char **argv)
{
	pthread_t a, b;

	if (argc > 1)
		ms = atof(argv[1]);
	pthread_create(&a, NULL, worker_even, NULL);
	pthread_create(&b, NULL, worker_odd, NULL);
	main_thread_work();
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	return 0;
}
