/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * damon_shim.h - the only code of damotrace that touches the kernel: DAMON
 * sysfs, tracefs, perf_event_open and /proc.
 *
 * Five parts:
 *   1. Roots and probing: where DAMON sysfs, tracefs, /proc/iomem and /proc
 *      are (overridable, so tests can point the shim at a fake tree), and
 *      what they offer, without writing anything.
 *   2. One kdamond: create it (refusing when any kdamond already exists),
 *      configure one context, start, stop, read state, pid, intervals and
 *      tried regions, and remove it.  The shim writes only to a kdamond it
 *      created through this handle.
 *   3. The damon:damon_aggregated tracepoint: its format (parsed with
 *      libtraceevent, from a canonical text rebuilt from checked lines),
 *      decoding of raw samples, and the assembly of region events into one
 *      snapshot per aggregation.  Decoding is fed perf
 *      records, from a live ring buffer or from a raw capture file, so it
 *      runs without a kernel in tests and benchmarks.
 *   4. perf_event_open: the ring buffer reader for the tracepoint, and clock
 *      readings pairing CLOCK_MONOTONIC, perf_clock and CLOCK_REALTIME.
 *   5. Processes, through /proc: command lines, memory maps, children,
 *      whether a process is still alive, its memory footprint and stats,
 *      and the system's memory (meminfo).
 *
 * Conventions: functions return 0 (or a documented positive value) or a
 * negative errno and write one line naming the file and cause into the
 * caller-owned `err` (size `errlen`, which may be 0).  No global state.
 */
#ifndef DAMON_SHIM_H
#define DAMON_SHIM_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- roots */

#define DSHIM_ENV_SYSFS_ROOT "DAMOTRACE_SYSFS_ROOT"     /* instead of /sys/kernel/mm/damon */
#define DSHIM_ENV_TRACEFS_ROOT "DAMOTRACE_TRACEFS_ROOT" /* instead of the tracefs search */
#define DSHIM_ENV_IOMEM "DAMOTRACE_IOMEM"               /* instead of /proc/iomem */
#define DSHIM_SYSFS_ROOT "/sys/kernel/mm/damon"
#define DSHIM_PROC_ROOT "/proc"
#define DSHIM_PATH_LEN 512

struct dshim_roots {
	char sysfs[DSHIM_PATH_LEN];   /* the DAMON sysfs directory (holds admin/) */
	char tracefs[DSHIM_PATH_LEN]; /* tracefs mount; "" when none was found */
	char iomem[DSHIM_PATH_LEN];   /* /proc/iomem or its replacement */
	char proc[DSHIM_PATH_LEN];    /* procfs, read by part 5 */
};

/* Fill `roots`: an argument that is not NULL wins, then the environment
 * variable, then the default (tracefs: the first of /sys/kernel/tracing and
 * /sys/kernel/debug/tracing that holds an `events` directory).  `proc` is
 * always DSHIM_PROC_ROOT (it has no argument or environment variable); a
 * test points it at a fake tree by writing the field after this call. */
void dshim_roots_init(struct dshim_roots *roots, const char *sysfs,
		      const char *tracefs, const char *iomem);

/* ---------------------------------------------------------------- probe */

#define DSHIM_MAX_LISTED_KDAMONDS 8

struct dshim_kdamond_info {
	int index;
	char state[32];      /* "on", "off", or what the file said */
	long pid;            /* -1 when not running or unknown */
	char operations[32]; /* of context 0; "" when it has none */
};

struct dshim_probe {
	int sysfs_present;    /* admin/kdamonds/nr_kdamonds exists */
	int nr_kdamonds;      /* -1 when unknown */
	int nr_listed;        /* kdamonds described in `kdamonds` */
	struct dshim_kdamond_info kdamonds[DSHIM_MAX_LISTED_KDAMONDS];
	int tracefs_present;  /* the damon:damon_aggregated event directory exists */
	int event_id;         /* its id, -1 when unknown */
	char *event_format;   /* its format text (malloc'd), NULL when unknown */
};

/* Look, never write.  Returns 0 even when DAMON or tracefs is absent (see
 * the fields); <0 only on unexpected I/O errors. */
int dshim_probe(const struct dshim_roots *roots, struct dshim_probe *probe,
		char *err, size_t errlen);
void dshim_probe_free(struct dshim_probe *probe);
/* One line describing the kdamonds in use, e.g. "kdamond 0 is on (pid 71,
 * operations paddr)"; "" when none. */
