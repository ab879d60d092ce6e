// SPDX-License-Identifier: GPL-2.0-only
/*
 * dtr-scan: baselines for reading a damotrace record.
 *
 *   dtr-scan FILE         read every item through dtr_reader_next and touch
 *                         every region (the floor of any command reading the
 *                         record: decompression, checksums, decoding); prints
 *                         "snapshots regions cpu_seconds".
 *   dtr-scan --dump FILE  write every region to standard output as 24 bytes
 *                         (start, end: u64; nr_accesses, age: u32; native
 *                         order), the plain data a generic compressor
 *                         would be given.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dtr.h"

static double cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	int dump = argc == 3 && !strcmp(argv[1], "--dump");
	const char *path = argc == 2 ? argv[1] : dump ? argv[2] : NULL;
	struct dtr_reader *r;
	struct dtr_item it;
	char err[512] = "";
	uint64_t snapshots = 0, regions = 0, sum = 0;
	static unsigned char buf[1 << 16];
	size_t fill = 0;
	int ret;

	if (!path) {
		fprintf(stderr, "usage: dtr-scan [--dump] FILE\n");
		return 2;
	}
	double t0 = cpu_now();
	if (dtr_reader_open(&r, path, NULL, err, sizeof(err))) {
		fprintf(stderr, "dtr-scan: %s\n", err);
		return 1;
	}
	while ((ret = dtr_reader_next(r, &it, err, sizeof(err))) == 1) {
		if (it.type != DTR_ITEM_SNAPSHOT)
			continue;
		const struct dtr_snapshot *s = &it.u.snapshot;
		snapshots++;
		regions += s->nr_regions;
		for (uint64_t i = 0; i < s->nr_regions; i++) {
			const struct dtr_region *g = &s->regions[i];
			sum += g->end - g->start + g->nr_accesses + g->age;
			if (!dump)
				continue;
			if (fill + 24 > sizeof(buf)) {
				if (fwrite(buf, 1, fill, stdout) != fill)
					goto write_error;
				fill = 0;
			}
			memcpy(buf + fill, &g->start, 8);
			memcpy(buf + fill + 8, &g->end, 8);
			memcpy(buf + fill + 16, &g->nr_accesses, 4);
			memcpy(buf + fill + 20, &g->age, 4);
			fill += 24;
		}
	}
	dtr_reader_close(r);
	if (ret < 0) {
		fprintf(stderr, "dtr-scan: %s\n", err);
		return 1;
	}
	if (dump) {
		if (fwrite(buf, 1, fill, stdout) != fill || fflush(stdout))
			goto write_error;
		return 0;
	}
	/* The sum keeps the loop from being optimised away. */
	printf("%" PRIu64 " %" PRIu64 " %.6f%s\n", snapshots, regions, cpu_now() - t0,
	       sum == 1 ? " " : "");
	return 0;
write_error:
	fprintf(stderr, "dtr-scan: writing the dump failed\n");
	return 1;
}
