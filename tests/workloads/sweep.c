// SPDX-License-Identifier: GPL-2.0-only
/*
 * sweep: a hot band moving through a large buffer at a known speed.  In
 * sweep_band() the band [pos, pos + BAND) of buffer W is written over and
 * over, and pos advances with the clock, pos = speed * (now - start), from
 * the buffer's start until the band reaches its end.  The phase line gives
 * the speed in bytes per second and the range swept.
 *
 *   sweep [SECONDS [MIB [BAND_KIB]]]   (default 8 s, 16 MiB, 1024 KiB)
 *
 * Output lines: tests/workloads/README.md.
 */
#include "workload.h"

PHASE_FN static void sweep_band(unsigned char *w, size_t bytes, size_t band,
				uint64_t start, uint64_t duration)
{
	size_t travel = bytes - band;
	uint64_t now;

	while ((now = now_ns()) < start + duration) {
		size_t pos = (size_t)((double)travel * (double)(now - start) / (double)duration);
		unsigned char *p = w + (pos & ~(size_t)(PAGE - 1));

		for (size_t off = 0; off < band; off += 128)
			p[off] = (unsigned char)(p[off] + 1);
		flush_tlb();
	}
}

int main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) : 8.0;
	size_t bytes = (size_t)(argc > 2 ? atol(argv[2]) : 16) * MIB;
	size_t band = (size_t)(argc > 3 ? atol(argv[3]) : 1024) * 1024;
	uint64_t t;
	unsigned char *w;

	if (seconds <= 0 || bytes == 0 || band == 0 || band % PAGE || band >= bytes) {
		fprintf(stderr, "usage: sweep [SECONDS [MIB [BAND_KIB]]] (band a whole number of pages, "
				"smaller than the buffer)\n");
		return 2;
	}
	say_start("sweep");
	setup_tlb_flush();
	w = map_buffer("W", bytes);
	sleep_s(SETTLE_S);

	/* The band's start moves from w to w + bytes - band. */
	t = say_phase("sweep_band", "pattern=sweep buffers=W range=0x%jx-0x%jx speed=%.0f band=%zu",
		      (uintmax_t)(uintptr_t)w, (uintmax_t)(uintptr_t)(w + bytes),
		      (double)(bytes - band) / seconds, band);
	sweep_band(w, bytes, band, t, s_to_ns(seconds));
	say_end();
	return 0;
}
