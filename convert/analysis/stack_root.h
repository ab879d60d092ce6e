/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * stack_root.h - which frames at the root of a callstack are only perf's
 * symbolization of a program's start-up, folded into one DT_ROOT_FRAME in
 * pictures, the HTML report and phase naming (never in the folded,
 * speedscope or trace-event exports, which keep every frame as recorded).
 *
 * Decided by DSO, not by name: a static binary has no symbol covering
 * _start, so perf ends its stacks with a frame it cannot resolve (DSO
 * "[unknown]" or none) and names _start's address after its neighbour in
 * the executable (often __do_global_dtors_aux).  The start-up roots of a
 * stack are its root-most run of unresolved frames and, when there is
 * one, the frame just above it when that frame lies in an executable
 * (a DSO that is a file but not a shared object, "*.so" or "*.so.N").
 * Stacks whose root perf resolved (dynamic binaries: _start,
 * __libc_start_main; threads: clone3, start_thread) have none.
 */
#ifndef DT_STACK_ROOT_H
#define DT_STACK_ROOT_H

#include <stddef.h>
#include <stdint.h>

#define DT_ROOT_FRAME "[root]"

/* The DSO of a frame id ("" when none). */
typedef const char *(*dt_frame_dso_fn)(const void *ctx, uint32_t frame);

/* How many of the nr frames (leaf first, as records keep them) at the
 * root are start-up roots; 0..nr. */
uint32_t dt_stack_root_frames(const uint32_t *frames, uint32_t nr, dt_frame_dso_fn dso_of,
			      const void *ctx);

#endif /* DT_STACK_ROOT_H */
