/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * json_writer.h - JSON text pieces shared by every JSON writer.
 */
#ifndef DT_JSON_WRITER_H
#define DT_JSON_WRITER_H

#include <stdio.h>

/* A JSON string literal of `s` (quotes included); invalid UTF-8 bytes are
 * written as U+FFFD so the output always parses. */
void dt_json_string(FILE *out, const char *s);

#endif /* DT_JSON_WRITER_H */
