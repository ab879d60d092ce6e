// SPDX-License-Identifier: GPL-2.0-only
/*
 * threads: two threads in different phases at once.  Each thread prints
 * its own phase lines with its tid (one lane each):
 *
 *   main thread:   stream_a  (steady, A)  then shuffle_c (steady, C)
 *   worker thread: worker_wait (idle, sleeping) then scan_b (steady, B)
 *
 * With the default times (S = 3 s) the main thread streams A for S then
 * shuffles C for S; the worker sleeps S/2 then scans B for 1.5 S, so for
 * a while stream_a and scan_b run together, then shuffle_c and scan_b.
 *
 *   threads [S [MIB]]   (default 3 s, 8 MiB)
 *
 * Output lines: tests/workloads/README.md.
 */
#include "workload.h"

static unsigned char *a, *b, *c;
static size_t bytes;
static double seconds;

PHASE_FN static void stream_a(uint64_t deadline)
{
	unsigned round = 0;

	while (now_ns() < deadline) {
		for (size_t off = 0; off < bytes; off += 128)
			a[off] = (unsigned char)(a[off] + round);
		flush_tlb();
		round++;
	}
}

PHASE_FN static void shuffle_c(uint64_t deadline)
{
	uint64_t state = 0xC0FFEE1234567ull;

	while (now_ns() < deadline) {
		for (unsigned i = 0; i < 4096; i++) {
			size_t x = next_random(&state) % bytes, y = next_random(&state) % bytes;
			unsigned char v = c[x];

			c[x] = c[y];
			c[y] = v;
		}
		flush_tlb();
	}
}

PHASE_FN static void scan_b(uint64_t deadline)
{
	uint64_t sum = 0;

	while (now_ns() < deadline) {
		for (size_t off = 0; off < bytes; off += 128)
			sum += b[off];
		flush_tlb();
	}
	sink = sum;
}

PHASE_FN static void worker_wait(double s)
{
	sleep_s(s);
}

static void *worker(void *arg)
{
	uint64_t t;

	(void)arg;
	say_phase("worker_wait", "pattern=idle buffers=-");
	worker_wait(seconds / 2);
	t = say_phase("scan_b", "pattern=steady buffers=B");
	scan_b(t + s_to_ns(seconds * 1.5));
	say_end();
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t thread;
	uint64_t t;

	seconds = argc > 1 ? atof(argv[1]) : 3.0;
	bytes = (size_t)(argc > 2 ? atol(argv[2]) : 8) * MIB;
	if (seconds <= 0 || bytes == 0) {
		fprintf(stderr, "usage: threads [SECONDS [MIB]]\n");
		return 2;
	}
	say_start("threads");
	setup_tlb_flush();
	a = map_buffer("A", bytes);
	b = map_buffer("B", bytes);
	c = map_buffer("C", bytes);
	sleep_s(SETTLE_S);

	if (pthread_create(&thread, NULL, worker, NULL)) {
		fprintf(stderr, "threads: cannot create the worker\n");
		return 1;
	}
	t = say_phase("stream_a", "pattern=steady buffers=A");
	stream_a(t + s_to_ns(seconds));
	t = say_phase("shuffle_c", "pattern=steady buffers=C");
	shuffle_c(t + s_to_ns(seconds));
	say_end();
	pthread_join(thread, NULL);
	return 0;
}
