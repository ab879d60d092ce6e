/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * recorder.h - the recording logic behind damo-record: drive one kdamond
 * through kernel-shim, turn its aggregations into snapshots, and write them,
 * with the target's memory maps, intervals and clock readings, into a .dtr
 * record (format/dtr.h).
 *
 * The main parses the command line into `struct rec_options`, installs the
 * signal handlers (the flag lives in the main) and draws progress from the
 * callback; everything else happens here.  Functions return 0 or a negative
 * errno and write one line into `err`.
 */
#ifndef DT_RECORDER_H
#define DT_RECORDER_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

enum rec_target_kind {
	REC_TARGET_PID = 1,     /* an existing process */
	REC_TARGET_COMMAND = 2, /* a command started by the recorder */
	REC_TARGET_PADDR = 3,   /* the physical address space */
};

enum rec_source {
	REC_SOURCE_TRACEPOINT = 0,    /* every aggregation, from damon:damon_aggregated */
	REC_SOURCE_TRIED_REGIONS = 1, /* sampled aggregations, from a DAMOS stat scheme */
};

enum rec_stop {
	REC_STOP_NONE = 0,
	REC_STOP_TARGET_EXITED,
	REC_STOP_TIMEOUT,
	REC_STOP_SIGNAL,
	REC_STOP_DAMON_OFF, /* the kdamond turned itself off */
	REC_STOP_END_OF_INPUT, /* replay: the capture ended */
};

struct rec_range {
	uint64_t start, end;
};

/* Defaults are damo's. */
#define REC_DEFAULT_SAMPLE_US 5000
#define REC_DEFAULT_AGGR_US 100000
#define REC_DEFAULT_UPDATE_US 1000000
#define REC_DEFAULT_MIN_NR_REGIONS 10
#define REC_DEFAULT_MAX_NR_REGIONS 1000

struct rec_stats {
	uint64_t elapsed_ns;
	uint64_t snapshots, regions, incomplete, lost_events;
	uint64_t wss_bytes; /* of the latest snapshot: regions with accesses */
	uint64_t maps_records;
	uint64_t footprints;  /* FOOTPRINT items written */
	enum rec_stop stop;
	int signal;         /* with REC_STOP_SIGNAL */
	int target_status;  /* wait status of a started command, -1 if none */
	/* -g: callstack samples stored; when perf failed, callstacks_failed is
	 * set and callstacks_error says why (the DAMON part is still complete). */
	uint64_t stack_samples;
	int callstacks_failed;
	char callstacks_error[400];
};

typedef void (*rec_progress_fn)(void *arg, const struct rec_stats *st);

struct rec_options {
	enum rec_target_kind kind;
	long pid;                /* REC_TARGET_PID */
	char *const *argv;       /* REC_TARGET_COMMAND, NULL-terminated */
	const char *out;         /* NULL: damon.dtr */
	const char *ops;         /* NULL: vaddr for processes, paddr for paddr */
	uint64_t sample_us, aggr_us, update_us;       /* 0: defaults */
	uint64_t min_nr_regions, max_nr_regions;      /* 0: defaults */
	size_t nr_regions;       /* -r: initial/monitored ranges */
	const struct rec_range *regions;
	int include_child_tasks;
	uint64_t timeout_ns;     /* 0: none */
	enum rec_source source;
	const char *dump_raw;    /* also write the raw event stream here */
	unsigned mmap_pages;     /* perf ring buffer pages, a power of 2; 0: 512 */
	int as_root;             /* under sudo, keep the command as root */
	const char *command_line; /* for META */
	/* Callstacks in the same run (-g): perf record -g -k mono -e cpu-clock
	 * on the target, its samples stored as FRAME/THREAD/STACK items. */
	int call_graph;
	const char *call_graph_mode; /* perf's --call-graph (fp, dwarf, lbr); NULL: -g */
	const char *perf;            /* the perf binary; NULL: perf on PATH */
	const char *keep_perf_data;  /* keep perf's data under this name; NULL: remove */
	volatile sig_atomic_t *stop_signal; /* set to a signal number by the main */
	rec_progress_fn progress;
	void *progress_arg;
};

/* Record.  0 after a clean stop (st->stop says why; with -g, also when perf
 * failed: st->callstacks_failed); -ENOENT before anything starts when -g
 * finds no perf; -EBUSY when DAMON is
 * in use (nothing written to it); other negative errno on failure, after
 * stopping DAMON and keeping what was recorded readable. */
int rec_run(const struct rec_options *o, struct rec_stats *st, char *err, size_t errlen);

/* Decode a raw capture (damo-record --dump-raw) into a record at o->out,
 * without DAMON: the intervals of `o` stand for the recording's. */
int rec_replay_raw(const char *capture, const struct rec_options *o, struct rec_stats *st,
		   char *err, size_t errlen);

/* "START-END[,START-END...]" (numbers as dt_parse_size reads them). */
int rec_parse_ranges(const char *text, struct rec_range **ranges, size_t *nr, char *err,
		     size_t errlen);
/* Split a command line like a POSIX shell's words (quotes, backslashes; no
 * expansions).  *argv is NULL-terminated; free with rec_free_argv. */
int rec_split_command(const char *line, char ***argv, char *err, size_t errlen);
void rec_free_argv(char **argv);
const char *rec_stop_name(enum rec_stop stop);

#endif /* DT_RECORDER_H */
