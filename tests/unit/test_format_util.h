/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers shared by the format test suites: items as canonical text lines
 * (two item streams are equal when their texts are), whole-file reads, and
 * records made to order.
 */
#ifndef TEST_FORMAT_UTIL_H
#define TEST_FORMAT_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "dtr.h"

struct text {
	char *p;
	size_t len, cap;
};

void text_printf(struct text *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void text_free(struct text *t);
/* Appends one line describing every field of `item`. */
void text_item(struct text *t, const struct dtr_item *item);

/* Reads every item of `path` (opts may be NULL) into `t`; returns what the
 * last dtr_reader_next returned (0 at a clean end) and fills *st. */
int read_all(const char *path, const struct dtr_reader_opts *opts, struct text *t,
	     struct dtr_reader_status *st, char *err, size_t errlen);

unsigned char *slurp(const char *path, size_t *len);
void spit(const char *path, const void *buf, size_t len);
/* A path inside a per-process temporary folder (the last 8 stay valid). */
const char *tmp_path(const char *name);
/* Removes that folder and all in it. */
void tmp_cleanup(void);

#endif
