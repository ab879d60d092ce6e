// SPDX-License-Identifier: GPL-2.0-only
/*
 * damon:damon_aggregated: the event format, decoding raw samples, the
 * assembly of region events into snapshots, perf record streams and raw
 * capture files.  Nothing here needs a kernel.
 */
#define _GNU_SOURCE
#include "damon_shim.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/perf_event.h>
#include <stdlib.h>
#include <string.h>
#include <traceevent/event-parse.h>
#include <unistd.h>

#include "shim_internal.h"

/* ---------------------------------------------------------------- format */

static int take_field(struct tep_event *ev, const char *name, struct dshim_field *f,
		      int required, char *err, size_t errlen)
{
	struct tep_format_field *field = tep_find_field(ev, name);

	f->offset = 0;
	f->size = 0;
	if (!field) {
		if (required)
			shim_err(err, errlen, "damon_aggregated format: no field '%s'", name);
		return required ? -EINVAL : 0;
	}
	if (field->offset < 0 || field->offset > 65535 ||
	    (field->size != 1 && field->size != 2 && field->size != 4 && field->size != 8)) {
		shim_err(err, errlen, "damon_aggregated format: field '%s' has offset %d size %d",
			 name, field->offset, field->size);
		return -EINVAL;
	}
	f->offset = field->offset;
	f->size = field->size;
	return 0;
}

int dshim_event_format_parse(const char *text, size_t len, struct dshim_event_format *fmt,
			     char *err, size_t errlen)
{
	struct tep_handle *tep = tep_alloc();
	int ret = 0;

	memset(fmt, 0, sizeof(*fmt));
	fmt->id = -1;
	if (!tep) {
		shim_err(err, errlen, "out of memory");
		return -ENOMEM;
	}
	/* libtraceevent wants a writable, NUL-terminated copy. */
	char *copy = malloc(len + 1);
	if (!copy) {
		tep_free(tep);
		shim_err(err, errlen, "out of memory");
		return -ENOMEM;
	}
	memcpy(copy, text, len);
	copy[len] = '\0';
	if (tep_parse_event(tep, copy, len, "damon") != 0) {
		shim_err(err, errlen, "damon_aggregated format: libtraceevent cannot parse it");
		ret = -EINVAL;
		goto out;
	}
	struct tep_event *ev = tep_find_event_by_name(tep, "damon", "damon_aggregated");
	if (!ev) {
		shim_err(err, errlen, "format text is not the damon:damon_aggregated event");
		ret = -EINVAL;
		goto out;
	}
	fmt->id = ev->id;
	if ((ret = take_field(ev, "target_id", &fmt->target_id, 1, err, errlen)) ||
	    (ret = take_field(ev, "nr_regions", &fmt->nr_regions, 1, err, errlen)) ||
	    (ret = take_field(ev, "start", &fmt->start, 1, err, errlen)) ||
	    (ret = take_field(ev, "end", &fmt->end, 1, err, errlen)) ||
	    (ret = take_field(ev, "nr_accesses", &fmt->nr_accesses, 1, err, errlen)) ||
	    (ret = take_field(ev, "age", &fmt->age, 0, err, errlen)))
		goto out;
	const struct dshim_field *all[] = { &fmt->target_id, &fmt->nr_regions, &fmt->start,
					    &fmt->end, &fmt->nr_accesses, &fmt->age };
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (all[i]->size && all[i]->offset + all[i]->size > fmt->min_raw_size)
			fmt->min_raw_size = all[i]->offset + all[i]->size;
out:
	free(copy);
	tep_free(tep);
	return ret;
}

static uint64_t read_num(const unsigned char *p, int size)
{
	switch (size) {
	case 1:
		return p[0];
	case 2: {
		uint16_t v;
		memcpy(&v, p, 2);
		return v;
	}
	case 4: {
		uint32_t v;
		memcpy(&v, p, 4);
		return v;
	}
	default: {
		uint64_t v;
		memcpy(&v, p, 8);
		return v;
	}
	}
}

