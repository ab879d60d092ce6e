// SPDX-License-Identifier: GPL-2.0-only
/*
 * damo-record --replay-raw: a raw capture decoded into a record, through
 * the same perf record decoder, snapshot assembler and writer as a
 * recording, without DAMON.
 */
#define _GNU_SOURCE
#include "recorder.h"

#include <errno.h>
#include <string.h>

#include "damon_shim.h"
#include "dtr.h"
#include "recorder_internal.h"

int rec_replay_raw(const char *capture, const struct rec_options *o, struct rec_stats *st,
		   char *err, size_t errlen)
{
	struct rec r;
	struct dshim_capture_reader *cr = NULL;
	const void *rec;
	size_t len;
	int ret;

	rec_init(&r, o, st);
	r.ops = o->ops;
	r.footprint = 0; /* no live process to read */
	if ((ret = dshim_capture_open(&cr, capture, err, errlen)))
		return ret;
	const char *text = dshim_capture_format_text(cr);
	char ferr[400] = "";
	if ((ret = dshim_event_format_parse(text, strlen(text), &r.fmt, ferr, sizeof(ferr)))) {
		dt_fail(err, errlen, 0, "%s: event format: %s", capture, ferr);
		goto out;
	}
	if ((ret = dshim_assembler_new(&r.asm_, 1, r.aggr_us * 500, on_snapshot, &r)) ||
	    (ret = dshim_stream_new(&r.stream, &r.fmt, dshim_capture_sample_type(cr), r.asm_))) {
		dt_fail(err, errlen, 0, "%s: unsupported sample type or out of memory", capture);
		ret = ret ? ret : -EINVAL;
		goto out;
	}
	if ((ret = open_output(&r, err, errlen)) ||
	    (ret = write_meta(&r, "tracepoint", "replayed_from", capture, err, errlen)))
		goto out;
	r.recording = 1; /* a damaged capture still leaves what was decoded */
	r.t0 = now_ns();
	/* The intervals of the command line stand for the recording's; they
	 * are written before the first snapshot. */
	while ((ret = dshim_capture_next(cr, &rec, &len, err, errlen)) == 1) {
		if ((ret = dshim_stream_feed(r.stream, rec, len, err, errlen)))
			break;
		if (stop_requested(&r)) {
			ret = 0;
			break;
		}
	}
	if (!ret)
		ret = dshim_assembler_flush(r.asm_, err, errlen);
	if (!ret)
		st->stop = st->stop ? st->stop : REC_STOP_END_OF_INPUT;
	st->lost_events = dshim_assembler_lost_events(r.asm_);
	st->elapsed_ns = now_ns() - r.t0;
out:
	dshim_capture_close_reader(cr);
	if (r.w && !ret && !r.write_failed) {
		ret = write_stop_meta(&r, err, errlen);
		if (!ret)
			ret = dtr_writer_close(r.w, err, errlen);
		r.w = NULL;
	}
	ret = close_output(&r, ret, err, errlen);
	rec_free(&r);
	return ret;
}
