// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target for damo-timeline's analysis: a record built from the
 * bytes (fuzz_record.h) is written through libdtr to a temporary file and
 * read by dt_timeline_build (WSS, heatmap guide and grid, framing, the
 * phases' segmentation, callstacks and the flame chart), whose report and
 * JSON are printed; odd inputs add a --time-offset at an edge.  Errors
 * are fine; UBSan and ASan reports are crashes.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "fuzz_record.h"
#include "timeline.h"

static int write_record(const struct fuzz_record *r, const char *path)
{
	struct dtr_writer *w;
	struct dtr_writer_opts o = { .no_fsync = 1 };
	char err[256];

	if (dtr_writer_open(&w, path, &o, err, sizeof(err)))
		return -1;
	for (size_t i = 0; i < r->nr; i++)
		dtr_writer_put(w, &r->items[i], err, sizeof(err)); /* refused items are left out */
	return dtr_writer_close(w, err, sizeof(err)) ? -1 : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fuzz_record r;
	char path[] = "/tmp/fuzz-timeline.XXXXXX", err[512];
	int fd = mkstemp(path);
	struct dt_timeline *tl;
	struct dt_timeline_opts o;

	if (fd < 0)
		return 0;
	close(fd);
	fuzz_record_build(&r, data, size);
	if (write_record(&r, path))
		goto done;
	dt_timeline_opts_default(&o);
	o.load.record_path = path;
	o.columns = 16;
	o.addr_cells = 8;
	o.draw_range = size ? (enum dt_timeline_draw_range)(data[0] % 4) : DT_TIMELINE_WORKED;
	if (size && data[size - 1] & 1) {
		o.load.time_offset_set = 1;
		o.load.time_offset_ns = data[size - 1] & 2 ? INT64_MIN : INT64_MAX;
	}
	if (!dt_timeline_build(&tl, &o, err, sizeof(err))) {
		FILE *out = fopen("/dev/null", "w");
		if (out) {
			dt_timeline_print_report(out, tl);
			dt_timeline_print_json(out, tl);
			fclose(out);
		}
		dt_timeline_free(tl);
	}
done:
	unlink(path);
	return 0;
}
