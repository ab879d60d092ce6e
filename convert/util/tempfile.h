/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tempfile.h - the one maker of temporary files: a new file with a unique
 * name in $TMPDIR (/tmp when unset or empty), in a given folder, or beside
 * a given path, either kept under its name or unlinked at once.
 *
 * A named file stays until dt_tempfile_delete() or dt_tempfile_rename():
 * the two are what an "output replaced by rename" routine builds on (write
 * beside the output, then rename over it).  Files are created by mkstemp
 * (mode 0600, O_EXCL); the descriptor is not close-on-exec.
 *
 * No named file outlives the process: while it has its name, the name is
 * kept in a fixed table (the one global state of the folder, for a signal
 * handler to read) and a handler of SIGINT, SIGTERM and SIGHUP, installed
 * the first time where the disposition is the default one, removes every
 * such file before the signal kills the process as it would have.  The
 * table holds DT_TEMPFILE_GUARDS names; a file made past that is refused
 * (-EMFILE) rather than left unguarded.  Anonymous files (O_TMPFILE, see
 * dt_tempfile_anonymous) have no name to leave behind at all.
 */
#ifndef DT_TEMPFILE_H
#define DT_TEMPFILE_H

#include <stddef.h>

/* A caller takes the descriptor or the name by copying the field and
 * setting it to -1 or NULL: dt_tempfile_delete() then leaves it alone. */
struct dt_tempfile {
	int fd;     /* open for reading and writing; -1 when none */
	char *path; /* malloc'd name; NULL when unlinked, taken or deleted */
	int guard;  /* private: slot of the name in the signal table; -1 none */
	int anon;   /* private: made by dt_tempfile_anonymous, no name yet */
};

/* Named temporary files that may exist at once in a process. */
#define DT_TEMPFILE_GUARDS 64

/* How a new temporary file is kept. */
enum dt_tempfile_keep {
	DT_TEMPFILE_NAMED,    /* the caller deletes or renames it */
	DT_TEMPFILE_UNLINKED, /* no name: it goes when its descriptor is closed */
};

/* The folder temporary files go to when none is given: $TMPDIR, or /tmp
 * when it is unset or empty.  Points into the environment or a literal. */
const char *dt_tempfile_dir(void);

/* A new file "DIR/PREFIX" + 6 random characters + SUFFIX (suffix may be
 * NULL).  dir NULL means $TMPDIR, or /tmp when it is unset or empty.
 * Returns 0, or a negative errno with a message naming the folder (and
 * TMPDIR when the folder came from it); -ENAMETOOLONG when the name would
 * not fit in PATH_MAX.  Memory: the name, freed by delete or unlink. */
int dt_tempfile_create(struct dt_tempfile *t, const char *dir, const char *prefix,
		       const char *suffix, enum dt_tempfile_keep keep, char *err, size_t errlen);

/* A new named file "PATH" + TAG + 6 random characters, in PATH's folder
 * (for a file that is to replace PATH).  Errors as dt_tempfile_create,
 * naming PATH. */
int dt_tempfile_beside(struct dt_tempfile *t, const char *path, const char *tag, char *err,
		       size_t errlen);

/* A file with no name in folder `dir` (O_TMPFILE), created with `mode`
 * (the umask applies), open for reading and writing and close-on-exec.
 * Returns 0; -EOPNOTSUPP when the folder's filesystem, the kernel or the
 * lack of /proc/self/fd do not allow it (the caller then makes a named
 * file); another negative errno with a message naming `dir`. */
int dt_tempfile_anonymous(struct dt_tempfile *t, const char *dir, unsigned mode, char *err,
			  size_t errlen);

/* Rename a named file to `dest` and forget its name; the descriptor stays
 * as it is.  An anonymous file is first linked under a guarded temporary
 * name in dest's folder, then renamed: `dest` is replaced at once either
 * way, never truncated.  0, or a negative errno with a message (the file
 * is left as it was). */
int dt_tempfile_rename(struct dt_tempfile *t, const char *dest, char *err, size_t errlen);

/* For a caller that takes the name (and its removal) for itself: the
 * signal handler no longer removes it. */
void dt_tempfile_forget(struct dt_tempfile *t);

/* Close the descriptor if still held, unlink the file if it has a name,
 * free the name.  Safe to call twice and on a zeroed struct with fd -1. */
void dt_tempfile_delete(struct dt_tempfile *t);

#endif /* DT_TEMPFILE_H */
