/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * errmsg.h - filling the caller-owned error message that convert/'s
 * functions take (`char *err, size_t errlen`).
 */
#ifndef DT_ERRMSG_H
#define DT_ERRMSG_H

#include <stddef.h>

/* Format a one-line message into err (when err and errlen are given) and
 * return `code`, so that `return dt_fail(err, errlen, -EINVAL, ...)` reads
 * as one statement. */
int dt_fail(char *err, size_t errlen, int code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif /* DT_ERRMSG_H */
