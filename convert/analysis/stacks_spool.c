// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fixed-size records in memory or in a temporary file, their external
 * sort, and a constant-memory median (stacks_spool.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "errmsg.h"
#include "fileio.h"
#include "stacks_spool.h"
#include "tempfile.h"

#define TAIL_BYTES 65536
#define MERGE_FANIN 64

static int io_fail(char *err, size_t errlen, int e)
{
	return dt_fail(err, errlen, -e, "temporary file in %s: %s", dt_tempfile_dir(), strerror(e));
}

void dt_records_init(struct dt_records *r, size_t size, size_t limit)
{
	memset(r, 0, sizeof(*r));
	r->size = size;
	r->limit = limit;
	r->fd = -1;
}

void dt_records_free(struct dt_records *r)
{
	free(r->mem);
	free(r->tail);
	if (r->in_file)
		close(r->fd);
	dt_records_init(r, r->size, r->limit);
}

void dt_records_clear(struct dt_records *r)
{
	r->nr = 0;
	r->tail_base = 0;
	if (r->in_file && ftruncate(r->fd, 0)) {
		/* Only disk space is lost: later writes overwrite the content. */
	}
}

/* Move the records held in memory into a new unlinked temporary file. */
static int to_file(struct dt_records *r, char *err, size_t errlen)
{
	struct dt_tempfile t;
	int ret = dt_tempfile_create(&t, NULL, "damotrace-stacks.", NULL, DT_TEMPFILE_UNLINKED,
				     err, errlen);
	if (ret)
		return ret;
	int fd = t.fd;
	size_t cap = TAIL_BYTES / r->size ? TAIL_BYTES / r->size : 1;
	unsigned char *tail = malloc(cap * r->size);
	if (!tail) {
		close(fd);
		return dt_fail(err, errlen, -ENOMEM, "out of memory");
	}
	int rc = r->nr ? dt_pwrite_all(fd, r->mem, (size_t)r->nr * r->size, 0) : 0;
	if (rc) {
		close(fd);
		free(tail);
		return io_fail(err, errlen, -rc);
	}
	free(r->mem);
	r->mem = NULL;
	r->mem_cap = 0;
	r->fd = fd;
	r->in_file = 1;
	r->tail = tail;
	r->tail_cap = cap;
	r->tail_base = r->nr;
	return 0;
}

/* Room in memory for `bytes`, or a move to a file when over the limit.
 * Grown by hand, not with DT_GROW: the capacity doubles but never passes
 * r->limit, the memory the caller allows, where the records move to a
 * file instead; DT_GROW would overshoot the limit (tests/layers/check.py
 * lets this realloc be). */
static int reserve_mem(struct dt_records *r, uint64_t bytes, char *err, size_t errlen)
{
	if (bytes <= r->mem_cap)
		return 0;
	if (bytes > r->limit)
		return to_file(r, err, errlen);
	size_t cap = r->mem_cap ? r->mem_cap : 4096;
	while (cap < bytes)
		cap *= 2;
	if (cap > r->limit)
		cap = r->limit;
	unsigned char *m = realloc(r->mem, cap);
	if (!m)
		return dt_fail(err, errlen, -ENOMEM, "out of memory");
	r->mem = m;
	r->mem_cap = cap;
	return 0;
}

static int flush_tail(struct dt_records *r, char *err, size_t errlen)
{
	size_t n = (size_t)(r->nr - r->tail_base);
	if (!n)
		return 0;
	int rc = dt_pwrite_all(r->fd, r->tail, n * r->size, r->tail_base * r->size);
	if (rc)
		return io_fail(err, errlen, -rc);
	r->tail_base = r->nr;
	return 0;
}

int dt_records_append(struct dt_records *r, const void *rec, char *err, size_t errlen)
{
	int rc;
	if (!r->in_file) {
		rc = reserve_mem(r, (r->nr + 1) * r->size, err, errlen);
		if (rc)
			return rc;
		if (!r->in_file) {
			memcpy(r->mem + r->nr * r->size, rec, r->size);
			r->nr++;
			return 0;
		}
	}
	if (r->nr - r->tail_base == r->tail_cap) {
		rc = flush_tail(r, err, errlen);
		if (rc)
			return rc;
	}
	memcpy(r->tail + (r->nr - r->tail_base) * r->size, rec, r->size);
	r->nr++;
	return 0;
}

/* Where records [index, index + n) are: the first (returned) in the file
 * at byte index * size, the rest in memory at *mem (NULL when none). */
static size_t locate(const struct dt_records *r, uint64_t index, size_t n, unsigned char **mem)
{
	size_t below = 0;

	if (r->in_file && index < r->tail_base)
		below = index + n <= r->tail_base ? n : (size_t)(r->tail_base - index);
	*mem = NULL;
	if (below < n)
		*mem = (r->in_file ? r->tail + (index + below - r->tail_base) * r->size :
				     r->mem + index * r->size);
	return below;
}

int dt_records_write(struct dt_records *r, uint64_t index, size_t n, const void *recs,
		     char *err, size_t errlen)
{
	const unsigned char *p = recs;
	unsigned char *mem;
	size_t below = locate(r, index, n, &mem);
	int rc = below ? dt_pwrite_all(r->fd, p, below * r->size, index * r->size) : 0;

	if (rc)
		return io_fail(err, errlen, -rc);
	if (mem)
		memcpy(mem, p + below * r->size, (n - below) * r->size);
	return 0;
}

int dt_records_read(const struct dt_records *r, uint64_t index, size_t n, void *out,
		    char *err, size_t errlen)
{
	unsigned char *p = out, *mem;
	size_t below = locate(r, index, n, &mem);
	int rc = below ? dt_pread_all(r->fd, p, below * r->size, index * r->size) : 0;

	if (rc)
		return io_fail(err, errlen, -rc);
	if (mem)
		memcpy(p + below * r->size, mem, (n - below) * r->size);
	return 0;
}

int dt_records_resize(struct dt_records *r, uint64_t n, char *err, size_t errlen)
{
	int rc;
	if (!r->in_file) {
		rc = reserve_mem(r, n * r->size, err, errlen);
		if (rc)
			return rc;
		if (!r->in_file) {
			r->nr = n;
			return 0;
		}
	}
	rc = flush_tail(r, err, errlen);
	if (rc)
		return rc;
	if (ftruncate(r->fd, (off_t)(n * r->size)))
		return io_fail(err, errlen, errno);
	r->nr = r->tail_base = n;
	return 0;
}

/* ------------------------------------------------------------ reader */

void dt_records_reader_init(struct dt_records_reader *rd, const struct dt_records *r,
			    uint64_t from, uint64_t to)
{
	rd->r = r;
	rd->next = from;
	rd->end = to;
	rd->n = rd->i = 0;
}

int dt_records_reader_next(struct dt_records_reader *rd, const void **rec, char *err,
			   size_t errlen)
{
	if (rd->i == rd->n) {
		if (rd->next >= rd->end)
			return 0;
		size_t per = sizeof(rd->buf) / rd->r->size;
		if (!per)
			return dt_fail(err, errlen, -EINVAL, "record larger than the read buffer");
		size_t n = rd->end - rd->next < per ? (size_t)(rd->end - rd->next) : per;
		int rc = dt_records_read(rd->r, rd->next, n, rd->buf, err, errlen);
		if (rc)
			return rc;
		rd->next += n;
		rd->n = n;
		rd->i = 0;
	}
	*rec = rd->buf + rd->i++ * rd->r->size;
	return 1;
}

/* ------------------------------------------------------------ sorting */

void dt_records_sort_mem(void *base, size_t n, size_t size, dt_records_cmp cmp, void *tmp)
{
	enum { BLOCK = 8 };
	unsigned char *a = base, *b = tmp;
	if (n < 2)
		return;
	/* Insertion sort of short blocks (tmp's first record as scratch)... */
	for (size_t lo = 0; lo < n; lo += BLOCK) {
		size_t hi = lo + BLOCK < n ? lo + BLOCK : n;
		for (size_t i = lo + 1; i < hi; i++) {
			if (cmp(a + (i - 1) * size, a + i * size) <= 0)
				continue;
			memcpy(b, a + i * size, size);
			size_t j = i;
			while (j > lo && cmp(a + (j - 1) * size, b) > 0) {
				memcpy(a + j * size, a + (j - 1) * size, size);
				j--;
			}
			memcpy(a + j * size, b, size);
		}
	}
	/* ...then merges, the left record first among equals. */
	for (size_t width = BLOCK; width < n; width *= 2) {
		for (size_t lo = 0; lo < n; lo += 2 * width) {
			size_t mid = lo + width < n ? lo + width : n;
			size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
			size_t i = lo, j = mid, k = lo;
			while (i < mid && j < hi) {
				if (cmp(a + i * size, a + j * size) <= 0)
					memcpy(b + k++ * size, a + i++ * size, size);
				else
					memcpy(b + k++ * size, a + j++ * size, size);
			}
			memcpy(b + k * size, a + i * size, (mid - i) * size);
			k += mid - i;
			memcpy(b + k * size, a + j * size, (hi - j) * size);
		}
		unsigned char *t = a;
		a = b;
		b = t;
	}
	if (a != base)
		memcpy(base, a, n * size);
}

struct run_cursor {
	uint64_t next, end;
	size_t n, i;
	unsigned char *buf;
	size_t cap;  /* records buf holds */
	size_t run;  /* order among the merged runs: ties go to the earlier */
};

struct merge {
	const struct dt_records *in;
	dt_records_cmp cmp;
	struct run_cursor *cur;
	size_t *heap, nheap;
};

static const void *cursor_rec(const struct merge *m, size_t c)
{
	const struct run_cursor *rc = &m->cur[c];
	return rc->buf + rc->i * m->in->size;
}

static int heap_less(const struct merge *m, size_t a, size_t b)
{
	int c = m->cmp(cursor_rec(m, a), cursor_rec(m, b));
	return c < 0 || (c == 0 && m->cur[a].run < m->cur[b].run);
}

static void heap_down(struct merge *m, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, s = i;
		if (l < m->nheap && heap_less(m, m->heap[l], m->heap[s]))
			s = l;
		if (r < m->nheap && heap_less(m, m->heap[r], m->heap[s]))
			s = r;
		if (s == i)
			return;
		size_t t = m->heap[i];
		m->heap[i] = m->heap[s];
		m->heap[s] = t;
		i = s;
	}
}

