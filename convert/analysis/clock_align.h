/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * clock_align.h - put perf sample times on a record's clock.
 *
 * perf script prints sample times on perf_clock unless perf recorded with
 * `-k mono` (or another -k clock), which `perf script --header` states in a
 * `# clockid:` line.  Records carry DTR_ITEM_CLOCKS readings taken together
 * (record clock, MONOTONIC, perf_clock, REALTIME) at start and end; the
 * offset between two clocks is the difference of their readings (averaged
 * over the readings that have both).
 *
 * Decision, in order:
 *   1. a forced offset (--time-offset) wins;
 *   2. samples known (or told) to be on the record's clock: offset 0;
 *   3. samples on another known clock: offset from the readings, or a
 *      warning and offset 0 when the record has no reading of that clock;
 *   4. clock unknown: the interpretation (record clock, or perf_clock) that
 *      puts the samples inside the record's span is chosen; a warning when
 *      neither or both do without readings to tell.
 */
#ifndef DT_CLOCK_ALIGN_H
#define DT_CLOCK_ALIGN_H

#include <stddef.h>
#include <stdint.h>

#include "dtr.h"

#define DT_CLOCK_MAX_READINGS 8

/* The clock readings of a record, collected from its CLOCKS items. */
struct dt_clock_readings {
	enum dtr_clock record_clock; /* UNKNOWN until a CLOCKS item is seen */
	size_t nr;
	struct dtr_clocks readings[DT_CLOCK_MAX_READINGS]; /* label is not kept */
	uint64_t span_start, span_end; /* snapshot span on the record clock; 0: none */
};

void dt_clock_readings_init(struct dt_clock_readings *cr);
/* Feed record items: CLOCKS readings and SNAPSHOT spans; others ignored. */
void dt_clock_readings_add(struct dt_clock_readings *cr, const struct dtr_item *item);

enum dt_align_method {
	DT_ALIGN_NONE = 0,      /* no record to align to: times kept */
	DT_ALIGN_FORCED,        /* --time-offset */
	DT_ALIGN_SAME_CLOCK,    /* samples already on the record's clock */
	DT_ALIGN_READINGS,      /* offset from the record's clock readings */
	DT_ALIGN_GUESSED,       /* clock unknown; chosen by the record's span */
	DT_ALIGN_UNALIGNED,     /* could not tell: times kept, warning given */
};

struct dt_align_request {
	int forced;              /* use offset_ns as is */
	int64_t offset_ns;
	enum dtr_clock samples_clock; /* from `# clockid:` or the user; UNKNOWN: guess */
	int have_samples;        /* sample time span below is meaningful */
	uint64_t samples_first_ns, samples_last_ns;
};

struct dt_align_result {
	enum dt_align_method method;
	int64_t offset_ns;       /* add to sample times */
	enum dtr_clock samples_clock; /* as decided (UNKNOWN when not known) */
	char warning[256];       /* "" when none */
};

/* Decide the offset; never fails (a doubtful case gives a warning). */
void dt_clock_align(const struct dt_clock_readings *cr,
		    const struct dt_align_request *req, struct dt_align_result *res);

const char *dt_align_method_name(enum dt_align_method m);

/* Signed duration: "-1.5s", "+250ms", "1000" (nanoseconds when bare).
 * 0 or -EINVAL. */
int dt_parse_time_offset(const char *text, int64_t *ns);

#endif /* DT_CLOCK_ALIGN_H */
