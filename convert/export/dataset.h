/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dataset.h - many records as one dataset for engines (DuckDB, Spark,
 * pandas): each record's tables written as hive-style partitions
 *
 *   DIR/TABLE/host=HOST/record=ID/data.EXT
 *
 * TABLE is regions, wss, footprint or targets (the tables of export.h,
 * their columns in docs/EXPORTS.md), EXT csv or ndjson.  Host and record
 * are columns through the path, as engines read hive partitions; target is
 * a column of every table.
 *
 * HOST is the record's META hostname unless the caller names one ("unknown"
 * when neither does), with every byte outside [A-Za-z0-9._-] written as
 * %XX, as Hive escapes partition values.  ID is the record's identity: 16
 * hex digits of a 64-bit hash of its metadata, contexts, intervals, clock
 * readings, the first snapshot whole and every snapshot's header (times,
 * target, flags, number of regions).  The same record gives the same ID
 * in every run, whatever its file is called; a record cut shorter, or
 * another recording, gives another.
 *
 * A record is read twice: first for its identity and host, then into its
 * tables; each partition file is written through output.h (a temporary
 * file beside it, fsync'd and renamed into place when complete), so that
 * a reader sees a partition whole or not at all.  Adding a record touches
 * only its own partitions: adding the same record again replaces them
 * with the same content.
 *
 * Functions return 0 or a negative errno and write one line naming the
 * dataset or the input and the cause into `err`.
 */
#ifndef DT_DATASET_H
#define DT_DATASET_H

#include <stddef.h>
#include <stdint.h>

#include "export.h"
#include "input.h"

/* Bits of dt_dataset_opts.tables. */
#define DT_DATASET_TABLE(what) (1u << (what)) /* what: enum dt_export_what */

struct dt_dataset_opts {
	enum dt_export_format format; /* DT_EXPORT_CSV or DT_EXPORT_NDJSON */
	unsigned tables;              /* DT_DATASET_TABLE() bits; 0: every table */
	const char *hostname;         /* NULL: the record's META hostname */
};

/* Where a record went. */
struct dt_dataset_record {
	char host[256];               /* the partition value, escaped */
	char id[17];                  /* 16 hex digits and a NUL */
	uint64_t nr_snapshots, nr_regions;
};

/* The name of a table ("regions", "wss", "footprint", "targets"). */
const char *dt_dataset_table_name(enum dt_export_what what);

/* Read the record `path` (not standard input: it is read twice) and write
 * its tables into the dataset `dir` (created when missing, its parents
 * too); `rec` says where they went.  On failure no temporary file is left
 * and no partition changes but those already committed (a failure while
 * committing the tables may leave the first ones new).  -ENAMETOOLONG
 * when the escaped host does not fit a file name (255 bytes with
 * "host="); -EAGAIN when the record changed between the two readings. */
int dt_dataset_add(const char *dir, const char *path, const struct dt_input_opts *in_opts,
		   const struct dt_dataset_opts *opts, struct dt_dataset_record *rec, char *err,
		   size_t errlen);

#endif /* DT_DATASET_H */
