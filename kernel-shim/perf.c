// SPDX-License-Identifier: GPL-2.0-only
/*
 * perf_event_open: the ring buffer reader of the damon:damon_aggregated
 * event, and clock readings.
 */
#define _GNU_SOURCE
#include "damon_shim.h"

#include <errno.h>
#include <linux/perf_event.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "shim_internal.h"

struct dshim_tracer {
	int fd;
	unsigned char *base;
	size_t mmap_len, data_size, data_offset;
	uint64_t sample_type;
	unsigned char *tmp;
	size_t tmp_cap;
};

static int perf_open(struct perf_event_attr *attr, pid_t pid, int cpu)
{
	return (int)syscall(SYS_perf_event_open, attr, pid, cpu, -1, PERF_FLAG_FD_CLOEXEC);
}

int dshim_tracer_open_attr(struct dshim_tracer **out, const void *attr_in, pid_t pid, int cpu,
			   unsigned pages_order, char *err, size_t errlen)
{
	struct perf_event_attr attr;
	long page = sysconf(_SC_PAGESIZE);

	*out = NULL;
	memcpy(&attr, attr_in, sizeof(attr));
	attr.size = sizeof(attr);
	if (pages_order > 16)
		pages_order = 16;
	struct dshim_tracer *t = calloc(1, sizeof(*t));
	if (!t) {
		shim_err(err, errlen, "out of memory");
		return -ENOMEM;
	}
	t->sample_type = attr.sample_type;
	t->fd = perf_open(&attr, pid, cpu);
	if (t->fd < 0) {
		int e = -errno;
		shim_err(err, errlen, "perf_event_open (type %u, config %llu, pid %d): %s%s",
			 attr.type, (unsigned long long)attr.config, (int)pid, strerror(errno),
			 errno == EACCES || errno == EPERM ? " (needs root or CAP_PERFMON)" : "");
		free(t);
		return e;
	}
	t->data_size = (size_t)page << pages_order;
	t->mmap_len = t->data_size + (size_t)page;
	t->base = mmap(NULL, t->mmap_len, PROT_READ | PROT_WRITE, MAP_SHARED, t->fd, 0);
	if (t->base == MAP_FAILED) {
		int e = -errno;
		shim_err(err, errlen, "mmap of the perf ring buffer (%zu bytes): %s", t->mmap_len,
			 strerror(errno));
		close(t->fd);
		free(t);
		return e;
	}
	struct perf_event_mmap_page *meta = (void *)t->base;
	t->data_offset = meta->data_offset ? meta->data_offset : (size_t)page;
	if (meta->data_size)
		t->data_size = meta->data_size;
	*out = t;
	return 0;
}

int dshim_tracer_open(struct dshim_tracer **t, int event_id, pid_t pid, unsigned pages_order,
		      char *err, size_t errlen)
{
	struct perf_event_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.type = PERF_TYPE_TRACEPOINT;
	attr.config = (uint64_t)event_id;
	attr.sample_period = 1;
	attr.sample_type = PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_CPU | PERF_SAMPLE_RAW;
	attr.use_clockid = 1;
	attr.clockid = CLOCK_MONOTONIC;
	attr.sample_id_all = 1;
	attr.watermark = 1;
	/* Wake the reader when a quarter of the buffer is used (it also
	 * drains on its own every 100 ms or so). */
	attr.wakeup_watermark = (uint32_t)(((size_t)sysconf(_SC_PAGESIZE) << pages_order) / 4);
	return dshim_tracer_open_attr(t, &attr, pid, -1, pages_order, err, errlen);
}

int dshim_tracer_fd(const struct dshim_tracer *t)
{
	return t->fd;
}

uint64_t dshim_tracer_sample_type(const struct dshim_tracer *t)
{
	return t->sample_type;
}

static void ring_copy(const struct dshim_tracer *t, uint64_t pos, void *out, size_t n)
{
	const unsigned char *data = t->base + t->data_offset;
	size_t off = (size_t)(pos % t->data_size);
	size_t first = t->data_size - off < n ? t->data_size - off : n;
	memcpy(out, data + off, first);
	if (first < n)
		memcpy((unsigned char *)out + first, data, n - first);
}

