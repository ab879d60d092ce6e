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
	const char *name;      /* for messages instead of the path (a spooled
				* input's own name, see dt_input_spool); NULL: path */
	int time_order;        /* damo json (written target by target): every
				* other item first, then the snapshots by end
				* time, through one spool file (time_order.h) */
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

/* ------------------------------------------------------------ read once
 *
 * What is not a regular file (standard input "-", a pipe, a FIFO, /dev/fd/N,
 * a process substitution, a socket) can be read once only.  A command that
 * reads an input more than once (several passes, or a look at its first
 * bytes before choosing how to read it) hands it to dt_input_spool() first
 * and opens `path` as often as it likes: the input is then copied, once,
 * into an unlinked temporary file in $TMPDIR (tempfile.h) that `path` names
 * for this process and its children (/proc/PID/fd/N).  A regular file is
 * left as it is: `path` is its own name.  Standard input that is a regular
 * file at offset 0 is named through /proc too, without a copy.
 * Memory: none but the struct; disk: the size of a streamed input. */
struct dt_input_spool {
	const char *path;  /* what to open: the input's own path, or the spool's */
	const char *name;  /* for messages: the input as named ("stdin" for "-") */
	int fd;            /* the spool (or stdin); -1 for a regular file */
	char proc_path[48];
};

/* 1 when `path` ("-" included) can only be read once, else 0. */
int dt_input_is_stream(const char *path);
/* 0, or a negative errno with a message naming the input (and the
 * temporary folder when that is what failed). */
int dt_input_spool(struct dt_input_spool *s, const char *path, char *err, size_t errlen);
/* A message naming the spool's path is made to name the input instead
 * (for readers that name what they opened); its first mention only. */
void dt_input_spool_rename(const struct dt_input_spool *s, char *err, size_t errlen);
/* Closes the spool (its space goes); safe on a zeroed struct with fd -1. */
void dt_input_spool_release(struct dt_input_spool *s);

#endif /* DT_INPUT_H */
