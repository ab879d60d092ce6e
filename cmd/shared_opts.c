// SPDX-License-Identifier: GPL-2.0-only
/* shared_opts.c: the option entries and value parsers of shared_opts.h. */
#include "shared_opts.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "report.h"
#include "units.h"

int cmd_parse_i64(const char *s, int64_t *v)
{
	char *end;

	errno = 0;
	long long x = strtoll(s, &end, 10);
	if (errno || end == s || *end)
		return -EINVAL;
	*v = x;
	return 0;
}

int cmd_opt_pct_range(const struct opt *o, const char *arg, struct opt_parser *p)
{
	struct dt_pct_range *range = o->value;
	const char *end = opt_next_arg(p), *step = end ? opt_next_arg(p) : NULL;
	int64_t r[3];
	char err[CLI_ERRLEN];

	if (!step || cmd_parse_i64(arg, &r[0]) || cmd_parse_i64(end, &r[1]) || cmd_parse_i64(step, &r[2]))
		return opt_fail(p, "--range needs three integers: START END STEP");
	*range = (struct dt_pct_range){ r[0], r[1], r[2] };
	if (dt_pct_range_check(range, err, sizeof(err)))
		return opt_fail(p, "--range: %s", err);
	return 0;
}

int cmd_second_value(struct opt_parser *p, const char **second)
{
	*second = opt_next_arg(p);
	return *second ? 0 : opt_fail(p, "%s needs two values", p->name);
}

int cmd_opt_two_counts(const struct opt *o, const char *arg, struct opt_parser *p)
{
	uint64_t *v = o->value, x, y;
	const char *second;

	if (cmd_second_value(p, &second))
		return -1;
	if (dt_parse_u64(arg, &x) || dt_parse_u64(second, &y) || x < o->min || y < o->min ||
	    x > o->max || y > o->max)
		return opt_fail(p, "%s: two counts from %llu to %llu, not '%s %s'", p->name,
				(unsigned long long)o->min, (unsigned long long)o->max, arg, second);
	v[0] = x;
	v[1] = y;
	return 0;
}

/* The values of a range option: arg, the next word, and a third one when
 * base_valid() takes it.  Returns how many, or -1 after a message. */
static int range_words(struct opt_parser *p, const char *arg, const char *w[3],
		       int (*base_valid)(const char *))
{
	const char *third;

	w[0] = arg;
	if (cmd_second_value(p, &w[1]))
		return -1;
	third = opt_peek_arg(p);
	if (third && base_valid(third)) {
		w[2] = opt_next_arg(p);
		return 3;
	}
	return 2;
}

int cmd_opt_time_range(const struct opt *o, const char *arg, struct opt_parser *p)
{
	struct cmd_ranges *r = o->value;
	const char *w[3];
	char err[CLI_ERRLEN];
	int nr = range_words(p, arg, w, dt_time_range_base_valid);

	if (nr < 0)
		return -1;
	if (dt_parse_time_range(w, nr, &r->time, err, sizeof(err)))
		return opt_fail(p, "%s: %s", p->name, err);
	r->has_time = 1;
	return 0;
}

int cmd_opt_address_range(const struct opt *o, const char *arg, struct opt_parser *p)
{
	struct cmd_ranges *r = o->value;
	const char *w[3];
	char err[CLI_ERRLEN];
	int nr = range_words(p, arg, w, dt_address_range_base_valid);

	if (nr < 0)
		return -1;
	if (r->nr_addr == CMD_MAX_ADDRESS_RANGES)
		return opt_fail(p, "at most %d %s", CMD_MAX_ADDRESS_RANGES, p->name);
	if (dt_parse_address_range(w, nr, &r->addr[r->nr_addr], err, sizeof(err)))
		return opt_fail(p, "%s: %s", p->name, err);
	r->nr_addr++;
	return 0;
}

int cmd_color_on(int choice)
{
	if (choice == CMD_COLOR_AUTO)
		return isatty(STDOUT_FILENO);
	return choice == CMD_COLOR_ALWAYS;
}

static int stacks_opt(const struct opt *o, const char *arg, struct opt_parser *p)
{
	char err[CLI_ERRLEN];

	if (dt_stacks_load_set_option(o->value, o->long_name, arg, err, sizeof(err)) < 0)
		return opt_fail(p, "%s", err);
	return 0;
}

const struct opt *cmd_stacks_opts(struct opt t[CMD_STACKS_OPTS_MAX],
				  struct dt_stacks_load_opts *lo)
{
	size_t n = 0;

	for (const struct dt_stacks_option *s = dt_stacks_options; s->name; s++) {
		if (n + 1 == CMD_STACKS_OPTS_MAX)
			abort(); /* CMD_STACKS_OPTS_MAX is too small */
		t[n++] = (struct opt)OPT_CALLBACK(0, s->name, lo, s->arg, s->help, stacks_opt);
		if (!s->has_arg)
			t[n - 1].arg = OPT_ARG_NONE;
	}
	t[n] = (struct opt)OPT_END();
	return t;
}
