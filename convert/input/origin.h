/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * origin.h - the one time zero of a record, shared by every output of it
 * (reports, plots, CSV, trace events, speedscope).
 *
 * Per input kind:
 *   - a damotrace record (.dtr): its start, the CLOCKS reading labelled
 *     "start" that damo-record writes before the workload runs, on the
 *     record's clock;
 *   - a damo record (json, binary) or one without that reading: the start
 *     of its first snapshot;
 *   - perf script text of damon:damon_aggregated: its first event (the
 *     first snapshot's start);
 *   - callstacks alone (perf script of a workload): the first sample.
 * Feed every item of the record (in any order); dt_origin_result() gives
 * the time zero in the record's clock, an absolute time (CLOCK_MONOTONIC
 * for records made by damo-record -k mono and for damo's records).
 *
 * Memory: the struct, nothing else.
 */
#ifndef DT_ORIGIN_H
#define DT_ORIGIN_H

#include <stdint.h>

#include "dtr.h"

struct dt_origin {
	int have_start, have_first;
	uint64_t start_ns;      /* the "start" reading */
	uint64_t first_ns;      /* the earliest snapshot start or sample */
	enum dtr_clock clock;   /* the record's clock, when a reading said */
};

void dt_origin_init(struct dt_origin *o);
void dt_origin_add(struct dt_origin *o, const struct dtr_item *item);
/* A callstack sample's time (perf script text read apart from a record). */
void dt_origin_add_time(struct dt_origin *o, uint64_t time_ns);
/* 1 and *ns the time zero, or 0 when nothing had a time. */
int dt_origin_result(const struct dt_origin *o, uint64_t *ns);
/* "CLOCK_MONOTONIC", "CLOCK_REALTIME", "perf clock", "unknown clock". */
const char *dt_origin_clock_name(const struct dt_origin *o);

#endif /* DT_ORIGIN_H */
