// SPDX-License-Identifier: GPL-2.0-only
/*
 * Snapshots in time order: spooled as runs of non-decreasing end time into
 * one unlinked file, merged with a heap of runs (time_order.h).
 */
#define _DEFAULT_SOURCE
#include "time_order.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "errmsg.h"
#include "grow.h"
#include "fileio.h"
#include "tempfile.h"

/* A snapshot in the spool: this header, then nr_regions dtr_region. */
struct spooled {
	uint64_t start_ns, end_ns;
	uint32_t kdamond, context, target, flags;
	uint32_t access_unit, age_unit;
	uint64_t nr_regions;
};

struct run {
	uint64_t at, end;   /* file offsets: the next snapshot, the run's end */
	struct spooled head; /* the next snapshot's header */
};

struct dt_time_order {
	char *name;
	struct dt_tempfile tmp;
	FILE *out;            /* writing, until the merge */
	uint64_t written;     /* bytes in the spool */
	uint64_t last_end;    /* end of the last snapshot spooled */
	int any;
	struct run *runs;
	size_t nr_runs, cap_runs;
	size_t *heap;         /* run indexes, by (head.end_ns, index) */
	size_t nr_heap;
	struct dtr_region *regions;
	size_t cap_regions;
	int merging;
};

static int io_fail(struct dt_time_order *t, char *err, size_t errlen, int e)
{
	return dt_fail(err, errlen, -e, "%s: cannot spool snapshots to put them in time order "
		       "(in %s): %s", t->name, dt_tempfile_dir(), strerror(e));
}

int dt_time_order_new(struct dt_time_order **tp, const char *name, char *err, size_t errlen)
{
	struct dt_time_order *t = calloc(1, sizeof(*t));
	char why[DT_QUOTE_BUFLEN + 128];
	int ret;

	if (!t || !(t->name = strdup(name))) {
		free(t);
		return dt_fail(err, errlen, -ENOMEM, "out of memory");
	}
	ret = dt_tempfile_create(&t->tmp, NULL, "damotrace-order.", NULL, DT_TEMPFILE_UNLINKED, why,
				 sizeof(why));
	if (!ret && !(t->out = fdopen(t->tmp.fd, "w+")))
		ret = -errno;
	if (ret) {
		dt_time_order_free(t);
		return dt_fail(err, errlen, ret, "%s: %s", name, ret == -ENOMEM ? "out of memory" : why);
	}
	t->tmp.fd = -1; /* the stream's */
	*tp = t;
	return 0;
}

/* A new run starting at the spool's current end: 0 or -ENOMEM. */
static int new_run(struct dt_time_order *t)
{
	if (DT_GROW(t->runs, t->cap_runs, t->nr_runs + 1))
		return -ENOMEM;
	t->runs[t->nr_runs++] = (struct run){ .at = t->written, .end = t->written };
	return 0;
}

int dt_time_order_take(struct dt_time_order *t, const struct dtr_item *item, char *err,
		       size_t errlen)
{
	if (item->type != DTR_ITEM_SNAPSHOT)
		return 1;
	const struct dtr_snapshot *s = &item->u.snapshot;
	if ((!t->any || s->end_ns < t->last_end) && new_run(t))
		return dt_fail(err, errlen, -ENOMEM, "out of memory");
	struct spooled h = { s->start_ns, s->end_ns, s->kdamond, s->context, s->target, s->flags,
			     (uint32_t)s->access_unit, (uint32_t)s->age_unit, s->nr_regions };
	size_t n = (size_t)s->nr_regions;
	if (fwrite(&h, sizeof(h), 1, t->out) != 1 ||
	    (n && fwrite(s->regions, sizeof(*s->regions), n, t->out) != n))
		return io_fail(t, err, errlen, errno ? errno : EIO);
	t->written += sizeof(h) + n * sizeof(*s->regions);
	t->runs[t->nr_runs - 1].end = t->written;
	t->last_end = s->end_ns;
	t->any = 1;
	return 0;
}

/* ------------------------------------------------------------ merging */

static int before(const struct dt_time_order *t, size_t a, size_t b)
{
	uint64_t ea = t->runs[a].head.end_ns, eb = t->runs[b].head.end_ns;
	return ea < eb || (ea == eb && a < b);
}

static void sift_down(struct dt_time_order *t, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, m = i;
		if (l < t->nr_heap && before(t, t->heap[l], t->heap[m]))
			m = l;
		if (l + 1 < t->nr_heap && before(t, t->heap[l + 1], t->heap[m]))
			m = l + 1;
		if (m == i)
			return;
		size_t x = t->heap[i];
		t->heap[i] = t->heap[m];
		t->heap[m] = x;
		i = m;
	}
}

/* Every run's first header read, the heap made: 0 or a negative errno. */
static int start_merge(struct dt_time_order *t)
{
	int fd = fileno(t->out);

	t->merging = 1;
	if (fflush(t->out))
		return -errno;
	if (!(t->heap = malloc((t->nr_runs ? t->nr_runs : 1) * sizeof(*t->heap))))
		return -ENOMEM;
	for (size_t i = 0; i < t->nr_runs; i++) {
		int ret = dt_pread_all(fd, &t->runs[i].head, sizeof(t->runs[i].head), t->runs[i].at);
		if (ret)
			return ret;
		t->heap[t->nr_heap++] = i;
	}
	for (size_t i = t->nr_heap / 2; i-- > 0;)
		sift_down(t, i);
	return 0;
}

/* The regions of run r's head into t->regions: 0 or a negative errno. */
static int read_regions(struct dt_time_order *t, struct run *r)
{
	size_t n = (size_t)r->head.nr_regions;

	if (DT_GROW(t->regions, t->cap_regions, n))
		return -ENOMEM;
	return n ? dt_pread_all(fileno(t->out), t->regions, n * sizeof(*t->regions),
			     r->at + sizeof(r->head))
		 : 0;
}

int dt_time_order_next(struct dt_time_order *t, struct dtr_item *item, char *err,
		       size_t errlen)
{
	int ret = t->merging ? 0 : start_merge(t);

	if (!ret && !t->nr_heap)
		return 0;
	struct run *r = ret ? NULL : &t->runs[t->heap[0]];
	if (!ret)
		ret = read_regions(t, r);
	if (ret)
		return ret == -ENOMEM ? dt_fail(err, errlen, ret, "out of memory")
				      : io_fail(t, err, errlen, -ret);
	memset(item, 0, sizeof(*item));
	item->type = DTR_ITEM_SNAPSHOT;
	item->u.snapshot = (struct dtr_snapshot){
		r->head.start_ns, r->head.end_ns, r->head.kdamond, r->head.context,
		r->head.target, r->head.flags, (enum dtr_unit)r->head.access_unit,
		(enum dtr_unit)r->head.age_unit, r->head.nr_regions, t->regions };
	r->at += sizeof(r->head) + (uint64_t)r->head.nr_regions * sizeof(*t->regions);
	if (r->at < r->end && (ret = dt_pread_all(fileno(t->out), &r->head, sizeof(r->head), r->at)))
		return io_fail(t, err, errlen, -ret);
	if (r->at >= r->end)
		t->heap[0] = t->heap[--t->nr_heap];
	sift_down(t, 0);
	return 1;
}

void dt_time_order_free(struct dt_time_order *t)
{
	if (!t)
		return;
	if (t->out)
		fclose(t->out);
	dt_tempfile_delete(&t->tmp);
	free(t->runs);
	free(t->heap);
	free(t->regions);
	free(t->name);
	free(t);
}
