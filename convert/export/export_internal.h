/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * export_internal.h - what the exporters behind export.h share: a buffered
 * output (optionally zlib-compressed) and the per-target snapshot spool of
 * the damo formats.
 */
#ifndef DT_EXPORT_INTERNAL_H
#define DT_EXPORT_INTERNAL_H

#include <stdio.h>
#include <zlib.h>

#include "export.h"

struct dt_out {
	int fd;
	const char *name;
	int zlib;
	z_stream zs;
	unsigned char buf[65536];
	size_t len;
	unsigned char zbuf[65536];
	int error;        /* first write error (negative errno), sticky */
};

int dt_out_init(struct dt_out *o, int fd, const char *name, int zlib);
void dt_out_write(struct dt_out *o, const void *data, size_t len);
void dt_out_printf(struct dt_out *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Flush everything (ends the zlib stream); 0 or the first write error. */
int dt_out_finish(struct dt_out *o, char *err, size_t errlen);
void dt_out_free(struct dt_out *o);

/* One damo record: the snapshots of one kdamond/context/target, a chain
 * of blocks in the spool's one file (each block holds the offset of the
 * record's next block). */
struct dt_spool_record {
	uint32_t kdamond, context, target;
	uint64_t target_id;
	int has_intervals;
	struct dtr_intervals intervals;
	uint64_t first, last;   /* offsets of the record's first and last blocks */
	uint64_t cursor;        /* the next block to read back; DT_SPOOL_NONE: end */
	uint64_t nr_snapshots;
};

#define DT_SPOOL_NONE UINT64_MAX

struct dt_spool {
	const char *name;
	struct dt_spool_record *recs;
	size_t nr_recs, cap_recs;
	struct dtr_context *ctxs;    /* latest CONTEXT of each context (ids only) */
	struct dt_spool_ids {        /* each context's target ids, by index */
		uint64_t *v;
		size_t cap;
	} *ctx_ids;
	size_t nr_ctxs, cap_ctxs, cap_ctx_ids;
	struct dtr_intervals *ivs;   /* first INTERVALS of each context */
	size_t nr_ivs, cap_ivs;
	char *data_source;           /* damo's data_source, when the input had one */
	int null_indexes;            /* the input was a damo record with null indexes */
	struct dtr_region *regions;  /* read-back buffer */
	size_t cap_regions;
	/* One unlinked file for every record, whatever their number: memory is
	 * a record's 48 bytes and the write buffer. */
	int fd;                      /* -1 until the first snapshot */
	unsigned char *buf;          /* blocks not yet written to fd */
	size_t buf_len;
	uint64_t flushed;            /* bytes of fd written; buf follows */
	size_t last_rec;             /* the record of the last snapshot (a hint) */
};

void dt_spool_init(struct dt_spool *s, const char *name);
int dt_spool_put(struct dt_spool *s, const struct dtr_item *item, char *err, size_t errlen);
/* Read back the next snapshot of a record (after dt_spool_finalise, each
 * record once); 1: *snap filled; 0: end; <0: error. */
int dt_spool_read(struct dt_spool *s, struct dt_spool_record *rec, struct dtr_snapshot *snap,
		  char *err, size_t errlen);
/* Finalise records (ids, intervals) before reading back: 0, or a negative
 * errno with a message (the spool could not be written). */
int dt_spool_finalise(struct dt_spool *s, char *err, size_t errlen);
void dt_spool_free(struct dt_spool *s);

/* One exporter. */
struct dt_exporter_ops {
	int (*put)(void *state, const struct dtr_item *item, char *err, size_t errlen);
	int (*close)(void *state, char *err, size_t errlen); /* finishes and frees */
	void (*abort)(void *state);
};

int dt_out_damo_open(void **state, const struct dt_exporter_ops **ops,
		     enum dt_export_format format, int fd, const char *name, char *err,
		     size_t errlen);
int dt_out_table_open(void **state, const struct dt_exporter_ops **ops,
		      enum dt_export_format format, enum dt_export_what what, int fd,
		      const char *name, char *err, size_t errlen);
int dt_out_dtr_open(void **state, const struct dt_exporter_ops **ops, int zstd_level, int fd,
		    const char *name, char *err, size_t errlen);

/* Record writers of the damo exporter (records come from the spool). */
int dt_out_damo_raw_record(struct dt_out *o, struct dt_spool *s, struct dt_spool_record *rec,
			   char *err, size_t errlen);

#endif /* DT_EXPORT_INTERNAL_H */
