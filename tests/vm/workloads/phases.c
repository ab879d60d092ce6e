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
 * phase A could not be seen on time.  With PHASES_PHYS=1 in the environment
 * (and root), it also prints the physical ranges of each buffer, read from
 * /proc/self/pagemap once populated, for checking physical-address
 * monitoring.  It prints, flushing each line:
 *   pid PID
 *   buffer NAME START END        (hex, END exclusive)
 *   phys NAME START END          (hex; with PHASES_PHYS=1, one per contiguous range)
 *   mapped NS                    (CLOCK_MONOTONIC, all buffers mapped)
 *   phase NAME START_NS          (CLOCK_MONOTONIC)
 *   end END_NS
 */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <fcntl.h>
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

/* Physical ranges of a populated buffer, merged where contiguous. */
static void print_phys(const char *name, const unsigned char *buf, size_t bytes)
{
	int fd = open("/proc/self/pagemap", O_RDONLY);
	uint64_t run_start = 0, run_end = 0;

	if (fd < 0) {
		perror("/proc/self/pagemap");
		return;
	}
	for (size_t off = 0; off < bytes; off += PAGE) {
		uint64_t entry, pa;
		off_t at = (off_t)((uintptr_t)(buf + off) / PAGE * sizeof(entry));

		if (pread(fd, &entry, sizeof(entry), at) != (ssize_t)sizeof(entry) ||
		    !(entry >> 63))
			continue;
		/* Bits 0-54: the page frame number (zero without CAP_SYS_ADMIN). */
		pa = (entry & ((1ull << 55) - 1)) * PAGE;
		if (!pa)
			continue;
		if (pa == run_end) {
			run_end += PAGE;
			continue;
		}
		if (run_end)
			printf("phys %s 0x%jx 0x%jx\n", name, (uintmax_t)run_start, (uintmax_t)run_end);
		run_start = pa;
		run_end = pa + PAGE;
	}
	if (run_end)
		printf("phys %s 0x%jx 0x%jx\n", name, (uintmax_t)run_start, (uintmax_t)run_end);
	fflush(stdout);
	close(fd);
}

/*
 * Under emulation (QEMU TCG) the software TLB is large enough to hold every
 * page of the buffers and is flushed only by explicit flushes, while DAMON
 * clears a page's accessed bit without flushing the TLB: a page that stays
 * in the TLB is never marked accessed again, and a workload spinning alone
 * on its CPU looks idle to DAMON.  On hardware, sweeping thousands of pages
 * evicts the TLB entries and the page walks set the bits again.  So after
 * each sweep the workload asks for a full TLB flush, the way a hardware TLB
 * would have forgotten the buffer: changing the protection of more pages
 * than the kernel flushes one by one (33 on x86) makes it flush the whole
 * local TLB.
 */
#define FLUSH_PAGES 64u
static unsigned char *flush_area;

static void setup_tlb_flush(void)
{
	flush_area = mmap(NULL, FLUSH_PAGES * PAGE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (flush_area == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
}

__attribute__((noinline)) static void flush_tlb(void)
{
	if (mprotect(flush_area, FLUSH_PAGES * PAGE, PROT_READ) ||
	    mprotect(flush_area, FLUSH_PAGES * PAGE, PROT_READ | PROT_WRITE)) {
		perror("mprotect");
		exit(1);
	}
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
		flush_tlb();
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
	setup_tlb_flush();
	a = map_buffer("A", bytes);
	b = map_buffer("B", bytes);
	c = map_buffer("C", bytes);
	if (getenv("PHASES_PHYS")) {
		print_phys("A", a, bytes);
		print_phys("B", b, bytes);
		print_phys("C", c, bytes);
	}
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
