/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * input.h - one reader for every input damotrace understands.
 *
 * dt_input_open() detects the format by content (never by file name) and
 * yields the same `struct dtr_item` stream as the record reader (format/dtr.h)
 * whatever the source:
 *   - damotrace records (.dtr);
 *   - damo `json` and `json_compressed` (zlib) records, streamed;
 *   - damo's legacy binary record format, versions 0, 1 and 2;
 *   - `perf script` text of damon:damon_aggregated, and the tracefs `trace`
 *     text of the same event;
 *   - perf.data files (through `perf script`).
 * "-" reads standard input.  Memory stays bounded by the largest snapshot,
 * whatever the size of the input.
 *
 * What each source yields, besides SNAPSHOT items:
 *   - a META item with DTR_META_SOURCE ("damo-json", "perf-script", ...);
 *   - damo json: a CONTEXT item each time a record brings a new target (the
 *     list grows; the latest CONTEXT of a kdamond/context is the full one),
 *     INTERVALS when the record has them, and snapshots record by record,
 *     i.e. target after target, not interleaved in time;
 *   - text and legacy binary: one CONTEXT with every target first (target
 *     ids as given, which may be kernel pointers; pid -1); ages only when the
 *     text has them; the first snapshot of each target has its start
 *     estimated as damo does (DTR_SNAPSHOT_START_ESTIMATED), and a snapshot
 *     the input lost lines of is flagged DTR_SNAPSHOT_INCOMPLETE.
 *
 * Item pointers stay valid until the next dt_input_next() call.
 * Functions return 0 or a negative errno and write a one-line message naming
 * the file and the place into `err`.
 */
#ifndef DT_INPUT_H
#define DT_INPUT_H

#include <stddef.h>
#include <stdint.h>

#include "dtr.h"

enum dt_input_format {
	DT_INPUT_UNKNOWN = 0,
	DT_INPUT_DTR,
	DT_INPUT_DAMO_JSON,
	DT_INPUT_DAMO_JSON_COMPRESSED,
	DT_INPUT_DAMO_BINARY,      /* legacy binary, any version */
	DT_INPUT_PERF_SCRIPT,      /* perf script text of damon:damon_aggregated */
	DT_INPUT_TRACEFS_TEXT,     /* tracefs `trace` text of the same event */
	DT_INPUT_PERF_DATA,        /* perf.data, read through `perf script` */
};

struct dt_input_opts {
	int salvage;           /* damaged .dtr: go on with the valid part */
	uint64_t time_from_ns; /* like dtr_reader_opts; 0/0 for everything */
	uint64_t time_to_ns;
	const char *perf_path; /* perf binary for perf.data inputs; NULL: "perf" */
};

struct dt_input;

int dt_input_open(struct dt_input **in, const char *path,
		  const struct dt_input_opts *opts, char *err, size_t errlen);
/* 1: *item filled; 0: end of input; <0: error (err names file and place). */
int dt_input_next(struct dt_input *in, struct dtr_item *item, char *err,
		  size_t errlen);
enum dt_input_format dt_input_format(const struct dt_input *in);
const char *dt_input_format_name(enum dt_input_format format);
/* Record status (meaningful for DT_INPUT_DTR; zeroed otherwise). */
void dt_input_status(const struct dt_input *in, struct dtr_reader_status *st);
void dt_input_close(struct dt_input *in);

#endif /* DT_INPUT_H */