void dshim_probe_describe_busy(const struct dshim_probe *probe, char *buf, size_t len);

/* ---------------------------------------------------------------- kdamond */

struct dshim_range {
	uint64_t start, end; /* [start, end) */
};

/* Top-level "System RAM" ranges of an iomem file (ends made exclusive,
 * adjacent ranges merged).  *ranges is malloc'd.  -ENODATA when there is
 * none or the addresses are hidden (not root). */
int dshim_read_system_ram(const char *iomem_path, struct dshim_range **ranges,
			  size_t *nr, char *err, size_t errlen);

struct dshim_target_config {
	long pid;                         /* vaddr, fvaddr; ignored for paddr */
	size_t nr_regions;                /* initial regions; 0: let DAMON choose (vaddr) */
	const struct dshim_range *regions;
};

struct dshim_config {
	const char *operations; /* "vaddr", "fvaddr" or "paddr" */
	uint64_t sample_us, aggr_us, update_us;
	uint64_t min_nr_regions, max_nr_regions;
	size_t nr_targets;
	const struct dshim_target_config *targets;
	int stat_scheme; /* add a DAMOS "stat" scheme matching every region */
};

/* Optional files found in the created context (dshim_damon_features). */
#define DSHIM_FEAT_TRIED_REGIONS 0x1u     /* schemes/<S>/tried_regions */
#define DSHIM_FEAT_TRIED_TOTAL_BYTES 0x2u /* tried_regions/total_bytes */
#define DSHIM_FEAT_ADDR_UNIT 0x4u         /* contexts/<C>/addr_unit */
#define DSHIM_FEAT_INTERVALS_GOAL 0x8u    /* intervals/intervals_goal */
#define DSHIM_FEAT_REFRESH_MS 0x10u       /* kdamonds/<K>/refresh_ms */

struct dshim_damon;

/* Create one kdamond with one context (nr_kdamonds 0 -> 1, nr_contexts 1).
 * Refuses with -EBUSY, writing nothing, when any kdamond exists; the
 * message names each kdamond, its state and its operations.  -ENOENT when
 * DAMON sysfs is absent. */
int dshim_damon_create(struct dshim_damon **damon, const struct dshim_roots *roots,
		       char *err, size_t errlen);
/* The context's avail_operations, e.g. "vaddr fvaddr paddr". */
const char *dshim_damon_avail_operations(const struct dshim_damon *damon);
/* 1 when `ops` is listed in avail_operations. */
int dshim_damon_has_operations(const struct dshim_damon *damon, const char *ops);
unsigned dshim_damon_features(const struct dshim_damon *damon);
/* Write operations, intervals, nr_regions, targets (and the stat scheme),
 * in the order the kernel documents.  -EINVAL when the operations are not
 * available. */
int dshim_damon_configure(struct dshim_damon *damon, const struct dshim_config *cfg,
			  char *err, size_t errlen);
/* Replace the targets of a running kdamond and "commit" them. */
int dshim_damon_commit_targets(struct dshim_damon *damon, size_t nr_targets,
			       const struct dshim_target_config *targets,
			       char *err, size_t errlen);
/* "on"; returns when the kdamond reports state on and its pid (waits up to
 * `timeout_ms` for it). */
int dshim_damon_start(struct dshim_damon *damon, unsigned timeout_ms, char *err,
		      size_t errlen);
long dshim_damon_pid(const struct dshim_damon *damon);
/* 1: on, 0: off. */
int dshim_damon_is_on(struct dshim_damon *damon, char *err, size_t errlen);
/* Current intervals; with `refresh_tuned` asks the kernel first to report
 * auto-tuned values ("update_tuned_intervals", where supported). */
int dshim_damon_read_intervals(struct dshim_damon *damon, int refresh_tuned,
			       uint64_t *sample_us, uint64_t *aggr_us,
			       uint64_t *update_us, char *err, size_t errlen);

struct dshim_region {
	uint64_t start, end;
	uint32_t nr_accesses, age;
};

struct dshim_tried_regions {
	size_t nr, cap;
	struct dshim_region *regions; /* malloc'd, reused across calls */
};

/* "update_schemes_tried_regions" and read scheme 0's tried regions (the
 * regions of the aggregation that completes next).  Needs stat_scheme. */
