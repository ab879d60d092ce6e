/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dtr.h - the damotrace record format (.dtr): streaming reader and writer.
 *
 * A record is a fixed header followed by checksummed, zstd-compressed chunks
 * (docs/FORMAT.md is the byte-level specification).  This library exposes a
 * record as a sequence of items: metadata, monitoring setup, intervals,
 * clocks, DAMON snapshots, callstack frames and samples, thread names,
 * process memory maps, and the end marker.  The same item model is what
 * convert/'s input layer yields for every other supported input format, so
 * every consumer is written once against `struct dtr_item`.
 *
 * Conventions:
 *   - Functions return 0 (or a documented positive value) on success and a
 *     negative errno on failure; on failure they write one line, naming the
 *     file and, where it applies, the byte offset, into the caller-owned
 *     buffer `err` of size `errlen` (which may be 0).
 *   - Pointers inside an item returned by the reader stay valid until the
 *     next call on that reader.  Items passed to the writer are copied.
 *   - All times are nanoseconds on the record's clock (see dtr_clocks).
 */
#ifndef DTR_H
#define DTR_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define DTR_VERSION_MAJOR 1
#define DTR_VERSION_MINOR 1
#define DTR_DEFAULT_PATH "damon.dtr"
#define DTR_FILE_SUFFIX ".dtr"

/* DAMON monitoring operations set of a context. */
enum dtr_ops {
	DTR_OPS_UNKNOWN = 0,
	DTR_OPS_VADDR = 1,
	DTR_OPS_FVADDR = 2,
	DTR_OPS_PADDR = 3,
};

/* Unit of a region's nr_accesses or age; ABSENT when not recorded. */
enum dtr_unit {
	DTR_UNIT_ABSENT = 0,
	DTR_UNIT_SAMPLES = 1,      /* sampling intervals seen accessed (DAMON nr_accesses) */
	DTR_UNIT_AGGREGATIONS = 2, /* aggregation intervals (DAMON age) */
};

/* Clocks the times of a record, or a clock reading, can be on. */
enum dtr_clock {
	DTR_CLOCK_UNKNOWN = 0,
	DTR_CLOCK_MONOTONIC = 1, /* CLOCK_MONOTONIC, the default */
	DTR_CLOCK_PERF = 2,      /* perf_clock (perf's default sample clock) */
	DTR_CLOCK_REALTIME = 3,  /* CLOCK_REALTIME */
	DTR_CLOCK_BOOTTIME = 4,  /* CLOCK_BOOTTIME */
};

enum dtr_item_type {
	DTR_ITEM_META = 1,      /* key/value strings about the record */
	DTR_ITEM_CONTEXT = 2,   /* monitoring setup of one kdamond context */
	DTR_ITEM_INTERVALS = 3, /* intervals in force from a time on */
	DTR_ITEM_CLOCKS = 4,    /* the record's clock and one set of readings */
	DTR_ITEM_SNAPSHOT = 5,  /* one DAMON aggregation of one target */
	DTR_ITEM_FRAME = 6,     /* one interned callstack frame */
	DTR_ITEM_STACK = 7,     /* one callstack sample */
	DTR_ITEM_THREAD = 8,    /* name of a thread */
	DTR_ITEM_MAPS = 9,      /* a process's memory maps at a time */
	DTR_ITEM_END = 10,      /* end marker with totals (clean close only) */
	DTR_ITEM_FOOTPRINT = 11, /* memory footprint and stats of a process (1.1) */
};

/* Well-known META keys; any other key may be used freely. */
#define DTR_META_TOOL_VERSION "tool_version"
#define DTR_META_KERNEL_RELEASE "kernel_release"
#define DTR_META_HOSTNAME "hostname"
#define DTR_META_COMMAND_LINE "command_line"
#define DTR_META_SOURCE "source" /* e.g. "tracepoint", "tried-regions", "damo-json" */

