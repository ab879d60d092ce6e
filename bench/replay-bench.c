// SPDX-License-Identifier: GPL-2.0-only
/*
 * replay-bench: the recorder's CPU cost per damon:damon_aggregated event,
 * without DAMON.
 *
 *   replay-bench make CAPTURE FORMAT_FILE AGGREGATIONS REGIONS
 *       writes a raw capture (docs/RECORDING.md, "Raw captures") of one
 *       target with AGGREGATIONS aggregations 100 ms apart of REGIONS
 *       regions each, as the kernel emits them: one PERF_RECORD_SAMPLE per
 *       region, in address order, microseconds apart; FORMAT_FILE is the
 *       tracefs format text of the event.
 *   replay-bench run CAPTURE OUT.dtr
 *       replays it three ways and prints one line per way,
 *       "WAY events snapshots cpu_seconds ns_per_event":
 *         read     the capture reader alone (the floor: getting the bytes);
 *         decode   plus the shim's decoder and snapshot assembler;
 *         record   rec_replay_raw: decoder, assembler and the record writer
 *                  (zstd, checksums, file), what damo-record does per event.
 *
 * Times are CPU time of this process (CLOCK_PROCESS_CPUTIME_ID), best of
 * BENCH_REPEAT runs (default 3), so other load on the machine counts less.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "damon_shim.h"
#include "recorder.h"

static double cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "re");
	char *buf;
	size_t n;

	if (!f) {
		fprintf(stderr, "replay-bench: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	buf = calloc(1, 1 << 16);
	n = buf ? fread(buf, 1, (1 << 16) - 1, f) : 0;
	fclose(f);
	if (buf)
		buf[n] = '\0';
	return buf;
}

/* xorshift64*: the capture must be the same bytes every time. */
static uint64_t next_random(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ull;
}

static int make_capture(const char *path, const char *format_path, uint64_t nr_aggrs,
			uint32_t nr_regions)
{
	char err[512] = "";
	char *format = slurp(format_path);
	struct dshim_capture *c = NULL;
	struct dshim_event_format fmt;
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	uint64_t *bounds;
	int ret = 1;

	if (!format)
		return 1;
	if (dshim_event_format_parse(format, strlen(format), &fmt, err, sizeof(err))) {
		fprintf(stderr, "replay-bench: %s: %s\n", format_path, err);
		free(format);
		return 1;
	}
	bounds = calloc((size_t)nr_regions + 1, sizeof(*bounds));
	if (!bounds)
		goto out;
	/* A process-like span: 4 KiB-aligned regions of varied sizes. */
	bounds[0] = 0x555555554000ull;
	for (uint32_t i = 1; i <= nr_regions; i++)
		bounds[i] = bounds[i - 1] + 4096 * (1 + next_random(&seed) % 512);
	unlink(path);
	if (dshim_capture_create(&c, path, 0, format, err, sizeof(err))) {
		fprintf(stderr, "replay-bench: %s\n", err);
		goto out;
	}
	size_t raw_size = (size_t)fmt.min_raw_size;
	if (fmt.age.size && (size_t)(fmt.age.offset + fmt.age.size) > raw_size)
		raw_size = (size_t)(fmt.age.offset + fmt.age.size);
	unsigned char rec[256], raw[128];
	if (raw_size > sizeof(raw) || raw_size + 64 > sizeof(rec)) {
		fprintf(stderr, "replay-bench: %s: event too large\n", format_path);
		goto out;
	}
	uint32_t kdamond_pid = 4242;
	for (uint64_t a = 0; a < nr_aggrs; a++) {
		uint64_t t0 = 1000000000000ull + a * 100000000ull;
		/* DAMON's split and merge moves a few boundaries each time. */
		for (uint32_t i = 1; i < nr_regions; i++) {
			if (next_random(&seed) % 8)
				continue;
			uint64_t lo = bounds[i - 1] + 4096, hi = bounds[i + 1] - 4096;
			if (hi > lo)
				bounds[i] = lo + 4096 * (next_random(&seed) % ((hi - lo) / 4096 + 1));
		}
		for (uint32_t i = 0; i < nr_regions; i++) {
			uint64_t target_id = 0, start = bounds[i], end = bounds[i + 1];
			uint32_t nr = nr_regions, acc = (uint32_t)(next_random(&seed) % 21);
			uint32_t age = (uint32_t)(a % 50);
			uint64_t time = t0 + (uint64_t)i * 700;
			uint32_t cpu[2] = { (uint32_t)(a & 1), 0 }, pid_tid[2] = { kdamond_pid, kdamond_pid };
			struct perf_event_header h = { PERF_RECORD_SAMPLE, 0, 0 };
			size_t off = sizeof(h);
			uint32_t rs = (uint32_t)raw_size;

			memset(raw, 0, raw_size);
			memcpy(raw + fmt.target_id.offset, &target_id, (size_t)fmt.target_id.size);
			memcpy(raw + fmt.nr_regions.offset, &nr, (size_t)fmt.nr_regions.size);
			memcpy(raw + fmt.start.offset, &start, (size_t)fmt.start.size);
			memcpy(raw + fmt.end.offset, &end, (size_t)fmt.end.size);
			memcpy(raw + fmt.nr_accesses.offset, &acc, (size_t)fmt.nr_accesses.size);
			if (fmt.age.size)
				memcpy(raw + fmt.age.offset, &age, (size_t)fmt.age.size);
			/* TID | TIME | CPU | RAW, in perf's order. */
			memcpy(rec + off, pid_tid, 8), off += 8;
			memcpy(rec + off, &time, 8), off += 8;
			memcpy(rec + off, cpu, 8), off += 8;
			memcpy(rec + off, &rs, 4), off += 4;
			memcpy(rec + off, raw, raw_size), off += raw_size;
			while (off % 8)
				rec[off++] = 0;
			h.size = (uint16_t)off;
			memcpy(rec, &h, sizeof(h));
			if (dshim_capture_put(c, rec, off, err, sizeof(err))) {
				fprintf(stderr, "replay-bench: %s\n", err);
				goto out;
			}
		}
	}
	ret = 0;
out:
	if (c && dshim_capture_close(c, err, sizeof(err))) {
		fprintf(stderr, "replay-bench: %s\n", err);
		ret = 1;
	}
	free(bounds);
	free(format);
	return ret;
}

