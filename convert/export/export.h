/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * export.h - write the item stream of an input (input.h) in another format:
 * damotrace records, damo's `json` / `json_compressed` records and `perf
 * script` text (all three readable by damo v3.3.0), the text of damo's
 * `report access --raw_form`, and CSV / NDJSON tables for analysis tools.
 *
 * damo's formats hold one record per kdamond/context/target with all of its
 * snapshots, while inputs may interleave targets; those exporters spool the
 * snapshots of each target to an unlinked temporary file and write the
 * records at close, so memory stays bounded by the largest snapshot.  The
 * tables are written as the items stream by.
 *
 * Functions return 0 or a negative errno and write one line naming the
 * output and the cause into `err`.
 */
#ifndef DT_EXPORT_H
#define DT_EXPORT_H

#include <stddef.h>
#include <stdint.h>

#include "dtr.h"

enum dt_export_format {
	DT_EXPORT_UNKNOWN = 0,
	DT_EXPORT_DTR,                 /* "dtr" */
	DT_EXPORT_DAMO_JSON,           /* "json" */
	DT_EXPORT_DAMO_JSON_COMPRESSED,/* "json_compressed" */
	DT_EXPORT_PERF_SCRIPT,         /* "perf_script" */
	DT_EXPORT_DAMO_RAW,            /* "damo-raw" */
	DT_EXPORT_CSV,                 /* "csv" */
	DT_EXPORT_NDJSON,              /* "ndjson" */
};

/* What a table (CSV/NDJSON) holds. */
enum dt_export_what {
	DT_EXPORT_REGIONS = 0, /* time_ns,kdamond,context,target,start,end,nr_accesses,age */
	DT_EXPORT_WSS,         /* time_ns,kdamond,context,target,wss_bytes */
	DT_EXPORT_FOOTPRINT,   /* time_ns,kdamond,context,target,pid,size,resident,...
				* (docs/EXPORTS.md): FOOTPRINT items */
	DT_EXPORT_TARGETS,     /* kdamond,context,target,target_id,pid,ops,cmdline:
				* one row per target of the CONTEXT items */
};

struct dt_export_opts {
	enum dt_export_what what;
	int zstd_level;        /* .dtr output; 0: the library default */
};

const char *dt_export_format_name(enum dt_export_format format);
/* One line per format for --list-formats: "name\tdescription". */
const char *dt_export_format_description(enum dt_export_format format);
/* "dtr", "json", "json_compressed", "perf_script", "damo-raw", "csv",
 * "ndjson" (and "damo_raw", "jsonl", "perf-script" as aliases). */
int dt_export_format_parse(const char *name, enum dt_export_format *format);
/* From an output file name: .dtr, .json, .data (damo's json_compressed
 * default), .json.z/.zlib, .perf-script/.script, .raw/.txt (damo-raw),
 * .csv, .ndjson/.jsonl.  -EINVAL when the extension says nothing. */
int dt_export_format_from_path(const char *path, enum dt_export_format *format);
/* Text formats may go to a terminal or a pipe. */
int dt_export_format_is_text(enum dt_export_format format);

struct dt_export;

/* Write to `fd` (not closed by the exporter); `name` is for messages. */
int dt_export_open(struct dt_export **ex, enum dt_export_format format,
		   const struct dt_export_opts *opts, int fd, const char *name,
		   char *err, size_t errlen);
int dt_export_put(struct dt_export *ex, const struct dtr_item *item, char *err,
		  size_t errlen);
/* Finish the output (flushes, writes spooled records) and free. */
int dt_export_close(struct dt_export *ex, char *err, size_t errlen);
/* Free without finishing (after an input error). */
void dt_export_abort(struct dt_export *ex);

#endif /* DT_EXPORT_H */
