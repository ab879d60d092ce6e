// SPDX-License-Identifier: GPL-2.0-only
/*
 * The perf record stream: perf records of the damon:damon_aggregated event
 * (from the ring buffer or a raw capture) decoded into region events for the
 * snapshot assembler, lost records counted.  Nothing here needs a kernel.
 */
#define _GNU_SOURCE
#include "damon_shim.h"

#include <errno.h>
#include <linux/perf_event.h>
#include <stdlib.h>
#include <string.h>

#include "shim_internal.h"

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