struct counts {
	uint64_t snapshots, regions;
};

static int count_snapshot(void *arg, const struct dshim_snapshot *snap, char *err, size_t errlen)
{
	struct counts *c = arg;
	(void)err, (void)errlen;
	c->snapshots++;
	c->regions += snap->nr_regions;
	return 0;
}

/* decode = 0: read the records only; 1: decode and assemble them too. */
static int run_reader(const char *capture, int decode, struct counts *c, char *err, size_t errlen)
{
	struct dshim_capture_reader *cr = NULL;
	struct dshim_event_format fmt;
	struct dshim_assembler *as = NULL;
	struct dshim_stream *st = NULL;
	const void *rec;
	size_t len;
	int ret;

	memset(c, 0, sizeof(*c));
	if ((ret = dshim_capture_open(&cr, capture, err, errlen)))
		return ret;
	if (decode) {
		const char *text = dshim_capture_format_text(cr);
		if ((ret = dshim_event_format_parse(text, strlen(text), &fmt, err, errlen)))
			goto out;
		if ((ret = dshim_assembler_new(&as, 1, 50000000, count_snapshot, c)) ||
		    (ret = dshim_stream_new(&st, &fmt, dshim_capture_sample_type(cr), as))) {
			snprintf(err, errlen, "%s: cannot set up the decoder", capture);
			ret = ret ? ret : -EINVAL;
			goto out;
		}
	}
	while ((ret = dshim_capture_next(cr, &rec, &len, err, errlen)) == 1) {
		if (decode) {
			if ((ret = dshim_stream_feed(st, rec, len, err, errlen)))
				goto out;
		} else {
			c->regions++;
		}
	}
	if (!ret && decode)
		ret = dshim_assembler_flush(as, err, errlen);
out:
	dshim_stream_free(st);
	dshim_assembler_free(as);
	dshim_capture_close_reader(cr);
	return ret;
}

static int run_all(const char *capture, const char *out)
{
	char err[512] = "";
	int repeat = getenv("BENCH_REPEAT") ? atoi(getenv("BENCH_REPEAT")) : 3;
	const char *ways[3] = { "read", "decode", "record" };

	if (repeat < 1)
		repeat = 1;
	for (int way = 0; way < 3; way++) {
		double best = -1;
		uint64_t events = 0, snapshots = 0;
		for (int i = 0; i < repeat; i++) {
			struct counts c;
			int ret;
			double t0 = cpu_now();
			if (way < 2) {
				ret = run_reader(capture, way, &c, err, sizeof(err));
			} else {
				struct rec_options o = { .out = out, .aggr_us = 100000, .ops = "vaddr" };
				struct rec_stats st;
				char old[4200];
				unlink(out);
				snprintf(old, sizeof(old), "%s.old", out);
				unlink(old);
				ret = rec_replay_raw(capture, &o, &st, err, sizeof(err));
				c.snapshots = st.snapshots;
				c.regions = st.regions;
			}
			double t = cpu_now() - t0;
			if (ret) {
				fprintf(stderr, "replay-bench: %s: %s\n", ways[way], err);
				return 1;
			}
			events = c.regions;
			snapshots = c.snapshots;
			if (best < 0 || t < best)
				best = t;
		}
		printf("%s %" PRIu64 " %" PRIu64 " %.6f %.2f\n", ways[way], events, snapshots, best,
		       events ? best * 1e9 / (double)events : 0.0);
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 6 && !strcmp(argv[1], "make")) {
		long long aggrs = atoll(argv[4]), regions = atoll(argv[5]);
		if (aggrs < 1 || regions < 1 || regions > 100000000) {
			fprintf(stderr, "replay-bench: bad sizes\n");
			return 2;
		}
		return make_capture(argv[2], argv[3], (uint64_t)aggrs, (uint32_t)regions);
	}
	if (argc == 4 && !strcmp(argv[1], "run"))
		return run_all(argv[2], argv[3]);
	fprintf(stderr, "usage: replay-bench make CAPTURE FORMAT_FILE AGGREGATIONS REGIONS\n"
			"       replay-bench run CAPTURE OUT.dtr\n");
	return 2;
}
