/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * output.h - the one way every command writes an output file, so that an
 * old file is never destroyed by a failed, interrupted or mistaken run.
 *
 * A regular-file output is written to a temporary file in the folder of
 * the file it replaces (an anonymous O_TMPFILE where the filesystem allows,
 * else a named file that tempfile.h removes on SIGINT, SIGTERM and SIGHUP),
 * then flushed, fsync'd, checked and renamed over the target:
 *   - a symbolic link is resolved first: its target is replaced (by rename),
 *     the link stays; a link through /proc (/dev/stdout, /proc/self/fd/N)
 *     is written directly, as what is not a regular file (/dev/null, a
 *     FIFO, a terminal) is;
 *   - an output that is one of the inputs (same st_dev and st_ino, through
 *     links of any kind) is refused before anything is written;
 *   - the new file gets the old file's mode and, where allowed, its owner;
 *     a new file gets 0666 less the umask;
 *   - a write-protected output is refused unless running as root, and an
 *     output with other hard links is refused (replacing it would cut it
 *     from them; writing in place could destroy it);
 *   - until dt_output_commit() succeeds the old file is untouched: on any
 *     failure or signal it is still there and no temporary file is left.
 * No name or "-" means standard output, written as a stream.
 *
 * Functions return 0 or a negative errno and write one line naming the
 * output and the cause into `err`.
 */
#ifndef DT_OUTPUT_H
#define DT_OUTPUT_H

#include <stddef.h>
#include <stdio.h>

#include "tempfile.h"

struct dt_output_opts {
	const char *const *inputs; /* paths the output must not be ("-": stdin) */
	size_t nr_inputs;
};

struct dt_output {
	int fd;            /* where to write */
	const char *name;  /* the output as given ("stdout" for standard output) */
	/* private */
	FILE *fp;          /* from dt_output_stream() */
	int kind;          /* stdout, direct or replace */
	char *dest;        /* the resolved file to replace; malloc'd */
	struct dt_tempfile tmp;
};

/* Is `path` standard output (NULL or "-")? */
int dt_output_is_stdout(const char *path);

/* Refuses (-EINVAL, "PATH is the input INPUT: ...") an output that is one
 * of the inputs; for commands to call before any work.  0 when not, or
 * when the output does not exist yet. */
int dt_output_check_inputs(const char *path, const struct dt_output_opts *opts, char *err,
			   size_t errlen);

/* 1 when the outputs `a` and `b` are one file (the same name once links
 * are followed, or the same existing file), else 0. */
int dt_output_same(const char *a, const char *b);

/* Opens the output `path` as described above; opts may be NULL. */
int dt_output_open(struct dt_output *o, const char *path, const struct dt_output_opts *opts,
		   char *err, size_t errlen);

/* A stdio stream on the output (made once; dt_output_commit flushes and
 * checks it, and closes it), or NULL with errno set. */
FILE *dt_output_stream(struct dt_output *o);

/* Finishes the output: flushes, checks that nothing written was lost,
 * fsyncs and renames it over its target; for standard output, flushes it.
 * On failure the target is left as it was and the temporary file goes. */
int dt_output_commit(struct dt_output *o, char *err, size_t errlen);

/* Gives a failed output up: the target is left as it was. */
void dt_output_abort(struct dt_output *o);

#endif /* DT_OUTPUT_H */