int dshim_damon_tried_regions(struct dshim_damon *damon, struct dshim_tried_regions *out,
			      char *err, size_t errlen);
void dshim_tried_regions_free(struct dshim_tried_regions *t);
/* "off"; returns when the kdamond reports off (waits up to `timeout_ms`). */
int dshim_damon_stop(struct dshim_damon *damon, unsigned timeout_ms, char *err,
		     size_t errlen);
/* Start a guardian process that turns the kdamond off and removes it if
 * this process dies without calling dshim_damon_destroy (e.g. SIGKILL).  It
 * keeps no descriptor but its pipe, ignores SIGINT, SIGTERM and SIGHUP, and
 * acts only while kdamond 0 is still the one this handle created (off, or
 * running the thread dshim_damon_start started, whose pid it is told).
 * Call right after dshim_damon_create, so that no moment of the setup and
 * start is unguarded; once is enough. */
int dshim_damon_guard(struct dshim_damon *damon, char *err, size_t errlen);

/* Stop if running, remove what was created (nr_kdamonds back to 0) and
 * free (releasing the guardian).  NULL is fine.  Returns the first error
 * met; frees in any case. */
int dshim_damon_destroy(struct dshim_damon *damon, char *err, size_t errlen);

/* ------------------------------------------------------- tracepoint format */

struct dshim_field {
	int offset, size; /* size 0: field absent */
};

struct dshim_event_format {
	int id; /* event id from the format text, -1 when absent */
	struct dshim_field target_id, nr_regions, start, end, nr_accesses, age;
	int min_raw_size; /* raw data must be at least this long */
};

/* Parse the tracefs format text of damon:damon_aggregated.  The text may
 * come from a capture file anyone can write, so its lines are checked first
 * (the name line, the ID line (optional), "format:" and the field lines;
 * anything else, or a damaged field line, is one error naming the line),
 * and libtraceevent parses a canonical text rebuilt from them with an empty
 * print format: the given print format is never read.  The offsets and
 * sizes are libtraceevent's.  `age` may be absent (kernels before 5.17); the
 * others are required.  On error `fmt` is left zeroed with id -1. */
int dshim_event_format_parse(const char *text, size_t len, struct dshim_event_format *fmt,
			     char *err, size_t errlen);

struct dshim_region_event {
	uint64_t time_ns;
	uint32_t pid, tid, cpu;
	uint64_t target_id; /* a target index, or a kernel pointer before 5.18 */
	uint32_t nr_regions;
	uint64_t start, end;
	uint32_t nr_accesses, age;
	int has_age;
};

/* Decode one tracepoint's raw data. -EINVAL when it is too short. */
int dshim_event_decode(const struct dshim_event_format *fmt, const void *raw, size_t len,
		       struct dshim_region_event *ev, char *err, size_t errlen);

/* ------------------------------------------------------- snapshot assembly */

struct dshim_snapshot {
	uint64_t time_ns;      /* time of the aggregation's first region event */
	uint32_t target;       /* target index */
	uint64_t target_id;    /* the id the events carried */
	int incomplete;        /* events were lost or the count does not add up */
	int has_age;
	uint32_t expected;     /* nr_regions the events announced */
	size_t nr_regions;     /* regions actually received */
	const struct dshim_region *regions;
};

typedef int (*dshim_snapshot_fn)(void *arg, const struct dshim_snapshot *snap,
				 char *err, size_t errlen);

struct dshim_assembler;

/* A snapshot ends when it has the announced nr_regions, or when the next
 * event is of another target, announces another count, or steps back in
 * address; after a loss also when the next event comes more than `gap_ns`
 * later (use about half the aggregation interval; 0: 1 ms).  `nr_targets` maps small target ids to indices; other ids
 * (kernel pointers) get indices in order of appearance. */
int dshim_assembler_new(struct dshim_assembler **a, uint32_t nr_targets, uint64_t gap_ns,
			dshim_snapshot_fn fn, void *arg);
void dshim_assembler_set_gap(struct dshim_assembler *a, uint64_t gap_ns);
int dshim_assembler_add(struct dshim_assembler *a, const struct dshim_region_event *ev,
			char *err, size_t errlen);
/* Events were lost at `time_ns`: the snapshot being assembled, or if none,
 * the next one, is marked incomplete. */
