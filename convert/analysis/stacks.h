/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * stacks.h - callstack samples, shared by the stack exporters (speedscope,
 * trace-event, folded) and the phase report.
 *
 * Frames are interned (symbol, dso, srcline) -> id; call paths are interned
 * as a prefix tree of nodes (parent, frame), root (outermost caller) at
 * depth 1, so one sample is 24 bytes whatever its depth and two samples
 * with the same path share one node.  Threads are interned (pid, tid) ->
 * index with their comm.  The interner is intern.h's (struct dt_stack_node
 * and dt_stack_thread come from there); a frame without a symbol is
 * "[unknown]".
 *
 * Samples are kept as 24-byte records in memory up to a limit, beyond it
 * in a temporary file (stacks_spool.h): memory grows with the frames, call
 * paths and threads, not with the number of samples.
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
#include "intern.h"
#include "stacks_spool.h"

struct dt_stacks;

struct dt_stack_sample {
	uint64_t time_ns;
	uint64_t weight;  /* see dt_stacks_weight_is_time() */
	uint32_t thread;  /* index for dt_stacks_thread() */
	uint32_t node;    /* leaf node of the call path; 0: empty stack */
};

int dt_stacks_new(struct dt_stacks **st, char *err, size_t errlen);
void dt_stacks_free(struct dt_stacks *st);

/* 0, -ENOMEM or -EOVERFLOW (intern.h). */
int dt_stacks_intern_frame(struct dt_stacks *st, const char *symbol,
			   const char *dso, const char *srcline, uint32_t *id);
/* Thread index of (pid, tid) named `comm`, created if new.  A thread
 * renamed (exec, prctl) gets an index per name, so that every sample keeps
 * the comm it was taken under; a NULL or empty comm means the thread's
 * current name (an empty name is replaced by the first real one). */
int dt_stacks_thread_index(struct dt_stacks *st, int32_t pid, int32_t tid,
			   const char *comm, uint32_t *index);
/* Add a sample; `frames` are ids from dt_stacks_intern_frame, leaf first.
 * weight 0 means unknown (estimated by dt_stacks_finish).  -EINVAL for an
 * unknown frame id (err says so). */
int dt_stacks_add(struct dt_stacks *st, uint64_t time_ns, uint32_t thread,
		  uint64_t weight, uint32_t nr_frames, const uint32_t *frames,
		  char *err, size_t errlen);

/* Bytes of samples (and of each sorting run) kept in memory before they
 * go to a temporary file (stacks_spool.h); call before adding samples.
 * Default DT_RECORDS_MEMORY_DEFAULT; 0: a file from the first sample. */
void dt_stacks_set_memory(struct dt_stacks *st, size_t bytes);
size_t dt_stacks_memory(const struct dt_stacks *st);

/* Feed record items (FRAME, THREAD, STACK; other types are ignored):
 * the record's frame ids are mapped to this set's ids.  `time_offset_ns` is
 * added to the stack times. */
int dt_stacks_add_item(struct dt_stacks *st, const struct dtr_item *item,
		       int64_t time_offset_ns, char *err, size_t errlen);

/* Reading perf script text into the set (dt_stacks_add_perf_script_opts). */
struct dt_stacks_perf_opts {
	int64_t time_offset_ns;  /* added to every time */
	const char *event;       /* the event whose samples are taken; NULL: the
				  * first one seen (dt_perf_event_choice) */
	int unknown_addrs;       /* frames without a symbol keep their address
				  * (dt_perf_script_opts.unknown_addrs) */
	/* Called every 64Ki samples with the path and the samples read. */
	void (*progress)(void *ctx, const char *what, uint64_t done);
	void *progress_ctx;
	/* Filled on success: the clock the text states (DTR_CLOCK_UNKNOWN when
	 * it says nothing), and the notice naming the events left out ("" when
	 * none was). */
	enum dtr_clock clock;
	char notice[320];
};

/* Read a perf script file ("-": stdin) into the set.  Samples of damon:*
 * tracepoints are not callstacks and are skipped; of the others, those of
 * one event are taken (o->event).  Samples without a time get the time of
 * the previous sample (or 0).  -ENODATA when no sample was taken. */
int dt_stacks_add_perf_script_opts(struct dt_stacks *st, const char *path,
				   struct dt_stacks_perf_opts *o, char *err, size_t errlen);
/* The same with defaults but for the time offset; *clock as o->clock. */
int dt_stacks_add_perf_script(struct dt_stacks *st, const char *path,
			      int64_t time_offset_ns, enum dtr_clock *clock,
			      char *err, size_t errlen);

/* Shift the times of the samples added from index `from` on (see
 * dt_stacks_nr_samples) by `delta_ns`: alignment decided after reading.
 * Times that would go below 0 become 0. */
int dt_stacks_shift(struct dt_stacks *st, size_t from, int64_t delta_ns, char *err,
		    size_t errlen);
/* Earliest and latest times of the samples from index `from` on (any
 * order): 1, or 0 (and 0 in both) when there are none; <0 on error. */
int dt_stacks_span_from(const struct dt_stacks *st, size_t from, uint64_t *first,
			uint64_t *last, char *err, size_t errlen);

/* Sort samples by time (samples of one instant by thread, then call path,
 * then as added), and give samples of unknown weight the median interval
 * between consecutive samples of their thread (so idle gaps do not
 * inflate any stack).  Call once after adding; then read the samples with
 * a dt_stacks_iter. */
int dt_stacks_finish(struct dt_stacks *st, char *err, size_t errlen);

size_t dt_stacks_nr_samples(const struct dt_stacks *st);
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

/* After dt_stacks_finish: a thread's number of samples and their summed
 * weight (0 for an unknown index). */
uint64_t dt_stacks_thread_samples(const struct dt_stacks *st, uint32_t thread);
uint64_t dt_stacks_thread_weight(const struct dt_stacks *st, uint32_t thread);
/* Index of the first sample (in time order) at or after `time_ns`. */
int dt_stacks_lower_bound(const struct dt_stacks *st, uint64_t time_ns, size_t *index,
			  char *err, size_t errlen);
/* Group the samples by thread for dt_stacks_iter_thread (a second copy of
 * the samples when several threads have some); once, after finishing. */
int dt_stacks_group_threads(struct dt_stacks *st, char *err, size_t errlen);

/* Reading samples after dt_stacks_finish, in time order: those of indices
 * [from, to), or those of one thread (after dt_stacks_group_threads). */
struct dt_stacks_iter {
	const struct dt_stacks *st;
	struct dt_records_reader rd;
	/* Set after init to read weights as added: 0 for a sample of unknown
	 * weight rather than the estimate dt_stacks_finish made. */
	int raw_weights;
};
void dt_stacks_iter_init(struct dt_stacks_iter *it, const struct dt_stacks *st, size_t from,
			 size_t to);
void dt_stacks_iter_thread(struct dt_stacks_iter *it, const struct dt_stacks *st,
			   uint32_t thread);
/* 1: *s filled; 0: no more; <0: error (a temporary file could not be read). */
int dt_stacks_iter_next(struct dt_stacks_iter *it, struct dt_stack_sample *s, char *err,
			size_t errlen);

/* When the perf script text read held samples deeper than the frames kept
 * per sample: the warning naming how many lost how many root frames. */
const char *dt_stacks_cut_note(const struct dt_stacks *st);

#endif /* DT_STACKS_H */
