/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * intern.h - the one interner of callstacks, shared by the callstack set
 * (stacks.h, damo-stacks) and the timeline (timeline.h): frames (symbol,
 * dso, srcline) -> frame id, call paths as a prefix tree of (parent, frame)
 * nodes -> node id, threads (pid, tid) -> thread index with their comm.
 *
 * Ids count from 0 in the order things are first interned (nodes from 1:
 * node 0 is the empty path, depth 0; a root frame's node has parent 0 and
 * depth 1), so callers that intern the same inputs in the same order get
 * the same ids, and whatever breaks ties by id (the phases' ranking of
 * functions, the flame chart) agrees between them.
 *
 * Frames are equal when their three strings are; NULL is "".  A caller
 * leaves a field out of a frame's identity by passing "" for it (the
 * timeline passes no srcline).  Strings are copied.  A thread's comm is
 * replaced by any later non-empty one (dt_intern_thread), or each name
 * has its own index (dt_intern_thread_named).
 *
 * Memory: per frame 32 bytes, its strings and a hash map entry; per node 12
 * bytes and an entry; per thread 16 bytes, its comm and an entry (entries:
 * hashmap.h, at most 48 bytes).  Arrays double as they grow.  Nothing per
 * sample.
 *
 * Functions return 0 or a negative errno: -ENOMEM, or -EOVERFLOW when the
 * ids of a kind run out (UINT32_MAX - 1 of them); the caller words the
 * message.
 */
#ifndef DT_INTERN_H
#define DT_INTERN_H

#include <stdint.h>

#include "hashmap.h"

struct dt_stack_node {
	uint32_t parent; /* 0 for a root frame (node 0 is the empty path) */
	uint32_t frame;  /* UINT32_MAX for node 0 */
	uint32_t depth;  /* 1 for a root frame */
};

struct dt_stack_thread {
	int32_t pid, tid;
	const char *comm; /* "" when unknown */
};

struct dt_intern_frame {
	char *symbol, *dso, *srcline;
	uint32_t next;   /* an older frame whose strings hash the same; UINT32_MAX: none */
};

/* dt_intern_thread_named: the thread's entry under its previous name
 * (UINT32_MAX: none), and, in the newest entry of a thread (the one its key maps
 * to), the entry of its current name. */
struct dt_intern_name {
	uint32_t prev, cur;
};

struct dt_intern {
	struct dt_intern_frame *frames;
	uint32_t nr_frames;
	size_t cap_frames;
	struct dt_hashmap frame_index;  /* hash of the strings -> newest frame with it */
	struct dt_stack_node *nodes;
	uint32_t nr_nodes;
	size_t cap_nodes;
	struct dt_hashmap node_index;   /* parent << 32 | frame -> node */
	struct dt_stack_thread *threads;
	uint32_t nr_threads;
	size_t cap_threads;
	struct dt_hashmap thread_index; /* pid << 32 | tid -> thread */
	struct dt_intern_name *names;   /* per thread, dt_intern_thread_named's */
	size_t cap_names;
};

/* An empty interner holding node 0.  0 or -ENOMEM. */
int dt_intern_init(struct dt_intern *in);
void dt_intern_free(struct dt_intern *in);

int dt_intern_frame(struct dt_intern *in, const char *symbol, const char *dso,
		    const char *srcline, uint32_t *id);
/* The node of `frame` called from the path ending at node `parent`. */
int dt_intern_node(struct dt_intern *in, uint32_t parent, uint32_t frame, uint32_t *node);
/* The index of thread (pid, tid), its comm replaced when `comm` is not
 * empty (NULL: keep). */
int dt_intern_thread(struct dt_intern *in, int32_t pid, int32_t tid, const char *comm,
		     uint32_t *index);
/* The index of thread (pid, tid) named `comm`: a thread renamed (exec,
 * prctl) gets one index per name, so that every sample keeps the name it
 * was taken under; a NULL or empty comm is the thread's current name, and
 * an entry without a name takes the first one given.  An interner uses
 * this or dt_intern_thread for its threads, not both. */
int dt_intern_thread_named(struct dt_intern *in, int32_t pid, int32_t tid, const char *comm,
			   uint32_t *index);

#endif /* DT_INTERN_H */
