/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * input_internal.h - what the importers behind input.h share: a byte source
 * (a descriptor, with the bytes format detection already consumed, or a
 * memory buffer for fuzzing) and the importer interface.
 */
#ifndef DT_INPUT_INTERNAL_H
#define DT_INPUT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "input.h"

struct dt_src {
	const char *name;          /* for messages */
	int fd;                    /* -1: memory source */
	const unsigned char *mem;  /* memory source, or prefix of a pipe */
	size_t mem_len, mem_pos;
	int seekable;              /* dt_src_rewind works */
	uint64_t offset;           /* bytes delivered so far */
};

/* Up to len bytes; 0 at end; -errno with err filled on failure. */
ssize_t dt_src_read(struct dt_src *s, void *buf, size_t len, char *err, size_t errlen);
/* Exactly len bytes, or -EIO ("truncated") naming the offset. */
int dt_src_read_full(struct dt_src *s, void *buf, size_t len, const char *what,
		     char *err, size_t errlen);
/* Skip len bytes (seeking when possible). */
int dt_src_skip(struct dt_src *s, uint64_t len, const char *what, char *err, size_t errlen);
/* Back to the first byte; only for seekable sources. */
int dt_src_rewind(struct dt_src *s, char *err, size_t errlen);

/* One importer: next() returns 1 with an item, 0 at end, <0 on error. */
struct dt_importer {
	int (*next)(void *state, struct dtr_item *item, char *err, size_t errlen);
	void (*close)(void *state);
	void *state;
};

int dt_in_damo_json_open(struct dt_importer *imp, struct dt_src *src, int compressed,
			 char *err, size_t errlen);
int dt_in_damo_binary_open(struct dt_importer *imp, struct dt_src *src, char *err,
			   size_t errlen);
/* `tracefs`: the tracefs `trace` text rather than perf script (messages only). */
int dt_in_damon_text_open(struct dt_importer *imp, struct dt_src *src, int tracefs,
			  char *err, size_t errlen);

/* Content probes over the first bytes of an input. */
int dt_probe_zlib(const unsigned char *buf, size_t len);
int dt_probe_damo_json(const unsigned char *buf, size_t len);
int dt_probe_damo_binary(const unsigned char *buf, size_t len);
/* 1: perf script text; 2: tracefs text; 0: neither. */
int dt_probe_damon_text(const unsigned char *buf, size_t len);

/* Read an input held in memory (fuzzing, tests); `data` must outlive `in`.
 * perf.data inputs are rejected (no perf is run). */
int dt_input_open_mem(struct dt_input **in, const void *data, size_t len,
		      const char *name, const struct dt_input_opts *opts, char *err,
		      size_t errlen);

/* damo's first-snapshot start estimate: the mean snapshot length over the
 * target's snapshots, taken back from the first end (as damo computes it,
 * in double precision, truncated). */
uint64_t dt_damo_first_start(uint64_t first_end, uint64_t last_end, uint64_t nr_snapshots);

#endif /* DT_INPUT_INTERNAL_H */
