// SPDX-License-Identifier: GPL-2.0-only
/*
 * samebuf: two phases over the same buffer S that differ only in the
 * function doing the work and in how often each page is touched:
 *
 *   light_checksum  reads every page of S once, then rests 40 ms    (steady, S, light)
 *   heavy_rewrite   rewrites every page of S, pass after pass       (steady, S, heavy)
 *
 *   samebuf [SECONDS_PER_PHASE [MIB]]   (default 4 s, 8 MiB)
 *
 * Output lines: tests/workloads/README.md.
 */
#include "workload.h"

PHASE_FN static void light_checksum(const unsigned char *s, size_t bytes, uint64_t deadline)
{
	uint64_t sum = 0;

	while (now_ns() < deadline) {
		for (size_t off = 0; off < bytes; off += PAGE)
			sum += s[off];
		flush_tlb();
		sleep_s(0.04);
	}
	sink = sum;
}

PHASE_FN static void heavy_rewrite(unsigned char *s, size_t bytes, uint64_t deadline)
{
	unsigned round = 0;

	while (now_ns() < deadline) {
		for (size_t off = 0; off < bytes; off += 256)
			s[off] = (unsigned char)(s[off] + round);
		flush_tlb();
		round++;
	}
}

int main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) : 4.0;
	size_t bytes = (size_t)(argc > 2 ? atol(argv[2]) : 8) * MIB;
	uint64_t dur = s_to_ns(seconds), t;
	unsigned char *s;

	if (seconds <= 0 || bytes == 0) {
		fprintf(stderr, "usage: samebuf [SECONDS_PER_PHASE [MIB]]\n");
		return 2;
	}
	say_start("samebuf");
	setup_tlb_flush();
	s = map_buffer("S", bytes);
	sleep_s(SETTLE_S);

	t = say_phase("light_checksum", "pattern=steady buffers=S intensity=light");
	light_checksum(s, bytes, t + dur);
	t = say_phase("heavy_rewrite", "pattern=steady buffers=S intensity=heavy");
	heavy_rewrite(s, bytes, t + dur);
	say_end();
	return 0;
}
