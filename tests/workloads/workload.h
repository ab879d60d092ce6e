// SPDX-License-Identifier: GPL-2.0-only
/*
 * workload.h: what every corpus workload shares: the clock, the lines it
 * prints (the format is in tests/workloads/README.md), its buffers and the
 * TLB flush that lets DAMON see accesses under emulation.
 *
 * Every line is flushed as soon as it is printed, so the output is complete
 * up to the moment a run is stopped, and its times are CLOCK_MONOTONIC, the
 * clock of damo-record's snapshots and callstacks.
 */
#ifndef DT_WORKLOAD_H
#define DT_WORKLOAD_H

#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096u
#define MIB (1024u * 1024u)

/* DAMON's vaddr operations learn about new mappings at their next regions
 * update (every second by default): a workload waits this long between
 * mapping its buffers and its first phase, so that the phase is seen from
 * its start. */
#define SETTLE_S 1.5

static inline uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static inline uint64_t s_to_ns(double seconds)
{
	return (uint64_t)(seconds * 1e9);
}

static inline void sleep_s(double seconds)
{
	struct timespec ts = { (time_t)seconds, (long)((seconds - (time_t)seconds) * 1e9) };

	while (seconds > 0 && nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* The lane a thread's lines belong to: its own tid, unless a driver
 * speaks for another process (lane_tid set). */
static long lane_tid;

static inline long tid(void)
{
	return lane_tid ? lane_tid : (long)syscall(SYS_gettid);
}

static pthread_mutex_t say_lock = PTHREAD_MUTEX_INITIALIZER;

/* One whole line on standard output, flushed; threads do not interleave. */
__attribute__((format(printf, 1, 2))) static inline void say(const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&say_lock);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	pthread_mutex_unlock(&say_lock);
}

/* `start NS`: the program runs; the truth's first (idle) segment starts here. */
static inline void say_start(const char *workload)
{
	say("workload %s", workload);
	say("start %ju tid=%ld", (uintmax_t)now_ns(), tid());
}

/*
 * `phase NAME NS KEY=VALUE...`: the calling thread starts phase NAME now.
 * The keys say what the phase is (function, pattern, buffers, speed,
 * range); tid= is added here.  Returns the start time.
 */
__attribute__((format(printf, 2, 3))) static inline uint64_t say_phase(const char *name,
									const char *fmt, ...)
{
	char keys[512];
	va_list ap;
	uint64_t t = now_ns();

	va_start(ap, fmt);
	vsnprintf(keys, sizeof(keys), fmt, ap);
	va_end(ap);
	say("phase %s %ju %s tid=%ld", name, (uintmax_t)t, keys, tid());
	return t;
}

/* `end NS`: the calling thread's last phase ended. */
static inline void say_end(void)
{
	say("end %ju tid=%ld", (uintmax_t)now_ns(), tid());
}

static inline void die(const char *what)
{
	perror(what);
	exit(1);
}

/*
 * An anonymous buffer in its own mapping between guard pages, populated
 * now (first-touch faults are slow under emulation and would blur the
 * start of a phase); prints `buffer NAME START END`.
 */
static inline unsigned char *map_buffer(const char *name, size_t bytes)
{
	unsigned char *p = mmap(NULL, bytes + 2 * PAGE, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

	if (p == MAP_FAILED)
		die("mmap");
	if (mprotect(p, PAGE, PROT_NONE) || mprotect(p + PAGE + bytes, PAGE, PROT_NONE))
		die("mprotect");
	p += PAGE;
	for (size_t off = 0; off < bytes; off += PAGE)
		p[off] = (unsigned char)(off / PAGE);
	say("buffer %s 0x%jx 0x%jx", name, (uintmax_t)(uintptr_t)p, (uintmax_t)(uintptr_t)(p + bytes));
	return p;
}

/*
 * Under emulation (QEMU TCG) the software TLB can hold every page of the
 * buffers and is emptied only by explicit flushes, while DAMON clears a
 * page's accessed bit without flushing: a page that stays in the TLB is
 * never marked accessed again and a busy workload looks idle.  On hardware
 * a walk over thousands of pages evicts the TLB entries.  So the phase
 * loops call flush_tlb() after each pass (or batch of random accesses),
 * and it empties the local TLB at most every FLUSH_EVERY_NS (DAMON's
 * default sampling interval), so that flushing stays a small part of the
 * work and of the callstacks: changing the protection of more pages than
 * the kernel flushes one by one (33 on x86) flushes the whole TLB.  A
 * hardware TLB would have forgotten the pages anyway.
 */
#define FLUSH_PAGES 64u
#define FLUSH_EVERY_NS 5000000u
static unsigned char *flush_area;
static __thread uint64_t last_flush;

static inline void setup_tlb_flush(void)
{
	flush_area = mmap(NULL, FLUSH_PAGES * PAGE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (flush_area == MAP_FAILED)
		die("mmap");
}

__attribute__((noinline, unused)) static void flush_tlb(void)
{
	uint64_t now = now_ns();

	if (now - last_flush < FLUSH_EVERY_NS)
		return;
	last_flush = now;
	if (mprotect(flush_area, FLUSH_PAGES * PAGE, PROT_READ) ||
	    mprotect(flush_area, FLUSH_PAGES * PAGE, PROT_READ | PROT_WRITE))
		die("mprotect");
}

/* A phase's own function: never inlined nor cloned (a clone would be named
 * NAME.constprop.0 in the callstacks). */
#define PHASE_FN __attribute__((noinline, noclone))

/* xorshift64*: the same numbers in every run. */
static inline uint64_t next_random(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545F4914F6CDD1Dull;
}

/* Keeps a computed value alive so the compiler does not drop the work. */
static volatile uint64_t sink;

#endif