void dshim_assembler_lost(struct dshim_assembler *a, uint64_t nr_lost);
/* Emit what is pending (marked incomplete if its count is short). */
int dshim_assembler_flush(struct dshim_assembler *a, char *err, size_t errlen);
uint64_t dshim_assembler_lost_events(const struct dshim_assembler *a);
void dshim_assembler_free(struct dshim_assembler *a);

/* ------------------------------------------------------- perf record stream */

/* The sample layout the tracer asks for. */
#define DSHIM_SAMPLE_TYPE_DEFAULT 0 /* means TID | TIME | CPU | RAW */

struct dshim_stream_stats {
	uint64_t records, samples, lost_records, lost_events, bad_samples;
};

struct dshim_stream;

/* Decode perf records (struct perf_event_header first) of the tracepoint
 * event into region events fed to `asm_`.  `sample_type` is the event's
 * attr.sample_type (0: the tracer's default). */
int dshim_stream_new(struct dshim_stream **s, const struct dshim_event_format *fmt,
		     uint64_t sample_type, struct dshim_assembler *asm_);
int dshim_stream_feed(struct dshim_stream *s, const void *record, size_t len,
		      char *err, size_t errlen);
void dshim_stream_get_stats(const struct dshim_stream *s, struct dshim_stream_stats *st);
void dshim_stream_free(struct dshim_stream *s);

/* Raw capture files (a debugging and benchmarking aid): a text header
 * ("DAMOTRACE-RAW 1", the sample type, the event format text) followed by
 * the perf records exactly as read from the ring buffer. */
struct dshim_capture;
int dshim_capture_create(struct dshim_capture **c, const char *path, uint64_t sample_type,
			 const char *format_text, char *err, size_t errlen);
int dshim_capture_put(struct dshim_capture *c, const void *record, size_t len,
		      char *err, size_t errlen);
/* The capture's descriptor (created O_EXCL|O_NOFOLLOW, mode 0600), e.g. to
 * give the file to another user. */
int dshim_capture_fd(const struct dshim_capture *c);
int dshim_capture_close(struct dshim_capture *c, char *err, size_t errlen);

/* Reading a capture: the header, then one record per call. */
struct dshim_capture_reader;
int dshim_capture_open(struct dshim_capture_reader **r, const char *path,
		       char *err, size_t errlen);
uint64_t dshim_capture_sample_type(const struct dshim_capture_reader *r);
const char *dshim_capture_format_text(const struct dshim_capture_reader *r);
/* 1: record and len set (valid until the next call); 0: end; <0: damage. */
int dshim_capture_next(struct dshim_capture_reader *r, const void **record, size_t *len,
		       char *err, size_t errlen);
void dshim_capture_close_reader(struct dshim_capture_reader *r);

/* ------------------------------------------------------- perf_event_open */

struct dshim_tracer;

/* Open damon:damon_aggregated (`event_id`) on task `pid` (cpu -1), sample
 * time on CLOCK_MONOTONIC, with a ring buffer of 2^`pages_order` pages. */
int dshim_tracer_open(struct dshim_tracer **t, int event_id, pid_t pid,
		      unsigned pages_order, char *err, size_t errlen);
/* Open any perf event described by the caller's attributes (a
 * struct perf_event_attr *), for tests of the ring buffer reader. */
int dshim_tracer_open_attr(struct dshim_tracer **t, const void *attr, pid_t pid, int cpu,
			   unsigned pages_order, char *err, size_t errlen);
int dshim_tracer_fd(const struct dshim_tracer *t);
uint64_t dshim_tracer_sample_type(const struct dshim_tracer *t);
typedef int (*dshim_record_fn)(void *arg, const void *record, size_t len,
			       char *err, size_t errlen);
/* Hand every record now in the ring buffer to `fn`; returns how many, or
 * the first error `fn` returned. */
int dshim_tracer_drain(struct dshim_tracer *t, dshim_record_fn fn, void *arg,
		       char *err, size_t errlen);
void dshim_tracer_close(struct dshim_tracer *t);

#define DSHIM_CLOCK_HAS_MONOTONIC 0x1u
#define DSHIM_CLOCK_HAS_PERF 0x2u
#define DSHIM_CLOCK_HAS_REALTIME 0x4u

struct dshim_clock_reading {
	unsigned has; /* DSHIM_CLOCK_HAS_* */
	uint64_t monotonic_ns, perf_ns, realtime_ns;
};