static uint32_t clamp32(uint64_t v)
{
	return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

int dshim_event_decode(const struct dshim_event_format *fmt, const void *raw, size_t len,
		       struct dshim_region_event *ev, char *err, size_t errlen)
{
	const unsigned char *p = raw;

	if (fmt->min_raw_size <= 0 || len < (size_t)fmt->min_raw_size) {
		shim_err(err, errlen, "damon_aggregated sample: %zu bytes of raw data, need %d", len,
			 fmt->min_raw_size);
		return -EINVAL;
	}
	ev->target_id = read_num(p + fmt->target_id.offset, fmt->target_id.size);
	ev->nr_regions = clamp32(read_num(p + fmt->nr_regions.offset, fmt->nr_regions.size));
	ev->start = read_num(p + fmt->start.offset, fmt->start.size);
	ev->end = read_num(p + fmt->end.offset, fmt->end.size);
	ev->nr_accesses = clamp32(read_num(p + fmt->nr_accesses.offset, fmt->nr_accesses.size));
	ev->has_age = fmt->age.size != 0;
	ev->age = ev->has_age ? clamp32(read_num(p + fmt->age.offset, fmt->age.size)) : 0;
	return 0;
}

/* ---------------------------------------------------------------- assembler */

struct dshim_assembler {
	dshim_snapshot_fn fn;
	void *arg;
	uint64_t gap_ns;
	uint64_t *ids; /* kernel-pointer target ids, in order of appearance */
	size_t nr_ids, cap_ids;
	int pending;
	struct dshim_snapshot cur;
	struct dshim_region *regions;
	size_t nr, cap;
	uint64_t last_time, last_end;
	uint64_t lost_total;
};

int dshim_assembler_new(struct dshim_assembler **out, uint32_t nr_targets, uint64_t gap_ns,
			dshim_snapshot_fn fn, void *arg)
{
	(void)nr_targets;
	struct dshim_assembler *a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	a->fn = fn;
	a->arg = arg;
	dshim_assembler_set_gap(a, gap_ns);
	*out = a;
	return 0;
}

void dshim_assembler_set_gap(struct dshim_assembler *a, uint64_t gap_ns)
{
	a->gap_ns = gap_ns ? gap_ns : 1000000;
}

/* Since 5.18 target_id is the target's index; before, a kernel pointer. */
static int target_index(struct dshim_assembler *a, uint64_t id, uint32_t *idx)
{
	if (id < (1ull << 32)) {
		*idx = (uint32_t)id;
		return 0;
	}
	for (size_t i = 0; i < a->nr_ids; i++)
		if (a->ids[i] == id) {
			*idx = (uint32_t)i;
			return 0;
		}
	if (a->nr_ids == a->cap_ids) {
		size_t cap = a->cap_ids ? a->cap_ids * 2 : 4;
		uint64_t *nb = realloc(a->ids, cap * sizeof(*nb));
		if (!nb)
			return -ENOMEM;
		a->ids = nb;
		a->cap_ids = cap;
	}
	a->ids[a->nr_ids] = id;
	*idx = (uint32_t)a->nr_ids++;
	return 0;
}

static int finalize(struct dshim_assembler *a, char *err, size_t errlen)
{
	if (!a->pending)
		return 0;
	a->pending = 0;
	if (a->nr != a->cur.expected)
		a->cur.incomplete = 1;
	a->cur.nr_regions = a->nr;
	a->cur.regions = a->regions;
	return a->fn(a->arg, &a->cur, err, errlen);
}

int dshim_assembler_add(struct dshim_assembler *a, const struct dshim_region_event *ev,
			char *err, size_t errlen)
{
	uint32_t idx;
	int ret;

	if (target_index(a, ev->target_id, &idx)) {
		shim_err(err, errlen, "out of memory");
		return -ENOMEM;
	}
	/* Without losses, a new aggregation of the same target always steps
	 * back in address.  After a loss its head may be gone too: then a
	 * pause longer than gap_ns tells the aggregations apart (a pause alone
	 * never splits one, e.g. a stalled vCPU). */
	if (a->pending &&
	    (idx != a->cur.target || ev->nr_regions != a->cur.expected || ev->start < a->last_end ||
	     ev->time_ns < a->last_time ||
	     (a->cur.incomplete && ev->time_ns - a->last_time > a->gap_ns))) {
		ret = finalize(a, err, errlen);
		if (ret)
			return ret;
	}
	if (!a->pending) {
		memset(&a->cur, 0, sizeof(a->cur));
		a->cur.time_ns = ev->time_ns;
		a->cur.target = idx;
		a->cur.target_id = ev->target_id;
		a->cur.expected = ev->nr_regions;
		a->cur.has_age = ev->has_age;
		a->nr = 0;
		a->pending = 1;
	}
	if (a->nr == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 256;
		struct dshim_region *nb = realloc(a->regions, cap * sizeof(*nb));
		if (!nb) {
			shim_err(err, errlen, "out of memory");
			return -ENOMEM;
		}
		a->regions = nb;
		a->cap = cap;
	}
	a->regions[a->nr++] = (struct dshim_region){ ev->start, ev->end, ev->nr_accesses, ev->age };
	a->last_time = ev->time_ns;
	a->last_end = ev->end;
	if (a->nr >= a->cur.expected)
		return finalize(a, err, errlen);
	return 0;
}

void dshim_assembler_lost(struct dshim_assembler *a, uint64_t nr_lost)
{
	a->lost_total += nr_lost;
	/* A snapshot in progress has lost some of its regions (or its end):
	 * never let the next aggregation's events fill its count. */
	if (a->pending)
		a->cur.incomplete = 1;
	/* Between snapshots, the next one is short if it lost its head, and
	 * its count says so when it is finalized. */
}

int dshim_assembler_flush(struct dshim_assembler *a, char *err, size_t errlen)
{
	return finalize(a, err, errlen);
}

uint64_t dshim_assembler_lost_events(const struct dshim_assembler *a)
{
	return a->lost_total;
}

void dshim_assembler_free(struct dshim_assembler *a)
{
	if (!a)
		return;
	free(a->ids);
	free(a->regions);
	free(a);
}

/* ---------------------------------------------------------------- stream */

#define SUPPORTED_SAMPLE_BITS                                                              \
	(PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_ADDR |          \
	 PERF_SAMPLE_ID | PERF_SAMPLE_STREAM_ID | PERF_SAMPLE_CPU | PERF_SAMPLE_PERIOD |   \
	 PERF_SAMPLE_RAW | PERF_SAMPLE_IDENTIFIER)

struct dshim_stream {
	struct dshim_event_format fmt;
	uint64_t sample_type;
	struct dshim_assembler *asm_;
	struct dshim_stream_stats st;
};

int dshim_stream_new(struct dshim_stream **out, const struct dshim_event_format *fmt,
		     uint64_t sample_type, struct dshim_assembler *asm_)
{
	if (!sample_type)
		sample_type = PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_CPU | PERF_SAMPLE_RAW;
	if ((sample_type & ~(uint64_t)SUPPORTED_SAMPLE_BITS) || !(sample_type & PERF_SAMPLE_RAW) ||
	    !(sample_type & PERF_SAMPLE_TIME))
		return -EINVAL;
	struct dshim_stream *s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->fmt = *fmt;
	s->sample_type = sample_type;
	s->asm_ = asm_;
	*out = s;
	return 0;
}

struct cursor {
	const unsigned char *p, *end;
};

static int take(struct cursor *c, void *out, size_t n)
{
	if ((size_t)(c->end - c->p) < n)
		return -1;
	if (out)
		memcpy(out, c->p, n);
	c->p += n;
	return 0;
}

static int decode_sample(struct dshim_stream *s, struct cursor *c, struct dshim_region_event *ev,
			 char *err, size_t errlen)
{
	uint64_t t = s->sample_type, skip;
	uint32_t pair[2];

	memset(ev, 0, sizeof(*ev));
	ev->cpu = UINT32_MAX;
	if ((t & PERF_SAMPLE_IDENTIFIER) && take(c, &skip, 8))
		goto short_;
	if ((t & PERF_SAMPLE_IP) && take(c, &skip, 8))
		goto short_;
	if (t & PERF_SAMPLE_TID) {
		if (take(c, pair, 8))
			goto short_;
		ev->pid = pair[0];
		ev->tid = pair[1];
	}
	if ((t & PERF_SAMPLE_TIME) && take(c, &ev->time_ns, 8))
		goto short_;
	if ((t & PERF_SAMPLE_ADDR) && take(c, &skip, 8))
		goto short_;
	if ((t & PERF_SAMPLE_ID) && take(c, &skip, 8))
		goto short_;
	if ((t & PERF_SAMPLE_STREAM_ID) && take(c, &skip, 8))
		goto short_;
	if (t & PERF_SAMPLE_CPU) {
		if (take(c, pair, 8))
			goto short_;
		ev->cpu = pair[0];
	}
	if ((t & PERF_SAMPLE_PERIOD) && take(c, &skip, 8))
		goto short_;
	uint32_t raw_size;
	if (take(c, &raw_size, 4) || (size_t)(c->end - c->p) < raw_size)
		goto short_;
	return dshim_event_decode(&s->fmt, c->p, raw_size, ev, err, errlen);
short_:
	shim_err(err, errlen, "perf sample record too short for its sample type");
	return -EINVAL;
}

int dshim_stream_feed(struct dshim_stream *s, const void *record, size_t len, char *err,
		      size_t errlen)
{
	struct perf_event_header h;
	struct cursor c = { record, (const unsigned char *)record + len };
	struct dshim_region_event ev;
	uint64_t v[2];

	if (take(&c, &h, sizeof(h)) || h.size < sizeof(h) || h.size > len) {
		shim_err(err, errlen, "perf record: bad header (size %zu)", len);
		return -EINVAL;
	}
	c.end = (const unsigned char *)record + h.size;
	s->st.records++;
	switch (h.type) {
	case PERF_RECORD_SAMPLE:
		if (decode_sample(s, &c, &ev, err, errlen)) {
			/* A sample we cannot read is a lost one, never a guess. */
			s->st.bad_samples++;
			dshim_assembler_lost(s->asm_, 1);
			return 0;
		}
		s->st.samples++;
		return dshim_assembler_add(s->asm_, &ev, err, errlen);
	case PERF_RECORD_LOST:
		if (take(&c, v, 16))
			v[1] = 1;
		s->st.lost_records++;
		s->st.lost_events += v[1];
		dshim_assembler_lost(s->asm_, v[1]);
		return 0;
	case PERF_RECORD_LOST_SAMPLES:
		if (take(&c, v, 8))
			v[0] = 1;
		s->st.lost_records++;
		s->st.lost_events += v[0];
		dshim_assembler_lost(s->asm_, v[0]);
		return 0;
	default:
		return 0;
	}
}

void dshim_stream_get_stats(const struct dshim_stream *s, struct dshim_stream_stats *st)
{
	*st = s->st;
}

void dshim_stream_free(struct dshim_stream *s)
{
	free(s);
}

/* ---------------------------------------------------------------- capture */

#define CAPTURE_MAGIC "DAMOTRACE-RAW 1\n"

struct dshim_capture {
	FILE *f;
	char path[DSHIM_PATH_LEN];
};

int dshim_capture_create(struct dshim_capture **out, const char *path, uint64_t sample_type,
			 const char *format_text, char *err, size_t errlen)
{
	struct dshim_capture *c = calloc(1, sizeof(*c));
	if (!c) {
		shim_err(err, errlen, "out of memory");
		return -ENOMEM;
	}
	snprintf(c->path, sizeof(c->path), "%s", path);
	/* A debugging file may hold addresses: readable by its owner only. */
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	c->f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!c->f) {
		if (fd >= 0)
			close(fd);
		int e = -errno;
		shim_err(err, errlen, "%s: %s", path, strerror(errno));
		free(c);
		return e;
	}
	if (!sample_type)
		sample_type = PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_CPU | PERF_SAMPLE_RAW;
	size_t flen = format_text ? strlen(format_text) : 0;
	fprintf(c->f, CAPTURE_MAGIC "sample_type %" PRIu64 "\nformat %zu\n", sample_type, flen);
	if (flen)
		fwrite(format_text, 1, flen, c->f);
	fputs("\nrecords\n", c->f);
	if (ferror(c->f)) {
		int e = -errno;
		shim_err(err, errlen, "%s: %s", path, strerror(errno));
		fclose(c->f);
		free(c);
		return e ? e : -EIO;
	}
	*out = c;
	return 0;
}

