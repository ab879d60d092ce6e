/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * perf_script.h - streaming reader of `perf script` text with callstacks.
 *
 * Reads what `perf script` prints for sampled events (cpu-clock, cycles,
 * tracepoints, ...) in its default form and in the usual `-F` forms, one
 * sample at a time, in memory bounded by the longest line and the number of
 * distinct frames and threads (never by the size of the input).  Frames are
 * interned: (symbol, dso, srcline) -> id, ids 0, 1, 2, ... in order of first
 * appearance, so a consumer can emit a DTR_ITEM_FRAME for every id it has
 * not yet seen before the DTR_ITEM_STACK that uses it (see
 * dt_perf_script_frame()).  Threads are interned too: pid/tid -> comm.
 *
 * What is accepted (one sample = a header line, then zero or more frame
 * lines, then a blank line or the next header):
 *   header  `COMM PID/TID [CPU] SECS.FRAC: PERIOD EVENT: [PAYLOAD | FRAME]`
 *           where COMM may hold spaces (and is right-aligned by perf, so may
 *           start with spaces), PID/TID may be TID alone, [CPU], the time
 *           (microsecond or nanosecond precision), PERIOD and EVENT may each
 *           be missing (`perf script -F`); EVENT may carry modifiers
 *           (`cycles:u:`) or be a tracepoint (`sched:sched_switch:`) with its
 *           payload after it.  Without -g, or with -G, the sample's only frame
 *           is on the header line.
 *   frame   `<TAB> ADDR SYMBOL[+0xOFF] [(DSO)]`, indented by a tab as perf
 *           prints it, or by spaces or not at all (text that went through
 *           an editor or mail: then a line whose first word is no address,
 *           or that reads as a sample header, is no frame); SYMBOL may be `[unknown]`
 *           and hold spaces, parentheses, brackets and templates; DSO is the
 *           last parenthesised group preceded by a space and may hold spaces
 *           or end in ` (deleted)`; `(inlined)` means no dso.  The +0xOFF is
 *           dropped so that samples in one function share one frame.
 *   srcline a line after a frame that is neither a frame nor a header
 *           (`  file.c:12`, `  [kernel.kallsyms][ffffffff8100]`): the
 *           source line of that frame (perf script -F +srcline).
 *   `#` lines: perf's header (`perf script --header`); `# clockid: NAME`
 *           tells the clock of the sample times (see dt_perf_script_clock).
 * Side-band records perf prints with --show-*-events (`PERF_RECORD_*`
 * events) and frame lines outside any sample are skipped and counted
 * (dt_perf_script_stats).  Any other line that is neither a header, a frame
 * nor a srcline is an error naming the file and the line number: such input
 * is not perf script output, and guessing would misattribute samples.
 */
#ifndef DT_PERF_SCRIPT_H
#define DT_PERF_SCRIPT_H

#include <stddef.h>
#include <stdint.h>

#include "dtr.h"

struct dt_perf_script;

struct dt_perf_script_opts {
	size_t buffer_bytes;   /* read buffer; 0: 1 MiB (grows for longer lines) */
	size_t max_line_bytes; /* longest line accepted; 0: 16 MiB */
	uint32_t max_frames;   /* frames kept per sample (leaf side); 0: 4096 */
	/* Frames without a symbol keep their address: the symbol is
	 * `[unknown <ADDR>]` (ADDR as printed) instead of `[unknown]`, so one
	 * frame per address (stackcollapse-perf.pl --addrs). */
	int unknown_addrs;
};

/* One sample.  Pointers stay valid until the next call on the reader. */
struct dt_perf_sample {
	uint64_t line;        /* line number of the sample's header (1-based) */
	int has_time;
	uint64_t time_ns;     /* as printed, on the clock of the recording */
	int32_t pid, tid;     /* -1 when not printed */
	uint32_t cpu;         /* UINT32_MAX when not printed */
	int has_period;
	uint64_t period;      /* 0 when not printed */
	const char *event;    /* "cpu-clock", "cycles:u", ""; no trailing ':' */
	const char *comm;     /* this sample's own comm; "" when not printed */
	uint32_t thread_id;   /* interned thread (see dt_perf_script_thread) */
	int thread_new;       /* first sample of this pid/tid, or its comm changed */
	uint32_t nr_frames;
	const uint32_t *frames; /* frame ids, leaf (innermost) first */
	uint32_t nr_frames_dropped; /* outermost frames beyond max_frames */
};

struct dt_perf_script_stats {
	uint64_t lines;
	uint64_t bytes;
	uint64_t samples;
	uint64_t frames;         /* distinct frames interned */
	uint64_t threads;        /* distinct pid/tid seen */
	uint64_t skipped_lines;  /* side-band records and stray frame lines */
	uint64_t first_skipped_line; /* line number of the first one, 0: none */
	uint64_t samples_cut;    /* samples deeper than max_frames ... */
	uint64_t frames_cut;     /* ... and the root-side frames they lost */
};

/* Open a file; "-" is standard input. */
int dt_perf_script_open(struct dt_perf_script **ps, const char *path,
			const struct dt_perf_script_opts *opts, char *err,
			size_t errlen);
