// SPDX-License-Identifier: GPL-2.0-only
/*
 * phases: a workload with known memory access behaviour for the microVM
 * test.  Three buffers A, B and C, each its own anonymous mapping, are
 * written page by page in three phases: phase A touches only A (in
 * phase_a()), then phase B only B, then phase C only C.  Each phase lasts a
 * fixed wall-clock time, so with DAMON's 100 ms aggregation it spans many
 * aggregations however slow the machine is.
 *
 *   phases [SECONDS_PER_PHASE [MIB_PER_BUFFER [IDLE_SECONDS [SETTLE_SECONDS]]]]
 *
 * SECONDS_PER_PHASE defaults to 3, MIB_PER_BUFFER to 32.  IDLE_SECONDS
 * (default 0) is a quiet sleep after the last phase, before exit.
 * SETTLE_SECONDS (default 1.2) is a quiet sleep between mapping the buffers
 * and phase A: DAMON's vaddr operations learn about new mappings only at
 * their next update (every second by default), so without it the start of
 * phase A could not be seen on time.  It prints, flushing each line:
 *   pid PID
 *   buffer NAME START END        (hex, END exclusive)
 *   mapped NS                    (CLOCK_MONOTONIC, all buffers mapped)
 *   phase NAME START_NS          (CLOCK_MONOTONIC)
 *   end END_NS
 */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096u

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void sleep_s(double seconds)
{
	struct timespec ts = { (time_t)seconds, (long)((seconds - (time_t)seconds) * 1e9) };

	while (seconds > 0 && nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static unsigned char *map_buffer(const char *name, size_t bytes)
{
	/* A guard page on each side keeps the buffers separate mappings.
	 * Populated now: first-touch page faults are slow under emulation and
	 * would blur the start of each phase. */
	unsigned char *p = mmap(NULL, bytes + 2 * PAGE, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

	if (p == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	if (mprotect(p, PAGE, PROT_NONE) || mprotect(p + PAGE + bytes, PAGE, PROT_NONE)) {
		perror("mprotect");
		exit(1);
	}
	p += PAGE;
	printf("buffer %s 0x%jx 0x%jx\n", name, (uintmax_t)(uintptr_t)p,
	       (uintmax_t)(uintptr_t)(p + bytes));
	fflush(stdout);
	return p;
}

/* Write one byte of every page until the deadline.  Inlined into each
 * phase function, with a different salt, so that the work is done in
 * phase_X() itself (callstacks name it) and the compiler cannot fold the
 * three functions into one. */
static inline __attribute__((always_inline)) unsigned
touch_until(volatile unsigned char *buf, size_t bytes, uint64_t deadline, unsigned salt)
{
	unsigned round = 0;

	while (now_ns() < deadline) {
		for (size_t off = 0; off < bytes; off += PAGE)
			buf[off] = (unsigned char)(buf[off] + round + salt);
		round++;
	}
	return round;
}

__attribute__((noinline)) static unsigned phase_a(unsigned char *buf, size_t bytes, uint64_t deadline)
{
	return touch_until(buf, bytes, deadline, 1);
}

__attribute__((noinline)) static unsigned phase_b(unsigned char *buf, size_t bytes, uint64_t deadline)
{
	return touch_until(buf, bytes, deadline, 2);
}

__attribute__((noinline)) static unsigned phase_c(unsigned char *buf, size_t bytes, uint64_t deadline)
{
	return touch_until(buf, bytes, deadline, 3);
}

int main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) : 3.0;
	size_t mib = argc > 2 ? (size_t)atol(argv[2]) : 32;
	double idle = argc > 3 ? atof(argv[3]) : 0.0;
	double settle = argc > 4 ? atof(argv[4]) : 1.2;
	size_t bytes = mib << 20;
	uint64_t phase_ns = (uint64_t)(seconds * 1e9);
	unsigned char *a, *b, *c;
	uint64_t t;
	unsigned rounds = 0;

	if (seconds <= 0 || mib == 0 || idle < 0 || settle < 0) {
		fprintf(stderr, "usage: phases [SECONDS_PER_PHASE [MIB_PER_BUFFER "
			"[IDLE_SECONDS [SETTLE_SECONDS]]]]\n");
		return 2;
	}
	printf("pid %ld\n", (long)getpid());
	a = map_buffer("A", bytes);
	b = map_buffer("B", bytes);
	c = map_buffer("C", bytes);
	printf("mapped %ju\n", (uintmax_t)now_ns());
	fflush(stdout);
	sleep_s(settle);

	t = now_ns();
	printf("phase A %ju\n", (uintmax_t)t);
	fflush(stdout);
	rounds += phase_a(a, bytes, t + phase_ns);
	t = now_ns();
	printf("phase B %ju\n", (uintmax_t)t);
	fflush(stdout);
	rounds += phase_b(b, bytes, t + phase_ns);
	t = now_ns();
	printf("phase C %ju\n", (uintmax_t)t);
	fflush(stdout);
	rounds += phase_c(c, bytes, t + phase_ns);
	t = now_ns();
	printf("end %ju\n", (uintmax_t)t);
	fprintf(stderr, "phases: %u passes\n", rounds);
	fflush(stdout);
	sleep_s(idle);
	return 0;
}
