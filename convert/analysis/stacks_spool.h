/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * stacks_spool.h - what keeps the callstack exports' memory flat in the
 * number of samples: sequences of fixed-size records (samples, slices,
 * WSS points) held in memory up to a limit and beyond it in an unlinked
 * temporary file in $TMPDIR (default /tmp); a stable external sort of such
 * records; and the exact median of a stream of numbers that can be
 * replayed, in constant memory.
 *
 * A dt_records is empty and in memory when zeroed (then its record size
 * is set by dt_records_init before use).  In a file, the last records
 * appended stay in a tail buffer until it fills, so records appended and
 * soon overwritten (slices whose end is known later) cost no system call.
 *
 * Functions return 0 or a negative errno with a message in err (a
 * temporary file's errors name its folder).
 */
#ifndef DT_STACKS_SPOOL_H
#define DT_STACKS_SPOOL_H

#include <stddef.h>
#include <stdint.h>

/* Default memory limit of one dt_records before it moves to a file. */
#define DT_RECORDS_MEMORY_DEFAULT (256u << 10)

struct dt_records {
	size_t size;          /* bytes per record */
	size_t limit;         /* bytes kept in memory before moving to a file */
	uint64_t nr;          /* records held */
	unsigned char *mem;   /* in memory: every record */
	size_t mem_cap;       /* bytes allocated in mem */
	int in_file;          /* records [0, tail_base) are in fd */
	int fd;
	unsigned char *tail;  /* in a file: records [tail_base, nr) */
	uint64_t tail_base;
	size_t tail_cap;      /* records the tail holds */
};

/* An empty sequence of `size`-byte records, in memory up to `limit` bytes
 * (0: straight to a file at the first record). */
void dt_records_init(struct dt_records *r, size_t size, size_t limit);
void dt_records_free(struct dt_records *r);
/* Empty again (a file is kept for reuse). */
void dt_records_clear(struct dt_records *r);

int dt_records_append(struct dt_records *r, const void *rec, char *err, size_t errlen);
/* Overwrite records [index, index + n) (all below r->nr). */
int dt_records_write(struct dt_records *r, uint64_t index, size_t n, const void *recs,
		     char *err, size_t errlen);
/* Read records [index, index + n) (all below r->nr) into out. */
int dt_records_read(const struct dt_records *r, uint64_t index, size_t n, void *out,
		    char *err, size_t errlen);
/* Grow an empty sequence to n records of unspecified content, to be filled
 * with dt_records_write. */
int dt_records_resize(struct dt_records *r, uint64_t n, char *err, size_t errlen);

/* Sequential reading of records [from, to) through a buffer. */
struct dt_records_reader {
	const struct dt_records *r;
	uint64_t next, end;     /* records not yet loaded */
	size_t n, i;            /* loaded, consumed */
	unsigned char buf[16384];
};
void dt_records_reader_init(struct dt_records_reader *rd, const struct dt_records *r,
			    uint64_t from, uint64_t to);
/* 1: *rec points at the next record (valid until the next call); 0: end;
 * <0: error. */
int dt_records_reader_next(struct dt_records_reader *rd, const void **rec, char *err,
			   size_t errlen);

typedef int (*dt_records_cmp)(const void *a, const void *b);

/* Stable sort of n records of `size` bytes in memory; tmp holds n records. */
void dt_records_sort_mem(void *base, size_t n, size_t size, dt_records_cmp cmp, void *tmp);

/* Append records [from, to) of src to dst (same record size), sorted by
 * cmp; records that compare equal keep their order.  Uses about `memory`
 * bytes (at least 64 KiB) whatever the number of records: longer ranges
 * are sorted in runs kept in a temporary file and merged. */
int dt_records_sort(const struct dt_records *src, uint64_t from, uint64_t to,
		    dt_records_cmp cmp, struct dt_records *dst, size_t memory,
		    char *err, size_t errlen);

/*
 * Median of a multiset of numbers that a producer can emit again, in
 * constant memory (a 512 KiB histogram): the producer is called once per
 * pass and calls dt_select_add for every number, in any order; two passes
 * when the median is below 2^26 (67 ms in nanoseconds), at most five.  The
 * median is the element of rank count / 2 (0-based) in ascending order,
 * i.e. the upper median of an even count.
 */
struct dt_select;
void dt_select_add(struct dt_select *sel, uint64_t value);
typedef int (*dt_select_producer)(void *ctx, struct dt_select *sel, char *err,
				  size_t errlen);
/* *count gets the number of values, *median their median (0 when none). */
int dt_select_median(dt_select_producer produce, void *ctx, uint64_t *count,
		     uint64_t *median, char *err, size_t errlen);

#endif /* DT_STACKS_SPOOL_H */