/* Read from a descriptor (not closed by the reader); `prefix` holds bytes
 * already consumed from it; `name` is for messages. */
int dt_perf_script_open_fd(struct dt_perf_script **ps, int fd, const char *name,
			   const void *prefix, size_t prefix_len,
			   const struct dt_perf_script_opts *opts, char *err,
			   size_t errlen);
/* Parse a text held in memory (not copied; must outlive the reader). */
int dt_perf_script_open_mem(struct dt_perf_script **ps, const void *text,
			    size_t len, const char *name,
			    const struct dt_perf_script_opts *opts, char *err,
			    size_t errlen);

/* 1: *s filled; 0: end of input; <0: error (err names file and line). */
int dt_perf_script_next(struct dt_perf_script *ps, struct dt_perf_sample *s,
			char *err, size_t errlen);

/* Number of frames interned so far; ids are 0 .. n-1. */
uint32_t dt_perf_script_nr_frames(const struct dt_perf_script *ps);
/* Frame `id` as a DTR frame (strings owned by the reader, valid until close).
 * Returns 0 or -ENOENT. */
int dt_perf_script_frame(const struct dt_perf_script *ps, uint32_t id,
			 struct dtr_frame *frame);

uint32_t dt_perf_script_nr_threads(const struct dt_perf_script *ps);
/* Thread `id` (pid, tid and its latest comm). 0 or -ENOENT. */
int dt_perf_script_thread(const struct dt_perf_script *ps, uint32_t id,
			  struct dtr_thread *thread);

/* The clock of the sample times as stated by `# clockid:` header lines:
 * DTR_CLOCK_MONOTONIC (perf record -k mono), DTR_CLOCK_REALTIME, ...;
 * DTR_CLOCK_UNKNOWN when the text does not say (no --header): then the
 * times are perf_clock unless perf was told otherwise. */
enum dtr_clock dt_perf_script_clock(const struct dt_perf_script *ps);

void dt_perf_script_stats(const struct dt_perf_script *ps,
			  struct dt_perf_script_stats *st);
/* When samples were deeper than max_frames: a warning into buf naming how
 * many samples lost how many root frames, and 1; else 0. */
int dt_perf_script_cut_note(const struct dt_perf_script *ps, char *buf, size_t len);
/* For a reader at its end that gave no callstack samples (samples of
 * damon: events are not callstacks): the message naming the text and what
 * it held instead, and -ENODATA.  Perf script text given explicitly must
 * hold callstacks: its samples would replace or join the record's. */
int dt_perf_script_no_samples(const struct dt_perf_script *ps, char *err, size_t errlen);
void dt_perf_script_close(struct dt_perf_script *ps);

/* Emit, through `put`, the record items sample `s` needs: a FRAME item for
 * every frame id not emitted yet (ids in order; *emitted counts those
 * already emitted, start it at 0), a THREAD item when the sample's thread
 * is new or renamed, then its STACK item with `time_offset_ns` added to the
 * time (samples without a time get `fallback_time_ns`).  `put` has the shape
 * of dtr_writer_put with the writer as `ctx`.  Returns 0 or what put
 * returned. */
typedef int (*dt_perf_script_put_fn)(void *ctx, const struct dtr_item *item, char *err,
				     size_t errlen);
int dt_perf_script_emit(const struct dt_perf_script *ps, const struct dt_perf_sample *s,
			int64_t time_offset_ns, uint64_t fallback_time_ns, uint32_t *emitted,
			dt_perf_script_put_fn put, void *ctx, char *err, size_t errlen);

/* Choosing the samples of one event, as stackcollapse-perf.pl and
 * speedscope's importer do: mixing the samples of two events (cycles and
 * instructions, cpu-clock and task-clock) adds quantities that are not
 * alike.  The event is the one named, or else the first one seen; samples
 * whose header names no event are always taken. */
struct dt_perf_event_choice {
	char *event;          /* chosen; NULL until the first sample with one */
	int named;            /* given by name rather than the first seen */
	uint64_t taken, left; /* samples taken and left out */
	char *others;         /* names of the events left out, ", " between */
	size_t cap_others;    /* bytes allocated at others */
	uint32_t nr_others;
};
/* `event`: the one to take; NULL: the first one seen.  0 or -ENOMEM. */
int dt_perf_event_choice_init(struct dt_perf_event_choice *c, const char *event);
/* 1: take a sample of `event`; 0: leave it out; -ENOMEM. */
int dt_perf_event_choice_take(struct dt_perf_event_choice *c, const char *event);
/* The one-line notice naming the events left out by the default choice,
 * for `name` (the text's name): 1 with buf filled, 0 when nothing was left
 * out or the event was named. */
int dt_perf_event_choice_notice(const struct dt_perf_event_choice *c, const char *name,
				char *buf, size_t len);
void dt_perf_event_choice_free(struct dt_perf_event_choice *c);

/* True (1) when the first bytes of a text look like perf script output with
 * samples (a header line with a pid/tid and a time or event). */
int dt_perf_script_probe(const void *buf, size_t len);

#endif /* DT_PERF_SCRIPT_H */
