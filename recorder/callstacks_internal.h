/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * callstacks_internal.h - the perf child behind damo-record -g: find perf,
 * run `perf record -g -k mono -e cpu-clock` on the target, stop it, and turn its data into FRAME/THREAD/STACK items through
 * `perf script` and convert/'s perf script reader.  Internal to recorder/.
 */
#ifndef DT_REC_CALLSTACKS_INTERNAL_H
#define DT_REC_CALLSTACKS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "perf_script.h"

struct rec_perf {
	char perf[4096];      /* the perf binary */
	char data[4096];      /* its perf.data, next to the output */
	char args[512];       /* the perf record command line, for META */
	pid_t pid;            /* the running perf record, 0 when none */
	int stop_sent;        /* SIGINT was sent by us */
	int log_fd;           /* perf record's messages (a memfd), -1 when none */
};

/* Find perf: `opt` when given (a path, or a name searched on PATH), else
 * "perf" on PATH.  -ENOENT with a message naming the package otherwise. */
int rec_perf_find(struct rec_perf *p, const char *opt, char *err, size_t errlen);

/* Start perf record on `pid` (0: every CPU, for paddr) with the call graph
 * `mode` (NULL: perf's -g), writing next to `out`; returns once perf is
 * attached (its data file has a header and stopped growing), or a negative errno when it could not. */
int rec_perf_start(struct rec_perf *p, long pid, const char *mode, const char *out, char *err,
		   size_t errlen);

/* Stop perf (SIGINT unless it has already exited) and wait for it. */
int rec_perf_stop(struct rec_perf *p, char *err, size_t errlen);

/* Run perf script on the data and put every sample's items; *samples
 * counts the STACK items put. */
int rec_perf_convert(struct rec_perf *p, dt_perf_script_put_fn put, void *ctx,
		     uint64_t *samples, char *err, size_t errlen);

/* Kill a perf still running, remove (or, with `keep_as`, rename) the data
 * file and drop perf's messages. */
void rec_perf_cleanup(struct rec_perf *p, const char *keep_as);

#endif /* DT_REC_CALLSTACKS_INTERNAL_H */
