/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * stacks.h - callstack samples in memory, shared by the stack exporters
 * (speedscope, trace-event, folded), the phase report and the timeline.
 *
 * Frames are interned (symbol, dso, srcline) -> id; call paths are interned
 * as a prefix tree of nodes (parent, frame), root (outermost caller) at
 * depth 1, so one sample costs 24 bytes whatever its depth and two samples
 * with the same path share one node.  Threads are interned (pid, tid) ->
 * index with their comm.
 *
 * Sample times are nanoseconds on the record's clock (after alignment, see
 * clock_align.h).  Weights are in nanoseconds of CPU time when
 * dt_stacks_weight_is_time() (cpu-clock/task-clock periods, or estimated
 * from the sampling interval), otherwise in the event's own period units.
 */
#ifndef DT_STACKS_H
#define DT_STACKS_H

#include <stddef.h>
#include <stdint.h>

#include "dtr.h"

struct dt_stacks;

struct dt_stack_sample {
	uint64_t time_ns;
	uint64_t weight;  /* see dt_stacks_weight_is_time() */
	uint32_t thread;  /* index for dt_stacks_thread() */
	uint32_t node;    /* leaf node of the call path; 0: empty stack */
};

struct dt_stack_node {
	uint32_t parent; /* 0 for a root frame (node 0 is the empty path) */
	uint32_t frame;
	uint32_t depth;  /* 1 for a root frame */
};

struct dt_stack_thread {
	int32_t pid, tid;
	const char *comm; /* "" when unknown */
};

int dt_stacks_new(struct dt_stacks **st, char *err, size_t errlen);
void dt_stacks_free(struct dt_stacks *st);

int dt_stacks_intern_frame(struct dt_stacks *st, const char *symbol,
			   const char *dso, const char *srcline, uint32_t *id);
/* Thread index of (pid, tid), created if new; a non-empty comm replaces an
 * earlier one. */
int dt_stacks_thread_index(struct dt_stacks *st, int32_t pid, int32_t tid,
			   const char *comm, uint32_t *index);
/* Add a sample; `frames` are ids from dt_stacks_intern_frame, leaf first.
 * weight 0 means unknown (estimated by dt_stacks_finish). */
int dt_stacks_add(struct dt_stacks *st, uint64_t time_ns, uint32_t thread,
		  uint64_t weight, uint32_t nr_frames, const uint32_t *frames);

/* Feed record items (FRAME, THREAD, STACK; other types are ignored):
 * the record's frame ids are mapped to this set's ids.  `time_offset_ns` is
 * added to the stack times. */
int dt_stacks_add_item(struct dt_stacks *st, const struct dtr_item *item,
		       int64_t time_offset_ns, char *err, size_t errlen);

/* Read a perf script file ("-": stdin) into the set, adding `time_offset_ns`
 * to every time.  Samples of damon:* tracepoints are not callstacks and are
 * skipped.  *clock gets the clock the text states (DTR_CLOCK_UNKNOWN when
 * it says nothing).  Samples without a time get the time of the previous
 * sample (or 0). */
int dt_stacks_add_perf_script(struct dt_stacks *st, const char *path,
			      int64_t time_offset_ns, enum dtr_clock *clock,
			      char *err, size_t errlen);
/* The same, calling progress(ctx, path, samples read) every 64Ki samples. */
int dt_stacks_add_perf_script_progress(struct dt_stacks *st, const char *path,
				       int64_t time_offset_ns, enum dtr_clock *clock,
				       void (*progress)(void *ctx, const char *what,
							uint64_t done),
				       void *ctx, char *err, size_t errlen);

/* Shift the times of the samples added from index `from` on (see
 * dt_stacks_nr_samples) by `delta_ns`: alignment decided after reading. */
void dt_stacks_shift(struct dt_stacks *st, size_t from, int64_t delta_ns);
/* Earliest and latest times of the samples from index `from` on (any
 * order); 0 when there are none. */
int dt_stacks_span_from(const struct dt_stacks *st, size_t from, uint64_t *first,
			uint64_t *last);

/* Sort samples by time (stable), and give samples of unknown weight the
 * median interval between consecutive samples of their thread (so idle
 * gaps do not inflate any stack).  Call once after adding. */
void dt_stacks_finish(struct dt_stacks *st);

size_t dt_stacks_nr_samples(const struct dt_stacks *st);
const struct dt_stack_sample *dt_stacks_samples(const struct dt_stacks *st);
uint32_t dt_stacks_nr_frames(const struct dt_stacks *st);
/* Symbol/dso/srcline of a frame ("" for none). */
const char *dt_stacks_frame_symbol(const struct dt_stacks *st, uint32_t frame);
const char *dt_stacks_frame_dso(const struct dt_stacks *st, uint32_t frame);
const char *dt_stacks_frame_srcline(const struct dt_stacks *st, uint32_t frame);
uint32_t dt_stacks_nr_nodes(const struct dt_stacks *st);
const struct dt_stack_node *dt_stacks_node(const struct dt_stacks *st, uint32_t node);
uint32_t dt_stacks_nr_threads(const struct dt_stacks *st);
const struct dt_stack_thread *dt_stacks_thread(const struct dt_stacks *st, uint32_t index);
int dt_stacks_weight_is_time(const struct dt_stacks *st);
/* Frames of a node's path, root first, into `out` (capacity `cap`); returns
 * the depth (which may exceed cap). */
uint32_t dt_stacks_path(const struct dt_stacks *st, uint32_t node,
			uint32_t *out, uint32_t cap);
/* Earliest and latest sample times; 0 when there are no samples. */
int dt_stacks_time_range(const struct dt_stacks *st, uint64_t *first,
			 uint64_t *last);

#endif /* DT_STACKS_H */