/* Load the next records of a run; 1: loaded, 0: run exhausted. */
static int cursor_fill(const struct merge *m, struct run_cursor *c, char *err, size_t errlen)
{
	if (c->next >= c->end)
		return 0;
	size_t n = c->end - c->next < c->cap ? (size_t)(c->end - c->next) : c->cap;
	int rc = dt_records_read(m->in, c->next, n, c->buf, err, errlen);
	if (rc)
		return rc;
	c->next += n;
	c->n = n;
	c->i = 0;
	return 1;
}

/* Merge the sorted runs [bounds[k], bounds[k + 1]) for k in [first, last)
 * of `in` onto `out`. */
static int merge_runs(const struct dt_records *in, const uint64_t *bounds, size_t first,
		      size_t last, dt_records_cmp cmp, struct dt_records *out, size_t memory,
		      char *err, size_t errlen)
{
	size_t k = last - first;
	size_t per = memory / (k * in->size);
	if (per < 64)
		per = 64;
	struct merge m = { in, cmp, calloc(k, sizeof(*m.cur)), calloc(k, sizeof(size_t)), 0 };
	unsigned char *bufs = malloc(k * per * in->size);
	int rc = 0;
	if (!m.cur || !m.heap || !bufs) {
		rc = dt_fail(err, errlen, -ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < k; i++) {
		struct run_cursor *c = &m.cur[i];
		*c = (struct run_cursor){ bounds[first + i], bounds[first + i + 1], 0, 0,
					  bufs + i * per * in->size, per, i };
		rc = cursor_fill(&m, c, err, errlen);
		if (rc < 0)
			goto out;
		if (rc)
			m.heap[m.nheap++] = i;
	}
	rc = 0;
	for (size_t i = m.nheap; i-- > 0;)
		heap_down(&m, i);
	while (m.nheap) {
		size_t top = m.heap[0];
		struct run_cursor *c = &m.cur[top];
		rc = dt_records_append(out, cursor_rec(&m, top), err, errlen);
		if (rc)
			goto out;
		if (++c->i == c->n) {
			rc = cursor_fill(&m, c, err, errlen);
			if (rc < 0)
				goto out;
			if (!rc)
				m.heap[0] = m.heap[--m.nheap];
		}
		rc = 0;
		if (m.nheap)
			heap_down(&m, 0);
	}
out:
	free(m.cur);
	free(m.heap);
	free(bufs);
	return rc;
}

int dt_records_sort(const struct dt_records *src, uint64_t from, uint64_t to,
		    dt_records_cmp cmp, struct dt_records *dst, size_t memory,
		    char *err, size_t errlen)
{
	size_t size = src->size;
	if (memory < 65536)
		memory = 65536;
	size_t chunk = memory / (2 * size);
	if (!chunk)
		chunk = 1;
	uint64_t total = to - from;
	size_t nchunk = total < chunk ? (size_t)total : chunk;
	unsigned char *buf = malloc((nchunk ? nchunk : 1) * size);
	unsigned char *tmp = malloc((nchunk ? nchunk : 1) * size);
	uint64_t *bounds = NULL;
	struct dt_records runs[2];
	int rc = 0;

	dt_records_init(&runs[0], size, 0);
	dt_records_init(&runs[1], size, 0);
	if (!buf || !tmp) {
		rc = dt_fail(err, errlen, -ENOMEM, "out of memory");
		goto out;
	}
	if (total <= chunk) {
		rc = dt_records_read(src, from, nchunk, buf, err, errlen);
		if (rc)
			goto out;
		dt_records_sort_mem(buf, nchunk, size, cmp, tmp);
		for (size_t i = 0; i < nchunk && !rc; i++)
			rc = dt_records_append(dst, buf + i * size, err, errlen);
		goto out;
	}
	/* Sorted runs of `chunk` records in a file, then merges of up to
	 * MERGE_FANIN runs at a time until one is left. */
	size_t nruns = (size_t)((total + chunk - 1) / chunk);
	bounds = malloc((nruns + 1) * sizeof(*bounds));
	if (!bounds) {
		rc = dt_fail(err, errlen, -ENOMEM, "out of memory");
		goto out;
	}
	for (size_t r = 0; r < nruns; r++) {
		uint64_t at = from + (uint64_t)r * chunk;
		size_t n = to - at < chunk ? (size_t)(to - at) : chunk;
		bounds[r] = runs[0].nr;
		rc = dt_records_read(src, at, n, buf, err, errlen);
		if (rc)
			goto out;
		dt_records_sort_mem(buf, n, size, cmp, tmp);
		for (size_t i = 0; i < n && !rc; i++)
			rc = dt_records_append(&runs[0], buf + i * size, err, errlen);
		if (rc)
			goto out;
	}
	bounds[nruns] = runs[0].nr;
	free(buf);
	free(tmp);
	buf = tmp = NULL;
	int cur = 0;
	while (nruns > MERGE_FANIN) {
		struct dt_records *in = &runs[cur], *out = &runs[!cur];
		size_t merged = 0;
		dt_records_clear(out);
		for (size_t r = 0; r < nruns; r += MERGE_FANIN) {
			size_t last = r + MERGE_FANIN < nruns ? r + MERGE_FANIN : nruns;
			uint64_t start = out->nr;
			rc = merge_runs(in, bounds, r, last, cmp, out, memory, err, errlen);
			if (rc)
				goto out;
			bounds[merged++] = start;
		}
		bounds[merged] = out->nr;
		nruns = merged;
		cur = !cur;
	}
	rc = merge_runs(&runs[cur], bounds, 0, nruns, cmp, dst, memory, err, errlen);
out:
	free(buf);
	free(tmp);
	free(bounds);
	dt_records_free(&runs[0]);
	dt_records_free(&runs[1]);
	return rc;
}

/* ------------------------------------------------------------ median */

#define SELECT_BUCKETS 65536

struct dt_select {
	int first_pass;
	uint64_t count;
	uint64_t lo, span; /* later passes: values in [lo, lo + span) ... */
	unsigned shift;    /* ... counted in buckets of 2^shift values */
	uint64_t *hist;
};

/* First pass: exact below 2048, then 1024 buckets per power of two. */
static size_t first_bucket(uint64_t v)
{
	if (v < 2048)
		return (size_t)v;
	unsigned e = 63 - (unsigned)__builtin_clzll(v);
	return 2048 + (size_t)(e - 11) * 1024 + (size_t)((v >> (e - 10)) & 1023);
}

static void first_bucket_span(size_t b, uint64_t *lo, uint64_t *width)
{
	if (b < 2048) {
		*lo = b;
		*width = 1;
		return;
	}
	unsigned e = 11 + (unsigned)((b - 2048) / 1024);
	uint64_t m = (b - 2048) % 1024;
	*lo = (1024 + m) << (e - 10);
	*width = 1ull << (e - 10);
}

void dt_select_add(struct dt_select *sel, uint64_t v)
{
	if (sel->first_pass) {
		sel->count++;
		sel->hist[first_bucket(v)]++;
	} else if (v >= sel->lo && v - sel->lo < sel->span) {
		sel->hist[(v - sel->lo) >> sel->shift]++;
	}
}

/* The bucket holding the value of rank *rank; *rank becomes its rank
 * inside the bucket. */
static size_t bucket_of_rank(const uint64_t *hist, uint64_t *rank)
{
	size_t b = 0;
	while (hist[b] <= *rank) {
		*rank -= hist[b];
		b++;
	}
	return b;
}

int dt_select_median(dt_select_producer produce, void *ctx, uint64_t *count,
		     uint64_t *median, char *err, size_t errlen)
{
	struct dt_select sel = { 1, 0, 0, 0, 0, calloc(SELECT_BUCKETS, sizeof(uint64_t)) };
	int rc;
	*count = *median = 0;
	if (!sel.hist)
		return dt_fail(err, errlen, -ENOMEM, "out of memory");
	rc = produce(ctx, &sel, err, errlen);
	if (rc || !sel.count)
		goto out;
	uint64_t rank = sel.count / 2, lo, width;
	first_bucket_span(bucket_of_rank(sel.hist, &rank), &lo, &width);
	sel.first_pass = 0;
	while (width > 1) {
		unsigned bits = (unsigned)__builtin_ctzll(width); /* width is a power of two */
		sel.shift = bits > 16 ? bits - 16 : 0;
		sel.lo = lo;
		sel.span = width;
		memset(sel.hist, 0, SELECT_BUCKETS * sizeof(uint64_t));
		rc = produce(ctx, &sel, err, errlen);
		if (rc)
			goto out;
		lo += (uint64_t)bucket_of_rank(sel.hist, &rank) << sel.shift;
		width = 1ull << sel.shift;
	}
	*count = sel.count;
	*median = lo;
out:
	free(sel.hist);
	return rc;
}
