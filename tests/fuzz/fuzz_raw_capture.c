// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target for raw captures (docs/RECORDING.md, "Raw captures") and
 * the perf record decoder behind `damo-record --replay-raw`: any bytes,
 * read as a capture file the way rec_replay_raw does (header, event format,
 * then each record fed to dshim_stream_feed and the snapshot assembler),
 * must give snapshots or a clean error, never a crash, a leak or a hang.
 * The snapshots handed out must keep the assembler's promises.
 *
 * Mutations of a capture mostly damage its header or its format text, so
 * inputs starting with the byte 'R' are taken as perf records for a known
 * layout instead: the next byte picks the sample type's optional fields;
 * the one after it the event format (Linux 6.12 with age, 5.15 without),
 * whether each record is fed with all the bytes left after it (the decoder
 * must keep to the record's own size), and sample types the decoder
 * refuses; the third byte is the assembler's gap in microseconds; the rest
 * are the records.  Pure parsing: nothing here touches the kernel.
 */
#define _GNU_SOURCE
#include <linux/perf_event.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "damon_shim.h"

/* tests/fakes/damon_aggregated-6.12.format and -5.15.format. */
static const char format_6_12[] =
	"name: damon_aggregated\n"
	"ID: 1447\n"
	"format:\n"
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
	"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
	"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n"
	"\n"
	"\tfield:unsigned long target_id;\toffset:8;\tsize:8;\tsigned:0;\n"
	"\tfield:unsigned int nr_regions;\toffset:16;\tsize:4;\tsigned:0;\n"
	"\tfield:unsigned long start;\toffset:24;\tsize:8;\tsigned:0;\n"
	"\tfield:unsigned long end;\toffset:32;\tsize:8;\tsigned:0;\n"
	"\tfield:unsigned int nr_accesses;\toffset:40;\tsize:4;\tsigned:0;\n"
	"\tfield:unsigned int age;\toffset:44;\tsize:4;\tsigned:0;\n"
	"\n"
	"print fmt: \"target_id=%lu nr_regions=%u %lu-%lu: %u %u\", REC->target_id, "
	"REC->nr_regions, REC->start, REC->end, REC->nr_accesses, REC->age\n";
static const char format_5_15[] =
	"name: damon_aggregated\n"
	"ID: 602\n"
	"format:\n"
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
	"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
	"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n"
	"\n"
	"\tfield:unsigned long target_id;\toffset:8;\tsize:8;\tsigned:0;\n"
	"\tfield:unsigned int nr_regions;\toffset:16;\tsize:4;\tsigned:0;\n"
	"\tfield:unsigned long start;\toffset:24;\tsize:8;\tsigned:0;\n"
	"\tfield:unsigned long end;\toffset:32;\tsize:8;\tsigned:0;\n"
	"\tfield:unsigned int nr_accesses;\toffset:40;\tsize:4;\tsigned:0;\n"
	"\n"
	"print fmt: \"target_id=%lu nr_regions=%u %lu-%lu: %u\", REC->target_id, "
	"REC->nr_regions, REC->start, REC->end, REC->nr_accesses\n";

/* The sample bits the decoder knows, in the order of the selector's bits. */
static const uint64_t sample_bits[] = {
	PERF_SAMPLE_IDENTIFIER, PERF_SAMPLE_IP,	       PERF_SAMPLE_TID,    PERF_SAMPLE_ADDR,
	PERF_SAMPLE_ID,		PERF_SAMPLE_STREAM_ID, PERF_SAMPLE_CPU,	   PERF_SAMPLE_PERIOD,
};

struct seen {
	uint64_t snapshots, regions;
};

static int check_snapshot(void *arg, const struct dshim_snapshot *snap, char *err, size_t errlen)
{
	struct seen *seen = arg;

	(void)err;
	(void)errlen;
	if (!snap->nr_regions || !snap->regions)
		abort();
	if (!snap->incomplete && snap->nr_regions != snap->expected)
		abort();
	for (size_t i = 1; i < snap->nr_regions; i++)
		if (snap->regions[i].start < snap->regions[i - 1].end)
			abort(); /* regions of one aggregation never overlap or step back */
	seen->snapshots++;
	seen->regions += snap->nr_regions;
	return 0;
}

/* Feed records to a stream over `fmt`: those of the capture `cr`, or else
 * those laid out in `data` (each with all the bytes left when `whole_tail`),
 * then flush and check what came out. */
static void decode(const struct dshim_event_format *fmt, uint64_t sample_type, uint64_t gap_ns,
		   const uint8_t *data, size_t size, int whole_tail,
		   struct dshim_capture_reader *cr)
{
	struct dshim_assembler *a;
	struct dshim_stream *s;
	struct seen seen = { 0, 0 };
	struct dshim_stream_stats st;
	char err[512];
	int ret = 0;

	if (dshim_assembler_new(&a, 1, gap_ns, check_snapshot, &seen))
		return;
	if (dshim_stream_new(&s, fmt, sample_type, a)) {
		dshim_assembler_free(a);
		return;
	}
	if (cr) {
		const void *rec;
		size_t len;
		while ((ret = dshim_capture_next(cr, &rec, &len, err, sizeof(err))) == 1)
			if ((ret = dshim_stream_feed(s, rec, len, err, sizeof(err))))
				break;
	} else {
		size_t at = 0;
		while (at < size) {
			struct perf_event_header h;
			size_t len = whole_tail ? size - at : sizeof(h);
			if (size - at >= sizeof(h)) {
				memcpy(&h, data + at, sizeof(h));
				if (!whole_tail)
					len = h.size;
			}
			if (len > size - at)
				break;
			/* Its own allocation, so that ASan sees a read past it. */
			unsigned char *rec = malloc(len ? len : 1);
			if (!rec)
				break;
			memcpy(rec, data + at, len);
			ret = dshim_stream_feed(s, rec, len, err, sizeof(err));
			free(rec);
			if (ret || size - at < sizeof(h) || h.size < sizeof(h))
				break;
			at += h.size;
		}
	}
	dshim_assembler_flush(a, err, sizeof(err));
	dshim_stream_get_stats(s, &st);
	if (st.samples + st.bad_samples > st.records || st.lost_records > st.records)
		abort();
	if (seen.regions > st.samples)
		abort(); /* every region came from one decoded sample */
	dshim_stream_free(s);
	dshim_assembler_free(a);
}

static void records_for_known_layout(const uint8_t *data, size_t size)
{
	struct dshim_event_format fmt;
	char err[512];

	if (size < 3)
		return;
	uint8_t bits = data[0], flags = data[1], gap = data[2];
	const char *text = flags & 0x01 ? format_5_15 : format_6_12;
	if (dshim_event_format_parse(text, strlen(text), &fmt, err, sizeof(err)))
		abort();
	uint64_t sample_type = PERF_SAMPLE_TIME | PERF_SAMPLE_RAW;
	for (size_t i = 0; i < sizeof(sample_bits) / sizeof(sample_bits[0]); i++)
		if (bits & (1u << i))
			sample_type |= sample_bits[i];
	if (flags & 0x04)
		sample_type = 0; /* the tracer's default */
	if (flags & 0x08)
		sample_type &= ~(uint64_t)PERF_SAMPLE_TIME; /* refused by dshim_stream_new */
	if (flags & 0x10)
		sample_type |= PERF_SAMPLE_CALLCHAIN; /* refused too */
	decode(&fmt, sample_type, (uint64_t)gap * 1000, data + 3, size - 3, flags & 0x02, NULL);
}

static void capture_file(const uint8_t *data, size_t size)
{
	struct dshim_capture_reader *cr;
	struct dshim_event_format fmt;
	char err[512], ferr[512], path[64];
	int fd = memfd_create("fuzz.cap", 0);

	if (fd < 0)
		return;
	if (size && write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	err[0] = '\0';
	if (dshim_capture_open(&cr, path, err, sizeof(err))) {
		if (!err[0])
			abort();
		close(fd);
		return;
	}
	const char *text = dshim_capture_format_text(cr);
	if (!dshim_event_format_parse(text, strlen(text), &fmt, ferr, sizeof(ferr)))
		decode(&fmt, dshim_capture_sample_type(cr), 50000000, NULL, 0, 0, cr);
	dshim_capture_close_reader(cr);
	close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size && data[0] == 'R')
		records_for_known_layout(data + 1, size - 1);
	else
		capture_file(data, size);
	return 0;
}
