// SPDX-License-Identifier: GPL-2.0-only
/*
 * heapgrow: a heap that grows.  In grow_heap() the program mallocs 32 KiB
 * blocks (below malloc's mmap threshold, so the heap grows with brk) at a
 * fixed rate, and writes every block it has so far pass after pass: its
 * working set grows steadily from the heap's start.  Then scan_heap() reads
 * the whole grown heap, pass after pass, for a while.
 *
 *   grow_heap   (growth, heap, at RATE bytes/s)
 *   scan_heap   (steady, heap)
 *
 *   heapgrow [GROW_SECONDS [MIB [SCAN_SECONDS]]]   (default 6 s, 12 MiB, 3 s)
 *
 * The `buffer heap` line, printed once the heap has grown, gives the heap's
 * range from where growth started to its final end (brk).
 * Output lines: tests/workloads/README.md.
 */
#include "workload.h"

#define BLOCK (32u * 1024u)

static unsigned char **blocks;
static size_t nr_blocks;

PHASE_FN static void grow_heap(size_t max_blocks, uint64_t start, uint64_t duration)
{
	uint64_t now;
	unsigned round = 0;

	while ((now = now_ns()) < start + duration) {
		size_t want = (size_t)((double)max_blocks * (double)(now - start) / (double)duration) + 1;

		while (nr_blocks < want && nr_blocks < max_blocks) {
			blocks[nr_blocks] = malloc(BLOCK);
			if (!blocks[nr_blocks])
				die("malloc");
			nr_blocks++;
		}
		for (size_t i = 0; i < nr_blocks; i++)
			for (size_t off = 0; off < BLOCK; off += 256)
				blocks[i][off] = (unsigned char)(round + off);
		flush_tlb();
		round++;
	}
}

PHASE_FN static void scan_heap(uint64_t deadline)
{
	uint64_t sum = 0;

	while (now_ns() < deadline) {
		for (size_t i = 0; i < nr_blocks; i++)
			for (size_t off = 0; off < BLOCK; off += 256)
				sum += blocks[i][off];
		flush_tlb();
	}
	sink = sum;
}

int main(int argc, char **argv)
{
	double grow_s = argc > 1 ? atof(argv[1]) : 6.0;
	size_t bytes = (size_t)(argc > 2 ? atol(argv[2]) : 12) * MIB;
	double scan_s = argc > 3 ? atof(argv[3]) : 3.0;
	size_t max_blocks = bytes / BLOCK;
	uintptr_t heap_start, heap_end;
	uint64_t t;

	if (grow_s <= 0 || scan_s <= 0 || max_blocks == 0) {
		fprintf(stderr, "usage: heapgrow [GROW_SECONDS [MIB [SCAN_SECONDS]]]\n");
		return 2;
	}
	say_start("heapgrow");
	setup_tlb_flush();
	/* The block table is an mmap of its own, not on the heap. */
	blocks = mmap(NULL, max_blocks * sizeof(*blocks), PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (blocks == MAP_FAILED)
		die("mmap");
	heap_start = (uintptr_t)sbrk(0);
	sleep_s(SETTLE_S);

	t = say_phase("grow_heap", "pattern=growth buffers=heap speed=%.0f", (double)bytes / grow_s);
	grow_heap(max_blocks, t, s_to_ns(grow_s));
	heap_end = (uintptr_t)sbrk(0);
	say("buffer heap 0x%jx 0x%jx", (uintmax_t)heap_start, (uintmax_t)heap_end);
	t = say_phase("scan_heap", "pattern=steady buffers=heap");
	scan_heap(t + s_to_ns(scan_s));
	say_end();
	return 0;
}
