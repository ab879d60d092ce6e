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

/* ------------------------------------------------- damo's range arguments */

/* A number as damo's text parsers (_damo_fmt_str.text_to_ns) return it: a
 * Python int, or a float when the text had a fraction or an exponent
 * ("5.5s"); damo then prints values computed from it as floats. */
struct dt_damo_num {
	int is_float;
	int64_t i;  /* when !is_float */
	double f;   /* when is_float */
};

/* damo's text_to_ns(): "min" (0), "max" (INT64_MAX here), a bare number
 * in ns ("5000000000", "1.5e9"), a number with a unit ns/us/ms/s/m/h/d
 * ("10s", "5.5s", "7250ms"), or a sum of such pairs ("4 s 500 ms").
 * Negative numbers are taken as damo takes them.  0 or -EINVAL/-ERANGE. */
int dt_parse_damo_ns(const char *text, struct dt_damo_num *ns);
/* damo's text_to_bytes(): "min", "max", a number of bytes, or a number
 * with a binary suffix B, K/KB/KiB, M.., G.., T.., P.., E.. ("1.5M",
 * "127.26T"; fractions truncated as damo's int()).  Hex ("0x1000") is
 * taken too, which damo refuses.  0 or -EINVAL/-ERANGE. */
int dt_parse_damo_bytes(const char *text, uint64_t *bytes);
/* The value as a double, and as an integer (truncated toward zero). */
double dt_damo_num_f(const struct dt_damo_num *n);
int64_t dt_damo_num_trunc(const struct dt_damo_num *n);

/* What a range's optional third value says its two ends are offsets from. */
enum dt_range_base {
	DT_RANGE_BASE_NONE,       /* the two values are absolute */
	DT_RANGE_BASE_GUIDED,     /* the guide's start (time) or area start (address) */
	DT_RANGE_BASE_GUIDED_END, /* the guide's end (time only) */
	DT_RANGE_BASE_VALUE,      /* the given base */
};

/* --time_range START END [BASE], as damo's complete_time_range(). */
struct dt_time_range {
	struct dt_damo_num start, end;
	enum dt_range_base base;
	struct dt_damo_num base_value;
};

/* --address_range START END [BASE], as damo's complete_address_range_one(). */
struct dt_address_range {
	uint64_t start, end;
	enum dt_range_base base;
	uint64_t base_value;
};

/* Parse words[0..nr) (nr 2 or 3; the option's values).  0, or -EINVAL
 * with a message naming the refused word. */
int dt_parse_time_range(const char *const *words, int nr, struct dt_time_range *r,
			char *err, size_t errlen);
int dt_parse_address_range(const char *const *words, int nr, struct dt_address_range *r,
			   char *err, size_t errlen);
/* Whether `word` may be the third value (a base) of the range options;
 * option parsers take a third word only when it is one. */
int dt_time_range_base_valid(const char *word);
int dt_address_range_base_valid(const char *word);

/* The absolute range: the base added to both ends (Python's sum: a float
 * when either is).  guide_start/guide_end serve "guided"/"guided_end".
 * 0, or -EINVAL when START >= END. */
int dt_time_range_resolve(const struct dt_time_range *r, const struct dt_damo_num *guide_start,
			  const struct dt_damo_num *guide_end, struct dt_damo_num out[2],
			  char *err, size_t errlen);
/* guided: the [start, end) of the guide's area of the same index, or NULL
 * when there is none ("guided" is then refused).  0 or -EINVAL. */
int dt_address_range_resolve(const struct dt_address_range *r, const uint64_t *guided,
			     uint64_t out[2], char *err, size_t errlen);

#endif /* DT_UNITS_H */
