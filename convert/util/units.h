/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * units.h - parsing and printing of sizes, durations and addresses, shared
 * by every command so that "5ms", "64 MiB" and "1,024" mean the same thing
 * everywhere (damo accepts the same spellings).
 */
#ifndef DT_UNITS_H
#define DT_UNITS_H

#include <stddef.h>
#include <stdint.h>

/* "5000" (microseconds, as damo), "5ms", "100us", "1.5s", "2m", "1h", "250ns".
 * Returns 0 or -EINVAL / -ERANGE. */
int dt_parse_duration_us(const char *text, uint64_t *us);
/* Same, to nanoseconds; a bare number is taken in `bare_unit_ns` units. */
int dt_parse_duration_ns(const char *text, uint64_t bare_unit_ns, uint64_t *ns);
/* "4096", "4K", "4 KiB", "1.5M", "2GiB", "1,024" (thousands separators), hex "0x1000". */
int dt_parse_size(const char *text, uint64_t *bytes);
/* Unsigned decimal or 0x-hex integer with optional thousands separators. */
int dt_parse_u64(const char *text, uint64_t *value);

/* Human-readable, e.g. "48.0 MiB", "512 B", "1.50 GiB". Returns buf. */
char *dt_format_bytes(char *buf, size_t len, uint64_t bytes);
/* Human-readable duration, e.g. "250 ns", "1.50 ms", "2.25 s", "3 m 4.500 s". */
char *dt_format_duration_ns(char *buf, size_t len, uint64_t ns);

#endif /* DT_UNITS_H */