int dshim_capture_put(struct dshim_capture *c, const void *record, size_t len, char *err,
		      size_t errlen)
{
	if (fwrite(record, 1, len, c->f) != len) {
		int e = errno ? -errno : -EIO;
		shim_err(err, errlen, "%s: %s", c->path, strerror(-e));
		return e;
	}
	return 0;
}

int dshim_capture_fd(const struct dshim_capture *c)
{
	return fileno(c->f);
}

int dshim_capture_close(struct dshim_capture *c, char *err, size_t errlen)
{
	if (!c)
		return 0;
	int e = 0;
	if (fclose(c->f)) {
		e = -errno;
		shim_err(err, errlen, "%s: %s", c->path, strerror(errno));
	}
	free(c);
	return e;
}

struct dshim_capture_reader {
	FILE *f;
	char path[DSHIM_PATH_LEN];
	uint64_t sample_type;
	char *format;
	unsigned char *buf;
	size_t cap;
	uint64_t offset;
};

int dshim_capture_open(struct dshim_capture_reader **out, const char *path, char *err,
		       size_t errlen)
{
	struct dshim_capture_reader *r = calloc(1, sizeof(*r));
	char line[128];
	size_t flen;
	unsigned long long st;

	if (!r) {
		shim_err(err, errlen, "out of memory");
		return -ENOMEM;
	}
	snprintf(r->path, sizeof(r->path), "%s", path);
	r->f = fopen(path, "re");
	if (!r->f) {
		int e = -errno;
		shim_err(err, errlen, "%s: %s", path, strerror(errno));
		free(r);
		return e;
	}
	if (!fgets(line, sizeof(line), r->f)) {
		/* A directory opens, and fails only when read. */
		if (ferror(r->f))
			shim_err(err, errlen, "%s: %s", path, strerror(errno));
		else
			shim_err(err, errlen, "%s: empty, not a damotrace raw capture", path);
		goto bad;
	}
	if (strcmp(line, CAPTURE_MAGIC)) {
		shim_err(err, errlen, "%s: offset 0: not a damotrace raw capture", path);
		goto bad;
	}
	if (!fgets(line, sizeof(line), r->f) || sscanf(line, "sample_type %llu", &st) != 1 ||
	    !fgets(line, sizeof(line), r->f) || sscanf(line, "format %zu", &flen) != 1 ||
	    flen > (1u << 20)) {
		shim_err(err, errlen, "%s: offset %ld: bad capture header", path, ftell(r->f));
		goto bad;
	}
	r->sample_type = st;
	r->format = malloc(flen + 1);
	if (!r->format || fread(r->format, 1, flen, r->f) != flen) {
		shim_err(err, errlen, "%s: offset %ld: truncated format text", path, ftell(r->f));
		goto bad;
	}
	r->format[flen] = '\0';
	if (!fgets(line, sizeof(line), r->f) || strcmp(line, "\n") ||
	    !fgets(line, sizeof(line), r->f) || strcmp(line, "records\n")) {
		shim_err(err, errlen, "%s: offset %ld: bad capture header", path, ftell(r->f));
		goto bad;
	}
	r->offset = (uint64_t)ftell(r->f);
	*out = r;
	return 0;
bad:
	dshim_capture_close_reader(r);
	return -EINVAL;
}

