// SPDX-License-Identifier: GPL-2.0-only
/*
 * Alignment of perf sample times to a record's clock (clock_align.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "checked.h"
#include "clock_align.h"
#include "units.h"

void dt_clock_readings_init(struct dt_clock_readings *cr)
{
	memset(cr, 0, sizeof(*cr));
}

void dt_clock_readings_add(struct dt_clock_readings *cr, const struct dtr_item *item)
{
	if (item->type == DTR_ITEM_CLOCKS) {
		cr->record_clock = item->u.clocks.clock;
		if (cr->nr < DT_CLOCK_MAX_READINGS) {
			cr->readings[cr->nr] = item->u.clocks;
			cr->readings[cr->nr].label = NULL;
			cr->nr++;
		} else {
			/* Keep the first and the latest: start and end. */
			cr->readings[DT_CLOCK_MAX_READINGS - 1] = item->u.clocks;
			cr->readings[DT_CLOCK_MAX_READINGS - 1].label = NULL;
		}
	} else if (item->type == DTR_ITEM_SNAPSHOT) {
		const struct dtr_snapshot *s = &item->u.snapshot;
		if (!cr->span_end || s->start_ns < cr->span_start)
			cr->span_start = s->start_ns;
		if (s->end_ns > cr->span_end)
			cr->span_end = s->end_ns;
	}
}

static int reading_of(const struct dtr_clocks *c, enum dtr_clock clock, uint64_t *v)
{
	switch (clock) {
	case DTR_CLOCK_MONOTONIC:
		*v = c->monotonic_ns;
		return !!(c->has & DTR_HAS_MONOTONIC);
	case DTR_CLOCK_PERF:
		*v = c->perf_ns;
		return !!(c->has & DTR_HAS_PERF);
	case DTR_CLOCK_REALTIME:
		*v = c->realtime_ns;
		return !!(c->has & DTR_HAS_REALTIME);
	default:
		return 0;
	}
}

/* Offset that takes times on `from` to `to`, averaged over the readings. */
static int offset_between(const struct dt_clock_readings *cr, enum dtr_clock from,
			  enum dtr_clock to, int64_t *offset)
{
	long double sum = 0;
	size_t n = 0;
	for (size_t i = 0; i < cr->nr; i++) {
		uint64_t a, b;
		if (reading_of(&cr->readings[i], from, &a) && reading_of(&cr->readings[i], to, &b)) {
			sum += (long double)b - (long double)a;
			n++;
		}
	}
	if (!n)
		return 0;
	long double mean = sum / n; /* clamped: readings may hold any value */
	*offset = mean >= 0x1p63L ? INT64_MAX : mean <= -0x1p63L ? INT64_MIN : (int64_t)mean;
	return 1;
}

/* Length of the overlap of the shifted sample span with the record span. */
static uint64_t overlap(const struct dt_clock_readings *cr,
			const struct dt_align_request *req, int64_t off)
{
	uint64_t a = dt_time_shift(req->samples_first_ns, off);
	uint64_t b = dt_time_shift(dt_time_shift(req->samples_last_ns, off), 1);
	uint64_t lo = a > cr->span_start ? a : cr->span_start;
	uint64_t hi = b < cr->span_end ? b : cr->span_end;
	return hi > lo ? hi - lo : 0;
}

void dt_clock_align(const struct dt_clock_readings *cr,
		    const struct dt_align_request *req, struct dt_align_result *res)
{
	enum dtr_clock rec = cr->record_clock ? cr->record_clock : DTR_CLOCK_MONOTONIC;
	memset(res, 0, sizeof(*res));
	res->samples_clock = req->samples_clock;
	if (req->forced) {
		res->method = DT_ALIGN_FORCED;
		res->offset_ns = req->offset_ns;
		return;
	}
	if (!cr->nr && !cr->span_end) {
		res->method = DT_ALIGN_NONE;
		return;
	}
	if (req->samples_clock == rec) {
		res->method = DT_ALIGN_SAME_CLOCK;
		return;
	}
	if (req->samples_clock != DTR_CLOCK_UNKNOWN) {
		if (offset_between(cr, req->samples_clock, rec, &res->offset_ns)) {
			res->method = DT_ALIGN_READINGS;
			return;
		}
		res->method = DT_ALIGN_UNALIGNED;
		snprintf(res->warning, sizeof(res->warning),
			 "the perf samples are on the %s clock and the record (%s clock) has no "
			 "reading of it; times are not aligned (use --time-offset)",
			 dtr_clock_name(req->samples_clock), dtr_clock_name(rec));
		return;
	}
	/* Unknown: the samples' own clock, or perf_clock (perf's default). */
	int64_t perf_off = 0;
	int have_perf = offset_between(cr, DTR_CLOCK_PERF, rec, &perf_off);
	if (!req->have_samples || !cr->span_end) {
		if (have_perf) {
			res->method = DT_ALIGN_READINGS;
			res->offset_ns = perf_off;
			res->samples_clock = DTR_CLOCK_PERF;
		} else {
			res->method = DT_ALIGN_UNALIGNED;
		}
		return;
	}
	uint64_t same = overlap(cr, req, 0);
	uint64_t perf = have_perf ? overlap(cr, req, perf_off) : 0;
	if (have_perf && perf > same) {
		res->method = DT_ALIGN_GUESSED;
		res->offset_ns = perf_off;
		res->samples_clock = DTR_CLOCK_PERF;
		return;
	}
	if (same > 0) {
		res->method = DT_ALIGN_GUESSED;
		res->samples_clock = rec;
		return;
	}
	res->method = DT_ALIGN_UNALIGNED;
	snprintf(res->warning, sizeof(res->warning),
		 "the perf samples (%.3f-%.3f s) do not overlap the record (%.3f-%.3f s) on "
		 "any clock it has readings of; times are not aligned (use --time-offset, or "
		 "perf record -k mono)",
		 req->samples_first_ns / 1e9, req->samples_last_ns / 1e9,
		 cr->span_start / 1e9, cr->span_end / 1e9);
}

const char *dt_align_method_name(enum dt_align_method m)
{
	switch (m) {
	case DT_ALIGN_NONE: return "none";
	case DT_ALIGN_FORCED: return "forced";
	case DT_ALIGN_SAME_CLOCK: return "same-clock";
	case DT_ALIGN_READINGS: return "clock-readings";
	case DT_ALIGN_GUESSED: return "guessed";
	case DT_ALIGN_UNALIGNED: return "unaligned";
	}
	return "?";
}

int dt_parse_time_offset(const char *text, int64_t *ns)
{
	int neg = 0;
	uint64_t v;
	if (*text == '-' || *text == '+') {
		neg = *text == '-';
		text++;
	}
	if (!*text || *text == '-' || *text == '+' || dt_parse_duration_ns(text, 1, &v))
		return -EINVAL;
	if (v > (uint64_t)INT64_MAX)
		return -EINVAL;
	*ns = neg ? -(int64_t)v : (int64_t)v;
	return 0;
}
