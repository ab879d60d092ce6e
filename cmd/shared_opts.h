/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * shared_opts.h - option entries and value parsers that several commands
 * share, so that an option means the same and is refused with the same
 * words wherever it appears (options.h has the table contract).
 *
 * Everything here links without render/: damo-record, damo-info and
 * damo-synth are also linked statically without it.  The colour options of
 * the image commands are in heat_opts.h.
 */
#ifndef DT_SHARED_OPTS_H
#define DT_SHARED_OPTS_H

#include <stdint.h>

#include "options.h"
#include "stacks_profile.h"
#include "units.h"

/* A decimal int64_t, nothing else: 0 or -EINVAL. */
int cmd_parse_i64(const char *s, int64_t *v);

/* --range START END STEP into a struct dt_pct_range (value): three
 * integers, checked by dt_pct_range_check(). */
int cmd_opt_pct_range(const struct opt *o, const char *arg, struct opt_parser *p);
#define CMD_OPT_PCT_RANGE(range, h) \
	OPT_CALLBACK('r', "range", range, "START END STEP", h, cmd_opt_pct_range)

/* NAME A B into uint64_t[2] (value): two counts from the entry's min to its
 * max ("--resol T A"). */
int cmd_opt_two_counts(const struct opt *o, const char *arg, struct opt_parser *p);
#define CMD_OPT_TWO_COUNTS(l, v, a, lo, hi, h) \
	{ .type = OPT_TYPE_CALLBACK, .long_name = (l), .arg = OPT_ARG_REQUIRED, .value = (v), \
	  .argh = (a), .min = (lo), .max = (hi), .help = (h), .cb = cmd_opt_two_counts }

/* The second value of an option taking two ("--time_range START END"):
 * 0, or -1 after saying "NAME needs two values". */
int cmd_second_value(struct opt_parser *p, const char **second);

/* damo's --time_range START END [BASE] and --address_range START END
 * [BASE] (repeatable), parsed by units.h's dt_parse_time_range() and
 * dt_parse_address_range() into a struct cmd_ranges (value).  A third word
 * is taken only when it is a base ("guided", "guided_end", a time; for
 * addresses "guided" or an address), so that an operand may follow. */
#define CMD_MAX_ADDRESS_RANGES 64
struct cmd_ranges {
	int has_time;
	struct dt_time_range time;
	size_t nr_addr;
	struct dt_address_range addr[CMD_MAX_ADDRESS_RANGES];
};
int cmd_opt_time_range(const struct opt *o, const char *arg, struct opt_parser *p);
int cmd_opt_address_range(const struct opt *o, const char *arg, struct opt_parser *p);
#define CMD_OPT_TIME_RANGE(r, h) \
	OPT_CALLBACK(0, "time_range", r, "START END [BASE]", h, cmd_opt_time_range)
#define CMD_OPT_ADDRESS_RANGE(r, h) \
	OPT_CALLBACK(0, "address_range", r, "START END [BASE]", h, cmd_opt_address_range)

/* --color auto|always|never into an int (value): colour codes on a
 * terminal only (auto, the default), or always, or never. */
enum cmd_color { CMD_COLOR_AUTO, CMD_COLOR_ALWAYS, CMD_COLOR_NEVER };
#define CMD_OPT_COLOR(v) \
	OPT_CHOICE(0, "color", v, NULL, NULL, \
		   "colour codes: auto (default: only when standard output is a terminal), " \
		   "always, never", \
		   { "auto", CMD_COLOR_AUTO }, { "always", CMD_COLOR_ALWAYS }, \
		   { "never", CMD_COLOR_NEVER })
/* 1 when colour codes go to standard output under `choice`. */
int cmd_color_on(int choice);

/* The options of dt_stacks_options (--perf-script, --phase-*, ...), which
 * damo-stacks and damo-timeline share, as table entries applied to `lo`:
 * fills `t` (CMD_STACKS_OPTS_MAX entries) and returns it, for OPT_INCLUDE. */
#define CMD_STACKS_OPTS_MAX 24
const struct opt *cmd_stacks_opts(struct opt t[CMD_STACKS_OPTS_MAX],
				  struct dt_stacks_load_opts *lo);

#endif /* DT_SHARED_OPTS_H */