/* One reading of the three clocks at (nearly) one instant: the kernel stamps
 * one event (an mmap of this process) for three perf events, one without
 * use_clockid (perf_clock), one with CLOCK_MONOTONIC and one with
 * CLOCK_REALTIME.  Without perf events, monotonic and realtime come from
 * clock_gettime and `has` says so. */
int dshim_read_clocks(struct dshim_clock_reading *r, char *err, size_t errlen);

/* ------------------------------------------------------- processes (/proc) */

/* Each reads below roots->proc (DSHIM_PROC_ROOT unless a test changed it);
 * `roots` must have been filled by dshim_roots_init. */

/* The command line of process `pid` (PROC/PID/cmdline) into `buf` (size
 * `len` >= 1): its arguments joined by one space, trailing spaces removed,
 * NUL-terminated.  One read of at most len - 1 bytes: a longer command line
 * is cut.  buf is "" when the file cannot be read (a negative errno) or is
 * empty (0). */
int dshim_read_cmdline(const struct dshim_roots *roots, long pid, char *buf, size_t len,
		       char *err, size_t errlen);

/* The whole text of PROC/PID/maps: *text is malloc'd (the caller frees
 * it), NUL-terminated, its length in *len; it is as long as the process's
 * maps.  A negative errno (nothing allocated) when it cannot be read, e.g.
 * the process is gone. */
int dshim_read_maps(const struct dshim_roots *roots, long pid, char **text, size_t *len,
		    char *err, size_t errlen);

/* The children of the main thread of process `pid`
 * (PROC/PID/task/PID/children): *pids is malloc'd (the caller frees it; NULL
 * when *nr is 0) and holds the numbers in the order the file lists them, *nr
 * of them, at most len / 2 + 1 for a file of len bytes.  A negative errno
 * (nothing allocated) when the file cannot be read. */
int dshim_read_children(const struct dshim_roots *roots, long pid, long **pids, size_t *nr,
			char *err, size_t errlen);

/* 1 when process `pid` is gone: PROC/PID/stat cannot be read, or its state
 * is zombie (Z) or dead (X); 0 while it lives.  Never an error. */
int dshim_process_gone(const struct dshim_roots *roots, long pid);

/* 0 when `pid` is above 0, PROC/PID exists and the process is not gone;
 * otherwise -ESRCH and the message "no process with pid PID". */
int dshim_check_process(const struct dshim_roots *roots, long pid, char *err, size_t errlen);

/* Parts of a dshim_footprint that were read (the fields of the others are 0). */
#define DSHIM_FP_STATM 0x1u /* size .. data */
#define DSHIM_FP_SWAP 0x2u  /* swap */
#define DSHIM_FP_STAT 0x4u  /* utime_ns .. threads */

/* A process's memory footprint and stats (proc(5)). */
struct dshim_footprint {
	unsigned has;                  /* DSHIM_FP_* */
	/* PROC/PID/statm fields 1, 2, 3, 4 and 6 (pages) times the page size */
	uint64_t size, resident, shared, text, data;
	uint64_t swap;                 /* VmSwap of PROC/PID/status (kB) times 1024 */
	/* PROC/PID/stat fields 14 and 15 (clock ticks) in ns; fields 10, 12, 20 */
	uint64_t utime_ns, stime_ns, minflt, majflt, threads;
};

/* Read PROC/PID/statm, PROC/PID/status and PROC/PID/stat into *fp (zeroed
 * first).  0 when at least one of them was read and understood (fp->has
 * says which; a statm of zeros, as a zombie's, counts as not read); otherwise a negative errno (-ESRCH: the process is gone, or
 * none of them holds what it should) and a message naming the file. */
int dshim_read_footprint(const struct dshim_roots *roots, long pid, struct dshim_footprint *fp,
			 char *err, size_t errlen);

/* The system's memory, from PROC/meminfo, in bytes (the kB values times
 * 1024); a line that is missing leaves its field 0 (MemAvailable appeared
 * in Linux 3.14). */
struct dshim_meminfo {
	uint64_t total, free, available, buffers, cached;
};

/* 0 when PROC/meminfo was read and holds MemTotal; otherwise a negative
 * errno (-EINVAL without MemTotal) and a message naming the file. */
int dshim_read_meminfo(const struct dshim_roots *roots, struct dshim_meminfo *m, char *err,
		       size_t errlen);

#ifdef __cplusplus
}
#endif
#endif /* DAMON_SHIM_H */
