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

struct ft_text {
	char *p;
	size_t len, cap;
};

void ft_text_printf(struct ft_text *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void ft_text_free(struct ft_text *t);
/* Appends one line describing every field of `item`. */
void ft_text_item(struct ft_text *t, const struct dtr_item *item);

/* Reads every item of `path` (opts may be NULL) into `t`; returns what the
 * last dtr_reader_next returned (0 at a clean end) and fills *st. */
int ft_read_all(const char *path, const struct dtr_reader_opts *opts, struct ft_text *t,
	     struct dtr_reader_status *st, char *err, size_t errlen);

unsigned char *ft_slurp(const char *path, size_t *len);
void ft_spit(const char *path, const void *buf, size_t len);
/* A path inside a per-process temporary folder (the last 8 stay valid). */
const char *ft_tmp_path(const char *name);
/* Removes that folder and all in it. */
void ft_tmp_cleanup(void);

#endif
