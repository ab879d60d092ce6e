// SPDX-License-Identifier: GPL-2.0-only
// The time zero of a record (origin.h): its "start" clock reading, else
// the earliest snapshot start or callstack sample.
#include <string.h>

#include "origin.h"

void dt_origin_init(struct dt_origin *o)
{
	memset(o, 0, sizeof(*o));
}

/* The reading on the record's own clock. */
static int reading(const struct dtr_clocks *c, uint64_t *ns)
{
	if (c->clock == DTR_CLOCK_PERF && c->has & DTR_HAS_PERF)
		*ns = c->perf_ns;
	else if (c->clock == DTR_CLOCK_REALTIME && c->has & DTR_HAS_REALTIME)
		*ns = c->realtime_ns;
	else if ((c->clock == DTR_CLOCK_MONOTONIC || c->clock == DTR_CLOCK_UNKNOWN) &&
		 c->has & DTR_HAS_MONOTONIC)
		*ns = c->monotonic_ns;
	else
		return 0;
	return 1;
}

void dt_origin_add_time(struct dt_origin *o, uint64_t time_ns)
{
	if (!o->have_first || time_ns < o->first_ns)
		o->first_ns = time_ns;
	o->have_first = 1;
}

void dt_origin_add(struct dt_origin *o, const struct dtr_item *item)
{
	uint64_t ns;

	switch (item->type) {
	case DTR_ITEM_CLOCKS:
		if (item->u.clocks.clock)
			o->clock = item->u.clocks.clock;
		if (!o->have_start && item->u.clocks.label &&
		    !strcmp(item->u.clocks.label, "start") && reading(&item->u.clocks, &ns)) {
			o->start_ns = ns;
			o->have_start = 1;
		}
		break;
	case DTR_ITEM_SNAPSHOT:
		dt_origin_add_time(o, item->u.snapshot.start_ns);
		break;
	case DTR_ITEM_STACK:
		dt_origin_add_time(o, item->u.stack.time_ns);
		break;
	default:
		break;
	}
}

int dt_origin_result(const struct dt_origin *o, uint64_t *ns)
{
	/* a start reading after the data would be no start (a clock mix-up) */
	if (o->have_start && (!o->have_first || o->start_ns <= o->first_ns)) {
		*ns = o->start_ns;
		return 1;
	}
	*ns = o->have_first ? o->first_ns : 0;
	return o->have_first;
}

const char *dt_origin_clock_name(const struct dt_origin *o)
{
	switch (o->clock) {
	case DTR_CLOCK_UNKNOWN:
	case DTR_CLOCK_MONOTONIC:
		return "CLOCK_MONOTONIC";
	case DTR_CLOCK_REALTIME:
		return "CLOCK_REALTIME";
	case DTR_CLOCK_PERF:
		return "perf clock";
	case DTR_CLOCK_BOOTTIME:
		return "CLOCK_BOOTTIME";
	}
	return "unknown clock";
}
