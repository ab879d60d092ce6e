// SPDX-License-Identifier: GPL-2.0-only
/*
 * contiguous: five phases of different access patterns with no idle gap
 * between them, each in its own function:
 *
 *   fill_array     writes every word of array A, pass after pass   (steady, A)
 *   random_reads   random 8-byte reads all over A                  (steady, A)
 *   row_sweep      buffer B row by row, each row worked on many
 *                  times before the next; the rows advance with
 *                  time, so a hot band moves through B at a known
 *                  speed                                           (sweep, B)
 *   strided_scan   one byte every 4160 bytes of buffer C            (steady, C)
 *   table_probes   random probes of a small table T                (steady, T)
 *
 *   contiguous [SECONDS_PER_PHASE [MIB_PER_BUFFER]]   (default 3 s, 8 MiB)
 *
 * Output lines: tests/workloads/README.md.
 */
#include "workload.h"

#define ROWS 16u
#define TABLE_BYTES (64u * 1024u)
#define STRIDE 4160u

PHASE_FN static void fill_array(uint64_t *a, size_t words, uint64_t deadline)
{
	uint64_t round = 0;

	while (now_ns() < deadline) {
		for (size_t i = 0; i < words; i++)
			a[i] = round ^ i;
		flush_tlb();
		round++;
	}
}

PHASE_FN static void random_reads(const uint64_t *a, size_t words, uint64_t deadline)
{
	uint64_t state = 0x9E3779B97F4A7C15ull, sum = 0;

	while (now_ns() < deadline) {
		for (unsigned i = 0; i < 4096; i++)
			sum += a[next_random(&state) % words];
		flush_tlb();
	}
	sink = sum;
}

/* Row r is worked on from start + r * duration / ROWS until the next row's
 * time: each row many times over, then never again. */
PHASE_FN static void row_sweep(unsigned char *b, size_t bytes, uint64_t start, uint64_t duration)
{
	size_t row_bytes = bytes / ROWS;
	uint64_t now;

	while ((now = now_ns()) < start + duration) {
		size_t row = (size_t)((now - start) * ROWS / duration);
		unsigned char *p = b + row * row_bytes;

		for (size_t off = 0; off < row_bytes; off += 64)
			p[off] = (unsigned char)(p[off] * 3 + 1);
		flush_tlb();
	}
}

PHASE_FN static void strided_scan(const unsigned char *c, size_t bytes, uint64_t deadline)
{
	uint64_t sum = 0;

	while (now_ns() < deadline) {
		for (size_t off = 0; off < bytes; off += STRIDE)
			sum += c[off];
		flush_tlb();
	}
	sink = sum;
}

PHASE_FN static void table_probes(const uint32_t *t, size_t entries, uint64_t deadline)
{
	uint64_t state = 0x243F6A8885A308D3ull, sum = 0;

	while (now_ns() < deadline) {
		for (unsigned i = 0; i < 4096; i++)
			sum += t[next_random(&state) % entries];
		flush_tlb();
	}
	sink = sum;
}

int main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) : 3.0;
	size_t bytes = (size_t)(argc > 2 ? atol(argv[2]) : 8) * MIB;
	uint64_t dur = s_to_ns(seconds), t;
	unsigned char *a, *b, *c, *tab;

	if (seconds <= 0 || bytes == 0) {
		fprintf(stderr, "usage: contiguous [SECONDS_PER_PHASE [MIB_PER_BUFFER]]\n");
		return 2;
	}
	say_start("contiguous");
	setup_tlb_flush();
	a = map_buffer("A", bytes);
	b = map_buffer("B", bytes);
	c = map_buffer("C", bytes);
	tab = map_buffer("T", TABLE_BYTES);
	sleep_s(SETTLE_S);

	t = say_phase("fill_array", "pattern=steady buffers=A");
	fill_array((uint64_t *)a, bytes / 8, t + dur);
	t = say_phase("random_reads", "pattern=steady buffers=A");
	random_reads((const uint64_t *)a, bytes / 8, t + dur);
	t = say_phase("row_sweep", "pattern=sweep buffers=B range=0x%jx-0x%jx speed=%.0f",
		      (uintmax_t)(uintptr_t)b, (uintmax_t)(uintptr_t)(b + bytes), bytes / seconds);
	row_sweep(b, bytes, t, dur);
	t = say_phase("strided_scan", "pattern=steady buffers=C");
	strided_scan(c, bytes, t + dur);
	t = say_phase("table_probes", "pattern=steady buffers=T");
	table_probes((const uint32_t *)tab, TABLE_BYTES / 4, t + dur);
	say_end();
	return 0;
}
