/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * recorder_internal.h - what the files of recorder/ share: the state of one
 * recording or replay (struct rec) and the functions one file offers the
 * others.  Internal to recorder/; recorder.h is the public header.
 *
 * Who does what:
 *   recorder.c  the core: setup, the loop, stop, and writing the record;
 *   options.c   option helpers (ranges, command words, sudo, ring size);
 *   child.c     the started command, the targets' children, target exit;
 *   replay.c    rec_replay_raw;
 *   callstacks.c the perf child of -g (callstacks_internal.h);
 *   footprint.c the targets' memory footprint after each snapshot.
 *
 * Conventions as recorder.h: 0 or a negative errno, and one line in the
 * caller-owned `err` (size `errlen`, which may be 0).  A struct rec is
 * filled by rec_init, freed by rec_free, and used by one thread.
 */
#ifndef DT_RECORDER_INTERNAL_H
#define DT_RECORDER_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "callstacks_internal.h"
#include "damon_shim.h"
#include "dtr.h"
#include "errmsg.h"
#include "recorder.h"

#define MAX_TARGETS 64

struct rec {
	const struct rec_options *o;
	struct rec_stats *st;
	const char *out;
	int out_fd;
	struct dtr_writer *w;
	int write_failed;
	char werr[512];
	struct dshim_roots roots;
	struct dshim_damon *damon;
	struct dshim_tracer *tracer;
	struct dshim_assembler *asm_;
	struct dshim_stream *stream;
	struct dshim_capture *capture;
	struct dshim_event_format fmt;
	char *format_text;
	const char *ops;
	uint64_t sample_us, aggr_us, update_us, min_nr, max_nr;
	size_t nr_targets, context_targets;
	long pids[MAX_TARGETS];
	uint64_t prev_end[MAX_TARGETS];
	uint64_t maps_hash[MAX_TARGETS];
	char cmdlines[MAX_TARGETS][256];
	int intervals_written;
	int recording;        /* setup done: from here on the output is kept */
	int moved_old;        /* an earlier file was renamed to NAME.old */
	char old_path[4096];
	struct dshim_range *paddr_ranges;
	size_t nr_paddr_ranges;
	pid_t child;
	int go_fd, exec_err_fd;
	int child_reaped;
	uid_t sudo_uid;
	gid_t sudo_gid;
	int under_sudo;
	struct dtr_region *regbuf;
	size_t regcap;
	uint64_t t0;
	struct rec_perf perf;
	int perf_running;
	int footprint;        /* write a FOOTPRINT after each snapshot (not in replays) */
};

/* ---------------------------------------------------------------- recorder.c */

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t now_ns(void);
/* Zero `r` and `st`, and take the intervals, region counts and operations
 * from `o` (damo's defaults where 0).  Allocates nothing. */
void rec_init(struct rec *r, const struct rec_options *o, struct rec_stats *st);
/* Free what the recording allocated (not the output: close_output). */
void rec_free(struct rec *r);
/* Create the output (o->out or damon.dtr; an existing file becomes
 * NAME.old), given to the sudo user, and open the record writer on it. */
int open_output(struct rec *r, char *err, size_t errlen);
/* The META item of the start: tool, kernel, host, command line, `source`,
 * and one more key when `extra_key` is not NULL. */
int write_meta(struct rec *r, const char *source, const char *extra_key,
	       const char *extra_value, char *err, size_t errlen);
/* The META item of the stop: its reason (and signal). */
int write_stop_meta(struct rec *r, char *err, size_t errlen);
/* dshim_snapshot_fn: write one assembled snapshot (arg is the struct rec). */
int on_snapshot(void *arg, const struct dshim_snapshot *snap, char *err, size_t errlen);
/* 1 when the main's stop signal is set (st->stop and st->signal say so). */
int stop_requested(struct rec *r);
/* Close (or abort, when `ret` or a write failed) the record and its file;
 * a failure before recording began removes it and puts back NAME.old.
 * Returns the first error, `ret` first. */
int close_output(struct rec *r, int ret, char *err, size_t errlen);

/* ---------------------------------------------------------------- options.c */

/* Under sudo as root (SUDO_UID and SUDO_GID numeric, uid not 0): set
 * under_sudo, sudo_uid and sudo_gid. */
void detect_sudo(struct rec *r);
/* The ring buffer's order for `pages` pages (rounded up to a power of two,
 * at most 2^16; 0: 2^9). */
unsigned pages_order(unsigned pages);

/* ---------------------------------------------------------------- child.c */

/* Fork the command (o->argv), held until release_child; pids[0] is its pid. */
int start_child(struct rec *r, char *err, size_t errlen);
/* Let the held command exec (as the sudo user unless o->as_root); fails
 * with the errno of its exec when it could not. */
int release_child(struct rec *r, char *err, size_t errlen);
/* A command never released: close its pipe (it exits) and reap it. */
void end_child(struct rec *r);
/* Add the targets' children not yet targets (at most MAX_TARGETS in all);
 * returns how many were added. */
int find_new_children(struct rec *r);
/* 1 when the target has exited (a started command is reaped here and its
 * status kept in st->target_status); always 0 for paddr. */
int target_exited(struct rec *r);

/* ---------------------------------------------------------------- footprint.c */

/* Fill *f with the footprint of `target` read now (its process's statm,
 * VmSwap and stat, and the system's meminfo), stamped `time_ns`.  1 when
 * there is one to write; 0 when the process is gone or exiting (no statm)
 * and nothing could be read. */
int footprint_of(struct rec *r, uint32_t target, uint64_t time_ns, struct dtr_footprint *f);

#endif /* DT_RECORDER_INTERNAL_H */
