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
 */
#ifndef DT_TEMPFILE_H
#define DT_TEMPFILE_H

#include <stddef.h>

/* A caller takes the descriptor or the name by copying the field and
 * setting it to -1 or NULL: dt_tempfile_delete() then leaves it alone. */
struct dt_tempfile {
	int fd;     /* open for reading and writing; -1 when none */
	char *path; /* malloc'd name; NULL when unlinked, taken or deleted */
};

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

/* Rename a named file to `dest` and forget its name; the descriptor stays
 * as it is.  0, or a negative errno with a message (the file is left). */
int dt_tempfile_rename(struct dt_tempfile *t, const char *dest, char *err, size_t errlen);

/* Close the descriptor if still held, unlink the file if it has a name,
 * free the name.  Safe to call twice and on a zeroed struct with fd -1. */
void dt_tempfile_delete(struct dt_tempfile *t);

#endif /* DT_TEMPFILE_H */
