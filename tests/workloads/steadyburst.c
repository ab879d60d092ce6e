// SPDX-License-Identifier: GPL-2.0-only
/*
 * steadyburst: a long steady program with one short burst.  steady_work()
 * updates a small buffer S pass after pass; once, in the middle, burst_scan()
 * writes all of a large buffer L for a short while, then steady_work()
 * carries on:
 *
 *   steady_work  (steady, S)  STEADY seconds
 *   burst_scan   (steady, L)  BURST seconds
 *   steady_work  (steady, S)  STEADY seconds
 *
 *   steadyburst [STEADY [BURST [L_MIB]]]   (default 6 s, 1.5 s, 16 MiB; S is 2 MiB)
 *
 * Output lines: tests/workloads/README.md.
 */
#include "workload.h"

#define S_BYTES (2u * MIB)

PHASE_FN static void steady_work(unsigned char *s, uint64_t deadline)
{
	unsigned round = 0;

	while (now_ns() < deadline) {
		for (size_t off = 0; off < S_BYTES; off += 128)
			s[off] = (unsigned char)(s[off] ^ round);
		flush_tlb();
		round++;
	}
}

PHASE_FN static void burst_scan(unsigned char *l, size_t bytes, uint64_t deadline)
{
	unsigned round = 0;

	while (now_ns() < deadline) {
		for (size_t off = 0; off < bytes; off += 128)
			l[off] = (unsigned char)(l[off] + round);
		flush_tlb();
		round++;
	}
}

int main(int argc, char **argv)
{
	double steady = argc > 1 ? atof(argv[1]) : 6.0;
	double burst = argc > 2 ? atof(argv[2]) : 1.5;
	size_t bytes = (size_t)(argc > 3 ? atol(argv[3]) : 16) * MIB;
	unsigned char *s, *l;
	uint64_t t;

	if (steady <= 0 || burst <= 0 || bytes == 0) {
		fprintf(stderr, "usage: steadyburst [STEADY [BURST [L_MIB]]]\n");
		return 2;
	}
	say_start("steadyburst");
	setup_tlb_flush();
	s = map_buffer("S", S_BYTES);
	l = map_buffer("L", bytes);
	sleep_s(SETTLE_S);

	t = say_phase("steady_work", "pattern=steady buffers=S");
	steady_work(s, t + s_to_ns(steady));
	t = say_phase("burst_scan", "pattern=steady buffers=L");
	burst_scan(l, bytes, t + s_to_ns(burst));
	t = say_phase("steady_work", "pattern=steady buffers=S");
	steady_work(s, t + s_to_ns(steady));
	say_end();
	return 0;
}