struct dtr_kv {
	const char *key;
	const char *value;
};

struct dtr_meta {
	size_t nr;
	const struct dtr_kv *kvs;
};

struct dtr_target {
	uint32_t index;      /* target index inside its context (DAMON sysfs order) */
	uint64_t id;         /* the id as given; may be a kernel pointer (old tracepoints) */
	int64_t pid;         /* -1 when the target is not a process (paddr) or unknown */
	const char *cmdline; /* "" when unknown */
};

struct dtr_context {
	uint32_t kdamond;    /* kdamond index */
	uint32_t context;    /* context index inside the kdamond */
	enum dtr_ops ops;
	uint64_t min_nr_regions; /* 0 when unknown */
	uint64_t max_nr_regions; /* 0 when unknown */
	size_t nr_targets;
	const struct dtr_target *targets;
};

struct dtr_intervals {
	uint32_t kdamond, context;
	uint64_t time_ns;   /* in force from this time on */
	uint64_t sample_us; /* 0 when unknown */
	uint64_t aggr_us;   /* 0 when unknown */
	uint64_t update_us; /* 0 when unknown */
};

/* Which clocks a dtr_clocks reading holds. */
#define DTR_HAS_MONOTONIC 0x1u
#define DTR_HAS_PERF 0x2u
#define DTR_HAS_REALTIME 0x4u

struct dtr_clocks {
	enum dtr_clock clock; /* the clock every time in the record is on */
	const char *label;    /* "start", "end", or free text */
	uint32_t has;         /* DTR_HAS_* bits of the readings below */
	uint64_t monotonic_ns;
	uint64_t perf_ns;
	uint64_t realtime_ns;
};

struct dtr_region {
	uint64_t start;       /* inclusive */
	uint64_t end;         /* exclusive */
	uint32_t nr_accesses; /* meaningful when the snapshot's access_unit is not ABSENT */
	uint32_t age;         /* meaningful when the snapshot's age_unit is not ABSENT */
};

/* Snapshot flags */
#define DTR_SNAPSHOT_INCOMPLETE 0x1u     /* events were lost: regions are missing */
#define DTR_SNAPSHOT_START_ESTIMATED 0x2u /* start_ns was extrapolated (imported) */

struct dtr_snapshot {
	uint64_t start_ns; /* start of the aggregation interval */
	uint64_t end_ns;   /* end of the aggregation interval */
	uint32_t kdamond, context;
	uint32_t target;   /* target index inside the context */
	uint32_t flags;    /* DTR_SNAPSHOT_* */
	enum dtr_unit access_unit;
	enum dtr_unit age_unit;
	uint64_t nr_regions;
	const struct dtr_region *regions; /* sorted by start, non-overlapping */
};

struct dtr_frame {
	uint32_t id;         /* ids are 0, 1, 2, ... in order of appearance */
	const char *symbol;  /* "[unknown]" when unknown */
	const char *dso;     /* "" when none (e.g. inlined frames) */
	const char *srcline; /* "file:line", or "" when none */
};

struct dtr_stack {
	uint64_t time_ns;
	int32_t pid, tid;  /* -1 when unknown */
	uint32_t cpu;      /* UINT32_MAX when unknown */
	uint64_t weight;   /* sample period (ns for cpu-clock); 0 when unknown */
	uint32_t nr_frames;
	const uint32_t *frames; /* frame ids, leaf (innermost) first */
};

struct dtr_thread {
	int32_t pid, tid;
	const char *comm;
};

struct dtr_map_entry {
	uint64_t start, end, offset;
	char perms[5];     /* "rw-p" and a NUL */
	const char *path;  /* "" for anonymous, "[heap]", "[stack]", a file path */
};

struct dtr_maps {
	uint64_t time_ns;
	int32_t pid;
	size_t nr;
	const struct dtr_map_entry *entries;
};

/* Which parts of a dtr_footprint hold readings; the fields of a part
 * that is absent are 0. */
