// SPDX-License-Identifier: GPL-2.0-only
// perf fixture workload: threads whose comms contain spaces ("V8 WorkerThread", "Pool 2 worker"), set with prctl(PR_SET_NAME).
/*
 * The main thread (comm comm_space) runs main_spin; the thread named
 * "V8 WorkerThread" runs v8_worker; the thread named "Pool 2 worker" (a
 * space then digits, as in pool thread names) runs pool_worker; all for
 * argument 1 milliseconds (default 200).
 * Build: cc -O1 -g -pthread -fno-omit-frame-pointer -mno-omit-leaf-frame-pointer -fno-inline.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/prctl.h>
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
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
	return x;
}

void *v8_worker(void *arg)
{
	prctl(PR_SET_NAME, "V8 WorkerThread", 0, 0, 0);
	sink = spin(2);
	return arg;
}

void *pool_worker(void *arg)
{
	prctl(PR_SET_NAME, "Pool 2 worker", 0, 0, 0);
	sink = spin(3);
	return arg;
}

void main_spin(void)
{
	sink = spin(1);
}

int main(int argc, char **argv)
{
	pthread_t a, b;

	if (argc > 1)
		ms = atof(argv[1]);
	pthread_create(&a, NULL, v8_worker, NULL);
	pthread_create(&b, NULL, pool_worker, NULL);
	main_spin();
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	return 0;
}
