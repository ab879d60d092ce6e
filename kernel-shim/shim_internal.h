/* SPDX-License-Identifier: GPL-2.0-only */
/* Helpers shared by the kernel-shim sources (not a public header). */
#ifndef DAMON_SHIM_INTERNAL_H
#define DAMON_SHIM_INTERNAL_H

#include <stddef.h>

void shim_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* snprintf into `out`; -ENAMETOOLONG when it does not fit. */
int shim_path(char *out, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Read a small file, trailing blanks removed; length or negative errno. */
int shim_read_text(const char *path, char *buf, size_t len);
/* Read a whole file (NUL-terminated, malloc'd); NULL on error (errno set). */
char *shim_read_all(const char *path, size_t *len);

#endif