#define DTR_FOOTPRINT_STATM 0x1u   /* size .. data, from /proc/PID/statm */
#define DTR_FOOTPRINT_SWAP 0x2u    /* swap, from VmSwap of /proc/PID/status */
#define DTR_FOOTPRINT_STAT 0x4u    /* utime_ns .. threads, from /proc/PID/stat */
#define DTR_FOOTPRINT_MEMINFO 0x8u /* mem_*, from /proc/meminfo (the system) */

/* The memory footprint of one monitoring target's process, and of the
 * system, at one time (format 1.1).  Sizes in bytes. */
struct dtr_footprint {
	uint64_t time_ns;            /* when it was read */
	uint32_t kdamond, context;
	uint32_t target;             /* target index inside the context */
	int32_t pid;                 /* -1: no process (paddr): system fields only */
	uint32_t has;                /* DTR_FOOTPRINT_* */
	uint64_t size, resident, shared, text, data; /* statm (VmSize, VmRSS, ...) */
	uint64_t swap;               /* VmSwap */
	uint64_t utime_ns, stime_ns; /* CPU time in user and kernel mode */
	uint64_t minflt, majflt;     /* page faults: minor and major */
	uint64_t threads;            /* num_threads */
	uint64_t mem_total, mem_free, mem_available, mem_buffers, mem_cached;
};

struct dtr_end {
	uint64_t nr_snapshots;
	uint64_t nr_regions;
	uint64_t nr_stacks;
};

struct dtr_item {
	enum dtr_item_type type;
	union {
		struct dtr_meta meta;
		struct dtr_context context;
		struct dtr_intervals intervals;
		struct dtr_clocks clocks;
		struct dtr_snapshot snapshot;
		struct dtr_frame frame;
		struct dtr_stack stack;
		struct dtr_thread thread;
		struct dtr_maps maps;
		struct dtr_end end;
		struct dtr_footprint footprint;
		/* Room for item types of later minor versions: the size of
		 * struct dtr_item is part of libdtr.so's ABI (docs/FORMAT.md,
		 * "The library"), so it does not grow with them. */
		uint64_t reserved[40];
	} u;
};

const char *dtr_ops_name(enum dtr_ops ops);        /* "vaddr", "paddr", ... */
int dtr_ops_parse(const char *name, enum dtr_ops *ops); /* 0 or -EINVAL */
const char *dtr_clock_name(enum dtr_clock clock);  /* "monotonic", ... */
const char *dtr_unit_name(enum dtr_unit unit);     /* "samples", ... */
const char *dtr_item_type_name(enum dtr_item_type type); /* "snapshot", ... */

/* True (1) when the first bytes of a file look like a damotrace record. */
int dtr_probe(const void *buf, size_t len);

/* ------------------------------------------------------------------ writer */

struct dtr_writer;

struct dtr_writer_opts {
	int zstd_level;           /* 0: library default (3) */
	size_t chunk_bytes;       /* flush a chunk at this many raw bytes; 0: 1 MiB */
	unsigned flush_ms;        /* flush pending data at least this often; 0: 1000
				   * (checked when an item is put: an idle caller
				   * calls dtr_writer_flush itself) */
	int no_fsync;             /* skip the fsync on close (tests, pipes) */
	int exclusive;            /* create with O_EXCL|O_NOFOLLOW (recorder as root) */
	unsigned mode;            /* file mode at creation; 0: 0644 */
};

/* Create (truncate) `path` and write the header. */
int dtr_writer_open(struct dtr_writer **w, const char *path,
		    const struct dtr_writer_opts *opts, char *err, size_t errlen);
/* Write to an already open descriptor (e.g. stdout); `name` is for messages.
 * The descriptor stays open after dtr_writer_close/abort: it is the caller's. */