uint64_t dshim_capture_sample_type(const struct dshim_capture_reader *r)
{
	return r->sample_type;
}

const char *dshim_capture_format_text(const struct dshim_capture_reader *r)
{
	return r->format;
}

int dshim_capture_next(struct dshim_capture_reader *r, const void **record, size_t *len,
		       char *err, size_t errlen)
{
	struct perf_event_header h;
	size_t got = fread(&h, 1, sizeof(h), r->f);

	if (got == 0 && feof(r->f))
		return 0;
	if (ferror(r->f)) {
		shim_err(err, errlen, "%s: offset %" PRIu64 ": %s", r->path, r->offset,
			 strerror(errno));
		return -EIO;
	}
	if (got != sizeof(h) || h.size < sizeof(h)) {
		shim_err(err, errlen, "%s: offset %" PRIu64 ": truncated or bad record header",
			 r->path, r->offset);
		return -EINVAL;
	}
	if (h.size > r->cap) {
		unsigned char *nb = realloc(r->buf, 65536);
		if (!nb) {
			shim_err(err, errlen, "out of memory");
			return -ENOMEM;
		}
		r->buf = nb;
		r->cap = 65536;
	}
	memcpy(r->buf, &h, sizeof(h));
	if (fread(r->buf + sizeof(h), 1, h.size - sizeof(h), r->f) != h.size - sizeof(h)) {
		if (ferror(r->f)) {
			shim_err(err, errlen, "%s: offset %" PRIu64 ": %s", r->path, r->offset,
				 strerror(errno));
			return -EIO;
		}
		shim_err(err, errlen, "%s: offset %" PRIu64 ": truncated record of %u bytes",
			 r->path, r->offset, h.size);
		return -EINVAL;
	}
	r->offset += h.size;
	*record = r->buf;
	*len = h.size;
	return 1;
}

void dshim_capture_close_reader(struct dshim_capture_reader *r)
{
	if (!r)
		return;
	if (r->f)
		fclose(r->f);
	free(r->format);
	free(r->buf);
	free(r);
}