int dshim_tracer_drain(struct dshim_tracer *t, dshim_record_fn fn, void *arg, char *err,
		       size_t errlen)
{
	struct perf_event_mmap_page *meta = (void *)t->base;
	uint64_t head = __atomic_load_n(&meta->data_head, __ATOMIC_ACQUIRE);
	uint64_t tail = meta->data_tail;
	int count = 0, ret = 0;

	while (tail < head) {
		struct perf_event_header h;
		ring_copy(t, tail, &h, sizeof(h));
		if (h.size < sizeof(h) || h.size > head - tail) {
			shim_err(err, errlen, "perf ring buffer: bad record size %u", h.size);
			ret = -EIO;
			tail = head;
			break;
		}
		const void *rec;
		size_t off = (size_t)(tail % t->data_size);
		if (off + h.size <= t->data_size) {
			rec = t->base + t->data_offset + off;
		} else {
			if (h.size > t->tmp_cap) {
				unsigned char *nb = realloc(t->tmp, 65536);
				if (!nb) {
					shim_err(err, errlen, "out of memory");
					ret = -ENOMEM;
					break;
				}
				t->tmp = nb;
				t->tmp_cap = 65536;
			}
			ring_copy(t, tail, t->tmp, h.size);
			rec = t->tmp;
		}
		ret = fn(arg, rec, h.size, err, errlen);
		tail += h.size;
		if (ret)
			break;
		count++;
	}
	__atomic_store_n(&meta->data_tail, tail, __ATOMIC_RELEASE);
	return ret ? ret : count;
}

void dshim_tracer_close(struct dshim_tracer *t)
{
	if (!t)
		return;
	if (t->base && t->base != MAP_FAILED)
		munmap(t->base, t->mmap_len);
	if (t->fd >= 0)
		close(t->fd);
	free(t->tmp);
	free(t);
}

/* ---------------------------------------------------------------- clocks */

static uint64_t now_ns(clockid_t clk)
{
	struct timespec ts;
	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

struct mmap_time {
	uint64_t time;
	int found;
};

static int take_mmap_time(void *arg, const void *record, size_t len, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	struct mmap_time *m = arg;
	const struct perf_event_header *h = record;
	/* With sample_id_all and sample_type TIME, the time ends the record. */
	if (h->type == PERF_RECORD_MMAP && len >= sizeof(*h) + 8 && !m->found) {
		memcpy(&m->time, (const unsigned char *)record + len - 8, 8);
		m->found = 1;
	}
	return 0;
}

int dshim_read_clocks(struct dshim_clock_reading *r, char *err, size_t errlen)
{
	static const int clocks[3] = { -1, CLOCK_MONOTONIC, CLOCK_REALTIME };
	struct dshim_tracer *t[3] = { NULL, NULL, NULL };
	struct mmap_time mt[3];
	int ret = 0;

	memset(r, 0, sizeof(*r));
	memset(mt, 0, sizeof(mt));
	for (int i = 0; i < 3 && !ret; i++) {
		struct perf_event_attr attr;
		memset(&attr, 0, sizeof(attr));
		attr.type = PERF_TYPE_SOFTWARE;
		attr.config = PERF_COUNT_SW_DUMMY;
		attr.sample_type = PERF_SAMPLE_TIME;
		attr.sample_id_all = 1;
		attr.mmap = 1;
		attr.mmap_data = 1;
		attr.exclude_kernel = 1;
		if (clocks[i] >= 0) {
			attr.use_clockid = 1;
			attr.clockid = clocks[i];
		}
		ret = dshim_tracer_open_attr(&t[i], &attr, 0, -1, 0, err, errlen);
	}
	if (!ret) {
		/* One anonymous mapping: the kernel stamps its MMAP record
		 * once per event, on each event's clock. */
		void *p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p != MAP_FAILED)
			munmap(p, 4096);
		for (int i = 0; i < 3; i++)
			dshim_tracer_drain(t[i], take_mmap_time, &mt[i], NULL, 0);
		if (mt[0].found && mt[1].found && mt[2].found) {
			r->has = DSHIM_CLOCK_HAS_MONOTONIC | DSHIM_CLOCK_HAS_PERF |
				 DSHIM_CLOCK_HAS_REALTIME;
			r->perf_ns = mt[0].time;
			r->monotonic_ns = mt[1].time;
			r->realtime_ns = mt[2].time;
		} else {
			shim_err(err, errlen, "perf events gave no mmap record to read clocks from");
			ret = -ENODATA;
		}
	}
	for (int i = 0; i < 3; i++)
		dshim_tracer_close(t[i]);
	if (ret) {
		r->has = DSHIM_CLOCK_HAS_MONOTONIC | DSHIM_CLOCK_HAS_REALTIME;
		r->monotonic_ns = now_ns(CLOCK_MONOTONIC);
		r->realtime_ns = now_ns(CLOCK_REALTIME);
	}
	return ret;
}