int dtr_writer_open_fd(struct dtr_writer **w, int fd, const char *name,
		       const struct dtr_writer_opts *opts, char *err, size_t errlen);
/* Append one item.  FRAME items must come with ids 0, 1, 2, ... in order. */
int dtr_writer_put(struct dtr_writer *w, const struct dtr_item *item,
		   char *err, size_t errlen);
/* Intern a frame: returns its id in *id, emitting a FRAME item the first time. */
int dtr_writer_intern_frame(struct dtr_writer *w, const char *symbol,
			    const char *dso, const char *srcline, uint32_t *id,
			    char *err, size_t errlen);
/* Write out buffered items now (also done by size and by time). */
int dtr_writer_flush(struct dtr_writer *w, char *err, size_t errlen);
/* Write the index and end marker, fsync, close and free.  Frees on error too. */
int dtr_writer_close(struct dtr_writer *w, char *err, size_t errlen);
/* Flush what is complete, close and free without an end marker. */
void dtr_writer_abort(struct dtr_writer *w);

/* ------------------------------------------------------------------ reader */

struct dtr_reader;

/* Time range: a SNAPSHOT is delivered when [start_ns, end_ns) overlaps
 * [from, to) (a zero-length one when it starts inside), a STACK when its
 * time is inside; every other item is always delivered.  On a regular file
 * the index of a cleanly closed record lets the reader skip whole chunks. */
struct dtr_reader_opts {
	int salvage;           /* on damage, stop quietly at the last valid chunk */
	uint64_t time_from_ns; /* SNAPSHOT/STACK items outside [from, to) are skipped */
	uint64_t time_to_ns;   /* 0: no upper bound */
};

int dtr_reader_open(struct dtr_reader **r, const char *path,
		    const struct dtr_reader_opts *opts, char *err, size_t errlen);
/* Read from a descriptor (no seeking needed); `prefix` holds bytes already
 * consumed from it (e.g. by format detection), `name` is for messages. */
int dtr_reader_open_fd(struct dtr_reader **r, int fd, const char *name,
		       const void *prefix, size_t prefix_len,
		       const struct dtr_reader_opts *opts, char *err, size_t errlen);
/* 1: *item filled; 0: end of record; <0: damage or I/O error (err says where). */
int dtr_reader_next(struct dtr_reader *r, struct dtr_item *item,
		    char *err, size_t errlen);

struct dtr_reader_status {
	uint64_t file_bytes;    /* size of the file, when known */
	uint64_t valid_bytes;   /* bytes up to the end of the last valid chunk read */
	uint64_t nr_chunks;     /* valid chunks read */
	int clean_close;        /* an END chunk was read */
	int damaged;            /* damage was met (and salvaged, or reported) */
	uint64_t damage_offset; /* file offset of the damage */
	uint32_t version_major, version_minor;
	/* Items delivered (or, for dtr_verify, decoded) so far. */
	uint64_t nr_snapshots;
	uint64_t nr_regions;
	uint64_t nr_stacks;
	int used_index;         /* a time range was served through the index */
};
void dtr_reader_status(const struct dtr_reader *r, struct dtr_reader_status *st);
void dtr_reader_close(struct dtr_reader *r);

/* Verify every chunk's checksum and structure without decoding items for the
 * caller; fills *st.  Returns 0 when undamaged, <0 with err naming the offset. */
int dtr_verify(const char *path, struct dtr_reader_status *st, char *err,
	       size_t errlen);

/* CRC32C (Castagnoli, reflected polynomial 0x82F63B78) as used by the format;
 * start with crc = 0.  Chaining: dtr_crc32c(dtr_crc32c(0, a, n), b, m). */
uint32_t dtr_crc32c(uint32_t crc, const void *buf, size_t len);

/* Largest decompressed chunk a reader accepts (bounds its memory). */
#define DTR_MAX_CHUNK_RAW (1u << 30)

#ifdef __cplusplus
}
#endif
#endif /* DTR_H */
