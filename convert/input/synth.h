/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * synth.h - synthetic records that look like DAMON watching a real process.
 *
 * Each target gets a process-like address space (program text and data, a
 * heap, shared libraries, a few anonymous mmaps and the stack, with gaps
 * between them).  Time is cut into phases: in a hot phase one address range
 * is accessed hard and one function is running; quiet gaps in between have
 * no hot range.  Region boundaries jitter from one snapshot to the next and
 * snap to hot range edges, like DAMON's adaptive split and merge;
 * nr_accesses goes up to aggr/sample and ages count aggregation intervals
 * without a notable change.  With stacks, callstack samples (100 per second
 * of record time) show the phase's function.  With footprints, each
 * snapshot is followed by the target's FOOTPRINT: its resident set grows
 * as hot ranges are first touched and never shrinks (so after a phase
 * ends, the gap between RSS and WSS is cold resident memory), CPU time
 * grows with the phase's intensity, minor faults with first touches; the
 * system has 16 GiB.
 *
 * The output depends only on the options: the same seed gives the same
 * bytes.  Memory stays constant whatever the number of snapshots.
 */
#ifndef DT_SYNTH_H
#define DT_SYNTH_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "dtr.h"

struct dt_synth_opts {
	uint64_t nr_snapshots; /* per target; default 600 */
	uint64_t nr_regions;   /* per snapshot; default 400 */
	uint64_t seed;         /* default 1 */
	uint32_t nr_targets;   /* default 1 */
	int stacks;            /* write callstack samples and their frames */
	uint64_t sample_us;    /* default 5000 */
	uint64_t aggr_us;      /* default 100000 */
	uint64_t update_us;    /* default 1000000 */
	uint64_t start_ns;     /* time of the first snapshot; default 1000 s */
	const char *hostname;  /* META hostname; NULL: none */
	const char *cmdline;   /* every target's command line; NULL: "synth-app --phases" */
	int footprint;         /* a FOOTPRINT after each snapshot (RSS and stats) */
};

void dt_synth_default_opts(struct dt_synth_opts *opts);

/* 0 when the options make a record, else -EINVAL with `err` saying why
 * (dt_synth_write checks the same first). */
int dt_synth_check(const struct dt_synth_opts *opts, char *err, size_t errlen);

/* Called now and then with the snapshots written so far (all targets). */
typedef void (*dt_synth_progress_fn)(void *ctx, uint64_t done, uint64_t total);

/* Writes the whole record through `w` (the caller opens and closes it).
 * When `truth` is not NULL, the phases are written to it as text, one line
 * per phase and target:
 *   START_NS END_NS TARGET hot HOT_START HOT_END FUNCTION
 *   START_NS END_NS TARGET quiet - - -
 * (times in ns on the record's clock, end exclusive, addresses in 0x-hex,
 * end exclusive) after a first comment line starting with '#'.
 * Returns 0 or a negative errno with `err` set. */
int dt_synth_write(const struct dt_synth_opts *opts, struct dtr_writer *w, FILE *truth,
		   dt_synth_progress_fn progress, void *ctx, char *err, size_t errlen);

#endif /* DT_SYNTH_H */
