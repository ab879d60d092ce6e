// SPDX-License-Identifier: GPL-2.0-only
/* The one interner of frames, call paths and threads (intern.h). */
#include "intern.h"
#include "grow.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define NONE UINT32_MAX

/* Room in array v (capacity cap) for one more after nr.  0, -EOVERFLOW
 * (ids run out) or -ENOMEM. */
#define ROOM_FOR_ONE(v, cap, nr) ((nr) >= NONE - 1 ? -EOVERFLOW : DT_GROW(v, cap, (size_t)(nr) + 1))

int dt_intern_init(struct dt_intern *in)
{
	memset(in, 0, sizeof(*in));
	int rc = ROOM_FOR_ONE(in->nodes, in->cap_nodes, 0);
	if (rc)
		return rc;
	in->nodes[0] = (struct dt_stack_node){ 0, NONE, 0 };
	in->nr_nodes = 1;
	return 0;
}

void dt_intern_free(struct dt_intern *in)
{
	for (uint32_t i = 0; i < in->nr_frames; i++) {
		free(in->frames[i].symbol);
		free(in->frames[i].dso);
		free(in->frames[i].srcline);
	}
	for (uint32_t i = 0; i < in->nr_threads; i++)
		free((char *)in->threads[i].comm);
	free(in->frames);
	free(in->nodes);
	free(in->threads);
	free(in->names);
	dt_hashmap_free(&in->frame_index);
	dt_hashmap_free(&in->node_index);
	dt_hashmap_free(&in->thread_index);
	memset(in, 0, sizeof(*in));
}

static int same_frame(const struct dt_intern_frame *f, const char *symbol, const char *dso,
		      const char *srcline)
{
	return !strcmp(f->symbol, symbol) && !strcmp(f->dso, dso) && !strcmp(f->srcline, srcline);
}

int dt_intern_frame(struct dt_intern *in, const char *symbol, const char *dso,
		    const char *srcline, uint32_t *id)
{
	symbol = symbol ? symbol : "";
	dso = dso ? dso : "";
	srcline = srcline ? srcline : "";
	uint64_t h = dt_hash_str(dt_hash_str(dt_hash_str(DT_HASH_SEED, symbol), dso), srcline);
	uint32_t first = NONE;
	if (dt_hashmap_get(&in->frame_index, h, &first))
		for (uint32_t k = first; k != NONE; k = in->frames[k].next)
			if (same_frame(&in->frames[k], symbol, dso, srcline)) {
				*id = k;
				return 0;
			}
	int rc = ROOM_FOR_ONE(in->frames, in->cap_frames, in->nr_frames);
	if (rc)
		return rc;
	struct dt_intern_frame *f = &in->frames[in->nr_frames];
	*f = (struct dt_intern_frame){ strdup(symbol), strdup(dso), strdup(srcline), first };
	if (!f->symbol || !f->dso || !f->srcline ||
	    dt_hashmap_put(&in->frame_index, h, in->nr_frames)) {
		free(f->symbol);
		free(f->dso);
		free(f->srcline);
		return -ENOMEM;
	}
	*id = in->nr_frames++;
	return 0;
}

int dt_intern_node(struct dt_intern *in, uint32_t parent, uint32_t frame, uint32_t *node)
{
	uint64_t key = (uint64_t)parent << 32 | frame;
	if (dt_hashmap_get(&in->node_index, key, node))
		return 0;
	int rc = ROOM_FOR_ONE(in->nodes, in->cap_nodes, in->nr_nodes);
	if (rc)
		return rc;
	if (dt_hashmap_put(&in->node_index, key, in->nr_nodes))
		return -ENOMEM;
	in->nodes[in->nr_nodes] = (struct dt_stack_node){ parent, frame,
							  in->nodes[parent].depth + 1 };
	*node = in->nr_nodes++;
	return 0;
}

static int set_comm(struct dt_stack_thread *t, const char *comm)
{
	if (t->comm && (!comm || !*comm || !strcmp(t->comm, comm)))
		return 0;
	char *c = strdup(comm ? comm : "");
	if (!c)
		return -ENOMEM;
	free((char *)t->comm);
	t->comm = c;
	return 0;
}

/* A new thread entry for (pid, tid), the one thread_index now maps it to. */
static int add_thread(struct dt_intern *in, int32_t pid, int32_t tid, const char *comm,
		      uint32_t *index)
{
	uint64_t key = (uint64_t)(uint32_t)pid << 32 | (uint32_t)tid;
	int rc = ROOM_FOR_ONE(in->threads, in->cap_threads, in->nr_threads);
	if (rc)
		return rc;
	struct dt_stack_thread *t = &in->threads[in->nr_threads];
	*t = (struct dt_stack_thread){ pid, tid, NULL };
	if (set_comm(t, comm))
		return -ENOMEM;
	if (dt_hashmap_put(&in->thread_index, key, in->nr_threads)) {
		free((char *)t->comm);
		return -ENOMEM;
	}
	*index = in->nr_threads++;
	return 0;
}

int dt_intern_thread(struct dt_intern *in, int32_t pid, int32_t tid, const char *comm,
		     uint32_t *index)
{
	uint64_t key = (uint64_t)(uint32_t)pid << 32 | (uint32_t)tid;
	if (dt_hashmap_get(&in->thread_index, key, index))
		return set_comm(&in->threads[*index], comm);
	return add_thread(in, pid, tid, comm, index);
}

/* A new entry of (pid, tid) named `comm`, after `prev` (NONE: the first). */
static int add_named(struct dt_intern *in, int32_t pid, int32_t tid, const char *comm,
		     uint32_t prev, uint32_t *index)
{
	int rc = ROOM_FOR_ONE(in->names, in->cap_names, in->nr_threads);
	if (!rc)
		rc = add_thread(in, pid, tid, comm, index);
	if (!rc)
		in->names[*index] = (struct dt_intern_name){ prev, *index };
	return rc;
}

int dt_intern_thread_named(struct dt_intern *in, int32_t pid, int32_t tid, const char *comm,
			   uint32_t *index)
{
	uint64_t key = (uint64_t)(uint32_t)pid << 32 | (uint32_t)tid;
	uint32_t head;
	if (!dt_hashmap_get(&in->thread_index, key, &head))
		return add_named(in, pid, tid, comm, NONE, index);
	uint32_t cur = in->names[head].cur;
	*index = cur;
	if (!comm || !*comm || !strcmp(comm, in->threads[cur].comm))
		return 0;
	if (!*in->threads[cur].comm) /* named only now */
		return set_comm(&in->threads[cur], comm);
	for (uint32_t i = head; i != NONE; i = in->names[i].prev) {
		if (!strcmp(in->threads[i].comm, comm)) {
			*index = in->names[head].cur = i;
			return 0;
		}
	}
	return add_named(in, pid, tid, comm, head, index);
}
